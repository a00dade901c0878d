//! `marathon-lint.toml`: a team's settings, checked in next to their
//! definitions. The closest file above a linted file wins (as in ruff: no
//! merging of parents), searched up to the repository root; `--config`
//! names one explicitly and `--no-config` ignores them. Command-line flags
//! beat the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::cluster::{Cluster, ClusterPatch};
use crate::diagnostic::{Diagnostic, FileReport, Severity};
use crate::marathon_target::{Features, MarathonVersion, RoleBehavior};
use crate::rules::RuleOptions;
use crate::source::SourceFile;

pub const FILE_NAME: &str = "marathon-lint.toml";

/// A rule's configured level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Off,
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Off => None,
            Level::Info => Some(Severity::Info),
            Level::Warning => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }
}

/// The settings a configuration's top level and each `[[overrides]]` may set.
/// (Written out in both structs: serde's `flatten` would lose the spans that
/// locate errors.)
struct RawSettings<'r> {
    marathon_version: &'r Option<Spanned<String>>,
    agent_resources: &'r Option<Spanned<String>>,
    enable_features: &'r Option<Spanned<Vec<String>>>,
    default_network_name: &'r Option<String>,
    rules: &'r BTreeMap<String, Spanned<String>>,
    cluster: &'r Option<Spanned<Vec<Spanned<String>>>>,
    vars: &'r Option<Spanned<Vec<Spanned<String>>>>,
    method: &'r Option<Spanned<String>>,
    agents: &'r Option<Spanned<Vec<RawAgents>>>,
    marathon: &'r Option<Spanned<RawMarathon>>,
}

/// `[[agents]]`: a class of identical agents, written as Mesos takes them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawAgents {
    count: Spanned<i64>,
    resources: Option<Spanned<String>>,
    attributes: Option<Spanned<String>>,
    #[serde(default)]
    hostnames: Vec<String>,
    region: Option<String>,
    zone: Option<String>,
}

/// `[marathon]`: the server's settings that `/v2/info` shows, and those it
/// does not.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawMarathon {
    version: Option<Spanned<String>>,
    mesos_role: Option<Spanned<String>>,
    default_accepted_resource_roles: Option<Spanned<Vec<String>>>,
    accepted_resource_roles_default_behavior: Option<Spanned<String>>,
    features: Option<Spanned<Vec<String>>>,
    default_network_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFiles {
    include: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    respect_gitignore: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOverride {
    paths: Spanned<Vec<Spanned<String>>>,
    marathon_version: Option<Spanned<String>>,
    agent_resources: Option<Spanned<String>>,
    enable_features: Option<Spanned<Vec<String>>>,
    default_network_name: Option<String>,
    #[serde(default)]
    rules: BTreeMap<String, Spanned<String>>,
    cluster: Option<Spanned<Vec<Spanned<String>>>>,
    vars: Option<Spanned<Vec<Spanned<String>>>>,
    method: Option<Spanned<String>>,
    agents: Option<Spanned<Vec<RawAgents>>>,
    marathon: Option<Spanned<RawMarathon>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    marathon_version: Option<Spanned<String>>,
    agent_resources: Option<Spanned<String>>,
    enable_features: Option<Spanned<Vec<String>>>,
    default_network_name: Option<String>,
    #[serde(default)]
    rules: BTreeMap<String, Spanned<String>>,
    cluster: Option<Spanned<Vec<Spanned<String>>>>,
    vars: Option<Spanned<Vec<Spanned<String>>>>,
    method: Option<Spanned<String>>,
    agents: Option<Spanned<Vec<RawAgents>>>,
    marathon: Option<Spanned<RawMarathon>>,
    #[serde(default)]
    files: RawFiles,
    #[serde(default)]
    policy_dirs: Vec<Spanned<String>>,
    baseline: Option<Spanned<String>>,
    templates: Option<bool>,
    #[serde(default)]
    overrides: Vec<RawOverride>,
}

impl RawConfig {
    fn settings(&self) -> RawSettings<'_> {
        RawSettings {
            marathon_version: &self.marathon_version,
            agent_resources: &self.agent_resources,
            enable_features: &self.enable_features,
            default_network_name: &self.default_network_name,
            rules: &self.rules,
            cluster: &self.cluster,
            vars: &self.vars,
            method: &self.method,
            agents: &self.agents,
            marathon: &self.marathon,
        }
    }
}

