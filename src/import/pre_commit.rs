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
use super::toml_out::{Draft, FormatterDraft, GroupDraft, FAST, MANUAL, SMOKE};
use super::{get, get_bool, get_str, join_args, parse_yaml, sh_c, strings, Imported};
use crate::error::Error;

/// The config-wide `files` and `exclude`, applied to every hook.
struct Defaults {
    stages: Vec<String>,
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
            | "default_language_version"
            | "minimum_pre_commit_version"
            | "default_install_hook_types" => {}
            "fail_fast" => {
                if get_bool(&doc, "fail_fast") == Some(true) {
                    draft.untranslated(
                        "fail_fast: tiergate runs every group of a stage; its gate blocks on any failure".into(),
                    );
                }
            }
            "ci" => draft.untranslated(
                "ci: pre-commit.ci settings have no equivalent (see `tiergate export github`)"
                    .into(),
            ),
            other => draft.untranslated(format!("top-level key `{other}` is unknown, ignored")),
        }
    }
    for name in strings(get(&doc, "default_stages")) {
        if stage_of(&name).is_none() {
            draft.untranslated(format!(
                "default_stages: stage `{name}` has no tiergate equivalent, dropped"
            ));
        }
    }
    let defaults = Defaults {
        stages: strings(get(&doc, "default_stages")),
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

/// pre-commit's stage names → tiergate stages.
fn stage_of(name: &str) -> Option<&'static str> {
    match name {
        "pre-commit" | "commit" => Some(SMOKE),
        "pre-push" | "push" => Some(FAST),
        "manual" => Some(MANUAL),
        _ => None,
    }
}

