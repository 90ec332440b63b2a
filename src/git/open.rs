//! Opening the repository the way git itself would, and the facts resolved on the way.
//!
//! Owns `Repo`: discovery from a directory, `GIT_DIR`, `GIT_WORK_TREE`, `GIT_INDEX_FILE`,
//! `GIT_CEILING_DIRECTORIES`, linked worktrees, and the refusal of bare repositories. The
//! environment is read through a lookup function so tests never touch the process's own.

use std::cell::{Cell, RefCell};
use std::ffi::{OsStr, OsString};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use git2::{ErrorCode, Index, Oid, Repository, RepositoryOpenFlags};

use super::index_file::IndexFile;
use super::GitError;

/// An open repository with a work tree, plus the paths resolved when it was opened.
pub(crate) struct Repo {
    git: Repository,
    root: PathBuf,
    git_dir: PathBuf,
    common_dir: PathBuf,
    /// `HOME` as the environment had it at discovery, for `~` in core.hooksPath.
    pub(super) home: Option<PathBuf>,
    /// The index file: `GIT_INDEX_FILE` when set (git sets it for its hooks; `git commit -a`
    /// points it at a temporary index), else the git dir's `index`.
    index_path: PathBuf,
    /// Whether libgit2's handle reads `index_path` yet (see `with_index`).
    index_installed: Cell<bool>,
    /// The index as last parsed by `IndexFile`, with the stamp of the file it came from.
    parsed_index: RefCell<Option<ParsedIndex>>,
}

/// One parse of the index file, and which version of the file it was.
struct ParsedIndex {
    stamp: Option<FileStamp>,
    index: Option<Arc<IndexFile>>,
}

/// What identifies one version of a file git replaces by rename: a new inode, size, mtime.
type FileStamp = (u64, u64, i64, i64);

fn file_stamp(path: &Path) -> Option<FileStamp> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path)
        .ok()
        .map(|m| (m.ino(), m.len(), m.mtime(), m.mtime_nsec()))
}

impl std::fmt::Debug for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repo")
            .field("root", &self.root)
            .field("git_dir", &self.git_dir)
            .field("common_dir", &self.common_dir)
            .finish_non_exhaustive()
    }
}

impl Repo {
    /// Opens the repository as git would from `cwd`, reading the process environment.
    pub(crate) fn discover(cwd: &Path) -> Result<Repo, GitError> {
        Repo::discover_with(cwd, &|name| std::env::var_os(name))
    }

