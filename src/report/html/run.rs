//! The page of a run, from its JSON report alone (a live run's, a saved
//! file's, or a merge of many): what the template shows, already worded.

use askama::Template;

use super::chart::seconds;
use crate::policy::{plural, StageStatus};
use crate::report::json::{gate_word, stage_status_word, GroupReport, Report};
use crate::report::render::{self, outcome_word};
use crate::results::GroupStatus;

/// Failed tests listed under one group before "… and N more": a run with
/// thousands of failures stays a page a browser opens at once.
const TESTS_SHOWN: usize = 50;
/// The slowest tests of a run listed.
const SLOWEST_TESTS: usize = 10;

#[derive(Template)]
#[template(path = "run.html")]
pub(crate) struct RunPage {
    pub(crate) title: String,
    pub(crate) version: &'static str,
    pub(crate) runs: Vec<RunView>,
}

pub(crate) struct RunView {
    pub(crate) command: String,
    pub(crate) started_at: String,
    pub(crate) duration: String,
    pub(crate) outcome: &'static str,
    pub(crate) tone: &'static str,
    pub(crate) totals: String,
    pub(crate) why: Vec<String>,
    pub(crate) stages: Vec<StageView>,
    pub(crate) failures: Vec<FailureView>,
    pub(crate) verdict: Option<VerdictView>,
    pub(crate) parts: Vec<PartView>,
    pub(crate) slowest: Vec<SlowTest>,
}

pub(crate) struct SlowTest {
    pub(crate) id: String,
    pub(crate) place: String,
    pub(crate) time: String,
}

pub(crate) struct StageView {
    pub(crate) name: String,
    pub(crate) status: &'static str,
    pub(crate) tone: &'static str,
    pub(crate) gate: &'static str,
    pub(crate) counts: String,
    pub(crate) rate: String,
    pub(crate) time: String,
    pub(crate) budget: Option<String>,
    pub(crate) budget_tone: &'static str,
    pub(crate) reasons: Vec<String>,
    pub(crate) groups: Vec<GroupView>,
}

pub(crate) struct GroupView {
    pub(crate) name: String,
    pub(crate) status: &'static str,
    pub(crate) tone: &'static str,
    pub(crate) tests: String,
    pub(crate) time: String,
    /// Width of the duration bar, in percent of the run's slowest group.
    pub(crate) bar: String,
    pub(crate) reason: String,
}

pub(crate) struct FailedTest {
    pub(crate) id: String,
    pub(crate) message: String,
}

pub(crate) struct FailureView {
    pub(crate) place: String,
    pub(crate) status: &'static str,
    pub(crate) command: String,
    pub(crate) reason: String,
    pub(crate) tests: Vec<FailedTest>,
    pub(crate) more: usize,
    pub(crate) output_tail: Option<String>,
    pub(crate) hints: Vec<String>,
}

pub(crate) struct TermView {
    pub(crate) term: String,
    pub(crate) points: String,
    pub(crate) detail: String,
    pub(crate) tone: &'static str,
}

pub(crate) struct VerdictView {
    pub(crate) ready: &'static str,
    pub(crate) tone: &'static str,
    pub(crate) decision: String,
    pub(crate) score: String,
    pub(crate) terms: Vec<TermView>,
    pub(crate) reasons: Vec<String>,
}

pub(crate) struct PartView {
    pub(crate) file: String,
    pub(crate) command: String,
    pub(crate) started_at: String,
    pub(crate) duration: String,
    pub(crate) groups: String,
    pub(crate) outcome: &'static str,
    pub(crate) tone: &'static str,
}

fn stage_tone(status: StageStatus) -> &'static str {
    match status {
        StageStatus::Passed => "ok",
        StageStatus::Failed => "bad",
        StageStatus::Warned => "warn",
        StageStatus::Skipped => "muted",
    }
}

fn group_tone(status: GroupStatus) -> &'static str {
    match status {
        GroupStatus::Passed | GroupStatus::Cached => "ok",
        GroupStatus::Failed | GroupStatus::Timeout | GroupStatus::Error => "bad",
        GroupStatus::NoTests => "warn",
        GroupStatus::Skipped => "muted",
    }
}

fn rate(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_owned(), |r| format!("{:.1} %", r * 100.0))
}

fn group_view(group: &GroupReport, slowest: f64) -> GroupView {
    let failed = group
        .tests
        .iter()
        .filter(|t| t.status.counts_as_failed())
        .count();
    let tests = match (group.tests.len(), failed) {
        (0, _) => String::new(),
        (n, 0) => plural(n, "test"),
        (n, f) => format!("{}, {f} failed", plural(n, "test")),
    };
    GroupView {
        name: group.name.clone(),
        status: group.status.as_str(),
        tone: group_tone(group.status),
        tests,
        time: seconds(group.duration),
        bar: format!(
            "{:.1}",
            if slowest > 0.0 {
                group.duration / slowest * 100.0
            } else {
                0.0
            }
        ),
        reason: group.reason.clone().unwrap_or_default(),
    }
}

