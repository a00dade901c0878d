//! `host-port-outside-agent-ranges`: a fixed host port must be one the Mesos
//! agents offer, or the app is never placed.

use super::{AppContext, Rule};
use crate::diagnostic::Diagnostic;

pub struct HostPortOutsideAgentRanges;

impl Rule for HostPortOutsideAgentRanges {
    fn id(&self) -> &'static str {
        "host-port-outside-agent-ranges"
    }

    fn check(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let ranges = &app.options.agent_ports;
        for fixed in &app.networking.fixed_host_ports {
            if ranges.contains(fixed.port) {
                continue;
            }
            out.push(
                Diagnostic::at(
                    self.id(),
                    &fixed.pointer,
                    format!(
                        "host port {} is outside the agents' port ranges {ranges}: no agent will ever offer it, so the deployment waits forever",
                        fixed.port
                    ),
                )
                .label(format!("not in {ranges}"))
                .help(format!(
                    "use a host port inside {ranges} (or 0 to let Marathon pick one), or, if your agents do offer port {port}, \
                     add it to their resources (e.g. `ports:[{port}-{port}, 31000-32000]` in /etc/mesos-slave/resources) \
                     and pass the same string to --agent-resources",
                    port = fixed.port
                )),
            );
        }
    }
}
