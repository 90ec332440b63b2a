//! The page of the history: per stage, charts of its duration and success
//! rate over its recent runs; the slowest groups; the flaky tests with their
//! last failures; budget warnings; the last runs.

use askama::Template;

use super::chart::{self, seconds};
use crate::history::{self, Record};
use crate::policy::budget::median;

/// Slowest groups listed.
const SLOWEST: usize = 10;
/// Failures listed under a flaky test.
const LAST_FAILURES: usize = 3;
/// Records searched for budget warnings, and runs listed at the end.
const RECENT: usize = 20;

#[derive(Template)]
#[template(path = "history.html")]
pub(crate) struct HistoryPage {
    pub(crate) version: &'static str,
    pub(crate) runs: usize,
    pub(crate) first: String,
    pub(crate) last: String,
    pub(crate) stages: Vec<StageTrendView>,
    pub(crate) slowest: Vec<SlowView>,
    pub(crate) flaky: Vec<FlakyView>,
    pub(crate) flaky_window: usize,
    pub(crate) budgets: Vec<BudgetView>,
    pub(crate) recent: Vec<RecentView>,
}

pub(crate) struct StageTrendView {
    pub(crate) name: String,
    pub(crate) runs: String,
    pub(crate) gate_ok: String,
    pub(crate) median: String,
    pub(crate) last: String,
    pub(crate) last_rate: String,
    pub(crate) durations: String,
    pub(crate) rates: String,
}

pub(crate) struct SlowView {
    pub(crate) group: String,
    pub(crate) median: String,
    pub(crate) last: String,
    pub(crate) runs: usize,
    pub(crate) bar: String,
}

pub(crate) struct FlakyView {
    pub(crate) group: String,
    pub(crate) id: String,
    pub(crate) rate: String,
    pub(crate) failures: String,
    pub(crate) pattern: String,
    pub(crate) inputs: &'static str,
    pub(crate) last_failures: Vec<String>,
}

pub(crate) struct BudgetView {
    pub(crate) started_at: String,
    pub(crate) stage: String,
    pub(crate) status: String,
    pub(crate) tone: &'static str,
    pub(crate) duration: String,
    pub(crate) command: String,
}

pub(crate) struct RecentView {
    pub(crate) started_at: String,
    pub(crate) commit: String,
    pub(crate) outcome: String,
    pub(crate) tone: &'static str,
    pub(crate) duration: String,
    pub(crate) command: String,
}

fn short(commit: Option<&str>) -> String {
    commit.map_or_else(|| "-".to_owned(), |c| c.chars().take(10).collect())
}

pub(crate) fn page(records: &[Record]) -> HistoryPage {
    let stages = history::stage_trends(records)
        .iter()
        .enumerate()
        .map(|(i, t)| StageTrendView {
            name: t.stage.clone(),
            runs: crate::policy::plural(t.durations.len(), "run"),
            gate_ok: format!(
                "{:.0} %",
                t.passed as f64 / t.durations.len().max(1) as f64 * 100.0
            ),
            median: seconds(median(&t.durations).unwrap_or(0.0)),
            last: seconds(t.durations.last().copied().unwrap_or(0.0)),
            last_rate: t
                .success_rates
                .iter()
                .rev()
                .flatten()
                .next()
                .map_or_else(|| "–".to_owned(), |r| format!("{:.1} %", r * 100.0)),
            durations: chart::durations(&format!("duration-{i}"), &t.stage, &t.durations, &t.gates),
            rates: chart::success_rates(&format!("rate-{i}"), &t.stage, &t.success_rates),
        })
        .collect();
    let slow = history::slowest_groups(records, SLOWEST);
    let slowest_median = slow.first().map_or(0.0, |s| s.median);
    let slowest = slow
        .iter()
        .map(|s| SlowView {
            group: s.group.clone(),
            median: seconds(s.median),
            last: seconds(s.last),
            runs: s.runs,
            bar: format!(
                "{:.1}",
                if slowest_median > 0.0 {
                    s.median / slowest_median * 100.0
                } else {
                    0.0
                }
            ),
        })
        .collect();
    let flaky = history::flaky_tests(records)
        .iter()
        .map(|f| FlakyView {
            group: f.group.clone(),
            id: f.id.clone(),
            rate: format!("{:.0} %", f.failure_rate() * 100.0),
            failures: format!("{} of {}", f.failures, f.runs),
            pattern: f.pattern.clone(),
            inputs: f.inputs.as_str(),
            last_failures: history::last_failures(records, &f.group, &f.id, LAST_FAILURES)
                .into_iter()
                .map(|(at, commit)| format!("{} ({})", super::when(&at), short(commit.as_deref())))
                .collect(),
        })
        .collect();
    let recent = &records[records.len().saturating_sub(RECENT)..];
    let budgets = recent
        .iter()
        .rev()
        .flat_map(|r| {
            r.stages.iter().filter_map(move |s| {
                let status = s.budget_status.as_deref()?;
                (status != "OK").then(|| BudgetView {
                    started_at: super::when(&r.started_at),
                    stage: s.name.clone(),
                    status: status.to_owned(),
                    tone: if status == "WARNING" { "warn" } else { "bad" },
                    duration: seconds(s.duration),
                    command: r.command.clone(),
                })
            })
        })
        .collect();
    HistoryPage {
        version: env!("CARGO_PKG_VERSION"),
        runs: records.len(),
        first: records
            .first()
            .map(|r| super::when(&r.started_at))
            .unwrap_or_default(),
        last: records
            .last()
            .map(|r| super::when(&r.started_at))
            .unwrap_or_default(),
        stages,
        slowest,
        flaky,
        flaky_window: history::FLAKY_WINDOW,
        budgets,
        recent: recent
            .iter()
            .rev()
            .map(|r| RecentView {
                started_at: super::when(&r.started_at),
                commit: short(r.commit.as_deref()),
                outcome: r.outcome.clone(),
                tone: match r.outcome.as_str() {
                    "passed" => "ok",
                    "skipped" => "muted",
                    _ => "bad",
                },
                duration: seconds(r.duration),
                command: r.command.clone(),
            })
            .collect(),
    }
}
