//! The ports a health or readiness check can refer to, as Marathon sees them
//! after it has normalised the app. Only what is certain is answered: `None`
//! means "Marathon's own defaults decide here, do not judge".

use serde_json::Value;

use crate::marathon_target::MarathonVersion;
use crate::model::NetworkMode;
use crate::rules::AppContext;

/// One port a check may address, by index or by name.
pub struct Port<'v> {
    pub name: Option<&'v str>,
}

/// The app's ports in index order: port definitions under host networking,
/// port mappings under bridge or container networking.
/// How the target Marathon networks the app, as far as its ports go.
/// Marathon 1.4 does not know `networks` (nor `container.portMappings`): an
/// app networked only by them runs on the host network there, with its port
/// definitions (AppDefinition.scala, v1.4.13).
pub fn mode(app: &AppContext<'_>) -> NetworkMode {
    // (With `ipAddress`, 1.4 takes its ports from discovery instead.)
    let networks_only = app
        .networking
        .mode_pointer
        .as_deref()
        .is_some_and(|p| p.ends_with("/networks"))
        && app.app.get("ipAddress").is_none_or(Value::is_null);
    if app.options.marathon_version < MarathonVersion::V1_5 && networks_only {
        NetworkMode::Host
    } else {
        app.networking.mode.clone()
    }
}

pub fn ports<'v>(app: &AppContext<'v>) -> Option<Vec<Port<'v>>> {
    let value = app.app;
    match mode(app) {
        NetworkMode::Host => {
            if let Some(Value::Array(defs)) = value.get("portDefinitions") {
                Some(
                    defs.iter()
                        .map(|d| Port {
                            name: d.get("name").and_then(Value::as_str),
                        })
                        .collect(),
                )
            } else if let Some(Value::Array(ports)) = value.get("ports") {
                Some(ports.iter().map(|_| Port { name: None }).collect())
            } else if value.get("ports").is_some_and(|p| !p.is_null())
                || value.get("portDefinitions").is_some_and(|p| !p.is_null())
            {
                // A wrong type: the schema reports it.
                None
            } else {
                // Marathon's default: one random port named "default".
                Some(vec![Port { name: Some("default") }])
            }
        }
        NetworkMode::Bridge | NetworkMode::Container => {
            let container = value.get("container");
            let declared = |path: &[&str]| {
                container
                    .and_then(|c| path.iter().try_fold(c, |v, key| v.get(key)))
                    .is_some_and(Value::is_array)
            };
            let docker_mappings = declared(&["docker", "portMappings"]);
            let mappings = declared(&["portMappings"]);
            if app.options.marathon_version < MarathonVersion::V1_5 {
                // 1.4 knows only `container.docker.portMappings`, and only
                // with `docker.network` BRIDGE or USER; IP-per-task apps of
                // the Mesos containerizer take their ports from
                // `ipAddress.discovery`, which this does not judge.
                if !(app.networking.legacy_docker_network && docker_mappings) {
                    return None;
                }
                // With no mappings Marathon falls back to the port
                // definitions, which 1.4 may have defaulted: no verdict.
                if app.networking.port_mappings.is_empty() {
                    return None;
                }
            } else {
                if !(docker_mappings || mappings) {
                    // 1.5 adds a default mapping, or turns port definitions
                    // and discovery ports into mappings.
                    return None;
                }
                let has_other_ports = ["ports", "portDefinitions"]
                    .iter()
                    .any(|k| value.get(k).and_then(Value::as_array).is_some_and(|a| !a.is_empty()))
                    || crate::model::at(value, "/ipAddress/discovery/ports")
                        .and_then(Value::as_array)
                        .is_some_and(|a| !a.is_empty());
                if app.networking.port_mappings.is_empty() && has_other_ports {
                    return None;
                }
            }
            Some(
                app.networking
                    .port_mappings
                    .iter()
                    .map(|(_, m)| Port {
                        name: m.get("name").and_then(Value::as_str),
                    })
                    .collect(),
            )
        }
        NetworkMode::None => None,
    }
}

/// Where the app's ports are declared, for a `related` underline.
pub fn ports_pointer(app: &AppContext<'_>) -> Option<String> {
    let candidates: &[&str] = match mode(app) {
        NetworkMode::Host => &["/portDefinitions", "/ports"],
        _ => &["/container/portMappings", "/container/docker/portMappings"],
    };
    candidates
        .iter()
        .find(|p| app.app.at(p).is_some())
        .map(|p| app.field(p))
}
