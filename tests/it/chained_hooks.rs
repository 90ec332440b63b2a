//! A user's own hook chained before tiergate's: tiergate's exit status is the
//! hook's, and git's stdin reaches both hooks byte for byte; a hooks folder
//! committed with the project (husky style) gets shims that find `tiergate`
//! on PATH.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::support::{Run, TestRepo, BIN};

/// pre-push runs one group that logs its `{files}` and fails when `$TG_FAIL` is set.
const CONFIG: &str = r#"
[settings]
unmatched = "none"

[[select]]
paths = ["app/**"]
markers = ["app"]

[stages.smoke]
groups = [{ name = "ok", run = "true" }]

[stages.fast]
groups = [{ name = "app", markers = ["app"], files = ["app/**"], run = "sh -c 'printf \"%s\\n\" \"$@\" >> \"$TG_LOG\"; test -z \"$TG_FAIL\"' sh {files}" }]

[hooks.pre-commit]
stages = ["smoke"]

[hooks.pre-push]
stages = ["fast"]
"#;

/// A foreign hook that keeps a copy of its stdin and always succeeds.
const FOREIGN: &str = "#!/bin/sh\ncat > \"$FOREIGN_STDIN\"\nexit 0\n";

struct Pushing {
    repo: TestRepo,
    remote: tempfile::TempDir,
    log: PathBuf,
    foreign_stdin: PathBuf,
}

impl Pushing {
    /// A repository with a foreign pre-push hook in `hooks_dir` (relative to the
    /// work tree), tiergate installed over it, and a bare remote.
    fn new(hooks_dir: &str) -> Pushing {
        let repo = TestRepo::new();
        let remote = tempfile::tempdir().unwrap();
        if hooks_dir != ".git/hooks" {
            repo.git(&["config", "core.hooksPath", hooks_dir]);
        }
        repo.config(CONFIG);
        let foreign = repo.join(hooks_dir).join("pre-push");
        repo.write(&foreign, FOREIGN);
        std::fs::set_permissions(&foreign, std::fs::Permissions::from_mode(0o755)).unwrap();
        let p = Pushing {
            log: repo.home.path().join("tg.log"),
            foreign_stdin: repo.home.path().join("foreign-stdin"),
            repo,
            remote,
        };
        p.git(
            &["init", "-q", "--bare", p.remote.path().to_str().unwrap()],
            &[],
        )
        .expect_code(0);
        p.git(
            &["remote", "add", "origin", p.remote.path().to_str().unwrap()],
            &[],
        )
        .expect_code(0);
        p
    }

