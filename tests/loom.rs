//! Model-checked concurrency: the engine's lock-free paths under `loom`, which runs each test
//! body once per distinct interleaving of its threads' atomic operations (with every memory
//! ordering the C++ model allows), so a race that a stress test would hit once in a billion
//! runs is hit here every time.
//!
//! The crate routes every atomic through `src/platform/sync.rs`, which swaps in loom's under
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
    SiteId, SlotSpec, Status, Timestamp,
};
use loom::sync::Arc;
use loom::thread;

const COHORT: CohortId = CohortId::new(0);

/// `loom::thread::spawn`, then a scheduling point: without one, loom runs the spawning thread
/// on to its own next call and explores only the orders that start there, never the one in
/// which the new thread goes first (seen: a release racing a reserve was never explored
/// finishing first).
fn spawn<T: Send + 'static>(body: impl FnOnce() -> T + Send + 'static) -> thread::JoinHandle<T> {
    let handle = thread::spawn(body);
    thread::yield_now();
    handle
}
const NOW: Timestamp = Timestamp::from_secs(1);

/// The inventory limits of every model: two sites of one day (an engine allocates its
/// atomics up front, and loom tracks every one).
fn loom_limits() -> Config {
    Config {
        people_max: 4,
        slots_max: 2,
        sites_max: 2,
        days_max: 1,
        regions_max: 1,
        ..Config::default()
    }
}

