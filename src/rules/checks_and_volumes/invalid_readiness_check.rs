//! `invalid-readiness-check`: the readiness checks Marathon refuses. More
//! than one, a `portName` (default `http-api`) that names no port of the app,
//! and a timeout that is not below the interval.

use serde_json::Value;

use super::ports::{ports, ports_pointer};
use crate::diagnostic::{pointer_join, Diagnostic, Target};
use crate::model::NetworkMode;
use crate::rules::{AppContext, Rule};

pub struct InvalidReadinessCheck;

const ID: &str = "invalid-readiness-check";

const DEFAULT_PORT_NAME: &str = "http-api";
const DEFAULT_INTERVAL: u64 = 30;
const DEFAULT_TIMEOUT: u64 = 10;

impl Rule for InvalidReadinessCheck {
    fn id(&self) -> &'static str {
        ID
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(Value::Array(checks)) = app.app.get("readinessChecks") else {
            return;
        };
        let base = app.field("/readinessChecks");
        for (i, _) in checks.iter().enumerate().skip(1) {
            out.push(
                Diagnostic::at(
                    ID,
                    pointer_join(&base, i),
                    format!(
                        "this app has {} readiness checks: Marathon allows at most one and rejects the app \
                         (\"got {}, expected 1 or less\")",
                        checks.len(),
                        checks.len()
                    ),
                )
                .target(Target::Opening)
                .label("extra readiness check")
                .related(pointer_join(&base, 0), Target::Opening, "first readiness check")
                .help("keep a single readiness check"),
            );
        }
        let ports = ports(app);
        for (i, check) in checks.iter().enumerate() {
            if !check.is_object() {
                continue;
            }
            let at = pointer_join(&base, i);
            if let Some(ports) = &ports {
                port_name(app, check, &at, ports, out);
            }
            timeout(check, &at, out);
        }
    }
}

