//! The canary: proof that the proof suite can fail. Built only with the `canary-overbook`
//! feature, which removes the inventory's capacity check, so that the engine overbooks. The
//! same machinery as `tests/model.rs` (strategies, model, harness, audit) must notice: if these
//! tests fail, the property test has gone blind and its passing means nothing.
//!
//! ```text
//! cargo test --features canary-overbook --test canary
//! ```

#![cfg(feature = "canary-overbook")]

use fairbook::testing::proptest::strategy::{Strategy, ValueTree};
use fairbook::testing::proptest::test_runner::{
    Config as RunnerConfig, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner,
};
use fairbook::testing::{Harness, Mismatch, Op, scenario_strategy};
use fairbook::{CohortId, Config, Engine, PersonId, SlotSpec, Timestamp, Violation};

/// The scenarios each canary draws: as many as the model test runs by default.
const SCENARIOS: u32 = 256;

fn overbooked(engine: &Engine) -> bool {
    engine
        .audit()
        .violations
        .iter()
        .any(|violation| matches!(violation, Violation::Overbooked { .. }))
}

/// Over a fixed set of generated scenarios, the harness stops some of them, always at a
/// reserve (plain or with a ticket) where the engine booked a slot the model found full, and the engine's audit then
/// reports the overbooked slot.
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
        assert!(
            matches!(
                failure.op,
                Op::Reserve { .. } | Op::ReserveWithTicket { .. }
            ),
            "{context}"
        );
        match &failure.mismatch {
            // The engine booked a full slot; the model refused, or booked a later choice.
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
    assert!(
        caught >= SCENARIOS / 20,
        "the harness caught the overbooking in only {caught} of {SCENARIOS} scenarios"
    );
}

/// The property test itself, as `tests/model.rs` runs it (random scenarios, shrinking), fails,
/// and shrinks the failure to a handful of ops that end in the overbooking reserve.
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
    let Err(TestError::Fail(reason, (universe, ops))) = result else {
        panic!("the property test passed on an engine that overbooks: {result:?}");
    };
    println!("shrunk to {} ops: {ops:?}\nin {universe:?}", ops.len());
    assert!(reason.message().contains("answers differ"), "{reason}");
    assert!(ops.len() <= 8, "shrunk to {} ops: {ops:?}", ops.len());
    assert!(
        matches!(
            ops.last(),
            Some(Op::Reserve { .. } | Op::ReserveWithTicket { .. })
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

/// Without the model, the audit alone sees it: three admitted people book a one-seat slot and
/// the audit reports it overbooked.
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
    for id in 0..3 {
        engine.reserve(PersonId::new(id), &[slot], now).unwrap();
    }
    let report = engine.audit();
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
