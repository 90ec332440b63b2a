//! Sub-projects (`[projects] members`, issue 17) on monorepos built in temp
//! folders: member configs checked with their own path, a changed path
//! judged by the member that owns it, qualified names, `project` in reports.

use crate::support::TestRepo;

const ROOT: &str = r#"
[projects]
members = ["backend", "frontend", "packages/*"]

[hooks.pre-commit]
stages = ["fast"]
"#;

const BACKEND: &str = r#"
[[select]]
paths = ["app/**"]
markers = ["unit"]

[stages.fast]
groups = [
  { name = "unit", markers = ["unit"], run = "sh -c 'echo backend-unit >> ../RAN'" },
  { name = "db", markers = ["db"], run = "sh -c 'echo backend-db >> ../RAN'" },
]
"#;

const FRONTEND: &str = r#"
[stages.fast]
groups = [{ name = "lint", run = "sh -c 'echo frontend-lint >> ../RAN'" }]
"#;

fn monorepo() -> TestRepo {
    let repo = TestRepo::new();
    repo.config(ROOT)
        .write("backend/.tiergate.toml", BACKEND)
        .write("backend/app/models.py", "x = 1\n")
        .write("frontend/.tiergate.toml", FRONTEND)
        .write("frontend/package.json", "{}\n")
        .write(
            "packages/alpha/.tiergate.toml",
            "[stages.fast]\ngroups = [{ name = \"t\", run = \"sh -c 'echo alpha >> ../../RAN'\" }]\n",
        )
        .write("packages/alpha/lib.txt", "a\n")
        .write("README.md", "monorepo\n")
        .commit("init");
    repo
}

