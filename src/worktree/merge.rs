//! Merging the user's unstaged work with what changed in a file while it
//! was set aside (a formatter's fixes, another program's writes): in
//! process when the changes lie apart, else `git merge-file`.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::path::Path;

use super::entry::SavedPath;
use super::files::{self, Content};
use super::{git_cli, WorktreeError};

/// The merges one worker made, by item index.
type Merged = Vec<(usize, Option<Content>)>;

/// One merge to make: the saved path, the user's content, the content now,
/// and whether the change is another program's (not a formatter's).
pub(super) type MergeInput<'a> = (&'a SavedPath, &'a Content, &'a Content, bool);

/// Three-way merges of the user's unstaged work and the change made since
/// the stash, on the saved index content as base (`git merge-file`), for
/// each `(saved, user, current)`. `None` where they conflict, or a side is
/// not a text file. The bases are read in one go; the merges run side by side.
pub(super) fn merge_all(
    root: &Path,
    known: &std::collections::HashMap<Vec<u8>, Vec<u8>>,
    verbatim: Option<&crate::git::VerbatimCheckout>,
    items: &[MergeInput<'_>],
) -> Result<Vec<Option<Content>>, WorktreeError> {
    // The items that can merge at all: two regular files on a regular base.
    let candidates: Vec<(usize, &str, Vec<u8>)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, (saved, user, current, _))| {
            let oid = saved.index_oid.as_deref()?;
            let mergeable = matches!(user, Content::File { .. })
                && matches!(current, Content::File { .. })
                && saved.index_mode != 0o120_000;
            mergeable.then(|| (i, oid, saved.path()))
        })
        .collect();
    // Bases the stash kept in memory, the others read in one go.
    let blobs: Vec<git_cli::Blob<'_>> = candidates
        .iter()
        .filter(|(_, _, path)| !known.contains_key(path))
        .map(|(i, oid, path)| git_cli::Blob {
            mode: items[*i].0.index_mode,
            oid,
            path,
        })
        .collect();
    let mut read = git_cli::blobs_for_worktree(root, &blobs, verbatim)?.into_iter();
    // Borrowed from the stash where it kept them: 200 bases are not copied for the merges.
    let mut jobs: Vec<(usize, Cow<'_, [u8]>)> = Vec::with_capacity(candidates.len());
    for (i, _, path) in &candidates {
        let base = match known.get(path) {
            Some(bytes) => Cow::Borrowed(bytes.as_slice()),
            None => Cow::Owned(read.next().ok_or_else(|| {
                WorktreeError::Io("git checkout-index returned too few files".into())
            })?),
        };
        jobs.push((*i, base));
    }
    let mut merged: Vec<Option<Content>> = vec![None; items.len()];
    if jobs.is_empty() {
        return Ok(merged);
    }
    let tmp = git_cli::scratch_dir("tiergate-merge-")?;
    let workers = std::thread::available_parallelism()
        .map_or(2, std::num::NonZeroUsize::get)
        .clamp(2, 8);
    let chunk = jobs.len().div_ceil(workers);
    let results: Vec<Result<Merged, WorktreeError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| {
                let tmp = tmp.path();
                scope.spawn(move || {
                    part.iter()
                        .map(|(i, base)| {
                            let (_, user, current, appended) = items[*i];
                            merge_one(&tmp.join(i.to_string()), user, base, current, appended)
                                .map(|m| (*i, m))
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(WorktreeError::Io("a merge panicked".into())))
            })
            .collect()
    });
    for result in results {
        for (i, m) in result? {
            merged[i] = m;
        }
    }
    Ok(merged)
}

