//! Human output: a miette code frame per diagnostic, with the rule id, the
//! label on the exact span and the help text.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, SourceCode, SourceSpan, SpanContents};

use crate::diagnostic::{Diagnostic, FileReport, Severity};
use crate::source::SourceFile;

/// A file's text shared by all its diagnostics (no copy per diagnostic).
#[derive(Debug)]
struct SharedSource {
    file: Arc<SourceFile>,
    /// A `\r` not followed by `\n` is a line break to miette but not to our
    /// line index; such a file is scanned from its start.
    lone_cr: bool,
}

impl SourceCode for SharedSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // miette scans its input from the first byte to find the span's line:
        // on a large file with many findings that is quadratic. Start it a
        // few lines above the span instead (a line start, with more lines
        // than the context above it, so the scan sees the same lines) and
        // shift its answer back to file positions.
        let (start, lines_before) = if self.lone_cr {
            (0, 0)
        } else {
            self.file.line_start_above(span.offset(), context_lines_before + 1)
        };
        let window = &self.file.text.as_bytes()[start..];
        let local = SourceSpan::new((span.offset() - start).into(), span.len());
        let contents = window.read_span(&local, context_lines_before, context_lines_after)?;
        // miette counts the column of the frame's header in bytes; use the
        // same line and column (in characters, after a byte-order mark) as
        // every other output format.
        let (line, column) = if context_lines_before == 0 && context_lines_after == 0 {
            let at = self.file.line_col(span.offset());
            (at.line - 1, at.column - 1)
        } else {
            (contents.line() + lines_before, contents.column())
        };
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.file.name.clone(),
            contents.data(),
            SourceSpan::new((contents.span().offset() + start).into(), contents.span().len()),
            line,
            column,
            contents.line_count() + lines_before,
        )))
    }
}

/// Does `text` hold a carriage return that does not start a CRLF?
fn has_lone_cr(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'))
}

struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    /// The message and help as miette prints them: already wrapped (each
    /// line without its indent) when the handler does not wrap.
    message: Text<'a>,
    help: Option<Text<'a>>,
    source: SharedSource,
    /// False when the lines around the span are too long to draw.
    frame: bool,
}

/// Lines longer than this (minified JSON, a 10 MB string) are not drawn in a
/// code frame: the location is printed instead.
const MAX_FRAME_LINE: usize = 500;

/// Does the span sit on lines short enough to draw, with the one line of
/// context on each side that the frame shows? (An empty file has no line.)
fn drawable(text: &str, span: &std::ops::Range<usize>) -> bool {
    let (start, end) = (span.start.min(text.len()), span.end.min(text.len()));
    let before = text[..start].rfind('\n').unwrap_or(0);
    let start = text[..before].rfind('\n').map_or(0, |i| i + 1);
    let after = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    let end = text[after.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| after + i);
    !text.is_empty()
        && text
            .get(start..end)
            .is_some_and(|lines| lines.split('\n').all(|l| l.len() <= MAX_FRAME_LINE))
}

/// A text of the diagnostic's own, or one wrapped and cached.
enum Text<'a> {
    Own(&'a str),
    Wrapped(std::sync::Arc<str>),
}

