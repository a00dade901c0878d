//! `duplicate-id`: an app and a group of the same group with the same id.
//! Marathon keeps a group's apps and its groups in two maps keyed by id and
//! refuses a tree where a key is in both. Two apps (or two groups) with the
//! same id are not refused: Marathon keeps one of them and drops the other
//! without a word, so that is not reported here as an error.

use serde_json::Value;

use super::paths;
use crate::diagnostic::{Diagnostic, Target};
use crate::model::canonical_id;
use crate::rules::{GroupContext, Rule};

pub struct DuplicateId;

/// Canonical ids of the group's `apps` or `groups`, with their pointers.
fn members(group: &GroupContext<'_>, key: &str, group_id: &str) -> Vec<(String, String)> {
    let Some(Value::Array(items)) = group.group.get(key) else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let raw = item.get("id").and_then(Value::as_str)?;
            Some((canonical_id(raw, group_id), paths::member(group.pointer, key, i)))
        })
        .collect()
}

impl Rule for DuplicateId {
    fn id(&self) -> &'static str {
        "duplicate-id"
    }

    fn check_group(&self, group: &GroupContext<'_>, out: &mut Vec<Diagnostic>) {
        let group_id = group.id.unwrap_or(group.parent_id);
        let apps = members(group, "apps", group_id);
        let groups = members(group, "groups", group_id);
        for (id, app_pointer) in &apps {
            let Some((_, group_pointer)) = groups.iter().find(|(g, _)| g == id) else {
                continue;
            };
            out.push(
                Diagnostic::at(
                    self.id(),
                    format!("{app_pointer}/id"),
                    format!(
                        "this app and a group of the same group are both `{id}`: Marathon answers \"Groups and \
                         Applications may not have the same identifier.\""
                    ),
                )
                .label("app id")
                .related(format!("{group_pointer}/id"), Target::Value, "group with the same id")
                .help("rename the app or the group; an app cannot share its id with a group beside it"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{run_group_rule, RuleOptions};
    use serde_json::json;

    fn found(group: Value) -> Vec<Diagnostic> {
        run_group_rule(&DuplicateId, group, &RuleOptions::default())
    }

    #[test]
    fn an_app_and_a_group_with_one_id() {
        let group = json!({"id": "/shop", "apps": [{"id": "web"}, {"id": "db"}],
            "groups": [{"id": "/shop/db", "apps": [{"id": "redis"}]}]});
        let found = found(group);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer.as_deref(), Some("/apps/1/id"));
        assert_eq!(found[0].related[0].pointer, "/groups/0/id");
        assert!(found[0].message.contains("`/shop/db`"));
    }

    #[test]
    fn two_apps_with_one_id_are_merged_not_refused() {
        let group = json!({"id": "/shop", "apps": [{"id": "web"}, {"id": "/shop/web"}]});
        assert!(found(group).is_empty());
    }
}
