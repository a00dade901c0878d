//! Rendering templates with `--vars` and `vars = [...]`: findings point into
//! the template, unset variables are located errors, per-path variables.

mod common;

use common::{repo_with, run_in};
use std::path::Path;

const TEMPLATE: &str = r#"{
  "id": "/${ENV}/web",
  "cmd": "python3 -m http.server $PORT0 $HOME",
  "instances": ${INSTANCES},
  "cpus": ${CPUS:-0.5},
  "mem": 64,
  "container": {"type": "DOCKER", "docker": {"image": "nginx:${VERSION}"},
    "portMappings": [{"containerPort": 80, "hostPort": ${PORT}}]},
  "networks": [{"mode": "container/bridge"}],
  "healthChecks": [{"protocol": "MESOS_TCP", "portIndex": 0}]
}
"#;

/// (rule, line, column, end column) of each finding, in order.
fn located(doc: &serde_json::Value) -> Vec<(String, u64, u64, u64)> {
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["end_column"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn rules_at(doc: &serde_json::Value, line: u64) -> Vec<String> {
    located(doc).into_iter().filter(|d| d.1 == line).map(|d| d.0).collect()
}

#[test]
fn rendered_values_are_judged_and_located_at_their_placeholders() {
    let dir = repo_with(&[
        ("app.json.tpl", TEMPLATE),
        (
            "prod.env",
            "# production\nENV=prod\nINSTANCES=3\nVERSION=1.25.3\nexport PORT=99999\n",
        ),
    ]);
    let run = run_in(
        dir.path(),
        &["--format", "json", "--vars", "prod.env", "app.json.tpl"],
        None,
    );
    let doc = run.json();
    // The rendered port is judged: out of range, and the span is exactly
    // `${PORT}` on line 8 (column 56 to 63), not the rendered `99999`.
    let port: Vec<_> = located(&doc).into_iter().filter(|d| d.1 == 8).collect();
    assert!(
        port.iter().any(|d| d.0 == "schema-violation" && (d.2, d.3) == (56, 63)),
        "{port:?}"
    );
    assert!(port.iter().all(|d| (d.2, d.3) == (56, 63)), "{port:?}");
    // Rendered strings are judged too: the id is valid, the image pinned.
    assert!(rules_at(&doc, 2).is_empty(), "{doc}");
    assert!(rules_at(&doc, 7).is_empty(), "{doc}");
    // The shell's $HOME and $PORT0 are not variables to set.
    assert!(!run.stdout.contains("template-variable-unset"), "{doc}");
    assert_eq!(run.code, 1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app.json.tpl")).unwrap(),
        TEMPLATE,
        "the template is never changed"
    );
    // The human report says where the value came from.
    let human = run_in(dir.path(), &["--vars", "prod.env", "app.json.tpl"], None);
    assert!(
        human.stdout.contains("too large (PORT=99999, from prod.env)"),
        "{}",
        human.stdout
    );
}

#[test]
fn a_variable_no_file_sets_is_a_located_error() {
    let dir = repo_with(&[("app.json.tpl", TEMPLATE), ("partial.env", "ENV=prod\nPORT=0\n")]);
    let run = run_in(
        dir.path(),
        &["--format", "json", "--vars", "partial.env", "app.json.tpl"],
        None,
    );
    let unset: Vec<_> = located(&run.json())
        .into_iter()
        .filter(|d| d.0 == "template-variable-unset")
        .map(|d| (d.1, d.2, d.3))
        .collect();
    // INSTANCES (where a value stands) and VERSION (in a string); CPUS has a
    // default, $HOME is the shell's.
    assert_eq!(unset, vec![(4, 16, 28), (7, 62, 72)]);
    assert!(run
        .stdout
        .contains("no variables file given (partial.env) sets INSTANCES"));
    assert_eq!(run.code, 1);
    // Without --vars nothing is rendered and nothing is unset.
    let plain = run_in(dir.path(), &["--format", "json", "app.json.tpl"], None);
    assert!(!plain.stdout.contains("template-variable-unset"), "{}", plain.stdout);
}

#[test]
fn a_value_that_is_not_json_is_explained_at_its_placeholder() {
    let dir = repo_with(&[
        ("app.json.tpl", TEMPLATE),
        ("bad.env", "ENV=prod\nINSTANCES=three\nVERSION=1\nPORT=0\n"),
    ]);
    let run = run_in(
        dir.path(),
        &["--format", "json", "--vars", "bad.env", "app.json.tpl"],
        None,
    );
    let doc = run.json();
    let d = &doc["diagnostics"][0];
    assert_eq!(d["rule"], "json-syntax", "{doc}");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(4), Some(16)));
    assert!(
        d["help"].as_str().unwrap().contains("INSTANCES=three, from bad.env"),
        "{d}"
    );
}

