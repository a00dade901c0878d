//! Rules that judge one app or one group at a time, after the document has
//! been parsed and each app's networking read. Each rule lives in its own
//! file; its documentation lives in `rules/<id>.md`. Rules that mirror
//! Marathon's own validation are grouped by the part of the app they judge.

mod pinned_port_rolling_upgrade;
mod user_network_incomplete;

mod checks_and_volumes;
mod commands_and_resources;
mod environment;
mod ids_and_groups;
mod misc;
mod placement;
mod ports_and_networks;
mod practice;
mod scheduling;

use serde_json::Value;

use std::sync::Arc;

use crate::app_members::AppMembers;
use crate::cluster::Cluster;
use crate::diagnostic::Diagnostic;
use crate::marathon_target::{Features, MarathonVersion, RoleBehavior};
use crate::model::Networking;

/// Settings that rules read.
#[derive(Debug, Clone)]
pub struct RuleOptions {
    /// The cluster: agents, Marathon's `/v2/info`, running apps.
    pub cluster: Arc<Cluster>,
    /// Marathon's `--mesos_role`.
    pub mesos_role: Option<String>,
    /// Whether a setting or an export said what Marathon's role is (else
    /// Marathon's default is assumed).
    pub mesos_role_known: bool,
    /// Marathon's `--default_accepted_resource_roles` (up to 1.9).
    pub default_accepted_resource_roles: Option<Vec<String>>,
    /// Marathon's `--accepted_resource_roles_default_behavior` (1.9+).
    pub role_behavior: Option<RoleBehavior>,
    /// The Marathon version the definitions are sent to.
    pub marathon_version: MarathonVersion,
    /// Marathon's `--enable_features`.
    pub features: Features,
    /// Marathon's `--default_network_name`, if it runs with one.
    pub default_network_name: Option<String>,
    /// Marathon's `--mesos_bridge_name` (default `mesos-bridge`).
    pub mesos_bridge_name: String,
    /// Whether template placeholders are read as such (`crate::template`),
    /// rather than as the syntax errors they are in rendered JSON.
    pub templates: bool,
    /// The variables templates are rendered with (`--vars`, `vars`).
    pub vars: crate::template::Vars,
    /// How the definitions are sent (`--method`); `None` judges them for
    /// every method, reporting what any of them rejects.
    pub method: Option<crate::deploy_method::Method>,
}

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions {
            cluster: Arc::default(),
            mesos_role: None,
            mesos_role_known: false,
            default_accepted_resource_roles: None,
            role_behavior: None,
            marathon_version: MarathonVersion::NEWEST,
            features: Features::default(),
            default_network_name: None,
            mesos_bridge_name: "mesos-bridge".to_string(),
            templates: true,
            vars: crate::template::Vars::default(),
            method: None,
        }
    }
}

/// One app, with everything a rule needs to judge it.
pub struct AppContext<'v> {
    /// JSON pointer of the app in its file (`""`, `/apps/1`, `/0`).
    pub pointer: &'v str,
    /// The app's value, its members indexed (it dereferences to the value).
    pub app: &'v AppMembers<'v>,
    /// The app's canonical id (relative ids resolved against its group, as
    /// Marathon does), when it has a string `id`.
    pub id: Option<&'v str>,
    /// Canonical id of the enclosing group (`/` at the top level).
    pub parent_id: &'v str,
    pub networking: &'v Networking<'v>,
    pub options: &'v RuleOptions,
    /// Whether this app is a body of its own (a file, or an entry of a list
    /// for `/v2/apps`), not an app inside a group, which is always whole.
    pub body: bool,
    /// The placement findings, judged once for all the rules that report them.
    pub placement: std::cell::OnceCell<Vec<Diagnostic>>,
}

impl AppContext<'_> {
    /// Whether, and why, Mesos can never place this app (`crate::placement`).
    pub fn placement(&self) -> &[Diagnostic] {
        self.placement.get_or_init(|| crate::placement::analyse(self))
    }

    /// Pointer of a field of this app: `field("/container/docker")`.
    pub fn field(&self, path: &str) -> String {
        format!("{}{path}", self.pointer)
    }
}

