//! `marathon-lint schema`: the printed schema is JSON, a valid draft 2020-12
//! schema, needs nothing outside itself, uses only keywords editors' JSON
//! services know, agrees with the linter's own schema stage on real
//! definitions, and follows `--marathon-version`.

mod common;

use std::path::{Path, PathBuf};

use marathon_lint::catalogue;
use marathon_lint::editor_schema::{unavailable_because, Source, VERSIONED_FIELDS};
use marathon_lint::lint::Linter;
use marathon_lint::marathon_target::MarathonVersion;
use marathon_lint::rules::RuleOptions;
use serde_json::Value;

fn printed(args: &[&str]) -> Value {
    let mut all = vec!["schema"];
    all.extend_from_slice(args);
    let run = common::run(&all);
    assert_eq!(run.code, 0, "schema {args:?} failed: {}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    run.json()
}

fn compile(schema: &Value) -> jsonschema::Validator {
    jsonschema::meta::validate(schema).unwrap_or_else(|e| panic!("not a valid JSON Schema: {e}"));
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(schema)
        .unwrap_or_else(|e| panic!("the schema does not compile: {e}"))
}

/// Keywords whose value is a map of names to schemas, not a schema.
const SCHEMA_MAPS: &[&str] = &["properties", "$defs", "patternProperties", "dependentSchemas"];
/// Keywords whose value is data, not schemas.
const DATA: &[&str] = &["enum", "const", "examples", "default", "required"];

/// Every keyword used by a schema node, with the node's pointer.
fn keywords(node: &Value, pointer: &str, out: &mut Vec<(String, String)>) {
    match node {
        Value::Object(map) => {
            for (key, value) in map {
                out.push((key.clone(), pointer.to_string()));
                let here = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                if SCHEMA_MAPS.contains(&key.as_str()) {
                    for (name, sub) in value.as_object().into_iter().flatten() {
                        keywords(sub, &format!("{here}/{name}"), out);
                    }
                } else if !DATA.contains(&key.as_str()) {
                    keywords(value, &here, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                keywords(item, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn output_is_a_valid_self_contained_schema_for_every_kind_and_version() {
    for version in ["1.4", "1.5", "1.10"] {
        for kind in ["any", "app", "group"] {
            let schema = printed(&["--marathon-version", version, "--kind", kind]);
            compile(&schema);
            assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
            assert!(
                schema["title"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("(Marathon {version})")),
                "{}",
                schema["title"]
            );
            let mut found = Vec::new();
            keywords(&schema, "", &mut found);
            let mut refs = 0;
            for (keyword, at) in &found {
                if keyword != "$ref" {
                    continue;
                }
                let reference = schema.pointer(&format!("{at}/$ref")).and_then(Value::as_str).unwrap();
                let target = reference
                    .strip_prefix('#')
                    .unwrap_or_else(|| panic!("{at}: `$ref: {reference}` leaves the document"));
                assert!(
                    schema.pointer(target).is_some_and(Value::is_object),
                    "{at}: `$ref: {reference}` points at nothing"
                );
                refs += 1;
            }
            assert!(
                refs > 10,
                "only {refs} references: the bundle lost the schemas' structure"
            );
            assert!(!found.iter().any(|(k, _)| k == "$id" || k == "x-message"));
        }
    }
}

#[test]
fn output_uses_only_keywords_editors_json_services_know() {
    // Draft 2020-12 keywords VS Code's JSON language service implements (it
    // lacks `$dynamicRef` and `unevaluated*`), and its own annotations.
    const KNOWN: &[&str] = &[
        "$schema",
        "$ref",
        "$defs",
        "title",
        "description",
        "type",
        "properties",
        "additionalProperties",
        "required",
        "items",
        "prefixItems",
        "minItems",
        "maxItems",
        "enum",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "examples",
        "if",
        "then",
        "else",
        "not",
        "anyOf",
        "deprecated",
        "deprecationMessage",
        "patternErrorMessage",
    ];
    let schema = printed(&["--marathon-version", "1.4"]);
    let mut found = Vec::new();
    keywords(&schema, "", &mut found);
    let unknown: Vec<_> = found.iter().filter(|(k, _)| !KNOWN.contains(&k.as_str())).collect();
    assert!(unknown.is_empty(), "keywords editors may not know: {unknown:?}");
}

/// Where a field of VERSIONED_FIELDS is in the printed schema.
fn printed_pointer(source: Source, pointer: &str) -> String {
    if pointer.starts_with("/$defs/") {
        pointer.to_string()
    } else {
        let root = match source {
            Source::App => "/$defs/app",
            Source::Group => "/$defs/group",
        };
        format!("{root}{pointer}")
    }
}

fn deprecated(schema: &Value, pointer: &str) -> bool {
    let node = schema
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{pointer} is not in the output"));
    let marked = node["deprecated"] == Value::Bool(true);
    if marked {
        let why = node["deprecationMessage"].as_str().unwrap();
        assert!(
            node["description"].as_str().unwrap().starts_with(why),
            "{pointer}: the description does not say why it is deprecated"
        );
    }
    marked
}

#[test]
fn marathon_version_decides_which_fields_are_deprecated() {
    let old = printed(&["--marathon-version", "1.4"]);
    let new = printed(&[]);
    assert_eq!(new, printed(&["--marathon-version", "1.10"]), "the default is 1.10");
    // 1.4 networking is legacy on 1.10; 1.5+ networking does not exist on 1.4.
    let legacy = [
        "/$defs/app/properties/container/properties/docker/properties/network",
        "/$defs/app/properties/container/properties/docker/properties/portMappings",
        "/$defs/app/properties/ipAddress",
    ];
    let modern = [
        "/$defs/app/properties/networks",
        "/$defs/app/properties/container/properties/portMappings",
    ];
    for pointer in legacy {
        assert!(deprecated(&new, pointer) && !deprecated(&old, pointer), "{pointer}");
    }
    for pointer in modern {
        assert!(deprecated(&old, pointer) && !deprecated(&new, pointer), "{pointer}");
    }
    assert!(
        new["$defs"]["app"]["properties"]["container"]["properties"]["docker"]["properties"]["network"]
            ["deprecationMessage"]
            .as_str()
            .unwrap()
            .contains("`networks`")
    );
    // And every field of the table, for every version.
    for version in MarathonVersion::all() {
        let schema = printed(&["--marathon-version", &version.to_string()]);
        for (source, pointer, availability) in VERSIONED_FIELDS {
            let at = printed_pointer(*source, pointer);
            assert_eq!(
                deprecated(&schema, &at),
                unavailable_because(*availability, version).is_some(),
                "{at} for {version}"
            );
        }
        // Fields outside the table are never marked.
        let mut found = Vec::new();
        keywords(&schema, "", &mut found);
        let marked = found.iter().filter(|(k, _)| k == "deprecated").count();
        let expected = VERSIONED_FIELDS
            .iter()
            .filter(|(_, _, a)| unavailable_because(*a, version).is_some())
            .count();
        assert_eq!(marked, expected, "{version}");
    }
}

#[test]
fn kinds_pick_the_top_level_form() {
    let app = compile(&printed(&["--kind", "app"]));
    let group = compile(&printed(&["--kind", "group"]));
    let any = compile(&printed(&[]));
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap())
            .unwrap()
    };
    let one_app = read("examples/web-bridge.json");
    let a_group = read("examples/shop-group.json");
    let apps = read("examples/batch-jobs-list.json");
    assert!(app.is_valid(&one_app) && !app.is_valid(&a_group) && !app.is_valid(&apps));
    assert!(group.is_valid(&a_group) && !group.is_valid(&one_app));
    assert!(any.is_valid(&one_app) && any.is_valid(&a_group) && any.is_valid(&apps));
    // A nested app is checked as an app.
    let mut broken = a_group.clone();
    broken["apps"][0]["instances"] = Value::String("2".into());
    assert!(!any.is_valid(&broken) && !group.is_valid(&broken));
}

#[test]
fn the_configurations_marathon_version_is_the_default() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join("marathon-lint.toml"), "marathon-version = \"1.4\"\n").unwrap();
    let run = common::run_in(dir.path(), &["schema"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.json()["title"].as_str().unwrap().ends_with("(Marathon 1.4)"));
    let flag = common::run_in(dir.path(), &["schema", "--marathon-version", "1.6"], None);
    assert!(flag.json()["title"].as_str().unwrap().ends_with("(Marathon 1.6)"));
    // A broken configuration is said on the terminal, not written into the
    // file standard output is redirected to.
    std::fs::write(dir.path().join("marathon-lint.toml"), "marathon-version = \"9.9\"\n").unwrap();
    let broken = common::run_in(dir.path(), &["schema"], None);
    assert_eq!(broken.code, 2);
    assert_eq!(broken.stdout, "", "nothing for > schema.json");
    assert!(
        broken.stderr.contains("config-error") && broken.stderr.contains("9.9"),
        "{}",
        broken.stderr
    );
    let bad = common::run(&["schema", "--marathon-version", "1.11"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("1.4, 1.5"), "{}", bad.stderr);
}

/// Does the linter's schema stage report anything for this file? `None`
/// when the file is not JSON the editor could validate.
fn schema_findings(version: MarathonVersion, path: &Path) -> Option<(Value, Vec<String>)> {
    let bytes = std::fs::read(path).unwrap();
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    // The editor schema knows nothing of templates: compare with the
    // linter reading placeholders as plain text too.
    let options = RuleOptions {
        marathon_version: version,
        templates: false,
        ..RuleOptions::default()
    };
    let found = Linter::new(options)
        .lint_bytes(&path.display().to_string(), bytes)
        .report
        .diagnostics
        .into_iter()
        .filter(|d| {
            catalogue::find(&d.rule)
                .and_then(|r| serde_json::to_value(r.meta.category).ok())
                .is_some_and(|c| c == "schema")
        })
        .map(|d| format!("{} at {}", d.rule, d.pointer.unwrap_or_default()))
        .collect();
    Some((value, found))
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The editor and the linter agree: a file the linter's schema stage finds
/// nothing in validates cleanly, and one it finds something in does not.
/// Returns how many files were compared, and how many of them the linter
/// found something in.
fn check_agreement(version: MarathonVersion, files: &[PathBuf], disagreements: &mut Vec<String>) -> (usize, usize) {
    let schema: Value = serde_json::from_str(&marathon_lint::editor_schema::render(
        version,
        marathon_lint::editor_schema::SchemaKind::Any,
    ))
    .unwrap();
    let validator = compile(&schema);
    let (mut checked, mut with_findings) = (0, 0);
    for path in files {
        let Some((value, findings)) = schema_findings(version, path) else {
            continue;
        };
        checked += 1;
        with_findings += usize::from(!findings.is_empty());
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        match (findings.is_empty(), errors.is_empty()) {
            (true, false) => disagreements.push(format!(
                "{} ({version}): the linter's schema stage is clean, the editor schema reports {errors:?}",
                path.display()
            )),
            (false, true) => disagreements.push(format!(
                "{} ({version}): the linter reports {findings:?}, the editor schema nothing",
                path.display()
            )),
            _ => {}
        }
    }
    (checked, with_findings)
}

#[test]
fn editor_schema_agrees_with_the_linter_on_the_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = json_files(&root.join("examples"));
    files.extend(json_files(&root.join("examples/team")));
    let mut disagreements = Vec::new();
    for version in [MarathonVersion::V1_4, MarathonVersion::NEWEST] {
        let (checked, with_findings) = check_agreement(version, &files, &mut disagreements);
        // examples/typos.json has unknown and misplaced fields.
        assert!(
            checked >= 10 && with_findings >= 1,
            "{checked} files, {with_findings} with findings"
        );
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn editor_schema_agrees_with_the_linter_on_the_shared_corpora() {
    let Some(shared) = common::shared_dir() else {
        eprintln!("SKIPPED: ../shared is absent (fresh clone); the corpora are not checked against the editor schema");
        return;
    };
    // Marathon's own cases, including those it accepts, and real-world files.
    let mut files = json_files(&shared.join("corpus/marathon-cases"));
    files.extend(json_files(&shared.join("corpus/realworld")));
    let mut disagreements = Vec::new();
    let (mut checked, mut with_findings) = (0, 0);
    for version in [MarathonVersion::V1_4, MarathonVersion::V1_5, MarathonVersion::NEWEST] {
        let (files, found) = check_agreement(version, &files, &mut disagreements);
        checked += files;
        with_findings += found;
    }
    eprintln!("{checked} file/version pairs compared, {with_findings} with schema findings");
    assert!(checked >= 300, "only {checked} file/version pairs parsed");
    assert!(
        with_findings >= 10,
        "only {with_findings} files with schema findings: the check proves little"
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[test]
fn readme_editor_setup_snippets_parse() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("## Editor setup")
        .expect("README has an Editor setup section");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |end| end + 3)];
    assert!(section.contains("marathon-lint schema > .vscode/marathon-app.schema.json"));
    let blocks = |tag: &str| -> Vec<&str> {
        section
            .split(&format!("```{tag}\n"))
            .skip(1)
            .map(|block| &block[..block.find("```").unwrap()])
            .collect()
    };
    let json = blocks("json");
    assert!(json.len() >= 2);
    for block in json {
        serde_json::from_str::<Value>(block).unwrap_or_else(|e| panic!("README JSON snippet ({e}):\n{block}"));
    }
    let toml = blocks("toml");
    assert_eq!(toml.len(), 1);
    let helix: toml::Table = toml::from_str(toml[0]).unwrap_or_else(|e| panic!("README Helix snippet: {e}"));
    assert_eq!(
        helix["language-server"]["marathon-lint"]["args"][0].as_str(),
        Some("lsp")
    );
    for lua in blocks("lua") {
        assert!(lua.contains("'marathon-lint', 'lsp'"), "{lua}");
    }
}
