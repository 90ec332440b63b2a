//! `tiergate install` and `tiergate uninstall`.

use crate::config::{self, CONFIG_FILE};
use crate::error::{Error, ExitStatus};
use crate::install::{self, ShimChange};
use crate::runner;
use crate::ui;

pub(crate) struct InstallRequest {
    pub(crate) hooks: Option<Vec<String>>,
    pub(crate) yes: bool,
    pub(crate) force: bool,
}

fn describe(change: &ShimChange) -> String {
    match change {
        ShimChange::Created => "installed".into(),
        ShimChange::Updated => "updated".into(),
        ShimChange::Unchanged => "already installed, unchanged".into(),
        ShimChange::Chained(path) => format!(
            "installed; your existing hook runs first, kept at {}",
            path.display()
        ),
        ShimChange::Replaced(path) => format!(
            "installed over your hook (--force); it is kept at {}",
            path.display()
        ),
        ShimChange::Removed => "removed".into(),
        ShimChange::Restored => "removed; your own hook is back in place".into(),
        ShimChange::NotInstalled => "not installed".into(),
        ShimChange::Foreign => "not tiergate's, left alone".into(),
    }
}

pub(crate) fn install(request: &InstallRequest) -> Result<ExitStatus, Error> {
    let repo = runner::open_repo()?;
    let root = repo.root().to_path_buf();
    let has_config = root.join(CONFIG_FILE).is_file();
    let detected = config::detect_preset(&root);
    if let Some(hooks) = &request.hooks {
        for hook in hooks {
            if crate::hooks::HookKind::from_name(hook).is_none() {
                return Err(Error::new(format!("unknown hook `{hook}`")).hint(
                    crate::error::unknown_name_hint("hooks", hook, &crate::hooks::names()),
                ));
            }
        }
    }
    // The three defaults and every hook the config names. A config that does
    // not load is refused below, before anything is written.
    let mut offered = crate::hooks::default_names();
    if has_config {
        if let Ok(config) = config::load(&root) {
            for kind in config.hooks.named {
                if !offered.contains(&kind.as_str()) {
                    offered.push(kind.as_str());
                }
            }
        }
    }
    let choices = install::ask_install(
        detected,
        has_config,
        request.hooks.clone(),
        &offered,
        request.yes,
    )?;

    // Check the config before touching anything: a broken one is refused
    // with the repository as it was.
    if has_config {
        config::load(&root)?;
    }
    let binary = std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .map_err(|e| Error::new(format!("cannot find tiergate's own path: {e}")))?;
    let hooks_dir = repo
        .hooks_dir()
        .map_err(|e| crate::changes::git_error(&e))?;
    let hook_names: Vec<&str> = choices.hooks.iter().map(String::as_str).collect();

    // Sub-projects: only when the root's config is written now; an existing
    // one is the user's to edit.
    let members = if choices.write_config && !has_config {
        let tracked = repo.tracked_files().unwrap_or_default();
        let found = install::members::detect(&tracked);
        if !found.is_empty() && install::members::ask(&found, request.yes)? {
            found
        } else {
            Vec::new()
        }
    } else {
        Vec::new()
    };
    if !members.is_empty() {
        write_member_configs(&root, &members)?;
    }
    if choices.write_config && !has_config {
        let mut text = choices.preset.text();
        if !members.is_empty() {
            let own = install::members::projects_table(&members);
            // Nothing of its own to check at the root: only the members.
            text = if matches!(choices.preset, config::Preset::Generic) {
                own
            } else {
                format!("{own}\n{text}")
            };
        }
        config::from_text(
            &text,
            std::path::Path::new(CONFIG_FILE),
            config::Source::Embedded(choices.preset.name()),
        )?;
        crate::state::write_atomic_as(
            &root.join(CONFIG_FILE),
            text.as_bytes(),
            crate::state::FileMode::User,
        )
        .map_err(|e| Error::new(format!("cannot write {CONFIG_FILE}: {e}")))?;
        ui::out(&format!(
            "wrote {CONFIG_FILE} ({} preset): edit it, then commit it",
            choices.preset.name()
        ));
    } else if !has_config {
        ui::out(&format!("no {CONFIG_FILE}: the embedded {} preset applies (see `tiergate config --show-effective`)", choices.preset.name()));
    }
    // A hooks folder inside the work tree (husky style) is committed and
    // shared: its shims must not name a path of this machine.
    let tracked = tracked_hooks_folder(&repo, &hooks_dir);
    if let Some(folder) = &tracked {
        ui::out(&format!(
            "{} is inside the work tree: the shims will be committed with it, so they run `tiergate` from PATH",
            folder.display()
        ));
    }
    let recorded = if tracked.is_some() {
        None
    } else {
        Some(binary.as_path())
    };
    let changes = install::install_hooks(&hooks_dir, &hook_names, recorded, request.force)?;
    for (hook, change) in &changes {
        ui::out(&format!("{hook}: {}", describe(change)));
    }
    ui::out(&format!("hooks directory: {}", hooks_dir.display()));
    if changes.iter().all(|(_, c)| *c == ShimChange::Unchanged) {
        ui::out("nothing changed");
    }
    Ok(ExitStatus::Passed)
}

