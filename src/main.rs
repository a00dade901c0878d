// Linting allocates many small, short-lived values (JSON values, pointers,
// messages); mimalloc serves them faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // A bug must never show users a stack trace: the default hook prints
    // one, so replace it; what the panic said is reported below instead.
    std::panic::set_hook(Box::new(|_| {}));
    match std::panic::catch_unwind(marathon_lint::cli::run) {
        Ok(code) => code,
        Err(panic) => {
            eprintln!(
                "marathon-lint: internal error: {}; please report it with the input that caused it",
                marathon_lint::cli::panic_message(&panic)
            );
            std::process::ExitCode::from(2)
        }
    }
}
