//! The HTML report (`report --format html`, `run`/`ci-full --html`,
//! `history --html`), opened in a real headless Chromium at 1280 and 390 px:
//! what a reader sees, that nothing overflows sideways, and that a command's
//! output shows as text, never as markup.

use crate::browser::look_at;
use crate::support::TestRepo;

/// JUnit with named files, so test ids are `<file>::<name>`.
fn junit(cases: &[(&str, bool)]) -> String {
    let mut xml = String::from("<testsuites><testsuite name=\"s\">");
    for (name, passed) in cases {
        xml.push_str(&format!(
            "<testcase classname=\"tests.test_a\" name=\"{name}\" file=\"tests/test_a.py\" time=\"0.01\">"
        ));
        if !passed {
            xml.push_str("<failure message=\"assert &lt;b&gt;1&lt;/b&gt; == 2\">trace</failure>");
        }
        xml.push_str("</testcase>");
    }
    xml.push_str("</testsuite></testsuites>");
    xml
}

/// A repository whose `fast.unit` group fails one test and prints coloured
/// output carrying markup, after a passing smoke stage.
fn failing_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("ok.xml", junit(&[("test_ok", true)]));
    repo.write(
        "unit.xml",
        junit(&[("test_a", true), ("test_b", true), ("test_login", false)]),
    );
    repo.write(
        "fail.sh",
        "cp unit.xml \"$1\"\nfor i in $(seq 1 40); do echo \"collecting line $i\"; done\nprintf '\\033[31mFAILED tests/test_a.py::test_login</pre><script>alert(1)</script> & more\\033[0m\\n'\nexit 1\n",
    );
    repo.config(
        r#"[stages.smoke]
groups = [{ name = "imports", run = "cp ok.xml {junit}" }]

[stages.fast]
gate = { fail_when = "rate", max_failure_rate = 0.2, on_fail = "block" }
groups = [
  { name = "unit", run = "sh fail.sh {junit}" },
  { name = "api", run = "cp ok.xml {junit}" },
]
"#,
    );
    repo.commit("initial");
    repo
}

#[test]
fn the_ci_full_page_shows_the_verdict_failures_and_their_output_tail() {
    let repo = failing_repo();
    repo.tiergate(&["ci-full", "--save-report", "ci.json", "--html", "ci.html"]);
    let report: serde_json::Value = serde_json::from_slice(&repo.read("ci.json")).unwrap();
    let unit = &report["stages"][1]["groups"][0];
    assert_eq!(unit["name"], "unit");
    let tail = unit["output_tail"]
        .as_str()
        .expect("the failed group's tail");
    assert_eq!(tail.lines().count(), 30, "the terminal's 30 lines:\n{tail}");
    assert!(
        tail.ends_with("FAILED tests/test_a.py::test_login</pre><script>alert(1)</script> & more"),
        "{tail}"
    );
    assert!(!tail.contains('\x1b'), "escape sequences are taken out");
    assert!(
        report["stages"][1]["groups"][1]
            .get("output_tail")
            .is_none(),
        "a passing group keeps no tail"
    );

    let page = String::from_utf8(repo.read("ci.html")).unwrap();
    // Escaped: the browser shows it as text (checked below), never as markup.
    assert!(page.contains("alert(1)"), "the tail is in the page");
    assert!(!page.contains("</pre><script"), "the output is escaped");
    assert!(!page.contains("<script"), "no script in the page");
    for external in ["http://", "https://", "<link", " src="] {
        assert!(
            !page.contains(external),
            "the page fetches nothing: {external}"
        );
    }
    let decision = report["verdict"]["decision"].as_str().unwrap().to_owned();
    let score = format!(
        "{:.1}",
        report["verdict"]["readiness_score"].as_f64().unwrap()
    );
    for shown in look_at(&repo.join("ci.html"), "ci-full") {
        assert_eq!(shown.outcome.as_deref(), Some("not deployment ready"));
        assert_eq!(shown.decision.as_deref(), Some(decision.as_str()));
        assert_eq!(shown.score.as_deref(), Some(score.as_str()));
        for seen in [
            "fast.unit",
            "tests/test_a.py::test_login",
            "assert <b>1</b> == 2",
            "FAILED tests/test_a.py::test_login</pre><script>alert(1)</script> & more",
            "readiness score",
            "success rate",
        ] {
            assert!(
                shown.text.contains(seen),
                "not shown: {seen}\n{}",
                shown.text
            );
        }
        assert!(
            !shown.text.contains("collecting line 10\n"),
            "only the tail"
        );
    }

    // The same page, rendered later from the saved report.
    repo.tiergate(&["report", "ci.json", "--format", "html", "-o", "later.html"])
        .expect_code(0);
    let later = String::from_utf8(repo.read("later.html")).unwrap();
    assert!(later.contains("alert(1)") && !later.contains("<script"));
    assert!(later.contains("collecting line 40"));
}

