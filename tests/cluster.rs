//! Placement against the real cluster, end to end through the binary: cluster
//! facts from exports (the real ones in ../shared/corpus/cluster-state, where
//! present) and from `[[agents]]`; roles per Marathon version, every
//! constraint operator on each attribute type, capacity, running apps' ports,
//! bad exports, and `marathon-lint cluster`.

mod common;

use std::path::Path;

use common::{run_in, Run};

fn write(root: &Path, name: &str, text: &str) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A repository whose `marathon-lint.toml` says `config`.
fn repo(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), "marathon-lint.toml", config);
    dir
}

/// A repository with `marathon-lint.toml` and one app, linted as JSON.
fn lint(config: &str, app: &str, args: &[&str]) -> Run {
    let dir = repo(config);
    let root = dir.path();
    write(root, "app.json", app);
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    all.push("app.json");
    run_in(root, &all, None)
}

/// `(rule, pointer, message)` of each finding of the placement rules.
fn placement(run: &Run) -> Vec<(String, String, String)> {
    run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            [
                "host-port-outside-agent-ranges",
                "resources-exceed-agents",
                "constraint-never-met",
                "instances-exceed-capacity",
                "host-port-held-by-running-app",
            ]
            .contains(&d["rule"].as_str().unwrap())
        })
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["pointer"].as_str().unwrap_or("").to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn rules(run: &Run) -> Vec<String> {
    placement(run).into_iter().map(|(rule, _, _)| rule).collect()
}

/// An app with constraints (and optional extra members).
fn app_with(constraints: &str, extra: &str) -> String {
    format!(
        r#"{{"id": "/db/store", "cmd": "./run", "instances": 1, "cpus": 1, "mem": 1024, "constraints": {constraints}{extra}}}"#
    )
}

const RACKS: &str = r#"
[[agents]]
count = 2
resources = "cpus:8;mem:16384;ports:[31000-32000]"
attributes = "rack:r1;cores:8;load:0.8;slots:[1-4];zone:a"
hostnames = ["a1", "a2"]

[[agents]]
count = 3
resources = "cpus:8;mem:16384;ports:[31000-32000]"
attributes = "rack:r2;cores:16;load:29160;zone:b"
hostnames = ["b1", "b2", "b3"]
"#;

