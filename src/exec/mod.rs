//! Child processes: slots, process groups, timeouts, signals, capture, services.
//!
//! Owns every spawn. Knows nothing of configs, stages or policy: it is handed
//! argv lists and deadlines and returns how each command ended. Only the
//! signal and process-group calls here use `unsafe`.

mod locks;
mod process;
mod services;
mod signals;
mod slots;

pub(crate) use locks::{Locks, NotAcquired};
pub(crate) use process::{run, Command, Exit, Finished, OutputSink};
pub(crate) use services::{ensure_ready, stop, Prepared, ServiceSpec, Started};
pub(crate) use signals::{install as install_signal_handlers, interrupted, on_interrupt};
pub(crate) use slots::Slots;

/// How many cores this process may use, asked of the system once: the answer reads the
/// cgroup's CPU limit from `/sys` (five system calls), and a hook asks it from several
/// places (issue 21).
pub(crate) fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
}
