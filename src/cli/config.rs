//! `tiergate config`: check the configuration, print the effective one, or
//! print its JSON Schema.

use crate::config::{self, Source};
use crate::error::{Error, ExitStatus};
use crate::runner;
use crate::ui;

/// The JSON Schema of `.tiergate.toml`, for editors (taplo, Even Better TOML).
pub(crate) fn schema_json() -> String {
    let schema = schemars::schema_for!(config::RawConfig);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

pub(crate) fn run(show_effective: bool, schema: bool) -> Result<ExitStatus, Error> {
    if schema {
        ui::out_raw(schema_json().as_bytes());
        return Ok(ExitStatus::Passed);
    }
    let repo = runner::open_repo()?;
    let config = config::load(repo.root())?;
    if show_effective {
        let header = match &config.source {
            Source::File(path) => format!(
                "# effective tiergate configuration, from {}, every default filled in\n",
                path.display()
            ),
            Source::Embedded(name) => format!(
                "# effective tiergate configuration: the embedded `{name}` preset (no .tiergate.toml), every default filled in\n# `tiergate install` offers to write the preset out.\n"
            ),
        };
        ui::out_raw(header.as_bytes());
        ui::out_raw(config::render_effective(&config).as_bytes());
        return Ok(ExitStatus::Passed);
    }
    let groups: usize = config.stages.iter().map(|s| s.groups.len()).sum();
    let source = match &config.source {
        Source::File(path) => path.display().to_string(),
        Source::Embedded(name) => format!("the embedded {name} preset"),
    };
    ui::out(&format!(
        "config OK: {source}: {} ({}), {}, {}",
        crate::policy::plural(config.stages.len(), "stage"),
        config.stage_names().join(", "),
        crate::policy::plural(groups, "group"),
        crate::policy::plural(config.formatters.len(), "formatter"),
    ));
    for warning in &config.warnings {
        ui::warn(&warning.to_string());
    }
    Ok(ExitStatus::Passed)
}
