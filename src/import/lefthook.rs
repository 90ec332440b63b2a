//! `lefthook.yml` → a `Draft`: the `pre-commit` and `pre-push` sections'
//! `commands`, `jobs` and `scripts`.
//!
//! lefthook runs `run` through `sh`; tiergate execs argv, so a `run` that uses
//! the shell becomes an explicit `sh -c '...'`, with the files passed as
//! `"$@"` arguments rather than pasted into the script.

use std::path::Path;

use serde_norway::Value;

use super::known;
use super::regex_glob::to_globs;
use super::toml_out::{Draft, FormatterDraft, GroupDraft, FAST, SMOKE};
use super::{get, get_bool, get_str, needs_shell, parse_yaml, scalar, sh_c, strings, Imported};
use crate::error::Error;

/// lefthook's file lists; tiergate's `{files}` is the changed files of the
/// hook (staged on commit, pushed on push; every file with `run --all`).
const FILE_PLACEHOLDERS: &[&str] = &["{staged_files}", "{push_files}", "{all_files}", "{files}"];

/// The other git hooks lefthook can run; tiergate has none of them.
const OTHER_HOOKS: &[&str] = &[
    "commit-msg",
    "prepare-commit-msg",
    "post-commit",
    "post-checkout",
    "post-merge",
    "post-rewrite",
    "pre-rebase",
    "pre-merge-commit",
    "pre-auto-gc",
    "applypatch-msg",
    "pre-applypatch",
    "post-applypatch",
    "reference-transaction",
    "push-to-checkout",
    "sendemail-validate",
];

pub(crate) fn translate(text: &str, source: &Path) -> Result<Imported, Error> {
    let doc = parse_yaml(text, source)?;
    let Some(map) = doc.as_mapping() else {
        return Err(Error::new(format!(
            "{} is not a lefthook config: it is not a mapping of hooks",
            source.display()
        ))
        .hint("pass the lefthook.yml with --input FILE"));
    };
    let mut draft = Draft::new("lefthook", &source.display().to_string());
    let source_dir = get_str(&doc, "source_dir").unwrap_or_else(|| ".lefthook/".into());
    let doublestar = get_str(&doc, "glob_matcher").as_deref() == Some("doublestar");
    for (key, value) in map {
        let Some(key) = key.as_str() else { continue };
        match key {
            "pre-commit" => section(&mut draft, key, SMOKE, value, &source_dir, doublestar),
            "pre-push" => section(&mut draft, key, FAST, value, &source_dir, doublestar),
            "min_version"
            | "colors"
            | "no_tty"
            | "source_dir"
            | "source_dir_local"
            | "skip_output"
            | "output"
            | "rc"
            | "assert_lefthook_installed"
            | "lefthook"
            | "glob_matcher"
            | "templates" => {}
            "extends" | "remotes" => draft.untranslated(format!(
                "{key}: other lefthook configs are not merged: import them separately"
            )),
            other if OTHER_HOOKS.contains(&other) => draft.untranslated(format!(
                "hook `{other}` has no tiergate equivalent, dropped"
            )),
            other => draft.untranslated(format!("top-level key `{other}` is unknown, ignored")),
        }
    }
    Ok(Imported::from_draft(draft))
}

fn section(
    draft: &mut Draft,
    hook: &str,
    stage: &str,
    value: &Value,
    source_dir: &str,
    doublestar: bool,
) {
    let exclude_tags = strings(get(value, "exclude_tags"));
    let Some(map) = value.as_mapping() else {
        return;
    };
    for (key, item) in map {
        let Some(key) = key.as_str() else { continue };
        match key {
            "commands" => {
                for (name, cmd) in item.as_mapping().into_iter().flatten() {
                    let name = scalar(name).unwrap_or_default();
                    command(draft, (hook, stage), &name, cmd, &exclude_tags, doublestar);
                }
            }
            "jobs" => {
                for (i, job) in item.as_sequence().into_iter().flatten().enumerate() {
                    let name = get_str(job, "name").unwrap_or_else(|| format!("job-{}", i + 1));
                    if let Some(file) = get_str(job, "script") {
                        script(draft, hook, stage, &file, job, source_dir);
                    } else if get(job, "group").is_some() {
                        draft.untranslated(format!(
                            "{hook} job {name}: nested job groups are not translated, dropped"
                        ));
                    } else {
                        command(draft, (hook, stage), &name, job, &exclude_tags, doublestar);
                    }
                }
            }
            "scripts" => {
                for (name, s) in item.as_mapping().into_iter().flatten() {
                    let name = scalar(name).unwrap_or_default();
                    script(draft, hook, stage, &name, s, source_dir);
                }
            }
            "parallel" | "follow" | "exclude_tags" => {}
            "piped" => {
                if item.as_bool() == Some(true) {
                    draft.untranslated(format!(
                        "{hook}: piped: tiergate runs the groups side by side, not one after another"
                    ));
                }
            }
            "skip" | "only" => draft.untranslated(format!(
                "{hook}: `{key}` conditions are not translated: the hook always runs"
            )),
            other => draft.untranslated(format!("{hook}: key `{other}` is not translated")),
        }
    }
}

