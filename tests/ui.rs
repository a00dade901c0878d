//! UI tests in the style of clippy and actionlint: each file in `tests/ui/`
//! is linted by the real binary, and its human output (no colour, fixed
//! width) and JSON output are compared with the snapshots checked in beside
//! it (`tests/snapshots/`). A sidecar `<name>.args` holds extra command-line
//! arguments for that fixture. Review changes with `cargo insta review`.

mod common;

#[test]
fn ui_fixtures() {
    insta::glob!("ui/*.json", |path: &std::path::Path| {
        let dir = path.parent().unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let extra = std::fs::read_to_string(path.with_extension("args")).unwrap_or_default();
        let extra: Vec<&str> = extra.split_whitespace().collect();
        let human = common::run_in(dir, &[&["--color", "never", name][..], &extra].concat(), None);
        let json = common::run_in(dir, &[&["--format", "json", name][..], &extra].concat(), None);
        assert_eq!(human.code, json.code);
        let text = format!(
            "arguments: {}\nexit status: {}\n\n{}",
            extra.join(" "),
            human.code,
            human.stdout
        );
        insta::assert_snapshot!("human", text);
        insta::assert_snapshot!("json", json.stdout);
    });
}
