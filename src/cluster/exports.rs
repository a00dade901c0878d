//! The one reader of exported cluster state: Mesos' `/master/state` (and
//! the older `/state.json`), `/master/state-summary`, `/master/slaves`, an
//! agent's own `/state`, Marathon's `/v2/info` and `/v2/apps` (with or
//! without `embed=apps.tasks`, or one app as `GET /v2/apps/{id}` gives it).
//! Exports are recognised by their shape, never by their file name.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::attributes::{AttributeValue, Attributes};
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

/// Agents of one export alike in everything but their names, grouped as
/// they are read: a 10,000-agent export of a few kinds of machine is a few
/// groups, and no agent's own record is kept.
#[derive(Debug, Clone)]
pub struct AgentGroup {
    pub resources: AgentResources,
    pub attributes: Attributes,
    pub region: Option<String>,
    pub zone: Option<String>,
    pub active: bool,
    /// Each agent's id and hostname, where the export gives them.
    pub members: Vec<(Option<String>, Option<String>)>,
}

/// Groups agents as they come.
#[derive(Default)]
pub struct Grouper {
    index: HashMap<u64, Vec<usize>>,
    groups: Vec<AgentGroup>,
}

impl Grouper {
    pub fn add(&mut self, agent: Agent) {
        let same_hash = self.index.entry(group_hash(&agent)).or_default();
        let member = (agent.id, agent.hostname);
        let groups = &mut self.groups;
        match same_hash.iter().copied().find(|&i| {
            let g = &groups[i];
            g.active == agent.active
                && g.resources == agent.resources
                && g.attributes == agent.attributes
                && g.region == agent.region
                && g.zone == agent.zone
        }) {
            Some(i) => groups[i].members.push(member),
            None => {
                same_hash.push(groups.len());
                groups.push(AgentGroup {
                    resources: agent.resources,
                    attributes: agent.attributes,
                    region: agent.region,
                    zone: agent.zone,
                    active: agent.active,
                    members: vec![member],
                });
            }
        }
    }

    pub fn finish(self) -> Vec<AgentGroup> {
        self.groups
    }
}

/// A hash of what makes two agents alike, computed without copying or
/// formatting anything; equal hashes are then compared in full.
fn group_hash(agent: &Agent) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    agent.active.hash(&mut hasher);
    for (role, offered) in &agent.resources.by_role {
        role.hash(&mut hasher);
        for scalar in Scalar::ALL {
            offered.scalar(scalar).to_bits().hash(&mut hasher);
            agent.resources.is_known(scalar).hash(&mut hasher);
        }
        offered.ports.hash(&mut hasher);
    }
    for (name, value) in &agent.attributes.0 {
        name.hash(&mut hasher);
        match value {
            AttributeValue::Text(text) => text.hash(&mut hasher),
            AttributeValue::Scalar(number) => number.to_bits().hash(&mut hasher),
            AttributeValue::Ranges(ranges) => ranges.hash(&mut hasher),
            AttributeValue::Set(items) => items.hash(&mut hasher),
        }
    }
    agent.region.hash(&mut hasher);
    agent.zone.hash(&mut hasher);
    hasher.finish()
}

