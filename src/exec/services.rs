//! Services a stage `needs`: check, start when down, retry, stop afterwards.
//!
//! A service is started only when its first check fails and it has a `start`
//! command; it is stopped after the run only if tiergate started it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::process::{run, Command, Exit};
use super::signals;

/// Any one check, start or stop command gets at most this long.
const COMMAND_LIMIT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub(crate) argv: Vec<OsString>,
    pub(crate) program: PathBuf,
}

#[derive(Debug, Clone)]
pub(crate) struct ServiceSpec {
    pub(crate) name: String,
    pub(crate) check: Prepared,
    pub(crate) start: Option<Prepared>,
    pub(crate) stop: Option<Prepared>,
    pub(crate) retries: u32,
    pub(crate) interval: Duration,
    /// Where its commands run, relative to the folder `ensure_ready` and `stop` are given.
    pub(crate) cwd: Option<PathBuf>,
    /// Its project's own `[env]` (a member's), on top of the environment given.
    pub(crate) env: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Started {
    AlreadyRunning,
    ByUs,
}

fn run_one(prepared: &Prepared, cwd: &Path, env: &[(OsString, OsString)]) -> (bool, String) {
    let finished = run(&Command {
        argv: &prepared.argv,
        program: &prepared.program,
        cwd,
        env,
        deadline: Some(Instant::now() + COMMAND_LIMIT),
        on_output: None,
    });
    let output = String::from_utf8_lossy(&finished.output).trim().to_owned();
    (finished.exit == Exit::Code(0), output)
}

fn folder(spec: &ServiceSpec, root: &Path) -> PathBuf {
    match &spec.cwd {
        Some(cwd) => root.join(cwd),
        None => root.to_path_buf(),
    }
}

/// Make the service ready, or say why it is not (with the last check's output).
pub(crate) fn ensure_ready(
    spec: &ServiceSpec,
    root: &Path,
    env: &[(OsString, OsString)],
) -> Result<Started, String> {
    let cwd = &folder(spec, root);
    let (ok, mut last) = run_one(&spec.check, cwd, env);
    if ok {
        return Ok(Started::AlreadyRunning);
    }
    let Some(start) = &spec.start else {
        return Err(format!(
            "service {} not ready: its check failed and it has no `start` command\n{last}",
            spec.name
        ));
    };
    let (started, output) = run_one(start, cwd, env);
    if !started {
        return Err(format!(
            "service {} not ready: its `start` command failed\n{output}",
            spec.name
        ));
    }
    for _ in 0..spec.retries {
        if signals::interrupted().is_some() {
            return Err(format!("service {} not ready: interrupted", spec.name));
        }
        let (ok, output) = run_one(&spec.check, cwd, env);
        if ok {
            return Ok(Started::ByUs);
        }
        last = output;
        std::thread::sleep(spec.interval);
    }
    // We started it and it never became ready: do not leave it half up.
    stop(spec, root, env);
    Err(format!(
        "service {} not ready after {} checks, {:?} apart\n{last}",
        spec.name, spec.retries, spec.interval
    ))
}

/// Run the service's `stop` command, if it has one; failures are reported, not fatal.
pub(crate) fn stop(
    spec: &ServiceSpec,
    root: &Path,
    env: &[(OsString, OsString)],
) -> Option<String> {
    let stop = spec.stop.as_ref()?;
    let (ok, output) = run_one(stop, &folder(spec, root), env);
    (!ok).then(|| format!("stopping service {} failed: {output}", spec.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Prepared {
        Prepared {
            argv: ["sh", "-c", script].iter().map(OsString::from).collect(),
            program: "/bin/sh".into(),
        }
    }

    #[test]
    fn starts_a_down_service_and_waits_for_its_check() {
        let dir = tempfile::tempdir().unwrap();
        let flag = dir.path().join("up");
        let spec = ServiceSpec {
            name: "db".into(),
            check: sh(&format!("test -f '{}'", flag.display())),
            start: Some(sh(&format!("touch '{}'", flag.display()))),
            stop: Some(sh(&format!("rm '{}'", flag.display()))),
            retries: 3,
            interval: Duration::from_millis(10),
            cwd: None,
            env: Vec::new(),
        };
        assert_eq!(ensure_ready(&spec, dir.path(), &[]), Ok(Started::ByUs));
        assert_eq!(
            ensure_ready(&spec, dir.path(), &[]),
            Ok(Started::AlreadyRunning)
        );
        assert_eq!(stop(&spec, dir.path(), &[]), None);
        assert!(!flag.exists());
    }

    #[test]
    fn a_service_that_never_comes_up_is_not_ready() {
        let spec = ServiceSpec {
            name: "db".into(),
            check: sh("echo connection refused; exit 1"),
            start: None,
            stop: None,
            retries: 2,
            interval: Duration::from_millis(1),
            cwd: None,
            env: Vec::new(),
        };
        let err = ensure_ready(&spec, Path::new("/"), &[]).unwrap_err();
        assert!(err.starts_with("service db not ready"), "{err}");
        assert!(err.contains("connection refused"));
    }
}
