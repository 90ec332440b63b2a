//! The pre-commit hook around its tiers (SPEC 8): the stash of unstaged
//! work, the formatters and their fix mode, snapshot isolation, and the
//! restore, on every exit path (the `Stash` guard restores on drop).

use crate::changes::{self, Request};
use crate::config::{Config, Fix, Formatter, Isolation, Target};
use crate::error::{Error, ExitStatus};
use crate::exec;
use crate::git::{Repo, UnstagedScan};
use crate::pipeline::{self, formatters::FormatterStatus};
use crate::plan::Plan;
use crate::runner::{self, RunRequest};
use crate::ui::{self, Verbosity};
use crate::worktree::{
    self, IndexGuard, RestoreMode, Restored, Snapshot, Stash, TrackedWatch, WorktreeError,
};

use crate::pipeline::modified::{names, names_all};

pub(crate) fn run(
    repo: &Repo,
    config: &Config,
    targets: Vec<Target>,
    formatter_names: &[String],
    prometheus: Option<std::path::PathBuf>,
) -> Result<ExitStatus, Error> {
    let hook = &config.hooks.pre_commit;
    let state_dir = crate::state::state_dir(repo, config);
    let request = RunRequest::for_hook(
        crate::hooks::HookKind::PreCommit,
        &[],
        targets,
        Request::Staged,
        prometheus,
    );
    // Whether the work tree differs from the index is a file system question (an `lstat` per
    // tracked file); on a large index it is asked now, on other cores, while git's questions
    // and the plan are answered here. Dropped unanswered when nothing needs it.
    let scan = (hook.isolation == Isolation::Stash).then(|| repo.scan_unstaged());
    // What is staged, asked of git once: it decides whether anything needs
    // the stash at all. A commit with nothing to run must cost a few
    // milliseconds (issue 7): no stash, no git child process.
    let staged_changes = repo.staged_changes().map_err(|e| changes::git_error(&e))?;
    let mut staged: Vec<Vec<u8>> = staged_changes
        .paths
        .iter()
        .filter(|c| !c.is_deleted())
        .map(|c| c.path.clone())
        .collect();
    // Formatters get files, never a submodule's folder.
    changes::drop_submodules(repo, &mut staged);
    let skip = crate::runner::skip_list(config);
    let formatters: Vec<&Formatter> = formatter_names
        .iter()
        .filter_map(|n| config.formatter(n))
        .filter(|f| {
            skip.skips_formatter(&f.name)
                || !pipeline::formatters::files_for(f, &staged, repo.root()).is_empty()
        })
        .collect();
    let selection = changes::from_changes(repo, config, staged_changes)?;
    let plan = crate::plan::build(config, &request.targets, &selection, &skip);
    let runs_nothing = selection.nothing_changed() || !plan.runs_anything();
    // Missing programs, of formatters and of the groups that will run, are a
    // usage error before anything is touched: a group's missing program found
    // after the formatters rewrote files would leave those fixes for nothing.
    let env = runner::command_env(config, &[]);
    let resolved = if formatters.is_empty() {
        None
    } else {
        let names: Vec<&str> = formatters.iter().map(|f| f.name.as_str()).collect();
        let groups = if selection.nothing_changed() {
            Plan { stages: Vec::new() }
        } else {
            plan
        };
        Some(pipeline::resolve_programs(
            config,
            &groups,
            &names,
            repo.root(),
            &env,
        )?)
    };
    let request = RunRequest {
        changes: Request::Selected(Box::new(selection)),
        ..request
    };
    if formatters.is_empty() && runs_nothing {
        return runner::execute(repo, config, &request);
    }
    if formatters.is_empty() && hook.isolation == Isolation::Snapshot {
        return run_in_snapshot(repo, config, &request, &state_dir);
    }
    // What the tiers are checked against whatever the scan answers, made while it runs on
    // the other cores: the copy of the index and the directory watches (issue 21: on 50,000
    // files, a 4 MB copy and 4 ms of `inotify_add_watch` that need not wait for the scan).
    // With formatters they are made after them, which may change files and the index.
    let mut early = formatters
        .is_empty()
        .then(|| Guards::take(repo))
        .transpose()?;
    // Formatters always run on the stash (SPEC 8), which asks the same question.
    let unstaged = scan.map_or_else(|| repo.scan_unstaged().wait(), UnstagedScan::wait);
    if !unstaged {
        if let Some(guards) = early.take() {
            // The work tree already is what is being committed: nothing to set
            // aside, nothing to restore.
            return run_tiers(repo, config, &request, guards, true);
        }
    }

    // Nothing unstaged (the in-process `lstat` scan is sure): no git run
    // to list what to save (issue 7, S4).
    let stash = if unstaged {
        let head = repo.head_commit().map(|o| o.to_string());
        let index_tree = repo
            .with_index()
            .and_then(|r| Ok(r.index()?))
            .ok()
            .and_then(|mut i| i.write_tree().ok())
            .map(|o| o.to_string());
        worktree::stash(
            repo.root(),
            repo.git_dir(),
            &state_dir,
            head,
            index_tree,
            Some(repo.verbatim_checkout()),
        )
    } else {
        worktree::stash_clean(
            repo.root(),
            repo.git_dir(),
            &state_dir,
            Some(repo.verbatim_checkout()),
        )
    };
    let mut stash = stash.map_err(WorktreeError::into_error)?;

    if let Some(resolved) = &resolved {
        if let Some(status) = format(
            repo,
            config,
            &mut stash,
            &formatters,
            &staged,
            resolved,
            &env,
        )? {
            return Ok(status);
        }
    }
    if hook.isolation == Isolation::Snapshot {
        // The formatters are done: the user's work goes back before the
        // tiers, which run in a checkout of the index.
        restore(&mut stash, RestoreMode::Merge)?;
        return run_in_snapshot(repo, config, &request, &state_dir);
    }
    let guards = match early {
        Some(guards) => guards,
        None => Guards::take(repo)?,
    };
    let result = run_tiers(repo, config, &request, guards, false);
    worktree::failpoint("before-restore", &state_dir);
    let mode = if exec::interrupted().is_some() || result.is_err() {
        RestoreMode::RollBack
    } else {
        RestoreMode::Merge
    };
    restore(&mut stash, mode)?;
    result
}

