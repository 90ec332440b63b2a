//! Selection from the code's own imports (issue #16): repositories with known
//! import graphs, real `git commit` and `git push`, and exactly which test
//! files (or workspace members) the command received.

use std::path::PathBuf;
use std::process::Stdio;

use crate::support::{Run, TestRepo};

/// The group records each argument it receives, one a line, in `$TG_LOG`.
const CONFIG: &str = r#"
[settings]
unmatched = "all"

[[select]]
paths = ["docs/**"]
markers = ["docs"]

[stages.fast]
groups = [{ name = "unit", tests = ["tests/**/test_*.py"], run = "sh -c 'printf \"%s\\n\" \"$@\" >> \"$TG_LOG\"' sh {tests}" }]

[hooks.pre-commit]
stages = ["fast"]

[hooks.pre-push]
stages = ["fast"]
"#;

/// A small service whose import graph is known: `test_users` -> `app.api.users` ->
/// `app.crud` -> `app.models`; `test_items` -> `app.api.items` (a relative import of
/// `..models`); `test_util` -> `app.util`; `tests/db/conftest.py` -> `app.models`.
const SERVICE: &[(&str, &str)] = &[
    ("app/__init__.py", ""),
    ("app/models.py", "class User:\n    pass\n"),
    ("app/crud.py", "from app.models import User\n\n\ndef get_user():\n    return User()\n"),
    ("app/api/__init__.py", ""),
    ("app/api/users.py", "\"\"\"Users.\n\nimport app.util  (not an import: a docstring)\n\"\"\"\nfrom app import crud\n"),
    ("app/api/items.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..models import User\n"),
    ("app/util.py", "import json\n"),
    ("app/unused.py", "import os\n"),
    ("tests/__init__.py", ""),
    ("tests/test_users.py", "from app.api.users import crud\n"),
    ("tests/test_items.py", "def test_x():\n    from app.api import items\n"),
    ("tests/test_util.py", "from app.util import json\n"),
    ("tests/db/conftest.py", "from app.models import User\n"),
    ("tests/db/test_schema.py", "import sqlite3\n"),
];

struct GraphRepo {
    repo: TestRepo,
    log: PathBuf,
    remote: tempfile::TempDir,
}

impl GraphRepo {
    /// The service committed (hooks installed after, so the first commit runs nothing).
    fn new(config: &str, files: &[(&str, &str)]) -> GraphRepo {
        let repo = TestRepo::new();
        let log = repo.home.path().join("tg.log");
        let remote = tempfile::tempdir().unwrap();
        repo.config(config);
        for (path, text) in files {
            repo.write(path, text);
        }
        repo.commit("base");
        repo.tiergate(&["install", "--yes"]).expect_code(0);
        let g = GraphRepo { repo, log, remote };
        g.git_ok(&["init", "-q", "--bare", g.remote.path().to_str().unwrap()]);
        g.git_ok(&["remote", "add", "origin", g.remote.path().to_str().unwrap()]);
        g
    }

    #[track_caller]
    fn git_ok(&self, args: &[&str]) -> Run {
        let out = self
            .repo
            .git_cmd(args)
            .env("TG_LOG", &self.log)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let run = Run::from(out);
        run.expect_code(0);
        run
    }

    /// The arguments the group received since the last call (empty: it did not run).
    fn take_log(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let _ = std::fs::remove_file(&self.log);
        text.lines().map(str::to_owned).collect()
    }

    /// Write, stage and commit through the real pre-commit hook.
    #[track_caller]
    fn commit_change(&self, path: &str, text: &str) -> Vec<String> {
        self.repo.write(path, text);
        self.git_ok(&["add", "-A"]);
        self.git_ok(&["commit", "-q", "-m", "change"]);
        self.take_log()
    }
}

const ALL_TESTS: [&str; 4] = [
    "tests/db/test_schema.py",
    "tests/test_items.py",
    "tests/test_users.py",
    "tests/test_util.py",
];

#[test]
fn pre_commit_passes_only_the_tests_that_import_the_changed_module() {
    let g = GraphRepo::new(CONFIG, SERVICE);
    assert_eq!(
        g.commit_change("app/crud.py", "from app.models import User\n# touched\n"),
        ["tests/test_users.py"]
    );
    // A relative import under `if TYPE_CHECKING:`, and a conftest importing the module.
    assert_eq!(
        g.commit_change("app/models.py", "class User:\n    name = 1\n"),
        [
            "tests/db/test_schema.py",
            "tests/test_items.py",
            "tests/test_users.py"
        ]
    );
    // A changed test file is affected by itself.
    assert_eq!(
        g.commit_change("tests/test_util.py", "from app.util import json\n# more\n"),
        ["tests/test_util.py"]
    );
}

