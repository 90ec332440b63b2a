//! After a crash: leftover recovery entries restored at the start of the
//! next command (or by `tiergate recover`), and leftover snapshots removed.
//! A path the user changed since the crash is never overwritten: the saved
//! version is written beside it as `<file>.tiergate-recovered`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::entry::{self, Manifest, SavedPath};
use super::files::{self, Content};
use super::{snapshot, WorktreeError};

/// What recovering one entry did.
#[derive(Debug)]
pub(crate) struct Recovered {
    pub(crate) id: String,
    /// Paths given back their saved unstaged content.
    pub(crate) restored: Vec<Vec<u8>>,
    /// Paths the user changed since: the saved version went beside them.
    pub(crate) kept_both: Vec<(Vec<u8>, PathBuf)>,
    /// Formatter changes rolled back after a crash, and where they went.
    pub(crate) fixes_saved: Vec<(Vec<u8>, PathBuf)>,
    /// Files caught half-written by a kill (part index content, part the
    /// user's): given back the user's bytes; the mixed file went here.
    pub(crate) half_written: Vec<(Vec<u8>, PathBuf)>,
    /// Entries of a run still going, left alone.
    pub(crate) live: bool,
}

/// Entry folders under `state_dir/recovery` (those with a manifest, and
/// those a crash left before their manifest was written).
fn entry_dirs(state_dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(entry::recovery_dir(state_dir)) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = read
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir() && p.extension().is_none_or(|e| e != "fixes" && e != "kept"))
        .collect();
    dirs.sort();
    dirs
}

/// Folders of rolled-back formatter fixes kept for the user.
pub(crate) fn fixes_dirs(state_dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(entry::recovery_dir(state_dir)) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = read
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "fixes"))
        .collect();
    dirs.sort();
    dirs
}

/// Folders of unstaged versions kept beside another program's writes.
pub(crate) fn kept_dirs(state_dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(entry::recovery_dir(state_dir)) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = read
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "kept"))
        .collect();
    dirs.sort();
    dirs
}

/// The entries waiting, as `(id, created, paths, live)`, for `tiergate recover`.
pub(crate) fn list(state_dir: &Path) -> Vec<(String, u64, Vec<Vec<u8>>, bool)> {
    entry_dirs(state_dir)
        .iter()
        .filter_map(|dir| entry::read_manifest(dir).ok())
        .map(|m| {
            let live = entry::owner_alive(m.pid, m.pid_start);
            (
                m.id.clone(),
                m.created,
                m.files.iter().map(entry::SavedPath::path).collect(),
                live,
            )
        })
        .collect()
}

/// Called before every command: cheap (one `read_dir` of a folder that
/// usually does not exist) when there is nothing to do.
pub(crate) fn recover_leftovers(state_dir: &Path) -> Vec<Result<Recovered, WorktreeError>> {
    snapshot::remove_stale(state_dir);
    if !entry::recovery_dir(state_dir).exists() {
        return Vec::new();
    }
    recover_all(state_dir)
        .into_iter()
        .filter(|r| !matches!(r, Ok(rec) if rec.live))
        .collect()
}

/// Restore every entry whose run is over.
pub(crate) fn recover_all(state_dir: &Path) -> Vec<Result<Recovered, WorktreeError>> {
    entry_dirs(state_dir).iter().map(|d| recover(d)).collect()
}

fn recover(dir: &Path) -> Result<Recovered, WorktreeError> {
    let id = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !dir.join(entry::MANIFEST).exists() {
        // Killed while saving: nothing in the work tree was touched yet.
        if owner_of_id_alive(&id) {
            return Ok(empty(id, true));
        }
        std::fs::remove_dir_all(dir)
            .map_err(|e| WorktreeError::io(format!("cannot remove {}", dir.display()), &e))?;
        return Ok(empty(id, false));
    }
    let manifest: Manifest = entry::read_manifest(dir)?;
    if entry::owner_alive(manifest.pid, manifest.pid_start) {
        return Ok(empty(manifest.id, true));
    }
    let root = manifest.root();
    let formatting = dir.join(entry::FORMATTING).exists();
    let fixes_dir = super::restore::fixes_dir(dir);
    let mut done = empty(manifest.id.clone(), false);
    for saved in &manifest.files {
        let rel = saved.path();
        let path = root.join(files::rel(&rel));
        let user = entry::load_copy(dir, saved)?;
        let current = files::read(&path)
            .map_err(|e| WorktreeError::io(format!("cannot read {}", path.display()), &e))?;
        if current == user {
            continue;
        }
        if saved.stashed.matches(&current) || saved.user.matches(&current) {
            files::write(&path, &user)
                .map_err(|e| WorktreeError::io(format!("cannot restore {}", path.display()), &e))?;
            verify(&path, &user, dir)?;
            done.restored.push(rel);
            continue;
        }
        // A file a kill caught half-written by an in-place write
        // (`files::write_unsynced`: part the index's bytes, part the user's).
        let half_written = is_torn_overwrite(&root, saved, &current, &user);
        if half_written || formatting {
            // That, or a formatter's change (killed while formatters ran or
            // after): rolled back, saved aside, the user's bytes restored.
            let aside = set_aside_and_restore(
                &path,
                &fixes_dir.join(files::rel(&rel)),
                &current,
                &user,
                dir,
            )?;
            done.restored.push(rel.clone());
            if half_written {
                done.half_written.push((rel, aside));
            } else {
                done.fixes_saved.push((rel, aside));
            }
        } else if user != Content::Absent {
            // Changed since the crash (by the user, or a formatter that was
            // running): keep both.
            let beside = free_name(&path);
            files::write(&beside, &user)
                .map_err(|e| WorktreeError::io(format!("cannot write {}", beside.display()), &e))?;
            verify(&beside, &user, dir)?;
            done.kept_both.push((rel, beside));
        }
    }
    std::fs::remove_dir_all(dir)
        .map_err(|e| WorktreeError::io(format!("cannot remove {}", dir.display()), &e))?;
    if let Some(parent) = dir.parent() {
        files::sync_dir(parent);
    }
    Ok(done)
}

