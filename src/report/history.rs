//! `tiergate history`: recent runs, flaky tests and per-stage trends as text.

use console::style;

use crate::history::{bar, sparkline, FlakyTest, Record, StageTrend};
use crate::policy::budget::median;

/// The last runs, newest last: when, what, how it ended, how long.
pub(crate) fn recent_runs(records: &[Record], count: usize) -> String {
    if records.is_empty() {
        return "no runs recorded yet".to_owned();
    }
    let mut text = format!(
        "{} (last {} of {})\n",
        style("recent runs").bold(),
        count.min(records.len()),
        records.len()
    );
    for record in &records[records.len().saturating_sub(count)..] {
        let commit = record
            .commit
            .as_deref()
            .map_or("-", |c| &c[..c.len().min(10)]);
        let cached = record
            .stages
            .iter()
            .flat_map(|s| &s.groups)
            .filter(|g| g.cached)
            .count();
        let cached = if cached > 0 {
            format!("  ({cached} cached)")
        } else {
            String::new()
        };
        text.push_str(&format!(
            "  {}  {:<10}  {:<11}  {:>7.2}s  {}{cached}\n",
            record.started_at, commit, record.outcome, record.duration, record.command
        ));
    }
    text.push_str("  (history --flaky: flaky tests; history --trends: stages over time)");
    text
}

/// `history --flaky`: the flaky tests, then a count of the tests whose
/// outcome changed with their inputs (fixes or regressions, not flaky).
pub(crate) fn flaky_table(flaky: &[FlakyTest], changed_with_inputs: &[FlakyTest]) -> String {
    let changed = if changed_with_inputs.is_empty() {
        String::new()
    } else {
        format!(
            "\n  not flaky: {} passed and failed only on different inputs (fixed or broken by a change): {}",
            crate::policy::plural(changed_with_inputs.len(), "test"),
            changed_with_inputs
                .iter()
                .map(|f| format!("{} {}", f.group, f.id))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    if flaky.is_empty() {
        return format!(
            "no flaky tests: none failed then passed on retry, or both passed and failed on the same inputs, in its last {} non-cached runs{changed}",
            crate::history::FLAKY_WINDOW
        );
    }
    let width = flaky
        .iter()
        .map(|f| f.id.len() + f.group.len() + 1)
        .max()
        .unwrap_or(10);
    let mut text = format!(
        "{} (last {} non-cached runs of each; P passed, F failed, R passed on retry)\n",
        style("flaky tests").bold(),
        crate::history::FLAKY_WINDOW
    );
    for f in flaky {
        let name = format!("{} {}", f.group, f.id);
        text.push_str(&format!(
            "  {name:width$}  {:5.1} % failed ({} of {})  {:<10}  {}\n",
            f.failure_rate() * 100.0,
            f.failures,
            f.runs,
            f.pattern,
            f.inputs.as_str()
        ));
    }
    text.push_str("  flaky: failed then passed on retry, or passed and failed on identical inputs");
    text.push_str(&changed);
    text
}

/// `history --trends`.
pub(crate) fn trends_table(trends: &[StageTrend]) -> String {
    if trends.is_empty() {
        return "no stage runs recorded yet".to_owned();
    }
    let width = trends
        .iter()
        .map(|t| t.stage.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut text = format!(
        "{}\n  {:width$}  {:>4}  {:>7}  {:>8}  {:>8}  {}\n",
        style("stage trends (oldest → newest)").bold(),
        "stage",
        "runs",
        "gate ok",
        "median",
        "last",
        "duration / success rate"
    );
    for t in trends {
        let rates: Vec<f64> = t.success_rates.iter().map(|r| r.unwrap_or(0.0)).collect();
        let last_rate = t
            .success_rates
            .iter()
            .rev()
            .flatten()
            .next()
            .map_or_else(|| "–".to_owned(), |r| format!("{:.1} %", r * 100.0));
        text.push_str(&format!(
            "  {:width$}  {:>4}  {:>6.0}%  {:>7.2}s  {:>7.2}s  {}  {}  (last {last_rate})\n",
            t.stage,
            t.durations.len(),
            t.passed as f64 / t.durations.len().max(1) as f64 * 100.0,
            median(&t.durations).unwrap_or(0.0),
            t.durations.last().copied().unwrap_or(0.0),
            sparkline(&t.durations),
            sparkline_rates(&rates),
        ));
    }
    text.pop();
    text
}

/// Success rates on a fixed 0-100 % scale, so a steady 100 % reads as full bars.
fn sparkline_rates(rates: &[f64]) -> String {
    rates.iter().map(|r| bar(*r)).collect()
}
