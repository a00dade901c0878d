//! App and group ids, nesting and dependencies, as Marathon validates them.

mod duplicate_id;
mod id_not_in_group;
mod invalid_app_id;
mod invalid_dependency;
mod paths;

use super::Rule;

pub static RULES: &[&dyn Rule] = &[
    &invalid_app_id::InvalidAppId,
    &id_not_in_group::IdNotInGroup,
    &duplicate_id::DuplicateId,
    &invalid_dependency::InvalidDependency,
];
