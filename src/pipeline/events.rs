//! What the pipeline tells the outside while it runs. `report` implements it
//! for the terminal.

use super::StageRun;
use crate::exec::OutputSink;
use crate::results::GroupResult;

pub(crate) trait Events: Sync {
    fn stage_started(&self, _stage: &str, _groups: usize) {}
    fn group_started(&self, _stage: &str, _group: &str, _command: &str) {}
    fn group_finished(&self, _result: &GroupResult) {}
    fn stage_finished(&self, _stage: &StageRun) {}
    fn service_checking(&self, _service: &str) {}
    /// tiergate started the service (its check failed); it stops it after the run.
    fn service_started(&self, _service: &str) {}
    /// A service tiergate started was stopped.
    fn service_stopped(&self, _service: &str) {}
    /// Where a command's output goes as it arrives (`-v`), if anywhere.
    fn output_sink(&self, _stage: &str, _group: &str) -> Option<OutputSink> {
        None
    }
    fn warning(&self, _message: &str) {}
}
