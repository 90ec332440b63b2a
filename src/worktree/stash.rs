//! Saving unstaged changes to tracked files before a pre-commit run, durably,
//! then setting those files to their index content (SPEC 8, step 1).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::entry::{self, Manifest, SavedPath, State};
use super::files::{self, Content};
use super::{failpoint, git_cli, lock, WorktreeError};

/// The saved unstaged work of one run. Dropping it without `restore` (an
/// early return, a panic) restores the user's bytes exactly: formatter fixes
/// are rolled back and saved aside.
pub(crate) struct Stash {
    pub(super) root: PathBuf,
    pub(super) state_dir: PathBuf,
    /// The entry folder; `None` when there was nothing unstaged to save.
    pub(super) dir: Option<PathBuf>,
    pub(super) manifest: Option<Manifest>,
    pub(super) done: bool,
}

impl Stash {
    /// The paths whose unstaged changes were saved.
    #[cfg(test)]
    pub(crate) fn paths(&self) -> Vec<Vec<u8>> {
        self.manifest
            .as_ref()
            .map(|m| m.files.iter().map(SavedPath::path).collect())
            .unwrap_or_default()
    }

    #[cfg(test)]
    pub(crate) fn entry_dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Record, durably, that formatters are about to change files: a crash
    /// from here on is recovered by rolling their changes back (saved aside)
    /// rather than taking them for the user's later edits.
    pub(crate) fn begin_formatting(&self) -> Result<(), WorktreeError> {
        match &self.dir {
            Some(dir) if self.manifest.is_some() => {
                files::write_durable(&dir.join(entry::FORMATTING), b"")
                    .map_err(|e| WorktreeError::io(format!("cannot write {}", dir.display()), &e))
            }
            _ => Ok(()),
        }
    }

    /// Leave the entry on disk for `tiergate recover` (a restore failed):
    /// the drop guard must not try again and report twice.
    pub(crate) fn keep_for_recovery(&mut self) {
        self.done = true;
    }
}

/// The mode a file gets while it holds its index content: the user's own
/// permission bits (a read-only file stays read-only), with the executable
/// bit the index records.
fn stashed_mode(user: &Content, index_mode: u32) -> u32 {
    let exec = index_mode & 0o111 != 0;
    match user {
        Content::File { mode, .. } if exec => mode | ((mode & 0o444) >> 2),
        Content::File { mode, .. } => mode & !0o111,
        _ if exec => 0o755,
        _ => 0o644,
    }
}

/// Save every unstaged change to a tracked file under
/// `state_dir/recovery/<id>/` (copies, patch, manifest, all fsync'd) and only
/// then set those files to their index content.
pub(crate) fn stash(
    root: &Path,
    git_dir: &Path,
    state_dir: &Path,
    head: Option<String>,
    index_tree: Option<String>,
) -> Result<Stash, WorktreeError> {
    lock::wait_for_index(&lock::index_path(root, git_dir))?;
    failpoint("before-stash", state_dir);
    let mut stash = Stash {
        root: root.to_path_buf(),
        state_dir: state_dir.to_path_buf(),
        dir: None,
        manifest: None,
        done: false,
    };
    // Unmerged paths are git's business during a conflicted merge; commit
    // refuses them anyway.
    let unstaged: Vec<_> = git_cli::unstaged(root)?
        .into_iter()
        .filter(|u| u.status != b'U')
        .collect();
    if unstaged.is_empty() {
        return Ok(stash);
    }

    let id = entry::new_id();
    let dir = entry::recovery_dir(state_dir).join(&id);
    std::fs::create_dir_all(dir.join("files"))
        .map_err(|e| WorktreeError::io(format!("cannot create {}", dir.display()), &e))?;
    stash.dir = Some(dir.clone());

    let mut saved = Vec::new();
    let mut stashed_contents = Vec::new();
    let mut omitted = Vec::new();
    for (n, u) in unstaged.iter().enumerate() {
        let path = root.join(files::rel(&u.path));
        let user = files::read(&path)
            .map_err(|e| WorktreeError::io(format!("cannot read {}", path.display()), &e))?;
        if user == Content::Other {
            // A directory where a tracked file was: never written over.
            continue;
        }
        let copy = format!("files/{n}");
        let bytes: &[u8] = match &user {
            Content::File { bytes, .. } => bytes,
            Content::Symlink { target } => target,
            Content::Absent | Content::Other => b"",
        };
        // The entry is not valid before its manifest: the folder is fsync'd
        // once below, the manifest last.
        files::write_new_synced(&dir.join(&copy), bytes).map_err(|e| {
            WorktreeError::io(format!("cannot save a copy of {}", path.display()), &e)
        })?;
        if user.len() > entry::PATCH_LIMIT {
            omitted.push(files::hex(&u.path));
        }
        let stashed = if u.index_mode == 0 {
            // Intent-to-add: the commit will not hold the file.
            Content::Absent
        } else if u.index_mode == 0o120_000 {
            Content::Symlink {
                target: git_cli::blob_for_worktree(root, &u.index_oid, &u.path, true)?,
            }
        } else {
            Content::File {
                bytes: git_cli::blob_for_worktree(root, &u.index_oid, &u.path, false)?,
                mode: stashed_mode(&user, u.index_mode),
            }
        };
        saved.push(SavedPath {
            path: files::hex(&u.path),
            user: State::of(&user),
            copy,
            stashed: State::of(&stashed),
            index_oid: (u.index_mode != 0).then(|| u.index_oid.clone()),
            index_mode: u.index_mode,
        });
        stashed_contents.push((path, stashed));
    }
    write_patch(root, &dir, &omitted)?;
    let manifest = Manifest {
        version: 1,
        id,
        created: entry::now_secs(),
        pid: std::process::id(),
        pid_start: entry::process_start(std::process::id()),
        root: files::hex(root.as_os_str().as_encoded_bytes()),
        head,
        index_tree,
        files: saved,
        patch_omitted: omitted,
    };
    files::sync_dir(&dir.join("files"));
    entry::write_manifest(&dir, &manifest)?;
    stash.manifest = Some(manifest);

    // Everything is on disk: only now is the work tree touched.
    let half = stashed_contents.len() / 2;
    for (i, (path, content)) in stashed_contents.iter().enumerate() {
        if i == half {
            failpoint("mid-stash", state_dir);
        }
        // Not fsync'd: the saved copies are, and they are what a crash
        // recovers from.
        files::write_unsynced(path, content).map_err(|e| {
            WorktreeError::io(
                format!("cannot set {} to its staged content", path.display()),
                &e,
            )
        })?;
    }
    failpoint("after-stash", state_dir);
    Ok(stash)
}

