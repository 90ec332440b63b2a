//! The embedded default configuration, chosen from what the project is.
//!
//! Presets are TOML text read by the same loader as a user's file, so
//! `config --show-effective` prints exactly what runs and loads back unchanged.

use std::path::Path;

/// The test targets a crate has: the Rust preset runs only those (`--lib`
/// on a binary-only crate is an error: "no library targets found").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RustTargets {
    /// A virtual manifest (`[workspace]` without `[package]`): every member.
    pub(crate) workspace: bool,
    pub(crate) lib: bool,
    pub(crate) bins: bool,
    /// Integration tests: `tests/*.rs` or `[[test]]`.
    pub(crate) integration: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Preset {
    Rust {
        nextest: bool,
        targets: RustTargets,
    },
    Python {
        black: bool,
        ruff: bool,
        markers: Vec<String>,
        /// The project has a `tests/` folder: the pytest groups of `fast` select their
        /// test files from the import graph (`tests` + `{tests}`).
        tests_folder: bool,
    },
    Node {
        scripts: Vec<String>,
    },
    Generic,
}

impl Preset {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Preset::Rust { .. } => "rust",
            Preset::Python { .. } => "python",
            Preset::Node { .. } => "node",
            Preset::Generic => "generic",
        }
    }

    pub(crate) fn text(&self) -> String {
        match self {
            Preset::Rust { nextest, targets } => rust_text(*nextest, *targets),
            Preset::Python {
                black,
                ruff,
                markers,
                tests_folder,
            } => python_text(*black, *ruff, markers, *tests_folder),
            Preset::Node { scripts } => node_text(scripts),
            Preset::Generic => GENERIC.to_owned(),
        }
    }
}

const GENERIC: &str = "# tiergate: no project type detected; write stages of your own.\n[stages.smoke]\ngroups = [\n  { name = \"git-check\", run = \"git diff --cached --check\" },\n]\n";

/// Detect the project at `root`: Rust, then Python, then Node.
pub(crate) fn detect(root: &Path) -> Preset {
    if let Ok(manifest) = std::fs::read_to_string(root.join("Cargo.toml")) {
        return Preset::Rust {
            nextest: which::which("cargo-nextest").is_ok(),
            targets: rust_targets(root, &manifest),
        };
    }
    let pyproject = std::fs::read_to_string(root.join("pyproject.toml")).unwrap_or_default();
    let setup_cfg = std::fs::read_to_string(root.join("setup.cfg")).unwrap_or_default();
    let pytest_ini = std::fs::read_to_string(root.join("pytest.ini")).unwrap_or_default();
    let requirements = read_requirements(root);
    let python = !pyproject.is_empty()
        || !setup_cfg.is_empty()
        || !pytest_ini.is_empty()
        || !requirements.is_empty()
        || root.join("setup.py").is_file();
    if python {
        let all = format!("{pyproject}\n{requirements}\n{setup_cfg}");
        let mut markers = pytest_markers(&pyproject);
        markers.extend(pytest_markers(&setup_cfg));
        markers.extend(pytest_markers(&pytest_ini));
        markers.sort();
        markers.dedup();
        return Preset::Python {
            black: all.contains("black") || which::which("black").is_ok(),
            ruff: all.contains("ruff") || which::which("ruff").is_ok(),
            markers,
            tests_folder: root.join("tests").is_dir(),
        };
    }
    if let Ok(text) = std::fs::read_to_string(root.join("package.json")) {
        return Preset::Node {
            scripts: package_scripts(&text),
        };
    }
    Preset::Generic
}

fn read_requirements(root: &Path) -> String {
    let Ok(entries) = std::fs::read_dir(root) else {
        return String::new();
    };
    let mut text = String::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("requirements") && name.ends_with(".txt") {
            text.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
            text.push('\n');
        }
    }
    text
}

