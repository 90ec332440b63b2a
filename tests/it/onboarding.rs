//! A new user's first steps: the effective config, markers typed wrong,
//! run-all triggers, the presets `install` writes (issue 14).

use crate::support::{Run, TestRepo};

/// The configuration lines of `config --show-effective`, without the
/// header (which names where the config came from).
fn body(run: &Run) -> String {
    run.stdout
        .lines()
        .skip_while(|l| l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Print the effective config, load it back as `.tiergate.toml`, and check
/// that it prints the same and plans the same commit and push.
fn assert_effective_round_trip(repo: &TestRepo, change: &str) -> String {
    repo.commit("base");
    let first = repo.tiergate(&["config", "--show-effective"]);
    first.expect_code(0);
    repo.write(change, "changed\n");
    repo.git(&["add", change]);
    let plan_commit = repo.tiergate(&["plan", "pre-commit"]);
    let plan_all = repo.tiergate(&["plan", "smoke", "fast", "comprehensive"]);
    repo.write(".tiergate.toml", body(&first) + "\n");
    let second = repo.tiergate(&["config", "--show-effective"]);
    second.expect_code(0);
    assert_eq!(
        body(&first),
        body(&second),
        "the effective config changed on reload"
    );
    assert_eq!(
        plan_commit.all(),
        repo.tiergate(&["plan", "pre-commit"]).all(),
        "the pre-commit plan changed"
    );
    assert_eq!(
        plan_all.all(),
        repo.tiergate(&["plan", "smoke", "fast", "comprehensive"])
            .all(),
        "the stages' plan changed"
    );
    body(&first)
}

#[test]
fn show_effective_prints_the_resolved_config_and_loads_back_the_same() {
    let repo = TestRepo::new();
    repo.config(concat!(
        "[settings]\nunmatched = \"none\"\n\n",
        "[[select]]\npaths = [\"app/**\"]\nmarkers = [\"unit\"]\n\n",
        "[formatters.tidy]\nrun = \"true\"\nfiles = [\"*.py\"]\nfiles_regex = \"^app/\"\ntext_only = true\n\n",
        "[stages.smoke]\ngroups = [{ name = \"lint\", run = \"true\", always = true }]\n\n",
        "[stages.fast]\ngroups = [{ name = \"unit\", run = \"echo '{markers}'\", markers = [\"unit\"], exclude = [\"app/gen/**\"], exclude_regex = \"_pb2\\\\.py$\" }]\n",
    ));
    let text = assert_effective_round_trip(&repo, "app/x.py");
    for expected in [
        "jobs = \"auto\"",
        "unmatched = \"none\"",
        "\"/Cargo.lock\"",
        "[stages.fast]\ngate = { fail_when = \"rate\", max_failure_rate = 0.1, on_fail = \"block\" }",
        "[hooks.pre-commit]\nstages = [\"smoke\", \"fast.unit\"]\nformatters = [\"tidy\"]\nfix = \"fail\"\nisolation = \"stash\"",
        "push_dirty = \"warn\"",
        "tag_pattern = \"v*\"",
        "no_tests = \"warn\"",
        "files_regex = \"^app/\"\ntext_only = true",
        "exclude = [\"app/gen/**\"]\nexclude_regex = '_pb2\\.py$'",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn show_effective_round_trips_the_rust_python_and_node_presets() {
    let rust = TestRepo::new();
    rust.write(
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    rust.write("src/main.rs", "fn main() {}\n");
    let text = assert_effective_round_trip(&rust, "src/main.rs");
    assert!(text.contains("--bins") && !text.contains("--lib"), "{text}");

    let python = TestRepo::new();
    python.write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\n\n[tool.pytest.ini_options]\nmarkers = [\"unit: fast\", \"slow: slow\"]\n",
    );
    python.write("tests/test_demo.py", "def test_ok():\n    pass\n");
    assert_effective_round_trip(&python, "tests/test_demo.py");

    let node = TestRepo::new();
    node.write(
        "package.json",
        "{\"name\": \"demo\", \"scripts\": {\"lint\": \"true\", \"test\": \"true\"}}\n",
    );
    assert_effective_round_trip(&node, "index.js");
}

const ITEMS: &str = concat!(
    "[[select]]\npaths = [\"src/**\"]\nmarkers = [\"itmes\"]\n\n",
    "[stages.fast]\ngroups = [{ name = \"items\", run = \"true\", markers = [\"items\"] }]\n",
);

#[test]
fn a_select_marker_no_group_uses_is_a_warning_in_config_and_doctor() {
    let repo = TestRepo::new();
    repo.config(ITEMS);
    let config = repo.tiergate(&["config"]);
    config.expect_code(0);
    assert!(
        config.stderr.contains(
            "warning: marker `itmes` of [[select]] rule 1 is used by no group: the paths it matches select nothing\n  --> .tiergate.toml:3:11\nhint: did you mean `items`? group markers: items"
        ),
        "{}",
        config.stderr
    );
    assert!(
        config
            .stderr
            .contains("marker `items` of group `fast.items` is selected by no [[select]] rule"),
        "{}",
        config.stderr
    );
    let doctor = repo.tiergate(&["doctor"]);
    assert!(
        doctor
            .stdout
            .contains("warning marker `itmes` of [[select]] rule 1")
            && doctor.stdout.contains("did you mean `items`?"),
        "{}",
        doctor.all()
    );
}

#[test]
fn markers_all_as_a_string_and_an_empty_list_that_selects_nothing() {
    let repo = TestRepo::new();
    repo.config(concat!(
        "[settings]\nunmatched = \"all\"\n\n",
        "[[select]]\npaths = [\"docs/**\"]\nmarkers = []\n\n",
        "[[select]]\npaths = [\"build.cfg\"]\nmarkers = \"all\"\n\n",
        "[stages.fast]\ngroups = [{ name = \"unit\", run = \"true\", markers = [\"unit\"] }]\n",
    ));
    repo.commit("config");
    repo.write("docs/guide.md", "read me\n");
    repo.git(&["add", "docs/guide.md"]);
    let plan = repo.tiergate(&["plan", "pre-commit"]);
    plan.expect_code(0);
    assert!(
        plan.stdout
            .contains("docs/guide.md: rule 1 (docs/**) -> nothing"),
        "a path of a `markers = []` rule is matched, not unmatched: {}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("skip unit: not selected: none of its markers (unit) is selected"),
        "{}",
        plan.stdout
    );
    repo.write("build.cfg", "x\n");
    repo.git(&["add", "build.cfg"]);
    let plan = repo.tiergate(&["plan", "pre-commit"]);
    assert!(
        plan.stdout.contains("build.cfg: rule 2 (build.cfg) -> all"),
        "{}",
        plan.stdout
    );
}

#[test]
fn lockfiles_are_run_all_triggers_and_extra_triggers_add_to_them() {
    let repo = TestRepo::new();
    repo.config(concat!(
        "[settings]\nunmatched = \"none\"\nrun_all_triggers_extra = [\"/deps.lock\"]\n\n",
        "[stages.fast]\ngroups = [{ name = \"unit\", run = \"true\", markers = [\"unit\"] }]\n",
    ));
    repo.commit("config");
    for lockfile in ["uv.lock", "deps.lock"] {
        repo.write(lockfile, "x\n");
        repo.git(&["add", lockfile]);
        let plan = repo.tiergate(&["plan", "pre-commit"]);
        assert!(
            plan.stdout
                .contains(&format!("{lockfile}: run-all trigger -> all")),
            "{}",
            plan.stdout
        );
        repo.git(&["reset", "-q", "--", lockfile]);
    }
}

#[test]
fn install_without_a_terminal_says_it_took_the_defaults() {
    let repo = TestRepo::new();
    repo.write("package.json", "{\"name\": \"demo\"}\n");
    let run = Run::from(
        repo.tiergate_cmd(&["install"])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap(),
    );
    run.expect_code(0);
    assert!(
        run.stdout.contains(
            "no terminal to ask on: taking the defaults (hooks: pre-commit, pre-push, pre-release, the detected `node` preset written to .tiergate.toml)"
        ),
        "{}",
        run.stdout
    );
}

/// The preset of a binary-only crate once ran `cargo nextest run --lib`, and
/// every push was blocked by "no library targets found".
#[test]
fn the_rust_preset_of_a_binary_only_crate_passes_its_tests() {
    let repo = TestRepo::new();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    repo.write(
        "src/main.rs",
        "fn main() {\n    println!(\"{}\", double(2));\n}\n\nfn double(x: u32) -> u32 {\n    x * 2\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn doubles() {\n        assert_eq!(super::double(2), 4);\n    }\n}\n",
    );
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    let written = String::from_utf8(repo.read(".tiergate.toml")).unwrap();
    assert!(written.contains("cargo-nextest"), "{written}");
    let run = Run::from(
        repo.tiergate_cmd(&["run", "fast.unit", "--save-report", "r.json"])
            .env("CARGO_TARGET_DIR", repo.home.path().join("target"))
            .output()
            .unwrap(),
    );
    run.expect_code(0);
    let report: serde_json::Value = serde_json::from_slice(&repo.read("r.json")).unwrap();
    let group = &report["stages"][0]["groups"][0];
    assert_eq!(group["status"], "passed", "{}", run.all());
    // Counted from nextest's own output: the test is named.
    assert!(
        group["tests"][0]["name"]
            .as_str()
            .is_some_and(|n| n.ends_with("doubles")),
        "{group}"
    );
}

/// Budget warnings fired on ordinary commits: the median mixed runs of one
/// group with runs of the whole stage. A stage is compared only with earlier
/// runs of the same groups.
#[test]
fn budget_warnings_compare_a_stage_only_with_runs_of_the_same_groups() {
    let repo = TestRepo::new();
    repo.config(concat!(
        "[stages.fast]\ngroups = [\n",
        "  { name = \"unit\", run = \"true\" },\n",
        "  { name = \"slow\", run = \"sleep 1\" },\n",
        "]\n",
    ));
    repo.commit("config");
    // Earlier commits ran `fast.unit` alone, in a hundredth of a second.
    let quick = "{\"stages\":[{\"name\":\"fast\",\"status\":\"passed\",\"duration\":0.01,\"groups\":[{\"name\":\"unit\",\"status\":\"passed\"}]}]}\n";
    std::fs::create_dir_all(repo.join(".git/tiergate")).unwrap();
    std::fs::write(repo.join(".git/tiergate/history.jsonl"), quick.repeat(3)).unwrap();

    // The whole stage (a second longer) is not compared with those runs.
    let whole = repo.tiergate(&["run", "fast", "--no-cache"]);
    whole.expect_code(0);
    assert!(!whole.all().contains("budget fast"), "{}", whole.all());

    // Runs of the same groups are: this one, made slow, is flagged.
    std::fs::write(
        repo.join(".git/tiergate/history.jsonl"),
        quick.replace("{\"name\":\"unit\",\"status\":\"passed\"}", "{\"name\":\"slow\",\"status\":\"passed\"},{\"name\":\"unit\",\"status\":\"passed\"}").repeat(3),
    )
    .unwrap();
    let slow = repo.tiergate(&["run", "fast", "--no-cache"]);
    slow.expect_code(0);
    assert!(slow.all().contains("budget fast WARNING"), "{}", slow.all());
}

/// `install.sh` was silent for minutes while cargo built. Here `cargo` is a
/// stand-in that behaves as cargo does with and without `--quiet` (the real
/// build is what CI runs), so the test checks what the script asks of it.
#[test]
fn install_sh_says_it_is_building_and_shows_cargos_progress() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let root = dir.path().join("root");
    let stub = concat!(
        "#!/bin/sh\n",
        "case \" $* \" in *\" --quiet \"*) ;; *) echo '   Compiling tiergate v0.1.0' >&2 ;; esac\n",
        "mkdir -p \"$CARGO_INSTALL_ROOT/bin\"\n",
        "printf '#!/bin/sh\\necho tiergate 0.1.0\\n' > \"$CARGO_INSTALL_ROOT/bin/tiergate\"\n",
        "chmod +x \"$CARGO_INSTALL_ROOT/bin/tiergate\"\n",
    );
    let cargo = bin.join("cargo");
    std::fs::write(&cargo, stub).unwrap();
    std::fs::set_permissions(&cargo, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh");
    let run = Run::from(
        std::process::Command::new("bash")
            .arg(&script)
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .env("CARGO_INSTALL_ROOT", &root)
            .output()
            .unwrap(),
    );
    run.expect_code(0);
    assert!(
        run.stdout
            .starts_with("install.sh: building tiergate with cargo install"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("Compiling tiergate"), "{}", run.stderr);
    assert!(
        run.stdout.contains("tiergate 0.1.0 installed at"),
        "{}",
        run.stdout
    );
}

/// A crate fresh from `cargo new` has no tests at all, and nextest fails a
/// run that finds none ("no tests to run", exit 4) unless told otherwise:
/// the merged preset blocked the first commit and every push of such a crate
/// by its `fast.unit`. Through real `git commit` and `git push`.
#[test]
fn the_rust_preset_of_a_cargo_new_binary_without_tests_commits_and_pushes() {
    let repo = TestRepo::new();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"hello\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n",
    );
    repo.write(
        "src/main.rs",
        "fn main() {\n    println!(\"Hello, world!\");\n}\n",
    );
    repo.write(".gitignore", "/target\n");
    repo.commit("cargo new");
    let remote = tempfile::tempdir().unwrap();
    repo.git(&["init", "-q", "--bare", remote.path().to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    let written = String::from_utf8(repo.read(".tiergate.toml")).unwrap();
    assert!(written.contains("cargo nextest run"), "{written}");
    let target = repo.home.path().join("target");
    repo.git(&["add", ".tiergate.toml"]);
    let commit = Run::from(
        repo.git_cmd(&["commit", "-q", "-m", "tiergate config"])
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .unwrap(),
    );
    commit.expect_code(0);
    let push = Run::from(
        repo.git_cmd(&["push", "-q", "origin", "HEAD:main"])
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .unwrap(),
    );
    push.expect_code(0);
    assert_eq!(
        repo.git(&["rev-parse", "HEAD"]),
        repo.git(&[
            "--git-dir",
            remote.path().to_str().unwrap(),
            "rev-parse",
            "main"
        ]),
        "{}",
        push.all()
    );
}
