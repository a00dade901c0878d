//! Files are linted in parallel (rayon); the report must not depend on the
//! thread count: same order, same findings, same bytes, in every format that
//! lists findings across many files.

mod common;

#[path = "../benches/corpus/mod.rs"]
mod corpus;

use std::process::Output;

fn lint_with_threads(dir: &std::path::Path, threads: &str, format: &str) -> Output {
    common::bin()
        .current_dir(dir)
        .env("RAYON_NUM_THREADS", threads)
        .args(["--format", format, "apps"])
        .output()
        .expect("binary runs")
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    // 400 files, every 7th broken or with a finding, plus the legacy-networking
    // warnings of the 1.4-style apps: many findings across many files,
    // including rules across files (host-port-clash).
    corpus::write_app_files(&dir.path().join("apps"), 400, 7, 42);
    for format in ["human", "json"] {
        let one = lint_with_threads(dir.path(), "1", format);
        let four = lint_with_threads(dir.path(), "4", format);
        assert_eq!(one.status.code(), Some(1), "the corpus has errors");
        assert_eq!(one.status.code(), four.status.code());
        assert!(
            one.stdout == four.stdout,
            "{format} output differs between 1 and 4 threads"
        );
        assert_eq!(
            String::from_utf8_lossy(&one.stderr),
            String::from_utf8_lossy(&four.stderr)
        );
    }
    // The findings are really there, from many files, in path order.
    let json: serde_json::Value = serde_json::from_slice(&lint_with_threads(dir.path(), "2", "json").stdout).unwrap();
    let files: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    let mut distinct = files.clone();
    distinct.dedup();
    assert!(distinct.len() > 100, "findings in {} files only", distinct.len());
    let mut sorted = distinct.clone();
    sorted.sort();
    assert_eq!(distinct, sorted, "files are reported in path order");
    for rule in [
        "json-trailing-comma",
        "json-comment",
        "schema-violation",
        "host-port-outside-agent-ranges",
    ] {
        assert!(
            json["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["rule"] == rule),
            "no {rule} finding"
        );
    }
}
