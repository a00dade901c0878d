//! `invalid-networks`: Marathon's checks of an app's networking: the shapes
//! of a 1.5+ `networks` list, legacy fields mixed with it, `NONE`, a legacy
//! IP-per-task app without a network name, and `ipAddress.discovery`.
//! A container network without a name (1.5+ `networks`, or a legacy USER
//! network) is `user-network-incomplete`'s to report.

use serde_json::Value;

use super::support::{
    self, array, docker_engine, docker_network, get, ip_address, modern, non_empty_array, repeats, string,
};
use crate::diagnostic::{Diagnostic, Target};
use crate::rules::{AppContext, Rule};

pub struct InvalidNetworks;

const ID: &str = "invalid-networks";

impl Rule for InvalidNetworks {
    fn id(&self) -> &'static str {
        ID
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        if modern(app.options) {
            check_none(app, out);
            check_mixed(app, out);
            if let Some(networks) = non_empty_array(app.app, &["networks"]) {
                check_networks(app, networks, out);
            }
            check_legacy_network_name(app, out);
        }
        check_discovery(app, out);
    }
}

fn check_none(app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
    if docker_network(app.app).as_deref() == Some("NONE") {
        out.push(
            Diagnostic::at(ID, app.field("/container/docker/network"), format!("Marathon {} has no equivalent of the Docker network NONE and refuses the app with \"unsupported docker network type NONE\" (1.4 accepted it)", app.options.marathon_version))
                .label("not supported since 1.5")
                .help("remove `network` to use host networking, or join a network with `\"networks\": [{\"mode\": \"container\", \"name\": \"<network>\"}]`"),
        );
    }
}

