//! Rendering `${NAME}` and `$NAME` with `--vars` before linting, keeping a
//! map from the rendered text back to the template, so that findings point
//! at the placeholder a value came from.
//!
//! Substituted: `${NAME}` anywhere, with the shell's operators (`:-` and
//! `-` a default, `:=` and `=` likewise, `:+` and `+` an alternative, `:?`
//! and `?` an error when unset; with a colon, an empty value counts as
//! unset), and `$NAME` outside strings: the forms `crate::template`
//! recognises. Inside a string the value is JSON-escaped; where a value
//! stands it is inserted as written. A variable no file sets (or an `:?`
//! whose variable is empty) is left as it is, for the scan to judge: in a
//! shell command it is the shell's, elsewhere it is an error. `{{ ... }}` is
//! not rendered: it stays opaque.

use std::ops::Range;

use super::vars::Vars;
use crate::lint::Linted;
use crate::source::SourceFile;
use std::sync::Arc;

/// One substitution: the placeholder in the template and the value in the
/// rendered text.
#[derive(Debug, Clone, PartialEq)]
struct Substitution {
    template: Range<usize>,
    rendered: Range<usize>,
    /// `NAME=value, from prod.env` (or `the default`), for messages.
    origin: String,
    /// Whether it stands inside a JSON string (else where a value stands).
    in_string: bool,
}

/// The rendered text and the way back.
#[derive(Debug)]
pub struct Rendered {
    pub text: String,
    map: Vec<Substitution>,
}

/// A placeholder's parts: its length, the variable, and the shell operator
/// with its word (`:-`, `default`).
struct Placeholder<'t> {
    len: usize,
    name: &'t str,
    operator: &'t str,
    word: &'t str,
}

/// The variable a placeholder at the start of `at` names, if one does.
fn placeholder(at: &str, in_string: bool) -> Option<Placeholder<'_>> {
    let name_len = |s: &str| {
        let len = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len());
        (len > 0 && s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')).then_some(len)
    };
    let rest = at.strip_prefix('$')?;
    if let Some(inner) = rest.strip_prefix('{') {
        // Bounded, so a line of many `${` is read in linear time.
        let window = &inner.as_bytes()[..inner.len().min(super::MAX_PLACEHOLDER)];
        let line = &window[..memchr::memchr(b'\n', window).unwrap_or(window.len())];
        let close = memchr::memchr(b'}', line)?;
        let body = &inner[..close];
        let len = name_len(body)?;
        let (name, tail) = body.split_at(len);
        let operator = [":-", ":=", ":+", ":?", "-", "=", "+", "?"]
            .into_iter()
            .find(|op| tail.starts_with(op))
            .unwrap_or("");
        if operator.is_empty() && !tail.is_empty() {
            return None;
        }
        return Some(Placeholder {
            len: close + 3,
            name,
            operator,
            word: &tail[operator.len()..],
        });
    }
    if in_string {
        return None;
    }
    let len = name_len(rest)?;
    Some(Placeholder {
        len: 1 + len,
        name: &rest[..len],
        operator: "",
        word: "",
    })
}

/// What a placeholder renders as, and where that comes from; `None` leaves
/// it for the scan (unset).
fn value_of<'a>(p: &Placeholder<'a>, vars: &'a Vars) -> Option<(String, String)> {
    let set = vars.get(p.name);
    // With a colon, an empty value is unset too.
    let usable = set.filter(|(value, _)| !(p.operator.starts_with(':') && value.is_empty()));
    match p.operator.trim_start_matches(':') {
        "" | "?" => usable.map(|(value, file)| (value.to_string(), file.to_string())),
        "-" | "=" => Some(match usable {
            Some((value, file)) => (value.to_string(), file.to_string()),
            None => (p.word.to_string(), "the default".to_string()),
        }),
        _ => Some(match usable {
            Some((_, file)) => (
                p.word.to_string(),
                format!("the alternative, as {} is set in {file}", p.name),
            ),
            None => (String::new(), "the alternative, unset".to_string()),
        }),
    }
}

