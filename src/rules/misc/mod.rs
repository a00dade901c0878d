//! Labels, accepted resource roles and the unreachable strategy, as Marathon
//! validates them.

use super::Rule;

pub static RULES: &[&dyn Rule] = &[];
