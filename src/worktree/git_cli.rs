//! Running the `git` command line for the content operations where git's
//! own filters (autocrlf, attributes) and index rules must apply exactly.

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::git::VerbatimCheckout;

use super::WorktreeError;

/// A `git` command run at the work-tree root, with the environment git gave
/// us (so `GIT_INDEX_FILE` and `GIT_DIR` are honoured) and literal pathspecs,
/// so a file named `*.py` is that file and nothing else.
pub(super) fn command(root: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(root)
        .env(crate::env::GIT_LITERAL_PATHSPECS, "1")
        .env(crate::env::GIT_OPTIONAL_LOCKS, "0")
        .stdin(Stdio::null());
    cmd
}

/// Run git with `args`, returning stdout; a non-zero exit is an error.
pub(super) fn output(root: &Path, args: &[&OsStr]) -> Result<Vec<u8>, WorktreeError> {
    output_with(command(root), args, None)
}

pub(super) fn output_with(
    mut cmd: Command,
    args: &[&OsStr],
    stdin: Option<&[u8]>,
) -> Result<Vec<u8>, WorktreeError> {
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let describe = || {
        args.iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut child = cmd.spawn().map_err(|e| WorktreeError::Git {
        args: describe(),
        stderr: e.to_string(),
    })?;
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // Written from a thread so a large input never deadlocks against a full stdout pipe.
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    let out = child.wait_with_output().map_err(|e| WorktreeError::Git {
        args: describe(),
        stderr: e.to_string(),
    })?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(WorktreeError::Git {
            args: describe(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        })
    }
}

/// One line of `git diff-files --raw -z`: a tracked path whose work-tree
/// state may differ from the index (`U` for unmerged, besides the statuses
/// the in-process listing gives).
pub(super) use crate::git::MaybeUnstaged as Unstaged;

/// Tracked paths whose work tree differs from the index at `index` (stat-dirty
/// paths included: saving and restoring identical bytes is harmless).
/// Submodules are left out: tiergate never touches them.
///
/// Read in-process (the index parsed, an `fstatat` per entry) when tiergate's
/// reader takes the index; else, and for a conflicted index, `git diff-files`.
pub(super) fn unstaged(root: &Path, index: &Path) -> Result<Vec<Unstaged>, WorktreeError> {
    match crate::git::list_unstaged(root, index) {
        Some(listed) => Ok(listed),
        None => diff_files(root),
    }
}

/// `unstaged` by `git diff-files --raw`.
fn diff_files(root: &Path) -> Result<Vec<Unstaged>, WorktreeError> {
    let out = output(
        root,
        &[
            OsStr::new("diff-files"),
            OsStr::new("--raw"),
            OsStr::new("-z"),
            OsStr::new("--no-renames"),
            OsStr::new("--ignore-submodules=all"),
        ],
    )?;
    let mut fields = out.split(|&b| b == 0);
    let mut found = Vec::new();
    while let Some(meta) = fields.next() {
        if meta.is_empty() {
            continue;
        }
        let Some(path) = fields.next() else { break };
        // ":100644 100644 <oid> <oid> M"
        let meta = String::from_utf8_lossy(meta);
        let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        if parts.len() < 5 {
            continue;
        }
        let index_mode = u32::from_str_radix(parts[0], 8).unwrap_or(0);
        // Gitlinks are submodules: left alone.
        if index_mode == 0o160_000 {
            continue;
        }
        found.push(Unstaged {
            path: path.to_vec(),
            index_mode,
            index_oid: parts[2].to_owned(),
            status: parts[4].as_bytes().first().copied().unwrap_or(b'M'),
        });
    }
    Ok(found)
}

/// One blob to read as a checkout would write it: the index entry's mode
/// (`0o120000` for a symlink), its blob id and its repository path.
#[derive(Debug, Clone, Copy)]
pub(super) struct Blob<'a> {
    pub(super) mode: u32,
    pub(super) oid: &'a str,
    pub(super) path: &'a [u8],
}

