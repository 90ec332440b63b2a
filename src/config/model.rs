//! The validated, immutable configuration every other module reads.
//!
//! Built only by `validate`: globs are compiled, `run` strings are split into
//! argv templates, durations parsed, names cross-checked. Nothing here does IO.

use std::path::PathBuf;
use std::time::Duration;

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::command::CommandTemplate;
pub(crate) use super::cwd::{relative_paths, run_folder, Cwd};
pub(crate) use super::path_filter::{is_text_file, PathFilter, PathRegex};

/// Where the configuration came from, for messages and `config --show-effective`.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    File(PathBuf),
    Embedded(&'static str),
}

#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) source: Source,
    pub(crate) settings: Settings,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) rules: Vec<SelectRule>,
    pub(crate) formatters: Vec<Formatter>,
    pub(crate) services: Vec<Service>,
    pub(crate) stages: Vec<Stage>,
    pub(crate) hooks: Hooks,
    pub(crate) hints: Vec<Hint>,
    pub(crate) quarantine: Vec<Quarantine>,
    pub(crate) verdict: VerdictSettings,
    pub(crate) notify_webhook_env: Option<String>,
    /// Valid but probably not meant (a marker typed wrong): `config` and
    /// `doctor` show them; a run does not.
    pub(crate) warnings: Vec<ConfigWarning>,
    /// The `[projects] members`, deepest last among nested ones; empty for a
    /// single project. Their stages are in `stages`, named `member:stage`.
    pub(crate) projects: Vec<Project>,
}

/// The project of the repository root's own config, as reports name it.
pub(crate) const ROOT_PROJECT: &str = ".";

/// A sub-project: a member directory with its own `.tiergate.toml`. Its
/// rules see paths relative to its directory, and only the paths it owns.
#[derive(Debug)]
pub(crate) struct Project {
    /// The directory as written after glob expansion (`packages/beta`).
    pub(crate) name: String,
    pub(crate) rules: Vec<SelectRule>,
    pub(crate) unmatched: Unmatched,
    pub(crate) run_all_triggers: Globs,
}

/// The project a qualified stage name (`backend:fast`) belongs to: the root's
/// is `"."`.
pub(crate) fn project_of(stage: &str) -> &str {
    stage
        .rsplit_once(':')
        .map_or(ROOT_PROJECT, |(project, _)| project)
}

/// A stage's name inside its project: `fast` for `backend:fast`.
pub(crate) fn base_stage_name(stage: &str) -> &str {
    stage.rsplit_once(':').map_or(stage, |(_, name)| name)
}

/// Something in a valid config that is probably a mistake.
#[derive(Debug, Clone)]
pub(crate) struct ConfigWarning {
    pub(crate) headline: String,
    pub(crate) location: Option<crate::error::Location>,
    pub(crate) hint: String,
}

impl std::fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.headline)?;
        if let Some(loc) = &self.location {
            write!(
                f,
                "\n  --> {}:{}:{}",
                loc.file.display(),
                loc.line,
                loc.column
            )?;
        }
        write!(f, "\nhint: {}", self.hint)
    }
}

impl Config {
    pub(crate) fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }

    pub(crate) fn stage_names(&self) -> Vec<&str> {
        self.stages.iter().map(|s| s.name.as_str()).collect()
    }

    /// The services `needs` names and every service they need in turn, each
    /// once and after the services it needs: the order to start them in.
    pub(crate) fn services_in_start_order(&self, needs: &[String]) -> Vec<String> {
        fn visit(config: &Config, name: &str, seen: &mut Vec<String>, order: &mut Vec<String>) {
            if seen.iter().any(|s| s == name) {
                return;
            }
            seen.push(name.to_owned());
            if let Some(service) = config.service(name) {
                for need in &service.needs {
                    visit(config, need, seen, order);
                }
            }
            order.push(name.to_owned());
        }
        let (mut seen, mut order) = (Vec::new(), Vec::new());
        for need in needs {
            visit(self, need, &mut seen, &mut order);
        }
        order
    }

    pub(crate) fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    pub(crate) fn formatter(&self, name: &str) -> Option<&Formatter> {
        self.formatters.iter().find(|f| f.name == name)
    }

    /// The member owning a repository-relative path: the deepest whose
    /// directory holds it; `None` means the root's config.
    pub(crate) fn owner(&self, path: &[u8]) -> Option<&Project> {
        self.projects
            .iter()
            .filter(|p| {
                path.strip_prefix(p.name.as_bytes())
                    .is_some_and(|rest| rest.first() == Some(&b'/'))
            })
            .max_by_key(|p| p.name.len())
    }
}

/// A list of globs as written, parsed (so a bad one is an error when the config is read) and
/// compiled into one matcher the first time a path is matched: a hook loads every glob of the
/// config and matches with a few, and compiling them all was a tenth of a quiet hook's
/// instructions (issue 21, S1).
#[derive(Debug, Clone)]
pub(crate) struct Globs {
    pub(crate) patterns: Vec<String>,
    globs: Vec<Glob>,
    set: std::sync::OnceLock<GlobSet>,
}

