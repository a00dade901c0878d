//! End-to-end behaviour of the command line: exit codes, the JSON contract,
//! discovery, standard input, colour.

mod common;

use common::{lint_text, run, run_in};
use serde_json::Value;

const CLEAN: &str = r#"{"id": "/ok", "cmd": "sleep 1000", "cpus": 0.1, "mem": 32, "instances": 1}"#;

#[test]
fn exit_status_is_0_when_clean_1_on_errors_2_when_a_path_cannot_be_read() {
    assert_eq!(lint_text("ok.json", CLEAN.as_bytes(), &[]).code, 0);
    assert_eq!(
        lint_text("bad.json", br#"{"id": "/x", "cmd": "yes", "instances": "2"}"#, &[]).code,
        1
    );
    let missing = lint_text("ok.json", CLEAN.as_bytes(), &["nope.json"]);
    assert_eq!(missing.code, 2);
    let rules = missing.rules();
    assert_eq!(rules, vec![("io-error".to_string(), None)]);
    assert!(missing.json()["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("nope.json"));
}

#[test]
fn warnings_alone_do_not_fail() {
    let run = lint_text(
        "w.json",
        br#"{"id": "/x", "cmd": "sleep 1", "cpus": 1, "cpus": 2}"#,
        &[],
    );
    assert_eq!(
        run.rules(),
        vec![("json-duplicate-key".to_string(), Some("/cpus".to_string()))]
    );
    assert_eq!(run.json()["diagnostics"][0]["severity"], "warning");
    assert_eq!(run.code, 0);
}

#[test]
fn bad_arguments_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let unknown_flag = run_in(dir.path(), &["--no-such-flag"], None);
    assert_eq!(unknown_flag.code, 2);
    let bad_resources = run_in(dir.path(), &["--agent-resources", "ports:31000-32000"], None);
    assert_eq!(bad_resources.code, 2);
    assert!(
        bad_resources.stderr.contains("--agent-resources"),
        "{}",
        bad_resources.stderr
    );
    assert!(bad_resources.stderr.contains("brackets"), "{}", bad_resources.stderr);
}

#[test]
fn help_and_version() {
    let help = run(&["--help"]);
    assert_eq!(help.code, 0);
    for flag in [
        "--format",
        "--agent-resources",
        "--stdin-filename",
        "--verbose",
        "--color",
    ] {
        assert!(help.stdout.contains(flag), "--help lacks {flag}");
    }
    let version = run(&["--version"]);
    assert_eq!(version.code, 0);
    assert_eq!(
        version.stdout.trim(),
        format!("marathon-lint {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn json_output_follows_the_contract() {
    let group = br#"{
  "id": "/shop",
  "apps": [
    {"id": "a", "cmd": "sleep 1"},
    {"id": "b", "container": {"type": "DOCKER", "docker": {"image": "nginx:1.25", "network": "BRIDGE",
      "portMappings": [{"containerPort": 80, "hostPort": 80}]}},
     "constraints": [["hostname", "UNIQUE"]],
     "healthChecks": [{"protocol": "MESOS_TCP", "portIndex": 0}],
     "upgradeStrategy": {"minimumHealthCapacity": 0, "maximumOverCapacity": 0}}
  ]
}"#;
    // The legacy 1.4 fields, linted for 1.4 (1.5+ would add a warning that
    // names their 1.5+ form).
    let run = lint_text("group.json", group, &["--marathon-version", "1.4"]);
    assert_eq!(run.code, 1);
    let doc = run.json();
    let diagnostics = doc["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{doc:#}");
    let d = &diagnostics[0];
    assert_eq!(d["file"], "group.json");
    assert_eq!(d["rule"], "host-port-outside-agent-ranges");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["pointer"], "/apps/1/container/docker/portMappings/0/hostPort");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(6), Some(58)));
    assert_eq!((d["end_line"].as_u64(), d["end_column"].as_u64()), (Some(6), Some(60)));
    assert!(d["message"].as_str().unwrap().contains("80"));
    assert!(d["help"].as_str().unwrap().contains("--agent-resources"));
    for key in [
        "file",
        "rule",
        "severity",
        "message",
        "pointer",
        "line",
        "column",
        "end_line",
        "end_column",
        "help",
    ] {
        assert!(d.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn syntax_errors_have_a_null_pointer_and_a_location() {
    let run = lint_text("c.json", b"{\n  \"id\": \"/x\", // note\n  \"cmd\": \"yes\",\n}\n", &[]);
    assert_eq!(run.code, 1);
    let doc = run.json();
    let found: Vec<(&str, &Value, u64, u64)> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap(),
                &d["pointer"],
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("json-comment", &Value::Null, 2, 15),
            ("json-trailing-comma", &Value::Null, 3, 15)
        ]
    );
}

#[test]
fn agent_resources_widen_the_allowed_host_ports() {
    let app = br#"{"id": "/edge", "instances": 2, "networks": [{"mode": "container/bridge"}],
        "container": {"type": "DOCKER", "docker": {"image": "haproxy:2.8"},
        "portMappings": [{"containerPort": 80, "hostPort": 80}]},
        "constraints": [["hostname", "UNIQUE"]], "upgradeStrategy": {"minimumHealthCapacity": 0, "maximumOverCapacity": 0},
        "healthChecks": [{"protocol": "MESOS_TCP", "portIndex": 0}]}"#;
    assert_eq!(
        lint_text("edge.json", app, &[]).rules()[0].0,
        "host-port-outside-agent-ranges"
    );
    let widened = lint_text(
        "edge.json",
        app,
        &["--agent-resources", "cpus:8;mem:4096;ports:[80-80, 31000-32000]"],
    );
    assert_eq!(widened.rules(), vec![]);
    assert_eq!(widened.code, 0);
    let json_form = r#"[{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":80,"end":443}]}}]"#;
    assert_eq!(lint_text("edge.json", app, &["--agent-resources", json_form]).code, 0);
}

