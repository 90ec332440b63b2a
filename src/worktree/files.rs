//! One work-tree path's state (absent, a file with its mode, a symlink) and
//! the byte-exact, durable reads and writes of it.

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// What a path holds in the work tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Content {
    Absent,
    /// A regular file: its bytes and permission bits (read-only kept).
    File {
        bytes: Vec<u8>,
        mode: u32,
    },
    Symlink {
        target: Vec<u8>,
    },
    /// Something tiergate never writes over (a directory where a file was).
    Other,
}

impl Content {
    pub(crate) fn len(&self) -> usize {
        match self {
            Content::File { bytes, .. } => bytes.len(),
            Content::Symlink { target } => target.len(),
            Content::Absent | Content::Other => 0,
        }
    }

    /// Same bytes, same kind, and the same executable bit: what git sees.
    pub(crate) fn same_for_git(&self, other: &Content) -> bool {
        match (self, other) {
            (Content::File { bytes: a, mode: ma }, Content::File { bytes: b, mode: mb }) => {
                a == b && (ma & 0o111 != 0) == (mb & 0o111 != 0)
            }
            _ => self == other,
        }
    }
}

pub(crate) fn os(bytes: &[u8]) -> OsString {
    OsString::from_vec(bytes.to_vec())
}

pub(crate) fn rel(bytes: &[u8]) -> &Path {
    Path::new(std::ffi::OsStr::from_bytes(bytes))
}

/// Read `path` without following a symlink.
pub(crate) fn read(path: &Path) -> std::io::Result<Content> {
    read_within(path, usize::MAX).map(|c| c.unwrap_or(Content::Other))
}

/// `read`, or `None` for a regular file larger than `max_len` bytes (left
/// unread). One path lookup for a regular file: it is opened (never through
/// a symlink, never blocking on a FIFO) and the open file is asked what it
/// is, which matters when a formatter's thousand inputs are read twice.
pub(crate) fn read_within(path: &Path, max_len: usize) -> std::io::Result<Option<Content>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path);
    let file = match file {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Some(Content::Absent)),
        // A parent replaced by a file reads as "not a directory": nothing there.
        Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => return Ok(Some(Content::Absent)),
        // A socket cannot be opened: something tiergate never writes over.
        Err(e) if e.raw_os_error() == Some(libc::ENXIO) => return Ok(Some(Content::Other)),
        // O_NOFOLLOW on a symlink.
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            let target = std::fs::read_link(path)?;
            return Ok(Some(Content::Symlink {
                target: target.into_os_string().into_vec(),
            }));
        }
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(Some(Content::Other));
    }
    let Ok(len) = usize::try_from(meta.len()) else {
        return Ok(None);
    };
    if len > max_len {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(len);
    (&file).read_to_end(&mut bytes)?;
    Ok(Some(Content::File {
        bytes,
        mode: meta.permissions().mode() & 0o7777,
    }))
}

/// Make `path` hold `content`, atomically (a temporary beside it, fsync'd,
/// renamed over), so a crash leaves the old state or the new one. A read-only
/// file is replaced, not opened for writing, so its mode never gets in the way.
pub(crate) fn write(path: &Path, content: &Content) -> std::io::Result<()> {
    write_with(path, content, true)
}

/// `write` without the fsyncs, for many paths at once: the caller syncs
/// them together (`sync_paths`) or has a durable copy elsewhere.
///
/// A regular file that stays a regular file is overwritten in place, not
/// replaced: on ext4 a rename over an existing file (or a truncation to
/// zero) makes the kernel write the new data out at once, and freeing the
/// old inode's blocks costs as much again; in place the blocks are reused
/// (200 files: ~80 ms replaced, ~4 ms in place; issue 7, S5). The price is
/// atomicity: a crash inside the write can leave a file holding part of
/// each version. Both callers write only while the durable recovery entry
/// holds the user's copy, and recovery never drops a file it did not
/// expect (it keeps both, or saves it aside), so no byte is lost.
pub(crate) fn write_unsynced(path: &Path, content: &Content) -> std::io::Result<()> {
    if let Content::File { bytes, mode } = content {
        if let Some(file) = open_for_overwrite(path) {
            return overwrite(&file, bytes, *mode);
        }
    }
    write_with(path, content, false)
}

