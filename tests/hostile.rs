//! Nothing a user feeds marathon-lint may crash or hang it. Each hostile
//! input gets a clear, located diagnostic, and the run goes on with the other
//! files of the same invocation: every run here also lints `good.json` (clean)
//! and `witness.json` (one warning, so it proves it was linted without
//! changing the exit status), named after the hostile input.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::Run;
use serde_json::Value;

const GOOD: &str = r#"{"id": "/good", "cmd": "sleep 1000", "cpus": 0.1, "mem": 32, "instances": 1}"#;
const WITNESS: &str = r#"{"id": "/witness", "cmd": "sleep 1", "contraints": []}"#;

/// A fresh directory, readable by anyone (for the unprivileged runs), with
/// `good.json` and `witness.json`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.path().join("good.json"), GOOD).unwrap();
    std::fs::write(dir.path().join("witness.json"), WITNESS).unwrap();
    dir
}

/// Run the binary in `dir`; a run that hangs fails the test instead of
/// hanging the suite (the limit is far above any real run, not a timing
/// assertion).
fn run_command(mut command: Command, dir: &Path, args: &[&str]) -> Run {
    command
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("binary runs");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).unwrap();
            String::from_utf8(bytes).expect("output is UTF-8")
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("marathon-lint {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code().expect("exited normally, not by a signal"),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn lint_in(dir: &Path, args: &[&str]) -> Run {
    run_command(common::bin(), dir, args)
}

/// JSON and human output of one invocation over `files`, with `good.json`
/// first and `witness.json` last.
fn lint_both(dir: &Path, files: &[&str], extra: &[&str]) -> (Run, Run) {
    let mut paths = vec!["good.json"];
    paths.extend_from_slice(files);
    paths.push("witness.json");
    let with = |format: &str| {
        let mut args = vec!["--format", format, "--color", "never"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&paths);
        lint_in(dir, &args)
    };
    (with("json"), with("human"))
}

fn diagnostics(run: &Run) -> Vec<Value> {
    run.json()["diagnostics"].as_array().unwrap().clone()
}

fn of_file(run: &Run, file: &str) -> Vec<Value> {
    diagnostics(run).into_iter().filter(|d| d["file"] == file).collect()
}

/// The run went on: the clean file has nothing, the witness its warning.
fn assert_others_linted(json: &Run, good: &str, witness: &str) {
    assert_eq!(of_file(json, good), Vec::<Value>::new(), "{}", json.stdout);
    let w = of_file(json, witness);
    assert_eq!(w.len(), 1, "the witness was not linted:\n{}", json.stdout);
    assert_eq!(
        (w[0]["rule"].as_str(), w[0]["line"].as_u64()),
        (Some("unknown-field"), Some(1))
    );
}

/// The single diagnostic on `file`, checked for rule, message and place.
fn located(json: &Run, file: &str, rule: &str, message: &str, at: Option<(u64, u64)>) -> Value {
    let found = of_file(json, file);
    assert_eq!(found.len(), 1, "{}", json.stdout);
    let d = found[0].clone();
    assert_eq!(d["rule"], rule, "{d}");
    let text = d["message"].as_str().unwrap();
    assert!(text.contains(message), "{text:?} does not say {message:?}");
    if let Some((line, column)) = at {
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(line), Some(column)),
            "{d}"
        );
    }
    d
}

/// Human output names the place: a frame header or a location line.
fn assert_human_names(human: &Run, place: &str) {
    assert!(
        [format!("[{place}]"), format!("  at {place}"), format!("  in {place}\n")]
            .iter()
            .any(|form| human.stdout.contains(form)),
        "human output lacks {place}:\n{}",
        human.stdout
    );
}

fn hostile_file(name: &str, bytes: &[u8]) -> tempfile::TempDir {
    let dir = workspace();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    dir
}

// ----- nesting -----------------------------------------------------------

fn assert_too_deep(text: String) {
    let dir = hostile_file("deep.json", text.as_bytes());
    let (json, human) = lint_both(dir.path(), &["deep.json"], &[]);
    let d = located(&json, "deep.json", "json-syntax", "nested too deeply", None);
    assert_eq!(d["line"], 1);
    assert!(d["column"].as_u64().unwrap() > 1, "{d}");
    assert_others_linted(&json, "good.json", "witness.json");
    assert_eq!((json.code, human.code), (1, 1));
    assert_human_names(&human, &format!("deep.json:1:{}", d["column"]));
}

