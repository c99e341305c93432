//! [`Model`]: the reference model of the engine, a deliberately simple, single-threaded
//! restatement of what the docs promise, written to be read rather than to be fast.
//!
//! The engine keeps its guarantees with atomics, a lock-free person table, a packed state word
//! per place, a Fenwick tree of holes and a sweep cursor. The model keeps the same facts in the
//! plainest form there is: a `Vec` of places indexed by [`Seq`], a `HashMap` from person to
//! their current place, and a `Vec` of slots that each list the places holding them. Every
//! count (people ahead, seats booked, active leases, full slots) is recomputed by scanning. The
//! model shares no code with the engine beyond the public types it returns, so the two can only
//! agree by both following the docs.
//!
//! Each method has the engine's signature and returns the engine's types, checked in the
//! engine's documented order, so a test compares the two answers with `==`.
//!
//! # Where the model decides
//!
//! - **Time.** The door's clock is the latest time an `advance` saw; only `advance` moves it
//!   (a `now` up to [`Config::time_skew_tolerance_ms`] behind it is served at the door's time,
//!   further back is [`TimeWentBackwards`]). Every other call is served at `max(now, door)` and
//!   moves nothing; it is refused with [`TimeWentBackwards`] more than the skew tolerance
//!   behind the door, and with [`TimeTooFarAhead`] more than
//!   [`Config::time_ahead_tolerance_ms`] ahead of it. Before the first `advance`, every time
//!   is accepted as it is.
//! - **Lapses.** A lease lapses at its deadline whether or not anyone notices. `advance` marks
//!   every admitted person who never booked and whose deadline has passed as lapsed, and
//!   reports how many; a person who booked and gave it back no longer counts as *active*, so
//!   the sweep does not report them (the person-state docs define it so), but once their lease
//!   has run out while they hold nothing they are lapsed all the same for `status`, `reserve`
//!   and `enqueue`.
//! - **Turned away.** A person whose first join found the room full holds no place, so their
//!   next join is a first join again, cohort window included; a room full of places and an
//!   inventory with no seat left answer a first join or a requeue with `SoldOut` before
//!   `Full`, whatever came before. (The engine once answered both by a flag that depended on
//!   who had been turned away earlier; `tests/regressions.rs` keeps the two scenarios.)
//! - **The estimated wait.** `status` reports `ahead` divided by the admission rate over the
//!   last 16 advances (admissions per second between the oldest kept sample and this one). The
//!   model keeps every sample in a `Vec` and computes the same `f64` expression in the same
//!   order, so the two agree to the bit: IEEE arithmetic is deterministic. The window of 16 is
//!   the engine's; a change there shows up here as a mismatch, which is the point.

use std::collections::HashMap;

use fairbook::{
    AddSlotError, AdmittedInError, AdvanceError, Advanced, BookedSlots, Booking, CHOICES_MAX_LIMIT,
    COHORTS_MAX_LIMIT, CohortId, Config, ConfigError, DAYS_MAX_LIMIT, DoorStall, DrawEntryError,
    DrawError, EnqueueError, LapsePolicy, OutflowPolicy, PEOPLE_MAX_LIMIT, PersonId, Place,
    REGIONS_MAX_LIMIT, RegionId, ReleaseError, Released, ReserveError, SITES_MAX_LIMIT,
    SLOT_CAPACITY_LIMIT, SLOTS_MAX_LIMIT, STANDBY_MAX_LIMIT, Scope, Seq, SiteId, SlotId, SlotSpec,
    SlotView, StandbyError, Stats, Status, StatusError, TimeTooFarAhead, TimeWentBackwards,
    Timestamp,
};

mod draw;
mod scope;
mod standby;
mod supply;

use standby::DoorSeats;

/// The model's own reading of the limits documented on each [`Config`] field, checked in
/// field order; [`Config::validate`] must agree with it on every configuration.
///
/// # Errors
/// The first limit out of range.
///
/// # Example
/// ```
/// use fairbook_testing::validate;
/// use fairbook::Config;
/// let config = Config { choices_max: 65, ..Config::default() };
/// assert_eq!(validate(&config), config.validate());
/// assert!(validate(&config).is_err());
/// ```
pub fn validate(config: &Config) -> Result<(), ConfigError> {
    let people_limit = PEOPLE_MAX_LIMIT.min(u64::try_from(usize::MAX).unwrap_or(u64::MAX));
    if !(1..=PEOPLE_MAX_LIMIT).contains(&config.people_max) {
        return Err(ConfigError::PeopleMaxOutOfRange {
            given: config.people_max,
            max: PEOPLE_MAX_LIMIT,
        });
    }
    if config.people_max > people_limit {
        return Err(ConfigError::PeopleMaxOutOfRange {
            given: config.people_max,
            max: people_limit,
        });
    }
    if !(1..=SLOTS_MAX_LIMIT).contains(&config.slots_max) {
        return Err(ConfigError::SlotsMaxOutOfRange {
            given: config.slots_max,
            max: SLOTS_MAX_LIMIT,
        });
    }
    if !(1..=SITES_MAX_LIMIT).contains(&config.sites_max) {
        return Err(ConfigError::SitesMaxOutOfRange {
            given: config.sites_max,
            max: SITES_MAX_LIMIT,
        });
    }
    if !(1..=DAYS_MAX_LIMIT).contains(&config.days_max) {
        return Err(ConfigError::DaysMaxOutOfRange {
            given: config.days_max,
            max: DAYS_MAX_LIMIT,
        });
    }
    if !(1..=REGIONS_MAX_LIMIT).contains(&config.regions_max) {
        return Err(ConfigError::RegionsMaxOutOfRange {
            given: config.regions_max,
            max: REGIONS_MAX_LIMIT,
        });
    }
    if config.lease_ms == 0 {
        return Err(ConfigError::LeaseZero);
    }
    if config.standby_max > STANDBY_MAX_LIMIT {
        return Err(ConfigError::StandbyMaxOutOfRange {
            given: config.standby_max,
            max: STANDBY_MAX_LIMIT,
        });
    }
    if !(1..=15).contains(&config.bookings_per_person_max) {
        return Err(ConfigError::BookingsPerPersonOutOfRange {
            given: config.bookings_per_person_max,
            max: 15,
        });
    }
    if !(1..=CHOICES_MAX_LIMIT).contains(&config.choices_max) {
        return Err(ConfigError::ChoicesMaxOutOfRange {
            given: config.choices_max,
            max: CHOICES_MAX_LIMIT,
        });
    }
    if !(1..=COHORTS_MAX_LIMIT).contains(&config.cohorts.len()) {
        return Err(ConfigError::CohortsOutOfRange {
            given: config.cohorts.len(),
            max: COHORTS_MAX_LIMIT,
        });
    }
    for (cohort, window) in config.cohorts.iter().enumerate() {
        if let Some(closes_at) = window
            .closes_at
            .filter(|&closes_at| closes_at <= window.opens_at)
        {
            return Err(ConfigError::CohortWindowEmpty {
                cohort: cohort as u16,
                opens_at: window.opens_at,
                closes_at,
            });
        }
        if let Scope::Region(region) = window.scope
            && u32::from(region.as_u16()) >= config.regions_max
        {
            return Err(ConfigError::CohortRegionOutOfRange {
                cohort: cohort as u16,
                region,
                regions_max: config.regions_max,
            });
        }
    }
    Ok(())
}

