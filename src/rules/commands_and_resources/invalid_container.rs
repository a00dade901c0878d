//! `invalid-container`: what Marathon checks in `container` beyond the
//! shapes the schema describes: the engine needs its image object, the Mesos
//! engine takes one image type and none of the Docker-engine options, and
//! registry credentials go where the version allows them.

use serde_json::Value;

use super::container::{appc, container, docker, engine, member, Engine};
use crate::diagnostic::{Diagnostic, Target};
use crate::marathon_target::{feature_hint, MarathonVersion};
use crate::rules::{AppContext, Rule};

pub struct InvalidContainer;

impl Rule for InvalidContainer {
    fn id(&self) -> &'static str {
        "invalid-container"
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(container) = container(app.app) else {
            return;
        };
        let Some(engine) = engine(container) else {
            return;
        };
        let version = app.options.marathon_version;
        let legacy = version < MarathonVersion::V1_5;
        let (docker, appc) = (docker(container), appc(container));

        if engine == Engine::Docker && docker.is_none() {
            let (typed, answer) = match (member(container, "type").is_some(), legacy) {
                (true, true) => ("has `\"type\": \"DOCKER\"`", "\"docker must not be empty\""),
                (false, true) => (
                    "has no `type`, so it is DOCKER,",
                    "\"error.path.missing\" at /container/docker",
                ),
                (true, false) => ("has `\"type\": \"DOCKER\"`", "\"not defined\" at /container/docker"),
                (false, false) => (
                    "has no `type`, so it is DOCKER,",
                    "\"not defined\" at /container/docker",
                ),
            };
            out.push(
                Diagnostic::at(
                    self.id(),
                    app.field("/container"),
                    format!(
                        "this container {typed} but has no `docker` object naming the image: Marathon {version} \
                         rejects the app ({answer})"
                    ),
                )
                .target(Target::Opening)
                .label("no `docker` image")
                .help("add `\"docker\": {\"image\": \"<image>\"}` to the container, or, to run a plain command without an image, remove `container`"),
            );
        }

        if engine == Engine::Mesos && docker.is_some() && appc.is_some() && !legacy {
            out.push(
                Diagnostic::at(
                    self.id(),
                    app.field("/container/appc"),
                    format!(
                        "this MESOS container names both a Docker and an AppC image: Marathon {version} rejects it \
                         (\"mesos containers should specify, at most, a single image type\")"
                    ),
                )
                .target(Target::Key)
                .label("second image type")
                .related(app.field("/container/docker"), Target::Key, "Docker image")
                .help("keep either `docker` or `appc`"),
            );
        }

        let Some(docker) = docker else {
            return;
        };
        let docker_only = appc.is_none();

        if let Some(_credential) = member(docker, "credential") {
            match (legacy, engine) {
                (true, Engine::Docker) => out.push(
                    Diagnostic::at(
                        self.id(),
                        app.field("/container/docker/credential"),
                        format!(
                            "the Docker engine does not take `docker.credential`: Marathon {version} rejects the app \
                             (\"Docker Containerizer does not support credential\")"
                        ),
                    )
                    .target(Target::Key)
                    .label("not supported by the Docker engine")
                    .help("remove `credential` and log the agents in to the registry (or fetch a `docker.tar.gz` with the registry login); `credential` works only with `\"type\": \"MESOS\"`"),
                ),
                (true, Engine::Mesos) => {}
                (false, _) if docker_only => out.push(
                    Diagnostic::at(
                        self.id(),
                        app.field("/container/docker/credential"),
                        format!(
                            "`docker.credential` is no longer accepted: Marathon {version} rejects it with either \
                             engine (\"must be empty\")"
                        ),
                    )
                    .target(Target::Key)
                    .label("no longer supported")
                    .help("remove `credential`; with `\"type\": \"MESOS\"`, use `\"pullConfig\": {\"secret\": \"<key in secrets>\"}` (needs the secrets feature) to log in to a private registry"),
                ),
                (false, _) => {}
            }
        }

