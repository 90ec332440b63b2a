//! Gates between stages (SPEC 9), with real child processes writing JUnit.

use crate::support::{junit_xml, TestRepo};

/// A repo whose `fast` stage reports `passed`/`failed` tests through JUnit.
fn fast_stage(passed: usize, failed: usize, gate: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("report.xml", junit_xml(passed, failed));
    repo.config(&format!(
        "[stages.fast]\ngate = {gate}\ngroups = [{{ name = \"unit\", run = \"cp report.xml {{junit}}\" }}]\n\n[stages.later]\ngroups = [{{ name = \"after\", run = \"touch LATER\" }}]\n"
    ));
    repo
}

#[test]
fn one_failure_in_twenty_passes_a_ten_percent_rate_gate() {
    let repo = fast_stage(
        19,
        1,
        "{ fail_when = \"rate\", max_failure_rate = 0.10, on_fail = \"block\" }",
    );
    let run = repo.tiergate(&["run", "--save-report", "r.json"]);
    run.expect_code(0);
    let report: serde_json::Value = serde_json::from_slice(&repo.read("r.json")).unwrap();
    assert_eq!(report["stages"][0]["gate"], "passed");
    assert_eq!(report["stages"][0]["failed_tests"], 1);
    assert!(repo.join("LATER").exists());
}

#[test]
fn three_failures_in_twenty_block_and_stop_later_stages() {
    let repo = fast_stage(
        17,
        3,
        "{ fail_when = \"rate\", max_failure_rate = 0.10, on_fail = \"block\" }",
    );
    let run = repo.tiergate(&["run", "--save-report", "r.json"]);
    run.expect_code(1);
    assert!(
        !repo.join("LATER").exists(),
        "a later stage ran after a blocking failure"
    );
    let report: serde_json::Value = serde_json::from_slice(&repo.read("r.json")).unwrap();
    assert_eq!(report["stages"][0]["status"], "failed");
    assert_eq!(report["stages"][0]["should_block"], true);
    assert_eq!(report["stages"][1]["status"], "skipped");
    assert!(run.stdout.contains("exceeds 10.0 %"), "{}", run.stdout);
}

#[test]
fn exactly_at_the_rate_passes_because_exceeding_is_strict() {
    let repo = fast_stage(9, 1, "{ fail_when = \"rate\", max_failure_rate = 0.10 }");
    repo.tiergate(&["run"]).expect_code(0);
}

#[test]
fn any_gate_blocks_on_one_failure() {
    let repo = fast_stage(99, 1, "{ fail_when = \"any\", on_fail = \"block\" }");
    repo.tiergate(&["run"]).expect_code(1);
    assert!(!repo.join("LATER").exists());
}

#[test]
fn warn_continues_to_later_stages_and_exits_zero() {
    let repo = fast_stage(1, 5, "{ fail_when = \"any\", on_fail = \"warn\" }");
    let run = repo.tiergate(&["run", "--save-report", "r.json"]);
    run.expect_code(0);
    assert!(repo.join("LATER").exists());
    let report: serde_json::Value = serde_json::from_slice(&repo.read("r.json")).unwrap();
    assert_eq!(report["stages"][0]["status"], "warned");
    assert_eq!(report["stages"][0]["gate"], "warned");
}

#[test]
fn inform_never_fails() {
    let repo = fast_stage(0, 7, "{ on_fail = \"inform\" }");
    let run = repo.tiergate(&["run", "--save-report", "r.json"]);
    run.expect_code(0);
    let report: serde_json::Value = serde_json::from_slice(&repo.read("r.json")).unwrap();
    assert_eq!(report["stages"][0]["gate"], "informed");
    assert_eq!(report["stages"][0]["should_block"], false);
}

#[test]
fn exit_on_failure_makes_a_warning_block() {
    let repo = fast_stage(1, 5, "{ fail_when = \"any\", on_fail = \"warn\" }");
    repo.tiergate(&["run", "--exit-on-failure"]).expect_code(1);
    assert!(!repo.join("LATER").exists());
}

#[test]
fn default_gates_follow_stage_names() {
    // smoke: any/block; fast: 10 % rate; performance: inform.
    let repo = TestRepo::new();
    repo.write("r19-1.xml", junit_xml(19, 1));
    repo.config(
        "[stages.smoke]\ngroups = [{ name = \"ok\", run = \"true\" }]\n\
         [stages.fast]\ngroups = [{ name = \"unit\", run = \"cp r19-1.xml {junit}\" }]\n\
         [stages.performance]\ngroups = [{ name = \"bench\", run = \"false\" }]\n",
    );
    let run = repo.tiergate(&["run", "--save-report", "r.json"]);
    run.expect_code(0);
    let report: serde_json::Value = serde_json::from_slice(&repo.read("r.json")).unwrap();
    assert_eq!(report["stages"][1]["gate"], "passed");
    assert_eq!(report["stages"][2]["gate"], "informed");

    let repo = TestRepo::new();
    repo.config("[stages.smoke]\ngroups = [{ name = \"broken\", run = \"false\" }]\n[stages.fast]\ngroups = [{ name = \"unit\", run = \"touch LATER\" }]\n");
    repo.tiergate(&["run"]).expect_code(1);
    assert!(!repo.join("LATER").exists(), "smoke must block everything");
}

#[test]
fn a_critical_failure_blocks_a_lenient_rate_gate() {
    let repo = fast_stage(
        99,
        1,
        "{ fail_when = \"rate\", max_failure_rate = 0.5, critical = [\"tests/unit/**\"] }",
    );
    let run = repo.tiergate(&["run"]);
    run.expect_code(1);
    assert!(
        run.stdout
            .contains("critical test failed: tests.unit.test_a::test_fail_0"),
        "{}",
        run.stdout
    );
}

#[test]
fn ok_exit_codes_accept_listed_codes() {
    let repo = TestRepo::new();
    repo.config("[stages.smoke]\ngroups = [{ name = \"five\", run = \"sh -c 'exit 5'\", ok_exit_codes = [0, 5] }]\n");
    repo.tiergate(&["run"]).expect_code(0);
}

#[test]
fn a_group_that_writes_no_junit_fails_a_rate_gate() {
    let repo = TestRepo::new();
    repo.config("[stages.fast]\ngroups = [{ name = \"unit\", run = \"true {junit}\" }]\n");
    let run = repo.tiergate(&["run"]);
    run.expect_code(1);
    assert!(run.stdout.contains("asked for JUnit"), "{}", run.stdout);
}

#[test]
fn no_tests_warns_by_default_and_fails_when_asked() {
    let repo = TestRepo::new();
    repo.write("empty.xml", junit_xml(0, 0));
    repo.config("[stages.smoke]\ngroups = [{ name = \"u\", run = \"cp empty.xml {junit}\" }]\n");
    let run = repo.tiergate(&["run"]);
    run.expect_code(0);
    assert!(run.stdout.contains("collected no tests"), "{}", run.stdout);
    repo.config("[stages.smoke]\ngroups = [{ name = \"u\", run = \"cp empty.xml {junit}\", no_tests = \"fail\" }]\n");
    repo.tiergate(&["run"]).expect_code(1);
}
