//! The cluster the definitions are judged against: the Mesos agents (grouped
//! into classes of identical agents), Marathon's settings and the apps
//! already running, read from exports (`exports`), from `[[agents]]` in the
//! configuration, or assumed (`--agent-resources`, else Mesos' defaults).

pub mod attributes;
pub mod exports;
pub mod resources;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use attributes::Attributes;
use exports::{Export, ExportError, ExportedApp, MarathonInfo};
use resources::AgentResources;

use crate::diagnostic::FileReport;

/// Agents that are alike in everything placement looks at.
#[derive(Debug, Clone)]
pub struct AgentClass {
    pub count: usize,
    /// The agents' hostnames, where known (as many as `count`, or none).
    pub hostnames: Vec<String>,
    pub resources: AgentResources,
    pub attributes: Attributes,
    pub region: Option<String>,
    pub zone: Option<String>,
    /// Where the class was read: an export's path, or the configuration.
    pub source: String,
}

/// The agents, as classes.
#[derive(Debug, Clone)]
pub struct Agents {
    pub classes: Vec<AgentClass>,
    /// Whether these are the real agents (an export or `[[agents]]`), so
    /// their number, attributes and scalars can be trusted; not when only
    /// `--agent-resources` (or nothing) describes them.
    pub known: bool,
    /// Agents an export lists as inactive: Mesos offers nothing from them.
    pub inactive: usize,
    /// The role of each Marathon framework an export lists (framework id, role).
    pub marathon_roles: Vec<(String, String)>,
    /// Views of these agents computed for placement, kept for the run.
    pub memo: Memo,
}

/// Values computed from the agents once per run, by key (any type: the
/// placement module keeps its views of the agents here).
#[derive(Default)]
pub struct Memo(std::sync::Mutex<HashMap<String, Arc<dyn std::any::Any + Send + Sync>>>);

impl Memo {
    /// The value for `key`, computed by `make` the first time. (Two threads
    /// may both compute it; the first stored wins.)
    pub fn get_or_insert<T: Send + Sync + 'static>(&self, key: String, make: impl FnOnce() -> T) -> Arc<T> {
        let found = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
        if let Some(found) = found.and_then(|f| f.downcast::<T>().ok()) {
            return found;
        }
        let made = Arc::new(make());
        let stored = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key)
            .or_insert_with(|| made.clone())
            .clone();
        stored.downcast::<T>().unwrap_or(made)
    }
}

impl Clone for Memo {
    /// A copy starts empty: what it keeps is derived, not data.
    fn clone(&self) -> Self {
        Memo::default()
    }
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

impl Agents {
    /// One class of unknown size offering `resources`: what `--agent-resources`
    /// says, or Mesos' default ports when nothing does.
    pub fn assumed(resources: AgentResources, source: &str) -> Agents {
        Agents {
            classes: vec![AgentClass {
                count: 1,
                hostnames: Vec::new(),
                resources,
                attributes: Attributes::default(),
                region: None,
                zone: None,
                source: source.to_string(),
            }],
            known: false,
            inactive: 0,
            marathon_roles: Vec::new(),
            memo: Memo::default(),
        }
    }

    pub fn count(&self) -> usize {
        self.classes.iter().map(|c| c.count).sum()
    }
}

impl Default for Agents {
    fn default() -> Self {
        // No resources named: Mesos' default ports, amounts unknown.
        let resources = resources::parse("").unwrap_or_default();
        Agents::assumed(resources, "Mesos' default agent resources")
    }
}

/// Marathon's `/v2/info`, and the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct InfoFacts {
    pub info: MarathonInfo,
    pub source: String,
}

/// A host port held by a running task.
#[derive(Debug, Clone, PartialEq)]
pub struct Holder {
    pub host: String,
    pub app_id: String,
}

/// The apps already running, from `/v2/apps` exports with tasks.
#[derive(Debug, Clone, Default)]
pub struct Running {
    pub apps: Vec<Arc<ExportedApp>>,
    /// Every host port a task holds, and who holds it where.
    pub by_port: HashMap<u64, Vec<Holder>>,
    pub sources: Vec<String>,
}

impl Running {
    pub fn tasks(&self) -> usize {
        self.apps.iter().map(|a| a.tasks.len()).sum()
    }
}

/// Everything known of the cluster for one file.
#[derive(Debug, Clone, Default)]
pub struct Cluster {
    pub agents: Arc<Agents>,
    pub info: Option<Arc<InfoFacts>>,
    pub running: Option<Arc<Running>>,
}

/// What one layer of settings (a configuration, an override, the command
/// line) says of the cluster, each part replacing the layer's below.
#[derive(Debug, Clone, Default)]
pub struct ClusterPatch {
    pub agents: Option<Arc<Agents>>,
    pub info: Option<Arc<InfoFacts>>,
    pub running: Option<Arc<Running>>,
}

