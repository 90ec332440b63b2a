//! Running the `git` command line for the content operations where git's
//! own filters (autocrlf, attributes) and index rules must apply exactly.

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

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
/// state may differ from the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Unstaged {
    pub(super) path: Vec<u8>,
    /// The index entry's mode (0 for an intent-to-add entry).
    pub(super) index_mode: u32,
    pub(super) index_oid: String,
    /// `M`, `D`, `A` (intent-to-add), `T`, `U` (unmerged).
    pub(super) status: u8,
}

/// Tracked paths whose work tree differs from the index (stat-dirty paths
/// included: saving and restoring identical bytes is harmless). Submodules
/// are left out: tiergate never touches them.
pub(super) fn unstaged(root: &Path) -> Result<Vec<Unstaged>, WorktreeError> {
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

/// The content git would check out for blob `oid` at `path` (smudge and
/// autocrlf applied); symlink blobs are returned raw (their target).
pub(super) fn blob_for_worktree(
    root: &Path,
    oid: &str,
    path: &[u8],
    symlink: bool,
) -> Result<Vec<u8>, WorktreeError> {
    if symlink {
        return output(
            root,
            &[OsStr::new("cat-file"), OsStr::new("blob"), OsStr::new(oid)],
        );
    }
    let mut arg = b"--path=".to_vec();
    arg.extend_from_slice(path);
    let arg = super::files::os(&arg);
    output(
        root,
        &[
            OsStr::new("cat-file"),
            OsStr::new("--filters"),
            &arg,
            OsStr::new(oid),
        ],
    )
}
