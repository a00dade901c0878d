//! Health checks, readiness checks and volumes, as Marathon validates them.

mod invalid_health_check;
mod invalid_readiness_check;
mod invalid_volume;
mod ports;

use super::Rule;

pub static RULES: &[&dyn Rule] = &[
    &invalid_health_check::InvalidHealthCheck,
    &invalid_readiness_check::InvalidReadinessCheck,
    &invalid_volume::InvalidVolume,
];
