//! Test repositories built with the real `git` CLI, which is also the oracle the tests
//! compare with. Test-only.
//!
//! Every `git` command runs with no global or system config, a temporary `HOME`, and a fixed
//! author and committer whose date advances one second per command, so commit ids are stable
//! and commit dates strictly ordered. The test process's own environment is never modified.

use std::cell::Cell;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use git2::Oid;
use tempfile::TempDir;

use super::{ChangeKind, ChangedPath, Changes, Repo, RepoPath};

pub(crate) struct TestRepo {
    dir: TempDir,
    pub(crate) root: PathBuf,
    pub(crate) home: PathBuf,
    clock: Cell<u64>,
}

impl TestRepo {
    /// `git init` of a work tree `repo/` (branch `main`) inside a fresh temp dir.
    pub(crate) fn new() -> TestRepo {
        let dir = tempfile::tempdir().expect("temp dir");
        let home = dir.path().join("home");
        std::fs::create_dir(&home).expect("home");
        let root = dir.path().join("repo");
        let repo = TestRepo {
            dir,
            root,
            home,
            clock: Cell::new(0),
        };
        repo.git_at(repo.dir.path(), &["init", "-q", "-b", "main", "repo"]);
        repo
    }

    /// The temp dir holding `repo/`, `home/` and whatever a test adds (remotes, worktrees).
    pub(crate) fn base(&self) -> &Path {
        self.dir.path()
    }

    /// The environment `git` commands get, on top of the inherited one.
    fn git_env(&self) -> Vec<(&'static str, OsString)> {
        let t = self.clock.get() + 1;
        self.clock.set(t);
        let date = OsString::from(format!("{} +0000", 1_700_000_000 + t));
        vec![
            ("GIT_CONFIG_GLOBAL", "/dev/null".into()),
            ("GIT_CONFIG_SYSTEM", "/dev/null".into()),
            ("GIT_CONFIG_NOSYSTEM", "1".into()),
            ("HOME", self.home.clone().into_os_string()),
            ("GIT_AUTHOR_NAME", "Ada Tester".into()),
            ("GIT_AUTHOR_EMAIL", "ada@example.com".into()),
            ("GIT_COMMITTER_NAME", "Ada Tester".into()),
            ("GIT_COMMITTER_EMAIL", "ada@example.com".into()),
            ("GIT_AUTHOR_DATE", date.clone()),
            ("GIT_COMMITTER_DATE", date),
        ]
    }

