//! The pipeline for one document: decode, parse with spans, find the apps and
//! groups, validate them against the schema, run the rules and policies, then
//! give every diagnostic its location and severity. `finish_run` then adds
//! what needs all files of a run (rules across files) and applies
//! suppressions.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use crate::catalogue;
use crate::config::Level;
use crate::diagnostic::{Diagnostic, FileReport, Target};
use crate::model::{self, Kind};
use crate::parse::{self, Parsed};
use crate::policy::Policy;
use crate::project_rules;
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
    /// Set when the text was dropped after a clean lint: where to read it
    /// again should a finding across files need it.
    pub reload_from: Option<PathBuf>,
}

/// Per-rule levels from the configuration; rules not named keep their
/// catalogue severity.
pub type Levels = BTreeMap<String, Level>;

impl Linted {
    /// Forget the file's text (it had no findings), keeping where it came
    /// from.
    pub fn drop_text(&mut self, path: PathBuf) {
        self.report.file = SourceFile::new(self.report.file.name.clone(), String::new());
        self.reload_from = Some(path);
    }

    /// A report with no document behind it (an unreadable path).
    pub fn without_document(report: FileReport) -> Linted {
        Linted {
            report,
            looks_like_marathon: true,
            apps: Vec::new(),
            suppressions: Vec::new(),
            levels: Arc::default(),
            reload_from: None,
        }
    }
}

/// A fact and where it is (JSON pointer). Its span is looked up only if a
/// rule across files reports it (`FactLocator`).
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
}

impl Linter {
    pub fn new(options: RuleOptions) -> Self {
        Linter {
            options,
            ..Linter::default()
        }
    }

    pub fn lint_bytes(&self, name: &str, bytes: Vec<u8>) -> Linted {
        let (text, encoding_error) = parse::decode(bytes);
        let file = SourceFile::new(name, text);
        if let Some(diagnostic) = encoding_error {
            let looks = model::text_looks_like_marathon(&file.text);
            return self.finish(file, vec![diagnostic], None, looks, Vec::new(), Vec::new());
        }
        self.lint_source(file)
    }

    pub fn lint_source(&self, file: Arc<SourceFile>) -> Linted {
        let text = file.text.as_str();
        match parse::parse(text) {
            Err(syntax) => {
                let looks = model::text_looks_like_marathon(text);
                self.finish(file.clone(), syntax, None, looks, Vec::new(), Vec::new())
            }
            Ok((parsed, mut diagnostics)) => {
                let looks = model::looks_like_marathon(&parsed.value);
                let (apps, suppressions) = self.check_document(&parsed, &mut diagnostics);
                self.finish(file.clone(), diagnostics, Some(&parsed), looks, apps, suppressions)
            }
        }
    }

    fn check_document(&self, parsed: &Parsed<'_>, out: &mut Vec<Diagnostic>) -> (Vec<AppFacts>, Vec<Suppression>) {
        let mut apps = Vec::new();
        let definitions = model::definitions(&parsed.value);
        let suppressions = suppression::collect(parsed, &definitions, out);
        for definition in definitions {
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
            reload_from: None,
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

/// Finish a run: the rules across files, then each file's suppressions and
/// levels (again, for the findings added here).
pub fn finish_run(linted: Vec<Linted>) -> Vec<FileReport> {
    let mut reports = Vec::with_capacity(linted.len());
    let mut facts = Vec::with_capacity(linted.len());
    let mut rest = Vec::with_capacity(linted.len());
    for l in linted {
        reports.push(l.report);
        facts.push(l.apps);
        rest.push((l.suppressions, l.levels, l.reload_from));
    }
    let mut locator = FactLocator {
        files: reports.iter().map(|r| r.file.clone()).collect(),
        reload_from: rest.iter_mut().map(|r| r.2.take()).collect(),
        memo: HashMap::new(),
    };
    project_rules::check(&mut reports, &facts, &mut locator);
    let FactLocator { files, reload_from, .. } = locator;
    for (((report, (suppressions, levels, _)), file), reload_from) in
        reports.iter_mut().zip(rest).zip(files).zip(reload_from)
    {
        // The locator may have read a dropped text back.
        report.file = file;
        suppression::apply(report, &suppressions);
        apply_levels(report, &levels);
        if let Some(path) = reload_from.filter(|_| !report.diagnostics.is_empty()) {
            reload(&mut report.file, &path);
        }
    }
    reports
}

/// Read back the text of a file that was dropped after linting. Spans were
/// taken from the same bytes; a file changed since is still shown, with
/// positions clamped to its new length.
fn reload(file: &mut Arc<SourceFile>, path: &std::path::Path) {
    if let Ok(bytes) = std::fs::read(path) {
        let (text, _) = parse::decode(bytes);
        *file = SourceFile::new(file.name.clone(), text);
    }
}

/// Where the facts that rules across files report lie: found on demand, as
/// most runs report none. A file whose text was dropped is read again.
pub struct FactLocator {
    files: Vec<Arc<SourceFile>>,
    reload_from: Vec<Option<PathBuf>>,
    memo: HashMap<(usize, String), Option<Range<usize>>>,
}

impl FactLocator {
    pub fn name(&self, report: usize) -> &str {
        &self.files[report].name
    }

    pub fn span(&mut self, report: usize, pointer: &str) -> Option<Range<usize>> {
        if let Some(span) = self.memo.get(&(report, pointer.to_string())) {
            return span.clone();
        }
        if let Some(path) = self.reload_from[report].take() {
            reload(&mut self.files[report], &path);
        }
        let span = parse::parse(&self.files[report].text)
            .ok()
            .and_then(|(parsed, _)| parsed.span_of(pointer, Target::Value));
        self.memo.insert((report, pointer.to_string()), span.clone());
        span
    }

    /// The 1-based line of the fact (1 when it cannot be found).
    pub fn line(&mut self, report: usize, pointer: &str) -> usize {
        match self.span(report, pointer) {
            Some(span) => self.files[report].line_col(span.start).line,
            None => 1,
        }
    }
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
