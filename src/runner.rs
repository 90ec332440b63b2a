//! One whole run, whatever started it (`run`, a hook, `ci-full`): load the
//! config, select, plan, check programs, execute, report, decide the exit.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::SystemTime;

use crate::cache;
use crate::changes::{self, Request};
use crate::config::{self, Config, Target};
use crate::error::{Error, ExitStatus};
use crate::git::Repo;
use crate::history;
use crate::pipeline::{self, Options, RunOutcome};
use crate::plan::{self, SkipList};
use crate::policy::{self, budget::BudgetStatus};
use crate::report;
use crate::select::Selection;
use crate::state;
use crate::ui::{self, Verbosity};

/// How many earlier runs of a stage make its duration baseline.
const BASELINE_RUNS: usize = 20;

/// What to run and where its reports go.
pub(crate) struct RunRequest {
    /// How the run is named in reports: "run fast", "hook pre-commit".
    pub(crate) label: String,
    pub(crate) targets: Vec<Target>,
    pub(crate) changes: Request,
    pub(crate) jobs: Option<usize>,
    pub(crate) strict: bool,
    pub(crate) save_report: Option<PathBuf>,
    pub(crate) junit: Option<PathBuf>,
    /// Added to `[env]` (ci-full's `CI=true`).
    pub(crate) extra_env: Vec<(String, String)>,
    /// `--no-cache`: run every group even when a cached pass exists.
    pub(crate) no_cache: bool,
}

/// Open the repository the way git would from the current directory.
pub(crate) fn open_repo() -> Result<Repo, Error> {
    let cwd = std::env::current_dir()
        .map_err(|e| Error::new(format!("cannot read the current directory: {e}")))?;
    Repo::discover(&cwd).map_err(|e| changes::git_error(&e))
}

/// Parse `stage` / `stage.group` names against the config.
pub(crate) fn targets(config: &Config, names: &[String]) -> Result<Vec<Target>, Error> {
    names
        .iter()
        .map(|name| {
            config::target(name, &config.stages).map_err(|message| {
                let (headline, hint) = message.split_once('\n').unwrap_or((&message, ""));
                Error::new(headline.to_owned()).hint(hint.to_owned())
            })
        })
        .collect()
}

pub(crate) fn command_env(
    config: &Config,
    extra: &[(String, String)],
) -> Vec<(OsString, OsString)> {
    config
        .env
        .iter()
        .chain(extra)
        .map(|(k, v)| (OsString::from(k), OsString::from(v)))
        .collect()
}

pub(crate) fn execute(
    repo: &Repo,
    config: &Config,
    request: RunRequest,
) -> Result<ExitStatus, Error> {
    let started_at = SystemTime::now();
    let selection = changes::selection(repo, config, request.changes.clone())?;
    if selection.nothing_changed() {
        if ui::verbosity() != Verbosity::Quiet || true {
            ui::out(&format!(
                "tiergate: nothing changed, nothing to run ({})",
                request.label
            ));
        }
        return Ok(ExitStatus::Passed);
    }
    let skip = SkipList::parse(&std::env::var(crate::env::TIERGATE_SKIP).unwrap_or_default());
    let plan = plan::build(config, &request.targets, &selection, &skip);
    let env = command_env(config, &request.extra_env);
    let resolved = pipeline::resolve_programs(config, &plan, &[], repo.root(), &env)?;
    let options = Options {
        root: repo.root().to_path_buf(),
        jobs: request.jobs.unwrap_or(config.settings.jobs),
        env,
        strict: request.strict,
        cache: open_cache(repo, config, &plan, request.no_cache),
    };
    if !plan.runs_anything() {
        explain_nothing_selected(&selection, &plan);
    }
    let events = report::Terminal::new();
    let outcome = pipeline::run(config, &plan, &selection, &resolved, &options, &events);
    let budgets = remember(
        repo,
        config,
        &request,
        started_at,
        &selection,
        &outcome,
        options.cache.as_deref(),
    );
    finish(&request, started_at, &selection, &outcome, &budgets)
}

