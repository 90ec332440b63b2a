//! Which tracked files the groups of a pre-commit run modified. During the
//! run the work tree is what is committed (the unstaged work is set aside),
//! so a tracked file that changes is a group's doing (a fixer or a code
//! generator imported as a group): the group fails, as pre-commit's hooks
//! do, and its edits stay (issue 13).
//!
//! Cheap: an `lstat` per tracked file after a stage that ran something
//! (tiergate's in-process index reader), and a `git diff` only for files
//! whose stat moved since the last look, so a racily clean file or one the
//! stash rewrote is never taken for a modified one.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::{files, git_cli, guarded, lock, WorktreeError};

pub(crate) struct TrackedWatch {
    root: PathBuf,
    index: PathBuf,
    /// The stat-dirty paths as last seen: unchanged since means untouched.
    seen: Mutex<HashMap<Vec<u8>, guarded::Seen>>,
}

impl TrackedWatch {
    /// Start watching: `clean` when the caller's own scan found every
    /// tracked file matching the index (nothing to remember, no scan).
    pub(crate) fn start(
        root: &Path,
        git_dir: &Path,
        clean: bool,
    ) -> Result<TrackedWatch, WorktreeError> {
        let watch = TrackedWatch {
            root: root.to_path_buf(),
            index: lock::index_path(root, git_dir),
            seen: Mutex::new(HashMap::new()),
        };
        if !clean {
            let stamps = watch.stamps()?;
            *watch.seen.lock().unwrap_or_else(PoisonError::into_inner) = stamps;
        }
        Ok(watch)
    }

    fn stamps(&self) -> Result<HashMap<Vec<u8>, guarded::Seen>, WorktreeError> {
        Ok(git_cli::unstaged(&self.root, &self.index)?
            .into_iter()
            .map(|u| {
                let path = self.root.join(files::rel(&u.path));
                let seen = guarded::read_stamp(&path);
                (u.path, seen)
            })
            .collect())
    }

    /// The tracked files modified since `start` or the last call, whose
    /// content now differs from the index, in index order.
    pub(crate) fn modified(&self) -> Result<Vec<Vec<u8>>, WorktreeError> {
        let now = self.stamps()?;
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let suspects: Vec<&Vec<u8>> = now
            .iter()
            .filter(|(path, stamp)| seen.get(*path) != Some(stamp))
            .map(|(path, _)| path)
            .collect();
        if suspects.is_empty() {
            return Ok(Vec::new());
        }
        let mut args: Vec<OsString> = [
            "diff",
            "--name-only",
            "-z",
            "--no-ext-diff",
            "--no-renames",
            "--ignore-submodules=all",
            "--",
        ]
        .iter()
        .map(OsString::from)
        .collect();
        args.extend(suspects.iter().map(|p| files::os(p)));
        let refs: Vec<&OsStr> = args.iter().map(OsString::as_os_str).collect();
        let out = git_cli::output(&self.root, &refs)?;
        *seen = now;
        let mut modified: Vec<Vec<u8>> = out
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .map(<[u8]>::to_vec)
            .collect();
        modified.sort();
        Ok(modified)
    }
}
