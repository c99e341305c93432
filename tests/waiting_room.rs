//! The waiting room's guarantees, one scenario each: one person, one place; no bounce; no
//! cutting in; bounded memory with a clear "full"; cohort windows; leases and their lapses.

mod common;

use common::*;
use fairbook::{
    CohortId, CohortWindow, Config, EnqueueError, LapsePolicy, OutflowPolicy, ReserveError, Seq,
    Status,
};

#[test]
fn second_device_gets_same_place() {
    let (engine, _) = engine(&[1]);
    let laptop = engine.enqueue(person(7), COHORT, at(1)).unwrap();
    engine.enqueue(person(8), COHORT, at(1)).unwrap();
    let phone = engine.enqueue(person(7), COHORT, at(2)).unwrap();
    let tablet = engine.enqueue(person(7), COHORT, at(3)).unwrap();
    assert!(laptop.is_new);
    assert!(!phone.is_new && !tablet.is_new);
    assert_eq!(laptop.seq, phone.seq);
    assert_eq!(laptop.seq, tablet.seq);
    assert_eq!(
        engine.stats().places_handed_out,
        2,
        "a person is never in line twice"
    );
    assert_audit_ok(&engine);
}

#[test]
fn reconnect_keeps_place() {
    let (engine, _) = engine(&[10]);
    for id in 0..5 {
        engine.enqueue(person(id), COHORT, at(1)).unwrap();
    }
    engine.advance(at(2), 2).unwrap();
    // Person 4 waited; their connection dropped; they come back much later.
    let before = engine.status(person(4), at(3)).unwrap();
    let again = engine.enqueue(person(4), COHORT, at(500)).unwrap();
    let after = engine.status(person(4), at(500)).unwrap();
    assert_eq!(again.seq, Seq::new(4));
    assert!(matches!(before, Status::Waiting { ahead: 2, .. }));
    assert!(matches!(after, Status::Waiting { seq, ahead: 2, .. } if seq == Seq::new(4)));
}

#[test]
fn reconnect_after_admission_keeps_the_lease() {
    let config = Config {
        lease_ms: 60_000,
        ..Config::default()
    };
    let (engine, slots) = engine_with(config, &[1]);
    join_and_admit(&engine, [1], at(10));
    let lease_until = at(10).plus_millis(60_000);
    // A device switch just before the deadline: same place, same lease, still bookable.
    let place = engine.enqueue(person(1), COHORT, at(69)).unwrap();
    assert_eq!(place.seq, Seq::new(0));
    assert_eq!(
        engine.status(person(1), at(69)).unwrap(),
        Status::Admitted {
            seq: Seq::new(0),
            lease_until
        }
    );
    assert!(engine.reserve(person(1), &slots, at(69)).is_ok());
}

#[test]
fn waiting_person_is_never_moved_back() {
    let (engine, _) = engine(&[100]);
    for id in 0..10 {
        engine.enqueue(person(id), COHORT, at(1)).unwrap();
    }
    // Lots happens around person 9: people ahead leave, others join behind, time passes.
    engine.release(person(3), at(2)).unwrap();
    engine.release(person(5), at(2)).unwrap();
    for id in 100..200 {
        engine.enqueue(person(id), COHORT, at(3)).unwrap();
    }
    engine.advance(at(4), 4).unwrap();
    let place = engine.enqueue(person(9), COHORT, at(5)).unwrap();
    assert_eq!(place.seq, Seq::new(9));
    // 10 joined before, 2 left, 4 admitted (0, 1, 2, 4): 6, 7, 8 are still ahead.
    assert!(matches!(
        engine.status(person(9), at(5)).unwrap(),
        Status::Waiting { ahead: 3, .. }
    ));
}

