//! A stage's gate (SPEC 9): `any` or `rate` with `critical`, then `on_fail`.

use crate::config::{FailWhen, Gate, Globs, NoTests, OnFail};
use crate::results::{GroupResult, GroupStatus, TestResult, TestStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum StageStatus {
    Passed,
    Failed,
    Warned,
    Skipped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum GateOutcome {
    Passed,
    Failed,
    Warned,
    Informed,
}

/// SPEC 13 counts: total = passed + failed + skipped; flaky and quarantined
/// are among the passed, errors among the failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct StageCounts {
    pub(crate) passed: usize,
    pub(crate) failed: usize,
    pub(crate) skipped: usize,
    pub(crate) flaky: usize,
}

impl StageCounts {
    pub(crate) fn total(&self) -> usize {
        self.passed + self.failed + self.skipped
    }

    /// `None` when no test counted.
    pub(crate) fn success_rate(&self) -> Option<f64> {
        let counted = self.passed + self.failed;
        (counted > 0).then(|| self.passed as f64 / counted as f64)
    }

    pub(crate) fn add(&mut self, other: StageCounts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
        self.flaky += other.flaky;
    }

    pub(crate) fn of(groups: &[GroupResult]) -> StageCounts {
        let mut counts = StageCounts::default();
        for group in groups.iter().filter(|g| g.status != GroupStatus::Skipped) {
            for test in &group.tests {
                match test.status {
                    s if s.counts_as_passed() => counts.passed += 1,
                    s if s.counts_as_failed() => counts.failed += 1,
                    _ => counts.skipped += 1,
                }
                if test.status == TestStatus::Flaky {
                    counts.flaky += 1;
                }
            }
        }
        counts
    }
}

#[derive(Debug, Clone)]
pub(crate) struct StageVerdict {
    pub(crate) status: StageStatus,
    pub(crate) gate: GateOutcome,
    pub(crate) should_block: bool,
    pub(crate) counts: StageCounts,
    /// Why the gate failed, or warnings worth showing when it passed.
    pub(crate) reasons: Vec<String>,
    /// Ids of failed tests that match `critical`.
    pub(crate) critical_failures: Vec<String>,
}

/// Whether a test matches the critical globs: its file, or its classname
/// with dots read as slashes (SPEC 13).
pub(crate) fn is_critical(test: &TestResult, critical: &Globs) -> bool {
    if critical.is_empty() {
        return false;
    }
    if let Some(file) = &test.file {
        if critical.is_match(file.as_bytes()) {
            return true;
        }
    }
    let as_path = test.classname.replace('.', "/");
    critical.is_match(as_path.as_bytes()) || critical.is_match(format!("{as_path}.py").as_bytes())
}

/// Apply the gate to a stage's groups. `no_tests` gives each group's policy
/// for `no-tests`, by position.
pub(crate) fn evaluate(gate: &Gate, groups: &[GroupResult], no_tests: &[NoTests]) -> StageVerdict {
    let counts = StageCounts::of(groups);
    let mut reasons = Vec::new();
    let mut broken = false;
    for (i, group) in groups.iter().enumerate() {
        match group.status {
            GroupStatus::Timeout | GroupStatus::Error => {
                broken = true;
                reasons.push(format!(
                    "{}: {}",
                    group.name,
                    group.reason.as_deref().unwrap_or(group.status.as_str())
                ));
            }
            GroupStatus::NoTests => match no_tests.get(i).copied().unwrap_or(NoTests::Warn) {
                NoTests::Fail => {
                    broken = true;
                    reasons.push(format!(
                        "{}: collected no tests (no_tests = \"fail\")",
                        group.name
                    ));
                }
                NoTests::Warn => reasons.push(format!("{}: collected no tests", group.name)),
                NoTests::Pass => {}
            },
            _ => {}
        }
    }
    let critical_failures: Vec<String> = groups
        .iter()
        .flat_map(|g| &g.tests)
        .filter(|t| t.status.counts_as_failed() && is_critical(t, &gate.critical))
        .map(TestResult::id)
        .collect();

    let ran = groups.iter().any(|g| g.status != GroupStatus::Skipped);
    if !ran {
        return StageVerdict {
            status: StageStatus::Skipped,
            gate: GateOutcome::Passed,
            should_block: false,
            counts,
            reasons,
            critical_failures,
        };
    }

    let failed = match gate.fail_when {
        FailWhen::Any => {
            if counts.failed > 0 {
                reasons.insert(
                    0,
                    format!(
                        "{} failed (gate: any failure)",
                        plural(counts.failed, "test")
                    ),
                );
            }
            counts.failed > 0 || broken
        }
        FailWhen::Rate => {
            let counted = counts.passed + counts.failed;
            let rate = if counted == 0 {
                0.0
            } else {
                counts.failed as f64 / counted as f64
            };
            // "Exceeds" is strict: 1 failure in 10 passes a 0.10 gate.
            let over = rate > gate.max_failure_rate + f64::EPSILON;
            if over {
                reasons.insert(
                    0,
                    format!(
                        "failure rate {:.1} % exceeds {:.1} % ({} of {counted})",
                        rate * 100.0,
                        gate.max_failure_rate * 100.0,
                        counts.failed
                    ),
                );
            } else if counts.failed > 0 {
                reasons.push(format!(
                    "failure rate {:.1} % is within {:.1} % ({} of {counted})",
                    rate * 100.0,
                    gate.max_failure_rate * 100.0,
                    counts.failed
                ));
            }
            for id in &critical_failures {
                reasons.insert(0, format!("critical test failed: {id}"));
            }
            over || broken || !critical_failures.is_empty()
        }
    };

    let (status, outcome, should_block) = match (failed, gate.on_fail) {
        (false, _) => (StageStatus::Passed, GateOutcome::Passed, false),
        (true, OnFail::Block) => (StageStatus::Failed, GateOutcome::Failed, true),
        (true, OnFail::Warn) => (StageStatus::Warned, GateOutcome::Warned, false),
        (true, OnFail::Inform) => (StageStatus::Failed, GateOutcome::Informed, false),
    };
    StageVerdict {
        status,
        gate: outcome,
        should_block,
        counts,
        reasons,
        critical_failures,
    }
}

/// "1 test", "3 tests": the one helper for plurals.
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::compile_globs;

    fn gate(fail_when: FailWhen, rate: f64, on_fail: OnFail, critical: &[&str]) -> Gate {
        Gate {
            fail_when,
            max_failure_rate: rate,
            on_fail,
            critical: compile_globs(critical.iter().map(|s| (*s).to_owned()).collect()).unwrap(),
        }
    }

    fn group(passed: usize, failed: usize) -> GroupResult {
        let mut g = GroupResult::skipped("fast", "unit", "");
        g.status = if failed > 0 {
            GroupStatus::Failed
        } else {
            GroupStatus::Passed
        };
        g.reason = None;
        for i in 0..passed + failed {
            g.tests.push(TestResult {
                name: format!("t{i}"),
                classname: "tests.unit.test_x".into(),
                status: if i < passed {
                    TestStatus::Passed
                } else {
                    TestStatus::Failed
                },
                duration: 0.0,
                file: Some("tests/unit/test_x.py".into()),
                message: None,
            });
        }
        g
    }

    #[test]
    fn rate_gate_is_strict_at_the_boundary() {
        let g = gate(FailWhen::Rate, 0.10, OnFail::Block, &[]);
        let v = evaluate(&g, &[group(9, 1)], &[NoTests::Warn]);
        assert_eq!((v.status, v.should_block), (StageStatus::Passed, false));
        let v = evaluate(&g, &[group(19, 1)], &[NoTests::Warn]);
        assert_eq!(v.gate, GateOutcome::Passed);
        let v = evaluate(&g, &[group(17, 3)], &[NoTests::Warn]);
        assert_eq!(
            (v.status, v.gate, v.should_block),
            (StageStatus::Failed, GateOutcome::Failed, true)
        );
    }

    #[test]
    fn any_gate_fails_on_one_failure() {
        let g = gate(FailWhen::Any, 0.0, OnFail::Block, &[]);
        assert!(evaluate(&g, &[group(99, 1)], &[NoTests::Warn]).should_block);
        assert!(!evaluate(&g, &[group(99, 0)], &[NoTests::Warn]).should_block);
    }

    #[test]
    fn warn_and_inform_never_block() {
        let warn = evaluate(
            &gate(FailWhen::Any, 0.0, OnFail::Warn, &[]),
            &[group(1, 1)],
            &[NoTests::Warn],
        );
        assert_eq!(
            (warn.status, warn.gate, warn.should_block),
            (StageStatus::Warned, GateOutcome::Warned, false)
        );
        let inform = evaluate(
            &gate(FailWhen::Any, 0.0, OnFail::Inform, &[]),
            &[group(1, 1)],
            &[NoTests::Warn],
        );
        assert_eq!(
            (inform.gate, inform.should_block),
            (GateOutcome::Informed, false)
        );
    }

    #[test]
    fn a_critical_failure_fails_a_rate_gate() {
        let g = gate(FailWhen::Rate, 0.5, OnFail::Block, &["tests/unit/**"]);
        let v = evaluate(&g, &[group(99, 1)], &[NoTests::Warn]);
        assert!(v.should_block);
        assert_eq!(v.critical_failures, vec!["tests/unit/test_x.py::t99"]);
    }

    #[test]
    fn critical_matches_classname_with_dots_as_slashes() {
        let critical = compile_globs(vec!["tests/security/**".into()]).unwrap();
        let t = TestResult {
            name: "n".into(),
            classname: "tests.security.test_auth".into(),
            status: TestStatus::Failed,
            duration: 0.0,
            file: None,
            message: None,
        };
        assert!(is_critical(&t, &critical));
    }

    #[test]
    fn a_broken_group_fails_a_rate_gate() {
        let mut broken = group(0, 0);
        broken.status = GroupStatus::Timeout;
        broken.reason = Some("timed out".into());
        let v = evaluate(
            &gate(FailWhen::Rate, 0.10, OnFail::Block, &[]),
            &[group(100, 0), broken],
            &[NoTests::Warn, NoTests::Warn],
        );
        assert!(v.should_block);
    }

    #[test]
    fn no_tests_follows_its_policy() {
        let mut empty = group(0, 0);
        empty.status = GroupStatus::NoTests;
        let g = gate(FailWhen::Any, 0.0, OnFail::Block, &[]);
        assert!(!evaluate(&g, &[empty.clone()], &[NoTests::Warn]).should_block);
        assert!(evaluate(&g, &[empty], &[NoTests::Fail]).should_block);
    }

    #[test]
    fn only_skipped_groups_skip_the_stage() {
        let v = evaluate(
            &gate(FailWhen::Any, 0.0, OnFail::Block, &[]),
            &[GroupResult::skipped("s", "g", "why")],
            &[NoTests::Warn],
        );
        assert_eq!(v.status, StageStatus::Skipped);
    }

    #[test]
    fn success_rate_leaves_skipped_out() {
        let c = StageCounts {
            passed: 19,
            failed: 1,
            skipped: 5,
            flaky: 0,
        };
        assert_eq!(c.total(), 25);
        assert!((c.success_rate().unwrap() - 0.95).abs() < 1e-9);
        assert_eq!(StageCounts::default().success_rate(), None);
    }
}
