//! Standby and the seat-aware door, one scenario each: a person admitted who finds no room
//! keeps their turn and is offered the next seat that frees up within their scope before
//! anyone behind them; an offer not taken goes on; "I'm done" frees an admission at once; the
//! door never lets in more people than there are seats they could book, and says why it
//! waits; nobody is moved back by the engine under either lapse policy.

mod common;

use common::*;
use fairbook::{
    Config, DoorStall, Engine, LapsePolicy, OutflowPolicy, RegionId, ReserveError, Scope, Seq,
    SiteId, SlotId, SlotSpec, StandbyError, Status, Timestamp,
};

fn lease_ms() -> u64 {
    Config::default().lease_ms
}

#[test]
fn a_freed_seat_goes_to_the_earliest_standby() {
    let (engine, slots) = engine(&[1]);
    join_and_admit(&engine, 0..4, at(1));
    engine.reserve(person(0), &slots, at(1)).unwrap();
    for id in [1, 2] {
        assert_eq!(
            engine.reserve(person(id), &slots, at(1)),
            Err(ReserveError::NoRoom { sold_out: true })
        );
    }
    // Person 2 goes on standby first, then person 1: the line is by place, not by arrival.
    assert_eq!(engine.standby(person(2), at(1)).unwrap().ahead, 0);
    assert_eq!(engine.standby(person(1), at(1)).unwrap().ahead, 0);
    assert_eq!(engine.standby(person(2), at(1)).unwrap().ahead, 1);
    assert_eq!(
        engine.status(person(1), at(1)),
        Ok(Status::Standby { seq: Seq::new(1) })
    );
    assert_eq!(engine.stats().on_standby, 2);

    engine.release(person(0), at(2)).unwrap();
    // Before the door's turn, person 3 (admitted, behind both) cannot take the freed seat.
    assert_eq!(
        engine.reserve(person(3), &slots, at(2)),
        Err(ReserveError::NoRoom { sold_out: false })
    );
    let door = engine.advance(at(3), 0).unwrap();
    assert_eq!(door.offered, 1);
    let until = at(3).plus_millis(lease_ms());
    assert_eq!(
        engine.status(person(1), at(3)),
        Ok(Status::Offered {
            seq: Seq::new(1),
            slot: slots[0],
            until
        })
    );
    assert_eq!(
        engine.status(person(2), at(3)),
        Ok(Status::Standby { seq: Seq::new(2) })
    );
    assert_eq!(
        engine.reserve(person(2), &slots, at(3)),
        Err(ReserveError::OnStandby)
    );
    let booking = engine.reserve(person(1), &slots, at(3)).unwrap();
    assert_eq!((booking.seq, booking.slot), (Seq::new(1), slots[0]));
    assert!(matches!(
        engine.status(person(1), at(3)),
        Ok(Status::Booked { .. })
    ));
    assert_audit_ok(&engine);
}

#[test]
fn someone_ahead_of_everyone_on_standby_may_still_book() {
    let (engine, slots) = engine(&[1]);
    join_and_admit(&engine, 0..3, at(1));
    engine.reserve(person(1), &slots, at(1)).unwrap();
    engine.standby(person(2), at(1)).unwrap();
    engine.release(person(1), at(2)).unwrap();
    // Person 0 is ahead of person 2: the seat is theirs to take.
    assert_eq!(
        engine.reserve(person(0), &slots, at(2)).unwrap().slot,
        slots[0]
    );
    assert_eq!(engine.advance(at(3), 0).unwrap().offered, 0);
    assert_eq!(
        engine.status(person(2), at(3)),
        Ok(Status::Standby { seq: Seq::new(2) })
    );
    assert_audit_ok(&engine);
}

