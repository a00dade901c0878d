//! Can Mesos ever place this app? Judged against the cluster the settings
//! describe (`crate::cluster`), the way Marathon's `ResourceMatcher` judges
//! an offer: only resources of the roles the app accepts count (scalars add
//! up across those roles, ports may come from any of them), every fixed host
//! port must be offered, every constraint met; then how many tasks the
//! agents can hold at once. Each cause is one finding of its own rule.

pub mod constraints;
pub mod projection;
pub mod roles;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::Value;

use crate::cluster::resources::{PortRanges, Scalar};
use crate::cluster::Agents;
use crate::diagnostic::{Diagnostic, Target};
use crate::fix::{Action, Fix, Safety};
use crate::rules::AppContext;
use constraints::{Constraint, Field, Operator};
use projection::Projected;
use roles::AcceptedRoles;

pub const PORTS: &str = "host-port-outside-agent-ranges";
pub const RESOURCES: &str = "resources-exceed-agents";
pub const CONSTRAINT: &str = "constraint-never-met";
pub const CAPACITY: &str = "instances-exceed-capacity";
pub const HELD: &str = "host-port-held-by-running-app";

/// Marathon's defaults for an app's resources.
const DEFAULTS: [f64; 4] = [1.0, 128.0, 0.0, 0.0];

/// Scalars are compared with a little slack: exports print `0.1 + 0.2`.
const EPSILON: f64 = 1e-6;

/// What an app asks of one agent per task.
struct Demand {
    /// Amount and the pointer of the field that sets it (`None`: Marathon's default).
    scalars: Vec<(Scalar, f64, Option<String>)>,
}

impl Demand {
    fn read(app: &AppContext<'_>) -> Demand {
        let mut scalars = Vec::new();
        for (i, scalar) in Scalar::ALL.into_iter().enumerate() {
            match app.app.get(scalar.name()) {
                None | Some(Value::Null) => scalars.push((scalar, DEFAULTS[i], None)),
                Some(Value::Number(n)) => {
                    if let Some(amount) = n.as_f64().filter(|a| a.is_finite() && *a >= 0.0) {
                        scalars.push((scalar, amount, Some(app.field(&format!("/{}", scalar.name())))));
                    }
                }
                // A string or a template: the schema's to report.
                Some(_) => {}
            }
        }
        Demand { scalars }
    }
}

/// One merged class of agents as this app sees it.
struct View<'c> {
    p: &'c Projected,
    /// Agents of the class that every constraint admits (`None`: unknown).
    admitted: Option<usize>,
}

impl View<'_> {
    fn agents_admitted(&self) -> usize {
        self.admitted.unwrap_or(self.p.count)
    }

    fn has_fixed_ports(&self, ports: &[u64]) -> bool {
        ports.iter().all(|&p| self.p.ports.contains(p))
    }

    fn fits_scalars(&self, demand: &Demand) -> bool {
        demand
            .scalars
            .iter()
            .all(|(s, amount, _)| self.p.scalars[*s as usize].is_none_or(|have| have + EPSILON >= *amount))
    }

    fn hostnames_known(&self) -> bool {
        self.p.hostnames_known && self.p.hostnames.len() == self.p.count
    }

    /// Tasks one agent can hold at once, by its resources (`u64::MAX`: no bound known).
    fn tasks_per_agent(&self, demand: &Demand, pinned: bool) -> u64 {
        let mut most = if pinned { 1 } else { u64::MAX };
        for (scalar, amount, _) in &demand.scalars {
            if *amount <= 0.0 {
                continue;
            }
            if let Some(have) = self.p.scalars[*scalar as usize] {
                most = most.min(((have + EPSILON) / amount).floor() as u64);
            }
        }
        most
    }
}

/// Every placement finding for one app, each with its rule id; the rules
/// pick theirs. Apps that ask the same of the cluster get the same answer:
/// it is worked out once per run and moved to each app's place in its file.
pub fn analyse(app: &AppContext<'_>) -> Vec<Diagnostic> {
    let agents = &app.options.cluster.agents;
    // Without real agents, only fixed ports and the amounts the shorthand
    // names can be judged: most apps have neither.
    let nothing_known = !agents.known
        && agents
            .classes
            .iter()
            .all(|c| Scalar::ALL.iter().all(|s| !c.resources.is_known(*s)));
    if nothing_known && app.networking.fixed_host_ports.is_empty() {
        return Vec::new();
    }
    let key = signature(app);
    let stored = agents
        .memo
        .get_or_insert(key, || rebase(analyse_uncached(app), app.pointer, ""));
    rebase(stored.as_ref().clone(), "", app.pointer)
}

