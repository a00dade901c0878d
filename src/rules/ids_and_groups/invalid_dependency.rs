//! `invalid-dependency`: a `dependencies` entry Marathon cannot read, and
//! dependencies that go round in a circle. Marathon 1.5+ reads each entry
//! through its RAML id pattern, which has no `.` segment. After every change
//! Marathon checks the whole tree for a dependency cycle: an app depending on
//! an app depends on it; depending on a group means depending on every app in
//! it, and a group's own `dependencies` make each of its apps depend so.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::paths;
use crate::diagnostic::{Diagnostic, Target};
use crate::marathon_target::MarathonVersion;
use crate::model::canonical_id;
use crate::rules::{AppContext, GroupContext, Rule};

pub struct InvalidDependency;

const CYCLE: &str = "\"Dependency graph has cyclic dependencies.\"";

/// A dependency resolved the way Marathon resolves it. The base of a
/// relative entry has differed between Marathon's code paths (the group, the
/// root, the app itself), so a relative entry counts only when every
/// candidate base gives the same id.
fn resolve(raw: &str, bases: &[&str]) -> Option<String> {
    if raw.starts_with('/') {
        return Some(canonical_id(raw, "/"));
    }
    let mut resolved = bases.iter().map(|base| canonical_id(raw, base));
    let first = resolved.next()?;
    resolved.all(|other| other == first).then_some(first)
}

/// `(pointer, raw entry)` of each string in a `dependencies` array.
fn entries<'v>(definition: &'v Value, pointer: &str) -> Vec<(String, &'v str)> {
    let Some(Value::Array(items)) = definition.get("dependencies") else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| Some((paths::member(pointer, "dependencies", i), item.as_str()?)))
        .collect()
}

impl Rule for InvalidDependency {
    fn id(&self) -> &'static str {
        "invalid-dependency"
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let version = app.options.marathon_version;
        let deps = entries(app.app, app.pointer);
        if version >= MarathonVersion::V1_5 {
            for (pointer, raw) in &deps {
                if paths::has_dot_segment(raw) {
                    out.push(
                        Diagnostic::at(
                            self.id(),
                            pointer,
                            format!(
                                "dependency `{raw}` has a `.` segment, which Marathon {version} rejects when it \
                                 reads the app (`error.pattern`: its id pattern allows `..` but not `.`)"
                            ),
                        )
                        .label("`.` segment")
                        .help("write the dependency without the `.` segment, e.g. as an absolute id `/group/app`"),
                    );
                }
            }
        }
        // Inside a group document the whole tree is judged at its root.
        let (true, Some(id)) = (paths::is_top_level(app.pointer), app.id) else {
            return;
        };
        // Over /v2/apps, 1.5+ resolves relative entries against the root;
        // 1.4 may resolve them against the app's own id.
        let bases: &[&str] = if version < MarathonVersion::V1_5 {
            &["/", id]
        } else {
            &["/"]
        };
        for (pointer, raw) in &deps {
            let unreadable = version >= MarathonVersion::V1_5 && paths::has_dot_segment(raw);
            let Some(target) = resolve(raw, bases).filter(|_| !unreadable) else {
                continue;
            };
            if !paths::within(id, &target) {
                continue;
            }
            let what = if target == id {
                "the app itself".to_string()
            } else {
                format!("`{target}`, a group this app is in")
            };
            out.push(
                Diagnostic::at(
                    self.id(),
                    pointer,
                    format!("dependency `{raw}` is {what}, so the app depends on itself: Marathon answers {CYCLE}"),
                )
                .label("depends on itself")
                .help("remove this dependency; list only other apps or groups this app needs running first"),
            );
        }
    }

    fn check_group(&self, group: &GroupContext<'_>, out: &mut Vec<Diagnostic>) {
        if !paths::is_top_level(group.pointer) {
            return;
        }
        let mut graph = Graph {
            // 1.5+ refuses these entries when it reads them, before any cycle.
            skip_dot_segments: group.options.marathon_version >= MarathonVersion::V1_5,
            ..Graph::default()
        };
        graph.collect(group.group, group.pointer, group.id.unwrap_or("/"));
        graph.report(self.id(), out);
    }
}

/// An app dependency edge, with the entry that makes it.
struct Edge {
    from: String,
    to: String,
    /// The id the entry resolves to (an app, or a group of apps).
    target: String,
    pointer: String,
    raw: String,
}

#[derive(Default)]
struct Graph {
    /// Canonical app ids, with how often each occurs.
    apps: HashMap<String, usize>,
    /// `(app id, group id it is in, pointer, raw)` for app entries.
    app_deps: Vec<(String, String, String, String)>,
    /// `(group id, pointer, raw)` for group entries.
    group_deps: Vec<(String, String, String)>,
    skip_dot_segments: bool,
}

