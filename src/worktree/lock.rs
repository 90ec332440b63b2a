//! Waiting for another git process's `index.lock` before tiergate reads or
//! writes the index, bounded, so a held lock is reported with nothing done.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::WorktreeError;

/// How long a held `index.lock` is waited for: long enough for an editor's
/// `git status`, short enough that a stale lock is reported promptly.
const WAIT: Duration = Duration::from_secs(3);
const STEP: Duration = Duration::from_millis(50);

/// The index file git uses here: `GIT_INDEX_FILE` (relative to the work-tree
/// root, where hooks run), or `<git_dir>/index`.
pub(crate) fn index_path(root: &Path, git_dir: &Path) -> PathBuf {
    std::env::var_os(crate::env::GIT_INDEX_FILE)
        .filter(|v| !v.is_empty())
        .map_or_else(|| git_dir.join("index"), |v| root.join(v))
}

/// Wait until `<index>.lock` is gone, or fail after `WAIT`.
pub(crate) fn wait_for_index(index: &Path) -> Result<(), WorktreeError> {
    let mut lock = index.as_os_str().to_owned();
    lock.push(".lock");
    let lock = PathBuf::from(lock);
    let started = Instant::now();
    // Polling: a lock file offers nothing to wait on, and git itself polls
    // (core.filesRefLockTimeout) the same way.
    while lock.exists() {
        if started.elapsed() >= WAIT {
            return Err(WorktreeError::IndexLocked {
                index: index.to_path_buf(),
                lock,
            });
        }
        std::thread::sleep(STEP);
    }
    Ok(())
}