/// Render `text` with `vars`; `None` when nothing was substituted.
pub fn render(text: &str, vars: &Vars) -> Option<Rendered> {
    memchr::memchr(b'$', text.as_bytes())?;
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::new();
    let mut in_string = false;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 2,
            b'"' => {
                in_string = !in_string;
                i += 1;
            }
            b'$' => {
                let Some(p) = placeholder(&text[i..], in_string) else {
                    i += 1;
                    continue;
                };
                let Some((value, from)) = value_of(&p, vars) else {
                    i += p.len;
                    continue;
                };
                out.push_str(&text[copied..i]);
                let start = out.len();
                if in_string {
                    let quoted = serde_json::to_string(&value).unwrap_or_default();
                    out.push_str(&quoted[1..quoted.len().saturating_sub(1).max(1)]);
                } else {
                    out.push_str(&value);
                }
                map.push(Substitution {
                    template: i..i + p.len,
                    rendered: start..out.len(),
                    origin: format!("{}={value}, from {from}", p.name),
                    in_string,
                });
                i += p.len;
                copied = i;
            }
            _ => i += 1,
        }
    }
    if map.is_empty() {
        return None;
    }
    out.push_str(&text[copied.min(text.len())..]);
    Some(Rendered { text: out, map })
}

impl Rendered {
    /// A rendered offset in the template. A span's start inside a value maps
    /// to its placeholder's start; a span's end inside one, to the
    /// placeholder's end; a span's end just before a value stays before its
    /// placeholder (so an edit there never takes the placeholder with it).
    fn position(&self, at: usize, end: bool) -> usize {
        let index = if end {
            self.map.partition_point(|s| s.rendered.start < at)
        } else {
            self.map.partition_point(|s| s.rendered.start <= at)
        };
        let Some(s) = index.checked_sub(1).map(|i| &self.map[i]) else {
            return at;
        };
        if at >= s.rendered.end {
            // Past this value (and every one before it).
            s.template.end + (at - s.rendered.end)
        } else if end {
            s.template.end
        } else {
            s.template.start
        }
    }

    /// Where rendered values are, in the rendered text.
    pub fn values(&self) -> Vec<Range<usize>> {
        self.map.iter().map(|s| s.rendered.clone()).collect()
    }

    /// A rendered span in the template: spans within a value cover its
    /// placeholder.
    pub fn span(&self, span: &Range<usize>) -> Range<usize> {
        let start = self.position(span.start, false);
        let end = if span.end == span.start {
            start
        } else {
            self.position(span.end, true)
        };
        start..end.max(start)
    }

    /// The substitution a rendered span lies within (or that fills the
    /// whole string it stands in).
    fn within(&self, span: &Range<usize>) -> Option<&Substitution> {
        self.map.iter().find(|s| {
            (s.rendered.start <= span.start && span.end <= s.rendered.end.max(s.rendered.start + 1))
                || (s.in_string && span.start + 1 == s.rendered.start && span.end == s.rendered.end + 1)
        })
    }

    /// The last value rendered where a JSON value stands before `at`: the
    /// likely cause of a syntax error after it, when the template itself is
    /// well formed.
    pub fn value_before(&self, at: usize) -> Option<(Range<usize>, &str)> {
        self.map
            .iter()
            .rev()
            .find(|s| !s.in_string && s.rendered.start <= at)
            .map(|s| (s.template.clone(), s.origin.as_str()))
    }

    /// A rendered span that touches no substituted value, in the template:
    /// where an edit can be made to the template as it is.
    fn clean(&self, span: &Range<usize>) -> Option<Range<usize>> {
        // Overlapping a value, or inserting inside one.
        let touches = self
            .map
            .iter()
            .any(|s| span.start < s.rendered.end && s.rendered.start < span.end);
        (!touches).then(|| self.span(span))
    }

