//! Migration: a `.pre-commit-config.yaml`, a `lefthook.yml` or husky +
//! lint-staged → the text of an equivalent `.tiergate.toml`, with a report of
//! each hook: translated, translated with a difference, or not translated.
//!
//! Pure: YAML text in, TOML text out. Reading the input and writing the
//! output (and refusing to overwrite) belong to `cli::import`, which also
//! loads the result with `config::from_text` before writing it. Formatters
//! become `[formatters.*]`; checkers become groups of `smoke` (commit) or
//! `fast` (push), and the hooks of the other git hooks (commit-msg,
//! post-checkout, ...) groups of a stage named after the hook, which
//! `[hooks.NAME]` runs. Nothing is guessed silently: every approximation is named
//! in the file's header and on stdout.

mod husky;
mod known;
mod lefthook;
mod pre_commit;
mod regex_glob;
mod toml_out;

use std::path::Path;

use serde_norway::Value;

use crate::error::{Error, Location};

pub(crate) use husky::{
    translate as husky, HuskyInput, LintStagedSource, GIT_HOOKS, LINT_STAGED_FILES,
};
pub(crate) use known::install_for_program;
pub(crate) use lefthook::translate as lefthook;
pub(crate) use pre_commit::translate as pre_commit;

/// The result of an import.
#[derive(Debug)]
pub(crate) struct Imported {
    pub(crate) text: String,
    /// The import report: counts, then each difference and each untranslated
    /// hook with its reason.
    pub(crate) report: Vec<String>,
    pub(crate) formatters: Vec<String>,
    /// Groups per stage, for the summary line: (stage, count).
    pub(crate) groups: Vec<(String, usize)>,
}

impl Imported {
    fn from_draft(mut draft: toml_out::Draft) -> Imported {
        draft.settle_push();
        Imported {
            text: draft.render(),
            report: draft.report(),
            formatters: draft.formatters.iter().map(|f| f.name.clone()).collect(),
            groups: draft
                .stages()
                .into_iter()
                .map(|s| (s.to_owned(), draft.group_count(s)))
                .collect(),
        }
    }
}

/// Parse YAML, pointing at the line and column of a syntax error.
fn parse_yaml(text: &str, file: &Path) -> Result<Value, Error> {
    let mut value = serde_norway::from_str::<Value>(text).map_err(|e| {
        let location = e.location().map(|l| Location {
            file: file.to_path_buf(),
            line: l.line(),
            column: l.column(),
        });
        Error::new(format!("cannot parse {} as YAML: {e}", file.display()))
            .at(location)
            .hint("fix the YAML syntax, or pass the right file with --input FILE")
    })?;
    // `<<: *defaults` merge keys, as pre-commit's and lefthook's YAML readers apply them.
    value.apply_merge().map_err(|e| {
        Error::new(format!(
            "cannot read the YAML merge keys of {}: {e}",
            file.display()
        ))
        .hint("a `<<:` key must name a mapping (or a list of them)")
    })?;
    Ok(value)
}

/// The text of a scalar (`files: 1` is a number in YAML, a regex here).
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list of strings, or one string standing for a list of one.
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Sequence(items)) => items.iter().filter_map(scalar).collect(),
        Some(other) => scalar(other).into_iter().collect(),
        None => Vec::new(),
    }
}

fn get<'v>(map: &'v Value, key: &str) -> Option<&'v Value> {
    map.as_mapping().and_then(|m| m.get(key))
}

fn get_str(map: &Value, key: &str) -> Option<String> {
    get(map, key).and_then(scalar)
}

fn get_bool(map: &Value, key: &str) -> Option<bool> {
    get(map, key).and_then(Value::as_bool)
}

/// Whether `run` needs a shell: pipes, `&&`, `;`, redirections, `$VAR`,
/// globs, backquotes, `VAR=value` prefixes or shell builtins. tiergate execs
/// commands directly, so such strings become an explicit `sh -c '...'`.
fn needs_shell(run: &str) -> bool {
    const BUILTINS: &[&str] = &[
        "cd", "export", "source", ".", "if", "for", "while", "set", "unset", "exit", "[", "!",
    ];
    if run.contains(|c: char| "|&;<>$`()*?~\n".contains(c)) {
        return true;
    }
    match shell_words::split(run) {
        Ok(words) => words.first().is_none_or(|first| {
            BUILTINS.contains(&first.as_str()) || (first.contains('=') && !first.starts_with('-'))
        }),
        Err(_) => true,
    }
}

/// `sh -c 'SCRIPT' sh {files}` when `files` (the script reads them as
/// `"$@"`), else `sh -c 'SCRIPT'`: the file names stay arguments, never code.
fn sh_c(script: &str, files: bool) -> String {
    let quoted = shell_words::quote(script);
    if files {
        format!("sh -c {quoted} sh {{files}}")
    } else {
        format!("sh -c {quoted}")
    }
}

