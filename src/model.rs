//! What a document holds (apps, groups, lists of apps) and how an app is
//! networked, read the way Marathon reads it, for both the 1.4 fields
//! (`container.docker.network`, `ipAddress`, `ports`) and the 1.5+ ones
//! (`networks`, `container.portMappings`).

use serde_json::Value;

use crate::app_members::{path, Members};
use crate::diagnostic::pointer_join;

/// Where a definition sits in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    App,
    Group,
}

/// One app or group of a document, with its JSON pointer in the file.
#[derive(Debug)]
pub struct Definition<'v> {
    pub kind: Kind,
    pub pointer: String,
    pub value: &'v Value,
    /// The canonical id of the enclosing group (`/` at the top level).
    pub parent_id: String,
    /// Its own canonical id, when it has a string `id`.
    pub id: Option<String>,
}

/// Resolve an id the way Marathon does (`PathId.canonicalPath`): relative
/// ids are taken from `base`, `.` segments dropped, `..` pops a segment, and
/// empty segments vanish. Always absolute.
pub fn canonical_id(id: &str, base: &str) -> String {
    let joined = if id.starts_with('/') {
        id.to_string()
    } else {
        format!("{base}/{id}")
    };
    // Most ids are already canonical: keep the string instead of rebuilding it.
    if joined.len() > 1
        && joined.starts_with('/')
        && joined[1..]
            .split('/')
            .all(|segment| !matches!(segment, "" | "." | ".."))
    {
        return joined;
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    format!("/{}", segments.join("/"))
}

/// Keys only a Marathon app or group has; one of them makes a `.json` file
/// found while walking a directory worth linting (a `package.json` has none).
const MARATHON_KEYS: &[&str] = &[
    "cmd",
    "args",
    "container",
    "cpus",
    "mem",
    "instances",
    "apps",
    "groups",
    "healthChecks",
    "portDefinitions",
    "constraints",
    "upgradeStrategy",
    "acceptedResourceRoles",
    "networks",
    "ipAddress",
    "requirePorts",
    "backoffSeconds",
    "taskKillGracePeriodSeconds",
    "readinessChecks",
    "residency",
    "unreachableStrategy",
    "killSelection",
];

/// Does this parsed document look like a Marathon definition?
pub fn looks_like_marathon(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.keys().any(|k| MARATHON_KEYS.contains(&k.as_str())),
        Value::Array(items) => items.iter().any(looks_like_marathon),
        _ => false,
    }
}

/// The same question for a file that does not parse: look for a quoted
/// Marathon key in the text.
pub fn text_looks_like_marathon(text: &str) -> bool {
    MARATHON_KEYS.iter().any(|k| {
        let quoted = format!("\"{k}\"");
        text.contains(&quoted)
    })
}

fn is_group(map: &serde_json::Map<String, Value>) -> bool {
    map.contains_key("apps") || map.contains_key("groups") || map.contains_key("pods")
}

/// Every app and group in a document, in document order: a single app, a
/// group (with nested `apps` and `groups` at any depth), or an array of apps
/// (or groups).
/// Whether the definition at `pointer` is sent as a body of its own: the
/// document, or an entry of a top-level list (`PUT /v2/apps` takes a list);
/// apps inside groups are sent whole, with their group.
pub fn is_body(pointer: &str) -> bool {
    pointer.is_empty()
        || pointer
            .strip_prefix('/')
            .is_some_and(|index| !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()))
}

pub fn definitions(root: &Value) -> Vec<Definition<'_>> {
    let mut out = Vec::new();
    // Explicit stack, reversed pushes: document order without recursion.
    // Each entry carries the canonical id of its enclosing group.
    let mut stack: Vec<(String, &Value, String)> = Vec::new();
    match root {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate().rev() {
                stack.push((pointer_join("", i), item, "/".to_string()));
            }
        }
        _ => stack.push((String::new(), root, "/".to_string())),
    }
    while let Some((pointer, value, parent_id)) = stack.pop() {
        let id = value
            .get("id")
            .and_then(Value::as_str)
            .map(|id| canonical_id(id, &parent_id));
        let Value::Object(map) = value else {
            // A non-object where an app belongs is reported by the schema
            // check; nothing to descend into.
            out.push(Definition {
                kind: Kind::App,
                pointer,
                value,
                parent_id,
                id,
            });
            continue;
        };
        if is_group(map) {
            let own_id = id.clone().unwrap_or_else(|| parent_id.clone());
            let mut children = Vec::new();
            for key in ["apps", "groups"] {
                if let Some(Value::Array(items)) = map.get(key) {
                    for (i, item) in items.iter().enumerate() {
                        children.push((pointer_join(&pointer_join(&pointer, key), i), item, own_id.clone()));
                    }
                }
            }
            out.push(Definition {
                kind: Kind::Group,
                pointer,
                value,
                parent_id,
                id,
            });
            stack.extend(children.into_iter().rev());
        } else {
            out.push(Definition {
                kind: Kind::App,
                pointer,
                value,
                parent_id,
                id,
            });
        }
    }
    out
}

