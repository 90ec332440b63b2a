//! The answer every query of this module gives: which paths changed, how, and against what.
//!
//! Owns `RepoPath`, `ChangeKind`, `ChangedPath` and `Changes`, plus the translation from a
//! libgit2 diff into them. Rename detection lives here too, since every diff goes through it.

use git2::{Delta, Diff, DiffFindOptions, Oid};

use super::GitError;

/// A path as git stores it: repository-relative bytes (may be non-UTF-8, contain spaces or
/// newlines). Never converted to a `String`, so nothing is lost on the way to `{files}`.
pub(crate) type RepoPath = Vec<u8>;

/// A repository path as a `Path`, byte for byte (git paths are bytes; so are Unix paths).
pub(crate) fn as_path(path: &[u8]) -> &std::path::Path {
    use std::os::unix::ffi::OsStrExt;
    std::path::Path::new(std::ffi::OsStr::from_bytes(path))
}

/// How a path changed. Copies, untracked files and conflicts are folded into these five
/// because selection only cares whether the path still exists and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChangeKind {
    Added,
    Modified,
    Deleted,
    Renamed,
    TypeChanged,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChangedPath {
    /// The path after the change (for a deletion: the path that was deleted).
    pub(crate) path: RepoPath,
    /// The path before a rename; `None` for every other kind.
    pub(crate) old_path: Option<RepoPath>,
    pub(crate) kind: ChangeKind,
}

impl ChangedPath {
    /// A deleted path selects markers but is never passed as `{files}` (SPEC 5).
    pub(crate) fn is_deleted(&self) -> bool {
        self.kind == ChangeKind::Deleted
    }
}

/// What changed plus how it was resolved.
///
/// `everything = true` means "select all" (no base, an unresolvable base, a shallow boundary,
/// a root commit with no tracking refs, ...), and `reason` says why, for `tiergate plan`.
/// `paths` then holds whatever was found besides (only a multi-ref push finds any), for
/// display; it must never narrow the selection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Changes {
    /// Sorted by `path` bytes, one entry per path.
    pub(crate) paths: Vec<ChangedPath>,
    pub(crate) everything: bool,
    pub(crate) reason: Option<String>,
    /// The commit the diff starts from (`{base}`), when there is one.
    pub(crate) base: Option<Oid>,
    /// The commit the diff ends at (`{head}`); `None` when it ends at the index or work tree.
    pub(crate) head: Option<Oid>,
}

impl Changes {
    pub(crate) fn from_paths(
        paths: Vec<ChangedPath>,
        base: Option<Oid>,
        head: Option<Oid>,
    ) -> Self {
        Changes {
            paths,
            everything: false,
            reason: None,
            base,
            head,
        }
    }

    /// Add `other`'s paths (a union of several diffs, as a push of several refs is).
    /// The range (`{base}`/`{head}`) stays this one's.
    pub(crate) fn absorb(&mut self, other: Changes) {
        self.paths.extend(other.paths);
        sort_and_dedup(&mut self.paths);
        if other.everything && !self.everything {
            self.everything = true;
            self.reason = other.reason;
        }
    }

    pub(crate) fn everything(
        reason: impl Into<String>,
        base: Option<Oid>,
        head: Option<Oid>,
    ) -> Self {
        Changes {
            paths: Vec::new(),
            everything: true,
            reason: Some(reason.into()),
            base,
            head,
        }
    }
}

/// Above this many added plus deleted paths, renames are matched by identical content only.
///
/// Inexact matching reads and fingerprints every candidate blob (or work tree file) and
/// compares all pairs, which would dominate a large commit. Losing an inexact rename costs
/// nothing in selection: the pair is still reported, as a deletion plus an addition, and both
/// paths still select their markers.
const INEXACT_RENAME_LIMIT: usize = 400;

/// Turns a diff into sorted `ChangedPath`s, detecting renames only when there can be one.
pub(crate) fn collect(diff: &mut Diff<'_>) -> Result<Vec<ChangedPath>, GitError> {
    let (mut added, mut deleted) = (0usize, 0usize);
    for delta in diff.deltas() {
        match delta.status() {
            Delta::Added => added += 1,
            Delta::Deleted => deleted += 1,
            _ => {}
        }
    }
    // find_similar is the costly part of a diff; a rename needs both an addition and a deletion.
    if added > 0 && deleted > 0 {
        let mut find = DiffFindOptions::new();
        find.renames(true);
        if added + deleted > INEXACT_RENAME_LIMIT {
            find.exact_match_only(true);
        }
        diff.find_similar(Some(&mut find))?;
    }

    let mut paths = Vec::with_capacity(diff.deltas().len());
    for delta in diff.deltas() {
        let kind = match delta.status() {
            // Untracked files count as added (`run --changed`); copies are not searched for.
            Delta::Added | Delta::Untracked | Delta::Copied => ChangeKind::Added,
            // A conflicted or unreadable path is certainly touched; treat it as modified.
            Delta::Modified | Delta::Conflicted | Delta::Unreadable => ChangeKind::Modified,
            Delta::Deleted => ChangeKind::Deleted,
            Delta::Renamed => ChangeKind::Renamed,
            Delta::Typechange => ChangeKind::TypeChanged,
            Delta::Unmodified | Delta::Ignored => continue,
        };
        let new = delta.new_file().path_bytes();
        let old = delta.old_file().path_bytes();
        let path = match kind {
            ChangeKind::Deleted => old.or(new),
            _ => new.or(old),
        };
        let Some(path) = path else { continue };
        let old_path = match kind {
            ChangeKind::Renamed => old.map(<[u8]>::to_vec),
            _ => None,
        };
        paths.push(ChangedPath {
            path: path.to_vec(),
            old_path,
            kind,
        });
    }
    sort_and_dedup(&mut paths);
    Ok(paths)
}

/// Sorts by path and keeps one entry per path.
///
/// libgit2 emits deltas in path order, but a detected rename keeps the slot of its old path,
/// and a union of several diffs (pre-push) repeats paths. Of two entries for one path the one
/// that says more for selection wins: a rename (it carries the old path), then one that still
/// exists (it belongs in `{files}`).
pub(crate) fn sort_and_dedup(paths: &mut Vec<ChangedPath>) {
    fn rank(p: &ChangedPath) -> u8 {
        match (p.old_path.is_some(), p.is_deleted()) {
            (true, _) => 0,
            (false, false) => 1,
            (false, true) => 2,
        }
    }
    // Stable, so among equal ranks the first diff's entry stays first.
    paths.sort_by(|a, b| a.path.cmp(&b.path).then_with(|| rank(a).cmp(&rank(b))));
    paths.dedup_by(|later, earlier| later.path == earlier.path);
}
