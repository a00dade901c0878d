//! Every field in `schemas/` explains itself: its description is what the
//! linter's help and editors' hover show (`marathon-lint schema`). The test
//! names the JSON pointer of every property, definition, array item or map
//! value schema without a non-empty description.

use serde_json::Value;

const SCHEMAS: &[(&str, &str)] = &[
    ("schemas/marathon-app.schema.json", marathon_lint::schema::APP_SCHEMA),
    (
        "schemas/marathon-group.schema.json",
        marathon_lint::schema::GROUP_SCHEMA,
    ),
];

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Its own description, or that of the definition it refers to (an item
/// that is just `{"$ref": "#/$defs/volume"}` shows the volume's).
fn described(root: &Value, node: &Value) -> bool {
    let own = node
        .get("description")
        .and_then(Value::as_str)
        .is_some_and(|d| !d.trim().is_empty());
    let referred = node
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|pointer| root.pointer(pointer))
        .is_some_and(|target| described(root, target));
    own || referred
}

/// Walk the schema nodes; `documented` says whether this node is one users
/// see (a property, a definition, an item or value schema).
fn undocumented(root: &Value, node: &Value, pointer: &str, documented: bool, out: &mut Vec<String>) {
    let Value::Object(map) = node else { return };
    if documented && !described(root, node) {
        out.push(pointer.to_string());
    }
    for (key, value) in map {
        let here = format!("{pointer}/{}", escape(key));
        match key.as_str() {
            "properties" | "$defs" | "patternProperties" => {
                for (name, sub) in value.as_object().into_iter().flatten() {
                    undocumented(root, sub, &format!("{here}/{}", escape(name)), true, out);
                }
            }
            "items" | "additionalProperties" => undocumented(root, value, &here, true, out),
            "prefixItems" => {
                for (i, sub) in value.as_array().into_iter().flatten().enumerate() {
                    undocumented(root, sub, &format!("{here}/{i}"), true, out);
                }
            }
            // Subschemas that only add conditions to a documented node.
            "if" | "then" | "else" | "not" => undocumented(root, value, &here, false, out),
            "anyOf" | "oneOf" | "allOf" => {
                for (i, sub) in value.as_array().into_iter().flatten().enumerate() {
                    undocumented(root, sub, &format!("{here}/{i}"), false, out);
                }
            }
            _ => {}
        }
    }
}

#[test]
fn every_schema_property_has_a_description() {
    let mut missing = Vec::new();
    let mut properties = 0;
    for (file, text) in SCHEMAS {
        let schema: Value = serde_json::from_str(text).unwrap();
        let mut found = Vec::new();
        undocumented(&schema, &schema, "", true, &mut found);
        missing.extend(found.into_iter().map(|pointer| format!("{file}#{pointer}")));
        properties += text.matches("\"description\"").count();
    }
    assert!(
        properties > 150,
        "only {properties} descriptions: did the walk lose the schemas?"
    );
    assert!(
        missing.is_empty(),
        "{} schema nodes without a description (write one, in your own words, from Marathon's app definition reference):\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn the_walk_finds_a_missing_description() {
    let schema = serde_json::json!({
        "description": "root",
        "properties": {
            "a": { "description": "documented", "items": { "type": "string" } },
            "f": { "$ref": "#/$defs/d" },
            "b/c": { "description": "  " }
        },
        "$defs": { "d": { "description": "ok", "then": { "properties": { "e": {} } } } }
    });
    let mut found = Vec::new();
    undocumented(&schema, &schema, "", true, &mut found);
    assert_eq!(
        found,
        ["/$defs/d/then/properties/e", "/properties/a/items", "/properties/b~1c"]
    );
}
