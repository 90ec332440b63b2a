//! `tiergate hook NAME`: the session a shim starts. What the hook runs and on
//! which changes, pre-push's refusal of dirty or elsewhere-pushed work, and
//! for hooks git cannot be stopped by, failures reported with exit 0.

use std::io::{IsTerminal, Read};

use crate::changes::{self, Request};
use crate::config::{self, Config, PushDirty, ReleaseSelection, Target};
use crate::error::{Error, ExitStatus};
use crate::git::{self, Changes, Repo};
use crate::runner::{self, RunRequest};
use crate::ui;

use crate::hooks::HookKind as HookName;

/// Add `extra` targets not already covered by `targets`.
fn union(mut targets: Vec<Target>, extra: &[Target]) -> Vec<Target> {
    for t in extra {
        let covered = targets
            .iter()
            .any(|have| have.stage == t.stage && (have.group.is_none() || have.group == t.group));
        if !covered {
            targets.push(t.clone());
        }
    }
    targets
}

/// What a hook runs and on which changes; shared with `plan`.
pub(crate) struct HookWork {
    pub(crate) targets: Vec<Target>,
    pub(crate) changes: Request,
    pub(crate) formatters: Vec<String>,
    pub(crate) notes: Vec<String>,
}

/// Resolve a hook's targets and changes. `stdin` is git's pre-push input.
pub(crate) fn hook_work(
    repo: &Repo,
    config: &Config,
    hook: HookName,
    args: &[String],
    stdin: &[u8],
) -> Result<HookWork, Error> {
    let mut work = match hook {
        // The hooks beyond the first three: their stages, on their changes.
        _ if !hook.spec().default => Ok(HookWork {
            targets: config.hooks.stages(hook),
            changes: super::hook_changes::hook_changes(repo, hook, args, stdin)?,
            formatters: Vec::new(),
            notes: Vec::new(),
        }),
        HookName::PreCommit => Ok(HookWork {
            targets: config.hooks.pre_commit.stages.clone(),
            changes: Request::Staged,
            formatters: config.hooks.pre_commit.formatters.clone(),
            notes: Vec::new(),
        }),
        HookName::PreRelease => {
            let (changes, notes) = release_changes(repo, config, &[])?;
            Ok(HookWork {
                targets: config.hooks.pre_release.stages.clone(),
                changes,
                formatters: Vec::new(),
                notes,
            })
        }
        _ => {
            // pre-push. The error's own hint says what git sends: once is enough.
            let updates = git::parse_push_lines(stdin).map_err(|e| changes::git_error(&e))?;
            let remote = args.first().map_or("origin", String::as_str);
            let changes = repo
                .push_changes(remote, &updates)
                .map_err(|e| changes::git_error(&e))?;
            let mut notes = Vec::new();
            let mut targets = config.hooks.pre_push.stages.clone();
            let releases: Vec<&git::PushUpdate> = updates
                .iter()
                .filter(|u| !u.is_delete())
                .filter(|u| {
                    u.tag_name().is_some_and(|t| {
                        config.hooks.pre_release.tag_pattern.is_match(t.as_bytes())
                    })
                })
                .collect();
            let release_tags: Vec<&str> = releases.iter().filter_map(|u| u.tag_name()).collect();
            let mut request = Request::Resolved(changes);
            if !release_tags.is_empty() {
                notes.push(format!(
                    "release tag {} pushed: the pre-release tiers run too",
                    release_tags.join(", ")
                ));
                targets = union(targets, &config.hooks.pre_release.stages);
                // A release is judged on its own selection, not on what this
                // push happens to carry (a tag of an already-pushed commit
                // carries nothing new).
                // Each tag is compared with the release before the commit it tags,
                // which need not be the checked-out one.
                let released: Vec<git2::Oid> = releases.iter().map(|u| u.local_sha).collect();
                let (release, release_notes) = release_changes(repo, config, &released)?;
                notes.extend(release_notes);
                request = match (release, request) {
                    (Request::Resolved(mut since), Request::Resolved(pushed)) => {
                        since.absorb(pushed);
                        Request::Resolved(since)
                    }
                    (release, _) => release,
                };
            }
            Ok(HookWork {
                targets,
                changes: request,
                formatters: Vec::new(),
                notes,
            })
        }
    }?;
    // `stages = []` runs no stage (an imported pre-commit config with only
    // formatters, a husky setup with no pre-push): to the plan an empty list
    // means every stage, as `tiergate run` wants, so the hook gets a target
    // no stage answers to.
    if work.targets.is_empty() {
        work.targets.push(Target {
            stage: String::new(),
            group: None,
        });
    }
    Ok(work)
}

