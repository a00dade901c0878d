//! `invalid-resources`: what a task asks for, where Marathon's limits go
//! beyond the schema's: 1.5's smallest CPU share, GPUs (a feature, and the
//! Mesos engine only), and 1.5's 32-bit second counts.

use serde_json::Value;

use super::container::{container, engine, Engine};
use crate::diagnostic::{Diagnostic, Target};
use crate::marathon_target::{feature_hint, MarathonVersion};
use crate::rules::{AppContext, Rule};

pub struct InvalidResources;

/// Marathon 1.5's RAML minimum for `cpus`.
const MIN_CPUS: f64 = 0.001;

/// Fields that Marathon 1.5+ reads as 32-bit integers (RAML `format: int32`)
/// and that the schema leaves unbounded.
const INT32_FIELDS: &[&str] = &[
    "/backoffSeconds",
    "/maxLaunchDelaySeconds",
    "/taskKillGracePeriodSeconds",
    "/residency/relaunchEscalationTimeoutSeconds",
];

impl Rule for InvalidResources {
    fn id(&self) -> &'static str {
        "invalid-resources"
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let version = app.options.marathon_version;
        let modern = version >= MarathonVersion::V1_5;

        // Negative values are the schema's finding; 1.4 accepts any share >= 0.
        if let Some(cpus) = app.app.get("cpus").and_then(Value::as_f64) {
            if modern && (0.0..MIN_CPUS).contains(&cpus) {
                out.push(
                    Diagnostic::at(
                        self.id(),
                        app.field("/cpus"),
                        format!(
                            "`cpus` is {cpus}, below the smallest share Marathon {version} accepts (0.001): it \
                             rejects the app (\"error.min\"); only Marathon 1.4 took 0 or smaller shares"
                        ),
                    )
                    .label("below 0.001")
                    .help("ask for at least 0.001 CPU, e.g. `\"cpus\": 0.01`"),
                );
            }
        }

        if let Some(gpus) = app.app.get("gpus").and_then(Value::as_f64).filter(|g| *g > 0.0) {
            check_gpus(self.id(), app, gpus, out);
        }

        if modern {
            for field in INT32_FIELDS {
                let Some(value) = app.app.at(field).filter(|v| v.is_number()) else {
                    continue;
                };
                if value.as_f64().is_some_and(|v| v > f64::from(i32::MAX)) {
                    out.push(
                        Diagnostic::at(
                            self.id(),
                            app.field(field),
                            format!(
                                "`{}` is {value}, more than Marathon {version} can read: it takes a 32-bit number of \
                                 seconds (at most 2147483647) and rejects the app (\"error.expected.int\")",
                                &field[1..]
                            ),
                        )
                        .label("more than 2147483647")
                        .help("use a value of at most 2147483647 seconds"),
                    );
                }
            }
        }
    }
}

fn check_gpus(id: &str, app: &AppContext<'_>, gpus: f64, out: &mut Vec<Diagnostic>) {
    let version = app.options.marathon_version;
    let pointer = app.field("/gpus");
    if !app.options.features.gpu_resources {
        out.push(
            Diagnostic::at(
                id,
                pointer.clone(),
                format!(
                    "this app asks for {gpus} GPUs, and GPUs are a feature Marathon must enable: Marathon {version} \
                     rejects it (\"Feature gpu_resources is not enabled. Enable with --enable_features gpu_resources)\")"
                ),
            )
            .label("needs the gpu_resources feature")
            .help(feature_hint("gpu_resources")),
        );
    }
    let docker_engine = container(app.app).is_some_and(|c| engine(c) == Some(Engine::Docker));
    if docker_engine {
        let mut diagnostic = Diagnostic::at(
            id,
            pointer,
            format!(
                "this app asks for GPUs but runs on the Docker engine, which cannot hand GPUs to a task: Marathon \
                 {version} rejects it (\"GPU resources only work with the Mesos containerizer\")"
            ),
        )
        .label("GPUs with the Docker engine")
        .help("use `\"type\": \"MESOS\"` (the Mesos engine runs Docker images too), or drop `gpus`");
        diagnostic = if app.app.at("/container/type").is_some_and(Value::is_string) {
            diagnostic.related(app.field("/container/type"), Target::Value, "Docker engine")
        } else {
            diagnostic.related(app.field("/container"), Target::Key, "no `type`, so the Docker engine")
        };
        out.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon_target::Features;
    use crate::rules::{findings, RuleOptions};
    use serde_json::json;

    fn found(app: Value, version: MarathonVersion, features: Features) -> Vec<(String, String)> {
        let options = RuleOptions {
            marathon_version: version,
            features,
            ..RuleOptions::default()
        };
        findings(&InvalidResources, app, &options)
    }

    #[test]
    fn tiny_cpu_shares_are_rejected_from_1_5() {
        for cpus in [0.0, 0.0001] {
            let app = json!({"id": "/a", "cmd": "x y", "cpus": cpus});
            assert!(found(app.clone(), MarathonVersion::V1_4, Features::default()).is_empty());
            let new = found(app, MarathonVersion::V1_5, Features::default());
            assert_eq!(new.len(), 1);
            assert!(new[0].1.contains("error.min"));
        }
        for cpus in [json!(0.001), json!(1), json!(-1), json!("1")] {
            let app = json!({"id": "/a", "cmd": "x y", "cpus": cpus});
            assert!(found(app, MarathonVersion::NEWEST, Features::default()).is_empty());
        }
    }

    #[test]
    fn gpus_need_the_feature_and_the_mesos_engine() {
        let gpu = Features {
            gpu_resources: true,
            ..Features::default()
        };
        let plain = json!({"id": "/a", "cmd": "x y", "gpus": 1});
        assert_eq!(
            found(plain.clone(), MarathonVersion::V1_4, Features::default()).len(),
            1
        );
        assert!(found(plain, MarathonVersion::NEWEST, gpu).is_empty());
        let mesos = json!({"id": "/a", "gpus": 2, "container": {"type": "MESOS", "docker": {"image": "x"}}});
        assert!(found(mesos, MarathonVersion::NEWEST, gpu).is_empty());
        let docker = json!({"id": "/a", "gpus": 2, "container": {"docker": {"image": "x"}}});
        let both = found(docker.clone(), MarathonVersion::NEWEST, Features::default());
        assert_eq!(both.len(), 2);
        let engine = found(docker, MarathonVersion::NEWEST, gpu);
        assert_eq!(engine.len(), 1);
        assert!(engine[0].1.contains("Mesos containerizer"));
        assert!(found(
            json!({"id": "/a", "gpus": 0}),
            MarathonVersion::NEWEST,
            Features::default()
        )
        .is_empty());
    }

    #[test]
    fn second_counts_must_fit_in_32_bits_from_1_5() {
        let app = json!({"id": "/a", "cmd": "x y", "maxLaunchDelaySeconds": 3_000_000_000_u64,
            "residency": {"relaunchEscalationTimeoutSeconds": 2_147_483_647}});
        assert!(found(app.clone(), MarathonVersion::V1_4, Features::default()).is_empty());
        let new = found(app, MarathonVersion::V1_5, Features::default());
        assert_eq!(new.len(), 1);
        assert_eq!(new[0].0, "/maxLaunchDelaySeconds");
    }
}