impl RawOverride {
    fn settings(&self) -> RawSettings<'_> {
        RawSettings {
            marathon_version: &self.marathon_version,
            agent_resources: &self.agent_resources,
            enable_features: &self.enable_features,
            default_network_name: &self.default_network_name,
            rules: &self.rules,
            cluster: &self.cluster,
            vars: &self.vars,
            method: &self.method,
            agents: &self.agents,
            marathon: &self.marathon,
        }
    }
}

/// Settings that may differ per path: what rules are judged against, and
/// how loud each rule is.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub options: RuleOptions,
    /// Per-rule level; rules not named keep their default severity.
    pub levels: BTreeMap<String, Level>,
    /// The cluster as the layers so far describe it; `finish` puts it in
    /// `options`, with what its `/v2/info` says where no layer set it.
    pub cluster: Cluster,
    /// Which Marathon settings a layer set explicitly (they beat `/v2/info`).
    explicit: Explicit,
    /// Where each Marathon setting and cluster part came from, by key
    /// (`marathon-version`, `agents`, ...), for `marathon-lint cluster`.
    pub origins: BTreeMap<&'static str, String>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Explicit {
    version: bool,
    features: bool,
    network: bool,
    mesos_role: bool,
}

impl Settings {
    /// The settings as rules see them: the cluster in place, and Marathon's
    /// own `/v2/info` used for what no flag or configuration set.
    pub fn finish(&mut self) {
        if let Some(info) = self.cluster.info.clone() {
            let info = &info.info;
            let from_info = format!(
                "{} (/v2/info)",
                self.cluster.info.as_ref().map_or("", |i| i.source.as_str())
            );
            if !self.explicit.version {
                if let Some(text) = info.version.as_deref() {
                    // Builds carry suffixes: `1.5.0-SNAPSHOT`, `1.7.174-abcdef`.
                    let release = text.split(['-', '+']).next().unwrap_or(text);
                    match release.parse() {
                        Ok(version) => {
                            self.options.marathon_version = version;
                            self.origins.insert("marathon-version", from_info.clone());
                        }
                        Err(_) => {
                            self.origins.insert(
                                "marathon-version",
                                format!("default: {from_info} says {text}, a version this linter does not know; set marathon-version"),
                            );
                        }
                    }
                }
            }
            if !self.explicit.features {
                if let Some(features) = &info.features {
                    // Names this linter does not know change nothing it checks.
                    self.options.features = Features::from_names_lenient(features);
                    self.origins.insert("enable-features", from_info.clone());
                }
            }
            if !self.explicit.network {
                if let Some(name) = &info.default_network_name {
                    self.options.default_network_name = Some(name.clone());
                    self.origins.insert("default-network-name", from_info.clone());
                }
            }
            if !self.explicit.mesos_role {
                self.options.mesos_role = info.mesos_role.clone();
                if info.mesos_role.is_some() {
                    self.origins.insert("mesos-role", from_info);
                }
            }
        }
        if self.options.mesos_role.is_none() && !self.explicit.mesos_role {
            // Without /v2/info, a master export shows the role a single
            // Marathon framework registered with.
            let roles = &self.cluster.agents.marathon_roles;
            let chosen = match self.cluster.info.as_ref().and_then(|i| i.info.framework_id.clone()) {
                Some(id) => roles.iter().find(|(f, _)| *f == id).map(|(_, r)| r.clone()),
                None if roles.len() == 1 => Some(roles[0].1.clone()),
                None => None,
            };
            self.options.mesos_role = chosen.filter(|r| r != crate::cluster::resources::UNRESERVED);
            if self.options.mesos_role.is_some() {
                self.origins
                    .insert("mesos-role", "the Marathon framework of the Mesos export".to_string());
            }
        }
        self.options.mesos_role_known =
            self.explicit.mesos_role || self.cluster.info.is_some() || self.origins.contains_key("mesos-role");
        self.options.cluster = Arc::new(self.cluster.clone());
    }
}

