//! Changed paths for commits, the index and the work tree (SPEC 5, every row but pre-push and
//! pre-release): staged, working, `--from/--to`, `--changed-since`, the tracked file list and
//! the dirty check of pre-push.
//!
//! Reads only. Nothing here writes the index (no `UPDATE_INDEX`), computes a patch, or walks
//! the work tree when the question is about the index.

use std::collections::HashSet;

use git2::{Commit, DiffOptions, ErrorCode, Index, IndexEntryExtendedFlag, Oid, Tree};

use super::changes::{as_path, collect};
use super::error::closest;
use super::{ChangeKind, ChangedPath, Changes, GitError, Repo, RepoPath};

impl Repo {
    /// pre-commit: the index (the `GIT_INDEX_FILE` one when set) against HEAD, or against the
    /// empty tree before the first commit.
    pub(crate) fn staged_changes(&self) -> Result<Changes, GitError> {
        let head = self.head_commit();
        if let Some(index) = self.index_file() {
            let head_tree = match head {
                Some(head) => Some(self.raw().find_commit(head)?.tree_id()),
                None => None,
            };
            if let Some(paths) = super::staged::staged_paths(self.raw(), head_tree, &index)? {
                return Ok(Changes::from_paths(paths, head, None));
            }
        }
        // Conflicts, a possible rename, or an index the fast reader leaves to libgit2.
        let repo = self.with_index()?;
        let index = repo.index()?;
        let head_tree = match head {
            Some(head) => Some(repo.find_commit(head)?.tree()?),
            None => None,
        };
        let mut diff =
            repo.diff_tree_to_index(head_tree.as_ref(), Some(&index), Some(&mut diff_options()))?;
        let mut paths = collect(&mut diff)?;
        drop_intent_to_add(&index, &mut paths);
        Ok(Changes::from_paths(paths, head, None))
    }

    /// `run --changed`: the work tree and index against HEAD, plus untracked files that are not
    /// ignored.
    pub(crate) fn working_changes(&self) -> Result<Changes, GitError> {
        let head = self.head_tree()?;
        let mut opts = diff_options();
        with_untracked(&mut opts);
        let mut diff = self
            .with_index()?
            .diff_tree_to_workdir_with_index(head.as_ref(), Some(&mut opts))?;
        let paths = collect(&mut diff)?;
        Ok(Changes::from_paths(paths, self.head_commit(), None))
    }

    /// `--from A --to B`: merge-base(A, B)..B, like `git diff A...B`. `to` defaults to HEAD.
    ///
    /// A name that resolves to nothing is an error naming it (likely a typo); a full commit id
    /// that this clone does not have, or two histories without a common ancestor, select
    /// everything instead (SPEC 6.2).
    pub(crate) fn range_changes(&self, from: &str, to: Option<&str>) -> Result<Changes, GitError> {
        let to_name = to.unwrap_or("HEAD");
        if to.is_none() && self.head_commit().is_none() {
            return Ok(Changes::everything("there are no commits yet", None, None));
        }
        let Resolved::Commit(head) = self.resolve(to_name)? else {
            return Ok(Changes::everything(
                format!("`{to_name}` is not in this clone{}", self.shallow_note()),
                None,
                None,
            ));
        };
        let Resolved::Commit(from_commit) = self.resolve(from)? else {
            return Ok(Changes::everything(
                format!("base `{from}` is not in this clone{}", self.shallow_note()),
                None,
                Some(head.id()),
            ));
        };
        let Some(base) = self.merge_base(from_commit.id(), head.id())? else {
            return Ok(Changes::everything(
                format!(
                    "`{from}` and `{to_name}` have no common ancestor{}",
                    self.shallow_note()
                ),
                None,
                Some(head.id()),
            ));
        };
        let base_tree = self.raw().find_commit(base)?.tree()?;
        let paths = self.diff_trees(&base_tree, &head.tree()?)?;
        Ok(Changes::from_paths(paths, Some(base), Some(head.id())))
    }

