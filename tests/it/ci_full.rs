//! `tiergate ci-full`: every stage with CI=true, the gates, and the verdict
//! of SPEC 9 with its score checked against the formula by hand.

use crate::support::{junit_xml, TestRepo};

/// A project whose numbers are easy to check by hand: 37 tests, 1 failure,
/// coverage 72 %, a security group that passes.
pub fn constructed_project() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("unit.xml", junit_xml(19, 1));
    repo.write(
        "api.xml",
        junit_xml(10, 0).replace("tests.unit.test_a", "tests.api.test_b"),
    );
    repo.write(
        "sec.xml",
        junit_xml(5, 0).replace("tests.unit.test_a", "tests.security.test_c"),
    );
    repo.write(
        "cov.xml",
        "<?xml version=\"1.0\" ?>\n<coverage lines-valid=\"100\" lines-covered=\"72\" line-rate=\"0.72\"/>\n",
    );
    repo.config(
        r#"
[env]
ENVIRONMENT = "test"

[stages.smoke]
groups = [{ name = "ci-env", run = "sh -c 'test \"$CI\" = true && test \"$ENVIRONMENT\" = test'" }]

[stages.fast]
gate = { fail_when = "rate", max_failure_rate = 0.10, on_fail = "block" }
groups = [
  { name = "unit", run = "cp unit.xml {junit}" },
  { name = "api", run = "sh -c 'cp api.xml \"$0\" && cp cov.xml \"$1\"' {junit} {coverage}", coverage = "coverage.xml" },
]

[stages.comprehensive]
gate = { fail_when = "rate", max_failure_rate = 0.05, on_fail = "block", critical = ["tests/security/**"] }
groups = [{ name = "security", run = "cp sec.xml {junit}" }]

[stages.performance]
gate = { on_fail = "inform" }
groups = [{ name = "load", run = "true" }]
"#,
    );
    repo.commit("project");
    repo
}

#[test]
fn ci_full_prints_the_score_of_the_formula_and_deploys() {
    let repo = constructed_project();
    let run = repo.tiergate(&["ci-full", "--save-report", "ci.json", "--junit", "ci.xml"]);
    run.expect_code(0);
    let junit = String::from_utf8(repo.read("ci.xml")).unwrap();
    assert_eq!(junit.matches("<testcase").count(), 37);
    // By hand: 36 of 37 passed = 97.297 points; coverage 72 % is 8 points
    // under 80 %: -4; the security group passed: +5; no flaky test, no
    // critical failure, no performance budget. 97.297 - 4 + 5 = 98.3 → deploy.
    assert!(
        run.stdout.contains("readiness score                 98.3"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("decision: deploy, deployment ready"));
    for term in [
        "success rate                   +97.3",
        "coverage                        -4.0",
        "security group passed           +5.0",
        "performance within budget       +0.0",
    ] {
        assert!(run.stdout.contains(term), "missing {term}:\n{}", run.stdout);
    }
    let verdict_block = &run.stdout[run.stdout.find("verdict:").unwrap()..];
    insta::assert_snapshot!("ci_full_verdict", verdict_block);
    let report: serde_json::Value = serde_json::from_slice(&repo.read("ci.json")).unwrap();
    assert_eq!(report["command"], "ci-full");
    let verdict = &report["verdict"];
    assert_eq!(verdict["deployment_ready"], true);
    assert_eq!(verdict["readiness_score"], 98.3);
    assert_eq!(verdict["decision"], "deploy");
    assert!(verdict["reasons"].is_array());
    assert_eq!(report["summary"]["coverage"], 0.72);
    assert_eq!(report["stages"][1]["groups"][1]["coverage"], 0.72);
    assert_eq!(
        report["stages"][1]["groups"][0]["coverage"],
        serde_json::Value::Null
    );
}

#[test]
fn a_critical_failure_blocks_deployment_with_exit_1() {
    let repo = constructed_project();
    repo.write(
        "sec.xml",
        junit_xml(4, 1).replace("tests.unit.test_a", "tests.security.test_c"),
    );
    let run = repo.tiergate(&["ci-full", "--save-report", "ci.json"]);
    run.expect_code(1);
    let report: serde_json::Value = serde_json::from_slice(&repo.read("ci.json")).unwrap();
    let verdict = &report["verdict"];
    assert_eq!(verdict["deployment_ready"], false);
    assert_eq!(verdict["decision"], "block");
    // performance never ran, so 34 of 36 passed = 94.444; -20 for the
    // critical failure; -4 for coverage; the security group failed: no
    // bonus. 94.444 - 20 - 4 = 70.4.
    assert_eq!(verdict["readiness_score"], 70.4);
    assert_eq!(report["stages"][2]["status"], "failed");
    assert_eq!(
        report["stages"][3]["status"], "skipped",
        "performance ran after comprehensive blocked"
    );
    assert!(run
        .stdout
        .contains("critical test failed: tests.security.test_c::test_fail_0"));
}

#[test]
fn a_failed_smoke_stage_stops_everything() {
    let repo = constructed_project();
    repo.config(
        &String::from_utf8(repo.read(".tiergate.toml"))
            .unwrap()
            .replace("test \\\"$CI\\\" = true", "test \\\"$CI\\\" = false"),
    );
    let run = repo.tiergate(&["ci-full", "--save-report", "ci.json"]);
    run.expect_code(1);
    let report: serde_json::Value = serde_json::from_slice(&repo.read("ci.json")).unwrap();
    for stage in 1..4 {
        assert_eq!(report["stages"][stage]["status"], "skipped");
    }
    assert_eq!(report["verdict"]["deployment_ready"], false);
    assert!(
        run.stdout.contains("not deployment ready"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_success_rate_under_the_minimum_is_not_deployment_ready() {
    let repo = constructed_project();
    let config = String::from_utf8(repo.read(".tiergate.toml")).unwrap();
    repo.config(&format!("{config}\n[verdict]\nmin_success_rate = 0.99\n"));
    let run = repo.tiergate(&["ci-full"]);
    run.expect_code(1);
    assert!(
        run.stdout
            .contains("success rate 97.3 % is below the minimum 99.0 %"),
        "{}",
        run.stdout
    );
}

#[test]
fn changed_since_runs_only_what_changed() {
    let repo = constructed_project();
    let run = repo.tiergate(&["ci-full", "--changed-since", "HEAD"]);
    run.expect_code(0);
    assert!(run.stdout.contains("nothing changed"), "{}", run.stdout);
    repo.write("notes.txt", "a change");
    let run = repo.tiergate(&[
        "ci-full",
        "--changed-since",
        "HEAD",
        "--save-report",
        "ci.json",
    ]);
    run.expect_code(0);
    let report: serde_json::Value = serde_json::from_slice(&repo.read("ci.json")).unwrap();
    assert_eq!(
        report["selection"]["changed"],
        serde_json::json!(["notes.txt"])
    );
    assert!(report["verdict"].is_object());
}
