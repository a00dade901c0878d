//! Validate apps and groups against our JSON Schema (`schemas/`) and turn each
//! error into a plain-words diagnostic at the right place.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::Validator;
use serde_json::Value;

use crate::diagnostic::{pointer_join, Diagnostic, Target};
use crate::model::Kind;

pub const APP_SCHEMA: &str = include_str!("../schemas/marathon-app.schema.json");
pub const GROUP_SCHEMA: &str = include_str!("../schemas/marathon-group.schema.json");
/// The same, as validation reads them: descriptions (for editors) dropped,
/// minified (build.rs).
const APP_VALIDATION: &str = include_str!(concat!(env!("OUT_DIR"), "/marathon-app.validation.json"));
const GROUP_VALIDATION: &str = include_str!(concat!(env!("OUT_DIR"), "/marathon-group.validation.json"));

struct Schema {
    /// The schema with its descriptions (for messages): read only when a
    /// document has a schema violation.
    text: &'static str,
    document: OnceLock<Value>,
    validator: Validator,
    /// Every property name the schema knows, with the places it belongs
    /// (`container.docker`, or "" for the top level): only unknown fields
    /// need it.
    known_places: OnceLock<BTreeMap<String, Vec<String>>>,
}

impl Schema {
    fn document(&self) -> &Value {
        self.document
            .get_or_init(|| serde_json::from_str(self.text).expect("built-in schema is JSON"))
    }
}

/// Compile `validation` (the schema without descriptions); `text` is the
/// whole schema, for messages. Both are the same schema, so error paths
/// into one are paths into the other.
fn load(validation: &str, text: &'static str) -> Schema {
    // Built-in schemas are checked by the tests; a broken one is a build defect.
    let document: Value = serde_json::from_str(validation).expect("built-in schema is JSON");
    // The schema is compiled as a resource behind a one-line draft-07 root:
    // jsonschema checks only the root against its meta-schema, and building
    // the 2020-12 meta-schema validator was a third of a one-file run. Our
    // schemas are checked against 2020-12 by the tests instead.
    let compiled = with_lazy_patterns(document);
    let registry = jsonschema::Registry::new()
        .add(SCHEMA_URI, &compiled)
        .and_then(|builder| builder.prepare())
        .expect("built-in schema registers");
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .with_registry(&registry)
        .with_keyword(LAZY_PATTERN, |_, pattern, _| {
            Ok(Box::new(LazyPattern {
                source: pattern.as_str().unwrap_or_default().to_string(),
                regex: OnceLock::new(),
            }))
        })
        .build(&serde_json::json!({ "$ref": SCHEMA_URI }))
        .expect("built-in schema compiles");
    Schema {
        text,
        document: OnceLock::new(),
        validator,
        known_places: OnceLock::new(),
    }
}

/// Compile the app schema now (on a thread of its own, at start-up), so a
/// later check finds it ready or waits only for the rest.
pub fn warm_up() {
    schema_for(Kind::App);
}

fn schema_for(kind: Kind) -> &'static Schema {
    static APP: OnceLock<Schema> = OnceLock::new();
    static GROUP: OnceLock<Schema> = OnceLock::new();
    match kind {
        Kind::App => APP.get_or_init(|| load(APP_VALIDATION, APP_SCHEMA)),
        Kind::Group => GROUP.get_or_init(|| load(GROUP_VALIDATION, GROUP_SCHEMA)),
    }
}

/// Where the compiled schema is registered (never fetched).
const SCHEMA_URI: &str = "urn:marathon-lint:schema";

/// The keyword every `pattern` becomes in the compiled schema.
const LAZY_PATTERN: &str = "x-lazy-pattern";

/// A `pattern` compiled on first use. Compiling all of the schema's regexes
/// up front was a quarter of a one-file run (callgrind), while a file uses a
/// few of them. Our patterns are plain regexes with the same meaning in
/// ECMA-262 and the `regex` crate (a unit test compiles every one).
struct LazyPattern {
    source: String,
    regex: OnceLock<Option<regex::Regex>>,
}

impl LazyPattern {
    fn matches(&self, text: &str) -> bool {
        let regex = self.regex.get_or_init(|| regex::Regex::new(&self.source).ok());
        regex.as_ref().is_none_or(|r| r.is_match(text))
    }
}

