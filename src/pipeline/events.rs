//! The one stream of events a run produces, and the fan-out that hands each
//! event to every subscriber: the terminal view, the aggregator every report
//! file is built from, the `TIERGATE_EVENT_LOG` writer (issue 15).
//!
//! The pipeline and the formatter step only emit; they never print nor
//! count for a report. Subscribers see one total order: an event is handed
//! to all of them before the next one is, whatever thread emitted it, so the
//! terminal's lines and the aggregator's record agree on what came first.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use super::formatters::FormatterResult;
use super::StageRun;
use crate::error::Error;
use crate::exec::OutputSink;
use crate::results::GroupResult;
use crate::select::Selection;

/// Something that happened during a run, in the order it happened.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event<'a> {
    /// The run's request, once its selection is known.
    RunStarted {
        /// "run fast", "hook pre-commit".
        label: &'a str,
        started_at: SystemTime,
        selection: &'a Selection,
    },
    /// One pre-commit formatter ended (before the run of the stages).
    FormatterFinished(&'a FormatterResult),
    /// A stage's services are checked before its groups start.
    ServiceChecking(&'a str),
    /// tiergate started the service (its check failed); it stops it after the run.
    ServiceStarted(&'a str),
    /// A service tiergate started was stopped.
    ServiceStopped(&'a str),
    /// A stage that runs some groups starts; `groups` of them will run.
    StageStarted {
        stage: &'a str,
        groups: usize,
    },
    /// A group's command starts (first attempt), as shown to the user.
    GroupStarted {
        stage: &'a str,
        group: &'a str,
        command: &'a str,
    },
    /// One whole line of a group's output, ending in `\n`, as it arrives;
    /// only when a subscriber asked for output (`Subscriber::wants_output`).
    GroupOutput {
        stage: &'a str,
        group: &'a str,
        line: &'a [u8],
    },
    /// A group's final result (after retries, quarantine, the watch), or a
    /// group left out with its reason.
    GroupFinished(&'a GroupResult),
    /// A stage with its gate's verdict, or a stage that did not run and why.
    StageFinished(&'a StageRun),
    Warning(&'a str),
    /// The last event of the pipeline.
    RunFinished {
        duration: f64,
        /// The signal that interrupted the run.
        interrupted: Option<i32>,
        /// A required service never became ready.
        environment_error: Option<&'a Error>,
    },
}

/// A consumer of the event stream. Called from the threads that run
/// groups, one event at a time.
pub(crate) trait Subscriber: Send + Sync {
    fn event(&self, event: &Event<'_>);

    /// Whether it wants `GroupOutput` events. Splitting output into lines
    /// costs, so none are made when no subscriber wants them.
    fn wants_output(&self) -> bool {
        false
    }
}

/// The fan-out: every event goes to every subscriber, in the order they
/// were registered, one event at a time.
#[derive(Clone)]
pub(crate) struct Reporter {
    subscribers: Arc<[Arc<dyn Subscriber>]>,
    /// Held while an event is handed out, so all subscribers see one order.
    order: Arc<Mutex<()>>,
}

impl Reporter {
    pub(crate) fn new(subscribers: Vec<Arc<dyn Subscriber>>) -> Reporter {
        Reporter {
            subscribers: subscribers.into(),
            order: Arc::new(Mutex::new(())),
        }
    }

    pub(crate) fn emit(&self, event: &Event<'_>) {
        let _order = self.order.lock().unwrap_or_else(PoisonError::into_inner);
        for subscriber in self.subscribers.iter() {
            subscriber.event(event);
        }
    }

    /// Where a group's output goes as it arrives: cut into whole lines,
    /// each emitted as `GroupOutput`, so parallel groups never interleave
    /// mid-line. `None` when no subscriber wants output.
    pub(crate) fn output_sink(&self, stage: &str, group: &str) -> Option<OutputSink> {
        if !self.subscribers.iter().any(|s| s.wants_output()) {
            return None;
        }
        let reporter = self.clone();
        let (stage, group) = (stage.to_owned(), group.to_owned());
        let pending = Mutex::new(Vec::<u8>::new());
        Some(Arc::new(move |chunk: &[u8]| {
            let mut pending = pending.lock().unwrap_or_else(PoisonError::into_inner);
            pending.extend_from_slice(chunk);
            while let Some(end) = pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = pending.drain(..=end).collect();
                reporter.emit(&Event::GroupOutput {
                    stage: &stage,
                    group: &group,
                    line: &line,
                });
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Remembers a word per event.
    #[derive(Default)]
    struct Words {
        seen: Mutex<Vec<String>>,
        output: bool,
    }

    impl Subscriber for Words {
        fn event(&self, event: &Event<'_>) {
            let word = match event {
                Event::GroupOutput { line, .. } => String::from_utf8_lossy(line).into_owned(),
                Event::Warning(w) => (*w).to_owned(),
                _ => "other".to_owned(),
            };
            self.seen.lock().unwrap().push(word);
        }
        fn wants_output(&self) -> bool {
            self.output
        }
    }

    #[test]
    fn every_subscriber_sees_every_event_in_order() {
        let a = Arc::new(Words::default());
        let b = Arc::new(Words::default());
        let reporter = Reporter::new(vec![a.clone(), b.clone()]);
        reporter.emit(&Event::Warning("one"));
        reporter.emit(&Event::Warning("two"));
        assert_eq!(*a.seen.lock().unwrap(), ["one", "two"]);
        assert_eq!(*b.seen.lock().unwrap(), ["one", "two"]);
    }

    #[test]
    fn output_is_cut_into_whole_lines_only_when_wanted() {
        let quiet = Reporter::new(vec![Arc::new(Words::default())]);
        assert!(quiet.output_sink("fast", "unit").is_none());

        let words = Arc::new(Words {
            output: true,
            ..Words::default()
        });
        let reporter = Reporter::new(vec![words.clone()]);
        let sink = reporter.output_sink("fast", "unit").unwrap();
        sink(b"a line\nhalf ");
        sink(b"a line\nno end");
        assert_eq!(*words.seen.lock().unwrap(), ["a line\n", "half a line\n"]);
    }
}