/// How many recent advances the admission rate looks back over (the engine's window).
const RATE_SAMPLES: usize = 16;

/// Where one place is in its journey.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// In line.
    Waiting,
    /// Admitted with a lease (which may have run out unnoticed).
    Leased,
    /// Admitted, never booked, and an `advance` found the lease run out.
    Lapsed,
    /// Gave the place back before admission.
    Left,
    /// Admitted, then gave back everything.
    Done,
    /// Lapsed, then joined again at a later place (under [`LapsePolicy::Requeue`]).
    Moved,
    /// Admitted, found no room, and keeps their turn until a seat is offered.
    Standby,
}

/// One place in line, by sequence.
#[derive(Clone, Debug)]
struct ModelPlace {
    person: PersonId,
    stage: Stage,
    /// The lease deadline, once admitted.
    lease_until: Timestamp,
    /// Has ever booked: such a person no longer counts as active.
    has_booked: bool,
    /// The slots held now, in booking order (a release moves the last one into the gap).
    bookings: Vec<SlotId>,
    /// Where the person may book (everywhere when the engine has one region).
    scope: Scope,
    /// The seat the door holds for them, offered while they were on standby (with
    /// `stage == Leased`; their deadline is `lease_until`).
    offer: Option<SlotId>,
}

impl ModelPlace {
    /// The lease has run out while the person holds nothing.
    fn is_lapsed(&self, now: Timestamp) -> bool {
        match self.stage {
            Stage::Lapsed => true,
            // An offer lapses only when the door takes its seat back.
            Stage::Leased => {
                self.bookings.is_empty() && self.offer.is_none() && now >= self.lease_until
            }
            _ => false,
        }
    }

    /// Admitted, lease not yet swept, never booked.
    fn is_active(&self) -> bool {
        self.stage == Stage::Leased && !self.has_booked && self.offer.is_none()
    }
}

/// One slot with the places that hold it. `spec.capacity` is the capacity now: a closed
/// slot's goes down with each booking given back.
#[derive(Clone, Debug)]
struct ModelSlot {
    spec: SlotSpec,
    holders: Vec<Seq>,
    closed: bool,
}

impl ModelSlot {
    fn is_full(&self) -> bool {
        self.holders.len() >= self.spec.capacity as usize
    }
}

/// The outflow policy's token bucket, in thousandths of a token.
#[derive(Clone, Debug, Default)]
struct Bucket {
    tokens_milli: u64,
    last_refill_ms: Option<u64>,
}