    /// git with tiergate's folder first on PATH, as after `cargo install`.
    fn git(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let bin_dir = Path::new(BIN).parent().unwrap();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = self.repo.git_cmd(args);
        cmd.env("PATH", path)
            .env("TG_LOG", &self.log)
            .env("FOREIGN_STDIN", &self.foreign_stdin)
            .stdin(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run::from(cmd.output().unwrap())
    }

    fn commit_app_file(&self) {
        self.repo.write("app/a.py", "a\n");
        self.git(&["add", "-A"], &[]).expect_code(0);
        self.git(&["commit", "-q", "--no-verify", "-m", "a"], &[])
            .expect_code(0);
    }

    fn remote_has_main(&self) -> bool {
        let out = std::process::Command::new("git")
            .args(["--git-dir"])
            .arg(self.remote.path())
            .args(["rev-parse", "--verify", "-q", "refs/heads/main"])
            .output()
            .unwrap();
        out.status.success()
    }

    fn logged(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn expected_stdin(&self) -> Vec<u8> {
        let head = self.repo.git(&["rev-parse", "HEAD"]);
        format!(
            "refs/heads/main {} refs/heads/main {}\n",
            head.trim(),
            "0".repeat(40)
        )
        .into_bytes()
    }
}

fn assert_blocked_push_is_refused_and_both_hooks_read_stdin(p: &Pushing) {
    p.commit_app_file();
    let blocked = p.git(&["push", "-q", "origin", "main"], &[("TG_FAIL", "1")]);
    assert_ne!(
        blocked.code,
        0,
        "a blocked push went through\n{}",
        blocked.all()
    );
    assert!(!p.remote_has_main(), "the remote received a blocked push");
    assert_eq!(std::fs::read(&p.foreign_stdin).unwrap(), p.expected_stdin());
    assert_eq!(
        p.logged(),
        "app/a.py\n",
        "tiergate did not see git's ref lines"
    );

    std::fs::remove_file(&p.log).unwrap();
    p.git(&["push", "-q", "origin", "main"], &[]).expect_code(0);
    assert!(p.remote_has_main());
    assert_eq!(p.logged(), "app/a.py\n");
}

#[test]
fn a_chained_pre_push_hook_never_swallows_a_blocked_push() {
    let p = Pushing::new(".git/hooks");
    p.repo.tiergate(&["install", "--yes"]).expect_code(0);
    assert!(p.repo.join(".git/hooks/pre-push.tiergate-chained").exists());
    assert_blocked_push_is_refused_and_both_hooks_read_stdin(&p);
}

#[test]
fn a_husky_style_hooks_folder_is_committed_and_its_shims_find_tiergate_on_path() {
    let p = Pushing::new(".husky");
    let install = p.repo.tiergate(&["install", "--yes"]);
    install.expect_code(0);
    assert!(
        install
            .stdout
            .contains(".husky is inside the work tree: the shims will be committed"),
        "{}",
        install.stdout
    );
    for hook in ["pre-commit", "pre-push", "pre-release"] {
        let shim = String::from_utf8(p.repo.read(format!(".husky/{hook}"))).unwrap();
        assert!(shim.contains("\nbin=''\n"), "{hook} names a path:\n{shim}");
        let bin_dir = Path::new(BIN)
            .parent()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(!shim.contains(&bin_dir), "{hook} names this machine's path");
    }
    assert_blocked_push_is_refused_and_both_hooks_read_stdin(&p);
}

#[test]
fn a_hooks_folder_in_the_git_dir_keeps_this_binarys_path() {
    let repo = TestRepo::new();
    let install = repo.tiergate(&["install", "--yes"]);
    install.expect_code(0);
    assert!(!install.stdout.contains("committed"), "{}", install.stdout);
    let shim = String::from_utf8(repo.read(".git/hooks/pre-push")).unwrap();
    let canonical = std::fs::canonicalize(BIN).unwrap();
    assert!(
        shim.contains(&format!("bin='{}'", canonical.display())),
        "{shim}"
    );
}

/// husky 9's layout: `core.hooksPath = .husky/_`, whose stubs source `h`,
/// which runs the user's `.husky/<name of the hook it was run as>`.
const HUSKY_H: &str = "#!/usr/bin/env sh\nn=$(basename \"$0\")\ns=$(dirname \"$(dirname \"$0\")\")/$n\n[ ! -f \"$s\" ] && exit 0\nsh -e \"$s\" \"$@\"\n";
const HUSKY_STUB: &str = "#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\"\n";

#[test]
fn a_chained_husky_hook_still_runs_the_users_husky_script() {
    let p = Pushing::new(".husky/_");
    // Replace the plain foreign hook with husky's stub, helper and the user's script.
    p.repo.write(".husky/_/.gitignore", "*\n");
    p.repo.write(".husky/_/h", HUSKY_H);
    p.repo.write(".husky/_/pre-push", HUSKY_STUB);
    for stub in [".husky/_/h", ".husky/_/pre-push"] {
        std::fs::set_permissions(p.repo.join(stub), std::fs::Permissions::from_mode(0o755))
            .unwrap();
    }
    p.repo.write(
        ".husky/pre-push",
        "cat > \"$FOREIGN_STDIN\"\nexit ${HUSKY_USER_EXIT:-0}\n",
    );
    let install = p.repo.tiergate(&["install", "--yes"]);
    install.expect_code(0);
    // An ignored hooks folder is not committed: its shims keep this machine's path.
    assert!(!install.stdout.contains("committed"), "{}", install.stdout);
    p.commit_app_file();

    let refused = p.git(
        &["push", "-q", "origin", "main"],
        &[("HUSKY_USER_EXIT", "1")],
    );
    assert_ne!(
        refused.code,
        0,
        "the user's husky hook was skipped\n{}",
        refused.all()
    );
    assert!(!p.remote_has_main());
    assert_eq!(std::fs::read(&p.foreign_stdin).unwrap(), p.expected_stdin());

    std::fs::remove_file(&p.foreign_stdin).unwrap();
    p.git(&["push", "-q", "origin", "main"], &[]).expect_code(0);
    assert_eq!(std::fs::read(&p.foreign_stdin).unwrap(), p.expected_stdin());
    assert_eq!(p.logged(), "app/a.py\n");
}