impl std::ops::Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Text::Own(text) => text,
            Text::Wrapped(text) => text,
        }
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.diagnostic.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.frame.then_some(&self.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if !self.frame {
            return None;
        }
        let span = self.diagnostic.span.clone()?;
        let primary = LabeledSpan::new_primary_with_span(self.diagnostic.label.clone(), span);
        let related = self.diagnostic.related.iter().filter_map(|r| {
            r.span
                .clone()
                .map(|s| LabeledSpan::new_with_span(Some(r.label.clone()), s))
        });
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

pub struct HumanRenderer {
    handler: GraphicalReportHandler,
    /// The same, printing messages and help as given: for those wrapped
    /// here already, from a cache.
    prewrapped: GraphicalReportHandler,
    /// The width miette wraps at (its default when not set).
    width: usize,
    /// The indents miette puts before a message's first line (an icon for
    /// each severity) and before its other lines.
    icons: [String; 3],
    rest: String,
    prewrap: bool,
}

/// miette's width when none is set.
const MIETTE_DEFAULT_WIDTH: usize = 200;

/// Wrapped messages and help texts, by width and indent (an index: one per
/// severity, then help), then text. The same texts recur across the files
/// of a run (a rule's help, a warning's message), and wrapping was a third
/// of drawing a report.
type WrapCache =
    std::collections::HashMap<(usize, usize), std::collections::HashMap<String, Option<std::sync::Arc<str>>>>;

thread_local! {
    static WRAPPED: std::cell::RefCell<WrapCache> = std::cell::RefCell::new(WrapCache::new());
}

/// Entries kept per thread before the cache starts over: bounded memory.
const WRAP_CACHE_ENTRIES: usize = 4096;

impl HumanRenderer {
    /// `width` fixes the wrapping width (tests); `None` uses the terminal's.
    pub fn new(color: bool, width: Option<usize>) -> Self {
        let theme = || {
            if color {
                GraphicalTheme::unicode()
            } else {
                GraphicalTheme::unicode_nocolor()
            }
        };
        let characters = theme().characters;
        // Messages are wrapped at spaces: the default Unicode line-breaking
        // algorithm was half the cost of rendering a report (callgrind).
        let handler = |wrap: bool| {
            let handler = GraphicalReportHandler::new_themed(theme())
                .with_context_lines(1)
                .with_word_separator(textwrap::WordSeparator::AsciiSpace)
                .with_wrap_lines(wrap);
            match width {
                Some(width) => handler.with_width(width),
                None => handler,
            }
        };
        HumanRenderer {
            handler: handler(true),
            prewrapped: handler(false),
            width: width.unwrap_or(MIETTE_DEFAULT_WIDTH),
            icons: [characters.error, characters.warning, characters.advice].map(|icon| format!("  {icon} ")),
            rest: format!("  {} ", characters.vbar),
            prewrap: true,
        }
    }

    /// Let miette wrap every text itself (for tests comparing the two).
    pub fn without_prewrap(mut self) -> Self {
        self.prewrap = false;
        self
    }

    /// `text` wrapped as miette wraps it after `first` (and `rest` on the
    /// lines after), each line without its indent; `None` when miette's
    /// own printing of unwrapped lines would differ (a line break in the
    /// text). `indent` names the pair of indents for the cache.
    fn wrapped(&self, text: &str, indent: usize, first: &str, rest: &str) -> Option<std::sync::Arc<str>> {
        if text.contains('\n') {
            return None;
        }
        WRAPPED.with(|cache| {
            let mut cache = cache.borrow_mut();
            let texts = cache.entry((self.width, indent)).or_default();
            if let Some(found) = texts.get(text) {
                return found.clone();
            }
            // As miette does: its indents (styles aside; textwrap measures
            // text without its escape sequences) and its options.
            let options = textwrap::Options::new(self.width.saturating_sub(2))
                .initial_indent(first)
                .subsequent_indent(rest)
                .break_words(true)
                .word_separator(textwrap::WordSeparator::AsciiSpace);
            let lines = textwrap::wrap(text, options);
            let mut out = String::with_capacity(text.len() + 8);
            let mut ok = true;
            for (i, line) in lines.iter().enumerate() {
                let indent = if i == 0 { first } else { rest };
                match line.strip_prefix(indent) {
                    Some(content) if !content.trim().is_empty() => {
                        if i > 0 {
                            out.push('\n');
                        }
                        out.push_str(content);
                    }
                    _ => ok = false,
                }
            }
            let found = ok.then(|| std::sync::Arc::from(out));
            if texts.len() >= WRAP_CACHE_ENTRIES {
                texts.clear();
            }
            texts.insert(text.to_string(), found.clone());
            found
        })
    }

    pub fn render(&self, report: &FileReport, out: &mut String) {
        let printable = printable(report);
        let report = printable.as_ref().unwrap_or(report);
        let lone_cr = !report.diagnostics.is_empty() && has_lone_cr(&report.file.text);
        for diagnostic in &report.diagnostics {
            let frame = diagnostic.span.as_ref().is_some_and(|span| {
                drawable(&report.file.text, span)
                    && diagnostic
                        .related
                        .iter()
                        .all(|r| r.span.as_ref().is_none_or(|s| drawable(&report.file.text, s)))
            });
            let severity = match diagnostic.severity {
                Severity::Error => 0,
                Severity::Warning => 1,
                Severity::Info => 2,
            };
            let message = self
                .prewrap
                .then(|| self.wrapped(&diagnostic.message, severity, &self.icons[severity], &self.rest))
                .flatten();
            let help = match &diagnostic.help {
                Some(help) => self
                    .prewrap
                    .then(|| self.wrapped(help, 3, "  help: ", "        "))
                    .flatten()
                    .map(|help| Some(Text::Wrapped(help))),
                None => Some(None),
            };
            // Both texts wrapped here, or miette wraps both.
            let (handler, message, help) = match (message, help) {
                (Some(message), Some(help)) => (&self.prewrapped, Text::Wrapped(message), help),
                _ => (
                    &self.handler,
                    Text::Own(&diagnostic.message),
                    diagnostic.help.as_deref().map(Text::Own),
                ),
            };
            let rendered = Rendered {
                diagnostic,
                message,
                help,
                source: SharedSource {
                    file: report.file.clone(),
                    lone_cr,
                },
                frame,
            };
            if handler.render_report(out, &rendered).is_err() {
                // Rendering into a String cannot fail; keep the finding anyway.
                out.push_str(&format!("{}: {}\n", report.file.name, diagnostic.message));
            }
            // Without a frame (no span, or lines too long to draw), say where.
            match (&diagnostic.span, frame) {
                (None, _) => out.push_str(&format!("  in {}\n", report.file.name)),
                (Some(_), false) if report.file.text.is_empty() => {
                    out.push_str(&format!("  at {}:1:1\n", report.file.name))
                }
                (Some(span), false) => {
                    let at = report.file.line_col(span.start);
                    out.push_str(&format!(
                        "  at {}:{}:{} (a line there is too long to show)\n",
                        report.file.name, at.line, at.column
                    ));
                }
                _ => {}
            }
            out.push('\n');
        }
    }
}

/// Does `text` hold a control character other than a line break or a tab?
/// Byte by byte, as every report's text is checked: ASCII controls are
/// single bytes, C1 controls (U+0080 to U+009F) are 0xC2 then 0x80 to 0x9F.
fn has_control(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        (b < 0x20 && !matches!(b, b'\n' | b'\t' | b'\r'))
            || b == 0x7f
            || (b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
    })
}

