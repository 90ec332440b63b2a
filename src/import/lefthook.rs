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
use super::toml_out::{Draft, FormatterDraft, GroupDraft, Regexes, FAST, HOOK_TYPES, SMOKE};
use super::{get, get_bool, get_str, needs_shell, parse_yaml, scalar, sh_c, strings, Imported};
use crate::error::Error;

/// lefthook's file lists; tiergate's `{files}` is the changed files of the
/// hook (staged on commit, pushed on push; every file with `run --all`).
const FILE_PLACEHOLDERS: &[&str] = &["{staged_files}", "{push_files}", "{all_files}", "{files}"];

/// The git hooks lefthook can run that tiergate does not: they act on refs,
/// a remote's checkout or mail, not on a commit, push, merge or checkout.
const FOREIGN_HOOKS: &[&str] = &[
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
    let templates: Vec<(String, String)> = get(&doc, "templates")
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((scalar(k)?, scalar(v)?)))
        .collect();
    let context = Context {
        source_dir: &source_dir,
        doublestar,
        templates: &templates,
    };
    for (key, value) in map {
        let Some(key) = key.as_str() else { continue };
        match key {
            "pre-commit" => section(&mut draft, key, Some(SMOKE), value, &context),
            "pre-push" => section(&mut draft, key, Some(FAST), value, &context),
            // Read above, or only about lefthook's own output.
            "source_dir" | "glob_matcher" | "templates" | "colors" | "no_tty" | "skip_output"
            | "output" => {}
            "extends" | "remotes" => draft.untranslated(format!(
                "{key}: other lefthook configs are not merged: import them separately"
            )),
            other if HOOK_TYPES.contains(&other) => {
                section(&mut draft, other, Some(other), value, &context);
            }
            other if FOREIGN_HOOKS.contains(&other) => {
                section(&mut draft, other, None, value, &context);
            }
            "min_version"
            | "lefthook"
            | "rc"
            | "no_auto_install"
            | "assert_lefthook_installed"
            | "source_dir_local"
            | "skip_lfs" => draft.untranslated(format!(
                "{key}: a setting of lefthook itself, with no tiergate equivalent"
            )),
            other => draft.untranslated(format!(
                "`{other}` is not a git hook lefthook runs (a custom section?): not translated"
            )),
        }
    }
    Ok(Imported::from_draft(draft))
}

/// What every command of the file shares.
struct Context<'a> {
    source_dir: &'a str,
    doublestar: bool,
    /// `templates:` — `{name}` in a `run` stands for the value.
    templates: &'a [(String, String)],
}

/// Where a command lands: a hook name, and its tiergate stage (`None` for
/// a git hook tiergate does not run).
#[derive(Clone, Copy)]
struct Dest<'a> {
    hook: &'a str,
    stage: Option<&'a str>,
    /// lefthook runs the commands one by one and stops at a failure.
    piped: bool,
}

fn section(
    draft: &mut Draft,
    hook: &str,
    stage: Option<&str>,
    value: &Value,
    context: &Context<'_>,
) {
    let exclude_tags = strings(get(value, "exclude_tags"));
    let Some(map) = value.as_mapping() else {
        return;
    };
    let dest = Dest {
        hook,
        stage,
        piped: get_bool(value, "piped") == Some(true),
    };
    let mut conditions = Vec::new();
    for key in ["skip", "only"] {
        match get(value, key) {
            None | Some(Value::Bool(false)) => {}
            Some(Value::Bool(true)) if key == "skip" => {
                draft.untranslated(format!(
                    "{hook}: `skip: true`: lefthook never runs this hook, nor does tiergate"
                ));
                return;
            }
            Some(_) => conditions.push(format!(
                "the hook's `{key}` conditions are not translated: it runs every time"
            )),
        }
    }
    for (key, item) in map {
        let Some(key) = key.as_str() else { continue };
        match key {
            "commands" => {
                for (name, cmd) in item.as_mapping().into_iter().flatten() {
                    let name = scalar(name).unwrap_or_default();
                    draft.open_hook(&format!("{hook} command {name}"));
                    for c in &conditions {
                        draft.differs(c.clone());
                    }
                    command(draft, dest, &name, cmd, &exclude_tags, context);
                }
            }
            "jobs" => jobs(draft, dest, item, "", &exclude_tags, &conditions, context),
            "scripts" => {
                for (name, s) in item.as_mapping().into_iter().flatten() {
                    let name = scalar(name).unwrap_or_default();
                    draft.open_hook(&format!("{hook} script {name}"));
                    for c in &conditions {
                        draft.differs(c.clone());
                    }
                    script(draft, dest, &name, s, context.source_dir);
                }
            }
            // Groups run side by side in tiergate as well.
            "parallel" | "follow" | "exclude_tags" | "piped" | "skip" | "only" => {}
            other => draft.untranslated(format!("{hook}: key `{other}` is not translated")),
        }
    }
}

