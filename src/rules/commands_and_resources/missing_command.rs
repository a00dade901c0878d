//! `missing-command`: an app must say what to run: exactly one of `cmd` and
//! `args`, or neither of them and a container that names an image.

use serde_json::Value;

use super::container::{container, has_image, member};
use crate::diagnostic::{Diagnostic, Target};
use crate::rules::{AppContext, Rule};

pub struct MissingCommand;

const MARATHON_MESSAGE: &str = "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.";

impl Rule for MissingCommand {
    fn id(&self) -> &'static str {
        "missing-command"
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let (cmd, args) = (member(app.app, "cmd"), member(app.app, "args"));
        // A `cmd` or `args` of the wrong type is the schema's finding.
        if cmd.is_some_and(|c| !c.is_string()) || args.is_some_and(|a| !a.is_array()) {
            return;
        }
        // `"args": []` counts as no args, in every version.
        let cmd = cmd.is_some();
        let args = args.and_then(Value::as_array).is_some_and(|a| !a.is_empty());
        if cmd && args {
            out.push(
                Diagnostic::at(
                    self.id(),
                    app.field("/args"),
                    format!(
                        "`cmd` and `args` are both set: a task runs either a shell command or an argument \
                         list, never both, and Marathon rejects the app (\"{MARATHON_MESSAGE}\")"
                    ),
                )
                .target(Target::Key)
                .label("`args` next to `cmd`")
                .related(app.field("/cmd"), Target::Key, "`cmd` is set too")
                .help("keep `cmd` (run through `/bin/sh -c`) or `args` (run without a shell, e.g. after a Docker ENTRYPOINT), and remove the other"),
            );
            return;
        }
        if cmd || args {
            return;
        }
        // A body merged into the running app (PUT, PATCH) keeps the running
        // app's command: leaving it out is the point of a partial update.
        if app.body && app.options.method.is_some_and(|m| m.merges()) {
            return;
        }
        let container = container(app.app);
        if container.is_some_and(has_image) {
            return;
        }
        let mut diagnostic = Diagnostic::at(
            self.id(),
            app.pointer,
            format!(
                "this app has no `cmd`, no `args` and no container image, so there is nothing to run: \
                 Marathon rejects it (\"{MARATHON_MESSAGE}\")"
            ),
        )
        .target(Target::Opening)
        .label("nothing to run")
        .help("add a `cmd` (e.g. `\"cmd\": \"./server --port $PORT0\"`), or a container with an image (`\"container\": {\"type\": \"DOCKER\", \"docker\": {\"image\": \"nginx:1.25\"}}`)");
        if container.is_some() {
            diagnostic = diagnostic.related(
                app.field("/container"),
                Target::Key,
                "this container names no image Marathon can run",
            );
        }
        out.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;

    fn found(app: Value) -> Vec<(String, String)> {
        run_rule(&MissingCommand, app, &RuleOptions::default())
            .into_iter()
            .map(|d| (d.pointer.unwrap(), d.message))
            .collect()
    }

    #[test]
    fn one_of_cmd_and_args_is_enough() {
        assert!(found(json!({"id": "/a", "cmd": "sleep 10"})).is_empty());
        assert!(found(json!({"id": "/a", "args": ["sleep", "10"]})).is_empty());
        assert!(found(json!({"id": "/a", "cmd": "sleep 10", "args": []})).is_empty());
        assert!(found(json!({"id": "/a", "cmd": "sleep 10", "args": null})).is_empty());
    }

    #[test]
    fn cmd_and_args_together_are_rejected_even_with_an_image() {
        let app = json!({"id": "/a", "cmd": "sleep 10", "args": ["x"],
            "container": {"type": "DOCKER", "docker": {"image": "x:1"}}});
        let found = found(app);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "/args");
        assert!(found[0].1.contains("both set"));
    }

    #[test]
    fn an_image_is_enough_but_a_bare_mesos_container_is_not() {
        let docker = json!({"id": "/a", "container": {"docker": {"image": "x:1"}}});
        assert!(found(docker).is_empty());
        let mesos_docker = json!({"id": "/a", "container": {"type": "MESOS", "docker": {"image": "x:1"}}});
        assert!(found(mesos_docker).is_empty());
        let appc = json!({"id": "/a", "container": {"type": "MESOS", "appc": {"image": "x"}}});
        assert!(found(appc).is_empty());
        for bare in [
            json!({"id": "/a"}),
            json!({"id": "/a", "container": {"type": "MESOS"}}),
            json!({"id": "/a", "container": {"type": "DOCKER"}}),
            json!({"id": "/a", "container": {"type": "MESOS", "docker": {"image": "x"}, "appc": {"image": "y"}}}),
        ] {
            let found = found(bare.clone());
            assert_eq!(found.len(), 1, "{bare}");
            assert_eq!(found[0].0, "");
            assert!(found[0].1.contains("nothing to run") || found[0].1.contains("no `cmd`"));
        }
    }

    #[test]
    fn wrong_types_are_left_to_the_schema() {
        assert!(found(json!({"id": "/a", "args": "sleep 10"})).is_empty());
        assert!(found(json!({"id": "/a", "cmd": 5})).is_empty());
    }
}
