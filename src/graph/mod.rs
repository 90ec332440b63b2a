//! The code's own dependency graph: which test files and workspace members a
//! change affects, for groups with `tests` (`{tests}`) or `{packages}`.
//!
//! Owns `<state_dir>/graph/`. Reads the index and blobs only through `git`,
//! runs `cargo metadata` for the Rust graph, and never touches the work tree.
//! Everything it cannot judge fails open: an unparsable changed file affects
//! every test, a graph that cannot be built selects everything.
//!
//! - `python.rs`: the import statements of one file (pure)
//! - `resolve.rs`: import statements → repository files (pure)
//! - `roots.rs`: the source roots from `pyproject.toml` (pure)
//! - `cache.rs`: parsed imports by blob id
//! - `edges.rs`: resolved import edges, reused while no Python path is added or removed
//! - `rust.rs`: workspace members and their path dependencies

mod cache;
mod edges;
pub(crate) mod python;
mod resolve;
mod roots;
mod rust;

use std::collections::{BTreeMap, VecDeque};

use crate::config::Config;
use crate::git::{IndexedFile, Repo, RepoPath};
use crate::select::Change;

#[cfg(test)]
use python::parse;
use python::Parsed;

/// What the graph says about one change.
#[derive(Debug, Clone, Default)]
pub(crate) struct Affected {
    /// Every affected Python file with the chain that made it affected:
    /// `[file, what it imports, ..., the changed module]`.
    pub(crate) chains: BTreeMap<RepoPath, Vec<RepoPath>>,
    /// Set when every test file is affected, with why (a changed file that
    /// cannot be parsed, a graph that cannot be built).
    pub(crate) everything: Option<String>,
    /// Every indexed file: what `tests` globs pick from when everything is selected.
    pub(crate) tracked: Vec<RepoPath>,
    /// `path:line` of imports with a computed name: edges the graph cannot see.
    pub(crate) blind_spots: Vec<String>,
    /// Affected workspace members, each with why.
    pub(crate) packages: BTreeMap<String, String>,
    /// Every workspace member (for `{packages}` when everything is selected).
    pub(crate) all_packages: Vec<String>,
    /// Set when the Rust graph could not be built: `{packages}` groups run whole.
    pub(crate) packages_everything: Option<String>,
}

impl Affected {
    /// The chain shown by `plan`: `tests/test_users.py <- app/api/users.py <- app/crud.py`.
    pub(crate) fn chain(&self, file: &[u8]) -> Option<String> {
        self.chains.get(file).map(|chain| {
            chain
                .iter()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect::<Vec<_>>()
                .join(" <- ")
        })
    }
}

/// Whether the config has a group that reads the Python graph (`tests`) or the Rust one (`{packages}`).
pub(crate) fn wanted(config: &Config) -> (bool, bool) {
    let groups = || config.stages.iter().flat_map(|s| &s.groups);
    (
        groups().any(|g| g.tests.is_some()),
        groups().any(|g| g.run.uses_packages()),
    )
}

/// The changed paths the graphs judge, for `select`: Python files when a group has
/// `tests`, Rust files when one uses `{packages}`.
pub(crate) fn judged_by(config: &Config) -> impl Fn(&[u8]) -> bool {
    let (python, rust) = wanted(config);
    move |path: &[u8]| (python && is_python(path)) || (rust && path.ends_with(b".rs"))
}

fn is_python(path: &[u8]) -> bool {
    path.ends_with(b".py")
}

/// The graph's answer for `changes`, read from the index (what a pre-commit tests).
pub(crate) fn affected(repo: &Repo, config: &Config, changes: &[Change]) -> Affected {
    let (python, rust) = wanted(config);
    let mut out = Affected::default();
    if python {
        match python_graph(repo, config, changes, &mut out) {
            Ok(()) => {}
            Err(problem) => {
                out.everything = Some(format!(
                    "the import graph could not be built ({problem}): every test is affected"
                ));
            }
        }
    }
    if rust {
        match cached_members(repo, config) {
            Ok(members) => {
                let changed: Vec<String> = changed_names(changes);
                out.packages = rust::affected(&members, &changed);
                out.all_packages = rust::names(&members);
            }
            Err(problem) => out.packages_everything = Some(problem),
        }
    }
    out
}

