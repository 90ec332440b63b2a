//! `tiergate report FILE...`: render saved JSON reports as text, JSON,
//! Markdown, JUnit or one HTML page (`-o FILE` writes it to a file); with
//! `--merge OUT`, combine the per-group reports of a distributed run into
//! one, its gates and verdict recomputed.

use std::path::Path;

use super::args::{ReportArgs, ReportFormat};
use crate::config;
use crate::error::{Error, ExitStatus};
use crate::report::{self, json::PartReport, json::Report};
use crate::ui;

fn read(path: &Path) -> Result<Report, Error> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::new(format!("cannot read the report {}: {e}", path.display())))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::new(format!(
            "{} is not a tiergate JSON report: {e}",
            path.display()
        ))
        .hint("reports come from `tiergate run --save-report FILE` or `tiergate ci-full --save-report FILE`")
    })
}

fn render(report: &Report, format: ReportFormat) -> Result<String, Error> {
    Ok(match format {
        ReportFormat::Text => report::render::text(report),
        ReportFormat::Markdown => report::render::markdown(report),
        ReportFormat::Json => {
            let mut text = serde_json::to_string_pretty(report)
                .map_err(|e| Error::new(format!("cannot render the report as JSON: {e}")))?;
            text.push('\n');
            text
        }
        ReportFormat::Junit => {
            let bytes = report::render::junit(report)
                .map_err(|e| Error::new(format!("cannot render the report as JUnit: {e}")))?;
            String::from_utf8_lossy(&bytes).into_owned()
        }
        ReportFormat::Html => html(std::slice::from_ref(report))?,
    })
}

/// One page for all the reports: a page per file would leave all but one unseen.
fn html(reports: &[Report]) -> Result<String, Error> {
    report::html::run_page(reports)
        .map_err(|e| Error::new(format!("cannot render the report as HTML: {e}")))
}

/// Print the rendering, or write it to `--output`.
fn emit(text: &str, output: Option<&Path>) -> Result<(), Error> {
    let Some(path) = output else {
        ui::out_raw(text.as_bytes());
        return Ok(());
    };
    crate::state::write_atomic(path, text.as_bytes())
        .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))?;
    ui::out(&format!("tiergate: wrote {}", path.display()));
    Ok(())
}

/// What each merged report was, for the merged page: a report that is itself
/// a merge gives its own parts.
fn parts(reports: &[Report], files: &[std::path::PathBuf]) -> Vec<PartReport> {
    reports
        .iter()
        .zip(files)
        .flat_map(|(report, file)| {
            if report.parts.is_empty() {
                vec![PartReport::of(report, &file.display().to_string())]
            } else {
                report.parts.clone()
            }
        })
        .collect()
}

/// The config that re-applies the gates of a merge: this repository's, when
/// the command runs in one; else the reports' own judgements stand.
fn merge_config() -> Option<config::Config> {
    let repo = crate::runner::open_repo().ok()?;
    match config::load(repo.root()) {
        Ok(config) => Some(config),
        Err(e) => {
            ui::warn(&format!(
                "the gates are not re-applied: {}",
                e.headline.trim_start_matches("error: ")
            ));
            None
        }
    }
}

pub(crate) fn run(args: &ReportArgs) -> Result<ExitStatus, Error> {
    let reports = args
        .files
        .iter()
        .map(|p| read(p))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(out) = &args.merge else {
        let rendered: String = if args.format == ReportFormat::Html {
            html(&reports)?
        } else {
            reports
                .iter()
                .map(|r| render(r, args.format))
                .collect::<Result<_, _>>()?
        };
        emit(&rendered, args.output.as_deref())?;
        return Ok(ExitStatus::Passed);
    };
    let config = merge_config();
    let mut merged = report::merge::merge(&reports, config.as_ref());
    merged.parts = parts(&reports, &args.files);
    let min_success_rate = config.as_ref().map_or(0.80, |c| c.verdict.min_success_rate);
    if let Some(config) = &config {
        report::verdict::add_markers(&mut merged, config);
    }
    // Flaky tests come from the reports: a CI merge job has no local history.
    let verdict = report::verdict::apply(&mut merged, min_success_rate, 0);
    report::json::write(&merged, out)
        .map_err(|e| Error::new(format!("cannot write the report {}: {e}", out.display())))?;
    emit(&render(&merged, args.format)?, args.output.as_deref())?;
    report::publish::to_github(&merged);
    Ok(if verdict.deployment_ready {
        ExitStatus::Passed
    } else {
        ExitStatus::Blocked
    })
}
