//! `--format json`: one document `{"diagnostics": [...]}`. This is a contract
//! that editors and CI tools parse: fields are only ever added, never renamed.

use serde::Serialize;

use crate::diagnostic::{FileReport, Severity};

#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    pub file: &'a str,
    pub rule: &'a str,
    pub severity: Severity,
    pub message: &'a str,
    /// JSON pointer of the offending value ("" is the document root); null for
    /// problems in the raw text (syntax, encoding, I/O).
    pub pointer: Option<&'a str>,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub help: Option<&'a str>,
    /// Byte offsets of the span, for tools that work on bytes.
    pub offset: usize,
    pub end_offset: usize,
}

#[derive(Serialize)]
struct Document<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

pub fn diagnostics(reports: &[FileReport]) -> Vec<JsonDiagnostic<'_>> {
    let mut out = Vec::new();
    for report in reports {
        let file = &report.file;
        for d in &report.diagnostics {
            let span = d.span.clone().unwrap_or(0..0);
            let start = file.line_col(span.start);
            let end = file.line_col(span.end);
            out.push(JsonDiagnostic {
                file: &file.name,
                rule: &d.rule,
                severity: d.severity,
                message: &d.message,
                pointer: d.pointer.as_deref(),
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
                help: d.help.as_deref(),
                offset: span.start,
                end_offset: span.end,
            });
        }
    }
    out
}

pub fn render(reports: &[FileReport]) -> String {
    let document = Document {
        diagnostics: diagnostics(reports),
    };
    let mut text = serde_json::to_string_pretty(&document).expect("diagnostics serialize");
    text.push('\n');
    text
}
