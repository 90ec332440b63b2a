//! The hook shims: embedded templates, written with the binary's path, and
//! a foreign hook kept beside them and chained (it runs first).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::hooks::{self, HookKind};

/// The line that marks a file as tiergate's shim.
const MARK: &str = "# tiergate-shim:";
/// Where a foreign hook goes when tiergate's shim takes its place.
const CHAINED: &str = ".tiergate-chained";
/// Where `--force` keeps a foreign hook it replaced.
const BACKUP: &str = ".tiergate-backup";

/// The shim text before the binary is filled in. The first three hooks have
/// their own templates; every other hook of the model shares one, filled with
/// its name.
fn template(hook: &str) -> Option<std::borrow::Cow<'static, str>> {
    let kind = HookKind::from_name(hook)?;
    Some(match kind {
        HookKind::PreCommit => include_str!("../../hooks/pre-commit").into(),
        HookKind::PrePush => include_str!("../../hooks/pre-push").into(),
        HookKind::PreRelease => include_str!("../../hooks/pre-release").into(),
        _ => include_str!("../../hooks/any-hook")
            .replace("@HOOK@", kind.as_str())
            .replace(
                "@READS_STDIN@",
                if kind.spec().reads_stdin { "yes" } else { "no" },
            )
            // git ignores a post-* hook's status: a missing tiergate is not
            // worth a failure it would not show as one.
            .replace("@MISSING_STATUS@", if kind.blocks() { "1" } else { "0" })
            .into(),
    })
}

/// The shim for `hook`, recording `binary` as the tiergate to run; with no
/// binary (a hooks folder committed with the project, shared by machines
/// where tiergate lives elsewhere) the shim finds `tiergate` on PATH.
pub(crate) fn shim_text(hook: &str, binary: Option<&Path>) -> Option<String> {
    // Single-quoted in the shim: a quote in the path becomes '\''.
    let quoted = binary.map_or_else(String::new, |b| b.to_string_lossy().replace('\'', "'\\''"));
    template(hook).map(|t| t.replace("@TIERGATE_BIN@", &quoted))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ShimChange {
    Created,
    Updated,
    Unchanged,
    /// A foreign hook was moved aside and is chained: it runs first.
    Chained(PathBuf),
    /// `--force` replaced a foreign hook, kept as a backup.
    Replaced(PathBuf),
    Removed,
    /// uninstall put the chained foreign hook back.
    Restored,
    NotInstalled,
    /// uninstall leaves a hook that is not tiergate's alone.
    Foreign,
}

/// What is in the hooks directory for one hook (for `doctor`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HookState {
    Missing,
    Foreign,
    /// tiergate's shim, with the binary path it records.
    Shim {
        binary: Option<PathBuf>,
    },
}

pub(crate) fn state(hooks_dir: &Path, hook: &str) -> HookState {
    match std::fs::read_to_string(hooks_dir.join(hook)) {
        Err(_) => HookState::Missing,
        Ok(text) if text.contains(MARK) => HookState::Shim {
            binary: text
                .lines()
                .find_map(|l| {
                    l.strip_prefix("bin='")
                        .and_then(|rest| rest.strip_suffix('\''))
                })
                .filter(|b| !b.is_empty())
                .map(|b| PathBuf::from(b.replace("'\\''", "'"))),
        },
        Ok(_) => HookState::Foreign,
    }
}

fn io_error(action: &str, path: &Path, e: &std::io::Error) -> Error {
    Error::new(format!("cannot {action} {}: {e}", path.display()))
        .hint("check the permissions of git's hooks directory")
}

fn write_executable(path: &Path, text: &str) -> Result<(), Error> {
    crate::state::write_atomic(path, text.as_bytes()).map_err(|e| io_error("write", path, &e))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| io_error("make executable", path, &e))
}

