//! [`Engine`]: the façade that joins the waiting room and the inventory behind the four verbs,
//! [`enqueue`](Engine::enqueue), [`advance`](Engine::advance), [`reserve`](Engine::reserve)
//! and [`release`](Engine::release), plus [`status`](Engine::status).
//!
//! This is the only module that sees both halves. A booking is made here, in one place where
//! admission and inventory cannot disagree: take the person's busy bit, check their lease, take
//! a seat, write it to the ledger, store the new state.
//!
//! # Locking behaviour
//!
//! - `enqueue`, `status`, `reserve` and `release` take no lock shared between people. They
//!   use atomics, plus a per-person busy bit that only calls for the *same* person contend on
//!   (held for a handful of atomic steps).
//! - `advance` and `advance_with_policy` serialise on one mutex: admission is one ordered sweep over the
//!   line, so two concurrent advances could not both make progress anyway. They never wait for
//!   `enqueue` or `reserve` other than for a busy bit.
//! - `add_slot` serialises on the inventory's append mutex (control path).

use core::fmt;
use std::sync::Arc;

use crossbeam_utils::CachePadded;
use parking_lot::Mutex;

mod audit;
mod clock;
mod door;
mod draw;
mod gate;
mod groups;
mod holds;
mod idempotency;
mod once;
mod rebook;
mod recovery;
mod recovery_inventory;
mod scope;
mod search;
mod series;
mod standby;
mod supply;

pub use once::Once;

use crate::config::{Config, ConfigError};
use crate::error::{
    AddSlotError, AdmittedInError, AdvanceError, EnqueueError, ReleaseError, ReserveError,
    StatusError,
};
use crate::ids::{CohortId, PersonId, Seq, SlotId};
use crate::inventory::{Inventory, Ledger, SlotSpec, SlotView};
use crate::platform::sync::{AtomicU64, Ordering};
use crate::record::{Record, RecordSink, Recorder};
use crate::status::{
    Advanced, BookedSlots, Booking, DoorStall, MemoryUse, Place, Released, ReserveRequest, Stats,
    Status,
};
use crate::time::Timestamp;
use crate::trace;
use crate::waiting_room::{
    AdmittedGuard, Locked, OutflowPolicy, PlaceView, Refusal, TokenBucket, WaitingRoom,
};
use clock::Clock;
use door::SeatCounts;
use groups::Groups;
use holds::Holds;
use idempotency::OpTable;
use scope::FreeAtDoor;
use series::SeriesLinks;

/// How many recent advances the admission-rate estimate looks back over.
const RATE_SAMPLES: usize = 16;

/// The booking engine: a waiting room and an inventory, in memory, behind a pure API.
///
/// Build one with [`Engine::new`], add slots with [`Engine::add_slot`], then call the data-path
/// methods from as many threads as you like (`Engine` is `Send + Sync`; share it with an
/// `Arc`). Every data-path method takes the current time as an argument; the engine reads no
/// clock, does no I/O and uses no randomness, so the same calls in the same order give the
/// same results.
///
/// # Example: the whole flow
/// ```
/// use fairbook::{CohortId, Config, Engine, PersonId, SlotSpec, Status, Timestamp};
///
/// let engine = Engine::new(Config::default())?;
/// let evening = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
/// let morning = engine.add_slot(SlotSpec::with_capacity(5)).unwrap();
/// let (alice, bob) = (PersonId::new(1), PersonId::new(2));
/// let now = Timestamp::from_secs(60);
///
/// engine.enqueue(alice, CohortId::new(0), now).unwrap();
/// engine.enqueue(bob, CohortId::new(0), now).unwrap();
/// engine.advance(now, 2).unwrap(); // both let in, in join order
///
/// // Both want the evening slot first; it has one seat.
/// let first = engine.reserve(alice, &[evening, morning], now).unwrap();
/// let second = engine.reserve(bob, &[evening, morning], now).unwrap();
/// assert_eq!((first.slot, second.slot), (evening, morning));
/// assert!(matches!(engine.status(bob, now).unwrap(), Status::Booked { .. }));
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
pub struct Engine {
    config: Config,
    recorder: Recorder,
    clock: Clock,
    room: WaitingRoom,
    ledger: Ledger,
    inventory: Inventory,
    advance: Mutex<AdvanceState>,
    /// Admissions per second over recent advances, as `f64` bits (0 = unknown).
    admissions_per_sec_bits: CachePadded<AtomicU64>,
    /// Hold deadlines and the door's marks (empty while holds are off).
    holds: Holds,
    /// Which bookings of each place are a dose series (empty while series are off).
    series: SeriesLinks,
    /// Dependants and their seats (empty while groups are off).
    groups: Groups,
    /// Remembered operations (empty while `ops_remembered_max` is 0).
    ops: OpTable,
    /// Free seats per region as the door last counted them.
    free_at_door: FreeAtDoor,
    /// Why the door let nobody in at its latest turn (see `door::stall_code`).
    door_stall: AtomicU64,
}

/// What `advance` keeps between calls, under its mutex.
struct AdvanceState {
    /// The seat-aware door's counts, refilled at each of its turns.
    seats: SeatCounts,
    /// Every admitted place below this has had its lapse checked.
    sweep_cursor: u64,
    bucket: TokenBucket,
    /// `(time ms, admission cursor)` after recent advances, oldest first once full.
    samples: [(u64, u64); RATE_SAMPLES],
    samples_len: usize,
    samples_next: usize,
}

impl Engine {
    /// Builds an engine, allocating everything it will ever use.
    ///
    /// [`Engine::memory_for`] says how much before anything is allocated, and
    /// [`Engine::memory`] afterwards.
    ///
    /// # Errors
    /// [`ConfigError`] if a limit is out of range (see [`Config::validate`]).
    ///
    /// # Example
    /// ```
    /// use fairbook::{Config, Engine};
    /// let config = Config {
    ///     people_max: 1_000, slots_max: 500, sites_max: 50, days_max: 14, standby_max: 100,
    ///     ..Config::default()
    /// };
    /// let engine = Engine::new(config)?;
    /// assert!(engine.memory().total_bytes() < 100_000);
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn new(config: Config) -> Result<Engine, ConfigError> {
        Engine::build(config, Recorder::default())
    }

