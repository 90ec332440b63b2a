//! Entry points for the project's own micro benchmarks (`benches/`), which
//! are a separate crate and cannot see `pub(crate)` items. Not an API.

use std::path::Path;

/// Parse a JUnit document; returns the number of test cases.
pub fn parse_junit(xml: &[u8]) -> usize {
    crate::results::junit::parse(xml).map_or(0, |cases| cases.len())
}

/// Select markers for `paths` with `rules` (globs → markers) the way a
/// hook does; returns the number of markers selected.
pub fn select_paths(rules: &[(Vec<String>, Vec<String>)], paths: &[Vec<u8>]) -> usize {
    let rules: Vec<crate::config::SelectRule> = rules
        .iter()
        .filter_map(|(globs, markers)| {
            Some(crate::config::SelectRule {
                paths: crate::config::compile_globs(globs.clone()).ok()?,
                markers: markers.clone(),
            })
        })
        .collect();
    let triggers = crate::config::compile_globs(Vec::new()).ok();
    let Some(triggers) = triggers else { return 0 };
    let changes = paths
        .iter()
        .map(|p| crate::select::Change::new(p.clone()))
        .collect();
    let selection = crate::select::select(
        changes,
        &rules,
        &crate::config::Unmatched::Nothing,
        &triggers,
    );
    selection.markers.len()
}

/// The staged changes of the repository at `root`, as the pre-commit hook
/// finds them; returns how many paths changed.
pub fn staged_changes(root: &Path) -> usize {
    crate::git::Repo::discover(root)
        .and_then(|repo| repo.staged_changes())
        .map_or(0, |changes| changes.paths.len())
}

/// Whether the repository at `root` has unstaged changes, by the pre-commit hook's scan.
pub fn has_unstaged_changes(root: &Path) -> bool {
    crate::git::Repo::discover(root).map_or(true, |repo| repo.scan_unstaged().wait())
}

/// The inputs part of a result-cache key for the repository at `root`: every tracked file's
/// blob id (clean files from the index, modified ones hashed); returns the digest.
pub fn cache_inputs_digest(root: &Path) -> String {
    crate::git::Repo::discover(root)
        .and_then(|repo| repo.input_files(false))
        .map(|files| crate::cache::inputs_digest(files.iter()))
        .unwrap_or_default()
}

/// The imports tiergate's scanner finds in one Python file, as
/// `(level, module, names, line)`, and whether it gave up on the file.
#[allow(clippy::type_complexity)]
pub fn python_imports(src: &[u8]) -> (Vec<(u32, String, Vec<String>, u32)>, bool) {
    let parsed = crate::graph::python::parse(src);
    let imports = parsed
        .imports
        .into_iter()
        .map(|i| (i.level, i.module, i.names, i.line))
        .collect();
    (imports, parsed.error.is_some())
}
