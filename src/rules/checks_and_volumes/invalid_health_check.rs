//! `invalid-health-check`: the health checks Marathon refuses. A COMMAND
//! check without a command, more than one Mesos-side check, and a check whose
//! `portIndex` (given, or the 0 Marathon fills in) addresses no port of the
//! app.

use serde_json::Value;

use super::ports::{ports, ports_pointer};
use crate::diagnostic::{pointer_join, Diagnostic, Target};
use crate::rules::{AppContext, Rule};

pub struct InvalidHealthCheck;

const ID: &str = "invalid-health-check";

/// Protocols whose checks probe a port (HTTP is the default).
const PORT_PROTOCOLS: &[&str] = &["HTTP", "HTTPS", "TCP", "MESOS_HTTP", "MESOS_HTTPS", "MESOS_TCP"];
const MESOS_PROTOCOLS: &[&str] = &["MESOS_HTTP", "MESOS_HTTPS", "MESOS_TCP"];

fn protocol(check: &Value) -> String {
    check
        .get("protocol")
        .and_then(Value::as_str)
        .unwrap_or("HTTP")
        .to_ascii_uppercase()
}

fn has(check: &Value, key: &str) -> bool {
    check.get(key).is_some_and(|v| !v.is_null())
}

impl Rule for InvalidHealthCheck {
    fn id(&self) -> &'static str {
        ID
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(Value::Array(checks)) = app.app.get("healthChecks") else {
            return;
        };
        let base = app.field("/healthChecks");
        command_checks(checks, &base, out);
        mesos_checks(checks, &base, out);
        port_indices(app, checks, &base, out);
    }
}

fn command_checks(checks: &[Value], base: &str, out: &mut Vec<Diagnostic>) {
    for (i, check) in checks.iter().enumerate() {
        if check.is_object() && protocol(check) == "COMMAND" && !has(check, "command") {
            out.push(
                Diagnostic::at(
                    ID,
                    pointer_join(base, i),
                    "this COMMAND health check has no `command`: Marathon rejects the app, since a COMMAND check \
                     must say what to run",
                )
                .target(Target::Opening)
                .label("COMMAND check without a command")
                .help("add `\"command\": {\"value\": \"<shell command>\"}` (exit code 0 means healthy), or use another protocol"),
            );
        }
    }
}

fn mesos_checks(checks: &[Value], base: &str, out: &mut Vec<Diagnostic>) {
    // Marathon keeps health checks in a set: identical checks are one check.
    let mut seen: Vec<&Value> = Vec::new();
    let mut first: Option<usize> = None;
    for (i, check) in checks.iter().enumerate() {
        // A check with a command is a command check whatever its protocol,
        // and command checks are not counted.
        if !check.is_object() || !MESOS_PROTOCOLS.contains(&protocol(check).as_str()) || has(check, "command") {
            continue;
        }
        if seen.contains(&check) {
            continue;
        }
        seen.push(check);
        match first {
            None => first = Some(i),
            Some(first) => out.push(
                Diagnostic::at(
                    ID,
                    pointer_join(base, i),
                    "this app has more than one Mesos health check (MESOS_HTTP, MESOS_HTTPS or MESOS_TCP): Marathon \
                     rejects it with \"AppDefinition can contain at most one Mesos health check\"",
                )
                .target(Target::Opening)
                .label("second Mesos health check")
                .related(pointer_join(base, first), Target::Opening, "first Mesos health check")
                .help("keep one Mesos health check; turn the others into COMMAND checks or drop them"),
            ),
        }
    }
}

