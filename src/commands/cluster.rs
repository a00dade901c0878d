//! `marathon-lint cluster [PATH]`: the cluster the linter believes in for a
//! path (agent classes, roles, ranges, attributes, Marathon's settings and
//! where each came from, the ports running apps hold), as text or JSON.

use std::path::Path;

use serde_json::{json, Value};

use crate::cluster::resources::Scalar;
use crate::cluster::{AgentClass, Cluster};
use crate::config::{Config, Settings, SettingsPatch};

/// The settings for `path` under `config`, flags applied.
pub fn settings(config: &Config, path: &Path, flags: &SettingsPatch) -> Settings {
    config.resolved_settings(path, flags).0
}

fn origin(settings: &Settings, key: &str) -> String {
    settings
        .origins
        .get(key)
        .cloned()
        .unwrap_or_else(|| "default".to_string())
}

fn amount(value: f64) -> String {
    crate::cluster::attributes::format_scalar(value, false)
}

fn class_json(class: &AgentClass) -> Value {
    let roles: serde_json::Map<String, Value> = class
        .resources
        .by_role
        .iter()
        .map(|(role, offered)| {
            let mut entry = serde_json::Map::new();
            for scalar in Scalar::ALL {
                entry.insert(
                    scalar.name().to_string(),
                    if class.resources.is_known(scalar) {
                        json!(offered.scalar(scalar))
                    } else {
                        Value::Null
                    },
                );
            }
            entry.insert("ports".to_string(), json!(offered.ports.to_string()));
            (role.clone(), Value::Object(entry))
        })
        .collect();
    let attributes: serde_json::Map<String, Value> = class
        .attributes
        .0
        .iter()
        .map(|(name, value)| (name.clone(), json!(value.to_string())))
        .collect();
    json!({
        "count": class.count,
        "hostnames": class.hostnames,
        "roles": roles,
        "attributes": attributes,
        "region": class.region,
        "zone": class.zone,
        "source": class.source,
    })
}

/// The cluster as JSON: a contract for tools, fields only ever added.
pub fn to_json(path: &Path, settings: &Settings) -> Value {
    let options = &settings.options;
    let cluster: &Cluster = &options.cluster;
    let agents = &cluster.agents;
    let held: Vec<Value> = held_ports(cluster)
        .into_iter()
        .map(|(port, host, app)| json!({"port": port, "host": host, "app": app}))
        .collect();
    json!({
        "path": path.display().to_string(),
        "agents": {
            "known": agents.known,
            "count": if agents.known { json!(agents.count()) } else { Value::Null },
            "inactive": agents.inactive,
            "classes": agents.classes.iter().map(class_json).collect::<Vec<_>>(),
        },
        "marathon": {
            "version": {"value": options.marathon_version.to_string(), "from": origin(settings, "marathon-version")},
            "mesos_role": {"value": options.mesos_role, "from": origin(settings, "mesos-role")},
            "default_accepted_resource_roles": {"value": options.default_accepted_resource_roles, "from": origin(settings, "default-accepted-resource-roles")},
            "accepted_resource_roles_default_behavior": {"value": options.role_behavior.map(|b| b.to_string()), "from": origin(settings, "accepted-resource-roles-default-behavior")},
            "features": {"value": feature_names(settings), "from": origin(settings, "enable-features")},
            "default_network_name": {"value": options.default_network_name, "from": origin(settings, "default-network-name")},
            "info": cluster.info.as_ref().map(|i| json!({"version": i.info.version, "source": i.source})),
        },
        "running": cluster.running.as_ref().map(|r| json!({
            "apps": r.apps.len(),
            "tasks": r.tasks(),
            "sources": r.sources,
            "held_ports": held,
        })),
    })
}

fn feature_names(settings: &Settings) -> Vec<&'static str> {
    let f = settings.options.features;
    [
        ("secrets", f.secrets),
        ("gpu_resources", f.gpu_resources),
        ("external_volumes", f.external_volumes),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect()
}

/// Every host port a running task holds: (port, host, app), sorted.
fn held_ports(cluster: &Cluster) -> Vec<(u64, String, String)> {
    let Some(running) = &cluster.running else {
        return Vec::new();
    };
    let mut out: Vec<(u64, String, String)> = running
        .by_port
        .iter()
        .flat_map(|(port, holders)| holders.iter().map(move |h| (*port, h.host.clone(), h.app_id.clone())))
        .collect();
    out.sort();
    out
}

