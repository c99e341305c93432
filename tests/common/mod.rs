//! Small helpers shared by the scenario tests: build an engine, join and admit people, and
//! check the audit.

#![allow(dead_code)]

use fairbook::{CohortId, Config, Engine, PersonId, SlotId, SlotSpec, Timestamp};

pub const COHORT: CohortId = CohortId::new(0);

pub fn at(secs: u64) -> Timestamp {
    Timestamp::from_secs(secs)
}

pub fn person(id: u64) -> PersonId {
    PersonId::new(id)
}

/// An engine with the given config and one slot per capacity.
pub fn engine_with(config: Config, capacities: &[u32]) -> (Engine, Vec<SlotId>) {
    let engine = Engine::new(config).expect("valid config");
    let slots = capacities
        .iter()
        .map(|&capacity| engine.add_slot(SlotSpec::with_capacity(capacity)).unwrap())
        .collect();
    (engine, slots)
}

pub fn engine(capacities: &[u32]) -> (Engine, Vec<SlotId>) {
    engine_with(Config::default(), capacities)
}

/// Joins people `ids` at `now`, in order, and admits them all.
pub fn join_and_admit(engine: &Engine, ids: impl IntoIterator<Item = u64>, now: Timestamp) {
    let mut count = 0;
    for id in ids {
        engine.enqueue(person(id), COHORT, now).unwrap();
        count += 1;
    }
    engine.advance(now, count).unwrap();
}

pub fn assert_audit_ok(engine: &Engine) {
    let report = engine.audit();
    assert!(report.is_ok(), "{report}");
}
