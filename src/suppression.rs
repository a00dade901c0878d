//! Silencing a rule for one app, in the app itself.
//!
//! Marathon definitions cannot hold comments, so a suppression is a label:
//! `"labels": {"marathon-lint.ignore": "rule-a, rule-b: why"}`. It lives with
//! the app, survives any reformatting, and the reason after the colon is
//! required, so a reviewer sees why. The trade-off: the label is sent to
//! Marathon with the app (harmless, and visible in its UI), and adding or
//! removing it changes the app, which restarts its tasks on the next deploy.
//! A suppression that silences nothing is reported, like ruff's unused noqa.

use std::ops::Range;

use crate::diagnostic::{pointer_join, Diagnostic, FileReport};
use crate::model::{Definition, Kind};
use crate::parse::Parsed;

pub const LABEL: &str = "marathon-lint.ignore";
pub const INVALID: &str = "invalid-suppression";
pub const UNUSED: &str = "unused-suppression";

/// One rule silenced for one app.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// The app's pointer: diagnostics at or below it are silenced.
    pub app_pointer: String,
    pub rule: String,
    /// Where the label's value is, for "unused" findings.
    pub label_pointer: String,
    pub label_span: Option<Range<usize>>,
}

/// Read the suppression labels of a document's apps and groups. Malformed
/// ones become diagnostics.
pub fn collect(parsed: &Parsed<'_>, definitions: &[Definition<'_>], out: &mut Vec<Diagnostic>) -> Vec<Suppression> {
    let mut found = Vec::new();
    for definition in definitions.iter().filter(|d| d.kind == Kind::App) {
        let Some(value) = definition.value.get("labels").and_then(|labels| labels.get(LABEL)) else {
            continue;
        };
        let label_pointer = pointer_join(&pointer_join(&definition.pointer, "labels"), LABEL);
        let Some(text) = value.as_str() else {
            continue; // a non-string label is the schema's finding
        };
        let (rules, reason) = text.split_once(':').unwrap_or((text, ""));
        if reason.trim().is_empty() {
            out.push(
                Diagnostic::at(INVALID, &label_pointer, "this suppression gives no reason")
                    .label("reason missing")
                    .help(format!(
                        "write the reason after a colon: \"{}: <why this is fine here>\"",
                        rules.trim()
                    )),
            );
        }
        for rule in rules.split(',').map(str::trim) {
            if rule.is_empty() {
                continue;
            }
            if crate::catalogue::find(rule).is_none() && !crate::policy::is_policy_id(rule) {
                let hint = crate::rule_docs::closest_id(rule).map_or_else(
                    || "`marathon-lint rules` lists the rule ids".to_string(),
                    |c| format!("did you mean `{c}`?"),
                );
                out.push(
                    Diagnostic::at(
                        INVALID,
                        &label_pointer,
                        format!("this suppression names `{rule}`, which is not a rule"),
                    )
                    .label("unknown rule")
                    .help(hint),
                );
                continue;
            }
            found.push(Suppression {
                app_pointer: definition.pointer.clone(),
                rule: rule.to_string(),
                label_span: parsed.span_of(&label_pointer, crate::diagnostic::Target::Value),
                label_pointer: label_pointer.clone(),
            });
        }
    }
    found
}

/// Is `pointer` the app's own pointer or inside it?
fn within(pointer: &str, app: &str) -> bool {
    app.is_empty() || pointer == app || pointer.strip_prefix(app).is_some_and(|rest| rest.starts_with('/'))
}

/// Drop the diagnostics the suppressions silence, and report those that
/// silenced nothing.
pub fn apply(report: &mut FileReport, suppressions: &[Suppression]) {
    if suppressions.is_empty() {
        return;
    }
    let mut used = vec![false; suppressions.len()];
    report.diagnostics.retain(|d| {
        let Some(pointer) = &d.pointer else { return true };
        match suppressions
            .iter()
            .position(|s| s.rule == d.rule && within(pointer, &s.app_pointer))
        {
            Some(i) => {
                used[i] = true;
                false
            }
            None => true,
        }
    });
    for (suppression, used) in suppressions.iter().zip(used) {
        if !used {
            let mut d = Diagnostic::at(
                UNUSED,
                &suppression.label_pointer,
                format!(
                    "the suppression of `{}` silences nothing: this app has no such finding",
                    suppression.rule
                ),
            )
            .label("unused")
            .help(format!("remove `{}` from the \"{LABEL}\" label", suppression.rule));
            d.span = suppression.label_span.clone();
            d.severity = crate::catalogue::severity_of(UNUSED);
            report.diagnostics.push(d);
        }
    }
}
