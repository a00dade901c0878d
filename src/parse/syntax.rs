//! Turn a strict-parse failure into specific diagnostics.
//!
//! People paste JSON with comments, trailing commas, single quotes and bare
//! keys; Marathon rejects all of them. A lenient re-parse finds every such
//! spot at once, so the user fixes the file in one pass instead of one error
//! per run.

use jsonc_parser::ast;
use jsonc_parser::errors::{ParseError, ParseErrorKind};
use jsonc_parser::tokens::Token;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};

use crate::diagnostic::Diagnostic;

pub fn explain(json: &str, strict_error: &ParseError) -> Vec<Diagnostic> {
    let lenient = ParseOptions {
        allow_comments: true,
        allow_loose_object_property_names: true,
        allow_trailing_commas: true,
        allow_missing_commas: false,
        allow_single_quoted_strings: true,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::AsTokens,
        tokens: true,
    };
    let mut found = Vec::new();
    if let Ok(result) = jsonc_parser::parse_to_ast(json, &collect, &lenient) {
        let tokens = result.tokens.unwrap_or_default();
        lenient_findings(json, &tokens, &mut found);
        if let Some(value) = &result.value {
            unquoted_keys(value, &mut found);
        }
    }
    if found.is_empty() {
        found.push(from_strict_error(json, strict_error));
    }
    found.sort_by_key(|d| d.span.as_ref().map(|s| s.start));
    found
}

fn lenient_findings(json: &str, tokens: &[jsonc_parser::tokens::TokenAndRange<'_>], out: &mut Vec<Diagnostic>) {
    let is_comment = |t: &Token<'_>| matches!(t, Token::CommentLine(_) | Token::CommentBlock(_));
    for (i, token) in tokens.iter().enumerate() {
        let span = token.range.start..token.range.end;
        match &token.token {
            Token::CommentLine(_) | Token::CommentBlock(_) => {
                let kind = if matches!(token.token, Token::CommentLine(_)) {
                    "//"
                } else {
                    "/* */"
                };
                out.push(
                    Diagnostic::at_span("json-comment", span, format!("JSON does not allow comments: Marathon rejects a file with this {kind} comment"))
                        .label("comment")
                        .help("delete the comment; to keep the note with the app, put it in a label, e.g. \"labels\": {\"note\": \"...\"}"),
                );
            }
            Token::Comma => {
                let next = tokens[i + 1..].iter().find(|t| !is_comment(&t.token));
                if let Some(next) = next {
                    let closer = match next.token {
                        Token::CloseBrace => Some("}"),
                        Token::CloseBracket => Some("]"),
                        _ => None,
                    };
                    if let Some(closer) = closer {
                        out.push(
                            Diagnostic::at_span("json-trailing-comma", span, format!("trailing comma before `{closer}`: JSON does not allow a comma after the last element"))
                                .label("remove this comma")
                                .help("delete the comma after the last element"),
                        );
                    }
                }
            }
            Token::String(_) if json.as_bytes().get(token.range.start) == Some(&b'\'') => {
                out.push(
                    Diagnostic::at_span(
                        "json-single-quotes",
                        span,
                        "JSON strings must use double quotes, not single quotes",
                    )
                    .label("single-quoted string")
                    .help("replace the single quotes with double quotes (and escape any double quote inside)"),
                );
            }
            _ => {}
        }
    }
}

fn unquoted_keys(value: &ast::Value<'_>, out: &mut Vec<Diagnostic>) {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            ast::Value::Object(object) => {
                for prop in &object.properties {
                    if let ast::ObjectPropName::Word(word) = &prop.name {
                        out.push(
                            Diagnostic::at_span(
                                "json-unquoted-key",
                                word.range.start..word.range.end,
                                format!(
                                    "object key `{}` is not quoted: JSON keys must be double-quoted strings",
                                    word.value
                                ),
                            )
                            .label("unquoted key")
                            .help(format!("write it as \"{}\"", word.value)),
                        );
                    }
                    stack.push(&prop.value);
                }
            }
            ast::Value::Array(array) => stack.extend(array.elements.iter()),
            _ => {}
        }
    }
}

