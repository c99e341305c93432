//! Bookings per second on the reference clinic inventory (14,000 sites × 14 days × 8
//! windows, 1,650,000 places) for the reference surge's 1,500,000 people, all admitted: the
//! engine's `reserve` (and `release_booking`) beside a slot map behind one mutex.
//!
//! Run it with `cargo bench --bench reserve` (about a minute on a 2-core machine).
//!
//! # Groups
//!
//! Each group holds `fairbook/T` and `mutex-inventory/T` for `T` threads (1 and 2). Work is
//! dealt to the threads in blocks and timed from a barrier's release to the last call (see
//! `fairbook_bench::timing`); throughput is `reserve` calls per second.
//!
//! - `reserve/spread`: every person makes one `Engine::reserve(person, &[slot], now)` call
//!   for one slot drawn uniformly from the whole inventory. Before the clock starts (untimed),
//!   each measured iteration builds a fresh engine, adds every slot, and lets everybody join
//!   and be admitted with an hour-long lease; the clock covers the 1.5 M `reserve` calls and
//!   nothing else. Calls that find their slot full (about a third) count: they are part of
//!   the surge. `fairbook-ticket` makes the same calls through
//!   `Engine::reserve_with_ticket`, passing the place each person got from `enqueue`. The
//!   baseline makes one `MutexInventory::reserve(slot)` call per person on a freshly filled
//!   inventory.
//! - `reserve/ranked`: the same, with five ranked choices per person drawn from
//!   [`Demand::preferences`] (evenings, weekends and busy districts first); the engine books
//!   the first with room, the baseline's `reserve_first` likewise under its one lock.
//!   `fairbook-batch` makes the same requests through one `Engine::reserve_batch` call per
//!   dealt block of 4,096 (prefetching ahead), with exactly the answers of the per-call form.
//! - `reserve/churn`: steady state. One engine (or inventory) is built once; each measured
//!   operation is a `reserve` of one uniformly drawn slot followed, if it booked, by a
//!   `release_booking` of that slot for the same person (the baseline: `reserve` then
//!   `release`). Capacity and bookings are back where they were after every operation, so
//!   iterations repeat without a rebuild. Throughput counts reserve–release pairs.
//! - `reserve/hot-slot`: 100,000 admitted people all call `reserve` for the same slot, which
//!   has 1,000 places. Setup as for `spread`, with that one slot only. After the clock stops,
//!   the bench asserts that exactly 1,000 calls booked and the slot holds exactly 1,000.
//!
//! - `reserve/flows`: the service-grade flows beside plain `reserve`, on the reference
//!   inventory with a subset of the people: the first 150,000 requests of `spread` (one
//!   person, one uniformly drawn slot). Every variant runs on a fresh engine configured the
//!   same way (holds and dose series on, two bookings per person) and built before the clock
//!   starts: every slot added, everybody joined and admitted. Throughput counts requests.
//!   - `reserve`: one `reserve(person, &[slot])` call per request;
//!   - `hold-confirm`: `hold(person, &[slot], ttl)` and, if it took the seat,
//!     `confirm(person, slot)`;
//!   - `rebook`: before the clock, each person books their slot (requests whose slot was
//!     full are dropped, untimed); timed, one `rebook(person, slot, &[other])` to a second
//!     uniformly drawn slot;
//!   - `series`: one `book_series(person, &[(first, second)])` of a two-leg pair: the
//!     request's slot moved to days 0–6 as leg 1, and the same site and window seven days
//!     later as leg 2;
//!   - `mutex-inventory`: one `MutexInventory::reserve(slot)` per request on a freshly filled
//!     inventory.
//!
//!   Throughput counts all 150,000 requests for every variant; `rebook` times only the
//!   requests left after its setup and `series` only those with a pair, so compare those two
//!   by time per iteration with that in mind.
//!
//! The engine is sized for everybody (`people_max` 1,500,000, `slots_max` the inventory) with
//! one booking per person, the default.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main,
};
use fairbook::{
    CohortId, Config, Engine, PersonId, ReserveError, ReserveRequest, Seq, SlotId, SlotSpec,
    Timestamp,
};
use fairbook_bench::baselines;
use fairbook_bench::timing;
use fairbook_lab::rng::Rng;
use fairbook_lab::workload::{self, Demand, InventorySpec, SurgeSpec};

use baselines::MutexInventory;
use timing::{blocks_for, run_together};

