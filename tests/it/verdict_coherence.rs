//! The `ci-full` verdict agrees with itself: a run that is not deployment
//! ready is never told to deploy, a critical failure blocks in any stage, and
//! a test fixed by a change is not flaky (one definition, one history reader).

use crate::support::{junit_xml, TestRepo};

fn verdict(repo: &TestRepo) -> serde_json::Value {
    let report: serde_json::Value = serde_json::from_slice(&repo.read("ci.json")).unwrap();
    report["verdict"].clone()
}

#[test]
fn ci_full_never_says_deploy_while_a_stage_is_blocked() {
    let repo = TestRepo::new();
    // 99 of 100 pass: a score of 99, but the zero-tolerance gate blocks.
    repo.write("unit.xml", junit_xml(99, 1));
    repo.config(
        r#"
[stages.fast]
gate = { fail_when = "rate", max_failure_rate = 0.0, on_fail = "block" }
groups = [{ name = "unit", run = "cp unit.xml {junit}" }]
"#,
    );
    repo.commit("project");
    let run = repo.tiergate(&["ci-full", "--save-report", "ci.json"]);
    run.expect_code(1);
    let v = verdict(&repo);
    assert_eq!(v["deployment_ready"], false);
    assert_eq!(v["readiness_score"], 99.0);
    assert_eq!(v["decision"], "manual_review", "{}", run.stdout);
    assert!(
        run.stdout.contains("not deployment ready"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_critical_failure_in_a_stage_that_only_warns_is_block_and_exit_1() {
    let repo = TestRepo::new();
    repo.write("unit.xml", junit_xml(199, 1));
    repo.config(
        r#"
[stages.fast]
gate = { fail_when = "rate", max_failure_rate = 0.10, on_fail = "warn", critical = ["tests/unit/**"] }
groups = [{ name = "unit", run = "cp unit.xml {junit}" }]
"#,
    );
    repo.commit("project");
    let run = repo.tiergate(&["ci-full", "--save-report", "ci.json"]);
    run.expect_code(1);
    let v = verdict(&repo);
    assert_eq!(v["deployment_ready"], false, "{}", run.stdout);
    assert_eq!(v["decision"], "block");
}

/// One test, `test_login`, failing or passing.
fn login_junit(passing: bool) -> String {
    let failure = if passing {
        ""
    } else {
        "<failure message=\"assert False\">trace</failure>"
    };
    format!(
        "<?xml version=\"1.0\"?>\n<testsuites><testsuite name=\"s\"><testcase classname=\"tests.test_auth\" name=\"test_login\" file=\"tests/test_auth.py\">{failure}</testcase>{}</testsuite></testsuites>\n",
        (0..9).fold(String::new(), |mut all, i| {
            all.push_str(&format!("<testcase classname=\"tests.test_auth\" name=\"test_ok_{i}\" file=\"tests/test_auth.py\"/>"));
            all
        })
    )
}

#[test]
fn a_test_that_failed_before_a_fix_and_passes_now_is_not_flaky_in_the_verdict() {
    let repo = TestRepo::new();
    repo.write("unit.xml", login_junit(false));
    repo.config(
        r#"
[stages.fast]
gate = { fail_when = "any", on_fail = "block" }
groups = [{ name = "unit", run = "cp unit.xml {junit}" }]
"#,
    );
    repo.commit("broken");
    repo.tiergate(&["ci-full"]).expect_code(1);

    repo.write("unit.xml", login_junit(true));
    repo.commit("the fix");
    let run = repo.tiergate(&["ci-full", "--save-report", "ci.json"]);
    run.expect_code(0);
    let v = verdict(&repo);
    assert_eq!(v["flaky_tests"], 0, "{}", run.stdout);
    assert_eq!(v["readiness_score"], 100.0);
    assert_eq!(v["decision"], "deploy");

    let history = repo.tiergate(&["history", "--flaky"]);
    history.expect_code(0);
    assert!(
        history.stdout.starts_with("no flaky tests"),
        "{}",
        history.stdout
    );
    assert!(
        history
            .stdout
            .contains("not flaky: 1 test passed and failed only on different inputs"),
        "{}",
        history.stdout
    );
}

#[test]
fn a_test_that_passes_and_fails_on_the_same_inputs_costs_readiness_points() {
    let repo = TestRepo::new();
    repo.write("unit.xml", login_junit(false));
    repo.write("ok.xml", login_junit(true));
    // The same inputs every run; the outcome alternates (a counter outside the repository).
    let counter = repo.home.path().join("n");
    repo.config(&format!(
        r#"
[stages.fast]
gate = {{ fail_when = "any", on_fail = "block" }}
groups = [{{ name = "unit", run = "sh -c 'n=$(cat {c} 2>/dev/null || echo 0); echo $((n+1)) > {c}; if [ $((n % 2)) = 0 ]; then cp unit.xml \"$0\"; else cp ok.xml \"$0\"; fi' {{junit}}" }}]
"#,
        c = counter.display()
    ));
    repo.commit("project");
    repo.tiergate(&["ci-full"]).expect_code(1);
    let run = repo.tiergate(&["ci-full", "--save-report", "ci.json"]);
    run.expect_code(0);
    let v = verdict(&repo);
    assert_eq!(v["flaky_tests"], 1, "{}", run.stdout);
    assert_eq!(v["readiness_score"], 98.0);
    let history = repo.tiergate(&["history", "--flaky"]);
    assert!(
        history.stdout.contains("tests/test_auth.py::test_login"),
        "{}",
        history.stdout
    );
}
