//! What a service needs at its edges, without any feature: ids that print and parse as plain
//! numbers, messages that still say what each number is, stable machine codes, retry hints.

mod common;

use std::collections::HashSet;

use common::*;
use fairbook::{
    AddSlotError, AdvanceError, CohortId, CohortWindow, Config, ConfigError, Day, EnqueueError,
    ParseIdError, PersonId, ReleaseError, ReserveError, Seq, SiteId, SlotId, Status, StatusError,
    TimeWentBackwards, Timestamp, Window,
};

/// `Display` then `FromStr` gives the id back, at the edges of each id's range.
#[test]
fn every_id_round_trips_through_its_text() {
    for raw in [0, 1, 42, u64::MAX - 1, u64::MAX] {
        let person = PersonId::from(raw);
        assert_eq!(person.to_string(), raw.to_string());
        assert_eq!(person.to_string().parse::<PersonId>(), Ok(person));
        assert_eq!(u64::from(person), raw);
        let seq = Seq::from(raw);
        assert_eq!(seq.to_string().parse::<Seq>(), Ok(seq));
        assert_eq!(u64::from(seq), raw);
    }
    for raw in [0, 7, u32::MAX] {
        assert_eq!(SlotId::from(raw).to_string().parse(), Ok(SlotId::new(raw)));
        assert_eq!(SiteId::from(raw).to_string().parse(), Ok(SiteId::new(raw)));
        assert_eq!(u32::from(SlotId::new(raw)), raw);
    }
    for raw in [0, 9, u16::MAX] {
        assert_eq!(
            CohortId::from(raw).to_string().parse(),
            Ok(CohortId::new(raw))
        );
        assert_eq!(Day::from(raw).to_string().parse(), Ok(Day::new(raw)));
    }
    for raw in [0, 200, u8::MAX] {
        assert_eq!(Window::from(raw).to_string().parse(), Ok(Window::new(raw)));
    }
}

#[test]
fn text_that_is_not_a_plain_number_is_a_typed_error() {
    for text in ["", " 1", "1 ", "+1", "-1", "1.0", "0x10", "one", "１"] {
        assert_eq!(
            text.parse::<PersonId>(),
            Err(ParseIdError::NotANumber { id: "person" }),
            "{text:?}"
        );
    }
    assert_eq!(
        "18446744073709551616".parse::<PersonId>(),
        Err(ParseIdError::TooLarge {
            id: "person",
            max: u64::MAX
        })
    );
    assert_eq!(
        "65536".parse::<CohortId>(),
        Err(ParseIdError::TooLarge {
            id: "cohort",
            max: 65_535
        })
    );
    assert_eq!(
        "256".parse::<Window>().unwrap_err().to_string(),
        "a window id is at most 255"
    );
    // Leading zeros name the same id: harmless, and what a person typing a number expects.
    assert_eq!("007".parse::<SlotId>(), Ok(SlotId::new(7)));
}

/// With plain-number ids, every message that embeds one still says what it is.
#[test]
fn messages_name_what_each_number_is() {
    let (engine, slots) = engine(&[1]);
    let now = at(1);
    engine.enqueue(person(7), COHORT, now).unwrap();
    let cases: Vec<(String, &str)> = vec![
        (
            engine
                .reserve(person(7), &[SlotId::new(99)], now)
                .unwrap_err()
                .to_string(),
            "slot 99 does not exist",
        ),
        (
            engine
                .reserve(person(7), &slots, now)
                .unwrap_err()
                .to_string(),
            "place 0 has not been admitted yet; 0 people are still ahead",
        ),
        (
            engine
                .enqueue(person(8), CohortId::new(3), now)
                .unwrap_err()
                .to_string(),
            "cohort 3 is not configured",
        ),
        (
            engine.status(person(7), now).unwrap().to_string(),
            "waiting at place 0, 0 ahead",
        ),
        (
            ReleaseError::NotBooked {
                slot: SlotId::new(4),
            }
            .to_string(),
            "the person holds no booking of slot 4",
        ),
    ];
    for (message, expected) in cases {
        assert_eq!(message, expected);
    }
    engine.advance(now, 1).unwrap();
    engine.reserve(person(7), &slots, now).unwrap();
    let booked = engine.status(person(7), now).unwrap().to_string();
    assert_eq!(booked, "booked at place 0: slot 0");
}

