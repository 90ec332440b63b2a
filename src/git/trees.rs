//! HEAD's trees as the staged walk reads them: a loose tree object is read and inflated in
//! process, anything else (a packed object, an alternate object store) is asked of libgit2.
//!
//! Why not libgit2 for every tree: on the shared bench's 50,000-file repository the walk
//! reads about 1,100 trees, and libgit2 spent 117 M instructions on them (zlib's inflate 67 M,
//! its tree parser 28 M, parsing every mode with `strtol`) of the hook's 213 M, on the
//! thread the rest of the hook waits for (issue 21). A commit's own trees are loose until
//! `git gc` packs them, so the fast path is the usual one for the directories a commit
//! touches.

use git2::{Oid, Repository};

use super::loose::LooseObjects;

const HASH_LEN: usize = 20;
/// git's mode for a tree entry that is a directory.
const TREE_MODE: u32 = 0o040_000;

/// One entry of a tree: its mode, name and object id.
pub(super) struct TreeItem<'a> {
    pub(super) mode: u32,
    pub(super) name: &'a [u8],
    pub(super) id: Oid,
}

impl TreeItem<'_> {
    pub(super) fn is_dir(&self) -> bool {
        self.mode == TREE_MODE
    }
}

/// A tree's entries, in the tree's (git's) order.
#[derive(Default)]
pub(super) struct Tree {
    /// The tree's body: entries as git stores them.
    body: Vec<u8>,
    /// Per entry: mode, and where its name starts and ends in `body` (the id follows the
    /// name's terminating NUL).
    items: Vec<(u32, usize, usize)>,
}

impl Tree {
    pub(super) fn iter(&self) -> impl Iterator<Item = TreeItem<'_>> {
        self.items.iter().map(|&(mode, start, end)| TreeItem {
            mode,
            name: &self.body[start..end],
            id: Oid::from_bytes(&self.body[end + 1..end + 1 + HASH_LEN])
                .unwrap_or_else(|_| Oid::zero()),
        })
    }

    /// Parses a tree object's body; `None` when it is not one.
    fn parse(body: Vec<u8>) -> Option<Tree> {
        let mut items = Vec::with_capacity(body.len() / 40);
        let mut at = 0;
        while at < body.len() {
            let space = at + body[at..].iter().position(|&b| b == b' ')?;
            let mode = octal(&body[at..space])?;
            let name_start = space + 1;
            let nul = name_start + body[name_start..].iter().position(|&b| b == 0)?;
            if nul + 1 + HASH_LEN > body.len() {
                return None;
            }
            items.push((mode, name_start, nul));
            at = nul + 1 + HASH_LEN;
        }
        Some(Tree { body, items })
    }

    /// A tree libgit2 read, in the same shape.
    fn from_libgit2(tree: &git2::Tree<'_>) -> Tree {
        let mut out = Tree::default();
        for item in tree {
            #[expect(clippy::cast_sign_loss, reason = "git file modes are positive")]
            let mode = item.filemode() as u32;
            let start = out.body.len();
            out.body.extend_from_slice(item.name_bytes());
            let end = out.body.len();
            out.body.push(0);
            out.body.extend_from_slice(item.id().as_bytes());
            out.items.push((mode, start, end));
        }
        out
    }
}

fn octal(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 7 {
        return None;
    }
    digits.iter().try_fold(0u32, |n, &d| {
        (b'0'..=b'7')
            .contains(&d)
            .then(|| n * 8 + u32::from(d - b'0'))
    })
}

/// Reads trees: loose ones in process, the others through libgit2.
pub(super) struct TreeReader<'a> {
    repo: &'a Repository,
    loose: LooseObjects,
}

