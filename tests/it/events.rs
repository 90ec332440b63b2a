//! One stream of events feeds every output of a run: the order a subscriber
//! (the `TIERGATE_EVENT_LOG` file) sees through a real `git commit`, and the
//! counts of the JSON report, JUnit, Prometheus, the GitHub summary and the
//! terminal for one run with passing, failing and skipped groups.

use std::path::Path;
use std::process::Stdio;

use serde_json::Value;

use crate::support::{junit_xml, Run, TestRepo};

/// The events of the log, one JSON object a line.
fn events(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn position(events: &[Value], kind: &str, group: &str) -> Option<usize> {
    events
        .iter()
        .position(|e| e["event"] == kind && e["group"] == group)
}

/// `stage.group` of each group line the terminal printed, in order.
fn terminal_groups(output: &str, stage: &str) -> Vec<String> {
    output
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let mark = words.next()?;
            let name = words.next()?;
            let known = ["PASS", "FAIL", "SKIP", "CACHED", "ERROR", "TIMEOUT"].contains(&mark);
            let group = name.strip_prefix(&format!("{stage}."))?;
            known.then(|| group.trim_end_matches(':').to_owned())
        })
        .collect()
}

/// Two passing groups and a failing one in parallel, a group left out, a
/// formatter: the order of events the hook emitted.
#[test]
fn a_commit_s_events_reach_a_subscriber_in_the_order_the_terminal_shows() {
    let repo = TestRepo::new();
    repo.write("unit.xml", junit_xml(2, 0));
    repo.write("api.xml", junit_xml(1, 1));
    repo.config(
        r#"[formatters.noop]
run = "true"
files = ["*.txt"]

[stages.fast]
groups = [
  { name = "unit", run = "cp unit.xml {junit}", always = true },
  { name = "api", run = "cp api.xml {junit}", always = true },
  { name = "lint", run = "cp unit.xml {junit}", always = true },
  { name = "docs", run = "true", always = true },
]

[hooks.pre-commit]
stages = ["fast"]
formatters = ["noop"]
"#,
    );
    repo.commit("init");
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    repo.write("a.txt", "a change\n");
    repo.stage(&["a.txt"]);
    let log = repo.home.path().join("events.jsonl");
    let commit = Run::from(
        repo.git_cmd(&["commit", "-q", "-m", "change"])
            .env("TIERGATE_EVENT_LOG", &log)
            .env("TIERGATE_SKIP", "fast.docs")
            .stdin(Stdio::null())
            .output()
            .unwrap(),
    );
    commit.expect_code(1);
    let events = events(&log);
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds[..3],
        ["formatter-finished", "run-started", "stage-started"]
    );
    assert_eq!(events[0]["formatter"], "noop");
    assert_eq!(events[0]["status"], "ran");
    assert_eq!(events[1]["label"], "hook pre-commit");
    assert_eq!(events[2]["groups"], 3);
    assert_eq!(kinds[kinds.len() - 2..], ["stage-finished", "run-finished"]);

    // The group left out is told first, never started; every other group
    // starts before it finishes.
    let docs = position(&events, "group-finished", "docs").unwrap();
    assert_eq!(docs, 3, "{kinds:?}");
    assert_eq!(events[docs]["status"], "skipped");
    assert_eq!(position(&events, "group-started", "docs"), None);
    for group in ["unit", "api", "lint"] {
        let started = position(&events, "group-started", group).unwrap();
        let finished = position(&events, "group-finished", group).unwrap();
        assert!(started < finished, "{group}: {kinds:?}");
    }
    let times: Vec<&str> = events.iter().map(|e| e["time"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");

    // The terminal printed the groups in the order the log saw them finish.
    let finished: Vec<String> = events
        .iter()
        .filter(|e| e["event"] == "group-finished")
        .map(|e| e["group"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(terminal_groups(&commit.all(), "fast"), finished);

    // The stage's record keeps the plan's order, with the counts of its groups.
    let stage = &events[events.len() - 2];
    assert_eq!(
        stage["groups"],
        serde_json::json!(["unit", "api", "lint", "docs"])
    );
    assert_eq!(stage["tests"]["passed"], 5);
    assert_eq!(stage["tests"]["failed"], 1);
    assert_eq!(stage["should_block"], true);
}

/// A sample's value, written as an integer by tiergate for counts.
fn prom_value(text: &str, metric: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(metric)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {metric} in\n{text}"))
        .parse()
        .unwrap()
}

fn junit_count(xml: &str, attribute: &str) -> usize {
    let root = xml.lines().find(|l| l.starts_with("<testsuites")).unwrap();
    let start = root.find(&format!(" {attribute}=\"")).unwrap() + attribute.len() + 3;
    root[start..].split('"').next().unwrap().parse().unwrap()
}

/// smoke passes; fast has a failing and a skipped test, a passing group and
/// a group left out by `TIERGATE_SKIP`; slow is skipped, fast blocked.
#[test]
fn every_report_of_one_run_agrees_on_its_counts() {
    let repo = TestRepo::new();
    repo.write("ok.xml", junit_xml(2, 0));
    repo.write(
        "unit.xml",
        junit_xml(3, 1).replace(
            "name=\"test_pass_0\" time=\"0.01\"/>",
            "name=\"test_skip\"><skipped/></testcase>",
        ),
    );
    repo.write("api.xml", junit_xml(4, 0));
    repo.config(
        r#"[stages.smoke]
groups = [{ name = "ok", run = "cp ok.xml {junit}" }]

[stages.fast]
gate = { fail_when = "any", on_fail = "block" }
groups = [
  { name = "unit", run = "cp unit.xml {junit}" },
  { name = "api", run = "cp api.xml {junit}" },
  { name = "docs", run = "true" },
]

[stages.slow]
groups = [{ name = "e2e", run = "true" }]
"#,
    );
    repo.commit("project");
    let summary = repo.join("summary.md");
    let run = Run::from(
        repo.tiergate_cmd(&[
            "run",
            "smoke",
            "fast",
            "slow",
            "--save-report",
            "report.json",
            "--junit",
            "merged.xml",
            "--prometheus",
            "metrics.prom",
        ])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("TIERGATE_SKIP", "fast.docs")
        .env("TIERGATE_EVENT_LOG", repo.join("events.jsonl"))
        .output()
        .unwrap(),
    );
    run.expect_code(1);

    let report: Value = serde_json::from_slice(&repo.read("report.json")).unwrap();
    let total = &report["summary"];
    let (tests, failed, skipped) = (
        total["total_tests"].as_u64().unwrap(),
        total["failed_tests"].as_u64().unwrap(),
        total["skipped_tests"].as_u64().unwrap(),
    );
    assert_eq!((tests, failed, skipped), (10, 1, 1), "{report:#}");
    let stages = report["stages"].as_array().unwrap();
    let statuses: Vec<&str> = stages
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["passed", "failed", "skipped"]);

    // JUnit: one suite per group that ran, the same tests.
    let xml = String::from_utf8(repo.read("merged.xml")).unwrap();
    assert_eq!(junit_count(&xml, "tests") as u64, tests);
    assert_eq!(
        (junit_count(&xml, "failures") + junit_count(&xml, "errors")) as u64,
        failed
    );
    assert_eq!(junit_count(&xml, "skipped") as u64, skipped);
    let ran: Vec<String> = stages
        .iter()
        .flat_map(|s| {
            s["groups"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|g| g["status"] != "skipped")
                .map(move |g| {
                    format!(
                        "{}.{}",
                        s["stage"].as_str().unwrap(),
                        g["name"].as_str().unwrap()
                    )
                })
        })
        .collect();
    assert_eq!(ran, ["smoke.ok", "fast.unit", "fast.api"]);
    let suites: Vec<&str> = xml
        .lines()
        .filter_map(|l| l.trim().strip_prefix("<testsuite name=\""))
        .map(|l| l.split('"').next().unwrap())
        .collect();
    assert_eq!(suites, ran);

    // Prometheus, GitHub's summary, the event log and the terminal: each
    // stage's counts as the JSON report has them.
    let prom = String::from_utf8(repo.read("metrics.prom")).unwrap();
    let markdown = std::fs::read_to_string(&summary).unwrap();
    let log = events(&repo.join("events.jsonl"));
    for stage in stages {
        let name = stage["stage"].as_str().unwrap();
        let counts = [
            ("passed", stage["passed_tests"].as_u64().unwrap()),
            ("failed", stage["failed_tests"].as_u64().unwrap()),
            ("skipped", stage["skipped_tests"].as_u64().unwrap()),
        ];
        let finished = log
            .iter()
            .find(|e| e["event"] == "stage-finished" && e["stage"] == name)
            .unwrap();
        for (status, n) in counts {
            let metric = format!("tiergate_stage_tests{{stage=\"{name}\",status=\"{status}\"}}");
            assert_eq!(prom_value(&prom, &metric), n, "{metric}");
            assert_eq!(finished["tests"][status], n, "{name} {status}");
        }
        let row = format!(
            "| {name} | {} | {} | {} | {} |",
            stage["status"].as_str().unwrap(),
            counts[0].1,
            counts[1].1,
            counts[2].1
        );
        assert!(markdown.contains(&row), "{row} not in\n{markdown}");
    }
    assert!(
        markdown.contains(&format!(
            "**Total**: {tests} tests, {failed} failed, {skipped} skipped"
        )),
        "{markdown}"
    );
    assert_eq!(
        prom_value(&prom, "tiergate_pipeline_runs_total{result=\"blocked\"}"),
        1
    );
    assert!(
        run.all().contains(&format!(
            "({tests} tests, {failed} failed, {skipped} skipped; "
        )),
        "{}",
        run.all()
    );
}

/// A run a required service stopped exits 2 and the terminal says "error";
/// the GitHub summary and Prometheus said "passed", for they read only
/// whether a stage blocked.
#[test]
fn a_run_stopped_by_a_service_that_never_became_ready_is_not_reported_as_passed() {
    let repo = TestRepo::new();
    repo.config(
        "[services.postgres]\ncheck = \"false\"\nretries = 2\ninterval = \"10ms\"\n\
         [stages.comprehensive]\nneeds = [\"postgres\"]\ngroups = [{ name = \"db\", run = \"true\" }]\n",
    );
    repo.commit("project");
    let summary = repo.join("summary.md");
    let log = repo.join("events.jsonl");
    let run = Run::from(
        repo.tiergate_cmd(&[
            "run",
            "comprehensive",
            "--save-report",
            "report.json",
            "--prometheus",
            "metrics.prom",
        ])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("TIERGATE_EVENT_LOG", &log)
        .output()
        .unwrap(),
    );
    run.expect_code(2);
    assert!(run
        .all()
        .contains("error: a required service was not ready"));
    let markdown = std::fs::read_to_string(&summary).unwrap();
    let headline = markdown.lines().next().unwrap();
    assert_eq!(
        headline,
        "## ❌ tiergate: `run comprehensive` stopped by an error"
    );
    let prom = String::from_utf8(repo.read("metrics.prom")).unwrap();
    assert_eq!(
        prom_value(&prom, "tiergate_pipeline_runs_total{result=\"passed\"}"),
        0
    );
    assert_eq!(
        prom_value(&prom, "tiergate_pipeline_runs_total{result=\"error\"}"),
        1
    );
    let report: Value = serde_json::from_slice(&repo.read("report.json")).unwrap();
    assert_eq!(report["aborted"], "error", "{report:#}");
    let last = events(&log).pop().unwrap();
    assert_eq!(last["event"], "run-finished");
    assert!(
        last["error"]
            .as_str()
            .unwrap()
            .starts_with("service postgres not ready"),
        "{last}"
    );
}
