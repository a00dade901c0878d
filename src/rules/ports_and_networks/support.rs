//! What the port and network rules share: reading an app's networking the
//! way a given Marathon version does before it validates (1.4's reader, or
//! 1.5+'s `AppNormalization.NetworkTranslation`), and small JSON helpers.

use std::collections::HashMap;

use serde_json::Value;

use crate::app_members::Members;
use crate::marathon_target::MarathonVersion;
use crate::rules::{AppContext, RuleOptions};

/// The value at `path`, unless it is absent or `null` (Marathon reads a
/// `null` optional field as absent).
pub fn get<'v>(value: impl Members<'v>, path: &[&str]) -> Option<&'v Value> {
    crate::app_members::path(value, path).filter(|v| !v.is_null())
}

pub fn array<'v>(value: impl Members<'v>, path: &[&str]) -> Option<&'v Vec<Value>> {
    get(value, path).and_then(Value::as_array)
}

pub fn non_empty_array<'v>(value: impl Members<'v>, path: &[&str]) -> Option<&'v Vec<Value>> {
    array(value, path).filter(|items| !items.is_empty())
}

pub fn string<'v>(value: impl Members<'v>, path: &[&str]) -> Option<&'v str> {
    get(value, path).and_then(Value::as_str)
}

/// Marathon 1.5 or later: the `networks` API, RAML-checked reads and the
/// normalisation of the 1.4 fields.
pub fn modern(options: &RuleOptions) -> bool {
    options.marathon_version >= MarathonVersion::V1_5
}

/// `container.docker.network`, upper-cased (`BRIDGE`, `HOST`, `USER`, `NONE`).
pub fn docker_network<'v>(app: impl Members<'v>) -> Option<String> {
    string(app, &["container", "docker", "network"]).map(str::to_ascii_uppercase)
}

/// The top-level `ipAddress` object, when there is one.
pub fn ip_address<'v>(app: impl Members<'v>) -> Option<&'v Value> {
    get(app, &["ipAddress"]).filter(|v| v.is_object())
}

/// A container whose engine is Docker: `container.type` is `DOCKER`, or
/// missing (Marathon's default engine).
pub fn docker_engine<'v>(app: impl Members<'v>) -> bool {
    get(app, &["container"])
        .is_some_and(|c| c.is_object() && string(c, &["type"]).is_none_or(|t| t.eq_ignore_ascii_case("DOCKER")))
}

/// A network mode after Marathon 1.5's translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Host,
    Bridge,
    Container,
}

/// One network of an app, as Marathon 1.5+ validates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Net {
    pub mode: Mode,
    pub name: Option<String>,
}

fn mode_of(text: &str) -> Option<Mode> {
    match text.to_ascii_lowercase().as_str() {
        "host" => Some(Mode::Host),
        "container/bridge" => Some(Mode::Bridge),
        "container" => Some(Mode::Container),
        _ => None,
    }
}

/// The app's networks as Marathon 1.5+ sees them once it has translated the
/// 1.4 fields (`AppNormalization.NetworkTranslation`): `None` when the
/// translation fails (legacy and `networks` mixed, `NONE`, an unknown
/// mode), which other checks report. An empty list means host networking.
pub fn modern_networks(app: &AppContext<'_>) -> Option<Vec<Net>> {
    let value = app.app;
    let ip = ip_address(value);
    let network = docker_network(value);
    let networks = non_empty_array(value, &["networks"]);
    let ip_name = ip.and_then(|ip| string(ip, &["networkName"])).map(str::to_string);
    let single = |mode, name| Some(vec![Net { mode, name }]);
    match (ip, network.as_deref(), networks) {
        (_, Some(_), Some(_)) | (Some(_), _, Some(_)) => None,
        (_, Some("HOST"), None) => single(Mode::Host, None),
        (_, Some("BRIDGE"), None) => single(Mode::Bridge, None),
        (_, Some("USER"), None) => single(Mode::Container, ip_name),
        (_, Some(_), None) => None,
        (Some(_), None, None) => match ip_name {
            Some(name) if name == app.options.mesos_bridge_name => single(Mode::Bridge, None),
            name => single(Mode::Container, name),
        },
        (None, None, Some(networks)) => networks
            .iter()
            .map(|n| {
                let mode = match string(n, &["mode"]) {
                    Some(text) => mode_of(text)?,
                    None => Mode::Container,
                };
                let name = string(n, &["name"]).filter(|s| !s.is_empty()).map(str::to_string);
                Some(Net { mode, name })
            })
            .collect(),
        (None, None, None) => Some(Vec::new()),
    }
}

/// Does Marathon keep the app's port mappings (rather than drop them before
/// validating)? 1.4 keeps `container.docker.portMappings` only with a Docker
/// network of BRIDGE or USER; 1.5+ drops them when the networks are host
/// networking (or absent).
pub fn port_mappings_kept(app: &AppContext<'_>) -> bool {
    if modern(app.options) {
        modern_networks(app).is_some_and(|nets| !nets.is_empty() && nets.iter().all(|n| n.mode != Mode::Host))
    } else {
        docker_engine(app.app) && matches!(docker_network(app.app).as_deref(), Some("BRIDGE" | "USER"))
    }
}

/// Later items of `items` whose key repeats an earlier one's: (index of the
/// repeat, index of the first, key).
pub fn repeats<K: std::hash::Hash + Eq + Clone>(keys: impl Iterator<Item = Option<K>>) -> Vec<(usize, usize, K)> {
    let mut first: HashMap<K, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, key) in keys.enumerate() {
        let Some(key) = key else { continue };
        match first.get(&key) {
            Some(&j) => out.push((i, j, key)),
            None => {
                first.insert(key, i);
            }
        }
    }
    out
}

/// Marathon 1.5+'s port name pattern (RAML `LegacyName`,
/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`): no leading or trailing `-`.
pub fn modern_port_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

/// Marathon 1.4's port name pattern, `^[a-z0-9-]+$` (the schema's too).
pub fn legacy_port_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_name_patterns() {
        for ok in ["http", "a", "web-1", "8080"] {
            assert!(modern_port_name(ok) && legacy_port_name(ok), "{ok}");
        }
        for only_legacy in ["-http", "http-", "-"] {
            assert!(
                legacy_port_name(only_legacy) && !modern_port_name(only_legacy),
                "{only_legacy}"
            );
        }
        assert!(!legacy_port_name("Http") && !legacy_port_name(""));
    }

    #[test]
    fn repeats_name_the_first_occurrence() {
        let keys = [Some(1), None, Some(2), Some(1), Some(1)];
        assert_eq!(repeats(keys.into_iter()), vec![(3, 0, 1), (4, 0, 1)]);
    }
}
