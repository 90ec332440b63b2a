//! Every command's flags, as clap sees them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::ui::ColorChoice;

#[derive(Debug, Parser)]
#[command(
    name = "tiergate",
    version,
    about = "Your CI's test tiers on every commit and push: git hooks with smart selection, parallel groups and policy gates.",
    after_help = "Examples:\n  tiergate run smoke                 run the smoke stage\n  tiergate run fast.unit --changed   the unit group, on what you changed\n  tiergate install                   install the git hooks"
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// One summary line instead of the full output.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,
    /// Stream every command's output as it runs.
    #[arg(short, long, global = true)]
    pub(crate) verbose: bool,
    /// Colour the output: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    pub(crate) color: ColorChoice,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run stages or groups: `tiergate run smoke fast.unit`.
    #[command(
        after_help = "Examples:\n  tiergate run smoke\n  tiergate run fast.unit comprehensive\n  tiergate run --stage fast --group unit --save-report unit_report.json\n  tiergate run fast --changed --jobs 4"
    )]
    Run(RunArgs),
}

/// Which changes select the groups to run (SPEC 5).
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct SelectionArgs {
    /// Run every selected stage in full, as if everything changed (the default).
    #[arg(long, group = "selection")]
    pub(crate) all: bool,
    /// Select by uncommitted changes: work tree and index vs HEAD, plus untracked files.
    #[arg(long, group = "selection")]
    pub(crate) changed: bool,
    /// Select by what is staged: the index vs HEAD, as the pre-commit hook does.
    #[arg(long, group = "selection")]
    pub(crate) staged: bool,
    /// Select by the commits from the merge base of REF and --to (like `git diff REF...TO`).
    #[arg(long, value_name = "REF", group = "selection")]
    pub(crate) from: Option<String>,
    /// The end of a --from range (default: HEAD).
    #[arg(long, value_name = "REF", requires = "from")]
    pub(crate) to: Option<String>,
    /// Select by these paths, as if they had changed.
    #[arg(long, value_name = "PATH", num_args = 1.., group = "selection")]
    pub(crate) files: Vec<PathBuf>,
    /// Select by everything changed since REF: its commits and uncommitted work.
    #[arg(long, value_name = "REF", group = "selection")]
    pub(crate) changed_since: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Stages or groups to run, as `stage` or `stage.group` (default: every stage).
    #[arg(value_name = "STAGE[.GROUP]")]
    pub(crate) targets: Vec<String>,
    /// A stage to run (the `ci_runner.py` spelling; combine with --group).
    #[arg(long, value_name = "STAGE")]
    pub(crate) stage: Vec<String>,
    /// A group of --stage to run.
    #[arg(long, value_name = "GROUP")]
    pub(crate) group: Vec<String>,
    #[command(flatten)]
    pub(crate) selection: SelectionArgs,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
    /// The slot budget for parallel groups (default: settings.jobs).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) jobs: Option<u32>,
    /// Stop at the first failed gate, even a `warn` or `inform` one, and exit 1.
    #[arg(long)]
    pub(crate) exit_on_failure: bool,
    /// Run every group even when a cached pass exists.
    #[arg(long)]
    pub(crate) no_cache: bool,
}

/// Files a run leaves behind.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct OutputArgs {
    /// Write the JSON report here.
    #[arg(long, value_name = "FILE")]
    pub(crate) save_report: Option<PathBuf>,
    /// Write one merged JUnit XML of everything that ran here.
    #[arg(long, value_name = "FILE")]
    pub(crate) junit: Option<PathBuf>,
}
