//! What changed, for the hooks beyond pre-commit, pre-push and pre-release:
//! each hook's definition (`hooks::Changed`) asked of git with the
//! arguments and stdin git gave the hook.

use crate::changes::{self, Request};
use crate::error::Error;
use crate::git::{Changes, Repo};
use crate::hooks::{self, Changed, HookKind};

/// The all-zero id git passes for "no commit" (post-checkout after a clone).
const NO_COMMIT: &str = "0000000000000000000000000000000000000000";

/// The changes `kind` selects by, with notes to show before the run.
pub(crate) fn hook_changes(
    repo: &Repo,
    kind: HookKind,
    args: &[String],
    stdin: &[u8],
) -> Result<Request, Error> {
    let name = kind.as_str();
    // git ran the hook because something happened (`git checkout -b` moves
    // no commit, `git commit --allow-empty` changes no file): `always` groups
    // still run then, as lefthook's commands and pre-commit's `always_run` do.
    let resolved = |c: Result<Changes, crate::git::GitError>| {
        c.map(|changes| {
            if changes.paths.is_empty() {
                Request::AlwaysOnly(format!("{name}: no file changed"))
            } else {
                Request::Resolved(changes)
            }
        })
        .map_err(|e| changes::git_error(&e))
    };
    match kind.spec().changed {
        // pre-commit, pre-push and pre-release have their own sessions.
        Changed::Pushed | Changed::Release => Ok(Request::Staged),
        Changed::Staged => {
            let staged = repo.staged_changes().map_err(|e| changes::git_error(&e))?;
            if staged.paths.is_empty() {
                // `git commit --allow-empty` still has a message to check.
                return Ok(Request::AlwaysOnly(format!("{name}: nothing is staged")));
            }
            Ok(Request::Resolved(staged))
        }
        Changed::HeadCommit => {
            if repo.head_commit().is_none() {
                return Ok(Request::AlwaysOnly(format!("{name}: no commit yet")));
            }
            resolved(repo.commit_changes("HEAD"))
        }
        Changed::Checkout => {
            if hooks::args::is_file_checkout(args) {
                return Ok(Request::AlwaysOnly(format!(
                    "{name}: a file checkout changes no commit"
                )));
            }
            match (args.first(), args.get(1)) {
                (Some(prev), Some(new)) if prev != NO_COMMIT => {
                    resolved(repo.tree_changes(prev, new))
                }
                (Some(_), Some(_)) => Ok(Request::All(format!(
                    "{name}: a fresh clone, everything is new"
                ))),
                _ => Ok(Request::All(format!(
                    "{name}: git gave no prev and new commits, everything runs"
                ))),
            }
        }
        Changed::SinceOrigHead => resolved(repo.tree_changes("ORIG_HEAD", "HEAD")),
        Changed::Rewritten => rewritten(repo, name, stdin),
        Changed::Rebased => {
            let Some(upstream) = args.first() else {
                return Ok(Request::All(format!(
                    "{name}: git gave no upstream, everything runs"
                )));
            };
            resolved(repo.range_changes(upstream, args.get(1).map(String::as_str)))
        }
        Changed::Nothing => Ok(Request::AlwaysOnly(format!("{name}: no file changes"))),
    }
}

/// post-rewrite's stdin: one `old new [extra]` line per rewritten commit; the
/// union of each pair's old..new.
fn rewritten(repo: &Repo, name: &str, stdin: &[u8]) -> Result<Request, Error> {
    let text = String::from_utf8_lossy(stdin);
    let mut union: Option<Changes> = None;
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let (Some(old), Some(new)) = (words.next(), words.next()) else {
            continue;
        };
        let pair = repo
            .tree_changes(old, new)
            .map_err(|e| changes::git_error(&e))?;
        match &mut union {
            Some(all) => all.absorb(pair),
            None => union = Some(pair),
        }
    }
    Ok(match union {
        Some(changes) => Request::Resolved(changes),
        None => Request::AlwaysOnly(format!("{name}: git named no rewritten commit")),
    })
}
