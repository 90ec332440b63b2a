//! The `tiergate` binary: parse the command line, run, exit with the status.

fn main() {
    let status = tiergate::run_cli();
    std::process::exit(status.code());
}