/// The run's cache, when some group that runs may use it. A cache that cannot
/// be read is a warning: the groups run.
fn open_cache(
    repo: &Repo,
    config: &Config,
    plan: &plan::Plan<'_>,
    no_cache: bool,
) -> Option<std::sync::Arc<cache::Session>> {
    let cacheable: Vec<&config::Group> = plan
        .stages
        .iter()
        .filter(|s| s.skipped.is_none())
        .flat_map(|s| {
            s.groups
                .iter()
                .filter(|g| matches!(g.decision, plan::Decision::Run { .. }))
                .filter(|g| cache::cacheable(s.stage, g.group))
                .map(|g| g.group)
        })
        .collect();
    if cacheable.is_empty() {
        return None;
    }
    let untracked = cacheable.iter().any(|g| g.inputs.is_some());
    let store = cache::Store::new(state::shared_dir(repo, config).join("cache"));
    match cache::Session::open(repo, store, !no_cache, untracked) {
        Ok(session) => Some(std::sync::Arc::new(session)),
        Err(problem) => {
            ui::warn(&format!("{problem}; every group runs"));
            None
        }
    }
}

/// Judge each stage's duration against its budget and its own history, then
/// append the run to the history. Returns the budget status of each stage.
fn remember(
    repo: &Repo,
    config: &Config,
    request: &RunRequest,
    started_at: SystemTime,
    selection: &Selection,
    outcome: &RunOutcome,
    cache: Option<&cache::Session>,
) -> Vec<Option<BudgetStatus>> {
    let path = history::path(&state::shared_dir(repo, config));
    let records = history::read_recent(&path).unwrap_or_else(|e| {
        ui::warn(&format!("cannot read the history {}: {e}", path.display()));
        Vec::new()
    });
    let budgets: Vec<Option<BudgetStatus>> = outcome
        .stages
        .iter()
        .map(|stage| {
            if stage.skipped.is_some() || stage.verdict.status == policy::StageStatus::Skipped {
                return None;
            }
            let budget = config.stage(&stage.name).and_then(|s| s.budget.as_ref());
            let baseline = history::stage_baseline(&records, &stage.name, BASELINE_RUNS);
            policy::budget::evaluate(stage.duration, budget, &baseline)
        })
        .collect();
    let words: Vec<Option<&'static str>> = budgets
        .iter()
        .map(|b| b.as_ref().map(|b| b.level.as_str()))
        .collect();
    let keys = cache.map(cache::Session::keys).unwrap_or_default();
    let record = history::Record::of(
        &history::RunFacts {
            command: &request.label,
            started_at,
            commit: repo.head_commit().map(|c| c.to_string()),
            selection,
            keys: &keys,
            budgets: &words,
        },
        outcome,
    );
    if let Err(e) = history::append(&path, &record) {
        ui::warn(&format!(
            "cannot append to the history {}: {e}",
            path.display()
        ));
    }
    budgets
}

fn explain_nothing_selected(selection: &Selection, plan: &plan::Plan<'_>) {
    if ui::verbosity() == Verbosity::Quiet {
        return;
    }
    ui::out("tiergate: changes, but no group selected:");
    for why in &selection.why {
        ui::out(&format!("  {why}"));
    }
    for stage in &plan.stages {
        for group in &stage.groups {
            if let plan::Decision::Skip { why } = &group.decision {
                ui::out(&format!(
                    "  {}.{}: skipped, {why}",
                    stage.stage.name, group.group.name
                ));
            }
        }
    }
}

fn finish(
    request: &RunRequest,
    started_at: SystemTime,
    selection: &Selection,
    outcome: &RunOutcome,
    budgets: &[Option<BudgetStatus>],
) -> Result<ExitStatus, Error> {
    if ui::verbosity() == Verbosity::Quiet {
        ui::out(&format!("tiergate: {}", report::one_line(outcome)));
    } else {
        ui::out(&report::summary(outcome));
        if let Some(lines) = report::budget_lines(outcome, budgets) {
            ui::out(&lines);
        }
    }
    if let Some(path) = &request.save_report {
        let mut json = report::json::build(&request.label, started_at, selection, outcome);
        for (stage, budget) in json.stages.iter_mut().zip(budgets) {
            stage.budget_status = budget.as_ref().map(|b| b.level.as_str().to_owned());
        }
        report::json::write(&json, path)
            .map_err(|e| Error::new(format!("cannot write the report {}: {e}", path.display())))?;
    }
    if let Some(path) = &request.junit {
        report::write_junit(outcome, path).map_err(|e| {
            Error::new(format!(
                "cannot write the JUnit report {}: {e}",
                path.display()
            ))
        })?;
    }
    if let Some(signal) = outcome.interrupted {
        return Ok(ExitStatus::Interrupted(signal));
    }
    if let Some(error) = &outcome.environment_error {
        return Err(error.clone());
    }
    Ok(if outcome.blocked() {
        ExitStatus::Blocked
    } else {
        ExitStatus::Passed
    })
}
