//! Missing programs are found before anything runs: a cargo subcommand needs
//! its `cargo-<name>` program, and a group's missing program is found before
//! the formatters rewrite files.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::{Run, TestRepo};

fn executable(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A `cargo` whose `build` passes and that runs `cargo-<sub>` from `$CARGO_HOME/bin` or PATH, or says
/// "no such command" and exits 101, as cargo does.
const FAKE_CARGO: &str = r#"#!/bin/sh
while [ "${1#-}" != "$1" ]; do shift; done
sub=$1; shift
if [ "$sub" = build ]; then exit 0; fi
for dir in "$CARGO_HOME/bin" $(echo "$PATH" | tr ':' ' '); do
  if [ -x "$dir/cargo-$sub" ]; then exec "$dir/cargo-$sub" "$sub" "$@"; fi
done
echo "error: no such command: \`$sub\`" >&2
exit 101
"#;

struct CargoProject {
    repo: TestRepo,
    bin: tempfile::TempDir,
    cargo_home: tempfile::TempDir,
}

impl CargoProject {
    fn new() -> CargoProject {
        let repo = TestRepo::new();
        let bin = tempfile::tempdir().unwrap();
        let cargo_home = tempfile::tempdir().unwrap();
        executable(&bin.path().join("cargo"), FAKE_CARGO);
        repo.config(
            r#"
[stages.fast]
groups = [
  { name = "build", run = "cargo build --locked" },
  { name = "unit", run = "cargo --locked nextest run --workspace" },
]
"#,
        );
        repo.write("src/lib.rs", "").commit("crate");
        CargoProject {
            repo,
            bin,
            cargo_home,
        }
    }

    fn tiergate(&self, args: &[&str]) -> Run {
        let mut cmd = self.repo.tiergate_cmd(args);
        cmd.env(
            "PATH",
            format!("{}:/usr/bin:/bin", self.bin.path().display()),
        )
        .env("CARGO_HOME", self.cargo_home.path());
        Run::from(cmd.output().unwrap())
    }
}

#[test]
fn a_missing_cargo_nextest_is_a_missing_program_exit_2_not_a_failing_test() {
    let p = CargoProject::new();
    let run = p.tiergate(&["run", "fast"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains(
            "program `cargo-nextest` not found, used by [stages.fast] group `unit` (`cargo nextest` runs it)"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(".tiergate.toml:5:"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("install it: `cargo install cargo-nextest --locked`"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stdout.contains("build"),
        "nothing ran:\n{}",
        run.stdout
    );

    let doctor = p.tiergate(&["doctor"]);
    doctor.expect_code(1);
    assert!(
        doctor
            .stdout
            .contains("program `cargo-nextest` of [stages.fast] group `unit` is not on PATH"),
        "{}",
        doctor.stdout
    );
    assert!(
        doctor
            .stdout
            .contains("cargo install cargo-nextest --locked"),
        "{}",
        doctor.stdout
    );
    assert!(
        !doctor.stdout.contains("every program is on PATH"),
        "{}",
        doctor.stdout
    );

    // Installed in $CARGO_HOME/bin, as `cargo install` puts it: the group runs.
    executable(
        &p.cargo_home.path().join("bin/cargo-nextest"),
        "#!/bin/sh\necho nextest-ran \"$@\"\n",
    );
    let run = p.tiergate(&["run", "fast", "-v"]);
    run.expect_code(0);
    assert!(
        run.all().contains("nextest-ran nextest run --workspace"),
        "{}",
        run.all()
    );
    let doctor = p.tiergate(&["doctor"]);
    assert!(
        doctor.stdout.contains("every program is on PATH"),
        "{}",
        doctor.stdout
    );
}

#[test]
fn a_groups_missing_program_is_found_before_the_formatters_rewrite_files() {
    let repo = TestRepo::new();
    let log = repo.home.path().join("formatter.log");
    repo.config(&format!(
        r#"
[formatters.squeeze]
run = "sh -c 'echo ran >> {log}; for f; do sed -i \"s/  */ /g\" \"$f\"; done' sh"
files = ["*.txt"]
[stages.smoke]
groups = [{{ name = "lint", run = "no-such-linter-13 --check", always = true }}]
[hooks.pre-commit]
stages = ["smoke"]
formatters = ["squeeze"]
"#,
        log = log.display()
    ));
    repo.write("a.txt", "one\n").commit("initial");
    repo.tiergate(&["install", "--yes"]).expect_code(0);
    repo.write("a.txt", "a  b\n").stage(&["a.txt"]);
    repo.write("a.txt", "a  b\nunstaged\n");
    let out = repo.git_cmd(&["commit", "-q", "-m", "x"]).output().unwrap();
    let run = Run::from(out);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(
        run.stderr
            .contains("program `no-such-linter-13` not found, used by [stages.smoke] group `lint`"),
        "{}",
        run.stderr
    );
    assert!(
        !log.exists(),
        "the formatter ran before the missing program was found"
    );
    assert_eq!(repo.read("a.txt"), b"a  b\nunstaged\n");
    assert_eq!(repo.git(&["show", ":a.txt"]), "a  b\n");
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "1");
}

/// The Rust preset that `install` writes, on a machine that loses
/// cargo-nextest: the merged preset once wrapped `cargo nextest run` in
/// `sh -c '...'`, the program seen was `sh`, and every commit was a failing
/// group (exit 1, "wrote no JUnit") while `doctor` said every program is on
/// PATH. Through a real `git commit`, the preset as written.
#[test]
fn a_missing_cargo_nextest_behind_the_rust_preset_is_a_missing_program() {
    let repo = TestRepo::new();
    let bin = tempfile::tempdir().unwrap();
    let cargo_home = tempfile::tempdir().unwrap();
    executable(&bin.path().join("cargo"), FAKE_CARGO);
    for sub in ["fmt", "clippy", "nextest"] {
        executable(
            &bin.path().join(format!("cargo-{sub}")),
            "#!/bin/sh\nexit 0\n",
        );
    }
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"hello\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    repo.write("src/main.rs", "fn main() {}\n")
        .commit("cargo new");
    let path = format!("{}:/usr/bin:/bin", bin.path().display());
    let with_path = |mut cmd: std::process::Command| {
        cmd.env("PATH", &path).env("CARGO_HOME", cargo_home.path());
        Run::from(cmd.output().unwrap())
    };
    with_path(repo.tiergate_cmd(&["install", "--yes"])).expect_code(0);
    let written = String::from_utf8(repo.read(".tiergate.toml")).unwrap();
    assert!(written.contains("cargo nextest run"), "{written}");
    std::fs::remove_file(bin.path().join("cargo-nextest")).unwrap();

    repo.git(&["add", ".tiergate.toml"]);
    let head = repo.git(&["rev-parse", "HEAD"]);
    let commit = with_path(repo.git_cmd(&["commit", "-q", "-m", "tiergate config"]));
    assert_ne!(commit.code, 0, "{}", commit.all());
    assert!(
        commit
            .all()
            .contains("program `cargo-nextest` not found, used by [stages.fast] group `unit`"),
        "{}",
        commit.all()
    );
    assert!(!commit.all().contains("JUnit"), "{}", commit.all());
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
    with_path(repo.tiergate_cmd(&["run", "fast.unit"])).expect_code(2);

    let doctor = with_path(repo.tiergate_cmd(&["doctor"]));
    doctor.expect_code(1);
    assert!(
        doctor
            .stdout
            .contains("program `cargo-nextest` of [stages.fast] group `unit` is not on PATH"),
        "{}",
        doctor.stdout
    );
}
