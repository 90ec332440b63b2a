//! `TestRepo`: a temp git repository with an isolated git config, and the
//! built `tiergate` binary to drive it.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_tiergate");

pub struct TestRepo {
    pub dir: tempfile::TempDir,
    pub home: tempfile::TempDir,
}

/// Apply the isolated environment every git and tiergate call gets.
pub fn isolate(cmd: &mut Command, home: &Path) {
    cmd.env("HOME", home)
        .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
        .env("GIT_CONFIG_SYSTEM", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .env("NO_COLOR", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .env_remove("TIERGATE_SKIP")
        .env_remove("TIERGATE")
        .env_remove("CI")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY");
}

impl TestRepo {
    pub fn new() -> TestRepo {
        let repo = TestRepo {
            dir: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
        };
        std::fs::write(
            repo.home.path().join(".gitconfig"),
            "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n",
        )
        .unwrap();
        repo.git(&["init", "-q"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: impl AsRef<Path>, content: impl AsRef<[u8]>) -> &TestRepo {
        let path = self.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, content).unwrap();
        self
    }

    pub fn read(&self, rel: impl AsRef<Path>) -> Vec<u8> {
        std::fs::read(self.join(rel)).unwrap()
    }

    pub fn config(&self, toml: &str) -> &TestRepo {
        self.write(".tiergate.toml", toml)
    }

    pub fn git_cmd(&self, args: &[impl AsRef<OsStr>]) -> Command {
        let mut cmd = Command::new("git");
        cmd.args(args).current_dir(self.path());
        isolate(&mut cmd, self.home.path());
        cmd
    }

    /// Run git and insist it succeeds; returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_cmd(args).output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn stage(&self, paths: &[&str]) -> &TestRepo {
        let mut args = vec!["add", "--"];
        args.extend_from_slice(paths);
        self.git(&args);
        self
    }

    pub fn commit(&self, message: &str) -> &TestRepo {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--no-verify", "-m", message]);
        self
    }

    pub fn tiergate_cmd(&self, args: &[impl AsRef<OsStr>]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args).current_dir(self.path());
        isolate(&mut cmd, self.home.path());
        cmd
    }

    pub fn tiergate(&self, args: &[&str]) -> Run {
        Run::from(self.tiergate_cmd(args).output().unwrap())
    }
}

/// A finished command, with its output as text.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "unexpected exit status\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// A JUnit file with `passed` passing and `failed` failing tests.
pub fn junit_xml(passed: usize, failed: usize) -> String {
    let mut xml = String::from("<?xml version=\"1.0\"?>\n<testsuites><testsuite name=\"s\">");
    for i in 0..passed {
        xml.push_str(&format!(
            "<testcase classname=\"tests.unit.test_a\" name=\"test_pass_{i}\" time=\"0.01\"/>"
        ));
    }
    for i in 0..failed {
        xml.push_str(&format!(
            "<testcase classname=\"tests.unit.test_a\" name=\"test_fail_{i}\" time=\"0.02\"><failure message=\"assert 1 == 2\">trace</failure></testcase>"
        ));
    }
    xml.push_str("</testsuite></testsuites>\n");
    xml
}

/// Whether a process exists (and is not a zombie).
pub fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// Wait (bounded) until `check` holds; for facts that settle asynchronously
/// such as a killed process disappearing. Never used to assert speed.
pub fn eventually(mut check: impl FnMut() -> bool) -> bool {
    for _ in 0..200 {
        if check() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    check()
}
