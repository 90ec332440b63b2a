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

use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat};

use super::changes::as_path;

use super::index_file::{IndexEntry, IndexFile, ASSUME_VALID, INTENT_TO_ADD, SKIP_WORKTREE};
use super::Repo;

/// Below this many entries the scan runs on the calling thread when asked: threads cost more
/// than they save.
const THREADS_FROM_ENTRIES: usize = 4096;
/// A directory with this many files in a row gets a handle of its own for their `fstatat`s.
const DIR_HANDLE_FROM_FILES: usize = 16;
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
        let threads = crate::exec::cores();
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

    /// The files of the index as parsed for this run (no second read of the file).
    pub(crate) fn tracked(&self) -> Option<TrackedFiles> {
        TrackedFiles::of(self.index_file()?)
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
    let mut differs = false;
    let walked = walk(
        index,
        entries,
        root,
        &mut |n| n % STOP_CHECK_EVERY != 0 || !stop.load(Ordering::Relaxed),
        &mut |_, _| {
            differs = true;
            false
        },
    );
    differs || !walked
}

/// A tracked path whose work-tree file may differ from its index entry, as one line of
/// `git diff-files --raw` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MaybeUnstaged {
    pub(crate) path: Vec<u8>,
    /// The index entry's mode; 0 for an intent-to-add entry, as git shows it.
    pub(crate) index_mode: u32,
    /// The index entry's blob id, in hex (zeros for intent-to-add).
    pub(crate) index_oid: String,
    /// `M` (content, mode or type may differ), `D` (gone), `A` (intent-to-add); `git
    /// diff-files` also gives `T` and `U` (unmerged).
    pub(crate) status: u8,
}