/// Everything `analyse_uncached` reads of the app and the settings, with
/// pointers relative to the app, as a 128-bit hash (two independent 64-bit
/// ones): apps share an answer only if they agree on all of it.
fn signature(app: &AppContext<'_>) -> String {
    use std::hash::{Hash, Hasher};
    let options = app.options;
    let mut halves = [0u64; 2];
    for (half, salt) in halves.iter_mut().zip([0u8, 1u8]) {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        salt.hash(&mut h);
        options.marathon_version.hash(&mut h);
        options.mesos_role.hash(&mut h);
        options.mesos_role_known.hash(&mut h);
        options.default_accepted_resource_roles.hash(&mut h);
        options.role_behavior.map(|b| b.to_string()).hash(&mut h);
        for name in [
            "acceptedResourceRoles",
            "role",
            "cpus",
            "mem",
            "disk",
            "gpus",
            "instances",
            "constraints",
        ] {
            match app.app.get(name) {
                Some(value) => hash_value(value, &mut h),
                None => 0xffu8.hash(&mut h),
            }
        }
        for port in &app.networking.fixed_host_ports {
            port.port.hash(&mut h);
            port.pointer[app.pointer.len().min(port.pointer.len())..].hash(&mut h);
        }
        if let Some(running) = &options.cluster.running {
            // Its own tasks do not hold its ports.
            (Arc::as_ptr(running) as usize).hash(&mut h);
            app.id.hash(&mut h);
        }
        *half = h.finish();
    }
    format!("placement|{:016x}{:016x}", halves[0], halves[1])
}

/// Hash a JSON value by its structure and contents.
fn hash_value(value: &Value, h: &mut impl std::hash::Hasher) {
    use std::hash::Hash;
    match value {
        Value::Null => 0u8.hash(h),
        Value::Bool(b) => (1u8, b).hash(h),
        Value::Number(n) => (2u8, n).hash(h),
        Value::String(s) => (3u8, s).hash(h),
        Value::Array(items) => {
            (4u8, items.len()).hash(h);
            for item in items {
                hash_value(item, h);
            }
        }
        Value::Object(map) => {
            (5u8, map.len()).hash(h);
            for (key, item) in map {
                key.hash(h);
                hash_value(item, h);
            }
        }
    }
}

/// Move findings from one place in a file to another: pointers under `from`
/// go under `to`.
fn rebase(mut found: Vec<Diagnostic>, from: &str, to: &str) -> Vec<Diagnostic> {
    if from == to {
        return found;
    }
    let moved = |pointer: &mut String| {
        if let Some(rest) = pointer.strip_prefix(from) {
            *pointer = format!("{to}{rest}");
        }
    };
    for d in &mut found {
        if let Some(pointer) = &mut d.pointer {
            moved(pointer);
        }
        for related in &mut d.related {
            moved(&mut related.pointer);
        }
        for action in d.fix.iter_mut().flat_map(|f| f.actions.iter_mut()) {
            match action {
                Action::SetMember { object, .. }
                | Action::AppendTo { object, .. }
                | Action::SetMemberRaw { object, .. }
                | Action::RemoveMembers { object, .. } => moved(object),
                Action::RenameKey { pointer, .. } | Action::RemovePointer { pointer } => moved(pointer),
                Action::RemoveMember { .. } => {}
            }
        }
    }
    found
}

