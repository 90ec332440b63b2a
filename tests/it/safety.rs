//! SPEC 8, the safety contract, black-box: real repositories, the hook
//! installed with `tiergate install --yes`, fired by real `git commit`.
//! Every scenario snapshots the work tree and index before and asserts that
//! no byte of staged or unstaged content is lost and the index changes only
//! when asked.

use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use crate::support::{eventually, Run, TestRepo};

/// A tier whose test fails unless the work tree is the index (what is
/// committed), and a formatter that squeezes double spaces in `*.txt`.
const BASE: &str = r#"
[env]
GIT_OPTIONAL_LOCKS = "0"
[formatters.squeeze]
run = "sh -c 'for f; do sed -i \"s/  */ /g\" \"$f\"; done' sh"
files = ["*.txt"]
[stages.smoke]
groups = [{ name = "sees-the-index", run = "git diff --quiet --ignore-submodules", always = true }]
[hooks.pre-commit]
stages = ["smoke"]
"#;

fn repo_with(config: &str) -> TestRepo {
    let t = TestRepo::new();
    t.config(config);
    t.write("a.txt", "one\ntwo\nthree\nfour\nfive\n");
    t.write("b.txt", "alpha\nbeta\n");
    t.commit("initial");
    t.tiergate(&["install", "--yes"]).expect_code(0);
    t
}

fn repo() -> TestRepo {
    repo_with(BASE)
}

/// Every work-tree path (not `.git`) with its kind, bytes and mode.
type Tree = BTreeMap<PathBuf, (char, Vec<u8>, u32)>;

fn tree(t: &TestRepo) -> Tree {
    fn walk(dir: &Path, root: &Path, out: &mut Tree) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            if rel.as_os_str() == ".git" || rel.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let mode = meta.permissions().mode() & 0o7777;
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.insert(rel, ('l', target.as_os_str().as_bytes().to_vec(), 0));
            } else if meta.is_dir() {
                out.insert(rel, ('d', Vec::new(), 0));
                walk(&path, root, out);
            } else {
                out.insert(rel, ('f', std::fs::read(&path).unwrap(), mode));
            }
        }
    }
    let mut out = Tree::new();
    walk(t.path(), t.path(), &mut out);
    out
}

/// The index as git lists it: mode, blob, stage and path of every entry,
/// plus intent-to-add flags.
fn index(t: &TestRepo) -> String {
    let entries = t.git(&["ls-files", "-s", "-z"]);
    let ita = t.git(&["diff-files", "--name-status", "-z"]);
    format!("{entries}\n{}", ita.matches('A').count())
}

#[derive(Debug, PartialEq)]
struct State {
    tree: Tree,
    index: String,
}

fn state(t: &TestRepo) -> State {
    State {
        tree: tree(t),
        index: index(t),
    }
}

/// Bytes of `before` not found identical in `after`: the loss count.
fn bytes_lost(before: &State, after: &State) -> usize {
    before
        .tree
        .iter()
        .filter(|(path, entry)| after.tree.get(*path) != Some(entry))
        .map(|(_, (_, bytes, _))| bytes.len().max(1))
        .sum()
}

#[track_caller]
fn assert_nothing_lost(before: &State, after: &State) {
    assert_eq!(bytes_lost(before, after), 0, "work tree changed");
    assert_eq!(before.tree, after.tree);
    assert_eq!(before.index, after.index, "index changed");
}

fn git_commit(t: &TestRepo, envs: &[(&str, &str)]) -> Run {
    let mut cmd = t.git_cmd(&["commit", "-m", "change"]);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    Run::from(cmd.output().unwrap())
}

fn recovery_entries(t: &TestRepo) -> Vec<PathBuf> {
    std::fs::read_dir(t.join(".git/tiergate/recovery"))
        .map(|r| {
            r.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_none())
                .collect()
        })
        .unwrap_or_default()
}

fn head(t: &TestRepo) -> String {
    t.git(&["rev-parse", "HEAD"])
}

/// Partially stage a.txt: line 1 staged, line 5 unstaged.
fn partial(t: &TestRepo) {
    t.write("a.txt", "one STAGED\ntwo\nthree\nfour\nfive\n");
    t.stage(&["a.txt"]);
    t.write("a.txt", "one STAGED\ntwo\nthree\nfour\nfive UNSTAGED\n");
}

/// After a passing commit: HEAD holds the staged content and the work tree
/// everything the user had.
#[track_caller]
fn assert_committed_and_kept(t: &TestRepo, before: &State, run: &Run) {
    run.expect_code(0);
    assert_eq!(before.tree, tree(t), "{}", run.all());
    assert!(recovery_entries(t).is_empty());
}

