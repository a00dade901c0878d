//! What a deploy would change: definitions compared with the running apps
//! of a `GET /v2/apps` (or `/v2/groups`) export, for the method they are
//! sent with (`crate::deploy_method`). Per app: created, changed (each
//! field, old and new), unchanged, removed (apps a group body sent whole
//! leaves out), or refused; the fields a merge keeps from the running app;
//! and whether the deployment restarts every task or only scales.
//!
//! Marathon's facts, at the release tags 1.4.13 to 1.10.26: PUT merges into
//! the running app unless `?partialUpdate=false` (AppsResource.scala),
//! merging replaces whole top-level members (AppUpdate.scala at 1.4,
//! AppConversion.scala's update reader from 1.5); a `version` body is a
//! rollback; `PUT /v2/groups/{id}` with `apps` replaces the group's apps
//! (GroupUpdate.scala, GroupConversion.scala); a deployment restarts tasks
//! when `isUpgrade` holds (AppDefinition.scala: every member but
//! `instances`, `versionInfo` and, from 1.6, `executorResources`) and only
//! scales when `instances` alone changed or the app is scaled to zero.

pub mod normalise;
pub mod output;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::deploy_method::Method;
use crate::marathon_target::MarathonVersion;
use normalise::{Context, PortIndex};

/// What happens to one app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Created,
    Changed,
    Unchanged,
    Removed,
    /// Marathon answers the request with an error.
    Refused,
    /// The body asks for an earlier version of the app.
    Rollback,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Changed => "changed",
            Status::Unchanged => "unchanged",
            Status::Removed => "removed",
            Status::Refused => "refused",
            Status::Rollback => "rollback",
        }
    }
}

/// What the deployment does to the app's tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deployment {
    /// No deployment: nothing changes, or Marathon stores the change only.
    None,
    Start {
        instances: u64,
    },
    Stop {
        instances: u64,
    },
    Scale {
        from: u64,
        to: u64,
    },
    /// Every running task is replaced (`from` tasks, then `to`).
    Restart {
        from: u64,
        to: u64,
    },
    /// An earlier version, unknown here.
    Unknown,
}

/// One changed value.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// `container.docker.image`, `portDefinitions[0].port`.
    pub path: String,
    /// The same as a JSON pointer into the app.
    pub pointer: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
    /// The file leaves this member out, and the method puts Marathon's
    /// default in its place.
    pub reset: bool,
}

/// A member the file leaves out and a merge keeps from the running app.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    pub field: String,
    pub value: Value,
}

#[derive(Debug, Clone)]
pub struct AppPlan {
    pub id: String,
    /// The file and JSON pointer of its definition (none when removed).
    pub file: Option<String>,
    pub pointer: Option<String>,
    /// The request that carries it: `PUT /v2/apps/{id}`, `PUT /v2/groups/{id}`.
    pub request: String,
    /// The method, for apps sent on their own (not in a group body).
    pub method: Option<Method>,
    pub status: Status,
    pub deployment: Deployment,
    pub changes: Vec<Change>,
    pub kept: Vec<Kept>,
    /// Why it is refused or removed, and what else Marathon does.
    pub notes: Vec<String>,
}

/// The plan of a run.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub apps: Vec<AppPlan>,
    /// The export it was compared with, and how many apps it holds.
    pub current: String,
    pub running: usize,
    /// Whether no method was set, so `put` was assumed.
    pub method_assumed: bool,
    /// The Marathon version whose defaults it compares with.
    pub version: Option<MarathonVersion>,
    /// What the reader should know about the whole plan.
    pub notes: Vec<String>,
}

impl Plan {
    /// Tasks the deployments restart.
    pub fn restarted_tasks(&self) -> u64 {
        self.apps
            .iter()
            .map(|a| match a.deployment {
                Deployment::Restart { from, .. } => from,
                _ => 0,
            })
            .sum()
    }

    /// Whether running tasks restart (a suspended app has none).
    pub fn restarts(&self) -> bool {
        self.apps
            .iter()
            .any(|a| matches!(a.deployment, Deployment::Restart { from, .. } if from > 0))
    }

    pub fn count(&self, status: Status) -> usize {
        self.apps.iter().filter(|a| a.status == status).count()
    }
}

/// The running apps, by canonical id.
#[derive(Debug, Default)]
pub struct Running {
    apps: BTreeMap<String, Map<String, Value>>,
}