/// The value at a JSON pointer, like `Value::pointer` but without allocating
/// for every segment (rules look up a few pointers per app; it showed in
/// profiles). Escaped segments (`~0`, `~1`) take serde_json's own path.
pub fn at<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    let rest = pointer.strip_prefix('/')?;
    // A byte search and a char-set pattern: these pointers are a few bytes
    // long, where the memchr behind a single `char` pattern costs more than
    // it saves.
    if rest.as_bytes().contains(&b'~') {
        return value.pointer(pointer);
    }
    rest.split(['/']).try_fold(value, |value, token| match value {
        Value::Object(map) => map.get(token),
        // As serde_json: a decimal index without sign or leading zero.
        Value::Array(list) if !token.starts_with('+') && (token == "0" || !token.starts_with('0')) => {
            list.get(token.parse::<usize>().ok()?)
        }
        _ => None,
    })
}

/// Does the app have a local persistent volume (`container.volumes[].persistent`)?
/// Such an app is resident: Marathon adds the default `residency` when it
/// reads the app, and resident-app rules (upgrade strategy, unreachable
/// strategy, roles) apply to it.
pub fn is_resident<'v>(app: impl Members<'v>) -> bool {
    path(app, &["container", "volumes"])
        .and_then(Value::as_array)
        .is_some_and(|volumes| {
            volumes
                .iter()
                .any(|v| v.get("persistent").is_some_and(Value::is_object))
        })
}

/// How an app's tasks are networked, after Marathon's own normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkMode {
    /// The agent's network namespace (the default).
    Host,
    /// Docker/Mesos bridge with port mappings.
    Bridge,
    /// A user-defined (CNI or Docker) network, named or not.
    Container,
    /// 1.4 `docker.network: NONE`.
    None,
}

/// One port that a task takes from the agent's `ports` resource as a fixed
/// number, with the pointer of the value that fixes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedHostPort {
    pub port: u64,
    pub pointer: String,
    pub fixed_by: FixedBy,
}

/// What makes a host port fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixedBy {
    /// A non-zero `hostPort` in a port mapping.
    PortMapping,
    /// `requirePorts: true` with a non-zero port under host networking.
    RequirePorts,
}

/// The networking facts of one app that the rules need.
#[derive(Debug)]
pub struct Networking<'v> {
    pub mode: NetworkMode,
    /// Pointer of the field that chose the mode (`None` for the default).
    pub mode_pointer: Option<String>,
    /// True when the 1.4 `container.docker.network` field chose the mode.
    pub legacy_docker_network: bool,
    pub port_mappings: Vec<(String, &'v Value)>,
    pub fixed_host_ports: Vec<FixedHostPort>,
}

