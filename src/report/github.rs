//! GitHub Actions: the Markdown summary appended to `GITHUB_STEP_SUMMARY`,
//! and `::error` workflow commands for failures under `GITHUB_ACTIONS`, so
//! they show on the run page and, with `file=`, in the pull request's diff.

use std::io::Write;

use super::json::Report;
use super::render;
use crate::env;

/// Annotations per run: GitHub shows at most 10 errors per step anyway.
const MAX_ANNOTATIONS: usize = 50;

/// Append the Markdown summary when `GITHUB_STEP_SUMMARY` names a file.
pub(crate) fn append_step_summary(report: &Report) -> std::io::Result<()> {
    let Some(path) = std::env::var_os(env::GITHUB_STEP_SUMMARY).filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(render::markdown(report).as_bytes())?;
    file.write_all(b"\n")
}

/// The `::error` lines for the report's failures, when running on GitHub.
pub(crate) fn annotations(report: &Report) -> Vec<String> {
    if std::env::var(env::GITHUB_ACTIONS).as_deref() != Ok("true") {
        return Vec::new();
    }
    error_lines(report)
}

fn error_lines(report: &Report) -> Vec<String> {
    render::failures(report)
        .iter()
        .take(MAX_ANNOTATIONS)
        .map(|f| {
            let mut properties = Vec::new();
            if let Some(file) = &f.file {
                properties.push(format!("file={}", property(file)));
            }
            properties.push(format!(
                "title={}",
                property(&format!("tiergate {}: {}", f.place, f.what))
            ));
            let message = match (&f.message, f.is_test) {
                (Some(m), true) => format!("{} failed: {m}", f.what),
                (None, true) => format!("{} failed", f.what),
                (Some(m), false) => format!("{} {}: {m}", f.place, f.what),
                (None, false) => format!("{} {}", f.place, f.what),
            };
            format!("::error {}::{}", properties.join(","), data(&message))
        })
        .collect()
}

/// Escaping of a workflow command's message (actions/toolkit `escapeData`).
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a property value (actions/toolkit `escapeProperty`).
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_toolkit() {
        assert_eq!(data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(property("a::b, c"), "a%3A%3Ab%2C c");
    }
}
