//! pre-push: git's stdin, and the paths its updates change (SPEC 5, pre-push row).
//!
//! Owns `PushUpdate`, `parse_push_lines` and `Repo::push_changes`. Which tiers a pushed tag
//! adds is `plan`'s call; this only says what is a tag.

use git2::{Commit, ErrorCode, Oid, Sort};

use super::changes::sort_and_dedup;
use super::{short_id, ChangedPath, Changes, GitError, Repo};

/// One line of pre-push stdin: `<local ref> <local sha> <remote ref> <remote sha>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PushUpdate {
    pub(crate) local_ref: String,
    pub(crate) local_sha: Oid,
    pub(crate) remote_ref: String,
    pub(crate) remote_sha: Oid,
}

impl PushUpdate {
    /// git sends an all-zero local sha (and `(delete)` as the local ref) for a deletion.
    pub(crate) fn is_delete(&self) -> bool {
        self.local_sha.is_zero()
    }

    /// The tag's name (`v1.2.0` for `refs/tags/v1.2.0`), judged by the remote ref since that is
    /// what the push creates.
    pub(crate) fn tag_name(&self) -> Option<&str> {
        self.remote_ref
            .strip_prefix("refs/tags/")
            .filter(|name| !name.is_empty())
    }
}

const FORMAT: &str = "`<local ref> <local sha> <remote ref> <remote sha>`";

/// Parses git's pre-push stdin. Empty lines are skipped; anything else must be four fields
/// separated by single spaces, with 40-hex object ids.
pub(crate) fn parse_push_lines(stdin: &[u8]) -> Result<Vec<PushUpdate>, GitError> {
    let mut updates = Vec::new();
    for (index, line) in stdin.split(|&b| b == b'\n').enumerate() {
        // Tolerate CRLF from a hand-made file; git itself never sends it.
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        updates.push(parse_line(index + 1, line)?);
    }
    Ok(updates)
}

fn parse_line(line_no: usize, line: &[u8]) -> Result<PushUpdate, GitError> {
    let malformed = |problem: String| GitError::MalformedPushLine {
        line_no,
        line: String::from_utf8_lossy(line).into_owned(),
        problem,
    };
    let fields: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
    let [local_ref, local_sha, remote_ref, remote_sha] = fields.as_slice() else {
        let found = fields.iter().filter(|f| !f.is_empty()).count();
        return Err(malformed(if found == 4 {
            format!("fields must be separated by single spaces, {FORMAT}")
        } else {
            format!("expected 4 space-separated fields, {FORMAT}, found {found}")
        }));
    };
    let text = |field: &[u8], what: &str| -> Result<String, GitError> {
        if field.is_empty() {
            return Err(malformed(format!(
                "empty {what}: fields must be separated by single spaces, {FORMAT}"
            )));
        }
        String::from_utf8(field.to_vec()).map_err(|_| malformed(format!("{what} is not UTF-8")))
    };
    let sha = |field: &[u8], what: &str| -> Result<Oid, GitError> {
        let field = text(field, what)?;
        if !field.bytes().all(|b| b.is_ascii_hexdigit()) || !matches!(field.len(), 40 | 64) {
            return Err(malformed(format!(
                "{what} `{field}` is not an object id (40 hex digits, or 64 for SHA-256)"
            )));
        }
        if field.len() == 64 {
            // libgit2, as the git2 crate builds it, reads SHA-1 repositories only.
            return Err(malformed(format!(
                "{what} `{field}` is a SHA-256 object id, which tiergate cannot read yet"
            )));
        }
        Oid::from_str(&field).map_err(|e| malformed(format!("{what} `{field}`: {}", e.message())))
    };
    Ok(PushUpdate {
        local_ref: text(local_ref, "local ref")?,
        local_sha: sha(local_sha, "local sha")?,
        remote_ref: text(remote_ref, "remote ref")?,
        remote_sha: sha(remote_sha, "remote sha")?,
    })
}

/// What one update contributes to the union.
enum Contribution {
    Nothing,
    Diff {
        base: Oid,
        head: Oid,
        paths: Vec<ChangedPath>,
    },
    Everything {
        head: Oid,
        reason: String,
    },
}

