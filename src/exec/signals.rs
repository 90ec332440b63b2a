//! Ctrl-C, SIGTERM and SIGHUP: caught on a thread, forwarded to children.
//!
//! Every child runs in a process group of its own, so the terminal's Ctrl-C
//! never reaches it: this module keeps the registry of live groups and sends
//! them the signal itself. The first signal asks politely (and escalates to
//! SIGKILL after a grace period); a second kills at once. tiergate itself
//! never dies from these signals: its main thread finishes, restores the work
//! tree and exits with 128 + the signal.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// How long children get between the forwarded signal and SIGKILL.
const GRACE: Duration = Duration::from_secs(5);

static INTERRUPTED: AtomicI32 = AtomicI32::new(0);
static LIVE: Mutex<Vec<i32>> = Mutex::new(Vec::new());
type Callback = Box<dyn Fn() + Send>;
static CALLBACKS: Mutex<Vec<Callback>> = Mutex::new(Vec::new());

/// The signal that interrupted this run, if any.
pub(crate) fn interrupted() -> Option<i32> {
    match INTERRUPTED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// Run `callback` (from the signal thread) when the first signal arrives, so
/// waits elsewhere (slots, service retries) wake up.
pub(crate) fn on_interrupt(callback: impl Fn() + Send + 'static) {
    CALLBACKS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Box::new(callback));
}

/// The registry of live process groups; spawning holds it so that a signal
/// cannot slip between "not interrupted yet" and "registered".
pub(crate) fn registry() -> MutexGuard<'static, Vec<i32>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn unregister(pgid: i32) {
    registry().retain(|&p| p != pgid);
}

/// Send `signal` to the process group `pgid`; false when the group is gone.
pub(crate) fn signal_group(pgid: i32, signal: i32) -> bool {
    // SAFETY: killpg has no memory effects; a stale pgid yields ESRCH.
    unsafe { libc::killpg(pgid, signal) == 0 }
}

fn signal_all(signal: i32) {
    for &pgid in registry().iter() {
        signal_group(pgid, signal);
    }
}

/// Start the signal thread. Idempotent enough for one call per process.
pub(crate) fn install() -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("tiergate-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                let first = INTERRUPTED
                    .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok();
                if first {
                    signal_all(signal);
                    for callback in CALLBACKS
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .iter()
                    {
                        callback();
                    }
                    std::thread::spawn(|| {
                        std::thread::sleep(GRACE);
                        signal_all(libc::SIGKILL);
                    });
                } else {
                    signal_all(libc::SIGKILL);
                }
            }
        })?;
    Ok(())
}
