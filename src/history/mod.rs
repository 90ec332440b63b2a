//! `<state_dir>/history.jsonl`: one JSON record per run, and what is read back
//! from it (flaky tests, trends, budget baselines).
//!
//! Owns that file only. A record is appended with one `write` of a whole line on
//! a file opened with `O_APPEND`, so concurrent runs never interleave; a line
//! cut short by a crash is skipped on read.
//!
//! - `record.rs`: the record of a run, built from its outcome
//! - `flaky.rs`: tests that both passed and failed lately (pure)
//! - `trends.rs`: success rate and duration per stage over time (pure)

mod flaky;
mod record;
mod trends;

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::cache;
use crate::config::Config;
use crate::git::Repo;
use crate::pipeline::RunOutcome;
use crate::policy::budget::{self, BudgetStatus};
use crate::policy::StageStatus;
use crate::select::Selection;

pub(crate) use flaky::{flaky_tests, FlakyTest, WINDOW as FLAKY_WINDOW};
pub(crate) use record::Record;
use record::RunFacts;
pub(crate) use trends::{bar, sparkline, stage_trends, StageTrend};

/// How many earlier runs of a stage make its duration baseline.
const BASELINE_RUNS: usize = 20;

/// Judge each stage's duration against its budget and its own recent runs, then
/// append this run to the history. Returns each stage's budget status, and
/// problems worth a warning (the history is advisory: a run never fails on it).
pub(crate) fn remember(
    repo: &Repo,
    config: &Config,
    command: &str,
    started_at: std::time::SystemTime,
    selection: &Selection,
    outcome: &RunOutcome,
    cache: Option<&cache::Session>,
) -> (Vec<Option<BudgetStatus>>, Vec<String>) {
    let mut problems = Vec::new();
    let path = path(&crate::state::shared_dir(repo, config));
    let records = read_recent(&path).unwrap_or_else(|e| {
        problems.push(format!("cannot read the history {}: {e}", path.display()));
        Vec::new()
    });
    let budgets: Vec<Option<BudgetStatus>> = outcome
        .stages
        .iter()
        .map(|stage| {
            if stage.skipped.is_some() || stage.verdict.status == StageStatus::Skipped {
                return None;
            }
            let budget = config.stage(&stage.name).and_then(|s| s.budget.as_ref());
            let baseline = stage_baseline(&records, &stage.name, BASELINE_RUNS);
            budget::evaluate(stage.duration, budget, &baseline)
        })
        .collect();
    let words: Vec<Option<&'static str>> = budgets
        .iter()
        .map(|b| b.as_ref().map(|b| b.level.as_str()))
        .collect();
    let keys = cache.map(cache::Session::keys).unwrap_or_default();
    let record = Record::of(
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
    if let Err(e) = append(&path, &record) {
        problems.push(format!(
            "cannot append to the history {}: {e}",
            path.display()
        ));
    }
    (budgets, problems)
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

/// How much of the file's end `read_recent` reads.
const RECENT_BYTES: u64 = 2 * 1024 * 1024;

/// The records in the last 2 MB of the file: enough for budget baselines,
/// and cheap however long the history has grown.
pub(crate) fn read_recent(path: &Path) -> std::io::Result<Vec<Record>> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    let start = len.saturating_sub(RECENT_BYTES);
    file.seek(SeekFrom::Start(start))?;
    let mut text = Vec::new();
    file.read_to_end(&mut text)?;
    // Reading from the middle of a line: drop its partial start.
    let text = if start > 0 {
        match text.iter().position(|b| *b == b'\n') {
            Some(i) => &text[i + 1..],
            None => &[][..],
        }
    } else {
        &text[..]
    };
    Ok(parse(text))
}

fn parse(text: &[u8]) -> Vec<Record> {
    text.split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .filter_map(|l| serde_json::from_slice(l).ok())
        .collect()
}

/// The durations of a stage's earlier full runs (no group cached, not skipped),
/// most recent last, at most `limit`: the baseline for budgets.
pub(crate) fn stage_baseline(records: &[Record], stage: &str, limit: usize) -> Vec<f64> {
    let mut durations: Vec<f64> = records
        .iter()
        .flat_map(|r| &r.stages)
        .filter(|s| s.name == stage && s.status != "skipped")
        .filter(|s| !s.groups.is_empty() && s.groups.iter().all(|g| !g.cached))
        .map(|s| s.duration)
        .collect();
    let start = durations.len().saturating_sub(limit);
    durations.drain(..start);
    durations
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(command: &str) -> Record {
        Record {
            command: command.into(),
            ..Record::default()
        }
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
