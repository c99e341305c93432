//! The canary: proof that the proof suite can fail. The canary build,
//!
//! ```text
//! RUSTFLAGS="--cfg fairbook_canary" CARGO_TARGET_DIR=target/canary cargo test --test canary
//! ```
//!
//! removes the inventory's capacity check, so that the engine overbooks. The same machinery as
//! `tests/model.rs` (strategies, model, harness, audit) must then notice: if these tests fail in
//! the canary build, the property test has gone blind and its passing means nothing.
//!
//! In a normal build the same tests run on the same scenarios and assert the opposite: nothing
//! is caught, because nothing is wrong. Each test therefore passes in exactly one of the two
//! builds for each outcome, and a harness that flags everything fails as surely as one that
//! flags nothing.

use fairbook::{CohortId, Config, Engine, PersonId, SlotSpec, Timestamp, Violation};
use fairbook_testing::proptest::strategy::{Strategy, ValueTree};
use fairbook_testing::proptest::test_runner::{
    Config as RunnerConfig, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner,
};
use fairbook_testing::{Harness, Mismatch, Op, scenario_strategy};

/// The scenarios each canary draws: as many as the model test runs by default.
const SCENARIOS: u32 = 256;

/// `true` in the canary build, whose inventory overbooks.
const CANARY: bool = cfg!(fairbook_canary);

fn overbooked(engine: &Engine) -> bool {
    engine
        .audit()
        .violations
        .iter()
        .any(|violation| matches!(violation, Violation::Overbooked { .. }))
}

/// Over a fixed set of generated scenarios, the canary harness stops some of them, always at a
/// reserve (plain, with a ticket or in a batch) where the engine booked a slot the model found full, and
/// the engine's audit then reports the overbooked slot. The normal build stops none of them.
#[test]
fn model_comparison_catches_the_overbooking() {
    let mut runner = TestRunner::deterministic();
    let mut caught = 0;
    for case in 0..SCENARIOS {
        let (universe, ops) = scenario_strategy(1..200)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let mut harness = Harness::new(&universe);
        let Err(failure) = harness.run(&ops) else {
            continue;
        };
        caught += 1;
        let context = format!("case {case}: {failure}\nuniverse: {universe:?}");
        if !CANARY {
            panic!("the harness failed on the correct engine: {context}");
        }
        let batch = matches!(failure.op, Op::ReserveBatch { .. });
        assert!(
            batch
                || matches!(
                    failure.op,
                    Op::Reserve { .. } | Op::ReserveWithTicket { .. }
                ),
            "{context}"
        );
        match &failure.mismatch {
            // The engine booked a full slot; the model refused, or booked a later choice (in a
            // batch, for one of its requests).
            Mismatch::Answer { engine, model } if batch => {
                assert!(engine.contains("Ok(Booking"), "{context}");
                assert!(engine != model, "{context}");
            }
            Mismatch::Answer { engine, model } => {
                assert!(engine.starts_with("Ok(Booking"), "{context}");
                assert!(
                    model.starts_with("Err(NoRoom") || model.starts_with("Ok(Booking"),
                    "{context}"
                );
            }
            other => panic!("expected the reserve's answers to differ, got {other}\n{context}"),
        }
        assert!(overbooked(&harness.engine), "{context}");
    }
    println!("the harness caught the overbooking in {caught} of {SCENARIOS} scenarios");
    if !CANARY {
        assert_eq!(caught, 0);
        return;
    }
    assert!(
        caught >= SCENARIOS / 20,
        "the harness caught the overbooking in only {caught} of {SCENARIOS} scenarios"
    );
}

/// The property test itself, as `tests/model.rs` runs it (random scenarios, shrinking), fails
/// in the canary build and shrinks the failure to a handful of ops that end in the overbooking
/// reserve. In the normal build it passes.
#[test]
fn property_test_fails_and_shrinks_to_the_overbooking() {
    let config = RunnerConfig {
        cases: SCENARIOS,
        failure_persistence: None,
        ..RunnerConfig::default()
    };
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let result = runner.run(&scenario_strategy(1..200), |(universe, ops)| {
        Harness::check(&universe, &ops)
            .map(drop)
            .map_err(|failure| TestCaseError::fail(failure.to_string()))
    });
    if !CANARY {
        assert!(
            result.is_ok(),
            "the property test failed on the correct engine: {result:?}"
        );
        return;
    }
    let Err(TestError::Fail(reason, (universe, ops))) = result else {
        panic!("the property test passed on an engine that overbooks: {result:?}");
    };
    println!("shrunk to {} ops: {ops:?}\nin {universe:?}", ops.len());
    assert!(reason.message().contains("answers differ"), "{reason}");
    assert!(ops.len() <= 12, "shrunk to {} ops: {ops:?}", ops.len());
    assert!(
        matches!(
            ops.last(),
            Some(Op::Reserve { .. } | Op::ReserveWithTicket { .. } | Op::ReserveBatch { .. })
        ),
        "{ops:?}"
    );
    let mut harness = Harness::new(&universe);
    assert!(
        harness.run(&ops).is_err(),
        "the shrunk case no longer fails"
    );
    assert!(overbooked(&harness.engine));
}

/// Without the model, the audit alone sees it: in the canary build three admitted people book a
/// one-seat slot and the audit reports it overbooked; in the normal build the last two are
/// refused and the audit holds.
#[test]
fn audit_alone_reports_the_overbooking() {
    let engine = Engine::new(Config::default()).unwrap();
    let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    let now = Timestamp::from_secs(1);
    for id in 0..3 {
        engine
            .enqueue(PersonId::new(id), CohortId::new(0), now)
            .unwrap();
    }
    engine.advance(now, 3).unwrap();
    let booked = (0..3)
        .filter(|&id| engine.reserve(PersonId::new(id), &[slot], now).is_ok())
        .count();
    let report = engine.audit();
    if !CANARY {
        assert_eq!(booked, 1);
        assert!(report.is_ok(), "{report}");
        return;
    }
    assert_eq!(booked, 3);
    assert!(!report.is_ok());
    assert!(
        report.violations.contains(&Violation::Overbooked {
            slot,
            booked: 3,
            capacity: 1
        }),
        "{report}"
    );
}
