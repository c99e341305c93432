//! Linked bookings, all or nothing: a dose series (leg 2 at the same site a configured number
//! of days after leg 1) and a group (a holder and their dependants, one person one place).

mod common;

use common::*;
use fairbook::{
    Config, Day, Engine, EnqueueError, GroupError, RegisterError, ReleaseError, ReserveError,
    SeriesError, SiteId, SlotId, SlotSpec, Status, Window,
};

fn series_engine(slots: &[(u32, u16, u32)]) -> (Engine, Vec<SlotId>) {
    let engine = Engine::new(Config {
        bookings_per_person_max: 3,
        series_gap_days_min: 21,
        series_gap_days_max: 28,
        standby_max: 0,
        // Series span weeks: more days than the default 16.
        days_max: 64,
        ..Config::default()
    })
    .unwrap();
    let slots = slots
        .iter()
        .map(|&(site, day, capacity)| {
            engine
                .add_slot(SlotSpec {
                    site: SiteId::new(site),
                    day: Day::new(day),
                    window: Window::new(0),
                    capacity,
                })
                .unwrap()
        })
        .collect();
    (engine, slots)
}

#[test]
fn dose_two_without_room_takes_neither_leg() {
    let (engine, slots) = series_engine(&[(1, 0, 5), (1, 21, 0)]);
    join_and_admit(&engine, [1], at(1));
    assert_eq!(
        engine.book_series(person(1), &[(slots[0], slots[1])], at(1)),
        Err(SeriesError::NoRoom { sold_out: false })
    );
    assert_eq!(
        engine.slot(slots[0]).unwrap().booked,
        0,
        "leg 1 was not kept"
    );
    assert!(matches!(
        engine.status(person(1), at(1)).unwrap(),
        Status::Admitted { .. }
    ));
    assert_eq!(engine.audit().series, 0);
    assert_audit_ok(&engine);
}

#[test]
fn a_series_books_both_legs_of_the_first_pair_with_room() {
    let (engine, slots) = series_engine(&[(1, 0, 5), (1, 21, 0), (1, 1, 5), (1, 23, 5)]);
    join_and_admit(&engine, [1], at(1));
    let pairs = [(slots[0], slots[1]), (slots[2], slots[3])];
    let series = engine.book_series(person(1), &pairs, at(1)).unwrap();
    assert_eq!(
        (series.first, series.second, series.rank),
        (slots[2], slots[3], 1)
    );
    // A retry answers with the series; a second one is refused.
    assert_eq!(engine.book_series(person(1), &pairs, at(1)), Ok(series));
    assert_eq!(
        engine.book_series(person(1), &pairs[..1], at(1)),
        Err(SeriesError::AlreadyInSeries)
    );
    let report = engine.audit();
    assert_eq!((report.series, report.bookings), (1, 2));
    // Releasing either leg gives back both.
    let released = engine.release_booking(person(1), slots[3], at(1)).unwrap();
    assert_eq!(released.slots.as_slice(), [slots[2], slots[3]]);
    assert_eq!(engine.audit().bookings, 0);
    assert_audit_ok(&engine);
}

#[test]
fn a_series_is_checked_for_site_and_gap() {
    let (engine, slots) = series_engine(&[(1, 0, 5), (2, 21, 5), (1, 20, 5), (1, 29, 5)]);
    join_and_admit(&engine, [1], at(1));
    let cases = [
        ((slots[0], slots[1]), SeriesError::NotSameSite { index: 0 }),
        (
            (slots[0], slots[2]),
            SeriesError::GapOutOfRange {
                index: 0,
                gap_days: 20,
                min: 21,
                max: 28,
            },
        ),
        (
            (slots[0], slots[3]),
            SeriesError::GapOutOfRange {
                index: 0,
                gap_days: 29,
                min: 21,
                max: 28,
            },
        ),
        (
            (slots[3], slots[0]),
            SeriesError::GapOutOfRange {
                index: 0,
                gap_days: -29,
                min: 21,
                max: 28,
            },
        ),
        (
            (slots[0], SlotId::new(9)),
            SeriesError::UnknownSlot {
                slot: SlotId::new(9),
            },
        ),
    ];
    for (pair, expected) in cases {
        assert_eq!(engine.book_series(person(1), &[pair], at(1)), Err(expected));
    }
    assert_eq!(
        engine.book_series(person(1), &[], at(1)),
        Err(SeriesError::EmptyChoice)
    );
    let (off, off_slots) = common::engine(&[1, 1]);
    assert_eq!(
        off.book_series(person(1), &[(off_slots[0], off_slots[1])], at(1)),
        Err(SeriesError::SeriesOff)
    );
    assert_eq!(engine.audit().bookings, 0);
    assert_audit_ok(&engine);
}

fn group_config() -> Config {
    Config {
        dependants_per_person_max: 2,
        groups_max: 2,
        standby_max: 0,
        ..Config::default()
    }
}