/// One merge: in process when the changes lie apart (`merge_apart`), else
/// `git merge-file` in its own folder `dir`. `None` on a conflict or binary
/// content. `appended`: `current` is another program's write, and one that
/// only added to the end of the base (a log, an editor appending) comes
/// after the user's content, as it came after it in time; `git merge-file`
/// would call two additions at the end a conflict.
fn merge_one(
    dir: &Path,
    user: &Content,
    base: &[u8],
    current: &Content,
    appended: bool,
) -> Result<Option<Content>, WorktreeError> {
    let (Content::File { bytes: ours, mode }, Content::File { bytes: theirs, .. }) =
        (user, current)
    else {
        return Ok(None);
    };
    // Only after a complete last line: else the first line written would
    // be glued to the user's last one.
    let ends_a_line = ours.is_empty() || ours.ends_with(b"\n");
    if appended && ends_a_line && theirs.len() > base.len() && theirs.starts_with(base) {
        let mut bytes = ours.clone();
        bytes.extend_from_slice(&theirs[base.len()..]);
        return Ok(Some(Content::File { bytes, mode: *mode }));
    }
    if [ours.as_slice(), base, theirs]
        .iter()
        .any(|b| files::is_binary(b))
    {
        return Ok(None);
    }
    if let Some(bytes) = merge_apart(base, ours, theirs) {
        return Ok(Some(Content::File { bytes, mode: *mode }));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| WorktreeError::io("cannot create a temporary folder", &e))?;
    let names = ["ours", "base", "theirs"];
    for (name, bytes) in names.iter().zip([ours.as_slice(), base, theirs]) {
        std::fs::write(dir.join(name), bytes)
            .map_err(|e| WorktreeError::io("cannot write a merge input", &e))?;
    }
    let args: Vec<&OsStr> = ["merge-file", "-p", "--quiet", "ours", "base", "theirs"]
        .iter()
        .map(OsStr::new)
        .collect();
    let mut cmd = std::process::Command::new("git");
    cmd.current_dir(dir);
    match git_cli::output_with(cmd, &args, None) {
        Ok(merged) => Ok(Some(Content::File {
            bytes: merged,
            mode: *mode,
        })),
        // A non-zero exit is the number of conflicts (or an error): roll back.
        Err(_) => Ok(None),
    }
}

/// The merge `git merge-file` would make, computed here without a process,
/// for the common case where the two changes lie apart: one side changed
/// only lines above, the other only lines below, with at least one line
/// between them that appears in neither change. `None` otherwise (the
/// caller then asks git).
///
/// Why the result is git's: xdiff trims the common prefix and suffix lines
/// (prefix first), so each side's hunks start inside its changed region; the
/// compaction that slides hunks afterwards only moves a hunk across a line
/// equal to one of that hunk's own lines, so neither can cross the
/// separating line. The hunks are then disjoint and not adjacent, git merges
/// cleanly, and a clean merge of disjoint hunks is the upper side's text
/// followed by the lower side's, whatever alignment the diff chose.
pub(super) fn merge_apart(base: &[u8], ours: &[u8], theirs: &[u8]) -> Option<Vec<u8>> {
    use super::patch::lines;
    /// The lines `[start, base_end)` of base that `side` changed, as
    /// `(start, base_end, side_end)`: the common prefix first, then the
    /// common suffix of what is left, as xdiff trims them.
    fn region(base: &[&[u8]], side: &[&[u8]]) -> (usize, usize, usize) {
        let limit = base.len().min(side.len());
        let prefix = (0..limit).take_while(|&i| base[i] == side[i]).count();
        let suffix = (0..limit - prefix)
            .take_while(|&i| base[base.len() - 1 - i] == side[side.len() - 1 - i])
            .count();
        (prefix, base.len() - suffix, side.len() - suffix)
    }
    let (b, o, t) = (lines(base), lines(ours), lines(theirs));
    if o == b {
        return Some(theirs.to_vec());
    }
    if t == b {
        return Some(ours.to_vec());
    }
    let ro = region(&b, &o);
    let rt = region(&b, &t);
    // The side whose change lies higher up, and the other.
    let ((upper, ru), (lower, rl)) = if rt.1 <= ro.0 {
        ((&t, rt), (&o, ro))
    } else if ro.1 <= rt.0 {
        ((&o, ro), (&t, rt))
    } else {
        return None;
    };
    let changed: std::collections::HashSet<&[u8]> = b[ru.0..ru.1]
        .iter()
        .chain(&upper[ru.0..ru.2])
        .chain(&b[rl.0..rl.1])
        .chain(&lower[rl.0..rl.2])
        .copied()
        .collect();
    if !b[ru.1..rl.0].iter().any(|line| !changed.contains(line)) {
        return None;
    }
    // The upper side up to the lower change (base lines, unchanged by it),
    // then the lower side from there.
    let keep = upper.len() - (b.len() - rl.0);
    let mut merged: Vec<u8> = upper[..keep].concat();
    merged.extend(lower[rl.0..].concat());
    Some(merged)
}