/// The parts of the settings one layer (file, override, command line) sets.
#[derive(Debug, Clone, Default)]
pub struct SettingsPatch {
    pub marathon_version: Option<MarathonVersion>,
    pub features: Option<Features>,
    pub default_network_name: Option<String>,
    pub mesos_role: Option<String>,
    pub default_accepted_resource_roles: Option<Vec<String>>,
    pub role_behavior: Option<RoleBehavior>,
    /// The agents, `/v2/info` and running apps this layer describes.
    pub cluster: ClusterPatch,
    pub levels: BTreeMap<String, Level>,
    /// What users call this layer: the configuration file, one of its
    /// overrides, or the command line.
    pub origin: String,
    /// The command line's baseline (`--baseline`, `--write-baseline`), which
    /// replaces the configuration's.
    pub baseline: Option<Arc<crate::baseline::Baseline>>,
    /// Whether template placeholders are read as such (`templates`).
    pub templates: Option<bool>,
    /// Variables files that render templates (`vars`, `--vars`), on top of
    /// the layers before.
    pub vars: crate::template::Vars,
    /// How the definitions are sent (`method`, `--method`).
    pub method: Option<crate::deploy_method::Method>,
}

impl SettingsPatch {
    pub fn apply(&self, settings: &mut Settings) {
        let mut from_here = |key: &'static str| {
            settings.origins.insert(key, self.origin.clone());
        };
        if self.marathon_version.is_some() {
            from_here("marathon-version");
        }
        if self.features.is_some() {
            from_here("enable-features");
        }
        if self.default_network_name.is_some() {
            from_here("default-network-name");
        }
        if self.mesos_role.is_some() {
            from_here("mesos-role");
        }
        if self.default_accepted_resource_roles.is_some() {
            from_here("default-accepted-resource-roles");
        }
        if self.role_behavior.is_some() {
            from_here("accepted-resource-roles-default-behavior");
        }
        if let Some(version) = self.marathon_version {
            settings.options.marathon_version = version;
            settings.explicit.version = true;
        }
        if let Some(features) = self.features {
            settings.options.features = features;
            settings.explicit.features = true;
        }
        if let Some(name) = &self.default_network_name {
            settings.options.default_network_name = Some(name.clone());
            settings.explicit.network = true;
        }
        if let Some(role) = &self.mesos_role {
            settings.options.mesos_role = Some(role.clone());
            settings.explicit.mesos_role = true;
        }
        if let Some(roles) = &self.default_accepted_resource_roles {
            settings.options.default_accepted_resource_roles = Some(roles.clone());
        }
        if let Some(behavior) = self.role_behavior {
            settings.options.role_behavior = Some(behavior);
        }
        if let Some(templates) = self.templates {
            settings.options.templates = templates;
        }
        if let Some(method) = self.method {
            from_here("method");
            settings.options.method = Some(method);
        }
        if !self.vars.is_empty() {
            from_here("vars");
            settings.options.vars.extend(&self.vars);
        }
        self.cluster.apply(&mut settings.cluster);
        settings.levels.extend(self.levels.iter().map(|(k, v)| (k.clone(), *v)));
    }
}

/// A loaded configuration file.
#[derive(Debug)]
pub struct Config {
    /// The file, or `None` for the built-in defaults.
    pub path: Option<PathBuf>,
    /// Globs are relative to this directory.
    pub dir: PathBuf,
    pub base: SettingsPatch,
    include: Option<GlobSet>,
    pub include_patterns: Vec<String>,
    exclude: GlobSet,
    pub exclude_patterns: Vec<String>,
    pub respect_gitignore: bool,
    overrides: Vec<(GlobSet, Vec<String>, SettingsPatch)>,
    /// Directories of team policies, and the policies loaded from them.
    pub policy_dirs: Vec<PathBuf>,
    pub policies: Arc<Vec<crate::policy::Policy>>,
    /// The findings this configuration's files already had (`baseline`).
    pub baseline: Option<Arc<crate::baseline::Baseline>>,
}

