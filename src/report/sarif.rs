//! `--format sarif`: SARIF 2.1.0, which GitHub code scanning and many CI
//! tools import. Rule metadata (summary, documentation) travels with it.

use serde_json::{json, Value};

use crate::catalogue;
use crate::diagnostic::{FileReport, Severity};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a relative URI reference (forward slashes, no `./`).
fn uri(name: &str) -> String {
    let name = name.replace('\\', "/");
    let name = name.strip_prefix("./").unwrap_or(&name);
    name.replace('%', "%25").replace(' ', "%20")
}

pub fn render(reports: &[FileReport]) -> String {
    super::render_all(super::Format::Sarif, reports)
}

/// One file's results, each with its rule id: the index into the run's
/// rules is set when the document is written, once every rule that fired
/// is known.
pub fn results(report: &FileReport) -> Vec<(String, Value)> {
    let file = &report.file;
    let mut results = Vec::new();
    for d in &report.diagnostics {
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nHelp: ");
            message.push_str(help);
        }
        let mut location = json!({ "artifactLocation": { "uri": uri(&file.name) } });
        if let Some(span) = &d.span {
            let start = file.line_col(span.start);
            let end = file.line_col(span.end);
            location["region"] = json!({
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
            });
        }
        let mut result = json!({
            "ruleId": d.rule,
            "level": level(d.severity),
            "message": { "text": message },
            "locations": [{ "physicalLocation": location }],
        });
        if let Some(pointer) = &d.pointer {
            result["properties"] = json!({ "jsonPointer": pointer });
        }
        if crate::baseline::in_use() {
            result["baselineState"] = json!(if d.baselined { "unchanged" } else { "new" });
        }
        results.push((d.rule.clone(), result));
    }
    results
}

/// The SARIF document of a run's results.
pub fn document(results: Vec<(String, Value)>) -> String {
    // Every rule that fired, in a stable order, with its index.
    let mut rule_ids: Vec<String> = results.iter().map(|(rule, _)| rule.clone()).collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let rules: Vec<Value> = rule_ids
        .iter()
        .map(|id| match catalogue::find(id) {
            Some(rule) => json!({
                "id": id,
                "name": id,
                "shortDescription": { "text": rule.meta.summary },
                "fullDescription": { "text": rule.meta.summary },
                "help": {
                    "text": format!("{}\n\nRun `marathon-lint rule {id}` for the full documentation.", rule.meta.summary),
                    "markdown": crate::rule_docs::rule_page(rule, "#"),
                },
                "defaultConfiguration": { "level": level(rule.meta.severity) },
                "properties": { "category": rule.meta.category },
            }),
            None => json!({ "id": id, "name": id }),
        })
        .collect();
    let results: Vec<Value> = results
        .into_iter()
        .map(|(rule, mut result)| {
            result["ruleIndex"] = json!(rule_ids.binary_search(&rule).ok());
            result
        })
        .collect();
    let document = json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "marathon-lint",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/marathon-lint/marathon-lint",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&document).expect("SARIF serializes");
    text.push('\n');
    text
}