#[test]
fn configuration_vars_apply_per_path_and_the_command_line_adds_on_top() {
    let app = |port: &str| TEMPLATE.replace("${PORT}", port);
    let dir = repo_with(&[
        (
            "marathon-lint.toml",
            "vars = [\"env/common.env\"]\n\n[[overrides]]\npaths = [\"prod/**\"]\nvars = [\"env/prod.env\"]\n",
        ),
        ("env/common.env", "ENV=dev\nINSTANCES=1\nVERSION=1.25.3\nPORT=0\n"),
        ("env/prod.env", "ENV=prod\nPORT=99999\n"),
        ("prod/web.json.tpl", &app("${PORT}")),
        ("dev/web.json.tpl", &app("${PORT}")),
    ]);
    let run = run_in(dir.path(), &["--format", "json", "."], None);
    let files: Vec<(String, String)> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        files.iter().all(|(f, _)| f.ends_with("prod/web.json.tpl")) && !files.is_empty(),
        "only prod gets prod.env's port: {files:?}"
    );
    // A file on the command line wins over the configuration's.
    std::fs::write(dir.path().join("fix.env"), "PORT=0\n").unwrap();
    let run = run_in(dir.path(), &["--format", "json", "--vars", "fix.env", "."], None);
    assert!(
        run.json()["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["severity"] != "error"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_bad_variables_file_is_a_located_configuration_error() {
    let dir = repo_with(&[("app.json.tpl", TEMPLATE), ("broken.env", "ENV=prod\nA B C\n")]);
    let run = run_in(
        dir.path(),
        &["--format", "json", "--vars", "broken.env", "app.json.tpl"],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    let d = &run.json()["diagnostics"][0];
    assert_eq!(
        (d["file"].as_str(), d["rule"].as_str()),
        (Some("broken.env"), Some("config-error"))
    );
    assert_eq!(d["line"], 2, "{d}");
    let missing = run_in(dir.path(), &["--vars", "missing.env", "app.json.tpl"], None);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stdout.contains("cannot read the variables file missing.env"),
        "{}",
        missing.stdout
    );
    // In the configuration, the same.
    std::fs::write(dir.path().join("marathon-lint.toml"), "vars = [\"nope.env\"]\n").unwrap();
    let config = run_in(dir.path(), &["app.json.tpl"], None);
    assert_eq!(config.code, 2, "{}", config.stdout);
    assert!(config.stdout.contains("nope.env"), "{}", config.stdout);
}

#[test]
fn fixes_edit_the_template_around_its_placeholders() {
    let exported = r#"{
  "id": "/web",
  "cmd": "./web",
  "instances": ${INSTANCES},
  "cpus": 0.1,
  "mem": 64,
  "tasksRunning": 3,
  "tasksStaged": 0
}
"#;
    let dir = repo_with(&[("web.json.tpl", exported), ("vars.env", "INSTANCES=2\n")]);
    let run = run_in(dir.path(), &["--vars", "vars.env", "--fix", "web.json.tpl"], None);
    let fixed = std::fs::read_to_string(dir.path().join("web.json.tpl")).unwrap();
    assert!(fixed.contains("\"instances\": ${INSTANCES},"), "{fixed}");
    assert!(!fixed.contains("tasksRunning"), "{fixed}\n{}", run.stdout);
    let again = run_in(
        dir.path(),
        &["--format", "json", "--vars", "vars.env", "web.json.tpl"],
        None,
    );
    assert_eq!(again.json()["diagnostics"], serde_json::json!([]), "{}", again.stdout);
    assert!(Path::new(&dir.path().join("web.json.tpl")).exists());
}

#[test]
fn shell_operators_defaults_and_empty_values() {
    let dir = repo_with(&[
        (
            "app.json.tpl",
            r#"{"id": "/a", "cmd": "xx", "instances": ${N:-5}, "cpus": ${C:?cpus are required}, "mem": 1${M:+28}, "disk": ${D-0}}"#,
        ),
        ("v.env", "N=\nC=0.5\nM=set\n"),
    ]);
    // N is empty, so `:-` takes the default; `:?` renders a set C; `:+`
    // gives the alternative for a set M (128), nothing for an unset one
    // (1); D is unset, so `-` takes 0.
    let run = run_in(
        dir.path(),
        &["--format", "json", "--vars", "v.env", "app.json.tpl"],
        None,
    );
    assert_eq!(run.json()["diagnostics"], serde_json::json!([]), "{}", run.stdout);
    std::fs::write(dir.path().join("w.env"), "N=2\n").unwrap();
    let run = run_in(
        dir.path(),
        &["--format", "json", "--vars", "w.env", "app.json.tpl"],
        None,
    );
    let unset: Vec<String> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap().split(':').next().unwrap().to_string())
        .collect();
    assert_eq!(
        unset,
        vec!["`${C"],
        "only `:?` of an unset variable is unset: {}",
        run.stdout
    );
}

