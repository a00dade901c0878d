//! marathon-lint.toml: discovery, settings, overrides, flags over the file,
//! file selection, located errors, and `marathon-lint config`.

mod common;

use std::path::Path;

use common::run_in;

const PINNED_80: &str = r#"{"id": "/edge", "instances": 2, "networks": [{"mode": "container/bridge"}],
  "constraints": [["hostname", "UNIQUE"]], "upgradeStrategy": {"minimumHealthCapacity": 0, "maximumOverCapacity": 0},
  "healthChecks": [{"protocol": "MESOS_TCP", "portIndex": 0}],
  "container": {"type": "DOCKER", "docker": {"image": "haproxy:2.8"}, "portMappings": [{"containerPort": 80, "hostPort": 80}]}}"#;

const CLEAN: &str = r#"{"id": "/ok", "cmd": "sleep 1000"}"#;

fn write(root: &Path, name: &str, text: &str) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// `(file, rule, severity)` of each diagnostic.
fn found(run: &common::Run) -> Vec<(String, String, String)> {
    run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap().to_string();
            (s("file"), s("rule"), s("severity"))
        })
        .collect()
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

#[test]
fn the_closest_file_wins_and_overrides_apply_by_path() {
    let dir = repo();
    let root = dir.path();
    write(
        root,
        "marathon-lint.toml",
        "[[overrides]]\npaths = [\"edge/**\"]\nagent-resources = \"ports:[80-80, 31000-32000]\"\n",
    );
    write(root, "edge/proxy.json", PINNED_80);
    write(root, "apps/proxy.json", &PINNED_80.replace("/edge", "/apps-edge"));
    // A closer file replaces the root one entirely (no merging).
    write(
        root,
        "team/marathon-lint.toml",
        "[rules]\nhost-port-outside-agent-ranges = \"warning\"\n",
    );
    write(root, "team/proxy.json", &PINNED_80.replace("/edge", "/team-edge"));
    let run = run_in(root, &["--format", "json", "edge", "apps", "team"], None);
    // (The three apps also share port 80: host-port-clash, not tested here.)
    let outside: Vec<_> = found(&run).into_iter().filter(|f| f.1 != "host-port-clash").collect();
    assert_eq!(
        outside,
        vec![
            (
                "apps/proxy.json".into(),
                "host-port-outside-agent-ranges".into(),
                "error".into()
            ),
            (
                "team/proxy.json".into(),
                "host-port-outside-agent-ranges".into(),
                "warning".into()
            ),
        ]
    );
    // The override is relative to the configuration, wherever we run from.
    let from_elsewhere = run_in(&root.join("edge"), &["--format", "json", "."], None);
    assert_eq!(found(&from_elsewhere), vec![]);
}

#[test]
fn discovery_stops_at_the_repository_root() {
    let outer = tempfile::tempdir().unwrap();
    write(
        outer.path(),
        "marathon-lint.toml",
        "[rules]\nhost-port-outside-agent-ranges = \"off\"\n",
    );
    std::fs::create_dir_all(outer.path().join("repo/.git")).unwrap();
    write(outer.path(), "repo/proxy.json", PINNED_80);
    let run = run_in(&outer.path().join("repo"), &["--format", "json", "proxy.json"], None);
    assert_eq!(
        found(&run)[0].1,
        "host-port-outside-agent-ranges",
        "the file above the repository is not used"
    );
}

