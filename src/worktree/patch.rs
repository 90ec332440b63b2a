//! The recovery entry's `patch.diff` made in process, for the common case
//! where it is exactly what `git diff-files -p --binary` would describe:
//! text files whose index content is checked out unchanged (no
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
/// the same executable bit, text git would not call binary, no CR
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
        && memchr::memchr(b'\r', bytes).is_none()
        && memchr::memmem::find(bytes, b"$Id").is_none()
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

/// The lines of `bytes`, each with its `\n` (the last one may lack it).
pub(super) fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::with_capacity(bytes.len() / 32 + 1);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes) {
        lines.push(&bytes[start..=end]);
        start = end + 1;
    }
    if start < bytes.len() {
        lines.push(&bytes[start..]);
    }
    lines
}

/// Append the `git diff-files -p` text of `part` to `out`: the headers,
/// then hunks with 3 lines of context (git's default). Nothing when both
/// sides are the same bytes (a file only stat-dirty).
pub(super) fn append(part: &Part<'_>, out: &mut Vec<u8>) {
    if part.old == part.new {
        return;
    }
    let (old, new) = (lines(part.old), lines(part.new));
    let ops = similar::capture_diff_slices_deadline(
        similar::Algorithm::Myers,
        &old,
        &new,
        Some(std::time::Instant::now() + std::time::Duration::from_secs(1)),
    );
    let path = part.path;
    for piece in [
        b"diff --git a/".as_slice(),
        path,
        b" b/",
        path,
        b"\nindex ",
        part.old_oid.as_bytes(),
        b"..",
        part.new_oid.as_bytes(),
        format!(" {:o}\n--- a/", part.mode).as_bytes(),
        path,
        b"\n+++ b/",
        path,
        b"\n",
    ] {
        out.extend_from_slice(piece);
    }
    for hunk in similar::group_diff_ops(ops, 3) {
        let (Some(first), Some(last)) = (hunk.first(), hunk.last()) else {
            continue;
        };
        let range = |start: usize, end: usize| {
            // An empty range names the line before it, as diff does.
            match end - start {
                1 => format!("{}", start + 1),
                0 => format!("{start},0"),
                len => format!("{},{len}", start + 1),
            }
        };
        out.extend_from_slice(
            format!(
                "@@ -{} +{} @@\n",
                range(first.old_range().start, last.old_range().end),
                range(first.new_range().start, last.new_range().end)
            )
            .as_bytes(),
        );
        let mut put = |sign: u8, line: &[u8]| {
            out.push(sign);
            out.extend_from_slice(line);
            if !line.ends_with(b"\n") {
                out.extend_from_slice(b"\n\\ No newline at end of file\n");
            }
        };
        for op in &hunk {
            let (tag, old_range, new_range) = op.as_tag_tuple();
            match tag {
                similar::DiffTag::Equal => old[old_range].iter().for_each(|l| put(b' ', l)),
                similar::DiffTag::Delete => old[old_range].iter().for_each(|l| put(b'-', l)),
                similar::DiffTag::Insert => new[new_range].iter().for_each(|l| put(b'+', l)),
                similar::DiffTag::Replace => {
                    old[old_range].iter().for_each(|l| put(b'-', l));
                    new[new_range].iter().for_each(|l| put(b'+', l));
                }
            }
        }
    }
}
