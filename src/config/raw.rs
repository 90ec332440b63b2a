//! The serde model of `.tiergate.toml`, exactly as written by the user.
//!
//! Every struct refuses unknown keys, and nothing here is interpreted: names
//! that later checks must point at are kept `Spanned`, so `validate` can name
//! the line and column. No `flatten`, no `untagged`: both degrade serde's
//! error messages.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "tiergate configuration (.tiergate.toml)")]
pub(crate) struct RawConfig {
    #[serde(default)]
    pub(crate) settings: RawSettings,
    #[serde(default)]
    pub(crate) env: IndexMap<String, String>,
    #[serde(default)]
    pub(crate) select: Vec<RawSelect>,
    #[serde(default)]
    pub(crate) formatters: IndexMap<String, RawFormatter>,
    #[serde(default)]
    pub(crate) services: IndexMap<String, RawService>,
    #[serde(default)]
    pub(crate) stages: IndexMap<String, RawStage>,
    #[serde(default)]
    pub(crate) hooks: RawHooks,
    #[serde(default)]
    pub(crate) hints: Vec<RawHint>,
    #[serde(default)]
    pub(crate) quarantine: Vec<RawQuarantine>,
    #[serde(default)]
    pub(crate) verdict: RawVerdict,
    #[serde(default)]
    pub(crate) notify: RawNotify,
    /// Sub-projects: only the repository root's config may declare them.
    pub(crate) projects: Option<RawProjects>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSettings {
    /// `"auto"` or a positive number: read as a value and checked by `validate`.
    #[schemars(with = "Option<serde_json::Value>")]
    pub(crate) jobs: Option<Spanned<toml::Value>>,
    pub(crate) state_dir: Option<String>,
    /// `"all"`, `"none"` or a list of markers.
    #[schemars(with = "Option<serde_json::Value>")]
    pub(crate) unmatched: Option<Spanned<toml::Value>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) run_all_triggers: Option<Vec<Spanned<String>>>,
    /// Added to the run-all triggers (the built-in ones, or `run_all_triggers`).
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) run_all_triggers_extra: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSelect {
    #[schemars(with = "Vec<String>")]
    pub(crate) paths: Vec<Spanned<String>>,
    /// A list of markers, or one as a string (`"all"`); checked by `validate`.
    #[schemars(with = "MarkersSchema")]
    pub(crate) markers: Spanned<toml::Value>,
}

