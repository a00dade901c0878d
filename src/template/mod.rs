//! Template placeholders in definitions that teams keep unrendered.
//!
//! Recognised forms: `${NAME}` and `{{ ... }}` anywhere, and `$NAME` where a
//! JSON value stands (outside strings). A placeholder where a value stands
//! (`"instances": ${INSTANCES}`) is a value of unknown type: it is read as
//! `null` (blank-padded to the same length, so every span still points into
//! the template) and nothing is said about it. A placeholder inside a string
//! (`"/${ENV}/web"`, `"web:{{ version }}"`) makes only that value opaque:
//! checks of its exact value say nothing. In `cmd`, `args` and check
//! commands, `$` is the shell's, not a template's, and `${...}` there is
//! left to the shell. A placeholder where a key or structure stands, and
//! control blocks (`{{#list}}`, `{{/list}}`, `{{ range }}`, `{% if %}`,
//! `<% %>`), make the file not lintable as JSON.

use std::ops::Range;

pub mod render;
pub mod vars;

pub use render::{render, Rendered};
pub use vars::{Vars, VarsFile};

/// What a scan of a file found.
#[derive(Debug, Default, PartialEq)]
pub struct Scan {
    /// The text with each value placeholder replaced, when there was one.
    pub text: Option<String>,
    /// JSON pointers of values a placeholder made opaque.
    pub opaque: Vec<String>,
    /// Where and why the file cannot be read as JSON at all.
    pub not_lintable: Option<(Range<usize>, String)>,
    /// Where each `${NAME}` or `$NAME` placeholder is (not the shell's):
    /// with `--vars`, those still here name variables no file sets.
    pub variables: Vec<Range<usize>>,
}

