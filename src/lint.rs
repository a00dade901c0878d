//! The pipeline for one document: decode, parse with spans, find the apps and
//! groups, validate them against the schema, run the rules and policies, then
//! give every diagnostic its location and severity. `Linted::settle` then
//! applies the file's suppressions and levels; `finish_run` does that for a
//! batch of documents held in memory, after the rules across files.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::app_members::AppMembers;
use crate::baseline::Baseline;
use crate::catalogue;
use crate::config::Level;
use crate::diagnostic::{Diagnostic, FileReport};
use crate::model::{self, Kind};
use crate::parse::{self, Parsed};
use crate::policy::Policy;
use crate::project_rules::{self, ProjectRules, Source};
use crate::rules::{self, AppContext, GroupContext, RuleOptions};
use crate::schema;
use crate::source::SourceFile;
use crate::suppression::{self, Suppression};

/// The outcome of linting one input.
pub struct Linted {
    pub report: FileReport,
    /// Whether the input looks like a Marathon definition at all; walked
    /// directories skip files that do not.
    pub looks_like_marathon: bool,
    /// What rules across files need to know of each app.
    pub apps: Vec<AppFacts>,
    /// Rules silenced by the apps' own labels.
    pub suppressions: Vec<Suppression>,
    /// The configured rule levels this file was linted with.
    pub levels: Arc<Levels>,
    /// The baseline its findings are held against.
    pub baseline: Option<Arc<Baseline>>,
}

/// Per-rule levels from the configuration; rules not named keep their
/// catalogue severity.
pub type Levels = BTreeMap<String, Level>;

impl Linted {
    /// Apply the file's suppressions and levels: its report is final, unless
    /// rules across files add to it (then lint it again with those findings,
    /// `Linter::lint_bytes_with`, and settle that).
    pub fn settle(&mut self) {
        suppression::apply(&mut self.report, &self.suppressions);
        apply_levels(&mut self.report, &self.levels);
        if let Some(baseline) = &self.baseline {
            baseline.apply(&mut self.report);
        }
    }

    /// Whether a suppression names a rule across files: whether it is used
    /// depends on the other files, so the report is final only after them.
    pub fn suppresses_rules_across_files(&self) -> bool {
        self.suppressions
            .iter()
            .any(|s| project_rules::RULES.contains(&s.rule.as_str()))
    }

    /// A report with no document behind it (an unreadable path).
    pub fn without_document(report: FileReport) -> Linted {
        Linted {
            report,
            looks_like_marathon: true,
            apps: Vec::new(),
            suppressions: Vec::new(),
            levels: Arc::default(),
            baseline: None,
        }
    }
}

/// A fact and where it is (JSON pointer). Its span is looked up only if a
/// rule across files reports it.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    pub pointer: String,
}

/// One app as the cross-file rules see it.
#[derive(Debug, Clone)]
pub struct AppFacts {
    /// Canonical id, located at the `id` value.
    pub id: Located<String>,
    pub fixed_host_ports: Vec<Located<u64>>,
    /// The apps or groups it depends on: each entry's possible canonical
    /// ids. Marathon's code paths resolve a relative entry against the app's
    /// own id, its group's id or the root, depending on version and API, so
    /// every reading is kept.
    pub dependencies: Vec<Located<Vec<String>>>,
}

#[derive(Debug, Clone, Default)]
pub struct Linter {
    pub options: RuleOptions,
    pub levels: Arc<Levels>,
    pub policies: Arc<Vec<Policy>>,
    /// Findings already accepted: held back from the reports.
    pub baseline: Option<Arc<Baseline>>,
}

impl Linter {
    pub fn new(options: RuleOptions) -> Self {
        Linter {
            options,
            ..Linter::default()
        }
    }

    pub fn lint_bytes(&self, name: &str, bytes: Vec<u8>) -> Linted {
        self.lint_bytes_with(name, bytes, Vec::new())
    }

    /// Lint, adding findings that rules across files made about this file
    /// (located here, with the rest).
    pub fn lint_bytes_with(&self, name: &str, bytes: Vec<u8>, extra: Vec<Diagnostic>) -> Linted {
        let (text, encoding_error) = parse::decode(bytes);
        let file = SourceFile::new(name, text);
        if let Some(diagnostic) = encoding_error {
            let looks = model::text_looks_like_marathon(&file.text);
            let mut diagnostics = vec![diagnostic];
            diagnostics.extend(extra);
            return self.finish(file, diagnostics, None, looks, Vec::new(), Vec::new());
        }
        self.lint_source_with(file, extra)
    }

    pub fn lint_source(&self, file: Arc<SourceFile>) -> Linted {
        self.lint_source_with(file, Vec::new())
    }

