//! What a person sees: a live view of running groups on a terminal (plain
//! lines otherwise), each failure's output tail with hints, and a summary
//! per stage.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use console::style;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::pipeline::formatters::{FormatterResult, FormatterStatus};
use crate::pipeline::{Event, RunOutcome, StageRun, Subscriber};
use crate::policy::{plural, GateOutcome, StageStatus};
use crate::results::{GroupResult, GroupStatus, TestStatus};
use crate::ui::{self, Verbosity};

/// Lines of output shown under a failed group.
const TAIL_LINES: usize = 30;
/// Lines of a failed test's message shown after its first.
const MESSAGE_LINES: usize = 8;

pub(crate) struct Terminal {
    live: Option<MultiProgress>,
    bars: Mutex<BTreeMap<String, ProgressBar>>,
    verbosity: Verbosity,
}

impl Terminal {
    pub(crate) fn new() -> Terminal {
        let live =
            ui::live().then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Terminal {
            live,
            bars: Mutex::new(BTreeMap::new()),
            verbosity: ui::verbosity(),
        }
    }

    fn line(&self, text: &str) {
        if self.verbosity == Verbosity::Quiet {
            return;
        }
        match &self.live {
            Some(multi) => {
                let _ = multi.println(text);
            }
            None => ui::out(text),
        }
    }
}

fn status_mark(status: GroupStatus) -> String {
    match status {
        GroupStatus::Passed => style("PASS").green().bold().to_string(),
        GroupStatus::Cached => style("CACHED").green().to_string(),
        GroupStatus::Failed => style("FAIL").red().bold().to_string(),
        GroupStatus::Timeout => style("TIMEOUT").red().bold().to_string(),
        GroupStatus::Error => style("ERROR").red().bold().to_string(),
        GroupStatus::NoTests => style("NO TESTS").yellow().to_string(),
        GroupStatus::Skipped => style("SKIP").dim().to_string(),
    }
}

