//! `tiergate doctor`: is this repository ready for tiergate? Each problem
//! comes with its fix. Exit 0 when nothing is wrong, 1 with problems, 2 when
//! it could not check.

use std::path::Path;

use crate::config::{self, CommandTemplate};
use crate::error::{Error, ExitStatus};
use crate::install::{self, HookState};
use crate::pipeline::{cargo_subcommand, find_program};
use crate::runner;
use crate::ui;

/// The oldest git with `core.hooksPath` and the pre-push protocol we read.
const MIN_GIT: (u32, u32) = (2, 9);

struct Findings {
    problems: usize,
}

impl Findings {
    fn ok(what: &str) {
        ui::out(&format!("  {} {what}", console::style("ok").green()));
    }

    fn problem(&mut self, what: &str, fix: &str) {
        self.problems += 1;
        ui::out(&format!(
            "  {} {what}",
            console::style("problem").red().bold()
        ));
        ui::out(&format!("      {} {fix}", console::style("fix:").cyan()));
    }
}

fn git_version() -> Option<(u32, u32, String)> {
    let out = std::process::Command::new("git")
        .arg("--version")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let version = text.split_whitespace().nth(2)?;
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    Some((parts.next()?, parts.next().unwrap_or(0), version.to_owned()))
}

pub(crate) fn run() -> Result<ExitStatus, Error> {
    let mut findings = Findings { problems: 0 };
    ui::out(&format!("{}", console::style("tiergate doctor").bold()));
    match git_version() {
        Some((major, minor, text)) if (major, minor) >= MIN_GIT => {
            Findings::ok(&format!("git {text}"));
        }
        Some((_, _, text)) => findings.problem(
            &format!("git {text} is older than {}.{}", MIN_GIT.0, MIN_GIT.1),
            "upgrade git",
        ),
        None => findings.problem("git is not on PATH", "install git; the hooks are run by it"),
    }
    let repo = runner::open_repo()?;
    let config = config::load(repo.root())?;
    Findings::ok(&format!(
        "config is valid ({})",
        match &config.source {
            config::Source::File(p) => p.display().to_string(),
            config::Source::Embedded(name) => format!("embedded {name} preset"),
        }
    ));
    // Markers that do not meet are valid but select nothing: a warning, not a
    // problem, so they do not change doctor's exit status.
    for warning in &config.warnings {
        ui::out(&format!(
            "  {} {}",
            console::style("warning").yellow().bold(),
            warning.headline
        ));
        if let Some(loc) = &warning.location {
            ui::out(&format!(
                "      --> {}:{}:{}",
                loc.file.display(),
                loc.line,
                loc.column
            ));
        }
        ui::out(&format!(
            "      {} {}",
            console::style("fix:").cyan(),
            warning.hint
        ));
    }

    let env = runner::command_env(&config, &[]);
    let mut commands: Vec<(String, &CommandTemplate)> = Vec::new();
    for formatter in &config.formatters {
        commands.push((format!("[formatters.{}]", formatter.name), &formatter.run));
    }
    for stage in &config.stages {
        for group in &stage.groups {
            commands.push((
                format!("[stages.{}] group `{}`", stage.name, group.name),
                &group.run,
            ));
        }
    }
    for service in &config.services {
        commands.push((format!("[services.{}] check", service.name), &service.check));
        commands.extend(
            service
                .start
                .iter()
                .map(|c| (format!("[services.{}] start", service.name), c)),
        );
        commands.extend(
            service
                .stop
                .iter()
                .map(|c| (format!("[services.{}] stop", service.name), c)),
        );
    }
    let mut missing = false;
    for (owner, command) in &commands {
        if find_program(command.program(), repo.root(), &env).is_none() {
            missing = true;
            findings.problem(
                &format!("program `{}` of {owner} is not on PATH", command.program()),
                &match crate::import::install_for_program(command.program()) {
                    Some(line) => format!("install it: {line}; or fix the `run` command"),
                    None => format!("install `{}`, or fix the `run` command", command.program()),
                },
            );
        } else if let Some(sub) = cargo_subcommand::external_subcommand(command, repo.root(), &env)
        {
            if cargo_subcommand::find(&sub, repo.root(), &env).is_none() {
                missing = true;
                findings.problem(
                    &format!(
                        "program `cargo-{sub}` of {owner} is not on PATH nor in $CARGO_HOME/bin (`cargo {sub}` runs it)"
                    ),
                    &cargo_subcommand::install_hint(&sub),
                );
            }
        }
    }
    if !missing {
        Findings::ok(&format!(
            "every program is on PATH ({} commands)",
            commands.len()
        ));
    }

    for service in &config.services {
        let Some(path) = find_program(service.check.program(), repo.root(), &env) else {
            continue;
        };
        let argv = crate::plan::plain_argv(&service.check);
        let finished = crate::exec::run(&crate::exec::Command {
            argv: &argv,
            program: &path,
            cwd: repo.root(),
            env: &env,
            deadline: Some(std::time::Instant::now() + std::time::Duration::from_secs(10)),
            on_output: None,
        });
        if finished.exit == crate::exec::Exit::Code(0) {
            Findings::ok(&format!("service {} is ready", service.name));
        } else if service.start.is_some() {
            Findings::ok(&format!(
                "service {} is down; tiergate will start it when a stage needs it",
                service.name
            ));
        } else {
            findings.problem(
                &format!("service {} is not ready (its check failed)", service.name),
                "start it, or give it a `start` command under [services]",
            );
        }
    }

    match repo.hooks_dir() {
        Ok(dir) => check_hooks(&mut findings, &dir),
        Err(e) => findings.problem(
            &format!("cannot find the hooks directory: {e}"),
            "check core.hooksPath",
        ),
    }

    let state_dir = crate::state::shared_dir(&repo, &config);
    match writable(&state_dir) {
        Ok(()) => Findings::ok(&format!("state dir {} is writable", state_dir.display())),
        Err(e) => findings.problem(
            &format!("state dir {} is not writable: {e}", state_dir.display()),
            "fix its permissions, or set [settings] state_dir",
        ),
    }

    if findings.problems == 0 {
        ui::out(&format!(
            "{}",
            console::style("no problems found").green().bold()
        ));
        Ok(ExitStatus::Passed)
    } else {
        ui::out(&format!(
            "{}",
            console::style(crate::policy::plural(findings.problems, "problem"))
                .red()
                .bold()
        ));
        Ok(ExitStatus::Blocked)
    }
}

