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
//! Around them:
//!
//! - **Finding a seat.** [`Engine::search`] lists the slots with room by area (a list of
//!   sites, nearest first; a region; everywhere), days and windows, in a stated order, lazily;
//!   [`Engine::free_seats`] counts the free seats there; [`Engine::is_sold_out_in`] says
//!   whether a region has any left. Sites are grouped into regions with [`Engine::add_site`].
//! - **Being told the truth.** A cohort ([`CohortWindow::scope`]) or a person
//!   ([`Engine::enqueue_in`]) can be bound to a region ([`Scope`]): `enqueue` and `status` say
//!   "sold out for what you can book" as soon as it has no seat, with how many seats are free
//!   elsewhere ([`Status::SoldOutInScope`]).
//! - **Keeping one's turn.** An admitted person who found no room goes on standby
//!   ([`Engine::standby`]): the next seat that frees up within their scope is offered to them
//!   before anyone behind them ([`Status::Offered`]). With [`Config::seat_aware_door`], the door
//!   never lets in more people than there are seats they could book, and `status` says why it
//!   waits ([`DoorStall`]).
//! - **Changing supply.** [`Engine::set_capacity`] and [`Engine::close_slot`] at run time;
//!   bookings are never cancelled.
//! - **The pre-queue draw.** People who come before a cohort's opening enter its draw
//!   ([`Engine::enter_draw`]); at the opening [`Engine::draw`] places them in a seeded random
//!   order that anyone can recompute once the secret, committed to beforehand, is revealed
//!   ([`DrawSecret`], [`DrawRecord`]).
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
//!   [`ReserveError`], [`ReleaseError`], [`StandbyError`], [`SearchError`],
//!   [`AddSlotError`], [`AddSiteError`], [`SetCapacityError`], [`CloseSlotError`],
//!   [`DrawEntryError`], [`DrawError`]: each variant says what happened and what to do. Bad
//!   input never panics and never changes state.
//! - **Time is an argument.** [`Timestamp`] in milliseconds on the caller's clock. Time that
//!   goes backwards beyond [`Config::time_skew_tolerance_ms`] is an error.
//! - **Fast paths for services that batch.** [`Engine::enqueue_batch`] joins many requests
//!   per call and prefetches ahead (about twice the per-call rate);
//!   [`Engine::reserve_with_ticket`] books from the place the caller kept from `enqueue`,
//!   checked against the engine's own record, and spares a lookup. Both give exactly the
//!   answers of their plain counterparts.
//! - **An audit you can run.** [`Engine::audit`] recounts every invariant from scratch and
//!   lists what is broken, for tests, fuzzers and operators.
//! - **Snapshots under concurrency.** [`Status`], [`SlotView`] and [`Stats`] describe the
//!   engine at one instant; other threads may change it the next.
//! - **Guarantees you can check.** One person, one place; no bounce; no cutting in; no
//!   double booking or overbooking; bounded memory; typed errors. `ARCHITECTURE.md` says how
//!   each is kept, and `tests/` has a test named for each.
//!
//! # Crate features
//!
//! By default the core depends on `crossbeam-utils`, `parking_lot`, `libc` and `sha2` (the
//! draw's hash) only. Every feature is additive and off by default:
//!
//! - `serde`: `Serialize`/`Deserialize` for the vocabulary a service puts on the wire or in a
//!   file: the ids (as plain numbers), [`Timestamp`] (milliseconds), [`Config`] (with
//!   [`CohortWindow`] and [`LapsePolicy`]), [`SlotSpec`], [`SlotView`], [`OutflowPolicy`],
//!   [`Place`], [`Status`], [`Booking`], [`Released`], [`Stats`] and the errors (an object
//!   whose `"code"` is the error's [`code`](ReserveError::code)); `Serialize` for
//!   [`AuditReport`].
//! - `tracing`: events on the control path (engine built, slot added, what an `advance` did),
//!   none on the data path.
//! - `clock`: `WallClock`, the system clock as Unix-millisecond [`Timestamp`]s that never
//!   go backwards. The engine itself never reads it.
//! - `pass`: signed admission passes (HMAC-SHA256, module `pass`): the service mints a pass when
//!   a person is admitted, and any process holding the key checks it without the engine.
//!
//! Around the core, as crates of the same workspace that use only this public API:
//!
//! - `fairbook-testing`: a reference model, an operation vocabulary (proptest strategies and
//!   `arbitrary` impls) and a harness that checks the engine against the model and audits it
//!   after every step, for property-checking a booking flow in your own test suite.
//! - `fairbook-lab`: the fairness lab for researchers: fairness metrics, seeded random
//!   numbers, the reference-surge generator and a discrete-event simulator of a surge under
//!   several admission policies.
//! - `fairbook-server`: a booking service on the engine (axum): JSON endpoints, the door's
//!   timer, signed passes, a waiting-room page.
//!
//! Two build knobs change behaviour for testing and are `cfg`s, never features, so that
//! `--all-features` builds stay correct: `--cfg loom` swaps the atomics for `loom`'s
//! model-checked ones, and `--cfg fairbook_canary` removes the inventory's capacity check so
//! that the test suite can prove it notices an overbooking. Never set either in a service.