        if engine == Engine::Mesos && docker_only {
            for field in ["network", "parameters", "portMappings"] {
                let Some(value) = member(docker, field) else {
                    continue;
                };
                if value.as_array().is_some_and(Vec::is_empty) {
                    continue;
                }
                let answer = if legacy {
                    format!("\"Mesos Containerizer does not support {field}\"")
                } else {
                    "\"must be empty\"".to_string()
                };
                let help = match field {
                    "network" if legacy => "remove `docker.network`; with the MESOS engine the network is set by `ipAddress` (an empty `ipAddress` or `ipAddress.networkName`) or left to the host".to_string(),
                    "network" => "remove `docker.network` and declare the network at the app level: `\"networks\": [{\"mode\": \"host\"}]`, `[{\"mode\": \"container/bridge\"}]` or `[{\"mode\": \"container\", \"name\": \"<network>\"}]`".to_string(),
                    "portMappings" if legacy => "remove `docker.portMappings`; the MESOS engine in Marathon 1.4 takes ports through `portDefinitions` (host networking) or `ipAddress.discovery.ports`".to_string(),
                    "portMappings" => "move the port mappings to `container.portMappings` (next to `docker`, not inside it) and use a container or bridge network".to_string(),
                    _ => "remove `docker.parameters`: they are `docker run` options, which only the DOCKER engine understands; or switch to `\"type\": \"DOCKER\"`".to_string(),
                };
                out.push(
                    Diagnostic::at(
                        self.id(),
                        app.field(&format!("/container/docker/{field}")),
                        format!(
                            "`docker.{field}` is an option of the Docker engine, but this container is MESOS: \
                             Marathon {version} rejects the app ({answer})"
                        ),
                    )
                    .target(Target::Key)
                    .label("Docker-engine option")
                    .help(help),
                );
            }
        }

        if !legacy {
            if let Some(pull_config) = member(docker, "pullConfig") {
                check_pull_config(self.id(), app, engine, docker_only, pull_config, out);
            }
        }
    }
}

