//! Which toolchain a rustup proxy (`cargo`, `rustc`, ... linked to rustup)
//! runs, found the way rustup finds it, without spawning rustup: the proxy
//! itself never changes, so without this a failing toolchain replays the
//! passes of another (#13).
//!
//! rustup's order: `RUSTUP_TOOLCHAIN`; then, from the working directory up,
//! a `rustup override set` directory override, then a `rust-toolchain.toml`
//! (or `rust-toolchain`) file; then the default toolchain of its settings.
//! A `+toolchain` argument is part of the command, which the key already has.

use std::ffi::OsString;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The toolchain a proxy resolves to, as text for the cache key: where the
/// choice came from, the toolchain's name, and a stamp of the toolchain's own
/// program (so `rustup update` of a channel is a different toolchain).
/// `None` when `program` is not a rustup proxy.
pub(crate) fn of_proxy(program: &Path, cwd: &Path, env: &[(OsString, OsString)]) -> Option<String> {
    if !is_rustup_proxy(program) {
        return None;
    }
    let name = program.file_name()?.to_string_lossy().into_owned();
    let home = rustup_home(env);
    let settings = home
        .as_ref()
        .and_then(|h| std::fs::read_to_string(h.join("settings.toml")).ok())
        .and_then(|text| text.parse::<toml::Table>().ok());
    let (source, toolchain) = choose(cwd, env, settings.as_ref());
    let stamp = home
        .as_ref()
        .and_then(|h| toolchain_program(h, toolchain.as_deref()?, &name))
        .and_then(|p| std::fs::metadata(&p).ok().map(|m| (p, m)))
        .map_or_else(String::new, |(p, m)| {
            format!(
                "{} {} {}",
                p.display(),
                m.mtime_nsec() + m.mtime() * 1_000_000_000,
                m.len()
            )
        });
    Some(format!(
        "rustup {source}: {}; {stamp}",
        toolchain.as_deref().unwrap_or("(none)")
    ))
}

