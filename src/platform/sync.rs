//! The one door through which the lock-free parts reach atomics.
//!
//! Under `--cfg loom` these names resolve to `loom`'s model-checked types, so that
//! `RUSTFLAGS="--cfg loom" cargo test --release --test loom` explores every interleaving of the
//! join path and the slot counter. In a normal build they are `core`'s atomics. Nothing else in
//! the crate names `core::sync::atomic` directly.

#[cfg(not(loom))]
pub(crate) use core::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, Ordering, fence};

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, Ordering, fence};

/// Waits for another thread to finish a short critical step (publishing a sequence, letting go
/// of a person's busy bit).
///
/// Under loom this yields to the model scheduler, which is what makes spin loops checkable.
#[derive(Default)]
pub(crate) struct Backoff {
    #[cfg(not(loom))]
    inner: crossbeam_utils::Backoff,
}

impl Backoff {
    pub(crate) fn new() -> Backoff {
        Backoff::default()
    }

    /// After a lost compare-and-swap: spin briefly, the winner is already done.
    #[inline]
    pub(crate) fn spin(&self) {
        #[cfg(not(loom))]
        self.inner.spin();
        #[cfg(loom)]
        loom::thread::yield_now();
    }

    /// While waiting on another thread's step: spin, then yield the core.
    #[inline]
    pub(crate) fn snooze(&self) {
        #[cfg(not(loom))]
        self.inner.snooze();
        #[cfg(loom)]
        loom::thread::yield_now();
    }
}

/// The lock of the remembered operations' buckets (`engine/idempotency.rs`): `parking_lot`'s
/// in a normal build. Under loom it is loom's, so that a model sees who holds it: with a lock
/// loom cannot see, its critical sections look independent of everything and loom never
/// tries a second call's lookup between the first call's lookup and its answer (seen: a
/// model of two retries explored 2 orders and missed a double run).
#[cfg(not(loom))]
pub(crate) use parking_lot::Mutex;

/// See the normal build's `Mutex`.
#[cfg(loom)]
pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

#[cfg(loom)]
impl<T> Mutex<T> {
    pub(crate) fn new(value: T) -> Mutex<T> {
        Mutex(loom::sync::Mutex::new(value))
    }

    /// No poisoning, as `parking_lot`'s: a panic while holding it leaves the data as it was.
    pub(crate) fn lock(&self) -> loom::sync::MutexGuard<'_, T> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
