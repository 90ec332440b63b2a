//! `.pre-commit-config.yaml` → a `Draft`: `repo: local` hooks by their
//! `entry`, well-known remote hooks by the local command they wrap.
//!
//! pre-commit filters files with Python regexes (`files`, `exclude`) and
//! `identify` tags (`types`, `types_or`); both become globs where an exact
//! equivalent exists (`regex_glob`, `known::tag_globs`), and are listed as
//! untranslated where not.

use std::path::Path;

use serde_norway::Value;

use super::known::{self, Kind};
use super::regex_glob::to_globs;
use super::toml_out::{
    takes_message, Draft, FormatterDraft, GroupDraft, Regexes, FAST, MANUAL, SMOKE,
};
use super::{get, get_bool, get_str, join_args, parse_yaml, sh_c, strings, Imported};
use crate::error::Error;

/// The config-wide settings every hook inherits.
struct Defaults {
    stages: Vec<String>,
    /// `default_install_hook_types`: where a hook without `stages` runs.
    install_types: Vec<String>,
    files: String,
    exclude: String,
}

pub(crate) fn translate(text: &str, source: &Path) -> Result<Imported, Error> {
    let doc = parse_yaml(text, source)?;
    let not_config = || {
        Error::new(format!(
            "{} is not a pre-commit config: it has no `repos:` list",
            source.display()
        ))
        .hint("pass the .pre-commit-config.yaml with --input FILE")
    };
    let map = doc.as_mapping().ok_or_else(not_config)?;
    let repos = get(&doc, "repos")
        .and_then(Value::as_sequence)
        .ok_or_else(not_config)?;
    let mut draft = Draft::new("pre-commit", &source.display().to_string());
    for key in map.keys().filter_map(Value::as_str) {
        match key {
            "repos"
            | "default_stages"
            | "files"
            | "exclude"
            | "minimum_pre_commit_version"
            | "default_install_hook_types" => {}
            "fail_fast" => {
                if get_bool(&doc, "fail_fast") == Some(true) {
                    draft.untranslated(FAIL_FAST.into());
                }
            }
            // Versions of the environments pre-commit builds; tiergate runs
            // the tools on PATH, whose versions the user installs.
            "default_language_version" => draft.note(
                "default_language_version: the tools run from PATH, so install them for that version",
            ),
            "ci" => draft.untranslated(
                "ci: pre-commit.ci settings have no equivalent (see `tiergate export github`)"
                    .into(),
            ),
            other => draft.untranslated(format!("top-level key `{other}` is unknown, ignored")),
        }
    }
    let install_types = match strings(get(&doc, "default_install_hook_types")) {
        types if types.is_empty() => vec!["pre-commit".to_owned()],
        types => types,
    };
    // pre-commit runs a hook only for the hook types it is installed for: a
    // `default_stages` entry of another type (pandas lists them all) never fires.
    let mut default_stages = strings(get(&doc, "default_stages"));
    let idle: Vec<String> = default_stages
        .iter()
        .filter(|name| {
            matches!(target_of(name), Some(Target::Hook(t)) if !install_types.iter().any(|i| target_of(i) == Some(Target::Hook(t))))
        })
        .cloned()
        .collect();
    if !idle.is_empty() {
        draft.untranslated(format!(
            "default_stages: {} left out: pre-commit is not installed for them (default_install_hook_types), so it never ran hooks there",
            idle.join(", ")
        ));
        default_stages.retain(|s| !idle.contains(s));
    }
    let defaults = Defaults {
        stages: default_stages,
        install_types,
        files: get_str(&doc, "files").unwrap_or_default(),
        exclude: get_str(&doc, "exclude").unwrap_or_default(),
    };
    for repo in repos {
        let url = get_str(repo, "repo").unwrap_or_default();
        let hooks = get(repo, "hooks")
            .and_then(Value::as_sequence)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for hook in hooks {
            translate_hook(&mut draft, &url, hook, &defaults);
        }
    }
    Ok(Imported::from_draft(draft))
}

/// pre-commit stops at the first failing hook; tiergate runs the rest of the
/// stage, so there is more output, but the commit is blocked the same.
const FAIL_FAST: &str =
    "fail_fast: the other groups of the stage still run; the commit is blocked all the same";

/// Where a pre-commit stage lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Stage(&'static str),
    /// Another git hook, with a stage of its own: its canonical name.
    Hook(&'static str),
}

