//! The booking guarantees, one scenario each: no double booking, no overbooking, one booking
//! per person unless configured otherwise, ranked choices taken atomically, and capacity
//! given back by `release` bookable again at once.

mod common;

use common::*;
use fairbook::{Config, ReleaseError, ReserveError, Seq, SlotId, Status};

#[test]
fn last_seat_goes_to_exactly_one() {
    let (engine, slots) = engine(&[1]);
    join_and_admit(&engine, 0..3, at(1));
    let results: Vec<_> = (0..3)
        .map(|id| engine.reserve(person(id), &slots, at(2)))
        .collect();
    assert!(results[0].is_ok());
    for result in &results[1..] {
        assert_eq!(*result, Err(ReserveError::NoRoom { sold_out: true }));
    }
    assert_eq!(engine.slot(slots[0]).unwrap().booked, 1);
    assert_audit_ok(&engine);
}

#[test]
fn release_makes_capacity_bookable() {
    let (engine, slots) = engine(&[1]);
    join_and_admit(&engine, [1, 2], at(1));
    engine.reserve(person(1), &slots, at(2)).unwrap();
    assert!(engine.reserve(person(2), &slots, at(2)).is_err());
    let released = engine.release(person(1), at(3)).unwrap();
    assert_eq!(released.slots.as_slice(), slots.as_slice());
    assert!(!released.was_waiting);
    let booking = engine.reserve(person(2), &slots, at(3)).unwrap();
    assert_eq!(booking.slot, slots[0]);
    assert_eq!(
        engine.status(person(1), at(3)).unwrap(),
        Status::Released { seq: Seq::new(0) }
    );
    assert_audit_ok(&engine);
}

#[test]
fn person_never_exceeds_booking_limit() {
    let (engine, slots) = engine(&[5, 5, 5]);
    join_and_admit(&engine, [1], at(1));
    engine.reserve(person(1), &slots[..1], at(2)).unwrap();
    assert_eq!(
        engine.reserve(person(1), &slots[1..], at(2)),
        Err(ReserveError::BookingLimit { bookings_max: 1 })
    );
    let config = Config {
        bookings_per_person_max: 2,
        ..Config::default()
    };
    let (engine, slots) = engine_with(config, &[5, 5, 5]);
    join_and_admit(&engine, [1], at(1));
    let first = engine.reserve(person(1), &slots[..1], at(2)).unwrap();
    // A list naming a slot already booked is a retry: that booking, not a second one.
    assert_eq!(engine.reserve(person(1), &slots[..2], at(2)), Ok(first));
    let second = engine.reserve(person(1), &slots[1..2], at(2)).unwrap();
    assert_eq!((second.slot, second.rank), (slots[1], 0));
    assert_eq!(
        engine.reserve(person(1), &slots[2..], at(2)),
        Err(ReserveError::BookingLimit { bookings_max: 2 })
    );
    match engine.status(person(1), at(2)).unwrap() {
        Status::Booked { slots: held, .. } => assert_eq!(held.as_slice(), &slots[..2]),
        other => panic!("unexpected {other:?}"),
    }
    assert_audit_ok(&engine);
}

#[test]
fn ranked_choice_takes_first_with_room() {
    let (engine, slots) = engine(&[1, 0, 3]);
    join_and_admit(&engine, [1, 2], at(1));
    let choices = [slots[0], slots[1], slots[2]];
    let first = engine.reserve(person(1), &choices, at(2)).unwrap();
    let second = engine.reserve(person(2), &choices, at(2)).unwrap();
    assert_eq!((first.slot, first.rank), (slots[0], 0));
    assert_eq!((second.slot, second.rank), (slots[2], 2));
}

#[test]
fn changing_a_booking_keeps_the_lease() {
    let (engine, slots) = engine(&[1, 1]);
    join_and_admit(&engine, [1, 2], at(1));
    engine.reserve(person(1), &slots[..1], at(2)).unwrap();
    engine.release_booking(person(1), slots[0], at(3)).unwrap();
    // The seat is free for others at once, and person 1 may book another.
    engine.reserve(person(2), &slots[..1], at(3)).unwrap();
    assert_eq!(
        engine.reserve(person(1), &slots[1..], at(3)).unwrap().slot,
        slots[1]
    );
    assert_audit_ok(&engine);
}