/// The regular file at `path` opened for writing, when it can be
/// overwritten in place: not a symlink (never followed), not a FIFO or a
/// folder, and its only link (a write through one hard link would change
/// the others, which git's checkout never does). `None`: replace it instead.
pub(super) fn open_for_overwrite(path: &Path) -> Option<std::fs::File> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let file = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    let meta = file.metadata().ok()?;
    (meta.is_file() && meta.nlink() == 1).then_some(file)
}

/// The new bytes from the start, then the old tail cut off, then the mode.
pub(super) fn overwrite(mut file: &std::fs::File, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let meta = file.metadata()?;
    file.write_all(bytes)?;
    if meta.len() > bytes.len() as u64 {
        file.set_len(bytes.len() as u64)?;
    }
    if meta.permissions().mode() & 0o7777 != mode {
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

/// Make the data and folder entries of `paths` durable. A few paths get an
/// fsync each (and each distinct parent folder one); many get one
/// `syncfs` per filesystem they live on, which flushes them all in one
/// journal commit instead of one commit per file.
pub(crate) fn sync_paths<'a>(paths: impl IntoIterator<Item = &'a Path>) {
    use std::os::unix::fs::MetadataExt;
    let paths: Vec<&Path> = paths.into_iter().collect();
    if paths.len() >= SYNCFS_FROM {
        let mut devices = std::collections::BTreeMap::new();
        for path in &paths {
            let dir = parent(path);
            if let Ok(meta) = std::fs::metadata(&dir) {
                devices.entry(meta.dev()).or_insert(dir);
            }
        }
        if devices.values().all(|dir| syncfs(dir)) {
            return;
        }
    }
    let mut dirs = std::collections::BTreeSet::new();
    for path in paths {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
            if let Ok(f) = std::fs::File::open(path) {
                let _ = f.sync_all();
            }
        }
        dirs.insert(parent(path));
    }
    for dir in dirs {
        sync_dir(&dir);
    }
}

/// From this many paths on, `sync_paths` syncs whole filesystems.
const SYNCFS_FROM: usize = 8;

/// `syncfs(2)` on the filesystem holding `dir`: every dirty page and
/// metadata change of it written out. Whether it succeeded.
fn syncfs(dir: &Path) -> bool {
    use std::os::fd::AsRawFd;
    let Ok(d) = std::fs::File::open(dir) else {
        return false;
    };
    // SAFETY: `d` is an open descriptor for the whole call; syncfs only
    // reads it.
    unsafe { libc::syncfs(d.as_raw_fd()) == 0 }
}

fn write_with(path: &Path, content: &Content, durable: bool) -> std::io::Result<()> {
    let dir = parent(path);
    match content {
        Content::Other => Ok(()),
        Content::Absent => match std::fs::symlink_metadata(path) {
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => {
                std::fs::remove_file(path)?;
                if durable {
                    sync_dir(&dir);
                }
                Ok(())
            }
            Err(_) => Ok(()),
        },
        Content::File { bytes, mode } => {
            std::fs::create_dir_all(&dir)?;
            let mut tmp = tempfile::Builder::new()
                .prefix(".tiergate-")
                .tempfile_in(&dir)?;
            tmp.write_all(bytes)?;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(*mode))?;
            if durable {
                tmp.as_file().sync_all()?;
            }
            replace_dir_blocker(path)?;
            tmp.persist(path).map_err(|e| e.error)?;
            if durable {
                sync_dir(&dir);
            }
            Ok(())
        }
        Content::Symlink { target } => {
            std::fs::create_dir_all(&dir)?;
            let tmp = temp_name(&dir);
            std::os::unix::fs::symlink(rel(target), &tmp)?;
            replace_dir_blocker(path)?;
            if let Err(e) = std::fs::rename(&tmp, path) {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
            if durable {
                sync_dir(&dir);
            }
            Ok(())
        }
    }
}

/// An empty directory left where a file must go (a formatter's doing) is
/// removed; a non-empty one is an error, never deleted.
fn replace_dir_blocker(path: &Path) -> std::io::Result<()> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        std::fs::remove_dir(path)?;
    }
    Ok(())
}

