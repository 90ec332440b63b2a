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
    /// Colour the output: auto (on a terminal, unless `NO_COLOR` is set), always or never.
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
        after_help = "Examples:\n  tiergate run smoke\n  tiergate run fast.unit comprehensive\n  tiergate run --stage fast --group unit --save-report unit_report.json\n  tiergate run fast --changed --jobs 4\n  tiergate run fast.unit --shard 2/4 --save-report shard-2.json"
    )]
    Run(RunArgs),
    /// Run a git hook's tiers: what the installed shims call.
    #[command(
        after_help = "Examples:\n  tiergate hook pre-commit\n  echo 'refs/heads/main <sha> refs/heads/main <sha>' | tiergate hook pre-push origin <url>\n  tiergate hook pre-release"
    )]
    Hook(HookArgs),
    /// Explain what would run and why, for a hook or stages; runs nothing.
    #[command(
        after_help = "Examples:\n  tiergate plan pre-commit\n  tiergate plan fast --changed\n  tiergate plan comprehensive --files app/database/db.py"
    )]
    Plan(PlanArgs),
    /// Install the git hooks (and offer a .tiergate.toml) in this repository.
    #[command(
        after_help = "Examples:\n  tiergate install\n  tiergate install --yes --hooks pre-commit,pre-push\n  tiergate install --force   # replace a foreign hook instead of chaining it"
    )]
    Install(InstallArgs),
    /// Remove tiergate's hooks; a chained hook of your own is put back.
    #[command(after_help = "Example:\n  tiergate uninstall")]
    Uninstall,
    /// Check git, the config, programs, services, hooks and the state dir.
    #[command(after_help = "Example:\n  tiergate doctor")]
    Doctor,
    /// Check the config, print the effective one, or its JSON Schema.
    #[command(
        after_help = "Examples:\n  tiergate config\n  tiergate config --show-effective > .tiergate.toml\n  tiergate config --schema > tiergate.schema.json"
    )]
    Config(ConfigArgs),
    /// Run the whole pipeline as CI would, then give the deployment verdict.
    #[command(
        name = "ci-full",
        after_help = "Every stage in order with CI=true and [env], the gates between stages, then the\nreadiness score term by term and the decision. Exit 0 when deployment-ready, 1 when not.\n\nExamples:\n  tiergate ci-full\n  tiergate ci-full --save-report ci.json --junit ci.xml --html ci.html\n  tiergate ci-full --changed-since origin/main"
    )]
    CiFull(CiFullArgs),
    /// Render saved JSON reports, or merge the per-group reports of a distributed run.
    #[command(
        after_help = "With --merge, the reports are combined (stages in order, counts summed, gates and\nverdict recomputed) and the exit status follows the verdict: 0 deployment-ready, 1 not.\n\nExamples:\n  tiergate report report.json\n  tiergate report --format markdown report.json >> \"$GITHUB_STEP_SUMMARY\"\n  tiergate report --format html -o report.html report.json\n  tiergate report --merge merged.json reports/*.json"
    )]
    Report(ReportArgs),
    /// Generate CI configuration from .tiergate.toml.
    #[command(
        after_help = "Examples:\n  tiergate export github\n  tiergate export github --output -   # print it\n  tiergate export github --shards 4   # split {tests} groups over 4 jobs, PRs from their base\n  tiergate export gitlab --shards 4   # .gitlab-ci.yml with parallel: 4"
    )]
    Export(ExportArgs),
    /// Past runs, flaky tests and stage trends, from the state dir's history.jsonl.
    #[command(
        after_help = "Examples:\n  tiergate history            the last runs\n  tiergate history --flaky    tests that both passed and failed lately\n  tiergate history --trends   success rate and duration per stage\n  tiergate history --html history.html   the same as one page with charts"
    )]
    History(HistoryArgs),
    /// Write a .tiergate.toml from a pre-commit, lefthook or husky + lint-staged config.
    #[command(
        after_help = "Examples:\n  tiergate import pre-commit                  read .pre-commit-config.yaml, write .tiergate.toml\n  tiergate import lefthook --output -         print the translation instead\n  tiergate import pre-commit --input ci/pre-commit.yaml --force\n  tiergate import husky                       read .husky/* and the lint-staged config\n\nEach hook is reported as translated, translated with a difference, or not translated (with why), on stdout and at the top of the file."
    )]
    Import(ImportArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  tiergate completions bash > ~/.local/share/bash-completion/completions/tiergate\n  tiergate completions zsh > ~/.zfunc/_tiergate\n  tiergate completions fish > ~/.config/fish/completions/tiergate.fish"
    )]
    Completions(CompletionsArgs),
    /// Print the test files a change affects through the code's imports, one a line.
    #[command(
        after_help = "The test files are those of the groups with `tests` globs; only their names go to\nstdout, messages to stderr. With no selection flag, the uncommitted changes (--changed).\n\nExamples:\n  tiergate affected\n  tiergate affected --from origin/main -z | xargs -0 pytest\n  tiergate affected --files app/crud.py"
    )]
    Affected(AffectedArgs),
    /// List and restore unstaged work a crashed or killed run left stashed.
    #[command(after_help = "Example:\n  tiergate recover")]
    Recover,
}

