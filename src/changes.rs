//! What changed, asked of git, turned into a `Selection` (SPEC 5 and 6).
//!
//! The one place where `git` answers meet `select`: git says which paths
//! changed and how far it could see; select decides what that selects.

use std::os::unix::ffi::OsStrExt;

use crate::config::Config;
use crate::error::Error;
use crate::git::{ChangedPath, Changes, GitError, Repo};
use crate::select::{self, Change, Selection};

/// Which changes a run looks at.
#[derive(Debug, Clone)]
pub(crate) enum Request {
    /// Everything: every group of the named stages; `{files}` are the tracked files.
    All(String),
    Staged,
    Changed,
    Range {
        from: String,
        to: Option<String>,
    },
    Since(String),
    /// One commit's own changes (`--commit REF`).
    Commit(String),
    Files(Vec<Vec<u8>>),
    /// Changes already resolved (pre-push, pre-release).
    Resolved(Changes),
    /// No file changed, yet the hook ran: only `always` groups run (a file
    /// checkout, `gc`). The text says why.
    AlwaysOnly(String),
    /// A selection already made: the pre-commit hook plans before it decides
    /// whether to stash, and the run must not select a second time.
    Selected(Box<Selection>),
}

pub(crate) fn git_error(e: &GitError) -> Error {
    let mut error = Error::new(e.to_string());
    if let Some(hint) = e.hint() {
        error = error.hint(hint);
    }
    error
}

fn to_change(c: ChangedPath) -> Change {
    let deleted = c.is_deleted();
    Change {
        path: c.path,
        old_path: c.old_path,
        deleted,
    }
}

/// Resolve the request against the repository, apply the config's rules, and
/// attach the import graph's answer when a group reads it.
pub(crate) fn selection(
    repo: &Repo,
    config: &Config,
    request: Request,
) -> Result<Selection, Error> {
    if let Request::Selected(selection) = request {
        return Ok(*selection);
    }
    let mut selection = select_request(repo, config, request)?;
    attach_graph(repo, config, &mut selection);
    Ok(by_project(selection, config))
}

/// The import graph's answer, when a group reads it and something changed.
fn attach_graph(repo: &Repo, config: &Config, selection: &mut Selection) {
    let (python, rust) = crate::graph::wanted(config);
    if (python || rust) && !selection.nothing_changed() && selection.affected.is_none() {
        let affected = if selection.scope == select::Scope::Changes {
            crate::graph::affected(repo, config, &selection.changes)
        } else {
            // Everything: `{tests}` is every file the globs match; only the members are needed.
            let mut a = crate::graph::affected_members_only(repo, config);
            a.tracked.clone_from(&selection.files);
            a
        };
        selection.affected = Some(Box::new(affected));
    }
}

fn select_request(repo: &Repo, config: &Config, request: Request) -> Result<Selection, Error> {
    let changes = match request {
        Request::All(reason) => {
            let tracked = repo.tracked_files().map_err(|e| git_error(&e))?;
            return Ok(Selection::everything(reason, tracked));
        }
        Request::Staged => repo.staged_changes(),
        Request::Changed => repo.working_changes(),
        Request::Range { from, to } => repo.range_changes(&from, to.as_deref()),
        Request::Since(reference) => repo.changed_since(&reference),
        Request::Commit(rev) => repo.commit_changes(&rev),
        Request::Files(paths) => {
            let changes = paths.into_iter().map(Change::new).collect();
            return Ok(select::select_with_graph(
                changes,
                &config.rules,
                &config.settings.unmatched,
                &config.settings.run_all_triggers,
                &crate::graph::judged_by(config),
            ));
        }
        Request::Resolved(changes) => Ok(changes),
        Request::AlwaysOnly(reason) => return Ok(Selection::always_only(reason)),
        Request::Selected(selection) => return Ok(*selection),
    }
    .map_err(|e| git_error(&e))?;
    from_changes(repo, config, changes)
}

/// A `Changes` from git → a `Selection`. "Everything" (an unresolvable base,
/// a shallow boundary) selects all, but `{files}` stay the changed paths when
/// git could name them.
pub(crate) fn from_changes(
    repo: &Repo,
    config: &Config,
    changes: Changes,
) -> Result<Selection, Error> {
    let base = changes.base.map(|o| o.to_string());
    let head = changes.head.map(|o| o.to_string());
    let mut selection = if changes.everything {
        let reason = changes
            .reason
            .clone()
            .unwrap_or_else(|| "everything is selected".into());
        if changes.paths.is_empty() {
            let tracked = repo.tracked_files().map_err(|e| git_error(&e))?;
            Selection::everything(reason, tracked)
        } else {
            let s = select::select_with_graph(
                changes.paths.into_iter().map(to_change).collect(),
                &config.rules,
                &config.settings.unmatched,
                &config.settings.run_all_triggers,
                &crate::graph::judged_by(config),
            );
            let mut s = by_project(s, config);
            s.select_all();
            s.why.insert(0, reason);
            s
        }
    } else {
        select::select_with_graph(
            changes.paths.into_iter().map(to_change).collect(),
            &config.rules,
            &config.settings.unmatched,
            &config.settings.run_all_triggers,
            &crate::graph::judged_by(config),
        )
    };
    selection.base = base;
    selection.head = head;
    drop_submodules(repo, &mut selection.files);
    attach_graph(repo, config, &mut selection);
    Ok(by_project(selection, config))
}

/// Each project's own part of the selection, once (a selection already
/// split is kept).
fn by_project(selection: Selection, config: &Config) -> Selection {
    if !selection.projects.is_empty() {
        return selection;
    }
    select::split_by_project(selection, config, &crate::graph::judged_by(config))
}

/// A submodule's pointer selects by its path like any change, but it is a
/// folder, not a file: never a `{files}` argument (issue 13). The index
/// says which paths are submodules (mode 160000), so a path it holds costs
/// no file system call (issue 21: 5,000 staged files were 10,000 `statx`);
/// a path it does not hold (a deletion, an untracked or `--files` path) is a
/// submodule's folder when the work tree holds a folder there.
pub(crate) fn drop_submodules(repo: &Repo, files: &mut Vec<Vec<u8>>) {
    const GITLINK: u32 = 0o160_000;
    let index = repo.index_file();
    files.retain(|path| {
        if let Some(mode) = index.as_ref().and_then(|i| i.mode_of(path)) {
            return mode != GITLINK;
        }
        !std::fs::symlink_metadata(repo.root().join(std::ffi::OsStr::from_bytes(path)))
            .is_ok_and(|m| m.is_dir())
    });
}

/// `--files` paths as repository-relative bytes.
pub(crate) fn relative_paths(repo: &Repo, paths: &[std::path::PathBuf]) -> Vec<Vec<u8>> {
    let cwd = std::env::current_dir().unwrap_or_default();
    paths
        .iter()
        .map(|p| {
            let absolute = if p.is_absolute() {
                p.clone()
            } else {
                cwd.join(p)
            };
            let relative = absolute
                .strip_prefix(repo.root())
                .map_or_else(|_| p.clone(), std::path::Path::to_path_buf);
            relative.as_os_str().as_bytes().to_vec()
        })
        .collect()
}
