//! `parse::decode` on arbitrary bytes, then the span-preserving parser on the
//! text it gives. Valid UTF-8 decodes unchanged, anything else lossily with a
//! located diagnostic. Beyond not panicking: diagnostics are located inside the
//! text; a document serde_json accepts is accepted (Marathon would take it);
//! and every value's span holds that value.
#![no_main]

use fuzz_invariants::check_span;
use libfuzzer_sys::fuzz_target;
use marathon_lint::diagnostic::Target;
use marathon_lint::parse::{self, Parsed};
use serde_json::Value;

fuzz_target!(|bytes: &[u8]| {
    let (text, diagnostic) = parse::decode(bytes.to_vec());
    match std::str::from_utf8(bytes) {
        Ok(valid) => {
            assert_eq!(text, valid);
            assert!(diagnostic.is_none());
        }
        Err(_) => {
            assert_eq!(text, String::from_utf8_lossy(bytes));
            let diagnostic = diagnostic.expect("invalid UTF-8 is reported");
            check_span(&text, diagnostic.span.as_ref().expect("a span"), &diagnostic.rule);
        }
    }
    let text = text.as_str();
    match parse::parse(text) {
        Ok((parsed, warnings)) => {
            for d in &warnings {
                check_span(text, d.span.as_ref().expect("warnings are located"), &d.rule);
            }
            let mut found = Vec::new();
            check_value(text, &parsed, &parsed.value, String::new(), &mut found);
            // Those spans came from scanning the text (small files) or the
            // span tree: the tree must agree with every one.
            if let Some(tree) = parsed.ast() {
                let shift = parsed.offset;
                for (pointer, target, span) in found {
                    let expected = parse::locate(tree, &pointer, target).map(|r| r.start + shift..r.end + shift);
                    assert_eq!(Some(span), expected, "{pointer:?} {target:?}");
                }
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "a rejected text gets a reason");
            for d in &errors {
                check_span(text, d.span.as_ref().expect("syntax errors are located"), &d.rule);
            }
            let json = text.strip_prefix('\u{feff}').unwrap_or(text);
            assert!(
                serde_json::from_str::<Value>(json).is_err(),
                "strict JSON rejected: {:?}",
                errors.iter().map(|d| &d.message).collect::<Vec<_>>()
            );
        }
    }
});

/// The span of the value at `pointer` parses back to that value. Every span
/// found is added to `found`.
fn check_value(
    text: &str,
    parsed: &Parsed<'_>,
    value: &Value,
    pointer: String,
    found: &mut Vec<(String, Target, std::ops::Range<usize>)>,
) {
    let span = parsed
        .span_of(&pointer, Target::Value)
        .unwrap_or_else(|| panic!("no span for {pointer:?}"));
    check_span(text, &span, &pointer);
    found.push((pointer.clone(), Target::Value, span.clone()));
    // Parsed back as the linter parses (serde_json's own `Value` reads a key
    // named `$serde_json::private::RawValue` as a raw value).
    let (reparsed, _) = parse::parse(&text[span.clone()]).expect("a value's span is JSON");
    assert_eq!(&reparsed.value, value, "span {span:?} of {pointer:?}");
    let escape = |k: &str| k.replace('~', "~0").replace('/', "~1");
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_pointer = format!("{pointer}/{}", escape(key));
                let key_span = parsed.span_of(&child_pointer, Target::Key).expect("a key span");
                check_span(text, &key_span, &child_pointer);
                found.push((child_pointer.clone(), Target::Key, key_span));
                check_value(text, parsed, child, child_pointer, found);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                check_value(text, parsed, child, format!("{pointer}/{i}"), found);
            }
        }
        _ => {}
    }
}
