//! The embedded default configuration, chosen from what the project is.
//!
//! Presets are TOML text read by the same loader as a user's file, so
//! `config --show-effective` prints exactly what runs and loads back unchanged.

use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Preset {
    Rust {
        nextest: bool,
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
            Preset::Rust { nextest } => rust_text(*nextest),
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
    if root.join("Cargo.toml").is_file() {
        return Preset::Rust {
            nextest: which::which("cargo-nextest").is_ok(),
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

fn rust_text(nextest: bool) -> String {
    let test = if nextest {
        "cargo nextest run --no-fail-fast --message-format human"
    } else {
        "cargo test --no-fail-fast"
    };
    format!(
        r#"# tiergate preset: rust
[stages.smoke]
groups = [
  {{ name = "fmt", run = "cargo fmt --all -- --check", always = true }},
  {{ name = "check", run = "cargo check --all-targets --quiet", always = true }},
]

[stages.fast]
groups = [
  {{ name = "clippy", run = "cargo clippy --all-targets --quiet -- -D warnings" }},
  {{ name = "unit", run = "{unit}" }},
]

[stages.comprehensive]
groups = [
  {{ name = "tests", run = "{test}" }},
]

[hooks.pre-commit]
stages = ["smoke"]

[hooks.pre-push]
stages = ["smoke", "fast", "comprehensive"]
"#,
        unit = if nextest {
            "cargo nextest run --lib --no-fail-fast"
        } else {
            "cargo test --lib --no-fail-fast"
        },
    )
}

/// What a `fast` pytest group adds with a tests folder: pytest's default test file
/// names under it, and the affected ones as arguments.
const GRAPH_TESTS: &str = "tests = [\"tests/**/test_*.py\", \"tests/**/*_test.py\"], ";

fn python_text(black: bool, ruff: bool, markers: &[String], tests_folder: bool) -> String {
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
    text.push_str("[stages.smoke]\ngroups = [\n  { name = \"collect\", run = \"python -m pytest --collect-only -q\", always = true },\n]\n\n");
    text.push_str("[stages.fast]\n");
    let quick: Vec<&String> = markers
        .iter()
        .filter(|m| !matches!(m.as_str(), "slow" | "performance"))
        .collect();
    if quick.is_empty() {
        text.push_str(&format!("groups = [\n  {{ name = \"unit\", {tests}run = \"python -m pytest -q -m 'not slow' --junitxml {{junit}}{args}\" }},\n]\n\n"));
    } else {
        text.push_str("groups = [\n");
        for marker in &quick {
            text.push_str(&format!(
                "  {{ name = \"{marker}\", markers = [\"{marker}\"], {tests}run = \"python -m pytest -q -m '{marker} and not slow' --junitxml {{junit}}{args}\", no_tests = \"pass\" }},\n"
            ));
        }
        text.push_str("]\n\n");
    }
    text.push_str("[stages.comprehensive]\ngroups = [\n  { name = \"all\", run = \"python -m pytest -q --junitxml {junit}\" },\n]\n\n");
    text.push_str("[hooks.pre-commit]\nstages = [\"smoke\", \"fast\"]\n");
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
            Preset::Rust { nextest: true },
            Preset::Rust { nextest: false },
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