fn command(
    draft: &mut Draft,
    (hook, stage): (&str, &str),
    name: &str,
    cmd: &Value,
    exclude_tags: &[String],
    doublestar: bool,
) {
    let label = format!("{hook} command {name}");
    if strings(get(cmd, "tags"))
        .iter()
        .any(|t| exclude_tags.contains(t))
    {
        // lefthook never runs it either.
        return;
    }
    match get(cmd, "skip") {
        Some(Value::Bool(true)) => {
            draft.untranslated(format!("{label}: `skip: true`, dropped"));
            return;
        }
        Some(Value::Bool(false)) | None => {}
        Some(_) => draft.untranslated(format!(
            "{label}: skip conditions are not translated: it always runs"
        )),
    }
    let Some(run) = get_str(cmd, "run") else {
        draft.untranslated(format!("{label}: no `run`, dropped"));
        return;
    };
    for key in cmd.as_mapping().into_iter().flat_map(|m| m.keys()) {
        match key.as_str().unwrap_or_default() {
            "run" | "glob" | "exclude" | "tags" | "stage_fixed" | "skip" | "env" | "fail_text"
            | "priority" | "name" | "root" => {}
            "only" => draft.untranslated(format!(
                "{label}: `only` conditions are not translated: it always runs"
            )),
            "files" => draft.untranslated(format!(
                "{label}: a `files` command is not translated: tiergate passes the changed files"
            )),
            "interactive" | "use_stdin" => draft.untranslated(format!(
                "{label}: `{}` is not translated: commands get no terminal input",
                key.as_str().unwrap_or_default()
            )),
            other => draft.untranslated(format!("{label}: key `{other}` is not translated")),
        }
    }
    for placeholder in other_placeholders(&run) {
        draft.untranslated(format!(
            "{label}: placeholder `{placeholder}` has no tiergate equivalent, left as written"
        ));
    }

    // `fmt {staged_files} && git add {staged_files}` is how lefthook configs
    // restaged before `stage_fixed`: a formatter, restaged by tiergate.
    let (run, restages) = match run.trim_end().rsplit_once("&& git add ") {
        Some((head, _)) if !head.contains("&&") && stage == SMOKE => (head.trim().to_owned(), true),
        _ => (run, false),
    };
    let uses_files = FILE_PLACEHOLDERS.iter().any(|p| run.contains(p));
    let mut direct = run.clone();
    for p in FILE_PLACEHOLDERS {
        direct = direct.replace(p, "{files}");
    }
    let root = get_str(cmd, "root")
        .map(|r| r.trim().trim_end_matches('/').to_owned())
        .filter(|r| !r.is_empty() && r != ".");
    let direct_ok = root.is_none()
        && !needs_shell(&direct)
        && shell_words::split(&direct).is_ok_and(|words| {
            words
                .iter()
                .all(|w| w == "{files}" || !w.contains("{files}"))
        });
    let stage_fixed = restages || (get_bool(cmd, "stage_fixed") == Some(true) && stage == SMOKE);
    let formatter = stage_fixed
        || (stage == SMOKE
            && direct_ok
            && known::rewrites_files(&shell_words::split(&direct).unwrap_or_default()));
    let mut run = if direct_ok {
        direct
    } else {
        let mut script = run.trim().to_owned();
        for p in FILE_PLACEHOLDERS {
            script = script.replace(p, "\"$@\"");
        }
        if let Some(root) = &root {
            script = in_root(root, &script, uses_files);
        }
        sh_c(&script, uses_files)
    };
    if formatter && !uses_files {
        // tiergate appends the files to a formatter; this command takes none.
        run = if direct_ok {
            format!("{} sh", sh_c(&run, false))
        } else {
            format!("{run} sh")
        };
    }
    if let Some(env) = get(cmd, "env").and_then(Value::as_mapping) {
        let mut prefix = String::from("env");
        for (k, v) in env {
            if let (Some(k), Some(v)) = (scalar(k), scalar(v)) {
                prefix.push(' ');
                prefix.push_str(&shell_words::quote(&format!("{k}={v}")));
            }
        }
        run = format!("{prefix} {run}");
    }

    let mut globs: Vec<String> = strings(get(cmd, "glob"))
        .iter()
        .map(|g| lefthook_glob(g, doublestar))
        .collect();
    if globs.iter().any(|g| g.starts_with("*/**/")) {
        draft.note("lefthook's default glob matcher needs a folder for a leading `**/`: `**/*.js` became `*/**/*.js`, which skips files at the root as lefthook did; write `*.js` for any depth");
    }
    if let Some(root) = &root {
        globs = root_globs(root, &globs);
    }
    let (exclude, exclude_text) = match get(cmd, "exclude") {
        None => (Vec::new(), None),
        Some(Value::Sequence(items)) => {
            let list: Vec<String> = items
                .iter()
                .filter_map(scalar)
                .map(|g| lefthook_glob(&g, doublestar))
                .collect();
            let text = list.join(", ");
            (list, Some(text))
        }
        Some(value) => {
            let regex = scalar(value).unwrap_or_default();
            match to_globs(&regex) {
                Some(list) => (list, Some(regex)),
                None => {
                    draft.untranslated(format!(
                        "{label}: exclude regex `{regex}` has no glob equivalent, dropped"
                    ));
                    (Vec::new(), None)
                }
            }
        }
    };
    let tags = strings(get(cmd, "tags"));
    let comment = (!tags.is_empty()).then(|| format!("lefthook tags: {}", tags.join(", ")));
    if formatter {
        draft.restage |= stage_fixed;
        draft.add_formatter(FormatterDraft {
            name: name.to_owned(),
            run,
            files: globs,
            exclude,
            comment,
        });
        return;
    }
    if let Some(text) = exclude_text {
        draft.untranslated(format!(
            "{label}: exclude `{text}` dropped: tiergate groups have no exclude, so those files are checked too"
        ));
    }
    // lefthook skips a command whose file list is empty; a catch-all glob does the same.
    let files = if !globs.is_empty() {
        Some(globs)
    } else if uses_files {
        Some(vec![
            root.map_or_else(|| "*".to_owned(), |r| format!("{r}/**"))
        ])
    } else {
        None
    };
    draft.add_group(
        stage,
        GroupDraft {
            name: name.to_owned(),
            run,
            files,
            always: false,
            comment,
            also_push: false,
        },
    );
}

