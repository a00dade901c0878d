//! `invalid-residency`: residency settings Marathon refuses. `residency`
//! only makes sense with local persistent volumes (Marathon adds it itself
//! when an app has them), and a resident app must keep its tasks on their
//! reservations: no replacement of unreachable tasks elsewhere, and only
//! unreserved (`*`) offers to reserve from.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Target};
use crate::marathon_target::MarathonVersion;
use crate::model::is_resident;
use crate::rules::{AppContext, Rule};

pub struct InvalidResidency;

const ID: &str = "invalid-residency";

impl Rule for InvalidResidency {
    fn id(&self) -> &'static str {
        ID
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let version = app.options.marathon_version;
        let residency = app.app.get("residency").is_some_and(|r| !r.is_null());
        // Up to 1.6.0, `residency` needs persistent volumes; from 1.6.322
        // (#5844) Marathon accepts it alone, and still treats the app as
        // resident (roles, unreachable strategy, upgrade strategy).
        let resident = is_resident(app.app) || (residency && version >= MarathonVersion::V1_6);
        if !resident {
            if residency {
                let quoted = if version < MarathonVersion::V1_5 {
                    "AppDefinition must contain persistent volumes and define residency"
                } else {
                    "App must contain persistent volumes and define residency"
                };
                out.push(
                    Diagnostic::at(
                        ID,
                        app.field("/residency"),
                        format!(
                            "`residency` is only for apps with local persistent volumes, and this app has none: Marathon {version} answers \"{quoted}\""
                        ),
                    )
                    .target(Target::Key)
                    .label("no persistent volume")
                    .help("remove `residency`, or add the persistent volume it is meant for: `{\"containerPath\": \"data\", \"mode\": \"RW\", \"persistent\": {\"size\": 1024}}` in `container.volumes`"),
                );
            }
            return;
        }

        if app.app.get("unreachableStrategy").is_some_and(Value::is_object) {
            out.push(
                Diagnostic::at(
                    ID,
                    app.field("/unreachableStrategy"),
                    "an app with persistent volumes cannot replace unreachable tasks elsewhere (their data stays on the agent): Marathon answers \"unreachableStrategy must be disabled for resident tasks\"",
                )
                .label("enabled for a resident app")
                .help("set `\"unreachableStrategy\": \"disabled\"`, or leave it out: that is the default for apps with persistent volumes"),
            );
        }

        // Every release from 1.4 to 1.10 makes this check (ResourceRole.scala);
        // 1.9 first keeps only `*` and the app's role (and makes an empty
        // list `*`), a deprecated sanitising that 1.10 turns off.
        {
            if let Some(Value::Array(roles)) = app.app.get("acceptedResourceRoles") {
                let Some(mut roles) = roles.iter().map(Value::as_str).collect::<Option<BTreeSet<&str>>>() else {
                    return;
                };
                if version == MarathonVersion::V1_9 {
                    let own = match app.app.get("role").and_then(Value::as_str) {
                        Some(role) => role,
                        None => app.options.mesos_role.as_deref().unwrap_or("*"),
                    };
                    roles.retain(|r| *r == "*" || *r == own);
                    if roles.is_empty() {
                        roles.insert("*");
                    }
                }
                if !roles.is_empty() && roles != BTreeSet::from(["*"]) {
                    out.push(
                        Diagnostic::at(
                            ID,
                            app.field("/acceptedResourceRoles"),
                            format!(
                                "a resident app reserves unreserved resources, so it may only accept the role `*`: Marathon {version} answers \"A resident app must have `acceptedResourceRoles = [\"*\"]`.\""
                            ),
                        )
                        .label("roles other than *")
                        .help("set `\"acceptedResourceRoles\": [\"*\"]` or leave it out"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;

    fn lint(app: Value, minor: u8) -> Vec<Diagnostic> {
        let options = RuleOptions {
            marathon_version: MarathonVersion::new(minor).unwrap(),
            ..RuleOptions::default()
        };
        run_rule(&InvalidResidency, app, &options)
    }

    fn resident() -> Value {
        json!({"id": "/db", "cmd": "x", "container": {"type": "MESOS",
            "volumes": [{"containerPath": "data", "mode": "RW", "persistent": {"size": 100}}]}})
    }

    #[test]
    fn residency_needs_persistent_volumes() {
        let app = json!({"id": "/a", "cmd": "x", "residency": {"taskLostBehavior": "WAIT_FOREVER"}});
        assert!(lint(app.clone(), 4)[0].message.contains("AppDefinition must contain"));
        assert!(lint(app.clone(), 5)[0]
            .message
            .contains("App must contain persistent volumes"));
        // Gone from 1.6.322 on: the app is then resident without volumes.
        assert!(lint(app.clone(), 6).is_empty());
        assert!(lint(app, 10).is_empty());
        let mut app = resident();
        app["residency"] = json!({});
        assert!(lint(app, 10).is_empty());
        // A misspelled `persistent` makes the volume a host volume.
        let app = json!({"id": "/a", "cmd": "x", "residency": {},
            "container": {"volumes": [{"containerPath": "d", "mode": "RW", "persistnt": {"size": 1}}]}});
        assert_eq!(lint(app.clone(), 5).len(), 1);
        // From 1.6, `residency` alone still makes the app resident.
        let mut roles = app;
        roles["acceptedResourceRoles"] = json!(["slave_public"]);
        assert!(lint(roles, 10)[0].message.contains("A resident app must have"));
    }

    #[test]
    fn resident_apps_keep_unreachable_disabled() {
        assert!(lint(resident(), 10).is_empty());
        let mut app = resident();
        app["unreachableStrategy"] = json!("disabled");
        assert!(lint(app.clone(), 10).is_empty());
        app["unreachableStrategy"] = json!({"inactiveAfterSeconds": 0});
        let d = lint(app, 10);
        assert!(d[0]
            .message
            .contains("unreachableStrategy must be disabled for resident tasks"));
        let ordinary = json!({"id": "/a", "cmd": "x", "unreachableStrategy": {"inactiveAfterSeconds": 0}});
        assert!(lint(ordinary, 10).is_empty());
    }

    #[test]
    fn resident_apps_accept_only_unreserved_offers() {
        let mut app = resident();
        app["acceptedResourceRoles"] = json!(["*"]);
        assert!(lint(app.clone(), 5).is_empty());
        app["acceptedResourceRoles"] = json!(["slave_public"]);
        assert!(lint(app.clone(), 5)[0].message.contains("A resident app must have"));
        app["acceptedResourceRoles"] = json!(["*", "slave_public"]);
        assert_eq!(lint(app.clone(), 8).len(), 1);
        // 1.9 sanitises the list first (keeps `*` and the app's role)...
        assert!(lint(app.clone(), 9).is_empty());
        let mut own = app.clone();
        own["role"] = json!("slave_public");
        assert_eq!(lint(own, 9).len(), 1);
        // ...1.10 does not, and still makes the check (ResourceRole.scala).
        assert_eq!(lint(app, 10).len(), 1);
    }
}
