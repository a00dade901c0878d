//! Mesos agent resources, per role: what an agent offers to whom.
//!
//! Operators write agent resources either as text, as in
//! `/etc/mesos-slave/resources` or the agent's `--resources` flag
//! (`cpus:8;mem:4096;ports(slave_public):[80-80, 443-443];ports(*):[31000-32000]`),
//! or as Mesos' JSON array of resource objects. Exports give the same facts
//! as maps (`{"cpus": 4, "ports": "[31000-32000]"}`) or as the JSON objects.
//! A resource without a role belongs to `*` (unreserved). When an agent's
//! text names no `ports`, Mesos offers `[31000-32000]`; a scalar it does not
//! name is detected by the agent, so its amount is unknown here.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// The role of unreserved resources.
pub const UNRESERVED: &str = "*";

/// An inclusive range of host ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortRange {
    pub begin: u64,
    pub end: u64,
}

/// A set of host ports as sorted, disjoint, non-adjacent ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PortRanges(Vec<PortRange>);

impl PortRanges {
    /// Mesos' default when an agent's resources name no ports.
    pub fn mesos_default() -> Self {
        PortRanges(vec![PortRange {
            begin: 31000,
            end: 32000,
        }])
    }

    /// Normalise any list of ranges: sorted, overlapping and adjacent ones merged.
    pub fn from_ranges(mut ranges: Vec<PortRange>) -> Self {
        ranges.sort();
        let mut merged: Vec<PortRange> = Vec::with_capacity(ranges.len());
        for range in ranges {
            match merged.last_mut() {
                Some(last) if range.begin <= last.end.saturating_add(1) => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        PortRanges(merged)
    }

    pub fn contains(&self, port: u64) -> bool {
        // Few ranges per agent: a scan beats a search.
        self.0.iter().any(|r| r.begin <= port && port <= r.end)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many ports the ranges hold.
    pub fn count(&self) -> u64 {
        self.0.iter().map(|r| r.end - r.begin + 1).sum()
    }

    pub fn ranges(&self) -> &[PortRange] {
        &self.0
    }

    pub fn union(&self, other: &PortRanges) -> PortRanges {
        PortRanges::from_ranges(self.0.iter().chain(&other.0).copied().collect())
    }

    /// The ports of `self` that `other` does not hold.
    pub fn minus(&self, other: &PortRanges) -> PortRanges {
        // One sweep over both sorted lists: the cuts before a range are
        // never needed again.
        let mut out = Vec::new();
        let mut cuts = other.0.iter().peekable();
        for range in &self.0 {
            while cuts.next_if(|c| c.end < range.begin).is_some() {}
            let mut begin = range.begin;
            let mut pending = cuts.clone();
            while let Some(cut) = pending.next_if(|c| c.begin <= range.end) {
                if cut.begin > begin {
                    out.push(PortRange {
                        begin,
                        end: cut.begin - 1,
                    });
                }
                begin = begin.max(cut.end.saturating_add(1));
            }
            if begin <= range.end {
                out.push(PortRange { begin, end: range.end });
            }
        }
        PortRanges(out)
    }
}

impl fmt::Display for PortRanges {
    /// Mesos' own notation: `[80-80, 31000-32000]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}-{}", r.begin, r.end)?;
        }
        f.write_str("]")
    }
}

/// The scalar resources an app asks for and agents offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scalar {
    Cpus,
    Mem,
    Disk,
    Gpus,
}

impl Scalar {
    pub const ALL: [Scalar; 4] = [Scalar::Cpus, Scalar::Mem, Scalar::Disk, Scalar::Gpus];

    /// Mesos' (and Marathon's) name of the resource.
    pub fn name(self) -> &'static str {
        match self {
            Scalar::Cpus => "cpus",
            Scalar::Mem => "mem",
            Scalar::Disk => "disk",
            Scalar::Gpus => "gpus",
        }
    }

    pub fn from_name(name: &str) -> Option<Scalar> {
        Scalar::ALL.into_iter().find(|s| s.name() == name)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// What an agent offers to one role.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoleResources {
    scalars: [f64; 4],
    pub ports: PortRanges,
}

