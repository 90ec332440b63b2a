//! The result cache (SPEC 6.6): input keys and stored passes.
//!
//! Owns `<state_dir>/cache/`. A group whose key matches a stored clean pass is
//! not run again: its recorded tests are replayed with the status `cached`.
//! Never stores failures, flaky or quarantined passes, `cache = false` groups,
//! or performance stages (a stage named `performance`, or one whose gate is
//! `inform`: such stages run for their measurements). Reads the git index only
//! through `git`, and never writes outside its folder.
//!
//! - `key.rs`: the key's parts and their canonical digests (pure)
//! - `store.rs`: entries on disk, atomic writes, eviction

mod key;
mod store;
mod toolchain;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::sync::{Mutex, PoisonError};

pub(crate) use key::{changed_parts, compute, inputs_digest, Key, KeyInput, ProgramStamp};
pub(crate) use store::{Entry, Lookup, Store};

use crate::config::{Config, Group, OnFail, Stage};
use crate::git::{InputFile, Repo};
use crate::plan::{Decision, Plan};
use crate::results::{GroupResult, GroupStatus, TestStatus};

/// The run's cache, when some group that runs may use it (`Ok(None)` when none
/// may). An `Err` says why the inputs could not be read: the groups then run.
pub(crate) fn open_for_run(
    repo: &Repo,
    config: &Config,
    plan: &Plan<'_>,
    no_cache: bool,
    source: &Source,
) -> Result<Option<Session>, String> {
    let cacheable: Vec<&Group> = plan
        .stages
        .iter()
        .filter(|s| s.skipped.is_none())
        .flat_map(|s| {
            s.groups
                .iter()
                .filter(|g| matches!(g.decision, Decision::Run { .. }))
                .filter(|g| cacheable(s.stage, g.group))
                .map(|g| g.group)
        })
        .collect();
    if cacheable.is_empty() {
        return Ok(None);
    }
    let untracked = cacheable.iter().any(|g| g.inputs.is_some());
    let store = Store::new(crate::state::shared_dir(repo, config).join("cache"));
    Session::open_from(repo, store, !no_cache, untracked, source).map(Some)
}

/// What content the commands of a run see, which the inputs are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// The work tree (with untracked files when a group names its inputs).
    WorkTree,
    /// A snapshot checkout of the index (pre-commit `isolation = "snapshot"`).
    Index,
    /// A snapshot checkout of this commit (a pushed commit).
    Commit(String),
}

/// Whether a group's passes may be stored and replayed at all.
pub(crate) fn cacheable(stage: &Stage, group: &Group) -> bool {
    group.cache && stage.name != "performance" && stage.gate.on_fail != OnFail::Inform
}

/// Whether a finished group is a clean pass worth storing: passed at the first
/// attempt, with no flaky and no quarantined test.
pub(crate) fn is_clean_pass(result: &GroupResult) -> bool {
    result.status == GroupStatus::Passed
        && result
            .tests
            .iter()
            .all(|t| matches!(t.status, TestStatus::Passed | TestStatus::Skipped))
}

/// One run's view of the cache: the inputs as they were when the run started,
/// and the key each group got (for the history).
pub(crate) struct Session {
    store: Store,
    /// `--no-cache`: look nothing up, but still store fresh passes.
    lookups: bool,
    inputs: Vec<InputFile>,
    /// The digest of every tracked file: the default inputs, shared by most groups.
    tracked_digest: String,
    keys: Mutex<BTreeMap<(String, String), Key>>,
}

impl Session {
    /// Read the inputs once for the run. `untracked`: some group names its
    /// `inputs`, and an untracked file matching them counts.
    pub(crate) fn open(
        repo: &Repo,
        store: Store,
        lookups: bool,
        untracked: bool,
    ) -> Result<Session, String> {
        Session::open_from(repo, store, lookups, untracked, &Source::WorkTree)
    }

