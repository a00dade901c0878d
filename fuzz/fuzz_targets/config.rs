//! The `marathon-lint.toml` parser on arbitrary text: a broken file is
//! reported with valid spans (and renders), never a panic.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use fuzz_invariants::check_reports;
use libfuzzer_sys::fuzz_target;

/// `marathon-lint.toml` in an empty directory: `policy-dirs` are read relative
/// to the configuration, so results must not depend on where the fuzzer runs
/// (changing the working directory instead would break libFuzzer's relative
/// corpus paths).
static PATH: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join("marathon-lint-fuzz-config");
    std::fs::create_dir_all(&dir).expect("create an empty directory");
    dir.join("marathon-lint.toml")
});

fuzz_target!(|text: &str| {
    if let Err(reports) = marathon_lint::config::parse_text(&PATH, text.to_string()) {
        assert!(reports.iter().any(|r| !r.diagnostics.is_empty()), "an error says why");
        check_reports(&reports);
    }
});
