//! Rules across all files linted in one run: the same app id defined twice,
//! two apps pinning the same host port, and dependencies on apps no file
//! defines. They need every file's facts, so they run after all files.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalogue;
use crate::diagnostic::{Diagnostic, FileReport};
use crate::lint::{AppFacts, FactLocator, Located};

pub const DUPLICATE_APP_ID: &str = "duplicate-app-id";
pub const HOST_PORT_CLASH: &str = "host-port-clash";
pub const UNKNOWN_DEPENDENCY: &str = "unknown-dependency";

/// Ids of the rules in this module, for the catalogue.
pub const RULES: &[&str] = &[DUPLICATE_APP_ID, HOST_PORT_CLASH, UNKNOWN_DEPENDENCY];

/// An app, and which report (file) it came from.
struct Entry<'a> {
    report: usize,
    app: &'a AppFacts,
}

/// `file:line` of a located fact, for messages that name another file.
fn place(locator: &mut FactLocator, report: usize, located: &Located<impl Sized>) -> String {
    let line = locator.line(report, &located.pointer);
    format!("{}:{line}", locator.name(report))
}

fn finding<T>(locator: &mut FactLocator, report: usize, rule: &str, at: &Located<T>, message: String) -> Diagnostic {
    let mut d = Diagnostic::at(rule, at.pointer.clone(), message);
    d.span = locator.span(report, &at.pointer);
    d.severity = catalogue::severity_of(rule);
    d
}

/// Add the cross-file findings to `reports`. `apps[i]` holds the facts of the
/// apps of `reports[i]`.
pub fn check(reports: &mut [FileReport], apps: &[Vec<AppFacts>], locator: &mut FactLocator) {
    let entries: Vec<Entry<'_>> = apps
        .iter()
        .enumerate()
        .flat_map(|(report, apps)| apps.iter().map(move |app| Entry { report, app }))
        .collect();
    let mut found: Vec<(usize, Diagnostic)> = Vec::new();
    duplicate_ids(locator, &entries, &mut found);
    host_port_clashes(locator, &entries, &mut found);
    unknown_dependencies(locator, &entries, &mut found);
    for (report, diagnostic) in found {
        reports[report].diagnostics.push(diagnostic);
    }
}

fn duplicate_ids(locator: &mut FactLocator, entries: &[Entry<'_>], out: &mut Vec<(usize, Diagnostic)>) {
    let mut first_by_id: BTreeMap<&str, &Entry<'_>> = BTreeMap::new();
    for entry in entries {
        let id = entry.app.id.value.as_str();
        match first_by_id.get(id) {
            // Twice in one file is the `duplicate-id` rule's (Marathon
            // rejects it there); across files, one deploy overwrites the other.
            Some(first) if first.report != entry.report => {
                let message = format!(
                    "the app id {id} is also defined in {}: whichever is deployed last replaces the other",
                    place(locator, first.report, &first.app.id)
                );
                out.push((
                    entry.report,
                    finding(locator, entry.report, DUPLICATE_APP_ID, &entry.app.id, message)
                        .label("defined twice")
                        .help("give one of the apps another id, or delete the stale copy"),
                ));
            }
            Some(_) => {}
            None => {
                first_by_id.insert(id, entry);
            }
        }
    }
}

/// Another app that pins ports this one pins: where it first pins one, and
/// this app's ports it shares.
type Clash<'a> = (&'a Entry<'a>, &'a Located<u64>, Vec<&'a Located<u64>>);

fn host_port_clashes(locator: &mut FactLocator, entries: &[Entry<'_>], out: &mut Vec<(usize, Diagnostic)>) {
    // The first app to pin each port. An app defined twice (a duplicate id)
    // does not clash with itself.
    let mut first_by_port: BTreeMap<u64, (&Entry<'_>, &Located<u64>)> = BTreeMap::new();
    for entry in entries {
        // One finding per pair of apps, naming every port they share: an
        // edge proxy may pin a hundred.
        let mut clashes: BTreeMap<&str, Clash<'_>> = BTreeMap::new();
        for port in &entry.app.fixed_host_ports {
            match first_by_port.get(&port.value) {
                Some((first, first_port)) if first.app.id.value != entry.app.id.value => {
                    let clash = clashes
                        .entry(first.app.id.value.as_str())
                        .or_insert((first, first_port, Vec::new()));
                    if !clash.2.iter().any(|p| p.value == port.value) {
                        clash.2.push(port);
                    }
                }
                Some(_) => {}
                None => {
                    first_by_port.insert(port.value, (entry, port));
                }
            }
        }
        for (other, (first, first_port, ports)) in clashes {
            let numbers: Vec<String> = ports.iter().map(|p| p.value.to_string()).collect();
            let what = match numbers.len() {
                1 => format!("host port {} is", numbers[0]),
                n if n <= 5 => format!("host ports {} are", numbers.join(", ")),
                n => format!("host ports {} and {} more are", numbers[..3].join(", "), n - 3),
            };
            let message = format!(
                "{what} also pinned by {other} ({}): tasks of the two apps can never run on the same agent, \
                 and where one runs the other cannot be placed",
                place(locator, first.report, first_port)
            );
            out.push((
                entry.report,
                finding(locator, entry.report, HOST_PORT_CLASH, ports[0], message)
                    .label("pinned by another app too")
                    .help("give one of the apps other host ports, or keep them on disjoint agents with constraints"),
            ));
        }
    }
}

fn unknown_dependencies(locator: &mut FactLocator, entries: &[Entry<'_>], out: &mut Vec<(usize, Diagnostic)>) {
    // A dependency may name an app or a group; every ancestor of an app id
    // is a group some file defines.
    let mut known: BTreeSet<&str> = BTreeSet::new();
    for entry in entries {
        let id = entry.app.id.value.as_str();
        known.insert(id);
        known.extend(id.match_indices('/').filter(|(i, _)| *i > 0).map(|(i, _)| &id[..i]));
    }
    for entry in entries {
        for dependency in &entry.app.dependencies {
            if dependency.value.iter().any(|id| known.contains(id.as_str())) {
                continue;
            }
            let message = format!(
                "{} depends on {}, which none of the linted files defines: Marathon waits for it to be deployed first",
                entry.app.id.value, dependency.value[0]
            );
            out.push((
                entry.report,
                finding(locator, entry.report, UNKNOWN_DEPENDENCY, dependency, message)
                    .label("not defined in any linted file")
                    .help("lint the file that defines it in the same run, or check the id for a typo"),
            ));
        }
    }
}
