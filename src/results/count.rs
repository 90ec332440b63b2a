//! Counting one group run: exit statuses and JUnit files → a `GroupResult`.
//!
//! The rules are SPEC 2 and 13: with `{junit}`, the tests are what the JUnit
//! says; without it, the group is one test, passed iff its exit code is
//! accepted. A group asked for JUnit that wrote none, or crashed, is an
//! `error`: its denominator is unknown.

use std::path::PathBuf;

use super::junit::{self, CaseStatus};
use super::runner_output;
use super::{GroupResult, GroupStatus, TestResult, TestStatus};
use crate::exec::{Exit, Finished};

/// pytest's "no tests were collected": with zero tests in the JUnit it means
/// `no-tests`, not a crash.
const PYTEST_NO_TESTS: i32 = 5;

/// What one run of a group produced: one `Finished` per invocation (chunk),
/// and the JUnit path each was given, when the command asked for one.
pub(crate) struct Attempt {
    pub(crate) finished: Vec<Finished>,
    pub(crate) junit: Vec<PathBuf>,
    pub(crate) asked_junit: bool,
    pub(crate) timeout: Option<std::time::Duration>,
}

fn case_status(status: CaseStatus) -> TestStatus {
    match status {
        CaseStatus::Passed => TestStatus::Passed,
        CaseStatus::Failed => TestStatus::Failed,
        CaseStatus::Error => TestStatus::Error,
        CaseStatus::Skipped => TestStatus::Skipped,
    }
}

pub(crate) fn count(
    stage: &str,
    name: &str,
    command: String,
    attempt: &Attempt,
    ok_exit_codes: &[i32],
) -> GroupResult {
    let duration: f64 = attempt
        .finished
        .iter()
        .map(|f| f.duration.as_secs_f64())
        .sum();
    let mut output = Vec::new();
    for f in &attempt.finished {
        output.extend_from_slice(&f.output);
    }
    let output = String::from_utf8_lossy(&output).into_owned();
    let mut result = GroupResult {
        stage: stage.to_owned(),
        name: name.to_owned(),
        status: GroupStatus::Passed,
        exit_code: None,
        duration,
        reason: None,
        tests: Vec::new(),
        output,
        hints: Vec::new(),
        command,
        coverage: None,
        locks: Vec::new(),
        lock_wait_ms: None,
    };

    // The first exit that is not accepted decides; else the last one.
    let mut bad_exit: Option<&Exit> = None;
    for f in &attempt.finished {
        if let Exit::Code(code) = f.exit {
            result.exit_code = Some(code);
        }
        let accepted = matches!(f.exit, Exit::Code(code) if ok_exit_codes.contains(&code));
        if !accepted && bad_exit.is_none() {
            bad_exit = Some(&f.exit);
            if let Exit::Code(code) = f.exit {
                result.exit_code = Some(code);
            }
        }
    }

    if attempt.asked_junit {
        let mut missing = Vec::new();
        for path in &attempt.junit {
            match junit::parse_file(path) {
                Ok(cases) => result.tests.extend(cases.into_iter().map(|c| TestResult {
                    name: c.name,
                    classname: c.classname,
                    status: case_status(c.status),
                    duration: c.duration,
                    file: c.file,
                    message: c.message,
                })),
                Err(e) => missing.push(e.to_string()),
            }
        }
        match bad_exit {
            Some(Exit::TimedOut) => return timed_out(result, attempt),
            Some(exit @ (Exit::Signal(_) | Exit::Interrupted | Exit::NotStarted(_))) => {
                return crashed(result, exit)
            }
            _ => {}
        }
        if !missing.is_empty() {
            result.status = GroupStatus::Error;
            result.reason = Some(format!(
                "asked for JUnit but wrote none that could be read: {}",
                missing.join("; ")
            ));
            return result;
        }
        let failing = result.tests.iter().any(|t| t.status.counts_as_failed());
        if result.tests.is_empty() {
            match bad_exit {
                None | Some(Exit::Code(PYTEST_NO_TESTS)) => {
                    result.status = GroupStatus::NoTests;
                    result.reason = Some("the runner collected no tests".into());
                }
                Some(exit) => {
                    result.status = GroupStatus::Error;
                    result.reason = Some(format!("{} and reported no tests", describe(exit)));
                }
            }
            return result;
        }
        if failing {
            result.status = GroupStatus::Failed;
            let n = result
                .tests
                .iter()
                .filter(|t| t.status.counts_as_failed())
                .count();
            result.reason = Some(format!("{n} of {} tests failed", result.tests.len()));
        } else if let Some(exit) = bad_exit {
            result.status = GroupStatus::Error;
            result.reason = Some(format!("{} although every test passed", describe(exit)));
        }
        return result;
    }

    if let Some(summary) =
        runner_output::summary(&result.output).filter(|s| s.passed + s.failed + s.skipped > 0)
    {
        match bad_exit {
            Some(Exit::TimedOut) => return timed_out(result, attempt),
            Some(exit @ (Exit::Signal(_) | Exit::Interrupted | Exit::NotStarted(_))) => {
                return crashed(result, exit)
            }
            _ => {}
        }
        result.tests = tests_of_summary(&summary, name);
        if summary.failed > 0 {
            result.status = GroupStatus::Failed;
            result.reason = Some(format!(
                "{} of {} tests failed",
                summary.failed,
                summary.passed + summary.failed + summary.skipped
            ));
        } else if let Some(exit) = bad_exit {
            // The runner's summary says every test passed, yet the command
            // failed (a binary that did not build, a leak check): the count
            // cannot be trusted.
            result.status = GroupStatus::Error;
            result.reason = Some(format!("{} although every test passed", describe(exit)));
        }
        return result;
    }

    // Without JUnit or a runner's summary the group is one test named after itself.
    let status = match bad_exit {
        None => TestStatus::Passed,
        Some(Exit::TimedOut) => return timed_out(result, attempt),
        Some(exit @ (Exit::Signal(_) | Exit::Interrupted | Exit::NotStarted(_))) => {
            return crashed(result, exit)
        }
        Some(Exit::Code(_)) => TestStatus::Failed,
    };
    result.tests.push(TestResult {
        name: name.to_owned(),
        classname: stage.to_owned(),
        status,
        duration,
        file: None,
        message: None,
    });
    if let Some(exit) = bad_exit {
        result.status = GroupStatus::Failed;
        result.reason = Some(describe(exit));
    }
    result
}

