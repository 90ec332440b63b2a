//! One command: spawned in its own process group, output captured through a
//! single pipe, waited for with a deadline, and never outlived by its children.

use std::ffi::OsString;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::signals;

/// Between SIGTERM and SIGKILL at a timeout, while output is still read.
const TERM_GRACE: Duration = Duration::from_secs(3);
/// Captured output kept per command: the tail is what a failure shows.
const TAIL_BYTES: usize = 1024 * 1024;

/// Receives output chunks as they arrive; shared with the reader thread.
pub(crate) type OutputSink = Arc<dyn Fn(&[u8]) + Send + Sync>;

pub(crate) struct Command<'a> {
    pub(crate) argv: &'a [OsString],
    /// The program to exec: the resolved path of `argv[0]` (argv[0] is kept).
    pub(crate) program: &'a Path,
    pub(crate) cwd: &'a Path,
    pub(crate) env: &'a [(OsString, OsString)],
    pub(crate) deadline: Option<Instant>,
    /// Called with each chunk of output as it arrives (for `-v`).
    pub(crate) on_output: Option<OutputSink>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Exit {
    Code(i32),
    Signal(i32),
    TimedOut,
    Interrupted,
    NotStarted(String),
}

#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) exit: Exit,
    pub(crate) output: Vec<u8>,
    pub(crate) duration: Duration,
}

/// Keeps the last `TAIL_BYTES` of output.
#[derive(Default)]
struct Tail {
    bytes: Vec<u8>,
}

impl Tail {
    fn push(&mut self, chunk: &[u8]) {
        self.bytes.extend_from_slice(chunk);
        if self.bytes.len() > TAIL_BYTES * 2 {
            let cut = self.bytes.len() - TAIL_BYTES;
            self.bytes.drain(..cut);
        }
    }

    fn take(&mut self) -> Vec<u8> {
        let mut bytes = std::mem::take(&mut self.bytes);
        if bytes.len() > TAIL_BYTES {
            bytes.drain(..bytes.len() - TAIL_BYTES);
        }
        bytes
    }
}

pub(crate) fn run(cmd: &Command<'_>) -> Finished {
    run_with(cmd, true)
}

/// `run`; `pidfd`: watch the command with `poll` and a pidfd where the kernel has them
/// (else, and when false, with a reader thread and a waiter thread).
fn run_with(cmd: &Command<'_>, pidfd: bool) -> Finished {
    let started = Instant::now();
    let not_started = |why: String| Finished {
        exit: Exit::NotStarted(why),
        output: Vec::new(),
        duration: started.elapsed(),
    };
    let (reader, writer) = match std::io::pipe() {
        Ok(pair) => pair,
        Err(e) => return not_started(format!("cannot create a pipe: {e}")),
    };
    let writer_err = match writer.try_clone() {
        Ok(w) => w,
        Err(e) => return not_started(format!("cannot create a pipe: {e}")),
    };
    let mut command = std::process::Command::new(cmd.program);
    if let Some(arg0) = cmd.argv.first() {
        command.arg0(arg0);
    }
    command
        .args(cmd.argv.iter().skip(1))
        .current_dir(cmd.cwd)
        .envs(cmd.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(writer_err)
        .process_group(0);

    let child = {
        let mut live = signals::registry();
        if signals::interrupted().is_some() {
            return Finished {
                exit: Exit::Interrupted,
                output: Vec::new(),
                duration: started.elapsed(),
            };
        }
        match command.spawn() {
            Ok(child) => {
                live.push(pid_of(&child));
                child
            }
            Err(e) => return not_started(format!("cannot start `{}`: {e}", cmd.program.display())),
        }
    };
    // The Command holds our copies of the pipe's write end: drop them, or the
    // reader never sees end-of-file.
    drop(command);
    let pgid = pid_of(&child);

    #[cfg(target_os = "linux")]
    if pidfd {
        if let Ok(pidfd) = rustix::process::pidfd_open(
            rustix::process::Pid::from_child(&child),
            rustix::process::PidfdFlags::empty(),
        ) {
            let (status, timed_out, output) = polled::supervise(child, reader, &pidfd, pgid, cmd);
            return finish(status, timed_out, output, started);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = pidfd;
    let (status, timed_out, output) = supervise_with_threads(child, reader, pgid, cmd);
    finish(status, timed_out, output, started)
}

/// The portable supervisor: a thread reads the pipe, another waits for the exit. The exit
/// status, whether the deadline passed, and the output's tail.
fn supervise_with_threads(
    mut child: std::process::Child,
    mut reader: std::io::PipeReader,
    pgid: i32,
    cmd: &Command<'_>,
) -> (std::io::Result<std::process::ExitStatus>, bool, Vec<u8>) {
    let tail = Arc::new(Mutex::new(Tail::default()));
    // Detached, not scoped: a daemon that escaped the group may hold the pipe
    // open forever, and this run must not wait for it.
    let (read_done_tx, read_done) = mpsc::channel::<()>();
    {
        let tail = tail.clone();
        let on_output = cmd.on_output.clone();
        std::thread::spawn(move || {
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                match reader.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if let Some(callback) = &on_output {
                            callback(&buffer[..n]);
                        }
                        tail.lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push(&buffer[..n]);
                    }
                }
            }
            let _ = read_done_tx.send(());
        });
    }

    let (exit_tx, exit_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = exit_tx.send(child.wait());
    });

    let mut timed_out = false;
    let status = match wait_until(&exit_rx, cmd.deadline) {
        Some(status) => status,
        None => {
            timed_out = true;
            signals::signal_group(pgid, libc::SIGTERM);
            match wait_until(&exit_rx, Some(Instant::now() + TERM_GRACE)) {
                Some(status) => status,
                None => {
                    signals::signal_group(pgid, libc::SIGKILL);
                    exit_rx
                        .recv()
                        .unwrap_or_else(|_| Err(std::io::Error::other("waiter thread lost")))
                }
            }
        }
    };
    // The leader is gone; whatever it left in its group is an orphan of this
    // run and does not survive it.
    signals::signal_group(pgid, libc::SIGKILL);
    signals::unregister(pgid);
    let _ = read_done.recv_timeout(OUTPUT_AFTER_EXIT);
    let output = tail.lock().unwrap_or_else(PoisonError::into_inner).take();
    (status, timed_out, output)
}

