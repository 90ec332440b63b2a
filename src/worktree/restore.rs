//! Putting the user's unstaged work back after a run (SPEC 8, step 3):
//! formatter fixes merged on top when they do not conflict, otherwise rolled
//! back from the saved copies (never from the live index) and saved aside.
//! The entry is deleted only after every path was verified.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::entry::{self, SavedPath};
use super::files::{self, Content};
use super::stash::Stash;
use super::{failpoint, git_cli, WorktreeError};

/// What to do with a saved path that something (a formatter) changed during
/// the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Merge the change with the user's work; on a conflict, roll it back.
    Merge,
    /// Always put the user's exact bytes back (interrupt, error, panic).
    RollBack,
}

/// What a restore did, for the report.
#[derive(Debug, Default)]
pub(crate) struct Restored {
    /// Paths given back their unstaged content.
    pub(crate) reapplied: Vec<Vec<u8>>,
    /// Paths where formatter fixes were merged with the unstaged content.
    pub(crate) merged: Vec<Vec<u8>>,
    /// Paths whose formatter fixes were rolled back and saved aside.
    pub(crate) rolled_back: Vec<Vec<u8>>,
    /// Where rolled-back fixes were saved.
    pub(crate) fixes_dir: Option<PathBuf>,
}

impl Stash {
    /// Restore the saved work; idempotent (a second call does nothing).
    pub(crate) fn restore(&mut self, mode: Mode) -> Result<Restored, WorktreeError> {
        let mut report = Restored::default();
        if self.done {
            return Ok(report);
        }
        let (Some(dir), Some(manifest)) = (self.dir.clone(), self.manifest.clone()) else {
            // Nothing was saved: the entry folder (if made) holds no manifest.
            if let Some(dir) = &self.dir {
                let _ = std::fs::remove_dir_all(dir);
            }
            self.done = true;
            return Ok(report);
        };
        let fixes_dir = fixes_dir(&dir);
        // First what each path holds now, then the merges (all at once),
        // then the writes.
        let mut paths = Vec::with_capacity(manifest.files.len());
        for saved in &manifest.files {
            let rel = saved.path();
            let path = self.root.join(files::rel(&rel));
            let user = entry::load_copy(&dir, saved)?;
            let current = files::read(&path)
                .map_err(|e| WorktreeError::io(format!("cannot read {}", path.display()), &e))?;
            paths.push((saved, rel, path, user, current));
        }
        let changed: Vec<(&SavedPath, &Content, &Content)> = paths
            .iter()
            .filter(|(saved, _, _, _, current)| {
                !saved.user.matches(current) && !saved.stashed.matches(current)
            })
            .map(|(saved, _, _, user, current)| (*saved, user, current))
            .collect();
        let mut merged = match mode {
            Mode::Merge => merge_all(&self.root, &self.bases, &changed)?,
            Mode::RollBack => vec![None; changed.len()],
        }
        .into_iter();
        let half = paths.len() / 2;
        let mut expected = Vec::new();
        for (i, (saved, rel, path, user, current)) in paths.into_iter().enumerate() {
            if i == half {
                failpoint("mid-restore", &self.state_dir);
            }
            let target = if saved.user.matches(&current) {
                user
            } else if saved.stashed.matches(&current) {
                report.reapplied.push(rel);
                user
            } else if let Some(merged) = merged.next().flatten() {
                // Set aside only because the scan could not be sure (a file
                // just checked out, or restaged): the user had no unstaged
                // change here, so nothing of theirs was merged with the fixes.
                if !saved.stashed.matches(&user) {
                    report.merged.push(rel);
                }
                merged
            } else {
                save_aside(&fixes_dir, &rel, &current)?;
                report.fixes_dir = Some(fixes_dir.clone());
                report.rolled_back.push(rel);
                user
            };
            if target != current {
                files::write_unsynced(&path, &target).map_err(|e| {
                    WorktreeError::io(format!("cannot restore {}", path.display()), &e)
                })?;
            }
            expected.push((path, target));
        }
        // Verify before the entry goes: it is the only copy left.
        for (path, target) in &expected {
            let now = files::read(path)
                .map_err(|e| WorktreeError::io(format!("cannot verify {}", path.display()), &e))?;
            if &now != target && *target != Content::Other {
                return Err(WorktreeError::Io(format!(
                    "{} does not hold the restored content; the saved copy stays in {}",
                    path.display(),
                    dir.display()
                )));
            }
        }
        // Durable before the entry goes: the restored files are then the
        // only copy of the user's work.
        files::sync_paths(expected.iter().map(|(p, _)| p.as_path()));
        remove_entry(&dir)?;
        self.done = true;
        Ok(report)
    }

