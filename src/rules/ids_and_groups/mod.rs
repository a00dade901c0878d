//! App and group ids, nesting and dependencies, as Marathon validates them.

use super::Rule;

pub static RULES: &[&dyn Rule] = &[];
