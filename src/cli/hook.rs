//! `tiergate hook <pre-commit|pre-push|pre-release>`: what the shims call.

use std::io::{IsTerminal, Read};

use crate::changes::{self, Request};
use crate::config::{self, Config, PushDirty, ReleaseSelection, Target};
use crate::error::{Error, ExitStatus};
use crate::git::{self, Changes, Repo};
use crate::runner::{self, RunRequest};
use crate::ui;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum HookName {
    PreCommit,
    PrePush,
    PreRelease,
}

impl HookName {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            HookName::PreCommit => "pre-commit",
            HookName::PrePush => "pre-push",
            HookName::PreRelease => "pre-release",
        }
    }
}

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
    match hook {
        HookName::PreCommit => Ok(HookWork {
            targets: config.hooks.pre_commit.stages.clone(),
            changes: Request::Staged,
            formatters: config.hooks.pre_commit.formatters.clone(),
            notes: Vec::new(),
        }),
        HookName::PreRelease => {
            let (changes, notes) = release_changes(repo, config)?;
            Ok(HookWork {
                targets: config.hooks.pre_release.stages.clone(),
                changes,
                formatters: Vec::new(),
                notes,
            })
        }
        HookName::PrePush => {
            // The error's own hint says what git sends: once is enough.
            let updates = git::parse_push_lines(stdin).map_err(|e| changes::git_error(&e))?;
            let remote = args.first().map_or("origin", String::as_str);
            let changes = repo
                .push_changes(remote, &updates)
                .map_err(|e| changes::git_error(&e))?;
            let mut notes = Vec::new();
            let mut targets = config.hooks.pre_push.stages.clone();
            let release_tags: Vec<&str> = updates
                .iter()
                .filter(|u| !u.is_delete())
                .filter_map(|u| u.tag_name())
                .filter(|t| config.hooks.pre_release.tag_pattern.is_match(t.as_bytes()))
                .collect();
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
                let (release, release_notes) = release_changes(repo, config)?;
                notes.extend(release_notes);
                request = match (release, request) {
                    (Request::Resolved(mut since), Request::Resolved(pushed)) => {
                        since.paths.extend(pushed.paths);
                        since.everything |= pushed.everything;
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
    }
}

fn release_changes(repo: &Repo, config: &Config) -> Result<(Request, Vec<String>), Error> {
    if config.hooks.pre_release.selection == ReleaseSelection::All {
        return Ok((
            Request::All("pre-release: a release runs everything".into()),
            Vec::new(),
        ));
    }
    let Some(head) = repo.head_commit() else {
        return Ok((
            Request::All("pre-release: no commit yet, everything runs".into()),
            Vec::new(),
        ));
    };
    let pattern = config
        .hooks
        .pre_release
        .tag_pattern
        .patterns
        .first()
        .cloned()
        .unwrap_or_else(|| "v*".into());
    let (changes, tag) = repo
        .changes_since_last_release(head, &pattern)
        .map_err(|e| changes::git_error(&e))?;
    let note = match tag {
        Some(tag) => format!("pre-release: changes since the previous release {tag}"),
        None => "pre-release: no earlier release tag, everything runs".to_owned(),
    };
    Ok((Request::Resolved(changes), vec![note]))
}

/// pre-push tests the work tree: name uncommitted changes to pushed paths.
/// True when the tiers must run in a snapshot of the pushed commit.
fn check_push_dirty(repo: &Repo, config: &Config, changes: &Changes) -> Result<bool, Error> {
    let pushed: Vec<Vec<u8>> = changes.paths.iter().map(|c| c.path.clone()).collect();
    let dirty = repo
        .dirty_among(&pushed)
        .map_err(|e| changes::git_error(&e))?;
    if dirty.is_empty() {
        return Ok(false);
    }
    let names: Vec<String> = dirty
        .iter()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    let message = format!("uncommitted changes to pushed paths: {}", names.join(", "));
    match config.hooks.pre_push.push_dirty {
        PushDirty::Block => Err(Error::new(message)
            .hint("the tiers test the work tree, which is not what you push: commit or stash these changes, or set push_dirty = \"warn\"")),
        PushDirty::Warn => {
            ui::warn(&format!("{message}; the tiers test the work tree, not exactly what is pushed"));
            Ok(false)
        }
        PushDirty::Snapshot => {
            ui::out(&format!("tiergate: {message}; the tiers run in a snapshot of the pushed commit"));
            Ok(true)
        }
    }
}

pub(crate) fn run(
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
    let mut snapshot_of = None;
    if let Request::Resolved(changes) = &work.changes {
        if hook == HookName::PrePush
            && !changes.paths.is_empty()
            && check_push_dirty(&repo, &config, changes)?
        {
            snapshot_of = pushed_commit(&stdin);
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
    let work_dir = snapshot
        .as_ref()
        .map_or_else(|| repo.root().to_path_buf(), |s| s.root().to_path_buf());
    runner::execute_in(
        &repo,
        &config,
        &RunRequest::for_hook(hook.as_str(), work.targets, work.changes, prometheus),
        &work_dir,
    )
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
