//! `invalid-app-id`: what the schema's id pattern cannot see. Marathon
//! canonicalises an id before it validates it, so an id made only of `.` and
//! `..` steps (`/.`, `..`, `web/..`) is the root `/`, which no app may have;
//! and Marathon 1.5+ reads the raw id through its RAML pattern, which has no
//! `.` segment (`/shop/./web` is fine in 1.4, an error in 1.5+).

use serde_json::Value;

use super::paths;
use crate::diagnostic::Diagnostic;
use crate::marathon_target::MarathonVersion;
use crate::rules::{AppContext, Rule};

pub struct InvalidAppId;

impl Rule for InvalidAppId {
    fn id(&self) -> &'static str {
        "invalid-app-id"
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let (Some(raw), Some(id)) = (app.app.get("id").and_then(Value::as_str), app.id) else {
            return;
        };
        let version = app.options.marathon_version;
        let pointer = || app.field("/id");
        if version >= MarathonVersion::V1_5 && paths::has_dot_segment(raw) {
            out.push(
                Diagnostic::at(
                    self.id(),
                    pointer(),
                    format!(
                        "id `{raw}` has a `.` segment, which Marathon {version} rejects when it reads the app \
                         (`error.pattern`: its id pattern allows `..` but not `.`); Marathon 1.4 drops it"
                    ),
                )
                .label("`.` segment")
                .help(format!("write the id without the `.` segment{}", suggestion(raw))),
            );
            return;
        }
        // An id of only slashes is the schema's to report; one that becomes
        // the root through `.`/`..` steps is not. Inside a group document
        // Marathon 1.4 does not check for the root, so only 1.5+ does here.
        let only_slashes = raw.chars().all(|c| c == '/');
        let checks_root = version >= MarathonVersion::V1_5 || paths::is_top_level(app.pointer);
        if id == "/" && !only_slashes && checks_root {
            let answer = if version < MarathonVersion::V1_5 {
                "\"Path must contain at least one path element\""
            } else {
                "\"must not be root\""
            };
            out.push(
                Diagnostic::at(
                    self.id(),
                    pointer(),
                    format!(
                        "id `{raw}` resolves to the root group `/` once Marathon resolves its `.` and `..` \
                         segments, and an app cannot be the root: Marathon answers {answer}"
                    ),
                )
                .label("resolves to `/`")
                .help("give the app a name below the root, e.g. `/my-app`"),
            );
        }
    }
}

/// ` (`/a/b`)`: the id with its `.` segments removed, when that is still a
/// usable id.
fn suggestion(raw: &str) -> String {
    let mut kept: Vec<&str> = raw.split('/').filter(|s| *s != ".").collect();
    if raw.starts_with('/') && kept.first() != Some(&"") {
        kept.insert(0, "");
    }
    let fixed = kept.join("/");
    if fixed.trim_matches('/').is_empty() {
        String::new()
    } else {
        format!(" (`{fixed}`)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;

    fn messages(id: &str, version: MarathonVersion) -> Vec<String> {
        let options = RuleOptions {
            marathon_version: version,
            ..RuleOptions::default()
        };
        run_rule(&InvalidAppId, json!({"id": id, "cmd": "sleep 1"}), &options)
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn dot_segments_are_rejected_from_1_5() {
        assert!(messages("/test/.", MarathonVersion::V1_4).is_empty());
        let found = messages("/test/.", MarathonVersion::V1_5);
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("error.pattern"), "{found:?}");
        assert_eq!(messages("./a", MarathonVersion::NEWEST).len(), 1);
        assert!(messages("../a", MarathonVersion::NEWEST).is_empty());
        assert!(messages("/a.b/c-d", MarathonVersion::NEWEST).is_empty());
    }

    #[test]
    fn ids_that_resolve_to_the_root() {
        for version in [MarathonVersion::V1_4, MarathonVersion::V1_5, MarathonVersion::NEWEST] {
            assert_eq!(messages("..", version).len(), 1, "{version}");
            assert_eq!(messages("web/..", version).len(), 1, "{version}");
        }
        assert!(messages("..", MarathonVersion::V1_4)[0].contains("at least one path element"));
        assert!(messages("..", MarathonVersion::V1_5)[0].contains("must not be root"));
        // `/.` is the RAML finding in 1.5+ and the root in 1.4; never both.
        assert!(messages("/.", MarathonVersion::V1_4)[0].contains("root"));
        assert!(messages("/.", MarathonVersion::V1_5)[0].contains("error.pattern"));
        // Only slashes: the schema reports it.
        assert!(messages("/", MarathonVersion::NEWEST).is_empty());
    }

    #[test]
    fn suggests_the_id_without_dots() {
        assert_eq!(suggestion("/test/."), " (`/test`)");
        assert_eq!(suggestion("./a/./b"), " (`a/b`)");
        assert_eq!(suggestion("/."), "");
    }
}