    /// `--commit REF`: one commit's own changes, its diff against its first
    /// parent, so `git rebase -x 'tiergate run … --commit HEAD'` tests each
    /// pick for what it changes. A root commit changes every file in it.
    pub(crate) fn commit_changes(&self, rev: &str) -> Result<Changes, GitError> {
        let Resolved::Commit(commit) = self.resolve(rev)? else {
            return Ok(Changes::everything(
                format!("`{rev}` is not in this clone{}", self.shallow_note()),
                None,
                None,
            ));
        };
        let (base, base_tree) = match commit.parent(0) {
            Ok(parent) => (Some(parent.id()), parent.tree()?),
            Err(_) => {
                let empty = self.raw().treebuilder(None)?.write()?;
                (None, self.raw().find_tree(empty)?)
            }
        };
        let paths = self.diff_trees(&base_tree, &commit.tree()?)?;
        Ok(Changes::from_paths(paths, base, Some(commit.id())))
    }

    /// `from..to` compared tree to tree, with no merge base: what a checkout, a
    /// merge (`ORIG_HEAD..HEAD`) or a rewrite (old..new) changed in the work
    /// tree. A side this clone cannot name selects everything.
    pub(crate) fn tree_changes(&self, from: &str, to: &str) -> Result<Changes, GitError> {
        let Resolved::Commit(to_commit) = self.resolve(to)? else {
            return Ok(Changes::everything(
                format!("`{to}` is not in this clone{}", self.shallow_note()),
                None,
                None,
            ));
        };
        let Resolved::Commit(from_commit) = self.resolve(from)? else {
            return Ok(Changes::everything(
                format!("`{from}` is not in this clone{}", self.shallow_note()),
                None,
                Some(to_commit.id()),
            ));
        };
        let paths = self.diff_trees(&from_commit.tree()?, &to_commit.tree()?)?;
        Ok(Changes::from_paths(
            paths,
            Some(from_commit.id()),
            Some(to_commit.id()),
        ))
    }

    /// `--changed-since REF`: merge-base(REF, HEAD) against the work tree and index, so both
    /// what was committed since and what is not committed yet. Untracked files that are not
    /// ignored count, as they do for `run --changed`.
    pub(crate) fn changed_since(&self, reference: &str) -> Result<Changes, GitError> {
        let Some(head) = self.head_commit() else {
            return Ok(Changes::everything("there are no commits yet", None, None));
        };
        let Resolved::Commit(since) = self.resolve(reference)? else {
            return Ok(Changes::everything(
                format!(
                    "base `{reference}` is not in this clone{}",
                    self.shallow_note()
                ),
                None,
                Some(head),
            ));
        };
        let Some(base) = self.merge_base(since.id(), head)? else {
            return Ok(Changes::everything(
                format!(
                    "`{reference}` and HEAD have no common ancestor{}",
                    self.shallow_note()
                ),
                None,
                Some(head),
            ));
        };
        let base_tree = self.raw().find_commit(base)?.tree()?;
        let mut opts = diff_options();
        with_untracked(&mut opts);
        let mut diff = self
            .with_index()?
            .diff_tree_to_workdir_with_index(Some(&base_tree), Some(&mut opts))?;
        let paths = collect(&mut diff)?;
        Ok(Changes::from_paths(paths, Some(base), Some(head)))
    }

    /// Every path in the index, sorted and once each (a conflict has up to three entries).
    pub(crate) fn tracked_files(&self) -> Result<Vec<RepoPath>, GitError> {
        let index = self.with_index()?.index()?;
        // A gitlink (submodule) is a folder, never a file to pass on.
        let mut paths: Vec<RepoPath> = index
            .iter()
            .filter(|entry| entry.mode != 0o160_000)
            .map(|entry| entry.path)
            .collect();
        // The index is sorted by path already; sorting again is cheap and guards the dedup.
        paths.sort_unstable();
        paths.dedup();
        Ok(paths)
    }

