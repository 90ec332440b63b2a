//! `tiergate import pre-commit|lefthook`: read the other tool's config, write
//! the translated `.tiergate.toml`, and list what could not be translated.
//!
//! The translation itself is `crate::import` (pure); this file owns the IO:
//! finding the input, refusing to overwrite, and checking that the result
//! loads before a byte is written.

use std::path::{Path, PathBuf};

use crate::config::{self, Source};
use crate::error::{Error, ExitStatus};
use crate::import::{self, Imported};
use crate::ui;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Tool {
    PreCommit,
    Lefthook,
    /// `.husky/*` scripts and the lint-staged config they run.
    #[value(alias = "lint-staged")]
    Husky,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::PreCommit => "pre-commit",
            Tool::Lefthook => "lefthook",
            Tool::Husky => "husky",
        }
    }

    /// The file names the tool itself looks for, in its order.
    fn default_inputs(self) -> &'static [&'static str] {
        match self {
            Tool::PreCommit => &[".pre-commit-config.yaml", ".pre-commit-config.yml"],
            Tool::Lefthook => &[
                "lefthook.yml",
                "lefthook.yaml",
                ".lefthook.yml",
                ".lefthook.yaml",
            ],
            // The project folder: `.husky/` and package.json or `.lintstagedrc*`.
            Tool::Husky => &["."],
        }
    }
}

#[derive(Debug)]
pub(crate) struct ImportRequest {
    pub(crate) tool: Tool,
    pub(crate) input: Option<PathBuf>,
    pub(crate) output: PathBuf,
    pub(crate) force: bool,
}

pub(crate) fn run(request: &ImportRequest) -> Result<ExitStatus, Error> {
    let tool = request.tool;
    let input = match &request.input {
        Some(path) => path.clone(),
        None => tool
            .default_inputs()
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file() || (tool == Tool::Husky && p.is_dir()))
            .ok_or_else(|| {
                Error::new(format!(
                    "no {} config here: looked for {}",
                    tool.name(),
                    tool.default_inputs().join(", ")
                ))
                .hint("run it in the folder that holds the config, or pass --input FILE")
            })?,
    };
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| {
            Error::new(format!("cannot read {}: {e}", path.display()))
                .hint("pass the config to translate with --input FILE")
        })
    };
    let to_stdout = request.output == Path::new("-");
    if !to_stdout && !request.force && request.output.exists() {
        return Err(Error::new(format!(
            "{} already exists; nothing was written",
            request.output.display()
        ))
        .hint(
            "pass --force to overwrite it, or --output FILE to write elsewhere (`-` prints it)",
        ));
    }
    let imported = match tool {
        Tool::PreCommit => import::pre_commit(&read(&input)?, &input)?,
        Tool::Lefthook => import::lefthook(&read(&input)?, &input)?,
        Tool::Husky => {
            let found = husky_input(&input)?;
            let source = if input == Path::new(".") {
                ".husky/ and lint-staged".to_owned()
            } else {
                format!("{}/.husky/ and lint-staged", input.display())
            };
            import::husky(&found, &source)?
        }
    };
    // A translation that does not load is a bug here, never the user's to fix.
    config::from_text(
        &imported.text,
        &request.output,
        Source::Embedded("imported"),
    )
    .map_err(|e| {
        Error::new(format!(
            "the translation of {} does not load: {}",
            input.display(),
            e.headline
        ))
        .hint("please report this; `--output -` prints the translation to inspect")
    })?;
    if to_stdout {
        ui::out_raw(imported.text.as_bytes());
        for line in summary(&imported, &input, None) {
            ui::err(&line);
        }
        return Ok(ExitStatus::Passed);
    }
    write(&request.output, imported.text.as_bytes(), request.force).map_err(|e| {
        Error::new(format!("cannot write {}: {e}", request.output.display()))
            .hint("check the folder's permissions, or pass --output FILE")
    })?;
    for line in summary(&imported, &input, Some(&request.output)) {
        ui::out(&line);
    }
    Ok(ExitStatus::Passed)
}

/// The `.husky/<hook>` scripts of `dir` and its lint-staged config, looked
/// up as lint-staged does: package.json's `lint-staged` key, then the
/// `.lintstagedrc*` files.
fn husky_input(dir: &Path) -> Result<import::HuskyInput, Error> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| {
            Error::new(format!("cannot read {}: {e}", path.display()))
                .hint("pass the project folder with --input DIR")
        })
    };
    let mut input = import::HuskyInput::default();
    let husky = dir.join(".husky");
    if let Ok(entries) = std::fs::read_dir(&husky) {
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().is_file())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| import::GIT_HOOKS.contains(&n.as_str()))
            .collect();
        names.sort();
        for name in names {
            let text = read(&husky.join(&name))?;
            input.hooks.push((name, text));
        }
    }
    let package = dir.join("package.json");
    if package.is_file() {
        let text = read(&package)?;
        if text.contains("\"lint-staged\"") {
            input.lint_staged = Some(import::LintStagedSource {
                file: "package.json".into(),
                text,
            });
        }
    }
    if input.lint_staged.is_none() {
        for name in import::LINT_STAGED_FILES {
            let path = dir.join(name);
            if path.is_file() {
                input.lint_staged = Some(import::LintStagedSource {
                    file: (*name).to_owned(),
                    text: read(&path)?,
                });
                break;
            }
        }
    }
    if input.hooks.is_empty() && input.lint_staged.is_none() {
        return Err(Error::new(format!(
            "no husky hooks nor lint-staged config in {}: looked for .husky/<hook>, package.json `lint-staged`, .lintstagedrc*",
            dir.display()
        ))
        .hint("run it in the project folder, or pass it with --input DIR"));
    }
    Ok(input)
}

/// Write through a temporary file; without `force`, never over a file that
/// appeared since the check.
fn write(path: &Path, bytes: &[u8], force: bool) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut file = crate::state::temp_file_for(dir, path, crate::state::FileMode::User)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    if force {
        file.persist(path).map_err(|e| e.error)?;
    } else {
        file.persist_noclobber(path).map_err(|e| e.error)?;
    }
    Ok(())
}

fn summary(imported: &Imported, input: &Path, output: Option<&Path>) -> Vec<String> {
    let mut parts = vec![crate::policy::plural(
        imported.formatters.len(),
        "formatter",
    )];
    for (stage, count) in &imported.groups {
        parts.push(format!(
            "{} in {stage}",
            crate::policy::plural(*count, "group")
        ));
    }
    let mut lines = vec![match output {
        Some(out) => format!(
            "wrote {} from {}: {}",
            out.display(),
            input.display(),
            parts.join(", ")
        ),
        None => format!("translated {}: {}", input.display(), parts.join(", ")),
    }];
    lines.extend(imported.report.iter().cloned());
    if output.is_some() {
        lines.push("next: `tiergate plan pre-commit` to review it, then `tiergate install`".into());
    }
    lines
}
