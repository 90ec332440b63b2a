//! The command line: clap types, one file per command. Flags become requests
//! here; clap types go no further.

mod affected;
mod args;
mod ci_full;
mod completions;
mod config;
mod doctor;
mod export;
mod history;
mod import;
mod install;
mod plan;
mod recover;
mod report;
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
    // SPEC 8: work a crashed run left stashed is restored before anything
    // else; `recover` does it itself, with a listing.
    if !matches!(cli.command, Command::Recover) {
        recover::leftovers();
    }
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Hook(args) => crate::session::hook::run(args.hook, &args.args, args.prometheus),
        Command::Plan(args) => plan::run(&args),
        Command::Install(args) => install::install(&install::InstallRequest {
            hooks: args.hooks,
            yes: args.yes,
            force: args.force,
        }),
        Command::Uninstall => install::uninstall(),
        Command::Doctor => doctor::run(),
        Command::Config(args) => config::run(args.show_effective, args.schema),
        Command::CiFull(args) => ci_full::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Export(args) => match args.target {
            args::ExportTarget::Github { output, shards } => export::github(&output, shards),
            args::ExportTarget::Gitlab { output, shards } => export::gitlab(&output, shards),
        },
        Command::History(args) => history::run(args.flaky, args.trends, args.html.as_deref()),
        Command::Import(args) => import::run(&import::ImportRequest {
            tool: args.tool,
            input: args.input,
            output: args.output,
            force: args.force,
        }),
        Command::Completions(args) => Ok(completions::completions(args.shell)),
        Command::Recover => recover::run(),
        Command::Affected(args) => affected::run(&args),
    };
    match result {
        Ok(status) => status,
        Err(error) => {
            ui::error(&error);
            ExitStatus::Error
        }
    }
}
