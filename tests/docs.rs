//! docs/rules.md is generated from rules/*.md; it must never drift. After
//! changing a rule entry, regenerate it with
//! `cargo run -- rules --format markdown > docs/rules.md`.

mod common;

#[test]
fn docs_rules_md_matches_the_catalogue() {
    let checked_in = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md")).unwrap();
    let generated = marathon_lint::rule_docs::reference_markdown();
    assert!(
        checked_in == generated,
        "docs/rules.md is stale: run `cargo run -- rules --format markdown > docs/rules.md`"
    );
    // And the command users run prints the same page.
    assert_eq!(common::run(&["rules", "--format", "markdown"]).stdout, generated);
}

#[test]
fn rules_lists_every_rule_as_text_and_json() {
    let text = common::run(&["rules"]);
    assert_eq!(text.code, 0);
    let json = common::run(&["rules", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let listed = doc["rules"].as_array().unwrap();
    assert_eq!(listed.len(), marathon_lint::catalogue::builtin().len());
    for rule in listed {
        let id = rule["id"].as_str().unwrap();
        assert!(
            text.stdout.lines().any(|l| l.starts_with(id)),
            "{id} missing from `rules`"
        );
        for key in ["severity", "category", "summary", "source"] {
            assert!(rule[key].is_string(), "{id} lacks {key}");
        }
    }
}

#[test]
fn rule_prints_the_full_documentation() {
    let page = common::run(&["rule", "pinned-port-rolling-upgrade"]);
    assert_eq!(page.code, 0);
    for part in [
        "# pinned-port-rolling-upgrade",
        "## What it does",
        "## Why it matters",
        "```json fail",
        "```json pass",
        "Mirrors: Marathon:",
    ] {
        assert!(page.stdout.contains(part), "`rule` output lacks {part}");
    }
    let unknown = common::run(&["rule", "pinned-port-rolling-upgrades"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("did you mean `pinned-port-rolling-upgrade`"),
        "{}",
        unknown.stderr
    );
}
