//! `fix = "restage"`: the formatters' changes added to the index, and only
//! those (the user's unstaged work is still stashed while this runs).

use std::ffi::{OsStr, OsString};

use super::files;
use super::stash::Stash;
use super::{lock, WorktreeError};

/// `git add` the formatter-changed `paths`. Runs while the stash holds the
/// user's unstaged work aside, so the work tree holds exactly index content
/// plus the formatters' fixes.
pub(crate) fn restage(
    stash: &Stash,
    git_dir: &std::path::Path,
    paths: &[Vec<u8>],
) -> Result<(), WorktreeError> {
    if paths.is_empty() {
        return Ok(());
    }
    lock::wait_for_index(&lock::index_path(&stash.root, git_dir))?;
    // Chunked so a long list never meets the argument limit.
    for chunk in paths.chunks(500) {
        let mut args: Vec<OsString> = vec!["add".into(), "--".into()];
        args.extend(chunk.iter().map(|p| files::os(p)));
        let refs: Vec<&OsStr> = args.iter().map(OsString::as_os_str).collect();
        super::git_cli::output(&stash.root, &refs)?;
    }
    Ok(())
}
