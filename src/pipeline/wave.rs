//! One tier of every project at once: with sub-projects, `fast` in `.`,
//! `api:fast` and `web:fast` run as one wave whose groups share one slot
//! budget, so a member's cheap stage never waits for another member's. Each
//! stage keeps its own gate, verdict and report entry; the tracked files are
//! checked for modifications once for the whole wave.

use std::path::Path;
use std::sync::Arc;

use super::stage::{self, Window};
use super::{modified, Options, Reporter, Resolved, StageRun};
use crate::config::{Config, Stage};
use crate::exec::{self, Slots};
use crate::plan::StagePlan;
use crate::results::GroupResult;
use crate::select::Selection;

/// The plan's stages cut into waves (index ranges): consecutive stages of
/// the same tier, a tier being a stage's rank within its own project. The
/// stages come ordered tier by tier, so without sub-projects every wave is
/// one stage.
pub(super) fn waves(stages: &[&Stage]) -> Vec<std::ops::Range<usize>> {
    let mut tiers = Vec::with_capacity(stages.len());
    for (index, stage) in stages.iter().enumerate() {
        let tier = stages[..index]
            .iter()
            .filter(|s| s.project == stage.project)
            .count();
        tiers.push(tier);
    }
    let mut waves = Vec::new();
    let mut start = 0;
    for index in 1..=stages.len() {
        if index == stages.len() || tiers[index] != tiers[start] {
            if start < index {
                waves.push(start..index);
            }
            start = index;
        }
    }
    waves
}

/// Run the stages of one wave side by side; their runs, in the plan's order.
pub(super) fn run(
    config: &Config,
    stages: &[&StagePlan<'_>],
    selection: &Selection,
    resolved: &Resolved,
    options: &Options,
    junit_dir: &Path,
    events: &Reporter,
) -> Vec<StageRun> {
    if stages.is_empty() {
        return Vec::new();
    }
    if let [only] = stages {
        let (run, _) = stage::run_stage(
            config, only, selection, resolved, options, junit_dir, events, None,
        );
        return vec![run];
    }
    let slots = Arc::new(Slots::new(options.jobs));
    {
        let slots = slots.clone();
        exec::on_interrupt(move || slots.close());
    }
    let mut ran: Vec<(StageRun, Vec<Window>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = stages
            .iter()
            .map(|stage_plan| {
                let slots = &slots;
                scope.spawn(move || {
                    stage::run_stage(
                        config,
                        stage_plan,
                        selection,
                        resolved,
                        options,
                        junit_dir,
                        events,
                        Some(slots),
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .zip(stages)
            .map(|(handle, stage_plan)| {
                handle.join().unwrap_or_else(|_| {
                    // A stage whose thread panicked did not run: say so
                    // rather than lose the whole run.
                    let mut run = super::skipped_stage(stage_plan, "its run failed");
                    run.skipped = None;
                    (run, Vec::new())
                })
            })
            .collect()
    });
    if let Some(watch) = &options.watch {
        watch_once(watch, options, &mut ran);
        for (run, windows) in &ran {
            stage::store_late(options, &run.name, &run.groups, windows, events);
        }
        for ((run, _), stage_plan) in ran.iter_mut().zip(stages) {
            run.verdict = stage::judge(stage_plan, &run.groups);
        }
    }
    ran.into_iter().map(|(run, _)| run).collect()
}

/// Ask the watch once for the whole wave, and lay each modified file at the
/// door of the groups (of any of the wave's stages) running when it was written.
fn watch_once(watch: &modified::Watch, options: &Options, ran: &mut [(StageRun, Vec<Window>)]) {
    let mut groups: Vec<GroupResult> = Vec::new();
    let mut times = Vec::new();
    let mut counts = Vec::new();
    for (run, windows) in ran.iter_mut() {
        counts.push(run.groups.len());
        times.extend((0..run.groups.len()).map(|i| {
            windows
                .get(i)
                .and_then(|w| w.as_ref().map(|(s, e, _)| (*s, *e)))
        }));
        groups.append(&mut run.groups);
    }
    if groups.iter().any(modified::ran) {
        let paths = modified::ask(watch, &mut groups);
        let names: Vec<&str> = ran.iter().map(|(run, _)| run.name.as_str()).collect();
        let beside = format!("stages {}", names.join(", "));
        modified::attribute(&options.root, &beside, &mut groups, &times, &paths);
    }
    let mut rest = groups.into_iter();
    for ((run, _), count) in ran.iter_mut().zip(counts) {
        run.groups = rest.by_ref().take(count).collect();
    }
}
