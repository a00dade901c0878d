//! Rendering `${NAME}` and `$NAME` with `--vars` before linting, keeping a
//! map from the rendered text back to the template, so that findings point
//! at the placeholder a value came from.
//!
//! Substituted: `${NAME}`, `${NAME:-default}` and `${NAME-default}`
//! anywhere (inside a string the value is JSON-escaped, where a value
//! stands it is inserted as written), and `$NAME` outside strings: the
//! forms `crate::template` recognises. A variable no file sets is left as it
//! is, for the scan to judge: in a shell command it is the shell's, elsewhere
//! it is an error. `{{ ... }}` is not rendered: it stays opaque.

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
}

/// The rendered text and the way back.
#[derive(Debug)]
pub struct Rendered {
    pub text: String,
    map: Vec<Substitution>,
}

/// The variable a placeholder at the start of `at` names: its length, name
/// and default, if it is one.
fn variable(at: &str, in_string: bool) -> Option<(usize, &str, Option<&str>)> {
    let name_len = |s: &str| {
        let len = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len());
        (len > 0 && s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')).then_some(len)
    };
    let rest = at.strip_prefix('$')?;
    if let Some(inner) = rest.strip_prefix('{') {
        let line = &inner[..inner.find('\n').unwrap_or(inner.len())];
        let close = line.find('}')?;
        let body = &line[..close];
        let len = name_len(body)?;
        let (name, tail) = body.split_at(len);
        let default = match tail {
            "" => None,
            _ => Some(tail.strip_prefix(":-").or_else(|| tail.strip_prefix('-'))?),
        };
        return Some((close + 3, name, default));
    }
    if in_string {
        return None;
    }
    let len = name_len(rest)?;
    Some((1 + len, &rest[..len], None))
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
                let Some((len, name, default)) = variable(&text[i..], in_string) else {
                    i += 1;
                    continue;
                };
                let (value, from) = match (vars.get(name), default) {
                    (Some((value, file)), _) => (value, file),
                    (None, Some(value)) => (value, "the default"),
                    (None, None) => {
                        i += len;
                        continue;
                    }
                };
                out.push_str(&text[copied..i]);
                let start = out.len();
                if in_string {
                    let quoted = serde_json::to_string(value).unwrap_or_default();
                    out.push_str(&quoted[1..quoted.len().saturating_sub(1).max(1)]);
                } else {
                    out.push_str(value);
                }
                map.push(Substitution {
                    template: i..i + len,
                    rendered: start..out.len(),
                    origin: format!("{name}={value}, from {from}"),
                });
                i += len;
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
    /// A rendered offset in the template: inside a substituted value, the
    /// placeholder's start (or its end, for the end of a span).
    fn position(&self, at: usize, end: bool) -> usize {
        let index = self.map.partition_point(|s| s.rendered.start <= at);
        let Some(s) = index.checked_sub(1).map(|i| &self.map[i]) else {
            return at;
        };
        if at >= s.rendered.end {
            // Past this value (and every one before it).
            s.template.end + (at - s.rendered.end)
        } else if at == s.rendered.start && !(end && s.rendered.is_empty()) {
            s.template.start
        } else if end {
            s.template.end
        } else {
            s.template.start
        }
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

    /// The substitution a rendered span lies within.
    fn within(&self, span: &Range<usize>) -> Option<&Substitution> {
        self.map
            .iter()
            .find(|s| s.rendered.start <= span.start && span.end <= s.rendered.end.max(s.rendered.start + 1))
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
        for d in &mut linted.report.diagnostics {
            if let Some(span) = &d.span {
                // A finding about a rendered value says where it came from.
                if let Some(s) = self.within(span) {
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
                }
                d.span = Some(self.span(span));
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
