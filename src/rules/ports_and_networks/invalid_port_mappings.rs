//! `invalid-port-mappings`: what Marathon checks in `container.portMappings`
//! and `container.docker.portMappings` beyond types and ranges. Mappings
//! that Marathon drops before validating (host networking) are never judged,
//! except by the checks Marathon runs before it drops them.

use serde_json::Value;

use super::support::{self, array, modern, modern_networks, non_empty_array, port_mappings_kept, repeats, Mode};
use crate::diagnostic::{Diagnostic, Target};
use crate::rules::{AppContext, Rule};

pub struct InvalidPortMappings;

const ID: &str = "invalid-port-mappings";
const CONTAINER: &str = "/container/portMappings";
const DOCKER: &str = "/container/docker/portMappings";

impl Rule for InvalidPortMappings {
    fn id(&self) -> &'static str {
        ID
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let docker = array(app.app, &["container", "docker", "portMappings"]);
        if !modern(app.options) {
            // 1.4 reads only the Docker mappings, and only keeps them on a
            // BRIDGE or USER Docker network.
            if let Some(docker) = docker.filter(|_| port_mappings_kept(app)) {
                check_unique_names(app, DOCKER, docker, out);
            }
            return;
        }

        let container = array(app.app, &["container", "portMappings"]);
        // Read time (RAML): the name pattern, whatever the networking.
        for (base, mappings) in [(CONTAINER, container), (DOCKER, docker)] {
            if let Some(mappings) = mappings {
                check_modern_names(app, base, mappings, out);
            }
        }
        // validateOldAppAPI runs before anything is dropped.
        if let Some(docker) = docker {
            check_unique_names(app, DOCKER, docker, out);
        }
        // So does the migration of the Docker mappings, which refuses a
        // Docker container's mappings next to any `container.portMappings`,
        // even an empty one (AppNormalization; a Mesos container's are
        // refused by validation instead).
        let docker_type = app
            .app
            .at("/container/type")
            .and_then(Value::as_str)
            .is_none_or(|t| t.eq_ignore_ascii_case("DOCKER"));
        if let (true, Some(_), Some(_)) = (
            docker_type,
            container,
            non_empty_array(app.app, &["container", "docker", "portMappings"]),
        ) {
            out.push(
                Diagnostic::at(
                    ID,
                    app.field(DOCKER),
                    format!(
                        "the app has port mappings in `container.docker.portMappings` and a `container.portMappings` as well: Marathon {} refuses it with \"cannot specify both portMappings and docker.portMappings\" (an HTTP 500 error, from its normalisation)",
                        app.options.marathon_version
                    ),
                )
                .target(Target::Key)
                .label("second list of port mappings")
                .related(app.field(CONTAINER), Target::Key, "port mappings here too")
                .help("keep one list: move every mapping to `container.portMappings` (the 1.5+ place) and delete `container.docker.portMappings`"),
            );
            return;
        }
        if !port_mappings_kept(app) {
            return;
        }
        let Some(networks) = modern_networks(app) else {
            return;
        };
        // The mappings Marathon validates: `container.portMappings`, or the
        // Docker ones moved there.
        let (base, mappings) = match (container, docker) {
            (Some(container), _) => (CONTAINER, container),
            (None, Some(docker)) => (DOCKER, docker),
            (None, None) => return,
        };
        if base == CONTAINER {
            check_unique_names(app, base, mappings, out);
        }
        check_network_names(app, base, mappings, &networks, out);
    }
}

fn check_unique_names(app: &AppContext<'_>, base: &str, mappings: &[Value], out: &mut Vec<Diagnostic>) {
    let names = mappings
        .iter()
        .map(|m| support::string(m, &["name"]).map(str::to_string));
    for (i, first, name) in repeats(names) {
        out.push(
            Diagnostic::at(
                ID,
                app.field(&format!("{base}/{i}/name")),
                format!("port name \"{name}\" is used by two port mappings: Marathon rejects the app with \"Port names must be unique.\""),
            )
            .label("repeated name")
            .related(app.field(&format!("{base}/{first}/name")), Target::Value, "first used here")
            .help("give each port mapping its own name"),
        );
    }
}

fn check_modern_names(app: &AppContext<'_>, base: &str, mappings: &[Value], out: &mut Vec<Diagnostic>) {
    for (i, mapping) in mappings.iter().enumerate() {
        let Some(name) = support::string(mapping, &["name"]) else {
            continue;
        };
        if support::legacy_port_name(name) && !support::modern_port_name(name) {
            out.push(
                Diagnostic::at(
                    ID,
                    app.field(&format!("{base}/{i}/name")),
                    format!(
                        "port name \"{name}\" starts or ends with `-`: Marathon {} rejects it when it reads the app (it must match `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`); 1.4 accepted it",
                        app.options.marathon_version
                    ),
                )
                .label("invalid port name")
                .help(format!("rename the port to \"{}\"", name.trim_matches('-'))),
            );
        }
    }
}