impl Config {
    /// No file: the built-in defaults.
    pub fn defaults(dir: &Path) -> Config {
        Config {
            path: None,
            dir: std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()),
            base: SettingsPatch::default(),
            include: None,
            include_patterns: Vec::new(),
            exclude: GlobSet::empty(),
            exclude_patterns: Vec::new(),
            respect_gitignore: true,
            overrides: Vec::new(),
            policy_dirs: Vec::new(),
            policies: Arc::default(),
            baseline: None,
        }
    }

    /// `path` relative to the configuration's directory, as globs see it.
    fn relative(&self, path: &Path) -> PathBuf {
        let absolute = crate::discover::absolute(path);
        match absolute.strip_prefix(&self.dir) {
            Ok(relative) => relative.to_path_buf(),
            Err(_) => path.strip_prefix("./").unwrap_or(path).to_path_buf(),
        }
    }

    /// Whether every file gets the same settings (no `[[overrides]]`).
    pub fn same_settings_everywhere(&self) -> bool {
        self.overrides.is_empty()
    }

    /// Whether a file found while walking a directory is to be linted.
    pub fn selects(&self, path: &Path) -> bool {
        if self.include.is_none() && self.exclude.is_empty() {
            return true;
        }
        let relative = self.relative(path);
        let included = self.include.as_ref().is_none_or(|set| set.is_match(&relative));
        included && !self.exclude.is_match(&relative)
    }

    /// The settings rules see for one file: `settings_for`, then the
    /// command line's, then what `/v2/info` says where none set it.
    pub fn resolved_settings(&self, path: &Path, flags: &SettingsPatch) -> (Settings, Vec<String>) {
        let (mut settings, applied) = self.settings_for(path);
        flags.apply(&mut settings);
        settings.finish();
        (settings, applied)
    }

    /// The settings for one file: defaults, then the file's top level, then
    /// every matching `[[overrides]]` in order.
    pub fn settings_for(&self, path: &Path) -> (Settings, Vec<String>) {
        let mut settings = Settings::default();
        self.base.apply(&mut settings);
        let mut applied = Vec::new();
        if self.overrides.is_empty() {
            return (settings, applied);
        }
        let relative = self.relative(path);
        for (set, patterns, patch) in &self.overrides {
            if set.is_match(&relative) {
                patch.apply(&mut settings);
                applied.push(patterns.join(", "));
            }
        }
        (settings, applied)
    }
}

/// A path as users read it: `..` resolved, and relative to the current
/// directory when it lies below it.
fn shown(path: &Path) -> PathBuf {
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                clean.pop();
            }
            std::path::Component::CurDir => {}
            other => clean.push(other),
        }
    }
    match std::env::current_dir() {
        Ok(cwd) => clean.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(clean),
        Err(_) => clean,
    }
}

/// The closest `marathon-lint.toml` at or above `dir`, up to the repository
/// root (a directory holding `.git`).
pub fn find(dir: &Path) -> Option<PathBuf> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let absolute = std::path::absolute(dir).ok()?;
    for ancestor in absolute.ancestors() {
        let candidate = ancestor.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if ancestor.join(".git").exists() {
            break;
        }
    }
    None
}

/// Load and check a configuration file and the policies it names. Errors
/// come back as reports on the files themselves, located like any other
/// diagnostic.
pub fn load(path: &Path) -> Result<Arc<Config>, Vec<FileReport>> {
    load_config(path).map_err(|e| match e {
        LoadError::Config(report) => vec![report],
        LoadError::Policies(reports) => reports,
    })
}

enum LoadError {
    Config(FileReport),
    Policies(Vec<FileReport>),
}

impl From<FileReport> for LoadError {
    fn from(report: FileReport) -> Self {
        LoadError::Config(report)
    }
}

fn load_config(path: &Path) -> Result<Arc<Config>, LoadError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        let mut d = Diagnostic::at(
            "config-error",
            "",
            format!("cannot read {name}: {}", crate::discover::io_message(&e)),
        );
        d.pointer = None;
        report(SourceFile::new(name.clone(), String::new()), vec![d])
    })?;
    from_text(path, text)
}

/// Check a configuration given as text, as if read from `path` (its policy
/// directories are relative to it).
pub fn parse_text(path: &Path, text: String) -> Result<Arc<Config>, Vec<FileReport>> {
    from_text(path, text).map_err(|e| match e {
        LoadError::Config(report) => vec![report],
        LoadError::Policies(reports) => reports,
    })
}

