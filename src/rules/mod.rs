//! Rules that look at one app at a time, after it has been parsed and its
//! networking read. Each rule lives in its own file; its documentation lives
//! in `rules/<id>.md`.

mod host_port_ranges;
mod pinned_port_rolling_upgrade;
mod user_network_incomplete;

use serde_json::Value;

use crate::agent_resources::PortRanges;
use crate::diagnostic::Diagnostic;
use crate::model::Networking;

/// Settings that rules read.
#[derive(Debug, Clone, Default)]
pub struct RuleOptions {
    /// Host ports the Mesos agents offer.
    pub agent_ports: PortRanges,
}

/// One app, with everything a rule needs to judge it.
pub struct AppContext<'v> {
    pub pointer: &'v str,
    pub app: &'v Value,
    pub networking: &'v Networking<'v>,
    pub options: &'v RuleOptions,
}

impl AppContext<'_> {
    /// Pointer of a field of this app.
    pub fn field(&self, path: &str) -> String {
        format!("{}{path}", self.pointer)
    }
}

pub trait Rule: Sync {
    fn id(&self) -> &'static str;
    fn check(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>);
}

/// Diagnostics the engine itself reports (reading, parsing, schema), which
/// are documented in `rules/` like any rule.
pub static ENGINE_RULES: &[&str] = &[
    "io-error",
    "symlink-loop",
    "json-syntax",
    "json-comment",
    "json-trailing-comma",
    "json-single-quotes",
    "json-unquoted-key",
    "json-invalid-utf8",
    "json-empty-file",
    "json-duplicate-key",
    "schema-violation",
    "unknown-field",
    "misplaced-field",
];

/// Every built-in app rule.
pub static ALL: &[&dyn Rule] = &[
    &host_port_ranges::HostPortOutsideAgentRanges,
    &pinned_port_rolling_upgrade::PinnedPortRollingUpgrade,
    &user_network_incomplete::UserNetworkIncomplete,
];

/// Run one rule on one app, for the rules' unit tests.
#[cfg(test)]
pub(crate) fn run_rule(rule: &dyn Rule, app: serde_json::Value, options: &RuleOptions) -> Vec<Diagnostic> {
    let networking = crate::model::networking(&app, "");
    let context = AppContext {
        pointer: "",
        app: &app,
        networking: &networking,
        options,
    };
    let mut out = Vec::new();
    rule.check(&context, &mut out);
    out
}
