//! The run itself: stages in order, a stage's groups in parallel under the
//! slot budget, services before a stage, gates between stages.
//!
//! Ties `plan`, `exec`, `results` and `policy` together. Writes nothing to
//! the terminal and builds no report: it emits `Event`s to a `Reporter`, and
//! `report`'s subscribers show and record them.

pub(crate) mod cargo_subcommand;
mod events;
pub(crate) mod formatters;
pub(crate) mod modified;
mod preflight;
mod stage;
mod wave;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub(crate) use events::{Event, Reporter, Subscriber};
pub(crate) use modified::Watch;
pub(crate) use preflight::{find_program, resolve_programs, Resolved};
pub(crate) use stage::{key_argvs, GroupJob};

use crate::config::{Config, OnFail};
use crate::error::Error;
use crate::exec::{self, ServiceSpec, Started};
use crate::plan::{Plan, StagePlan};
use crate::policy::{GateOutcome, StageCounts, StageStatus, StageVerdict};
use crate::results::GroupResult;
use crate::select::Selection;

/// How to run a plan.
pub(crate) struct Options {
    pub(crate) root: PathBuf,
    pub(crate) jobs: usize,
    /// `[env]` plus what the command adds (`CI=true` for ci-full).
    pub(crate) env: Vec<(OsString, OsString)>,
    /// Treat every failed gate as blocking (`--exit-on-failure`).
    pub(crate) strict: bool,
    /// The result cache for this run; `None` when no group may use it.
    pub(crate) cache: Option<std::sync::Arc<crate::cache::Session>>,
    /// Pre-commit: which tracked files the groups modified (they fail).
    pub(crate) watch: Option<Watch>,
    /// The placeholders of the git hook that started the run.
    pub(crate) hook: Option<crate::hooks::HookValues>,
    /// The run's named locks, one table for every stage (and every project
    /// of the run), keyed by name.
    pub(crate) locks: std::sync::Arc<exec::Locks>,
}

#[derive(Debug, Clone)]
pub(crate) struct StageRun {
    pub(crate) name: String,
    pub(crate) verdict: StageVerdict,
    pub(crate) groups: Vec<GroupResult>,
    pub(crate) duration: f64,
    /// Why the whole stage did not run (blocked earlier, skipped, not selected).
    pub(crate) skipped: Option<String>,
}

#[derive(Debug)]
pub(crate) struct RunOutcome {
    pub(crate) stages: Vec<StageRun>,
    pub(crate) interrupted: Option<i32>,
    /// A required service never became ready: an environment error (exit 2).
    pub(crate) environment_error: Option<Error>,
    pub(crate) duration: f64,
}

impl RunOutcome {
    pub(crate) fn blocked(&self) -> bool {
        self.stages.iter().any(|s| s.verdict.should_block)
    }

    /// How the run ended, in one word: `passed`, `blocked`, `skipped`
    /// (every group was left out), `interrupted` or `error`. The history,
    /// the JSON report and what is built from it read it here.
    pub(crate) fn result_word(&self) -> &'static str {
        if let Some(word) = self.aborted() {
            word
        } else if self.blocked() {
            "blocked"
        } else if self
            .stages
            .iter()
            .flat_map(|s| &s.groups)
            .all(|g| g.status == crate::results::GroupStatus::Skipped)
        {
            // Nothing ran and nothing was replayed: calling it passed would
            // claim a check that never happened.
            "skipped"
        } else {
            "passed"
        }
    }

    /// `interrupted` or `error` (a required service was not ready): the
    /// run stopped before its gates could decide, whatever they say.
    pub(crate) fn aborted(&self) -> Option<&'static str> {
        if self.interrupted.is_some() {
            Some("interrupted")
        } else if self.environment_error.is_some() {
            Some("error")
        } else {
            None
        }
    }

    pub(crate) fn counts(&self) -> StageCounts {
        let mut total = StageCounts::default();
        for stage in &self.stages {
            total.add(stage.verdict.counts);
        }
        total
    }
}

