//! `marathon-lint lsp`: a language server over standard input and output.
//! Editors get the command line's diagnostics for the unsaved text as it is
//! typed, the rules' documentation on hover, and the fixes as code actions.
//!
//! Built on lsp-server and lsp-types (synchronous, as in rust-analyzer and
//! ruff): linting one definition takes microseconds, so a single thread that
//! lints the newest text of each document after every burst of messages is
//! all the concurrency it needs.

// lsp-types' `Uri` holds a `Cell` (parse caches) but hashes and compares by
// its text alone, so it is a sound map key, as in rust-analyzer and ruff.
#![allow(clippy::mutable_key_type)]

mod analysis;
mod code_actions;
mod diagnostics;
mod documents;
mod hover;
pub mod positions;
mod server;
pub mod transport;
pub mod uri;

pub use server::{serve, End};

/// Serve the client on standard input and output; the exit status follows
/// the protocol (0 after `shutdown` then `exit`, 1 otherwise).
pub fn run() -> std::process::ExitCode {
    // A baseline's findings are shown as hints, not hidden.
    crate::baseline::keep_marked(true);
    let (connection, threads) = transport::stdio();
    let end = serve(&connection);
    // Dropping the connection lets the writer flush and finish.
    drop(connection);
    threads.join();
    match end {
        End::Clean => std::process::ExitCode::SUCCESS,
        End::Abrupt => std::process::ExitCode::from(1),
    }
}
