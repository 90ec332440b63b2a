//! End to end on `examples/monorepo` (issue 17): a copy in a temp git
//! repository with the hooks installed, real `git commit` and `git push` to a
//! local bare remote, real pytest in `api/` and `node --test` in `web/`.

use std::path::Path;
use std::process::Stdio;

use crate::support::{Run, TestRepo};

struct Monorepo {
    repo: TestRepo,
    remote: tempfile::TempDir,
}

impl Monorepo {
    fn new() -> Monorepo {
        let repo = TestRepo::new();
        crate::example::copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/monorepo"),
            repo.path(),
        );
        repo.write(".gitignore", "__pycache__/\n.pytest_cache/\n*.xml\n");
        repo.commit("the monorepo example");
        repo.tiergate(&["install", "--yes"]).expect_code(0);
        let remote = tempfile::tempdir().unwrap();
        let mono = Monorepo { repo, remote };
        let remote_path = mono.remote.path().to_str().unwrap().to_owned();
        mono.git(&["init", "-q", "--bare", &remote_path])
            .expect_code(0);
        mono.git(&["remote", "add", "origin", &remote_path])
            .expect_code(0);
        mono.git(&["push", "-q", "--no-verify", "origin", "main"])
            .expect_code(0);
        mono
    }

    fn git(&self, args: &[&str]) -> Run {
        Run::from(
            self.repo
                .git_cmd(args)
                .stdin(Stdio::null())
                .output()
                .unwrap(),
        )
    }

    /// Append a line to `path` and commit it through the hook.
    fn commit_change(&self, path: &str, line: &str) -> Run {
        let mut text = self.repo.read(path);
        text.extend_from_slice(line.as_bytes());
        self.repo.write(path, text);
        self.git(&["add", "-A"]).expect_code(0);
        self.git(&["commit", "-m", &format!("change {path}")])
    }
}

/// The groups that ran (`PASS api:fast.unit`, `FAIL ...`), in order.
fn ran(run: &Run) -> Vec<String> {
    run.all()
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("PASS ") || l.starts_with("FAIL "))
        .map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn a_change_inside_one_member_runs_only_that_members_selected_groups() {
    let mono = Monorepo::new();
    let run = mono.commit_change("api/app/prices.py", "\nVAT = 20\n");
    run.expect_code(0);
    assert_eq!(
        ran(&run),
        vec!["PASS api:smoke.imports", "PASS api:fast.unit"],
        "{}",
        run.all()
    );
}

#[test]
fn a_members_lockfile_runs_all_of_that_member_and_nothing_of_the_others() {
    let mono = Monorepo::new();
    let lock = String::from_utf8(mono.repo.read("web/package-lock.json")).unwrap();
    mono.repo.write(
        "web/package-lock.json",
        lock.replace("\"version\": \"0.1.0\"", "\"version\": \"0.1.1\""),
    );
    mono.git(&["commit", "-q", "--no-verify", "-am", "bump the lockfile"])
        .expect_code(0);
    let push = mono.git(&["push", "origin", "main"]);
    push.expect_code(0);
    assert_eq!(
        ran(&push),
        vec!["PASS web:smoke.syntax", "PASS web:fast.unit"],
        "{}",
        push.all()
    );
}

#[test]
fn a_root_trigger_runs_everything_in_every_project() {
    let mono = Monorepo::new();
    let run = mono.commit_change(".tiergate.toml", "\n# reviewed\n");
    run.expect_code(0);
    let mut sorted = ran(&run);
    sorted.sort();
    assert_eq!(
        sorted,
        vec![
            "PASS api:fast.docs",
            "PASS api:fast.unit",
            "PASS api:smoke.imports",
            "PASS web:fast.unit",
            "PASS web:smoke.syntax",
        ],
        "{}",
        run.all()
    );
}

#[test]
fn a_failing_member_test_blocks_the_commit_and_names_the_qualified_group() {
    let mono = Monorepo::new();
    let cart = String::from_utf8(mono.repo.read("web/src/cart.js")).unwrap();
    mono.repo
        .write("web/src/cart.js", cart.replace("sum + line", "sum - line"));
    mono.git(&["add", "-A"]).expect_code(0);
    let run = mono.git(&["commit", "-m", "a bug"]);
    run.expect_code(1);
    assert_eq!(
        ran(&run),
        vec!["PASS web:smoke.syntax", "FAIL web:fast.unit"],
        "{}",
        run.all()
    );
    assert_eq!(
        mono.git(&["rev-list", "--count", "HEAD"]).stdout.trim(),
        "1"
    );
}

#[test]
fn a_bad_member_config_stops_the_commit_with_the_members_path_line_and_column() {
    let mono = Monorepo::new();
    let run = mono.commit_change("api/.tiergate.toml", "\n[stages.slow]\ntimout = \"5m\"\n");
    run.expect_code(1);
    let all = run.all();
    assert!(
        all.contains("unknown field `timout`") && all.contains("--> api/.tiergate.toml:24:1"),
        "{all}"
    );
    assert_eq!(
        mono.git(&["rev-list", "--count", "HEAD"]).stdout.trim(),
        "1"
    );
}