/// lefthook's glob → tiergate's. By default (gobwas) `*` crosses folders, so
/// `*.js` is any depth as in tiergate, but a leading `**/` needs at least one
/// folder; with `glob_matcher: doublestar`, `*.js` is the root only.
fn lefthook_glob(glob: &str, doublestar: bool) -> String {
    if doublestar {
        if glob.contains('/') {
            glob.to_owned()
        } else {
            format!("/{glob}")
        }
    } else if let Some(rest) = glob.strip_prefix("**/") {
        format!("*/**/{rest}")
    } else {
        glob.to_owned()
    }
}

/// lefthook's `root`: the command runs in that folder and gets the files
/// relative to it, so the script strips the prefix from `"$@"` and `cd`s.
fn in_root(root: &str, script: &str, files: bool) -> String {
    let dir = shell_words::quote(root);
    let with_slash = format!("{root}/");
    let prefix = shell_words::quote(&with_slash);
    if files {
        format!(
            "n=$#; for f; do set -- \"$@\" \"${{f#{prefix}}}\"; done; shift \"$n\"; cd {dir} && {script}"
        )
    } else {
        format!("cd {dir} && {script}")
    }
}

/// Globs under `root`: a bare `*.js` at any depth below it.
fn root_globs(root: &str, globs: &[String]) -> Vec<String> {
    globs
        .iter()
        .map(|g| {
            if g.contains('/') {
                format!("{root}/{}", g.trim_start_matches('/'))
            } else {
                format!("{root}/**/{g}")
            }
        })
        .collect()
}

/// `{0}`, `{1}`, `{cmd}`, `{lefthook_job_name}`...: lefthook's other placeholders.
fn other_placeholders(run: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = run;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let candidate = &rest[start..=start + len];
        let inner = &candidate[1..candidate.len() - 1];
        let shell_variable = start > 0 && rest.as_bytes()[start - 1] == b'$';
        if !FILE_PLACEHOLDERS.contains(&candidate)
            && !shell_variable
            && !inner.is_empty()
            && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !found.iter().any(|f| f == candidate)
        {
            found.push(candidate.to_owned());
        }
        rest = &rest[start + len + 1..];
    }
    found
}

fn script(draft: &mut Draft, hook: &str, stage: &str, name: &str, s: &Value, source_dir: &str) {
    let path = format!("{}/{hook}/{name}", source_dir.trim_end_matches('/'));
    let run = match get_str(s, "runner") {
        Some(runner) => format!("{} {}", runner.trim(), shell_words::quote(&path)),
        None => shell_words::quote(&path).into_owned(),
    };
    draft.untranslated(format!(
        "{hook} script {name}: lefthook passed git's hook arguments to it; kept as `{run}` without them"
    ));
    draft.add_group(
        stage,
        GroupDraft {
            name: name.to_owned(),
            run,
            files: None,
            always: false,
            comment: Some(format!("lefthook script {path}")),
            also_push: false,
        },
    );
}

#[cfg(test)]
mod tests {
    use super::{lefthook_glob, other_placeholders};

    #[test]
    fn globs_keep_lefthooks_meaning() {
        assert_eq!(lefthook_glob("*.js", false), "*.js");
        assert_eq!(lefthook_glob("**/*.js", false), "*/**/*.js");
        assert_eq!(lefthook_glob("*.js", true), "/*.js");
        assert_eq!(lefthook_glob("**/*.js", true), "**/*.js");
    }

    #[test]
    fn finds_placeholders_tiergate_lacks() {
        assert_eq!(
            other_placeholders("check {staged_files} {0} {0} {cmd} ${HOME} {a b}"),
            ["{0}", "{cmd}"]
        );
    }
}