/// The tiers on the work tree, which holds what is committed: a group that
/// modifies a tracked file fails, and one that changes the index blocks the
/// commit, the index put back to what the user staged. `clean`: the scan
/// found every tracked file matching the index (nothing to remember).
fn run_tiers(
    repo: &Repo,
    config: &Config,
    request: &RunRequest,
    guards: Guards,
    clean: bool,
) -> Result<ExitStatus, Error> {
    let Guards { index, watch } = guards;
    watch.settle(clean).map_err(WorktreeError::into_error)?;
    let watch: pipeline::Watch =
        std::sync::Arc::new(move || watch.modified().map_err(|e| e.to_string()));
    let result = runner::execute_watched(repo, config, request, Some(watch));
    let changed = index.changed().map_err(WorktreeError::into_error)?;
    if changed.is_empty() {
        return result;
    }
    index.put_back().map_err(WorktreeError::into_error)?;
    ui::err(&format!(
        "tiergate: blocked: a group changed the index (what is staged) for {}; it is put back to what you staged",
        names(&changed)
    ));
    ui::err(
        "hint: a group must not run `git add` or `git rm`; stage changes yourself and commit again",
    );
    match result {
        Ok(ExitStatus::Passed) => Ok(ExitStatus::Blocked),
        other => other,
    }
}

/// What is staged, kept to put back, and the watch on the tracked files: what the tiers
/// are checked against.
struct Guards {
    index: IndexGuard,
    watch: TrackedWatch,
}

impl Guards {
    fn take(repo: &Repo) -> Result<Guards, Error> {
        let index =
            IndexGuard::take(repo.root(), repo.git_dir()).map_err(WorktreeError::into_error)?;
        let watch = TrackedWatch::watching(repo.root(), repo.git_dir(), repo.tracked());
        Ok(Guards { index, watch })
    }
}

