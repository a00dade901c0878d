//! What a task runs (`cmd`, `args`, `container`) and what it needs (`cpus`,
//! `mem`, `gpus`, ...), as Marathon validates them.

mod cmd_too_short;
mod container;
mod invalid_container;
mod invalid_resources;
mod missing_command;

use super::Rule;

pub static RULES: &[&dyn Rule] = &[
    &missing_command::MissingCommand,
    &cmd_too_short::CmdTooShort,
    &invalid_container::InvalidContainer,
    &invalid_resources::InvalidResources,
];
