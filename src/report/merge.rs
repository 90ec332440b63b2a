//! `report --merge`: the per-group JSON reports of a distributed run (each a
//! `tiergate run --stage S --group G --save-report F` on its own CI job)
//! combined into one report, as if one `tiergate run` had run them all.
//!
//! Stages keep their order, each group is taken from the report where it ran,
//! counts are recounted from the tests, and the gates are applied again with
//! the config when there is one: a rate gate judges the whole stage, never
//! one job's share of it.

use std::collections::BTreeSet;

use super::json::{GroupReport, Report, SelectionReport, StageReport, Summary};
use crate::config::{Config, NoTests};
use crate::policy::{self, GateOutcome, StageCounts, StageStatus};
use crate::results::{GroupResult, GroupStatus};

fn round(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// Stage names in order: the config's order when there is one; each
/// report's own order otherwise, a stage first seen in a later report placed
/// after the stage it follows there (or before the one it precedes).
fn stage_order(reports: &[Report], config: Option<&Config>) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    for report in reports {
        let names: Vec<&String> = report.stages.iter().map(|s| &s.stage).collect();
        for (i, name) in names.iter().enumerate() {
            if order.contains(name) {
                continue;
            }
            let after = names[..i]
                .iter()
                .rev()
                .find_map(|n| order.iter().position(|o| o == *n));
            let before = names[i + 1..]
                .iter()
                .find_map(|n| order.iter().position(|o| o == *n));
            let at = match (after, before) {
                (Some(pos), _) => pos + 1,
                (None, Some(pos)) => pos,
                (None, None) => order.len(),
            };
            order.insert(at, (*name).clone());
        }
    }
    if let Some(config) = config {
        let rank = |name: &String| {
            config
                .stages
                .iter()
                .position(|s| &s.name == name)
                .unwrap_or(usize::MAX)
        };
        // Stable: stages the config does not know keep their relative place at the end.
        order.sort_by_key(rank);
    }
    order
}

fn group_result(stage: &str, g: &GroupReport) -> GroupResult {
    GroupResult {
        stage: stage.to_owned(),
        name: g.name.clone(),
        status: g.status,
        exit_code: g.exit_code,
        duration: g.duration,
        reason: g.reason.clone(),
        tests: g.tests.clone(),
        output: String::new(),
        hints: Vec::new(),
        command: g.command.clone(),
        coverage: g.coverage,
        locks: g.locks.clone(),
        lock_wait_ms: g.lock_wait_ms,
    }
}

fn severity(status: StageStatus) -> u8 {
    match status {
        StageStatus::Skipped => 0,
        StageStatus::Passed => 1,
        StageStatus::Warned => 2,
        StageStatus::Failed => 3,
    }
}

fn gate_severity(gate: GateOutcome) -> u8 {
    match gate {
        GateOutcome::Passed => 0,
        GateOutcome::Informed => 1,
        GateOutcome::Warned => 2,
        GateOutcome::Failed => 3,
    }
}

fn budget_severity(status: &str) -> u8 {
    match status {
        "OK" => 0,
        "WARNING" => 1,
        _ => 2,
    }
}

/// The groups of one stage across its parts: a group that ran wins over a
/// `skipped` placeholder from a report that did not run it. Returns the
/// groups and the names that ran in more than one report.
fn merge_groups(parts: &[&StageReport]) -> (Vec<GroupReport>, Vec<String>) {
    let mut groups: Vec<GroupReport> = Vec::new();
    let mut twice = Vec::new();
    for part in parts {
        for group in &part.groups {
            match groups.iter_mut().find(|g| g.name == group.name) {
                None => groups.push(group.clone()),
                Some(have) if have.status == GroupStatus::Skipped => *have = group.clone(),
                Some(_) if group.status == GroupStatus::Skipped => {}
                // Ran twice (a re-run job): the later report is the newer result.
                Some(have) => {
                    twice.push(group.name.clone());
                    *have = group.clone();
                }
            }
        }
    }
    (groups, twice)
}