/// The tests a runner's summary counts: the ones it named, then as many
/// unnamed ones as its counts say (a quiet runner names only failures).
fn tests_of_summary(summary: &runner_output::Summary, group: &str) -> Vec<TestResult> {
    let test = |classname: &str, name: &str, status, file: Option<String>, message| TestResult {
        name: name.to_owned(),
        classname: classname.to_owned(),
        status,
        duration: 0.0,
        file,
        message,
    };
    let mut tests = Vec::new();
    for failure in &summary.failures {
        let (classname, file) = match summary.runner {
            runner_output::Runner::Pytest
                if std::path::Path::new(&failure.place)
                    .extension()
                    .is_some_and(|e| e == "py") =>
            {
                (
                    failure.place.trim_end_matches(".py").replace('/', "."),
                    Some(failure.place.clone()),
                )
            }
            _ if failure.place.is_empty() => (group.to_owned(), None),
            _ => (failure.place.clone(), None),
        };
        tests.push(test(
            &classname,
            &failure.name,
            TestStatus::Failed,
            file,
            failure.message.clone(),
        ));
    }
    for i in summary.failures.len()..summary.failed {
        tests.push(test(
            group,
            &format!("failed test {}", i + 1),
            TestStatus::Failed,
            None,
            None,
        ));
    }
    for i in 0..summary.passed {
        let name = summary
            .passed_names
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("passed test {}", i + 1));
        tests.push(test(group, &name, TestStatus::Passed, None, None));
    }
    for i in 0..summary.skipped {
        tests.push(test(
            group,
            &format!("skipped test {}", i + 1),
            TestStatus::Skipped,
            None,
            None,
        ));
    }
    tests
}

fn timed_out(mut result: GroupResult, attempt: &Attempt) -> GroupResult {
    result.status = GroupStatus::Timeout;
    result.reason = Some(match attempt.timeout {
        Some(limit) => format!("timed out after {}", humantime::format_duration(limit)),
        None => "timed out".to_owned(),
    });
    result
}

fn crashed(mut result: GroupResult, exit: &Exit) -> GroupResult {
    result.status = GroupStatus::Error;
    result.reason = Some(describe(exit));
    result
}

