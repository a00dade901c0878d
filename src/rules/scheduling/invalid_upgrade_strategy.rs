//! `invalid-upgrade-strategy`: an upgrade strategy Marathon refuses for the
//! kind of app it belongs to. Resident apps (local persistent volumes) must
//! never run more tasks than `instances`, because each task owns a
//! reservation; apps labelled `MARATHON_SINGLE_INSTANCE_APP` must never run
//! two tasks at once. The 0..1 range of both fields is the schema's job.

use serde_json::Value;

use super::java_double;
use crate::diagnostic::{pointer_join, Diagnostic, Target};
use crate::marathon_target::MarathonVersion;
use crate::model::is_resident;
use crate::rules::{AppContext, Rule};

pub struct InvalidUpgradeStrategy;

const ID: &str = "invalid-upgrade-strategy";
const SINGLE_INSTANCE_LABEL: &str = "MARATHON_SINGLE_INSTANCE_APP";
const FIELDS: [&str; 2] = ["minimumHealthCapacity", "maximumOverCapacity"];

impl Rule for InvalidUpgradeStrategy {
    fn id(&self) -> &'static str {
        ID
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        // From 1.6, `residency` alone makes an app resident (SchedulingValidation).
        let resident = is_resident(app.app)
            || (app.options.marathon_version >= MarathonVersion::V1_6
                && app.app.get("residency").is_some_and(|r| !r.is_null()));
        let single = app
            .app
            .get("labels")
            .and_then(|l| l.get(SINGLE_INSTANCE_LABEL))
            .and_then(Value::as_str)
            == Some("true");
        let strategy = app.app.get("upgradeStrategy").filter(|s| s.is_object());
        let label_pointer = || pointer_join(&app.field("/labels"), SINGLE_INSTANCE_LABEL);
        let mut reported_over_capacity = false;

        // From 1.5 the RAML type declares both fields without a default, and
        // its generated reader requires each (RamlTypeGenerator: a field is
        // optional only with a default); 1.4 filled in 1.0 for the missing one.
        if let (Some(Value::Object(given)), true) = (strategy, app.options.marathon_version >= MarathonVersion::V1_5) {
            let missing: Vec<&str> = FIELDS.iter().copied().filter(|f| !given.contains_key(*f)).collect();
            if let Some(&field) = missing.first() {
                let object = serde_json::to_string(given).unwrap_or_default();
                out.push(
                    Diagnostic::at(
                        ID,
                        app.field("/upgradeStrategy"),
                        format!(
                            "the upgrade strategy gives {} of its two fields: Marathon {} requires both and answers \"Invalid JSON\" ('{field}' is undefined on object: {object})",
                            if missing.len() == 2 { "neither" } else { "one" },
                            app.options.marathon_version
                        ),
                    )
                    .target(Target::Key)
                    .label(format!("no `{field}`"))
                    .help(format!(
                        "add `\"{field}\": {}` (Marathon 1.4's default), or the value you mean",
                        if field == "maximumOverCapacity" && resident { "0" } else { "1" }
                    )),
                );
            }
        }

        if single {
            if let Some(instances) = app.app.get("instances").and_then(Value::as_u64).filter(|&n| n > 1) {
                out.push(
                    Diagnostic::at(
                        ID,
                        app.field("/instances"),
                        format!(
                            "this app is labelled {SINGLE_INSTANCE_LABEL}, but asks for {instances} instances: Marathon answers \"Single instance app may only have one instance\""
                        ),
                    )
                    .label("more than 1")
                    .help("set `instances` to 0 or 1, or drop the label if the app may run several tasks")
                    .related(label_pointer(), Target::Key, "single-instance label"),
                );
            }
            match strategy {
                None => {
                    // The defaults: (1, 1), or (0.5, 0) for resident apps.
                    let default_min = if resident { 0.5 } else { 1.0 };
                    let found = java_double(default_min);
                    out.push(
                        Diagnostic::at(
                            ID,
                            label_pointer(),
                            format!(
                                "a single-instance app needs an explicit `upgradeStrategy` with minimumHealthCapacity 0 and maximumOverCapacity 0; without one Marathon uses minimumHealthCapacity {found} and answers \"got {found}, expected 0.0\""
                            ),
                        )
                        .target(Target::Key)
                        .label("single-instance app without an upgrade strategy")
                        .help("add `\"upgradeStrategy\": {\"minimumHealthCapacity\": 0, \"maximumOverCapacity\": 0}`"),
                    );
                    reported_over_capacity = true;
                }
                Some(strategy) => {
                    for name in FIELDS {
                        match strategy.get(name).filter(|v| !v.is_null()) {
                            Some(value) => {
                                let Some(number) = value.as_f64() else { continue };
                                if number == 0.0 {
                                    continue;
                                }
                                out.push(
                                    Diagnostic::at(
                                        ID,
                                        app.field(&format!("/upgradeStrategy/{name}")),
                                        format!(
                                            "a single-instance app must stop its old task before starting the new one, so {name} must be 0: Marathon answers \"got {}, expected 0.0\"",
                                            java_double(number)
                                        ),
                                    )
                                    .label("must be 0")
                                    .help(format!("set `{name}` to 0"))
                                    .related(label_pointer(), Target::Key, "single-instance label"),
                                );
                            }
                            // From 1.5 the missing field is refused when read (above).
                            None if app.options.marathon_version >= MarathonVersion::V1_5 => {}
                            None => out.push(
                                Diagnostic::at(
                                    ID,
                                    app.field("/upgradeStrategy"),
                                    format!(
                                        "a single-instance app needs {name} 0, and this `upgradeStrategy` leaves it out: Marathon fills in its default of 1 and answers \"got 1.0, expected 0.0\""
                                    ),
                                )
                                .target(Target::Opening)
                                .label(format!("no {name}"))
                                .help(format!("add `\"{name}\": 0`"))
                                .related(label_pointer(), Target::Key, "single-instance label"),
                            ),
                        }
                        if name == "maximumOverCapacity" {
                            reported_over_capacity = true;
                        }
                    }
                }
            }
        }

