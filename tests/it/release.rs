//! `selection = "since-last-release"`: a release runs the changes since the
//! previous release tag, from the pre-release hook and from a pushed tag,
//! with lightweight and annotated tags.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::support::{Run, TestRepo};

const CONFIG: &str = r#"
[settings]
unmatched = "none"
run_all_triggers = []

[[select]]
paths = ["**"]
markers = ["any"]

[stages.fast]
groups = [{ name = "ok", run = "true" }]

[stages.release]
groups = [{ name = "files", markers = ["any"], cache = false, run = "sh -c 'printf \"%s\\n\" \"$@\" >> \"$TG_LOG\"' sh {files}" }]

[hooks.pre-push]
stages = ["fast"]

[hooks.pre-release]
stages = ["release"]
selection = "since-last-release"
"#;

struct Released {
    repo: TestRepo,
    remote: tempfile::TempDir,
    log: PathBuf,
}

impl Released {
    /// v1.0.0 on the commit adding a.txt, pushed; then b.txt; then c.txt at HEAD.
    fn new(annotated: bool) -> Released {
        let repo = TestRepo::new();
        repo.config(CONFIG);
        let r = Released {
            log: repo.home.path().join("tg.log"),
            remote: tempfile::tempdir().unwrap(),
            repo,
        };
        r.repo.tiergate(&["install", "--yes"]).expect_code(0);
        r.repo
            .git(&["init", "-q", "--bare", r.remote.path().to_str().unwrap()]);
        r.repo
            .git(&["remote", "add", "origin", r.remote.path().to_str().unwrap()]);
        r.repo.write("a.txt", "a\n").commit("a");
        r.tag("v1.0.0", annotated);
        r.repo.git(&["tag", "nightly-1"]);
        r.git(&["push", "-q", "origin", "main", "v1.0.0"])
            .expect_code(0);
        r.repo.write("b.txt", "b\n").commit("b");
        r
    }

    fn tag(&self, name: &str, annotated: bool) {
        if annotated {
            self.repo.git(&["tag", "-a", name, "-m", name]);
        } else {
            self.repo.git(&["tag", name]);
        }
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

    fn take_log(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let _ = std::fs::remove_file(&self.log);
        text.lines().map(str::to_owned).collect()
    }
}

fn pre_release_hook_runs_the_changes_since_the_previous_release(annotated: bool) {
    let r = Released::new(annotated);
    r.take_log();
    let plan = r.repo.tiergate(&["plan", "pre-release"]);
    plan.expect_code(0);
    assert!(!plan.stdout.contains("no earlier tag"), "{}", plan.stdout);
    assert!(!plan.stdout.contains("everything"), "{}", plan.stdout);

    // The shim git would run, as a release script calls it.
    let shim = r.repo.join(".git/hooks/pre-release");
    let mut cmd = std::process::Command::new(Path::new(&shim));
    cmd.current_dir(r.repo.path()).env("TG_LOG", &r.log);
    crate::support::isolate(&mut cmd, r.repo.home.path());
    let run = Run::from(cmd.stdin(Stdio::null()).output().unwrap());
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("changes since the previous release v1.0.0"),
        "{}",
        run.stdout
    );
    assert_eq!(r.take_log(), ["b.txt"], "{}", run.all());

    // Tagging the release itself does not make it its own previous release.
    r.tag("v1.1.0", annotated);
    let run = Run::from(cmd.output().unwrap());
    run.expect_code(0);
    assert!(run.stdout.contains("v1.0.0"), "{}", run.stdout);
    assert_eq!(r.take_log(), ["b.txt"]);
}

#[test]
fn since_last_release_finds_a_lightweight_previous_tag_for_the_pre_release_hook() {
    pre_release_hook_runs_the_changes_since_the_previous_release(false);
}

#[test]
fn since_last_release_finds_an_annotated_previous_tag_for_the_pre_release_hook() {
    pre_release_hook_runs_the_changes_since_the_previous_release(true);
}

fn a_pushed_tag_compares_with_the_previous_release(annotated: bool) {
    let r = Released::new(annotated);
    // v1.1.0 tags the commit adding b.txt; HEAD has moved on (c.txt) and is not pushed.
    r.tag("v1.1.0", annotated);
    r.repo.write("c.txt", "c\n").commit("c");
    r.take_log();
    let run = r.git(&["push", "origin", "v1.1.0"]);
    run.expect_code(0);
    assert!(
        run.all()
            .contains("changes since the previous release v1.0.0"),
        "{}",
        run.all()
    );
    assert_eq!(r.take_log(), ["b.txt"]);
}

#[test]
fn since_last_release_a_pushed_lightweight_tag_compares_with_the_previous_one() {
    a_pushed_tag_compares_with_the_previous_release(false);
}

#[test]
fn since_last_release_a_pushed_annotated_tag_compares_with_the_previous_one() {
    a_pushed_tag_compares_with_the_previous_release(true);
}
