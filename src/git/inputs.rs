//! The files a cache key covers: `(path, mode, blob id)` of every tracked file,
//! plus untracked ones when asked.
//!
//! Clean files take their blob id from the index without being read: libgit2's
//! status compares the index's stat data with the work tree's, as `git status`
//! does, and only the files it reports as modified are read and hashed.

use std::os::unix::ffi::OsStrExt;

use git2::{ObjectType, Oid, Status, StatusOptions, StatusShow};

use super::{GitError, Repo, RepoPath};

/// Git's file modes, as they appear in trees and the index.
const MODE_FILE: u32 = 0o100_644;
const MODE_EXECUTABLE: u32 = 0o100_755;
const MODE_SYMLINK: u32 = 0o120_000;
/// A file the index has but the work tree lacks.
const MODE_DELETED: u32 = 0;

/// One input: its content is identified by `id`, a git blob id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InputFile {
    pub(crate) path: RepoPath,
    pub(crate) mode: u32,
    pub(crate) id: Oid,
    /// In the index (else an untracked file, listed only when asked for).
    pub(crate) tracked: bool,
}

impl Repo {
    /// Every tracked file as the work tree has it, sorted by path; with `untracked`, also the
    /// untracked files that are not ignored.
    pub(crate) fn input_files(&self, untracked: bool) -> Result<Vec<InputFile>, GitError> {
        let index = self.with_index()?.index()?;
        let mut opts = StatusOptions::new();
        opts.show(StatusShow::Workdir)
            .include_untracked(untracked)
            .recurse_untracked_dirs(untracked)
            .include_ignored(false)
            .exclude_submodules(true)
            // Racily clean files are compared by content, as git does; nothing else is read.
            .update_index(false);
        let statuses = self.raw().statuses(Some(&mut opts))?;
        let mut dirty: std::collections::HashMap<Vec<u8>, Status> =
            std::collections::HashMap::new();
        for entry in statuses.iter() {
            dirty.insert(entry.path_bytes().to_vec(), entry.status());
        }

        let mut files = Vec::with_capacity(index.len());
        for entry in index.iter() {
            // Conflict stages: keep stage 0, or the first one seen (`dedup` below).
            match dirty.remove(entry.path.as_slice()) {
                None => files.push(InputFile {
                    path: entry.path,
                    mode: entry.mode,
                    id: entry.id,
                    tracked: true,
                }),
                Some(_) => files.push(self.hash_work_file(&entry.path, true)),
            }
        }
        // What is left is untracked (or type changes already handled above).
        for (path, status) in dirty {
            if status.contains(Status::WT_NEW) {
                files.push(self.hash_work_file(&path, false));
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.path == b.path);
        Ok(files)
    }

    /// Every entry of the index (`None`) or of a commit's tree, as a
    /// checkout of it holds them, sorted by path: the inputs of a snapshot,
    /// which never reads the work tree (issue 13).
    pub(crate) fn input_files_of(&self, commit: Option<&str>) -> Result<Vec<InputFile>, GitError> {
        let mut files = Vec::new();
        match commit {
            None => {
                let index = self.with_index()?.index()?;
                // An intent-to-add entry is not checked out: no input.
                const INTENT_TO_ADD: u16 = 1 << 13;
                for entry in index.iter() {
                    if entry.flags_extended & INTENT_TO_ADD == 0 {
                        files.push(InputFile {
                            path: entry.path,
                            mode: entry.mode,
                            id: entry.id,
                            tracked: true,
                        });
                    }
                }
            }
            Some(commit) => {
                let tree = self.raw().revparse_single(commit)?.peel_to_tree()?;
                tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
                    if entry.kind() != Some(ObjectType::Tree) {
                        let mut path = dir.as_bytes().to_vec();
                        path.extend_from_slice(entry.name_bytes());
                        #[expect(clippy::cast_sign_loss, reason = "git file modes are positive")]
                        files.push(InputFile {
                            path,
                            mode: entry.filemode() as u32,
                            id: entry.id(),
                            tracked: true,
                        });
                    }
                    git2::TreeWalkResult::Ok
                })?;
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.path == b.path);
        Ok(files)
    }

    /// Hash a work tree file the way `git hash-object` would (no filters): a file that cannot
    /// be read counts as deleted, which changes the key as a deletion should.
    fn hash_work_file(&self, path: &[u8], tracked: bool) -> InputFile {
        let full = self
            .root()
            .join(std::path::Path::new(std::ffi::OsStr::from_bytes(path)));
        let deleted = InputFile {
            path: path.to_vec(),
            mode: MODE_DELETED,
            id: Oid::zero(),
            tracked,
        };
        let Ok(meta) = std::fs::symlink_metadata(&full) else {
            return deleted;
        };
        let (mode, bytes) = if meta.file_type().is_symlink() {
            match std::fs::read_link(&full) {
                Ok(target) => (MODE_SYMLINK, target.as_os_str().as_bytes().to_vec()),
                Err(_) => return deleted,
            }
        } else if meta.is_file() {
            use std::os::unix::fs::PermissionsExt;
            let mode = if meta.permissions().mode() & 0o111 == 0 {
                MODE_FILE
            } else {
                MODE_EXECUTABLE
            };
            match std::fs::read(&full) {
                Ok(bytes) => (mode, bytes),
                Err(_) => return deleted,
            }
        } else {
            return deleted;
        };
        match Oid::hash_object(ObjectType::Blob, &bytes) {
            Ok(id) => InputFile {
                path: path.to_vec(),
                mode,
                id,
                tracked,
            },
            Err(_) => deleted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::TestRepo;

    #[test]
    fn clean_files_take_the_index_id_and_dirty_ones_are_hashed() {
        let t = TestRepo::new();
        t.write("a.txt", "one\n");
        t.write("b.txt", "two\n");
        t.commit("first");
        let repo = t.open();
        let before = repo.input_files(false).unwrap();
        assert_eq!(before.len(), 2);
        assert_eq!(before[0].id, t.rev("HEAD:a.txt"));

        t.write("a.txt", "changed\n");
        t.write("new.txt", "untracked\n");
        let repo = t.open();
        let after = repo.input_files(false).unwrap();
        assert_eq!(after.len(), 2, "untracked files only when asked");
        assert_ne!(after[0].id, before[0].id);
        assert_eq!(after[1], before[1]);
        let expected = git2::Oid::hash_object(git2::ObjectType::Blob, b"changed\n").unwrap();
        assert_eq!(after[0].id, expected);

        let with_untracked = repo.input_files(true).unwrap();
        assert_eq!(with_untracked.len(), 3);

        let b = t.root.join("b.txt");
        let mut perms = std::fs::metadata(&b).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&b, perms).unwrap();
        let repo = t.open();
        let executable = repo.input_files(false).unwrap();
        assert_eq!(executable[1].mode, super::MODE_EXECUTABLE);
        assert_eq!(executable[1].id, before[1].id, "same content, new mode");

        t.remove("b.txt");
        let repo = t.open();
        let gone = repo.input_files(false).unwrap();
        assert_eq!(gone[1].mode, super::MODE_DELETED);
    }
}
