//! Agents as one kind of app sees them. A 10,000-agent cluster may have
//! hundreds of classes (racks times machine kinds), but an app only looks at
//! what the roles it accepts offer and at the fields its constraints name:
//! classes alike in those are merged, once per run for each such view, so
//! judging an app costs a walk over a handful of merged classes.

use std::collections::HashMap;
use std::sync::Arc;

use crate::cluster::resources::{PortRange, PortRanges, Scalar, UNRESERVED};
use crate::cluster::Agents;
use crate::marathon_target::MarathonVersion;

use super::constraints::Field;

/// Agents alike in everything an app of one view looks at.
#[derive(Debug)]
pub struct Projected {
    pub count: usize,
    /// Their hostnames, when the view needs them and all are known.
    pub hostnames: Vec<String>,
    /// Whether every agent merged here has a known hostname.
    pub hostnames_known: bool,
    /// Ports offered in the roles the app can use.
    pub ports: PortRanges,
    /// Per scalar: what those roles offer, `None` if unknown.
    pub scalars: [Option<f64>; 4],
    /// The value of each field of the view, as the target Marathon writes it
    /// (`None`: the agents do not have it). Hostnames are not kept here.
    pub values: Vec<Option<String>>,
}

/// What a view depends on.
pub struct ViewKey<'a> {
    pub roles: &'a [String],
    /// Agents only assumed, with no role named: every role's resources count.
    pub role_blind: bool,
    pub fields: &'a [Field],
    pub version: MarathonVersion,
    pub hostnames: bool,
}

impl ViewKey<'_> {
    fn text(&self) -> String {
        format!(
            "{:?}|{}|{:?}|{}|{}",
            self.roles,
            self.role_blind,
            self.fields,
            self.version < MarathonVersion::V1_6,
            self.hostnames
        )
    }
}

/// The merged classes of a view, computed once per run.
pub fn view(agents: &Agents, key: &ViewKey<'_>) -> Arc<Vec<Projected>> {
    agents.memo.get_or_insert(key.text(), || project(agents, key))
}

#[derive(PartialEq, Eq, Hash)]
struct MergeKey {
    ports: Vec<PortRange>,
    scalars: [Option<u64>; 4],
    values: Vec<Option<String>>,
}

fn project(agents: &Agents, key: &ViewKey<'_>) -> Vec<Projected> {
    let mut index: HashMap<MergeKey, usize> = HashMap::new();
    let mut out: Vec<Projected> = Vec::new();
    for class in &agents.classes {
        let mut ports = PortRanges::default();
        let mut scalars = [Some(0.0); 4];
        for (role, offered) in &class.resources.by_role {
            if !(key.role_blind || key.roles.iter().any(|r| r == role)) {
                continue;
            }
            ports = ports.union(&offered.ports);
            for scalar in Scalar::ALL {
                if let Some(total) = &mut scalars[scalar as usize] {
                    *total += offered.scalar(scalar);
                }
            }
        }
        for scalar in Scalar::ALL {
            if !class.resources.is_known(scalar) {
                scalars[scalar as usize] = None;
            }
        }
        let values: Vec<Option<String>> = key
            .fields
            .iter()
            .map(|field| match field {
                Field::Hostname => None,
                Field::Region => class.region.clone(),
                Field::Zone => class.zone.clone(),
                Field::Attribute(name) => class.attributes.get(name).map(|v| v.marathon_string(key.version)),
            })
            .collect();
        let merge = MergeKey {
            ports: ports.ranges().to_vec(),
            scalars: scalars.map(|s| s.map(f64::to_bits)),
            values: values.clone(),
        };
        let hostnames_known = class.hostnames.len() == class.count;
        match index.get(&merge) {
            Some(&i) => {
                let merged = &mut out[i];
                merged.count += class.count;
                merged.hostnames_known &= hostnames_known;
                if key.hostnames {
                    merged.hostnames.extend(class.hostnames.iter().cloned());
                }
            }
            None => {
                index.insert(merge, out.len());
                out.push(Projected {
                    count: class.count,
                    hostnames: if key.hostnames {
                        class.hostnames.clone()
                    } else {
                        Vec::new()
                    },
                    hostnames_known,
                    ports,
                    scalars,
                    values,
                });
            }
        }
    }
    out
}

/// Whether the agents are only assumed and name no role but `*`: then roles
/// are not judged, as before roles were known.
pub fn role_blind(agents: &Agents) -> bool {
    !agents.known
        && agents
            .classes
            .iter()
            .all(|c| c.resources.roles().all(|r| r == UNRESERVED))
}