impl RoleResources {
    pub fn scalar(&self, scalar: Scalar) -> f64 {
        self.scalars[scalar.index()]
    }

    pub fn add_scalar(&mut self, scalar: Scalar, amount: f64) {
        self.scalars[scalar.index()] += amount;
    }

    fn is_empty(&self) -> bool {
        self.ports.is_empty() && self.scalars.iter().all(|&s| s == 0.0)
    }
}

/// One agent's resources, by role.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentResources {
    pub by_role: BTreeMap<String, RoleResources>,
    /// Scalars whose amount is not known (text that does not name them: the
    /// agent detects them itself); checks on them stay silent.
    unknown: [bool; 4],
}

impl AgentResources {
    pub fn is_known(&self, scalar: Scalar) -> bool {
        !self.unknown[scalar.index()]
    }

    /// The resources of one role (empty if the agent has none for it).
    pub fn role(&self, role: &str) -> Option<&RoleResources> {
        self.by_role.get(role)
    }

    pub fn role_mut(&mut self, role: &str) -> &mut RoleResources {
        self.by_role.entry(role.to_string()).or_default()
    }

    pub fn roles(&self) -> impl Iterator<Item = &str> {
        self.by_role.keys().map(String::as_str)
    }

    /// Drop roles that hold nothing (an export's empty maps).
    pub fn prune(&mut self) {
        self.by_role.retain(|_, r| !r.is_empty());
    }

    /// GPUs not named are none (`[[agents]]` lists what the agents have).
    pub fn assume_no_unnamed_gpus(&mut self) {
        self.unknown[Scalar::Gpus.index()] = false;
    }

    /// Every amount is known (an export lists them all).
    pub fn mark_all_known(&mut self) {
        self.unknown = [false; 4];
    }

    /// Mark the scalars no source gave as unknown.
    fn mark_unknown(&mut self, named: [bool; 4]) {
        for (unknown, named) in self.unknown.iter_mut().zip(named) {
            *unknown = !named;
        }
    }
}

/// Parse an agent resource string (text or JSON form), as the agent's
/// `--resources` flag takes it.
pub fn parse(input: &str) -> Result<AgentResources, String> {
    parse_for_role(input, UNRESERVED)
}

/// `parse`, for an agent whose `--default_role` gives what names no role
/// (DC/OS public agents run with `slave_public`).
pub fn parse_for_role(input: &str, default_role: &str) -> Result<AgentResources, String> {
    let input = input.trim();
    if input.starts_with('[') || input.starts_with('{') {
        let value: Value = serde_json::from_str(input)
            .map_err(|e| format!("the agent resources look like JSON but do not parse: {e}"))?;
        let mut resources = AgentResources::default();
        add_json_array_for_role(&mut resources, &value, default_role)?;
        // As in the text form, what the JSON does not name the agent detects.
        let names: Vec<&str> = match &value {
            Value::Array(items) => items
                .iter()
                .filter_map(|i| i.get("name").and_then(Value::as_str))
                .collect(),
            other => other.get("name").and_then(Value::as_str).into_iter().collect(),
        };
        resources.mark_unknown(Scalar::ALL.map(|s| names.contains(&s.name())));
        if !resources.by_role.values().any(|r| !r.ports.is_empty()) {
            resources.role_mut(default_role).ports = PortRanges::mesos_default();
        }
        resources.prune();
        return Ok(resources);
    }
    parse_text(input, default_role)
}