impl ClusterPatch {
    pub fn apply(&self, cluster: &mut Cluster) {
        if let Some(agents) = &self.agents {
            cluster.agents = agents.clone();
        }
        if let Some(info) = &self.info {
            cluster.info = Some(info.clone());
        }
        if let Some(running) = &self.running {
            cluster.running = Some(running.clone());
        }
    }
}

/// A hand-written agent class (`[[agents]]`).
pub struct HandWritten {
    pub count: usize,
    pub resources: AgentResources,
    pub attributes: Attributes,
    pub hostnames: Vec<String>,
    pub region: Option<String>,
    pub zone: Option<String>,
}

/// Collects the facts of one layer, then groups the agents into classes.
#[derive(Default)]
pub struct ClusterBuilder {
    /// Classes of the exports' active agents (one per group and export).
    classes: Vec<AgentClass>,
    /// Agent ids (or hostnames) already read: an agent in two exports counts
    /// once. Until a second export lists agents, the first one's are only
    /// kept here, unhashed.
    seen: std::collections::HashSet<String>,
    first_names: Vec<String>,
    /// How many exports listed agents so far.
    agent_exports: usize,
    hand_written: Vec<AgentClass>,
    inactive: usize,
    marathon_roles: Vec<(String, String)>,
    info: Option<InfoFacts>,
    running: Option<Running>,
}

impl ClusterBuilder {
    /// Add a read export. Two `/v2/info` that disagree is an error (the
    /// pointer of the first field that differs).
    pub fn add_export(&mut self, export: Export, source: &str) -> Result<(), ExportError> {
        match export {
            Export::Agents {
                groups, marathon_roles, ..
            } => {
                self.agent_exports += 1;
                if self.agent_exports == 2 {
                    self.seen.extend(std::mem::take(&mut self.first_names));
                }
                for group in groups {
                    let mut hostnames = Vec::with_capacity(group.members.len());
                    let mut count = 0;
                    for (id, hostname) in group.members {
                        let name = id.or_else(|| hostname.clone());
                        if let Some(name) = name {
                            if self.agent_exports == 1 {
                                self.first_names.push(name);
                            } else if !self.seen.insert(name) {
                                continue;
                            }
                        }
                        count += 1;
                        hostnames.extend(hostname);
                    }
                    if count == 0 {
                        continue;
                    }
                    if !group.active {
                        self.inactive += count;
                        continue;
                    }
                    self.classes.push(AgentClass {
                        count,
                        hostnames,
                        resources: group.resources,
                        attributes: group.attributes,
                        region: group.region,
                        zone: group.zone,
                        source: source.to_string(),
                    });
                }
                self.marathon_roles.extend(marathon_roles);
            }
            Export::Info(info) => {
                if let Some(before) = &self.info {
                    if let Some((pointer, what)) = disagreement(&before.info, &info) {
                        return Err(ExportError {
                            message: format!(
                                "this /v2/info disagrees with {} on {what}: export both from the same Marathon",
                                before.source
                            ),
                            pointer: Some(pointer.to_string()),
                        });
                    }
                    return Ok(());
                }
                self.info = Some(InfoFacts {
                    info,
                    source: source.to_string(),
                });
            }
            Export::Apps(apps) => {
                let running = self.running.get_or_insert_with(Running::default);
                running.sources.push(source.to_string());
                for app in apps {
                    for task in &app.tasks {
                        for &port in task.ports.iter().filter(|&&p| p != 0) {
                            running.by_port.entry(port).or_default().push(Holder {
                                host: task.host.clone(),
                                app_id: app.id.clone(),
                            });
                        }
                    }
                    running.apps.push(Arc::new(app));
                }
            }
        }
        Ok(())
    }

    pub fn add_hand_written(&mut self, mut agents: HandWritten, source: String) {
        agents.resources.assume_no_unnamed_gpus();
        self.hand_written.push(AgentClass {
            count: agents.count,
            hostnames: agents.hostnames,
            resources: agents.resources,
            attributes: agents.attributes,
            region: agents.region,
            zone: agents.zone,
            source,
        });
    }

    /// The layer's patch: only the parts it has facts for.
    pub fn build(self) -> ClusterPatch {
        // Only inactive agents say nothing of the agents that will come back.
        let has_agents = !self.classes.is_empty() || !self.hand_written.is_empty();
        let agents = has_agents.then(|| {
            let mut classes = self.classes;
            classes.extend(self.hand_written);
            Arc::new(Agents {
                classes,
                known: true,
                inactive: self.inactive,
                marathon_roles: self.marathon_roles,
                memo: Memo::default(),
            })
        });
        ClusterPatch {
            agents,
            info: self.info.map(Arc::new),
            running: self.running.map(Arc::new),
        }
    }
}

/// The first field two `/v2/info` disagree on.
fn disagreement(a: &MarathonInfo, b: &MarathonInfo) -> Option<(&'static str, &'static str)> {
    if a.version != b.version {
        return Some(("/version", "the version"));
    }
    if a.mesos_role != b.mesos_role {
        return Some(("/marathon_config/mesos_role", "mesos_role"));
    }
    if a.features != b.features {
        return Some(("/marathon_config/features", "features"));
    }
    if a.default_network_name != b.default_network_name {
        return Some(("/marathon_config/default_network_name", "default_network_name"));
    }
    None
}