    /// `open`, with the inputs read from `source`: a snapshot is keyed by
    /// its own content, never the live work tree's (issue 13: a broken
    /// staged file was replayed as a cached pass).
    pub(crate) fn open_from(
        repo: &Repo,
        store: Store,
        lookups: bool,
        untracked: bool,
        source: &Source,
    ) -> Result<Session, String> {
        let inputs = match source {
            Source::WorkTree => repo.input_files(untracked),
            Source::Index => repo.input_files_of(None),
            Source::Commit(commit) => repo.input_files_of(Some(commit)),
        }
        .map_err(|e| format!("cannot read the inputs for the cache: {e}"))?;
        let tracked_digest = inputs_digest(inputs.iter().filter(|f| f.tracked));
        Ok(Session {
            store,
            lookups,
            inputs,
            tracked_digest,
            keys: Mutex::new(BTreeMap::new()),
        })
    }

    /// The key of a group, remembered for the history.
    pub(crate) fn key(
        &self,
        stage: &str,
        group: &Group,
        argvs: &[Vec<OsString>],
        env: &[(OsString, OsString)],
        program: &ProgramStamp,
    ) -> Key {
        let inputs = match &group.inputs {
            None => self.tracked_digest.clone(),
            Some(globs) => inputs_digest(self.inputs.iter().filter(|f| globs.is_match(&f.path))),
        };
        let env_inputs = key::env_input_values(&group.env_inputs, std::env::vars_os());
        let key = compute(&KeyInput {
            stage,
            group,
            argvs,
            env,
            env_inputs: &env_inputs,
            program,
            version: env!("CARGO_PKG_VERSION"),
            inputs: &inputs,
        });
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((stage.to_owned(), group.name.clone()), key.clone());
        key
    }

    /// The stored pass for `key`, unless `--no-cache`.
    pub(crate) fn lookup(&self, key: &Key) -> Lookup {
        if self.lookups {
            self.store.lookup(key)
        } else {
            Lookup::Miss
        }
    }

    /// Why a key misses: the parts that changed since the group's last stored pass.
    pub(crate) fn why_missed(&self, stage: &str, group: &str, key: &Key) -> String {
        match self.store.last_key(stage, group) {
            None => "no earlier pass stored".to_owned(),
            Some(last) if last.digest == key.digest => {
                "its last pass was evicted from the cache".to_owned()
            }
            Some(last) => format!("changed: {}", changed_parts(&last, key).join(", ")),
        }
    }

    /// Store a clean pass; other results are ignored.
    pub(crate) fn store(&self, key: &Key, result: &GroupResult) -> std::io::Result<()> {
        if !is_clean_pass(result) {
            return Ok(());
        }
        self.store.save(Entry {
            format: 0,
            key: key.clone(),
            stage: result.stage.clone(),
            group: result.name.clone(),
            command: result.command.clone(),
            exit_code: result.exit_code,
            duration: result.duration,
            tests: result.tests.clone(),
            coverage: result.coverage,
            stored_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        })
    }

    /// The keys given to groups in this run, by `(stage, group)`.
    pub(crate) fn keys(&self) -> BTreeMap<(String, String), Key> {
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// A hit, replayed: the recorded tests, shown as `cached`.
pub(crate) fn replay(entry: &Entry, duration: f64) -> GroupResult {
    GroupResult {
        stage: entry.stage.clone(),
        name: entry.group.clone(),
        status: GroupStatus::Cached,
        exit_code: entry.exit_code,
        duration,
        reason: Some(format!(
            "inputs unchanged since the pass of {} ({:.2}s saved)",
            entry.stored_at, entry.duration
        )),
        tests: entry.tests.clone(),
        output: String::new(),
        hints: Vec::new(),
        command: entry.command.clone(),
        coverage: entry.coverage,
        // A replay takes no lock: it runs nothing.
        locks: Vec::new(),
        lock_wait_ms: None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::config::{CommandTemplate, FlakyResult, Group, NoTests};

    pub(crate) fn sample_group(run: &str) -> Group {
        Group {
            name: "unit".into(),
            run: CommandTemplate::parse(run).unwrap(),
            markers: vec!["unit".into()],
            files: None,
            always: false,
            workers: 1,
            timeout: None,
            ok_exit_codes: vec![0],
            no_tests: NoTests::Warn,
            retries: 0,
            flaky_result: FlakyResult::Pass,
            inputs: None,
            env_inputs: Vec::new(),
            cache: true,
            coverage: None,
            filter: crate::config::PathFilter::default(),
            tests: None,
            cwd: None,
            locks: Vec::new(),
            env: Vec::new(),
        }
    }
}