/// The reference model: the engine's documented behaviour, single-threaded, in plain
/// collections.
///
/// Build it from the same [`Config`] as the engine, add the same slots, then make the same
/// calls with the same times: every answer must be equal. [`Model::check_invariants`] states
/// the guarantees over the model's own state.
///
/// # Example
/// ```
/// use fairbook_testing::Model;
/// use fairbook::{CohortId, Config, Engine, PersonId, SlotSpec, Timestamp};
///
/// let config = Config { people_max: 8, ..Config::default() };
/// let engine = Engine::new(config.clone())?;
/// let mut model = Model::new(config)?;
/// let now = Timestamp::from_secs(1);
/// assert_eq!(engine.add_slot(SlotSpec::with_capacity(1)), model.add_slot(SlotSpec::with_capacity(1)));
/// for id in [3, 1, 3] {
///     let person = PersonId::new(id);
///     assert_eq!(engine.enqueue(person, CohortId::new(0), now), model.enqueue(person, CohortId::new(0), now));
/// }
/// assert_eq!(engine.advance(now, 1), model.advance(now, 1));
/// assert_eq!(engine.status(PersonId::new(1), now), model.status(PersonId::new(1), now));
/// model.check_invariants().unwrap();
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Model {
    config: Config,
    /// The door's clock: `None` before the first advance.
    door: Option<Timestamp>,
    /// Every place handed out, indexed by sequence.
    line: Vec<ModelPlace>,
    /// Each person's current place (a requeue moves it on).
    place_of: HashMap<PersonId, Seq>,
    slots: Vec<ModelSlot>,
    /// Each added site's region.
    site_regions: HashMap<SiteId, RegionId>,
    /// Each region's sites, in the order they were added.
    region_sites: HashMap<RegionId, Vec<SiteId>>,
    /// Free seats per region and in all, as the door last counted them (engines with more
    /// than one region count at every advance).
    free_at_door: Option<(HashMap<RegionId, u64>, u64)>,
    /// Why the door let nobody in at its latest turn.
    door_stall: Option<DoorStall>,
    /// Offers the door recorded and has not forgotten yet: each takes room in the standby line
    /// until the door's next turn finds it booked, given back or lapsed.
    offers_recorded: Vec<Seq>,
    /// The draws' entrants, drawn or not, and the people the full pre-queue turned away.
    pre_queue: HashMap<PersonId, draw::Entrant>,
    /// Cohorts whose draw was made.
    drawn: Vec<CohortId>,
    /// Every place below this has been considered by an advance.
    admission_cursor: u64,
    /// `(effective time, admission cursor)` after every advance, oldest first.
    rate_samples: Vec<(Timestamp, u64)>,
    bucket: Bucket,
}

impl Model {
    /// A model of an engine built with `config`.
    ///
    /// # Errors
    /// The [`ConfigError`] the [`Config`] field docs call for (see [`validate`]), which must be
    /// the one [`Engine::new`](fairbook::Engine::new) gives.
    pub fn new(config: Config) -> Result<Model, ConfigError> {
        validate(&config)?;
        Ok(Model {
            config,
            door: None,
            line: Vec::new(),
            place_of: HashMap::new(),
            slots: Vec::new(),
            site_regions: HashMap::new(),
            region_sites: HashMap::new(),
            free_at_door: None,
            door_stall: None,
            offers_recorded: Vec::new(),
            pre_queue: HashMap::new(),
            drawn: Vec::new(),
            admission_cursor: 0,
            rate_samples: Vec::new(),
            bucket: Bucket::default(),
        })
    }

