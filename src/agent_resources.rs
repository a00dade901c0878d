//! The Mesos agent `ports` resource: which host ports an agent offers.
//!
//! Operators write agent resources either as text, as in
//! `/etc/mesos-slave/resources` or `--resources`
//! (`cpus:8;mem:4096;ports(*):[80-80, 31000-32000]`), or as Mesos' JSON array
//! (`[{"name": "ports", "type": "RANGES", "ranges": {"range": [{"begin": 80, "end": 80}]}}]`).
//! When no `ports` resource is given, Mesos offers `[31000-32000]`.

use std::fmt;

/// An inclusive range of host ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PortRange {
    pub begin: u64,
    pub end: u64,
}

/// The union of the `ports` ranges an agent offers, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortRanges(Vec<PortRange>);

impl Default for PortRanges {
    /// Mesos' default when the agent's resources name no ports.
    fn default() -> Self {
        PortRanges(vec![PortRange {
            begin: 31000,
            end: 32000,
        }])
    }
}

impl PortRanges {
    pub fn contains(&self, port: u64) -> bool {
        self.0.iter().any(|r| r.begin <= port && port <= r.end)
    }
}

impl fmt::Display for PortRanges {
    /// Mesos' own notation: `[80-80, 31000-32000]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|r| format!("{}-{}", r.begin, r.end)).collect();
        write!(f, "[{}]", parts.join(", "))
    }
}

/// Parse an agent resource string (text or JSON form) and keep its ports.
pub fn parse(input: &str) -> Result<PortRanges, String> {
    let input = input.trim();
    let ranges = if input.starts_with('[') || input.starts_with('{') {
        parse_json(input)?
    } else {
        parse_text(input)?
    };
    if ranges.is_empty() {
        return Ok(PortRanges::default());
    }
    let mut ranges = ranges;
    ranges.sort();
    Ok(PortRanges(ranges))
}

/// `name(role):value;name:value;...` where a ranges value is `[a-b, c-d]`.
fn parse_text(input: &str) -> Result<Vec<PortRange>, String> {
    let mut ports = Vec::new();
    for resource in input.split(';').map(str::trim).filter(|r| !r.is_empty()) {
        let (key, value) = resource.split_once(':').ok_or_else(|| {
            format!("`{resource}` is not a Mesos resource: expected `name:value`, e.g. `ports:[31000-32000]`")
        })?;
        // Strip a role, as in `ports(*)` or `ports(web)`.
        let name = key.split_once('(').map_or(key, |(name, _)| name).trim();
        if name != "ports" {
            continue;
        }
        let value = value.trim();
        let inner = value
            .strip_prefix('[')
            .and_then(|v| v.strip_suffix(']'))
            .ok_or_else(|| {
                format!("the ports resource `{value}` must be a list of ranges in brackets, e.g. `[31000-32000]`")
            })?;
        for range in inner.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            ports.push(parse_range(range)?);
        }
    }
    Ok(ports)
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

/// Mesos' JSON form: an array of resource objects.
fn parse_json(input: &str) -> Result<Vec<PortRange>, String> {
    let value: serde_json::Value =
        serde_json::from_str(input).map_err(|e| format!("the agent resources look like JSON but do not parse: {e}"))?;
    let resources = match &value {
        serde_json::Value::Array(items) => items.as_slice(),
        _ => std::slice::from_ref(&value),
    };
    let mut ports = Vec::new();
    for resource in resources {
        if resource.get("name").and_then(|n| n.as_str()) != Some("ports") {
            continue;
        }
        let ranges = resource
            .pointer("/ranges/range")
            .and_then(|r| r.as_array())
            .ok_or("a JSON `ports` resource needs `\"ranges\": {\"range\": [{\"begin\": ..., \"end\": ...}]}`")?;
        for range in ranges {
            let field = |name: &str| {
                range
                    .get(name)
                    .and_then(|v| v.as_u64())
                    .ok_or_else(|| format!("every port range needs a numeric `{name}`, found {range}"))
            };
            ports.push(checked(field("begin")?, field("end")?)?);
        }
    }
    Ok(ports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_with_other_resources_and_roles() {
        let ranges = parse("cpus:8;mem:4096;ports(*):[80-80, 31000-32000]").unwrap();
        assert_eq!(ranges.to_string(), "[80-80, 31000-32000]");
        assert!(ranges.contains(80));
        assert!(!ranges.contains(81));
        assert!(ranges.contains(32000));
    }

    #[test]
    fn no_ports_resource_means_the_mesos_default() {
        assert_eq!(parse("cpus:8;mem:4096").unwrap(), PortRanges::default());
        assert_eq!(parse("").unwrap().to_string(), "[31000-32000]");
    }

    #[test]
    fn json_form() {
        let json = r#"[{"name":"cpus","type":"SCALAR","scalar":{"value":8}},
                       {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":32000},{"begin":443,"end":443}]}}]"#;
        assert_eq!(parse(json).unwrap().to_string(), "[443-443, 31000-32000]");
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
        assert!(parse("[{\"name\":\"ports\"}]").unwrap_err().contains("ranges"));
    }
}
