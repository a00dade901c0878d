//! Hover: the documentation of the rules behind the diagnostics under the
//! cursor, or of the rule id under it in a `marathon-lint.ignore` label,
//! rendered as `marathon-lint rule ID` prints it.

use std::ops::Range;

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::documents::Document;
use crate::rule_docs;

pub fn hover(document: &Document, position: Position) -> Option<Hover> {
    let analysis = document.analysis.as_ref()?;
    let text = &document.text;
    let offset = document.index().offset(text, position);
    let mut ids: Vec<&str> = Vec::new();
    let mut range: Option<Range<usize>> = None;
    for diagnostic in &analysis.diagnostics {
        let Some(span) = &diagnostic.span else { continue };
        if span.start <= offset && offset <= span.end && !ids.contains(&diagnostic.rule.as_str()) {
            ids.push(&diagnostic.rule);
            range.get_or_insert(span.clone());
        }
    }
    if ids.is_empty() {
        let label = analysis
            .suppression_labels
            .iter()
            .find(|label| label.start < offset && offset < label.end)?;
        let word = rule_id_at(text, label, offset)?;
        ids.push(&text[word.clone()]);
        range = Some(word);
    }
    let policies = analysis.linter.as_ref().map_or(&[][..], |l| l.policies.as_slice());
    let pages: Vec<String> = ids.iter().filter_map(|id| rule_docs::show(id, policies).ok()).collect();
    if pages.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: pages.join("\n---\n\n"),
        }),
        range: range.map(|r| document.index().range(text, &r)),
    })
}

/// The rule id around `offset` in a suppression label's value (the part
/// before the colon; after it is the reason, free text).
fn rule_id_at(text: &str, label: &Range<usize>, offset: usize) -> Option<Range<usize>> {
    let value = &text[label.clone()];
    let rules_end = label.start + value.find(':').unwrap_or(value.len());
    if offset > rules_end {
        return None;
    }
    let is_id = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.');
    let start = text[label.start + 1..offset]
        .rfind(|c: char| !is_id(c))
        .map_or(label.start + 1, |i| label.start + 1 + i + 1);
    let end = text[offset..rules_end]
        .find(|c: char| !is_id(c))
        .map_or(rules_end, |i| offset + i);
    (start < end).then_some(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_id_under_the_cursor_is_found_in_a_label() {
        let text = r#"{"l": "a-rule, other-rule: because a-rule"}"#;
        let label = text.find("\"a-").unwrap()..text.len() - 1;
        let at = |needle: &str, delta: usize| text.find(needle).unwrap() + delta;
        let id = |offset| rule_id_at(text, &label, offset).map(|r| &text[r]);
        assert_eq!(id(at("a-rule", 0)), Some("a-rule"));
        assert_eq!(id(at("a-rule", 3)), Some("a-rule"));
        assert_eq!(id(at("other", 5)), Some("other-rule"));
        assert_eq!(id(at("because", 2)), None, "the reason is free text");
        assert_eq!(id(at(", ", 1)), None);
    }
}
