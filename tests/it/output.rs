//! What a person reads after a run: every group left out is listed with its
//! reason, a blocked run says how to reproduce and bypass, `-q` is one line,
//! failures show their message in the runner's words.

use std::process::Stdio;

use crate::support::{Run, TestRepo};

/// Exit status, stdout and stderr together, so a line that should not be
/// there is seen as surely as one that should.
fn shown(run: &Run) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        run.code, run.stdout, run.stderr
    )
}

/// Durations, timestamps, commit ids and temp paths vary between runs.
macro_rules! assert_output {
    ($name:expr, $text:expr) => {
        insta::with_settings!({filters => vec![
            (r"\b\d+\.\d+s\b", "[T]"),
            (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "[TIME]"),
            (r"\b[0-9a-f]{10}\b", "[SHA]"),
            (r"/tmp/\.tmp\w+", "[TMP]"),
            (r"/tmp/tiergate-run-\w+", "[RUN]"),
            (r"recovery/\d+-\d+", "recovery/[ENTRY]"),
        ]}, {
            insta::assert_snapshot!($name, $text);
        })
    };
}

const THREE_STAGES: &str = r#"[settings]
jobs = 1
unmatched = "none"

[[select]]
paths = ["src/**"]
markers = ["unit"]

[[select]]
paths = ["db/**"]
markers = ["database"]

[stages.smoke]
groups = [
  { name = "lint", run = "sh -c 'echo lint ok'", always = true },
  { name = "db", run = "sh -c 'echo db ok'", markers = ["database"] },
]

[stages.fast]
groups = [
  { name = "unit", run = "sh -c 'echo assertion failed: left == right; exit 1'", markers = ["unit"] },
  { name = "other", run = "true", markers = ["unit"] },
]

[stages.comprehensive]
groups = [{ name = "e2e", run = "true", markers = ["unit"] }]
"#;

fn three_stages() -> TestRepo {
    let repo = TestRepo::new();
    repo.config(THREE_STAGES);
    repo.write("src/a.txt", "a\n");
    repo.commit("init");
    repo.write("src/a.txt", "b\n");
    repo.stage(&["src/a.txt"]);
    repo
}

#[test]
fn every_group_left_out_is_listed_with_its_reason() {
    let repo = three_stages();
    let mut cmd = repo.tiergate_cmd(&["run", "--staged"]);
    cmd.env("TIERGATE_SKIP", "smoke.lint,fats");
    let run = Run::from(cmd.output().unwrap());
    assert_output!("left_out_groups_listed", shown(&run));
    // The second run replays fast.other from the cache: listed as cached.
    let run = repo.tiergate(&["run", "--staged"]);
    assert_output!("left_out_groups_cached", shown(&run));
}

#[test]
fn quiet_counts_the_groups_left_out_in_its_one_line() {
    let repo = three_stages();
    let run = repo.tiergate(&["-q", "run", "smoke", "--staged"]);
    assert_output!("quiet_success_one_line", shown(&run));
}

#[test]
fn quiet_shows_the_blocking_details_and_the_next_step() {
    let repo = three_stages();
    let run = repo.tiergate(&["-q", "run", "--staged"]);
    assert_output!("quiet_blocked", shown(&run));
}

#[test]
fn history_shows_a_run_whose_groups_were_all_skipped_as_skipped() {
    let repo = three_stages();
    let mut cmd = repo.tiergate_cmd(&["run", "--staged"]);
    cmd.env("TIERGATE_SKIP", "smoke,fast,comprehensive");
    Run::from(cmd.output().unwrap()).expect_code(0);
    let history = repo.tiergate(&["history"]);
    assert_output!("history_all_skipped", shown(&history));
}

/// Every group skipped by `TIERGATE_SKIP` in a real commit: each says so,
/// and nothing claims that the change selected no group.
#[test]
fn a_commit_with_every_group_skipped_does_not_say_no_group_was_selected() {
    let repo = three_stages();
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    let out = repo
        .git_cmd(&["commit", "-q", "-m", "change"])
        .env("TIERGATE_SKIP", "smoke,fast,comprehensive")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let run = Run::from(out);
    assert_eq!(run.code, 0, "{}", run.all());
    let all = run.all();
    assert!(all.contains("skipped by TIERGATE_SKIP"), "{all}");
    assert!(!all.contains("no group selected"), "{all}");
}