    /// [`Engine::new`], with every state change handed to `sink` as a [`Record`]: the way to
    /// a durable journal (the `fairbook-journal` crate), a replica, or a test's log. Without a
    /// sink the engine builds no record at all.
    ///
    /// **Locking behaviour:** the sink is called with a person's busy bit, the door's lock or
    /// the inventory's append lock held (see [`RecordSink`]).
    ///
    /// # Errors
    /// As [`Engine::new`].
    ///
    /// # Example
    /// See [`RecordSink`].
    pub fn with_sink(config: Config, sink: Arc<dyn RecordSink>) -> Result<Engine, ConfigError> {
        Engine::build(config, Recorder::new(Some(sink)))
    }

    fn build(config: Config, recorder: Recorder) -> Result<Engine, ConfigError> {
        let memory = Engine::memory_for(&config)?;
        let refused = |_| ConfigError::MemoryUnavailable {
            bytes: memory.total_bytes(),
        };
        let engine = Engine {
            clock: Clock::new(
                config.time_skew_tolerance_ms,
                config.time_ahead_tolerance_ms,
            ),
            room: WaitingRoom::new(
                config.people_max,
                config.person_hash_key,
                &config.cohorts,
                &scope::cohort_tags(&config),
                door::tags(&config),
                config.standby_max,
                config.pre_queue_max,
                config.lapse_policy,
                recorder.clone(),
            )
            .map_err(refused)?,
            ledger: Ledger::new(config.people_max, config.bookings_per_person_max)
                .map_err(refused)?,
            inventory: Inventory::new(
                config.slots_max,
                config.sites_max,
                config.days_max,
                config.regions_max,
            )
            .map_err(refused)?,
            advance: Mutex::new(AdvanceState {
                seats: SeatCounts::new(&config).map_err(refused)?,
                sweep_cursor: 0,
                bucket: TokenBucket::default(),
                samples: [(0, 0); RATE_SAMPLES],
                samples_len: 0,
                samples_next: 0,
            }),
            admissions_per_sec_bits: CachePadded::new(AtomicU64::new(0)),
            holds: Holds::new(&config).map_err(refused)?,
            series: SeriesLinks::new(&config).map_err(refused)?,
            groups: Groups::new(&config).map_err(refused)?,
            ops: OpTable::new(config.ops_remembered_max).map_err(refused)?,
            free_at_door: FreeAtDoor::new(&config).map_err(refused)?,
            door_stall: AtomicU64::new(0),
            recorder,
            config,
        };
        trace::engine_built(&engine);
        Ok(engine)
    }

    /// The configuration the engine was built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// What [`Engine::new`] would allocate for `config`, without allocating it: check it
    /// against a memory budget before building an engine from a configuration you did not
    /// write yourself.
    ///
    /// # Errors
    /// [`ConfigError`] if a limit is out of range, as [`Engine::new`] would report it.
    ///
    /// # Example
    /// ```
    /// use fairbook::{Config, Engine};
    /// let config = Config { people_max: 10_000_000, ..Config::default() };
    /// let memory = Engine::memory_for(&config)?;
    /// assert!(memory.total_bytes() < 512 << 20, "{memory:?}");
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn memory_for(config: &Config) -> Result<MemoryUse, ConfigError> {
        config.validate()?;
        Ok(MemoryUse {
            waiting_room_bytes: WaitingRoom::bytes_for(config.people_max, scope::tagged(config)),
            ledger_bytes: Ledger::bytes_for(config.people_max, config.bookings_per_person_max),
            flows_bytes: Holds::bytes_for(config)
                .saturating_add(SeriesLinks::bytes_for(config))
                .saturating_add(Groups::bytes_for(config))
                .saturating_add(OpTable::bytes_for(config.ops_remembered_max)),
            inventory_bytes: Inventory::bytes_for(
                config.slots_max,
                config.sites_max,
                config.days_max,
                config.regions_max,
            ),
            door_bytes: WaitingRoom::door_bytes_for(
                door::tags(config),
                config.standby_max,
                config.pre_queue_max,
                &config.cohorts,
            ) + SeatCounts::bytes_for(config)
                + FreeAtDoor::bytes_for(config),
        })
    }

    /// Bytes allocated at build time, part by part: what the waiting room costs per person,
    /// what the inventory costs per slot, and what the door keeps (the standby line, counts
    /// per region). The engine allocates nothing afterwards.
    ///
    /// # Example
    /// ```
    /// use fairbook::{Config, Engine};
    /// let engine = Engine::new(Config { people_max: 1_500_000, ..Config::default() })?;
    /// let memory = engine.memory();
    /// let per_person = (memory.waiting_room_bytes + memory.ledger_bytes) as f64 / 1_500_000.0;
    /// assert!(per_person < 48.0, "{per_person} bytes per person");
    /// // 20 bytes per slot, 28 per site, 4 per site and day, 24 per region.
    /// assert_eq!(memory.inventory_bytes, 20 * 65_536 + 28 * 65_536 + 4 * 65_536 * 16 + 24);
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn memory(&self) -> MemoryUse {
        MemoryUse {
            waiting_room_bytes: self.room.memory_bytes(),
            ledger_bytes: self.ledger.memory_bytes(),
            inventory_bytes: self.inventory.memory_bytes(),
            flows_bytes: self.holds.memory_bytes()
                + self.series.memory_bytes()
                + self.groups.memory_bytes()
                + self.ops.memory_bytes(),
            door_bytes: self.room.door_memory_bytes()
                + SeatCounts::bytes_for(&self.config)
                + FreeAtDoor::bytes_for(&self.config),
        }
    }