fn check_hooks(findings: &mut Findings, dir: &Path) {
    let me = std::env::current_exe().and_then(std::fs::canonicalize).ok();
    for hook in crate::hooks::default_names() {
        match install::hook_state(dir, hook) {
            HookState::Missing => findings.problem(
                &format!("{hook} hook is not installed"),
                "run `tiergate install`",
            ),
            HookState::Foreign => findings.problem(
                &format!("{hook} hook is not tiergate's"),
                "run `tiergate install` to chain it (your hook keeps running first)",
            ),
            HookState::Shim { binary: None } => {
                // A committed hooks folder: the shim runs whatever `tiergate` PATH gives.
                let on_path = which::which("tiergate")
                    .ok()
                    .and_then(|p| std::fs::canonicalize(p).ok());
                match on_path {
                    Some(found) if Some(&found) == me.as_ref() => {
                        Findings::ok(&format!(
                            "{hook} hook runs tiergate from PATH (this binary)"
                        ));
                    }
                    Some(found) => findings.problem(
                        &format!(
                            "{hook} hook runs tiergate from PATH, which is {}, not this binary",
                            found.display()
                        ),
                        "put this tiergate first on PATH (cargo install --path . --locked)",
                    ),
                    None => findings.problem(
                        &format!("{hook} hook runs tiergate from PATH, and it is not on PATH"),
                        "install it: cargo install --path <tiergate checkout> --locked",
                    ),
                }
            }
            HookState::Shim { binary } => {
                let points_here = binary.as_ref().and_then(|b| std::fs::canonicalize(b).ok()) == me;
                if points_here {
                    Findings::ok(&format!("{hook} hook runs this tiergate"));
                } else {
                    findings.problem(
                        &format!(
                            "{hook} hook runs {}, not this binary",
                            binary.map_or_else(
                                || "tiergate from PATH".to_owned(),
                                |b| b.display().to_string()
                            )
                        ),
                        "run `tiergate install` to point it here",
                    );
                }
            }
        }
    }
}

fn writable(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    tempfile::NamedTempFile::new_in(dir).map(drop)
}