#[test]
fn release_of_something_never_booked_is_rejected() {
    let (engine, slots) = engine(&[1, 1]);
    join_and_admit(&engine, [1], at(1));
    engine.reserve(person(1), &slots[..1], at(2)).unwrap();
    assert_eq!(
        engine.release_booking(person(1), slots[1], at(2)),
        Err(ReleaseError::NotBooked { slot: slots[1] })
    );
    assert_eq!(
        engine.release_booking(person(1), SlotId::new(77), at(2)),
        Err(ReleaseError::NotBooked {
            slot: SlotId::new(77)
        })
    );
    assert_eq!(
        engine.release(person(9), at(2)),
        Err(ReleaseError::UnknownPerson)
    );
    engine.release(person(1), at(3)).unwrap();
    assert_eq!(
        engine.release(person(1), at(3)),
        Err(ReleaseError::NothingToRelease)
    );
    assert_eq!(engine.slot(slots[0]).unwrap().booked, 0);
    assert_eq!(engine.slot(slots[1]).unwrap().booked, 0);
    assert_audit_ok(&engine);
}

#[test]
fn slot_never_exceeds_capacity_over_many_people() {
    let capacities = [3, 0, 7, 1, 4];
    let (engine, slots) = engine(&capacities);
    join_and_admit(&engine, 0..50, at(1));
    let mut booked = 0;
    for id in 0..50u64 {
        // Everyone wants the same ranked list, rotated a little.
        let mut choices = slots.clone();
        choices.rotate_left((id % 5) as usize);
        if engine.reserve(person(id), &choices, at(2)).is_ok() {
            booked += 1;
        }
    }
    assert_eq!(booked, capacities.iter().sum::<u32>());
    for (slot, capacity) in slots.iter().zip(capacities) {
        assert_eq!(engine.slot(*slot).unwrap().booked, capacity);
    }
    assert!(engine.is_sold_out());
    assert_audit_ok(&engine);
}

#[test]
fn ticket_is_checked_not_trusted() {
    let config = Config {
        lease_ms: 1_000,
        lapse_policy: fairbook::LapsePolicy::Requeue,
        ..Config::default()
    };
    let (engine, slots) = engine_with(config, &[5]);
    let tickets: Vec<Seq> = (0..3)
        .map(|id| engine.enqueue(person(id), COHORT, at(1)).unwrap().seq)
        .collect();
    engine.advance(at(1), 1).unwrap(); // only person 0 is admitted
    // Person 1 presents person 0's ticket: they are still judged as themselves.
    assert_eq!(
        engine.reserve_with_ticket(person(1), tickets[0], &slots, at(1)),
        Err(ReserveError::NotAdmitted {
            seq: tickets[1],
            ahead: 0
        })
    );
    // A stranger with a real ticket, and tickets past the end, get what `reserve` gives.
    assert_eq!(
        engine.reserve_with_ticket(person(99), tickets[0], &slots, at(1)),
        Err(ReserveError::UnknownPerson)
    );
    assert_eq!(
        engine.reserve_with_ticket(person(2), Seq::new(u64::MAX), &slots, at(1)),
        engine.reserve(person(2), &slots, at(1))
    );
    // A stale ticket after a requeue still finds the person's current place.
    engine.advance(at(3), 0).unwrap(); // person 0's lease lapsed at t = 2 s
    let requeued = engine.enqueue(person(0), COHORT, at(3)).unwrap();
    assert!(requeued.is_new && requeued.seq != tickets[0]);
    engine.advance(at(3), 10).unwrap();
    let booking = engine
        .reserve_with_ticket(person(0), tickets[0], &slots, at(3))
        .unwrap();
    assert_eq!(booking.seq, requeued.seq);
    // The right ticket books, once: a retry is answered with the same booking.
    let booked = engine
        .reserve_with_ticket(person(1), tickets[1], &slots, at(3))
        .unwrap();
    assert_eq!(
        engine.reserve_with_ticket(person(1), tickets[1], &slots, at(3)),
        Ok(booked)
    );
    assert_eq!(engine.slot(slots[0]).unwrap().booked, 2);
    assert_audit_ok(&engine);
}