/// A commit blocked by the pre-commit hook, as git shows it: the command
/// that reproduces the failing group and the two ways past it once.
#[test]
fn a_blocked_commit_says_how_to_reproduce_and_bypass() {
    let repo = three_stages();
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    let out = repo
        .git_cmd(&["commit", "-q", "-m", "change"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let run = Run::from(out);
    assert_eq!(run.code, 1, "{}", run.all());
    let all = run.all();
    let next: Vec<&str> = all.lines().skip_while(|l| *l != "next:").collect();
    assert_eq!(
        next,
        [
            "next:",
            "  reproduce:   tiergate run fast.unit",
            "  bypass once: git commit --no-verify, or TIERGATE_SKIP=fast.unit",
        ]
    );
}

/// A formatter that squeezes double spaces, under `fix = "fail"`.
const FORMATTER: &str = r#"[formatters.squeeze]
run = "sh -c 'for f; do sed -i \"s/  */ /g\" \"$f\"; done' sh"
files = ["*.txt"]
[stages.smoke]
groups = [{ name = "ok", run = "true", always = true }]
[hooks.pre-commit]
stages = ["smoke"]
formatters = ["squeeze"]
fix = "fail"
"#;

fn formatter_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.config(FORMATTER);
    repo.write("a.txt", "one\ntwo\nthree\nfour\nfive\n");
    repo.commit("init");
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    repo
}

fn commit(repo: &TestRepo) -> Run {
    Run::from(
        repo.git_cmd(&["commit", "-q", "-m", "change"])
            .stdin(Stdio::null())
            .output()
            .unwrap(),
    )
}

/// A plain `git add` would stage the unstaged work the hook protected.
#[test]
fn fixes_on_a_partially_staged_file_hint_git_add_p() {
    let repo = formatter_repo();
    repo.write("a.txt", "one  spaced\ntwo\nthree\nfour\nfive\n");
    repo.stage(&["a.txt"]);
    repo.write("a.txt", "one  spaced\ntwo\nthree\nfour\nfive UNSTAGED\n");
    assert_output!("fixes_partially_staged_git_add_p", shown(&commit(&repo)));
}

/// Twelve fixed files: the messages name ten and count the rest, and the
/// hint's command is `git add -p` alone, not a line of every path.
#[test]
fn fixes_on_many_partially_staged_files_name_ten_and_count_the_rest() {
    let repo = formatter_repo();
    let names: Vec<String> = (0..12).map(|i| format!("f{i:02}.txt")).collect();
    for name in &names {
        repo.write(name, "one\ntwo\nthree\nfour\nfive\n");
    }
    repo.commit("more files");
    for name in &names {
        repo.write(name, "one  spaced\ntwo\nthree\nfour\nfive\n");
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    repo.stage(&refs);
    for name in &names {
        repo.write(name, "one  spaced\ntwo\nthree\nfour\nfive UNSTAGED\n");
    }
    assert_output!("fixes_many_partially_staged", shown(&commit(&repo)));
    for name in &names {
        let bytes = std::fs::read_to_string(repo.join(name)).unwrap();
        assert!(bytes.ends_with("five UNSTAGED\n"), "{name}: {bytes}");
    }
}

/// Right after `git checkout -- a.txt` the file has no unstaged change,
/// whatever its timestamps make a scan suspect: no "merged" message.
#[test]
fn fixes_merged_is_not_claimed_right_after_git_checkout() {
    let repo = formatter_repo();
    repo.write("a.txt", "one  spaced\ntwo\nthree\nfour\nfive\n");
    repo.stage(&["a.txt"]);
    repo.write("a.txt", "one  spaced\ntwo\nthree\nfour\nfive UNSTAGED\n");
    repo.git(&["checkout", "--", "a.txt"]);
    // A timestamp git's index does not know: the scan cannot tell the file
    // is clean and sets it aside, as in a racy same-second checkout.
    let touched = std::process::Command::new("touch")
        .args(["-m", "-d", "2030-01-01 00:00:00"])
        .arg(repo.join("a.txt"))
        .status()
        .unwrap();
    assert!(touched.success());
    assert_output!("fixes_after_git_checkout", shown(&commit(&repo)));
}

/// A restage run of a file without unstaged changes (another file has
/// some, so the work is set aside): nothing of the user's was merged.
#[test]
fn fixes_merged_is_not_claimed_in_a_restage_run() {
    let repo = TestRepo::new();
    repo.config(&FORMATTER.replace("fix = \"fail\"", "fix = \"restage\""));
    repo.write("a.txt", "one\ntwo\n");
    repo.write("b.txt", "alpha\n");
    repo.commit("init");
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    repo.write("a.txt", "one  spaced\ntwo\n");
    repo.stage(&["a.txt"]);
    repo.write("b.txt", "alpha UNSTAGED\n");
    assert_output!("fixes_restaged", shown(&commit(&repo)));
}

const CALC_TESTS: &str = r#"import pytest

def test_add():
    assert 1 + 1 == 2

def test_mul():
    x = 3
    assert x * 2 == 7, "three times two"

def test_err():
    raise ValueError("bad value")

@pytest.mark.skip(reason="later")
def test_skip():
    pass

def test_ok2():
    pass
"#;

fn pytest_repo(run: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.config(&format!(
        "[stages.fast]\ngroups = [{{ name = \"unit\", run = \"{run}\", cache = false }}]\n\
         [stages.fast.gate]\nfail_when = \"rate\"\nmax_failure_rate = 0.6\n"
    ));
    repo.write("tests/__init__.py", "");
    repo.write("tests/test_calc.py", CALC_TESTS);
    repo.commit("init");
    repo
}

/// Without `{junit}`, pytest's own summary counts the tests (5, not 1), so
/// the rate gate sees 2 of 4 failing; each failure shows its message.
#[test]
fn without_junit_pytest_is_counted_from_its_summary_with_its_messages() {
    let repo = pytest_repo("python3 -m pytest -q -p no:cacheprovider tests");
    let run = repo.tiergate(&["run", "fast"]);
    assert_output!("pytest_summary_counts", shown(&run));
}

/// With `{junit}`, a failed test reads as the node id pytest accepts.
#[test]
fn pytest_failures_read_as_node_ids_pytest_accepts() {
    let repo = pytest_repo("python3 -m pytest -q -p no:cacheprovider --junitxml={junit} tests");
    let run = repo.tiergate(&["run", "fast"]);
    assert_output!("pytest_junit_node_ids", shown(&run));
}

/// cargo-nextest's JUnit gives only `thread 'x' panicked at file:line` as a
/// failure's message: a blocked commit showed that line and cut off the panic
/// itself. The message comes from the failure's text instead.
#[test]
fn nextest_junit_failures_show_the_panic_message_not_just_where_it_panicked() {
    let repo = TestRepo::new();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    repo.write(
        "src/lib.rs",
        "pub fn double(x: u32) -> u32 {\n    x * 2\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn doubles() {\n        assert_eq!(super::double(2), 5, \"two doubled\");\n    }\n}\n",
    );
    repo.config(concat!(
        "[stages.fast]\ngroups = [{ name = \"unit\", always = true, run = '''",
        "sh -c 'printf \"[profile.tg.junit]\\npath = \\\"%s\\\"\\n\" \"$1\" > \"$1.toml\" && ",
        "exec cargo nextest run --tool-config-file \"tg:$1.toml\" --profile tg --lib' sh {junit}''' }]\n",
        "\n[hooks.pre-commit]\nstages = [\"fast\"]\n",
    ));
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    repo.stage(&["Cargo.toml", "src/lib.rs", ".tiergate.toml"]);
    let out = repo
        .git_cmd(&["commit", "-q", "-m", "double"])
        .env("CARGO_TARGET_DIR", repo.home.path().join("target"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let run = Run::from(out);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.all().contains(
            "✗ demo::tests::doubles: assertion `left == right` failed: two doubled (at src/lib.rs:9:9)"
        ),
        "{}",
        run.all()
    );
}

/// `tiergate hook pre-push` typed in a terminal: it says at once what it
/// expects instead of waiting for lines nobody will type.
#[test]
fn a_pre_push_hook_reading_a_terminal_says_what_it_expects() {
    let repo = TestRepo::new();
    repo.write("a.txt", "a\n");
    repo.commit("init");
    // `script` gives the hook a terminal as its stdin.
    let mut cmd = std::process::Command::new("script");
    cmd.args([
        "-qec",
        &format!("{} hook pre-push origin x", crate::support::BIN),
    ])
    .arg("/dev/null")
    .current_dir(repo.path())
    .stdin(Stdio::null());
    crate::support::isolate(&mut cmd, repo.home.path());
    let run = Run::from(cmd.output().unwrap());
    assert_eq!(run.code, 2, "{}", run.all());
    let text = run.all().replace('\r', "");
    assert!(
        text.starts_with(
            "error: tiergate hook pre-push reads git's ref lines on stdin, and stdin is a terminal\nhint: let `git push` run it"
        ),
        "{text}"
    );
}

/// Bad input gets its hint once.
#[test]
fn a_malformed_pre_push_line_gets_one_hint() {
    let repo = TestRepo::new();
    repo.write("a.txt", "a\n");
    repo.commit("init");
    let mut child = repo
        .tiergate_cmd(&["hook", "pre-push", "origin", "x"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"garbage\n").unwrap();
    }
    let run = Run::from(child.wait_with_output().unwrap());
    assert_output!("pre_push_malformed_line", shown(&run));
}

/// `git rebase -x 'tiergate run fast --commit HEAD'` tests each pick for
/// its own changes: the rebase stops at the commit that brings a bad file,
/// and the picks before it pass although the base never had that file.
#[test]
fn rebase_exec_gates_every_pick_and_stops_at_the_failing_one() {
    let repo = TestRepo::new();
    repo.config(
        "[stages.smoke]\ngroups = [{ name = \"ok\", run = \"true\", cache = false }]\n[stages.fast]\ngroups = [{ name = \"clean\", run = \"sh -c 'for f; do if grep -q BAD \\\"$f\\\"; then echo \\\"$f is bad\\\"; exit 1; fi; done' sh {files}\", cache = false }]\n",
    );
    repo.write("base.txt", "base\n");
    repo.commit("base");
    repo.git(&["checkout", "-q", "-b", "topic"]);
    for (file, content, message) in [
        ("a.txt", "fine\n", "pick a"),
        ("b.txt", "BAD\n", "pick b"),
        ("c.txt", "fine\n", "pick c"),
    ] {
        repo.write(file, content);
        repo.commit(message);
    }
    let bin_dir = std::path::Path::new(crate::support::BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // The README's recipe, as written.
    let recipe = include_str!("../../README.md")
        .lines()
        .find(|l| l.starts_with("git rebase -x "))
        .unwrap();
    let mut cmd = std::process::Command::new("bash");
    cmd.args(["-c", recipe]).current_dir(repo.path());
    crate::support::isolate(&mut cmd, repo.home.path());
    let out = cmd
        .env("PATH", path)
        .env("GIT_EDITOR", "true")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let run = Run::from(out);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().contains("b.txt is bad"), "{}", run.all());
    assert!(
        run.all()
            .to_lowercase()
            .contains("execution failed: tiergate run smoke fast --commit head"),
        "{}",
        run.all()
    );
    // Stopped right after the failing pick; the next one is still to come.
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]).trim(), "pick b");
    assert!(repo.join(".git/rebase-merge").exists());
    assert!(!repo.join("c.txt").exists());
}