impl Scan {
    /// Whether a finding at `pointer` is about a value a placeholder hides.
    pub fn hides(&self, pointer: &str) -> bool {
        self.opaque.iter().any(|o| {
            pointer == o
                || pointer
                    .strip_prefix(o.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        })
    }
}

enum Frame {
    Object { key: Option<String>, expect_value: bool },
    Array { index: usize },
}

fn token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn pointer(stack: &[Frame]) -> String {
    let mut out = String::new();
    for frame in stack {
        match frame {
            Frame::Object { key: Some(key), .. } => {
                out.push('/');
                out.push_str(&token(key));
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => {
                out.push('/');
                out.push_str(&index.to_string());
            }
        }
    }
    out
}

/// The longest placeholder read: a longer one is left to the syntax check,
/// so that a line of thousands of `${` costs a bounded look at each.
pub(crate) const MAX_PLACEHOLDER: usize = 512;

/// The placeholder starting at `at` (its length), if one does: closed on
/// its own line, within `MAX_PLACEHOLDER` bytes (an unclosed one is left to
/// the syntax check).
fn placeholder_len(at: &str) -> Option<usize> {
    for (open, close) in [("${", "}"), ("{{", "}}"), ("{%", "%}"), ("<%", "%>")] {
        if let Some(rest) = at.strip_prefix(open) {
            let window = &rest.as_bytes()[..rest.len().min(MAX_PLACEHOLDER)];
            let line = &window[..memchr::memchr(b'\n', window).unwrap_or(window.len())];
            return memchr::memmem::find(line, close.as_bytes()).map(|i| open.len() + i + close.len());
        }
    }
    let rest = at.strip_prefix('$')?;
    let name = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (name > 0 && rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')).then_some(1 + name)
}

/// A control block of a template language: not a value.
fn is_control(placeholder: &str) -> bool {
    if placeholder.starts_with("{%") || placeholder.starts_with("<%") {
        return true;
    }
    let Some(inner) = placeholder.strip_prefix("{{") else {
        return false;
    };
    let inner = inner.trim_start_matches(['-', '~']).trim_start();
    inner.starts_with(['#', '/', '^', '>', '!', '&'])
        || [
            "range", "if", "else", "end", "with", "define", "block", "template", "for", "each", "unless",
        ]
        .iter()
        .any(|word| inner.starts_with(word) && inner[word.len()..].starts_with([' ', '}', '(']))
}

/// Members whose strings are shell commands, where `$` is the shell's.
fn is_shell(stack: &[Frame]) -> bool {
    let keys: Vec<&str> = stack
        .iter()
        .filter_map(|f| match f {
            Frame::Object { key: Some(k), .. } => Some(k.as_str()),
            _ => None,
        })
        .collect();
    matches!(
        keys.as_slice(),
        ["cmd"] | [.., "cmd"] | ["args"] | [.., "args"] | [.., "command", "value"]
    ) || matches!(stack.iter().rev().nth(1), Some(Frame::Object { key: Some(k), .. }) if k == "args")
}

/// The `${...}` placeholders in `text[start..end]` (a string's content).
fn variables_in(text: &str, start: usize, end: usize) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut at = start;
    while let Some(offset) = memchr::memmem::find(&bytes[at..end], b"${") {
        let from = at + offset;
        match placeholder_len(&text[from..]).filter(|len| from + len <= end) {
            Some(len) => {
                found.push(from..from + len);
                at = from + len;
            }
            None => at = from + 2,
        }
    }
    found
}

/// The text to locate JSON pointers in: a template's value placeholders
/// read as same-length values, so its structure parses and spans still
/// point into it.
pub fn locatable(text: &str) -> std::borrow::Cow<'_, str> {
    match scan(text).text {
        Some(replaced) => std::borrow::Cow::Owned(replaced),
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// Scan `text` for placeholders. Cheap when there are none: one search.
pub fn scan(text: &str) -> Scan {
    scan_around(text, &[])
}

/// Scan `text`, reading the byte ranges `values` (values rendered from
/// variables) as plain text: what a variable's value holds is not a
/// placeholder of the template.
pub fn scan_around(original: &str, values: &[Range<usize>]) -> Scan {
    let masked;
    let text = if values.is_empty() {
        original
    } else {
        let mut bytes = original.as_bytes().to_vec();
        for range in values {
            bytes[range.clone()].fill(b'x');
        }
        // Only ASCII was written over whole values: still UTF-8.
        masked = String::from_utf8(bytes).unwrap_or_default();
        masked.as_str()
    };
    let bytes = text.as_bytes();
    if memchr::memchr(b'$', bytes).is_none() && !text.contains("{{") && !text.contains("{%") && !text.contains("<%") {
        return Scan::default();
    }
    let mut scan = Scan::default();
    let mut replaced: Vec<(Range<usize>, &'static str)> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    let expecting_value = |stack: &[Frame]| match stack.last() {
        None => true,
        Some(Frame::Object { expect_value, .. }) => *expect_value,
        Some(Frame::Array { .. }) => true,
    };
    let not_lintable = |range: Range<usize>, why: &str| Some((range, why.to_string()));
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'"' => {
                // A string: find its end, skipping escapes.
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                let content = &text[start..j.min(bytes.len())];
                let has = content.contains("{{") || content.contains("${");
                match stack.last_mut() {
                    Some(Frame::Object {
                        key,
                        expect_value: false,
                    }) => {
                        if has {
                            scan.variables.extend(variables_in(text, start, j.min(bytes.len())));
                            scan.not_lintable =
                                not_lintable(i..(j + 1).min(bytes.len()), "a template placeholder stands in a key");
                            return scan;
                        }
                        *key = Some(content.to_string());
                    }
                    _ => {
                        let shell = is_shell(&stack) && !content.contains("{{");
                        if has && !shell {
                            scan.opaque.push(pointer(&stack));
                            scan.variables.extend(variables_in(text, start, j.min(bytes.len())));
                        }
                        if has && content.contains("{{") {
                            let at = content.find("{{").unwrap_or(0);
                            if is_control(&content[at..]) {
                                scan.not_lintable = not_lintable(
                                    start + at..j.min(bytes.len()),
                                    "a template control block stands in a string",
                                );
                                return scan;
                            }
                        }
                    }
                }
                i = j + 1;
            }
            b':' => {
                if let Some(Frame::Object { expect_value, .. }) = stack.last_mut() {
                    *expect_value = true;
                }
                i += 1;
            }
            b',' => {
                match stack.last_mut() {
                    Some(Frame::Object { key, expect_value }) => {
                        *key = None;
                        *expect_value = false;
                    }
                    Some(Frame::Array { index }) => *index += 1,
                    None => {}
                }
                i += 1;
            }
            b'}' | b']' => {
                stack.pop();
                i += 1;
            }
            _ => {
                if let Some(len) = placeholder_len(&text[i..]) {
                    let found = &text[i..i + len];
                    if is_control(found) {
                        scan.not_lintable = not_lintable(i..i + len, "a template control block stands here");
                        return scan;
                    }
                    if found.starts_with('$') {
                        scan.variables.push(i..i + len);
                    }
                    if !expecting_value(&stack) {
                        scan.not_lintable = not_lintable(
                            i..i + len,
                            "a template placeholder stands where a key or structure belongs",
                        );
                        return scan;
                    }
                    scan.opaque.push(pointer(&stack));
                    replaced.push((i..i + len, if len >= 4 { "null" } else { "0" }));
                    i += len;
                    continue;
                }
                match c {
                    b'{' => {
                        stack.push(Frame::Object {
                            key: None,
                            expect_value: false,
                        });
                        i += 1;
                    }
                    b'[' => {
                        stack.push(Frame::Array { index: 0 });
                        i += 1;
                    }
                    _ => {
                        // A literal: up to the next delimiter.
                        while i < bytes.len() && !matches!(bytes[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                        {
                            i += 1;
                        }
                    }
                }
            }
        }
    }
    if !replaced.is_empty() {
        let mut out = original.to_string();
        for (range, with) in replaced {
            let padded = format!("{with}{}", " ".repeat(range.len() - with.len()));
            out.replace_range(range, &padded);
        }
        scan.text = Some(out);
    }
    scan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_placeholders_become_same_length_nulls() {
        let text = r#"{"id": "/web", "instances": ${INSTANCES}, "cpus": $CPUS, "mem": {{ mem }}}"#;
        let scan = scan(text);
        let rendered = scan.text.unwrap();
        assert_eq!(rendered.len(), text.len());
        assert!(
            serde_json::from_str::<serde_json::Value>(&rendered).is_ok(),
            "{rendered}"
        );
        assert_eq!(scan.opaque, vec!["/instances", "/cpus", "/mem"]);
        assert!(scan.not_lintable.is_none());
    }

    #[test]
    fn string_placeholders_make_that_value_opaque_but_not_the_shells_dollars() {
        let text = r#"{"id": "/${ENV}/web", "cmd": "echo $HOME ${PORT0}", "container": {"docker": {"image": "web:{{ version }}"}},
                      "args": ["--x=${Y}"], "env": {"A": "$B"}}"#;
        let scan = scan(text);
        assert!(scan.text.is_none());
        assert_eq!(scan.opaque, vec!["/id", "/container/docker/image"]);
        assert!(scan.hides("/container/docker/image") && !scan.hides("/container/docker"));
    }

    #[test]
    fn keys_structure_and_control_blocks_are_not_lintable() {
        for text in [
            r#"{"id": "/a", ${EXTRA} }"#,
            r#"{"{{ key }}": 1}"#,
            "{\"apps\": [{{#apps}}{\"id\": \"{{id}}\"}{{/apps}}]}",
            r#"{"id": "/a" {% if x %}, "cmd": "y" {% endif %}}"#,
        ] {
            assert!(scan(text).not_lintable.is_some(), "{text}");
        }
        assert_eq!(scan(r#"{"id": "/a", "cmd": "x"}"#), Scan::default());
    }
}
