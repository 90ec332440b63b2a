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
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::PreCommit => "pre-commit",
            Tool::Lefthook => "lefthook",
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
            .find(|p| p.is_file())
            .ok_or_else(|| {
                Error::new(format!(
                    "no {} config here: looked for {}",
                    tool.name(),
                    tool.default_inputs().join(", ")
                ))
                .hint("run it in the folder that holds the config, or pass --input FILE")
            })?,
    };
    let text = std::fs::read_to_string(&input).map_err(|e| {
        Error::new(format!("cannot read {}: {e}", input.display()))
            .hint("pass the config to translate with --input FILE")
    })?;
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
        Tool::PreCommit => import::pre_commit(&text, &input)?,
        Tool::Lefthook => import::lefthook(&text, &input)?,
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

/// Write through a temporary file; without `force`, never over a file that
/// appeared since the check.
fn write(path: &Path, bytes: &[u8], force: bool) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
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
