//! Release tags: the changes since the previous release, for pre-release with
//! `selection = "since-last-release"` (SPEC 5, pre-release row).
//!
//! Owns finding the previous release tag; whether a pushed tag is a release is `plan`'s call.

use std::collections::HashMap;

use git2::{Oid, Sort};
use globset::Glob;

use super::{short_id, Changes, GitError, Repo};

impl Repo {
    /// The changes from the previous release to `commit`, and the tag that release carries.
    /// `commit` may also be an annotated tag (a pushed tag's local sha); it is peeled.
    ///
    /// The previous release is the newest tag matching `tag_pattern` (a glob on the tag name,
    /// `*` crossing `/` as in `git describe --match`) on a commit reachable from `commit`,
    /// not counting tags on `commit` itself: pushing `v1.2.0` compares with `v1.1.0`.
    /// "Newest" is by commit date, found by walking back from `commit`, so the walk stops at
    /// the first tagged commit. Among several matching tags on that commit the greatest name
    /// is reported; the diff is the same for all of them.
    ///
    /// No such tag selects everything, and returns `None` for the tag.
    pub(crate) fn changes_since_last_release(
        &self,
        commit: Oid,
        tag_pattern: &str,
    ) -> Result<(Changes, Option<String>), GitError> {
        let matcher = Glob::new(tag_pattern)
            .map_err(|source| GitError::BadTagPattern {
                pattern: tag_pattern.to_owned(),
                source,
            })?
            .compile_matcher();

        // A pushed annotated tag's sha is the tag object; what is released is its commit.
        let target = self.raw().find_object(commit, None)?.peel_to_commit()?;
        let commit = target.id();

        // Tagged commits first: most repositories have far fewer tags than commits.
        let mut tagged: HashMap<Oid, String> = HashMap::new();
        for reference in self.raw().references_glob("refs/tags/*")? {
            let reference = reference?;
            let Some(name) = reference
                .name_bytes()
                .strip_prefix(b"refs/tags/")
                .map(|n| String::from_utf8_lossy(n).into_owned())
            else {
                continue;
            };
            if !matcher.is_match(&name) {
                continue;
            }
            // A tag of a tree or a blob is no release.
            let Ok(target) = reference.peel_to_commit() else {
                continue;
            };
            if target.id() == commit {
                continue;
            }
            let best = tagged.entry(target.id()).or_default();
            if name > *best {
                *best = name;
            }
        }

        if !tagged.is_empty() {
            let mut walk = self.raw().revwalk()?;
            // Date order needs no full walk up front, unlike a topological sort.
            walk.set_sorting(Sort::TIME)?;
            walk.push(commit)?;
            for oid in walk {
                let oid = oid?;
                if let Some(name) = tagged.remove(&oid) {
                    let release = self.raw().find_commit(oid)?;
                    let paths = self.diff_trees(&release.tree()?, &target.tree()?)?;
                    return Ok((
                        Changes::from_paths(paths, Some(oid), Some(commit)),
                        Some(name),
                    ));
                }
            }
        }
        let reason = format!(
            "no earlier tag matching `{tag_pattern}` is reachable from {}{}",
            short_id(commit),
            self.shallow_note()
        );
        Ok((Changes::everything(reason, None, Some(commit)), None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::fixture::{paths, touched, TestRepo};

    /// v1.0.0 (annotated) - v1.1.0 (lightweight) - v1.2.0 (annotated, the release), with a
    /// non-matching tag in between and a matching tag on a branch that is not merged.
    fn released_repo() -> TestRepo {
        let t = TestRepo::new();
        t.write("a.txt", "1.0\n");
        t.commit("one");
        t.git(&["tag", "-a", "v1.0.0", "-m", "1.0.0"]);
        t.write("b.txt", "1.1\n");
        t.commit("two");
        t.git(&["tag", "v1.1.0"]);
        t.git(&["checkout", "-q", "-b", "side"]);
        t.write("side.txt", "never released here\n");
        t.commit("side");
        t.git(&["tag", "v9.9.9"]);
        t.git(&["checkout", "-q", "main"]);
        t.write("c.txt", "1.2\n");
        t.commit("three");
        t.git(&["tag", "nightly"]);
        t.write("a.txt", "1.2 final\n");
        t.commit("four");
        t.git(&["tag", "-a", "v1.2.0", "-m", "1.2.0"]);
        t
    }

    #[test]
    fn release_compares_with_the_previous_release_tag() {
        let t = released_repo();
        let head = t.rev("HEAD");
        let (changes, tag) = t.open().changes_since_last_release(head, "v*").unwrap();
        assert_eq!(tag.as_deref(), Some("v1.1.0"));
        assert_eq!(touched(&changes), t.name_only(&["v1.1.0", "v1.2.0"]));
        assert_eq!(touched(&changes), paths(&["a.txt", "c.txt"]));
        assert!(!changes.everything);
        assert_eq!(changes.base, Some(t.rev("v1.1.0")));
        assert_eq!(changes.head, Some(head));

        // A pushed annotated tag hands over the tag object; it means its commit.
        let tag_object = t.rev("v1.2.0");
        assert_ne!(tag_object, head);
        let (again, tag) = t
            .open()
            .changes_since_last_release(tag_object, "v*")
            .unwrap();
        assert_eq!(tag.as_deref(), Some("v1.1.0"));
        assert_eq!(again, changes);
    }

    #[test]
    fn an_older_commit_finds_the_tag_before_it() {
        let t = released_repo();
        let (changes, tag) = t
            .open()
            .changes_since_last_release(t.rev("v1.1.0"), "v*")
            .unwrap();
        assert_eq!(tag.as_deref(), Some("v1.0.0"));
        assert_eq!(touched(&changes), paths(&["b.txt"]));
    }

    #[test]
    fn the_pattern_decides_which_tags_count() {
        let t = released_repo();
        let head = t.rev("HEAD");
        let (_, tag) = t.open().changes_since_last_release(head, "*").unwrap();
        assert_eq!(tag.as_deref(), Some("nightly"));
        let (_, tag) = t.open().changes_since_last_release(head, "v1.0.*").unwrap();
        assert_eq!(tag.as_deref(), Some("v1.0.0"));
    }

    #[test]
    fn no_earlier_release_selects_everything() {
        let t = released_repo();
        let (changes, tag) = t
            .open()
            .changes_since_last_release(t.rev("v1.0.0"), "v*")
            .unwrap();
        assert_eq!(tag, None);
        assert!(changes.everything);
        assert!(changes.reason.unwrap().contains("`v*`"));
        let (changes, tag) = t
            .open()
            .changes_since_last_release(t.rev("HEAD"), "release-*")
            .unwrap();
        assert_eq!(tag, None);
        assert!(changes.everything);
    }

    #[test]
    fn bad_pattern_is_an_error_with_a_hint() {
        let t = released_repo();
        let err = t
            .open()
            .changes_since_last_release(t.rev("HEAD"), "v[")
            .unwrap_err();
        assert!(matches!(err, GitError::BadTagPattern { .. }), "{err:?}");
        assert!(err.to_string().contains("`v[`"));
        assert!(err.hint().unwrap().contains("v*"));
    }
}