    /// The configuration the model was built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The people the model has seen join (in no particular order).
    pub fn people(&self) -> impl Iterator<Item = PersonId> + '_ {
        self.place_of.keys().copied()
    }

    /// The person's current place, if they ever got one (a requeue moves it on).
    pub fn place_of(&self, person: PersonId) -> Option<Seq> {
        self.place_of.get(&person).copied()
    }

    /// How many slots exist.
    pub fn slots_len(&self) -> u32 {
        self.slots.len() as u32
    }

    /// The effective time of an advance at `now` (which moves the door), or the error the
    /// engine must give.
    fn move_door(&mut self, now: Timestamp) -> Result<Timestamp, TimeWentBackwards> {
        match self.door {
            Some(door) if now <= door => {
                if door.millis_since(now) > self.config.time_skew_tolerance_ms {
                    return Err(TimeWentBackwards { now, latest: door });
                }
                Ok(door)
            }
            _ => {
                self.door = Some(now);
                Ok(now)
            }
        }
    }

    /// The effective time of any other call at `now` (which moves nothing), or the error the
    /// engine must give.
    fn check_call(&self, now: Timestamp) -> Result<Timestamp, CallTime> {
        let Some(door) = self.door else {
            return Ok(now);
        };
        if now >= door {
            if now.millis_since(door) > self.config.time_ahead_tolerance_ms {
                return Err(CallTime::Ahead(TimeTooFarAhead {
                    now,
                    latest: door,
                    tolerance_ms: self.config.time_ahead_tolerance_ms,
                }));
            }
            Ok(now)
        } else if door.millis_since(now) > self.config.time_skew_tolerance_ms {
            Err(CallTime::Backwards(TimeWentBackwards { now, latest: door }))
        } else {
            Ok(door)
        }
    }

    /// At least one slot, and every slot full.
    pub fn is_sold_out(&self) -> bool {
        !self.slots.is_empty() && self.slots.iter().all(ModelSlot::is_full)
    }

    /// People still waiting ahead of the place `seq`.
    fn waiting_ahead(&self, seq: Seq) -> u64 {
        let from = self.admission_cursor.min(seq.as_u64()) as usize;
        self.line[from..seq.as_index()]
            .iter()
            .filter(|place| place.stage == Stage::Waiting)
            .count() as u64
    }

    fn place(&self, seq: Seq) -> &ModelPlace {
        &self.line[seq.as_index()]
    }

    fn place_mut(&mut self, seq: Seq) -> &mut ModelPlace {
        &mut self.line[seq.as_index()]
    }

    /// Hands out the next place to `person`, or `None` when all `people_max` are used.
    fn new_place(&mut self, person: PersonId, scope: Scope) -> Option<Seq> {
        if self.line.len() as u64 >= self.config.people_max {
            return None;
        }
        let seq = Seq::new(self.line.len() as u64);
        self.line.push(ModelPlace {
            person,
            stage: Stage::Waiting,
            lease_until: Timestamp::ZERO,
            has_booked: false,
            bookings: Vec::new(),
            scope,
            offer: None,
        });
        self.place_of.insert(person, seq);
        Some(seq)
    }

    fn full_error(&self) -> EnqueueError {
        EnqueueError::Full {
            people_max: self.config.people_max,
        }
    }

    /// See [`Engine::add_slot`](fairbook::Engine::add_slot): a site named for the first time
    /// joins region 0.
    ///
    /// # Errors
    /// As the engine's, in the same order: the site, the day and the capacity out of range,
    /// then [`AddSlotError::Full`] once `slots_max` slots exist. (The engine's
    /// [`AddSlotError::SiteFull`] needs sixteen million slots at one site: no model test
    /// reaches it.)
    pub fn add_slot(&mut self, spec: SlotSpec) -> Result<SlotId, AddSlotError> {
        if spec.site.as_u32() >= self.config.sites_max {
            return Err(AddSlotError::SiteOutOfRange {
                site: spec.site,
                sites_max: self.config.sites_max,
            });
        }
        if u32::from(spec.day.as_u16()) >= self.config.days_max {
            return Err(AddSlotError::DayOutOfRange {
                day: spec.day,
                days_max: self.config.days_max,
            });
        }
        if spec.capacity > SLOT_CAPACITY_LIMIT {
            return Err(AddSlotError::CapacityTooLarge {
                capacity: spec.capacity,
                max: SLOT_CAPACITY_LIMIT,
            });
        }
        if self.slots.len() >= self.config.slots_max as usize {
            return Err(AddSlotError::Full {
                slots_max: self.config.slots_max,
            });
        }
        if !self.site_regions.contains_key(&spec.site) {
            self.put_site(spec.site, RegionId::new(0));
        }
        self.slots.push(ModelSlot {
            spec,
            holders: Vec::new(),
            closed: false,
        });
        Ok(SlotId::new(self.slots.len() as u32 - 1))
    }

    /// See [`Engine::slot`](fairbook::Engine::slot).
    pub fn slot(&self, slot: SlotId) -> Option<SlotView> {
        self.slots.get(slot.as_index()).map(|model| SlotView {
            id: slot,
            spec: model.spec,
            booked: model.holders.len() as u32,
            closed: model.closed,
        })
    }

    /// See [`Engine::enqueue`](fairbook::Engine::enqueue): idempotent per person; the window and
    /// the inventory are asked only for a first join or a requeue.
    ///
    /// # Errors
    /// As the engine's, in the same order.
    pub fn enqueue(
        &mut self,
        person: PersonId,
        cohort: CohortId,
        now: Timestamp,
    ) -> Result<Place, EnqueueError> {
        self.join(person, cohort, None, now)
    }

    /// See [`Engine::enqueue_in`](fairbook::Engine::enqueue_in): a first join's place keeps
    /// `scope`, whatever the cohort's.
    ///
    /// # Errors
    /// As the engine's: the time, then the region, then as [`Model::enqueue`].
    pub fn enqueue_in(
        &mut self,
        person: PersonId,
        cohort: CohortId,
        scope: Scope,
        now: Timestamp,
    ) -> Result<Place, EnqueueError> {
        let now = self.check_call(now)?;
        if let Scope::Region(region) = scope {
            if u32::from(region.as_u16()) >= self.config.regions_max {
                return Err(EnqueueError::RegionOutOfRange {
                    region,
                    regions_max: self.config.regions_max,
                });
            }
        }
        self.join(person, cohort, Some(scope), now)
    }

    fn join(
        &mut self,
        person: PersonId,
        cohort: CohortId,
        scope: Option<Scope>,
        now: Timestamp,
    ) -> Result<Place, EnqueueError> {
        let now = self.check_call(now)?;
        if !person.is_valid() {
            return Err(EnqueueError::InvalidPerson);
        }
        let Some(&window) = self.config.cohorts.get(cohort.as_index()) else {
            return Err(EnqueueError::UnknownCohort { cohort });
        };
        let Some(&seq) = self.place_of.get(&person) else {
            if now < window.opens_at {
                return Err(EnqueueError::WindowNotOpen {
                    cohort,
                    opens_at: window.opens_at,
                });
            }
            if let Some(closed_at) = window.closes_at.filter(|&closes_at| now >= closes_at) {
                return Err(EnqueueError::WindowClosed { cohort, closed_at });
            }
            if window.draw && !self.drawn.contains(&cohort) {
                return Err(EnqueueError::DrawPending { cohort });
            }
            let scope = self.normalized(scope.unwrap_or(window.scope));
            if let Some(error) = self.sold_out_for(scope) {
                return Err(error);
            }
            let seq = self
                .new_place(person, scope)
                .ok_or_else(|| self.full_error())?;
            return Ok(Place { seq, is_new: true });
        };
        let existing = Place { seq, is_new: false };
        let place = self.place(seq);
        if !place.is_lapsed(now) {
            return match place.stage {
                Stage::Waiting | Stage::Leased | Stage::Standby => Ok(existing),
                Stage::Left | Stage::Done => Err(EnqueueError::PlaceReleased { seq }),
                Stage::Lapsed | Stage::Moved => unreachable!("a current place is never {place:?}"),
            };
        }
        let at = place.lease_until;
        match self.config.lapse_policy {
            LapsePolicy::Forfeit => Err(EnqueueError::LeaseLapsed { seq, at }),
            LapsePolicy::Requeue => {
                // A requeue is a new place, in the old one's scope: the inventory and the room
                // are asked again, sold out first, then full, as for a first join.
                let scope = place.scope;
                if let Some(error) = self.sold_out_for(scope) {
                    return Err(error);
                }
                let new_seq = self
                    .new_place(person, scope)
                    .ok_or_else(|| self.full_error())?;
                self.place_mut(seq).stage = Stage::Moved;
                Ok(Place {
                    seq: new_seq,
                    is_new: true,
                })
            }
            // A policy added to the engine must be taught to the model before it is tested.
            policy => panic!("the model does not know {policy:?}"),
        }
    }

    /// See [`Engine::enqueue_batch`](fairbook::Engine::enqueue_batch): one [`Model::enqueue`] per
    /// request, in order, at one effective time. The batch sees its time even when it is empty.
    pub fn enqueue_batch(
        &mut self,
        requests: &[(PersonId, CohortId)],
        now: Timestamp,
    ) -> Vec<Result<Place, EnqueueError>> {
        let now = match self.check_call(now) {
            Ok(now) => now,
            Err(error) => return vec![Err(error.into()); requests.len()],
        };
        requests
            .iter()
            .map(|&(person, cohort)| self.enqueue(person, cohort, now))
            .collect()
    }

    /// Marks every active lease that ran out by `now` as lapsed; returns how many.
    fn sweep(&mut self, now: Timestamp) -> u64 {
        let mut lapsed = 0;
        for place in &mut self.line {
            if place.is_active() && place.lease_until <= now {
                place.stage = Stage::Lapsed;
                lapsed += 1;
            }
        }
        lapsed
    }

    /// Admits up to `how_many` waiting people in sequence order, passing over places given
    /// back. Stops as soon as `how_many` are in, so places given back after the last one
    /// admitted are left for the next call; a seat-aware door also stops at a person whose
    /// scope has no seat for them (`seats`). Returns whether that stopped it.
    fn admit(
        &mut self,
        how_many: u64,
        lease_until: Timestamp,
        mut seats: Option<&mut DoorSeats>,
    ) -> (u64, Seq, Seq, bool) {
        let from = self.admission_cursor;
        let mut admitted = 0;
        let mut refused = false;
        while admitted < how_many && (self.admission_cursor as usize) < self.line.len() {
            let place = &mut self.line[self.admission_cursor as usize];
            if place.stage == Stage::Waiting {
                if let Some(seats) = seats.as_deref_mut() {
                    if !seats.admit(place.scope) {
                        refused = true;
                        break;
                    }
                }
                place.stage = Stage::Leased;
                place.lease_until = lease_until;
                admitted += 1;
            }
            self.admission_cursor += 1;
        }
        (
            admitted,
            Seq::new(from),
            Seq::new(self.admission_cursor),
            refused,
        )
    }

    fn record_rate_sample(&mut self, now: Timestamp) {
        self.rate_samples.push((now, self.admission_cursor));
    }

    /// Admissions per second between the oldest kept sample and the newest, if positive.
    fn admissions_per_sec(&self) -> Option<f64> {
        let (newest_time, newest_cursor) = *self.rate_samples.last()?;
        let (oldest_time, oldest_cursor) =
            self.rate_samples[self.rate_samples.len().saturating_sub(RATE_SAMPLES)];
        let elapsed_ms = newest_time.millis_since(oldest_time);
        if elapsed_ms == 0 {
            return None;
        }
        let per_sec = (newest_cursor - oldest_cursor) as f64 * 1_000.0 / elapsed_ms as f64;
        (per_sec > 0.0).then_some(per_sec)
    }

    /// The door's turn after its sweep: offers to people on standby, then admission of up to
    /// what `due` allows, given the door's state after the offers.
    fn turn(
        &mut self,
        now: Timestamp,
        lapsed: u64,
        due: impl FnOnce(&mut Model) -> (u64, Option<DoorStall>),
    ) -> Advanced {
        let lease_until = now.plus_millis(self.config.lease_ms);
        let (offered, offers_lapsed) = self.offer_freed_seats(now, lease_until);
        let mut seats = self.config.seat_aware_door.then(|| self.door_seats());
        let (how_many, limit) = due(self);
        let (admitted, from, to, refused) = self.admit(how_many, lease_until, seats.as_mut());
        self.bucket.tokens_milli = self
            .bucket
            .tokens_milli
            .saturating_sub(admitted.saturating_mul(1_000));
        let waiting = self
            .line
            .iter()
            .filter(|place| place.stage == Stage::Waiting)
            .count();
        let stall = if refused {
            Some(DoorStall::NoSeat)
        } else {
            limit
        }
        .filter(|_| admitted == 0 && waiting > 0);
        self.door_stall = stall;
        self.record_rate_sample(now);
        self.count_free_at_door();
        Advanced {
            admitted,
            from,
            to,
            lease_until,
            lapsed,
            offered,
            offers_lapsed,
            stall,
        }
    }

    /// See [`Engine::advance`](fairbook::Engine::advance).
    ///
    /// # Errors
    /// [`AdvanceError::TimeWentBackwards`].
    pub fn advance(&mut self, now: Timestamp, how_many: u64) -> Result<Advanced, AdvanceError> {
        let now = self.move_door(now)?;
        let lapsed = self.sweep(now);
        Ok(self.turn(now, lapsed, |_| (how_many, None)))
    }

    /// See [`Engine::advance_with_policy`](fairbook::Engine::advance_with_policy): the token bucket starts full,
    /// refills at the policy's rate up to its burst, and is spent by each admission.
    ///
    /// # Errors
    /// [`AdvanceError::TimeWentBackwards`].
    pub fn advance_with_policy(
        &mut self,
        now: Timestamp,
        policy: &OutflowPolicy,
    ) -> Result<Advanced, AdvanceError> {
        let now = self.move_door(now)?;
        let sold_out = self.is_sold_out();
        let lapsed = self.sweep(now);
        Ok(self.turn(now, lapsed, |model| {
            if policy.stop_when_sold_out && sold_out {
                return (0, Some(DoorStall::SoldOut));
            }
            let mut due = u64::MAX;
            let mut stall = None;
            if let Some(per_sec) = policy.admissions_per_sec {
                let cap_milli = policy.burst_max.unwrap_or(per_sec).saturating_mul(1_000);
                model.bucket.tokens_milli = match model.bucket.last_refill_ms {
                    None => cap_milli,
                    Some(last) => model
                        .bucket
                        .tokens_milli
                        .saturating_add(
                            now.as_millis().saturating_sub(last).saturating_mul(per_sec),
                        )
                        .min(cap_milli),
                };
                model.bucket.last_refill_ms = Some(now.as_millis());
                due = due.min(model.bucket.tokens_milli / 1_000);
                if per_sec == 0 {
                    stall = Some(DoorStall::NoRate);
                }
            }
            if let Some(active_max) = policy.active_max {
                let room = active_max.saturating_sub(model.active_count());
                if room == 0 && stall.is_none() {
                    stall = Some(DoorStall::ActiveCap);
                }
                due = due.min(room);
            }
            (due, stall.filter(|_| due == 0))
        }))
    }

    /// Admitted people holding a lease that has not been swept, who never booked.
    fn active_count(&self) -> u64 {
        self.line.iter().filter(|place| place.is_active()).count() as u64
    }

    /// See [`Engine::admitted_in`](fairbook::Engine::admitted_in): the places an advance looked
    /// at that were not given back before their turn, with their people; a range beyond the
    /// places admitted so far is an error.
    ///
    /// # Errors
    /// [`AdmittedInError::NotAdmitted`].
    pub fn admitted_in(
        &self,
        advanced: &Advanced,
    ) -> Result<Vec<(Seq, PersonId)>, AdmittedInError> {
        if advanced.from > advanced.to || advanced.to.as_u64() > self.admission_cursor {
            return Err(AdmittedInError::NotAdmitted {
                from: advanced.from,
                to: advanced.to,
                admission_cursor: self.admission_cursor,
            });
        }
        Ok((advanced.from.as_u64()..advanced.to.as_u64())
            .map(Seq::new)
            .filter(|&seq| self.place(seq).stage != Stage::Left)
            .map(|seq| (seq, self.place(seq).person))
            .collect())
    }

    /// See [`Engine::status`](fairbook::Engine::status).
    ///
    /// # Errors
    /// [`StatusError::TimeWentBackwards`].
    pub fn status(&mut self, person: PersonId, now: Timestamp) -> Result<Status, StatusError> {
        let now = self.check_call(now)?;
        let Some(&seq) = self.place_of.get(&person) else {
            return Ok(match self.in_draw(person) {
                Some(cohort) => Status::InDraw {
                    cohort,
                    draw_at: self.config.cohorts[cohort.as_index()].opens_at,
                },
                None => Status::Unknown,
            });
        };
        let place = self.place(seq);
        Ok(match place.stage {
            Stage::Standby => Status::Standby { seq },
            Stage::Leased if place.offer.is_some() && now < place.lease_until => Status::Offered {
                seq,
                slot: place.offer.expect("checked"),
                until: place.lease_until,
            },
            Stage::Waiting => {
                let ahead = self.waiting_ahead(seq);
                if self.is_sold_out() {
                    Status::SoldOut { seq, ahead }
                } else if let Some((scope, free_elsewhere)) = self.scope_sold_out(place.scope) {
                    Status::SoldOutInScope {
                        seq,
                        ahead,
                        scope,
                        free_elsewhere,
                    }
                } else {
                    Status::Waiting {
                        seq,
                        ahead,
                        estimated_wait_ms: self
                            .admissions_per_sec()
                            .map(|per_sec| (ahead as f64 * 1_000.0 / per_sec).ceil() as u64),
                        door_stall: self.door_stall,
                    }
                }
            }
            Stage::Leased if !place.bookings.is_empty() => {
                let slots = BookedSlots::from_slice(&place.bookings)
                    .expect("the model holds at most the configured limit");
                Status::Booked {
                    seq,
                    slots,
                    lease_until: place.lease_until,
                }
            }
            Stage::Leased if now < place.lease_until => Status::Admitted {
                seq,
                lease_until: place.lease_until,
            },
            Stage::Leased | Stage::Lapsed => Status::Lapsed {
                seq,
                at: place.lease_until,
            },
            Stage::Left | Stage::Done => Status::Released { seq },
            Stage::Moved => unreachable!("a current place is never moved"),
        })
    }

    /// See [`Engine::reserve`](fairbook::Engine::reserve): the first listed slot with room that
    /// the person does not already hold.
    ///
    /// # Errors
    /// As the engine's, in the same order: time, the choice list, the slots, the person, the
    /// lease, the booking limit, room.
    pub fn reserve(
        &mut self,
        person: PersonId,
        choices: &[SlotId],
        now: Timestamp,
    ) -> Result<Booking, ReserveError> {
        let now = self.check_call(now)?;
        if choices.is_empty() {
            return Err(ReserveError::EmptyChoice);
        }
        if choices.len() > self.config.choices_max {
            return Err(ReserveError::TooManyChoices {
                given: choices.len(),
                max: self.config.choices_max,
            });
        }
        if let Some(&slot) = choices
            .iter()
            .find(|slot| slot.as_index() >= self.slots.len())
        {
            return Err(ReserveError::UnknownSlot { slot });
        }
        let &seq = self
            .place_of
            .get(&person)
            .ok_or(ReserveError::UnknownPerson)?;
        let place = self.place(seq);
        match place.stage {
            Stage::Waiting => {
                return Err(ReserveError::NotAdmitted {
                    seq,
                    ahead: self.waiting_ahead(seq),
                });
            }
            Stage::Left | Stage::Done | Stage::Moved => return Err(ReserveError::PlaceReleased),
            Stage::Standby => return Err(ReserveError::OnStandby),
            Stage::Lapsed => {
                return Err(ReserveError::LeaseLapsed {
                    at: place.lease_until,
                });
            }
            Stage::Leased if now >= place.lease_until => {
                return Err(ReserveError::LeaseLapsed {
                    at: place.lease_until,
                });
            }
            Stage::Leased => {}
        }
        if let Scope::Region(region) = place.scope {
            let outside = choices
                .iter()
                .find(|slot| self.region_of(self.slots[slot.as_index()].spec.site) != Some(region));
            if let Some(&slot) = outside {
                return Err(ReserveError::OutOfScope {
                    slot,
                    scope: place.scope,
                });
            }
        }
        if let Some(held) = place.offer {
            let Some(rank) = choices.iter().position(|&slot| slot == held) else {
                return Err(ReserveError::OfferPending {
                    slot: held,
                    until: place.lease_until,
                });
            };
            let place = self.place_mut(seq);
            place.offer = None;
            place.bookings.push(held);
            place.has_booked = true;
            return Ok(Booking {
                seq,
                slot: held,
                rank: rank as u8,
            });
        }
        let bookings_max = self.config.bookings_per_person_max;
        if place.bookings.len() >= usize::from(bookings_max) {
            return Err(ReserveError::BookingLimit { bookings_max });
        }
        let chosen = choices.iter().enumerate().find(|&(_, &slot)| {
            !place.bookings.contains(&slot)
                && !self.slots[slot.as_index()].is_full()
                && !self.standby_ahead(seq, slot)
        });
        let Some((rank, &slot)) = chosen else {
            return Err(ReserveError::NoRoom {
                sold_out: self.is_scope_sold_out(place.scope),
            });
        };
        self.slots[slot.as_index()].holders.push(seq);
        let place = self.place_mut(seq);
        place.bookings.push(slot);
        place.has_booked = true;
        Ok(Booking {
            seq,
            slot,
            rank: rank as u8,
        })
    }

    /// Takes `seq`'s booking of `slot` off the slot's list of holders; a closed slot loses
    /// the seat.
    fn give_back(&mut self, seq: Seq, slot: SlotId) {
        let model = &mut self.slots[slot.as_index()];
        let index = model
            .holders
            .iter()
            .position(|&holder| holder == seq)
            .expect("a booking the place holds is on the slot's list");
        model.holders.swap_remove(index);
        if model.closed {
            model.spec.capacity -= 1;
        }
    }

    /// See [`Engine::release`](fairbook::Engine::release).
    ///
    /// # Errors
    /// [`ReleaseError::TimeWentBackwards`], [`ReleaseError::UnknownPerson`],
    /// [`ReleaseError::NothingToRelease`].
    pub fn release(&mut self, person: PersonId, now: Timestamp) -> Result<Released, ReleaseError> {
        let now = self.check_call(now)?;
        let &seq = self
            .place_of
            .get(&person)
            .ok_or(ReleaseError::UnknownPerson)?;
        let place = self.place(seq);
        match place.stage {
            Stage::Waiting => {
                self.place_mut(seq).stage = Stage::Left;
                Ok(Released {
                    seq,
                    slots: BookedSlots::default(),
                    was_waiting: true,
                })
            }
            Stage::Standby => {
                self.place_mut(seq).stage = Stage::Done;
                Ok(Released {
                    seq,
                    slots: BookedSlots::default(),
                    was_waiting: false,
                })
            }
            Stage::Leased if !place.bookings.is_empty() || now < place.lease_until => {
                let bookings = core::mem::take(&mut self.place_mut(seq).bookings);
                for &slot in &bookings {
                    self.give_back(seq, slot);
                }
                if let Some(held) = self.place_mut(seq).offer.take() {
                    self.give_back(seq, held);
                }
                let slots = BookedSlots::from_slice(&bookings)
                    .expect("the model holds at most the configured limit");
                self.place_mut(seq).stage = Stage::Done;
                Ok(Released {
                    seq,
                    slots,
                    was_waiting: false,
                })
            }
            _ => Err(ReleaseError::NothingToRelease),
        }
    }

    /// See [`Engine::release_booking`](fairbook::Engine::release_booking): the lease is kept.
    ///
    /// # Errors
    /// [`ReleaseError::TimeWentBackwards`], [`ReleaseError::UnknownPerson`],
    /// [`ReleaseError::NotBooked`].
    pub fn release_booking(
        &mut self,
        person: PersonId,
        slot: SlotId,
        now: Timestamp,
    ) -> Result<Released, ReleaseError> {
        self.check_call(now)?;
        let &seq = self
            .place_of
            .get(&person)
            .ok_or(ReleaseError::UnknownPerson)?;
        let place = self.place_mut(seq);
        let index = match place.stage {
            Stage::Leased => place.bookings.iter().position(|&held| held == slot),
            _ => None,
        }
        .ok_or(ReleaseError::NotBooked { slot })?;
        place.bookings.swap_remove(index);
        self.give_back(seq, slot);
        Ok(Released {
            seq,
            slots: BookedSlots::from_slice(&[slot]).expect("one slot fits"),
            was_waiting: false,
        })
    }

    /// See [`Engine::stats`](fairbook::Engine::stats).
    pub fn stats(&self) -> ModelStats {
        ModelStats {
            places_handed_out: self.line.len() as u64,
            admission_cursor: self.admission_cursor,
            active_admitted: self.active_count(),
            on_standby: self.standing().count() as u64,
            slots: self.slots.len() as u32,
            sold_out: self.is_sold_out(),
            latest_time: self.door.unwrap_or(Timestamp::ZERO),
            admissions_per_sec: self.admissions_per_sec(),
        }
    }

    /// Checks the guarantees over the model's own state: no slot holds more than its capacity,
    /// a slot's holders and the people's bookings are the same facts, nobody holds more than
    /// the limit or the same slot twice, only admitted people hold bookings, the admission
    /// cursor splits the line into admitted and waiting, and every person has exactly one live
    /// place.
    ///
    /// # Errors
    /// A sentence naming the first broken invariant.
    pub fn check_invariants(&self) -> Result<(), String> {
        for (index, slot) in self.slots.iter().enumerate() {
            let id = SlotId::new(index as u32);
            if slot.holders.len() > slot.spec.capacity as usize {
                return Err(format!(
                    "{id} holds {} bookings but has capacity {}",
                    slot.holders.len(),
                    slot.spec.capacity
                ));
            }
            for &seq in &slot.holders {
                let held = self.line.get(seq.as_index()).map_or(0, |place| {
                    place.bookings.iter().filter(|&&s| s == id).count()
                        + usize::from(place.offer == Some(id))
                });
                if held != 1 {
                    return Err(format!("{id} lists {seq}, which holds it {held} times"));
                }
            }
        }
        if self.line.len() as u64 > self.config.people_max {
            return Err(format!("{} places handed out", self.line.len()));
        }
        let mut live_places = 0;
        for (raw, place) in self.line.iter().enumerate() {
            let seq = Seq::new(raw as u64);
            if place.bookings.len() > usize::from(self.config.bookings_per_person_max) {
                return Err(format!("{seq} holds {} bookings", place.bookings.len()));
            }
            if !place.bookings.is_empty() && place.stage != Stage::Leased {
                return Err(format!("{seq} holds bookings while {:?}", place.stage));
            }
            if place.offer.is_some() && (place.stage != Stage::Leased || !place.bookings.is_empty())
            {
                return Err(format!("{seq} holds an offer while {:?}", place.stage));
            }
            for (index, &slot) in place.bookings.iter().enumerate() {
                if place.bookings[..index].contains(&slot) {
                    return Err(format!("{seq} holds {slot} twice"));
                }
                let listed = self
                    .slots
                    .get(slot.as_index())
                    .is_some_and(|model| model.holders.contains(&seq));
                if !listed {
                    return Err(format!("{seq} holds {slot}, which does not list it"));
                }
            }
            let waiting_side = matches!(place.stage, Stage::Waiting | Stage::Left);
            let admitted_side = place.stage != Stage::Waiting;
            let below_cursor = (raw as u64) < self.admission_cursor;
            if (below_cursor && !admitted_side) || (!below_cursor && !waiting_side) {
                return Err(format!(
                    "{seq} is {:?} on the wrong side of the admission cursor {}",
                    place.stage, self.admission_cursor
                ));
            }
            if place.stage != Stage::Moved {
                live_places += 1;
                if self.place_of.get(&place.person) != Some(&seq) {
                    return Err(format!(
                        "{} has a live place {seq} besides their own",
                        place.person
                    ));
                }
            }
        }
        if live_places != self.place_of.len() {
            return Err(format!(
                "{live_places} live places for {} people",
                self.place_of.len()
            ));
        }
        Ok(())
    }
}