#[test]
fn safety_partially_staged_file_is_tested_as_staged_and_restored() {
    let t = repo();
    partial(&t);
    let before = tree(&t);
    let run = git_commit(&t, &[]);
    run.expect_code(0);
    assert_eq!(
        t.git(&["show", "HEAD:a.txt"]),
        "one STAGED\ntwo\nthree\nfour\nfive\n"
    );
    assert_eq!(before, tree(&t));
    assert!(recovery_entries(&t).is_empty());
}

/// Let the files' timestamps fall behind the index's, as they are in use:
/// a file modified in the same clock tick as the index is "racy", and its
/// stat data proves nothing (so the stash would run to be sure).
fn settle(t: &TestRepo) {
    std::thread::sleep(std::time::Duration::from_millis(50));
    t.git(&["update-index", "-q", "--really-refresh"]);
}

/// Issue 7: with nothing unstaged the hook sets nothing aside (no git run,
/// no entry), with or without formatters; with an unstaged change it does.
/// The `before-stash` failpoint panics if the full stash is reached.
#[test]
fn safety_nothing_unstaged_means_no_stash_and_anything_unstaged_means_one() {
    for config in [BASE.to_owned(), with_formatter("fail")] {
        let t = repo_with(&config);
        t.write("a.txt", "one STAGED\ntwo\nthree\nfour\nfive\n");
        t.stage(&["a.txt"]);
        settle(&t);
        let panic_if_stashed = [("TIERGATE_FAILPOINT", "before-stash:panic")];
        git_commit(&t, &panic_if_stashed).expect_code(0);
        assert_eq!(
            t.git(&["show", "HEAD:a.txt"]),
            "one STAGED\ntwo\nthree\nfour\nfive\n"
        );

        t.write("a.txt", "one STAGED AGAIN\ntwo\nthree\nfour\nfive\n");
        t.stage(&["a.txt"]);
        t.write("b.txt", "alpha\nbeta UNSTAGED\n");
        settle(&t);
        let before = state(&t);
        let run = git_commit(&t, &panic_if_stashed);
        assert_ne!(run.code, 0, "the stash was skipped: {}", run.all());
        assert!(
            run.all().contains("failpoint before-stash"),
            "{}",
            run.all()
        );
        assert_nothing_lost(&before, &state(&t));
    }
}

#[test]
fn safety_failing_test_blocks_and_restores_every_byte() {
    let t = repo_with(&BASE.replace(
        "run = \"git diff --quiet --ignore-submodules\"",
        "run = \"false\"",
    ));
    partial(&t);
    let before = state(&t);
    let old = head(&t);
    git_commit(&t, &[]).expect_code(1);
    assert_nothing_lost(&before, &state(&t));
    assert_eq!(old, head(&t));
    assert!(recovery_entries(&t).is_empty());
}

#[test]
fn safety_timeout_blocks_and_restores() {
    let t = repo_with(&BASE.replace(
        "run = \"git diff --quiet --ignore-submodules\", always = true",
        "run = \"sleep 30\", always = true, timeout = \"1s\"",
    ));
    partial(&t);
    let before = state(&t);
    git_commit(&t, &[]).expect_code(1);
    assert_nothing_lost(&before, &state(&t));
}

#[test]
fn safety_panic_is_restored_by_the_drop_guard() {
    let t = repo();
    partial(&t);
    let before = state(&t);
    let run = git_commit(&t, &[("TIERGATE_FAILPOINT", "after-stash:panic")]);
    assert_ne!(run.code, 0);
    assert_nothing_lost(&before, &state(&t));
    assert!(recovery_entries(&t).is_empty());
}

