//! CI output formats: SARIF (validated against the official schema), GitHub
//! annotations (escaping), GitLab Code Quality, JUnit XML, and the gates
//! --output, --max-warnings and --deny-warnings.

mod common;

use common::run_in;

/// A directory with one file per kind of finding: an error, a warning only,
/// and a clean file; the second name needs escaping in annotations.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.json"),
        "{\n  \"id\": \"/x\",\n  \"cmd\": \"sleep 1\",\n  \"instances\": \"100%\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("odd, name: 1.json"),
        "{\"id\": \"/y\", \"cmd\": \"sleep 1\", \"contraints\": []}",
    )
    .unwrap();
    std::fs::write(dir.path().join("clean.json"), "{\"id\": \"/z\", \"cmd\": \"sleep 1\"}").unwrap();
    dir
}

const FILES: [&str; 3] = ["broken.json", "odd, name: 1.json", "clean.json"];

fn run_format(dir: &tempfile::TempDir, format: &str) -> common::Run {
    let mut args = vec!["--format", format];
    args.extend(FILES);
    run_in(dir.path(), &args, None)
}

#[test]
fn sarif_is_valid_sarif_2_1_0_with_rule_metadata() {
    let dir = fixture();
    let run = run_format(&dir, "sarif");
    assert_eq!(run.code, 1);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let the_run = &sarif["runs"][0];
    let results = the_run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["ruleId"], "schema-violation");
    assert_eq!(results[0]["level"], "error");
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 4);
    assert_eq!(results[1]["level"], "warning");
    let rules = the_run["tool"]["driver"]["rules"].as_array().unwrap();
    let index = results[1]["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "unknown-field");
    assert!(rules[index]["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("## What it does"));

    let Some(shared) = common::shared_dir() else {
        eprintln!("SKIPPED: the SARIF schema in ../shared/reference is absent; checked the shape only");
        return;
    };
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shared.join("reference/sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF output violates the schema: {errors:#?}");
}

#[test]
fn github_annotations_escape_properties_and_messages() {
    let dir = fixture();
    let run = run_format(&dir, "github");
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(
        lines[0].starts_with(
            "::error file=broken.json,line=4,endLine=4,col=16,endColumn=22,title=marathon-lint schema-violation::"
        ),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("found the string \"100%25\""), "{}", lines[0]);
    assert!(
        lines[1].starts_with("::warning file=odd%2C name%3A 1.json,line=1,"),
        "{}",
        lines[1]
    );
    // The help follows the message on a new line, escaped.
    assert!(
        lines[1].contains("%0Ahelp: did you mean `constraints`?"),
        "{}",
        lines[1]
    );
}

#[test]
fn gitlab_code_quality_report() {
    let dir = fixture();
    let first = run_format(&dir, "gitlab");
    let issues: Vec<serde_json::Value> = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(issues.len(), 2);
    assert_eq!(issues[0]["check_name"], "schema-violation");
    assert_eq!(issues[0]["severity"], "major");
    assert_eq!(issues[0]["location"]["path"], "broken.json");
    assert_eq!(issues[0]["location"]["lines"]["begin"], 4);
    assert_eq!(issues[1]["severity"], "minor");
    let fingerprints: Vec<&str> = issues.iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
    assert_ne!(fingerprints[0], fingerprints[1]);
    assert_eq!(fingerprints[0].len(), 64);
    let again: Vec<serde_json::Value> = serde_json::from_str(&run_format(&dir, "gitlab").stdout).unwrap();
    assert_eq!(
        again[0]["fingerprint"], issues[0]["fingerprint"],
        "fingerprints are stable"
    );
}

#[test]
fn junit_has_one_case_per_file_and_fails_those_with_errors() {
    let dir = fixture();
    let run = run_format(&dir, "junit");
    let mut reader = quick_xml::Reader::from_str(&run.stdout);
    let (mut cases, mut failures) = (Vec::new(), 0);
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => match e.name().as_ref() {
                b"testcase" => {
                    let name = e
                        .try_get_attribute("name")
                        .unwrap()
                        .unwrap()
                        .unescape_value()
                        .unwrap()
                        .into_owned();
                    cases.push(name);
                }
                b"failure" => failures += 1,
                _ => {}
            },
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(cases, FILES);
    assert_eq!(failures, 1);
    assert!(
        run.stdout.contains("<system-out>odd, name: 1.json:1:"),
        "warnings are kept as output"
    );
}

#[test]
fn output_file_keeps_the_summary_on_the_terminal() {
    let dir = fixture();
    let mut args = vec!["--format", "sarif", "--output", "report.sarif"];
    args.extend(FILES);
    let run = run_in(dir.path(), &args, None);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "1 error, 1 warning in 2 files; 3 files checked\n");
    let written = std::fs::read_to_string(dir.path().join("report.sarif")).unwrap();
    assert!(written.contains("\"version\": \"2.1.0\""));
}

#[test]
fn warning_gates() {
    let dir = fixture();
    let warning_only = ["--format", "json", "odd, name: 1.json"];
    assert_eq!(run_in(dir.path(), &warning_only, None).code, 0);
    assert_eq!(
        run_in(dir.path(), &[&warning_only[..], &["--deny-warnings"]].concat(), None).code,
        1
    );
    assert_eq!(
        run_in(
            dir.path(),
            &[&warning_only[..], &["--max-warnings", "1"]].concat(),
            None
        )
        .code,
        0
    );
    assert_eq!(
        run_in(
            dir.path(),
            &[&warning_only[..], &["--max-warnings", "0"]].concat(),
            None
        )
        .code,
        1
    );
}
