//! README's promises stay true: its excerpt of output is what the binary
//! prints for `examples/`, and it explains every rule category.

mod common;

const README: &str = include_str!("../README.md");

#[test]
fn readme_excerpt_is_real_output_of_linting_the_examples() {
    let start = README
        .find("```text\nhost-port-outside-agent-ranges")
        .expect("README shows an excerpt");
    let excerpt = &README[start + "```text\n".len()..];
    let excerpt = &excerpt[..excerpt.find("```").unwrap()];
    // The README command runs from the repository root with a terminal; the
    // excerpt is plain (no colour) and 100 columns wide, as when piped.
    let run = common::run(&["--color", "never", "examples/"]);
    assert_eq!(run.code, 1, "the examples include broken definitions");
    let output = run.stdout.replace("examples//", "examples/");
    for block in excerpt.split("\n\n").filter(|b| !b.trim().is_empty()) {
        assert!(
            output.contains(block.trim_end()),
            "README excerpt not in the output:\n{block}\n--- output:\n{output}"
        );
    }
}

#[test]
fn readme_names_every_category_and_points_to_the_reference() {
    assert!(README.contains("(docs/rules.md)"));
    for rule in marathon_lint::catalogue::builtin() {
        let category = serde_json::to_value(rule.meta.category).unwrap();
        let row = format!("| `{}` |", category.as_str().unwrap());
        assert!(README.contains(&row), "README's category table lacks {row}");
    }
}

/// The keys serde expects at one level of the configuration, read from its
/// own error message for an unknown key, so the list comes from the code.
fn expected_keys(toml: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("marathon-lint.toml");
    std::fs::write(&path, toml).unwrap();
    let reports = marathon_lint::config::load(&path).expect_err("an unknown key is an error");
    let message = &reports[0].diagnostics[0].message;
    let keys = message
        .split("known keys:")
        .nth(1)
        .unwrap_or_else(|| panic!("no key list in {message:?}"));
    keys.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

#[test]
fn readme_configuration_example_is_real_and_documents_every_key() {
    let start = README.find("## Configuration").unwrap();
    let section = &README[start..];
    let block = section.split("```toml\n").nth(1).unwrap();
    let example = &block[..block.find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    std::fs::write(
        dir.path().join("marathon-lint-baseline.json"),
        r#"{"version": 1, "entries": []}"#,
    )
    .unwrap();
    // The cluster exports it names: real shapes, no agents.
    std::fs::create_dir(dir.path().join("cluster")).unwrap();
    for line in example.lines().filter(|l| l.starts_with("cluster = [")) {
        for name in line.split('"').skip(1).step_by(2) {
            let export = if name.contains("info") {
                r#"{"version": "1.5.2", "marathon_config": {"mesos_role": "slave_public"}}"#
            } else if name.contains("apps") {
                r#"{"apps": []}"#
            } else {
                r#"{"slaves": []}"#
            };
            std::fs::write(dir.path().join(name), export).unwrap();
        }
    }
    // The variables files it names.
    std::fs::create_dir(dir.path().join("env")).unwrap();
    for line in example.lines().filter(|l| l.starts_with("vars = [")) {
        for name in line.split('"').skip(1).step_by(2) {
            std::fs::write(dir.path().join(name), "ENV=prod\n").unwrap();
        }
    }
    std::fs::write(dir.path().join("marathon-lint.toml"), example).unwrap();
    if let Err(reports) = marathon_lint::config::load(&dir.path().join("marathon-lint.toml")) {
        panic!(
            "README's configuration example does not load: {:#?}",
            reports[0].diagnostics
        );
    }
    let levels = [
        ("", "zz-unknown = 1\n"),
        ("[files]", "[files]\nzz-unknown = 1\n"),
        ("[[overrides]]", "[[overrides]]\npaths = []\nzz-unknown = 1\n"),
    ];
    for (table, toml) in levels {
        let keys = expected_keys(toml);
        assert!(keys.len() >= 3, "{table}: {keys:?}");
        for key in keys {
            let documented = example.lines().any(|l| {
                l.trim_start().starts_with(&format!("{key} ="))
                    || l.trim() == format!("[{key}]")
                    || l.trim() == format!("[[{key}]]")
            });
            assert!(documented, "README's configuration example lacks `{key}` ({table})");
        }
    }
}

#[test]
fn readme_cluster_example_is_real_output() {
    let start = README
        .find("### An example: DC/OS public agents")
        .expect("README has the cluster example");
    let section = &README[start..];
    let block = section.split("```text\n").nth(1).unwrap();
    let excerpt = &block[..block.find("```").unwrap()];
    let run = common::run(&["--color", "never", "examples/cluster/"]);
    assert_eq!(run.code, 1, "the cluster example has broken apps");
    for part in excerpt.split("\n\n").filter(|b| !b.trim().is_empty()) {
        assert!(
            run.stdout.contains(part.trim_end()),
            "README excerpt not in the output:\n{part}\n--- output:\n{}",
            run.stdout
        );
    }
    let toml = section.split("```toml\n").nth(1).unwrap();
    let toml = &toml[..toml.find("```").unwrap()];
    let checked_in = include_str!("../examples/cluster/marathon-lint.toml");
    for line in toml.lines().filter(|l| !l.is_empty()) {
        assert!(
            checked_in.contains(line),
            "README's {line:?} is not in examples/cluster/marathon-lint.toml"
        );
    }
}

#[test]
fn readme_plan_example_is_real_output() {
    let start = README
        .find("### What a deploy will change: `plan`")
        .expect("README has the plan example");
    let section = &README[start..];
    let block = section.split("```text\n").nth(1).unwrap();
    let excerpt = &block[..block.find("```").unwrap()];
    let run = common::run(&[
        "plan",
        "examples/plan/apps",
        "--current",
        "examples/plan/current.json",
        "--method",
        "put",
        "--color",
        "never",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, excerpt, "README's plan is not what `plan` prints");
}
