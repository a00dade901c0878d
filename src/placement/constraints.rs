//! Marathon's placement constraints as offer filters (`Constraints.scala`):
//! which agents each constraint lets an app's tasks onto, per version.
//! 1.4 and 1.5 know UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE and MAX_PER on
//! `hostname` and attributes; 1.6 adds IS and the fields `@hostname`,
//! `@region` and `@zone`. An agent without the field meets only UNLIKE.

use serde_json::Value;

use crate::marathon_target::MarathonVersion;

use super::projection::Projected;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Unique,
    Cluster,
    GroupBy,
    Like,
    Unlike,
    MaxPer,
    Is,
}

/// What a constraint's field reads on an agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Hostname,
    Region,
    Zone,
    Attribute(String),
}

/// A well-formed constraint of an app (malformed ones are validation's).
#[derive(Debug, Clone)]
pub struct Constraint {
    pub field_name: String,
    pub field: Field,
    pub operator: Operator,
    pub value: Option<String>,
    /// Pointer of the constraint (`/constraints/0`).
    pub pointer: String,
    /// Where its field's value is in a view's `Projected::values`.
    pub field_index: usize,
    /// LIKE and UNLIKE patterns, anchored as Java's `String.matches`
    /// anchors them; `None` when the pattern is not one this engine reads.
    regex: Option<regex::Regex>,
}

/// Whether an agent meets a constraint, as far as can be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meets {
    Yes,
    No,
    Unknown,
}

impl Constraint {
    /// `["rack", "LIKE", "r[1-3]"]` as written.
    pub fn text(&self) -> String {
        let op = format!("{:?}", self.operator)
            .to_uppercase()
            .replace("GROUPBY", "GROUP_BY")
            .replace("MAXPER", "MAX_PER");
        match &self.value {
            Some(value) => format!("[\"{}\", \"{op}\", \"{value}\"]", self.field_name),
            None => format!("[\"{}\", \"{op}\"]", self.field_name),
        }
    }

    /// Whether an agent whose field reads `value` (`None`: the agent has no
    /// such field) is let on, before counting the app's other tasks.
    pub fn admits(&self, value: Option<&str>, version: MarathonVersion) -> Meets {
        let Some(value_here) = value else {
            return if self.operator == Operator::Unlike {
                Meets::Yes
            } else {
                Meets::No
            };
        };
        let wanted = self.value.as_deref().unwrap_or("");
        let yes = |b: bool| if b { Meets::Yes } else { Meets::No };
        match self.operator {
            Operator::Unique | Operator::GroupBy | Operator::MaxPer => Meets::Yes,
            Operator::Cluster => yes(wanted.is_empty() || value_here == wanted),
            Operator::Is => yes(value_here == normalised_is_value(wanted)),
            Operator::Like | Operator::Unlike => {
                // Up to 1.5, an empty pattern on hostname is still matched.
                let old_hostname = version < MarathonVersion::V1_6 && self.field == Field::Hostname;
                if wanted.is_empty() && !old_hostname {
                    return Meets::No;
                }
                let Some(regex) = &self.regex else {
                    return Meets::Unknown;
                };
                let matched = regex.is_match(value_here);
                yes(if self.operator == Operator::Like {
                    matched
                } else {
                    !matched
                })
            }
        }
    }

    /// The field's value on the agents of a merged class (not for hostnames,
    /// which differ from agent to agent).
    pub fn value_in<'p>(&self, class: &'p Projected) -> Option<&'p str> {
        class.values.get(self.field_index).and_then(|v| v.as_deref())
    }

    /// Whether it filters agents at all (UNIQUE, GROUP_BY and MAX_PER only
    /// need the field to be there).
    pub fn is_filter(&self) -> bool {
        matches!(self.operator, Operator::Like | Operator::Unlike | Operator::Is)
            || (self.operator == Operator::Cluster && self.value.as_deref().is_some_and(|v| !v.is_empty()))
    }
}

/// IS compares a number as Marathon 1.6+ writes scalars.
fn normalised_is_value(value: &str) -> String {
    let numeric = !value.is_empty()
        && value
            .split_once('.')
            .map_or(value.bytes().all(|b| b.is_ascii_digit()), |(w, f)| {
                !w.is_empty() && !f.is_empty() && (w.to_string() + f).bytes().all(|b| b.is_ascii_digit())
            });
    match value.parse::<f64>() {
        Ok(number) if numeric => crate::cluster::attributes::format_scalar(number, false),
        _ => value.to_string(),
    }
}

