//! Retries and flaky tests (SPEC 9): whether a failed group is run again,
//! which tests `{failed}` names, and how attempts merge into one result.
//!
//! Pure: the caller runs the attempts.

use crate::config::FlakyResult;
use crate::results::{GroupResult, GroupStatus, TestResult, TestStatus};

/// More failures than this share of a group's tests means a broken
/// environment, not flakiness: no retry.
pub(crate) const MAX_RETRY_SHARE: f64 = 0.20;

/// Whether a failed group gets another attempt; `Err` says why not.
///
/// Only test failures are retried: a timeout or a crash has no count of what
/// failed, and re-running it would mostly repeat the wait. A single failure is
/// always retried, however small the group (one failure cannot tell a broken
/// environment from a flaky test).
pub(crate) fn should_retry(result: &GroupResult) -> Result<(), String> {
    if result.status != GroupStatus::Failed {
        return Err(format!("not retried: the group {}", result.status.as_str()));
    }
    let failed = result.count(TestStatus::counts_as_failed);
    let counted = failed + result.count(TestStatus::counts_as_passed);
    if failed > 1 && counted > 0 && failed as f64 / counted as f64 > MAX_RETRY_SHARE {
        return Err(format!(
            "not retried: {failed} of {counted} tests failed, more than {:.0} % (a broken environment, not flakiness)",
            MAX_RETRY_SHARE * 100.0
        ));
    }
    Ok(())
}

/// The argument `{failed}` gives a failed test: pytest's node id
/// `<file>::<name>` when the JUnit names the file, else the bare test name,
/// which cargo-nextest, `cargo test` and `go test -run` take as a filter.
pub(crate) fn failed_argument(test: &TestResult) -> String {
    match &test.file {
        Some(file) => format!("{file}::{}", test.name),
        None => test.name.clone(),
    }
}

/// The `{failed}` arguments of a result.
pub(crate) fn failed_arguments(result: &GroupResult) -> Vec<String> {
    let mut args: Vec<String> = result
        .tests
        .iter()
        .filter(|t| t.status.counts_as_failed())
        .map(failed_argument)
        .collect();
    args.dedup();
    args
}

/// Merge a retry into the result so far. `only_failed`: the retry ran just the
/// failed tests (`{failed}`), so the earlier passes stand; otherwise the retry
/// is a full run and its own results stand. A test that failed before and
/// passes now is `flaky`.
pub(crate) fn merge(
    earlier: GroupResult,
    retry: GroupResult,
    only_failed: bool,
    attempt: u32,
) -> GroupResult {
    if !matches!(
        retry.status,
        GroupStatus::Passed | GroupStatus::Failed | GroupStatus::NoTests
    ) {
        // The retry itself broke: keep what the first attempts counted, and say so.
        let mut result = earlier;
        result.duration += retry.duration;
        let note = format!(
            "retry {attempt}: {}",
            retry.reason.as_deref().unwrap_or(retry.status.as_str())
        );
        result.reason = Some(match result.reason {
            Some(r) => format!("{r}; {note}"),
            None => note,
        });
        return result;
    }
    let failed_before: Vec<String> = earlier
        .tests
        .iter()
        .filter(|t| t.status.counts_as_failed() || t.status == TestStatus::Flaky)
        .map(TestResult::id)
        .collect();
    let mut tests = if only_failed {
        let mut tests = earlier.tests.clone();
        for new in &retry.tests {
            match tests.iter_mut().find(|t| t.id() == new.id()) {
                Some(old) if old.status.counts_as_failed() => {
                    old.status = new.status;
                    old.duration += new.duration;
                    if new.status.counts_as_failed() {
                        old.message.clone_from(&new.message);
                    }
                }
                Some(_) => {}
                None => tests.push(new.clone()),
            }
        }
        tests
    } else {
        retry.tests.clone()
    };
    for test in &mut tests {
        if test.status == TestStatus::Passed && failed_before.contains(&test.id()) {
            test.status = TestStatus::Flaky;
        }
    }
    let mut result = retry;
    result.duration += earlier.duration;
    result.tests = tests;
    restate(&mut result, attempt);
    result
}

/// The group's status and reason from its merged tests.
fn restate(result: &mut GroupResult, attempt: u32) {
    let failed = result.count(TestStatus::counts_as_failed);
    let flaky = result.count(|s| s == TestStatus::Flaky);
    let retries = if attempt == 1 {
        "1 retry".to_owned()
    } else {
        format!("{attempt} retries")
    };
    if failed > 0 {
        result.status = GroupStatus::Failed;
        result.reason = Some(format!(
            "{failed} of {} tests failed after {retries}",
            result.tests.len()
        ));
    } else {
        result.status = GroupStatus::Passed;
        result.reason = (flaky > 0).then(|| {
            format!(
                "passed after {retries}: {}",
                super::plural(flaky, "flaky test")
            )
        });
    }
}

