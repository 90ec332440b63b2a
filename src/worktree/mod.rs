//! The sole writer of the user's work tree and index (SPEC 8).
//!
//! Owns the stash of unstaged changes before a pre-commit run and their
//! restore afterwards (with formatter fixes merged on top, or rolled back and
//! saved aside), the durable recovery entries under `state_dir/recovery/`,
//! crash recovery at the start of every command, the temporary checkouts of
//! snapshot isolation, and the restaging of formatter fixes. Nothing else in
//! the crate writes a tracked file or the index; this module never runs the
//! user's commands (that is `exec`) and never decides policy.
//!
//! Content is read and written with the `git` command line, so that
//! `core.autocrlf`, `.gitattributes` filters, intent-to-add entries and
//! `GIT_INDEX_FILE` behave exactly as they do for `git commit` itself. Two
//! exceptions, where git would write the bytes unchanged: the index content
//! of a repository in which nothing converts blobs on checkout is read from
//! the object store in process (`crate::git::VerbatimCheckout`), and the
//! entry's patch of plain text files is made in process (`patch.rs`), where
//! tiergate holds both sides already.

mod baseline;
mod entry;
mod failpoint;
mod files;
mod git_cli;
mod guarded;
mod index_guard;
mod lock;
mod merge;
mod patch;
mod recovery;
mod restage;
mod restore;
mod sha1;
mod snapshot;
mod stash;
mod touched;
mod watch;

pub(crate) use failpoint::hit as failpoint;
pub(crate) use index_guard::IndexGuard;
pub(crate) use recovery::{
    fixes_dirs, kept_dirs, list as list_entries, recover_all, recover_leftovers, Recovered,
};
pub(crate) use restage::restage;
pub(crate) use restore::{Mode as RestoreMode, Restored};
pub(crate) use snapshot::Snapshot;
pub(crate) use stash::{changed_since_stash, stash, stash_clean, Stash};
pub(crate) use watch::TrackedWatch;

/// What went wrong while touching the work tree; always says what state the
/// user's files are in.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WorktreeError {
    #[error("{0}")]
    Io(String),
    #[error("`{index}` is locked by another git process (`{lock}` exists)")]
    IndexLocked {
        index: std::path::PathBuf,
        lock: std::path::PathBuf,
    },
    #[error("git {args} failed: {stderr}")]
    Git { args: String, stderr: String },
}

impl WorktreeError {
    pub(crate) fn io(what: impl std::fmt::Display, e: &std::io::Error) -> WorktreeError {
        WorktreeError::Io(format!("{what}: {e}"))
    }

    /// The user-facing error, with the fix.
    pub(crate) fn into_error(self) -> crate::error::Error {
        let hint = match &self {
            WorktreeError::IndexLocked { lock, .. } => format!(
                "another git command is running; wait for it, or if none is, remove `{}`. Nothing was changed",
                lock.display()
            ),
            _ => "your files are saved under the state dir's recovery/ folder; `tiergate recover` restores them".to_owned(),
        };
        crate::error::Error::new(self.to_string()).hint(hint)
    }
}

#[cfg(test)]
mod tests;
