//! The one definition of a flaky test, shared by `history --flaky`, the
//! readiness score and the report: in its last 10 non-cached runs, a test
//! that failed then passed on retry in one run, or that both passed and
//! failed on the same inputs (same cache key). A test that failed on one
//! content and passed on another is a fix (or a regression), not flakiness.

use std::collections::BTreeMap;

use super::Record;

/// How many of a test's most recent non-cached runs are looked at.
pub(crate) const WINDOW: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inputs {
    /// A pass and a failure under one cache key (or a failure then a pass in one
    /// run): the code did not change, the outcome did.
    Same,
    /// The outcomes changed with the inputs: maybe a regression that was fixed.
    AcrossChanges,
}

impl Inputs {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Inputs::Same => "same-inputs",
            Inputs::AcrossChanges => "across-changes",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FlakyTest {
    /// `stage.group`.
    pub(crate) group: String,
    pub(crate) id: String,
    pub(crate) runs: usize,
    pub(crate) failures: usize,
    /// Oldest first: `P` passed, `F` failed, `R` failed then passed on retry.
    pub(crate) pattern: String,
    pub(crate) inputs: Inputs,
}

impl FlakyTest {
    pub(crate) fn failure_rate(&self) -> f64 {
        if self.runs == 0 {
            0.0
        } else {
            self.failures as f64 / self.runs as f64
        }
    }
}

/// One run of one test: its letter and the group's key.
struct Run {
    letter: char,
    key: Option<String>,
}

fn letter(status: &str) -> Option<char> {
    match status {
        "passed" => Some('P'),
        "failed" | "error" | "quarantined" => Some('F'),
        "flaky" => Some('R'),
        _ => None,
    }
}

impl FlakyTest {
    /// Flaky by the one definition; the other flip-flops changed with their inputs.
    pub(crate) fn is_flaky(&self) -> bool {
        self.inputs == Inputs::Same
    }
}

/// The flaky tests of a history, most failing first.
pub(crate) fn flaky_tests(records: &[Record]) -> Vec<FlakyTest> {
    flip_flops(records)
        .into_iter()
        .filter(FlakyTest::is_flaky)
        .collect()
}

/// Tests that both passed and failed only across changed inputs: fixed (or
/// broken) by a change, never counted as flaky.
pub(crate) fn changed_with_inputs(records: &[Record]) -> Vec<FlakyTest> {
    flip_flops(records)
        .into_iter()
        .filter(|t| !t.is_flaky())
        .collect()
}

/// Tests that both passed and failed in their recent runs, most failing first.
fn flip_flops(records: &[Record]) -> Vec<FlakyTest> {
    let mut runs: BTreeMap<(String, String), Vec<Run>> = BTreeMap::new();
    for record in records {
        for stage in &record.stages {
            for group in stage.groups.iter().filter(|g| !g.cached) {
                for test in &group.tests {
                    let Some(letter) = letter(&test.status) else {
                        continue;
                    };
                    runs.entry((format!("{}.{}", stage.name, group.name), test.id.clone()))
                        .or_default()
                        .push(Run {
                            letter,
                            key: group.key.clone(),
                        });
                }
            }
        }
    }
    let mut found: Vec<FlakyTest> = runs
        .into_iter()
        .filter_map(|((group, id), all)| {
            let recent = &all[all.len().saturating_sub(WINDOW)..];
            let passed = recent.iter().any(|r| r.letter != 'F');
            let failed = recent.iter().any(|r| r.letter != 'P');
            if !(passed && failed) {
                return None;
            }
            let same = recent.iter().any(|r| r.letter == 'R')
                || recent.iter().any(|p| {
                    p.letter == 'P'
                        && p.key.is_some()
                        && recent.iter().any(|f| f.letter == 'F' && f.key == p.key)
                });
            Some(FlakyTest {
                group,
                id,
                runs: recent.len(),
                failures: recent.iter().filter(|r| r.letter != 'P').count(),
                pattern: recent.iter().map(|r| r.letter).collect(),
                inputs: if same {
                    Inputs::Same
                } else {
                    Inputs::AcrossChanges
                },
            })
        })
        .collect();
    found.sort_by(|a, b| {
        b.failure_rate()
            .total_cmp(&a.failure_rate())
            .then_with(|| a.id.cmp(&b.id))
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::record::{GroupRecord, StageRecord, TestRecord};

    fn run(status: &str, key: &str, cached: bool) -> Record {
        Record {
            stages: vec![StageRecord {
                name: "fast".into(),
                groups: vec![GroupRecord {
                    name: "unit".into(),
                    cached,
                    key: Some(key.into()),
                    tests: vec![
                        TestRecord {
                            id: "t.py::wobbly".into(),
                            status: status.into(),
                            duration: 0.1,
                        },
                        TestRecord {
                            id: "t.py::steady".into(),
                            status: "passed".into(),
                            duration: 0.1,
                        },
                    ],
                    ..GroupRecord::default()
                }],
                ..StageRecord::default()
            }],
            ..Record::default()
        }
    }

    #[test]
    fn alternating_under_one_key_is_flaky_with_the_same_inputs() {
        let records: Vec<Record> = ["passed", "failed", "passed", "failed"]
            .iter()
            .map(|s| run(s, "k1", false))
            .collect();
        let found = flaky_tests(&records);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, "t.py::wobbly");
        assert_eq!(found[0].group, "fast.unit");
        assert_eq!(found[0].pattern, "PFPF");
        assert!((found[0].failure_rate() - 0.5).abs() < 1e-9);
        assert_eq!(found[0].inputs, Inputs::Same);
    }

    #[test]
    fn only_the_last_ten_non_cached_runs_count() {
        let mut records = vec![run("failed", "k0", false)];
        records.extend((0..10).map(|i| run("passed", &format!("k{i}"), false)));
        assert!(
            flaky_tests(&records).is_empty(),
            "the failure is 11 runs back"
        );
        records.push(run("failed", "k9", true));
        assert!(flaky_tests(&records).is_empty(), "cached runs do not count");
        records.push(run("failed", "k10", false));
        let found = changed_with_inputs(&records);
        assert_eq!(found[0].pattern, "PPPPPPPPPF");
        assert_eq!(found[0].inputs, Inputs::AcrossChanges);
        assert!(
            flaky_tests(&records).is_empty(),
            "a new failure on new inputs"
        );
    }

    #[test]
    fn a_failure_fixed_by_a_change_is_not_flaky() {
        let records = [
            run("failed", "broken", false),
            run("passed", "fixed", false),
        ];
        assert!(flaky_tests(&records).is_empty());
        assert_eq!(changed_with_inputs(&records).len(), 1);
        // The same fix, then the same inputs failing again: flaky after all.
        let mut records = records.to_vec();
        records.push(run("failed", "fixed", false));
        assert_eq!(flaky_tests(&records)[0].pattern, "FPF");
    }

    #[test]
    fn a_pass_on_retry_is_flaky_on_its_own() {
        let found = flaky_tests(&[run("flaky", "k", false)]);
        assert_eq!(found[0].pattern, "R");
        assert_eq!(found[0].inputs, Inputs::Same);
    }
}
