//! `tiergate history [--flaky] [--trends] [--html FILE]`: what the runs
//! recorded in `<state_dir>/history.jsonl` say, as text or as one page.

use std::path::Path;

use crate::config;
use crate::error::{Error, ExitStatus};
use crate::history;
use crate::report;
use crate::runner;
use crate::state;
use crate::ui;

/// Runs listed without a flag.
const RECENT: usize = 10;

pub(crate) fn run(flaky: bool, trends: bool, html: Option<&Path>) -> Result<ExitStatus, Error> {
    let repo = runner::open_repo()?;
    let config = config::load(repo.root())?;
    let path = history::path(&state::shared_dir(&repo, &config));
    let records = history::read(&path).map_err(|e| {
        Error::new(format!("cannot read the history {}: {e}", path.display()))
            .hint("check the state dir's permissions, or set [settings] state_dir")
    })?;
    if let Some(out) = html {
        let page = report::html::history_page(&records)
            .map_err(|e| Error::new(format!("cannot render the history as HTML: {e}")))?;
        report::html::write(out, &page)
            .map_err(|e| Error::new(format!("cannot write {}: {e}", out.display())))?;
        ui::out(&format!(
            "tiergate: wrote {} ({} runs)",
            out.display(),
            records.len()
        ));
    }
    if !flaky && !trends && html.is_none() {
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