fn port_name(
    app: &AppContext<'_>,
    check: &Value,
    at: &str,
    ports: &[super::ports::Port<'_>],
    out: &mut Vec<Diagnostic>,
) {
    let given = check.get("portName");
    let name = match given {
        None | Some(Value::Null) => DEFAULT_PORT_NAME,
        Some(Value::String(name)) => name.as_str(),
        Some(_) => return, // the schema reports the type
    };
    if ports.iter().any(|p| p.name == Some(name)) {
        return;
    }
    let names: Vec<String> = ports.iter().filter_map(|p| p.name).map(|n| format!("`{n}`")).collect();
    let where_ports = if app.networking.mode == NetworkMode::Host {
        "port definitions"
    } else {
        "port mappings"
    };
    let known = if names.is_empty() {
        format!("the app has no named {where_ports}")
    } else {
        format!("the app's {where_ports} are named {}", names.join(", "))
    };
    let (pointer, target, what) = if given.is_some_and(|v| !v.is_null()) {
        (
            pointer_join(at, "portName"),
            Target::Value,
            format!("portName `{name}` names no port of this app"),
        )
    } else {
        (
            at.to_string(),
            Target::Opening,
            format!("this readiness check has no portName, so it uses the default `{DEFAULT_PORT_NAME}`, which names no port of this app"),
        )
    };
    let implicit_default = app.networking.mode == NetworkMode::Host
        && app.app.get("portDefinitions").is_none()
        && app.app.get("ports").is_none();
    let mut diagnostic = Diagnostic::at(
        ID,
        pointer,
        format!(
            "{what} ({known}{}): Marathon rejects the app with \"No port definition reference for portName {name}\"",
            if implicit_default {
                ", the default one Marathon adds"
            } else {
                ""
            }
        ),
    )
    .target(target)
    .label("no port with this name")
    .help(format!(
        "give the port the check queries a `name` in the app's {where_ports} and set `portName` to it"
    ));
    if let Some(declared_at) = ports_pointer(app) {
        diagnostic = diagnostic.related(declared_at, Target::Key, format!("the app's {where_ports}"));
    }
    out.push(diagnostic);
}

fn timeout(check: &Value, at: &str, out: &mut Vec<Diagnostic>) {
    let read = |key: &str, default: u64| match check.get(key) {
        None | Some(Value::Null) => Some(default),
        Some(v) => v.as_u64(),
    };
    let (Some(timeout), Some(interval)) = (
        read("timeoutSeconds", DEFAULT_TIMEOUT),
        read("intervalSeconds", DEFAULT_INTERVAL),
    ) else {
        return;
    };
    if timeout < interval {
        return;
    }
    let timeout_given = check.get("timeoutSeconds").is_some_and(|v| !v.is_null());
    let interval_given = check.get("intervalSeconds").is_some_and(|v| !v.is_null());
    let (pointer, label) = if timeout_given {
        (pointer_join(at, "timeoutSeconds"), "not below the interval")
    } else {
        (pointer_join(at, "intervalSeconds"), "not above the timeout")
    };
    let describe = |value: u64, given: bool| {
        if given {
            value.to_string()
        } else {
            format!("{value} (the default)")
        }
    };
    let mut diagnostic = Diagnostic::at(
        ID,
        pointer,
        format!(
            "timeoutSeconds {} is not below intervalSeconds {}: Marathon rejects a readiness check whose timeout is \
             not shorter than its interval",
            describe(timeout, timeout_given),
            describe(interval, interval_given),
        ),
    )
    .label(label)
    .help("make timeoutSeconds smaller than intervalSeconds");
    if timeout_given && interval_given {
        diagnostic = diagnostic.related(pointer_join(at, "intervalSeconds"), Target::Value, "interval");
    }
    out.push(diagnostic);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;

    fn run(app: Value) -> Vec<Diagnostic> {
        run_rule(&InvalidReadinessCheck, app, &RuleOptions::default())
    }

    #[test]
    fn a_bare_readiness_check_names_no_port() {
        let found = run(json!({"id": "/a", "cmd": "x", "readinessChecks": [{}]}));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer.as_deref(), Some("/readinessChecks/0"));
        assert!(found[0]
            .message
            .contains("No port definition reference for portName http-api"));
    }

    #[test]
    fn port_name_may_name_a_definition_or_a_mapping() {
        let host = json!({"id": "/a", "cmd": "x", "portDefinitions": [{"port": 0, "name": "http-api"}], "readinessChecks": [{}]});
        assert!(run(host).is_empty());
        let default = json!({"id": "/a", "cmd": "x", "readinessChecks": [{"portName": "default"}]});
        assert!(run(default).is_empty());
        let bridge = json!({"id": "/a", "container": {"type": "DOCKER", "docker": {"image": "x:1", "network": "BRIDGE",
            "portMappings": [{"containerPort": 80, "name": "web"}]}}, "readinessChecks": [{"portName": "http"}]});
        let found = run(bridge);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer.as_deref(), Some("/readinessChecks/0/portName"));
        assert!(found[0].message.contains("`web`"));
    }

    #[test]
    fn at_most_one_and_timeout_below_interval() {
        let app = json!({"id": "/a", "cmd": "x", "portDefinitions": [{"port": 0, "name": "http-api"}],
            "readinessChecks": [{"timeoutSeconds": 30}, {"intervalSeconds": 5, "timeoutSeconds": 4}]});
        let found = run(app);
        let pointers: Vec<_> = found.iter().map(|d| d.pointer.clone().unwrap()).collect();
        assert_eq!(
            pointers,
            vec!["/readinessChecks/1", "/readinessChecks/0/timeoutSeconds"]
        );
        let app = json!({"id": "/a", "cmd": "x", "portDefinitions": [{"port": 0, "name": "http-api"}],
            "readinessChecks": [{"intervalSeconds": 10}]});
        assert_eq!(
            run(app)[0].pointer.as_deref(),
            Some("/readinessChecks/0/intervalSeconds")
        );
    }
}