impl Repo {
    /// What pushing the current branch to `remote` (default: its upstream's
    /// remote, else `origin`) would test, without git's stdin: the update
    /// line git would send, compared with that remote's tracking refs like a
    /// real push. Also says what it compared with, for `plan pre-push`.
    pub(crate) fn planned_push(&self, remote: Option<&str>) -> Result<(Changes, String), GitError> {
        let repo = self.raw();
        let head = match repo.head() {
            Ok(head) if head.is_branch() => head,
            _ => {
                return Ok((
                    Changes::everything(
                        "HEAD is not on a branch: nothing to compare with",
                        None,
                        None,
                    ),
                    "HEAD is not on a branch".to_owned(),
                ))
            }
        };
        let branch = head.shorthand().unwrap_or("HEAD").to_owned();
        let Some(local_sha) = head.target() else {
            return Ok((
                Changes::everything("the branch has no commit yet", None, None),
                "the branch has no commit yet".to_owned(),
            ));
        };
        let config = repo.config()?;
        let upstream_remote = config.get_string(&format!("branch.{branch}.remote")).ok();
        let remote = remote
            .map(str::to_owned)
            .or_else(|| upstream_remote.clone())
            .unwrap_or_else(|| "origin".to_owned());
        // The upstream's branch name when pushing to the upstream's remote;
        // else a branch of the same name, as `git push REMOTE` would.
        let remote_branch = config
            .get_string(&format!("branch.{branch}.merge"))
            .ok()
            .filter(|_| upstream_remote.as_deref() == Some(remote.as_str()))
            .and_then(|m| m.strip_prefix("refs/heads/").map(str::to_owned))
            .unwrap_or_else(|| branch.clone());
        let tracking = format!("refs/remotes/{remote}/{remote_branch}");
        let remote_sha = repo
            .refname_to_id(&tracking)
            .unwrap_or_else(|_| Oid::zero());
        let update = PushUpdate {
            local_ref: format!("refs/heads/{branch}"),
            local_sha,
            remote_ref: format!("refs/heads/{remote_branch}"),
            remote_sha,
        };
        let changes = self.push_changes(&remote, &[update])?;
        let which = if remote_sha.is_zero() {
            format!("against what `{remote}` has: it has no `{remote_branch}` yet")
        } else {
            format!("against `{remote}/{remote_branch}`")
        };
        Ok((changes, which))
    }

    /// The paths changed by a push: the union over every update (SPEC 5).
    ///
    /// - A deletion selects nothing.
    /// - A remote sha this clone has, and which the local commit descends from: remote..local.
    /// - Otherwise (new branch or tag, force push, remote sha unknown here): the commits of the
    ///   local sha that no tracking ref of the remote reaches, diffed from the first parent of
    ///   the oldest; nothing when there are none; everything when one of them is a root commit
    ///   or the remote has no tracking refs at all.
    ///
    /// An annotated tag is peeled to its commit; a tag of a tree or blob selects nothing.
    ///
    /// `remote_name` is git's first hook argument. When pushing to a URL it is that URL; the
    /// tracking refs are then those of the configured remote with that URL (or push URL), and
    /// with none, everything runs. The tracking refs of other remotes are never used: a commit
    /// another remote has may still be new to this one, and skipping its tests would be unsafe.
    ///
    /// `base` and `head` are those of the first update that contributed (usually the only one).
    /// With `everything`, `paths` keeps what the other updates found, for display only.
    pub(crate) fn push_changes(
        &self,
        remote_name: &str,
        updates: &[PushUpdate],
    ) -> Result<Changes, GitError> {
        // Resolved on first need: a plain fast-forward push never needs them.
        let mut tracking: Option<Vec<Oid>> = None;
        let mut paths = Vec::new();
        let mut everything: Option<String> = None;
        let mut ends: Option<(Option<Oid>, Oid)> = None;

        for update in updates {
            match self.contribution(update, remote_name, &mut tracking)? {
                Contribution::Nothing => {}
                Contribution::Diff {
                    base,
                    head,
                    paths: found,
                } => {
                    ends.get_or_insert((Some(base), head));
                    paths.extend(found);
                }
                Contribution::Everything { head, reason } => {
                    ends.get_or_insert((None, head));
                    everything.get_or_insert(reason);
                }
            }
        }
        sort_and_dedup(&mut paths);
        let (base, head) = ends.map_or((None, None), |(base, head)| (base, Some(head)));
        Ok(Changes {
            paths,
            everything: everything.is_some(),
            reason: everything,
            base,
            head,
        })
    }

