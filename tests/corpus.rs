//! The linter never crashes on real-world files, and every file either parses
//! or gets a located syntax diagnostic. The corpora live in `../shared/`, which
//! a fresh clone does not have: then these tests say so and pass.

mod common;

use marathon_lint::lint::Linter;

const SYNTAX_RULES: &[&str] = &[
    "json-syntax",
    "json-comment",
    "json-trailing-comma",
    "json-single-quotes",
    "json-unquoted-key",
    "json-invalid-utf8",
    "json-empty-file",
];

#[test]
fn realworld_corpus_lints_without_panics_and_syntax_errors_are_located() {
    let Some(shared) = common::shared_dir() else {
        eprintln!("SKIPPED: ../shared/corpus/realworld is absent (fresh clone); nothing to check");
        return;
    };
    let dir = shared.join("corpus/realworld");
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    let linter = Linter::default();
    let mut linted = 0;
    for line in manifest.lines().skip(1) {
        let columns: Vec<&str> = line.split('\t').collect();
        let (file, valid_json) = (columns[0], columns[6]);
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let len = bytes.len();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| linter.lint_bytes(file, bytes)));
        let report = result.unwrap_or_else(|_| panic!("linting {file} panicked")).report;
        let syntax: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| SYNTAX_RULES.contains(&d.rule.as_str()))
            .collect();
        // A template whose placeholders stand where values do is read, not
        // reported; one that cannot be read as JSON says so instead.
        let text = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        let template = marathon_lint::template::scan(&text);
        let read_as_template = template.text.is_some() || template.not_lintable.is_some();
        if valid_json == "yes" {
            assert!(syntax.is_empty(), "{file} is valid JSON but got {syntax:#?}");
        } else if template.not_lintable.is_some() {
            assert!(
                report.diagnostics.iter().any(|d| d.rule == "template-not-lintable"),
                "{file} is a template that is not JSON, but is not reported as one"
            );
        } else if !read_as_template {
            assert!(
                !syntax.is_empty(),
                "{file} is not valid JSON but got no syntax diagnostic"
            );
        }
        for d in &report.diagnostics {
            let span = d
                .span
                .clone()
                .unwrap_or_else(|| panic!("{file}: {} has no location", d.rule));
            // No template placeholder is a syntax or schema error (issue 14).
            if SYNTAX_RULES.contains(&d.rule.as_str()) || d.rule == "schema-violation" {
                let at = report.file.text.get(span.clone()).unwrap_or("");
                let placeholder = at.contains("${") || at.contains("{{") || at.trim_start_matches('"').starts_with('$');
                assert!(
                    !placeholder,
                    "{file}: a template placeholder is reported as {}: {at:?}: {}",
                    d.rule, d.message
                );
            }
            assert!(
                span.start <= span.end && span.end <= len,
                "{file}: span {span:?} outside the file"
            );
            assert!(report.file.text.is_char_boundary(span.start) && report.file.text.is_char_boundary(span.end));
        }
        linted += 1;
    }
    assert!(linted >= 170, "only {linted} corpus files listed");
}

#[test]
fn the_binary_survives_the_whole_corpus_directory() {
    let Some(shared) = common::shared_dir() else {
        eprintln!("SKIPPED: ../shared/corpus is absent (fresh clone); nothing to check");
        return;
    };
    let run = common::run(&["--format", "json", shared.join("corpus").to_str().unwrap()]);
    assert!(run.code == 0 || run.code == 1, "exit {}: {}", run.code, run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(!run.json()["diagnostics"].as_array().unwrap().is_empty());
}
