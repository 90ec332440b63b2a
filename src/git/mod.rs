//! Every git2 call of tiergate: opening the repository, changed paths, ranges, pre-push stdin,
//! release tags and the hooks directory.
//!
//! Reads only: it never writes the index, the work tree or refs (that is `worktree`'s job),
//! never spawns `git`, and never prints. Paths stay bytes (`RepoPath`) from git to `{files}`.
//!
//! - `open.rs`: `Repo`, found and opened as git would (`GIT_DIR`, `GIT_INDEX_FILE`, worktrees)
//! - `changes.rs`: `Changes` and `ChangedPath`, and turning a diff into them
//! - `diff.rs`: staged, working, `--from/--to`, `--changed-since`, tracked, dirty
//! - `push.rs`: pre-push stdin and the paths a push changes
//! - `tags.rs`: the changes since the previous release tag
//! - `inputs.rs`: `(path, mode, blob id)` of the files a cache key covers
//! - `sources.rs`: indexed files with their blob ids, and blob contents, for the import graph
//! - `hooks_dir.rs`: where git looks for hooks
//! - `index_file.rs`: git's index file read directly, without libgit2's checksum pass
//! - `staged.rs`: what is staged, from that index and HEAD's trees (libgit2 for renames)
//! - `unstaged.rs`: whether the work tree may differ from the index (`lstat` on every core)
//! - `error.rs`: `GitError`, each with a hint

mod changes;
mod diff;
mod error;
mod hooks_dir;
mod index_file;
mod inputs;
mod loose;
mod open;
mod push;
mod sources;
mod sparse;
mod staged;
mod tags;
mod trees;
mod unstaged;
mod verbatim;

#[cfg(test)]
pub(crate) mod fixture;

pub(crate) use changes::{ChangeKind, ChangedPath, Changes, RepoPath};
pub(crate) use error::GitError;
pub(crate) use inputs::InputFile;
pub(crate) use open::Repo;
pub(crate) use push::{parse_push_lines, PushUpdate};
pub(crate) use sources::{BlobReader, IndexedFile};
pub(crate) use unstaged::{list_unstaged, MaybeUnstaged, TrackedFiles, UnstagedScan};
pub(crate) use verbatim::VerbatimCheckout;

/// The first ten hex digits of a commit id, for messages.
pub(super) fn short_id(oid: git2::Oid) -> String {
    let mut id = oid.to_string();
    id.truncate(10);
    id
}
