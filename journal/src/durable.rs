//! Waiting for durability: [`Waiters`], which the flusher wakes in bulk after each fdatasync,
//! and [`Durable`], the future form of [`Journal::wait_durable`](crate::Journal::wait_durable).
//!
//! Blocked threads sleep on one condition variable; futures leave their `Waker` in a map
//! keyed by the future, so a future polled again replaces its waker instead of piling up, and
//! a future dropped unfinished takes its waker out. After each fdatasync the flusher wakes
//! every thread and every waker whose LSN is now durable, all at once. Nothing here depends on
//! an async runtime: any executor's `Waker` works.

use parking_lot::{Condvar, Mutex};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::error::DurableError;
use crate::journal::Shared;
use crate::lsn::Lsn;

/// The threads and futures waiting for an LSN to be durable.
#[derive(Default)]
pub(crate) struct Waiters {
    /// Taken by a sleeping thread around its last check, and by the flusher to notify.
    lock: Mutex<()>,
    condvar: Condvar,
    /// Threads asleep on `condvar`: the flusher skips the lock when there are none.
    sleepers: AtomicUsize,
    /// Wakers of pending futures, keyed by future.
    wakers: Mutex<WakerMap>,
    /// Entries in `wakers`: the flusher skips the lock when there are none.
    waker_count: AtomicUsize,
}

#[derive(Default)]
struct WakerMap {
    next_key: u64,
    entries: HashMap<u64, (u64, Waker)>,
}

impl Waiters {
    /// Blocks until `ready` says yes, re-checking after every wake-up.
    pub(crate) fn block_until(&self, mut ready: impl FnMut() -> bool) {
        let mut guard = self.lock.lock();
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        while !ready() {
            // The timeout is a safety net only: every change that can make `ready` true
            // (durable advancing, the journal failing) notifies under the lock.
            self.condvar
                .wait_for(&mut guard, Duration::from_millis(100));
        }
        self.sleepers.fetch_sub(1, Ordering::SeqCst);
    }

    /// Wakes every waiter whose LSN is at or below `durable`, and every one if `all` (the
    /// journal failed). Called by the flusher after it published the new durable position
    /// (SeqCst), so a waiter that registered too late for this call sees it on its re-check.
    pub(crate) fn wake(&self, durable: u64, all: bool) {
        if self.sleepers.load(Ordering::SeqCst) > 0 {
            let _guard = self.lock.lock();
            self.condvar.notify_all();
        }
        if self.waker_count.load(Ordering::SeqCst) > 0 {
            let mut ready = Vec::new();
            {
                let mut map = self.wakers.lock();
                map.entries.retain(|_, (lsn, waker)| {
                    if all || *lsn <= durable {
                        ready.push(waker.clone());
                        false
                    } else {
                        true
                    }
                });
                self.waker_count.store(map.entries.len(), Ordering::SeqCst);
            }
            // Woken outside the lock: a waker may run its task on this thread.
            for waker in ready {
                waker.wake();
            }
        }
    }

    fn register(&self, key: &mut Option<u64>, lsn: u64, waker: &Waker) {
        let mut map = self.wakers.lock();
        let key = *key.get_or_insert_with(|| {
            map.next_key += 1;
            map.next_key
        });
        match map.entries.get_mut(&key) {
            Some((_, old)) if old.will_wake(waker) => {}
            Some((_, old)) => old.clone_from(waker),
            None => {
                map.entries.insert(key, (lsn, waker.clone()));
            }
        }
        self.waker_count.store(map.entries.len(), Ordering::SeqCst);
    }

    fn unregister(&self, key: u64) {
        let mut map = self.wakers.lock();
        map.entries.remove(&key);
        self.waker_count.store(map.entries.len(), Ordering::SeqCst);
    }
}

/// A future that resolves once every record up to an LSN is durable, or the journal failed:
/// [`Journal::durable`](crate::Journal::durable).
///
/// It works with any executor (tokio, async-std, a hand-written one): it stores the `Waker` it
/// is polled with, and the journal's flusher wakes it after the fdatasync that covers its LSN.
/// Dropping it unfinished is fine.
///
/// # Example
/// ```
/// use fairbook_journal::{Journal, JournalConfig};
/// use std::future::Future;
/// use std::pin::pin;
/// use std::task::{Context, Poll, Waker};
///
/// let dir = tempfile::tempdir()?;
/// let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
/// let lsn = journal.append(b"a booking")?;
/// let mut durable = pin!(journal.durable(lsn));
/// // A real service `.await`s it; here a poll loop shows what the executor does.
/// let mut context = Context::from_waker(Waker::noop());
/// loop {
///     match durable.as_mut().poll(&mut context) {
///         Poll::Ready(result) => break result?,
///         Poll::Pending => std::thread::yield_now(),
///     }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "a future does nothing unless awaited"]
pub struct Durable {
    shared: Arc<Shared>,
    lsn: Lsn,
    key: Option<u64>,
}

impl Durable {
    pub(crate) fn new(shared: Arc<Shared>, lsn: Lsn) -> Durable {
        Durable {
            shared,
            lsn,
            key: None,
        }
    }

    /// The LSN this future waits for.
    pub fn lsn(&self) -> Lsn {
        self.lsn
    }
}

impl Future for Durable {
    type Output = Result<(), DurableError>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some(result) = this.shared.durable_check(this.lsn) {
            return Poll::Ready(result);
        }
        this.shared
            .waiters
            .register(&mut this.key, this.lsn.get(), context.waker());
        // Checked again after registering: the flusher publishes the durable position before
        // it looks at the wakers, so either it saw this waker or this check sees its position.
        match this.shared.durable_check(this.lsn) {
            Some(result) => Poll::Ready(result),
            None => Poll::Pending,
        }
    }
}

impl Drop for Durable {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            self.shared.waiters.unregister(key);
        }
    }
}

impl core::fmt::Debug for Durable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Durable")
            .field("lsn", &self.lsn)
            .finish_non_exhaustive()
    }
}
