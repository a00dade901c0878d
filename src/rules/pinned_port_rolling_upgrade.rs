//! `pinned-port-rolling-upgrade`: an app that pins a host port must be able to
//! roll. During a rolling upgrade Marathon starts the new task before it kills
//! the old one (by default); the new task needs the very port the old task
//! holds, so unless each host runs at most one task and the old task is killed
//! first, the deployment waits for a port that never frees up.

use serde_json::Value;

use super::{AppContext, Rule};
use crate::app_members::Members;
use crate::diagnostic::{Diagnostic, Target};
use crate::fix::{Action, Fix, Safety};
use crate::model::{is_resident, FixedBy};

pub struct PinnedPortRollingUpgrade;

/// `["hostname", "UNIQUE"]`, or its equivalent `["hostname", "MAX_PER", "1"]`.
fn has_hostname_unique<'v>(app: impl Members<'v>) -> bool {
    let Some(Value::Array(constraints)) = app.member("constraints") else {
        return false;
    };
    constraints.iter().any(|c| {
        let parts: Vec<&str> = c.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        matches!(parts.as_slice(), ["hostname", "UNIQUE"] | ["hostname", "MAX_PER", "1"])
    })
}

impl Rule for PinnedPortRollingUpgrade {
    fn id(&self) -> &'static str {
        "pinned-port-rolling-upgrade"
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(pinned) = app.networking.fixed_host_ports.first() else {
            return;
        };
        let mut missing = Vec::new();
        let missing_unique = !has_hostname_unique(app.app);
        if missing_unique {
            missing.push("a `[\"hostname\", \"UNIQUE\"]` constraint".to_string());
        }
        let strategy = app.app.get("upgradeStrategy");
        let mut strategy_problems = Vec::new();
        if is_resident(app.app) {
            // Resident apps (persistent volumes) default to (0.5, 0), and for
            // them Marathon kills old tasks before it starts new ones; only
            // over-capacity would start a task next to its predecessor.
            if let Some(value) = strategy
                .and_then(|s| s.get("maximumOverCapacity"))
                .filter(|v| v.as_f64() != Some(0.0))
            {
                strategy_problems.push(format!("maximumOverCapacity is {value}"));
            }
        } else {
            // Defaults (1.0, 1.0): start the new task, then kill the old one.
            for name in ["minimumHealthCapacity", "maximumOverCapacity"] {
                match strategy.and_then(|s| s.get(name)) {
                    Some(value) if value.as_f64() == Some(0.0) => {}
                    Some(value) => strategy_problems.push(format!("{name} is {value}")),
                    None => strategy_problems.push(format!("{name} defaults to 1")),
                }
            }
        }
        if !strategy_problems.is_empty() {
            missing.push(format!(
                "an `upgradeStrategy` with minimumHealthCapacity 0 and maximumOverCapacity 0 ({})",
                strategy_problems.join(", ")
            ));
        }
        if missing.is_empty() {
            return;
        }
        let mut diagnostic = Diagnostic::at(
            self.id(),
            &pinned.pointer,
            format!(
                "this app pins host port {} but lacks {}: a rolling upgrade starts the new task while the old one \
                 still holds the port, and the deployment hangs",
                pinned.port,
                missing.join(" and ")
            ),
        )
        .label("pinned host port")
        .help(fix_help(missing_unique, !strategy_problems.is_empty(), pinned.fixed_by));
        let mut actions = Vec::new();
        if missing_unique {
            actions.push(Action::AppendTo {
                object: app.pointer.to_string(),
                key: "constraints".into(),
                value: serde_json::json!(["hostname", "UNIQUE"]),
            });
        }
        if !strategy_problems.is_empty() {
            let resident = is_resident(app.app);
            match strategy.filter(|s| s.is_object()) {
                // Keep the object; set each capacity that is wrong.
                Some(existing) => {
                    let wrong = |name: &str| existing.get(name).and_then(Value::as_f64) != Some(0.0);
                    for name in ["minimumHealthCapacity", "maximumOverCapacity"] {
                        if wrong(name) && !(resident && name == "minimumHealthCapacity") {
                            actions.push(Action::SetMember {
                                object: app.field("/upgradeStrategy"),
                                key: name.into(),
                                value: serde_json::json!(0),
                            });
                        }
                    }
                }
                None => actions.push(Action::SetMember {
                    object: app.pointer.to_string(),
                    key: "upgradeStrategy".into(),
                    value: serde_json::json!({"minimumHealthCapacity": 0, "maximumOverCapacity": 0}),
                }),
            }
        }
        diagnostic = diagnostic.fix(Fix::new(
            Safety::Safe,
            "add the hostname UNIQUE constraint and a kill-first upgrade strategy, so the deployment can finish",
            actions,
        ));
        if strategy.is_some() && !strategy_problems.is_empty() {
            diagnostic = diagnostic.related(
                app.field("/upgradeStrategy"),
                Target::Key,
                "upgrade strategy that starts new tasks first",
            );
        }
        out.push(diagnostic);
    }
}

