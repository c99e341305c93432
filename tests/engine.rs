//! Whole-engine scenarios: configuration errors, time that goes backwards, and bad input that
//! must get a typed error without a panic and without changing anything.

mod common;

use common::*;
use fairbook::{
    AdvanceError, CohortId, CohortWindow, Config, ConfigError, Engine, EnqueueError, PersonId,
    ReleaseError, ReserveError, SlotId, StatusError, TimeWentBackwards, Timestamp,
};

#[test]
fn time_going_backwards_is_rejected() {
    let config = Config {
        time_skew_tolerance_ms: 500,
        ..Config::default()
    };
    let (engine, slots) = engine_with(config, &[1]);
    join_and_admit(&engine, [1], at(10));
    let late = Timestamp::from_millis(9_000);
    let backwards = TimeWentBackwards {
        now: late,
        latest: at(10),
    };
    assert_eq!(
        engine.enqueue(person(2), COHORT, late),
        Err(EnqueueError::TimeWentBackwards(backwards))
    );
    assert_eq!(
        engine.advance(late, 1),
        Err(AdvanceError::TimeWentBackwards(backwards))
    );
    assert_eq!(
        engine.reserve(person(1), &slots, late),
        Err(ReserveError::TimeWentBackwards(backwards))
    );
    assert_eq!(
        engine.release(person(1), late),
        Err(ReleaseError::TimeWentBackwards(backwards))
    );
    assert_eq!(
        engine.status(person(1), late),
        Err(StatusError::TimeWentBackwards(backwards))
    );
    // Nothing changed: person 2 never joined, the slot is free.
    assert_eq!(engine.stats().places_handed_out, 1);
    assert_eq!(engine.slot(slots[0]).unwrap().booked, 0);
    // Within the tolerance the call is served at the latest time.
    engine
        .enqueue(person(2), COHORT, Timestamp::from_millis(9_600))
        .unwrap();
    assert_audit_ok(&engine);
}

#[test]
fn bad_config_is_a_clear_error() {
    let cases = [
        (
            Config {
                people_max: 0,
                ..Config::default()
            },
            "people_max",
        ),
        (
            Config {
                slots_max: 0,
                ..Config::default()
            },
            "slots_max",
        ),
        (
            Config {
                lease_ms: 0,
                ..Config::default()
            },
            "lease_ms",
        ),
        (
            Config {
                bookings_per_person_max: 16,
                ..Config::default()
            },
            "bookings_per_person_max",
        ),
        (
            Config {
                choices_max: 0,
                ..Config::default()
            },
            "choices_max",
        ),
        (
            Config {
                cohorts: vec![],
                ..Config::default()
            },
            "cohorts",
        ),
        (
            Config {
                cohorts: vec![CohortWindow::between(at(5), at(5))],
                ..Config::default()
            },
            "cohort 0",
        ),
    ];
    for (config, named) in cases {
        let error = Engine::new(config).unwrap_err();
        let message = error.to_string();
        assert!(message.contains(named), "{message:?} should name {named}");
        assert!(!message.ends_with('.'));
    }
    assert!(matches!(
        Engine::new(Config {
            people_max: u64::MAX,
            ..Config::default()
        }),
        Err(ConfigError::PeopleMaxOutOfRange { .. })
    ));
}

#[test]
fn bad_input_gets_typed_errors_and_changes_nothing() {
    let config = Config {
        choices_max: 3,
        ..Config::default()
    };
    let (engine, slots) = engine_with(config, &[2, 2]);
    join_and_admit(&engine, [1], at(1));
    let before = engine.audit();
    let now = at(2);
    assert_eq!(
        engine.enqueue(PersonId::RESERVED, COHORT, now),
        Err(EnqueueError::InvalidPerson)
    );
    assert_eq!(
        engine.enqueue(person(2), CohortId::new(u16::MAX), now),
        Err(EnqueueError::UnknownCohort {
            cohort: CohortId::new(u16::MAX)
        })
    );
    assert_eq!(
        engine.reserve(person(1), &[], now),
        Err(ReserveError::EmptyChoice)
    );
    assert_eq!(
        engine.reserve(person(1), &[slots[0]; 4], now),
        Err(ReserveError::TooManyChoices { given: 4, max: 3 })
    );
    assert_eq!(
        engine.reserve(person(1), &[slots[0], SlotId::new(u32::MAX)], now),
        Err(ReserveError::UnknownSlot {
            slot: SlotId::new(u32::MAX)
        })
    );
    assert_eq!(
        engine.reserve(PersonId::RESERVED, &slots, now),
        Err(ReserveError::UnknownPerson)
    );
    assert_eq!(
        engine.release(PersonId::RESERVED, now),
        Err(ReleaseError::UnknownPerson)
    );
    assert!(engine.slot(SlotId::new(u32::MAX)).is_none());
    assert_eq!(engine.audit(), before);
    // Extreme times saturate instead of overflowing.
    let far = Timestamp::from_millis(u64::MAX);
    assert_eq!(far, Timestamp::MAX);
    engine.advance(far, u64::MAX).unwrap();
    assert!(matches!(
        engine.reserve(person(1), &slots, far),
        Err(ReserveError::LeaseLapsed { .. })
    ));
    assert_audit_ok(&engine);
}