impl Running {
    pub fn new(apps: impl IntoIterator<Item = (String, Map<String, Value>)>) -> Running {
        Running {
            apps: apps
                .into_iter()
                .map(|(id, app)| (crate::model::canonical_id(&id, "/"), app))
                .collect(),
        }
    }

    pub fn get(&self, id: &str) -> Option<&Map<String, Value>> {
        self.apps.get(id)
    }

    /// Whether a group has running apps (so it exists).
    pub fn has_group(&self, group: &str) -> bool {
        let prefix = if group == "/" {
            "/".to_string()
        } else {
            format!("{group}/")
        };
        self.apps.keys().any(|id| id.starts_with(&prefix))
    }
}

/// One definition to plan, as the file holds it.
pub struct Body<'v> {
    pub file: String,
    pub pointer: String,
    pub app: &'v Map<String, Value>,
    /// Canonical id.
    pub id: String,
    pub parent_id: String,
    /// Sent inside a group body (`PUT /v2/groups/{id}`): whole, whatever
    /// the method.
    pub group: Option<String>,
    pub method: Method,
    pub context: Context,
    /// Why Marathon refuses the body it is part of (a group body), if it does.
    pub refused: Option<String>,
    /// The role Marathon 1.9+ gives apps that name none, when the body says
    /// (a top-level group's `enforceRole`).
    pub default_role: Option<String>,
}

fn instances(app: &Map<String, Value>) -> u64 {
    match app.get("instances") {
        Some(n) => n.as_f64().filter(|n| *n >= 0.0).map_or(1, |n| n as u64),
        None => 1,
    }
}

/// `a.b[0].c` from JSON-pointer-like steps.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Where a change is, for reading (`a.b[0]`) and as a JSON pointer (keys
/// may hold dots: `labels.com.example.team`).
#[derive(Clone, Default)]
struct At {
    path: String,
    pointer: String,
}

impl At {
    fn key(&self, key: &str) -> At {
        At {
            path: join(&self.path, key),
            pointer: crate::diagnostic::pointer_join(&self.pointer, key),
        }
    }

    fn index(&self, i: usize) -> At {
        At {
            path: format!("{}[{i}]", self.path),
            pointer: format!("{}/{i}", self.pointer),
        }
    }
}

fn diff(at: &At, old: Option<&Value>, new: Option<&Value>, out: &mut Vec<Change>) {
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                diff(&at.key(key), a.get(key), b.get(key), out);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) if a.iter().chain(b).all(Value::is_object) => {
            // Equal elements pair first (sets are sorted, so one edit can
            // move an element); the rest pair in order, and what is left over
            // was added or removed.
            let mut unmatched_old: Vec<usize> = (0..a.len()).collect();
            let mut unmatched_new = Vec::new();
            for (j, y) in b.iter().enumerate() {
                match unmatched_old.iter().position(|&i| a[i] == *y) {
                    Some(k) => {
                        unmatched_old.remove(k);
                    }
                    None => unmatched_new.push(j),
                }
            }
            let paired = unmatched_old.len().min(unmatched_new.len());
            for (&i, &j) in unmatched_old.iter().zip(&unmatched_new) {
                diff(&at.index(j), Some(&a[i]), Some(&b[j]), out);
            }
            for &i in &unmatched_old[paired..] {
                diff(&at.index(i), Some(&a[i]), None, out);
            }
            for &j in &unmatched_new[paired..] {
                diff(&at.index(j), None, Some(&b[j]), out);
            }
        }
        (a, b) if a != b => out.push(Change {
            path: at.path.clone(),
            pointer: at.pointer.clone(),
            old: a.cloned(),
            new: b.cloned(),
            reset: false,
        }),
        _ => {}
    }
}

/// Service ports the file leaves to Marathon (0) keep the numbers Marathon
/// assigned: re-sending 0 gets the same ports back.
fn adopt_assigned_ports(new: &mut Map<String, Value>, old: &Map<String, Value>) {
    let adopt = |new: Option<&mut Value>, old: Option<&Value>, key: &str| {
        let (Some(Value::Array(new)), Some(Value::Array(old))) = (new, old) else {
            return;
        };
        for (n, o) in new.iter_mut().zip(old) {
            if let (Some(slot), Some(assigned)) = (n.get_mut(key), o.get(key)) {
                if slot.as_u64() == Some(0) {
                    *slot = assigned.clone();
                }
            }
        }
    };
    adopt(new.get_mut("portDefinitions"), old.get("portDefinitions"), "port");
    let old_mappings = old.get("container").and_then(|c| c.get("portMappings"));
    let new_mappings = new.get_mut("container").and_then(|c| c.get_mut("portMappings"));
    adopt(new_mappings, old_mappings, "servicePort");
}