/// A commit whose tier waits forever, started in the background; returns it
/// once tiergate's pid (the tier's parent) is known.
fn commit_in_background(t: &TestRepo, failpoint: Option<&str>) -> (Child, i32, PathBuf) {
    let marker = t.home.path().join(format!("marker-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let mut cmd = t.git_cmd(&["commit", "-m", "change"]);
    cmd.env("MARKER", &marker)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(point) = failpoint {
        cmd.env("TIERGATE_FAILPOINT", format!("{point}:pause"))
            .env("TIERGATE_FAILPOINT_MARKER", &marker);
    }
    let child = cmd.spawn().unwrap();
    assert!(
        eventually(|| std::fs::metadata(&marker).is_ok_and(|m| m.len() > 0)),
        "the run never reached the marker"
    );
    let pid = tiergate_pid(t, failpoint.is_some(), &marker);
    (child, pid, marker)
}

/// The tier writes its parent's pid (tiergate) to the marker; a failpoint
/// writes its name, and tiergate is then found as the hook process.
fn tiergate_pid(t: &TestRepo, at_failpoint: bool, marker: &Path) -> i32 {
    if !at_failpoint {
        return std::fs::read_to_string(marker)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
    }
    let root = t.path().canonicalize().unwrap();
    for entry in std::fs::read_dir("/proc").unwrap().filter_map(Result::ok) {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap_or_default();
        if cmdline.starts_with(crate::support::BIN.as_bytes()) && cwd == root {
            return pid;
        }
    }
    panic!("tiergate process not found");
}

fn signal(pid: i32, name: &str) {
    let ok = std::process::Command::new("kill")
        .args([format!("-{name}"), pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{name} {pid}");
}

const WAITING_TIER: &str =
    "run = \"sh -c 'echo $PPID > \\\"$MARKER\\\"; exec sleep 30'\", always = true";

#[test]
fn safety_signals_stop_the_run_and_restore_everything() {
    // SIGINT, SIGINT pressed twice, SIGTERM, SIGHUP: 4 fault scenarios.
    for signals in [&["INT"][..], &["INT", "INT"], &["TERM"], &["HUP"]] {
        let t = repo_with(&BASE.replace(
            "run = \"git diff --quiet --ignore-submodules\", always = true",
            WAITING_TIER,
        ));
        partial(&t);
        t.write("c.txt", "untracked\n");
        let before = state(&t);
        let (mut child, pid, _) = commit_in_background(&t, None);
        for name in signals {
            signal(pid, name);
        }
        let status = child.wait().unwrap();
        assert!(!status.success(), "{signals:?}");
        assert_nothing_lost(&before, &state(&t));
        assert!(recovery_entries(&t).is_empty(), "{signals:?}");
    }
}

#[test]
fn safety_sigkill_at_every_point_then_next_command_restores() {
    // SIGKILL before the stash, halfway through it, after it, during the
    // formatters, while tests run, before and halfway through the restore.
    let points = [
        Some("before-stash"),
        Some("mid-stash"),
        Some("after-stash"),
        Some("after-formatters"),
        None,
        Some("before-restore"),
        Some("mid-restore"),
    ];
    let config = BASE
        .replace(
            "run = \"git diff --quiet --ignore-submodules\", always = true",
            "run = \"sh -c 'test -n \\\"$TIERGATE_FAILPOINT\\\" || { echo $PPID > \\\"$MARKER\\\"; exec sleep 30; }'\", always = true",
        )
        .replace("stages = [\"smoke\"]", "stages = [\"smoke\"]\nformatters = [\"squeeze\"]");
    let mut scenarios = 0;
    for point in points {
        let t = repo_with(&config);
        partial(&t);
        // A second partially staged file, a formatter fix, a deletion, an
        // executable bit: the restore has several paths to get through.
        // Only the formatter scenario has something to fix; the others go
        // on to the tests and the restore.
        let spaces = if point == Some("after-formatters") {
            "  "
        } else {
            " "
        };
        t.write("b.txt", format!("alpha{spaces}spaced\nbeta\n"));
        t.stage(&["b.txt"]);
        t.write(
            "b.txt",
            format!("alpha{spaces}spaced\nbeta\nunstaged tail\n"),
        );
        std::fs::remove_file(t.join("a.txt")).ok();
        t.write("a.txt", "one STAGED\ntwo\nthree\nfour\nfive UNSTAGED\n");
        t.write("c.txt", "untracked\n");
        let before = state(&t);
        let (mut child, pid, _) = commit_in_background(&t, point);
        signal(pid, "KILL");
        let _ = child.wait();
        // Whatever command comes next restores first and says so.
        let next = t.tiergate(&["config"]);
        let after = state(&t);
        assert_eq!(bytes_lost(&before, &after), 0, "{point:?}: {}", next.all());
        assert_nothing_lost(&before, &after);
        assert!(recovery_entries(&t).is_empty(), "{point:?}: {}", next.all());
        assert!(
            !t.join(".git/tiergate/snapshots").exists()
                || std::fs::read_dir(t.join(".git/tiergate/snapshots"))
                    .unwrap()
                    .next()
                    .is_none()
        );
        scenarios += 1;
    }
    assert_eq!(scenarios, 7);
}

#[test]
fn safety_recover_lists_and_restores_and_keeps_both_on_later_edits() {
    let t = repo();
    partial(&t);
    let before = state(&t);
    let (mut child, pid, _) = commit_in_background(&t, Some("after-stash"));
    signal(pid, "KILL");
    let _ = child.wait();
    // The user edits the stashed file after the crash: never overwritten.
    t.write("a.txt", "edited after the crash\n");
    let run = t.tiergate(&["recover"]);
    run.expect_code(0);
    assert!(run.all().contains("a.txt"), "{}", run.all());
    assert_eq!(t.read("a.txt"), b"edited after the crash\n");
    assert_eq!(
        t.read("a.txt.tiergate-recovered"),
        before.tree[Path::new("a.txt")].1
    );
    assert!(
        run.all().contains("a.txt.tiergate-recovered"),
        "{}",
        run.all()
    );
    assert!(recovery_entries(&t).is_empty());
    t.tiergate(&["recover"]).expect_code(0);
}

fn with_formatter(fix: &str) -> String {
    BASE.replace(
        "stages = [\"smoke\"]",
        &format!("stages = [\"smoke\"]\nformatters = [\"squeeze\"]\nfix = \"{fix}\""),
    )
}

#[test]
fn safety_fix_fail_blocks_with_the_fixes_left_and_unstaged_work_on_top() {
    let t = repo_with(&with_formatter("fail"));
    t.write("a.txt", "one  spaced\ntwo\nthree\nfour\nfive\n");
    t.stage(&["a.txt"]);
    t.write("a.txt", "one  spaced\ntwo\nthree\nfour\nfive UNSTAGED\n");
    let index_before = index(&t);
    let run = git_commit(&t, &[]);
    run.expect_code(1);
    assert!(run.all().contains("a.txt"), "{}", run.all());
    assert_eq!(
        t.read("a.txt"),
        b"one spaced\ntwo\nthree\nfour\nfive UNSTAGED\n"
    );
    assert_eq!(index_before, index(&t));
}

#[test]
fn safety_fix_fail_with_nothing_unstaged_names_only_the_files_whose_bytes_changed() {
    // Nothing unstaged: no git run lists what to save, and the formatter's
    // changes are told from the bytes it found. `sed -i` rewrites both
    // files; only a.txt gets different bytes.
    let t = repo_with(&with_formatter("fail"));
    t.write("a.txt", "one  spaced\ntwo\nthree\nfour\nfive\n");
    t.write("b.txt", "alpha\nbeta\ngamma\n");
    t.stage(&["a.txt", "b.txt"]);
    let index_before = index(&t);
    let run = git_commit(&t, &[]);
    run.expect_code(1);
    assert!(
        run.all()
            .contains("formatters changed 1 staged file: a.txt"),
        "{}",
        run.all()
    );
    assert_eq!(t.read("a.txt"), b"one spaced\ntwo\nthree\nfour\nfive\n");
    assert_eq!(t.read("b.txt"), b"alpha\nbeta\ngamma\n");
    assert_eq!(index_before, index(&t));
    assert!(recovery_entries(&t).is_empty());
}

#[test]
fn safety_a_formatter_changing_a_file_it_was_not_given_is_seen() {
    let config = BASE
        .replace(
            "[stages.smoke]",
            r#"[formatters.meddler]
run = "sh -c 'sed -i s/alpha/ALPHA/ b.txt' sh"
files = ["a.txt"]
[stages.smoke]"#,
        )
        .replace(
            "stages = [\"smoke\"]",
            "stages = [\"smoke\"]\nformatters = [\"meddler\"]\nfix = \"fail\"",
        );
    let t = repo_with(&config);
    t.write("a.txt", "one\ntwo\nthree\nfour\nfive\nsix\n");
    t.stage(&["a.txt"]);
    let run = git_commit(&t, &[]);
    run.expect_code(1);
    assert!(
        run.all()
            .contains("formatters changed 1 staged file: b.txt"),
        "{}",
        run.all()
    );
    assert_eq!(t.read("b.txt"), b"ALPHA\nbeta\n");
}

#[test]
fn safety_fix_restage_stages_only_the_fixes() {
    let t = repo_with(&with_formatter("restage"));
    t.write("a.txt", "one  spaced\ntwo\nthree\nfour\nfive\n");
    t.stage(&["a.txt"]);
    t.write("a.txt", "one  spaced\ntwo\nthree\nfour\nfive UNSTAGED\n");
    t.write("untracked.txt", "not  mine  to  touch\n");
    let run = git_commit(&t, &[]);
    run.expect_code(0);
    assert!(
        run.all().contains("restaged 1 file: a.txt"),
        "{}",
        run.all()
    );
    assert_eq!(
        t.git(&["show", "HEAD:a.txt"]),
        "one spaced\ntwo\nthree\nfour\nfive\n"
    );
    assert_eq!(
        t.read("a.txt"),
        b"one spaced\ntwo\nthree\nfour\nfive UNSTAGED\n"
    );
    assert_eq!(t.read("untracked.txt"), b"not  mine  to  touch\n");
}

#[test]
fn safety_conflicting_fixes_are_rolled_back_and_saved_aside_in_both_modes() {
    for fix in ["fail", "restage"] {
        let t = repo_with(&with_formatter(fix));
        t.write("a.txt", "one  spaced\ntwo\nthree\nfour\nfive\n");
        t.stage(&["a.txt"]);
        // The unstaged edit touches the line the formatter rewrites.
        t.write(
            "a.txt",
            "one  spaced  and  edited\ntwo\nthree\nfour\nfive\n",
        );
        let before = state(&t);
        let run = git_commit(&t, &[]);
        run.expect_code(1);
        assert_nothing_lost(&before, &state(&t));
        assert!(run.all().contains("conflict"), "{}", run.all());
        let fixes: Vec<PathBuf> = std::fs::read_dir(t.join(".git/tiergate/recovery"))
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "fixes"))
            .collect();
        assert_eq!(fixes.len(), 1, "{fix}");
        assert_eq!(
            std::fs::read(fixes[0].join("a.txt")).unwrap(),
            b"one spaced\ntwo\nthree\nfour\nfive\n"
        );
        assert!(
            run.all().contains(&*fixes[0].to_string_lossy()),
            "{}",
            run.all()
        );
    }
}

#[test]
fn safety_held_index_lock_is_reported_with_nothing_done() {
    let t = repo();
    partial(&t);
    let before = state(&t);
    // As if another git process held the lock for longer than tiergate waits.
    std::fs::write(t.join(".git/index.lock"), b"").unwrap();
    let run = t.tiergate(&["hook", "pre-commit"]);
    std::fs::remove_file(t.join(".git/index.lock")).unwrap();
    run.expect_code(2);
    assert!(run.stderr.contains("index.lock"), "{}", run.stderr);
    assert_nothing_lost(&before, &state(&t));
    assert!(recovery_entries(&t).is_empty());
}

#[test]
fn safety_two_worktrees_keep_their_own_entries() {
    let t = repo();
    let wt = t.home.path().join("wt");
    t.git(&["worktree", "add", "-q", "-b", "other", wt.to_str().unwrap()]);
    partial(&t);
    std::fs::write(wt.join("a.txt"), "in the other worktree\n").unwrap();
    let (mut child, pid, _) = commit_in_background(&t, Some("after-stash"));
    // The other worktree's commands never see, nor restore, this entry.
    let mut cmd = t.tiergate_cmd(&["recover"]);
    cmd.current_dir(&wt);
    let run = Run::from(cmd.output().unwrap());
    run.expect_code(0);
    assert!(run.stdout.contains("no stashed work"), "{}", run.all());
    assert_eq!(
        std::fs::read(wt.join("a.txt")).unwrap(),
        b"in the other worktree\n"
    );
    signal(pid, "KILL");
    let _ = child.wait();
    t.tiergate(&["recover"]).expect_code(0);
    assert_eq!(
        t.read("a.txt"),
        b"one STAGED\ntwo\nthree\nfour\nfive UNSTAGED\n"
    );
}

/// `state_dir = ".git/..."` means the worktree's own git dir in a linked
/// worktree too, where `.git` is a file: its stash works there.
#[test]
fn safety_a_state_dir_inside_dot_git_works_in_a_linked_worktree() {
    let t = repo_with(&format!(
        "[settings]\nstate_dir = \".git/tg-state\"\n{BASE}"
    ));
    let wt = t.home.path().join("wt");
    t.git(&["worktree", "add", "-q", "-b", "other", wt.to_str().unwrap()]);
    std::fs::write(wt.join("a.txt"), "one STAGED\ntwo\nthree\nfour\nfive\n").unwrap();
    let git_in_wt = |args: &[&str]| {
        let mut cmd = t.git_cmd(args);
        cmd.current_dir(&wt);
        Run::from(cmd.output().unwrap())
    };
    git_in_wt(&["add", "a.txt"]).expect_code(0);
    std::fs::write(
        wt.join("a.txt"),
        "one STAGED\ntwo\nthree\nfour\nfive UNSTAGED\n",
    )
    .unwrap();
    git_in_wt(&["commit", "-m", "in the worktree"]).expect_code(0);
    assert_eq!(
        std::fs::read(wt.join("a.txt")).unwrap(),
        b"one STAGED\ntwo\nthree\nfour\nfive UNSTAGED\n"
    );
    assert!(
        !wt.join(".git").is_dir(),
        "a linked worktree's .git is a file"
    );
}

// ---- the hard cases of SPEC 8, each through a real `git commit` ----

#[test]
fn safety_hard_case_binary_file() {
    let t = repo();
    t.write("blob.bin", [0u8, 1, 2, 255, 0, 13, 10]);
    t.commit("binary");
    t.write("blob.bin", [0u8, 1, 2, 254, 0, 13, 10, 0]);
    t.stage(&["blob.bin"]);
    t.write("blob.bin", [9u8, 0, 0, 0, 255, 255]);
    let before = state(&t);
    assert_committed_and_kept(&t, &before, &git_commit(&t, &[]));
}

#[test]
fn safety_hard_case_crlf_and_autocrlf() {
    let t = repo();
    t.git(&["config", "core.autocrlf", "true"]);
    t.write("win.txt", "a\r\nb\r\n");
    t.commit("crlf");
    t.write("win.txt", "a staged\r\nb\r\n");
    t.stage(&["win.txt"]);
    t.write("win.txt", "a staged\r\nb unstaged\r\n");
    t.write("raw.txt", "mixed\r\nendings\n");
    let before = state(&t);
    assert_committed_and_kept(&t, &before, &git_commit(&t, &[]));
}

/// Where a checkout converts a file (`core.autocrlf`, a `.gitattributes` in a folder above
/// it, `info/attributes`), the file holds its staged content during the run as git writes
/// it, CRLF and all: tiergate reads the index content in process only when nothing converts.
#[test]
fn safety_the_staged_content_is_set_as_git_checks_it_out_when_a_checkout_converts() {
    for setup in ["core.autocrlf", "a .gitattributes above", "info/attributes"] {
        let t = repo_with(&BASE.replace(
            "run = \"git diff --quiet --ignore-submodules\"",
            "run = \"cmp dir/win.txt expected.crlf\"",
        ));
        match setup {
            "core.autocrlf" => {
                t.git(&["config", "core.autocrlf", "true"]);
            }
            "a .gitattributes above" => {
                t.write("dir/.gitattributes", "*.txt eol=crlf\n");
            }
            _ => {
                std::fs::create_dir_all(t.join(".git/info")).unwrap();
                std::fs::write(t.join(".git/info/attributes"), "*.txt eol=crlf\n").unwrap();
            }
        }
        t.write("dir/win.txt", "a\r\nb\r\n");
        t.stage(&["dir/win.txt"]);
        t.git(&["commit", "-q", "--no-verify", "-m", "crlf"]);
        t.write("dir/win.txt", "a staged\r\nb\r\n");
        t.stage(&["dir/win.txt"]);
        t.write("dir/win.txt", "a staged\r\nb unstaged\r\n");
        t.write("expected.crlf", "a staged\r\nb\r\n");
        let before = state(&t);
        let run = git_commit(&t, &[]);
        assert_eq!(run.code, 0, "{setup}: {}", run.all());
        assert_committed_and_kept(&t, &before, &run);
        assert_eq!(
            t.git(&["cat-file", "blob", "HEAD:dir/win.txt"]),
            "a staged\nb\n",
            "{setup}"
        );
    }
}

#[test]
fn safety_hard_case_executable_bit_only() {
    let t = repo();
    t.write("run.sh", "echo hi\n");
    t.commit("script");
    t.write("a.txt", "staged\n");
    t.stage(&["a.txt"]);
    std::fs::set_permissions(t.join("run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let before = state(&t);
    assert_committed_and_kept(&t, &before, &git_commit(&t, &[]));
    assert!(t.git(&["ls-files", "-s", "run.sh"]).starts_with("100644"));
}

#[test]
fn safety_hard_case_symlinks() {
    let t = repo();
    std::os::unix::fs::symlink("a.txt", t.join("link")).unwrap();
    t.commit("link");
    std::fs::remove_file(t.join("link")).unwrap();
    std::os::unix::fs::symlink("b.txt", t.join("link")).unwrap();
    t.stage(&["link"]);
    std::fs::remove_file(t.join("link")).unwrap();
    std::os::unix::fs::symlink("missing-target", t.join("link")).unwrap();
    let before = state(&t);
    assert_committed_and_kept(&t, &before, &git_commit(&t, &[]));
    assert_eq!(t.git(&["cat-file", "blob", "HEAD:link"]), "b.txt");
}

#[test]
fn safety_hard_case_intent_to_add() {
    let t = repo_with(&BASE.replace(
        "run = \"git diff --quiet --ignore-submodules\"",
        "run = \"sh -c 'test ! -e ita.txt'\"",
    ));
    t.write("a.txt", "staged\n");
    t.stage(&["a.txt"]);
    t.write("ita.txt", "intent to add\n");
    t.git(&["add", "-N", "ita.txt"]);
    let before = state(&t);
    assert_committed_and_kept(&t, &before, &git_commit(&t, &[]));
    assert_eq!(before.index.lines().last(), index(&t).lines().last());
}

#[test]
fn safety_hard_case_staged_file_deleted_in_work_tree() {
    let t = repo();
    t.write("b.txt", "alpha staged\nbeta\n");
    t.stage(&["b.txt"]);
    std::fs::remove_file(t.join("b.txt")).unwrap();
    let before = state(&t);
    assert_committed_and_kept(&t, &before, &git_commit(&t, &[]));
    assert!(!t.join("b.txt").exists());
    assert_eq!(t.git(&["show", "HEAD:b.txt"]), "alpha staged\nbeta\n");
}

#[test]
fn safety_hard_case_merge_in_progress() {
    let t = repo();
    t.git(&["checkout", "-q", "-b", "side"]);
    t.write("side.txt", "from side\n");
    t.commit("side");
    t.git(&["checkout", "-q", "main"]);
    t.write("b.txt", "alpha\nbeta\nmain\n");
    t.commit("main");
    t.git(&["merge", "--no-commit", "--no-ff", "side"]);
    assert!(t.join(".git/MERGE_HEAD").exists());
    t.write("a.txt", "unstaged during the merge\n");
    let before = state(&t);
    assert_committed_and_kept(&t, &before, &git_commit(&t, &[]));
    assert_eq!(
        t.git(&["rev-list", "--parents", "-n1", "HEAD"])
            .split(' ')
            .count(),
        3
    );
}

#[test]
fn safety_hard_case_submodule_left_alone() {
    let t = repo();
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
    std::fs::write(t.join("sub/inner.txt"), "dirty inside the submodule\n").unwrap();
    std::fs::write(t.join("sub/new.txt"), "untracked in the submodule\n").unwrap();
    partial(&t);
    let before = state(&t);
    assert_committed_and_kept(&t, &before, &git_commit(&t, &[]));
}

#[test]
fn safety_hard_case_untracked_and_ignored_untouched() {
    let t = repo();
    t.write(".gitignore", "*.log\n");
    t.commit("ignore");
    t.write("debug.log", "ignored\n");
    t.write("notes/new.txt", "untracked  with  spaces\n");
    partial(&t);
    let before = state(&t);
    assert_committed_and_kept(&t, &before, &git_commit(&t, &[]));
}

#[test]
fn safety_hard_case_file_over_100_mb() {
    let t = repo();
    t.write("big.dat", "small in the index\n");
    t.commit("big");
    let mut big = vec![b'x'; 101 * 1024 * 1024];
    big[1234] = 0;
    t.write("big.dat", &big);
    drop(big);
    t.write("a.txt", "staged\n");
    t.stage(&["a.txt"]);
    let before = state(&t);
    assert_committed_and_kept(&t, &before, &git_commit(&t, &[]));
}

#[test]
fn safety_hard_case_read_only_file() {
    let t = repo();
    partial(&t);
    std::fs::set_permissions(t.join("a.txt"), std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = state(&t);
    assert_committed_and_kept(&t, &before, &git_commit(&t, &[]));
}

#[test]
fn safety_hard_case_non_utf8_path() {
    let t = repo();
    let name = PathBuf::from(std::ffi::OsStr::from_bytes(b"caf\xe9 *.txt"));
    t.write(&name, "v1\n");
    t.commit("latin-1 name");
    t.write(&name, "v2 staged\n");
    t.git_cmd(&[std::ffi::OsStr::new("add"), name.as_os_str()])
        .output()
        .unwrap();
    t.write(&name, "v2 staged\nv3 unstaged\n");
    let before = state(&t);
    assert_committed_and_kept(&t, &before, &git_commit(&t, &[]));
}

#[test]
fn safety_snapshot_isolation_never_touches_the_work_tree() {
    let t = repo_with(&BASE.replace(
        "stages = [\"smoke\"]",
        "stages = [\"smoke\"]\nisolation = \"snapshot\"\nshare = [\"shared\"]",
    ).replace(
        "run = \"git diff --quiet --ignore-submodules\"",
        "run = \"sh -c 'grep -q STAGED a.txt && ! grep -q UNSTAGED a.txt && test -e shared/tool && test ! -e c.txt'\"",
    ));
    t.write("shared/tool", "a shared environment\n");
    t.write(".gitignore", "shared/\n");
    t.commit("ignore shared");
    partial(&t);
    t.write("c.txt", "untracked\n");
    let before = state(&t);
    assert_committed_and_kept(&t, &before, &git_commit(&t, &[]));
    let snapshots = t.join(".git/tiergate/snapshots");
    assert!(!snapshots.exists() || std::fs::read_dir(snapshots).unwrap().next().is_none());
}

#[test]
fn safety_push_dirty_snapshot_tests_the_pushed_commit() {
    let t = repo_with(&BASE.replace(
        "[hooks.pre-commit]",
        "[hooks.pre-push]\nstages = [\"smoke\"]\npush_dirty = \"snapshot\"\n[hooks.pre-commit]",
    ).replace(
        "run = \"git diff --quiet --ignore-submodules\"",
        "run = \"sh -c '! grep -q DIRTY a.txt'\"",
    ));
    let remote = t.home.path().join("remote.git");
    t.git(&["init", "-q", "--bare", remote.to_str().unwrap()]);
    t.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    t.git(&["push", "-q", "--no-verify", "origin", "main"]);
    t.write("a.txt", "committed change\n");
    t.commit("change");
    t.write("a.txt", "committed change\nDIRTY\n");
    let before = state(&t);
    let run = Run::from(t.git_cmd(&["push", "origin", "main"]).output().unwrap());
    run.expect_code(0);
    assert!(run.all().contains("snapshot"), "{}", run.all());
    assert_nothing_lost(&before, &state(&t));
}

#[test]
fn safety_tiergate_skip_names_a_formatter() {
    let t = repo_with(&with_formatter("fail"));
    t.write("a.txt", "one  spaced\n");
    t.stage(&["a.txt"]);
    let run = git_commit(&t, &[("TIERGATE_SKIP", "squeeze")]);
    run.expect_code(0);
    assert!(
        run.all().contains("squeeze: skipped by TIERGATE_SKIP"),
        "{}",
        run.all()
    );
    assert_eq!(t.git(&["show", "HEAD:a.txt"]), "one  spaced\n");
}

#[test]
fn safety_failing_formatter_blocks_and_restores() {
    let t = repo_with(&with_formatter("fail").replace(
        "run = \"sh -c 'for f; do sed -i \\\"s/  */ /g\\\" \\\"$f\\\"; done' sh\"",
        "run = \"sh -c 'echo cannot format >&2; exit 3' sh\"",
    ));
    partial(&t);
    let before = state(&t);
    let run = git_commit(&t, &[]);
    run.expect_code(1);
    assert!(
        run.all().contains("formatter squeeze failed (exit code 3)"),
        "{}",
        run.all()
    );
    assert!(run.all().contains("cannot format"), "{}", run.all());
    assert_nothing_lost(&before, &state(&t));
}

#[test]
fn safety_usage_error_in_the_tiers_restores_before_exit_2() {
    let t = repo_with(&BASE.replace(
        "run = \"git diff --quiet --ignore-submodules\"",
        "run = \"no-such-program-anywhere\"",
    ));
    partial(&t);
    let before = state(&t);
    let run = git_commit(&t, &[]);
    run.expect_code(1);
    assert!(
        run.all().contains("no-such-program-anywhere"),
        "{}",
        run.all()
    );
    assert_nothing_lost(&before, &state(&t));
    assert!(recovery_entries(&t).is_empty());
}

#[test]
fn safety_snapshot_left_by_a_killed_run_is_removed_by_the_next_command() {
    let t = repo_with(&BASE.replace(
        "stages = [\"smoke\"]",
        "stages = [\"smoke\"]\nisolation = \"snapshot\"",
    ));
    partial(&t);
    let before = state(&t);
    let (mut child, pid, _) = commit_in_background(&t, Some("in-snapshot"));
    let snapshots = t.join(".git/tiergate/snapshots");
    assert_eq!(std::fs::read_dir(&snapshots).unwrap().count(), 1);
    signal(pid, "KILL");
    let _ = child.wait();
    t.tiergate(&["config"]).expect_code(0);
    assert_eq!(std::fs::read_dir(&snapshots).unwrap().count(), 0);
    assert_nothing_lost(&before, &state(&t));
}
