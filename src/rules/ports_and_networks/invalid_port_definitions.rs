//! `invalid-port-definitions`: what Marathon checks in `ports` and
//! `portDefinitions` beyond types and ranges: unique numbers and names, the
//! 1.5+ name pattern, `ports` and `portDefinitions` that disagree, and host
//! ports next to an IP-per-task `ipAddress`.

use serde_json::Value;

use super::support::{self, array, docker_network, ip_address, modern, modern_networks, repeats, Mode};
use crate::diagnostic::{Diagnostic, Target};
use crate::rules::{AppContext, Rule};

pub struct InvalidPortDefinitions;

const ID: &str = "invalid-port-definitions";

/// A port definition's number; a missing one is 0 (random).
fn def_port(def: &Value) -> Option<u64> {
    match def.get("port") {
        None | Some(Value::Null) => Some(0),
        Some(port) => port.as_u64(),
    }
}

impl Rule for InvalidPortDefinitions {
    fn id(&self) -> &'static str {
        ID
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let modern = modern(app.options);
        let ports = array(app.app, &["ports"]);
        let defs = array(app.app, &["portDefinitions"]);

        if let Some(ports) = ports {
            check_unique_ports(app, ports, modern, out);
        }
        if let (Some(ports), Some(defs)) = (ports, defs) {
            check_ports_agree(app, ports, defs, modern, out);
        }
        check_ip_address_and_ports(app, ports, defs, modern, out);

        let Some(defs) = defs else { return };
        if modern {
            // The RAML pattern is checked when the JSON is read, whatever
            // the networking.
            check_modern_names(app, defs, out);
        }
        if validated(app) {
            check_unique_definitions(app, defs, out);
        }
    }
}

/// Are `portDefinitions` still there when Marathon validates them? 1.4
/// always validates them; 1.5+ drops them when the app has a non-host
/// network (and stops earlier when its networking does not translate).
fn validated(app: &AppContext<'_>) -> bool {
    if !modern(app.options) {
        return true;
    }
    modern_networks(app).is_some_and(|nets| nets.iter().all(|n| n.mode == Mode::Host))
}

fn check_unique_ports(app: &AppContext<'_>, ports: &[Value], modern: bool, out: &mut Vec<Diagnostic>) {
    let numbers = ports.iter().map(|p| p.as_u64().filter(|&n| n != 0));
    let said = if modern {
        "\"ports must be unique\""
    } else {
        "\"Ports must be unique.\""
    };
    for (i, first, port) in repeats(numbers) {
        out.push(
            Diagnostic::at(
                ID,
                app.field(&format!("/ports/{i}")),
                format!("port {port} is listed twice in `ports`: Marathon rejects the app with {said}"),
            )
            .label("repeated port")
            .related(
                app.field(&format!("/ports/{first}")),
                Target::Value,
                "first listed here",
            )
            .help("list each port once, or use 0 to let Marathon pick a port"),
        );
    }
}

fn check_ports_agree(app: &AppContext<'_>, ports: &[Value], defs: &[Value], modern: bool, out: &mut Vec<Diagnostic>) {
    let from_defs: Vec<Option<u64>> = defs.iter().map(def_port).collect();
    let from_ports: Vec<Option<u64>> = ports.iter().map(Value::as_u64).collect();
    if from_defs == from_ports {
        return;
    }
    let said = if modern {
        "\"cannot specify both ports and port definitions\""
    } else {
        "\"You cannot specify both ports and port definitions\""
    };
    out.push(
        Diagnostic::at(
            ID,
            app.field("/ports"),
            format!(
                "the app has both `ports` and `portDefinitions`, and they list different ports: Marathon rejects it with {said}"
            ),
        )
        .target(Target::Key)
        .label("legacy `ports`")
        .related(app.field("/portDefinitions"), Target::Key, "port definitions")
        .help("keep only `portDefinitions` (the form that replaced `ports`) and delete `ports`"),
    );
}

