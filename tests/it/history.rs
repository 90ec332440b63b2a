//! History, retries, flaky tests, quarantine and budgets (SPEC 9, 10): runs
//! recorded in history.jsonl and what `tiergate history` reads back.

use crate::support::TestRepo;

/// JUnit with a named file, so test ids are `<file>::<name>`.
fn junit(cases: &[(&str, bool)]) -> String {
    let mut xml = String::from("<testsuites><testsuite name=\"s\">");
    for (name, passed) in cases {
        if *passed {
            xml.push_str(&format!(
                "<testcase classname=\"tests.test_a\" name=\"{name}\" file=\"tests/test_a.py\" time=\"0.01\"/>"
            ));
        } else {
            xml.push_str(&format!(
                "<testcase classname=\"tests.test_a\" name=\"{name}\" file=\"tests/test_a.py\" time=\"0.01\"><failure message=\"boom\">trace</failure></testcase>"
            ));
        }
    }
    xml.push_str("</testsuite></testsuites>");
    xml
}

/// A group that reports `pass.xml` on odd attempts and `fail.xml` on even ones,
/// counting attempts in a file outside the repo; its arguments are logged.
fn alternating(group_keys: &str, gate: &str) -> TestRepo {
    let repo = TestRepo::new();
    let counter = repo.home.path().join("count");
    let args = repo.home.path().join("args.log");
    repo.write(
        "fail.xml",
        junit(&[("test_steady", true), ("test_wobbly", false)]),
    );
    repo.write(
        "pass.xml",
        junit(&[("test_steady", true), ("test_wobbly", true)]),
    );
    repo.write("retry_pass.xml", junit(&[("test_wobbly", true)]));
    repo.config(&format!(
        r#"[stages.fast]
gate = {gate}
[[stages.fast.groups]]
name = "unit"
run = "sh -c 'n=$(cat {counter} 2>/dev/null || echo 0); echo $((n+1)) > {counter}; j=$0; echo \"$*\" >> {args}; if [ $((n % 2)) -eq 0 ]; then cp fail.xml $j; elif [ $# -gt 0 ]; then cp retry_pass.xml $j; else cp pass.xml $j; fi' {{junit}} {{failed}}"
{group_keys}
"#,
        counter = counter.display(),
        args = args.display(),
    ));
    repo.commit("initial");
    repo
}

fn attempts(repo: &TestRepo) -> usize {
    std::fs::read_to_string(repo.home.path().join("count"))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

fn report(repo: &TestRepo) -> serde_json::Value {
    serde_json::from_slice(&repo.read("r.json")).unwrap()
}

#[test]
fn a_test_alternating_across_runs_is_listed_by_history_flaky() {
    let repo = alternating("", "{ fail_when = \"any\" }");
    for expected in [1, 0, 1, 0] {
        repo.tiergate(&["run", "--no-cache"]).expect_code(expected);
    }
    let flaky = repo.tiergate(&["history", "--flaky"]);
    flaky.expect_code(0);
    let line = flaky
        .stdout
        .lines()
        .find(|l| l.contains("tests/test_a.py::test_wobbly"))
        .unwrap_or_else(|| panic!("not listed:\n{}", flaky.stdout));
    assert!(line.contains("fast.unit"), "{line}");
    assert!(line.contains("50.0 % failed (2 of 4)"), "{line}");
    assert!(line.contains("FPFP"), "{line}");
    assert!(line.contains("same-inputs"), "{line}");
    assert!(!flaky.stdout.contains("test_steady"), "{}", flaky.stdout);

    let trends = repo.tiergate(&["history", "--trends"]);
    let row = trends
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("fast"))
        .unwrap_or_else(|| panic!("{}", trends.stdout));
    assert!(row.contains(" 4 "), "four runs: {row}");
    assert!(row.contains("50%"), "two of four gates passed: {row}");
}

