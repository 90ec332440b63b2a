//! The aggregator: the one record of a run, built from its events. The
//! terminal summary, the JSON report (and from it Prometheus, the GitHub
//! summary, the HTML page and the webhook), the merged JUnit and the history
//! record all read this record, so no two of them count from different data.

use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use super::json::SelectionReport;
use crate::pipeline::{Event, RunOutcome, Subscriber};

/// A finished run as its events told it.
#[derive(Debug)]
pub(crate) struct RunRecord {
    /// "run fast", "hook pre-commit".
    pub(crate) label: String,
    pub(crate) started_at: SystemTime,
    pub(crate) selection: SelectionReport,
    /// The stages in the order they finished (the plan's order), each with
    /// its groups in the plan's order.
    pub(crate) outcome: RunOutcome,
}

/// Collects the events of one run into a `RunRecord`.
#[derive(Default)]
pub(crate) struct Aggregator {
    record: Mutex<RunRecord>,
}

impl Default for RunRecord {
    fn default() -> RunRecord {
        RunRecord {
            label: String::new(),
            started_at: SystemTime::now(),
            selection: SelectionReport::default(),
            outcome: RunOutcome {
                stages: Vec::new(),
                interrupted: None,
                environment_error: None,
                duration: 0.0,
            },
        }
    }
}

