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
        let half = manifest.files.len() / 2;
        let mut expected = Vec::new();
        for (i, saved) in manifest.files.iter().enumerate() {
            if i == half {
                failpoint("mid-restore", &self.state_dir);
            }
            let rel = saved.path();
            let path = self.root.join(files::rel(&rel));
            let user = entry::load_copy(&dir, saved)?;
            let current = files::read(&path)
                .map_err(|e| WorktreeError::io(format!("cannot read {}", path.display()), &e))?;
            let target = if saved.user.matches(&current) {
                user.clone()
            } else if saved.stashed.matches(&current) {
                report.reapplied.push(rel.clone());
                user.clone()
            } else {
                let merged = match mode {
                    Mode::Merge => merge(&self.root, saved, &user, &current)?,
                    Mode::RollBack => None,
                };
                if let Some(merged) = merged {
                    report.merged.push(rel.clone());
                    merged
                } else {
                    save_aside(&fixes_dir, &rel, &current)?;
                    report.fixes_dir = Some(fixes_dir.clone());
                    report.rolled_back.push(rel.clone());
                    user.clone()
                }
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
        let mut conflicts = Vec::new();
        for saved in &manifest.files {
            let rel = saved.path();
            if !changed.contains(&rel) {
                continue;
            }
            let path = self.root.join(files::rel(&rel));
            let user = entry::load_copy(dir, saved)?;
            let current = files::read(&path)
                .map_err(|e| WorktreeError::io(format!("cannot read {}", path.display()), &e))?;
            if merge(&self.root, saved, &user, &current)?.is_none() {
                conflicts.push(rel);
            }
        }
        Ok(conflicts)
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

/// A three-way merge of the user's unstaged work and the change made since
/// the stash, on the index content as base (`git merge-file`). `None` when
/// they conflict, or either side is not a text file.
fn merge(
    root: &Path,
    saved: &SavedPath,
    user: &Content,
    current: &Content,
) -> Result<Option<Content>, WorktreeError> {
    let (Content::File { bytes: ours, mode }, Content::File { bytes: theirs, .. }) =
        (user, current)
    else {
        return Ok(None);
    };
    let Some(oid) = &saved.index_oid else {
        return Ok(None);
    };
    if saved.index_mode == 0o120_000 {
        return Ok(None);
    }
    let base = git_cli::blob_for_worktree(root, oid, &saved.path(), false)?;
    if [ours, theirs, &base].iter().any(|b| files::is_binary(b)) {
        return Ok(None);
    }
    let tmp = tempfile::tempdir()
        .map_err(|e| WorktreeError::io("cannot create a temporary folder", &e))?;
    let names = ["ours", "base", "theirs"];
    for (name, bytes) in names.iter().zip([ours, &base, theirs]) {
        std::fs::write(tmp.path().join(name), bytes)
            .map_err(|e| WorktreeError::io("cannot write a merge input", &e))?;
    }
    let args: Vec<&OsStr> = ["merge-file", "-p", "--quiet", "ours", "base", "theirs"]
        .iter()
        .map(OsStr::new)
        .collect();
    let mut cmd = std::process::Command::new("git");
    cmd.current_dir(tmp.path());
    match git_cli::output_with(cmd, &args, None) {
        Ok(merged) => Ok(Some(Content::File {
            bytes: merged,
            mode: *mode,
        })),
        // A non-zero exit is the number of conflicts (or an error): roll back.
        Err(_) => Ok(None),
    }
}
