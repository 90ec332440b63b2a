//! `<state_dir>/history.jsonl`: one JSON record per run, and what is read back
//! from it (flaky tests, trends, budget baselines).
//!
//! Owns that file only. A record is appended with one `write` of a whole line on
//! a file opened with `O_APPEND`, so concurrent runs never interleave; a line
//! cut short by a crash is skipped on read.
//!
//! - `record.rs`: the record of a run, built from its outcome
//! - `flaky.rs`: the one definition of a flaky test (pure)
//! - `trends.rs`: success rate and duration per stage over time (pure)
//! - `slowest.rs`: the slowest groups, and when a test last failed (pure)
//! - `durations.rs`: each test file's expected time, for `--shard` (pure)

mod durations;
mod flaky;
mod record;
mod slowest;
mod trends;

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::cache;
use crate::config::Config;
use crate::git::Repo;
use crate::pipeline::RunOutcome;
use crate::policy::budget::BudgetStatus;
use crate::policy::StageStatus;
use crate::select::Selection;

pub(crate) use flaky::{changed_with_inputs, flaky_tests, FlakyTest, WINDOW as FLAKY_WINDOW};
pub(crate) use record::Record;
use record::RunFacts;
pub(crate) use slowest::{last_failures, slowest_groups};
pub(crate) use trends::{bar, sparkline, stage_trends, StageTrend};

/// How many earlier runs of a stage make its duration baseline.
const BASELINE_RUNS: usize = 20;

/// Each stage's duration baseline: its earlier full runs of the same set of
/// groups (a commit that ran one group is not compared with a push that ran
/// five). `None` for a stage that did not run. Problems reading the history
/// are returned as warnings: the history is advisory, a run never fails on it.
pub(crate) fn baselines(
    repo: &Repo,
    config: &Config,
    outcome: &RunOutcome,
) -> (Vec<Option<Vec<f64>>>, Vec<String>) {
    let mut problems = Vec::new();
    let path = path(&crate::state::shared_dir(repo, config));
    let ran: Vec<(usize, StageGroups<'_>)> = outcome
        .stages
        .iter()
        .enumerate()
        .filter(|(_, s)| s.skipped.is_none() && s.verdict.status != StageStatus::Skipped)
        .map(|(i, s)| (i, (s.name.as_str(), groups_that_ran(&s.groups))))
        .collect();
    let wanted: Vec<StageGroups<'_>> = ran.iter().map(|(_, s)| s.clone()).collect();
    let found = read_baselines(&path, &wanted, BASELINE_RUNS).unwrap_or_else(|e| {
        problems.push(format!("cannot read the history {}: {e}", path.display()));
        vec![Vec::new(); wanted.len()]
    });
    let mut baselines = vec![None; outcome.stages.len()];
    for ((i, _), durations) in ran.iter().zip(found) {
        baselines[*i] = Some(durations);
    }
    (baselines, problems)
}

/// A stage's name and the names of the groups that ran in it, sorted.
pub(crate) type StageGroups<'a> = (&'a str, Vec<String>);

/// The groups a record keeps (skipped ones are left out), sorted by name.
fn groups_that_ran(groups: &[crate::results::GroupResult]) -> Vec<String> {
    let mut names: Vec<String> = groups
        .iter()
        .filter(|g| g.status != crate::results::GroupStatus::Skipped)
        .map(|g| g.name.clone())
        .collect();
    names.sort();
    names
}

/// Each test file's expected seconds per `(stage, group)`, from the history
/// of the state dir (which CI carries between runs). An unreadable history
/// is a warning and no durations: the split is then by count.
pub(crate) fn file_durations(
    repo: &Repo,
    config: &Config,
) -> std::collections::BTreeMap<(String, String), std::collections::BTreeMap<String, f64>> {
    let path = path(&crate::state::shared_dir(repo, config));
    match read(&path) {
        Ok(records) => {
            let head = repo.head_commit().map(|c| c.to_string());
            durations::file_durations(&records, head.as_deref())
        }
        Err(e) => {
            crate::ui::warn(&format!(
                "cannot read the history {}: {e}; shards are split by file count",
                path.display()
            ));
            std::collections::BTreeMap::new()
        }
    }
}

/// Append this run to the history, with each stage's budget status as
/// judged by policy. Returns problems worth a warning.
#[expect(
    clippy::too_many_arguments,
    reason = "the facts of one run, each from a different step"
)]
pub(crate) fn remember(
    repo: &Repo,
    config: &Config,
    command: &str,
    started_at: std::time::SystemTime,
    selection: &Selection,
    outcome: &RunOutcome,
    cache: Option<&cache::Session>,
    budgets: &[Option<BudgetStatus>],
    shard: Option<String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let path = path(&crate::state::shared_dir(repo, config));
    let words: Vec<Option<&'static str>> = budgets
        .iter()
        .map(|b| b.as_ref().map(|b| b.level.as_str()))
        .collect();
    let keys = cache.map(cache::Session::keys).unwrap_or_default();
    let mut record = Record::of(
        &RunFacts {
            command,
            started_at,
            commit: repo.head_commit().map(|c| c.to_string()),
            selection,
            keys: &keys,
            budgets: &words,
        },
        outcome,
    );
    record.shard = shard;
    if let Err(e) = append(&path, &record) {
        problems.push(format!(
            "cannot append to the history {}: {e}",
            path.display()
        ));
    }
    problems
}

