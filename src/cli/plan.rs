//! `tiergate plan`: what would run and why, without running anything.

use std::ffi::OsString;

use super::args::{PlanArgs, SelectionArgs};
use super::hook::{hook_work, HookName};
use super::run::selection_request;
use crate::changes::{self, Request};
use crate::config::{self, Target};
use crate::error::{Error, ExitStatus};
use crate::plan::{self, Decision, SkipList, Values};
use crate::runner;
use crate::ui;

/// Files shown in a command line before the rest is elided (all with -v).
const SHOWN_FILES: usize = 20;

fn any_selection_flag(args: &SelectionArgs) -> bool {
    args.all
        || args.changed
        || args.staged
        || args.from.is_some()
        || !args.files.is_empty()
        || args.changed_since.is_some()
}

pub(crate) fn run(args: &PlanArgs) -> Result<ExitStatus, Error> {
    let repo = runner::open_repo()?;
    let config = config::load(repo.root())?;
    let hook = match args.targets.first().map(String::as_str) {
        Some("pre-commit") => Some(HookName::PreCommit),
        Some("pre-push") => Some(HookName::PrePush),
        Some("pre-release") => Some(HookName::PreRelease),
        _ => None,
    };
    let (targets, mut request, label): (Vec<Target>, Request, String) = match hook {
        Some(HookName::PrePush) => {
            // No stdin from git here: compare with the branch's upstream.
            let targets = config.hooks.pre_push.stages.clone();
            let request = match repo.range_changes("@{upstream}", None) {
                Ok(changes) => Request::Resolved(changes),
                Err(_) => Request::All("pre-push: no upstream to compare with, everything".into()),
            };
            (
                targets,
                request,
                "plan pre-push (against the upstream branch)".into(),
            )
        }
        Some(h) => {
            let work = hook_work(&repo, &config, h, &[], &[])?;
            (work.targets, work.changes, format!("plan {}", h.as_str()))
        }
        None => {
            let targets = runner::targets(&config, &args.targets)?;
            (
                targets,
                Request::All("--all: every group of the named stages".into()),
                format!("plan {}", args.targets.join(" ")),
            )
        }
    };
    if any_selection_flag(&args.selection) {
        request = selection_request(
            &repo,
            &args.selection,
            "--all: every group of the named stages",
        );
    }
    let selection = changes::selection(&repo, &config, request)?;
    let verbose = ui::verbosity() == ui::Verbosity::Verbose;

    ui::out(&format!(
        "{} {}",
        console::style("tiergate").bold(),
        label.trim()
    ));
    if selection.nothing_changed() {
        ui::out("nothing changed: nothing would run");
        return Ok(ExitStatus::Passed);
    }
    ui::out(&format!("{}", console::style("selection").bold()));
    for why in &selection.why {
        ui::out(&format!("  {why}"));
    }
    if selection.all {
        ui::out("  => everything is selected");
    } else {
        let markers: Vec<&str> = selection.markers.iter().map(String::as_str).collect();
        ui::out(&format!(
            "  => markers: {}",
            if markers.is_empty() {
                "(none)".to_owned()
            } else {
                markers.join(", ")
            }
        ));
    }

    let skip = SkipList::parse(&std::env::var(crate::env::TIERGATE_SKIP).unwrap_or_default());
    let built = plan::build(&config, &targets, &selection, &skip);
    for stage in &built.stages {
        ui::out(&format!(
            "{} {}",
            console::style("stage").bold(),
            stage.stage.name
        ));
        if let Some(why) = &stage.skipped {
            ui::out(&format!("  skip (whole stage): {why}"));
        }
        for group in &stage.groups {
            match &group.decision {
                Decision::Skip { why } => ui::out(&format!(
                    "  {} {}: {why}",
                    console::style("skip").dim(),
                    group.group.name
                )),
                Decision::Run {
                    why,
                    files,
                    markers,
                } => {
                    ui::out(&format!(
                        "  {} {}: {why}",
                        console::style("run ").green(),
                        group.group.name
                    ));
                    let values = Values {
                        markers: plan::markers_expression(markers),
                        workers: group.group.workers,
                        stage: &stage.stage.name,
                        group: &group.group.name,
                        base: selection.base.as_deref(),
                        head: selection.head.as_deref(),
                        coverage: group.group.coverage.as_deref(),
                        junit: None,
                    };
                    let junit = std::path::PathBuf::from("<junit.xml>");
                    let argvs = plan::invocations(
                        &group.group.run,
                        &values,
                        files,
                        &[],
                        plan::argv_budget(),
                        &|_| Some(junit.clone()),
                    );
                    for argv in &argvs {
                        ui::out(&format!("      $ {}", show(argv, verbose)));
                    }
                    if argvs.len() > 1 {
                        ui::out(&format!("      ({} invocations: the file list is split to fit the argument limit)", argvs.len()));
                    }
                }
            }
        }
    }
    Ok(ExitStatus::Passed)
}

fn show(argv: &[OsString], all: bool) -> String {
    let words: Vec<String> = argv
        .iter()
        .map(|a| shell_words::quote(&a.to_string_lossy()).into_owned())
        .collect();
    if all || words.len() <= SHOWN_FILES + 4 {
        words.join(" ")
    } else {
        format!(
            "{} … (+{} more arguments)",
            words[..SHOWN_FILES].join(" "),
            words.len() - SHOWN_FILES
        )
    }
}
