//! `legacy-networking`: Marathon 1.5+ still reads 1.4's networking fields
//! but converts them, never returns them, and rejects some combinations; one
//! warning per app names each legacy field and what replaces it.

use serde_json::Value;

use super::support::{docker_network, get, ip_address, modern, string};
use crate::diagnostic::{Diagnostic, Target};
use crate::rules::{AppContext, Rule};

pub struct LegacyNetworking;

const ID: &str = "legacy-networking";

impl Rule for LegacyNetworking {
    fn id(&self) -> &'static str {
        ID
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        if !modern(app.options) {
            return;
        }
        let fields = legacy_fields(app);
        let Some((first_pointer, _)) = fields.first() else {
            return;
        };
        let list = fields
            .iter()
            .map(|(_, conversion)| conversion.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        let mut diagnostic = Diagnostic::at(
            ID,
            app.field(first_pointer),
            format!(
                "Marathon {} still accepts these 1.4 networking fields but converts them and never returns them: {list}",
                app.options.marathon_version
            ),
        )
        .target(Target::Key)
        .label("1.4 networking field")
        .help("rewrite the app with the 1.5+ fields shown, so that what you deploy is what Marathon stores and shows");
        for (pointer, _) in fields.iter().skip(1) {
            diagnostic = diagnostic.related(app.field(pointer), Target::Key, "1.4 networking field");
        }
        out.push(diagnostic);
    }
}

/// Each legacy field present, with the sentence that says what it becomes.
fn legacy_fields(app: &AppContext<'_>) -> Vec<(&'static str, String)> {
    let value = app.app;
    let mut fields = Vec::new();
    let network = docker_network(value);
    let ip = ip_address(value);
    let ip_name = ip.and_then(|ip| string(ip, &["networkName"]));
    let container_entry = |name: Option<&str>| match name {
        Some(name) => format!("{{\"mode\": \"container\", \"name\": \"{name}\"}}"),
        None => "{\"mode\": \"container\", \"name\": \"<your network>\"}".to_string(),
    };

    if let Some(network) = network.as_deref() {
        let to = match network {
            "HOST" => "`\"networks\": [{\"mode\": \"host\"}]`".to_string(),
            "BRIDGE" => "`\"networks\": [{\"mode\": \"container/bridge\"}]`".to_string(),
            "USER" => format!("`\"networks\": [{}]`", container_entry(ip_name)),
            _ => "nothing: 1.5+ has no such network".to_string(),
        };
        let shown = string(value, &["container", "docker", "network"]).unwrap_or(network);
        fields.push((
            "/container/docker/network",
            format!("`\"container.docker.network\": \"{shown}\"` becomes {to}"),
        ));
    }
    if get(value, &["container", "docker", "portMappings"]).is_some() {
        fields.push((
            "/container/docker/portMappings",
            "`container.docker.portMappings` moves to `container.portMappings`".to_string(),
        ));
    }
    if let Some(ip) = ip {
        let becomes = match network.as_deref() {
            Some(_) => "is merged into that network entry (its labels are kept)".to_string(),
            None if ip_name == Some(app.options.mesos_bridge_name.as_str()) => {
                "becomes `\"networks\": [{\"mode\": \"container/bridge\"}]`".to_string()
            }
            None => format!("becomes `\"networks\": [{}]`", container_entry(ip_name)),
        };
        let discovery = if get(ip, &["discovery", "ports"]).is_some() {
            ", and its `discovery.ports` become `container.portMappings`"
        } else {
            ""
        };
        fields.push(("/ipAddress", format!("`ipAddress` {becomes}{discovery}")));
    }
    if let Some(ports) = get(value, &["ports"]) {
        let numbers: Option<Vec<u64>> = ports.as_array().and_then(|p| p.iter().map(Value::as_u64).collect());
        let example = match numbers {
            Some(numbers) if numbers.len() <= 3 => {
                let defs: Vec<String> = numbers.iter().map(|n| format!("{{\"port\": {n}}}")).collect();
                format!("`\"portDefinitions\": [{}]`", defs.join(", "))
            }
            _ => "`portDefinitions` (one `{\"port\": n}` per port)".to_string(),
        };
        fields.push(("/ports", format!("`ports` becomes {example}")));
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon_target::MarathonVersion;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;

    fn found_for(app: Value, version: MarathonVersion) -> Vec<crate::diagnostic::Diagnostic> {
        let options = RuleOptions {
            marathon_version: version,
            ..RuleOptions::default()
        };
        run_rule(&LegacyNetworking, app, &options)
    }

    #[test]
    fn one_warning_naming_each_field() {
        let app = json!({"id": "/a", "ports": [31000],
            "container": {"type": "DOCKER", "docker": {"image": "x", "network": "BRIDGE", "portMappings": [{"containerPort": 80}]}}});
        let found = found_for(app.clone(), MarathonVersion::NEWEST);
        assert_eq!(found.len(), 1);
        let d = &found[0];
        assert_eq!(d.pointer.as_deref(), Some("/container/docker/network"));
        assert!(d.message.contains("\"container/bridge\""), "{}", d.message);
        assert!(d.message.contains("container.portMappings"));
        assert!(d.message.contains("\"portDefinitions\": [{\"port\": 31000}"));
        assert_eq!(d.related.len(), 2);
        assert!(found_for(app, MarathonVersion::V1_4).is_empty());
    }

    #[test]
    fn ip_address_becomes_a_container_network() {
        let app = json!({"id": "/a", "cmd": "x", "ipAddress": {"networkName": "calico"}});
        let found = found_for(app, MarathonVersion::V1_5);
        assert!(found[0]
            .message
            .contains("{\"mode\": \"container\", \"name\": \"calico\"}"));
        let user = json!({"id": "/a", "ipAddress": {"networkName": "calico"}, "container": {"docker": {"image": "x", "network": "USER"}}});
        let found = found_for(user, MarathonVersion::V1_5);
        assert!(found[0].message.contains("merged into that network entry"));
    }

    #[test]
    fn modern_apps_are_silent() {
        let app = json!({"id": "/a", "networks": [{"mode": "container/bridge"}],
            "container": {"type": "DOCKER", "docker": {"image": "x"}, "portMappings": [{"containerPort": 80}]}});
        assert!(found_for(app, MarathonVersion::NEWEST).is_empty());
    }
}
