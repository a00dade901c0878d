//! The baseline: record today's findings, then report and fail only on new
//! ones, through edits elsewhere in the files; stale entries are counted and
//! dropped on request; the configuration may name one.

mod common;

use std::path::Path;

use common::run_in;

fn write(root: &Path, name: &str, text: &str) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const TYPO: &str = "{\n  \"id\": \"/web\",\n  \"cmd\": \"./web\",\n  \"contraints\": [[\"hostname\", \"UNIQUE\"]],\n  \"mem\": \"lots\"\n}\n";
const CLEAN: &str = "{\"id\": \"/ok\", \"cmd\": \"sleep 1000\"}\n";

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), "apps/web.json", TYPO);
    write(dir.path(), "apps/ok.json", CLEAN);
    dir
}

#[test]
fn a_baseline_holds_back_todays_findings_through_unrelated_edits() {
    let dir = repo();
    let root = dir.path();
    let before = run_in(root, &["apps"], None);
    assert_eq!(before.code, 1, "an error and a warning today");
    let written = run_in(root, &["--write-baseline", "baseline.json", "apps"], None);
    assert_eq!(written.code, 0, "{}", written.stderr);
    let text = std::fs::read_to_string(root.join("baseline.json")).unwrap();
    assert!(
        text.contains(r#""file":"apps/web.json","rule":"schema-violation","pointer":"/mem""#),
        "{text}"
    );
    assert!(
        text.contains(r#""rule":"unknown-field","pointer":"/contraints""#),
        "{text}"
    );
    assert!(!text.contains("line"), "no line numbers: {text}");
    // Written again, it is byte for byte the same (sorted, stable).
    run_in(root, &["--write-baseline", "baseline.json", "apps"], None);
    assert_eq!(std::fs::read_to_string(root.join("baseline.json")).unwrap(), text);

    let held = run_in(root, &["--format", "json", "--baseline", "baseline.json", "apps"], None);
    assert_eq!(held.code, 0, "{}", held.stdout);
    assert_eq!(held.json()["diagnostics"], serde_json::json!([]));
    assert!(
        held.stderr.contains("baseline: 2 known findings not reported"),
        "{}",
        held.stderr
    );

    // Lines added above and a field changed elsewhere: still the same findings.
    let edited = TYPO.replace("{\n", "{\n  \"instances\": 2,\n  \"cpus\": 0.5,\n");
    write(root, "apps/web.json", &edited);
    assert_eq!(run_in(root, &["--baseline", "baseline.json", "apps"], None).code, 0);

    // A new problem is reported, and only it.
    write(
        root,
        "apps/web.json",
        &edited.replace("\"cpus\": 0.5", "\"cpus\": \"half\""),
    );
    let new = run_in(root, &["--format", "json", "--baseline", "baseline.json", "apps"], None);
    assert_eq!(new.code, 1);
    let report = new.json();
    let pointers: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, vec!["/cpus"]);
}

#[test]
fn stale_entries_are_counted_and_dropped_on_request() {
    let dir = repo();
    let root = dir.path();
    run_in(root, &["--write-baseline", "baseline.json", "apps"], None);
    // The typo is fixed: its entry no longer matches.
    write(root, "apps/web.json", &TYPO.replace("contraints", "constraints"));
    let run = run_in(root, &["--baseline", "baseline.json", "apps"], None);
    assert_eq!(run.code, 0);
    assert!(run.stderr.contains("1 entry no longer match"), "{}", run.stderr);
    // A pre-commit run on another file says nothing of this one's entries.
    let other = run_in(root, &["--baseline", "baseline.json", "apps/ok.json"], None);
    assert!(!other.stderr.contains("no longer match"), "{}", other.stderr);
    // Rewriting drops the stale entry and accepts nothing new.
    write(
        root,
        "apps/new.json",
        "{\"id\": \"/new\", \"cmd\": \"x\", \"instances\": \"2\"}",
    );
    let shrunk = run_in(
        root,
        &[
            "--baseline",
            "baseline.json",
            "--write-baseline",
            "baseline.json",
            "apps",
        ],
        None,
    );
    assert_eq!(shrunk.code, 0, "{}", shrunk.stderr);
    let text = std::fs::read_to_string(root.join("baseline.json")).unwrap();
    assert!(
        !text.contains("contraints") && text.contains("/mem") && !text.contains("apps/new.json"),
        "{text}"
    );
    assert_eq!(
        run_in(root, &["--baseline", "baseline.json", "apps"], None).code,
        1,
        "the new file still fails"
    );
}

#[test]
fn the_configuration_names_a_baseline_relative_to_itself() {
    let dir = repo();
    let root = dir.path();
    std::fs::create_dir(root.join("lint")).unwrap();
    run_in(root, &["--write-baseline", "lint/baseline.json", "apps"], None);
    write(root, "marathon-lint.toml", "baseline = \"lint/baseline.json\"\n");
    // From another directory too: files are named relative to the baseline.
    assert_eq!(run_in(&root.join("apps"), &["."], None).code, 0);
    assert_eq!(run_in(root, &["apps"], None).code, 0);
    write(
        root,
        "lint/baseline.json",
        "{\"version\": 1, \"entries\": [{\"file\": 3}]}",
    );
    let broken = run_in(root, &["--format", "json", "apps"], None);
    assert_eq!(broken.code, 2);
    let d = &broken.json()["diagnostics"][0];
    assert_eq!(d["rule"], "config-error");
    assert!(d["file"].as_str().unwrap().ends_with("baseline.json"), "{d}");
}

#[test]
fn sarif_marks_what_the_baseline_holds() {
    let dir = repo();
    let root = dir.path();
    run_in(root, &["--write-baseline", "baseline.json", "apps"], None);
    write(
        root,
        "apps/new.json",
        "{\"id\": \"/new\", \"cmd\": \"x\", \"instances\": \"2\"}",
    );
    let run = run_in(
        root,
        &["--format", "sarif", "--baseline", "baseline.json", "apps"],
        None,
    );
    assert_eq!(run.code, 1, "the new file's error fails the run");
    let sarif = run.json();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let states: Vec<(&str, &str)> = results
        .iter()
        .map(|r| (r["ruleId"].as_str().unwrap(), r["baselineState"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        vec![
            ("cmd-too-short", "new"),
            ("schema-violation", "new"),
            ("unknown-field", "unchanged"),
            ("schema-violation", "unchanged")
        ]
    );
    // Only what the baseline holds: the run passes.
    std::fs::remove_file(root.join("apps/new.json")).unwrap();
    assert_eq!(
        run_in(
            root,
            &["--format", "sarif", "--baseline", "baseline.json", "apps"],
            None
        )
        .code,
        0
    );
}

#[test]
fn review_cases_paths_rules_across_files_syntax_and_empty_baselines() {
    let dir = repo();
    let root = dir.path();
    run_in(root, &["--write-baseline", "baseline.json", "apps"], None);
    // A path through `..` names the same baseline.
    assert_eq!(
        run_in(&root.join("apps"), &["--baseline", "../baseline.json", "."], None).code,
        0
    );

    // Rules across files name the other file's line: known by rule and place.
    write(root, "apps/a.json", "{\"id\": \"/dup\", \"cmd\": \"sleep 100\"}\n");
    write(root, "apps/b.json", "{\"id\": \"/dup\", \"cmd\": \"sleep 100\"}\n");
    run_in(root, &["--write-baseline", "baseline.json", "apps"], None);
    write(root, "apps/a.json", "\n\n{\"id\": \"/dup\", \"cmd\": \"sleep 100\"}\n");
    let moved = run_in(root, &["--baseline", "baseline.json", "./apps"], None);
    assert_eq!(moved.code, 0, "{}", moved.stdout);

    // A syntax error is never baselined: it stops every other check.
    write(root, "apps/broken.json", "{\"id\": \"/b\", \"cmd\": \"sleep 100\",}");
    run_in(root, &["--write-baseline", "baseline.json", "apps"], None);
    let text = std::fs::read_to_string(root.join("baseline.json")).unwrap();
    assert!(!text.contains("json-trailing-comma"), "{text}");
    std::fs::remove_file(root.join("apps/broken.json")).unwrap();

    // Rewriting an empty baseline accepts nothing new either.
    std::fs::write(root.join("empty.json"), "{\"version\": 1, \"entries\": []}").unwrap();
    run_in(
        root,
        &["--baseline", "empty.json", "--write-baseline", "empty.json", "apps"],
        None,
    );
    let text = std::fs::read_to_string(root.join("empty.json")).unwrap();
    assert!(!text.contains("\"file\""), "{text}");
}
