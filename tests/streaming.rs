//! A run writes each file's report as soon as every file before it is
//! written, and the rules across files still see every file: the streamed
//! output must be exactly what linting all files in memory gives, whatever
//! the thread count, including findings that wait for later files.

mod common;

#[path = "../benches/corpus/mod.rs"]
mod corpus;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use marathon_lint::lint::{finish_run, Linter};
use marathon_lint::report::json;

/// An app with the given id, optionally depending on others and pinning a
/// host port, optionally suppressing a rule.
fn app(id: &str, dependencies: &[&str], host_port: Option<u32>, suppress: Option<&str>) -> String {
    let mut app = serde_json::json!({
        "id": id,
        "cmd": "./serve",
        "cpus": 0.1,
        "mem": 64,
        "instances": 1,
    });
    if !dependencies.is_empty() {
        app["dependencies"] = serde_json::json!(dependencies);
    }
    if let Some(port) = host_port {
        app["portDefinitions"] = serde_json::json!([{ "port": port }]);
        app["requirePorts"] = serde_json::json!(true);
        app["constraints"] = serde_json::json!([["hostname", "UNIQUE"]]);
        app["upgradeStrategy"] = serde_json::json!({ "minimumHealthCapacity": 0, "maximumOverCapacity": 0 });
    }
    if let Some(rule) = suppress {
        app["labels"] = serde_json::json!({ "marathon-lint.ignore": format!("{rule}: owned by another team") });
    }
    serde_json::to_string_pretty(&app).unwrap()
}

/// Files whose findings come from other files, before and after them.
fn write_project(root: &Path) {
    let files: &[(&str, String)] = &[
        // Depends on an app defined by a later file: no finding.
        ("a/api.json", app("/shop/api", &["/shop/db"], None, None)),
        // Depends on what no file defines.
        ("a/cache.json", app("/shop/cache", &["/nowhere/x"], None, None)),
        // The first of two apps with one id.
        ("a/old-db.json", app("/shop/db", &[], None, None)),
        // Suppresses the unknown dependency it has: silent.
        (
            "b/batch.json",
            app("/batch/job", &["/ghost"], None, Some("unknown-dependency")),
        ),
        // Suppresses an unknown dependency it does not have (its dependency
        // is defined earlier): the suppression is unused.
        (
            "b/report.json",
            app("/batch/report", &["/shop/api"], None, Some("unknown-dependency")),
        ),
        // Likewise, but the dependency is only defined at the very end.
        (
            "b/sync.json",
            app("/batch/sync", &["/z/late"], None, Some("unknown-dependency")),
        ),
        // The second app with the id of a/old-db.json.
        ("c/db.json", app("/shop/db", &[], None, None)),
        // Two apps pinning one host port; the second suppresses the clash.
        ("d/edge.json", app("/edge/proxy", &[], Some(31080), None)),
        ("d/edge2.json", app("/edge/proxy2", &[], Some(31080), None)),
        (
            "d/edge3.json",
            app("/edge/proxy3", &[], Some(31080), Some("host-port-clash")),
        ),
        ("z/late.json", app("/z/late", &[], None, None)),
    ];
    for (name, text) in files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    // And ordinary files between them, some with findings of their own.
    corpus::write_app_files(&root.join("m"), 120, 9, 7);
}

/// The JSON report of linting every file in memory, in path order.
fn in_memory_report(dir: &Path, root: &str) -> String {
    let mut paths: Vec<_> = walkdir::WalkDir::new(dir.join(root))
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let linter = Linter::default();
    let linted = paths
        .iter()
        .map(|path| {
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            linter.lint_bytes(&name, std::fs::read(path).unwrap())
        })
        .collect();
    json::render(&finish_run(linted))
}

#[test]
fn the_streamed_report_is_the_report_of_all_files_together() {
    let dir = tempfile::tempdir().unwrap();
    write_project(&dir.path().join("project"));
    let expected = in_memory_report(dir.path(), "project");
    let diagnostics: serde_json::Value = serde_json::from_str(&expected).unwrap();
    let found: Vec<(String, String)> = diagnostics["diagnostics"]
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
    // What the files above must give, so that agreeing is not agreeing on
    // nothing.
    let has = |file: &str, rule: &str| found.contains(&(format!("project/{file}"), rule.to_string()));
    assert!(has("a/cache.json", "unknown-dependency"), "{found:?}");
    assert!(!has("a/api.json", "unknown-dependency"), "{found:?}");
    assert!(has("c/db.json", "duplicate-app-id"), "{found:?}");
    assert!(!has("a/old-db.json", "duplicate-app-id"), "{found:?}");
    assert!(has("d/edge2.json", "host-port-clash"), "{found:?}");
    assert!(!has("d/edge3.json", "host-port-clash"), "{found:?}");
    assert!(!has("b/batch.json", "unknown-dependency"), "{found:?}");
    assert!(!has("b/batch.json", "unused-suppression"), "{found:?}");
    assert!(has("b/report.json", "unused-suppression"), "{found:?}");
    assert!(has("b/sync.json", "unused-suppression"), "{found:?}");
    assert!(!has("b/sync.json", "unknown-dependency"), "{found:?}");
    // The message names the line of the first definition.
    let first = std::fs::read_to_string(dir.path().join("project/a/old-db.json")).unwrap();
    let line = first.lines().position(|l| l.contains("\"id\"")).unwrap() + 1;
    let duplicate = diagnostics["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "duplicate-app-id")
        .unwrap();
    assert!(
        duplicate["message"]
            .as_str()
            .unwrap()
            .contains(&format!("project/a/old-db.json:{line}")),
        "{duplicate}"
    );

    for threads in ["1", "2", "8"] {
        let output = json_report_with_threads(dir.path(), "project", threads);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            String::from_utf8(output.stdout).unwrap(),
            expected,
            "{threads} threads: the streamed report differs from the report of all files together"
        );
    }
}

