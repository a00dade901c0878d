//! `user-network-incomplete`: a task on a user-defined network needs that
//! network's name (unless Marathon runs with `--default_network_name`), and,
//! for Marathon 1.4, an explicit empty `ports` list.

use serde_json::Value;

use super::{AppContext, Rule};
use crate::diagnostic::{Diagnostic, Target};
use crate::fix::{Action, Fix, Safety};
use crate::marathon_target::MarathonVersion;

pub struct UserNetworkIncomplete;

impl Rule for UserNetworkIncomplete {
    fn id(&self) -> &'static str {
        "user-network-incomplete"
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let docker_network = app.app.at("/container/docker/network").and_then(Value::as_str);
        if docker_network.is_some_and(|n| n.eq_ignore_ascii_case("USER")) {
            check_legacy_user_network(self.id(), app, out);
        }
        // Marathon fills in its default network name for unnamed networks.
        if app.options.default_network_name.is_some() {
            return;
        }
        if let Some(Value::Array(networks)) = app.app.get("networks") {
            for (i, network) in networks.iter().enumerate() {
                // A network that is not an object is the schema's finding.
                if !network.is_object() {
                    continue;
                }
                let mode = network.get("mode").and_then(Value::as_str).unwrap_or("container");
                let named = network
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| !n.is_empty());
                if mode.eq_ignore_ascii_case("container") && !named {
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
    if network_name.is_none_or(str::is_empty) && app.options.default_network_name.is_none() {
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
    // supplies its default port and rejects "an IP address and ports" (on
    // PUT, the usual deploy path, where partialUpdate is the default).
    // 1.5+ drops port definitions for non-host networks, so it never cares.
    if app.options.marathon_version >= MarathonVersion::V1_5 {
        return;
    }
    let explicit_empty = |key: &str| app.app.get(key).and_then(Value::as_array).is_some_and(Vec::is_empty);
    if explicit_empty("ports") || explicit_empty("portDefinitions") {
        return;
    }
    let ports = app.app.get("ports").or_else(|| app.app.get("portDefinitions"));
    // Declared ports next to an IP address are refused by every method. An
    // absent list is Marathon's to fill: POST and a full replacement drop
    // the default port for an app with an IP address (Formats.scala
    // 1071-1080 at 1.4.13); a merge (PUT, PATCH) keeps the default or the
    // running app's ports, and AppDefinition's `require` refuses them
    // (AppDefinition.scala:96-98, AppUpdate.scala:132,146).
    // PATCH never creates, and a running app already on its own IP address
    // has no ports to keep; moving one there with PATCH is refused, which
    // `marathon-lint plan` shows against the running app.
    let method = app.options.method;
    if ports.is_none() && (!app.body || method.is_some_and(|m| m != crate::deploy_method::Method::Put)) {
        return;
    }
    let (pointer, target, what, why) = match ports {
        Some(_) => {
            let key = if app.app.get("ports").is_some() {
                "/ports"
            } else {
                "/portDefinitions"
            };
            (
                app.field(key),
                Target::Value,
                "declares host ports",
                "Marathon rejects it: \"You cannot specify both an IP address and ports\"".to_string(),
            )
        }
        None => (
            network,
            Target::Value,
            "has no explicit `\"ports\": []`",
            match method {
                Some(_) => "Marathon 1.4 merges a PUT into the running app, or, creating it, into a default app with one port; those host ports stay next to the task's own IP address, and the PUT is rejected (\"IP address ... and ports ... are not allowed at the same time\")".to_string(),
                None => "Marathon 1.4 rejects it when it is sent with PUT (a partial update, the default and what most deploy tools send): the body is merged into a default app with one port, or into the running app, and those host ports stay next to the task's own IP address (\"IP address ... and ports ... are not allowed at the same time\"); POST and PUT ?partialUpdate=false drop the default port and accept it (set `--method` to say how you deploy)".to_string(),
            },
        ),
    };
    let mut diagnostic = Diagnostic::at(id, pointer, format!("an app on a USER network {what}: {why}"))
        .target(target)
        .label("needs `\"ports\": []`")
        .help("add `\"ports\": []` at the app level; expose ports through `container.docker.portMappings` instead");
    // Only an absent list is filled in: removing declared ports is a
    // decision for the author.
    if ports.is_none() {
        diagnostic = diagnostic.fix(Fix::new(
            Safety::Safe,
            "add \"ports\": [], which is what Marathon needs for an app with its own IP address",
            vec![Action::SetMember {
                object: app.pointer.to_string(),
                key: "ports".into(),
                value: Value::Array(Vec::new()),
            }],
        ));
    }
    out.push(diagnostic);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{findings, RuleOptions};
    use serde_json::json;

    fn found(app: Value) -> Vec<(String, String)> {
        found_with(
            app,
            &RuleOptions {
                marathon_version: MarathonVersion::V1_4,
                ..RuleOptions::default()
            },
        )
    }

    fn found_with(app: Value, options: &RuleOptions) -> Vec<(String, String)> {
        findings(&UserNetworkIncomplete, app, options)
    }

    fn user_app() -> Value {
        json!({"id": "/a", "container": {"type": "DOCKER", "docker": {"image": "x:1", "network": "USER"}}})
    }

    #[test]
    fn names_each_missing_piece() {
        let both = found(user_app());
        assert_eq!(both.len(), 2);
        assert!(both[0].1.contains("ipAddress.networkName"));
        assert!(both[1].1.contains("\"ports\": []"));

        let mut app = user_app();
        app["ipAddress"] = json!({"networkName": "calico"});
        let ports_only = found(app.clone());
        assert_eq!(ports_only.len(), 1);
        assert!(ports_only[0].1.contains("\"ports\": []"));

        app["ports"] = json!([]);
        assert!(found(app.clone()).is_empty());
        app["ports"] = json!([8080]);
        assert_eq!(found(app.clone())[0].0, "/ports");
        app.as_object_mut().unwrap().remove("ports");
        app["portDefinitions"] = json!([]);
        assert!(
            found(app).is_empty(),
            "an empty portDefinitions is as explicit as ports"
        );
    }

    #[test]
    fn empty_ports_matter_only_to_marathon_1_4() {
        let mut app = user_app();
        app["ipAddress"] = json!({"networkName": "calico"});
        assert!(found_with(app, &RuleOptions::default()).is_empty());
    }

    #[test]
    fn a_default_network_name_names_unnamed_networks() {
        let options = RuleOptions {
            default_network_name: Some("dcos".into()),
            ..RuleOptions::default()
        };
        assert!(found_with(json!({"id": "/a", "networks": [{"mode": "container"}]}), &options).is_empty());
        let mut app = user_app();
        app["ports"] = json!([]);
        assert!(found_with(app, &options).is_empty());
    }

    #[test]
    fn an_ip_address_without_a_name_is_pointed_at() {
        let mut app = user_app();
        app["ipAddress"] = json!({"groups": ["web"]});
        app["ports"] = json!([]);
        assert_eq!(found(app)[0].0, "/ipAddress");
    }

    #[test]
    fn modern_container_networks_need_a_name() {
        let app = json!({"id": "/a", "networks": [{"mode": "container"}, {"mode": "container", "name": "dcos"}, {"mode": "host"}]});
        let unnamed = found(app);
        assert_eq!(unnamed.len(), 1);
        assert_eq!(unnamed[0].0, "/networks/0");
        assert_eq!(
            found(json!({"id": "/a", "networks": [{}]})).len(),
            1,
            "a network without a mode is a container network"
        );
        assert!(found(json!({"id": "/a", "networks": [{"mode": "container/bridge"}]})).is_empty());
    }
}
