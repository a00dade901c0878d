//! Constraints, upgrade strategy and residency, as Marathon validates them.

mod invalid_constraint;
mod invalid_residency;
mod invalid_upgrade_strategy;

use super::Rule;
use crate::marathon_target::MarathonVersion;

pub static RULES: &[&dyn Rule] = &[
    &invalid_constraint::InvalidConstraint,
    &invalid_upgrade_strategy::InvalidUpgradeStrategy,
    &invalid_residency::InvalidResidency,
];

/// `Marathon 1.4 answers "..."` or `Marathon 1.5 and later answer "..."`,
/// for the version being linted.
fn answers(version: MarathonVersion, v1_4: &str, v1_5: &str) -> String {
    if version < MarathonVersion::V1_5 {
        format!("Marathon 1.4 answers \"{v1_4}\"")
    } else {
        format!("Marathon {version} answers \"{v1_5}\"")
    }
}

/// A double the way Java prints it in Marathon's messages (`1.0`, `0.5`).
fn java_double(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e7 {
        format!("{value:.1}")
    } else {
        format!("{value}")
    }
}
