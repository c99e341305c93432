//! Recovery from records: random operation sequences from the testing kit's vocabulary, run
//! on an engine that hands every change to a record log; after every op the records must
//! rebuild the engine byte for byte (its full snapshot), replayed from nothing and from a
//! snapshot part way, while the model and the audit keep checking the engine as in
//! `tests/model.rs`. Also: snapshots round-trip, and bad snapshots or records are typed errors.
//!
//! 128 cases by default (each replays its log after every op); `FAIRBOOK_PROPTEST_CASES`
//! raises it.

use std::sync::Arc;

use fairbook::{
    CohortId, Config, Engine, PersonId, Record, RecoverError, Seq, SlotId, SlotSpec, SnapshotError,
    Timestamp,
};
use fairbook_testing::proptest::prelude::*;
use fairbook_testing::proptest::test_runner::Config as RunnerConfig;
use fairbook_testing::{Harness, RecordLog, scenario_strategy};

fn cases() -> u32 {
    std::env::var("FAIRBOOK_PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .map_or(128, |cases: u32| cases / 2)
}

proptest! {
    #![proptest_config(RunnerConfig { cases: cases(), ..RunnerConfig::default() })]

    #[test]
    fn records_rebuild_the_engine_after_every_op((universe, ops) in scenario_strategy(1..120)) {
        let mut harness = Harness::recorded(&universe);
        if let Err(failure) = harness.run(&ops) {
            prop_assert!(false, "{}\nuniverse: {:?}", failure, universe);
        }
    }
}

/// A surge in miniature with the lot: joins, a requeue, a leaver, admissions by policy,
/// bookings, a release of one booking and of everything, slots added late. Its records
/// rebuild it, and a snapshot of it reads back to the same bytes.
#[test]
fn a_busy_engine_is_rebuilt_exactly() {
    let config = Config {
        people_max: 100,
        slots_max: 10,
        lease_ms: 1_000,
        lapse_policy: fairbook::LapsePolicy::Requeue,
        bookings_per_person_max: 2,
        ..Config::default()
    };
    let log = Arc::new(RecordLog::default());
    let engine = log.engine(config.clone()).unwrap();
    let slots: Vec<SlotId> = (1..=3)
        .map(|capacity| engine.add_slot(SlotSpec::with_capacity(capacity)).unwrap())
        .collect();
    let at = Timestamp::from_secs;
    for id in 0..20 {
        engine
            .enqueue(PersonId::new(id), CohortId::new(0), at(1))
            .unwrap();
    }
    engine.release(PersonId::new(3), at(1)).unwrap();
    engine.advance(at(2), 5).unwrap();
    engine
        .reserve(PersonId::new(0), &[slots[0]], at(2))
        .unwrap();
    engine
        .reserve(PersonId::new(1), &[slots[1]], at(2))
        .unwrap();
    engine
        .reserve(PersonId::new(1), &[slots[2]], at(2))
        .unwrap();
    engine
        .release_booking(PersonId::new(1), slots[1], at(2))
        .unwrap();
    engine.release(PersonId::new(0), at(2)).unwrap();
    // Person 2's lease lapses; they come back at the end of the line.
    engine.advance(at(4), 3).unwrap();
    engine
        .enqueue(PersonId::new(2), CohortId::new(0), at(4))
        .unwrap();
    engine.add_slot(SlotSpec::with_capacity(5)).unwrap();
    let policy = fairbook::OutflowPolicy {
        admissions_per_sec: Some(2),
        ..fairbook::OutflowPolicy::default()
    };
    engine.advance_with_policy(at(5), &policy).unwrap();
    engine.advance_with_policy(at(6), &policy).unwrap();
    assert!(engine.audit().is_ok());
    log.rebuilds(config.clone(), &engine).unwrap();
    let copy = Engine::from_snapshot(config.clone(), None, &engine.snapshot()).unwrap();
    assert_eq!(copy.snapshot(), engine.snapshot());
    assert_eq!(copy.stats(), engine.stats());
    assert!(copy.audit().is_ok());
    // The rebuilt engine goes on as the live one would.
    for candidate in [&engine, &copy] {
        candidate.advance(at(7), 100).unwrap();
        candidate
            .reserve(PersonId::new(19), &[slots[2], slots[0]], at(7))
            .unwrap();
    }
    assert_eq!(copy.snapshot(), engine.snapshot());
}

/// A place claimed whose join never reached the journal (a crash between the claim and the
/// record) is a hole: recovery marks it void, the door passes it, and the audit holds.
#[test]
fn a_join_lost_in_a_crash_leaves_a_void_place() {
    let config = Config::default();
    let records = [
        Record::Joined {
            person: PersonId::new(1),
            seq: Seq::new(0),
        },
        // Place 1 was claimed, its record lost.
        Record::Joined {
            person: PersonId::new(3),
            seq: Seq::new(2),
        },
    ];
    let engine = Engine::recover(config, None, None, records).unwrap();
    assert!(engine.audit().is_ok(), "{}", engine.audit());
    let advanced = engine.advance(Timestamp::from_secs(1), 10).unwrap();
    assert_eq!(advanced.admitted, 2);
    let admitted: Vec<_> = engine.admitted_in(&advanced).unwrap().collect();
    assert_eq!(
        admitted,
        [
            (Seq::new(0), PersonId::new(1)),
            (Seq::new(2), PersonId::new(3))
        ]
    );
    assert!(engine.audit().is_ok());
}

/// Records that are not this engine's history are typed errors naming the record, never a
/// panic and never a silently different state.
#[test]
fn records_that_do_not_fit_are_refused() {
    let config = Config::default();
    let bad = [
        vec![Record::Left { seq: Seq::new(0) }],
        vec![
            Record::Joined {
                person: PersonId::new(1),
                seq: Seq::new(0),
            },
            Record::Joined {
                person: PersonId::new(1),
                seq: Seq::new(1),
            },
        ],
        vec![Record::Booked {
            seq: Seq::new(0),
            slot: SlotId::new(0),
            index: 0,
        }],
        vec![
            Record::SlotAdded {
                spec: SlotSpec::with_capacity(0),
            },
            Record::Joined {
                person: PersonId::new(1),
                seq: Seq::new(0),
            },
            Record::Advanced {
                door: Timestamp::ZERO,
                swept_from: Seq::new(0),
                swept_to: Seq::new(0),
                admitted_from: Seq::new(0),
                admitted_to: Seq::new(1),
                lease_until: Timestamp::from_secs(60),
                bucket: None,
            },
            // A full slot.
            Record::Booked {
                seq: Seq::new(0),
                slot: SlotId::new(0),
                index: 0,
            },
        ],
    ];
    for records in bad {
        let last = records.len() as u64 - 1;
        match Engine::recover(config.clone(), None, None, records) {
            Err(RecoverError::Record { index, .. }) => assert_eq!(index, last),
            other => panic!("expected the last record refused, got {other:?}"),
        }
    }
}

/// A snapshot cut short, with a byte flipped, from another configuration or not a snapshot
/// at all is a typed error, never a panic.
#[test]
fn bad_snapshots_are_refused() {
    let config = Config {
        people_max: 64,
        slots_max: 4,
        ..Config::default()
    };
    let engine = Engine::new(config.clone()).unwrap();
    let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    for id in 0..5 {
        engine
            .enqueue(PersonId::new(id), CohortId::new(0), Timestamp::ZERO)
            .unwrap();
    }
    engine.advance(Timestamp::ZERO, 2).unwrap();
    engine
        .reserve(PersonId::new(0), &[slot], Timestamp::ZERO)
        .unwrap();
    let bytes = engine.snapshot();
    for cut in 0..bytes.len() {
        assert!(
            Engine::from_snapshot(config.clone(), None, &bytes[..cut]).is_err(),
            "cut at {cut}"
        );
    }
    let mut accepted_flips = 0;
    for index in 0..bytes.len() {
        for bit in 0..8 {
            let mut flipped = bytes.clone();
            flipped[index] ^= 1 << bit;
            if let Ok(copy) = Engine::from_snapshot(config.clone(), None, &flipped) {
                // A flip the format cannot see (a person id, a time) must still give a
                // state that holds together.
                assert!(
                    copy.audit().is_ok(),
                    "flip at {index}.{bit}: {}",
                    copy.audit()
                );
                accepted_flips += 1;
            }
        }
    }
    assert!(accepted_flips < bytes.len() * 8);
    assert_eq!(
        Engine::from_snapshot(config.clone(), None, b"not a snapshot").err(),
        Some(SnapshotError::NotASnapshot)
    );
    let other = Config {
        bookings_per_person_max: 2,
        ..config
    };
    assert!(matches!(
        Engine::from_snapshot(other, None, &bytes),
        Err(SnapshotError::Mismatch { .. })
    ));
}