/// What one export holds.
#[derive(Debug, Clone)]
pub enum Export {
    /// Mesos agents, and the role of each framework called `marathon` (by
    /// framework id) where the export lists frameworks.
    Agents {
        kind: &'static str,
        groups: Vec<AgentGroup>,
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
     Marathon /v2/info, /v2/apps, /v2/apps/{id} or /v2/groups";

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
    // A /v2/groups export: a group with its apps and groups, nested.
    if map.get("groups").is_some_and(Value::is_array) && map.get("id").is_some_and(Value::is_string) {
        let mut apps = Vec::new();
        read_group(map, "", &mut apps, 0)?;
        return Ok(Export::Apps(apps));
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
        let mut grouper = Grouper::default();
        for (i, slave) in slaves.iter().enumerate() {
            grouper.add(read_agent(slave, &format!("/slaves/{i}"))?);
        }
        return Ok(Export::Agents {
            kind,
            groups: grouper.finish(),
            marathon_roles: marathon_roles(map),
        });
    }
    let is_agent_state = map.get("flags").is_some_and(Value::is_object)
        && map.get("id").is_some_and(Value::is_string)
        && map.get("resources").is_some_and(Value::is_object);
    if is_agent_state {
        let mut grouper = Grouper::default();
        grouper.add(read_agent(value, "")?);
        return Ok(Export::Agents {
            kind: "Mesos agent /state",
            groups: grouper.finish(),
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
    let frameworks = map
        .get("frameworks")
        .and_then(|f| Vec::<TypedFramework<'_>>::deserialize(f).ok())
        .unwrap_or_default();
    roles_of_marathons(&frameworks)
}

fn roles_of_marathons(frameworks: &[TypedFramework<'_>]) -> Vec<(String, String)> {
    frameworks
        .iter()
        .filter(|f| f.name.as_deref() == Some("marathon"))
        .filter_map(|f| Some((f.id.as_deref()?.to_string(), f.role.as_deref()?.to_string())))
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

/// One agent as exports write it: only what placement reads is kept, the
/// rest (used and offered resources, tasks, capabilities) is skipped unread.
/// Strings borrow from the text where they can.
#[derive(Deserialize)]
struct TypedAgent<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    hostname: Option<Cow<'a, str>>,
    #[serde(default)]
    active: Option<bool>,
    #[serde(default)]
    attributes: Option<Map<String, Value>>,
    #[serde(borrow, default)]
    resources: Option<RoleMap<'a>>,
    #[serde(borrow, default)]
    reserved_resources: Option<BTreeMap<String, RoleMap<'a>>>,
    #[serde(borrow, default)]
    unreserved_resources: Option<RoleMap<'a>>,
    #[serde(default)]
    reserved_resources_full: Option<BTreeMap<String, Value>>,
    #[serde(default)]
    unreserved_resources_full: Option<Value>,
    #[serde(default)]
    domain: Option<Domain>,
    #[serde(borrow, default)]
    flags: Option<AgentFlags<'a>>,
}

/// One role's resources in an export's map form.
#[derive(Deserialize, Default)]
struct RoleMap<'a> {
    #[serde(default)]
    cpus: Option<f64>,
    #[serde(default)]
    mem: Option<f64>,
    #[serde(default)]
    disk: Option<f64>,
    #[serde(default)]
    gpus: Option<f64>,
    #[serde(borrow, default)]
    ports: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Domain {
    #[serde(default)]
    fault_domain: Option<FaultDomain>,
}

#[derive(Deserialize)]
struct FaultDomain {
    #[serde(default)]
    region: Option<Named>,
    #[serde(default)]
    zone: Option<Named>,
}

#[derive(Deserialize)]
struct Named {
    #[serde(default)]
    name: Option<String>,
}

/// An agent's own flags (agent `/state`): every value is a string.
#[derive(Deserialize)]
struct AgentFlags<'a> {
    #[serde(borrow, default)]
    resources: Option<Cow<'a, str>>,
    /// The role of what `resources` names without one, and of what the
    /// agent detects (`*` unless set; DC/OS public agents: `slave_public`).
    #[serde(borrow, default)]
    default_role: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    attributes: Option<Cow<'a, str>>,
}

/// A master export read straight into agents: the fast way for large
/// exports. `None` when the text is not a master export of the usual shape
/// (the general reader then reads it, and explains any problem).
#[derive(Deserialize)]
struct TypedMaster<'a> {
    /// Each agent is converted as soon as it is read, so the export's own
    /// form of all of them is never in memory at once.
    #[serde(deserialize_with = "convert_each")]
    slaves: Result<Vec<AgentGroup>, ExportError>,
    #[serde(borrow, default)]
    frameworks: Option<Vec<TypedFramework<'a>>>,
    #[serde(default)]
    flags: Option<IgnoredAny>,
    #[serde(default)]
    marathon_config: Option<IgnoredAny>,
    #[serde(default)]
    apps: Option<IgnoredAny>,
    #[serde(default)]
    app: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct TypedFramework<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    role: Option<Cow<'a, str>>,
}

/// Read a master export (`/master/state`, `/state-summary`, `/master/slaves`)
/// without building the whole document, when it has the usual shape.
pub fn read_master_fast(text: &str) -> Option<Result<Export, ExportError>> {
    let master: TypedMaster<'_> = serde_json::from_str(text).ok()?;
    if master.marathon_config.is_some() || master.apps.is_some() || master.app.is_some() {
        return None;
    }
    let kind = match (&master.frameworks, &master.flags) {
        (Some(_), Some(_)) => "Mesos /master/state",
        (Some(_), None) => "Mesos /master/state-summary",
        (None, _) => "Mesos /master/slaves",
    };
    let marathon_roles = roles_of_marathons(master.frameworks.as_deref().unwrap_or_default());
    let groups = match master.slaves {
        Ok(groups) => groups,
        Err(e) => return Some(Err(e)),
    };
    Some(Ok(Export::Agents {
        kind,
        groups,
        marathon_roles,
    }))
}

/// Read `slaves` one agent at a time, converting and grouping each; the
/// first agent that does not convert is the error (the others are then
/// skipped unread).
fn convert_each<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Result<Vec<AgentGroup>, ExportError>, D::Error> {
    struct Each;
    impl<'de> serde::de::Visitor<'de> for Each {
        type Value = Result<Vec<AgentGroup>, ExportError>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of agents")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut grouper = Grouper::default();
            let mut memo = RangesMemo::default();
            let mut failed = None;
            let mut i = 0;
            let mut pointer = String::new();
            while failed.is_none() {
                let Some(agent) = seq.next_element::<TypedAgent<'de>>()? else {
                    break;
                };
                pointer.clear();
                std::fmt::Write::write_fmt(&mut pointer, format_args!("/slaves/{i}")).ok();
                match convert_agent(agent, &pointer, &mut memo) {
                    Ok(agent) => grouper.add(agent),
                    Err(e) => failed = Some(e),
                }
                i += 1;
            }
            if let Some(e) = failed {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                return Ok(Err(e));
            }
            Ok(Ok(grouper.finish()))
        }
    }
    deserializer.deserialize_seq(Each)
}

/// One agent of a master export, or an agent's own `/state`.
fn read_agent(value: &Value, pointer: &str) -> Result<Agent, ExportError> {
    if !value.is_object() {
        return Err(ExportError::at(
            pointer,
            format!("an agent should be an object, found {}", resources::kind(value)),
        ));
    }
    let typed = TypedAgent::deserialize(value)
        .map_err(|e| ExportError::at(pointer, format!("this agent is not as Mesos exports agents: {e}")))?;
    convert_agent(typed, pointer, &mut RangesMemo::default())
}

/// The last few port-range strings read, parsed: an export repeats the same
/// few strings for thousands of agents.
#[derive(Default)]
struct RangesMemo(Vec<(String, resources::PortRanges)>);

impl RangesMemo {
    fn parse(&mut self, text: &str) -> Result<resources::PortRanges, String> {
        if let Some((_, ranges)) = self.0.iter().find(|(t, _)| t == text) {
            return Ok(ranges.clone());
        }
        let ranges = resources::parse_ranges_text(text)?;
        if self.0.len() == 8 {
            self.0.remove(0);
        }
        self.0.push((text.to_string(), ranges.clone()));
        Ok(ranges)
    }
}

fn add_role_map(slot: &mut resources::RoleResources, map: &RoleMap<'_>, memo: &mut RangesMemo) -> Result<(), String> {
    for (scalar, amount) in [
        (Scalar::Cpus, map.cpus),
        (Scalar::Mem, map.mem),
        (Scalar::Disk, map.disk),
        (Scalar::Gpus, map.gpus),
    ] {
        if let Some(amount) = amount.filter(|a| a.is_finite()) {
            slot.add_scalar(scalar, amount.max(0.0));
        }
    }
    if let Some(ports) = map.ports.as_deref().filter(|p| !p.trim().is_empty()) {
        let ranges = memo.parse(ports)?;
        slot.ports = if slot.ports.is_empty() {
            ranges
        } else {
            slot.ports.union(&ranges)
        };
    }
    Ok(())
}

fn convert_agent(typed: TypedAgent<'_>, pointer: &str, memo: &mut RangesMemo) -> Result<Agent, ExportError> {
    let attributes = match (
        &typed.attributes,
        typed.flags.as_ref().and_then(|f| f.attributes.as_deref()),
    ) {
        (Some(attributes), _) if !attributes.is_empty() => Attributes::from_json(attributes),
        (_, Some(text)) => {
            Attributes::parse_text(text).map_err(|e| ExportError::at(format!("{pointer}/flags/attributes"), e))?
        }
        _ => Attributes::default(),
    };
    let fault = typed.domain.as_ref().and_then(|d| d.fault_domain.as_ref());
    let region = fault.and_then(|f| f.region.as_ref()).and_then(|n| n.name.clone());
    let zone = fault.and_then(|f| f.zone.as_ref()).and_then(|n| n.name.clone());
    Ok(Agent {
        id: typed.id.as_deref().map(str::to_string),
        hostname: typed.hostname.as_deref().map(str::to_string),
        resources: agent_resources(&typed, pointer, memo)?,
        attributes,
        region,
        zone,
        // Mesos 0.19 does not say; its agents were listed because active.
        active: typed.active.unwrap_or(true),
    })
}

/// An agent's resources by role. Reservations come from
/// `reserved_resources` (or its `_full` form); unreserved resources from
/// `unreserved_resources` (or its `_full` form), else the total less the
/// reservations. Older Mesos lists only the total: all of it is `*`. An
/// agent's own `/state` of older Mesos shows its static reservations only in
/// its `--resources` flag.
fn agent_resources(
    typed: &TypedAgent<'_>,
    pointer: &str,
    memo: &mut RangesMemo,
) -> Result<AgentResources, ExportError> {
    let mut out = AgentResources::default();
    let mut reserved_any = false;
    if let Some(reserved) = &typed.reserved_resources {
        for (role, map) in reserved {
            let at = format!(
                "{pointer}/reserved_resources/{}",
                crate::diagnostic::escape_pointer_token(role)
            );
            add_role_map(out.role_mut(role), map, memo).map_err(|e| ExportError::at(format!("{at}/ports"), e))?;
            reserved_any = true;
        }
    } else if let Some(reserved) = &typed.reserved_resources_full {
        for (role, resources) in reserved {
            let at = format!(
                "{pointer}/reserved_resources_full/{}",
                crate::diagnostic::escape_pointer_token(role)
            );
            resources::add_json_array(&mut out, resources).map_err(|e| ExportError::at(at, e))?;
            reserved_any = true;
        }
    }
    let flag = typed
        .flags
        .as_ref()
        .and_then(|f| f.resources.as_deref())
        .filter(|_| !reserved_any);
    let default_role = typed
        .flags
        .as_ref()
        .and_then(|f| f.default_role.as_deref())
        .filter(|r| !r.is_empty())
        .unwrap_or(UNRESERVED);
    if let Some(unreserved) = &typed.unreserved_resources {
        add_role_map(out.role_mut(UNRESERVED), unreserved, memo)
            .map_err(|e| ExportError::at(format!("{pointer}/unreserved_resources/ports"), e))?;
    } else if let Some(full) = typed.unreserved_resources_full.as_ref().filter(|v| v.is_array()) {
        resources::add_json_array(&mut out, full)
            .map_err(|e| ExportError::at(format!("{pointer}/unreserved_resources_full"), e))?;
    } else if let Some(flag) = flag {
        // An agent's own state from before Mesos 0.28: its flag says which
        // roles hold what; the total fills in what the flag leaves to the
        // agent to detect.
        let flagged = resources::parse_for_role(flag, default_role)
            .map_err(|e| ExportError::at(format!("{pointer}/flags/resources"), e))?;
        let mut total = resources::RoleResources::default();
        if let Some(map) = &typed.resources {
            add_role_map(&mut total, map, memo)
                .map_err(|e| ExportError::at(format!("{pointer}/resources/ports"), e))?;
        }
        out = flagged.clone();
        for scalar in Scalar::ALL {
            if !flagged.is_known(scalar) {
                let named: f64 = flagged.by_role.values().map(|r| r.scalar(scalar)).sum();
                out.role_mut(default_role)
                    .add_scalar(scalar, (total.scalar(scalar) - named).max(0.0));
            }
        }
        out.mark_all_known();
    } else if let Some(map) = &typed.resources {
        // The total less what is reserved.
        let mut free = resources::RoleResources::default();
        add_role_map(&mut free, map, memo).map_err(|e| ExportError::at(format!("{pointer}/resources/ports"), e))?;
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
        // An agent's own state without role maps: what is not reserved is
        // its default role's.
        *out.role_mut(default_role) = free;
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

/// The apps of a group of a /v2/groups export and of all its groups. Ids
/// there are absolute, as Marathon writes them.
fn read_group(
    map: &Map<String, Value>,
    pointer: &str,
    out: &mut Vec<ExportedApp>,
    depth: usize,
) -> Result<(), ExportError> {
    // Marathon's groups nest as ids do; this bounds a hostile file.
    if depth > 64 {
        return Err(ExportError::at(pointer, "groups nest more than 64 deep"));
    }
    match map.get("apps") {
        None | Some(Value::Null) => {}
        Some(Value::Array(apps)) => out.extend(read_apps(apps, &format!("{pointer}/apps"))?),
        Some(_) => {
            return Err(ExportError::at(
                format!("{pointer}/apps"),
                "`apps` should be an array of apps",
            ))
        }
    }
    if let Some(Value::Array(groups)) = map.get("groups") {
        for (i, group) in groups.iter().enumerate() {
            let at = format!("{pointer}/groups/{i}");
            let Value::Object(group) = group else {
                return Err(ExportError::at(at, "a group should be an object"));
            };
            read_group(group, &at, out, depth + 1)?;
        }
    }
    Ok(())
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
