//! `id-not-in-group`: an app or group nested in a group must be a direct child
//! of it once its id is resolved against the group's id. Relative ids always
//! are (`web` in `/shop` is `/shop/web`); absolute ids of another group, ids
//! a level too deep (`db/redis`), and `..` steps out of the group are not.

use serde_json::Value;

use super::paths;
use crate::diagnostic::Diagnostic;
use crate::marathon_target::MarathonVersion;
use crate::model::canonical_id;
use crate::rules::{GroupContext, Rule};

pub struct IdNotInGroup;

impl Rule for IdNotInGroup {
    fn id(&self) -> &'static str {
        "id-not-in-group"
    }

    fn check_group(&self, group: &GroupContext<'_>, out: &mut Vec<Diagnostic>) {
        let group_id = group.id.unwrap_or(group.parent_id);
        for key in ["apps", "groups"] {
            let Some(Value::Array(members)) = group.group.get(key) else {
                continue;
            };
            let kind = if key == "apps" { "app" } else { "group" };
            for (i, member) in members.iter().enumerate() {
                let Some(raw) = member.get("id").and_then(Value::as_str) else {
                    continue;
                };
                let id = canonical_id(raw, group_id);
                // From 1.5 an id that resolves to the root is
                // `invalid-app-id`'s; 1.4 only sees that it is not a child.
                let root_reported = id == "/" && group.options.marathon_version >= MarathonVersion::V1_5;
                if root_reported || paths::parent(&id) == group_id {
                    continue;
                }
                let relative = id.strip_prefix(group_id).map(|rest| rest.trim_start_matches('/'));
                let help = match relative {
                    Some(rest) if group_id != "/" && !rest.is_empty() && rest.contains('/') => format!(
                        "`{id}` is {} levels below `{group_id}`: nest it in a group `{}` inside this one, or \
                         give it a name directly below `{group_id}`",
                        rest.split('/').count(),
                        paths::parent(&id)
                    ),
                    _ => format!(
                        "use an id relative to the group (e.g. `{}`), or move the {kind} into the group `{}`",
                        id.rsplit('/').next().unwrap_or_default(),
                        paths::parent(&id)
                    ),
                };
                out.push(
                    Diagnostic::at(
                        self.id(),
                        format!("{}/id", paths::member(group.pointer, key, i)),
                        format!(
                            "{kind} id `{raw}`{} is not a direct child of the enclosing group `{group_id}`: \
                             Marathon answers \"Identifier is not child of {group_id}. Hint: use relative paths.\"",
                            if raw == id { String::new() } else { format!(" (`{id}`)") }
                        ),
                    )
                    .label(format!("not in `{group_id}`"))
                    .help(help),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{run_group_rule, RuleOptions};
    use serde_json::json;

    fn found(group: Value) -> Vec<(String, String)> {
        run_group_rule(&IdNotInGroup, group, &RuleOptions::default())
            .into_iter()
            .map(|d| (d.pointer.unwrap_or_default(), d.message))
            .collect()
    }

    #[test]
    fn relative_and_absolute_children_are_fine() {
        let group = json!({"id": "/shop", "apps": [{"id": "web"}, {"id": "/shop/cart"}, {"id": "./api"}],
            "groups": [{"id": "db"}, {"id": "/shop/cache"}]});
        assert!(found(group).is_empty());
    }

    #[test]
    fn other_groups_deeper_ids_and_escapes_are_not() {
        let group = json!({"id": "/shop", "apps": [{"id": "/other/web"}, {"id": "db/redis"}, {"id": "../web"}],
            "groups": [{"id": "/elsewhere"}]});
        let found = found(group);
        let pointers: Vec<_> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(pointers, ["/apps/0/id", "/apps/1/id", "/apps/2/id", "/groups/0/id"]);
        assert!(found[0]
            .1
            .contains("Identifier is not child of /shop. Hint: use relative paths."));
        assert!(found[0].1.contains("`/other/web` is not"));
        assert!(found[1].1.contains("`db/redis` (`/shop/db/redis`)"));
    }

    #[test]
    fn escaping_to_the_root() {
        let group = json!({"id": "/shop", "apps": [{"id": ".."}]});
        assert!(found(group.clone()).is_empty(), "1.5+: invalid-app-id reports the root");
        let options = RuleOptions {
            marathon_version: MarathonVersion::V1_4,
            ..RuleOptions::default()
        };
        assert_eq!(run_group_rule(&IdNotInGroup, group, &options).len(), 1);
    }

    #[test]
    fn a_group_without_id_is_the_root() {
        assert!(found(json!({"apps": [{"id": "/web"}, {"id": "api"}]})).is_empty());
        assert_eq!(found(json!({"apps": [{"id": "/shop/web"}]})).len(), 1);
    }
}