/// For a selection of everything: only the workspace members (every test file is selected).
pub(crate) fn affected_members_only(repo: &Repo, config: &Config) -> Affected {
    let mut out = Affected::default();
    if wanted(config).1 {
        match cached_members(repo, config) {
            Ok(members) => out.all_packages = rust::names(&members),
            Err(problem) => out.packages_everything = Some(problem),
        }
    }
    out
}

/// The workspace members, from `cargo metadata` only when a manifest changed: they are
/// stored under the key of every indexed `Cargo.toml`'s path and blob id.
fn cached_members(repo: &Repo, config: &Config) -> Result<Vec<rust::Member>, String> {
    let manifests = repo
        .indexed_files(&|p| p == b"Cargo.toml" || p.ends_with(b"/Cargo.toml"))
        .map_err(|e| e.to_string())?;
    let mut hasher = blake3::Hasher::new();
    for m in &manifests {
        hasher.update(&m.path);
        hasher.update(b"\0");
        hasher.update(m.id.as_bytes());
    }
    let key = hasher.finalize().to_hex().to_string();
    let path = crate::state::shared_dir(repo, config)
        .join("graph")
        .join("rust-members");
    if let Some(members) = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| rust::decode(&text, &key))
    {
        return Ok(members);
    }
    let members = rust::members(repo.root())?;
    // A cache that cannot be written costs the next run a `cargo metadata`, nothing more.
    let _ = crate::state::write_atomic(&path, rust::encode(&members, &key).as_bytes());
    Ok(members)
}

