//! `--format junit`: JUnit XML, which most CI systems show as test results:
//! one test case per linted file, failing with its diagnostics.

use crate::diagnostic::{FileReport, Severity};

/// XML-escaped text. XML 1.0 cannot hold control characters other than tab
/// and line breaks, not even as references, so a value quoted from a file is
/// written `\u{1b}` instead of breaking the whole report.
fn escape(text: &str) -> String {
    let allowed = |c: char| !c.is_control() || matches!(c, '\t' | '\n' | '\r');
    let text: String = text
        .chars()
        .flat_map(|c| {
            let escaped = (!allowed(c)).then(|| c.escape_unicode());
            escaped.into_iter().flatten().chain(allowed(c).then_some(c))
        })
        .collect();
    quick_xml::escape::escape(text.as_str()).into_owned()
}

pub fn render(reports: &[FileReport]) -> String {
    super::render_all(super::Format::Junit, reports)
}

/// One file's test case, and whether it failed (it has an error).
pub fn testcase(report: &FileReport) -> (String, bool) {
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
    let mut out = String::new();
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
    (out, !errors.is_empty())
}

/// The JUnit document of a run's test cases.
pub fn document(cases: &[(String, bool)]) -> String {
    let failures = cases.iter().filter(|(_, failed)| *failed).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"marathon-lint\" tests=\"{}\" failures=\"{failures}\">\n",
        cases.len()
    ));
    out.push_str(&format!(
        "  <testsuite name=\"marathon-lint\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
        cases.len()
    ));
    for (case, _) in cases {
        out.push_str(case);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
