//! Inputs the fuzzers (`fuzz/`) found, kept as tests so that what they
//! showed stays true without the fuzzer.

use marathon_lint::diagnostic::Target;
use marathon_lint::lint::{finish_run, Linter};
use marathon_lint::parse;
use marathon_lint::report::json;

/// The `parse` target, in a real-world marathon-lb definition: a key spelled
/// like serde_json's private raw-value marker. serde_json's own `Value`
/// reads such an object as embedded JSON (with its `raw_value` feature, which
/// the span scanner uses); the linter must read it as the ordinary object
/// Marathon sees, and find its members.
#[test]
fn a_key_named_like_serde_jsons_raw_value_marker_is_an_ordinary_key() {
    let text = r#"{
  "id": "/infra/marathon-lb",
  "cmd": "./run",
  "env": {
    "$serde_json::private::RawValue": "redispatch,http-server-close",
    "HAPROXY_SYSCTL_PARAMS": "net.ipv4.tcp_tw_reuse=1"
  }
}"#;
    let (parsed, warnings) = parse::parse(text).expect("it is JSON");
    assert!(warnings.is_empty());
    let env = parsed.value["env"].as_object().expect("env is an object");
    assert_eq!(env["$serde_json::private::RawValue"], "redispatch,http-server-close");
    assert_eq!(env.len(), 2);
    let span = parsed
        .span_of("/env/$serde_json::private::RawValue", Target::Value)
        .expect("the member is found");
    assert_eq!(&text[span], "\"redispatch,http-server-close\"");
    let span = parsed.span_of("/env", Target::Value).expect("env is found");
    let (env_again, _) = parse::parse(&text[span]).unwrap();
    assert_eq!(&env_again.value, &parsed.value["env"]);
    // And the whole lint takes it as any app.
    let reports = finish_run(vec![Linter::default().lint_bytes("lb.json", text.as_bytes().to_vec())]);
    assert!(
        reports[0].diagnostics.iter().all(|d| !d.rule.starts_with("json-")),
        "{:?}",
        reports[0].diagnostics
    );
}

/// The `lint` target: a byte-order mark, then a syntax error on the first
/// line. Columns count from after the mark (it is invisible in editors), in
/// the JSON output as everywhere.
#[test]
fn a_syntax_error_after_a_byte_order_mark_counts_columns_after_it() {
    let text = "\u{feff}  \"id\": \"/a\"\n";
    let reports = finish_run(vec![Linter::default().lint_bytes("a.json", text.as_bytes().to_vec())]);
    let diagnostics = json::diagnostics(&reports);
    let syntax = diagnostics
        .iter()
        .find(|d| d.rule == "json-syntax")
        .expect("a syntax error");
    // `  "id"` then the `:` that makes a second value: byte 9, the 7th
    // character after the mark.
    assert_eq!((syntax.offset, syntax.line, syntax.column), (9, 1, 7));
}
