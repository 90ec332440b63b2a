//! The state directory (history, cache, recovery) and durable writes.

use std::io::Write;
use std::path::Path;

/// Who a written file is for, which decides its permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileMode {
    /// tiergate's own state (cache, history, recovery): readable by the owner only.
    Private,
    /// A file the user asked for (`.tiergate.toml`, a workflow, a report): the
    /// mode the umask gives a new file (0644 under umask 022), as an editor or
    /// `cp` would; a file that exists keeps its mode.
    User,
}

/// A temporary file in `dir` with the permissions `mode` asks for `target`.
pub(crate) fn temp_file_for(
    dir: &Path,
    target: &Path,
    mode: FileMode,
) -> std::io::Result<tempfile::NamedTempFile> {
    use std::os::unix::fs::PermissionsExt;
    match mode {
        FileMode::Private => tempfile::NamedTempFile::new_in(dir),
        FileMode::User => {
            let file = tempfile::Builder::new()
                // Passed to open(2), which applies the umask.
                .permissions(std::fs::Permissions::from_mode(0o666))
                .tempfile_in(dir)?;
            if let Ok(existing) = std::fs::metadata(target) {
                file.as_file().set_permissions(existing.permissions())?;
            }
            Ok(file)
        }
    }
}

/// Write `bytes` to `path` through a temporary file in the same folder,
/// fsync'd and renamed over the target, so a crash leaves the old file or
/// the new one, never a mix. The file is private to its owner.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_as(path, bytes, FileMode::Private)
}

/// Replace `path` with `bytes` through a temporary file renamed over it,
/// without fsync: for memos that are cheaper to recompute than to make
/// durable (the cache's passes). A reader never sees a half-written file while
/// the machine runs; after a power cut the file may be empty or old, which its
/// reader must take as a miss (the cache checks each entry's key).
pub(crate) fn replace_memo(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut file = temp_file_for(dir, path, FileMode::Private)?;
    file.write_all(bytes)?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// [`write_atomic`] with the permissions `mode` gives.
pub(crate) fn write_atomic_as(path: &Path, bytes: &[u8], mode: FileMode) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut file = temp_file_for(dir, path, mode)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Where the cache and the history live: `[settings] state_dir` (relative to the
/// repository root), else `tiergate/` in the common git dir. The common dir, not the
/// worktree's own git dir, so every worktree of a repository shares one cache (equal
/// inputs give equal results wherever they are checked out) and one history.
pub(crate) fn shared_dir(
    repo: &crate::git::Repo,
    config: &crate::config::Config,
) -> std::path::PathBuf {
    match &config.settings.state_dir {
        Some(dir) => configured_dir(repo, dir, repo.common_dir()),
        None => repo.common_dir().join("tiergate"),
    }
}

/// The state directory: `[settings] state_dir` (relative to the work tree),
/// or `<git_dir>/tiergate`, which is per worktree, so two worktrees never
/// share recovery entries.
pub(crate) fn state_dir(
    repo: &crate::git::Repo,
    config: &crate::config::Config,
) -> std::path::PathBuf {
    config.settings.state_dir.as_ref().map_or_else(
        || repo.git_dir().join("tiergate"),
        |dir| configured_dir(repo, dir, repo.git_dir()),
    )
}

/// `[settings] state_dir`, relative to the work tree. `.git/...` written there
/// means `git_dir` (the common one or the worktree's own), also in a linked
/// worktree, where `.git` is a file pointing at it.
fn configured_dir(
    repo: &crate::git::Repo,
    dir: &std::path::Path,
    git_dir: &std::path::Path,
) -> std::path::PathBuf {
    match dir.strip_prefix(".git") {
        Ok(inside) if !repo.root().join(".git").is_dir() => git_dir.join(inside),
        _ => repo.root().join(dir),
    }
}
