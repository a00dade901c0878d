//! What a task runs (`cmd`, `args`, `container`) and what it needs (`cpus`,
//! `mem`, `gpus`, ...), as Marathon validates them.

use super::Rule;

pub static RULES: &[&dyn Rule] = &[];
