//! Changing supply at run time, one scenario each: a capacity grows or shrinks, a slot closes,
//! sites join regions; bookings are never cancelled, and bad input changes nothing.

mod common;

use common::*;
use fairbook::{
    AddSiteError, AddSlotError, CapacityChanged, CloseSlotError, Config, Day, Engine, RegionId,
    ReserveError, SLOT_CAPACITY_LIMIT, SetCapacityError, SiteId, SlotId, SlotSpec, Window,
};

#[test]
fn supply_that_arrives_late_is_bookable_at_once() {
    let (engine, slots) = engine(&[1]);
    join_and_admit(&engine, [1, 2], at(1));
    // The delivery is late: no seat until it arrives.
    engine.set_capacity(slots[0], 0).unwrap();
    assert!(engine.is_sold_out());
    assert_eq!(
        engine.reserve(person(1), &slots, at(1)),
        Err(ReserveError::NoRoom { sold_out: true })
    );
    let grown = engine.set_capacity(slots[0], 1).unwrap();
    assert_eq!(
        grown,
        CapacityChanged {
            slot: slots[0],
            capacity_before: 0,
            capacity: 1,
            booked: 0
        }
    );
    assert!(!engine.is_sold_out());
    engine.reserve(person(1), &slots, at(1)).unwrap();
    assert!(engine.is_sold_out());
    assert_eq!(
        engine.reserve(person(2), &slots, at(1)),
        Err(ReserveError::NoRoom { sold_out: true })
    );
    assert_audit_ok(&engine);
}

#[test]
fn shrinking_below_booked_is_refused_and_changes_nothing() {
    let (engine, slots) = engine(&[3]);
    join_and_admit(&engine, [1, 2], at(1));
    engine.reserve(person(1), &slots, at(1)).unwrap();
    engine.reserve(person(2), &slots, at(1)).unwrap();
    let before = engine.slot(slots[0]).unwrap();
    assert_eq!(
        engine.set_capacity(slots[0], 1),
        Err(SetCapacityError::BelowBooked {
            slot: slots[0],
            booked: 2,
            capacity: 1
        })
    );
    assert_eq!(engine.slot(slots[0]).unwrap(), before);
    // Down to exactly what is booked is fine: the slot is full, every booking kept.
    engine.set_capacity(slots[0], 2).unwrap();
    assert!(engine.is_sold_out());
    assert_eq!(engine.slot(slots[0]).unwrap().booked, 2);
    assert_audit_ok(&engine);
}

#[test]
fn closing_a_slot_keeps_its_bookings_and_takes_no_more() {
    let (engine, slots) = engine(&[5, 1]);
    join_and_admit(&engine, [1, 2, 3], at(1));
    engine.reserve(person(1), &slots[..1], at(1)).unwrap();
    engine.reserve(person(2), &slots[..1], at(1)).unwrap();
    let closed = engine.close_slot(slots[0]).unwrap();
    assert_eq!(
        (closed.capacity_before, closed.capacity, closed.booked),
        (5, 2, 2)
    );
    let view = engine.slot(slots[0]).unwrap();
    assert!(view.closed && view.free() == 0);
    // Nobody books it any more; the open slot is still there.
    assert_eq!(
        engine.reserve(person(3), &slots, at(1)).unwrap().slot,
        slots[1]
    );
    // A booking given back is gone, not free.
    engine.release(person(1), at(1)).unwrap();
    let view = engine.slot(slots[0]).unwrap();
    assert_eq!((view.spec.capacity, view.booked), (1, 1));
    assert!(engine.is_sold_out());
    assert_eq!(
        engine.close_slot(slots[0]),
        Err(CloseSlotError::AlreadyClosed { slot: slots[0] })
    );
    assert_eq!(
        engine.set_capacity(slots[0], 9),
        Err(SetCapacityError::Closed { slot: slots[0] })
    );
    assert_eq!(
        engine
            .status(person(2), at(1))
            .map(|status| matches!(status, fairbook::Status::Booked { .. })),
        Ok(true)
    );
    assert_audit_ok(&engine);
}

