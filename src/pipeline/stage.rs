//! One stage: its selected groups in parallel on a dedicated rayon pool, each
//! taking `workers` slots of the `jobs` budget before it spawns.

use std::path::Path;
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::time::{Instant, SystemTime};

use super::{junit_path, modified, Event, Options, Reporter, Resolved, StageRun};
use crate::cache::{self, Lookup, ProgramStamp};
use crate::config::{Config, Group};
use crate::exec::{self, Slots};
use crate::plan::{self, Decision, StagePlan, Values};
use crate::policy;
use crate::results::{self, Attempt, GroupResult, GroupStatus};
use crate::select::Selection;

/// One group that runs, with the lists its placeholders expand to.
pub(crate) struct GroupJob<'a> {
    pub(crate) index: usize,
    pub(crate) group: &'a Group,
    /// Its `workers`, clamped to `jobs`: the slots it takes and `{workers}`.
    pub(crate) workers: usize,
    pub(crate) files: &'a [Vec<u8>],
    pub(crate) markers: &'a [String],
    pub(crate) tests: &'a [Vec<u8>],
    pub(crate) packages: &'a [String],
}

/// When each group ran, and its cache key when its pass is stored late
/// (once the watch has had its say).
pub(super) type Window = Option<(SystemTime, SystemTime, Option<cache::Key>)>;

