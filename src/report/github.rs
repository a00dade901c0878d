//! `--format github`: GitHub Actions workflow commands, which annotate the
//! pull request diff (`::error file=...,line=...::message`).

use crate::diagnostic::{FileReport, Severity};

/// Escape the message part of a workflow command.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a property value (`file=`, `title=`): also `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(reports: &[FileReport]) -> String {
    reports.iter().map(fragment).collect()
}

/// One file's workflow commands.
pub fn fragment(report: &FileReport) -> String {
    let mut out = String::new();
    let file = &report.file;
    for d in &report.diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let name = file.name.strip_prefix("./").unwrap_or(&file.name);
        let mut properties = vec![format!("file={}", escape_property(name))];
        if let Some(span) = &d.span {
            let start = file.line_col(span.start);
            let end = file.line_col(span.end);
            properties.push(format!("line={}", start.line));
            properties.push(format!("endLine={}", end.line));
            // Columns only make sense within one line.
            if start.line == end.line {
                properties.push(format!("col={}", start.column));
                properties.push(format!("endColumn={}", end.column));
            }
        }
        properties.push(format!(
            "title={}",
            escape_property(&format!("marathon-lint {}", d.rule))
        ));
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            properties.join(","),
            escape_data(&message)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_the_runner_would_misread() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