/// A plain-words message for the first strict error when it is not one of the
/// common pasting mistakes.
fn from_strict_error(json: &str, error: &ParseError) -> Diagnostic {
    let range = error.range();
    let found = json.get(range.start..range.end).unwrap_or("").trim();
    // `{{` parses as an object start followed by a stray `{`: back up to the
    // placeholder's real start.
    let mut start = range.start;
    if json.get(start..).is_some_and(|t| t.starts_with('{')) && json.get(..start).is_some_and(|t| t.ends_with('{')) {
        start -= 1;
    }
    let at = json.get(start..).unwrap_or("");
    let (message, label, help): (String, &str, &str) = match error.kind() {
        _ if looks_like_template(at) => (
            format!(
                "unexpected `{}`: this looks like a template placeholder, which is not JSON",
                placeholder(at)
            ),
            "template placeholder",
            "lint the rendered file that is sent to Marathon, not the template",
        ),
        _ if at.starts_with(is_stray_control) => (
            format!(
                "unexpected control character {}: JSON allows only spaces, tabs and line breaks between values",
                describe_control(at)
            ),
            "control character",
            "delete it; a NUL or other control byte usually means the file is binary, truncated or not UTF-8 text",
        ),
        ParseErrorKind::ExpectedComma => (
            "expected a comma between two elements".into(),
            "a comma is missing before this",
            "add a comma after the previous value",
        ),
        ParseErrorKind::ExpectedColonAfterObjectKey => (
            "expected `:` after an object key".into(),
            "expected `:` here",
            "write the member as \"key\": value",
        ),
        ParseErrorKind::ExpectedObjectValue => (
            "expected a value after `:`".into(),
            "value missing",
            "give the key a value, or delete the key",
        ),
        ParseErrorKind::UnexpectedWord => (
            format!(
                "unexpected word `{found}`: a JSON value must be a string, number, true, false, null, object or array"
            ),
            "not a JSON value",
            "quote it if it is meant as a string",
        ),
        ParseErrorKind::UnterminatedObject => (
            "this object is never closed".into(),
            "object starts here",
            "add the missing `}`",
        ),
        ParseErrorKind::UnterminatedArray => (
            "this array is never closed".into(),
            "array starts here",
            "add the missing `]`",
        ),
        ParseErrorKind::UnterminatedCommentBlock => (
            "unterminated /* comment (and JSON does not allow comments)".into(),
            "comment starts here",
            "delete the comment",
        ),
        ParseErrorKind::MultipleRootJsonValues => (
            "more than one JSON value in the file".into(),
            "second value starts here",
            "wrap several apps in a JSON array or a group, or split them into files",
        ),
        ParseErrorKind::NestingDepthExceeded => (
            "the document is nested too deeply to be an app definition (more than 512 levels)".into(),
            "too deep here",
            "check the file is the app definition you meant to lint",
        ),
        ParseErrorKind::HexadecimalNumbersNotAllowed
        | ParseErrorKind::UnaryPlusNumbersNotAllowed
        | ParseErrorKind::BareDecimalPointNumbersNotAllowed
        | ParseErrorKind::NonFiniteNumbersNotAllowed => (
            format!("`{found}` is not a JSON number"),
            "invalid number",
            "write a plain decimal number such as 0.5, 10 or 1e3",
        ),
        kind => (
            format!("invalid JSON: {}", lowercase_first(&kind.to_string())),
            "here",
            "fix the JSON syntax at this spot",
        ),
    };
    let span = if looks_like_template(at) {
        start..start + placeholder(at).len()
    } else {
        range.start..range.end.max(range.start)
    };
    Diagnostic::at_span("json-syntax", span, message)
        .label(label)
        .help(help)
}

/// Go/Jinja/Mustache (`{{ }}`, `{% %}`), ERB (`<% %>`) and shell (`${ }`)
/// placeholders, as found where a JSON value or key should start.
fn looks_like_template(at: &str) -> bool {
    ["{{", "{%", "<%", "${", "$"].iter().any(|open| at.starts_with(open))
}

/// The placeholder at the start of `at`, up to its closing delimiter (or the
/// end of the line when it is never closed).
fn placeholder(at: &str) -> &str {
    let line = &at[..at.find('\n').unwrap_or(at.len())];
    let close = [("{{", "}}"), ("{%", "%}"), ("<%", "%>"), ("${", "}")]
        .iter()
        .find(|(open, _)| line.starts_with(open))
        .map(|(open, close)| line[open.len()..].find(close).map(|i| open.len() + i + close.len()));
    let end = match close {
        Some(Some(end)) => end,
        Some(None) => line.len(),
        // `$NAME`
        None => {
            1 + line[1..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(line.len() - 1)
        }
    };
    &line[..end]
}

/// A control character JSON never allows outside a string (tab and line
/// breaks are whitespace).
fn is_stray_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// `U+0000 (NUL)` for the character starting `at`: named, since it is
/// invisible in the code frame.
fn describe_control(at: &str) -> String {
    let c = at.chars().next().unwrap_or('\0');
    let name = if c == '\0' { " (NUL)" } else { "" };
    format!("U+{:04X}{name}", c as u32)
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// serde_json found a problem jsonc-parser accepted; it reports line and
/// column, which we turn back into a byte offset.
pub fn from_serde_error(json: &str, err: &serde_json::Error) -> Diagnostic {
    let offset = offset_of(json, err.line(), err.column());
    let text = err.to_string();
    // serde_json appends " at line L column C"; we show the location ourselves.
    let message = text.rsplit_once(" at line ").map_or(text.as_str(), |(m, _)| m);
    let (message, help) = if message.contains("number out of range") {
        (
            "this number is too large to be represented".to_string(),
            "use a number within the range Marathon accepts",
        )
    } else if message.contains("control character") {
        (
            format!(
                "invalid JSON: a raw control character {} inside a string",
                describe_control(&json[offset..])
            ),
            "write it escaped (e.g. \\u0000), or delete it if it is not meant to be there",
        )
    } else if message.contains("recursion limit") {
        (
            "the document is nested too deeply to be an app definition (more than 128 levels)".to_string(),
            "check the file is the app definition you meant to lint",
        )
    } else {
        (format!("invalid JSON: {message}"), "fix the JSON syntax at this spot")
    };
    let mut span = offset..json[offset..].chars().next().map_or(offset, |c| offset + c.len_utf8());
    if message.contains("too large") {
        // serde_json points at the number's last digit: show all of it.
        let is_number = |b: &u8| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E');
        span.start -= json.as_bytes()[..span.start]
            .iter()
            .rev()
            .take_while(|b| is_number(b))
            .count();
        span.end += json.as_bytes()[span.end..].iter().take_while(|b| is_number(b)).count();
    }
    Diagnostic::at_span("json-syntax", span, message)
        .label("here")
        .help(help)
}

/// Byte offset of a 1-based line and column (serde_json counts bytes in the
/// column, and points one past the offending byte).
fn offset_of(json: &str, line: usize, column: usize) -> usize {
    let line_start: usize = json
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let offset = (line_start + column.saturating_sub(1)).min(json.len());
    let mut offset = offset;
    while !json.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
