//! The run itself: stages in order, a stage's groups in parallel under the
//! slot budget, services before a stage, gates between stages.
//!
//! Ties `plan`, `exec`, `results` and `policy` together. Writes nothing to
//! the terminal: it tells an `Events` sink what happens, and `report` shows it.

pub(crate) mod cargo_subcommand;
mod events;
pub(crate) mod formatters;
pub(crate) mod modified;
mod preflight;
mod stage;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub(crate) use events::Events;
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

/// Run the plan. Programs must have been resolved (`resolve_programs`).
pub(crate) fn run(
    config: &Config,
    plan: &Plan<'_>,
    selection: &Selection,
    resolved: &Resolved,
    options: &Options,
    events: &dyn Events,
) -> RunOutcome {
    let started = Instant::now();
    {
        // A group waiting for a lock gives up when the run is interrupted.
        let locks = options.locks.clone();
        exec::on_interrupt(move || locks.close());
    }
    let mut stages = Vec::new();
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

    for stage_plan in &plan.stages {
        if let Some(signal) = exec::interrupted() {
            let run = skipped_stage(stage_plan, &format!("interrupted by signal {signal}"));
            events.stage_finished(&run);
            stages.push(run);
            continue;
        }
        if let Some(blocker) = &blocked_by {
            let run = skipped_stage(
                stage_plan,
                &format!("a stage before it blocked ({blocker})"),
            );
            events.stage_finished(&run);
            stages.push(run);
            continue;
        }
        if environment_error.is_some() {
            let run = skipped_stage(stage_plan, "a required service was not ready");
            events.stage_finished(&run);
            stages.push(run);
            continue;
        }
        if let Some(why) = &stage_plan.skipped {
            let run = skipped_stage(stage_plan, why);
            events.stage_finished(&run);
            stages.push(run);
            continue;
        }
        if !stage_plan.runs_anything() {
            let mut run = skipped_stage(stage_plan, "none of its groups runs");
            // Keep each group's own reason: "none of its markers is selected".
            for (slot, group_plan) in run.groups.iter_mut().zip(&stage_plan.groups) {
                if let crate::plan::Decision::Skip { why } = &group_plan.decision {
                    slot.reason = Some(why.clone());
                }
            }
            events.stage_finished(&run);
            stages.push(run);
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
            events.service_checking(need);
            match exec::ensure_ready(spec, &options.root, &options.env) {
                Ok(Started::ByUs) => {
                    events.service_started(need);
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
            let run = skipped_stage(stage_plan, "a required service was not ready");
            events.stage_finished(&run);
            stages.push(run);
            continue;
        }

        let run = stage::run_stage(
            config, stage_plan, selection, resolved, options, &junit_dir, events,
        );
        let blocks = run.verdict.should_block
            || (options.strict
                && matches!(
                    run.verdict.gate,
                    GateOutcome::Failed | GateOutcome::Warned | GateOutcome::Informed
                ));
        if blocks {
            blocked_by = Some(run.name.clone());
        }
        let mut run = run;
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
        events.stage_finished(&run);
        stages.push(run);
    }

    for spec in started_services.iter().rev() {
        match exec::stop(spec, &options.root, &options.env) {
            Some(problem) => events.warning(&problem),
            None => events.service_stopped(&spec.name),
        }
    }
    RunOutcome {
        stages,
        interrupted: exec::interrupted(),
        environment_error,
        duration: started.elapsed().as_secs_f64(),
    }
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
