//! Retry-safe writes: a call carrying an operation id is answered once, whatever the retries;
//! the same id with other arguments is an error; the table is bounded and forgets its oldest
//! answers; remembered answers survive a restart; concurrent duplicates get one answer.

mod common;

use std::sync::{Arc, Barrier};

use common::*;
use fairbook::{
    Config, Engine, EnqueueError, OpError, OpId, Record, ReleaseError, ReserveError, Status,
};
use fairbook_testing::RecordLog;

fn remembering(bookings_per_person_max: u8) -> Config {
    Config {
        bookings_per_person_max,
        ops_remembered_max: 64,
        holds_max: 10,
        standby_max: 0,
        ..Config::default()
    }
}

#[test]
fn retried_reserve_returns_the_same_booking() {
    // Without an id: limit 1 used to answer `BookingLimit`, limit 2 to book a second slot.
    for limit in [1, 2] {
        let (engine, slots) = engine_with(remembering(limit), &[1, 1]);
        join_and_admit(&engine, [1], at(1));
        let booked = engine.reserve(person(1), &slots, at(1)).unwrap();
        assert_eq!(engine.reserve(person(1), &slots, at(2)), Ok(booked));
        assert_eq!(engine.slot(slots[1]).unwrap().booked, 0, "limit {limit}");
        assert_audit_ok(&engine);
    }
    // With an id: the stored answer, even when the first choice has opened since.
    let (engine, slots) = engine_with(remembering(2), &[1, 1]);
    join_and_admit(&engine, [1, 2], at(1));
    engine.reserve(person(2), &slots[..1], at(1)).unwrap();
    let op = OpId::new(41);
    let booked = engine.once(op).reserve(person(1), &slots, at(1)).unwrap();
    assert_eq!(booked.slot, slots[1]);
    engine.release(person(2), at(1)).unwrap();
    assert_eq!(
        engine.once(op).reserve(person(1), &slots, at(2)),
        Ok(booked)
    );
    assert_eq!(engine.slot(slots[0]).unwrap().booked, 0);
    assert_audit_ok(&engine);
}

#[test]
fn retried_release_returns_the_same_answer() {
    let (engine, slots) = engine_with(remembering(1), &[1]);
    join_and_admit(&engine, [1], at(1));
    engine.reserve(person(1), &slots, at(1)).unwrap();
    assert_eq!(
        {
            engine.release(person(1), at(1)).unwrap();
            engine.release(person(1), at(1))
        },
        Err(ReleaseError::NothingToRelease),
        "without an id a retry cannot tell"
    );
    let (engine, slots) = engine_with(remembering(1), &[1]);
    join_and_admit(&engine, [1], at(1));
    engine.reserve(person(1), &slots, at(1)).unwrap();
    let op = OpId::new(7);
    let released = engine.once(op).release(person(1), at(1)).unwrap();
    assert_eq!(released.slots.as_slice(), [slots[0]]);
    assert_eq!(engine.once(op).release(person(1), at(2)), Ok(released));
    assert_audit_ok(&engine);
}

#[test]
fn the_same_id_with_other_arguments_is_an_error() {
    let (engine, slots) = engine_with(remembering(2), &[1, 1]);
    join_and_admit(&engine, [1, 2], at(1));
    let op = OpId::new(3);
    engine
        .once(op)
        .reserve(person(1), &slots[..1], at(1))
        .unwrap();
    let conflict = OpError::Conflict { op };
    assert_eq!(
        engine.once(op).reserve(person(1), &slots[1..], at(1)),
        Err(ReserveError::Op(conflict))
    );
    assert_eq!(
        engine.once(op).reserve(person(2), &slots[..1], at(1)),
        Err(ReserveError::Op(conflict))
    );
    // Another verb with the id is another call.
    assert_eq!(
        engine.once(op).release(person(1), at(1)),
        Err(ReleaseError::Op(conflict))
    );
    // Nothing ran: person 2 holds nothing, slot 1 is free.
    assert!(matches!(
        engine.status(person(2), at(1)).unwrap(),
        Status::Admitted { .. }
    ));
    assert_eq!(engine.slot(slots[1]).unwrap().booked, 0);
    assert_audit_ok(&engine);
}

#[test]
fn a_failed_operation_is_not_remembered() {
    let (engine, slots) = engine_with(remembering(1), &[1]);
    join_and_admit(&engine, [1, 2], at(1));
    engine.reserve(person(2), &slots, at(1)).unwrap();
    let op = OpId::new(5);
    assert_eq!(
        engine.once(op).reserve(person(1), &slots, at(1)),
        Err(ReserveError::NoRoom { sold_out: true })
    );
    engine.release(person(2), at(1)).unwrap();
    // The retry runs again, and this time there is room.
    assert_eq!(
        engine
            .once(op)
            .reserve(person(1), &slots, at(1))
            .unwrap()
            .slot,
        slots[0]
    );
    assert_audit_ok(&engine);
}