/// Past this size the file is cut to its most recent records.
const MAX_BYTES: u64 = 16 * 1024 * 1024;
/// How many records a cut keeps.
const KEEP_RECORDS: usize = 2_000;

pub(crate) fn path(state_dir: &Path) -> PathBuf {
    state_dir.join("history.jsonl")
}

/// Append one record as one line.
pub(crate) fn append(path: &Path, record: &Record) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(record).map_err(std::io::Error::other)?;
    line.push(b'\n');
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .open(path)?;
    // A line cut short by a crash would swallow this one: start a fresh line.
    let len = file.metadata()?.len();
    if len > 0 {
        let mut last = [0u8; 1];
        file.seek(SeekFrom::Start(len - 1))?;
        file.read_exact(&mut last)?;
        if last[0] != b'\n' {
            line.insert(0, b'\n');
        }
    }
    // One write of the whole line: with O_APPEND, the kernel places it at the
    // end in one piece.
    file.write_all(&line)?;
    if len + line.len() as u64 > MAX_BYTES {
        cut(path)?;
    }
    Ok(())
}

/// Keep the most recent records only, rewritten atomically. A record another
/// run appends during the rewrite may be lost; the history is advisory.
fn cut(path: &Path) -> std::io::Result<()> {
    let text = std::fs::read(path)?;
    let lines: Vec<&[u8]> = text
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let keep = &lines[lines.len().saturating_sub(KEEP_RECORDS)..];
    let mut out = Vec::with_capacity(text.len() / 2);
    for line in keep {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    crate::state::write_atomic(path, &out)
}

/// Every readable record, oldest first. A missing file is an empty history;
/// an unreadable line (cut short, or from another version) is skipped.
pub(crate) fn read(path: &Path) -> std::io::Result<Vec<Record>> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(parse(&text))
}

/// How much of the file's end the baselines may read.
const RECENT_BYTES: u64 = 2 * 1024 * 1024;
/// The file is read backwards in blocks of this size.
const BLOCK: u64 = 64 * 1024;

/// Only what a duration baseline needs from a record: serde skips the rest
/// (every test of every group) without building it. This runs on every
/// hook, so it reads from the end and stops as soon as each stage has
/// `limit` runs.
#[derive(serde::Deserialize)]
struct Durations {
    #[serde(default)]
    stages: Vec<StageDuration>,
}

#[derive(serde::Deserialize)]
struct StageDuration {
    #[serde(default)]
    name: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    duration: f64,
    #[serde(default)]
    groups: Vec<GroupCached>,
}

#[derive(serde::Deserialize)]
struct GroupCached {
    #[serde(default)]
    name: String,
    #[serde(default)]
    cached: bool,
}

/// The duration baselines of `stages`: each stage's last `limit` full
/// (non-cached, not skipped) runs of the same set of groups, oldest first,
/// from the newest records of the file (at most its last 2 MB).
pub(crate) fn read_baselines(
    path: &Path,
    stages: &[StageGroups<'_>],
    limit: usize,
) -> std::io::Result<Vec<Vec<f64>>> {
    let mut found: Vec<Vec<f64>> = vec![Vec::new(); stages.len()];
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    let floor = len.saturating_sub(RECENT_BYTES);
    let mut end = len;
    // A record is parsed only when it names one of the stages, as serde_json writes a name:
    // a stage with few runs in a long history (a new stage, a hook that rarely runs) would
    // otherwise parse up to `RECENT_BYTES` of JSON on every run (issue 21: 7 M of a
    // commit-msg hook's 13 M instructions).
    let needles: Vec<Vec<u8>> = stages
        .iter()
        .map(|(name, _)| {
            let mut quoted = serde_json::to_vec(name).unwrap_or_default();
            let mut needle = b"\"name\":".to_vec();
            needle.append(&mut quoted);
            needle
        })
        .collect();
    let names_a_stage = |line: &[u8]| {
        needles
            .iter()
            .any(|n| memchr::memmem::find(line, n).is_some())
    };
    // Bytes of a line whose start lies in an earlier block.
    let mut carry: Vec<u8> = Vec::new();
    'blocks: while end > floor && found.iter().any(|d| d.len() < limit) {
        let start = end.saturating_sub(BLOCK).max(floor);
        let mut block = vec![0u8; usize::try_from(end - start).unwrap_or(0)];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut block)?;
        block.extend_from_slice(&carry);
        // Complete lines are those after the first newline, unless this
        // block starts at the file's (or the window's) beginning.
        let first = if start == 0 {
            0
        } else {
            block
                .iter()
                .position(|b| *b == b'\n')
                .map_or(block.len(), |i| i + 1)
        };
        carry = block[..first].to_vec();
        for line in block[first..]
            .split(|b| *b == b'\n')
            .rev()
            .filter(|l| !l.is_empty() && names_a_stage(l))
        {
            let Ok(record) = serde_json::from_slice::<Durations>(line) else {
                continue;
            };
            for stage in record.stages {
                let mut groups: Vec<&str> = stage.groups.iter().map(|g| g.name.as_str()).collect();
                groups.sort_unstable();
                let Some(i) = stages
                    .iter()
                    .position(|(name, wanted)| *name == stage.name && *wanted == groups)
                else {
                    continue;
                };
                let full = stage.status != "skipped"
                    && !stage.groups.is_empty()
                    && stage.groups.iter().all(|g| !g.cached);
                if full && found[i].len() < limit {
                    found[i].push(stage.duration);
                }
            }
            if found.iter().all(|d| d.len() >= limit) {
                break 'blocks;
            }
        }
        end = start;
    }
    for durations in &mut found {
        durations.reverse();
    }
    Ok(found)
}

