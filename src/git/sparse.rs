//! A sparse index (`git sparse-checkout set --sparse-index`) expanded for
//! libgit2, which refuses its `sdir` extension: each directory entry becomes
//! the files of its tree, marked skip-worktree as git marks files outside the
//! sparse checkout. The result is an in-memory index: nothing is written.

use git2::{
    Index, IndexEntry, IndexTime, ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult,
};

use super::index_file::{IndexFile, SKIP_WORKTREE, SPARSE_DIRECTORY_MODE};
use super::GitError;

/// The flag bit that says an entry has extended flags.
const EXTENDED: u16 = 0x4000;

fn entry(path: Vec<u8>, mode: u32, id: Oid, flags: u16, flags_extended: u16) -> IndexEntry {
    IndexEntry {
        ctime: IndexTime::new(0, 0),
        mtime: IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode,
        uid: 0,
        gid: 0,
        file_size: 0,
        id,
        flags,
        flags_extended,
        path,
    }
}

/// The full index `file` stands for: its file entries as they are, its
/// directory entries replaced by the files of their trees.
pub(super) fn expanded(repo: &Repository, file: &IndexFile) -> Result<Index, GitError> {
    let mut entries = Vec::with_capacity(file.entries().len());
    for e in file.entries() {
        let path = file.path(e).to_vec();
        let id = Oid::from_bytes(&e.oid)?;
        if e.mode != SPARSE_DIRECTORY_MODE {
            let mut full = entry(path, e.mode, id, e.flags, e.flags_extended);
            // Stat data as recorded: libgit2 compares it before hashing a file. dev, uid
            // and gid are not kept by the reader; a file whose other fields match is
            // hashed to be sure, never taken as changed.
            full.ctime = IndexTime::new(e.ctime.0.cast_signed(), e.ctime.1);
            full.mtime = IndexTime::new(e.mtime.0.cast_signed(), e.mtime.1);
            full.ino = e.ino;
            full.file_size = e.size;
            entries.push(full);
            continue;
        }
        let tree = repo.find_tree(id)?;
        tree.walk(TreeWalkMode::PreOrder, |dir, item| {
            // Blobs and submodule commits are index entries; trees are walked into.
            if matches!(item.kind(), Some(ObjectType::Blob | ObjectType::Commit)) {
                let mut full = path.clone();
                full.extend_from_slice(dir.as_bytes());
                full.extend_from_slice(item.name_bytes());
                entries.push(entry(
                    full,
                    item.filemode().cast_unsigned(),
                    item.id(),
                    EXTENDED,
                    SKIP_WORKTREE,
                ));
            }
            TreeWalkResult::Ok
        })?;
    }
    let mut index = Index::new()?;
    for e in &entries {
        index.add(e)?;
    }
    Ok(index)
}
