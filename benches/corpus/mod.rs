//! Realistic, reproducible corpora for the benchmark and the parallelism
//! test: Marathon 1.4-style and 1.5+-style apps (Docker bridge, host and user
//! networks, port mappings, health checks, constraints, labels, env), groups
//! with nested apps, dependencies between the apps of different files, and a
//! few broken files (trailing commas, comments, wrong types). Seeded, so
//! every run lints the same bytes.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// A deterministic generator (fastrand is already in the tree through
/// tempfile; a fixed seed makes every corpus the same).
pub struct Generator {
    rng: fastrand::Rng,
}

impl Generator {
    pub fn new(seed: u64) -> Self {
        Generator {
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.rng.usize(..items.len())]
    }

    /// One app; `n` makes its id unique. Every fifth app is 1.4-style
    /// (`container.docker.network`, `ipAddress`), the rest 1.5+-style
    /// (`networks`, `container.portMappings`).
    pub fn app(&mut self, n: usize, id_prefix: &str) -> Value {
        let team = self.pick(&["payments", "search", "shop", "billing", "infra", "data"]);
        let service = self.pick(&["api", "worker", "web", "consumer", "gateway", "indexer", "cache"]);
        let id = format!("{id_prefix}{team}-{service}-{n}");
        let image = format!(
            "registry.example.com/{team}/{service}:{}.{}.{}",
            self.rng.u32(1..5),
            self.rng.u32(0..20),
            self.rng.u32(0..10)
        );
        let legacy = n % 5 == 0;
        let network = self.pick(&["bridge", "bridge", "host", "user"]);
        let container_port = 8000 + self.rng.u32(0..100) * 10;
        let cpus = [0.1, 0.25, 0.5, 1.0, 2.0][self.rng.usize(..5)];
        let mem = [64, 128, 256, 512, 1024, 2048][self.rng.usize(..6)];
        let mut app = json!({
            "id": id,
            "instances": self.rng.u32(1..6),
            "cpus": cpus,
            "mem": mem,
            "disk": 0,
            "env": {
                "JAVA_OPTS": format!("-Xmx{}m -XX:+UseG1GC", self.rng.u32(1..8) * 128),
                "LOG_LEVEL": self.pick(&["INFO", "WARN", "DEBUG"]),
                "SERVICE_NAME": format!("{team}-{service}"),
            },
            "labels": {
                "HAPROXY_GROUP": self.pick(&["external", "internal"]),
                "HAPROXY_0_VHOST": format!("{service}.{team}.example.com"),
                "team": team,
                "owner": format!("{team}-oncall@example.com"),
                "cost-center": format!("cc-{}", self.rng.u32(100..999)),
            },
            "constraints": [["hostname", "UNIQUE"], ["rack_id", "GROUP_BY", "3"]],
            "upgradeStrategy": { "minimumHealthCapacity": 0.5, "maximumOverCapacity": 0.2 },
            "maxLaunchDelaySeconds": 300,
        });
        let health = json!([{
            "protocol": "MESOS_HTTP",
            "path": "/healthz",
            "portIndex": 0,
            "gracePeriodSeconds": 300,
            "intervalSeconds": 10,
            "timeoutSeconds": 5,
            "maxConsecutiveFailures": 3,
        }]);
        let mapping = json!({ "containerPort": container_port, "hostPort": 0, "protocol": "tcp", "name": "http" });
        let object = app.as_object_mut().unwrap();
        let mut docker = json!({ "image": image, "forcePullImage": false });
        match (legacy, network) {
            (true, "host") => {
                docker["network"] = json!("HOST");
                object.insert(
                    "portDefinitions".into(),
                    json!([{ "port": 0, "protocol": "tcp", "name": "http" }]),
                );
            }
            (true, "user") => {
                docker["network"] = json!("USER");
                docker["portMappings"] =
                    json!([{ "containerPort": container_port, "protocol": "tcp", "name": "http" }]);
                object.insert(
                    "ipAddress".into(),
                    json!({ "networkName": "calico", "labels": { "team": team } }),
                );
            }
            (true, _) => {
                docker["network"] = json!("BRIDGE");
                docker["portMappings"] = json!([mapping]);
            }
            (false, "host") => {
                object.insert("networks".into(), json!([{ "mode": "host" }]));
                object.insert(
                    "portDefinitions".into(),
                    json!([{ "port": 0, "protocol": "tcp", "name": "http" }]),
                );
            }
            (false, "user") => {
                object.insert("networks".into(), json!([{ "mode": "container", "name": "calico" }]));
            }
            (false, _) => {
                object.insert("networks".into(), json!([{ "mode": "container/bridge" }]));
            }
        }
        let mut container = json!({ "type": "DOCKER", "docker": docker, "volumes": [
            { "containerPath": "/var/log/app", "hostPath": "/var/log/marathon", "mode": "RW" }
        ] });
        if !legacy && network != "host" {
            let mut mapping = mapping;
            if network == "user" {
                mapping.as_object_mut().unwrap().remove("hostPort");
            }
            container["portMappings"] = json!([mapping]);
        }
        object.insert("container".into(), container);
        object.insert("healthChecks".into(), health);
        app
    }

