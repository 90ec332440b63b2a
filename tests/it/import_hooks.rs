//! Imported hooks of the other git hook types run where the source ran them
//! (issues 18 and 15): a pre-commit config with commitizen and a pygrep
//! message check, and a lefthook config with a commit-msg command and a
//! post-checkout script, are imported and installed, then real `git commit`
//! and `git checkout` fire them.

use crate::support::{Run, TestRepo};

fn git_run(repo: &TestRepo, args: &[&str]) -> Run {
    Run::from(repo.git_cmd(args).output().unwrap())
}

fn subject(repo: &TestRepo) -> String {
    repo.git(&["log", "-1", "--format=%s"]).trim().to_owned()
}

const PRE_COMMIT: &str = r#"
default_install_hook_types: [pre-commit, commit-msg]
repos:
  - repo: https://github.com/commitizen-tools/commitizen
    rev: v4.1.0
    hooks:
      - id: commitizen
  - repo: local
    hooks:
      - id: no-do-not-merge
        name: no "do not merge" commits
        language: pygrep
        entry: "(?i)do not merge"
        stages: [commit-msg]
"#;

#[test]
fn an_imported_commitizen_hook_rejects_a_bad_commit_message_and_accepts_a_good_one() {
    let repo = TestRepo::new();
    repo.write(".pre-commit-config.yaml", PRE_COMMIT)
        .write("app.py", "x = 1\n")
        .commit("chore: start");
    let import = repo.tiergate(&["import", "pre-commit"]);
    import.expect_code(0);
    assert!(
        import
            .stdout
            .contains("2 hooks: 2 translated, 0 translated with a difference, 0 not translated"),
        "{}",
        import.stdout
    );
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    assert!(repo.join(".git/hooks/commit-msg").exists());

    repo.write("app.py", "x = 2\n").stage(&["app.py"]);
    let bad = git_run(&repo, &["commit", "-m", "bad"]);
    assert_ne!(bad.code, 0, "{}", bad.all());
    assert!(bad.all().contains("commitizen"), "{}", bad.all());
    assert_eq!(subject(&repo), "chore: start");

    git_run(&repo, &["commit", "-m", "feat: good"]).expect_code(0);
    assert_eq!(subject(&repo), "feat: good");

    // Same tree as the commit that just passed: the check runs again on the
    // new message instead of replaying a stored pass.
    let again = git_run(&repo, &["commit", "--allow-empty", "-m", "bad again"]);
    assert_ne!(again.code, 0, "{}", again.all());
    let flagged = git_run(
        &repo,
        &["commit", "--allow-empty", "-m", "fix: Do Not Merge"],
    );
    assert_ne!(flagged.code, 0, "{}", flagged.all());
    assert!(
        flagged.all().contains("no-do-not-merge"),
        "{}",
        flagged.all()
    );
    assert_eq!(subject(&repo), "feat: good");
}

const LEFTHOOK: &str = r#"
commit-msg:
  commands:
    conventional:
      run: "grep -qE '^(feat|fix|chore)(\\(.+\\))?: ' {1}"
post-checkout:
  scripts:
    "record.sh":
      runner: sh
"#;

#[test]
fn an_imported_lefthook_commit_msg_command_and_post_checkout_script_run_on_real_git() {
    let repo = TestRepo::new();
    repo.write("lefthook.yml", LEFTHOOK)
        .write(
            ".lefthook/post-checkout/record.sh",
            "echo \"$1 $2 $3\" >> .git/checkouts.log\n",
        )
        .write("app.py", "x = 1\n")
        .commit("chore: start");
    let import = repo.tiergate(&["import", "lefthook"]);
    import.expect_code(0);
    assert!(
        import
            .stdout
            .contains("2 hooks: 2 translated, 0 translated with a difference, 0 not translated"),
        "{}",
        import.stdout
    );
    repo.tiergate(&["install", "--yes"]).expect_code(0);

    repo.write("app.py", "x = 2\n")
        .stage(&["app.py", ".tiergate.toml"]);
    let bad = git_run(&repo, &["commit", "-m", "bad"]);
    assert_ne!(bad.code, 0, "{}", bad.all());
    assert_eq!(subject(&repo), "chore: start");
    git_run(&repo, &["commit", "-m", "feat: good"]).expect_code(0);
    assert_eq!(subject(&repo), "feat: good");

    // A branch checkout, then a file checkout: git's three arguments reach
    // the script, as lefthook passed them.
    let main = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    repo.git(&["branch", "topic"]);
    repo.git(&["switch", "-q", "--no-guess", "topic"]);
    repo.write("other.py", "y = 1\n").commit("feat: other");
    let topic = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    std::fs::remove_file(repo.join(".git/checkouts.log")).ok();
    git_run(&repo, &["checkout", "-q", "main"]).expect_code(0);
    repo.write("app.py", "x = 3\n");
    git_run(&repo, &["checkout", "-q", "--", "app.py"]).expect_code(0);
    let log = String::from_utf8(repo.read(".git/checkouts.log")).unwrap();
    assert_eq!(log, format!("{topic} {main} 1\n{main} {main} 0\n"));
}

/// An import writes `stages = []` for a hook the source did not use (a
/// husky setup with only lint-staged formatters, or only a commit-msg hook):
/// that hook ran every stage of the file, the other hooks' included.
#[test]
fn a_hook_with_an_empty_stage_list_runs_no_stage() {
    let repo = TestRepo::new();
    repo.config(
        "[stages.commit-msg]\ngroups = [{ name = \"never-on-commit\", run = \"false\", always = true }]\n\n[hooks.pre-commit]\nstages = []\nformatters = []\n\n[hooks.pre-push]\nstages = []\n\n[hooks.commit-msg]\nstages = [\"commit-msg\"]\n",
    )
    .write("app.py", "x = 1\n")
    .stage(&["app.py"]);
    let run = repo.tiergate(&["hook", "pre-commit"]);
    run.expect_code(0);
    assert!(!run.all().contains("never-on-commit"), "{}", run.all());
    let plan = repo.tiergate(&["plan", "pre-commit"]);
    plan.expect_code(0);
    assert!(!plan.all().contains("never-on-commit"), "{}", plan.all());
}