fn from_text(path: &Path, text: String) -> Result<Arc<Config>, LoadError> {
    let file = SourceFile::new(path.display().to_string(), text);
    let raw: RawConfig = toml::from_str(&file.text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().to_string();
        let message = message
            .replace("unknown field", "unknown key")
            .replace("`, expected one of", "`; known keys:");
        report(
            file.clone(),
            vec![error_at(span, message, "fix the configuration at this spot")],
        )
    })?;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = absolute.parent().map(Path::to_path_buf).unwrap_or_default();
    let policy_dirs: Vec<PathBuf> = raw.policy_dirs.iter().map(|d| shown(&dir.join(d.get_ref()))).collect();
    let mut policies = Vec::new();
    let mut policy_problems = Vec::new();
    for policy_dir in &policy_dirs {
        match crate::policy::load_dir(policy_dir) {
            Ok(loaded) => policies.extend(loaded),
            Err(reports) => policy_problems.extend(reports),
        }
    }
    if !policy_problems.is_empty() {
        return Err(LoadError::Policies(policy_problems));
    }
    let policy_ids: Vec<String> = policies.iter().map(|p| p.id().to_string()).collect();
    let mut problems = Vec::new();
    let mut other_files = Vec::new();
    let mut base = patch(&raw.settings(), &policy_ids, &dir, &mut problems, &mut other_files);
    base.origin = shown(&absolute).display().to_string();
    base.templates = raw.templates;
    let include = raw.files.include.as_ref().map(|globs| glob_set(globs, &mut problems));
    let exclude = glob_set(&raw.files.exclude, &mut problems);
    let overrides = raw
        .overrides
        .iter()
        .map(|o| {
            let patterns: Vec<String> = o.paths.get_ref().iter().map(|p| p.get_ref().clone()).collect();
            let mut layer = patch(&o.settings(), &policy_ids, &dir, &mut problems, &mut other_files);
            layer.origin = format!(
                "{} [[overrides]] paths = [{}]",
                shown(&absolute).display(),
                patterns.join(", ")
            );
            (glob_set(o.paths.get_ref(), &mut problems), patterns, layer)
        })
        .collect();
    if !problems.is_empty() {
        let mut reports = vec![report(file, problems)];
        reports.extend(other_files);
        return Err(LoadError::Policies(reports));
    }
    let baseline = match &raw.baseline {
        Some(name) => match crate::baseline::Baseline::load(&shown(&dir.join(name.get_ref()))) {
            Ok(baseline) => Some(Arc::new(baseline)),
            Err(report) => {
                other_files.push(report);
                None
            }
        },
        None => None,
    };
    if !other_files.is_empty() {
        return Err(LoadError::Policies(other_files));
    }
    Ok(Arc::new(Config {
        path: Some(path.to_path_buf()),
        dir,
        base,
        include,
        include_patterns: raw
            .files
            .include
            .iter()
            .flatten()
            .map(|g| g.get_ref().clone())
            .collect(),
        exclude,
        exclude_patterns: raw.files.exclude.iter().map(|g| g.get_ref().clone()).collect(),
        respect_gitignore: raw.files.respect_gitignore.unwrap_or(true),
        overrides,
        policy_dirs,
        policies: Arc::new(policies),
        baseline,
    }))
}

fn report(file: Arc<SourceFile>, mut diagnostics: Vec<Diagnostic>) -> FileReport {
    for d in &mut diagnostics {
        d.severity = Severity::Error;
    }
    FileReport { file, diagnostics }
}

fn error_at(span: std::ops::Range<usize>, message: impl Into<String>, help: impl Into<String>) -> Diagnostic {
    Diagnostic::at_span("config-error", span, message).help(help)
}

