//! `exported-status-fields`: an app saved from `GET /v2/apps/{id}` (or
//! `dcos marathon app show`) carries what Marathon reports about it, not
//! only what defines it. Marathon ignores those members when the app is sent
//! (its readers only look up the fields they declare), and the `version` of
//! an export makes a PUT fail. One finding per app, with a fix that removes
//! them all.

use serde_json::Value;

use crate::diagnostic::{pointer_join, Diagnostic, Target};
use crate::fix::{Action, Fix, Safety};
use crate::rules::{AppContext, Rule};

pub struct ExportedStatusFields;

/// Members `GET /v2/apps/{id}` adds to an app and POST and PUT ignore, in
/// every release from 1.4 to 1.10 (`Formats.scala` in 1.4, the RAML
/// `AppInfo` type from 1.9; `taskStats` became `tasksStats` in 1.9).
pub const STATUS_FIELDS: &[&str] = &[
    "deployments",
    "lastTaskFailure",
    "readinessCheckResults",
    "taskStats",
    "tasks",
    "tasksHealthy",
    "tasksRunning",
    "tasksStaged",
    "tasksStats",
    "tasksUnhealthy",
    "versionInfo",
];

impl Rule for ExportedStatusFields {
    fn id(&self) -> &'static str {
        "exported-status-fields"
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let Value::Object(members) = &**app.app else {
            return;
        };
        let found: Vec<&str> = members
            .keys()
            .map(String::as_str)
            .filter(|k| STATUS_FIELDS.contains(k))
            .collect();
        let Some(first) = found.first() else { return };
        let names: Vec<String> = found.iter().map(|k| format!("`{k}`")).collect();
        let listed = match names.len() {
            1 => names[0].clone(),
            n if n <= 4 => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
            n => format!("{} and {} more", names[..3].join(", "), n - 3),
        };
        let version = members.contains_key("version");
        let mut removed: Vec<&str> = found.clone();
        if version {
            removed.push("version");
        }
        // A 1.4 export lists its fetched URIs twice, in `fetch` and in
        // `uris`, and a PUT refuses the two together: the copy goes too.
        let fetched: Option<Vec<&Value>> = members
            .get("fetch")
            .and_then(Value::as_array)
            .map(|fetch| fetch.iter().filter_map(|f| f.get("uri")).collect());
        let copied: Option<Vec<&Value>> = members
            .get("uris")
            .and_then(Value::as_array)
            .map(|u| u.iter().collect());
        if fetched.is_some() && fetched == copied {
            removed.push("uris");
        }
        let mut d = Diagnostic::at(
            self.id(),
            pointer_join(app.pointer, first),
            format!(
                "this app was saved from Marathon's API (`GET /v2/apps/{{id}}`): {listed} {} what Marathon reports about the running app, and it ignores {} when the app is sent{}",
                if found.len() == 1 { "is" } else { "are" },
                if found.len() == 1 { "it" } else { "them" },
                if version {
                    "; its `version` makes a PUT fail (\"The 'version' field may only be combined with the 'id' field\")"
                } else {
                    ""
                }
            ),
        )
        .target(Target::Key)
        .label("reported by Marathon, not part of the definition")
        .help("keep the definition, not the snapshot: remove them (`--fix` does)")
        .fix(Fix::new(
            Safety::Safe,
            format!("remove {} member{} of the export", removed.len(), if removed.len() == 1 { "" } else { "s" }),
            vec![Action::RemoveMembers {
                object: app.pointer.to_string(),
                keys: removed.iter().map(|k| k.to_string()).collect(),
            }],
        ));
        for other in found.iter().skip(1).take(4) {
            d = d.related(
                pointer_join(app.pointer, other),
                Target::Key,
                "also reported by Marathon",
            );
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;

    #[test]
    fn one_finding_per_exported_app_and_a_fix_for_all_its_status() {
        let app = json!({"id": "/web", "cmd": "x", "tasksRunning": 2, "tasksStaged": 0, "deployments": [],
            "versionInfo": {"lastScalingAt": "2020-01-01T00:00:00Z"}, "version": "2020-01-01T00:00:00Z"});
        let found = run_rule(&ExportedStatusFields, app, &RuleOptions::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer.as_deref(), Some("/deployments"));
        assert!(
            found[0]
                .message
                .contains("`deployments`, `tasksRunning`, `tasksStaged` and `versionInfo` are"),
            "{}",
            found[0].message
        );
        assert!(found[0].message.contains("makes a PUT fail"));
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.safety, Safety::Safe);
        let Action::RemoveMembers { keys, .. } = &fix.actions[0] else {
            panic!("one removal of all the members")
        };
        assert_eq!(keys.len(), 5);
        assert!(run_rule(
            &ExportedStatusFields,
            json!({"id": "/web", "cmd": "x", "version": "2020"}),
            &RuleOptions::default()
        )
        .is_empty());
    }
}
