//! `marathon-lint schema`: one self-contained JSON Schema (draft 2020-12) of
//! what the linter reads, for editors' JSON language services (completion,
//! hover, validation) with no network access. It is built from the same
//! `schemas/` the linter validates with, so the editor and the linter agree,
//! and it marks the fields the target Marathon version does not have.

use serde_json::{json, Map, Value};

use crate::marathon_target::MarathonVersion;
use crate::schema::{APP_SCHEMA, GROUP_SCHEMA};

/// What the document at the top of a file is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaKind {
    /// An app, a group, or a list of apps (or groups): everything the linter
    /// reads, so one `json.schemas` entry covers a whole folder.
    #[default]
    Any,
    /// A single app, as sent to POST /v2/apps.
    App,
    /// A group, as sent to POST /v2/groups.
    Group,
}

/// Which of our two schema files a field lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    App,
    Group,
}

/// When a field is valid, by Marathon minor version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// Added in 1.N: older versions do not know it.
    Since(u8),
    /// Superseded from 1.N on (converted, ignored or refused); the text says
    /// what to use instead.
    LegacyFrom(u8, &'static str),
}

/// The fields whose validity depends on the Marathon version, as the
/// descriptions in `schemas/` and the legacy-networking rule state them.
/// Pointers are into the schema file, so a renamed field fails the tests.
pub const VERSIONED_FIELDS: &[(Source, &str, Availability)] = &[
    // 1.4 networking, converted by 1.5+ (see rules/legacy-networking.md).
    (
        Source::App,
        "/properties/container/properties/docker/properties/network",
        Availability::LegacyFrom(5, "use `networks` instead"),
    ),
    (
        Source::App,
        "/properties/container/properties/docker/properties/portMappings",
        Availability::LegacyFrom(5, "use `container.portMappings` instead"),
    ),
    (
        Source::App,
        "/properties/ipAddress",
        Availability::LegacyFrom(5, "use `networks` with a `container` network instead"),
    ),
    (
        Source::App,
        "/properties/ports",
        Availability::LegacyFrom(5, "use `portDefinitions` instead"),
    ),
    (
        Source::App,
        "/properties/container/properties/docker/properties/credential",
        Availability::LegacyFrom(5, "Marathon 1.5+ refuses it; use `pullConfig` instead"),
    ),
    (
        Source::App,
        "/properties/storeUrls",
        Availability::LegacyFrom(5, "Marathon 1.5 removed it"),
    ),
    (
        Source::App,
        "/properties/fetch/items/properties/outputFile",
        Availability::LegacyFrom(5, "use `destPath` instead"),
    ),
    // 1.5+ fields.
    (Source::App, "/properties/networks", Availability::Since(5)),
    (
        Source::App,
        "/properties/container/properties/portMappings",
        Availability::Since(5),
    ),
    (
        Source::App,
        "/properties/container/properties/docker/properties/pullConfig",
        Availability::Since(5),
    ),
    (Source::App, "/properties/tty", Availability::Since(5)),
    (
        Source::App,
        "/properties/fetch/items/properties/destPath",
        Availability::Since(5),
    ),
    (Source::App, "/$defs/volume/properties/secret", Availability::Since(5)),
    (
        Source::App,
        "/$defs/portMapping/properties/networkNames",
        Availability::Since(5),
    ),
    // Later additions.
    (Source::App, "/properties/check", Availability::Since(6)),
    (Source::App, "/properties/executorResources", Availability::Since(6)),
    (
        Source::App,
        "/$defs/healthCheck/properties/ipProtocol",
        Availability::Since(6),
    ),
    (
        Source::App,
        "/$defs/persistentVolumeInfo/properties/profileName",
        Availability::Since(6),
    ),
    (
        Source::App,
        "/$defs/externalVolumeInfo/properties/shared",
        Availability::Since(8),
    ),
    (
        Source::App,
        "/properties/container/properties/linuxInfo",
        Availability::Since(9),
    ),
    (Source::App, "/properties/role", Availability::Since(9)),
    (Source::Group, "/properties/enforceRole", Availability::Since(9)),
    (Source::App, "/properties/resourceLimits", Availability::Since(10)),
];

/// Why a field is not for `version`, or `None` when it is.
pub fn unavailable_because(availability: Availability, version: MarathonVersion) -> Option<String> {
    match availability {
        Availability::Since(minor) if version.minor() < minor => Some(format!(
            "Not in Marathon {version}: it was added in Marathon 1.{minor}."
        )),
        Availability::LegacyFrom(minor, instead) if version.minor() >= minor => {
            Some(format!("Legacy in Marathon {version} (since 1.{minor}): {instead}."))
        }
        _ => None,
    }
}

