//! The index is the user's: under `fix = "fail"` nothing a formatter or a
//! group runs may change what is staged (a formatter that runs `git add` on
//! its own output, a group that stages). The index file is kept as it was
//! (one read), a change is told by its stat first and by its entries second
//! (a `git status` that only refreshed stat data is no change), and the
//! user's index is written back exactly (issue 13).

use std::path::{Path, PathBuf};

use super::{files, lock, WorktreeError};

/// The index as the user staged it.
pub(crate) struct IndexGuard {
    path: PathBuf,
    /// A copy of the file's bytes (an unnamed file); `None` when there was no index file.
    copy: Option<std::fs::File>,
    stamp: Option<(u64, u64, i64, i64, u64)>,
}

fn stamp(path: &Path) -> Option<(u64, u64, i64, i64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some((
        meta.dev(),
        meta.ino(),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.size(),
    ))
}

/// What each entry says, stat data left out: path, stage, mode, blob and
/// intent-to-add flag.
type Staged = Vec<(Vec<u8>, u16, u32, git2::Oid, bool)>;

fn staged(path: &Path) -> Option<Staged> {
    let index = git2::Index::open(path).ok()?;
    Some(
        index
            .iter()
            .map(|e| {
                (
                    e.path,
                    (e.flags >> 12) & 0x3,
                    e.mode,
                    e.id,
                    e.flags_extended & (1 << 13) != 0,
                )
            })
            .collect(),
    )
}

impl IndexGuard {
    /// Keep the index git uses here (`GIT_INDEX_FILE` honoured).
    pub(crate) fn take(root: &Path, git_dir: &Path) -> Result<IndexGuard, WorktreeError> {
        let path = lock::index_path(root, git_dir);
        let stamp = stamp(&path);
        let copy = match std::fs::File::open(&path) {
            Ok(mut index) => Some(copy_of(&mut index, git_dir).map_err(|e| {
                WorktreeError::io(format!("cannot keep a copy of {}", path.display()), &e)
            })?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(WorktreeError::io(
                    format!("cannot read {}", path.display()),
                    &e,
                ))
            }
        };
        Ok(IndexGuard { path, copy, stamp })
    }

    /// The index's bytes as they were taken.
    fn bytes(&self) -> std::io::Result<Option<Vec<u8>>> {
        use std::io::{Read, Seek};
        let Some(mut copy) = self.copy.as_ref() else {
            return Ok(None);
        };
        copy.rewind()?;
        let mut bytes = Vec::new();
        copy.read_to_end(&mut bytes)?;
        Ok(Some(bytes))
    }

    /// Whether what is staged changed since `take`: the paths whose entry
    /// differs (added, removed or changed), in index order.
    pub(crate) fn changed(&self) -> Result<Vec<Vec<u8>>, WorktreeError> {
        if stamp(&self.path) == self.stamp {
            return Ok(Vec::new());
        }
        let bytes = self
            .bytes()
            .map_err(|e| WorktreeError::io("cannot read the copy of the index", &e))?;
        let before = match &bytes {
            Some(bytes) => {
                let tmp = super::git_cli::scratch_dir("tiergate-index-")?;
                let copy = tmp.path().join("index");
                std::fs::write(&copy, bytes)
                    .map_err(|e| WorktreeError::io("cannot write a temporary index", &e))?;
                staged(&copy).unwrap_or_default()
            }
            None => Vec::new(),
        };
        let after = staged(&self.path).unwrap_or_default();
        let mut paths: Vec<Vec<u8>> = before
            .iter()
            .filter(|e| !after.contains(e))
            .chain(after.iter().filter(|e| !before.contains(e)))
            .map(|e| e.0.clone())
            .collect();
        paths.sort();
        paths.dedup();
        Ok(paths)
    }

    /// Write the user's index back, exactly, atomically (after any other
    /// git process's lock is gone).
    pub(crate) fn put_back(&self) -> Result<(), WorktreeError> {
        lock::wait_for_index(&self.path)?;
        let bytes = self
            .bytes()
            .map_err(|e| WorktreeError::io("cannot read the copy of the index", &e))?;
        match &bytes {
            Some(bytes) => files::write_durable(&self.path, bytes).map_err(|e| {
                WorktreeError::io(format!("cannot write {}", self.path.display()), &e)
            }),
            None => match std::fs::remove_file(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(WorktreeError::io(
                    format!("cannot remove {}", self.path.display()),
                    &e,
                )),
                _ => Ok(()),
            },
        }
    }
}

/// An unnamed file holding `index`'s bytes, in the git dir (the index's own
/// file system, where the kernel copies without reading the bytes out), or
/// in the temporary folder when the git dir refuses it.
fn copy_of(index: &mut std::fs::File, git_dir: &Path) -> std::io::Result<std::fs::File> {
    let mut copy = tempfile::tempfile_in(git_dir).or_else(|_| tempfile::tempfile())?;
    std::io::copy(index, &mut copy)?;
    Ok(copy)
}
