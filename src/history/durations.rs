//! Each test file's expected duration, from the JUnit times of past runs:
//! what `--shard K/N` splits a group's files by.

use std::collections::BTreeMap;

use super::Record;

/// Per `(stage, group)`, each file's seconds: the sum of its tests' times in
/// the most recent run of that group that ran it (a cached replay is left
/// out: its times are those of an older run). A test's file is the part of
/// its id before `::` (`tests/test_api.py::test_get`); a test known only by
/// its class names no file and is not counted.
pub(crate) fn file_durations(
    records: &[Record],
) -> BTreeMap<(String, String), BTreeMap<String, f64>> {
    let mut out: BTreeMap<(String, String), BTreeMap<String, f64>> = BTreeMap::new();
    for record in records.iter().rev() {
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
        let got = file_durations(&records);
        let unit = &got[&("fast".to_owned(), "unit".to_owned())];
        assert_eq!(unit.get("tests/test_a.py"), Some(&1.5));
        assert_eq!(unit.get("tests/test_b.py"), Some(&2.0));
        assert_eq!(unit.len(), 2);
    }
}