/// `name(role):value;name:value;...` where a ranges value is `[a-b, c-d]`.
fn parse_text(input: &str, default_role: &str) -> Result<AgentResources, String> {
    let mut resources = AgentResources::default();
    let mut named = [false; 4];
    let mut any_ports = false;
    for resource in input.split(';').map(str::trim).filter(|r| !r.is_empty()) {
        let (key, value) = split_key(resource).ok_or_else(|| {
            format!("`{resource}` is not a Mesos resource: expected `name:value`, e.g. `ports:[31000-32000]`")
        })?;
        let (name, role) = match key.split_once('(') {
            Some((name, rest)) => {
                let role = rest
                    .split_once(')')
                    .map(|(role, _)| role)
                    .ok_or_else(|| format!("the role in `{key}` is not closed: write it as `{}(role)`", name.trim()))?;
                (name.trim(), role.trim())
            }
            None => (key.trim(), default_role),
        };
        let role = if role.is_empty() { default_role } else { role };
        let value = value.trim();
        if name == "ports" {
            let ranges = parse_ranges_text(value)?;
            any_ports = true;
            let slot = resources.role_mut(role);
            slot.ports = slot.ports.union(&ranges);
        } else if let Some(scalar) = Scalar::from_name(name) {
            let amount: f64 = value
                .parse()
                .ok()
                .filter(|a: &f64| a.is_finite() && *a >= 0.0)
                .ok_or_else(|| format!("`{value}` in `{resource}` is not an amount of {name}"))?;
            named[scalar.index()] = true;
            resources.role_mut(role).add_scalar(scalar, amount);
        }
    }
    if !any_ports {
        resources.role_mut(default_role).ports = PortRanges::mesos_default();
    }
    resources.mark_unknown(named);
    resources.prune();
    Ok(resources)
}

/// Split `name(role):value` at the colon after the role (a role name may
/// not hold a colon, but keep the parenthesis intact anyway).
fn split_key(resource: &str) -> Option<(&str, &str)> {
    let search_from = resource.find(')').map_or(0, |i| i + 1);
    let colon = resource[search_from..].find(':')? + search_from;
    Some((&resource[..colon], &resource[colon + 1..]))
}

/// A ranges value as Mesos writes it: `[a-b, c-d]`.
pub fn parse_ranges_text(value: &str) -> Result<PortRanges, String> {
    let inner = value
        .trim()
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .ok_or_else(|| {
            format!("the ports resource `{value}` must be a list of ranges in brackets, e.g. `[31000-32000]`")
        })?;
    let mut ranges = Vec::new();
    for range in inner.split(',').map(str::trim).filter(|r| !r.is_empty()) {
        ranges.push(parse_range(range)?);
    }
    Ok(PortRanges::from_ranges(ranges))
}

fn parse_range(range: &str) -> Result<PortRange, String> {
    let (begin, end) = range
        .split_once('-')
        .ok_or_else(|| format!("the port range `{range}` must be written `begin-end`, e.g. `80-80`"))?;
    let number = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| format!("`{}` in the port range `{range}` is not a port number", s.trim()))
    };
    checked(number(begin)?, number(end)?)
}

fn checked(begin: u64, end: u64) -> Result<PortRange, String> {
    if begin > end {
        return Err(format!("the port range {begin}-{end} ends before it begins"));
    }
    if end > 65535 {
        return Err(format!(
            "the port range {begin}-{end} goes beyond 65535, the largest port number"
        ));
    }
    Ok(PortRange { begin, end })
}

/// The role a Mesos resource object belongs to: the last of its
/// `reservations` (Mesos 1.4+ refinement), else its `role`, else the
/// agent's default role.
fn role_of<'v>(resource: &'v Value, default_role: &'v str) -> &'v str {
    if let Some(last) = resource
        .get("reservations")
        .and_then(Value::as_array)
        .and_then(|r| r.last())
        .and_then(|r| r.get("role"))
        .and_then(Value::as_str)
    {
        return last;
    }
    resource.get("role").and_then(Value::as_str).unwrap_or(default_role)
}

/// Add an array of Mesos resource objects to `resources`.
pub fn add_json_array(resources: &mut AgentResources, value: &Value) -> Result<(), String> {
    add_json_array_for_role(resources, value, UNRESERVED)
}

