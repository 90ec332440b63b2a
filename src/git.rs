//! TEMPORARY stand-in until the git module lands (compile only).
use std::path::{Path, PathBuf};
pub(crate) type RepoPath = Vec<u8>;
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ChangeKind {
    Added,
    Modified,
    Deleted,
    Renamed,
    TypeChanged,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChangedPath {
    pub(crate) path: RepoPath,
    pub(crate) old_path: Option<RepoPath>,
    pub(crate) kind: ChangeKind,
}
impl ChangedPath {
    pub(crate) fn is_deleted(&self) -> bool {
        self.kind == ChangeKind::Deleted
    }
}
#[derive(Debug, Clone)]
pub(crate) struct Changes {
    pub(crate) paths: Vec<ChangedPath>,
    pub(crate) everything: bool,
    pub(crate) reason: Option<String>,
    pub(crate) base: Option<git2::Oid>,
    pub(crate) head: Option<git2::Oid>,
}
#[derive(Debug, thiserror::Error)]
pub(crate) enum GitError {
    #[error("not a git repository: {0}")]
    NotARepository(String),
    #[error(transparent)]
    Git(#[from] git2::Error),
}
impl GitError {
    pub(crate) fn hint(&self) -> Option<String> {
        None
    }
}
pub(crate) struct Repo {
    repo: git2::Repository,
    root: PathBuf,
}
impl Repo {
    pub(crate) fn discover(cwd: &Path) -> Result<Repo, GitError> {
        let repo = git2::Repository::discover(cwd)
            .map_err(|_| GitError::NotARepository(cwd.display().to_string()))?;
        let root = repo.workdir().map(Path::to_path_buf).unwrap_or_default();
        Ok(Repo { repo, root })
    }
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }
    pub(crate) fn tracked_files(&self) -> Result<Vec<RepoPath>, GitError> {
        Ok(self.repo.index()?.iter().map(|e| e.path).collect())
    }
    pub(crate) fn staged_changes(&self) -> Result<Changes, GitError> {
        todo!()
    }
    pub(crate) fn working_changes(&self) -> Result<Changes, GitError> {
        todo!()
    }
    pub(crate) fn range_changes(&self, _f: &str, _t: Option<&str>) -> Result<Changes, GitError> {
        todo!()
    }
    pub(crate) fn changed_since(&self, _r: &str) -> Result<Changes, GitError> {
        todo!()
    }
}