/// `program args...`, each arg quoted for tiergate's shell-word splitting.
fn join_args(entry: &str, args: &[String]) -> String {
    let mut run = entry.trim().to_owned();
    for arg in args {
        run.push(' ');
        run.push_str(&shell_words::quote(arg));
    }
    run
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, Source};

    /// Whatever the input, the output loads with the real loader.
    fn loads(imported: &Imported) -> config::Config {
        config::from_text(
            &imported.text,
            Path::new(".tiergate.toml"),
            Source::Embedded("test"),
        )
        .unwrap_or_else(|e| panic!("{e}\n---\n{}", imported.text))
    }

    #[test]
    fn awkward_pre_commit_hooks_still_load() {
        let yaml = r#"
repos:
  - repo: local
    hooks:
      - id: has.dots
        entry: "echo 'it''s' \"quoted\" {files}"
        language: system
      - id: has.dots
        entry: cargo fmt
        language: system
        pass_filenames: false
        types: [rust]
      - id: manual-only
        entry: ./slow.sh
        language: script
        stages: [manual]
        always_run: true
      - id: regex-with-quotes
        entry: check
        language: system
        files: "^it's/\"x\"\\.py$"
  - repo: https://github.com/doublify/pre-commit-rust
    rev: v1.0
    hooks:
      - id: fmt
      - id: clippy
"#;
        let imported = pre_commit(yaml, Path::new(".pre-commit-config.yaml")).unwrap();
        let config = loads(&imported);
        assert_eq!(config.stage_names(), ["smoke", "manual"]);
        let fmt = config.formatter("fmt").unwrap();
        // pass_filenames: false — the appended files go to `sh`, not to cargo.
        assert_eq!(fmt.run.source, "sh -c 'cargo fmt --' sh");
        let smoke = config.stage("smoke").unwrap();
        let names: Vec<&str> = smoke.groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["has-dots", "regex-with-quotes", "clippy"]);
        assert!(config.formatter("has-dots").is_some());
        assert!(config.stage("manual").unwrap().groups[0].always);
    }

    #[test]
    fn awkward_lefthook_commands_still_load() {
        let yaml = r#"
pre-commit:
  commands:
    "lint.js":
      run: FOO=1 eslint --format='{a}' {staged_files}
    inside:
      run: tool --files={staged_files}
    fmt:
      run: cargo fmt
      stage_fixed: true
pre-push:
  jobs:
    - run: cd web && npm test
    - name: grouped
      group:
        jobs:
          - run: "true"
"#;
        let imported = lefthook(yaml, Path::new("lefthook.yml")).unwrap();
        let config = loads(&imported);
        let smoke = config.stage("smoke").unwrap();
        assert_eq!(
            smoke.groups[0].run.source,
            "sh -c 'FOO=1 eslint --format='\\''{a}'\\'' \"$@\"' sh {files}"
        );
        assert_eq!(
            smoke.groups[1].run.source,
            "sh -c 'tool --files=\"$@\"' sh {files}"
        );
        assert_eq!(
            config.formatter("fmt").unwrap().run.source,
            "sh -c 'cargo fmt' sh"
        );
        assert_eq!(config.stage("fast").unwrap().groups[0].name, "job-1");
        assert_eq!(
            config.stage("fast").unwrap().groups[1].name,
            "grouped-job-1"
        );
    }

    fn push_targets(config: &config::Config) -> Vec<String> {
        config
            .hooks
            .pre_push
            .stages
            .iter()
            .map(|t| t.stage.clone())
            .collect()
    }

    /// pandas' `default_stages: [commit, push, commit-msg, ...]`: every hook
    /// runs on both, so the push hook runs smoke rather than a copy of it.
    #[test]
    fn hooks_on_commit_and_push_share_smoke() {
        let yaml = "default_stages: [commit, push, commit-msg]\nrepos:\n  - repo: local\n    hooks:\n      - id: a\n        entry: 'true'\n        language: system\n      - id: b\n        entry: 'true'\n        language: system\n";
        let imported = pre_commit(yaml, Path::new("p.yaml")).unwrap();
        let config = loads(&imported);
        assert_eq!(config.stage_names(), ["smoke"]);
        assert_eq!(push_targets(&config), ["smoke"]);
        assert_eq!(
            imported.report,
            [
                "2 hooks: 2 translated, 0 translated with a difference, 0 not translated",
                "other settings not translated:",
                "  default_stages: commit-msg left out: pre-commit is not installed for them (default_install_hook_types), so it never ran hooks there",
            ]
        );

        // One commit-only hook: the shared ones are copied into fast instead.
        let mixed = yaml.replace(
            "      - id: b\n",
            "      - id: b\n        stages: [commit]\n",
        );
        let config = loads(&pre_commit(&mixed, Path::new("p.yaml")).unwrap());
        assert_eq!(push_targets(&config), ["fast"]);
        let fast: Vec<&str> = config
            .stage("fast")
            .unwrap()
            .groups
            .iter()
            .map(|g| g.name.as_str())
            .collect();
        assert_eq!(fast, ["a"]);
    }

    /// The restaging idiom from before `stage_fixed`.
    #[test]
    fn a_lefthook_git_add_makes_a_restaging_formatter() {
        let yaml = "pre-commit:\n  commands:\n    prettier:\n      glob: '**/*.md'\n      run: pnpm prettier --write {staged_files} && git add {staged_files}\n";
        let imported = lefthook(yaml, Path::new("lefthook.yml")).unwrap();
        let config = loads(&imported);
        let prettier = config.formatter("prettier").unwrap();
        assert_eq!(prettier.run.source, "pnpm prettier --write {files}");
        assert_eq!(prettier.files.patterns, ["*/**/*.md"]);
        assert_eq!(config.hooks.pre_commit.fix, config::Fix::Restage);
        assert!(imported.text.contains("skips files at the root"));
    }

    #[test]
    fn shell_features_are_detected() {
        for run in [
            "a | b",
            "a && b",
            "echo $HOME",
            "cd x",
            "A=1 b",
            "ls *.py",
            "! x",
        ] {
            assert!(needs_shell(run), "{run}");
        }
        for run in [
            "black --check",
            "pytest -k 'a or b'",
            "eslint --max-warnings=0",
        ] {
            assert!(!needs_shell(run), "{run}");
        }
    }
}
