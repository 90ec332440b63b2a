//! Bad config is a corpus: every file under tests/fixtures/config/invalid/
//! exits 2 with a snapshot of its message, and nothing runs.

use crate::support::TestRepo;

fn check(defect: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/config/invalid/{defect}.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let repo = TestRepo::new();
    repo.config(&text);
    let run = repo.tiergate(&["run"]);
    run.expect_code(2);
    assert!(
        !repo.join("RAN").exists(),
        "{defect}: a command ran despite the bad config"
    );
    assert!(
        run.stderr.contains(".tiergate.toml"),
        "{defect}: the message does not name the file:\n{}",
        run.stderr
    );
    run.stderr
}

macro_rules! corpus {
    ($($name:ident => $file:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                insta::assert_snapshot!($file, check($file));
            }
        )*
    };
}

corpus! {
    invalid_toml => "invalid-toml",
    unknown_key => "unknown-key",
    unknown_group_key => "unknown-group-key",
    unknown_hook_stage => "unknown-hook-stage",
    unknown_hook_group => "unknown-hook-group",
    group_without_run => "group-without-run",
    bad_glob => "bad-glob",
    bad_duration => "bad-duration",
    unknown_service => "unknown-service",
    service_cycle => "service-cycle",
    empty_run => "empty-run",
    unterminated_quote => "unterminated-quote",
    files_inside_argument => "files-inside-argument",
    bad_jobs => "bad-jobs",
    bad_gate_value => "bad-gate-value",
    misplaced_hook_key => "misplaced-hook-key",
    duplicate_group => "duplicate-group",
    bad_rate => "bad-rate",
    bad_files_regex => "bad-files-regex",
    tests_without_globs => "tests-without-globs",
    bad_tests_glob => "bad-tests-glob",
    unknown_hook_name => "unknown-hook-name",
    formatters_on_commit_msg => "formatters-on-commit-msg",
    cwd_missing => "cwd-missing",
    cwd_outside => "cwd-outside",
}

#[test]
fn every_fixture_has_a_test() {
    let dir = format!(
        "{}/tests/fixtures/config/invalid",
        env!("CARGO_MANIFEST_DIR")
    );
    let source = include_str!("config_errors.rs");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry
            .unwrap()
            .file_name()
            .to_string_lossy()
            .trim_end_matches(".toml")
            .to_owned();
        assert!(
            source.contains(&format!("\"{name}\"")),
            "fixture {name}.toml has no test"
        );
    }
}

#[test]
fn a_missing_program_names_the_line_and_runs_nothing() {
    let repo = TestRepo::new();
    repo.config("[stages.smoke]\ngroups = [\n  { name = \"first\", run = \"touch RAN\" },\n  { name = \"typo\", run = \"pytets -q\" },\n]\n");
    let run = repo.tiergate(&["run"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("program `pytets` not found"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(".tiergate.toml:4:"), "{}", run.stderr);
    assert!(!repo.join("RAN").exists());
}

#[test]
fn outside_a_git_repository_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(crate::support::BIN)
        .arg("run")
        .current_dir(dir.path())
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not inside a git repository"));
}

#[test]
fn an_unknown_target_suggests_the_closest_stage() {
    let repo = TestRepo::new();
    repo.config("[stages.fast]\ngroups = [{ name = \"unit\", run = \"true\" }]\n");
    let run = repo.tiergate(&["run", "fsat"]);
    run.expect_code(2);
    assert!(run.stderr.contains("unknown stage `fsat`"));
    assert!(run.stderr.contains("did you mean `fast`?"));
}
