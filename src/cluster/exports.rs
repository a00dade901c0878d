//! The one reader of exported cluster state: Mesos' `/master/state` (and
//! the older `/state.json`), `/master/state-summary`, `/master/slaves`, an
//! agent's own `/state`, Marathon's `/v2/info` and `/v2/apps` (with or
//! without `embed=apps.tasks`, or one app as `GET /v2/apps/{id}` gives it).
//! Exports are recognised by their shape, never by their file name.

use serde_json::{Map, Value};

use super::attributes::Attributes;
use super::resources::{self, AgentResources, Scalar, UNRESERVED};

/// One agent as an export describes it.
#[derive(Debug, Clone, Default)]
pub struct Agent {
    pub id: Option<String>,
    pub hostname: Option<String>,
    pub resources: AgentResources,
    pub attributes: Attributes,
    pub region: Option<String>,
    pub zone: Option<String>,
    /// Mesos offers nothing from an agent that is not active.
    pub active: bool,
}

/// Marathon's `/v2/info`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MarathonInfo {
    pub version: Option<String>,
    pub framework_id: Option<String>,
    pub mesos_role: Option<String>,
    pub features: Option<Vec<String>>,
    pub default_network_name: Option<String>,
}

/// A task of a running app, and the host ports it holds on its agent.
#[derive(Debug, Clone, PartialEq)]
pub struct RunningTask {
    pub host: String,
    pub agent_id: Option<String>,
    pub ports: Vec<u64>,
}

/// An app as `GET /v2/apps` gives it back.
#[derive(Debug, Clone)]
pub struct ExportedApp {
    /// Its id as written (absolute in every real export).
    pub id: String,
    /// Where it is in its file (`/apps/3`).
    pub pointer: String,
    pub definition: Value,
    /// Its tasks, when the export embeds them. (A task's own `appId` is
    /// not trusted: real exports carry stale ones.)
    pub tasks: Vec<RunningTask>,
}

/// What one export holds.
#[derive(Debug, Clone)]
pub enum Export {
    /// Mesos agents, and the role of each framework called `marathon` (by
    /// framework id) where the export lists frameworks.
    Agents {
        kind: &'static str,
        agents: Vec<Agent>,
        marathon_roles: Vec<(String, String)>,
    },
    Info(MarathonInfo),
    Apps(Vec<ExportedApp>),
}

impl Export {
    /// What users call this export.
    pub fn kind(&self) -> &'static str {
        match self {
            Export::Agents { kind, .. } => kind,
            Export::Info(_) => "Marathon /v2/info",
            Export::Apps(_) => "Marathon /v2/apps",
        }
    }
}

/// Why an export could not be read, and where (a JSON pointer into it).
#[derive(Debug, Clone, PartialEq)]
pub struct ExportError {
    pub message: String,
    pub pointer: Option<String>,
}

impl ExportError {
    fn at(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        ExportError {
            message: message.into(),
            pointer: Some(pointer.into()),
        }
    }
}

/// What each export looks like, for the message that rejects an unknown one.
pub const KNOWN_SHAPES: &str = "Mesos /master/state, /master/state-summary, /master/slaves or an agent's /state, \
     Marathon /v2/info, /v2/apps or /v2/apps/{id}";

