//! A recovery entry: `state_dir/recovery/<id>/` with `manifest.json`, a
//! binary-safe `patch.diff`, and `copies`, the full copy of each saved path
//! one after another (the manifest holds each one's offset and length), so
//! the entry is made durable with one fsync of the copies whatever the
//! number of paths. Entries of version 1 (`files/<n>`, one file per copy)
//! are still read.
//!
//! The manifest is the last thing written when an entry is made (so an entry
//! without one was never acted on) and the entry is deleted only after the
//! restore was verified.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::files::{self, Content};
use super::WorktreeError;

pub(super) const MANIFEST: &str = "manifest.json";
/// Present once formatters may have changed saved paths.
pub(super) const FORMATTING: &str = "formatting";
/// The archive of the saved copies (version 2 entries).
pub(super) const COPIES: &str = "copies";
/// The manifest format written now: 1 had a file per copy, 2 one archive.
pub(super) const VERSION: u32 = 2;
/// Files larger than this are left out of `patch.diff` (the full copy is
/// what restores them; a base85 patch of a 100 MB file would double the cost).
pub(super) const PATCH_LIMIT: usize = 32 * 1024 * 1024;

/// How a saved path looked: the kind, the mode and the digest of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct State {
    /// `absent`, `file` or `symlink`.
    pub(super) kind: String,
    pub(super) mode: u32,
    /// git's blob id of the bytes (or symlink target).
    pub(super) digest: String,
}

impl State {
    pub(super) fn of(content: &Content) -> State {
        State::with_digest(content, files::digest(content))
    }

    /// The state of `content` whose digest is known already (a blob read by its id).
    pub(super) fn with_digest(content: &Content, digest: String) -> State {
        let (kind, mode) = match content {
            Content::Absent | Content::Other => ("absent", 0),
            Content::File { mode, .. } => ("file", *mode),
            Content::Symlink { .. } => ("symlink", 0o120_000),
        };
        State {
            kind: kind.to_owned(),
            mode,
            digest,
        }
    }

    /// Whether `content` is this state, as git would see it.
    pub(super) fn matches(&self, content: &Content) -> bool {
        let other = State::of(content);
        self.kind == other.kind
            && self.digest == other.digest
            && (self.kind != "file" || (self.mode & 0o111 != 0) == (other.mode & 0o111 != 0))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct SavedPath {
    /// The repository-relative path, hex-encoded (paths are bytes).
    pub(super) path: String,
    /// What the user had: restored at the end.
    pub(super) user: State,
    /// The file holding the copy of the user's content, relative to the entry.
    pub(super) copy: String,
    /// Where in `copy` the content is: `(offset, length)` in bytes; absent
    /// (version 1) when the whole file is the copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) range: Option<(u64, u64)>,
    /// What tiergate put there for the run (the index content).
    pub(super) stashed: State,
    /// The index blob (`None` for intent-to-add), for merging formatter fixes.
    pub(super) index_oid: Option<String>,
    pub(super) index_mode: u32,
}

impl SavedPath {
    pub(super) fn path(&self) -> Vec<u8> {
        files::unhex(&self.path).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Manifest {
    pub(super) version: u32,
    pub(super) id: String,
    /// Seconds since the epoch.
    pub(super) created: u64,
    /// The process that made it, and its start time, to tell a live run
    /// from a crashed one.
    pub(super) pid: u32,
    pub(super) pid_start: Option<u64>,
    /// The work tree the paths are relative to (hex).
    pub(super) root: String,
    pub(super) head: Option<String>,
    pub(super) index_tree: Option<String>,
    pub(super) files: Vec<SavedPath>,
    /// Paths left out of `patch.diff` because of their size (hex).
    pub(super) patch_omitted: Vec<String>,
}

impl Manifest {
    pub(super) fn root(&self) -> PathBuf {
        files::rel(&files::unhex(&self.root).unwrap_or_default()).to_path_buf()
    }
}

pub(super) fn recovery_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("recovery")
}

/// A new, unique entry id: sortable by time, with the pid.
pub(super) fn new_id() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("{}-{}", now.as_millis(), std::process::id())
}

pub(super) fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub(super) fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), WorktreeError> {
    let json = serde_json::to_vec_pretty(manifest)
        .map_err(|e| WorktreeError::Io(format!("cannot encode the recovery manifest: {e}")))?;
    files::write_durable(&dir.join(MANIFEST), &json).map_err(|e| {
        WorktreeError::io(format!("cannot write {}", dir.join(MANIFEST).display()), &e)
    })?;
    // The entry's name in recovery/, and recovery/'s in the state dir.
    for parent in dir.ancestors().skip(1).take(2) {
        files::sync_dir(parent);
    }
    Ok(())
}

pub(super) fn read_manifest(dir: &Path) -> Result<Manifest, WorktreeError> {
    let path = dir.join(MANIFEST);
    let bytes = std::fs::read(&path)
        .map_err(|e| WorktreeError::io(format!("cannot read {}", path.display()), &e))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        WorktreeError::Io(format!(
            "{} is not a tiergate manifest: {e}",
            path.display()
        ))
    })
}

/// The saved copy of the user's content of `saved`.
pub(super) fn load_copy(dir: &Path, saved: &SavedPath) -> Result<Content, WorktreeError> {
    let path = dir.join(&saved.copy);
    let read = |p: &Path| -> Result<Vec<u8>, WorktreeError> {
        let error =
            |e: &std::io::Error| WorktreeError::io(format!("cannot read {}", p.display()), e);
        match saved.range {
            None => std::fs::read(p).map_err(|e| error(&e)),
            Some((offset, len)) => {
                use std::io::{Read, Seek};
                let mut file = std::fs::File::open(p).map_err(|e| error(&e))?;
                file.seek(std::io::SeekFrom::Start(offset))
                    .map_err(|e| error(&e))?;
                let len = usize::try_from(len).map_err(|_| {
                    WorktreeError::Io(format!("{} holds an impossible length", p.display()))
                })?;
                let mut bytes = vec![0; len];
                file.read_exact(&mut bytes).map_err(|e| error(&e))?;
                Ok(bytes)
            }
        }
    };
    Ok(match saved.user.kind.as_str() {
        "file" => Content::File {
            bytes: read(&path)?,
            mode: saved.user.mode,
        },
        "symlink" => Content::Symlink {
            target: read(&path)?,
        },
        _ => Content::Absent,
    })
}

/// The start time of process `pid` (clock ticks since boot, from /proc), to
/// tell a live run from a dead one whose pid was reused.
pub(super) fn process_start(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = stat.rsplit_once(')')?.1;
    // Fields after the command name start at field 3 (state); starttime is field 22.
    let fields: Vec<&str> = rest.split_whitespace().collect();
    if fields.first() == Some(&"Z") {
        return None;
    }
    fields.get(19)?.parse().ok()
}

/// Whether the run that made an entry is still going (so it must not be touched).
pub(super) fn owner_alive(pid: u32, start: Option<u64>) -> bool {
    match (process_start(pid), start) {
        (Some(now), Some(then)) => now == then,
        (Some(_), None) => true,
        (None, _) => false,
    }
}
