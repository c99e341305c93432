//! Scopes, one scenario each: a person bound to a region is told "sold out for what you can
//! book" as soon as their region has no seat, with how many seats are free elsewhere, when
//! they join and while they wait; they cannot book outside it; a cohort can be bound too.

mod common;

use common::*;
use fairbook::{
    CohortId, CohortWindow, Config, ConfigError, Engine, EnqueueError, RebookError, RegionId,
    ReserveError, Scope, SiteId, SlotId, SlotSpec, Status,
};

const SEOUL: RegionId = RegionId::new(0);
const BUSAN: RegionId = RegionId::new(1);

/// Seoul: site 0 with one slot of `seoul` seats. Busan: site 1 with one slot of `busan`.
fn seoul_and_busan(config: Config, seoul: u32, busan: u32) -> (Engine, SlotId, SlotId) {
    let engine = Engine::new(Config {
        regions_max: 2,
        ..config
    })
    .unwrap();
    engine.add_site(SiteId::new(0), SEOUL).unwrap();
    engine.add_site(SiteId::new(1), BUSAN).unwrap();
    let seoul_slot = engine.add_slot(SlotSpec::with_capacity(seoul)).unwrap();
    let busan_slot = engine
        .add_slot(SlotSpec {
            site: SiteId::new(1),
            ..SlotSpec::with_capacity(busan)
        })
        .unwrap();
    (engine, seoul_slot, busan_slot)
}

#[test]
fn seoul_sold_out_is_said_to_a_waiting_person_while_busan_is_open() {
    let (engine, seoul, _) = seoul_and_busan(Config::default(), 1, 3);
    let in_seoul = Scope::Region(SEOUL);
    engine
        .enqueue_in(person(1), COHORT, in_seoul, at(1))
        .unwrap();
    let waiting = engine
        .enqueue_in(person(2), COHORT, in_seoul, at(1))
        .unwrap();
    engine.advance(at(1), 1).unwrap();
    assert!(matches!(
        engine.status(person(2), at(1)),
        Ok(Status::Waiting { ahead: 0, .. })
    ));
    engine.reserve(person(1), &[seoul], at(1)).unwrap();
    engine.advance(at(2), 0).unwrap(); // the door counts the seats left
    assert_eq!(
        engine.status(person(2), at(2)),
        Ok(Status::SoldOutInScope {
            seq: waiting.seq,
            ahead: 0,
            scope: in_seoul,
            free_elsewhere: 3
        })
    );
    // The place is kept: a seat given back in Seoul makes the wait worth it again.
    engine.release(person(1), at(2)).unwrap();
    assert!(matches!(
        engine.status(person(2), at(2)),
        Ok(Status::Waiting { .. })
    ));
    assert_audit_ok(&engine);
}

#[test]
fn a_first_join_into_a_sold_out_scope_is_told_what_is_free_elsewhere() {
    let (engine, _, _) = seoul_and_busan(Config::default(), 0, 4);
    assert_eq!(
        engine.enqueue_in(person(1), COHORT, Scope::Region(SEOUL), at(1)),
        Err(EnqueueError::SoldOutInScope {
            scope: Scope::Region(SEOUL),
            free_elsewhere: 4
        })
    );
    assert_eq!(engine.status(person(1), at(1)), Ok(Status::Unknown));
    assert!(
        engine
            .enqueue_in(person(1), COHORT, Scope::Region(BUSAN), at(1))
            .unwrap()
            .is_new
    );
    assert_eq!(
        engine.enqueue_in(person(2), COHORT, Scope::Region(RegionId::new(2)), at(1)),
        Err(EnqueueError::RegionOutOfRange {
            region: RegionId::new(2),
            regions_max: 2
        })
    );
    assert_audit_ok(&engine);
}

#[test]
fn a_person_bound_to_a_region_cannot_book_outside_it() {
    let (engine, seoul, busan) = seoul_and_busan(Config::default(), 1, 1);
    engine
        .enqueue_in(person(1), COHORT, Scope::Region(BUSAN), at(1))
        .unwrap();
    engine.advance(at(1), 1).unwrap();
    assert_eq!(
        engine.reserve(person(1), &[busan, seoul], at(1)),
        Err(ReserveError::OutOfScope {
            slot: seoul,
            scope: Scope::Region(BUSAN)
        })
    );
    assert_eq!(
        engine.reserve(person(1), &[busan], at(1)).unwrap().slot,
        busan
    );
    assert_audit_ok(&engine);
}