    fn lint_source_with(&self, file: Arc<SourceFile>, extra: Vec<Diagnostic>) -> Linted {
        // With `--vars`, the rendered text is linted and the findings are
        // brought back to the template.
        if self.options.templates && !self.options.vars.is_empty() {
            if let Some(rendered) = crate::template::render(&file.text, &self.options.vars) {
                let inner = SourceFile::new(file.name.clone(), rendered.text.clone());
                let linted = self.lint_text(inner, extra, &rendered.values());
                return rendered.map_back(linted, file);
            }
        }
        self.lint_text(file, extra, &[])
    }

    /// A variable that no `--vars` file sets, where a template placeholder
    /// stands.
    fn unset_variable(&self, text: &str, range: std::ops::Range<usize>) -> Diagnostic {
        let placeholder = &text[range.clone()];
        let name = placeholder.trim_start_matches("${").trim_start_matches('$');
        let name = &name[..name
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(name.len())];
        let mut d = Diagnostic::at_span(
            "template-variable-unset",
            range,
            format!(
                "`{placeholder}` is not set: no variables file given ({}) sets {name}",
                self.options.vars.files()
            ),
        )
        .label("not set")
        .help(format!(
            "add `{name}=...` to a variables file, or give it a default: `${{{name}:-value}}`"
        ));
        d.pointer = None;
        d
    }

    /// `values`: where values rendered from variables are (not template).
    fn lint_text(&self, file: Arc<SourceFile>, extra: Vec<Diagnostic>, values: &[std::ops::Range<usize>]) -> Linted {
        let text = file.text.as_str();
        let scan = if self.options.templates {
            crate::template::scan_around(text, values)
        } else {
            crate::template::Scan::default()
        };
        let rendering = !self.options.vars.is_empty();
        if let Some((range, why)) = &scan.not_lintable {
            let looks = model::text_looks_like_marathon(text);
            // With variables given, a placeholder no file sets is the
            // problem, wherever it stands.
            let unset: Vec<Diagnostic> = scan
                .variables
                .iter()
                .filter(|v| range.start <= v.start && v.end <= range.end)
                .map(|v| self.unset_variable(text, v.clone()))
                .collect();
            if rendering && !unset.is_empty() {
                let mut diagnostics = unset;
                diagnostics.extend(extra);
                return self.finish(file.clone(), diagnostics, None, looks, Vec::new(), Vec::new());
            }
            let mut diagnostics = vec![Diagnostic::at_span(
                "template-not-lintable",
                range.clone(),
                format!("this file is a template ({why}): it cannot be read as JSON, so it is not linted"),
            )
            .label("template syntax")
            .help("lint the rendered definition instead: render it, then lint that file (or pipe it: `render | marathon-lint --stdin-filename app.json -`)")];
            diagnostics.extend(extra);
            return self.finish(file.clone(), diagnostics, None, looks, Vec::new(), Vec::new());
        }
        // With its value placeholders read as values; a text that still does
        // not parse is explained as it is written.
        let parsed = match scan.text.as_deref().map(parse::parse) {
            Some(Ok(parsed)) => Ok(parsed),
            _ => parse::parse(text),
        };
        match parsed {
            Err(mut syntax) => {
                let looks = model::text_looks_like_marathon(text);
                syntax.extend(extra);
                self.finish(file.clone(), syntax, None, looks, Vec::new(), Vec::new())
            }
            Ok((mut parsed, mut diagnostics)) => {
                let looks = model::looks_like_marathon(&parsed.value);
                let (apps, suppressions) = self.check_document(&parsed, &mut diagnostics);
                if rendering {
                    diagnostics.extend(scan.variables.iter().map(|r| self.unset_variable(text, r.clone())));
                }
                // What a placeholder hides is not judged.
                if !scan.opaque.is_empty() {
                    diagnostics.retain(|d| d.pointer.as_deref().is_none_or(|p| !scan.hides(p)));
                }
                // Locating findings needs the text, not the value: free it
                // first (for a large file, the span tree takes its place).
                drop(std::mem::take(&mut parsed.value));
                diagnostics.extend(extra);
                self.finish(file.clone(), diagnostics, Some(&parsed), looks, apps, suppressions)
            }
        }
    }