fn patch(
    raw: &RawSettings<'_>,
    policy_ids: &[String],
    dir: &Path,
    problems: &mut Vec<Diagnostic>,
    other_files: &mut Vec<FileReport>,
) -> SettingsPatch {
    let mut patch = SettingsPatch::default();
    let mut version = raw.marathon_version.as_ref();
    let mut features = raw.enable_features.as_ref();
    let mut network = raw.default_network_name.clone();
    if let Some(table) = raw.marathon {
        let marathon = table.get_ref();
        // `[marathon]` may name the top level's settings too, but only once.
        let mut once = |top: bool, inner: Option<std::ops::Range<usize>>, key: &str| {
            if let (true, Some(span)) = (top, inner) {
                problems.push(error_at(
                    span,
                    format!("`{key}` is set both at the top level and in [marathon]"),
                    "keep one of the two",
                ));
            }
        };
        once(
            version.is_some(),
            marathon.version.as_ref().map(Spanned::span),
            "version",
        );
        once(
            features.is_some(),
            marathon.features.as_ref().map(Spanned::span),
            "features",
        );
        once(
            network.is_some() && marathon.default_network_name.is_some(),
            Some(table.span()),
            "default-network-name",
        );
        version = version.or(marathon.version.as_ref());
        features = features.or(marathon.features.as_ref());
        network = network.or_else(|| marathon.default_network_name.clone());
        if let Some(role) = &marathon.mesos_role {
            match crate::rules::role_name_problem(role.get_ref()) {
                None => patch.mesos_role = Some(role.get_ref().clone()),
                Some(why) => problems.push(error_at(
                    role.span(),
                    why,
                    "write the role Marathon's --mesos_role names",
                )),
            }
        }
        if let Some(roles) = &marathon.default_accepted_resource_roles {
            if roles.get_ref().is_empty() {
                problems.push(error_at(
                    roles.span(),
                    "Marathon refuses to start with an empty --default_accepted_resource_roles",
                    "list the roles, e.g. [\"*\"]",
                ));
            } else {
                patch.default_accepted_resource_roles = Some(roles.get_ref().clone());
            }
        }
        if let Some(behavior) = &marathon.accepted_resource_roles_default_behavior {
            match behavior.get_ref().parse() {
                Ok(b) => patch.role_behavior = Some(b),
                Err(e) => problems.push(error_at(
                    behavior.span(),
                    e,
                    "use \"any\", \"reserved\" or \"unreserved\"",
                )),
            }
        }
    }
    if let Some(version) = version {
        match version.get_ref().parse() {
            Ok(v) => patch.marathon_version = Some(v),
            Err(e) => problems.push(error_at(
                version.span(),
                e,
                "write the version as a string, e.g. \"1.5\"",
            )),
        }
    }
    let shorthand = raw.agent_resources.as_ref().and_then(|resources| {
        match crate::cluster::resources::parse(resources.get_ref()) {
            Ok(parsed) => Some((parsed, resources.span())),
            Err(e) => {
                problems.push(error_at(
                    resources.span(),
                    e,
                    "write it as the agents' --resources, e.g. \"ports:[31000-32000]\"",
                ));
                None
            }
        }
    });
    let exports: Vec<PathBuf> = raw
        .cluster
        .iter()
        .flat_map(|c| c.get_ref())
        .map(|p| shown(&dir.join(p.get_ref())))
        .collect();
    let mut hand_written = Vec::new();
    for (i, agents) in raw.agents.iter().flat_map(|a| a.get_ref()).enumerate() {
        if let Some(class) = hand_written_agents(agents, problems) {
            hand_written.push((class, format!("marathon-lint.toml [[agents]] #{}", i + 1)));
        }
    }
    if let Some(method) = raw.method {
        match method.get_ref().parse() {
            Ok(m) => patch.method = Some(m),
            Err(e) => problems.push(error_at(
                method.span(),
                e,
                "write how the definitions are sent, e.g. \"patch\"",
            )),
        }
    }
    let mut vars = Vec::new();
    for name in raw.vars.iter().flat_map(|v| v.get_ref()) {
        match crate::template::vars::load(&shown(&dir.join(name.get_ref()))) {
            Ok(file) => vars.push(file),
            Err(report) => other_files.push(report),
        }
    }
    patch.vars = crate::template::Vars::new(vars);
    match crate::cluster::load_layer(&exports, hand_written) {
        Ok(cluster) => patch.cluster = cluster,
        Err(reports) => other_files.extend(reports),
    }
    if let Some((resources, span)) = shorthand {
        if patch.cluster.agents.is_some() {
            problems.push(error_at(
                span,
                "agent-resources describes the agents, and so do the `cluster` exports or [[agents]] here",
                "keep one: [[agents]] with `resources` says the same as agent-resources, with a count",
            ));
        } else {
            patch.cluster.agents = Some(Arc::new(crate::cluster::Agents::assumed(resources, "agent-resources")));
        }
    }
    if let Some(features) = features {
        match features.get_ref().join(",").parse() {
            Ok(f) => patch.features = Some(f),
            Err(e) => problems.push(error_at(
                features.span(),
                e,
                "list Marathon feature names, e.g. [\"secrets\"]",
            )),
        }
    }
    patch.default_network_name = network;
    for (rule, level) in raw.rules {
        let level_value = match level.get_ref().as_str() {
            "off" => Level::Off,
            "info" => Level::Info,
            "warning" => Level::Warning,
            "error" => Level::Error,
            other => {
                problems.push(error_at(
                    level.span(),
                    format!("`{other}` is not a rule level"),
                    "use one of \"off\", \"info\", \"warning\", \"error\"",
                ));
                continue;
            }
        };
        if crate::catalogue::find(rule).is_none() && !policy_ids.contains(rule) {
            // The key's own span is not kept by serde; the value's is next to it.
            let hint = crate::rule_docs::closest_id(rule).map_or_else(
                || "`marathon-lint rules` lists the rule ids".to_string(),
                |c| format!("did you mean `{c}`?"),
            );
            problems.push(error_at(level.span(), format!("there is no rule `{rule}`"), hint));
            continue;
        }
        patch.levels.insert(rule.clone(), level_value);
    }
    patch
}

