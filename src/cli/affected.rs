//! `tiergate affected`: the test files a change affects, for scripts and other tools.
//!
//! Only names go to stdout (one a line, or NUL-terminated with `-z`); why
//! everything is affected, or that nothing is, goes to stderr.

use super::args::AffectedArgs;
use super::run::selection_request;
use crate::changes::{self, Request};
use crate::config;
use crate::error::{Error, ExitStatus};
use crate::runner;
use crate::select::Scope;
use crate::ui;

pub(crate) fn run(args: &AffectedArgs) -> Result<ExitStatus, Error> {
    let repo = runner::open_repo()?;
    let config = config::load(repo.root())?;
    let globs: Vec<&config::Globs> = config
        .stages
        .iter()
        .flat_map(|s| &s.groups)
        .filter_map(|g| g.tests.as_ref())
        .collect();
    if globs.is_empty() {
        return Err(Error::new("no group has `tests` globs, so no test file can be affected")
            .hint("add the test files a group owns, e.g. tests = [\"tests/**/test_*.py\"], and pass them with {tests}"));
    }
    let request = if args.selection.any() {
        selection_request(&repo, &args.selection, "--all: every test file")
    } else {
        Request::Changed
    };
    let selection = changes::selection(&repo, &config, request)?;
    if selection.nothing_changed() {
        ui::err("nothing changed: no test file is affected");
        return Ok(ExitStatus::Passed);
    }
    let owned = |p: &[u8]| globs.iter().any(|g| g.is_match(p));
    let affected = selection.affected.as_deref();
    let everything = if let Scope::Everything(why) = &selection.scope {
        Some(why.clone())
    } else if selection.beyond_graph_all {
        Some("a path the import graph does not judge selects everything".to_owned())
    } else {
        affected.and_then(|a| a.everything.clone())
    };
    let names: Vec<Vec<u8>> = match (&everything, affected) {
        (Some(why), _) => {
            ui::err(&format!("every test file is affected: {why}"));
            let tracked = match affected {
                Some(a) if !a.tracked.is_empty() => a.tracked.clone(),
                _ => repo.tracked_files().map_err(|e| changes::git_error(&e))?,
            };
            tracked.into_iter().filter(|p| owned(p)).collect()
        }
        (None, Some(a)) => a.chains.keys().filter(|p| owned(p)).cloned().collect(),
        (None, None) => Vec::new(),
    };
    if names.is_empty() {
        ui::err("no test file is affected");
    }
    let end: &[u8] = if args.nul { b"\0" } else { b"\n" };
    let mut out = Vec::new();
    for name in names {
        out.extend_from_slice(&name);
        out.extend_from_slice(end);
    }
    ui::out_raw(&out);
    Ok(ExitStatus::Passed)
}
