//! Gates, and later retries, flaky tests, quarantine, budgets and the verdict.
//!
//! Pure: counted results and the config's policy in, decisions out. No IO.

mod gate;
pub(crate) mod verdict;

pub(crate) use gate::{evaluate, plural, GateOutcome, StageCounts, StageStatus, StageVerdict};