    /// The saved paths whose change since the stash would conflict with the
    /// user's unstaged work (decided before anything is restaged).
    pub(crate) fn conflicts(&self, changed: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, WorktreeError> {
        let (Some(dir), Some(manifest)) = (&self.dir, &self.manifest) else {
            return Ok(Vec::new());
        };
        let mut items = Vec::new();
        for saved in &manifest.files {
            let rel = saved.path();
            if !changed.contains(&rel) {
                continue;
            }
            let path = self.root.join(files::rel(&rel));
            let user = entry::load_copy(dir, saved)?;
            let current = files::read(&path)
                .map_err(|e| WorktreeError::io(format!("cannot read {}", path.display()), &e))?;
            items.push((saved, rel, user, current));
        }
        let inputs: Vec<(&SavedPath, &Content, &Content)> = items
            .iter()
            .map(|(saved, _, user, current)| (*saved, user, current))
            .collect();
        let merged = merge_all(&self.root, &self.bases, &inputs)?;
        Ok(items
            .into_iter()
            .zip(merged)
            .filter(|(_, m)| m.is_none())
            .map(|((_, rel, _, _), _)| rel)
            .collect())
    }
}

impl Drop for Stash {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        match self.restore(Mode::RollBack) {
            Ok(report) => {
                if let Some(fixes) = report.fixes_dir {
                    crate::ui::warn(&format!(
                        "tiergate: your unstaged changes are restored; changes made during the run are saved in {}",
                        fixes.display()
                    ));
                }
            }
            Err(e) => crate::ui::error(&e.into_error()),
        }
    }
}

/// Where the rolled-back fixes of entry `dir` go: beside it, outside any entry.
pub(super) fn fixes_dir(dir: &Path) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(".fixes");
    dir.with_file_name(name)
}

fn save_aside(fixes_dir: &Path, rel: &[u8], current: &Content) -> Result<(), WorktreeError> {
    let path = fixes_dir.join(files::rel(rel));
    files::write(&path, current)
        .map_err(|e| WorktreeError::io(format!("cannot save the fixes to {}", path.display()), &e))
}

fn remove_entry(dir: &Path) -> Result<(), WorktreeError> {
    std::fs::remove_dir_all(dir)
        .map_err(|e| WorktreeError::io(format!("cannot remove {}", dir.display()), &e))?;
    if let Some(parent) = dir.parent() {
        files::sync_dir(parent);
    }
    Ok(())
}

/// The merges one worker made, by item index.
type Merged = Vec<(usize, Option<Content>)>;

/// Three-way merges of the user's unstaged work and the change made since
/// the stash, on the saved index content as base (`git merge-file`), for
/// each `(saved, user, current)`. `None` where they conflict, or a side is
/// not a text file. The bases are read in one go; the merges run side by side.
fn merge_all(
    root: &Path,
    known: &std::collections::HashMap<Vec<u8>, Vec<u8>>,
    items: &[(&SavedPath, &Content, &Content)],
) -> Result<Vec<Option<Content>>, WorktreeError> {
    // The items that can merge at all: two regular files on a regular base.
    let candidates: Vec<(usize, &str, Vec<u8>)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, (saved, user, current))| {
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
    let mut read = git_cli::blobs_for_worktree(root, &blobs)?.into_iter();
    let mut jobs: Vec<(usize, Vec<u8>)> = Vec::with_capacity(candidates.len());
    for (i, _, path) in &candidates {
        let base = match known.get(path) {
            Some(bytes) => bytes.clone(),
            None => read.next().ok_or_else(|| {
                WorktreeError::Io("git checkout-index returned too few files".into())
            })?,
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
                            let (_, user, current) = items[*i];
                            merge_one(&tmp.join(i.to_string()), user, base, current)
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
/// content.
fn merge_one(
    dir: &Path,
    user: &Content,
    base: &[u8],
    current: &Content,
) -> Result<Option<Content>, WorktreeError> {
    let (Content::File { bytes: ours, mode }, Content::File { bytes: theirs, .. }) =
        (user, current)
    else {
        return Ok(None);
    };
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
    fn lines(bytes: &[u8]) -> Vec<&[u8]> {
        bytes.split_inclusive(|&b| b == b'\n').collect()
    }
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