#[test]
fn an_offer_not_taken_lapses_and_goes_to_the_next_on_standby() {
    let (engine, slots) = engine(&[1]);
    join_and_admit(&engine, 0..3, at(1));
    engine.reserve(person(0), &slots, at(1)).unwrap();
    engine.standby(person(1), at(1)).unwrap();
    engine.standby(person(2), at(1)).unwrap();
    engine.release(person(0), at(2)).unwrap();
    assert_eq!(engine.advance(at(2), 0).unwrap().offered, 1);
    // A booking of anything else is refused while the seat is held.
    let until = at(2).plus_millis(lease_ms());
    assert_eq!(
        engine.standby(person(1), at(2)),
        Err(StandbyError::OfferPending {
            slot: slots[0],
            until
        })
    );
    // Person 1 never comes back: at the door's first turn after the deadline, the offer lapses
    // and the seat goes on to person 2.
    let later = until.plus_millis(1);
    let door = engine.advance(later, 0).unwrap();
    assert_eq!((door.offers_lapsed, door.offered), (1, 1));
    assert_eq!(
        engine.status(person(1), later),
        Ok(Status::Lapsed {
            seq: Seq::new(1),
            at: until
        })
    );
    assert!(matches!(
        engine.status(person(2), later),
        Ok(Status::Offered { .. })
    ));
    assert_audit_ok(&engine);
}

#[test]
fn i_am_done_frees_the_admission_at_once() {
    let (engine, slots) = engine(&[5]);
    for id in 0..3 {
        engine.enqueue(person(id), COHORT, at(1)).unwrap();
    }
    let one_at_a_time = OutflowPolicy {
        active_max: Some(1),
        ..OutflowPolicy::default()
    };
    assert_eq!(
        engine
            .advance_with_policy(at(1), &one_at_a_time)
            .unwrap()
            .admitted,
        1
    );
    assert_eq!(
        engine
            .advance_with_policy(at(2), &one_at_a_time)
            .unwrap()
            .admitted,
        0
    );
    // Person 0 looks and leaves without booking: the next person is let in at the next turn,
    // not when person 0's lease would have run out.
    assert!(!engine.release(person(0), at(3)).unwrap().was_waiting);
    assert_eq!(
        engine
            .advance_with_policy(at(3), &one_at_a_time)
            .unwrap()
            .admitted,
        1
    );
    engine.reserve(person(1), &slots, at(3)).unwrap();
    assert_audit_ok(&engine);
}

#[test]
fn standby_people_do_not_jam_an_active_cap() {
    let (engine, slots) = engine(&[1]);
    for id in 0..4 {
        engine.enqueue(person(id), COHORT, at(1)).unwrap();
    }
    let two_at_a_time = OutflowPolicy {
        active_max: Some(2),
        ..OutflowPolicy::default()
    };
    assert_eq!(
        engine
            .advance_with_policy(at(1), &two_at_a_time)
            .unwrap()
            .admitted,
        2
    );
    engine.reserve(person(0), &slots, at(1)).unwrap();
    assert!(engine.reserve(person(1), &slots, at(1)).is_err());
    // Person 1 found no room: on standby, they no longer hold one of the two active places.
    engine.standby(person(1), at(1)).unwrap();
    assert_eq!(engine.stats().active_admitted, 0);
    assert_eq!(
        engine
            .advance_with_policy(at(2), &two_at_a_time)
            .unwrap()
            .admitted,
        2
    );
    assert_audit_ok(&engine);
}

#[test]
fn door_never_admits_more_than_bookable_seats() {
    let config = Config {
        seat_aware_door: true,
        ..Config::default()
    };
    let (engine, slots) = engine_with(config, &[2]);
    for id in 0..5 {
        engine.enqueue(person(id), COHORT, at(1)).unwrap();
    }
    let door = engine.advance(at(1), u64::MAX).unwrap();
    assert_eq!((door.admitted, door.stall), (2, None));
    let stalled = engine.advance(at(2), u64::MAX).unwrap();
    assert_eq!(
        (stalled.admitted, stalled.stall),
        (0, Some(DoorStall::NoSeat))
    );
    assert!(matches!(
        engine.status(person(2), at(2)),
        Ok(Status::Waiting {
            ahead: 0,
            door_stall: Some(DoorStall::NoSeat),
            ..
        })
    ));
    // A booking turns a claim into a booked seat: still no seat for the next person.
    engine.reserve(person(0), &slots, at(2)).unwrap();
    assert_eq!(engine.advance(at(3), u64::MAX).unwrap().admitted, 0);
    // Person 1 gives up: their seat is free and theirs no longer: the next person comes in.
    engine.release(person(1), at(3)).unwrap();
    assert_eq!(engine.advance(at(4), u64::MAX).unwrap().admitted, 1);
    engine.reserve(person(2), &slots, at(4)).unwrap();
    assert_eq!(engine.stats().active_admitted, 0);
    assert_audit_ok(&engine);
}