/// `--commit` on a root commit tests every file in it.
#[test]
fn run_commit_on_a_root_commit_tests_every_file_in_it() {
    let repo = TestRepo::new();
    repo.config(
        "[stages.fast]\ngroups = [{ name = \"show\", run = \"echo {files}\", cache = false }]\n",
    );
    repo.write("a.txt", "a\n");
    repo.commit("root");
    repo.write("b.txt", "b\n");
    repo.commit("second");
    let run = repo.tiergate(&["-v", "run", "fast", "--commit", "HEAD~1"]);
    run.expect_code(0);
    assert!(
        run.all().contains("[fast.show] .tiergate.toml a.txt"),
        "{}",
        run.all()
    );
    let run = repo.tiergate(&["-v", "run", "fast", "--commit", "HEAD"]);
    run.expect_code(0);
    assert!(run.all().contains("[fast.show] b.txt"), "{}", run.all());
}

const PLAN_CONFIG: &str = r#"[formatters.squeeze]
run = "true"
files = ["*.txt"]
[formatters.pyfmt]
run = "true"
files = ["*.py"]
[stages.smoke]
groups = [{ name = "ok", run = "true", always = true }]
[hooks.pre-commit]
stages = ["smoke"]
formatters = ["squeeze", "pyfmt"]
[hooks.pre-push]
stages = ["smoke"]
"#;

