//! The deployment verdict of `ci-full` and `report --merge` (SPEC 9): whether
//! the run is deployment-ready, its readiness score with every term shown, and
//! the decision.
//!
//! Pure: the run's facts in, a `Verdict` out. Where the facts come from (a
//! finished run, merged JSON reports, history) is the caller's business.

use serde::Serialize;

/// Score thresholds of the decisions (SPEC 9).
const DEPLOY: f64 = 95.0;
const DEPLOY_WITH_MONITORING: f64 = 85.0;
const MANUAL_REVIEW: f64 = 75.0;

const CRITICAL_PENALTY: f64 = 20.0;
const FLAKY_PENALTY: f64 = 2.0;
/// "minus 2 per flaky test (at most 10)": the cap is on the points, so five
/// flaky tests cost as much as fifty.
const FLAKY_PENALTY_CAP: f64 = 10.0;
/// Coverage below this percentage costs `COVERAGE_PENALTY` per point.
const COVERAGE_TARGET: f64 = 80.0;
const COVERAGE_PENALTY: f64 = 0.5;
const PERFORMANCE_BONUS: f64 = 5.0;
const SECURITY_BONUS: f64 = 5.0;

/// What the verdict is computed from.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct VerdictFacts {
    /// Tests counted over every stage (skipped ones left out).
    pub(crate) passed: usize,
    pub(crate) failed: usize,
    /// Stages whose gate blocked.
    pub(crate) blocking_stages: Vec<String>,
    /// Ids of failed tests matching a stage's `critical` globs.
    pub(crate) critical_failures: Vec<String>,
    /// Flaky tests: of this run, and from the history when there is one.
    pub(crate) flaky_tests: usize,
    /// Line coverage as a fraction, when a group reported Cobertura coverage.
    pub(crate) coverage: Option<f64>,
    /// `Some(true)` when the performance stage ran within its budget; `None`
    /// when there is no performance stage, it did not run, or has no budget.
    pub(crate) performance_within_budget: Option<bool>,
    /// `Some(true)` when every security group passed and at least one ran;
    /// `None` when none ran.
    pub(crate) security_passed: Option<bool>,
    pub(crate) min_success_rate: f64,
}

/// Ordered by strictness: `Deploy` < `DeployWithMonitoring` < `ManualReview` < `Block`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Decision {
    Deploy,
    DeployWithMonitoring,
    ManualReview,
    Block,
}

impl Decision {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Decision::Deploy => "deploy",
            Decision::DeployWithMonitoring => "deploy_with_monitoring",
            Decision::ManualReview => "manual_review",
            Decision::Block => "block",
        }
    }
}

/// One line of the score: its name, the points it adds (negative: removes),
/// and the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Term {
    #[serde(rename = "term")]
    pub(crate) name: &'static str,
    pub(crate) points: f64,
    pub(crate) detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Verdict {
    pub(crate) deployment_ready: bool,
    pub(crate) readiness_score: f64,
    pub(crate) decision: Decision,
    pub(crate) reasons: Vec<String>,
    pub(crate) success_rate: Option<f64>,
    pub(crate) critical_failures: usize,
    pub(crate) flaky_tests: usize,
    pub(crate) coverage: Option<f64>,
    pub(crate) performance_within_budget: Option<bool>,
    pub(crate) security_passed: Option<bool>,
    pub(crate) terms: Vec<Term>,
}

