//! Issue 13, the safety half, black-box through real `git commit` and
//! `git push`: what a run is given (never a submodule's folder), what it
//! may change (never the index under `fix = "fail"`, never a tracked file
//! from a group), and what it tests (a snapshot's own content, the pushed
//! commit).

use std::path::PathBuf;

use crate::support::{Run, TestRepo};

/// A repository with `config`, one commit and the hooks installed; its
/// groups and formatters may log to `$TG_LOG` (returned).
fn repo_with(config: &str) -> (TestRepo, PathBuf) {
    let t = TestRepo::new();
    let log = t.home.path().join("tg.log");
    t.config(&config.replace("TG_LOG", &log.to_string_lossy()));
    t.write("a.txt", "one\ntwo\nthree\nfour\nfive\n");
    t.write("b.txt", "alpha\nbeta\n");
    t.commit("initial");
    t.tiergate(&["install", "--yes"]).expect_code(0);
    (t, log)
}

fn git_commit(t: &TestRepo) -> Run {
    Run::from(t.git_cmd(&["commit", "-m", "change"]).output().unwrap())
}

fn logged(log: &std::path::Path) -> String {
    std::fs::read_to_string(log).unwrap_or_default()
}

/// The index as git lists it, with the intent-to-add count.
fn index(t: &TestRepo) -> String {
    let entries = t.git(&["ls-files", "-s", "-z"]);
    let ita = t.git(&["diff-files", "--name-status", "-z"]);
    format!("{entries}\n{}", ita.matches('A').count())
}

/// A submodule at `sub` of `t`, committed; returns the inner repository.
fn add_submodule(t: &TestRepo) -> TestRepo {
    let sub = TestRepo::new();
    sub.write("inner.txt", "inner\n");
    sub.commit("inner");
    t.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        sub.path().to_str().unwrap(),
        "sub",
    ]);
    t.commit("submodule");
    sub
}

#[test]
fn submodule_pointer_selects_by_its_path_but_is_never_passed_as_a_file() {
    let (t, log) = repo_with(
        r#"
[settings]
unmatched = "none"
[[select]]
paths = ["sub", "*.txt"]
markers = ["any"]
[formatters.record]
run = "sh -c 'printf \"fmt %s\\n\" \"$@\" >> TG_LOG' sh"
files = ["*"]
[stages.smoke]
groups = [{ name = "files", markers = ["any"], run = "sh -c 'printf \"group %s\\n\" \"$@\" >> TG_LOG' sh {files}" }]
[hooks.pre-commit]
stages = ["smoke"]
formatters = ["record"]
"#,
    );
    add_submodule(&t);
    // A new commit inside the submodule, its pointer staged with a file.
    std::fs::write(t.join("sub/inner.txt"), "moved on\n").unwrap();
    let inner = |args: &[&str]| {
        let mut cmd = t.git_cmd(args);
        cmd.current_dir(t.join("sub"));
        assert!(cmd.status().unwrap().success());
    };
    inner(&["add", "inner.txt"]);
    inner(&["commit", "-q", "--no-verify", "-m", "inner 2"]);
    t.write("a.txt", "one changed\ntwo\nthree\nfour\nfive\n");
    t.stage(&["sub", "a.txt"]);
    let _ = std::fs::remove_file(&log);
    git_commit(&t).expect_code(0);
    let log = logged(&log);
    assert!(log.contains("group a.txt"), "{log}");
    assert!(log.contains("fmt a.txt"), "{log}");
    assert!(!log.contains("sub"), "a submodule was passed on: {log}");

    // The pointer alone still selects (by its path), with no file to pass.
    let (t2, log2) = repo_with(
        r#"
[settings]
unmatched = "none"
[[select]]
paths = ["sub"]
markers = ["sub"]
[stages.smoke]
groups = [{ name = "pointer", markers = ["sub"], run = "sh -c 'echo ran \"$@\" >> TG_LOG' sh {files}" }]
[hooks.pre-commit]
stages = ["smoke"]
"#,
    );
    add_submodule(&t2);
    let mut cmd = t2.git_cmd(&["commit", "-q", "--no-verify", "--allow-empty", "-m", "x"]);
    cmd.current_dir(t2.join("sub"));
    assert!(cmd.status().unwrap().success());
    t2.stage(&["sub"]);
    git_commit(&t2).expect_code(0);
    assert_eq!(logged(&log2), "ran\n");
}
