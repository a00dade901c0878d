//! An app as Marathon stores it, for comparing a definition with what
//! `GET /v2/apps` gives back: what the definition leaves out filled with
//! Marathon's defaults for the version, 1.4 networking read as 1.5+'s, ids
//! resolved, output-only members dropped, sets sorted, numbers compared as
//! numbers. Formatting and default-valued fields are then never changes.
//!
//! Defaults and renderings are Marathon's (AppDefinition.scala and
//! Formats.scala at 1.4.13; app.raml, AppNormalization.scala and the RAML
//! conversions from 1.5), as /work notes in `plan` cite per field.

use serde_json::{json, Map, Number, Value};

use crate::marathon_target::MarathonVersion;
use crate::model::canonical_id;

/// What normalising depends on besides the app.
#[derive(Debug, Clone)]
pub struct Context {
    pub version: MarathonVersion,
    /// Marathon's `--mesos_role` (the 1.9+ default `role`).
    pub mesos_role: String,
    /// Marathon's `--default_network_name`.
    pub default_network_name: Option<String>,
    /// Marathon's `--mesos_bridge_name`.
    pub bridge_name: String,
}

/// Drop what Marathon never reads back: nulls (1.4 writes unset members as
/// `null`), output-only members and status fields. What is left is what the
/// body says. `merged`: the body is a partial update, whose `uris` Marathon
/// 1.4 reads with `extract` always on (Formats.scala:1433 at 1.4.13).
pub fn strip(app: &Map<String, Value>, ctx: &Context, merged: bool) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in app {
        if value.is_null()
            || key == "version"
            || key == "versionInfo"
            || crate::rules::STATUS_FIELDS.contains(&key.as_str())
        {
            continue;
        }
        out.insert(key.clone(), drop_nulls(value));
    }
    // `uris` is the 1.4 spelling of `fetch` (1.4 exports carry both).
    if let Some(Value::Array(uris)) = out.remove("uris") {
        if !out.contains_key("fetch") && !uris.is_empty() {
            let fetch = uris
                .iter()
                .filter_map(Value::as_str)
                .map(|uri| {
                    let extract = (merged && ctx.version < MarathonVersion::V1_5) || is_archive(uri, ctx.version);
                    json!({"uri": uri, "extract": extract})
                })
                .collect();
            out.insert("fetch".into(), Value::Array(fetch));
        }
    }
    // Gone in 1.5; in 1.4 only what it lists matters.
    if out
        .get("storeUrls")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        out.remove("storeUrls");
    }
    out
}

fn drop_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), drop_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(drop_nulls).collect()),
        other => other.clone(),
    }
}

/// Whether Marathon marks a URI given in `uris` for extraction
/// (FetchUri.scala): by its ending, case-sensitive; up to 1.5 the whole URI
/// and fewer endings, from 1.6 the URI's path.
fn is_archive(uri: &str, version: MarathonVersion) -> bool {
    if version < MarathonVersion::V1_6 {
        return [".tgz", ".tar.gz", ".tbz2", ".tar.bz2", ".txz", ".tar.xz", ".zip"]
            .iter()
            .any(|ending| uri.ends_with(ending));
    }
    let path = uri.split(['?', '#']).next().unwrap_or(uri);
    [
        ".tar", ".tar.gz", ".tar.bz2", ".tar.xz", ".gz", ".tgz", ".tbz2", ".txz", ".zip",
    ]
    .iter()
    .any(|ending| path.ends_with(ending))
}

/// Whether Marathon gives a health check with neither `port` nor
/// `portIndex` the `portIndex` 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortIndex {
    /// As the app says (an export shows what Marathon stored).
    AsWritten,
    /// When the app has ports: Marathon 1.4 always; 1.5+ for a merged update,
    /// and for a whole app whose body lists its ports (AppNormalization).
    WhenPorted,
}

fn container_mut(app: &mut Map<String, Value>) -> Option<&mut Map<String, Value>> {
    app.get_mut("container").and_then(Value::as_object_mut)
}