const PEOPLE: u64 = SurgeSpec::REFERENCE_PEOPLE;
const SEED: u64 = SurgeSpec::REFERENCE_SEED;
const COHORT: CohortId = CohortId::new(0);
const OPENING: Timestamp = Timestamp::from_secs(1);
/// Long enough that no lease runs out while the bench runs, whatever `now` it passes.
const LEASE_MS: u64 = 60 * 60 * 1_000;
const THREAD_COUNTS: [usize; 2] = [1, 2];
const CHOICES: usize = 5;
const HOT_PEOPLE: u64 = 100_000;
const HOT_CAPACITY: u32 = 1_000;
const FLOWS_PEOPLE: usize = 150_000;
const SERIES_GAP_DAYS: u16 = 7;

/// Everything the groups share: the people, the inventory and what each person asks for.
struct Workload {
    slots: Vec<SlotSpec>,
    /// One person and one uniformly drawn slot per request.
    single: Vec<(PersonId, SlotId)>,
    /// One person and five ranked choices per request.
    ranked: Vec<(PersonId, [SlotId; CHOICES])>,
}

impl Workload {
    fn reference() -> Workload {
        let inventory = InventorySpec::reference(PEOPLE);
        let slots = workload::slots(&inventory);
        let people = workload::person_ids(PEOPLE, SEED);
        let demand = Demand::new(&inventory);
        let mut rng = Rng::new(SEED);
        let single = people
            .iter()
            .map(|&person| (person, SlotId::new(rng.below(slots.len() as u64) as u32)))
            .collect();
        let ranked = people
            .iter()
            .map(|&person| {
                let mut choices = [SlotId::new(0); CHOICES];
                demand.preferences(&mut rng, &mut choices);
                (person, choices)
            })
            .collect();
        Workload {
            slots,
            single,
            ranked,
        }
    }
}

/// An engine holding `slots`, with `people` joined and admitted: ready for `reserve`.
fn admitted_engine(people: impl ExactSizeIterator<Item = PersonId>, slots: &[SlotSpec]) -> Engine {
    let engine = Engine::new(Config {
        people_max: people.len() as u64,
        slots_max: u32::try_from(slots.len()).expect("the inventory fits slot ids"),
        lease_ms: LEASE_MS,
        ..Config::default()
    })
    .expect("the bench's config is valid");
    for &slot in slots {
        engine
            .add_slot(slot)
            .expect("the engine is sized for every slot");
    }
    let mut joined = 0;
    for person in people {
        engine
            .enqueue(person, COHORT, OPENING)
            .expect("the engine is sized for everybody");
        joined += 1;
    }
    let advanced = engine.advance(OPENING, joined).expect("time stands still");
    assert_eq!(advanced.admitted, joined);
    engine
}

/// An inventory holding `slots`, slot `i` under key `i`.
fn filled_inventory(slots: &[SlotSpec]) -> MutexInventory {
    let inventory = MutexInventory::with_capacity(slots.len());
    for (key, slot) in (0u32..).zip(slots) {
        inventory.add_slot(key, slot.capacity);
    }
    inventory
}

/// Runs `book` for every request, dealt to `threads` threads; returns the timed part and how
/// many calls booked.
fn time_bookings<T: Sync>(
    requests: &[T],
    threads: usize,
    book: impl Fn(&T) -> bool + Sync,
) -> (Duration, u64) {
    let (elapsed, booked) = run_together(threads, |thread| {
        let mut booked = 0u64;
        for block in blocks_for(requests, thread, threads) {
            for request in block {
                booked += u64::from(book(request));
            }
        }
        booked
    });
    (elapsed, booked.iter().sum())
}

/// Benches `round` as `name/threads`, one round a measured iteration. A round returns only its
/// timed part, so that building its engine or inventory and checking what it booked stay out
/// of the measurement.
fn bench_rounds(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    threads: usize,
    mut round: impl FnMut() -> Duration,
) {
    group.bench_function(BenchmarkId::new(name, threads), |bencher| {
        bencher.iter_custom(|iters| (0..iters).map(|_| round()).sum());
    });
}

/// Sampling for groups whose measured iteration books for `elements` requests.
fn configure(group: &mut BenchmarkGroup<'_, WallTime>, elements: usize) {
    // A measured iteration books for up to 1.5 M people after a setup of a few tenths of a
    // second, so few and flat samples.
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(elements as u64));
}