    fn check_document(&self, parsed: &Parsed<'_>, out: &mut Vec<Diagnostic>) -> (Vec<AppFacts>, Vec<Suppression>) {
        let mut apps = Vec::new();
        let definitions = model::definitions(&parsed.value);
        let suppressions = suppression::collect(parsed, &definitions, out);
        for definition in definitions {
            // A body sent to /v2/apps/{id} (PUT, PATCH) needs no `id`: the
            // URL names the app.
            let partial = self.options.method.is_some_and(|m| m.id_from_url())
                && definition.kind == Kind::App
                && definition.pointer.is_empty();
            schema::check(definition.kind, definition.value, &definition.pointer, partial, out);
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
            let app = AppMembers::new(definition.value);
            let networking = model::networking(&app, &definition.pointer);
            let context = AppContext {
                pointer: &definition.pointer,
                app: &app,
                id: definition.id.as_deref(),
                parent_id: &definition.parent_id,
                networking: &networking,
                options: &self.options,
                body: model::is_body(&definition.pointer),
                placement: Default::default(),
            };
            for rule in rules::all() {
                rule.check_app(&context, out);
            }
            for policy in self.policies.iter() {
                policy.check_app(definition.value, &definition.pointer, out);
            }
            if let Some(id) = &definition.id {
                apps.push(app_facts(&definition, id, &networking));
            }
        }
        (apps, suppressions)
    }

    /// Locate every diagnostic and give it its severity.
    fn finish(
        &self,
        file: Arc<SourceFile>,
        mut diagnostics: Vec<Diagnostic>,
        parsed: Option<&Parsed<'_>>,
        looks: bool,
        apps: Vec<AppFacts>,
        suppressions: Vec<Suppression>,
    ) -> Linted {
        for d in &mut diagnostics {
            // Policies set their own severity; catalogue rules get theirs.
            if catalogue::find(&d.rule).is_some() {
                d.severity = catalogue::severity_of(&d.rule);
            }
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
            if let (Some(fix), Some(parsed)) = (&mut d.fix, parsed) {
                crate::fix::resolve(fix, parsed, &file.text);
            }
        }
        // Kept until the report is written: no spare capacity.
        diagnostics.shrink_to_fit();
        let mut report = FileReport { file, diagnostics };
        apply_levels(&mut report, &self.levels);
        Linted {
            report,
            looks_like_marathon: looks,
            apps,
            suppressions,
            levels: self.levels.clone(),
            baseline: self.baseline.clone(),
        }
    }
}

/// Apply configured levels: drop what is off, set the rest.
fn apply_levels(report: &mut FileReport, levels: &Levels) {
    report
        .diagnostics
        .retain_mut(|d| match levels.get(&d.rule).map(|l| l.severity()) {
            Some(None) => false,
            Some(Some(severity)) => {
                d.severity = severity;
                true
            }
            None => true,
        });
    sort(report);
}

fn sort(report: &mut FileReport) {
    report.diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| d.span.as_ref().map(|s| (s.start, s.end));
        key(a).cmp(&key(b)).then_with(|| a.rule.cmp(&b.rule))
    });
}

/// Finish a run of documents held in memory (tests, the language server,
/// the fix loop): the rules across files, then each file's suppressions and
/// levels.
pub fn finish_run(linted: Vec<Linted>) -> Vec<FileReport> {
    let mut rules = ProjectRules::default();
    let mut found: Vec<Vec<Diagnostic>> = linted
        .iter()
        .map(|l| rules.add(|| Source::Memory(l.report.file.clone()), &l.apps))
        .collect();
    for (l, found) in linted.iter().zip(&mut found) {
        found.extend(rules.unknown_dependencies(&l.apps));
    }
    linted
        .into_iter()
        .zip(found)
        .map(|(mut l, found)| {
            if !found.is_empty() {
                let text = crate::template::locatable(&l.report.file.text);
                let parsed = parse::parse(&text).ok();
                for mut d in found {
                    let pointer = d.pointer.as_deref().unwrap_or("");
                    d.span = parsed.as_ref().and_then(|(p, _)| p.span_of(pointer, d.target));
                    l.report.diagnostics.push(d);
                }
            }
            l.settle();
            l.report
        })
        .collect()
}

fn app_facts(definition: &model::Definition<'_>, id: &str, networking: &model::Networking<'_>) -> AppFacts {
    fn located<T>(value: T, pointer: String) -> Located<T> {
        Located { value, pointer }
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
            let mut resolved: Vec<String> = [id, definition.parent_id.as_str(), "/"]
                .iter()
                .map(|base| model::canonical_id(dependency, base))
                .collect();
            resolved.dedup();
            Some(located(resolved, format!("{}/dependencies/{i}", definition.pointer)))
        })
        .collect();
    AppFacts {
        id: located(id.to_string(), format!("{}/id", definition.pointer)),
        fixed_host_ports: networking
            .fixed_host_ports
            .iter()
            .map(|p| located(p.port, p.pointer.clone()))
            .collect(),
        dependencies,
    }
}