/// An engine small enough for loom: four places, two slots.
fn tiny_engine() -> Engine {
    Engine::new(Config {
        people_max: 4,
        slots_max: 2,
        ..loom_limits()
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
            spawn(move || engine.enqueue(person, COHORT, NOW).unwrap())
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
            spawn(move || engine.enqueue(second, COHORT, NOW).unwrap())
        };
        let mine = engine.enqueue(first, COHORT, NOW).unwrap();
        let other = other.join().unwrap();
        assert!(mine.is_new && other.is_new);
        let mut seqs = [mine.seq.as_u64(), other.seq.as_u64()];
        seqs.sort_unstable();
        assert_eq!(seqs, [0, 1]);
        assert_audit_ok(&engine);
        let advanced = engine.advance(NOW, 2).unwrap();
        let admitted: Vec<_> = engine.admitted_in(&advanced).unwrap().collect();
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
                spawn(move || (person, engine.enqueue(person, COHORT, NOW).unwrap().seq))
            })
            .collect();
        let advanced = engine.advance(NOW, u64::MAX).unwrap();
        let admitted: Vec<_> = engine.admitted_in(&advanced).unwrap().collect();
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
            spawn(move || engine.reserve(second, &[slot], NOW))
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
            spawn(move || engine.release_booking(holder, slot, NOW))
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
            spawn(move || engine.release(leaver, NOW).unwrap())
        };
        let advanced = engine.advance(NOW, 1).unwrap();
        let released = releaser.join().unwrap();
        assert_eq!(advanced.admitted, 1);
        let admitted: Vec<_> = engine
            .admitted_in(&advanced)
            .unwrap()
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
                ..loom_limits()
            })
            .unwrap(),
        );
        let person = PersonId::new(5);
        engine.enqueue(person, COHORT, NOW).unwrap();
        engine.advance(NOW, 1).unwrap();
        let later = NOW.plus_millis(10);
        let other = {
            let engine = engine.clone();
            spawn(move || engine.enqueue(person, COHORT, later).unwrap())
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

/// "Sold out" is never said while a seat is free. A second slot keeps its seat free
/// throughout, while two people take and give back the one seat of a first slot: every poll
/// of `is_sold_out`, and every no-room answer, must say "not sold out". (Each slot is at a site
/// of its own, so every fill and release of the first moves its site's count through zero and
/// with it the region's: the hardest case of the counting protocol.)
#[test]
fn sold_out_is_never_said_while_a_seat_is_free() {
    loom::model(|| {
        let engine = Arc::new(tiny_engine());
        let churned = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
        let _spare = engine
            .add_slot(SlotSpec {
                site: SiteId::new(1),
                ..SlotSpec::with_capacity(1)
            })
            .unwrap();
        let churners = [PersonId::new(1), PersonId::new(2)];
        for person in churners {
            engine.enqueue(person, COHORT, NOW).unwrap();
        }
        engine.advance(NOW, 2).unwrap();
        let threads = churners.map(|person| {
            let engine = engine.clone();
            spawn(move || match engine.reserve(person, &[churned], NOW) {
                Ok(_) => {
                    engine.release_booking(person, churned, NOW).unwrap();
                }
                Err(error) => assert_eq!(error, ReserveError::NoRoom { sold_out: false }),
            })
        });
        assert!(!engine.is_sold_out());
        assert!(!engine.is_sold_out());
        for thread in threads {
            thread.join().unwrap();
        }
        assert!(!engine.is_sold_out());
        assert_audit_ok(&engine);
    });
}

/// A slot added full (capacity 0) while the inventory has one free seat never makes it look
/// sold out, however the add and the poll interleave; the first design counted the new slot
/// as full before publishing it, so a poll that read the old number of slots said "sold out".
#[test]
fn adding_a_full_slot_never_makes_the_inventory_look_sold_out() {
    loom::model(|| {
        let engine = Arc::new(
            Engine::new(Config {
                people_max: 2,
                slots_max: 3,
                ..loom_limits()
            })
            .unwrap(),
        );
        let held = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
        let _free = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
        let holder = PersonId::new(1);
        engine.enqueue(holder, COHORT, NOW).unwrap();
        engine.advance(NOW, 1).unwrap();
        engine.reserve(holder, &[held], NOW).unwrap();
        let adder = {
            let engine = engine.clone();
            spawn(move || engine.add_slot(SlotSpec::with_capacity(0)).unwrap())
        };
        assert!(!engine.is_sold_out());
        adder.join().unwrap();
        assert!(!engine.is_sold_out());
        assert_audit_ok(&engine);
    });
}

/// Two full slots at one site are given back at once while every other slot is full. Once
/// either release has returned, a seat is free, and a poll must not say "sold out". (The
/// protocol raises the region's count *before* the site's: raising the site's first would let
/// the second release find the site already counted and free its seat before the first
/// release had raised the region's count, and so the root's.)
#[test]
fn releases_at_one_site_never_leave_a_free_seat_unseen() {
    loom::model(|| {
        // Four slots: two sites of two.
        let engine = Arc::new(
            Engine::new(Config {
                people_max: 4,
                slots_max: 4,
                ..loom_limits()
            })
            .unwrap(),
        );
        let slots = [0, 0, 1, 1].map(|site| {
            let spec = SlotSpec {
                site: SiteId::new(site),
                ..SlotSpec::with_capacity(1)
            };
            engine.add_slot(spec).unwrap()
        });
        let holders = [1, 2, 3, 4].map(PersonId::new);
        for person in holders {
            engine.enqueue(person, COHORT, NOW).unwrap();
        }
        engine.advance(NOW, 4).unwrap();
        for (person, slot) in holders.into_iter().zip(slots) {
            engine.reserve(person, &[slot], NOW).unwrap();
        }
        assert!(engine.is_sold_out());
        let freed = Arc::new(loom::sync::atomic::AtomicBool::new(false));
        let threads = [0, 1].map(|index| {
            let (engine, freed) = (engine.clone(), freed.clone());
            spawn(move || {
                engine
                    .release_booking(holders[index], slots[index], NOW)
                    .unwrap();
                freed.store(true, loom::sync::atomic::Ordering::SeqCst);
            })
        });
        if freed.load(loom::sync::atomic::Ordering::SeqCst) {
            assert!(!engine.is_sold_out(), "a seat is free");
        }
        for thread in threads {
            thread.join().unwrap();
        }
        assert!(!engine.is_sold_out());
        assert_audit_ok(&engine);
    });
}

/// Two batches name the same two people in opposite orders. Each holds its first person's
/// table cell pending while it meets the other's pending person; a batch that waited without
/// handing out its own block first would wait forever for the other. Every interleaving ends
/// with two dense places, one per person, each new exactly once.
#[test]
fn batches_meeting_each_others_pending_people_do_not_wait_for_each_other() {
    loom::model(|| {
        let engine = Arc::new(tiny_engine());
        let (ana, ben) = (PersonId::new(1), PersonId::new(2));
        let other = {
            let engine = engine.clone();
            spawn(move || {
                let mut results = [Err(fairbook::EnqueueError::InvalidPerson); 2];
                engine.enqueue_batch(&[(ben, COHORT), (ana, COHORT)], NOW, &mut results);
                results.map(Result::unwrap)
            })
        };
        let mut mine = [Err(fairbook::EnqueueError::InvalidPerson); 2];
        engine.enqueue_batch(&[(ana, COHORT), (ben, COHORT)], NOW, &mut mine);
        let mine = mine.map(Result::unwrap);
        let other = other.join().unwrap();
        assert_eq!(mine[0].seq, other[1].seq, "ana");
        assert_eq!(mine[1].seq, other[0].seq, "ben");
        assert_ne!(mine[0].seq, mine[1].seq);
        assert!(mine[0].is_new ^ other[1].is_new);
        assert!(mine[1].is_new ^ other[0].is_new);
        assert_eq!(engine.stats().places_handed_out, 2);
        assert_audit_ok(&engine);
    });
}

/// A door's offer races a booking for the seat it offers. The seat's holder gave it back while
/// one person was on standby and a person behind them was still admitted; now the door's turn
/// (which offers the seat to the person on standby) and that person's `reserve` run at once.
/// Whatever the interleaving, the person behind never keeps the seat (they may take it for an
/// instant, see that someone ahead of them is on standby, and give it back), and after the
/// door's next turn the seat is held for the person on standby, exactly once.
#[test]
fn a_standby_offer_racing_a_reserve_for_the_freed_seat_goes_to_the_standby() {
    loom::model(|| {
        let engine = Arc::new(tiny_engine());
        let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
        let [holder, standing, behind] = [1, 2, 3].map(PersonId::new);
        for person in [holder, standing, behind] {
            engine.enqueue(person, COHORT, NOW).unwrap();
        }
        engine.advance(NOW, 3).unwrap();
        engine.reserve(holder, &[slot], NOW).unwrap();
        engine.standby(standing, NOW).unwrap();
        engine.release(holder, NOW).unwrap();
        let booker = {
            let engine = engine.clone();
            thread::spawn(move || engine.reserve(behind, &[slot], NOW))
        };
        let door = engine.advance(NOW, 0).unwrap();
        let booked = booker.join().unwrap();
        assert!(
            matches!(booked, Err(ReserveError::NoRoom { .. })),
            "{booked:?}"
        );
        let last = engine.advance(NOW, 0).unwrap();
        assert_eq!(door.offered + last.offered, 1);
        assert_eq!(
            engine.status(standing, NOW),
            Ok(Status::Offered {
                seq: Seq::new(1),
                slot,
                until: NOW.plus_millis(engine.config().lease_ms)
            })
        );
        assert_eq!(engine.slot(slot).unwrap().booked, 1);
        assert_audit_ok(&engine);
    });
}

/// A person goes on standby while the last seat of their scope is given back and a person
/// behind them books it. Going on standby raises the line's floor and then looks for a free
/// seat; a booking takes its seat and then looks at the floor. Whatever the interleaving, the
/// line and the seat stay consistent (the audit), and after the door's next turn the person on
/// standby (if they went on it) holds an offer or the seat is booked: never "on standby while
/// the seat sits free", and never an offer beside a booking of the one seat. (That the booker
/// behind gives the seat back when they see the person on standby is what the model above
/// checks; removing the gate fails it.)
#[test]
fn standby_racing_a_reserve_for_the_last_seat_never_leaves_it_unclaimed() {
    loom::model(|| {
        let engine = Arc::new(tiny_engine());
        let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
        let [holder, standing, behind] = [1, 2, 3].map(PersonId::new);
        for person in [holder, standing, behind] {
            engine.enqueue(person, COHORT, NOW).unwrap();
        }
        engine.advance(NOW, 3).unwrap();
        engine.reserve(holder, &[slot], NOW).unwrap();
        let stander = {
            let engine = engine.clone();
            thread::spawn(move || {
                // The seat is given back while the person who found no room asks for standby.
                engine.standby(standing, NOW)
            })
        };
        engine.release(holder, NOW).unwrap();
        let booked = engine.reserve(behind, &[slot], NOW);
        let stood = stander.join().unwrap();
        engine.advance(NOW, 0).unwrap();
        let view = engine.slot(slot).unwrap();
        match engine.status(standing, NOW).unwrap() {
            Status::Standby { .. } => assert_eq!(view.booked, 1, "on standby beside a free seat"),
            Status::Offered { .. } => assert!(booked.is_err(), "{booked:?}"),
            Status::Admitted { .. } => assert!(stood.is_err(), "{stood:?}"),
            other => panic!("{other:?}"),
        }
        assert!(view.booked <= 1);
        assert_audit_ok(&engine);
    });
}

/// A sink for loom models: the records in the order the sink received them.
#[derive(Default)]
struct LoomLog(loom::sync::Mutex<Vec<fairbook::Record>>);

impl fairbook::RecordSink for LoomLog {
    fn record(&self, record: &fairbook::Record) {
        self.0.lock().unwrap().push(*record);
    }
}

/// Replays `log` and checks it rebuilds `engine` byte for byte.
///
/// It runs on a thread of its own with a large stack: a second engine, a replay and two
/// snapshots overflow the small stacks loom gives its threads.
fn assert_rebuilds(log: &std::sync::Arc<LoomLog>, config: Config, engine: &Arc<Engine>) {
    let (log, engine) = (log.clone(), engine.clone());
    let check = thread::Builder::new()
        .stack_size(1 << 22)
        .spawn(move || {
            let report = engine.audit();
            assert!(report.is_ok(), "{report}");
            let records = log.0.lock().unwrap().clone();
            let rebuilt = Engine::recover(config, None, None, records).expect("the records replay");
            let (replayed, live) = (rebuilt.snapshot(), engine.snapshot());
            assert!(replayed == live, "the replay differs");
        })
        .expect("a loom thread");
    check.join().unwrap();
}

/// The one seat changes hands: its holder gives everything back while someone else books it.
/// In every interleaving the records replay to the same engine: the release is recorded
/// before its seat is free and the booking after its seat is taken, so the journal never
/// shows the slot over capacity.
#[test]
fn records_of_a_seat_changing_hands_replay_exactly() {
    loom::model(|| {
        let config = loom_limits();
        let log = std::sync::Arc::new(LoomLog::default());
        let engine = Arc::new(Engine::with_sink(config.clone(), log.clone()).unwrap());
        let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
        let (holder, newcomer) = (PersonId::new(1), PersonId::new(2));
        for person in [holder, newcomer] {
            engine.enqueue(person, COHORT, NOW).unwrap();
        }
        engine.advance(NOW, 2).unwrap();
        engine.reserve(holder, &[slot], NOW).unwrap();
        let releaser = {
            let engine = engine.clone();
            spawn(move || engine.release(holder, NOW).unwrap())
        };
        let _ = engine.reserve(newcomer, &[slot], NOW);
        releaser.join().unwrap();
        assert_rebuilds(&log, config, &engine);
    });
}

/// The door admits two people while one of them leaves: in every interleaving the records
/// replay to the same engine (the door holds the busy bits of the people it admits while it
/// records the admission, so nobody leaves a place the record says was admitted).
#[test]
fn records_of_admission_racing_a_leave_replay_exactly() {
    loom::model(|| {
        let config = loom_limits();
        let log = std::sync::Arc::new(LoomLog::default());
        let engine = Arc::new(Engine::with_sink(config.clone(), log.clone()).unwrap());
        let (leaver, stayer) = (PersonId::new(1), PersonId::new(2));
        for person in [leaver, stayer] {
            engine.enqueue(person, COHORT, NOW).unwrap();
        }
        let door = {
            let engine = engine.clone();
            spawn(move || engine.advance(NOW, 2).unwrap())
        };
        let _ = engine.release(leaver, NOW);
        door.join().unwrap();
        assert_rebuilds(&log, config, &engine);
    });
}

/// The door admits a person while they try to book: in every interleaving the records
/// replay to the same engine (no booking can be recorded before the admission it needs).
#[test]
fn records_of_admission_racing_a_booking_replay_exactly() {
    loom::model(|| {
        let config = loom_limits();
        let log = std::sync::Arc::new(LoomLog::default());
        let engine = Arc::new(Engine::with_sink(config.clone(), log.clone()).unwrap());
        let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
        let booker = PersonId::new(1);
        engine.enqueue(booker, COHORT, NOW).unwrap();
        let door = {
            let engine = engine.clone();
            spawn(move || engine.advance(NOW, 1).unwrap())
        };
        let _ = engine.reserve(booker, &[slot], NOW);
        door.join().unwrap();
        assert_rebuilds(&log, config, &engine);
    });
}

/// Two devices retry one call with one operation id at once: the call runs once, and both get
/// its answer (a second run of a first join would answer `is_new: false`). The id's bucket lock
/// is loom's in this build, so the second lookup is tried at every point of the first call
/// (with `parking_lot`'s, invisible to loom, the model explored 2 orders and missed a
/// duplicate that ran instead of waiting).
#[test]
fn two_retries_of_one_operation_run_it_once() {
    loom::model(|| {
        let engine = Arc::new(
            Engine::new(Config {
                people_max: 4,
                slots_max: 2,
                ops_remembered_max: 8,
                ..loom_limits()
            })
            .unwrap(),
        );
        let (person, op) = (PersonId::new(1), fairbook::OpId::new(9));
        let other = {
            let engine = engine.clone();
            spawn(move || engine.once(op).enqueue(person, COHORT, NOW))
        };
        let mine = engine.once(op).enqueue(person, COHORT, NOW);
        let other = other.join().unwrap();
        assert_eq!(mine, other);
        assert!(mine.unwrap().is_new, "{mine:?}");
        assert_eq!(engine.stats().places_handed_out, 1);
        assert_audit_ok(&engine);
    });
}

/// A confirm a millisecond before the deadline races the door's sweep at the deadline:
/// exactly one wins. Confirmed: the seat stays booked and the sweep leaves it; expired: the
/// confirm finds no hold and the seat is free.
#[test]
fn confirm_racing_expiry_one_wins() {
    loom::model(|| {
        let engine = Arc::new(
            Engine::new(Config {
                people_max: 4,
                slots_max: 2,
                holds_max: 2,
                holds_per_person_max: 1,
                hold_ttl_max_ms: 60_000,
                standby_max: 0,
                ..loom_limits()
            })
            .unwrap(),
        );
        let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
        let person = PersonId::new(1);
        engine.enqueue(person, COHORT, NOW).unwrap();
        engine.advance(NOW, 1).unwrap();
        let hold = engine.hold(person, &[slot], 5_000, NOW).unwrap();
        let confirm = {
            let engine = engine.clone();
            let just_before = Timestamp::from_millis(hold.until.as_millis() - 1);
            spawn(move || engine.confirm(person, slot, just_before))
        };
        engine.advance(hold.until, 0).unwrap();
        let confirmed = confirm.join().unwrap();
        let booked = engine.slot(slot).unwrap().booked;
        match confirmed {
            Ok(booking) => {
                assert_eq!(booking.slot, slot);
                assert_eq!(booked, 1, "confirmed, then given back by the door");
            }
            Err(error) => {
                assert_eq!(error, fairbook::ConfirmError::NotHeld { slot });
                assert_eq!(booked, 0, "expired, yet the seat is still taken");
            }
        }
        assert_eq!(engine.audit().holds, 0);
        assert_audit_ok(&engine);
    });
}

/// An engine with holds on, small enough for loom: four places, two slots, one hold each.
fn tiny_engine_with_holds() -> Engine {
    Engine::new(Config {
        people_max: 4,
        slots_max: 2,
        holds_max: 2,
        holds_per_person_max: 1,
        hold_ttl_max_ms: 60_000,
        // Holds do not meet standby yet (`ConfigError::HoldsWithStandby`).
        standby_max: 0,
        ..loom_limits()
    })
    .expect("a valid tiny configuration")
}

/// The last seat raced by a hold and a reserve: exactly one of them takes it, the other is
/// told there is no room, and the slot counts one seat taken, held or booked.
#[test]
fn last_seat_raced_by_a_hold_and_a_reserve_one_wins() {
    loom::model(|| {
        let engine = Arc::new(tiny_engine_with_holds());
        let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
        let (holder, booker) = (PersonId::new(1), PersonId::new(2));
        for person in [holder, booker] {
            engine.enqueue(person, COHORT, NOW).unwrap();
        }
        engine.advance(NOW, 2).unwrap();
        let hold = {
            let engine = engine.clone();
            spawn(move || engine.hold(holder, &[slot], 5_000, NOW))
        };
        let booked = engine.reserve(booker, &[slot], NOW);
        let held = hold.join().unwrap();
        assert!(held.is_ok() ^ booked.is_ok(), "{held:?} {booked:?}");
        match (&held, &booked) {
            (Ok(hold), Err(error)) => {
                assert_eq!(hold.slot, slot);
                assert!(matches!(error, ReserveError::NoRoom { .. }), "{error:?}");
            }
            (Err(error), Ok(booking)) => {
                assert_eq!(booking.slot, slot);
                assert!(
                    matches!(error, fairbook::HoldError::NoRoom { .. }),
                    "{error:?}"
                );
            }
            _ => unreachable!("exactly one won"),
        }
        assert_eq!(engine.slot(slot).unwrap().booked, 1);
        let report = engine.audit();
        assert!(report.is_ok(), "{report}");
        assert_eq!(
            (report.holds, report.bookings),
            (u64::from(held.is_ok()), u64::from(booked.is_ok()))
        );
    });
}

/// The person's bookings as `status` shows them, asserting they hold no hold.
fn booked_slots(engine: &Engine, person: PersonId) -> Vec<fairbook::SlotId> {
    match engine.status(person, NOW).unwrap() {
        Status::Booked { slots, .. } => slots.as_slice().to_vec(),
        Status::Admitted { .. } => Vec::new(),
        other => panic!("{person} is {other:?}"),
    }
}

/// A rebook to the last seat of a slot races someone else's reserve of it. Exactly one of
/// them gets the seat; when the rebook loses, the person keeps their old booking; and the
/// seats taken are the bookings held.
#[test]
fn rebook_racing_a_reserve_of_the_new_slot_one_wins() {
    loom::model(|| {
        let engine = Arc::new(tiny_engine());
        let old = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
        let new = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
        let (mover, booker) = (PersonId::new(1), PersonId::new(2));
        for person in [mover, booker] {
            engine.enqueue(person, COHORT, NOW).unwrap();
        }
        engine.advance(NOW, 2).unwrap();
        engine.reserve(mover, &[old], NOW).unwrap();
        let rebook = {
            let engine = engine.clone();
            spawn(move || engine.rebook(mover, old, &[new], NOW))
        };
        let booked = engine.reserve(booker, &[new], NOW);
        let moved = rebook.join().unwrap();
        assert!(moved.is_ok() ^ booked.is_ok(), "{moved:?} {booked:?}");
        if let Err(error) = &moved {
            assert!(
                matches!(error, fairbook::RebookError::NoRoom { .. }),
                "{error:?}"
            );
        }
        if let Err(error) = &booked {
            assert!(matches!(error, ReserveError::NoRoom { .. }), "{error:?}");
        }
        let expected = if moved.is_ok() { new } else { old };
        assert_eq!(booked_slots(&engine, mover), [expected]);
        assert_eq!(
            booked_slots(&engine, booker),
            if booked.is_ok() { vec![new] } else { vec![] }
        );
        assert_eq!(engine.slot(new).unwrap().booked, 1);
        assert_eq!(engine.slot(old).unwrap().booked, u32::from(moved.is_err()));
        assert_audit_ok(&engine);
    });
}

/// A rebook away from a full slot races someone else's reserve of that old slot. The rebook
/// takes the new seat before it gives back the old one, so the person is never seen with
/// nothing (the racing thread looks while the rebook runs); the other person gets the old
/// seat exactly when the rebook had given it back; seats taken are the bookings held.
#[test]
fn rebook_racing_a_reserve_of_the_old_slot_never_leaves_nothing() {
    loom::model(|| {
        let engine = Arc::new(tiny_engine());
        let old = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
        let new = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
        let (mover, booker) = (PersonId::new(1), PersonId::new(2));
        for person in [mover, booker] {
            engine.enqueue(person, COHORT, NOW).unwrap();
        }
        engine.advance(NOW, 2).unwrap();
        engine.reserve(mover, &[old], NOW).unwrap();
        let rebook = {
            let engine = engine.clone();
            spawn(move || engine.rebook(mover, old, &[new], NOW))
        };
        let booked = engine.reserve(booker, &[old], NOW);
        // Mid-rebook or after it: the person holds exactly one booking, old or new.
        let seen = booked_slots(&engine, mover);
        assert!(seen == [old] || seen == [new], "the mover holds {seen:?}");
        let moved = rebook.join().unwrap();
        assert_eq!(moved.map(|booking| booking.slot), Ok(new));
        match &booked {
            Ok(booking) => assert_eq!(booking.slot, old),
            Err(error) => assert!(matches!(error, ReserveError::NoRoom { .. }), "{error:?}"),
        }
        assert_eq!(booked_slots(&engine, mover), [new]);
        assert_eq!(engine.slot(new).unwrap().booked, 1);
        assert_eq!(engine.slot(old).unwrap().booked, u32::from(booked.is_ok()));
        assert_audit_ok(&engine);
    });
}