/// What `markers` accepts, for the JSON Schema only (the value is read as a
/// `toml::Value` and checked by `validate`, which words the errors).
#[derive(JsonSchema)]
#[serde(untagged)]
#[expect(dead_code, reason = "describes the schema; never built")]
enum MarkersSchema {
    One(String),
    List(Vec<String>),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFormatter {
    #[schemars(with = "Option<String>")]
    pub(crate) run: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) files: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) exclude: Vec<Spanned<String>>,
    /// A path regex the files must also match (look-around allowed).
    #[schemars(with = "Option<String>")]
    pub(crate) files_regex: Option<Spanned<String>>,
    /// A path regex of files to leave out (look-around allowed).
    #[schemars(with = "Option<String>")]
    pub(crate) exclude_regex: Option<Spanned<String>>,
    /// Only files git considers text (no NUL byte in the first 8000 bytes, not a symlink).
    #[serde(default)]
    pub(crate) text_only: bool,
    /// The folder the command runs in, relative to the config's root; `{files}` and
    /// `{tests}` are passed relative to it, and files outside it are left out.
    #[schemars(with = "Option<String>")]
    pub(crate) cwd: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawService {
    #[schemars(with = "Option<String>")]
    pub(crate) check: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub(crate) start: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub(crate) stop: Option<Spanned<String>>,
    pub(crate) retries: Option<u32>,
    #[schemars(with = "Option<String>")]
    pub(crate) interval: Option<Spanned<String>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) needs: Option<Vec<Spanned<String>>>,
    /// The folder its `check`, `start` and `stop` commands run in, relative to the config's root.
    #[schemars(with = "Option<String>")]
    pub(crate) cwd: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStage {
    #[serde(default)]
    pub(crate) groups: Vec<RawGroup>,
    pub(crate) gate: Option<RawGate>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) needs: Vec<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub(crate) timeout: Option<Spanned<String>>,
    pub(crate) budget: Option<RawBudget>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGroup {
    #[schemars(with = "Option<String>")]
    pub(crate) name: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub(crate) run: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) markers: Vec<String>,
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) files: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub(crate) always: bool,
    #[schemars(with = "Option<i64>")]
    pub(crate) workers: Option<Spanned<i64>>,
    #[schemars(with = "Option<String>")]
    pub(crate) timeout: Option<Spanned<String>>,
    pub(crate) ok_exit_codes: Option<Vec<i32>>,
    #[schemars(with = "Option<String>")]
    pub(crate) no_tests: Option<Spanned<String>>,
    pub(crate) retries: Option<u32>,
    #[schemars(with = "Option<String>")]
    pub(crate) flaky_result: Option<Spanned<String>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) inputs: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub(crate) env_inputs: Vec<String>,
    pub(crate) cache: Option<bool>,
    pub(crate) coverage: Option<String>,
    /// Globs of changed files the group does not get, like a formatter's `exclude`.
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) exclude: Option<Vec<Spanned<String>>>,
    /// A path regex the files must also match (look-around allowed).
    #[schemars(with = "Option<String>")]
    pub(crate) files_regex: Option<Spanned<String>>,
    /// A path regex of files to leave out (look-around allowed).
    #[schemars(with = "Option<String>")]
    pub(crate) exclude_regex: Option<Spanned<String>>,
    /// Globs of the test files the group owns: it runs the ones the import graph says a
    /// change affects, passed as `{tests}`.
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) tests: Option<Vec<Spanned<String>>>,
    /// The folder the command runs in, relative to the config's root; `{files}` and
    /// `{tests}` are passed relative to it, and files outside it are left out.
    #[schemars(with = "Option<String>")]
    pub(crate) cwd: Option<Spanned<String>>,
    /// Names of shared resources (`["db"]`): two groups naming the same lock never
    /// run at the same time, in any stage or project.
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) locks: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGate {
    #[schemars(with = "Option<String>")]
    pub(crate) fail_when: Option<Spanned<String>>,
    #[schemars(with = "Option<f64>")]
    pub(crate) max_failure_rate: Option<Spanned<f64>>,
    #[schemars(with = "Option<String>")]
    pub(crate) on_fail: Option<Spanned<String>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) critical: Option<Vec<Spanned<String>>>,
    #[schemars(with = "Option<String>")]
    pub(crate) flaky_result: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBudget {
    #[schemars(with = "Option<String>")]
    pub(crate) warning: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub(crate) max: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHooks {
    #[serde(rename = "pre-commit")]
    pub(crate) pre_commit: Option<RawHook>,
    #[serde(rename = "pre-push")]
    pub(crate) pre_push: Option<RawHook>,
    #[serde(rename = "pre-release")]
    pub(crate) pre_release: Option<RawHook>,
}

/// One `[hooks.*]` table. Keys that only make sense for one hook are
/// refused for the others by `validate`, with the hook named.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHook {
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) stages: Option<Vec<Spanned<String>>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) formatters: Option<Vec<Spanned<String>>>,
    #[schemars(with = "Option<String>")]
    pub(crate) fix: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub(crate) isolation: Option<Spanned<String>>,
    pub(crate) share: Option<Vec<String>>,
    #[schemars(with = "Option<String>")]
    pub(crate) push_dirty: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub(crate) tag_pattern: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub(crate) selection: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHint {
    #[schemars(with = "String")]
    pub(crate) pattern: Spanned<String>,
    pub(crate) hint: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawQuarantine {
    #[schemars(with = "String")]
    pub(crate) test: Spanned<String>,
    pub(crate) reason: Option<String>,
    #[schemars(with = "Option<String>")]
    pub(crate) expires: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVerdict {
    pub(crate) min_success_rate: Option<f64>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNotify {
    pub(crate) webhook_env: Option<String>,
}

/// `[projects]`: directories with their own `.tiergate.toml` (issue 17).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProjects {
    /// Member directories relative to the root; `*`, `?` and `[...]` expand
    /// to the directories that exist (`packages/*`).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) members: Vec<Spanned<String>>,
}
