//! What is staged, from a parsed index and HEAD's trees: the answer `git diff --cached
//! --name-status` gives, without libgit2's diff machinery.
//!
//! HEAD's trees and the index are both sorted the way git sorts paths (a directory `d` sorts
//! as `d/`), so one merge walk compares them. A directory whose cache-tree node is valid and
//! names the same tree as HEAD has nothing staged in it and is skipped unread: a commit that
//! touches a few directories of a large repository reads only those.
//!
//! The walk decides alone only when the answer has no renames: with conflicts in the index,
//! or with paths both added and deleted (a rename, exact or not, may pair them), it answers
//! `None` and `diff.rs` asks libgit2, which detects renames the way git does.

use std::cmp::Ordering;

use git2::{Oid, Repository};

use super::index_file::{IndexEntry, IndexFile};
use super::trees::TreeReader;
use super::{ChangeKind, ChangedPath};

/// The staged changes of `index` against the tree `head` (`None` before the first commit), or
/// `None` when libgit2 must answer (see the module comment).
pub(super) fn staged_paths(
    repo: &Repository,
    head: Option<Oid>,
    index: &IndexFile,
) -> Result<Option<Vec<ChangedPath>>, git2::Error> {
    if index.has_conflicts() {
        return Ok(None);
    }
    let mut walk = Walk {
        trees: TreeReader::new(repo),
        index,
        out: Vec::new(),
        added: 0,
        deleted: 0,
    };
    match head {
        Some(tree)
            if index
                .valid_tree(b"")
                .is_some_and(|id| id == tree.as_bytes()) => {}
        Some(tree) => walk.tree(tree, &mut Vec::new(), index.entries())?,
        None => index.entries().iter().for_each(|e| walk.add(e)),
    }
    if walk.added > 0 && walk.deleted > 0 {
        return Ok(None);
    }
    let mut paths = walk.out;
    super::changes::sort_and_dedup(&mut paths);
    Ok(Some(paths))
}

struct Walk<'a> {
    trees: TreeReader<'a>,
    index: &'a IndexFile,
    out: Vec<ChangedPath>,
    added: usize,
    deleted: usize,
}

impl Walk<'_> {
    /// Compares the tree `id`, found at `prefix` (empty, or ending in `/`), with `entries`: the
    /// index entries whose paths start with `prefix`.
    fn tree(
        &mut self,
        id: Oid,
        prefix: &mut Vec<u8>,
        entries: &[IndexEntry],
    ) -> Result<(), git2::Error> {
        let tree = self.trees.read(id)?;
        let mut next = 0;
        for item in tree.iter() {
            let name = item.name;
            let is_dir = item.is_dir();
            // Index entries sorting before this tree entry are not in HEAD.
            while let Some(entry) = entries.get(next) {
                let (key, key_is_dir) = component(self.index.path(entry), prefix.len());
                if compare(key, key_is_dir, name, is_dir) != Ordering::Less {
                    break;
                }
                self.add(entry);
                next += 1;
            }
            let same_key = entries.get(next).is_some_and(|entry| {
                let (key, key_is_dir) = component(self.index.path(entry), prefix.len());
                compare(key, key_is_dir, name, is_dir) == Ordering::Equal
            });
            let parent_len = prefix.len();
            prefix.extend_from_slice(name);
            match (is_dir, same_key) {
                (true, true) => {
                    let dir_len = prefix.len();
                    prefix.push(b'/');
                    let run = entries[next..]
                        .iter()
                        .position(|e| !self.index.path(e).starts_with(prefix))
                        .unwrap_or(entries.len() - next);
                    let unchanged = self
                        .index
                        .valid_tree(&prefix[..dir_len])
                        .is_some_and(|tree| tree == item.id.as_bytes());
                    if !unchanged {
                        self.tree(item.id, prefix, &entries[next..next + run])?;
                    }
                    next += run;
                }
                (true, false) => {
                    prefix.push(b'/');
                    self.delete_tree(item.id, prefix)?;
                }
                (false, true) => {
                    let entry = &entries[next];
                    next += 1;
                    if entry.is_intent_to_add() {
                        // A placeholder is not in the commit: the path leaves it.
                        self.delete(prefix.clone());
                    } else if let Some(kind) = change(item.mode, item.id, entry) {
                        self.out.push(ChangedPath {
                            path: prefix.clone(),
                            old_path: None,
                            kind,
                        });
                    }
                }
                (false, false) => self.delete(prefix.clone()),
            }
            prefix.truncate(parent_len);
        }
        for entry in &entries[next..] {
            self.add(entry);
        }
        Ok(())
    }

    /// Every file under the tree `id` (at `prefix`, ending in `/`) is gone from the index.
    fn delete_tree(&mut self, id: Oid, prefix: &mut Vec<u8>) -> Result<(), git2::Error> {
        let tree = self.trees.read(id)?;
        for item in tree.iter() {
            let parent_len = prefix.len();
            prefix.extend_from_slice(item.name);
            if item.is_dir() {
                prefix.push(b'/');
                self.delete_tree(item.id, prefix)?;
            } else {
                self.delete(prefix.clone());
            }
            prefix.truncate(parent_len);
        }
        Ok(())
    }

    fn add(&mut self, entry: &IndexEntry) {
        // `git add -N` placeholders stay out of the commit and of `git diff --cached`.
        if entry.is_intent_to_add() {
            return;
        }
        self.added += 1;
        self.out.push(ChangedPath {
            path: self.index.path(entry).to_vec(),
            old_path: None,
            kind: ChangeKind::Added,
        });
    }

    fn delete(&mut self, path: Vec<u8>) {
        self.deleted += 1;
        self.out.push(ChangedPath {
            path,
            old_path: None,
            kind: ChangeKind::Deleted,
        });
    }
}

