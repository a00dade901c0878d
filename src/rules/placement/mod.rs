//! Rules that judge whether Mesos can ever place an app on the cluster the
//! settings describe. `crate::placement` judges it once per app; each rule
//! reports its own cause.

mod constraint_never_met;
mod host_port_held_by_running_app;
mod host_port_ranges;
mod instances_exceed_capacity;
mod resources_exceed_agents;

use super::{AppContext, Rule};
use crate::diagnostic::Diagnostic;

pub static RULES: &[&dyn Rule] = &[
    &host_port_ranges::HostPortOutsideAgentRanges,
    &resources_exceed_agents::ResourcesExceedAgents,
    &constraint_never_met::ConstraintNeverMet,
    &instances_exceed_capacity::InstancesExceedCapacity,
    &host_port_held_by_running_app::HostPortHeldByRunningApp,
];

/// The app's placement findings of one rule.
fn report(rule: &str, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
    out.extend(app.placement().iter().filter(|d| d.rule == rule).cloned());
}