#[test]
fn operations_are_not_remembered_when_the_table_is_off() {
    let (engine, _) = common::engine(&[1]);
    assert_eq!(
        engine.once(OpId::new(1)).enqueue(person(1), COHORT, at(1)),
        Err(EnqueueError::Op(OpError::NotRemembered))
    );
    assert_eq!(engine.stats().places_handed_out, 0, "nothing ran");
}

#[test]
fn a_full_table_forgets_its_oldest_answers() {
    // 8 answers per bucket: with 16 entries (two buckets), 100 ids push out all but the
    // latest 8 of each bucket.
    let config = Config {
        ops_remembered_max: 16,
        people_max: 200,
        ..Config::default()
    };
    let engine = Engine::new(config).unwrap();
    for id in 0..100 {
        engine
            .once(OpId::new(id))
            .enqueue(person(id), COHORT, at(1))
            .unwrap();
    }
    let remembered: Vec<u64> = (0..100)
        .filter(|&id| {
            // A remembered id refuses another call; a forgotten one runs it, and this one
            // fails, so it is not remembered either and the probe changes nothing.
            engine
                .once(OpId::new(id))
                .enqueue(fairbook::PersonId::RESERVED, COHORT, at(1))
                == Err(EnqueueError::Op(OpError::Conflict { op: OpId::new(id) }))
        })
        .collect();
    assert_eq!(remembered.len(), 16, "{remembered:?}");
    assert!(
        remembered.iter().all(|&id| id >= 100 - 40),
        "the remembered are among the latest: {remembered:?}"
    );
    // A forgotten id runs again: the person is in line already, same place, not new.
    let forgotten = (0..100).find(|id| !remembered.contains(id)).unwrap();
    let again = engine
        .once(OpId::new(forgotten))
        .enqueue(person(forgotten), COHORT, at(1))
        .unwrap();
    assert!(!again.is_new);
}

#[test]
fn remembered_answers_survive_a_restart() {
    let config = remembering(1);
    let log = Arc::new(RecordLog::default());
    let engine = log.engine(config.clone()).unwrap();
    let slot = engine
        .add_slot(fairbook::SlotSpec::with_capacity(1))
        .unwrap();
    join_and_admit(&engine, [1], at(1));
    let op = OpId::new(99);
    let booked = engine.once(op).reserve(person(1), &[slot], at(1)).unwrap();
    assert!(matches!(
        log.records().last(),
        Some(Record::Answered { op: answered, .. }) if *answered == op
    ));
    // From the records alone, and from a snapshot: the retry gets the first answer back.
    let replayed = Engine::recover(config.clone(), None, None, log.records()).unwrap();
    assert_eq!(
        replayed.once(op).reserve(person(1), &[slot], at(2)),
        Ok(booked)
    );
    let copy = Engine::from_snapshot(config, None, &engine.snapshot()).unwrap();
    assert_eq!(copy.snapshot(), engine.snapshot());
    assert_eq!(
        copy.once(op).reserve(person(2), &[slot], at(2)),
        Err(ReserveError::Op(OpError::Conflict { op }))
    );
    assert_audit_ok(&copy);
}