#[test]
fn arrays_nested_100000_deep_are_a_syntax_error_not_a_stack_overflow() {
    let depth = 100_000;
    assert_too_deep(format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
}

#[test]
fn objects_nested_100000_deep_are_a_syntax_error_not_a_stack_overflow() {
    let depth = 100_000;
    assert_too_deep(format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth)));
}

// ----- size --------------------------------------------------------------

#[test]
fn a_file_over_the_size_limit_is_reported_not_read() {
    let mut big = String::from(r#"{"id": "/big", "cmd": ""#);
    big.push_str(&"x".repeat(2 * 1024 * 1024));
    big.push_str("\"}");
    let dir = hostile_file("big.json", big.as_bytes());
    let (json, human) = lint_both(dir.path(), &["big.json"], &["--max-file-size", "1"]);
    located(&json, "big.json", "file-too-large", "larger than 1 MiB", None);
    assert!(of_file(&json, "big.json")[0]["message"]
        .as_str()
        .unwrap()
        .contains("--max-file-size"));
    assert_others_linted(&json, "good.json", "witness.json");
    // A finding about the file (an error), not a failure of the tool.
    assert_eq!((json.code, human.code), (1, 1));
    assert_human_names(&human, "big.json");
    // The same file is linted under the default limit.
    let run = lint_in(dir.path(), &["--format", "json", "big.json"]);
    assert_eq!((run.code, diagnostics(&run).len()), (0, 0), "{}", run.stdout);
}

#[test]
fn the_default_size_limit_is_in_help() {
    let help = common::run(&["--help"]).stdout;
    let flag = help
        .find("--max-file-size <MIB>")
        .expect("--help documents --max-file-size");
    let rest = &help[flag..];
    let next = rest[2..].find("\n  -").map_or(rest.len(), |i| i + 2);
    assert!(rest[..next].contains("[default: 64]"), "{}", &rest[..next]);
}

#[test]
fn the_default_size_limit_is_in_the_readme_usage_list() {
    let readme = include_str!("../README.md");
    let usage = &readme[readme.find("## Usage").unwrap()..readme.find("### Exit status").unwrap()];
    let line = usage
        .lines()
        .find(|l| l.starts_with("- `--max-file-size"))
        .expect("README's Usage list has --max-file-size");
    assert!(line.contains("64"), "{line}");
}

// ----- encoding ----------------------------------------------------------

#[test]
fn invalid_utf8_inside_a_string_is_located() {
    let dir = hostile_file(
        "latin1.json",
        b"{\"id\": \"/a\",\n \"cmd\": \"caf\xe9 bar\", \"mem\": 32}\n",
    );
    let (json, human) = lint_both(dir.path(), &["latin1.json"], &[]);
    located(&json, "latin1.json", "json-invalid-utf8", "byte 0xE9", Some((2, 13)));
    assert_others_linted(&json, "good.json", "witness.json");
    assert_eq!((json.code, human.code), (1, 1));
    assert_human_names(&human, "latin1.json:2:13");
}

#[test]
fn invalid_utf8_at_the_very_start_is_located() {
    let dir = hostile_file("utf16.json", b"\xff\xfe{\x00}\x00");
    let (json, human) = lint_both(dir.path(), &["utf16.json"], &[]);
    located(&json, "utf16.json", "json-invalid-utf8", "byte 0xFF", Some((1, 1)));
    assert_others_linted(&json, "good.json", "witness.json");
    assert_eq!((json.code, human.code), (1, 1));
    assert_human_names(&human, "utf16.json:1:1");
}

#[test]
fn a_raw_nul_byte_is_named_and_located() {
    let dir = hostile_file("nul.json", b"{\"id\": \"/a\",\n \x00 \"cmd\": \"sleep 1\"}");
    let (json, human) = lint_both(dir.path(), &["nul.json"], &[]);
    located(
        &json,
        "nul.json",
        "json-syntax",
        "control character U+0000 (NUL)",
        Some((2, 2)),
    );
    assert_others_linted(&json, "good.json", "witness.json");
    assert_eq!((json.code, human.code), (1, 1));
    assert_human_names(&human, "nul.json:2:2");
}

#[test]
fn a_nul_byte_inside_a_string_is_named_and_located() {
    let dir = hostile_file("nul-in-string.json", b"{\"id\": \"/a\", \"cmd\": \"sleep\x001\"}");
    let (json, human) = lint_both(dir.path(), &["nul-in-string.json"], &[]);
    located(
        &json,
        "nul-in-string.json",
        "json-syntax",
        "control character U+0000 (NUL) inside a string",
        Some((1, 27)),
    );
    assert_others_linted(&json, "good.json", "witness.json");
    assert_eq!((json.code, human.code), (1, 1));
    assert_human_names(&human, "nul-in-string.json:1:27");
}

#[test]
fn a_byte_order_mark_is_accepted_and_positions_stay_right() {
    // Editors do not count the mark as a column: `-1` is at column 36 on
    // line 1, and at column 10 on line 3 of the second file.
    let dir = workspace();
    std::fs::write(
        dir.path().join("bom.json"),
        "\u{feff}{\"id\": \"/a\", \"cmd\": \"abcd\", \"mem\": -1}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bom-lines.json"),
        "\u{feff}{\"id\": \"/b\", \"cmd\": \"abcd\",\n\n  \"mem\": -1}\n",
    )
    .unwrap();
    let (json, human) = lint_both(dir.path(), &["bom.json", "bom-lines.json"], &[]);
    let d = located(
        &json,
        "bom.json",
        "schema-violation",
        "`mem` must be at least 0",
        Some((1, 36)),
    );
    assert_eq!(
        (d["end_column"].as_u64(), d["offset"].as_u64()),
        (Some(38), Some(38)),
        "{d}"
    );
    located(
        &json,
        "bom-lines.json",
        "schema-violation",
        "`mem` must be at least 0",
        Some((3, 10)),
    );
    assert_others_linted(&json, "good.json", "witness.json");
    assert_eq!((json.code, human.code), (1, 1));
    assert_human_names(&human, "bom.json:1:36");
    assert_human_names(&human, "bom-lines.json:3:10");
}

