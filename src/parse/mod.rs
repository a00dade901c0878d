//! Parse a file into a JSON value plus a span tree, turning every way the text
//! can fail to be strict JSON into a located, specific diagnostic.

mod spans;
mod syntax;

pub use spans::{find, locate};

use std::cell::OnceCell;

use jsonc_parser::ast;
use jsonc_parser::{CollectOptions, ParseOptions};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::diagnostic::{pointer_join, Diagnostic, Target};

/// Files larger than this find their spans in the span tree rather than by
/// scanning (see `Parsed::span_of`).
const SCAN_LIMIT: usize = 256 * 1024;

/// The UTF-8 byte-order mark. Jackson (and so Marathon) skips it, so we do too.
const BOM: &str = "\u{feff}";

/// A successfully parsed document.
pub struct Parsed<'t> {
    /// The JSON text (after a byte-order mark).
    json: &'t str,
    /// Span tree of the document (spans are relative to `json`), built on
    /// first use: a file without findings never needs one.
    ast: OnceCell<Option<ast::Value<'t>>>,
    /// Finds spans without the tree, for files with a few findings.
    scanner: OnceCell<spans::Scanner<'t>>,
    /// The document as Marathon reads it: for duplicate keys the last wins.
    pub value: serde_json::Value,
    /// Bytes skipped before the JSON text (a byte-order mark).
    pub offset: usize,
}

impl<'t> Parsed<'t> {
    /// The span tree. `None` only if the span parser refuses what serde_json
    /// accepted, which the property tests rule out; spans are then unknown.
    pub fn ast(&self) -> Option<&ast::Value<'t>> {
        self.ast_cell().as_ref()
    }

    fn ast_cell(&self) -> &Option<ast::Value<'t>> {
        self.ast.get_or_init(|| {
            jsonc_parser::parse_to_ast(self.json, &CollectOptions::default(), &strict_options())
                .ok()
                .and_then(|result| result.value)
        })
    }

    /// Byte range in the file of the member at `pointer`: scanned for, or
    /// looked up in the span tree once there is one (or when the file is
    /// large: scanning reads each object on a path once per level of
    /// nesting, the tree reads the file once).
    pub fn span_of(&self, pointer: &str, target: Target) -> Option<std::ops::Range<usize>> {
        let tree = self
            .ast
            .get()
            .or_else(|| (self.json.len() > SCAN_LIMIT).then(|| self.ast_cell()));
        let found = match tree {
            Some(ast) => locate(ast.as_ref()?, pointer, target),
            None => match self
                .scanner
                .get_or_init(|| spans::Scanner::new(self.json))
                .scan(pointer, target)
            {
                spans::Scanned::Found(range) => Some(range),
                spans::Scanned::Absent => None,
                spans::Scanned::Unsure => locate(self.ast()?, pointer, target),
            },
        };
        found.map(|r| r.start + self.offset..r.end + self.offset)
    }
}

/// Decode raw bytes as UTF-8. Invalid input still yields text (lossily
/// decoded, so the code frame can be drawn) together with a diagnostic.
pub fn decode(bytes: Vec<u8>) -> (String, Option<Diagnostic>) {
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            let bad_len = err.utf8_error().error_len().unwrap_or(1);
            let bad: Vec<String> = err.as_bytes()[at..at + bad_len]
                .iter()
                .map(|b| format!("0x{b:02X}"))
                .collect();
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            // The lossy text has the same valid prefix, so `at` is a boundary
            // there and U+FFFD (3 bytes) replaces the bad sequence.
            let diagnostic = Diagnostic::at_span(
                "json-invalid-utf8",
                at..at + '\u{fffd}'.len_utf8(),
                format!(
                    "the file is not valid UTF-8: byte {} cannot start or continue a character",
                    bad.join(" ")
                ),
            )
            .label("invalid UTF-8 here")
            .help("Marathon reads JSON as UTF-8; re-save the file with UTF-8 encoding");
            (text, Some(diagnostic))
        }
    }
}