/// How a file in HEAD (`old_mode`, `old_id`) differs from its index entry, if at all. A change
/// between file, symlink and submodule is a type change (git's `T`); an executable bit or
/// content change is a modification.
fn change(old_mode: u32, old_id: Oid, entry: &IndexEntry) -> Option<ChangeKind> {
    const TYPE_MASK: u32 = 0o170_000;
    if old_mode & TYPE_MASK != entry.mode & TYPE_MASK {
        Some(ChangeKind::TypeChanged)
    } else if old_mode != entry.mode || old_id.as_bytes() != entry.oid {
        Some(ChangeKind::Modified)
    } else {
        None
    }
}

/// The first component of `path` after `prefix_len` bytes, and whether more follows it (then
/// it is a directory).
fn component(path: &[u8], prefix_len: usize) -> (&[u8], bool) {
    let rest = &path[prefix_len..];
    match rest.iter().position(|&b| b == b'/') {
        Some(slash) => (&rest[..slash], true),
        None => (rest, false),
    }
}

/// git's path order for two names of one directory: a directory sorts as if its name ended in
/// `/`. Names never contain `/`.
fn compare(a: &[u8], a_is_dir: bool, b: &[u8], b_is_dir: bool) -> Ordering {
    let common = a.len().min(b.len());
    match a[..common].cmp(&b[..common]) {
        Ordering::Equal => {}
        unequal => return unequal,
    }
    let next = |name: &[u8], is_dir: bool| name.get(common).copied().or(is_dir.then_some(b'/'));
    next(a, a_is_dir).cmp(&next(b, b_is_dir))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::fixture::TestRepo;

    #[test]
    fn directories_sort_as_if_they_ended_in_a_slash() {
        use Ordering::{Equal, Greater, Less};
        type Case = (&'static [u8], bool, &'static [u8], bool, Ordering);
        let cases: [Case; 7] = [
            (b"foo", false, b"foo", false, Equal),
            (b"foo", true, b"foo", true, Equal),
            (b"foo", false, b"foo", true, Less),
            (b"foo.c", false, b"foo", true, Less),
            (b"foo0", false, b"foo", true, Greater),
            (b"fo", true, b"foo", false, Less),
            (b"b", false, b"a", true, Greater),
        ];
        for (a, a_dir, b, b_dir, expected) in cases {
            assert_eq!(compare(a, a_dir, b, b_dir), expected, "{a:?} {b:?}");
            assert_eq!(compare(b, b_dir, a, a_dir), expected.reverse());
        }
    }

    fn walk(t: &TestRepo) -> Option<Vec<ChangedPath>> {
        let repo = Repository::open(&t.root).unwrap();
        let head = repo.head().ok().map(|h| h.peel_to_tree().unwrap().id());
        let index = IndexFile::read(&t.root.join(".git/index"))
            .unwrap()
            .unwrap();
        staged_paths(&repo, head, &index).unwrap()
    }

    #[test]
    fn the_walk_agrees_with_git_diff_cached() {
        let t = TestRepo::new();
        t.write("a.txt", "a\n");
        t.write("foo", "a file that becomes a directory\n");
        t.write("foo.c", "c\n");
        t.write("dir/sub/keep.rs", "keep\n");
        t.write("dir/sub/gone/x.txt", "x\n");
        t.write("dir/sub/gone/y.txt", "y\n");
        t.write("dir/mode.sh", "echo\n");
        t.write("dir/link-target", "t\n");
        t.write("untouched/deep/file", "u\n");
        t.commit("base");
        assert_eq!(walk(&t), Some(Vec::new()));

        t.write("a.txt", "changed\n");
        t.git(&["rm", "-q", "foo"]);
        t.write("foo/inside", "now a directory\n");
        t.git(&["rm", "-q", "-r", "dir/sub/gone"]);
        t.git(&["update-index", "--chmod=+x", "dir/mode.sh"]);
        t.remove("dir/link-target");
        std::os::unix::fs::symlink("a.txt", t.root.join("dir/link-target")).unwrap();
        t.write("zzz/new.txt", "new\n");
        t.write("later.txt", "intent to add\n");
        t.git(&["add", "-N", "later.txt"]);
        t.git(&["add", "a.txt", "foo", "dir", "zzz"]);
        // Both additions and deletions: a rename could pair them, so libgit2 answers.
        assert_eq!(walk(&t), None);

        // Without deletions the walk answers, exactly as git does.
        t.git(&["reset", "-q"]);
        t.git(&["add", "a.txt", "dir/link-target", "zzz"]);
        t.git(&["update-index", "--chmod=+x", "dir/mode.sh"]);
        t.git(&["add", "-N", "later.txt"]);
        let ours = walk(&t).expect("no deletions");
        assert_eq!(ours, t.name_status(&["--cached"]));
        assert_eq!(ours.len(), 4);

        // Deletions only, including a whole directory and a file replaced by a directory's
        // worth of nothing.
        t.git(&["reset", "-q"]);
        t.git(&["rm", "-q", "-r", "--cached", "dir/sub", "foo"]);
        let ours = walk(&t).expect("no additions");
        assert_eq!(ours, t.name_status(&["--cached"]));
        assert_eq!(ours.len(), 4);
    }

    #[test]
    fn before_the_first_commit_everything_but_placeholders_is_added() {
        let t = TestRepo::new();
        t.write("b/c.txt", "c\n");
        t.write("a.txt", "a\n");
        t.git(&["add", "."]);
        t.write("ita.txt", "i\n");
        t.git(&["add", "-N", "ita.txt"]);
        let repo = Repository::open(&t.root).unwrap();
        let index = IndexFile::read(&t.root.join(".git/index"))
            .unwrap()
            .unwrap();
        let ours = staged_paths(&repo, None, &index).unwrap().unwrap();
        let names: Vec<&[u8]> = ours.iter().map(|c| c.path.as_slice()).collect();
        assert_eq!(names, [b"a.txt".as_slice(), b"b/c.txt"]);
        assert!(ours.iter().all(|c| c.kind == ChangeKind::Added));
    }

    #[test]
    fn a_valid_cache_tree_skips_directories_without_reading_them() {
        let t = TestRepo::new();
        t.write("big/one.txt", "1\n");
        t.write("small/two.txt", "2\n");
        t.commit("base");
        t.write("small/two.txt", "changed\n");
        t.git(&["add", "small/two.txt"]);
        // Remove the `big` tree object from the repository: a walk that reads it fails.
        let big = t.rev("HEAD:big");
        let hex = big.to_string();
        let object = t.root.join(".git/objects").join(&hex[..2]).join(&hex[2..]);
        std::fs::remove_file(object).unwrap();
        let ours = walk(&t).expect("an answer");
        assert_eq!(ours.len(), 1);
        assert_eq!(ours[0].path, b"small/two.txt");
        assert_eq!(ours[0].kind, ChangeKind::Modified);
    }

    /// Random trees, random staged edits (content, mode, type, new and removed files and
    /// directories): whenever the walk answers, it answers what git does.
    #[test]
    fn random_staged_edits_match_git() {
        let mut seed: u64 = 0x5eed_1234_abcd;
        let mut next = move |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let names = ["a", "b.txt", "c.rs", "d", "e.py", "f-g", "h.c"];
        let mut answered = 0;
        for round in 0..12 {
            let t = TestRepo::new();
            let mut files = Vec::new();
            for i in 0..40 {
                let depth = next(3);
                let mut path = String::new();
                for _ in 0..depth {
                    path.push_str(names[usize::try_from(next(4)).unwrap()]);
                    path.push_str("-dir/");
                }
                path.push_str(names[usize::try_from(next(7)).unwrap()]);
                if files.iter().any(|f: &String| {
                    f.starts_with(&format!("{path}/")) || path.starts_with(&format!("{f}/"))
                }) {
                    continue;
                }
                t.write(&path, &format!("{round} {i}\n"));
                files.push(path);
            }
            files.sort();
            files.dedup();
            t.commit("base");
            for (i, path) in files.iter().enumerate() {
                let full = t.root.join(path);
                match next(8) {
                    0 => t.write(path, &format!("changed {i}\n")),
                    1 => {
                        t.git(&["update-index", "--chmod=+x", path]);
                        continue;
                    }
                    2 if round % 2 == 0 => t.remove(path),
                    3 => {
                        std::fs::remove_file(&full).unwrap();
                        std::os::unix::fs::symlink("target", &full).unwrap();
                    }
                    4 if round % 2 == 1 => t.write(format!("{path}.new"), "new\n"),
                    _ => continue,
                }
                t.git(&["add", "-A", "--ignore-errors", "--", path]);
                if full.with_extension("new").exists()
                    || t.root.join(format!("{path}.new")).exists()
                {
                    t.git(&["add", "--", &format!("{path}.new")]);
                }
            }
            if let Some(ours) = walk(&t) {
                answered += 1;
                assert_eq!(
                    ours,
                    t.name_status(&["--cached", "--no-renames"]),
                    "round {round}"
                );
            }
        }
        assert!(
            answered >= 10,
            "the walk answered only {answered} of 12 rounds"
        );
    }
}