/// Marathon matches with Java's regular expressions; this engine's agree
/// with them on the common syntax. Constructs that mean something else in
/// Java (POSIX classes, Unicode-aware `\w`, `\d`, `\s`, `\b`, flags,
/// class intersections) make the pattern unknown, so it is not judged.
fn java_compatible(pattern: &str) -> Option<regex::Regex> {
    const DIFFERENT: &[&str] = &[
        "[:", "\\w", "\\W", "\\d", "\\D", "\\s", "\\S", "\\b", "\\B", "\\p", "\\P", "\\h", "\\H", "\\R", "\\X", "\\Q",
        "\\E", "\\z", "\\Z", "\\A", "\\G", "(?", "&&",
    ];
    if DIFFERENT.iter().any(|d| pattern.contains(d)) {
        return None;
    }
    regex::Regex::new(&format!("^(?:{pattern})$")).ok()
}

/// The app's well-formed constraints, read as the target version reads them.
pub fn read(app: &Value, app_pointer: &str, version: MarathonVersion) -> Vec<Constraint> {
    let Some(Value::Array(items)) = app.get("constraints") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(parts) = item.as_array() else { continue };
        let strings: Option<Vec<&str>> = parts.iter().map(Value::as_str).collect();
        let Some(parts) = strings else { continue };
        let (field_name, op, value) = match parts.as_slice() {
            [field, op] => (*field, *op, None),
            [field, op, value] => (*field, *op, Some(value.to_string())),
            _ => continue,
        };
        let operator = match op {
            "UNIQUE" => Operator::Unique,
            "CLUSTER" => Operator::Cluster,
            "GROUP_BY" => Operator::GroupBy,
            "LIKE" => Operator::Like,
            "UNLIKE" => Operator::Unlike,
            "MAX_PER" => Operator::MaxPer,
            "IS" if version >= MarathonVersion::V1_6 => Operator::Is,
            _ => continue,
        };
        if field_name.is_empty() {
            continue;
        }
        let new_fields = version >= MarathonVersion::V1_6;
        let field = match field_name {
            "hostname" => Field::Hostname,
            "@hostname" if new_fields => Field::Hostname,
            "@region" if new_fields => Field::Region,
            "@zone" if new_fields => Field::Zone,
            other => Field::Attribute(other.to_string()),
        };
        let regex = match (operator, value.as_deref()) {
            (Operator::Like | Operator::Unlike, Some(pattern)) => java_compatible(pattern),
            _ => None,
        };
        out.push(Constraint {
            field_name: field_name.to_string(),
            field,
            operator,
            value,
            pointer: format!("{app_pointer}/constraints/{i}"),
            field_index: 0,
            regex,
        });
    }
    out
}

/// The distinct fields the constraints read, each constraint told where its
/// own is.
pub fn fields(constraints: &mut [Constraint]) -> Vec<Field> {
    let mut fields: Vec<Field> = Vec::new();
    for constraint in constraints {
        constraint.field_index = match fields.iter().position(|f| *f == constraint.field) {
            Some(i) => i,
            None => {
                fields.push(constraint.field.clone());
                fields.len() - 1
            }
        };
    }
    fields
}

/// How many agents of a merged class a constraint lets on, by itself:
/// `None` when that cannot be known (hostnames not listed, a pattern not
/// understood).
pub fn agents_admitted(constraint: &Constraint, class: &Projected, version: MarathonVersion) -> Option<usize> {
    if constraint.field == Field::Hostname {
        // Every agent has a hostname: only filters need to read them.
        if !constraint.is_filter() {
            return Some(class.count);
        }
        if !class.hostnames_known || class.hostnames.len() != class.count || class.count == 0 {
            return None;
        }
        let mut admitted = 0;
        for hostname in &class.hostnames {
            match constraint.admits(Some(hostname), version) {
                Meets::Yes => admitted += 1,
                Meets::No => {}
                Meets::Unknown => return None,
            }
        }
        return Some(admitted);
    }
    match constraint.admits(constraint.value_in(class), version) {
        Meets::Yes => Some(class.count),
        Meets::No => Some(0),
        Meets::Unknown => None,
    }
}