// ----- the file system ---------------------------------------------------

#[test]
fn a_symlink_loop_in_a_walked_directory_is_reported_once_and_not_followed() {
    let dir = workspace();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("sub/loop")).unwrap();
    let run = lint_in(dir.path(), &["--format", "json", "."]);
    located(&run, "./sub/loop", "symlink-loop", "symbolic link loop", None);
    assert_eq!(of_file(&run, "./sub/loop")[0]["severity"], "warning");
    assert_others_linted(&run, "./good.json", "./witness.json");
    // Everything reachable was linted: a warning, not a failure.
    assert_eq!(run.code, 0, "{}", run.stdout);
}

/// How to run the binary so that permissions stop it: as `nobody` when we
/// are root (CI), as ourselves otherwise. `None` when neither works here.
fn unprivileged(probe: &Path) -> Option<Command> {
    let me = std::fs::metadata(probe.join("good.json")).unwrap().uid();
    let mut command = common::bin();
    if me == 0 {
        use std::os::unix::process::CommandExt;
        // std drops supplementary groups when root changes uid.
        command.uid(65534).gid(65534);
        let mut check = Command::new(env!("CARGO_BIN_EXE_marathon-lint"));
        check.arg("--version").uid(65534).gid(65534).stdout(Stdio::null());
        if !check.status().is_ok_and(|s| s.success()) {
            return None;
        }
    }
    Some(command)
}

#[test]
fn an_unreadable_directory_and_file_are_reported_and_the_walk_goes_on() {
    let dir = workspace();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("app.json"), GOOD).unwrap();
    std::fs::write(dir.path().join("secret.json"), GOOD).unwrap();
    let Some(command) = unprivileged(dir.path()) else {
        eprintln!("SKIPPED: cannot run the binary as an unprivileged user (uid 65534) here");
        return;
    };
    for path in [&locked, &dir.path().join("secret.json")] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let run = run_command(command, dir.path(), &["--format", "json", "."]);
    for path in [&locked, &dir.path().join("secret.json")] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    if run.code == 0 {
        eprintln!("SKIPPED: permissions do not stop this user from reading (a capability?)");
        return;
    }
    located(&run, "./locked", "io-error", "permission denied", None);
    located(&run, "./secret.json", "io-error", "permission denied", None);
    assert_others_linted(&run, "./good.json", "./witness.json");
    assert_eq!(run.code, 2, "{}", run.stdout);
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo (coreutils) runs");
    assert!(status.success());
}