/// Run one stage. `wave`: the slots this stage shares with the other
/// projects' stages running beside it; then the caller asks the watch once
/// for all of them and stores the passes (the returned windows say when
/// each group ran and what to store), and judges the stage again after.
#[expect(
    clippy::too_many_arguments,
    reason = "the run's context, passed down once"
)]
pub(super) fn run_stage(
    config: &Config,
    stage_plan: &StagePlan<'_>,
    selection: &Selection,
    resolved: &Resolved,
    options: &Options,
    junit_dir: &Path,
    events: &Reporter,
    wave: Option<&Arc<Slots>>,
) -> (StageRun, Vec<Window>) {
    let stage = stage_plan.stage;
    let started = Instant::now();
    let deadline = stage.timeout.map(|t| started + t);

    let mut results: Vec<Option<GroupResult>> = vec![None; stage_plan.groups.len()];
    let mut jobs = Vec::new();
    for (index, group_plan) in stage_plan.groups.iter().enumerate() {
        match &group_plan.decision {
            Decision::Skip { why } => {
                results[index] = Some(GroupResult::skipped(
                    &stage.name,
                    &group_plan.group.name,
                    why,
                ));
            }
            Decision::Run {
                files,
                markers,
                tests,
                packages,
                ..
            } => jobs.push(GroupJob {
                index,
                group: group_plan.group,
                workers: group_plan.group.workers_within(options.jobs),
                files,
                markers,
                tests,
                packages,
            }),
        }
    }
    events.emit(&Event::StageStarted {
        stage: &stage.name,
        groups: jobs.len(),
    });
    // A group left out is listed with its reason, never silently dropped.
    for skipped in results.iter().flatten() {
        events.emit(&Event::GroupFinished(skipped));
    }

    let slots = match wave {
        Some(shared) => shared.clone(),
        None => {
            let slots = Arc::new(Slots::new(options.jobs));
            let on_signal = slots.clone();
            exec::on_interrupt(move || on_signal.close());
            slots
        }
    };
    // The stage timeout: when it expires, nothing new starts (running groups
    // are stopped by their own deadline, which never passes the stage's).
    // Slots shared with other stages are not closed: a group of this stage
    // that gets its slots past the deadline is skipped as it starts.
    // A stage of one group needs no such thread (issue 21, S1): its deadline never passes
    // the stage's, and nothing else would start.
    let (stage_done, stage_done_rx) = mpsc::channel::<()>();
    if let (Some(deadline), None, true) = (deadline, wave, jobs.len() > 1) {
        let slots = slots.clone();
        std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) =
                stage_done_rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                slots.close();
            }
        });
    }

    let shared: Mutex<Vec<Option<GroupResult>>> = Mutex::new(results);
    let windows: Mutex<Vec<Window>> = Mutex::new(vec![None; stage_plan.groups.len()]);
    // The only group running: what changed is its doing, told before its
    // result is shown.
    let alone = jobs.len() == 1 && wave.is_none();
    let run_one = |job: &GroupJob<'_>| {
        let started = SystemTime::now();
        let (mut result, key) = run_group(
            config,
            &stage.name,
            job,
            selection,
            resolved,
            options,
            junit_dir,
            &slots,
            deadline,
            events,
        );
        let finished = SystemTime::now();
        if let (Some(watch), true) = (&options.watch, alone && modified::ran(&result)) {
            let paths = modified::ask(watch, std::slice::from_mut(&mut result));
            if !paths.is_empty() {
                modified::fail(&mut result, &paths, None);
            }
        }
        if let (Some(key), true) = (&key, alone) {
            store(options, &stage.name, key, &result, events);
        }
        events.emit(&Event::GroupFinished(&result));
        shared.lock().unwrap_or_else(PoisonError::into_inner)[job.index] = Some(result);
        windows.lock().unwrap_or_else(PoisonError::into_inner)[job.index] =
            Some((started, finished, key));
    };
    if jobs.len() <= 1 {
        jobs.iter().for_each(run_one);
    } else {
        // A thread waiting for a lock runs nothing: one more thread per
        // locked group keeps `jobs` threads free for the groups that can run.
        let locked = jobs.iter().filter(|j| !j.group.locks.is_empty()).count();
        let threads = jobs.len().min(options.jobs.max(1) + locked);
        match rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("tiergate-group-{i}"))
            .build()
        {
            Ok(pool) => pool.scope_fifo(|scope| {
                for job in &jobs {
                    let run_one = &run_one;
                    scope.spawn_fifo(move |_| run_one(job));
                }
            }),
            // No threads to be had: run one after another rather than not at all.
            Err(_) => jobs.iter().for_each(run_one),
        }
    }
    // Wakes the stage-timeout thread: the stage is over.
    drop(stage_done);
    let results = shared.into_inner().unwrap_or_else(PoisonError::into_inner);

    let mut groups: Vec<GroupResult> = results
        .into_iter()
        .zip(&stage_plan.groups)
        .map(|(r, p)| {
            r.unwrap_or_else(|| GroupResult::skipped(&stage.name, &p.group.name, "not run"))
        })
        .collect();
    let windows = windows.into_inner().unwrap_or_else(PoisonError::into_inner);
    if let (Some(watch), false, None) = (&options.watch, alone, wave) {
        if groups.iter().any(modified::ran) {
            let times: Vec<_> = windows
                .iter()
                .map(|w| w.as_ref().map(|(s, e, _)| (*s, *e)))
                .collect();
            let paths = modified::ask(watch, &mut groups);
            let beside = format!("stage {}", stage.name);
            modified::attribute(&options.root, &beside, &mut groups, &times, &paths);
        }
        store_late(options, &stage.name, &groups, &windows, events);
    }
    let verdict = judge(stage_plan, &groups);
    let run = StageRun {
        name: stage.name.clone(),
        verdict,
        groups,
        duration: started.elapsed().as_secs_f64(),
        skipped: None,
    };
    (run, windows)
}

/// The stage's gate on its groups' results.
pub(super) fn judge(stage_plan: &StagePlan<'_>, groups: &[GroupResult]) -> policy::StageVerdict {
    let no_tests: Vec<_> = stage_plan.groups.iter().map(|g| g.group.no_tests).collect();
    policy::evaluate(&stage_plan.stage.gate, groups, &no_tests)
}

/// Store the passes held back until the watch was asked.
pub(super) fn store_late(
    options: &Options,
    stage: &str,
    groups: &[GroupResult],
    windows: &[Window],
    events: &Reporter,
) {
    for (group, window) in groups.iter().zip(windows) {
        if let Some((_, _, Some(key))) = window {
            store(options, stage, key, group, events);
        }
    }
}

