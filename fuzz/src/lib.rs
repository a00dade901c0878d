//! Invariants every fuzz target checks on its results. Each is cheap enough to
//! run on every input, so a broken span or position shows up as a crash.

use std::ops::Range;

use marathon_lint::diagnostic::FileReport;
use marathon_lint::report::{human::HumanRenderer, json};

/// A span must lie inside `text` and start and end on character boundaries,
/// or slicing the text with it (as the code frames do) panics.
pub fn check_span(text: &str, span: &Range<usize>, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} splits a character"
    );
}

/// 1-based line and column (in characters) of a byte offset, computed
/// independently of `SourceFile::line_col`. A leading byte-order mark takes
/// no column (editors do not show it), as the README documents.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let bom = usize::from(line_start == 0 && before.starts_with('\u{feff}'));
    (line, before[line_start..].chars().count() - bom + 1)
}

/// Every span of every diagnostic (primary and related) is valid, the JSON
/// output's positions match the spans, and both renderers finish.
pub fn check_reports(reports: &[FileReport]) {
    for report in reports {
        let text = &report.file.text;
        for d in &report.diagnostics {
            if let Some(span) = &d.span {
                check_span(text, span, &d.rule);
            }
            for related in &d.related {
                if let Some(span) = &related.span {
                    check_span(text, span, &format!("{} (related)", d.rule));
                }
            }
        }
    }
    let mut positions = json::diagnostics(reports).into_iter();
    for report in reports {
        let text = &report.file.text;
        for d in &report.diagnostics {
            let j = positions.next().expect("one JSON diagnostic per diagnostic");
            let span = d.span.clone().unwrap_or(0..0);
            assert_eq!((j.offset, j.end_offset), (span.start, span.end), "{}: offsets", d.rule);
            assert_eq!((j.line, j.column), line_col(text, span.start), "{}: start", d.rule);
            assert_eq!((j.end_line, j.end_column), line_col(text, span.end), "{}: end", d.rule);
        }
    }
    assert!(positions.next().is_none(), "more JSON diagnostics than diagnostics");

    let renderer = HumanRenderer::new(false, Some(100));
    let mut human = String::new();
    for report in reports {
        renderer.render(report, &mut human);
    }
    let rendered: serde_json::Value = serde_json::from_str(&json::render(reports)).expect("JSON output parses");
    let count: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
    assert_eq!(rendered["diagnostics"].as_array().map(Vec::len), Some(count));
}
