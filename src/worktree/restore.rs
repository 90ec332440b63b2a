//! Putting the user's unstaged work back after a run (SPEC 8, step 3):
//! formatter fixes merged on top when they do not conflict, otherwise rolled
//! back from the saved copies (never from the live index) and saved aside.
//! Another program's writes during the run (an editor, a watcher) are
//! merged with the user's work, or, where they overlap, both versions are
//! kept; a file is only written when it still is what was read.
//! The entry is deleted only after every path was verified.

use std::path::{Path, PathBuf};

use super::entry::{self, SavedPath};
use super::files::{self, Content};
use super::merge::{merge_all, MergeInput};
use super::stash::Stash;
use super::{failpoint, guarded, WorktreeError};

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
    /// Paths another program wrote during the run, its writes merged with
    /// the unstaged content.
    pub(crate) concurrent: Vec<Vec<u8>>,
    /// Paths another program wrote during the run where its writes overlap
    /// the unstaged content: the file keeps them, the unstaged version is
    /// in `kept_dir`.
    pub(crate) kept_both: Vec<Vec<u8>>,
    pub(crate) kept_dir: Option<PathBuf>,
}

impl Stash {
    /// Record what the formatters left in the saved paths, so that a later
    /// change (another program's, during the tiers) is told from theirs.
    pub(crate) fn end_formatting(&mut self) -> Result<(), WorktreeError> {
        let Some(manifest) = &self.manifest else {
            return Ok(());
        };
        for saved in &manifest.files {
            let rel = saved.path();
            let path = self.root.join(files::rel(&rel));
            let now = files::read(&path)
                .map_err(|e| WorktreeError::io(format!("cannot read {}", path.display()), &e))?;
            if !self.is_stashed(saved, &rel, &now) {
                self.formatted.insert(rel, now);
            }
        }
        self.formatting_ended = true;
        Ok(())
    }

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
        let kept_dir = kept_dir(&dir);
        // First what each path holds now, then the merges (all at once),
        // then the writes.
        let mut items = Vec::with_capacity(manifest.files.len());
        for saved in &manifest.files {
            let rel = saved.path();
            let path = self.root.join(files::rel(&rel));
            let user = match self.users.get(&rel) {
                Some(user) => user.clone(),
                None => entry::load_copy(&dir, saved)?,
            };
            let (current, seen) = guarded::read(&path)
                .map_err(|e| WorktreeError::io(format!("cannot read {}", path.display()), &e))?;
            items.push(Item {
                saved,
                rel,
                path,
                user,
                current,
                seen,
            });
        }
        let mut plans = self.decide(&items, mode)?.into_iter();
        let half = items.len() / 2;
        let mut expected = Vec::new();
        for (i, item) in items.iter_mut().enumerate() {
            if i == half {
                failpoint("mid-restore", &self.state_dir);
            }
            let mut plan = plans.next().unwrap_or(Plan::Keep);
            let mut attempts = 0;
            // Written only if the file is still what was read: a write by
            // another program since is merged in, never written over.
            let after = loop {
                let Some(target) = plan.target(&item.user) else {
                    break item.seen;
                };
                if *target == item.current {
                    break item.seen;
                }
                if plan == Plan::RolledBack {
                    save_aside(&fixes_dir, &item.rel, &item.current)?;
                }
                let written =
                    guarded::write_if_unchanged(&item.path, target, item.seen).map_err(|e| {
                        WorktreeError::io(format!("cannot restore {}", item.path.display()), &e)
                    })?;
                if let guarded::Written::Done(after) = written {
                    break after;
                }
                attempts += 1;
                if attempts > RETRIES {
                    return Err(WorktreeError::Io(format!(
                        "{} kept changing while tiergate put your work back; the saved copy stays in {}",
                        item.path.display(),
                        dir.display()
                    )));
                }
                (item.current, item.seen) = guarded::read(&item.path).map_err(|e| {
                    WorktreeError::io(format!("cannot read {}", item.path.display()), &e)
                })?;
                plan = self
                    .decide(std::slice::from_ref(item), mode)?
                    .pop()
                    .unwrap_or(Plan::Keep);
            };
            let rel = item.rel.clone();
            match &plan {
                Plan::Keep => {}
                Plan::Reapply => report.reapplied.push(rel),
                // Set aside only because the scan could not be sure (a file
                // just checked out, or restaged): the user had no unstaged
                // change here, so nothing of theirs was merged with the fixes.
                Plan::Merged(_) if self.is_stashed(item.saved, &item.rel, &item.user) => {}
                Plan::Merged(_) => report.merged.push(rel),
                Plan::RolledBack => {
                    report.fixes_dir = Some(fixes_dir.clone());
                    report.rolled_back.push(rel);
                }
                Plan::Concurrent(_) => report.concurrent.push(rel),
                Plan::KeptBoth => {
                    let aside = kept_dir.join(files::rel(&rel));
                    files::write(&aside, &item.user).map_err(|e| {
                        WorktreeError::io(format!("cannot save {}", aside.display()), &e)
                    })?;
                    report.kept_dir = Some(kept_dir.clone());
                    report.kept_both.push(rel);
                    expected.push((aside, item.user.clone(), None));
                }
            }
            if let Some(target) = plan.target(&item.user) {
                expected.push((item.path.clone(), target.clone(), Some(after)));
            }
        }
        // Verify before the entry goes: it is the only copy left. A file
        // another program wrote after tiergate's write holds that
        // program's write, not tiergate's to check.
        for (path, target, after) in &expected {
            let (now, stamp) = guarded::read(path)
                .map_err(|e| WorktreeError::io(format!("cannot verify {}", path.display()), &e))?;
            let ours = after.is_none_or(|after| after == stamp);
            if ours && &now != target && *target != Content::Other {
                return Err(WorktreeError::Io(format!(
                    "{} does not hold the restored content; the saved copy stays in {}",
                    path.display(),
                    dir.display()
                )));
            }
        }
        // Durable before the entry goes: the restored files are then the
        // only copy of the user's work.
        files::sync_paths(expected.iter().map(|(p, _, _)| p.as_path()));
        remove_entry(&dir)?;
        self.done = true;
        Ok(report)
    }

    /// What to do with each item: formatter changes merged (or rolled back),
    /// other programs' changes merged (or both versions kept).
    fn decide(&self, items: &[Item<'_>], mode: Mode) -> Result<Vec<Plan>, WorktreeError> {
        let mut plans = Vec::with_capacity(items.len());
        let mut merges: Vec<(usize, bool)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            // The user's content is the saved copy just read: compared byte
            // for byte, not by digest.
            let plan = if same_state(&item.user, &item.current) {
                Plan::Keep
            } else if self.is_stashed(item.saved, &item.rel, &item.current) {
                Plan::Reapply
            } else {
                let by_formatter = self
                    .formatted
                    .get(&item.rel)
                    .is_some_and(|fixed| fixed.same_for_git(&item.current));
                match (&item.user, &item.current) {
                    // Nothing was there for the run (intent-to-add): what
                    // was written since comes after the user's content.
                    (Content::File { bytes, mode }, Content::File { bytes: theirs, .. })
                        if !by_formatter && item.saved.stashed.kind == "absent" =>
                    {
                        Plan::Concurrent(Content::File {
                            bytes: [bytes.as_slice(), theirs].concat(),
                            mode: *mode,
                        })
                    }
                    _ if by_formatter && mode == Mode::RollBack => Plan::RolledBack,
                    _ => {
                        merges.push((i, !by_formatter));
                        Plan::Keep
                    }
                }
            };
            plans.push(plan);
        }
        let inputs: Vec<MergeInput<'_>> = merges
            .iter()
            .map(|&(i, concurrent)| {
                (
                    items[i].saved,
                    &items[i].user,
                    &items[i].current,
                    concurrent,
                )
            })
            .collect();
        let merged = merge_all(&self.root, &self.bases, self.verbatim.as_ref(), &inputs)?;
        for ((i, concurrent), merged) in merges.into_iter().zip(merged) {
            plans[i] = match (concurrent, merged) {
                (false, Some(m)) => Plan::Merged(m),
                (false, None) => Plan::RolledBack,
                (true, Some(m)) => Plan::Concurrent(m),
                (true, None) => Plan::KeptBoth,
            };
        }
        Ok(plans)
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
        let inputs: Vec<MergeInput<'_>> = items
            .iter()
            .map(|(saved, _, user, current)| (*saved, user, current, false))
            .collect();
        let merged = merge_all(&self.root, &self.bases, self.verbatim.as_ref(), &inputs)?;
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
                if let Some(kept) = report.kept_dir {
                    crate::ui::warn(&format!(
                        "tiergate: files another program wrote during the run keep its writes; your unstaged versions are saved in {}",
                        kept.display()
                    ));
                }
            }
            Err(e) => crate::ui::error(&e.into_error()),
        }
    }
}