/// Whether every group this stage would run has a stored pass: then none of
/// them runs, and the services the stage needs are neither checked nor
/// started (a check can take seconds).
pub(super) fn all_cached(
    stage_plan: &StagePlan<'_>,
    selection: &Selection,
    resolved: &Resolved,
    options: &Options,
) -> bool {
    let Some(cache) = options.cache.as_deref() else {
        return false;
    };
    let stage = stage_plan.stage;
    let mut any = false;
    for (index, group_plan) in stage_plan.groups.iter().enumerate() {
        let Decision::Run {
            files,
            markers,
            tests,
            packages,
            ..
        } = &group_plan.decision
        else {
            continue;
        };
        any = true;
        let group = group_plan.group;
        if !cache::cacheable(stage, group) {
            return false;
        }
        let job = GroupJob {
            index,
            group,
            workers: group.workers_within(options.jobs),
            files,
            markers,
            tests,
            packages,
        };
        let argvs = key_argvs(group, &job, selection, &stage.name);
        let env = crate::config::with_project_env(&options.env, &group.env);
        let program = ProgramStamp::of(
            resolved.program_in(&group.run, group.cwd.as_ref()),
            &crate::config::run_folder(&options.root, group.cwd.as_ref()),
            &env,
        );
        let key = cache.key(&stage.name, group, &argvs, &env, &program);
        if !matches!(cache.lookup(&key), Lookup::Hit(_)) {
            return false;
        }
    }
    any
}

#[expect(
    clippy::too_many_arguments,
    reason = "the run's context, passed down once"
)]
fn run_group(
    config: &Config,
    stage: &str,
    job: &GroupJob<'_>,
    selection: &Selection,
    resolved: &Resolved,
    options: &Options,
    junit_dir: &Path,
    slots: &Slots,
    stage_deadline: Option<Instant>,
    events: &Reporter,
) -> (GroupResult, Option<cache::Key>) {
    let group = job.group;
    let stage_config = config.stage(stage);
    // The cache is asked before taking slots: a hit needs none.
    let cache = options
        .cache
        .as_deref()
        .filter(|_| stage_config.is_some_and(|s| cache::cacheable(s, group)));
    let key = cache.map(|c| {
        let argvs = key_argvs(group, job, selection, stage);
        let env = crate::config::with_project_env(&options.env, &group.env);
        let program = ProgramStamp::of(
            resolved.program_in(&group.run, group.cwd.as_ref()),
            &crate::config::run_folder(&options.root, group.cwd.as_ref()),
            &env,
        );
        c.key(stage, group, &argvs, &env, &program)
    });
    if let (Some(cache), Some(key)) = (cache, &key) {
        let looked_up = Instant::now();
        match cache.lookup(key) {
            Lookup::Hit(entry) => {
                return (
                    cache::replay(&entry, looked_up.elapsed().as_secs_f64()),
                    None,
                );
            }
            Lookup::Corrupt(problem) => {
                events.emit(&Event::Warning(&format!(
                    "cache: {problem}; {stage}.{} runs",
                    group.name
                )));
            }
            Lookup::Miss => {}
        }
    }

    // Locks before slots: a group waiting for a lock holds no slot.
    let locked = if group.locks.is_empty() {
        None
    } else {
        match options.locks.acquire(&group.locks, stage_deadline) {
            Ok(held) => Some(held),
            Err(exec::NotAcquired::Closed) => {
                return (
                    with_locks(
                        GroupResult::skipped(stage, &group.name, "interrupted"),
                        group,
                        None,
                    ),
                    None,
                );
            }
            Err(exec::NotAcquired::TimedOut) => {
                let why = format!(
                    "timeout: the stage's time ran out while it waited for {}",
                    lock_names(&group.locks)
                );
                return (
                    with_locks(GroupResult::skipped(stage, &group.name, why), group, None),
                    None,
                );
            }
        }
    };
    let waited = locked
        .as_ref()
        .filter(|held| held.contended)
        .map(|held| u64::try_from(held.waited.as_millis()).unwrap_or(u64::MAX));
    let Some(_held) = slots.acquire(job.workers) else {
        let why = if exec::interrupted().is_some() {
            "interrupted"
        } else {
            "timeout: the stage's time ran out before it started"
        };
        return (GroupResult::skipped(stage, &group.name, why), None);
    };
    if stage_deadline.is_some_and(|d| Instant::now() >= d) {
        let why = "timeout: the stage's time ran out before it started";
        return (GroupResult::skipped(stage, &group.name, why), None);
    }
    let context = AttemptContext {
        stage,
        job,
        selection,
        resolved,
        options,
        junit_dir,
        stage_deadline,
        events,
    };
    let mut result = run_attempt(&context, 0, &[]);

    // Retries (SPEC 9): only test failures, within the 20 % guard; with
    // `{failed}` only the failed tests run again.
    let mut attempt = 0;
    while attempt < group.retries && exec::interrupted().is_none() {
        if let Err(why) = policy::retry::should_retry(&result) {
            if result.status == GroupStatus::Failed {
                add_reason(&mut result, &why);
            }
            break;
        }
        if stage_deadline.is_some_and(|d| Instant::now() >= d) {
            add_reason(&mut result, "not retried: the stage's time ran out");
            break;
        }
        attempt += 1;
        // Without JUnit there are no test names to pass: the whole group runs again.
        let only_failed = group.run.uses_failed() && group.run.uses("junit");
        let failed = if only_failed {
            policy::retry::failed_arguments(&result)
        } else {
            Vec::new()
        };
        let retry = run_attempt(&context, attempt, &failed);
        result = policy::retry::merge(result, retry, only_failed, attempt);
    }
    policy::retry::apply_flaky_result(&mut result, group.flaky_result);
    if let Some(stage_config) = stage_config {
        let quarantine: Vec<crate::config::Quarantine> = config
            .quarantine
            .iter()
            .filter(|q| crate::config::applies_to(q.project.as_deref(), stage))
            .cloned()
            .collect();
        let notes = policy::quarantine::apply(
            &mut result,
            &quarantine,
            &stage_config.gate.critical,
            &policy::quarantine::today_utc(),
        );
        for note in notes {
            add_reason(&mut result, &note);
        }
    }

    if !matches!(result.status, GroupStatus::Passed | GroupStatus::NoTests) {
        let mut text = result.output.clone();
        for test in result.tests.iter().filter(|t| t.status.counts_as_failed()) {
            if let Some(message) = &test.message {
                text.push('\n');
                text.push_str(message);
            }
        }
        if let Some(reason) = &result.reason {
            text.push('\n');
            text.push_str(reason);
        }
        result.hints = results::matching_hints(
            &text,
            config
                .hints
                .iter()
                .filter(|h| crate::config::applies_to(h.project.as_deref(), stage))
                .map(|h| (&h.pattern, h.hint.as_str())),
        );
    }
    let result = with_locks(result, group, waited);
    match key {
        // Watched (pre-commit): stored once the watch has had its say, so
        // a group that modified files is never replayed as a pass.
        Some(key) if options.watch.is_some() => (result, Some(key)),
        Some(key) => {
            store(options, stage, &key, &result, events);
            (result, None)
        }
        None => (result, None),
    }
}

