//! Constraints, upgrade strategy and residency, as Marathon validates them.

use super::Rule;

pub static RULES: &[&dyn Rule] = &[];