/// `reserve/spread`: one uniformly drawn slot per person, on a fresh engine or inventory.
fn bench_spread(criterion: &mut Criterion, workload: &Workload) {
    let mut group = criterion.benchmark_group("reserve/spread");
    configure(&mut group, workload.single.len());
    let people = || workload.single.iter().map(|&(person, _)| person);
    // `admitted_engine` enqueues the people in this order and they are distinct, so request
    // `i`'s person holds place `i`: the ticket a service would have kept from `enqueue`.
    let ticketed: Vec<(PersonId, SlotId, Seq)> = (0u64..)
        .zip(&workload.single)
        .map(|(place, &(person, slot))| (person, slot, Seq::new(place)))
        .collect();
    for threads in THREAD_COUNTS {
        bench_rounds(&mut group, "fairbook", threads, || {
            let engine = admitted_engine(people(), &workload.slots);
            let (elapsed, booked) = time_bookings(&workload.single, threads, |&(person, slot)| {
                black_box(engine.reserve(person, &[slot], OPENING)).is_ok()
            });
            assert!(booked > 0);
            elapsed
        });
        bench_rounds(&mut group, "fairbook-ticket", threads, || {
            let engine = admitted_engine(people(), &workload.slots);
            let (elapsed, booked) = time_bookings(&ticketed, threads, |&(person, slot, ticket)| {
                black_box(engine.reserve_with_ticket(person, ticket, &[slot], OPENING)).is_ok()
            });
            assert!(booked > 0);
            elapsed
        });
        bench_rounds(&mut group, "mutex-inventory", threads, || {
            let inventory = filled_inventory(&workload.slots);
            let (elapsed, booked) = time_bookings(&workload.single, threads, |&(_, slot)| {
                black_box(inventory.reserve(slot.as_u32()))
            });
            assert!(booked > 0);
            elapsed
        });
    }
    group.finish();
}

/// `reserve/ranked`: five ranked choices per person, on a fresh engine or inventory.
fn bench_ranked(criterion: &mut Criterion, workload: &Workload) {
    let mut group = criterion.benchmark_group("reserve/ranked");
    configure(&mut group, workload.ranked.len());
    let people = || workload.ranked.iter().map(|&(person, _)| person);
    let ranked_keys: Vec<[u32; CHOICES]> = workload
        .ranked
        .iter()
        .map(|(_, choices)| choices.map(SlotId::as_u32))
        .collect();
    // `reserve_batch` takes its requests by block, built before any clock starts.
    let ranked_requests: Vec<ReserveRequest<'_>> = workload
        .ranked
        .iter()
        .map(|(person, choices)| ReserveRequest {
            person: *person,
            ticket: None,
            choices,
        })
        .collect();
    for threads in THREAD_COUNTS {
        bench_rounds(&mut group, "fairbook", threads, || {
            let engine = admitted_engine(people(), &workload.slots);
            let (elapsed, booked) =
                time_bookings(&workload.ranked, threads, |(person, choices)| {
                    black_box(engine.reserve(*person, choices, OPENING)).is_ok()
                });
            assert!(booked > 0);
            elapsed
        });
        bench_rounds(&mut group, "fairbook-batch", threads, || {
            let engine = admitted_engine(people(), &workload.slots);
            let (elapsed, booked) = run_together(threads, |thread| {
                let mut results = vec![Err(ReserveError::EmptyChoice); timing::BLOCK_LEN];
                let mut booked = 0u64;
                for block in blocks_for(&ranked_requests, thread, threads) {
                    let results = &mut results[..block.len()];
                    black_box(engine.reserve_batch(block, OPENING, results));
                    booked += results.iter().filter(|result| result.is_ok()).count() as u64;
                }
                booked
            });
            assert!(booked.iter().sum::<u64>() > 0);
            elapsed
        });
        bench_rounds(&mut group, "mutex-inventory", threads, || {
            let inventory = filled_inventory(&workload.slots);
            let (elapsed, booked) = time_bookings(&ranked_keys, threads, |choices| {
                black_box(inventory.reserve_first(choices)).is_some()
            });
            assert!(booked > 0);
            elapsed
        });
    }
    group.finish();
}

