//! Rules across all files linted in one run: the same app id defined twice,
//! two apps pinning the same host port, and dependencies on apps no file
//! defines.
//!
//! They see the files one at a time, in output order, so that a run can
//! write each file's report and forget the file: a repeated id or a shared
//! host port is reported on the later app as soon as it is seen; whether a
//! dependency is defined somewhere is only certain once every file is seen.
//! What is kept per app is its id, its pinned ports and where they are.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::catalogue;
use crate::diagnostic::{Diagnostic, Target};
use crate::lint::{AppFacts, Located};
use crate::source::SourceFile;

pub const DUPLICATE_APP_ID: &str = "duplicate-app-id";
pub const HOST_PORT_CLASH: &str = "host-port-clash";
pub const UNKNOWN_DEPENDENCY: &str = "unknown-dependency";

/// Ids of the rules in this module, for the catalogue.
pub const RULES: &[&str] = &[DUPLICATE_APP_ID, HOST_PORT_CLASH, UNKNOWN_DEPENDENCY];

/// Where a file's text can be had again: messages name the line of an app in
/// another file, whose text was dropped once its report was written.
#[derive(Debug, Clone)]
pub enum Source {
    Disk(PathBuf),
    Memory(Arc<SourceFile>),
}

impl Source {
    /// The file's name in reports: its path as given, or the name it was
    /// linted under.
    pub fn name(&self) -> String {
        match self {
            Source::Disk(path) => path.display().to_string(),
            Source::Memory(file) => file.name.clone(),
        }
    }

    /// The text as it is now (`None` if the file cannot be read any more).
    pub fn text(&self) -> Option<Arc<SourceFile>> {
        match self {
            Source::Memory(file) => Some(file.clone()),
            Source::Disk(path) => {
                let bytes = std::fs::read(path).ok()?;
                let (text, _) = crate::parse::decode(bytes);
                Some(SourceFile::new(path.display().to_string(), text))
            }
        }
    }
}

/// A fact of an earlier app: which file, and where in it.
#[derive(Debug)]
struct Place {
    file: u32,
    pointer: Box<str>,
}

/// The first app with an id: which file, and the app's pointer (the id is
/// at `{app}/id`; an app alone in its file has the empty pointer, which
/// takes no allocation). Kept for every app of a run, so kept small.
#[derive(Debug)]
struct FirstApp {
    file: u32,
    app: Box<str>,
}

/// The facts of every file seen so far.
#[derive(Default)]
pub struct ProjectRules {
    /// The files seen that have apps.
    files: Vec<Source>,
    /// The first app to use each id.
    first_by_id: HashMap<Box<str>, FirstApp>,
    /// The first app to pin each host port, with its id.
    first_by_port: HashMap<u64, (Box<str>, Place)>,
    /// Every group above an app (the apps' own ids are the keys of
    /// `first_by_id`): with those, what a dependency may name.
    groups: HashSet<Box<str>>,
    /// Lines of places named in messages, found once each.
    lines: HashMap<(u32, Box<str>), usize>,
}

fn finding<T>(rule: &str, at: &Located<T>, message: String) -> Diagnostic {
    let mut d = Diagnostic::at(rule, at.pointer.clone(), message).target(Target::Value);
    d.severity = catalogue::severity_of(rule);
    d
}

/// Another app that pins ports this one pins: where it first pins one, and
/// this app's ports it shares.
type Clash<'a> = (u32, Box<str>, Vec<&'a Located<u64>>);