/// The content git would check out for each of `blobs` (smudge filters,
/// `core.autocrlf` and `.gitattributes` applied); a symlink's content is its
/// target, raw. Two git processes whatever the number of blobs: the exact
/// `(mode, oid, path)` entries go into a temporary index (so the saved blob
/// ids are used, never the live index), which `git checkout-index` writes
/// under a temporary folder, applying the filters exactly as a checkout does.
///
/// With `verbatim` (nothing in the repository's config or attribute files
/// converts a blob on checkout), the blobs are read in process, unless a
/// `.gitattributes` of the work tree may apply to one of the paths.
pub(super) fn blobs_for_worktree(
    root: &Path,
    blobs: &[Blob<'_>],
    verbatim: Option<&VerbatimCheckout>,
) -> Result<Vec<Vec<u8>>, WorktreeError> {
    Ok(blobs_as_checked_out(root, blobs, verbatim)?.0)
}

/// `blobs_for_worktree`, and whether the bytes are the blobs' own (read in
/// process, so each one's blob id is the id it was read by).
pub(super) fn blobs_as_checked_out(
    root: &Path,
    blobs: &[Blob<'_>],
    verbatim: Option<&VerbatimCheckout>,
) -> Result<(Vec<Vec<u8>>, bool), WorktreeError> {
    if blobs.is_empty() {
        return Ok((Vec::new(), false));
    }
    if let Some(read) = verbatim.and_then(|v| read_verbatim(v, blobs)) {
        return Ok((read, true));
    }
    // In memory first; a tmpfs too small for the content falls back to disk.
    let shm = scratch_dir("tiergate-blobs-")?;
    match checkout_blobs(root, blobs, shm.path()) {
        Ok(found) => Ok((found, false)),
        Err(_) if !shm.path().starts_with(std::env::temp_dir()) => {
            drop(shm);
            let disk = tempfile::Builder::new()
                .prefix("tiergate-blobs-")
                .tempdir()
                .map_err(|e| WorktreeError::io("cannot create a temporary folder", &e))?;
            Ok((checkout_blobs(root, blobs, disk.path())?, false))
        }
        Err(e) => Err(e),
    }
}

fn read_verbatim(verbatim: &VerbatimCheckout, blobs: &[Blob<'_>]) -> Option<Vec<Vec<u8>>> {
    let ids: Vec<(git2::Oid, &[u8])> = blobs
        .iter()
        .map(|b| Some((git2::Oid::from_str(b.oid).ok()?, b.path)))
        .collect::<Option<_>>()?;
    verbatim.read(&ids)
}

fn checkout_blobs(
    root: &Path,
    blobs: &[Blob<'_>],
    tmp: &Path,
) -> Result<Vec<Vec<u8>>, WorktreeError> {
    let index = tmp.join("index");
    let out = tmp.join("out");
    let mut info = Vec::new();
    let mut list = Vec::new();
    for blob in blobs {
        info.extend_from_slice(format!("{:o} {}\t", blob.mode, blob.oid).as_bytes());
        info.extend_from_slice(blob.path);
        info.push(0);
        list.extend_from_slice(blob.path);
        list.push(0);
    }
    let mut cmd = command(root);
    cmd.env(crate::env::GIT_INDEX_FILE, &index);
    output_with(
        cmd,
        &[
            OsStr::new("update-index"),
            OsStr::new("-z"),
            OsStr::new("--index-info"),
        ],
        Some(&info),
    )?;
    let mut prefix = OsStr::new("--prefix=").to_owned();
    prefix.push(out.as_os_str());
    prefix.push("/");
    let mut cmd = command(root);
    cmd.env(crate::env::GIT_INDEX_FILE, &index);
    // Without `-u`, checkout-index never writes an index; with a prefix it
    // never writes the work tree.
    output_with(
        cmd,
        &[
            OsStr::new("checkout-index"),
            OsStr::new("-z"),
            &prefix,
            OsStr::new("--stdin"),
        ],
        Some(&list),
    )?;
    blobs
        .iter()
        .map(|blob| {
            let path = out.join(super::files::rel(blob.path));
            let content = super::files::read(&path)
                .map_err(|e| WorktreeError::io(format!("cannot read {}", path.display()), &e))?;
            match content {
                super::files::Content::File { bytes, .. } => Ok(bytes),
                // With `core.symlinks = false` a symlink is checked out as a
                // file holding its target: the same bytes either way.
                super::files::Content::Symlink { target } => Ok(target),
                super::files::Content::Absent | super::files::Content::Other => {
                    Err(WorktreeError::Io(format!(
                        "git checkout-index did not write {}",
                        String::from_utf8_lossy(blob.path)
                    )))
                }
            }
        })
        .collect()
}

/// A temporary folder for content that only passes through: in memory
/// (`/dev/shm`) where there is one, as writing a thousand small files there
/// costs a third of what it does on a journaled disk; else the temp dir.
pub(super) fn scratch_dir(prefix: &str) -> Result<tempfile::TempDir, WorktreeError> {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(dir) = tempfile::Builder::new().prefix(prefix).tempdir_in(shm) {
            return Ok(dir);
        }
    }
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .map_err(|e| WorktreeError::io("cannot create a temporary folder", &e))
}