fn test_counts(group: &GroupResult) -> String {
    let passed = group.count(TestStatus::counts_as_passed);
    let failed = group.count(TestStatus::counts_as_failed);
    let skipped = group.count(|s| s == TestStatus::Skipped);
    let mut parts = vec![format!("{passed} passed")];
    if failed > 0 {
        parts.push(format!("{failed} failed"));
    }
    if skipped > 0 {
        parts.push(format!("{skipped} skipped"));
    }
    // Among the passed, but worth seeing: they passed only on retry, or failed in quarantine.
    for (status, word) in [
        (TestStatus::Flaky, "flaky"),
        (TestStatus::Quarantined, "quarantined"),
    ] {
        let n = group.count(|s| s == status);
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    parts.join(", ")
}

fn seconds(s: f64) -> String {
    format!("{s:.2}s")
}

impl Subscriber for Terminal {
    fn event(&self, event: &Event<'_>) {
        match *event {
            Event::RunStarted { .. } | Event::RunFinished { .. } => {}
            Event::FormatterFinished(result) => formatter_lines(result),
            Event::ServiceChecking(service) => {
                self.line(&format!("{} checking service {service}", style("…").dim()));
            }
            Event::ServiceStarted(service) => self.line(&format!(
                "{} started service {service} (its check failed); it is stopped after the run",
                style("↑").cyan()
            )),
            Event::ServiceStopped(service) => {
                self.line(&format!("{} stopped service {service}", style("↓").cyan()));
            }
            Event::StageStarted { stage, groups } => self.stage_started(stage, groups),
            Event::GroupStarted {
                stage,
                group,
                command,
            } => self.group_started(stage, group, command),
            Event::GroupOutput { stage, group, line } => output_line(stage, group, line),
            Event::GroupFinished(group) => self.group_finished(group),
            Event::StageFinished(stage) => self.stage_finished(stage),
            Event::Warning(message) => ui::warn(message),
        }
    }

    /// `-v` streams each group's output as it arrives.
    fn wants_output(&self) -> bool {
        self.verbosity == Verbosity::Verbose
    }
}

impl Terminal {
    fn stage_started(&self, stage: &str, groups: usize) {
        if groups > 0 {
            self.line(&format!(
                "{} {stage} ({})",
                style("▶").cyan(),
                plural(groups, "group")
            ));
        }
    }

    fn group_started(&self, stage: &str, group: &str, command: &str) {
        if self.verbosity == Verbosity::Verbose {
            ui::err(&format!("{} {stage}.{group}: {command}", style("$").dim()));
        }
        if let Some(multi) = &self.live {
            let bar = multi.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("  {spinner} {msg} {elapsed:.dim}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message(format!("{stage}.{group}"));
            bar.enable_steady_tick(Duration::from_millis(120));
            self.bars
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(format!("{stage}.{group}"), bar);
        }
    }

    fn group_finished(&self, group: &GroupResult) {
        if let Some(bar) = self
            .bars
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&format!("{}.{}", group.stage, group.name))
        {
            bar.finish_and_clear();
        }
        if group.status == GroupStatus::Skipped {
            self.line(&skipped_line(group));
            return;
        }
        self.line(&group_line(group));
        if failed(group) {
            self.line(&failure_details(
                group,
                self.verbosity == Verbosity::Verbose,
            ));
        }
    }

    fn stage_finished(&self, stage: &StageRun) {
        if let Some(why) = &stage.skipped {
            self.line(&format!(
                "{} {} skipped: {why}",
                style("–").dim(),
                stage.name
            ));
            // The stage never ran: its groups are listed here, with their reasons.
            for group in &stage.groups {
                self.line(&skipped_line(group));
            }
        }
    }
}

/// One line of a group's output under `-v`, with its group's prefix.
fn output_line(stage: &str, group: &str, line: &[u8]) {
    let mut out = format!("[{stage}.{group}] ").into_bytes();
    if line.contains(&0x1b) && !console::colors_enabled_stderr() {
        let text = String::from_utf8_lossy(line);
        out.extend_from_slice(console::strip_ansi_codes(&text).as_bytes());
    } else {
        out.extend_from_slice(line);
    }
    let _ = std::io::stderr().lock().write_all(&out);
}

/// How a pre-commit formatter ended, on the lines the hook has always printed.
fn formatter_lines(result: &FormatterResult) {
    match &result.status {
        // `-q` is one line on success: a formatter that ran is not news.
        FormatterStatus::Ran | FormatterStatus::Skipped if ui::verbosity() == Verbosity::Quiet => {}
        FormatterStatus::Ran => ui::out(&format!(
            "tiergate: formatter {} ran on {}",
            result.name,
            plural(result.files, "file")
        )),
        FormatterStatus::Skipped => {
            ui::out(&format!(
                "tiergate: formatter {}: skipped by TIERGATE_SKIP",
                result.name
            ));
        }
        FormatterStatus::NoFiles => {
            if ui::verbosity() == Verbosity::Verbose {
                ui::out(&format!(
                    "tiergate: formatter {}: skipped, no staged file matches",
                    result.name
                ));
            }
        }
        FormatterStatus::Interrupted => {}
        FormatterStatus::Failed { why, output } => {
            ui::err(&format!(
                "tiergate: formatter {} failed ({why})",
                result.name
            ));
            let text = String::from_utf8_lossy(output);
            let text = ui::child_text(&text);
            let lines: Vec<&str> = text.lines().collect();
            for line in &lines[lines.len().saturating_sub(20)..] {
                ui::err(&format!("  {line}"));
            }
        }
    }
}

/// A group that ran (or was replayed from the cache): its mark, counts, time and reason.
fn group_line(group: &GroupResult) -> String {
    let mut text = format!(
        "  {} {}.{} {} {}",
        status_mark(group.status),
        group.stage,
        group.name,
        style(format!("({})", test_counts(group))).dim(),
        style(seconds(group.duration)).dim()
    );
    if let Some(reason) = &group.reason {
        if group.status != GroupStatus::Passed {
            text.push_str(&format!(": {reason}"));
        }
    }
    text
}

fn failed(group: &GroupResult) -> bool {
    matches!(
        group.status,
        GroupStatus::Failed | GroupStatus::Timeout | GroupStatus::Error
    )
}

/// The failed groups of the stages that block the run.
fn blocking_groups(outcome: &RunOutcome) -> Vec<&GroupResult> {
    outcome
        .stages
        .iter()
        .filter(|s| s.verdict.should_block)
        .flat_map(|s| &s.groups)
        .filter(|g| failed(g))
        .collect()
}

/// `-q` on a blocked run: what blocked it, with its output tail and hints
/// (the progress lines are not printed under `-q`).
pub(crate) fn blocking_details(outcome: &RunOutcome) -> Option<String> {
    let groups = blocking_groups(outcome);
    if groups.is_empty() {
        return None;
    }
    let text: Vec<String> = groups
        .iter()
        .map(|g| format!("{}\n{}", group_line(g), failure_details(g, false)))
        .collect();
    Some(text.join("\n"))
}

/// What to do after a blocked run: the command that reproduces each blocking
/// group, and how to get past the hook once. `bypass` is the git command
/// with `--no-verify` for a hook run.
pub(crate) fn next_steps(outcome: &RunOutcome, bypass: Option<&str>) -> Option<String> {
    if !outcome.blocked() {
        return None;
    }
    let mut names: Vec<String> = blocking_groups(outcome)
        .iter()
        .map(|g| format!("{}.{}", g.stage, g.name))
        .collect();
    if names.is_empty() {
        // Blocked by a gate with no failed group to name (a rate over
        // skipped or missing tests): the stage is what to run again.
        names = outcome
            .stages
            .iter()
            .filter(|s| s.verdict.should_block)
            .map(|s| s.name.clone())
            .collect();
    }
    let mut text = format!("{}\n", style("next:").cyan().bold());
    for name in &names {
        text.push_str(&format!("  reproduce:   tiergate run {name}\n"));
    }
    let skip = format!("TIERGATE_SKIP={}", names.join(","));
    match bypass {
        Some(git) => text.push_str(&format!("  bypass once: {git} --no-verify, or {skip}")),
        None => text.push_str(&format!("  skip once:   {skip}")),
    }
    Some(text)
}

/// A group left out: its name and why, no counts or time.
fn skipped_line(group: &GroupResult) -> String {
    let mut text = format!(
        "  {} {}.{}",
        status_mark(group.status),
        group.stage,
        group.name
    );
    if let Some(reason) = &group.reason {
        text.push_str(&format!(": {reason}"));
    }
    text
}

/// The output tail and hints under a failed group's name.
fn failure_details(group: &GroupResult, verbose: bool) -> String {
    let mut text = String::new();
    if !group.command.is_empty() {
        text.push_str(&format!(
            "    {} {}\n",
            style("command:").dim(),
            group.command
        ));
    }
    for test in group
        .tests
        .iter()
        .filter(|t| t.status.counts_as_failed())
        .take(10)
    {
        text.push_str(&format!("    {} {}", style("✗").red(), test.id()));
        // The failure in the runner's words, before the output tail, whose
        // last lines are often only the runner's summary.
        if let Some(message) = &test.message {
            let message = ui::child_text(message);
            let mut lines = message.lines();
            text.push_str(&format!(": {}", lines.next().unwrap_or("")));
            for line in lines.by_ref().take(MESSAGE_LINES) {
                text.push_str(&format!("\n        {line}"));
            }
            if lines.next().is_some() {
                text.push_str(&format!("\n        {}", style("…").dim()));
            }
        }
        text.push('\n');
    }
    if !verbose {
        let output = ui::child_text(&group.output);
        let lines: Vec<&str> = output.lines().collect();
        let start = lines.len().saturating_sub(TAIL_LINES);
        if start > 0 {
            text.push_str(&format!(
                "    {}\n",
                style(format!("… {start} earlier lines")).dim()
            ));
        }
        for line in &lines[start..] {
            text.push_str(&format!("    {} {line}\n", style("│").dim()));
        }
    }
    for hint in &group.hints {
        text.push_str(&format!("    {} {hint}\n", style("hint:").cyan().bold()));
    }
    text.trim_end().to_owned()
}

/// The summary: one line per stage, then the total and the outcome.
pub(crate) fn summary(outcome: &RunOutcome) -> String {
    let mut text = String::new();
    let width = outcome
        .stages
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(5);
    for stage in &outcome.stages {
        let c = stage.verdict.counts;
        let status = match stage.verdict.status {
            StageStatus::Passed => style("passed ").green().bold(),
            StageStatus::Failed if stage.verdict.gate == GateOutcome::Informed => {
                style("informed").yellow()
            }
            StageStatus::Failed => style("failed ").red().bold(),
            StageStatus::Warned => style("warned ").yellow().bold(),
            StageStatus::Skipped => style("skipped").dim(),
        };
        text.push_str(&crate::report::render::stage_row(
            width,
            &stage.name,
            &status.to_string(),
            (c.passed, c.failed, c.skipped),
            c.success_rate(),
            crate::report::json::gate_word(stage.verdict.gate),
            stage.duration,
        ));
        if stage.verdict.status != StageStatus::Skipped || stage.skipped.is_none() {
            for reason in &stage.verdict.reasons {
                text.push_str(&format!(
                    "  {:width$}    {} {reason}\n",
                    "",
                    style("·").dim()
                ));
            }
        }
    }
    text.push_str(&one_line(outcome));
    text
}

/// `-q`: everything in one line.
pub(crate) fn one_line(outcome: &RunOutcome) -> String {
    let c = outcome.counts();
    let counts = format!(
        "{}, {} failed, {} skipped",
        plural(c.passed + c.failed + c.skipped, "test"),
        c.failed,
        c.skipped
    );
    if let Some(signal) = outcome.interrupted {
        return format!(
            "{} by signal {signal} ({counts}) after {}",
            style("interrupted").red().bold(),
            seconds(outcome.duration)
        );
    }
    if outcome.environment_error.is_some() {
        return format!(
            "{}: a required service was not ready ({counts})",
            style("error").red().bold()
        );
    }
    let counts = match left_out(outcome) {
        Some(groups) => format!("{counts}; {groups}"),
        None => counts,
    };
    if let Some(blocker) = outcome.stages.iter().find(|s| s.verdict.should_block) {
        return format!(
            "{} by stage {} ({counts}) in {}",
            style("blocked").red().bold(),
            blocker.name,
            seconds(outcome.duration)
        );
    }
    let mut groups = outcome.stages.iter().flat_map(|s| &s.groups).peekable();
    let ran_nothing = groups.peek().is_some() && groups.all(|g| g.status == GroupStatus::Skipped);
    if ran_nothing {
        return format!(
            "{}: every group was left out ({counts})",
            style("skipped").yellow().bold()
        );
    }
    let warned = outcome
        .stages
        .iter()
        .any(|s| matches!(s.verdict.gate, GateOutcome::Warned | GateOutcome::Informed));
    let word = if warned {
        style("passed with warnings").yellow().bold()
    } else {
        style("passed").green().bold()
    };
    format!("{word} ({counts}) in {}", seconds(outcome.duration))
}

/// "3 groups left out: 1 cached, 2 skipped": under `-q` the groups a run
/// did not run are counted, never silently dropped.
fn left_out(outcome: &RunOutcome) -> Option<String> {
    let groups = outcome.stages.iter().flat_map(|s| &s.groups);
    let cached = groups
        .clone()
        .filter(|g| g.status == GroupStatus::Cached)
        .count();
    let skipped = groups.filter(|g| g.status == GroupStatus::Skipped).count();
    if cached + skipped == 0 {
        return None;
    }
    let mut parts = Vec::new();
    if cached > 0 {
        parts.push(format!("{cached} cached"));
    }
    if skipped > 0 {
        parts.push(format!("{skipped} skipped"));
    }
    Some(format!(
        "{} left out: {}",
        plural(cached + skipped, "group"),
        parts.join(", ")
    ))
}
