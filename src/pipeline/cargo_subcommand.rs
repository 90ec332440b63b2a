//! `cargo foo` runs the program `cargo-foo`: a command whose program is cargo
//! needs that program too, unless `foo` is one of cargo's built-in commands or
//! an `[alias]` of a cargo config file. Without this check a missing
//! `cargo-nextest` is a failing group (cargo exits 101) instead of a missing
//! program (#13).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::config::{Arg, CommandTemplate};

/// Commands and aliases cargo runs itself, without a `cargo-<name>` program.
const BUILT_IN: &[&str] = &[
    "add",
    "b",
    "bench",
    "build",
    "c",
    "check",
    "clean",
    "config",
    "d",
    "doc",
    "fetch",
    "fix",
    "generate-lockfile",
    "git-checkout",
    "help",
    "info",
    "init",
    "install",
    "locate-project",
    "login",
    "logout",
    "metadata",
    "new",
    "owner",
    "package",
    "pkgid",
    "publish",
    "r",
    "read-manifest",
    "remove",
    "report",
    "rm",
    "run",
    "rustc",
    "rustdoc",
    "search",
    "t",
    "test",
    "tree",
    "uninstall",
    "update",
    "vendor",
    "verify-project",
    "version",
    "yank",
];

/// cargo's global options that take a value as the next argument.
const GLOBAL_WITH_VALUE: &[&str] = &["--color", "--config", "-C", "-Z"];

/// The external subcommand a cargo command runs (`nextest` for
/// `cargo +nightly --locked nextest run`), when its program is cargo and the
/// subcommand is neither built in nor an alias of a cargo config file seen
/// from `root`.
pub(crate) fn external_subcommand(
    template: &CommandTemplate,
    root: &Path,
    env: &[(OsString, OsString)],
) -> Option<String> {
    let program = Path::new(template.program()).file_name()?;
    if program != "cargo" {
        return None;
    }
    let mut args = template.args.iter().skip(1);
    let name = loop {
        let Arg::Text(arg) = args.next()? else {
            // A placeholder where the subcommand goes: nothing to check.
            return None;
        };
        if arg.starts_with('+') {
            continue;
        }
        if GLOBAL_WITH_VALUE.contains(&arg.as_str()) {
            args.next();
            continue;
        }
        if arg.starts_with('-') {
            continue;
        }
        break arg;
    };
    if BUILT_IN.contains(&name.as_str()) || is_alias(name, root, env) {
        return None;
    }
    Some(name.clone())
}

/// Where cargo looks for `cargo-<name>`: `$CARGO_HOME/bin`, then PATH.
pub(crate) fn find(name: &str, root: &Path, env: &[(OsString, OsString)]) -> Option<PathBuf> {
    let program = format!("cargo-{name}");
    let in_home = cargo_home(env).map(|home| home.join("bin").join(&program));
    if let Some(path) = in_home.filter(|p| super::preflight::is_executable(p)) {
        return Some(path);
    }
    super::find_program(&program, root, env)
}

/// How to install a missing `cargo-<name>`.
pub(crate) fn install_hint(name: &str) -> String {
    format!("install it: `cargo install cargo-{name} --locked`")
}

use crate::env::command_var as var;

fn cargo_home(env: &[(OsString, OsString)]) -> Option<PathBuf> {
    var(env, "CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| var(env, "HOME").map(|h| Path::new(&h).join(".cargo")))
}

/// Whether `name` is an `[alias]` in a cargo config file cargo would read from
/// `root`: `.cargo/config.toml` (or `.cargo/config`) in `root` and its
/// ancestors, then in `$CARGO_HOME`.
fn is_alias(name: &str, root: &Path, env: &[(OsString, OsString)]) -> bool {
    let mut dirs: Vec<PathBuf> = root.ancestors().map(|d| d.join(".cargo")).collect();
    dirs.extend(cargo_home(env));
    dirs.iter().any(|dir| {
        ["config.toml", "config"].iter().any(|file| {
            let Ok(text) = std::fs::read_to_string(dir.join(file)) else {
                return false;
            };
            text.parse::<toml::Table>().is_ok_and(|table| {
                table
                    .get("alias")
                    .and_then(toml::Value::as_table)
                    .is_some_and(|aliases| aliases.contains_key(name))
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(name: &str) -> &std::ffi::OsStr {
        std::ffi::OsStr::new(name)
    }

    fn template(run: &str) -> CommandTemplate {
        CommandTemplate::parse(run).unwrap()
    }

    #[test]
    fn the_subcommand_follows_cargos_global_options() {
        let root = tempfile::tempdir().unwrap();
        let env = [(
            os("CARGO_HOME").to_owned(),
            root.path().join("none").into_os_string(),
        )];
        let sub = |run: &str| external_subcommand(&template(run), root.path(), &env);
        assert_eq!(sub("cargo nextest run").as_deref(), Some("nextest"));
        assert_eq!(
            sub("cargo +nightly --locked -Z unstable-options nextest run").as_deref(),
            Some("nextest")
        );
        assert_eq!(
            sub("cargo --color always llvm-cov").as_deref(),
            Some("llvm-cov")
        );
        assert_eq!(sub("/usr/bin/cargo clippy").as_deref(), Some("clippy"));
        assert_eq!(sub("cargo test --workspace"), None);
        assert_eq!(sub("cargo t"), None);
        assert_eq!(sub("cargo"), None);
        assert_eq!(sub("cargo-nextest nextest run"), None);
        assert_eq!(sub("rustc --version"), None);
    }

    #[test]
    fn an_alias_of_a_cargo_config_is_no_program() {
        let root = tempfile::tempdir().unwrap();
        let project = root.path().join("crates/app");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::create_dir_all(root.path().join(".cargo")).unwrap();
        std::fs::write(
            root.path().join(".cargo/config.toml"),
            "[alias]\nxtask = \"run --package xtask --\"\n",
        )
        .unwrap();
        let env = [(
            os("CARGO_HOME").to_owned(),
            root.path().join("none").into_os_string(),
        )];
        assert_eq!(
            external_subcommand(&template("cargo xtask ci"), &project, &env),
            None
        );
        assert_eq!(
            external_subcommand(&template("cargo nextest run"), &project, &env).as_deref(),
            Some("nextest")
        );
    }

    #[test]
    fn a_subcommand_is_found_in_cargo_home_bin() {
        use std::os::unix::fs::PermissionsExt;
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join("bin")).unwrap();
        let program = home.path().join("bin/cargo-nextest");
        std::fs::write(&program, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        let env = [
            (
                os("CARGO_HOME").to_owned(),
                home.path().as_os_str().to_owned(),
            ),
            (os("PATH").to_owned(), OsString::from("/nonexistent")),
        ];
        assert_eq!(find("nextest", home.path(), &env), Some(program));
        assert_eq!(find("llvm-cov", home.path(), &env), None);
    }
}