fn check_ip_address_and_ports(
    app: &AppContext<'_>,
    ports: Option<&Vec<Value>>,
    defs: Option<&Vec<Value>>,
    modern: bool,
    out: &mut Vec<Diagnostic>,
) {
    if ip_address(app.app).is_none() {
        return;
    }
    // user-network-incomplete already reports host ports on a USER network.
    if docker_network(app.app).as_deref() == Some("USER") {
        return;
    }
    let (key, _) = match (ports, defs) {
        (Some(p), _) if !p.is_empty() => ("/ports", p),
        (_, Some(d)) if !d.is_empty() => ("/portDefinitions", d),
        _ => return,
    };
    let said = if modern {
        "\"cannot specify both an IP address and port\""
    } else {
        "\"You cannot specify both an IP address and ports\""
    };
    out.push(
        Diagnostic::at(
            ID,
            app.field(key),
            format!(
                "the app asks for its own IP address (`ipAddress`) and also declares host ports in `{}`: Marathon rejects it with {said}",
                &key[1..]
            ),
        )
        .target(Target::Key)
        .label("host ports next to `ipAddress`")
        .related(app.field("/ipAddress"), Target::Key, "IP per task requested here")
        .help(format!(
            "set `\"{}\": []`; a task with its own IP address exposes ports through port mappings (or `ipAddress.discovery`)",
            &key[1..]
        )),
    );
}

fn check_modern_names(app: &AppContext<'_>, defs: &[Value], out: &mut Vec<Diagnostic>) {
    for (i, def) in defs.iter().enumerate() {
        let Some(name) = support::string(def, &["name"]) else {
            continue;
        };
        // Names that fail the 1.4 pattern too are the schema's to report.
        if support::legacy_port_name(name) && !support::modern_port_name(name) {
            out.push(
                Diagnostic::at(
                    ID,
                    app.field(&format!("/portDefinitions/{i}/name")),
                    format!(
                        "port name \"{name}\" starts or ends with `-`: Marathon {} rejects it (it must match `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`); 1.4 accepted it",
                        app.options.marathon_version
                    ),
                )
                .label("invalid port name")
                .help(format!("rename the port to \"{}\"", name.trim_matches('-'))),
            );
        }
    }
}