/// The binary's JSON report of `path`, run in `dir` with `threads` linting threads.
fn json_report_with_threads(dir: &Path, path: &str, threads: &str) -> std::process::Output {
    common::bin()
        .current_dir(dir)
        .env("RAYON_NUM_THREADS", threads)
        .args(["--format", "json", path])
        .output()
        .unwrap()
}

/// Many files waiting at once: the first half depend on apps of the second
/// half (in reverse order, some by relative ids, some on a group), a few on
/// apps no file defines. Still exactly the report of all files together.
#[test]
fn many_files_waiting_for_later_ones_give_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("chain");
    std::fs::create_dir_all(&root).unwrap();
    let n = 200;
    for i in 0..n {
        let id = format!("/chain/app{i:03}");
        let dependencies: Vec<String> = if i < n / 2 {
            let target = n - 1 - i;
            match i % 4 {
                0 => vec![format!("/chain/app{target:03}")],
                // Relative to the app's own id, as Marathon reads it.
                1 => vec![format!("../app{target:03}")],
                // A group above a later app.
                2 => vec!["/chain".to_string()],
                _ => vec![format!("/elsewhere/db{i}")],
            }
        } else {
            Vec::new()
        };
        let deps: Vec<&str> = dependencies.iter().map(String::as_str).collect();
        std::fs::write(root.join(format!("app{i:03}.json")), app(&id, &deps, None, None)).unwrap();
    }
    let expected = in_memory_report(dir.path(), "chain");
    let unknown = expected.matches("\"unknown-dependency\"").count();
    assert_eq!(
        unknown,
        n / 8,
        "one in four of the first half depends on nothing defined"
    );
    for threads in ["1", "2"] {
        let output = json_report_with_threads(dir.path(), "chain", threads);
        assert_eq!(String::from_utf8(output.stdout).unwrap(), expected, "{threads} threads");
    }
}

/// Reports reach standard output while the run is still going: the last
/// input is standard input, which the test holds open until the reports of
/// most files before it have arrived (the last few may still sit in the
/// output buffer, which is flushed when full and at the end).
#[test]
fn reports_are_written_before_the_run_ends() {
    let dir = tempfile::tempdir().unwrap();
    // Every app of this corpus is 1.4-style one time in five, with a
    // warning: some 200 KB of report, far beyond the output buffer.
    corpus::write_app_files(&dir.path().join("apps"), 1000, 0, 3);
    let late = "apps/team008/app-00800.json";
    let mut child = common::bin()
        .current_dir(dir.path())
        .args(["--color", "never", "apps", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, seen) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    // A guard against a hang, not a measure of speed.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let mut before_stdin = Vec::new();
    while !before_stdin.iter().any(|l: &String| l.contains(late)) {
        let wait = deadline.saturating_duration_since(std::time::Instant::now());
        match seen.recv_timeout(wait) {
            Ok(line) => before_stdin.push(line),
            Err(_) => {
                child.kill().unwrap();
                panic!(
                    "no report of {late} while standard input was open; got {} lines",
                    before_stdin.len()
                );
            }
        }
    }
    assert!(
        !before_stdin.iter().any(|l| l.contains("<stdin>")),
        "standard input was reported before it was read"
    );
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"{\"id\": \"/from-stdin\", \"cmd\": \"./serve\", \"ports\": [], \"container\": {\"docker\": {\"image\": \"a:1\", \"network\": \"BRIDGE\"}}}")
        .unwrap();
    drop(stdin);
    let mut after: Vec<String> = seen.iter().collect();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(after.iter().any(|l| l.contains("<stdin>")), "{after:?}");
    let summary = after.pop().unwrap();
    assert!(summary.ends_with("1001 files checked"), "{summary}");
}
