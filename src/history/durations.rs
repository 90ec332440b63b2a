//! Each test file's expected duration, from the JUnit times of past runs:
//! what `--shard K/N` splits a group's files by.

use std::collections::BTreeMap;

use super::Record;

/// Per `(stage, group)`, each file's seconds: the sum of its tests' times in
/// the most recent run of that group that ran it (a cached replay is left
/// out: its times are those of an older run). A test's file is the part of
/// its id before `::` (`tests/test_api.py::test_get`); a test known only by
/// its class names no file and is not counted.
///
/// The shards of one commit (`head`) leave each other's records out: every
/// shard must split with the same durations, and the first to finish would
/// otherwise change them for the next (the shards run one after the other
/// in one clone, or a CI job is re-run after the others saved their history).
pub(crate) fn file_durations(
    records: &[Record],
    head: Option<&str>,
) -> BTreeMap<(String, String), BTreeMap<String, f64>> {
    let mut out: BTreeMap<(String, String), BTreeMap<String, f64>> = BTreeMap::new();
    let sibling = |r: &Record| r.shard.is_some() && head.is_some() && r.commit.as_deref() == head;
    for record in records.iter().rev().filter(|r| !sibling(r)) {
        for stage in &record.stages {
            for group in stage.groups.iter().filter(|g| !g.cached) {
                let mut this_run: BTreeMap<&str, f64> = BTreeMap::new();
                for test in &group.tests {
                    let Some((file, _)) = test.id.split_once("::") else {
                        continue;
                    };
                    if !file.contains(['/', '.']) {
                        continue;
                    }
                    *this_run.entry(file).or_default() += test.duration.max(0.0);
                }
                let known = out
                    .entry((stage.name.clone(), group.name.clone()))
                    .or_default();
                for (file, seconds) in this_run {
                    known.entry(file.to_owned()).or_insert(seconds);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::record::{GroupRecord, StageRecord, TestRecord};

    fn run(cached: bool, tests: &[(&str, f64)]) -> Record {
        Record {
            stages: vec![StageRecord {
                name: "fast".into(),
                groups: vec![GroupRecord {
                    name: "unit".into(),
                    cached,
                    tests: tests
                        .iter()
                        .map(|(id, d)| TestRecord {
                            id: (*id).into(),
                            status: "passed".into(),
                            duration: *d,
                        })
                        .collect(),
                    ..GroupRecord::default()
                }],
                ..StageRecord::default()
            }],
            ..Record::default()
        }
    }

    #[test]
    fn a_file_takes_the_sum_of_its_tests_in_its_latest_run() {
        let records = vec![
            run(
                false,
                &[("tests/test_a.py::t1", 9.0), ("tests/test_b.py::t1", 2.0)],
            ),
            run(
                false,
                &[("tests/test_a.py::t1", 1.0), ("tests/test_a.py::t2", 0.5)],
            ),
            // A replay carries old times: ignored.
            run(true, &[("tests/test_a.py::t1", 100.0)]),
            // A classname-only id names no file.
            run(false, &[("TestSuite::t1", 3.0)]),
        ];
        let got = file_durations(&records, None);
        let unit = &got[&("fast".to_owned(), "unit".to_owned())];
        assert_eq!(unit.get("tests/test_a.py"), Some(&1.5));
        assert_eq!(unit.get("tests/test_b.py"), Some(&2.0));
        assert_eq!(unit.len(), 2);
    }

    #[test]
    fn shards_of_the_same_commit_do_not_read_each_other_s_times() {
        let mut sibling = run(false, &[("tests/test_a.py::t1", 50.0)]);
        sibling.shard = Some("1/2".into());
        sibling.commit = Some("abc".into());
        let mut earlier = run(false, &[("tests/test_a.py::t1", 4.0)]);
        earlier.shard = Some("1/2".into());
        earlier.commit = Some("old".into());
        let records = vec![earlier, sibling];
        let got = file_durations(&records, Some("abc"));
        let seconds = got[&("fast".to_owned(), "unit".to_owned())]["tests/test_a.py"];
        assert!((seconds - 4.0).abs() < 1e-9, "{seconds}");
        let later = file_durations(&records, Some("def"));
        let seconds = later[&("fast".to_owned(), "unit".to_owned())]["tests/test_a.py"];
        assert!((seconds - 50.0).abs() < 1e-9, "{seconds}");
    }
}
