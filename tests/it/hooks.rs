//! The hooks fired by real `git commit` and `git push` to a local bare
//! remote, install/uninstall, the shims, and the embedded presets.

use std::path::PathBuf;
use std::process::Stdio;

use crate::support::{Run, TestRepo};

/// A config whose groups record their `{files}` (one per line) in `$TG_LOG`.
const RECORDING: &str = r#"
[settings]
unmatched = "none"

[[select]]
paths = ["app/**"]
markers = ["app"]

[[select]]
paths = ["docs/**"]
markers = ["docs"]

[stages.smoke]
groups = [{ name = "files", markers = ["app", "docs"], run = "sh -c 'printf \"%s\\n\" smoke \"$@\" >> \"$TG_LOG\"' sh {files}" }]

[stages.fast]
groups = [{ name = "app", markers = ["app"], files = ["app/**"], run = "sh -c 'printf \"%s\\n\" fast \"$@\" >> \"$TG_LOG\"' sh {files}" }]

[stages.performance]
groups = [{ name = "bench", run = "sh -c 'echo performance >> \"$TG_LOG\"'" }]

[hooks.pre-commit]
stages = ["smoke"]

[hooks.pre-push]
stages = ["fast"]
"#;

struct HookRepo {
    repo: TestRepo,
    log: PathBuf,
    remote: tempfile::TempDir,
}

impl HookRepo {
    fn new(config: &str) -> HookRepo {
        let repo = TestRepo::new();
        let log = repo.home.path().join("tg.log");
        let remote = tempfile::tempdir().unwrap();
        repo.config(config);
        repo.write(".gitignore", "");
        repo.tiergate(&["install", "--yes"]).expect_code(0);
        let hr = HookRepo { repo, log, remote };
        hr.git_ok(&["init", "-q", "--bare", hr.remote.path().to_str().unwrap()]);
        hr.git_ok(&[
            "remote",
            "add",
            "origin",
            hr.remote.path().to_str().unwrap(),
        ]);
        hr
    }

    fn git(&self, args: &[&str]) -> Run {
        let out = self
            .repo
            .git_cmd(args)
            .env("TG_LOG", &self.log)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Run::from(out)
    }

    #[track_caller]
    fn git_ok(&self, args: &[&str]) -> Run {
        let run = self.git(args);
        run.expect_code(0);
        run
    }

    /// What the groups recorded since the last call, then cleared.
    fn take_log(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let _ = std::fs::remove_file(&self.log);
        text.lines().map(str::to_owned).collect()
    }
}

#[test]
fn the_first_commit_runs_pre_commit_on_the_staged_files() {
    let h = HookRepo::new(RECORDING);
    h.repo
        .write("app/a.py", "a")
        .write("app/b.py", "b")
        .write("README.md", "r");
    h.git_ok(&["add", "app/a.py", "README.md"]);
    h.git_ok(&["commit", "-q", "-m", "first"]);
    assert_eq!(
        h.take_log(),
        ["smoke", "README.md", "app/a.py"],
        "app/b.py is not staged"
    );
}

#[test]
fn commit_all_and_commit_path_see_what_they_commit() {
    let h = HookRepo::new(RECORDING);
    h.repo.write("app/a.py", "a").write("app/b.py", "b");
    h.git_ok(&["add", "-A"]);
    h.git_ok(&["commit", "-q", "--no-verify", "-m", "base"]);
    h.repo.write("app/a.py", "a2").write("app/b.py", "b2");
    h.git_ok(&["commit", "-q", "-a", "-m", "all"]);
    assert_eq!(h.take_log(), ["smoke", "app/a.py", "app/b.py"]);
    h.repo.write("app/a.py", "a3").write("app/b.py", "b3");
    h.git_ok(&["commit", "-q", "-m", "one path", "--", "app/b.py"]);
    assert_eq!(h.take_log(), ["smoke", "app/b.py"]);
}

#[test]
fn a_failing_pre_commit_blocks_the_commit() {
    let h = HookRepo::new("[stages.smoke]\ngroups = [{ name = \"no\", run = \"false\" }]\n");
    h.repo.write("x.txt", "x");
    h.git_ok(&["add", "x.txt"]);
    let run = h.git(&["commit", "-q", "-m", "blocked"]);
    assert_ne!(run.code, 0);
    assert!(
        run.all().contains("blocked by stage smoke"),
        "{}",
        run.all()
    );
    let log = h.git(&["log", "--oneline"]);
    assert!(log.stdout.is_empty(), "the commit was made");
}

