//! The pre-queue draw, one scenario each: people who come before a cohort's opening are
//! placed at the opening in a seeded random order that anyone can recompute from the revealed
//! secret; everyone after stays in arrival order behind them; nobody gets two places.

mod common;

use common::*;
use fairbook::{
    CohortId, CohortWindow, Config, DrawCommitment, DrawEntryError, DrawError, DrawSecret, Engine,
    EnqueueError, PersonId, Seq, Status, Timestamp, draw_order,
};

const OPENING: Timestamp = Timestamp::from_secs(600);
const DRAWN: CohortId = CohortId::new(1);

/// Cohort 0 is always open; cohort 1 opens at `OPENING`, with a draw.
fn engine_with_draw() -> Engine {
    Engine::new(Config {
        cohorts: vec![
            CohortWindow::ALWAYS,
            CohortWindow::opening_at(OPENING).with_draw(),
        ],
        ..Config::default()
    })
    .unwrap()
}

fn secret(byte: u8) -> DrawSecret {
    DrawSecret::from_bytes([byte; 32])
}

#[test]
fn the_draw_is_recomputable_from_the_revealed_seed() {
    let engine = engine_with_draw();
    let chosen = secret(0x2a);
    // Published before anyone arrives.
    let commitment = chosen.commitment().to_hex();
    for id in [9, 3, 7, 1, 5] {
        engine.enter_draw(person(id), DRAWN, at(100)).unwrap();
    }
    let record = engine.draw(DRAWN, &chosen, OPENING).unwrap();
    assert_eq!(record.entrants, [1, 3, 5, 7, 9].map(PersonId::new));
    assert_eq!((record.placed, record.first), (5, Seq::new(0)));
    // The places follow the drawn order.
    for (place, &person) in record.drawn.iter().enumerate() {
        let status = engine.status(person, OPENING).unwrap();
        assert!(
            matches!(status, Status::Waiting { seq, .. } if seq == Seq::new(place as u64)),
            "{person}: {status}"
        );
    }
    // After the reveal, anyone checks the commitment and recomputes the order from the
    // published entrants alone.
    let revealed = DrawSecret::from_hex(&chosen.to_hex()).unwrap();
    assert!(
        DrawCommitment::from_hex(&commitment)
            .unwrap()
            .verify(&revealed)
    );
    assert_eq!(draw_order(&revealed, DRAWN, &record.entrants), record.drawn);
    assert!(record.verify(&revealed));
    // Another secret would have given another order, and does not verify.
    assert!(!record.verify(&secret(0x2b)));
    assert_audit_ok(&engine);
}

/// The order pinned to an independent implementation of the specification in the crate docs
/// (SHA-256 from Python's `hashlib`, xoshiro256++ and Lemire's bounded draw written out
/// separately): ten entrants, secret `[0x2a; 32]`, cohort 7.
#[test]
fn the_draw_order_matches_an_independent_implementation_of_its_specification() {
    let entrants: Vec<PersonId> = (1..=10).map(PersonId::new).collect();
    let drawn = draw_order(&secret(0x2a), CohortId::new(7), &entrants);
    assert_eq!(drawn, [5, 8, 10, 2, 1, 4, 9, 7, 6, 3].map(PersonId::new));
    assert_eq!(
        secret(0x2a).commitment().to_hex(),
        "0682a1b919fb988ecd50211b25ee70a1d210479d3bb9aed930f9ab8563d5a5df"
    );
}

/// Over many secrets every entrant is drawn first about equally often: the shuffle is not
/// biased towards low ids (as a sort would be) or high ones.
#[test]
fn the_draw_favours_nobody() {
    let entrants: Vec<PersonId> = (0..8).map(PersonId::new).collect();
    let mut first = [0u32; 8];
    for round in 0..8_000u32 {
        let mut bytes = [0; 32];
        bytes[..4].copy_from_slice(&round.to_le_bytes());
        let drawn = draw_order(&DrawSecret::from_bytes(bytes), DRAWN, &entrants);
        first[drawn[0].as_u64() as usize] += 1;
    }
    // 1,000 each ± 5 standard deviations (about 30 × 5).
    assert!(
        first.iter().all(|&count| (850..1_150).contains(&count)),
        "{first:?}"
    );
}

