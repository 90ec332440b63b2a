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

/// The unstaged versions kept beside another program's writes, as
/// `tiergate recover` lists them.
fn kept_copies(t: &TestRepo, name: &str) -> Vec<Vec<u8>> {
    let run = t.tiergate(&["recover"]);
    run.expect_code(0);
    std::fs::read_dir(t.join(".git/tiergate/recovery"))
        .map(|r| {
            r.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "kept"))
                .inspect(|p| {
                    assert!(
                        run.all().contains(&*p.to_string_lossy()),
                        "recover does not list {}: {}",
                        p.display(),
                        run.all()
                    );
                })
                .filter_map(|p| std::fs::read(p.join(name)).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Issue 13: an editor appending to a partially staged file while the
/// commit's tiers run lost lines (to a `.fixes` copy called a formatter
/// conflict, and two outright). A real writer process appends a line every
/// 10 ms before, during and after a real `git commit`; every line it wrote
/// and the user's unstaged line must be in the file, or in a kept copy that
/// `recover` lists. Repeated to catch the races of stash and restore.
#[test]
fn concurrent_writer_loses_no_line_during_a_commit() {
    let (t, _) = repo_with(
        r#"
[stages.smoke]
groups = [{ name = "slow", run = "sleep 0.5", always = true }]
[hooks.pre-commit]
stages = ["smoke"]
"#,
    );
    for round in 0..10 {
        t.write(
            "a.txt",
            format!("one STAGED {round}\ntwo\nthree\nfour\nfive\n"),
        );
        t.stage(&["a.txt"]);
        let unstaged = format!("five UNSTAGED {round}");
        t.write(
            "a.txt",
            format!("one STAGED {round}\ntwo\nthree\nfour\n{unstaged}\n"),
        );
        let stop = t.home.path().join("stop");
        let count = t.home.path().join("count");
        let _ = std::fs::remove_file(&stop);
        let _ = std::fs::remove_file(&count);
        let mut writer = std::process::Command::new("sh")
            .args([
                "-c",
                r#"i=0; while [ ! -e "$1" ]; do i=$((i+1)); echo "r$3-w$i" >> a.txt; sleep 0.01; done; echo $i > "$2""#,
                "sh",
            ])
            .arg(&stop)
            .arg(&count)
            .arg(round.to_string())
            .current_dir(t.path())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(30));
        let run = git_commit(&t);
        std::thread::sleep(std::time::Duration::from_millis(30));
        std::fs::write(&stop, b"").unwrap();
        assert!(writer.wait().unwrap().success());
        assert!(
            !run.all().contains("formatter"),
            "no formatter is configured: {}",
            run.all()
        );
        let written: usize = std::fs::read_to_string(&count)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let file = String::from_utf8(t.read("a.txt")).unwrap();
        let kept: Vec<String> = kept_copies(&t, "a.txt")
            .into_iter()
            .map(|b| String::from_utf8(b).unwrap())
            .collect();
        let found = |line: &str| {
            file.lines().any(|l| l == line) || kept.iter().any(|k| k.lines().any(|l| l == line))
        };
        let lost: Vec<usize> = (1..=written)
            .filter(|i| !found(&format!("r{round}-w{i}")))
            .collect();
        assert!(
            lost.is_empty(),
            "round {round}: lines lost {lost:?} of {written}\nfile:\n{file}\nkept: {kept:?}\n{}",
            run.all()
        );
        assert!(found(&unstaged), "round {round}: {file}\n{}", run.all());
        // Every line the writer wrote, once, in order, after the user's.
        let order: Vec<&str> = file.lines().filter(|l| l.starts_with('r')).collect();
        if kept.is_empty() {
            let expected: Vec<String> = (1..=written).map(|i| format!("r{round}-w{i}")).collect();
            assert_eq!(order, expected, "round {round}");
        }
        // The next round starts from a committed, clean a.txt.
        t.git(&["checkout", "--", "a.txt"]);
    }
}

/// Partially stage a.txt: line 1 staged (with a double space a formatter
/// squeezes), line 5 unstaged.
fn partial(t: &TestRepo) {
    t.write("a.txt", "one  STAGED\ntwo\nthree\nfour\nfive\n");
    t.stage(&["a.txt"]);
    t.write("a.txt", "one  STAGED\ntwo\nthree\nfour\nfive UNSTAGED\n");
}

/// Issue 13: a formatter that stages its own output under `fix = "fail"`
/// had its fixes "rolled back" while the commit took them from the index.
/// And a group that changes the index: the same block.
#[test]
fn index_changed_by_a_formatter_or_group_under_fix_fail_blocks_and_is_put_back() {
    let (t, _) = repo_with(
        r#"
[formatters.squeeze-and-stage]
run = "sh -c 'for f; do sed -i \"s/  */ /g\" \"$f\"; done; git add -- \"$@\"' sh"
files = ["*.txt"]
[stages.smoke]
groups = [{ name = "ok", run = "true", always = true }]
[hooks.pre-commit]
stages = ["smoke"]
formatters = ["squeeze-and-stage"]
fix = "fail"
"#,
    );
    partial(&t);
    let index_before = index(&t);
    let head = t.git(&["rev-parse", "HEAD"]);
    let run = git_commit(&t);
    run.expect_code(1);
    assert!(run.all().contains("changed the index"), "{}", run.all());
    assert!(run.all().contains("a.txt"), "{}", run.all());
    assert_eq!(index(&t), index_before, "the index is what the user staged");
    assert_eq!(t.git(&["rev-parse", "HEAD"]), head);
    // The fixes stay in the work tree, with the unstaged work on top.
    assert_eq!(
        t.read("a.txt"),
        b"one STAGED\ntwo\nthree\nfour\nfive UNSTAGED\n"
    );

    let (t, _) = repo_with(
        r#"
[stages.smoke]
groups = [{ name = "stager", run = "git update-index --chmod=+x b.txt", always = true }]
[hooks.pre-commit]
stages = ["smoke"]
"#,
    );
    partial(&t);
    let index_before = index(&t);
    let run = git_commit(&t);
    run.expect_code(1);
    assert!(run.all().contains("changed the index"), "{}", run.all());
    assert!(run.all().contains("b.txt"), "{}", run.all());
    assert_eq!(index(&t), index_before);
    assert_eq!(
        t.read("a.txt"),
        b"one  STAGED\ntwo\nthree\nfour\nfive UNSTAGED\n"
    );
}

/// Issue 13: a group that edits tracked files (a fixer, a generator) passed
/// and left the edit for the next commit. It fails, naming the files; the
/// edits stay; the unstaged work is restored. With another group running
/// beside it, the edit is laid at the door of the group running when it
/// was made.
#[test]
fn group_that_edits_tracked_files_fails_naming_them() {
    for unstaged in [true, false] {
        let (t, _) = repo_with(
            r#"
[stages.smoke]
groups = [
  { name = "quick", run = "true", always = true },
  { name = "generator", run = "sh -c 'sleep 0.4; echo generated >> b.txt'", always = true },
]
[hooks.pre-commit]
stages = ["smoke"]
"#,
        );
        if unstaged {
            partial(&t);
        } else {
            t.write("a.txt", "one  STAGED\ntwo\nthree\nfour\nfive\n");
            t.stage(&["a.txt"]);
        }
        let before = t.read("a.txt");
        let head = t.git(&["rev-parse", "HEAD"]);
        let run = git_commit(&t);
        run.expect_code(1);
        assert!(
            run.all()
                .contains("files were modified by this group: b.txt"),
            "{}",
            run.all()
        );
        assert!(
            !run.all().contains("quick: files were modified"),
            "{}",
            run.all()
        );
        assert_eq!(t.read("b.txt"), b"alpha\nbeta\ngenerated\n");
        assert_eq!(t.read("a.txt"), before);
        assert_eq!(t.git(&["rev-parse", "HEAD"]), head);
    }
}

/// Issue 13: snapshot isolation keyed the cache by the live work tree, so a
/// broken staged file whose work-tree copy was fine replayed a cached pass.
#[test]
fn snapshot_isolation_keys_the_cache_by_the_snapshot_content() {
    let (t, log) = repo_with(
        r#"
[stages.smoke]
groups = [{ name = "check", run = "sh -c 'echo ran >> TG_LOG; ! grep -q BROKEN a.txt'", always = true }]
[hooks.pre-commit]
stages = ["smoke"]
isolation = "snapshot"
"#,
    );
    t.write("a.txt", "good v2\n");
    t.stage(&["a.txt"]);
    git_commit(&t).expect_code(0);
    // The same work tree again, but a broken file staged.
    t.write("a.txt", "BROKEN\n");
    t.stage(&["a.txt"]);
    t.write("a.txt", "good v2\n");
    let head = t.git(&["rev-parse", "HEAD"]);
    let run = git_commit(&t);
    run.expect_code(1);
    assert_eq!(t.git(&["rev-parse", "HEAD"]), head);
    assert_eq!(logged(&log), "ran\nran\n", "{}", run.all());
}

/// A repository with a bare remote `origin` holding `main`.
fn with_remote(t: &TestRepo) {
    let remote = t.home.path().join("remote.git");
    t.git(&["init", "-q", "--bare", remote.to_str().unwrap()]);
    t.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    t.git(&["push", "-q", "--no-verify", "origin", "main"]);
}

/// Issue 13: pushing a branch that is not checked out tested the current
/// work tree (and passed), even with `push_dirty = "snapshot"`. The pushed
/// commit is tested, once however many refs push it.
#[test]
fn push_of_a_branch_not_checked_out_tests_the_pushed_commit_once() {
    for push_dirty in ["warn", "snapshot"] {
        let (t, log) = repo_with(&format!(
            r#"
[stages.fast]
groups = [{{ name = "check", run = "sh -c 'echo ran >> TG_LOG; ! grep -q BROKEN a.txt'", always = true, cache = false }}]
[hooks.pre-push]
stages = ["fast"]
push_dirty = "{push_dirty}"
"#
        ));
        with_remote(&t);
        t.git(&["checkout", "-q", "-b", "feature"]);
        t.write("a.txt", "BROKEN\n");
        t.commit("broken");
        t.git(&["branch", "feature2"]);
        t.git(&["checkout", "-q", "main"]);
        let run = Run::from(
            t.git_cmd(&["push", "origin", "feature", "feature2"])
                .output()
                .unwrap(),
        );
        run.expect_code(1);
        assert!(run.all().contains("snapshot"), "{}", run.all());
        assert_eq!(
            logged(&log),
            "ran\n",
            "one run for one commit: {}",
            run.all()
        );
        assert!(t
            .git(&["ls-remote", "origin"])
            .lines()
            .all(|l| !l.contains("feature")));
        // The checked-out branch still tests the work tree.
        let _ = std::fs::remove_file(&log);
        t.write("b.txt", "alpha\nbeta\nmore\n");
        t.commit("more");
        Run::from(t.git_cmd(&["push", "origin", "main"]).output().unwrap()).expect_code(0);
        assert_eq!(logged(&log), "ran\n");
    }
}
