//! Output: human (miette code frames) and JSON (a stable contract for editors
//! and CI tools).

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use crate::diagnostic::{FileReport, Severity};

/// Totals for the closing summary.
#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Files with at least one diagnostic.
    pub files_with_findings: usize,
    pub files_checked: usize,
    /// `.json` files skipped because they do not look like Marathon definitions.
    pub files_skipped: usize,
}

impl Totals {
    pub fn add(&mut self, report: &FileReport) {
        self.errors += report.count(Severity::Error);
        self.warnings += report.count(Severity::Warning);
        self.infos += report.count(Severity::Info);
        self.files_with_findings += usize::from(!report.diagnostics.is_empty());
        self.files_checked += 1;
    }

    /// `3 errors, 1 warning in 2 files; 12 files checked`
    pub fn summary(&self) -> String {
        fn count(n: usize, word: &str) -> String {
            format!("{n} {word}{}", if n == 1 { "" } else { "s" })
        }
        let checked = count(self.files_checked, "file");
        if self.errors + self.warnings + self.infos == 0 {
            return format!("no problems found; {checked} checked");
        }
        let mut parts = vec![count(self.errors, "error"), count(self.warnings, "warning")];
        if self.infos > 0 {
            parts.push(count(self.infos, "info"));
        }
        format!(
            "{} in {}; {checked} checked",
            parts.join(", "),
            count(self.files_with_findings, "file")
        )
    }
}