/// How long output is still read once the command exited (from what it left running).
const OUTPUT_AFTER_EXIT: Duration = Duration::from_secs(2);

/// How a command ended, from its exit status.
fn finish(
    status: std::io::Result<std::process::ExitStatus>,
    timed_out: bool,
    output: Vec<u8>,
    started: Instant,
) -> Finished {
    let interrupted = signals::interrupted().is_some();
    let exit = if timed_out {
        Exit::TimedOut
    } else {
        match status {
            Ok(s) => match (s.code(), s.signal()) {
                (Some(code), _) if interrupted && code != 0 => Exit::Interrupted,
                (Some(code), _) => Exit::Code(code),
                (None, Some(_)) if interrupted => Exit::Interrupted,
                (None, Some(signal)) => Exit::Signal(signal),
                (None, None) => Exit::Signal(0),
            },
            Err(e) => Exit::NotStarted(format!("lost track of the command: {e}")),
        }
    };
    Finished {
        exit,
        output,
        duration: started.elapsed(),
    }
}

/// One command watched from the calling thread: `poll` on its output pipe and on a pidfd
/// (Linux 5.3), where the portable way takes a reader thread and a waiter thread. Two thread
/// starts per group are a measurable part of a quiet hook (issue 21, S1).
#[cfg(target_os = "linux")]
mod polled {
    use std::io::Read;
    use std::time::{Duration, Instant};

    use rustix::event::{PollFd, PollFlags, Timespec};
    use rustix::fd::AsFd;

    use super::{signals, Command, Tail, OUTPUT_AFTER_EXIT, TERM_GRACE};

