//! A read-only parser of git's index file (`.git/index`, index-format.txt), for the hot path of
//! the pre-commit hook: what is staged, and whether the work tree may differ from it.
//!
//! libgit2 can read the index too, but it verifies the trailing SHA-1 (collision-detecting,
//! about 145 M instructions on a 5 MB index) and builds a heap object per entry; git itself
//! skips the checksum on read (`index.skipHash`/`verify_index_checksum` off). This reader does
//! what git does: one read, one pass, no checksum, compact entries, plus the cache-tree
//! (`TREE`) extension that lets the staged diff skip unchanged directories.
//!
//! Anything it does not understand (split index, sparse index, SHA-256 object ids, an
//! unknown version, a malformed file) makes it answer `None`, and callers go the libgit2 way.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// git's index flags (index-format.txt).
pub(crate) const ASSUME_VALID: u16 = 0x8000;
const EXTENDED: u16 = 0x4000;
const STAGE_MASK: u16 = 0x3000;
const NAME_MASK: u16 = 0x0fff;
/// The extended flags (version 3 and later).
pub(crate) const SKIP_WORKTREE: u16 = 1 << 14;
pub(crate) const INTENT_TO_ADD: u16 = 1 << 13;

const HASH_LEN: usize = 20;
/// ctime, mtime, dev, ino, mode, uid, gid, size: ten 32-bit fields.
const STAT_LEN: usize = 40;

/// One index entry: the fields the staged diff and the stat comparison use. The path lives in
/// the index's shared buffer (`IndexFile::path`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IndexEntry {
    pub(crate) ctime: (u32, u32),
    pub(crate) mtime: (u32, u32),
    pub(crate) ino: u32,
    pub(crate) mode: u32,
    pub(crate) size: u32,
    pub(crate) oid: [u8; HASH_LEN],
    pub(crate) flags: u16,
    pub(crate) flags_extended: u16,
    path_start: u32,
    path_len: u32,
}

impl IndexEntry {
    /// 0 for a normal entry, 1-3 for the sides of a conflict.
    pub(crate) fn stage(&self) -> u16 {
        (self.flags & STAGE_MASK) >> 12
    }

    pub(crate) fn is_intent_to_add(&self) -> bool {
        self.flags_extended & INTENT_TO_ADD != 0
    }
}

/// A parsed index: its entries in index order (sorted by path, then stage) and the
/// directories whose cache-tree entry is valid.
#[derive(Debug, Default)]
pub(crate) struct IndexFile {
    entries: Vec<IndexEntry>,
    paths: Vec<u8>,
    /// Directory (no trailing slash; the root is empty) -> its tree id, for every valid
    /// cache-tree node.
    valid_trees: HashMap<Vec<u8>, [u8; HASH_LEN]>,
    /// The index file's own modification time (seconds, nanoseconds): entries modified at or
    /// after it are "racy", their stat data proves nothing.
    pub(crate) mtime: (i64, i64),
}

impl IndexFile {
    /// Reads the index at `path`. `Ok(None)` when the file uses something this reader leaves to
    /// libgit2; a missing file is an empty index, as it is to git.
    ///
    /// The file is streamed, not read whole: the parsed entries are all that stays in memory
    /// (peak memory on a 50,000-file repository is part of issue 7).
    pub(crate) fn read(path: &Path) -> std::io::Result<Option<IndexFile>> {
        use std::os::unix::fs::MetadataExt;
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Some(IndexFile::default()))
            }
            Err(e) => return Err(e),
        };
        let meta = file.metadata()?;
        let Ok(len) = usize::try_from(meta.len()) else {
            return Ok(None);
        };
        let stream = Stream {
            inner: std::io::BufReader::with_capacity(64 * 1024, file),
            at: 0,
            // The trailing checksum is not verified (git does not either), only left unread.
            end: len.saturating_sub(HASH_LEN),
        };
        Ok(parse(stream, Sparse::Refuse).map(|mut index| {
            index.mtime = (meta.mtime(), meta.mtime_nsec());
            index
        }))
    }

    /// Reads a sparse index (`index.sparse`), whose directory entries (mode 040000, path
    /// ending in `/`) stand for whole trees outside the sparse checkout. libgit2 refuses such an
    /// index ("unsupported mandatory extension: 'sdir'"); `Repo::with_index` expands it.
    /// `None` when the file is not one this reader takes, or not sparse.
    pub(crate) fn read_sparse(path: &Path) -> Option<IndexFile> {
        let file = std::fs::File::open(path).ok()?;
        let len = usize::try_from(file.metadata().ok()?.len()).ok()?;
        let stream = Stream {
            inner: std::io::BufReader::with_capacity(64 * 1024, file),
            at: 0,
            end: len.saturating_sub(HASH_LEN),
        };
        parse(stream, Sparse::Accept).filter(|index| {
            index
                .entries
                .iter()
                .any(|e| e.mode == SPARSE_DIRECTORY_MODE)
        })
    }

    pub(crate) fn entries(&self) -> &[IndexEntry] {
        &self.entries
    }

    pub(crate) fn path(&self, entry: &IndexEntry) -> &[u8] {
        let start = entry.path_start as usize;
        &self.paths[start..start + entry.path_len as usize]
    }

    /// The tree id the cache-tree records for `dir` (no trailing slash; the root is empty),
    /// when that node is valid.
    pub(crate) fn valid_tree(&self, dir: &[u8]) -> Option<&[u8; HASH_LEN]> {
        self.valid_trees.get(dir)
    }

    /// The mode of `path`'s entry (its first stage when conflicted); `None` when the index
    /// does not hold it.
    pub(crate) fn mode_of(&self, path: &[u8]) -> Option<u32> {
        let first = self.entries.partition_point(|e| self.path(e) < path);
        self.entries
            .get(first)
            .filter(|e| self.path(e) == path)
            .map(|e| e.mode)
    }

    /// Whether any entry is a side of a conflict.
    pub(crate) fn has_conflicts(&self) -> bool {
        self.entries.iter().any(|e| e.stage() != 0)
    }
}

