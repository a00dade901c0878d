//! Parse a file into a JSON value plus a span tree, turning every way the text
//! can fail to be strict JSON into a located, specific diagnostic.

mod spans;
mod syntax;

pub use spans::{find, locate};

use jsonc_parser::ast;
use jsonc_parser::{CollectOptions, ParseOptions};

use crate::diagnostic::{pointer_join, Diagnostic, Target};

/// The UTF-8 byte-order mark. Jackson (and so Marathon) skips it, so we do too.
const BOM: &str = "\u{feff}";

/// A successfully parsed document.
pub struct Parsed<'t> {
    /// Span tree of the document (spans are relative to `text[offset..]`).
    pub ast: ast::Value<'t>,
    /// The document as Marathon reads it: for duplicate keys the last wins.
    pub value: serde_json::Value,
    /// Bytes skipped before the JSON text (a byte-order mark).
    pub offset: usize,
}

impl Parsed<'_> {
    /// Byte range in the file of the member at `pointer`.
    pub fn span_of(&self, pointer: &str, target: Target) -> Option<std::ops::Range<usize>> {
        locate(&self.ast, pointer, target).map(|r| r.start + self.offset..r.end + self.offset)
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

    let ast = match jsonc_parser::parse_to_ast(json, &CollectOptions::default(), &strict_options()) {
        Ok(result) => result.value,
        Err(strict_error) => {
            return Err(syntax::explain(json, &strict_error).into_iter().map(shift).collect());
        }
    };
    let Some(ast) = ast else {
        // Only comments or nothing: the strict parser would have failed on
        // comments, so this is unreachable in practice; report it as empty.
        return Err(vec![Diagnostic::at_span(
            "json-empty-file",
            offset..offset,
            "the file holds no JSON value",
        )]);
    };

    // serde_json is stricter than jsonc-parser about a few details (control
    // characters in strings, lone surrogates, numbers beyond f64); it also
    // builds the value Marathon would see.
    let value: serde_json::Value = match serde_json::from_str(json) {
        Ok(value) => value,
        Err(err) => return Err(vec![shift(syntax::from_serde_error(json, &err))]),
    };

    let mut warnings = Vec::new();
    // Building every member's pointer is most of a clean file's parse time;
    // only a file that has a duplicate pays for it.
    if has_duplicate_keys(&ast) {
        duplicate_keys(&ast, "", &mut warnings);
    }
    Ok((Parsed { ast, value, offset }, warnings.into_iter().map(shift).collect()))
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

/// Whether any object repeats a key: the cheap walk that runs on every file,
/// without pointers or allocation per member.
fn has_duplicate_keys(value: &ast::Value<'_>) -> bool {
    let mut stack = vec![value];
    let mut names: Vec<&str> = Vec::new();
    while let Some(value) = stack.pop() {
        match value {
            ast::Value::Object(object) => {
                names.clear();
                names.extend(object.properties.iter().map(|p| p.name.as_str()));
                names.sort_unstable();
                if names.windows(2).any(|w| w[0] == w[1]) {
                    return true;
                }
                stack.extend(object.properties.iter().map(|p| &p.value));
            }
            ast::Value::Array(array) => stack.extend(array.elements.iter()),
            _ => {}
        }
    }
    false
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