fn failure_view(stage: &str, group: &GroupReport) -> Option<FailureView> {
    let failed: Vec<_> = group
        .tests
        .iter()
        .filter(|t| t.status.counts_as_failed())
        .collect();
    let broken = matches!(
        group.status,
        GroupStatus::Failed | GroupStatus::Timeout | GroupStatus::Error
    );
    if failed.is_empty() && !broken {
        return None;
    }
    Some(FailureView {
        place: format!("{stage}.{}", group.name),
        status: group.status.as_str(),
        command: group.command.clone(),
        reason: group.reason.clone().unwrap_or_default(),
        tests: failed
            .iter()
            .take(TESTS_SHOWN)
            .map(|t| FailedTest {
                id: t.id(),
                message: t.message.clone().unwrap_or_default(),
            })
            .collect(),
        more: failed.len().saturating_sub(TESTS_SHOWN),
        output_tail: group.output_tail.clone(),
        hints: group.hints.clone(),
    })
}

/// The verdict as the report stores it (it may come from another version:
/// read field by field, with defaults).
fn verdict_view(verdict: &serde_json::Value) -> VerdictView {
    let ready = verdict["deployment_ready"] == serde_json::Value::Bool(true);
    let decision = verdict["decision"].as_str().unwrap_or("?").to_owned();
    VerdictView {
        ready: if ready {
            "deployment ready"
        } else {
            "not deployment ready"
        },
        tone: match decision.as_str() {
            "deploy" if ready => "ok",
            "deploy_with_monitoring" | "manual_review" => "warn",
            _ => "bad",
        },
        decision,
        score: format!("{:.1}", verdict["readiness_score"].as_f64().unwrap_or(0.0)),
        terms: verdict["terms"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|term| {
                let points = term["points"].as_f64().unwrap_or(0.0);
                TermView {
                    term: term["term"].as_str().unwrap_or("?").to_owned(),
                    points: format!("{points:+.1}"),
                    detail: term["detail"].as_str().unwrap_or("").to_owned(),
                    tone: if points < 0.0 { "bad" } else { "ok" },
                }
            })
            .collect(),
        reasons: verdict["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .map(str::to_owned)
            .collect(),
    }
}

fn outcome_tone(word: &str) -> &'static str {
    match word {
        "passed" | "deployment ready" => "ok",
        _ => "bad",
    }
}

/// The run's slowest tests, slowest first.
fn slowest_tests(report: &Report) -> Vec<SlowTest> {
    let mut all: Vec<(f64, String, &crate::results::TestResult)> = report
        .stages
        .iter()
        .flat_map(|s| {
            s.groups.iter().flat_map(move |g| {
                g.tests
                    .iter()
                    .map(move |t| (t.duration, format!("{}.{}", s.stage, g.name), t))
            })
        })
        .collect();
    all.sort_by(|a, b| b.0.total_cmp(&a.0));
    all.into_iter()
        .take(SLOWEST_TESTS)
        .filter(|(duration, _, _)| *duration > 0.0)
        .map(|(duration, place, t)| SlowTest {
            id: t.id(),
            place,
            time: seconds(duration),
        })
        .collect()
}

pub(crate) fn run_view(report: &Report) -> RunView {
    let slowest = report
        .stages
        .iter()
        .flat_map(|s| &s.groups)
        .map(|g| g.duration)
        .fold(0.0, f64::max);
    let outcome = outcome_word(report);
    RunView {
        command: report.command.clone(),
        started_at: super::when(&report.started_at),
        duration: seconds(report.duration_seconds),
        outcome,
        tone: outcome_tone(outcome),
        totals: render::totals(&report.summary),
        why: report.selection.why.clone(),
        stages: report
            .stages
            .iter()
            .map(|stage| StageView {
                name: stage.stage.clone(),
                status: stage_status_word(stage.status),
                tone: stage_tone(stage.status),
                gate: gate_word(stage.gate),
                counts: format!(
                    "{} passed, {} failed, {} skipped{}",
                    stage.passed_tests,
                    stage.failed_tests,
                    stage.skipped_tests,
                    if stage.flaky_tests > 0 {
                        format!(", {} flaky", stage.flaky_tests)
                    } else {
                        String::new()
                    }
                ),
                rate: rate(stage.success_rate),
                time: seconds(stage.execution_time),
                budget: stage.budget_status.clone(),
                budget_tone: match stage.budget_status.as_deref() {
                    Some("OK") => "ok",
                    Some("WARNING") => "warn",
                    _ => "bad",
                },
                reasons: stage.reasons.clone(),
                groups: stage
                    .groups
                    .iter()
                    .map(|g| group_view(g, slowest))
                    .collect(),
            })
            .collect(),
        failures: report
            .stages
            .iter()
            .flat_map(|s| s.groups.iter().filter_map(|g| failure_view(&s.stage, g)))
            .collect(),
        verdict: report.verdict.as_ref().map(verdict_view),
        slowest: slowest_tests(report),
        parts: report
            .parts
            .iter()
            .map(|p| {
                let outcome = if p.blocking_failures {
                    "blocked"
                } else {
                    "passed"
                };
                PartView {
                    file: p.file.clone(),
                    command: p.command.clone(),
                    started_at: super::when(&p.started_at),
                    duration: seconds(p.duration_seconds),
                    groups: p.groups.join(", "),
                    outcome,
                    tone: outcome_tone(outcome),
                }
            })
            .collect(),
    }
}

/// The page of one or more reports (each its own section, in order).
pub(crate) fn page(reports: &[Report]) -> RunPage {
    let title = match reports {
        [one] => format!("tiergate: {} ({})", one.command, outcome_word(one)),
        many => format!("tiergate: {} reports", many.len()),
    };
    RunPage {
        title,
        version: env!("CARGO_PKG_VERSION"),
        runs: reports.iter().map(run_view).collect(),
    }
}