/// The index file read front to back, up to the checksum; every read is bounds-checked and a
/// short read ends the parse with `None`.
struct Stream<R> {
    inner: R,
    at: usize,
    end: usize,
}

impl<R: std::io::BufRead> Stream<R> {
    fn advance(&mut self, n: usize) -> Option<()> {
        let at = self.at.checked_add(n)?;
        (at <= self.end).then(|| self.at = at)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.advance(N)?;
        let mut out = [0; N];
        self.inner.read_exact(&mut out).ok()?;
        Some(out)
    }

    fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_be_bytes)
    }

    /// Appends the next `n` bytes to `out`.
    fn append(&mut self, n: usize, out: &mut Vec<u8>) -> Option<()> {
        self.advance(n)?;
        let from = out.len();
        out.resize(from + n, 0);
        self.inner.read_exact(&mut out[from..]).ok()
    }

    /// Consumes `n` (at most 8) bytes that must all be NUL.
    fn nuls(&mut self, n: usize) -> Option<()> {
        let mut buffer = [0u8; 8];
        let bytes = buffer.get_mut(..n)?;
        self.advance(n)?;
        self.inner.read_exact(bytes).ok()?;
        bytes.iter().all(|&b| b == 0).then_some(())
    }

    fn skip(&mut self, n: usize) -> Option<()> {
        self.advance(n)?;
        let copied = std::io::copy(&mut (&mut self.inner).take(n as u64), &mut std::io::sink());
        (copied.ok()? == n as u64).then_some(())
    }

    /// Appends the bytes up to the next NUL to `out`; the NUL is consumed, not appended.
    fn append_until_nul(&mut self, out: &mut Vec<u8>) -> Option<()> {
        let from = out.len();
        let read = self.inner.read_until(0, out).ok()?;
        self.advance(read)?;
        (out.pop() == Some(0)).then_some(())?;
        debug_assert_eq!(out.len() - from + 1, read);
        Some(())
    }

    /// The variable-length integer of index version 4 (git's `decode_varint`).
    fn varint(&mut self) -> Option<usize> {
        let [mut byte] = self.array::<1>()?;
        let mut value = usize::from(byte & 0x7f);
        while byte & 0x80 != 0 {
            [byte] = self.array::<1>()?;
            value = value
                .checked_add(1)?
                .checked_shl(7)?
                .checked_add(usize::from(byte & 0x7f))?;
        }
        Some(value)
    }
}

/// The mode of a sparse index's directory entry.
pub(crate) const SPARSE_DIRECTORY_MODE: u32 = 0o040_000;

/// Whether a sparse index's directory entries are read or make the parse give up.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sparse {
    Refuse,
    Accept,
}