    /// `discover` with an explicit environment, so tests can set `GIT_DIR` and friends without
    /// touching the environment of a test process whose tests run in parallel.
    ///
    /// libgit2's own `open_from_env` is not used: it reads the process environment, and with
    /// `GIT_DIR` set it takes the git dir's parent as the work tree, where git (see `GIT_DIR`
    /// in git(1)) takes the current directory. In a hook, which runs at the work tree root,
    /// the two agree; `GIT_DIR=... tiergate run` from elsewhere must agree with `git status`.
    ///
    /// `GIT_COMMON_DIR` and `GIT_OBJECT_DIRECTORY` are not read: git sets neither for the
    /// hooks tiergate runs as, and a linked worktree is found through its `commondir` file.
    pub(crate) fn discover_with(
        cwd: &Path,
        env: &dyn Fn(&str) -> Option<OsString>,
    ) -> Result<Repo, GitError> {
        configure_libgit2();
        // An empty variable counts as unset, as it does for git.
        let var = |name: &str| env(name).filter(|v| !v.is_empty());
        let cwd = std::path::absolute(cwd).unwrap_or_else(|_| cwd.to_path_buf());

        let explicit_git_dir = var("GIT_DIR").map(|d| cwd.join(d));
        let repo = if let Some(dir) = &explicit_git_dir {
            open(
                dir,
                RepositoryOpenFlags::NO_SEARCH | RepositoryOpenFlags::NO_DOTGIT,
                &[],
                true,
            )?
        } else {
            let mut flags = RepositoryOpenFlags::empty();
            if var("GIT_DISCOVERY_ACROSS_FILESYSTEM").is_some_and(|v| is_true(&v)) {
                flags |= RepositoryOpenFlags::CROSS_FS;
            }
            let ceilings: Vec<OsString> = var("GIT_CEILING_DIRECTORIES")
                .map(|v| split_path_list(&v))
                .unwrap_or_default();
            open(&cwd, flags, &ceilings, false)?
        };

        if let Some(work_tree) = var("GIT_WORK_TREE") {
            repo.set_workdir(&cwd.join(work_tree), false)?;
        } else if explicit_git_dir.is_some() && !repo.is_bare() {
            // git: with GIT_DIR set and neither GIT_WORK_TREE nor core.worktree, the current
            // directory is the top of the work tree. A linked worktree's own `gitdir` file is
            // not consulted by git in that case either.
            let has_core_worktree =
                !repo.is_worktree() && repo.config()?.get_entry("core.worktree").is_ok();
            if !has_core_worktree {
                repo.set_workdir(&cwd, false)?;
            }
        }

        let Some(workdir) = repo.workdir() else {
            return Err(GitError::Bare {
                dir: normalize(repo.path()),
            });
        };
        let root = normalize(workdir);

        // git sets GIT_INDEX_FILE for the pre-commit hook (`git commit -a` and `git commit
        // <path>` point it at a temporary index). git resolves a relative one against its
        // current directory; hooks get `.git/index` relative to the work tree root, where
        // they run.
        let index_override = var("GIT_INDEX_FILE").map(|file| cwd.join(file));
        let index_path = index_override
            .clone()
            .unwrap_or_else(|| repo.path().join("index"));
        let repo = Repo {
            git_dir: normalize(repo.path()),
            common_dir: normalize(repo.commondir()),
            root,
            home: var("HOME").map(PathBuf::from),
            git: repo,
            index_path,
            // Even `.git/index` is installed by `with_index`, not left to libgit2's lazy
            // load: a sparse index must be expanded first.
            index_installed: Cell::new(false),
            parsed_index: RefCell::new(None),
        };
        // A named index that the fast reader cannot take is opened by libgit2 now, so that a
        // broken one is an error naming it before anything runs.
        if index_override.is_some() && repo.index_file().is_none() {
            repo.with_index()?;
        }
        Ok(repo)
    }

    /// The index, parsed by tiergate's own reader (see `index_file.rs`), once per version of
    /// the file; `None` when the reader leaves this index to libgit2.
    pub(crate) fn index_file(&self) -> Option<Arc<IndexFile>> {
        let stamp = file_stamp(&self.index_path);
        let mut cached = self.parsed_index.borrow_mut();
        if let Some(parsed) = cached.as_ref() {
            if parsed.stamp == stamp {
                return parsed.index.clone();
            }
        }
        let index = IndexFile::read(&self.index_path)
            .ok()
            .flatten()
            .map(Arc::new);
        *cached = Some(ParsedIndex {
            stamp,
            index: index.clone(),
        });
        index
    }

    /// Forgets the parsed index: past selection nothing needs it, and on a large repository it
    /// is most of the process's memory (issue 7 compares peak memory on 50,000 files).
    pub(crate) fn release_index(&self) {
        self.parsed_index.borrow_mut().take();
    }

    /// The libgit2 handle with its index set to the one `GIT_INDEX_FILE` names, when that is
    /// set. libgit2 verifies the index's checksum as it reads it, a cost the hot path of the
    /// hook avoids, so the index is handed to libgit2 only when something asks for it here.
    pub(crate) fn with_index(&self) -> Result<&Repository, GitError> {
        if !self.index_installed.get() {
            let mut index = match Index::open(&self.index_path) {
                Ok(index) => index,
                Err(source) => match IndexFile::read_sparse(&self.index_path) {
                    // libgit2 refuses a sparse index: hand it the expanded one.
                    Some(sparse) => super::sparse::expanded(&self.git, &sparse)?,
                    None => {
                        return Err(GitError::IndexFile {
                            path: self.index_path.clone(),
                            source,
                        })
                    }
                },
            };
            self.git.set_index(&mut index)?;
            self.index_installed.set(true);
        }
        Ok(&self.git)
    }

    /// The work tree root.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// This worktree's git dir: `.git`, or `.git/worktrees/<name>` in a linked worktree.
    pub(crate) fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    /// The git dir shared by all worktrees (objects, refs, config, hooks).
    pub(crate) fn common_dir(&self) -> &Path {
        &self.common_dir
    }

    /// The commit HEAD points at; `None` before the first commit.
    pub(crate) fn head_commit(&self) -> Option<Oid> {
        self.git
            .head()
            .ok()
            .and_then(|head| head.peel_to_commit().ok())
            .map(|commit| commit.id())
    }

