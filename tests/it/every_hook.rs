//! Every git hook of the model, fired by real git: commit-msg and
//! prepare-commit-msg by `git commit`, post-rewrite by `--amend` and
//! `rebase`, pre-merge-commit and post-merge by `merge` and `pull`,
//! pre-rebase, post-checkout for a branch and a file, post-commit.

use std::path::PathBuf;

use crate::support::{Run, TestRepo};

/// Every stage logs to `$TG_LOG` as `TAG: files...`; the hooks each test
/// names pick among them.
const STAGES: &str = r#"
[settings]
unmatched = "none"
run_all_triggers = []

[[select]]
paths = ["**"]
markers = ["any"]

[stages.noop]
groups = [{ name = "ok", run = "true" }]

[hooks.pre-commit]
stages = ["noop"]

[hooks.pre-push]
stages = ["noop"]

[stages.msg]
groups = [{ name = "conventional", always = true, run = '''sh -c 'grep -qE "^(feat|fix): " "$1"' sh {msg_file}''' }]

[stages.prepare]
groups = [{ name = "stamp", always = true, run = '''sh -c 'printf "prepare: %s\n" "$1" >> "$TG_LOG"; printf "\n[source: %s]\n" "$1" >> "$2"' sh {msg_source} {msg_file}''' }]

[stages.after_commit]
groups = [
  { name = "files", markers = ["any"], run = '''sh -c 'printf "%s:" "$0" >> "$TG_LOG"; for f; do printf " %s" "$f" >> "$TG_LOG"; done; echo >> "$TG_LOG"' post-commit {files}''' },
  { name = "fails", always = true, run = "sh -c 'echo post-commit check failed; exit 3'" },
]

[stages.checkout]
groups = [
  { name = "kind", always = true, run = '''sh -c 'echo "checkout: $1 $0" >> "$TG_LOG"' {prev} {checkout_kind}''' },
  { name = "files", markers = ["any"], run = '''sh -c 'printf "%s:" "$0" >> "$TG_LOG"; for f; do printf " %s" "$f" >> "$TG_LOG"; done; echo >> "$TG_LOG"' checkout-files {files}''' },
]

[stages.merged]
groups = [{ name = "files", markers = ["any"], run = '''sh -c 'printf "%s:" "$0" >> "$TG_LOG"; for f; do printf " %s" "$f" >> "$TG_LOG"; done; echo >> "$TG_LOG"' post-merge {files}''' }]

[stages.rewritten]
groups = [{ name = "files", markers = ["any"], run = '''sh -c 'printf "%s:" "$0" >> "$TG_LOG"; for f; do printf " %s" "$f" >> "$TG_LOG"; done; echo >> "$TG_LOG"' {hook_args} {files}''' }]

[stages.no_block_file]
groups = [{ name = "files", markers = ["any"], run = '''sh -c 'printf "%s:" "$0" >> "$TG_LOG"; for f; do printf " %s" "$f" >> "$TG_LOG"; [ "$f" = BLOCK ] && exit 1; done; echo >> "$TG_LOG"; exit 0' guard {files}''' }]
"#;

struct Hooked {
    repo: TestRepo,
    log: PathBuf,
}

impl Hooked {
    /// A repository with the stages above, `hooks` as its `[hooks.*]`
    /// tables, tiergate installed, and a first commit of a.txt.
    fn new(hooks: &str) -> Hooked {
        let repo = TestRepo::new();
        repo.config(&format!("{STAGES}\n{hooks}"));
        let log = repo.home.path().join("tg.log");
        let h = Hooked { repo, log };
        h.repo.tiergate(&["install", "--yes"]).expect_code(0);
        h.repo.write("a.txt", "a\n");
        h.git(&["add", "-A"]).expect_code(0);
        h.git(&["commit", "-q", "--no-verify", "-m", "feat: a"])
            .expect_code(0);
        h.clear();
        h
    }