/// A `config-error` report on an export file, at `span` when known.
/// Read one export file. Problems are reports on that file (`config-error`),
/// located where the JSON allows.
pub fn load_export(path: &Path) -> Result<Export, FileReport> {
    let name = path.display().to_string();
    if let Some(read) = read_large_master(path) {
        return read.map_err(|e| export_error_report(path, e));
    }
    let bytes = crate::cli::read_input(path, u64::MAX).map_err(|why| {
        FileReport::config_error(
            &name,
            String::new(),
            None,
            format!("cannot read the cluster export {name}: {why}"),
            "check the path given to --cluster or `cluster` in marathon-lint.toml",
        )
    })?;
    let Ok(text) = String::from_utf8(bytes) else {
        return Err(FileReport::config_error(
            &name,
            String::new(),
            None,
            format!("the cluster export {name} is not UTF-8 text"),
            "export it again as JSON (curl -o FILE ...)",
        ));
    };
    let json = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let offset = text.len() - json.len();
    // Large master exports are read without building the document.
    if let Some(read) = exports::read_master_fast(json) {
        return read.map_err(|e| located_error(&name, text.clone(), e));
    }
    let value: serde_json::Value = match serde_json::from_str(json) {
        Ok(value) => value,
        Err(e) => {
            let at = line_col_offset(json, e.line(), e.column()) + offset;
            let message = if json.trim().is_empty() {
                format!("the cluster export {name} is empty")
            } else {
                format!("the cluster export {name} is not JSON: {e}")
            };
            return Err(FileReport::config_error(
                &name,
                text.clone(),
                Some(at..at),
                message,
                "export it again; a truncated download is the usual cause",
            ));
        }
    };
    exports::read(&value).map_err(|e| located_error(&name, text, e))
}

/// Exports this large are mapped into memory rather than read into a buffer.
const MAP_FROM_BYTES: u64 = 1 << 20;

/// A large master export (a 10,000-agent `/master/state` is about 9 MB),
/// mapped and read in place: reading it into a buffer costs a page fault
/// for every 4 KiB of it, which on a virtual machine is most of the time
/// spent. `None` for anything else (small, not a master export of the usual
/// shape, not mappable): the general reader then reads it.
fn read_large_master(path: &Path) -> Option<Result<Export, ExportError>> {
    let file = std::fs::File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() < MAP_FROM_BYTES {
        return None;
    }
    // SAFETY: the map is read-only and dropped before this returns. Another
    // process truncating the export while it is read would end this one
    // (SIGBUS), the trade-off ripgrep makes for large files; exports are
    // written by curl before a run, not during one.
    let map = unsafe { memmap2::MmapOptions::new().populate().map(&file) }.ok()?;
    let text = std::str::from_utf8(&map).ok()?;
    exports::read_master_fast(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// An export error located at its pointer in the file's text.
fn located_error(name: &str, text: String, error: ExportError) -> FileReport {
    let span = error.pointer.as_deref().and_then(|pointer| {
        let (parsed, _) = crate::parse::parse(&text).ok()?;
        parsed.span_of(pointer, crate::diagnostic::Target::Value)
    });
    FileReport::config_error(
        name,
        text,
        Some(span.unwrap_or(0..0)),
        format!("{name}: {}", error.message),
        "export it again from a healthy cluster, or fix or remove this file from the cluster settings",
    )
}

/// A serde_json error position (1-based line, column) as a byte offset.
fn line_col_offset(text: &str, line: usize, column: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum();
    let mut offset = (start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A problem found after reading (two `/v2/info` that disagree), located
/// by reading the file again.
pub fn export_error_report(path: &Path, error: ExportError) -> FileReport {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    located_error(&name, text, error)
}

/// Count of agents per role offering anything, for descriptions.
pub fn agents_per_role(agents: &Agents) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for class in &agents.classes {
        for role in class.resources.roles() {
            *out.entry(role.to_string()).or_insert(0) += class.count;
        }
    }
    out
}

/// Read one layer's cluster facts: its exports and hand-written agent
/// classes. Problems are reports on the exports.
pub fn load_layer(
    exports: &[std::path::PathBuf],
    hand_written: Vec<(HandWritten, String)>,
) -> Result<ClusterPatch, Vec<FileReport>> {
    let mut builder = ClusterBuilder::default();
    let mut reports = Vec::new();
    for path in exports {
        match load_export(path) {
            Ok(export) => {
                if let Err(e) = builder.add_export(export, &path.display().to_string()) {
                    reports.push(export_error_report(path, e));
                }
            }
            Err(report) => reports.push(report),
        }
    }
    for (agents, source) in hand_written {
        builder.add_hand_written(agents, source);
    }
    if reports.is_empty() {
        Ok(builder.build())
    } else {
        Err(reports)
    }
}
