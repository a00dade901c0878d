//! `invalid-fetch`: artifacts the Mesos fetcher downloads. Each URI must be
//! one `java.net.URI` can parse, the legacy `uris` cannot be combined with
//! `fetch`, and Marathon 1.4's `storeUrls` must be URLs.

use serde_json::Value;

use super::java_uri::{uri_error, url_error};
use crate::app_members::Members;
use crate::diagnostic::{Diagnostic, Target};
use crate::marathon_target::MarathonVersion;
use crate::rules::{AppContext, Rule};

pub struct InvalidFetch;

fn non_empty_array<'v>(app: impl Members<'v>, key: &str) -> Option<&'v Vec<Value>> {
    app.member(key).and_then(Value::as_array).filter(|a| !a.is_empty())
}

impl Rule for InvalidFetch {
    fn id(&self) -> &'static str {
        "invalid-fetch"
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let version = app.options.marathon_version;
        let legacy = version < MarathonVersion::V1_5;
        let uris = non_empty_array(app.app, "uris");
        let fetch = non_empty_array(app.app, "fetch");

        if uris.is_some() && fetch.is_some() {
            let answer = if legacy {
                "\"You cannot specify both uris and fetch fields\""
            } else {
                "\"may not be set in conjunction with fetch\""
            };
            out.push(
                Diagnostic::at(
                    self.id(),
                    app.field("/uris"),
                    format!(
                        "`uris` and `fetch` are both set: they are two spellings of the same list, and Marathon \
                         {version} rejects the app ({answer})"
                    ),
                )
                .target(Target::Key)
                .label("legacy `uris` next to `fetch`")
                .related(app.field("/fetch"), Target::Key, "`fetch` is set too")
                .help("move each entry of `uris` into `fetch` as `{\"uri\": \"...\"}` and remove `uris`"),
            );
        }

        // Marathon 1.4's update reader (PUT, PATCH) refuses the two even when
        // one is empty (Formats.scala:1419-1421 at 1.4.13; the full reader,
        // POST's, only when both list URIs): a saved 1.4 export has both.
        let present = |key: &str| app.app.get(key).is_some_and(|v| !v.is_null());
        let merged = app.options.method.is_none_or(|m| m.merges());
        if legacy && app.body && merged && present("uris") && present("fetch") && (uris.is_none() || fetch.is_none()) {
            let when = match app.options.method {
                Some(method) => format!("Marathon 1.4 refuses this {} body", method.request()),
                None => crate::deploy_method::affected(&[
                    crate::deploy_method::Method::Put,
                    crate::deploy_method::Method::Patch,
                ]),
            };
            out.push(
                Diagnostic::at(
                    self.id(),
                    app.field("/uris"),
                    format!(
                        "`uris` and `fetch` are both here, one of them empty: Marathon 1.4 reads an update body's \
                         `uris` and `fetch` as one list and refuses the two together (\"You cannot specify both uris \
                         and fetch fields\"); {when}"
                    ),
                )
                .target(Target::Key)
                .label("`uris` next to `fetch`")
                .related(app.field("/fetch"), Target::Key, "`fetch` is here too")
                .help("keep one of the two: `fetch` (a saved 1.4 export lists its URIs in both)"),
            );
        }

        let mut check = |pointer: String, text: &str| {
            let Some(error) = uri_error(text) else {
                return;
            };
            let shown: String = text.chars().skip(error.index).take(1).collect();
            let near = if shown.is_empty() {
                "at its end".to_string()
            } else {
                format!("at {shown:?} (character {})", error.index + 1)
            };
            out.push(
                Diagnostic::at(
                    self.id(),
                    pointer,
                    format!(
                        "{text:?} is not a valid URI ({}, {near}): Marathon {version} rejects it (\"URI has invalid syntax.\")",
                        error.reason.to_lowercase()
                    ),
                )
                .label("invalid URI")
                .help("percent-encode spaces and other special characters (a space is `%20`), and fill in any template placeholder before deploying"),
            );
        };
        for (i, uri) in uris.into_iter().flatten().enumerate() {
            if let Some(text) = uri.as_str() {
                check(app.field(&format!("/uris/{i}")), text);
            }
        }
        for (i, artifact) in fetch.into_iter().flatten().enumerate() {
            if let Some(text) = artifact.get("uri").and_then(Value::as_str) {
                check(app.field(&format!("/fetch/{i}/uri")), text);
            }
        }

        if legacy {
            for (i, url) in non_empty_array(app.app, "storeUrls").into_iter().flatten().enumerate() {
                let Some(error) = url.as_str().and_then(url_error) else {
                    continue;
                };
                out.push(
                    Diagnostic::at(
                        self.id(),
                        app.field(&format!("/storeUrls/{i}")),
                        format!(
                            "this store URL has no protocol: Marathon {version} reads it as a java.net.URL and rejects \
                             the app (\"{error}\")"
                        ),
                    )
                    .label("not a URL")
                    .help("write a full URL with its protocol, e.g. `https://example.com/app.tgz`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{findings, RuleOptions};
    use serde_json::json;

    fn found(app: Value, version: MarathonVersion) -> Vec<(String, String)> {
        let options = RuleOptions {
            marathon_version: version,
            ..RuleOptions::default()
        };
        findings(&InvalidFetch, app, &options)
    }

    #[test]
    fn uris_and_fetch_do_not_mix() {
        let app = json!({"id": "/a", "cmd": "x y", "uris": ["https://a/b.tgz"], "fetch": [{"uri": "https://a/c.tgz"}]});
        let old = found(app.clone(), MarathonVersion::V1_4);
        assert_eq!(old.len(), 1);
        assert!(old[0].1.contains("You cannot specify both uris and fetch fields"));
        let new = found(app, MarathonVersion::NEWEST);
        assert_eq!(new[0].0, "/uris");
        assert!(new[0].1.contains("may not be set in conjunction with fetch"));
        let empty = json!({"id": "/a", "cmd": "x y", "uris": [], "fetch": [{"uri": "https://a/c.tgz"}]});
        assert!(found(empty, MarathonVersion::NEWEST).is_empty());
    }

    #[test]
    fn each_uri_must_parse() {
        let app = json!({"id": "/a", "cmd": "x y", "uris": ["https://a/b c.tgz"],
            "fetch": [{"uri": "https://a/ok.tgz"}, {"uri": "http://{{host}}/x"}]});
        let found = found(app, MarathonVersion::NEWEST);
        let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(pointers, ["/uris", "/uris/0", "/fetch/1/uri"]);
        assert!(found[1].1.contains("URI has invalid syntax.") && found[1].1.contains("character 12"));
    }

    #[test]
    fn store_urls_need_a_protocol_in_1_4() {
        let app = json!({"id": "/a", "cmd": "x y", "storeUrls": ["example.com/a.tgz", "https://example.com/b.tgz"]});
        let old = found(app.clone(), MarathonVersion::V1_4);
        assert_eq!(old.len(), 1);
        assert_eq!(old[0].0, "/storeUrls/0");
        assert!(old[0].1.contains("no protocol: example.com/a.tgz"));
        assert!(found(app, MarathonVersion::NEWEST).is_empty());
    }
}
