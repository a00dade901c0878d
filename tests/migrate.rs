//! `marathon-lint migrate`: 1.4 networking to the 1.5+ form, as text edits.

mod common;

use common::run_in;

#[test]
fn migrate_rewrites_a_legacy_app_and_diff_only_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = "{\n  \"id\": \"/payments/api\",\n  \"ipAddress\": {\"networkName\": \"calico\"},\n  \"ports\": [],\n  \"container\": {\n    \"type\": \"DOCKER\",\n    \"docker\": {\"image\": \"payments/api:4.2.1\", \"network\": \"USER\",\n      \"portMappings\": [{\"containerPort\": 8080, \"name\": \"http\"}]}\n  }\n}\n";
    std::fs::write(dir.path().join("api.json"), legacy).unwrap();
    let diff = run_in(dir.path(), &["migrate", "--diff", "api.json"], None);
    assert_eq!(diff.code, 1);
    assert!(
        diff.stdout.starts_with("--- a/api.json\n+++ b/api.json\n"),
        "{}",
        diff.stdout
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("api.json")).unwrap(),
        legacy,
        "--diff wrote the file"
    );

    let run = run_in(dir.path(), &["migrate", "api.json"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let migrated = std::fs::read_to_string(dir.path().join("api.json")).unwrap();
    assert_eq!(
        migrated,
        "{\n  \"id\": \"/payments/api\",\n  \"container\": {\n    \"type\": \"DOCKER\",\n    \"docker\": {\"image\": \"payments/api:4.2.1\"},\n    \"portMappings\": [{\"containerPort\": 8080, \"name\": \"http\"}]\n  },\n  \"networks\": [{\"mode\": \"container\", \"name\": \"calico\"}]\n}\n"
    );
    // Nothing legacy is left, and the 1.5 linter is content.
    let lint = run_in(
        dir.path(),
        &["--format", "json", "--marathon-version", "1.5", "api.json"],
        None,
    );
    let rules: Vec<String> = lint.rules().into_iter().map(|(r, _)| r).collect();
    assert!(!rules.iter().any(|r| r == "legacy-networking"), "{rules:?}");
    assert_eq!(
        run_in(dir.path(), &["migrate", "--diff", "api.json"], None).stdout,
        "",
        "idempotent"
    );
}

#[test]
fn the_realworld_corpus_migrates_without_breaking_or_adding_errors() {
    let Some((dir, copy, originals)) = common::copy_realworld() else {
        eprintln!("SKIPPED: ../shared/corpus/realworld is absent (fresh clone); nothing to check");
        return;
    };
    let lint = |dir: &std::path::Path| run_in(dir, &["--format", "json", "--marathon-version", "1.5", "corpus"], None);
    let before = lint(dir.path());
    let legacy_before = before.rules().iter().filter(|(r, _)| r == "legacy-networking").count();
    let run = run_in(dir.path(), &["migrate", "corpus"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let after = lint(dir.path());
    let legacy_after = after.rules().iter().filter(|(r, _)| r == "legacy-networking").count();
    assert!(
        legacy_before > 100 && legacy_after < legacy_before / 10,
        "{legacy_before} -> {legacy_after}"
    );
    let (before, after) = (common::errors(&before), common::errors(&after));
    for (key, count) in &after {
        assert!(
            before.get(key).is_some_and(|b| count <= b),
            "migration added errors: {key:?} ({count})"
        );
    }
    for (path, bytes) in &originals {
        let migrated = std::fs::read(copy.join(path.file_name().unwrap())).unwrap();
        if serde_json::from_slice::<serde_json::Value>(bytes).is_ok() {
            assert!(
                serde_json::from_slice::<serde_json::Value>(&migrated).is_ok(),
                "{} no longer parses",
                path.display()
            );
        } else {
            assert_eq!(
                &migrated,
                bytes,
                "{} has a syntax error and must be left alone",
                path.display()
            );
        }
        assert_eq!(
            &std::fs::read(path).unwrap(),
            bytes,
            "the shared corpus itself was changed"
        );
    }
    assert!(
        run_in(dir.path(), &["migrate", "--diff", "corpus"], None)
            .stdout
            .is_empty(),
        "not idempotent"
    );
}