/// A rustup proxy is rustup under another name: a symbolic link to it (what
/// rustup-init makes on Linux), or a hard link (same file as the `rustup`
/// beside it).
fn is_rustup_proxy(program: &Path) -> bool {
    let Some(name) = program.file_name() else {
        return false;
    };
    if name == "rustup" {
        return false;
    }
    let canonical = std::fs::canonicalize(program).ok();
    if canonical
        .as_deref()
        .and_then(Path::file_name)
        .is_some_and(|n| n == "rustup" || n == "rustup-init")
    {
        return true;
    }
    let beside = program.with_file_name("rustup");
    match (std::fs::metadata(program), std::fs::metadata(beside)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

use crate::env::command_var as var;

fn rustup_home(env: &[(OsString, OsString)]) -> Option<PathBuf> {
    var(env, "RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| var(env, "HOME").map(|h| Path::new(&h).join(".rustup")))
}

/// Where the choice came from, and the toolchain named (a channel, a version,
/// a custom toolchain, or a toolchain file's whole text).
fn choose(
    cwd: &Path,
    env: &[(OsString, OsString)],
    settings: Option<&toml::Table>,
) -> (String, Option<String>) {
    if let Some(name) = var(env, "RUSTUP_TOOLCHAIN") {
        return (
            "RUSTUP_TOOLCHAIN".to_owned(),
            Some(name.to_string_lossy().into_owned()),
        );
    }
    let overrides = settings
        .and_then(|s| s.get("overrides"))
        .and_then(toml::Value::as_table);
    for dir in cwd.ancestors() {
        let over = overrides.and_then(|o| {
            o.get(dir.to_string_lossy().as_ref())
                .and_then(toml::Value::as_str)
        });
        if let Some(name) = over {
            return (format!("override {}", dir.display()), Some(name.to_owned()));
        }
        for file in ["rust-toolchain.toml", "rust-toolchain"] {
            if let Ok(text) = std::fs::read_to_string(dir.join(file)) {
                return (
                    format!("{}", dir.join(file).display()),
                    Some(toolchain_file_channel(&text)),
                );
            }
        }
    }
    let default = settings
        .and_then(|s| s.get("default_toolchain"))
        .and_then(toml::Value::as_str)
        .map(str::to_owned);
    ("default".to_owned(), default)
}

/// A toolchain file's channel (`[toolchain] channel = "..."`, or the legacy
/// one-line form). Other settings (components, targets) follow as text.
fn toolchain_file_channel(text: &str) -> String {
    let channel = text.parse::<toml::Table>().ok().and_then(|t| {
        t.get("toolchain")?
            .get("channel")?
            .as_str()
            .map(str::to_owned)
    });
    match channel {
        Some(channel) => format!("{channel} ({})", text.trim()),
        None => text.trim().to_owned(),
    }
}

/// The toolchain's own `name` program: `toolchains/<toolchain>` or, for a
/// channel or version given without the host, `toolchains/<toolchain>-<host>`.
fn toolchain_program(home: &Path, toolchain: &str, name: &str) -> Option<PathBuf> {
    let toolchain = toolchain.split(' ').next()?;
    let dir = home.join("toolchains");
    let exact = dir.join(toolchain).join("bin").join(name);
    if exact.exists() {
        return Some(exact);
    }
    let prefix = format!("{toolchain}-");
    let mut matches: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path().join("bin").join(name))
        .filter(|p| p.exists())
        .collect();
    matches.sort();
    matches.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rustup home with two toolchains, a proxy folder with `cargo` linked
    /// to `rustup`, and a project.
    struct Layout {
        dir: tempfile::TempDir,
    }

    impl Layout {
        fn new() -> Layout {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path();
            for t in [
                "stable-x86_64-unknown-linux-gnu",
                "nightly-x86_64-unknown-linux-gnu",
            ] {
                let bin = root.join("rustup/toolchains").join(t).join("bin");
                std::fs::create_dir_all(&bin).unwrap();
                std::fs::write(bin.join("cargo"), t).unwrap();
            }
            std::fs::write(
                root.join("rustup/settings.toml"),
                "default_toolchain = \"stable-x86_64-unknown-linux-gnu\"\n[overrides]\n",
            )
            .unwrap();
            std::fs::create_dir_all(root.join("bin")).unwrap();
            std::fs::write(root.join("bin/rustup"), "rustup").unwrap();
            std::os::unix::fs::symlink("rustup", root.join("bin/cargo")).unwrap();
            std::fs::hard_link(root.join("bin/rustup"), root.join("bin/rustc")).unwrap();
            std::fs::write(root.join("bin/make"), "make").unwrap();
            std::fs::create_dir_all(root.join("project/sub")).unwrap();
            Layout { dir }
        }

        fn env(&self, toolchain: Option<&str>) -> Vec<(OsString, OsString)> {
            let mut env = vec![(
                OsString::from("RUSTUP_HOME"),
                self.dir.path().join("rustup").into_os_string(),
            )];
            env.push((
                OsString::from("RUSTUP_TOOLCHAIN"),
                OsString::from(toolchain.unwrap_or("")),
            ));
            env
        }

        fn of(&self, program: &str, toolchain: Option<&str>) -> Option<String> {
            of_proxy(
                &self.dir.path().join("bin").join(program),
                &self.dir.path().join("project/sub"),
                &self.env(toolchain),
            )
        }
    }

    #[test]
    fn a_symlink_or_hard_link_to_rustup_is_a_proxy_another_program_is_not() {
        let l = Layout::new();
        assert!(l.of("cargo", None).is_some());
        assert!(l.of("rustc", None).is_some());
        assert_eq!(l.of("make", None), None);
        assert_eq!(l.of("rustup", None), None);
    }

    #[test]
    fn each_way_of_choosing_a_toolchain_changes_the_stamp() {
        let l = Layout::new();
        let default = l.of("cargo", None).unwrap();
        assert!(default.contains("default: stable-x86_64"), "{default}");
        assert!(default.contains("toolchains/stable-x86_64-unknown-linux-gnu/bin/cargo"));

        let nightly = l.of("cargo", Some("nightly")).unwrap();
        assert!(
            nightly.contains("nightly-x86_64-unknown-linux-gnu/bin/cargo"),
            "{nightly}"
        );
        assert_ne!(nightly, default);

        let root = l.dir.path();
        std::fs::write(
            root.join("project/rust-toolchain.toml"),
            "[toolchain]\nchannel = \"nightly\"\n",
        )
        .unwrap();
        let file = l.of("cargo", None).unwrap();
        assert!(file.contains("rust-toolchain.toml: nightly"), "{file}");
        assert_ne!(file, default);
        assert!(l
            .of("cargo", Some("stable"))
            .unwrap()
            .contains("RUSTUP_TOOLCHAIN"));

        std::fs::write(
            root.join("rustup/settings.toml"),
            format!(
                "default_toolchain = \"stable-x86_64-unknown-linux-gnu\"\n[overrides]\n\"{}\" = \"stable-x86_64-unknown-linux-gnu\"\n",
                root.join("project/sub").display()
            ),
        )
        .unwrap();
        let over = l.of("cargo", None).unwrap();
        assert!(over.starts_with("rustup override"), "{over}");

        // `rustup update` rewrites the toolchain's programs under the same name.
        std::fs::remove_file(root.join("project/rust-toolchain.toml")).unwrap();
        std::fs::write(
            root.join("rustup/settings.toml"),
            "default_toolchain = \"stable\"\n",
        )
        .unwrap();
        let before = l.of("cargo", None).unwrap();
        std::fs::write(
            root.join("rustup/toolchains/stable-x86_64-unknown-linux-gnu/bin/cargo"),
            "a newer stable",
        )
        .unwrap();
        assert_ne!(l.of("cargo", None).unwrap(), before);
    }
}