/// What a release selects: everything, or with `selection = "since-last-release"` the
/// changes of each released commit (`released`; the checked-out commit when empty) since
/// the release before it.
fn release_changes(
    repo: &Repo,
    config: &Config,
    released: &[git2::Oid],
) -> Result<(Request, Vec<String>), Error> {
    if config.hooks.pre_release.selection == ReleaseSelection::All {
        return Ok((
            Request::All("pre-release: a release runs everything".into()),
            Vec::new(),
        ));
    }
    let released = if released.is_empty() {
        let Some(head) = repo.head_commit() else {
            return Ok((
                Request::All("pre-release: no commit yet, everything runs".into()),
                Vec::new(),
            ));
        };
        vec![head]
    } else {
        released.to_vec()
    };
    let pattern = config
        .hooks
        .pre_release
        .tag_pattern
        .patterns
        .first()
        .cloned()
        .unwrap_or_else(|| "v*".into());
    let mut union: Option<Changes> = None;
    let mut notes = Vec::new();
    for commit in released {
        let (changes, tag) = repo
            .changes_since_last_release(commit, &pattern)
            .map_err(|e| changes::git_error(&e))?;
        notes.push(match tag {
            Some(tag) => format!("pre-release: changes since the previous release {tag}"),
            None => {
                format!("pre-release: no earlier release tag matching `{pattern}`, everything runs")
            }
        });
        match &mut union {
            Some(all) => all.absorb(changes),
            None => union = Some(changes),
        }
    }
    notes.dedup();
    let changes = union.unwrap_or_else(|| Changes::everything("pre-release", None, None));
    Ok((Request::Resolved(changes), notes))
}

/// What `push_dirty` decided about uncommitted changes to pushed paths.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DirtyPush {
    /// The tiers run in the work tree.
    InWorkTree,
    /// The tiers run in a snapshot of the pushed commit.
    InSnapshot,
    /// `push_dirty = "block"` refused the push: a policy outcome, not an error.
    Refused,
}

/// pre-push tests the work tree: name uncommitted changes to pushed paths.
fn check_push_dirty(repo: &Repo, config: &Config, changes: &Changes) -> Result<DirtyPush, Error> {
    let pushed: Vec<Vec<u8>> = changes.paths.iter().map(|c| c.path.clone()).collect();
    let dirty = repo
        .dirty_among(&pushed)
        .map_err(|e| changes::git_error(&e))?;
    if dirty.is_empty() {
        return Ok(DirtyPush::InWorkTree);
    }
    let names: Vec<String> = dirty
        .iter()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    let message = format!("uncommitted changes to pushed paths: {}", names.join(", "));
    match config.hooks.pre_push.push_dirty {
        PushDirty::Block => {
            ui::err(&format!(
                "{} {message}",
                console::style("blocked:").red().bold()
            ));
            ui::err(&format!(
                "{} the tiers test the work tree, which is not what you push: commit or stash these changes, or set push_dirty = \"warn\" or \"snapshot\"",
                console::style("hint:").cyan().bold()
            ));
            Ok(DirtyPush::Refused)
        }
        PushDirty::Warn => {
            ui::warn(&format!(
                "{message}; the tiers test the work tree, not exactly what is pushed"
            ));
            Ok(DirtyPush::InWorkTree)
        }
        PushDirty::Snapshot => {
            ui::out(&format!(
                "tiergate: {message}; the tiers run in a snapshot of the pushed commit"
            ));
            Ok(DirtyPush::InSnapshot)
        }
    }
}

pub(crate) fn run(
    hook: HookName,
    args: &[String],
    prometheus: Option<std::path::PathBuf>,
) -> Result<ExitStatus, Error> {
    let status = run_hook(hook, args, prometheus);
    if hook.blocks() {
        status
    } else {
        Ok(unblockable(hook, status))
    }
}

