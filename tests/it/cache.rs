//! The result cache (SPEC 6.6): a second identical run replays the first one's
//! pass without starting a process; a changed input, `--no-cache`, a failure
//! or a performance stage runs again.

use std::path::PathBuf;

use crate::support::{junit_xml, TestRepo};

/// A repo whose `fast.unit` group appends a line to a log outside the repo each
/// time it really runs, then reports three passing tests.
fn counted(extra_group_keys: &str) -> (TestRepo, PathBuf) {
    let repo = TestRepo::new();
    let log = repo.home.path().join("ran.log");
    repo.write("report.xml", junit_xml(3, 0));
    repo.write("src/app.py", "print('hi')\n");
    repo.write("docs/guide.md", "# guide\n");
    repo.config(&format!(
        r#"[stages.fast]
[[stages.fast.groups]]
name = "unit"
run = "sh -c 'echo ran >> {log}; cp report.xml \"$0\"' {{junit}}"
{extra_group_keys}
"#,
        log = log.display()
    ));
    repo.commit("initial");
    (repo, log)
}

fn runs(log: &PathBuf) -> usize {
    std::fs::read_to_string(log).map_or(0, |s| s.lines().count())
}

fn report(repo: &TestRepo, name: &str) -> serde_json::Value {
    serde_json::from_slice(&repo.read(name)).unwrap()
}

#[test]
fn a_second_identical_run_is_cached_and_starts_nothing() {
    let (repo, log) = counted("");
    repo.tiergate(&["run", "fast"]).expect_code(0);
    assert_eq!(runs(&log), 1);

    let second = repo.tiergate(&["run", "fast", "--save-report", "r.json"]);
    second.expect_code(0);
    assert_eq!(runs(&log), 1, "the cached group ran again");
    assert!(
        second.stdout.contains("CACHED fast.unit"),
        "{}",
        second.stdout
    );
    let r = report(&repo, "r.json");
    let group = &r["stages"][0]["groups"][0];
    assert_eq!(group["status"], "cached");
    assert_eq!(group["cached"], true);
    assert_eq!(
        r["stages"][0]["passed_tests"], 3,
        "a hit replays the counts"
    );
    assert_eq!(r["stages"][0]["status"], "passed");
}

#[test]
fn touching_a_tracked_input_runs_again_and_restoring_it_hits() {
    let (repo, log) = counted("");
    repo.tiergate(&["run", "fast"]).expect_code(0);
    repo.write("docs/guide.md", "# guide, edited\n");
    repo.tiergate(&["run", "fast"]).expect_code(0);
    assert_eq!(runs(&log), 2, "a changed input must miss");
    repo.write("docs/guide.md", "# guide\n");
    repo.tiergate(&["run", "fast"]).expect_code(0);
    assert_eq!(runs(&log), 2, "the first pass is still stored");
}

#[test]
fn no_cache_forces_a_run() {
    let (repo, log) = counted("");
    repo.tiergate(&["run", "fast"]).expect_code(0);
    repo.tiergate(&["run", "fast", "--no-cache"]).expect_code(0);
    assert_eq!(runs(&log), 2);
}

#[test]
fn inputs_globs_narrow_the_key_and_count_untracked_files() {
    let (repo, log) = counted("inputs = [\"src/**\"]");
    repo.tiergate(&["run", "fast"]).expect_code(0);
    repo.write("docs/guide.md", "# not an input\n");
    repo.tiergate(&["run", "fast"]).expect_code(0);
    assert_eq!(runs(&log), 1, "a file outside `inputs` changed the key");
    repo.write("src/new_module.py", "x = 1\n");
    repo.tiergate(&["run", "fast"]).expect_code(0);
    assert_eq!(runs(&log), 2, "an untracked input must miss");
}

#[test]
fn env_inputs_are_part_of_the_key() {
    let (repo, log) = counted("env_inputs = [\"API_MODE\"]");
    let run = |value: &str| {
        let out = repo
            .tiergate_cmd(&["run", "fast"])
            .env("API_MODE", value)
            .output()
            .unwrap();
        assert!(out.status.success());
    };
    run("a");
    run("a");
    assert_eq!(runs(&log), 1);
    run("b");
    assert_eq!(runs(&log), 2);
}

