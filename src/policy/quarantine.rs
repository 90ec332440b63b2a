//! `[[quarantine]]` (SPEC 9, 13): a quarantined test keeps running, but its
//! failures are left out of the gates until the entry expires. A test matching
//! the stage's `critical` globs can never be quarantined.
//!
//! Pure, apart from `today_utc`, which reads the clock.

use crate::config::{Globs, Quarantine};
use crate::results::{GroupResult, GroupStatus, TestResult, TestStatus};

use super::is_critical;

/// Today's date in UTC, `YYYY-MM-DD`, the form `expires` is written in.
pub(crate) fn today_utc() -> String {
    let mut day = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    day.truncate(10);
    day
}

/// Whether an entry is still in force: it expires at the end of its day.
/// ISO dates compare correctly as text.
pub(crate) fn in_force(entry: &Quarantine, today: &str) -> bool {
    entry.expires.as_deref().is_none_or(|e| e >= today)
}

/// Whether `pattern` names `test`: its id (`<file>::<name>`), `<classname>::<name>`,
/// `<classname>.<name>`, or the bare name when no other test of the group has it.
pub(crate) fn names(pattern: &str, test: &TestResult, group: &[TestResult]) -> bool {
    if pattern == test.id()
        || pattern == format!("{}::{}", test.classname, test.name)
        || pattern == format!("{}.{}", test.classname, test.name)
    {
        return true;
    }
    pattern == test.name && group.iter().filter(|t| t.name == test.name).count() == 1
}

/// Mark the failures of quarantined tests `quarantined`. Returns notes for the
/// report: expired entries that no longer apply, critical tests refused.
pub(crate) fn apply(
    result: &mut GroupResult,
    quarantine: &[Quarantine],
    critical: &Globs,
    today: &str,
) -> Vec<String> {
    let mut notes = Vec::new();
    if quarantine.is_empty() {
        return notes;
    }
    let snapshot = result.tests.clone();
    let mut quarantined = 0;
    for test in result
        .tests
        .iter_mut()
        .filter(|t| t.status.counts_as_failed())
    {
        let Some(entry) = quarantine.iter().find(|q| names(&q.test, test, &snapshot)) else {
            continue;
        };
        let id = test.id();
        if !in_force(entry, today) {
            notes.push(format!(
                "quarantine of {id} expired on {}: its failure counts",
                entry.expires.as_deref().unwrap_or_default()
            ));
            continue;
        }
        if is_critical(test, critical) {
            notes.push(format!(
                "{id} is critical and cannot be quarantined: its failure counts"
            ));
            continue;
        }
        test.status = TestStatus::Quarantined;
        let why = entry.reason.as_deref().unwrap_or("no reason given");
        test.message = Some(match test.message.take() {
            Some(m) => format!("quarantined ({why}): {m}"),
            None => format!("quarantined ({why})"),
        });
        quarantined += 1;
    }
    if quarantined > 0
        && result.status == GroupStatus::Failed
        && result.count(TestStatus::counts_as_failed) == 0
    {
        result.status = GroupStatus::Passed;
        result.reason = Some(format!(
            "{} failed, left out of the gates",
            super::plural(quarantined, "quarantined test")
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::compile_globs;
    use crate::policy::retry::tests::{group, test};

    fn entry(test: &str, expires: Option<&str>) -> Quarantine {
        Quarantine {
            test: test.into(),
            reason: Some("flaky upstream".into()),
            expires: expires.map(Into::into),
            project: None,
        }
    }

    fn none() -> Globs {
        compile_globs(Vec::new()).unwrap()
    }

    #[test]
    fn an_unexpired_entry_quarantines_and_the_group_passes() {
        let mut g = group(vec![
            test("tests/a.py", "ok", TestStatus::Passed),
            test("tests/a.py", "bad", TestStatus::Failed),
        ]);
        let notes = apply(
            &mut g,
            &[entry("tests/a.py::bad", Some("2027-01-31"))],
            &none(),
            "2027-01-31",
        );
        assert!(notes.is_empty());
        assert_eq!(g.tests[1].status, TestStatus::Quarantined);
        assert_eq!(g.status, GroupStatus::Passed);
    }

    #[test]
    fn an_expired_entry_does_not() {
        let mut g = group(vec![test("tests/a.py", "bad", TestStatus::Failed)]);
        let notes = apply(
            &mut g,
            &[entry("bad", Some("2026-01-31"))],
            &none(),
            "2026-02-01",
        );
        assert_eq!(g.tests[0].status, TestStatus::Failed);
        assert_eq!(g.status, GroupStatus::Failed);
        assert!(notes[0].contains("expired on 2026-01-31"), "{notes:?}");
    }

    #[test]
    fn a_critical_test_cannot_be_quarantined() {
        let mut g = group(vec![test(
            "tests/security/auth.py",
            "t",
            TestStatus::Failed,
        )]);
        let critical = compile_globs(vec!["tests/security/**".to_owned()]).unwrap();
        let notes = apply(
            &mut g,
            &[entry("tests/security/auth.py::t", None)],
            &critical,
            "2026-01-01",
        );
        assert_eq!(g.tests[0].status, TestStatus::Failed);
        assert!(notes[0].contains("critical"));
    }

    #[test]
    fn every_spelling_of_a_test_names_it() {
        let t = test("tests/a.py", "bad", TestStatus::Failed);
        let all = vec![t.clone()];
        for pattern in [
            "tests/a.py::bad",
            "tests.unit::bad",
            "tests.unit.bad",
            "bad",
        ] {
            assert!(names(pattern, &t, &all), "{pattern}");
        }
        let twice = vec![t.clone(), test("tests/b.py", "bad", TestStatus::Passed)];
        assert!(
            !names("bad", &t, &twice),
            "an ambiguous bare name names nothing"
        );
    }
}