fn check_network_names(
    app: &AppContext<'_>,
    base: &str,
    mappings: &[Value],
    networks: &[support::Net],
    out: &mut Vec<Diagnostic>,
) {
    let mut known: Vec<&str> = networks.iter().filter_map(|n| n.name.as_deref()).collect();
    let unnamed_container = networks.iter().any(|n| n.mode == Mode::Container && n.name.is_none());
    // An unnamed container network takes --default_network_name; accept that
    // name rather than guess the order in which Marathon fills it in.
    if let Some(default) = app
        .options
        .default_network_name
        .as_deref()
        .filter(|_| unnamed_container)
    {
        known.push(default);
    }
    let container_networks = networks.iter().filter(|n| n.mode == Mode::Container).count();
    for (i, mapping) in mappings.iter().enumerate() {
        let names = array(mapping, &["networkNames"]);
        for (j, name) in names.into_iter().flatten().enumerate() {
            let Some(name) = name.as_str() else { continue };
            if known.contains(&name) {
                continue;
            }
            let listed = if known.is_empty() {
                "the app has no named container network".to_string()
            } else {
                format!(
                    "the app's networks are {}",
                    known.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
                )
            };
            out.push(
                Diagnostic::at(
                    ID,
                    app.field(&format!("{base}/{i}/networkNames/{j}")),
                    format!(
                        "port mapping {i} names the network \"{name}\", but {listed}: Marathon rejects it with \"is not one of ({})\"",
                        known.join(",")
                    ),
                )
                .label("not one of the app's networks")
                .help("name one of the networks in the app's `networks` list, or drop `networkNames` to map the port on all of them"),
            );
        }
        let host_port = support::get(mapping, &["hostPort"]).is_some();
        let single = names.is_some_and(|n| n.len() == 1);
        if container_networks > 1 && host_port && !single {
            out.push(
                Diagnostic::at(ID, app.field(&format!("{base}/{i}/hostPort")), "this port mapping has a `hostPort` and the app joins several container networks, so Marathon must know which network the host port forwards to: it rejects the app with \"networkNames must be a single item list when hostPort is specified and more than 1 container network is defined\"")
                    .target(Target::Key)
                    .label("host port on several networks")
                    .help("add `\"networkNames\": [\"<one of the app's networks>\"]` to this mapping, or remove `hostPort` if the port need not be reachable on the agent"),
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
        findings(&InvalidPortMappings, app, options)
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

    fn docker(network: &str, mappings: Value) -> Value {
        json!({"id": "/a", "container": {"type": "DOCKER", "docker": {"image": "x:1", "network": network, "portMappings": mappings}}})
    }

    #[test]
    fn repeated_names_in_bridge_mode() {
        let app = docker(
            "BRIDGE",
            json!([{"containerPort": 80, "name": "web"}, {"containerPort": 81, "name": "web"}]),
        );
        for version in [MarathonVersion::V1_4, MarathonVersion::NEWEST] {
            let found = found_for(app.clone(), version);
            assert_eq!(found.len(), 1, "{version}");
            assert_eq!(found[0].0, "/container/docker/portMappings/1/name");
        }
    }

    #[test]
    fn host_networking_drops_mappings() {
        let app = docker(
            "HOST",
            json!([{"containerPort": 80, "name": "web"}, {"containerPort": 81, "name": "web"}]),
        );
        assert!(found_for(app.clone(), MarathonVersion::V1_4).is_empty());
        // 1.5+ checks the names of Docker mappings before it drops them.
        assert_eq!(found(app).len(), 1);
        let modern = json!({"id": "/a", "cmd": "x", "container": {"type": "MESOS", "portMappings": [{"name": "a", "networkNames": ["nope"]}, {"name": "a"}]}});
        assert!(found(modern).is_empty(), "no networks: host networking");
    }

    #[test]
    fn both_lists_of_mappings() {
        let mut app = docker("BRIDGE", json!([{"containerPort": 80}]));
        app["container"]["portMappings"] = json!([{"containerPort": 81}]);
        let found_both = found(app.clone());
        assert_eq!(found_both.len(), 1);
        assert!(found_both[0]
            .1
            .contains("cannot specify both portMappings and docker.portMappings"));
        assert!(found_for(app.clone(), MarathonVersion::V1_4).is_empty());
        // Marathon's normalisation counts an empty `container.portMappings`
        // too (AppNormalization.scala:53 at v1.5.15).
        app["container"]["portMappings"] = json!([]);
        assert_eq!(found(app.clone()).len(), 1);
        // Only for a Docker container: a Mesos one is refused by validation.
        app["container"]["type"] = json!("MESOS");
        assert!(found(app)
            .iter()
            .all(|(_, m)| !m.contains("cannot specify both portMappings")));
    }

    #[test]
    fn network_names_must_be_the_apps() {
        let app = json!({"id": "/a", "networks": [{"name": "blue"}, {"name": "red"}],
        "container": {"type": "MESOS", "docker": {"image": "x"}, "portMappings": [
            {"containerPort": 80, "networkNames": ["green"]},
            {"containerPort": 81, "hostPort": 0},
            {"containerPort": 82, "hostPort": 0, "networkNames": ["red"]}
        ]}});
        let found = found(app);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "/container/portMappings/0/networkNames/0");
        assert!(found[0].1.contains("is not one of (blue,red)"));
        assert_eq!(found[1].0, "/container/portMappings/1/hostPort");
    }

    #[test]
    fn default_network_name_is_accepted_for_an_unnamed_network() {
        let app = json!({"id": "/a", "networks": [{"mode": "container"}],
            "container": {"type": "MESOS", "docker": {"image": "x"}, "portMappings": [{"containerPort": 80, "networkNames": ["dcos"]}]}});
        assert_eq!(found(app.clone()).len(), 1);
        let options = RuleOptions {
            default_network_name: Some("dcos".into()),
            ..RuleOptions::default()
        };
        assert!(found_with(app, &options).is_empty());
    }

    #[test]
    fn modern_names_are_read_strictly() {
        let app = docker("HOST", json!([{"containerPort": 80, "name": "-web"}]));
        assert_eq!(found(app.clone()).len(), 1);
        assert!(found_for(app, MarathonVersion::V1_4).is_empty());
    }
}