#[test]
fn tiergate_zero_disables_the_hooks_in_one_line() {
    let h = HookRepo::new("[stages.smoke]\ngroups = [{ name = \"no\", run = \"false\" }]\n");
    h.repo.write("x.txt", "x");
    h.git_ok(&["add", "x.txt"]);
    let out = h
        .repo
        .git_cmd(&["commit", "-q", "-m", "skip"])
        .env("TIERGATE", "0")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.lines().filter(|l| l.contains("tiergate")).count(),
        1,
        "{stderr}"
    );
}

fn changed_by_git(h: &HookRepo, range: &str) -> Vec<String> {
    let mut v: Vec<String> = h
        .git_ok(&["diff", "--name-only", range])
        .stdout
        .lines()
        .map(str::to_owned)
        .collect();
    v.sort();
    v
}

fn fast_files(log: &[String]) -> Vec<String> {
    let mut files: Vec<String> = log
        .iter()
        .filter(|l| *l != "fast" && *l != "performance")
        .cloned()
        .collect();
    files.sort();
    files
}

#[test]
fn pre_push_selects_what_each_kind_of_push_changes() {
    let h = HookRepo::new(RECORDING);
    h.repo.write("app/a.py", "a").write("docs/d.md", "d");
    h.git_ok(&["add", "-A"]);
    h.git_ok(&["commit", "-q", "--no-verify", "-m", "base"]);
    // A new branch with no tracking refs at all: everything.
    h.git_ok(&["push", "-q", "origin", "main"]);
    assert_eq!(
        h.take_log(),
        ["fast", "app/a.py"],
        "the first push sees everything the app group matches"
    );

    // An update: remote..local.
    h.repo.write("app/b.py", "b").write("app/a.py", "a2");
    h.git_ok(&["add", "-A"]);
    h.git_ok(&["commit", "-q", "--no-verify", "-m", "two"]);
    let expected = changed_by_git(&h, "origin/main..main");
    h.git_ok(&["push", "-q", "origin", "main"]);
    assert_eq!(fast_files(&h.take_log()), expected);

    // A new branch: only its own commits.
    h.git_ok(&["checkout", "-q", "-b", "feature"]);
    h.repo.write("app/c.py", "c");
    h.git_ok(&["add", "-A"]);
    h.git_ok(&["commit", "-q", "--no-verify", "-m", "feature"]);
    h.git_ok(&["push", "-q", "origin", "feature"]);
    assert_eq!(fast_files(&h.take_log()), ["app/c.py"]);

    // A new branch with no new commits: nothing runs.
    h.git_ok(&["branch", "empty", "main"]);
    let run = h.git_ok(&["push", "origin", "empty"]);
    assert!(h.take_log().is_empty(), "{}", run.all());

    // A docs-only change selects no group of fast.
    h.repo.write("docs/d.md", "d2");
    h.git_ok(&["commit", "-q", "--no-verify", "-am", "docs"]);
    h.git_ok(&["push", "-q", "origin", "feature"]);
    assert!(h.take_log().is_empty());

    // A deleted ref selects nothing.
    h.git_ok(&["push", "-q", "origin", "--delete", "empty"]);
    assert!(h.take_log().is_empty());
}

#[test]
fn a_rebase_and_force_push_selects_only_the_rewritten_commits() {
    let h = HookRepo::new(RECORDING);
    h.repo.write("app/a.py", "a");
    h.git_ok(&["add", "-A"]);
    h.git_ok(&["commit", "-q", "--no-verify", "-m", "base"]);
    h.git_ok(&["push", "-q", "origin", "main"]);
    h.git_ok(&["checkout", "-q", "-b", "topic"]);
    h.repo.write("app/t.py", "t");
    h.git_ok(&["add", "-A"]);
    h.git_ok(&["commit", "-q", "--no-verify", "-m", "topic"]);
    h.git_ok(&["push", "-q", "origin", "topic"]);
    h.take_log();
    h.repo.write("app/t.py", "t2");
    h.git_ok(&["commit", "-q", "--no-verify", "--amend", "-am", "topic v2"]);
    h.git_ok(&["push", "-q", "--force", "origin", "topic"]);
    assert_eq!(
        fast_files(&h.take_log()),
        ["app/t.py"],
        "main's files are upstream already"
    );
}