#[test]
fn concurrent_duplicates_get_one_answer() {
    const THREADS: usize = 8;
    // Eight devices send the same move at once. A move run twice fails the second time (the
    // booking it moves from is gone), so a duplicate that ran instead of waiting for the first
    // answer would be seen.
    let config = Config {
        people_max: 16,
        slots_max: 4,
        ops_remembered_max: 1_024,
        ..Config::default()
    };
    for round in 0..200u64 {
        let (engine, slots) = engine_with(config.clone(), &[1, 1, 1, 1]);
        join_and_admit(&engine, [1], at(1));
        engine.reserve(person(1), &slots[..1], at(1)).unwrap();
        let op = OpId::new(round);
        let barrier = Barrier::new(THREADS);
        let answers: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..THREADS)
                .map(|_| {
                    let (engine, slots, barrier) = (&engine, &slots, &barrier);
                    scope.spawn(move || {
                        barrier.wait();
                        engine
                            .once(op)
                            .rebook(person(1), slots[0], &slots[1..], at(1))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let first = answers[0].unwrap();
        assert_eq!(first.slot, slots[1], "round {round}");
        assert!(
            answers.iter().all(|answer| *answer == Ok(first)),
            "round {round}: {answers:?}"
        );
        let booked: Vec<u32> = slots
            .iter()
            .map(|&s| engine.slot(s).unwrap().booked)
            .collect();
        assert_eq!(booked, [0, 1, 0, 0], "round {round}: moved once");
        assert_audit_ok(&engine);
    }
}

/// How many records of `log` satisfy `is`.
fn count(log: &RecordLog, is: impl Fn(&Record) -> bool) -> usize {
    log.records().iter().filter(|record| is(record)).count()
}

#[test]
fn retries_of_one_id_from_many_threads_have_one_effect() {
    const THREADS: usize = 12;
    const RETRIES: usize = 20;
    // Every thread sends the same call with the same id, again and again, from the same
    // instant on. Each verb runs once: one record of its change, one answer journaled (a
    // second `Answered` of an id could not be replayed), and every thread gets that answer.
    let config = Config {
        people_max: 16,
        slots_max: 4,
        bookings_per_person_max: 2,
        ops_remembered_max: 1_024,
        ..Config::default()
    };
    fn all_the_same<T: Copy + PartialEq + std::fmt::Debug + Send>(
        call: impl Fn() -> T + Sync,
    ) -> T {
        let barrier = Barrier::new(THREADS);
        let answers: Vec<T> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..THREADS)
                .map(|_| {
                    let (call, barrier) = (&call, &barrier);
                    scope.spawn(move || {
                        barrier.wait();
                        (0..RETRIES)
                            .map(|_| {
                                let answer = call();
                                std::thread::yield_now();
                                answer
                            })
                            .collect::<Vec<T>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|handle| handle.join().unwrap())
                .collect()
        });
        assert!(
            answers.iter().all(|answer| *answer == answers[0]),
            "{answers:?}"
        );
        answers[0]
    }
    for round in 0..50u64 {
        let log = Arc::new(RecordLog::default());
        let engine = log.engine(config.clone()).unwrap();
        let slots: Vec<_> = (0..3)
            .map(|_| {
                engine
                    .add_slot(fairbook::SlotSpec::with_capacity(4))
                    .unwrap()
            })
            .collect();
        let answered = |op: OpId| {
            count(
                &log,
                |record| matches!(record, Record::Answered { op: answered, .. } if *answered == op),
            )
        };
        let (join, book, more, moved, leave) = (
            OpId::new(round * 8),
            OpId::new(round * 8 + 1),
            OpId::new(round * 8 + 2),
            OpId::new(round * 8 + 3),
            OpId::new(round * 8 + 4),
        );

        let place = all_the_same(|| engine.once(join).enqueue(person(1), COHORT, at(1)));
        assert!(place.unwrap().is_new, "round {round}: {place:?}");
        assert_eq!(count(&log, |r| matches!(r, Record::Joined { .. })), 1);
        assert_eq!(answered(join), 1, "round {round}");
        engine.advance(at(1), 1).unwrap();

        // With a limit of 2, a reserve run twice over different choices would book twice.
        let first = all_the_same(|| engine.once(book).reserve(person(1), &slots[..1], at(1)));
        assert_eq!(first.unwrap().slot, slots[0], "round {round}");
        let second = all_the_same(|| engine.once(more).reserve(person(1), &slots[1..2], at(1)));
        assert_eq!(second.unwrap().slot, slots[1], "round {round}");
        assert_eq!(count(&log, |r| matches!(r, Record::Booked { .. })), 2);
        assert_eq!((answered(book), answered(more)), (1, 1), "round {round}");

        let move_to = all_the_same(|| {
            engine
                .once(moved)
                .rebook(person(1), slots[0], &slots[2..], at(1))
        });
        assert_eq!(move_to.unwrap().slot, slots[2], "round {round}");
        assert_eq!(count(&log, |r| matches!(r, Record::Rebooked { .. })), 1);
        assert_eq!(answered(moved), 1, "round {round}");

        let released = all_the_same(|| engine.once(leave).release(person(1), at(1)));
        assert_eq!(released.unwrap().slots.len(), 2, "round {round}");
        assert_eq!(count(&log, |r| matches!(r, Record::Released { .. })), 1);
        assert_eq!(answered(leave), 1, "round {round}");

        let booked: Vec<u32> = slots
            .iter()
            .map(|&slot| engine.slot(slot).unwrap().booked)
            .collect();
        assert_eq!(booked, [0, 0, 0], "round {round}");
        assert_audit_ok(&engine);
        log.rebuilds(config.clone(), &engine)
            .unwrap_or_else(|error| panic!("round {round}: {error}"));
    }
}