fn analyse_uncached(app: &AppContext<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(roles) = roles::accepted_roles(app) else {
        return out;
    };
    if roles.usable.is_empty() {
        // One cause, one finding: no offer of any accepted role reaches Marathon.
        out.push(
            Diagnostic::at(
                RESOURCES,
                app.field("/acceptedResourceRoles"),
                format!(
                    "this app accepts only {}, but Marathon receives offers only of {}: it gets no resources at all, so no task will ever start",
                    roles.describe(),
                    roles::list(&roles.registered)
                ),
            )
            .label("no offer of these roles reaches Marathon")
            .help("accept `*` or Marathon's own role, or run Marathon with --mesos_role set to the role (and say so under [marathon] in marathon-lint.toml)"),
        );
        return out;
    }
    let cluster = &app.options.cluster;
    let agents = &cluster.agents;
    let version = app.options.marathon_version;
    let demand = Demand::read(app);
    let mut constraints = if agents.known {
        constraints::read(app.app, app.pointer, version)
    } else {
        Vec::new()
    };
    let fields = constraints::fields(&mut constraints);
    let fixed: Vec<u64> = app.networking.fixed_host_ports.iter().map(|p| p.port).collect();
    let hostnames = constraints.iter().any(|c| c.field == Field::Hostname && c.is_filter())
        || (cluster.running.is_some() && !fixed.is_empty());
    let projected = projection::view(
        agents,
        &projection::ViewKey {
            roles: &roles.usable,
            role_blind: projection::role_blind(agents),
            fields: &fields,
            version,
            hostnames,
        },
    );
    let views: Vec<View<'_>> = projected
        .iter()
        .map(|p| {
            let mut admitted = Some(p.count);
            for constraint in &constraints {
                match (admitted, constraints::agents_admitted(constraint, p, version)) {
                    (Some(so_far), Some(here)) => admitted = Some(so_far.min(here)),
                    (_, None) => admitted = None,
                    (None, Some(0)) => admitted = Some(0),
                    (None, Some(_)) => {}
                }
            }
            View { p, admitted }
        })
        .collect();

    let before = out.len();
    check_constraints(app, agents, &constraints, &views, &mut out);
    // Ports and resources are judged on the agents the constraints admit,
    // when there are any.
    let admitted: Vec<&View<'_>> = views.iter().filter(|v| v.agents_admitted() > 0).collect();
    let narrowed = !constraints.is_empty() && !admitted.is_empty() && admitted.len() < views.len();
    let candidates: Vec<&View<'_>> = if admitted.is_empty() {
        views.iter().collect()
    } else {
        admitted
    };
    check_ports(app, &roles, &fixed, &candidates, agents, narrowed, &mut out);
    if out.len() == before {
        check_dynamic_ports(app, &roles, &fixed, &candidates, &mut out);
    }
    check_resources(app, &roles, &demand, &candidates, agents, narrowed, &mut out);
    if out.len() > before || !agents.known {
        return out;
    }
    check_capacity(app, &demand, &constraints, &fixed, &views, &mut out);
    if out.len() == before {
        check_held_ports(app, &demand, &fixed, &views, &mut out);
    }
    out
}

