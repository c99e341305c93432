//! Regression tests: one scenario per bug the model test, the fuzzers or the stress tests
//! found in the engine, named for the scenario, each replaying the shortest sequence that
//! showed it.

use fairbook::{
    CohortId, CohortWindow, Config, Engine, EnqueueError, PersonId, SlotSpec, Status, Timestamp,
};

/// Two people turned away by a full room are in the same position: neither holds a place. The
/// first of them used to be remembered as "refused" (the claim that found the room full had
/// already taken a table cell), and every later join of theirs was answered `Full` before the
/// cohort window was checked, while the second got the documented first-join answer.
#[test]
fn turned_away_people_rejoin_as_first_joins() {
    let opens_at = Timestamp::from_millis(100);
    let closed_at = Timestamp::from_millis(700);
    let cohort = CohortId::new(0);
    let config = Config {
        people_max: 1,
        cohorts: vec![CohortWindow::between(opens_at, closed_at)],
        ..Config::default()
    };
    let engine = Engine::new(config).unwrap();
    engine.enqueue(PersonId::new(0), cohort, opens_at).unwrap();
    let (first, second) = (PersonId::new(1), PersonId::new(2));
    let full = Err(EnqueueError::Full { people_max: 1 });
    assert_eq!(engine.enqueue(first, cohort, opens_at), full);
    assert_eq!(engine.enqueue(second, cohort, opens_at), full);
    for person in [first, second] {
        assert_eq!(engine.status(person, opens_at), Ok(Status::Unknown));
        assert_eq!(
            engine.enqueue(person, cohort, closed_at),
            Err(EnqueueError::WindowClosed { cohort, closed_at }),
            "{person}"
        );
    }
    assert!(engine.audit().is_ok(), "{}", engine.audit());
}

/// A room with no place left and an inventory with no seat left: a new person used to get
/// `SoldOut` or `Full` depending on whether somebody had been turned away before (the room
/// remembers a refused claim as a cheap "used up" flag). The answer now depends only on the
/// state: sold out first, as for a requeue, then full.
#[test]
fn new_person_at_a_full_sold_out_room_gets_sold_out_whatever_came_before() {
    let now = Timestamp::from_secs(1);
    let cohort = CohortId::new(0);
    for turned_away_before in [false, true] {
        let engine = Engine::new(Config {
            people_max: 1,
            ..Config::default()
        })
        .unwrap();
        let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
        let holder = PersonId::new(0);
        engine.enqueue(holder, cohort, now).unwrap();
        if turned_away_before {
            let turned_away = engine.enqueue(PersonId::new(1), cohort, now);
            assert_eq!(turned_away, Err(EnqueueError::Full { people_max: 1 }));
        }
        engine.advance(now, 1).unwrap();
        engine.reserve(holder, &[slot], now).unwrap();
        assert!(engine.is_sold_out());
        assert_eq!(
            engine.enqueue(PersonId::new(2), cohort, now),
            Err(EnqueueError::SoldOut),
            "turned away before: {turned_away_before}"
        );
        assert!(engine.audit().is_ok(), "{}", engine.audit());
    }
}