impl Graph {
    fn collect(&mut self, group: &Value, pointer: &str, group_id: &str) {
        for (dep_pointer, raw) in entries(group, pointer) {
            self.group_deps
                .push((group_id.to_string(), dep_pointer, raw.to_string()));
        }
        for key in ["apps", "groups"] {
            let Some(Value::Array(items)) = group.get(key) else {
                continue;
            };
            for (i, item) in items.iter().enumerate() {
                let item_pointer = paths::member(pointer, key, i);
                let Some(id) = item
                    .get("id")
                    .and_then(Value::as_str)
                    .map(|raw| canonical_id(raw, group_id))
                else {
                    continue;
                };
                if key == "groups" {
                    self.collect(item, &item_pointer, &id);
                    continue;
                }
                *self.apps.entry(id.clone()).or_default() += 1;
                for (dep_pointer, raw) in entries(item, &item_pointer) {
                    self.app_deps
                        .push((id.clone(), group_id.to_string(), dep_pointer, raw.to_string()));
                }
            }
        }
    }

    fn apps_within(&self, group: &str) -> impl Iterator<Item = &String> + '_ {
        let group = group.to_string();
        self.apps.keys().filter(move |id| paths::strictly_within(id, &group))
    }

    /// Every edge between the document's apps, in document order. An app
    /// that occurs twice is dropped by Marathon in favour of the other, so
    /// its entries make no edges.
    fn edges(&self) -> Vec<Edge> {
        let mut edges = Vec::new();
        let unique = |id: &String| self.apps.get(id) == Some(&1);
        let readable = |raw: &str| !(self.skip_dot_segments && paths::has_dot_segment(raw));
        for (from, group_id, pointer, raw) in &self.app_deps {
            let Some(target) = resolve(raw, &[group_id, "/"]).filter(|_| unique(from) && readable(raw)) else {
                continue;
            };
            let targets: Vec<&String> = if self.apps.contains_key(&target) {
                self.apps.keys().filter(|id| **id == target).collect()
            } else {
                self.apps_within(&target).collect()
            };
            for to in targets {
                edges.push(Edge {
                    from: from.clone(),
                    to: to.clone(),
                    target: target.clone(),
                    pointer: pointer.clone(),
                    raw: raw.clone(),
                });
            }
        }
        for (group_id, pointer, raw) in &self.group_deps {
            let Some(target) = resolve(raw, &[group_id, "/"]).filter(|_| readable(raw)) else {
                continue;
            };
            for from in self.apps_within(group_id).filter(|id| unique(id)) {
                for to in self.apps_within(&target) {
                    edges.push(Edge {
                        from: from.clone(),
                        to: to.clone(),
                        target: target.clone(),
                        pointer: pointer.clone(),
                        raw: raw.clone(),
                    });
                }
            }
        }
        edges
    }

    fn report(&self, rule: &str, out: &mut Vec<Diagnostic>) {
        let edges = self.edges();
        let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
        for edge in &edges {
            next.entry(&edge.from).or_default().push(&edge.to);
        }
        let mut reported: Vec<BTreeSet<&str>> = Vec::new();
        for edge in &edges {
            // The edge closes a cycle when its source is reachable from its
            // target; report each cycle once, at its first entry.
            let Some(back) = path(&next, &edge.to, &edge.from) else {
                continue;
            };
            let mut cycle = vec![edge.from.as_str()];
            cycle.extend(back);
            let members: BTreeSet<&str> = cycle.iter().copied().collect();
            if reported
                .iter()
                .any(|seen| seen.is_superset(&members) || members.is_superset(seen))
            {
                continue;
            }
            reported.push(members);
            let message = if edge.from == edge.to {
                let what = if edge.target == edge.from {
                    "the app itself".to_string()
                } else {
                    format!("`{}`, a group `{}` is in", edge.target, edge.from)
                };
                format!(
                    "dependency `{}` is {what}, so the app depends on itself: Marathon answers {CYCLE}",
                    edge.raw
                )
            } else {
                let shown = cycle.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(" → ");
                format!(
                    "dependency `{}` closes a cycle: {shown}; Marathon answers {CYCLE}",
                    edge.raw
                )
            };
            out.push(
                Diagnostic::at(rule, edge.pointer.clone(), message)
                .label("closes a dependency cycle")
                .target(Target::Value)
                .help(
                    "remove one dependency of the cycle; Marathon deploys dependencies first, so a cycle has no order",
                ),
            );
        }
    }
}

