//! Joins per second under the reference surge: every request of a 10,000,000-join stream from
//! 1,500,000 people goes through one `join` call, on 1 and 2 threads, for the engine and for
//! the hand-written waiting rooms a service would otherwise use.
//!
//! Run it with `cargo bench --bench enqueue` (about two minutes on a 2-core machine).
//!
//! # Groups
//!
//! - `enqueue/uniform`: [`SurgeSpec::reference`], each request from a person drawn uniformly.
//! - `enqueue/zipf`: the same size, but everybody joins once and the other 8.5 M requests are
//!   retries whose sender follows a Zipf law with exponent 0.99 (a few people hammer).
//!
//! Each group holds `fairbook/T` (one `enqueue` call per request), `fairbook-batch/T` (one
//! `enqueue_batch` call per dealt block of 4,096 requests), `lockfree/T` (the bare
//! lock-free room of `fairbook_bench::lockfree`, which does less than the engine: the design
//! to beat), `lockfree-tuned/T` (the same on 2 MiB pages, one prefetching `join_batch` per
//! dealt block: the batched form's rival), `std-mutex/T`, `parking-lot-mutex/T` and
//! `dashmap/T` for `T` threads. The reported throughput is join requests per second.
//!
//! # What is timed
//!
//! One measured iteration is the whole stream. Before the clock starts, a fresh engine (or
//! room) is built, sized for the spec's 1,500,000 people, and the threads are spawned and
//! wait at a barrier. The clock runs from the barrier's release to the last thread's last
//! join; the stream is dealt to the threads in blocks (see `fairbook_bench::timing`), and each thread
//! does nothing but walk its blocks and call `join`. After the clock stops, the bench checks
//! that exactly the stream's distinct people got places, then drops the engine (untimed).
//!
//! The engine is called as a service would call it: `Engine::enqueue(person, cohort, now)`
//! with one always-open cohort and a constant `now` of one second.
//!
//! A sample is one measured iteration, and a baseline needs up to two seconds for one, so
//! criterion warns that it cannot fit ten samples in the three-second target for them and
//! takes longer: that is expected, and cheaper than a target long enough for the slowest.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use fairbook::{CohortId, Config, Engine, EnqueueError, PersonId, Timestamp};
use fairbook_bench::baselines;
use fairbook_bench::timing;
use fairbook_lab::workload::{self, JoinSkew, SurgeSpec};

use baselines::{DashMapRoom, ParkingLotRoom, Room, StdMutexRoom};
use fairbook_bench::lockfree::LockFreeRoom;
use timing::{blocks_for, run_together};

const THREAD_COUNTS: [usize; 2] = [1, 2];
const COHORT: CohortId = CohortId::new(0);
const NOW: Timestamp = Timestamp::from_secs(1);

/// The Zipf exponent of the skewed surge.
const ZIPF_EXPONENT: f64 = 0.99;

/// One surge as the bench sees it: the stream and what the check after each run expects.
struct Surge {
    name: &'static str,
    spec: SurgeSpec,
    stream: Vec<PersonId>,
    /// The stream as `enqueue_batch` takes it.
    requests: Vec<(PersonId, CohortId)>,
    /// The stream as the lock-free baseline's `join_batch` takes it.
    ids: Vec<u64>,
    distinct_people: u64,
}

impl Surge {
    fn new(name: &'static str, spec: SurgeSpec) -> Surge {
        let stream = workload::join_stream(&spec);
        let distinct_people = workload::distinct_count(&stream);
        let requests = stream.iter().map(|&person| (person, COHORT)).collect();
        let ids = stream.iter().map(|person| person.as_u64()).collect();
        Surge {
            name,
            spec,
            stream,
            requests,
            ids,
            distinct_people,
        }
    }

    fn people_capacity(&self) -> usize {
        usize::try_from(self.spec.people).expect("the surge's people fit in memory")
    }
}

/// One pass of the stream through a fresh engine; returns the timed part.
fn time_engine(surge: &Surge, threads: usize) -> Duration {
    let engine = Engine::new(Config {
        people_max: surge.spec.people,
        ..Config::default()
    })
    .expect("the bench's config is valid");
    let (elapsed, _) = run_together(threads, |thread| {
        for block in blocks_for(&surge.stream, thread, threads) {
            for &person in block {
                let _ = black_box(engine.enqueue(person, COHORT, NOW));
            }
        }
    });
    // Every distinct person got exactly one place, so no join failed: a repeat join can only
    // fail if the person's first one did.
    assert_eq!(engine.stats().places_handed_out, surge.distinct_people);
    elapsed
}

