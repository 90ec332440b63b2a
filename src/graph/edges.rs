//! The resolved import edges of every Python file, stored under the state dir.
//!
//! Where a file's imports lead depends on its content (its blob id), its path,
//! the set of Python paths (a new `a/b.py` can capture `import a.b` from a
//! site package, a deleted one loses it) and the source roots. So the stored
//! edges are keyed by a hash of the roots and every path, in order: a commit
//! that only edits files keeps the key, and only the files whose blob id
//! changed are resolved again; a commit that adds, deletes or renames a file,
//! or changes the roots, resolves every file again (from the parsed-imports
//! cache, without reading blobs). Header `tiergate python edges v1 <key>`,
//! then one line per file, in path order:
//! `<blob id>\t<dependency indexes>\t<dynamic lines>\t<error>`.

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

const HEADER: &str = "tiergate python edges v1";

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
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    let header = lines.next()?;
    if header.strip_prefix(HEADER)?.strip_prefix(' ')? != key {
        return None;
    }
    let nodes: Vec<Node> = lines.map(decode).collect::<Option<_>>()?;
    // A damaged file (an index out of range) is no cache.
    let sound = nodes.len() == count && nodes.iter().flat_map(|n| &n.deps).all(|&d| d < count);
    sound.then_some(nodes)
}

fn decode(line: &str) -> Option<Node> {
    let mut fields = line.split('\t');
    let (id, deps, dynamic, error) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    let numbers = |s: &str| -> Option<Vec<u32>> {
        s.split(',')
            .filter(|s| !s.is_empty())
            .map(|n| n.parse().ok())
            .collect()
    };
    Some(Node {
        id: id.to_owned(),
        deps: numbers(deps)?.into_iter().map(|d| d as usize).collect(),
        dynamic: numbers(dynamic)?,
        error: (!error.is_empty()).then(|| error.to_owned()),
    })
}

/// Store the nodes under `key`, atomically.
pub(crate) fn save(path: &Path, key: &str, nodes: &[Node]) -> std::io::Result<()> {
    use std::fmt::Write;
    let mut text = String::with_capacity(nodes.len() * 64 + HEADER.len() + key.len() + 2);
    let _ = writeln!(text, "{HEADER} {key}");
    for node in nodes {
        text.push_str(&node.id);
        text.push('\t');
        push_list(&mut text, node.deps.iter());
        text.push('\t');
        push_list(&mut text, node.dynamic.iter());
        text.push('\t');
        if let Some(error) = &node.error {
            text.push_str(&error.replace(['\t', '\n', '\r'], " "));
        }
        text.push('\n');
    }
    crate::state::write_atomic(path, text.as_bytes())
}

fn push_list<T: std::fmt::Display>(text: &mut String, items: impl Iterator<Item = T>) {
    use std::fmt::Write;
    for (n, item) in items.enumerate() {
        if n > 0 {
            text.push(',');
        }
        let _ = write!(text, "{item}");
    }
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
        let mut expected = nodes();
        expected[1].error = Some("unterminated string".into());
        assert_eq!(load(&path, "k1", 3), Some(expected));
    }

    #[test]
    fn nodes_of_another_key_count_or_format_are_no_cache() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("edges");
        save(&path, "k1", &nodes()).unwrap();
        assert_eq!(load(&path, "k2", 3), None);
        assert_eq!(load(&path, "k1", 4), None);
        std::fs::write(&path, format!("{HEADER} k1\nabc\t9\t\t\n")).unwrap();
        assert_eq!(load(&path, "k1", 1), None);
        std::fs::write(&path, "tiergate python edges v0 k1\nabc\t\t\t\n").unwrap();
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
