//! Ports, port definitions, port mappings and networking modes (1.4 and
//! 1.5+), as Marathon validates them.

mod invalid_networks;
mod invalid_port_definitions;
mod invalid_port_mappings;
mod legacy_networking;
mod support;

use super::Rule;

pub static RULES: &[&dyn Rule] = &[
    &invalid_port_definitions::InvalidPortDefinitions,
    &invalid_port_mappings::InvalidPortMappings,
    &invalid_networks::InvalidNetworks,
    &legacy_networking::LegacyNetworking,
];