#[test]
fn people_after_the_opening_stay_fifo_behind_the_drawn() {
    let engine = engine_with_draw();
    for id in 1..=4 {
        engine.enter_draw(person(id), DRAWN, at(10)).unwrap();
    }
    // At the opening, before the draw is made, nobody joins ahead of the entrants.
    assert_eq!(
        engine.enqueue(person(10), DRAWN, OPENING),
        Err(EnqueueError::DrawPending { cohort: DRAWN })
    );
    // Too late for the draw: join in arrival order once it is made.
    assert_eq!(
        engine.enter_draw(person(10), DRAWN, OPENING),
        Err(DrawEntryError::Opened {
            cohort: DRAWN,
            opens_at: OPENING
        })
    );
    engine.draw(DRAWN, &secret(1), OPENING).unwrap();
    let late: Vec<Seq> = [10, 11, 12]
        .iter()
        .map(|&id| engine.enqueue(person(id), DRAWN, OPENING).unwrap().seq)
        .collect();
    assert_eq!(late, [4, 5, 6].map(Seq::new));
    // The drawn get their places from `enqueue` as any person in line does.
    let again = engine.enqueue(person(3), DRAWN, OPENING).unwrap();
    assert!(!again.is_new && again.seq.as_u64() < 4);
    engine.advance(OPENING, 7).unwrap();
    assert_audit_ok(&engine);
}

#[test]
fn a_second_device_enters_the_draw_once() {
    let engine = engine_with_draw();
    assert!(engine.enter_draw(person(1), DRAWN, at(1)).unwrap().is_new);
    assert!(!engine.enter_draw(person(1), DRAWN, at(2)).unwrap().is_new);
    assert_eq!(
        engine.status(person(1), at(2)),
        Ok(Status::InDraw {
            cohort: DRAWN,
            draw_at: OPENING
        })
    );
    let record = engine.draw(DRAWN, &secret(2), OPENING).unwrap();
    assert_eq!((record.entrants.len(), record.placed), (1, 1));
    assert_eq!(engine.stats().places_handed_out, 1);
}

#[test]
fn nobody_gets_two_places_through_the_draw() {
    let engine = engine_with_draw();
    engine.enter_draw(person(1), DRAWN, at(1)).unwrap();
    engine.enter_draw(person(2), DRAWN, at(1)).unwrap();
    // Person 2 also joins the open cohort before the draw: they keep that place.
    let kept = engine.enqueue(person(2), CohortId::new(0), at(2)).unwrap();
    // Person 3 is in line already: the draw is not for them.
    engine.enqueue(person(3), CohortId::new(0), at(2)).unwrap();
    assert_eq!(
        engine.enter_draw(person(3), DRAWN, at(3)),
        Err(DrawEntryError::AlreadyInLine { seq: Seq::new(1) })
    );
    let record = engine.draw(DRAWN, &secret(3), OPENING).unwrap();
    assert_eq!((record.entrants.len(), record.placed), (2, 1));
    assert_eq!(record.first, Seq::new(2));
    assert_eq!(
        engine.enqueue(person(2), DRAWN, OPENING).unwrap().seq,
        kept.seq
    );
    assert_eq!(engine.stats().places_handed_out, 3);
    assert_audit_ok(&engine);
}