    fn contribution(
        &self,
        update: &PushUpdate,
        remote_name: &str,
        tracking: &mut Option<Vec<Oid>>,
    ) -> Result<Contribution, GitError> {
        if update.is_delete() {
            return Ok(Contribution::Nothing);
        }
        let Some(local) = self.pushed_commit(update)? else {
            return Ok(Contribution::Nothing);
        };

        if !update.remote_sha.is_zero() {
            if let Some(remote) = self.known_commit(update.remote_sha) {
                if remote.id() == local.id() {
                    return Ok(Contribution::Nothing);
                }
                if self.raw().graph_descendant_of(local.id(), remote.id())? {
                    return Ok(Contribution::Diff {
                        base: remote.id(),
                        head: local.id(),
                        paths: self.diff_trees(&remote.tree()?, &local.tree()?)?,
                    });
                }
            }
        }

        let tips = match tracking {
            Some(tips) => tips,
            None => tracking.insert(self.tracking_tips(remote_name)?),
        };
        if tips.is_empty() {
            return Ok(Contribution::Everything {
                head: local.id(),
                reason: format!(
                    "no tracking refs for `{remote_name}`, so which commits it already has is unknown"
                ),
            });
        }

        let mut walk = self.raw().revwalk()?;
        // Parents before children: the first commit out is the oldest new one.
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
        walk.push(local.id())?;
        for tip in tips.iter() {
            walk.hide(*tip)?;
        }
        let mut oldest: Option<Commit<'_>> = None;
        for oid in walk {
            let commit = self.raw().find_commit(oid?)?;
            if commit.parent_count() == 0 {
                let reason = if self.is_shallow() {
                    format!(
                        "`{}` reaches the boundary of this shallow clone at {}; `git fetch --unshallow` fetches the rest",
                        update.local_ref,
                        short_id(commit.id())
                    )
                } else {
                    format!(
                        "`{}` brings in root commit {} (unrelated history), so there is no parent to diff from",
                        update.local_ref,
                        short_id(commit.id())
                    )
                };
                return Ok(Contribution::Everything {
                    head: local.id(),
                    reason,
                });
            }
            if oldest.is_none() {
                oldest = Some(commit);
            }
        }
        let Some(oldest) = oldest else {
            // Every pushed commit is already on the remote (a new branch at an old commit).
            return Ok(Contribution::Nothing);
        };
        let base = oldest.parent(0)?;
        Ok(Contribution::Diff {
            base: base.id(),
            head: local.id(),
            paths: self.diff_trees(&base.tree()?, &local.tree()?)?,
        })
    }