/// A rebook is a new booking: a person bound to a region cannot move their booking out of it,
/// and keeps the booking they had; within the region it moves.
#[test]
fn a_person_bound_to_a_region_cannot_rebook_outside_it() {
    let (engine, seoul, busan) = seoul_and_busan(Config::default(), 1, 1);
    let busan_late = engine
        .add_slot(SlotSpec {
            site: SiteId::new(1),
            ..SlotSpec::with_capacity(1)
        })
        .unwrap();
    engine
        .enqueue_in(person(1), COHORT, Scope::Region(BUSAN), at(1))
        .unwrap();
    engine.advance(at(1), 1).unwrap();
    engine.reserve(person(1), &[busan], at(1)).unwrap();
    assert_eq!(
        engine.rebook(person(1), busan, &[seoul, busan_late], at(1)),
        Err(RebookError::OutOfScope {
            slot: seoul,
            scope: Scope::Region(BUSAN)
        })
    );
    assert_eq!(engine.slot(busan).unwrap().booked, 1);
    assert_eq!(engine.slot(seoul).unwrap().booked, 0);
    let moved = engine
        .rebook(person(1), busan, &[busan_late], at(1))
        .unwrap();
    assert_eq!(moved.slot, busan_late);
    assert_audit_ok(&engine);
}

#[test]
fn no_room_says_sold_out_for_the_persons_scope() {
    let config = Config {
        bookings_per_person_max: 2,
        ..Config::default()
    };
    let (engine, seoul, busan) = seoul_and_busan(config, 1, 1);
    engine
        .enqueue_in(person(1), COHORT, Scope::Region(SEOUL), at(1))
        .unwrap();
    engine.enqueue(person(2), COHORT, at(1)).unwrap();
    engine.advance(at(1), 2).unwrap();
    engine.reserve(person(1), &[seoul], at(1)).unwrap();
    engine
        .enqueue_in(person(3), COHORT, Scope::Region(BUSAN), at(1))
        .unwrap();
    // Person 2 may book anywhere, and Busan has room: not sold out for them.
    assert_eq!(
        engine.reserve(person(2), &[seoul], at(1)),
        Err(ReserveError::NoRoom { sold_out: false })
    );
    engine.reserve(person(2), &[busan], at(1)).unwrap();
    assert!(engine.is_sold_out());
    assert_audit_ok(&engine);
}

#[test]
fn a_cohort_bound_to_a_region_books_only_there() {
    let config = Config {
        cohorts: vec![
            CohortWindow::ALWAYS,
            CohortWindow::ALWAYS.within(Scope::Region(BUSAN)),
        ],
        ..Config::default()
    };
    let (engine, seoul, busan) = seoul_and_busan(config, 2, 0);
    // Busan has no seat: the Busan cohort is told so; the other cohort is not.
    assert_eq!(
        engine.enqueue(person(1), CohortId::new(1), at(1)),
        Err(EnqueueError::SoldOutInScope {
            scope: Scope::Region(BUSAN),
            free_elsewhere: 2
        })
    );
    engine.enqueue(person(2), CohortId::new(0), at(1)).unwrap();
    // A person of the Busan cohort who joins with their own scope keeps it.
    engine
        .enqueue_in(person(3), CohortId::new(1), Scope::Region(SEOUL), at(1))
        .unwrap();
    engine.advance(at(1), 2).unwrap();
    engine.reserve(person(3), &[seoul], at(1)).unwrap();
    engine.set_capacity(busan, 1).unwrap();
    assert!(engine.enqueue(person(1), CohortId::new(1), at(1)).is_ok());
    assert_audit_ok(&engine);
    assert_eq!(
        Engine::new(Config {
            cohorts: vec![CohortWindow::ALWAYS.within(Scope::Region(BUSAN))],
            ..Config::default()
        })
        .err(),
        Some(ConfigError::CohortRegionOutOfRange {
            cohort: 0,
            region: BUSAN,
            regions_max: 1
        })
    );
}

#[test]
fn with_one_region_every_scope_is_everywhere() {
    let (engine, slots) = engine(&[1]);
    engine
        .enqueue_in(person(1), COHORT, Scope::Region(RegionId::new(0)), at(1))
        .unwrap();
    engine.advance(at(1), 1).unwrap();
    engine.reserve(person(1), &slots, at(1)).unwrap();
    // Everything is sold out: the engine-wide answers, as before scopes existed.
    assert_eq!(
        engine.enqueue_in(person(2), COHORT, Scope::Region(RegionId::new(0)), at(1)),
        Err(EnqueueError::SoldOut)
    );
    assert_eq!(engine.memory().waiting_room_bytes, {
        let config = engine.config().clone();
        Engine::memory_for(&config).unwrap().waiting_room_bytes
    });
    let tagged = Engine::memory_for(&Config {
        regions_max: 2,
        ..engine.config().clone()
    })
    .unwrap();
    // Two bytes per place for the scope, only with more than one region.
    assert_eq!(
        tagged.waiting_room_bytes - engine.memory().waiting_room_bytes,
        2 * engine.config().people_max as usize
    );
}