/// Install the shims for `hooks` into `hooks_dir`. Idempotent: a second run
/// reports `Unchanged` and writes nothing.
pub(crate) fn install_hooks(
    hooks_dir: &Path,
    hooks: &[&str],
    binary: Option<&Path>,
    force: bool,
) -> Result<Vec<(String, ShimChange)>, Error> {
    std::fs::create_dir_all(hooks_dir).map_err(|e| io_error("create", hooks_dir, &e))?;
    let mut changes = Vec::new();
    for hook in hooks {
        let Some(text) = shim_text(hook, binary) else {
            return Err(Error::new(format!("unknown hook `{hook}`"))
                .hint(format!("hooks: {}", hooks::names().join(", "))));
        };
        let path = hooks_dir.join(hook);
        let change = match std::fs::read(&path) {
            Err(_) => {
                write_executable(&path, &text)?;
                ShimChange::Created
            }
            Ok(existing) if existing == text.as_bytes() => ShimChange::Unchanged,
            Ok(existing) if String::from_utf8_lossy(&existing).contains(MARK) => {
                write_executable(&path, &text)?;
                ShimChange::Updated
            }
            Ok(_) if force => {
                let backup = hooks_dir.join(format!("{hook}{BACKUP}"));
                std::fs::rename(&path, &backup).map_err(|e| io_error("move aside", &path, &e))?;
                write_executable(&path, &text)?;
                ShimChange::Replaced(backup)
            }
            Ok(_) => {
                let chained = hooks_dir.join(format!("{hook}{CHAINED}"));
                if chained.exists() {
                    return Err(Error::new(format!(
                        "{} is a foreign hook and {} already holds a chained one",
                        path.display(),
                        chained.display()
                    ))
                    .hint("merge the two hooks by hand, or run `tiergate install --force` to replace the new one"));
                }
                std::fs::rename(&path, &chained).map_err(|e| io_error("move aside", &path, &e))?;
                write_executable(&path, &text)?;
                ShimChange::Chained(chained)
            }
        };
        changes.push(((*hook).to_owned(), change));
    }
    Ok(changes)
}

/// Remove tiergate's shims of every hook of the model and put chained hooks
/// back; foreign hooks stay. Only the default hooks are listed when absent.
pub(crate) fn uninstall_hooks(hooks_dir: &Path) -> Result<Vec<(String, ShimChange)>, Error> {
    let mut changes = Vec::new();
    for spec in hooks::TABLE {
        let hook = &spec.name;
        let path = hooks_dir.join(hook);
        let chained = hooks_dir.join(format!("{hook}{CHAINED}"));
        let change = match state(hooks_dir, hook) {
            HookState::Missing => ShimChange::NotInstalled,
            HookState::Foreign => ShimChange::Foreign,
            HookState::Shim { .. } => {
                if chained.exists() {
                    std::fs::rename(&chained, &path)
                        .map_err(|e| io_error("restore", &chained, &e))?;
                    ShimChange::Restored
                } else {
                    std::fs::remove_file(&path).map_err(|e| io_error("remove", &path, &e))?;
                    ShimChange::Removed
                }
            }
        };
        if spec.default || change != ShimChange::NotInstalled {
            changes.push(((*hook).to_owned(), change));
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_in_the_binary_path_stays_quoted() {
        let text = shim_text("pre-commit", Some(Path::new("/opt/it's/tiergate"))).unwrap();
        assert!(text.contains("bin='/opt/it'\\''s/tiergate'"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pre-commit"), &text).unwrap();
        assert_eq!(
            state(dir.path(), "pre-commit"),
            HookState::Shim {
                binary: Some("/opt/it's/tiergate".into())
            }
        );
    }

    #[test]
    fn a_shim_without_a_binary_finds_tiergate_on_path() {
        let text = shim_text("pre-push", None).unwrap();
        assert!(text.contains("\nbin=''\n"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pre-push"), &text).unwrap();
        assert_eq!(
            state(dir.path(), "pre-push"),
            HookState::Shim { binary: None }
        );
    }

    #[test]
    fn install_is_idempotent_and_chains_a_foreign_hook() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pre-commit"), "#!/bin/sh\necho mine\n").unwrap();
        let first = install_hooks(
            dir.path(),
            &["pre-commit", "pre-push"],
            Some(Path::new("/bin/tiergate")),
            false,
        )
        .unwrap();
        assert!(matches!(first[0].1, ShimChange::Chained(_)));
        assert_eq!(first[1].1, ShimChange::Created);
        let second = install_hooks(
            dir.path(),
            &["pre-commit", "pre-push"],
            Some(Path::new("/bin/tiergate")),
            false,
        )
        .unwrap();
        assert!(second.iter().all(|(_, c)| *c == ShimChange::Unchanged));
        let removed = uninstall_hooks(dir.path()).unwrap();
        assert_eq!(removed[0].1, ShimChange::Restored);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("pre-commit")).unwrap(),
            "#!/bin/sh\necho mine\n"
        );
        assert!(!dir.path().join("pre-push").exists());
    }
}
