//! Migration (issue 6): `tiergate import pre-commit|lefthook` on real-world
//! configs written for the test; completions and the man page, generated
//! and committed, checked for staleness.

use crate::support::{Run, TestRepo, BIN};

/// A typical Python project's `.pre-commit-config.yaml`: remote hooks of
/// pre-commit-hooks, black, ruff, isort and mypy, and local hooks.
const PYTHON_PRE_COMMIT: &str = r"
default_stages: [pre-commit]
exclude: ^docs/_build/
ci:
  autofix_prs: true
repos:
  - repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v4.6.0
    hooks:
      - id: trailing-whitespace
      - id: end-of-file-fixer
      - id: check-yaml
        args: [--unsafe]
      - id: debug-statements
  - repo: https://github.com/psf/black
    rev: 24.4.2
    hooks:
      - id: black
        language_version: python3.12
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.4.4
    hooks:
      - id: ruff
      - id: ruff-format
  - repo: https://github.com/pycqa/isort
    rev: 5.13.2
    hooks:
      - id: isort
        files: ^app/
  - repo: https://github.com/pre-commit/mirrors-mypy
    rev: v1.10.0
    hooks:
      - id: mypy
        files: ^(app|tests)/
        additional_dependencies: [types-requests]
        stages: [pre-push]
  - repo: https://github.com/example/in-house-hooks
    rev: v1.0.0
    hooks:
      - id: frobnicate
  - repo: local
    hooks:
      - id: pytest-unit
        name: unit tests
        entry: pytest tests/unit -q
        language: system
        pass_filenames: false
        types: [python]
        stages: [push]
      - id: no-print
        name: no print statements
        entry: '\bprint\('
        language: pygrep
        types: [python]
      - id: generated
        entry: python scripts/check_generated.py
        language: python
        files: 'gen_\d+\.py$'
      - id: gitlint
        entry: gitlint --msg-filename
        language: python
        stages: [commit-msg]
";

fn table<'v>(value: &'v toml::Value, path: &[&str]) -> &'v toml::Value {
    path.iter().fold(value, |v, key| {
        v.get(*key)
            .unwrap_or_else(|| panic!("no `{}` in {v}", path.join(".")))
    })
}

fn group_names(config: &toml::Value, stage: &str) -> Vec<String> {
    table(config, &["stages", stage, "groups"])
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_owned())
        .collect()
}

fn group<'v>(config: &'v toml::Value, stage: &str, name: &str) -> &'v toml::Value {
    table(config, &["stages", stage, "groups"])
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no group {stage}.{name}"))
}

