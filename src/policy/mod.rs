//! Gates, retries, flaky tests, quarantine, budgets and the verdict.
//!
//! Pure: counted results and the config's policy in, decisions out. No IO.
//!
//! - `gate.rs`: a stage's gate
//! - `retry.rs`: retries, `{failed}`, flaky tests and `flaky_result`
//! - `quarantine.rs`: `[[quarantine]]` with expiry; critical tests refused
//! - `budget.rs`: stage budgets and the 1.5x-median baseline

pub(crate) mod budget;
mod gate;
pub(crate) mod quarantine;
pub(crate) mod retry;
pub(crate) mod verdict;

pub(crate) use gate::{
    evaluate, is_critical, plural, GateOutcome, StageCounts, StageStatus, StageVerdict,
};