#[test]
fn admission_follows_join_order() {
    let (engine, _) = engine(&[100]);
    let ids = [42, 7, 99, 3, 15, 8];
    for (index, id) in ids.iter().enumerate() {
        engine
            .enqueue(person(*id), COHORT, at(index as u64))
            .unwrap();
    }
    engine.release(person(99), at(10)).unwrap(); // leaves before their turn
    let first = engine.advance(at(11), 2).unwrap();
    let second = engine.advance(at(12), 10).unwrap();
    let admitted: Vec<_> = engine
        .admitted_in(&first)
        .unwrap()
        .chain(engine.admitted_in(&second).unwrap())
        .map(|(_, p)| p.as_u64())
        .collect();
    assert_eq!(admitted, [42, 7, 3, 15, 8]);
    assert_eq!((first.admitted, second.admitted), (2, 3));
    assert_audit_ok(&engine);
}

#[test]
fn reserve_without_admission_is_rejected() {
    let (engine, slots) = engine(&[5]);
    engine.enqueue(person(1), COHORT, at(1)).unwrap();
    engine.enqueue(person(2), COHORT, at(1)).unwrap();
    // The "bypass connection": a client that claims its turn has come.
    assert_eq!(
        engine.reserve(person(2), &slots, at(2)),
        Err(ReserveError::NotAdmitted {
            seq: Seq::new(1),
            ahead: 1
        })
    );
    // Someone who never joined at all.
    assert_eq!(
        engine.reserve(person(3), &slots, at(2)),
        Err(ReserveError::UnknownPerson)
    );
    assert_eq!(engine.slot(slots[0]).unwrap().booked, 0);
    assert_audit_ok(&engine);
}

#[test]
fn reserve_after_lease_expiry_is_rejected() {
    let config = Config {
        lease_ms: 5_000,
        ..Config::default()
    };
    let (engine, slots) = engine_with(config, &[5]);
    join_and_admit(&engine, [1], at(10));
    let deadline = at(15);
    assert_eq!(
        engine.reserve(person(1), &slots, deadline),
        Err(ReserveError::LeaseLapsed { at: deadline })
    );
    assert_eq!(
        engine.status(person(1), deadline).unwrap(),
        Status::Lapsed {
            seq: Seq::new(0),
            at: deadline
        }
    );
    assert_eq!(engine.slot(slots[0]).unwrap().booked, 0);
}

#[test]
fn lapsed_lease_is_forfeited_by_default() {
    let config = Config {
        lease_ms: 1_000,
        ..Config::default()
    };
    let (engine, _) = engine_with(config, &[5]);
    join_and_admit(&engine, [1], at(10));
    let swept = engine.advance(at(20), 0).unwrap();
    assert_eq!(swept.lapsed, 1);
    assert_eq!(
        engine.enqueue(person(1), COHORT, at(21)),
        Err(EnqueueError::LeaseLapsed {
            seq: Seq::new(0),
            at: at(11)
        })
    );
    assert_audit_ok(&engine);
}

#[test]
fn lapsed_lease_requeues_at_the_back_under_requeue_policy() {
    let config = Config {
        lease_ms: 1_000,
        lapse_policy: LapsePolicy::Requeue,
        ..Config::default()
    };
    let (engine, slots) = engine_with(config, &[5]);
    join_and_admit(&engine, [1], at(10));
    engine.enqueue(person(2), COHORT, at(11)).unwrap();
    // Person 1 comes back after their lease lapsed: a new place, behind person 2.
    let requeued = engine.enqueue(person(1), COHORT, at(12)).unwrap();
    assert!(requeued.is_new);
    assert_eq!(requeued.seq, Seq::new(2));
    // Another device of the same person gets that new place, not yet another one.
    assert_eq!(
        engine.enqueue(person(1), COHORT, at(12)).unwrap().seq,
        Seq::new(2)
    );
    let advanced = engine.advance(at(13), 10).unwrap();
    let order: Vec<_> = engine
        .admitted_in(&advanced)
        .unwrap()
        .map(|(_, p)| p.as_u64())
        .collect();
    assert_eq!(order, [2, 1]);
    assert!(engine.reserve(person(1), &slots, at(13)).is_ok());
    assert_audit_ok(&engine);
}

