//! A real editor: headless Neovim starts `marathon-lint lsp` for a JSON
//! file and shows its diagnostics (tests/neovim/init.lua). Skipped, with a
//! message, where `nvim` is not installed; in CI (`CI=true`, where .ci/run
//! installs Debian's package) a missing `nvim` fails, so it is never
//! skipped silently.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

fn nvim_available() -> bool {
    Command::new("nvim")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn neovim_shows_the_diagnostics_of_an_open_file() {
    if !nvim_available() {
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(
            !in_ci,
            "nvim is not installed, and CI must run this test: .ci/run installs it (apt-get install neovim)"
        );
        eprintln!("skipped: nvim is not installed (apt-get install neovim to run this test)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let file = dir.path().join("web.json");
    std::fs::write(&file, common::PINNED_PORT_APP).unwrap();
    let out = dir.path().join("diagnostics.json");
    let state = dir.path().join("nvim-home");
    let init = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/neovim/init.lua");
    let mut child = Command::new("nvim")
        .args(["--headless", "-n", "-i", "NONE", "-u"])
        .arg(&init)
        .env("MARATHON_LINT_BIN", env!("CARGO_BIN_EXE_marathon-lint"))
        .env("MARATHON_LINT_NVIM_FILE", &file)
        .env("MARATHON_LINT_NVIM_OUT", &out)
        // Neither the user's configuration nor their logs.
        .env("XDG_CONFIG_HOME", &state)
        .env("XDG_DATA_HOME", &state)
        .env("XDG_STATE_HOME", &state)
        .env("XDG_CACHE_HOME", &state)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nvim");
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("nvim did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    use std::io::Read;
    let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
    assert!(status.success(), "nvim failed: {status:?}\n{stderr}");
    let written = std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("no result from nvim ({e}):\n{stderr}"));
    let result: serde_json::Value = serde_json::from_str(&written).unwrap();
    eprintln!("Neovim {}", result["nvim"]);
    assert_eq!(result["found"], true, "no diagnostics within 30 s: {result}");
    let diagnostics = result["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{result}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "pinned-port-rolling-upgrade");
    assert_eq!(d["source"], "marathon-lint");
    // 0-based, as Neovim counts: line 11, column 42 of the file.
    assert_eq!(
        (d["lnum"].as_u64(), d["col"].as_u64()),
        (Some(10), Some(41)),
        "{result}"
    );
}
