//! `tiergate export github`: write the workflow generated from the config.

use std::path::Path;

use crate::config;
use crate::error::{Error, ExitStatus};
use crate::export::github::{self, Install};
use crate::runner;
use crate::ui;

/// Whether the repository is tiergate itself: its root manifest's package.
fn is_tiergate(root: &Path) -> bool {
    std::fs::read_to_string(root.join("Cargo.toml"))
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .and_then(|t| t.get("package")?.get("name")?.as_str().map(str::to_owned))
        .is_some_and(|name| name == "tiergate")
}

pub(crate) fn github(output: &Path) -> Result<ExitStatus, Error> {
    let repo = runner::open_repo()?;
    let config = config::load(repo.root())?;
    let install = if is_tiergate(repo.root()) {
        Install::FromCheckout
    } else {
        Install::FromCrates
    };
    let text = github::workflow(&config, install);
    if output == Path::new("-") {
        ui::out_raw(text.as_bytes());
        return Ok(ExitStatus::Passed);
    }
    // The default path is the repository's; a path given is the user's, from here.
    let path = if output.is_relative() && output == Path::new(".github/workflows/ci-tiered.yml") {
        repo.root().join(output)
    } else {
        output.to_path_buf()
    };
    crate::state::write_atomic_as(&path, text.as_bytes(), crate::state::FileMode::User)
        .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))?;
    ui::out(&format!(
        "tiergate: wrote {} ({} from {})",
        path.display(),
        crate::policy::plural(config.stages.len() + 1, "job"),
        crate::config::CONFIG_FILE
    ));
    Ok(ExitStatus::Passed)
}
