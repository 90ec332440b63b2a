//! Everything a run leaves behind for people and tools: the terminal view,
//! the JSON report, the merged JUnit, budget lines, the history's tables, and
//! (`publish`) the verdict, Markdown, GitHub annotations, Prometheus metrics
//! and the webhook.
//!
//! A run reaches this module as one stream of events (`pipeline::Event`):
//! `reporter` hands each to the terminal view, to the `Aggregator` whose
//! `RunRecord` every report file is built from, and to the event log.
//! doc/reporting.md says how to add a report format.

pub(crate) mod aggregate;
mod budget;
mod event_log;
pub(crate) mod github;
mod history;
pub(crate) mod html;
pub(crate) mod json;
mod junit;
pub(crate) mod merge;
pub(crate) mod notify;
pub(crate) mod prometheus;
pub(crate) mod publish;
pub(crate) mod render;
mod tail;
mod terminal;
pub(crate) mod verdict;

use std::path::Path;
use std::sync::Arc;

pub(crate) use aggregate::{Aggregator, RunRecord};
pub(crate) use budget::budget_lines;
pub(crate) use history::{flaky_table, recent_runs, trends_table};
pub(crate) use publish::{publish, Publish};
pub(crate) use terminal::{blocking_details, next_steps, one_line, summary, Terminal};

use crate::pipeline::{Reporter, RunOutcome, Subscriber};

/// The subscribers of a run's events, in the order each event reaches
/// them: the terminal view, the aggregator when the caller wants the run's
/// record (the formatter step does not), the `TIERGATE_EVENT_LOG` file. A
/// new live output registers here; a new report file reads the `RunRecord`.
pub(crate) fn reporter(aggregator: Option<Arc<Aggregator>>) -> Reporter {
    let mut subscribers: Vec<Arc<dyn Subscriber>> = vec![Arc::new(Terminal::new())];
    if let Some(aggregator) = aggregator {
        subscribers.push(aggregator);
    }
    if let Some(log) = event_log::EventLog::from_env() {
        subscribers.push(Arc::new(log));
    }
    Reporter::new(subscribers)
}

/// One group as a JUnit suite: where it comes from (a run or a saved
/// report) does not matter.
pub(crate) struct GroupCases<'a> {
    pub(crate) stage: &'a str,
    pub(crate) name: &'a str,
    pub(crate) status: crate::results::GroupStatus,
    pub(crate) duration: f64,
    pub(crate) reason: Option<&'a str>,
    pub(crate) tests: &'a [crate::results::TestResult],
    /// The captured output tail, shown under failures (a run has it, a
    /// saved report does not).
    pub(crate) output: Option<&'a str>,
}

/// One merged JUnit document of the groups that ran.
pub(crate) fn junit_document(groups: &[GroupCases<'_>]) -> std::io::Result<Vec<u8>> {
    use crate::results::GroupStatus;
    let owned: Vec<(String, f64, Vec<junit::CaseOut<'_>>)> = groups
        .iter()
        .filter(|g| g.status != GroupStatus::Skipped)
        .map(|g| {
            let mut cases: Vec<junit::CaseOut<'_>> = g
                .tests
                .iter()
                .map(|t| {
                    let failed = t.status.counts_as_failed();
                    junit::CaseOut {
                        name: &t.name,
                        classname: &t.classname,
                        file: t.file.as_deref(),
                        status: t.status.as_str(),
                        duration: t.duration,
                        message: t
                            .message
                            .as_deref()
                            .or(if failed { g.reason } else { None }),
                        output: if failed { g.output } else { None },
                    }
                })
                .collect();
            // A group that crashed or timed out may have no test to carry
            // the failure: give it one, named after the group.
            let broken = matches!(g.status, GroupStatus::Timeout | GroupStatus::Error);
            if broken && !g.tests.iter().any(|t| t.status.counts_as_failed()) {
                cases.push(junit::CaseOut {
                    name: g.name,
                    classname: g.stage,
                    file: None,
                    status: "error",
                    duration: g.duration,
                    message: g.reason,
                    output: g.output,
                });
            }
            (format!("{}.{}", g.stage, g.name), g.duration, cases)
        })
        .collect();
    let suites: Vec<junit::SuiteOut<'_>> = owned
        .iter()
        .map(|(name, duration, cases)| junit::SuiteOut {
            name,
            duration: *duration,
            cases,
        })
        .collect();
    let mut bytes = Vec::new();
    junit::write_junit(&mut bytes, "tiergate", &suites)?;
    Ok(bytes)
}

/// One merged JUnit document of everything that ran, written atomically.
pub(crate) fn write_junit(outcome: &RunOutcome, path: &Path) -> std::io::Result<()> {
    let groups: Vec<GroupCases<'_>> = outcome
        .stages
        .iter()
        .flat_map(|stage| &stage.groups)
        .map(|g| GroupCases {
            stage: &g.stage,
            name: &g.name,
            status: g.status,
            duration: g.duration,
            reason: g.reason.as_deref(),
            tests: &g.tests,
            output: Some(g.output.as_str()),
        })
        .collect();
    crate::state::write_atomic_as(
        path,
        &junit_document(&groups)?,
        crate::state::FileMode::User,
    )
}