/// Read a parsed export. A document that is a JSON string holding the
/// export (as some tools save it) is read through once.
pub fn read(value: &Value) -> Result<Export, ExportError> {
    if let Value::String(inner) = value {
        let inner: Value = serde_json::from_str(inner).map_err(|e| ExportError {
            message: format!("the file is a JSON string, but what it holds is not JSON: {e}"),
            pointer: Some(String::new()),
        })?;
        if inner.is_string() {
            return Err(ExportError::at(
                "",
                "the file is a JSON string holding another string, not an export",
            ));
        }
        return read(&inner);
    }
    let Value::Object(map) = value else {
        return Err(ExportError::at(
            "",
            format!(
                "this is {}, not a cluster export; expected one of {KNOWN_SHAPES}",
                resources::kind(value)
            ),
        ));
    };
    if map.get("marathon_config").is_some_and(Value::is_object) {
        return Ok(Export::Info(read_info(map)?));
    }
    if let Some(apps) = map.get("apps") {
        let Value::Array(apps) = apps else {
            return Err(ExportError::at(
                "/apps",
                "`apps` of a /v2/apps export should be an array of apps",
            ));
        };
        return Ok(Export::Apps(read_apps(apps, "/apps")?));
    }
    if let Some(app) = map.get("app").filter(|a| a.is_object()) {
        return Ok(Export::Apps(vec![read_app(app, "/app")?]));
    }
    if let Some(slaves) = map.get("slaves") {
        let Value::Array(slaves) = slaves else {
            return Err(ExportError::at("/slaves", "`slaves` should be an array of agents"));
        };
        let kind = match (
            map.contains_key("frameworks"),
            map.get("flags").is_some_and(Value::is_object),
        ) {
            (true, true) => "Mesos /master/state",
            (true, false) => "Mesos /master/state-summary",
            (false, _) => "Mesos /master/slaves",
        };
        let mut agents = Vec::with_capacity(slaves.len());
        for (i, slave) in slaves.iter().enumerate() {
            agents.push(read_agent(slave, &format!("/slaves/{i}"))?);
        }
        return Ok(Export::Agents {
            kind,
            agents,
            marathon_roles: marathon_roles(map),
        });
    }
    let is_agent_state = map.get("flags").is_some_and(Value::is_object)
        && map.get("id").is_some_and(Value::is_string)
        && map.get("resources").is_some_and(Value::is_object);
    if is_agent_state {
        return Ok(Export::Agents {
            kind: "Mesos agent /state",
            agents: vec![read_agent(value, "")?],
            marathon_roles: marathon_roles(map),
        });
    }
    let is_app = map
        .get("id")
        .and_then(Value::as_str)
        .is_some_and(|id| id.starts_with('/'))
        && ["instances", "cmd", "container", "tasks", "portDefinitions"]
            .iter()
            .any(|k| map.contains_key(*k));
    if is_app {
        return Ok(Export::Apps(vec![read_app(value, "")?]));
    }
    Err(ExportError::at(
        "",
        format!("this JSON object is not a cluster export this linter knows; expected one of {KNOWN_SHAPES}"),
    ))
}

/// The role each framework named `marathon` registered with.
fn marathon_roles(map: &Map<String, Value>) -> Vec<(String, String)> {
    map.get("frameworks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|f| f.get("name").and_then(Value::as_str) == Some("marathon"))
        .filter_map(|f| {
            let id = f.get("id").and_then(Value::as_str)?;
            let role = f.get("role").and_then(Value::as_str)?;
            Some((id.to_string(), role.to_string()))
        })
        .collect()
}

fn string_at(map: &Map<String, Value>, key: &str, pointer: &str) -> Result<Option<String>, ExportError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ExportError::at(
            format!("{pointer}/{key}"),
            format!("`{key}` should be a string, found {}", resources::kind(other)),
        )),
    }
}

fn object_at<'v>(
    map: &'v Map<String, Value>,
    key: &str,
    pointer: &str,
) -> Result<Option<&'v Map<String, Value>>, ExportError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(inner)) => Ok(Some(inner)),
        Some(other) => Err(ExportError::at(
            format!("{pointer}/{key}"),
            format!("`{key}` should be an object, found {}", resources::kind(other)),
        )),
    }
}

