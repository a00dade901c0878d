//! Properties of fixes over generated definitions (duplicate keys, unknown
//! fields, pinned ports, USER networks, in random order and layout): a fix
//! never yields invalid JSON, fixing twice changes nothing more, and a fix
//! never adds an error.

mod common;

use proptest::prelude::*;

/// Members an app may have; several collide on purpose.
const MEMBERS: &[&str] = &[
    r#""cmd": "sleep 1000""#,
    r#""mem": 128"#,
    r#""mem": 256"#,
    r#""cpus": 0.50"#,
    r#""contraints": [["rack", "GROUP_BY"]]"#,
    r#""constraints": [["hostname", "UNIQUE"]]"#,
    r#""instnces": 2"#,
    r#""instances": 2"#,
    r#""upgradeStrategy": {"minimumHealthCapacity": 0.5}"#,
    r#""upgradeStrategy": {}"#,
    r#""ports": []"#,
    r#""ipAddress": {"networkName": "calico"}"#,
    r#""labels": {"team": "shop"}"#,
    r#""container": {"type": "DOCKER", "docker": {"image": "nginx:1.25", "network": "BRIDGE", "portMappings": [{"containerPort": 80, "hostPort": 31080}]}}"#,
    r#""container": {"type": "DOCKER", "docker": {"image": "nginx:1.25", "network": "USER"}}"#,
    r#""requirePorts": true"#,
    r#""portDefinitions": [{"port": 31500}]"#,
];

fn document() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(0..MEMBERS.len(), 0..9),
        any::<bool>(),
        prop::sample::select(vec!["1.4", "1.10"]),
    )
        .prop_map(|(picks, pretty, _)| {
            let mut members = vec![r#""id": "/shop/app""#.to_string()];
            members.extend(picks.into_iter().map(|i| MEMBERS[i].to_string()));
            if pretty {
                format!("{{\n  {}\n}}\n", members.join(",\n  "))
            } else {
                format!("{{{}}}", members.join(", "))
            }
        })
}

fn fix(text: &str, version: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let run = common::run_in(
        dir.path(),
        &["--fix", "--unsafe-fixes", "--marathon-version", version, "-"],
        Some(text.as_bytes()),
    );
    assert_ne!(run.code, 2, "{}", run.stderr);
    // With --fix, standard output is the document, fixed or not.
    run.stdout
}

fn errors(text: &str, version: &str) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let run = common::run_in(
        dir.path(),
        &["--format", "json", "--marathon-version", version, "-"],
        Some(text.as_bytes()),
    );
    run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .count()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn fixes_keep_json_valid_are_idempotent_and_add_no_error(text in document(), old in any::<bool>()) {
        let version = if old { "1.4" } else { "1.10" };
        let fixed = fix(&text, version);
        prop_assert!(serde_json::from_str::<serde_json::Value>(&fixed).is_ok(), "invalid JSON after fixing:\n{}", fixed);
        prop_assert_eq!(fix(&fixed, version), fixed.clone(), "fixing twice changed more");
        prop_assert!(errors(&fixed, version) <= errors(&text, version), "fixing added an error:\n{}\n->\n{}", text, fixed);
    }
}