/// Both names of every change (a rename affects the importers of both).
fn changed_names(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .flat_map(|c| std::iter::once(&c.path).chain(c.old_path.as_ref()))
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

fn python_graph(
    repo: &Repo,
    config: &Config,
    changes: &[Change],
    out: &mut Affected,
) -> Result<(), String> {
    let indexed = repo.indexed_files(&|_| true).map_err(|e| e.to_string())?;
    let sources: Vec<&IndexedFile> = indexed.iter().filter(|f| is_python(&f.path)).collect();
    let mut paths: Vec<String> = sources
        .iter()
        .map(|f| String::from_utf8_lossy(&f.path).into_owned())
        .collect();
    let mut ids: Vec<String> = sources.iter().map(|f| f.id.to_string()).collect();
    // A deleted module, or the old name of a renamed one, stays in the graph without
    // imports of its own (and without a blob id), so that what still imports it is found.
    let changed = changed_names(changes);
    for name in &changed {
        if is_python(name.as_bytes()) && !paths.iter().any(|p| p == name) {
            paths.push(name.clone());
            ids.push(String::new());
        }
    }
    let pyproject = std::fs::read_to_string(repo.root().join("pyproject.toml")).ok();
    let mut roots = roots::source_roots(pyproject.as_deref());
    // A sub-project's code is imported from its own folder (`from app import x`
    // in `api/tests` means `api/app`): each member adds its roots, in its folder.
    for project in &config.projects {
        let folder = repo.root().join(&project.name);
        let pyproject = std::fs::read_to_string(folder.join("pyproject.toml")).ok();
        for root in roots::source_roots(pyproject.as_deref()) {
            let root = if root.is_empty() {
                project.name.clone()
            } else {
                format!("{}/{root}", project.name)
            };
            if !roots.contains(&root) {
                roots.push(root);
            }
        }
    }
    let nodes = cached_nodes(repo, config, &sources, &paths, &ids, roots)?;
    let graph = walk(&paths, &nodes, &changed);
    out.chains = graph.chains;
    out.everything = graph.everything;
    out.blind_spots = graph.blind_spots;
    out.tracked = indexed.into_iter().map(|f| f.path).collect();
    Ok(())
}

/// The resolved edges of every file: from the edges cache when no path was added or
/// removed (resolving again only the files whose blob id changed), else resolved anew.
fn cached_nodes(
    repo: &Repo,
    config: &Config,
    sources: &[&IndexedFile],
    paths: &[String],
    ids: &[String],
    roots: Vec<String>,
) -> Result<Vec<edges::Node>, String> {
    let path = crate::state::shared_dir(repo, config)
        .join("graph")
        .join("python-edges");
    let key = edges::key(paths, &roots);
    let stored = edges::load(&path, &key, paths.len());
    let stale: Vec<usize> = match &stored {
        Some(nodes) => (0..paths.len())
            .filter(|&i| nodes[i].id != ids[i])
            .collect(),
        None => (0..paths.len()).collect(),
    };
    let stored = match stored {
        Some(nodes) if stale.is_empty() => return Ok(nodes),
        other => other,
    };
    let parsed: Vec<Parsed> = match stored {
        // Same paths: only the edited files are read and scanned.
        Some(_) => {
            let wanted: Vec<git2::Oid> = stale
                .iter()
                .filter_map(|&i| sources.get(i).map(|f| f.id))
                .collect();
            let mut fresh = parse_blobs(repo, &wanted)?.into_iter();
            stale
                .iter()
                .map(|&i| {
                    if i < sources.len() {
                        fresh.next().unwrap_or_default()
                    } else {
                        Parsed::default()
                    }
                })
                .collect()
        }
        None => {
            let mut all = parse_all(repo, config, sources)?;
            all.resize(paths.len(), Parsed::default());
            all
        }
    };
    let modules = resolve::Modules::new(paths, roots);
    let mut nodes = stored.unwrap_or_else(|| vec![edges::Node::default(); paths.len()]);
    for (&i, parsed) in stale.iter().zip(&parsed) {
        nodes[i] = node(&modules, i, &paths[i], parsed, ids[i].clone());
    }
    // A cache that cannot be written costs the next run a resolution, nothing more.
    let _ = edges::save(&path, &key, &nodes);
    Ok(nodes)
}

/// File `i`'s resolved edges.
fn node(
    modules: &resolve::Modules,
    i: usize,
    path: &str,
    parsed: &Parsed,
    id: String,
) -> edges::Node {
    let mut deps = Vec::new();
    modules.resolve_all(path, &parsed.imports, &mut deps);
    deps.sort_unstable();
    deps.dedup();
    deps.retain(|&d| d != i);
    edges::Node {
        id,
        deps,
        dynamic: parsed.dynamic.clone(),
        error: parsed.error.clone(),
    }
}

/// Parsed imports of every source, from the cache or parsed now (in parallel).
fn parse_all(
    repo: &Repo,
    config: &Config,
    sources: &[&IndexedFile],
) -> Result<Vec<Parsed>, String> {
    let path = crate::state::shared_dir(repo, config)
        .join("graph")
        .join("python-imports");
    let stored = cache::load(&path);
    let ids: Vec<String> = sources.iter().map(|f| f.id.to_string()).collect();
    let mut parsed: Vec<Option<Parsed>> = ids
        .iter()
        .map(|id| stored.get(id).and_then(|line| cache::decode(line)))
        .collect();
    let missing: Vec<usize> = (0..sources.len())
        .filter(|&i| parsed[i].is_none())
        .collect();
    if missing.is_empty() {
        return Ok(parsed.into_iter().flatten().collect());
    }
    let fresh = parse_blobs(
        repo,
        &missing.iter().map(|&i| sources[i].id).collect::<Vec<_>>(),
    )?;
    for (i, p) in missing.into_iter().zip(fresh) {
        parsed[i] = Some(p);
    }
    let parsed: Vec<Parsed> = parsed.into_iter().flatten().collect();
    let mut entries: Vec<(String, String)> = ids
        .into_iter()
        .zip(parsed.iter().map(cache::encode))
        .collect();
    // Equal content (empty `__init__.py` files) is one blob, stored once.
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    entries.dedup_by(|a, b| a.0 == b.0);
    // A cache that cannot be written costs the next run a parse, nothing more.
    let _ = cache::save(&path, &entries);
    Ok(parsed)
}

/// Read and scan blobs on a dedicated pool, a git handle per thread.
fn parse_blobs(repo: &Repo, ids: &[git2::Oid]) -> Result<Vec<Parsed>, String> {
    use rayon::prelude::*;
    let threads = crate::exec::cores();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| e.to_string())?;
    let git_dir = repo.git_dir().to_path_buf();
    crate::git::BlobReader::open(&git_dir).map_err(|e| e.to_string())?;
    Ok(pool.install(|| {
        ids.par_iter()
            .map_init(
                || crate::git::BlobReader::open(&git_dir).ok(),
                |reader, id| match reader.as_mut().and_then(|r| r.read(*id)) {
                    Some(bytes) => python::parse(&bytes),
                    None => Parsed {
                        error: Some(format!("blob {id} cannot be read")),
                        ..Parsed::default()
                    },
                },
            )
            .collect()
    }))
}

