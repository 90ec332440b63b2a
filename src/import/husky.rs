//! husky + lint-staged → a `Draft`: the `.husky/<hook>` scripts line by
//! line, and the lint-staged tasks they start, read from `package.json`'s
//! `lint-staged` key or a `.lintstagedrc*` file (JSON or YAML).
//!
//! lint-staged runs each task on the staged files its glob matches (a glob
//! without `/` matches the file name at any depth, as a tiergate glob does)
//! and stages what the tasks changed: its fixers become formatters with
//! `fix = "restage"`, its checks groups of `smoke`.

use serde_norway::Value;

use super::toml_out::{takes_message, Draft, FormatterDraft, GroupDraft, FAST, SMOKE};
use super::{known, needs_shell, scalar, sh_c, Imported};
use crate::error::Error;

/// The inputs, read by `cli::import`.
#[derive(Debug, Default)]
pub(crate) struct HuskyInput {
    /// `.husky/<name>` scripts: (hook name, text).
    pub(crate) hooks: Vec<(String, String)>,
    /// Where the lint-staged config was found, and its text.
    pub(crate) lint_staged: Option<LintStagedSource>,
}

#[derive(Debug)]
pub(crate) struct LintStagedSource {
    /// `package.json`, `.lintstagedrc.yaml`, ...
    pub(crate) file: String,
    pub(crate) text: String,
}

/// The client-side hooks of githooks(5): the files of `.husky/` that are hooks.
pub(crate) const GIT_HOOKS: &[&str] = &[
    "applypatch-msg",
    "pre-applypatch",
    "post-applypatch",
    "pre-commit",
    "pre-merge-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "pre-rebase",
    "post-checkout",
    "post-merge",
    "pre-push",
    "post-rewrite",
    "pre-auto-gc",
];

/// The lint-staged config files, in lint-staged's own order of lookup.
pub(crate) const LINT_STAGED_FILES: &[&str] = &[
    ".lintstagedrc",
    ".lintstagedrc.json",
    ".lintstagedrc.yaml",
    ".lintstagedrc.yml",
    ".lintstagedrc.mjs",
    ".lintstagedrc.js",
    ".lintstagedrc.cjs",
    "lint-staged.config.mjs",
    "lint-staged.config.js",
    "lint-staged.config.cjs",
];

pub(crate) fn translate(input: &HuskyInput, source: &str) -> Result<Imported, Error> {
    let mut draft = Draft::new("husky", source);
    let tasks = match &input.lint_staged {
        Some(found) => lint_staged_tasks(&mut draft, found)?,
        None => None,
    };
    let mut used_lint_staged = false;
    for (hook, text) in &input.hooks {
        // Every other hook has a stage of its own name.
        let stage = match hook.as_str() {
            "pre-commit" => SMOKE,
            "pre-push" => FAST,
            other => other,
        };
        for (n, line) in script_lines(text).into_iter().enumerate() {
            let label = format!("{hook} line {}: {}", n + 1, line);
            if runs_lint_staged(&line) {
                // Its tasks are the hooks reported, each on its own.
                if stage == SMOKE && tasks.is_some() {
                    used_lint_staged = true;
                    continue;
                }
                draft.open_hook(&label);
                if stage == SMOKE {
                    draft.drop_hook(match &input.lint_staged {
                        Some(found) => format!(
                            "its config {} is JavaScript, which tiergate does not run: write the tasks as .lintstagedrc.json",
                            found.file
                        ),
                        None => "no lint-staged config found (package.json `lint-staged`, .lintstagedrc*)".into(),
                    });
                } else {
                    draft.drop_hook(format!(
                        "lint-staged works on staged files, so it is translated for pre-commit only, not {hook}"
                    ));
                }
                continue;
            }
            draft.open_hook(&label);
            command_line(&mut draft, hook, stage, &line, n + 1);
        }
    }
    if let Some(tasks) = tasks {
        if !used_lint_staged && !input.hooks.is_empty() {
            draft.untranslated(
                "the lint-staged config is not run by any .husky hook; translated for pre-commit anyway"
                    .into(),
            );
        }
        for task in &tasks {
            add_task(&mut draft, task);
        }
    }
    Ok(Imported::from_draft(draft))
}

/// The commands of a husky script: no comments, no shebang, no husky
/// boilerplate (`. "$(dirname -- "$0")/_/husky.sh"`).
fn script_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| !l.contains("husky.sh") && !l.starts_with(". ") && *l != "exit 0")
        .map(str::to_owned)
        .collect()
}