    /// A group of `apps` apps, spread over nested groups three levels deep.
    pub fn group(&mut self, apps: usize) -> Value {
        let mut top_groups = Vec::new();
        let mut n = 0;
        let per_leaf = 25;
        let mut team = 0;
        while n < apps {
            let team_id = format!("/org/team{team}");
            let mut subgroups = Vec::new();
            for sub in 0..4 {
                let sub_id = format!("{team_id}/svc{sub}");
                let members: Vec<Value> = (0..per_leaf.min(apps - n))
                    .map(|_| {
                        n += 1;
                        self.app(n, &format!("{sub_id}/"))
                    })
                    .collect();
                subgroups.push(json!({ "id": sub_id, "apps": members }));
                if n >= apps {
                    break;
                }
            }
            top_groups.push(json!({ "id": team_id, "groups": subgroups }));
            team += 1;
        }
        json!({ "id": "/org", "groups": top_groups })
    }
}

/// Make one file broken in one of the ways people break them, or give it a
/// finding; `kind` picks which.
fn break_text(text: String, kind: usize) -> String {
    match kind % 4 {
        // A trailing comma after the last member.
        0 => text.replacen("\n}", ",\n}", 1),
        // A comment, as copied from a wiki page.
        1 => text.replacen("{\n", "{\n  // TODO: bump instances before Black Friday\n", 1),
        // A wrong type: instances as a string.
        2 => {
            let at = text.find("\"instances\": ").unwrap() + "\"instances\": ".len();
            let end = at + text[at..].find(',').unwrap();
            format!("{}\"{}\"{}", &text[..at], &text[at..end], &text[end..])
        }
        // A host port no agent offers (a deployment finding).
        _ => text.replacen("\"hostPort\": 0", "\"hostPort\": 80", 1),
    }
}

/// Write `count` app files (one app each, pretty-printed as people keep them)
/// into `dir`, spread over subdirectories; every `broken_every`-th file is
/// broken or has a finding. Returns the paths and the total size in bytes.
pub fn write_app_files(dir: &Path, count: usize, broken_every: usize, seed: u64) -> (Vec<PathBuf>, u64) {
    let mut generator = Generator::new(seed);
    let mut apps: Vec<Value> = (0..count).map(|n| generator.app(n, "/")).collect();
    // One app in ten depends on an app of a file further on (the linter
    // holds its report until that file is seen), one in ten on an app of an
    // earlier file, as services depend on their databases.
    for n in 0..count {
        let other = match n % 10 {
            3 if n + 4 < count => n + 4,
            8 => n - 5,
            _ => continue,
        };
        let id = apps[other]["id"].clone();
        apps[n]["dependencies"] = serde_json::json!([id]);
    }
    let mut paths = Vec::with_capacity(count);
    let mut total = 0;
    for (n, app) in apps.iter().enumerate() {
        let sub = dir.join(format!("team{:03}", n / 100));
        if n % 100 == 0 {
            std::fs::create_dir_all(&sub).unwrap();
        }
        let mut text = serde_json::to_string_pretty(app).unwrap();
        if broken_every > 0 && n % broken_every == broken_every - 1 {
            text = break_text(text, n / broken_every);
        }
        let path = sub.join(format!("app-{n:05}.json"));
        std::fs::write(&path, &text).unwrap();
        total += text.len() as u64;
        paths.push(path);
    }
    (paths, total)
}