#[test]
fn a_retry_of_the_failed_tests_makes_them_flaky_and_passes() {
    let repo = alternating(
        "retries = 2",
        "{ fail_when = \"rate\", max_failure_rate = 0.0 }",
    );
    let run = repo.tiergate(&["run", "--save-report", "r.json"]);
    run.expect_code(0);
    assert_eq!(attempts(&repo), 2, "one retry was enough");
    let args = std::fs::read_to_string(repo.home.path().join("args.log")).unwrap();
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        ["", "tests/test_a.py::test_wobbly"],
        "the retry names only the failed test"
    );
    let r = report(&repo);
    let stage = &r["stages"][0];
    assert_eq!(stage["flaky_tests"], 1);
    assert_eq!(stage["passed_tests"], 2);
    let tests = stage["groups"][0]["tests"].as_array().unwrap();
    let wobbly = tests.iter().find(|t| t["name"] == "test_wobbly").unwrap();
    assert_eq!(wobbly["status"], "flaky");
    assert_eq!(stage["groups"][0]["status"], "passed");

    let flaky = repo.tiergate(&["history", "--flaky"]);
    assert!(flaky.stdout.contains("test_wobbly"), "{}", flaky.stdout);
    assert!(flaky.stdout.contains(" R "), "{}", flaky.stdout);

    // A flaky pass is never stored: the next run really runs.
    repo.tiergate(&["run"]);
    assert!(
        attempts(&repo) > 2,
        "the flaky pass was replayed from the cache"
    );
}

#[test]
fn flaky_result_fail_counts_a_flaky_test_as_failed() {
    let repo = alternating(
        "retries = 1\nflaky_result = \"fail\"",
        "{ fail_when = \"any\" }",
    );
    let run = repo.tiergate(&["run", "--save-report", "r.json"]);
    run.expect_code(1);
    assert_eq!(attempts(&repo), 2);
    assert!(run.stdout.contains("flaky_result"), "{}", run.stdout);
}

#[test]
fn any_gates_default_to_flaky_result_fail() {
    let repo = alternating("retries = 1", "{ fail_when = \"any\" }");
    repo.tiergate(&["run"]).expect_code(1);
    assert_eq!(attempts(&repo), 2);
}

#[test]
fn more_than_twenty_percent_failing_is_not_retried() {
    let repo = TestRepo::new();
    repo.write("r.xml", crate::support::junit_xml(7, 3));
    repo.config(
        "[stages.fast]\ngroups = [{ name = \"unit\", run = \"sh -c 'echo x >> .git/tries; cp r.xml \\\"$0\\\"' {junit}\", retries = 3 }]\n",
    );
    let run = repo.tiergate(&["run"]);
    run.expect_code(1);
    let tries = std::fs::read_to_string(repo.join(".git/tries")).unwrap();
    assert_eq!(tries.lines().count(), 1);
    assert!(
        run.stdout.contains("not retried: 3 of 10"),
        "{}",
        run.stdout
    );
}

/// A stage whose one failing test may be quarantined.
fn quarantined(entry: &str, critical: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("r.xml", junit(&[("test_ok", true), ("test_broken", false)]));
    repo.config(&format!(
        "[stages.fast]\ngate = {{ fail_when = \"any\", critical = [{critical}] }}\ngroups = [{{ name = \"unit\", run = \"cp r.xml {{junit}}\" }}]\n\n{entry}\n"
    ));
    repo
}

#[test]
fn an_unexpired_quarantine_keeps_a_failure_out_of_the_gate() {
    let repo = quarantined(
        "[[quarantine]]\ntest = \"tests/test_a.py::test_broken\"\nreason = \"upstream bug\"\nexpires = \"2999-12-31\"",
        "",
    );
    let run = repo.tiergate(&["run", "--save-report", "r.json"]);
    run.expect_code(0);
    let r = report(&repo);
    let tests = r["stages"][0]["groups"][0]["tests"].as_array().unwrap();
    let broken = tests.iter().find(|t| t["name"] == "test_broken").unwrap();
    assert_eq!(broken["status"], "quarantined");
    assert_eq!(r["stages"][0]["failed_tests"], 0);
}

