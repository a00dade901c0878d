//! `host-port-outside-agent-ranges`: a fixed host port must be one the Mesos
//! agents offer, or the app is never placed.

use super::{AppContext, Rule};
use crate::diagnostic::{Diagnostic, Target};

pub struct HostPortOutsideAgentRanges;

/// Secondary underlines beyond this many would bury the code frame.
const MAX_RELATED: usize = 4;

impl Rule for HostPortOutsideAgentRanges {
    fn id(&self) -> &'static str {
        "host-port-outside-agent-ranges"
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        let ranges = &app.options.agent_ports;
        let outside: Vec<_> = app
            .networking
            .fixed_host_ports
            .iter()
            .filter(|p| !ranges.contains(p.port))
            .collect();
        let Some(first) = outside.first() else {
            return;
        };
        // One finding per app: an edge proxy may pin a hundred ports, and the
        // fix (widen the agents' ranges) is the same for all of them.
        let ports = match outside.len() {
            1 => format!("host port {}", first.port),
            n if n <= MAX_RELATED + 1 => {
                let list: Vec<String> = outside.iter().map(|p| p.port.to_string()).collect();
                format!("host ports {}", list.join(", "))
            }
            n => {
                let list: Vec<String> = outside.iter().take(3).map(|p| p.port.to_string()).collect();
                format!("host ports {} and {} more", list.join(", "), n - 3)
            }
        };
        let verb = if outside.len() == 1 { "is" } else { "are" };
        let example = first.port;
        let mut diagnostic = Diagnostic::at(
            self.id(),
            &first.pointer,
            format!(
                "{ports} {verb} outside the agents' port ranges {ranges}: no agent will ever offer {}, so the deployment waits forever",
                if outside.len() == 1 { "it" } else { "them" }
            ),
        )
        .label(format!("not in {ranges}"))
        .help(format!(
            "use host ports inside {ranges} (or 0 to let Marathon pick one), or, if your agents do offer port {example}, \
             add it to their resources (e.g. `ports:[{example}-{example}, 31000-32000]` in /etc/mesos-slave/resources) \
             and pass the same string to --agent-resources"
        ));
        for other in outside.iter().skip(1).take(MAX_RELATED) {
            diagnostic = diagnostic.related(&other.pointer, Target::Value, "also outside");
        }
        out.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent_resources;
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::{json, Value};

    fn app(host_ports: &[u64]) -> Value {
        let mappings: Vec<Value> = host_ports
            .iter()
            .map(|p| json!({"containerPort": 80, "hostPort": p}))
            .collect();
        json!({"id": "/a", "container": {"type": "DOCKER", "docker": {"image": "x:1", "network": "BRIDGE", "portMappings": mappings}}})
    }

    #[test]
    fn ports_inside_the_default_range_pass() {
        assert!(run_rule(
            &HostPortOutsideAgentRanges,
            app(&[0, 31000, 32000]),
            &RuleOptions::default()
        )
        .is_empty());
    }

    #[test]
    fn one_finding_per_app_naming_the_ports() {
        let found = run_rule(
            &HostPortOutsideAgentRanges,
            app(&[80, 31000, 443]),
            &RuleOptions::default(),
        );
        assert_eq!(found.len(), 1);
        assert!(found[0]
            .message
            .starts_with("host ports 80, 443 are outside the agents' port ranges [31000-32000]"));
        assert_eq!(
            found[0].pointer.as_deref(),
            Some("/container/docker/portMappings/0/hostPort")
        );
        assert_eq!(found[0].related[0].pointer, "/container/docker/portMappings/2/hostPort");
        let many: Vec<u64> = (1..=8).collect();
        let found = run_rule(&HostPortOutsideAgentRanges, app(&many), &RuleOptions::default());
        assert!(
            found[0].message.starts_with("host ports 1, 2, 3 and 5 more"),
            "{}",
            found[0].message
        );
        assert_eq!(found[0].related.len(), MAX_RELATED);
    }

    #[test]
    fn agent_resources_decide() {
        let options = RuleOptions {
            agent_ports: agent_resources::parse("ports:[80-80, 443-443]").unwrap(),
            ..RuleOptions::default()
        };
        let found = run_rule(&HostPortOutsideAgentRanges, app(&[80, 443, 31000]), &options);
        assert_eq!(found.len(), 1);
        assert!(found[0]
            .message
            .starts_with("host port 31000 is outside the agents' port ranges [80-80, 443-443]"));
    }
}
