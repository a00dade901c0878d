//! The rule catalogue in `rules/` is the one place a rule is documented:
//! every rule the engine can report has an entry, every entry is well formed,
//! and every example does what it says.

mod common;

use std::collections::BTreeSet;

use marathon_lint::catalogue::{self, Expect};
use marathon_lint::diagnostic::{Diagnostic, Severity};
use marathon_lint::lint::Linter;
use marathon_lint::rules::{self, ENGINE_RULES};

#[test]
fn every_rule_has_exactly_one_entry_and_every_entry_a_rule() {
    let documented: Vec<&str> = catalogue::builtin().iter().map(|r| r.meta.id.as_str()).collect();
    let unique: BTreeSet<&str> = documented.iter().copied().collect();
    assert_eq!(unique.len(), documented.len(), "duplicate ids in rules/");
    let implemented: BTreeSet<&str> = rules::all()
        .map(|r| r.id())
        .chain(ENGINE_RULES.iter().copied())
        .chain(marathon_lint::project_rules::RULES.iter().copied())
        .collect();
    assert_eq!(unique, implemented);
}

#[test]
fn entries_are_well_formed() {
    for rule in catalogue::builtin() {
        let meta = &rule.meta;
        assert_eq!(
            rule.origin,
            format!("rules/{}.md", meta.id),
            "file name must be the rule id"
        );
        assert!(
            !meta.summary.is_empty() && meta.summary.len() <= 100,
            "{}: summary must be one short line",
            meta.id
        );
        for section in ["## What it does", "## Why it matters"] {
            assert!(rule.body.contains(section), "{} lacks `{section}`", meta.id);
        }
        let examples = rule.examples();
        let has_examples = !examples.is_empty();
        if has_examples {
            assert!(
                examples.iter().any(|e| e.expect == Expect::Fail),
                "{} has no failing example",
                meta.id
            );
            assert!(
                examples.iter().any(|e| e.expect == Expect::Pass),
                "{} has no passing example",
                meta.id
            );
        } else {
            // Only rules about the file system cannot be shown as a document.
            assert!(
                [
                    "io-error",
                    "file-too-large",
                    "internal-error",
                    "fix-not-written",
                    "symlink-loop",
                    "config-error",
                    // Between the inputs of `plan`, not in one document.
                    "plan-input"
                ]
                .contains(&meta.id.as_str()),
                "{} has no examples",
                meta.id
            );
        }
    }
}

/// Lint an example as the command line would: one file, or (`files`) several
/// files in one run, with the rules across files.
fn lint_example(example: &catalogue::Example, name: &str, options: rules::RuleOptions) -> Vec<Diagnostic> {
    let linter = Linter::new(options);
    let inputs: Vec<(String, Vec<u8>)> = if example.files {
        let files: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&example.code)
            .unwrap_or_else(|e| panic!("{name}: a `files` example is an object of files: {e}"));
        files
            .into_iter()
            .map(|(file, doc)| (file, serde_json::to_vec_pretty(&doc).unwrap()))
            .collect()
    } else {
        vec![(name.to_string(), example.bytes())]
    };
    let linted = inputs
        .into_iter()
        .map(|(file, bytes)| linter.lint_bytes(&file, bytes))
        .collect();
    let reports = marathon_lint::lint::finish_run(linted);
    reports.into_iter().flat_map(|r| r.diagnostics).collect()
}

#[test]
fn failing_examples_fail_and_passing_examples_pass() {
    let mut checked = 0;
    for rule in catalogue::builtin() {
        for (i, example) in rule.examples().into_iter().enumerate() {
            assert!(
                example.unknown_words.is_empty(),
                "example {i} of {}: unknown tag words {:?}",
                rule.meta.id,
                example.unknown_words
            );
            let options = example
                .rule_options()
                .unwrap_or_else(|e| panic!("example {i} of {}: {e}", rule.meta.id));
            let found = lint_example(&example, &format!("{}#{i}", rule.meta.id), options);
            let fired = found.iter().any(|d| d.rule == rule.meta.id);
            match example.expect {
                Expect::Fail => assert!(
                    fired,
                    "failing example {i} of {} does not trigger it; found {found:#?}",
                    rule.meta.id
                ),
                Expect::Pass => {
                    assert!(
                        !fired,
                        "passing example {i} of {} triggers it: {found:#?}",
                        rule.meta.id
                    );
                    let errors: Vec<_> = found.iter().filter(|d| d.severity == Severity::Error).collect();
                    assert!(
                        errors.is_empty(),
                        "passing example {i} of {} has errors: {errors:#?}",
                        rule.meta.id
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} examples ran");
}
