//! What `tiergate plan` shows: what would run and why, without running anything.

use std::ffi::OsString;

use super::request::Resolved;
use crate::cache;
use crate::changes;
use crate::config::{self, Config};
use crate::error::{Error, ExitStatus};
use crate::git::Repo;
use crate::hooks::HookKind as HookName;
use crate::plan::{self, Decision, Values};
use crate::runner;
use crate::ui;

/// Files shown in a command line before the rest is elided (all with -v).
const SHOWN_FILES: usize = 20;

/// Show what `resolved` would run and why.
pub(crate) fn render(
    repo: &Repo,
    config: &Config,
    resolved: Resolved,
) -> Result<ExitStatus, Error> {
    let Resolved {
        hook,
        targets,
        changes: request,
        hook_values,
        shard,
        label,
    } = resolved;
    let label = format!("plan {label}");
    let selection = changes::selection(repo, config, request)?;
    let verbose = ui::verbosity() == ui::Verbosity::Verbose;

    ui::out(&format!(
        "{} {}",
        console::style("tiergate").bold(),
        label.trim()
    ));
    if let Some(h) = hook.filter(|h| !h.spec().default) {
        let offered: Vec<String> = h.placeholders().map(|p| format!("{{{p}}}")).collect();
        ui::out(&format!(
            "  {}; placeholders: {}{}",
            h.spec().about,
            offered.join(", "),
            if h.blocks() {
                ""
            } else {
                "; git ignores its status: failures are reported, exit 0"
            }
        ));
    }
    if selection.nothing_changed() {
        ui::out("nothing changed: nothing would run");
        return Ok(ExitStatus::Passed);
    }
    ui::out(&format!("{}", console::style("selection").bold()));
    for why in &selection.why {
        ui::out(&format!("  {why}"));
    }
    if selection.all {
        ui::out("  => everything is selected");
    } else {
        let markers: Vec<&str> = selection.markers.iter().map(String::as_str).collect();
        ui::out(&format!(
            "  => markers: {}",
            if markers.is_empty() {
                "(none)".to_owned()
            } else {
                markers.join(", ")
            }
        ));
    }

    let skip = crate::runner::skip_list(config);
    if hook == Some(HookName::PreCommit) {
        show_formatters(config, repo.root(), &selection.files, &skip, verbose);
    }
    let mut built = plan::build(config, &targets, &selection, &skip);
    let shares = shard.map(|shard| {
        let durations = crate::history::file_durations(repo, config);
        let shares = plan::apply_shard(&mut built, shard, &|stage, group| {
            durations
                .get(&(stage.to_owned(), group.to_owned()))
                .cloned()
                .unwrap_or_default()
        });
        (shard, shares)
    });
    let cache = if verbose {
        plan_cache(repo, config)
    } else {
        None
    };
    let holders = lock_holders(&built);
    let mut shown_project: Option<&str> = None;
    for stage in grouped_by_project(&built.stages, config) {
        if !config.projects.is_empty() && shown_project != Some(stage.stage.project.as_str()) {
            shown_project = Some(&stage.stage.project);
            show_project(&stage.stage.project, &selection);
        }
        ui::out(&format!(
            "{} {}",
            console::style("stage").bold(),
            stage.stage.name
        ));
        if let Some(why) = &stage.skipped {
            ui::out(&format!("  skip (whole stage): {why}"));
        }
        for group in &stage.groups {
            match &group.decision {
                Decision::Skip { why } => ui::out(&format!(
                    "  {} {}: {why}",
                    console::style("skip").dim(),
                    group.group.name
                )),
                Decision::Run {
                    why,
                    files,
                    markers,
                    tests,
                    packages,
                } => {
                    ui::out(&format!(
                        "  {} {}: {why}",
                        console::style("run ").green(),
                        group.group.name
                    ));
                    let values = Values {
                        markers: plan::markers_expression(markers),
                        workers: group.group.workers_within(config.settings.jobs),
                        stage: &stage.stage.name,
                        group: &group.group.name,
                        base: selection.base.as_deref(),
                        head: selection.head.as_deref(),
                        coverage: group.group.coverage.as_deref(),
                        junit: None,
                        tests,
                        packages,
                        hook: hook_values.as_ref(),
                        cwd: group.group.cwd.as_ref(),
                    };
                    if let Some(cwd) = &group.group.cwd {
                        ui::out(&format!("      cwd: {}", cwd.as_str()));
                    }
                    let jobs = config.settings.jobs;
                    if group.group.workers > jobs {
                        ui::out(&format!(
                            "      workers: {} clamped to jobs = {jobs}",
                            group.group.workers
                        ));
                    }
                    let me = format!("{}.{}", stage.stage.name, group.group.name);
                    for lock in &group.group.locks {
                        let others: Vec<&str> = holders
                            .get(lock.as_str())
                            .into_iter()
                            .flatten()
                            .filter(|name| **name != me)
                            .map(String::as_str)
                            .collect();
                        ui::out(&format!(
                            "      lock {lock}: {}",
                            if others.is_empty() {
                                "no other planned group takes it".to_owned()
                            } else {
                                format!("waits while {} holds it", others.join(" or "))
                            }
                        ));
                    }
                    let junit = std::path::PathBuf::from("<junit.xml>");
                    let argvs = plan::invocations(
                        &group.group.run,
                        &values,
                        files,
                        &[],
                        plan::argv_budget(),
                        &|_| Some(junit.clone()),
                    );
                    for argv in &argvs {
                        ui::out(&format!("      $ {}", show(argv, verbose)));
                    }
                    show_affected(&selection, group.group, tests, packages, verbose);
                    if argvs.len() > 1 {
                        ui::out(&format!("      ({} invocations: the file list is split to fit the argument limit)", argvs.len()));
                    }
                    if let Some(cache) = &cache {
                        ui::out(&format!(
                            "      cache: {}",
                            cache_status(
                                cache,
                                config,
                                stage.stage,
                                group.group,
                                &crate::pipeline::GroupJob {
                                    index: 0,
                                    group: group.group,
                                    workers: group.group.workers_within(config.settings.jobs),
                                    files,
                                    markers,
                                    tests,
                                    packages,
                                },
                                &selection,
                                repo.root()
                            )
                        ));
                    }
                }
            }
        }
    }
    if let Some((shard, shares)) = &shares {
        show_shares(*shard, shares);
    }
    Ok(ExitStatus::Passed)
}

