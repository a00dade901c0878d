//! `--method` and `method = "..."`: the rules follow how a body is sent.

mod common;

use common::{repo_with, run_in};

fn error_rules(run: &common::Run) -> Vec<(String, String)> {
    run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["file"].as_str().unwrap().trim_start_matches("./").to_string(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const SCALE: &str = "{\"instances\": 3}\n";
const EXPORT: &str =
    r#"{"id": "/shop/web", "version": "2017-05-02T11:30:28.913Z", "cmd": "./web", "cpus": 0.1, "mem": 64}"#;

#[test]
fn a_partial_body_is_complete_for_merging_methods_only() {
    let dir = repo_with(&[("scale.json", SCALE)]);
    for (method, clean) in [
        (None, false),
        (Some("patch"), true),
        (Some("put"), true),
        (Some("post"), false),
        (Some("put-replace"), false),
    ] {
        let mut args = vec!["--format", "json", "scale.json"];
        if let Some(method) = method {
            args.extend(["--method", method]);
        }
        let run = run_in(dir.path(), &args, None);
        assert_eq!(error_rules(&run).is_empty(), clean, "{method:?}: {}", run.stdout);
    }
    // Unknown fields are still reported in a partial body.
    std::fs::write(dir.path().join("typo.json"), "{\"instnaces\": 3}").unwrap();
    let run = run_in(
        dir.path(),
        &["--format", "json", "--method", "patch", "typo.json"],
        None,
    );
    assert!(run.stdout.contains("unknown-field"), "{}", run.stdout);
}

#[test]
fn version_with_other_fields_is_refused_by_put_and_patch_and_says_so() {
    let dir = repo_with(&[("web.json", EXPORT)]);
    let cautious = run_in(dir.path(), &["--format", "json", "web.json"], None);
    assert_eq!(
        error_rules(&cautious),
        vec![("web.json".into(), "version-with-other-fields".into())]
    );
    let message = cautious.json()["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("rejected when sent with PUT")
            && message.contains("POST and PUT ?partialUpdate=false accept it"),
        "{message}"
    );
    let post = run_in(dir.path(), &["--format", "json", "--method", "post", "web.json"], None);
    assert!(error_rules(&post).is_empty(), "{}", post.stdout);
    let put = run_in(dir.path(), &["--format", "json", "--method", "put", "web.json"], None);
    assert!(
        put.stdout.contains("Marathon refuses this PUT /v2/apps/{id} body"),
        "{}",
        put.stdout
    );
}

#[test]
fn the_configuration_sets_the_method_per_path() {
    let dir = repo_with(&[
        (
            "marathon-lint.toml",
            "method = \"post\"\n\n[[overrides]]\npaths = [\"patches/**\"]\nmethod = \"patch\"\n",
        ),
        ("patches/scale.json", SCALE),
        ("apps/scale.json", SCALE),
    ]);
    let run = run_in(dir.path(), &["--format", "json", "."], None);
    let files: std::collections::BTreeSet<String> = error_rules(&run).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        vec!["apps/scale.json".to_string()]
    );
    // The command line wins.
    let run = run_in(dir.path(), &["--format", "json", "--method", "patch", "."], None);
    assert!(error_rules(&run).is_empty(), "{}", run.stdout);
}

#[test]
fn an_unknown_method_is_refused() {
    let dir = repo_with(&[("scale.json", SCALE)]);
    let run = run_in(dir.path(), &["--method", "delete", "scale.json"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown method `delete`"), "{}", run.stderr);
    std::fs::write(dir.path().join("marathon-lint.toml"), "method = \"delete\"\n").unwrap();
    let run = run_in(dir.path(), &["scale.json"], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains("config-error") && run.stdout.contains("unknown method"),
        "{}",
        run.stdout
    );
}