/// `reserve/churn`: a reserve and, if it booked, a release, on one long-lived engine or
/// inventory.
fn bench_churn(criterion: &mut Criterion, workload: &Workload) {
    let mut group = criterion.benchmark_group("reserve/churn");
    configure(&mut group, workload.single.len());
    let engine = admitted_engine(
        workload.single.iter().map(|&(person, _)| person),
        &workload.slots,
    );
    let inventory = filled_inventory(&workload.slots);
    for threads in THREAD_COUNTS {
        bench_rounds(&mut group, "fairbook", threads, || {
            let (elapsed, booked) = time_bookings(&workload.single, threads, |&(person, slot)| {
                let booked = engine.reserve(person, &[slot], OPENING).is_ok();
                if booked {
                    engine
                        .release_booking(person, slot, OPENING)
                        .expect("the person holds the slot just booked");
                }
                booked
            });
            assert!(booked > 0);
            elapsed
        });
        bench_rounds(&mut group, "mutex-inventory", threads, || {
            let (elapsed, booked) = time_bookings(&workload.single, threads, |&(_, slot)| {
                let booked = inventory.reserve(slot.as_u32());
                if booked {
                    assert!(inventory.release(slot.as_u32()));
                }
                booked
            });
            assert!(booked > 0);
            elapsed
        });
    }
    assert!(engine.audit().is_ok(), "{}", engine.audit());
    group.finish();
}

/// `reserve/hot-slot`: everybody after the one slot, which has room for one in a hundred.
fn bench_hot_slot(criterion: &mut Criterion, workload: &Workload) {
    let mut group = criterion.benchmark_group("reserve/hot-slot");
    let people: Vec<PersonId> = workload
        .single
        .iter()
        .take(HOT_PEOPLE as usize)
        .map(|&(person, _)| person)
        .collect();
    configure(&mut group, people.len());
    let hot = [SlotSpec::with_capacity(HOT_CAPACITY)];
    let hot_id = SlotId::new(0);
    for threads in THREAD_COUNTS {
        bench_rounds(&mut group, "fairbook", threads, || {
            let engine = admitted_engine(people.iter().copied(), &hot);
            let (elapsed, booked) = time_bookings(&people, threads, |&person| {
                black_box(engine.reserve(person, &[hot_id], OPENING)).is_ok()
            });
            assert_eq!(booked, u64::from(HOT_CAPACITY));
            let view = engine.slot(hot_id).expect("the hot slot exists");
            assert_eq!(view.booked, HOT_CAPACITY);
            elapsed
        });
        bench_rounds(&mut group, "mutex-inventory", threads, || {
            let inventory = filled_inventory(&hot);
            let (elapsed, booked) = time_bookings(&people, threads, |_| {
                black_box(inventory.reserve(hot_id.as_u32()))
            });
            assert_eq!(booked, u64::from(HOT_CAPACITY));
            assert_eq!(inventory.booked(hot_id.as_u32()), Some(HOT_CAPACITY));
            elapsed
        });
    }
    group.finish();
}

/// An engine for `reserve/flows`: holds and dose series on, two bookings per person; every
/// slot added, `people` joined and admitted.
fn flows_engine(people: impl ExactSizeIterator<Item = PersonId>, slots: &[SlotSpec]) -> Engine {
    let engine = Engine::new(Config {
        people_max: people.len() as u64,
        slots_max: u32::try_from(slots.len()).expect("the inventory fits slot ids"),
        lease_ms: LEASE_MS,
        bookings_per_person_max: 2,
        holds_max: u32::try_from(people.len()).expect("the subset fits"),
        holds_per_person_max: 1,
        hold_ttl_max_ms: LEASE_MS,
        series_gap_days_min: SERIES_GAP_DAYS,
        series_gap_days_max: SERIES_GAP_DAYS,
        // Holds and series do not meet standby yet (`ConfigError::HoldsWithStandby`).
        standby_max: 0,
        ..Config::default()
    })
    .expect("the bench's config is valid");
    for &slot in slots {
        engine
            .add_slot(slot)
            .expect("the engine is sized for every slot");
    }
    let mut joined = 0;
    for person in people {
        engine
            .enqueue(person, COHORT, OPENING)
            .expect("the engine is sized for everybody");
        joined += 1;
    }
    let advanced = engine.advance(OPENING, joined).expect("time stands still");
    assert_eq!(advanced.admitted, joined);
    engine
}

