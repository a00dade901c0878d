//! `version-with-other-fields`: a body with `version` sent to
//! `/v2/apps/{id}` (PUT, PATCH) asks Marathon to roll the app back to that
//! version, and Marathon refuses any other field beside it but `id`. A
//! definition saved from `GET /v2/apps/{id}` carries its `version`, so sent
//! back with PUT it is refused. POST and `PUT ?partialUpdate=false` ignore
//! `version`.

use serde_json::Value;

use crate::deploy_method::{affected, Method};
use crate::diagnostic::{pointer_join, Diagnostic, Target};
use crate::fix::{Action, Fix, Safety};
use crate::rules::{AppContext, Rule};

pub struct VersionWithOtherFields;

/// Marathon's words (AppUpdate.scala:85-90 at 1.4.13, AppValidation.scala
/// validateAppUpdateVersion from 1.5).
const MARATHON_MESSAGE: &str = "The 'version' field may only be combined with the 'id' field.";

impl Rule for VersionWithOtherFields {
    fn id(&self) -> &'static str {
        "version-with-other-fields"
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        // Apps inside a group body are whole definitions: `version` is
        // ignored there, as by POST.
        if !app.body || app.options.method.is_some_and(|m| !m.merges()) {
            return;
        }
        let Value::Object(members) = &**app.app else {
            return;
        };
        let v1_5 = app.options.marathon_version >= crate::marathon_target::MarathonVersion::V1_5;
        let others = crate::deploy_method::beside_version(members, app.options.marathon_version);
        let Some(first) = others.first() else {
            return;
        };
        let when = match app.options.method {
            // From 1.5.13, a PUT that creates the app reads a whole app and
            // ignores `version`; an update is refused.
            Some(Method::Put) if v1_5 => format!(
                "Marathon refuses this {} body when the app exists",
                Method::Put.request()
            ),
            Some(method) => format!("Marathon refuses this {} body", method.request()),
            None => affected(&[Method::Put, Method::Patch]),
        };
        out.push(
            Diagnostic::at(
                self.id(),
                pointer_join(app.pointer, "version"),
                format!(
                    "`version` next to `{first}`{}: a body with `version` asks Marathon to roll the app back to that \
                     version, and nothing else may come with it (\"{MARATHON_MESSAGE}\"); {when}",
                    if others.len() > 1 {
                        format!(" and {} more field{}", others.len() - 1, if others.len() == 2 { "" } else { "s" })
                    } else {
                        String::new()
                    }
                ),
            )
            .target(Target::Key)
            .label("a rollback, with other fields")
            .help("remove `version` to update the app with this definition (`--fix --unsafe-fixes` does); to roll back, send only `{\"version\": \"...\"}`")
            .fix(Fix::new(
                Safety::Unsafe,
                "remove `version`: the body then updates the app instead of rolling it back",
                vec![Action::RemoveMembers {
                    object: app.pointer.to_string(),
                    keys: vec!["version".to_string()],
                }],
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;

    fn found(app: Value, method: Option<Method>) -> usize {
        let options = RuleOptions {
            method,
            ..RuleOptions::default()
        };
        run_rule(&VersionWithOtherFields, app, &options).len()
    }

    #[test]
    fn only_merging_methods_refuse_version_with_other_fields() {
        let export = json!({"id": "/web", "version": "2017-05-02T11:30:28.913Z", "cmd": "x", "tasksRunning": 1});
        for (method, expected) in [
            (None, 1),
            (Some(Method::Put), 1),
            (Some(Method::Patch), 1),
            (Some(Method::Post), 0),
            (Some(Method::PutReplace), 0),
        ] {
            assert_eq!(found(export.clone(), method), expected, "{method:?}");
        }
        // A rollback, and status fields Marathon does not read, are fine.
        let rollback = json!({"id": "/web", "version": "2017-05-02T11:30:28.913Z", "tasksRunning": 1});
        assert_eq!(found(rollback, Some(Method::Put)), 0);
        assert_eq!(
            found(json!({"version": "x", "versionInfo": {}}), Some(Method::Patch)),
            1
        );
    }
}
