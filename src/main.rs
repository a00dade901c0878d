fn main() -> std::process::ExitCode {
    marathon_lint::cli::run()
}
