//! Admission and waiting-room queries on a full waiting room of the reference surge's
//! 1,500,000 people: `advance` (letting the next batch in) and `status` (where a waiting
//! person stands).
//!
//! Run it with `cargo bench --bench admission` (under a minute on a 2-core machine).
//!
//! # Groups
//!
//! - `admission/advance`: `fairbook/N` is one `Engine::advance(now, N)` call for a batch of
//!   `N` people (1,000 and 100,000). Throughput is people admitted per second. Before the
//!   clock starts, an engine is built and all 1.5 M people join in order (untimed); each
//!   measured iteration is one `advance` call, with `now` one millisecond later than the last.
//!   When fewer than `N` people are left waiting, a fresh full room is built, untimed. There
//!   is no baseline: the hand-written rooms have no admission step to compare with.
//! - `admission/status`: `fairbook/T` is `Engine::status` for people drawn uniformly at
//!   random among those still waiting (90% of the room; the first 10% were admitted in two
//!   advances a second apart, so the engine has an admission rate and each answer carries an
//!   exact count of people ahead and an estimated wait), on `T` threads. The baselines
//!   `std-mutex/T`, `parking-lot-mutex/T` and `dashmap/T` answer the same question the way a
//!   service on them would: a repeat join looks up the person's sequence, and the number
//!   ahead is that minus the admitted count. One measured iteration is all 2,097,152 queries,
//!   dealt to the threads in blocks and timed from a barrier's release to the last answer
//!   (see `timing/mod.rs`). Throughput is queries per second.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main,
};
use fairbook::{CohortId, Config, Engine, PersonId, SlotSpec, Status, Timestamp};
use fairbook_bench::baselines;
use fairbook_bench::timing;
use fairbook_lab::rng::Rng;
use fairbook_lab::workload::{self, SurgeSpec};

use baselines::{DashMapRoom, ParkingLotRoom, Room, StdMutexRoom};
use timing::{blocks_for, run_together};

const PEOPLE: u64 = SurgeSpec::REFERENCE_PEOPLE;
const SEED: u64 = SurgeSpec::REFERENCE_SEED;
const COHORT: CohortId = CohortId::new(0);
const OPENING: Timestamp = Timestamp::from_secs(1);
const THREAD_COUNTS: [usize; 2] = [1, 2];
const BATCH_SIZES: [u64; 2] = [1_000, 100_000];
const STATUS_QUERIES: usize = 1 << 21;

/// An engine whose waiting room holds `people`, joined in order at [`OPENING`], so that the
/// person at index `i` holds place `i`.
fn full_room(people: &[PersonId]) -> Engine {
    let engine = Engine::new(Config {
        people_max: people.len() as u64,
        slots_max: 1,
        ..Config::default()
    })
    .expect("the bench's config is valid");
    // One slot with room for everybody, so that the engine is not "sold out" (a state in
    // which `status` answers without an estimated wait).
    let capacity = u32::try_from(people.len()).expect("the bench's people fit a slot");
    engine
        .add_slot(SlotSpec::with_capacity(capacity))
        .expect("the engine has room for one slot");
    for &person in people {
        engine
            .enqueue(person, COHORT, OPENING)
            .expect("the room is sized for everybody");
    }
    engine
}

/// A full room being admitted batch by batch.
struct Admitting {
    engine: Engine,
    waiting: u64,
    now: Timestamp,
}

fn bench_advance(criterion: &mut Criterion, people: &[PersonId]) {
    let mut group = criterion.benchmark_group("admission/advance");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(1));
    for batch in BATCH_SIZES {
        group.throughput(Throughput::Elements(batch));
        group.bench_function(BenchmarkId::new("fairbook", batch), |bencher| {
            let mut room: Option<Admitting> = None;
            bencher.iter_custom(|iters| {
                let mut timed = Duration::ZERO;
                for _ in 0..iters {
                    if room.as_ref().is_none_or(|room| room.waiting < batch) {
                        room = Some(Admitting {
                            engine: full_room(people),
                            waiting: people.len() as u64,
                            now: OPENING,
                        });
                    }
                    let room = room.as_mut().expect("a full room was just built");
                    room.now = room.now.plus_millis(1);
                    let started = Instant::now();
                    let advanced = black_box(room.engine.advance(room.now, batch));
                    timed += started.elapsed();
                    let admitted = advanced.expect("time only moves forward").admitted;
                    assert_eq!(admitted, batch);
                    room.waiting -= batch;
                }
                timed
            });
        });
    }
    group.finish();
}

/// Times one pass of `queries` through `ask`, dealt to `threads` threads.
fn time_queries(queries: &[PersonId], threads: usize, ask: impl Fn(PersonId) + Sync) -> Duration {
    run_together(threads, |thread| {
        for block in blocks_for(queries, thread, threads) {
            for &person in block {
                ask(person);
            }
        }
    })
    .0
}

/// Adds `room_name/T` to the status group: the same queries answered by a baseline room
/// that everybody joined in order.
fn bench_status_of_room<R: Room>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    people: &[PersonId],
    queries: &[PersonId],
    admitted: u64,
    new_room: fn(usize) -> R,
) {
    let room = new_room(people.len());
    for &person in people {
        room.join(person.as_u64());
    }
    for threads in THREAD_COUNTS {
        group.bench_function(BenchmarkId::new(room.name(), threads), |bencher| {
            bencher.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        time_queries(queries, threads, |person| {
                            let sequence = room.join(person.as_u64());
                            black_box(sequence.saturating_sub(admitted));
                        })
                    })
                    .sum()
            });
        });
    }
}

fn bench_status(criterion: &mut Criterion, people: &[PersonId]) {
    let engine = full_room(people);
    let admitted = people.len() as u64 / 10;
    let first_advance = OPENING.plus_millis(1_000);
    let asked_at = first_advance.plus_millis(1_000);
    engine
        .advance(first_advance, admitted / 2)
        .expect("time moves forward");
    engine
        .advance(asked_at, admitted - admitted / 2)
        .expect("time moves forward");

    let mut rng = Rng::new(SEED);
    let waiting = people.len() as u64 - admitted;
    let queries: Vec<PersonId> = (0..STATUS_QUERIES)
        .map(|_| people[(admitted + rng.below(waiting)) as usize])
        .collect();
    let sample = engine.status(queries[0], asked_at);
    assert!(
        matches!(
            sample,
            Ok(Status::Waiting {
                estimated_wait_ms: Some(_),
                ..
            })
        ),
        "queried people are waiting with an estimate, not {sample:?}"
    );

    let mut group = criterion.benchmark_group("admission/status");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(queries.len() as u64));
    for threads in THREAD_COUNTS {
        group.bench_function(BenchmarkId::new("fairbook", threads), |bencher| {
            bencher.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        time_queries(&queries, threads, |person| {
                            let _ = black_box(engine.status(person, asked_at));
                        })
                    })
                    .sum()
            });
        });
    }
    drop(engine);
    bench_status_of_room(
        &mut group,
        people,
        &queries,
        admitted,
        StdMutexRoom::with_capacity,
    );
    bench_status_of_room(
        &mut group,
        people,
        &queries,
        admitted,
        ParkingLotRoom::with_capacity,
    );
    bench_status_of_room(
        &mut group,
        people,
        &queries,
        admitted,
        DashMapRoom::with_capacity,
    );
    group.finish();
}

fn admission(criterion: &mut Criterion) {
    let people = workload::person_ids(PEOPLE, SEED);
    bench_advance(criterion, &people);
    bench_status(criterion, &people);
}

criterion_group!(benches, admission);
criterion_main!(benches);
