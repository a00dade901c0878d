//! Labels, accepted resource roles and the unreachable strategy, as Marathon
//! validates them; and what an app saved from Marathon's API carries.

pub(crate) mod exported_status_fields;
mod invalid_labels;
mod invalid_resource_roles;
mod invalid_unreachable_strategy;
mod version_with_other_fields;

use super::Rule;

/// Marathon's first objection to a role name, if any.
pub(crate) fn role_name_problem(role: &str) -> Option<String> {
    invalid_resource_roles::problems(role).into_iter().next()
}

pub static RULES: &[&dyn Rule] = &[
    &exported_status_fields::ExportedStatusFields,
    &invalid_labels::InvalidLabels,
    &invalid_resource_roles::InvalidResourceRoles,
    &invalid_unreachable_strategy::InvalidUnreachableStrategy,
    &version_with_other_fields::VersionWithOtherFields,
];