#[test]
fn like_and_unlike_match_the_whole_value() {
    let run = lint(RACKS, &app_with(r#"[["rack", "LIKE", "r[12]"]]"#, ""), &[]);
    assert_eq!(rules(&run), Vec::<String>::new());
    let run = lint(RACKS, &app_with(r#"[["rack", "LIKE", "r"]]"#, ""), &[]);
    let found = placement(&run);
    assert_eq!(found[0].0, "constraint-never-met");
    assert_eq!(found[0].1, "/constraints/0");
    assert!(
        found[0]
            .2
            .contains("no agent's `rack` is like `r`; the 5 agents have `r1`, `r2`"),
        "{}",
        found[0].2
    );
    assert_eq!(run.code, 1);
    let run = lint(RACKS, &app_with(r#"[["rack", "UNLIKE", "r.*"]]"#, ""), &[]);
    assert_eq!(rules(&run), vec!["constraint-never-met"]);
    let run = lint(RACKS, &app_with(r#"[["rack", "UNLIKE", "r1"]]"#, ""), &[]);
    assert_eq!(rules(&run), Vec::<String>::new());
}

#[test]
fn an_attribute_no_agent_has_is_met_only_by_unlike() {
    let run = lint(RACKS, &app_with(r#"[["datacenter", "CLUSTER", "dc1"]]"#, ""), &[]);
    let found = placement(&run);
    assert!(
        found[0].2.contains(
            "none of the 5 agents has `datacenter`; the agents have `cores`, `load`, `rack`, `slots`, `zone`"
        ),
        "{}",
        found[0].2
    );
    for op in ["UNIQUE", "GROUP_BY"] {
        let run = lint(RACKS, &app_with(&format!(r#"[["datacenter", "{op}"]]"#), ""), &[]);
        assert_eq!(rules(&run), vec!["constraint-never-met"], "{op}");
    }
    let run = lint(RACKS, &app_with(r#"[["datacenter", "UNLIKE", "dc1"]]"#, ""), &[]);
    assert_eq!(rules(&run), Vec::<String>::new());
}

#[test]
fn is_and_cluster_compare_values_as_each_marathon_writes_them() {
    // A scalar attribute: IS normalises the constraint's number (1.6+).
    for value in ["0.8", "0.80", "0.8001"] {
        let run = lint(RACKS, &app_with(&format!(r#"[["load", "IS", "{value}"]]"#), ""), &[]);
        assert_eq!(rules(&run), Vec::<String>::new(), "{value}");
    }
    // CLUSTER compares the written value: 1.6+ writes 29160, 1.5 writes 29,160.
    let cluster = app_with(r#"[["load", "CLUSTER", "29160"]]"#, "");
    assert_eq!(rules(&lint(RACKS, &cluster, &[])), Vec::<String>::new());
    let old = lint(RACKS, &cluster, &["--marathon-version", "1.5"]);
    let found = placement(&old);
    assert!(found[0].2.contains("`29,160`"), "{}", found[0].2);
    // IS does not exist before 1.6: validation reports it, placement does not judge it.
    let is_old = lint(
        RACKS,
        &app_with(r#"[["rack", "IS", "r9"]]"#, ""),
        &["--marathon-version", "1.5"],
    );
    assert_eq!(rules(&is_old), Vec::<String>::new());
    let is_new = lint(RACKS, &app_with(r#"[["rack", "IS", "r9"]]"#, ""), &[]);
    assert_eq!(rules(&is_new), vec!["constraint-never-met"]);
}

#[test]
fn ranges_and_set_attributes_are_written_as_marathon_writes_them() {
    let run = lint(RACKS, &app_with(r#"[["slots", "LIKE", "\\[1-4\\]"]]"#, ""), &[]);
    assert_eq!(rules(&run), Vec::<String>::new());
    let run = lint(RACKS, &app_with(r#"[["slots", "LIKE", "\\[1-2\\]"]]"#, ""), &[]);
    assert_eq!(rules(&run), vec!["constraint-never-met"]);
    let sets = "[[agents]]\ncount = 1\nresources = \"cpus:4;mem:4096\"\nattributes = \"disks:{ssd,hdd}\"\n";
    let run = lint(sets, &app_with(r#"[["disks", "CLUSTER", "{hdd,ssd}"]]"#, ""), &[]);
    assert_eq!(rules(&run), Vec::<String>::new());
}

#[test]
fn hostname_and_fault_domain_fields() {
    let run = lint(RACKS, &app_with(r#"[["hostname", "LIKE", "c[0-9]"]]"#, ""), &[]);
    let found = placement(&run);
    assert!(found[0].2.contains("`a1`, `a2`, `b1`"), "{}", found[0].2);
    let run = lint(RACKS, &app_with(r#"[["@hostname", "IS", "b2"]]"#, ""), &[]);
    assert_eq!(rules(&run), Vec::<String>::new());
    // Without a fault domain on any agent, @region is never met (1.6+)...
    let run = lint(RACKS, &app_with(r#"[["@region", "IS", "us-east-1"]]"#, ""), &[]);
    assert!(placement(&run)[0].2.contains("none of the agents has a fault domain"));
    // ...and before 1.6 it is an attribute nobody has.
    let run = lint(
        RACKS,
        &app_with(r#"[["@region", "LIKE", "us-.*"]]"#, ""),
        &["--marathon-version", "1.5"],
    );
    assert!(
        placement(&run)[0].2.contains("it came in 1.6"),
        "{}",
        placement(&run)[0].2
    );
    let regions =
        "[[agents]]\ncount = 2\nresources = \"cpus:4;mem:4096\"\nregion = \"us-east-1\"\nzone = \"us-east-1a\"\n";
    let run = lint(regions, &app_with(r#"[["@zone", "IS", "us-east-1a"]]"#, ""), &[]);
    assert_eq!(rules(&run), Vec::<String>::new());
}

#[test]
fn capacity_follows_each_operator() {
    let cases = [
        // (constraints, instances, capacity or none)
        (r#"[["hostname", "UNIQUE"]]"#, 6, Some(5)),
        (r#"[["hostname", "UNIQUE"]]"#, 5, None),
        (r#"[["rack", "UNIQUE"]]"#, 3, Some(2)),
        (r#"[["rack", "MAX_PER", "2"]]"#, 5, Some(4)),
        (r#"[["rack", "MAX_PER", "2"]]"#, 4, None),
        (r#"[["rack", "GROUP_BY", "3"]]"#, 3, Some(2)),
        (r#"[["rack", "GROUP_BY", "2"]]"#, 9, None),
        (r#"[["zone", "CLUSTER"]]"#, 25, Some(24)),
        (r#"[["rack", "CLUSTER", "r1"]]"#, 17, Some(16)),
    ];
    for (constraints, instances, capacity) in cases {
        let app = app_with(constraints, "").replace(r#""instances": 1"#, &format!(r#""instances": {instances}"#));
        let run = lint(RACKS, &app, &[]);
        let found = placement(&run);
        match capacity {
            Some(capacity) => {
                assert_eq!(found.len(), 1, "{constraints} x{instances}: {found:?}");
                assert_eq!(found[0].0, "instances-exceed-capacity");
                assert_eq!(found[0].1, "/instances");
                assert!(
                    found[0].2.contains(&format!("at most {capacity} at once")),
                    "{constraints} x{instances}: {}",
                    found[0].2
                );
            }
            None => assert!(found.is_empty(), "{constraints} x{instances}: {found:?}"),
        }
    }
}

#[test]
fn resources_cap_instances_and_scalars_add_up_across_accepted_roles() {
    let agents =
        "[[agents]]\ncount = 2\nresources = \"cpus(*):4;cpus(web):4;mem:16384\"\n[marathon]\nmesos-role = \"web\"\n";
    let app =
        r#"{"id": "/w", "cmd": "./w", "instances": 5, "cpus": 3, "mem": 1024, "acceptedResourceRoles": ["*", "web"]}"#;
    // 8 cpus per agent across both roles: 2 tasks each, 4 in all.
    let found = placement(&lint(agents, app, &["--marathon-version", "1.8"]));
    assert_eq!(found.len(), 1);
    assert!(found[0].2.contains("at most 4 at once"), "{}", found[0].2);
    // Only `*`: 4 cpus an agent, 1 task each.
    let star = app
        .replace(r#", "web"]"#, "]")
        .replace(r#""instances": 5"#, r#""instances": 3"#);
    assert!(placement(&lint(agents, &star, &["--marathon-version", "1.8"]))[0]
        .2
        .contains("at most 2 at once"));
    // 6 cpus fit in `*` and `web` together, never in `*` alone.
    let big = r#"{"id": "/w", "cmd": "./w", "cpus": 6, "mem": 1024, "acceptedResourceRoles": ["*"]}"#;
    let found = placement(&lint(agents, big, &["--marathon-version", "1.8"]));
    assert_eq!(found[0].0, "resources-exceed-agents");
    assert!(found[0].2.contains("the most is 4 on 2 agents"), "{}", found[0].2);
}

const PINNED: &str = r#"{"id": "/edge", "instances": 1, "cpus": 1, "mem": 256,
  "networks": [{"mode": "container/bridge"}], "constraints": [["hostname", "UNIQUE"]],
  "upgradeStrategy": {"minimumHealthCapacity": 0, "maximumOverCapacity": 0},
  "container": {"type": "DOCKER", "docker": {"image": "haproxy:2.8"}, "portMappings": [{"containerPort": 80, "hostPort": 80}]}}"#;

const PUBLIC_PRIVATE: &str = r#"
[[agents]]
count = 3
resources = "cpus:8;mem:16384;ports(*):[31000-32000]"

[[agents]]
count = 2
resources = "cpus(slave_public):4;mem(slave_public):8192;ports(slave_public):[80-80, 443-443]"
attributes = "public_ip:true"
"#;

#[test]
fn roles_decide_which_ports_an_app_gets() {
    // 1.4-1.8 without --mesos_role: only `*`, and Marathon gets no slave_public offers.
    let run = lint(PUBLIC_PRIVATE, PINNED, &["--marathon-version", "1.8"]);
    let found = placement(&run);
    assert_eq!(found.len(), 1);
    assert!(found[0].2.starts_with("host port 80 is offered only by 2 agents, both in role `slave_public`, but this app accepts only `*` (Marathon's default)"), "{}", found[0].2);
    // With --mesos_role slave_public, Marathon's default takes both roles.
    let role = format!("{PUBLIC_PRIVATE}\n[marathon]\nmesos-role = \"slave_public\"\n");
    assert_eq!(
        rules(&lint(&role, PINNED, &["--marathon-version", "1.8"])),
        Vec::<String>::new()
    );
    // DC/OS also sets --default_accepted_resource_roles=*.
    let dcos = format!("{role}default-accepted-resource-roles = [\"*\"]\n");
    let found = placement(&lint(&dcos, PINNED, &["--marathon-version", "1.8"]));
    assert!(
        found[0]
            .2
            .contains("accepts only `*` (Marathon's --default_accepted_resource_roles)"),
        "{}",
        found[0].2
    );
    // The app's own acceptedResourceRoles win.
    let accepting = PINNED.replace(
        r#""instances": 1"#,
        r#""instances": 1, "acceptedResourceRoles": ["slave_public"]"#,
    );
    assert_eq!(
        rules(&lint(&dcos, &accepting, &["--marathon-version", "1.8"])),
        Vec::<String>::new()
    );
    // 1.10: the app's role (default --mesos_role) and `*`, unless the behaviour says otherwise.
    assert_eq!(rules(&lint(&role, PINNED, &[])), Vec::<String>::new());
    let unreserved = format!("{role}accepted-resource-roles-default-behavior = \"Unreserved\"\n");
    assert_eq!(
        rules(&lint(&unreserved, PINNED, &[])),
        vec!["host-port-outside-agent-ranges"]
    );
}

#[test]
fn the_seed_pattern_with_more_instances_than_agents_never_finishes() {
    let accepting = PINNED.replace(
        r#""instances": 1"#,
        r#""instances": 3, "acceptedResourceRoles": ["slave_public"]"#,
    );
    let role = format!("{PUBLIC_PRIVATE}\n[marathon]\nmesos-role = \"slave_public\"\n");
    let found = placement(&lint(&role, &accepting, &[]));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "instances-exceed-capacity");
    assert!(found[0].2.contains("at most 2 at once"), "{}", found[0].2);
}

#[test]
fn agent_resources_shorthand_honours_roles_and_judges_nothing_it_does_not_know() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(
        dir.path(),
        &[
            "--format",
            "json",
            "--marathon-version",
            "1.8",
            "--agent-resources",
            "ports(slave_public):[80-80];ports(*):[31000-32000]",
            "-",
        ],
        Some(PINNED.replace(r#""instances": 1"#, r#""instances": 50"#).as_bytes()),
    );
    // The port's role is judged; the number of agents is unknown, so capacity is not.
    assert_eq!(rules(&run), vec!["host-port-outside-agent-ranges"]);
}

#[test]
fn running_apps_hold_ports_on_their_agents() {
    let dir = repo(
        "cluster = [\"apps-export.json\"]\n[[agents]]\ncount = 3\nresources = \"cpus:8;mem:16384;ports:[80-80, 31000-32000]\"\nhostnames = [\"h1\", \"h2\", \"h3\"]\n",
    );
    let root = dir.path();
    write(
        root,
        "apps-export.json",
        r#"{"apps": [{"id": "/lb", "tasks": [{"host": "h1", "ports": [80]}, {"host": "h2", "ports": [80, 9000]}]},
                     {"id": "/edge", "tasks": [{"host": "h3", "ports": [80]}]}]}"#,
    );
    // Its own task on h3 does not count: one agent is free, and it asks for 1.
    write(root, "edge.json", PINNED);
    let run = run_in(root, &["--format", "json", "edge.json"], None);
    assert_eq!(rules(&run), Vec::<String>::new());
    // Another app wanting port 80 twice finds it free on none.
    write(root, "other.json", &PINNED.replace("/edge", "/other"));
    let run = run_in(root, &["--format", "json", "other.json"], None);
    let found = placement(&run);
    assert_eq!(found[0].0, "host-port-held-by-running-app");
    assert!(found[0].2.contains("already held on all 3 agents"), "{}", found[0].2);
    assert!(found[0].2.contains("`/edge`, `/lb`"), "{}", found[0].2);
}

fn shared() -> Option<std::path::PathBuf> {
    let dir = common::shared_dir()?.join("corpus/cluster-state");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/corpus/cluster-state is absent (a fresh clone)");
        None
    }
}

#[test]
fn every_real_export_is_read_without_error() {
    let Some(dir) = shared() else { return };
    let mut read = 0;
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "json") {
            continue;
        }
        let run = run_in(
            Path::new("."),
            &[
                "cluster",
                "--no-config",
                "--format",
                "json",
                "--cluster",
                entry.path().to_str().unwrap(),
            ],
            None,
        );
        assert_eq!(run.code, 0, "{}: {}{}", entry.path().display(), run.stdout, run.stderr);
        read += 1;
    }
    assert!(read >= 40, "only {read} exports");
}

#[test]
fn a_real_dcos_master_state_judges_roles_ports_and_resources() {
    let Some(dir) = shared() else { return };
    let state = dir.join("mesos-state/dcos__dcos-ui__tests__fixtures_1-service-with-executor-task_state.json");
    let state = state.to_str().unwrap();
    let config = tempfile::tempdir().unwrap();
    let dcos = config.path().join("dcos.toml");
    std::fs::write(&dcos, "[marathon]\ndefault-accepted-resource-roles = [\"*\"]\n").unwrap();
    let dcos = dcos.to_str().unwrap().to_string();
    let run = |app: &str, extra: &[&str]| {
        let mut args = vec!["--format", "json", "--cluster", state, "--marathon-version", "1.8"];
        args.extend_from_slice(extra);
        if !args.contains(&"--config") {
            args.push("--no-config");
        }
        args.push("-");
        run_in(Path::new("."), &args, Some(app.as_bytes()))
    };
    // The export's Marathon framework registered with slave_public: by
    // default (up to 1.8) its apps take `*` and slave_public resources.
    assert_eq!(rules(&run(PINNED, &[])), Vec::<String>::new());
    // DC/OS narrows the default to `*`: the public agent's port 80 is out of reach.
    let found = placement(&run(PINNED, &["--config", &dcos]));
    assert!(
        found[0].2.contains("offered only by 1 agent, in role `slave_public`"),
        "{found:?}"
    );
    // Port 22 is in no agent's ranges, whatever the role.
    let ssh = PINNED.replace(r#""hostPort": 80"#, r#""hostPort": 22"#);
    let found = placement(&run(&ssh, &["--config", &dcos]));
    assert!(
        found[0]
            .2
            .starts_with("host port 22 is outside the agents' port ranges [1025-2180,"),
        "{found:?}"
    );
    // A private port is fine; 3 of the 5 private agents have 3 free cpus after the reservation.
    let private = PINNED.replace(r#""hostPort": 80"#, r#""hostPort": 31080"#);
    assert_eq!(rules(&run(&private, &[])), Vec::<String>::new());
    let big = r#"{"id": "/big", "cmd": "x", "cpus": 5, "mem": 1024}"#;
    let found = placement(&run(big, &["--config", &dcos]));
    assert_eq!(found[0].0, "resources-exceed-agents");
    assert!(found[0].2.contains("the most is 4 on 2 agents"), "{found:?}");
}

#[test]
fn a_real_v2_info_sets_the_version_and_role_unless_configured() {
    let Some(dir) = shared() else { return };
    let info = dir.join("marathon-info/mesosphere__dcos-docs-site__pages_mesosphere_dcos_2.0_cli_command-reference_dcos-marathon_dcos-marathon-about_index.md__v2-info.json");
    let info = info.to_str().unwrap();
    let shown = run_in(Path::new("."), &["cluster", "--no-config", "--cluster", info], None);
    assert!(shown.stdout.contains("marathon-version: 1.7 (from"), "{}", shown.stdout);
    assert!(
        shown.stdout.contains("mesos-role: slave_public (from"),
        "{}",
        shown.stdout
    );
    assert!(
        shown.stdout.contains("default-network-name: dcos (from"),
        "{}",
        shown.stdout
    );
    let flagged = run_in(
        Path::new("."),
        &[
            "cluster",
            "--no-config",
            "--cluster",
            info,
            "--marathon-version",
            "1.9",
            "--format",
            "json",
        ],
        None,
    );
    let json: serde_json::Value = serde_json::from_str(&flagged.stdout).unwrap();
    assert_eq!(json["marathon"]["version"]["value"], "1.9");
    assert_eq!(json["marathon"]["version"]["from"], "the command line");
}

#[test]
fn constraints_on_real_attributes() {
    let Some(dir) = shared() else { return };
    let megos = dir.join("mesos-state/andygrunwald__megos__tests_master1.state.json");
    let summary = dir.join("mesos-state/DataDog__integrations-core__mesos_slave_tests_fixtures_state-summary.json");
    let check = |export: &Path, constraint: &str, version: &str| {
        let app =
            app_with(&format!("[{constraint}]"), "").replace(r#""cpus": 1, "mem": 1024"#, r#""cpus": 0.1, "mem": 64"#);
        let run = run_in(
            Path::new("."),
            &[
                "--format",
                "json",
                "--no-config",
                "--cluster",
                export.to_str().unwrap(),
                "--marathon-version",
                version,
                "-",
            ],
            Some(app.as_bytes()),
        );
        rules(&run)
    };
    let none = Vec::<String>::new();
    // rack:106 is a number in the export: a scalar.
    assert_eq!(check(&megos, r#"["rack", "IS", "106.0"]"#, "1.10"), none);
    assert_eq!(check(&megos, r#"["type", "LIKE", "stor.*"]"#, "1.10"), none);
    assert_eq!(
        check(&megos, r#"["type", "CLUSTER", "compute"]"#, "1.10"),
        vec!["constraint-never-met"]
    );
    // number:29160 is written with a separator up to 1.5.
    assert_eq!(check(&summary, r#"["number", "CLUSTER", "29160"]"#, "1.10"), none);
    assert_eq!(
        check(&summary, r#"["number", "CLUSTER", "29160"]"#, "1.5"),
        vec!["constraint-never-met"]
    );
}

fn broken(name: &str, text: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), name, text);
    write(dir.path(), "app.json", PINNED);
    run_in(dir.path(), &["--format", "json", "--cluster", name, "app.json"], None)
}

#[test]
fn bad_exports_are_located_config_errors() {
    let cases = [
        ("truncated.json", r#"{"slaves": [{"id": "a", "hostname": "h"#, "is not JSON", 1),
        ("empty.json", "", "is empty", 1),
        ("unknown.json", r#"{"kind": "something else"}"#, "not a cluster export this linter knows", 1),
        ("list.json", "[1, 2]", "this is an array, not a cluster export", 1),
        (
            "ranges.json",
            "{\"slaves\": [\n  {\"id\": \"a\", \"hostname\": \"h\",\n   \"resources\": {\"cpus\": 1, \"ports\": \"[32000-31000]\"}}]}",
            "ends before it begins",
            3,
        ),
    ];
    for (name, text, message, line) in cases {
        let run = broken(name, text);
        assert_eq!(run.code, 2, "{name}: {}", run.stdout);
        let d = &run.json()["diagnostics"][0];
        assert_eq!(d["rule"], "config-error", "{name}");
        assert_eq!(d["file"], name, "{name}");
        assert!(d["message"].as_str().unwrap().contains(message), "{name}: {d}");
        assert_eq!(d["line"], line, "{name}: {d}");
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app.json", PINNED);
    let missing = run_in(dir.path(), &["--cluster", "no/such/export.json", "app.json"], None);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stdout.contains("cannot read the cluster export"),
        "{}",
        missing.stdout
    );
}

#[test]
fn two_v2_info_that_disagree_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.json",
        r#"{"version": "1.8.1", "marathon_config": {"mesos_role": "x"}}"#,
    );
    write(
        dir.path(),
        "b.json",
        "{\"version\": \"1.8.1\",\n \"marathon_config\": {\"mesos_role\": \"y\"}}",
    );
    write(dir.path(), "app.json", PINNED);
    let run = run_in(
        dir.path(),
        &[
            "--format",
            "json",
            "--cluster",
            "a.json",
            "--cluster",
            "b.json",
            "app.json",
        ],
        None,
    );
    assert_eq!(run.code, 2);
    let d = &run.json()["diagnostics"][0];
    assert_eq!(d["file"], "b.json");
    assert_eq!(d["line"], 2);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("disagrees with a.json on mesos_role"),
        "{d}"
    );
}

#[test]
fn bad_agents_in_the_configuration_are_located() {
    let cases = [
        (
            "[[agents]]\ncount = 2\nresources = \"cpus:many\"\n",
            "not an amount of cpus",
            3,
        ),
        ("[[agents]]\ncount = 0\n", "a count from 1 to 1000000", 2),
        (
            "[[agents]]\ncount = 9223372036854775807\n",
            "a count from 1 to 1000000",
            2,
        ),
        ("[[agents]]\ncount = 1\nattributes = \"rack\"\n", "name:value", 3),
        (
            "[[agents]]\ncount = 2\nhostnames = [\"a\"]\n",
            "1 hostnames are listed for 2 agents",
            2,
        ),
        (
            "agent-resources = \"ports:[1-2]\"\n[[agents]]\ncount = 1\n",
            "and so do",
            1,
        ),
        (
            "[marathon]\naccepted-resource-roles-default-behavior = \"some\"\n",
            "not a value",
            2,
        ),
        ("[marathon]\nmesos-role = \"a b\"\n", "space", 2),
        ("[marathon]\ndefault-accepted-resource-roles = []\n", "empty", 2),
        (
            "marathon-version = \"1.5\"\n[marathon]\nversion = \"1.6\"\n",
            "both at the top level and in [marathon]",
            3,
        ),
    ];
    for (config, message, line) in cases {
        let run = lint(config, PINNED, &[]);
        assert_eq!(run.code, 2, "{config}: {}", run.stdout);
        let d = &run.json()["diagnostics"][0];
        assert!(
            d["file"].as_str().unwrap().ends_with("marathon-lint.toml"),
            "{config}: {d}"
        );
        assert!(d["message"].as_str().unwrap().contains(message), "{config}: {d}");
        assert_eq!(d["line"], line, "{config}: {d}");
    }
}

#[test]
fn overrides_give_paths_their_own_cluster() {
    let dir = repo(
        "[[agents]]\ncount = 2\nresources = \"cpus:4;mem:8192\"\n\n[[overrides]]\npaths = [\"big/**\"]\n[[overrides.agents]]\ncount = 2\nresources = \"cpus:32;mem:65536\"\n",
    );
    let root = dir.path();
    let app = r#"{"id": "/x", "cmd": "x", "cpus": 16, "mem": 1024}"#;
    write(root, "small/app.json", app);
    write(root, "big/app.json", app);
    let run = run_in(root, &["--format", "json", "small", "big"], None);
    let files: Vec<String> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "resources-exceed-agents")
        .map(|d| d["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(files, vec!["small/app.json"]);
    let shown = run_in(root, &["cluster", "big/app.json"], None);
    assert!(shown.stdout.contains("role *: cpus 32, mem 65536"), "{}", shown.stdout);
}

#[test]
fn the_cluster_command_describes_the_facts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = run_in(root, &["cluster", "examples/cluster/edge-proxy.json"], None);
    assert_eq!(text.code, 0, "{}", text.stderr);
    for line in [
        "agents: 5 in 3 classes",
        "  class 1: 2 agents, from examples/cluster/exports/master-state.json",
        "    attributes: rack:r1",
        "    role slave_public: cpus 4, mem 14000, disk 100000, ports [1-21, 23-5050, 5052-32000]",
        "    attributes: public_ip:true",
        "  marathon-version: 1.8 (from examples/cluster/exports/marathon-info.json (/v2/info))",
        "  default-accepted-resource-roles: [\"*\"] (from examples/cluster/marathon-lint.toml)",
        "running apps: 2 with 4 tasks",
        "  port 80 on 10.0.5.20: /lb/marathon-lb",
    ] {
        assert!(text.stdout.contains(line), "missing {line:?} in:\n{}", text.stdout);
    }
    let json = run_in(root, &["cluster", "--format", "json", "examples/cluster/"], None);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["agents"]["count"], 5);
    assert_eq!(value["agents"]["classes"][2]["roles"]["slave_public"]["cpus"], 4.0);
    assert_eq!(value["marathon"]["mesos_role"]["value"], "slave_public");
    assert_eq!(value["running"]["held_ports"].as_array().unwrap().len(), 8);
    let none = run_in(root, &["cluster", "--no-config", "."], None);
    assert!(none.stdout.contains("agents: not known"), "{}", none.stdout);
    assert!(
        none.stdout
            .contains("role *: cpus unknown, mem unknown, disk unknown, gpus unknown, ports [31000-32000]"),
        "{}",
        none.stdout
    );
}

#[test]
fn review_cases_stay_silent_or_say_one_thing() {
    // An agent's /state with --default_role slave_public: its resources are slave_public's.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "agent.json",
        r#"{"id": "S1", "hostname": "p1", "pid": "slave(1)@10.0.0.9:5051", "flags": {"resources": "ports:[80-80,443-443]", "default_role": "slave_public"},
            "resources": {"cpus": 4, "mem": 8192, "disk": 1000, "ports": "[80-80, 443-443]"}, "attributes": {}}"#,
    );
    let edge = PINNED.replace(
        r#""instances": 1"#,
        r#""instances": 1, "acceptedResourceRoles": ["slave_public"]"#,
    );
    write(root, "edge.json", &edge);
    let run = run_in(
        root,
        &[
            "--format",
            "json",
            "--cluster",
            "agent.json",
            "--marathon-version",
            "1.8",
            "edge.json",
        ],
        None,
    );
    assert_eq!(rules(&run), Vec::<String>::new(), "{}", run.stdout);
    let shown = run_in(root, &["cluster", "--cluster", "agent.json"], None);
    assert!(
        shown
            .stdout
            .contains("role slave_public: cpus 4, mem 8192, disk 1000, ports [80-80, 443-443]"),
        "{}",
        shown.stdout
    );

    // Only roles Marathon gets no offers of: one finding, not three.
    let config = format!("{PUBLIC_PRIVATE}\n[marathon]\nmesos-role = \"other\"\n");
    let found = placement(&lint(&config, &edge, &["--marathon-version", "1.8"]));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, "/acceptedResourceRoles");
    assert!(
        found[0].2.contains("Marathon receives offers only of `*` and `other`"),
        "{}",
        found[0].2
    );

    // 1.9 keeps only `*` and the app's role; an app in a top-level group may get the group's role.
    let dev = "[[agents]]\ncount = 1\nresources = \"cpus(dev):4;mem(dev):4096;ports(dev):[80-80]\"\n";
    let grouped = PINNED.replace("\"/edge\"", "\"/dev/edge\"");
    assert_eq!(
        rules(&lint(dev, &grouped, &["--marathon-version", "1.9"])),
        Vec::<String>::new()
    );

    // Java regex constructs this engine reads otherwise are not judged.
    let posix = app_with(r#"[["rack", "UNLIKE", "[[:alpha:]]+"]]"#, "");
    assert_eq!(rules(&lint(RACKS, &posix, &[])), Vec::<String>::new());

    // Only inactive agents: nothing is known of the agents.
    write(
        root,
        "inactive.json",
        r#"{"slaves": [{"id": "a", "hostname": "h", "active": false, "resources": {"cpus": 1, "mem": 1, "ports": "[1-2]"}}]}"#,
    );
    write(root, "plain.json", r#"{"id": "/p", "cmd": "x", "instances": 3}"#);
    let run = run_in(
        root,
        &["--format", "json", "--cluster", "inactive.json", "plain.json"],
        None,
    );
    assert_eq!(rules(&run), Vec::<String>::new(), "{}", run.stdout);

    // A truncated export with non-ASCII text is a located error, not a crash.
    write(root, "cut.json", r#"{"apps":[{"id":"/café"#);
    let run = run_in(root, &["--format", "json", "--cluster", "cut.json", "plain.json"], None);
    assert_eq!(run.code, 2);
    assert_eq!(run.json()["diagnostics"][0]["rule"], "config-error");

    // A build suffix does not hide the version.
    write(
        root,
        "info.json",
        r#"{"version": "1.5.0-SNAPSHOT", "marathon_config": {}}"#,
    );
    let shown = run_in(root, &["cluster", "--cluster", "info.json"], None);
    assert!(shown.stdout.contains("marathon-version: 1.5 (from"), "{}", shown.stdout);
    write(root, "old.json", r#"{"version": "0.13.0", "marathon_config": {}}"#);
    let shown = run_in(root, &["cluster", "--cluster", "old.json"], None);
    assert!(
        shown
            .stdout
            .contains("says 0.13.0, a version this linter does not know"),
        "{}",
        shown.stdout
    );
}

#[test]
fn ports_marathon_picks_must_fit_in_the_agents_ranges() {
    let small = "[[agents]]\ncount = 2\nresources = \"cpus:8;mem:16384;ports:[31000-31002]\"\n";
    let app = |ports: usize| {
        let mappings: Vec<String> = (0..ports)
            .map(|i| format!(r#"{{"containerPort": {}, "hostPort": 0}}"#, 8000 + i))
            .collect();
        format!(
            r#"{{"id": "/many", "instances": 1, "networks": [{{"mode": "container/bridge"}}],
                "container": {{"type": "DOCKER", "docker": {{"image": "x:1"}}, "portMappings": [{}]}}}}"#,
            mappings.join(", ")
        )
    };
    assert_eq!(rules(&lint(small, &app(3), &[])), Vec::<String>::new());
    let found = placement(&lint(small, &app(4), &[]));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, "/container/portMappings/0/hostPort");
    assert!(
        found[0]
            .2
            .contains("needs 4 host ports picked from the offer, but no agent offers more than 3"),
        "{}",
        found[0].2
    );
}

#[test]
fn capacity_and_held_ports_from_real_exports() {
    let Some(dir) = shared() else { return };
    let state = dir.join("mesos-state/dcos__dcos-ui__tests__fixtures_1-service-with-executor-task_state.json");
    // Five private agents offer 31080 to `*`, the public one to slave_public
    // (Marathon's role in this export): six agents, one task each.
    let pinned = PINNED.replace(r#""hostPort": 80"#, r#""hostPort": 31080"#);
    let check = |instances: u32| {
        let app = pinned.replace(r#""instances": 1"#, &format!(r#""instances": {instances}"#));
        let run = run_in(
            Path::new("."),
            &[
                "--format",
                "json",
                "--no-config",
                "--cluster",
                state.to_str().unwrap(),
                "--marathon-version",
                "1.8",
                "-",
            ],
            Some(app.as_bytes()),
        );
        placement(&run)
    };
    assert!(check(6).is_empty(), "{:?}", check(6));
    let found = check(7);
    assert_eq!(found[0].0, "instances-exceed-capacity");
    assert!(found[0].2.contains("at most 6 at once"), "{}", found[0].2);

    // The marathon-lb tests' /v2/apps: /nginx-blue holds 25724 on 10.0.1.147.
    let apps = dir.join("marathon-apps/mesosphere__marathon-lb__tests_zdd_apps.json");
    let tmp = repo(&format!(
        "cluster = [{:?}]\n[[agents]]\ncount = 2\nresources = \"cpus:8;mem:16384;ports:[1025-32000]\"\nhostnames = [\"10.0.1.147\", \"10.0.6.25\"]\n",
        apps.to_str().unwrap()
    ));
    let two = PINNED
        .replace(r#""hostPort": 80"#, r#""hostPort": 25724"#)
        .replace(r#""instances": 1"#, r#""instances": 2"#);
    write(tmp.path(), "app.json", &two);
    let run = run_in(tmp.path(), &["--format", "json", "app.json"], None);
    let found = placement(&run);
    assert_eq!(found[0].0, "host-port-held-by-running-app", "{found:?}");
    assert!(found[0].2.contains("free on only 1 of the 2 agents"), "{}", found[0].2);
    assert!(found[0].2.contains("`/nginx-blue`"), "{}", found[0].2);
}

#[test]
fn an_agents_own_state_gives_its_attributes_flag() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "agent.json",
        r#"{"id": "S7", "hostname": "db-1", "pid": "slave(1)@10.0.0.7:5051",
            "flags": {"resources": "cpus:16;mem:65536;ports:[31000-32000]", "attributes": "rack:r7;disk_type:ssd"},
            "resources": {"cpus": 16, "mem": 65536, "disk": 100000, "ports": "[31000-32000]"}}"#,
    );
    write(
        dir.path(),
        "app.json",
        &app_with(r#"[["disk_type", "CLUSTER", "ssd"], ["rack", "LIKE", "r[0-9]"]]"#, ""),
    );
    let run = run_in(
        dir.path(),
        &["--format", "json", "--cluster", "agent.json", "app.json"],
        None,
    );
    assert_eq!(rules(&run), Vec::<String>::new());
    write(
        dir.path(),
        "app.json",
        &app_with(r#"[["disk_type", "CLUSTER", "nvme"]]"#, ""),
    );
    let run = run_in(
        dir.path(),
        &["--format", "json", "--cluster", "agent.json", "app.json"],
        None,
    );
    let found = placement(&run);
    assert!(
        found[0]
            .2
            .contains("no agent's `disk_type` is `nvme`; the 1 agent has `ssd`"),
        "{}",
        found[0].2
    );
}

#[test]
fn definitions_saved_from_the_api_are_recognised_once_per_app() {
    let Some(dir) = shared() else { return };
    let run = run_in(
        Path::new("."),
        &[
            "--format",
            "json",
            "--no-config",
            dir.join("marathon-apps").to_str().unwrap(),
        ],
        None,
    );
    let diagnostics = run.json()["diagnostics"].as_array().unwrap().clone();
    let exported: Vec<&serde_json::Value> = diagnostics
        .iter()
        .filter(|d| d["rule"] == "exported-status-fields")
        .collect();
    // Every app of every /v2/apps export, once.
    assert_eq!(exported.len(), 10, "{exported:#?}");
    assert!(exported.iter().all(|d| d["severity"] == "warning"));
    // The members it names are not also unknown fields.
    for d in &diagnostics {
        if d["rule"] == "unknown-field" {
            let key = d["pointer"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
            assert!(
                !["tasksRunning", "tasks", "deployments", "tasksHealthy"].contains(&key.as_str()),
                "{d}"
            );
        }
    }
}
