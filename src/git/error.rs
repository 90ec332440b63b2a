//! Everything that can go wrong while asking git a question, each with the fix.
//!
//! Owns `GitError` and its hints. Headlines are lowercase with names in backticks; `hint`
//! gives one sentence saying what to do. Nothing here prints.

use std::path::PathBuf;

use git2::Oid;

#[derive(Debug, thiserror::Error)]
pub(crate) enum GitError {
    #[error("{} is not inside a git repository", display_dir(dir, *from_git_dir))]
    NotARepository { dir: PathBuf, from_git_dir: bool },

    #[error("`{}` is a bare repository, which has no work tree to test", dir.display())]
    Bare { dir: PathBuf },

    #[error("`{}` is owned by another user, so git refuses to open it", dir.display())]
    UnsafeOwnership { dir: PathBuf },

    #[error("cannot read the index `{}` named by `GIT_INDEX_FILE`: {}", path.display(), source.message())]
    IndexFile { path: PathBuf, source: git2::Error },

    #[error("unknown revision `{reference}`")]
    UnknownRef {
        reference: String,
        suggestion: Option<String>,
    },

    #[error("revision `{reference}` is ambiguous")]
    AmbiguousRef { reference: String },

    #[error("`{reference}` names a {kind}, not a commit")]
    NotACommit { reference: String, kind: String },

    #[error("malformed pre-push input, line {line_no} `{}`: {problem}", line.escape_debug())]
    MalformedPushLine {
        line_no: usize,
        line: String,
        problem: String,
    },

    #[error("pre-push input names `{oid}` ({context}), which is not in this repository")]
    MissingObject { oid: Oid, context: String },

    #[error("invalid tag pattern `{pattern}`: {source}")]
    BadTagPattern {
        pattern: String,
        source: globset::Error,
    },

    #[error("cannot expand `~` in core.hooksPath `{value}`: `HOME` is not set")]
    HooksPathHome { value: String },

    #[error("git: {}", .0.message())]
    Git(#[from] git2::Error),
}

fn display_dir(dir: &std::path::Path, from_git_dir: bool) -> String {
    if from_git_dir {
        format!("`GIT_DIR` ({})", dir.display())
    } else {
        format!("`{}`", dir.display())
    }
}

impl GitError {
    /// The fix, in one sentence, when there is one to give.
    pub(crate) fn hint(&self) -> Option<String> {
        let hint = match self {
            GitError::NotARepository {
                from_git_dir: true, ..
            } => "point `GIT_DIR` at a repository's git directory, or unset it".to_owned(),
            GitError::NotARepository { .. } => {
                "run tiergate inside a repository's work tree, or create one with `git init`"
                    .to_owned()
            }
            GitError::Bare { .. } => {
                "run tiergate inside a work tree: a clone, or one made with `git worktree add`"
                    .to_owned()
            }
            GitError::UnsafeOwnership { dir } => format!(
                "if you trust it, run `git config --global --add safe.directory {}`",
                dir.display()
            ),
            GitError::IndexFile { .. } => {
                "unset `GIT_INDEX_FILE` to use the repository's own index, or point it at a valid one"
                    .to_owned()
            }
            GitError::UnknownRef {
                suggestion: Some(s),
                ..
            } => format!("did you mean `{s}`?"),
            GitError::UnknownRef { reference, .. } => format!(
                "check it with `git rev-parse --verify {reference}`; a remote branch may need a `git fetch` first"
            ),
            GitError::AmbiguousRef { reference } => format!(
                "give a longer commit id, or a full ref name such as `refs/heads/{reference}`"
            ),
            GitError::NotACommit { .. } => "give a branch, a tag or a commit id".to_owned(),
            GitError::MalformedPushLine { .. } => {
                "git sends one `<local ref> <local sha> <remote ref> <remote sha>` line per ref; \
                 let `git push` run the hook, or feed it lines in that format"
                    .to_owned()
            }
            GitError::MissingObject { .. } => {
                "let `git push` run the hook, in the repository that is being pushed".to_owned()
            }
            GitError::BadTagPattern { .. } => {
                "use a glob such as `v*` for `tag_pattern`".to_owned()
            }
            GitError::HooksPathHome { .. } => {
                "set `HOME`, or make core.hooksPath an absolute path".to_owned()
            }
            GitError::Git(_) => return None,
        };
        Some(hint)
    }
}

/// The candidate closest to `name`, if one is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    crate::error::did_you_mean(name, candidates).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos_only() {
        let refs = ["main", "develop", "v1.0.0", "origin/main"];
        assert_eq!(closest("mian", refs).as_deref(), Some("main"));
        assert_eq!(closest("devlop", refs).as_deref(), Some("develop"));
        assert_eq!(
            closest("origin/mainn", refs).as_deref(),
            Some("origin/main")
        );
        assert_eq!(closest("feature-x", refs), None);
    }

    #[test]
    fn every_user_error_has_a_hint() {
        let e = GitError::NotARepository {
            dir: PathBuf::from("/tmp/x"),
            from_git_dir: false,
        };
        assert_eq!(e.to_string(), "`/tmp/x` is not inside a git repository");
        assert!(e.hint().is_some_and(|h| h.contains("git init")));
        let e = GitError::Bare {
            dir: PathBuf::from("/srv/r.git"),
        };
        assert!(e.hint().is_some_and(|h| h.contains("work tree")));
        let e = GitError::MalformedPushLine {
            line_no: 2,
            line: "a\tb".to_owned(),
            problem: "expected 4 space-separated fields, found 1".to_owned(),
        };
        assert_eq!(
            e.to_string(),
            "malformed pre-push input, line 2 `a\\tb`: expected 4 space-separated fields, found 1"
        );
    }
}