/// What a service port of 0 gets that no port of the running app can be
/// reused for.
const NEW_PORT: &str = "(a new port Marathon picks)";

/// Service ports the file leaves to Marathon (0) get what Marathon gives
/// them: the running app's ports in Marathon's range (10000-20000 by
/// default) that the file does not name, in order, then new ones
/// (AssignDynamicServiceLogic.scala:47-63 at 1.10.26, GroupManagerActor
/// at 1.4.13).
fn assign_service_ports(new: &mut Map<String, Value>, old: &Map<String, Value>) {
    // The service ports: a host app's port definitions, or a container's
    // port mappings (an app has one of the two).
    fn slots(app: &mut Map<String, Value>) -> Vec<&mut Value> {
        let mut out = Vec::new();
        for (key, value) in app.iter_mut() {
            match (key.as_str(), value) {
                ("portDefinitions", Value::Array(items)) => {
                    out.extend(items.iter_mut().filter_map(|d| d.get_mut("port")));
                }
                ("container", container) => {
                    if let Some(Value::Array(items)) = container.get_mut("portMappings") {
                        out.extend(items.iter_mut().filter_map(|m| m.get_mut("servicePort")));
                    }
                }
                _ => {}
            }
        }
        out
    }
    let mut old = old.clone();
    let running: Vec<Option<u64>> = slots(&mut old).iter().map(|p| p.as_u64()).collect();
    let mut new_slots = slots(new);
    let named: std::collections::HashSet<u64> = new_slots
        .iter()
        .filter_map(|p| p.as_u64())
        .filter(|p| *p != 0)
        .collect();
    let mut reusable = running
        .iter()
        .flatten()
        .copied()
        .filter(|p| (10000..20000).contains(p) && !named.contains(p));
    for (i, slot) in new_slots.iter_mut().enumerate() {
        // An export that shows no port assigned there (0) has nothing to
        // compare with.
        if slot.as_u64() == Some(0) && running.get(i) != Some(&Some(0)) {
            **slot = reusable.next().map_or_else(|| Value::from(NEW_PORT), Value::from);
        }
    }
}

/// Members whose change `isUpgrade` does not count.
fn restarts_for(key: &str, version: MarathonVersion) -> bool {
    !(key == "instances" || (key == "executorResources" && version >= MarathonVersion::V1_6))
}

fn compare(
    old: &Map<String, Value>,
    mut new: Map<String, Value>,
    version: MarathonVersion,
) -> (Vec<Change>, Deployment) {
    assign_service_ports(&mut new, old);
    let mut changes = Vec::new();
    diff(
        &At::default(),
        Some(&Value::Object(old.clone())),
        Some(&Value::Object(new.clone())),
        &mut changes,
    );
    let (from, to) = (instances(old), instances(&new));
    let top: BTreeSet<&str> = changes
        .iter()
        .map(|c| c.path.split(['.', '[']).next().unwrap_or(""))
        .collect();
    let deployment = if changes.is_empty() {
        Deployment::None
    } else if to == 0 || top.iter().all(|k| *k == "instances" || !restarts_for(k, version)) {
        if from == to {
            Deployment::None
        } else {
            Deployment::Scale { from, to }
        }
    } else {
        Deployment::Restart { from, to }
    };
    (changes, deployment)
}

/// Whether a body lists its ports itself (so Marathon 1.5+ gives its health
/// checks a `portIndex`).
fn lists_ports(app: &Map<String, Value>) -> bool {
    let non_empty = |v: Option<&Value>| v.and_then(Value::as_array).is_some_and(|a| !a.is_empty());
    let container = app.get("container");
    non_empty(app.get("portDefinitions"))
        || non_empty(app.get("ports"))
        || non_empty(container.and_then(|c| c.get("portMappings")))
        || non_empty(
            container
                .and_then(|c| c.get("docker"))
                .and_then(|d| d.get("portMappings")),
        )
}