fn temp_name(dir: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    dir.join(format!(
        ".tiergate-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// fsync a directory so a rename or a new entry in it survives power loss.
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Write a new file durably (file and directory fsync'd).
pub(crate) fn write_durable(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::state::write_atomic(path, bytes)
}

/// Write a new file in a folder that is fsync'd once afterwards: the data
/// is fsync'd here, the folder's entry by the caller.
pub(crate) fn write_new_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// A short, stable digest of bytes for manifests: git's blob id.
pub(crate) fn digest(content: &Content) -> String {
    let bytes: &[u8] = match content {
        Content::File { bytes, .. } => bytes,
        Content::Symlink { target } => target,
        Content::Absent | Content::Other => b"",
    };
    super::sha1::blob_id(bytes)
}

/// Lower-case hex of bytes: paths in manifests survive JSON whatever they hold.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Whether bytes look binary to git (a NUL in the first 8000 bytes).
pub(crate) fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8000)].contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_any_bytes() {
        let path = b"caf\xe9/\n odd*.py".to_vec();
        assert_eq!(unhex(&hex(&path)), Some(path));
        assert_eq!(unhex("zz"), None);
    }

    #[test]
    fn reads_tell_every_kind_apart_without_following_or_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.txt");
        std::fs::write(&file, b"twelve bytes").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o751)).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("f.txt", &link).unwrap();
        let fifo = dir.path().join("fifo");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        let file_content = Content::File {
            bytes: b"twelve bytes".to_vec(),
            mode: 0o751,
        };
        assert_eq!(read(&file).unwrap(), file_content);
        assert_eq!(read_within(&file, 12).unwrap(), Some(file_content));
        assert_eq!(
            read_within(&file, 11).unwrap(),
            None,
            "over the budget: unread"
        );
        assert_eq!(
            read(&link).unwrap(),
            Content::Symlink {
                target: b"f.txt".to_vec()
            }
        );
        assert_eq!(read(dir.path()).unwrap(), Content::Other);
        assert_eq!(
            read(&fifo).unwrap(),
            Content::Other,
            "a FIFO is not waited on"
        );
        assert_eq!(read(&dir.path().join("missing")).unwrap(), Content::Absent);
        assert_eq!(read(&file.join("below-a-file")).unwrap(), Content::Absent);
    }

    #[test]
    fn unsynced_writes_overwrite_in_place_byte_exact_with_mode() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.py");
        std::fs::write(&p, b"a long first version\n".repeat(100)).unwrap();
        let inode = std::fs::metadata(&p).unwrap().ino();
        for c in [
            Content::File {
                bytes: b"short\n".to_vec(),
                mode: 0o755,
            },
            Content::File {
                bytes: b"longer than before, again\n".repeat(200),
                mode: 0o644,
            },
            Content::File {
                bytes: Vec::new(),
                mode: 0o600,
            },
        ] {
            write_unsynced(&p, &c).unwrap();
            assert_eq!(read(&p).unwrap(), c);
            assert_eq!(std::fs::metadata(&p).unwrap().ino(), inode, "in place");
        }
        // No temporary left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn unsynced_writes_never_go_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.txt");
        std::fs::write(&target, b"not mine").unwrap();
        let new = Content::File {
            bytes: b"restored".to_vec(),
            mode: 0o644,
        };
        // A symlink where a file goes is replaced, its target untouched.
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_unsynced(&link, &new).unwrap();
        assert_eq!(read(&link).unwrap(), new);
        // A second hard link to the file keeps the old bytes.
        let hard = dir.path().join("hard.txt");
        std::fs::hard_link(&target, &hard).unwrap();
        write_unsynced(&hard, &new).unwrap();
        assert_eq!(read(&hard).unwrap(), new);
        assert_eq!(std::fs::read(&target).unwrap(), b"not mine");
    }

    #[test]
    fn write_then_read_is_byte_exact_with_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/ro.bin");
        let c = Content::File {
            bytes: vec![0, 159, 146, 150, b'\r', b'\n'],
            mode: 0o444,
        };
        write(&p, &c).unwrap();
        assert_eq!(read(&p).unwrap(), c);
        let again = Content::File {
            bytes: b"x".to_vec(),
            mode: 0o755,
        };
        write(&p, &again).unwrap();
        assert_eq!(read(&p).unwrap(), again);
        let link = Content::Symlink {
            target: b"ro.bin".to_vec(),
        };
        write(&p, &link).unwrap();
        assert_eq!(read(&p).unwrap(), link);
        write(&p, &Content::Absent).unwrap();
        assert_eq!(read(&p).unwrap(), Content::Absent);
    }
}
