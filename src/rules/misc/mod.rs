//! Labels, accepted resource roles and the unreachable strategy, as Marathon
//! validates them.

mod invalid_labels;
mod invalid_resource_roles;
mod invalid_unreachable_strategy;

use super::Rule;

pub static RULES: &[&dyn Rule] = &[
    &invalid_labels::InvalidLabels,
    &invalid_resource_roles::InvalidResourceRoles,
    &invalid_unreachable_strategy::InvalidUnreachableStrategy,
];