/// Name only the pieces that are missing, and the way to stop pinning that
/// fits how the port is pinned.
fn fix_help(missing_unique: bool, strategy_wrong: bool, fixed_by: FixedBy) -> String {
    let mut steps = Vec::new();
    if missing_unique {
        steps.push("add `\"constraints\": [[\"hostname\", \"UNIQUE\"]]` (one task per host, so tasks never compete for the port)");
    }
    if strategy_wrong {
        steps.push("set `\"upgradeStrategy\": {\"minimumHealthCapacity\": 0, \"maximumOverCapacity\": 0}` (kill the old task, then start the new one)");
    }
    let unpin = match fixed_by {
        FixedBy::PortMapping => "set `hostPort` to 0 and let Marathon pick the host port",
        FixedBy::RequirePorts => "set `requirePorts` to false and read the assigned port from $PORT0",
    };
    format!("{}; or stop pinning: {unpin}", steps.join(" and "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;

    fn messages(app: Value) -> Vec<String> {
        run_rule(&PinnedPortRollingUpgrade, app, &RuleOptions::default())
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    fn bridge(host_port: u64) -> Value {
        json!({"id": "/a", "container": {"type": "DOCKER", "docker": {"image": "x:1", "network": "BRIDGE",
            "portMappings": [{"containerPort": 80, "hostPort": host_port}]}}})
    }

    #[test]
    fn random_host_ports_are_not_pinned() {
        assert!(messages(bridge(0)).is_empty());
    }

    #[test]
    fn says_which_piece_is_missing() {
        let both = messages(bridge(31080));
        assert_eq!(both.len(), 1);
        assert!(
            both[0].contains("UNIQUE") && both[0].contains("minimumHealthCapacity defaults to 1"),
            "{both:?}"
        );

        let mut app = bridge(31080);
        app["constraints"] = json!([["hostname", "UNIQUE"]]);
        let strategy_only = messages(app.clone());
        assert!(!strategy_only[0].contains("UNIQUE") && strategy_only[0].contains("maximumOverCapacity defaults to 1"));

        app["upgradeStrategy"] = json!({"minimumHealthCapacity": 0, "maximumOverCapacity": 0.0});
        assert!(messages(app.clone()).is_empty());

        app["constraints"] = json!([["hostname", "MAX_PER", "1"]]);
        assert!(messages(app.clone()).is_empty(), "MAX_PER 1 on hostname is UNIQUE");
        app["constraints"] = json!([["rack", "UNIQUE"]]);
        assert!(messages(app)[0].contains("UNIQUE"));
    }

    #[test]
    fn resident_apps_kill_first_by_default() {
        let mut app = bridge(31080);
        app["constraints"] = json!([["hostname", "UNIQUE"]]);
        app["container"]["volumes"] = json!([{"containerPath": "data", "mode": "RW", "persistent": {"size": 100}}]);
        assert!(messages(app.clone()).is_empty());
        app["upgradeStrategy"] = json!({"minimumHealthCapacity": 0.5, "maximumOverCapacity": 0.5});
        assert!(messages(app)[0].contains("maximumOverCapacity is 0.5"));
    }

    #[test]
    fn require_ports_pins_host_networking_ports() {
        let app = json!({"id": "/a", "cmd": "x", "requirePorts": true, "portDefinitions": [{"port": 31500}]});
        assert_eq!(messages(app).len(), 1);
        let app = json!({"id": "/a", "cmd": "x", "requirePorts": false, "portDefinitions": [{"port": 31500}]});
        assert!(messages(app).is_empty());
    }
}