#[test]
fn a_fifo_in_a_walked_directory_is_skipped_without_hanging() {
    let dir = workspace();
    mkfifo(&dir.path().join("pipe.json"));
    let run = lint_in(dir.path(), &["--format", "json", "."]);
    assert_eq!(of_file(&run, "./pipe.json"), Vec::<Value>::new());
    assert_others_linted(&run, "./good.json", "./witness.json");
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn a_fifo_named_explicitly_is_not_a_regular_file_and_does_not_hang() {
    let dir = workspace();
    mkfifo(&dir.path().join("pipe.json"));
    let (json, human) = lint_both(dir.path(), &["pipe.json"], &[]);
    located(&json, "pipe.json", "io-error", "not a regular file", None);
    assert_others_linted(&json, "good.json", "witness.json");
    assert_eq!((json.code, human.code), (2, 2));
    assert_human_names(&human, "pipe.json");
}

#[test]
fn a_fifo_among_policies_is_a_config_error_and_does_not_hang() {
    let dir = workspace();
    let team = dir.path().join("team");
    std::fs::create_dir_all(team.join("policies")).unwrap();
    std::fs::write(team.join("marathon-lint.toml"), "policy-dirs = [\"policies\"]\n").unwrap();
    std::fs::write(team.join("app.json"), GOOD).unwrap();
    mkfifo(&team.join("policies/owner.md"));
    let (json, human) = lint_both(dir.path(), &["team"], &[]);
    located(
        &json,
        "team/policies/owner.md",
        "config-error",
        "not a regular file",
        None,
    );
    assert_others_linted(&json, "good.json", "witness.json");
    assert_eq!((json.code, human.code), (2, 2));
}

/// Removing a file between discovery and reading cannot be timed from
/// outside the process, so this goes through the same two steps the run
/// takes, discover then read, with the removal in between.
#[test]
fn a_file_removed_after_discovery_is_a_read_error_not_a_panic() {
    use marathon_lint::cli::{read_file, ReadError};
    use marathon_lint::discover::{discover, Found, Input};
    let dir = workspace();
    let roots = [dir.path().to_path_buf()];
    let paths: Vec<PathBuf> = discover(&roots)
        .map(|f| match f {
            Found::Input(Input::File { path, .. }) => path,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(paths.len(), 2);
    std::fs::remove_file(&paths[0]).unwrap();
    assert_eq!(
        read_file(&paths[0], u64::MAX),
        Err(ReadError::Failed("no such file or directory".into()))
    );
    assert_eq!(read_file(&paths[1], u64::MAX), Ok(WITNESS.as_bytes().to_vec()));
}

/// End to end, the closest deterministic case: a link whose target was
/// removed. A `.json` one is reported; one that would not be linted anyway
/// (`README`) is none of our business.
#[test]
fn a_link_whose_target_was_removed_is_reported_when_it_would_be_linted() {
    let dir = workspace();
    for (link, target) in [("gone.json", "target.json"), ("README", "docs/README.md")] {
        std::fs::write(dir.path().join("target.json"), GOOD).unwrap();
        std::os::unix::fs::symlink(target, dir.path().join(link)).unwrap();
    }
    std::fs::remove_file(dir.path().join("target.json")).unwrap();
    let run = lint_in(dir.path(), &["--format", "json", "."]);
    located(
        &run,
        "./gone.json",
        "io-error",
        "broken symbolic link: its target target.json does not exist",
        None,
    );
    assert_eq!(of_file(&run, "./README"), Vec::<Value>::new());
    assert_others_linted(&run, "./good.json", "./witness.json");
    assert_eq!(run.code, 2, "{}", run.stdout);
    // Named explicitly, it says the same.
    let (json, human) = lint_both(dir.path(), &["gone.json"], &[]);
    located(&json, "gone.json", "io-error", "broken symbolic link", None);
    assert_others_linted(&json, "good.json", "witness.json");
    assert_eq!((json.code, human.code), (2, 2));
}

// ----- values ------------------------------------------------------------

#[test]
fn a_number_too_large_for_f64_is_located() {
    let text = "{\"id\": \"/a\", \"cmd\": \"sleep 1\",\n  \"portDefinitions\": [{\"port\": 0, \"hostPort\": 1e400}]}";
    let dir = hostile_file("huge.json", text.as_bytes());
    let (json, human) = lint_both(dir.path(), &["huge.json"], &[]);
    let d = located(&json, "huge.json", "json-syntax", "too large", Some((2, 47)));
    assert_eq!(d["end_column"], 52, "the whole number: {d}");
    assert_others_linted(&json, "good.json", "witness.json");
    assert_eq!((json.code, human.code), (1, 1));
    assert_human_names(&human, "huge.json:2:47");
}

#[test]
fn an_integer_beyond_u64_is_out_of_range_and_located() {
    let text = "{\"id\": \"/a\", \"cmd\": \"sleep 1\",\n  \"instances\": 99999999999999999999}";
    let dir = hostile_file("many.json", text.as_bytes());
    let (json, human) = lint_both(dir.path(), &["many.json"], &[]);
    let d = located(
        &json,
        "many.json",
        "schema-violation",
        "must be at most 2147483647",
        Some((2, 16)),
    );
    assert_eq!(d["pointer"], "/instances");
    assert_others_linted(&json, "good.json", "witness.json");
    assert_eq!((json.code, human.code), (1, 1));
    assert_human_names(&human, "many.json:2:16");
}

#[test]
fn a_10_mb_string_gives_a_location_not_a_10_mb_code_frame() {
    let long = "x".repeat(10_000_000);
    let dir = workspace();
    // The finding on the endless line, and next to it.
    let on = format!("{{\"id\": \"/a\", \"cmd\": \"{long}\", \"mem\": -1}}");
    let next = format!("{{\"id\": \"/b\", \"cmd\": \"{long}\",\n\"mem\": -1}}");
    std::fs::write(dir.path().join("on.json"), on).unwrap();
    std::fs::write(dir.path().join("next.json"), next).unwrap();
    let (json, human) = lint_both(dir.path(), &["on.json", "next.json"], &[]);
    located(&json, "on.json", "schema-violation", "`mem`", Some((1, 10_000_032)));
    located(&json, "next.json", "schema-violation", "`mem`", Some((2, 8)));
    assert_others_linted(&json, "good.json", "witness.json");
    assert_eq!((json.code, human.code), (1, 1));
    assert_human_names(&human, "on.json:1:10000032");
    assert_human_names(&human, "next.json:2:8");
    assert!(
        human.stdout.len() < 4096,
        "{} bytes of human output",
        human.stdout.len()
    );
    assert!(json.stdout.len() < 4096, "{} bytes of JSON output", json.stdout.len());
}

#[test]
fn an_empty_file_is_located_at_its_start() {
    let dir = hostile_file("empty.json", b"");
    let (json, human) = lint_both(dir.path(), &["empty.json"], &[]);
    located(
        &json,
        "empty.json",
        "json-empty-file",
        "the file is empty",
        Some((1, 1)),
    );
    assert_others_linted(&json, "good.json", "witness.json");
    assert_eq!((json.code, human.code), (1, 1));
    assert_human_names(&human, "empty.json:1:1");
    assert!(
        !human.stdout.contains("[empty.json"),
        "no frame around nothing:\n{}",
        human.stdout
    );
}

#[test]
fn a_file_of_only_whitespace_is_located_at_its_start() {
    let dir = hostile_file("blank.json", b"  \n\t\r\n  ");
    let (json, human) = lint_both(dir.path(), &["blank.json"], &[]);
    located(&json, "blank.json", "json-empty-file", "only whitespace", Some((1, 1)));
    assert_others_linted(&json, "good.json", "witness.json");
    assert_eq!((json.code, human.code), (1, 1));
    assert_human_names(&human, "blank.json:1:1");
}

#[test]
fn control_characters_from_a_file_never_reach_the_terminal() {
    // An escape sequence that would turn the terminal red, raw in a string
    // (a syntax error drawn in a frame) and escaped in a key (an unknown
    // field named in a message).
    let dir = workspace();
    std::fs::write(
        dir.path().join("raw.json"),
        b"{\"id\": \"/a\", \"cmd\": \"sleep \x1b[31m 1\"}",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("key.json"),
        br#"{"id": "/b", "cmd": "sleep 1", "x\u001b[31m": 1}"#,
    )
    .unwrap();
    let (json, human) = lint_both(dir.path(), &["raw.json", "key.json"], &[]);
    located(
        &json,
        "raw.json",
        "json-syntax",
        "control character U+001B",
        Some((1, 28)),
    );
    located(&json, "key.json", "unknown-field", "unknown field", Some((1, 32)));
    assert_others_linted(&json, "good.json", "witness.json");
    assert_eq!((json.code, human.code), (1, 1));
    assert!(!human.stdout.contains('\u{1b}'), "{:?}", human.stdout);
    assert!(human.stdout.contains("\"sleep ?[31m 1\""), "{}", human.stdout);
    assert!(human.stdout.contains("`x\\u{1b}[31m`"), "{}", human.stdout);
    assert_human_names(&human, "raw.json:1:28");
    // XML cannot hold it at all: the JUnit report would not parse.
    let junit = lint_in(dir.path(), &["--format", "junit", "raw.json", "key.json"]);
    assert_eq!(junit.code, 1);
    assert!(!junit.stdout.contains('\u{1b}'), "{:?}", junit.stdout);
    assert!(junit.stdout.contains("x\\u{1b}[31m"), "{}", junit.stdout);
}

// ----- the linter only reads ---------------------------------------------

/// Every path under `root` with its bytes (files), mode and modification
/// time.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (Option<Vec<u8>>, u32, SystemTime)> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(|entry| {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            let bytes = meta.is_file().then(|| std::fs::read(entry.path()).unwrap());
            (
                entry.path().to_path_buf(),
                (bytes, meta.mode(), meta.modified().unwrap()),
            )
        })
        .collect()
}