#[test]
fn a_change_no_test_imports_skips_the_group() {
    let g = GraphRepo::new(CONFIG, SERVICE);
    assert!(g.commit_change("app/unused.py", "import sys\n").is_empty());
    let plan = g
        .repo
        .tiergate(&["plan", "fast", "--files", "app/unused.py"]);
    plan.expect_code(0);
    assert!(
        plan.stdout
            .contains("skip unit: no test file it owns is affected by the change (import graph)"),
        "{}",
        plan.stdout
    );
}

#[test]
fn a_non_python_path_no_rule_matches_still_selects_everything() {
    let g = GraphRepo::new(CONFIG, SERVICE);
    assert_eq!(g.commit_change("README.md", "read me\n"), ALL_TESTS);
}

#[test]
fn a_changed_file_that_cannot_be_parsed_runs_every_test() {
    let g = GraphRepo::new(CONFIG, SERVICE);
    assert_eq!(
        g.commit_change("app/unused.py", "x = '''never closed\n"),
        ALL_TESTS
    );
}

#[test]
fn a_deleted_module_affects_what_imports_it_and_a_rename_both_names() {
    let g = GraphRepo::new(CONFIG, SERVICE);
    g.git_ok(&["rm", "-q", "app/util.py"]);
    g.git_ok(&["commit", "-q", "-m", "delete"]);
    assert_eq!(g.take_log(), ["tests/test_util.py"]);

    let g = GraphRepo::new(CONFIG, SERVICE);
    g.git_ok(&["mv", "app/crud.py", "app/repository.py"]);
    g.git_ok(&["commit", "-q", "-m", "rename"]);
    assert_eq!(g.take_log(), ["tests/test_users.py"]);
}

#[test]
fn pre_push_selects_by_the_imports_of_the_pushed_commits() {
    let g = GraphRepo::new(CONFIG, SERVICE);
    g.git_ok(&["push", "-q", "origin", "HEAD:refs/heads/main"]);
    g.take_log();
    g.repo.write("app/util.py", "import json  # v2\n");
    g.git_ok(&["add", "-A"]);
    g.git_ok(&["commit", "-q", "--no-verify", "-m", "util"]);
    g.git_ok(&["push", "-q", "origin", "HEAD:refs/heads/main"]);
    assert_eq!(g.take_log(), ["tests/test_util.py"]);
}

#[test]
fn plan_shows_the_import_chain_of_each_affected_test() {
    let g = GraphRepo::new(CONFIG, SERVICE);
    let plan = g.repo.tiergate(&["plan", "fast", "--files", "app/crud.py"]);
    plan.expect_code(0);
    assert!(
        plan.stdout
            .contains("tests/test_users.py <- app/api/users.py <- app/crud.py"),
        "{}",
        plan.stdout
    );
    // `-v` names the imports the graph cannot see.
    g.repo.write(
        "app/plugins.py",
        "import importlib\n\ndef load(name):\n    return importlib.import_module(name)\n",
    );
    g.repo.commit("plugins");
    let plan = g
        .repo
        .tiergate(&["plan", "fast", "-v", "--files", "app/crud.py"]);
    assert!(
        plan.stdout
            .contains("cannot see (a computed name): app/plugins.py:4"),
        "{}",
        plan.stdout
    );
}

#[test]
fn affected_prints_only_the_names_on_stdout() {
    let g = GraphRepo::new(CONFIG, SERVICE);
    let run = g.repo.tiergate(&["affected", "--files", "app/models.py"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "tests/db/test_schema.py\ntests/test_items.py\ntests/test_users.py\n"
    );
    let run = g
        .repo
        .tiergate(&["affected", "-z", "--files", "app/util.py"]);
    assert_eq!(run.stdout, "tests/test_util.py\0");
    // Uncommitted work by default.
    g.repo.write("app/crud.py", "# edited\n");
    let run = g.repo.tiergate(&["affected"]);
    assert_eq!(run.stdout, "tests/test_users.py\n");
    let run = g.repo.tiergate(&["affected", "--files", "app/unused.py"]);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("no test file is affected"),
        "{}",
        run.stderr
    );
}

#[test]
fn src_layouts_and_pyproject_source_roots_resolve() {
    let files: &[(&str, &str)] = &[
        ("src/pkg/__init__.py", ""),
        ("src/pkg/core.py", "def f():\n    return 1\n"),
        ("lib/extra/tool.py", "x = 1\n"),
        ("tests/test_core.py", "from pkg.core import f\n"),
        ("tests/test_tool.py", "import extra.tool\n"),
        (
            "pyproject.toml",
            "[tool.pytest.ini_options]\npythonpath = [\"lib\"]\n",
        ),
    ];
    let g = GraphRepo::new(CONFIG, files);
    assert_eq!(
        g.commit_change("src/pkg/core.py", "def f():\n    return 2\n"),
        ["tests/test_core.py"]
    );
    assert_eq!(
        g.commit_change("lib/extra/tool.py", "x = 2\n"),
        ["tests/test_tool.py"]
    );
}

