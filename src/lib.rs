//! tiergate: a Git hooks manager and local pre-commit gate.
//!
//! ```text
//!  .tiergate.toml ──► config ──► Config
//!  git (index, HEAD, pre-push stdin) ──► git ──► changes ──► select ──► Selection
//!  Config × Selection × request ──► plan ──► Plan (groups to run, skip reasons)
//!  Plan ──► pipeline ──► exec (slots, process groups, timeouts, signals, services)
//!        ──► results (JUnit → counted groups, hints) ──► policy (gates) ──► report
//!  cache (input keys, stored passes) is asked before a group runs; history
//!  (history.jsonl) records every run and feeds budgets and `tiergate history`.
//!  worktree: stash / restore / snapshot around a hook run, crash recovery
//! ```
//!
//! Beside the pipeline, `import` turns a pre-commit or lefthook config into
//! `.tiergate.toml` text (`tiergate import`).
//!
//! `main` only parses arguments through `cli` and turns the `ExitStatus`
//! into the process exit code.

#[doc(hidden)]
pub mod bench_api;
mod cache;
mod changes;
mod cli;
mod config;
mod env;
mod error;
mod exec;
mod export;
mod git;
mod graph;
mod history;
mod hooks;
mod import;
mod install;
mod pipeline;
mod plan;
mod policy;
mod report;
mod results;
mod runner;
mod select;
mod session;
mod state;
mod ui;
mod worktree;

pub use cli::main as run_cli;
pub use error::ExitStatus;
