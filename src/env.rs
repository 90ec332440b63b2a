//! Every environment variable tiergate reads or sets, in one place.

/// `TIERGATE=0` disables the hooks for one command.
pub(crate) const TIERGATE: &str = "TIERGATE";
/// `TIERGATE_SKIP=fast,black` skips stages, groups or formatters for one run.
pub(crate) const TIERGATE_SKIP: &str = "TIERGATE_SKIP";
/// Set by CI systems; `ci-full` sets it for its commands.
pub(crate) const CI: &str = "CI";
pub(crate) const NO_COLOR: &str = "NO_COLOR";
/// git sets these for hooks; they decide which repository and index we see.
pub(crate) const GIT_INDEX_FILE: &str = "GIT_INDEX_FILE";
pub(crate) const GITHUB_STEP_SUMMARY: &str = "GITHUB_STEP_SUMMARY";
pub(crate) const GITHUB_ACTIONS: &str = "GITHUB_ACTIONS";
/// `--prometheus FILE` for runs started by a hook shim, which passes no flags.
pub(crate) const TIERGATE_PROMETHEUS: &str = "TIERGATE_PROMETHEUS";
/// `TIERGATE_EVENT_LOG=FILE`: each event of a run appended to FILE as one JSON line.
pub(crate) const TIERGATE_EVENT_LOG: &str = "TIERGATE_EVENT_LOG";
/// Test-only failpoints (debug builds): `after-stash:pause`, `mid-restore:pause`, ...
#[cfg(debug_assertions)]
pub(crate) const TIERGATE_FAILPOINT: &str = "TIERGATE_FAILPOINT";
/// Where a paused failpoint writes its marker file.
#[cfg(debug_assertions)]
pub(crate) const TIERGATE_FAILPOINT_MARKER: &str = "TIERGATE_FAILPOINT_MARKER";
/// Set on tiergate's own git commands: a path is a path, never a pattern.
pub(crate) const GIT_LITERAL_PATHSPECS: &str = "GIT_LITERAL_PATHSPECS";
/// Set on tiergate's own git commands: no opportunistic index refresh writes.
pub(crate) const GIT_OPTIONAL_LOCKS: &str = "GIT_OPTIONAL_LOCKS";

/// The value a command will see for `key`: the last of `env` (the command's
/// own variables, `[env]` over tiergate's) that names it, else tiergate's
/// own environment; an empty value counts as unset.
pub(crate) fn command_var(
    env: &[(std::ffi::OsString, std::ffi::OsString)],
    key: &str,
) -> Option<std::ffi::OsString> {
    env.iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .or_else(|| std::env::var_os(key))
        .filter(|v| !v.is_empty())
}