fn set_modes(root: &Path, file: u32, dir: u32) {
    // Children first: a 0555 directory still lets root in, but not others.
    for entry in walkdir::WalkDir::new(root).contents_first(true) {
        let entry = entry.unwrap();
        let mode = if entry.file_type().is_dir() { dir } else { file };
        std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

#[test]
fn linting_a_read_only_corpus_changes_nothing_in_it() {
    let Some(shared) = common::shared_dir() else {
        eprintln!("SKIPPED: ../shared/corpus is not in this checkout");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let corpus = work.path().join("corpus");
    for entry in walkdir::WalkDir::new(shared.join("corpus")) {
        let entry = entry.unwrap();
        let to = corpus.join(entry.path().strip_prefix(shared.join("corpus")).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    set_modes(&corpus, 0o444, 0o555);
    let before = snapshot(&corpus);
    let reports = tempfile::tempdir().unwrap();
    let sarif = reports.path().join("report.sarif");
    let runs = [
        lint_in(&corpus, &["--color", "never", "."]),
        lint_in(&corpus, &["--format", "json", "."]),
        lint_in(
            &corpus,
            &["--format", "sarif", "--output", sarif.to_str().unwrap(), "."],
        ),
    ];
    let after = snapshot(&corpus);
    set_modes(&corpus, 0o644, 0o755);
    for run in &runs {
        assert_eq!(
            run.code, 1,
            "the corpus has broken files, all readable:\n{}",
            run.stderr
        );
    }
    assert!(!diagnostics(&runs[1]).is_empty());
    let report: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    assert_eq!(report["version"], "2.1.0");
    let created: Vec<_> = after.keys().filter(|p| !before.contains_key(*p)).collect();
    assert_eq!(created, Vec::<&PathBuf>::new(), "files created in the corpus");
    assert_eq!(before.len(), after.len());
    for (path, was) in &before {
        assert!(after.get(path) == Some(was), "{} changed", path.display());
    }
}