/// Why Marathon refuses the body before comparing anything, if it does.
fn refused_body(body: &Body<'_>, merges: bool, exists: bool) -> Option<String> {
    let ctx = &body.context;
    let app = body.app;
    let present = |key: &str| app.get(key).is_some_and(|v| !v.is_null());
    let non_empty = |key: &str| app.get(key).and_then(Value::as_array).is_some_and(|a| !a.is_empty());
    // 1.4's update reader refuses both lists even empty (Formats.scala:1419-1421
    // at 1.4.13); every other reader when both hold URIs.
    if (merges && ctx.version < MarathonVersion::V1_5 && present("uris") && present("fetch"))
        || (non_empty("uris") && non_empty("fetch"))
    {
        return Some(
            "`uris` and `fetch` together: Marathon refuses them (\"You cannot specify both uris and fetch fields\"); keep `fetch` (a saved 1.4 export lists its URIs in both)".into(),
        );
    }
    if ctx.version >= MarathonVersion::V1_5 {
        if let Some(Value::Object(strategy)) = app.get("upgradeStrategy") {
            if let Some(missing) = ["minimumHealthCapacity", "maximumOverCapacity"]
                .into_iter()
                .find(|k| !strategy.contains_key(*k))
            {
                return Some(format!(
                    "`upgradeStrategy` without `{missing}`: Marathon 1.5+ requires both members and refuses the body (422)"
                ));
            }
        }
    }
    // A rollback takes `version` alone (and `id`); Marathon 1.5+ creates a
    // missing app from a whole body, ignoring `version`.
    if merges && present("version") && (exists || ctx.version < MarathonVersion::V1_5) {
        let others = crate::deploy_method::beside_version(app, ctx.version);
        if let Some(first) = others.first() {
            return Some(format!(
                "`version` next to `{first}`: Marathon reads a body with `version` as a rollback and refuses it with \
                 anything else (\"The 'version' field may only be combined with the 'id' field.\"); remove `version`"
            ));
        }
    }
    None
}

