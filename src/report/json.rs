//! The JSON report of SPEC 10, with the seed guide's field names, so scripts
//! written for its `ci_runner.py` reports keep working.

use serde::{Deserialize, Serialize};

use crate::pipeline::RunOutcome;
use crate::policy::{GateOutcome, StageStatus};
use crate::results::{GroupStatus, TestResult};
use crate::select::Selection;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Report {
    pub(crate) tiergate_version: String,
    pub(crate) command: String,
    pub(crate) started_at: String,
    pub(crate) duration_seconds: f64,
    pub(crate) selection: SelectionReport,
    pub(crate) stages: Vec<StageReport>,
    pub(crate) summary: Summary,
    pub(crate) verdict: Option<serde_json::Value>,
    /// The reports a `report --merge` combined (one per CI job, shard or
    /// project), so the merged page still shows each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) parts: Vec<PartReport>,
}

/// One report a merge took in: where it came from and what it ran.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct PartReport {
    /// The file it was read from.
    pub(crate) file: String,
    pub(crate) command: String,
    pub(crate) started_at: String,
    pub(crate) duration_seconds: f64,
    /// `stage.group` of each group it ran (skipped ones left out).
    pub(crate) groups: Vec<String>,
    pub(crate) failed_tests: usize,
    pub(crate) blocking_failures: bool,
}