/// `plan --shard K/N`: each group's share on this shard, its files with
/// their expected seconds, and every shard's expected total.
fn show_shares(shard: plan::Shard, shares: &[plan::GroupShare]) {
    ui::out(&format!("{} {shard}", console::style("shard").bold()));
    if shares.is_empty() {
        ui::out("  no group runs: nothing to split");
    }
    for share in shares {
        let name = format!("{}.{}", share.stage, share.group);
        let Some(placeholder) = share.placeholder else {
            ui::out(&format!(
                "  {name}: not split (its command takes no {{tests}} or {{files}}): runs on shard 1 only"
            ));
            continue;
        };
        let count: usize = share.files.len();
        let mine: f64 = share.files.iter().fold(0.0, |a, (_, s)| a + s);
        let all: usize = share.per_shard.len();
        let known = match share.from_history {
            0 => "no times in history yet: split by file count".to_owned(),
            n => format!("times from history for {n} file(s), others count as their median"),
        };
        ui::out(&format!(
            "  {name} ({placeholder}): {count} file(s), expected {mine:.1}s; {known}"
        ));
        let totals: Vec<String> = share
            .per_shard
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}/{all}: {s:.1}s", i + 1))
            .collect();
        ui::out(&format!("      per shard: {}", totals.join(", ")));
        for (file, seconds) in &share.files {
            ui::out(&format!("      {seconds:>8.2}s  {file}"));
        }
    }
}

/// The stages of the root's config, then each member's, in the order they
/// run within a project.
fn grouped_by_project<'p, 'c>(
    stages: &'p [plan::StagePlan<'c>],
    config: &config::Config,
) -> Vec<&'p plan::StagePlan<'c>> {
    let rank = |project: &str| {
        config
            .projects
            .iter()
            .position(|p| p.name == project)
            .map_or(0, |i| i + 1)
    };
    let mut ordered: Vec<&plan::StagePlan<'c>> = stages.iter().collect();
    ordered.sort_by_key(|s| rank(&s.stage.project));
    ordered
}

/// A project's heading: what its own part of the change selects.
fn show_project(project: &str, selection: &crate::select::Selection) {
    let part = selection.for_project(project);
    let what = if part.nothing_changed() {
        "nothing of it changed".to_owned()
    } else if part.all {
        "everything is selected".to_owned()
    } else if part.markers.is_empty() {
        "markers: (none)".to_owned()
    } else {
        let markers: Vec<&str> = part.markers.iter().map(String::as_str).collect();
        format!("markers: {}", markers.join(", "))
    };
    ui::out(&format!(
        "{} {project}: {what}",
        console::style("project").bold()
    ));
}

/// For each lock, the planned groups that take it (`stage.group`), in plan order.
fn lock_holders<'p>(built: &'p plan::Plan<'_>) -> std::collections::BTreeMap<&'p str, Vec<String>> {
    let mut holders = std::collections::BTreeMap::<&str, Vec<String>>::new();
    for stage in built.stages.iter().filter(|s| s.skipped.is_none()) {
        for group in &stage.groups {
            if matches!(group.decision, Decision::Run { .. }) {
                for lock in &group.group.locks {
                    holders
                        .entry(lock.as_str())
                        .or_default()
                        .push(format!("{}.{}", stage.stage.name, group.group.name));
                }
            }
        }
    }
    holders
}

