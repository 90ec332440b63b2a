//! The one model of git hooks: every client-side hook of githooks(5) that
//! tiergate runs, plus its own `pre-release`, in one table.
//!
//! The CLI's values (`tiergate hook NAME`, `plan NAME`), the `[hooks.NAME]`
//! config keys and their validation, the JSON schema, the shims written by
//! `install` and removed by `uninstall`, whether a failure can stop git, the
//! placeholders a hook offers, how it reads git's arguments and stdin, and
//! its definition of what changed all come from here. Adding a hook type is
//! a variant, a row of `TABLE`, a shim template in `hooks/`, and its
//! behaviour where `Changed` is resolved (`session/hook_changes.rs`).
//!
//! Pure: no IO, no git.

pub(crate) mod args;

pub(crate) use args::{hook_values, HookValues};

/// A git hook tiergate can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub(crate) enum HookKind {
    PreCommit,
    PrePush,
    PreRelease,
    CommitMsg,
    PrepareCommitMsg,
    PostCommit,
    PostCheckout,
    PostMerge,
    PostRewrite,
    PreRebase,
    PreMergeCommit,
    PreApplypatch,
    ApplypatchMsg,
    PostApplypatch,
    PreAutoGc,
}

/// What a hook's run selects by: its definition of "what changed".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Changed {
    /// The index against HEAD (what is about to be committed; during a merge,
    /// the merge's index).
    Staged,
    /// The pushed refs against the remote's (git's stdin lines).
    Pushed,
    /// Everything, or the changes since the last release tag.
    Release,
    /// The new commit's own diff, HEAD^..HEAD (a root commit: everything in it).
    HeadCommit,
    /// prev..new of a branch checkout; a file checkout changes nothing.
    Checkout,
    /// `ORIG_HEAD..HEAD`.
    SinceOrigHead,
    /// The union of each rewritten pair's old..new, read from stdin.
    Rewritten,
    /// merge-base(upstream, branch)..branch, the branch defaulting to HEAD.
    Rebased,
    /// No file changes: only `always` groups run.
    Nothing,
}

/// One row of the table.
#[derive(Debug)]
pub(crate) struct HookSpec {
    pub(crate) kind: HookKind,
    /// The name git runs the hook by, and the `[hooks.NAME]` key.
    pub(crate) name: &'static str,
    /// Whether git stops (commit, push, merge, rebase...) when the hook fails.
    /// A hook that cannot block reports its failures and exits 0.
    pub(crate) blocks: bool,
    /// The single-valued placeholders it offers besides the common ones
    /// (`{hook_args}` is offered by every hook).
    pub(crate) placeholders: &'static [&'static str],
    /// Whether git writes to its stdin (pre-push's ref lines, post-rewrite's pairs).
    pub(crate) reads_stdin: bool,
    pub(crate) changed: Changed,
    /// The git command whose `--no-verify` skips it, for the hint after a block.
    pub(crate) bypass: Option<&'static str>,
    /// The `[hooks.NAME]` keys it accepts.
    pub(crate) keys: &'static [&'static str],
    /// Installed by `tiergate install` even when the config does not name it.
    pub(crate) default: bool,
    /// Whether a group's pass may be replayed from the cache: not when its
    /// command reads what git gives the hook (a message, arguments), which
    /// the cache key does not cover.
    pub(crate) cached: bool,
    /// When git runs it and what changed, in one line (help, README).
    pub(crate) about: &'static str,
}

const STAGES: &[&str] = &["stages"];

