//! The record of one run, as one line of `history.jsonl`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cache::Key;
use crate::pipeline::RunOutcome;
use crate::results::GroupStatus;
use crate::select::Selection;

/// Bumped when a field changes meaning; older lines are still read where they can be.
pub(crate) const VERSION: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Record {
    pub(crate) version: u32,
    pub(crate) tiergate_version: String,
    /// RFC 3339, UTC.
    pub(crate) started_at: String,
    pub(crate) command: String,
    /// HEAD when the run started (none before the first commit).
    pub(crate) commit: Option<String>,
    pub(crate) duration: f64,
    /// `passed`, `blocked`, `skipped` (every group was left out), `interrupted` or `error`.
    pub(crate) outcome: String,
    pub(crate) selection: SelectionRecord,
    pub(crate) stages: Vec<StageRecord>,
    /// `"K/N"` for a `--shard K/N` run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) shard: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct SelectionRecord {
    pub(crate) all: bool,
    pub(crate) markers: Vec<String>,
    pub(crate) changed: usize,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct StageRecord {
    pub(crate) name: String,
    /// `passed`, `failed`, `warned`, `skipped`.
    pub(crate) status: String,
    pub(crate) gate: String,
    pub(crate) duration: f64,
    pub(crate) success_rate: Option<f64>,
    pub(crate) budget_status: Option<String>,
    pub(crate) groups: Vec<GroupRecord>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct GroupRecord {
    pub(crate) name: String,
    pub(crate) status: String,
    pub(crate) cached: bool,
    pub(crate) duration: f64,
    /// The group's cache key digest: equal keys mean equal inputs.
    pub(crate) key: Option<String>,
    pub(crate) tests: Vec<TestRecord>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct TestRecord {
    pub(crate) id: String,
    pub(crate) status: String,
    pub(crate) duration: f64,
}

/// What a record is built from, besides the outcome.
pub(crate) struct RunFacts<'a> {
    pub(crate) command: &'a str,
    pub(crate) started_at: std::time::SystemTime,
    pub(crate) commit: Option<String>,
    pub(crate) selection: &'a Selection,
    pub(crate) keys: &'a BTreeMap<(String, String), Key>,
    /// Each stage's budget status word, by position.
    pub(crate) budgets: &'a [Option<&'static str>],
}

impl Record {
    pub(crate) fn of(facts: &RunFacts<'_>, outcome: &RunOutcome) -> Record {
        let outcome_word = outcome.result_word();
        let stages = outcome
            .stages
            .iter()
            .enumerate()
            .map(|(i, stage)| StageRecord {
                name: stage.name.clone(),
                status: serde_plain(&stage.verdict.status),
                gate: serde_plain(&stage.verdict.gate),
                duration: stage.duration,
                success_rate: stage.verdict.counts.success_rate(),
                budget_status: facts.budgets.get(i).copied().flatten().map(str::to_owned),
                groups: stage
                    .groups
                    .iter()
                    .filter(|g| g.status != GroupStatus::Skipped)
                    .map(|g| GroupRecord {
                        name: g.name.clone(),
                        status: g.status.as_str().to_owned(),
                        cached: g.status == GroupStatus::Cached,
                        duration: g.duration,
                        key: facts
                            .keys
                            .get(&(g.stage.clone(), g.name.clone()))
                            .map(|k| k.digest.clone()),
                        tests: g
                            .tests
                            .iter()
                            .map(|t| TestRecord {
                                id: t.id(),
                                status: t.status.as_str().to_owned(),
                                duration: t.duration,
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        Record {
            version: VERSION,
            tiergate_version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at: humantime::format_rfc3339_seconds(facts.started_at).to_string(),
            command: facts.command.to_owned(),
            commit: facts.commit.clone(),
            duration: outcome.duration,
            outcome: outcome_word.to_owned(),
            selection: SelectionRecord {
                all: facts.selection.all,
                markers: facts.selection.markers.iter().cloned().collect(),
                changed: facts.selection.changes.len(),
            },
            stages,
            shard: None,
        }
    }
}

/// A unit enum's serde name (`"passed"`), as the JSON report spells it.
fn serde_plain<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}