/// The `jobs` list: commands, scripts, and nested `group`s, flattened with
/// the group's name as a prefix.
fn jobs(
    draft: &mut Draft,
    dest: Dest<'_>,
    list: &Value,
    prefix: &str,
    exclude_tags: &[String],
    conditions: &[String],
    context: &Context<'_>,
) {
    for (i, job) in list.as_sequence().into_iter().flatten().enumerate() {
        let name = format!(
            "{prefix}{}",
            get_str(job, "name").unwrap_or_else(|| format!("job-{}", i + 1))
        );
        if let Some(group) = get(job, "group") {
            let mut inner = dest;
            inner.piped |= get_bool(group, "piped") == Some(true);
            let mut conditions = conditions.to_vec();
            for key in ["skip", "only"] {
                if get(job, key).is_some_and(|v| v.as_bool() != Some(false)) {
                    conditions.push(format!(
                        "group {name}'s `{key}` conditions are not translated: it runs every time"
                    ));
                }
            }
            if let Some(items) = get(group, "jobs") {
                jobs(
                    draft,
                    inner,
                    items,
                    &format!("{name}-"),
                    exclude_tags,
                    &conditions,
                    context,
                );
            }
            continue;
        }
        draft.open_hook(&format!("{} job {name}", dest.hook));
        for c in conditions {
            draft.differs(c.clone());
        }
        if let Some(file) = get_str(job, "script") {
            script(draft, dest, &file, job, context.source_dir);
        } else {
            command(draft, dest, &name, job, exclude_tags, context);
        }
    }
}