/// Agents per role offering a port, over all agents (any role).
fn roles_offering(port: u64, agents: &Agents) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for class in &agents.classes {
        for (role, offered) in &class.resources.by_role {
            if offered.ports.contains(port) {
                *out.entry(role.clone()).or_insert(0) += class.count;
            }
        }
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[allow(clippy::too_many_arguments)]
fn check_ports(
    app: &AppContext<'_>,
    roles: &AcceptedRoles,
    fixed: &[u64],
    candidates: &[&View<'_>],
    all: &Agents,
    narrowed: bool,
    out: &mut Vec<Diagnostic>,
) {
    if fixed.is_empty() || candidates.iter().any(|v| v.has_fixed_ports(fixed)) {
        return;
    }
    let located = &app.networking.fixed_host_ports;
    let offered_anywhere = |port: u64| candidates.iter().any(|v| v.p.ports.contains(port));
    let outside: Vec<&crate::model::FixedHostPort> = located.iter().filter(|p| !offered_anywhere(p.port)).collect();
    let ranges = candidates
        .iter()
        .fold(PortRanges::default(), |acc, v| acc.union(&v.p.ports));
    let Some(first) = outside.first() else {
        // Each port is offered, but no agent offers them all together.
        let list: Vec<String> = fixed.iter().map(u64::to_string).collect();
        out.push(
            Diagnostic::at(
                PORTS,
                &located[0].pointer,
                format!(
                    "no agent offers host ports {} together{}: each is offered somewhere, but a task needs all of them on one agent, so the deployment waits forever",
                    list.join(", "),
                    if narrowed { " among the agents that meet the app's constraints" } else { "" }
                ),
            )
            .label("not offered with the others")
            .help("use host ports one agent class offers together (or 0 to let Marathon pick them)"),
        );
        return;
    };
    // Ports some agent offers, but only in roles the app does not accept.
    let elsewhere = roles_offering(first.port, all);
    let other_roles: Vec<String> = elsewhere.keys().filter(|r| !roles.accepts(r)).cloned().collect();
    if !other_roles.is_empty() && !narrowed {
        let agents: usize = other_roles.iter().map(|r| elsewhere[r]).sum();
        let unregistered: Vec<String> = other_roles
            .iter()
            .filter(|r| !roles.registered.contains(r))
            .cloned()
            .collect();
        let mut d = Diagnostic::at(
            PORTS,
            &first.pointer,
            format!(
                "host port {} is offered only {}{}, but this app accepts only {}: no offer will ever match, so the deployment waits forever",
                first.port,
                // How many agents is known only from real agents.
                if all.known {
                    format!(
                        "by {}, {} ",
                        plural(agents, "agent", "agents"),
                        match agents {
                            1 => "in role",
                            2 => "both in role",
                            _ => "all in role",
                        }
                    )
                } else {
                    "in role ".to_string()
                },
                roles::list(&other_roles).replace("` and `", "` or `"),
                roles.describe(),
            ),
        )
        .label(format!("only in role {}", roles::list(&other_roles)));
        if unregistered.len() == other_roles.len() {
            d = d.help(format!(
                "Marathon only receives offers of {}; to use {}, Marathon must register with it ({})",
                roles::list(&roles.registered),
                roles::list(&other_roles),
                if app.options.marathon_version < crate::marathon_target::MarathonVersion::V1_9 {
                    "its --mesos_role"
                } else {
                    "the app's `role`"
                }
            ));
        } else {
            let mut wanted: Vec<String> = if roles.explicit {
                roles.accepted.clone()
            } else {
                Vec::new()
            };
            for role in other_roles.iter().filter(|r| roles.registered.contains(r)) {
                if !wanted.contains(role) {
                    wanted.push(role.clone());
                }
            }
            let value = Value::Array(wanted.iter().cloned().map(Value::String).collect());
            d = d
                .help(format!("add \"acceptedResourceRoles\": {value} to the app"))
                .fix(Fix::new(
                    Safety::Unsafe,
                    format!(
                        "accept the role{} that offer{} the port",
                        if wanted.len() == 1 { "" } else { "s" },
                        if wanted.len() == 1 { "s" } else { "" }
                    ),
                    vec![Action::SetMember {
                        object: app.pointer.to_string(),
                        key: "acceptedResourceRoles".to_string(),
                        value,
                    }],
                ));
        }
        out.push(d);
        return;
    }
    // One finding per app: an edge proxy may pin a hundred ports.
    let ports = match outside.len() {
        1 => format!("host port {}", first.port),
        n if n <= 5 => {
            let list: Vec<String> = outside.iter().map(|p| p.port.to_string()).collect();
            format!("host ports {}", list.join(", "))
        }
        n => {
            let list: Vec<String> = outside.iter().take(3).map(|p| p.port.to_string()).collect();
            format!("host ports {} and {} more", list.join(", "), n - 3)
        }
    };
    let verb = if outside.len() == 1 { "is" } else { "are" };
    if ranges.is_empty() {
        out.push(
            Diagnostic::at(
                PORTS,
                &first.pointer,
                format!(
                    "{ports} {verb} never offered to this app: it accepts only {}, and no {}agent offers any port to {}, so the deployment waits forever",
                    roles.describe(),
                    if narrowed { "constraint-meeting " } else { "" },
                    if roles.usable.len() == 1 { "it" } else { "them" },
                ),
            )
            .label("no port in the accepted roles")
            .help("accept a role the agents offer ports to (`marathon-lint cluster` lists them), or describe the agents' roles with --agent-resources or --cluster"),
        );
        return;
    }
    let whose = if narrowed {
        "the port ranges of the agents that meet the app's constraints"
    } else {
        "the agents' port ranges"
    };
    let example = first.port;
    let mut d = Diagnostic::at(
        PORTS,
        &first.pointer,
        format!(
            "{ports} {verb} outside {whose} {ranges}: no agent will ever offer {}, so the deployment waits forever",
            if outside.len() == 1 { "it" } else { "them" }
        ),
    )
    .label(format!("not in {ranges}"))
    .help(if app.options.cluster.agents.known {
        format!("use host ports inside {ranges} (or 0 to let Marathon pick one), or give agents port {example} in their resources and export the cluster again")
    } else {
        format!(
            "use host ports inside {ranges} (or 0 to let Marathon pick one), or, if your agents do offer port {example}, \
             add it to their resources (e.g. `ports:[{example}-{example}, 31000-32000]` in /etc/mesos-slave/resources) \
             and pass the same string to --agent-resources"
        )
    });
    for other in outside.iter().skip(1).take(4) {
        d = d.related(&other.pointer, Target::Value, "also outside");
    }
    out.push(d);
}

/// Host ports Marathon picks from the offer, by the pointer of what asks for
/// each: a port mapping's `"hostPort": 0` (or, under bridge networking from
/// 1.5, no `hostPort`), and under host networking without `requirePorts`
/// each port definition.
fn dynamic_ports(app: &AppContext<'_>) -> Vec<String> {
    let networking = app.networking;
    let mut out = Vec::new();
    for (pointer, mapping) in &networking.port_mappings {
        match mapping.get("hostPort") {
            Some(port) if port.as_u64() == Some(0) => out.push(format!("{pointer}/hostPort")),
            None if networking.mode == crate::model::NetworkMode::Bridge
                && app.options.marathon_version >= crate::marathon_target::MarathonVersion::V1_5 =>
            {
                out.push(pointer.clone())
            }
            _ => {}
        }
    }
    let required = app.app.get("requirePorts").and_then(Value::as_bool) == Some(true);
    if networking.mode == crate::model::NetworkMode::Host && !required {
        for name in ["portDefinitions", "ports"] {
            if let Some(Value::Array(items)) = app.app.get(name) {
                out.extend((0..items.len()).map(|i| app.field(&format!("/{name}/{i}"))));
                break;
            }
        }
    }
    out
}

/// Enough free ports, besides the fixed ones, for those Marathon picks.
fn check_dynamic_ports(
    app: &AppContext<'_>,
    roles: &AcceptedRoles,
    fixed: &[u64],
    candidates: &[&View<'_>],
    out: &mut Vec<Diagnostic>,
) {
    let dynamic = dynamic_ports(app);
    let Some(first) = dynamic.first() else { return };
    let with_fixed: Vec<&&View<'_>> = candidates.iter().filter(|v| v.has_fixed_ports(fixed)).collect();
    let most = with_fixed
        .iter()
        .map(|v| v.p.ports.count().saturating_sub(fixed.len() as u64))
        .max();
    let Some(most) = most else { return };
    let needed = dynamic.len() as u64;
    if most >= needed {
        return;
    }
    out.push(
        Diagnostic::at(
            PORTS,
            first,
            format!(
                "this app needs {needed} host port{} picked from the offer{}, but no agent offers more than {most} free port{} in {}: the deployment waits forever",
                if needed == 1 { "" } else { "s" },
                if fixed.is_empty() { String::new() } else { format!(" besides its {} fixed one{}", fixed.len(), if fixed.len() == 1 { "" } else { "s" }) },
                if most == 1 { "" } else { "s" },
                roles.describe(),
            ),
        )
        .label("a port picked from the offer")
        .help("use fewer ports, or give the agents wider port ranges in the roles the app accepts"),
    );
}

#[allow(clippy::too_many_arguments)]
fn check_resources(
    app: &AppContext<'_>,
    roles: &AcceptedRoles,
    demand: &Demand,
    candidates: &[&View<'_>],
    all: &Agents,
    narrowed: bool,
    out: &mut Vec<Diagnostic>,
) {
    for (scalar, amount, pointer) in &demand.scalars {
        if *amount <= 0.0 {
            continue;
        }
        let index = *scalar as usize;
        let known: Vec<(&View<'_>, f64)> = candidates
            .iter()
            .filter_map(|v| v.p.scalars[index].map(|have| (*v, have)))
            .collect();
        // Silent unless every candidate's amount is known.
        if known.is_empty() || known.len() < candidates.len() {
            continue;
        }
        let largest = known.iter().map(|(_, have)| *have).fold(0.0, f64::max);
        if largest + EPSILON >= *amount {
            continue;
        }
        let on: usize = known
            .iter()
            .filter(|(_, have)| (*have - largest).abs() < EPSILON)
            .map(|(v, _)| v.p.count)
            .sum();
        let name = scalar.name();
        // More in roles the app does not accept?
        let mut elsewhere: Vec<(String, usize)> = Vec::new();
        for class in &all.classes {
            for (role, offered) in &class.resources.by_role {
                if !roles.accepts(role) && offered.scalar(*scalar) + EPSILON >= *amount {
                    match elsewhere.iter_mut().find(|(r, _)| r == role) {
                        Some((_, n)) => *n += class.count,
                        None => elsewhere.push((role.clone(), class.count)),
                    }
                }
            }
        }
        let amount_text = crate::cluster::attributes::format_scalar(*amount, false);
        let largest_text = crate::cluster::attributes::format_scalar(largest, false);
        let mut message = format!(
            "{name} {amount_text} is more than any {}agent offers this app: the most is {largest_text}{} in role{} {}, so no task will ever start",
            if narrowed { "constraint-meeting " } else { "" },
            if all.known { format!(" on {}", plural(on, "agent", "agents")) } else { String::new() },
            if roles.usable.len() == 1 { "" } else { "s" },
            roles.describe(),
        );
        let mut help = format!("ask for at most {largest_text} {name}, or add agents with more");
        if let Some((role, n)) = elsewhere.first() {
            message.push_str(&format!(
                "; {} {name} in role `{role}`, which this app does not accept",
                if *n == 1 {
                    "1 agent has that much".to_string()
                } else {
                    format!("{n} agents have that much")
                }
            ));
            if roles.registered.contains(role) {
                help = format!("{help}, or add `{role}` to the app's acceptedResourceRoles");
            }
        }
        let d = match pointer {
            Some(pointer) => Diagnostic::at(RESOURCES, pointer, message).label(format!("more than {largest_text}")),
            None => Diagnostic::at(
                RESOURCES,
                app.pointer,
                format!("{message} (Marathon's default {name} is {amount_text})"),
            )
            .target(Target::Opening)
            .label(format!("{name} defaults to {amount_text}")),
        };
        out.push(d.help(help));
    }
}

fn check_constraints(
    app: &AppContext<'_>,
    agents: &Agents,
    constraints: &[Constraint],
    views: &[View<'_>],
    out: &mut Vec<Diagnostic>,
) {
    let version = app.options.marathon_version;
    for constraint in constraints {
        let mut admitted = 0;
        let mut unknown = false;
        for view in views {
            match constraints::agents_admitted(constraint, view.p, version) {
                Some(n) => admitted += n,
                None => unknown = true,
            }
        }
        if admitted > 0 || unknown || views.is_empty() {
            continue;
        }
        let total: usize = views.iter().map(|v| v.p.count).sum();
        let values: BTreeSet<String> = views
            .iter()
            .flat_map(|v| match constraint.field {
                Field::Hostname => v.p.hostnames.clone(),
                _ => constraint.value_in(v.p).map(str::to_string).into_iter().collect(),
            })
            .collect();
        let shown = |values: &BTreeSet<String>| {
            let list: Vec<String> = values.iter().take(6).map(|v| format!("`{v}`")).collect();
            let more = values.len().saturating_sub(6);
            if more > 0 {
                format!("{} and {more} more", list.join(", "))
            } else {
                list.join(", ")
            }
        };
        let field = &constraint.field_name;
        let reason = if values.is_empty() {
            let hint = match (
                &constraint.field,
                version < crate::marathon_target::MarathonVersion::V1_6,
            ) {
                (Field::Attribute(name), true) if name.starts_with('@') => {
                    format!("; Marathon {version} has no `{name}` field (it came in 1.6)")
                }
                (Field::Region | Field::Zone, _) => " (none of the agents has a fault domain)".to_string(),
                _ => {
                    let names: BTreeSet<&str> = agents
                        .classes
                        .iter()
                        .flat_map(|c| c.attributes.0.iter().map(|(n, _)| n.as_str()))
                        .collect();
                    if names.is_empty() {
                        " (the agents have no attributes)".to_string()
                    } else {
                        let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                        format!("; the agents have {}", names.join(", "))
                    }
                }
            };
            format!("none of the {} has `{field}`{hint}", plural(total, "agent", "agents"))
        } else {
            let wanted = constraint.value.clone().unwrap_or_default();
            let test = match constraint.operator {
                Operator::Like => format!("is like `{wanted}`"),
                Operator::Unlike => format!("is unlike `{wanted}`"),
                Operator::Is | Operator::Cluster => format!("is `{wanted}`"),
                _ => "can be read".to_string(),
            };
            format!(
                "no agent's `{field}` {test}; the {} {}",
                plural(total, "agent has", "agents have"),
                shown(&values)
            )
        };
        out.push(
            Diagnostic::at(
                CONSTRAINT,
                &constraint.pointer,
                format!("the constraint {} is never met: {reason}, so no task will ever start", constraint.text()),
            )
            .label("no agent meets this")
            .help("constrain on an attribute and value your agents have (`marathon-lint cluster` lists them), or tag the agents"),
        );
    }
}

/// The most tasks of the app the eligible agents can hold at once, and why.
fn check_capacity(
    app: &AppContext<'_>,
    demand: &Demand,
    constraints: &[Constraint],
    fixed: &[u64],
    views: &[View<'_>],
    out: &mut Vec<Diagnostic>,
) {
    let (instances, pointer) = match app.app.get("instances") {
        None | Some(Value::Null) => (1, None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(i) => (i, Some(app.field("/instances"))),
            None => return,
        },
        Some(_) => return,
    };
    if instances == 0 {
        return;
    }
    let pinned = !fixed.is_empty();
    let eligible: Vec<&View<'_>> = views
        .iter()
        .filter(|v| v.has_fixed_ports(fixed) && v.fits_scalars(demand) && v.agents_admitted() > 0)
        .collect();
    let agents: usize = eligible.iter().map(|v| v.agents_admitted()).sum();
    let mut bounds: Vec<(u64, String)> = Vec::new();
    if eligible.is_empty() {
        bounds.push((
            0,
            "no single agent meets all of its needs at once (ports, resources and constraints together)".to_string(),
        ));
    } else {
        let by_resources: u64 = eligible
            .iter()
            .map(|v| {
                v.tasks_per_agent(demand, pinned)
                    .saturating_mul(v.agents_admitted() as u64)
            })
            .fold(0u64, u64::saturating_add);
        if by_resources < u64::MAX {
            let why = if pinned {
                format!(
                    "its fixed host port{} allow{} one task per agent, and {} can run it",
                    if fixed.len() == 1 { "" } else { "s" },
                    if fixed.len() == 1 { "s" } else { "" },
                    plural(agents, "agent", "agents")
                )
            } else {
                format!(
                    "the resources of the {} that can run it hold {by_resources} tasks",
                    plural(agents, "agent", "agents")
                )
            };
            bounds.push((by_resources, why));
        }
        for constraint in constraints {
            // Distinct values of the field among eligible agents, and how
            // many tasks the agents of each can hold. Hostnames are one per
            // agent: counted, not listed.
            let mut values: BTreeMap<&str, u64> = BTreeMap::new();
            let (mut hosts, mut best_host) = (0u64, 0u64);
            for view in &eligible {
                let per_agent = view.tasks_per_agent(demand, pinned);
                match constraint.field {
                    Field::Hostname => {
                        hosts += view.agents_admitted() as u64;
                        best_host = best_host.max(per_agent);
                    }
                    _ => {
                        if let Some(value) = constraint.value_in(view.p) {
                            let slot = values.entry(value).or_insert(0);
                            *slot = slot.saturating_add(per_agent.saturating_mul(view.agents_admitted() as u64));
                        }
                    }
                }
            }
            if constraint.field == Field::Hostname {
                // Stand-ins, so that the counts below read the same.
                values.clear();
                if hosts > 0 {
                    values.insert("", best_host);
                }
            }
            let distinct = if constraint.field == Field::Hostname {
                hosts
            } else {
                values.len() as u64
            };
            let field = &constraint.field_name;
            match constraint.operator {
                Operator::Unique => bounds.push((
                    distinct,
                    format!(
                        "{} allows one task per distinct `{field}`, and the agents that can run it have {distinct}",
                        constraint.text()
                    ),
                )),
                Operator::MaxPer => {
                    let per = constraint
                        .value
                        .as_deref()
                        .and_then(|v| v.parse::<i64>().ok())
                        .unwrap_or(1)
                        .max(1) as u64;
                    bounds.push((
                        per.saturating_mul(distinct),
                        format!(
                            "{} allows {per} per distinct `{field}`, and the agents that can run it have {distinct}",
                            constraint.text()
                        ),
                    ));
                }
                Operator::Cluster if constraint.value.as_deref().is_none_or(str::is_empty) => {
                    let best = values.values().copied().max().unwrap_or(0);
                    bounds.push((
                        best,
                        format!(
                            "{} puts every task on agents with one `{field}`, and those hold at most {best}",
                            constraint.text()
                        ),
                    ));
                }
                Operator::GroupBy => {
                    let wanted = constraint
                        .value
                        .as_deref()
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(0);
                    if wanted > distinct {
                        bounds.push((
                            distinct,
                            format!("{} waits for {wanted} distinct `{field}` values before a second task on any, and the agents that can run it have {distinct}", constraint.text()),
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    let Some((capacity, why)) = bounds.into_iter().min_by_key(|(n, _)| *n) else {
        return;
    };
    if instances <= capacity {
        return;
    }
    let message = format!(
        "{} but the cluster can run at most {capacity} at once: {why}; the deployment never finishes",
        if pointer.is_some() {
            format!("this app asks for {instances} instances,")
        } else {
            "this app runs 1 instance by default,".to_string()
        }
    );
    let d = match pointer {
        Some(pointer) => Diagnostic::at(CAPACITY, pointer, message).label(format!("more than {capacity}")),
        None => Diagnostic::at(CAPACITY, app.pointer, message).target(Target::Opening),
    };
    out.push(d.help(if capacity == 0 {
        "relax the constraints, ports or resources so that one agent class meets them all".to_string()
    } else {
        format!(
            "run at most {capacity} instance{}, or add agents that can run it",
            if capacity == 1 { "" } else { "s" }
        )
    }));
}

/// Host ports already held by other apps' tasks (from a `/v2/apps` export).
fn check_held_ports(
    app: &AppContext<'_>,
    demand: &Demand,
    fixed: &[u64],
    views: &[View<'_>],
    out: &mut Vec<Diagnostic>,
) {
    let Some(running) = &app.options.cluster.running else {
        return;
    };
    let own_id = app.id.unwrap_or("");
    for port in &app.networking.fixed_host_ports {
        let Some(holders) = running.by_port.get(&port.port) else {
            continue;
        };
        let eligible: Vec<&View<'_>> = views
            .iter()
            .filter(|v| v.has_fixed_ports(fixed) && v.fits_scalars(demand) && v.agents_admitted() > 0)
            .collect();
        // Only agents whose hostnames are known can be matched to tasks.
        if eligible.is_empty() || eligible.iter().any(|v| !v.hostnames_known()) {
            return;
        }
        let hosts: BTreeSet<&str> = eligible
            .iter()
            .flat_map(|v| v.p.hostnames.iter().map(String::as_str))
            .collect();
        let mut held: BTreeMap<&str, &str> = BTreeMap::new();
        for holder in holders
            .iter()
            .filter(|h| crate::model::canonical_id(&h.app_id, "/") != own_id)
        {
            if hosts.contains(holder.host.as_str()) {
                held.entry(holder.host.as_str()).or_insert(holder.app_id.as_str());
            }
        }
        if held.is_empty() {
            continue;
        }
        let free = hosts.len() - held.len();
        let apps: BTreeSet<&str> = held.values().copied().collect();
        let apps: Vec<String> = apps.iter().take(3).map(|a| format!("`{a}`")).collect();
        let instances = app.app.get("instances").and_then(Value::as_u64).unwrap_or(1) as usize;
        if free == 0 {
            out.push(
                Diagnostic::at(
                    HELD,
                    &port.pointer,
                    format!(
                        "host port {} is already held on {} that could run this app, by tasks of {}: no offer will have it, so the deployment waits forever",
                        port.port,
                        match hosts.len() {
                            1 => "the one agent".to_string(),
                            2 => "both agents".to_string(),
                            n => format!("all {n} agents"),
                        },
                        apps.join(", ")
                    ),
                )
                .label("held by another app")
                .help("pick a port the running apps leave free (or 0 to let Marathon pick one), or move the other app"),
            );
        } else if free < instances {
            out.push(
                Diagnostic::at(
                    HELD,
                    &port.pointer,
                    format!(
                        "host port {} is free on only {free} of the {} that could run this app (tasks of {} hold it on the others), but it asks for {instances} instances: the deployment never finishes",
                        port.port,
                        plural(hosts.len(), "agent", "agents"),
                        apps.join(", ")
                    ),
                )
                .label(format!("free on {free} agents"))
                .help(format!(
                    "run at most {free} instance{}, or pick a port the running apps leave free",
                    if free == 1 { "" } else { "s" }
                )),
            );
        }
        return;
    }
}