/// The cluster as text, for people.
pub fn to_text(path: &Path, config: &Config, settings: &Settings) -> String {
    let options = &settings.options;
    let cluster = &options.cluster;
    let agents = &cluster.agents;
    let mut out = String::new();
    out.push_str(&format!("# cluster for: {}\n", path.display()));
    match &config.path {
        Some(file) => out.push_str(&format!("# configuration: {}\n", file.display())),
        None => out.push_str("# configuration: none found (built-in defaults)\n"),
    }
    out.push('\n');
    if agents.known {
        out.push_str(&format!(
            "agents: {} in {} class{}{}\n",
            agents.count(),
            agents.classes.len(),
            if agents.classes.len() == 1 { "" } else { "es" },
            if agents.inactive > 0 {
                format!(" ({} inactive agents left out)", agents.inactive)
            } else {
                String::new()
            }
        ));
    } else {
        out.push_str("agents: not known; assumed one kind, how many is unknown (give --cluster or [[agents]])\n");
    }
    for (i, class) in agents.classes.iter().enumerate() {
        let count = if agents.known {
            format!("{} agent{}", class.count, if class.count == 1 { "" } else { "s" })
        } else {
            "assumed agents".to_string()
        };
        out.push_str(&format!("  class {}: {count}, from {}\n", i + 1, class.source));
        if !class.hostnames.is_empty() {
            let shown: Vec<&str> = class.hostnames.iter().take(5).map(String::as_str).collect();
            let more = class.hostnames.len().saturating_sub(5);
            out.push_str(&format!(
                "    hostnames: {}{}\n",
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        for (role, offered) in &class.resources.by_role {
            let mut parts = Vec::new();
            for scalar in Scalar::ALL {
                if !class.resources.is_known(scalar) {
                    parts.push(format!("{} unknown", scalar.name()));
                } else if offered.scalar(scalar) > 0.0 {
                    parts.push(format!("{} {}", scalar.name(), amount(offered.scalar(scalar))));
                }
            }
            if !offered.ports.is_empty() {
                parts.push(format!("ports {}", offered.ports));
            }
            out.push_str(&format!("    role {role}: {}\n", parts.join(", ")));
        }
        if !class.attributes.is_empty() {
            out.push_str(&format!("    attributes: {}\n", class.attributes));
        }
        if class.region.is_some() || class.zone.is_some() {
            out.push_str(&format!(
                "    fault domain: region {}, zone {}\n",
                class.region.as_deref().unwrap_or("-"),
                class.zone.as_deref().unwrap_or("-")
            ));
        }
    }
    out.push_str("\nmarathon:\n");
    let line = |key: &str, value: String| format!("  {key}: {value} (from {})\n", origin(settings, key));
    out.push_str(&line("marathon-version", options.marathon_version.to_string()));
    out.push_str(&line(
        "mesos-role",
        options.mesos_role.clone().unwrap_or_else(|| "not set".to_string()),
    ));
    out.push_str(&line(
        "default-accepted-resource-roles",
        options
            .default_accepted_resource_roles
            .as_ref()
            .map_or_else(|| "not set".to_string(), |r| format!("{r:?}")),
    ));
    out.push_str(&line(
        "accepted-resource-roles-default-behavior",
        options
            .role_behavior
            .map_or_else(|| "not set (any)".to_string(), |b| b.to_string()),
    ));
    out.push_str(&line("enable-features", format!("{:?}", feature_names(settings))));
    out.push_str(&line(
        "default-network-name",
        options
            .default_network_name
            .clone()
            .unwrap_or_else(|| "not set".to_string()),
    ));
    match &cluster.running {
        Some(running) => {
            out.push_str(&format!(
                "\nrunning apps: {} with {} tasks, from {}\n",
                running.apps.len(),
                running.tasks(),
                running.sources.join(", ")
            ));
            let held = held_ports(cluster);
            for (port, host, app) in held.iter().take(20) {
                out.push_str(&format!("  port {port} on {host}: {app}\n"));
            }
            if held.len() > 20 {
                out.push_str(&format!(
                    "  and {} more held ports (--format json lists all)\n",
                    held.len() - 20
                ));
            }
        }
        None => out.push_str("\nrunning apps: not known (give a /v2/apps?embed=apps.tasks export)\n"),
    }
    out
}
