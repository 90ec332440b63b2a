//! `run --shard K/N`, `report --merge` over the shards, and the exported CI
//! that runs them: shards compared with an unsharded run of the same tests
//! on the same repository, real pytest, real git clones (one per "machine").

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::{isolate, Run, TestRepo, BIN};

/// Twelve test files of two tests each; two tests fail and one is skipped,
/// so the rate gate (5 %) blocks the whole run while some shards alone pass.
const CONFIG: &str = r#"
[stages.fast]
gate = { fail_when = "rate", max_failure_rate = 0.05, on_fail = "block" }
groups = [
  { name = "unit", tests = ["tests/test_*.py"], run = "python3 -m pytest -q -p no:cacheprovider --junitxml {junit} {tests}" },
  { name = "lint", run = "python3 -c 'print(1)'" },
]
"#;

fn suite(repo: &TestRepo) {
    repo.config(CONFIG);
    repo.write("app.py", "def add(a, b):\n    return a + b\n");
    for i in 0..12 {
        let fail = if i == 3 || i == 8 { "1 / 0" } else { "pass" };
        let skip = if i == 5 {
            "import pytest\n\n@pytest.mark.skip(reason='later')\n"
        } else {
            ""
        };
        repo.write(
            format!("tests/test_{i:02}.py"),
            format!(
                "import app\n\n\ndef test_a():\n    assert app.add(1, {i}) == {}\n\n\n{skip}def test_b():\n    {fail}\n",
                1 + i
            ),
        );
    }
    repo.write(".gitignore", "__pycache__/\n*.json\n");
    repo.commit("suite");
}

