//! The formatters' input files as they found them, read before they run:
//! a file that matched its index entry then and holds the same bytes after
//! is unchanged, which spares asking git for the index content of every
//! file a formatter touched (issue 7, S4: 1,000 files checked out again to
//! a temporary folder cost more than the stash itself).

use std::collections::HashMap;
use std::path::Path;

use super::files::{self, Content};

/// How many bytes of input files are kept in memory; a file past the budget
/// is compared with its index content instead, as before.
const BUDGET: usize = 64 * 1024 * 1024;

/// The content of each readable path of `paths` (repository-relative) under
/// `root`, within `BUDGET`, read on every core.
pub(super) fn read(root: &Path, paths: &[&[u8]]) -> HashMap<Vec<u8>, Content> {
    if paths.is_empty() {
        return HashMap::new();
    }
    let workers = std::thread::available_parallelism()
        .map_or(2, std::num::NonZeroUsize::get)
        .clamp(1, 8);
    let chunk = paths.len().div_ceil(workers);
    let share = BUDGET / workers;
    std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|part| scope.spawn(move || read_within(root, part, share)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// Those of `paths` that fit in `budget` bytes, in order; a file too large
/// for what is left is never read, and an unreadable one is left out.
fn read_within(root: &Path, paths: &[&[u8]], budget: usize) -> Vec<(Vec<u8>, Content)> {
    let mut left = budget;
    let mut found = Vec::new();
    for path in paths {
        let full = root.join(files::rel(path));
        if let Ok(Some(content)) = files::read_within(&full, left) {
            left = left.saturating_sub(content.len());
            found.push((path.to_vec(), content));
        }
    }
    found
}
