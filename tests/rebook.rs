//! Atomic rebooking: a booking moves to the first listed slot with room, in one step; the old
//! seat is given up only once a new one is taken, a group moves whole, and a series leg does
//! not move alone.

mod common;

use common::*;
use fairbook::{Config, RebookError, SlotId, Status};

#[test]
fn rebook_never_leaves_the_person_with_nothing() {
    let (engine, slots) = engine(&[1, 1]);
    let (monday, friday) = (slots[0], slots[1]);
    join_and_admit(&engine, [1, 2, 3], at(1));
    engine.reserve(person(1), &[monday], at(1)).unwrap();
    // Done the old way, the freed seat can go to someone else in between, and the wanted day
    // fill: the person ends with nothing.
    engine.release_booking(person(1), monday, at(1)).unwrap();
    engine.reserve(person(2), &[monday], at(1)).unwrap();
    engine.reserve(person(3), &[friday], at(1)).unwrap();
    assert!(engine.reserve(person(1), &[friday, monday], at(1)).is_err());
    assert!(matches!(
        engine.status(person(1), at(1)).unwrap(),
        Status::Admitted { .. }
    ));

    // With rebook, a full target keeps the old booking, and an open one swaps in one step.
    let (engine, slots) = common::engine(&[1, 1, 1]);
    let (monday, friday, sunday) = (slots[0], slots[1], slots[2]);
    join_and_admit(&engine, [1, 2], at(1));
    engine.reserve(person(1), &[monday], at(1)).unwrap();
    engine.reserve(person(2), &[friday], at(1)).unwrap();
    assert_eq!(
        engine.rebook(person(1), monday, &[friday], at(1)),
        Err(RebookError::NoRoom { sold_out: false })
    );
    assert_eq!(engine.slot(monday).unwrap().booked, 1, "kept");
    let moved = engine
        .rebook(person(1), monday, &[friday, sunday], at(1))
        .unwrap();
    assert_eq!((moved.slot, moved.rank), (sunday, 1));
    assert_eq!(engine.slot(monday).unwrap().booked, 0);
    assert!(matches!(
        engine.status(person(1), at(1)).unwrap(),
        Status::Booked { slots: held, .. } if held.as_slice() == [sunday]
    ));
    // The seat given up is bookable at once.
    assert_eq!(
        engine
            .rebook(person(2), friday, &[monday], at(1))
            .unwrap()
            .slot,
        monday
    );
    assert_audit_ok(&engine);
}

#[test]
fn rebook_needs_a_booking_and_a_live_lease() {
    let config = Config {
        lease_ms: 1_000,
        ..Config::default()
    };
    let (engine, slots) = engine_with(config, &[1, 1]);
    join_and_admit(&engine, [1], at(1));
    assert_eq!(
        engine.rebook(person(1), slots[0], &slots[1..], at(1)),
        Err(RebookError::NotBooked { slot: slots[0] })
    );
    engine.reserve(person(1), &slots[..1], at(1)).unwrap();
    assert_eq!(
        engine.rebook(person(1), slots[0], &slots[1..], at(5)),
        Err(RebookError::LeaseLapsed { at: at(2) })
    );
    assert_eq!(
        engine.rebook(person(1), SlotId::new(9), &slots[1..], at(1)),
        Err(RebookError::UnknownSlot {
            slot: SlotId::new(9)
        })
    );
    assert_eq!(
        engine.rebook(person(1), slots[0], &[], at(1)),
        Err(RebookError::EmptyChoice)
    );
    assert_eq!(engine.slot(slots[0]).unwrap().booked, 1);
    assert_eq!(engine.slot(slots[1]).unwrap().booked, 0);
    assert_audit_ok(&engine);
}

#[test]
fn rebook_moves_a_family_whole() {
    let config = Config {
        dependants_per_person_max: 2,
        groups_max: 10,
        standby_max: 0,
        ..Config::default()
    };
    let (engine, slots) = engine_with(config, &[3, 2, 3]);
    engine.enqueue(person(1), COHORT, at(1)).unwrap();
    engine
        .register_dependant(person(1), person(2), at(1))
        .unwrap();
    engine
        .register_dependant(person(1), person(3), at(1))
        .unwrap();
    engine.advance(at(1), 1).unwrap();
    engine.book_group(person(1), &slots[..1], at(1)).unwrap();
    // Two seats are not enough for three: the middle slot is passed over.
    let moved = engine
        .rebook(person(1), slots[0], &slots[1..], at(1))
        .unwrap();
    assert_eq!(moved.slot, slots[2]);
    let booked: Vec<u32> = slots
        .iter()
        .map(|&slot| engine.slot(slot).unwrap().booked)
        .collect();
    assert_eq!(booked, [0, 0, 3]);
    assert_eq!(
        engine.status(person(3), at(1)).unwrap(),
        Status::Dependant {
            holder: moved.seq,
            slot: Some(slots[2])
        }
    );
    // Releasing the holder's booking gives back the family's seats with it.
    engine.release_booking(person(1), slots[2], at(1)).unwrap();
    assert_eq!(engine.slot(slots[2]).unwrap().booked, 0);
    assert_audit_ok(&engine);
}

#[test]
fn a_series_leg_does_not_move_alone() {
    let config = Config {
        bookings_per_person_max: 2,
        series_gap_days_min: 1,
        series_gap_days_max: 30,
        standby_max: 0,
        // Series span weeks: more days than the default 16.
        days_max: 64,
        ..Config::default()
    };
    let engine = fairbook::Engine::new(config).unwrap();
    let day = |day| fairbook::SlotSpec {
        day: fairbook::Day::new(day),
        ..fairbook::SlotSpec::with_capacity(5)
    };
    let slots: Vec<SlotId> = [0, 21, 22]
        .map(|d| engine.add_slot(day(d)).unwrap())
        .to_vec();
    join_and_admit(&engine, [1], at(1));
    engine
        .book_series(person(1), &[(slots[0], slots[1])], at(1))
        .unwrap();
    assert_eq!(
        engine.rebook(person(1), slots[1], &slots[2..], at(1)),
        Err(RebookError::SeriesLeg { slot: slots[1] })
    );
    assert_eq!(
        engine.rebook(person(1), slots[0], &slots[2..], at(1)),
        Err(RebookError::SeriesLeg { slot: slots[0] })
    );
    let booked: Vec<u32> = slots
        .iter()
        .map(|&slot| engine.slot(slot).unwrap().booked)
        .collect();
    assert_eq!(booked, [1, 1, 0], "both legs stayed where they were");
    assert_audit_ok(&engine);
}