/// The plan's stage lines and run/skip lines, without the commands.
fn plan_lines(repo: &TestRepo, args: &[&str]) -> String {
    let mut full = vec!["plan"];
    full.extend_from_slice(args);
    let run = repo.tiergate(&full);
    run.expect_code(0);
    run.stdout
        .lines()
        .filter(|l| {
            l.starts_with("project ")
                || l.starts_with("stage ")
                || l.starts_with("  run ")
                || l.starts_with("  skip ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_bad_member_config_names_the_member_file_line_and_column() {
    let repo = monorepo();
    repo.write(
        "frontend/.tiergate.toml",
        "[stages.fast]\ngroups = [{ name = \"lint\", rn = \"eslint\" }]\n",
    );
    let run = repo.tiergate(&["plan"]);
    run.expect_code(2);
    // The list of valid keys grows with the schema: the headline's start and
    // the location are what this test pins.
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(
        lines[0].starts_with("error: invalid frontend/.tiergate.toml: unknown field `rn`"),
        "{}",
        run.stderr
    );
    assert_eq!(
        lines[1], "  --> frontend/.tiergate.toml:2:28",
        "{}",
        run.stderr
    );
}

#[test]
fn a_member_without_a_config_is_refused_with_a_hint() {
    let repo = monorepo();
    repo.write("packages/beta/src.txt", "b\n");
    let run = repo.tiergate(&["plan"]);
    run.expect_code(2);
    insta::assert_snapshot!(run.stderr, @r"
    error: member `packages/beta` has no .tiergate.toml
      --> .tiergate.toml:3:35
    hint: create packages/beta/.tiergate.toml (`tiergate install` offers one), or remove `packages/beta` from [projects] members
    ");
}

#[test]
fn a_change_inside_one_member_plans_only_that_members_selected_groups() {
    let repo = monorepo();
    insta::assert_snapshot!(plan_lines(&repo, &["--files", "backend/app/models.py"]), @r"
    project backend: markers: unit
    stage backend:fast
      run  unit: selected markers: unit
      skip db: not selected: none of its markers (db) is selected
    project frontend: nothing of it changed
    stage frontend:fast
      skip lint: not selected: nothing changed
    project packages/alpha: nothing of it changed
    stage packages/alpha:fast
      skip t: not selected: nothing changed
    ");
}

#[test]
fn a_member_lockfile_selects_all_of_that_member_and_nothing_of_the_others() {
    let repo = monorepo();
    insta::assert_snapshot!(plan_lines(&repo, &["--files", "frontend/package.json"]), @r"
    project backend: nothing of it changed
    stage backend:fast
      skip unit: not selected: nothing changed
      skip db: not selected: nothing changed
    project frontend: everything is selected
    stage frontend:fast
      run  lint: everything is selected
    project packages/alpha: nothing of it changed
    stage packages/alpha:fast
      skip t: not selected: nothing changed
    ");
}

#[test]
fn a_root_trigger_runs_everything_in_every_project() {
    let repo = monorepo();
    repo.write("pyproject.toml", "[project]\nname = \"mono\"\n");
    insta::assert_snapshot!(plan_lines(&repo, &["--files", "pyproject.toml"]), @r"
    project backend: everything is selected
    stage backend:fast
      run  unit: everything is selected
      run  db: everything is selected
    project frontend: everything is selected
    stage frontend:fast
      run  lint: everything is selected
    project packages/alpha: everything is selected
    stage packages/alpha:fast
      run  t: everything is selected
    ");
}

#[test]
fn targets_accept_qualified_names_and_an_unqualified_stage_means_every_project() {
    let repo = monorepo();
    insta::assert_snapshot!(plan_lines(&repo, &["backend:fast.unit", "--all"]), @r"
    project backend: everything is selected
    stage backend:fast
      run  unit: everything is selected
    ");
    insta::assert_snapshot!(plan_lines(&repo, &["fast", "--all"]), @r"
    project backend: everything is selected
    stage backend:fast
      run  unit: everything is selected
      run  db: everything is selected
    project frontend: everything is selected
    stage frontend:fast
      run  lint: everything is selected
    project packages/alpha: everything is selected
    stage packages/alpha:fast
      run  t: everything is selected
    ");
}

#[test]
fn install_detects_members_and_writes_one_config_per_member() {
    let repo = TestRepo::new();
    repo.write("backend/pyproject.toml", "[project]\nname = \"api\"\n")
        .write("backend/tests/test_a.py", "def test_a():\n    pass\n")
        .write(
            "frontend/package.json",
            "{\"scripts\": {\"test\": \"node --test\"}}\n",
        )
        .write("frontend/node_modules/dep/package.json", "{}\n")
        .write("README.md", "two projects\n")
        .commit("init");
    let run = repo.tiergate(&["install", "--yes"]);
    run.expect_code(0);
    let root = String::from_utf8(repo.read(".tiergate.toml")).unwrap();
    assert!(
        root.contains("members = [\"backend\", \"frontend\"]"),
        "{root}"
    );
    assert!(repo.join("backend/.tiergate.toml").is_file());
    assert!(repo.join("frontend/.tiergate.toml").is_file());
    assert!(!repo
        .join("frontend/node_modules/dep/.tiergate.toml")
        .exists());
    // What was written loads: every member's stages, qualified.
    let plan = repo.tiergate(&["plan", "--all"]);
    plan.expect_code(0);
    assert!(
        plan.stdout.contains("stage backend:fast"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("stage frontend:fast"),
        "{}",
        plan.stdout
    );
}

#[test]
fn a_member_group_runs_in_the_member_and_an_explicit_cwd_is_relative_to_it() {
    let repo = monorepo();
    repo.write(
        "backend/.tiergate.toml",
        r#"
[stages.fast]
groups = [
  { name = "unit", run = "sh -c 'pwd > ../SEEN_UNIT; echo \"$@\" >> ../SEEN_UNIT' sh {files}" },
  { name = "app", cwd = "app", run = "sh -c 'pwd > ../../SEEN_APP; echo \"$@\" >> ../../SEEN_APP' sh {files}" },
]
"#,
    );
    repo.tiergate(&["run", "backend:fast", "--files", "backend/app/models.py"])
        .expect_code(0);
    let seen = |file: &str| String::from_utf8(repo.read(file)).unwrap();
    let root = std::fs::canonicalize(repo.path()).unwrap();
    assert_eq!(
        seen("SEEN_UNIT"),
        format!("{}\napp/models.py\n", root.join("backend").display())
    );
    assert_eq!(
        seen("SEEN_APP"),
        format!("{}\nmodels.py\n", root.join("backend/app").display())
    );
}

#[test]
fn every_stage_and_group_of_the_json_report_has_its_project_and_a_merge_keeps_it() {
    let repo = monorepo();
    repo.tiergate(&["run", "--all", "--save-report", "all.json"])
        .expect_code(0);
    repo.tiergate(&["report", "--merge", "merged.json", "all.json"])
        .expect_code(0);
    for file in ["all.json", "merged.json"] {
        let report: serde_json::Value = serde_json::from_slice(&repo.read(file)).unwrap();
        let mut seen: Vec<String> = Vec::new();
        for stage in report["stages"].as_array().unwrap() {
            let project = stage["project"].as_str().unwrap();
            for group in stage["groups"].as_array().unwrap() {
                assert_eq!(group["project"].as_str(), Some(project), "{file}");
                seen.push(format!(
                    "{project} {}.{}",
                    stage["stage"].as_str().unwrap(),
                    group["name"].as_str().unwrap()
                ));
            }
        }
        seen.sort();
        assert_eq!(
            seen,
            vec![
                "backend backend:fast.db",
                "backend backend:fast.unit",
                "frontend frontend:fast.lint",
                "packages/alpha packages/alpha:fast.t",
            ],
            "{file}"
        );
    }
}

/// A group writing its start and end times into `out`, sleeping between.
fn timed(name: &str, locks: &str, out: &std::path::Path) -> String {
    format!(
        "[stages.fast]\ngroups = [{{ name = \"{name}\", always = true, locks = [{locks}], run = \"sh -c 'date +%s.%N > {out}/{name}.start; sleep 1; date +%s.%N > {out}/{name}.end'\" }}]\n",
        out = out.display()
    )
}

/// When a group ran, as its own command wrote it.
fn interval(out: &std::path::Path, name: &str) -> (f64, f64) {
    let read = |suffix: &str| -> f64 {
        let path = out.join(format!("{name}.{suffix}"));
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .trim()
            .parse()
            .unwrap()
    };
    (read("start"), read("end"))
}

/// Two members' `fast` stages, each one sleeping group, committed through
/// the real hook with `jobs = 2`: the intervals tell whether they overlapped.
fn two_members_fast(locks: &str) -> ((f64, f64), (f64, f64)) {
    let out = tempfile::tempdir().unwrap();
    let repo = TestRepo::new();
    repo.config("[settings]\njobs = 2\n[projects]\nmembers = [\"api\", \"web\"]\n[hooks.pre-commit]\nstages = [\"fast\"]\n")
        .write("api/.tiergate.toml", timed("api", locks, out.path()))
        .write("web/.tiergate.toml", timed("web", locks, out.path()))
        .write("api/app.py", "x = 1\n")
        .write("web/app.js", "x = 1\n")
        .commit("init");
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    repo.write("api/app.py", "x = 2\n")
        .write("web/app.js", "x = 2\n")
        .stage(&["api/app.py", "web/app.js"]);
    crate::support::Run::from(
        repo.git_cmd(&["commit", "-q", "-m", "change"])
            .output()
            .unwrap(),
    )
    .expect_code(0);
    (interval(out.path(), "api"), interval(out.path(), "web"))
}

#[test]
fn the_same_tier_of_two_members_runs_as_one_wave_in_a_real_commit() {
    let (api, web) = two_members_fast("");
    assert!(
        api.0 < web.1 && web.0 < api.1,
        "api:fast {api:?} and web:fast {web:?} ran one after the other"
    );
}

#[test]
fn a_lock_holds_across_the_members_of_one_wave() {
    let (api, web) = two_members_fast("\"db\"");
    assert!(
        !(api.0 < web.1 && web.0 < api.1),
        "api:fast {api:?} and web:fast {web:?} overlapped despite sharing `db`"
    );
}

#[test]
fn a_member_group_that_edits_a_tracked_file_in_a_wave_blocks_the_commit() {
    let repo = TestRepo::new();
    repo.config("[settings]\njobs = 2\n[projects]\nmembers = [\"api\", \"web\"]\n[hooks.pre-commit]\nstages = [\"fast\"]\n")
        .write(
            "api/.tiergate.toml",
            "[stages.fast]\ngroups = [{ name = \"fmt\", always = true, run = \"sh -c 'echo y = 3 >> app.py'\" }]\n",
        )
        .write(
            "web/.tiergate.toml",
            "[stages.fast]\ngroups = [{ name = \"lint\", always = true, run = \"true\" }]\n",
        )
        .write("api/app.py", "x = 1\n")
        .write("web/app.js", "x = 1\n")
        .commit("init");
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    repo.write("api/app.py", "x = 2\n")
        .write("web/app.js", "x = 2\n")
        .stage(&["api/app.py", "web/app.js"]);
    let run = crate::support::Run::from(
        repo.git_cmd(&["commit", "-q", "-m", "change"])
            .output()
            .unwrap(),
    );
    assert_ne!(run.code, 0, "{}", run.all());
    let all = run.all();
    assert!(
        all.contains("files were modified by this group") && all.contains("api/app.py"),
        "{all}"
    );
}

/// A Python member selecting its tests from the import graph: its code is
/// imported from its own folder (`from app.prices import ...` in
/// `api/tests`), its `tests` globs are its own, and `{tests}` is relative to
/// the member, where its command runs. A real commit of one module runs only
/// the test files that import it.
#[test]
fn a_python_member_selects_its_tests_from_the_import_graph_in_a_real_commit() {
    let repo = TestRepo::new();
    repo.config("[projects]\nmembers = [\"api\"]\n\n[hooks.pre-commit]\nstages = [\"fast\"]\n")
        .write(
            "api/.tiergate.toml",
            r#"[stages.fast]
groups = [{ name = "unit", tests = ["tests/**/test_*.py"], run = "sh -c 'pwd > ../CWD; for t; do echo $t; done > ../RAN' sh {tests}" }]
"#,
        )
        .write("api/pyproject.toml", "[project]\nname = \"api\"\n")
        .write("api/app/__init__.py", "")
        .write("api/app/prices.py", "def price():\n    return 1\n")
        .write("api/app/stock.py", "def stock():\n    return 2\n")
        .write("api/tests/test_prices.py", "from app.prices import price\n")
        .write("api/tests/test_stock.py", "from app import stock\n")
        .commit("init");
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    repo.write("api/app/prices.py", "def price():\n    return 3\n")
        .stage(&["api/app/prices.py"]);
    repo.git_cmd(&["commit", "-q", "-m", "prices"])
        .status()
        .unwrap();
    let ran = String::from_utf8(repo.read("RAN")).unwrap();
    assert_eq!(ran, "tests/test_prices.py\n", "the tests the commit ran");
    let cwd = String::from_utf8(repo.read("CWD")).unwrap();
    assert!(cwd.trim_end().ends_with("/api"), "ran in {cwd}");

    // A change the graph does not judge selects everything: every test the
    // member's globs match, still relative to the member.
    repo.write("api/app/stock.py", "def stock():\n    return 4\n")
        .write(
            ".tiergate.toml",
            "[projects]\nmembers = [\"api\"]\n\n[hooks.pre-commit]\nstages = [\"fast\"]\n\n",
        )
        .stage(&["api/app/stock.py", ".tiergate.toml"]);
    repo.git_cmd(&["commit", "-q", "-m", "stock"])
        .status()
        .unwrap();
    let ran = String::from_utf8(repo.read("RAN")).unwrap();
    assert_eq!(ran, "tests/test_prices.py\ntests/test_stock.py\n");
}

/// A member's `[env]` and `[[hints]]` are its own (SPEC 16: a member's config has the
/// root's schema): its groups run with the root's variables and then its own, which win;
/// its hints speak of its groups' failures only.
#[test]
fn a_members_env_and_hints_apply_to_its_own_groups() {
    let repo = TestRepo::new();
    repo.config(
        r#"
[projects]
members = ["backend"]

[env]
SHARED = "root"
ONLY_ROOT = "yes"

[stages.fast]
groups = [
  { name = "env", run = "sh -c 'echo root $SHARED ${ONLY_ROOT:-} ${ONLY_BACKEND:-} >> RAN'", always = true },
  { name = "breaks", run = "sh -c 'echo database is locked; exit 1'", always = true },
]

[hooks.pre-commit]
stages = ["fast"]
"#,
    )
    .write(
        "backend/.tiergate.toml",
        r#"
[env]
SHARED = "backend"
ONLY_BACKEND = "set"

[[hints]]
pattern = "database is locked"
hint = "another test holds the backend's database: give both groups locks = [\"db\"]"

[stages.fast]
groups = [
  { name = "env", run = "sh -c 'echo backend $SHARED ${ONLY_ROOT:-} ${ONLY_BACKEND:-} >> ../RAN'", always = true },
  { name = "breaks", run = "sh -c 'echo database is locked; exit 1'", always = true },
]
"#,
    )
    .write("backend/app.py", "x = 1\n")
    .commit("init");
    let run = repo.tiergate(&["run", "fast", "--all"]);
    run.expect_code(1);
    let ran = std::fs::read_to_string(repo.join("RAN")).unwrap();
    let mut lines: Vec<&str> = ran.lines().collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        ["backend backend yes set", "root root yes"],
        "{}",
        run.all()
    );
    // The member's hint is given for its own group's failure only.
    let hint = "another test holds the backend's database";
    assert_eq!(run.all().matches(hint).count(), 1, "{}", run.all());
    let backend_failure = run
        .all()
        .lines()
        .skip_while(|l| !l.contains("backend:fast.breaks"))
        .take(8)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(backend_failure.contains(hint), "{}", run.all());
}
