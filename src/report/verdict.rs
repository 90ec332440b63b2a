//! The verdict of a JSON report: the facts `policy::verdict` needs, read off a
//! `Report` (of one run, or merged from several), and the verdict written
//! back into it and shown as text.
//!
//! Working from the `Report` rather than the live run means `ci-full` and
//! `report --merge` compute the same verdict from the same fields.

use std::path::Path;

use super::json::{GroupReport, Report};
use crate::config::Config;
use crate::policy::verdict::{self, Verdict, VerdictFacts};
use crate::policy::StageStatus;
use crate::results::GroupStatus;

/// The stage whose budget earns the performance bonus.
const PERFORMANCE_STAGE: &str = "performance";
/// SPEC 13: "the security group" is any group with this name or marker.
const SECURITY: &str = "security";

/// Copy each group's markers from the config into the report, so that a
/// report read back later (`report --merge`) still knows its security groups.
pub(crate) fn add_markers(report: &mut Report, config: &Config) {
    for stage in &mut report.stages {
        let Some(config_stage) = config.stage(&stage.stage) else {
            continue;
        };
        for group in &mut stage.groups {
            if let Some(g) = config_stage.group(&group.name) {
                group.markers.clone_from(&g.markers);
            }
        }
    }
}

fn is_security(group: &GroupReport) -> bool {
    group.name == SECURITY || group.markers.iter().any(|m| m == SECURITY)
}

/// The verdict's facts, as the report states them. `history_flaky` adds the
/// flaky tests the history knows of (0 without a history).
pub(crate) fn facts(report: &Report, min_success_rate: f64, history_flaky: usize) -> VerdictFacts {
    let mut passed = 0;
    let mut failed = 0;
    let mut flaky = 0;
    let mut blocking_stages = Vec::new();
    let mut critical_failures = Vec::new();
    let mut security: Option<bool> = None;
    let mut coverage = Vec::new();
    let mut performance_within_budget = None;
    for stage in &report.stages {
        passed += stage.passed_tests;
        failed += stage.failed_tests;
        flaky += stage.flaky_tests;
        if stage.should_block {
            blocking_stages.push(stage.stage.clone());
        }
        critical_failures.extend(stage.critical_failures.iter().cloned());
        if stage.stage == PERFORMANCE_STAGE && stage.status != StageStatus::Skipped {
            // Budgets belong to the budget check; the verdict only reads its word.
            performance_within_budget = stage.budget_status.as_deref().map(|s| s == "OK");
        }
        for group in &stage.groups {
            coverage.extend(group.coverage);
            if is_security(group) && group.status != GroupStatus::Skipped {
                let ok = matches!(group.status, GroupStatus::Passed | GroupStatus::Cached);
                security = Some(security.unwrap_or(true) && ok);
            }
        }
    }
    VerdictFacts {
        passed,
        failed,
        blocking_stages,
        critical_failures,
        flaky_tests: flaky.max(history_flaky),
        coverage: crate::results::coverage::mean(coverage.into_iter()),
        performance_within_budget,
        security_passed: security,
        min_success_rate,
    }
}

/// Compute the verdict and store it in the report's `verdict` field.
pub(crate) fn apply(report: &mut Report, min_success_rate: f64, history_flaky: usize) -> Verdict {
    let verdict = verdict::decide(&facts(report, min_success_rate, history_flaky));
    report.verdict = serde_json::to_value(&verdict).ok();
    verdict
}