    /// Those of `paths` with uncommitted changes (index or work tree against HEAD), in the
    /// order of `paths`. Used by pre-push to warn about testing something other than what is
    /// pushed.
    pub(crate) fn dirty_among(&self, paths: &[RepoPath]) -> Result<Vec<RepoPath>, GitError> {
        // An empty pathspec would mean "every path".
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let head = self.head_tree()?;
        let mut opts = diff_options();
        with_untracked(&mut opts);
        // Exact paths, not patterns: libgit2 then narrows its work tree walk to them.
        opts.disable_pathspec_match(true);
        for path in paths {
            opts.pathspec(path.as_slice());
        }
        let diff = self
            .with_index()?
            .diff_tree_to_workdir_with_index(head.as_ref(), Some(&mut opts))?;
        let mut dirty: HashSet<&[u8]> = HashSet::new();
        for delta in diff.deltas() {
            for file in [delta.old_file(), delta.new_file()] {
                if let Some(p) = file.path_bytes() {
                    dirty.insert(p);
                }
            }
        }
        // A pathspec entry also matches what lies beneath it; keep exact matches only.
        Ok(paths
            .iter()
            .filter(|p| dirty.contains(p.as_slice()))
            .cloned()
            .collect())
    }

    pub(super) fn head_tree(&self) -> Result<Option<Tree<'_>>, GitError> {
        match self.raw().head() {
            Ok(head) => Ok(Some(head.peel_to_tree()?)),
            Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub(super) fn diff_trees(
        &self,
        old: &Tree<'_>,
        new: &Tree<'_>,
    ) -> Result<Vec<ChangedPath>, GitError> {
        let mut diff =
            self.raw()
                .diff_tree_to_tree(Some(old), Some(new), Some(&mut diff_options()))?;
        collect(&mut diff)
    }

    /// The merge base, or `None` when the histories share no commit (or a shallow clone hides
    /// the one they share).
    pub(super) fn merge_base(&self, one: Oid, two: Oid) -> Result<Option<Oid>, GitError> {
        match self.raw().merge_base(one, two) {
            Ok(base) => Ok(Some(base)),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// " (this is a shallow clone: ...)" when that may explain a missing commit.
    pub(super) fn shallow_note(&self) -> &'static str {
        if self.is_shallow() {
            " (this is a shallow clone; `git fetch --unshallow` fetches the rest of history)"
        } else {
            ""
        }
    }

    /// Resolves a user-given revision to a commit.
    fn resolve(&self, spec: &str) -> Result<Resolved<'_>, GitError> {
        let object = match self.raw().revparse_single(spec) {
            Ok(object) => object,
            Err(e) => {
                return match e.code() {
                    ErrorCode::Ambiguous => Err(GitError::AmbiguousRef {
                        reference: spec.to_owned(),
                    }),
                    // A well-formed commit id names a commit this clone lacks, not a typo; so
                    // does `HEAD~20` past the boundary of a shallow clone.
                    ErrorCode::NotFound
                        if is_full_object_id(spec)
                            || (self.is_shallow() && spec.contains(['~', '^'])) =>
                    {
                        Ok(Resolved::Missing)
                    }
                    ErrorCode::NotFound | ErrorCode::InvalidSpec => Err(GitError::UnknownRef {
                        reference: spec.to_owned(),
                        suggestion: self.suggest_ref(spec),
                    }),
                    _ => Err(e.into()),
                };
            }
        };
        match object.peel_to_commit() {
            Ok(commit) => Ok(Resolved::Commit(commit)),
            Err(_) => Err(GitError::NotACommit {
                reference: spec.to_owned(),
                kind: object
                    .kind()
                    .map_or("non-commit object", |kind| kind.str())
                    .to_owned(),
            }),
        }
    }

    /// The ref name closest to a mistyped one: local and remote branches, and tags.
    fn suggest_ref(&self, spec: &str) -> Option<String> {
        let references = self.raw().references().ok()?;
        let names: Vec<String> = references
            .flatten()
            .filter_map(|r| r.shorthand().map(str::to_owned))
            .collect();
        closest(spec, names.iter().map(String::as_str))
    }
}

/// `git add -N` puts an empty placeholder in the index that git leaves out of the commit (and
/// out of `git diff --cached`); libgit2 reports it as added. Only added (or renamed-to) paths
/// are looked up, so a large index costs nothing extra.
fn drop_intent_to_add(index: &Index, paths: &mut Vec<ChangedPath>) {
    let is_intent_to_add = |path: &[u8]| {
        index.get_path(as_path(path), 0).is_some_and(|e| {
            IndexEntryExtendedFlag::from_bits_truncate(e.flags_extended).is_intent_to_add()
        })
    };
    paths.retain_mut(|p| match p.kind {
        ChangeKind::Added => !is_intent_to_add(&p.path),
        // An empty placeholder can pair with a deleted empty file: keep the deletion only.
        ChangeKind::Renamed if is_intent_to_add(&p.path) => match p.old_path.take() {
            Some(old) => {
                p.path = old;
                p.kind = ChangeKind::Deleted;
                true
            }
            None => false,
        },
        _ => true,
    });
    super::changes::sort_and_dedup(paths);
}

enum Resolved<'r> {
    Commit(Commit<'r>),
    /// A full object id that is not in the object database.
    Missing,
}

fn is_full_object_id(spec: &str) -> bool {
    matches!(spec.len(), 40 | 64) && spec.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The options every diff here shares: type changes reported as such (not as a deletion plus
/// an addition), no binary sniffing, since only paths are wanted.
fn diff_options() -> DiffOptions {
    let mut opts = DiffOptions::new();
    opts.include_typechange(true).skip_binary_check(true);
    opts
}

/// Untracked files as single paths (not their directory), ignored ones left out.
fn with_untracked(opts: &mut DiffOptions) {
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false);
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    use super::*;
    use crate::git::fixture::{paths, split_z, touched, TestRepo};

    fn base_repo() -> TestRepo {
        let t = TestRepo::new();
        t.write("keep.txt", "keep\n");
        t.write("modify.txt", "one\n");
        t.write("delete.txt", "gone soon\n");
        t.write(
            "src/old_name.rs",
            "fn main() {\n    println!(\"a rename keeps this content\");\n}\n",
        );
        t.commit("base");
        t
    }

    #[test]
    fn staged_before_the_first_commit_is_everything_in_the_index() {
        let t = TestRepo::new();
        t.write("a.txt", "a\n");
        t.write("dir/b.txt", "b\n");
        t.write("untracked.txt", "not staged\n");
        t.git(&["add", "a.txt", "dir/b.txt"]);
        let repo = t.open();
        assert_eq!(repo.head_commit(), None);
        let changes = repo.staged_changes().unwrap();
        assert_eq!(changes.paths, t.name_status(&["--cached"]));
        assert_eq!(touched(&changes), paths(&["a.txt", "dir/b.txt"]));
        assert!(changes.paths.iter().all(|p| p.kind == ChangeKind::Added));
        assert!(!changes.everything);
        assert_eq!(changes.base, None);
    }

    #[test]
    fn staged_modified_added_deleted_renamed_match_git() {
        let t = base_repo();
        t.write("modify.txt", "two\n");
        t.write("added.txt", "new\n");
        t.remove("delete.txt");
        t.git(&["mv", "src/old_name.rs", "src/new_name.rs"]);
        t.write("unstaged-only.txt", "untracked\n");
        t.git(&["add", "modify.txt", "added.txt", "delete.txt"]);
        let repo = t.open();
        let changes = repo.staged_changes().unwrap();
        assert_eq!(changes.paths, t.name_status(&["--cached", "-M"]));
        let renamed = changes
            .paths
            .iter()
            .find(|p| p.kind == ChangeKind::Renamed)
            .unwrap();
        assert_eq!(renamed.path, b"src/new_name.rs");
        assert_eq!(renamed.old_path.as_deref(), Some(&b"src/old_name.rs"[..]));
        assert_eq!(changes.base, Some(t.rev("HEAD")));
        assert_eq!(changes.head, None);
    }

    #[test]
    fn staged_names_with_odd_bytes_are_kept_exactly() {
        let t = base_repo();
        let names: [&[u8]; 5] = [
            b"caf\xe9 latin1.txt",
            b"with space.txt",
            b"new\nline.txt",
            b"-leading-dash",
            b"quote\"and'$(x).txt",
        ];
        for name in names {
            t.write(name, "odd\n");
        }
        t.git(&["add", "-A"]);
        let changes = t.open().staged_changes().unwrap();
        assert_eq!(changes.paths, t.name_status(&["--cached"]));
        let mut expected: Vec<RepoPath> = names.iter().map(|n| n.to_vec()).collect();
        expected.sort();
        assert_eq!(touched(&changes), expected);
    }

    #[test]
    fn staged_type_change_is_reported_as_such() {
        let t = base_repo();
        t.remove("keep.txt");
        std::os::unix::fs::symlink("modify.txt", t.root.join("keep.txt")).unwrap();
        t.git(&["add", "-A"]);
        let changes = t.open().staged_changes().unwrap();
        assert_eq!(changes.paths, t.name_status(&["--cached"]));
        assert_eq!(changes.paths[0].kind, ChangeKind::TypeChanged);
    }

    #[test]
    fn staged_honours_git_index_file_as_git_commit_dash_a_does() {
        let t = base_repo();
        t.write("modify.txt", "staged\n");
        t.git(&["add", "modify.txt"]);
        t.write("keep.txt", "changed but not staged\n");
        // What `git commit -a` does: a second index with everything added.
        std::fs::copy(t.root.join(".git/index"), t.root.join(".git/tmp-index")).unwrap();
        let tmp = OsStr::new(".git/tmp-index");
        t.git_env_at(&t.root, &["add", "-A"], &[("GIT_INDEX_FILE", tmp)]);

        let plain = t.open().staged_changes().unwrap();
        assert_eq!(touched(&plain), paths(&["modify.txt"]));

        let repo = t.open_with(&t.root, &[("GIT_INDEX_FILE", tmp)]).unwrap();
        let changes = repo.staged_changes().unwrap();
        assert_eq!(
            changes.paths,
            t.name_status_env(&["--cached"], &[("GIT_INDEX_FILE", tmp)])
        );
        assert_eq!(touched(&changes), paths(&["keep.txt", "modify.txt"]));
        assert_eq!(
            repo.tracked_files().unwrap(),
            split_z(&t.git_env_at(&t.root, &["ls-files", "-z"], &[("GIT_INDEX_FILE", tmp)]))
        );
    }

    #[test]
    fn missing_index_file_is_an_error_naming_it() {
        let t = base_repo();
        std::fs::write(t.root.join(".git/bad-index"), b"not an index").unwrap();
        let err = t
            .open_with(&t.root, &[("GIT_INDEX_FILE", OsStr::new(".git/bad-index"))])
            .unwrap_err();
        assert!(matches!(err, GitError::IndexFile { .. }), "{err:?}");
        assert!(err.to_string().contains("bad-index"));
        assert!(err.hint().is_some());
    }

    #[test]
    fn staged_during_amend_is_against_head_not_its_parent() {
        let t = base_repo();
        t.write("modify.txt", "in the commit being amended\n");
        t.commit("to be amended");
        t.write("keep.txt", "added by the amend\n");
        t.git(&["add", "keep.txt"]);
        let changes = t.open().staged_changes().unwrap();
        assert_eq!(touched(&changes), paths(&["keep.txt"]));
        assert_eq!(changes.paths, t.name_status(&["--cached"]));
    }

    #[test]
    fn staged_intent_to_add_matches_git() {
        let t = base_repo();
        t.write("empty.txt", "");
        t.commit("an empty file");
        // The placeholder has the empty blob's id, so it could pass for a rename of this.
        t.git(&["rm", "-q", "empty.txt"]);
        t.write("later.txt", "intent to add\n");
        t.git(&["add", "-N", "later.txt"]);
        t.write("modify.txt", "two\n");
        t.git(&["add", "modify.txt"]);
        let changes = t.open().staged_changes().unwrap();
        assert_eq!(changes.paths, t.name_status(&["--cached", "-M"]));
        assert_eq!(touched(&changes), paths(&["empty.txt", "modify.txt"]));
    }

    #[test]
    fn many_renames_fall_back_to_exact_matching() {
        let t = TestRepo::new();
        for i in 0..300 {
            t.write(format!("old/{i:03}.txt"), &format!("file number {i}\n"));
        }
        t.commit("many");
        t.git(&["mv", "old", "new"]);
        let changes = t.open().staged_changes().unwrap();
        assert_eq!(changes.paths.len(), 300);
        assert!(changes.paths.iter().all(|p| p.kind == ChangeKind::Renamed));
        assert_eq!(changes.paths, t.name_status(&["--cached", "-M"]));
    }

    #[test]
    fn working_changes_are_index_and_work_tree_plus_untracked_not_ignored() {
        let t = base_repo();
        t.write(".gitignore", "*.log\nbuild/\n");
        t.commit("ignore");
        t.write("modify.txt", "unstaged edit\n");
        t.write("keep.txt", "staged edit\n");
        t.git(&["add", "keep.txt"]);
        t.remove("delete.txt");
        t.write("new dir/untracked file.txt", "u\n");
        t.write("debug.log", "ignored\n");
        t.write("build/out.o", "ignored\n");
        let changes = t.open().working_changes().unwrap();
        let mut expected = t.name_only(&["HEAD"]);
        expected.extend(t.untracked());
        expected.sort();
        assert_eq!(touched(&changes), expected);
        assert_eq!(
            touched(&changes),
            paths(&[
                "delete.txt",
                "keep.txt",
                "modify.txt",
                "new dir/untracked file.txt"
            ])
        );
        let deleted = changes.paths.iter().find(|p| p.is_deleted()).unwrap();
        assert_eq!(deleted.path, b"delete.txt");
    }

    /// main: base - m1 - m2; feature: from m1, f1 - f2.
    fn branched_repo() -> TestRepo {
        let t = base_repo();
        t.write("main-1.txt", "m1\n");
        t.commit("m1");
        t.git(&["checkout", "-q", "-b", "feature"]);
        t.write("feature.txt", "f1\n");
        t.write("modify.txt", "feature edit\n");
        t.commit("f1");
        t.remove("delete.txt");
        t.commit("f2");
        t.git(&["checkout", "-q", "main"]);
        t.write("main-2.txt", "m2\n");
        t.commit("m2");
        t
    }

    #[test]
    fn range_is_merge_base_to_head_like_three_dots() {
        let t = branched_repo();
        let repo = t.open();
        let changes = repo.range_changes("main", Some("feature")).unwrap();
        assert_eq!(touched(&changes), t.name_only(&["main...feature"]));
        assert_eq!(
            touched(&changes),
            paths(&["delete.txt", "feature.txt", "modify.txt"])
        );
        assert_eq!(changes.base, Some(t.rev("main~1")));
        assert_eq!(changes.head, Some(t.rev("feature")));

        // `--to` defaults to HEAD (main here).
        let back = repo.range_changes("feature", None).unwrap();
        assert_eq!(touched(&back), t.name_only(&["feature...HEAD"]));
        assert_eq!(touched(&back), paths(&["main-2.txt"]));
    }

    #[test]
    fn range_with_a_mistyped_ref_is_an_error_with_a_suggestion() {
        let t = branched_repo();
        let err = t.open().range_changes("featuer", None).unwrap_err();
        match &err {
            GitError::UnknownRef {
                reference,
                suggestion,
            } => {
                assert_eq!(reference, "featuer");
                assert_eq!(suggestion.as_deref(), Some("feature"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(err.to_string(), "unknown revision `featuer`");
        assert_eq!(err.hint().as_deref(), Some("did you mean `feature`?"));

        let err = t
            .open()
            .range_changes("main", Some("nope/nothing"))
            .unwrap_err();
        assert!(matches!(
            err,
            GitError::UnknownRef {
                suggestion: None,
                ..
            }
        ));
        assert!(err
            .hint()
            .unwrap()
            .contains("git rev-parse --verify nope/nothing"));
    }

    #[test]
    fn range_from_the_upstream_branch() {
        let t = branched_repo();
        let err = t.open().range_changes("@{upstream}", None).unwrap_err();
        assert!(matches!(err, GitError::UnknownRef { .. }), "{err:?}");

        t.add_bare_remote("origin");
        t.git(&["push", "-q", "--no-verify", "-u", "origin", "main"]);
        t.write("local.txt", "not pushed yet\n");
        t.commit("local");
        let changes = t.open().range_changes("@{upstream}", None).unwrap();
        assert_eq!(touched(&changes), t.name_only(&["@{upstream}...HEAD"]));
        assert_eq!(touched(&changes), paths(&["local.txt"]));
    }

    #[test]
    fn range_with_a_tree_is_not_a_commit() {
        let t = branched_repo();
        let err = t.open().range_changes("main^{tree}", None).unwrap_err();
        assert!(matches!(err, GitError::NotACommit { .. }), "{err:?}");
    }

    #[test]
    fn range_with_an_absent_commit_id_or_no_merge_base_selects_everything() {
        let t = branched_repo();
        let repo = t.open();
        let absent = "0123456789abcdef0123456789abcdef01234567";
        let changes = repo.range_changes(absent, None).unwrap();
        assert!(changes.everything);
        assert!(changes.reason.unwrap().contains(absent));

        t.git(&["checkout", "-q", "--orphan", "unrelated"]);
        t.git(&["rm", "-rq", "--cached", "."]);
        t.write("only-here.txt", "x\n");
        t.git(&["add", "only-here.txt"]);
        t.git(&["commit", "-q", "-m", "root"]);
        let changes = t.open().range_changes("main", Some("unrelated")).unwrap();
        assert!(changes.everything);
        assert!(changes.reason.unwrap().contains("no common ancestor"));
        assert!(changes.paths.is_empty());
    }

    #[test]
    fn changed_since_is_committed_since_merge_base_plus_uncommitted() {
        let t = branched_repo();
        t.git(&["checkout", "-q", "feature"]);
        t.write("keep.txt", "uncommitted\n");
        t.write("fresh.txt", "untracked\n");
        let changes = t.open().changed_since("main").unwrap();
        let base = t.git(&["merge-base", "main", "HEAD"]);
        let base = String::from_utf8(base).unwrap();
        let mut expected = t.name_only(&[base.trim()]);
        expected.extend(t.untracked());
        expected.sort();
        assert_eq!(touched(&changes), expected);
        assert_eq!(
            touched(&changes),
            paths(&[
                "delete.txt",
                "feature.txt",
                "fresh.txt",
                "keep.txt",
                "modify.txt"
            ])
        );
        assert_eq!(changes.base, Some(t.rev("main~1")));
        assert_eq!(changes.head, Some(t.rev("HEAD")));
    }

    #[test]
    fn before_the_first_commit_ranges_select_everything() {
        let t = TestRepo::new();
        t.write("a.txt", "a\n");
        t.git(&["add", "a.txt"]);
        let repo = t.open();
        for changes in [
            repo.changed_since("main").unwrap(),
            repo.range_changes("main", None).unwrap(),
        ] {
            assert!(changes.everything);
            assert_eq!(changes.reason.as_deref(), Some("there are no commits yet"));
        }
        // The pre-commit hook's way in: GIT_INDEX_FILE set before the first commit.
        let hooked = t
            .open_with(&t.root, &[("GIT_INDEX_FILE", OsStr::new(".git/index"))])
            .unwrap();
        assert_eq!(
            touched(&hooked.staged_changes().unwrap()),
            paths(&["a.txt"])
        );
    }

    #[test]
    fn a_base_beyond_a_shallow_clone_selects_everything() {
        let t = branched_repo();
        let shallow = t.base().join("shallow");
        let url = format!("file://{}", t.root.display());
        t.git_at(
            t.base(),
            &[
                "clone",
                "-q",
                "--depth",
                "1",
                "--no-single-branch",
                &url,
                shallow.to_str().unwrap(),
            ],
        );
        let repo = t.open_with(&shallow, &[]).unwrap();
        assert!(repo.is_shallow());
        for changes in [
            repo.changed_since("HEAD~3").unwrap(),
            repo.range_changes("origin/feature", None).unwrap(),
        ] {
            assert!(changes.everything, "{changes:?}");
            assert!(changes.reason.as_deref().unwrap().contains("shallow clone"));
        }
    }

    #[test]
    fn tracked_files_lists_the_index_once_per_path_even_in_a_conflict() {
        let t = base_repo();
        t.git(&["checkout", "-q", "-b", "other"]);
        t.write("modify.txt", "other side\n");
        t.commit("other");
        t.git(&["checkout", "-q", "main"]);
        t.write("modify.txt", "main side\n");
        t.write("odd\tname.txt", "tab\n");
        t.commit("main");
        let out = t.run_git(&t.root, &["merge", "-q", "other"], &[]);
        assert!(!out.status.success(), "the merge must conflict");
        let tracked = t.open().tracked_files().unwrap();
        assert_eq!(tracked, split_z(&t.git(&["ls-files", "-z"])));
        assert_eq!(
            tracked,
            paths(&[
                "delete.txt",
                "keep.txt",
                "modify.txt",
                "odd\tname.txt",
                "src/old_name.rs"
            ])
        );
        // A conflicted path is a change to commit.
        let staged = t.open().staged_changes().unwrap();
        assert_eq!(touched(&staged), paths(&["modify.txt"]));
    }

    #[test]
    fn dirty_among_reports_exact_paths_with_uncommitted_changes() {
        let t = base_repo();
        t.write("modify.txt", "work tree edit\n");
        t.write("keep.txt", "staged edit\n");
        t.git(&["add", "keep.txt"]);
        t.write("src/other.rs", "untracked beside a pushed path\n");
        let repo = t.open();
        let asked = paths(&[
            "src/old_name.rs",
            "modify.txt",
            "keep.txt",
            "delete.txt",
            "src",
            "not-there.txt",
        ]);
        assert_eq!(
            repo.dirty_among(&asked).unwrap(),
            paths(&["keep.txt", "modify.txt"])
        );
        assert!(repo.dirty_among(&[]).unwrap().is_empty());

        let deleted = b"delete.txt".to_vec();
        t.remove("delete.txt");
        assert_eq!(
            repo.dirty_among(std::slice::from_ref(&deleted)).unwrap(),
            vec![deleted]
        );
    }

    #[test]
    fn non_utf8_path_survives_dirty_among() {
        let t = TestRepo::new();
        let name: &[u8] = b"na\xefve.txt";
        t.write(name, "v1\n");
        t.commit("one");
        t.write(name, "v2\n");
        let dirty = t.open().dirty_among(&[name.to_vec()]).unwrap();
        assert_eq!(dirty, vec![name.to_vec()]);
        assert!(t.root.join(OsStr::from_bytes(name)).exists());
    }
}
