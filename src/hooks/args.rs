//! git's arguments to a hook → the values of its placeholders.
//!
//! Pure. git passes each hook its own positional arguments (githooks(5));
//! they are named here once, so a group's command reads `{msg_file}` rather
//! than counting positions.

use super::HookKind;

/// The placeholder values of one hook run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HookValues {
    /// `{hook_args}`: git's arguments, one argument each.
    pub(crate) args: Vec<String>,
    /// Single-valued placeholders (`msg_file`, `prev`...), each with its value.
    pub(crate) named: Vec<(&'static str, String)>,
}

impl HookValues {
    #[cfg(test)]
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.named
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Name git's arguments to `kind`. A missing argument is an empty value (git
/// leaves out prepare-commit-msg's source and sha when it has none).
pub(crate) fn hook_values(kind: HookKind, args: &[String]) -> HookValues {
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    let named = match kind {
        HookKind::CommitMsg | HookKind::ApplypatchMsg => vec![("msg_file", arg(0))],
        // `{commit_sha}` is passed as git gives it: only with source `commit`.
        HookKind::PrepareCommitMsg => vec![
            ("msg_file", arg(0)),
            ("msg_source", arg(1)),
            ("commit_sha", arg(2)),
        ],
        HookKind::PostCheckout => vec![
            ("prev", arg(0)),
            ("new", arg(1)),
            (
                "checkout_kind",
                if arg(2) == "0" { "file" } else { "branch" }.to_owned(),
            ),
        ],
        _ => Vec::new(),
    };
    HookValues {
        args: args.to_vec(),
        named,
    }
}

/// Whether git's post-checkout flag says a file checkout (`0`) rather than
/// a branch checkout (`1`).
pub(crate) fn is_file_checkout(args: &[String]) -> bool {
    args.get(2).is_some_and(|f| f == "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn prepare_commit_msg_names_its_three_arguments() {
        let v = hook_values(
            HookKind::PrepareCommitMsg,
            &strings(&[".git/COMMIT_EDITMSG", "commit", "abc123"]),
        );
        assert_eq!(v.get("msg_file"), Some(".git/COMMIT_EDITMSG"));
        assert_eq!(v.get("msg_source"), Some("commit"));
        assert_eq!(v.get("commit_sha"), Some("abc123"));
        assert_eq!(v.args.len(), 3);
    }

    #[test]
    fn a_source_git_leaves_out_is_empty() {
        let v = hook_values(HookKind::PrepareCommitMsg, &strings(&["MSG"]));
        assert_eq!(v.get("msg_source"), Some(""));
        assert_eq!(v.get("commit_sha"), Some(""));
    }

    #[test]
    fn post_checkout_flag_names_the_kind_of_checkout() {
        let branch = hook_values(HookKind::PostCheckout, &strings(&["a", "b", "1"]));
        assert_eq!(branch.get("checkout_kind"), Some("branch"));
        assert_eq!(branch.get("prev"), Some("a"));
        assert_eq!(branch.get("new"), Some("b"));
        let file = strings(&["a", "a", "0"]);
        assert_eq!(
            hook_values(HookKind::PostCheckout, &file).get("checkout_kind"),
            Some("file")
        );
        assert!(is_file_checkout(&file));
    }

    #[test]
    fn other_hooks_only_pass_their_arguments() {
        let v = hook_values(HookKind::PreRebase, &strings(&["main", "topic"]));
        assert!(v.named.is_empty());
        assert_eq!(v.args, strings(&["main", "topic"]));
    }
}
