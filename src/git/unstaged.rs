//! Whether any tracked file's work tree may differ from the index: the question that decides
//! whether the pre-commit hook needs its stash (SPEC 8).
//!
//! Like git's index refresh it compares each file's `lstat` with the stat data the index
//! recorded; no file is read. On a large index the scan starts before the hook knows whether
//! it will need the answer and runs on every core beside the staged diff and the planning
//! (issue 7: 50,000 files cost about 110 ms of system time here), and it stops at the first
//! difference or when the answer is no longer wanted.
//!
//! "Maybe" answers true: a stat mismatch, a timestamp too close to the index's to trust (git's
//! "racy" entries), an intent-to-add or conflicted entry, an index this module cannot read,
//! any error. The stash then asks git itself which files differ.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat};

use super::index_file::{IndexEntry, IndexFile, ASSUME_VALID, INTENT_TO_ADD, SKIP_WORKTREE};
use super::Repo;

/// Below this many entries the scan runs on the calling thread when asked: threads cost more
/// than they save.
const THREADS_FROM_ENTRIES: usize = 4096;
/// How many entries a worker checks between looks at the stop flag.
const STOP_CHECK_EVERY: usize = 256;

/// A scan of the work tree against the index, running or done.
pub(crate) struct UnstagedScan {
    state: State,
}

enum State {
    Done(bool),
    /// Small index: scanned when the answer is asked for.
    Deferred(Arc<IndexFile>, std::path::PathBuf),
    Running {
        stop: Arc<AtomicBool>,
        workers: Vec<JoinHandle<bool>>,
    },
}

impl Repo {
    /// Starts the scan (on other threads when the index is large). Drop the result to cancel.
    pub(crate) fn scan_unstaged(&self) -> UnstagedScan {
        let Some(index) = self.index_file() else {
            return UnstagedScan {
                state: State::Done(true),
            };
        };
        if index.has_conflicts() {
            return UnstagedScan {
                state: State::Done(true),
            };
        }
        let root = self.root().to_path_buf();
        if index.entries().len() < THREADS_FROM_ENTRIES {
            return UnstagedScan {
                state: State::Deferred(index, root),
            };
        }
        let stop = Arc::new(AtomicBool::new(false));
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let chunk = index.entries().len().div_ceil(threads);
        let workers = (0..threads)
            .map(|i| {
                let (index, root, stop) = (Arc::clone(&index), root.clone(), Arc::clone(&stop));
                std::thread::spawn(move || {
                    let entries = index.entries();
                    let part = &entries
                        [(i * chunk).min(entries.len())..((i + 1) * chunk).min(entries.len())];
                    let differs = any_may_differ(&index, part, &root, &stop);
                    if differs {
                        stop.store(true, Ordering::Relaxed);
                    }
                    differs
                })
            })
            .collect();
        UnstagedScan {
            state: State::Running { stop, workers },
        }
    }

    /// Whether any tracked file may have unstaged changes; see the module comment.
    #[cfg(test)]
    pub(crate) fn has_unstaged_changes(&self) -> bool {
        self.scan_unstaged().wait()
    }
}

impl UnstagedScan {
    /// The answer: true when some tracked file may differ from the index.
    pub(crate) fn wait(mut self) -> bool {
        match std::mem::replace(&mut self.state, State::Done(true)) {
            State::Done(answer) => answer,
            State::Deferred(index, root) => {
                any_may_differ(&index, index.entries(), &root, &AtomicBool::new(false))
            }
            State::Running { workers, .. } => {
                // Every worker is joined: none is left running past the answer.
                let answers: Vec<bool> = workers
                    .into_iter()
                    .map(|w| w.join().unwrap_or(true))
                    .collect();
                answers.contains(&true)
            }
        }
    }
}

impl Drop for UnstagedScan {
    fn drop(&mut self) {
        if let State::Running { stop, .. } = &self.state {
            stop.store(true, Ordering::Relaxed);
        }
    }
}

/// Whether any of `entries` may differ from its work-tree file; stops early (answering true,
/// which nobody reads then) when `stop` is set.
fn any_may_differ(
    index: &IndexFile,
    entries: &[IndexEntry],
    root: &Path,
    stop: &AtomicBool,
) -> bool {
    // One directory handle for the work tree: each `fstatat` then walks only the path inside
    // it, not the components above it.
    let Ok(dir) = rustix::fs::open(
        root,
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    ) else {
        return true;
    };
    for (n, entry) in entries.iter().enumerate() {
        if n % STOP_CHECK_EVERY == 0 && stop.load(Ordering::Relaxed) {
            return true;
        }
        if entry.flags & ASSUME_VALID != 0 || entry.flags_extended & SKIP_WORKTREE != 0 {
            continue;
        }
        if entry.flags_extended & INTENT_TO_ADD != 0 {
            return true;
        }
        // Submodules are left alone (SPEC 8).
        if entry.mode == 0o160_000 {
            continue;
        }
        let path = super::changes::as_path(index.path(entry));
        let Ok(stat) = rustix::fs::statat(&dir, path, AtFlags::SYMLINK_NOFOLLOW) else {
            return true;
        };
        if stat_differs(entry, &stat, index.mtime) {
            return true;
        }
    }
    false
}

/// git's stat comparison: the index's fields are 32 bits wide, so the file's are truncated
/// alike. Racy: an entry modified at or after the index was written proves nothing.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "the index stores stat data truncated to 32 bits"
)]
fn stat_differs(entry: &IndexEntry, stat: &Stat, index_mtime: (i64, i64)) -> bool {
    let kind = FileType::from_raw_mode(stat.st_mode);
    let kind_matches = match entry.mode & 0o170_000 {
        0o120_000 => kind == FileType::Symlink,
        _ => kind == FileType::RegularFile,
    };
    let exec_matches = entry.mode & 0o170_000 == 0o120_000
        || (entry.mode & 0o111 != 0) == (stat.st_mode & 0o111 != 0);
    let same = kind_matches
        && exec_matches
        && entry.size == stat.st_size as u32
        && entry.mtime == (stat.st_mtime as u32, stat.st_mtime_nsec as u32)
        && entry.ctime == (stat.st_ctime as u32, stat.st_ctime_nsec as u32)
        && entry.ino == stat.st_ino as u32;
    let racy = (i64::from(entry.mtime.0), i64::from(entry.mtime.1)) >= index_mtime;
    !same || racy
}