/// More agents than any Mesos cluster has: a typo, and a bound on sums.
const MAX_AGENTS: i64 = 1_000_000;

/// One `[[agents]]` entry, checked.
fn hand_written_agents(raw: &RawAgents, problems: &mut Vec<Diagnostic>) -> Option<crate::cluster::HandWritten> {
    let before = problems.len();
    let count = *raw.count.get_ref();
    if !(1..=MAX_AGENTS).contains(&count) {
        problems.push(error_at(
            raw.count.span(),
            format!("an agent class needs a count from 1 to {MAX_AGENTS}, found {count}"),
            "say how many agents of this kind the cluster has",
        ));
    }
    let resources = match &raw.resources {
        Some(text) => match crate::cluster::resources::parse(text.get_ref()) {
            Ok(parsed) => parsed,
            Err(e) => {
                problems.push(error_at(
                    text.span(),
                    e,
                    "write the agents' --resources, e.g. \"cpus:8;mem:16384;ports(*):[31000-32000]\"",
                ));
                Default::default()
            }
        },
        None => crate::cluster::resources::parse("").unwrap_or_default(),
    };
    let attributes = match &raw.attributes {
        Some(text) => match crate::cluster::attributes::Attributes::parse_text(text.get_ref()) {
            Ok(parsed) => parsed,
            Err(e) => {
                problems.push(error_at(
                    text.span(),
                    e,
                    "write the agents' --attributes, e.g. \"rack:r1;zone:a\"",
                ));
                Default::default()
            }
        },
        None => Default::default(),
    };
    let count = usize::try_from(count).unwrap_or(0);
    if !raw.hostnames.is_empty() && raw.hostnames.len() != count {
        problems.push(error_at(
            raw.count.span(),
            format!("{} hostnames are listed for {count} agents", raw.hostnames.len()),
            "list one hostname per agent, or none",
        ));
    }
    (problems.len() == before).then(|| crate::cluster::HandWritten {
        count,
        resources,
        attributes,
        hostnames: raw.hostnames.clone(),
        region: raw.region.clone(),
        zone: raw.zone.clone(),
    })
}