fn add_json_array_for_role(resources: &mut AgentResources, value: &Value, default_role: &str) -> Result<(), String> {
    let items = match value {
        Value::Array(items) => items.as_slice(),
        Value::Object(_) => std::slice::from_ref(value),
        _ => {
            return Err(format!(
                "expected an array of Mesos resource objects, found {}",
                kind(value)
            ))
        }
    };
    for resource in items {
        let Some(name) = resource.get("name").and_then(Value::as_str) else {
            return Err(format!(
                "a Mesos resource object needs a `name`, found {}",
                short(resource)
            ));
        };
        let role = role_of(resource, default_role).to_string();
        if name == "ports" {
            let ranges = resource
                .pointer("/ranges/range")
                .and_then(Value::as_array)
                .ok_or("a JSON `ports` resource needs `\"ranges\": {\"range\": [{\"begin\": ..., \"end\": ...}]}`")?;
            let mut parsed = Vec::new();
            for range in ranges {
                let field = |name: &str| {
                    range
                        .get(name)
                        .and_then(Value::as_u64)
                        .ok_or_else(|| format!("every port range needs a numeric `{name}`, found {range}"))
                };
                parsed.push(checked(field("begin")?, field("end")?)?);
            }
            let slot = resources.role_mut(&role);
            slot.ports = slot.ports.union(&PortRanges::from_ranges(parsed));
        } else if let Some(scalar) = Scalar::from_name(name) {
            let amount = resource
                .pointer("/scalar/value")
                .and_then(Value::as_f64)
                .ok_or_else(|| format!("the `{name}` resource needs `\"scalar\": {{\"value\": ...}}`"))?;
            resources.role_mut(&role).add_scalar(scalar, amount);
        }
    }
    Ok(())
}

/// An export's map of one role's resources: `{"cpus": 4, "mem": 1024,
/// "ports": "[31000-32000]"}`. Unknown names (`gpus` on old Mesos is
/// absent: zero) are ignored.
pub fn add_map(slot: &mut RoleResources, map: &serde_json::Map<String, Value>) -> Result<(), String> {
    for (name, value) in map {
        if name == "ports" {
            let ranges = match value {
                Value::String(text) if text.trim().is_empty() => PortRanges::default(),
                Value::String(text) => parse_ranges_text(text)?,
                Value::Null => PortRanges::default(),
                other => {
                    return Err(format!(
                        "`ports` should be a string of ranges like \"[31000-32000]\", found {}",
                        kind(other)
                    ))
                }
            };
            slot.ports = slot.ports.union(&ranges);
        } else if let Some(scalar) = Scalar::from_name(name) {
            match value {
                Value::Number(n) => slot.add_scalar(scalar, n.as_f64().unwrap_or(0.0)),
                Value::Null => {}
                other => return Err(format!("`{name}` should be a number, found {}", kind(other))),
            }
        }
    }
    Ok(())
}

/// A JSON value's kind, for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}

impl fmt::Display for AgentResources {
    /// Mesos' text form, role by role: `cpus(*):4;ports(*):[31000-32000]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (role, resources) in &self.by_role {
            for scalar in Scalar::ALL {
                let amount = resources.scalar(scalar);
                if amount > 0.0 {
                    if !first {
                        f.write_str(";")?;
                    }
                    first = false;
                    write!(f, "{}{}:{amount}", scalar.name(), role_suffix(role))?;
                }
            }
            if !resources.ports.is_empty() {
                if !first {
                    f.write_str(";")?;
                }
                first = false;
                write!(f, "ports{}:{}", role_suffix(role), resources.ports)?;
            }
        }
        Ok(())
    }
}