/// Plan one app body.
pub fn plan_app(body: &Body<'_>, running: &Running) -> AppPlan {
    let ctx = &body.context;
    let current = running.get(&body.id);
    let request = match &body.group {
        Some(_) if body.method == Method::Post => "POST /v2/groups".to_string(),
        Some(group) => format!("PUT /v2/groups{}", if group == "/" { "" } else { group }),
        // A list is sent to /v2/apps.
        None if !body.pointer.is_empty() => body.method.request().replace("/{id}", ""),
        None => body.method.request().to_string(),
    };
    let mut plan = AppPlan {
        id: body.id.clone(),
        file: Some(body.file.clone()),
        pointer: Some(body.pointer.clone()),
        request,
        method: body.group.is_none().then_some(body.method),
        status: Status::Unchanged,
        deployment: Deployment::None,
        changes: Vec::new(),
        kept: Vec::new(),
        notes: Vec::new(),
    };
    let refuse = |mut plan: AppPlan, why: String| {
        plan.status = Status::Refused;
        plan.notes.push(why);
        plan
    };
    if let Some(why) = &body.refused {
        return refuse(plan, why.clone());
    }
    if let (Some(group), Method::Post) = (&body.group, body.method) {
        if running.has_group(group) {
            return refuse(
                plan,
                format!(
                    "POST /v2/groups creates groups: {group} exists (409 Conflict); send it with PUT /v2/groups{}",
                    if group == "/" { "" } else { group }
                ),
            );
        }
    }
    let merges = body.group.is_none() && body.method.merges();
    if let Some(why) = refused_body(body, merges, current.is_some()) {
        return refuse(plan, why);
    }
    let mut sent = normalise::strip(body.app, ctx, merges);
    // The URL names an app sent on its own: its id is that one.
    if body.group.is_none() {
        sent.insert("id".into(), Value::String(body.id.clone()));
    }
    let rollback = body.app.get("version").filter(|v| !v.is_null());
    if let (true, Some(version), Some(_)) = (merges, rollback, current) {
        plan.status = Status::Rollback;
        plan.deployment = Deployment::Unknown;
        plan.notes.push(format!(
            "rolls back to version {version}: the whole stored definition of that version comes back, `instances` included"
        ));
        return plan;
    }
    // Marathon 1.4 resolves the dependencies of an app sent on its own
    // against the app's id (AppDefinition.withCanonizedIds); 1.5+ and group
    // bodies against its group.
    let base = if body.group.is_none() && ctx.version < MarathonVersion::V1_5 {
        body.id.as_str()
    } else {
        body.parent_id.as_str()
    };
    let listed = if lists_ports(body.app) {
        PortIndex::WhenPorted
    } else {
        PortIndex::AsWritten
    };
    let Some(current) = current else {
        if body.group.is_none() && body.method == Method::Patch {
            return refuse(
                plan,
                format!(
                    "PATCH does not create apps: {} is not running (Marathon answers 404, or 422 from 1.5 after reading the body as a whole app); create it with POST or PUT",
                    body.id
                ),
            );
        }
        let created = normalise::normalise(&sent, base, ctx, listed);
        plan.status = Status::Created;
        plan.deployment = Deployment::Start {
            instances: instances(&created),
        };
        return plan;
    };
    if body.group.is_none() && body.method == Method::Post {
        return refuse(
            plan,
            format!(
                "POST creates apps: {} is running already (409 Conflict); send changes with PUT or PATCH",
                body.id
            ),
        );
    }
    // 1.9+ apps of a group that enforces its role default to the group's
    // name as their role: read it off the running app.
    let mut ctx = ctx.clone();
    if let Some(role) = &body.default_role {
        ctx.mesos_role = role.clone();
    } else if ctx.version >= MarathonVersion::V1_9 && !sent.contains_key("role") {
        let group = body.id.trim_start_matches('/').split('/').next().unwrap_or("");
        if body.id.matches('/').count() > 1 && current.get("role").and_then(Value::as_str) == Some(group) {
            ctx.mesos_role = group.to_string();
        }
    }
    let ctx = &ctx;
    let old = normalise::normalise(current, "/", ctx, PortIndex::AsWritten);
    let new = if merges {
        // Whole top-level members of the body replace the running app's.
        let mut merged = normalise::strip(current, ctx, false);
        let mut update = sent.clone();
        // 1.4 refuses an IP address next to ports the merge keeps
        // (AppDefinition.scala:96-98, AppUpdate.scala:132,146 at 1.4.13).
        if ctx.version < MarathonVersion::V1_5
            && update.contains_key("ipAddress")
            && !update.contains_key("ports")
            && !update.contains_key("portDefinitions")
        {
            let kept_ports = ["portDefinitions", "ports"]
                .iter()
                .any(|k| merged.get(*k).and_then(Value::as_array).is_some_and(|a| !a.is_empty()));
            if kept_ports && merged.get("ipAddress").is_none() {
                return refuse(
                    plan,
                    "Marathon 1.4 merges the body into the running app, which has host ports, and refuses an IP address next to them (\"IP address ... and ports ... are not allowed at the same time\"); add `\"ports\": []`".into(),
                );
            }
        }
        normalise::translate_networking(&mut merged, ctx);
        normalise::translate_networking(&mut update, ctx);
        if update.contains_key("networks") {
            // A body in the other networking API replaces it whole.
            merged.remove("portDefinitions");
            // 1.5+ gives an update on a container network without a
            // container an empty Mesos one, which replaces the running
            // container (AppNormalization.forUpdates).
            let host = update
                .get("networks")
                .and_then(Value::as_array)
                .is_some_and(|n| n.iter().all(|n| n.get("mode").and_then(Value::as_str) == Some("host")));
            if ctx.version >= MarathonVersion::V1_5 && !host && !update.contains_key("container") {
                update.insert("container".into(), serde_json::json!({"type": "MESOS"}));
                if merged.contains_key("container") {
                    plan.notes.push("the body sets a container network but no `container`: Marathon gives it an empty Mesos container, which replaces the running one (its image included)".into());
                }
            }
        }
        // 1.5+ gives the body's own health checks their `portIndex` 0
        // whatever the ports (AppNormalization.forDeprecatedUpdates).
        if ctx.version >= MarathonVersion::V1_5 {
            if let Some(Value::Array(checks)) = update.get_mut("healthChecks") {
                for check in checks.iter_mut().filter_map(Value::as_object_mut) {
                    let command = check.get("protocol").and_then(Value::as_str) == Some("COMMAND");
                    if !command && !check.contains_key("port") && !check.contains_key("portIndex") {
                        check.insert("portIndex".into(), Value::from(0));
                    }
                }
            }
        }
        for (key, value) in &update {
            merged.insert(key.clone(), value.clone());
        }
        let runs_something = ["cmd", "args"].iter().any(|k| merged.contains_key(*k))
            || merged
                .get("container")
                .and_then(|c| c.get("docker"))
                .and_then(|d| d.get("image"))
                .is_some();
        if !runs_something {
            return refuse(
                plan,
                "after the merge the app has no `cmd`, no `args` and no image: Marathon refuses it (\"AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.\")".into(),
            );
        }
        // Marathon's update reader takes these from the body only.
        if ctx.version >= MarathonVersion::V1_6
            && !sent.contains_key("executorResources")
            && merged.remove("executorResources").is_some()
        {
            plan.notes.push("`executorResources` is not in the body: Marathon's partial update drops it (1.6+ does not carry it over)".into());
        }
        if ctx.version >= MarathonVersion::V1_10
            && !sent.contains_key("resourceLimits")
            && merged.remove("resourceLimits").is_some()
        {
            plan.notes.push(
                "`resourceLimits` is not in the body: Marathon 1.10's partial update drops it, which restarts the app"
                    .into(),
            );
        }
        // What Marathon puts in place of a member nobody set, for this app
        // (a resident one has other defaults).
        let defaults_for = |extra: Option<(&str, &Value)>| {
            let mut seed = Map::new();
            seed.insert("id".into(), Value::String(body.id.clone()));
            if let Some((k, v)) = extra {
                seed.insert(k.to_string(), v.clone());
            }
            let mut defaults = normalise::normalise(&seed, "/", ctx, PortIndex::AsWritten);
            adopt_assigned_ports(&mut defaults, &old);
            defaults
        };
        let defaults = [
            defaults_for(None),
            defaults_for(current.get("container").map(|c| ("container", c))),
        ];
        let new = normalise::normalise(&merged, "/", ctx, PortIndex::WhenPorted);
        for (key, value) in &old {
            if key == "id" || update.contains_key(key) || defaults.iter().any(|d| d.get(key) == Some(value)) {
                continue;
            }
            plan.kept.push(Kept {
                field: key.clone(),
                value: value.clone(),
            });
        }
        new
    } else {
        let mut new = normalise::normalise(&sent, base, ctx, listed);
        if body.group.is_none() && ctx.version >= MarathonVersion::V1_6 && new.remove("executorResources").is_some() {
            plan.notes.push("`executorResources` is lost: Marathon 1.6+ does not copy it when PUT ?partialUpdate=false replaces the app".into());
        }
        new
    };
    let (mut changes, deployment) = compare(&old, new, ctx.version);
    if !merges {
        // What the file says, in 1.5+ terms: the rest is Marathon's default.
        let mut said = sent.clone();
        normalise::translate_networking(&mut said, ctx);
        for change in &mut changes {
            let top = change.path.split(['.', '[']).next().unwrap_or("");
            change.reset = !said.contains_key(top);
        }
    }
    plan.status = if changes.is_empty() {
        Status::Unchanged
    } else {
        Status::Changed
    };
    plan.changes = changes;
    plan.deployment = deployment;
    if plan.status == Status::Changed && deployment == Deployment::None {
        plan.notes
            .push("Marathon stores the change without a deployment".into());
    }
    plan
}