        if resident && !reported_over_capacity {
            let Some(strategy) = strategy else {
                // Resident apps default to (0.5, 0), which is valid.
                return;
            };
            match strategy.get("maximumOverCapacity").filter(|v| !v.is_null()) {
                Some(value) => {
                    let Some(number) = value.as_f64().filter(|&n| n != 0.0) else {
                        return;
                    };
                    out.push(
                        Diagnostic::at(
                            ID,
                            app.field("/upgradeStrategy/maximumOverCapacity"),
                            format!(
                                "an app with persistent volumes cannot run extra tasks during an upgrade (each task owns its reserved volume), so maximumOverCapacity must be 0: Marathon answers \"got {}, expected 0.0\"",
                                java_double(number)
                            ),
                        )
                        .label("must be 0")
                        .help("set `maximumOverCapacity` to 0; `minimumHealthCapacity` may stay anywhere in 0..1"),
                    );
                }
                // 1.4 fills a missing field from the non-resident default (1.0).
                None if app.options.marathon_version < MarathonVersion::V1_5 => out.push(
                    Diagnostic::at(
                        ID,
                        app.field("/upgradeStrategy"),
                        "an app with persistent volumes needs maximumOverCapacity 0, and this `upgradeStrategy` leaves it out: Marathon 1.4 fills in 1.0 and answers \"got 1.0, expected 0.0\"",
                    )
                    .target(Target::Opening)
                    .label("no maximumOverCapacity")
                    .help("add `\"maximumOverCapacity\": 0`"),
                ),
                None => {}
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
        run_rule(&InvalidUpgradeStrategy, app, &options)
    }

    fn resident(strategy: Value) -> Value {
        let mut app = json!({"id": "/db", "cmd": "x", "container": {"type": "MESOS",
            "volumes": [{"containerPath": "data", "mode": "RW", "persistent": {"size": 100}}]}});
        if !strategy.is_null() {
            app["upgradeStrategy"] = strategy;
        }
        app
    }

    #[test]
    fn resident_apps_need_zero_over_capacity() {
        assert!(lint(resident(Value::Null), 10).is_empty());
        assert!(lint(
            resident(json!({"minimumHealthCapacity": 0.5, "maximumOverCapacity": 0})),
            10
        )
        .is_empty());
        let d = lint(
            resident(json!({"minimumHealthCapacity": 1, "maximumOverCapacity": 1})),
            10,
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("got 1.0, expected 0.0"));
        assert_eq!(d[0].pointer.as_deref(), Some("/upgradeStrategy/maximumOverCapacity"));
        // A missing field: 1.4 defaults it to 1.0; from 1.5 it is refused when read.
        assert_eq!(lint(resident(json!({"minimumHealthCapacity": 0.5})), 4).len(), 1);
        let half = lint(resident(json!({"minimumHealthCapacity": 0.5})), 5);
        assert_eq!(half.len(), 1);
        assert!(
            half[0].message.contains("'maximumOverCapacity' is undefined on object"),
            "{}",
            half[0].message
        );
    }

    #[test]
    fn ordinary_apps_may_over_provision() {
        let app =
            json!({"id": "/a", "cmd": "x", "upgradeStrategy": {"minimumHealthCapacity": 1, "maximumOverCapacity": 1}});
        assert!(lint(app, 10).is_empty());
    }

    #[test]
    fn single_instance_apps_need_explicit_zero_zero() {
        let base = json!({"id": "/a", "cmd": "x", "labels": {"MARATHON_SINGLE_INSTANCE_APP": "true"}});
        let d = lint(base.clone(), 10);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("got 1.0, expected 0.0"));
        assert_eq!(d[0].pointer.as_deref(), Some("/labels/MARATHON_SINGLE_INSTANCE_APP"));

        let mut app = base.clone();
        app["upgradeStrategy"] = json!({"minimumHealthCapacity": 0, "maximumOverCapacity": 0});
        assert!(lint(app.clone(), 4).is_empty());
        app["instances"] = json!(2);
        assert!(lint(app.clone(), 10)[0]
            .message
            .contains("Single instance app may only have one instance"));

        let mut app = base.clone();
        app["upgradeStrategy"] = json!({"minimumHealthCapacity": 0.5});
        let d = lint(app.clone(), 4);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0].message.contains("got 0.5") && d[1].message.contains("leaves it out"));
        let d = lint(app, 10);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0].message.contains("requires both") && d[1].message.contains("got 0.5"));

        let mut app = base;
        app["labels"]["MARATHON_SINGLE_INSTANCE_APP"] = json!("false");
        assert!(lint(app, 10).is_empty());
    }

    #[test]
    fn resident_single_instance_apps_are_reported_once() {
        let mut app = resident(json!({"minimumHealthCapacity": 0, "maximumOverCapacity": 1}));
        app["labels"] = json!({"MARATHON_SINGLE_INSTANCE_APP": "true"});
        assert_eq!(lint(app, 10).len(), 1);
        let mut app = resident(Value::Null);
        app["labels"] = json!({"MARATHON_SINGLE_INSTANCE_APP": "true"});
        assert!(lint(app, 10)[0].message.contains("got 0.5, expected 0.0"));
    }
}
