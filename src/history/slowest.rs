//! The slowest groups of the recent runs, and when a test last failed: what
//! the history page lists beside the trends (pure).

use super::Record;
use crate::policy::budget::median;

/// How many recent records the slowest groups are judged on.
pub(crate) const RECENT_RECORDS: usize = 50;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SlowGroup {
    /// `stage.group`.
    pub(crate) group: String,
    /// Median duration of its runs that did the work (cached ones left out).
    pub(crate) median: f64,
    pub(crate) last: f64,
    pub(crate) runs: usize,
}

/// The `count` groups with the longest median duration over the last
/// `RECENT_RECORDS` records, slowest first.
pub(crate) fn slowest_groups(records: &[Record], count: usize) -> Vec<SlowGroup> {
    let mut seen: Vec<(String, Vec<f64>)> = Vec::new();
    let recent = &records[records.len().saturating_sub(RECENT_RECORDS)..];
    for stage in recent.iter().flat_map(|r| &r.stages) {
        for group in stage.groups.iter().filter(|g| !g.cached) {
            let name = format!("{}.{}", stage.name, group.name);
            match seen.iter_mut().find(|(n, _)| *n == name) {
                Some((_, durations)) => durations.push(group.duration),
                None => seen.push((name, vec![group.duration])),
            }
        }
    }
    let mut slow: Vec<SlowGroup> = seen
        .into_iter()
        .map(|(group, durations)| SlowGroup {
            median: median(&durations).unwrap_or(0.0),
            last: durations.last().copied().unwrap_or(0.0),
            runs: durations.len(),
            group,
        })
        .collect();
    slow.sort_by(|a, b| {
        b.median
            .total_cmp(&a.median)
            .then_with(|| a.group.cmp(&b.group))
    });
    slow.truncate(count);
    slow
}

/// When test `id` of `group` (`stage.group`) last failed: the `count` newest
/// runs where it failed or passed only on retry, newest first, as
/// (`started_at`, `commit`).
pub(crate) fn last_failures(
    records: &[Record],
    group: &str,
    id: &str,
    count: usize,
) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    for record in records.iter().rev() {
        let failed = record.stages.iter().any(|stage| {
            stage.groups.iter().any(|g| {
                !g.cached
                    && group
                        .strip_prefix(stage.name.as_str())
                        .and_then(|r| r.strip_prefix('.'))
                        == Some(g.name.as_str())
                    && g.tests.iter().any(|t| {
                        t.id == id
                            && matches!(
                                t.status.as_str(),
                                "failed" | "error" | "flaky" | "quarantined"
                            )
                    })
            })
        });
        if failed {
            found.push((record.started_at.clone(), record.commit.clone()));
            if found.len() == count {
                break;
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::record::{GroupRecord, StageRecord, TestRecord};

    fn record(at: &str, groups: &[(&str, f64, bool, &str)]) -> Record {
        Record {
            started_at: at.into(),
            stages: vec![StageRecord {
                name: "fast".into(),
                groups: groups
                    .iter()
                    .map(|(name, duration, cached, status)| GroupRecord {
                        name: (*name).into(),
                        duration: *duration,
                        cached: *cached,
                        tests: vec![TestRecord {
                            id: "t.py::x".into(),
                            status: (*status).into(),
                            duration: 0.1,
                        }],
                        ..GroupRecord::default()
                    })
                    .collect(),
                ..StageRecord::default()
            }],
            ..Record::default()
        }
    }

    #[test]
    fn slowest_by_median_leaving_cached_runs_out() {
        let records = vec![
            record(
                "1",
                &[
                    ("unit", 1.0, false, "passed"),
                    ("api", 5.0, false, "passed"),
                ],
            ),
            record(
                "2",
                &[("unit", 9.0, false, "failed"), ("api", 0.0, true, "passed")],
            ),
            record(
                "3",
                &[
                    ("unit", 2.0, false, "passed"),
                    ("api", 4.0, false, "passed"),
                ],
            ),
        ];
        let slow = slowest_groups(&records, 5);
        assert_eq!(slow[0].group, "fast.api");
        assert!((slow[0].median - 4.5).abs() < 1e-9);
        assert_eq!(slow[0].runs, 2);
        assert_eq!(slow[1].group, "fast.unit");
        assert!((slow[1].median - 2.0).abs() < 1e-9);
        assert_eq!(slowest_groups(&records, 1).len(), 1);
    }

    #[test]
    fn last_failures_newest_first() {
        let records = vec![
            record("1", &[("unit", 1.0, false, "failed")]),
            record("2", &[("unit", 1.0, false, "passed")]),
            record("3", &[("unit", 1.0, false, "flaky")]),
            record("4", &[("unit", 1.0, true, "failed")]),
        ];
        let found = last_failures(&records, "fast.unit", "t.py::x", 5);
        let at: Vec<&str> = found.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(at, ["3", "1"], "cached runs do not count");
        assert!(last_failures(&records, "fast.other", "t.py::x", 5).is_empty());
    }
}
