//! `--format gitlab`: a GitLab Code Quality report (a JSON array of issues),
//! which merge requests show inline.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::diagnostic::{FileReport, Severity};

pub fn render(reports: &[FileReport]) -> String {
    let mut issues: Vec<Value> = Vec::new();
    for report in reports {
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
            issues.push(json!({
                "type": "issue",
                "check_name": d.rule,
                "description": d.message,
                "content": { "body": d.help.clone().unwrap_or_default() },
                "categories": ["Bug Risk"],
                "severity": severity,
                "fingerprint": fingerprint,
                "location": { "path": path, "lines": { "begin": begin, "end": end } },
            }));
        }
    }
    let mut text = serde_json::to_string_pretty(&issues).expect("report serializes");
    text.push('\n');
    text
}