    /// The commit a push sends: the local sha peeled through annotated tags. `None` for a tag
    /// of a tree or blob, which has nothing to test.
    fn pushed_commit(&self, update: &PushUpdate) -> Result<Option<Commit<'_>>, GitError> {
        let object = match self.raw().find_object(update.local_sha, None) {
            Ok(object) => object,
            Err(e) if e.code() == ErrorCode::NotFound => {
                return Err(GitError::MissingObject {
                    oid: update.local_sha,
                    context: format!("the local sha of `{}`", update.local_ref),
                })
            }
            Err(e) => return Err(e.into()),
        };
        Ok(object.peel_to_commit().ok())
    }

    /// The remote sha as a commit, when this clone has it (a force push may name a commit
    /// that was never fetched).
    fn known_commit(&self, oid: Oid) -> Option<Commit<'_>> {
        self.raw()
            .find_object(oid, None)
            .ok()?
            .peel_to_commit()
            .ok()
    }

    /// The commits at the tips of `refs/remotes/<remote>/*`.
    fn tracking_tips(&self, remote_name: &str) -> Result<Vec<Oid>, GitError> {
        let Some(remote) = self.tracking_remote(remote_name) else {
            return Ok(Vec::new());
        };
        let prefix = format!("refs/remotes/{remote}/");
        let mut tips = Vec::new();
        for reference in self.raw().references_glob("refs/remotes/*")? {
            let reference = reference?;
            if !reference.name_bytes().starts_with(prefix.as_bytes()) {
                continue;
            }
            // A dangling `<remote>/HEAD` or a ref to a non-commit says nothing about history.
            if let Ok(commit) = reference.peel_to_commit() {
                tips.push(commit.id());
            }
        }
        tips.sort_unstable();
        tips.dedup();
        Ok(tips)
    }

    /// The configured remote git's first hook argument stands for: itself when it is a remote
    /// name, else the remote whose URL or push URL it is.
    fn tracking_remote(&self, remote_name: &str) -> Option<String> {
        if self.raw().find_remote(remote_name).is_ok() {
            return Some(remote_name.to_owned());
        }
        let names = self.raw().remotes().ok()?;
        names.iter().flatten().find_map(|name| {
            let remote = self.raw().find_remote(name).ok()?;
            let matches =
                remote.url() == Some(remote_name) || remote.pushurl() == Some(remote_name);
            matches.then(|| name.to_owned())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::fixture::{paths, touched, TestRepo};

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const ZERO: &str = "0000000000000000000000000000000000000000";

    fn err_of(input: &str) -> (usize, String, String) {
        match parse_push_lines(input.as_bytes()).unwrap_err() {
            GitError::MalformedPushLine {
                line_no,
                line,
                problem,
            } => (line_no, line, problem),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_several_lines_and_skips_empty_ones() {
        let input = format!(
            "refs/heads/main {A} refs/heads/main {B}\n\n(delete) {ZERO} refs/heads/old {A}\nrefs/tags/v1.0.0 {B} refs/tags/v1.0.0 {ZERO}\n"
        );
        let updates = parse_push_lines(input.as_bytes()).unwrap();
        assert_eq!(updates.len(), 3);
        assert_eq!(
            updates[0],
            PushUpdate {
                local_ref: "refs/heads/main".into(),
                local_sha: Oid::from_str(A).unwrap(),
                remote_ref: "refs/heads/main".into(),
                remote_sha: Oid::from_str(B).unwrap(),
            }
        );
        assert!(!updates[0].is_delete() && updates[0].tag_name().is_none());
        assert!(updates[1].is_delete());
        assert!(updates[2].tag_name().is_some());
        assert_eq!(updates[2].tag_name(), Some("v1.0.0"));
        assert_eq!(updates[0].tag_name(), None);
        assert!(parse_push_lines(b"").unwrap().is_empty());
        assert!(parse_push_lines(b"\n\n").unwrap().is_empty());
    }

    #[test]
    fn wrong_field_count_quotes_the_line() {
        let input =
            format!("refs/heads/main {A} refs/heads/main {B}\nrefs/heads/x {A} refs/heads/x\n");
        let (line_no, line, problem) = err_of(&input);
        assert_eq!(line_no, 2);
        assert_eq!(line, format!("refs/heads/x {A} refs/heads/x"));
        assert!(problem.contains("expected 4"), "{problem}");
        assert!(problem.contains("found 3"), "{problem}");
        assert!(problem.contains("<local ref> <local sha> <remote ref> <remote sha>"));

        let (_, _, problem) = err_of(&format!("a {A} b {B} extra"));
        assert!(problem.contains("found 5"), "{problem}");
        let (_, _, problem) = err_of(&format!("a  {A} b {B}"));
        assert!(problem.contains("single spaces"), "{problem}");
        let (_, _, problem) = err_of(&format!("a\t{A}\tb\t{B}"));
        assert!(problem.contains("found 1"), "{problem}");
    }

    #[test]
    fn bad_sha_is_named() {
        let (line_no, _, problem) = err_of(&format!("refs/heads/main xyz refs/heads/main {B}"));
        assert_eq!(line_no, 1);
        assert!(problem.contains("local sha `xyz`"), "{problem}");
        let short = &A[..39];
        let (_, _, problem) = err_of(&format!("refs/heads/main {A} refs/heads/main {short}"));
        assert!(problem.contains("remote sha"), "{problem}");
        let not_hex = A.replace('1', "g");
        let (_, _, problem) = err_of(&format!("refs/heads/main {not_hex} refs/heads/main {B}"));
        assert!(problem.contains("not an object id"), "{problem}");
        let sha256 = "a".repeat(64);
        let (_, _, problem) = err_of(&format!(
            "refs/heads/main {sha256} refs/heads/main {sha256}"
        ));
        assert!(problem.contains("SHA-256"), "{problem}");
    }

    #[test]
    fn malformed_error_message_and_hint() {
        let err = parse_push_lines(b"garbage\n").unwrap_err();
        assert!(err
            .to_string()
            .starts_with("malformed pre-push input, line 1 `garbage`"));
        assert!(err.hint().unwrap().contains("git push"));
    }

    /// A repository with `origin` (a local bare repository) holding `main`.
    fn pushed_repo() -> TestRepo {
        let t = TestRepo::new();
        t.write("README.md", "readme\n");
        t.write("src/lib.rs", "// lib\n");
        t.write("tests/t.rs", "// test\n");
        t.commit("base");
        t.add_bare_remote("origin");
        t.git(&["push", "-q", "--no-verify", "origin", "main"]);
        t
    }

    fn push(t: &TestRepo, args: &[&str]) -> (Changes, Vec<PushUpdate>) {
        let (remote, stdin) = t.capture_push(args);
        let updates = parse_push_lines(&stdin).unwrap();
        let changes = t.open().push_changes(&remote, &updates).unwrap();
        (changes, updates)
    }

    /// `git rev-list --topo-order --reverse <local> --not --remotes=origin`, first one's parent:
    /// what pre-commit's pre-push computes, as the oracle for the new-commits case.
    fn oldest_new_parent(t: &TestRepo, local: &str) -> String {
        let out = t.git(&[
            "rev-list",
            "--topo-order",
            "--reverse",
            local,
            "--not",
            "--remotes=origin",
        ]);
        let out = String::from_utf8(out).unwrap();
        let oldest = out.lines().next().expect("new commits");
        format!("{oldest}^")
    }

    #[test]
    fn update_diffs_remote_to_local() {
        let t = pushed_repo();
        t.write("src/lib.rs", "// changed\n");
        t.commit("c1");
        t.write("docs/new.md", "doc\n");
        t.commit("c2");
        let (changes, updates) = push(&t, &["origin", "main"]);
        assert_eq!(updates.len(), 1);
        assert_eq!(touched(&changes), t.name_only(&["origin/main", "main"]));
        assert_eq!(touched(&changes), paths(&["docs/new.md", "src/lib.rs"]));
        assert!(!changes.everything);
        assert_eq!(changes.base, Some(t.rev("origin/main")));
        assert_eq!(changes.head, Some(t.rev("main")));
    }

    #[test]
    fn new_branch_diffs_from_the_parent_of_its_oldest_new_commit() {
        let t = pushed_repo();
        t.git(&["checkout", "-q", "-b", "feature"]);
        t.write("src/feature.rs", "// f\n");
        t.commit("f1");
        t.remove("tests/t.rs");
        t.commit("f2");
        let (changes, updates) = push(&t, &["origin", "feature"]);
        assert!(updates[0].remote_sha.is_zero());
        let base = oldest_new_parent(&t, "feature");
        assert_eq!(touched(&changes), t.name_only(&[&base, "feature"]));
        assert_eq!(touched(&changes), paths(&["src/feature.rs", "tests/t.rs"]));
        assert!(changes.paths.iter().any(ChangedPath::is_deleted));
        assert_eq!(changes.base, Some(t.rev("main")));
    }

    #[test]
    fn new_branch_without_new_commits_selects_nothing() {
        let t = pushed_repo();
        t.git(&["branch", "copy-of-main"]);
        let (changes, _) = push(&t, &["origin", "copy-of-main"]);
        assert!(
            !changes.everything && changes.paths.is_empty(),
            "{changes:?}"
        );
    }

    #[test]
    fn rebase_and_force_push_diffs_only_the_rebased_commits() {
        let t = pushed_repo();
        t.git(&["checkout", "-q", "-b", "feature"]);
        t.write("src/feature.rs", "// f\n");
        t.commit("f1");
        t.git(&["push", "-q", "--no-verify", "origin", "feature"]);
        t.git(&["checkout", "-q", "main"]);
        t.write("README.md", "main moved on\n");
        t.commit("m1");
        t.git(&["push", "-q", "--no-verify", "origin", "main"]);
        t.git(&["checkout", "-q", "feature"]);
        t.git(&["rebase", "-q", "main"]);

        let (changes, updates) = push(&t, &["--force", "origin", "feature"]);
        assert_eq!(updates[0].remote_sha, t.rev("origin/feature"));
        let base = oldest_new_parent(&t, "feature");
        assert_eq!(touched(&changes), t.name_only(&[&base, "feature"]));
        assert_eq!(touched(&changes), paths(&["src/feature.rs"]));
        assert_eq!(changes.base, Some(t.rev("main")));
    }

    #[test]
    fn force_push_over_a_commit_this_clone_never_saw() {
        let t = pushed_repo();
        // Someone else pushes to main; this clone does not fetch it.
        let other = t.base().join("other");
        let origin = t.base().join("origin.git");
        t.git_at(
            t.base(),
            &[
                "clone",
                "-q",
                origin.to_str().unwrap(),
                other.to_str().unwrap(),
            ],
        );
        std::fs::write(other.join("theirs.txt"), "theirs\n").unwrap();
        t.git_at(&other, &["add", "theirs.txt"]);
        t.git_at(&other, &["commit", "-q", "-m", "theirs"]);
        t.git_at(&other, &["push", "-q", "--no-verify", "origin", "main"]);

        t.write("mine.txt", "mine\n");
        t.commit("mine");
        let (changes, updates) = push(&t, &["--force", "origin", "main"]);
        assert!(t.open().raw().find_commit(updates[0].remote_sha).is_err());
        assert_eq!(touched(&changes), paths(&["mine.txt"]));
        assert_eq!(changes.base, Some(t.rev("origin/main")));
    }

    #[test]
    fn deleting_a_ref_selects_nothing() {
        let t = pushed_repo();
        t.git(&["push", "-q", "--no-verify", "origin", "main:doomed"]);
        let (changes, updates) = push(&t, &["origin", ":doomed"]);
        assert!(updates[0].is_delete());
        assert!(
            !changes.everything && changes.paths.is_empty(),
            "{changes:?}"
        );
        assert_eq!(changes.head, None);
    }

    #[test]
    fn annotated_tag_on_a_pushed_commit_selects_nothing() {
        let t = pushed_repo();
        t.git(&["tag", "-a", "v1.0.0", "-m", "release"]);
        let (changes, updates) = push(&t, &["origin", "v1.0.0"]);
        assert!(updates[0].tag_name().is_some());
        assert_eq!(updates[0].tag_name(), Some("v1.0.0"));
        // The local sha is the tag object, not the commit.
        assert_ne!(updates[0].local_sha, t.rev("main"));
        assert!(
            !changes.everything && changes.paths.is_empty(),
            "{changes:?}"
        );
    }

    #[test]
    fn tag_on_unpushed_commits_diffs_like_a_new_branch() {
        let t = pushed_repo();
        t.write("src/lib.rs", "// release fix\n");
        t.commit("fix");
        t.git(&["tag", "v1.0.1"]);
        t.git(&["tag", "-a", "v1.0.1-annotated", "-m", "annotated"]);
        for tag in ["v1.0.1", "v1.0.1-annotated"] {
            let (changes, updates) = push(&t, &["origin", tag]);
            assert_eq!(updates[0].tag_name(), Some(tag));
            assert_eq!(touched(&changes), t.name_only(&["origin/main", tag]));
            assert_eq!(touched(&changes), paths(&["src/lib.rs"]));
            assert_eq!(changes.head, Some(t.rev("main")));
        }
    }

    #[test]
    fn several_refs_in_one_push_are_united() {
        let t = pushed_repo();
        t.write("src/lib.rs", "// on main\n");
        t.commit("main change");
        t.git(&["checkout", "-q", "-b", "feature"]);
        t.write("tests/t.rs", "// on feature\n");
        t.commit("feature change");
        t.git(&["checkout", "-q", "main"]);
        t.git(&["push", "-q", "--no-verify", "origin", "main:doomed"]);
        let (changes, updates) = push(&t, &["origin", "main", "feature", ":doomed"]);
        assert_eq!(updates.len(), 3);
        let mut expected = t.name_only(&["origin/main", "main"]);
        expected.extend(t.name_only(&[&oldest_new_parent(&t, "feature"), "feature"]));
        expected.sort();
        expected.dedup();
        assert_eq!(touched(&changes), expected);
        assert_eq!(touched(&changes), paths(&["src/lib.rs", "tests/t.rs"]));
        // One entry per path although two updates changed src/lib.rs.
        assert_eq!(changes.paths.len(), 2);
    }

    #[test]
    fn unrelated_history_selects_everything() {
        let t = pushed_repo();
        t.git(&["checkout", "-q", "--orphan", "pages"]);
        t.git(&["rm", "-rq", "--cached", "."]);
        t.write("index.html", "<p>\n");
        t.git(&["add", "index.html"]);
        t.git(&["commit", "-q", "-m", "pages root"]);
        let (changes, _) = push(&t, &["origin", "pages"]);
        assert!(changes.everything);
        assert!(changes.reason.unwrap().contains("root commit"));
        assert_eq!(changes.head, Some(t.rev("pages")));
    }

    #[test]
    fn no_tracking_refs_selects_everything() {
        let t = TestRepo::new();
        t.write("a.txt", "a\n");
        t.commit("one");
        t.add_bare_remote("origin");
        let (changes, updates) = push(&t, &["origin", "main"]);
        assert!(updates[0].remote_sha.is_zero());
        assert!(changes.everything);
        assert!(changes
            .reason
            .unwrap()
            .contains("no tracking refs for `origin`"));
    }

    #[test]
    fn pushing_to_a_url_uses_the_remote_with_that_url() {
        let t = pushed_repo();
        t.write("src/lib.rs", "// by url\n");
        t.commit("c");
        let url = t.base().join("origin.git");
        let url = url.to_str().unwrap();
        t.git(&["branch", "by-url"]);
        let (remote, stdin) = t.capture_push(&[url, "by-url"]);
        assert_eq!(remote, url);
        let updates = parse_push_lines(&stdin).unwrap();
        let changes = t.open().push_changes(&remote, &updates).unwrap();
        assert_eq!(touched(&changes), paths(&["src/lib.rs"]));

        // A URL no configured remote has: no tracking refs, so everything.
        let elsewhere = t.base().join("elsewhere.git");
        t.git_at(
            t.base(),
            &["init", "-q", "--bare", elsewhere.to_str().unwrap()],
        );
        let (remote, stdin) = t.capture_push(&[elsewhere.to_str().unwrap(), "main"]);
        let updates = parse_push_lines(&stdin).unwrap();
        let changes = t.open().push_changes(&remote, &updates).unwrap();
        assert!(changes.everything, "{changes:?}");
    }

    #[test]
    fn pushed_sha_missing_from_the_repository_is_an_error() {
        let t = pushed_repo();
        let input = format!("refs/heads/main {A} refs/heads/main {ZERO}\n");
        let updates = parse_push_lines(input.as_bytes()).unwrap();
        let err = t.open().push_changes("origin", &updates).unwrap_err();
        assert!(matches!(err, GitError::MissingObject { .. }), "{err:?}");
        assert!(err.to_string().contains(A));
    }

    #[test]
    fn shallow_boundary_selects_everything() {
        let t = pushed_repo();
        t.write("b.txt", "b\n");
        t.commit("two");
        t.git(&["push", "-q", "--no-verify", "origin", "main"]);
        let shallow = t.base().join("shallow");
        let origin = format!("file://{}", t.base().join("origin.git").display());
        t.git_at(
            t.base(),
            &[
                "clone",
                "-q",
                "--depth",
                "1",
                &origin,
                shallow.to_str().unwrap(),
            ],
        );
        std::fs::write(shallow.join("c.txt"), "c\n").unwrap();
        t.git_at(&shallow, &["add", "c.txt"]);
        t.git_at(&shallow, &["commit", "-q", "-m", "three"]);
        // Tracking refs that do not reach the clone's boundary commit: the walk meets it.
        let empty_tree = t.git_at(&shallow, &["hash-object", "-t", "tree", "-w", "/dev/null"]);
        let empty_tree = String::from_utf8(empty_tree).unwrap();
        let other = t.git_at(&shallow, &["commit-tree", empty_tree.trim(), "-m", "other"]);
        let other = String::from_utf8(other).unwrap();
        t.git_at(
            &shallow,
            &["update-ref", "--no-deref", "-d", "refs/remotes/origin/HEAD"],
        );
        t.git_at(
            &shallow,
            &["update-ref", "refs/remotes/origin/main", other.trim()],
        );

        let repo = t.open_with(&shallow, &[]).unwrap();
        assert!(repo.is_shallow());
        let update = PushUpdate {
            local_ref: "refs/heads/main".into(),
            local_sha: repo.head_commit().unwrap(),
            remote_ref: "refs/heads/main".into(),
            remote_sha: Oid::zero(),
        };
        let changes = repo.push_changes("origin", &[update]).unwrap();
        assert!(changes.everything, "{changes:?}");
        assert!(
            changes.reason.as_deref().unwrap().contains("shallow"),
            "{changes:?}"
        );
    }
}
