//! The rule catalogue as users read it: `marathon-lint rules` (a list, as
//! text, JSON or the Markdown reference in docs/rules.md) and
//! `marathon-lint rule ID` (one rule's full documentation).

use serde::Serialize;

use crate::catalogue::{self, RuleDoc};
use crate::policy::Policy;

#[derive(Serialize)]
struct RuleSummary<'a> {
    id: &'a str,
    severity: &'a str,
    category: crate::catalogue::Category,
    summary: &'a str,
    /// Where the rule comes from: "built-in" (policies will name their file).
    source: &'a str,
    sources: &'a [String],
}

fn sorted() -> Vec<&'static RuleDoc> {
    let mut rules: Vec<_> = catalogue::builtin().iter().collect();
    rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
    rules
}

/// Built-in rules, then loaded policies, each with where it comes from.
fn with_sources(policies: &[Policy]) -> Vec<(&RuleDoc, &str)> {
    let mut all: Vec<(&RuleDoc, &str)> = sorted().into_iter().map(|r| (r, "built-in")).collect();
    all.extend(policies.iter().map(|p| (&p.doc, p.doc.origin.as_str())));
    all
}

/// One line per rule: id, severity, category, summary (and the file of a
/// policy).
pub fn list_text(policies: &[Policy]) -> String {
    let rules = with_sources(policies);
    let width = rules.iter().map(|(r, _)| r.meta.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (rule, source) in rules {
        let meta = &rule.meta;
        out.push_str(&format!(
            "{:width$}  {:7}  {:10}  {}",
            meta.id,
            meta.severity.as_str(),
            category_name(meta.category),
            meta.summary
        ));
        if source != "built-in" {
            out.push_str(&format!("  ({source})"));
        }
        out.push('\n');
    }
    out
}

pub fn list_json(policies: &[Policy]) -> String {
    let summaries: Vec<RuleSummary<'_>> = with_sources(policies)
        .into_iter()
        .map(|(r, source)| RuleSummary {
            id: &r.meta.id,
            severity: r.meta.severity.as_str(),
            category: r.meta.category,
            summary: &r.meta.summary,
            source,
            sources: &r.meta.sources,
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&serde_json::json!({ "rules": summaries })).expect("rules serialize");
    text.push('\n');
    text
}

fn category_name(category: crate::catalogue::Category) -> String {
    serde_json::to_value(category)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The full documentation of one rule, as Markdown.
pub fn rule_page(rule: &RuleDoc, heading: &str) -> String {
    let meta = &rule.meta;
    let mut out = format!(
        "{heading} {}\n\n{}\n\n- Default severity: **{}**\n- Category: {}\n",
        meta.id,
        meta.summary,
        meta.severity.as_str(),
        category_name(meta.category)
    );
    if let Some(fix) = &meta.fix {
        out.push_str(&format!("- Fix (`--fix`, unsafe ones with `--unsafe-fixes`): {fix}\n"));
    }
    if !meta.sources.is_empty() {
        out.push_str(&format!("- Mirrors: {}\n", meta.sources.join("; ")))
    }
    out.push('\n');
    // Demote the entry's own `##` headings below the page heading.
    let sub = format!("{heading}#");
    for line in rule.body.lines() {
        match line.strip_prefix("## ") {
            Some(title) => out.push_str(&format!("{sub} {title}\n")),
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// The built-in rule id closest to `id`, for did-you-mean hints.
pub fn closest_id(id: &str) -> Option<&'static str> {
    catalogue::builtin()
        .iter()
        .map(|r| (strsim::jaro_winkler(id, &r.meta.id), r.meta.id.as_str()))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, id)| id)
}

/// `marathon-lint rule ID`: a built-in rule or a loaded policy.
pub fn show(id: &str, policies: &[Policy]) -> Result<String, String> {
    let found = catalogue::find(id).or_else(|| policies.iter().find(|p| p.id() == id).map(|p| &p.doc));
    match found {
        Some(rule) => Ok(rule_page(rule, "#")),
        None => {
            let ids: Vec<&String> = catalogue::builtin().iter().map(|r| &r.meta.id).collect();
            let near = ids
                .iter()
                .map(|c| (strsim::jaro_winkler(id, c), c))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let hint = match near {
                Some((_, c)) => format!("; did you mean `{c}`?"),
                None => "; `marathon-lint rules` lists them".to_string(),
            };
            Err(format!("there is no rule `{id}`{hint}"))
        }
    }
}

/// docs/rules.md: an index, then every rule's page.
pub fn reference_markdown() -> String {
    let rules = sorted();
    let mut out = String::from(
        "# Rules\n\n\
         <!-- Generated from rules/*.md by `marathon-lint rules --format markdown`; do not edit by hand. -->\n\n\
         | rule | severity | category | summary |\n|---|---|---|---|\n",
    );
    for rule in &rules {
        let meta = &rule.meta;
        out.push_str(&format!(
            "| [`{id}`](#{id}) | {} | {} | {} |\n",
            meta.severity.as_str(),
            category_name(meta.category),
            meta.summary.replace('|', "\\|"),
            id = meta.id
        ));
    }
    for rule in rules {
        out.push('\n');
        out.push_str(&rule_page(rule, "##"));
    }
    out
}