fn merge_stage(name: &str, parts: &[&StageReport], config: Option<&Config>) -> StageReport {
    let (groups, twice) = merge_groups(parts);
    let results: Vec<GroupResult> = groups.iter().map(|g| group_result(name, g)).collect();
    let ran = results.iter().any(|r| r.status != GroupStatus::Skipped);
    let config_stage = config.and_then(|c| c.stage(name));
    let mut budget_status: Option<String> = None;
    for status in parts.iter().filter_map(|p| p.budget_status.as_deref()) {
        if budget_status
            .as_deref()
            .is_none_or(|have| budget_severity(status) > budget_severity(have))
        {
            budget_status = Some(status.to_owned());
        }
    }
    let execution_time = parts.iter().map(|p| p.execution_time).fold(0.0, f64::max);

    let (status, gate, should_block, counts, mut reasons, critical_failures) =
        if let Some(stage) = config_stage.filter(|_| ran) {
            let no_tests: Vec<NoTests> = groups
                .iter()
                .map(|g| stage.group(&g.name).map_or(NoTests::Warn, |c| c.no_tests))
                .collect();
            let v = policy::evaluate(&stage.gate, &results, &no_tests);
            (
                v.status,
                v.gate,
                v.should_block,
                v.counts,
                v.reasons,
                v.critical_failures,
            )
        } else {
            // No config to judge by (or nothing ran): the parts' own
            // judgements, the worst of them.
            let status = parts
                .iter()
                .map(|p| p.status)
                .max_by_key(|s| severity(*s))
                .unwrap_or(StageStatus::Skipped);
            let gate = parts
                .iter()
                .map(|p| p.gate)
                .max_by_key(|g| gate_severity(*g))
                .unwrap_or(GateOutcome::Passed);
            let mut reasons: Vec<String> = Vec::new();
            let mut critical: Vec<String> = Vec::new();
            for part in parts {
                for r in &part.reasons {
                    if !reasons.contains(r) {
                        reasons.push(r.clone());
                    }
                }
                critical.extend(part.critical_failures.iter().cloned());
            }
            (
                status,
                gate,
                parts.iter().any(|p| p.should_block),
                StageCounts::of(&results),
                reasons,
                critical,
            )
        };
    for name in twice {
        reasons.push(format!("{name}: in several reports, the last one is kept"));
    }
    StageReport {
        stage: name.to_owned(),
        project: crate::config::project_of(name).to_owned(),
        status,
        execution_time: round(execution_time),
        total_tests: counts.total(),
        passed_tests: counts.passed,
        failed_tests: counts.failed,
        skipped_tests: counts.skipped,
        flaky_tests: counts.flaky,
        success_rate: counts.success_rate().map(round),
        should_block,
        gate,
        budget_status,
        reasons,
        critical_failures,
        groups,
    }
}

