//! `history --trends`: success rate and duration per stage over its recent runs.

use super::Record;

/// How many recent runs of a stage a trend shows.
pub(crate) const RUNS: usize = 20;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StageTrend {
    pub(crate) stage: String,
    /// Oldest first, at most `RUNS`.
    pub(crate) durations: Vec<f64>,
    /// Oldest first; `None` where no test counted.
    pub(crate) success_rates: Vec<Option<f64>>,
    /// How many of those runs passed their gate.
    pub(crate) passed: usize,
    /// Oldest first: whether each of those runs passed its gate.
    pub(crate) gates: Vec<bool>,
}

/// Stages in the order they first appear, each with its recent runs (skipped ones left out).
pub(crate) fn stage_trends(records: &[Record]) -> Vec<StageTrend> {
    let mut trends: Vec<StageTrend> = Vec::new();
    let mut gates: Vec<Vec<bool>> = Vec::new();
    for stage in records.iter().flat_map(|r| &r.stages) {
        if stage.status == "skipped" {
            continue;
        }
        let i = if let Some(i) = trends.iter().position(|t| t.stage == stage.name) {
            i
        } else {
            trends.push(StageTrend {
                stage: stage.name.clone(),
                durations: Vec::new(),
                success_rates: Vec::new(),
                passed: 0,
                gates: Vec::new(),
            });
            gates.push(Vec::new());
            trends.len() - 1
        };
        trends[i].durations.push(stage.duration);
        trends[i].success_rates.push(stage.success_rate);
        gates[i].push(stage.status == "passed");
    }
    for (trend, gates) in trends.iter_mut().zip(&gates) {
        let start = trend.durations.len().saturating_sub(RUNS);
        trend.durations.drain(..start);
        trend.success_rates.drain(..start);
        trend.passed = gates[start..].iter().filter(|p| **p).count();
        trend.gates = gates[start..].to_vec();
    }
    trends
}

/// `▁▂▄█`: values scaled between their minimum and maximum.
pub(crate) fn sparkline(values: &[f64]) -> String {
    let (min, max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    values
        .iter()
        .map(|v| {
            if (max - min).abs() < f64::EPSILON {
                bar(0.0)
            } else {
                bar((v - min) / (max - min))
            }
        })
        .collect()
}

/// The bar for a fraction of the full height.
pub(crate) fn bar(fraction: f64) -> char {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let step = (fraction.clamp(0.0, 1.0) * 7.0).round();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to 0..=7 above"
    )]
    BARS[step as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::record::StageRecord;

    #[test]
    fn trends_per_stage_leave_skipped_runs_out() {
        let records: Vec<Record> = [
            (1.0, "passed"),
            (2.0, "failed"),
            (0.0, "skipped"),
            (3.0, "passed"),
        ]
        .iter()
        .map(|(d, s)| Record {
            stages: vec![StageRecord {
                name: "fast".into(),
                status: (*s).into(),
                duration: *d,
                success_rate: Some(1.0),
                ..StageRecord::default()
            }],
            ..Record::default()
        })
        .collect();
        let trends = stage_trends(&records);
        assert_eq!(trends.len(), 1);
        assert_eq!(trends[0].durations, [1.0, 2.0, 3.0]);
        assert_eq!(trends[0].passed, 2);
        assert_eq!(sparkline(&trends[0].durations), "▁▅█");
        assert_eq!(sparkline(&[2.0, 2.0]), "▁▁");
    }
}
