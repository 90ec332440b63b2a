//! `tiergate recover`, and the crash recovery run before every command:
//! recovery entries left by a killed run are restored and reported.

use std::path::PathBuf;

use crate::error::{Error, ExitStatus};
use crate::git::Repo;
use crate::ui;
use crate::worktree::{self, Recovered, WorktreeError};

/// The state dirs to look in: the configured one when the config loads,
/// else the default inside the git dir. Nothing here may fail the command.
fn state_dir() -> Option<(Repo, PathBuf)> {
    let cwd = std::env::current_dir().ok()?;
    let repo = Repo::discover(&cwd).ok()?;
    // This runs before every command, hooks included: parse the config only
    // when it can move the state dir (issue 7: a few milliseconds in all).
    let configured = std::fs::read_to_string(repo.root().join(crate::config::CONFIG_FILE))
        .is_ok_and(|text| text.contains("state_dir"));
    let dir = match configured.then(|| crate::config::load(repo.root())) {
        Some(Ok(config)) => crate::state::state_dir(&repo, &config),
        Some(Err(_)) | None => repo.git_dir().join("tiergate"),
    };
    Some((repo, dir))
}

fn path_text(path: &[u8]) -> String {
    String::from_utf8_lossy(path).into_owned()
}

fn tell(recovered: &Recovered) {
    if recovered.live {
        return;
    }
    if !recovered.restored.is_empty() {
        ui::warn(&format!(
            "tiergate: restored unstaged changes an interrupted run had stashed (entry {}): {}",
            recovered.id,
            recovered
                .restored
                .iter()
                .map(|p| path_text(p))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for (path, aside) in &recovered.half_written {
        ui::warn(&format!(
            "tiergate: {} was half-written when tiergate was killed; your version is back, and the half-written file is in {}",
            path_text(path),
            aside.display()
        ));
    }
    for (path, aside) in &recovered.fixes_saved {
        ui::warn(&format!(
            "tiergate: formatter changes to {} made before the interruption were rolled back and saved in {}",
            path_text(path),
            aside.display()
        ));
    }
    for (path, beside) in &recovered.kept_both {
        ui::warn(&format!(
            "tiergate: {} changed since an interrupted run stashed it; your current file is kept and the stashed version is in {}",
            path_text(path),
            beside.display()
        ));
    }
}

/// Before every command: restore what a killed run left, and say so.
pub(crate) fn leftovers() {
    let Some((repo, dir)) = state_dir() else {
        return;
    };
    let results = worktree::recover_leftovers(&dir);
    if results.is_empty() {
        // Nothing was restored, so the repository as opened is still what
        // the command would open: hand it over instead of opening it twice.
        crate::runner::keep_opened(repo);
    }
    for result in results {
        match result {
            Ok(recovered) => tell(&recovered),
            Err(e) => ui::error(&e.into_error()),
        }
    }
}

pub(crate) fn run() -> Result<ExitStatus, Error> {
    let (_, dir) = state_dir().ok_or_else(|| {
        Error::new("not inside a git work tree")
            .hint("run `tiergate recover` in the repository whose commit was interrupted")
    })?;
    let entries = worktree::list_entries(&dir);
    if entries.is_empty()
        && worktree::fixes_dirs(&dir).is_empty()
        && worktree::kept_dirs(&dir).is_empty()
    {
        ui::out("tiergate: no stashed work to recover");
    }
    for (id, created, paths, live) in &entries {
        ui::out(&format!(
            "entry {id} (created {}, {}){}:",
            humantime::format_rfc3339_seconds(
                std::time::UNIX_EPOCH + std::time::Duration::from_secs(*created)
            ),
            crate::policy::plural(paths.len(), "file"),
            if *live {
                ", its run is still going: left alone"
            } else {
                ""
            }
        ));
        for path in paths {
            ui::out(&format!("  {}", path_text(path)));
        }
    }
    let mut failed = false;
    for result in worktree::recover_all(&dir) {
        match result {
            Ok(recovered) => {
                tell(&recovered);
                if !recovered.live
                    && recovered.restored.is_empty()
                    && recovered.kept_both.is_empty()
                {
                    ui::out(&format!(
                        "tiergate: entry {}: the files already hold the saved content",
                        recovered.id
                    ));
                }
            }
            Err(e) => {
                failed = true;
                ui::error(&WorktreeError::into_error(e));
            }
        }
    }
    for fixes in worktree::fixes_dirs(&dir) {
        ui::out(&format!(
            "tiergate: formatter fixes rolled back by an earlier run are kept in {} (delete it when done)",
            fixes.display()
        ));
    }
    for kept in worktree::kept_dirs(&dir) {
        ui::out(&format!(
            "tiergate: your unstaged versions of files another program wrote during an earlier run are kept in {} (delete it when done)",
            kept.display()
        ));
    }
    Ok(if failed {
        ExitStatus::Error
    } else {
        ExitStatus::Passed
    })
}
