//! The `marathon-lint.toml` parser on arbitrary text: a broken file is
//! reported with valid spans (and renders), never a panic.
#![no_main]

use std::path::Path;
use std::sync::Once;

use fuzz_invariants::check_reports;
use libfuzzer_sys::fuzz_target;

static EMPTY_DIR: Once = Once::new();

fuzz_target!(|text: &str| {
    // `policy-dirs` are read relative to the configuration: run in an empty
    // directory so results do not depend on where the fuzzer was started.
    EMPTY_DIR.call_once(|| {
        let dir = std::env::temp_dir().join("marathon-lint-fuzz-config");
        std::fs::create_dir_all(&dir).expect("create an empty directory");
        std::env::set_current_dir(&dir).expect("enter it");
    });
    if let Err(reports) = marathon_lint::config::parse_text(Path::new("marathon-lint.toml"), text.to_string()) {
        assert!(reports.iter().any(|r| !r.diagnostics.is_empty()), "an error says why");
        check_reports(&reports);
    }
});
