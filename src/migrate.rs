//! `marathon-lint migrate`: move Marathon 1.4 networking to the 1.5+ form,
//! the way Marathon 1.5's own normalisation (`AppNormalization`,
//! `NetworkTranslation`) converts it, as text edits that keep the rest of
//! the file byte for byte:
//!
//! - `container.docker.network` HOST / BRIDGE / USER becomes `networks` with
//!   mode `host`, `container/bridge` or `container` (named after
//!   `ipAddress.networkName`; `ipAddress.labels` become the network's labels);
//! - a top-level `ipAddress` without a Docker network becomes a `container`
//!   network with its name (`container/bridge` for `mesos-bridge`), and
//!   `ipAddress` itself goes;
//! - `container.docker.portMappings` move to `container.portMappings` (under
//!   host networking Marathon drops them: so does the migration);
//! - `ports` become `portDefinitions` under host networking, and go under
//!   other networks (Marathon drops them), as does `requirePorts`.
//!
//! An app Marathon 1.5 would reject as it is (`docker.network: NONE`, legacy
//! fields mixed with `networks`) is left alone: the linter reports it.

use serde_json::{json, Map, Value};

use crate::fix::{self, Action, Fix, Safety};
use crate::model::{self, Kind};
use crate::parse;

/// The first migration step for one app, if it has legacy fields left.
fn step(app: &Value, at: &str, bridge_name: &str, raw: &dyn Fn(&str) -> Option<String>) -> Option<Vec<Action>> {
    let field = |path: &str| format!("{at}{path}");
    let docker_network = app.pointer("/container/docker/network").and_then(Value::as_str);
    let networks = app.get("networks").filter(|n| !n.is_null());
    let ip_address = app.get("ipAddress").filter(|v| v.is_object());

    if let Some(network) = docker_network {
        if networks.is_some() {
            return None; // mixed: 1.5 rejects it, nothing to migrate
        }
        let mut entry = Map::new();
        match network.to_ascii_uppercase().as_str() {
            "HOST" => {
                entry.insert("mode".into(), json!("host"));
            }
            "BRIDGE" => {
                entry.insert("mode".into(), json!("container/bridge"));
            }
            "USER" => {
                entry.insert("mode".into(), json!("container"));
                if let Some(name) = ip_address.and_then(|ip| ip.get("networkName")).and_then(Value::as_str) {
                    entry.insert("name".into(), json!(name));
                }
            }
            _ => return None, // NONE: 1.5 rejects it
        }
        if let Some(labels) = ip_address
            .and_then(|ip| ip.get("labels"))
            .filter(|l| l.as_object().is_some_and(|m| !m.is_empty()))
        {
            if entry["mode"] != "host" {
                entry.insert("labels".into(), labels.clone());
            }
        }
        return Some(vec![
            Action::SetMember {
                object: at.to_string(),
                key: "networks".into(),
                value: json!([entry]),
            },
            Action::RemovePointer {
                pointer: field("/container/docker/network"),
            },
        ]);
    }

    if let Some(ip) = ip_address {
        let mut actions = Vec::new();
        if networks.is_none() {
            let name = ip.get("networkName").and_then(Value::as_str);
            let mut entry = Map::new();
            match name {
                Some(n) if n == bridge_name => {
                    entry.insert("mode".into(), json!("container/bridge"));
                }
                Some(n) => {
                    entry.insert("mode".into(), json!("container"));
                    entry.insert("name".into(), json!(n));
                }
                None => {
                    entry.insert("mode".into(), json!("container"));
                }
            }
            if let Some(labels) = ip
                .get("labels")
                .filter(|l| l.as_object().is_some_and(|m| !m.is_empty()))
            {
                entry.insert("labels".into(), labels.clone());
            }
            actions.push(Action::SetMember {
                object: at.to_string(),
                key: "networks".into(),
                value: json!([entry]),
            });
        }
        // Discovery ports of a Mesos container become its port mappings.
        let discovery = ip
            .pointer("/discovery/ports")
            .and_then(Value::as_array)
            .filter(|p| !p.is_empty());
        if let Some(ports) = discovery {
            if app.pointer("/container/portMappings").is_none() && app.get("container").is_some_and(Value::is_object) {
                let mappings: Vec<Value> = ports
                    .iter()
                    .map(|p| {
                        let mut m = Map::new();
                        for (from, to) in [
                            ("number", "containerPort"),
                            ("name", "name"),
                            ("protocol", "protocol"),
                            ("labels", "labels"),
                        ] {
                            if let Some(v) = p.get(from) {
                                m.insert(to.into(), v.clone());
                            }
                        }
                        Value::Object(m)
                    })
                    .collect();
                actions.push(Action::SetMember {
                    object: field("/container"),
                    key: "portMappings".into(),
                    value: Value::Array(mappings),
                });
            }
        }
        actions.push(Action::RemovePointer {
            pointer: field("/ipAddress"),
        });
        return Some(actions);
    }

    let host = match networks.and_then(Value::as_array) {
        None => true,
        Some(list) => {
            list.is_empty()
                || list.iter().all(|n| {
                    n.get("mode")
                        .and_then(Value::as_str)
                        .is_some_and(|m| m.eq_ignore_ascii_case("host"))
                })
        }
    };

    if let Some(mappings) = app.pointer("/container/docker/portMappings") {
        let remove = Action::RemovePointer {
            pointer: field("/container/docker/portMappings"),
        };
        if host {
            return Some(vec![remove]); // Marathon drops them under host networking
        }
        if app
            .pointer("/container/portMappings")
            .is_some_and(|m| m.as_array().is_some_and(|a| !a.is_empty()))
        {
            return None; // both set: 1.5 rejects it
        }
        // Moved as written, so its key order and spelling stay.
        let moved = match raw(&field("/container/docker/portMappings")) {
            Some(text) => Action::SetMemberRaw {
                object: field("/container"),
                key: "portMappings".into(),
                raw: text,
            },
            None => Action::SetMember {
                object: field("/container"),
                key: "portMappings".into(),
                value: mappings.clone(),
            },
        };
        return Some(vec![moved, remove]);
    }

    if let Some(ports) = app.get("ports").and_then(Value::as_array) {
        let remove = Action::RemovePointer {
            pointer: field("/ports"),
        };
        if !host || app.get("portDefinitions").is_some() {
            // Dropped by Marathon off host networking; with portDefinitions
            // too, 1.5 accepts them only when they agree, so `ports` is redundant.
            return Some(vec![remove]);
        }
        let definitions: Vec<Value> = ports.iter().map(|p| json!({ "port": p })).collect();
        return Some(vec![
            Action::SetMember {
                object: at.to_string(),
                key: "portDefinitions".into(),
                value: Value::Array(definitions),
            },
            remove,
        ]);
    }

    if !host && app.get("requirePorts").is_some() {
        return Some(vec![Action::RemovePointer {
            pointer: field("/requirePorts"),
        }]);
    }
    None
}

