//! `tiergate history [--flaky] [--trends]`: what the runs recorded in
//! `<state_dir>/history.jsonl` say.

use crate::config;
use crate::error::{Error, ExitStatus};
use crate::history;
use crate::report;
use crate::runner;
use crate::state;
use crate::ui;

/// Runs listed without a flag.
const RECENT: usize = 10;

pub(crate) fn run(flaky: bool, trends: bool) -> Result<ExitStatus, Error> {
    let repo = runner::open_repo()?;
    let config = config::load(repo.root())?;
    let path = history::path(&state::shared_dir(&repo, &config));
    let records = history::read(&path).map_err(|e| {
        Error::new(format!("cannot read the history {}: {e}", path.display()))
            .hint("check the state dir's permissions, or set [settings] state_dir")
    })?;
    if !flaky && !trends {
        ui::out(&report::recent_runs(&records, RECENT));
    }
    if flaky {
        ui::out(&report::flaky_table(
            &history::flaky_tests(&records),
            &history::changed_with_inputs(&records),
        ));
    }
    if trends {
        ui::out(&report::trends_table(&history::stage_trends(&records)));
    }
    Ok(ExitStatus::Passed)
}
