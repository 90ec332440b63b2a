//! `tiergate export github|gitlab`: write the CI configuration generated from the config.

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

pub(crate) fn github(output: &Path, shards: Option<u32>) -> Result<ExitStatus, Error> {
    let repo = runner::open_repo()?;
    let config = config::load(repo.root())?;
    let install = if is_tiergate(repo.root()) {
        Install::FromCheckout
    } else {
        Install::FromCrates
    };
    let (text, jobs) = match shards {
        Some(n) => (
            crate::export::sharded::workflow(&config, install, n as usize),
            "sharded jobs".to_owned(),
        ),
        None => (
            github::workflow(&config, install),
            crate::policy::plural(config.stages.len() + 1, "job"),
        ),
    };
    write(
        &repo,
        output,
        Path::new(".github/workflows/ci-tiered.yml"),
        &text,
        &jobs,
    )
}

/// `tiergate export gitlab`: the `.gitlab-ci.yml` of the same tiers.
pub(crate) fn gitlab(output: &Path, shards: u32) -> Result<ExitStatus, Error> {
    let repo = runner::open_repo()?;
    let config = config::load(repo.root())?;
    let text = crate::export::gitlab::pipeline(&config, shards as usize);
    let jobs = format!("a job per group, {shards} shard(s) each for {{tests}}/{{files}} groups,");
    write(&repo, output, Path::new(".gitlab-ci.yml"), &text, &jobs)
}

/// Write `text` to `output` (`-`: stdout). The default path is the
/// repository's; a path given is the user's, from the current folder.
fn write(
    repo: &crate::git::Repo,
    output: &Path,
    default: &Path,
    text: &str,
    jobs: &str,
) -> Result<ExitStatus, Error> {
    if output == Path::new("-") {
        ui::out_raw(text.as_bytes());
        return Ok(ExitStatus::Passed);
    }
    let path = if output == default {
        repo.root().join(output)
    } else {
        output.to_path_buf()
    };
    crate::state::write_atomic_as(&path, text.as_bytes(), crate::state::FileMode::User)
        .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))?;
    ui::out(&format!(
        "tiergate: wrote {} ({jobs} from {})",
        path.display(),
        crate::config::CONFIG_FILE
    ));
    Ok(ExitStatus::Passed)
}
