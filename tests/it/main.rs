//! Integration tests: the built binary, real git repositories in temp
//! folders, real child processes. One test binary, a module per area.

mod browser;
mod support;

mod cache;
mod chained_hooks;
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
mod html;
mod import;
mod import_corpus;
mod import_run;
mod integrity;
mod locks;
mod missing_programs;
mod monorepo;
mod onboarding;
mod output;
mod projects;
mod readme;
mod release;
mod report_merge;
mod reports;
mod safety;
mod sparse_index;
mod toolchain_cache;
mod user_files;
mod verdict_coherence;
mod workdirs;
