//! The journal's data path against the simplest alternative, in the same run: 2 threads
//! appending 32-byte records, without and with waiting for durability.
//!
//! - `journal`: [`Journal::append`] (lock-free ring, group commit by the flusher thread).
//! - `mutex-bufwriter`: a `Mutex<BufWriter<File>>` taking each record with a length and a
//!   CRC32C, and, when waiting for durability, a flush and one fdatasync per window of records
//!   under the lock (each thread commits its own window).
//!
//! "durable" means each thread appends windows of 1,024 records (a service thread's requests)
//! and acknowledges a window once its last record is durable, with two windows in flight while
//! it appends the next (requests keep arriving while an fdatasync runs: about 6,000 requests in
//! flight in all, what an async service holds at 1 M requests/s and a few milliseconds of
//! fdatasync). The baseline commits each window with its own fdatasync under its lock, its
//! simplest form: nothing can be appended meanwhile. Every record of an iteration (2 × 64
//! windows) is durable when the iteration's time stops. "append" means 2 × 200,000 appends without waiting: the
//! journal's flusher writes and fdatasyncs behind them all along (its backlog is bounded, 8 MiB
//! by default), while the baseline only fills the page cache.
//!
//! After each journal benchmark, one line gives its fdatasyncs per second, records per
//! fdatasync and file bytes per record over the whole run.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fairbook_journal::{Journal, JournalConfig, Lsn};
use parking_lot::Mutex;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

const THREADS: usize = 2;
const PAYLOAD: [u8; 32] = [0x5A; 32];
const APPENDS_PER_THREAD: usize = 200_000;
const WINDOW: usize = 1_024;
const WINDOWS_PER_THREAD: usize = 64;
/// Windows a journal thread appends before it waits for the oldest: requests in flight per
/// thread are `WINDOW` × (this + 1).
const WINDOWS_IN_FLIGHT: usize = 2;

/// Runs `work(thread)` on `THREADS` threads started together; returns the wall time until
/// the last one finished.
fn on_threads(work: impl Fn(usize) + Sync) -> Duration {
    let barrier = Barrier::new(THREADS + 1);
    thread::scope(|scope| {
        for thread in 0..THREADS {
            let (barrier, work) = (&barrier, &work);
            scope.spawn(move || {
                barrier.wait();
                work(thread);
            });
        }
        barrier.wait();
        // The scope joins every thread before it returns this.
        Instant::now()
    })
    .elapsed()
}

struct JournalRun {
    journal: Journal,
    began: Instant,
}

impl JournalRun {
    fn new(dir: &Path) -> JournalRun {
        JournalRun {
            journal: Journal::create(dir, JournalConfig::default(), [0; 32]).unwrap(),
            began: Instant::now(),
        }
    }

    /// Keeps the disk use bounded between iterations (outside the timed part): a snapshot
    /// lets the old segments go.
    fn prune(&self) {
        let lsn = self.journal.appended();
        self.journal.wait_durable(lsn).unwrap();
        self.journal.write_snapshot(lsn, b"bench").unwrap();
    }

    fn report(&self, name: &str) {
        let stats = self.journal.stats();
        let seconds = self.began.elapsed().as_secs_f64();
        eprintln!(
            "{name}: {:.0} fsyncs/s, {:.0} records per fsync (max {}), {:.1} bytes per record, fsync mean {:.0} µs, {} backpressure waits",
            stats.fsyncs as f64 / seconds,
            stats.records_per_fsync(),
            stats.records_per_fsync_max,
            stats.bytes_per_record(),
            stats.fsync_micros_mean(),
            stats.backpressure_waits,
        );
    }
}

/// The simple alternative: one lock around a buffered file.
struct MutexLog {
    file: Mutex<BufWriter<File>>,
}

impl MutexLog {
    fn new(dir: &Path) -> MutexLog {
        let file = File::create(dir.join("baseline.log")).unwrap();
        MutexLog {
            file: Mutex::new(BufWriter::with_capacity(1 << 20, file)),
        }
    }

    fn append(&self, payload: &[u8]) {
        let checksum = crc32c::crc32c(payload);
        let mut file = self.file.lock();
        file.write_all(&(payload.len() as u32).to_le_bytes())
            .unwrap();
        file.write_all(&checksum.to_le_bytes()).unwrap();
        file.write_all(payload).unwrap();
    }

    fn commit(&self) {
        let mut file = self.file.lock();
        file.flush().unwrap();
        file.get_ref().sync_data().unwrap();
    }

    /// Keeps the disk use bounded between iterations (outside the timed part).
    fn prune(&self) {
        let mut file = self.file.lock();
        file.flush().unwrap();
        // The writer's position moves on past the end: a sparse file, no disk used.
        file.get_ref().set_len(0).unwrap();
    }
}

fn append(c: &mut Criterion) {
    let mut group = c.benchmark_group("append");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(6));
    group.throughput(Throughput::Elements((THREADS * APPENDS_PER_THREAD) as u64));

    let dir = tempfile::tempdir().unwrap();
    let run = JournalRun::new(&dir.path().join("journal"));
    group.bench_function("journal", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                total += on_threads(|_| {
                    for _ in 0..APPENDS_PER_THREAD {
                        run.journal.append(&PAYLOAD).unwrap();
                    }
                });
                run.prune();
            }
            total
        })
    });
    run.report("append/journal");
    drop(run);

    let log = MutexLog::new(dir.path());
    group.bench_function("mutex-bufwriter", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                total += on_threads(|_| {
                    for _ in 0..APPENDS_PER_THREAD {
                        log.append(&PAYLOAD);
                    }
                });
                log.prune();
            }
            total
        })
    });
    group.finish();
}

fn durable(c: &mut Criterion) {
    let mut group = c.benchmark_group("durable");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(6));
    group.throughput(Throughput::Elements(
        (THREADS * WINDOWS_PER_THREAD * WINDOW) as u64,
    ));

    let dir = tempfile::tempdir().unwrap();
    let run = JournalRun::new(&dir.path().join("journal"));
    group.bench_function("journal", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                total += on_threads(|_| {
                    let mut in_flight = std::collections::VecDeque::new();
                    for _ in 0..WINDOWS_PER_THREAD {
                        let mut last = Lsn::ZERO;
                        for _ in 0..WINDOW {
                            last = run.journal.append(&PAYLOAD).unwrap();
                        }
                        in_flight.push_back(last);
                        // New requests arrive while earlier windows' fdatasync runs.
                        if in_flight.len() > WINDOWS_IN_FLIGHT {
                            let oldest = in_flight.pop_front().unwrap();
                            run.journal.wait_durable(oldest).unwrap();
                        }
                    }
                    for lsn in in_flight {
                        run.journal.wait_durable(lsn).unwrap();
                    }
                });
                run.prune();
            }
            total
        })
    });
    run.report("durable/journal");
    drop(run);

    let log = MutexLog::new(dir.path());
    group.bench_function("mutex-bufwriter", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                total += on_threads(|_| {
                    for _ in 0..WINDOWS_PER_THREAD {
                        for _ in 0..WINDOW {
                            log.append(&PAYLOAD);
                        }
                        log.commit();
                    }
                });
                log.prune();
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, append, durable);
criterion_main!(benches);