/// One pass of the stream through a fresh engine with `Engine::enqueue_batch`, one call per
/// dealt block (the request arrays are built before the clock starts); returns the timed part.
fn time_engine_batched(surge: &Surge, threads: usize) -> Duration {
    let engine = Engine::new(Config {
        people_max: surge.spec.people,
        ..Config::default()
    })
    .expect("the bench's config is valid");
    let (elapsed, _) = run_together(threads, |thread| {
        let mut results = vec![Err(EnqueueError::InvalidPerson); timing::BLOCK_LEN];
        for block in blocks_for(&surge.requests, thread, threads) {
            black_box(engine.enqueue_batch(block, NOW, &mut results));
        }
    });
    assert_eq!(engine.stats().places_handed_out, surge.distinct_people);
    elapsed
}

/// One pass of the stream through a fresh baseline room; returns the timed part.
fn time_room<R: Room>(surge: &Surge, threads: usize, new_room: fn(usize) -> R) -> Duration {
    let room = new_room(surge.people_capacity());
    let (elapsed, _) = run_together(threads, |thread| {
        for block in blocks_for(&surge.stream, thread, threads) {
            for &person in block {
                black_box(room.join(person.as_u64()));
            }
        }
    });
    assert_eq!(room.people_joined(), surge.distinct_people);
    elapsed
}

/// One pass of the stream through a fresh tuned lock-free room (2 MiB pages, prefetching
/// `join_batch` per dealt block, as `enqueue_batch` is called); returns the timed part.
fn time_lockfree_tuned(surge: &Surge, threads: usize) -> Duration {
    let room = LockFreeRoom::with_capacity_huge(surge.people_capacity());
    let (elapsed, _) = run_together(threads, |thread| {
        let mut sequences = vec![0; timing::BLOCK_LEN];
        for block in blocks_for(&surge.ids, thread, threads) {
            room.join_batch(block, &mut sequences[..block.len()]);
            black_box(&sequences);
        }
    });
    assert_eq!(room.people_joined(), surge.distinct_people);
    elapsed
}

fn bench_surge(criterion: &mut Criterion, surge: &Surge) {
    let mut group = criterion.benchmark_group(format!("enqueue/{}", surge.name));
    // A measured iteration is a whole surge (from 0.1 s to 2 s), so few and flat samples.
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(surge.stream.len() as u64));

    for threads in THREAD_COUNTS {
        group.bench_function(BenchmarkId::new("fairbook", threads), |bencher| {
            bencher.iter_custom(|iters| (0..iters).map(|_| time_engine(surge, threads)).sum());
        });
        group.bench_function(BenchmarkId::new("fairbook-batch", threads), |bencher| {
            bencher.iter_custom(|iters| {
                (0..iters)
                    .map(|_| time_engine_batched(surge, threads))
                    .sum()
            });
        });
        group.bench_function(BenchmarkId::new("lockfree", threads), |bencher| {
            bencher.iter_custom(|iters| {
                (0..iters)
                    .map(|_| time_room(surge, threads, LockFreeRoom::with_capacity))
                    .sum()
            });
        });
        group.bench_function(BenchmarkId::new("lockfree-tuned", threads), |bencher| {
            bencher.iter_custom(|iters| {
                (0..iters)
                    .map(|_| time_lockfree_tuned(surge, threads))
                    .sum()
            });
        });
        group.bench_function(BenchmarkId::new("std-mutex", threads), |bencher| {
            bencher.iter_custom(|iters| {
                (0..iters)
                    .map(|_| time_room(surge, threads, StdMutexRoom::with_capacity))
                    .sum()
            });
        });
        group.bench_function(BenchmarkId::new("parking-lot-mutex", threads), |bencher| {
            bencher.iter_custom(|iters| {
                (0..iters)
                    .map(|_| time_room(surge, threads, ParkingLotRoom::with_capacity))
                    .sum()
            });
        });
        group.bench_function(BenchmarkId::new("dashmap", threads), |bencher| {
            bencher.iter_custom(|iters| {
                (0..iters)
                    .map(|_| time_room(surge, threads, DashMapRoom::with_capacity))
                    .sum()
            });
        });
    }
    group.finish();
}

fn enqueue(criterion: &mut Criterion) {
    let uniform = Surge::new("uniform", SurgeSpec::reference());
    bench_surge(criterion, &uniform);
    drop(uniform);

    let zipf = Surge::new(
        "zipf",
        SurgeSpec {
            skew: JoinSkew::Zipf {
                exponent: ZIPF_EXPONENT,
            },
            ..SurgeSpec::reference()
        },
    );
    bench_surge(criterion, &zipf);
}

criterion_group!(benches, enqueue);
criterion_main!(benches);
