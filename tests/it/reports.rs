//! `--save-report` and `--junit`: the fields of SPEC 10, and counts that
//! equal the JUnit inputs.

use crate::support::{junit_xml, TestRepo};

#[test]
fn the_json_report_has_the_spec_fields_and_the_junit_counts() {
    let repo = TestRepo::new();
    repo.write("a.xml", junit_xml(12, 2));
    repo.write(
        "b.xml",
        junit_xml(6, 0).replace(
            "<testcase classname=\"tests.unit.test_a\" name=\"test_pass_0\" time=\"0.01\"/>",
            "<testcase classname=\"tests.unit.test_a\" name=\"test_skip\"><skipped/></testcase>",
        ),
    );
    repo.config("[stages.fast]\ngroups = [\n  { name = \"unit\", run = \"cp a.xml {junit}\" },\n  { name = \"api\", run = \"cp b.xml {junit}\" },\n]\n");
    repo.tiergate(&[
        "run",
        "fast",
        "--save-report",
        "report.json",
        "--junit",
        "merged.xml",
    ])
    .expect_code(1);
    let report: serde_json::Value = serde_json::from_slice(&repo.read("report.json")).unwrap();
    for key in [
        "tiergate_version",
        "command",
        "started_at",
        "duration_seconds",
        "selection",
        "stages",
        "summary",
        "verdict",
    ] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    assert_eq!(report["command"], "run fast");
    for key in ["changed", "markers", "all", "why"] {
        assert!(report["selection"].get(key).is_some(), "selection.{key}");
    }
    let stage = &report["stages"][0];
    for key in [
        "stage",
        "status",
        "execution_time",
        "total_tests",
        "passed_tests",
        "failed_tests",
        "skipped_tests",
        "flaky_tests",
        "success_rate",
        "should_block",
        "gate",
        "budget_status",
        "groups",
    ] {
        assert!(stage.get(key).is_some(), "stage.{key}");
    }
    assert_eq!(stage["total_tests"], 20);
    assert_eq!(stage["passed_tests"], 17);
    assert_eq!(stage["failed_tests"], 2);
    assert_eq!(stage["skipped_tests"], 1);
    let group = &stage["groups"][0];
    for key in [
        "name",
        "status",
        "exit_code",
        "duration",
        "cached",
        "reason",
        "tests",
    ] {
        assert!(group.get(key).is_some(), "group.{key}");
    }
    let test = &group["tests"][0];
    for key in ["name", "classname", "status", "duration", "file"] {
        assert!(test.get(key).is_some(), "test.{key}");
    }
    assert_eq!(report["summary"]["total_tests"], 20);
    assert_eq!(report["summary"]["failed_tests"], 2);
    assert_eq!(report["summary"]["blocking_failures"], true);
    let rate = report["summary"]["overall_success_rate"].as_f64().unwrap();
    assert!((rate - 17.0 / 19.0).abs() < 0.001, "{rate}");

    // The merged JUnit is well-formed and carries the same tests.
    let xml = String::from_utf8(repo.read("merged.xml")).unwrap();
    assert!(xml.starts_with("<?xml"));
    assert_eq!(xml.matches("<testcase").count(), 20);
    assert_eq!(xml.matches("<failure").count(), 2);
    let check = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])",
        ])
        .arg(repo.join("merged.xml"))
        .status()
        .unwrap();
    assert!(check.success(), "merged JUnit is not well-formed XML");
}

#[test]
fn success_rate_is_null_when_no_test_counted() {
    let repo = TestRepo::new();
    repo.config("[stages.smoke]\ngroups = [{ name = \"a\", run = \"true\" }]\n[stages.fast]\ngroups = [{ name = \"b\", run = \"true\" }]\n");
    let run = Run::from(
        repo.tiergate_cmd(&["run", "--save-report", "r.json"])
            .env("TIERGATE_SKIP", "fast")
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0);
    let report: serde_json::Value = serde_json::from_slice(&repo.read("r.json")).unwrap();
    assert_eq!(report["stages"][1]["success_rate"], serde_json::Value::Null);
    assert_eq!(report["stages"][0]["success_rate"], 1.0);
}

use crate::support::Run;

/// The committed JSON Schema is what `config --schema` prints (STYLE 4).
#[test]
fn the_committed_schema_is_current() {
    let repo = TestRepo::new();
    let run = repo.tiergate(&["config", "--schema"]);
    run.expect_code(0);
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/tiergate.schema.json"
    ))
    .unwrap();
    assert!(
        run.stdout == committed,
        "schema/tiergate.schema.json is stale: run `cargo run -- config --schema > schema/tiergate.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_str(&committed).unwrap();
    for key in [
        "settings",
        "env",
        "select",
        "formatters",
        "services",
        "stages",
        "hooks",
        "hints",
        "quarantine",
        "verdict",
        "notify",
    ] {
        assert!(
            schema["properties"].get(key).is_some(),
            "schema lacks `{key}`"
        );
    }
}

#[test]
fn a_crashed_group_appears_in_the_merged_junit_as_an_error() {
    let repo = TestRepo::new();
    repo.config(
        "[stages.fast]\ngroups = [{ name = \"slow\", timeout = \"1s\", run = \"sleep 30\" }]\n",
    );
    repo.tiergate(&["run", "--junit", "j.xml"]).expect_code(1);
    let xml = String::from_utf8(repo.read("j.xml")).unwrap();
    assert!(xml.contains("<error"), "{xml}");
    assert!(xml.contains("timed out"), "{xml}");
}