fn check_mixed(app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
    if non_empty_array(app.app, &["networks"]).is_none() {
        return;
    }
    if get(app.app, &["container", "docker", "network"]).is_some() {
        out.push(
            Diagnostic::at(ID, app.field("/container/docker/network"), "the app sets both the legacy `container.docker.network` and `networks`: Marathon rejects it with \"must not specify both container.docker.network and networks\"")
                .target(Target::Key)
                .label("legacy network field")
                .related(app.field("/networks"), Target::Key, "1.5+ networks")
                .help("delete `container.docker.network` and describe the network in `networks` only"),
        );
    }
    if get(app.app, &["ipAddress"]).is_some() {
        out.push(
            Diagnostic::at(ID, app.field("/ipAddress"), "the app sets both the legacy `ipAddress` and `networks`: Marathon rejects it with \"must not specify both networks and ipAddress\"")
                .target(Target::Key)
                .label("legacy IP-per-task field")
                .related(app.field("/networks"), Target::Key, "1.5+ networks")
                .help("delete `ipAddress`: put its network name in a `networks` entry (`{\"mode\": \"container\", \"name\": ...}`) and its discovery ports in `container.portMappings`"),
        );
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Host,
    Bridge,
    Container,
}

fn check_networks(app: &AppContext<'_>, networks: &[Value], out: &mut Vec<Diagnostic>) {
    let modes: Vec<Option<Mode>> = networks
        .iter()
        .map(|n| match string(n, &["mode"]).map(str::to_ascii_lowercase).as_deref() {
            None => Some(Mode::Container),
            Some("container") => Some(Mode::Container),
            Some("container/bridge") => Some(Mode::Bridge),
            Some("host") => Some(Mode::Host),
            // Another value is the schema's to report.
            Some(_) => None,
        })
        .collect();
    let name = |n: &Value| string(n, &["name"]).filter(|s| !s.is_empty()).map(str::to_string);

    for (i, (network, mode)) in networks.iter().zip(&modes).enumerate() {
        let named = name(network).is_some();
        match mode {
            Some(Mode::Host) => {
                let labelled = get(network, &["labels"])
                    .and_then(Value::as_object)
                    .is_some_and(|l| !l.is_empty());
                for (present, key) in [(named, "name"), (labelled, "labels")] {
                    if present {
                        out.push(
                            Diagnostic::at(ID, app.field(&format!("/networks/{i}/{key}")), format!("a host network may not have {}: Marathon rejects the app with \"Host networks may not have names or labels\"", if key == "name" { "a name" } else { "labels" }))
                                .target(Target::Key)
                                .label(format!("{key} on a host network"))
                                .help(format!("remove `{key}` from the host network, or use `\"mode\": \"container\"` if you meant a named network")),
                        );
                    }
                }
            }
            Some(Mode::Bridge) if named => out.push(
                Diagnostic::at(ID, app.field(&format!("/networks/{i}/name")), "a bridge network may not have a name: Marathon rejects the app with \"Bridge networks may not have names\"")
                    .target(Target::Key)
                    .label("name on a bridge network")
                    .help("remove `name`, or use `\"mode\": \"container\"` to join a named network"),
            ),
            _ => {}
        }
    }

    // Duplicates: names of any mode at most once, and one unnamed
    // container network at most (it takes the default network name).
    let mut duplicate = None;
    if let Some((i, first, network_name)) = repeats(networks.iter().map(name)).into_iter().next() {
        duplicate = Some((i, first, format!("the network \"{network_name}\" is listed twice")));
    }
    let unnamed = networks
        .iter()
        .zip(&modes)
        .map(|(n, m)| (*m == Some(Mode::Container) && name(n).is_none()).then_some(()));
    if let Some((i, first, ())) = repeats(unnamed).into_iter().next() {
        duplicate = duplicate.or(Some((
            i,
            first,
            "two container networks have no name (both would be the default network)".to_string(),
        )));
    }
    if let Some((i, first, what)) = duplicate {
        out.push(
            Diagnostic::at(
                ID,
                app.field(&format!("/networks/{i}")),
                format!("{what}: Marathon rejects the app with \"Duplicate networks are not allowed\""),
            )
            .label("duplicate network")
            .related(
                app.field(&format!("/networks/{first}")),
                Target::Value,
                "first listed here",
            )
            .help("list each network once"),
        );
    }

    let count = |mode| modes.iter().filter(|m| **m == Some(mode)).count();
    let (hosts, bridges, containers) = (count(Mode::Host), count(Mode::Bridge), count(Mode::Container));
    let valid = (bridges == 0 && containers == 0 && hosts <= 1)
        || (hosts == 0 && containers == 0 && bridges <= 1)
        || (hosts == 0 && bridges == 0);
    if !valid {
        out.push(
            Diagnostic::at(ID, app.field("/networks"), format!("the app lists {}: Marathon rejects it with \"May specify a single host network, single bridge network, or else 1-to-n container networks\"", describe(hosts, bridges, containers)))
                .target(Target::Key)
                .label("networks that cannot be combined")
                .help("use one host network, or one bridge network (`container/bridge`), or one or more container networks"),
        );
    } else if containers > 1 && docker_engine(app.app) {
        out.push(
            Diagnostic::at(ID, app.field("/networks"), format!("the app joins {containers} container networks but runs on the Docker engine, which joins one at most: Marathon rejects it with \"may only specify a single container network when using the Docker container engine\""))
                .target(Target::Key)
                .label("several container networks")
                .help("keep one container network, or use the Mesos engine (`\"container\": {\"type\": \"MESOS\", \"docker\": {\"image\": ...}}`), which can join several"),
        );
    }
}

fn describe(hosts: usize, bridges: usize, containers: usize) -> String {
    let plural = |n: usize, what: &str| format!("{n} {what} network{}", if n == 1 { "" } else { "s" });
    [(hosts, "host"), (bridges, "bridge"), (containers, "container")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| plural(n, what))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// A legacy IP-per-task app (`ipAddress` without a Docker network) joins the
/// network `ipAddress.networkName`; 1.5+ has no other way to name it than
/// --default_network_name. (A legacy USER network is user-network-incomplete's.)
fn check_legacy_network_name(app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(ip) = ip_address(app.app) else { return };
    if get(app.app, &["container", "docker", "network"]).is_some() || non_empty_array(app.app, &["networks"]).is_some()
    {
        return;
    }
    if get(ip, &["networkName"]).is_some() || app.options.default_network_name.is_some() {
        return;
    }
    out.push(
        Diagnostic::at(ID, app.field("/ipAddress"), format!("`ipAddress` has no `networkName`: Marathon {} turns it into a container network without a name and, unless it runs with --default_network_name, rejects the app with \"container network name is not defined\" (1.4 accepted it)", app.options.marathon_version))
            .target(Target::Opening)
            .label("network name missing")
            .help("replace `ipAddress` with `\"networks\": [{\"mode\": \"container\", \"name\": \"<network>\"}]`, or add `\"networkName\": \"<network>\"`; if your Marathon runs with --default_network_name, lint with --default-network-name"),
    );
}

fn check_discovery(app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
    let Some(ip) = ip_address(app.app) else { return };
    let Some(discovery) = get(ip, &["discovery"]).filter(|d| d.is_object()) else {
        return;
    };
    let modern = modern(app.options);
    let ports = array(discovery, &["ports"]).map(Vec::as_slice).unwrap_or_default();
    let pointer = app.field("/ipAddress/discovery");
    let docker = docker_engine(app.app) && get(app.app, &["container", "docker"]).is_some();

    if modern && docker_engine(app.app) {
        out.push(
            Diagnostic::at(ID, &pointer, format!("`ipAddress.discovery` on a Docker container: Marathon {} rejects the app with \"ipAddress/discovery is not allowed for Docker containers\" (1.4 allowed it except on BRIDGE and USER networks)", app.options.marathon_version))
                .target(Target::Key)
                .label("discovery on a Docker container")
                .help("delete `ipAddress.discovery` and declare the ports as `container.portMappings` (with `networks` instead of `ipAddress`)"),
        );
        return;
    }
    if !modern && !ports.is_empty() && docker && matches!(docker_network(app.app).as_deref(), Some("BRIDGE" | "USER")) {
        out.push(
            Diagnostic::at(ID, &pointer, "`ipAddress.discovery` on a Docker container with a BRIDGE or USER network: Marathon rejects the app with \"ipAddress/discovery is not allowed for Docker containers using BRIDGE or USER networks\"")
                .target(Target::Key)
                .label("discovery next to Docker networking")
                .related(app.field("/container/docker/network"), Target::Value, "Docker network")
                .help("delete `ipAddress.discovery`: the Docker port mappings already describe the ports"),
        );
        return;
    }
    // `container.portMappings` counts even empty (AppNormalization).
    if modern && !ports.is_empty() && app.app.at("/container/portMappings").is_some_and(Value::is_array) {
        out.push(
            Diagnostic::at(ID, app.field("/ipAddress/discovery/ports"), format!("`ipAddress.discovery.ports` and `container.portMappings` both describe the ports: Marathon {} refuses the app with \"container.portMappings and ipAddress.discovery.ports must not both be set\" (an HTTP 500 error, from its normalisation)", app.options.marathon_version))
                .target(Target::Key)
                .label("second description of the ports")
                .related(app.field("/container/portMappings"), Target::Key, "port mappings")
                .help("keep `container.portMappings` and delete `ipAddress.discovery`"),
        );
    }
    check_discovery_ports(app, ports, out);
}

fn check_discovery_ports(app: &AppContext<'_>, ports: &[Value], out: &mut Vec<Diagnostic>) {
    let modern = modern(app.options);
    let base = "/ipAddress/discovery/ports";
    for (i, port) in ports.iter().enumerate() {
        if !port.is_object() {
            continue;
        }
        if modern {
            if let Some(name) = string(port, &["name"]) {
                // Releases read these names with `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
                // or `^[a-z][a-z0-9-]*$`: only a leading `-` fails both.
                if support::legacy_port_name(name) && name.starts_with('-') {
                    out.push(
                        Diagnostic::at(ID, app.field(&format!("{base}/{i}/name")), format!("port name \"{name}\" starts with `-`: Marathon {} rejects it when it reads the app (a discovery port name starts with a letter or digit); 1.4 accepted it", app.options.marathon_version))
                            .label("invalid port name")
                            .help(format!("rename the port to \"{}\"", name.trim_matches('-'))),
                    );
                }
            }
            continue;
        }
        // 1.4 reads `number` and `protocol` as required, and a protocol is
        // one of `tcp` and `udp`, not a list.
        for key in ["number", "protocol"] {
            if get(port, &[key]).is_none() {
                out.push(
                    Diagnostic::at(ID, app.field(&format!("{base}/{i}")), format!("this discovery port has no `{key}`: Marathon 1.4 requires it and rejects the app as invalid JSON"))
                        .target(Target::Opening)
                        .label(format!("`{key}` missing"))
                        .help(if key == "number" { "add `\"number\": <the port inside the container>`" } else { "add `\"protocol\": \"tcp\"` (or `\"udp\"`)" }),
                );
            }
        }
        if let Some(protocol) = string(port, &["protocol"]).filter(|p| p.contains(',')) {
            out.push(
                Diagnostic::at(ID, app.field(&format!("{base}/{i}/protocol")), format!("a discovery port has a single protocol, not \"{protocol}\": Marathon 1.4 rejects it with \"Invalid protocol. Only 'udp' or 'tcp' are allowed.\""))
                    .label("one protocol only")
                    .help("declare one discovery port per protocol, each with its own name"),
            );
        }
    }

    // Names: 1.4 checks them when it reads the JSON; 1.5+ turns the ports
    // into port mappings, whose names must be unique.
    let names = ports.iter().map(|p| string(p, &["name"]).map(str::to_string));
    let said = if modern {
        "\"Port names must be unique.\""
    } else {
        "\"Port names are not unique.\""
    };
    for (i, first, name) in repeats(names) {
        out.push(
            Diagnostic::at(
                ID,
                app.field(&format!("{base}/{i}/name")),
                format!("port name \"{name}\" is used by two discovery ports: Marathon rejects the app with {said}"),
            )
            .label("repeated name")
            .related(
                app.field(&format!("{base}/{first}/name")),
                Target::Value,
                "first used here",
            )
            .help("give each discovery port its own name (e.g. `dns-tcp` and `dns-udp`)"),
        );
    }
    if !modern {
        let pairs = ports.iter().map(|p| {
            let number = get(p, &["number"]).and_then(Value::as_u64)?;
            let protocol = string(p, &["protocol"])?;
            Some((number, protocol.to_string()))
        });
        for (i, first, (number, protocol)) in repeats(pairs) {
            out.push(
                Diagnostic::at(ID, app.field(&format!("{base}/{i}")), format!("port {number}/{protocol} is advertised twice: Marathon 1.4 rejects the app with \"There may be only one port with a particular port number/protocol combination.\""))
                    .label("repeated port and protocol")
                    .related(app.field(&format!("{base}/{first}")), Target::Value, "first advertised here")
                    .help("advertise each port and protocol once"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon_target::MarathonVersion;
    use crate::rules::{findings, RuleOptions};
    use serde_json::json;

    fn found_with(app: Value, options: &RuleOptions) -> Vec<(String, String)> {
        findings(&InvalidNetworks, app, options)
    }

    fn found_for(app: Value, version: MarathonVersion) -> Vec<(String, String)> {
        let options = RuleOptions {
            marathon_version: version,
            ..RuleOptions::default()
        };
        found_with(app, &options)
    }

    fn found(app: Value) -> Vec<(String, String)> {
        found_for(app, MarathonVersion::NEWEST)
    }

    fn with_networks(networks: Value) -> Value {
        json!({"id": "/a", "cmd": "x", "networks": networks})
    }

    #[test]
    fn network_shapes() {
        assert!(found(with_networks(json!([{"mode": "host"}]))).is_empty());
        assert!(found(with_networks(json!([{"mode": "container/bridge"}]))).is_empty());
        assert!(found(with_networks(
            json!([{"name": "a"}, {"mode": "container", "name": "b"}])
        ))
        .is_empty());
        assert!(found(with_networks(json!([{"mode": "host", "labels": {}}]))).is_empty());

        let host = found(with_networks(
            json!([{"mode": "host", "name": "x", "labels": {"a": "b"}}]),
        ));
        assert_eq!(host.len(), 2);
        assert_eq!(host[1].0, "/networks/0/labels");
        let bridge = found(with_networks(json!([{"mode": "container/bridge", "name": "x"}])));
        assert!(bridge[0].1.contains("Bridge networks may not have names"));
        let mixed = found(with_networks(json!([{"mode": "host"}, {"name": "a"}])));
        assert_eq!(mixed.len(), 1);
        assert!(mixed[0].1.contains("1 host network and 1 container network"));
        let two_hosts = found(with_networks(json!([{"mode": "host"}, {"mode": "host"}])));
        assert_eq!(two_hosts.len(), 1);
    }

    #[test]
    fn duplicates() {
        let named = found(with_networks(json!([{"name": "a"}, {"name": "b"}, {"name": "a"}])));
        assert_eq!(named.len(), 1);
        assert_eq!(named[0].0, "/networks/2");
        let unnamed = found(with_networks(json!([{"mode": "container"}, {}])));
        assert_eq!(unnamed.len(), 1);
        assert!(unnamed[0].1.contains("no name"));
    }

    #[test]
    fn docker_engine_joins_one_container_network() {
        let mut app = with_networks(json!([{"name": "a"}, {"name": "b"}]));
        app["container"] = json!({"docker": {"image": "x:1"}});
        assert!(found(app.clone())[0].1.contains("Docker container engine"));
        app["container"]["type"] = json!("MESOS");
        assert!(found(app).is_empty());
    }

    #[test]
    fn legacy_fields_mixed_with_networks_and_none() {
        let app = json!({"id": "/a", "networks": [{"mode": "container/bridge"}], "ipAddress": {"networkName": "a"},
            "container": {"type": "DOCKER", "docker": {"image": "x", "network": "NONE"}}});
        let found_new = found(app.clone());
        let pointers: Vec<_> = found_new.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            pointers,
            ["/container/docker/network", "/container/docker/network", "/ipAddress"]
        );
        assert!(found_for(app, MarathonVersion::V1_4).is_empty());
    }

    #[test]
    fn legacy_ip_per_task_needs_a_name_from_1_5() {
        let app = json!({"id": "/test", "cmd": "true", "ipAddress": {}});
        assert!(found_for(app.clone(), MarathonVersion::V1_4).is_empty());
        assert_eq!(found(app.clone())[0].0, "/ipAddress");
        let options = RuleOptions {
            default_network_name: Some("dcos".into()),
            ..RuleOptions::default()
        };
        assert!(found_with(app, &options).is_empty());
        let user = json!({"id": "/a", "ipAddress": {}, "container": {"docker": {"image": "x", "network": "USER"}}});
        assert!(found(user).is_empty(), "user-network-incomplete reports this");
    }

    #[test]
    fn discovery_on_docker() {
        let app = json!({"id": "/app", "cmd": "cmd",
            "ipAddress": {"networkName": "foo", "discovery": {"ports": [{"number": 1, "name": "bob", "protocol": "tcp"}]}},
            "container": {"type": "DOCKER", "docker": {"image": "jdef/helpme", "portMappings": [{"containerPort": 0, "protocol": "tcp"}]}},
            "portDefinitions": []});
        let found_new = found(app.clone());
        assert_eq!(found_new.len(), 1);
        assert!(found_new[0].1.contains("not allowed for Docker containers"));
        // 1.4 only minds it on BRIDGE and USER networks.
        assert!(found_for(app.clone(), MarathonVersion::V1_4).is_empty());
        let mut bridge = app;
        bridge["container"]["docker"]["network"] = json!("BRIDGE");
        assert!(found_for(bridge, MarathonVersion::V1_4)[0].1.contains("BRIDGE or USER"));
    }

    #[test]
    fn discovery_ports() {
        let app = json!({"id": "/a", "cmd": "x", "ipAddress": {"networkName": "n", "discovery": {"ports": [
            {"number": 53, "name": "dns", "protocol": "udp,tcp"},
            {"number": 53, "name": "dns", "protocol": "udp"},
            {"name": "-x"}
        ]}}});
        let legacy = found_for(app.clone(), MarathonVersion::V1_4);
        let messages: Vec<_> = legacy.iter().map(|f| f.1.as_str()).collect();
        assert_eq!(legacy.len(), 4, "{messages:?}");
        assert!(messages[0].contains("Only 'udp' or 'tcp'"));
        assert!(messages[1].contains("no `number`") && messages[2].contains("no `protocol`"));
        assert!(messages[3].contains("Port names are not unique."));
        let modern = found(app);
        assert_eq!(modern.len(), 2, "{modern:?}");
        assert_eq!(modern[0].0, "/ipAddress/discovery/ports/2/name");
        assert!(modern[1].1.contains("Port names must be unique."));
    }

    #[test]
    fn discovery_ports_and_port_mappings() {
        let app = json!({"id": "/a", "ipAddress": {"networkName": "n", "discovery": {"ports": [{"number": 80, "name": "web", "protocol": "tcp"}]}},
            "container": {"type": "MESOS", "portMappings": [{"containerPort": 80}]}});
        assert!(found(app)[0].1.contains("must not both be set"));
    }
}