/// Shortest path `from` → … → `to` (both included), `from == to` allowed.
fn path<'a>(next: &HashMap<&'a str, Vec<&'a str>>, from: &'a str, to: &'a str) -> Option<Vec<&'a str>> {
    let mut previous: HashMap<&str, &str> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([from]);
    let mut seen = BTreeSet::from([from]);
    while let Some(node) = queue.pop_front() {
        if node == to {
            let mut walk = vec![to];
            let mut at = to;
            while let Some(&before) = previous.get(at) {
                walk.push(before);
                at = before;
            }
            walk.reverse();
            return Some(walk);
        }
        for &after in next.get(node).into_iter().flatten() {
            if seen.insert(after) {
                previous.insert(after, node);
                queue.push_back(after);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{run_group_rule, run_rule, RuleOptions};
    use serde_json::json;

    fn options(version: MarathonVersion) -> RuleOptions {
        RuleOptions {
            marathon_version: version,
            ..RuleOptions::default()
        }
    }

    fn group_messages(group: Value) -> Vec<(String, String)> {
        run_group_rule(&InvalidDependency, group, &RuleOptions::default())
            .into_iter()
            .map(|d| (d.pointer.unwrap_or_default(), d.message))
            .collect()
    }

    #[test]
    fn dot_segments_from_1_5() {
        let app = json!({"id": "/web", "cmd": "x", "dependencies": ["/db/.", "../cache", "/api"]});
        assert!(run_rule(&InvalidDependency, app.clone(), &options(MarathonVersion::V1_4)).is_empty());
        let found = run_rule(&InvalidDependency, app, &options(MarathonVersion::V1_5));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer.as_deref(), Some("/dependencies/0"));
    }

    #[test]
    fn a_single_app_depending_on_itself() {
        for dependency in ["/shop/web", "/shop"] {
            let app = json!({"id": "/shop/web", "cmd": "x", "dependencies": [dependency]});
            let found = run_rule(&InvalidDependency, app, &RuleOptions::default());
            assert_eq!(found.len(), 1, "{dependency}");
            assert!(found[0].message.contains("cyclic"));
        }
        let app = json!({"id": "/shop/web", "cmd": "x", "dependencies": ["/shop/db", "/shopping"]});
        assert!(run_rule(&InvalidDependency, app, &RuleOptions::default()).is_empty());
        // 1.4 may resolve `web` against the app itself: unsure, so silent.
        let app = json!({"id": "/web", "cmd": "x", "dependencies": ["web"]});
        assert!(run_rule(&InvalidDependency, app.clone(), &options(MarathonVersion::V1_4)).is_empty());
        assert_eq!(
            run_rule(&InvalidDependency, app, &options(MarathonVersion::V1_5)).len(),
            1
        );
    }

    #[test]
    fn cycles_between_apps_of_a_group() {
        let group = json!({"id": "/shop", "apps": [
            {"id": "web", "dependencies": ["/shop/api"]},
            {"id": "api", "dependencies": ["/shop/db"]},
            {"id": "db", "dependencies": ["/shop/web"]},
            {"id": "cache"}
        ]});
        let found = group_messages(group);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "/apps/0/dependencies/0");
        assert!(
            found[0]
                .1
                .contains("`/shop/web` → `/shop/api` → `/shop/db` → `/shop/web`"),
            "{found:?}"
        );
    }

    #[test]
    fn relative_entries_resolve_against_the_group() {
        // At the root the group and the root agree.
        let group = json!({"apps": [{"id": "a", "dependencies": ["b"]}, {"id": "b", "dependencies": ["a"]}]});
        assert_eq!(group_messages(group).len(), 1);
        // Inside `/g` they do not: unsure, so silent.
        let group =
            json!({"id": "/g", "apps": [{"id": "a", "dependencies": ["b"]}, {"id": "b", "dependencies": ["a"]}]});
        assert!(group_messages(group).is_empty());
    }

    #[test]
    fn group_dependencies_and_dependencies_on_groups() {
        // An app depending on the group it is in.
        let group = json!({"id": "/shop", "apps": [{"id": "web", "dependencies": ["/shop"]}]});
        let found = group_messages(group);
        assert!(found[0].1.contains("`/shop`, a group `/shop/web` is in"), "{found:?}");
        // Group `db` depends on group `web`, whose app depends on `db`'s app.
        let group = json!({"id": "/shop", "groups": [
            {"id": "db", "dependencies": ["/shop/web"], "apps": [{"id": "pg"}]},
            {"id": "web", "apps": [{"id": "ui", "dependencies": ["/shop/db/pg"]}]}
        ]});
        let found = group_messages(group);
        assert_eq!(found.len(), 1, "{found:?}");
        // No cycle: plain ordering.
        let group = json!({"id": "/shop", "groups": [
            {"id": "db", "apps": [{"id": "pg"}]},
            {"id": "web", "dependencies": ["/shop/db"], "apps": [{"id": "ui", "dependencies": ["/shop/db/pg"]}]}
        ]});
        assert!(group_messages(group).is_empty());
    }

    #[test]
    fn nested_groups_are_judged_at_the_root_only() {
        let nested = GroupContext {
            pointer: "/groups/0",
            group: &json!({"id": "x", "apps": [{"id": "a", "dependencies": ["/x/a"]}]}),
            id: Some("/x"),
            parent_id: "/",
            options: &RuleOptions::default(),
        };
        let mut out = Vec::new();
        InvalidDependency.check_group(&nested, &mut out);
        assert!(out.is_empty());
    }
}