#[test]
fn flags_beat_the_file_and_no_config_ignores_it() {
    let dir = repo();
    let root = dir.path();
    write(
        root,
        "marathon-lint.toml",
        "marathon-version = \"1.4\"\nagent-resources = \"ports:[80-80]\"\n",
    );
    write(root, "proxy.json", PINNED_80);
    write(root, "short.json", r#"{"id": "/s", "cmd": "x"}"#);
    // 1.4 accepts a one-character cmd; port 80 is offered.
    assert_eq!(found(&run_in(root, &["--format", "json", "."], None)), vec![]);
    let flags = run_in(
        root,
        &[
            "--format",
            "json",
            "--marathon-version",
            "1.10",
            "--agent-resources",
            "ports:[31000-32000]",
            ".",
        ],
        None,
    );
    let rules: Vec<String> = found(&flags).into_iter().map(|f| f.1).collect();
    assert_eq!(rules, vec!["host-port-outside-agent-ranges", "cmd-too-short"]);
    let ignored = run_in(root, &["--format", "json", "--no-config", "."], None);
    assert_eq!(found(&ignored).len(), 2);
}

#[test]
fn files_selection_for_walked_directories() {
    let dir = repo();
    let root = dir.path();
    write(
        root,
        "marathon-lint.toml",
        "[files]\ninclude = [\"apps/**\"]\nexclude = [\"apps/fixtures/**\"]\n",
    );
    write(root, ".gitignore", "generated/\n");
    for (i, name) in [
        "apps/a.json",
        "apps/fixtures/b.json",
        "apps/generated/c.json",
        "other/d.json",
    ]
    .iter()
    .enumerate()
    {
        write(
            root,
            name,
            &format!(r#"{{"id": "/x{i}", "cmd": "yes", "instances": "2"}}"#),
        );
    }
    let run = run_in(root, &["--format", "json", "."], None);
    let files: Vec<String> = found(&run).into_iter().map(|f| f.0).collect();
    assert_eq!(files, vec!["./apps/a.json"]);
    // Named explicitly, an excluded file is linted all the same.
    let explicit = run_in(root, &["--format", "json", "apps/fixtures/b.json"], None);
    assert_eq!(found(&explicit).len(), 1);
    // respect-gitignore = false brings ignored files back.
    write(root, "marathon-lint.toml", "[files]\nrespect-gitignore = false\n");
    let files: Vec<String> = found(&run_in(root, &["--format", "json", "apps"], None))
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(
        files,
        vec!["apps/a.json", "apps/fixtures/b.json", "apps/generated/c.json"]
    );
}

#[test]
fn configuration_errors_are_located_and_exit_2() {
    let dir = repo();
    let root = dir.path();
    write(root, "app.json", CLEAN);
    let cases = [
        ("marathon-versoin = \"1.5\"\n", 1, 1, "unknown key"),
        ("marathon-version = 1.5\n", 1, 20, "expected a string"),
        ("marathon-version = \"1.3\"\n", 1, 20, "not a Marathon version"),
        (
            "agent-resources = \"ports:[32000-31000]\"\n",
            1,
            19,
            "ends before it begins",
        ),
        (
            "\n[rules]\ndocker-image-unpined = \"off\"\n",
            3,
            24,
            "did you mean `docker-image-unpinned`?",
        ),
        ("[rules]\nunknown-field = \"loud\"\n", 2, 17, "not a rule level"),
        ("[files]\nexclude = [\"a/[\"]\n", 2, 12, "invalid glob"),
    ];
    for (text, line, column, words) in cases {
        write(root, "marathon-lint.toml", text);
        let run = run_in(root, &["--format", "json", "app.json"], None);
        assert_eq!(run.code, 2, "{text}");
        let d = &run.json()["diagnostics"][0];
        assert_eq!(d["rule"], "config-error", "{text}");
        assert!(d["file"].as_str().unwrap().ends_with("marathon-lint.toml"));
        let text_of = |k: &str| format!("{} {}", d["message"].as_str().unwrap(), d[k].as_str().unwrap_or(""));
        assert!(text_of("help").contains(words), "{text}: {d}");
        assert_eq!(
            (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap()),
            (line, column),
            "{text}: {d}"
        );
    }
    let missing = run_in(root, &["--config", "nope.toml", "app.json"], None);
    assert_eq!(missing.code, 2);
    assert!(missing.stdout.contains("cannot read nope.toml"), "{}", missing.stdout);
}

#[test]
fn config_command_shows_the_effective_settings() {
    let dir = repo();
    let root = dir.path();
    write(root, "marathon-lint.toml", "marathon-version = \"1.5\"\n[rules]\nunknown-field = \"error\"\n[[overrides]]\npaths = [\"legacy/**\"]\nrules = { \"legacy-networking\" = \"off\" }\n");
    write(root, "legacy/app.json", CLEAN);
    let run = run_in(
        root,
        &["config", "legacy/app.json", "--enable-features", "secrets"],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    for line in [
        "# override applied: paths = [legacy/**]",
        "marathon-version = \"1.5\"",
        "agent-resources = \"ports:[31000-32000]\"",
        "enable-features = [\"secrets\"]",
        "\"legacy-networking\" = \"off\"",
        "\"unknown-field\" = \"error\"",
    ] {
        assert!(run.stdout.contains(line), "missing {line:?} in:\n{}", run.stdout);
    }
    assert!(run.stdout.starts_with("# configuration: "));
    let none = run_in(root, &["config", "--no-config", "legacy/app.json"], None);
    assert!(none.stdout.contains("none found (built-in defaults)"));
    assert!(none.stdout.contains("marathon-version = \"1.10\""));
}
