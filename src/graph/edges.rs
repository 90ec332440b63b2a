//! The resolved import edges of every Python file, stored under the state dir.
//!
//! Where a file's imports lead depends on its content (its blob id), its path,
//! the set of Python paths (a new `a/b.py` can capture `import a.b` from a
//! site package, a deleted one loses it) and the source roots. So the stored
//! edges are keyed by a hash of the roots and every path, in order: a commit
//! that only edits files keeps the key, and only the files whose blob id
//! changed are resolved again; a commit that adds, deletes or renames a file,
//! or changes the roots, resolves every file again (from the parsed-imports
//! cache, without reading blobs).
//!
//! Binary, read with one `read` and no number parsing: a warm graph of 50,000
//! files reads this file on every commit, and decoding the same edges from
//! decimal text cost most of its time. A text header line `tiergate python
//! edges v2 <key>`, then, little-endian: the file count (u32), and per file in
//! path order its blob id (u8 length, bytes), its dependency indexes and its
//! dynamic-import lines (each a u32 count, then u32s) and its error (u32
//! length + 1, 0 for none, then UTF-8 bytes).

use std::path::Path;

/// What the graph walk needs of one file: where its imports lead.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Node {
    /// The blob id the edges were resolved from; empty for a file not in the index
    /// (a deleted module kept so that what still imports it is found).
    pub(crate) id: String,
    /// Indexes of the files this one imports (sorted, without itself).
    pub(crate) deps: Vec<usize>,
    /// Lines of imports with a computed name.
    pub(crate) dynamic: Vec<u32>,
    /// Why the file cannot be parsed, if it cannot.
    pub(crate) error: Option<String>,
}

const HEADER: &str = "tiergate python edges v2";

/// The key of the paths and roots the edges were resolved against.
pub(crate) fn key(paths: &[String], roots: &[String]) -> String {
    let mut hasher = blake3::Hasher::new();
    for root in roots {
        hasher.update(root.as_bytes());
        hasher.update(b"\0");
    }
    hasher.update(b"\x01");
    for path in paths {
        hasher.update(path.as_bytes());
        hasher.update(b"\0");
    }
    hasher.finalize().to_hex().to_string()
}

/// The stored nodes when they were resolved under `key` for `count` files; else none.
pub(crate) fn load(path: &Path, key: &str, count: usize) -> Option<Vec<Node>> {
    let bytes = std::fs::read(path).ok()?;
    let newline = bytes.iter().position(|&b| b == b'\n')?;
    let header = std::str::from_utf8(&bytes[..newline]).ok()?;
    if header.strip_prefix(HEADER)?.strip_prefix(' ')? != key {
        return None;
    }
    let mut body = Body(&bytes[newline + 1..]);
    if body.u32()? as usize != count {
        return None;
    }
    let mut nodes = Vec::with_capacity(count);
    for _ in 0..count {
        let id_len = usize::from(*body.take(1)?.first()?);
        let id = std::str::from_utf8(body.take(id_len)?).ok()?.to_owned();
        let deps: Vec<usize> = body.u32s()?.into_iter().map(|d| d as usize).collect();
        // A damaged file (an index out of range) is no cache.
        if deps.iter().any(|&d| d >= count) {
            return None;
        }
        let dynamic = body.u32s()?;
        let error = match body.u32()? {
            0 => None,
            n => Some(
                std::str::from_utf8(body.take(n as usize - 1)?)
                    .ok()?
                    .to_owned(),
            ),
        };
        nodes.push(Node {
            id,
            deps,
            dynamic,
            error,
        });
    }
    body.0.is_empty().then_some(nodes)
}

/// The binary part of the file, read front to back.
struct Body<'a>(&'a [u8]);

impl<'a> Body<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u32s(&mut self) -> Option<Vec<u32>> {
        let n = self.u32()? as usize;
        let raw = self.take(n.checked_mul(4)?)?;
        Some(
            raw.chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        )
    }
}