/// `git diff-files -p --binary` of the saved paths: the same changes as a
/// patch a human (or `git apply`) can use.
fn write_patch(root: &Path, dir: &Path, omitted: &[String]) -> Result<(), WorktreeError> {
    let mut args: Vec<&OsStr> = [
        "diff-files",
        "-p",
        "--binary",
        "--no-renames",
        "--no-ext-diff",
        "--ignore-submodules=all",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let excluded: Vec<std::ffi::OsString> = omitted
        .iter()
        .filter_map(|h| files::unhex(h))
        .map(|p| {
            let mut spec = b":(exclude,literal)".to_vec();
            spec.extend_from_slice(&p);
            files::os(&spec)
        })
        .collect();
    let mut cmd = git_cli::command(root);
    if !excluded.is_empty() {
        // Magic pathspecs need literal mode off; the paths are marked literal one by one.
        cmd.env_remove(crate::env::GIT_LITERAL_PATHSPECS);
        args.push(OsStr::new("--"));
        args.push(OsStr::new(":/"));
        args.extend(excluded.iter().map(std::ffi::OsString::as_os_str));
    }
    let patch = git_cli::output_with(cmd, &args, None)?;
    files::write_durable(&dir.join("patch.diff"), &patch).map_err(|e| {
        WorktreeError::io(
            format!("cannot write {}", dir.join("patch.diff").display()),
            &e,
        )
    })
}

/// Staged paths whose work-tree content now differs from the index: what the
/// formatters changed (the stash made every tracked file match the index).
pub(crate) fn changed_since_stash(stash: &Stash) -> Result<Vec<Vec<u8>>, WorktreeError> {
    let saved: Vec<SavedPath> = stash
        .manifest
        .as_ref()
        .map(|m| m.files.clone())
        .unwrap_or_default();
    let mut changed = Vec::new();
    for u in git_cli::unstaged(&stash.root)? {
        if u.status == b'U' {
            continue;
        }
        let path = stash.root.join(files::rel(&u.path));
        let current = files::read(&path)
            .map_err(|e| WorktreeError::io(format!("cannot read {}", path.display()), &e))?;
        let hex = files::hex(&u.path);
        let same = if let Some(s) = saved.iter().find(|s| s.path == hex) {
            s.stashed.matches(&current)
        } else if u.index_mode == 0 {
            current == Content::Absent
        } else {
            // Not saved, so it matched the index before: compare with the
            // index content to ignore a stat-only difference.
            let symlink = u.index_mode == 0o120_000;
            let bytes = git_cli::blob_for_worktree(&stash.root, &u.index_oid, &u.path, symlink)?;
            let index = if symlink {
                Content::Symlink { target: bytes }
            } else {
                Content::File {
                    bytes,
                    mode: u.index_mode & 0o777,
                }
            };
            index.same_for_git(&current)
        };
        if !same {
            changed.push(u.path);
        }
    }
    Ok(changed)
}
