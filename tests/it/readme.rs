//! The README's command blocks, run as a user would run them, so the guide
//! cannot rot: the 60-second tour on the example service, the quick start,
//! and the migration commands. (`./install.sh` and `bash tests/run.sh` are
//! what CI itself runs.)

use std::path::Path;
use std::process::Command;

use crate::support::{isolate, Run, BIN};

/// The lines of the `sh` code block that follows `heading` in README.md.
fn block_after(heading: &str) -> Vec<String> {
    let readme = include_str!("../../README.md");
    let start = readme
        .find(heading)
        .unwrap_or_else(|| panic!("README has no `{heading}`"));
    let rest = &readme[start..];
    let open = rest.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let close = rest[open..].find("```").expect("the block ends");
    rest[open..open + close]
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Run `lines` with bash, stopping at the first failure, `tiergate` on PATH.
fn run_script(lines: &[String], cwd: &Path, home: &Path, extra_env: &[(&str, &str)]) -> Run {
    let script = format!("set -euo pipefail\n{}\n", lines.join("\n"));
    let bin_dir = Path::new(BIN).parent().unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg("-c").arg(script).current_dir(cwd);
    isolate(&mut cmd, home);
    cmd.env(
        "PATH",
        format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    );
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    Run::from(cmd.output().unwrap())
}

fn home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".gitconfig"),
        "[init]\n\tdefaultBranch = main\n",
    )
    .unwrap();
    home
}

#[test]
fn the_sixty_second_tour_runs() {
    let _db = crate::example::POSTGRES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let home = home();
    let work = tempfile::tempdir().unwrap();
    let demo = work.path().join("demo");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/python-service");
    let lines: Vec<String> = block_after("## A 60-second tour")
        .into_iter()
        .map(|l| {
            l.replace("/tmp/demo", demo.to_str().unwrap())
                .replace("examples/python-service", example.to_str().unwrap())
        })
        .collect();
    let run = run_script(&lines, work.path(), home.path(), &[]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("app/database/repository.py: rule"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("PASS fast.integration-basic"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("decision: deploy"), "{}", run.stdout);
    for (page, shows) in [
        ("report.html", "<h2>Verdict</h2>"),
        ("history.html", "<svg"),
    ] {
        let html = std::fs::read_to_string(demo.join(page)).unwrap_or_default();
        assert!(html.contains(shows), "{page} lacks {shows}: {html}");
    }
}

#[test]
fn the_quick_start_runs() {
    let home = home();
    let repo = tempfile::tempdir().unwrap();
    let mut init = Command::new("git");
    init.args(["init", "-q"]).current_dir(repo.path());
    isolate(&mut init, home.path());
    assert!(init.status().unwrap().success());
    std::fs::write(repo.path().join("notes.txt"), "hello\n").unwrap();
    let mut add = Command::new("git");
    add.args(["add", "notes.txt"]).current_dir(repo.path());
    isolate(&mut add, home.path());
    assert!(add.status().unwrap().success());
    let lines: Vec<String> = block_after("## Quick start in your repository")
        .into_iter()
        .map(|l| l.replace("cd your-repo", &format!("cd '{}'", repo.path().display())))
        .collect();
    // `git commit` opens the editor: give it one that writes a message.
    let run = run_script(
        &lines,
        repo.path(),
        home.path(),
        &[("GIT_EDITOR", "sh -c 'echo quick start > \"$1\"' sh")],
    );
    run.expect_code(0);
    assert!(
        repo.path().join(".tiergate.toml").exists(),
        "install wrote the preset"
    );
    assert!(
        run.stdout.contains("selection"),
        "plan explained the selection: {}",
        run.stdout
    );
}

#[test]
fn the_migration_commands_run() {
    let lines = block_after("## Migrating from pre-commit, lefthook or husky + lint-staged");
    let commands: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("tiergate "))
        .collect();
    assert!(commands
        .iter()
        .any(|l| l.starts_with("tiergate import pre-commit")));
    for tool_line in commands.iter().filter(|l| l.starts_with("tiergate import")) {
        let home = home();
        let repo = tempfile::tempdir().unwrap();
        let mut init = Command::new("git");
        init.args(["init", "-q"]).current_dir(repo.path());
        isolate(&mut init, home.path());
        assert!(init.status().unwrap().success());
        std::fs::write(
            repo.path().join(".pre-commit-config.yaml"),
            "repos:\n  - repo: local\n    hooks:\n      - id: check\n        name: check\n        entry: 'true'\n        language: system\n        files: '\\.py$'\n",
        )
        .unwrap();
        std::fs::write(repo.path().join("lefthook.yml"), "pre-commit:\n  commands:\n    check:\n      glob: \"*.py\"\n      run: 'true {staged_files}'\n").unwrap();
        std::fs::create_dir(repo.path().join(".husky")).unwrap();
        std::fs::write(repo.path().join(".husky/pre-commit"), "npx lint-staged\n").unwrap();
        std::fs::write(
            repo.path().join("package.json"),
            "{\"lint-staged\": {\"*.py\": \"true\"}}\n",
        )
        .unwrap();
        // This import, then the commands that follow it in the block.
        let mut script = vec![(*tool_line).clone()];
        script.extend(
            commands
                .iter()
                .filter(|l| !l.starts_with("tiergate import"))
                .map(|l| (*l).clone()),
        );
        let run = run_script(&script, repo.path(), home.path(), &[]);
        run.expect_code(0);
        assert!(repo.path().join(".tiergate.toml").exists(), "{tool_line}");
    }
}

#[test]
fn the_monorepo_section_runs() {
    let home = home();
    let work = tempfile::tempdir().unwrap();
    let demo = work.path().join("monorepo");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/monorepo");
    let lines: Vec<String> = block_after("### `[projects]`: sub-projects in a monorepo")
        .into_iter()
        .map(|l| {
            l.replace("/tmp/tiergate-monorepo", demo.to_str().unwrap())
                .replace("examples/monorepo", example.to_str().unwrap())
        })
        .collect();
    let run = run_script(&lines, work.path(), home.path(), &[]);
    run.expect_code(0);
    for shown in [
        "project api: markers: unit",
        "project web: everything is selected",
        "PASS api:fast.unit",
        "PASS api:fast.docs",
    ] {
        assert!(
            run.stdout.contains(shown),
            "no `{shown}` in:\n{}",
            run.stdout
        );
    }
}