fn runs_lint_staged(line: &str) -> bool {
    shell_words::split(line).is_ok_and(|words| {
        words.iter().any(|w| w == "lint-staged")
            && words
                .iter()
                .all(|w| !matches!(w.as_str(), "&&" | "||" | "|"))
    })
}

/// One line of a husky script: a group of the hook's stage.
fn command_line(draft: &mut Draft, hook: &str, stage: &str, line: &str, n: usize) {
    let mut run = line.to_owned();
    if takes_message(hook) {
        // `$1` is the message file.
        for form in ["\"${1}\"", "\"$1\"", "${1}", "$1"] {
            run = run.replace(form, "{msg_file}");
        }
    }
    let other_hook = stage != SMOKE && stage != FAST;
    let run = if !needs_shell(&run) {
        run
    } else if reads_arguments(&run) {
        // husky runs the script with git's arguments: `"$@"` again.
        format!("{} sh {{hook_args}}", sh_c(&run, false))
    } else {
        sh_c(&run, false)
    };
    if stage == FAST && line.split_whitespace().any(|w| w == "read") {
        draft
            .differs("it read git's pre-push lines on stdin; tiergate runs it without them".into());
    }
    draft.add_group(
        stage,
        GroupDraft {
            name: format!("{hook}-{n}"),
            run,
            comment: Some(format!(".husky/{hook}: {line}")),
            // husky runs every line of the script each time the hook fires.
            always: other_hook,
            no_cache: other_hook && hook != "pre-merge-commit",
            ..GroupDraft::default()
        },
    );
}

/// Whether a shell line reads the script's arguments (`$1`, `${2}`, `"$@"`).
fn reads_arguments(line: &str) -> bool {
    let bytes = line.as_bytes();
    bytes.windows(2).enumerate().any(|(i, pair)| {
        pair[0] == b'$'
            && (pair[1].is_ascii_digit()
                || matches!(pair[1], b'@' | b'*' | b'#')
                || (pair[1] == b'{' && bytes.get(i + 2).is_some_and(u8::is_ascii_digit)))
    })
}

/// One lint-staged task: a glob and one of its commands.
#[derive(Debug)]
struct Task {
    glob: String,
    command: String,
    index: usize,
}

/// The tasks of the lint-staged config; `None` when there is none to read
/// (a `JavaScript` config, listed as untranslated).
fn lint_staged_tasks(
    draft: &mut Draft,
    found: &LintStagedSource,
) -> Result<Option<Vec<Task>>, Error> {
    let file = found.file.as_str();
    if [".js", ".mjs", ".cjs"]
        .iter()
        .any(|ext| file.ends_with(ext))
    {
        draft.untranslated(format!(
            "{file}: a JavaScript config is code, not data; write its tasks as `.lintstagedrc.json` and import again"
        ));
        return Ok(None);
    }
    let doc = super::parse_yaml(&found.text, std::path::Path::new(file))?;
    let config = if file.ends_with("package.json") {
        match doc.as_mapping().and_then(|m| m.get("lint-staged")) {
            Some(config) => config.clone(),
            None => return Ok(None),
        }
    } else {
        doc
    };
    let Some(map) = config.as_mapping() else {
        return Err(Error::new(format!(
            "the lint-staged config in {file} is not a mapping of globs to commands"
        ))
        .hint("write it as { \"*.js\": \"eslint --fix\" }"));
    };
    let mut tasks = Vec::new();
    for (glob, commands) in map {
        let Some(glob) = scalar(glob) else { continue };
        let list: Vec<String> = match commands {
            Value::Sequence(items) => items.iter().filter_map(scalar).collect(),
            other => scalar(other).into_iter().collect(),
        };
        for (index, command) in list.into_iter().enumerate() {
            tasks.push(Task {
                glob: glob.clone(),
                command,
                index,
            });
        }
    }
    Ok(Some(tasks))
}