#![deny(missing_docs)]
#![deny(unsafe_code)]

/// The README's example runs as a doctest, so it cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod audit;
mod config;
mod engine;
mod error;
mod ids;
mod inventory;
#[cfg(feature = "pass")]
pub mod pass;
mod platform;
mod record;
mod scope;
#[cfg(feature = "serde")]
mod serde_support;
mod status;
mod time;
mod trace;
mod waiting_room;
#[cfg(feature = "clock")]
mod wall_clock;

pub use audit::{AuditReport, Violation};
pub use config::{
    BOOKINGS_PER_PERSON_LIMIT, CHOICES_MAX_LIMIT, COHORTS_MAX_LIMIT, CohortWindow, Config,
    ConfigError, DAYS_MAX_LIMIT, DEPENDANTS_PER_PERSON_LIMIT, HOLDS_PER_PERSON_LIMIT, LapsePolicy,
    PEOPLE_MAX_LIMIT, REGIONS_MAX_LIMIT, SITES_MAX_LIMIT, SLOT_CAPACITY_LIMIT, SLOTS_MAX_LIMIT,
    STANDBY_MAX_LIMIT,
};
pub use engine::{Engine, Once};
pub use error::{
    AddSiteError, AddSlotError, AdmittedInError, AdvanceError, ApplyError, CancelError,
    CloseSlotError, ConfirmError, DrawEntryError, DrawError, EnqueueError, GroupError, HoldError,
    OpError, RebookError, RecoverError, RegisterError, ReleaseError, ReserveError, SearchError,
    SeriesError, SetCapacityError, SnapshotError, StandbyError, StatusError, TimeTooFarAhead,
    TimeWentBackwards,
};
pub use ids::{CohortId, Day, OpId, ParseIdError, PersonId, RegionId, Seq, SiteId, SlotId, Window};
pub use inventory::{Area, SlotFilter, SlotSearch, SlotSpec, SlotView, WindowSet};
pub use record::{OpAnswer, Record, RecordError, RecordSink};
pub use scope::Scope;
pub use status::{
    Advanced, BookedSlots, Booking, CapacityChanged, DoorStall, DrawEntry, GroupBooking, HeldSeat,
    HeldSeats, Hold, MemoryUse, Place, Registered, Released, ReserveRequest, SeriesBooking,
    Standing, Stats, Status,
};
pub use time::Timestamp;
pub use waiting_room::{DrawCommitment, DrawRecord, DrawSecret, OutflowPolicy, draw_order};
#[cfg(feature = "clock")]
pub use wall_clock::WallClock;
