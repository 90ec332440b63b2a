//! `cwd`: groups, formatters and services that run in a folder of the
//! repository, fired by real `git commit`, with files passed relative to it.

use std::path::Path;

use crate::support::{Run, TestRepo};

fn git_commit(repo: &TestRepo) -> Run {
    Run::from(
        repo.git_cmd(&["commit", "-q", "-m", "change"])
            .output()
            .unwrap(),
    )
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A monorepo with a backend folder, committed, hooks installed.
fn monorepo(config: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.config(config);
    repo.write("backend/app/api.py", "x = 1\n");
    repo.write("backend/tests/test_api.py", "def test(): pass\n");
    repo.write("README.md", "hello\n");
    repo.commit("initial");
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    repo
}

#[test]
fn a_group_with_cwd_runs_there_and_gets_only_its_files_relative_to_it() {
    let out = tempfile::tempdir().unwrap();
    let config = format!(
        r#"
[stages.fast]
groups = [{{ name = "api", cwd = "backend", always = true, run = "sh -c 'pwd > {out}/pwd; printf \"%s\n\" \"$@\" > {out}/files' sh {{files}}" }}]
[hooks.pre-commit]
stages = ["fast"]
"#,
        out = out.path().display()
    );
    let repo = monorepo(&config);
    repo.write("backend/app/api.py", "x = 2\n");
    repo.write("README.md", "changed\n");
    repo.stage(&["backend/app/api.py", "README.md"]);
    git_commit(&repo).expect_code(0);
    assert_eq!(read(&out.path().join("files")), "app/api.py\n");
    let pwd = read(&out.path().join("pwd"));
    assert_eq!(
        Path::new(pwd.trim()).canonicalize().unwrap(),
        repo.join("backend").canonicalize().unwrap()
    );
}

#[test]
fn a_group_with_cwd_and_no_changed_file_inside_it_is_skipped() {
    let config = r#"
[stages.fast]
groups = [{ name = "api", cwd = "backend", run = "touch RAN {files}" }]
[hooks.pre-commit]
stages = ["fast"]
"#;
    let repo = monorepo(config);
    let plan = repo.tiergate(&["plan", "fast", "--files", "README.md"]);
    plan.expect_code(0);
    assert!(
        plan.stdout
            .contains("skip api: no changed file inside its cwd `backend`"),
        "{}",
        plan.stdout
    );
}

#[test]
fn tests_are_passed_relative_to_the_cwd_and_globs_stay_relative_to_the_root() {
    let out = tempfile::tempdir().unwrap();
    let config = format!(
        r#"
[stages.fast]
groups = [{{ name = "unit", cwd = "backend", tests = ["backend/tests/test_*.py"], run = "sh -c 'printf \"%s\n\" \"$@\" > {out}/tests' sh {{tests}}" }}]
"#,
        out = out.path().display()
    );
    let repo = monorepo(&config);
    let plan = repo.tiergate(&["plan", "fast", "--all"]);
    plan.expect_code(0);
    assert!(
        plan.stdout.contains("      cwd: backend\n"),
        "{}",
        plan.stdout
    );
    repo.tiergate(&["run", "fast", "--all"]).expect_code(0);
    assert_eq!(read(&out.path().join("tests")), "tests/test_api.py\n");
}

#[test]
fn a_formatter_with_cwd_is_given_relative_paths_and_its_fixes_are_restaged() {
    let config = r#"
[formatters.upper]
run = "sh -c 'for f; do sed -i s/lower/UPPER/ \"$f\"; done' sh"
files = ["*.txt"]
cwd = "backend"
[stages.smoke]
groups = [{ name = "ok", run = "true", always = true }]
[hooks.pre-commit]
stages = ["smoke"]
formatters = ["upper"]
fix = "restage"
"#;
    let repo = monorepo(config);
    repo.write("backend/notes/a.txt", "lower\n");
    repo.write("top.txt", "lower\n");
    repo.stage(&["backend/notes/a.txt", "top.txt"]);
    let commit = git_commit(&repo);
    commit.expect_code(0);
    // Run from `backend`, the formatter could only find its file by the
    // relative name; the fix is restaged under the repository path.
    assert_eq!(repo.git(&["show", "HEAD:backend/notes/a.txt"]), "UPPER\n");
    assert_eq!(repo.read("backend/notes/a.txt"), b"UPPER\n");
    // Outside its cwd: not its file.
    assert_eq!(repo.git(&["show", "HEAD:top.txt"]), "lower\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_service_with_cwd_checks_from_there() {
    let config = r#"
[services.db]
check = "test -f marker"
cwd = "backend"
[stages.fast]
needs = ["db"]
groups = [{ name = "ok", run = "true", always = true }]
"#;
    let repo = monorepo(config);
    repo.tiergate(&["run", "fast", "--all"]).expect_code(2);
    repo.write("backend/marker", "");
    repo.tiergate(&["run", "fast", "--all"]).expect_code(0);
}

#[test]
fn a_bad_cwd_stops_the_commit_with_exit_2_and_touches_nothing() {
    let repo = monorepo("");
    repo.config(
        r#"
[stages.fast]
groups = [{ name = "api", cwd = "frontend", run = "touch RAN", always = true }]
[hooks.pre-commit]
stages = ["fast"]
"#,
    );
    repo.write("backend/app/api.py", "x = 3\n");
    repo.stage(&["backend/app/api.py"]);
    repo.write("backend/app/api.py", "x = 3\n# unstaged\n");
    let head = repo.git(&["rev-parse", "HEAD"]);
    let staged = repo.git(&["diff", "--cached"]);
    let hook = repo.tiergate(&["hook", "pre-commit"]);
    hook.expect_code(2);
    assert!(
        hook.stderr
            .contains("stages.fast.groups.api.cwd `frontend` does not exist"),
        "{}",
        hook.stderr
    );
    assert!(hook.stderr.contains(".tiergate.toml:3:"), "{}", hook.stderr);
    let commit = git_commit(&repo);
    assert_ne!(commit.code, 0);
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
    assert_eq!(repo.git(&["diff", "--cached"]), staged);
    assert_eq!(repo.read("backend/app/api.py"), b"x = 3\n# unstaged\n");
    assert!(!repo.join("RAN").exists() && !repo.join("backend/RAN").exists());
}