/// Store the nodes under `key`, atomically but not durably (see `cache::save`): `load` takes a
/// short or damaged file for no cache.
pub(crate) fn save(path: &Path, key: &str, nodes: &[Node]) -> std::io::Result<()> {
    fn push_u32(out: &mut Vec<u8>, n: usize) -> std::io::Result<()> {
        let n = u32::try_from(n).map_err(|_| std::io::Error::other("graph too large"))?;
        out.extend_from_slice(&n.to_le_bytes());
        Ok(())
    }
    let mut out = Vec::with_capacity(nodes.len() * 64 + HEADER.len() + key.len() + 2);
    out.extend_from_slice(format!("{HEADER} {key}\n").as_bytes());
    push_u32(&mut out, nodes.len())?;
    for node in nodes {
        let id = node.id.as_bytes();
        let id_len =
            u8::try_from(id.len()).map_err(|_| std::io::Error::other("blob id too long"))?;
        out.push(id_len);
        out.extend_from_slice(id);
        push_u32(&mut out, node.deps.len())?;
        for &d in &node.deps {
            push_u32(&mut out, d)?;
        }
        push_u32(&mut out, node.dynamic.len())?;
        for &line in &node.dynamic {
            out.extend_from_slice(&line.to_le_bytes());
        }
        match &node.error {
            None => push_u32(&mut out, 0)?,
            Some(error) => {
                push_u32(&mut out, error.len() + 1)?;
                out.extend_from_slice(error.as_bytes());
            }
        }
    }
    crate::state::replace_memo(path, &out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes() -> Vec<Node> {
        vec![
            Node {
                id: "abc".into(),
                deps: vec![1, 2],
                dynamic: vec![7],
                error: None,
            },
            Node {
                id: "def".into(),
                deps: vec![],
                dynamic: vec![],
                error: Some("unterminated\tstring".into()),
            },
            Node::default(),
        ]
    }

    #[test]
    fn nodes_survive_the_round_trip_under_their_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("edges");
        save(&path, "k1", &nodes()).unwrap();
        assert_eq!(load(&path, "k1", 3), Some(nodes()));
    }

    #[test]
    fn nodes_of_another_key_count_or_format_are_no_cache() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("edges");
        save(&path, "k1", &nodes()).unwrap();
        assert_eq!(load(&path, "k2", 3), None);
        assert_eq!(load(&path, "k1", 4), None);
        // A dependency index out of range, a file cut short, bytes after the last node.
        let one = |deps: Vec<usize>| {
            vec![Node {
                id: "abc".into(),
                deps,
                ..Node::default()
            }]
        };
        save(&path, "k1", &one(vec![1])).unwrap();
        assert_eq!(load(&path, "k1", 1), None);
        save(&path, "k1", &one(vec![])).unwrap();
        assert_eq!(load(&path, "k1", 1), Some(one(vec![])));
        let whole = std::fs::read(&path).unwrap();
        std::fs::write(&path, &whole[..whole.len() - 1]).unwrap();
        assert_eq!(load(&path, "k1", 1), None);
        std::fs::write(&path, [whole.as_slice(), b"x"].concat()).unwrap();
        assert_eq!(load(&path, "k1", 1), None);
        // The text format of earlier versions.
        std::fs::write(&path, "tiergate python edges v1 k1\nabc\t\t\t\n").unwrap();
        assert_eq!(load(&path, "k1", 1), None);
    }

    #[test]
    fn a_new_deleted_or_renamed_path_or_root_changes_the_key() {
        let paths = |p: &[&str]| p.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let base = key(&paths(&["a.py", "b.py"]), &paths(&[""]));
        assert_ne!(base, key(&paths(&["a.py", "b.py", "c.py"]), &paths(&[""])));
        assert_ne!(base, key(&paths(&["a.py"]), &paths(&[""])));
        assert_ne!(base, key(&paths(&["a.py", "c.py"]), &paths(&[""])));
        assert_ne!(base, key(&paths(&["a.py", "b.py"]), &paths(&["", "src"])));
        assert_eq!(base, key(&paths(&["a.py", "b.py"]), &paths(&[""])));
    }
}