/// `plan pre-commit` lists every formatter with its staged files or why it
/// is skipped; `plan pre-push [REMOTE]` says what it compares with.
#[test]
fn plan_lists_formatters_and_says_what_a_push_compares_with() {
    let repo = TestRepo::new();
    let remote = tempfile::tempdir().unwrap();
    repo.git(&["init", "-q", "--bare", remote.path().to_str().unwrap()]);
    repo.config(PLAN_CONFIG);
    repo.write("a.txt", "a\n");
    repo.commit("init");
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    repo.git(&["remote", "add", "mirror", remote.path().to_str().unwrap()]);
    repo.git(&["push", "-q", "--no-verify", "-u", "origin", "main"]);
    repo.write("a.txt", "b\n");
    repo.commit("two");
    repo.write("a.txt", "c\n");
    repo.stage(&["a.txt"]);
    let mut text = String::new();
    for args in [
        &["plan", "pre-commit"][..],
        &["plan", "pre-push"],
        &["plan", "pre-push", "mirror"],
        &["plan", "pre-push", "--from", "HEAD~1"],
    ] {
        let run = repo.tiergate(args);
        text.push_str(&format!("$ tiergate {}\n{}", args.join(" "), shown(&run)));
    }
    assert_output!("plan_formatters_and_push", text);
}