fn skipped_stage(plan: &StagePlan<'_>, why: &str) -> StageRun {
    let groups: Vec<GroupResult> = plan
        .groups
        .iter()
        .map(|g| GroupResult::skipped(&plan.stage.name, &g.group.name, why))
        .collect();
    StageRun {
        name: plan.stage.name.clone(),
        verdict: StageVerdict {
            status: StageStatus::Skipped,
            gate: GateOutcome::Passed,
            should_block: false,
            counts: StageCounts::default(),
            reasons: vec![why.to_owned()],
            critical_failures: Vec::new(),
        },
        groups,
        duration: 0.0,
        skipped: Some(why.to_owned()),
    }
}

/// Why a stage does not run at all, before its wave starts: the run was
/// interrupted, an earlier tier blocked, a service was not ready, or none of
/// its groups is selected.
fn left_out(
    stage_plan: &StagePlan<'_>,
    blocked_by: Option<&str>,
    environment_error: Option<&Error>,
) -> Option<StageRun> {
    if let Some(signal) = exec::interrupted() {
        return Some(skipped_stage(
            stage_plan,
            &format!("interrupted by signal {signal}"),
        ));
    }
    if let Some(blocker) = blocked_by {
        return Some(skipped_stage(
            stage_plan,
            &format!("a stage before it blocked ({blocker})"),
        ));
    }
    if environment_error.is_some() {
        return Some(skipped_stage(
            stage_plan,
            "a required service was not ready",
        ));
    }
    if let Some(why) = &stage_plan.skipped {
        return Some(skipped_stage(stage_plan, why));
    }
    if !stage_plan.runs_anything() {
        let mut run = skipped_stage(stage_plan, "none of its groups runs");
        // Keep each group's own reason: "none of its markers is selected".
        for (slot, group_plan) in run.groups.iter_mut().zip(&stage_plan.groups) {
            if let crate::plan::Decision::Skip { why } = &group_plan.decision {
                slot.reason = Some(why.clone());
            }
        }
        return Some(run);
    }
    None
}