/// One group (a document with `apps` or `groups`), before its members are
/// judged one by one.
pub struct GroupContext<'v> {
    pub pointer: &'v str,
    pub group: &'v Value,
    pub id: Option<&'v str>,
    pub parent_id: &'v str,
    pub options: &'v RuleOptions,
}

impl GroupContext<'_> {
    pub fn field(&self, path: &str) -> String {
        format!("{}{path}", self.pointer)
    }
}

pub trait Rule: Sync {
    /// The rule's id; `rules/<id>.md` documents it.
    fn id(&self) -> &'static str;
    fn check_app(&self, _app: &AppContext<'_>, _out: &mut Vec<Diagnostic>) {}
    fn check_group(&self, _group: &GroupContext<'_>, _out: &mut Vec<Diagnostic>) {}
}

pub(crate) use misc::exported_status_fields::STATUS_FIELDS;
pub(crate) use misc::role_name_problem;

/// Diagnostics the engine itself reports (reading, parsing, schema), which
/// are documented in `rules/` like any rule.
pub static ENGINE_RULES: &[&str] = &[
    "io-error",
    "file-too-large",
    "internal-error",
    "fix-not-written",
    "symlink-loop",
    "json-syntax",
    "json-comment",
    "json-trailing-comma",
    "json-single-quotes",
    "json-unquoted-key",
    "json-invalid-utf8",
    "json-empty-file",
    "json-duplicate-key",
    "template-not-lintable",
    "template-variable-unset",
    "schema-violation",
    "unknown-field",
    "misplaced-field",
    "config-error",
    "plan-input",
    "invalid-suppression",
    "unused-suppression",
];

static PRODUCTION: &[&dyn Rule] = &[
    &pinned_port_rolling_upgrade::PinnedPortRollingUpgrade,
    &user_network_incomplete::UserNetworkIncomplete,
];

/// Every built-in rule.
pub fn all() -> impl Iterator<Item = &'static dyn Rule> {
    [
        PRODUCTION,
        placement::RULES,
        ids_and_groups::RULES,
        commands_and_resources::RULES,
        ports_and_networks::RULES,
        scheduling::RULES,
        checks_and_volumes::RULES,
        environment::RULES,
        misc::RULES,
        practice::RULES,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// Run one rule on one app, for the rules' unit tests.
#[cfg(test)]
pub(crate) fn run_rule(rule: &dyn Rule, app: serde_json::Value, options: &RuleOptions) -> Vec<Diagnostic> {
    let members = crate::app_members::AppMembers::new(&app);
    let networking = crate::model::networking(&members, "");
    let id = app
        .get("id")
        .and_then(Value::as_str)
        .map(|id| crate::model::canonical_id(id, "/"));
    let context = AppContext {
        pointer: "",
        app: &members,
        id: id.as_deref(),
        parent_id: "/",
        networking: &networking,
        options,
        body: true,
        placement: Default::default(),
    };
    let mut out = Vec::new();
    rule.check_app(&context, &mut out);
    out
}

/// `(pointer, message)` of each finding of one rule on one app, for the
/// rules' unit tests.
#[cfg(test)]
pub(crate) fn findings(rule: &dyn Rule, app: serde_json::Value, options: &RuleOptions) -> Vec<(String, String)> {
    run_rule(rule, app, options)
        .into_iter()
        .map(|d| (d.pointer.unwrap(), d.message))
        .collect()
}

/// Run one rule on one group, for the rules' unit tests.
#[cfg(test)]
#[allow(dead_code)] // used by group rules' tests as they are written
pub(crate) fn run_group_rule(rule: &dyn Rule, group: serde_json::Value, options: &RuleOptions) -> Vec<Diagnostic> {
    let id = group
        .get("id")
        .and_then(Value::as_str)
        .map(|id| crate::model::canonical_id(id, "/"));
    let context = GroupContext {
        pointer: "",
        group: &group,
        id: id.as_deref(),
        parent_id: "/",
        options,
    };
    let mut out = Vec::new();
    rule.check_group(&context, &mut out);
    out
}
