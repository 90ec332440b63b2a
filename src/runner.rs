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
use crate::policy::budget::BudgetStatus;
use crate::report;
use crate::select::Selection;
use crate::ui::{self, Verbosity};

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
    /// `--prometheus FILE`.
    pub(crate) prometheus: Option<PathBuf>,
    /// `--html FILE`: the report as one page.
    pub(crate) html: Option<PathBuf>,
    /// ci-full: end with the verdict; flaky tests are read from this
    /// `history.jsonl` when it exists. The exit status follows the verdict.
    pub(crate) verdict_history: Option<PathBuf>,
    /// `--no-cache`: run every group even when a cached pass exists.
    pub(crate) no_cache: bool,
}

impl RunRequest {
    /// What a hook runs: no report files, no flags but `TIERGATE_PROMETHEUS`.
    pub(crate) fn for_hook(
        hook: &str,
        targets: Vec<Target>,
        changes: Request,
        prometheus: Option<PathBuf>,
    ) -> RunRequest {
        RunRequest {
            label: format!("hook {hook}"),
            targets,
            changes,
            jobs: None,
            strict: false,
            save_report: None,
            junit: None,
            extra_env: Vec::new(),
            prometheus,
            html: None,
            verdict_history: None,
            no_cache: false,
        }
    }
}

thread_local! {
    /// The repository the crash-recovery check opened, when it changed nothing.
    static OPENED: std::cell::RefCell<Option<Repo>> = const { std::cell::RefCell::new(None) };
}

/// Keep a repository opened from the current directory for `open_repo`.
pub(crate) fn keep_opened(repo: Repo) {
    OPENED.with(|opened| *opened.borrow_mut() = Some(repo));
}

/// Open the repository the way git would from the current directory.
pub(crate) fn open_repo() -> Result<Repo, Error> {
    if let Some(repo) = OPENED.with(|opened| opened.borrow_mut().take()) {
        return Ok(repo);
    }
    let cwd = std::env::current_dir()
        .map_err(|e| Error::new(format!("cannot read the current directory: {e}")))?;
    Repo::discover(&cwd).map_err(|e| changes::git_error(&e))
}

/// Parse `stage` / `stage.group` names against the config. With
/// sub-projects, `backend:fast` names one project's stage, and an
/// unqualified `fast` means that stage in every project that has it.
pub(crate) fn targets(config: &Config, names: &[String]) -> Result<Vec<Target>, Error> {
    let mut found = Vec::new();
    for name in names {
        if !config.projects.is_empty() && !name.contains(':') {
            let (stage, group) = match name.split_once('.') {
                Some((stage, group)) => (stage, Some(group)),
                None => (name.as_str(), None),
            };
            let everywhere: Vec<Target> = config
                .stages
                .iter()
                .filter(|s| config::base_stage_name(&s.name) == stage)
                .filter(|s| group.is_none_or(|g| s.group(g).is_some()))
                .map(|s| Target {
                    stage: s.name.clone(),
                    group: group.map(str::to_owned),
                })
                .collect();
            if !everywhere.is_empty() {
                found.extend(everywhere);
                continue;
            }
        }
        found.push(config::target(name, &config.stages).map_err(|message| {
            let (headline, hint) = message.split_once('\n').unwrap_or((&message, ""));
            Error::new(headline.to_owned()).hint(hint.to_owned())
        })?);
    }
    Ok(found)
}

/// `TIERGATE_SKIP` for this run, read in one place. A name that matches
/// nothing is a warning (once per process: a push may run several times),
/// and the run goes on.
pub(crate) fn skip_list(config: &Config) -> SkipList {
    static WARNED: std::sync::Once = std::sync::Once::new();
    let skip = SkipList::parse(&std::env::var(crate::env::TIERGATE_SKIP).unwrap_or_default());
    WARNED.call_once(|| {
        for (name, close) in skip.unknown(config) {
            let mut message = format!(
                "TIERGATE_SKIP names `{name}`, which is no stage, group or formatter: it skips nothing"
            );
            if let Some(close) = close {
                message.push_str(&format!("; did you mean `{close}`?"));
            }
            ui::warn(&message);
        }
    });
    skip
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
    request: &RunRequest,
) -> Result<ExitStatus, Error> {
    execute_watched(repo, config, request, None)
}

/// `execute` with the commands run in `work_dir`, a snapshot checkout of
/// `source` (SPEC 8, `isolation = "snapshot"`, a pushed commit), whose
/// content keys the cache.
pub(crate) fn execute_in(
    repo: &Repo,
    config: &Config,
    request: &RunRequest,
    work_dir: &std::path::Path,
    source: &cache::Source,
) -> Result<ExitStatus, Error> {
    execute_full(repo, config, request, work_dir, None, source)
}

/// `execute`, with a watch on the tracked files: a group that modifies
/// one fails (pre-commit).
pub(crate) fn execute_watched(
    repo: &Repo,
    config: &Config,
    request: &RunRequest,
    watch: Option<pipeline::Watch>,
) -> Result<ExitStatus, Error> {
    execute_full(
        repo,
        config,
        request,
        repo.root(),
        watch,
        &cache::Source::WorkTree,
    )
}

