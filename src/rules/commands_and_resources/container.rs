//! How Marathon reads an app's `container`: which engine runs it and which
//! image it names. Shared by this folder's rules.

use serde_json::Value;

use crate::app_members::Members;

/// A member of an object, with `null` read as absent (as Marathon's readers
/// do).
pub(super) fn member<'v>(object: impl Members<'v>, key: &str) -> Option<&'v Value> {
    object.member(key).filter(|v| !v.is_null())
}

/// The container engine (`container.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Engine {
    Docker,
    Mesos,
}

/// The app's container, when it has one (an object).
pub(super) fn container<'v>(app: impl Members<'v>) -> Option<&'v Value> {
    member(app, "container").filter(|c| c.is_object())
}

/// The engine of a container: `DOCKER` when `type` is missing, as in every
/// version; `None` for a type the schema already reports.
pub(super) fn engine(container: &Value) -> Option<Engine> {
    match member(container, "type") {
        None => Some(Engine::Docker),
        Some(Value::String(t)) if t.eq_ignore_ascii_case("DOCKER") => Some(Engine::Docker),
        Some(Value::String(t)) if t.eq_ignore_ascii_case("MESOS") => Some(Engine::Mesos),
        Some(_) => None,
    }
}

/// `container.docker`, when present.
pub(super) fn docker(container: &Value) -> Option<&Value> {
    member(container, "docker").filter(|d| d.is_object())
}

/// `container.appc`, when present.
pub(super) fn appc(container: &Value) -> Option<&Value> {
    member(container, "appc").filter(|d| d.is_object())
}

/// Whether the container names an image the way Marathon's
/// "cmd, args or container" rule counts it: Docker engine with `docker`,
/// Mesos engine with exactly one of `docker` and `appc`.
pub(super) fn has_image(container: &Value) -> bool {
    match (engine(container), docker(container), appc(container)) {
        (Some(Engine::Docker), Some(_), None) => true,
        (Some(Engine::Mesos), Some(_), None) | (Some(Engine::Mesos), None, Some(_)) => true,
        // An unknown type is the schema's finding; do not pile on.
        (None, _, _) => true,
        _ => false,
    }
}