/// The schema `marathon-lint schema` prints.
pub fn editor_schema(version: MarathonVersion, kind: SchemaKind) -> Value {
    let mut app: Value = serde_json::from_str(APP_SCHEMA).expect("built-in schema is JSON");
    let mut group: Value = serde_json::from_str(GROUP_SCHEMA).expect("built-in schema is JSON");
    for (source, pointer, availability) in VERSIONED_FIELDS {
        let Some(why) = unavailable_because(*availability, version) else {
            continue;
        };
        let document = match source {
            Source::App => &mut app,
            Source::Group => &mut group,
        };
        let node = document
            .pointer_mut(pointer)
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("versioned field {pointer} is not in the schema"));
        mark_deprecated(node, &why);
    }
    // Our group schema leaves nested apps and groups to separate checks; an
    // editor needs them described in place, as Marathon reads them: the
    // items of `apps` are apps, those of `groups` are groups.
    if let Some(properties) = group.get_mut("properties") {
        properties["apps"]["items"] = json!({ "$ref": "#/$defs/app" });
        properties["groups"]["items"] = json!({ "$ref": "#/$defs/group" });
    }

    let mut defs = Map::new();
    bundle("app", app, &mut defs);
    bundle("group", group, &mut defs);
    // Told apart by the same keys as model::definitions: anything with
    // `apps`, `groups` or `pods` is a group. `if`/`then`/`else` rather than
    // `anyOf` so that completion offers one kind's fields, not both.
    defs.insert(
        "appOrGroup".to_string(),
        json!({
            "description": "A Marathon app, or a group when it has `apps`, `groups` or `pods`.",
            "if": {
                "type": "object",
                "anyOf": [{ "required": ["apps"] }, { "required": ["groups"] }, { "required": ["pods"] }]
            },
            "then": { "$ref": "#/$defs/group" },
            "else": { "$ref": "#/$defs/app" }
        }),
    );

    let (title, what) = match kind {
        SchemaKind::Any => (
            "Marathon app, group or list of apps",
            "An app, a group or a list of apps",
        ),
        SchemaKind::App => ("Marathon app definition", "An app, as sent to POST /v2/apps"),
        SchemaKind::Group => ("Marathon group", "A group, as sent to POST /v2/groups"),
    };
    let mut root = Map::new();
    root.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
    root.insert("title".into(), json!(format!("{title} (Marathon {version})")));
    root.insert(
        "description".into(),
        json!(format!(
            "{what}, for Marathon {version}; fields of other Marathon versions are marked deprecated. \
             Printed by `marathon-lint schema --marathon-version {version}`."
        )),
    );
    match kind {
        SchemaKind::Any => {
            root.insert("if".into(), json!({ "type": "array" }));
            root.insert(
                "then".into(),
                json!({ "type": "array", "items": { "$ref": "#/$defs/appOrGroup" } }),
            );
            root.insert("else".into(), json!({ "$ref": "#/$defs/appOrGroup" }));
        }
        SchemaKind::App => {
            root.insert("$ref".into(), json!("#/$defs/app"));
        }
        SchemaKind::Group => {
            root.insert("$ref".into(), json!("#/$defs/group"));
        }
    }
    root.insert("$defs".into(), Value::Object(defs));
    let mut root = Value::Object(root);
    adapt_for_editors(&mut root);
    root
}

/// Deprecated rather than left out: a file that uses the field still
/// passes, as it passes the linter's schema stage (the version rules say
/// what Marathon does with it), so editor and linter agree. VS Code's
/// JSON service drops a field with a `deprecationMessage` from completion,
/// so only the target version's fields are offered, and warns with the
/// reason where one is used; `deprecated` is the standard keyword.
fn mark_deprecated(node: &mut Map<String, Value>, why: &str) {
    let description = node.get("description").and_then(Value::as_str).unwrap_or_default();
    let description = format!("{why} {description}").trim_end().to_string();
    node.insert("description".into(), Value::String(description));
    node.insert("deprecated".into(), Value::Bool(true));
    // VS Code's own keyword: its JSON service shows this text as the warning.
    node.insert("deprecationMessage".into(), Value::String(why.to_string()));
}

/// Put one schema file under `$defs/<name>`, its own `$defs` next to it, and
/// point its local references at their new places.
fn bundle(name: &str, mut document: Value, defs: &mut Map<String, Value>) {
    let object = document.as_object_mut().expect("a schema file is an object");
    object.remove("$schema");
    let own_defs = object.remove("$defs");
    rewrite_refs(&mut document, name);
    if let Some(Value::Object(own_defs)) = own_defs {
        for (key, mut def) in own_defs {
            rewrite_refs(&mut def, name);
            assert!(!defs.contains_key(&key), "two schemas define `$defs/{key}`");
            defs.insert(key, def);
        }
    }
    assert!(!defs.contains_key(name), "`$defs/{name}` is taken");
    defs.insert(name.to_string(), document);
}

