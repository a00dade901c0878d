//! A real editor: headless Neovim, set up with README's snippet for Neovim
//! 0.7 and later, starts `marathon-lint lsp` for a JSON file and shows its
//! diagnostics (tests/neovim/init.lua). Skipped, with a message, where
//! `nvim` is not installed; in CI (`CI=true`, where .ci/run installs
//! Debian's package) a missing `nvim` fails, so it is never skipped
//! silently.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

/// README's Neovim snippet that uses `vim.lsp.start_client` (0.7 and
/// later), running the binary under test.
fn readme_setup() -> String {
    let readme = include_str!("../README.md");
    let snippet = readme
        .split("```lua\n")
        .skip(1)
        .map(|block| &block[..block.find("```").unwrap()])
        .find(|block| block.contains("vim.lsp.start_client"))
        .expect("README has a Neovim snippet using vim.lsp.start_client");
    let command = "{ 'marathon-lint', 'lsp' }";
    assert!(snippet.contains(command), "{snippet}");
    let bin = env!("CARGO_BIN_EXE_marathon-lint")
        .replace('\\', "\\\\")
        .replace('\'', "\\'");
    snippet.replace(command, &format!("{{ '{bin}', 'lsp' }}"))
}

fn nvim_available() -> bool {
    Command::new("nvim")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether to skip for want of `nvim`: never in CI.
fn skipped() -> bool {
    if nvim_available() {
        return false;
    }
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(
        !in_ci,
        "nvim is not installed, and CI must run this test: .ci/run installs it (apt-get install neovim)"
    );
    eprintln!("skipped: nvim is not installed (apt-get install neovim to run this test)");
    true
}

#[test]
fn neovim_shows_the_diagnostics_of_an_open_file() {
    if skipped() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let file = dir.path().join("web.json");
    std::fs::write(&file, common::PINNED_PORT_APP).unwrap();
    let out = dir.path().join("diagnostics.json");
    let state = dir.path().join("nvim-home");
    let setup = dir.path().join("setup.lua");
    std::fs::write(&setup, readme_setup()).unwrap();
    let init = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/neovim/init.lua");
    let mut child = Command::new("nvim")
        // No user configuration, plugins, swap or shada files.
        .args(["--headless", "--noplugin", "-n", "-i", "NONE", "-u"])
        .arg(&init)
        .env("MARATHON_LINT_NVIM_SETUP", &setup)
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
    // Read standard error as it comes, so a full pipe never blocks nvim.
    let mut pipe = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut pipe, &mut text);
        text
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            // The language server's input closes with nvim: it exits too.
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = stderr.join().unwrap();
    let written = std::fs::read_to_string(&out).unwrap_or_default();
    let Some(status) = status else {
        panic!("nvim did not finish within 90 s:\n{written}\n{stderr}");
    };
    assert!(status.success(), "nvim failed: {status:?}\n{written}\n{stderr}");
    let result: serde_json::Value =
        serde_json::from_str(&written).unwrap_or_else(|e| panic!("no result from nvim ({e}):\n{stderr}"));
    eprintln!("Neovim {}", result["nvim"]);
    assert_eq!(result["filetype"], "json", "{result}");
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

/// Every Lua snippet in README parses (Neovim's own Lua, `loadfile`); the
/// ones for newer Neovim than the installed one cannot run here.
#[test]
fn every_readme_lua_snippet_parses_in_neovim() {
    if skipped() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let readme = include_str!("../README.md");
    for (i, block) in readme.split("```lua\n").skip(1).enumerate() {
        let snippet = &block[..block.find("```").unwrap()];
        let file = dir.path().join(format!("snippet{i}.lua"));
        std::fs::write(&file, snippet).unwrap();
        let check = format!(
            "lua local _, e = loadfile('{}'); io.stderr:write(e and ('ERROR ' .. e) or 'ok')",
            file.display()
        );
        let output = Command::new("nvim")
            .args(["--headless", "--noplugin", "-n", "-i", "NONE", "-u", "NONE", "-c"])
            .arg(&check)
            .args(["-c", "qa!"])
            .stdin(Stdio::null())
            .output()
            .expect("run nvim");
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(
            said.ends_with("ok"),
            "README Lua snippet {i} does not parse: {said}\n{snippet}"
        );
    }
}