const SERVICE_CONFIG: &str = r#"[services.db]
check = "test -f up"
start = "sh -c 'touch up; echo checked-or-started >> service.log'"
stop = "rm up"
interval = "10ms"
[stages.fast]
needs = ["db"]
groups = [{ name = "unit", run = "test -f up" }]
"#;

/// A service is checked and started only when a group needing it will
/// run; starting and stopping it is announced in one line each.
#[test]
fn services_start_only_for_groups_that_run_and_say_so() {
    let repo = TestRepo::new();
    repo.config(SERVICE_CONFIG);
    repo.write(".gitignore", "up\nservice.log\n");
    repo.commit("init");
    let mut text = String::new();
    let first = repo.tiergate(&["run", "fast"]);
    text.push_str(&format!("$ tiergate run fast\n{}", shown(&first)));
    // The same inputs again: the group replays its pass, the service is not touched.
    let cached = repo.tiergate(&["run", "fast"]);
    text.push_str(&format!(
        "$ tiergate run fast  # cached\n{}",
        shown(&cached)
    ));
    let mut cmd = repo.tiergate_cmd(&["run", "fast", "--no-cache"]);
    cmd.env("TIERGATE_SKIP", "fast.unit");
    let skipped = Run::from(cmd.output().unwrap());
    text.push_str(&format!(
        "$ TIERGATE_SKIP=fast.unit tiergate run fast --no-cache\n{}",
        shown(&skipped)
    ));
    assert_output!("services_only_when_needed", text);
    assert_eq!(repo.read("service.log"), b"checked-or-started\n");
}

/// `--color never` (and `NO_COLOR`, which every test sets) strips a child's
/// own colour codes from what tiergate prints: the tail under a failure and
/// the `-v` stream.
#[test]
fn colour_off_strips_the_escape_codes_of_children() {
    let repo = TestRepo::new();
    repo.config(
        "[stages.fast]\ngroups = [{ name = \"fmt\", run = \"sh -c 'printf \\\"\\\\033[31mDiff in src/lib.rs\\\\033[0m\\\\n\\\"; exit 1'\", cache = false }]\n",
    );
    repo.write("a.txt", "a\n");
    repo.commit("init");
    for args in [
        &["--color", "never", "run", "fast"][..],
        &["-v", "run", "fast"],
    ] {
        let run = repo.tiergate(args);
        run.expect_code(1);
        assert!(
            run.all().contains("Diff in src/lib.rs\n"),
            "{:?}",
            run.all()
        );
        assert!(!run.all().contains('\x1b'), "{:?}", run.all());
    }
}

/// Fixes that conflict with unstaged work on the same line are set aside;
/// the message says where, and what to do next.
#[test]
fn a_formatter_conflict_ends_with_a_next_step() {
    let repo = formatter_repo();
    repo.write("a.txt", "one  spaced\ntwo\nthree\nfour\nfive\n");
    repo.stage(&["a.txt"]);
    repo.write("a.txt", "one  spaced  and more\ntwo\nthree\nfour\nfive\n");
    let run = commit(&repo);
    assert_output!("formatter_conflict_next_step", shown(&run));
    assert_eq!(
        repo.read("a.txt"),
        b"one  spaced  and more\ntwo\nthree\nfour\nfive\n"
    );
}
