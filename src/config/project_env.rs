//! A member's `[env]` (SPEC 16: a member's `.tiergate.toml` has the root's schema): its
//! groups, formatters and services run with the root's variables and then the member's,
//! which win where both set one. The root's `[env]` reaches every command already, through
//! the run's environment; this is the member's layer on top.

use std::borrow::Cow;
use std::ffi::OsString;

/// `base` (the root's `[env]` and the run's own variables) with `own` (the command's
/// project's `[env]`, empty at the root) after it: a later entry wins when a child is spawned.
pub(crate) fn with_project_env<'a>(
    base: &'a [(OsString, OsString)],
    own: &[(String, String)],
) -> Cow<'a, [(OsString, OsString)]> {
    if own.is_empty() {
        return Cow::Borrowed(base);
    }
    let mut env = base.to_vec();
    env.extend(
        own.iter()
            .map(|(name, value)| (OsString::from(name), OsString::from(value))),
    );
    Cow::Owned(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        list.iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    #[test]
    fn a_members_entries_apply_to_its_stages_and_the_roots_to_all() {
        use crate::config::applies_to;
        assert!(applies_to(None, "fast"));
        assert!(applies_to(None, "backend:fast"));
        assert!(applies_to(Some("backend"), "backend:fast"));
        assert!(!applies_to(Some("backend"), "fast"));
        assert!(!applies_to(Some("backend"), "frontend:fast"));
        assert!(applies_to(Some("packages/alpha"), "packages/alpha:fast"));
    }

    #[test]
    fn the_root_env_alone_is_borrowed_and_a_member_env_comes_after_it() {
        let base = pairs(&[("A", "root"), ("B", "root")]);
        assert!(matches!(with_project_env(&base, &[]), Cow::Borrowed(_)));
        let own = vec![
            ("B".to_owned(), "member".to_owned()),
            ("C".to_owned(), "1".to_owned()),
        ];
        let env = with_project_env(&base, &own);
        assert_eq!(
            env.as_ref(),
            pairs(&[("A", "root"), ("B", "root"), ("B", "member"), ("C", "1")]).as_slice()
        );
        // What a child gets: the last entry of a name.
        let mut child = std::process::Command::new("true");
        child.envs(env.iter().map(|(k, v)| (k, v)));
        let b = child
            .get_envs()
            .find(|(k, _)| *k == "B")
            .and_then(|(_, v)| v);
        assert_eq!(b, Some(std::ffi::OsStr::new("member")));
    }
}
