//! The source files the import graph reads: `(path, blob id)` from the index,
//! and blob contents by id.
//!
//! The index is what a pre-commit tests, and its blob ids name content without
//! reading the work tree: a file whose blob id the graph cache already knows
//! is never opened.

use git2::{Oid, Repository};

use super::loose::LooseObjects;
use super::{GitError, Repo, RepoPath};

/// One indexed file: its path and the id of its staged content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexedFile {
    pub(crate) path: RepoPath,
    pub(crate) id: Oid,
}

/// Reads blobs on a thread of its own: a git2 `Repository` is not shared
/// across threads, so each reader opens its own handle on the same git dir.
/// Loose blobs (what was just staged) are inflated in process, the others
/// read by libgit2.
pub(crate) struct BlobReader {
    repo: Repository,
    loose: LooseObjects,
}

impl BlobReader {
    /// A handle of its own on `git_dir` (from `Repo::git_dir`), for one thread.
    pub(crate) fn open(git_dir: &std::path::Path) -> Result<BlobReader, GitError> {
        let repo = Repository::open(git_dir)?;
        let loose = LooseObjects::new(repo.commondir());
        Ok(BlobReader { repo, loose })
    }

    /// The content of a blob; `None` when the object is missing or not a blob.
    pub(crate) fn read(&mut self, id: Oid) -> Option<Vec<u8>> {
        if let Some(bytes) = self.loose.read(id, b"blob") {
            return Some(bytes);
        }
        self.repo.find_blob(id).ok().map(|b| b.content().to_vec())
    }
}

impl Repo {
    /// Every stage-0 index entry whose path `wanted` accepts, sorted by path.
    pub(crate) fn indexed_files(
        &self,
        wanted: &dyn Fn(&[u8]) -> bool,
    ) -> Result<Vec<IndexedFile>, GitError> {
        // tiergate's own index reader when it takes this index (no checksum pass), else libgit2.
        let mut files: Vec<IndexedFile> = if let Some(index) = self.index_file() {
            index
                .entries()
                .iter()
                .filter(|e| e.stage() == 0 && !e.is_intent_to_add())
                .filter(|e| wanted(index.path(e)))
                .filter_map(|e| {
                    Some(IndexedFile {
                        path: index.path(e).to_vec(),
                        id: Oid::from_bytes(&e.oid).ok()?,
                    })
                })
                .collect()
        } else {
            let index = self.with_index()?.index()?;
            index
                .iter()
                .filter(|e| wanted(&e.path))
                .map(|e| IndexedFile {
                    path: e.path,
                    id: e.id,
                })
                .collect()
        };
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.path == b.path);
        Ok(files)
    }
}
