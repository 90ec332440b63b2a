//! Integration tests: the built binary, real git repositories in temp
//! folders, real child processes. One test binary, a module per area.

mod support;

mod cache;
mod ci_full;
mod config_errors;
mod example;
mod execution;
mod export;
mod gates;
mod github;
mod graph;
mod history;
mod hooks;
mod import;
mod readme;
mod report_merge;
mod reports;
mod safety;