    /// The exit status, whether the deadline passed, and the output's tail.
    pub(super) fn supervise(
        mut child: std::process::Child,
        mut reader: std::io::PipeReader,
        pidfd: &impl AsFd,
        pgid: i32,
        cmd: &Command<'_>,
    ) -> (std::io::Result<std::process::ExitStatus>, bool, Vec<u8>) {
        let mut tail = Tail::default();
        let mut buffer = vec![0u8; 64 * 1024];
        let mut pipe_open = true;
        let mut deadline = cmd.deadline;
        let mut timed_out = false;
        loop {
            // After end-of-file the pipe stays readable: only the exit is waited for then.
            let (output, exited) = if pipe_open {
                wait(&reader, Some(pidfd), deadline).unwrap_or((false, false))
            } else {
                (false, exited_by(pidfd, deadline))
            };
            if output {
                pipe_open = read_into(&mut reader, &mut buffer, &mut tail, cmd);
            }
            if exited {
                break;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                if timed_out {
                    signals::signal_group(pgid, libc::SIGKILL);
                    deadline = None;
                } else {
                    timed_out = true;
                    signals::signal_group(pgid, libc::SIGTERM);
                    deadline = Some(Instant::now() + TERM_GRACE);
                }
            }
        }
        let status = child.wait();
        // The leader is gone; whatever it left in its group is an orphan of this
        // run and does not survive it.
        signals::signal_group(pgid, libc::SIGKILL);
        signals::unregister(pgid);
        let until = Instant::now() + OUTPUT_AFTER_EXIT;
        while pipe_open {
            match wait(&reader, None::<&std::os::fd::OwnedFd>, Some(until)) {
                Some((true, _)) => {
                    pipe_open = read_into(&mut reader, &mut buffer, &mut tail, cmd);
                }
                _ if Instant::now() >= until => break,
                _ => {}
            }
        }
        (status, timed_out, tail.take())
    }

    /// Reads one chunk; false at end-of-file or on an error.
    fn read_into(
        reader: &mut std::io::PipeReader,
        buffer: &mut [u8],
        tail: &mut Tail,
        cmd: &Command<'_>,
    ) -> bool {
        match reader.read(buffer) {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                if let Some(callback) = &cmd.on_output {
                    callback(&buffer[..n]);
                }
                tail.push(&buffer[..n]);
                true
            }
        }
    }

    /// Polls the pipe (and the pidfd, when given) until one is ready or `deadline`:
    /// `Some((output ready, exited))`, `None` when nothing became ready.
    fn wait(
        reader: &impl AsFd,
        pidfd: Option<&impl AsFd>,
        deadline: Option<Instant>,
    ) -> Option<(bool, bool)> {
        let mut fds = vec![PollFd::new(reader, PollFlags::IN)];
        if let Some(pidfd) = pidfd {
            fds.push(PollFd::new(pidfd, PollFlags::IN));
        }
        let timeout = deadline.map(|d| timespec(d.saturating_duration_since(Instant::now())));
        match rustix::event::poll(&mut fds, timeout.as_ref()) {
            Ok(0) | Err(_) => None,
            Ok(_) => {
                let output = !fds[0].revents().is_empty();
                let exited = fds.get(1).is_some_and(|f| !f.revents().is_empty());
                Some((output, exited))
            }
        }
    }

    /// Whether the command exits before `deadline` (`None`: however long it takes).
    fn exited_by(pidfd: &impl AsFd, deadline: Option<Instant>) -> bool {
        let mut fds = [PollFd::new(pidfd, PollFlags::IN)];
        let timeout = deadline.map(|d| timespec(d.saturating_duration_since(Instant::now())));
        matches!(rustix::event::poll(&mut fds, timeout.as_ref()), Ok(n) if n > 0)
    }

    fn timespec(left: Duration) -> Timespec {
        Timespec {
            tv_sec: i64::try_from(left.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: i64::from(left.subsec_nanos()),
        }
    }
}

fn pid_of(child: &std::process::Child) -> i32 {
    i32::try_from(child.id()).unwrap_or(i32::MAX)
}