/// The pure part of the Python answer.
#[derive(Debug, Default)]
pub(crate) struct PythonAffected {
    pub(crate) chains: BTreeMap<RepoPath, Vec<RepoPath>>,
    pub(crate) everything: Option<String>,
    pub(crate) blind_spots: Vec<String>,
}

/// Files and their imports, the changed paths, the source roots → what is
/// affected: a changed file, what imports one (transitively), and every file
/// below an affected `conftest.py`.
#[cfg(test)]
pub(crate) fn python_affected(
    files: &[(String, Parsed)],
    changed: &[String],
    roots: Vec<String>,
) -> PythonAffected {
    let paths: Vec<String> = files.iter().map(|(p, _)| p.clone()).collect();
    let modules = resolve::Modules::new(&paths, roots);
    let nodes: Vec<edges::Node> = files
        .iter()
        .enumerate()
        .map(|(i, (path, parsed))| node(&modules, i, path, parsed, String::new()))
        .collect();
    walk(&paths, &nodes, changed)
}

/// The resolved graph and the changed paths → what is affected.
fn walk(paths: &[String], nodes: &[edges::Node], changed: &[String]) -> PythonAffected {
    let mut importers: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut out = PythonAffected::default();
    for (i, (path, node)) in paths.iter().zip(nodes).enumerate() {
        for &d in &node.deps {
            importers[d].push(i);
        }
        out.blind_spots
            .extend(node.dynamic.iter().map(|line| format!("{path}:{line}")));
    }
    let index: std::collections::HashMap<&str, usize> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i))
        .collect();
    // pred[i]: the file through which i was reached (itself for a changed file).
    let mut pred: Vec<Option<usize>> = vec![None; nodes.len()];
    let mut queue = VecDeque::new();
    for name in changed {
        if let Some(&i) = index.get(name.as_str()) {
            if let Some(problem) = &nodes[i].error {
                out.everything.get_or_insert_with(|| {
                    format!("{name} cannot be parsed ({problem}): every test is affected")
                });
            }
            if pred[i].is_none() {
                pred[i] = Some(i);
                queue.push_back(i);
            }
        }
    }
    while let Some(n) = queue.pop_front() {
        for &r in &importers[n] {
            if pred[r].is_none() {
                pred[r] = Some(n);
                queue.push_back(r);
            }
        }
        // pytest loads every conftest.py above a test: an affected conftest affects
        // every file below its directory.
        let path = &paths[n];
        if path == "conftest.py" || path.ends_with("/conftest.py") {
            let dir = &path[..path.len() - "conftest.py".len()];
            for (f, other) in paths.iter().enumerate() {
                if pred[f].is_none() && other.starts_with(dir) {
                    pred[f] = Some(n);
                    queue.push_back(f);
                }
            }
        }
    }
    for (i, path) in paths.iter().enumerate() {
        if pred[i].is_none() {
            continue;
        }
        let mut chain = vec![path.clone().into_bytes()];
        let mut at = i;
        while let Some(p) = pred[at].filter(|&p| p != at) {
            chain.push(paths[p].clone().into_bytes());
            at = p;
        }
        out.chains.insert(path.clone().into_bytes(), chain);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(files: &[(&str, &str)], changed: &[&str]) -> PythonAffected {
        let files: Vec<(String, Parsed)> = files
            .iter()
            .map(|(p, src)| ((*p).to_owned(), parse(src.as_bytes())))
            .collect();
        let changed: Vec<String> = changed.iter().map(|s| (*s).to_owned()).collect();
        python_affected(&files, &changed, vec![String::new(), "src".into()])
    }

    fn affected_tests(g: &PythonAffected) -> Vec<String> {
        g.chains
            .keys()
            .map(|k| String::from_utf8_lossy(k).into_owned())
            .filter(|k| k.contains("test_"))
            .collect()
    }

    const SERVICE: &[(&str, &str)] = &[
        ("app/__init__.py", ""),
        ("app/crud.py", "from app.models import User\n"),
        ("app/models.py", "import sqlalchemy\n"),
        ("app/api/__init__.py", ""),
        ("app/api/users.py", "from app import crud\n"),
        ("app/api/items.py", "from app.models import Item\n"),
        ("app/util.py", "import json\n"),
        ("tests/conftest.py", "import pytest\n"),
        ("tests/test_users.py", "from app.api.users import router\n"),
        ("tests/test_items.py", "from app.api import items\n"),
        ("tests/test_util.py", "from app.util import f\n"),
        ("tests/db/conftest.py", "from app.models import Base\n"),
        ("tests/db/test_schema.py", "import sqlite3\n"),
    ];

    #[test]
    fn a_changed_module_affects_its_importers_transitively_with_the_chain() {
        let g = graph(SERVICE, &["app/crud.py"]);
        assert_eq!(affected_tests(&g), ["tests/test_users.py"]);
        let chain: Vec<String> = g.chains[b"tests/test_users.py".as_slice()]
            .iter()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect();
        assert_eq!(
            chain,
            ["tests/test_users.py", "app/api/users.py", "app/crud.py"]
        );
    }

    #[test]
    fn a_conftest_importing_a_changed_module_affects_every_test_below_it() {
        let g = graph(SERVICE, &["app/models.py"]);
        assert_eq!(
            affected_tests(&g),
            [
                "tests/db/test_schema.py",
                "tests/test_items.py",
                "tests/test_users.py"
            ]
        );
    }

    #[test]
    fn a_changed_test_file_is_affected_and_nothing_else_is() {
        let g = graph(SERVICE, &["tests/test_util.py", "README.md"]);
        assert_eq!(affected_tests(&g), ["tests/test_util.py"]);
        assert!(g.everything.is_none());
    }

    #[test]
    fn a_changed_file_that_cannot_be_parsed_affects_everything() {
        let mut files = SERVICE.to_vec();
        files.push(("app/broken.py", "x = '''\n"));
        let g = graph(&files, &["app/broken.py"]);
        assert!(g.everything.unwrap().contains("app/broken.py"));
        // An unparsable file that did not change does not.
        assert!(graph(&files, &["app/util.py"]).everything.is_none());
    }

    #[test]
    fn a_deleted_module_affects_what_still_imports_it() {
        // app/util.py is gone from the index; the caller keeps it as an empty node.
        let mut files: Vec<(&str, &str)> = SERVICE.to_vec();
        files.retain(|(p, _)| *p != "app/util.py");
        files.push(("app/util.py", ""));
        let g = graph(&files, &["app/util.py"]);
        assert_eq!(affected_tests(&g), ["tests/test_util.py"]);
    }

    #[test]
    fn import_cycles_terminate() {
        let g = graph(
            &[
                ("a.py", "import b\n"),
                ("b.py", "import a\n"),
                ("test_a.py", "import a\n"),
            ],
            &["b.py"],
        );
        assert_eq!(affected_tests(&g), ["test_a.py"]);
    }

    #[test]
    fn computed_imports_are_blind_spots() {
        let g = graph(
            &[(
                "app/plugins.py",
                "import importlib\nm = importlib.import_module(name)\n",
            )],
            &[],
        );
        assert_eq!(g.blind_spots, ["app/plugins.py:2"]);
    }
}