fn report(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Every count, gate and status of a report, by stage; and the test ids.
fn counts(report: &Value) -> (Value, Vec<String>) {
    let mut stages = Vec::new();
    let mut ids = Vec::new();
    for stage in report["stages"].as_array().unwrap() {
        let mut c = serde_json::Map::new();
        for key in [
            "stage",
            "status",
            "total_tests",
            "passed_tests",
            "failed_tests",
            "skipped_tests",
            "flaky_tests",
            "success_rate",
            "should_block",
            "gate",
        ] {
            c.insert(key.into(), stage[key].clone());
        }
        stages.push(Value::Object(c));
        for group in stage["groups"].as_array().unwrap() {
            for test in group["tests"].as_array().unwrap() {
                ids.push(format!(
                    "{}::{}::{}",
                    test["file"].as_str().unwrap_or(""),
                    test["name"].as_str().unwrap(),
                    test["status"].as_str().unwrap()
                ));
            }
        }
    }
    ids.sort();
    (
        serde_json::json!({ "stages": stages, "summary": report["summary"] }),
        ids,
    )
}

#[test]
fn a_bad_shard_is_a_usage_error_that_says_the_fix() {
    let repo = TestRepo::new();
    suite(&repo);
    let before = repo.git(&["status", "--porcelain"]);
    for (shard, fix) in [
        ("0/4", "numbered from 1"),
        ("5/4", "past the last of 4"),
        ("3", "not K/N"),
        ("a/4", "not a number"),
        ("1/0", "at least one shard"),
    ] {
        let run = repo.tiergate(&["run", "fast", "--shard", shard]);
        run.expect_code(2);
        assert!(run.stderr.contains(fix), "{shard}: {}", run.stderr);
        assert!(run.stderr.contains("--shard"), "{shard}: {}", run.stderr);
        let plan = repo.tiergate(&["plan", "fast", "--shard", shard]);
        plan.expect_code(2);
    }
    assert_eq!(repo.git(&["status", "--porcelain"]), before);
    assert!(!repo.join(".git/tiergate/history.jsonl").exists());
}

#[test]
fn merged_shard_reports_equal_the_unsharded_run_in_every_count() {
    let repo = TestRepo::new();
    suite(&repo);
    // The unsharded run, which also gives history the files' durations.
    let whole = repo.tiergate(&["run", "fast", "--save-report", "whole.json"]);
    whole.expect_code(1);
    let mut files_seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut shard_reports = Vec::new();
    for k in 1..=3 {
        let name = format!("shard-{k}.json");
        let shard = format!("{k}/3");
        let run = repo.tiergate(&["run", "fast", "--shard", &shard, "--save-report", &name]);
        assert!(run.code == 0 || run.code == 1, "{}", run.all());
        let r = report(&repo.join(&name));
        assert_eq!(r["shard"], shard.as_str());
        let lint = &r["stages"][0]["groups"][1];
        if k == 1 {
            assert_eq!(lint["status"], "passed", "{lint}");
        } else {
            assert_eq!(lint["status"], "skipped", "{lint}");
            assert!(
                lint["reason"]
                    .as_str()
                    .unwrap()
                    .contains("shard 1 of 3 only"),
                "{lint}"
            );
        }
        for test in r["stages"][0]["groups"][0]["tests"].as_array().unwrap() {
            *files_seen
                .entry(test["file"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        shard_reports.push(name);
    }
    // Every file on exactly one shard: two tests each, none twice.
    assert_eq!(files_seen.len(), 12, "{files_seen:?}");
    assert!(files_seen.values().all(|n| *n == 2), "{files_seen:?}");

    let mut args = vec!["report", "--merge", "merged.json"];
    args.extend(shard_reports.iter().map(String::as_str));
    let merged = repo.tiergate(&args);
    // The same verdict as the unsharded run: blocked.
    merged.expect_code(whole.code);
    let (merged_counts, merged_ids) = counts(&report(&repo.join("merged.json")));
    let (whole_counts, whole_ids) = counts(&report(&repo.join("whole.json")));
    assert_eq!(merged_counts, whole_counts);
    assert_eq!(merged_ids, whole_ids);
    // 24 pytest tests and the lint group, which counts as one.
    assert_eq!(whole_counts["summary"]["total_tests"], 25);
    assert_eq!(whole_counts["summary"]["failed_tests"], 2);
}

#[test]
fn plan_shows_a_shard_s_files_and_every_shard_s_expected_time() {
    let repo = TestRepo::new();
    suite(&repo);
    let fresh = repo.tiergate(&["plan", "fast", "--shard", "2/4"]);
    fresh.expect_code(0);
    assert!(fresh.stdout.contains("shard 2/4"), "{}", fresh.stdout);
    assert!(
        fresh.stdout.contains("fast.unit ({tests}): 3 file(s)"),
        "{}",
        fresh.stdout
    );
    assert!(
        fresh.stdout.contains("split by file count"),
        "{}",
        fresh.stdout
    );
    assert!(
        fresh
            .stdout
            .contains("per shard: 1/4: 3.0s, 2/4: 3.0s, 3/4: 3.0s, 4/4: 3.0s"),
        "{}",
        fresh.stdout
    );
    assert!(
        fresh.stdout.contains("fast.lint: not split"),
        "{}",
        fresh.stdout
    );
    repo.tiergate(&["run", "fast"]).expect_code(1);
    let known = repo.tiergate(&["plan", "fast", "--shard", "2/4"]);
    assert!(
        known.stdout.contains("times from history for 12 file(s)"),
        "{}",
        known.stdout
    );
}

// ---- the exported CI -------------------------------------------------

/// `check-jsonschema` (`PyPI`) with `GitLab`'s CI schema, which it ships.
fn gitlab_schema_check(path: &Path) -> Run {
    let out = Command::new("check-jsonschema")
        .args(["--builtin-schema", "vendor.gitlab-ci"])
        .arg(path)
        .output()
        .expect("check-jsonschema is missing: run `bash tests/setup.sh`");
    Run::from(out)
}

#[test]
fn the_sharded_github_workflow_passes_actionlint() {
    let repo = TestRepo::new();
    suite(&repo);
    repo.tiergate(&["export", "github", "--shards", "3", "--output", "wf.yml"])
        .expect_code(0);
    let text = String::from_utf8(repo.read("wf.yml")).unwrap();
    for k in 1..=3 {
        assert!(
            text.contains(&format!("- {{ group: \"unit\", shard: {k}, shards: 3 }}")),
            "{text}"
        );
    }
    assert!(text.contains("- { group: \"lint\", shard: 1, shards: 1 }"));
    assert!(text.contains("BASE: ${{ github.event.pull_request.base.sha }}"));
    assert!(text.contains("select=\"--from $BASE\"; else select=\"--all\""));
    assert!(text.contains("actions/cache/restore@v4"));
    assert!(text.contains("actions/cache/save@v4"));
    assert!(text.contains("fetch-depth: 0"));
    assert!(text.contains("tiergate report --merge tiergate-report.json reports/*.json"));
    crate::export::lint(&repo.join("wf.yml"));
}

#[test]
fn the_gitlab_pipeline_passes_gitlab_s_schema() {
    let repo = TestRepo::new();
    suite(&repo);
    repo.tiergate(&["export", "gitlab", "--shards", "3"])
        .expect_code(0);
    let path = repo.join(".gitlab-ci.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("\"fast:unit\":\n  stage: \"fast\"\n  parallel: 3\n"),
        "{text}"
    );
    assert!(
        !text.contains("\"fast:lint\":\n  stage: \"fast\"\n  parallel"),
        "{text}"
    );
    assert!(
        text.contains("--shard \\\"${CI_NODE_INDEX:-1}/${CI_NODE_TOTAL:-1}\\\""),
        "{text}"
    );
    assert!(text.contains("reports:\n      junit: junit/*.xml"));
    assert!(text.contains("tiergate report --merge tiergate-report.json reports/*.json"));
    let check = gitlab_schema_check(&path);
    assert_eq!(check.code, 0, "{}\n{text}", check.all());
    // The check can fail: a malformed `parallel` is caught.
    let bad = repo.join("bad.yml");
    std::fs::write(&bad, text.replace("parallel: 3", "parallel: three")).unwrap();
    assert_ne!(gitlab_schema_check(&bad).code, 0);
}

// ---- the local simulation on the example service ----------------------

/// One CI "machine": a clone of the repository with its own state dir.
struct Machine {
    dir: tempfile::TempDir,
    home: PathBuf,
}

impl Machine {
    fn clone_of(repo: &TestRepo) -> Machine {
        let dir = tempfile::tempdir().unwrap();
        let mut git = Command::new("git");
        git.args(["clone", "-q"]).arg(repo.path()).arg(dir.path());
        isolate(&mut git, repo.home.path());
        assert!(git.status().unwrap().success());
        Machine {
            dir,
            home: repo.home.path().to_owned(),
        }
    }

    fn tiergate(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(BIN);
        cmd.args(args).current_dir(self.dir.path());
        isolate(&mut cmd, &self.home);
        Run::from(cmd.output().unwrap())
    }

    /// The history the CI would carry: the same file on every machine.
    fn give_history(&self, history: &[u8]) {
        let dir = self.dir.path().join(".git/tiergate");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("history.jsonl"), history).unwrap();
    }
}

fn example() -> TestRepo {
    let repo = TestRepo::new();
    crate::example::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/python-service"),
        repo.path(),
    );
    repo.write(
        ".gitignore",
        "__pycache__/\n.pytest_cache/\n.ruff_cache/\n*.xml\n*.json\n",
    );
    repo.commit("the example service");
    repo
}

/// The export's jobs, run locally: N clones each `tiergate run --shard K/N`,
/// then the consolidate step, against one unsharded run; then a pull
/// request that changes one module runs only on the shard that has its tests.
#[test]
fn sharded_jobs_on_clones_of_the_example_merge_to_the_unsharded_run() {
    const N: usize = 2;
    let repo = example();
    let whole = repo.tiergate(&["run", "smoke", "fast", "--save-report", "whole.json"]);
    whole.expect_code(0);
    let history = repo.read(".git/tiergate/history.jsonl");

    let machines: Vec<Machine> = (0..N).map(|_| Machine::clone_of(&repo)).collect();
    let children: Vec<_> = machines
        .iter()
        .enumerate()
        .map(|(i, m)| {
            m.give_history(&history);
            let mut cmd = Command::new(BIN);
            cmd.args(["run", "smoke", "fast", "--shard", &format!("{}/{N}", i + 1)])
                .args(["--save-report", "shard.json"])
                .current_dir(m.dir.path());
            isolate(&mut cmd, &m.home);
            cmd.spawn().unwrap()
        })
        .collect();
    let mut parts = Vec::new();
    for (i, child) in children.into_iter().enumerate() {
        let out = Run::from(child.wait_with_output().unwrap());
        out.expect_code(0);
        let to = repo.join(format!("shard-{}.json", i + 1));
        std::fs::copy(machines[i].dir.path().join("shard.json"), &to).unwrap();
        parts.push(to.to_string_lossy().into_owned());
    }
    let mut args = vec!["report", "--merge", "merged.json"];
    args.extend(parts.iter().map(String::as_str));
    repo.tiergate(&args).expect_code(0);
    let (merged, merged_ids) = counts(&report(&repo.join("merged.json")));
    let (unsharded, whole_ids) = counts(&report(&repo.join("whole.json")));
    assert_eq!(merged, unsharded);
    assert_eq!(merged_ids, whole_ids);

    // A pull request changing one module: each shard selects from the base.
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let services = String::from_utf8(repo.read("app/services.py")).unwrap();
    repo.write("app/services.py", format!("{services}\n# a change\n"));
    repo.commit("change the services");
    let mut ran = Vec::new();
    for k in 1..=N {
        let m = Machine::clone_of(&repo);
        m.give_history(&history);
        let mut git = Command::new("git");
        git.args(["checkout", "-q", "feature"])
            .current_dir(m.dir.path());
        isolate(&mut git, &m.home);
        assert!(git.status().unwrap().success());
        let shard = format!("{k}/{N}");
        let run = m.tiergate(&[
            "run",
            "fast.unit",
            "--shard",
            &shard,
            "--from",
            "origin/main",
            "--save-report",
            "pr.json",
        ]);
        run.expect_code(0);
        let r = report(&m.dir.path().join("pr.json"));
        let unit = &r["stages"][0]["groups"][0];
        ran.push((unit["status"].as_str().unwrap().to_owned(), unit.clone()));
    }
    let running: Vec<&Value> = ran
        .iter()
        .filter(|(s, _)| s != "skipped")
        .map(|(_, g)| g)
        .collect();
    assert_eq!(running.len(), 1, "{ran:?}");
    let files: Vec<&str> = running[0]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["file"].as_str().unwrap())
        .collect();
    assert!(
        files.iter().all(|f| *f == "tests/unit/test_services.py"),
        "{files:?}"
    );
    let idle = ran.iter().find(|(s, _)| s == "skipped").unwrap();
    assert!(
        idle.1["reason"]
            .as_str()
            .unwrap()
            .contains("other shards run them"),
        "{:?}",
        idle.1
    );
}
