//! `user-network-incomplete`: a task on a user-defined network needs that
//! network's name, and (1.4 form) an explicit empty `ports` list.

use serde_json::Value;

use super::{AppContext, Rule};
use crate::diagnostic::{Diagnostic, Target};

pub struct UserNetworkIncomplete;

impl Rule for UserNetworkIncomplete {
    fn id(&self) -> &'static str {
        "user-network-incomplete"
    }

    fn check(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let docker_network = app.app.pointer("/container/docker/network").and_then(Value::as_str);
        if docker_network == Some("USER") {
            check_legacy_user_network(self.id(), app, out);
        }
        if let Some(Value::Array(networks)) = app.app.get("networks") {
            for (i, network) in networks.iter().enumerate() {
                let mode = network.get("mode").and_then(Value::as_str).unwrap_or("container");
                let named = network
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| !n.is_empty());
                if mode == "container" && !named {
                    out.push(
                        Diagnostic::at(self.id(), app.field(&format!("/networks/{i}")), "this container network has no `name`: Marathon cannot tell which network to join, and rejects the app unless it runs with --default_network_name")
                            .label("container network without a name")
                            .help("name the network, e.g. `{\"mode\": \"container\", \"name\": \"dcos\"}`"),
                    );
                }
            }
        }
    }
}

fn check_legacy_user_network(id: &str, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
    let network = app.field("/container/docker/network");
    let ip_address = app.app.get("ipAddress").filter(|v| v.is_object());
    let network_name = ip_address.and_then(|ip| ip.get("networkName")).and_then(Value::as_str);
    if network_name.is_none_or(str::is_empty) {
        let (pointer, target, what) = match ip_address {
            Some(_) => (
                app.field("/ipAddress"),
                Target::Opening,
                "`ipAddress` has no `networkName`",
            ),
            None => (network.clone(), Target::Value, "there is no `ipAddress.networkName`"),
        };
        out.push(
            Diagnostic::at(id, pointer, format!("the Docker network is USER but {what}: Marathon does not know which user-defined network to attach the task to"))
                .target(target)
                .label("network name missing")
                .help("add `\"ipAddress\": {\"networkName\": \"<your network>\"}` at the app level (Marathon 1.5+ only accepts it without one when it runs with --default_network_name)"),
        );
    }
    // With IP-per-task the task has no host ports; Marathon 1.4 otherwise
    // supplies its default port and rejects "an IP address and ports"
    // (always on PUT, the usual deploy path, where partialUpdate is the default).
    let explicit_empty = |key: &str| app.app.get(key).and_then(Value::as_array).is_some_and(Vec::is_empty);
    if !explicit_empty("ports") && !explicit_empty("portDefinitions") {
        let ports = app.app.get("ports").or_else(|| app.app.get("portDefinitions"));
        let (pointer, target, what) = match ports {
            Some(_) => {
                let key = if app.app.get("ports").is_some() {
                    "/ports"
                } else {
                    "/portDefinitions"
                };
                (app.field(key), Target::Value, "declares host ports")
            }
            None => (network, Target::Value, "has no explicit `\"ports\": []`"),
        };
        out.push(
            Diagnostic::at(id, pointer, format!("an app on a USER network {what}: Marathon then adds or keeps host ports next to the task's own IP address and rejects the app with \"You cannot specify both an IP address and ports\""))
                .target(target)
                .label("needs `\"ports\": []`")
                .help("add `\"ports\": []` at the app level; expose ports through `container.docker.portMappings` instead"),
        );
    }
}
