//! The `jobs` slot budget: a FIFO counting semaphore on a Condvar.
//!
//! FIFO, so a group that needs four slots is not starved by a stream of
//! one-slot groups. No busy waiting: waiters sleep on the Condvar.

use std::sync::{Condvar, Mutex, PoisonError};

#[derive(Debug)]
struct State {
    free: usize,
    next_ticket: u64,
    serving: u64,
    closed: bool,
}

#[derive(Debug)]
pub(crate) struct Slots {
    total: usize,
    state: Mutex<State>,
    changed: Condvar,
}

/// Slots held by one running group, given back on drop.
pub(crate) struct Held<'a> {
    slots: &'a Slots,
    count: usize,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let mut state = self
            .slots
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        state.free += self.count;
        self.slots.changed.notify_all();
    }
}

impl Slots {
    pub(crate) fn new(total: usize) -> Slots {
        let total = total.max(1);
        Slots {
            total,
            state: Mutex::new(State {
                free: total,
                next_ticket: 0,
                serving: 0,
                closed: false,
            }),
            changed: Condvar::new(),
        }
    }

    /// Wait for `count` slots (at most the budget). `None` once closed: the
    /// run was interrupted or its stage timed out, so nothing new may start.
    pub(crate) fn acquire(&self, count: usize) -> Option<Held<'_>> {
        let count = count.clamp(1, self.total);
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        loop {
            if state.closed {
                // Let the tickets behind this one move on, so they see `closed` too.
                if state.serving == ticket {
                    state.serving += 1;
                }
                self.changed.notify_all();
                return None;
            }
            if state.serving == ticket && state.free >= count {
                state.serving += 1;
                state.free -= count;
                self.changed.notify_all();
                return Some(Held { slots: self, count });
            }
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Refuse every waiting and future `acquire`.
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
    use std::sync::Arc;

    #[test]
    fn never_exceeds_the_budget() {
        let slots = Arc::new(Slots::new(3));
        let in_use = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        std::thread::scope(|scope| {
            for i in 0..12 {
                let (slots, in_use, peak) = (slots.clone(), in_use.clone(), peak.clone());
                scope.spawn(move || {
                    let want = 1 + i % 3;
                    let _held = slots.acquire(want).unwrap();
                    let now = in_use.fetch_add(want, Ordering::SeqCst) + want;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::yield_now();
                    in_use.fetch_sub(want, Ordering::SeqCst);
                });
            }
        });
        assert!(peak.load(Ordering::SeqCst) <= 3);
    }

    #[test]
    fn a_request_larger_than_the_budget_takes_the_whole_budget() {
        let slots = Slots::new(2);
        let held = slots.acquire(8).unwrap();
        assert_eq!(held.count, 2);
    }

    #[test]
    fn close_releases_waiters() {
        let slots = Arc::new(Slots::new(1));
        let first = slots.acquire(1).unwrap();
        let waiter = {
            let slots = slots.clone();
            std::thread::spawn(move || slots.acquire(1).is_none())
        };
        slots.close();
        assert!(waiter.join().unwrap());
        drop(first);
    }
}