/// One decimal, as the score is shown: 97.5, never 97.499999.
fn tenth(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

fn percent(fraction: f64) -> String {
    format!("{:.1} %", fraction * 100.0)
}

pub(crate) fn decide(facts: &VerdictFacts) -> Verdict {
    let counted = facts.passed + facts.failed;
    let success_rate = (counted > 0).then(|| facts.passed as f64 / counted as f64);
    let mut reasons = Vec::new();
    let mut terms = Vec::new();

    // No test counted: nothing shows the code works, so the rate term is 0.
    terms.push(Term {
        name: "success rate",
        points: success_rate.unwrap_or(0.0) * 100.0,
        detail: match success_rate {
            Some(rate) => format!("{} of {counted} tests", percent(rate)),
            None => "no test counted".to_owned(),
        },
    });
    let critical = facts.critical_failures.len();
    if critical > 0 {
        terms.push(Term {
            name: "critical failures",
            points: -(critical as f64) * CRITICAL_PENALTY,
            detail: format!("{critical} x -{CRITICAL_PENALTY}"),
        });
    }
    if facts.flaky_tests > 0 {
        terms.push(Term {
            name: "flaky tests",
            points: -(facts.flaky_tests as f64 * FLAKY_PENALTY).min(FLAKY_PENALTY_CAP),
            detail: format!(
                "{} x -{FLAKY_PENALTY}, at most -{FLAKY_PENALTY_CAP}",
                facts.flaky_tests
            ),
        });
    }
    if let Some(coverage) = facts.coverage {
        let points_under = (COVERAGE_TARGET - coverage * 100.0).max(0.0);
        terms.push(Term {
            name: "coverage",
            points: -points_under * COVERAGE_PENALTY,
            detail: if points_under > 0.0 {
                format!(
                    "{} is {points_under:.1} points under {COVERAGE_TARGET} %",
                    percent(coverage)
                )
            } else {
                format!("{} (target {COVERAGE_TARGET} %)", percent(coverage))
            },
        });
    }
    terms.push(Term {
        name: "performance within budget",
        points: if facts.performance_within_budget == Some(true) {
            PERFORMANCE_BONUS
        } else {
            0.0
        },
        detail: match facts.performance_within_budget {
            Some(true) => "budget OK".to_owned(),
            Some(false) => "over budget".to_owned(),
            None => "no performance budget result".to_owned(),
        },
    });
    terms.push(Term {
        name: "security group passed",
        points: if facts.security_passed == Some(true) {
            SECURITY_BONUS
        } else {
            0.0
        },
        detail: match facts.security_passed {
            Some(true) => "every security group passed".to_owned(),
            Some(false) => "a security group did not pass".to_owned(),
            None => "no security group ran".to_owned(),
        },
    });
    let readiness_score = tenth(
        terms
            .iter()
            .map(|t| t.points)
            .sum::<f64>()
            .clamp(0.0, 100.0),
    );

    for stage in &facts.blocking_stages {
        reasons.push(format!("stage {stage} blocked"));
    }
    for id in &facts.critical_failures {
        reasons.push(format!("critical test failed: {id}"));
    }
    let rate_ok = success_rate.is_some_and(|rate| rate + 1e-9 >= facts.min_success_rate);
    match success_rate {
        Some(rate) if !rate_ok => reasons.push(format!(
            "success rate {} is below the minimum {}",
            percent(rate),
            percent(facts.min_success_rate)
        )),
        None => reasons.push("no test counted".to_owned()),
        Some(_) => {}
    }
    // A critical failure is never deployable, whichever stage (blocking or
    // not) it failed in.
    let deployment_ready = facts.blocking_stages.is_empty() && rate_ok && critical == 0;

    let by_score = if readiness_score >= DEPLOY {
        Decision::Deploy
    } else if readiness_score >= DEPLOY_WITH_MONITORING {
        Decision::DeployWithMonitoring
    } else if readiness_score >= MANUAL_REVIEW {
        Decision::ManualReview
    } else {
        Decision::Block
    };
    // The score never overrules readiness: a run that is not deployment-ready
    // goes to a person at best, so the decision and the exit status agree.
    let decision = if critical > 0 {
        Decision::Block
    } else if !deployment_ready && by_score < Decision::ManualReview {
        Decision::ManualReview
    } else {
        by_score
    };
    reasons.push(if critical > 0 {
        "decision block: a critical test failed".to_owned()
    } else if decision == by_score {
        format!(
            "decision {}: readiness score {readiness_score:.1}",
            decision.as_str()
        )
    } else {
        format!(
            "decision {}: not deployment ready (readiness score {readiness_score:.1} alone would say {})",
            decision.as_str(),
            by_score.as_str()
        )
    });

    Verdict {
        deployment_ready,
        readiness_score,
        decision,
        reasons,
        success_rate,
        critical_failures: critical,
        flaky_tests: facts.flaky_tests,
        coverage: facts.coverage,
        performance_within_budget: facts.performance_within_budget,
        security_passed: facts.security_passed,
        terms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(passed: usize, failed: usize) -> VerdictFacts {
        VerdictFacts {
            passed,
            failed,
            min_success_rate: 0.80,
            ..VerdictFacts::default()
        }
    }

    #[test]
    fn a_blocked_stage_is_manual_review_at_best_whatever_the_score() {
        let v = decide(&VerdictFacts {
            blocking_stages: vec!["smoke".into()],
            performance_within_budget: Some(true),
            security_passed: Some(true),
            ..facts(99, 1)
        });
        assert!(v.readiness_score >= DEPLOY, "{}", v.readiness_score);
        assert!(!v.deployment_ready);
        assert_eq!(v.decision, Decision::ManualReview);
        assert!(
            v.reasons.iter().any(|r| r.contains("not deployment ready")),
            "{:?}",
            v.reasons
        );

        // Under min_success_rate is not deployment-ready either.
        let v = decide(&VerdictFacts {
            min_success_rate: 0.999,
            performance_within_budget: Some(true),
            security_passed: Some(true),
            ..facts(99, 1)
        });
        assert!(!v.deployment_ready);
        assert_eq!(v.decision, Decision::ManualReview);

        // A low score stays a block.
        let v = decide(&VerdictFacts {
            blocking_stages: vec!["smoke".into()],
            ..facts(50, 50)
        });
        assert_eq!(v.decision, Decision::Block);
    }

    #[test]
    fn a_critical_failure_in_a_stage_that_does_not_block_is_block_and_not_ready() {
        let v = decide(&VerdictFacts {
            critical_failures: vec!["tests/test_pay.py::test_charge".into()],
            ..facts(1000, 1)
        });
        assert!(!v.deployment_ready);
        assert_eq!(v.decision, Decision::Block);
    }

    #[test]
    fn a_clean_run_with_both_bonuses_is_capped_at_100() {
        let v = decide(&VerdictFacts {
            performance_within_budget: Some(true),
            security_passed: Some(true),
            ..facts(100, 0)
        });
        assert!((v.readiness_score - 100.0).abs() < 1e-9);
        assert_eq!(v.decision, Decision::Deploy);
        assert!(v.deployment_ready);
    }

    #[test]
    fn every_term_counts_as_the_spec_says() {
        // 95 % success, 3 flaky (-6), coverage 72 % (8 points under: -4),
        // performance within budget (+5), security passed (+5):
        // 95 - 6 - 4 + 5 + 5 = 95.0 → deploy.
        let v = decide(&VerdictFacts {
            flaky_tests: 3,
            coverage: Some(0.72),
            performance_within_budget: Some(true),
            security_passed: Some(true),
            ..facts(19, 1)
        });
        assert!((v.readiness_score - 95.0).abs() < 1e-9, "{v:?}");
        assert_eq!(v.decision, Decision::Deploy);
        let points: Vec<(&str, f64)> = v.terms.iter().map(|t| (t.name, t.points)).collect();
        assert_eq!(
            points,
            vec![
                ("success rate", 95.0),
                ("flaky tests", -6.0),
                ("coverage", -4.0),
                ("performance within budget", 5.0),
                ("security group passed", 5.0),
            ]
        );
    }

    #[test]
    fn the_flaky_penalty_stops_at_ten_points() {
        let v = decide(&VerdictFacts {
            flaky_tests: 40,
            ..facts(100, 0)
        });
        assert!((v.readiness_score - 90.0).abs() < 1e-9);
        assert_eq!(v.decision, Decision::DeployWithMonitoring);
    }

    #[test]
    fn a_critical_failure_always_blocks_the_decision() {
        let v = decide(&VerdictFacts {
            critical_failures: vec!["tests/security/test_auth.py::test_login".into()],
            performance_within_budget: Some(true),
            security_passed: Some(true),
            ..facts(999, 1)
        });
        // 99.9 - 20 + 5 + 5 = 89.9, which alone would deploy with monitoring.
        assert!((v.readiness_score - 89.9).abs() < 1e-9, "{v:?}");
        assert_eq!(v.decision, Decision::Block);
    }

    #[test]
    fn decision_thresholds_are_inclusive() {
        let at = |passed: usize| decide(&facts(passed, 100 - passed)).decision;
        assert_eq!(at(95), Decision::Deploy);
        assert_eq!(at(94), Decision::DeployWithMonitoring);
        assert_eq!(at(85), Decision::DeployWithMonitoring);
        assert_eq!(at(84), Decision::ManualReview);
        assert_eq!(at(75), Decision::ManualReview);
        assert_eq!(at(74), Decision::Block);
    }

    #[test]
    fn readiness_needs_no_block_and_the_minimum_rate() {
        assert!(decide(&facts(80, 20)).deployment_ready);
        let low = decide(&facts(79, 21));
        assert!(!low.deployment_ready);
        assert!(low.reasons.iter().any(|r| r.contains("below the minimum")));
        let blocked = decide(&VerdictFacts {
            blocking_stages: vec!["fast".into()],
            ..facts(100, 0)
        });
        assert!(!blocked.deployment_ready);
        assert!(blocked.reasons.contains(&"stage fast blocked".to_owned()));
    }

    #[test]
    fn no_test_counted_is_not_ready_and_scores_zero_for_the_rate() {
        let v = decide(&facts(0, 0));
        assert!(!v.deployment_ready);
        assert_eq!(v.success_rate, None);
        assert_eq!(v.decision, Decision::Block);
    }

    #[test]
    fn coverage_at_or_above_the_target_costs_nothing() {
        let v = decide(&VerdictFacts {
            coverage: Some(0.9),
            ..facts(100, 0)
        });
        assert!((v.readiness_score - 100.0).abs() < 1e-9);
    }

    #[test]
    fn a_failed_security_group_gives_no_bonus() {
        let v = decide(&VerdictFacts {
            security_passed: Some(false),
            ..facts(90, 10)
        });
        assert!((v.readiness_score - 90.0).abs() < 1e-9);
    }

    #[test]
    fn the_score_never_goes_below_zero() {
        let v = decide(&VerdictFacts {
            critical_failures: (0..10).map(|i| format!("t{i}")).collect(),
            ..facts(10, 10)
        });
        assert!(v.readiness_score.abs() < 1e-9);
    }
}
