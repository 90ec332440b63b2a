//! `[notify] webhook_env`: after `ci-full`, a Slack-style JSON message
//! (`text` plus `blocks`) posted to the URL held by that environment variable.
//!
//! A notification is a courtesy: a missing variable means "don't", and a
//! failed post is a warning, never a failed run.

use std::time::Duration;

use serde_json::json;

use super::json::Report;

/// A webhook that does not answer within this is given up on.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The Slack message for a report: one `text` line for clients that show
/// no blocks, and blocks with the stage lines and the verdict.
pub(crate) fn message(report: &Report) -> serde_json::Value {
    let s = &report.summary;
    let rate = s
        .overall_success_rate
        .map_or_else(|| "–".to_owned(), |r| format!("{:.1} %", r * 100.0));
    let (ready, headline) = match &report.verdict {
        _ if report.aborted.is_some() => (
            false,
            format!(
                "tiergate {}: {}",
                report.command,
                super::render::outcome_word(report)
            ),
        ),
        Some(v) => {
            let ready = v["deployment_ready"] == serde_json::Value::Bool(true);
            (
                ready,
                format!(
                    "tiergate {}: {} (decision {}, readiness score {:.1})",
                    report.command,
                    if ready {
                        "deployment ready"
                    } else {
                        "not deployment ready"
                    },
                    v["decision"].as_str().unwrap_or("?"),
                    v["readiness_score"].as_f64().unwrap_or(0.0)
                ),
            )
        }
        None => (
            !s.blocking_failures,
            format!(
                "tiergate {}: {}",
                report.command,
                if s.blocking_failures {
                    "blocked"
                } else {
                    "passed"
                }
            ),
        ),
    };
    let icon = if ready { ":white_check_mark:" } else { ":x:" };
    let stages: Vec<String> = report
        .stages
        .iter()
        .map(|st| {
            format!(
                "• *{}*: {} ({} passed, {} failed)",
                st.stage,
                super::json::stage_status_word(st.status),
                st.passed_tests,
                st.failed_tests
            )
        })
        .collect();
    json!({
        "text": format!("{headline}; {} tests, {} failed, success rate {rate}", s.total_tests, s.failed_tests),
        "blocks": [
            { "type": "header", "text": { "type": "plain_text", "text": headline } },
            { "type": "section", "text": { "type": "mrkdwn", "text": format!("{icon} {}", stages.join("\n")) } },
            { "type": "context", "elements": [ { "type": "mrkdwn", "text": format!(
                "{} tests, {} failed, {} skipped, success rate {rate}",
                s.total_tests, s.failed_tests, s.skipped_tests
            ) } ] }
        ]
    })
}

/// Post the message to `url`; the error says why it failed.
pub(crate) fn post(url: &str, body: &serde_json::Value) -> Result<(), String> {
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .build(),
    );
    let text = serde_json::to_string(body).map_err(|e| e.to_string())?;
    agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(text.as_str())
        .map(|_| ())
        .map_err(|e| e.to_string())
}