fn execute_full(
    repo: &Repo,
    config: &Config,
    request: &RunRequest,
    work_dir: &std::path::Path,
    watch: Option<pipeline::Watch>,
    source: &cache::Source,
) -> Result<ExitStatus, Error> {
    let started_at = SystemTime::now();
    let selection = changes::selection(repo, config, request.changes.clone())?;
    repo.release_index();
    if selection.nothing_changed() {
        // SPEC 6.4: one line, also under -q (it is the summary line).
        ui::out(&format!(
            "tiergate: nothing changed, nothing to run ({})",
            request.label
        ));
        return Ok(ExitStatus::Passed);
    }
    let skip = skip_list(config);
    let plan = plan::build(config, &request.targets, &selection, &skip);
    let env = command_env(config, &request.extra_env);
    let resolved = pipeline::resolve_programs(config, &plan, &[], work_dir, &env)?;
    let options = Options {
        root: work_dir.to_path_buf(),
        jobs: request.jobs.unwrap_or(config.settings.jobs),
        env,
        strict: request.strict,
        cache: cache::open_for_run(repo, config, &plan, request.no_cache, source)
            .unwrap_or_else(|problem| {
                ui::warn(&format!("{problem}; every group runs"));
                None
            })
            .map(std::sync::Arc::new),
        watch,
        locks: std::sync::Arc::new(crate::exec::Locks::new()),
    };
    if !plan.runs_anything() && !skips_a_planned_group(&plan, &skip) {
        explain_nothing_selected(&selection);
    }
    let events = report::Terminal::new();
    let outcome = pipeline::run(config, &plan, &selection, &resolved, &options, &events);
    let (baselines, mut problems) = history::baselines(repo, config, &outcome);
    let budgets = crate::policy::budget::judge(outcome.stages.iter().zip(&baselines).map(
        |(stage, baseline)| {
            (
                stage.duration,
                config.stage(&stage.name).and_then(|s| s.budget.as_ref()),
                baseline.as_deref(),
            )
        },
    ));
    problems.extend(history::remember(
        repo,
        config,
        &request.label,
        started_at,
        &selection,
        &outcome,
        options.cache.as_deref(),
        &budgets,
    ));
    for problem in problems {
        ui::warn(&problem);
    }
    finish(request, config, started_at, &selection, &outcome, &budgets)
}

/// Whether `TIERGATE_SKIP` left out a group of the plan: then "no group
/// selected" would be false, and each skipped group already says why.
fn skips_a_planned_group(plan: &plan::Plan, skip: &SkipList) -> bool {
    plan.stages.iter().any(|stage| {
        let name = &stage.stage.name;
        skip.skips_stage(name)
            || stage
                .groups
                .iter()
                .any(|g| skip.skips_group(name, &g.group.name))
    })
}

fn explain_nothing_selected(selection: &Selection) {
    if ui::verbosity() == Verbosity::Quiet {
        return;
    }
    ui::out("tiergate: changes, but no group selected:");
    // Each group is listed with its reason as its stage is reported.
    for why in &selection.why {
        ui::out(&format!("  {why}"));
    }
}

/// The git command whose `--no-verify` skips the hook that started this run.
fn bypass_command(label: &str) -> Option<&'static str> {
    match label.strip_prefix("hook ")? {
        "pre-commit" => Some("git commit"),
        "pre-push" => Some("git push"),
        _ => None,
    }
}

fn finish(
    request: &RunRequest,
    config: &Config,
    started_at: SystemTime,
    selection: &Selection,
    outcome: &RunOutcome,
    budgets: &[Option<BudgetStatus>],
) -> Result<ExitStatus, Error> {
    if ui::verbosity() == Verbosity::Quiet {
        if let Some(details) = report::blocking_details(outcome) {
            ui::out(&details);
        }
        ui::out(&format!("tiergate: {}", report::one_line(outcome)));
    } else {
        ui::out(&report::summary(outcome));
        if let Some(lines) = report::budget_lines(outcome, budgets) {
            ui::out(&lines);
        }
    }
    if let Some(next) = report::next_steps(outcome, bypass_command(&request.label)) {
        ui::out(&next);
    }
    let mut json = report::json::build(&request.label, started_at, selection, outcome);
    // Budgets first: the verdict's performance bonus reads them.
    for (stage, budget) in json.stages.iter_mut().zip(budgets) {
        stage.budget_status = budget.as_ref().map(|b| b.level.as_str().to_owned());
    }
    let verdict = report::publish(
        &mut json,
        &report::Publish {
            config,
            verdict_history: request.verdict_history.as_deref(),
            prometheus: request.prometheus.as_deref(),
        },
    )?;
    if let Some(path) = &request.save_report {
        report::json::write(&json, path)
            .map_err(|e| Error::new(format!("cannot write the report {}: {e}", path.display())))?;
    }
    if let Some(path) = &request.html {
        report::html::run_page(std::slice::from_ref(&json))
            .map_err(std::io::Error::other)
            .and_then(|page| report::html::write(path, &page))
            .map_err(|e| {
                Error::new(format!(
                    "cannot write the HTML report {}: {e}",
                    path.display()
                ))
            })?;
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
    if let Some(verdict) = verdict {
        return Ok(if verdict.deployment_ready {
            ExitStatus::Passed
        } else {
            ExitStatus::Blocked
        });
    }
    Ok(if outcome.blocked() {
        ExitStatus::Blocked
    } else {
        ExitStatus::Passed
    })
}