fn glob_set(globs: &[Spanned<String>], problems: &mut Vec<Diagnostic>) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        match Glob::new(glob.get_ref()) {
            Ok(g) => {
                builder.add(g);
            }
            Err(e) => problems.push(error_at(
                glob.span(),
                format!("invalid glob: {}", e.kind()),
                "see the glob syntax in README",
            )),
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Which configuration applies to each linted file: one named with
/// `--config`, none with `--no-config`, or else the closest file above it.
pub struct Resolver {
    explicit: Option<Arc<Config>>,
    discover: bool,
    /// Loaded files by path; `None` once a file failed (reported once).
    loaded: std::collections::HashMap<PathBuf, Option<Arc<Config>>>,
    /// The closest configuration file of each directory asked about.
    by_dir: std::collections::HashMap<PathBuf, Option<PathBuf>>,
    /// The last directory's answer (`None`: broken, already reported): a
    /// walk asks for the same directory file after file.
    last: Option<(PathBuf, Option<Arc<Config>>)>,
    defaults: Arc<Config>,
}

impl Resolver {
    pub fn new(explicit: Option<&Path>, no_config: bool) -> Result<Resolver, Vec<FileReport>> {
        let explicit = explicit.map(load).transpose()?;
        Ok(Resolver {
            explicit,
            discover: !no_config,
            loaded: Default::default(),
            by_dir: Default::default(),
            last: None,
            defaults: Arc::new(Config::defaults(Path::new("."))),
        })
    }

    /// The configuration for a file in `dir`. `Err` holds the reports of a
    /// broken configuration the first time it is met, and nothing after.
    pub fn for_dir(&mut self, dir: &Path) -> Result<Arc<Config>, Vec<FileReport>> {
        if let Some(config) = &self.explicit {
            return Ok(config.clone());
        }
        if !self.discover {
            return Ok(self.defaults.clone());
        }
        if let Some((last, config)) = &self.last {
            if last == dir {
                return config.clone().ok_or_else(Vec::new);
            }
        }
        let result = self.find_for_dir(dir);
        self.last = Some((dir.to_path_buf(), result.as_ref().ok().cloned()));
        result
    }

    fn find_for_dir(&mut self, dir: &Path) -> Result<Arc<Config>, Vec<FileReport>> {
        let found = self
            .by_dir
            .entry(dir.to_path_buf())
            .or_insert_with(|| find(dir))
            .clone();
        let Some(path) = found else {
            return Ok(self.defaults.clone());
        };
        if let Some(loaded) = self.loaded.get(&path) {
            return loaded.clone().ok_or_else(Vec::new);
        }
        let result = load(&path);
        self.loaded.insert(path, result.as_ref().ok().cloned());
        result
    }
}

/// The effective configuration for `path`, as TOML with comments saying
/// where each part comes from.
pub fn describe(config: &Config, path: &Path, flags: &SettingsPatch) -> String {
    let (settings, overrides) = config.resolved_settings(path, flags);
    let options = &settings.options;
    let mut out = String::new();
    match &config.path {
        Some(file) => out.push_str(&format!("# configuration: {}\n", file.display())),
        None => out.push_str("# configuration: none found (built-in defaults)\n"),
    }
    out.push_str(&format!("# for: {}\n", path.display()));
    for applied in &overrides {
        out.push_str(&format!("# override applied: paths = [{applied}]\n"));
    }
    out.push_str("# command-line flags, where given, win over the file\n\n");
    let features: Vec<&str> = [
        ("secrets", options.features.secrets),
        ("gpu_resources", options.features.gpu_resources),
        ("external_volumes", options.features.external_volumes),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect();
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let list = |items: &[String]| format!("[{}]", items.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", "));
    out.push_str(&format!(
        "marathon-version = {}\n",
        quote(&options.marathon_version.to_string())
    ));
    let agents = &options.cluster.agents;
    if agents.known {
        let sources: std::collections::BTreeSet<&str> = agents.classes.iter().map(|c| c.source.as_str()).collect();
        out.push_str(&format!(
            "# agents: {} in {} class{}, from {} (`marathon-lint cluster` shows them)\n",
            agents.count(),
            agents.classes.len(),
            if agents.classes.len() == 1 { "" } else { "es" },
            sources.into_iter().collect::<Vec<_>>().join(", ")
        ));
    } else if let Some(class) = agents.classes.first() {
        out.push_str(&format!("agent-resources = {}\n", quote(&class.resources.to_string())));
    }
    match &options.mesos_role {
        Some(role) => out.push_str(&format!("# Marathon's mesos-role: {}\n", quote(role))),
        None => out.push_str("# Marathon's mesos-role is not set\n"),
    }
    out.push_str(&format!(
        "enable-features = {}\n",
        list(&features.iter().map(|f| f.to_string()).collect::<Vec<_>>())
    ));
    match &options.default_network_name {
        Some(name) => out.push_str(&format!("default-network-name = {}\n", quote(name))),
        None => out.push_str("# default-network-name is not set\n"),
    }
    match options.method {
        Some(method) => out.push_str(&format!("method = {}\n", quote(method.name()))),
        None => out.push_str("# method is not set: what any method rejects is reported\n"),
    }
    out.push_str(&format!("templates = {}\n", options.templates));
    if options.vars.is_empty() {
        out.push_str("# vars: none (templates are not rendered)\n");
    } else {
        out.push_str(&format!("# vars (a later file wins): {}\n", options.vars.files()));
    }
    let dirs: Vec<String> = config.policy_dirs.iter().map(|d| d.display().to_string()).collect();
    out.push_str(&format!("policy-dirs = {}\n", list(&dirs)));
    if !config.policies.is_empty() {
        let ids: Vec<&str> = config.policies.iter().map(|p| p.id()).collect();
        out.push_str(&format!("# policies loaded: {}\n", ids.join(", ")));
    }
    out.push_str("\n[files]\n");
    if config.include_patterns.is_empty() {
        out.push_str("# include: every *.json file\n");
    } else {
        out.push_str(&format!("include = {}\n", list(&config.include_patterns)));
    }
    out.push_str(&format!("exclude = {}\n", list(&config.exclude_patterns)));
    out.push_str(&format!("respect-gitignore = {}\n", config.respect_gitignore));
    out.push_str("\n[rules]\n");
    if settings.levels.is_empty() {
        out.push_str("# every rule at its default severity (`marathon-lint rules`)\n");
    }
    for (rule, level) in &settings.levels {
        let level = serde_json::to_value(level)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        out.push_str(&format!("{} = {}\n", quote(rule), quote(&level)));
    }
    out
}