fn port_indices(app: &AppContext<'_>, checks: &[Value], base: &str, out: &mut Vec<Diagnostic>) {
    let Some(ports) = ports(app) else {
        return;
    };
    let count = ports.len();
    let declared_at = ports_pointer(app);
    let where_ports = match super::ports::mode(app) {
        crate::model::NetworkMode::Host => "port definitions",
        _ => "port mappings",
    };
    for (i, check) in checks.iter().enumerate() {
        if !check.is_object() || !PORT_PROTOCOLS.contains(&protocol(check).as_str()) || has(check, "command") {
            continue;
        }
        let problem = match check.get("portIndex") {
            Some(Value::Number(n)) => match n.as_u64() {
                Some(index) if (index as usize) < count => None,
                Some(index) => Some((
                    pointer_join(&pointer_join(base, i), "portIndex"),
                    Target::Value,
                    format!(
                        "portIndex {index} addresses no port: this app has {count} {}{}",
                        if count == 1 {
                            where_ports.trim_end_matches('s')
                        } else {
                            where_ports
                        },
                        if count == 1 {
                            " (index 0)".to_string()
                        } else if count > 1 {
                            format!(" (indices 0 to {})", count - 1)
                        } else {
                            String::new()
                        }
                    ),
                )),
                None => None, // negative or fractional: the schema reports it
            },
            None | Some(Value::Null) if !has(check, "port") && count == 0 => Some((
                pointer_join(base, i),
                Target::Opening,
                format!("this health check names no port, and the app has no {where_ports} for it to use"),
            )),
            _ => None,
        };
        let Some((pointer, target, what)) = problem else {
            continue;
        };
        let mut diagnostic = Diagnostic::at(
            ID,
            pointer,
            format!(
                "{what}; Marathon rejects the app with \"Health check port indices must address an element of the \
                 ports array or container port mappings.\""
            ),
        )
        .target(target)
        .label("no such port")
        .help(if count == 0 {
            format!("declare the port the check probes in the app's {where_ports}, or give the check a fixed `port`")
        } else {
            format!("use a portIndex below {count}, or declare the port the check probes in the app's {where_ports}")
        });
        if let Some(declared_at) = &declared_at {
            diagnostic = diagnostic.related(declared_at.clone(), Target::Key, format!("the app's {where_ports}"));
        }
        out.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon_target::MarathonVersion;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;

    fn run(app: Value) -> Vec<Diagnostic> {
        run_rule(&InvalidHealthCheck, app, &RuleOptions::default())
    }

    fn run_on(app: Value, version: MarathonVersion) -> Vec<Diagnostic> {
        let options = RuleOptions {
            marathon_version: version,
            ..RuleOptions::default()
        };
        run_rule(&InvalidHealthCheck, app, &options)
    }

    #[test]
    fn command_checks_need_a_command() {
        let found = run(json!({"id": "/a", "cmd": "x", "healthChecks": [{"protocol": "COMMAND"}]}));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer.as_deref(), Some("/healthChecks/0"));
        assert!(run(json!({"id": "/a", "cmd": "x",
            "healthChecks": [{"protocol": "COMMAND", "command": {"value": "true"}}]}))
        .is_empty());
    }

    #[test]
    fn at_most_one_mesos_check_but_any_number_of_command_checks() {
        let app = json!({"id": "/a", "cmd": "x", "healthChecks": [
            {"protocol": "MESOS_HTTP", "path": "/"},
            {"protocol": "COMMAND", "command": {"value": "true"}},
            {"protocol": "COMMAND", "command": {"value": "false"}},
            {"protocol": "MESOS_TCP"}
        ]});
        let found = run(app);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer.as_deref(), Some("/healthChecks/3"));
        assert!(found[0].message.contains("at most one Mesos health check"));

        let one = json!({"id": "/a", "cmd": "x", "healthChecks": [{"protocol": "MESOS_HTTP"}, {"protocol": "HTTP"}]});
        assert!(run(one).is_empty());
        let same_twice =
            json!({"id": "/a", "cmd": "x", "healthChecks": [{"protocol": "MESOS_TCP"}, {"protocol": "MESOS_TCP"}]});
        assert!(run(same_twice).is_empty(), "a set merges identical checks");
    }

    #[test]
    fn port_index_must_address_a_port_definition_under_host_networking() {
        let app = json!({"id": "/a", "cmd": "x", "portDefinitions": [{"port": 0}],
            "healthChecks": [{"protocol": "HTTP", "portIndex": 1}]});
        let found = run(app);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer.as_deref(), Some("/healthChecks/0/portIndex"));

        // The default port definition exists when none is declared.
        let app =
            json!({"id": "/a", "cmd": "x", "healthChecks": [{"protocol": "HTTP", "portIndex": 0}, {"path": "/"}]});
        assert!(run(app).is_empty());

        // An explicit empty list means no ports: only a fixed port works.
        let app = json!({"id": "/a", "cmd": "x", "portDefinitions": [],
            "healthChecks": [{"protocol": "TCP"}, {"protocol": "TCP", "port": 8080}, {"protocol": "COMMAND", "command": {"value": "true"}}]});
        let found = run(app);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer.as_deref(), Some("/healthChecks/0"));
    }

    #[test]
    fn port_mappings_count_under_bridge_networking_and_are_dropped_under_host() {
        let bridge = json!({"id": "/a", "container": {"type": "DOCKER", "docker": {"image": "x:1", "network": "BRIDGE",
            "portMappings": [{"containerPort": 80}, {"containerPort": 81}]}},
            "healthChecks": [{"portIndex": 1}, {"portIndex": 2}]});
        let found = run_on(bridge.clone(), MarathonVersion::V1_4);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer.as_deref(), Some("/healthChecks/1/portIndex"));
        assert_eq!(run(bridge).len(), 1);

        // Under host networking the mappings are dropped; the default port remains.
        let host = json!({"id": "/a", "container": {"type": "DOCKER", "docker": {"image": "x:1", "network": "HOST",
            "portMappings": [{"containerPort": 80}, {"containerPort": 81}]}},
            "healthChecks": [{"portIndex": 1}]});
        assert_eq!(run(host).len(), 1);

        // An explicit empty list: 1.5+ has no port to address, 1.4 falls
        // back to port definitions it may have defaulted.
        let empty = json!({"id": "/a", "container": {"type": "DOCKER", "docker": {"image": "x:1", "network": "BRIDGE",
            "portMappings": []}}, "healthChecks": [{"portIndex": 0}]});
        assert_eq!(run(empty.clone()).len(), 1);
        assert!(run_on(empty, MarathonVersion::V1_4).is_empty());

        // Without declared mappings Marathon's defaults decide: no verdict.
        let undeclared = json!({"id": "/a", "networks": [{"mode": "container/bridge"}],
            "container": {"type": "DOCKER", "docker": {"image": "x:1"}}, "healthChecks": [{"portIndex": 3}]});
        assert!(run(undeclared).is_empty());
    }
}
