//! Which tracked files the groups of a pre-commit run modified. During the
//! run the work tree is what is committed (the unstaged work is set aside),
//! so a tracked file that changes is a group's doing (a fixer or a code
//! generator imported as a group): the group fails, as pre-commit's hooks
//! do, and its edits stay (issue 13).
//!
//! Cheap: on Linux the kernel's directory events name the files anything
//! touched during the stage (`touched.rs`), so only those are looked at; else,
//! or when the events cannot say, an `lstat` per tracked file (tiergate's
//! in-process index reader). Then a `git diff` only for files whose stat moved
//! since the last look, so a racily clean file or one the stash rewrote is
//! never taken for a modified one.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::git::TrackedFiles;

use super::touched::Touched;
use super::{files, git_cli, guarded, lock, WorktreeError};

/// Above this many directories of tracked files every file is looked at instead.
const MAX_WATCHED_DIRS: usize = 8192;
/// Below this many tracked files every file is looked at instead: an `lstat`
/// of a few thousand files costs well under a millisecond, while closing an
/// inotify instance waits for the kernel's grace period (10 to 20 ms of wall
/// time, measured on the shared bench's S1).
const MIN_FILES_FOR_EVENTS: usize = 20_000;

pub(crate) struct TrackedWatch {
    root: PathBuf,
    index: PathBuf,
    /// The stat-dirty paths as last seen: unchanged since means untouched.
    seen: Mutex<HashMap<Vec<u8>, guarded::Seen>>,
    /// The events of the tracked files' directories, while they can be trusted (dropped for
    /// good at the first they cannot). Which touched paths are tracked is asked of the index
    /// only when something was touched: the list of every tracked file is not kept through
    /// the run (issue 21: peak memory on 50,000 files).
    events: Mutex<Option<Touched>>,
}

impl TrackedWatch {
    /// Start watching, ahead of the run: the caller settles the watch with
    /// [`TrackedWatch::settle`] once the work tree is what the tiers will see. `tracked`: the
    /// index's files as the caller parsed them (`None`: the reader does not take this index,
    /// every file is looked at).
    pub(crate) fn watching(
        root: &Path,
        git_dir: &Path,
        tracked: Option<TrackedFiles>,
    ) -> TrackedWatch {
        Self::watching_above(root, git_dir, tracked, MIN_FILES_FOR_EVENTS)
    }

    /// [`TrackedWatch::watching`], with directory events from `min_files` tracked files.
    fn watching_above(
        root: &Path,
        git_dir: &Path,
        tracked: Option<TrackedFiles>,
        min_files: usize,
    ) -> TrackedWatch {
        let watch = TrackedWatch {
            root: root.to_path_buf(),
            index: lock::index_path(root, git_dir),
            seen: Mutex::new(HashMap::new()),
            events: Mutex::new(None),
        };
        let tracked = tracked.filter(|tracked| tracked.len() >= min_files);
        *watch.events.lock().unwrap_or_else(PoisonError::into_inner) =
            tracked.and_then(|tracked| {
                let dirs = tracked.dirs();
                // A watch per directory costs about what an `lstat` per file does when
                // most directories hold one file; and the user's watch limit is shared.
                if dirs.len() > MAX_WATCHED_DIRS {
                    return None;
                }
                Touched::watch(root, dirs)
            });
        watch
    }

    /// The work tree is now what the tiers see: what happened to it before (the stash
    /// setting files to their index content) is forgotten, and, unless `clean`, the
    /// stat-dirty files are remembered as they are.
    pub(crate) fn settle(&self, clean: bool) -> Result<(), WorktreeError> {
        let mut events = self.events.lock().unwrap_or_else(PoisonError::into_inner);
        if events
            .as_ref()
            .is_some_and(|touched| touched.take().is_none())
        {
            *events = None;
        }
        drop(events);
        let stamps = if clean {
            HashMap::new()
        } else {
            self.stamps()?
        };
        *self.seen.lock().unwrap_or_else(PoisonError::into_inner) = stamps;
        Ok(())
    }

    fn stamps(&self) -> Result<HashMap<Vec<u8>, guarded::Seen>, WorktreeError> {
        Ok(git_cli::unstaged(&self.root, &self.index)?
            .into_iter()
            .map(|u| {
                let path = self.root.join(files::rel(&u.path));
                let seen = guarded::read_stamp(&path);
                (u.path, seen)
            })
            .collect())
    }