#[test]
fn a_merged_page_shows_each_report_it_was_made_of() {
    let repo = failing_repo();
    repo.tiergate(&["run", "fast.unit", "--save-report", "unit.json"])
        .expect_code(1);
    repo.tiergate(&["run", "fast.api", "--save-report", "api.json"])
        .expect_code(0);
    repo.tiergate(&[
        "report",
        "--merge",
        "merged.json",
        "unit.json",
        "api.json",
        "--format",
        "html",
        "-o",
        "merged.html",
    ]);
    let merged: serde_json::Value = serde_json::from_slice(&repo.read("merged.json")).unwrap();
    let unit = &merged["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "fast")
        .unwrap()["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "unit")
        .unwrap()
        .clone();
    assert!(
        unit["output_tail"]
            .as_str()
            .is_some_and(|t| t.contains("alert(1)")),
        "the merge keeps the tail: {unit}"
    );
    let parts: Vec<&str> = merged["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["file"].as_str().unwrap())
        .collect();
    assert_eq!(parts, ["unit.json", "api.json"]);
    for shown in look_at(&repo.join("merged.html"), "merged") {
        for seen in [
            "Merged from 2 reports",
            "unit.json",
            "api.json",
            "run fast.unit",
            "run fast.api",
            "alert(1)",
        ] {
            assert!(
                shown.text.contains(seen),
                "not shown: {seen}\n{}",
                shown.text
            );
        }
    }
}

#[test]
fn the_history_page_has_a_chart_per_stage_the_flaky_tests_and_budget_warnings() {
    let repo = TestRepo::new();
    let counter = repo.home.path().join("count");
    repo.write(
        "pass.xml",
        junit(&[("test_steady", true), ("test_wobbly", true)]),
    );
    repo.write(
        "fail.xml",
        junit(&[("test_steady", true), ("test_wobbly", false)]),
    );
    repo.write("ok.xml", junit(&[("test_ok", true)]));
    // The unit group fails on every other run: test_wobbly is flaky.
    repo.config(&format!(
        r#"[stages.smoke]
budget = {{ warning = "1ms" }}
groups = [{{ name = "imports", run = "cp ok.xml {{junit}}" }}]

[stages.fast]
gate = {{ fail_when = "any" }}
[[stages.fast.groups]]
name = "unit"
run = "sh -c 'n=$(cat {counter} 2>/dev/null || echo 0); echo $((n+1)) > {counter}; if [ $((n % 2)) -eq 0 ]; then cp fail.xml $0; else cp pass.xml $0; fi' {{junit}}"
"#,
        counter = counter.display()
    ));
    repo.commit("initial");
    for _ in 0..4 {
        repo.tiergate(&["run", "--no-cache"]);
    }
    let out = repo.tiergate(&["history", "--html", "history.html"]);
    out.expect_code(0);
    assert!(
        out.stdout.contains("history.html (4 runs)"),
        "{}",
        out.stdout
    );
    for shown in look_at(&repo.join("history.html"), "history") {
        let stages: Vec<&str> = shown.trends.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(stages, ["smoke", "fast"], "one figure per stage");
        for (stage, charts, widths) in &shown.trends {
            assert_eq!(*charts, 2, "{stage}: duration and success rate");
            assert!(
                widths.iter().all(|w| *w >= 120),
                "{stage}: charts too small to read: {widths:?}"
            );
        }
        for seen in [
            "tests/test_a.py::test_wobbly",
            "FPFP",
            "same-inputs",
            "WARNING",
            "Slowest groups",
            "fast.unit",
            "4 runs recorded",
        ] {
            assert!(
                shown.text.contains(seen),
                "not shown: {seen}\n{}",
                shown.text
            );
        }
        assert!(!shown.text.contains("test_steady"), "steady is not flaky");
    }
}

#[test]
fn an_empty_history_still_writes_a_page() {
    let repo = TestRepo::new();
    repo.config("[stages.fast]\ngroups = [{ name = \"unit\", run = \"true\" }]\n");
    repo.tiergate(&["history", "--html", "empty.html"])
        .expect_code(0);
    let page = String::from_utf8(repo.read("empty.html")).unwrap();
    assert!(page.contains("No runs recorded yet"), "{page}");
}

#[test]
fn the_exported_workflow_renders_the_merged_report_as_a_page_it_uploads() {
    let repo = failing_repo();
    repo.tiergate(&["export", "github", "--output", "wf.yml"])
        .expect_code(0);
    let workflow = String::from_utf8(repo.read("wf.yml")).unwrap();
    let merge = workflow
        .lines()
        .find_map(|l| l.trim().strip_prefix("run: tiergate report --merge "))
        .expect("the consolidate job merges");
    let page = workflow
        .lines()
        .skip_while(|l| !l.contains("name: Render the report as a page"))
        .find_map(|l| l.trim().strip_prefix("run: tiergate "))
        .expect("the consolidate job renders the page");
    // The jobs' reports, where the download step puts them.
    repo.tiergate(&["run", "fast.unit", "--save-report", "reports/unit.json"]);
    repo.tiergate(&["run", "fast.api", "--save-report", "reports/api.json"]);
    let merge = format!("report --merge {merge}")
        .replace("reports/*.json", "reports/unit.json reports/api.json");
    let args: Vec<&str> = merge.split_whitespace().collect();
    repo.tiergate(&args);
    let args: Vec<&str> = page.split_whitespace().collect();
    repo.tiergate(&args).expect_code(0);
    let uploaded = workflow
        .lines()
        .skip_while(|l| !l.contains("name: tiergate-html-report"))
        .find_map(|l| l.trim().strip_prefix("path: "))
        .expect("the page is uploaded");
    let page = String::from_utf8(repo.read(uploaded)).unwrap();
    assert!(page.contains("Merged from 2 reports"), "{page}");
    assert!(page.contains("tests/test_a.py::test_login"));
}