/// Writes `current` (what a crash left at `path`) to `aside`, then gives
/// `path` the user's bytes back and verifies them; returns `aside`.
fn set_aside_and_restore(
    path: &Path,
    aside: &Path,
    current: &Content,
    user: &Content,
    dir: &Path,
) -> Result<PathBuf, WorktreeError> {
    files::write(aside, current)
        .map_err(|e| WorktreeError::io(format!("cannot write {}", aside.display()), &e))?;
    files::write(path, user)
        .map_err(|e| WorktreeError::io(format!("cannot restore {}", path.display()), &e))?;
    verify(path, user, dir)?;
    Ok(aside.to_path_buf())
}

/// Whether `current` is what the stash's in-place write of the index
/// content over the user's file (or the restore's, back) leaves when killed
/// part way: see `is_cut_short`. Only asked about files that match neither
/// side, so git is asked for the index blob only then.
fn is_torn_overwrite(root: &Path, saved: &SavedPath, current: &Content, user: &Content) -> bool {
    let (Content::File { bytes: current, .. }, Content::File { bytes: user, .. }) = (current, user)
    else {
        return false;
    };
    // Only an object id goes on git's command line, never an option.
    let Some(oid) = saved
        .index_oid
        .as_ref()
        .filter(|id| matches!(id.len(), 40 | 64) && id.bytes().all(|b| b.is_ascii_hexdigit()))
    else {
        return false;
    };
    let args = [OsStr::new("cat-file"), OsStr::new("blob"), OsStr::new(oid)];
    let Ok(index) = super::git_cli::output(root, &args) else {
        return false;
    };
    is_cut_short(current, &index, user) || is_cut_short(current, user, &index)
}

/// Whether `current` is a state an in-place overwrite of `old` by `new`
/// passes through (`files::write_unsynced`: the new bytes from the start,
/// then the old tail cut off): `new[..k]` followed by `old[k..]`, or `new`.
fn is_cut_short(current: &[u8], new: &[u8], old: &[u8]) -> bool {
    let k = current.iter().zip(new).take_while(|(a, b)| a == b).count();
    let tail = old.get(k..).unwrap_or_default();
    current == new || (current.len() == k + tail.len() && &current[k..] == tail)
}

fn verify(path: &Path, expected: &Content, dir: &Path) -> Result<(), WorktreeError> {
    let now = files::read(path)
        .map_err(|e| WorktreeError::io(format!("cannot verify {}", path.display()), &e))?;
    if &now == expected {
        Ok(())
    } else {
        Err(WorktreeError::Io(format!(
            "{} does not hold the recovered content; the saved copy stays in {}",
            path.display(),
            dir.display()
        )))
    }
}

fn empty(id: String, live: bool) -> Recovered {
    Recovered {
        id,
        restored: Vec::new(),
        kept_both: Vec::new(),
        fixes_saved: Vec::new(),
        half_written: Vec::new(),
        live,
    }
}

/// Ids are `<millis>-<pid>`; an entry without a manifest is only left alone
/// while a process with that pid exists.
fn owner_of_id_alive(id: &str) -> bool {
    id.rsplit_once('-')
        .and_then(|(_, pid)| pid.parse::<u32>().ok())
        .is_some_and(|pid| entry::process_start(pid).is_some())
}

/// `<file>.tiergate-recovered`, or `.tiergate-recovered.2`, ... when taken.
fn free_name(path: &Path) -> PathBuf {
    let mut base = path.as_os_str().to_owned();
    base.push(".tiergate-recovered");
    let mut candidate = PathBuf::from(&base);
    let mut n = 2;
    while std::fs::symlink_metadata(&candidate).is_ok() {
        let mut next = base.clone();
        next.push(format!(".{n}"));
        candidate = PathBuf::from(next);
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::is_cut_short;

    #[test]
    fn cut_short_overwrites_are_recognised_and_nothing_else() {
        let old = b"0123456789";
        let new = b"abcdef";
        // Every state an in-place overwrite passes through.
        for k in 0..=new.len() {
            let state = [&new[..k], &old[k..]].concat();
            assert!(is_cut_short(&state, new, old), "{k}");
        }
        assert!(is_cut_short(new, new, old));
        // Longer new content over shorter old.
        for k in 0..=old.len() {
            let state = [&old[..k], new.get(k..).unwrap_or_default()].concat();
            assert!(is_cut_short(&state, old, new), "{k}");
        }
        // An edit is not a cut-short overwrite.
        assert!(!is_cut_short(b"abc3456789!", new, old));
        assert!(!is_cut_short(b"abcXef6789", new, old));
        assert!(!is_cut_short(b"", new, old));
        assert!(!is_cut_short(b"abc", new, old));
    }
}
