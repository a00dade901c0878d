//! Subcommands other than linting, one module each (as ruff's `commands/`):
//! `cli` parses the arguments and dispatches here.

pub mod cluster;
pub mod plan;