#[test]
fn standard_input_is_named_by_stdin_filename() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(
        dir.path(),
        &["--format", "json", "--stdin-filename", "apps/web.json", "-"],
        Some(br#"{"id": "/x", "cmd": "yes", "mem": "lots"}"#),
    );
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["diagnostics"][0]["file"], "apps/web.json");
    assert_eq!(run.json()["diagnostics"][0]["pointer"], "/mem");
    let unnamed = run_in(dir.path(), &["--format", "json", "-"], Some(CLEAN.as_bytes()));
    assert_eq!(unnamed.code, 0);
    assert_eq!(unnamed.json()["diagnostics"], serde_json::json!([]));
}

#[test]
fn walking_skips_non_marathon_json_and_hidden_or_build_folders() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |name: &str, text: &str| {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("apps/web.json", r#"{"id": "/web", "cmd": "yes", "instances": "2"}"#);
    write("apps/ok.json", CLEAN);
    write(
        "package.json",
        r#"{"name": "ui", "version": "1.0.0", "dependencies": {}}"#,
    );
    write("tsconfig.json", r#"{"compilerOptions": {"strict": true}}"#);
    write(
        "node_modules/x/app.json",
        r#"{"id": "/x", "cmd": "yes", "instances": "2"}"#,
    );
    write(".cache/app.json", r#"{"id": "/x", "cmd": "yes", "instances": "2"}"#);
    write("target/app.json", r#"{"id": "/x", "cmd": "yes", "instances": "2"}"#);
    write("notes.txt", "not json");

    let run = run_in(root, &["--format", "json"], None);
    assert_eq!(run.code, 1);
    let files: Vec<String> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(files, vec!["./apps/web.json"]);

    let verbose = run_in(root, &["--verbose", "--color", "never"], None);
    assert!(verbose.stdout.contains("skipped ./package.json"), "{}", verbose.stdout);
    assert!(verbose.stdout.contains("skipped 2 .json files"), "{}", verbose.stdout);
    assert!(
        verbose
            .stdout
            .contains("1 error, 0 warnings in 1 file; 2 files checked"),
        "{}",
        verbose.stdout
    );

    // Named explicitly, a non-Marathon file is linted all the same.
    let explicit = run_in(root, &["--format", "json", "package.json"], None);
    assert!(explicit
        .rules()
        .iter()
        .any(|(rule, _)| rule == "schema-violation" || rule == "unknown-field"));
}

#[test]
fn human_output_is_plain_when_piped_or_no_color() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.json"),
        br#"{"id": "/x", "cmd": "yes", "instances": "2"}"#,
    )
    .unwrap();
    let piped = run_in(dir.path(), &["a.json"], None);
    assert!(!piped.stdout.contains('\u{1b}'), "escape codes when piped");
    assert!(piped.stdout.contains("schema-violation"));
    assert!(piped.stdout.contains("a.json:1:"));
    assert!(
        piped
            .stdout
            .ends_with("1 error, 0 warnings in 1 file; 1 file checked\n"),
        "{}",
        piped.stdout
    );

    let forced = run_in(dir.path(), &["--color", "always", "a.json"], None);
    assert!(forced.stdout.contains('\u{1b}'));
    let mut no_color = common::bin();
    let output = no_color
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("CLICOLOR_FORCE", "1")
        .arg("a.json")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&output.stdout).contains('\u{1b}'));
}

