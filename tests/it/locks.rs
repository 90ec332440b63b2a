//! `locks`: groups sharing a resource never overlap, while the others keep
//! running in parallel; `workers` beyond `jobs` is clamped. Every fact is read
//! from the start and end times the groups' own commands write, never from
//! how long the run took.

use std::path::Path;

use crate::support::{Run, TestRepo};

/// A group that writes its start and end times into `out`, sleeping between.
fn timed(name: &str, seconds: u32, locks: &str, out: &Path) -> String {
    format!(
        r#"{{ name = "{name}", always = true, locks = [{locks}], run = "sh -c 'date +%s.%N > {out}/{name}.start; sleep {seconds}; date +%s.%N > {out}/{name}.end'" }}"#,
        out = out.display()
    )
}

#[derive(Debug, Clone, Copy)]
struct Interval {
    start: f64,
    end: f64,
}

fn interval(out: &Path, name: &str) -> Interval {
    let read = |suffix: &str| -> f64 {
        let path = out.join(format!("{name}.{suffix}"));
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .trim()
            .parse()
            .unwrap()
    };
    let interval = Interval {
        start: read("start"),
        end: read("end"),
    };
    assert!(interval.start <= interval.end, "{name}: {interval:?}");
    interval
}

fn overlap(a: Interval, b: Interval) -> bool {
    a.start < b.end && b.start < a.end
}

fn repo_with(config: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.config(config);
    repo.write("app.py", "x = 1\n");
    repo.commit("initial");
    repo
}

fn report(repo: &TestRepo, file: &str) -> serde_json::Value {
    serde_json::from_slice(&repo.read(file)).unwrap()
}

fn group<'r>(report: &'r serde_json::Value, stage: usize, name: &str) -> &'r serde_json::Value {
    report["stages"][stage]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == name)
        .unwrap_or_else(|| panic!("no group {name} in {report}"))
}

#[test]
fn two_groups_sharing_a_lock_never_overlap_in_a_real_commit() {
    let out = tempfile::tempdir().unwrap();
    let config = format!(
        "[settings]\njobs = 4\n[stages.fast]\ngroups = [\n{},\n{},\n]\n[hooks.pre-commit]\nstages = [\"fast\"]\n",
        timed("first", 1, "\"db\"", out.path()),
        timed("second", 1, "\"db\"", out.path()),
    );
    let repo = repo_with(&config);
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    repo.write("app.py", "x = 2\n");
    repo.stage(&["app.py"]);
    Run::from(
        repo.git_cmd(&["commit", "-q", "-m", "change"])
            .output()
            .unwrap(),
    )
    .expect_code(0);
    let (first, second) = (
        interval(out.path(), "first"),
        interval(out.path(), "second"),
    );
    assert!(!overlap(first, second), "{first:?} {second:?}");
}

/// Four groups, two sharing `db`: the two others run alongside the locked
/// chain, so the stage takes about the longer chain, not the sum. And a group
/// waiting for the lock holds no slot: with `jobs = 2`, an unlocked group
/// starts while the first locked group still runs.
#[test]
fn a_stage_of_four_groups_where_two_share_a_lock_runs_the_others_alongside() {
    for jobs in [4, 2] {
        let out = tempfile::tempdir().unwrap();
        let config = format!(
            "[settings]\njobs = {jobs}\n[stages.fast]\ngroups = [\n{},\n{},\n{},\n{},\n]\n",
            timed("locked-a", 2, "\"db\"", out.path()),
            timed("locked-b", 2, "\"db\"", out.path()),
            timed("free-c", 5, "", out.path()),
            timed("free-d", 5, "", out.path()),
        );
        let repo = repo_with(&config);
        repo.tiergate(&["run", "fast", "--all", "--save-report", "r.json"])
            .expect_code(0);
        let [a, b, c, d] =
            ["locked-a", "locked-b", "free-c", "free-d"].map(|n| interval(out.path(), n));
        assert!(!overlap(a, b), "jobs {jobs}: {a:?} {b:?}");
        let (held_first, held_second) = if a.start < b.start { (a, b) } else { (b, a) };
        if jobs == 4 {
            // Everything that may run at once does.
            for free in [c, d] {
                assert!(
                    overlap(free, held_first) && overlap(free, held_second),
                    "{free:?} {a:?} {b:?}"
                );
            }
            assert!(overlap(c, d), "{c:?} {d:?}");
        } else {
            // One slot for the lock holder, the other for a free group,
            // not for the group waiting on the lock.
            let first_free = if c.start < d.start { c } else { d };
            assert!(
                overlap(first_free, held_first),
                "{first_free:?} {held_first:?}"
            );
        }
        let report = report(&repo, "r.json");
        let (ra, rb) = (group(&report, 0, "locked-a"), group(&report, 0, "locked-b"));
        assert_eq!(ra["locks"], serde_json::json!(["db"]));
        assert_eq!(rb["locks"], serde_json::json!(["db"]));
        let waits: Vec<bool> = [ra, rb]
            .iter()
            .map(|g| g["lock_wait_ms"].is_u64())
            .collect();
        assert!(waits.contains(&true), "the second holder waited: {report}");
        let free = group(&report, 0, "free-c");
        assert!(
            free.get("locks").is_none() && free.get("lock_wait_ms").is_none(),
            "{free}"
        );
    }
}

#[test]
fn a_lock_holds_across_stages() {
    let out = tempfile::tempdir().unwrap();
    let config = format!(
        "[settings]\njobs = 4\n[stages.smoke]\ngroups = [{}]\n[stages.fast]\ngroups = [{}, {}]\n",
        timed("one", 1, "\"db\"", out.path()),
        timed("two", 1, "\"db\", \"cache\"", out.path()),
        timed("three", 1, "\"cache\"", out.path()),
    );
    let repo = repo_with(&config);
    let plan = repo.tiergate(&["plan", "smoke", "fast"]);
    plan.expect_code(0);
    for line in [
        "      lock db: waits while fast.two holds it\n",
        "      lock cache: waits while fast.three holds it\n",
        "      lock db: waits while smoke.one holds it\n",
        "      lock cache: waits while fast.two holds it\n",
    ] {
        assert!(
            plan.stdout.contains(line),
            "missing {line:?} in\n{}",
            plan.stdout
        );
    }
    repo.tiergate(&["run", "smoke", "fast", "--all"])
        .expect_code(0);
    let [one, two, three] = ["one", "two", "three"].map(|n| interval(out.path(), n));
    assert!(
        !overlap(one, two) && !overlap(two, three),
        "{one:?} {two:?} {three:?}"
    );
}

#[test]
fn workers_beyond_jobs_are_clamped_and_plan_says_so() {
    let out = tempfile::tempdir().unwrap();
    let config = format!(
        "[settings]\njobs = 2\n[stages.fast]\ngroups = [{{ name = \"wide\", always = true, workers = 8, run = \"sh -c 'echo $0 > {}/workers' {{workers}}\" }}]\n",
        out.path().display()
    );
    let repo = repo_with(&config);
    let plan = repo.tiergate(&["plan", "fast"]);
    plan.expect_code(0);
    assert!(
        plan.stdout
            .contains("      workers: 8 clamped to jobs = 2\n"),
        "{}",
        plan.stdout
    );
    repo.tiergate(&["run", "fast", "--all"]).expect_code(0);
    assert_eq!(
        std::fs::read_to_string(out.path().join("workers")).unwrap(),
        "2\n"
    );
}
