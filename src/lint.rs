//! The pipeline for one document: decode, parse with spans, find the apps and
//! groups, validate them against the schema, run the rules, then give every
//! diagnostic its location and catalogue severity.

use std::sync::Arc;

use crate::catalogue;
use crate::diagnostic::{Diagnostic, FileReport};
use crate::model::{self, Kind};
use crate::parse::{self, Parsed};
use crate::rules::{self, AppContext, RuleOptions};
use crate::schema;
use crate::source::SourceFile;

/// The outcome of linting one input.
pub struct Linted {
    pub report: FileReport,
    /// Whether the input looks like a Marathon definition at all; walked
    /// directories skip files that do not.
    pub looks_like_marathon: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Linter {
    pub options: RuleOptions,
}

impl Linter {
    pub fn new(options: RuleOptions) -> Self {
        Linter { options }
    }

    pub fn lint_bytes(&self, name: &str, bytes: Vec<u8>) -> Linted {
        let (text, encoding_error) = parse::decode(bytes);
        let file = SourceFile::new(name, text);
        if let Some(diagnostic) = encoding_error {
            let looks = model::text_looks_like_marathon(&file.text);
            return finish(file, vec![diagnostic], None, looks);
        }
        self.lint_source(file)
    }

    pub fn lint_source(&self, file: Arc<SourceFile>) -> Linted {
        let text = file.text.as_str();
        match parse::parse(text) {
            Err(syntax) => {
                let looks = model::text_looks_like_marathon(text);
                finish(file.clone(), syntax, None, looks)
            }
            Ok((parsed, mut diagnostics)) => {
                let looks = model::looks_like_marathon(&parsed.value);
                self.check_document(&parsed, &mut diagnostics);
                finish(file.clone(), diagnostics, Some(&parsed), looks)
            }
        }
    }

    fn check_document(&self, parsed: &Parsed<'_>, out: &mut Vec<Diagnostic>) {
        for definition in model::definitions(&parsed.value) {
            schema::check(definition.kind, definition.value, &definition.pointer, out);
            if definition.kind != Kind::App || !definition.value.is_object() {
                continue;
            }
            let networking = model::networking(definition.value, &definition.pointer);
            let context = AppContext {
                pointer: &definition.pointer,
                app: definition.value,
                networking: &networking,
                options: &self.options,
            };
            for rule in rules::ALL {
                rule.check(&context, out);
            }
        }
    }
}

/// Locate every diagnostic and set its severity from the catalogue.
fn finish(file: Arc<SourceFile>, mut diagnostics: Vec<Diagnostic>, parsed: Option<&Parsed<'_>>, looks: bool) -> Linted {
    for d in &mut diagnostics {
        d.severity = catalogue::severity_of(&d.rule);
        if d.span.is_none() {
            let pointer = d.pointer.as_deref().unwrap_or("");
            d.span = parsed.and_then(|p| p.span_of(pointer, d.target));
        }
        for related in &mut d.related {
            if related.span.is_none() {
                related.span = parsed.and_then(|p| p.span_of(&related.pointer, related.target));
            }
        }
        d.related.retain(|r| r.span.is_some());
    }
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| d.span.as_ref().map(|s| (s.start, s.end));
        key(a).cmp(&key(b)).then_with(|| a.rule.cmp(&b.rule))
    });
    Linted {
        report: FileReport { file, diagnostics },
        looks_like_marathon: looks,
    }
}
