//! `tiergate run`: stages or groups, by name or with --stage/--group.

use super::args::{OutputArgs, RunArgs, SelectionArgs};
use crate::changes::{self, Request};
use crate::config;
use crate::error::{Error, ExitStatus};
use crate::git::Repo;
use crate::runner::{self, RunRequest};
use crate::session::request;

pub(crate) fn selection_request(repo: &Repo, args: &SelectionArgs, default: &str) -> Request {
    if args.staged {
        Request::Staged
    } else if args.changed {
        Request::Changed
    } else if let Some(from) = &args.from {
        Request::Range {
            from: from.clone(),
            to: args.to.clone(),
        }
    } else if let Some(since) = &args.changed_since {
        Request::Since(since.clone())
    } else if let Some(commit) = &args.commit {
        Request::Commit(commit.clone())
    } else if !args.files.is_empty() {
        Request::Files(changes::relative_paths(repo, &args.files))
    } else {
        Request::All(default.to_owned())
    }
}

/// The report files a run's flags ask for.
pub(crate) fn with_outputs(request: RunRequest, output: &OutputArgs) -> RunRequest {
    RunRequest {
        save_report: output.save_report.clone(),
        junit: output.junit.clone(),
        prometheus: output.prometheus.clone(),
        html: output.html.clone(),
        ..request
    }
}

/// `--stage S --group G` → `S.G`; a lone `--group G` finds its stage.
fn names(args: &RunArgs, config: &config::Config) -> Result<Vec<String>, Error> {
    let mut names = args.targets.clone();
    match (args.stage.as_slice(), args.group.as_slice()) {
        ([], []) => {}
        (stages, []) => names.extend(stages.iter().cloned()),
        ([stage], groups) => names.extend(groups.iter().map(|g| format!("{stage}.{g}"))),
        ([], groups) => {
            for group in groups {
                let owners: Vec<&str> = config
                    .stages
                    .iter()
                    .filter(|s| s.group(group).is_some())
                    .map(|s| s.name.as_str())
                    .collect();
                match owners.as_slice() {
                    [one] => names.push(format!("{one}.{group}")),
                    [] => {
                        return Err(Error::new(format!("no stage has a group `{group}`"))
                            .hint("name the stage too: --stage STAGE --group GROUP"))
                    }
                    many => {
                        return Err(Error::new(format!(
                            "group `{group}` is in several stages: {}",
                            many.join(", ")
                        ))
                        .hint("name the stage too: --stage STAGE --group GROUP"))
                    }
                }
            }
        }
        (_, _) => {
            return Err(Error::new("--group needs exactly one --stage")
                .hint("write `tiergate run fast.unit api.core` to name groups of several stages"))
        }
    }
    Ok(names)
}

pub(crate) fn run(args: &RunArgs) -> Result<ExitStatus, Error> {
    let repo = runner::open_repo()?;
    let config = config::load(repo.root())?;
    let all_why = "--all: every group of the named stages";
    let wanted = request::Wanted {
        names: names(args, &config)?,
        changes: Some(selection_request(&repo, &args.selection, all_why)),
        every_stage: false,
        all_why: all_why.to_owned(),
        shard: args.shard,
    };
    let resolved = request::resolve(&repo, &config, wanted, false)?;
    let label = format!("run {}", resolved.label).trim_end().to_owned();
    let request = RunRequest {
        jobs: args.jobs.map(|j| j as usize),
        strict: args.exit_on_failure,
        no_cache: args.no_cache,
        shard: resolved.shard,
        ..with_outputs(
            RunRequest::new(label, resolved.targets, resolved.changes),
            &args.output,
        )
    };
    crate::exec::install_signal_handlers()
        .map_err(|e| Error::new(format!("cannot install signal handlers: {e}")))?;
    runner::execute(&repo, &config, &request)
}