/// Whether `a` and `b` are the same state as git sees it, as
/// `State::of(a).matches(b)` says without hashing either: anything that is
/// neither a file nor a symlink counts as absent, and a file's mode only by
/// its executable bit.
fn same_state(a: &Content, b: &Content) -> bool {
    match (a, b) {
        (Content::Absent | Content::Other, Content::Absent | Content::Other) => true,
        _ => a.same_for_git(b),
    }
}

/// Where the rolled-back fixes of entry `dir` go: beside it, outside any entry.
pub(super) fn fixes_dir(dir: &Path) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(".fixes");
    dir.with_file_name(name)
}

/// Where the user's versions of files another program wrote during the
/// run of entry `dir` go, when both are kept: beside it, outside any entry.
pub(super) fn kept_dir(dir: &Path) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(".kept");
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

/// A saved path being restored: what it holds now, and its stamp then.
struct Item<'a> {
    saved: &'a SavedPath,
    rel: Vec<u8>,
    path: PathBuf,
    user: Content,
    current: Content,
    seen: guarded::Seen,
}

/// What becomes of one saved path.
#[derive(Debug, PartialEq, Eq)]
enum Plan {
    /// It holds the user's content already (or is set to it).
    Keep,
    /// It holds what tiergate put there: the user's content goes back.
    Reapply,
    /// A formatter's fixes, merged with the user's work.
    Merged(Content),
    /// A formatter's fixes, rolled back (saved aside); the user's content goes back.
    RolledBack,
    /// Another program's writes, merged with the user's work.
    Concurrent(Content),
    /// Another program's writes overlap the user's work: the file keeps
    /// them, the user's version is saved aside.
    KeptBoth,
}

impl Plan {
    /// What the path must hold; `None`: leave it as it is.
    fn target<'a>(&'a self, user: &'a Content) -> Option<&'a Content> {
        match self {
            Plan::Keep | Plan::Reapply | Plan::RolledBack => Some(user),
            Plan::Merged(content) | Plan::Concurrent(content) => Some(content),
            Plan::KeptBoth => None,
        }
    }
}

/// How many times a path another program keeps writing is read again.
const RETRIES: usize = 50;