/// `None` when the deadline passed first.
fn wait_until<T>(
    rx: &mpsc::Receiver<std::io::Result<T>>,
    deadline: Option<Instant>,
) -> Option<std::io::Result<T>> {
    match deadline {
        None => Some(
            rx.recv()
                .unwrap_or_else(|_| Err(std::io::Error::other("waiter thread lost"))),
        ),
        Some(deadline) => match rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            Ok(status) => Some(status),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => {
                Some(Err(std::io::Error::other("waiter thread lost")))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both supervisors: the pidfd one (Linux) and the threads every other system gets.
    const SUPERVISORS: [bool; 2] = [true, false];

    fn sh(script: &str, deadline: Option<Instant>, pidfd: bool) -> Finished {
        let argv: Vec<OsString> = ["sh", "-c", script].iter().map(OsString::from).collect();
        run_with(
            &Command {
                argv: &argv,
                program: Path::new("/bin/sh"),
                cwd: Path::new("/"),
                env: &[],
                deadline,
                on_output: None,
            },
            pidfd,
        )
    }

    #[test]
    fn captures_stdout_and_stderr_in_order() {
        for pidfd in SUPERVISORS {
            let f = sh("echo one; echo two >&2; echo three; exit 3", None, pidfd);
            assert_eq!(f.exit, Exit::Code(3), "pidfd: {pidfd}");
            assert_eq!(String::from_utf8_lossy(&f.output), "one\ntwo\nthree\n");
        }
    }

    /// A chunk of output is handed to the sink as it arrives, by either supervisor.
    #[test]
    fn output_reaches_the_sink_and_the_tail() {
        for pidfd in SUPERVISORS {
            let seen = Arc::new(Mutex::new(Vec::new()));
            let sink: OutputSink = {
                let seen = seen.clone();
                Arc::new(move |chunk: &[u8]| seen.lock().unwrap().extend_from_slice(chunk))
            };
            let argv: Vec<OsString> = ["sh", "-c", "printf 'a\\nb\\n'; exit 0"]
                .iter()
                .map(OsString::from)
                .collect();
            let f = run_with(
                &Command {
                    argv: &argv,
                    program: Path::new("/bin/sh"),
                    cwd: Path::new("/"),
                    env: &[],
                    deadline: None,
                    on_output: Some(sink),
                },
                pidfd,
            );
            assert_eq!(f.exit, Exit::Code(0), "pidfd: {pidfd}");
            assert_eq!(f.output, b"a\nb\n");
            assert_eq!(*seen.lock().unwrap(), b"a\nb\n", "pidfd: {pidfd}");
        }
    }

    #[test]
    fn a_missing_program_is_not_started() {
        let argv = vec![OsString::from("nope")];
        let f = run(&Command {
            argv: &argv,
            program: Path::new("/nonexistent/nope"),
            cwd: Path::new("/"),
            env: &[],
            deadline: None,
            on_output: None,
        });
        assert!(matches!(f.exit, Exit::NotStarted(_)));
    }

    #[test]
    fn timeout_kills_the_whole_group_including_grandchildren() {
        for pidfd in SUPERVISORS {
            let dir = tempfile::tempdir().unwrap();
            let pidfile = dir.path().join("grandchild.pid");
            let script = format!("sleep 300 & echo $! > '{}'; wait", pidfile.display());
            let f = sh(
                &script,
                Some(Instant::now() + Duration::from_millis(300)),
                pidfd,
            );
            assert_eq!(f.exit, Exit::TimedOut, "pidfd: {pidfd}");
            let pid = pid_in(&pidfile);
            assert!(
                gone(pid),
                "grandchild {pid} survived the timeout (pidfd: {pidfd})"
            );
        }
    }

    #[test]
    fn a_background_grandchild_does_not_outlive_a_finished_command() {
        for pidfd in SUPERVISORS {
            let dir = tempfile::tempdir().unwrap();
            let pidfile = dir.path().join("bg.pid");
            let script = format!(
                "sleep 300 >/dev/null 2>&1 & echo $! > '{}'",
                pidfile.display()
            );
            let f = sh(&script, None, pidfd);
            assert_eq!(f.exit, Exit::Code(0), "pidfd: {pidfd}");
            let pid = pid_in(&pidfile);
            assert!(
                gone(pid),
                "background process {pid} survived (pidfd: {pidfd})"
            );
        }
    }

    /// The process id a test's script wrote to `file`.
    fn pid_in(file: &Path) -> i32 {
        std::fs::read_to_string(file)
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }

    /// A killed grandchild is reparented and reaped by init: give it a
    /// moment to vanish; a zombie counts as dead.
    fn gone(pid: i32) -> bool {
        for _ in 0..100 {
            // SAFETY: signal 0 only checks for existence.
            if unsafe { libc::kill(pid, 0) } != 0 || is_zombie(pid) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    fn is_zombie(pid: i32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |s| {
            s.rsplit(')')
                .next()
                .is_some_and(|rest| rest.trim_start().starts_with('Z'))
        })
    }

    #[test]
    fn a_signal_death_is_reported() {
        for pidfd in SUPERVISORS {
            let f = sh("kill -9 $$", None, pidfd);
            assert_eq!(f.exit, Exit::Signal(9), "pidfd: {pidfd}");
        }
    }
}
