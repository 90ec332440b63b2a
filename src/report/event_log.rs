//! `TIERGATE_EVENT_LOG=FILE`: every event of a run appended to FILE as one
//! JSON line, in the order the terminal saw them, for tools that follow a
//! run (an editor, a dashboard) and for tests that check the order.
//!
//! The log is a courtesy: a file that cannot be opened or written is a
//! warning, never a failed run.

use std::fs::File;
use std::io::Write;
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use serde_json::{json, Value};

use crate::pipeline::formatters::FormatterStatus;
use crate::pipeline::{Event, Subscriber};
use crate::policy::StageCounts;
use crate::ui;

pub(crate) struct EventLog {
    file: Mutex<Option<File>>,
}

impl EventLog {
    /// The log `TIERGATE_EVENT_LOG` asks for, opened to append.
    pub(crate) fn from_env() -> Option<EventLog> {
        let path = std::env::var_os(crate::env::TIERGATE_EVENT_LOG).filter(|p| !p.is_empty())?;
        match std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
        {
            Ok(file) => Some(EventLog {
                file: Mutex::new(Some(file)),
            }),
            Err(e) => {
                ui::warn(&format!(
                    "cannot open the event log {} ({}): {e}",
                    std::path::Path::new(&path).display(),
                    crate::env::TIERGATE_EVENT_LOG
                ));
                None
            }
        }
    }
}

impl Subscriber for EventLog {
    fn event(&self, event: &Event<'_>) {
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(open) = file.as_mut() else { return };
        let mut line = line(event, SystemTime::now()).to_string().into_bytes();
        line.push(b'\n');
        // One write per line on a file opened to append: lines never interleave.
        if let Err(e) = open.write_all(&line) {
            ui::warn(&format!("cannot write the event log: {e}; it stops here"));
            *file = None;
        }
    }
}

fn counts(c: StageCounts) -> Value {
    json!({ "passed": c.passed, "failed": c.failed, "skipped": c.skipped, "flaky": c.flaky })
}

/// One event as a JSON object: its name in `event`, its time, its facts.
pub(crate) fn line(event: &Event<'_>, at: SystemTime) -> Value {
    let mut value = match *event {
        Event::RunStarted {
            label, selection, ..
        } => json!({
            "event": "run-started",
            "label": label,
            "changed": selection.changes.len(),
            "all": selection.all,
            "markers": selection.markers,
        }),
        Event::FormatterFinished(f) => json!({
            "event": "formatter-finished",
            "formatter": f.name,
            "files": f.files,
            "status": match &f.status {
                FormatterStatus::Ran => "ran",
                FormatterStatus::Failed { .. } => "failed",
                FormatterStatus::NoFiles => "no-files",
                FormatterStatus::Skipped => "skipped",
                FormatterStatus::Interrupted => "interrupted",
            },
        }),
        Event::ServiceChecking(s) => json!({ "event": "service-checking", "service": s }),
        Event::ServiceStarted(s) => json!({ "event": "service-started", "service": s }),
        Event::ServiceStopped(s) => json!({ "event": "service-stopped", "service": s }),
        Event::StageStarted { stage, groups } => {
            json!({ "event": "stage-started", "stage": stage, "groups": groups })
        }
        Event::GroupStarted {
            stage,
            group,
            command,
        } => {
            json!({ "event": "group-started", "stage": stage, "group": group, "command": command })
        }
        Event::GroupOutput { stage, group, line } => json!({
            "event": "group-output",
            "stage": stage,
            "group": group,
            "line": String::from_utf8_lossy(line),
        }),
        Event::GroupFinished(g) => json!({
            "event": "group-finished",
            "stage": g.stage,
            "group": g.name,
            "status": g.status,
            "duration": g.duration,
            "reason": g.reason,
            "tests": counts(StageCounts::of(std::slice::from_ref(g))),
        }),
        Event::StageFinished(s) => json!({
            "event": "stage-finished",
            "stage": s.name,
            "status": s.verdict.status,
            "gate": s.verdict.gate,
            "should_block": s.verdict.should_block,
            "duration": s.duration,
            "skipped": s.skipped,
            "groups": s.groups.iter().map(|g| &g.name).collect::<Vec<_>>(),
            "tests": counts(s.verdict.counts),
        }),
        Event::Warning(message) => json!({ "event": "warning", "message": message }),
        Event::RunFinished {
            duration,
            interrupted,
            environment_error,
        } => json!({
            "event": "run-finished",
            "duration": duration,
            "interrupted": interrupted,
            "error": environment_error.map(|e| e.headline.clone()),
        }),
    };
    value["time"] = json!(humantime::format_rfc3339_millis(at).to_string());
    value
}
