//! The pipeline for one document: decode, parse with spans, find the apps and
//! groups, validate them against the schema, run the rules, then give every
//! diagnostic its location and catalogue severity.

use std::ops::Range;
use std::sync::Arc;

use crate::catalogue;
use crate::diagnostic::{Diagnostic, FileReport, Target};
use crate::model::{self, Kind};
use crate::parse::{self, Parsed};
use crate::rules::{self, AppContext, GroupContext, RuleOptions};
use crate::schema;
use crate::source::SourceFile;

/// The outcome of linting one input.
pub struct Linted {
    pub report: FileReport,
    /// Whether the input looks like a Marathon definition at all; walked
    /// directories skip files that do not.
    pub looks_like_marathon: bool,
    /// What rules across files need to know of each app.
    pub apps: Vec<AppFacts>,
}

/// A located fact: a value, where it is (JSON pointer) and its bytes.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    pub pointer: String,
    pub span: Option<Range<usize>>,
}

/// One app as the cross-file rules see it.
#[derive(Debug, Clone)]
pub struct AppFacts {
    /// Canonical id, located at the `id` value.
    pub id: Located<String>,
    pub fixed_host_ports: Vec<Located<u64>>,
    /// Canonical ids of the apps it depends on.
    pub dependencies: Vec<Located<String>>,
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
            return finish(file, vec![diagnostic], None, looks, Vec::new());
        }
        self.lint_source(file)
    }

    pub fn lint_source(&self, file: Arc<SourceFile>) -> Linted {
        let text = file.text.as_str();
        match parse::parse(text) {
            Err(syntax) => {
                let looks = model::text_looks_like_marathon(text);
                finish(file.clone(), syntax, None, looks, Vec::new())
            }
            Ok((parsed, mut diagnostics)) => {
                let looks = model::looks_like_marathon(&parsed.value);
                let apps = self.check_document(&parsed, &mut diagnostics);
                finish(file.clone(), diagnostics, Some(&parsed), looks, apps)
            }
        }
    }

    fn check_document(&self, parsed: &Parsed<'_>, out: &mut Vec<Diagnostic>) -> Vec<AppFacts> {
        let mut apps = Vec::new();
        for definition in model::definitions(&parsed.value) {
            schema::check(definition.kind, definition.value, &definition.pointer, out);
            if !definition.value.is_object() {
                continue;
            }
            if definition.kind == Kind::Group {
                let context = GroupContext {
                    pointer: &definition.pointer,
                    group: definition.value,
                    id: definition.id.as_deref(),
                    parent_id: &definition.parent_id,
                    options: &self.options,
                };
                for rule in rules::all() {
                    rule.check_group(&context, out);
                }
                continue;
            }
            let networking = model::networking(definition.value, &definition.pointer);
            let context = AppContext {
                pointer: &definition.pointer,
                app: definition.value,
                id: definition.id.as_deref(),
                parent_id: &definition.parent_id,
                networking: &networking,
                options: &self.options,
            };
            for rule in rules::all() {
                rule.check_app(&context, out);
            }
            if let Some(id) = &definition.id {
                apps.push(app_facts(parsed, &definition, id, &networking));
            }
        }
        apps
    }
}

fn app_facts(
    parsed: &Parsed<'_>,
    definition: &model::Definition<'_>,
    id: &str,
    networking: &model::Networking<'_>,
) -> AppFacts {
    fn located<T>(parsed: &Parsed<'_>, value: T, pointer: String) -> Located<T> {
        Located {
            span: parsed.span_of(&pointer, Target::Value),
            value,
            pointer,
        }
    }
    let dependencies = definition
        .value
        .get("dependencies")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, dependency)| {
            let dependency = dependency.as_str()?;
            // Marathon resolves a dependency against the app's own id.
            let resolved = model::canonical_id(dependency, id);
            Some(located(
                parsed,
                resolved,
                format!("{}/dependencies/{i}", definition.pointer),
            ))
        })
        .collect();
    AppFacts {
        id: located(parsed, id.to_string(), format!("{}/id", definition.pointer)),
        fixed_host_ports: networking
            .fixed_host_ports
            .iter()
            .map(|p| located(parsed, p.port, p.pointer.clone()))
            .collect(),
        dependencies,
    }
}

/// Locate every diagnostic and set its severity from the catalogue.
fn finish(
    file: Arc<SourceFile>,
    mut diagnostics: Vec<Diagnostic>,
    parsed: Option<&Parsed<'_>>,
    looks: bool,
    apps: Vec<AppFacts>,
) -> Linted {
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
        apps,
    }
}
