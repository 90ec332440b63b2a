//! The imported configuration flags and fixes what pre-commit does (issue
//! 18). The same files are committed in two repositories: one runs the real
//! `pre-commit` with the tools as local hooks (remote repositories cannot be
//! cloned here, so each hook is its manifest's command, filters and args),
//! the other `tiergate import`s the remote form of the same config and
//! commits through the installed hook. The work trees must end byte for
//! byte the same, both must block, and once the fixes are staged the same
//! checks must fail.

use std::collections::BTreeSet;
use std::process::Command;

use crate::support::{isolate, Run, TestRepo};

/// The remote hooks, as a project writes them.
const REMOTE: &str = r"
repos:
  - repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v5.0.0
    hooks:
      - id: trailing-whitespace
      - id: end-of-file-fixer
      - id: check-yaml
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.8.0
    hooks:
      - id: ruff
  - repo: https://github.com/psf/black-pre-commit-mirror
    rev: 24.10.0
    hooks:
      - id: black
  - repo: https://github.com/crate-ci/typos
    rev: v1.28.0
    hooks:
      - id: typos
  - repo: https://github.com/codespell-project/codespell
    rev: v2.3.0
    hooks:
      - id: codespell
  - repo: https://github.com/adrienverge/yamllint
    rev: v1.35.1
    hooks:
      - id: yamllint
";

/// The same hooks as pre-commit runs them from their manifests, offline.
const LOCAL: &str = r"
repos:
  - repo: local
    hooks:
      - id: trailing-whitespace
        name: trailing-whitespace
        entry: trailing-whitespace-fixer
        language: system
        types: [text]
      - id: end-of-file-fixer
        name: end-of-file-fixer
        entry: end-of-file-fixer
        language: system
        types: [text]
      - id: check-yaml
        name: check-yaml
        entry: check-yaml
        language: system
        types: [yaml]
      - id: ruff
        name: ruff
        entry: ruff check --force-exclude
        language: system
        types_or: [python, pyi, jupyter]
      - id: black
        name: black
        entry: black
        language: system
        types_or: [python, pyi]
      - id: typos
        name: typos
        entry: typos
        args: [--write-changes, --force-exclude]
        language: system
        types: [text]
      - id: codespell
        name: codespell
        entry: codespell
        language: system
        types: [text]
      - id: yamllint
        name: yamllint
        entry: yamllint
        language: system
        types: [file, yaml]
";

/// Files each hook has something to say about, and a binary one no text
/// fixer may touch.
const FILES: &[(&str, &[u8])] = &[
    ("app/a.py", b"import os\nx = 1   \n\n\n"),
    ("app/d.py", b"def f( a,b ):\n    return a+b\n"),
    ("notes.txt", b"teh cat sat\n"),
    ("README.md", b"We recieve it"),
    ("conf/bad.yaml", b"key: [1, 2\n"),
    ("conf/lint.yaml", b"a:  1\n"),
    ("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00 trailing   \n"),
    ("clean.py", b"y = 2\n"),
];

fn seeded() -> TestRepo {
    let repo = TestRepo::new();
    for (path, bytes) in FILES {
        repo.write(path, bytes);
    }
    repo.stage(&FILES.iter().map(|(p, _)| *p).collect::<Vec<_>>());
    repo
}

fn pre_commit(repo: &TestRepo) -> Run {
    let mut cmd = Command::new("pre-commit");
    cmd.args(["run", "--config", ".pre-commit-local.yaml"])
        .current_dir(repo.path());
    isolate(&mut cmd, repo.home.path());
    cmd.env("PRE_COMMIT_HOME", repo.home.path().join("pre-commit"));
    Run::from(
        cmd.output()
            .expect("pre-commit is installed by tests/setup.sh"),
    )
}

fn commit(repo: &TestRepo) -> Run {
    Run::from(
        repo.git_cmd(&["commit", "-q", "-m", "change"])
            .output()
            .unwrap(),
    )
}

fn contents(repo: &TestRepo) -> Vec<(&'static str, Vec<u8>)> {
    FILES.iter().map(|(p, _)| (*p, repo.read(p))).collect()
}

/// pre-commit's failed hooks that failed by exit code, not by a change.
fn pre_commit_failures(run: &Run) -> BTreeSet<String> {
    let mut failed = BTreeSet::new();
    let lines: Vec<&str> = run.stdout.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if let Some(id) = line.strip_prefix("- hook id: ") {
            if lines
                .get(i + 1)
                .is_some_and(|l| l.starts_with("- exit code"))
            {
                failed.insert(id.to_owned());
            }
        }
    }
    failed
}

fn tiergate_failures(run: &Run) -> BTreeSet<String> {
    run.stderr
        .lines()
        .chain(run.stdout.lines())
        .filter_map(|l| l.trim_start().strip_prefix("FAIL smoke."))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn imported_remote_hooks_flag_and_fix_what_pre_commit_does() {
    let reference = seeded();
    reference.write(".pre-commit-local.yaml", LOCAL);
    let first = pre_commit(&reference);
    assert_eq!(first.code, 1, "{}", first.all());

    let translated = seeded();
    translated.write(".pre-commit-config.yaml", REMOTE);
    translated
        .tiergate(&["import", "pre-commit"])
        .expect_code(0);
    translated.tiergate(&["install", "--yes"]).expect_code(0);
    let blocked = commit(&translated);
    assert_ne!(
        blocked.code,
        0,
        "the fixes must block the commit:\n{}",
        blocked.all()
    );

    // Same fixes, byte for byte; the binary file untouched by both.
    assert_eq!(contents(&translated), contents(&reference));
    assert_eq!(translated.read("logo.png"), FILES[6].1);
    assert_ne!(translated.read("app/a.py"), FILES[0].1);

    // With the fixes staged, the same checks fail.
    let fixed = ["app/a.py", "app/d.py", "notes.txt", "README.md"];
    reference.stage(&fixed);
    translated.stage(&fixed);
    let second = pre_commit(&reference);
    let again = commit(&translated);
    assert_ne!(again.code, 0, "{}", again.all());
    let expected: BTreeSet<String> = ["check-yaml", "ruff", "yamllint"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(pre_commit_failures(&second), expected, "{}", second.all());
    assert_eq!(tiergate_failures(&again), expected, "{}", again.all());
}