/// Every hook, in the order `install` writes them and help lists them.
pub(crate) const TABLE: &[HookSpec] = &[
    HookSpec {
        kind: HookKind::PreCommit,
        name: "pre-commit",
        blocks: true,
        placeholders: &[],
        reads_stdin: false,
        changed: Changed::Staged,
        bypass: Some("git commit"),
        keys: &["stages", "formatters", "fix", "isolation", "share"],
        default: true,
        cached: true,
        about: "before a commit is made: the staged paths",
    },
    HookSpec {
        kind: HookKind::PrePush,
        name: "pre-push",
        blocks: true,
        placeholders: &[],
        reads_stdin: true,
        changed: Changed::Pushed,
        bypass: Some("git push"),
        keys: &["stages", "push_dirty"],
        default: true,
        cached: true,
        about: "before a push: what the pushed refs add to the remote's",
    },
    HookSpec {
        kind: HookKind::PreRelease,
        name: "pre-release",
        blocks: true,
        placeholders: &[],
        reads_stdin: false,
        changed: Changed::Release,
        bypass: None,
        keys: &["stages", "tag_pattern", "selection"],
        default: true,
        cached: true,
        about: "a release tag pushed: everything, or the changes since the last release",
    },
    HookSpec {
        kind: HookKind::CommitMsg,
        name: "commit-msg",
        blocks: true,
        placeholders: &["msg_file"],
        reads_stdin: false,
        changed: Changed::Staged,
        bypass: Some("git commit"),
        keys: STAGES,
        default: false,
        cached: false,
        about: "the commit message is written: the staged paths",
    },
    HookSpec {
        kind: HookKind::PrepareCommitMsg,
        name: "prepare-commit-msg",
        blocks: true,
        placeholders: &["msg_file", "msg_source", "commit_sha"],
        reads_stdin: false,
        changed: Changed::Staged,
        bypass: None,
        keys: STAGES,
        default: false,
        cached: false,
        about: "before the message editor opens: the staged paths",
    },
    HookSpec {
        kind: HookKind::PostCommit,
        name: "post-commit",
        blocks: false,
        placeholders: &[],
        reads_stdin: false,
        changed: Changed::HeadCommit,
        bypass: None,
        keys: STAGES,
        default: false,
        cached: false,
        about: "after a commit: the new commit's own diff (HEAD^..HEAD)",
    },
    HookSpec {
        kind: HookKind::PostCheckout,
        name: "post-checkout",
        blocks: false,
        placeholders: &["prev", "new", "checkout_kind"],
        reads_stdin: false,
        changed: Changed::Checkout,
        bypass: None,
        keys: STAGES,
        default: false,
        cached: false,
        about: "after a checkout or switch: prev..new; a file checkout changes nothing",
    },
    HookSpec {
        kind: HookKind::PostMerge,
        name: "post-merge",
        blocks: false,
        placeholders: &[],
        reads_stdin: false,
        changed: Changed::SinceOrigHead,
        bypass: None,
        keys: STAGES,
        default: false,
        cached: false,
        about: "after a merge or pull: ORIG_HEAD..HEAD",
    },
    HookSpec {
        kind: HookKind::PostRewrite,
        name: "post-rewrite",
        blocks: false,
        placeholders: &[],
        reads_stdin: true,
        changed: Changed::Rewritten,
        bypass: None,
        keys: STAGES,
        default: false,
        cached: false,
        about: "after an amend or rebase: each rewritten commit's old..new",
    },
    HookSpec {
        kind: HookKind::PreRebase,
        name: "pre-rebase",
        blocks: true,
        placeholders: &[],
        reads_stdin: false,
        changed: Changed::Rebased,
        bypass: Some("git rebase"),
        keys: STAGES,
        default: false,
        cached: false,
        about: "before a rebase: merge-base(upstream, branch)..branch",
    },
    HookSpec {
        kind: HookKind::PreMergeCommit,
        name: "pre-merge-commit",
        blocks: true,
        placeholders: &[],
        reads_stdin: false,
        changed: Changed::Staged,
        bypass: Some("git merge"),
        keys: STAGES,
        default: false,
        cached: false,
        about: "before a merge commit: the merge's index against HEAD",
    },
    HookSpec {
        kind: HookKind::PreApplypatch,
        name: "pre-applypatch",
        blocks: true,
        placeholders: &[],
        reads_stdin: false,
        changed: Changed::Staged,
        bypass: Some("git am"),
        keys: STAGES,
        default: false,
        cached: false,
        about: "`git am`, before the commit: the patch's index against HEAD",
    },
    HookSpec {
        kind: HookKind::ApplypatchMsg,
        name: "applypatch-msg",
        blocks: true,
        placeholders: &["msg_file"],
        reads_stdin: false,
        changed: Changed::Staged,
        bypass: Some("git am"),
        keys: STAGES,
        default: false,
        cached: false,
        about: "`git am`, the patch's message: the staged paths",
    },
    HookSpec {
        kind: HookKind::PostApplypatch,
        name: "post-applypatch",
        blocks: false,
        placeholders: &[],
        reads_stdin: false,
        changed: Changed::HeadCommit,
        bypass: None,
        keys: STAGES,
        default: false,
        cached: false,
        about: "`git am`, after the commit: its own diff",
    },
    HookSpec {
        kind: HookKind::PreAutoGc,
        name: "pre-auto-gc",
        blocks: true,
        placeholders: &[],
        reads_stdin: false,
        changed: Changed::Nothing,
        bypass: None,
        keys: STAGES,
        default: false,
        cached: false,
        about: "before `git gc --auto`: no file changes, only `always` groups",
    },
];