#[test]
fn what_a_value_holds_is_not_template_text() {
    let dir = repo_with(&[
        (
            "app.json.tpl",
            r#"{"id": "/a", "cmd": "xx", "instances": -1, "env": {"OPTS": "${OPTS}", "P": "${P}"}}"#,
        ),
        ("v.env", "OPTS='-Dhome=${HOME_DIR}'\nP='{{#list}}'\n"),
    ]);
    let run = run_in(
        dir.path(),
        &["--format", "json", "--vars", "v.env", "app.json.tpl"],
        None,
    );
    let rules: Vec<&str> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect::<Vec<_>>()
        .into_iter()
        .map(|r| {
            if r == "schema-violation" {
                "schema-violation"
            } else {
                "other"
            }
        })
        .collect();
    assert_eq!(rules, vec!["schema-violation"], "{}", run.stdout);
}

#[test]
fn an_unset_variable_in_a_key_is_an_error() {
    let dir = repo_with(&[
        (
            "app.json.tpl",
            r#"{"id": "/a", "cmd": "xx", "labels": {"${KEY}": "v"}}"#,
        ),
        ("v.env", "OTHER=1\n"),
    ]);
    let run = run_in(
        dir.path(),
        &["--format", "json", "--vars", "v.env", "app.json.tpl"],
        None,
    );
    assert_eq!(run.code, 1);
    let d = &run.json()["diagnostics"][0];
    assert_eq!(
        (d["rule"].as_str(), d["column"].as_u64()),
        (Some("template-variable-unset"), Some(39))
    );
}

#[test]
fn a_value_that_breaks_the_json_after_it_is_blamed() {
    let dir = repo_with(&[
        ("app.json.tpl", r#"{"id": "/a", "instances": ${N}, "cmd": "xx"}"#),
        ("v.env", "N=3,\n"),
    ]);
    let run = run_in(
        dir.path(),
        &["--format", "json", "--vars", "v.env", "app.json.tpl"],
        None,
    );
    let d = &run.json()["diagnostics"][0];
    assert_eq!(d["column"], 27, "{d}");
    assert!(d["help"].as_str().unwrap().contains("N=3,, from v.env"), "{d}");
}

#[test]
fn a_fix_next_to_a_placeholder_that_renders_empty_keeps_it() {
    let dir = repo_with(&[
        ("a.json.tpl", r#"{"id":"/a","cmd":"xx","a":1,${EMPTY}"a":2}"#),
        ("e.env", "EMPTY=\n"),
    ]);
    run_in(dir.path(), &["--vars", "e.env", "--fix", "a.json.tpl"], None);
    let fixed = std::fs::read_to_string(dir.path().join("a.json.tpl")).unwrap();
    assert_eq!(fixed, r#"{"id":"/a","cmd":"xx",${EMPTY}"a":2}"#);
}

#[test]
fn a_bad_dotenv_line_is_located_by_characters_and_by_line() {
    let dir = repo_with(&[
        ("app.json", r#"{"id": "/a", "cmd": "xx"}"#),
        ("emoji.env", "A=\u{1F600} x\n"),
        ("repeat.env", "\u{feff}A=NOEQ_x\nNOEQ\n"),
    ]);
    let run = run_in(
        dir.path(),
        &["--format", "json", "--vars", "emoji.env", "app.json"],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        (
            run.json()["diagnostics"][0]["line"].as_u64(),
            run.json()["diagnostics"][0]["column"].as_u64()
        ),
        (Some(1), Some(5))
    );
    let human = run_in(dir.path(), &["--vars", "emoji.env", "app.json"], None);
    assert!(!human.stderr.contains("internal error"), "{}", human.stderr);
    let run = run_in(
        dir.path(),
        &["--format", "json", "--vars", "repeat.env", "app.json"],
        None,
    );
    assert_eq!(run.json()["diagnostics"][0]["line"], 2, "{}", run.stdout);
}

#[test]
fn plan_locates_problems_of_a_rendered_template_in_the_template() {
    let dir = repo_with(&[
        ("current.json", r#"{"apps": []}"#),
        (
            "app.json",
            "{\"id\":\"/a\",\"instances\":${N},\"cmd\":\"xx\u{1F600}\",}",
        ),
        ("n.env", "N=3000\n"),
    ]);
    let run = run_in(
        dir.path(),
        &[
            "plan",
            "--color",
            "never",
            "--current",
            "current.json",
            "--vars",
            "n.env",
            "app.json",
        ],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("app.json:1:40"), "{}", run.stderr);
    assert!(!run.stderr.contains("internal error"), "{}", run.stderr);
}