    /// Adds a slot to the inventory (control path; callers are serialised).
    ///
    /// The slot is bookable as soon as this returns, from every thread, and found by
    /// [`Engine::search`]. A slot at a site not added yet adds the site to region 0 (see
    /// [`Engine::add_site`]).
    ///
    /// State change: a new slot with `spec.capacity` free seats (and, the first time a site
    /// is named, the site in region 0).
    ///
    /// # Errors
    /// Bad input: [`AddSlotError::SiteOutOfRange`], [`AddSlotError::DayOutOfRange`],
    /// [`AddSlotError::CapacityTooLarge`]. Limits: [`AddSlotError::Full`] once
    /// [`Config::slots_max`] slots exist, [`AddSlotError::SiteFull`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{AddSlotError, Config, Engine, SlotId, SlotSpec};
    /// let engine = Engine::new(Config { slots_max: 1, ..Config::default() })?;
    /// assert_eq!(engine.add_slot(SlotSpec::with_capacity(10)), Ok(SlotId::new(0)));
    /// assert_eq!(engine.add_slot(SlotSpec::with_capacity(10)), Err(AddSlotError::Full { slots_max: 1 }));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn add_slot(&self, spec: SlotSpec) -> Result<SlotId, AddSlotError> {
        let announce = || self.recorder.record(|| Record::SlotAdded { spec });
        let added = self.inventory.add(spec, announce);
        trace::slot_added(&spec, &added);
        added
    }

    /// A snapshot of one slot, or `None` if it does not exist.
    ///
    /// # Example
    /// ```
    /// use fairbook::{Config, Engine, SlotId, SlotSpec};
    /// let engine = Engine::new(Config::default())?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(2)).unwrap();
    /// assert_eq!(engine.slot(slot).unwrap().spec.capacity, 2);
    /// assert!(engine.slot(SlotId::new(99)).is_none());
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn slot(&self, slot: SlotId) -> Option<SlotView> {
        self.inventory.view(slot)
    }

    /// `true` if there is at least one slot and every slot is fully booked (a snapshot).
    ///
    /// # Example
    /// ```
    /// use fairbook::{Config, Engine, SlotSpec};
    /// let engine = Engine::new(Config::default())?;
    /// assert!(!engine.is_sold_out(), "no inventory yet is not sold out");
    /// engine.add_slot(SlotSpec::with_capacity(0)).unwrap();
    /// assert!(engine.is_sold_out());
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn is_sold_out(&self) -> bool {
        self.inventory.is_sold_out()
    }

    /// A person joins the waiting room and gets their place.
    ///
    /// Idempotent per person: another device, a retry or a reconnect gets the *same* place
    /// (`is_new: false`), whatever has happened since, as long as the place stands. The
    /// cohort's window and the inventory are checked only for a first join, so a window
    /// closing or the inventory selling out never takes a place away.
    ///
    /// A join of someone already waiting reads one cache line and writes nothing shared.
    ///
    /// # Errors
    /// - [`EnqueueError::TimeWentBackwards`], [`EnqueueError::InvalidPerson`],
    ///   [`EnqueueError::UnknownCohort`]: bad input.
    /// - [`EnqueueError::WindowNotOpen`], [`EnqueueError::WindowClosed`]: a first join
    ///   outside the cohort's window.
    /// - [`EnqueueError::Full`], [`EnqueueError::SoldOut`]: no place can be given.
    /// - [`EnqueueError::PlaceReleased`]: the person gave their place back.
    /// - [`EnqueueError::LeaseLapsed`]: their turn came and went, under
    ///   [`LapsePolicy::Forfeit`](crate::LapsePolicy::Forfeit). Under
    ///   [`LapsePolicy::Requeue`](crate::LapsePolicy::Requeue) they get a new place at the back
    ///   instead (`is_new: true`).
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, PersonId, Seq, Timestamp};
    /// let engine = Engine::new(Config::default())?;
    /// let now = Timestamp::from_secs(1);
    /// let place = engine.enqueue(PersonId::new(42), CohortId::new(0), now).unwrap();
    /// assert_eq!(place.seq, Seq::new(0));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    #[inline]
    pub fn enqueue(
        &self,
        person: PersonId,
        cohort: CohortId,
        now: Timestamp,
    ) -> Result<Place, EnqueueError> {
        let now = self.clock.check_call(now)?;
        self.room
            .join(person, cohort, None, now, &|tag| self.sold_out_for(tag))
    }

    /// [`Engine::enqueue`] for many requests at once, with the same result for each as one
    /// call per request in order would give. Fills `results[i]` for `requests[i]` and returns
    /// how many it handled: the shorter of the two lengths.
    ///
    /// A service that drains a socket or a channel in batches gets about twice the
    /// throughput of per-call joins: while one request is being served, the table cells of the
    /// requests a few places ahead are already on their way into the cache, so the cache misses
    /// overlap instead of queueing; and the places of first joins are claimed in blocks of up
    /// to 64 with one shared `fetch_add`. The block's places are consecutive in request order
    /// and are handed out at one instant, which is when those joins take effect: FIFO across
    /// threads holds as for single calls. Two devices of one person in one batch get one place,
    /// the second `is_new: false`, as two calls would.
    ///
    /// # Errors
    /// Per request, as [`Engine::enqueue`]. A `now` too far in the past fails every request
    /// with [`EnqueueError::TimeWentBackwards`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, EnqueueError, PersonId, Place, Seq, Timestamp};
    /// let engine = Engine::new(Config::default())?;
    /// let cohort = CohortId::new(0);
    /// let requests = [(PersonId::new(1), cohort), (PersonId::new(2), cohort), (PersonId::new(1), cohort)];
    /// let mut results = [Err(EnqueueError::SoldOut); 3];
    /// assert_eq!(engine.enqueue_batch(&requests, Timestamp::ZERO, &mut results), 3);
    /// assert_eq!(results[0], Ok(Place { seq: Seq::new(0), is_new: true }));
    /// assert_eq!(results[2], Ok(Place { seq: Seq::new(0), is_new: false }));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn enqueue_batch(
        &self,
        requests: &[(PersonId, CohortId)],
        now: Timestamp,
        results: &mut [Result<Place, EnqueueError>],
    ) -> usize {
        let handled = requests.len().min(results.len());
        let (requests, results) = (&requests[..handled], &mut results[..handled]);
        let now = match self.clock.check_call(now) {
            Ok(now) => now,
            Err(error) => {
                results.fill(Err(error.into()));
                return handled;
            }
        };
        self.room
            .join_batch(requests, now, &|tag| self.sold_out_for(tag), results);
        handled
    }

    /// Lets in up to `how_many` waiting people, strictly in join order, each with a lease
    /// until `now + lease_ms`. First marks as lapsed every lease that ran out by `now`.
    ///
    /// Places given back before their turn are skipped. Admission stops early at a place whose
    /// join is still in flight on another thread, so the order is never broken; the next call
    /// picks it up.
    ///
    /// **Locking behaviour:** serialised with other `advance` and `advance_with_policy` calls.
    ///
    /// # Errors
    /// [`AdvanceError::TimeWentBackwards`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, PersonId, Status, Timestamp};
    /// let engine = Engine::new(Config { lease_ms: 1_000, ..Config::default() })?;
    /// let t0 = Timestamp::from_secs(10);
    /// engine.enqueue(PersonId::new(1), CohortId::new(0), t0).unwrap();
    /// let advanced = engine.advance(t0, 10).unwrap();
    /// assert_eq!(advanced.admitted, 1);
    /// assert_eq!(advanced.lease_until, t0.plus_millis(1_000));
    /// assert!(matches!(engine.status(PersonId::new(1), t0).unwrap(), Status::Admitted { .. }));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn advance(&self, now: Timestamp, how_many: u64) -> Result<Advanced, AdvanceError> {
        let mut state = self.advance.lock();
        let now = self.clock.move_door(now)?;
        // Holds whose deadline passed give their seats back first (each recorded under its
        // person's busy bit, before the door's own record).
        self.sweep_holds(now);
        Ok(self.advance_locked(&mut state, now, |_| (how_many, None)))
    }

    /// Lets in as many people as `policy` allows now (see [`OutflowPolicy`]), in join order.
    ///
    /// Call it on a timer (every 100 ms, say); the token bucket makes the long-run rate the
    /// same whatever the period.
    ///
    /// **Locking behaviour:** serialised with other `advance` and `advance_with_policy` calls.
    ///
    /// # Errors
    /// [`AdvanceError::TimeWentBackwards`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, OutflowPolicy, PersonId, Timestamp};
    /// let engine = Engine::new(Config::default())?;
    /// for id in 0..5 {
    ///     engine.enqueue(PersonId::new(id), CohortId::new(0), Timestamp::ZERO).unwrap();
    /// }
    /// let at_most_two = OutflowPolicy { active_max: Some(2), ..OutflowPolicy::default() };
    /// assert_eq!(engine.advance_with_policy(Timestamp::ZERO, &at_most_two).unwrap().admitted, 2);
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn advance_with_policy(
        &self,
        now: Timestamp,
        policy: &OutflowPolicy,
    ) -> Result<Advanced, AdvanceError> {
        let mut state = self.advance.lock();
        let now = self.clock.move_door(now)?;
        // Holds whose deadline passed give their seats back first (each recorded under its
        // person's busy bit, before the door's own record).
        self.sweep_holds(now);
        // After the hold sweep (a seat an expired hold gave back is not sold out), before the
        // door's offers to people on standby (a seat offered is still one the line may get).
        let sold_out = self.inventory.is_sold_out();
        Ok(self.advance_locked(&mut state, now, |state| {
            policy.due(
                &mut state.bucket,
                now.as_millis(),
                self.room.active_count(),
                sold_out,
            )
        }))
    }

    /// One turn of the door: lapses swept, offers to people on standby, then admission in
    /// join order, up to what `how_many` allows (and, with a seat-aware door, what the seats
    /// allow).
    fn advance_locked(
        &self,
        state: &mut AdvanceState,
        now: Timestamp,
        how_many: impl FnOnce(&mut AdvanceState) -> (u64, Option<DoorStall>),
    ) -> Advanced {
        let seat_aware = self.config.seat_aware_door;
        // Sweep first, so that lapsed leases no longer count against an active cap.
        let swept_from = state.sweep_cursor;
        let (sweep_cursor, lapsed) = self.room.sweep_lapsed(swept_from, now);
        state.sweep_cursor = sweep_cursor;
        let lease_until = now.plus_millis(self.config.lease_ms);
        // People on standby were admitted before anyone still waiting: their seats first.
        let (offered, offers_lapsed) = {
            let mut line = self.room.standby().lock();
            let turn = self.offer_freed_seats(&mut line, now, lease_until);
            if seat_aware {
                state.seats.count(&self.room, &line, &self.inventory);
            }
            turn
        };
        let (how_many, limit) = how_many(state);
        let bucket = state.bucket;
        let seats = &mut state.seats;
        let mut seat_for = |tag| seats.admit(tag);
        let admission = self.room.admit(
            how_many,
            lease_until,
            seat_aware.then_some(&mut seat_for as &mut dyn FnMut(u16) -> bool),
            |admitted, from, to| {
                self.recorder.record(|| {
                    let mut bucket = bucket;
                    bucket.spend(admitted);
                    Record::Advanced {
                        door: now,
                        swept_from: Seq::new(swept_from),
                        swept_to: Seq::new(sweep_cursor),
                        admitted_from: from,
                        admitted_to: to,
                        lease_until,
                        bucket: bucket
                            .state()
                            .map(|(tokens_milli, at)| (tokens_milli, Timestamp::from_millis(at))),
                    }
                });
            },
        );
        state.bucket.spend(admission.admitted);
        let stall = if admission.refused {
            Some(DoorStall::NoSeat)
        } else {
            limit
        }
        .filter(|_| admission.admitted == 0 && self.room.waiting_count() > 0);
        self.door_stall
            .store(door::stall_code(stall), Ordering::Release);
        self.record_rate_sample(state, now, admission.to.as_u64());
        self.free_at_door.count(&self.inventory);
        let advanced = Advanced {
            admitted: admission.admitted,
            from: admission.from,
            to: admission.to,
            lease_until,
            lapsed,
            offered,
            offers_lapsed,
            stall,
        };
        trace::advanced(&advanced);
        advanced
    }

    fn record_rate_sample(&self, state: &mut AdvanceState, now: Timestamp, cursor: u64) {
        state.samples[state.samples_next] = (now.as_millis(), cursor);
        state.samples_next = (state.samples_next + 1) % RATE_SAMPLES;
        state.samples_len = (state.samples_len + 1).min(RATE_SAMPLES);
        let oldest = if state.samples_len < RATE_SAMPLES {
            state.samples[0]
        } else {
            state.samples[state.samples_next]
        };
        let elapsed_ms = now.as_millis().saturating_sub(oldest.0);
        let per_sec = if elapsed_ms == 0 {
            0.0
        } else {
            (cursor - oldest.1) as f64 * 1_000.0 / elapsed_ms as f64
        };
        self.admissions_per_sec_bits
            .store(per_sec.to_bits(), Ordering::Release);
    }

    fn admissions_per_sec_bits_raw(&self) -> u64 {
        self.admissions_per_sec_bits.load(Ordering::Acquire)
    }

    fn set_admissions_per_sec_bits_raw(&self, bits: u64) {
        self.admissions_per_sec_bits.store(bits, Ordering::Release);
    }

    fn admissions_per_sec(&self) -> Option<f64> {
        let per_sec = f64::from_bits(self.admissions_per_sec_bits.load(Ordering::Acquire));
        (per_sec > 0.0).then_some(per_sec)
    }

    /// The people a given [`Advanced`] let in, with their places, in admission order.
    ///
    /// Allocation-free; reads the ring, so the person ids are exact whatever happened since.
    /// The range is checked, not trusted: an `Advanced` from another engine or built by hand
    /// whose places this engine has not admitted is an error, never a panic, and the list
    /// never names someone this engine did not admit.
    ///
    /// # Errors
    /// [`AdmittedInError::NotAdmitted`] if `advanced.from..advanced.to` is not within the places
    /// this engine has admitted.
    ///
    /// # Example
    /// ```
    /// use fairbook::{AdmittedInError, CohortId, Config, Engine, PersonId, Timestamp};
    /// let (engine, other) = (Engine::new(Config::default())?, Engine::new(Config::default())?);
    /// for id in 0..3 {
    ///     engine.enqueue(PersonId::new(id), CohortId::new(0), Timestamp::ZERO).unwrap();
    /// }
    /// let advanced = engine.advance(Timestamp::ZERO, 2).unwrap();
    /// assert_eq!(engine.admitted_in(&advanced).unwrap().count(), 2);
    /// assert!(matches!(other.admitted_in(&advanced), Err(AdmittedInError::NotAdmitted { .. })));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn admitted_in(
        &self,
        advanced: &Advanced,
    ) -> Result<impl Iterator<Item = (Seq, PersonId)> + '_, AdmittedInError> {
        let admission_cursor = self.room.admission_cursor();
        if advanced.from > advanced.to || advanced.to.as_u64() > admission_cursor {
            return Err(AdmittedInError::NotAdmitted {
                from: advanced.from,
                to: advanced.to,
                admission_cursor,
            });
        }
        Ok(self.room.admitted_between(advanced.from, advanced.to))
    }

    /// Where a person stands: waiting (with the exact number ahead and an estimated wait),
    /// admitted, booked, lapsed, released, sold out, or unknown.
    ///
    /// # Errors
    /// [`StatusError::TimeWentBackwards`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{Config, Engine, PersonId, Status, Timestamp};
    /// let engine = Engine::new(Config::default())?;
    /// assert_eq!(engine.status(PersonId::new(1), Timestamp::ZERO), Ok(Status::Unknown));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn status(&self, person: PersonId, now: Timestamp) -> Result<Status, StatusError> {
        let now = self.clock.check_call(now)?;
        loop {
            let status = match self.room.view(person, now) {
                PlaceView::Dependant { holder } => Status::Dependant {
                    holder,
                    slot: self.dependant_seat(holder, person),
                },
                PlaceView::Unknown => match self.room.pre_queue().waiting_for(person) {
                    Some(cohort) => Status::InDraw {
                        cohort,
                        draw_at: self.config.cohorts[cohort.as_index()].opens_at,
                    },
                    None => Status::Unknown,
                },
                PlaceView::Released { seq } => Status::Released { seq },
                PlaceView::Waiting { seq, ahead } => self.waiting_status(seq, ahead),
                PlaceView::Admitted { seq, lease_until } => Status::Admitted { seq, lease_until },
                PlaceView::Standby { seq } => Status::Standby { seq },
                PlaceView::Offered { .. } => {
                    // Read under their busy bit, as a booking is: the seat held for them is
                    // in their cell `bookings_count` until they book it or it goes back.
                    let Ok(Locked::Admitted(guard)) = self.room.lock(person, None, now) else {
                        continue;
                    };
                    if !guard.is_offered() {
                        continue;
                    }
                    let Some(slot) = self.ledger.get(guard.seq(), guard.bookings_count()) else {
                        continue;
                    };
                    Status::Offered {
                        seq: guard.seq(),
                        slot,
                        until: guard.lease_until(),
                    }
                }
                PlaceView::Booked { .. } => {
                    // Their cells are read under their busy bit: a confirm or a rebook changes
                    // a cell without changing the count, so nothing else would show it.
                    let Ok(Locked::Admitted(guard)) = self.room.lock(person, None, now) else {
                        continue;
                    };
                    self.holding_status(
                        guard.seq(),
                        guard.bookings_count(),
                        guard.lease_until(),
                        now,
                    )
                }
                PlaceView::Lapsed { seq, at } => Status::Lapsed { seq, at },
            };
            return Ok(status);
        }
    }

    /// What a waiting person is told: sold out (everywhere, or within their scope), or how
    /// many are ahead and how long that should take.
    fn waiting_status(&self, seq: Seq, ahead: u64) -> Status {
        if self.inventory.is_sold_out() {
            return Status::SoldOut { seq, ahead };
        }
        if let Some((scope, free_elsewhere)) = self.scope_sold_out(self.room.tag_of(seq)) {
            return Status::SoldOutInScope {
                seq,
                ahead,
                scope,
                free_elsewhere,
            };
        }
        Status::Waiting {
            seq,
            ahead,
            estimated_wait_ms: self
                .admissions_per_sec()
                .map(|per_sec| (ahead as f64 * 1_000.0 / per_sec).ceil() as u64),
            door_stall: door::stall_of(self.door_stall.load(Ordering::Acquire)),
        }
    }

    /// Books the first slot in `choices` that has room, for a person the engine admitted
    /// whose lease is live at `now`.
    ///
    /// `choices` is one slot or a ranked list. The seat is taken atomically: a slot seen with
    /// room is either booked by this call or skipped because another call took its last seat
    /// first; it never overbooks.
    ///
    /// A retry is safe without an operation id: if the person already books one of
    /// `choices`, the call returns that booking (its rank in this call's `choices`) and changes
    /// nothing, whatever the limit and whichever slots opened since. To make every verb
    /// retry-safe, with the first answer returned as it was, use [`Engine::once`].
    ///
    /// # Errors
    /// - Bad input: [`ReserveError::TimeWentBackwards`], [`ReserveError::UnknownPerson`],
    ///   [`ReserveError::EmptyChoice`], [`ReserveError::TooManyChoices`],
    ///   [`ReserveError::UnknownSlot`].
    /// - No path around the queue: [`ReserveError::NotAdmitted`],
    ///   [`ReserveError::LeaseLapsed`], [`ReserveError::PlaceReleased`].
    /// - Limits: [`ReserveError::BookingLimit`], [`ReserveError::NoRoom`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, PersonId, ReserveError, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config::default())?;
    /// let full = engine.add_slot(SlotSpec::with_capacity(0)).unwrap();
    /// let open = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// let now = Timestamp::from_secs(1);
    /// let person = PersonId::new(3);
    /// engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// engine.advance(now, 1).unwrap();
    /// let booking = engine.reserve(person, &[full, open], now).unwrap();
    /// assert_eq!((booking.slot, booking.rank), (open, 1));
    /// // A retry gets the booking back; it does not book again.
    /// assert_eq!(engine.reserve(person, &[full, open], now), Ok(booking));
    /// assert_eq!(engine.slot(open).unwrap().booked, 1);
    /// // Another slot is a second booking, over the default limit of one.
    /// let other = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// assert_eq!(engine.reserve(person, &[other], now), Err(ReserveError::BookingLimit { bookings_max: 1 }));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn reserve(
        &self,
        person: PersonId,
        choices: &[SlotId],
        now: Timestamp,
    ) -> Result<Booking, ReserveError> {
        let now = self.clock.check_call(now)?;
        self.check_choices(choices)?;
        self.reserve_checked(person, None, choices, now)
    }

    /// [`Engine::reserve`] for a caller that kept the person's place from
    /// [`Engine::enqueue`] (their ticket), which spares the engine one cache miss: the
    /// person-table lookup.
    ///
    /// The ticket is checked, not trusted: the place must hold this very person, or the call
    /// looks the person up as `reserve` would. A stale ticket (the person was requeued) or
    /// someone else's place therefore gives exactly the result of `reserve`, never more.
    ///
    /// # Errors
    /// As [`Engine::reserve`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config::default())?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// let (person, now) = (PersonId::new(9), Timestamp::from_secs(1));
    /// let ticket = engine.enqueue(person, CohortId::new(0), now).unwrap().seq;
    /// engine.advance(now, 1).unwrap();
    /// assert_eq!(engine.reserve_with_ticket(person, ticket, &[slot], now).unwrap().slot, slot);
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn reserve_with_ticket(
        &self,
        person: PersonId,
        ticket: Seq,
        choices: &[SlotId],
        now: Timestamp,
    ) -> Result<Booking, ReserveError> {
        let now = self.clock.check_call(now)?;
        self.check_choices(choices)?;
        self.reserve_checked(person, Some(ticket), choices, now)
    }

    /// [`Engine::reserve`] (or [`Engine::reserve_with_ticket`], for requests that carry a
    /// ticket) for many requests at once, with the same result for each as one call per
    /// request in order would give. Fills `results[i]` for `requests[i]` and returns how many
    /// it handled: the shorter of the two lengths.
    ///
    /// A service that drains its booking requests in batches gets more bookings per second:
    /// while one request is served, the person-table lines, ring entries and slot cells of
    /// the requests a few places ahead are already on their way into the cache, so their
    /// misses overlap instead of queueing one behind another.
    ///
    /// # Errors
    /// Per request, as [`Engine::reserve`]. A `now` refused by the clock fails every request
    /// with the same error.
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, PersonId, ReserveError, ReserveRequest, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config::default())?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// let now = Timestamp::from_secs(1);
    /// let (ana, ben) = (PersonId::new(1), PersonId::new(2));
    /// let ticket = engine.enqueue(ana, CohortId::new(0), now).unwrap().seq;
    /// engine.enqueue(ben, CohortId::new(0), now).unwrap();
    /// engine.advance(now, 2).unwrap();
    /// let requests = [
    ///     ReserveRequest { person: ana, ticket: Some(ticket), choices: &[slot] },
    ///     ReserveRequest { person: ben, ticket: None, choices: &[slot] },
    /// ];
    /// let mut results = [Err(ReserveError::EmptyChoice); 2];
    /// assert_eq!(engine.reserve_batch(&requests, now, &mut results), 2);
    /// assert_eq!(results[0].unwrap().slot, slot);
    /// assert_eq!(results[1], Err(ReserveError::NoRoom { sold_out: true }));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn reserve_batch(
        &self,
        requests: &[ReserveRequest<'_>],
        now: Timestamp,
        results: &mut [Result<Booking, ReserveError>],
    ) -> usize {
        /// How far ahead the person's table line and the chosen slots are prefetched; at half
        /// that distance the (by then cached) table is read and the person's ring entry
        /// prefetched, which depends on it.
        const PREFETCH_AHEAD: usize = 16;
        let handled = requests.len().min(results.len());
        let (requests, results) = (&requests[..handled], &mut results[..handled]);
        let now = match self.clock.check_call(now) {
            Ok(now) => now,
            Err(error) => {
                results.fill(Err(error.into()));
                return handled;
            }
        };
        let prefetch_far = |request: &ReserveRequest<'_>| {
            self.room.prefetch(request.person, request.ticket);
            for &slot in request.choices.iter().take(self.config.choices_max) {
                if self.inventory.contains(slot) {
                    self.inventory.prefetch(slot);
                }
            }
        };
        let prefetch_near =
            |request: &ReserveRequest<'_>| self.room.prefetch_place(request.person, request.ticket);
        for request in requests.iter().take(PREFETCH_AHEAD) {
            prefetch_far(request);
        }
        for request in requests.iter().take(PREFETCH_AHEAD / 2) {
            prefetch_near(request);
        }
        for (index, (request, result)) in requests.iter().zip(results).enumerate() {
            if let Some(ahead) = requests.get(index + PREFETCH_AHEAD) {
                prefetch_far(ahead);
            }
            if let Some(ahead) = requests.get(index + PREFETCH_AHEAD / 2) {
                prefetch_near(ahead);
            }
            *result = match self.check_choices(request.choices) {
                Ok(()) => {
                    self.reserve_checked(request.person, request.ticket, request.choices, now)
                }
                Err(problem) => Err(problem.into()),
            };
        }
        handled
    }

    /// The booking itself: the one place where a lease meets the inventory. The person's busy
    /// bit is held from the lease check to the new bookings count.
    fn reserve_checked(
        &self,
        person: PersonId,
        ticket: Option<Seq>,
        choices: &[SlotId],
        now: Timestamp,
    ) -> Result<Booking, ReserveError> {
        let guard = self.lock_to_book(person, ticket, now)?;
        let tag = self.room.tag_of(guard.seq());
        self.check_scope(tag, choices)?;
        self.book_first_with_room(guard, tag, choices)
    }

    /// Takes a seat in the first of `choices` with room for a person whose live lease the
    /// guard holds, and writes it to the ledger and the person's count.
    fn book_first_with_room(
        &self,
        guard: AdmittedGuard<'_>,
        tag: u16,
        choices: &[SlotId],
    ) -> Result<Booking, ReserveError> {
        let (seq, count) = (guard.seq(), guard.bookings_count());
        if guard.is_offered() {
            return self.confirm_offer(guard, choices);
        }
        if count > 0 {
            // A retry: a chosen slot the person books already is the answer, whatever the
            // limit and whichever slots opened since.
            for (rank, &slot) in choices.iter().enumerate() {
                if self.ledger.booking_position(seq, count, slot).is_some() {
                    return Ok(Booking {
                        seq,
                        slot,
                        rank: rank as u8,
                    });
                }
            }
        }
        let bookings_max = self.config.bookings_per_person_max;
        if count >= bookings_max {
            return Err(ReserveError::BookingLimit { bookings_max });
        }
        for (rank, &slot) in choices.iter().enumerate() {
            if self.ledger.position(seq, count, slot).is_some() {
                continue;
            }
            if self.inventory.try_take(slot) {
                if self.standby_ahead(seq, slot) {
                    // Someone on standby before this person may book here: the seat is
                    // theirs first (the door offers it at its next turn).
                    self.inventory.give_back(slot);
                    continue;
                }
                debug_assert!(
                    self.ledger.get(seq, count).is_none(),
                    "{seq}: cell {count} in use"
                );
                // After the seat is taken and before anyone can see the booking: a release
                // that freed this seat recorded its release before freeing it, so a replay
                // never finds the slot over its capacity.
                self.recorder.record(|| Record::Booked {
                    seq,
                    slot,
                    index: count,
                });
                self.ledger.set(seq, count, Some(slot));
                guard.commit_bookings(count + 1);
                return Ok(Booking {
                    seq,
                    slot,
                    rank: rank as u8,
                });
            }
        }
        Err(ReserveError::NoRoom {
            sold_out: self.is_scope_sold_out(tag),
        })
    }

    /// Books the seat held for an offered person, if `choices` lists it.
    fn confirm_offer(
        &self,
        guard: AdmittedGuard<'_>,
        choices: &[SlotId],
    ) -> Result<Booking, ReserveError> {
        let (seq, count) = (guard.seq(), guard.bookings_count());
        let held = self.ledger.get(seq, count).expect("an offer holds a seat");
        let Some(rank) = choices.iter().position(|&slot| slot == held) else {
            return Err(ReserveError::OfferPending {
                slot: held,
                until: guard.lease_until(),
            });
        };
        // The seat was taken when it was offered: booking it only counts it.
        self.recorder.record(|| Record::OfferBooked { seq });
        guard.commit_bookings(count + 1);
        Ok(Booking {
            seq,
            slot: held,
            rank: rank as u8,
        })
    }

    /// Gives back everything the person holds: their place in line if they are still
    /// waiting, or, once admitted, their bookings (immediately bookable by others) and their
    /// lease. The person cannot join again afterwards.
    ///
    /// # Errors
    /// [`ReleaseError::TimeWentBackwards`], [`ReleaseError::UnknownPerson`],
    /// [`ReleaseError::NothingToRelease`] (already released, or lapsed holding nothing).
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config::default())?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// let now = Timestamp::from_secs(1);
    /// let (first, second) = (PersonId::new(1), PersonId::new(2));
    /// for person in [first, second] {
    ///     engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// }
    /// engine.advance(now, 2).unwrap();
    /// engine.reserve(first, &[slot], now).unwrap();
    /// assert!(engine.reserve(second, &[slot], now).is_err());
    /// let released = engine.release(first, now).unwrap();
    /// assert_eq!(released.slots.as_slice(), [slot]);
    /// assert!(engine.reserve(second, &[slot], now).is_ok());
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn release(&self, person: PersonId, now: Timestamp) -> Result<Released, ReleaseError> {
        let now = self.clock.check_call(now)?;
        // A person on standby leaves the standby line too, whose mutex comes before their busy
        // bit: found on standby, they are locked again with the line held.
        let mut line = None;
        loop {
            return match self.lock_tidied(person, now) {
                Ok(Locked::Waiting(guard)) => {
                    let seq = guard.seq();
                    self.recorder.record(|| Record::Left { seq });
                    guard.leave();
                    Ok(Released {
                        seq,
                        slots: BookedSlots::default(),
                        was_waiting: true,
                    })
                }
                Ok(Locked::Standby(guard)) => {
                    let Some(line) = line.as_mut() else {
                        drop(guard);
                        line = Some(self.room.standby().lock());
                        continue;
                    };
                    let seq = guard.seq();
                    self.recorder.record(|| Record::Released { seq });
                    guard.leave(line);
                    Ok(Released {
                        seq,
                        slots: BookedSlots::default(),
                        was_waiting: false,
                    })
                }
                Ok(Locked::Admitted(guard)) => {
                    let seq = guard.seq();
                    // Before any seat is given back (see `book_first_with_room`).
                    self.recorder.record(|| Record::Released { seq });
                    let slots = self.give_back_everything(seq, guard.bookings_count());
                    if guard.is_offered() {
                        // The seat held for them goes back (and on, at the door's next turn).
                        let cell = guard.bookings_count();
                        if let Some(slot) = self.ledger.get(seq, cell) {
                            self.inventory.give_back(slot);
                            self.ledger.set(seq, cell, None);
                        }
                    }
                    guard.give_up_everything();
                    Ok(Released {
                        seq,
                        slots,
                        was_waiting: false,
                    })
                }
                Err(Refusal::Unknown) => Err(ReleaseError::UnknownPerson),
                Err(Refusal::Dependant { holder }) => Err(ReleaseError::Dependant { holder }),
                Err(Refusal::Released { .. } | Refusal::Lapsed { .. }) => {
                    Err(ReleaseError::NothingToRelease)
                }
            };
        }
    }

    /// Locks a person, giving back their expired holds first: a person left holding nothing
    /// whose lease ran out is refused as lapsed, as the lock itself refuses one.
    fn lock_tidied(&self, person: PersonId, now: Timestamp) -> Result<Locked<'_>, Refusal> {
        let mut locked = self.room.lock(person, None, now)?;
        if let Locked::Admitted(guard) = &mut locked {
            self.expire_holds(guard, now);
            if guard.bookings_count() == 0 && !guard.is_lease_live(now) {
                return Err(Refusal::Lapsed {
                    seq: guard.seq(),
                    at: guard.lease_until(),
                });
            }
        }
        Ok(locked)
    }

    /// Gives back every seat the place holds: its bookings and holds, its series, its
    /// dependants' seats. The caller holds the busy bit, has recorded the release, and gives
    /// up the lease.
    fn give_back_everything(&self, seq: Seq, count: u8) -> BookedSlots {
        let mut slots = BookedSlots::default();
        for index in 0..count {
            if let Some(slot) = self.ledger.get(seq, index) {
                if self.ledger.is_held(seq, index) {
                    self.holds.uncount();
                }
                self.inventory.give_back(slot);
                self.ledger.set(seq, index, None);
                slots.push(slot);
            }
        }
        if self.holds.is_on() {
            self.holds.unmark(seq);
        }
        self.series.set(seq, None);
        self.give_back_group_seats(seq);
        slots
    }

    /// Gives back one booking and keeps the lease: if it is still live, the person may book
    /// again (to change their slot, say: [`Engine::rebook`] does it without the risk of
    /// ending with nothing). A leg of a dose series gives back both legs; a holder's booking
    /// of their group's slot gives back their dependants' seats too. A hold is not a booking:
    /// [`Engine::cancel`] gives it back.
    ///
    /// # Errors
    /// [`ReleaseError::TimeWentBackwards`], [`ReleaseError::UnknownPerson`],
    /// [`ReleaseError::Dependant`], [`ReleaseError::NotBooked`] if the person holds no
    /// booking of `slot`.
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config::default())?;
    /// let (monday, tuesday) = (
    ///     engine.add_slot(SlotSpec::with_capacity(1)).unwrap(),
    ///     engine.add_slot(SlotSpec::with_capacity(1)).unwrap(),
    /// );
    /// let (person, now) = (PersonId::new(1), Timestamp::from_secs(1));
    /// engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// engine.advance(now, 1).unwrap();
    /// engine.reserve(person, &[monday], now).unwrap();
    /// engine.release_booking(person, monday, now).unwrap();
    /// assert_eq!(engine.reserve(person, &[tuesday], now).unwrap().slot, tuesday);
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn release_booking(
        &self,
        person: PersonId,
        slot: SlotId,
        now: Timestamp,
    ) -> Result<Released, ReleaseError> {
        let now = self.clock.check_call(now)?;
        let guard = match self.lock_tidied(person, now) {
            Ok(Locked::Admitted(guard)) => guard,
            Ok(Locked::Waiting(_) | Locked::Standby(_))
            | Err(Refusal::Released { .. } | Refusal::Lapsed { .. }) => {
                return Err(ReleaseError::NotBooked { slot });
            }
            Err(Refusal::Unknown) => return Err(ReleaseError::UnknownPerson),
            Err(Refusal::Dependant { holder }) => return Err(ReleaseError::Dependant { holder }),
        };
        let (seq, count) = (guard.seq(), guard.bookings_count());
        let index = self
            .ledger
            .booking_position(seq, count, slot)
            .ok_or(ReleaseError::NotBooked { slot })?;
        let mut slots = BookedSlots::default();
        if self.series.is_leg(seq, slot) {
            // Before the seats are given back.
            self.recorder.record(|| Record::SeriesReleased { seq });
            let legs = self
                .give_back_series(seq, count)
                .expect("both legs of a series are booked");
            guard.commit_bookings(count - 2);
            for leg in legs {
                slots.push(leg);
            }
            return Ok(Released {
                seq,
                slots,
                was_waiting: false,
            });
        }
        // Before the seats are given back: the holder's, and their group's there.
        self.recorder
            .record(|| Record::BookingReleased { seq, slot });
        self.give_back_group_seats_in(seq, slot);
        self.inventory.give_back(slot);
        self.remove_cell(seq, count, index);
        guard.commit_bookings(count - 1);
        slots.push(slot);
        Ok(Released {
            seq,
            slots,
            was_waiting: false,
        })
    }

    /// Engine-wide counters (a snapshot).
    pub fn stats(&self) -> Stats {
        Stats {
            places_handed_out: self.room.places_handed_out(),
            admission_cursor: self.room.admission_cursor(),
            active_admitted: self.room.active_count(),
            on_standby: self.room.standby().standing_count(),
            slots: self.inventory.len(),
            sold_out: self.inventory.is_sold_out(),
            latest_time: self.clock.door().unwrap_or(Timestamp::ZERO),
            admissions_per_sec: self.admissions_per_sec(),
        }
    }
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.config)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}
