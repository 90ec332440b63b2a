//! Sub-projects found by `tiergate install`: a folder below the root with
//! its own `pyproject.toml`, `package.json` or `Cargo.toml` (issue 17), so
//! it can get its own `.tiergate.toml` and the root a `[projects]` list.

use std::io::IsTerminal;

use crate::error::Error;

const MANIFESTS: &[&str] = &["pyproject.toml", "package.json", "Cargo.toml"];

/// Folders holding someone else's code or build output: never a member.
const VENDORED: &[&str] = &[
    "node_modules",
    "vendor",
    "third_party",
    "third-party",
    "site-packages",
    ".venv",
    "venv",
    "dist",
    "build",
    "target",
    ".git",
];

/// The member folders among `paths` (the tracked files, so ignored folders
/// never count), sorted. Only the outermost manifest of a kind counts: a
/// JS workspace's packages inside `frontend/` stay `frontend`'s, and
/// the crates of a Cargo workspace at the root stay the root's.
pub(crate) fn detect(paths: &[Vec<u8>]) -> Vec<String> {
    let mut found: Vec<(String, &str)> = Vec::new();
    for path in paths {
        let Ok(path) = std::str::from_utf8(path) else {
            continue;
        };
        let Some((dir, file)) = path.rsplit_once('/') else {
            continue;
        };
        let Some(kind) = MANIFESTS.iter().find(|m| **m == file) else {
            continue;
        };
        if dir.split('/').any(|part| VENDORED.contains(&part)) || dir.contains(':') {
            continue;
        }
        found.push((dir.to_owned(), kind));
    }
    let root_kinds: Vec<&str> = paths
        .iter()
        .filter_map(|p| std::str::from_utf8(p).ok())
        .filter(|p| MANIFESTS.contains(p))
        .collect();
    found.sort();
    let mut members: Vec<String> = Vec::new();
    for (dir, kind) in &found {
        // A Cargo workspace's crates are the root's (`{packages}` selects
        // among them); a uv or npm workspace's members have tests of their own.
        if *kind == "Cargo.toml" && root_kinds.contains(kind) {
            continue;
        }
        let inside_another = found.iter().any(|(outer, outer_kind)| {
            outer_kind == kind
                && dir
                    .strip_prefix(outer.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        });
        if !inside_another && !members.contains(dir) {
            members.push(dir.clone());
        }
    }
    members.sort();
    members
}

/// Whether to write a config per member and `[projects]` in the root: yes
/// with `--yes` or without a terminal (said on the way), else asked.
pub(crate) fn ask(members: &[String], yes: bool) -> Result<bool, Error> {
    let question = format!(
        "Sub-projects found: {}. Write a .tiergate.toml in each, and list them under [projects] in the root's?",
        members.join(", ")
    );
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        crate::ui::out(&format!(
            "no terminal to ask on: sub-projects found ({}), each gets its own .tiergate.toml",
            members.join(", ")
        ));
        return Ok(true);
    }
    dialoguer::Confirm::with_theme(&dialoguer::theme::SimpleTheme)
        .with_prompt(question)
        .default(true)
        .interact()
        .map_err(|e| {
            Error::new(format!("the prompt failed: {e}"))
                .hint("run `tiergate install --yes` to take the defaults")
        })
}

/// The root's `[projects]` table for `members`.
pub(crate) fn projects_table(members: &[String]) -> String {
    let quoted: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    format!(
        "# Sub-projects: each folder has its own .tiergate.toml; a changed path belongs to\n# the deepest member holding it, else to this file.\n[projects]\nmembers = [{}]\n",
        quoted.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|p| p.as_bytes().to_vec()).collect()
    }

    #[test]
    fn manifests_below_the_root_are_members_outside_vendored_folders() {
        let found = detect(&paths(&[
            "README.md",
            "backend/pyproject.toml",
            "backend/app/main.py",
            "frontend/package.json",
            "frontend/node_modules/left-pad/package.json",
            "frontend/packages/ui/package.json",
            "tools/cli/Cargo.toml",
            "vendor/lib/Cargo.toml",
        ]));
        assert_eq!(found, vec!["backend", "frontend", "tools/cli"]);
    }

    #[test]
    fn the_crates_of_a_root_cargo_workspace_stay_the_roots() {
        let found = detect(&paths(&[
            "Cargo.toml",
            "crates/a/Cargo.toml",
            "web/package.json",
        ]));
        assert_eq!(found, vec!["web"]);
    }

    #[test]
    fn the_members_of_a_uv_or_bun_workspace_are_members() {
        let found = detect(&paths(&[
            "pyproject.toml",
            "package.json",
            "backend/pyproject.toml",
            "frontend/package.json",
        ]));
        assert_eq!(found, vec!["backend", "frontend"]);
    }
}