/// `(role)` after a resource name; nothing for `*`, as Mesos writes it.
fn role_suffix(role: &str) -> String {
    if role == UNRESERVED {
        String::new()
    } else {
        format!("({role})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ports(text: &str) -> PortRanges {
        parse_ranges_text(text).unwrap()
    }

    #[test]
    fn text_form_with_other_resources_and_roles() {
        let r = parse("cpus:8;mem:4096;ports(*):[80-80, 31000-32000]").unwrap();
        let all = &r.role("*").unwrap().ports;
        assert_eq!(all.to_string(), "[80-80, 31000-32000]");
        assert!(all.contains(80) && !all.contains(81) && all.contains(32000));
        assert_eq!(r.role("*").unwrap().scalar(Scalar::Cpus), 8.0);
        assert!(r.is_known(Scalar::Mem) && !r.is_known(Scalar::Disk) && !r.is_known(Scalar::Gpus));
    }

    #[test]
    fn roles_are_kept_apart() {
        let r =
            parse("ports(slave_public):[80-80, 443-443];ports(*):[31000-32000];cpus(slave_public):2;cpus:2").unwrap();
        assert_eq!(r.roles().collect::<Vec<_>>(), vec!["*", "slave_public"]);
        assert_eq!(r.role("slave_public").unwrap().ports.to_string(), "[80-80, 443-443]");
        assert_eq!(r.role("*").unwrap().ports.to_string(), "[31000-32000]");
        assert_eq!(r.role("slave_public").unwrap().scalar(Scalar::Cpus), 2.0);
    }

    #[test]
    fn no_ports_resource_means_the_mesos_default() {
        for text in ["cpus:8;mem:4096", ""] {
            let r = parse(text).unwrap();
            assert_eq!(r.role("*").unwrap().ports, PortRanges::mesos_default(), "{text}");
        }
        assert!(!parse("").unwrap().is_known(Scalar::Cpus));
    }

    #[test]
    fn json_form_with_roles_and_reservations() {
        let json = r#"[{"name":"cpus","type":"SCALAR","scalar":{"value":8}},
                       {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":32000},{"begin":443,"end":443}]}},
                       {"name":"ports","role":"slave_public","ranges":{"range":[{"begin":80,"end":80}]}},
                       {"name":"mem","reservations":[{"role":"a"},{"role":"a/b"}],"scalar":{"value":64}}]"#;
        let r = parse(json).unwrap();
        assert_eq!(r.role("*").unwrap().ports.to_string(), "[443-443, 31000-32000]");
        assert_eq!(r.role("slave_public").unwrap().ports.to_string(), "[80-80]");
        assert_eq!(r.role("a/b").unwrap().scalar(Scalar::Mem), 64.0);
    }

    #[test]
    fn an_agents_default_role_takes_what_names_no_role() {
        let r = parse_for_role("cpus:4;ports:[80-80];mem(*):64", "slave_public").unwrap();
        assert_eq!(r.role("slave_public").unwrap().ports.to_string(), "[80-80]");
        assert_eq!(r.role("slave_public").unwrap().scalar(Scalar::Cpus), 4.0);
        assert_eq!(r.role("*").unwrap().scalar(Scalar::Mem), 64.0);
        let json = parse_for_role(r#"[{"name":"cpus","scalar":{"value":2}}]"#, "slave_public").unwrap();
        assert_eq!(json.role("slave_public").unwrap().ports, PortRanges::mesos_default());
    }

    #[test]
    fn subtracting_many_ranges_is_one_sweep() {
        let every_other: Vec<PortRange> = (0..30000)
            .map(|i| PortRange {
                begin: 2 * i,
                end: 2 * i,
            })
            .collect();
        let all = PortRanges::from_ranges(vec![PortRange { begin: 0, end: 65535 }]);
        let odd = all.minus(&PortRanges::from_ranges(every_other));
        assert_eq!(odd.count(), 65536 - 30000);
        assert!(odd.contains(1) && !odd.contains(2) && odd.contains(65535));
    }

    #[test]
    fn ranges_merge_and_subtract() {
        assert_eq!(ports("[5-9, 1-3, 4-4]").to_string(), "[1-9]");
        assert_eq!(
            ports("[1-10, 20-30]").minus(&ports("[3-4, 10-22]")).to_string(),
            "[1-2, 5-9, 23-30]"
        );
        assert_eq!(ports("[1-10]").minus(&ports("[1-10]")).count(), 0);
        assert_eq!(ports("[31000-32000]").count(), 1001);
    }

    #[test]
    fn mistakes_are_explained() {
        assert!(parse("ports:31000-32000").unwrap_err().contains("brackets"));
        assert!(parse("ports:[32000-31000]")
            .unwrap_err()
            .contains("ends before it begins"));
        assert!(parse("ports:[80]").unwrap_err().contains("begin-end"));
        assert!(parse("ports:[1-70000]").unwrap_err().contains("65535"));
        assert!(parse("cpus").unwrap_err().contains("name:value"));
        assert!(parse("cpus:lots").unwrap_err().contains("amount of cpus"));
        assert!(parse("ports(web:[1-2]").unwrap_err().contains("not closed"));
        assert!(parse("[{\"name\":\"ports\"}]").unwrap_err().contains("ranges"));
    }
}
