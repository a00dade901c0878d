//! An app's top-level members, found once per app.
//!
//! Forty rules read an app's members, a hundred lookups or so per app, and
//! each lookup in a `serde_json::Map` is a B-tree search with a string
//! comparison per key passed. [`AppMembers`] reads the app's map once into
//! one slot per member of a Marathon app, so that a lookup by a literal name
//! is an array index: a tenth fewer instructions per file (BENCHMARKS.md).

use std::ops::Deref;

use serde_json::Value;

macro_rules! members {
    ($($slot:ident = $name:literal,)*) => {
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy)]
        enum Slot { $($slot,)* }

        /// The members of a Marathon app (the app schema's `properties`).
        const NAMES: &[&str] = &[$($name,)*];

        /// The slot of a member; a match on a literal folds to a constant.
        #[inline(always)]
        fn slot(name: &str) -> Option<usize> {
            Some(match name {
                $($name => Slot::$slot as usize,)*
                _ => return None,
            })
        }
    };
}

members! {
    id = "id",
    accepted_resource_roles = "acceptedResourceRoles",
    args = "args",
    backoff_factor = "backoffFactor",
    backoff_seconds = "backoffSeconds",
    check = "check",
    cmd = "cmd",
    constraints = "constraints",
    container = "container",
    cpus = "cpus",
    dependencies = "dependencies",
    disk = "disk",
    env = "env",
    executor = "executor",
    executor_resources = "executorResources",
    fetch = "fetch",
    gpus = "gpus",
    health_checks = "healthChecks",
    instances = "instances",
    ip_address = "ipAddress",
    kill_selection = "killSelection",
    labels = "labels",
    max_launch_delay_seconds = "maxLaunchDelaySeconds",
    mem = "mem",
    networks = "networks",
    port_definitions = "portDefinitions",
    ports = "ports",
    readiness_checks = "readinessChecks",
    require_ports = "requirePorts",
    residency = "residency",
    resource_limits = "resourceLimits",
    role = "role",
    secrets = "secrets",
    store_urls = "storeUrls",
    task_kill_grace_period_seconds = "taskKillGracePeriodSeconds",
    tty = "tty",
    unreachable_strategy = "unreachableStrategy",
    upgrade_strategy = "upgradeStrategy",
    uris = "uris",
    user = "user",
    version = "version",
    version_info = "versionInfo",
}

/// An app's value with its members indexed. It dereferences to the value,
/// so whatever takes a `&Value` takes it too; [`AppMembers::get`] and
/// [`Members`] use the index.
pub struct AppMembers<'v> {
    value: &'v Value,
    slots: [Option<&'v Value>; NAMES.len()],
}

impl<'v> AppMembers<'v> {
    pub fn new(value: &'v Value) -> Self {
        let mut slots = [None; NAMES.len()];
        if let Value::Object(map) = value {
            for (name, member) in map {
                if let Some(i) = slot(name) {
                    slots[i] = Some(member);
                }
            }
        }
        AppMembers { value, slots }
    }

    /// As `Value::get` with a member name.
    #[inline]
    pub fn get(&self, name: &str) -> Option<&'v Value> {
        match slot(name) {
            Some(i) => self.slots[i],
            None => self.value.get(name),
        }
    }

    /// As [`crate::model::at`]: the value at a JSON pointer into the app (an
    /// object, whose first token is a member name).
    pub fn at(&self, pointer: &str) -> Option<&'v Value> {
        let Some(rest) = pointer.strip_prefix('/') else {
            return crate::model::at(self.value, pointer);
        };
        // Byte searches: these pointers are a few bytes long, shorter than
        // what a `char` search (memchr) pays off for.
        let (first, tail) = rest.split_at(rest.bytes().position(|b| b == b'/').unwrap_or(rest.len()));
        if first.as_bytes().contains(&b'~') {
            return crate::model::at(self.value, pointer);
        }
        crate::model::at(self.get(first)?, tail)
    }
}

impl Deref for AppMembers<'_> {
    type Target = Value;

    fn deref(&self) -> &Value {
        self.value
    }
}

