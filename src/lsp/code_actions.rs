//! Code actions: each diagnostic's fix as minimal text edits (so the rest of
//! the file keeps its formatting), and "fix all", the command line's `--fix`
//! loop on the unsaved text.

use std::collections::HashMap;

use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, TextEdit, Uri, WorkspaceEdit};

use super::diagnostics::to_lsp;
use super::documents::Document;
use crate::engine;
use crate::fix::Safety;

pub const FIX_ALL_KIND: &str = "source.fixAll.marathon-lint";
pub const FIX_ALL_TITLE: &str = "Fix all marathon-lint safe fixes in file";

pub fn code_actions(uri: &Uri, document: &Document, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    let Some(analysis) = &document.analysis else {
        return Vec::new();
    };
    let Some(linter) = &analysis.linter else {
        return Vec::new();
    };
    // As with --fix, a document that is not valid JSON is not fixed.
    if !engine::syntax_ok(&analysis.diagnostics) {
        return Vec::new();
    }
    let wanted = |kind: &CodeActionKind| {
        params.context.only.as_ref().is_none_or(|only| {
            only.iter()
                .any(|o| kind.as_str() == o.as_str() || kind.as_str().starts_with(&format!("{}.", o.as_str())))
        })
    };
    let (text, index) = (&document.text, document.index());
    let name = document.name(uri);
    let requested = index.offset(text, params.range.start)..index.offset(text, params.range.end);
    let mut actions = Vec::new();
    if wanted(&CodeActionKind::QUICKFIX) {
        for diagnostic in analysis.diagnostics.iter().filter(|d| !d.baselined) {
            let (Some(fix), Some(span)) = (&diagnostic.fix, &diagnostic.span) else {
                continue;
            };
            if fix.edits.is_empty() || span.start > requested.end || requested.start > span.end {
                continue;
            }
            // Offer only what leaves valid JSON, as the fix loop checks.
            let (fixed, _) = crate::fix::apply(text, &[fix]);
            if !engine::syntax_ok(&linter.lint_bytes(&name, fixed.into_bytes()).report.diagnostics) {
                continue;
            }
            let edits = fix
                .edits
                .iter()
                .map(|e| TextEdit::new(index.range(text, &e.range), e.replacement.clone()))
                .collect();
            let safe = fix.safety == Safety::Safe;
            let title = if safe {
                fix.description.clone()
            } else {
                format!("{} (unsafe)", fix.description)
            };
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![to_lsp(diagnostic, uri, text, index)]),
                edit: Some(edit(uri, edits)),
                is_preferred: Some(safe),
                ..CodeAction::default()
            }));
        }
    }
    let fix_all = CodeActionKind::new(FIX_ALL_KIND);
    let any_safe = analysis.diagnostics.iter().any(|d| {
        d.fix
            .as_ref()
            .is_some_and(|f| f.safety == Safety::Safe && !f.edits.is_empty())
    });
    if any_safe && wanted(&fix_all) {
        let (fixed, count) = engine::fix_until_stable(linter, &name, text, false);
        if count > 0 && fixed != *text {
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: FIX_ALL_TITLE.to_string(),
                kind: Some(fix_all),
                edit: Some(edit(uri, vec![TextEdit::new(index.whole(text), fixed)])),
                ..CodeAction::default()
            }));
        }
    }
    actions
}

fn edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit::new(HashMap::from([(uri.clone(), edits)]))
}
