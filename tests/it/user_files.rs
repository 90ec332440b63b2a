//! Files tiergate writes for the user get the mode the umask gives, as any
//! other tool's output would; `push_dirty = "block"` is a policy refusal.

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use crate::support::{Run, TestRepo, BIN};

const PRE_COMMIT: &str = "repos:\n  - repo: local\n    hooks:\n      - id: check\n        name: check\n        entry: 'true'\n        language: system\n";

/// tiergate run by `sh` under `umask`.
fn under_umask(repo: &TestRepo, umask: &str, args: &str) -> Run {
    // The isolated environment tiergate_cmd gives, applied to `sh`.
    let cmd = repo.tiergate_cmd(&["--version"]);
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" {args}"))
        .arg(BIN)
        .current_dir(repo.path());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    Run::from(sh.stdin(Stdio::null()).output().unwrap())
}

fn mode(repo: &TestRepo, rel: &str) -> u32 {
    std::fs::metadata(repo.join(rel))
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn files_written_for_the_user_get_the_mode_the_umask_gives_not_0600() {
    for (umask, expected) in [("022", 0o644), ("002", 0o664), ("077", 0o600)] {
        let repo = TestRepo::new();
        under_umask(&repo, umask, "install --yes").expect_code(0);
        assert_eq!(
            mode(&repo, ".tiergate.toml"),
            expected,
            "install, umask {umask}"
        );
        under_umask(&repo, umask, "export github").expect_code(0);
        assert_eq!(
            mode(&repo, ".github/workflows/ci-tiered.yml"),
            expected,
            "export, umask {umask}"
        );
        repo.config("[stages.smoke]\ngroups = [{ name = \"ok\", run = \"true\" }]\n");
        under_umask(
            &repo,
            umask,
            "run smoke --save-report report.json --junit junit.xml --prometheus metrics.prom",
        )
        .expect_code(0);
        for report in ["report.json", "junit.xml", "metrics.prom"] {
            assert_eq!(mode(&repo, report), expected, "{report}, umask {umask}");
        }

        let imported = TestRepo::new();
        imported.write(".pre-commit-config.yaml", PRE_COMMIT);
        under_umask(&imported, umask, "import pre-commit").expect_code(0);
        assert_eq!(
            mode(&imported, ".tiergate.toml"),
            expected,
            "import, umask {umask}"
        );
    }
}

#[test]
fn a_file_rewritten_for_the_user_keeps_its_mode() {
    let repo = TestRepo::new();
    repo.config("[stages.smoke]\ngroups = [{ name = \"ok\", run = \"true\" }]\n");
    repo.write("report.json", "{}");
    std::fs::set_permissions(
        repo.join("report.json"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    under_umask(&repo, "022", "run smoke --save-report report.json").expect_code(0);
    assert_eq!(mode(&repo, "report.json"), 0o640);
}

#[test]
fn push_dirty_block_is_a_policy_refusal_exit_1_not_an_error() {
    let repo = TestRepo::new();
    repo.config(
        "[stages.fast]\ngroups = [{ name = \"ok\", run = \"true\" }]\n[hooks.pre-push]\nstages = [\"fast\"]\npush_dirty = \"block\"\n",
    );
    let remote = tempfile::tempdir().unwrap();
    repo.git(&["init", "-q", "--bare", remote.path().to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    repo.write("a.txt", "a\n").commit("a");
    repo.git(&["push", "-q", "origin", "main"]);
    let base = repo.git(&["rev-parse", "HEAD"]);
    repo.write("a.txt", "b\n").commit("b");
    repo.write("a.txt", "uncommitted\n");
    let head = repo.git(&["rev-parse", "HEAD"]);
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
        .write_all(
            format!(
                "refs/heads/main {} refs/heads/main {}\n",
                head.trim(),
                base.trim()
            )
            .as_bytes(),
        )
        .unwrap();
    let run = Run::from(child.wait_with_output().unwrap());
    run.expect_code(1);
    assert!(
        run.stderr
            .contains("blocked: uncommitted changes to pushed paths: a.txt"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hint:"), "{}", run.stderr);
    assert_eq!(repo.read("a.txt"), b"uncommitted\n");
}
