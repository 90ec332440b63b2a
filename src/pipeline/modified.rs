//! Groups that edit tracked files during a pre-commit run fail (issue 13):
//! the caller's watch names the files, and they are laid at the door of the
//! group that ran when they were written; when several groups ran side by
//! side at that moment, every one of them is named, with the stage.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use crate::results::{GroupResult, GroupStatus};

/// Tracked files modified since it was last asked (the pre-commit watch).
pub(crate) type Watch = Arc<dyn Fn() -> Result<Vec<Vec<u8>>, String> + Send + Sync>;

/// Whether a group's command ran (so it may have written something).
pub(super) fn ran(result: &GroupResult) -> bool {
    !matches!(result.status, GroupStatus::Skipped | GroupStatus::Cached)
}

/// How many paths a message names before it counts the rest.
const NAMES_SHOWN: usize = 10;

/// Paths for a message: `a.py, b/c.py`; past ten, `..., and 190 more` (a formatter that
/// fixed 200 files must not print a 20 kB line; `git status` lists them all).
pub(crate) fn names(paths: &[Vec<u8>]) -> String {
    let shown: Vec<String> = paths
        .iter()
        .take(NAMES_SHOWN)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    let mut line = shown.join(", ");
    if paths.len() > NAMES_SHOWN {
        line += &format!(", and {} more", paths.len() - NAMES_SHOWN);
    }
    line
}

/// Whether `names(paths)` names every path.
pub(crate) fn names_all(paths: &[Vec<u8>]) -> bool {
    paths.len() <= NAMES_SHOWN
}

/// Fail `result`: it modified `paths`. `beside`: other groups (of `stage
/// fast`, of `stages fast, api:fast`) ran beside it, so it may not have been
/// this one.
pub(super) fn fail(result: &mut GroupResult, paths: &[Vec<u8>], beside: Option<&str>) {
    let line = match beside {
        None => format!("files were modified by this group: {}", names(paths)),
        Some(beside) => format!(
            "files were modified by this group or another of {beside} running beside it: {}",
            names(paths)
        ),
    };
    // A broken run, not a failed test: blocks whatever the failure rate.
    result.status = GroupStatus::Error;
    if !result.output.is_empty() && !result.output.ends_with('\n') {
        result.output.push('\n');
    }
    result.output.push_str(&line);
    result.output.push('\n');
    result.reason = Some(line);
    result.hints.push(
        "its edits are in your work tree: review them, stage what belongs in the commit (`git add -p` leaves your other unstaged work out), and commit again".into(),
    );
    // tiergate sees that a file changed, not who changed it: an editor's
    // autosave during the run looks the same.
    result.hints.push(
        "if an editor or another program wrote them while the hook ran, nothing is wrong with the group: commit again".into(),
    );
}

/// Ask the watch; a watch that cannot answer is a hint on the groups that ran.
pub(super) fn ask(watch: &Watch, groups: &mut [GroupResult]) -> Vec<Vec<u8>> {
    watch().unwrap_or_else(|problem| {
        for group in groups.iter_mut().filter(|g| ran(g)) {
            group.hints.push(format!(
                "tiergate could not check for modified files: {problem}"
            ));
        }
        Vec::new()
    })
}

/// After groups ran side by side: each modified file goes to the groups
/// that were running when it was last written (all that ran, when that is
/// not known). `beside` names their stages: `stage fast`.
pub(super) fn attribute(
    root: &Path,
    beside: &str,
    groups: &mut [GroupResult],
    windows: &[Option<(SystemTime, SystemTime)>],
    paths: &[Vec<u8>],
) {
    let mut by_group: Vec<Vec<Vec<u8>>> = vec![Vec::new(); groups.len()];
    for path in paths {
        let written = std::fs::symlink_metadata(root.join(std::ffi::OsStr::from_bytes(path)))
            .and_then(|m| m.modified())
            .ok();
        let running: Vec<usize> = (0..groups.len())
            .filter(|&i| ran(&groups[i]))
            .filter(|&i| match (written, windows.get(i).copied().flatten()) {
                (Some(at), Some((start, end))) => start <= at && at <= end,
                _ => true,
            })
            .collect();
        let owners = if running.is_empty() {
            (0..groups.len()).filter(|&i| ran(&groups[i])).collect()
        } else {
            running
        };
        for i in owners {
            by_group[i].push(path.clone());
        }
    }
    let sure = paths
        .iter()
        .all(|p| by_group.iter().filter(|g| g.contains(p)).count() == 1);
    for (group, mine) in groups.iter_mut().zip(by_group) {
        if !mine.is_empty() {
            fail(group, &mine, (!sure).then_some(beside));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(n: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| format!("src/m{i}.py").into_bytes())
            .collect()
    }

    #[test]
    fn a_message_names_ten_paths_and_counts_the_rest() {
        assert_eq!(names(&paths(2)), "src/m0.py, src/m1.py");
        let ten = names(&paths(10));
        assert!(ten.ends_with("src/m9.py") && !ten.contains("more"));
        assert!(names_all(&paths(10)));
        let many = names(&paths(200));
        assert!(many.starts_with("src/m0.py, src/m1.py"));
        assert!(many.ends_with("src/m9.py, and 190 more"), "{many}");
        assert!(!many.contains("src/m10.py"));
        assert!(!names_all(&paths(11)));
    }
}