fn run_hook(
    hook: HookName,
    args: &[String],
    prometheus: Option<std::path::PathBuf>,
) -> Result<ExitStatus, Error> {
    if std::env::var(crate::env::TIERGATE).is_ok_and(|v| v == "0") {
        ui::err(&format!(
            "tiergate: hooks disabled by TIERGATE=0, skipping {}",
            hook.as_str()
        ));
        return Ok(ExitStatus::Passed);
    }
    let mut stdin = Vec::new();
    if hook != HookName::PrePush && hook.spec().reads_stdin && !std::io::stdin().is_terminal() {
        std::io::stdin()
            .read_to_end(&mut stdin)
            .map_err(|e| Error::new(format!("cannot read the {} input: {e}", hook.as_str())))?;
    }
    if hook == HookName::PrePush {
        // Typed by hand, the hook would wait for lines nobody sends.
        if std::io::stdin().is_terminal() {
            return Err(Error::new(
                "tiergate hook pre-push reads git's ref lines on stdin, and stdin is a terminal",
            )
            .hint("let `git push` run it; to try it by hand, pipe the lines in: `echo 'refs/heads/main <sha> refs/heads/main <sha>' | tiergate hook pre-push origin <url>`; to see what a push would run: `tiergate plan pre-push`"));
        }
        std::io::stdin()
            .read_to_end(&mut stdin)
            .map_err(|e| Error::new(format!("cannot read the pre-push input: {e}")))?;
    }
    // Before anything is stashed: from here on SIGINT, SIGTERM and SIGHUP
    // only mark the run as interrupted, so the work tree is always restored.
    crate::exec::install_signal_handlers()
        .map_err(|e| Error::new(format!("cannot install signal handlers: {e}")))?;
    let repo = runner::open_repo()?;
    let config = config::load(repo.root())?;
    let work = hook_work(&repo, &config, hook, args, &stdin)?;
    if hook == HookName::PrePush {
        if let Some(status) =
            push_elsewhere(&repo, &config, args, &stdin, &work, prometheus.as_ref())?
        {
            return Ok(status);
        }
    }
    let mut snapshot_of = None;
    if let Request::Resolved(changes) = &work.changes {
        if hook == HookName::PrePush && !changes.paths.is_empty() {
            match check_push_dirty(&repo, &config, changes)? {
                DirtyPush::InWorkTree => {}
                DirtyPush::InSnapshot => snapshot_of = pushed_commit(&stdin),
                DirtyPush::Refused => return Ok(ExitStatus::Blocked),
            }
        }
    }
    for note in &work.notes {
        ui::out(&format!("tiergate: {note}"));
    }
    if hook == HookName::PreCommit {
        return super::pre_commit::run(&repo, &config, work.targets, &work.formatters, prometheus);
    }
    let snapshot = match &snapshot_of {
        Some(commit) => Some(
            crate::worktree::Snapshot::of_commit(
                repo.root(),
                &crate::state::state_dir(&repo, &config),
                commit,
                &config.hooks.pre_commit.share,
            )
            .map_err(crate::worktree::WorktreeError::into_error)?,
        ),
        None => None,
    };
    if !hook.spec().default {
        if work.targets.is_empty() {
            // An empty target list would mean every stage to the runner.
            ui::out(&format!(
                "tiergate: [hooks.{0}] names no stage and there is no stage `{0}`: nothing to run",
                hook.as_str()
            ));
            return Ok(ExitStatus::Passed);
        }
        let request = RunRequest::for_hook(hook, args, work.targets, work.changes, prometheus);
        return runner::execute(&repo, &config, &request);
    }
    let request = RunRequest::for_hook(hook, args, work.targets, work.changes, prometheus);
    match (&snapshot, snapshot_of) {
        (Some(snapshot), Some(commit)) => runner::execute_in(
            &repo,
            &config,
            &request,
            snapshot.root(),
            &crate::cache::Source::Commit(commit),
        ),
        _ => runner::execute(&repo, &config, &request),
    }
}

