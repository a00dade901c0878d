//! `invalid-labels`: labels Marathon reserves for itself. An app that sets
//! `DCOS_MIGRATION_API_VERSION` (used by DC/OS package upgrades) must say
//! `v1` and also name its framework and migration path.
//! (`MARATHON_SINGLE_INSTANCE_APP` is judged with the scheduling rules.)

use serde_json::Value;

use crate::diagnostic::{pointer_join, Diagnostic, Target};
use crate::rules::{AppContext, Rule};

pub struct InvalidLabels;

const VERSION: &str = "DCOS_MIGRATION_API_VERSION";
const FRAMEWORK_NAME: &str = "DCOS_PACKAGE_FRAMEWORK_NAME";
const API_PATH: &str = "DCOS_MIGRATION_API_PATH";

impl Rule for InvalidLabels {
    fn id(&self) -> &'static str {
        "invalid-labels"
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(Value::Object(labels)) = app.app.get("labels") else {
            return;
        };
        let label = |name: &str| labels.get(name).and_then(Value::as_str);
        // An empty version means the app does not take part: no checks.
        let Some(version) = label(VERSION).filter(|v| !v.is_empty()) else {
            return;
        };
        let mut problems = Vec::new();
        if version != "v1" {
            problems.push(format!("its value is `{version}`, not `v1`"));
        }
        for name in [FRAMEWORK_NAME, API_PATH] {
            if label(name).is_none_or(str::is_empty) {
                problems.push(format!(
                    "`{name}` is {}",
                    if labels.contains_key(name) { "empty" } else { "missing" }
                ));
            }
        }
        if problems.is_empty() {
            return;
        }
        let labels_pointer = app.field("/labels");
        out.push(
            Diagnostic::at(
                self.id(),
                pointer_join(&labels_pointer, VERSION),
                format!(
                    "label `{VERSION}` needs the value `v1` and non-empty `{FRAMEWORK_NAME}` and `{API_PATH}` \
                     labels, but {}: Marathon answers \"{FRAMEWORK_NAME} and {API_PATH} must be defined when using \
                     {VERSION}\"",
                    problems.join(" and ")
                ),
            )
            .target(Target::Key)
            .label("DC/OS migration label")
            .help(format!(
                "set `\"{VERSION}\": \"v1\"` with `{FRAMEWORK_NAME}` (the package's framework name) and `{API_PATH}` \
                 (the path of its migration endpoint), or remove `{VERSION}` if the app does not offer a migration API"
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;

    fn messages(labels: Value) -> Vec<String> {
        run_rule(
            &InvalidLabels,
            json!({"id": "/a", "cmd": "x", "labels": labels}),
            &RuleOptions::default(),
        )
        .into_iter()
        .map(|d| d.message)
        .collect()
    }

    #[test]
    fn complete_migration_labels_pass() {
        assert!(messages(json!({VERSION: "v1", FRAMEWORK_NAME: "kafka", API_PATH: "/v1/plan"})).is_empty());
        assert!(messages(json!({VERSION: "", "team": "x"})).is_empty());
        assert!(messages(json!({"HAPROXY_GROUP": "external"})).is_empty());
    }

    #[test]
    fn says_what_is_missing() {
        let found = messages(json!({VERSION: "v2", FRAMEWORK_NAME: "kafka"}));
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("`v2`, not `v1`") && found[0].contains("`DCOS_MIGRATION_API_PATH` is missing"));
        let found = messages(json!({VERSION: "v1", FRAMEWORK_NAME: "", API_PATH: "/p"}));
        assert!(found[0].contains("`DCOS_PACKAGE_FRAMEWORK_NAME` is empty"), "{found:?}");
    }
}
