//! The linter's diagnostics as LSP diagnostics: the rule id as `code`,
//! `marathon-lint` as `source`, the help after the message, secondary
//! underlines as related information.

use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri};

use super::positions::LineIndex;
use crate::diagnostic::{Diagnostic, Severity};

pub const SOURCE: &str = "marathon-lint";

pub fn to_lsp(diagnostic: &Diagnostic, uri: &Uri, text: &str, index: &LineIndex) -> lsp_types::Diagnostic {
    let span = diagnostic.span.clone().unwrap_or(0..0);
    let mut message = diagnostic.message.clone();
    if diagnostic.baselined {
        message.push_str("\n(in the baseline: known, not reported by runs)");
    }
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .related
        .iter()
        .filter_map(|r| {
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri.clone(), index.range(text, r.span.as_ref()?)),
                message: r.label.clone(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range: index.range(text, &span),
        // What the baseline holds is known debt: a hint, not a problem.
        severity: Some(if diagnostic.baselined {
            DiagnosticSeverity::HINT
        } else {
            severity(diagnostic.severity)
        }),
        code: Some(NumberOrString::String(diagnostic.rule.clone())),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}