/// `flaky_result = "fail"`: a flaky test counts as failed. It keeps its
/// message, saying it passed on retry, so the report tells it from a plain failure.
pub(crate) fn apply_flaky_result(result: &mut GroupResult, policy: FlakyResult) {
    if policy == FlakyResult::Pass {
        return;
    }
    let mut flaky = 0;
    for test in result
        .tests
        .iter_mut()
        .filter(|t| t.status == TestStatus::Flaky)
    {
        test.status = TestStatus::Failed;
        test.message = Some(
            "flaky: failed, then passed on retry (flaky_result = \"fail\" counts it as failed)"
                .into(),
        );
        flaky += 1;
    }
    if flaky > 0 {
        result.status = GroupStatus::Failed;
        result.reason = Some(format!(
            "{} counted as failed (flaky_result = \"fail\")",
            super::plural(flaky, "flaky test")
        ));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn test(file: &str, name: &str, status: TestStatus) -> TestResult {
        TestResult {
            name: name.into(),
            classname: "tests.unit".into(),
            status,
            duration: 0.1,
            file: Some(file.into()),
            message: None,
        }
    }

    pub(crate) fn group(tests: Vec<TestResult>) -> GroupResult {
        let mut g = GroupResult::skipped("fast", "unit", "x");
        g.reason = None;
        g.status = if tests.iter().any(|t| t.status.counts_as_failed()) {
            GroupStatus::Failed
        } else {
            GroupStatus::Passed
        };
        g.tests = tests;
        g.duration = 1.0;
        g
    }

    fn many(passed: usize, failed: usize) -> GroupResult {
        let mut tests = Vec::new();
        for i in 0..passed {
            tests.push(test("t.py", &format!("p{i}"), TestStatus::Passed));
        }
        for i in 0..failed {
            tests.push(test("t.py", &format!("f{i}"), TestStatus::Failed));
        }
        group(tests)
    }

    #[test]
    fn the_twenty_percent_guard() {
        assert!(
            should_retry(&many(8, 2)).is_ok(),
            "2 of 10 is not more than 20 %"
        );
        assert!(should_retry(&many(7, 3)).is_err(), "3 of 10 is");
        assert!(
            should_retry(&many(0, 1)).is_ok(),
            "a lone failure is retried"
        );
        let mut timeout = many(1, 0);
        timeout.status = GroupStatus::Timeout;
        assert!(should_retry(&timeout).is_err());
    }

    #[test]
    fn failed_arguments_are_node_ids_or_names() {
        let mut g = many(1, 1);
        g.tests.push(TestResult {
            file: None,
            ..test("", "tests::it_works", TestStatus::Error)
        });
        assert_eq!(failed_arguments(&g), ["t.py::f0", "tests::it_works"]);
    }

    #[test]
    fn a_retry_of_the_failed_tests_marks_the_passing_ones_flaky() {
        let first = many(2, 2);
        let retry = group(vec![
            test("t.py", "f0", TestStatus::Passed),
            test("t.py", "f1", TestStatus::Failed),
        ]);
        let merged = merge(first, retry, true, 1);
        let statuses: Vec<_> = merged.tests.iter().map(|t| t.status).collect();
        assert_eq!(
            statuses,
            [
                TestStatus::Passed,
                TestStatus::Passed,
                TestStatus::Flaky,
                TestStatus::Failed
            ]
        );
        assert_eq!(merged.status, GroupStatus::Failed);
        assert!((merged.duration - 2.0).abs() < 1e-9);
    }

    #[test]
    fn a_full_retry_that_passes_makes_the_group_pass_with_flaky_tests() {
        let merged = merge(many(3, 1), many(4, 0), false, 1);
        // `many(4, 0)` names its tests p0..p3; f0 is gone from the full rerun.
        assert_eq!(merged.status, GroupStatus::Passed);
        let mut first = many(0, 1);
        first.tests[0].name = "x".into();
        let mut again = many(0, 0);
        again.tests = vec![test("t.py", "x", TestStatus::Passed)];
        let merged = merge(first, again, false, 1);
        assert_eq!(merged.tests[0].status, TestStatus::Flaky);
        assert_eq!(merged.status, GroupStatus::Passed);
        assert_eq!(
            merged.reason.as_deref(),
            Some("passed after 1 retry: 1 flaky test")
        );

        let mut failing = merged.clone();
        apply_flaky_result(&mut failing, FlakyResult::Fail);
        assert_eq!(failing.status, GroupStatus::Failed);
        assert_eq!(failing.tests[0].status, TestStatus::Failed);
    }

    #[test]
    fn a_broken_retry_keeps_the_earlier_count() {
        let mut broken = many(0, 0);
        broken.status = GroupStatus::Timeout;
        broken.reason = Some("timed out after 1s".into());
        let merged = merge(many(3, 1), broken, true, 1);
        assert_eq!(merged.status, GroupStatus::Failed);
        assert!(merged.reason.unwrap().contains("retry 1: timed out"));
    }
}
