//! `tiergate plan`: what would run and why, without running anything.

use super::args::PlanArgs;
use super::run::selection_request;
use crate::config;
use crate::error::{Error, ExitStatus};
use crate::runner;
use crate::session::{plan_view, request};

pub(crate) fn run(args: &PlanArgs) -> Result<ExitStatus, Error> {
    let repo = runner::open_repo()?;
    let config = config::load(repo.root())?;
    let all_why = "--all: every group of the named stages";
    let wanted = request::Wanted {
        names: args.targets.clone(),
        changes: args
            .selection
            .any()
            .then(|| selection_request(&repo, &args.selection, all_why)),
        every_stage: false,
        all_why: all_why.to_owned(),
        shard: args.shard,
    };
    let resolved = request::resolve(&repo, &config, wanted, true)?;
    plan_view::render(&repo, &config, resolved)
}
