//! Many threads at once: the last seats, the same person on many devices, and joins racing
//! admission. Correctness only; speed is measured by the benchmarks, never by tests.

mod common;

use std::sync::Barrier;
use std::thread;

use common::*;
use fairbook::{Config, Engine, Seq};

const THREADS: usize = 8;

#[test]
fn many_threads_race_for_few_seats_and_exactly_capacity_is_booked() {
    for capacity in [1u32, 3, 10] {
        let (engine, slots) = engine_with(
            Config {
                people_max: 4_096,
                ..Config::default()
            },
            &[capacity],
        );
        let people_per_thread = 64u64;
        join_and_admit(&engine, 0..THREADS as u64 * people_per_thread, at(1));
        let barrier = Barrier::new(THREADS);
        let winners: Vec<Vec<u64>> = thread::scope(|scope| {
            let handles: Vec<_> = (0..THREADS as u64)
                .map(|thread_index| {
                    let (engine, slots, barrier) = (&engine, &slots, &barrier);
                    scope.spawn(move || {
                        barrier.wait();
                        let first = thread_index * people_per_thread;
                        (first..first + people_per_thread)
                            .filter(|&id| engine.reserve(person(id), slots, at(2)).is_ok())
                            .collect()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut all: Vec<u64> = winners.into_iter().flatten().collect();
        assert_eq!(all.len() as u32, capacity, "capacity {capacity}");
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len() as u32, capacity, "a winner booked twice");
        assert_eq!(engine.slot(slots[0]).unwrap().booked, capacity);
        assert_audit_ok(&engine);
    }
}

#[test]
fn one_person_on_many_devices_gets_one_place() {
    let engine = Engine::new(Config::default()).unwrap();
    let barrier = Barrier::new(THREADS);
    for round in 0..50u64 {
        let seqs: Vec<Seq> = thread::scope(|scope| {
            let handles: Vec<_> = (0..THREADS)
                .map(|_| {
                    let (engine, barrier) = (&engine, &barrier);
                    scope.spawn(move || {
                        barrier.wait();
                        engine.enqueue(person(round), COHORT, at(1)).unwrap().seq
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(seqs.iter().all(|&seq| seq == Seq::new(round)), "{seqs:?}");
    }
    assert_eq!(engine.stats().places_handed_out, 50);
    assert_audit_ok(&engine);
}

#[test]
fn joins_racing_admission_keep_fifo_order() {
    let people = 20_000u64;
    let engine = Engine::new(Config {
        people_max: people,
        ..Config::default()
    })
    .unwrap();
    let joiners = THREADS - 1;
    let admitted: Vec<(Seq, u64)> = thread::scope(|scope| {
        for thread_index in 0..joiners as u64 {
            let engine = &engine;
            scope.spawn(move || {
                for id in (thread_index..people).step_by(joiners) {
                    engine.enqueue(person(id), COHORT, at(1)).unwrap();
                }
            });
        }
        let engine = &engine;
        scope
            .spawn(move || {
                let mut admitted = Vec::new();
                while (admitted.len() as u64) < people {
                    let advanced = engine.advance(at(1), 97).unwrap();
                    admitted.extend(
                        engine
                            .admitted_in(&advanced)
                            .unwrap()
                            .map(|(s, p)| (s, p.as_u64())),
                    );
                }
                admitted
            })
            .join()
            .unwrap()
    });
    // Admitted in exactly the order of the places handed out, each person once.
    let seqs: Vec<u64> = admitted.iter().map(|(seq, _)| seq.as_u64()).collect();
    assert_eq!(seqs, (0..people).collect::<Vec<_>>());
    let mut ids: Vec<u64> = admitted.iter().map(|&(_, id)| id).collect();
    ids.sort_unstable();
    assert_eq!(ids, (0..people).collect::<Vec<_>>());
    assert_audit_ok(&engine);
}
