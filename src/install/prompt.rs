//! The onboarding questions of `tiergate install`, asked with dialoguer on a
//! terminal; `--yes` or no terminal takes the defaults and never waits.

use std::io::IsTerminal;

use crate::config::Preset;
use crate::error::Error;

use super::HOOK_NAMES;

#[derive(Debug, Clone)]
pub(crate) struct InstallChoices {
    pub(crate) hooks: Vec<String>,
    pub(crate) preset: Preset,
    /// Write the preset as `.tiergate.toml` (only offered when there is none).
    pub(crate) write_config: bool,
}

/// Ask, or take the defaults: every hook, the detected preset, and writing
/// the config when there is none.
pub(crate) fn ask_install(
    detected: Preset,
    has_config: bool,
    hooks: Option<Vec<String>>,
    yes: bool,
) -> Result<InstallChoices, Error> {
    let defaults = InstallChoices {
        hooks: hooks
            .clone()
            .unwrap_or_else(|| HOOK_NAMES.iter().map(|h| (*h).to_owned()).collect()),
        preset: detected.clone(),
        write_config: !has_config,
    };
    if yes || !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(defaults);
    }
    let theme = dialoguer::theme::SimpleTheme;
    let prompt_error = |e: dialoguer::Error| {
        Error::new(format!("the prompt failed: {e}"))
            .hint("run `tiergate install --yes` to take the defaults")
    };
    let hooks = match hooks {
        Some(h) => h,
        None => {
            let picked = dialoguer::MultiSelect::with_theme(&theme)
                .with_prompt("Hooks to install (space to toggle, enter to accept)")
                .items(HOOK_NAMES)
                .defaults(&[true, true, true])
                .interact()
                .map_err(prompt_error)?;
            picked
                .into_iter()
                .map(|i| HOOK_NAMES[i].to_owned())
                .collect()
        }
    };
    if has_config {
        return Ok(InstallChoices {
            hooks,
            preset: detected,
            write_config: false,
        });
    }
    let presets = [
        detected.clone(),
        Preset::Rust { nextest: false },
        Preset::Python {
            black: true,
            ruff: true,
            markers: Vec::new(),
            tests_folder: false,
        },
        Preset::Node {
            scripts: vec!["lint".into(), "test".into()],
        },
        Preset::Generic,
    ];
    let labels: Vec<String> = presets
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i == 0 {
                format!("{} (detected)", p.name())
            } else {
                p.name().to_owned()
            }
        })
        .collect();
    let choice = dialoguer::Select::with_theme(&theme)
        .with_prompt("Preset for the tiers")
        .items(&labels)
        .default(0)
        .interact()
        .map_err(prompt_error)?;
    let write_config = dialoguer::Confirm::with_theme(&theme)
        .with_prompt("Write it to .tiergate.toml so you can edit and commit it?")
        .default(true)
        .interact()
        .map_err(prompt_error)?;
    Ok(InstallChoices {
        hooks,
        preset: presets[choice].clone(),
        write_config,
    })
}