pub fn networking<'v>(app: impl Members<'v>, app_pointer: &str) -> Networking<'v> {
    let docker_network = path(app, &["container", "docker", "network"]).and_then(Value::as_str);
    let networks = app
        .member("networks")
        .and_then(Value::as_array)
        .filter(|n| !n.is_empty());

    let (mode, mode_pointer, legacy) = if let Some(network) = docker_network {
        // 1.5+ reads these case-insensitively; 1.4 rejects other cases.
        let mode = match network.to_ascii_uppercase().as_str() {
            "BRIDGE" => NetworkMode::Bridge,
            "USER" => NetworkMode::Container,
            "NONE" => NetworkMode::None,
            _ => NetworkMode::Host,
        };
        (mode, Some(format!("{app_pointer}/container/docker/network")), true)
    } else if let Some(networks) = networks {
        // A network entry without a mode is a container network (1.5+ default).
        let mode_of = |n: &Value| n.get("mode").and_then(Value::as_str).unwrap_or("container").to_string();
        let first = mode_of(&networks[0]);
        let mode = match first.to_ascii_lowercase().as_str() {
            "host" => NetworkMode::Host,
            "container/bridge" => NetworkMode::Bridge,
            _ => NetworkMode::Container,
        };
        (mode, Some(format!("{app_pointer}/networks")), false)
    } else if app.member("ipAddress").is_some_and(|v| !v.is_null()) {
        (NetworkMode::Container, Some(format!("{app_pointer}/ipAddress")), false)
    } else {
        (NetworkMode::Host, None, false)
    };

    // Marathon drops port mappings under host networking (1.4 keeps docker
    // port mappings only for BRIDGE and USER), so only these count.
    let mut port_mappings = Vec::new();
    if matches!(mode, NetworkMode::Bridge | NetworkMode::Container) {
        for route in [
            &["container", "portMappings"][..],
            &["container", "docker", "portMappings"][..],
        ] {
            if let Some(Value::Array(items)) = path(app, route) {
                let base = format!("{app_pointer}/{}", route.join("/"));
                for (i, item) in items.iter().enumerate() {
                    port_mappings.push((pointer_join(&base, i), item));
                }
            }
        }
    }

    let mut fixed_host_ports = Vec::new();
    // A non-zero hostPort is always reserved from the agent's offer, whatever
    // requirePorts says (Marathon's PortsMatcher).
    for (pointer, mapping) in &port_mappings {
        if let Some(port) = mapping.get("hostPort").and_then(Value::as_u64).filter(|&p| p != 0) {
            fixed_host_ports.push(FixedHostPort {
                port,
                pointer: format!("{pointer}/hostPort"),
                fixed_by: FixedBy::PortMapping,
            });
        }
    }
    // Under host networking the task binds the agent's ports directly; with
    // requirePorts the declared numbers are the ones it must get.
    if mode == NetworkMode::Host && app.member("requirePorts").and_then(Value::as_bool) == Some(true) {
        fixed_host_ports.extend(host_ports_declared(app.value(), app_pointer));
    }

    Networking {
        mode,
        mode_pointer,
        legacy_docker_network: legacy,
        port_mappings,
        fixed_host_ports,
    }
}