/// `reserve/flows`: hold + confirm, rebook and a two-leg series beside plain `reserve` and
/// the mutex inventory, each on a fresh engine or inventory.
fn bench_flows(criterion: &mut Criterion, workload: &Workload) {
    let mut group = criterion.benchmark_group("reserve/flows");
    let requests = &workload.single[..FLOWS_PEOPLE.min(workload.single.len())];
    configure(&mut group, requests.len());
    let people = || requests.iter().map(|&(person, _)| person);
    let mut rng = Rng::new(SEED ^ 0xF10);
    let slot_count = workload.slots.len() as u64;
    let rebooks: Vec<(PersonId, SlotId, SlotId)> = requests
        .iter()
        .map(|&(person, slot)| {
            let mut other = SlotId::new(rng.below(slot_count) as u32);
            if other == slot {
                other = SlotId::new((slot.as_u32() + 1) % slot_count as u32);
            }
            (person, slot, other)
        })
        .collect();
    // Leg 2 of each pair: the same site and window, `SERIES_GAP_DAYS` later.
    let at: std::collections::HashMap<(u32, u16, u8), SlotId> = (0u32..)
        .zip(&workload.slots)
        .map(|(id, spec)| {
            let key = (spec.site.as_u32(), spec.day.as_u16(), spec.window.as_u8());
            (key, SlotId::new(id))
        })
        .collect();
    let series: Vec<(PersonId, [(SlotId, SlotId); 1])> = requests
        .iter()
        .filter_map(|&(person, slot)| {
            let spec = workload.slots[slot.as_index()];
            let (site, window) = (spec.site.as_u32(), spec.window.as_u8());
            let day = spec.day.as_u16() % SERIES_GAP_DAYS;
            let first = *at.get(&(site, day, window))?;
            let second = *at.get(&(site, day + SERIES_GAP_DAYS, window))?;
            Some((person, [(first, second)]))
        })
        .collect();
    assert!(
        series.len() * 10 >= requests.len() * 9,
        "most requests have a pair"
    );
    for threads in THREAD_COUNTS {
        bench_rounds(&mut group, "reserve", threads, || {
            let engine = flows_engine(people(), &workload.slots);
            let (elapsed, booked) = time_bookings(requests, threads, |&(person, slot)| {
                black_box(engine.reserve(person, &[slot], OPENING)).is_ok()
            });
            assert!(booked > 0);
            elapsed
        });
        bench_rounds(&mut group, "hold-confirm", threads, || {
            let engine = flows_engine(people(), &workload.slots);
            let (elapsed, booked) = time_bookings(requests, threads, |&(person, slot)| {
                engine.hold(person, &[slot], LEASE_MS, OPENING).is_ok()
                    && black_box(engine.confirm(person, slot, OPENING)).is_ok()
            });
            assert!(booked > 0);
            assert_eq!(engine.audit().holds, 0, "every hold taken was confirmed");
            elapsed
        });
        bench_rounds(&mut group, "rebook", threads, || {
            let engine = flows_engine(people(), &workload.slots);
            let booked: Vec<_> = rebooks
                .iter()
                .filter(|&&(person, from, _)| engine.reserve(person, &[from], OPENING).is_ok())
                .collect();
            let (elapsed, moved) = time_bookings(&booked, threads, |&&(person, from, to)| {
                black_box(engine.rebook(person, from, &[to], OPENING)).is_ok()
            });
            assert!(moved > 0);
            elapsed
        });
        bench_rounds(&mut group, "series", threads, || {
            let engine = flows_engine(people(), &workload.slots);
            let (elapsed, booked) = time_bookings(&series, threads, |(person, pairs)| {
                black_box(engine.book_series(*person, pairs, OPENING)).is_ok()
            });
            assert!(booked > 0);
            elapsed
        });
        bench_rounds(&mut group, "mutex-inventory", threads, || {
            let inventory = filled_inventory(&workload.slots);
            let (elapsed, booked) = time_bookings(requests, threads, |&(_, slot)| {
                black_box(inventory.reserve(slot.as_u32()))
            });
            assert!(booked > 0);
            elapsed
        });
    }
    group.finish();
}

/// Every group, on the one reference workload.
fn reserve(criterion: &mut Criterion) {
    let workload = Workload::reference();
    bench_spread(criterion, &workload);
    bench_ranked(criterion, &workload);
    bench_churn(criterion, &workload);
    bench_hot_slot(criterion, &workload);
    bench_flows(criterion, &workload);
}

criterion_group!(benches, reserve);
criterion_main!(benches);
