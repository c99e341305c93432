//! The timing protocol shared by the benchmarks and the `surge` example: how a workload is
//! dealt out to threads, and what exactly the clock covers.
//!
//! - **Dealing.** A workload (a join stream, a list of people to book for) is cut into blocks
//!   of [`BLOCK_LEN`] items, dealt round-robin: thread `t` of `T` takes blocks `t`, `t + T`,
//!   `t + 2T`, ... All threads therefore move through the workload together, so arrival order
//!   is kept to within a few blocks (a request from the end of the surge is not served while
//!   the start is still being served), and each thread still walks plain slices. Cutting the
//!   workload into `T` contiguous halves was rejected: the second thread would start in the
//!   middle of the surge and sequence late arrivals beside the first ones.
//! - **Timing.** [`run_together`] starts the threads, lets each pass a [`Barrier`], and
//!   reports the wall time from the first thread leaving the barrier to the last one
//!   finishing. Spawning, and whatever a thread does before the barrier, is not timed.

use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

/// Items per dealt block: 4,096 join requests are 32 KiB of person ids, large enough that the
/// inner loop is a long plain slice walk and small enough that threads stay close together.
pub const BLOCK_LEN: usize = 4_096;

/// The blocks of `items` that thread `thread` of `threads` handles, in order.
///
/// # Panics
/// Panics if `threads` is 0.
pub fn blocks_for<T>(items: &[T], thread: usize, threads: usize) -> impl Iterator<Item = &[T]> {
    items.chunks(BLOCK_LEN).skip(thread).step_by(threads)
}

/// Runs `work(thread)` for `thread` in `0..threads` on scoped threads that start together at
/// a barrier. Returns the wall time from the first thread leaving the barrier to the last
/// one finishing its work, and each thread's result, in thread order.
///
/// # Panics
/// Panics if `threads` is 0, or propagates a panic from `work`.
pub fn run_together<R, W>(threads: usize, work: W) -> (Duration, Vec<R>)
where
    R: Send,
    W: Fn(usize) -> R + Sync,
{
    assert!(threads > 0, "at least one thread must do the work");
    let barrier = Barrier::new(threads);
    let timed: Vec<(Instant, Instant, R)> = thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|thread| {
                let (barrier, work) = (&barrier, &work);
                scope.spawn(move || {
                    barrier.wait();
                    let started = Instant::now();
                    let result = work(thread);
                    (started, Instant::now(), result)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let first_start = timed.iter().map(|&(started, _, _)| started).min();
    let last_end = timed.iter().map(|&(_, ended, _)| ended).max();
    let elapsed = match (first_start, last_end) {
        (Some(first_start), Some(last_end)) => last_end.duration_since(first_start),
        _ => Duration::ZERO,
    };
    (
        elapsed,
        timed.into_iter().map(|(_, _, result)| result).collect(),
    )
}