fn add_task(draft: &mut Draft, task: &Task) {
    draft.open_hook(&format!("lint-staged `{}`: {}", task.glob, task.command));
    let words = shell_words::split(&task.command).unwrap_or_default();
    if words.first().is_some_and(|w| w == "git") && words.get(1).is_some_and(|w| w == "add") {
        // lint-staged stages what the tasks changed by itself since v10;
        // tiergate's `fix = "restage"` does the same.
        return;
    }
    if task.glob.contains("!(") || task.glob.starts_with('!') {
        draft.differs(format!(
            "glob `{}` uses micromatch negation, which tiergate globs lack: it gets every staged file",
            task.glob
        ));
    }
    // lint-staged matches a glob without `/` against the file name at any
    // depth, which is what a tiergate glob without `/` does too.
    let files = if task.glob.contains("!(") || task.glob.starts_with('!') {
        vec!["*".to_owned()]
    } else {
        vec![task.glob.clone()]
    };
    let name = words
        .iter()
        .find(|w| {
            !matches!(
                w.as_str(),
                "npx" | "pnpm" | "yarn" | "bunx" | "exec" | "run" | "--"
            )
        })
        .cloned()
        .unwrap_or_else(|| "task".to_owned());
    let name = if task.index > 0 {
        format!("{name}-{}", task.index + 1)
    } else {
        name
    };
    // lint-staged execs the command (no shell) with the files appended.
    let run = if needs_shell(&task.command) {
        format!("{} sh", sh_c(&format!("{} \"$@\"", task.command), false))
    } else {
        task.command.clone()
    };
    if known::rewrites_files(&words) {
        // lint-staged stages every change a task makes; a formatter with
        // `fix = "restage"` is the same.
        draft.restage = true;
        draft.add_formatter(FormatterDraft {
            name,
            run,
            files,
            comment: Some(format!("lint-staged: \"{}\": {}", task.glob, task.command)),
            ..FormatterDraft::default()
        });
    } else {
        draft.add_group(
            SMOKE,
            GroupDraft {
                name,
                run: format!("{run} {{files}}"),
                files: Some(files),
                comment: Some(format!("lint-staged: \"{}\": {}", task.glob, task.command)),
                ..GroupDraft::default()
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// lint-staged restages what its tasks change: fixers become restaging
    /// formatters, checks groups; `git add` tasks are not needed.
    #[test]
    fn lint_staged_tasks_become_formatters_and_groups() {
        let input = HuskyInput {
            hooks: vec![("pre-commit".into(), "npx lint-staged\n".into())],
            lint_staged: Some(LintStagedSource {
                file: ".lintstagedrc.json".into(),
                text: r#"{"*.ts": ["eslint --fix", "tsc-files --noEmit", "git add"]}"#.into(),
            }),
        };
        let imported = translate(&input, ".husky").unwrap();
        assert!(
            imported
                .text
                .contains("[formatters.eslint]\nrun = \"eslint --fix\"\nfiles = [\"*.ts\"]"),
            "{}",
            imported.text
        );
        assert!(
            imported
                .text
                .contains("run = \"tsc-files --noEmit {files}\""),
            "{}",
            imported.text
        );
        assert!(
            imported.text.contains("fix = \"restage\""),
            "{}",
            imported.text
        );
        assert_eq!(
            imported.report[0],
            "3 hooks: 3 translated, 0 translated with a difference, 0 not translated"
        );
    }

    /// Every hook file husky may hold lands in a stage the draft writes.
    #[test]
    fn every_husky_hook_has_a_stage() {
        for hook in GIT_HOOKS {
            assert!(
                matches!(*hook, "pre-commit" | "pre-push")
                    || super::super::toml_out::HOOK_TYPES.contains(hook),
                "{hook}"
            );
        }
    }

    /// `$1` of commit-msg is `{msg_file}`; other arguments come from
    /// `{hook_args}`, as husky passes git's arguments to the script.
    #[test]
    fn git_arguments_reach_the_line() {
        let input = HuskyInput {
            hooks: vec![
                (
                    "commit-msg".into(),
                    "npx --no -- commitlint --edit \"$1\"\n".into(),
                ),
                (
                    "post-checkout".into(),
                    "[ \"$3\" = 1 ] && npm ci\nnpm run build\n".into(),
                ),
            ],
            lint_staged: None,
        };
        let text = translate(&input, ".husky").unwrap().text;
        assert!(text.contains("run = \"npx --no -- commitlint --edit {msg_file}\"\nalways = true\ncache = false\n"), "{text}");
        assert!(
            text.contains(r#"run = """sh -c '[ "$3" = 1 ] && npm ci' sh {hook_args}""""#),
            "{text}"
        );
        assert!(
            text.contains("run = \"npm run build\"\nalways = true"),
            "{text}"
        );
        assert!(reads_arguments("echo ${2}") && !reads_arguments("echo $HOME"));
    }

    #[test]
    fn husky_boilerplate_is_skipped() {
        let text = "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\nnpx lint-staged\n# comment\nnpm test\n";
        assert_eq!(script_lines(text), ["npx lint-staged", "npm test"]);
        assert!(runs_lint_staged("npx --no -- lint-staged"));
        assert!(runs_lint_staged("pnpm exec lint-staged --concurrent false"));
        assert!(!runs_lint_staged("npm test"));
    }
}
