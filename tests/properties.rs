//! Property tests: whatever a file holds (random JSON shaped a bit like an
//! app, the same JSON damaged, or random bytes), linting it does not panic,
//! every diagnostic's span lies inside the file on character boundaries, and
//! the JSON output's line and column match the span. Positions are recomputed
//! here from the text, independently of `SourceFile::line_col`.

use marathon_lint::diagnostic::FileReport;
use marathon_lint::lint::{finish_run, Linter};
use marathon_lint::report::{human::HumanRenderer, json};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Keys an app or group has, so that the schema and the rules fire; plus a
/// few that are near misses or carry multi-byte characters.
const KEYS: &[&str] = &[
    "id",
    "cmd",
    "args",
    "container",
    "docker",
    "image",
    "type",
    "network",
    "networks",
    "mode",
    "name",
    "portMappings",
    "containerPort",
    "hostPort",
    "servicePort",
    "protocol",
    "ports",
    "portDefinitions",
    "port",
    "requirePorts",
    "instances",
    "cpus",
    "mem",
    "disk",
    "apps",
    "groups",
    "dependencies",
    "healthChecks",
    "labels",
    "env",
    "constraints",
    "upgradeStrategy",
    "minimumHealthCapacity",
    "maximumOverCapacity",
    "volumes",
    "ipAddress",
    "secrets",
    "acceptedResourceRoles",
    "contraints",
    "ïd",
    "名前",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(KEYS).prop_map(str::to_string),
        1 => "\\PC{0,8}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (0u64..70_000).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(Value::from),
        prop::sample::select(
            &[
                "/app",
                "/a/b",
                "BRIDGE",
                "USER",
                "HOST",
                "DOCKER",
                "nginx",
                "nginx:1.25",
                "tcp",
                "é✓𝄞",
                "",
                "../x"
            ][..]
        )
        .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..7)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A JSON document as a file might hold it: compact or pretty.
fn json_text() -> impl Strategy<Value = String> {
    (json_value(), any::<bool>()).prop_map(|(value, pretty)| {
        if pretty {
            serde_json::to_string_pretty(&value).unwrap()
        } else {
            value.to_string()
        }
    })
}

/// 1-based line and column (in characters) of a byte offset; a leading
/// byte-order mark is not a column (editors do not show it).
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let columns = before[line_start..].chars().count();
    let bom = usize::from(line_start == 0 && before.starts_with('\u{feff}'));
    (line, columns - bom + 1)
}

fn lint(bytes: Vec<u8>) -> Vec<FileReport> {
    finish_run(vec![Linter::default().lint_bytes("app.json", bytes)])
}

fn check(reports: &[FileReport]) -> Result<(), TestCaseError> {
    let mut positions = json::diagnostics(reports).into_iter();
    for report in reports {
        let text = &report.file.text;
        for d in &report.diagnostics {
            let j = positions.next().expect("one JSON diagnostic per diagnostic");
            let spans = d.span.iter().chain(d.related.iter().filter_map(|r| r.span.as_ref()));
            for span in spans {
                prop_assert!(
                    span.start <= span.end && span.end <= text.len(),
                    "{}: span {span:?} outside {} bytes",
                    d.rule,
                    text.len()
                );
                prop_assert!(
                    text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                    "{}: span {span:?} splits a character",
                    d.rule
                );
            }
            let span = d.span.clone().unwrap_or(0..0);
            prop_assert_eq!((j.offset, j.end_offset), (span.start, span.end));
            prop_assert_eq!((j.line, j.column), line_col(text, span.start), "start of {}", d.rule);
            prop_assert_eq!(
                (j.end_line, j.end_column),
                line_col(text, span.end),
                "end of {}",
                d.rule
            );
        }
    }
    prop_assert!(positions.next().is_none());
    // The human renderer draws code frames from the spans: it must not panic.
    let mut out = String::new();
    for report in reports {
        HumanRenderer::new(false, Some(100)).render(report, &mut out);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_json_lints_with_valid_positions(text in json_text()) {
        check(&lint(text.into_bytes()))?;
    }

    /// The same documents with one byte range cut out and a character put in
    /// its place: mostly syntax errors, located anywhere.
    #[test]
    fn damaged_json_lints_with_valid_positions(
        text in json_text(),
        cut in any::<prop::sample::Index>(),
        len in 0usize..4,
        insert in prop::sample::select(&["", ",", "}", "]", "\"", "//", "/*", "é", "\u{feff}", "\n", "'", "{{"][..]),
    ) {
        let mut bytes = text.into_bytes();
        let at = cut.index(bytes.len() + 1);
        let end = (at + len).min(bytes.len());
        bytes.splice(at..end, insert.bytes());
        check(&lint(bytes))?;
    }

    #[test]
    fn random_bytes_lint_with_valid_positions(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        check(&lint(bytes))?;
    }
}
