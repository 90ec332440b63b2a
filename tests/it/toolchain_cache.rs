//! The cache sees the toolchain: a rustup proxy (`cargo` linked to rustup)
//! never changes, so the toolchain it resolves to is part of the program's
//! stamp; `env_inputs` takes `CARGO_*` style prefixes.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::{Run, TestRepo};

fn executable(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// rustup as far as these tests need it: `RUSTUP_TOOLCHAIN`, then the channel of
/// `./rust-toolchain.toml`, then the default; runs that toolchain's program.
const FAKE_RUSTUP: &str = r#"#!/bin/sh
tc=$RUSTUP_TOOLCHAIN
if [ -z "$tc" ] && [ -f rust-toolchain.toml ]; then
  tc=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
fi
if [ -z "$tc" ]; then
  tc=$(sed -n 's/^default_toolchain *= *"\(.*\)"/\1/p' "$RUSTUP_HOME/settings.toml")
fi
dir="$RUSTUP_HOME/toolchains/$tc"
[ -d "$dir" ] || dir="$RUSTUP_HOME/toolchains/$tc-x86_64-unknown-linux-gnu"
exec "$dir/bin/$(basename "$0")" "$@"
"#;

struct Rustup {
    repo: TestRepo,
    tools: tempfile::TempDir,
}

impl Rustup {
    /// stable's cargo passes, nightly's fails; the default is stable.
    fn new(config: &str) -> Rustup {
        let tools = tempfile::tempdir().unwrap();
        let t = tools.path();
        executable(&t.join("bin/rustup"), FAKE_RUSTUP);
        std::os::unix::fs::symlink("rustup", t.join("bin/cargo")).unwrap();
        executable(
            &t.join("rustup/toolchains/stable-x86_64-unknown-linux-gnu/bin/cargo"),
            "#!/bin/sh\necho stable cargo \"$@\"\n",
        );
        executable(
            &t.join("rustup/toolchains/nightly-x86_64-unknown-linux-gnu/bin/cargo"),
            "#!/bin/sh\necho 'error: nightly breaks this crate' >&2\nexit 101\n",
        );
        std::fs::write(
            t.join("rustup/settings.toml"),
            "default_toolchain = \"stable-x86_64-unknown-linux-gnu\"\n",
        )
        .unwrap();
        let repo = TestRepo::new();
        repo.config(config);
        repo.write("src/lib.rs", "").commit("crate");
        Rustup { repo, tools }
    }

    fn tiergate(&self, env: &[(&str, &str)]) -> Run {
        let mut cmd = self.repo.tiergate_cmd(&["run", "fast"]);
        cmd.env(
            "PATH",
            format!("{}:/usr/bin:/bin", self.tools.path().join("bin").display()),
        )
        .env("RUSTUP_HOME", self.tools.path().join("rustup"))
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTFLAGS");
        for (k, _) in std::env::vars() {
            if k.starts_with("CARGO_BUILD") {
                cmd.env_remove(k);
            }
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run::from(cmd.output().unwrap())
    }
}

const CHECK: &str = r#"
[stages.fast]
groups = [{ name = "check", run = "cargo check", inputs = ["src/**"] }]
"#;

#[test]
fn another_rustup_toolchain_never_replays_a_pass_of_the_default_one() {
    let r = Rustup::new(CHECK);
    r.tiergate(&[]).expect_code(0);
    let cached = r.tiergate(&[]);
    cached.expect_code(0);
    assert!(cached.stdout.contains("CACHED"), "{}", cached.stdout);

    let nightly = r.tiergate(&[("RUSTUP_TOOLCHAIN", "nightly")]);
    nightly.expect_code(1);
    assert!(!nightly.stdout.contains("CACHED"), "{}", nightly.stdout);

    // A toolchain file (not among the group's inputs) picks nightly too.
    r.repo.write(
        "rust-toolchain.toml",
        "[toolchain]\nchannel = \"nightly\"\n",
    );
    r.tiergate(&[]).expect_code(1);
    std::fs::remove_file(r.repo.join("rust-toolchain.toml")).unwrap();

    // Back on the default: the stored pass is still good.
    let again = r.tiergate(&[]);
    again.expect_code(0);
    assert!(again.stdout.contains("CACHED"), "{}", again.stdout);

    // The default toolchain changed (`rustup default nightly`).
    std::fs::write(
        r.tools.path().join("rustup/settings.toml"),
        "default_toolchain = \"nightly-x86_64-unknown-linux-gnu\"\n",
    )
    .unwrap();
    r.tiergate(&[]).expect_code(1);
}

#[test]
fn env_inputs_with_a_cargo_star_prefix_see_every_cargo_variable() {
    let r = Rustup::new(
        r#"
[stages.fast]
groups = [
  { name = "flags", run = "sh -c 'test \"$RUSTFLAGS\" != -Dwarnings && test \"$CARGO_BUILD_TARGET\" != wasm32-unknown-unknown'", env_inputs = ["RUSTFLAGS", "RUSTUP_TOOLCHAIN", "CARGO_*"] },
]
"#,
    );
    r.tiergate(&[]).expect_code(0);
    r.tiergate(&[]).expect_code(0);
    let target = r.tiergate(&[("CARGO_BUILD_TARGET", "wasm32-unknown-unknown")]);
    target.expect_code(1);
    let flags = r.tiergate(&[("RUSTFLAGS", "-Dwarnings")]);
    flags.expect_code(1);
    let back = r.tiergate(&[]);
    back.expect_code(0);
    assert!(back.stdout.contains("CACHED"), "{}", back.stdout);
}
