//! Environment variables, secrets and fetched artifacts, as Marathon
//! validates them.

use super::Rule;

pub static RULES: &[&dyn Rule] = &[];
