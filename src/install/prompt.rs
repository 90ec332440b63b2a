//! The onboarding questions of `tiergate install`, asked with dialoguer on a
//! terminal; `--yes` or no terminal takes the defaults and never waits.

use std::io::IsTerminal;

use crate::config::Preset;
use crate::error::Error;

#[derive(Debug, Clone)]
pub(crate) struct InstallChoices {
    pub(crate) hooks: Vec<String>,
    pub(crate) preset: Preset,
    /// Write the preset as `.tiergate.toml` (only offered when there is none).
    pub(crate) write_config: bool,
}

/// Ask, or take the defaults: the `offered` hooks (the three defaults and
/// those the config names), the detected preset, and writing the config
/// when there is none.
pub(crate) fn ask_install(
    detected: Preset,
    has_config: bool,
    hooks: Option<Vec<String>>,
    offered: &[&str],
    yes: bool,
) -> Result<InstallChoices, Error> {
    let defaults = InstallChoices {
        hooks: hooks
            .clone()
            .unwrap_or_else(|| offered.iter().map(|h| (*h).to_owned()).collect()),
        preset: detected.clone(),
        write_config: !has_config,
    };
    if yes {
        return Ok(defaults);
    }
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        // Nobody to ask: take the defaults, and say so, so that a config
        // written by a script is never a surprise.
        let config = if defaults.write_config {
            format!(
                ", the detected `{}` preset written to .tiergate.toml",
                defaults.preset.name()
            )
        } else {
            String::new()
        };
        crate::ui::out(&format!(
            "no terminal to ask on: taking the defaults (hooks: {}{config}); pass --yes to choose the defaults explicitly",
            defaults.hooks.join(", ")
        ));
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
                .items(offered)
                .defaults(&vec![true; offered.len()])
                .interact()
                .map_err(prompt_error)?;
            picked.into_iter().map(|i| offered[i].to_owned()).collect()
        }
    };
    if has_config {
        return Ok(InstallChoices {
            hooks,
            preset: detected,
            write_config: false,
        });
    }
    let presets = menu(&detected);
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

/// The presets offered: the detected one first, then every other kind once
/// (the detected kind is not offered again in its generic form).
fn menu(detected: &Preset) -> Vec<Preset> {
    std::iter::once(detected.clone())
        .chain(
            [
                Preset::Rust {
                    nextest: which::which("cargo-nextest").is_ok(),
                    targets: crate::config::RustTargets {
                        workspace: false,
                        lib: true,
                        bins: true,
                        integration: true,
                    },
                },
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
            ]
            .into_iter()
            .filter(|p| p.name() != detected.name()),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_menu_lists_each_preset_once_the_detected_one_first() {
        let detected = Preset::Node {
            scripts: vec!["test".into()],
        };
        let names: Vec<&str> = menu(&detected).iter().map(Preset::name).collect();
        assert_eq!(names, ["node", "rust", "python", "generic"]);
        assert_eq!(menu(&detected)[0], detected);
    }
}
