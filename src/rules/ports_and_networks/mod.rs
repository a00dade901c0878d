//! Ports, port definitions, port mappings and networking modes (1.4 and
//! 1.5+), as Marathon validates them.

use super::Rule;

pub static RULES: &[&dyn Rule] = &[];
