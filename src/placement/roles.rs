//! Which resource roles Marathon takes an app's resources from, per version
//! (`RunSpecOfferMatcher`, `MarathonConf`, `ResourceMatcher.ResourceSelector`):
//! an app's own `acceptedResourceRoles` as they are, else Marathon's default.
//! Up to 1.8: `--default_accepted_resource_roles`, else `*` and `--mesos_role`.
//! From 1.9: the app's `role` (default `--mesos_role`, itself `*` by default)
//! and `*`, narrowed by `--accepted_resource_roles_default_behavior`.
//! Marathon only ever receives offers of the roles it registers with.

use serde_json::Value;

use crate::marathon_target::{MarathonVersion, RoleBehavior};
use crate::rules::AppContext;

use crate::cluster::resources::UNRESERVED;

/// The roles an app's resources may come from, and how they were chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct AcceptedRoles {
    /// The roles the app accepts.
    pub accepted: Vec<String>,
    /// Of those, the ones Marathon receives offers for.
    pub usable: Vec<String>,
    /// The roles Marathon receives offers for (for this app, from 1.9).
    pub registered: Vec<String>,
    /// Where `accepted` comes from, in words: "its acceptedResourceRoles",
    /// "Marathon's default".
    pub origin: String,
    /// Whether the app names them itself.
    pub explicit: bool,
}

impl AcceptedRoles {
    pub fn accepts(&self, role: &str) -> bool {
        self.usable.iter().any(|r| r == role)
    }

    /// "`*` (Marathon's default)", "`*` and `slave_public` (its acceptedResourceRoles)".
    pub fn describe(&self) -> String {
        format!("{} ({})", list(&self.accepted), self.origin)
    }
}

/// "`a`", "`a` and `b`", "`a`, `b` and `c`".
pub fn list(roles: &[String]) -> String {
    let quoted: Vec<String> = roles.iter().map(|r| format!("`{r}`")).collect();
    match quoted.as_slice() {
        [] => "no role".to_string(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn push_unique(roles: &mut Vec<String>, role: &str) {
    if !roles.iter().any(|r| r == role) {
        roles.push(role.to_string());
    }
}

/// The app's roles, or `None` when they cannot be known (a malformed
/// `acceptedResourceRoles`, which validation rules report).
pub fn accepted_roles(app: &AppContext<'_>) -> Option<AcceptedRoles> {
    let options = app.options;
    let version = options.marathon_version;
    let explicit = match app.app.get("acceptedResourceRoles") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let names: Option<Vec<String>> = items.iter().map(|i| i.as_str().map(str::to_string)).collect();
            let names = names?;
            if names.is_empty() {
                // 1.9 reads an empty list as `*`; other versions reject it.
                if version != MarathonVersion::V1_9 {
                    return None;
                }
                Some(vec![UNRESERVED.to_string()])
            } else {
                Some(names)
            }
        }
        Some(_) => return None,
    };
    if version < MarathonVersion::V1_9 {
        let mut registered = vec![UNRESERVED.to_string()];
        if let Some(role) = &options.mesos_role {
            push_unique(&mut registered, role);
        }
        let (accepted, origin, is_explicit) = match explicit {
            Some(roles) => (roles, "its acceptedResourceRoles".to_string(), true),
            None => match &options.default_accepted_resource_roles {
                Some(roles) => (
                    roles.clone(),
                    "Marathon's --default_accepted_resource_roles".to_string(),
                    false,
                ),
                None => (registered.clone(), "Marathon's default".to_string(), false),
            },
        };
        let usable = accepted.iter().filter(|r| registered.contains(r)).cloned().collect();
        return Some(AcceptedRoles {
            accepted,
            usable,
            registered,
            origin,
            explicit: is_explicit,
        });
    }
    // 1.9+: each app has a role; Marathon matches its offers of that role
    // (and `*`) to it.
    let app_role = match app.app.get("role") {
        Some(Value::String(role)) => role.clone(),
        None | Some(Value::Null) => options.mesos_role.clone().unwrap_or_else(|| UNRESERVED.to_string()),
        Some(_) => return None,
    };
    let mut registered = vec![UNRESERVED.to_string()];
    push_unique(&mut registered, &app_role);
    let (accepted, origin, is_explicit) = match explicit {
        Some(roles) => (roles, "its acceptedResourceRoles".to_string(), true),
        None => {
            let behavior = options.role_behavior.unwrap_or_else(|| {
                // 1.9 derives the behaviour from the deprecated flag.
                match options.default_accepted_resource_roles.as_deref() {
                    Some([only]) if only == UNRESERVED => RoleBehavior::Unreserved,
                    Some([only]) if *only == app_role => RoleBehavior::Reserved,
                    _ => RoleBehavior::Any,
                }
            });
            let mut roles = Vec::new();
            if behavior != RoleBehavior::Unreserved {
                push_unique(&mut roles, &app_role);
            }
            if behavior != RoleBehavior::Reserved {
                push_unique(&mut roles, UNRESERVED);
            }
            let origin = if options.role_behavior.is_some() {
                format!("Marathon's --accepted_resource_roles_default_behavior {behavior}, for role `{app_role}`")
            } else {
                format!("Marathon's default for role `{app_role}`")
            };
            (roles, origin, false)
        }
    };
    let usable = accepted.iter().filter(|r| registered.contains(r)).cloned().collect();
    Some(AcceptedRoles {
        accepted,
        usable,
        registered,
        origin,
        explicit: is_explicit,
    })
}
