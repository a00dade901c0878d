//! UI tests in the style of clippy and actionlint: each file in `tests/ui/`
//! is linted by the real binary, and its human output (no colour, fixed
//! width) and JSON output are compared with the snapshots checked in beside
//! it (`tests/snapshots/`). Review changes with `cargo insta review`.

mod common;

#[test]
fn ui_fixtures() {
    insta::glob!("ui/*.json", |path: &std::path::Path| {
        let dir = path.parent().unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let human = common::run_in(dir, &["--color", "never", name], None);
        let json = common::run_in(dir, &["--format", "json", name], None);
        assert_eq!(human.code, json.code);
        let text = format!("exit status: {}\n\n{}", human.code, human.stdout);
        insta::assert_snapshot!("human", text);
        insta::assert_snapshot!("json", json.stdout);
    });
}
