//! Many threads at once: order, backpressure, group commit, and futures under a hand-written
//! executor.

use fairbook_journal::{Journal, JournalConfig, Lsn};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

const FINGERPRINT: [u8; 32] = [5; 32];

#[test]
fn many_threads_through_a_tiny_backlog_lose_nothing_and_keep_their_order() {
    let dir = tempfile::tempdir().unwrap();
    // A 4 KiB ring holds 85 records of 32 bytes: appends wait for the flusher all the time.
    let config = JournalConfig {
        backlog_bytes_max: 4 << 10,
        segment_bytes_max: 64 << 10,
        record_bytes_max: 64,
        ..JournalConfig::default()
    };
    let journal = Arc::new(Journal::create(dir.path(), config.clone(), FINGERPRINT).unwrap());
    const THREADS: u32 = 4;
    const PER_THREAD: u32 = 5_000;
    let workers: Vec<_> = (0..THREADS)
        .map(|thread| {
            let journal = Arc::clone(&journal);
            thread::spawn(move || {
                let mut last = Lsn::ZERO;
                for i in 0..PER_THREAD {
                    let mut record = [0u8; 32];
                    record[..4].copy_from_slice(&thread.to_le_bytes());
                    record[4..8].copy_from_slice(&i.to_le_bytes());
                    let lsn = journal.append(&record).unwrap();
                    assert!(lsn > last, "a thread's LSNs increase");
                    last = lsn;
                }
                journal.wait_durable(last).unwrap();
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let stats = journal.stats();
    assert_eq!(stats.records_written, u64::from(THREADS * PER_THREAD));
    assert!(stats.backpressure_waits > 0, "{stats:?}");
    assert!(stats.segments_created > 0, "{stats:?}");
    Arc::into_inner(journal).unwrap().close().unwrap();

    let (_journal, recovery) = Journal::open(dir.path(), config, FINGERPRINT).unwrap();
    let mut next = [0u32; THREADS as usize];
    let mut last = Lsn::ZERO;
    for record in recovery.records() {
        assert!(record.lsn > last);
        last = record.lsn;
        let thread = u32::from_le_bytes(record.payload[..4].try_into().unwrap()) as usize;
        let i = u32::from_le_bytes(record.payload[4..8].try_into().unwrap());
        assert_eq!(
            i, next[thread],
            "thread {thread}'s records in order, none missing"
        );
        next[thread] += 1;
    }
    assert_eq!(next, [PER_THREAD; THREADS as usize]);
}

#[test]
fn one_fdatasync_covers_many_waiting_threads() {
    let dir = tempfile::tempdir().unwrap();
    let journal =
        Arc::new(Journal::create(dir.path(), JournalConfig::default(), FINGERPRINT).unwrap());
    const THREADS: usize = 16;
    const PER_THREAD: usize = 50;
    let workers: Vec<_> = (0..THREADS)
        .map(|thread| {
            let journal = Arc::clone(&journal);
            thread::spawn(move || {
                for i in 0..PER_THREAD {
                    let lsn = journal.append(&[thread as u8, i as u8]).unwrap();
                    journal.wait_durable(lsn).unwrap();
                    assert!(journal.durable_lsn() >= lsn);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let stats = journal.stats();
    assert_eq!(stats.records_written, (THREADS * PER_THREAD) as u64);
    // Each thread waits for every record, so without group commit there would be one
    // fdatasync per record; with it, waiting threads share them.
    assert!(
        stats.fsyncs < (THREADS * PER_THREAD) as u64,
        "{} fsyncs for {} records",
        stats.fsyncs,
        THREADS * PER_THREAD
    );
    assert!(stats.records_per_fsync_max > 1, "{stats:?}");
}

/// A one-future executor: parks the thread until the waker unparks it.
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut context = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        thread::park();
    }
}

/// Resolves when every future resolved: many requests of one task awaiting at once.
struct JoinAll<F: Future>(Vec<Option<Pin<Box<F>>>>);

impl<F: Future> Future for JoinAll<F> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<()> {
        let mut pending = false;
        for slot in self.0.iter_mut() {
            if let Some(future) = slot {
                if future.as_mut().poll(context).is_ready() {
                    *slot = None;
                } else {
                    pending = true;
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}

#[test]
fn futures_resolve_under_a_plain_executor_and_can_be_dropped_unfinished() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::create(dir.path(), JournalConfig::default(), FINGERPRINT).unwrap();
    for round in 0..20u8 {
        let lsns: Vec<Lsn> = (0..100u8)
            .map(|i| journal.append(&[round, i]).unwrap())
            .collect();
        // Dropped before they resolve: their wakers leave with them.
        let early: Vec<_> = lsns.iter().map(|&lsn| journal.durable(lsn)).collect();
        drop(early);
        let futures = lsns
            .iter()
            .map(|&lsn| {
                let future = journal.durable(lsn);
                Some(Box::pin(async move { future.await.unwrap() }))
            })
            .collect();
        block_on(JoinAll(futures));
        assert!(journal.durable_lsn() >= *lsns.last().unwrap());
    }
    assert_eq!(journal.stats().records_written, 2_000);
}