/// Parse `text`. On success also returns warnings (duplicate keys); on failure
/// returns the syntax diagnostics.
pub fn parse(text: &str) -> Result<(Parsed<'_>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let offset = if text.starts_with(BOM) { BOM.len() } else { 0 };
    let json = &text[offset..];
    let shift = |d: Diagnostic| shift_span(d, offset);

    if json.trim().is_empty() {
        let what = if text.is_empty() {
            "the file is empty"
        } else {
            "the file holds only whitespace"
        };
        return Err(vec![Diagnostic::at_span(
            "json-empty-file",
            0..0,
            format!("{what}: it holds no app definition"),
        )
        .label("no JSON value here")
        .help(
            "write an app definition (a JSON object with an \"id\"), a group, or a JSON array of apps",
        )]);
    }

    // One parse for the common case: serde_json builds the value Marathon
    // would see and is as strict as Marathon's parser about control
    // characters, lone surrogates and number range; it also notes whether any
    // object repeats a key. The span tree is built later, only if needed.
    let mut has_duplicates = false;
    let value = match value_noting_duplicates(json, &mut has_duplicates) {
        Ok(value) => value,
        Err(err) => return Err(explain_failure(json, &err).into_iter().map(shift).collect()),
    };
    let parsed = Parsed {
        json,
        ast: OnceCell::new(),
        scanner: OnceCell::new(),
        value,
        offset,
    };
    let mut warnings = Vec::new();
    if has_duplicates {
        if let Some(ast) = parsed.ast() {
            duplicate_keys(ast, "", &mut warnings);
        }
    }
    Ok((parsed, warnings.into_iter().map(shift).collect()))
}

/// Why serde_json refused `json`: the span parser explains most failures
/// specifically (a trailing comma, a comment, an unclosed string); what only
/// serde_json refuses (control characters, lone surrogates, numbers beyond
/// f64, nesting deeper than it allows) it explains itself.
fn explain_failure(json: &str, err: &serde_json::Error) -> Vec<Diagnostic> {
    match jsonc_parser::parse_to_ast(json, &CollectOptions::default(), &strict_options()) {
        Err(strict_error) => syntax::explain(json, &strict_error),
        Ok(result) if result.value.is_none() => vec![Diagnostic::at_span(
            // Only comments or nothing: the strict parser would have failed
            // on comments, so this is unreachable in practice.
            "json-empty-file",
            0..0,
            "the file holds no JSON value",
        )],
        Ok(_) => vec![syntax::from_serde_error(json, err)],
    }
}

/// Parse `json` into a `Value` exactly as `serde_json::from_str` does, and
/// set `duplicates` if any object repeats a key (the `Value` keeps the last).
fn value_noting_duplicates(json: &str, duplicates: &mut bool) -> Result<serde_json::Value, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let value = NotingDuplicates(duplicates).deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// A `Value` visitor that also notes repeated keys.
struct NotingDuplicates<'a>(&'a mut bool);