impl PartReport {
    pub(crate) fn of(report: &Report, file: &str) -> PartReport {
        PartReport {
            file: file.to_owned(),
            command: report.command.clone(),
            started_at: report.started_at.clone(),
            duration_seconds: report.duration_seconds,
            groups: report
                .stages
                .iter()
                .flat_map(|s| {
                    s.groups
                        .iter()
                        .filter(|g| g.status != GroupStatus::Skipped)
                        .map(move |g| format!("{}.{}", s.stage, g.name))
                })
                .collect(),
            failed_tests: report.summary.failed_tests,
            blocking_failures: report.summary.blocking_failures,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct SelectionReport {
    pub(crate) changed: Vec<String>,
    pub(crate) markers: Vec<String>,
    pub(crate) all: bool,
    pub(crate) why: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StageReport {
    pub(crate) stage: String,
    /// The sub-project the stage belongs to; `"."` for the root's config.
    #[serde(default = "root_project")]
    pub(crate) project: String,
    pub(crate) status: StageStatus,
    pub(crate) execution_time: f64,
    pub(crate) total_tests: usize,
    pub(crate) passed_tests: usize,
    pub(crate) failed_tests: usize,
    pub(crate) skipped_tests: usize,
    pub(crate) flaky_tests: usize,
    pub(crate) success_rate: Option<f64>,
    pub(crate) should_block: bool,
    pub(crate) gate: GateOutcome,
    pub(crate) budget_status: Option<String>,
    #[serde(default)]
    pub(crate) reasons: Vec<String>,
    /// Failed tests matching the stage's `critical` globs, for the verdict.
    #[serde(default)]
    pub(crate) critical_failures: Vec<String>,
    pub(crate) groups: Vec<GroupReport>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct GroupReport {
    pub(crate) name: String,
    /// The sub-project of the group's stage; `"."` for the root's config.
    #[serde(default = "root_project")]
    pub(crate) project: String,
    pub(crate) status: GroupStatus,
    pub(crate) exit_code: Option<i32>,
    pub(crate) duration: f64,
    pub(crate) cached: bool,
    pub(crate) reason: Option<String>,
    #[serde(default)]
    pub(crate) command: String,
    #[serde(default)]
    pub(crate) coverage: Option<f64>,
    /// The group's markers, so a merged report still knows its security groups.
    #[serde(default)]
    pub(crate) markers: Vec<String>,
    pub(crate) tests: Vec<TestResult>,
    /// A failed group's last lines of output, as the terminal showed them
    /// (escape sequences taken out), so a page rendered later shows them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) output_tail: Option<String>,
    /// The hints shown under a failed group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) hints: Vec<String>,
    /// The group's `locks`, when it has some.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) locks: Vec<String>,
    /// How long it waited for them, when another group held one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) lock_wait_ms: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Summary {
    pub(crate) total_tests: usize,
    pub(crate) passed_tests: usize,
    pub(crate) failed_tests: usize,
    pub(crate) skipped_tests: usize,
    pub(crate) overall_success_rate: Option<f64>,
    pub(crate) blocking_failures: bool,
    /// Mean line coverage of the groups that reported one (SPEC 13).
    #[serde(default)]
    pub(crate) coverage: Option<f64>,
}

/// Reports written before sub-projects existed: everything is the root's.
fn root_project() -> String {
    crate::config::ROOT_PROJECT.to_owned()
}

fn round(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

pub(crate) fn build(
    command: &str,
    started_at: std::time::SystemTime,
    selection: &Selection,
    outcome: &RunOutcome,
) -> Report {
    let stages = outcome
        .stages
        .iter()
        .map(|stage| {
            let c = stage.verdict.counts;
            let project = crate::config::project_of(&stage.name);
            StageReport {
                stage: stage.name.clone(),
                project: project.to_owned(),
                status: stage.verdict.status,
                execution_time: round(stage.duration),
                total_tests: c.total(),
                passed_tests: c.passed,
                failed_tests: c.failed,
                skipped_tests: c.skipped,
                flaky_tests: c.flaky,
                success_rate: c.success_rate().map(round),
                should_block: stage.verdict.should_block,
                gate: stage.verdict.gate,
                budget_status: None,
                reasons: stage.verdict.reasons.clone(),
                critical_failures: stage.verdict.critical_failures.clone(),
                groups: stage
                    .groups
                    .iter()
                    .map(|g| {
                        let failed = matches!(
                            g.status,
                            GroupStatus::Failed | GroupStatus::Timeout | GroupStatus::Error
                        );
                        GroupReport {
                            name: g.name.clone(),
                            project: project.to_owned(),
                            status: g.status,
                            exit_code: g.exit_code,
                            duration: round(g.duration),
                            cached: g.status == GroupStatus::Cached,
                            reason: g.reason.clone(),
                            command: g.command.clone(),
                            coverage: g.coverage,
                            markers: Vec::new(),
                            tests: g.tests.clone(),
                            output_tail: if failed {
                                super::tail::output_tail(&g.output)
                            } else {
                                None
                            },
                            hints: if failed { g.hints.clone() } else { Vec::new() },
                            locks: g.locks.clone(),
                            lock_wait_ms: g.lock_wait_ms,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let total = outcome.counts();
    let coverage = crate::results::coverage::mean(
        outcome
            .stages
            .iter()
            .flat_map(|s| &s.groups)
            .filter_map(|g| g.coverage),
    );
    Report {
        tiergate_version: env!("CARGO_PKG_VERSION").to_owned(),
        command: command.to_owned(),
        started_at: humantime::format_rfc3339_seconds(started_at).to_string(),
        duration_seconds: round(outcome.duration),
        selection: SelectionReport {
            changed: selection
                .changes
                .iter()
                .map(|c| String::from_utf8_lossy(&c.path).into_owned())
                .collect(),
            markers: selection.markers.iter().cloned().collect(),
            all: selection.all,
            why: selection.why.clone(),
        },
        stages,
        summary: Summary::of(total, outcome.blocked(), coverage),
        verdict: None,
        parts: Vec::new(),
    }
}

impl Summary {
    /// The summary of a run or of merged reports: built in one place.
    pub(crate) fn of(
        total: crate::policy::StageCounts,
        blocking_failures: bool,
        coverage: Option<f64>,
    ) -> Summary {
        Summary {
            total_tests: total.total(),
            passed_tests: total.passed,
            failed_tests: total.failed,
            skipped_tests: total.skipped,
            overall_success_rate: total.success_rate().map(round),
            blocking_failures,
            coverage,
        }
    }
}

/// Write the report atomically: a reader never sees half a file.
pub(crate) fn write(report: &Report, path: &std::path::Path) -> std::io::Result<()> {
    let text = serde_json::to_vec_pretty(report).map_err(std::io::Error::other)?;
    crate::state::write_atomic_as(path, &text, crate::state::FileMode::User)
}

pub(crate) fn gate_word(gate: GateOutcome) -> &'static str {
    match gate {
        GateOutcome::Passed => "passed",
        GateOutcome::Failed => "failed",
        GateOutcome::Warned => "warned",
        GateOutcome::Informed => "informed",
    }
}

/// Stage status words as the report spells them.
pub(crate) fn stage_status_word(status: StageStatus) -> &'static str {
    match status {
        StageStatus::Passed => "passed",
        StageStatus::Failed => "failed",
        StageStatus::Warned => "warned",
        StageStatus::Skipped => "skipped",
    }
}
