//! Model-checked concurrency: the engine's lock-free paths under `loom`, which runs each test
//! body once per distinct interleaving of its threads' atomic operations (with every memory
//! ordering the C++ model allows), so a race that a stress test would hit once in a billion
//! runs is hit here every time.
//!
//! The crate routes every atomic through `src/sync.rs`, which swaps in loom's under
//! `--cfg loom`, so these tests drive the real public `Engine`, built inside each model with
//! tiny limits (an engine allocates its atomics up front, and loom tracks every one):
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test --release --test loom
//! ```
//!
//! `LOOM_MAX_PREEMPTIONS` bounds the search (loom's own variable; unset, the search is
//! exhaustive, which these models afford).

#![cfg(loom)]

use fairbook::{
    CohortId, Config, Engine, LapsePolicy, PersonId, ReleaseError, Released, ReserveError, Seq,
    SlotSpec, Status, Timestamp,
};
use loom::sync::Arc;
use loom::thread;

const COHORT: CohortId = CohortId::new(0);
const NOW: Timestamp = Timestamp::from_secs(1);

/// An engine small enough for loom: four places, two slots.
fn tiny_engine() -> Engine {
    Engine::new(Config {
        people_max: 4,
        slots_max: 2,
        ..Config::default()
    })
    .expect("a valid tiny configuration")
}

#[track_caller]
fn assert_audit_ok(engine: &Engine) {
    let report = engine.audit();
    assert!(report.is_ok(), "{report}");
}

/// Two devices of one person join at once: both get the same place, exactly one of them is
/// told it is new, and only one place is handed out.
#[test]
fn same_person_from_two_threads_gets_one_place() {
    loom::model(|| {
        let engine = Arc::new(tiny_engine());
        let person = PersonId::new(7);
        let other = {
            let engine = engine.clone();
            thread::spawn(move || engine.enqueue(person, COHORT, NOW).unwrap())
        };
        let mine = engine.enqueue(person, COHORT, NOW).unwrap();
        let other = other.join().unwrap();
        assert_eq!(mine.seq, other.seq);
        assert_eq!(mine.seq, Seq::new(0));
        assert!(mine.is_new ^ other.is_new, "{mine:?} {other:?}");
        assert_eq!(engine.stats().places_handed_out, 1);
        assert_audit_ok(&engine);
    });
}

/// Two different people join at once: they get places 0 and 1, one each, with nothing in
/// between, and admission lets them in in that order.
#[test]
fn two_first_joins_get_dense_places() {
    loom::model(|| {
        let engine = Arc::new(tiny_engine());
        let (first, second) = (PersonId::new(1), PersonId::new(2));
        let other = {
            let engine = engine.clone();
            thread::spawn(move || engine.enqueue(second, COHORT, NOW).unwrap())
        };
        let mine = engine.enqueue(first, COHORT, NOW).unwrap();
        let other = other.join().unwrap();
        assert!(mine.is_new && other.is_new);
        let mut seqs = [mine.seq.as_u64(), other.seq.as_u64()];
        seqs.sort_unstable();
        assert_eq!(seqs, [0, 1]);
        assert_audit_ok(&engine);
        let advanced = engine.advance(NOW, 2).unwrap();
        let admitted: Vec<_> = engine.admitted_in(&advanced).collect();
        let mut expected = vec![(mine.seq, first), (other.seq, second)];
        expected.sort_unstable();
        assert_eq!(admitted, expected);
    });
}

/// Two joins race an advance. Whatever the interleaving, the advance admits a prefix of the
/// line in place order: it never lets in place 1 while place 0 is claimed but not yet
/// published, and every admitted place is below every waiting one.
#[test]
fn advance_racing_joins_admits_a_prefix_in_order() {
    loom::model(|| {
        let engine = Arc::new(tiny_engine());
        let joiners: Vec<_> = [1, 2]
            .map(PersonId::new)
            .into_iter()
            .map(|person| {
                let engine = engine.clone();
                thread::spawn(move || (person, engine.enqueue(person, COHORT, NOW).unwrap().seq))
            })
            .collect();
        let advanced = engine.advance(NOW, u64::MAX).unwrap();
        let admitted: Vec<_> = engine.admitted_in(&advanced).collect();
        let joined: Vec<(PersonId, Seq)> = joiners
            .into_iter()
            .map(|joiner| joiner.join().unwrap())
            .collect();
        assert_eq!(advanced.from, Seq::new(0));
        let prefix: Vec<(Seq, PersonId)> = (0..advanced.to.as_u64())
            .map(|raw| {
                let seq = Seq::new(raw);
                let &(person, _) = joined.iter().find(|&&(_, at)| at == seq).unwrap();
                (seq, person)
            })
            .collect();
        assert_eq!(admitted, prefix, "admitted out of place order");
        assert_audit_ok(&engine);
    });
}