/// Read Marathon 1.4's networking (`container.docker.network`,
/// `docker.portMappings`, `ipAddress`, `ports`) as 1.5+ stores it
/// (`networks`, `container.portMappings`), as AppNormalization does. Only
/// what the app says is moved; nothing is defaulted here, so a partial body
/// stays partial.
pub fn translate_networking(app: &mut Map<String, Value>, ctx: &Context) {
    if let Some(Value::Array(ports)) = app.remove("ports") {
        if !app.contains_key("portDefinitions") {
            let definitions = ports.iter().map(|p| json!({"port": p})).collect();
            app.insert("portDefinitions".into(), Value::Array(definitions));
        }
    }
    let docker_network = app
        .get("container")
        .and_then(|c| c.get("docker"))
        .and_then(|d| d.get("network"))
        .and_then(Value::as_str)
        .map(str::to_ascii_uppercase);
    let ip_address = app.remove("ipAddress").filter(Value::is_object);
    let legacy_mappings = container_mut(app)
        .and_then(|c| c.get_mut("docker"))
        .and_then(Value::as_object_mut)
        .and_then(|docker| {
            docker.remove("network");
            docker.remove("portMappings")
        });
    if docker_network.is_none() && ip_address.is_none() {
        return;
    }
    let named = |ip: Option<&Value>| {
        ip.and_then(|ip| ip.get("networkName"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| ctx.default_network_name.clone())
    };
    let labels = ip_address.as_ref().and_then(|ip| ip.get("labels")).cloned();
    // An unnamed container network (no name, no --default_network_name)
    // has no `name`, not a null one.
    let container_network = |ip: Option<&Value>| match named(ip) {
        Some(name) => json!({"mode": "container", "name": name}),
        None => json!({"mode": "container"}),
    };
    let mut network = match (docker_network.as_deref(), ip_address.as_ref()) {
        (Some("BRIDGE"), _) => json!({"mode": "container/bridge"}),
        (Some("HOST"), _) => json!({"mode": "host"}),
        (Some(_), ip) => container_network(ip),
        (None, ip) if named(ip).as_deref() == Some(ctx.bridge_name.as_str()) => json!({"mode": "container/bridge"}),
        (None, ip) => container_network(ip),
    };
    if let (Some(labels), Some(map)) = (labels, network.as_object_mut()) {
        if network_is_container(map) {
            map.insert("labels".into(), labels);
        }
    }
    if !app.contains_key("networks") {
        app.insert("networks".into(), Value::Array(vec![network]));
    }
    let discovery = ip_address
        .as_ref()
        .and_then(|ip| ip.get("discovery"))
        .and_then(|d| d.get("ports"))
        .and_then(Value::as_array)
        .map(|ports| {
            ports
                .iter()
                .map(|p| {
                    let mut mapping = Map::new();
                    if let Some(number) = p.get("number") {
                        mapping.insert("containerPort".into(), number.clone());
                    }
                    for key in ["name", "protocol", "labels"] {
                        if let Some(v) = p.get(key) {
                            mapping.insert(key.into(), v.clone());
                        }
                    }
                    Value::Object(mapping)
                })
                .collect::<Vec<_>>()
        });
    if app.get("container").is_none() {
        // An app with its own IP address and no container gets an empty
        // Mesos one (AppNormalization).
        app.insert("container".into(), json!({"type": "MESOS"}));
    }
    if let Some(container) = container_mut(app) {
        if !container.contains_key("portMappings") {
            if let Some(mappings) = legacy_mappings.or(discovery.map(Value::Array)) {
                container.insert("portMappings".into(), mappings);
            }
        }
    }
}

fn network_is_container(network: &Map<String, Value>) -> bool {
    network.get("mode").and_then(Value::as_str) != Some("host")
}

/// Whether the app joins only the host's network.
fn host_networking(app: &Map<String, Value>) -> bool {
    match app.get("networks") {
        Some(Value::Array(networks)) => networks
            .iter()
            .all(|n| n.get("mode").and_then(Value::as_str).is_none_or(|m| m == "host")),
        _ => true,
    }
}

fn resident(app: &Map<String, Value>, external_counts: bool) -> bool {
    app.get("container")
        .and_then(|c| c.get("volumes"))
        .and_then(Value::as_array)
        .is_some_and(|volumes| {
            volumes.iter().any(|v| {
                v.get("persistent").is_some_and(Value::is_object)
                    || (external_counts && v.get("external").is_some_and(Value::is_object))
            })
        })
}

fn set_default(map: &mut Map<String, Value>, key: &str, value: Value) {
    if !map.contains_key(key) {
        map.insert(key.to_string(), value);
    }
}

/// The app as Marathon stores it (see the module's notes). `parent_id` is
/// the group relative ids are resolved against.
pub fn normalise(
    app: &Map<String, Value>,
    parent_id: &str,
    ctx: &Context,
    port_index: PortIndex,
) -> Map<String, Value> {
    let mut app = strip(app, ctx, false);
    translate_networking(&mut app, ctx);
    // A container network without a container gets an empty Mesos one.
    if !host_networking(&app) && !app.contains_key("container") {
        app.insert("container".into(), json!({"type": "MESOS"}));
    }
    let v = ctx.version;
    if let Some(Value::String(id)) = app.get("id") {
        let id = canonical_id(id, parent_id);
        app.insert("id".into(), Value::String(id));
    }
    if let Some(Value::Array(dependencies)) = app.get_mut("dependencies") {
        for d in dependencies.iter_mut() {
            if let Value::String(id) = d {
                *d = Value::String(canonical_id(id, parent_id));
            }
        }
    }
    for (key, value) in [
        ("instances", json!(1)),
        ("cpus", json!(1)),
        ("mem", json!(128)),
        ("disk", json!(0)),
        ("gpus", json!(0)),
        ("executor", json!("")),
        ("backoffSeconds", json!(1)),
        ("backoffFactor", json!(1.15)),
        (
            "maxLaunchDelaySeconds",
            json!(if v >= MarathonVersion::V1_8 { 300 } else { 3600 }),
        ),
        ("killSelection", json!("YOUNGEST_FIRST")),
        ("labels", json!({})),
        ("env", json!({})),
        ("secrets", json!({})),
        ("constraints", json!([])),
        ("healthChecks", json!([])),
        ("readinessChecks", json!([])),
        ("dependencies", json!([])),
        ("fetch", json!([])),
        ("args", json!([])),
        ("acceptedResourceRoles", json!([])),
        ("networks", json!([{"mode": "host"}])),
    ] {
        set_default(&mut app, key, value);
    }
    // Resident apps (persistent volumes; external ones too for the upgrade
    // strategy) get other defaults (AppConversion, UnreachableStrategy).
    let upgrade = if resident(&app, true) {
        json!({"minimumHealthCapacity": 0.5, "maximumOverCapacity": 0})
    } else {
        json!({"minimumHealthCapacity": 1, "maximumOverCapacity": 1})
    };
    set_default(&mut app, "upgradeStrategy", upgrade);
    // Marathon 1.4 fills a missing member with 1 (1.5+ refuses it).
    if let Some(Value::Object(u)) = app.get_mut("upgradeStrategy") {
        set_default(u, "minimumHealthCapacity", json!(1));
        set_default(u, "maximumOverCapacity", json!(1));
    }
    if v < MarathonVersion::V1_6 && resident(&app, false) {
        set_default(
            &mut app,
            "residency",
            json!({"relaunchEscalationTimeoutSeconds": 3600, "taskLostBehavior": "WAIT_FOREVER"}),
        );
    }
    let unreachable = if resident(&app, false) {
        json!("disabled")
    } else {
        json!({"inactiveAfterSeconds": 0, "expungeAfterSeconds": 0})
    };
    set_default(&mut app, "unreachableStrategy", unreachable);
    if let Some(Value::Object(u)) = app.get_mut("unreachableStrategy") {
        set_default(u, "inactiveAfterSeconds", json!(0));
        set_default(u, "expungeAfterSeconds", json!(0));
    }
    if v >= MarathonVersion::V1_9 {
        set_default(&mut app, "role", json!(ctx.mesos_role));
    }
    // From 1.6, `residency` has no effect and is derived on output.
    if v >= MarathonVersion::V1_6 {
        app.remove("residency");
    }
    if host_networking(&app) {
        set_default(
            &mut app,
            "portDefinitions",
            json!([{"port": 0, "protocol": "tcp", "name": "default"}]),
        );
        set_default(&mut app, "requirePorts", json!(false));
        if let Some(container) = container_mut(&mut app) {
            container.remove("portMappings");
        }
    } else {
        app.remove("portDefinitions");
        app.insert("requirePorts".into(), json!(false));
        let bridge = !host_networking(&app)
            && app.get("networks").and_then(Value::as_array).is_some_and(|n| {
                n.iter()
                    .any(|n| n.get("mode").and_then(Value::as_str) == Some("container/bridge"))
            });
        if let Some(container) = container_mut(&mut app) {
            set_default(
                container,
                "portMappings",
                json!([{"containerPort": 0, "name": "default", "protocol": "tcp"}]),
            );
            if let Some(Value::Array(mappings)) = container.get_mut("portMappings") {
                for m in mappings.iter_mut().filter_map(Value::as_object_mut) {
                    set_default(m, "containerPort", json!(0));
                    set_default(m, "protocol", json!("tcp"));
                    set_default(m, "servicePort", json!(0));
                    if bridge {
                        set_default(m, "hostPort", json!(0));
                    }
                }
            }
        }
    }
    if let Some(Value::Array(networks)) = app.get_mut("networks") {
        for n in networks.iter_mut().filter_map(Value::as_object_mut) {
            let container_mode = n.get("mode").and_then(Value::as_str) == Some("container");
            if container_mode && !n.contains_key("name") {
                if let Some(name) = &ctx.default_network_name {
                    n.insert("name".into(), json!(name));
                }
            }
        }
    }
    if let Some(Value::Array(definitions)) = app.get_mut("portDefinitions") {
        for d in definitions.iter_mut().filter_map(Value::as_object_mut) {
            set_default(d, "port", json!(0));
            set_default(d, "protocol", json!("tcp"));
        }
    }
    if let Some(Value::Array(volumes)) = container_mut(&mut app).and_then(|c| c.get_mut("volumes")) {
        for volume in volumes.iter_mut().filter_map(Value::as_object_mut) {
            if let Some(Value::Object(persistent)) = volume.get_mut("persistent") {
                // From 1.7 a volume with a profile is a mount volume.
                let mount = v >= MarathonVersion::V1_7 && persistent.contains_key("profileName");
                set_default(persistent, "type", json!(if mount { "mount" } else { "root" }));
                set_default(persistent, "constraints", json!([]));
            }
            if let Some(Value::Object(external)) = volume.get_mut("external") {
                // 1.8 added `shared`, written always.
                if v >= MarathonVersion::V1_8 {
                    set_default(external, "shared", json!(false));
                }
                if external
                    .get("options")
                    .and_then(Value::as_object)
                    .is_some_and(Map::is_empty)
                {
                    external.remove("options");
                }
            }
        }
    }
    let ported = match app.get("portDefinitions") {
        Some(Value::Array(definitions)) => !definitions.is_empty(),
        _ => app
            .get("container")
            .and_then(|c| c.get("portMappings"))
            .and_then(Value::as_array)
            .is_some_and(|m| !m.is_empty()),
    };
    let add_port_index = ported && (port_index == PortIndex::WhenPorted || v < MarathonVersion::V1_5);
    if let Some(container) = container_mut(&mut app) {
        set_default(container, "type", json!("DOCKER"));
        set_default(container, "volumes", json!([]));
        if let Some(Value::Object(docker)) = container.get_mut("docker") {
            set_default(docker, "privileged", json!(false));
            set_default(docker, "parameters", json!([]));
            set_default(docker, "forcePullImage", json!(false));
        }
    }
    if let Some(Value::Array(checks)) = app.get_mut("healthChecks") {
        for c in checks.iter_mut().filter_map(Value::as_object_mut) {
            set_default(c, "protocol", json!("HTTP"));
            let protocol = c
                .get("protocol")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_ascii_uppercase();
            let http = matches!(protocol.as_str(), "HTTP" | "HTTPS");
            let mesos_or_command = protocol.starts_with("MESOS_") || protocol == "COMMAND";
            // Members a protocol's reader does not take are not stored
            // (Formats.scala:774-809 at 1.4.13; HealthCheckConversion.scala
            // from 1.5, which ignores `ignoreHttp1xx` and gives HTTP, HTTPS
            // and TCP checks the default delay and IP protocol).
            if !http {
                c.remove("ignoreHttp1xx");
            }
            if protocol == "TCP" || protocol == "MESOS_TCP" {
                c.remove("path");
            }
            if protocol == "COMMAND" && v >= MarathonVersion::V1_5 {
                c.remove("portIndex");
            }
            if !mesos_or_command {
                c.remove("delaySeconds");
                if v >= MarathonVersion::V1_5 {
                    c.remove("ipProtocol");
                }
            }
            if http && v >= MarathonVersion::V1_5 {
                c.insert("ignoreHttp1xx".into(), json!(false));
            }
            for (key, value) in [
                ("gracePeriodSeconds", 300),
                ("intervalSeconds", 60),
                ("timeoutSeconds", 20),
                ("maxConsecutiveFailures", 3),
                ("delaySeconds", 15),
            ] {
                set_default(c, key, json!(value));
            }
            if http {
                set_default(c, "ignoreHttp1xx", json!(false));
            }
            if v >= MarathonVersion::V1_6 {
                set_default(c, "ipProtocol", json!("IPv4"));
            }
            if add_port_index && protocol != "COMMAND" && !c.contains_key("port") {
                set_default(c, "portIndex", json!(0));
            }
        }
    }
    if let Some(Value::Array(checks)) = app.get_mut("readinessChecks") {
        for c in checks.iter_mut().filter_map(Value::as_object_mut) {
            for (key, value) in [
                ("name", json!("readinessCheck")),
                ("protocol", json!("HTTP")),
                ("path", json!("/")),
                ("portName", json!("http-api")),
                ("intervalSeconds", json!(30)),
                ("timeoutSeconds", json!(10)),
                ("httpStatusCodesForReady", json!([200])),
                ("preserveLastResponse", json!(false)),
            ] {
                set_default(c, key, value);
            }
        }
    }
    if let Some(Value::Array(fetch)) = app.get_mut("fetch") {
        for f in fetch.iter_mut().filter_map(Value::as_object_mut) {
            set_default(f, "extract", json!(true));
            set_default(f, "executable", json!(false));
            set_default(f, "cache", json!(false));
        }
    }
    if let Some(Value::Array(constraints)) = app.get_mut("constraints") {
        for c in constraints.iter_mut() {
            if let Some(Value::String(operator)) = c.get_mut(1) {
                *operator = operator.to_ascii_uppercase();
            }
        }
    }
    let mut out = Value::Object(app);
    canonical_values(&mut out, "");
    match out {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Members Marathon keeps as sets: order and repeats carry no meaning.
const SETS: &[&str] = &[
    "/constraints",
    "/healthChecks",
    "/dependencies",
    "/acceptedResourceRoles",
];

/// Numbers as numbers (`1` is `1.0`), protocols as sets (`tcp,udp` is
/// `udp,tcp`), empty labels as none, sets sorted.
fn canonical_values(value: &mut Value, path: &str) {
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f.abs() < 9e15 {
                    *n = Number::from(f as i64);
                } else if let Some(number) = Number::from_f64(f) {
                    *n = number;
                }
            }
        }
        Value::Object(map) => {
            if let Some(Value::String(protocol)) = map.get_mut("protocol") {
                if protocol.contains(',') {
                    let mut parts: Vec<&str> = protocol.split(',').map(str::trim).collect();
                    parts.sort_unstable();
                    parts.dedup();
                    *protocol = parts.join(",");
                }
            }
            // Empty nested labels are not rendered from 1.5 on.
            if !path.is_empty() && map.get("labels").and_then(Value::as_object).is_some_and(Map::is_empty) {
                map.remove("labels");
            }
            for (key, inner) in map.iter_mut() {
                canonical_values(inner, &format!("{path}/{key}"));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                canonical_values(item, &format!("{path}/{i}"));
            }
            if SETS.contains(&path)
                || path.ends_with("/httpStatusCodesForReady")
                || path.ends_with("/persistent/constraints")
            {
                items.sort_by_cached_key(|v| v.to_string());
                items.dedup();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(version: MarathonVersion) -> Context {
        Context {
            version,
            mesos_role: "*".into(),
            default_network_name: Some("dcos".into()),
            bridge_name: "mesos-bridge".into(),
        }
    }

    fn norm(value: Value, version: MarathonVersion) -> Map<String, Value> {
        normalise(value.as_object().unwrap(), "/", &ctx(version), PortIndex::WhenPorted)
    }

    #[test]
    fn defaults_and_formatting_are_not_differences() {
        let file = json!({"id": "shop/web", "cmd": "./web", "cpus": 1.0, "constraints": [["hostname", "unique"]],
                          "healthChecks": [{"protocol": "HTTP", "path": "/health"}]});
        let export = json!({"id": "/shop/web", "cmd": "./web", "cpus": 1, "mem": 128, "instances": 1, "args": null,
            "version": "2017-05-02T11:30:28.913Z", "tasksRunning": 1, "labels": {}, "uris": [],
            "constraints": [["hostname", "UNIQUE"]], "ports": [10001],
            "portDefinitions": [{"port": 10001, "protocol": "tcp", "name": "default", "labels": {}}],
            "healthChecks": [{"protocol": "HTTP", "path": "/health", "portIndex": 0, "gracePeriodSeconds": 300,
                              "intervalSeconds": 60, "timeoutSeconds": 20, "maxConsecutiveFailures": 3,
                              "ignoreHttp1xx": false}],
            "upgradeStrategy": {"minimumHealthCapacity": 1.0, "maximumOverCapacity": 1.0}});
        let (mut file, export) = (norm(file, MarathonVersion::V1_4), norm(export, MarathonVersion::V1_4));
        // The file's port 0 is Marathon's to assign: the export's number stands.
        file["portDefinitions"][0]["port"] = export["portDefinitions"][0]["port"].clone();
        assert_eq!(Value::Object(file), Value::Object(export));
    }

    #[test]
    fn marathon_1_4_networking_reads_as_1_5s() {
        let old = json!({"id": "/web", "container": {"type": "DOCKER", "docker": {"image": "nginx", "network": "BRIDGE",
            "portMappings": [{"containerPort": 80, "hostPort": 0}]}}});
        let new = json!({"id": "/web", "networks": [{"mode": "container/bridge"}], "container": {"type": "DOCKER",
            "docker": {"image": "nginx"}, "portMappings": [{"containerPort": 80}]}});
        assert_eq!(norm(old, MarathonVersion::V1_10), norm(new, MarathonVersion::V1_10));
        let user = json!({"id": "/web", "ipAddress": {}, "container": {"type": "DOCKER", "docker": {"image": "x", "network": "USER"}}});
        let n = norm(user, MarathonVersion::V1_10);
        assert_eq!(n["networks"], json!([{"mode": "container", "name": "dcos"}]));
        assert!(!n.contains_key("portDefinitions"));
    }
}
