//! Integration tests: the built binary, real git repositories in temp
//! folders, real child processes. One test binary, a module per area.

mod support;

mod config_errors;
mod execution;
mod gates;
mod reports;
mod safety;