/// Two admitted people book the last seat at once: exactly one wins, the other is told there
/// is no room, and the slot holds one booking.
#[test]
fn two_reserves_for_the_last_seat_one_wins() {
    loom::model(|| {
        let engine = Arc::new(tiny_engine());
        let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
        let (first, second) = (PersonId::new(1), PersonId::new(2));
        for person in [first, second] {
            engine.enqueue(person, COHORT, NOW).unwrap();
        }
        engine.advance(NOW, 2).unwrap();
        let other = {
            let engine = engine.clone();
            thread::spawn(move || engine.reserve(second, &[slot], NOW))
        };
        let mine = engine.reserve(first, &[slot], NOW);
        let other = other.join().unwrap();
        let wins = [&mine, &other]
            .iter()
            .filter(|result| result.is_ok())
            .count();
        assert_eq!(wins, 1, "{mine:?} {other:?}");
        for result in [mine, other] {
            assert!(
                matches!(result, Ok(_) | Err(ReserveError::NoRoom { .. })),
                "{result:?}"
            );
        }
        assert_eq!(engine.slot(slot).unwrap().booked, 1);
        assert_audit_ok(&engine);
    });
}

/// One person gives back the only seat while another books it: the seat is booked at most
/// once at every moment, the second person gets it exactly when the release came first, and
/// booked plus free is the capacity afterwards.
#[test]
fn reserve_racing_release_conserves_capacity() {
    loom::model(|| {
        let engine = Arc::new(tiny_engine());
        let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
        let (holder, newcomer) = (PersonId::new(1), PersonId::new(2));
        for person in [holder, newcomer] {
            engine.enqueue(person, COHORT, NOW).unwrap();
        }
        engine.advance(NOW, 2).unwrap();
        engine.reserve(holder, &[slot], NOW).unwrap();
        let releaser = {
            let engine = engine.clone();
            thread::spawn(move || engine.release_booking(holder, slot, NOW))
        };
        let booked = engine.reserve(newcomer, &[slot], NOW);
        let released: Result<Released, ReleaseError> = releaser.join().unwrap();
        assert_eq!(
            released.map(|released| released.slots.as_slice().to_vec()),
            Ok(vec![slot])
        );
        let view = engine.slot(slot).unwrap();
        assert_eq!(view.booked, u32::from(booked.is_ok()), "{booked:?}");
        assert_eq!(view.booked + view.free(), 1);
        assert_audit_ok(&engine);
        match booked {
            Ok(booking) => assert_eq!(booking.slot, slot),
            Err(error) => {
                assert!(matches!(error, ReserveError::NoRoom { .. }), "{error:?}");
                // The seat the release gave back is bookable at once.
                assert_eq!(engine.reserve(newcomer, &[slot], NOW).unwrap().slot, slot);
                assert_audit_ok(&engine);
            }
        }
    });
}

/// A person gives back their place while an advance reaches it. Either they left first and
/// the advance passes over them to the next person, or they were admitted first and the
/// release gives back their lease; the advance lets in exactly one person either way, and the
/// person who left is never admitted afterwards.
#[test]
fn leave_racing_advance_is_one_or_the_other() {
    loom::model(|| {
        let engine = Arc::new(tiny_engine());
        let (leaver, next) = (PersonId::new(1), PersonId::new(2));
        for person in [leaver, next] {
            engine.enqueue(person, COHORT, NOW).unwrap();
        }
        let releaser = {
            let engine = engine.clone();
            thread::spawn(move || engine.release(leaver, NOW).unwrap())
        };
        let advanced = engine.advance(NOW, 1).unwrap();
        let released = releaser.join().unwrap();
        assert_eq!(advanced.admitted, 1);
        let admitted: Vec<_> = engine
            .admitted_in(&advanced)
            .map(|(_, person)| person)
            .collect();
        if released.was_waiting {
            assert_eq!(admitted, [next], "the advance passed over nobody");
        } else {
            assert_eq!(admitted, [leaver]);
        }
        assert_eq!(
            engine.status(leaver, NOW),
            Ok(Status::Released { seq: Seq::new(0) })
        );
        assert_audit_ok(&engine);
    });
}

/// Under the requeue policy, a person whose lease lapsed rejoins from two devices at once:
/// both get the same new place at the back, exactly one call hands it out, and the old place
/// is retired.
#[test]
fn lapsed_person_rejoining_from_two_devices_gets_one_new_place() {
    loom::model(|| {
        let engine = Arc::new(
            Engine::new(Config {
                people_max: 4,
                slots_max: 1,
                lease_ms: 10,
                lapse_policy: LapsePolicy::Requeue,
                ..Config::default()
            })
            .unwrap(),
        );
        let person = PersonId::new(5);
        engine.enqueue(person, COHORT, NOW).unwrap();
        engine.advance(NOW, 1).unwrap();
        let later = NOW.plus_millis(10);
        let other = {
            let engine = engine.clone();
            thread::spawn(move || engine.enqueue(person, COHORT, later).unwrap())
        };
        let mine = engine.enqueue(person, COHORT, later).unwrap();
        let other = other.join().unwrap();
        assert_eq!(mine.seq, Seq::new(1));
        assert_eq!(other.seq, Seq::new(1));
        assert!(mine.is_new ^ other.is_new, "{mine:?} {other:?}");
        assert_eq!(engine.stats().places_handed_out, 2);
        assert!(
            matches!(engine.status(person, later), Ok(Status::Waiting { seq, .. }) if seq == Seq::new(1))
        );
        assert_audit_ok(&engine);
    });
}
