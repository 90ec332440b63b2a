//! `tiergate ci-full`: every stage in order, as CI runs them (`CI=true` and
//! `[env]`), the gates between stages, then the deployment verdict of SPEC 9.
//!
//! The gates are the stages' own, which the defaults set as the seed guide's
//! flow draws them: smoke blocks everything, fast warns or blocks by its gate,
//! comprehensive blocks on any critical failure, performance informs.

use std::path::PathBuf;

use super::args::{CiFullArgs, SelectionArgs};
use crate::config::{self, Config};
use crate::error::{Error, ExitStatus};
use crate::git::Repo;
use crate::runner::{self, RunRequest};
use crate::session::request;

/// `history.jsonl` in the state directory (`[settings] state_dir`, default
/// `<git dir>/tiergate`), whether or not it exists yet.
fn history_path(repo: &Repo, config: &Config) -> PathBuf {
    crate::history::path(&crate::state::shared_dir(repo, config))
}

pub(crate) fn run(args: &CiFullArgs) -> Result<ExitStatus, Error> {
    let repo = runner::open_repo()?;
    let config = config::load(repo.root())?;
    let selection = SelectionArgs {
        changed_since: args.changed_since.clone(),
        ..SelectionArgs::default()
    };
    let all_why = "ci-full: every stage runs in full";
    let wanted = request::Wanted {
        names: Vec::new(),
        every_stage: true,
        changes: Some(super::run::selection_request(&repo, &selection, all_why)),
        all_why: all_why.to_owned(),
        shard: None,
    };
    let resolved = request::resolve(&repo, &config, wanted, false)?;
    let request = RunRequest {
        extra_env: vec![(crate::env::CI.to_owned(), "true".to_owned())],
        verdict_history: Some(history_path(&repo, &config)),
        ..super::run::with_outputs(
            RunRequest::new("ci-full", resolved.targets, resolved.changes),
            &args.output,
        )
    };
    crate::exec::install_signal_handlers()
        .map_err(|e| Error::new(format!("cannot install signal handlers: {e}")))?;
    runner::execute(&repo, &config, &request)
}