/// Apps a group body sent whole leaves out: `apps` replaces the group's
/// apps, `groups` its groups (with their apps).
pub fn removed_by_group(
    group_id: &str,
    group: &Map<String, Value>,
    file: &str,
    running: &Running,
    defined: &BTreeSet<String>,
) -> Vec<AppPlan> {
    let prefix = if group_id == "/" {
        "/".to_string()
    } else {
        format!("{group_id}/")
    };
    let listed = |key: &str| -> Option<BTreeSet<String>> {
        group.get(key).and_then(Value::as_array).map(|items| {
            items
                .iter()
                .filter_map(|item| item.get("id").and_then(Value::as_str))
                .map(|id| crate::model::canonical_id(id, group_id))
                .collect()
        })
    };
    let (apps, groups) = (listed("apps"), listed("groups"));
    let mut out = Vec::new();
    for (id, app) in &running.apps {
        let Some(rest) = id.strip_prefix(&prefix) else {
            continue;
        };
        if defined.contains(id) {
            continue;
        }
        let why = match rest.split_once('/') {
            None => apps.as_ref().map(|_| {
                format!("not among the apps of the group body for {group_id} in {file}, which replace the group's apps")
            }),
            Some((child, _)) => {
                let child = format!("{prefix}{child}");
                groups
                    .as_ref()
                    .filter(|listed| !listed.contains(&child))
                    .map(|_| format!("its group {child} is not among the groups of the group body for {group_id} in {file}: Marathon removes the group"))
            }
        };
        if let Some(why) = why {
            out.push(AppPlan {
                id: id.clone(),
                file: None,
                pointer: None,
                request: format!("PUT /v2/groups{}", if group_id == "/" { "" } else { group_id }),
                method: None,
                status: Status::Removed,
                deployment: Deployment::Stop {
                    instances: instances(app),
                },
                changes: Vec::new(),
                kept: Vec::new(),
                notes: vec![why],
            });
        }
    }
    out
}
