//! The parsed imports of every file, stored under the state dir by blob id.
//!
//! What a file imports depends only on its content, so a blob id is the whole
//! key: a commit that changes one module re-parses one file, and a file is
//! never read when its id is known. One line per blob:
//! `<blob id>\t<imports>\t<dynamic lines>\t<error>`, an import written
//! `level:module:name,name:line` (module and names are identifiers, which
//! hold none of the separators). A line that does not decode is dropped and
//! its file parsed again.

use std::collections::HashMap;
use std::path::Path;

use super::python::{Import, Parsed};

/// Bumped when the scanner or the format changes what a line means.
const HEADER: &str = "tiergate python imports v1";

pub(crate) fn encode(parsed: &Parsed) -> String {
    let imports: Vec<String> = parsed
        .imports
        .iter()
        .map(|i| format!("{}:{}:{}:{}", i.level, i.module, i.names.join(","), i.line))
        .collect();
    let dynamic: Vec<String> = parsed.dynamic.iter().map(u32::to_string).collect();
    let error = parsed
        .error
        .as_deref()
        .unwrap_or_default()
        .replace(['\t', '\n'], " ");
    format!("{}\t{}\t{error}", imports.join(" "), dynamic.join(","))
}

pub(crate) fn decode(text: &str) -> Option<Parsed> {
    let mut fields = text.split('\t');
    let (imports, dynamic, error) = (fields.next()?, fields.next()?, fields.next()?);
    let mut parsed = Parsed::default();
    for item in imports.split(' ').filter(|s| !s.is_empty()) {
        let mut parts = item.split(':');
        let level = parts.next()?.parse().ok()?;
        let module = parts.next()?.to_owned();
        let names = parts.next()?;
        let line = parts.next()?.parse().ok()?;
        parsed.imports.push(Import {
            level,
            module,
            names: names
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            line,
        });
    }
    for line in dynamic.split(',').filter(|s| !s.is_empty()) {
        parsed.dynamic.push(line.parse().ok()?);
    }
    parsed.error = (!error.is_empty()).then(|| error.to_owned());
    Some(parsed)
}

/// The stored lines by blob id (hex); an absent or unreadable file is an empty cache. The file
/// is a memo written without fsync (`save`): after a power cut it may end inside a line, which
/// is left out (its file is parsed again).
pub(crate) fn load(path: &Path) -> HashMap<String, String> {
    let Ok(mut text) = std::fs::read_to_string(path) else {
        return HashMap::new();
    };
    let whole = text.rfind('\n').map_or(0, |end| end + 1);
    text.truncate(whole);
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return HashMap::new();
    }
    lines
        .filter_map(|l| l.split_once('\t'))
        .map(|(id, rest)| (id.to_owned(), rest.to_owned()))
        .collect()
}

/// Store exactly the given entries (the files of the current index), atomically but not
/// durably: a lost write costs the next run a parse of the files, while an fsync costs every
/// commit that changes a Python file several milliseconds (issue 21).
pub(crate) fn save(path: &Path, entries: &[(String, String)]) -> std::io::Result<()> {
    let mut text = String::with_capacity(entries.len() * 64 + HEADER.len() + 1);
    text.push_str(HEADER);
    text.push('\n');
    for (id, line) in entries {
        text.push_str(id);
        text.push('\t');
        text.push_str(line);
        text.push('\n');
    }
    crate::state::replace_memo(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parsed_file_survives_the_round_trip() {
        let parsed = super::super::python::parse(
            b"import a.b\nfrom .. import (c, d)\nfrom m import *\nx = __import__(n)\ns = '''\n",
        );
        assert!(parsed.error.is_some());
        assert_eq!(decode(&encode(&parsed)), Some(parsed));
        let clean = super::super::python::parse(b"from x.y import z as w\n");
        assert_eq!(decode(&encode(&clean)), Some(clean));
    }

    #[test]
    fn a_damaged_line_does_not_decode() {
        assert_eq!(decode("0:a:"), None);
        assert_eq!(decode("x:a::1\t\t"), None);
    }

    #[test]
    fn a_cache_from_another_format_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("imports");
        std::fs::write(&path, "old format\nabc\t0:a::1\t\t\n").unwrap();
        assert!(load(&path).is_empty());
        save(&path, &[("abc".into(), "0:a::1\t\t".into())]).unwrap();
        assert_eq!(
            load(&path).get("abc").map(String::as_str),
            Some("0:a::1\t\t")
        );
    }

    #[test]
    fn a_file_cut_inside_a_line_keeps_its_whole_lines_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("imports");
        save(
            &path,
            &[
                ("abc".into(), "0:a::1\t\t".into()),
                ("def".into(), "0:b::2\t\t".into()),
            ],
        )
        .unwrap();
        let whole = std::fs::read(&path).unwrap();
        std::fs::write(&path, &whole[..whole.len() - 4]).unwrap();
        let loaded = load(&path);
        assert_eq!(loaded.get("abc").map(String::as_str), Some("0:a::1\t\t"));
        assert!(!loaded.contains_key("def"));
    }
}
