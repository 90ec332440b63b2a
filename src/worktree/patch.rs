//! The recovery entry's `patch.diff` made in process, for the common case
//! where it is exactly what `git diff-files -p --binary` would describe:
//! plain text files whose index content is checked out unchanged (no
//! filter, end-of-line conversion or `ident` applies to them) and whose
//! work-tree content git would hash as it is. Everything else still gets
//! git's own patch (`stash::write_patch`).
//!
//! Why: `git diff-files -p` was the longest step before the formatters ran
//! (issue 21, S5: ~27 ms for 200 modules, besides the checkout of their
//! index content), and tiergate holds both sides of every diff already.
//!
//! The patch's hunks may align differently from git's where a diff is
//! ambiguous (both are Myers diffs), never in what they change: `git apply`
//! takes either. The `index` line carries the full blob ids (git
//! abbreviates those of text files to 7 or more digits; `git apply` takes
//! any length), and hunk headers carry no function name.

use super::files::{self, Content};

/// Larger files are left to git (its diff has heuristics for long
/// diagonals this one lacks).
const MAX_LEN: usize = 1024 * 1024;

/// Whether the saved path `path` with index mode `index_mode` and the
/// user's content `user` may get an in-process patch, as far as can be
/// told before the index content is read: a regular file both sides with
/// the same executable bit, UTF-8 text git would not call binary, no CR
/// (git's end-of-line conversion on check-in changes only CRs), no `$Id`
/// (what the `ident` attribute rewrites on check-in), and a path git
/// writes unquoted. The caller also checks that the index content was
/// checked out as the blob itself.
pub(super) fn eligible(path: &[u8], index_mode: u32, user: &Content) -> bool {
    let Content::File { bytes, mode } = user else {
        return false;
    };
    let regular = index_mode == 0o100_644 || index_mode == 0o100_755;
    regular
        && (index_mode & 0o111 != 0) == (mode & 0o111 != 0)
        && bytes.len() <= MAX_LEN
        && plain_text(bytes)
        && !path.is_empty()
        && path.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-' | b'+' | b'@' | b',')
        })
}

/// Text the in-process patch can describe as git would: see `eligible`.
pub(super) fn plain_text(bytes: &[u8]) -> bool {
    !files::is_binary(bytes)
        && !bytes.contains(&b'\r')
        && !bytes.windows(3).any(|w| w == b"$Id")
        && std::str::from_utf8(bytes).is_ok()
}

/// One saved path's part of the patch.
pub(super) struct Part<'a> {
    pub(super) path: &'a [u8],
    pub(super) mode: u32,
    pub(super) old: &'a [u8],
    pub(super) old_oid: &'a str,
    pub(super) new: &'a [u8],
    pub(super) new_oid: &'a str,
}

/// Append the `git diff-files -p` text of `part` to `out`; nothing when
/// both sides are the same bytes (a file only stat-dirty). `None` when a
/// side is not text after all.
pub(super) fn append(part: &Part<'_>, out: &mut Vec<u8>) -> Option<()> {
    if part.old == part.new {
        return Some(());
    }
    let old = std::str::from_utf8(part.old).ok()?;
    let new = std::str::from_utf8(part.new).ok()?;
    let path = std::str::from_utf8(part.path).ok()?;
    use std::io::Write;
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .deadline(std::time::Instant::now() + std::time::Duration::from_secs(1))
        .diff_lines(old, new);
    let _ = write!(
        out,
        "diff --git a/{path} b/{path}\nindex {}..{} {:o}\n",
        part.old_oid, part.new_oid, part.mode
    );
    let mut unified = diff.unified_diff();
    unified
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"));
    unified.to_writer(&mut *out).ok()?;
    Some(())
}
