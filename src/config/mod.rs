//! `.tiergate.toml`, or the embedded default → a validated, immutable `Config`.
//!
//! Owns reading and checking the configuration; never runs anything. Every
//! check happens at load, so a bad config is refused before any command runs.

mod command;
mod cwd;
mod effective;
mod markers;
mod model;
mod path_filter;
mod presets;
mod project_env;
mod projects;
pub(crate) mod raw;
mod validate;

use std::path::Path;

pub(crate) use command::{Arg, CommandTemplate};
pub(crate) use effective::render as render_effective;
pub(crate) use model::*;
pub(crate) use presets::{detect as detect_preset, Preset, RustTargets};
pub(crate) use project_env::with_project_env;
pub(crate) use raw::RawConfig;
pub(crate) use validate::target;

use crate::error::Error;

pub(crate) const CONFIG_FILE: &str = ".tiergate.toml";

/// Load `.tiergate.toml` from the repository root, or derive the embedded
/// default from the project when there is none.
pub(crate) fn load(root: &Path) -> Result<Config, Error> {
    let path = root.join(CONFIG_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes).map_err(|_| {
                Error::new(format!("{} is not valid UTF-8", path.display()))
                    .hint("save the file as UTF-8 text")
            })?;
            from_root_text(root, &text, model::Source::File(path.clone()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let preset = presets::detect(root);
            from_text(
                &preset.text(),
                Path::new("<embedded default>"),
                model::Source::Embedded(preset.name()),
            )
        }
        Err(e) => Err(Error::new(format!("cannot read {}: {e}", path.display()))
            .hint("check the file's permissions")),
    }
}

/// Parse and validate TOML text; `display` is the name messages use.
pub(crate) fn from_text(
    text: &str,
    display: &Path,
    source: model::Source,
) -> Result<Config, Error> {
    let folder = match &source {
        model::Source::File(path) => path.parent().map(Path::to_path_buf),
        model::Source::Embedded(_) => None,
    };
    let origin = validate::Origin {
        file: display,
        text,
        root: folder.as_deref(),
    };
    let raw = validate::parse(&origin)?;
    validate::validate(&raw, &origin, source, &[])
}

/// The root's `.tiergate.toml`, with its `[projects]` members loaded and
/// folded in.
fn from_root_text(root: &Path, text: &str, source: model::Source) -> Result<Config, Error> {
    let origin = validate::Origin {
        file: Path::new(CONFIG_FILE),
        text,
        root: Some(root),
    };
    let raw = validate::parse(&origin)?;
    let Some(declared) = raw.projects.as_ref() else {
        return validate::validate(&raw, &origin, source, &[]);
    };
    let members = projects::load_members(root, declared, &origin)?;
    let member_stages: Vec<Stage> = members
        .iter()
        .flat_map(|m| m.config.stages.iter().cloned())
        .collect();
    let mut config = validate::validate(&raw, &origin, source, &member_stages)?;
    projects::fold(&mut config, members);
    Ok(config)
}

/// Compile globs with the config's rules (gitignore-like anchoring).
pub(crate) fn compile_globs(patterns: Vec<String>) -> Result<Globs, String> {
    validate::compile_globs(patterns).map_err(|(_, e)| e.to_string())
}
