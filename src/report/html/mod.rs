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

#[cfg(test)]
mod tests {
    use super::*;

    /// A report of `groups` groups of 100 tests each; `failing` of them fail
    /// every test, with a message and an output tail.
    fn big_report(groups: usize, failing: usize) -> Report {
        let groups: Vec<serde_json::Value> = (0..groups)
            .map(|g| {
                let failed = g < failing;
                let tests: Vec<serde_json::Value> = (0..100)
                    .map(|t| {
                        serde_json::json!({
                            "name": format!("test_case_{t}_with_a_long_descriptive_name"),
                            "classname": format!("tests.test_module_{g}"),
                            "status": if failed { "failed" } else { "passed" },
                            "duration": f64::from(t) / 100.0,
                            "file": format!("tests/test_module_{g}.py"),
                            "message": if failed { Some("AssertionError: assert <Response 500> == 200") } else { None },
                        })
                    })
                    .collect();
                serde_json::json!({
                    "name": format!("group-{g}"), "status": if failed { "failed" } else { "passed" },
                    "exit_code": i32::from(failed), "duration": 12.5, "cached": false, "reason": null,
                    "tests": tests,
                    "output_tail": if failed { Some("E   assert <Response 500> == 200\n".repeat(30)) } else { None },
                })
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "tiergate_version": "0.1.0", "command": "ci-full", "started_at": "2026-12-04T10:00:00Z",
            "duration_seconds": 300.0,
            "selection": { "changed": [], "markers": [], "all": true, "why": [] },
            "stages": [{
                "stage": "fast", "status": "failed", "execution_time": 300.0, "total_tests": 5000,
                "passed_tests": 0, "failed_tests": 0, "skipped_tests": 0, "flaky_tests": 0,
                "success_rate": null, "should_block": true, "gate": "failed", "budget_status": null,
                "groups": groups,
            }],
            "summary": { "total_tests": 5000, "passed_tests": 0, "failed_tests": 0, "skipped_tests": 0,
                         "overall_success_rate": null, "blocking_failures": true },
            "verdict": null,
        }))
        .unwrap()
    }

    #[test]
    fn the_page_of_a_run_of_5000_tests_weighs_under_2_mb_even_when_all_fail() {
        for failing in [0, 2, 50] {
            let page = run_page(&[big_report(50, failing)]).unwrap();
            assert!(
                page.len() < 2 * 1024 * 1024,
                "{failing} failing groups: {} bytes",
                page.len()
            );
            assert!(
                page.contains("test_case_99_with_a_long_descriptive_name"),
                "slowest tests"
            );
        }
        let all_failing = run_page(&[big_report(50, 50)]).unwrap();
        assert_eq!(
            all_failing.matches("… and 50 more failed tests").count(),
            50,
            "each group lists its first 50 failures"
        );
    }

    #[test]
    fn timestamps_read_as_dates() {
        assert_eq!(when("2026-11-24T10:00:00Z"), "2026-11-24 10:00:00 UTC");
        assert_eq!(when("yesterday"), "yesterday");
    }
}
