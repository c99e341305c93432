//! Tools for property-checking a booking flow built on [`fairbook`].
//!
//! - [`Model`]: a reference model of the engine, single-threaded, in plain collections, that
//!   answers every call the way the docs say the engine must.
//! - [`Op`] and [`Universe`]: one vocabulary of calls over a tiny world (six people, a few
//!   slots of capacity 0 to 5, short leases), with proptest strategies ([`ops_strategy`],
//!   [`universe_strategy`], [`scenario_strategy`]) and `arbitrary::Arbitrary` impls, so that
//!   property tests and cargo-fuzz targets share it.
//! - [`Harness`]: runs an [`Engine`](fairbook::Engine) and a [`Model`] side by side, comparing
//!   every answer and checking every invariant after every op.
//! - [`assert_audit_ok`] and [`check_audit`]: the engine's own invariant audit
//!   ([`Engine::audit`](fairbook::Engine::audit)) as an assertion or a `Result`.
//!
//! `proptest` and `arbitrary` are re-exported, so a test suite uses the versions these
//! strategies and impls are written against.
//!
//! # Example: property-check that your booking flow never double-books
//!
//! A service wraps the engine in its own flow. Whatever order the requests come in, the audit
//! must hold after every step, nobody may end up with two bookings (a repeated request gets
//! the person's booking back, not a second one), and no slot may hold more than its capacity.
//!
//! ```
//! use std::collections::HashMap;
//!
//! use fairbook_testing::assert_audit_ok;
//! use fairbook_testing::proptest::prelude::*;
//! use fairbook_testing::proptest::test_runner::{Config as RunnerConfig, TestRunner};
//! use fairbook::{CohortId, Config, Engine, PersonId, SlotId, SlotSpec, Timestamp};
//!
//! /// The service's flow: join (any device), let the next person in, book the first
//! /// slot with room from the person's wish list.
//! fn book(engine: &Engine, person: PersonId, wish: &[SlotId], now: Timestamp) -> Option<SlotId> {
//!     engine.enqueue(person, CohortId::new(0), now).ok()?;
//!     engine.advance(now, 1).ok()?;
//!     engine.reserve(person, wish, now).ok().map(|booking| booking.slot)
//! }
//!
//! let capacities = [1, 2, 0];
//! // Requests: (person, first choice, milliseconds since the previous request).
//! let requests = prop::collection::vec((0u64..8, 0usize..3, 0u64..50), 1..40);
//! let mut runner = TestRunner::new(RunnerConfig::with_cases(64));
//! runner
//!     .run(&requests, |requests| {
//!         let engine = Engine::new(Config { people_max: 64, slots_max: 3, ..Config::default() })
//!             .unwrap();
//!         let slots: Vec<SlotId> = capacities
//!             .iter()
//!             .map(|&capacity| engine.add_slot(SlotSpec::with_capacity(capacity)).unwrap())
//!             .collect();
//!         let mut held: HashMap<PersonId, Vec<SlotId>> = HashMap::new();
//!         let mut now = Timestamp::from_secs(1);
//!         for (person, first, wait_ms) in requests {
//!             now = now.plus_millis(wait_ms);
//!             let person = PersonId::new(person);
//!             let wish = [slots[first], slots[(first + 1) % slots.len()]];
//!             if let Some(slot) = book(&engine, person, &wish, now) {
//!                 let bookings = held.entry(person).or_default();
//!                 if !bookings.contains(&slot) {
//!                     bookings.push(slot);
//!                 }
//!             }
//!             assert_audit_ok(&engine);
//!         }
//!         for (person, bookings) in &held {
//!             prop_assert_eq!(bookings.len(), 1, "{} booked twice", person);
//!         }
//!         for (&slot, &capacity) in slots.iter().zip(&capacities) {
//!             let booked = held.values().flatten().filter(|&&held| held == slot).count() as u32;
//!             prop_assert!(booked <= capacity, "{} overbooked", slot);
//!             prop_assert_eq!(engine.slot(slot).unwrap().booked, booked);
//!         }
//!         Ok(())
//!     })
//!     .unwrap();
//! ```
//!
//! # Example: check the engine against the model
//!
//! ```
//! use fairbook_testing::proptest::test_runner::{Config as RunnerConfig, TestRunner};
//! use fairbook_testing::{Harness, scenario_strategy};
//!
//! let mut runner = TestRunner::new(RunnerConfig::with_cases(32));
//! runner
//!     .run(&scenario_strategy(1..60), |(universe, ops)| {
//!         Harness::check(&universe, &ops).map_err(|failure| {
//!             fairbook_testing::proptest::test_runner::TestCaseError::fail(failure.to_string())
//!         })?;
//!         Ok(())
//!     })
//!     .unwrap();
//! ```

#![deny(missing_docs)]
#![deny(unsafe_code)]

mod harness;
mod model;
mod ops;
mod record_log;

pub use harness::{Coverage, Failure, Harness, Mismatch, assert_audit_ok, check_audit};
pub use model::{Model, ModelStats, validate};
pub use ops::{
    COHORTS, DAY_IDS, OP_IDS, Op, OwnedFilter, PEOPLE, REGION_IDS, SITE_IDS, SLOT_IDS, SLOTS_MAX,
    Universe, WINDOW_IDS, flows_op_strategy, flows_scenario_strategy, flows_universe_strategy,
    op_strategy, ops_strategy, scenario_strategy, universe_strategy,
};
pub use record_log::RecordLog;

/// The `arbitrary` crate that the [`Op`] and [`Universe`] impls are written against.
pub use arbitrary;
/// The `proptest` crate that the strategies are written against.
pub use proptest;