/// Migrate one document. Returns the new text and the number of steps; the
/// text is unchanged when nothing needs migrating (or the file does not
/// parse: a file with a syntax error is never rewritten).
pub fn migrate_text(text: &str, bridge_name: &str) -> (String, usize) {
    let mut current = text.to_string();
    let mut steps = 0;
    // Each step removes one legacy field, so this ends; the bound is a guard.
    for _ in 0..1000 {
        let Ok((parsed, _)) = parse::parse(&current) else { break };
        let mut found = None;
        for definition in model::definitions(&parsed.value) {
            if definition.kind == Kind::App && definition.value.is_object() {
                let raw = |pointer: &str| {
                    parsed
                        .span_of(pointer, crate::diagnostic::Target::Value)
                        .map(|span| current[span].to_string())
                };
                if let Some(actions) = step(definition.value, &definition.pointer, bridge_name, &raw) {
                    found = Some(actions);
                    break;
                }
            }
        }
        let Some(actions) = found else { break };
        let mut fix = Fix::new(Safety::Safe, "migrate", actions);
        fix::resolve(&mut fix, &parsed, &current);
        let (next, applied) = fix::apply(&current, &[&fix]);
        if applied == 0 || parse::parse(&next).is_err() {
            break;
        }
        current = next;
        steps += 1;
    }
    (current, steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migrate(text: &str) -> String {
        migrate_text(text, "mesos-bridge").0
    }

    #[test]
    fn bridge_with_port_mappings() {
        let before = r#"{
  "id": "/web",
  "container": {
    "type": "DOCKER",
    "docker": {
      "image": "nginx:1.25",
      "network": "BRIDGE",
      "portMappings": [{ "containerPort": 80, "hostPort": 0 }]
    }
  }
}"#;
        let after = r#"{
  "id": "/web",
  "container": {
    "type": "DOCKER",
    "docker": {
      "image": "nginx:1.25"
    },
    "portMappings": [{ "containerPort": 80, "hostPort": 0 }]
  },
  "networks": [{"mode": "container/bridge"}]
}"#;
        assert_eq!(migrate(before), after);
        assert_eq!(migrate(after), after, "idempotent");
    }

    #[test]
    fn user_network_with_ip_address() {
        let before = r#"{"id": "/a", "ports": [], "ipAddress": {"networkName": "calico", "labels": {"team": "x"}},
 "container": {"type": "DOCKER", "docker": {"image": "a:1", "network": "USER", "portMappings": [{"containerPort": 8080}]}}}"#;
        let after: Value = serde_json::from_str(&migrate(before)).unwrap();
        assert_eq!(
            after["networks"],
            json!([{"mode": "container", "name": "calico", "labels": {"team": "x"}}])
        );
        assert_eq!(after["container"]["portMappings"], json!([{"containerPort": 8080}]));
        for gone in ["ipAddress", "ports"] {
            assert!(after.get(gone).is_none(), "{gone} is still there: {after}");
        }
        assert!(after["container"]["docker"].get("network").is_none());
    }

    #[test]
    fn host_networking_keeps_port_definitions_and_drops_mappings() {
        let before = r#"{"id": "/a", "cmd": "x", "ports": [8080, 0], "requirePorts": true,
 "container": {"type": "DOCKER", "docker": {"image": "a:1", "network": "HOST", "portMappings": [{"containerPort": 1}]}}}"#;
        let after: Value = serde_json::from_str(&migrate(before)).unwrap();
        assert_eq!(after["networks"], json!([{"mode": "host"}]));
        assert_eq!(after["portDefinitions"], json!([{"port": 8080}, {"port": 0}]));
        assert_eq!(
            after["requirePorts"],
            json!(true),
            "requirePorts matters under host networking"
        );
        assert!(after["container"]["docker"].get("portMappings").is_none());
        assert!(after["container"].get("portMappings").is_none());
    }

    #[test]
    fn what_1_5_rejects_is_left_alone() {
        let none = r#"{"id": "/a", "container": {"type": "DOCKER", "docker": {"image": "a:1", "network": "NONE"}}}"#;
        assert_eq!(migrate(none), none);
        let mixed = r#"{"id": "/a", "networks": [{"mode": "host"}], "container": {"type": "DOCKER", "docker": {"image": "a:1", "network": "HOST"}}}"#;
        assert_eq!(migrate(mixed), mixed);
        assert_eq!(migrate("{\"id\": \"/a\",}"), "{\"id\": \"/a\",}");
    }
}