/// What is pushed is what is tested (issue 13): a pushed ref whose commit is
/// not the checked-out one (a branch pushed without being checked out) is
/// tested in a snapshot of that commit, whatever `push_dirty` says; each
/// distinct commit once, on the changes of the refs that push it. Refs
/// that push the checked-out commit are left to the usual run, which
/// follows when this returns `None` with nothing else pushed.
fn push_elsewhere(
    repo: &Repo,
    config: &Config,
    args: &[String],
    stdin: &[u8],
    work: &HookWork,
    prometheus: Option<&std::path::PathBuf>,
) -> Result<Option<ExitStatus>, Error> {
    let Ok(updates) = git::parse_push_lines(stdin) else {
        return Ok(None);
    };
    let head = repo.head_commit();
    let commit_of = |u: &git::PushUpdate| {
        repo.raw()
            .find_object(u.local_sha, None)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .ok()
    };
    let mut elsewhere: Vec<git2::Oid> = Vec::new();
    let mut at_head = Vec::new();
    for u in updates.iter().filter(|u| !u.is_delete()) {
        match commit_of(u) {
            Some(commit) if Some(commit) != head => {
                if !elsewhere.contains(&commit) {
                    elsewhere.push(commit);
                }
            }
            _ => at_head.push(u.clone()),
        }
    }
    if elsewhere.is_empty() {
        return Ok(None);
    }
    for note in &work.notes {
        ui::out(&format!("tiergate: {note}"));
    }
    let remote = args.first().map_or("origin", String::as_str);
    let state_dir = crate::state::state_dir(repo, config);
    let mut worst = ExitStatus::Passed;
    let mut first_error = None;
    let mut runs: Vec<(Option<git2::Oid>, Vec<git::PushUpdate>)> = elsewhere
        .iter()
        .map(|&commit| {
            let refs = updates
                .iter()
                .filter(|u| !u.is_delete() && commit_of(u) == Some(commit))
                .cloned()
                .collect();
            (Some(commit), refs)
        })
        .collect();
    if !at_head.is_empty() {
        runs.push((None, at_head));
    }
    for (commit, refs) in runs {
        let changes = repo
            .push_changes(remote, &refs)
            .map_err(|e| changes::git_error(&e))?;
        let names: Vec<&str> = refs.iter().map(|u| u.local_ref.as_str()).collect();
        let result = match commit {
            Some(commit) => {
                ui::out(&format!(
                    "tiergate: {} is not the checked-out commit: the tiers run in a snapshot of {}",
                    names.join(", "),
                    &commit.to_string()[..12]
                ));
                let snapshot = crate::worktree::Snapshot::of_commit(
                    repo.root(),
                    &state_dir,
                    &commit.to_string(),
                    &config.hooks.pre_commit.share,
                )
                .map_err(crate::worktree::WorktreeError::into_error)?;
                let request = RunRequest::for_hook(
                    HookName::PrePush,
                    args,
                    work.targets.clone(),
                    Request::Resolved(changes),
                    prometheus.cloned(),
                );
                runner::execute_in(
                    repo,
                    config,
                    &request,
                    snapshot.root(),
                    &crate::cache::Source::Commit(commit.to_string()),
                )
            }
            None => {
                // The checked-out commit: the work tree, as `push_dirty` says.
                let dirty = if changes.paths.is_empty() {
                    DirtyPush::InWorkTree
                } else {
                    check_push_dirty(repo, config, &changes)?
                };
                if dirty == DirtyPush::Refused {
                    worst = ExitStatus::Blocked;
                    continue;
                }
                let snapshot = (dirty == DirtyPush::InSnapshot)
                    .then(|| head_snapshot(repo, config, &state_dir))
                    .transpose()?;
                let request = RunRequest::for_hook(
                    HookName::PrePush,
                    args,
                    work.targets.clone(),
                    Request::Resolved(changes),
                    prometheus.cloned(),
                );
                match (&snapshot, repo.head_commit()) {
                    (Some(snapshot), Some(head)) => runner::execute_in(
                        repo,
                        config,
                        &request,
                        snapshot.root(),
                        &crate::cache::Source::Commit(head.to_string()),
                    ),
                    _ => runner::execute(repo, config, &request),
                }
            }
        };
        match result {
            Ok(ExitStatus::Interrupted(signal)) => {
                return Ok(Some(ExitStatus::Interrupted(signal)))
            }
            Ok(ExitStatus::Blocked) => worst = ExitStatus::Blocked,
            Ok(_) => {}
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(Some(worst)),
    }
}

fn head_snapshot(
    repo: &Repo,
    config: &Config,
    state_dir: &std::path::Path,
) -> Result<crate::worktree::Snapshot, Error> {
    let head = repo
        .head_commit()
        .map(|h| h.to_string())
        .unwrap_or_default();
    crate::worktree::Snapshot::of_commit(
        repo.root(),
        state_dir,
        &head,
        &config.hooks.pre_commit.share,
    )
    .map_err(crate::worktree::WorktreeError::into_error)
}

/// The commit a push snapshot checks out: the first pushed ref that is not
/// a deletion (a push of several branches tests the first).
fn pushed_commit(stdin: &[u8]) -> Option<String> {
    git::parse_push_lines(stdin)
        .ok()?
        .iter()
        .find(|u| !u.is_delete())
        .map(|u| u.local_sha.to_string())
}

/// git ignores the status of a hook that cannot block (post-commit,
/// post-checkout...): a failure or an error is shown, recorded in the
/// history by the run, and the hook exits 0 so nothing suggests git stopped.
fn unblockable(hook: HookName, status: Result<ExitStatus, Error>) -> ExitStatus {
    let what = match status {
        Ok(ExitStatus::Passed) => return ExitStatus::Passed,
        Ok(ExitStatus::Interrupted(signal)) => return ExitStatus::Interrupted(signal),
        Ok(_) => "failures are reported above",
        Err(error) => {
            ui::error(&error);
            "the error is reported above"
        }
    };
    ui::err(&format!(
        "tiergate: {} cannot stop git, so it exits 0; {what}",
        hook.as_str()
    ));
    ExitStatus::Passed
}
