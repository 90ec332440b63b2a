//! End to end on `examples/python-service`: a copy in a temp git repository
//! with the hooks installed, real `git commit` and `git push` to a local
//! bare remote, real pytest, black, ruff and PostgreSQL (tests/setup.sh
//! installs them; nothing here is skipped when a tool is missing).

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;

use crate::support::{Run, TestRepo};

/// The example's comprehensive stage starts a PostgreSQL cluster of its own
/// (initdb, a server): one at a time keeps a shared machine's load down.
pub(crate) static POSTGRES: Mutex<()> = Mutex::new(());

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "__pycache__" || name == ".pytest_cache" || name == ".ruff_cache" {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

struct Example {
    repo: TestRepo,
    remote: tempfile::TempDir,
}

impl Example {
    fn new() -> Example {
        for tool in ["black", "ruff"] {
            assert!(
                Command::new(tool)
                    .arg("--version")
                    .stdout(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success()),
                "`{tool}` is missing: run `bash tests/setup.sh` (README: bash tests/run.sh)"
            );
        }
        let ok = Command::new("python3")
            .args(["-c", "import pytest, xdist, psycopg"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "pytest, pytest-xdist or psycopg is missing: run `bash tests/setup.sh`"
        );
        let repo = TestRepo::new();
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/python-service"),
            repo.path(),
        );
        repo.write(
            ".gitignore",
            "__pycache__/\n.pytest_cache/\n.ruff_cache/\n*.xml\n",
        );
        let remote = tempfile::tempdir().unwrap();
        let example = Example { repo, remote };
        example
            .git(&[
                "init",
                "-q",
                "--bare",
                example.remote.path().to_str().unwrap(),
            ])
            .expect_code(0);
        example
            .git(&[
                "remote",
                "add",
                "origin",
                example.remote.path().to_str().unwrap(),
            ])
            .expect_code(0);
        example.git(&["add", "-A"]).expect_code(0);
        example
            .git(&["commit", "-q", "--no-verify", "-m", "the example service"])
            .expect_code(0);
        example
            .git(&["push", "-q", "--no-verify", "origin", "main"])
            .expect_code(0);
        example.repo.tiergate(&["install", "--yes"]).expect_code(0);
        example
    }

    fn git(&self, args: &[&str]) -> Run {
        Run::from(
            self.repo
                .git_cmd(args)
                .stdin(Stdio::null())
                .output()
                .unwrap(),
        )
    }

    fn edit(&self, rel: &str, append: &str) {
        let mut text = String::from_utf8(self.repo.read(rel)).unwrap();
        text.push_str(append);
        self.repo.write(rel, text);
    }
}

/// "PASS fast.unit (11 passed)" → (stage.group, passed, failed) for each group line.
fn groups_ran(output: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    for line in output.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() < 4 || !matches!(words[0], "PASS" | "FAIL" | "ERROR" | "TIMEOUT") {
            continue;
        }
        let counts = &line[line.find('(').unwrap_or(0)..];
        let number_before = |word: &str| {
            counts
                .split([',', '(', ')'])
                .map(str::trim)
                .find(|part| part.ends_with(word))
                .and_then(|part| part.split_whitespace().next()?.parse().ok())
                .unwrap_or(0)
        };
        out.push((
            words[1].to_owned(),
            number_before("passed"),
            number_before("failed"),
        ));
    }
    out
}

fn pytest_collects(repo: &TestRepo, expression: &str) -> usize {
    let out = Command::new("python3")
        .args(["-m", "pytest", "--collect-only", "-q", "-m", expression])
        .current_dir(repo.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // "6/32 tests collected (26 deselected)" or "32 tests collected".
    let summary = text
        .lines()
        .rev()
        .find(|l| l.contains("collected"))
        .unwrap_or_default()
        .to_owned();
    summary
        .split(['/', ' '])
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {text}"))
}

#[test]
fn a_database_change_pushes_exactly_the_tests_pytest_collects_for_its_markers() {
    let _db = POSTGRES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let ex = Example::new();
    ex.edit(
        "app/database/repository.py",
        "\n\n# a comment in the database layer\n",
    );
    ex.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-am",
        "touch the database layer",
    ])
    .expect_code(0);
    let push = ex.git(&["push", "origin", "main"]);
    push.expect_code(0);
    let ran = groups_ran(&push.all());
    let names: Vec<&str> = ran.iter().map(|(n, _, _)| n.as_str()).collect();
    assert!(
        names.contains(&"fast.integration-basic") && names.contains(&"comprehensive.database"),
        "{}",
        push.all()
    );
    // fast.unit selects from the import graph: tests/conftest.py imports the repository
    // (its `users` fixture, which the unit tests use), so every unit test is affected.
    assert!(names.contains(&"fast.unit"), "{}", push.all());
    assert!(
        !names.contains(&"fast.api-core") && !names.contains(&"comprehensive.security"),
        "{}",
        push.all()
    );
    let tested: usize = ran
        .iter()
        .filter(|(n, _, _)| !n.starts_with("smoke."))
        .map(|(_, p, f)| p + f)
        .sum();
    assert_eq!(
        tested,
        pytest_collects(&ex.repo, "database or integration")
            + pytest_collects(
                &ex.repo,
                "unit and not slow and not database and not integration"
            ),
        "{}",
        push.all()
    );
}