/// One agent of a master export, or an agent's own `/state`.
fn read_agent(value: &Value, pointer: &str) -> Result<Agent, ExportError> {
    let Value::Object(map) = value else {
        return Err(ExportError::at(
            pointer,
            format!("an agent should be an object, found {}", resources::kind(value)),
        ));
    };
    let region_zone = |key: &str| {
        map.get("domain")
            .and_then(|d| d.pointer(&format!("/fault_domain/{key}/name")))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let attributes = match (
        object_at(map, "attributes", pointer)?,
        map.get("flags").and_then(|f| f.get("attributes")),
    ) {
        (Some(attributes), _) if !attributes.is_empty() => Attributes::from_json(attributes),
        (_, Some(Value::String(text))) => {
            Attributes::parse_text(text).map_err(|e| ExportError::at(format!("{pointer}/flags/attributes"), e))?
        }
        _ => Attributes::default(),
    };
    Ok(Agent {
        id: string_at(map, "id", pointer)?,
        hostname: string_at(map, "hostname", pointer)?,
        resources: agent_resources(map, pointer)?,
        attributes,
        region: region_zone("region"),
        zone: region_zone("zone"),
        // Mesos 0.19 does not say; its agents were listed because active.
        active: map.get("active").and_then(Value::as_bool).unwrap_or(true),
    })
}

/// An agent's resources by role. Reservations come from
/// `reserved_resources` (or its `_full` form); unreserved resources from
/// `unreserved_resources` (or its `_full` form), else the total less the
/// reservations. Older Mesos lists only the total: all of it is `*`. An
/// agent's own `/state` of older Mesos shows its static reservations only in
/// its `--resources` flag.
fn agent_resources(map: &Map<String, Value>, pointer: &str) -> Result<AgentResources, ExportError> {
    let mut out = AgentResources::default();
    let mut reserved_any = false;
    if let Some(reserved) = object_at(map, "reserved_resources", pointer)? {
        for (role, resources) in reserved {
            let at = format!(
                "{pointer}/reserved_resources/{}",
                crate::diagnostic::escape_pointer_token(role)
            );
            let Value::Object(resources) = resources else {
                return Err(ExportError::at(
                    at,
                    "each role's reserved resources should be an object",
                ));
            };
            resources::add_map(out.role_mut(role), resources).map_err(|e| ExportError::at(at, e))?;
            reserved_any = true;
        }
    } else if let Some(reserved) = object_at(map, "reserved_resources_full", pointer)? {
        for (role, resources) in reserved {
            let at = format!(
                "{pointer}/reserved_resources_full/{}",
                crate::diagnostic::escape_pointer_token(role)
            );
            resources::add_json_array(&mut out, resources).map_err(|e| ExportError::at(at, e))?;
            reserved_any = true;
        }
    }
    let total = object_at(map, "resources", pointer)?;
    if let Some(unreserved) = object_at(map, "unreserved_resources", pointer)? {
        resources::add_map(out.role_mut(UNRESERVED), unreserved)
            .map_err(|e| ExportError::at(format!("{pointer}/unreserved_resources"), e))?;
    } else if let Some(full) = map.get("unreserved_resources_full").filter(|v| v.is_array()) {
        resources::add_json_array(&mut out, full)
            .map_err(|e| ExportError::at(format!("{pointer}/unreserved_resources_full"), e))?;
    } else if let Some(flag) = map
        .get("flags")
        .and_then(|f| f.get("resources"))
        .and_then(Value::as_str)
        .filter(|_| !reserved_any)
    {
        // An agent's own state from before Mesos 0.28: its flag says which
        // roles hold what; the total fills in what the flag leaves to the
        // agent to detect.
        let flagged = resources::parse(flag).map_err(|e| ExportError::at(format!("{pointer}/flags/resources"), e))?;
        let mut total_map = AgentResources::default();
        if let Some(total) = total {
            resources::add_map(total_map.role_mut(UNRESERVED), total)
                .map_err(|e| ExportError::at(format!("{pointer}/resources"), e))?;
        }
        out = flagged.clone();
        for scalar in Scalar::ALL {
            if !flagged.is_known(scalar) {
                let named: f64 = flagged.by_role.values().map(|r| r.scalar(scalar)).sum();
                let detected = total_map.role(UNRESERVED).map_or(0.0, |r| r.scalar(scalar));
                out.role_mut(UNRESERVED).add_scalar(scalar, (detected - named).max(0.0));
            }
        }
        out.mark_all_known();
    } else if let Some(total) = total {
        // The total less what is reserved.
        let mut all = AgentResources::default();
        resources::add_map(all.role_mut(UNRESERVED), total)
            .map_err(|e| ExportError::at(format!("{pointer}/resources"), e))?;
        let mut free = all.role(UNRESERVED).cloned().unwrap_or_default();
        for (role, reserved) in &out.by_role {
            if role == UNRESERVED {
                continue;
            }
            for scalar in Scalar::ALL {
                free.add_scalar(scalar, -reserved.scalar(scalar));
            }
            free.ports = free.ports.minus(&reserved.ports);
        }
        for scalar in Scalar::ALL {
            if free.scalar(scalar) < 0.0 {
                free.add_scalar(scalar, -free.scalar(scalar));
            }
        }
        *out.role_mut(UNRESERVED) = free;
    }
    out.prune();
    Ok(out)
}

fn read_info(map: &Map<String, Value>) -> Result<MarathonInfo, ExportError> {
    let config = object_at(map, "marathon_config", "")?.cloned().unwrap_or_default();
    let features = match config.get("features") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    f.as_str().map(str::to_string).ok_or_else(|| {
                        ExportError::at(format!("/marathon_config/features/{i}"), "a feature should be a string")
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(other) => {
            return Err(ExportError::at(
                "/marathon_config/features",
                format!(
                    "`features` should be an array of names, found {}",
                    resources::kind(other)
                ),
            ))
        }
    };
    Ok(MarathonInfo {
        version: string_at(map, "version", "")?,
        framework_id: string_at(map, "frameworkId", "")?,
        mesos_role: string_at(&config, "mesos_role", "/marathon_config")?.filter(|r| !r.is_empty()),
        features,
        default_network_name: string_at(&config, "default_network_name", "/marathon_config")?,
    })
}

fn read_apps(apps: &[Value], pointer: &str) -> Result<Vec<ExportedApp>, ExportError> {
    apps.iter()
        .enumerate()
        .map(|(i, app)| read_app(app, &format!("{pointer}/{i}")))
        .collect()
}

fn read_app(app: &Value, pointer: &str) -> Result<ExportedApp, ExportError> {
    let Value::Object(map) = app else {
        return Err(ExportError::at(
            pointer,
            format!("an app should be an object, found {}", resources::kind(app)),
        ));
    };
    let id = match map.get("id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        _ => return Err(ExportError::at(pointer, "an exported app needs its string `id`")),
    };
    let mut tasks = Vec::new();
    if let Some(list) = map.get("tasks") {
        let Value::Array(list) = list else {
            return Err(ExportError::at(
                format!("{pointer}/tasks"),
                "`tasks` should be an array",
            ));
        };
        for (i, task) in list.iter().enumerate() {
            let at = format!("{pointer}/tasks/{i}");
            let Value::Object(task) = task else {
                return Err(ExportError::at(at, "a task should be an object"));
            };
            let Some(host) = string_at(task, "host", &at)? else {
                continue;
            };
            let ports = match task.get("ports") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(ports)) => ports
                    .iter()
                    .enumerate()
                    .map(|(j, p)| {
                        p.as_u64().filter(|&p| p <= 65535).ok_or_else(|| {
                            ExportError::at(
                                format!("{at}/ports/{j}"),
                                "a task's port should be a number from 0 to 65535",
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                Some(_) => {
                    return Err(ExportError::at(
                        format!("{at}/ports"),
                        "a task's `ports` should be an array of numbers",
                    ))
                }
            };
            let agent_id = string_at(task, "slaveId", &at)?.or(string_at(task, "agentId", &at)?);
            tasks.push(RunningTask { host, agent_id, ports });
        }
    }
    Ok(ExportedApp {
        id,
        pointer: pointer.to_string(),
        definition: app.clone(),
        tasks,
    })
}