#[test]
fn engine_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
}

#[test]
fn errors_display_lowercase_without_a_final_period() {
    let errors: Vec<Box<dyn std::error::Error>> = vec![
        Box::new(EnqueueError::SoldOut),
        Box::new(EnqueueError::Full { people_max: 3 }),
        Box::new(ReserveError::NoRoom { sold_out: false }),
        Box::new(ReserveError::LeaseLapsed { at: at(1) }),
        Box::new(ReleaseError::NothingToRelease),
        Box::new(ConfigError::LeaseZero),
    ];
    for error in errors {
        let message = error.to_string();
        let first = message.chars().next().unwrap();
        assert!(first.is_lowercase(), "{message:?}");
        assert!(!message.ends_with('.'), "{message:?}");
    }
}

#[test]
fn memory_is_bounded_by_config() {
    let inventory = Config {
        slots_max: 100,
        sites_max: 10,
        days_max: 2,
        standby_max: 100,
        ..Config::default()
    };
    let small = Engine::new(Config {
        people_max: 1_000,
        ..inventory.clone()
    })
    .unwrap();
    let large = Engine::new(Config {
        people_max: 1_500_000,
        ..inventory
    })
    .unwrap();
    assert!(small.memory().total_bytes() < 100_000);
    let per_person = large.memory().total_bytes() as f64 / 1_500_000.0;
    assert!(per_person <= 48.0, "{per_person:.1} bytes per person");
    // The inventory costs what its limits say: 20 bytes per slot, 28 per site, 4 per site and
    // day, 24 per region.
    let more_sites = Engine::memory_for(&Config {
        sites_max: 1_010,
        ..small.config().clone()
    })
    .unwrap();
    assert_eq!(
        more_sites.inventory_bytes - small.memory().inventory_bytes,
        1_000 * (28 + 2 * 4)
    );
}

/// The figures `Config::people_max` documents: 46.4 bytes per place at the reference surge,
/// 56 at the default, and between 45 and 67 for any size (the table's power-of-two rounding).
#[test]
fn memory_per_place_is_what_the_docs_say() {
    let per_place = |people_max: u64| {
        let memory = Engine::memory_for(&Config {
            people_max,
            ..Config::default()
        })
        .unwrap();
        (memory.waiting_room_bytes + memory.ledger_bytes) as f64 / people_max as f64
    };
    assert_eq!(format!("{:.1}", per_place(1_500_000)), "46.4");
    assert_eq!(format!("{:.1}", per_place(1 << 20)), "56.0");
    for people_max in [1_000, 100_000, 786_433, 1_572_864, 3_000_000] {
        let bytes = per_place(people_max);
        assert!((45.0..67.0).contains(&bytes), "{people_max}: {bytes:.1}");
    }
}

#[test]
fn memory_for_a_config_is_what_the_engine_allocates() {
    let configs = [
        Config::default(),
        Config {
            people_max: 1,
            slots_max: 1,
            ..Config::default()
        },
        Config {
            people_max: 1_500_000,
            slots_max: 1_568_000,
            bookings_per_person_max: 3,
            ..Config::default()
        },
        Config {
            people_max: 12_345,
            slots_max: 77,
            bookings_per_person_max: 15,
            ..Config::default()
        },
    ];
    for config in configs {
        let predicted = Engine::memory_for(&config).unwrap();
        let engine = Engine::new(config.clone()).unwrap();
        assert_eq!(predicted, engine.memory(), "{config:?}");
    }
    assert!(matches!(
        Engine::memory_for(&Config {
            lease_ms: 0,
            ..Config::default()
        }),
        Err(ConfigError::LeaseZero)
    ));
}