/// How many tests the history shows as flaky, by the one definition
/// (`history::flaky_tests`, read through the one typed reader). A missing or
/// unreadable history counts no flaky test: the verdict never fails on it.
pub(crate) fn history_flaky(path: &Path) -> usize {
    crate::history::read(path).map_or(0, |records| crate::history::flaky_tests(&records).len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::json::{SelectionReport, StageReport, Summary};

    fn group(name: &str, markers: &[&str], status: GroupStatus) -> GroupReport {
        GroupReport {
            name: name.to_owned(),
            project: ".".to_owned(),
            status,
            exit_code: Some(0),
            duration: 0.0,
            cached: false,
            reason: None,
            command: String::new(),
            coverage: None,
            markers: markers.iter().map(|m| (*m).to_owned()).collect(),
            tests: Vec::new(),
            output_tail: None,
            hints: Vec::new(),
            locks: Vec::new(),
            lock_wait_ms: None,
        }
    }

    fn stage(name: &str, passed: usize, failed: usize, groups: Vec<GroupReport>) -> StageReport {
        StageReport {
            stage: name.to_owned(),
            project: ".".to_owned(),
            status: StageStatus::Passed,
            execution_time: 0.0,
            total_tests: passed + failed,
            passed_tests: passed,
            failed_tests: failed,
            skipped_tests: 0,
            flaky_tests: 0,
            success_rate: None,
            should_block: false,
            gate: crate::policy::GateOutcome::Passed,
            budget_status: None,
            reasons: Vec::new(),
            critical_failures: Vec::new(),
            groups,
        }
    }

    fn report(stages: Vec<StageReport>) -> Report {
        Report {
            tiergate_version: String::new(),
            command: "ci-full".into(),
            started_at: String::new(),
            duration_seconds: 0.0,
            selection: SelectionReport {
                changed: Vec::new(),
                markers: Vec::new(),
                all: true,
                why: Vec::new(),
            },
            stages,
            summary: Summary::default(),
            verdict: None,
            parts: Vec::new(),
        }
    }

    #[test]
    fn a_group_with_the_security_marker_is_a_security_group() {
        let r = report(vec![stage(
            "comprehensive",
            10,
            0,
            vec![
                group("auth", &["security"], GroupStatus::Passed),
                group("db", &["database"], GroupStatus::Failed),
            ],
        )]);
        assert_eq!(facts(&r, 0.8, 0).security_passed, Some(true));
        let r = report(vec![stage(
            "comprehensive",
            10,
            0,
            vec![
                group("security", &[], GroupStatus::Passed),
                group("auth", &["security"], GroupStatus::Timeout),
            ],
        )]);
        assert_eq!(facts(&r, 0.8, 0).security_passed, Some(false));
        let r = report(vec![stage(
            "fast",
            10,
            0,
            vec![group("security", &[], GroupStatus::Skipped)],
        )]);
        assert_eq!(facts(&r, 0.8, 0).security_passed, None, "none ran");
    }

    #[test]
    fn the_performance_bonus_reads_the_budget_word() {
        let mut perf = stage("performance", 1, 0, Vec::new());
        assert_eq!(
            facts(&report(vec![perf.clone()]), 0.8, 0).performance_within_budget,
            None
        );
        perf.budget_status = Some("OK".into());
        assert_eq!(
            facts(&report(vec![perf.clone()]), 0.8, 0).performance_within_budget,
            Some(true)
        );
        perf.budget_status = Some("REGRESSION".into());
        assert_eq!(
            facts(&report(vec![perf.clone()]), 0.8, 0).performance_within_budget,
            Some(false)
        );
        perf.status = StageStatus::Skipped;
        assert_eq!(
            facts(&report(vec![perf]), 0.8, 0).performance_within_budget,
            None
        );
    }

    #[test]
    fn apply_stores_the_verdict_with_its_terms() {
        let mut r = report(vec![stage("fast", 19, 1, Vec::new())]);
        let v = apply(&mut r, 0.8, 3);
        assert_eq!(v.flaky_tests, 3);
        let stored = r.verdict.unwrap();
        assert_eq!(stored["readiness_score"], 89.0);
        assert_eq!(stored["decision"], "deploy_with_monitoring");
        assert_eq!(stored["terms"][1]["term"], "flaky tests");
        assert_eq!(stored["terms"][1]["points"], -6.0);
    }

    #[test]
    fn history_flaky_counts_retries_and_same_inputs_never_a_fix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.jsonl");
        assert_eq!(history_flaky(&path), 0, "a missing history is 0");
        let test = |id: &str, status: &str, key: &str| {
            format!(
                r#"{{"stages":[{{"name":"fast","groups":[{{"name":"unit","key":"{key}","tests":[{{"id":"{id}","status":"{status}"}}]}}]}}]}}"#
            )
        };
        let lines = [
            // Failed on one content, passed after the fix: not flaky.
            test("a.py::fixed", "failed", "k1"),
            test("a.py::fixed", "passed", "k2"),
            // Passed and failed on the same inputs: flaky.
            test("a.py::same", "passed", "k3"),
            test("a.py::same", "failed", "k3"),
            // Failed then passed on retry in one run: flaky.
            test("b.py::retried", "flaky", "k4"),
            "{ truncated".to_owned(),
        ];
        std::fs::write(&path, lines.join("\n")).unwrap();
        assert_eq!(history_flaky(&path), 2);
    }
}
