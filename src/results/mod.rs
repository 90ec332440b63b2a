//! Raw outcomes + JUnit → counted group results, with hints for failures.
//!
//! Owns the meaning of a group's end: which tests passed, failed, errored or
//! were skipped, and the group's status and reason. Applies no policy.

mod count;
pub(crate) mod coverage;
mod hints;
pub(crate) mod junit;
mod python_ids;
mod runner_output;

pub(crate) use count::{count, Attempt};
pub(crate) use hints::matching_hints;
pub(crate) use python_ids::locate_files;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum GroupStatus {
    Passed,
    Failed,
    Timeout,
    Error,
    NoTests,
    Skipped,
    Cached,
}

impl GroupStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            GroupStatus::Passed => "passed",
            GroupStatus::Failed => "failed",
            GroupStatus::Timeout => "timeout",
            GroupStatus::Error => "error",
            GroupStatus::NoTests => "no-tests",
            GroupStatus::Skipped => "skipped",
            GroupStatus::Cached => "cached",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TestStatus {
    Passed,
    Failed,
    Error,
    Skipped,
    Flaky,
    Quarantined,
}

impl TestStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            TestStatus::Passed => "passed",
            TestStatus::Failed => "failed",
            TestStatus::Error => "error",
            TestStatus::Skipped => "skipped",
            TestStatus::Flaky => "flaky",
            TestStatus::Quarantined => "quarantined",
        }
    }

    /// Counted among the passed (SPEC 13: flaky and quarantined tests are).
    pub(crate) fn counts_as_passed(self) -> bool {
        matches!(
            self,
            TestStatus::Passed | TestStatus::Flaky | TestStatus::Quarantined
        )
    }

    /// Counted among the failed (errors are).
    pub(crate) fn counts_as_failed(self) -> bool {
        matches!(self, TestStatus::Failed | TestStatus::Error)
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct TestResult {
    pub(crate) name: String,
    pub(crate) classname: String,
    pub(crate) status: TestStatus,
    pub(crate) duration: f64,
    pub(crate) file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) message: Option<String>,
}

impl TestResult {
    /// `<file>::<name>`, else `<classname>::<name>` (SPEC 13).
    pub(crate) fn id(&self) -> String {
        match &self.file {
            Some(file) => format!("{file}::{}", self.name),
            None => format!("{}::{}", self.classname, self.name),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct GroupResult {
    pub(crate) stage: String,
    pub(crate) name: String,
    pub(crate) status: GroupStatus,
    pub(crate) exit_code: Option<i32>,
    pub(crate) duration: f64,
    pub(crate) reason: Option<String>,
    pub(crate) tests: Vec<TestResult>,
    /// The last lines of the command's output, shown on failure.
    pub(crate) output: String,
    pub(crate) hints: Vec<String>,
    /// The command as shown to the user, files elided.
    pub(crate) command: String,
    pub(crate) coverage: Option<f64>,
    /// The group's `locks`.
    pub(crate) locks: Vec<String>,
    /// How long it waited for them, when another group held one.
    pub(crate) lock_wait_ms: Option<u64>,
}

impl GroupResult {
    pub(crate) fn skipped(stage: &str, name: &str, why: impl Into<String>) -> GroupResult {
        GroupResult {
            stage: stage.to_owned(),
            name: name.to_owned(),
            status: GroupStatus::Skipped,
            exit_code: None,
            duration: 0.0,
            reason: Some(why.into()),
            tests: Vec::new(),
            output: String::new(),
            hints: Vec::new(),
            command: String::new(),
            coverage: None,
            locks: Vec::new(),
            lock_wait_ms: None,
        }
    }

    pub(crate) fn count(&self, keep: impl Fn(TestStatus) -> bool) -> usize {
        self.tests.iter().filter(|t| keep(t.status)).count()
    }
}