fn run_in_snapshot(
    repo: &Repo,
    config: &Config,
    request: &RunRequest,
    state_dir: &std::path::Path,
) -> Result<ExitStatus, Error> {
    let snapshot = Snapshot::of_index(
        repo.root(),
        repo.git_dir(),
        state_dir,
        &config.hooks.pre_commit.share,
    )
    .map_err(WorktreeError::into_error)?;
    let result = runner::execute_in(
        repo,
        config,
        request,
        snapshot.root(),
        &crate::cache::Source::Index,
    );
    drop(snapshot);
    result
}

/// Restore and say what happened; a failed restore keeps the entry for
/// `tiergate recover`.
fn restore(stash: &mut Stash, mode: RestoreMode) -> Result<Restored, Error> {
    match stash.restore(mode) {
        Ok(restored) => {
            tell_restored(&restored);
            Ok(restored)
        }
        Err(e) => {
            stash.keep_for_recovery();
            Err(e.into_error())
        }
    }
}

fn tell_restored(restored: &Restored) {
    if ui::verbosity() != Verbosity::Quiet && !restored.reapplied.is_empty() {
        ui::err(&format!(
            "tiergate: restored your unstaged changes to {}",
            crate::policy::plural(restored.reapplied.len(), "file")
        ));
    }
    if !restored.merged.is_empty() {
        ui::err(&format!(
            "tiergate: formatter fixes merged with your unstaged changes in {}",
            names(&restored.merged)
        ));
    }
    if !restored.concurrent.is_empty() {
        ui::err(&format!(
            "tiergate: {} changed during the run (by a group or another program): the changes are merged with your unstaged changes",
            names(&restored.concurrent)
        ));
    }
    if let Some(dir) = &restored.kept_dir {
        ui::warn(&format!(
            "{} changed during the run (by a group or another program), overlapping your unstaged changes: the file keeps those changes, and your unstaged version is saved in {} (`tiergate recover` lists it)",
            names(&restored.kept_both),
            dir.display()
        ));
    }
    if let Some(dir) = &restored.fixes_dir {
        ui::warn(&format!(
            "formatter fixes to {} conflict with your unstaged changes: they were rolled back (your work is kept) and saved in {}",
            names(&restored.rolled_back),
            dir.display()
        ));
    }
}