#[test]
fn the_graph_cache_is_keyed_by_blob_ids() {
    let g = GraphRepo::new(CONFIG, SERVICE);
    g.commit_change("app/crud.py", "from app.models import User\n# 1\n");
    let cache = g.repo.join(".git/tiergate/graph/python-imports");
    let text = std::fs::read_to_string(&cache).unwrap();
    let id = g.git_ok(&["rev-parse", "HEAD:app/crud.py"]).stdout;
    assert!(text.contains(id.trim()), "the committed blob is cached");
    // A cached entry is used as is: a doctored entry for a blob shows in the graph.
    let util = g.git_ok(&["rev-parse", "HEAD:app/util.py"]).stdout;
    let doctored: String = text
        .lines()
        .map(|l| {
            if l.starts_with(util.trim()) {
                format!("{}\t0:app.unused::1\t\t", util.trim())
            } else {
                l.to_owned()
            }
        })
        .map(|l| l + "\n")
        .collect();
    std::fs::write(&cache, doctored).unwrap();
    // Without the resolved edges, the graph is resolved again from the parsed imports.
    std::fs::remove_file(g.repo.join(".git/tiergate/graph/python-edges")).unwrap();
    let run = g.repo.tiergate(&["affected", "--files", "app/unused.py"]);
    assert_eq!(run.stdout, "tests/test_util.py\n");
}

#[test]
fn cached_edges_of_an_edited_file_are_resolved_again() {
    let g = GraphRepo::new(CONFIG, SERVICE);
    g.commit_change("app/crud.py", "from app.models import User\n# 1\n");
    assert!(g.repo.join(".git/tiergate/graph/python-edges").exists());
    // test_util.py now imports app.crud: its edges change with its blob id.
    g.commit_change("tests/test_util.py", "from app.crud import get_user\n");
    let run = g.repo.tiergate(&["affected", "--files", "app/crud.py"]);
    assert_eq!(run.stdout, "tests/test_users.py\ntests/test_util.py\n");
}

#[test]
fn cached_edges_are_resolved_again_when_a_new_module_captures_an_import() {
    let mut files = SERVICE.to_vec();
    // `app.cli` does not exist yet: the import resolves nowhere (a third-party module).
    files.push(("tests/test_cli.py", "from app.cli import main\n"));
    let g = GraphRepo::new(CONFIG, &files);
    g.commit_change("app/crud.py", "from app.models import User\n# 1\n");
    // test_cli.py did not change, yet its import now leads to the new file.
    assert_eq!(
        g.commit_change("app/cli.py", "def main():\n    pass\n"),
        ["tests/test_cli.py"]
    );
    let run = g.repo.tiergate(&["affected", "--files", "app/cli.py"]);
    assert_eq!(run.stdout, "tests/test_cli.py\n");
    // Deleted again, what imports it is still affected, and nothing else breaks.
    g.git_ok(&["rm", "-q", "app/cli.py"]);
    g.git_ok(&["commit", "-q", "-m", "delete"]);
    assert_eq!(g.take_log(), ["tests/test_cli.py"]);
    assert_eq!(
        g.commit_change("app/crud.py", "from app.models import User\n# 2\n"),
        ["tests/test_users.py"]
    );
}

const RUST_CONFIG: &str = r#"
[settings]
unmatched = "none"

[stages.fast]
groups = [{ name = "cargo", run = "sh -c 'printf \"%s\\n\" \"$@\" >> \"$TG_LOG\"' sh {packages}" }]

[hooks.pre-commit]
stages = ["fast"]
"#;

#[test]
fn packages_are_the_changed_member_and_its_dependents() {
    let manifest = |name: &str, deps: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{deps}")
    };
    let core = manifest("core", "");
    let db = manifest("db", "core = { path = \"../core\" }\n");
    let api = manifest("api", "db = { path = \"../db\" }\n");
    let cli = manifest("cli", "");
    let files: Vec<(&str, &str)> = vec![
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
        ),
        ("crates/core/Cargo.toml", &core),
        ("crates/core/src/lib.rs", "pub fn f() {}\n"),
        ("crates/db/Cargo.toml", &db),
        ("crates/db/src/lib.rs", "pub fn g() {}\n"),
        ("crates/api/Cargo.toml", &api),
        ("crates/api/src/lib.rs", "pub fn h() {}\n"),
        ("crates/cli/Cargo.toml", &cli),
        ("crates/cli/src/main.rs", "fn main() {}\n"),
        (".gitignore", "target/\nCargo.lock\n"),
    ];
    let g = GraphRepo::new(RUST_CONFIG, &files);
    assert_eq!(
        g.commit_change("crates/db/src/lib.rs", "pub fn g() { }\n"),
        ["-p", "api", "-p", "db"]
    );
    assert_eq!(
        g.commit_change("crates/cli/src/main.rs", "fn main() { }\n"),
        ["-p", "cli"]
    );
}
