//! The real `pre-commit` tool, using this checkout as a hook repository by
//! its path, in a throwaway git repository: a broken definition blocks the
//! commit, a good one passes, and a package.json is left alone. `.ci/run`
//! installs pre-commit; where it is missing, the test says so and skips.

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("git runs")
}

#[test]
fn pre_commit_blocks_a_broken_definition_and_passes_a_good_one() {
    if Command::new("pre-commit").arg("--version").output().is_err() {
        eprintln!("SKIPPED: pre-commit is not installed (pip install pre-commit; .ci/run does)");
        return;
    }
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"));
    let head = git(checkout, &["rev-parse", "HEAD"]);
    if !head.status.success() {
        eprintln!("SKIPPED: this checkout has no commit for pre-commit to install from");
        return;
    }
    let rev = String::from_utf8(head.stdout).unwrap().trim().to_string();
    // Keep pre-commit's environments (a release build of this crate) across
    // runs, inside our own target directory.
    let cache = checkout.join("target/pre-commit-home");
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    for args in [
        &["init", "-q"][..],
        &["config", "user.email", "ci@example.invalid"],
        &["config", "user.name", "CI"],
    ] {
        assert!(git(repo, args).status.success());
    }
    std::fs::write(
        repo.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: marathon-lint\n",
            checkout.display()
        ),
    )
    .unwrap();
    let pre_commit = |args: &[&str]| {
        Command::new("pre-commit")
            .current_dir(repo)
            .env("PRE_COMMIT_HOME", &cache)
            .args(args)
            .output()
            .expect("pre-commit runs")
    };
    assert!(pre_commit(&["install"]).status.success());
    let commit = |file: &str, text: &str| {
        std::fs::write(repo.join(file), text).unwrap();
        assert!(git(repo, &["add", file, ".pre-commit-config.yaml"]).status.success());
        Command::new("git")
            .current_dir(repo)
            .env("PRE_COMMIT_HOME", &cache)
            .args(["commit", "-q", "-m", file])
            .output()
            .unwrap()
    };

    // A package.json is not a Marathon definition: the hook leaves it alone.
    let package = commit(
        "package.json",
        r#"{"name": "ui", "version": "1.0.0", "dependencies": {}}"#,
    );
    assert!(package.status.success(), "{}", String::from_utf8_lossy(&package.stdout));

    let broken = commit("web.json", r#"{"id": "/web", "cmd": "./serve", "instances": "2"}"#);
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&broken.stdout),
        String::from_utf8_lossy(&broken.stderr)
    );
    assert!(
        !broken.status.success(),
        "the broken definition was committed:\n{output}"
    );
    assert!(output.contains("schema-violation"), "{output}");
    assert!(output.contains("web.json:1:"), "{output}");

    let good = commit("web.json", r#"{"id": "/web", "cmd": "./serve", "instances": 2}"#);
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&good.stdout),
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(good.status.success(), "the good definition was blocked:\n{output}");
}
