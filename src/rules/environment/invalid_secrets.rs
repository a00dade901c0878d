//! `invalid-secrets`: an app that declares secrets needs Marathon's secrets
//! feature, and each secret needs a key.

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Target};
use crate::marathon_target::feature_hint;
use crate::rules::{AppContext, Rule};

pub struct InvalidSecrets;

impl Rule for InvalidSecrets {
    fn id(&self) -> &'static str {
        "invalid-secrets"
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(secrets) = app.app.get("secrets").and_then(Value::as_object) else {
            return;
        };
        if secrets.is_empty() {
            return;
        }
        let version = app.options.marathon_version;
        if !app.options.features.secrets {
            out.push(
                Diagnostic::at(
                    self.id(),
                    app.field("/secrets"),
                    format!(
                        "this app declares secrets, and secrets are a feature Marathon must enable: Marathon {version} \
                         rejects it (\"Feature secrets is not enabled. Enable with --enable_features secrets)\")"
                    ),
                )
                .target(Target::Key)
                .label("needs the secrets feature")
                .help(feature_hint("secrets")),
            );
            // Marathon checks the entries only once the feature is on.
            return;
        }
        if secrets.contains_key("") {
            out.push(
                Diagnostic::at(
                    self.id(),
                    app.field("/secrets/"),
                    format!("a secret has an empty key: Marathon {version} rejects it (\"must not be empty\")"),
                )
                .target(Target::Key)
                .label("empty key")
                .help("give the secret a key, e.g. `\"db-password\"`, and refer to it by that key from `env` or `pullConfig`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon_target::{Features, MarathonVersion};
    use crate::rules::{findings, RuleOptions};
    use serde_json::json;

    fn found(app: Value, version: MarathonVersion, secrets: bool) -> Vec<(String, String)> {
        let options = RuleOptions {
            marathon_version: version,
            features: Features {
                secrets,
                ..Features::default()
            },
            ..RuleOptions::default()
        };
        findings(&InvalidSecrets, app, &options)
    }

    #[test]
    fn secrets_need_the_feature_in_every_version() {
        let app = json!({"id": "/a", "cmd": "x y", "secrets": {"db": {"source": "/db"}}});
        for version in [MarathonVersion::V1_4, MarathonVersion::V1_5, MarathonVersion::NEWEST] {
            let found = found(app.clone(), version, false);
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].0, "/secrets");
        }
        assert!(found(app, MarathonVersion::NEWEST, true).is_empty());
        let empty = json!({"id": "/a", "cmd": "x y", "secrets": {}});
        assert!(found(empty, MarathonVersion::NEWEST, false).is_empty());
    }

    #[test]
    fn keys_must_not_be_empty() {
        let app = json!({"id": "/a", "cmd": "x y", "secrets": {"": {"source": "/db"}}});
        let found = found(app, MarathonVersion::NEWEST, true);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "/secrets/");
    }
}