    /// git with the hooks' log file in the environment.
    fn git(&self, args: &[&str]) -> Run {
        Run::from(
            self.repo
                .git_cmd(args)
                .env("TG_LOG", &self.log)
                .output()
                .unwrap(),
        )
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn clear(&self) {
        let _ = std::fs::remove_file(&self.log);
    }

    fn head(&self) -> String {
        self.repo.git(&["rev-parse", "HEAD"])
    }
}

#[test]
fn commit_msg_rejects_a_bad_message_and_accepts_a_good_one() {
    let h = Hooked::new("[hooks.commit-msg]\nstages = [\"msg\"]\n");
    assert!(h.repo.join(".git/hooks/commit-msg").exists());
    h.repo.write("b.txt", "b\n");
    h.git(&["add", "b.txt"]).expect_code(0);
    let before = h.head();
    let bad = h.git(&["commit", "-m", "added b"]);
    assert_ne!(bad.code, 0, "{}", bad.all());
    assert!(bad.all().contains("msg.conventional"), "{}", bad.all());
    assert!(
        bad.all().contains("bypass once: git commit --no-verify"),
        "{}",
        bad.all()
    );
    assert_eq!(h.head(), before, "a rejected message made a commit");
    h.git(&["commit", "-m", "feat: b"]).expect_code(0);
    assert_ne!(h.head(), before);
    // Nothing staged: the message is still checked.
    let empty = h.git(&["commit", "--allow-empty", "-m", "empty"]);
    assert_ne!(empty.code, 0, "{}", empty.all());
    h.git(&["commit", "--allow-empty", "-m", "fix: empty"])
        .expect_code(0);
}

/// A message hook's commands read the message file, which no cache key
/// covers: its passes are neither replayed nor stored (storing one cost two
/// fsyncs on every commit).
#[test]
fn a_commit_msg_hook_stores_no_cache_entry() {
    let h = Hooked::new("[hooks.commit-msg]\nstages = [\"msg\"]\n");
    let entries = h.repo.join(".git/tiergate/cache/entries");
    let _ = std::fs::remove_dir_all(&entries);
    h.repo.write("b.txt", "b\n");
    h.git(&["add", "b.txt"]).expect_code(0);
    h.git(&["commit", "-q", "--no-verify", "-m", "feat: b"])
        .expect_code(0);
    h.repo.write("c.txt", "c\n");
    h.git(&["add", "c.txt"]).expect_code(0);
    std::fs::write(h.repo.join(".git/MSG"), "feat: c\n").unwrap();
    h.repo
        .tiergate(&["hook", "commit-msg", ".git/MSG"])
        .expect_code(0);
    let stored = std::fs::read_dir(&entries).map_or(0, Iterator::count);
    assert_eq!(
        stored,
        0,
        "a commit-msg pass was stored in {}",
        entries.display()
    );
}

/// `git checkout -b` moves no commit: nothing changed, yet the hook's
/// `always` groups run, as lefthook's commands do.
#[test]
fn post_checkout_of_a_new_branch_runs_the_always_groups() {
    let h = Hooked::new("[hooks.post-checkout]\nstages = [\"checkout\"]\n");
    h.git(&["checkout", "-q", "-b", "topic"]).expect_code(0);
    let log = h.log();
    assert!(log.contains("checkout: branch"), "{log}");
    assert!(!log.contains("checkout-files"), "{log}");
}

#[test]
fn prepare_commit_msg_edits_the_message_and_gets_its_source() {
    let h = Hooked::new("[hooks.prepare-commit-msg]\nstages = [\"prepare\"]\n");
    h.repo.write("b.txt", "b\n");
    h.git(&["add", "b.txt"]).expect_code(0);
    h.git(&["commit", "-q", "-m", "feat: b"]).expect_code(0);
    assert_eq!(h.log(), "prepare: message\n");
    let message = h.repo.git(&["log", "-1", "--format=%B"]);
    assert!(message.contains("[source: message]"), "{message}");
}

#[test]
fn post_commit_failure_exits_zero_but_is_reported_and_in_history() {
    let h = Hooked::new("[hooks.post-commit]\nstages = [\"after_commit\"]\n");
    h.repo.write("b.txt", "b\n");
    h.git(&["add", "b.txt"]).expect_code(0);
    let commit = h.git(&["commit", "-m", "feat: b"]);
    commit.expect_code(0);
    assert!(
        commit.all().contains("post-commit check failed"),
        "{}",
        commit.all()
    );
    assert!(
        commit
            .all()
            .contains("post-commit cannot stop git, so it exits 0"),
        "{}",
        commit.all()
    );
    // The new commit's own diff, not a.txt of the commit before.
    assert_eq!(h.log(), "post-commit: b.txt\n");
    // Run by hand, the hook exits 0 too.
    h.repo.tiergate(&["hook", "post-commit"]).expect_code(0);
    let history = h.repo.tiergate(&["history"]);
    assert!(
        history
            .stdout
            .lines()
            .any(|l| l.contains("hook post-commit") && l.contains("blocked")),
        "{}",
        history.stdout
    );
}

#[test]
fn post_checkout_of_a_branch_selects_prev_to_new_and_of_a_file_only_always_groups() {
    let h = Hooked::new("[hooks.post-checkout]\nstages = [\"checkout\"]\n");
    h.git(&["checkout", "-q", "-b", "topic"]).expect_code(0);
    h.repo.write("b.txt", "b\n");
    h.git(&["add", "b.txt"]).expect_code(0);
    h.git(&["commit", "-q", "-m", "feat: b"]).expect_code(0);
    h.git(&["checkout", "-q", "main"]).expect_code(0);
    h.clear();
    // main..topic adds b.txt (back on main, it was deleted: never a file).
    h.git(&["checkout", "-q", "topic"]).expect_code(0);
    let log = h.log();
    assert!(log.contains("checkout: branch"), "{log}");
    assert!(log.contains("checkout-files: b.txt\n"), "{log}");
    h.clear();
    h.repo.write("a.txt", "changed\n");
    h.git(&["checkout", "--", "a.txt"]).expect_code(0);
    let log = h.log();
    assert!(log.contains("checkout: file"), "{log}");
    assert!(!log.contains("checkout-files"), "{log}");
}

#[test]
fn amend_runs_post_rewrite_on_what_the_amend_changed() {
    let h = Hooked::new("[hooks.post-rewrite]\nstages = [\"rewritten\"]\n");
    h.repo.write("c.txt", "c\n");
    h.git(&["add", "c.txt"]).expect_code(0);
    h.git(&["commit", "-q", "--amend", "-m", "feat: a and c"])
        .expect_code(0);
    assert_eq!(h.log(), "amend: c.txt\n");
}

#[test]
fn pre_merge_commit_blocks_a_merge_and_post_merge_sees_orig_head_to_head() {
    let h = Hooked::new(
        "[hooks.pre-merge-commit]\nstages = [\"no_block_file\"]\n\n[hooks.post-merge]\nstages = [\"merged\"]\n",
    );
    h.git(&["checkout", "-q", "-b", "topic"]).expect_code(0);
    h.repo.write("BLOCK", "x\n");
    h.git(&["add", "BLOCK"]).expect_code(0);
    h.git(&["commit", "-q", "-m", "feat: block"]).expect_code(0);
    h.git(&["checkout", "-q", "main"]).expect_code(0);
    h.repo.write("m.txt", "m\n");
    h.git(&["add", "m.txt"]).expect_code(0);
    h.git(&["commit", "-q", "-m", "feat: m"]).expect_code(0);
    let before = h.head();
    h.clear();
    let merge = h.git(&["merge", "--no-ff", "-m", "merge topic", "topic"]);
    assert_ne!(merge.code, 0, "{}", merge.all());
    assert_eq!(h.head(), before, "a blocked merge made a commit");
    assert!(h.log().contains("guard: BLOCK"), "{}", h.log());
    h.git(&["merge", "--abort"]).expect_code(0);

    // Without BLOCK the merge goes through, and post-merge sees what it brought.
    h.git(&["checkout", "-q", "-b", "clean", "main"])
        .expect_code(0);
    h.git(&["checkout", "-q", "-b", "topic2", "main~1"])
        .expect_code(0);
    h.repo.write("t.txt", "t\n");
    h.git(&["add", "t.txt"]).expect_code(0);
    h.git(&["commit", "-q", "-m", "feat: t"]).expect_code(0);
    h.git(&["checkout", "-q", "clean"]).expect_code(0);
    h.clear();
    h.git(&["merge", "--no-ff", "-m", "merge topic2", "topic2"])
        .expect_code(0);
    let log = h.log();
    assert!(log.contains("guard: t.txt\n"), "{log}");
    assert!(log.contains("post-merge: t.txt\n"), "{log}");
}

#[test]
fn pre_rebase_blocks_on_what_the_branch_adds() {
    let h = Hooked::new("[hooks.pre-rebase]\nstages = [\"no_block_file\"]\n");
    h.git(&["checkout", "-q", "-b", "topic"]).expect_code(0);
    h.repo.write("BLOCK", "x\n");
    h.git(&["add", "BLOCK"]).expect_code(0);
    h.git(&["commit", "-q", "-m", "feat: block"]).expect_code(0);
    h.git(&["checkout", "-q", "main"]).expect_code(0);
    h.repo.write("m.txt", "m\n");
    h.git(&["add", "m.txt"]).expect_code(0);
    h.git(&["commit", "-q", "-m", "feat: m"]).expect_code(0);
    h.git(&["checkout", "-q", "topic"]).expect_code(0);
    let before = h.head();
    h.clear();
    let rebase = h.git(&["rebase", "main"]);
    assert_ne!(rebase.code, 0, "{}", rebase.all());
    assert_eq!(h.head(), before);
    // merge-base(main, topic)..topic: the branch's BLOCK, not main's m.txt.
    assert_eq!(h.log(), "guard: BLOCK");
}

#[test]
fn rebase_runs_post_rewrite_on_the_union_of_the_rewritten_commits() {
    let h = Hooked::new("[hooks.post-rewrite]\nstages = [\"rewritten\"]\n");
    h.git(&["checkout", "-q", "-b", "topic"]).expect_code(0);
    for name in ["t1.txt", "t2.txt"] {
        h.repo.write(name, "t\n");
        h.git(&["add", name]).expect_code(0);
        h.git(&["commit", "-q", "-m", "feat: t"]).expect_code(0);
    }
    h.git(&["checkout", "-q", "main"]).expect_code(0);
    h.repo.write("m.txt", "m\n");
    h.git(&["add", "m.txt"]).expect_code(0);
    h.git(&["commit", "-q", "-m", "feat: m"]).expect_code(0);
    h.git(&["checkout", "-q", "topic"]).expect_code(0);
    h.clear();
    h.git(&["rebase", "-q", "main"]).expect_code(0);
    // Each pick's old..new: the picks gain m.txt from their new base.
    assert_eq!(h.log(), "rebase: m.txt\n");
}

#[test]
fn pull_from_a_bare_remote_runs_post_merge_on_what_it_brought() {
    let h = Hooked::new("[hooks.post-merge]\nstages = [\"merged\"]\n");
    let remote = tempfile::tempdir().unwrap();
    let url = remote.path().to_str().unwrap();
    h.repo.git(&["init", "-q", "--bare", url]);
    h.repo.git(&["remote", "add", "origin", url]);
    h.git(&["push", "-q", "--no-verify", "origin", "main"])
        .expect_code(0);
    // Another clone pushes p.txt.
    let other = tempfile::tempdir().unwrap();
    let other_path = other.path().join("c");
    h.repo
        .git(&["clone", "-q", url, other_path.to_str().unwrap()]);
    std::fs::write(other_path.join("p.txt"), "p\n").unwrap();
    let in_other = |args: &[&str]| {
        let mut cmd = h.repo.git_cmd(args);
        cmd.current_dir(&other_path);
        assert!(cmd.status().unwrap().success(), "{args:?}");
    };
    in_other(&["add", "p.txt"]);
    in_other(&["commit", "-q", "-m", "feat: p"]);
    in_other(&["push", "-q", "origin", "main"]);
    h.clear();
    h.git(&["pull", "-q", "--ff-only", "origin", "main"])
        .expect_code(0);
    assert_eq!(h.log(), "post-merge: p.txt\n");
}

#[test]
fn plan_commit_msg_works_without_a_message_file() {
    let h = Hooked::new("[hooks.commit-msg]\nstages = [\"msg\"]\n");
    h.repo.write("b.txt", "b\n");
    h.git(&["add", "b.txt"]).expect_code(0);
    let plan = h.repo.tiergate(&["plan", "commit-msg"]);
    plan.expect_code(0);
    assert!(
        plan.stdout.contains("assuming the message file git writes"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains(".git/COMMIT_EDITMSG"),
        "{}",
        plan.stdout
    );
}

#[test]
fn uninstall_removes_every_hook_shim_and_puts_a_chained_one_back() {
    let repo = TestRepo::new();
    repo.config(&format!(
        "{STAGES}\n[hooks.commit-msg]\nstages = [\"msg\"]\n\n[hooks.post-checkout]\nstages = [\"checkout\"]\n"
    ));
    repo.write(".git/hooks/commit-msg", "#!/bin/sh\nexit 0\n");
    let install = repo.tiergate(&["install", "--yes"]);
    install.expect_code(0);
    assert!(
        install
            .stdout
            .contains("commit-msg: installed; your existing hook runs first"),
        "{}",
        install.stdout
    );
    assert!(repo.join(".git/hooks/post-checkout").exists());
    let uninstall = repo.tiergate(&["uninstall"]);
    uninstall.expect_code(0);
    for hook in ["pre-commit", "pre-push", "pre-release", "post-checkout"] {
        assert!(!repo.join(format!(".git/hooks/{hook}")).exists(), "{hook}");
    }
    assert_eq!(
        std::fs::read_to_string(repo.join(".git/hooks/commit-msg")).unwrap(),
        "#!/bin/sh\nexit 0\n"
    );
    assert!(uninstall
        .stdout
        .contains("commit-msg: removed; your own hook is back in place"));
}

#[test]
fn the_readme_commit_msg_example_refuses_a_bad_message() {
    let readme = include_str!("../../README.md");
    let section = readme.split("### Every git hook").nth(1).unwrap();
    let open = section.find("```toml\n").unwrap() + "```toml\n".len();
    let close = section[open..].find("```").unwrap();
    let repo = TestRepo::new();
    // Added to a config that has the stages pre-commit runs by default.
    repo.config(&format!(
        "[stages.smoke]\ngroups = [{{ name = \"ok\", run = \"true\" }}]\n\n{}",
        &section[open..open + close]
    ));
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    repo.write("a.txt", "a\n");
    repo.stage(&["a.txt"]);
    let bad = Run::from(repo.git_cmd(&["commit", "-m", "add a"]).output().unwrap());
    assert_ne!(bad.code, 0, "{}", bad.all());
    let good = Run::from(
        repo.git_cmd(&["commit", "-m", "feat(a): add a"])
            .output()
            .unwrap(),
    );
    good.expect_code(0);
}

#[test]
fn a_post_hook_with_a_broken_config_says_so_and_exits_zero() {
    let h = Hooked::new("[hooks.post-merge]\nstages = [\"merged\"]\n");
    h.repo.config("[stages.broken\n");
    let run = h.repo.tiergate(&["hook", "post-merge", "0"]);
    run.expect_code(0);
    assert!(run.stderr.contains("error:"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("post-merge cannot stop git, so it exits 0"),
        "{}",
        run.stderr
    );
    // A hook that can block still refuses with exit 2.
    h.repo
        .tiergate(&["hook", "pre-rebase", "main"])
        .expect_code(2);
}
