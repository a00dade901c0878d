//! Run the real binary, as users and CI do.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// `(rule, pointer)` of every diagnostic in JSON output.
    pub fn rules(&self) -> Vec<(String, Option<String>)> {
        self.json()["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["rule"].as_str().unwrap().to_string(),
                    d["pointer"].as_str().map(str::to_string),
                )
            })
            .collect()
    }
}

pub fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_marathon-lint"));
    command.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    command
}

pub fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut command = bin();
    command
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("binary runs");
    {
        let mut pipe = child.stdin.take().unwrap();
        if let Some(input) = stdin {
            pipe.write_all(input).unwrap();
        }
    }
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().expect("exited normally, not by a signal"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

pub fn run(args: &[&str]) -> Run {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args, None)
}

/// A fresh repository (a `.git` folder) holding `files`, by relative path.
pub fn repo_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Lint `text` given as a file named `name` in a fresh directory.
pub fn lint_text(name: &str, text: &[u8], extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    let mut args = vec!["--format", "json", name];
    args.extend_from_slice(extra);
    run_in(dir.path(), &args, None)
}

/// Where the shared corpora live, if this checkout has them.
pub fn shared_dir() -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    dir.is_dir().then_some(dir)
}

/// Error-severity findings of a JSON run, counted by (file, rule).
pub fn errors(run: &Run) -> std::collections::BTreeMap<(String, String), usize> {
    let mut out = std::collections::BTreeMap::new();
    for d in run.json()["diagnostics"].as_array().unwrap() {
        if d["severity"] == "error" {
            let key = (
                d["file"].as_str().unwrap().to_string(),
                d["rule"].as_str().unwrap().to_string(),
            );
            *out.entry(key).or_default() += 1;
        }
    }
    out
}

/// Each copied file's original path and bytes.
pub type Originals = Vec<(std::path::PathBuf, Vec<u8>)>;

/// A writable copy of the real-world corpus in `<temp>/corpus`, with the
/// original path and bytes of every file; `None` without ../shared.
pub fn copy_realworld() -> Option<(tempfile::TempDir, std::path::PathBuf, Originals)> {
    let source = shared_dir()?.join("corpus/realworld");
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("corpus");
    std::fs::create_dir(&copy).unwrap();
    let mut originals = Vec::new();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let bytes = std::fs::read(&path).unwrap();
            std::fs::write(copy.join(path.file_name().unwrap()), &bytes).unwrap();
            originals.push((path, bytes));
        }
    }
    Some((dir, copy, originals))
}

/// An app pinning host port 31080 without hostname UNIQUE and a 0/0
/// upgrade strategy (`pinned-port-rolling-upgrade`, which has a safe fix);
/// otherwise clean.
pub const PINNED_PORT_APP: &str = r#"{
  "id": "/shop/web",
  "instances": 2,
  "cpus": 0.5,
  "mem": 256,
  "networks": [{ "mode": "container/bridge" }],
  "container": {
    "type": "DOCKER",
    "docker": { "image": "nginx:1.25" },
    "portMappings": [
      { "containerPort": 80, "hostPort": 31080, "protocol": "tcp", "name": "http" }
    ]
  },
  "healthChecks": [{ "protocol": "MESOS_HTTP", "portIndex": 0, "path": "/" }]
}
"#;
