//! Mesos agent attributes (`rack:r1;zone:a;cores:8`), typed as Mesos types
//! them, and turned into the strings Marathon's constraints compare.

use std::fmt;

use serde_json::Value;

use crate::marathon_target::MarathonVersion;

/// An attribute value, typed as Mesos types it when the agent starts
/// (`values::parse`): `[..]` ranges, `{..}` a set, a number a scalar, else text.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeValue {
    Text(String),
    Scalar(f64),
    Ranges(Vec<(u64, u64)>),
    Set(Vec<String>),
}

impl AttributeValue {
    /// Type a value written as text, as the agent's `--attributes` flag is.
    pub fn from_text(text: &str) -> AttributeValue {
        // Mesos removes every space before it types the value.
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            let mut ranges: Vec<(u64, u64)> = inner
                .split(',')
                .filter_map(|r| {
                    let (b, e) = r.split_once('-')?;
                    Some((b.parse().ok()?, e.parse().ok()?))
                })
                .collect();
            ranges.sort();
            let mut merged: Vec<(u64, u64)> = Vec::new();
            for (b, e) in ranges {
                match merged.last_mut() {
                    Some(last) if b <= last.1.saturating_add(1) => last.1 = last.1.max(e),
                    _ => merged.push((b, e)),
                }
            }
            return AttributeValue::Ranges(merged);
        }
        if let Some(inner) = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            let mut items: Vec<String> = inner.split(',').filter(|i| !i.is_empty()).map(str::to_string).collect();
            items.sort();
            return AttributeValue::Set(items);
        }
        match text.parse::<f64>() {
            // Rust also reads `inf` and `NaN`, which Mesos' numify does not.
            Ok(number) if number.is_finite() => AttributeValue::Scalar(number),
            _ => AttributeValue::Text(text),
        }
    }

    /// A value from an export's `attributes` map: numbers are scalars,
    /// strings are typed as the agent typed them when it printed them.
    pub fn from_json(value: &Value) -> Option<AttributeValue> {
        match value {
            Value::Number(n) => n.as_f64().map(AttributeValue::Scalar),
            // Exports print text values as they are: keep them text unless
            // they are written as ranges or sets.
            Value::String(s) if s.starts_with('[') || s.starts_with('{') => Some(AttributeValue::from_text(s)),
            Value::String(s) => Some(AttributeValue::Text(s.clone())),
            Value::Bool(b) => Some(AttributeValue::Text(b.to_string())),
            _ => None,
        }
    }

    /// The string Marathon's constraints compare (`Constraints.getValueString`):
    /// scalars as Java's `NumberFormat` writes them up to 1.5 (with thousands
    /// separators, on an English JVM), as `DecimalFormat("0.###")` from 1.6.
    pub fn marathon_string(&self, version: MarathonVersion) -> String {
        match self {
            AttributeValue::Text(text) => text.clone(),
            AttributeValue::Scalar(number) => format_scalar(*number, version < MarathonVersion::V1_6),
            AttributeValue::Ranges(ranges) => {
                let parts: Vec<String> = ranges.iter().map(|(b, e)| format!("{b}-{e}")).collect();
                format!("[{}]", parts.join(","))
            }
            AttributeValue::Set(items) => format!("{{{}}}", items.join(",")),
        }
    }
}

/// A scalar with at most three decimals, rounded half to even, without
/// trailing zeros; with `grouping`, thousands separated by commas.
pub fn format_scalar(number: f64, grouping: bool) -> String {
    // Rust's fixed-precision formatting rounds the exact binary value, as
    // Java's DecimalFormat does.
    let fixed = format!("{number:.3}");
    // Java keeps the sign of a negative number that rounds to zero (`-0`).
    let trimmed = fixed.trim_end_matches('0').trim_end_matches('.');
    if !grouping {
        return trimmed.to_string();
    }
    let (sign, digits) = trimmed.strip_prefix('-').map_or(("", trimmed), |d| ("-", d));
    let (whole, fraction) = digits.split_once('.').map_or((digits, None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

impl fmt::Display for AttributeValue {
    /// As the agent's `--attributes` flag would take it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.marathon_string(MarathonVersion::NEWEST))
    }
}

/// An agent's attributes, in the order the agent lists them (Marathon takes
/// the first of two with the same name).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attributes(pub Vec<(String, AttributeValue)>);

impl Attributes {
    pub fn get(&self, name: &str) -> Option<&AttributeValue> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The agent's `--attributes` text: `rack:r1;zone:a`.
    pub fn parse_text(text: &str) -> Result<Attributes, String> {
        let mut out = Vec::new();
        for item in text.split(';').map(str::trim).filter(|i| !i.is_empty()) {
            let (name, value) = item
                .split_once(':')
                .ok_or_else(|| format!("`{item}` is not an agent attribute: expected `name:value`, e.g. `rack:r1`"))?;
            let name = name.trim();
            if name.is_empty() {
                return Err(format!("the attribute `{item}` has no name"));
            }
            out.push((name.to_string(), AttributeValue::from_text(value)));
        }
        Ok(Attributes(out))
    }

    /// An export's `attributes` object.
    pub fn from_json(map: &serde_json::Map<String, Value>) -> Attributes {
        Attributes(
            map.iter()
                .filter_map(|(name, value)| Some((name.clone(), AttributeValue::from_json(value)?)))
                .collect(),
        )
    }
}

impl fmt::Display for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, value)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            write!(f, "{name}:{value}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_typed_as_mesos_types_them() {
        let a = Attributes::parse_text("rack:r1; cores:8;ports:[3-4,1-2];disks:{b,a};zone:us east").unwrap();
        assert_eq!(a.get("rack"), Some(&AttributeValue::Text("r1".into())));
        assert_eq!(a.get("cores"), Some(&AttributeValue::Scalar(8.0)));
        assert_eq!(a.get("ports"), Some(&AttributeValue::Ranges(vec![(1, 4)])));
        assert_eq!(
            a.get("disks").unwrap().marathon_string(MarathonVersion::NEWEST),
            "{a,b}"
        );
        assert_eq!(a.get("zone"), Some(&AttributeValue::Text("useast".into())));
        assert!(Attributes::parse_text("rack").unwrap_err().contains("name:value"));
    }

    #[test]
    fn scalars_are_written_as_each_marathon_writes_them() {
        let new = |v: f64| AttributeValue::Scalar(v).marathon_string(MarathonVersion::NEWEST);
        let old = |v: f64| AttributeValue::Scalar(v).marathon_string(MarathonVersion::V1_5);
        assert_eq!(new(29160.0), "29160");
        assert_eq!(old(29160.0), "29,160");
        assert_eq!(old(1234567.5), "1,234,567.5");
        assert_eq!(new(0.8001), "0.8");
        assert_eq!(new(1.0005), "1");
        assert_eq!(new(1.00051), "1.001");
        assert_eq!(new(-3.0), "-3");
        assert_eq!(old(106.0), "106");
    }
}
