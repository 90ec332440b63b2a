//! The `tiergate` binary: parse the command line, run, exit with the status.

fn main() {
    let status = tiergate::run_cli();
    #[expect(
        clippy::exit,
        reason = "the one place that turns an outcome into an exit code"
    )]
    std::process::exit(status.code());
}
