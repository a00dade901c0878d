//! Fixes, clippy-style: each `tests/fixes/NAME.json` is fixed with `--fix`
//! (plus the arguments in `NAME.args`) and must become `NAME.fixed.json`
//! byte for byte; fixing again changes nothing; `--diff` writes nothing.
//! And the whole real-world corpus goes through `--fix --unsafe-fixes`
//! without breaking a file or adding an error.

mod common;

use std::path::{Path, PathBuf};

use common::run_in;

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixes");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json") && !p.to_string_lossy().ends_with(".fixed.json"))
        .collect();
    cases.sort();
    cases
}

fn args_of(case: &Path) -> Vec<String> {
    std::fs::read_to_string(case.with_extension("args"))
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

#[test]
fn every_fix_gives_the_expected_file_and_is_idempotent() {
    let cases = cases();
    assert!(cases.len() >= 5);
    for case in cases {
        let name = case.file_name().unwrap().to_str().unwrap();
        let expected = std::fs::read(case.with_file_name(name.replace(".json", ".fixed.json"))).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(&case, dir.path().join(name)).unwrap();
        let extra = args_of(&case);
        let mut args: Vec<&str> = vec!["--fix", name];
        args.extend(extra.iter().map(String::as_str));
        let run = run_in(dir.path(), &args, None);
        assert_ne!(run.code, 2, "{name}: {}", run.stderr);
        let fixed = std::fs::read(dir.path().join(name)).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&fixed),
            String::from_utf8_lossy(&expected),
            "{name}"
        );
        // Nothing more to do the second time.
        let again = run_in(dir.path(), &[&["--diff"][..], &args[1..]].concat(), None);
        assert_eq!(again.stdout, "", "{name} is not idempotent");
        assert_eq!(again.code, 0);
        // And no temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "{name}");
    }
}

#[test]
fn diff_shows_the_fix_and_writes_nothing() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixes/duplicate-key.json");
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&case, dir.path().join("d.json")).unwrap();
    let before = std::fs::read(dir.path().join("d.json")).unwrap();
    let run = run_in(dir.path(), &["--diff", "d.json"], None);
    assert_eq!(run.code, 1, "a diff means there is something to fix");
    assert!(run.stdout.starts_with("--- a/d.json\n+++ b/d.json\n"), "{}", run.stdout);
    assert!(run.stdout.contains("\n-  \"mem\": 256,\n"), "{}", run.stdout);
    assert!(
        run.stderr.contains("1 fix would be applied to 1 file"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(dir.path().join("d.json")).unwrap(), before);
}

#[test]
fn unsafe_fixes_need_their_flag() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.json"),
        r#"{"id": "/a", "cmd": "sleep 1", "contraints": []}"#,
    )
    .unwrap();
    assert_eq!(run_in(dir.path(), &["--diff", "a.json"], None).stdout, "");
    let unsafe_run = run_in(dir.path(), &["--diff", "--unsafe-fixes", "a.json"], None);
    assert!(
        unsafe_run
            .stdout
            .contains(r#"+{"id": "/a", "cmd": "sleep 1", "constraints": []}"#),
        "{}",
        unsafe_run.stdout
    );
}

#[test]
fn standard_input_gets_the_fixed_document_on_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(
        dir.path(),
        &["--fix", "-"],
        Some(br#"{"id": "/a", "cmd": "sleep 1", "mem": 1, "mem": 2}"#),
    );
    assert_eq!(run.stdout, r#"{"id": "/a", "cmd": "sleep 1", "mem": 2}"#);
    assert!(run.stderr.contains("fixed 1 problem in 1 file"), "{}", run.stderr);
}

#[test]
fn a_file_with_a_syntax_error_is_not_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let text = "{\"id\": \"/a\", \"cmd\": \"sleep 1\", \"mem\": 1, \"mem\": 2,}";
    std::fs::write(dir.path().join("a.json"), text).unwrap();
    let run = run_in(dir.path(), &["--fix", "a.json"], None);
    assert_eq!(run.code, 1);
    assert_eq!(std::fs::read_to_string(dir.path().join("a.json")).unwrap(), text);
}

#[cfg(unix)]
#[test]
fn permissions_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.json");
    std::fs::write(&path, r#"{"id": "/a", "cmd": "sleep 1", "mem": 1, "mem": 2}"#).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    run_in(dir.path(), &["--fix", "a.json"], None);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        r#"{"id": "/a", "cmd": "sleep 1", "mem": 2}"#
    );
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
}

#[test]
fn the_realworld_corpus_survives_fix_and_unsafe_fixes() {
    let Some((dir, copy, originals)) = common::copy_realworld() else {
        eprintln!("SKIPPED: ../shared/corpus/realworld is absent (fresh clone); nothing to check");
        return;
    };
    let before = run_in(
        dir.path(),
        &["--format", "json", "--marathon-version", "1.4", "corpus"],
        None,
    );
    let fix = run_in(
        dir.path(),
        &[
            "--fix",
            "--unsafe-fixes",
            "--format",
            "json",
            "--marathon-version",
            "1.4",
            "corpus",
        ],
        None,
    );
    assert_ne!(fix.code, 2, "{}", fix.stderr);
    let after = run_in(
        dir.path(),
        &["--format", "json", "--marathon-version", "1.4", "corpus"],
        None,
    );
    let (before, after) = (common::errors(&before), common::errors(&after));
    for (key, count) in &after {
        assert!(
            before.get(key).is_some_and(|b| count <= b),
            "fixing added errors: {key:?} ({count})"
        );
    }
    // Every file that was JSON still is.
    for (path, bytes) in &originals {
        let fixed = std::fs::read(copy.join(path.file_name().unwrap())).unwrap();
        if serde_json::from_slice::<serde_json::Value>(bytes).is_ok() {
            assert!(
                serde_json::from_slice::<serde_json::Value>(&fixed).is_ok(),
                "{} no longer parses",
                path.display()
            );
        }
        assert_eq!(
            &std::fs::read(path).unwrap(),
            bytes,
            "the shared corpus itself was changed"
        );
    }
    // A second round finds nothing more to fix.
    let again = run_in(
        dir.path(),
        &["--diff", "--unsafe-fixes", "--marathon-version", "1.4", "corpus"],
        None,
    );
    assert_eq!(again.stdout, "", "fixes are not idempotent on the corpus");
}