    /// The libgit2 handle, for the few callers (cache keys, snapshots) that need more. For
    /// anything that reads the index, use `with_index`.
    pub(crate) fn raw(&self) -> &Repository {
        &self.git
    }

    /// True when this is a shallow clone (`shallow` exists in the common dir).
    pub(crate) fn is_shallow(&self) -> bool {
        self.git.is_shallow()
    }
}

/// Process-wide libgit2 settings, made once before the first repository is opened (all of
/// tiergate's git access goes through this module):
///
/// - libgit2 re-hashes every object it reads (with collision-detecting SHA-1), which git leaves
///   to `git fsck`; on a 50,000-file repository that was a third of the cost of reading HEAD's
///   trees.
/// - libgit2 keeps the commits and trees it reads in an object cache; tiergate reads each
///   object about once (the staged walk, diffs, a push's revwalk), so the cache only added
///   memory (4 MB of trees on 50,000 files, against issue 7's peak memory target).
fn configure_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::strict_hash_verification(false);
        git2::opts::enable_caching(false);
    });
}

fn open(
    path: &Path,
    flags: RepositoryOpenFlags,
    ceilings: &[OsString],
    from_git_dir: bool,
) -> Result<Repository, GitError> {
    Repository::open_ext(path, flags, ceilings).map_err(|e| match e.code() {
        ErrorCode::NotFound => GitError::NotARepository {
            dir: path.to_path_buf(),
            from_git_dir,
        },
        ErrorCode::Owner => GitError::UnsafeOwnership {
            dir: path.to_path_buf(),
        },
        _ => GitError::Git(e),
    })
}

/// git's boolean spellings for `GIT_DISCOVERY_ACROSS_FILESYSTEM`.
fn is_true(value: &OsStr) -> bool {
    let v = value.to_string_lossy().to_ascii_lowercase();
    matches!(v.as_str(), "1" | "true" | "yes" | "on")
}

/// `GIT_CEILING_DIRECTORIES` is a colon-separated list; empty entries mean nothing.
fn split_path_list(value: &OsStr) -> Vec<OsString> {
    std::env::split_paths(value)
        .filter(|p| !p.as_os_str().is_empty())
        .map(PathBuf::into_os_string)
        .collect()
}