/// pre-commit's stage names (and the legacy `commit`, `push`,
/// `merge-commit`) → where they land.
fn target_of(name: &str) -> Option<Target> {
    Some(match name {
        "pre-commit" | "commit" => Target::Stage(SMOKE),
        "pre-push" | "push" => Target::Stage(FAST),
        "manual" => Target::Stage(MANUAL),
        "pre-merge-commit" | "merge-commit" => Target::Hook("pre-merge-commit"),
        "commit-msg" => Target::Hook("commit-msg"),
        "prepare-commit-msg" => Target::Hook("prepare-commit-msg"),
        "post-checkout" => Target::Hook("post-checkout"),
        "post-commit" => Target::Hook("post-commit"),
        "post-merge" => Target::Hook("post-merge"),
        "post-rewrite" => Target::Hook("post-rewrite"),
        "pre-rebase" => Target::Hook("pre-rebase"),
        _ => return None,
    })
}

/// Flags that make a fixer exit non-zero after fixing: tiergate detects the
/// change itself, and they would make `fix = "restage"` fail every time.
const EXIT_ON_FIX: &[&str] = &[
    "--exit-non-zero-on-fix",
    "--exit-non-zero-on-format",
    "--exit-non-zero-on-formatting",
];

/// The source's regex in fancy-regex syntax: `\Z` is Python's end of text.
/// (`(?P<name>...)` and `(?P=name)` read the same in both.)
fn python_regex(regex: &str) -> String {
    regex.replace(r"\Z", r"\z")
}

/// Several regexes that must all match, as one.
fn all_of(regexes: &[String]) -> Option<String> {
    match regexes {
        [] => None,
        [one] => Some(python_regex(one)),
        many => Some(many.iter().fold(String::new(), |mut all, r| {
            all.push_str("(?=.*?(?:");
            all.push_str(&scoped(&python_regex(r)));
            all.push_str("))");
            all
        })),
    }
}

/// Several regexes any of which may match, as one.
fn any_of(regexes: &[String]) -> Option<String> {
    match regexes {
        [] => None,
        [one] => Some(python_regex(one)),
        many => Some(
            many.iter()
                .map(|r| format!("(?:{})", scoped(&python_regex(r))))
                .collect::<Vec<_>>()
                .join("|"),
        ),
    }
}

/// A leading `(?x)` applies to the whole regex; nested, it must be scoped.
fn scoped(regex: &str) -> String {
    match regex.trim().strip_prefix("(?x)") {
        Some(rest) => format!("(?x:{rest}\n)"),
        None => regex.trim().to_owned(),
    }
}

/// A short name for a repository URL: `owner/name`.
fn short_repo(url: &str) -> String {
    let trimmed = url.trim_end_matches('/').trim_end_matches(".git");
    let parts: Vec<&str> = trimmed.rsplitn(3, '/').collect();
    match parts.as_slice() {
        [name, owner, _] => format!("{owner}/{name}"),
        _ => trimmed.to_owned(),
    }
}