#[test]
fn a_dependant_shares_the_holders_place_and_cannot_book_alone() {
    let (engine, slots) = engine_with(group_config(), &[5]);
    let holder = engine.enqueue(person(1), COHORT, at(1)).unwrap().seq;
    let registered = engine
        .register_dependant(person(1), person(2), at(1))
        .unwrap();
    assert_eq!((registered.holder, registered.dependants), (holder, 1));
    // One person, one place: the dependant never gets one of their own.
    assert_eq!(
        engine.enqueue(person(2), COHORT, at(1)),
        Err(EnqueueError::Dependant { holder })
    );
    engine.advance(at(1), 10).unwrap();
    assert_eq!(
        engine.reserve(person(2), &slots, at(1)),
        Err(ReserveError::Dependant { holder })
    );
    assert_eq!(
        engine.release(person(2), at(1)),
        Err(ReleaseError::Dependant { holder })
    );
    assert_eq!(engine.stats().places_handed_out, 1);
    // Someone who joined cannot be registered, nor the holder themself, nor twice.
    engine.enqueue(person(3), COHORT, at(1)).unwrap();
    for (dependant, expected) in [
        (
            person(3),
            RegisterError::HasPlace {
                dependant: person(3),
            },
        ),
        (
            person(2),
            RegisterError::HasPlace {
                dependant: person(2),
            },
        ),
        (
            person(1),
            RegisterError::InvalidDependant {
                dependant: person(1),
            },
        ),
    ] {
        assert_eq!(
            engine.register_dependant(person(1), dependant, at(1)),
            Err(expected)
        );
    }
    // A dependant cannot hold dependants of their own.
    assert_eq!(
        engine.register_dependant(person(2), person(4), at(1)),
        Err(RegisterError::Dependant { holder })
    );
    assert_audit_ok(&engine);
}

#[test]
fn book_group_is_all_or_nothing() {
    let (engine, slots) = engine_with(group_config(), &[2, 3]);
    engine.enqueue(person(1), COHORT, at(1)).unwrap();
    engine
        .register_dependant(person(1), person(2), at(1))
        .unwrap();
    engine
        .register_dependant(person(1), person(3), at(1))
        .unwrap();
    assert_eq!(
        engine.register_dependant(person(1), person(4), at(1)),
        Err(RegisterError::DependantLimit { dependants_max: 2 })
    );
    engine.advance(at(1), 1).unwrap();
    // Two seats for three people: nobody is booked there.
    assert_eq!(
        engine.book_group(person(1), &slots[..1], at(1)),
        Err(GroupError::NoRoom { sold_out: false })
    );
    assert_eq!(engine.slot(slots[0]).unwrap().booked, 0);
    let group = engine.book_group(person(1), &slots, at(1)).unwrap();
    assert_eq!((group.slot, group.rank, group.seats), (slots[1], 1, 3));
    for dependant in [person(2), person(3)] {
        assert_eq!(
            engine.status(dependant, at(1)).unwrap(),
            Status::Dependant {
                holder: group.seq,
                slot: Some(slots[1])
            }
        );
    }
    // A retry answers with the booking; a booked group takes no new member.
    assert_eq!(engine.book_group(person(1), &slots, at(1)), Ok(group));
    let report = engine.audit();
    assert_eq!((report.bookings, report.dependant_seats), (3, 2));
    assert_audit_ok(&engine);
}

#[test]
fn a_family_is_released_with_its_holder() {
    let (engine, slots) = engine_with(group_config(), &[3]);
    engine.enqueue(person(1), COHORT, at(1)).unwrap();
    engine
        .register_dependant(person(1), person(2), at(1))
        .unwrap();
    engine.advance(at(1), 1).unwrap();
    engine.book_group(person(1), &slots, at(1)).unwrap();
    assert_eq!(
        engine.register_dependant(person(1), person(3), at(1)),
        Err(RegisterError::GroupBooked)
    );
    let released = engine.release(person(1), at(1)).unwrap();
    assert_eq!(released.slots.as_slice(), [slots[0]]);
    assert_eq!(engine.slot(slots[0]).unwrap().booked, 0);
    assert!(matches!(
        engine.status(person(2), at(1)).unwrap(),
        Status::Dependant { slot: None, .. }
    ));
    assert_audit_ok(&engine);
}

#[test]
fn groups_are_bounded_in_all() {
    let (engine, _) = engine_with(group_config(), &[3]);
    for holder in [1, 2, 3] {
        engine.enqueue(person(holder), COHORT, at(1)).unwrap();
    }
    engine
        .register_dependant(person(1), person(11), at(1))
        .unwrap();
    engine
        .register_dependant(person(2), person(12), at(1))
        .unwrap();
    assert_eq!(
        engine.register_dependant(person(3), person(13), at(1)),
        Err(RegisterError::GroupsFull { groups_max: 2 })
    );
    // A group handed out takes more members without another.
    engine
        .register_dependant(person(1), person(14), at(1))
        .unwrap();
    assert_eq!(
        engine.status(person(13), at(1)).unwrap(),
        Status::Unknown,
        "the refused registration left nothing behind"
    );
    assert_audit_ok(&engine);
}

#[test]
fn someone_the_full_room_refused_can_be_registered() {
    let config = Config {
        people_max: 1,
        ..group_config()
    };
    let (engine, _) = engine_with(config, &[3]);
    engine.enqueue(person(1), COHORT, at(1)).unwrap();
    assert!(matches!(
        engine.enqueue(person(2), COHORT, at(1)),
        Err(EnqueueError::Full { .. })
    ));
    let holder = engine
        .register_dependant(person(1), person(2), at(1))
        .unwrap()
        .holder;
    assert_eq!(
        engine.enqueue(person(2), COHORT, at(1)),
        Err(EnqueueError::Dependant { holder })
    );
    assert_audit_ok(&engine);
}
