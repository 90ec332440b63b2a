//! Everything a run leaves behind for people and tools: the terminal view,
//! the JSON report, the merged JUnit, budget lines, the history's tables, and
//! (`publish`) the verdict, Markdown, GitHub annotations, Prometheus metrics
//! and the webhook.

mod budget;
pub(crate) mod github;
mod history;
pub(crate) mod json;
mod junit;
pub(crate) mod merge;
pub(crate) mod notify;
pub(crate) mod prometheus;
pub(crate) mod publish;
pub(crate) mod render;
mod terminal;
pub(crate) mod verdict;

use std::path::Path;

pub(crate) use budget::budget_lines;
pub(crate) use history::{flaky_table, recent_runs, trends_table};
pub(crate) use publish::{publish, Publish};
pub(crate) use terminal::{one_line, summary, Terminal};

use crate::pipeline::RunOutcome;

/// One merged JUnit document of everything that ran.
pub(crate) fn write_junit(outcome: &RunOutcome, path: &Path) -> std::io::Result<()> {
    let owned: Vec<(String, f64, Vec<junit::CaseOut<'_>>)> = outcome
        .stages
        .iter()
        .flat_map(|stage| &stage.groups)
        .filter(|g| crate::pipeline::ran(g))
        .map(|g| {
            let cases = g
                .tests
                .iter()
                .map(|t| junit::CaseOut {
                    name: &t.name,
                    classname: &t.classname,
                    file: t.file.as_deref(),
                    status: t.status.as_str(),
                    duration: t.duration,
                    message: t.message.as_deref().or(if t.status.counts_as_failed() {
                        g.reason.as_deref()
                    } else {
                        None
                    }),
                    output: t.status.counts_as_failed().then_some(g.output.as_str()),
                })
                .collect();
            let mut cases: Vec<junit::CaseOut<'_>> = cases;
            // A group that crashed or timed out may have no test to carry
            // the failure: give it one, named after the group.
            let broken = matches!(
                g.status,
                crate::results::GroupStatus::Timeout | crate::results::GroupStatus::Error
            );
            if broken && !g.tests.iter().any(|t| t.status.counts_as_failed()) {
                cases.push(junit::CaseOut {
                    name: &g.name,
                    classname: &g.stage,
                    file: None,
                    status: "error",
                    duration: g.duration,
                    message: g.reason.as_deref(),
                    output: Some(g.output.as_str()),
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
    crate::state::write_atomic(path, &bytes)
}