#[test]
fn an_expired_quarantine_no_longer_applies() {
    let repo = quarantined(
        "[[quarantine]]\ntest = \"test_broken\"\nreason = \"upstream bug\"\nexpires = \"2020-01-31\"",
        "",
    );
    let run = repo.tiergate(&["run"]);
    run.expect_code(1);
    assert!(
        run.stdout.contains("expired on 2020-01-31"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_critical_test_cannot_be_quarantined() {
    let repo = quarantined(
        "[[quarantine]]\ntest = \"tests.test_a.test_broken\"\nexpires = \"2999-12-31\"",
        "\"tests/**\"",
    );
    let run = repo.tiergate(&["run"]);
    run.expect_code(1);
    assert!(
        run.stdout.contains("cannot be quarantined"),
        "{}",
        run.stdout
    );
}

fn budgeted(budget: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.config(&format!(
        "[stages.fast]\nbudget = {budget}\ngroups = [{{ name = \"unit\", run = \"true\" }}]\n"
    ));
    repo
}

#[test]
fn budgets_mark_a_stage_ok_warning_or_regression() {
    for (budget, word) in [
        ("{ warning = \"1h\", max = \"2h\" }", "OK"),
        ("{ warning = \"0s\", max = \"2h\" }", "WARNING"),
        ("{ warning = \"0s\", max = \"0s\" }", "REGRESSION"),
    ] {
        let repo = budgeted(budget);
        let run = repo.tiergate(&["run", "--save-report", "r.json"]);
        run.expect_code(0);
        assert_eq!(
            report(&repo)["stages"][0]["budget_status"],
            word,
            "{budget}"
        );
        if word != "OK" {
            assert!(
                run.stdout.contains(&format!("budget fast {word}")),
                "{}",
                run.stdout
            );
        }
    }
}

#[test]
fn every_run_is_recorded_and_a_cut_line_is_skipped() {
    let repo = budgeted("{ max = \"1h\" }");
    repo.tiergate(&["run"]).expect_code(0);
    let path = repo.join(".git/tiergate/history.jsonl");
    let mut text = std::fs::read(&path).unwrap();
    text.extend_from_slice(b"{\"version\":1,\"command\":\"cut sh");
    std::fs::write(&path, text).unwrap();
    repo.tiergate(&["run", "fast"]).expect_code(0);

    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(lines.len(), 2);
    let last = &lines[1];
    assert_eq!(last["command"], "run fast");
    assert_eq!(last["outcome"], "passed");
    assert_eq!(
        last["stages"][0]["groups"][0]["tests"][0]["status"],
        "passed"
    );
    assert!(last["stages"][0]["groups"][0]["key"].is_string());

    let history = repo.tiergate(&["history"]);
    history.expect_code(0);
    assert!(history.stdout.contains("last 2 of 2"), "{}", history.stdout);
}

#[test]
fn a_stage_much_slower_than_its_median_is_flagged() {
    let repo = TestRepo::new();
    repo.config("[stages.fast]\ngroups = [{ name = \"unit\", run = \"sleep 0.6\" }]\n");
    // Three earlier full runs of 10 ms each: the baseline.
    let earlier = r#"{"version":1,"command":"run","outcome":"passed","stages":[{"name":"fast","status":"passed","gate":"passed","duration":0.01,"groups":[{"name":"unit","status":"passed","cached":false,"duration":0.01,"tests":[]}]}]}"#;
    repo.write(
        ".git/tiergate/history.jsonl",
        format!("{earlier}\n{earlier}\n{earlier}\n"),
    );
    let run = repo.tiergate(&["run", "--save-report", "r.json"]);
    run.expect_code(0);
    assert_eq!(report(&repo)["stages"][0]["budget_status"], "WARNING");
    assert!(
        run.stdout.contains("1.5x the median of its last 3 runs"),
        "{}",
        run.stdout
    );
}