/// The placeholders every hook offers.
pub(crate) const COMMON_PLACEHOLDERS: &[&str] = &["hook_args"];

impl HookKind {
    pub(crate) fn spec(self) -> &'static HookSpec {
        // The table is checked to hold every kind once, in declaration order.
        &TABLE[self as usize]
    }

    pub(crate) fn as_str(self) -> &'static str {
        self.spec().name
    }

    pub(crate) fn from_name(name: &str) -> Option<HookKind> {
        TABLE.iter().find(|s| s.name == name).map(|s| s.kind)
    }

    pub(crate) fn blocks(self) -> bool {
        self.spec().blocks
    }

    /// Every placeholder the hook offers, the common ones included.
    pub(crate) fn placeholders(self) -> impl Iterator<Item = &'static str> {
        self.spec()
            .placeholders
            .iter()
            .chain(COMMON_PLACEHOLDERS)
            .copied()
    }
}

/// Every hook name, in table order.
pub(crate) fn names() -> Vec<&'static str> {
    TABLE.iter().map(|s| s.name).collect()
}

/// The hooks `install` writes when nothing else is asked for.
pub(crate) fn default_names() -> Vec<&'static str> {
    TABLE.iter().filter(|s| s.default).map(|s| s.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn the_table_holds_every_kind_once_in_declaration_order() {
        let kinds = HookKind::value_variants();
        assert_eq!(kinds.len(), TABLE.len());
        for (i, kind) in kinds.iter().enumerate() {
            assert_eq!(TABLE[i].kind, *kind, "row {i}");
            assert_eq!(kind.spec().kind, *kind);
        }
    }

    #[test]
    fn clap_names_are_git_names() {
        for kind in HookKind::value_variants() {
            let value = kind.to_possible_value().unwrap();
            assert_eq!(value.get_name(), kind.as_str());
            assert_eq!(HookKind::from_name(kind.as_str()), Some(*kind));
        }
    }

    #[test]
    fn post_hooks_cannot_block_and_every_githooks_name_is_there() {
        for spec in TABLE {
            assert_eq!(
                spec.blocks,
                !spec.name.starts_with("post-"),
                "{}",
                spec.name
            );
        }
        for name in [
            "commit-msg",
            "prepare-commit-msg",
            "post-commit",
            "post-checkout",
            "post-merge",
            "post-rewrite",
            "pre-rebase",
            "pre-merge-commit",
            "pre-applypatch",
            "applypatch-msg",
            "post-applypatch",
            "pre-auto-gc",
        ] {
            assert!(HookKind::from_name(name).is_some(), "{name}");
        }
        assert_eq!(default_names(), ["pre-commit", "pre-push", "pre-release"]);
    }

    #[test]
    fn the_readme_lists_every_hook_with_its_placeholders() {
        let readme = include_str!("../../README.md");
        let section = readme
            .split("### Every git hook")
            .nth(1)
            .expect("README has an \"Every git hook\" section");
        for spec in TABLE.iter().filter(|s| !s.default) {
            let row = section
                .lines()
                .find(|l| l.starts_with('|') && l.contains(spec.name))
                .unwrap_or_else(|| panic!("README's hook table has no row for {}", spec.name));
            for p in spec.placeholders {
                assert!(row.contains(&format!("{{{p}}}")), "{}: {{{p}}}", spec.name);
            }
        }
    }

    #[test]
    fn message_hooks_offer_the_message_file() {
        let offers = |k: HookKind| k.placeholders().collect::<Vec<_>>();
        assert_eq!(offers(HookKind::CommitMsg), ["msg_file", "hook_args"]);
        assert!(offers(HookKind::PrepareCommitMsg).contains(&"msg_source"));
        assert!(offers(HookKind::PostCheckout).contains(&"checkout_kind"));
        assert_eq!(offers(HookKind::PreCommit), ["hook_args"]);
    }
}
