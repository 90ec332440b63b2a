//! What happens to a finished run's report besides the terminal summary:
//! the verdict (ci-full), the GitHub step summary and annotations, the
//! Prometheus file and the webhook. `runner` calls it once per run.

use std::path::Path;

use super::json::Report;
use super::{github, notify, prometheus, render, verdict};
use crate::config::Config;
use crate::error::Error;
use crate::policy::verdict::Verdict;
use crate::ui::{self, Verbosity};

pub(crate) struct Publish<'a> {
    pub(crate) config: &'a Config,
    /// Compute the verdict (ci-full), with flaky tests from this history file.
    pub(crate) verdict_history: Option<&'a Path>,
    pub(crate) prometheus: Option<&'a Path>,
}

/// Fill in what the report still lacks (markers, the verdict), print the
/// verdict, and hand the report to GitHub, Prometheus and the webhook.
pub(crate) fn publish(report: &mut Report, with: &Publish<'_>) -> Result<Option<Verdict>, Error> {
    verdict::add_markers(report, with.config);
    let decided = with.verdict_history.map(|history| {
        let flaky = verdict::history_flaky(history);
        verdict::apply(report, with.config.verdict.min_success_rate, flaky)
    });
    if let Some(v) = &decided {
        if ui::verbosity() == Verbosity::Quiet {
            ui::out(&format!(
                "tiergate: verdict {} (readiness score {:.1}), {}",
                v.decision.as_str(),
                v.readiness_score,
                if v.deployment_ready {
                    "deployment ready"
                } else {
                    "not deployment ready"
                }
            ));
        } else if let Some(value) = &report.verdict {
            ui::out(render::verdict_text(value).trim_end());
        }
    }
    to_github(report);
    if let Some(path) = with.prometheus {
        prometheus::write(report, path).map_err(|e| {
            Error::new(format!(
                "cannot write the Prometheus metrics {}: {e}",
                path.display()
            ))
        })?;
    }
    if decided.is_some() {
        notify_webhook(report, with.config);
    }
    Ok(decided)
}

/// The step summary and the annotations; GitHub's files failing us is a
/// warning, the run's outcome stands.
pub(crate) fn to_github(report: &Report) {
    if let Err(e) = github::append_step_summary(report) {
        ui::warn(&format!("cannot append to GITHUB_STEP_SUMMARY: {e}"));
    }
    for line in github::annotations(report) {
        ui::out(&line);
    }
}

fn notify_webhook(report: &Report, config: &Config) {
    let Some(name) = &config.notify_webhook_env else {
        return;
    };
    let Some(url) = std::env::var(name).ok().filter(|u| !u.trim().is_empty()) else {
        return;
    };
    if let Err(e) = notify::post(url.trim(), &notify::message(report)) {
        ui::warn(&format!(
            "could not post the summary to the webhook in ${name}: {e}"
        ));
    }
}
