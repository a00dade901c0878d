//! `pinned-port-rolling-upgrade`: an app that pins a host port must be able to
//! roll. During a rolling upgrade Marathon starts the new task before it kills
//! the old one (by default); the new task needs the very port the old task
//! holds, so unless each host runs at most one task and the old task is killed
//! first, the deployment waits for a port that never frees up.

use serde_json::Value;

use super::{AppContext, Rule};
use crate::diagnostic::{Diagnostic, Target};
use crate::model::FixedBy;

pub struct PinnedPortRollingUpgrade;

/// `["hostname", "UNIQUE"]`, or its equivalent `["hostname", "MAX_PER", "1"]`.
fn has_hostname_unique(app: &Value) -> bool {
    let Some(Value::Array(constraints)) = app.get("constraints") else {
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

    fn check(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(pinned) = app.networking.fixed_host_ports.first() else {
            return;
        };
        let mut missing = Vec::new();
        let missing_unique = !has_hostname_unique(app.app);
        if missing_unique {
            missing.push("a `[\"hostname\", \"UNIQUE\"]` constraint".to_string());
        }
        // Marathon's defaults are 1.0 and 1.0: start the new task first.
        let strategy = app.app.get("upgradeStrategy");
        let mut strategy_problems = Vec::new();
        for name in ["minimumHealthCapacity", "maximumOverCapacity"] {
            match strategy.and_then(|s| s.get(name)) {
                Some(value) if value.as_f64() == Some(0.0) => {}
                Some(value) => strategy_problems.push(format!("{name} is {value}")),
                None => strategy_problems.push(format!("{name} defaults to 1")),
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
