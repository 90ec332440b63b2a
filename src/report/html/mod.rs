//! The HTML report: one self-contained page (its style inline, charts as
//! inline SVG, no script, nothing fetched) of a run (`report --format html`,
//! `ci-full --html`) or of the history (`history --html`).
//!
//! Pages are askama templates in this folder; every value reaches the page
//! through the template's HTML escaping, so a command's output shows as text
//! and never becomes markup. Owns no data: it renders a `Report` or history
//! records it is given.
//!
//! - `run.rs`: the page of a run, from its JSON report
//! - `history.rs`: the page of the history
//! - `chart.rs`: the SVG charts

mod chart;
mod history;
mod run;

use std::path::Path;

use askama::Template;

use super::json::Report;
use crate::history::Record;

/// The page of `reports`, each in its own section.
pub(crate) fn run_page(reports: &[Report]) -> Result<String, askama::Error> {
    run::page(reports).render()
}

/// The page of the history's `records` (oldest first).
pub(crate) fn history_page(records: &[Record]) -> Result<String, askama::Error> {
    history::page(records).render()
}

/// An RFC 3339 UTC stamp as people read it: `2026-11-24 10:00:00 UTC`.
fn when(stamp: &str) -> String {
    match stamp.strip_suffix('Z') {
        Some(utc) if utc.len() == 19 && utc.as_bytes()[10] == b'T' => {
            format!("{} {} UTC", &utc[..10], &utc[11..])
        }
        _ => stamp.to_owned(),
    }
}

/// Write a page atomically, with the mode the umask gives.
pub(crate) fn write(path: &Path, page: &str) -> std::io::Result<()> {
    crate::state::write_atomic(path, page.as_bytes())
}