fn strings(value: &toml::Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

fn written(repo: &TestRepo) -> toml::Value {
    let text = String::from_utf8(repo.read(".tiergate.toml")).unwrap();
    toml::from_str(&text).unwrap()
}

#[test]
fn a_python_projects_pre_commit_config_becomes_formatters_and_groups() {
    let repo = TestRepo::new();
    repo.write(".pre-commit-config.yaml", PYTHON_PRE_COMMIT);
    let run = repo.tiergate(&["import", "pre-commit"]);
    run.expect_code(0);
    assert!(
        run.stdout.starts_with(
            "wrote .tiergate.toml from .pre-commit-config.yaml: 5 formatters, 5 groups in smoke, 2 groups in fast"
        ),
        "{}",
        run.stdout
    );
    let config = written(&repo);

    // Formatters: black, ruff-format, isort and the pre-commit-hooks fixers.
    assert_eq!(
        strings(table(&config, &["hooks", "pre-commit", "formatters"])),
        [
            "trailing-whitespace",
            "end-of-file-fixer",
            "black",
            "ruff-format",
            "isort"
        ]
    );
    assert_eq!(
        table(&config, &["formatters", "black", "run"]).as_str(),
        Some("black")
    );
    assert_eq!(
        strings(table(&config, &["formatters", "black", "files"])),
        ["*.py", "*.pyi", "*.pyw"]
    );
    // `files: ^app/` and the python types combine.
    assert!(strings(table(&config, &["formatters", "isort", "files"])).contains(&"app/**/*.py"));
    // `types: [text]` is every text file; the config-wide exclude applies.
    let eof = table(&config, &["formatters", "end-of-file-fixer"]);
    assert_eq!(strings(&eof["files"]), ["*"]);
    assert_eq!(eof["text_only"].as_bool(), Some(true));
    assert_eq!(strings(&eof["exclude"]), ["docs/_build/**"]);
    assert_eq!(
        table(&config, &["formatters", "ruff-format", "run"]).as_str(),
        Some("ruff format --force-exclude")
    );

    // Checkers: smoke on commit, fast on push.
    assert_eq!(
        group_names(&config, "smoke"),
        [
            "check-yaml",
            "debug-statements",
            "ruff",
            "no-print",
            "generated"
        ]
    );
    assert_eq!(group_names(&config, "fast"), ["mypy", "pytest-unit"]);
    let check_yaml = group(&config, "smoke", "check-yaml");
    assert_eq!(
        check_yaml["run"].as_str(),
        Some("check-yaml --unsafe {files}")
    );
    assert_eq!(strings(&check_yaml["files"]), ["*.yaml", "*.yml"]);
    let mypy = group(&config, "fast", "mypy");
    assert_eq!(mypy["run"].as_str(), Some("mypy {files}"));
    assert!(strings(&mypy["files"]).contains(&"tests/**/*.py"));
    let pytest = group(&config, "fast", "pytest-unit");
    assert_eq!(pytest["run"].as_str(), Some("pytest tests/unit -q"));
    assert_eq!(
        strings(table(&config, &["hooks", "pre-commit", "stages"])),
        ["smoke"]
    );
    assert_eq!(
        strings(table(&config, &["hooks", "pre-push", "stages"])),
        ["fast"]
    );

    // What could not be translated is listed, on stdout and in the file.
    let text = String::from_utf8(repo.read(".tiergate.toml")).unwrap();
    insta::assert_snapshot!("pre-commit-python-project", text);
    for item in [
        "14 hooks: 13 translated, 0 translated with a difference, 1 not translated",
        "frobnicate (example/in-house-hooks): unknown remote hook of https://github.com/example/in-house-hooks",
        "ci: pre-commit.ci settings have no equivalent",
    ] {
        assert!(run.stdout.contains(item), "stdout lacks {item}:\n{}", run.stdout);
        assert!(text.contains(item), "file lacks {item}:\n{text}");
    }
    // A regex with no glob equivalent is kept as a regex.
    assert_eq!(
        group(&config, "smoke", "generated")["files_regex"].as_str(),
        Some("gen_\\d+\\.py$")
    );

    // The real loader accepts it, and `plan` explains the hooks.
    let check = repo.tiergate(&["config"]);
    check.expect_code(0);
    assert!(check.stdout.contains("config OK"), "{}", check.stdout);
    let plan = repo.tiergate(&["plan", "pre-push", "--files", "app/models.py"]);
    plan.expect_code(0);
    assert!(plan.all().contains("mypy"), "{}", plan.all());
}

/// Local hooks run for real: a pygrep hook blocks a `print(`, a `fail` hook
/// blocks a `.rej` file, and a clean change passes.
#[test]
fn imported_local_hooks_run_and_block() {
    let repo = TestRepo::new();
    repo.write(
        ".pre-commit-config.yaml",
        r#"
repos:
  - repo: local
    hooks:
      - id: lint
        entry: sh -c 'for f; do test -f "$f" || exit 1; done' lint
        language: system
        types: [python]
      - id: no-print
        entry: '\bprint\('
        language: pygrep
        types: [python]
      - id: no-rej
        entry: remove the .rej files
        language: fail
        files: \.rej$
"#,
    );
    repo.tiergate(&["import", "pre-commit"]).expect_code(0);
    repo.write("app/ok.py", "x = 1\n");
    repo.write("app/bad.py", "print('debug')\n");
    repo.write("app/fix.rej", "rejected hunk\n");
    repo.tiergate(&["run", "smoke", "--files", "app/ok.py"])
        .expect_code(0);
    let printed = repo.tiergate(&["run", "smoke", "--files", "app/bad.py"]);
    printed.expect_code(1);
    assert!(printed.all().contains("no-print"), "{}", printed.all());
    let rejected = repo.tiergate(&["run", "smoke", "--files", "app/fix.rej"]);
    rejected.expect_code(1);
    assert!(
        rejected.all().contains("remove the .rej files"),
        "{}",
        rejected.all()
    );
}

const LEFTHOOK: &str = r#"
min_version: 1.5.0
pre-commit:
  parallel: true
  commands:
    eslint:
      glob: "*.{js,ts}"
      run: npx eslint {staged_files}
      tags: [frontend]
    prettier:
      glob: "*.{js,ts,css,md}"
      exclude: '^vendor/'
      run: npx prettier --write {staged_files}
      stage_fixed: true
    todo:
      glob: "*.js"
      run: "! grep -n TODO {staged_files}"
    seen:
      run: echo {staged_files} | grep -q .
    rooted:
      root: web/
      glob: "*.js"
      run: test -f {staged_files}
    never:
      run: echo never
      skip: true
  scripts:
    "check-size.sh":
      runner: bash
pre-push:
  commands:
    tests:
      run: go test ./... | tee test.log
      env:
        CGO_ENABLED: "0"
commit-msg:
  commands:
    commitlint:
      run: npx commitlint --edit {1}
"#;

#[test]
fn a_lefthook_config_becomes_formatters_and_groups_that_run() {
    let repo = TestRepo::new();
    repo.write("lefthook.yml", LEFTHOOK);
    let run = repo.tiergate(&["import", "lefthook"]);
    run.expect_code(0);
    let config = written(&repo);
    insta::assert_snapshot!(
        "lefthook",
        String::from_utf8(repo.read(".tiergate.toml")).unwrap()
    );

    // stage_fixed: a formatter, and the hook restages what it fixed.
    assert_eq!(
        table(&config, &["formatters", "prettier", "run"]).as_str(),
        Some("npx prettier --write {files}")
    );
    assert_eq!(
        strings(table(&config, &["formatters", "prettier", "exclude"])),
        ["vendor/**"]
    );
    assert_eq!(
        table(&config, &["hooks", "pre-commit", "fix"]).as_str(),
        Some("restage")
    );
    assert_eq!(
        group_names(&config, "smoke"),
        ["eslint", "todo", "seen", "rooted", "check-size-sh"]
    );
    assert_eq!(
        group(&config, "smoke", "eslint")["run"].as_str(),
        Some("npx eslint {files}")
    );
    // Shell syntax becomes an explicit `sh -c`, files as "$@".
    assert_eq!(
        group(&config, "smoke", "todo")["run"].as_str(),
        Some("sh -c '! grep -n TODO \"$@\"' sh {files}")
    );
    assert_eq!(
        group(&config, "fast", "tests")["run"].as_str(),
        Some("env 'CGO_ENABLED=0' sh -c 'go test ./... | tee test.log'")
    );
    assert_eq!(
        group(&config, "smoke", "check-size-sh")["run"].as_str(),
        Some("bash .lefthook/pre-commit/check-size.sh")
    );
    for item in [
        "9 hooks: 8 translated, 0 translated with a difference, 1 not translated",
        "pre-commit command never: `skip: true`: lefthook never runs it either",
        "min_version: a setting of lefthook itself, with no tiergate equivalent",
    ] {
        assert!(
            run.stdout.contains(item),
            "stdout lacks {item}:\n{}",
            run.stdout
        );
    }

    // The translated shell commands run: a TODO blocks, a clean file passes.
    repo.write(".lefthook/pre-commit/check-size.sh", "exit 0\n");
    repo.write("clean.js", "let a = 1;\n");
    repo.write("todo.js", "// TODO: later\n");
    repo.tiergate(&["run", "smoke.todo", "smoke.seen", "--files", "clean.js"])
        .expect_code(0);
    let blocked = repo.tiergate(&["run", "smoke.todo", "--files", "todo.js"]);
    blocked.expect_code(1);
    assert!(blocked.all().contains("TODO: later"), "{}", blocked.all());
    repo.tiergate(&["run", "smoke.check-size-sh"])
        .expect_code(0);
    // `root: web/`: run in web/, with the files relative to it.
    assert_eq!(
        strings(&group(&config, "smoke", "rooted")["files"]),
        ["web/**/*.js"]
    );
    repo.write("web/app.js", "let a = 1;\n");
    repo.tiergate(&["run", "smoke.rooted", "--files", "web/app.js"])
        .expect_code(0);
    repo.tiergate(&["plan", "pre-commit"]).expect_code(0);
}

#[test]
fn an_existing_config_is_kept_unless_forced() {
    let repo = TestRepo::new();
    repo.write(
        "lefthook.yml",
        "pre-commit:\n  commands:\n    ok:\n      run: true\n",
    );
    repo.config("# mine\n");
    let refused = repo.tiergate(&["import", "lefthook"]);
    refused.expect_code(2);
    assert!(
        refused.stderr.contains(".tiergate.toml already exists")
            && refused.stderr.contains("--force"),
        "{}",
        refused.stderr
    );
    assert_eq!(repo.read(".tiergate.toml"), b"# mine\n");
    repo.tiergate(&["import", "lefthook", "--force"])
        .expect_code(0);
    assert!(written(&repo)["stages"]["smoke"]["groups"][0]["run"].as_str() == Some("true"));
    // `--output -` prints instead of writing.
    let printed = repo.tiergate(&["import", "lefthook", "--output", "-"]);
    printed.expect_code(0);
    assert!(printed.stdout.contains("[[stages.smoke.groups]]"));
}

#[test]
fn a_missing_or_broken_input_is_a_clear_error() {
    let repo = TestRepo::new();
    let missing = repo.tiergate(&["import", "pre-commit"]);
    missing.expect_code(2);
    assert!(
        missing
            .stderr
            .contains("no pre-commit config here: looked for .pre-commit-config.yaml"),
        "{}",
        missing.stderr
    );
    repo.write(
        ".pre-commit-config.yaml",
        "repos:\n  - repo: local\n   hooks: [\n",
    );
    let broken = repo.tiergate(&["import", "pre-commit"]);
    broken.expect_code(2);
    assert!(
        broken
            .stderr
            .contains("cannot parse .pre-commit-config.yaml as YAML")
            && broken.stderr.contains("--> .pre-commit-config.yaml:"),
        "{}",
        broken.stderr
    );
    repo.write("other.yaml", "just: text\n");
    let wrong = repo.tiergate(&["import", "pre-commit", "--input", "other.yaml"]);
    wrong.expect_code(2);
    assert!(
        wrong.stderr.contains("has no `repos:` list"),
        "{}",
        wrong.stderr
    );
    assert!(!repo.join(".tiergate.toml").exists());
}

fn tiergate(args: &[&str]) -> Run {
    let repo = TestRepo::new();
    repo.tiergate(args)
}

#[test]
fn bash_completions_name_every_command() {
    let run = tiergate(&["completions", "bash"]);
    run.expect_code(0);
    for name in [
        "run",
        "plan",
        "install",
        "import",
        "completions",
        "pre-commit",
        "lefthook",
    ] {
        assert!(run.stdout.contains(name), "bash completions lack `{name}`");
    }
}

#[test]
fn every_command_help_shows_examples() {
    for command in [
        "run",
        "hook",
        "plan",
        "install",
        "uninstall",
        "doctor",
        "config",
        "import",
        "completions",
    ] {
        let run = tiergate(&[command, "--help"]);
        run.expect_code(0);
        assert!(
            run.stdout.contains("Example") && run.stdout.contains(&format!("tiergate {command}")),
            "`tiergate {command} --help` has no examples:\n{}",
            run.stdout
        );
    }
}

/// Generated artifacts are committed (STYLE 7); each must match what the
/// binary generates now. (The man page's test is in `cli::completions`.)
#[test]
fn the_committed_completions_are_current() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (args, path) in [
        (
            &["completions", "bash"][..],
            "doc/completions/tiergate.bash",
        ),
        (&["completions", "zsh"][..], "doc/completions/_tiergate"),
        (
            &["completions", "fish"][..],
            "doc/completions/tiergate.fish",
        ),
    ] {
        let out = std::process::Command::new(BIN).args(args).output().unwrap();
        assert!(out.status.success());
        let committed = std::fs::read(root.join(path)).unwrap_or_default();
        assert!(
            committed == out.stdout,
            "{path} is stale: run `cargo run -- {} > {path}`",
            args.join(" ")
        );
    }
}