    /// Runs `git` at `cwd` with `extra` variables; returns the output whatever the status.
    pub(crate) fn run_git(&self, cwd: &Path, args: &[&str], extra: &[(&str, &OsStr)]) -> Output {
        let mut cmd = Command::new("git");
        cmd.args(args).current_dir(cwd);
        // The test process may itself run inside a hook or with GIT_DIR set; start clean.
        for var in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_COMMON_DIR",
            "GIT_OBJECT_DIRECTORY",
            "GIT_CEILING_DIRECTORIES",
            "GIT_PREFIX",
        ] {
            cmd.env_remove(var);
        }
        for (k, v) in self.git_env() {
            cmd.env(k, v);
        }
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd.output().expect("run git")
    }

    /// Runs `git` at `cwd` with `extra` variables and returns stdout; panics on failure.
    pub(crate) fn git_env_at(
        &self,
        cwd: &Path,
        args: &[&str],
        extra: &[(&str, &OsStr)],
    ) -> Vec<u8> {
        let out = self.run_git(cwd, args, extra);
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    pub(crate) fn git_at(&self, cwd: &Path, args: &[&str]) -> Vec<u8> {
        self.git_env_at(cwd, args, &[])
    }

    /// Runs `git` in the work tree and returns stdout; panics on failure.
    pub(crate) fn git(&self, args: &[&str]) -> Vec<u8> {
        self.git_at(&self.root, args)
    }

    /// `git rev-parse <rev>` as an `Oid`.
    pub(crate) fn rev(&self, rev: &str) -> Oid {
        let out = self.git(&["rev-parse", "--verify", rev]);
        Oid::from_str(String::from_utf8_lossy(&out).trim()).expect("oid")
    }

    /// Writes `contents` to the (byte) path `path` under the work tree, creating directories.
    pub(crate) fn write(&self, path: impl AsRef<[u8]>, contents: &str) {
        let path = self.root.join(OsStr::from_bytes(path.as_ref()));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, contents).expect("write");
    }

    pub(crate) fn remove(&self, path: impl AsRef<[u8]>) {
        std::fs::remove_file(self.root.join(OsStr::from_bytes(path.as_ref()))).expect("rm");
    }

    /// Stages everything and commits; returns the new commit.
    pub(crate) fn commit(&self, message: &str) -> Oid {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.rev("HEAD")
    }

    /// Opens the repository as tiergate would at `cwd`, with `vars` as the whole environment
    /// (plus this repo's `HOME`).
    pub(crate) fn open_with(
        &self,
        cwd: &Path,
        vars: &[(&str, &OsStr)],
    ) -> Result<Repo, super::GitError> {
        let home = self.home.clone().into_os_string();
        let vars: Vec<(String, OsString)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Repo::discover_with(cwd, &move |name: &str| {
            vars.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .or_else(|| (name == "HOME").then(|| home.clone()))
        })
    }

    pub(crate) fn open(&self) -> Repo {
        self.open_with(&self.root, &[]).expect("open repo")
    }

    /// A bare repository `<name>.git` next to the work tree, added as remote `name`.
    pub(crate) fn add_bare_remote(&self, name: &str) -> PathBuf {
        let path = self.base().join(format!("{name}.git"));
        self.git_at(
            self.base(),
            &[
                "init",
                "-q",
                "--bare",
                "-b",
                "main",
                path.to_str().expect("utf-8 temp path"),
            ],
        );
        self.git(&[
            "remote",
            "add",
            name,
            path.to_str().expect("utf-8 temp path"),
        ]);
        path
    }

    /// Runs `git push <args>` through a pre-push hook that records its arguments and stdin
    /// and then refuses, so the repository stays as it was during the hook. Returns git's
    /// first hook argument and the stdin git gave the hook.
    pub(crate) fn capture_push(&self, args: &[&str]) -> (String, Vec<u8>) {
        let hooks = self.root.join(".git/hooks");
        let args_file = self.base().join("push-args");
        let stdin_file = self.base().join("push-stdin");
        let script = format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{}'\ncat > '{}'\nexit 1\n",
            args_file.display(),
            stdin_file.display()
        );
        std::fs::write(hooks.join("pre-push"), script).expect("hook");
        std::process::Command::new("chmod")
            .arg("+x")
            .arg(hooks.join("pre-push"))
            .status()
            .expect("chmod");
        let mut full = vec!["push"];
        full.extend_from_slice(args);
        let out = self.run_git(&self.root, &full, &[]);
        std::fs::remove_file(hooks.join("pre-push")).expect("remove hook");
        assert!(
            !out.status.success(),
            "the capturing hook must stop the push"
        );
        let remote = std::fs::read_to_string(&args_file).expect("hook ran");
        let stdin = std::fs::read(&stdin_file).expect("hook ran");
        std::fs::remove_file(&args_file).expect("rm");
        std::fs::remove_file(&stdin_file).expect("rm");
        (remote, stdin)
    }

    /// git's `--name-status -z` output for `args`, as `ChangedPath`s in our order.
    pub(crate) fn name_status(&self, args: &[&str]) -> Vec<ChangedPath> {
        self.name_status_env(args, &[])
    }

    /// `name_status` with extra variables (`GIT_INDEX_FILE`).
    pub(crate) fn name_status_env(
        &self,
        args: &[&str],
        extra: &[(&str, &OsStr)],
    ) -> Vec<ChangedPath> {
        let mut full = vec!["diff", "--name-status", "-z"];
        full.extend_from_slice(args);
        let out = self.git_env_at(&self.root, &full, extra);
        let mut fields = out.split(|&b| b == 0).filter(|f| !f.is_empty());
        let mut paths = Vec::new();
        while let Some(status) = fields.next() {
            let first = fields.next().expect("path").to_vec();
            let (kind, path, old_path) = match status[0] {
                b'A' => (ChangeKind::Added, first, None),
                b'M' => (ChangeKind::Modified, first, None),
                b'D' => (ChangeKind::Deleted, first, None),
                b'T' => (ChangeKind::TypeChanged, first, None),
                b'R' => {
                    let new = fields.next().expect("new path").to_vec();
                    (ChangeKind::Renamed, new, Some(first))
                }
                other => panic!("unexpected status {}", other as char),
            };
            paths.push(ChangedPath {
                path,
                old_path,
                kind,
            });
        }
        paths.sort_by(|a, b| a.path.cmp(&b.path));
        paths
    }

    /// `git diff --name-only --no-renames -z <args>`: every path touched, sorted.
    pub(crate) fn name_only(&self, args: &[&str]) -> Vec<RepoPath> {
        let mut full = vec!["diff", "--name-only", "--no-renames", "-z"];
        full.extend_from_slice(args);
        split_z(&self.git(&full))
    }

    /// `git ls-files -o --exclude-standard -z`: untracked, not ignored.
    pub(crate) fn untracked(&self) -> Vec<RepoPath> {
        split_z(&self.git(&["ls-files", "-o", "--exclude-standard", "-z"]))
    }
}

pub(crate) fn split_z(out: &[u8]) -> Vec<RepoPath> {
    let mut paths: Vec<RepoPath> = out
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// Every path a `Changes` touches (both sides of a rename), sorted: the shape of
/// `git diff --name-only --no-renames`.
pub(crate) fn touched(changes: &Changes) -> Vec<RepoPath> {
    let mut paths: Vec<RepoPath> = changes
        .paths
        .iter()
        .flat_map(|p| std::iter::once(p.path.clone()).chain(p.old_path.clone()))
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// Shorthand for byte-string literals in assertions.
pub(crate) fn paths(list: &[&str]) -> Vec<RepoPath> {
    let mut v: Vec<RepoPath> = list.iter().map(|p| p.as_bytes().to_vec()).collect();
    v.sort();
    v
}