/// `#/$defs/x` keeps its meaning (the definitions move to the root's
/// `$defs` under the same names); any other local reference is relative to
/// the file, which is now `#/$defs/<name>`.
fn rewrite_refs(node: &mut Value, name: &str) {
    each_schema(node, &mut |schema| {
        if let Some(Value::String(reference)) = schema.get_mut("$ref") {
            let pointer = reference
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("schema reference `{reference}` leaves the file"));
            if !pointer.starts_with("/$defs/") {
                *reference = format!("#/$defs/{name}{pointer}");
            }
        }
    });
}

/// Our `x-message` words a failed pattern plainly; VS Code shows the same
/// text when it is called `patternErrorMessage`. Elsewhere it means nothing
/// to an editor, so it goes.
fn adapt_for_editors(node: &mut Value) {
    each_schema(node, &mut |schema| {
        if let Some(Value::String(message)) = schema.remove("x-message") {
            if schema.contains_key("pattern") {
                let mut chars = message.chars();
                let sentence: String = chars
                    .next()
                    .map(|c| c.to_ascii_uppercase())
                    .into_iter()
                    .chain(chars)
                    .collect();
                schema.insert("patternErrorMessage".into(), Value::String(format!("{sentence}.")));
            }
        }
    });
}

/// Call `f` on every schema object in `node`, itself first: subschemas
/// under any keyword, and the named ones under `properties` and `$defs`,
/// but not the data under `enum`, `examples` and the like.
fn each_schema(node: &mut Value, f: &mut impl FnMut(&mut Map<String, Value>)) {
    match node {
        Value::Object(schema) => {
            f(schema);
            for (key, value) in schema.iter_mut() {
                match key.as_str() {
                    "enum" | "const" | "examples" | "default" | "required" => {}
                    "properties" | "$defs" | "patternProperties" => {
                        for sub in value.as_object_mut().into_iter().flat_map(|named| named.values_mut()) {
                            each_schema(sub, f);
                        }
                    }
                    _ => each_schema(value, f),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| each_schema(item, f)),
        _ => {}
    }
}

/// The schema as printed: pretty JSON and a final newline, with `$schema`,
/// the title and the top-level form first and the long `$defs` last (object
/// keys are otherwise sorted), so that a reader sees what it is at once.
pub fn render(version: MarathonVersion, kind: SchemaKind) -> String {
    let Value::Object(mut root) = editor_schema(version, kind) else {
        unreachable!("the schema is an object")
    };
    let defs = root.remove("$defs");
    let mut entries: Vec<(String, Value)> = Vec::new();
    for key in ["$schema", "title", "description", "$ref", "if", "then", "else"] {
        if let Some(value) = root.remove(key) {
            entries.push((key.to_string(), value));
        }
    }
    entries.extend(root);
    entries.extend(defs.map(|defs| ("$defs".to_string(), defs)));
    let mut text = serde_json::to_string_pretty(&InOrder(&entries)).expect("a Value serialises");
    text.push('\n');
    text
}

/// An object whose keys serialise in the order given.
struct InOrder<'a>(&'a [(String, Value)]);

impl serde::Serialize for InOrder<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_versioned_field_is_in_the_schemas() {
        // editor_schema panics on a pointer that names nothing; the oldest
        // and newest versions between them mark every entry.
        for version in [MarathonVersion::OLDEST, MarathonVersion::NEWEST] {
            let _ = editor_schema(version, SchemaKind::Any);
        }
        for (_, pointer, availability) in VERSIONED_FIELDS {
            assert!(
                unavailable_because(*availability, MarathonVersion::OLDEST).is_some()
                    || unavailable_because(*availability, MarathonVersion::NEWEST).is_some(),
                "{pointer} is valid everywhere: it does not belong in the table"
            );
        }
    }

    #[test]
    fn references_move_with_their_file() {
        let mut node = json!({ "a": { "$ref": "#/properties/x" }, "b": { "$ref": "#/$defs/y" }, "c": { "$ref": "#" } });
        rewrite_refs(&mut node, "app");
        assert_eq!(node["a"]["$ref"], "#/$defs/app/properties/x");
        assert_eq!(node["b"]["$ref"], "#/$defs/y");
        assert_eq!(node["c"]["$ref"], "#/$defs/app");
    }
}
