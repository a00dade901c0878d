//! What Marathon accepts but production regrets: warnings with a rationale.

use super::Rule;

pub static RULES: &[&dyn Rule] = &[];