#[derive(Debug, Args)]
pub(crate) struct CiFullArgs {
    #[command(flatten)]
    pub(crate) output: OutputArgs,
    /// Run only what changed since REF (its commits and uncommitted work).
    #[arg(long, value_name = "REF")]
    pub(crate) changed_since: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ReportFormat {
    Text,
    Json,
    Markdown,
    Junit,
    /// One self-contained page (inline style and SVG charts, no script).
    Html,
}

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// JSON reports written by --save-report.
    #[arg(value_name = "FILE", required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// Merge the reports into one and write it here.
    #[arg(long, value_name = "OUT")]
    pub(crate) merge: Option<PathBuf>,
    /// How to print the report(s).
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: ReportFormat,
    /// Write the rendering here instead of printing it (`--format html -o report.html`).
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    #[command(subcommand)]
    pub(crate) target: ExportTarget,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ExportTarget {
    /// A GitHub Actions workflow: a job per stage, a matrix over its groups, a merge job.
    Github {
        /// Where to write the workflow; `-` prints it.
        #[arg(
            long,
            short,
            value_name = "PATH",
            default_value = ".github/workflows/ci-tiered.yml"
        )]
        output: PathBuf,
        /// Split each group that takes `{tests}` or `{files}` over N jobs (`--shard K/N`),
        /// and select pull requests from their base commit.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
        shards: Option<u32>,
    },
    /// A .gitlab-ci.yml: a job per group, `parallel: N` shards, JUnit reports, a merge job.
    Gitlab {
        /// Where to write the pipeline; `-` prints it.
        #[arg(long, short, value_name = "PATH", default_value = ".gitlab-ci.yml")]
        output: PathBuf,
        /// How many jobs each group that takes `{tests}` or `{files}` is split over.
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=200))]
        shards: u32,
    },
}

#[derive(Debug, Args)]
pub(crate) struct HookArgs {
    /// The hook: any client-side hook of githooks(5), or pre-release.
    #[arg(value_enum)]
    pub(crate) hook: crate::hooks::HookKind,
    /// git's arguments to the hook (pre-push: the remote's name and URL).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub(crate) args: Vec<String>,
    /// Write the run's metrics here, in Prometheus text format (before the hook's name;
    /// the shims pass nothing, so set `TIERGATE_PROMETHEUS` instead).
    #[arg(long, value_name = "FILE", env = crate::env::TIERGATE_PROMETHEUS)]
    pub(crate) prometheus: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    /// A hook (pre-commit, pre-push, commit-msg... then git's arguments to it, if you
    /// want to give them) or stages / groups.
    #[arg(value_name = "HOOK|STAGE[.GROUP]")]
    pub(crate) targets: Vec<String>,
    #[command(flatten)]
    pub(crate) selection: SelectionArgs,
    /// Show shard K of N: its files, their expected time, and every shard's total.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub(crate) shard: Option<crate::plan::Shard>,
}

