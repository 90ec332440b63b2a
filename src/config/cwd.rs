//! `cwd = "backend"`: the folder a group, formatter or service runs in.
//!
//! Checked at load (relative, no `..`, an existing folder inside the
//! config's root); afterwards it only answers which repository paths lie in
//! it and what they are called from inside it. Globs (`files`, `tests`,
//! `inputs`) stay relative to the config's root: only the command moves.

use std::path::{Component, Path, PathBuf};

use toml::Spanned;

use super::validate::Origin;
use crate::error::Error;

/// A validated working directory, relative to the config's root, written
/// with `/` and no trailing slash (`backend`, `services/api`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cwd {
    text: String,
}

impl Cwd {
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    pub(crate) fn path(&self) -> &Path {
        Path::new(&self.text)
    }

    /// The path of `repository_path` seen from inside this folder, or `None`
    /// when it lies outside: such a file is not the command's to see, as
    /// lefthook's `root` filters the files it passes.
    pub(crate) fn relative<'p>(&self, repository_path: &'p [u8]) -> Option<&'p [u8]> {
        repository_path
            .strip_prefix(self.text.as_bytes())
            .and_then(|rest| rest.strip_prefix(b"/"))
            .filter(|rest| !rest.is_empty())
    }

    /// A sub-project's folder, or the folder `inner` names inside it: a
    /// member's commands run there by default.
    pub(crate) fn within(member: &str, inner: Option<&Cwd>) -> Cwd {
        Cwd {
            text: match inner {
                Some(inner) => format!("{member}/{}", inner.text),
                None => member.to_owned(),
            },
        }
    }

    /// Whether `repository_path` lies inside this folder.
    pub(crate) fn holds(&self, repository_path: &[u8]) -> bool {
        self.relative(repository_path).is_some()
    }
}

/// The folder a command with `cwd` runs in: `root` without one.
pub(crate) fn run_folder(root: &Path, cwd: Option<&Cwd>) -> PathBuf {
    match cwd {
        Some(cwd) => root.join(cwd.path()),
        None => root.to_path_buf(),
    }
}

/// The paths of `list` inside `cwd`, relative to it; all of them, unchanged,
/// without one.
pub(crate) fn relative_paths(cwd: Option<&Cwd>, list: &[Vec<u8>]) -> Vec<Vec<u8>> {
    match cwd {
        None => list.to_vec(),
        Some(cwd) => list
            .iter()
            .filter_map(|p| cwd.relative(p))
            .map(<[u8]>::to_vec)
            .collect(),
    }
}

/// Check a `cwd` value. `root` is the folder holding the config file (none
/// for an embedded config, whose text never names a cwd): the folder must
/// exist there, and must not lead out of it, even through a symlink.
/// `"."` is the root itself: no cwd.
pub(crate) fn check(
    value: &Spanned<String>,
    root: Option<&Path>,
    origin: &Origin<'_>,
    key: &str,
) -> Result<Option<Cwd>, Error> {
    let written = value.get_ref();
    let hint = "write the folder from the repository root, e.g. cwd = \"backend\"";
    let path = Path::new(written);
    if written.is_empty() || path.is_absolute() {
        return Err(origin
            .error(
                value,
                format!(
                    "{key}.cwd = \"{written}\" must be a folder relative to the repository root"
                ),
            )
            .hint(hint));
    }
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(origin
                    .error(
                        value,
                        format!("{key}.cwd = \"{written}\" leads out of the repository"),
                    )
                    .hint(hint));
            }
        }
    }
    if parts.is_empty() {
        return Ok(None);
    }
    let cwd = Cwd {
        text: parts.join("/"),
    };
    if let Some(root) = root {
        let full: PathBuf = root.join(cwd.path());
        match std::fs::metadata(&full) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(origin
                    .error(value, format!("{key}.cwd `{}` is not a folder", cwd.text))
                    .hint("name the folder the command runs in, not a file in it"));
            }
            Err(_) => {
                return Err(origin
                    .error(value, format!("{key}.cwd `{}` does not exist", cwd.text))
                    .hint(format!(
                        "create the folder, or fix the path: it is relative to the folder holding {}",
                        origin.file.display()
                    )));
            }
        }
        let inside = match (full.canonicalize(), root.canonicalize()) {
            (Ok(full), Ok(root)) => full.starts_with(root),
            _ => false,
        };
        if !inside {
            return Err(origin
                .error(
                    value,
                    format!(
                        "{key}.cwd `{}` leads out of the repository (through a symlink)",
                        cwd.text
                    ),
                )
                .hint("point cwd at a real folder inside the repository"));
        }
    }
    Ok(Some(cwd))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cwd(text: &str) -> Cwd {
        Cwd { text: text.into() }
    }

    #[test]
    fn relative_keeps_only_paths_inside_and_strips_the_folder() {
        let backend = cwd("backend");
        assert_eq!(
            backend.relative(b"backend/app/x.py"),
            Some(&b"app/x.py"[..])
        );
        assert_eq!(backend.relative(b"backend"), None);
        assert_eq!(backend.relative(b"backend-old/x.py"), None);
        assert_eq!(backend.relative(b"frontend/x.js"), None);
        let list = vec![b"backend/a.py".to_vec(), b"README.md".to_vec()];
        assert_eq!(
            relative_paths(Some(&backend), &list),
            vec![b"a.py".to_vec()]
        );
        assert_eq!(relative_paths(None, &list), list);
    }
}