    /// Bring a lint of the rendered text back to the template: every span
    /// located in it; a fix whose edits would change a rendered value is
    /// not offered (it would have to change the variable instead).
    pub fn map_back(&self, mut linted: Linted, template: Arc<SourceFile>) -> Linted {
        // A syntax error after a value, when the template is well formed
        // without the values, is that value's doing (`N=3,`).
        let blame_values = std::cell::OnceCell::new();
        let template_parses = || {
            let scan = super::scan(&template.text);
            crate::parse::parse(scan.text.as_deref().unwrap_or(&template.text)).is_ok()
        };
        for d in &mut linted.report.diagnostics {
            if let Some(span) = d.span.clone() {
                // A finding about a rendered value says where it came from.
                if let Some(s) = self.within(&span) {
                    if d.rule.starts_with("json-") {
                        d.help = Some(format!(
                            "the placeholder renders as {}: not a JSON value here; quote the placeholder \
                             (\"${{...}}\") for a string, or set the variable to a JSON value",
                            s.origin
                        ));
                    } else {
                        let label = d.label.take().unwrap_or_default();
                        d.label = Some(format!("{label} ({})", s.origin).trim_start().to_string());
                    }
                    d.span = Some(self.span(&span));
                } else if let (true, Some((placeholder, origin))) = (
                    crate::engine::is_blocking_syntax_error(&d.rule) && *blame_values.get_or_init(template_parses),
                    self.value_before(span.start),
                ) {
                    d.message = format!("the rendered file is not JSON: {}", d.message);
                    d.label = Some("renders as JSON that does not fit here".into());
                    d.help = Some(format!(
                        "the placeholder renders as {origin}, and the text after it no longer parses: set the \
                         variable to one JSON value (quote the placeholder, \"${{...}}\", for a string)"
                    ));
                    d.span = Some(placeholder);
                } else {
                    d.span = Some(self.span(&span));
                }
            }
            for related in &mut d.related {
                if let Some(span) = &related.span {
                    related.span = Some(self.span(span));
                }
            }
            if let Some(fix) = &mut d.fix {
                let edits: Option<Vec<_>> = fix
                    .edits
                    .iter()
                    .map(|e| {
                        self.clean(&e.range).map(|range| crate::fix::Edit {
                            range,
                            replacement: e.replacement.clone(),
                        })
                    })
                    .collect();
                match edits {
                    Some(edits) => fix.edits = edits,
                    None => d.fix = None,
                }
            }
        }
        for s in &mut linted.suppressions {
            if let Some(span) = &s.label_span {
                s.label_span = Some(self.span(span));
            }
        }
        linted.report.file = template;
        linted
    }
}

#[cfg(test)]
mod tests {
    use super::super::vars::VarsFile;
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        Vars::new(vec![VarsFile::inline("test.env", pairs)])
    }

    #[test]
    fn substitutes_the_recognised_forms_and_escapes_inside_strings() {
        let text = r#"{"id": "/${ENV}/web", "instances": $N, "cmd": "echo \"$HOME\" ${MISSING:-x}", "x": "${Q}"}"#;
        let rendered = render(text, &vars(&[("ENV", "prod"), ("N", "3"), ("Q", "a\"b")])).unwrap();
        assert_eq!(
            rendered.text,
            r#"{"id": "/prod/web", "instances": 3, "cmd": "echo \"$HOME\" x", "x": "a\"b"}"#
        );
        assert!(serde_json::from_str::<serde_json::Value>(&rendered.text).is_ok());
        assert!(render(r#"{"cmd": "echo $HOME"}"#, &vars(&[("HOME", "/root")])).is_none());
        assert!(render(r#"{"id": "/a"}"#, &vars(&[("A", "b")])).is_none());
    }

    #[test]
    fn spans_map_back_into_the_template() {
        let text = r#"{"instances": ${INSTANCES}, "id": "/${ENV}/web"}"#;
        let rendered = render(text, &vars(&[("INSTANCES", "30000"), ("ENV", "p")])).unwrap();
        let at = |s: &str, t: &str| t.find(s).unwrap();
        // The rendered value maps to its placeholder.
        let value = at("30000", &rendered.text);
        assert_eq!(
            rendered.span(&(value..value + 5)),
            at("${INSTANCES}", text)..at(", \"id", text)
        );
        // After a substitution, offsets shift back by what it added.
        let id = at("\"/p/web\"", &rendered.text);
        assert_eq!(rendered.span(&(id..id + 8)), at("\"/${ENV}", text)..text.len() - 1);
        // Before any, unchanged.
        assert_eq!(rendered.span(&(1..12)), 1..12);
        // A fix editing a rendered value cannot be placed; one beside it can.
        assert!(rendered.clean(&(value..value + 5)).is_none());
        assert_eq!(rendered.clean(&(1..12)), Some(1..12));
    }
}
