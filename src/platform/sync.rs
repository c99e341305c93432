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