/// Marker names declared in a pytest config: `markers = [...]` in
/// `[tool.pytest.ini_options]`, or the indented `markers =` lines of an ini file.
pub(crate) fn pytest_markers(text: &str) -> Vec<String> {
    let mut markers = Vec::new();
    if let Ok(value) = text.parse::<toml::Table>() {
        let list = value
            .get("tool")
            .and_then(|t| t.get("pytest"))
            .and_then(|t| t.get("ini_options"))
            .and_then(|t| t.get("markers"))
            .and_then(toml::Value::as_array);
        for item in list.into_iter().flatten() {
            if let Some(line) = item.as_str() {
                markers.push(marker_name(line));
            }
        }
        return markers.into_iter().filter(|m| !m.is_empty()).collect();
    }
    let mut in_markers = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("markers") {
            if let Some(value) = rest.trim_start().strip_prefix('=') {
                in_markers = true;
                if !value.trim().is_empty() {
                    markers.push(marker_name(value));
                }
                continue;
            }
        }
        if in_markers {
            if line.starts_with(char::is_whitespace) && !trimmed.is_empty() {
                markers.push(marker_name(trimmed));
            } else {
                in_markers = false;
            }
        }
    }
    markers.into_iter().filter(|m| !m.is_empty()).collect()
}

fn marker_name(line: &str) -> String {
    line.trim()
        .split(|c: char| c == ':' || c == '(' || c.is_whitespace())
        .next()
        .unwrap_or("")
        .to_owned()
}

fn package_scripts(text: &str) -> Vec<String> {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| {
            v.get("scripts")
                .and_then(|s| s.as_object())
                .map(|o| o.keys().cloned().collect())
        })
        .unwrap_or_default()
}

/// Read the targets from the manifest and the conventional paths cargo
/// itself discovers (`src/lib.rs`, `src/main.rs`, `src/bin/`, `tests/*.rs`).
fn rust_targets(root: &Path, manifest: &str) -> RustTargets {
    let table = manifest.parse::<toml::Table>().unwrap_or_default();
    let has_rs = |dir: &Path| {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                let path = e.path();
                path.extension().is_some_and(|x| x == "rs") || path.join("main.rs").is_file()
            })
        })
    };
    if !table.contains_key("package") && table.contains_key("workspace") {
        // Members are read by cargo; `--workspace --lib` skips members
        // without a library instead of failing.
        return RustTargets {
            workspace: true,
            lib: true,
            bins: true,
            integration: members_have_tests(root),
        };
    }
    RustTargets {
        workspace: false,
        lib: table.contains_key("lib") || root.join("src/lib.rs").is_file(),
        bins: table.contains_key("bin")
            || root.join("src/main.rs").is_file()
            || has_rs(&root.join("src/bin")),
        integration: table.contains_key("test") || has_rs(&root.join("tests")),
    }
}

/// Whether any crate of a workspace, up to two folders down, has `tests/*.rs`.
fn members_have_tests(root: &Path) -> bool {
    let children = |dir: &Path| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_dir() && !p.ends_with("target") && !p.ends_with(".git"))
                    .collect()
            })
            .unwrap_or_default()
    };
    let has_tests = |dir: &Path| {
        dir.join("Cargo.toml").is_file()
            && std::fs::read_dir(dir.join("tests")).is_ok_and(|entries| {
                entries
                    .flatten()
                    .any(|e| e.path().extension().is_some_and(|x| x == "rs"))
            })
    };
    children(root)
        .iter()
        .any(|d| has_tests(d) || children(d).iter().any(|c| has_tests(c)))
}

/// The variables that change what cargo builds, so a cached pass is not
/// replayed after one of them changed (`CARGO_*` is every variable with that
/// prefix: cargo reads its whole configuration from them).
const RUST_ENV_INPUTS: &str = r#"["RUSTFLAGS", "RUSTDOCFLAGS", "RUSTUP_TOOLCHAIN", "CARGO_*"]"#;

