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

pub fn diagnostics(reports: &[FileReport]) -> Vec<JsonDiagnostic<'_>> {
    reports.iter().flat_map(file_diagnostics).collect()
}

fn file_diagnostics(report: &FileReport) -> Vec<JsonDiagnostic<'_>> {
    let file = &report.file;
    report
        .diagnostics
        .iter()
        .map(|d| {
            let span = d.span.clone().unwrap_or(0..0);
            let start = file.line_col(span.start);
            let end = file.line_col(span.end);
            JsonDiagnostic {
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
            }
        })
        .collect()
}

/// One file's diagnostics, each an element of the document's
/// `diagnostics` array as it is printed there.
pub fn fragment(report: &FileReport) -> Vec<String> {
    file_diagnostics(report)
        .iter()
        .map(|d| super::pretty_element(d, 2))
        .collect()
}

/// The document, opened and closed around the elements.
pub const FRAME: super::ArrayFrame = super::ArrayFrame {
    open: "{\n  \"diagnostics\": [",
    close: "\n  ]\n}\n",
    empty: "{\n  \"diagnostics\": []\n}\n",
};

pub fn render(reports: &[FileReport]) -> String {
    super::render_all(super::Format::Json, reports)
}
