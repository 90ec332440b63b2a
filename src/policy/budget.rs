//! Stage budgets (SPEC 9): a stage's duration against its `budget = { warning,
//! max }`, and against its own recent past (slower than 1.5x the median of
//! its earlier runs, from the history).
//!
//! Pure: durations in, a status out.

use crate::config::Budget;

/// Slower than this many times its median baseline is flagged.
pub(crate) const BASELINE_FACTOR: f64 = 1.5;
/// A baseline needs this many earlier runs to mean anything.
pub(crate) const MIN_BASELINE_RUNS: usize = 3;
/// Differences smaller than this are noise, however large the ratio
/// (0.1s against 0.05s is twice as slow and means nothing).
pub(crate) const MIN_BASELINE_EXCESS: f64 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum BudgetLevel {
    Ok,
    Warning,
    Regression,
}

impl BudgetLevel {
    /// The report's words: `OK`, `WARNING`, `REGRESSION`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            BudgetLevel::Ok => "OK",
            BudgetLevel::Warning => "WARNING",
            BudgetLevel::Regression => "REGRESSION",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BudgetStatus {
    pub(crate) level: BudgetLevel,
    /// Why it is not OK (empty when it is).
    pub(crate) reasons: Vec<String>,
}

/// The median of some durations.
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        f64::midpoint(sorted[mid - 1], sorted[mid])
    } else {
        sorted[mid]
    })
}

/// A stage's budget status. Over `max` is a `REGRESSION`, over `warning` a
/// `WARNING`; slower than 1.5x its median baseline is a `WARNING` too (a trend
/// to watch, where only an explicit `max` makes a regression). `None` when
/// there is neither a budget nor enough history to judge by.
pub(crate) fn evaluate(
    duration: f64,
    budget: Option<&Budget>,
    baseline: &[f64],
) -> Option<BudgetStatus> {
    let mut level = BudgetLevel::Ok;
    let mut reasons = Vec::new();
    let mut judged = false;
    if let Some(budget) = budget {
        judged = true;
        if let Some(max) = budget.max {
            if duration > max.as_secs_f64() {
                level = BudgetLevel::Regression;
                reasons.push(format!(
                    "{duration:.2}s is over the budget's max of {}",
                    humantime::format_duration(max)
                ));
            }
        }
        if let Some(warning) = budget.warning {
            if level == BudgetLevel::Ok && duration > warning.as_secs_f64() {
                level = BudgetLevel::Warning;
                reasons.push(format!(
                    "{duration:.2}s is over the budget's warning of {}",
                    humantime::format_duration(warning)
                ));
            }
        }
    }
    if baseline.len() >= MIN_BASELINE_RUNS {
        judged = true;
        if let Some(median) = median(baseline) {
            if duration > median * BASELINE_FACTOR && duration - median >= MIN_BASELINE_EXCESS {
                level = level.max(BudgetLevel::Warning);
                reasons.push(format!(
                    "{duration:.2}s is over {BASELINE_FACTOR}x the median of its last {} runs ({median:.2}s)",
                    baseline.len()
                ));
            }
        }
    }
    judged.then_some(BudgetStatus { level, reasons })
}

/// Each stage of a run judged: its duration, its budget, and its baseline
/// (its earlier runs of the same groups; `None` when it did not run, which
/// is never judged).
pub(crate) fn judge<'a>(
    stages: impl IntoIterator<Item = (f64, Option<&'a Budget>, Option<&'a [f64]>)>,
) -> Vec<Option<BudgetStatus>> {
    stages
        .into_iter()
        .map(|(duration, budget, baseline)| evaluate(duration, budget, baseline?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn budget(warning: u64, max: u64) -> Budget {
        Budget {
            warning: Some(Duration::from_secs(warning)),
            max: Some(Duration::from_secs(max)),
        }
    }

    #[test]
    fn the_budget_levels() {
        let b = budget(10, 20);
        assert_eq!(evaluate(5.0, Some(&b), &[]).unwrap().level, BudgetLevel::Ok);
        assert_eq!(
            evaluate(10.0, Some(&b), &[]).unwrap().level,
            BudgetLevel::Ok
        );
        assert_eq!(
            evaluate(12.0, Some(&b), &[]).unwrap().level,
            BudgetLevel::Warning
        );
        let over = evaluate(21.0, Some(&b), &[]).unwrap();
        assert_eq!(over.level, BudgetLevel::Regression);
        assert_eq!(over.reasons.len(), 1);
        assert_eq!(evaluate(1.0, None, &[]), None);
    }

    #[test]
    fn slower_than_one_and_a_half_times_the_median_is_flagged() {
        let baseline = [2.0, 2.2, 1.8, 9.0];
        assert_eq!(median(&baseline), Some(2.1));
        assert_eq!(
            evaluate(3.0, None, &baseline).unwrap().level,
            BudgetLevel::Ok
        );
        let slow = evaluate(3.2, None, &baseline).unwrap();
        assert_eq!(slow.level, BudgetLevel::Warning);
        assert!(slow.reasons[0].contains("median"));
        assert_eq!(evaluate(9.0, None, &[1.0, 1.0]), None, "too little history");
        assert_eq!(
            evaluate(0.3, None, &[0.1, 0.1, 0.1]).unwrap().level,
            BudgetLevel::Ok,
            "noise"
        );
        assert_eq!(
            evaluate(30.0, Some(&budget(10, 20)), &baseline)
                .unwrap()
                .level,
            BudgetLevel::Regression
        );
    }
}
