//! What Marathon accepts but production regrets: warnings with a rationale.

mod docker_image_unpinned;
mod marathon_lb_labels;
mod ports_without_health_check;

use super::Rule;

pub static RULES: &[&dyn Rule] = &[
    &docker_image_unpinned::DockerImageUnpinned,
    &ports_without_health_check::PortsWithoutHealthCheck,
    &marathon_lb_labels::MarathonLbLabels,
];