fn parse(mut r: Stream<impl std::io::BufRead>, sparse: Sparse) -> Option<IndexFile> {
    if &r.array::<4>()? != b"DIRC" {
        return None;
    }
    let version = r.u32()?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = r.u32()? as usize;
    // Every entry takes at least 46 bytes: a count the file cannot hold is a malformed file,
    // not an allocation to attempt.
    if count > r.end / 46 {
        return None;
    }
    let mut index = IndexFile {
        entries: Vec::with_capacity(count),
        paths: Vec::with_capacity(count * 24),
        ..IndexFile::default()
    };
    let mut previous: (usize, usize) = (0, 0);
    for _ in 0..count {
        let start = r.at;
        // Ten 32-bit stat fields, the object id, the flags.
        let head = r.array::<{ STAT_LEN + HASH_LEN + 2 }>()?;
        let field = |i: usize| {
            u32::from_be_bytes([
                head[i * 4],
                head[i * 4 + 1],
                head[i * 4 + 2],
                head[i * 4 + 3],
            ])
        };
        let oid: [u8; HASH_LEN] = head[STAT_LEN..STAT_LEN + HASH_LEN].try_into().ok()?;
        let flags = u16::from_be_bytes([head[STAT_LEN + HASH_LEN], head[STAT_LEN + HASH_LEN + 1]]);
        let flags_extended = if flags & EXTENDED != 0 {
            if version < 3 {
                return None;
            }
            u16::from_be_bytes(r.array()?)
        } else {
            0
        };
        let path_start = index.paths.len();
        if version == 4 {
            // The path is the previous one minus its last N bytes, plus a NUL-ended suffix.
            let strip = r.varint()?;
            let keep = previous.1.checked_sub(strip)?;
            index
                .paths
                .extend_from_within(previous.0..previous.0 + keep);
            r.append_until_nul(&mut index.paths)?;
        } else {
            let name_len = usize::from(flags & NAME_MASK);
            if name_len < usize::from(NAME_MASK) {
                r.append(name_len, &mut index.paths)?;
            } else {
                r.append_until_nul(&mut index.paths)?;
            }
            // NULs (at least one) pad the entry to a multiple of eight bytes; the long-name
            // branch has consumed one already.
            let len = r.at - start;
            let padded = if name_len < usize::from(NAME_MASK) {
                (len + 8) & !7
            } else {
                (len + 7) & !7
            };
            // Padding is NULs: anything else means this is not the layout read here (a
            // SHA-256 repository's longer ids, a damaged file).
            r.nuls(padded - len)?;
        }
        let path_len = index.paths.len() - path_start;
        previous = (path_start, path_len);
        let mode = field(6);
        // A sparse index stores whole directories as entries: the hot path's readers
        // expect files, so they leave it to the expanded index (`read_sparse`).
        if mode == SPARSE_DIRECTORY_MODE && sparse == Sparse::Refuse {
            return None;
        }
        index.entries.push(IndexEntry {
            ctime: (field(0), field(1)),
            mtime: (field(2), field(3)),
            ino: field(5),
            mode,
            size: field(9),
            oid,
            flags,
            flags_extended,
            path_start: u32::try_from(path_start).ok()?,
            path_len: u32::try_from(path_len).ok()?,
        });
    }
    while r.at < r.end {
        let signature = r.array::<4>()?;
        let size = r.u32()? as usize;
        match &signature {
            b"TREE" => {
                let mut data = Vec::new();
                r.append(size, &mut data)?;
                parse_cache_tree(&data, &mut index.valid_trees)?;
            }
            // Optional extensions start with an upper-case letter; a required one this reader
            // does not know (split index `link`, sparse `sdir` unless asked for) means leaving
            // the file to libgit2.
            [first, ..] if first.is_ascii_uppercase() => r.skip(size)?,
            b"sdir" if sparse == Sparse::Accept => r.skip(size)?,
            _ => return None,
        }
    }
    Some(index)
}

/// A cursor over the bytes of an extension.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let slice = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(slice)
    }

    /// Bytes up to (not including) the next NUL, which is consumed.
    fn until_nul(&mut self) -> Option<&'a [u8]> {
        let rest = self.bytes.get(self.at..)?;
        let len = rest.iter().position(|&b| b == 0)?;
        self.at += len + 1;
        Some(&rest[..len])
    }
}

