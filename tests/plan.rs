//! `marathon-lint plan`: definitions against a `GET /v2/apps` export, per
//! method (created, changed, merged-away fields, defaults, scale-only,
//! restart, groups), its three outputs, exit codes and bad input.

mod common;

use common::{repo_with, run, run_in};
use serde_json::{json, Value};

fn plan_json(dir: &std::path::Path, args: &[&str]) -> Value {
    let mut all = vec!["plan", "--format", "json", "--current", "current.json"];
    all.extend_from_slice(args);
    let run = run_in(dir, &all, None);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

fn app<'a>(plan: &'a Value, id: &str) -> &'a Value {
    plan["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {plan}"))
}

/// A running app as Marathon 1.10 exports it, defaults written out.
fn running(id: &str, extra: Value) -> Value {
    let mut app = json!({
        "id": id, "instances": 3, "cpus": 0.5, "mem": 256, "disk": 0, "gpus": 0, "executor": "",
        "backoffFactor": 1.15, "backoffSeconds": 1, "maxLaunchDelaySeconds": 300, "killSelection": "YOUNGEST_FIRST",
        "requirePorts": false, "role": "*", "labels": {}, "networks": [{"mode": "host"}],
        "portDefinitions": [{"name": "default", "port": 10001, "protocol": "tcp"}],
        "unreachableStrategy": {"expungeAfterSeconds": 0, "inactiveAfterSeconds": 0},
        "upgradeStrategy": {"maximumOverCapacity": 1, "minimumHealthCapacity": 1},
        "version": "2026-11-30T09:12:44.512Z", "tasksRunning": 3, "tasksStaged": 0, "deployments": []
    });
    for (k, v) in extra.as_object().unwrap() {
        app[k] = v.clone();
    }
    app
}

fn export(apps: &[Value]) -> String {
    json!({ "apps": apps }).to_string()
}

#[test]
fn the_shipped_example_in_three_formats() {
    let args = |format: &'static str| {
        vec![
            "plan",
            "examples/plan/apps",
            "--current",
            "examples/plan/current.json",
            "--method",
            "put",
            "--color",
            "never",
            "--format",
            format,
        ]
    };
    let human = run(&args("human"));
    assert_eq!(human.code, 0, "{}", human.stderr);
    insta::assert_snapshot!("plan_human", human.stdout);
    let markdown = run(&args("markdown"));
    insta::assert_snapshot!("plan_markdown", markdown.stdout);
    let json = run(&args("json"));
    insta::assert_snapshot!("plan_json", json.stdout);
    // Colour, when asked for, is ANSI escapes around the same text.
    let mut colored = args("human");
    colored[7] = "always";
    let colored = run(&colored);
    assert!(colored.stdout.contains("\u{1b}["), "{}", colored.stdout);
}

