//! Before the first command starts: resolve every program that will run.
//!
//! A missing program is a usage error (exit 2, nothing ran), named with the
//! config line that uses it (SPEC 13), rather than a failure found halfway.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::config::{with_project_env, CommandTemplate, Config, Cwd};
use crate::error::Error;
use crate::exec::{Prepared, ServiceSpec};
use crate::plan::{Decision, Plan};

#[derive(Debug, Default)]
pub(crate) struct Resolved {
    programs: HashMap<String, PathBuf>,
    /// `cargo-<name>` programs of cargo subcommands already found.
    subcommands: Vec<String>,
    pub(crate) services: Vec<ServiceSpec>,
}

impl Resolved {
    /// The resolved path of a template's program (resolution happened, so it
    /// is there), for a command that runs in `cwd`: `./run.sh` is a different
    /// file in `backend` than at the root.
    pub(crate) fn program_in(&self, template: &CommandTemplate, cwd: Option<&Cwd>) -> PathBuf {
        self.programs
            .get(&program_key(template.program(), cwd))
            .cloned()
            .unwrap_or_else(|| PathBuf::from(template.program()))
    }
}

/// A bare name is found on `PATH` wherever the command runs; a path is
/// relative to the folder it runs in.
fn program_key(program: &str, cwd: Option<&Cwd>) -> String {
    match cwd {
        Some(cwd) if program.contains('/') && !program.starts_with('/') => {
            format!("{}/{program}", cwd.as_str())
        }
        _ => program.to_owned(),
    }
}

/// Find `program` as the child will: a path with `/` is relative to the
/// repository root; a bare name is looked up on `PATH` (the `[env]` one, if set).
pub(crate) fn find_program(
    program: &str,
    root: &Path,
    env: &[(OsString, OsString)],
) -> Option<PathBuf> {
    if program.contains('/') {
        let path = root.join(program);
        return is_executable(&path).then_some(path);
    }
    let path = env
        .iter()
        .rev()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.clone())
        .or_else(|| std::env::var_os("PATH"));
    which::which_in(program, path, root).ok()
}

pub(super) fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn resolve(
    template: &CommandTemplate,
    owner: &str,
    resolved: &mut Resolved,
    root: &Path,
    env: &[(OsString, OsString)],
    cwd: Option<&Cwd>,
) -> Result<(), Error> {
    let program = template.program();
    let key = program_key(program, cwd);
    let folder = crate::config::run_folder(root, cwd);
    let root = folder.as_path();
    // `cargo nextest` needs `cargo-nextest`: missing, cargo would exit 101,
    // which reads as a failing test.
    if let Some(sub) = super::cargo_subcommand::external_subcommand(template, root, env) {
        let key = format!("cargo-{sub}");
        if !resolved.subcommands.contains(&key) {
            if super::cargo_subcommand::find(&sub, root, env).is_none() {
                return Err(Error::new(format!(
                    "program `{key}` not found, used by {owner} (`cargo {sub}` runs it)"
                ))
                .at(template.location.clone())
                .hint(super::cargo_subcommand::install_hint(&sub)));
            }
            resolved.subcommands.push(key);
        }
    }
    if resolved.programs.contains_key(&key) {
        return Ok(());
    }
    match find_program(program, root, env) {
        Some(path) => {
            resolved.programs.insert(key, path);
            Ok(())
        }
        None => Err(Error::new(format!("program `{program}` not found, used by {owner}"))
            .at(template.location.clone())
            .hint(if program.contains('/') {
                let from = cwd.map_or_else(
                    || "the repository root".to_owned(),
                    |c| format!("its cwd `{}`", c.as_str()),
                );
                format!("check that `{program}` exists relative to {from} and is executable")
            } else {
                format!("install `{program}` or add its folder to PATH; to skip this one run, set TIERGATE_SKIP")
            })),
    }
}

fn prepared(template: &CommandTemplate, resolved: &Resolved, cwd: Option<&Cwd>) -> Prepared {
    let argv = crate::plan::plain_argv(template);
    Prepared {
        argv,
        program: resolved.program_in(template, cwd),
    }
}

/// Resolve the programs of every group that will run, of the formatters
/// named, and of the services the running stages need.
pub(crate) fn resolve_programs(
    config: &Config,
    plan: &Plan<'_>,
    formatters: &[&str],
    root: &Path,
    env: &[(OsString, OsString)],
) -> Result<Resolved, Error> {
    let mut resolved = Resolved::default();
    for name in formatters {
        if let Some(formatter) = config.formatter(name) {
            resolve(
                &formatter.run,
                &format!("[formatters.{name}]"),
                &mut resolved,
                root,
                &with_project_env(env, &formatter.env),
                formatter.cwd.as_ref(),
            )?;
        }
    }
    for stage in plan.stages.iter().filter(|s| s.runs_anything()) {
        for group in &stage.groups {
            if matches!(group.decision, Decision::Run { .. }) {
                let owner = format!("[stages.{}] group `{}`", stage.stage.name, group.group.name);
                resolve(
                    &group.group.run,
                    &owner,
                    &mut resolved,
                    root,
                    &with_project_env(env, &group.group.env),
                    group.group.cwd.as_ref(),
                )?;
            }
        }
        for need in &config.services_in_start_order(&stage.stage.needs) {
            if resolved.services.iter().any(|s| &s.name == need) {
                continue;
            }
            let Some(service) = config.service(need) else {
                continue;
            };
            let owner = format!("[services.{need}]");
            let cwd = service.cwd.as_ref();
            let env = with_project_env(env, &service.env);
            resolve(&service.check, &owner, &mut resolved, root, &env, cwd)?;
            for command in [&service.start, &service.stop].into_iter().flatten() {
                resolve(command, &owner, &mut resolved, root, &env, cwd)?;
            }
            resolved.services.push(ServiceSpec {
                name: need.clone(),
                check: prepared(&service.check, &resolved, cwd),
                start: service.start.as_ref().map(|c| prepared(c, &resolved, cwd)),
                stop: service.stop.as_ref().map(|c| prepared(c, &resolved, cwd)),
                cwd: cwd.map(|c| c.path().to_path_buf()),
                retries: service.retries,
                interval: service.interval,
                env: service.env.clone(),
            });
        }
    }
    Ok(resolved)
}