/// The model's [`Stats`]: the same fields, so that the harness can compare them with
/// [`ModelStats::from`] an engine's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelStats {
    /// See [`Stats::places_handed_out`].
    pub places_handed_out: u64,
    /// See [`Stats::admission_cursor`].
    pub admission_cursor: u64,
    /// See [`Stats::active_admitted`].
    pub active_admitted: u64,
    /// See [`Stats::on_standby`].
    pub on_standby: u64,
    /// See [`Stats::slots`].
    pub slots: u32,
    /// See [`Stats::sold_out`].
    pub sold_out: bool,
    /// See [`Stats::latest_time`].
    pub latest_time: Timestamp,
    /// See [`Stats::admissions_per_sec`].
    pub admissions_per_sec: Option<f64>,
}

impl From<Stats> for ModelStats {
    fn from(stats: Stats) -> ModelStats {
        ModelStats {
            places_handed_out: stats.places_handed_out,
            admission_cursor: stats.admission_cursor,
            active_admitted: stats.active_admitted,
            on_standby: stats.on_standby,
            slots: stats.slots,
            sold_out: stats.sold_out,
            latest_time: stats.latest_time,
            admissions_per_sec: stats.admissions_per_sec,
        }
    }
}

/// Why a call other than `advance` was refused for its time; converts into each operation's
/// error, as the engine's does.
#[derive(Clone, Copy, Debug)]
enum CallTime {
    Backwards(TimeWentBackwards),
    Ahead(TimeTooFarAhead),
}

impl CallTime {
    fn into_error<E: From<TimeWentBackwards> + From<TimeTooFarAhead>>(self) -> E {
        match self {
            CallTime::Backwards(error) => error.into(),
            CallTime::Ahead(error) => error.into(),
        }
    }
}

macro_rules! from_call_time {
    ($($error:ident),*) => {$(
        impl From<CallTime> for $error {
            fn from(error: CallTime) -> $error {
                error.into_error()
            }
        }
    )*};
}

from_call_time!(
    EnqueueError,
    StatusError,
    ReserveError,
    ReleaseError,
    StandbyError,
    DrawEntryError,
    DrawError
);