impl Aggregator {
    /// The record so far; taken, so a second call starts empty.
    pub(crate) fn finish(&self) -> RunRecord {
        std::mem::take(&mut *self.record.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn record(&self, apply: impl FnOnce(&mut RunRecord)) {
        apply(&mut self.record.lock().unwrap_or_else(PoisonError::into_inner));
    }
}

impl Subscriber for Aggregator {
    fn event(&self, event: &Event<'_>) {
        match *event {
            Event::RunStarted {
                label,
                started_at,
                selection,
            } => self.record(|r| {
                label.clone_into(&mut r.label);
                r.started_at = started_at;
                r.selection = SelectionReport::of(selection);
            }),
            // A stage's groups arrive with it, in the plan's order; the
            // groups' own events come in the order they finished.
            Event::StageFinished(stage) => self.record(|r| r.outcome.stages.push(stage.clone())),
            Event::RunFinished {
                duration,
                interrupted,
                environment_error,
            } => self.record(|r| {
                r.outcome.duration = duration;
                r.outcome.interrupted = interrupted;
                r.outcome.environment_error = environment_error.cloned();
            }),
            Event::FormatterFinished(_)
            | Event::ServiceChecking(_)
            | Event::ServiceStarted(_)
            | Event::ServiceStopped(_)
            | Event::StageStarted { .. }
            | Event::GroupStarted { .. }
            | Event::GroupOutput { .. }
            | Event::GroupFinished(_)
            | Event::Warning(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::pipeline::StageRun;
    use crate::policy::{GateOutcome, StageCounts, StageStatus, StageVerdict};
    use crate::results::{GroupResult, GroupStatus, TestResult, TestStatus};
    use crate::select::Selection;

    fn group(stage: &str, name: &str, statuses: &[TestStatus]) -> GroupResult {
        let mut g = GroupResult::skipped(stage, name, "");
        g.reason = None;
        g.status = if statuses.iter().any(|s| s.counts_as_failed()) {
            GroupStatus::Failed
        } else {
            GroupStatus::Passed
        };
        g.tests = statuses
            .iter()
            .enumerate()
            .map(|(i, status)| TestResult {
                name: format!("t{i}"),
                classname: name.to_owned(),
                status: *status,
                duration: 0.1,
                file: None,
                message: None,
            })
            .collect();
        g
    }

    /// A stage that ran `groups`, judged by a gate that fails on any failure.
    fn stage_of(name: &str, groups: Vec<GroupResult>) -> StageRun {
        let counts = StageCounts::of(&groups);
        StageRun {
            name: name.to_owned(),
            verdict: StageVerdict {
                status: if counts.failed > 0 {
                    StageStatus::Failed
                } else {
                    StageStatus::Passed
                },
                gate: if counts.failed > 0 {
                    GateOutcome::Failed
                } else {
                    GateOutcome::Passed
                },
                should_block: counts.failed > 0,
                counts,
                reasons: Vec::new(),
                critical_failures: Vec::new(),
            },
            groups,
            duration: 1.5,
            skipped: None,
        }
    }

    fn feed(aggregator: &Aggregator, events: &[Event<'_>]) {
        for event in events {
            aggregator.event(event);
        }
    }

    #[test]
    fn a_run_s_events_make_its_record() {
        let selection = Selection::everything("--all", vec![b"a.py".to_vec()]);
        let at = SystemTime::UNIX_EPOCH;
        let unit = group("fast", "unit", &[TestStatus::Passed, TestStatus::Failed]);
        let lint = group("fast", "lint", &[TestStatus::Passed, TestStatus::Skipped]);
        let fast = stage_of("fast", vec![lint.clone(), unit.clone()]);
        let slow = stage_of("slow", vec![GroupResult::skipped("slow", "e2e", "blocked")]);
        let error = Error::new("service `db` was not ready");
        let aggregator = Aggregator::default();
        feed(
            &aggregator,
            &[
                Event::RunStarted {
                    label: "run fast",
                    started_at: at,
                    selection: &selection,
                },
                Event::StageStarted {
                    stage: "fast",
                    groups: 2,
                },
                // Finished out of the plan's order: the record keeps the plan's.
                Event::GroupFinished(&unit),
                Event::GroupFinished(&lint),
                Event::StageFinished(&fast),
                Event::StageFinished(&slow),
                Event::Warning("cache: cannot store"),
                Event::RunFinished {
                    duration: 2.5,
                    interrupted: None,
                    environment_error: Some(&error),
                },
            ],
        );
        let record = aggregator.finish();
        assert_eq!(record.label, "run fast");
        assert_eq!(record.started_at, at);
        assert!(record.selection.all);
        assert_eq!(record.selection.why, ["--all"]);
        let stages: Vec<&str> = record
            .outcome
            .stages
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(stages, ["fast", "slow"]);
        let groups: Vec<&str> = record.outcome.stages[0]
            .groups
            .iter()
            .map(|g| g.name.as_str())
            .collect();
        assert_eq!(groups, ["lint", "unit"]);
        let counts = record.outcome.counts();
        assert_eq!((counts.passed, counts.failed, counts.skipped), (2, 1, 1));
        assert!(record.outcome.blocked());
        assert!((record.outcome.duration - 2.5).abs() < 1e-9);
        assert_eq!(record.outcome.environment_error, Some(error));
        // Taken: the aggregator is empty again.
        assert!(aggregator.finish().outcome.stages.is_empty());
    }

    #[test]
    fn the_json_report_reads_the_record() {
        let selection = Selection::everything("--all", Vec::new());
        let unit = group(
            "fast",
            "unit",
            &[TestStatus::Passed, TestStatus::Flaky, TestStatus::Error],
        );
        let fast = stage_of("fast", vec![unit]);
        let aggregator = Aggregator::default();
        feed(
            &aggregator,
            &[
                Event::RunStarted {
                    label: "run fast",
                    started_at: SystemTime::UNIX_EPOCH,
                    selection: &selection,
                },
                Event::StageFinished(&fast),
                Event::RunFinished {
                    duration: 1.0,
                    interrupted: None,
                    environment_error: None,
                },
            ],
        );
        let report = super::super::json::build(&aggregator.finish());
        assert_eq!(report.command, "run fast");
        assert_eq!(report.started_at, "1970-01-01T00:00:00Z");
        let s = &report.summary;
        assert_eq!(
            (
                s.total_tests,
                s.passed_tests,
                s.failed_tests,
                s.skipped_tests
            ),
            (3, 2, 1, 0)
        );
        assert!(s.blocking_failures);
        assert_eq!(report.stages[0].flaky_tests, 1);
        assert_eq!(report.stages[0].groups[0].name, "unit");
    }
}
