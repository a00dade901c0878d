//! `ports-without-health-check`: an app that declares ports but has no
//! health check. Without one, Marathon considers a task healthy as soon as it
//! is running, so a rolling upgrade kills working tasks as soon as their
//! replacements have started, before those serve anything, and marathon-lb
//! sends traffic to them.

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Target};
use crate::model::NetworkMode;
use crate::rules::{AppContext, Rule};

pub struct PortsWithoutHealthCheck;

const ID: &str = "ports-without-health-check";

impl Rule for PortsWithoutHealthCheck {
    fn id(&self) -> &'static str {
        ID
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        if app
            .app
            .get("healthChecks")
            .and_then(Value::as_array)
            .is_some_and(|checks| !checks.is_empty())
        {
            return;
        }
        // Only ports the definition declares itself: Marathon's default
        // single port under host networking is often unused.
        let (pointer, count) = match app.networking.mode {
            NetworkMode::Host => {
                let declared = ["portDefinitions", "ports"].into_iter().find_map(|key| {
                    app.app
                        .get(key)
                        .and_then(Value::as_array)
                        .filter(|ports| !ports.is_empty())
                        .map(|ports| (app.field(&format!("/{key}")), ports.len()))
                });
                let Some(declared) = declared else { return };
                declared
            }
            NetworkMode::Bridge | NetworkMode::Container => {
                let Some((first, _)) = app.networking.port_mappings.first() else {
                    return;
                };
                let array = first.rsplit_once('/').map_or(first.as_str(), |(array, _)| array);
                (array.to_string(), app.networking.port_mappings.len())
            }
            NetworkMode::None => return,
        };
        let ports = if count == 1 {
            "a port".to_string()
        } else {
            format!("{count} ports")
        };
        out.push(
            Diagnostic::at(
                ID,
                pointer,
                format!(
                    "this app exposes {ports} but has no health check: Marathon counts a task as healthy as soon as it runs, so a rolling upgrade replaces working tasks with ones that may not serve yet, and marathon-lb routes traffic to them"
                ),
            )
            .target(Target::Key)
            .label("ports without a health check")
            .help("add a health check on the port, e.g. `\"healthChecks\": [{\"protocol\": \"MESOS_HTTP\", \"path\": \"/health\", \"portIndex\": 0}]` (or `MESOS_TCP` when the port does not speak HTTP)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;

    fn pointers(app: Value) -> Vec<String> {
        run_rule(&PortsWithoutHealthCheck, app, &RuleOptions::default())
            .into_iter()
            .map(|d| d.pointer.unwrap())
            .collect()
    }

    #[test]
    fn declared_ports_need_a_health_check() {
        let app = json!({"id": "/a", "cmd": "x", "portDefinitions": [{"port": 0}]});
        assert_eq!(pointers(app.clone()), ["/portDefinitions"]);
        let mut checked = app;
        checked["healthChecks"] = json!([{"protocol": "MESOS_TCP", "portIndex": 0}]);
        assert!(pointers(checked).is_empty());
        assert_eq!(pointers(json!({"id": "/a", "cmd": "x", "ports": [0, 0]})), ["/ports"]);
    }

    #[test]
    fn no_declared_ports_no_finding() {
        assert!(pointers(json!({"id": "/a", "cmd": "x"})).is_empty());
        assert!(pointers(json!({"id": "/a", "cmd": "x", "portDefinitions": []})).is_empty());
        assert!(pointers(json!({"id": "/a", "cmd": "x", "healthChecks": [], "ports": []})).is_empty());
    }

    #[test]
    fn port_mappings_count_only_where_marathon_keeps_them() {
        let bridge = json!({"id": "/a", "container": {"type": "DOCKER", "docker": {"image": "x:1", "network": "BRIDGE",
            "portMappings": [{"containerPort": 80}]}}});
        assert_eq!(pointers(bridge), ["/container/docker/portMappings"]);
        let host = json!({"id": "/a", "container": {"type": "DOCKER", "docker": {"image": "x:1", "network": "HOST",
            "portMappings": [{"containerPort": 80}]}}});
        assert!(pointers(host).is_empty());
    }
}