impl<'de> DeserializeSeed<'de> for NotingDuplicates<'_> {
    type Value = serde_json::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NotingDuplicates<'_> {
    type Value = serde_json::Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(value).map_or(serde_json::Value::Null, serde_json::Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Self::Value, E> {
        Ok(serde_json::Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Self::Value, E> {
        Ok(serde_json::Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(NotingDuplicates(&mut *self.0))? {
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(NotingDuplicates(&mut *self.0))?;
            if object.insert(key, value).is_some() {
                *self.0 = true;
            }
        }
        Ok(serde_json::Value::Object(object))
    }
}

fn shift_span(mut d: Diagnostic, offset: usize) -> Diagnostic {
    if offset != 0 {
        if let Some(span) = &mut d.span {
            *span = span.start + offset..span.end + offset;
        }
        for related in &mut d.related {
            if let Some(span) = &mut related.span {
                *span = span.start + offset..span.end + offset;
            }
        }
        for action in d.fix.iter_mut().flat_map(|f| f.actions.iter_mut()) {
            if let crate::fix::Action::RemoveMember { member } = action {
                *member = member.start + offset..member.end + offset;
            }
        }
    }
    d
}

/// Strict JSON as Marathon's parser (Jackson) accepts it.
fn strict_options() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Duplicate keys are legal JSON, but Marathon keeps only the last one, so the
/// earlier value is silently lost.
fn duplicate_keys(value: &ast::Value<'_>, pointer: &str, out: &mut Vec<Diagnostic>) {
    // Walk iteratively: depth is bounded by the parser, but an explicit stack
    // keeps this function safe whatever that bound becomes.
    let mut stack = vec![(value, pointer.to_string())];
    while let Some((value, pointer)) = stack.pop() {
        match value {
            ast::Value::Object(object) => {
                let mut seen: std::collections::HashMap<&str, &ast::ObjectProp<'_>> = Default::default();
                for prop in &object.properties {
                    let name = prop.name.as_str();
                    if let Some(first) = seen.insert(name, prop) {
                        let first_span = name_range(first);
                        let second_span = name_range(prop);
                        out.push(
                            Diagnostic::at_span(
                                "json-duplicate-key",
                                second_span,
                                format!("duplicate key \"{name}\": Marathon keeps only this last one and silently ignores the earlier value"),
                            )
                            .label("this value wins")
                            .related_span(first_span, "earlier value, ignored")
                            .help(format!("keep one \"{name}\": merge the two values, or delete the one you do not mean"))
                            .fix(crate::fix::Fix::new(
                                crate::fix::Safety::Safe,
                                format!("remove the earlier \"{name}\", which Marathon ignores"),
                                vec![crate::fix::Action::RemoveMember { member: crate::fix::member_range(first) }],
                            )),
                        );
                        out.last_mut().unwrap().pointer = Some(pointer_join(&pointer, name));
                    }
                    stack.push((&prop.value, pointer_join(&pointer, name)));
                }
            }
            ast::Value::Array(array) => {
                for (i, element) in array.elements.iter().enumerate() {
                    stack.push((element, pointer_join(&pointer, i)));
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|d| d.span.as_ref().map(|s| s.start));
}

fn name_range(prop: &ast::ObjectProp<'_>) -> std::ops::Range<usize> {
    let r = match &prop.name {
        ast::ObjectPropName::String(s) => s.range,
        ast::ObjectPropName::Word(w) => w.range,
    };
    r.start..r.end
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one parse must build exactly the value serde_json builds, and
    /// refuse exactly what it refuses.
    #[test]
    fn the_single_parse_matches_serde_json_and_notes_duplicates() {
        let cases: &[(&str, bool)] = &[
            (r#"{"id": "/a", "instances": 2, "cpus": 0.5, "mem": -1e3}"#, false),
            (r#"{"a": 1, "b": {"c": [1, 2, {"d": null}]}, "e": true}"#, false),
            (
                r#"{"big": 99999999999999999999, "neg": -9223372036854775808, "u": 18446744073709551615}"#,
                false,
            ),
            (r#"{"s": "\u00e9\ud83d\ude00\n\t\"", "n": 1.5e-7}"#, false),
            (r#"[{"id": "/x"}, {"id": "/y"}]"#, false),
            (r#"{"id": "/a", "id": "/b"}"#, true),
            (r#"{"x": [{"k": 1, "k": 2}]}"#, true),
            (r#"{"a": {"b": 1}, "c": {"b": 2}}"#, false),
            ("{\"bad\": \"\u{1}\"}", false),
            (r#"{"lone": "\ud800"}"#, false),
            (r#"{"huge": 1e400}"#, false),
            (r#"{"a": 1,}"#, false),
            (r#"{"a": 1} trailing"#, false),
        ];
        for &(json, duplicates) in cases {
            let mut noted = false;
            let ours = value_noting_duplicates(json, &mut noted);
            let serde = serde_json::from_str::<serde_json::Value>(json);
            match (&ours, &serde) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{json}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{json}"),
                _ => panic!("{json}: ours {ours:?}, serde_json {serde:?}"),
            }
            if ours.is_ok() {
                assert_eq!(noted, duplicates, "{json}");
            }
        }
    }

    #[test]
    fn spans_are_built_only_when_asked_for() {
        let (parsed, warnings) = parse(r#"{"id": "/a", "cpus": 1}"#).unwrap();
        assert!(warnings.is_empty());
        assert!(parsed.ast.get().is_none(), "a clean parse builds no span tree");
        // Looking up a span scans the text; it builds no tree either.
        assert_eq!(parsed.span_of("/cpus", Target::Value), Some(21..22));
        assert!(parsed.ast.get().is_none());
        assert!(parsed.ast().is_some());
        assert_eq!(parsed.span_of("/cpus", Target::Value), Some(21..22));
    }

    #[test]
    fn duplicate_keys_are_still_reported_with_their_place() {
        let (_, warnings) = parse("{\"id\": \"/a\",\n \"id\": \"/b\"}").unwrap();
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].rule, "json-duplicate-key");
        assert_eq!(warnings[0].span, Some(14..18));
    }
}
