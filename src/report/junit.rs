//! `--format junit`: JUnit XML, which most CI systems show as test results:
//! one test case per linted file, failing with its diagnostics.

use quick_xml::escape::escape;

use crate::diagnostic::{FileReport, Severity};

pub fn render(reports: &[FileReport]) -> String {
    let failures = reports.iter().filter(|r| r.count(Severity::Error) > 0).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"marathon-lint\" tests=\"{}\" failures=\"{failures}\">\n",
        reports.len()
    ));
    out.push_str(&format!(
        "  <testsuite name=\"marathon-lint\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
        reports.len()
    ));
    for report in reports {
        let file = &report.file;
        let name = escape(file.name.as_str());
        let errors: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        let describe = |d: &crate::diagnostic::Diagnostic| {
            let place = d.span.as_ref().map(|s| {
                let at = file.line_col(s.start);
                format!("{}:{}:{}", file.name, at.line, at.column)
            });
            let mut text = format!(
                "{} [{}] {}",
                place.unwrap_or_else(|| file.name.clone()),
                d.rule,
                d.message
            );
            if let Some(help) = &d.help {
                text.push_str(&format!("\n  help: {help}"));
            }
            text
        };
        if errors.is_empty() {
            out.push_str(&format!("    <testcase name=\"{name}\" classname=\"marathon-lint\">"));
            let others: Vec<String> = report.diagnostics.iter().map(describe).collect();
            if !others.is_empty() {
                out.push_str(&format!(
                    "\n      <system-out>{}</system-out>\n    ",
                    escape(others.join("\n").as_str())
                ));
            }
            out.push_str("</testcase>\n");
        } else {
            let summary = format!("{} error{}", errors.len(), if errors.len() == 1 { "" } else { "s" });
            let body: Vec<String> = report.diagnostics.iter().map(describe).collect();
            out.push_str(&format!(
                "    <testcase name=\"{name}\" classname=\"marathon-lint\">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
                escape(summary.as_str()),
                escape(errors[0].rule.as_str()),
                escape(body.join("\n").as_str())
            ));
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