/// The pre-commit formatters, each with the staged files it would get or
/// why it would not run: they change files before any stage runs.
fn show_formatters(
    config: &config::Config,
    root: &std::path::Path,
    staged: &[Vec<u8>],
    skip: &plan::SkipList,
    verbose: bool,
) {
    let names = &config.hooks.pre_commit.formatters;
    if names.is_empty() {
        return;
    }
    let fix = match config.hooks.pre_commit.fix {
        config::Fix::Fail => "fail",
        config::Fix::Restage => "restage",
    };
    ui::out(&format!(
        "{} (fix = \"{fix}\")",
        console::style("formatters").bold()
    ));
    for formatter in names.iter().filter_map(|n| config.formatter(n)) {
        if skip.skips_formatter(&formatter.name) {
            ui::out(&format!(
                "  {} {}: skipped by TIERGATE_SKIP",
                console::style("skip").dim(),
                formatter.name
            ));
            continue;
        }
        let files = crate::pipeline::formatters::files_for(formatter, staged, root);
        if files.is_empty() {
            ui::out(&format!(
                "  {} {}: no staged file matches {}",
                console::style("skip").dim(),
                formatter.name,
                formatter.files.patterns.join(", ")
            ));
            continue;
        }
        let shown: Vec<String> = files
            .iter()
            .take(if verbose { usize::MAX } else { SHOWN_FILES })
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        let more = files.len() - shown.len();
        ui::out(&format!(
            "  {} {}: {}: {}{}",
            console::style("run ").green(),
            formatter.name,
            crate::policy::plural(files.len(), "staged file"),
            shown.join(", "),
            if more > 0 {
                format!(" … (+{more} more)")
            } else {
                String::new()
            }
        ));
    }
}

/// Under a group with `tests` or `{packages}`: each affected test file with the
/// import chain that made it affected, each affected member with why; with
/// `-v`, the imports the graph cannot see.
fn show_affected(
    selection: &crate::select::Selection,
    group: &config::Group,
    tests: &[Vec<u8>],
    packages: &[String],
    verbose: bool,
) {
    let Some(affected) = selection.affected.as_deref() else {
        return;
    };
    if group.tests.is_some() {
        for test in tests {
            match affected.chain(test) {
                Some(chain) => ui::out(&format!("      {chain}")),
                None if verbose => {
                    ui::out(&format!("      {}", String::from_utf8_lossy(test)));
                }
                None => {}
            }
        }
        if verbose && !affected.blind_spots.is_empty() {
            ui::out(&format!(
                "      imports the graph cannot see (a computed name): {}",
                affected.blind_spots.join(", ")
            ));
        }
    }
    if group.run.uses_packages() {
        for name in packages {
            if let Some(why) = affected.packages.get(name) {
                ui::out(&format!("      {name}: {why}"));
            }
        }
    }
}

fn show(argv: &[OsString], all: bool) -> String {
    let words: Vec<String> = argv
        .iter()
        .map(|a| shell_words::quote(&a.to_string_lossy()).into_owned())
        .collect();
    if all || words.len() <= SHOWN_FILES + 4 {
        words.join(" ")
    } else {
        format!(
            "{} … (+{} more arguments)",
            words[..SHOWN_FILES].join(" "),
            words.len() - SHOWN_FILES
        )
    }
}

/// The cache as `plan -v` sees it: the same key a run would compute.
fn plan_cache(repo: &crate::git::Repo, config: &config::Config) -> Option<cache::Session> {
    let untracked = config
        .stages
        .iter()
        .flat_map(|s| &s.groups)
        .any(|g| g.inputs.is_some());
    let store = cache::Store::new(crate::state::shared_dir(repo, config).join("cache"));
    match cache::Session::open(repo, store, true, untracked) {
        Ok(session) => Some(session),
        Err(problem) => {
            ui::warn(&problem);
            None
        }
    }
}

/// `hit (…)`, `miss (changed: inputs)`, or why the group is never cached.
fn cache_status(
    session: &cache::Session,
    config: &config::Config,
    stage: &config::Stage,
    group: &config::Group,
    lists: &crate::pipeline::GroupJob<'_>,
    selection: &crate::select::Selection,
    root: &std::path::Path,
) -> String {
    if !group.cache {
        return "never cached (cache = false)".to_owned();
    }
    if !cache::cacheable(stage, group) {
        return "never cached (a performance stage runs for its measurements)".to_owned();
    }
    let env = runner::command_env(config, &[]);
    let program = crate::pipeline::find_program(group.run.program(), root, &env)
        .unwrap_or_else(|| std::path::PathBuf::from(group.run.program()));
    let argvs = crate::pipeline::key_argvs(group, lists, selection, &stage.name);
    let key = session.key(
        &stage.name,
        group,
        &argvs,
        &env,
        &cache::ProgramStamp::of(program, root, &env),
    );
    match session.lookup(&key) {
        cache::Lookup::Hit(entry) => format!(
            "hit: replays the pass of {} ({})",
            entry.stored_at,
            crate::policy::plural(entry.tests.len(), "test")
        ),
        cache::Lookup::Miss => format!(
            "miss: {}",
            session.why_missed(&stage.name, &group.name, &key)
        ),
        cache::Lookup::Corrupt(problem) => format!("miss: {problem}"),
    }
}
