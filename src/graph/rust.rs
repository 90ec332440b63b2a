//! The Rust workspace graph: which members a change affects.
//!
//! `cargo metadata --offline --no-deps` gives the members, their directories
//! and their path dependencies; a changed file belongs to the member whose
//! directory holds it (the deepest one), and that member and every member that
//! depends on it, transitively, are affected. `members` runs cargo; the rest
//! is pure.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One workspace member: its package name, directory relative to the
/// repository (`""` for the root), and the members it depends on by path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Member {
    pub(crate) name: String,
    pub(crate) dir: String,
    pub(crate) depends_on: Vec<String>,
}

/// The workspace's members, from `cargo metadata` run in `root`.
pub(crate) fn members(root: &Path) -> Result<Vec<Member>, String> {
    let metadata = cargo_metadata::MetadataCommand::new()
        .current_dir(root)
        .no_deps()
        .other_options(vec!["--offline".to_owned()])
        .exec()
        .map_err(|e| format!("`cargo metadata` failed: {e}"))?;
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let relative = |dir: &Path| -> Option<String> {
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        dir.strip_prefix(&root)
            .ok()
            .map(|d| d.to_string_lossy().into_owned())
    };
    let members: Vec<&cargo_metadata::Package> = metadata.workspace_packages();
    let by_dir: BTreeMap<String, String> = members
        .iter()
        .filter_map(|p| {
            let dir = relative(p.manifest_path.parent()?.as_std_path())?;
            Some((dir, p.name.to_string()))
        })
        .collect();
    let mut out = Vec::new();
    for package in members {
        let Some(dir) = package
            .manifest_path
            .parent()
            .and_then(|d| relative(d.as_std_path()))
        else {
            continue;
        };
        let depends_on = package
            .dependencies
            .iter()
            .filter_map(|d| relative(d.path.as_ref()?.as_std_path()))
            .filter_map(|d| by_dir.get(&d).cloned())
            .collect();
        out.push(Member {
            name: package.name.to_string(),
            dir,
            depends_on,
        });
    }
    Ok(out)
}

/// The members as stored: the key on the first line, then `name\tdir\tdep,dep` each.
pub(crate) fn encode(members: &[Member], key: &str) -> String {
    let mut text = format!("{key}\n");
    for m in members {
        text.push_str(&format!(
            "{}\t{}\t{}\n",
            m.name,
            m.dir,
            m.depends_on.join(",")
        ));
    }
    text
}

/// The stored members, when they were stored under `key`.
pub(crate) fn decode(text: &str, key: &str) -> Option<Vec<Member>> {
    let mut lines = text.lines();
    if lines.next()? != key {
        return None;
    }
    lines
        .map(|line| {
            let mut fields = line.split('\t');
            Some(Member {
                name: fields.next()?.to_owned(),
                dir: fields.next()?.to_owned(),
                depends_on: fields
                    .next()?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
        })
        .collect()
}

/// The member that holds `path`: the one with the deepest directory above it.
fn owner<'m>(members: &'m [Member], path: &str) -> Option<&'m Member> {
    members
        .iter()
        .filter(|m| m.dir.is_empty() || path.starts_with(&format!("{}/", m.dir)))
        .max_by_key(|m| m.dir.len())
}

/// The affected members, each with why: `core (changed crates/core/src/lib.rs)`
/// or `app (depends on core)`.
pub(crate) fn affected(members: &[Member], changed: &[String]) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut queue = Vec::new();
    for path in changed {
        if let Some(member) = owner(members, path) {
            if !out.contains_key(&member.name) {
                out.insert(member.name.clone(), format!("changed {path}"));
                queue.push(member.name.clone());
            }
        }
    }
    while let Some(name) = queue.pop() {
        for member in members {
            if member.depends_on.contains(&name) && !out.contains_key(&member.name) {
                out.insert(member.name.clone(), format!("depends on {name}"));
                queue.push(member.name.clone());
            }
        }
    }
    out
}

/// Every member's name, sorted.
pub(crate) fn names(members: &[Member]) -> Vec<String> {
    members
        .iter()
        .map(|m| m.name.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, dir: &str, deps: &[&str]) -> Member {
        Member {
            name: name.into(),
            dir: dir.into(),
            depends_on: deps.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    fn workspace() -> Vec<Member> {
        vec![
            member("root", "", &[]),
            member("core", "crates/core", &[]),
            member("db", "crates/db", &["core"]),
            member("api", "crates/api", &["db"]),
            member("cli", "crates/cli", &[]),
        ]
    }

    #[test]
    fn a_change_affects_its_member_and_every_dependent_transitively() {
        let got = affected(&workspace(), &["crates/core/src/lib.rs".into()]);
        assert_eq!(got.keys().collect::<Vec<_>>(), ["api", "core", "db"]);
        assert_eq!(got["api"], "depends on db");
        assert_eq!(got["core"], "changed crates/core/src/lib.rs");
    }

    #[test]
    fn stored_members_are_read_back_only_under_their_key() {
        let text = encode(&workspace(), "k1");
        assert_eq!(decode(&text, "k1"), Some(workspace()));
        assert_eq!(decode(&text, "k2"), None);
    }

    #[test]
    fn the_deepest_member_owns_a_file_and_the_root_owns_the_rest() {
        let got = affected(&workspace(), &["crates/cli/tests/t.rs".into()]);
        assert_eq!(got.keys().collect::<Vec<_>>(), ["cli"]);
        let got = affected(&workspace(), &["src/main.rs".into()]);
        assert_eq!(got.keys().collect::<Vec<_>>(), ["root"]);
        // `crates/core2` is not inside `crates/core`.
        let mut ws = workspace();
        ws.remove(0);
        assert!(affected(&ws, &["crates/core2/x.rs".into()]).is_empty());
    }
}