#[test]
fn pushing_a_release_tag_runs_the_pre_release_tiers_and_several_refs_are_unioned() {
    let h = HookRepo::new(RECORDING);
    h.repo.write("app/a.py", "a");
    h.git_ok(&["add", "-A"]);
    h.git_ok(&["commit", "-q", "--no-verify", "-m", "base"]);
    h.git_ok(&["push", "-q", "origin", "main"]);
    h.take_log();
    h.git_ok(&["tag", "v1.2.0"]);
    h.git_ok(&["push", "-q", "origin", "v1.2.0"]);
    let log = h.take_log();
    assert!(log.contains(&"performance".to_owned()), "{log:?}");

    h.git_ok(&["checkout", "-q", "-b", "one"]);
    h.repo.write("app/one.py", "1");
    h.git_ok(&["add", "-A"]);
    h.git_ok(&["commit", "-q", "--no-verify", "-m", "one"]);
    h.git_ok(&["checkout", "-q", "-b", "two", "main"]);
    h.repo.write("app/two.py", "2");
    h.git_ok(&["add", "-A"]);
    h.git_ok(&["commit", "-q", "--no-verify", "-m", "two"]);
    h.git_ok(&["push", "-q", "origin", "one", "two"]);
    assert_eq!(fast_files(&h.take_log()), ["app/one.py", "app/two.py"]);
}

#[test]
fn malformed_pre_push_input_is_rejected_with_the_line() {
    let repo = TestRepo::new();
    repo.config("[stages.fast]\ngroups = [{ name = \"u\", run = \"true\" }]\n");
    let mut child = repo
        .tiergate_cmd(&["hook", "pre-push", "origin", "url"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"refs/heads/main not-a-sha\n")
        .unwrap();
    let run = Run::from(child.wait_with_output().unwrap());
    run.expect_code(2);
    assert!(
        run.stderr.contains("refs/heads/main not-a-sha"),
        "{}",
        run.stderr
    );
}

#[test]
fn install_is_idempotent_and_honours_core_hooks_path() {
    let repo = TestRepo::new();
    repo.git(&["config", "core.hooksPath", "my-hooks"]);
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    for hook in ["pre-commit", "pre-push", "pre-release"] {
        assert!(
            repo.join("my-hooks").join(hook).exists(),
            "{hook} not in core.hooksPath"
        );
        assert!(!repo.join(".git/hooks").join(hook).exists());
    }
    let config = repo.read(".tiergate.toml");
    let before: Vec<Vec<u8>> = ["pre-commit", "pre-push", "pre-release"]
        .iter()
        .map(|h| repo.read(format!("my-hooks/{h}")))
        .collect();
    let second = repo.tiergate(&["install", "--yes"]);
    second.expect_code(0);
    assert!(
        second.stdout.contains("nothing changed"),
        "{}",
        second.stdout
    );
    let after: Vec<Vec<u8>> = ["pre-commit", "pre-push", "pre-release"]
        .iter()
        .map(|h| repo.read(format!("my-hooks/{h}")))
        .collect();
    assert_eq!(before, after);
    assert_eq!(config, repo.read(".tiergate.toml"));
}

#[test]
fn a_foreign_hook_is_chained_runs_first_blocks_and_is_restored() {
    let repo = TestRepo::new();
    repo.config("[stages.smoke]\ngroups = [{ name = \"ok\", run = \"sh -c 'echo tiergate-ran >> order'\" }]\n");
    repo.write(
        ".git/hooks/pre-commit",
        "#!/bin/sh\necho foreign-ran >> order\nexit ${FOREIGN_EXIT:-0}\n",
    );
    std::process::Command::new("chmod")
        .args(["+x"])
        .arg(repo.join(".git/hooks/pre-commit"))
        .status()
        .unwrap();
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    repo.write("x.txt", "x").stage(&["x.txt"]);
    assert!(repo
        .git_cmd(&["commit", "-q", "-m", "one"])
        .status()
        .unwrap()
        .success());
    assert_eq!(
        String::from_utf8(repo.read("order")).unwrap(),
        "foreign-ran\ntiergate-ran\n"
    );
    repo.write("y.txt", "y").stage(&["y.txt"]);
    let blocked = repo
        .git_cmd(&["commit", "-q", "-m", "two"])
        .env("FOREIGN_EXIT", "3")
        .status()
        .unwrap();
    assert!(!blocked.success(), "a failing chained hook must block");
    repo.tiergate(&["uninstall"]).expect_code(0);
    assert_eq!(
        String::from_utf8(repo.read(".git/hooks/pre-commit")).unwrap(),
        "#!/bin/sh\necho foreign-ran >> order\nexit ${FOREIGN_EXIT:-0}\n"
    );
    assert!(!repo.join(".git/hooks/pre-push").exists());
}

#[test]
fn a_shim_whose_binary_is_gone_fails_with_the_bypass_hint() {
    let repo = TestRepo::new();
    let bin_dir = tempfile::tempdir().unwrap();
    let copy = bin_dir.path().join("tiergate");
    std::fs::copy(crate::support::BIN, &copy).unwrap();
    repo.config("[stages.smoke]\ngroups = [{ name = \"ok\", run = \"true\" }]\n");
    let mut install = std::process::Command::new(&copy);
    install.args(["install", "--yes"]).current_dir(repo.path());
    crate::support::isolate(&mut install, repo.home.path());
    assert!(install.status().unwrap().success());
    std::fs::remove_file(&copy).unwrap();
    repo.write("x.txt", "x").stage(&["x.txt"]);
    let out = repo
        .git_cmd(&["commit", "-q", "-m", "x"])
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("git commit --no-verify"), "{stderr}");
    assert!(stderr.contains("install"), "{stderr}");
}