fn command(
    draft: &mut Draft,
    dest: Dest<'_>,
    name: &str,
    cmd: &Value,
    exclude_tags: &[String],
    context: &Context<'_>,
) {
    let hook = dest.hook;
    let Some(stage) = dest.stage else {
        draft.drop_hook(foreign(hook));
        return;
    };
    if strings(get(cmd, "tags"))
        .iter()
        .any(|t| exclude_tags.contains(t))
    {
        draft.drop_hook("its tag is in `exclude_tags`: lefthook never runs it either".into());
        return;
    }
    match get(cmd, "skip") {
        Some(Value::Bool(true)) => {
            draft.drop_hook("`skip: true`: lefthook never runs it either".into());
            return;
        }
        Some(Value::Bool(false)) | None => {}
        Some(_) => draft.differs(
            "its `skip` conditions (merge, rebase, ref, run) are not translated: it runs every time"
                .into(),
        ),
    }
    let Some(mut run) = get_str(cmd, "run") else {
        draft.drop_hook("it has no `run`".into());
        return;
    };
    for (key, value) in context.templates {
        run = run.replace(&format!("{{{key}}}"), value);
    }
    // lefthook's `{0}`, `{1}`, ...: git's arguments, all or one.
    let arguments: Vec<usize> = (0..=9)
        .filter(|n| run.contains(&format!("{{{n}}}")))
        .collect();
    let named = arguments.iter().all(|n| git_argument(hook, *n).is_some());
    if dest.piped {
        draft.differs(
            "piped: the commands after a failing one still run; the hook is blocked all the same"
                .into(),
        );
    }
    for key in cmd.as_mapping().into_iter().flat_map(|m| m.keys()) {
        match key.as_str().unwrap_or_default() {
            "run" | "glob" | "exclude" | "tags" | "stage_fixed" | "skip" | "env" | "fail_text"
            | "priority" | "name" | "root" => {}
            "only" => {
                if get(cmd, "only").is_some_and(|v| v.as_bool() != Some(true)) {
                    draft.differs(
                        "its `only` conditions are not translated: it runs every time".into(),
                    );
                }
            }
            "files" => draft.differs(
                "its `files` command is not run: it gets the changed files that match its glob"
                    .into(),
            ),
            "interactive" | "use_stdin" => draft.differs(format!(
                "`{}` is not translated: commands get no terminal input",
                key.as_str().unwrap_or_default()
            )),
            other => draft.differs(format!("key `{other}` is not translated")),
        }
    }
    for placeholder in other_placeholders(&run) {
        draft.differs(format!(
            "placeholder `{placeholder}` has no tiergate equivalent, left as written"
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
    if named {
        for n in &arguments {
            if let Some(placeholder) = git_argument(hook, *n) {
                direct = direct.replace(&format!("{{{n}}}"), placeholder);
            }
        }
    }
    let root = get_str(cmd, "root")
        .map(|r| r.trim().trim_end_matches('/').to_owned())
        .filter(|r| !r.is_empty() && r != ".");
    let direct_ok = root.is_none()
        && named
        && !needs_shell(&direct)
        && shell_words::split(&direct).is_ok_and(|words| {
            words
                .iter()
                .all(|w| w == "{files}" || !w.contains("{files}"))
        });
    let stage_fixed = restages || (get_bool(cmd, "stage_fixed") == Some(true) && stage == SMOKE);
    let rewrites = if direct_ok {
        known::rewrites_files(&shell_words::split(&direct).unwrap_or_default())
    } else {
        known::rewrites_files(&["sh".to_owned(), "-c".to_owned(), run.clone()])
    };
    let formatter = stage_fixed || (stage == SMOKE && rewrites);
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
        if arguments.is_empty() {
            sh_c(&script, uses_files)
        } else if uses_files {
            draft.differs(
                "it takes both files and git's arguments: the files are passed, `{1}`... left as written"
                    .into(),
            );
            sh_c(&script, true)
        } else {
            // git's arguments become the script's: `{1}` is `"$1"`.
            for n in &arguments {
                let arg = if *n == 0 {
                    "\"$@\"".to_owned()
                } else {
                    format!("\"${n}\"")
                };
                // `"{3}"` is already quoted.
                script = script
                    .replace(&format!("\"{{{n}}}\""), &arg)
                    .replace(&format!("{{{n}}}"), &arg);
            }
            format!("{} sh {{hook_args}}", sh_c(&script, false))
        }
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
        .map(|g| lefthook_glob(g, context.doublestar))
        .collect();
    if globs.iter().any(|g| g.starts_with("*/**/")) {
        draft.note("lefthook's default glob matcher needs a folder for a leading `**/`: `**/*.js` became `*/**/*.js`, which skips files at the root as lefthook did; write `*.js` for any depth");
    }
    if let Some(root) = &root {
        globs = root_globs(root, &globs);
    }
    let mut regex_exclude = None;
    let (exclude, _) = match get(cmd, "exclude") {
        None => (Vec::new(), None),
        Some(Value::Sequence(items)) => {
            let list: Vec<String> = items
                .iter()
                .filter_map(scalar)
                .map(|g| lefthook_glob(&g, context.doublestar))
                .collect();
            let text = list.join(", ");
            (list, Some(text))
        }
        Some(value) => {
            let regex = scalar(value).unwrap_or_default();
            match to_globs(&regex) {
                Some(list) => (list, Some(regex)),
                None => {
                    regex_exclude = Some(regex);
                    (Vec::new(), None)
                }
            }
        }
    };
    let tags = strings(get(cmd, "tags"));
    let comment = (!tags.is_empty()).then(|| format!("lefthook tags: {}", tags.join(", ")));
    let regexes = Regexes {
        files: None,
        exclude: regex_exclude,
    };
    if formatter {
        draft.restage |= stage_fixed;
        draft.add_formatter(FormatterDraft {
            name: name.to_owned(),
            run,
            files: if globs.is_empty() {
                vec![root.map_or_else(|| "*".to_owned(), |r| format!("{r}/**"))]
            } else {
                globs
            },
            exclude,
            comment,
            regexes,
            text_only: false,
        });
        return;
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
    // The other hooks run a command without a glob every time they fire.
    let every_time = !matches!(stage, SMOKE | FAST) && files.is_none();
    let run = if rewrites && matches!(stage, FAST | "pre-merge-commit") {
        // A fixer outside a commit: fail when it changed a file, rather
        // than let the edit pass unnoticed.
        super::pre_commit::fail_on_change(&run)
    } else {
        run
    };
    draft.add_group(
        stage,
        GroupDraft {
            name: name.to_owned(),
            run,
            files,
            exclude,
            regexes,
            comment,
            always: every_time,
            no_cache: reads_no_files(stage),
            ..GroupDraft::default()
        },
    );
}

/// Whether the hook's input is something other than the changed files (a
/// message, git's arguments) or it runs for its side effects (an install
/// after a checkout): a cached pass must never stand for it.
fn reads_no_files(stage: &str) -> bool {
    !matches!(stage, SMOKE | FAST | "pre-merge-commit")
}

/// lefthook's `{N}` (git's N-th argument) as tiergate's named placeholder,
/// where it has one; `{0}` is every argument.
fn git_argument(hook: &str, n: usize) -> Option<&'static str> {
    Some(match (hook, n) {
        ("pre-commit", _) => return None,
        // `{0}` is every argument; with one argument, `{hook_args}` is it
        // (post-merge's squash flag, post-rewrite's command).
        (_, 0) | ("post-merge" | "post-rewrite", 1) => "{hook_args}",
        ("commit-msg" | "prepare-commit-msg" | "applypatch-msg", 1) => "{msg_file}",
        ("prepare-commit-msg", 2) => "{msg_source}",
        ("prepare-commit-msg", 3) => "{commit_sha}",
        ("post-checkout", 1) => "{prev}",
        ("post-checkout", 2) => "{new}",
        _ => return None,
    })
}

/// Why a command of a hook tiergate does not run is not translated.
fn foreign(hook: &str) -> String {
    format!("tiergate does not run {hook} hooks: it runs the hooks that gate commits, pushes, merges, rebases and checkouts")
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

/// `{cmd}`, `{lefthook_job_name}`...: lefthook's other placeholders.
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
        // `{0}`..`{9}` are git's arguments, translated where they are used.
        let git_argument = inner.len() == 1 && inner.as_bytes()[0].is_ascii_digit();
        if !FILE_PLACEHOLDERS.contains(&candidate)
            && !shell_variable
            && !git_argument
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

fn script(draft: &mut Draft, dest: Dest<'_>, name: &str, s: &Value, source_dir: &str) {
    let hook = dest.hook;
    let Some(stage) = dest.stage else {
        draft.drop_hook(foreign(hook));
        return;
    };
    let path = format!("{}/{hook}/{name}", source_dir.trim_end_matches('/'));
    let mut run = match get_str(s, "runner") {
        Some(runner) => format!("{} {}", runner.trim(), shell_words::quote(&path)),
        None => shell_words::quote(&path).into_owned(),
    };
    // lefthook passes git's arguments to a script.
    if super::toml_out::takes_message(hook) && hook != "prepare-commit-msg" {
        run.push_str(" {msg_file}");
    } else if stage != SMOKE {
        run.push_str(" {hook_args}");
    }
    let other_hook = !matches!(stage, SMOKE | FAST);
    draft.add_group(
        stage,
        GroupDraft {
            name: name.to_owned(),
            run,
            comment: Some(format!("lefthook script {path}")),
            always: other_hook,
            no_cache: reads_no_files(stage),
            ..GroupDraft::default()
        },
    );
}

#[cfg(test)]
mod tests {
    use super::{lefthook_glob, other_placeholders};
    use std::path::Path;

    fn runs(yaml: &str) -> String {
        super::translate(yaml, Path::new("lefthook.yml"))
            .unwrap()
            .text
    }

    /// `{1}` is the message file on commit-msg, `prev` on post-checkout; an
    /// argument with no named placeholder becomes the script's `"$N"`.
    #[test]
    fn git_arguments_become_placeholders_or_the_scripts_arguments() {
        let text = runs("commit-msg:\n  commands:\n    lint:\n      run: commitlint --edit {1}\npost-checkout:\n  commands:\n    log:\n      run: ./log {1} {2}\n    deps:\n      run: test {3} = 1 && pnpm install\npre-rebase:\n  scripts:\n    guard.sh:\n      runner: bash\n");
        assert!(
            text.contains("run = \"commitlint --edit {msg_file}\"\nalways = true\ncache = false\n"),
            "{text}"
        );
        assert!(text.contains("run = \"./log {prev} {new}\""), "{text}");
        assert!(
            text.contains(r#"run = """sh -c 'test "$3" = 1 && pnpm install' sh {hook_args}""""#),
            "{text}"
        );
        assert!(
            text.contains("run = \"bash .lefthook/pre-rebase/guard.sh {hook_args}\""),
            "{text}"
        );
        for hook in ["commit-msg", "post-checkout", "pre-rebase"] {
            assert!(
                text.contains(&format!("[hooks.{hook}]\nstages = [\"{hook}\"]")),
                "{text}"
            );
        }
        assert!(!text.contains("not translated:"), "{text}");
    }

    #[test]
    fn hooks_tiergate_does_not_run_are_listed() {
        let text = runs("reference-transaction:\n  commands:\n    audit:\n      run: echo ref\n");
        assert!(
            text.contains("reference-transaction command audit: tiergate does not run reference-transaction hooks"),
            "{text}"
        );
    }

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
            other_placeholders(
                "check {staged_files} {0} {1} {cmd} ${HOME} {a b} {lefthook_job_name}"
            ),
            ["{cmd}", "{lefthook_job_name}"]
        );
    }
}
