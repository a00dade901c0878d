//! Environment variables, secrets and fetched artifacts, as Marathon
//! validates them.

mod invalid_env;
mod invalid_fetch;
mod invalid_secrets;
mod java_uri;

use super::Rule;

pub static RULES: &[&dyn Rule] = &[
    &invalid_env::InvalidEnv,
    &invalid_secrets::InvalidSecrets,
    &invalid_fetch::InvalidFetch,
];
