//! An embedded, in-memory booking engine that stays fair and fast under a surge.
//!
//! `fairbook` holds a slot inventory (site × day × time window, each with a capacity) and a
//! sequenced waiting room in memory, behind a small, pure API that a booking service calls
//! from many threads:
//!
//! - [`Engine::enqueue`]: a person joins and gets a place ([`Seq`]). Another device, a retry
//!   or a reconnect gets the *same* place.
//! - [`Engine::advance`]: the service lets the next people in, strictly in join order, each
//!   with a lease (a deadline to book).
//! - [`Engine::reserve`]: an admitted person books the first slot with room from a ranked
//!   list. Nobody else can: there is no path around the queue.
//! - [`Engine::release`]: a booking, or a place in line, is given back; the capacity is
//!   bookable again at once.
//!
//! "Pure" means the engine reads no clock, does no I/O and uses no hidden randomness: every
//! call takes `now` as an argument, so the same calls in the same order give the same state.
//! That makes it testable, replayable and simulatable.
//!
//! # Example: a booking surge in miniature
//! ```
//! use fairbook::{CohortId, Config, Engine, EnqueueError, PersonId, ReserveError, SlotSpec, Status, Timestamp};
//!
//! let engine = Engine::new(Config { lease_ms: 60_000, ..Config::default() })?;
//! let slot = engine.add_slot(SlotSpec::with_capacity(2)).unwrap();
//! let cohort = CohortId::new(0);
//! let opening = Timestamp::from_secs(1_000);
//!
//! // Three people join; one of them from a second device too.
//! let [ana, ben, cho] = [1, 2, 3].map(PersonId::new);
//! let ana_laptop = engine.enqueue(ana, cohort, opening)?;
//! engine.enqueue(ben, cohort, opening)?;
//! engine.enqueue(cho, cohort, opening)?;
//! let ana_phone = engine.enqueue(ana, cohort, opening)?;
//! assert_eq!(ana_laptop.seq, ana_phone.seq); // one person, one place
//!
//! // Nobody books before being let in.
//! assert!(matches!(engine.reserve(cho, &[slot], opening), Err(ReserveError::NotAdmitted { .. })));
//!
//! // The service admits two people per tick, in join order.
//! let tick = opening.plus_millis(1_000);
//! engine.advance(tick, 2).unwrap();
//! engine.reserve(ana, &[slot], tick).unwrap();
//! engine.reserve(ben, &[slot], tick).unwrap();
//!
//! // The slot is full, and the engine says so instead of letting people wait for nothing.
//! assert!(matches!(engine.status(cho, tick).unwrap(), Status::SoldOut { ahead: 0, .. }));
//! assert_eq!(engine.enqueue(PersonId::new(4), cohort, tick), Err(EnqueueError::SoldOut));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # API themes
//!
//! - **One engine per campaign.** [`Config`] holds every limit; [`Engine::new`] validates it
//!   and allocates everything up front. The data path never allocates, and a flood gets
//!   [`EnqueueError::Full`], not an out-of-memory crash.
//! - **Typed errors per operation.** [`EnqueueError`], [`AdvanceError`], [`StatusError`],
//!   [`ReserveError`], [`ReleaseError`], [`AddSlotError`]: each variant says what happened and
//!   what to do. Bad input never panics and never changes state.
//! - **Time is an argument.** [`Timestamp`] in milliseconds on the caller's clock. Time that
//!   goes backwards beyond [`Config::time_skew_tolerance_ms`] is an error.
//! - **Fast paths for services that batch.** [`Engine::enqueue_batch`] joins many requests
//!   per call and prefetches ahead (about twice the per-call rate);
//!   [`Engine::reserve_with_ticket`] books from the place the caller kept from `enqueue`,
//!   checked against the engine's own record, and spares a lookup. Both give exactly the
//!   answers of their plain counterparts.
//! - **Tools around the core.** [`Engine::audit`] recounts every invariant; [`fairness`]
//!   computes queue-fairness metrics over per-person outcomes; [`workload`] and [`rng`]
//!   generate the reference surge from a seed.
//! - **Snapshots under concurrency.** [`Status`], [`SlotView`] and [`Stats`] describe the
//!   engine at one instant; other threads may change it the next.
//! - **Guarantees you can check.** One person, one place; no bounce; no cutting in; no
//!   double booking or overbooking; bounded memory; typed errors. `ARCHITECTURE.md` says how
//!   each is kept, and `tests/` has a test named for each.
//!
//! # Crate features
//!
//! - `testing`: [`testing`], a reference model, an operation vocabulary (proptest strategies
//!   and `arbitrary` impls) and a harness that checks the engine against the model and audits
//!   it after every step, for property-checking a booking flow in your own test suite (pulls
//!   in `proptest` and `arbitrary`).
//! - `canary-overbook`: a deliberate fault (the inventory stops checking capacity) that the
//!   crate's own canary test uses to prove its property tests can fail. It turns on
//!   `testing`. Never enable it elsewhere.
//! - `sim`: the `sim` module, the fairness lab: a seeded discrete-event simulator that
//!   drives the engine through a surge under FIFO, shuffle and lottery admission, and a
//!   "2021 baseline" counterfactual, with per-person outcomes, time series and a commitment
//!   to every draw (pulls in `sha2`).
//! - `canary-overbook`: a deliberate fault (the inventory stops checking capacity) that the
//!   crate's own canary test uses to prove its property tests can fail. Never enable it.

#![deny(missing_docs)]
#![deny(unsafe_code)]

/// The README's example runs as a doctest, so it cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod audit;
mod clock;
mod config;
mod counter;
mod engine;
mod error;
mod fenwick;
mod hints;
mod ids;
mod inventory;
mod ledger;
mod outflow;
mod person_state;
mod person_table;
mod ring;
mod status;
mod sync;
mod time;
mod waiting_room;

pub mod fairness;
pub mod rng;
#[cfg(feature = "sim")]
pub mod sim;
#[cfg(feature = "testing")]
pub mod testing;
pub mod workload;

pub use audit::{AuditReport, Violation};
pub use config::{
    CHOICES_MAX_LIMIT, COHORTS_MAX_LIMIT, CohortWindow, Config, ConfigError, LapsePolicy,
    PEOPLE_MAX_LIMIT, SLOTS_MAX_LIMIT,
};
pub use engine::Engine;
pub use error::{
    AddSlotError, AdvanceError, EnqueueError, ReleaseError, ReserveError, StatusError,
    TimeWentBackwards,
};
pub use ids::{CohortId, Day, PersonId, Seq, SiteId, SlotId, Window};
pub use inventory::{SlotSpec, SlotView};
pub use outflow::OutflowPolicy;
pub use status::{Advanced, BookedSlots, Booking, MemoryUse, Place, Released, Stats, Status};
pub use time::Timestamp;