/// Text from a file (its name, its lines, values quoted in messages) must
/// not drive the terminal, e.g. clear it with an escape sequence: control
/// characters are escaped in messages and names, and replaced in the text
/// by a printable character of the same length, so spans stay right.
/// `None` when there is nothing to replace (nearly always).
fn printable(report: &FileReport) -> Option<FileReport> {
    fn is_control(c: char) -> bool {
        c.is_control() && !matches!(c, '\n' | '\t' | '\r')
    }
    let clean = |s: &str| !has_control(s);
    let escape = |s: &str| {
        s.chars().fold(String::new(), |mut out, c| {
            if is_control(c) {
                out.extend(c.escape_unicode());
            } else {
                out.push(c);
            }
            out
        })
    };
    let file = &report.file;
    let all_clean = clean(&file.name)
        && clean(&file.text)
        && report.diagnostics.iter().all(|d| {
            clean(&d.message)
                && d.label.as_deref().is_none_or(clean)
                && d.help.as_deref().is_none_or(clean)
                && d.related.iter().all(|r| clean(&r.label))
        });
    if all_clean {
        return None;
    }
    // ASCII controls are one byte, C1 controls (U+0080 to U+009F) two.
    let text = file
        .text
        .chars()
        .map(|c| match c {
            c if is_control(c) && c.is_ascii() => '?',
            c if is_control(c) => '\u{bf}',
            c => c,
        })
        .collect();
    let mut diagnostics = report.diagnostics.clone();
    for d in &mut diagnostics {
        d.message = escape(&d.message);
        d.label = d.label.as_deref().map(escape);
        d.help = d.help.as_deref().map(escape);
        for r in &mut d.related {
            r.label = escape(&r.label);
        }
    }
    Some(FileReport {
        file: SourceFile::new(escape(&file.name), text),
        diagnostics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_scan_finds_exactly_the_control_characters() {
        let by_chars = |text: &str| text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'));
        for c in (0..0x3000u32).filter_map(char::from_u32) {
            for text in [c.to_string(), format!("aé{c}b\u{a0}")] {
                assert_eq!(has_control(&text), by_chars(&text), "{c:?}");
            }
        }
    }

    /// The windowed scan must give miette exactly what its scan from the
    /// file's start gives, or code frames would change.
    #[test]
    fn windowed_read_span_matches_a_scan_from_the_start() {
        for text in [
            "{\n  \"a\": 1,\n  \"b\": [\n    2,\n    3\n  ],\n  \"c\": \"é\"\n}\n",
            "{\r\n  \"a\": 1,\r\n\r\n  \"b\": 2\r\n}",
            "{\r  \"a\": 1,\r  \"b\": 2\r}",
        ] {
            let file = SourceFile::new("f.json", text.to_string());
            let source = SharedSource {
                lone_cr: has_lone_cr(text),
                file,
            };
            for offset in 0..text.len() {
                for len in [0, 1, 4] {
                    let span = SourceSpan::new(offset.into(), len.min(text.len() - offset));
                    for (before, after) in [(0, 0), (1, 1), (2, 3)] {
                        // Without context miette reads the frame's header: there
                        // we give our own line and column (characters, not
                        // bytes), so only the text is compared.
                        let header = before == 0 && after == 0;
                        let key = |c: Box<dyn SpanContents<'_> + '_>| {
                            let place = if header { (0, 0) } else { (c.line(), c.column()) };
                            (c.data().to_vec(), *c.span(), place, c.line_count())
                        };
                        let full = text.read_span(&span, before, after).map(key);
                        let windowed = source.read_span(&span, before, after).map(key);
                        assert_eq!(
                            full.ok(),
                            windowed.ok(),
                            "{text:?} at {offset}+{len}, context {before}/{after}"
                        );
                    }
                }
            }
        }
    }

    /// Messages and help wrapped here (and cached) must print exactly as
    /// miette prints them when it wraps them itself.
    mod prewrap {
        use super::super::*;
        use crate::diagnostic::Diagnostic;
        use proptest::prelude::*;

        fn words() -> impl Strategy<Value = String> {
            let word = prop_oneof![
                "[a-z]{1,12}",
                "[a-z]{1,6}-[a-z]{1,6}(-[a-z]{1,4})?",
                "`[a-zA-Z./\\[\\]0-9]{1,30}`",
                "[a-z]{90,130}",
                "\\PC{1,8}",
                Just("\"container.docker.network\":".to_string()),
            ];
            (
                prop::collection::vec((word, prop::sample::select(&[" ", " ", "  ", " \t"][..])), 0..40),
                any::<bool>(),
            )
                .prop_map(|(words, trailing)| {
                    let mut text: String = words.into_iter().map(|(w, space)| w + space).collect();
                    if !trailing {
                        text = text.trim_end().to_string();
                    }
                    text
                })
        }

        #[test]
        fn ordinary_texts_are_wrapped_here() {
            let renderer = HumanRenderer::new(false, Some(30));
            let (first, rest) = (&renderer.icons[1], &renderer.rest);
            assert_eq!(
                renderer.wrapped("a short one", 1, first, rest).as_deref(),
                Some("a short one")
            );
            assert_eq!(
                renderer
                    .wrapped("a text long enough to need two lines", 1, first, rest)
                    .as_deref(),
                Some("a text long enough to\nneed two lines")
            );
            assert_eq!(
                renderer.wrapped("two\nlines", 1, first, rest),
                None,
                "miette prints these itself"
            );
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]

            #[test]
            fn prewrapped_text_prints_as_miette_wraps_it(
                message in words(),
                help in prop::option::of(words()),
                severity in prop::sample::select(&[Severity::Error, Severity::Warning, Severity::Info][..]),
                color in any::<bool>(),
                width in prop::sample::select(&[None, Some(100), Some(40), Some(12)][..]),
            ) {
                let text = "{\n  \"id\": \"/a\",\n  \"cmd\": \"sleep 1\"\n}\n".to_string();
                let mut diagnostic = Diagnostic::at("invalid-app-id", "/id", message);
                diagnostic.span = Some(9..13);
                diagnostic.severity = severity;
                diagnostic.help = help;
                diagnostic.label = Some("here".to_string());
                let report = FileReport { file: SourceFile::new("a.json", text), diagnostics: vec![diagnostic] };
                let mut fast = String::new();
                HumanRenderer::new(color, width).render(&report, &mut fast);
                // Twice: the second comes from the cache.
                let mut again = String::new();
                HumanRenderer::new(color, width).render(&report, &mut again);
                let mut slow = String::new();
                HumanRenderer::new(color, width).without_prewrap().render(&report, &mut slow);
                prop_assert_eq!(&fast, &slow);
                prop_assert_eq!(&again, &slow);
            }
        }
    }
}
