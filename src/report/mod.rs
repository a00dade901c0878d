//! Output: human (miette code frames), JSON (a stable contract for editors
//! and CI tools), SARIF, GitHub, GitLab and JUnit.
//!
//! Each file's part of a report (a [`Fragment`]) is drawn where the file was
//! linted, on the linting threads; a [`ReportWriter`] puts the parts in order
//! and writes them as they come, so a run never holds its whole report
//! (except SARIF and JUnit, whose headers sum up every file).

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use std::io::Write;

use crate::diagnostic::{FileReport, Severity};
use human::HumanRenderer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Code frames with the rule id and help, and a closing summary.
    Human,
    /// One JSON document `{"diagnostics": [...]}` for editors and CI tools.
    Json,
    /// SARIF 2.1.0, e.g. for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the diff).
    Github,
    /// A GitLab Code Quality report.
    Gitlab,
    /// JUnit XML: one test case per file.
    Junit,
}

/// One file's part of a report.
#[derive(Debug)]
pub enum Fragment {
    /// Written as it is: human code frames, GitHub commands, a diff.
    Text(String),
    /// Elements of the document's one array (JSON, GitLab), laid out as
    /// they are printed there.
    Elements(Vec<String>),
    /// SARIF results with their rule ids.
    Sarif(Vec<(String, serde_json::Value)>),
    /// A JUnit test case, and whether it failed.
    Junit(String, bool),
}

/// Draws one file's fragment in a format.
pub struct Renderer {
    pub format: Format,
    pub human: HumanRenderer,
}

impl Renderer {
    pub fn new(format: Format, human: HumanRenderer) -> Self {
        Renderer { format, human }
    }

    pub fn fragment(&self, report: &FileReport) -> Fragment {
        match self.format {
            Format::Human => {
                let mut text = String::new();
                if !report.diagnostics.is_empty() {
                    self.human.render(report, &mut text);
                }
                Fragment::Text(text)
            }
            Format::Json => Fragment::Elements(json::fragment(report)),
            Format::Gitlab => Fragment::Elements(gitlab::fragment(report)),
            Format::Github => Fragment::Text(github::fragment(report)),
            Format::Sarif => Fragment::Sarif(sarif::results(report)),
            Format::Junit => {
                let (case, failed) = junit::testcase(report);
                Fragment::Junit(case, failed)
            }
        }
    }
}

/// How a document that is one array opens and closes.
pub struct ArrayFrame {
    pub open: &'static str,
    pub close: &'static str,
    /// The whole document when the array is empty.
    pub empty: &'static str,
}

/// `value` printed as serde_json's pretty printer prints it as an element
/// `depth` levels deep in a document (two spaces a level). serde_json
/// escapes line breaks inside strings, so each line break is one of its
/// layout.
pub fn pretty_element(value: &impl serde::Serialize, depth: usize) -> String {
    let text = serde_json::to_string_pretty(value).expect("report serializes");
    let indent = "  ".repeat(depth);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&indent);
        out.push_str(line);
    }
    out
}

/// Writes fragments in the order given, with the document around them.
pub struct ReportWriter<W: Write> {
    format: Format,
    out: W,
    /// Array elements written so far (JSON, GitLab).
    elements: usize,
    sarif: Vec<(String, serde_json::Value)>,
    junit: Vec<(String, bool)>,
    /// The first write that failed; later writes are skipped.
    failed: Option<std::io::Error>,
}

impl<W: Write> ReportWriter<W> {
    pub fn new(format: Format, out: W) -> Self {
        ReportWriter {
            format,
            out,
            elements: 0,
            sarif: Vec::new(),
            junit: Vec::new(),
            failed: None,
        }
    }

    fn frame(&self) -> &'static ArrayFrame {
        match self.format {
            Format::Gitlab => &gitlab::FRAME,
            _ => &json::FRAME,
        }
    }

    fn put(&mut self, text: &str) {
        if self.failed.is_none() && !text.is_empty() {
            if let Err(e) = self.out.write_all(text.as_bytes()) {
                self.failed = Some(e);
            }
        }
    }

    pub fn write(&mut self, fragment: Fragment) {
        match fragment {
            Fragment::Text(text) => self.put(&text),
            Fragment::Elements(elements) => {
                for element in elements {
                    let before = if self.elements == 0 { self.frame().open } else { "," };
                    self.put(before);
                    self.put("\n");
                    self.put(&element);
                    self.elements += 1;
                }
            }
            Fragment::Sarif(results) => self.sarif.extend(results),
            Fragment::Junit(case, failed) => self.junit.push((case, failed)),
        }
    }

    /// Close the document, then write `trailer` (human output's closing
    /// lines), and flush. Returns the sink, or the first write error.
    pub fn finish(mut self, trailer: &str) -> std::io::Result<W> {
        match self.format {
            Format::Json | Format::Gitlab => {
                let frame = self.frame();
                let end = if self.elements == 0 { frame.empty } else { frame.close };
                self.put(end);
            }
            Format::Sarif => {
                let document = sarif::document(std::mem::take(&mut self.sarif));
                self.put(&document);
            }
            Format::Junit => {
                let document = junit::document(&self.junit);
                self.put(&document);
            }
            Format::Human | Format::Github => {}
        }
        self.put(trailer);
        if let Some(e) = self.failed {
            return Err(e);
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// A whole report of documents in memory, in a format other than human.
pub fn render_all(format: Format, reports: &[FileReport]) -> String {
    let renderer = Renderer::new(format, HumanRenderer::new(false, Some(100)));
    let mut writer = ReportWriter::new(format, Vec::new());
    for report in reports {
        writer.write(renderer.fragment(report));
    }
    let bytes = writer.finish("").expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("reports are UTF-8")
}

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

/// What one file adds to the totals.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub has_findings: bool,
    /// A report about a path (unreadable, too large, a broken configuration)
    /// rather than a checked file.
    pub about_a_path: bool,
}

impl Counts {
    pub fn of(report: &FileReport) -> Counts {
        let about_a_path = report.diagnostics.iter().any(|d| {
            matches!(
                d.rule.as_str(),
                "io-error" | "file-too-large" | "symlink-loop" | "config-error" | "internal-error"
            )
        });
        Counts {
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            infos: report.count(Severity::Info),
            has_findings: report.diagnostics.iter().any(|d| !d.baselined),
            about_a_path,
        }
    }
}

impl Totals {
    pub fn add(&mut self, report: &FileReport) {
        self.add_counts(Counts::of(report));
    }

    pub fn add_counts(&mut self, counts: Counts) {
        self.errors += counts.errors;
        self.warnings += counts.warnings;
        self.files_with_findings += usize::from(counts.has_findings);
        // Reports of unreadable paths and configurations are findings, not
        // checked files.
        if !counts.about_a_path {
            self.infos += counts.infos;
            self.files_checked += 1;
        }
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
