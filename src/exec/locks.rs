//! Named locks (`locks = ["db"]`): two groups naming the same lock never run
//! at the same time, whatever their stage or project.
//!
//! One table per run, keyed by name. A group takes all its locks at once,
//! under one mutex, or waits holding none of them: no lock order to get
//! wrong, so no deadlock, and a group waiting for `db` and `cache` does not
//! sit on `db` while others that only need `db` could run. Locks are taken
//! before slots, so a waiting group holds no slot of the `jobs` budget.
//! Waiters sleep on a Condvar, with the stage's deadline when it has one.

use std::collections::BTreeSet;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
struct State {
    held: BTreeSet<String>,
    /// Groups waiting now (tests wait for a waiter to be there).
    waiting: usize,
    closed: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Locks {
    state: Mutex<State>,
    changed: Condvar,
}

/// Why `acquire` gave up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotAcquired {
    /// The run was interrupted.
    Closed,
    /// The deadline passed while another group held one of the locks.
    TimedOut,
}

/// Locks held by one running group, given back on drop.
#[derive(Debug)]
pub(crate) struct HeldLocks<'a> {
    locks: &'a Locks,
    names: Vec<String>,
    /// How long the group waited for them; zero when they were free.
    pub(crate) waited: Duration,
    /// Whether another group held one of them when it asked.
    pub(crate) contended: bool,
}

impl Drop for HeldLocks<'_> {
    fn drop(&mut self) {
        let mut state = self
            .locks
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for name in &self.names {
            state.held.remove(name);
        }
        self.locks.changed.notify_all();
    }
}

impl Locks {
    pub(crate) fn new() -> Locks {
        Locks::default()
    }

    /// Take every lock in `names` at once, waiting while any is held.
    pub(crate) fn acquire(
        &self,
        names: &[String],
        deadline: Option<Instant>,
    ) -> Result<HeldLocks<'_>, NotAcquired> {
        let names: Vec<String> = names
            .iter()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let asked = Instant::now();
        let mut contended = false;
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if state.closed {
                state.waiting -= usize::from(contended);
                return Err(NotAcquired::Closed);
            }
            if names.iter().all(|n| !state.held.contains(n)) {
                state.waiting -= usize::from(contended);
                state.held.extend(names.iter().cloned());
                return Ok(HeldLocks {
                    locks: self,
                    names,
                    waited: if contended {
                        asked.elapsed()
                    } else {
                        Duration::ZERO
                    },
                    contended,
                });
            }
            if !contended {
                contended = true;
                state.waiting += 1;
            }
            state = match deadline {
                None => self
                    .changed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        state.waiting -= 1;
                        return Err(NotAcquired::TimedOut);
                    }
                    self.changed
                        .wait_timeout(state, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
    }

    #[cfg(test)]
    fn wait_for_a_waiter(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while state.waiting == 0 {
            state = self
                .changed
                .wait_timeout(state, Duration::from_millis(5))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Refuse every waiting and future `acquire`: the run was interrupted.
    pub(crate) fn close(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.closed = true;
        self.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{mpsc, Arc};

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|&s| s.to_owned()).collect()
    }

    #[test]
    fn two_holders_of_one_lock_never_overlap() {
        let locks = Arc::new(Locks::new());
        let inside = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        std::thread::scope(|scope| {
            for _ in 0..8 {
                let (locks, inside, peak) = (locks.clone(), inside.clone(), peak.clone());
                scope.spawn(move || {
                    let _held = locks.acquire(&names(&["db"]), None).unwrap();
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::yield_now();
                    inside.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        assert_eq!(peak.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn different_locks_are_held_at_once() {
        let locks = Locks::new();
        let db = locks.acquire(&names(&["db"]), None).unwrap();
        let cache = locks.acquire(&names(&["cache"]), None).unwrap();
        assert!(!db.contended && !cache.contended);
        assert_eq!(db.waited, Duration::ZERO);
    }

    /// Opposite orders of the same two names, many times over: taking all
    /// at once (never one, then the other) cannot deadlock.
    #[test]
    fn groups_naming_several_locks_in_any_order_never_deadlock() {
        let locks = Arc::new(Locks::new());
        let (done, finished) = mpsc::channel();
        for i in 0..16 {
            let (locks, done) = (locks.clone(), done.clone());
            std::thread::spawn(move || {
                let wanted = if i % 2 == 0 {
                    names(&["a", "b"])
                } else {
                    names(&["b", "a", "b"])
                };
                for _ in 0..50 {
                    drop(locks.acquire(&wanted, None).unwrap());
                    drop(locks.acquire(&names(&["a"]), None).unwrap());
                }
                done.send(()).unwrap();
            });
        }
        for _ in 0..16 {
            // A deadlock would leave this waiting; generous, never a timing assertion.
            finished
                .recv_timeout(Duration::from_secs(60))
                .expect("a lock waiter never finished: deadlock");
        }
    }

    #[test]
    fn a_waiter_for_several_locks_holds_none_of_them_meanwhile() {
        let locks = Locks::new();
        let b = locks.acquire(&names(&["b"]), None).unwrap();
        std::thread::scope(|scope| {
            let waiter = scope.spawn(|| {
                locks
                    .acquire(&names(&["a", "b"]), None)
                    .map(|h| h.contended)
            });
            // While it waits for `b`, `a` stays free for others.
            locks.wait_for_a_waiter();
            drop(locks.acquire(&names(&["a"]), None).unwrap());
            drop(b);
            assert_eq!(waiter.join().unwrap(), Ok(true));
        });
    }

    #[test]
    fn a_release_wakes_the_waiter_and_it_records_that_it_waited() {
        let locks = Arc::new(Locks::new());
        let first = locks.acquire(&names(&["db"]), None).unwrap();
        let waiter = {
            let locks = locks.clone();
            std::thread::spawn(move || locks.acquire(&names(&["db"]), None).unwrap().contended)
        };
        locks.wait_for_a_waiter();
        drop(first);
        assert!(waiter.join().unwrap());
    }

    #[test]
    fn close_and_deadlines_release_waiters() {
        let locks = Arc::new(Locks::new());
        let held = locks.acquire(&names(&["db"]), None).unwrap();
        assert_eq!(
            locks
                .acquire(
                    &names(&["db"]),
                    Some(Instant::now() + Duration::from_millis(20))
                )
                .unwrap_err(),
            NotAcquired::TimedOut
        );
        let waiter = {
            let locks = locks.clone();
            std::thread::spawn(move || locks.acquire(&names(&["db"]), None).unwrap_err())
        };
        locks.close();
        assert_eq!(waiter.join().unwrap(), NotAcquired::Closed);
        drop(held);
    }
}