#[test]
fn booking_survives_lease_end() {
    let config = Config {
        lease_ms: 1_000,
        ..Config::default()
    };
    let (engine, slots) = engine_with(config, &[1]);
    join_and_admit(&engine, [1], at(10));
    engine.reserve(person(1), &slots, at(10)).unwrap();
    engine.advance(at(100), 0).unwrap();
    assert!(matches!(
        engine.status(person(1), at(100)).unwrap(),
        Status::Booked { .. }
    ));
    assert_eq!(
        engine.enqueue(person(1), COHORT, at(100)).unwrap().seq,
        Seq::new(0)
    );
    assert_eq!(engine.slot(slots[0]).unwrap().booked, 1);
    assert_audit_ok(&engine);
}

#[test]
fn full_waiting_room_is_an_error() {
    let config = Config {
        people_max: 3,
        ..Config::default()
    };
    let (engine, _) = engine_with(config, &[10]);
    for id in 0..3 {
        engine.enqueue(person(id), COHORT, at(1)).unwrap();
    }
    assert_eq!(
        engine.enqueue(person(3), COHORT, at(1)),
        Err(EnqueueError::Full { people_max: 3 })
    );
    // People already in line are unaffected, and a flood of strangers changes nothing.
    for id in 1_000..2_000 {
        assert!(matches!(
            engine.enqueue(person(id), COHORT, at(1)),
            Err(EnqueueError::Full { .. })
        ));
    }
    assert_eq!(
        engine.enqueue(person(2), COHORT, at(2)).unwrap().seq,
        Seq::new(2)
    );
    assert_eq!(engine.stats().places_handed_out, 3);
    assert_audit_ok(&engine);
}

#[test]
fn cohort_window_closed_is_an_error() {
    let (opens, closes) = (at(100), at(200));
    let config = Config {
        cohorts: vec![
            CohortWindow::between(opens, closes),
            CohortWindow::opening_at(closes),
        ],
        ..Config::default()
    };
    let (engine, _) = engine_with(config, &[10]);
    let (fifties, forties) = (CohortId::new(0), CohortId::new(1));
    assert_eq!(
        engine.enqueue(person(1), fifties, at(99)),
        Err(EnqueueError::WindowNotOpen {
            cohort: fifties,
            opens_at: opens
        })
    );
    engine.enqueue(person(1), fifties, at(100)).unwrap();
    assert_eq!(
        engine.enqueue(person(2), fifties, at(200)),
        Err(EnqueueError::WindowClosed {
            cohort: fifties,
            closed_at: closes
        })
    );
    assert_eq!(
        engine.enqueue(person(3), CohortId::new(9), at(200)),
        Err(EnqueueError::UnknownCohort {
            cohort: CohortId::new(9)
        })
    );
    engine.enqueue(person(2), forties, at(200)).unwrap();
    // Closing the window bounces nobody: person 1 keeps their place.
    assert_eq!(
        engine.enqueue(person(1), fifties, at(300)).unwrap().seq,
        Seq::new(0)
    );
}

#[test]
fn sold_out_is_reported_instead_of_a_wait_for_nothing() {
    let (engine, slots) = engine(&[1]);
    join_and_admit(&engine, [1], at(1));
    engine.enqueue(person(2), COHORT, at(1)).unwrap();
    engine.reserve(person(1), &slots, at(2)).unwrap();
    assert!(engine.is_sold_out());
    assert_eq!(
        engine.status(person(2), at(2)).unwrap(),
        Status::SoldOut {
            seq: Seq::new(1),
            ahead: 0
        }
    );
    assert_eq!(
        engine.enqueue(person(3), COHORT, at(2)),
        Err(EnqueueError::SoldOut)
    );
    // Person 2 keeps their place, and a release brings the wait back to life.
    assert_eq!(
        engine.enqueue(person(2), COHORT, at(2)).unwrap().seq,
        Seq::new(1)
    );
    engine.release(person(1), at(3)).unwrap();
    assert!(matches!(
        engine.status(person(2), at(3)).unwrap(),
        Status::Waiting { .. }
    ));
}

