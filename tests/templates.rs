//! Rendering templates with `--vars` and `vars = [...]`: findings point into
//! the template, unset variables are located errors, per-path variables.

mod common;

use common::run_in;
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

fn setup(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

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
    let dir = setup(&[
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
    let dir = setup(&[("app.json.tpl", TEMPLATE), ("partial.env", "ENV=prod\nPORT=0\n")]);
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
    let dir = setup(&[
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
    let dir = setup(&[
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
    let dir = setup(&[("app.json.tpl", TEMPLATE), ("broken.env", "ENV=prod\nA B C\n")]);
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
    let dir = setup(&[("web.json.tpl", exported), ("vars.env", "INSTANCES=2\n")]);
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
