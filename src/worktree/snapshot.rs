//! Snapshot isolation: a temporary checkout of the index (pre-commit) or of
//! a commit (pre-push `push_dirty = "snapshot"`) under
//! `state_dir/snapshots/`, with `share` paths symlinked in. The user's work
//! tree and index are never touched. Removed on drop, and by the next run
//! after a crash.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::entry;
use super::{failpoint, git_cli, lock, WorktreeError};

pub(crate) struct Snapshot {
    dir: PathBuf,
}

impl Snapshot {
    /// The checkout's root: where the tiers run.
    pub(crate) fn root(&self) -> &Path {
        &self.dir
    }

    /// A checkout of the index git uses (`GIT_INDEX_FILE` honoured).
    pub(crate) fn of_index(
        root: &Path,
        git_dir: &Path,
        state_dir: &Path,
        share: &[String],
    ) -> Result<Snapshot, WorktreeError> {
        lock::wait_for_index(&lock::index_path(root, git_dir))?;
        let snapshot = Snapshot::create(state_dir)?;
        checkout_index(root, &snapshot.dir, None)?;
        link_shared(root, &snapshot.dir, share)?;
        failpoint("in-snapshot", state_dir);
        Ok(snapshot)
    }

    /// A checkout of `commit`, through a temporary index of its own.
    pub(crate) fn of_commit(
        root: &Path,
        state_dir: &Path,
        commit: &str,
        share: &[String],
    ) -> Result<Snapshot, WorktreeError> {
        let snapshot = Snapshot::create(state_dir)?;
        let index = snapshot.dir.with_extension("index");
        let mut cmd = git_cli::command(root);
        cmd.env(crate::env::GIT_INDEX_FILE, &index);
        git_cli::output_with(cmd, &[OsStr::new("read-tree"), OsStr::new(commit)], None)?;
        let result = checkout_index(root, &snapshot.dir, Some(&index));
        let _ = std::fs::remove_file(&index);
        result?;
        link_shared(root, &snapshot.dir, share)?;
        failpoint("in-snapshot", state_dir);
        Ok(snapshot)
    }

    fn create(state_dir: &Path) -> Result<Snapshot, WorktreeError> {
        let parent = state_dir.join("snapshots");
        // Named by pid and process start time, so a crashed run's checkout
        // is told apart from a live one's.
        let start = entry::process_start(std::process::id()).unwrap_or(0);
        let dir = parent.join(format!(
            "{}-{start}-{}",
            std::process::id(),
            entry::new_id()
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| WorktreeError::io(format!("cannot create {}", dir.display()), &e))?;
        Ok(Snapshot { dir })
    }
}

impl Drop for Snapshot {
    fn drop(&mut self) {
        // remove_dir_all never follows the `share` symlinks.
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = std::fs::remove_file(self.dir.with_extension("index"));
    }
}

fn checkout_index(root: &Path, dir: &Path, index: Option<&Path>) -> Result<(), WorktreeError> {
    let mut prefix = dir.as_os_str().to_owned();
    prefix.push("/");
    let mut arg = OsStr::new("--prefix=").to_owned();
    arg.push(&prefix);
    let mut cmd = git_cli::command(root);
    if let Some(index) = index {
        cmd.env(crate::env::GIT_INDEX_FILE, index);
    }
    // Without `-u` and with a prefix, checkout-index never writes the index.
    git_cli::output_with(
        cmd,
        &[OsStr::new("checkout-index"), OsStr::new("-a"), &arg],
        None,
    )?;
    Ok(())
}

/// Make each `share` path of the work tree available in the snapshot (a
/// symlink), unless the snapshot already holds it (it is tracked).
fn link_shared(root: &Path, dir: &Path, share: &[String]) -> Result<(), WorktreeError> {
    for name in share {
        let source = root.join(name);
        let target = dir.join(name);
        if !source.exists() || std::fs::symlink_metadata(&target).is_ok() {
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                WorktreeError::io(format!("cannot create {}", parent.display()), &e)
            })?;
        }
        std::os::unix::fs::symlink(&source, &target)
            .map_err(|e| WorktreeError::io(format!("cannot link {name} into the snapshot"), &e))?;
    }
    Ok(())
}

/// Remove the checkouts of runs that are no longer alive.
pub(super) fn remove_stale(state_dir: &Path) {
    let Ok(read) = std::fs::read_dir(state_dir.join("snapshots")) else {
        return;
    };
    for item in read.filter_map(Result::ok) {
        let name = item.file_name().to_string_lossy().into_owned();
        let mut parts = name.split('-');
        let pid = parts.next().and_then(|p| p.parse::<u32>().ok());
        let start = parts.next().and_then(|s| s.parse::<u64>().ok());
        let alive = pid.is_some_and(|pid| entry::owner_alive(pid, start.filter(|&s| s != 0)));
        if !alive {
            let path = item.path();
            if path.is_dir() {
                let _ = std::fs::remove_dir_all(&path);
            } else {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}