#[test]
fn put_merges_so_deleted_fields_stay_and_put_replace_resets_them() {
    let current = export(&[running(
        "/shop/web",
        json!({"cmd": "./web", "constraints": [["hostname", "UNIQUE"]], "env": {"A": "1"}}),
    )]);
    // The file lost its constraints and env; the image-free app has a cmd.
    let file = r#"{"id": "/shop/web", "cmd": "./web", "instances": 3, "cpus": 0.5, "mem": 256}"#;
    let dir = repo_with(&[("current.json", &current), ("web.json", file)]);
    let put = plan_json(dir.path(), &["--method", "put", "web.json"]);
    let web = app(&put, "/shop/web");
    assert_eq!(web["status"], "unchanged", "{web}");
    let kept: Vec<&str> = web["kept"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["field"].as_str().unwrap())
        .collect();
    assert_eq!(kept, vec!["constraints", "env"]);
    assert!(
        web["kept"][0]["message"].as_str().unwrap().contains(
            "`constraints` is not in the file, but PUT merges: the running app keeps [[\"hostname\",\"UNIQUE\"]]"
        ),
        "{web}"
    );
    let replace = plan_json(dir.path(), &["--method", "put-replace", "web.json"]);
    let web = app(&replace, "/shop/web");
    assert_eq!(web["status"], "changed");
    assert_eq!(web["deployment"], json!({"kind": "restart", "from": 3, "to": 3}));
    let changes: Vec<(&str, bool)> = web["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["path"].as_str().unwrap(), c["reset"].as_bool().unwrap()))
        .collect();
    assert_eq!(changes, vec![("constraints", true), ("env.A", true)]);
    assert_eq!(web["kept"], json!([]));
}

#[test]
fn instances_alone_scale_and_anything_else_restarts() {
    let current = export(&[
        running("/a", json!({"cmd": "./a"})),
        running("/b", json!({"cmd": "./b"})),
        running("/c", json!({"cmd": "./c"})),
    ]);
    let dir = repo_with(&[
        ("current.json", &current),
        ("a.json", r#"{"id": "/a", "instances": 5}"#),
        ("b.json", r#"{"id": "/b", "labels": {"owner": "shop"}}"#),
        ("c.json", r#"{"id": "/c", "instances": 0, "cpus": 2}"#),
    ]);
    let plan = plan_json(dir.path(), &["--method", "patch", "a.json", "b.json", "c.json"]);
    assert_eq!(
        app(&plan, "/a")["deployment"],
        json!({"kind": "scale", "from": 3, "to": 5})
    );
    assert_eq!(
        app(&plan, "/b")["deployment"],
        json!({"kind": "restart", "from": 3, "to": 3})
    );
    // Scaled to zero: Marathon scales, whatever else changes.
    assert_eq!(
        app(&plan, "/c")["deployment"],
        json!({"kind": "scale", "from": 3, "to": 0})
    );
    assert_eq!(plan["summary"]["restarted_tasks"], 3);
    // --fail-on-restart: 1 when a task restarts, 0 when only scaling.
    let restarts = run_in(
        dir.path(),
        &[
            "plan",
            "--current",
            "current.json",
            "--method",
            "patch",
            "--fail-on-restart",
            "b.json",
        ],
        None,
    );
    assert_eq!(restarts.code, 1, "{}", restarts.stdout);
    let scales = run_in(
        dir.path(),
        &[
            "plan",
            "--current",
            "current.json",
            "--method",
            "patch",
            "--fail-on-restart",
            "a.json",
        ],
        None,
    );
    assert_eq!(scales.code, 0, "{}", scales.stdout);
}

#[test]
fn defaults_formatting_and_1_4_networking_are_not_changes() {
    // Marathon 1.10's export of a bridged app, and the same app as a 1.4
    // definition, with defaults left out and numbers written differently.
    let current = export(&[running(
        "/shop/web",
        json!({
            "networks": [{"mode": "container/bridge"}], "portDefinitions": null,
            "container": {"type": "DOCKER", "volumes": [], "docker": {"image": "nginx:1.25.3", "privileged": false,
                "parameters": [], "forcePullImage": false},
                "portMappings": [{"containerPort": 80, "hostPort": 0, "servicePort": 10101, "protocol": "tcp",
                "labels": {}}]},
            "healthChecks": [{"protocol": "MESOS_HTTP", "path": "/", "portIndex": 0, "gracePeriodSeconds": 300,
                "intervalSeconds": 60, "timeoutSeconds": 20, "maxConsecutiveFailures": 3, "delaySeconds": 15,
                "ipProtocol": "IPv4"}]
        }),
    )]);
    let file = r#"{
      "id": "shop/web", "instances": 3, "cpus": 0.50, "mem": 256.0,
      "container": {"type": "DOCKER", "docker": {"image": "nginx:1.25.3", "network": "BRIDGE",
                    "portMappings": [{"containerPort": 80, "servicePort": 0}]}},
      "healthChecks": [{"protocol": "MESOS_HTTP", "path": "/"}]
    }"#;
    let dir = repo_with(&[("current.json", &current), ("web.json", file)]);
    for method in ["put", "put-replace"] {
        let plan = plan_json(dir.path(), &["--method", method, "web.json"]);
        let web = app(&plan, "/shop/web");
        assert_eq!(web["status"], "unchanged", "{method}: {web}");
        assert_eq!(web["kept"], json!([]), "{method}: {web}");
    }
}

#[test]
fn each_method_creates_refuses_or_rolls_back_as_marathon_does() {
    let current = export(&[running("/shop/web", json!({"cmd": "./web"}))]);
    let dir = repo_with(&[
        ("current.json", &current),
        ("new.json", r#"{"id": "/shop/new", "cmd": "./new", "instances": 2}"#),
        ("web.json", r#"{"id": "/shop/web", "cmd": "./web", "instances": 4}"#),
        (
            "export.json",
            r#"{"id": "/shop/web", "version": "2026-01-01T00:00:00.000Z", "cmd": "./web", "instances": 3, "cpus": 0.5, "mem": 256}"#,
        ),
        (
            "rollback.json",
            r#"{"id": "/shop/web", "version": "2026-01-01T00:00:00.000Z"}"#,
        ),
    ]);
    let status = |method: &str, file: &str, id: &str| -> (String, String) {
        let plan = plan_json(dir.path(), &["--method", method, file]);
        let a = app(&plan, id);
        (
            a["status"].as_str().unwrap().to_string(),
            a["notes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(" "),
        )
    };
    assert_eq!(status("put", "new.json", "/shop/new").0, "created");
    assert_eq!(status("post", "new.json", "/shop/new").0, "created");
    let (s, why) = status("patch", "new.json", "/shop/new");
    assert_eq!(s, "refused");
    assert!(why.contains("PATCH does not create apps"), "{why}");
    let (s, why) = status("post", "web.json", "/shop/web");
    assert_eq!(s, "refused");
    assert!(why.contains("409"), "{why}");
    let (s, why) = status("put", "export.json", "/shop/web");
    assert_eq!(s, "refused");
    assert!(why.contains("may only be combined with the 'id' field"), "{why}");
    // POST and a full replacement ignore `version`.
    assert_eq!(status("put-replace", "export.json", "/shop/web").0, "unchanged");
    assert_eq!(status("patch", "rollback.json", "/shop/web").0, "rollback");
}

#[test]
fn a_group_body_replaces_the_groups_apps_and_groups() {
    let current = json!({"id": "/", "apps": [], "groups": [{"id": "/shop", "apps": [
        running("/shop/web", json!({"cmd": "./web"})),
        running("/shop/old", json!({"cmd": "./old", "instances": 2})),
    ], "groups": [
        {"id": "/shop/batch", "apps": [running("/shop/batch/nightly", json!({"cmd": "./nightly", "instances": 1}))], "groups": []},
        {"id": "/shop/cache", "apps": [running("/shop/cache/redis", json!({"cmd": "./redis", "instances": 1}))], "groups": []}
    ]}]})
    .to_string();
    let group = r#"{"id": "/shop", "apps": [{"id": "web", "cmd": "./web", "instances": 3, "cpus": 0.5, "mem": 256}],
                    "groups": [{"id": "cache", "apps": [{"id": "redis", "cmd": "./redis", "instances": 1, "cpus": 0.5, "mem": 256}]}]}"#;
    let dir = repo_with(&[("current.json", &current), ("shop.json", group)]);
    let plan = plan_json(dir.path(), &["shop.json"]);
    assert_eq!(plan["running"], 4, "a /v2/groups export is read whole");
    assert_eq!(app(&plan, "/shop/web")["status"], "unchanged");
    assert_eq!(app(&plan, "/shop/web")["request"], "PUT /v2/groups/shop");
    assert_eq!(app(&plan, "/shop/cache/redis")["status"], "unchanged");
    let old = app(&plan, "/shop/old");
    assert_eq!(old["status"], "removed");
    assert_eq!(old["deployment"], json!({"kind": "stop", "from": 2, "to": 0}));
    let nightly = app(&plan, "/shop/batch/nightly");
    assert_eq!(nightly["status"], "removed");
    assert!(
        nightly["notes"][0].as_str().unwrap().contains("/shop/batch"),
        "{nightly}"
    );
    // Apps sent on their own remove nothing.
    std::fs::write(dir.path().join("web.json"), r#"{"id": "/shop/web", "cmd": "./web"}"#).unwrap();
    let plan = plan_json(dir.path(), &["web.json"]);
    assert_eq!(plan["apps"].as_array().unwrap().len(), 1);
}

#[test]
fn bad_input_is_located_and_exits_2_without_a_plan() {
    let current = export(&[running("/shop/web", json!({"cmd": "./web"}))]);
    let dir = repo_with(&[
        ("current.json", &current),
        ("web.json", r#"{"id": "/shop/web", "cmd": "./web"}"#),
        ("noid.json", "{\n  \"cmd\": \"./web\",\n  \"instances\": 2\n}\n"),
        ("broken.json", "{\"id\": \"/x\",\n \"cmd\": }"),
        ("template.json", "{\"id\": \"/x\", \"instances\": ${N}}"),
        ("state.json", r#"{"slaves": [], "frameworks": [], "flags": {}}"#),
        ("noids.json", r#"{"apps": [{"cmd": "./x"}]}"#),
    ]);
    let plan = |current: &str, file: &str| {
        run_in(
            dir.path(),
            &["plan", "--color", "never", "--current", current, file],
            None,
        )
    };
    for (current, file, expected) in [
        ("current.json", "noid.json", "this app has no `id`"),
        ("current.json", "broken.json", "json-syntax"),
        ("current.json", "template.json", "is a template"),
        ("current.json", "missing.json", "cannot read missing.json"),
        (
            "state.json",
            "web.json",
            "is a Mesos /master/state export, not Marathon's running apps",
        ),
        ("noids.json", "web.json", "an exported app needs its string `id`"),
        (
            "missing.json",
            "web.json",
            "cannot read the cluster export missing.json",
        ),
    ] {
        let run = plan(current, file);
        assert_eq!(run.code, 2, "{file} against {current}: {}", run.stdout);
        assert!(run.stdout.is_empty(), "no plan is printed: {}", run.stdout);
        assert!(
            run.stderr.contains(expected),
            "{file} against {current}: {}",
            run.stderr
        );
    }
    // Located: the app without an id is pointed at.
    let located = plan("current.json", "noid.json");
    assert!(located.stderr.contains("noid.json:1:1"), "{}", located.stderr);
    // With the variables, the template is planned.
    std::fs::write(dir.path().join("vars.env"), "N=2\n").unwrap();
    let rendered = run_in(
        dir.path(),
        &[
            "plan",
            "--current",
            "current.json",
            "--vars",
            "vars.env",
            "template.json",
        ],
        None,
    );
    assert_eq!(rendered.code, 0, "{}", rendered.stderr);
}

#[test]
fn bodies_the_method_cannot_carry_are_bad_input_and_post_of_a_group_is_refused_when_it_exists() {
    let current = export(&[running("/shop/web", json!({"cmd": "./web"}))]);
    let group = r#"{"id": "/shop", "apps": [{"id": "web", "cmd": "./web"}, {"id": "api", "cmd": "./api"}]}"#;
    let dir = repo_with(&[
        ("current.json", &current),
        (
            "list.json",
            r#"[{"id": "/a", "cmd": "./a"}, {"id": "/b", "cmd": "./b"}]"#,
        ),
        ("shop.json", group),
        ("other.json", r#"{"id": "/other", "apps": [{"id": "x", "cmd": "./x"}]}"#),
    ]);
    for (method, file) in [("post", "list.json"), ("patch", "shop.json")] {
        let run = run_in(
            dir.path(),
            &["plan", "--current", "current.json", "--method", method, file],
            None,
        );
        assert_eq!(run.code, 2, "{method} {file}: {}", run.stdout);
        assert!(run.stderr.contains("plan-input"), "{}", run.stderr);
    }
    // A list is fine for PUT /v2/apps.
    let plan = plan_json(dir.path(), &["--method", "put", "list.json"]);
    assert_eq!(plan["summary"]["created"], 2);
    // POST /v2/groups: refused whole when the group exists, created when not.
    let plan = plan_json(dir.path(), &["--method", "post", "shop.json", "other.json"]);
    assert_eq!(app(&plan, "/shop/web")["status"], "refused");
    assert_eq!(app(&plan, "/shop/api")["status"], "refused");
    assert!(app(&plan, "/shop/api")["notes"][0].as_str().unwrap().contains("409"));
    assert_eq!(app(&plan, "/other/x")["status"], "created");
    assert_eq!(app(&plan, "/other/x")["request"], "POST /v2/groups");
}

/// Every real export's apps, saved as definitions (status fields removed),
/// plan as unchanged against that export: normalising the two sides agrees.
#[test]
fn real_exports_plan_as_unchanged_against_themselves() {
    let Some(shared) = common::shared_dir() else {
        eprintln!("SKIPPED: ../shared/corpus/cluster-state is absent (fresh clone); nothing to check");
        return;
    };
    let exports = shared.join("corpus/cluster-state/marathon-apps");
    let mut checked = 0;
    for entry in std::fs::read_dir(&exports).unwrap() {
        let path = entry.unwrap().path();
        let value: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let apps: Vec<Value> = match (&value["apps"], &value["app"]) {
            (Value::Array(apps), _) => apps.clone(),
            (_, Value::Object(_)) => vec![value["app"].clone()],
            _ => vec![value.clone()],
        };
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(&path, dir.path().join("current.json")).unwrap();
        for (i, mut app) in apps.into_iter().enumerate() {
            for key in [
                "version",
                "versionInfo",
                "tasks",
                "tasksRunning",
                "tasksStaged",
                "tasksHealthy",
                "tasksUnhealthy",
                "deployments",
                "lastTaskFailure",
                "taskStats",
                "readinessCheckResults",
            ] {
                app.as_object_mut().unwrap().remove(key);
            }
            // As `exported-status-fields`' fix does: a 1.4 export's `uris`
            // copies its `fetch`, and PUT refuses the two together.
            if app.get("fetch").is_some() {
                app.as_object_mut().unwrap().remove("uris");
            }
            std::fs::create_dir_all(dir.path().join("defs")).unwrap();
            std::fs::write(dir.path().join(format!("defs/app{i}.json")), app.to_string()).unwrap();
        }
        for method in ["put", "put-replace"] {
            for version in ["1.4", "1.10"] {
                let plan = plan_json(dir.path(), &["--method", method, "--marathon-version", version, "defs"]);
                for a in plan["apps"].as_array().unwrap() {
                    // Written for 1.4, which filled a missing member: 1.5+
                    // refuses it, rightly.
                    let half_strategy = a["notes"][0]
                        .as_str()
                        .is_some_and(|n| n.starts_with("`upgradeStrategy` without"));
                    if version == "1.10" && half_strategy {
                        assert_eq!(a["status"], "refused");
                        continue;
                    }
                    assert_eq!(
                        a["status"],
                        "unchanged",
                        "{} ({method}, {version}): {a}",
                        path.display()
                    );
                    assert_eq!(a["kept"], json!([]), "{} ({method}, {version}): {a}", path.display());
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 30, "only {checked} apps planned");
}

/// `plan` on every real-world definition: a plan or located bad input,
/// never a crash.
#[test]
fn plan_never_crashes_on_the_realworld_corpus() {
    let Some(shared) = common::shared_dir() else {
        eprintln!("SKIPPED: ../shared/corpus/realworld is absent (fresh clone); nothing to check");
        return;
    };
    let corpus = shared.join("corpus/realworld");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("current.json"), r#"{"apps": []}"#).unwrap();
    let mut planned = 0;
    for entry in walkdir::WalkDir::new(&corpus) {
        let path = entry.unwrap().into_path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let run = run_in(
            dir.path(),
            &[
                "plan",
                "--format",
                "json",
                "--current",
                "current.json",
                path.to_str().unwrap(),
            ],
            None,
        );
        assert!(
            run.code == 0 || run.code == 2,
            "{}: exit {}\n{}",
            path.display(),
            run.code,
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}: {}", path.display(), run.stderr);
        if run.code == 0 {
            planned += 1;
        }
    }
    assert!(planned > 100, "only {planned} files planned");
}

/// Cases found in review against Marathon's source (tag:path:line in
/// src/plan): each is what Marathon does, not what a naive diff says.
#[test]
fn marathons_own_defaults_and_refusals_per_version() {
    let plan_one = |version: &str, method: &str, current: Value, file: &str| -> Value {
        let dir = repo_with(&[("current.json", &export(&[current])), ("app.json", file)]);
        let plan = plan_json(
            dir.path(),
            &["--marathon-version", version, "--method", method, "app.json"],
        );
        plan["apps"][0].clone()
    };
    // Persistent volumes: `type` root and no constraints are Marathon's.
    let volume = json!({"containerPath": "pgdata", "mode": "RW", "persistent": {"size": 1024}});
    let stored = json!({"containerPath": "pgdata", "mode": "RW", "persistent": {"size": 1024, "type": "root", "constraints": []}});
    let pg = plan_one(
        "1.10",
        "put-replace",
        running(
            "/db/pg",
            json!({"cmd": "./pg", "container": {"type": "MESOS", "volumes": [stored]},
            "upgradeStrategy": {"minimumHealthCapacity": 0.5, "maximumOverCapacity": 0}, "unreachableStrategy": "disabled"}),
        ),
        &json!({"id": "/db/pg", "cmd": "./pg", "instances": 3, "cpus": 0.5, "mem": 256,
                "container": {"type": "MESOS", "volumes": [volume]}})
        .to_string(),
    );
    assert_eq!(pg["status"], "unchanged", "{pg}");
    // Marathon 1.4's update reader extracts every URI in `uris`.
    let fetched = json!({"cmd": "./api", "fetch": [{"uri": "https://example.com/config.json", "extract": true,
        "executable": false, "cache": false}], "uris": ["https://example.com/config.json"]});
    let file = r#"{"id": "/api", "cmd": "./api", "instances": 3, "cpus": 0.5, "mem": 256, "uris": ["https://example.com/config.json"]}"#;
    assert_eq!(
        plan_one("1.4", "put", running("/api", fetched.clone()), file)["status"],
        "unchanged"
    );
    // A full replacement reads them by their ending: config.json is not an archive.
    let replaced = plan_one("1.4", "put-replace", running("/api", fetched), file);
    assert_eq!(replaced["changes"][0]["path"], "fetch[0].extract", "{replaced}");
    // 1.5+ refuses half an upgrade strategy; 1.4 fills the other member with 1.
    let half = r#"{"id": "/api", "cmd": "./api", "instances": 3, "cpus": 0.5, "mem": 256, "upgradeStrategy": {"minimumHealthCapacity": 0.5}}"#;
    let strategy = json!({"cmd": "./api", "upgradeStrategy": {"minimumHealthCapacity": 0.5, "maximumOverCapacity": 1}});
    assert_eq!(
        plan_one("1.4", "put", running("/api", strategy.clone()), half)["status"],
        "unchanged"
    );
    assert_eq!(
        plan_one("1.10", "put", running("/api", strategy), half)["status"],
        "refused"
    );
    // 1.4: moving an app with host ports to its own IP address with PUT.
    let moved = r#"{"id": "/web", "ipAddress": {"networkName": "calico"},
        "container": {"type": "DOCKER", "docker": {"image": "nginx", "network": "USER"}}}"#;
    let web = plan_one(
        "1.4",
        "put",
        running("/web", json!({"cmd": "./web", "ports": [10001]})),
        moved,
    );
    assert_eq!(web["status"], "refused", "{web}");
    assert!(
        web["notes"][0]
            .as_str()
            .unwrap()
            .contains("are not allowed at the same time"),
        "{web}"
    );
    // 1.5+: a container network without a container replaces the running
    // Docker container with an empty Mesos one; nothing is left to run.
    let overlay = r#"{"id": "/web", "instances": 4, "networks": [{"mode": "container", "name": "dcos"}]}"#;
    let docker = json!({"container": {"type": "DOCKER", "docker": {"image": "nginx:1.19"}},
        "networks": [{"mode": "container", "name": "dcos"}], "portDefinitions": null});
    let web = plan_one("1.10", "put", running("/web", docker), overlay);
    assert_eq!(web["status"], "refused", "{web}");
    // 1.5.13+ creates a missing app from a PUT body, `version` ignored.
    let dir = repo_with(&[
        ("current.json", &export(&[])),
        (
            "new.json",
            r#"{"id": "/new", "version": "2020-01-01T00:00:00Z", "cmd": "./new"}"#,
        ),
    ]);
    let created = plan_json(dir.path(), &["--method", "put", "new.json"]);
    assert_eq!(created["apps"][0]["status"], "created");
    // `"version": null` is no rollback.
    let null = plan_one(
        "1.10",
        "put",
        running("/api", json!({"cmd": "./api"})),
        r#"{"id": "/api", "version": null, "instances": 5}"#,
    );
    assert_eq!(
        null["deployment"],
        json!({"kind": "scale", "from": 3, "to": 5}),
        "{null}"
    );
    // 1.4 `ports` set the port definitions: nothing is kept from the running app.
    let ports = plan_one(
        "1.4",
        "put",
        running(
            "/api",
            json!({"cmd": "./api", "portDefinitions": [{"port": 10001, "protocol": "tcp"}, {"port": 10002, "protocol": "tcp"}]}),
        ),
        r#"{"id": "/api", "cmd": "./api", "ports": [0, 0]}"#,
    );
    let kept: Vec<&str> = ports["kept"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["field"].as_str().unwrap())
        .collect();
    assert!(!kept.contains(&"portDefinitions"), "{ports}");
    // 1.4 resolves an app's relative dependencies against its own id.
    let deps = plan_one(
        "1.4",
        "put-replace",
        running(
            "/prod/web",
            json!({"cmd": "x", "dependencies": ["/prod/db"], "maxLaunchDelaySeconds": 3600, "role": null}),
        ),
        r#"{"id": "/prod/web", "cmd": "x", "instances": 3, "cpus": 0.5, "mem": 256, "dependencies": ["../db"]}"#,
    );
    assert_eq!(deps["status"], "unchanged", "{deps}");
    // 1.9+: an app of a group that enforces its role defaults to its name.
    let role = plan_one(
        "1.10",
        "put-replace",
        running("/prod/web", json!({"cmd": "./web", "role": "prod"})),
        r#"{"id": "/prod/web", "cmd": "./web", "instances": 3, "cpus": 0.5, "mem": 256}"#,
    );
    assert_eq!(role["status"], "unchanged", "{role}");
}

#[test]
fn a_saved_group_export_is_refused_whole() {
    let current = json!({"id": "/", "apps": [], "groups": [{"id": "/prod", "apps": [
        running("/prod/web", json!({"cmd": "./web"})), running("/prod/api", json!({"cmd": "./api"}))], "groups": []}]})
    .to_string();
    let saved =
        r#"{"id": "/prod", "version": "2020-01-01T00:00:00.000Z", "apps": [{"id": "/prod/web", "cmd": "./web"}]}"#;
    let dir = repo_with(&[("current.json", &current), ("prod.json", saved)]);
    let plan = plan_json(dir.path(), &["prod.json"]);
    let apps = plan["apps"].as_array().unwrap();
    assert_eq!(apps.len(), 1, "nothing removed: {plan}");
    assert_eq!(apps[0]["status"], "refused");
    assert!(apps[0]["notes"][0].as_str().unwrap().contains("`version`"), "{plan}");
}

/// Cases from a second review against Marathon's source.
#[test]
fn second_review_cases() {
    let plan_one = |version: &str, method: &str, current: Value, file: &str| -> Value {
        let dir = repo_with(&[("current.json", &export(&[current])), ("app.json", file)]);
        plan_json(
            dir.path(),
            &["--marathon-version", version, "--method", method, "app.json"],
        )["apps"][0]
            .clone()
    };
    // A relative id is the URL's app.
    let relative = plan_one(
        "1.4",
        "put-replace",
        running(
            "/web",
            json!({"cmd": "./web", "maxLaunchDelaySeconds": 3600, "role": null}),
        ),
        r#"{"id": "web", "cmd": "./web", "instances": 3, "cpus": 0.5, "mem": 256}"#,
    );
    assert_eq!(relative["status"], "unchanged", "{relative}");
    // Members a health check's protocol does not take are not stored.
    let checks = plan_one(
        "1.10",
        "put",
        running(
            "/web",
            json!({"cmd": "./web", "healthChecks": [{"protocol": "TCP", "portIndex": 0,
            "gracePeriodSeconds": 300, "intervalSeconds": 60, "timeoutSeconds": 20, "maxConsecutiveFailures": 3,
            "delaySeconds": 15, "ipProtocol": "IPv4"}]}),
        ),
        r#"{"id": "/web", "cmd": "./web", "healthChecks": [{"protocol": "TCP", "portIndex": 0, "ignoreHttp1xx": false, "delaySeconds": 30}]}"#,
    );
    assert_eq!(checks["status"], "unchanged", "{checks}");
    // 1.8+ writes `shared: false` on external volumes.
    let external = plan_one(
        "1.10",
        "put",
        running(
            "/web",
            json!({"cmd": "./web", "container": {"type": "MESOS", "volumes": [
            {"containerPath": "data", "mode": "RW", "external": {"name": "d", "provider": "dvdi", "shared": false}}]}}),
        ),
        r#"{"id": "/web", "container": {"type": "MESOS", "volumes": [{"containerPath": "data", "mode": "RW", "external": {"name": "d", "provider": "dvdi"}}]}}"#,
    );
    assert_eq!(external["status"], "unchanged", "{external}");
    // Port 0 reuses only the running app's ports in Marathon's range.
    let ports = plan_one(
        "1.10",
        "put",
        running(
            "/web",
            json!({"cmd": "./web", "portDefinitions": [{"port": 8080, "protocol": "tcp"}, {"port": 10011, "protocol": "tcp"}]}),
        ),
        r#"{"id": "/web", "portDefinitions": [{"port": 0}, {"port": 0}]}"#,
    );
    assert_eq!(ports["status"], "changed", "{ports}");
    // 10011 is reused (first 0), 8080 is not in the range: the second 0
    // gets a new port, and 8080 is gone.
    assert_eq!(ports["changes"].as_array().unwrap().len(), 1, "{ports}");
    assert_eq!(ports["changes"][0]["old"], 8080, "{ports}");
    assert_eq!(ports["changes"][0]["new"], "(a new port Marathon picks)", "{ports}");
    // A suspended app given a new command starts tasks: nothing restarts.
    let dir = repo_with(&[
        (
            "current.json",
            &export(&[running("/web", json!({"cmd": "./web", "instances": 0}))]),
        ),
        ("app.json", r#"{"id": "/web", "cmd": "./web2", "instances": 3}"#),
    ]);
    let run = run_in(
        dir.path(),
        &[
            "plan",
            "--current",
            "current.json",
            "--method",
            "patch",
            "--fail-on-restart",
            "app.json",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("starts 3 tasks of the new version"),
        "{}",
        run.stdout
    );
}

#[test]
fn group_bodies_marathon_refuses_or_that_set_roles() {
    let current = json!({"id": "/", "apps": [running("/standalone", json!({"cmd": "./s"}))], "groups": [{"id": "/prod",
        "apps": [running("/prod/web", json!({"cmd": "./web", "role": "prod"}))], "groups": []}]})
    .to_string();
    let dir = repo_with(&[
        ("current.json", &current),
        (
            "foreign.json",
            r#"{"id": "/prod", "apps": [{"id": "/other/web", "cmd": "./web"}]}"#,
        ),
        (
            "noid.json",
            r#"{"id": "/prod", "groups": [{"apps": [{"id": "a", "cmd": "./a"}]}]}"#,
        ),
        (
            "roles.json",
            r#"{"id": "/prod", "apps": [{"id": "web", "cmd": "./web", "instances": 3, "cpus": 0.5, "mem": 256}]}"#,
        ),
    ]);
    for file in ["foreign.json", "noid.json"] {
        let plan = plan_json(dir.path(), &[file]);
        let apps = plan["apps"].as_array().unwrap();
        assert!(apps.iter().all(|a| a["status"] == "refused"), "{file}: {plan}");
    }
    // Without `enforceRole`, the group's apps get the default role: `prod` is lost.
    let plan = plan_json(dir.path(), &["roles.json"]);
    assert_eq!(app(&plan, "/prod/web")["changes"][0]["path"], "role", "{plan}");
    let enforced = r#"{"id": "/prod", "enforceRole": true, "apps": [{"id": "web", "cmd": "./web", "instances": 3, "cpus": 0.5, "mem": 256}]}"#;
    std::fs::write(dir.path().join("roles.json"), enforced).unwrap();
    let plan = plan_json(dir.path(), &["roles.json"]);
    assert_eq!(app(&plan, "/prod/web")["status"], "unchanged", "{plan}");
    // The same app twice, and groups in a list: bad input.
    std::fs::write(dir.path().join("a.json"), r#"{"id": "/web", "cmd": "./a"}"#).unwrap();
    std::fs::write(dir.path().join("b.json"), r#"{"id": "/web", "cmd": "./b"}"#).unwrap();
    std::fs::write(
        dir.path().join("list.json"),
        r#"[{"id": "/prod", "apps": [{"id": "db", "cmd": "./db"}]}]"#,
    )
    .unwrap();
    for files in [vec!["a.json", "b.json"], vec!["list.json"]] {
        let mut args = vec!["plan", "--current", "current.json"];
        args.extend(files.iter());
        let run = run_in(dir.path(), &args, None);
        assert_eq!(run.code, 2, "{files:?}: {}", run.stdout);
    }
}

#[test]
fn long_values_show_where_they_differ_and_markdown_fences_hold() {
    let long = "x".repeat(150);
    let dir = repo_with(&[
        (
            "current.json",
            &export(&[running(
                "/web",
                json!({"cmd": format!("./web {long} --old"), "labels": {"A": "``tick``"}}),
            )]),
        ),
        (
            "app.json",
            &json!({"id": "/web", "cmd": format!("./web {long} --new"), "labels": {"A": "``tock``"}}).to_string(),
        ),
    ]);
    let human = run_in(
        dir.path(),
        &[
            "plan",
            "--color",
            "never",
            "--current",
            "current.json",
            "--method",
            "patch",
            "app.json",
        ],
        None,
    );
    assert!(
        human.stdout.contains("--old") && human.stdout.contains("--new"),
        "{}",
        human.stdout
    );
    let markdown = run_in(
        dir.path(),
        &[
            "plan",
            "--format",
            "markdown",
            "--current",
            "current.json",
            "--method",
            "patch",
            "app.json",
        ],
        None,
    );
    assert!(markdown.stdout.contains("``` \"``tock``\" ```"), "{}", markdown.stdout);
}

#[test]
fn an_export_of_another_release_is_pointed_out_and_changes_carry_pointers() {
    let dir = repo_with(&[
        (
            "current.json",
            r#"{"apps": [{"id": "/web", "cmd": "./web", "ports": [10001], "uris": [], "labels": {"com.example.team": "a"}}]}"#,
        ),
        (
            "web.json",
            r#"{"id": "/web", "cmd": "./web", "labels": {"com.example.team": "b"}}"#,
        ),
    ]);
    let plan = plan_json(dir.path(), &["--method", "patch", "web.json"]);
    assert!(plan["notes"][0].as_str().unwrap().contains("Marathon 1.4"), "{plan}");
    let change = &app(&plan, "/web")["changes"][0];
    assert_eq!(change["pointer"], "/labels/com.example.team", "{change}");
    let plan = plan_json(
        dir.path(),
        &["--method", "patch", "--marathon-version", "1.4", "web.json"],
    );
    assert_eq!(plan["notes"], json!([]));
}

#[test]
fn an_added_list_element_is_shown_as_added() {
    let dir = repo_with(&[
        (
            "current.json",
            &export(&[running(
                "/web",
                json!({"cmd": "./web", "fetch": [{"uri": "https://a/x.tgz"}]}),
            )]),
        ),
        (
            "web.json",
            r#"{"id": "/web", "fetch": [{"uri": "https://a/x.tgz"}, {"uri": "https://a/y.tgz"}]}"#,
        ),
    ]);
    let plan = plan_json(dir.path(), &["--method", "patch", "web.json"]);
    let changes = app(&plan, "/web")["changes"].as_array().unwrap().clone();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["path"], "fetch[1]");
    assert_eq!(changes[0]["old"], Value::Null);
    assert_eq!(changes[0]["new"]["uri"], "https://a/y.tgz");
}
