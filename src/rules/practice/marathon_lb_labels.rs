//! `marathon-lb-labels`: `HAPROXY_*` labels that marathon-lb ignores. A
//! per-port label `HAPROXY_{n}_...` configures the app's n-th service port,
//! so an index past the app's last port configures nothing; and a name
//! marathon-lb does not know (a typo, a template that is global only) is
//! silently skipped. Either way the app is not load-balanced as intended.

use serde_json::Value;

use crate::diagnostic::{pointer_join, Diagnostic, Target};
use crate::model::NetworkMode;
use crate::rules::{AppContext, Rule};

pub struct MarathonLbLabels;

const ID: &str = "marathon-lb-labels";
const PREFIX: &str = "HAPROXY_";

/// Names marathon-lb reads as `HAPROXY_{n}_<NAME>` (its `config.py`: the
/// per-service-port labels and the templates overridable per app).
const PER_PORT: &[&str] = &[
    "AUTH",
    "BACKEND_HEAD",
    "BACKEND_HEALTHCHECK_PORT_INDEX",
    "BACKEND_HSTS_OPTIONS",
    "BACKEND_HTTP_HEALTHCHECK_OPTIONS",
    "BACKEND_HTTP_OPTIONS",
    "BACKEND_NETWORK_ALLOWED_ACL",
    "BACKEND_REDIRECT_HTTP_TO_HTTPS",
    "BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH",
    "BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS",
    "BACKEND_SERVER_OPTIONS",
    "BACKEND_SERVER_TCP_HEALTHCHECK_OPTIONS",
    "BACKEND_STICKY_OPTIONS",
    "BACKEND_TCP_HEALTHCHECK_OPTIONS",
    "BACKEND_WEIGHT",
    "BALANCE",
    "BIND_ADDR",
    "BIND_OPTIONS",
    "ENABLED",
    "FRONTEND_BACKEND_GLUE",
    "FRONTEND_HEAD",
    "GROUP",
    "HTTPS_FRONTEND_ACL",
    "HTTPS_FRONTEND_ACL_ONLY_WITH_PATH",
    "HTTPS_FRONTEND_ACL_WITH_AUTH",
    "HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH",
    "HTTPS_FRONTEND_ACL_WITH_PATH",
    "HTTPS_FRONTEND_AUTH_ACL_ONLY",
    "HTTPS_FRONTEND_AUTH_REQUEST_ONLY",
    "HTTPS_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH",
    "HTTP_BACKEND_NETWORK_ALLOWED_ACL",
    "HTTP_BACKEND_PROXYPASS_GLUE",
    "HTTP_BACKEND_PROXYPASS_PATH",
    "HTTP_BACKEND_REDIR",
    "HTTP_BACKEND_REVPROXY_GLUE",
    "HTTP_BACKEND_REVPROXY_PATH",
    "HTTP_FRONTEND_ACL",
    "HTTP_FRONTEND_ACL_ONLY",
    "HTTP_FRONTEND_ACL_ONLY_WITH_PATH",
    "HTTP_FRONTEND_ACL_ONLY_WITH_PATH_AND_AUTH",
    "HTTP_FRONTEND_ACL_WITH_AUTH",
    "HTTP_FRONTEND_ACL_WITH_AUTH_AND_PATH",
    "HTTP_FRONTEND_ACL_WITH_PATH",
    "HTTP_FRONTEND_APPID_ACL",
    "HTTP_FRONTEND_ROUTING_ONLY",
    "HTTP_FRONTEND_ROUTING_ONLY_WITH_AUTH",
    "HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH",
    "HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH",
    "MAP_HTTPS_FRONTEND_ACL",
    "MAP_HTTP_FRONTEND_ACL",
    "MAP_HTTP_FRONTEND_ACL_ONLY",
    "MAP_HTTP_FRONTEND_APPID_ACL",
    "MODE",
    "PATH",
    "PORT",
    "REDIRECT_TO_HTTPS",
    "SSL_CERT",
    "STICKY",
    "TCP_BACKEND_NETWORK_ALLOWED_ACL",
    "USERLIST_HEAD",
    "USE_HSTS",
    "VHOST",
];