/// Codes are snake case, and distinct within each operation's enum, so a service can map
/// them one to one.
#[test]
fn error_codes_are_distinct_per_operation() {
    let backwards = TimeWentBackwards {
        now: Timestamp::ZERO,
        latest: at(5),
    };
    let enqueue = [
        EnqueueError::TimeWentBackwards(backwards),
        EnqueueError::InvalidPerson,
        EnqueueError::UnknownCohort { cohort: COHORT },
        EnqueueError::WindowNotOpen {
            cohort: COHORT,
            opens_at: at(9),
        },
        EnqueueError::WindowClosed {
            cohort: COHORT,
            closed_at: at(9),
        },
        EnqueueError::Full { people_max: 1 },
        EnqueueError::SoldOut,
        EnqueueError::PlaceReleased { seq: Seq::new(1) },
        EnqueueError::LeaseLapsed {
            seq: Seq::new(1),
            at: at(2),
        },
    ]
    .map(|error| error.code());
    let reserve = [
        ReserveError::TimeWentBackwards(backwards),
        ReserveError::UnknownPerson,
        ReserveError::EmptyChoice,
        ReserveError::TooManyChoices { given: 9, max: 8 },
        ReserveError::UnknownSlot {
            slot: SlotId::new(1),
        },
        ReserveError::NotAdmitted {
            seq: Seq::new(1),
            ahead: 1,
        },
        ReserveError::LeaseLapsed { at: at(1) },
        ReserveError::PlaceReleased,
        ReserveError::BookingLimit { bookings_max: 1 },
        ReserveError::NoRoom { sold_out: false },
    ]
    .map(|error| error.code());
    let release = [
        ReleaseError::TimeWentBackwards(backwards),
        ReleaseError::UnknownPerson,
        ReleaseError::NothingToRelease,
        ReleaseError::NotBooked {
            slot: SlotId::new(1),
        },
    ]
    .map(|error| error.code());
    let config = [
        ConfigError::PeopleMaxOutOfRange { given: 0, max: 1 },
        ConfigError::SlotsMaxOutOfRange { given: 0, max: 1 },
        ConfigError::LeaseZero,
        ConfigError::BookingsPerPersonOutOfRange { given: 0, max: 1 },
        ConfigError::ChoicesMaxOutOfRange { given: 0, max: 1 },
        ConfigError::CohortsOutOfRange { given: 0, max: 1 },
        ConfigError::CohortWindowEmpty {
            cohort: 0,
            opens_at: at(1),
            closes_at: at(1),
        },
    ]
    .map(|error| error.code());
    for codes in [&enqueue[..], &reserve[..], &release[..], &config[..]] {
        let distinct: HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), codes.len(), "{codes:?}");
        for code in codes {
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{code}"
            );
        }
    }
    assert_eq!(enqueue[0], "time_went_backwards");
    assert_eq!(
        AdvanceError::TimeWentBackwards(backwards).code(),
        "time_went_backwards"
    );
    assert_eq!(
        StatusError::TimeWentBackwards(backwards).code(),
        "time_went_backwards"
    );
    assert_eq!(AddSlotError::Full { slots_max: 1 }.code(), "inventory_full");
}

/// A join refused before the cohort's window opens says how long to wait, from the engine's
/// own refusal; other refusals give no hint.
#[test]
fn a_join_before_the_window_says_when_to_come_back() {
    let config = Config {
        cohorts: vec![CohortWindow::between(at(100), at(200))],
        ..Config::default()
    };
    let (engine, _) = engine_with(config, &[1]);
    let early = engine.enqueue(person(1), COHORT, at(40)).unwrap_err();
    assert_eq!(early.code(), "window_not_open");
    assert_eq!(early.retry_after_ms(at(40)), Some(60_000));
    assert_eq!(early.retry_after_ms(at(150)), Some(0), "already open");
    let late = engine.enqueue(person(1), COHORT, at(250)).unwrap_err();
    assert_eq!(late.code(), "window_closed");
    assert_eq!(late.retry_after_ms(at(250)), None);
}

/// `Stats::estimated_wait_ms` gives the estimate `Status::Waiting` carries, for a caller that
/// has only a `NotAdmitted` error's `ahead`.
#[test]
fn the_wait_estimate_from_stats_matches_the_status() {
    let (engine, slots) = engine(&[100]);
    for id in 0..50 {
        engine.enqueue(person(id), COHORT, at(0)).unwrap();
    }
    engine.advance(at(0), 4).unwrap();
    engine.advance(at(2), 6).unwrap(); // 6 admissions over 2 s: 3 per second
    let now = at(2);
    let Status::Waiting {
        ahead,
        estimated_wait_ms,
        ..
    } = engine.status(person(30), now).unwrap()
    else {
        panic!("person 30 should be waiting");
    };
    let ReserveError::NotAdmitted { ahead: refused, .. } =
        engine.reserve(person(30), &slots, now).unwrap_err()
    else {
        panic!("person 30 should not be admitted");
    };
    assert_eq!((ahead, refused), (20, 20));
    assert_eq!(estimated_wait_ms, Some(6_667));
    assert_eq!(engine.stats().estimated_wait_ms(refused), estimated_wait_ms);
}
