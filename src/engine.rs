//! The steps of linting one document that the command line and the language
//! server share, so that an editor shows exactly what `marathon-lint` prints:
//! the linter a configuration gives a path, a lint that survives a bug in a
//! rule, and the bounded fix loop.

use std::path::Path;
use std::sync::Arc;

use crate::config::{Config, SettingsPatch};
use crate::diagnostic::Diagnostic;
use crate::fix::{Fix, Safety};
use crate::lint::{self, Linted, Linter};

/// The linter for one file: its configuration's settings, then the flags.
pub fn linter_for(config: &Config, path: &Path, flags: &SettingsPatch) -> Linter {
    let (settings, _) = config.resolved_settings(path, flags);
    Linter {
        options: settings.options,
        levels: Arc::new(settings.levels),
        policies: config.policies.clone(),
        baseline: flags.baseline.clone().or_else(|| config.baseline.clone()),
    }
}

/// Lint one document; a panic in a rule becomes `Err` with the message to
/// report, so one bug never ends a run or a language server.
pub fn lint_guarded(linter: &Linter, name: &str, bytes: Vec<u8>) -> Result<Linted, String> {
    lint_guarded_with(linter, name, bytes, Vec::new())
}

/// `lint_guarded`, adding findings that rules across files made about it.
pub fn lint_guarded_with(
    linter: &Linter,
    name: &str,
    bytes: Vec<u8>,
    extra: Vec<Diagnostic>,
) -> Result<Linted, String> {
    let lint = || linter.lint_bytes_with(name, bytes, extra);
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(lint)).map_err(|panic| {
        format!(
            "marathon-lint failed on this file: {}; please report it",
            crate::cli::panic_message(&panic)
        )
    })
}

/// Whether a rule is a syntax error that stops every other check of the
/// file: every `json-` rule but a duplicate key (a warning, which fixes remove).
pub fn is_blocking_syntax_error(rule: &str) -> bool {
    rule.starts_with("json-") && rule != "json-duplicate-key"
}

/// Whether the text is JSON fixes may edit: any syntax error but a duplicate
/// key (which fixes remove) leaves a file alone.
pub fn syntax_ok(diagnostics: &[Diagnostic]) -> bool {
    !diagnostics.iter().any(|d| is_blocking_syntax_error(&d.rule))
}

/// Apply fixes until nothing more changes (at most ten rounds), each round
/// on a fresh lint (suppressions applied, as a run does). Returns the fixed
/// text and how many fixes were applied; a round whose result would not
/// parse is dropped, so the text stays the last good one.
pub fn fix_until_stable(linter: &Linter, name: &str, before: &str, unsafe_fixes: bool) -> (String, usize) {
    let allowed = |f: &&Fix| f.safety == Safety::Safe || unsafe_fixes;
    let mut text = before.to_string();
    let mut fixes = 0;
    for _ in 0..10 {
        let reports = lint::finish_run(vec![linter.lint_bytes(name, text.clone().into_bytes())]);
        let chosen: Vec<&Fix> = reports[0]
            .diagnostics
            .iter()
            .filter(|d| !d.baselined)
            .filter_map(|d| d.fix.as_ref())
            .filter(allowed)
            .collect();
        let (next, applied) = crate::fix::apply(&text, &chosen);
        if applied == 0 || next == text {
            break;
        }
        // A fix must never break the document; stop at the last good text.
        if !syntax_ok(&linter.lint_bytes(name, next.clone().into_bytes()).report.diagnostics) {
            break;
        }
        text = next;
        fixes += applied;
    }
    (text, fixes)
}