impl<'a> TreeReader<'a> {
    pub(super) fn new(repo: &'a Repository) -> TreeReader<'a> {
        TreeReader {
            repo,
            loose: LooseObjects::new(repo.commondir()),
        }
    }

    pub(super) fn read(&mut self, id: Oid) -> Result<Tree, git2::Error> {
        if let Some(tree) = self.loose.read(id, b"tree").and_then(Tree::parse) {
            return Ok(tree);
        }
        Ok(Tree::from_libgit2(&self.repo.find_tree(id)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::fixture::TestRepo;

    /// What libgit2 reads for every tree of HEAD, as `(mode, name, id)`.
    fn libgit2_entries(repo: &Repository, id: Oid) -> Vec<(u32, Vec<u8>, Oid)> {
        let tree = repo.find_tree(id).unwrap();
        #[expect(clippy::cast_sign_loss, reason = "git file modes are positive")]
        tree.iter()
            .map(|e| (e.filemode() as u32, e.name_bytes().to_vec(), e.id()))
            .collect()
    }

    fn ours(reader: &mut TreeReader<'_>, id: Oid) -> Vec<(u32, Vec<u8>, Oid)> {
        reader
            .read(id)
            .unwrap()
            .iter()
            .map(|e| (e.mode, e.name.to_vec(), e.id))
            .collect()
    }

    #[test]
    fn loose_and_packed_trees_read_as_libgit2_reads_them() {
        let t = TestRepo::new();
        t.write("a.txt", "a\n");
        t.write("run.sh", "#!/bin/sh\n");
        std::fs::set_permissions(
            t.root.join("run.sh"),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        t.write("dir/sub/b.rs", "b\n");
        t.write("dir/c d.md", "c\n");
        t.write(format!("dir/{}", "x".repeat(200)), "long\n");
        std::os::unix::fs::symlink("a.txt", t.root.join("link")).unwrap();
        t.git(&["add", "-A"]);
        t.git(&[
            "update-index",
            "--add",
            "--cacheinfo",
            "160000,1111111111111111111111111111111111111111,vendor",
        ]);
        // Committed as staged: `add -A` would take the submodule out (no folder is there).
        t.git(&["commit", "-q", "-m", "base"]);
        let repo = Repository::open(&t.root).unwrap();
        let head = repo.head().unwrap().peel_to_tree().unwrap().id();
        let dir = repo.find_tree(head).unwrap().get_name("dir").unwrap().id();
        let mut reader = TreeReader::new(&repo);
        for id in [head, dir] {
            assert!(reader.loose.read(id, b"tree").is_some(), "{id} is loose");
            assert_eq!(ours(&mut reader, id), libgit2_entries(&repo, id));
        }
        let modes: Vec<u32> = ours(&mut reader, head).iter().map(|e| e.0).collect();
        assert!(modes.contains(&0o100_755) && modes.contains(&0o120_000));
        assert!(modes.contains(&0o160_000) && modes.contains(&TREE_MODE));

        // Packed, the loose files gone: libgit2 reads them, with the same answer.
        t.git(&["gc", "-q", "--prune=now"]);
        let mut reader = TreeReader::new(&repo);
        for id in [head, dir] {
            assert!(reader.loose.read(id, b"tree").is_none(), "{id} is packed");
            assert_eq!(ours(&mut reader, id), libgit2_entries(&repo, id));
        }
    }

    #[test]
    fn a_damaged_or_foreign_loose_object_is_left_to_libgit2() {
        let t = TestRepo::new();
        t.write("a.txt", "a\n");
        t.commit("base");
        let repo = Repository::open(&t.root).unwrap();
        let blob = repo.revparse_single("HEAD:a.txt").unwrap().id();
        let mut reader = TreeReader::new(&repo);
        // A blob is not a tree.
        assert!(reader.loose.read(blob, b"tree").is_none());
        assert_eq!(reader.loose.read(blob, b"blob").unwrap(), b"a\n");
        assert!(reader.read(blob).is_err());
        // Truncated: not a whole object.
        let head = repo.head().unwrap().peel_to_tree().unwrap().id();
        let hex = head.to_string();
        let path = t.root.join(".git/objects").join(&hex[..2]).join(&hex[2..]);
        let bytes = std::fs::read(&path).unwrap();
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        #[expect(clippy::permissions_set_readonly_false, reason = "a test's own file")]
        perms.set_readonly(false);
        std::fs::set_permissions(&path, perms).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        assert!(reader.loose.read(head, b"tree").is_none());
    }

    #[test]
    fn modes_are_octal_digits_only() {
        assert_eq!(octal(b"40000"), Some(0o40_000));
        assert_eq!(octal(b"100644"), Some(0o100_644));
        assert_eq!(octal(b"100664"), Some(0o100_664));
        assert_eq!(octal(b""), None);
        assert_eq!(octal(b"1008"), None);
        assert_eq!(octal(b"12345678"), None);
    }
}