/// Write one group file of at least `min_bytes` bytes; returns its path and
/// size.
pub fn write_group_file(dir: &Path, min_bytes: usize, seed: u64) -> (PathBuf, u64) {
    let mut generator = Generator::new(seed);
    // An app is about 1.5 KB pretty-printed inside a group: size the group
    // from one sample, then grow it until it is large enough.
    let sample = serde_json::to_string_pretty(&generator.group(100)).unwrap().len();
    let mut apps = min_bytes / (sample / 100) + 1;
    loop {
        let text = serde_json::to_string_pretty(&generator.group(apps)).unwrap();
        if text.len() >= min_bytes {
            let path = dir.join("big-group.json");
            std::fs::write(&path, &text).unwrap();
            return (path, text.len() as u64);
        }
        apps += apps / 10 + 1;
    }
}

/// Write a Mesos `/master/state` export of `agents` agents, shaped as DC/OS
/// exports them: a few kinds of machine over 40 racks, one agent in twenty a
/// public agent whose resources are all reserved to `slave_public`, every
/// agent with the per-role maps, used and offered resources. Returns the
/// path and size.
pub fn write_master_state(dir: &Path, agents: usize, seed: u64) -> (PathBuf, u64) {
    let mut random = fastrand::Rng::with_seed(seed);
    let private_ports = "[1025-2180, 2182-3887, 3889-5049, 5052-8079, 8082-8180, 8182-32000]";
    let public_ports = "[1-21, 23-5050, 5052-32000]";
    let kinds = [(8.0, 30000.0), (16.0, 61000.0), (32.0, 122000.0), (4.0, 14000.0)];
    let mut slaves = Vec::with_capacity(agents);
    for n in 0..agents {
        let (cpus, mem) = kinds[random.usize(..kinds.len())];
        let public = n % 20 == 19;
        let ports = if public { public_ports } else { private_ports };
        let total = serde_json::json!({"cpus": cpus, "mem": mem, "disk": 200000.0, "gpus": 0.0, "ports": ports});
        let empty = serde_json::json!({"cpus": 0.0, "mem": 0.0, "disk": 0.0, "gpus": 0.0});
        let (reserved, unreserved) = if public {
            (serde_json::json!({"slave_public": total.clone()}), empty.clone())
        } else {
            (serde_json::json!({}), total.clone())
        };
        let mut attributes = serde_json::json!({"rack_id": format!("r{}", n % 40), "zone": format!("z{}", n % 3)});
        if public {
            attributes["public_ip"] = Value::from("true");
        }
        slaves.push(serde_json::json!({
            "id": format!("0b6a4c2e-9f59-4d2c-8d1e-0a11b2c3d4e5-S{n}"),
            "pid": format!("slave(1)@10.{}.{}.{}:5051", n / 65536, (n / 256) % 256, n % 256),
            "hostname": format!("10.{}.{}.{}", n / 65536, (n / 256) % 256, n % 256),
            "registered_time": 1.7e9 + n as f64,
            "active": true,
            "version": "1.8.0",
            "capabilities": ["MULTI_ROLE", "HIERARCHICAL_ROLE", "RESERVATION_REFINEMENT", "RESOURCE_PROVIDER"],
            "attributes": attributes,
            "resources": total,
            "used_resources": {"cpus": random.u8(..4) as f64, "mem": random.u16(..8192) as f64, "disk": 0.0, "gpus": 0.0},
            "offered_resources": empty,
            "reserved_resources": reserved,
            "unreserved_resources": unreserved,
            "domain": {"fault_domain": {"region": {"name": "aws/us-east-1"}, "zone": {"name": format!("aws/us-east-1{}", ["a", "b", "c"][n % 3])}}},
        }));
    }
    let state = serde_json::json!({
        "version": "1.8.0",
        "id": "b2a4c7e0-1f3d-4e5a-8c9b-0d1e2f3a4b5c",
        "hostname": "10.0.0.5",
        "activated_slaves": agents as f64,
        "deactivated_slaves": 0.0,
        "flags": {"port": "5050", "roles": "slave_public"},
        "frameworks": [{"id": "0b6a4c2e-9f59-4d2c-8d1e-0a11b2c3d4e5-0001", "name": "marathon", "role": "slave_public", "tasks": []}],
        "slaves": slaves,
    });
    let text = serde_json::to_string(&state).unwrap();
    let path = dir.join("master-state.json");
    std::fs::write(&path, &text).unwrap();
    (path, text.len() as u64)
}