fn check_pull_config(
    id: &str,
    app: &AppContext<'_>,
    engine: Engine,
    docker_only: bool,
    pull_config: &Value,
    out: &mut Vec<Diagnostic>,
) {
    let version = app.options.marathon_version;
    let pointer = app.field("/container/docker/pullConfig");
    if engine == Engine::Docker {
        out.push(
            Diagnostic::at(
                id,
                pointer,
                format!(
                    "`docker.pullConfig` works only with the MESOS engine: Marathon {version} rejects it here \
                     (\"pullConfig is not supported with Docker containerizer\")"
                ),
            )
            .target(Target::Key)
            .label("not supported by the Docker engine")
            .help("switch to `\"type\": \"MESOS\"` to pull with a registry secret, or remove `pullConfig` and log the agents in to the registry"),
        );
        return;
    }
    if !docker_only {
        return;
    }
    if !app.options.features.secrets {
        out.push(
            Diagnostic::at(
                id,
                pointer.clone(),
                format!(
                    "`docker.pullConfig` reads a secret, and secrets are a feature Marathon must enable: \
                     Marathon {version} rejects it (\"Feature secrets is not enabled. Enable with --enable_features secrets)\")"
                ),
            )
            .target(Target::Key)
            .label("needs the secrets feature")
            .help(feature_hint("secrets")),
        );
    }
    let Some(secret) = pull_config.get("secret").and_then(Value::as_str) else {
        return;
    };
    let declared = app
        .app
        .get("secrets")
        .and_then(Value::as_object)
        .is_some_and(|s| s.contains_key(secret));
    if !declared {
        out.push(
            Diagnostic::at(
                id,
                app.field("/container/docker/pullConfig/secret"),
                format!(
                    "`pullConfig.secret` names `{secret}`, which is not a key of this app's `secrets`: Marathon \
                     {version} rejects it (\"pullConfig.secret must refer to an existing secret\")"
                ),
            )
            .label("undeclared secret")
            .help(format!(
                "declare it, e.g. `\"secrets\": {{\"{secret}\": {{\"source\": \"<path in the secret store>\"}}}}`, or name a key that `secrets` already has"
            )),
        );
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
        findings(&InvalidContainer, app, &options)
    }

    fn newest(app: Value) -> Vec<(String, String)> {
        found(app, MarathonVersion::NEWEST, Features::default())
    }

    fn v14(app: Value) -> Vec<(String, String)> {
        found(app, MarathonVersion::V1_4, Features::default())
    }

    #[test]
    fn a_docker_container_needs_its_docker_object() {
        for container in [json!({"type": "DOCKER"}), json!({}), json!({"volumes": []})] {
            let app = json!({"id": "/a", "cmd": "sleep 1", "container": container});
            let (new, old) = (newest(app.clone()), v14(app));
            assert_eq!((new.len(), old.len()), (1, 1), "{container}");
            assert_eq!(new[0].0, "/container");
            assert!(new[0].1.contains("not defined"));
        }
        let mesos = json!({"id": "/a", "cmd": "sleep 1", "container": {"type": "MESOS"}});
        assert!(newest(mesos).is_empty());
        let fine = json!({"id": "/a", "container": {"docker": {"image": "x"}}});
        assert!(newest(fine).is_empty());
        let unknown_type = json!({"id": "/a", "cmd": "x", "container": {"type": "RKT"}});
        assert!(newest(unknown_type).is_empty());
    }

    #[test]
    fn mesos_takes_one_image_type_from_1_5() {
        let app = json!({"id": "/a", "container": {"type": "MESOS", "docker": {"image": "x"}, "appc": {"image": "y"}}});
        let found = newest(app.clone());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "/container/appc");
        assert!(v14(app).is_empty());
    }

    #[test]
    fn credential_depends_on_version_and_engine() {
        let with = |engine: &str| {
            json!({"id": "/a", "container": {"type": engine, "docker": {"image": "x",
                "credential": {"principal": "p", "secret": "s"}}}})
        };
        let docker14 = v14(with("DOCKER"));
        assert_eq!(docker14.len(), 1);
        assert!(docker14[0]
            .1
            .contains("Docker Containerizer does not support credential"));
        assert!(v14(with("MESOS")).is_empty(), "1.4's Mesos engine takes a credential");
        for engine in ["DOCKER", "MESOS"] {
            let new = newest(with(engine));
            assert_eq!(new.len(), 1);
            assert_eq!(new[0].0, "/container/docker/credential");
            assert!(new[0].1.contains("must be empty"));
        }
    }

    #[test]
    fn mesos_rejects_docker_engine_options() {
        let app = json!({"id": "/a", "container": {"type": "MESOS", "docker": {"image": "x",
            "network": "USER", "parameters": [{"key": "a", "value": "b"}],
            "portMappings": [{"containerPort": 80}]}}});
        let old = v14(app.clone());
        assert_eq!(old.len(), 3);
        assert!(old[0].1.contains("Mesos Containerizer does not support network"));
        let new = newest(app);
        assert_eq!(new.len(), 3);
        assert_eq!(new[2].0, "/container/docker/portMappings");
        assert!(new[2].1.contains("must be empty"));
        let empty = json!({"id": "/a", "container": {"type": "MESOS", "docker": {"image": "x",
            "parameters": [], "portMappings": []}}});
        assert!(newest(empty.clone()).is_empty() && v14(empty).is_empty());
        let docker = json!({"id": "/a", "container": {"type": "DOCKER", "docker": {"image": "x",
            "network": "BRIDGE", "parameters": [{"key": "a", "value": "b"}]}}});
        assert!(newest(docker).is_empty());
    }

    #[test]
    fn pull_config_needs_mesos_the_feature_and_a_declared_secret() {
        let app = |engine: &str, secrets: Value| {
            json!({"id": "/a", "secrets": secrets, "container": {"type": engine,
                "docker": {"image": "x", "pullConfig": {"secret": "registry"}}}})
        };
        let declared = json!({"registry": {"source": "/reg"}});
        let docker = newest(app("DOCKER", declared.clone()));
        assert_eq!(docker.len(), 1);
        assert!(docker[0]
            .1
            .contains("pullConfig is not supported with Docker containerizer"));

        let secrets = Features {
            secrets: true,
            ..Features::default()
        };
        assert!(found(app("MESOS", declared.clone()), MarathonVersion::NEWEST, secrets).is_empty());
        let no_feature = newest(app("MESOS", declared));
        assert_eq!(no_feature.len(), 1);
        assert!(no_feature[0].1.contains("Feature secrets is not enabled"));
        let undeclared = found(app("MESOS", json!({})), MarathonVersion::NEWEST, secrets);
        assert_eq!(undeclared.len(), 1);
        assert_eq!(undeclared[0].0, "/container/docker/pullConfig/secret");
        assert!(v14(app("DOCKER", json!({}))).is_empty(), "1.4 does not know pullConfig");
    }
}