/// Store a group's pass in the run's cache (other results are ignored).
fn store(
    options: &Options,
    stage: &str,
    key: &cache::Key,
    result: &GroupResult,
    events: &Reporter,
) {
    let Some(cache) = options.cache.as_deref() else {
        return;
    };
    if exec::interrupted().is_none() {
        if let Err(e) = cache.store(key, result) {
            events.emit(&Event::Warning(&format!(
                "cache: cannot store the pass of {stage}.{}: {e}",
                result.name
            )));
        }
    }
}

/// The group's locks, and how long it waited for them, on its result.
fn with_locks(mut result: GroupResult, group: &Group, waited: Option<u64>) -> GroupResult {
    result.locks.clone_from(&group.locks);
    result.lock_wait_ms = waited;
    result
}

/// `lock `db`` or `locks `cache`, `db``.
fn lock_names(locks: &[String]) -> String {
    let quoted: Vec<String> = locks.iter().map(|l| format!("`{l}`")).collect();
    let noun = if locks.len() == 1 { "lock" } else { "locks" };
    format!("{noun} {}", quoted.join(", "))
}

fn add_reason(result: &mut GroupResult, note: &str) {
    result.reason = Some(match result.reason.take() {
        Some(r) => format!("{r}; {note}"),
        None => note.to_owned(),
    });
}