#[test]
fn install_without_a_terminal_never_waits() {
    let repo = TestRepo::new();
    // stdin is a pipe that is never written nor closed: a prompt would hang.
    let mut child = repo
        .tiergate_cmd(&["install"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _keep_open = child.stdin.take();
    let done = crate::support::eventually(|| child.try_wait().unwrap().is_some());
    if !done {
        let _ = child.kill();
    }
    assert!(done, "install waited for input without a terminal");
    assert!(child.wait().unwrap().success());
    assert!(repo.join(".git/hooks/pre-commit").exists());
}

#[test]
fn plan_names_the_rule_that_matched_and_the_commands() {
    let h = HookRepo::new(RECORDING);
    h.repo.write("app/a b.py", "a").write("README.md", "r");
    h.git_ok(&["add", "-A"]);
    let run = h.repo.tiergate(&["plan", "pre-commit"]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("app/a b.py: rule 1 (app/**) -> app"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("README.md: unmatched -> nothing"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("'app/a b.py'"),
        "the command line quotes the file: {}",
        run.stdout
    );
    assert!(!h.log.exists(), "plan ran something");
}

#[test]
fn a_rust_repository_without_config_runs_its_preset() {
    let repo = TestRepo::new();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n",
    );
    repo.write("src/lib.rs", "pub fn answer() -> u32 {\n    42\n}\n");
    let effective = repo.tiergate(&["config", "--show-effective"]);
    effective.expect_code(0);
    assert!(effective.stdout.contains("embedded `rust` preset"));
    assert!(effective.stdout.contains("cargo fmt --all -- --check"));
    let run = Run::from(
        repo.tiergate_cmd(&["run", "smoke", "--save-report", "r.json"])
            .env("CARGO_TARGET_DIR", repo.home.path().join("target"))
            .output()
            .unwrap(),
    );
    run.expect_code(0);
    let report: serde_json::Value = serde_json::from_slice(&repo.read("r.json")).unwrap();
    let names: Vec<&str> = report["stages"][0]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["fmt", "check"]);
    // The printed preset loads back as a config file unchanged.
    repo.write(".tiergate.toml", effective.stdout.as_bytes());
    let again = repo.tiergate(&["config", "--show-effective"]);
    let body = |s: &str| s[s.find("[settings]").unwrap()..].to_owned();
    assert_eq!(body(&again.stdout), body(&effective.stdout));
}

#[test]
fn a_python_repository_without_config_runs_its_preset() {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", "[project]\nname = \"demo\"\nversion = \"0.1\"\n\n[tool.pytest.ini_options]\nmarkers = [\"unit: fast\", \"slow: slow\"]\n");
    repo.write(
        "tests/test_demo.py",
        "import pytest\n\n@pytest.mark.unit\ndef test_ok():\n    assert 1 + 1 == 2\n",
    );
    let effective = repo.tiergate(&["config", "--show-effective"]);
    assert!(
        effective.stdout.contains("embedded `python` preset"),
        "{}",
        effective.stdout
    );
    assert!(
        effective.stdout.contains("name = \"unit\""),
        "markers from pytest config: {}",
        effective.stdout
    );
    let run = repo.tiergate(&["run", "smoke", "fast", "--save-report", "r.json"]);
    run.expect_code(0);
    let report: serde_json::Value = serde_json::from_slice(&repo.read("r.json")).unwrap();
    assert_eq!(report["stages"][1]["groups"][0]["name"], "unit");
    assert_eq!(
        report["stages"][1]["passed_tests"],
        1,
        "pytest ran the unit test: {}",
        run.all()
    );
}

#[test]
fn doctor_finds_missing_hooks_and_programs() {
    let repo = TestRepo::new();
    repo.config(
        "[stages.smoke]\ngroups = [{ name = \"x\", run = \"no-such-tool-here --check\" }]\n",
    );
    let run = repo.tiergate(&["doctor"]);
    run.expect_code(1);
    assert!(
        run.stdout.contains("program `no-such-tool-here`"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("pre-commit hook is not installed"),
        "{}",
        run.stdout
    );
    repo.config("[stages.smoke]\ngroups = [{ name = \"x\", run = \"true\" }]\n");
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    repo.tiergate(&["doctor"]).expect_code(0);
}
