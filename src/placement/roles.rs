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
/// `acceptedResourceRoles`, or one Marathon rejects, which validation rules
/// report). Where the settings leave something open (Marathon's role not
/// known, a group that may enforce its role), every reading is kept: a role
/// counts as usable if it is usable in any of them.
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
    // Marathon's role, when some setting or export says it; else its
    // default (none up to 1.8, `*` from 1.9), and roles the app names
    // itself are given the benefit of the doubt.
    let doubt: &[String] = match (&explicit, options.mesos_role_known) {
        (Some(roles), false) => roles,
        _ => &[],
    };
    if version < MarathonVersion::V1_9 {
        let mut registered = vec![UNRESERVED.to_string()];
        if let Some(role) = &options.mesos_role {
            push_unique(&mut registered, role);
        }
        for role in doubt {
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
    // (and `*`) to it. Without its own `role`, an app in a top-level group
    // that enforces its role gets the group's name: not knowable here.
    let mesos_role = options.mesos_role.clone().unwrap_or_else(|| UNRESERVED.to_string());
    let mut app_roles: Vec<String> = Vec::new();
    match app.app.get("role") {
        Some(Value::String(role)) => app_roles.push(role.clone()),
        None | Some(Value::Null) => {
            app_roles.push(mesos_role.clone());
            if let Some(group) = app.id.and_then(top_level_group) {
                push_unique(&mut app_roles, group);
            }
        }
        Some(_) => return None,
    }
    for role in doubt {
        push_unique(&mut app_roles, role);
    }
    let mut registered = vec![UNRESERVED.to_string()];
    for role in &app_roles {
        push_unique(&mut registered, role);
    }
    if let Some(roles) = &explicit {
        if version > MarathonVersion::V1_9 && roles.iter().any(|r| !registered.contains(r)) {
            // 1.10 rejects roles other than `*` and the app's own.
            return None;
        }
    }
    let (accepted, origin, is_explicit) = match explicit {
        Some(roles) => {
            // 1.9 drops the roles it cannot use (and makes an empty list `*`).
            let mut kept: Vec<String> = roles.iter().filter(|r| registered.contains(r)).cloned().collect();
            if kept.is_empty() {
                kept.push(UNRESERVED.to_string());
            }
            (kept, "its acceptedResourceRoles".to_string(), true)
        }
        None => {
            let behavior = options.role_behavior.unwrap_or_else(|| {
                // 1.9 derives the behaviour from the deprecated flag, by
                // Marathon's own role; 1.10 refuses to start with that flag.
                match options.default_accepted_resource_roles.as_deref() {
                    Some([only]) if version == MarathonVersion::V1_9 && only == UNRESERVED => RoleBehavior::Unreserved,
                    Some([only]) if version == MarathonVersion::V1_9 && *only == mesos_role => RoleBehavior::Reserved,
                    _ => RoleBehavior::Any,
                }
            });
            let mut roles = Vec::new();
            if behavior != RoleBehavior::Unreserved {
                for role in &app_roles {
                    push_unique(&mut roles, role);
                }
            }
            if behavior != RoleBehavior::Reserved {
                push_unique(&mut roles, UNRESERVED);
            }
            let role = &app_roles[0];
            let origin = if options.role_behavior.is_some() {
                format!("Marathon's --accepted_resource_roles_default_behavior {behavior}, for role `{role}`")
            } else {
                format!("Marathon's default for role `{role}`")
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

/// The top-level group of an app id (`/dev/web` is in `dev`), if it is in one.
fn top_level_group(id: &str) -> Option<&str> {
    let mut segments = id.trim_start_matches('/').split('/');
    let first = segments.next()?;
    segments.next().map(|_| first)
}