/// Every index entry whose work-tree file may differ from it, in index order: what `git
/// diff-files --raw --ignore-submodules=all` lists (stat-dirty entries included), without a
/// git process. `None` when the index at `index_path` is conflicted or left to libgit2: the
/// caller asks git.
pub(crate) fn list_unstaged(root: &Path, index_path: &Path) -> Option<Vec<MaybeUnstaged>> {
    let index = IndexFile::read(index_path).ok()??;
    if index.has_conflicts() {
        return None;
    }
    let entries = index.entries();
    // After each pre-commit stage the whole index is listed again (what a
    // group modified): on a large index that is one `fstatat` per file, so
    // it is spread over every core like the first scan, in index order.
    let threads = if entries.len() < THREADS_FROM_ENTRIES {
        1
    } else {
        crate::exec::cores()
    };
    let chunk = entries.len().div_ceil(threads).max(1);
    let parts: Vec<Option<Vec<MaybeUnstaged>>> = std::thread::scope(|scope| {
        let workers: Vec<_> = entries
            .chunks(chunk)
            .map(|part| {
                let index = &index;
                scope.spawn(move || list_part(index, part, root))
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or(None))
            .collect()
    });
    let mut found = Vec::new();
    for part in parts {
        found.extend(part?);
    }
    Some(found)
}

/// The files of an index that are in the work tree (no conflicts, no skip-worktree entries),
/// for watching which of them something writes to.
pub(crate) struct TrackedFiles(Arc<IndexFile>);

impl TrackedFiles {
    /// `None` when tiergate's reader does not take the index or it is conflicted.
    pub(crate) fn read(index_path: &Path) -> Option<TrackedFiles> {
        Self::of(Arc::new(IndexFile::read(index_path).ok()??))
    }

    /// The tracked files of an index already read; `None` when it is conflicted.
    pub(crate) fn of(index: Arc<IndexFile>) -> Option<TrackedFiles> {
        (!index.has_conflicts()).then_some(TrackedFiles(index))
    }

    fn in_work_tree(entry: &IndexEntry) -> bool {
        entry.flags_extended & SKIP_WORKTREE == 0
    }

    /// How many entries the index has.
    pub(crate) fn len(&self) -> usize {
        self.0.entries().len()
    }

    /// The directories holding them ("" for the top), each once.
    pub(crate) fn dirs(&self) -> Vec<&[u8]> {
        let mut dirs: Vec<&[u8]> = Vec::new();
        for entry in self.0.entries().iter().filter(|e| Self::in_work_tree(e)) {
            let path = self.0.path(entry);
            let dir = path
                .iter()
                .rposition(|&b| b == b'/')
                .map_or(&path[..0], |slash| &path[..slash]);
            // Index order keeps a directory's files together, save for subdirectories
            // sorting between them: a short look back dedups nearly all, a sort the rest.
            if !dirs.iter().rev().take(8).any(|d| *d == dir) {
                dirs.push(dir);
            }
        }
        dirs.sort_unstable();
        dirs.dedup();
        dirs
    }

    /// Whether `path` is one of them.
    pub(crate) fn contains(&self, path: &[u8]) -> bool {
        let entries = self.0.entries();
        entries
            .binary_search_by(|e| self.0.path(e).cmp(path))
            .is_ok_and(|i| Self::in_work_tree(&entries[i]))
    }
}

/// What may differ among `entries` (a slice of `index`'s), in their order;
/// `None` when the work tree could not be walked.
fn list_part(index: &IndexFile, entries: &[IndexEntry], root: &Path) -> Option<Vec<MaybeUnstaged>> {
    let mut found = Vec::new();
    let walked = walk(index, entries, root, &mut |_| true, &mut |entry, status| {
        let ita = status == b'A';
        found.push(MaybeUnstaged {
            path: index.path(entry).to_vec(),
            index_mode: if ita { 0 } else { entry.mode },
            index_oid: if ita {
                "0".repeat(40)
            } else {
                git2::Oid::from_bytes(&entry.oid)
                    .map_or_else(|_| "0".repeat(40), |id| id.to_string())
            },
            status,
        });
        true
    });
    walked.then_some(found)
}

/// Compares each of `entries` with its work-tree file, calling `differs` with a status (see
/// `MaybeUnstaged`) for each that may differ. `keep_going(n)` is asked before the `n`th
/// entry and `differs` after each difference; either answering false stops the walk. Answers
/// false when it stopped early or could not open the work tree.
fn walk(
    index: &IndexFile,
    entries: &[IndexEntry],
    root: &Path,
    keep_going: &mut dyn FnMut(usize) -> bool,
    differs: &mut dyn FnMut(&IndexEntry, u8) -> bool,
) -> bool {
    // Directory handles: the work tree's, and the one of a directory with many files in a
    // row (entries come sorted). Each `fstatat` then walks from its directory, not from `/`:
    // path lookup is most of an `lstat`'s cost here (issue 7: 50,000 files). A directory of
    // a few files is not worth an `open` and a `close`.
    let Some(root) = open_dir(rustix::fs::CWD, root) else {
        return false;
    };
    let mut current: Option<(&[u8], Option<OwnedFd>)> = None;
    for (n, entry) in entries.iter().enumerate() {
        if !keep_going(n) {
            return false;
        }
        if entry.flags & ASSUME_VALID != 0 || entry.flags_extended & SKIP_WORKTREE != 0 {
            continue;
        }
        if entry.flags_extended & INTENT_TO_ADD != 0 {
            if !differs(entry, b'A') {
                return false;
            }
            continue;
        }
        // Submodules are left alone (SPEC 8).
        if entry.mode == 0o160_000 {
            continue;
        }
        let path = index.path(entry);
        let (dir, name) = split_parent(path);
        if current.as_ref().is_none_or(|(open, _)| *open != dir) {
            let run = entries[n..]
                .iter()
                .take(DIR_HANDLE_FROM_FILES)
                .take_while(|e| split_parent(index.path(e)).0 == dir)
                .count();
            // A directory that cannot be opened (gone, say) is looked into from the root.
            let fd = (!dir.is_empty() && run >= DIR_HANDLE_FROM_FILES)
                .then(|| open_dir(&root, as_path(dir)))
                .flatten();
            current = Some((dir, fd));
        }
        let stat = match current.as_ref().and_then(|(_, fd)| fd.as_ref()) {
            Some(fd) => rustix::fs::statat(fd, as_path(name), AtFlags::SYMLINK_NOFOLLOW),
            None => rustix::fs::statat(&root, as_path(path), AtFlags::SYMLINK_NOFOLLOW),
        };
        let status = match stat {
            Ok(stat) if !stat_differs(entry, &stat, index.mtime) => continue,
            Err(e) if e == rustix::io::Errno::NOENT || e == rustix::io::Errno::NOTDIR => b'D',
            // Differs, or cannot be looked at (whoever reads it next says why).
            Ok(_) | Err(_) => b'M',
        };
        if !differs(entry, status) {
            return false;
        }
    }
    true
}

/// `a/b/c.txt` -> (`a/b`, `c.txt`); a top-level name has an empty parent.
fn split_parent(path: &[u8]) -> (&[u8], &[u8]) {
    match path.iter().rposition(|&b| b == b'/') {
        Some(slash) => (&path[..slash], &path[slash + 1..]),
        None => (&path[..0], path),
    }
}

fn open_dir(at: impl AsFd, path: &Path) -> Option<OwnedFd> {
    rustix::fs::openat(
        at,
        path,
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .ok()
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
    // git "smudges" a racily clean entry when it writes the index by zeroing its size: a
    // size of 0 proves nothing unless the staged blob is empty too.
    let smudged = entry.size == 0 && entry.mode & 0o170_000 != 0o120_000 && entry.oid != EMPTY_BLOB;
    !same || racy || smudged
}

/// The id of the empty blob (`git hash-object /dev/null`).
const EMPTY_BLOB: [u8; 20] = [
    0xe6, 0x9d, 0xe2, 0x9b, 0xb2, 0xd1, 0xd6, 0x43, 0x4b, 0x8b, 0x29, 0xae, 0x77, 0x5a, 0xd8, 0xc2,
    0xe4, 0x8c, 0x53, 0x91,
];

#[cfg(test)]
mod tests {
    use crate::git::fixture::TestRepo;

    /// Let the file timestamps fall behind the index's, as they do in use (else every entry
    /// is "racy" and proves nothing).
    fn settle(t: &TestRepo) {
        std::thread::sleep(std::time::Duration::from_millis(20));
        t.git(&["update-index", "--really-refresh"]);
    }

    #[test]
    fn unstaged_changes_are_seen_by_stat_and_a_clean_tree_is_not() {
        let t = TestRepo::new();
        t.write("a.txt", "a\n");
        t.write("b.sh", "echo\n");
        t.commit("base");
        settle(&t);
        assert!(
            !t.open().has_unstaged_changes(),
            "a clean tree has no unstaged change"
        );

        t.write("a.txt", "a2\n");
        assert!(t.open().has_unstaged_changes(), "a modified file");
        t.git(&["checkout", "--", "a.txt"]);
        settle(&t);
        assert!(!t.open().has_unstaged_changes());

        std::fs::set_permissions(
            t.root.join("b.sh"),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        assert!(t.open().has_unstaged_changes(), "an executable bit");
        std::fs::set_permissions(
            t.root.join("b.sh"),
            std::os::unix::fs::PermissionsExt::from_mode(0o644),
        )
        .unwrap();

        t.remove("a.txt");
        assert!(t.open().has_unstaged_changes(), "a deleted file");
        t.git(&["checkout", "--", "a.txt"]);
        t.write("new.txt", "n\n");
        t.git(&["add", "-N", "new.txt"]);
        assert!(t.open().has_unstaged_changes(), "intent to add");
    }

    /// Large directories are scanned through a handle of their own, large indexes on several
    /// threads: a change anywhere is still seen.
    #[test]
    fn a_change_anywhere_in_a_large_tree_is_seen() {
        let t = TestRepo::new();
        let mut files = Vec::new();
        for d in 0..3 {
            for f in 0..1500 {
                let path = format!("dir{d}/sub/f{f:04}.txt");
                t.write(&path, &format!("{f}\n"));
                files.push(path);
            }
        }
        t.write("top.txt", "top\n");
        t.commit("base");
        settle(&t);
        assert!(!t.open().has_unstaged_changes(), "a clean tree");
        for path in [&files[0], &files[2222], files.last().unwrap()] {
            t.write(path, "changed\n");
            assert!(t.open().has_unstaged_changes(), "{path} modified");
            t.git(&["checkout", "--", path]);
            settle(&t);
            t.remove(path);
            assert!(t.open().has_unstaged_changes(), "{path} deleted");
            t.git(&["checkout", "--", path]);
            settle(&t);
        }
        assert!(!t.open().has_unstaged_changes(), "clean again");
    }

    /// On a large index the list is made on several threads (after every pre-commit stage):
    /// it is still every changed path, in index order, as `git diff-files` lists them.
    #[test]
    fn the_list_of_a_large_index_is_whole_and_in_order() {
        let t = TestRepo::new();
        let mut files = Vec::new();
        for d in 0..3 {
            for f in 0..1500 {
                let path = format!("dir{d}/sub/f{f:04}.txt");
                t.write(&path, &format!("{f}\n"));
                files.push(path);
            }
        }
        t.commit("base");
        settle(&t);
        let changed = [
            &files[0],
            &files[1499],
            &files[2250],
            &files[3001],
            &files[4499],
        ];
        for path in changed {
            t.write(path, "changed\n");
        }
        let listed: Vec<String> = super::list_unstaged(&t.root, &t.root.join(".git/index"))
            .expect("a readable index")
            .into_iter()
            .map(|u| String::from_utf8(u.path).unwrap())
            .collect();
        let expected: Vec<String> = changed.iter().map(|p| (*p).clone()).collect();
        assert_eq!(listed, expected);
    }

    /// The in-process list is what `git diff-files --raw` lists (a type change is an `M`
    /// here: callers only tell deletions and intent-to-add apart).
    #[test]
    fn the_list_of_maybe_unstaged_paths_is_git_diff_files() {
        let t = TestRepo::new();
        for name in [
            "mod.txt", "gone.txt", "mode.sh", "link", "same.txt", "big/a", "big/b",
        ] {
            t.write(name, &format!("{name}\n"));
        }
        for n in 0..40 {
            t.write(format!("big/many/f{n:02}"), "x\n");
        }
        t.write("skipped.txt", "s\n");
        t.commit("base");
        t.git(&["update-index", "--skip-worktree", "skipped.txt"]);
        settle(&t);
        t.write("mod.txt", "changed\n");
        t.remove("gone.txt");
        t.remove("big/many/f17");
        t.write("big/many/f30", "changed too\n");
        std::fs::set_permissions(
            t.root.join("mode.sh"),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        t.remove("link");
        std::os::unix::fs::symlink("mod.txt", t.root.join("link")).unwrap();
        t.write("skipped.txt", "ignored by git\n");
        t.write("ita.txt", "i\n");
        t.git(&["add", "-N", "ita.txt"]);

        let ours: Vec<(Vec<u8>, u32, String, u8)> =
            super::list_unstaged(&t.root, &t.root.join(".git/index"))
                .expect("a readable index")
                .into_iter()
                .map(|u| (u.path, u.index_mode, u.index_oid, u.status))
                .collect();
        let raw = t.git(&[
            "diff-files",
            "--raw",
            "-z",
            "--no-renames",
            "--ignore-submodules=all",
        ]);
        let mut fields = raw.split(|&b| b == 0).filter(|f| !f.is_empty());
        let mut git = Vec::new();
        while let Some(meta) = fields.next() {
            let path = fields.next().unwrap().to_vec();
            let meta = String::from_utf8_lossy(meta);
            let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
            let status = match parts[4].as_bytes()[0] {
                b'T' => b'M',
                other => other,
            };
            git.push((
                path,
                u32::from_str_radix(parts[0], 8).unwrap(),
                parts[2].to_owned(),
                status,
            ));
        }
        assert_eq!(ours, git);
        assert_eq!(ours.len(), 7, "{ours:?}");
    }

    /// git zeroes the size of a racily clean entry when it writes the index; such an entry
    /// must never pass for clean, even when the work-tree file is empty and every other stat
    /// field matches.
    #[test]
    fn a_smudged_entry_is_never_clean() {
        use std::os::unix::fs::MetadataExt;
        let t = TestRepo::new();
        t.write("full.txt", "content");
        t.commit("base");
        t.write("full.txt", "");
        // Give the entry (still the 7-byte blob) the empty file's stat data, size 0: what a
        // smudged entry looks like. The checksum goes stale; this reader does not check it.
        let index_path = t.root.join(".git/index");
        let mut bytes = std::fs::read(&index_path).unwrap();
        let at = bytes.windows(8).position(|w| w == b"full.txt").unwrap() - 62;
        let meta = std::fs::metadata(t.root.join("full.txt")).unwrap();
        let mut put = |offset: usize, value: i64| {
            let value = u32::try_from(value & 0xffff_ffff).unwrap();
            bytes[at + offset..at + offset + 4].copy_from_slice(&value.to_be_bytes());
        };
        put(0, meta.ctime());
        put(4, meta.ctime_nsec());
        put(8, meta.mtime());
        put(12, meta.mtime_nsec());
        put(20, i64::try_from(meta.ino()).unwrap());
        put(36, 0);
        std::fs::write(&index_path, &bytes).unwrap();
        settle_file_behind(&index_path);
        let listed = super::list_unstaged(&t.root, &index_path).unwrap();
        let paths: Vec<&[u8]> = listed.iter().map(|u| u.path.as_slice()).collect();
        assert_eq!(paths, [b"full.txt".as_slice()], "{listed:?}");
    }

    /// Touches `index` so that its mtime is later than the files'.
    fn settle_file_behind(index: &std::path::Path) {
        std::thread::sleep(std::time::Duration::from_millis(20));
        let bytes = std::fs::read(index).unwrap();
        std::fs::write(index, bytes).unwrap();
    }
}
