//! A saved JSON report rendered for people: plain text for the terminal,
//! Markdown for `GITHUB_STEP_SUMMARY` and PR comments, JUnit for test viewers.
//!
//! Works from the `Report` alone, so `tiergate report` renders files written
//! on another machine, and the step summary of a live run is the same text.

use super::json::{gate_word, stage_status_word, Report};
use crate::policy::plural;
use crate::results::GroupStatus;

/// Failed tests listed per report before "… and N more".
const MAX_FAILURES_SHOWN: usize = 20;

fn rate(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_owned(), |r| format!("{:.1} %", r * 100.0))
}

/// One stage's line of the summary table, as the terminal (live run) and
/// `tiergate report` (saved report) print it. `status` comes padded, and
/// styled or not, from the caller.
pub(crate) fn stage_row(
    width: usize,
    name: &str,
    status: &str,
    (passed, failed, skipped): (usize, usize, usize),
    success_rate: Option<f64>,
    gate: &str,
    seconds: f64,
) -> String {
    format!(
        "  {name:width$}  {status}  {passed:>4} passed {failed:>4} failed {skipped:>4} skipped  {:>7}  gate {gate}  {seconds:.2}s\n",
        rate(success_rate)
    )
}

/// One failed test, or a group that failed without a failed test.
pub(crate) struct Failure {
    /// `stage.group`.
    pub(crate) place: String,
    /// The test id, or the group's status (`timeout`, `error`).
    pub(crate) what: String,
    pub(crate) message: Option<String>,
    /// The test's file, for annotations.
    pub(crate) file: Option<String>,
    /// A failed test; else the group failed as a whole (timeout, error).
    pub(crate) is_test: bool,
}

/// Everything that failed, in report order.
pub(crate) fn failures(report: &Report) -> Vec<Failure> {
    let mut out = Vec::new();
    for stage in &report.stages {
        for group in &stage.groups {
            let place = format!("{}.{}", stage.stage, group.name);
            let mut any = false;
            for test in group.tests.iter().filter(|t| t.status.counts_as_failed()) {
                any = true;
                out.push(Failure {
                    place: place.clone(),
                    what: test.id(),
                    message: test.message.clone(),
                    file: test.file.clone(),
                    is_test: true,
                });
            }
            if !any
                && matches!(
                    group.status,
                    GroupStatus::Failed | GroupStatus::Timeout | GroupStatus::Error
                )
            {
                out.push(Failure {
                    place,
                    what: group.status.as_str().to_owned(),
                    message: group.reason.clone(),
                    file: None,
                    is_test: false,
                });
            }
        }
    }
    out
}

pub(crate) fn outcome_word(report: &Report) -> &'static str {
    // Stopped before the gates could decide: neither passed nor blocked,
    // as the terminal and the exit status (130, 2) say.
    match report.aborted.as_deref() {
        Some("interrupted") => return "interrupted",
        Some(_) => return "stopped by an error",
        None => {}
    }
    match &report.verdict {
        Some(v) if v["deployment_ready"] == serde_json::Value::Bool(true) => "deployment ready",
        Some(_) => "not deployment ready",
        None if report.summary.blocking_failures => "blocked",
        None => "passed",
    }
}

/// Plain text: a line per stage, failures, the verdict.
pub(crate) fn text(report: &Report) -> String {
    let mut out = format!(
        "tiergate report: {} ({}, {:.2}s)\n",
        report.command, report.started_at, report.duration_seconds
    );
    let width = report
        .stages
        .iter()
        .map(|s| s.stage.len())
        .max()
        .unwrap_or(5);
    for stage in &report.stages {
        out.push_str(&stage_row(
            width,
            &stage.stage,
            &format!("{:<7}", stage_status_word(stage.status)),
            (stage.passed_tests, stage.failed_tests, stage.skipped_tests),
            stage.success_rate,
            gate_word(stage.gate),
            stage.execution_time,
        ));
        for reason in &stage.reasons {
            out.push_str(&format!("  {:width$}    · {reason}\n", ""));
        }
    }
    let failures = failures(report);
    if !failures.is_empty() {
        out.push_str("failures:\n");
        for f in failures.iter().take(MAX_FAILURES_SHOWN) {
            out.push_str(&format!("  ✗ {}: {}", f.place, f.what));
            if let Some(m) = &f.message {
                out.push_str(&format!(": {}", m.lines().next().unwrap_or("")));
            }
            out.push('\n');
        }
        if failures.len() > MAX_FAILURES_SHOWN {
            out.push_str(&format!(
                "  … and {} more\n",
                failures.len() - MAX_FAILURES_SHOWN
            ));
        }
    }
    out.push_str(&format!("total: {}", totals(&report.summary)));
    out.push_str(&format!(": {}\n", outcome_word(report)));
    if let Some(verdict) = &report.verdict {
        out.push_str(&verdict_text(verdict));
    }
    out
}

