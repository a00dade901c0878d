//! `docker-image-unpinned`: a Docker image without a tag, or tagged
//! `latest`. Every agent pulls what the tag names when it first starts a
//! task (or on every start with `forcePullImage`), so the tasks of one app
//! drift apart and a rollback to "the previous version" redeploys whatever
//! the tag points to today.

use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::rules::{AppContext, Rule};

pub struct DockerImageUnpinned;

const ID: &str = "docker-image-unpinned";

/// What is wrong with the image reference, if anything.
fn problem(image: &str) -> Option<&'static str> {
    // Templated references (`${IMAGE}`, `{{image}}`) are filled in later.
    if image.is_empty() || image.contains(['$', '{', '}', '%', '<', ' ']) {
        return None;
    }
    if image.contains('@') {
        return None; // pinned by digest
    }
    // A colon before the last `/` belongs to a registry port.
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        None => Some("has no tag, so Docker pulls `latest`"),
        Some((_, "latest")) => Some("uses the `latest` tag"),
        Some(_) => None,
    }
}

impl Rule for DockerImageUnpinned {
    fn id(&self) -> &'static str {
        ID
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(image) = app.app.at("/container/docker/image").and_then(Value::as_str) else {
            return;
        };
        let Some(problem) = problem(image) else {
            return;
        };
        let repository = image.strip_suffix(":latest").unwrap_or(image);
        out.push(
            Diagnostic::at(
                ID,
                app.field("/container/docker/image"),
                format!(
                    "image `{image}` {problem}: each agent runs whatever the tag points to when it pulls, so restarts and scale-ups can run different code than the tasks already up, and rolling back cannot bring the old code back"
                ),
            )
            .label("not pinned")
            .help(format!(
                "pin a version tag (`{repository}:1.2.3`) or a digest (`{repository}@sha256:...`) and change it to deploy"
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;

    fn found(image: &str) -> bool {
        let app = json!({"id": "/a", "container": {"type": "DOCKER", "docker": {"image": image}}});
        !run_rule(&DockerImageUnpinned, app, &RuleOptions::default()).is_empty()
    }

    #[test]
    fn tags_and_digests() {
        for unpinned in [
            "nginx",
            "nginx:latest",
            "library/nginx",
            "registry:5000/team/app",
            "registry:5000/app:latest",
        ] {
            assert!(found(unpinned), "{unpinned}");
        }
        for pinned in [
            "nginx:1.25",
            "registry:5000/app:2.0.1",
            "nginx@sha256:0123456789abcdef",
            "nginx:1.25@sha256:0123",
            "${IMAGE}",
            "{{ image }}",
            "repo/app:%VERSION%",
        ] {
            assert!(!found(pinned), "{pinned}");
        }
    }

    #[test]
    fn mesos_containers_with_docker_images_count_too() {
        let app = json!({"id": "/a", "container": {"type": "MESOS", "docker": {"image": "busybox"}}});
        assert_eq!(run_rule(&DockerImageUnpinned, app, &RuleOptions::default()).len(), 1);
    }
}