/// Something whose members can be looked up: a JSON value, or an app with
/// its members indexed (helpers that walk a path take either).
pub trait Members<'v>: Copy {
    fn member(self, name: &str) -> Option<&'v Value>;
    fn value(self) -> &'v Value;
}

impl<'v> Members<'v> for &'v Value {
    #[inline]
    fn member(self, name: &str) -> Option<&'v Value> {
        self.get(name)
    }

    fn value(self) -> &'v Value {
        self
    }
}

impl<'v> Members<'v> for &AppMembers<'v> {
    #[inline]
    fn member(self, name: &str) -> Option<&'v Value> {
        self.get(name)
    }

    fn value(self) -> &'v Value {
        self.value
    }
}

/// The value at `path` (member names, then index tokens as `Value::get`
/// reads them), the first step through the index when there is one.
pub fn path<'v>(start: impl Members<'v>, path: &[&str]) -> Option<&'v Value> {
    match path.split_first() {
        None => Some(start.value()),
        Some((first, rest)) => rest.iter().try_fold(start.member(first)?, |v, key| v.get(key)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn the_members_are_the_app_schemas_properties() {
        let schema: Value = serde_json::from_str(include_str!("../schemas/marathon-app.schema.json")).unwrap();
        fn app_properties(value: &Value) -> Option<Vec<String>> {
            match value {
                Value::Object(map) => {
                    if let Some(Value::Object(properties)) = map.get("properties") {
                        if properties.contains_key("cmd") && properties.contains_key("container") {
                            return Some(properties.keys().cloned().collect());
                        }
                    }
                    map.values().find_map(app_properties)
                }
                Value::Array(items) => items.iter().find_map(app_properties),
                _ => None,
            }
        }
        let mut expected = app_properties(&schema).expect("the schema describes an app");
        expected.sort();
        let mut names: Vec<String> = NAMES.iter().map(|s| s.to_string()).collect();
        names.sort();
        assert_eq!(names, expected);
        for (i, name) in NAMES.iter().enumerate() {
            assert_eq!(slot(name), Some(i), "{name}");
        }
    }

    #[test]
    fn lookups_agree_with_the_value() {
        let app = json!({"id": "/a", "cpus": 0.5, "x-custom": 1, "container": {"docker": {"image": "i"}},
                         "a~b": {"c": 2}, "ports": [0, 80]});
        let members = AppMembers::new(&app);
        for name in NAMES.iter().copied().chain(["x-custom", "nope", "", "a~b"]) {
            assert_eq!(members.get(name), app.get(name), "{name}");
        }
        for pointer in [
            "",
            "/",
            "/id",
            "/container/docker/image",
            "/container/docker",
            "/ports/1",
            "/ports/2",
            "/a~0b/c",
            "/nope/x",
            "cpus",
        ] {
            assert_eq!(members.at(pointer), crate::model::at(&app, pointer), "{pointer:?}");
        }
        assert_eq!(path(&members, &["container", "docker", "image"]), Some(&json!("i")));
        assert_eq!(path(&members, &[]), Some(&app));
        assert_eq!(path(&app, &["cpus"]), Some(&json!(0.5)));
        let not_an_object = json!([1, 2]);
        assert_eq!(AppMembers::new(&not_an_object).get("id"), None);
    }

    proptest! {
        #[test]
        fn any_object_reads_the_same_through_the_index(
            entries in proptest::collection::vec(
                (prop_oneof![proptest::sample::select(NAMES).prop_map(str::to_string), "[a-zA-Z~/]{0,6}"], 0i64..5),
                0..30,
            ),
            probe in prop_oneof![proptest::sample::select(NAMES).prop_map(str::to_string), "[a-zA-Z~/]{0,6}"],
        ) {
            let map: serde_json::Map<String, Value> = entries.into_iter().map(|(k, v)| (k, json!(v))).collect();
            let app = Value::Object(map);
            let members = AppMembers::new(&app);
            prop_assert_eq!(members.get(&probe), app.get(&probe));
            let pointer = format!("/{probe}");
            prop_assert_eq!(members.at(&pointer), crate::model::at(&app, &pointer));
        }
    }
}