/// Names marathon-lb (and its blue/green deployment scripts) read as
/// `HAPROXY_<NAME>`, for the whole app.
const PER_APP: &[&str] = &[
    "APP_ID",
    "DEPLOYMENT_ALT_PORT",
    "DEPLOYMENT_COLOUR",
    "DEPLOYMENT_GROUP",
    "DEPLOYMENT_STARTED_AT",
    "DEPLOYMENT_TARGET_INSTANCES",
    "GROUP",
];

/// Is `name` one of [`PER_PORT`] (sorted, so a binary search)?
fn is_per_port(name: &str) -> bool {
    PER_PORT.binary_search(&name).is_ok()
}

/// `HAPROXY_{n}_NAME` → `(n, NAME)`.
fn per_port(rest: &str) -> Option<(u64, &str)> {
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let name = rest[digits..].strip_prefix('_')?;
    Some((rest[..digits].parse().ok()?, name))
}

fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(name, c), *c))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The known label this (unknown) label most likely means.
fn suggestion(label: &str) -> Option<String> {
    let upper = label.to_ascii_uppercase();
    let rest = upper.strip_prefix(PREFIX)?;
    if let Some((index, name)) = per_port(rest) {
        if is_per_port(name) {
            return Some(format!("{PREFIX}{index}_{name}"));
        }
        return closest(name, PER_PORT).map(|n| format!("{PREFIX}{index}_{n}"));
    }
    if PER_APP.contains(&rest) {
        return Some(format!("{PREFIX}{rest}"));
    }
    if is_per_port(rest) {
        return Some(format!("{PREFIX}0_{rest}"));
    }
    closest(rest, PER_APP)
        .map(|n| format!("{PREFIX}{n}"))
        .or_else(|| closest(rest, PER_PORT).map(|n| format!("{PREFIX}0_{n}")))
}

/// How many service ports marathon-lb sees for this app, when that is sure.
fn service_ports(app: &AppContext<'_>) -> Option<usize> {
    match app.networking.mode {
        NetworkMode::Host => {
            for key in ["portDefinitions", "ports"] {
                match app.app.get(key) {
                    Some(Value::Array(ports)) => return Some(ports.len()),
                    Some(Value::Null) | None => {}
                    Some(_) => return None,
                }
            }
            // Marathon gives a host-networked app one port by default.
            Some(1)
        }
        NetworkMode::Bridge | NetworkMode::Container => {
            let count = app.networking.port_mappings.len();
            (count > 0).then_some(count)
        }
        NetworkMode::None => None,
    }
}