#[test]
fn failures_and_cache_false_groups_are_never_stored() {
    let repo = TestRepo::new();
    let log = repo.home.path().join("ran.log");
    repo.write("bad.xml", junit_xml(1, 1));
    repo.write("good.xml", junit_xml(1, 0));
    repo.config(&format!(
        r#"[stages.fast]
gate = {{ fail_when = "rate", max_failure_rate = 0.9 }}
groups = [
  {{ name = "failing", run = "sh -c 'echo failing >> {log}; cp bad.xml \"$0\"' {{junit}}" }},
  {{ name = "uncached", run = "sh -c 'echo uncached >> {log}; cp good.xml \"$0\"' {{junit}}", cache = false }},
]
[stages.performance]
groups = [{{ name = "bench", run = "sh -c 'echo bench >> {log}'" }}]
"#,
        log = log.display()
    ));
    repo.commit("initial");
    repo.tiergate(&["run"]).expect_code(0);
    repo.tiergate(&["run"]).expect_code(0);
    let text = std::fs::read_to_string(&log).unwrap();
    for group in ["failing", "uncached", "bench"] {
        assert_eq!(
            text.lines().filter(|l| *l == group).count(),
            2,
            "{group} must run every time:\n{text}"
        );
    }
}

#[test]
fn a_corrupt_entry_is_a_warning_and_a_miss() {
    let (repo, log) = counted("");
    repo.tiergate(&["run", "fast"]).expect_code(0);
    let entries = repo.join(".git/tiergate/cache/entries");
    for entry in std::fs::read_dir(&entries).unwrap() {
        std::fs::write(entry.unwrap().path(), b"{ not json").unwrap();
    }
    let run = repo.tiergate(&["run", "fast"]);
    run.expect_code(0);
    assert_eq!(runs(&log), 2);
    assert!(run.all().contains("corrupt"), "{}", run.all());
    repo.tiergate(&["run", "fast"]).expect_code(0);
    assert_eq!(runs(&log), 2, "the fresh pass replaced the corrupt entry");
}

#[test]
fn plan_verbose_names_the_part_of_the_key_that_changed() {
    let (repo, _log) = counted("");
    let before = repo.tiergate(&["plan", "fast", "-v"]);
    assert!(
        before
            .stdout
            .contains("cache: miss: no earlier pass stored"),
        "{}",
        before.stdout
    );
    repo.tiergate(&["run", "fast"]).expect_code(0);
    let hit = repo.tiergate(&["plan", "fast", "-v"]);
    assert!(hit.stdout.contains("cache: hit"), "{}", hit.stdout);
    repo.write("src/app.py", "print('changed')\n");
    let miss = repo.tiergate(&["plan", "fast", "-v"]);
    assert!(
        miss.stdout.contains("cache: miss: changed: inputs"),
        "{}",
        miss.stdout
    );
}

#[test]
fn a_pre_push_after_a_passing_pre_commit_reruns_nothing() {
    let (repo, log) = counted("");
    repo.config(&format!(
        r#"[stages.fast]
[[stages.fast.groups]]
name = "unit"
run = "sh -c 'echo ran >> {log}; cp report.xml \"$0\"' {{junit}}"

[hooks.pre-commit]
stages = ["fast"]
[hooks.pre-push]
stages = ["fast"]
"#,
        log = log.display()
    ));
    repo.commit("hooks");
    repo.write("src/app.py", "print('feature')\n");
    repo.stage(&["src/app.py"]);
    repo.tiergate(&["hook", "pre-commit"]).expect_code(0);
    assert_eq!(runs(&log), 1);
    repo.git(&["commit", "-q", "--no-verify", "-m", "feature"]);
    let head = repo.git(&["rev-parse", "HEAD"]);
    let line = format!(
        "refs/heads/main {} refs/heads/main {}\n",
        head.trim(),
        "0".repeat(40)
    );
    let mut push = repo
        .tiergate_cmd(&["hook", "pre-push", "origin", "/nowhere"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        push.stdin
            .take()
            .unwrap()
            .write_all(line.as_bytes())
            .unwrap();
    }
    let out = push.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        runs(&log),
        1,
        "pre-push re-ran a group that passed in pre-commit"
    );
}

#[test]
fn linked_worktrees_share_one_cache() {
    let (repo, log) = counted("");
    repo.tiergate(&["run", "fast"]).expect_code(0);
    let linked = repo.home.path().join("linked");
    repo.git(&["worktree", "add", "-q", linked.to_str().unwrap()]);
    let mut cmd = std::process::Command::new(crate::support::BIN);
    cmd.args(["run", "fast"]).current_dir(&linked);
    crate::support::isolate(&mut cmd, repo.home.path());
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("CACHED"));
    assert_eq!(runs(&log), 1, "the same commit in another worktree reran");
}
