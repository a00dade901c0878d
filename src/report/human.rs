//! Human output: a miette code frame per diagnostic, with the rule id, the
//! label on the exact span and the help text.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, SourceCode, SourceSpan, SpanContents};

use crate::diagnostic::{Diagnostic, FileReport, Severity};
use crate::source::SourceFile;

/// A file's text shared by all its diagnostics (no copy per diagnostic).
#[derive(Debug)]
struct SharedSource(Arc<SourceFile>);

impl SourceCode for SharedSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let contents = self.0.text.read_span(span, context_lines_before, context_lines_after)?;
        // miette counts the column of the frame's header in bytes; use the
        // same line and column (in characters, after a byte-order mark) as
        // every other output format.
        let (line, column) = if context_lines_before == 0 && context_lines_after == 0 {
            let at = self.0.line_col(span.offset());
            (at.line - 1, at.column - 1)
        } else {
            (contents.line(), contents.column())
        };
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.0.name.clone(),
            contents.data(),
            *contents.span(),
            line,
            column,
            contents.line_count(),
        )))
    }
}

struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
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

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
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
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
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
}

impl HumanRenderer {
    /// `width` fixes the wrapping width (tests); `None` uses the terminal's.
    pub fn new(color: bool, width: Option<usize>) -> Self {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let mut handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
        if let Some(width) = width {
            handler = handler.with_width(width);
        }
        HumanRenderer { handler }
    }

    pub fn render(&self, report: &FileReport, out: &mut String) {
        let printable = printable(report);
        let report = printable.as_ref().unwrap_or(report);
        for diagnostic in &report.diagnostics {
            let frame = diagnostic.span.as_ref().is_some_and(|span| {
                drawable(&report.file.text, span)
                    && diagnostic
                        .related
                        .iter()
                        .all(|r| r.span.as_ref().is_none_or(|s| drawable(&report.file.text, s)))
            });
            let rendered = Rendered {
                diagnostic,
                source: SharedSource(report.file.clone()),
                frame,
            };
            if self.handler.render_report(out, &rendered).is_err() {
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

/// Text from a file (its name, its lines, values quoted in messages) must
/// not drive the terminal, e.g. clear it with an escape sequence: control
/// characters are escaped in messages and names, and replaced in the text
/// by a printable character of the same length, so spans stay right.
/// `None` when there is nothing to replace (nearly always).
fn printable(report: &FileReport) -> Option<FileReport> {
    fn is_control(c: char) -> bool {
        c.is_control() && !matches!(c, '\n' | '\t' | '\r')
    }
    let clean = |s: &str| !s.contains(is_control);
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
