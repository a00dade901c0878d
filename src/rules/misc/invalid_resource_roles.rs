//! `invalid-resource-roles`: names in `acceptedResourceRoles` that Mesos
//! cannot have as a role. Marathon checks each name: not `.` or `..`, not
//! starting with `-`, and none of tab, line feed, vertical tab, form feed,
//! carriage return, space, `/` or DEL. (An empty array or an empty name is
//! the schema's to report.)

use serde_json::Value;

use crate::diagnostic::{pointer_join, Diagnostic};
use crate::rules::{AppContext, Rule};

pub struct InvalidResourceRoles;

/// Marathon's words for each character a role name must not include.
const FORBIDDEN: &[(char, &str)] = &[
    ('\u{09}', "horizontal tab (\\x09)"),
    ('\u{0a}', "line feed (\\x0a)"),
    ('\u{0b}', "vertical tab (\\x0b)"),
    ('\u{0c}', "form feed (\\x0c)"),
    ('\u{0d}', "carriage return (\\x0d)"),
    (' ', "space (\\x20)"),
    ('/', "slash (\\x2f)"),
    // Marathon's own message calls DEL a backspace.
    ('\u{7f}', "backspace (\\x7f)"),
];

/// Marathon's messages for one role name, in its order.
pub(super) fn problems(role: &str) -> Vec<String> {
    let mut out = Vec::new();
    if role == "." || role == ".." {
        out.push(format!("A role name must not be \"{role}\"."));
    }
    if role.starts_with('-') {
        out.push("A role name must not start with a '-'.".to_string());
    }
    for (c, name) in FORBIDDEN {
        if role.contains(*c) {
            out.push(format!("A role name must not include a {name} character."));
        }
    }
    out
}

impl Rule for InvalidResourceRoles {
    fn id(&self) -> &'static str {
        "invalid-resource-roles"
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(Value::Array(roles)) = app.app.get("acceptedResourceRoles") else {
            return;
        };
        let base = app.field("/acceptedResourceRoles");
        for (i, role) in roles.iter().enumerate() {
            let Some(role) = role.as_str() else { continue };
            let found = problems(role);
            if found.is_empty() {
                continue;
            }
            let quoted = found.iter().map(|m| format!("\"{m}\"")).collect::<Vec<_>>().join(", ");
            let trimmed = role.trim_matches(|c: char| c == '-' || c.is_whitespace() || c == '/');
            let hint = if !trimmed.is_empty() && trimmed != role && problems(trimmed).is_empty() {
                format!("; did you mean `{trimmed}`?")
            } else {
                String::new()
            };
            out.push(
                Diagnostic::at(
                    self.id(),
                    pointer_join(&base, i),
                    format!(
                        "`{}` is not a valid Mesos role name: Marathon answers {quoted}",
                        role.escape_debug()
                    ),
                )
                .label("invalid role name")
                .help(format!(
                    "use the exact name of a role your agents reserve resources for (e.g. `slave_public`), or `*` \
                     for unreserved resources{hint}"
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;

    fn messages(roles: Value) -> Vec<String> {
        let app = json!({"id": "/a", "cmd": "x", "acceptedResourceRoles": roles});
        run_rule(&InvalidResourceRoles, app, &RuleOptions::default())
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn usual_roles_pass() {
        assert!(messages(json!(["*", "slave_public", "ops.team-1", "a..b"])).is_empty());
    }

    #[test]
    fn marathons_messages() {
        let found = messages(json!(["..", "-web", "slave public", "a/b", "x\u{7f}", "", "*"]));
        assert_eq!(found.len(), 5, "{found:?}");
        assert!(found[0].contains("A role name must not be \"..\"."));
        assert!(found[1].contains("must not start with a '-'"));
        assert!(found[2].contains("space (\\x20)"));
        assert!(found[3].contains("slash (\\x2f)"));
        assert!(found[4].contains("backspace (\\x7f)"));
    }

    #[test]
    fn suggests_the_trimmed_name() {
        let app = json!({"id": "/a", "cmd": "x", "acceptedResourceRoles": [" slave_public"]});
        let found = run_rule(&InvalidResourceRoles, app, &RuleOptions::default());
        assert!(found[0]
            .help
            .as_deref()
            .unwrap()
            .contains("did you mean `slave_public`?"));
    }
}
