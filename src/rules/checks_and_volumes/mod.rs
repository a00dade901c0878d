//! Health checks, readiness checks and volumes, as Marathon validates them.

use super::Rule;

pub static RULES: &[&dyn Rule] = &[];