fn translate_hook(draft: &mut Draft, url: &str, hook: &Value, defaults: &Defaults) {
    let Some(id) = get_str(hook, "id") else {
        draft.untranslated(format!("a hook of `{url}` has no `id`, dropped"));
        return;
    };
    let label = format!("hook {id}");
    if url == "meta" {
        draft.untranslated(format!(
            "{label}: meta hooks check pre-commit's own config, dropped"
        ));
        return;
    }
    let mut stage_names = strings(get(hook, "stages"));
    let own_stages = !stage_names.is_empty();
    if !own_stages {
        stage_names.clone_from(&defaults.stages);
    }
    if stage_names.is_empty() {
        stage_names.push("pre-commit".into());
    }
    let mut stages: Vec<&str> = Vec::new();
    for name in &stage_names {
        match stage_of(name) {
            Some(stage) if !stages.contains(&stage) => stages.push(stage),
            // default_stages were listed once, in `translate`.
            None if own_stages => draft.untranslated(format!(
                "{label}: stage `{name}` has no tiergate equivalent, dropped"
            )),
            Some(_) | None => {}
        }
    }
    if stages.is_empty() {
        return;
    }

    for key in hook.as_mapping().into_iter().flat_map(|m| m.keys()) {
        match key.as_str().unwrap_or_default() {
            "id" | "name" | "entry" | "language" | "files" | "exclude" | "types" | "types_or"
            | "exclude_types" | "stages" | "pass_filenames" | "args" | "always_run"
            | "additional_dependencies" | "require_serial" | "verbose" | "log_file"
            | "description" | "language_version" | "minimum_pre_commit_version" | "alias" => {}
            "fail_fast" => draft.untranslated(format!(
                "{label}: fail_fast: tiergate runs every group of a stage; its gate blocks on any failure"
            )),
            other => draft.untranslated(format!("{label}: key `{other}` is not translated")),
        }
    }
    let local = url == "local";
    let known = if local {
        None
    } else {
        known::known_hook(url, &id)
    };
    let entry = get_str(hook, "entry").or_else(|| known.map(|k| k.entry.to_owned()));
    let Some(entry) = entry else {
        draft.untranslated(format!(
            "{label}: unknown remote hook of `{url}`, dropped: add its command yourself"
        ));
        return;
    };
    if known.is_some_and(|k| k.repos.contains(&"pre-commit/pre-commit-hooks")) {
        draft.note("the pre-commit-hooks commands (check-yaml, end-of-file-fixer, ...) come from `pip install pre-commit-hooks`");
    }
    if !local {
        draft.note(
            "remote hooks run the tools on your PATH: install them, pre-commit no longer does",
        );
    }
    let args = match get(hook, "args") {
        Some(value) => strings(Some(value)),
        None => known
            .map(|k| k.args.iter().map(|a| (*a).to_owned()).collect())
            .unwrap_or_default(),
    };
    let deps = strings(get(hook, "additional_dependencies"));
    if !deps.is_empty() {
        draft.untranslated(format!(
            "{label}: additional_dependencies [{}] are not installed by tiergate: install them yourself",
            deps.join(", ")
        ));
    }
    let pass_filenames =
        get_bool(hook, "pass_filenames").unwrap_or_else(|| known.is_none_or(|k| k.pass_filenames));
    let always_run = get_bool(hook, "always_run").unwrap_or(false);
    let language = get_str(hook, "language").unwrap_or_default();

    // The command, and whether it already holds `{files}`.
    let (run, with_files) = match language.as_str() {
        "docker" | "docker_image" => {
            draft.untranslated(format!(
                "{label}: language `{language}` runs in a container, dropped: run the tool directly"
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
        "pygrep" => {
            let mut flags = String::from("P");
            let mut negate = false;
            for arg in &args {
                match arg.as_str() {
                    "-i" | "--ignore-case" => flags.push('i'),
                    "--negate" => negate = true,
                    other => {
                        draft.untranslated(format!(
                            "{label}: pygrep argument `{other}` has no grep equivalent, hook dropped"
                        ));
                        return;
                    }
                }
            }
            draft.note("pygrep hooks run `grep -P` (GNU grep): Perl regexes, close to Python's");
            // Fail on a match; with --negate, on a file without one.
            let script = if negate {
                format!("pattern=$1; shift; missing=$(grep -L{flags} -e \"$pattern\" -- \"$@\"); if [ -n \"$missing\" ]; then echo \"$missing\"; exit 1; fi")
            } else {
                format!("pattern=$1; shift; ! grep -nH{flags} -e \"$pattern\" -- \"$@\"")
            };
            (
                format!(
                    "{} sh {} {{files}}",
                    sh_c(&script, false),
                    shell_words::quote(&entry)
                ),
                true,
            )
        }
        _ => (join_args(&entry, &args), false),
    };
    let argv = shell_words::split(&run).unwrap_or_default();
    let kind = match known.map(|k| k.kind) {
        Some(Kind::Formatter) => Kind::Formatter,
        _ if !with_files && known::rewrites_files(&argv) => Kind::Formatter,
        _ => Kind::Checker,
    };

    // Files: the hook's own filters, else the manifest's, else the config's.
    let has_types = get(hook, "types").is_some() || get(hook, "types_or").is_some();
    let (types, types_or) = if has_types {
        (strings(get(hook, "types")), strings(get(hook, "types_or")))
    } else {
        (
            Vec::new(),
            known
                .map(|k| k.types.iter().map(|t| (*t).to_owned()).collect())
                .unwrap_or_default(),
        )
    };
    let text_only = types.iter().chain(&types_or).any(|t| t == "text");
    let type_globs = type_globs(draft, &label, &types, &types_or);
    let own_files = get_str(hook, "files").filter(|f| !f.trim().is_empty());
    if own_files.is_some() && !defaults.files.trim().is_empty() {
        draft.untranslated(format!(
            "{label}: both its files and the top-level files `{}` must match; kept as its own",
            defaults.files.trim()
        ));
    }
    let files_regex = own_files.unwrap_or_else(|| defaults.files.clone());
    let files_regex = files_regex.trim();
    let mut file_globs = None;
    if !files_regex.is_empty() {
        match to_globs(files_regex) {
            Some(globs) => file_globs = Some(globs),
            None => draft.untranslated(format!(
                "{label}: files regex `{files_regex}` has no glob equivalent, kept as {}",
                type_globs
                    .as_ref()
                    .map_or("all files".to_owned(), |g| format!("`{}`", g.join(", ")))
            )),
        }
    } else if !has_types {
        if let Some(k) = known.filter(|k| !k.globs.is_empty()) {
            file_globs = Some(k.globs.iter().map(|g| (*g).to_owned()).collect());
        }
    }
    let files = combine(file_globs, type_globs).map(dedup);

    let exclude_regex = get_str(hook, "exclude").unwrap_or_default();
    let mut exclude: Vec<String> = Vec::new();
    let mut exclude_written: Vec<String> = Vec::new();
    for (regex, own) in [
        (exclude_regex.trim(), true),
        (defaults.exclude.trim(), false),
    ] {
        if regex.is_empty() || regex == "^$" {
            continue;
        }
        let whose = if own {
            label.clone()
        } else {
            "top-level".to_owned()
        };
        if own {
            exclude_written.push(format!("exclude `{regex}`"));
        }
        match to_globs(regex) {
            Some(globs) => exclude.extend(globs),
            None => draft.untranslated(format!(
                "{whose}: exclude regex `{regex}` has no glob equivalent, dropped"
            )),
        }
    }
    for tag in strings(get(hook, "exclude_types")) {
        exclude_written.push(format!("exclude_types `{tag}`"));
        match known::tag_globs(&tag) {
            Some(globs) => exclude.extend(globs.iter().map(|g| (*g).to_owned())),
            None => draft.untranslated(format!(
                "{label}: exclude_types `{tag}` has no glob equivalent, dropped"
            )),
        }
    }

    let comment = if local {
        get_str(hook, "name").filter(|name| *name != id)
    } else {
        Some(format!("{url} {id}"))
    };
    // On commit and on push: one smoke group, settled by `Draft::settle_push`;
    // a formatter only fixes files on commit.
    let also_push = stages.contains(&SMOKE) && stages.contains(&FAST);
    if also_push {
        stages.retain(|s| *s != FAST);
    }
    for stage in stages {
        if kind == Kind::Formatter && stage == SMOKE {
            let mut exclude = exclude.clone();
            if text_only {
                exclude.extend(known::BINARY_GLOBS.iter().map(|g| (*g).to_owned()));
            }
            // tiergate appends the files to a formatter; `sh -c` ignores them.
            let run = if pass_filenames {
                run.clone()
            } else {
                format!("{} sh", sh_c(&run, false))
            };
            draft.add_formatter(FormatterDraft {
                name: id.clone(),
                run,
                files: files.clone().unwrap_or_default(),
                exclude,
                comment: comment.clone(),
            });
            continue;
        }
        let top = defaults.exclude.trim();
        if !top.is_empty() && top != "^$" {
            draft.untranslated(format!(
                "top-level: exclude `{top}` applies to the formatters only: tiergate groups have no exclude"
            ));
        }
        for written in &exclude_written {
            draft.untranslated(format!(
                "{label}: {written} dropped: tiergate groups have no exclude, so those files are checked too"
            ));
        }
        let run = if pass_filenames && !with_files {
            format!("{run} {{files}}")
        } else {
            run.clone()
        };
        // pre-commit skips a hook no file matches; a catch-all glob does the same.
        let files = match &files {
            None if pass_filenames && !always_run => Some(vec!["*".to_owned()]),
            other => other.clone(),
        };
        draft.add_group(
            stage,
            GroupDraft {
                name: id.clone(),
                run,
                files,
                always: always_run,
                comment: comment.clone(),
                also_push: also_push && stage == SMOKE,
            },
        );
    }
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
fn type_globs(
    draft: &mut Draft,
    label: &str,
    types: &[String],
    types_or: &[String],
) -> Option<Vec<String>> {
    let specific: Vec<&String> = types
        .iter()
        .filter(|t| !known::GENERIC_TAGS.contains(&t.as_str()))
        .collect();
    let and_globs = match specific.as_slice() {
        [] => None,
        [first, rest @ ..] => {
            if !rest.is_empty() {
                draft.untranslated(format!(
                    "{label}: types [{}] must all match; kept as the files of `{first}`",
                    types.join(", ")
                ));
            }
            tag_list(draft, label, first)
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
            globs.extend(tag_list(draft, label, tag)?);
        }
        Some(globs)
    };
    or_globs.or(and_globs)
}

fn tag_list(draft: &mut Draft, label: &str, tag: &str) -> Option<Vec<String>> {
    if let Some(globs) = known::tag_globs(tag) {
        return Some(globs.iter().map(|g| (*g).to_owned()).collect());
    }
    draft.untranslated(format!(
        "{label}: type `{tag}` has no glob equivalent, kept as all files"
    ));
    None
}

/// `files` and `types` must both match. A folder (`src/**`) and a type
/// (`*.py`) combine into `src/**/*.py`, a prefix (`src*`) into `src*.py`;
/// any other file glob is kept as it is, being the more specific in practice.
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
        } else {
            out.push(glob);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_and_types_combine() {
        assert_eq!(
            combine(Some(vec!["src/**".into()]), Some(vec!["*.py".into()])),
            Some(vec!["src/**/*.py".to_owned()])
        );
        assert_eq!(
            combine(Some(vec!["*.pyi".into()]), Some(vec!["*.py".into()])),
            Some(vec!["*.pyi".to_owned()])
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