impl Globs {
    pub(crate) fn new(patterns: Vec<String>, globs: Vec<Glob>) -> Globs {
        Globs {
            patterns,
            globs,
            set: std::sync::OnceLock::new(),
        }
    }

    fn set(&self) -> &GlobSet {
        self.set.get_or_init(|| {
            let mut builder = GlobSetBuilder::new();
            for glob in &self.globs {
                builder.add(glob.clone());
            }
            // Only globs too large for the regex engine together fail here (parsing accepted
            // them): said once, and the globs that compile alone are kept.
            builder.build().unwrap_or_else(|e| {
                crate::ui::err(&format!(
                    "tiergate: warning: the globs {:?} are too large to match together ({e}); \
                     each is matched on its own, and one that cannot be matches nothing",
                    self.patterns
                ));
                let mut one_by_one = GlobSetBuilder::new();
                for glob in &self.globs {
                    if GlobSetBuilder::new().add(glob.clone()).build().is_ok() {
                        one_by_one.add(glob.clone());
                    } else if let Ok(never) = Glob::new("\0") {
                        // Keeps the others' positions (`matches`): no path holds a NUL.
                        one_by_one.add(never);
                    }
                }
                one_by_one.build().unwrap_or_else(|_| GlobSet::empty())
            })
        })
    }

    pub(crate) fn is_match(&self, path: &[u8]) -> bool {
        if self.globs.is_empty() {
            return false;
        }
        // globset matches on bytes-as-path; non-UTF-8 names are matched lossily,
        // which only matters for the non-UTF-8 part of the name itself.
        let candidate = globset::Candidate::new(bytes_as_path(path));
        self.set().is_match_candidate(&candidate)
    }