/// The `TREE` extension: nodes in pre-order, each `path NUL entry_count SP subtrees LF` and,
/// when `entry_count` is not -1, the tree id.
fn parse_cache_tree(data: &[u8], valid: &mut HashMap<Vec<u8>, [u8; HASH_LEN]>) -> Option<()> {
    let mut r = Reader { bytes: data, at: 0 };
    // The directories above the node being read, each with the subtrees it has left.
    let mut stack: Vec<(Vec<u8>, usize)> = Vec::new();
    while r.at < data.len() {
        let name = r.until_nul()?;
        let line_end = r.bytes.get(r.at..)?.iter().position(|&b| b == b'\n')?;
        let line = std::str::from_utf8(r.take(line_end + 1)?).ok()?;
        let (count, subtrees) = line.trim_end().split_once(' ')?;
        let count: i64 = count.parse().ok()?;
        let subtrees: usize = subtrees.parse().ok()?;
        // Pop the directories whose subtrees have all been read.
        while stack.last().is_some_and(|(_, left)| *left == 0) {
            stack.pop();
        }
        let dir = match stack.last_mut() {
            Some((parent, left)) => {
                *left -= 1;
                let mut dir = parent.clone();
                if !dir.is_empty() {
                    dir.push(b'/');
                }
                dir.extend_from_slice(name);
                dir
            }
            None => name.to_vec(),
        };
        if count >= 0 {
            let oid: [u8; HASH_LEN] = r.take(HASH_LEN)?.try_into().ok()?;
            valid.insert(dir.clone(), oid);
        }
        stack.push((dir, subtrees));
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::fixture::TestRepo;

    /// Every field this reader keeps, for every entry, as libgit2 reads the same file.
    fn assert_matches_libgit2(t: &TestRepo) {
        let path = t.root.join(".git/index");
        let ours = IndexFile::read(&path).unwrap().expect("a supported index");
        let theirs = git2::Index::open(&path).unwrap();
        assert_eq!(ours.entries().len(), theirs.len());
        for (e, g) in ours.entries().iter().zip(theirs.iter()) {
            assert_eq!(ours.path(e), g.path.as_slice());
            assert_eq!(e.oid, g.id.as_bytes());
            assert_eq!(e.mode, g.mode);
            assert_eq!(e.size, g.file_size);
            assert_eq!(e.ino, g.ino);
            assert_eq!(
                e.mtime,
                (g.mtime.seconds().cast_unsigned(), g.mtime.nanoseconds())
            );
            assert_eq!(
                e.ctime,
                (g.ctime.seconds().cast_unsigned(), g.ctime.nanoseconds())
            );
            assert_eq!(e.flags & !NAME_MASK, g.flags & !NAME_MASK);
            assert_eq!(e.flags_extended, g.flags_extended);
        }
    }

    fn repo_with_variety() -> TestRepo {
        let t = TestRepo::new();
        t.write("a.txt", "a\n");
        t.write("dir/sub/b.rs", "b\n");
        t.write("dir/c d.md", "c\n");
        t.write("x".repeat(250), "long name\n");
        t.write("dir/sub/deeper/e.py", "e\n");
        t.commit("base");
        t.write("new.txt", "n\n");
        t.git(&["add", "-N", "new.txt"]);
        t.git(&["update-index", "--skip-worktree", "a.txt"]);
        t
    }

    #[test]
    fn a_path_s_mode_is_found_only_for_the_path_itself() {
        let t = repo_with_variety();
        let index = IndexFile::read(&t.root.join(".git/index"))
            .unwrap()
            .unwrap();
        assert_eq!(index.mode_of(b"dir/sub/b.rs"), Some(0o100_644));
        assert_eq!(index.mode_of(b"a.txt"), Some(0o100_644));
        // A folder, a prefix of a path and a path past the last are not entries.
        assert_eq!(index.mode_of(b"dir/sub"), None);
        assert_eq!(index.mode_of(b"dir/sub/b"), None);
        assert_eq!(index.mode_of(b"zzz"), None);
        t.git(&[
            "update-index",
            "--add",
            "--cacheinfo",
            "160000,1111111111111111111111111111111111111111,vendor/lib",
        ]);
        let index = IndexFile::read(&t.root.join(".git/index"))
            .unwrap()
            .unwrap();
        assert_eq!(index.mode_of(b"vendor/lib"), Some(0o160_000));
    }

    #[test]
    fn versions_two_three_and_four_read_as_libgit2_reads_them() {
        let t = repo_with_variety();
        for version in ["2", "3", "4"] {
            if version == "2" {
                // Version 2 cannot hold extended flags.
                t.git(&["update-index", "--no-skip-worktree", "a.txt"]);
                t.git(&["rm", "-q", "--cached", "new.txt"]);
            }
            t.git(&["update-index", "--index-version", version]);
            assert_matches_libgit2(&t);
        }
    }

    #[test]
    fn long_paths_past_the_twelve_bit_name_length_are_read_whole() {
        let t = TestRepo::new();
        t.write("short.txt", "x\n");
        t.commit("base");
        // Longer than a file system path may be, so staged without a file.
        let long = vec!["d".repeat(200); 25].join("/");
        let blob = t.rev("HEAD:short.txt").to_string();
        let cacheinfo = format!("100644,{blob},{long}");
        for version in ["2", "4"] {
            t.git(&["update-index", "--index-version", version]);
            t.git(&["update-index", "--add", "--cacheinfo", &cacheinfo]);
            let index = IndexFile::read(&t.root.join(".git/index"))
                .unwrap()
                .unwrap();
            assert_eq!(index.path(&index.entries()[0]), long.as_bytes());
            assert_eq!(index.path(&index.entries()[1]), b"short.txt");
            // libgit2 refuses such an index; git reads it.
            let listed = t.git(&["ls-files", "-s", "-z"]);
            let first = listed.split(|&b| b == 0).next().unwrap();
            assert_eq!(first, format!("100644 {blob} 0\t{long}").as_bytes());
            assert_eq!(index.entries()[0].oid, t.rev(&blob).as_bytes());
        }
    }

    #[test]
    fn cache_tree_nodes_carry_their_full_directory_path() {
        let t = TestRepo::new();
        t.write("a.txt", "a\n");
        t.write("dir/sub/b.rs", "b\n");
        t.write("dir/c d.md", "c\n");
        t.write("dir/sub/deeper/e.py", "e\n");
        t.commit("base");
        let index = IndexFile::read(&t.root.join(".git/index"))
            .unwrap()
            .unwrap();
        let tree_of = |spec: &str| t.rev(spec);
        let check = |dir: &str, spec: &str| {
            let id = index
                .valid_tree(dir.as_bytes())
                .map(|b| git2::Oid::from_bytes(b).unwrap());
            assert_eq!(id, Some(tree_of(spec)), "{dir}");
        };
        // `git commit` leaves a fully valid cache-tree behind.
        check("", "HEAD^{tree}");
        check("dir", "HEAD:dir");
        check("dir/sub", "HEAD:dir/sub");
        check("dir/sub/deeper", "HEAD:dir/sub/deeper");
        // Staging a change invalidates the directories above it, and only those.
        t.write("dir/sub/b.rs", "changed\n");
        t.git(&["add", "dir/sub/b.rs"]);
        let index = IndexFile::read(&t.root.join(".git/index"))
            .unwrap()
            .unwrap();
        assert!(index.valid_tree(b"").is_none());
        assert!(index.valid_tree(b"dir").is_none());
        assert!(index.valid_tree(b"dir/sub").is_none());
        assert!(index.valid_tree(b"dir/sub/deeper").is_some());
    }

    #[test]
    fn conflicts_are_seen_by_their_stage() {
        let t = TestRepo::new();
        t.write("f.txt", "base\n");
        t.commit("base");
        t.git(&["checkout", "-q", "-b", "other"]);
        t.write("f.txt", "theirs\n");
        t.commit("theirs");
        t.git(&["checkout", "-q", "-"]);
        t.write("f.txt", "ours\n");
        t.commit("ours");
        t.run_git(&t.root, &["merge", "-q", "other"], &[]);
        let index = IndexFile::read(&t.root.join(".git/index"))
            .unwrap()
            .unwrap();
        assert!(index.has_conflicts());
        let stages: Vec<u16> = index.entries().iter().map(IndexEntry::stage).collect();
        assert_eq!(stages, [1, 2, 3]);
    }

    #[test]
    fn a_missing_index_is_empty_and_unsupported_or_broken_files_are_left_to_libgit2() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index");
        let empty = IndexFile::read(&path).unwrap().unwrap();
        assert!(empty.entries().is_empty());

        let t = repo_with_variety();
        let real = std::fs::read(t.root.join(".git/index")).unwrap();
        for broken in [
            &real[..real.len() / 2],
            &real[..10],
            b"not an index at all, just some text".as_slice(),
        ] {
            std::fs::write(&path, broken).unwrap();
            assert!(IndexFile::read(&path).unwrap().is_none());
        }
        // A padding byte that is not NUL: not the layout this reader knows.
        let mut bad_padding = real.clone();
        let flags = u16::from_be_bytes([real[12 + 60], real[12 + 61]]);
        let name_len = usize::from(flags & NAME_MASK);
        let head = 62 + if flags & EXTENDED != 0 { 2 } else { 0 } + name_len;
        bad_padding[12 + ((head + 8) & !7) - 1] = b'x';
        std::fs::write(&path, &bad_padding).unwrap();
        assert!(IndexFile::read(&path).unwrap().is_none());
        std::fs::write(&path, &real).unwrap();
        assert!(IndexFile::read(&path).unwrap().is_some());
        // A split index carries the required `link` extension.
        t.git(&["update-index", "--split-index"]);
        let split = IndexFile::read(&t.root.join(".git/index")).unwrap();
        assert!(split.is_none());
    }
}