fn check_unique_definitions(app: &AppContext<'_>, defs: &[Value], out: &mut Vec<Diagnostic>) {
    let numbers = defs.iter().map(|d| def_port(d).filter(|&n| n != 0));
    for (i, first, port) in repeats(numbers) {
        out.push(
            Diagnostic::at(
                ID,
                app.field(&format!("/portDefinitions/{i}/port")),
                format!("port {port} is defined twice in `portDefinitions`: Marathon rejects the app with \"Ports must be unique.\""),
            )
            .label("repeated port")
            .related(app.field(&format!("/portDefinitions/{first}/port")), Target::Value, "first defined here")
            .help("give each port definition its own port, or use 0 to let Marathon pick one"),
        );
    }
    let names = defs.iter().map(|d| support::string(d, &["name"]).map(str::to_string));
    for (i, first, name) in repeats(names) {
        out.push(
            Diagnostic::at(
                ID,
                app.field(&format!("/portDefinitions/{i}/name")),
                format!("port name \"{name}\" is used twice in `portDefinitions`: Marathon rejects the app with \"Port names must be unique.\""),
            )
            .label("repeated name")
            .related(app.field(&format!("/portDefinitions/{first}/name")), Target::Value, "first used here")
            .help("give each port its own name"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon_target::MarathonVersion;
    use crate::rules::{findings, RuleOptions};
    use serde_json::json;

    fn found_for(app: Value, version: MarathonVersion) -> Vec<(String, String)> {
        let options = RuleOptions {
            marathon_version: version,
            ..RuleOptions::default()
        };
        findings(&InvalidPortDefinitions, app, &options)
    }

    fn found(app: Value) -> Vec<(String, String)> {
        found_for(app, MarathonVersion::NEWEST)
    }

    #[test]
    fn repeated_ports_ignore_zero() {
        let app = json!({"id": "/a", "cmd": "x", "ports": [0, 31000, 0, 31000]});
        let legacy = found_for(app.clone(), MarathonVersion::V1_4);
        assert_eq!(legacy.len(), 1);
        assert_eq!(legacy[0].0, "/ports/3");
        assert!(legacy[0].1.contains("\"Ports must be unique.\""));
        assert!(found(app)[0].1.contains("\"ports must be unique\""));

        let defs =
            json!({"id": "/a", "cmd": "x", "portDefinitions": [{"port": 0}, {}, {"port": 31000}, {"port": 31000}]});
        let found_defs = found(defs);
        assert_eq!(found_defs.len(), 1);
        assert_eq!(found_defs[0].0, "/portDefinitions/3/port");
    }

    #[test]
    fn repeated_names() {
        let app = json!({"id": "/a", "cmd": "x", "portDefinitions": [{"port": 0, "name": "http"}, {"port": 0, "name": "http"}]});
        let found = found(app);
        assert_eq!(found.len(), 1);
        assert!(found[0].1.contains("Port names must be unique."));
    }

    #[test]
    fn port_definitions_dropped_under_container_networks_in_1_5() {
        let app = json!({"id": "/a", "cmd": "x", "networks": [{"mode": "container/bridge"}],
            "portDefinitions": [{"port": 31000}, {"port": 31000}]});
        assert!(found(app.clone()).is_empty());
        // 1.4 does not know `networks` and validates them.
        assert_eq!(found_for(app, MarathonVersion::V1_4).len(), 1);
    }

    #[test]
    fn ports_and_definitions_must_agree() {
        let same = json!({"id": "/a", "cmd": "x", "ports": [31000, 0], "portDefinitions": [{"port": 31000}, {}]});
        assert!(found(same).is_empty());
        let differ = json!({"id": "/a", "cmd": "x", "ports": [], "portDefinitions": [{"port": 0}]});
        let found = found_for(differ, MarathonVersion::V1_4);
        assert_eq!(found[0].0, "/ports");
        assert!(found[0]
            .1
            .contains("You cannot specify both ports and port definitions"));
    }

    #[test]
    fn ip_address_and_ports() {
        let app =
            json!({"id": "/a", "cmd": "x", "ipAddress": {"networkName": "dcos"}, "portDefinitions": [{"port": 0}]});
        let legacy = found_for(app.clone(), MarathonVersion::V1_4);
        assert_eq!(legacy[0].0, "/portDefinitions");
        assert!(legacy[0].1.contains("You cannot specify both an IP address and ports"));
        assert!(found(app)[0]
            .1
            .contains("\"cannot specify both an IP address and port\""));

        let empty =
            json!({"id": "/a", "cmd": "x", "ipAddress": {"networkName": "dcos"}, "ports": [], "portDefinitions": []});
        assert!(found(empty).is_empty());
        let user = json!({"id": "/a", "ipAddress": {"networkName": "dcos"}, "ports": [0],
            "container": {"type": "DOCKER", "docker": {"image": "x", "network": "USER"}}});
        assert!(found(user).is_empty(), "user-network-incomplete reports this one");
    }

    #[test]
    fn modern_names_may_not_start_or_end_with_a_dash() {
        let app = json!({"id": "/a", "cmd": "x", "portDefinitions": [{"port": 0, "name": "http-"}, {"port": 0, "name": "Bad"}]});
        let found_new = found(app.clone());
        assert_eq!(found_new.len(), 1);
        assert_eq!(found_new[0].0, "/portDefinitions/0/name");
        assert!(found_for(app, MarathonVersion::V1_4).is_empty());
    }
}
