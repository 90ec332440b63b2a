//! The command line: clap types, one file per command. Flags become requests
//! here; clap types go no further.

mod args;
mod run;

use clap::Parser;

pub(crate) use args::{Cli, Command};

use crate::error::ExitStatus;
use crate::ui;

/// Parse the command line, run the command, and say how it ended.
pub fn main() -> ExitStatus {
    let cli = Cli::parse();
    let verbosity = if cli.global.quiet {
        ui::Verbosity::Quiet
    } else if cli.global.verbose {
        ui::Verbosity::Verbose
    } else {
        ui::Verbosity::Normal
    };
    ui::configure(cli.global.color, verbosity);
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
    };
    match result {
        Ok(status) => status,
        Err(error) => {
            ui::error(&error);
            ExitStatus::Error
        }
    }
}
