//! `host-port-outside-agent-ranges`: a fixed host port that no agent offers
//! in a role the app accepts, so the app is never placed; judged by
//! `crate::placement`.

use super::{report, AppContext, Rule};
use crate::diagnostic::Diagnostic;

pub struct HostPortOutsideAgentRanges;

impl Rule for HostPortOutsideAgentRanges {
    fn id(&self) -> &'static str {
        crate::placement::PORTS
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        report(self.id(), app, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{resources, Agents, Cluster};
    use crate::rules::{run_rule, RuleOptions};
    use std::sync::Arc;

    const MAX_RELATED: usize = 4;

    fn agents(text: &str) -> RuleOptions {
        RuleOptions {
            cluster: Arc::new(Cluster {
                agents: Arc::new(Agents::assumed(resources::parse(text).unwrap(), "test")),
                ..Cluster::default()
            }),
            ..RuleOptions::default()
        }
    }
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
        let options = agents("ports:[80-80, 443-443]");
        let found = run_rule(&HostPortOutsideAgentRanges, app(&[80, 443, 31000]), &options);
        assert_eq!(found.len(), 1);
        assert!(found[0]
            .message
            .starts_with("host port 31000 is outside the agents' port ranges [80-80, 443-443]"));
    }
}

#[cfg(test)]
mod role_tests {
    use super::*;
    use crate::cluster::{resources, Agents, Cluster};
    use crate::rules::{run_rule, RuleOptions};
    use serde_json::json;
    use std::sync::Arc;

    fn public_and_private() -> RuleOptions {
        let resources = resources::parse("ports(slave_public):[80-80, 443-443];ports(*):[31000-32000]").unwrap();
        RuleOptions {
            cluster: Arc::new(Cluster {
                agents: Arc::new(Agents::assumed(resources, "test")),
                ..Cluster::default()
            }),
            mesos_role: Some("slave_public".into()),
            mesos_role_known: true,
            ..RuleOptions::default()
        }
    }

    fn edge(extra: serde_json::Value) -> serde_json::Value {
        let mut app = json!({"id": "/edge", "container": {"type": "DOCKER", "docker": {"image": "x:1", "network": "BRIDGE",
            "portMappings": [{"containerPort": 80, "hostPort": 80}]}}});
        app.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        app
    }

    #[test]
    fn a_port_offered_only_to_another_role_is_never_matched() {
        let options = RuleOptions {
            marathon_version: "1.8".parse().unwrap(),
            ..public_and_private()
        };
        let found = run_rule(
            &HostPortOutsideAgentRanges,
            edge(json!({"acceptedResourceRoles": ["*"]})),
            &options,
        );
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.starts_with("host port 80 is offered only in role `slave_public`, but this app accepts only `*` (its acceptedResourceRoles)"),
            "{}",
            found[0].message
        );
        assert!(found[0]
            .help
            .as_deref()
            .unwrap()
            .contains(r#""acceptedResourceRoles": ["*","slave_public"]"#));
        let ok = run_rule(
            &HostPortOutsideAgentRanges,
            edge(json!({"acceptedResourceRoles": ["slave_public"]})),
            &options,
        );
        assert!(ok.is_empty());
    }

    #[test]
    fn marathons_default_roles_include_its_mesos_role_up_to_1_8() {
        let options = RuleOptions {
            marathon_version: "1.8".parse().unwrap(),
            ..public_and_private()
        };
        assert!(run_rule(&HostPortOutsideAgentRanges, edge(json!({})), &options).is_empty());
        let dcos = RuleOptions {
            default_accepted_resource_roles: Some(vec!["*".into()]),
            ..options.clone()
        };
        let found = run_rule(&HostPortOutsideAgentRanges, edge(json!({})), &dcos);
        assert!(
            found[0]
                .message
                .contains("accepts only `*` (Marathon's --default_accepted_resource_roles)"),
            "{}",
            found[0].message
        );
        // Known to run without a role: its offers are all `*`.
        let unregistered = RuleOptions {
            mesos_role: None,
            ..options.clone()
        };
        // Marathon gets no offer of the one role the app accepts: one
        // finding, of the resources rule, rather than one per resource.
        let only_public = edge(json!({"acceptedResourceRoles": ["slave_public"]}));
        assert!(run_rule(&HostPortOutsideAgentRanges, only_public.clone(), &unregistered).is_empty());
        let resources = crate::rules::all()
            .find(|r| r.id() == "resources-exceed-agents")
            .unwrap();
        let found = run_rule(resources, only_public.clone(), &unregistered);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].help.as_deref().unwrap().contains("--mesos_role"),
            "{:?}",
            found[0].help
        );
        assert!(found[0].fix.is_none());
        // Nobody said which role it has: the app's own roles get the benefit of the doubt.
        let unknown = RuleOptions {
            mesos_role: None,
            mesos_role_known: false,
            ..options
        };
        assert!(run_rule(&HostPortOutsideAgentRanges, only_public, &unknown).is_empty());
    }

    #[test]
    fn from_1_9_the_apps_role_and_the_default_behaviour_decide() {
        let options = public_and_private();
        // Role defaults to --mesos_role (slave_public); behaviour any: both roles.
        assert!(run_rule(&HostPortOutsideAgentRanges, edge(json!({})), &options).is_empty());
        let unreserved = RuleOptions {
            role_behavior: Some(crate::marathon_target::RoleBehavior::Unreserved),
            ..options.clone()
        };
        let found = run_rule(&HostPortOutsideAgentRanges, edge(json!({})), &unreserved);
        assert!(
            found[0]
                .message
                .contains("--accepted_resource_roles_default_behavior unreserved"),
            "{}",
            found[0].message
        );
        let star = RuleOptions {
            mesos_role: None,
            ..options
        };
        let found = run_rule(&HostPortOutsideAgentRanges, edge(json!({})), &star);
        assert!(
            found[0].message.contains("Marathon's default for role `*`"),
            "{}",
            found[0].message
        );
        assert!(run_rule(
            &HostPortOutsideAgentRanges,
            edge(json!({"role": "slave_public"})),
            &star
        )
        .is_empty());
    }
}