impl ProjectRules {
    /// Take the next file's apps. Returns the findings about them that the
    /// files seen so far (this one included) give: ids defined in an earlier
    /// file, host ports an app with another id pinned first. Their spans are
    /// left for the caller, which has the file's text.
    pub fn add(&mut self, file: impl FnOnce() -> Source, apps: &[AppFacts]) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if apps.is_empty() {
            return out;
        }
        self.files.push(file());
        // A run of more than 4 billion files is not a thing.
        let this = (self.files.len() - 1) as u32;
        for app in apps {
            self.duplicate_id(this, app, &mut out);
            self.host_port_clashes(this, app, &mut out);
            let id = app.id.value.as_str();
            for group in Self::names(id).filter(|name| name.len() < id.len()) {
                if !self.groups.contains(group) {
                    self.groups.insert(group.into());
                }
            }
        }
        out
    }

    /// What a dependency on an app with this id may name: the id and every
    /// group above it.
    pub fn names(id: &str) -> impl Iterator<Item = &str> {
        id.match_indices('/')
            .filter(|(i, _)| *i > 0)
            .map(|(i, _)| &id[..i])
            .chain(std::iter::once(id))
    }

    /// Every id that would resolve a dependency of these apps that names
    /// nothing seen so far.
    pub fn unresolved_names<'a>(&self, apps: &'a [AppFacts]) -> impl Iterator<Item = &'a str> + use<'a, '_> {
        apps.iter()
            .flat_map(|app| &app.dependencies)
            .filter(|dependency| !self.is_known(dependency))
            .flat_map(|dependency| dependency.value.iter().map(String::as_str))
    }

    /// Whether some dependency of these apps names nothing seen so far.
    pub fn has_unresolved(&self, apps: &[AppFacts]) -> bool {
        apps.iter()
            .flat_map(|app| &app.dependencies)
            .any(|dependency| !self.is_known(dependency))
    }

    fn is_known(&self, dependency: &Located<Vec<String>>) -> bool {
        dependency
            .value
            .iter()
            .any(|id| self.first_by_id.contains_key(id.as_str()) || self.groups.contains(id.as_str()))
    }

    /// The dependencies of these apps that none of the files seen defines:
    /// to be asked once every file has been added.
    pub fn unknown_dependencies(&self, apps: &[AppFacts]) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for app in apps {
            for dependency in app.dependencies.iter().filter(|d| !self.is_known(d)) {
                let message = format!(
                    "{} depends on {}, which none of the linted files defines: Marathon waits for it to be deployed first",
                    app.id.value, dependency.value[0]
                );
                out.push(
                    finding(UNKNOWN_DEPENDENCY, dependency, message)
                        .label("not defined in any linted file")
                        .help("lint the file that defines it in the same run, or check the id for a typo"),
                );
            }
        }
        out
    }

    fn duplicate_id(&mut self, this: u32, app: &AppFacts, out: &mut Vec<Diagnostic>) {
        let id = app.id.value.as_str();
        match self.first_by_id.get(id) {
            // Twice in one file is the `duplicate-id` rule's (Marathon
            // rejects it there); across files, one deploy overwrites the other.
            Some(first) if first.file != this => {
                let (file, pointer) = (first.file, format!("{}/id", first.app));
                let message = format!(
                    "the app id {id} is also defined in {}: whichever is deployed last replaces the other",
                    self.place(file, &pointer)
                );
                out.push(
                    finding(DUPLICATE_APP_ID, &app.id, message)
                        .label("defined twice")
                        .help("give one of the apps another id, or delete the stale copy"),
                );
            }
            Some(_) => {}
            None => {
                let pointer = app.id.pointer.as_str();
                let first = FirstApp {
                    file: this,
                    app: pointer.strip_suffix("/id").unwrap_or(pointer).into(),
                };
                self.first_by_id.insert(id.into(), first);
            }
        }
    }

    fn host_port_clashes(&mut self, this: u32, app: &AppFacts, out: &mut Vec<Diagnostic>) {
        // One finding per pair of apps, naming every port they share: an
        // edge proxy may pin a hundred. An app defined twice (a duplicate
        // id) does not clash with itself.
        let id = app.id.value.as_str();
        let mut clashes: BTreeMap<Box<str>, Clash<'_>> = BTreeMap::new();
        for port in &app.fixed_host_ports {
            match self.first_by_port.get(&port.value) {
                Some((other, first)) if **other != *id => {
                    let clash = clashes
                        .entry(other.clone())
                        .or_insert_with(|| (first.file, first.pointer.clone(), Vec::new()));
                    if !clash.2.iter().any(|p| p.value == port.value) {
                        clash.2.push(port);
                    }
                }
                Some(_) => {}
                None => {
                    let place = Place {
                        file: this,
                        pointer: port.pointer.as_str().into(),
                    };
                    self.first_by_port.insert(port.value, (id.into(), place));
                }
            }
        }
        for (other, (file, pointer, ports)) in clashes {
            let numbers: Vec<String> = ports.iter().map(|p| p.value.to_string()).collect();
            let what = match numbers.len() {
                1 => format!("host port {} is", numbers[0]),
                n if n <= 5 => format!("host ports {} are", numbers.join(", ")),
                n => format!("host ports {} and {} more are", numbers[..3].join(", "), n - 3),
            };
            let message = format!(
                "{what} also pinned by {other} ({}): tasks of the two apps can never run on the same agent, \
                 and where one runs the other cannot be placed",
                self.place(file, &pointer)
            );
            out.push(
                finding(HOST_PORT_CLASH, ports[0], message)
                    .label("pinned by another app too")
                    .help("give one of the apps other host ports, or keep them on disjoint agents with constraints"),
            );
        }
    }

    /// `file:line` of a fact, for messages that name another place. The
    /// line is 1 when the place cannot be found any more (the file changed
    /// or went away since it was linted).
    fn place(&mut self, file: u32, pointer: &str) -> String {
        let key = (file, Box::from(pointer));
        let line = match self.lines.get(&key) {
            Some(line) => *line,
            None => {
                let line = self.files[file as usize]
                    .text()
                    .map_or(1, |text| line_of(&text, pointer));
                self.lines.insert(key, line);
                line
            }
        };
        format!("{}:{line}", self.files[file as usize].name())
    }
}

/// The 1-based line of the value at `pointer` (1 when it is not there).
fn line_of(file: &SourceFile, pointer: &str) -> usize {
    crate::parse::parse(&crate::template::locatable(&file.text))
        .ok()
        .and_then(|(parsed, _)| parsed.span_of(pointer, Target::Value))
        .map_or(1, |span| file.line_col(span.start).line)
}