#[test]
fn released_place_cannot_be_taken_again() {
    let (engine, _) = engine(&[1]);
    engine.enqueue(person(1), COHORT, at(1)).unwrap();
    let released = engine.release(person(1), at(2)).unwrap();
    assert!(released.was_waiting);
    assert_eq!(
        engine.enqueue(person(1), COHORT, at(3)),
        Err(EnqueueError::PlaceReleased { seq: Seq::new(0) })
    );
    assert_eq!(
        engine.status(person(1), at(3)).unwrap(),
        Status::Released { seq: Seq::new(0) }
    );
}

#[test]
fn estimated_wait_comes_from_the_observed_admission_rate() {
    let (engine, _) = engine(&[100]);
    for id in 0..50 {
        engine.enqueue(person(id), COHORT, at(0)).unwrap();
    }
    assert!(matches!(
        engine.status(person(49), at(0)).unwrap(),
        Status::Waiting {
            estimated_wait_ms: None,
            ..
        }
    ));
    // Ten people per second.
    for second in 0..3 {
        engine.advance(at(second), 10).unwrap();
    }
    match engine.status(person(49), at(2)).unwrap() {
        Status::Waiting {
            ahead,
            estimated_wait_ms: Some(wait_ms),
            ..
        } => {
            assert_eq!(ahead, 19);
            // 20 admitted over the 2 s between the first and last sample: 10/s.
            assert_eq!(wait_ms, 1_900);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn outflow_policy_caps_active_people_and_rate() {
    let (engine, slots) = engine(&[100]);
    for id in 0..100 {
        engine.enqueue(person(id), COHORT, at(0)).unwrap();
    }
    let policy = OutflowPolicy {
        admissions_per_sec: Some(20),
        active_max: Some(5),
        ..OutflowPolicy::default()
    };
    assert_eq!(
        engine.advance_with_policy(at(1), &policy).unwrap().admitted,
        5
    );
    assert_eq!(
        engine.advance_with_policy(at(2), &policy).unwrap().admitted,
        0
    );
    // Two book: two more may come in.
    engine.reserve(person(0), &slots, at(2)).unwrap();
    engine.reserve(person(1), &slots, at(2)).unwrap();
    assert_eq!(
        engine.advance_with_policy(at(2), &policy).unwrap().admitted,
        2
    );
    assert_eq!(engine.stats().active_admitted, 5);
    assert_audit_ok(&engine);
}

#[test]
fn batch_joins_match_one_call_per_request() {
    let config = Config {
        people_max: 300,
        cohorts: vec![CohortWindow::ALWAYS, CohortWindow::opening_at(at(1_000))],
        ..Config::default()
    };
    let (one_by_one, _) = engine_with(config.clone(), &[10]);
    let (batched, _) = engine_with(config, &[10]);
    // Repeats, a closed cohort, an unknown cohort, the reserved id, and more people than fit.
    let requests: Vec<_> = (0..1_000u64)
        .map(|index| {
            let id = if index % 7 == 0 {
                u64::MAX
            } else {
                (index * 31) % 450
            };
            (
                fairbook::PersonId::new(id),
                CohortId::new((index % 3) as u16),
            )
        })
        .collect();
    let expected: Vec<_> = requests
        .iter()
        .map(|&(p, cohort)| one_by_one.enqueue(p, cohort, at(5)))
        .collect();
    let mut results = vec![Err(EnqueueError::SoldOut); requests.len()];
    assert_eq!(
        batched.enqueue_batch(&requests, at(5), &mut results),
        requests.len()
    );
    assert_eq!(results, expected);
    assert_audit_ok(&batched);
    // A time too far behind the door's clock fails the whole batch and changes nothing.
    batched.advance(at(5), 0).unwrap();
    let mut late = vec![
        Ok(fairbook::Place {
            seq: Seq::new(0),
            is_new: false
        });
        2
    ];
    assert_eq!(batched.enqueue_batch(&requests[..2], at(1), &mut late), 2);
    assert!(
        late.iter()
            .all(|r| matches!(r, Err(EnqueueError::TimeWentBackwards(_))))
    );
    // Mismatched lengths: the shorter one wins, nothing panics.
    assert_eq!(
        batched.enqueue_batch(&requests, at(6), &mut results[..10]),
        10
    );
}
