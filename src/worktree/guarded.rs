//! Reads that remember what they saw, and writes that happen only when
//! nothing changed since: another program (an editor's autosave, a watcher)
//! may write a file while tiergate has it set aside, and a write between
//! tiergate's read and its own write would be lost under it (issue 13).
//!
//! The stamp is what `git` itself trusts to tell a file changed: device,
//! inode, size, modification and change times. A write is made through the
//! file opened for it, after its stamp is compared, so the window left is
//! the few microseconds of the write itself.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::files::{self, Content};

/// What a path looked like when it was read; `None` when nothing was there.
pub(super) type Seen = Option<Stamp>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
    mode: u32,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.size(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
            mode: meta.mode(),
        }
    }
}

fn stamp(path: &Path) -> std::io::Result<Seen> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) => Ok(Some(Stamp::of(&meta))),
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                || e.raw_os_error() == Some(libc::ENOTDIR) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The stamp of `path` now (`None` when nothing is there or it cannot be read).
pub(super) fn read_stamp(path: &Path) -> Seen {
    stamp(path).ok().flatten()
}

/// How many times a read is retried while the file keeps changing under it.
const ATTEMPTS: usize = 100;

/// `files::read`, with the stamp the file had while it was read (the same
/// before and after the read, so the bytes are the file's at that stamp).
pub(super) fn read(path: &Path) -> std::io::Result<(Content, Seen)> {
    let mut before = stamp(path)?;
    for _ in 0..ATTEMPTS {
        let content = files::read(path)?;
        let after = stamp(path)?;
        if after == before {
            return Ok((content, after));
        }
        before = after;
    }
    Err(std::io::Error::other(format!(
        "{} kept changing while tiergate read it",
        path.display()
    )))
}

/// What a guarded write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Written {
    /// Written; the path's stamp right after.
    Done(Seen),
    /// The path changed since it was `seen`: nothing written.
    ChangedSince,
}

/// Make `path` hold `content` (as `files::write_unsynced` does), unless it
/// changed since it was `seen`.
pub(super) fn write_if_unchanged(
    path: &Path,
    content: &Content,
    seen: Seen,
) -> std::io::Result<Written> {
    if let (Content::File { bytes, mode }, Some(_)) = (content, seen) {
        if let Some(file) = files::open_for_overwrite(path) {
            // The open file's stamp: what is written to is what was compared.
            if Some(Stamp::of(&file.metadata()?)) != seen {
                return Ok(Written::ChangedSince);
            }
            files::overwrite(&file, bytes, *mode)?;
            return Ok(Written::Done(Some(Stamp::of(&file.metadata()?))));
        }
    }
    if stamp(path)? != seen {
        return Ok(Written::ChangedSince);
    }
    files::write_unsynced(path, content)?;
    Ok(Written::Done(stamp(path)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_after_the_read_is_never_written_over() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, b"one\n").unwrap();
        let (Content::File { bytes, .. }, seen) = read(&p).unwrap() else {
            panic!("a file reads as a file");
        };
        assert_eq!(bytes, b"one\n");
        // Another program appends after the read.
        let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
        std::io::Write::write_all(&mut f, b"two\n").unwrap();
        let new = Content::File {
            bytes: b"mine\n".to_vec(),
            mode: 0o644,
        };
        assert_eq!(
            write_if_unchanged(&p, &new, seen).unwrap(),
            Written::ChangedSince
        );
        assert_eq!(std::fs::read(&p).unwrap(), b"one\ntwo\n");
        let (_, seen) = read(&p).unwrap();
        let Written::Done(after) = write_if_unchanged(&p, &new, seen).unwrap() else {
            panic!("unchanged, yet not written");
        };
        assert_eq!(std::fs::read(&p).unwrap(), b"mine\n");
        assert_eq!(read(&p).unwrap().1, after);
        // Something created where nothing was is not written over either.
        let q = dir.path().join("b.txt");
        let (absent, seen) = read(&q).unwrap();
        assert_eq!(absent, Content::Absent);
        std::fs::write(&q, b"theirs\n").unwrap();
        assert_eq!(
            write_if_unchanged(&q, &new, seen).unwrap(),
            Written::ChangedSince
        );
        assert_eq!(std::fs::read(&q).unwrap(), b"theirs\n");
    }
}