fn rust_text(nextest: bool, targets: RustTargets) -> String {
    let env = RUST_ENV_INPUTS;
    let scope = if targets.workspace {
        " --workspace"
    } else {
        ""
    };
    let mut unit_targets = String::new();
    if targets.lib {
        unit_targets.push_str(" --lib");
    }
    if targets.bins {
        unit_targets.push_str(" --bins");
    }
    let note = if nextest {
        concat!(
            "# Tests run with cargo-nextest, found installed when this was written\n",
            "# (without it: `cargo test --no-fail-fast`; doc tests always use cargo test).\n",
            "# tiergate counts the tests and shows each failure's message from nextest's\n",
            "# own summary; a machine without cargo-nextest gets a missing-program error\n",
            "# with the install line, never a failing test.\n",
        )
    } else {
        concat!(
            "# Tests run with `cargo test`: cargo-nextest was not installed when this was\n",
            "# written (with it: `cargo nextest run --no-fail-fast --no-tests=warn`).\n",
        )
    };
    // A TOML string holding the test command for `args`. nextest takes a JUnit
    // path only from a profile in a config file; its summary line is read
    // instead, which keeps the command a plain `cargo nextest` (so a missing
    // cargo-nextest is found before anything runs).
    let test = |args: &str| -> String {
        let command = if nextest {
            format!("cargo nextest run --no-fail-fast --no-tests=warn{args}")
        } else {
            format!("cargo test --no-fail-fast{args}")
        };
        toml::Value::String(command).to_string()
    };
    let mut text = format!(
        r#"# tiergate preset: rust
{note}# Unit tests (of the lib and bin targets) run in fast; comprehensive runs
# only the integration and doc tests, so no test runs twice on a push.

[stages.smoke]
gate = {{ fail_when = "any", on_fail = "block" }}
groups = [
  {{ name = "fmt", run = "cargo fmt --all -- --check", always = true }},
  {{ name = "check", run = "cargo check{scope} --all-targets --quiet", always = true, env_inputs = {env} }},
]

[stages.fast]
gate = {{ fail_when = "any", on_fail = "block" }}
groups = [
  {{ name = "clippy", run = "cargo clippy{scope} --all-targets --quiet -- -D warnings", env_inputs = {env} }},
"#
    );
    if !unit_targets.is_empty() {
        text.push_str(&format!(
            "  {{ name = \"unit\", run = {}, env_inputs = {env} }},\n",
            test(&format!("{scope}{unit_targets}"))
        ));
    }
    text.push_str("]\n");
    let mut comprehensive = Vec::new();
    if targets.integration {
        comprehensive.push(format!(
            "  {{ name = \"integration\", run = {}, env_inputs = {env} }},\n",
            test(&format!("{scope} --test '*'"))
        ));
    }
    if targets.lib {
        comprehensive.push(format!(
            "  {{ name = \"doc\", run = \"cargo test{scope} --doc --no-fail-fast\", env_inputs = {env} }},\n"
        ));
    }
    let mut push = vec!["\"smoke\"", "\"fast\""];
    if !comprehensive.is_empty() {
        text.push_str("\n[stages.comprehensive]\ngate = { fail_when = \"any\", on_fail = \"block\" }\ngroups = [\n");
        for group in comprehensive {
            text.push_str(&group);
        }
        text.push_str("]\n");
        push.push("\"comprehensive\"");
    }
    let commit = if unit_targets.is_empty() {
        "\"smoke\""
    } else {
        "\"smoke\", \"fast.unit\""
    };
    text.push_str(&format!(
        "\n[hooks.pre-commit]\nstages = [{commit}]\n\n[hooks.pre-push]\nstages = [{}]\n",
        push.join(", ")
    ));
    text
}

/// The variables that change what the interpreter imports.
const PYTHON_ENV_INPUTS: &str = r#"["PYTHONPATH", "VIRTUAL_ENV"]"#;

/// What a `fast` pytest group adds with a tests folder: pytest's default test file
/// names under it, and the affected ones as arguments.
const GRAPH_TESTS: &str = "tests = [\"tests/**/test_*.py\", \"tests/**/*_test.py\"], ";

fn python_text(black: bool, ruff: bool, markers: &[String], tests_folder: bool) -> String {
    let env = PYTHON_ENV_INPUTS;
    let (tests, args) = if tests_folder {
        (GRAPH_TESTS, " {tests}")
    } else {
        ("", "")
    };
    let mut text = String::from("# tiergate preset: python\n");
    if black {
        text.push_str(
            "[formatters.black]\nrun = \"black --quiet\"\nfiles = [\"*.py\", \"*.pyi\"]\n\n",
        );
    }
    if ruff {
        text.push_str("[formatters.ruff]\nrun = \"ruff check --fix --quiet\"\nfiles = [\"*.py\", \"*.pyi\"]\n\n");
    }
    text.push_str(&format!("[stages.smoke]\ngate = {{ fail_when = \"any\", on_fail = \"block\" }}\ngroups = [\n  {{ name = \"collect\", run = \"python -m pytest --collect-only -q\", always = true, env_inputs = {env} }},\n]\n\n"));
    text.push_str(concat!(
        "# The gates count tests (from the JUnit each group writes): fast blocks when\n",
        "# more than 10 % of its tests fail, so 1 failure in 10 tests passes. Write\n",
        "# fail_when = \"any\" to block on any failing test.\n",
        "[stages.fast]\n",
        "gate = { fail_when = \"rate\", max_failure_rate = 0.10, on_fail = \"block\" }\n",
    ));
    let quick: Vec<&String> = markers
        .iter()
        .filter(|m| !matches!(m.as_str(), "slow" | "performance"))
        .collect();
    // What fast leaves out is what comprehensive runs, so no test runs twice
    // on a push.
    let rest = if quick.is_empty() {
        text.push_str(&format!("groups = [\n  {{ name = \"unit\", {tests}run = \"python -m pytest -q -m 'not slow' --junitxml {{junit}}{args}\", env_inputs = {env} }},\n]\n\n"));
        "slow".to_owned()
    } else {
        text.push_str("groups = [\n");
        for marker in &quick {
            text.push_str(&format!(
                "  {{ name = \"{marker}\", markers = [\"{marker}\"], {tests}run = \"python -m pytest -q -m '{marker} and not slow' --junitxml {{junit}}{args}\", no_tests = \"pass\", env_inputs = {env} }},\n"
            ));
        }
        text.push_str("]\n\n");
        let names: Vec<&str> = quick.iter().map(|m| m.as_str()).collect();
        format!("slow or not ({})", names.join(" or "))
    };
    text.push_str(&format!(
        "# The tests fast does not run: {rest}.\n[stages.comprehensive]\ngate = {{ fail_when = \"rate\", max_failure_rate = 0.05, on_fail = \"block\" }}\ngroups = [\n  {{ name = \"rest\", run = \"python -m pytest -q -m '{rest}' --junitxml {{junit}}\", no_tests = \"pass\", env_inputs = {env} }},\n]\n\n"
    ));
    text.push_str("[hooks.pre-commit]\nstages = [\"smoke\", \"fast\"]\n\n[hooks.pre-push]\nstages = [\"smoke\", \"fast\", \"comprehensive\"]\n");
    text
}

fn node_text(scripts: &[String]) -> String {
    let mut text = String::from("# tiergate preset: node\n");
    let has = |s: &str| scripts.iter().any(|x| x == s);
    text.push_str("[stages.smoke]\ngroups = [\n");
    if has("lint") {
        text.push_str("  { name = \"lint\", run = \"npm run --silent lint\", always = true },\n");
    } else {
        text.push_str("  { name = \"manifest\", run = \"npm ls --depth=0\", always = true },\n");
    }
    text.push_str("]\n\n");
    if has("test") {
        text.push_str(
            "[stages.fast]\ngroups = [\n  { name = \"unit\", run = \"npm test --silent\" },\n]\n",
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIN_ONLY: RustTargets = RustTargets {
        workspace: false,
        lib: false,
        bins: true,
        integration: false,
    };

    #[test]
    fn a_binary_only_crate_runs_no_library_targets() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/main.rs"), "fn main() {}\n").unwrap();
        let manifest = "[package]\nname = \"x\"\nversion = \"0.1.0\"\n";
        assert_eq!(rust_targets(dir.path(), manifest), BIN_ONLY);
        let text = rust_text(true, BIN_ONLY);
        assert!(!text.contains("--lib"), "{text}");
        assert!(
            text.contains("run = \"cargo nextest run --no-fail-fast --no-tests=warn --bins\""),
            "{text}"
        );
        assert!(
            !text.contains("[stages.comprehensive]"),
            "nothing left for it: {text}"
        );
        assert!(text.contains("stages = [\"smoke\", \"fast\"]\n"), "{text}");
    }

    #[test]
    fn the_rust_preset_runs_each_test_in_one_tier() {
        let targets = RustTargets {
            workspace: false,
            lib: true,
            bins: false,
            integration: true,
        };
        let text = rust_text(false, targets);
        assert!(text.contains("cargo test --no-fail-fast --lib\""), "{text}");
        assert!(
            text.contains("cargo test --no-fail-fast --test '*'"),
            "{text}"
        );
        assert!(text.contains("cargo test --doc --no-fail-fast"), "{text}");
        assert!(text.contains("cargo-nextest was not installed"), "{text}");
        assert!(
            text.contains("stages = [\"smoke\", \"fast.unit\"]"),
            "{text}"
        );
        assert!(text.contains("\"RUSTUP_TOOLCHAIN\""), "{text}");
    }

    #[test]
    fn the_python_preset_spells_out_its_gates_and_splits_the_tests() {
        let text = python_text(false, false, &["unit".into(), "slow".into()], false);
        assert!(
            text.contains(
                "gate = { fail_when = \"rate\", max_failure_rate = 0.10, on_fail = \"block\" }"
            ),
            "{text}"
        );
        assert!(
            text.contains("-m 'unit and not slow' --junitxml {junit}"),
            "{text}"
        );
        assert!(
            text.contains("-m 'slow or not (unit)' --junitxml {junit}"),
            "{text}"
        );
        assert!(text.contains("\"PYTHONPATH\", \"VIRTUAL_ENV\""), "{text}");
    }

    #[test]
    fn reads_markers_from_pyproject() {
        let text = "[tool.pytest.ini_options]\nmarkers = [\"unit: fast tests\", \"database\", \"slow(reason)\"]\n";
        assert_eq!(pytest_markers(text), vec!["unit", "database", "slow"]);
    }

    #[test]
    fn reads_markers_from_ini() {
        let text = "[pytest]\nmarkers =\n    unit: fast\n    api: http\naddopts = -q\n";
        assert_eq!(pytest_markers(text), vec!["unit", "api"]);
    }

    #[test]
    fn every_preset_loads() {
        for preset in [
            Preset::Rust {
                nextest: true,
                targets: BIN_ONLY,
            },
            Preset::Rust {
                nextest: false,
                targets: RustTargets {
                    workspace: false,
                    lib: true,
                    bins: true,
                    integration: true,
                },
            },
            Preset::Python {
                black: true,
                ruff: true,
                markers: vec!["unit".into(), "slow".into()],
                tests_folder: true,
            },
            Preset::Python {
                black: false,
                ruff: false,
                markers: vec![],
                tests_folder: true,
            },
            Preset::Python {
                black: false,
                ruff: false,
                markers: vec![],
                tests_folder: false,
            },
            Preset::Node {
                scripts: vec!["lint".into(), "test".into()],
            },
            Preset::Generic,
        ] {
            let text = preset.text();
            let config = super::super::from_text(
                &text,
                Path::new("<preset>"),
                super::super::Source::Embedded(preset.name()),
            );
            assert!(config.is_ok(), "{}: {:?}", preset.name(), config.err());
        }
    }
}

#[cfg(test)]
mod graph_tests {
    use super::*;

    #[test]
    fn with_a_tests_folder_the_fast_pytest_groups_select_by_imports() {
        let python = |tests_folder| {
            Preset::Python {
                black: false,
                ruff: false,
                markers: vec!["unit".into()],
                tests_folder,
            }
            .text()
        };
        let with = python(true);
        let fast = &with
            [with.find("[stages.fast]").unwrap()..with.find("[stages.comprehensive]").unwrap()];
        assert!(
            fast.contains("tests = [\"tests/**/test_*.py\", \"tests/**/*_test.py\"]"),
            "{fast}"
        );
        assert!(fast.contains("--junitxml {junit} {tests}\""), "{fast}");
        // The comprehensive stage still runs the whole suite.
        assert!(!with[with.find("[stages.comprehensive]").unwrap()..].contains("{tests}"));
        assert!(!python(false).contains("{tests}"));
    }
}
