//! [`StripedCounter`]: a count that many threads change often and few read, split over
//! cache lines so that the writers do not fight over one.
//!
//! The engine keeps a running count that the booking path changes: admitted people who have
//! not booked yet (every first booking decrements it). As a single atomic, each `reserve`
//! moved its line from the other core: measured on the reference surge, about a quarter of the
//! `reserve` profile sat just after the locked instructions on the shared counts. Here each
//! thread adds to its own stripe, and a reader sums the stripes (a snapshot, like any
//! concurrent count; after every change has happened, it is exact).
//!
//! A thread picks its stripe once, round-robin, the first time it touches any counter; stripe
//! values may go below zero (one thread admits, another books) and are summed with wrapping
//! arithmetic, which gives the true total.

use std::cell::Cell;

use crossbeam_utils::CachePadded;

use super::sync::{AtomicU64, Ordering};

/// Stripes per counter: enough for a service's worker threads to rarely share one.
pub(crate) const STRIPES: usize = 8;

pub(crate) struct StripedCounter {
    stripes: [CachePadded<AtomicU64>; STRIPES],
}

thread_local! {
    static STRIPE: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// The calling thread's stripe, assigned round-robin on first use.
#[inline]
pub(crate) fn stripe_index() -> usize {
    STRIPE.with(|stripe| {
        let index = stripe.get();
        if index != usize::MAX {
            return index;
        }
        // A plain std atomic, not one from `sync`: which stripe a thread uses is no part of any
        // protocol (every stripe is summed), and a `static` needs a const constructor, which
        // loom's atomics lack.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let index = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % STRIPES;
        stripe.set(index);
        index
    })
}

impl StripedCounter {
    pub(crate) fn new() -> StripedCounter {
        StripedCounter {
            stripes: core::array::from_fn(|_| CachePadded::new(AtomicU64::new(0))),
        }
    }

    /// Adds `amount` (which may be negative) at once.
    #[inline]
    pub(crate) fn add(&self, amount: i64) {
        self.stripes[stripe_index()].fetch_add(amount as u64, Ordering::AcqRel);
    }

    #[inline]
    pub(crate) fn decrement(&self) {
        self.stripes[stripe_index()].fetch_sub(1, Ordering::AcqRel);
    }

    /// The total, as a signed number: under concurrency it may be read between an increment
    /// and the matching decrement on another stripe, and dip below its true value for an
    /// instant.
    pub(crate) fn sum(&self) -> i64 {
        self.stripes.iter().fold(0u64, |sum, stripe| {
            sum.wrapping_add(stripe.load(Ordering::Acquire))
        }) as i64
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn threads_changing_different_stripes_sum_to_the_total() {
        let counter = StripedCounter::new();
        std::thread::scope(|scope| {
            scope.spawn(|| (0..1_000).for_each(|_| counter.add(1)));
            scope.spawn(|| (0..400).for_each(|_| counter.decrement()));
        });
        assert_eq!(counter.sum(), 600);
    }
}