#[test]
fn bad_supply_changes_get_typed_errors_and_change_nothing() {
    let (engine, slots) = engine_with(
        Config {
            sites_max: 4,
            days_max: 7,
            regions_max: 2,
            ..Config::default()
        },
        &[2],
    );
    let missing = SlotId::new(7);
    assert_eq!(
        engine.set_capacity(missing, 1),
        Err(SetCapacityError::UnknownSlot { slot: missing })
    );
    assert_eq!(
        engine.set_capacity(slots[0], SLOT_CAPACITY_LIMIT + 1),
        Err(SetCapacityError::CapacityTooLarge {
            capacity: SLOT_CAPACITY_LIMIT + 1,
            max: SLOT_CAPACITY_LIMIT
        })
    );
    assert_eq!(
        engine.close_slot(missing),
        Err(CloseSlotError::UnknownSlot { slot: missing })
    );
    let at_site = |site: u32, day: u16, capacity: u32| SlotSpec {
        site: SiteId::new(site),
        day: Day::new(day),
        window: Window::new(0),
        capacity,
    };
    assert_eq!(
        engine.add_slot(at_site(4, 0, 1)),
        Err(AddSlotError::SiteOutOfRange {
            site: SiteId::new(4),
            sites_max: 4
        })
    );
    assert_eq!(
        engine.add_slot(at_site(1, 7, 1)),
        Err(AddSlotError::DayOutOfRange {
            day: Day::new(7),
            days_max: 7
        })
    );
    assert_eq!(
        engine.add_slot(at_site(1, 0, u32::MAX)),
        Err(AddSlotError::CapacityTooLarge {
            capacity: u32::MAX,
            max: SLOT_CAPACITY_LIMIT
        })
    );
    assert_eq!(
        engine.add_site(SiteId::new(9), RegionId::new(0)),
        Err(AddSiteError::SiteOutOfRange {
            site: SiteId::new(9),
            sites_max: 4
        })
    );
    assert_eq!(
        engine.add_site(SiteId::new(1), RegionId::new(2)),
        Err(AddSiteError::RegionOutOfRange {
            region: RegionId::new(2),
            regions_max: 2
        })
    );
    // Site 0 joined region 0 with its first slot; its region never changes.
    assert_eq!(
        engine.add_site(SiteId::new(0), RegionId::new(1)),
        Err(AddSiteError::AlreadyAdded {
            site: SiteId::new(0),
            region: RegionId::new(0)
        })
    );
    assert_eq!(engine.stats().slots, 1);
    assert_eq!(engine.slot(slots[0]).unwrap().spec.capacity, 2);
    assert_eq!(engine.region_of(SiteId::new(1)), None);
    assert_audit_ok(&engine);
    // Every message is a lowercase sentence without a final period.
    let messages = [
        SetCapacityError::UnknownSlot { slot: missing }.to_string(),
        CloseSlotError::AlreadyClosed { slot: missing }.to_string(),
        AddSlotError::SiteFull {
            site: SiteId::new(0),
        }
        .to_string(),
        AddSiteError::AlreadyAdded {
            site: SiteId::new(0),
            region: RegionId::new(0),
        }
        .to_string(),
    ];
    for message in messages {
        assert!(message.chars().next().unwrap().is_lowercase(), "{message}");
        assert!(!message.ends_with('.'), "{message}");
    }
}

/// A capacity that grows and shrinks while two threads book and give back: bookings are
/// never cancelled, the slot never holds more than its capacity, and the counts end exact.
#[test]
fn capacity_changes_racing_bookings_never_overbook() {
    use std::sync::Arc;
    let engine = Arc::new(Engine::new(Config::default()).unwrap());
    let slot = engine.add_slot(SlotSpec::with_capacity(2)).unwrap();
    join_and_admit(&engine, 0..2, at(1));
    let bookers: Vec<_> = (0..2)
        .map(|id| {
            let engine = engine.clone();
            std::thread::spawn(move || {
                for _ in 0..20_000 {
                    if engine.reserve(person(id), &[slot], at(1)).is_ok() {
                        engine.release_booking(person(id), slot, at(1)).unwrap();
                    }
                }
            })
        })
        .collect();
    for round in 0..20_000u32 {
        let capacity = round % 3;
        match engine.set_capacity(slot, capacity) {
            Ok(change) => assert!(change.booked <= capacity),
            Err(SetCapacityError::BelowBooked { booked, .. }) => assert!(booked > capacity),
            Err(error) => panic!("{error}"),
        }
        let view = engine.slot(slot).unwrap();
        assert!(view.booked <= view.spec.capacity, "{view}");
    }
    for booker in bookers {
        booker.join().unwrap();
    }
    assert_audit_ok(&engine);
}
