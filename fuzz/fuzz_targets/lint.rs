//! The whole lint of one document, as the CLI does it: lint the bytes, finish
//! the run, render human and JSON output. The same document is linted under
//! two names so the rules across files (duplicate ids, shared host ports)
//! run too. Every span must be valid and every reported position must match
//! its span.
#![no_main]

use fuzz_invariants::check_reports;
use libfuzzer_sys::fuzz_target;
use marathon_lint::lint::{finish_run, Linter};

fuzz_target!(|bytes: &[u8]| {
    let linter = Linter::default();
    let first = linter.lint_bytes("apps/a.json", bytes.to_vec());
    let second = linter.lint_bytes("apps/b.json", bytes.to_vec());
    let reports = finish_run(vec![first, second]);
    assert_eq!(reports.len(), 2);
    check_reports(&reports);
});
