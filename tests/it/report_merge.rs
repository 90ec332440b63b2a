//! `tiergate report`: rendering saved reports, and `--merge` of the
//! per-group reports of a distributed run.

use crate::support::{junit_xml, Run, TestRepo};

fn project() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("unit.xml", junit_xml(19, 1));
    repo.write(
        "api.xml",
        junit_xml(8, 0).replace("tests.unit.test_a", "tests.api.test_b"),
    );
    repo.write(
        "sec.xml",
        junit_xml(5, 0).replace("tests.unit.test_a", "tests.security.test_c"),
    );
    repo.config(
        r#"
[stages.fast]
gate = { fail_when = "rate", max_failure_rate = 0.10, on_fail = "block" }
groups = [
  { name = "unit", run = "cp unit.xml {junit}" },
  { name = "api", run = "cp api.xml {junit}" },
]

[stages.comprehensive]
groups = [{ name = "security", run = "cp sec.xml {junit}", markers = ["security"] }]
"#,
    );
    repo.commit("project");
    repo
}

fn json(repo: &TestRepo, file: &str) -> serde_json::Value {
    serde_json::from_slice(&repo.read(file)).unwrap()
}

#[test]
fn merging_three_group_reports_equals_the_single_run() {
    let repo = project();
    repo.tiergate(&["run", "--save-report", "single.json"])
        .expect_code(0);
    for (stage, group) in [
        ("fast", "unit"),
        ("fast", "api"),
        ("comprehensive", "security"),
    ] {
        repo.tiergate(&[
            "run",
            "--stage",
            stage,
            "--group",
            group,
            "--save-report",
            &format!("{group}.json"),
        ])
        .expect_code(0);
    }
    // Given in an order unlike the pipeline's: the merge puts stages in order.
    repo.tiergate(&[
        "report",
        "--merge",
        "merged.json",
        "security.json",
        "api.json",
        "unit.json",
    ])
    .expect_code(0);
    let single = json(&repo, "single.json");
    let merged = json(&repo, "merged.json");
    for key in [
        "total_tests",
        "passed_tests",
        "failed_tests",
        "skipped_tests",
        "overall_success_rate",
        "blocking_failures",
    ] {
        assert_eq!(
            merged["summary"][key], single["summary"][key],
            "summary.{key}"
        );
    }
    assert_eq!(merged["summary"]["total_tests"], 33);
    let stages = |r: &serde_json::Value| -> Vec<serde_json::Value> {
        r["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                serde_json::json!([
                    s["stage"],
                    s["status"],
                    s["gate"],
                    s["total_tests"],
                    s["passed_tests"],
                    s["failed_tests"],
                    s["success_rate"],
                    s["groups"].as_array().unwrap().len(),
                ])
            })
            .collect()
    };
    assert_eq!(stages(&merged), stages(&single));
    // The verdict is recomputed: 32 of 33, and the security group passed.
    assert_eq!(merged["verdict"]["deployment_ready"], true);
    assert_eq!(merged["verdict"]["readiness_score"], 100.0);
    assert_eq!(merged["verdict"]["security_passed"], true);
}

#[test]
fn a_merge_reapplies_a_rate_gate_to_the_whole_stage() {
    // unit alone fails 1 in 20 (5 %) and api 1 in 9 (11 %, over 10 %), but
    // the stage as a whole fails 2 in 29: under 10 %, so the merge passes it.
    let repo = project();
    repo.write(
        "api.xml",
        junit_xml(8, 1).replace("tests.unit.test_a", "tests.api.test_b"),
    );
    repo.tiergate(&["run", "fast.unit", "--save-report", "unit.json"])
        .expect_code(0);
    repo.tiergate(&["run", "fast.api", "--save-report", "api.json"])
        .expect_code(1);
    repo.tiergate(&["report", "--merge", "merged.json", "unit.json", "api.json"])
        .expect_code(0);
    let merged = json(&repo, "merged.json");
    assert_eq!(merged["stages"][0]["gate"], "passed");
    assert_eq!(merged["stages"][0]["failed_tests"], 2);
}

#[test]
fn a_merge_that_is_not_deployment_ready_exits_1() {
    let repo = project();
    repo.write("unit.xml", junit_xml(10, 10));
    repo.tiergate(&["run", "fast.unit", "--save-report", "unit.json"])
        .expect_code(1);
    let run = repo.tiergate(&["report", "--merge", "merged.json", "unit.json"]);
    run.expect_code(1);
    assert!(run.stdout.contains("stage fast blocked"), "{}", run.stdout);
}

#[test]
fn report_renders_text_markdown_json_and_junit() {
    let repo = project();
    repo.tiergate(&["run", "--save-report", "r.json"])
        .expect_code(0);

    let text = repo.tiergate(&["report", "r.json"]);
    text.expect_code(0);
    assert!(
        text.stdout.contains("tiergate report: run"),
        "{}",
        text.stdout
    );
    assert!(text
        .stdout
        .contains("✗ fast.unit: tests.unit.test_a::test_fail_0: assert 1 == 2"));

    let md = repo.tiergate(&["report", "--format", "markdown", "r.json"]);
    md.expect_code(0);
    assert!(md.stdout.starts_with("## "), "{}", md.stdout);
    assert!(md
        .stdout
        .contains("| fast | passed | 27 | 1 | 0 | 96.4 % | passed |"));

    let js = repo.tiergate(&["report", "--format", "json", "r.json"]);
    let back: serde_json::Value = serde_json::from_str(&js.stdout).unwrap();
    assert_eq!(back["summary"]["total_tests"], 33);

    let junit = repo.tiergate(&["report", "--format", "junit", "r.json"]);
    junit.expect_code(0);
    assert_eq!(junit.stdout.matches("<testcase").count(), 33);
    assert_eq!(junit.stdout.matches("<failure").count(), 1);
    repo.write("r.xml", &junit.stdout);
    let check = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])",
        ])
        .arg(repo.join("r.xml"))
        .status()
        .unwrap();
    assert!(
        check.success(),
        "the JUnit rendering is not well-formed XML"
    );
}

#[test]
fn a_file_that_is_not_a_report_is_an_error() {
    let repo = project();
    repo.write("bad.json", "{\"hello\": 1}");
    let run: Run = repo.tiergate(&["report", "bad.json"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("bad.json is not a tiergate JSON report"),
        "{}",
        run.stderr
    );
    repo.tiergate(&["report", "missing.json"]).expect_code(2);
}
