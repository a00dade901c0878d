//! `--format gitlab`: a GitLab Code Quality report (a JSON array of issues),
//! which merge requests show inline.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::diagnostic::{FileReport, Severity};

pub fn render(reports: &[FileReport]) -> String {
    super::render_all(super::Format::Gitlab, reports)
}

/// The report is one JSON array of issues.
pub const FRAME: super::ArrayFrame = super::ArrayFrame {
    open: "[",
    close: "\n]\n",
    empty: "[]\n",
};

/// One file's issues, each as it is printed in the array.
pub fn fragment(report: &FileReport) -> Vec<String> {
    let mut issues: Vec<String> = Vec::new();
    let file = &report.file;
    let path = file.name.strip_prefix("./").unwrap_or(&file.name);
    for d in &report.diagnostics {
        let severity = match d.severity {
            Severity::Error => "major",
            Severity::Warning => "minor",
            Severity::Info => "info",
        };
        let (begin, end) = match &d.span {
            Some(span) => (file.line_col(span.start).line, file.line_col(span.end).line),
            None => (1, 1),
        };
        // Stable across runs and unrelated edits elsewhere in the file:
        // no line numbers in it.
        let mut hasher = Sha256::new();
        for part in [path, &d.rule, d.pointer.as_deref().unwrap_or(""), &d.message] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        let fingerprint: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        let issue: Value = json!({
            "type": "issue",
            "check_name": d.rule,
            "description": d.message,
            "content": { "body": d.help.clone().unwrap_or_default() },
            "categories": ["Bug Risk"],
            "severity": severity,
            "fingerprint": fingerprint,
            "location": { "path": path, "lines": { "begin": begin, "end": end } },
        });
        issues.push(super::pretty_element(&issue, 1));
    }
    issues
}