#[test]
fn failing_unit_tests_block_the_commit() {
    let ex = Example::new();
    // A bug in the models breaks several unit tests: over fast's 10 % gate.
    let models = String::from_utf8(ex.repo.read("app/models.py")).unwrap();
    ex.repo.write(
        "app/models.py",
        models.replace(
            "return self.unit_price * self.quantity",
            "return self.unit_price + self.quantity",
        ),
    );
    ex.git(&["add", "app/models.py"]).expect_code(0);
    let commit = ex.git(&["commit", "-q", "-m", "broken"]);
    assert_ne!(commit.code, 0, "{}", commit.all());
    assert!(
        commit.all().contains("test_order_line_total"),
        "{}",
        commit.all()
    );
    assert!(
        commit.all().contains("blocked by stage fast"),
        "{}",
        commit.all()
    );
    assert_eq!(
        ex.git(&["rev-list", "--count", "HEAD"]).stdout.trim(),
        "1",
        "the commit was made"
    );
}

#[test]
fn pushing_a_release_tag_runs_performance() {
    let _db = POSTGRES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let ex = Example::new();
    ex.git(&["tag", "v1.0.0"]).expect_code(0);
    let push = ex.git(&["push", "origin", "v1.0.0"]);
    push.expect_code(0);
    let ran = groups_ran(&push.all());
    assert!(
        ran.iter()
            .any(|(n, p, _)| n == "performance.throughput" && *p == 2),
        "{}",
        push.all()
    );
}

#[test]
fn a_badly_formatted_file_is_caught_by_the_formatters() {
    let ex = Example::new();
    ex.edit("app/models.py", "\n\ndef  ugly( x ):\n    return {'a':x}\n");
    ex.git(&["add", "app/models.py"]).expect_code(0);
    let commit = ex.git(&["commit", "-q", "-m", "ugly"]);
    assert_ne!(
        commit.code,
        0,
        "fix = \"fail\" blocks a commit the formatters changed: {}",
        commit.all()
    );
    assert!(commit.all().contains("app/models.py"), "{}", commit.all());
    let fixed = String::from_utf8(ex.repo.read("app/models.py")).unwrap();
    assert!(
        fixed.contains("def ugly(x):"),
        "black's fix is left for review: {fixed}"
    );
}

#[test]
fn ci_full_runs_every_tier_with_postgres_and_decides() {
    let _db = POSTGRES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let ex = Example::new();
    let run = ex.repo.tiergate(&["ci-full", "--save-report", "ci.json"]);
    run.expect_code(0);
    let report: serde_json::Value = serde_json::from_slice(&ex.repo.read("ci.json")).unwrap();
    let stages: Vec<&str> = report["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["smoke", "fast", "comprehensive", "performance"]);
    assert_eq!(report["summary"]["failed_tests"], 0);
    assert_eq!(report["verdict"]["deployment_ready"], true);
    assert!(
        report["verdict"]["readiness_score"].as_f64().unwrap() >= 95.0,
        "{}",
        report["verdict"]
    );
}

/// tests/setup.sh and the example once assumed port 5432 was theirs: with
/// another server there, the run failed on a bare psql socket error. The
/// example now starts its own cluster, so whatever holds 5432 is no matter.
#[test]
fn the_database_tests_run_on_their_own_cluster_while_something_else_holds_5432() {
    let _db = POSTGRES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // Another program on PostgreSQL's default port (if something already
    // holds it, that is the same situation).
    let _squatter = std::net::TcpListener::bind("127.0.0.1:5432");
    let ex = Example::new();
    let run = ex
        .repo
        .tiergate(&["run", "comprehensive.database", "--save-report", "db.json"]);
    run.expect_code(0);
    let report: serde_json::Value = serde_json::from_slice(&ex.repo.read("db.json")).unwrap();
    let group = &report["stages"][0]["groups"][0];
    assert_eq!(group["status"], "passed", "{}", run.all());
    let tests = group["tests"].as_array().unwrap();
    assert!(
        tests.len() >= 3 && tests.iter().all(|t| t["status"] == "passed"),
        "{group}\n{}",
        run.all()
    );
    // Stopped and removed after the run: nothing of it is left recorded.
    assert!(
        !ex.repo.join(".git/tiergate/postgres.dsn").exists(),
        "{}",
        run.all()
    );
}