/// Merge `reports` into one. `config` re-applies the gates when given.
pub(crate) fn merge(reports: &[Report], config: Option<&Config>) -> Report {
    let stages: Vec<StageReport> = stage_order(reports, config)
        .iter()
        .map(|name| {
            let parts: Vec<&StageReport> = reports
                .iter()
                .flat_map(|r| &r.stages)
                .filter(|s| &s.stage == name)
                .collect();
            merge_stage(name, &parts, config)
        })
        .collect();

    let mut total = StageCounts::default();
    for stage in &stages {
        total.add(StageCounts {
            passed: stage.passed_tests,
            failed: stage.failed_tests,
            skipped: stage.skipped_tests,
            flaky: stage.flaky_tests,
        });
    }
    let coverage = crate::results::coverage::mean(
        stages
            .iter()
            .flat_map(|s| &s.groups)
            .filter_map(|g| g.coverage),
    );
    let mut changed = BTreeSet::new();
    let mut markers = BTreeSet::new();
    let mut why = Vec::new();
    for report in reports {
        changed.extend(report.selection.changed.iter().cloned());
        markers.extend(report.selection.markers.iter().cloned());
        for w in &report.selection.why {
            if !why.contains(w) {
                why.push(w.clone());
            }
        }
    }
    Report {
        tiergate_version: env!("CARGO_PKG_VERSION").to_owned(),
        command: "report --merge".to_owned(),
        // RFC 3339 UTC stamps of one format sort as text: the earliest start.
        started_at: reports
            .iter()
            .map(|r| r.started_at.clone())
            .min()
            .unwrap_or_default(),
        duration_seconds: round(stages.iter().map(|s| s.execution_time).sum()),
        selection: SelectionReport {
            changed: changed.into_iter().collect(),
            markers: markers.into_iter().collect(),
            all: reports.iter().any(|r| r.selection.all),
            why,
        },
        summary: Summary::of(total, stages.iter().any(|s| s.should_block), coverage),
        stages,
        verdict: None,
        // Filled by the caller, who knows the files the reports came from.
        parts: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(stages: &[&str]) -> Report {
        Report {
            tiergate_version: String::new(),
            command: String::new(),
            started_at: String::new(),
            duration_seconds: 0.0,
            selection: SelectionReport {
                changed: Vec::new(),
                markers: Vec::new(),
                all: true,
                why: Vec::new(),
            },
            stages: stages
                .iter()
                .map(|s| StageReport {
                    stage: (*s).to_owned(),
                    project: crate::config::project_of(s).to_owned(),
                    status: StageStatus::Skipped,
                    execution_time: 0.0,
                    total_tests: 0,
                    passed_tests: 0,
                    failed_tests: 0,
                    skipped_tests: 0,
                    flaky_tests: 0,
                    success_rate: None,
                    should_block: false,
                    gate: GateOutcome::Passed,
                    budget_status: None,
                    reasons: Vec::new(),
                    critical_failures: Vec::new(),
                    groups: Vec::new(),
                })
                .collect(),
            summary: Summary::default(),
            verdict: None,
            parts: Vec::new(),
        }
    }

    #[test]
    fn without_a_config_the_worst_judgement_stands_and_tests_are_recounted() {
        use crate::results::{TestResult, TestStatus};
        let test = |name: &str, status| TestResult {
            name: name.to_owned(),
            classname: "c".into(),
            status,
            duration: 0.0,
            file: None,
            message: None,
        };
        let group = |name: &str, status, tests| GroupReport {
            name: name.to_owned(),
            project: ".".to_owned(),
            status,
            exit_code: None,
            duration: 1.0,
            cached: false,
            reason: None,
            command: String::new(),
            coverage: None,
            markers: Vec::new(),
            tests,
            output_tail: None,
            hints: Vec::new(),
            locks: Vec::new(),
            lock_wait_ms: None,
        };
        let mut a = report(&["fast"]);
        a.stages[0].status = StageStatus::Passed;
        a.stages[0].groups = vec![
            group(
                "unit",
                GroupStatus::Passed,
                vec![
                    test("t1", TestStatus::Passed),
                    test("t2", TestStatus::Passed),
                ],
            ),
            group("api", GroupStatus::Skipped, Vec::new()),
        ];
        let mut b = report(&["fast"]);
        b.stages[0].status = StageStatus::Failed;
        b.stages[0].gate = GateOutcome::Failed;
        b.stages[0].should_block = true;
        b.stages[0].reasons = vec!["1 test failed".into()];
        b.stages[0].groups = vec![group(
            "api",
            GroupStatus::Failed,
            vec![test("t3", TestStatus::Failed)],
        )];
        let merged = merge(&[a, b], None);
        let fast = &merged.stages[0];
        assert_eq!((fast.passed_tests, fast.failed_tests), (2, 1));
        assert_eq!(fast.groups.len(), 2, "the skipped placeholder gave way");
        assert_eq!(fast.status, StageStatus::Failed);
        assert!(fast.should_block && merged.summary.blocking_failures);
        assert_eq!(fast.reasons, vec!["1 test failed"]);
        assert_eq!(merged.summary.total_tests, 3);
    }

    #[test]
    fn stage_order_keeps_every_reports_order() {
        let order = stage_order(
            &[
                report(&["fast"]),
                report(&["smoke", "fast"]),
                report(&["fast", "comprehensive"]),
            ],
            None,
        );
        assert_eq!(order, vec!["smoke", "fast", "comprehensive"]);
        let order = stage_order(&[report(&["smoke"]), report(&["fast"])], None);
        assert_eq!(order, vec!["smoke", "fast"]);
    }
}