#[test]
fn deeply_nested_input_is_a_diagnostic_not_a_crash() {
    let depth = 100_000;
    let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let run = lint_text("deep.json", text.as_bytes(), &[]);
    assert_eq!(run.code, 1);
    let d = &run.json()["diagnostics"][0];
    assert_eq!(d["rule"], "json-syntax");
    assert!(d["message"].as_str().unwrap().contains("nested too deeply"));
}

#[test]
fn the_run_continues_after_a_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.json"), b"{\"id\": ").unwrap();
    std::fs::write(dir.path().join("b.json"), br#"{"id": "/b", "cmd": "yes", "mem": -1}"#).unwrap();
    let run = run_in(
        dir.path(),
        &["--format", "json", "a.json", "missing.json", "b.json"],
        None,
    );
    assert_eq!(run.code, 2);
    let files: Vec<String> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(files, vec!["a.json", "missing.json", "b.json"]);
}

#[test]
fn rules_across_files_see_every_file_of_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let pinned = |id: &str, port: u32| {
        format!(
            r#"{{"id": "{id}", "constraints": [["hostname", "UNIQUE"]],
  "upgradeStrategy": {{"minimumHealthCapacity": 0, "maximumOverCapacity": 0}},
  "networks": [{{"mode": "container/bridge"}}],
  "container": {{"type": "DOCKER", "docker": {{"image": "nginx:1.25"}},
    "portMappings": [{{"containerPort": 80, "hostPort": {port}}}]}},
  "healthChecks": [{{"protocol": "MESOS_TCP", "portIndex": 0}}],
  "dependencies": ["/shop/db"]}}"#
        )
    };
    std::fs::write(dir.path().join("a.json"), pinned("/shop/web", 31080)).unwrap();
    std::fs::write(dir.path().join("b.json"), pinned("/shop/admin", 31080)).unwrap();
    std::fs::write(dir.path().join("c.json"), pinned("/shop/web", 31090)).unwrap();
    let run = run_in(dir.path(), &["--format", "json", "a.json", "b.json", "c.json"], None);
    let doc = run.json();
    let found: Vec<(&str, &str, &str)> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap(),
                d["rule"].as_str().unwrap(),
                d["severity"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("a.json", "unknown-dependency", "info"),
            ("b.json", "host-port-clash", "warning"),
            ("b.json", "unknown-dependency", "info"),
            ("c.json", "duplicate-app-id", "warning"),
            ("c.json", "unknown-dependency", "info"),
        ]
    );
    let clash = &doc["diagnostics"][1];
    assert!(
        clash["message"].as_str().unwrap().contains("/shop/web (a.json:5)"),
        "{clash}"
    );
    assert_eq!(clash["pointer"], "/container/portMappings/0/hostPort");
    assert_eq!(run.code, 0, "warnings and infos do not fail the run");
}

#[test]
fn templates_named_as_such_are_walked_unless_templates_are_off() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join(".git")).unwrap();
    std::fs::create_dir(root.join("apps")).unwrap();
    std::fs::write(
        root.join("apps/web.json.tpl"),
        "{\"id\": \"/web\", \"cmd\": \"./web\", \"instances\": ${INSTANCES}, \"mem\": \"lots\"}",
    )
    .unwrap();
    std::fs::write(root.join("apps/notes.txt"), "{\"cmd\": \"x\"}").unwrap();
    let run = run_in(root, &["--format", "json", "apps"], None);
    let found: Vec<(String, String)> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![("apps/web.json.tpl".to_string(), "schema-violation".to_string())]
    );
    std::fs::write(root.join("marathon-lint.toml"), "templates = false\n").unwrap();
    let off = run_in(root, &["--format", "json", "apps"], None);
    assert_eq!(off.json()["diagnostics"], serde_json::json!([]), "not walked");
}
