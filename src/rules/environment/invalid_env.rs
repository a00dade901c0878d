//! `invalid-env`: environment variables that read a secret must name one of
//! the app's declared `secrets`, and (1.5+) need the secrets feature.

use serde_json::Value;

use crate::diagnostic::{escape_pointer_token, Diagnostic, Target};
use crate::marathon_target::{feature_hint, MarathonVersion};
use crate::rules::{AppContext, Rule};

pub struct InvalidEnv;

impl Rule for InvalidEnv {
    fn id(&self) -> &'static str {
        "invalid-env"
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(env) = app.app.get("env").and_then(Value::as_object) else {
            return;
        };
        let version = app.options.marathon_version;
        let modern = version >= MarathonVersion::V1_5;
        let secrets = app.app.get("secrets").and_then(Value::as_object);
        let mut needing_feature = Vec::new();
        for (name, value) in env {
            // Built only for a finding: most variables are fine.
            let pointer = || app.field(&format!("/env/{}", escape_pointer_token(name)));
            if name.is_empty() && modern {
                out.push(
                    Diagnostic::at(
                        self.id(),
                        pointer(),
                        format!(
                            "an environment variable has an empty name: Marathon {version} rejects it (\"must not be empty\")"
                        ),
                    )
                    .target(Target::Key)
                    .label("empty name")
                    .help("give the variable a name, or remove it"),
                );
            }
            let Some(secret) = value.get("secret").and_then(Value::as_str) else {
                continue;
            };
            let declared = secrets.is_some_and(|s| s.contains_key(secret));
            if !declared {
                let answer = if modern {
                    "\"references an undefined secret\"".to_string()
                } else {
                    format!("\"references an undefined secret named '{secret}'\"")
                };
                let mut diagnostic = Diagnostic::at(
                    self.id(),
                    format!("{}/secret", pointer()),
                    format!(
                        "`{name}` reads the secret `{secret}`, but this app's `secrets` has no such key: Marathon \
                         {version} rejects it ({answer})"
                    ),
                )
                .label("undeclared secret")
                .help(match secrets.filter(|s| !s.is_empty()) {
                    Some(s) => format!(
                        "an env secret names a key of `secrets` (one of {}), not the secret's source path; use one of those keys or declare `{secret}`",
                        s.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                    ),
                    None => format!(
                        "declare it: `\"secrets\": {{\"{secret}\": {{\"source\": \"<path in the secret store>\"}}}}`"
                    ),
                });
                if secrets.is_some() {
                    diagnostic = diagnostic.related(app.field("/secrets"), Target::Key, "declared secrets");
                }
                out.push(diagnostic);
            } else if modern && !app.options.features.secrets {
                needing_feature.push(name.as_str());
            }
        }
        // Marathon 1.5+ says this once for the whole `env`; 1.4 only asks for
        // the feature through the non-empty `secrets` (`invalid-secrets`).
        if let Some(first) = needing_feature.first() {
            let names = needing_feature
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let verb = if needing_feature.len() == 1 { "reads" } else { "read" };
            out.push(
                Diagnostic::at(
                    self.id(),
                    app.field(&format!("/env/{}/secret", escape_pointer_token(first))),
                    format!(
                        "{names} {verb} a secret, and secrets are a feature Marathon must enable: Marathon {version} \
                         rejects the app (\"use of secret-references in the environment requires the secrets feature \
                         to be enabled\")"
                    ),
                )
                .label("needs the secrets feature")
                .help(feature_hint("secrets")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marathon_target::Features;
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
        findings(&InvalidEnv, app, &options)
    }

    #[test]
    fn secret_references_must_name_a_declared_secret() {
        let app = json!({"id": "/a", "cmd": "x y", "env": {"PASSWORD": {"secret": "/db/password"}, "A": "b"},
            "secrets": {"secret1": {"source": "/db/password"}}});
        for version in [MarathonVersion::V1_4, MarathonVersion::NEWEST] {
            let found = found(app.clone(), version, true);
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].0, "/env/PASSWORD/secret");
        }
        assert!(found(app.clone(), MarathonVersion::V1_4, true)[0]
            .1
            .contains("named '/db/password'"));
        let mut ok = app;
        ok["env"]["PASSWORD"] = json!({"secret": "secret1"});
        assert!(found(ok.clone(), MarathonVersion::NEWEST, true).is_empty());
        assert!(found(ok.clone(), MarathonVersion::V1_4, false).is_empty());
        let no_feature = found(ok, MarathonVersion::NEWEST, false);
        assert_eq!(no_feature.len(), 1);
        assert!(no_feature[0].1.contains("requires the secrets feature"));
    }

    #[test]
    fn the_missing_feature_is_reported_once_per_app() {
        let app = json!({"id": "/a", "cmd": "x y", "env": {"A": {"secret": "s"}, "B": {"secret": "s"}},
            "secrets": {"s": {"source": "/s"}}});
        let found = found(app, MarathonVersion::V1_5, false);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "/env/A/secret");
        assert!(found[0].1.starts_with("`A`, `B` read a secret"));
    }

    #[test]
    fn empty_names_are_rejected_from_1_5() {
        let app = json!({"id": "/a", "cmd": "x y", "env": {"": "x", "a.b-c": "fine"}});
        assert_eq!(found(app.clone(), MarathonVersion::NEWEST, false).len(), 1);
        assert!(found(app, MarathonVersion::V1_4, false).is_empty());
    }
}