#[derive(Debug, Args)]
pub(crate) struct AffectedArgs {
    #[command(flatten)]
    pub(crate) selection: SelectionArgs,
    /// End each name with a NUL byte instead of a newline (for `xargs -0`).
    #[arg(short = 'z')]
    pub(crate) nul: bool,
}

#[derive(Debug, Args)]
pub(crate) struct InstallArgs {
    /// The hooks to install, comma-separated (default: all three).
    #[arg(long, value_delimiter = ',', value_name = "HOOKS")]
    pub(crate) hooks: Option<Vec<String>>,
    /// Take the defaults without asking.
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
    /// Replace a foreign hook instead of chaining it (it is kept as a backup).
    #[arg(long)]
    pub(crate) force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ConfigArgs {
    /// Print the resolved configuration, every default filled in, as TOML that loads back the same.
    #[arg(long, conflicts_with = "schema")]
    pub(crate) show_effective: bool,
    /// Print the JSON Schema of .tiergate.toml.
    #[arg(long)]
    pub(crate) schema: bool,
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
    /// Select by one commit's own changes, its diff against its first parent
    /// (for `git rebase -x 'tiergate run smoke fast --commit HEAD'`).
    #[arg(long, value_name = "REF", group = "selection")]
    pub(crate) commit: Option<String>,
}

impl SelectionArgs {
    /// Whether any selection flag was given (else the command's default applies).
    pub(crate) fn any(&self) -> bool {
        self.all
            || self.changed
            || self.staged
            || self.from.is_some()
            || !self.files.is_empty()
            || self.changed_since.is_some()
            || self.commit.is_some()
    }
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
    /// Run shard K of N: the groups with `{tests}` or `{files}` get this shard's share of
    /// their files (split by duration in history); other groups run on shard 1 only.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub(crate) shard: Option<crate::plan::Shard>,
}

/// `--shard K/N`, checked by clap so a bad value is a usage error (exit 2).
fn parse_shard(text: &str) -> Result<crate::plan::Shard, String> {
    text.parse()
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
    /// Write the run's metrics here, in Prometheus text format.
    #[arg(long, value_name = "FILE", env = crate::env::TIERGATE_PROMETHEUS)]
    pub(crate) prometheus: Option<PathBuf>,
    /// Write the report as one HTML page here (stages, failures, the verdict).
    #[arg(long, value_name = "FILE")]
    pub(crate) html: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct HistoryArgs {
    /// Tests that both passed and failed in their last 10 non-cached runs.
    #[arg(long)]
    pub(crate) flaky: bool,
    /// Success rate and duration per stage over its recent runs.
    #[arg(long)]
    pub(crate) trends: bool,
    /// Write the history as one HTML page here: charts per stage, slowest groups,
    /// flaky tests, budget warnings.
    #[arg(long, value_name = "FILE")]
    pub(crate) html: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The tool whose config to translate.
    #[arg(value_enum)]
    pub(crate) tool: super::import::Tool,
    /// The config to read (default: .pre-commit-config.yaml, or lefthook.yml / .lefthook.yml);
    /// for husky, the project folder (default: the current one).
    #[arg(long, short = 'i', value_name = "FILE")]
    pub(crate) input: Option<PathBuf>,
    /// Where to write the new config; `-` prints it to stdout.
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        default_value = ".tiergate.toml"
    )]
    pub(crate) output: PathBuf,
    /// Overwrite the output file when it exists.
    #[arg(long)]
    pub(crate) force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}