/// Run the plan. Programs must have been resolved (`resolve_programs`).
pub(crate) fn run(
    config: &Config,
    plan: &Plan<'_>,
    selection: &Selection,
    resolved: &Resolved,
    options: &Options,
    events: &Reporter,
) {
    let started = Instant::now();
    {
        // A group waiting for a lock gives up when the run is interrupted.
        let locks = options.locks.clone();
        exec::on_interrupt(move || locks.close());
    }
    let mut blocked_by: Option<String> = None;
    let mut environment_error = None;
    let mut started_services: Vec<ServiceSpec> = Vec::new();

    // A folder for `{junit}` files, only when some group asks for one: a
    // hook with nothing to count should not touch the disk.
    let wants_junit = plan
        .stages
        .iter()
        .flat_map(|s| &s.groups)
        .any(|g| g.group.run.uses("junit"));
    let junit_dir = wants_junit
        .then(|| {
            tempfile::Builder::new()
                .prefix("tiergate-run-")
                .tempdir()
                .ok()
        })
        .flatten();
    let junit_dir = junit_dir
        .as_ref()
        .map_or_else(std::env::temp_dir, |d| d.path().to_path_buf());

    let stage_configs: Vec<&crate::config::Stage> = plan.stages.iter().map(|s| s.stage).collect();
    for wave in wave::waves(&stage_configs) {
        // Each stage's run, in the plan's order: the ones left out now, the
        // others once the wave has run.
        let mut runs: Vec<Option<StageRun>> = vec![None; wave.len()];
        let mut runnable: Vec<(usize, &StagePlan<'_>)> = Vec::new();
        for (slot, stage_plan) in plan.stages[wave].iter().enumerate() {
            if let Some(run) = left_out(
                stage_plan,
                blocked_by.as_deref(),
                environment_error.as_ref(),
            ) {
                runs[slot] = Some(run);
                continue;
            }

            // Services this stage needs, in order, before any of its groups;
            // none when every group that would run replays a cached pass.
            let mut service_error = None;
            let needs = if stage_plan.stage.needs.is_empty()
                || stage::all_cached(stage_plan, selection, resolved, options)
            {
                Vec::new()
            } else {
                config.services_in_start_order(&stage_plan.stage.needs)
            };
            for need in &needs {
                if started_services.iter().any(|s| &s.name == need) {
                    continue;
                }
                let Some(spec) = resolved.services.iter().find(|s| &s.name == need) else {
                    continue;
                };
                events.emit(&Event::ServiceChecking(need));
                let env = crate::config::with_project_env(&options.env, &spec.env);
                match exec::ensure_ready(spec, &options.root, &env) {
                    Ok(Started::ByUs) => {
                        events.emit(&Event::ServiceStarted(need));
                        started_services.push(spec.clone());
                    }
                    Ok(Started::AlreadyRunning) => {}
                    Err(message) => {
                        service_error = Some(message);
                        break;
                    }
                }
            }
            if let Some(message) = service_error {
                let (headline, detail) = message.split_once('\n').unwrap_or((&message, ""));
                let mut error = Error::new(format!("{headline} (stage {})", stage_plan.stage.name))
                    .hint("start the service, or check its `check` command under [services]");
                if !detail.trim().is_empty() {
                    error = error.hint(format!("its last output: {}", detail.trim()));
                }
                environment_error = Some(error);
                runs[slot] = Some(skipped_stage(
                    stage_plan,
                    "a required service was not ready",
                ));
                continue;
            }
            runnable.push((slot, stage_plan));
        }

        let plans: Vec<&StagePlan<'_>> = runnable.iter().map(|(_, p)| *p).collect();
        let ran = wave::run(
            config, &plans, selection, resolved, options, &junit_dir, events,
        );
        // A stage that blocks skips the later tiers of every project: the
        // commit is blocked either way, and no one waits for a slow tier
        // whose result cannot change that.
        for ((slot, stage_plan), mut run) in runnable.into_iter().zip(ran) {
            let blocks = run.verdict.should_block
                || (options.strict
                    && matches!(
                        run.verdict.gate,
                        GateOutcome::Failed | GateOutcome::Warned | GateOutcome::Informed
                    ));
            if blocks && blocked_by.is_none() {
                blocked_by = Some(run.name.clone());
            }
            if options.strict
                && blocks
                && !run.verdict.should_block
                && stage_plan.stage.gate.on_fail != OnFail::Block
            {
                run.verdict.should_block = true;
                run.verdict.status = StageStatus::Failed;
                run.verdict.gate = GateOutcome::Failed;
                run.verdict
                    .reasons
                    .push("--exit-on-failure: every failed gate blocks".into());
            }
            runs[slot] = Some(run);
        }
        for run in runs.iter().flatten() {
            events.emit(&Event::StageFinished(run));
        }
    }

    for spec in started_services.iter().rev() {
        match exec::stop(
            spec,
            &options.root,
            &crate::config::with_project_env(&options.env, &spec.env),
        ) {
            Some(problem) => events.emit(&Event::Warning(&problem)),
            None => events.emit(&Event::ServiceStopped(&spec.name)),
        }
    }
    events.emit(&Event::RunFinished {
        duration: started.elapsed().as_secs_f64(),
        interrupted: exec::interrupted(),
        environment_error: environment_error.as_ref(),
    });
}

/// The `{junit}` path of one group's chunk, inside the run's temporary folder.
pub(crate) fn junit_path(
    dir: &Path,
    stage: &str,
    group: &str,
    attempt: u32,
    chunk: usize,
) -> PathBuf {
    dir.join(format!("{stage}.{group}.{attempt}.{chunk}.xml"))
}