impl<'i> jsonschema::Keyword<'i> for LazyPattern {
    fn validate(&self, instance: &'i Value) -> Result<(), jsonschema::ValidationError<'i>> {
        if self.is_valid(instance) {
            Ok(())
        } else {
            Err(jsonschema::ValidationError::custom(format!(
                "does not match {}",
                self.source
            )))
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        instance.as_str().is_none_or(|text| self.matches(text))
    }
}

/// A string that does not match its field's pattern.
fn pattern_violation(
    violation: &dyn Fn(String) -> Diagnostic,
    node: Option<&Value>,
    subject: &str,
    instance: &Value,
    pattern: &str,
) -> Diagnostic {
    let d = violation(format!(
        "{subject} {} does not have the form Marathon requires (it must match `{pattern}`)",
        describe_value(instance)
    ))
    .label("invalid value");
    // Enums that Marathon reads case-insensitively are patterns with their
    // values listed as `examples`.
    let examples = node.and_then(|n| n.get("examples")).and_then(Value::as_array);
    let near = examples.zip(instance.as_str()).and_then(|(examples, text)| {
        let names: Vec<String> = examples.iter().filter_map(Value::as_str).map(str::to_string).collect();
        closest(text, names.iter()).cloned()
    });
    match near {
        Some(near) => d.help(format!("did you mean \"{near}\"?")),
        None => d,
    }
}

/// The schema as compiled: every `pattern` keyword renamed to the lazy one.
/// Only schema positions are rewritten, never a property named "pattern".
fn with_lazy_patterns(mut node: Value) -> Value {
    fn walk(node: &mut Value) {
        let Value::Object(map) = node else { return };
        if let Some(pattern) = map.remove("pattern") {
            map.insert(LAZY_PATTERN.to_string(), pattern);
        }
        for (key, value) in map.iter_mut() {
            match (key.as_str(), value) {
                ("properties" | "$defs" | "patternProperties" | "dependentSchemas", Value::Object(subs)) => {
                    subs.values_mut().for_each(walk)
                }
                ("prefixItems" | "allOf" | "anyOf" | "oneOf", Value::Array(subs)) => subs.iter_mut().for_each(walk),
                (
                    "items" | "additionalProperties" | "not" | "if" | "then" | "else" | "contains" | "propertyNames",
                    sub,
                ) => walk(sub),
                _ => {}
            }
        }
    }
    walk(&mut node);
    node
}

/// Resolve a local `$ref` (`#/$defs/x`).
fn resolve<'s>(root: &'s Value, node: &'s Value) -> &'s Value {
    let mut node = node;
    for _ in 0..16 {
        match node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(pointer) => match root.pointer(pointer) {
                Some(target) => node = target,
                None => break,
            },
            None => break,
        }
    }
    node
}

/// Record where each property name is defined: `place` is the dotted path of
/// property names leading to the object that declares it.
fn collect_places(root: &Value, node: &Value, place: &str, out: &mut BTreeMap<String, Vec<String>>, depth: usize) {
    if depth > 24 {
        return;
    }
    let node = resolve(root, node);
    if let Some(Value::Object(props)) = node.get("properties") {
        for (name, sub) in props {
            let places = out.entry(name.clone()).or_default();
            if !places.iter().any(|p| p == place) {
                places.push(place.to_string());
            }
            let child = if place.is_empty() {
                name.clone()
            } else {
                format!("{place}.{name}")
            };
            collect_places(root, sub, &child, out, depth + 1);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(sub @ Value::Object(_)) = node.get(key) {
            collect_places(root, sub, place, out, depth + 1);
        }
    }
    for key in ["oneOf", "anyOf", "allOf", "prefixItems"] {
        if let Some(Value::Array(subs)) = node.get(key) {
            for sub in subs {
                collect_places(root, sub, place, out, depth + 1);
            }
        }
    }
}

/// The schema node a keyword failed in: walk `schema_path` (without its last
/// segment, the keyword), following local `$ref`s.
fn node_at<'s>(root: &'s Value, schema_path: &str) -> Option<&'s Value> {
    let mut segments: Vec<String> = schema_path
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    segments.pop();
    let mut node = root;
    for segment in segments {
        if segment == "$ref" {
            node = resolve(root, node);
            continue;
        }
        node = match node {
            Value::Object(map) => map.get(&segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(resolve(root, node))
}

/// `container.docker.portMappings[0].hostPort`: how users name a field.
pub fn display_path(relative_pointer: &str) -> String {
    let mut out = String::new();
    for token in relative_pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        if token.chars().all(|c| c.is_ascii_digit()) && !token.is_empty() {
            out.push_str(&format!("[{token}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    out
}

/// The dotted place of an object, array indices dropped: `container.docker`.
fn place_of(relative_pointer: &str) -> String {
    relative_pointer
        .split('/')
        .skip(1)
        .filter(|t| !t.chars().all(|c| c.is_ascii_digit()))
        .collect::<Vec<_>>()
        .join(".")
}

fn describe_place(place: &str, kind: Kind) -> String {
    match (place, kind) {
        ("", Kind::App) => "the app's top level".to_string(),
        ("", Kind::Group) => "the group's top level".to_string(),
        (place, _) => format!("`{place}`"),
    }
}

/// "the string \"2\"", "the number 2.5", "an object" ...
pub fn describe_value(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() > 40 => {
            format!("the string \"{}...\"", s.chars().take(40).collect::<String>())
        }
        Value::String(s) => format!("the string {}", Value::String(s.clone())),
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

fn type_name(kind: &TypeKind) -> String {
    let name = |t: &jsonschema::JsonType| match t.to_string().as_str() {
        "integer" => "an integer".to_string(),
        "object" => "an object".to_string(),
        "array" => "an array".to_string(),
        other => format!("a {other}"),
    };
    match kind {
        TypeKind::Single(t) => name(t),
        // Marathon reads `null` as "not set"; naming it as an alternative
        // type only confuses.
        TypeKind::Multiple(set) => {
            let names: Vec<String> = set
                .iter()
                .filter(|t| *t != jsonschema::JsonType::Null)
                .map(|t| name(&t))
                .collect();
            names.join(" or ")
        }
    }
}

fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a String>) -> Option<&'a String> {
    candidates
        .map(|c| (strsim::jaro_winkler(&name.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Validate one app or group. `pointer` is where it sits in the file.
/// `partial`: the value is a body merged into what exists, so its own
/// required members may be absent (nested objects keep theirs).
pub fn check(kind: Kind, value: &Value, pointer: &str, partial: bool, out: &mut Vec<Diagnostic>) {
    let schema = schema_for(kind);
    // Fast path: most files are valid.
    if schema.validator.is_valid(value) {
        return;
    }
    let mut found: Vec<Diagnostic> = Vec::new();
    for error in schema.validator.iter_errors(value) {
        let relative = error.instance_path().as_str().to_string();
        let field = display_path(&relative);
        let subject = if field.is_empty() {
            match kind {
                Kind::App => "the app".to_string(),
                Kind::Group => "the group".to_string(),
            }
        } else {
            format!("`{field}`")
        };
        let absolute = format!("{pointer}{relative}");
        let instance = error.instance();
        let node = node_at(schema.document(), error.schema_path().as_str());
        let custom = node.and_then(|n| n.get("x-message")).and_then(Value::as_str);
        let description = node.and_then(|n| n.get("description")).and_then(Value::as_str);
        let violation = |message: String| Diagnostic::at("schema-violation", absolute.clone(), message);
        let diagnostic = match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                for key in unexpected {
                    // What an export of the app adds is reported once per app
                    // (`exported-status-fields`), not field by field.
                    let exported =
                        kind == Kind::App && relative.is_empty() && crate::rules::STATUS_FIELDS.contains(&key.as_str());
                    if !exported {
                        found.push(unknown_field(schema, kind, node, &relative, &absolute, key));
                    }
                }
                continue;
            }
            ValidationErrorKind::Required { .. } if partial && relative.is_empty() => continue,
            ValidationErrorKind::Required { property } => {
                let property = property.as_str().unwrap_or_default();
                violation(format!("{subject} is missing the required field `{property}`"))
                    .target(Target::Opening)
                    .label(format!("`{property}` missing"))
                    .help(field_help(schema.document(), node, property))
            }
            ValidationErrorKind::Type { kind: expected } => violation(format!(
                "{subject} must be {}, found {}",
                type_name(expected),
                describe_value(instance)
            ))
            .label(format!("expected {}", type_name(expected))),
            ValidationErrorKind::Minimum { limit } => {
                violation(format!("{subject} must be at least {limit}, found {instance}")).label("too small")
            }
            ValidationErrorKind::Maximum { limit } => {
                violation(format!("{subject} must be at most {limit}, found {instance}")).label("too large")
            }
            ValidationErrorKind::ExclusiveMinimum { limit } => {
                violation(format!("{subject} must be greater than {limit}, found {instance}"))
            }
            ValidationErrorKind::ExclusiveMaximum { limit } => {
                violation(format!("{subject} must be less than {limit}, found {instance}"))
            }
            ValidationErrorKind::MinLength { limit: 1 } => violation(format!("{subject} must not be empty")),
            ValidationErrorKind::MinLength { limit } => {
                violation(format!("{subject} must be at least {limit} characters long"))
            }
            ValidationErrorKind::MaxLength { limit } => {
                violation(format!("{subject} must be at most {limit} characters long"))
            }
            ValidationErrorKind::MinItems { limit } => {
                violation(format!("{subject} must have at least {limit} item{}", plural(*limit)))
            }
            ValidationErrorKind::MaxItems { limit } => {
                violation(format!("{subject} must have at most {limit} item{}", plural(*limit)))
            }
            ValidationErrorKind::MinProperties { limit } => violation(format!(
                "{subject} must have at least {limit} entr{}",
                if *limit == 1 { "y" } else { "ies" }
            )),
            ValidationErrorKind::UniqueItems => violation(format!("{subject} must not contain the same item twice")),
            ValidationErrorKind::Enum { options } => {
                let allowed: Vec<String> = options
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|o| o.to_string())
                    .collect();
                let mut d = violation(format!(
                    "{subject} must be one of {}, found {instance}",
                    allowed.join(", ")
                ));
                if let Some(text) = instance.as_str() {
                    let near = options
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .find(|o| o.eq_ignore_ascii_case(text) || strsim::jaro_winkler(o, text) > 0.9);
                    if let Some(near) = near {
                        d = d.help(format!(
                            "did you mean \"{near}\"? Marathon matches these values exactly"
                        ));
                    }
                }
                d
            }
            ValidationErrorKind::Constant { expected_value } => {
                violation(format!("{subject} must be {expected_value}, found {instance}"))
            }
            ValidationErrorKind::Custom { keyword, .. } if keyword == LAZY_PATTERN => {
                let pattern = node
                    .and_then(|n| n.get("pattern"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                pattern_violation(&violation, node, &subject, instance, pattern)
            }
            ValidationErrorKind::Pattern { pattern } => {
                pattern_violation(&violation, node, &subject, instance, pattern)
            }
            ValidationErrorKind::AdditionalItems { limit } => violation(format!(
                "{subject} may have at most {limit} item{}",
                plural(*limit as u64)
            )),
            ValidationErrorKind::OneOfNotValid { .. } | ValidationErrorKind::AnyOf { .. } => violation(format!(
                "{subject} ({}) does not match any form Marathon accepts here",
                describe_value(instance)
            )),
            ValidationErrorKind::OneOfMultipleValid { .. } => violation(format!(
                "{subject} is ambiguous: it matches more than one form Marathon accepts here"
            )),
            ValidationErrorKind::Not { .. } => violation(format!("{subject} uses a combination Marathon rejects")),
            ValidationErrorKind::MultipleOf { multiple_of } => violation(format!(
                "{subject} must be a multiple of {multiple_of}, found {instance}"
            )),
            other => violation(format!("{subject} is invalid ({})", other.keyword())),
        };
        let diagnostic = match custom {
            Some(custom) => Diagnostic {
                message: format!("{subject} {}: {custom}", short_json(instance)),
                ..diagnostic
            },
            None => diagnostic,
        };
        let diagnostic = match instance.as_str() {
            Some(text) if has_template_placeholder(text) => diagnostic.help(
                "this looks like an unrendered template placeholder: lint the rendered file that is sent to Marathon",
            ),
            _ => diagnostic,
        };
        let diagnostic = match (&diagnostic.help, description) {
            (None, Some(description)) if !matches!(error.kind(), ValidationErrorKind::Required { .. }) => diagnostic
                .help(format!(
                    "{field}: {description}",
                    field = if field.is_empty() { "this" } else { &field }
                )),
            _ => diagnostic,
        };
        found.push(diagnostic);
    }
    // One message per place and text; jsonschema can report the same
    // failure through several schema branches.
    let mut seen = std::collections::HashSet::new();
    found.retain(|d| seen.insert((d.pointer.clone(), d.message.clone())));
    out.extend(found);
}

/// `${VAR}`, `{{ .x }}`, `<env>`, `@name@`: placeholders left in a value.
fn has_template_placeholder(text: &str) -> bool {
    let wrapped = |open: char, close: char| {
        text.find(open)
            .is_some_and(|i| text[i + open.len_utf8()..].contains(close))
    };
    text.contains("${") || text.contains("{{") || wrapped('<', '>') || text.matches('@').count() >= 2
}

/// A value as JSON, cut short when long (a whole object is never useful here).
fn short_json(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn field_help(root: &Value, node: Option<&Value>, property: &str) -> String {
    let description = node
        .and_then(|n| n.get("properties"))
        .and_then(|p| p.get(property))
        .map(|p| resolve(root, p))
        .and_then(|p| p.get("description"))
        .and_then(Value::as_str);
    match description {
        Some(d) => format!("add `{property}`: {d}"),
        None => format!("add `{property}`"),
    }
}

fn unknown_field(
    schema: &Schema,
    kind: Kind,
    node: Option<&Value>,
    relative: &str,
    absolute: &str,
    key: &str,
) -> Diagnostic {
    let pointer = pointer_join(absolute, key);
    let here = place_of(relative);
    let here_text = describe_place(&here, kind);
    // A known field in the wrong place: say where it belongs.
    let known_places = schema.known_places.get_or_init(|| {
        let mut places = BTreeMap::new();
        collect_places(schema.document(), schema.document(), "", &mut places, 0);
        places
    });
    if let Some(places) = known_places.get(key) {
        let elsewhere: Vec<String> = places
            .iter()
            .filter(|p| **p != here)
            .map(|p| describe_place(p, kind))
            .collect();
        // A name declared in many places (`name`, `labels`) says nothing about
        // where this one belongs.
        if !elsewhere.is_empty() && elsewhere.len() <= 3 {
            return Diagnostic::at(
                "misplaced-field",
                pointer,
                format!("`{key}` does not belong in {here_text}: Marathon ignores it here, so it has no effect"),
            )
            .target(Target::Key)
            .label("ignored here")
            .help(format!("move `{key}` to {}", elsewhere.join(" or ")));
        }
    }
    // `HAPROXY_GROUP` or `JAVA_OPTS` at the top level: meant as a label or an
    // environment variable.
    let shouty = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if shouty && here.is_empty() && kind == Kind::App {
        return Diagnostic::at(
            "unknown-field",
            pointer,
            format!("unknown field `{key}` in {here_text}: Marathon silently ignores it"),
        )
        .target(Target::Key)
        .label("unknown field")
        .help(format!(
            "did you mean to put `{key}` in `labels` (e.g. for marathon-lb) or in `env`?"
        ));
    }
    let siblings = node.and_then(|n| n.get("properties")).and_then(Value::as_object);
    let suggestion = siblings.and_then(|s| closest(key, s.keys()));
    let mut d = Diagnostic::at(
        "unknown-field",
        pointer,
        format!("unknown field `{key}` in {here_text}: Marathon silently ignores it"),
    )
    .target(Target::Key)
    .label("unknown field");
    d = match suggestion {
        Some(s) => d.help(format!("did you mean `{s}`?")).fix(crate::fix::Fix::new(
            crate::fix::Safety::Unsafe,
            format!("rename `{key}` to `{s}` (a guess: check it is what you meant)"),
            vec![crate::fix::Action::RenameKey {
                pointer: pointer_join(absolute, key),
                to: s.clone(),
            }],
        )),
        None => d.help("remove it, or check the spelling against Marathon's app definition reference"),
    };
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `pattern` of our schemas compiles with the `regex` crate and
    /// becomes the lazy keyword in the compiled form.
    #[test]
    fn every_pattern_is_a_valid_regex_and_is_compiled_lazily() {
        fn patterns(node: &Value, out: &mut Vec<String>) {
            match node {
                Value::Object(map) => {
                    if let Some(Value::String(p)) = map.get("pattern") {
                        out.push(p.clone());
                    }
                    map.values().for_each(|v| patterns(v, out));
                }
                Value::Array(items) => items.iter().for_each(|v| patterns(v, out)),
                _ => {}
            }
        }
        for text in [APP_SCHEMA, GROUP_SCHEMA] {
            let document: Value = serde_json::from_str(text).unwrap();
            let mut found = Vec::new();
            patterns(&document, &mut found);
            assert!(!found.is_empty());
            for pattern in &found {
                regex::Regex::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
            }
            let compiled = with_lazy_patterns(document);
            let mut left = Vec::new();
            patterns(&compiled, &mut left);
            assert!(left.is_empty(), "patterns left in the compiled schema: {left:?}");
        }
    }

    #[test]
    fn a_value_against_a_lazy_pattern_gets_the_pattern_message() {
        // A pattern with its own x-message, behind a $ref.
        let app = serde_json::json!({"id": "/web", "cmd": "x", "container": {"type": "DOKCER"}});
        let mut out = Vec::new();
        check(Kind::App, &app, "", false, &mut out);
        let d = out
            .iter()
            .find(|d| d.pointer.as_deref() == Some("/container/type"))
            .expect("a finding");
        assert!(
            d.message.contains("DOKCER") && d.message.contains("`DOCKER`, `MESOS`"),
            "{}",
            d.message
        );
        // A pattern without one: the generic wording, naming the pattern.
        let app = serde_json::json!({"id": "/web", "cmd": "x", "container": {"type": "DOCKER",
            "portMappings": [{"containerPort": 80, "networkNames": ["Bad_Name-"]}]}});
        let mut out = Vec::new();
        check(Kind::App, &app, "", false, &mut out);
        let d = out
            .iter()
            .find(|d| d.pointer.as_deref() == Some("/container/portMappings/0/networkNames/0"))
            .unwrap_or_else(|| panic!("a finding: {out:?}"));
        assert!(
            d.message.contains("does not have the form Marathon requires"),
            "{}",
            d.message
        );
        assert!(d.message.contains("[-a-z0-9_]*"), "{}", d.message);
        // Case-insensitive enums accept any case.
        let mut out = Vec::new();
        check(
            Kind::App,
            &serde_json::json!({"id": "/web", "cmd": "x", "container": {"type": "docker"}}),
            "",
            false,
            &mut out,
        );
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn display_paths_read_like_field_names() {
        assert_eq!(
            display_path("/container/docker/portMappings/0/hostPort"),
            "container.docker.portMappings[0].hostPort"
        );
        assert_eq!(display_path(""), "");
        assert_eq!(
            place_of("/container/docker/portMappings/0"),
            "container.docker.portMappings"
        );
    }

    #[test]
    fn built_in_schemas_compile() {
        let _ = schema_for(Kind::App);
        let _ = schema_for(Kind::Group);
    }

    /// Compiling skips the meta-schema check (see `load`), so it is here.
    #[test]
    fn built_in_schemas_are_valid_draft_2020_12() {
        for text in [APP_SCHEMA, GROUP_SCHEMA] {
            let document: Value = serde_json::from_str(text).unwrap();
            assert_eq!(document["$schema"], "https://json-schema.org/draft/2020-12/schema");
            if let Err(error) = jsonschema::draft202012::meta::validator().validate(&document) {
                panic!("{error} at {}", error.instance_path());
            }
        }
    }

    /// The draft-07 root does not change how the 2020-12 schema is read:
    /// `prefixItems` (2020-12 only) still applies.
    #[test]
    fn the_schema_is_read_as_2020_12_behind_its_root() {
        let app = serde_json::json!({"id": "/web", "cmd": "x", "constraints": [["hostname", 7]]});
        let mut out = Vec::new();
        check(Kind::App, &app, "", false, &mut out);
        assert!(
            out.iter().any(|d| d.pointer.as_deref() == Some("/constraints/0/1")),
            "{out:?}"
        );
    }
}