/// libgit2 hands out directories with a trailing slash; drop it (and any `.`) for display.
fn normalize(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;

    use super::*;
    use crate::git::fixture::{paths, touched, TestRepo};

    fn git_path(t: &TestRepo, cwd: &Path, args: &[&str], extra: &[(&str, &OsStr)]) -> PathBuf {
        let out = t.git_env_at(cwd, args, extra);
        let text = String::from_utf8(out).unwrap();
        cwd.join(text.trim_end_matches('\n'))
    }

    fn canonical(p: &Path) -> PathBuf {
        p.canonicalize().unwrap()
    }

    #[test]
    fn discovers_from_a_subdirectory_like_git() {
        let t = TestRepo::new();
        t.write("sub/dir/file.txt", "x\n");
        t.commit("one");
        let cwd = t.root.join("sub/dir");
        let repo = t.open_with(&cwd, &[]).unwrap();
        let top = git_path(&t, &cwd, &["rev-parse", "--show-toplevel"], &[]);
        assert_eq!(canonical(repo.root()), canonical(&top));
        assert_eq!(repo.git_dir(), t.root.join(".git"));
        assert_eq!(repo.common_dir(), t.root.join(".git"));
        assert_eq!(repo.head_commit(), Some(t.rev("HEAD")));
        assert!(!repo.is_shallow());
    }

    #[test]
    fn outside_a_repository_names_the_directory() {
        let t = TestRepo::new();
        let outside = t.base().join("elsewhere");
        std::fs::create_dir(&outside).unwrap();
        let ceiling = t.base().as_os_str();
        let err = t
            .open_with(&outside, &[("GIT_CEILING_DIRECTORIES", ceiling)])
            .unwrap_err();
        match &err {
            GitError::NotARepository { dir, from_git_dir } => {
                assert_eq!(dir, &outside);
                assert!(!from_git_dir);
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains(&*outside.to_string_lossy()));
        assert!(err.hint().unwrap().contains("git init"));
    }

    #[test]
    fn bare_repository_is_refused_with_a_hint() {
        let t = TestRepo::new();
        let bare = t.base().join("bare.git");
        t.git_at(t.base(), &["init", "-q", "--bare", "bare.git"]);
        let err = t.open_with(&bare, &[]).unwrap_err();
        assert!(matches!(err, GitError::Bare { .. }), "{err:?}");
        assert!(err.hint().unwrap().contains("work tree"));

        let via_env = t
            .open_with(t.base(), &[("GIT_DIR", bare.as_os_str())])
            .unwrap_err();
        assert!(matches!(via_env, GitError::Bare { .. }), "{via_env:?}");
    }

    #[test]
    fn git_dir_makes_the_current_directory_the_work_tree_as_git_does() {
        let t = TestRepo::new();
        t.write("sub/file.txt", "x\n");
        t.commit("one");
        let sub = t.root.join("sub");
        let vars = [("GIT_DIR", OsStr::new("../.git"))];
        let repo = t.open_with(&sub, &vars).unwrap();
        let top = git_path(&t, &sub, &["rev-parse", "--show-toplevel"], &vars);
        assert_eq!(canonical(repo.root()), canonical(&top));
        assert_eq!(repo.root(), sub);
        assert_eq!(repo.git_dir(), t.root.join(".git"));

        // At the work tree root, as in a hook, the two readings agree.
        let vars = [("GIT_DIR", OsStr::new(".git"))];
        let repo = t.open_with(&t.root, &vars).unwrap();
        assert_eq!(repo.root(), t.root);
        assert_eq!(repo.head_commit(), Some(t.rev("HEAD")));
    }

    #[test]
    fn git_dir_and_git_work_tree_together() {
        let t = TestRepo::new();
        t.write("a.txt", "x\n");
        t.commit("one");
        t.write("a.txt", "y\n");
        t.git(&["add", "a.txt"]);
        let git_dir = t.root.join(".git");
        let vars = [
            ("GIT_DIR", git_dir.as_os_str()),
            ("GIT_WORK_TREE", OsStr::new("repo")),
        ];
        let repo = t.open_with(t.base(), &vars).unwrap();
        assert_eq!(repo.root(), t.root);
        assert_eq!(touched(&repo.staged_changes().unwrap()), paths(&["a.txt"]));
    }

    #[test]
    fn git_dir_that_is_not_a_repository_says_so() {
        let t = TestRepo::new();
        let err = t
            .open_with(&t.root, &[("GIT_DIR", OsStr::new("nowhere"))])
            .unwrap_err();
        assert!(
            matches!(
                err,
                GitError::NotARepository {
                    from_git_dir: true,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().starts_with("`GIT_DIR`"));
        assert!(err.hint().unwrap().contains("GIT_DIR"));
    }

    #[test]
    fn linked_worktree_has_its_own_git_dir_head_and_index() {
        let t = TestRepo::new();
        t.write("a.txt", "a\n");
        t.commit("one");
        let wt = t.base().join("wt");
        t.git(&[
            "worktree",
            "add",
            "-q",
            "-b",
            "feature",
            wt.to_str().unwrap(),
        ]);
        std::fs::write(wt.join("b.txt"), "b\n").unwrap();
        t.git_at(&wt, &["add", "b.txt"]);
        t.git_at(&wt, &["commit", "-q", "-m", "in worktree"]);
        std::fs::write(wt.join("a.txt"), "changed in wt\n").unwrap();
        t.git_at(&wt, &["add", "a.txt"]);

        // Once found by discovery, once the way git starts hooks there (GIT_DIR set).
        let wt_git_dir = t.root.join(".git/worktrees/wt");
        for vars in [vec![], vec![("GIT_DIR", wt_git_dir.as_os_str())]] {
            let repo = t.open_with(&wt, &vars).unwrap();
            assert_eq!(repo.root(), wt);
            assert_eq!(repo.git_dir(), wt_git_dir);
            assert_eq!(repo.common_dir(), t.root.join(".git"));
            assert_eq!(repo.head_commit(), Some(t.rev("feature")));
            let staged = repo.staged_changes().unwrap();
            assert_eq!(touched(&staged), paths(&["a.txt"]));
            assert_eq!(repo.hooks_dir().unwrap(), t.root.join(".git/hooks"));
        }
        // The main work tree is unaffected.
        let main = t.open();
        assert!(main.staged_changes().unwrap().paths.is_empty());
        assert_eq!(main.head_commit(), Some(t.rev("main")));
    }
}