    pub(crate) fn matches(&self, path: &[u8]) -> Vec<usize> {
        if self.globs.is_empty() {
            return Vec::new();
        }
        let candidate = globset::Candidate::new(bytes_as_path(path));
        self.set().matches_candidate(&candidate)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

fn bytes_as_path(bytes: &[u8]) -> &std::path::Path {
    use std::os::unix::ffi::OsStrExt;
    std::path::Path::new(std::ffi::OsStr::from_bytes(bytes))
}

#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) jobs: usize,
    /// `jobs = "auto"` (or unset): the count follows the machine.
    pub(crate) jobs_auto: bool,
    pub(crate) state_dir: Option<PathBuf>,
    pub(crate) unmatched: Unmatched,
    pub(crate) run_all_triggers: Globs,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unmatched {
    All,
    Nothing,
    Markers(Vec<String>),
}

#[derive(Debug, Clone)]
pub(crate) struct SelectRule {
    pub(crate) paths: Globs,
    pub(crate) markers: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Formatter {
    pub(crate) name: String,
    pub(crate) run: CommandTemplate,
    pub(crate) files: Globs,
    pub(crate) exclude: Globs,
    /// `files_regex` and `exclude_regex` (its `exclude` stays above).
    pub(crate) filter: PathFilter,
    /// Only the files git considers text.
    pub(crate) text_only: bool,
    /// Where it runs: it gets only the staged files inside, relative to it.
    pub(crate) cwd: Option<Cwd>,
    /// Its project's own `[env]` when it is a member's (on top of the root's); else empty.
    pub(crate) env: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub(crate) struct Service {
    pub(crate) name: String,
    /// Services to have ready before this one (no cycles: refused at load).
    pub(crate) needs: Vec<String>,
    pub(crate) check: CommandTemplate,
    pub(crate) start: Option<CommandTemplate>,
    pub(crate) stop: Option<CommandTemplate>,
    pub(crate) retries: u32,
    pub(crate) interval: Duration,
    pub(crate) cwd: Option<Cwd>,
    /// Its project's own `[env]` when it is a member's (on top of the root's); else empty.
    pub(crate) env: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub(crate) struct Stage {
    /// Qualified by its project when it is a member's: `backend:fast`.
    pub(crate) name: String,
    /// `"."` for the root's config, else the member directory.
    pub(crate) project: String,
    pub(crate) groups: Vec<Group>,
    pub(crate) gate: Gate,
    pub(crate) needs: Vec<String>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) budget: Option<Budget>,
}

impl Stage {
    pub(crate) fn group(&self, name: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.name == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoTests {
    Pass,
    Warn,
    Fail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlakyResult {
    Pass,
    Fail,
}

#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub(crate) name: String,
    pub(crate) run: CommandTemplate,
    pub(crate) markers: Vec<String>,
    pub(crate) files: Option<Globs>,
    pub(crate) always: bool,
    pub(crate) workers: usize,
    pub(crate) timeout: Option<Duration>,
    pub(crate) ok_exit_codes: Vec<i32>,
    pub(crate) no_tests: NoTests,
    pub(crate) retries: u32,
    pub(crate) flaky_result: FlakyResult,
    pub(crate) inputs: Option<Globs>,
    pub(crate) env_inputs: Vec<String>,
    pub(crate) cache: bool,
    pub(crate) coverage: Option<PathBuf>,
    /// `exclude`, `files_regex` and `exclude_regex`.
    pub(crate) filter: PathFilter,
    /// The test files the group owns; set, the import graph selects among them (`{tests}`).
    pub(crate) tests: Option<Globs>,
    /// Where the command runs; `{files}` and `{tests}` are relative to it.
    pub(crate) cwd: Option<Cwd>,
    /// Shared resources it must have to itself: sorted, each once.
    pub(crate) locks: Vec<String>,
    /// Its project's own `[env]` when it is a member's (on top of the root's); else empty.
    pub(crate) env: Vec<(String, String)>,
}

impl Group {
    /// The slots it takes and what `{workers}` says: never more than `jobs`,
    /// which a group could not have anyway.
    pub(crate) fn workers_within(&self, jobs: usize) -> usize {
        self.workers.min(jobs.max(1))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailWhen {
    Any,
    Rate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnFail {
    Block,
    Warn,
    Inform,
}

#[derive(Debug, Clone)]
pub(crate) struct Gate {
    pub(crate) fail_when: FailWhen,
    pub(crate) max_failure_rate: f64,
    pub(crate) on_fail: OnFail,
    pub(crate) critical: Globs,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    pub(crate) warning: Option<Duration>,
    pub(crate) max: Option<Duration>,
}

/// A stage, or one group of it, named by a hook or on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) stage: String,
    pub(crate) group: Option<String>,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.group {
            Some(g) => write!(f, "{}.{g}", self.stage),
            None => f.write_str(&self.stage),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fix {
    Fail,
    Restage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Isolation {
    Stash,
    Snapshot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PushDirty {
    Warn,
    Block,
    Snapshot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReleaseSelection {
    All,
    SinceLastRelease,
}

#[derive(Debug, Clone)]
pub(crate) struct Hooks {
    pub(crate) pre_commit: PreCommit,
    pub(crate) pre_push: PrePush,
    pub(crate) pre_release: PreRelease,
    /// The other hooks the config names, each with its stages.
    pub(crate) other: Vec<OtherHook>,
    /// Every hook `[hooks.NAME]` names, in the config's order (the shims
    /// `install` writes besides the defaults).
    pub(crate) named: Vec<crate::hooks::HookKind>,
}

/// A hook beyond pre-commit, pre-push and pre-release: only its stages are set.
#[derive(Debug, Clone)]
pub(crate) struct OtherHook {
    pub(crate) kind: crate::hooks::HookKind,
    pub(crate) stages: Vec<Target>,
}

impl Hooks {
    /// The stages `kind` runs; none for a hook the config does not name.
    pub(crate) fn stages(&self, kind: crate::hooks::HookKind) -> Vec<Target> {
        use crate::hooks::HookKind;
        match kind {
            HookKind::PreCommit => self.pre_commit.stages.clone(),
            HookKind::PrePush => self.pre_push.stages.clone(),
            HookKind::PreRelease => self.pre_release.stages.clone(),
            _ => self
                .other
                .iter()
                .find(|h| h.kind == kind)
                .map(|h| h.stages.clone())
                .unwrap_or_default(),
        }
    }
}

impl Hooks {
    /// Every hook's target list, always in the same order: sub-projects
    /// rewrite them together.
    pub(crate) fn target_lists_mut(&mut self) -> Vec<&mut Vec<Target>> {
        vec![
            &mut self.pre_commit.stages,
            &mut self.pre_push.stages,
            &mut self.pre_release.stages,
        ]
    }
}

#[derive(Debug, Clone)]
pub(crate) struct PreCommit {
    pub(crate) stages: Vec<Target>,
    pub(crate) formatters: Vec<String>,
    pub(crate) fix: Fix,
    pub(crate) isolation: Isolation,
    pub(crate) share: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct PrePush {
    pub(crate) stages: Vec<Target>,
    pub(crate) push_dirty: PushDirty,
}

#[derive(Debug, Clone)]
pub(crate) struct PreRelease {
    pub(crate) stages: Vec<Target>,
    pub(crate) tag_pattern: Globs,
    pub(crate) selection: ReleaseSelection,
}

#[derive(Debug, Clone)]
pub(crate) struct Hint {
    pub(crate) pattern: regex::Regex,
    pub(crate) hint: String,
    /// The member whose config has it: it applies to that member's groups only. `None`
    /// (the root's) applies to every group.
    pub(crate) project: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Quarantine {
    pub(crate) test: String,
    pub(crate) reason: Option<String>,
    /// `YYYY-MM-DD`, compared as text against today's date.
    pub(crate) expires: Option<String>,
    /// The member whose config has it: it applies to that member's groups only. `None`
    /// (the root's) applies to every group.
    pub(crate) project: Option<String>,
}

/// Whether an entry of `owner`'s config (a member's name, `None` for the root's) applies
/// to a group of the stage named `stage` (`backend:fast`).
pub(crate) fn applies_to(owner: Option<&str>, stage: &str) -> bool {
    owner.is_none_or(|owner| owner == project_of(stage))
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct VerdictSettings {
    pub(crate) min_success_rate: f64,
}
