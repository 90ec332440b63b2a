//! `tiergate ci-full`: every stage in order, as CI runs them (`CI=true` and
//! `[env]`), the gates between stages, then the deployment verdict of SPEC 9.
//!
//! The gates are the stages' own, which the defaults set as the seed guide's
//! flow draws them: smoke blocks everything, fast warns or blocks by its gate,
//! comprehensive blocks on any critical failure, performance informs.

use std::path::PathBuf;

use super::args::{CiFullArgs, SelectionArgs};
use crate::config::{self, Config, Target};
use crate::error::{Error, ExitStatus};
use crate::git::Repo;
use crate::runner::{self, RunRequest};

/// `history.jsonl` in the state directory (`[settings] state_dir`, default
/// `<git dir>/tiergate`), whether or not it exists yet.
fn history_path(repo: &Repo, config: &Config) -> PathBuf {
    crate::history::path(&crate::state::shared_dir(repo, config))
}

pub(crate) fn run(args: &CiFullArgs) -> Result<ExitStatus, Error> {
    let repo = runner::open_repo()?;
    let config = config::load(repo.root())?;
    let targets: Vec<Target> = config
        .stages
        .iter()
        .map(|s| Target {
            stage: s.name.clone(),
            group: None,
        })
        .collect();
    let selection = SelectionArgs {
        changed_since: args.changed_since.clone(),
        ..SelectionArgs::default()
    };
    let request = RunRequest {
        label: "ci-full".to_owned(),
        targets,
        changes: super::run::selection_request(
            &repo,
            &selection,
            "ci-full: every stage runs in full",
        ),
        jobs: None,
        strict: false,
        save_report: args.output.save_report.clone(),
        junit: args.output.junit.clone(),
        extra_env: vec![(crate::env::CI.to_owned(), "true".to_owned())],
        prometheus: args.output.prometheus.clone(),
        html: args.output.html.clone(),
        verdict_history: Some(history_path(&repo, &config)),
        no_cache: false,
        shard: None,
    };
    crate::exec::install_signal_handlers()
        .map_err(|e| Error::new(format!("cannot install signal handlers: {e}")))?;
    runner::execute(&repo, &config, &request)
}