/// Run the formatters; `Some(status)` ends the hook (blocked, interrupted),
/// with the user's work already restored.
fn format(
    repo: &Repo,
    config: &Config,
    stash: &mut Stash,
    formatters: &[&Formatter],
    staged: &[Vec<u8>],
    resolved: &pipeline::Resolved,
    env: &[(std::ffi::OsString, std::ffi::OsString)],
) -> Result<Option<ExitStatus>, Error> {
    // Under `fix = "fail"` a formatter may change files, never what is
    // staged; under "restage" staging its own fixes is what tiergate does
    // anyway.
    let index = (config.hooks.pre_commit.fix == Fix::Fail)
        .then(|| IndexGuard::take(repo.root(), repo.git_dir()))
        .transpose()
        .map_err(WorktreeError::into_error)?;
    let skip = crate::runner::skip_list(config);
    let inputs: Vec<Vec<u8>> = formatters
        .iter()
        .filter(|f| !skip.skips_formatter(&f.name))
        .flat_map(|f| pipeline::formatters::files_for(f, staged, repo.root()))
        .collect();
    stash
        .begin_formatting(&inputs)
        .map_err(WorktreeError::into_error)?;
    let results = pipeline::formatters::run(
        formatters,
        staged,
        &|name| skip.skips_formatter(name),
        resolved,
        repo.root(),
        env,
        &crate::report::reporter(None),
    );
    // The terminal has shown each result as it was emitted.
    let failed = results
        .iter()
        .any(|r| matches!(r.status, FormatterStatus::Failed { .. }));
    stash.end_formatting().map_err(WorktreeError::into_error)?;
    worktree::failpoint("after-formatters", &stash_state_dir(config, repo));
    let staged_by_formatters = match &index {
        Some(index) => index.changed().map_err(WorktreeError::into_error)?,
        None => Vec::new(),
    };
    if !staged_by_formatters.is_empty() {
        if let Some(index) = &index {
            index.put_back().map_err(WorktreeError::into_error)?;
        }
    }
    if let Some(signal) = exec::interrupted() {
        restore(stash, RestoreMode::RollBack)?;
        return Ok(Some(ExitStatus::Interrupted(signal)));
    }
    if !staged_by_formatters.is_empty() {
        restore(stash, RestoreMode::Merge)?;
        ui::err(&format!(
            "tiergate: blocked: a formatter changed the index (what is staged) for {}; with fix = \"fail\" it may change files, never what is staged: the index is put back to what you staged",
            names(&staged_by_formatters)
        ));
        ui::err("hint: the formatter's fixes are in your work tree: review them with `git diff`, `git add -p` what belongs in the commit, and commit again");
        return Ok(Some(ExitStatus::Blocked));
    }
    let changed = worktree::changed_since_stash(stash).map_err(WorktreeError::into_error)?;
    if changed.is_empty() && !failed {
        return Ok(None);
    }
    let fix = config.hooks.pre_commit.fix;
    if fix == Fix::Restage && !failed {
        let conflicts = stash
            .conflicts(&changed)
            .map_err(WorktreeError::into_error)?;
        if conflicts.is_empty() {
            worktree::restage(stash, repo.git_dir(), &changed)
                .map_err(WorktreeError::into_error)?;
            if ui::verbosity() != Verbosity::Quiet {
                ui::out(&format!(
                    "tiergate: formatters changed and restaged {}: {}",
                    crate::policy::plural(changed.len(), "file"),
                    names(&changed)
                ));
            }
            return Ok(None);
        }
    }
    let restored = restore(stash, RestoreMode::Merge)?;
    if changed.is_empty() {
        ui::err("tiergate: blocked: a formatter failed");
    } else {
        let kept: Vec<Vec<u8>> = changed
            .iter()
            .filter(|p| !restored.rolled_back.contains(p))
            .cloned()
            .collect();
        ui::err(&format!(
            "tiergate: blocked: formatters changed {}: {}",
            crate::policy::plural(changed.len(), "staged file"),
            names(&changed)
        ));
        // A fixed file that also holds unstaged work must be staged hunk by
        // hunk: a plain `git add` would commit the work the hook set aside.
        let (partial, whole): (Vec<Vec<u8>>, Vec<Vec<u8>>) =
            kept.into_iter().partition(|p| restored.merged.contains(p));
        if !whole.is_empty() {
            ui::err(&format!(
                "hint: the fixes to {} are in your work tree: review them, `git add` them and commit again",
                names(&whole)
            ));
        }
        if !partial.is_empty() {
            // The command names the files while the list is short enough to copy; past that,
            // `git add -p` alone walks every changed file.
            let command = if names_all(&partial) {
                format!(
                    "git add -p {}",
                    shell_words::join(
                        partial
                            .iter()
                            .map(|p| String::from_utf8_lossy(p).into_owned())
                    )
                )
            } else {
                "git add -p".to_owned()
            };
            ui::err(&format!(
                "hint: the fixes to {} are in your work tree with your unstaged changes: stage only the fixes with `{command}` and commit again",
                names(&partial),
            ));
        }
        if fix == Fix::Restage && !restored.rolled_back.is_empty() {
            ui::err("hint: nothing was restaged, because some fixes conflict with your unstaged changes");
        }
        if !restored.rolled_back.is_empty() {
            ui::err(&format!(
                "hint: to get the fixes, stash or commit your unstaged changes to {} (`git stash --keep-index`), then commit again: the formatters run on a clean file",
                names(&restored.rolled_back)
            ));
        }
    }
    Ok(Some(ExitStatus::Blocked))
}

fn stash_state_dir(config: &Config, repo: &Repo) -> std::path::PathBuf {
    crate::state::state_dir(repo, config)
}
