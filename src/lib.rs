//! tiergate: a Git hooks manager and local pre-commit gate.
//!
//! ```text
//!  .tiergate.toml ──► config ──► Config
//!  git (index, HEAD, pre-push stdin) ──► git ──► changes ──► select ──► Selection
//!  Config × Selection × request ──► plan ──► Plan (groups to run, skip reasons)
//!  Plan ──► pipeline ──► exec (slots, process groups, timeouts, signals, services)
//!        ──► results (JUnit → counted groups, hints) ──► policy (gates) ──► report
//!  worktree: stash / restore / snapshot around a hook run, crash recovery
//! ```
//!
//! `main` only parses arguments through `cli` and turns the `ExitStatus`
//! into the process exit code.

mod changes;
mod cli;
mod config;
mod env;
mod error;
mod exec;
mod git;
mod install;
mod pipeline;
mod plan;
mod policy;
mod report;
mod results;
mod runner;
mod select;
mod state;
mod ui;
mod worktree;

pub use cli::main as run_cli;
pub use error::ExitStatus;