/// The argvs a cache key covers: the command as it will run, with the `{junit}`
/// and `{coverage}` paths left as placeholders (they change every run, SPEC 13).
/// `plan -v` computes the same key.
pub(crate) fn key_argvs(
    group: &Group,
    lists: &GroupJob<'_>,
    selection: &Selection,
    stage: &str,
) -> Vec<Vec<std::ffi::OsString>> {
    let (files, markers) = (lists.files, lists.markers);
    let coverage = Path::new("{coverage}");
    let values = Values {
        markers: plan::markers_expression(markers),
        junit: None,
        coverage: group.coverage.as_ref().map(|_| coverage),
        workers: lists.workers,
        stage,
        group: &group.name,
        base: selection.base.as_deref(),
        head: selection.head.as_deref(),
        tests: lists.tests,
        packages: lists.packages,
        // Runs started by a hook with its own placeholders are never cached.
        hook: None,
        cwd: group.cwd.as_ref(),
    };
    let junit = Path::new("{junit}").to_path_buf();
    plan::invocations(
        &group.run,
        &values,
        files,
        &[],
        plan::argv_budget(),
        &|_| Some(junit.clone()),
    )
}

/// What every attempt of a group shares.
struct AttemptContext<'a> {
    stage: &'a str,
    job: &'a GroupJob<'a>,
    selection: &'a Selection,
    resolved: &'a Resolved,
    options: &'a Options,
    junit_dir: &'a Path,
    stage_deadline: Option<Instant>,
    events: &'a Reporter,
}

/// One run of a group's command (all its chunks). Each attempt gets its own
/// group timeout (SPEC 13), never past the stage's.
fn run_attempt(cx: &AttemptContext<'_>, attempt: u32, failed: &[String]) -> GroupResult {
    let (stage, job, events) = (cx.stage, cx.job, cx.events);
    let group = job.group;
    let started = Instant::now();
    let started_at = std::time::SystemTime::now();
    let deadline = match (group.timeout.map(|t| started + t), cx.stage_deadline) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let values = Values {
        markers: plan::markers_expression(job.markers),
        junit: None,
        coverage: group.coverage.as_deref(),
        workers: job.workers,
        stage,
        group: &group.name,
        base: cx.selection.base.as_deref(),
        head: cx.selection.head.as_deref(),
        tests: job.tests,
        packages: job.packages,
        hook: cx.options.hook.as_ref(),
        cwd: group.cwd.as_ref(),
    };
    let asked_junit = group.run.uses("junit");
    let junit_for = |chunk: usize| {
        asked_junit.then(|| junit_path(cx.junit_dir, stage, &group.name, attempt, chunk))
    };
    let argvs = plan::invocations(
        &group.run,
        &values,
        job.files,
        failed,
        plan::argv_budget(),
        &junit_for,
    );
    let file_count = if group.run.uses_files() {
        job.files.len()
    } else {
        0
    };
    let first_junit = junit_for(0);
    let shown = plan::display(
        &group.run,
        &Values {
            junit: first_junit.as_deref(),
            ..values.clone()
        },
        file_count,
        failed.len(),
    );
    if attempt == 0 {
        events.emit(&Event::GroupStarted {
            stage,
            group: &group.name,
            command: &shown,
        });
    }

    let program = cx.resolved.program_in(&group.run, group.cwd.as_ref());
    let cwd = crate::config::run_folder(&cx.options.root, group.cwd.as_ref());
    let env = crate::config::with_project_env(&cx.options.env, &group.env);
    let sink = events.output_sink(stage, &group.name);
    let mut finished = Vec::new();
    let mut junit = Vec::new();
    for (chunk, argv) in argvs.iter().enumerate() {
        if let Some(path) = junit_for(chunk) {
            junit.push(path);
        }
        let f = exec::run(&exec::Command {
            argv,
            program: &program,
            cwd: &cwd,
            env: &env,
            deadline,
            on_output: sink.clone(),
        });
        let stop = !matches!(f.exit, exec::Exit::Code(_));
        finished.push(f);
        if stop {
            break;
        }
    }
    let attempt = Attempt {
        finished,
        junit,
        asked_junit,
        timeout: group.timeout.or_else(|| {
            cx.stage_deadline
                .map(|d| d.saturating_duration_since(started))
        }),
    };
    let mut result = results::count(stage, &group.name, shown, &attempt, &group.ok_exit_codes);
    results::locate_files(&mut result, &cwd);
    if let Some(path) = &group.coverage {
        // A little slack for file systems whose timestamps lag the clock;
        // older files are an earlier run's and are not read.
        let not_before = started_at.checked_sub(std::time::Duration::from_secs(2));
        result.coverage = results::coverage::read_line_rate(&cwd.join(path), not_before);
    }
    result
}