#[test]
fn the_seat_aware_door_waits_in_join_order_for_a_seat_in_the_next_persons_region() {
    let engine = Engine::new(Config {
        regions_max: 2,
        seat_aware_door: true,
        ..Config::default()
    })
    .unwrap();
    let (seoul, busan) = (RegionId::new(0), RegionId::new(1));
    engine.add_site(SiteId::new(1), busan).unwrap();
    let seoul_slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    let busan_slot = engine
        .add_slot(SlotSpec {
            site: SiteId::new(1),
            ..SlotSpec::with_capacity(2)
        })
        .unwrap();
    let scopes = [seoul, busan, seoul, busan].map(Scope::Region);
    for (id, scope) in (0..).zip(scopes) {
        engine.enqueue_in(person(id), COHORT, scope, at(1)).unwrap();
    }
    // Seoul has one seat: person 0 takes its claim, person 1 one of Busan's two, and person 2
    // (Seoul) has none: the door waits at them, and person 3 (Busan) waits behind.
    let door = engine.advance(at(1), u64::MAX).unwrap();
    assert_eq!((door.admitted, door.stall), (2, None));
    assert_eq!(
        engine.advance(at(2), u64::MAX).unwrap().stall,
        Some(DoorStall::NoSeat)
    );
    engine.reserve(person(1), &[busan_slot], at(2)).unwrap();
    engine.set_capacity(seoul_slot, 2).unwrap();
    assert_eq!(engine.advance(at(3), u64::MAX).unwrap().admitted, 2);
    assert_audit_ok(&engine);
}

#[test]
fn no_person_is_moved_back_by_the_engine_under_either_lapse_policy() {
    for lapse_policy in [LapsePolicy::Forfeit, LapsePolicy::Requeue] {
        let config = Config {
            lapse_policy,
            lease_ms: 1_000,
            ..Config::default()
        };
        let (engine, slots) = engine_with(config, &[1]);
        join_and_admit(&engine, 0..2, at(1));
        engine.reserve(person(0), &slots, at(1)).unwrap();
        engine.standby(person(1), at(1)).unwrap();
        // Hours of door turns: person 1's lease would have lapsed long ago; on standby it does
        // not, and they keep their place.
        let mut now = at(1);
        for _ in 0..100 {
            now = now.plus_millis(60_000);
            let door = engine.advance(now, u64::MAX).unwrap();
            assert_eq!(door.lapsed, 0, "{lapse_policy:?}");
            assert_eq!(
                engine.status(person(1), now),
                Ok(Status::Standby { seq: Seq::new(1) })
            );
            let again = engine.enqueue(person(1), COHORT, now).unwrap();
            assert_eq!((again.seq, again.is_new), (Seq::new(1), false));
        }
        engine.release(person(0), now).unwrap();
        engine.advance(now, 0).unwrap();
        assert_eq!(
            engine.reserve(person(1), &slots, now).unwrap().seq,
            Seq::new(1)
        );
        assert_audit_ok(&engine);
    }
}

