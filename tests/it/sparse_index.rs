//! A sparse checkout with a sparse index (`git sparse-checkout set
//! --sparse-index`): every command reads changes the way git does, although
//! libgit2 refuses the index's `sdir` extension.

use std::process::Stdio;

use crate::support::{Run, TestRepo};

const CONFIG: &str = r#"
[settings]
unmatched = "all"

[stages.smoke]
groups = [{ name = "files", cache = false, run = "sh -c 'printf \"%s\\n\" \"$@\" >> \"$TG_LOG\"' sh {files}" }]

[hooks.pre-commit]
stages = ["smoke"]

[hooks.pre-push]
stages = ["smoke"]
"#;

struct Sparse {
    repo: TestRepo,
    /// The bare remote pushed to; kept alive for the test's pushes.
    _remote: tempfile::TempDir,
}

impl Sparse {
    /// `app/` checked out; `lib/` and `other/` are directory entries of the index.
    fn new() -> Sparse {
        let repo = TestRepo::new();
        let remote = tempfile::tempdir().unwrap();
        repo.config(CONFIG);
        repo.write("app/a.py", "a\n")
            .write("lib/deep/l.py", "l\n")
            .write("other/o.py", "o\n")
            .commit("init");
        repo.git(&["init", "-q", "--bare", remote.path().to_str().unwrap()]);
        repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
        repo.git(&["push", "-q", "origin", "main"]);
        repo.git(&["sparse-checkout", "set", "--sparse-index", "app"]);
        let listed = repo.git(&["ls-files", "--sparse", "-s"]);
        assert!(listed.contains("040000"), "not a sparse index:\n{listed}");
        assert!(!repo.join("lib").exists());
        repo.tiergate(&["install", "--yes"]).expect_code(0);
        Sparse {
            repo,
            _remote: remote,
        }
    }

    fn log(&self) -> std::path::PathBuf {
        self.repo.home.path().join("tg.log")
    }

    fn take_log(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.log()).unwrap_or_default();
        let _ = std::fs::remove_file(self.log());
        text.lines().map(str::to_owned).collect()
    }

    fn git(&self, args: &[&str]) -> Run {
        let out = self
            .repo
            .git_cmd(args)
            .env("TG_LOG", self.log())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Run::from(out)
    }

    fn tiergate(&self, args: &[&str]) -> Run {
        Run::from(
            self.repo
                .tiergate_cmd(args)
                .env("TG_LOG", self.log())
                .output()
                .unwrap(),
        )
    }
}

#[test]
fn a_sparse_index_works_for_run_changed_pre_commit_and_pre_push() {
    let s = Sparse::new();
    s.repo.write("app/a.py", "a changed\n");
    s.repo.write("app/new.py", "new\n");

    let run = s.tiergate(&["run", "smoke", "--changed"]);
    run.expect_code(0);
    assert_eq!(s.take_log(), ["app/a.py", "app/new.py"], "{}", run.all());

    // pre-commit, fired by git: only what is staged; unstaged work set aside and back.
    s.git(&["add", "app/a.py"]).expect_code(0);
    s.repo.write("app/a.py", "a changed\nunstaged\n");
    let commit = s.git(&["commit", "-q", "-m", "change a"]);
    commit.expect_code(0);
    assert_eq!(s.take_log(), ["app/a.py"], "{}", commit.all());
    assert_eq!(s.repo.git(&["show", "HEAD:app/a.py"]), "a changed\n");
    assert_eq!(s.repo.read("app/a.py"), b"a changed\nunstaged\n");

    // pre-push, fired by git: the pushed commit's change.
    let push = s.git(&["push", "-q", "origin", "main"]);
    push.expect_code(0);
    assert_eq!(s.take_log(), ["app/a.py"], "{}", push.all());

    let listed = s.repo.git(&["ls-files", "--sparse", "-s"]);
    assert!(
        listed.contains("040000"),
        "the index is still sparse:\n{listed}"
    );
    assert_eq!(s.repo.read("app/new.py"), b"new\n");
    let doctor = s.tiergate(&["doctor"]);
    assert!(!doctor.all().contains("sdir"), "{}", doctor.all());
}

#[test]
fn a_sparse_index_plan_and_changed_since_read_changes() {
    let s = Sparse::new();
    s.repo.write("app/a.py", "a changed\n");
    let plan = s.tiergate(&["plan", "smoke", "--changed"]);
    plan.expect_code(0);
    assert!(plan.stdout.contains("app/a.py"), "{}", plan.all());
    let since = s.tiergate(&["run", "smoke", "--changed-since", "HEAD"]);
    since.expect_code(0);
    assert_eq!(s.take_log(), ["app/a.py"], "{}", since.all());
}