#[test]
fn bad_draw_requests_get_typed_errors_and_change_nothing() {
    let engine = engine_with_draw();
    let always = CohortId::new(0);
    assert_eq!(
        engine.enter_draw(person(1), always, at(1)),
        Err(DrawEntryError::NoDraw { cohort: always })
    );
    assert_eq!(
        engine.enter_draw(PersonId::RESERVED, DRAWN, at(1)),
        Err(DrawEntryError::InvalidPerson)
    );
    assert_eq!(
        engine.enter_draw(person(1), CohortId::new(9), at(1)),
        Err(DrawEntryError::UnknownCohort {
            cohort: CohortId::new(9)
        })
    );
    assert_eq!(
        engine.draw(DRAWN, &secret(1), at(1)),
        Err(DrawError::TooEarly { opens_at: OPENING })
    );
    assert_eq!(
        engine.draw(always, &secret(1), at(1)),
        Err(DrawError::NoDraw { cohort: always })
    );
    engine.enter_draw(person(1), DRAWN, at(1)).unwrap();
    engine.draw(DRAWN, &secret(1), OPENING).unwrap();
    assert_eq!(
        engine.draw(DRAWN, &secret(1), OPENING),
        Err(DrawError::AlreadyDrawn { cohort: DRAWN })
    );
    assert_eq!(engine.stats().places_handed_out, 1);
    assert_eq!(
        engine.status(PersonId::RESERVED, OPENING),
        Ok(Status::Unknown)
    );
    assert_audit_ok(&engine);
}

#[test]
fn a_full_pre_queue_is_an_error() {
    let engine = Engine::new(Config {
        cohorts: vec![
            CohortWindow::opening_at(OPENING).with_draw(),
            CohortWindow::opening_at(OPENING).with_draw(),
        ],
        pre_queue_max: 2,
        ..Config::default()
    })
    .unwrap();
    let (first, second) = (CohortId::new(0), CohortId::new(1));
    engine.enter_draw(person(1), first, at(1)).unwrap();
    engine.enter_draw(person(2), second, at(1)).unwrap();
    assert_eq!(
        engine.enter_draw(person(3), first, at(1)),
        Err(DrawEntryError::Full { pre_queue_max: 2 })
    );
    assert_eq!(
        engine.enter_draw(person(1), second, at(1)),
        Err(DrawEntryError::InOtherDraw { cohort: first })
    );
    // Each cohort draws its own entrants, with its own seed.
    assert_eq!(
        engine.draw(first, &secret(4), OPENING).unwrap().entrants,
        [person(1)]
    );
    assert_eq!(
        engine.draw(second, &secret(4), OPENING).unwrap().entrants,
        [person(2)]
    );
    assert_audit_ok(&engine);
}

/// Entries race the draw from other threads: every entrant is either placed by the draw or
/// told the draw was made, never both and never neither, and places stay dense.
#[test]
fn entries_racing_the_draw_are_placed_or_told_it_was_made() {
    use std::sync::Arc;
    for round in 0..50u64 {
        let engine = Arc::new(engine_with_draw());
        let entering: Vec<_> = (0..2u64)
            .map(|thread| {
                let engine = engine.clone();
                std::thread::spawn(move || {
                    (0..200u64)
                        .map(|id| {
                            let person = PersonId::new(thread * 1_000 + id);
                            let before_opening = OPENING.plus_millis(0).as_millis() - 1;
                            let result = engine.enter_draw(
                                person,
                                DRAWN,
                                Timestamp::from_millis(before_opening),
                            );
                            (person, result)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        std::thread::sleep(std::time::Duration::from_micros(round * 7));
        let record = engine.draw(DRAWN, &secret(round as u8), OPENING).unwrap();
        for thread in entering {
            for (person, result) in thread.join().unwrap() {
                let drawn = record.entrants.contains(&person);
                match result {
                    Ok(_) => assert!(drawn, "{person} entered but was not drawn"),
                    Err(DrawEntryError::DrawMade { .. }) => {
                        assert!(!drawn, "{person} was drawn but told it was made")
                    }
                    Err(error) => panic!("{person}: {error}"),
                }
            }
        }
        assert_eq!(record.placed, record.entrants.len() as u64);
        assert_audit_ok(&engine);
    }
}