#[test]
fn standby_is_refused_while_seats_are_free_and_changes_nothing() {
    let (engine, slots) = engine(&[1, 1]);
    join_and_admit(&engine, 0..2, at(1));
    engine.reserve(person(0), &slots[..1], at(1)).unwrap();
    assert_eq!(
        engine.reserve(person(1), &slots[..1], at(1)),
        Err(ReserveError::NoRoom { sold_out: false })
    );
    assert_eq!(
        engine.standby(person(1), at(1)),
        Err(StandbyError::SeatsFree)
    );
    assert!(matches!(
        engine.status(person(1), at(1)),
        Ok(Status::Admitted { .. })
    ));
    assert_eq!(
        engine.standby(person(0), at(1)),
        Err(StandbyError::HoldsBooking)
    );
    assert_eq!(
        engine.standby(person(9), at(1)),
        Err(StandbyError::UnknownPerson)
    );
    engine.enqueue(person(5), COHORT, at(1)).unwrap();
    assert!(matches!(
        engine.standby(person(5), at(1)),
        Err(StandbyError::NotAdmitted { .. })
    ));
    assert_eq!(engine.stats().on_standby, 0);
    assert_audit_ok(&engine);
}

#[test]
fn a_full_standby_line_is_an_error() {
    let config = Config {
        standby_max: 1,
        ..Config::default()
    };
    let (engine, slots) = engine_with(config, &[1]);
    join_and_admit(&engine, 0..3, at(1));
    engine.reserve(person(0), &slots, at(1)).unwrap();
    engine.standby(person(1), at(1)).unwrap();
    assert_eq!(
        engine.standby(person(2), at(1)),
        Err(StandbyError::LineFull { standby_max: 1 })
    );
    assert!(matches!(
        engine.status(person(2), at(1)),
        Ok(Status::Admitted { .. })
    ));
    // Leaving the line makes room.
    engine.release(person(1), at(1)).unwrap();
    engine.standby(person(2), at(1)).unwrap();
    assert_audit_ok(&engine);
}

#[test]
fn a_stalled_door_says_why_there_is_no_estimate() {
    let (engine, slots) = engine(&[10]);
    for id in 0..3 {
        engine.enqueue(person(id), COHORT, Timestamp::ZERO).unwrap();
    }
    // No turn yet: no rate, no stall.
    assert!(matches!(
        engine.status(person(2), Timestamp::ZERO),
        Ok(Status::Waiting {
            estimated_wait_ms: None,
            door_stall: None,
            ..
        })
    ));
    let capped = OutflowPolicy {
        active_max: Some(1),
        ..OutflowPolicy::default()
    };
    engine.advance_with_policy(at(1), &capped).unwrap();
    // Person 0 holds the one active place and has not booked: the door stands still, and says
    // so instead of giving an estimate it does not have.
    engine.advance_with_policy(at(2), &capped).unwrap();
    let status = engine.status(person(2), at(2)).unwrap();
    assert!(
        matches!(
            status,
            Status::Waiting {
                ahead: 1,
                estimated_wait_ms: None,
                door_stall: Some(DoorStall::ActiveCap),
                ..
            }
        ),
        "{status}"
    );
    assert!(
        status.to_string().contains("admitted people to book"),
        "{status}"
    );
    // Person 0 books: the door moves again, one person a second, and the estimate is back.
    engine.reserve(person(0), &slots, at(2)).unwrap();
    engine.advance_with_policy(at(3), &capped).unwrap();
    assert_eq!(
        engine.status(person(2), at(3)),
        Ok(Status::Waiting {
            seq: Seq::new(2),
            ahead: 0,
            estimated_wait_ms: Some(0),
            door_stall: None
        })
    );
}

#[test]
fn a_person_on_standby_may_leave_and_cannot_be_offered_afterwards() {
    let (engine, slots) = engine(&[1]);
    join_and_admit(&engine, 0..2, at(1));
    engine.reserve(person(0), &slots, at(1)).unwrap();
    engine.standby(person(1), at(1)).unwrap();
    let released = engine.release(person(1), at(1)).unwrap();
    assert!(released.slots.is_empty() && !released.was_waiting);
    engine.release(person(0), at(2)).unwrap();
    assert_eq!(engine.advance(at(2), 0).unwrap().offered, 0);
    assert_eq!(
        engine.status(person(1), at(2)),
        Ok(Status::Released { seq: Seq::new(1) })
    );
    assert_eq!(engine.slot(SlotId::new(0)).unwrap().booked, 0);
    assert_audit_ok(&engine);
}
