//! `--prometheus FILE`: the run's metrics in the Prometheus text exposition
//! format, for `node_exporter`'s textfile collector or a push to a gateway.
//!
//! `tiergate_pipeline_runs_total` is carried over from the file being
//! replaced, so a file rewritten after every run still counts runs.

use std::fmt::Write as _;
use std::path::Path;

use super::json::Report;

const RUNS: &str = "tiergate_pipeline_runs_total";

/// A label value, escaped as the exposition format asks.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Runs counted so far in an earlier file, per `result` label.
fn previous_runs(old: &str, result: &str) -> u64 {
    let wanted = format!("{RUNS}{{result=\"{result}\"}}");
    old.lines()
        .filter_map(|line| line.strip_prefix(&wanted))
        // Written as an integer by us; anything else is not our counter.
        .filter_map(|rest| rest.trim().parse::<u64>().ok())
        .next_back()
        .unwrap_or(0)
}

fn metric(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// The exposition text; `old` is the file being replaced, if any.
pub(crate) fn render(report: &Report, old: &str) -> String {
    let passed = !report.summary.blocking_failures
        && report
            .verdict
            .as_ref()
            .is_none_or(|v| v["deployment_ready"] != serde_json::Value::Bool(false));
    // A run stopped by a signal or an error neither passed nor was blocked.
    let this_run = match report.aborted.as_deref() {
        Some(word) => word,
        None if passed => "passed",
        None => "blocked",
    };
    let mut out = String::new();
    metric(&mut out, RUNS, "counter", "Pipeline runs, by result.");
    for result in ["passed", "blocked", "interrupted", "error"] {
        let runs = previous_runs(old, result) + u64::from(result == this_run);
        // The two results of every file, the others once they happened.
        if runs > 0 || matches!(result, "passed" | "blocked") {
            let _ = writeln!(out, "{RUNS}{{result=\"{result}\"}} {runs}");
        }
    }
    metric(
        &mut out,
        "tiergate_pipeline_duration_seconds",
        "gauge",
        "Duration of the last run.",
    );
    let _ = writeln!(
        out,
        "tiergate_pipeline_duration_seconds {}",
        report.duration_seconds
    );
    metric(
        &mut out,
        "tiergate_stage_duration_seconds",
        "gauge",
        "Duration of each stage in the last run.",
    );
    for stage in &report.stages {
        let _ = writeln!(
            out,
            "tiergate_stage_duration_seconds{{stage=\"{}\"}} {}",
            label(&stage.stage),
            stage.execution_time
        );
    }
    metric(
        &mut out,
        "tiergate_stage_success_rate",
        "gauge",
        "Passed / (passed + failed) of each stage that counted tests.",
    );
    for stage in &report.stages {
        if let Some(rate) = stage.success_rate {
            let _ = writeln!(
                out,
                "tiergate_stage_success_rate{{stage=\"{}\"}} {rate}",
                label(&stage.stage)
            );
        }
    }
    metric(
        &mut out,
        "tiergate_stage_tests",
        "gauge",
        "Tests of each stage in the last run, by status.",
    );
    for stage in &report.stages {
        for (status, n) in [
            ("passed", stage.passed_tests),
            ("failed", stage.failed_tests),
            ("skipped", stage.skipped_tests),
        ] {
            let _ = writeln!(
                out,
                "tiergate_stage_tests{{stage=\"{}\",status=\"{status}\"}} {n}",
                label(&stage.stage)
            );
        }
    }
    metric(
        &mut out,
        "tiergate_success_rate",
        "gauge",
        "Overall success rate of the last run (NaN when no test counted).",
    );
    let _ = writeln!(
        out,
        "tiergate_success_rate {}",
        report
            .summary
            .overall_success_rate
            .map_or_else(|| "NaN".to_owned(), |r| r.to_string())
    );
    metric(
        &mut out,
        "tiergate_flaky_tests",
        "gauge",
        "Flaky tests in the last run.",
    );
    let flaky: usize = report.stages.iter().map(|s| s.flaky_tests).sum();
    let _ = writeln!(out, "tiergate_flaky_tests {flaky}");
    if let Some(verdict) = &report.verdict {
        metric(
            &mut out,
            "tiergate_readiness_score",
            "gauge",
            "Readiness score of the last ci-full (0-100).",
        );
        let _ = writeln!(
            out,
            "tiergate_readiness_score {}",
            verdict["readiness_score"].as_f64().unwrap_or(0.0)
        );
        metric(
            &mut out,
            "tiergate_deployment_ready",
            "gauge",
            "1 when the last ci-full was deployment-ready.",
        );
        let ready = verdict["deployment_ready"] == serde_json::Value::Bool(true);
        let _ = writeln!(out, "tiergate_deployment_ready {}", u8::from(ready));
    }
    out
}

/// Write the metrics to `path`, atomically, counting the runs of the file it replaces.
pub(crate) fn write(report: &Report, path: &Path) -> std::io::Result<()> {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    crate::state::write_atomic_as(
        path,
        render(report, &old).as_bytes(),
        crate::state::FileMode::User,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(aborted: Option<&str>) -> Report {
        serde_json::from_value(serde_json::json!({
            "tiergate_version": "0", "command": "run", "started_at": "2026-01-01T00:00:00Z",
            "duration_seconds": 1.0, "selection": {"changed": [], "markers": [], "all": true, "why": []},
            "stages": [], "summary": {"total_tests": 0, "passed_tests": 0, "failed_tests": 0,
            "skipped_tests": 0, "overall_success_rate": null, "blocking_failures": false},
            "verdict": null, "aborted": aborted,
        }))
        .unwrap()
    }

    fn runs(text: &str) -> Vec<&str> {
        text.lines().filter(|l| l.starts_with(RUNS)).collect()
    }

    #[test]
    fn an_interrupted_run_is_counted_as_neither_passed_nor_blocked() {
        let first = render(&report(None), "");
        assert_eq!(
            runs(&first),
            [
                "tiergate_pipeline_runs_total{result=\"passed\"} 1",
                "tiergate_pipeline_runs_total{result=\"blocked\"} 0"
            ]
        );
        let second = render(&report(Some("interrupted")), &first);
        let third = render(&report(Some("error")), &second);
        let fourth = render(&report(None), &third);
        assert_eq!(
            runs(&fourth),
            [
                "tiergate_pipeline_runs_total{result=\"passed\"} 2",
                "tiergate_pipeline_runs_total{result=\"blocked\"} 0",
                "tiergate_pipeline_runs_total{result=\"interrupted\"} 1",
                "tiergate_pipeline_runs_total{result=\"error\"} 1"
            ]
        );
    }
}