/// The verdict as a person reads it, every term of the score, then the
/// decision; from the report's JSON, which may come from another version.
pub(crate) fn verdict_text(verdict: &serde_json::Value) -> String {
    let mut out = String::from("verdict:\n");
    if let Some(terms) = verdict["terms"].as_array() {
        for term in terms {
            out.push_str(&format!(
                "  {:<28} {:>+7.1}  ({})\n",
                term["term"].as_str().unwrap_or("?"),
                term["points"].as_f64().unwrap_or(0.0),
                term["detail"].as_str().unwrap_or("")
            ));
        }
    }
    out.push_str(&format!(
        "  {:<28} {:>7.1}\n",
        "readiness score",
        verdict["readiness_score"].as_f64().unwrap_or(0.0)
    ));
    if let Some(reasons) = verdict["reasons"].as_array() {
        for reason in reasons.iter().filter_map(serde_json::Value::as_str) {
            out.push_str(&format!("  · {reason}\n"));
        }
    }
    let ready = verdict["deployment_ready"] == serde_json::Value::Bool(true);
    out.push_str(&format!(
        "decision: {}, {}\n",
        verdict["decision"].as_str().unwrap_or("?"),
        if ready {
            "deployment ready"
        } else {
            "not deployment ready"
        }
    ));
    out
}

/// Markdown cells must not break the table.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// GitHub-flavoured Markdown: a table of stages, the failures, the verdict.
pub(crate) fn markdown(report: &Report) -> String {
    let icon = match &report.verdict {
        _ if report.aborted.is_some() => "❌",
        Some(v) if v["deployment_ready"] == serde_json::Value::Bool(true) => "✅",
        Some(_) => "❌",
        None if report.summary.blocking_failures => "❌",
        None => "✅",
    };
    let mut out = format!(
        "## {icon} tiergate: `{}` {}\n\n",
        cell(&report.command),
        outcome_word(report)
    );
    out.push_str("| stage | status | passed | failed | skipped | success rate | gate | time |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---|---:|\n");
    for stage in &report.stages {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.2}s |\n",
            cell(&stage.stage),
            stage_status_word(stage.status),
            stage.passed_tests,
            stage.failed_tests,
            stage.skipped_tests,
            rate(stage.success_rate),
            gate_word(stage.gate),
            stage.execution_time
        ));
    }
    out.push_str(&format!("\n**Total**: {}", totals(&report.summary)));
    out.push_str(".\n");
    let failures = failures(report);
    if !failures.is_empty() {
        out.push_str("\n### Failures\n\n");
        for f in failures.iter().take(MAX_FAILURES_SHOWN) {
            out.push_str(&format!("- `{}`: `{}`", cell(&f.place), cell(&f.what)));
            if let Some(m) = &f.message {
                out.push_str(&format!(" — {}", cell(m.lines().next().unwrap_or(""))));
            }
            out.push('\n');
        }
        if failures.len() > MAX_FAILURES_SHOWN {
            out.push_str(&format!(
                "- … and {} more\n",
                failures.len() - MAX_FAILURES_SHOWN
            ));
        }
    }
    if let Some(v) = &report.verdict {
        out.push_str(&format!(
            "\n### Verdict: `{}` (readiness score {:.1})\n\n| term | points | detail |\n|---|---:|---|\n",
            v["decision"].as_str().unwrap_or("?"),
            v["readiness_score"].as_f64().unwrap_or(0.0)
        ));
        for term in v["terms"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "| {} | {:+.1} | {} |\n",
                cell(term["term"].as_str().unwrap_or("?")),
                term["points"].as_f64().unwrap_or(0.0),
                cell(term["detail"].as_str().unwrap_or(""))
            ));
        }
        let reasons: Vec<&str> = v["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .collect();
        if !reasons.is_empty() {
            out.push('\n');
            for reason in reasons {
                out.push_str(&format!("- {}\n", cell(reason)));
            }
        }
    }
    out
}

/// One JUnit document of every group that ran, as `--junit` writes it.
pub(crate) fn junit(report: &Report) -> std::io::Result<Vec<u8>> {
    let groups: Vec<super::GroupCases<'_>> = report
        .stages
        .iter()
        .flat_map(|stage| {
            stage.groups.iter().map(move |g| super::GroupCases {
                stage: &stage.stage,
                name: &g.name,
                status: g.status,
                duration: g.duration,
                reason: g.reason.as_deref(),
                tests: &g.tests,
                output: None,
            })
        })
        .collect();
    super::junit_document(&groups)
}

/// "20 tests, 1 failed, 0 skipped, success rate 95.0 %[, coverage 72.0 %]".
pub(crate) fn totals(s: &super::json::Summary) -> String {
    let mut text = format!(
        "{}, {} failed, {} skipped, success rate {}",
        plural(s.total_tests, "test"),
        s.failed_tests,
        s.skipped_tests,
        rate(s.overall_success_rate)
    );
    if let Some(coverage) = s.coverage {
        text.push_str(&format!(", coverage {:.1} %", coverage * 100.0));
    }
    text
}