/// Non-zero numbers in `portDefinitions` (or legacy `ports`).
fn host_ports_declared(app: &Value, app_pointer: &str) -> Vec<FixedHostPort> {
    let mut out = Vec::new();
    if let Some(Value::Array(defs)) = app.get("portDefinitions") {
        for (i, def) in defs.iter().enumerate() {
            if let Some(port) = def.get("port").and_then(Value::as_u64).filter(|&p| p != 0) {
                out.push(FixedHostPort {
                    port,
                    pointer: format!("{app_pointer}/portDefinitions/{i}/port"),
                    fixed_by: FixedBy::RequirePorts,
                });
            }
        }
    } else if let Some(Value::Array(ports)) = app.get("ports") {
        for (i, port) in ports.iter().enumerate() {
            if let Some(port) = port.as_u64().filter(|&p| p != 0) {
                out.push(FixedHostPort {
                    port,
                    pointer: format!("{app_pointer}/ports/{i}"),
                    fixed_by: FixedBy::RequirePorts,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_agrees_with_serde_json_pointer() {
        let value = serde_json::json!({
            "a": {"b": [10, {"c": null}], "": 1, "x/y": 2, "m~n": 3},
            "01": "zero-one"
        });
        for pointer in [
            "",
            "/a",
            "/a/b",
            "/a/b/0",
            "/a/b/1/c",
            "/a/b/2",
            "/a/b/01",
            "/a/b/+1",
            "/a/b/-1",
            "/a/",
            "/a/x~1y",
            "/a/m~0n",
            "/01",
            "a",
            "/a/b/0/z",
            "/missing/x",
        ] {
            assert_eq!(at(&value, pointer), value.pointer(pointer), "{pointer}");
        }
    }
    use serde_json::json;

    #[test]
    fn finds_apps_in_nested_groups_in_document_order() {
        let doc =
            json!({"id": "/g", "apps": [{"id": "a"}], "groups": [{"id": "h", "apps": [{"id": "b"}, {"id": "c"}]}]});
        let found: Vec<_> = definitions(&doc).into_iter().map(|d| (d.kind, d.pointer)).collect();
        assert_eq!(
            found,
            vec![
                (Kind::Group, "".to_string()),
                (Kind::App, "/apps/0".to_string()),
                (Kind::Group, "/groups/0".to_string()),
                (Kind::App, "/groups/0/apps/0".to_string()),
                (Kind::App, "/groups/0/apps/1".to_string()),
            ]
        );
    }

    #[test]
    fn ids_are_canonical_and_relative_to_their_group() {
        let doc = json!({"id": "/shop", "apps": [{"id": "cart"}, {"id": "/other/x"}], "groups": [{"id": "db", "apps": [{"id": "../web/./redis"}]}]});
        let ids: Vec<_> = definitions(&doc)
            .into_iter()
            .map(|d| (d.parent_id, d.id.unwrap()))
            .collect();
        assert_eq!(
            ids,
            vec![
                ("/".into(), "/shop".into()),
                ("/shop".into(), "/shop/cart".into()),
                ("/shop".into(), "/other/x".into()),
                ("/shop".into(), "/shop/db".into()),
                ("/shop/db".into(), "/shop/web/redis".into()),
            ]
        );
        assert_eq!(canonical_id("a//b/", "/"), "/a/b");
        assert_eq!(canonical_id("..", "/"), "/");
    }

    #[test]
    fn canonical_ids_are_kept_and_others_normalised() {
        for (id, base, expected) in [
            ("/shop/cart", "/", "/shop/cart"),
            ("cart", "/shop", "/shop/cart"),
            ("cart", "", "/cart"),
            ("cart", "/", "/cart"),
            ("cart", "shop", "/shop/cart"),
            ("/", "/", "/"),
            ("/shop/", "/", "/shop"),
            ("/shop/./cart", "/", "/shop/cart"),
            ("../cart", "/shop/web", "/shop/cart"),
            ("/shop/...", "/", "/shop/..."),
        ] {
            assert_eq!(canonical_id(id, base), expected, "{id:?} in {base:?}");
        }
    }

    #[test]
    fn an_array_is_a_list_of_apps() {
        let doc = json!([{"id": "a", "cmd": "x"}, {"id": "b", "cmd": "y"}]);
        let found: Vec<_> = definitions(&doc).into_iter().map(|d| d.pointer).collect();
        assert_eq!(found, vec!["/0", "/1"]);
    }

    #[test]
    fn bridge_host_ports_are_fixed_but_dropped_in_host_mode() {
        let bridge = json!({"container": {"docker": {"network": "BRIDGE", "portMappings": [{"hostPort": 80}, {"hostPort": 0}]}}});
        let n = networking(&bridge, "");
        assert_eq!(n.mode, NetworkMode::Bridge);
        assert_eq!(
            n.fixed_host_ports,
            vec![FixedHostPort {
                port: 80,
                pointer: "/container/docker/portMappings/0/hostPort".into(),
                fixed_by: FixedBy::PortMapping
            }]
        );

        let host = json!({"container": {"docker": {"network": "HOST", "portMappings": [{"hostPort": 80}]}}});
        assert!(networking(&host, "").fixed_host_ports.is_empty());
    }

    #[test]
    fn host_networking_pins_ports_only_with_require_ports() {
        let app = json!({"portDefinitions": [{"port": 8080}, {"port": 0}]});
        assert!(networking(&app, "/apps/0").fixed_host_ports.is_empty());
        let app = json!({"requirePorts": true, "portDefinitions": [{"port": 8080}, {"port": 0}]});
        assert_eq!(
            networking(&app, "/apps/0").fixed_host_ports,
            vec![FixedHostPort {
                port: 8080,
                pointer: "/apps/0/portDefinitions/0/port".into(),
                fixed_by: FixedBy::RequirePorts
            }]
        );
        let legacy = json!({"requirePorts": true, "ports": [9000]});
        assert_eq!(networking(&legacy, "").fixed_host_ports[0].pointer, "/ports/0");
    }

    #[test]
    fn modern_networks_are_understood() {
        let app = json!({"networks": [{"mode": "container/bridge"}], "container": {"portMappings": [{"containerPort": 80, "hostPort": 31080}]}});
        let n = networking(&app, "");
        assert_eq!(n.mode, NetworkMode::Bridge);
        assert_eq!(n.fixed_host_ports[0].pointer, "/container/portMappings/0/hostPort");
        let app = json!({"networks": [{"name": "dcos"}]});
        assert_eq!(networking(&app, "").mode, NetworkMode::Container);
    }
}