/// One `.tiergate.toml` per member, from the preset its own files suggest;
/// a member that has one keeps it. Every text is checked before any is written.
fn write_member_configs(root: &std::path::Path, members: &[String]) -> Result<(), Error> {
    let mut texts = Vec::new();
    for member in members {
        let dir = root.join(member);
        if dir.join(CONFIG_FILE).exists() {
            continue;
        }
        let preset = config::detect_preset(&dir);
        let text = preset.text();
        let display = std::path::Path::new(member).join(CONFIG_FILE);
        config::from_text(&text, &display, config::Source::Embedded(preset.name()))?;
        texts.push((member, display, preset.name(), text));
    }
    for (member, display, preset, text) in texts {
        crate::state::write_atomic_as(
            &root.join(&display),
            text.as_bytes(),
            crate::state::FileMode::User,
        )
        .map_err(|e| Error::new(format!("cannot write {}: {e}", display.display())))?;
        ui::out(&format!(
            "wrote {} ({preset} preset) for the sub-project `{member}`",
            display.display()
        ));
    }
    Ok(())
}

/// The hooks folder relative to the work tree, when git's hooks directory is
/// inside the work tree and not ignored (so its files are committed).
fn tracked_hooks_folder(
    repo: &crate::git::Repo,
    hooks_dir: &std::path::Path,
) -> Option<std::path::PathBuf> {
    let root = std::fs::canonicalize(repo.root()).ok()?;
    // The folder may not exist yet: resolve its nearest existing ancestor.
    let mut existing = hooks_dir;
    let mut rest = Vec::new();
    while !existing.exists() {
        rest.push(existing.file_name()?);
        existing = existing.parent()?;
    }
    let mut full = std::fs::canonicalize(existing).ok()?;
    full.extend(rest.iter().rev());
    let inside = full.strip_prefix(&root).ok()?.to_path_buf();
    if inside.as_os_str().is_empty() || inside.starts_with(".git") {
        return None;
    }
    let ignored = repo
        .raw()
        .is_path_ignored(inside.join("pre-commit"))
        .unwrap_or(false);
    (!ignored).then_some(inside)
}

pub(crate) fn uninstall() -> Result<ExitStatus, Error> {
    let repo = runner::open_repo()?;
    let hooks_dir = repo
        .hooks_dir()
        .map_err(|e| crate::changes::git_error(&e))?;
    for (hook, change) in install::uninstall_hooks(&hooks_dir)? {
        ui::out(&format!("{hook}: {}", describe(&change)));
    }
    Ok(ExitStatus::Passed)
}