fn parse(text: &[u8]) -> Vec<Record> {
    text.split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .filter_map(|l| serde_json::from_slice(l).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use record::{GroupRecord, StageRecord, TestRecord};

    fn record(command: &str) -> Record {
        Record {
            command: command.into(),
            ..Record::default()
        }
    }

    #[test]
    fn baselines_read_the_newest_full_runs_across_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let path = path(dir.path());
        // Big records, so the file spans many 64 KB blocks.
        let padding: Vec<TestRecord> = (0..400)
            .map(|i| TestRecord {
                id: format!("tests/test_{i}.py::test_something_long_{i}"),
                status: "passed".into(),
                duration: 0.1,
            })
            .collect();
        for run in 0..60 {
            let group = GroupRecord {
                name: "g".into(),
                status: "passed".into(),
                cached: run % 10 == 9,
                tests: padding.clone(),
                ..GroupRecord::default()
            };
            let stage = StageRecord {
                name: "fast".into(),
                status: "passed".into(),
                duration: f64::from(run),
                groups: vec![group],
                ..StageRecord::default()
            };
            append(
                &path,
                &Record {
                    stages: vec![stage],
                    ..Record::default()
                },
            )
            .unwrap();
        }
        let g = || vec!["g".to_owned()];
        let found = read_baselines(&path, &[("fast", g()), ("absent", g())], 5).unwrap();
        // The newest five full runs, oldest first: 59 was cached, so 54..58.
        assert_eq!(found[0], vec![54.0, 55.0, 56.0, 57.0, 58.0]);
        assert!(found[1].is_empty());
        assert!(
            read_baselines(&dir.path().join("none.jsonl"), &[("fast", g())], 5).unwrap()[0]
                .is_empty()
        );
    }

    /// Budget warnings fired on ordinary commits: a commit running one group
    /// of a stage was compared with the median of pushes running all of them.
    #[test]
    fn baselines_compare_a_stage_only_with_runs_of_the_same_groups() {
        let dir = tempfile::tempdir().unwrap();
        let path = path(dir.path());
        let group = |name: &str| GroupRecord {
            name: name.into(),
            status: "passed".into(),
            ..GroupRecord::default()
        };
        for run in 0..6 {
            let groups = if run % 2 == 0 {
                vec![group("unit")]
            } else {
                vec![group("unit"), group("clippy")]
            };
            let stage = StageRecord {
                name: "fast".into(),
                status: "passed".into(),
                duration: f64::from(run),
                groups,
                ..StageRecord::default()
            };
            append(
                &path,
                &Record {
                    stages: vec![stage],
                    ..Record::default()
                },
            )
            .unwrap();
        }
        let found = read_baselines(
            &path,
            &[
                ("fast", vec!["unit".to_owned()]),
                ("fast", vec!["clippy".to_owned(), "unit".to_owned()]),
            ],
            5,
        )
        .unwrap();
        assert_eq!(found[0], vec![0.0, 2.0, 4.0]);
        assert_eq!(found[1], vec![1.0, 3.0, 5.0]);
    }

    #[test]
    fn appended_records_read_back_and_a_cut_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = path(dir.path());
        append(&path, &record("one")).unwrap();
        // A crash in the middle of a write.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"version\":1,\"comm").unwrap();
        let read_back = read(&path).unwrap();
        assert_eq!(read_back.len(), 1);
        append(&path, &record("two")).unwrap();
        let commands: Vec<String> = read(&path)
            .unwrap()
            .into_iter()
            .map(|r| r.command)
            .collect();
        assert_eq!(commands, ["one", "two"]);
    }

    #[test]
    fn a_missing_history_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(&dir.path().join("nope.jsonl")).unwrap().is_empty());
    }
}