pub(crate) fn describe(exit: &Exit) -> String {
    match exit {
        Exit::Code(code) => format!("exited with code {code}"),
        Exit::Signal(signal) => format!("killed by signal {signal}"),
        Exit::TimedOut => "timed out".to_owned(),
        Exit::Interrupted => "interrupted".to_owned(),
        Exit::NotStarted(why) => why.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn finished(exit: Exit) -> Finished {
        Finished {
            exit,
            output: b"out\n".to_vec(),
            duration: Duration::from_millis(10),
        }
    }

    fn attempt(exits: Vec<Exit>, junit: Vec<PathBuf>, asked: bool) -> Attempt {
        Attempt {
            finished: exits.into_iter().map(finished).collect(),
            junit,
            asked_junit: asked,
            timeout: None,
        }
    }

    fn junit_file(dir: &std::path::Path, name: &str, passed: usize, failed: usize) -> PathBuf {
        let mut xml = String::from("<testsuite>");
        for i in 0..passed {
            xml.push_str(&format!("<testcase classname=\"t\" name=\"p{i}\"/>"));
        }
        for i in 0..failed {
            xml.push_str(&format!(
                "<testcase classname=\"t\" name=\"f{i}\"><failure message=\"boom\"/></testcase>"
            ));
        }
        xml.push_str("</testsuite>");
        let path = dir.join(name);
        std::fs::write(&path, xml).unwrap();
        path
    }

    #[test]
    fn without_junit_a_group_is_one_test() {
        let r = count(
            "smoke",
            "imports",
            String::new(),
            &attempt(vec![Exit::Code(0)], vec![], false),
            &[0],
        );
        assert_eq!(
            (r.status, r.tests.len(), r.tests[0].status),
            (GroupStatus::Passed, 1, TestStatus::Passed)
        );
        let r = count(
            "smoke",
            "imports",
            String::new(),
            &attempt(vec![Exit::Code(1)], vec![], false),
            &[0],
        );
        assert_eq!(
            (r.status, r.tests[0].status, r.exit_code),
            (GroupStatus::Failed, TestStatus::Failed, Some(1))
        );
    }

    #[test]
    fn ok_exit_codes_are_accepted() {
        let r = count(
            "s",
            "g",
            String::new(),
            &attempt(vec![Exit::Code(5)], vec![], false),
            &[0, 5],
        );
        assert_eq!(r.status, GroupStatus::Passed);
    }

    #[test]
    fn junit_counts_are_the_tests() {
        let dir = tempfile::tempdir().unwrap();
        let a = junit_file(dir.path(), "a.xml", 19, 1);
        let r = count(
            "fast",
            "unit",
            String::new(),
            &attempt(vec![Exit::Code(1)], vec![a], true),
            &[0],
        );
        assert_eq!(r.status, GroupStatus::Failed);
        assert_eq!(r.tests.len(), 20);
        assert_eq!(r.count(TestStatus::counts_as_failed), 1);
    }

    #[test]
    fn chunks_are_merged() {
        let dir = tempfile::tempdir().unwrap();
        let a = junit_file(dir.path(), "a.xml", 3, 0);
        let b = junit_file(dir.path(), "b.xml", 4, 0);
        let r = count(
            "f",
            "g",
            String::new(),
            &attempt(vec![Exit::Code(0), Exit::Code(0)], vec![a, b], true),
            &[0],
        );
        assert_eq!((r.status, r.tests.len()), (GroupStatus::Passed, 7));
    }

    #[test]
    fn missing_junit_is_an_error() {
        let r = count(
            "f",
            "g",
            String::new(),
            &attempt(vec![Exit::Code(0)], vec!["/nonexistent/x.xml".into()], true),
            &[0],
        );
        assert_eq!(r.status, GroupStatus::Error);
        assert!(r.reason.unwrap().contains("JUnit"));
    }

    #[test]
    fn zero_tests_is_no_tests_even_with_pytest_exit_5() {
        let dir = tempfile::tempdir().unwrap();
        let a = junit_file(dir.path(), "a.xml", 0, 0);
        let r = count(
            "f",
            "g",
            String::new(),
            &attempt(vec![Exit::Code(5)], vec![a.clone()], true),
            &[0],
        );
        assert_eq!(r.status, GroupStatus::NoTests);
        let r = count(
            "f",
            "g",
            String::new(),
            &attempt(vec![Exit::Code(2)], vec![a], true),
            &[0],
        );
        assert_eq!(r.status, GroupStatus::Error);
    }

    #[test]
    fn a_bad_exit_with_passing_tests_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let a = junit_file(dir.path(), "a.xml", 2, 0);
        let r = count(
            "f",
            "g",
            String::new(),
            &attempt(vec![Exit::Code(3)], vec![a], true),
            &[0],
        );
        assert_eq!(r.status, GroupStatus::Error);
    }

    #[test]
    fn timeouts_and_signals_are_not_plain_failures() {
        let r = count(
            "f",
            "g",
            String::new(),
            &attempt(vec![Exit::TimedOut], vec![], false),
            &[0],
        );
        assert_eq!(r.status, GroupStatus::Timeout);
        let r = count(
            "f",
            "g",
            String::new(),
            &attempt(vec![Exit::Signal(9)], vec![], false),
            &[0],
        );
        assert_eq!(r.status, GroupStatus::Error);
    }
}
