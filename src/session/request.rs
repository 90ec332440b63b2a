//! Flags turned into one resolved request: the targets, the changes, the
//! hook's values and the shard that `run`, `ci-full` and `plan` act on. The
//! commands differ in what they do with it, not in how it is worked out, so
//! `plan` shows what `run` or the hook would do.

use crate::changes::{self, Request};
use crate::config::{Config, Target};
use crate::error::Error;
use crate::git::Repo;
use crate::hooks::{HookKind as HookName, HookValues};
use crate::plan::Shard;
use crate::runner;
use crate::session::hook::hook_work;

/// What a command's flags ask for, before it is resolved against the
/// repository and the config.
pub(crate) struct Wanted {
    /// Stages and groups, or (`plan`) a hook's name followed by git's
    /// arguments to it.
    pub(crate) names: Vec<String>,
    /// Every stage in order, whatever `names` says (`ci-full`).
    pub(crate) every_stage: bool,
    /// The changes the selection flags name; `None`: the command's default.
    pub(crate) changes: Option<Request>,
    /// Why everything is selected when nothing narrows it.
    pub(crate) all_why: String,
    pub(crate) shard: Option<Shard>,
}

/// What a command acts on.
pub(crate) struct Resolved {
    /// The hook named first, for `plan HOOK`.
    pub(crate) hook: Option<HookName>,
    pub(crate) targets: Vec<Target>,
    pub(crate) changes: Request,
    /// The placeholders' values of a hook's run (`{msg_file}`...).
    pub(crate) hook_values: Option<HookValues>,
    pub(crate) shard: Option<Shard>,
    /// What follows the command's name in its label: the names, or the hook
    /// and its input.
    pub(crate) label: String,
}

/// Stages and groups by name; a hook's name only when `hooks` is set (`run`
/// has no hooks: a stage may share a hook's name there).
pub(crate) fn resolve(
    repo: &Repo,
    config: &Config,
    wanted: Wanted,
    hooks: bool,
) -> Result<Resolved, Error> {
    let hook = wanted
        .names
        .first()
        .filter(|_| hooks)
        .and_then(|name| HookName::from_name(name));
    let mut hook_values = None;
    let (targets, changes, label): (Vec<Target>, Request, String) = match hook {
        Some(HookName::PrePush) => {
            // No stdin from git here: the line git would send for the
            // current branch, compared with the remote's tracking refs.
            let targets = config.hooks.pre_push.stages.clone();
            match wanted.changes {
                // The flags say what to compare with, not the remote.
                Some(changes) => (targets, changes, "pre-push".into()),
                None => {
                    let remote = wanted.names.get(1).map(String::as_str);
                    let (changes, which) = repo
                        .planned_push(remote)
                        .map_err(|e| changes::git_error(&e))?;
                    (
                        targets,
                        Request::Resolved(changes),
                        format!("pre-push ({which})"),
                    )
                }
            }
        }
        Some(h) if !h.spec().default => {
            let (git_args, stdin, assumed) = assumed_input(repo, h, &wanted.names[1..]);
            let work = hook_work(repo, config, h, &git_args, &stdin)?;
            hook_values = Some(crate::hooks::hook_values(h, &git_args));
            let label = match assumed {
                Some(assumed) => format!("{} (assuming {assumed})", h.as_str()),
                None => format!("{} {}", h.as_str(), git_args.join(" ")),
            };
            (work.targets, wanted.changes.unwrap_or(work.changes), label)
        }
        Some(h) => {
            let work = hook_work(repo, config, h, &[], &[])?;
            let changes = wanted.changes.unwrap_or(work.changes);
            (work.targets, changes, h.as_str().to_owned())
        }
        None if wanted.every_stage => (
            config
                .stages
                .iter()
                .map(|s| Target {
                    stage: s.name.clone(),
                    group: None,
                })
                .collect(),
            wanted.changes.unwrap_or(Request::All(wanted.all_why)),
            String::new(),
        ),
        None => (
            runner::targets(config, &wanted.names)?,
            wanted.changes.unwrap_or(Request::All(wanted.all_why)),
            wanted.names.join(" "),
        ),
    };
    Ok(Resolved {
        hook,
        targets,
        changes,
        hook_values,
        shard: wanted.shard,
        label,
    })
}

/// What git would give `hook`, when `plan HOOK` is not given git's arguments
/// after the name: the message file git writes for a commit, the last move of
/// HEAD for a checkout or a rewrite, the branch's upstream for a rebase. The
/// third value says what was assumed (`None`: the arguments were given).
fn assumed_input(
    repo: &Repo,
    hook: HookName,
    given: &[String],
) -> (Vec<String>, Vec<u8>, Option<String>) {
    let pair = b"HEAD@{1} HEAD\n".to_vec();
    if !given.is_empty() {
        let stdin = if hook.spec().reads_stdin {
            pair
        } else {
            Vec::new()
        };
        return (given.to_vec(), stdin, None);
    }
    let msg_file = repo
        .git_dir()
        .join("COMMIT_EDITMSG")
        .to_string_lossy()
        .into_owned();
    let (args, stdin, assumed): (Vec<&str>, Vec<u8>, &str) = match hook {
        HookName::CommitMsg | HookName::ApplypatchMsg => (
            vec![&msg_file],
            Vec::new(),
            "the message file git writes, .git/COMMIT_EDITMSG",
        ),
        HookName::PrepareCommitMsg => (
            vec![&msg_file, "message"],
            Vec::new(),
            "`git commit -m`: .git/COMMIT_EDITMSG, source `message`",
        ),
        HookName::PostCheckout => (
            vec!["HEAD@{1}", "HEAD", "1"],
            Vec::new(),
            "a branch checkout from HEAD@{1} to HEAD",
        ),
        HookName::PostRewrite => (
            vec!["amend"],
            pair,
            "an amend that rewrote HEAD@{1} into HEAD",
        ),
        HookName::PreRebase => (
            vec!["@{upstream}"],
            Vec::new(),
            "a rebase of the current branch onto its upstream",
        ),
        _ => (Vec::new(), Vec::new(), "git's usual input"),
    };
    (
        args.into_iter().map(str::to_owned).collect(),
        stdin,
        Some(assumed.to_owned()),
    )
}