#[expect(
    clippy::too_many_lines,
    reason = "one pass over a hook's keys, in pre-commit's order"
)]
fn translate_hook(draft: &mut Draft, url: &str, hook: &Value, defaults: &Defaults) {
    let Some(id) = get_str(hook, "id") else {
        draft.open_hook(&format!("a hook of {url}"));
        draft.drop_hook("it has no `id`".into());
        return;
    };
    let local = url == "local";
    let label = if local || url == "meta" {
        format!("{id} ({url})")
    } else {
        format!("{id} ({})", short_repo(url))
    };
    draft.open_hook(&label);
    if url == "meta" {
        draft.drop_hook("meta hooks check pre-commit's own config".into());
        return;
    }
    let known = if local {
        None
    } else {
        known::known_hook(url, &id)
    };

    // Stages: the hook's own, else its manifest's, else `default_stages`,
    // else every hook type pre-commit is installed for.
    let mut stage_names = strings(get(hook, "stages"));
    if stage_names.is_empty() {
        if let Some(k) = known.filter(|k| !k.stages.is_empty()) {
            stage_names = k.stages.iter().map(|s| (*s).to_owned()).collect();
        }
    }
    if stage_names.is_empty() {
        stage_names.clone_from(&defaults.stages);
    }
    if stage_names.is_empty() {
        stage_names.clone_from(&defaults.install_types);
    }
    let mut stages: Vec<&str> = Vec::new();
    let mut hook_types: Vec<&str> = Vec::new();
    for name in &stage_names {
        match target_of(name) {
            Some(Target::Stage(stage)) if !stages.contains(&stage) => stages.push(stage),
            Some(Target::Hook(hook_type)) if !hook_types.contains(&hook_type) => {
                hook_types.push(hook_type);
            }
            Some(_) => {}
            None => draft.differs(format!(
                "stage `{name}` is not a git hook pre-commit knows, ignored"
            )),
        }
    }

    for key in hook.as_mapping().into_iter().flat_map(|m| m.keys()) {
        match key.as_str().unwrap_or_default() {
            "id"
            | "name"
            | "entry"
            | "language"
            | "files"
            | "exclude"
            | "types"
            | "types_or"
            | "exclude_types"
            | "stages"
            | "pass_filenames"
            | "args"
            | "always_run"
            | "additional_dependencies"
            | "require_serial"
            | "log_file"
            | "description"
            | "language_version"
            | "minimum_pre_commit_version"
            | "alias" => {}
            "verbose" => {
                if get_bool(hook, "verbose") == Some(true) {
                    draft.differs(
                        "verbose: its output is shown when it fails, and with `tiergate run -v`"
                            .into(),
                    );
                }
            }
            "fail_fast" => {
                if get_bool(hook, "fail_fast") == Some(true) {
                    draft.differs(FAIL_FAST.into());
                }
            }
            other => draft.differs(format!("key `{other}` is not translated")),
        }
    }
    let entry = get_str(hook, "entry").or_else(|| known.map(|k| k.entry.to_owned()));
    let Some(entry) = entry else {
        draft.drop_hook(format!(
            "unknown remote hook of {url}: add its command yourself (`tiergate` runs tools from PATH)"
        ));
        return;
    };
    if let Some(k) = known {
        draft.install(k.install);
    }
    let args = match get(hook, "args") {
        Some(value) => strings(Some(value)),
        None => known
            .map(|k| k.args.iter().map(|a| (*a).to_owned()).collect())
            .unwrap_or_default(),
    };
    let deps = strings(get(hook, "additional_dependencies"));
    if !deps.is_empty() {
        draft.note(&format!(
            "{id} ran with additional_dependencies [{}]: install them next to it",
            deps.join(", ")
        ));
    }
    let pass_filenames =
        get_bool(hook, "pass_filenames").unwrap_or_else(|| known.is_none_or(|k| k.pass_filenames));
    let always_run =
        get_bool(hook, "always_run").unwrap_or_else(|| known.is_some_and(|k| k.always_run));
    let language = get_str(hook, "language")
        .or_else(|| known.map(|k| k.language.to_owned()))
        .unwrap_or_default();

    // The command, and whether it already holds `{files}`.
    let (run, with_files) = match language.as_str() {
        "docker" | "docker_image" => {
            draft.drop_hook(format!(
                "language `{language}` runs in a container: run the tool directly (`language: system`)"
            ));
            return;
        }
        "fail" => (
            format!(
                "{} sh {} {{files}}",
                sh_c("echo \"$1\"; shift; printf '  %s\\n' \"$@\"; exit 1", false),
                shell_words::quote(&entry)
            ),
            true,
        ),
        "pygrep" => match pygrep(&entry, &args) {
            Ok(run) => {
                draft.note("pygrep hooks run `grep -P` (GNU grep): Perl regexes, as close to Python's as grep has");
                (run, true)
            }
            Err(why) => {
                draft.drop_hook(why);
                return;
            }
        },
        _ => (join_args(&entry, &args), false),
    };
    let mut argv = shell_words::split(&run).unwrap_or_default();
    let fixes = known.is_some_and(|k| k.kind == Kind::Formatter)
        || (!with_files && known::rewrites_files(&argv));
    let kind = if fixes {
        Kind::Formatter
    } else {
        Kind::Checker
    };
    // A local hook that edits files without taking them (a generator, a
    // lock file update, `make format`): pre-commit fails when it changed
    // anything, so the group does too.
    let edits = local
        && kind == Kind::Checker
        && !with_files
        && known::edits_by_name(&id, &get_str(hook, "name").unwrap_or_default(), &argv);
    let run = if kind == Kind::Formatter && argv.iter().any(|a| EXIT_ON_FIX.contains(&a.as_str())) {
        argv.retain(|a| !EXIT_ON_FIX.contains(&a.as_str()));
        argv.iter()
            .map(|a| shell_words::quote(a).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        run
    };

    // Files: the hook's own filters, else the manifest's, else the config's.
    let has_types = get(hook, "types").is_some() || get(hook, "types_or").is_some();
    let (types, types_or) = if has_types {
        (strings(get(hook, "types")), strings(get(hook, "types_or")))
    } else {
        (
            known
                .map(|k| k.types_and.iter().map(|t| (*t).to_owned()).collect())
                .unwrap_or_default(),
            known
                .map(|k| k.types.iter().map(|t| (*t).to_owned()).collect())
                .unwrap_or_default(),
        )
    };
    let exclude_types = strings(get(hook, "exclude_types"));
    let text_only = types.iter().any(|t| t == "text")
        || (!types_or.is_empty() && types_or.iter().all(|t| t == "text"))
        || exclude_types.iter().any(|t| t == "binary");
    let type_globs = type_globs(draft, &types, &types_or);
    let typed = type_globs.is_some();
    let own_files = get_str(hook, "files").filter(|f| !f.trim().is_empty());
    let top_files = Some(defaults.files.trim().to_owned()).filter(|f| !f.is_empty());
    let mut file_globs = None;
    let mut files_regexes: Vec<String> = Vec::new();
    for regex in own_files.iter().chain(&top_files) {
        let regex = regex.trim();
        match to_globs(regex) {
            Some(globs) if file_globs.is_none() => file_globs = Some(globs),
            // Both must match: one as globs, the other as a regex.
            Some(_) | None => files_regexes.push(regex.to_owned()),
        }
    }
    if own_files.is_none() && top_files.is_none() && !has_types {
        if let Some(k) = known.filter(|k| !k.globs.is_empty()) {
            file_globs = Some(k.globs.iter().map(|g| (*g).to_owned()).collect());
        }
    }
    let files = match combine(file_globs.clone(), type_globs.clone()) {
        Some(combined) => Some(dedup(combined)),
        None => {
            // No exact glob for files × types: the types as globs, the
            // files regex searched as pre-commit does.
            if let Some(f) = own_files.as_ref().or(top_files.as_ref()) {
                if !files_regexes.contains(f) {
                    files_regexes.push(f.trim().to_owned());
                }
            }
            type_globs
        }
    };
    let mut exclude: Vec<String> = Vec::new();
    let mut exclude_regexes: Vec<String> = Vec::new();
    for regex in [
        get_str(hook, "exclude").unwrap_or_default(),
        defaults.exclude.clone(),
    ] {
        let regex = regex.trim();
        if regex.is_empty() || regex == "^$" {
            continue;
        }
        match to_globs(regex) {
            Some(globs) => exclude.extend(globs),
            None => exclude_regexes.push(regex.to_owned()),
        }
    }
    for tag in &exclude_types {
        match known::tag_globs(tag) {
            Some(globs) => exclude.extend(globs.iter().map(|g| (*g).to_owned())),
            None if tag == "binary" => {}
            None => draft.differs(format!(
                "exclude_types `{tag}` has no glob equivalent, so those files are not excluded"
            )),
        }
    }
    let regexes = Regexes {
        files: all_of(&files_regexes),
        exclude: any_of(&exclude_regexes),
    };
    let exclude = dedup(exclude);

    let comment = match known {
        Some(k) => Some(format!("{url} {id}; install: {}", k.install)),
        None if local => get_str(hook, "name").filter(|name| *name != id),
        None => Some(format!("{url} {id}")),
    };

    let mut runs_somewhere = !stages.is_empty();
    let mut never_ran: Vec<String> = Vec::new();
    for hook_type in &hook_types {
        let group = GroupDraft {
            name: id.clone(),
            comment: comment.clone(),
            ..GroupDraft::default()
        };
        let group = if takes_message(hook_type) {
            // pre-commit passes the message file as the hook's one file,
            // through the hook's filters like any file.
            if typed || !takes_message_file(files.as_ref(), &exclude, &regexes) {
                never_ran.push(format!(
                    "on {hook_type} pre-commit gives it only the message file, which its files or types do not match"
                ));
                continue;
            }
            let run = if with_files {
                run.replace("{files}", "{msg_file}")
            } else if local
                && reads_environment(&language, &argv)
                && *hook_type == "prepare-commit-msg"
            {
                with_pre_commit_environment(hook_type, &run, pass_filenames)
            } else if pass_filenames {
                format!("{run} {{msg_file}}")
            } else {
                run.clone()
            };
            GroupDraft {
                run,
                always: true,
                no_cache: true,
                ..group
            }
        } else if *hook_type == "pre-merge-commit" {
            // The merge's files, filtered as on commit; a fixer fails when it
            // changed one, as pre-commit does outside a commit's formatters.
            let mut run = if pass_filenames && !with_files {
                format!("{run} {{files}}")
            } else {
                run.clone()
            };
            if kind == Kind::Formatter || edits {
                run = fail_on_change(&run);
            }
            let mut exclude = exclude.clone();
            if text_only {
                exclude.extend(known::BINARY_GLOBS.iter().map(|g| (*g).to_owned()));
            }
            GroupDraft {
                run,
                files: if always_run {
                    files.clone()
                } else {
                    files.clone().or_else(|| Some(vec!["*".to_owned()]))
                },
                exclude,
                regexes: regexes.clone(),
                always: always_run,
                ..group
            }
        } else {
            // post-checkout, post-commit, post-merge, post-rewrite and
            // pre-rebase operate on no file: pre-commit runs only the hooks
            // with `always_run: true`, and gives them no file.
            if !always_run {
                never_ran.push(format!(
                    "pre-commit runs {hook_type} hooks on no file, so it skips those without `always_run: true`"
                ));
                continue;
            }
            if with_files {
                never_ran.push(format!(
                    "on {hook_type} pre-commit gives it no file, so this `language: {language}` hook checked nothing"
                ));
                continue;
            }
            let run = if local && reads_environment(&language, &argv) {
                with_pre_commit_environment(hook_type, &run, false)
            } else {
                run.clone()
            };
            GroupDraft {
                run,
                always: true,
                no_cache: true,
                ..group
            }
        };
        draft.add_group(hook_type, group);
        runs_somewhere = true;
    }
    if !runs_somewhere && !never_ran.is_empty() {
        draft.drop_hook(format!("pre-commit never ran it: {}", never_ran.join("; ")));
    }

    // On commit and on push: one smoke group, settled by `Draft::settle_push`;
    // a formatter only fixes files on commit.
    let also_push = stages.contains(&SMOKE) && stages.contains(&FAST);
    if also_push && kind == Kind::Checker {
        stages.retain(|s| *s != FAST);
    }
    for stage in stages {
        if kind == Kind::Formatter && stage == SMOKE {
            // tiergate appends the files to a formatter; `sh -c` ignores them.
            let run = if !pass_filenames {
                format!("{} sh", sh_c(&run, false))
            } else if argv.first().is_some_and(|p| known::exits_1_on_fix(p)) {
                // Exit 1 means "fixed"; tiergate sees the fix itself, and a
                // failure would stop `fix = "restage"`.
                format!("{} sh {run}", sh_c("\"$@\" || [ \"$?\" -eq 1 ]", false))
            } else {
                run.clone()
            };
            draft.add_formatter(FormatterDraft {
                name: id.clone(),
                run,
                // pre-commit passes every file the filters let through.
                files: files.clone().unwrap_or_else(|| vec!["*".to_owned()]),
                exclude: exclude.clone(),
                comment: comment.clone(),
                text_only,
                regexes: regexes.clone(),
            });
            if always_run {
                draft.differs(
                    "always_run: as a formatter it runs when a file it takes is staged".into(),
                );
            }
            continue;
        }
        let mut run = if pass_filenames && !with_files {
            format!("{run} {{files}}")
        } else {
            run.clone()
        };
        if kind == Kind::Formatter || edits {
            // A fixer outside a commit, or a hook that edits other files:
            // fail when it changed a file, as pre-commit does, rather than
            // let the edit pass unnoticed.
            run = fail_on_change(&run);
        }
        // pre-commit skips a hook no file matches; a catch-all glob does the same.
        let files = match &files {
            None if !always_run => Some(vec!["*".to_owned()]),
            other => other.clone(),
        };
        let mut exclude = exclude.clone();
        if text_only {
            // Groups are planned without reading files: binary files are
            // left out by name (images, archives, fonts, ...).
            exclude.extend(known::BINARY_GLOBS.iter().map(|g| (*g).to_owned()));
        }
        draft.add_group(
            stage,
            GroupDraft {
                name: id.clone(),
                run,
                files,
                exclude,
                regexes: regexes.clone(),
                always: always_run,
                comment: comment.clone(),
                also_push: also_push && stage == SMOKE && kind == Kind::Checker,
                no_cache: false,
            },
        );
    }
}

/// Whether a local hook may read the variables pre-commit sets for it: a
/// script of the repository, or a program run by an interpreter. A tool
/// (`uv sync`, `npm ci`) does not.
fn reads_environment(language: &str, argv: &[String]) -> bool {
    const INTERPRETERS: &[&str] = &[
        "sh", "bash", "zsh", "python", "python3", "node", "ruby", "perl",
    ];
    language == "script"
        || argv
            .first()
            .is_some_and(|p| p.contains('/') || INTERPRETERS.contains(&p.as_str()))
}

/// `run` with the variables pre-commit sets for `hook_type` from git's
/// arguments (`PRE_COMMIT_FROM_REF`, ...), read from `{hook_args}`; with
/// `message`, the message file (the first argument) appended.
fn with_pre_commit_environment(hook_type: &str, run: &str, message: bool) -> String {
    let exports = match hook_type {
        "prepare-commit-msg" => "[ -n \"${2-}\" ] && export PRE_COMMIT_COMMIT_MSG_SOURCE=\"$2\"; [ -n \"${3-}\" ] && export PRE_COMMIT_COMMIT_OBJECT_NAME=\"$3\"",
        "post-checkout" => "export PRE_COMMIT_FROM_REF=\"$1\" PRE_COMMIT_TO_REF=\"$2\" PRE_COMMIT_CHECKOUT_TYPE=\"$3\"",
        "post-merge" => "export PRE_COMMIT_IS_SQUASH_MERGE=\"$1\"",
        "post-rewrite" => "export PRE_COMMIT_REWRITE_COMMAND=\"$1\"",
        "pre-rebase" => "export PRE_COMMIT_PRE_REBASE_UPSTREAM=\"$1\"; [ -n \"${2-}\" ] && export PRE_COMMIT_PRE_REBASE_BRANCH=\"$2\"",
        _ => return run.to_owned(),
    };
    let file = if message { " \"$1\"" } else { "" };
    format!(
        "{} sh {{hook_args}}",
        sh_c(&format!("{exports}; exec {run}{file}"), false)
    )
}

/// Whether pre-commit's filters let the commit message file through: git
/// names it `.git/COMMIT_EDITMSG`.
fn takes_message_file(files: Option<&Vec<String>>, exclude: &[String], regexes: &Regexes) -> bool {
    const MESSAGE: &str = ".git/COMMIT_EDITMSG";
    let globs_match = |globs: &[String]| {
        crate::config::compile_globs(globs.to_vec()).is_ok_and(|g| g.is_match(MESSAGE.as_bytes()))
    };
    let regex_matches = |regex: &Option<String>| {
        regex.as_ref().map(|r| {
            fancy_regex::Regex::new(r).is_ok_and(|re| re.is_match(MESSAGE).unwrap_or(false))
        })
    };
    files.is_none_or(|f| globs_match(f))
        && !globs_match(exclude)
        && regex_matches(&regexes.files) != Some(false)
        && regex_matches(&regexes.exclude) != Some(true)
}

/// `run` wrapped so that it fails when it changed the work tree, comparing
/// `git diff` before and after as pre-commit does for every hook.
pub(crate) fn fail_on_change(run: &str) -> String {
    let script = "before=$(git diff --no-ext-diff --binary | git hash-object --stdin); \"$@\" || exit; after=$(git diff --no-ext-diff --binary | git hash-object --stdin); if [ \"$before\" != \"$after\" ]; then echo 'files were modified by this hook:'; git --no-pager diff --stat; exit 1; fi";
    format!("{} sh {run}", sh_c(script, false))
}

/// A `language: pygrep` hook as a `grep` run that fails on a match (with
/// `--negate`, on a file without one), file names passed as arguments.
fn pygrep(pattern: &str, args: &[String]) -> Result<String, String> {
    let mut flags = String::from("P");
    let mut negate = false;
    let mut multiline = false;
    for arg in args {
        match arg.as_str() {
            "-i" | "--ignore-case" => flags.push('i'),
            "--negate" => negate = true,
            "--multiline" => multiline = true,
            other => {
                return Err(format!("pygrep argument `{other}` has no grep equivalent"));
            }
        }
    }
    // --multiline searches the whole file: `-z` reads it as one record,
    // `(?m)` keeps `^` and `$` at line ends.
    let pattern = if multiline {
        flags.push('z');
        format!("(?m){pattern}")
    } else {
        pattern.to_owned()
    };
    let script = if negate {
        format!("pattern=$1; shift; missing=$(grep -L{flags} -e \"$pattern\" -- \"$@\"); if [ -n \"$missing\" ]; then echo \"$missing\"; exit 1; fi")
    } else if multiline {
        format!("pattern=$1; shift; ! grep -l{flags} -e \"$pattern\" -- \"$@\"")
    } else {
        format!("pattern=$1; shift; ! grep -nH{flags} -e \"$pattern\" -- \"$@\"")
    };
    Ok(format!(
        "{} sh {} {{files}}",
        sh_c(&script, false),
        shell_words::quote(&pattern)
    ))
}

fn dedup(list: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in list {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// `types` (all must match) and `types_or` (any may match) as globs;
/// `None` when they do not restrict the files.
fn type_globs(draft: &mut Draft, types: &[String], types_or: &[String]) -> Option<Vec<String>> {
    let specific: Vec<&String> = types
        .iter()
        .filter(|t| !known::GENERIC_TAGS.contains(&t.as_str()))
        .collect();
    let and_globs = match specific.as_slice() {
        [] => None,
        [first, rest @ ..] => {
            if !rest.is_empty() {
                draft.differs(format!(
                    "types [{}] must all match; kept as the files of `{first}`",
                    types.join(", ")
                ));
            }
            tag_list(draft, first)
        }
    };
    let or_globs = if types_or.is_empty()
        || types_or
            .iter()
            .any(|t| known::GENERIC_TAGS.contains(&t.as_str()))
    {
        None
    } else {
        let mut globs = Vec::new();
        for tag in types_or {
            globs.extend(tag_list(draft, tag)?);
        }
        Some(globs)
    };
    or_globs.or(and_globs)
}

fn tag_list(draft: &mut Draft, tag: &str) -> Option<Vec<String>> {
    if let Some(globs) = known::tag_globs(tag) {
        return Some(globs.iter().map(|g| (*g).to_owned()).collect());
    }
    draft.differs(format!(
        "type `{tag}` has no glob equivalent, so it gets files of any type"
    ));
    None
}

/// `files` and `types` must both match. A folder (`src/**`) and a type
/// (`*.py`) combine into `src/**/*.py`, a prefix (`src*`) into `src*.py`;
/// a glob whose file name a type already matches (`*.pyi`, `python`) is kept
/// as it is. Any other pair has no exact glob: `None`, and the caller keeps
/// the files regex as a regex.
fn combine(files: Option<Vec<String>>, types: Option<Vec<String>>) -> Option<Vec<String>> {
    let (files, types) = match (files, types) {
        (Some(files), Some(types)) => (files, types),
        (Some(files), None) => return Some(files),
        (None, types) => return types,
    };
    let mut out = Vec::new();
    for glob in files {
        if let Some(folder) = glob.strip_suffix("**").filter(|f| f.ends_with('/')) {
            out.extend(types.iter().map(|t| format!("{folder}**/{t}")));
        } else if glob.ends_with('*') && !glob.ends_with("**") {
            out.extend(
                types
                    .iter()
                    .filter_map(|t| t.strip_prefix('*'))
                    .map(|suffix| format!("{glob}{suffix}")),
            );
        } else if types.iter().any(|t| {
            t.strip_prefix('*')
                .map_or(glob == *t || glob.ends_with(&format!("/{t}")), |suffix| {
                    glob.ends_with(suffix)
                })
        }) {
            out.push(glob);
        } else {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hook's regex and the config-wide one must both match; either
    /// exclude excludes.
    #[test]
    fn regexes_combine_as_pre_commit_applies_them() {
        let both = all_of(&[r"^src/(?!legacy/)".into(), "(?x)^(a|src)/\n".into()]).unwrap();
        let regex = fancy_regex::Regex::new(&both).unwrap();
        assert!(regex.is_match("src/x.py").unwrap());
        assert!(!regex.is_match("src/legacy/x.py").unwrap());
        assert!(!regex.is_match("a/x.py").unwrap());
        let either = any_of(&["^docs/".into(), r"\.lock\Z".into()]).unwrap();
        let regex = fancy_regex::Regex::new(&either).unwrap();
        assert!(regex.is_match("docs/a.md").unwrap());
        assert!(regex.is_match("uv.lock").unwrap());
        assert!(!regex.is_match("src/a.py").unwrap());
    }

    /// What pre-commit gives each hook type: the message file alone on
    /// commit-msg (through the hook's filters), no file at all on the post-*
    /// hooks and pre-rebase, so only `always_run` hooks ran there.
    #[test]
    fn other_git_hooks_run_what_pre_commit_ran_there() {
        let yaml = r"
default_install_hook_types: [pre-commit, commit-msg, post-checkout]
repos:
  - repo: local
    hooks:
      - id: msg
        entry: ./check-msg
        language: script
        stages: [commit-msg]
      - id: typed
        entry: mypy
        language: system
        types: [python]
        stages: [pre-commit, commit-msg]
      - id: sync
        entry: uv sync
        language: system
        stages: [post-checkout]
        always_run: true
      - id: guard
        entry: ./guard.sh
        language: script
        stages: [post-checkout]
        always_run: true
      - id: never
        entry: npm ci
        language: system
        stages: [post-checkout]
";
        let imported = translate(yaml, Path::new("p.yaml")).unwrap();
        let text = &imported.text;
        assert!(
            text.contains("[[stages.commit-msg.groups]]\nname = \"msg\"\nrun = \"./check-msg {msg_file}\"\nalways = true\ncache = false\n"),
            "{text}"
        );
        assert!(
            !text.contains("stages.commit-msg.groups]]\nname = \"typed\""),
            "{text}"
        );
        assert!(
            text.contains("name = \"sync\"\nrun = \"uv sync\"\nalways = true\ncache = false\n"),
            "{text}"
        );
        assert!(
            text.contains(r#"run = """sh -c 'export PRE_COMMIT_FROM_REF="$1" PRE_COMMIT_TO_REF="$2" PRE_COMMIT_CHECKOUT_TYPE="$3"; exec ./guard.sh' sh {hook_args}""""#),
            "{text}"
        );
        assert!(
            text.contains("[hooks.post-checkout]\nstages = [\"post-checkout\"]\n"),
            "{text}"
        );
        assert_eq!(
            imported.report,
            [
                "5 hooks: 4 translated, 0 translated with a difference, 1 not translated",
                "not translated:",
                "  never (local): pre-commit never ran it: pre-commit runs post-checkout hooks on no file, so it skips those without `always_run: true`",
            ]
        );
    }

    #[test]
    fn the_message_file_goes_through_the_hooks_filters() {
        let none = Regexes::default();
        assert!(takes_message_file(None, &[], &none));
        assert!(takes_message_file(Some(&vec!["*".into()]), &[], &none));
        assert!(!takes_message_file(
            Some(&vec!["src/**".into()]),
            &[],
            &none
        ));
        assert!(!takes_message_file(None, &["/.git/**".into()], &none));
        let anchored = Regexes {
            files: Some("^src/".into()),
            exclude: None,
        };
        assert!(!takes_message_file(None, &[], &anchored));
    }

    #[test]
    fn pygrep_flags_become_grep_flags() {
        let run = pygrep("TODO", &["-i".into(), "--multiline".into()]).unwrap();
        assert!(run.contains("grep -lPiz"), "{run}");
        assert!(run.contains("'(?m)TODO'"), "{run}");
        let negate = pygrep("^# SPDX", &["--negate".into()]).unwrap();
        assert!(negate.contains("grep -LP"), "{negate}");
        assert!(pygrep("x", &["--unknown".into()]).is_err());
    }

    /// The issue's report: a local `uv run ruff --fix --exit-non-zero-on-fix`
    /// hook kept its flag, and a client generator became a group whose
    /// edits went unnoticed.
    #[test]
    fn local_fixers_lose_exit_on_fix_flags_and_generators_fail_on_change() {
        let yaml = "repos:\n  - repo: local\n    hooks:\n      - id: ruff\n        entry: uv run ruff check --fix --exit-non-zero-on-fix\n        language: unsupported\n        types: [python]\n      - id: generate-client\n        entry: bash ./scripts/generate-client.sh\n        language: unsupported\n        pass_filenames: false\n        files: ^backend/\n";
        let imported = translate(yaml, Path::new("p.yaml")).unwrap();
        assert!(
            imported.text.contains("run = \"uv run ruff check --fix\""),
            "{}",
            imported.text
        );
        assert!(
            imported.text.contains("files were modified by this hook"),
            "{}",
            imported.text
        );
    }

    #[test]
    fn folders_and_types_combine() {
        assert_eq!(
            combine(Some(vec!["src/**".into()]), Some(vec!["*.py".into()])),
            Some(vec!["src/**/*.py".to_owned()])
        );
        assert_eq!(
            combine(
                Some(vec!["*.pyi".into()]),
                Some(vec!["*.py".into(), "*.pyi".into()])
            ),
            Some(vec!["*.pyi".to_owned()])
        );
        // `setup.cfg` is not a Python file: no glob is both.
        assert_eq!(
            combine(Some(vec!["/setup.cfg".into()]), Some(vec!["*.py".into()])),
            None
        );
        assert_eq!(
            combine(
                Some(vec!["/src*".into(), "src*/**".into()]),
                Some(vec!["*.c".into(), "Makefile".into()])
            ),
            Some(vec![
                "/src*.c".to_owned(),
                "src*/**/*.c".to_owned(),
                "src*/**/Makefile".to_owned()
            ])
        );
        assert_eq!(combine(None, None), None);
    }
}