    /// The tracked files modified since `start` or the last call, whose
    /// content now differs from the index, in index order.
    pub(crate) fn modified(&self) -> Result<Vec<Vec<u8>>, WorktreeError> {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let mut events = self.events.lock().unwrap_or_else(PoisonError::into_inner);
        let touched = events.as_ref().and_then(|touched| {
            let paths = touched.take()?;
            if paths.is_empty() {
                return Some(Vec::new());
            }
            let tracked = TrackedFiles::read(&self.index)?;
            Some(
                paths
                    .into_iter()
                    .filter(|p| tracked.contains(p))
                    .collect::<Vec<_>>(),
            )
        });
        let now = match touched {
            // Only what was touched can have changed: its stamp as now, beside the
            // others' as last seen.
            Some(paths) => {
                let mut now = seen.clone();
                for path in paths {
                    let stamp = guarded::read_stamp(&self.root.join(files::rel(&path)));
                    now.insert(path, stamp);
                }
                now
            }
            None => {
                *events = None;
                self.stamps()?
            }
        };
        let suspects: Vec<&Vec<u8>> = now
            .iter()
            .filter(|(path, stamp)| seen.get(*path) != Some(stamp))
            .map(|(path, _)| path)
            .collect();
        if suspects.is_empty() {
            *seen = now;
            return Ok(Vec::new());
        }
        let mut args: Vec<OsString> = [
            "diff",
            "--name-only",
            "-z",
            "--no-ext-diff",
            "--no-renames",
            "--ignore-submodules=all",
            "--",
        ]
        .iter()
        .map(OsString::from)
        .collect();
        args.extend(suspects.iter().map(|p| files::os(p)));
        let refs: Vec<&OsStr> = args.iter().map(OsString::as_os_str).collect();
        let out = git_cli::output(&self.root, &refs)?;
        *seen = now;
        let mut modified: Vec<Vec<u8>> = out
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .map(<[u8]>::to_vec)
            .collect();
        modified.sort();
        Ok(modified)
    }
}

#[cfg(test)]
mod tests {
    use super::TrackedWatch;
    use crate::git::fixture::TestRepo;

    fn repo() -> TestRepo {
        let t = TestRepo::new();
        t.write("top.py", "a\n");
        t.write("pkg/a.py", "a\n");
        t.write("pkg/b.py", "b\n");
        t.write("pkg/sub/c.py", "c\n");
        t.commit("base");
        t
    }

    /// A watch on directory events from the first tracked file (a stage of a clean tree).
    fn start_above(
        root: &std::path::Path,
        git_dir: &std::path::Path,
        tracked: Option<crate::git::TrackedFiles>,
    ) -> Result<TrackedWatch, super::WorktreeError> {
        let watch = TrackedWatch::watching_above(root, git_dir, tracked, 0);
        watch.settle(true)?;
        Ok(watch)
    }

    fn names(paths: Vec<Vec<u8>>) -> Vec<String> {
        paths
            .into_iter()
            .map(|p| String::from_utf8(p).unwrap())
            .collect()
    }

    /// After a stage only the files something wrote to are looked at: the
    /// kernel's directory events name them (on Linux).
    #[cfg(target_os = "linux")]
    #[test]
    fn a_stage_is_checked_from_directory_events_not_a_stat_of_every_file() {
        let t = repo();
        let watch = start_above(
            &t.root,
            &t.root.join(".git"),
            crate::git::TrackedFiles::read(&t.root.join(".git/index")),
        )
        .unwrap();
        assert!(
            watch.events.lock().unwrap().is_some(),
            "the directories of tracked files are watched"
        );
        t.write("pkg/a.py", "changed\n");
        t.write("pkg/b.py", "b\n"); // rewritten, same bytes
        t.write("pkg/sub/untracked.txt", "x\n");
        assert_eq!(names(watch.modified().unwrap()), ["pkg/a.py"]);
        assert!(watch.events.lock().unwrap().is_some(), "still trusted");
        assert!(watch.modified().unwrap().is_empty(), "told once");
        std::fs::remove_file(t.root.join("top.py")).unwrap();
        assert_eq!(names(watch.modified().unwrap()), ["top.py"]);
    }

    /// When the events cannot say (a watched directory moved away), every file
    /// is looked at, from then on: nothing is missed, nothing told twice.
    #[test]
    fn a_stage_that_moves_a_directory_is_checked_file_by_file() {
        let t = repo();
        let watch = start_above(
            &t.root,
            &t.root.join(".git"),
            crate::git::TrackedFiles::read(&t.root.join(".git/index")),
        )
        .unwrap();
        t.write("top.py", "changed\n");
        assert_eq!(names(watch.modified().unwrap()), ["top.py"]);
        std::fs::rename(t.root.join("pkg/sub"), t.root.join("moved")).unwrap();
        std::fs::create_dir(t.root.join("pkg/sub")).unwrap();
        std::fs::write(t.root.join("pkg/sub/c.py"), "other\n").unwrap();
        assert_eq!(names(watch.modified().unwrap()), ["pkg/sub/c.py"]);
        assert!(watch.events.lock().unwrap().is_none(), "events given up");
        t.write("pkg/b.py", "changed\n");
        assert_eq!(names(watch.modified().unwrap()), ["pkg/b.py"]);
    }

    /// A watch made before the stash (while the unstaged scan runs): what the stash wrote,
    /// setting a file to its index content, is forgotten when the watch is settled; what a
    /// group writes after is told.
    #[test]
    fn a_watch_made_early_forgets_what_happened_before_it_is_settled() {
        let t = repo();
        t.write("pkg/a.py", "unstaged work\n");
        let watch = TrackedWatch::watching_above(
            &t.root,
            &t.root.join(".git"),
            crate::git::TrackedFiles::read(&t.root.join(".git/index")),
            0,
        );
        // The stash: the file back to its index content, through the watched directory.
        t.write("pkg/a.py", "a\n");
        watch.settle(false).unwrap();
        assert!(
            watch.events.lock().unwrap().is_some(),
            "events still trusted"
        );
        assert!(
            watch.modified().unwrap().is_empty(),
            "the stash is no group's doing"
        );
        t.write("pkg/b.py", "a group's edit\n");
        assert_eq!(names(watch.modified().unwrap()), ["pkg/b.py"]);
    }
}
