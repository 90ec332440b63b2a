//! Where git looks for hooks: `core.hooksPath`, or `hooks/` in the common git dir.
//!
//! Owns only the lookup; writing shims there is `install`'s job.

use std::path::PathBuf;

use git2::ErrorCode;

use super::changes::as_path;
use super::{GitError, Repo};

impl Repo {
    /// The hooks directory git uses for this work tree.
    ///
    /// `core.hooksPath` wins when set: `~` and `~/...` expand to `HOME`, and a relative value
    /// is taken from the work tree root, where git runs hooks (githooks(5)). Otherwise the
    /// common dir's `hooks/`, which linked worktrees share.
    pub(crate) fn hooks_dir(&self) -> Result<PathBuf, GitError> {
        let config = self.raw().config()?;
        let value = match config.get_entry("core.hooksPath") {
            Ok(entry) => entry.value_bytes().to_vec(),
            Err(e) if e.code() == ErrorCode::NotFound => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        if value.is_empty() {
            return Ok(self.common_dir().join("hooks"));
        }
        let value = as_path(&value).to_path_buf();
        let expanded = match value.strip_prefix("~") {
            // `~user/...` is left alone: it is rare, and guessing another user's home is worse.
            Ok(rest) => match &self.home {
                Some(home) => home.join(rest),
                None => {
                    return Err(GitError::HooksPathHome {
                        value: value.display().to_string(),
                    })
                }
            },
            Err(_) => value,
        };
        Ok(self.root().join(expanded))
    }
}

#[cfg(test)]
mod tests {
    use crate::git::fixture::TestRepo;

    /// `git rev-parse --git-path hooks`, resolved against the directory it ran in.
    fn git_hooks_dir(t: &TestRepo) -> std::path::PathBuf {
        let out = t.git(&["rev-parse", "--git-path", "hooks"]);
        t.root
            .join(String::from_utf8(out).unwrap().trim_end_matches('\n'))
    }

    #[test]
    fn default_is_the_common_dir_hooks() {
        let t = TestRepo::new();
        let dir = t.open().hooks_dir().unwrap();
        assert_eq!(dir, t.root.join(".git/hooks"));
        assert_eq!(dir, git_hooks_dir(&t));
    }

    #[test]
    fn core_hooks_path_relative_is_from_the_work_tree_root() {
        let t = TestRepo::new();
        t.git(&["config", "core.hooksPath", ".githooks"]);
        t.write("sub/x", "");
        let from_sub = t.open_with(&t.root.join("sub"), &[]).unwrap();
        assert_eq!(from_sub.hooks_dir().unwrap(), t.root.join(".githooks"));
        assert_eq!(from_sub.hooks_dir().unwrap(), git_hooks_dir(&t));
    }

    #[test]
    fn core_hooks_path_absolute_and_tilde() {
        let t = TestRepo::new();
        let abs = t.base().join("shared-hooks");
        t.git(&["config", "core.hooksPath", abs.to_str().unwrap()]);
        assert_eq!(t.open().hooks_dir().unwrap(), abs);
        assert_eq!(t.open().hooks_dir().unwrap(), git_hooks_dir(&t));

        t.git(&["config", "core.hooksPath", "~/my hooks"]);
        assert_eq!(t.open().hooks_dir().unwrap(), t.home.join("my hooks"));
        assert_eq!(t.open().hooks_dir().unwrap(), git_hooks_dir(&t));
    }

    #[test]
    fn tilde_without_home_is_an_error_with_a_hint() {
        let t = TestRepo::new();
        t.git(&["config", "core.hooksPath", "~/hooks"]);
        let repo = crate::git::Repo::discover_with(&t.root, &|_| None).unwrap();
        let err = repo.hooks_dir().unwrap_err();
        assert!(err.to_string().contains("HOME"));
        assert!(err.hint().is_some());
    }
}