impl Rule for MarathonLbLabels {
    fn id(&self) -> &'static str {
        ID
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(Value::Object(labels)) = app.app.get("labels") else {
            return;
        };
        let ports = std::cell::OnceCell::new();
        let ports = || *ports.get_or_init(|| service_ports(app));
        for key in labels.keys() {
            // Most labels are not marathon-lb's: no allocation for them.
            if !key.get(..PREFIX.len()).is_some_and(|p| p.eq_ignore_ascii_case(PREFIX)) {
                continue;
            }
            let pointer = || pointer_join(&app.field("/labels"), key);
            let known = key.strip_prefix(PREFIX).and_then(|rest| match per_port(rest) {
                Some((index, name)) => is_per_port(name).then_some(Some(index)),
                None => PER_APP.contains(&rest).then_some(None),
            });
            match known {
                None => {
                    let mut diagnostic = Diagnostic::at(
                        ID,
                        pointer(),
                        format!("marathon-lb does not know the label `{key}` and ignores it"),
                    )
                    .target(Target::Key)
                    .label("unknown to marathon-lb");
                    diagnostic = match suggestion(key) {
                        Some(s) => diagnostic.help(format!("did you mean `{s}`?")),
                        None => diagnostic.help(
                            "see marathon-lb's label list (its Longhelp.md); per-port labels are written `HAPROXY_{n}_NAME`, n being the service port's index",
                        ),
                    };
                    out.push(diagnostic);
                }
                Some(Some(index)) => {
                    let Some(count) = ports().filter(|&count| index >= count as u64) else {
                        continue;
                    };
                    let has = match count {
                        0 => "has no ports".to_string(),
                        1 => "has only one port (index 0)".to_string(),
                        n => format!("has only {n} ports (indexes 0 to {})", n - 1),
                    };
                    out.push(
                        Diagnostic::at(
                            ID,
                            pointer(),
                            format!(
                                "`{key}` configures the app's service port {index}, but the app {has}: marathon-lb ignores the label"
                            ),
                        )
                        .target(Target::Key)
                        .label("no such port")
                        .help("use the index of the port the label is meant for (`HAPROXY_0_...` for the first port), or declare the port"),
                    );
                }
                Some(None) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;

    #[test]
    fn the_per_port_names_are_sorted_for_the_binary_search() {
        assert!(PER_PORT.windows(2).all(|w| w[0] < w[1]), "PER_PORT must stay sorted");
    }

    fn found(app: Value) -> Vec<(String, String)> {
        run_rule(&MarathonLbLabels, app, &RuleOptions::default())
            .into_iter()
            .map(|d| (d.pointer.unwrap(), d.help.unwrap_or_default()))
            .collect()
    }

    fn with_labels(labels: Value) -> Value {
        json!({"id": "/web", "cmd": "x", "portDefinitions": [{"port": 0}], "labels": labels})
    }

    #[test]
    fn known_labels_pass() {
        let labels = json!({"HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "a.example.com",
            "HAPROXY_0_BACKEND_HTTP_HEALTHCHECK_OPTIONS": "", "HAPROXY_DEPLOYMENT_GROUP": "web", "OTHER": "x"});
        assert!(found(with_labels(labels)).is_empty());
    }

    #[test]
    fn typos_get_a_suggestion() {
        let got = found(with_labels(
            json!({"HAPROXY_0_VHOTS": "a", "HAPROXY_VHOST": "b", "haproxy_group": "c", "HAPROXY_GRUOP": "d"}),
        ));
        let helps: Vec<&str> = got.iter().map(|(_, h)| h.as_str()).collect();
        assert!(helps.contains(&"did you mean `HAPROXY_0_VHOST`?"), "{got:?}");
        assert!(helps.contains(&"did you mean `HAPROXY_GROUP`?"), "{got:?}");
        assert_eq!(got.len(), 4);
    }

    #[test]
    fn indexes_past_the_last_port() {
        let got = found(with_labels(json!({"HAPROXY_1_VHOST": "a"})));
        assert_eq!(got[0].0, "/labels/HAPROXY_1_VHOST");
        // Host networking without declared ports: Marathon's one default port.
        let app = json!({"id": "/a", "cmd": "x", "labels": {"HAPROXY_0_VHOST": "a", "HAPROXY_1_VHOST": "b"}});
        assert_eq!(found(app).len(), 1);
        let app = json!({"id": "/a", "cmd": "x", "portDefinitions": [], "labels": {"HAPROXY_0_VHOST": "a"}});
        assert_eq!(found(app).len(), 1);
        let bridge = json!({"id": "/a", "container": {"docker": {"image": "x:1", "network": "BRIDGE",
            "portMappings": [{"containerPort": 80}, {"containerPort": 81}]}}, "labels": {"HAPROXY_1_VHOST": "a", "HAPROXY_2_MODE": "http"}});
        assert_eq!(found(bridge).len(), 1);
        // Not sure how many ports a bridge app without mappings gets.
        let bridge = json!({"id": "/a", "container": {"docker": {"image": "x:1", "network": "BRIDGE"}}, "labels": {"HAPROXY_3_VHOST": "a"}});
        assert!(found(bridge).is_empty());
    }
}
