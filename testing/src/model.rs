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
    COHORTS_MAX_LIMIT, CohortId, Config, ConfigError, DAYS_MAX_LIMIT, DEPENDANTS_PER_PERSON_LIMIT,
    DoorStall, DrawEntryError, DrawError, EnqueueError, HOLDS_PER_PERSON_LIMIT, HeldSeat,
    HeldSeats, LapsePolicy, OpAnswer, OpId, OutflowPolicy, PEOPLE_MAX_LIMIT, PersonId, Place,
    REGIONS_MAX_LIMIT, RegionId, ReleaseError, Released, ReserveError, SITES_MAX_LIMIT,
    SLOT_CAPACITY_LIMIT, SLOTS_MAX_LIMIT, STANDBY_MAX_LIMIT, Scope, Seq, SiteId, SlotId, SlotSpec,
    SlotView, StandbyError, Stats, Status, StatusError, TimeTooFarAhead, TimeWentBackwards,
    Timestamp,
};
use fairbook::{
    CancelError, ConfirmError, GroupError, HoldError, RebookError, RegisterError, SeriesError,
};

use crate::Op;
use flows::{ChoiceProblem, Turned};

mod flows;

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
    // The flows' limits, each only when the flow is on.
    let holds_per_person_limit = config.bookings_per_person_max.min(HOLDS_PER_PERSON_LIMIT);
    if config.holds_max > 0 && !(1..=holds_per_person_limit).contains(&config.holds_per_person_max)
    {
        return Err(ConfigError::HoldsPerPersonOutOfRange {
            given: config.holds_per_person_max,
            max: holds_per_person_limit,
        });
    }
    if config.holds_max > 0 && config.hold_ttl_max_ms == 0 {
        return Err(ConfigError::HoldTtlZero);
    }
    if config.series_gap_days_max > 0 {
        if !(1..=config.series_gap_days_max).contains(&config.series_gap_days_min) {
            return Err(ConfigError::SeriesGapOutOfRange {
                min: config.series_gap_days_min,
                max: config.series_gap_days_max,
            });
        }
        if config.bookings_per_person_max < 2 {
            return Err(ConfigError::SeriesNeedTwoBookings {
                bookings_per_person_max: config.bookings_per_person_max,
            });
        }
    }
    if config.dependants_per_person_max > DEPENDANTS_PER_PERSON_LIMIT {
        return Err(ConfigError::DependantsOutOfRange {
            given: config.dependants_per_person_max,
            max: DEPENDANTS_PER_PERSON_LIMIT,
        });
    }
    if config.dependants_per_person_max > 0 && config.groups_max == 0 {
        return Err(ConfigError::GroupsMaxZero);
    }
    // The current limits where the flows meet standby and regions.
    if config.holds_max > 0 && config.standby_max > 0 {
        return Err(ConfigError::HoldsWithStandby {
            holds_max: config.holds_max,
            standby_max: config.standby_max,
        });
    }
    let linked = config.series_gap_days_max > 0 || config.dependants_per_person_max > 0;
    if linked && config.standby_max > 0 {
        return Err(ConfigError::LinkedBookingsWithStandby {
            standby_max: config.standby_max,
        });
    }
    if (config.holds_max > 0 || linked) && config.regions_max > 1 {
        return Err(ConfigError::FlowsWithRegions {
            regions_max: config.regions_max,
        });
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

/// One seat a place holds: a booking, or a hold until a deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ModelCell {
    slot: SlotId,
    /// `Some(deadline)` while it is a hold (live while the time is before it).
    hold_until: Option<Timestamp>,
}

impl ModelCell {
    fn booking(slot: SlotId) -> ModelCell {
        ModelCell {
            slot,
            hold_until: None,
        }
    }

    fn is_hold(&self) -> bool {
        self.hold_until.is_some()
    }
}

/// One place in line, by sequence.
#[derive(Clone, Debug)]
struct ModelPlace {
    person: PersonId,
    stage: Stage,
    /// The lease deadline, once admitted.
    lease_until: Timestamp,
    /// Has ever taken a seat (booked or held): such a person no longer counts as active.
    has_booked: bool,
    /// The seats held now, bookings and holds, in the order taken (a seat given back has the
    /// last one moved into its gap).
    cells: Vec<ModelCell>,
    /// The two bookings that are a dose series, if any.
    series: Option<(SlotId, SlotId)>,
    /// The dependants registered to this place, in order, with their seats.
    dependants: Vec<(PersonId, Option<SlotId>)>,
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
                self.cells.is_empty() && self.offer.is_none() && now >= self.lease_until
            }
            _ => false,
        }
    }

    /// Where the cell of `slot` is, if the place holds one (booked or held).
    fn cell_of(&self, slot: SlotId) -> Option<usize> {
        self.cells.iter().position(|cell| cell.slot == slot)
    }

    /// Where the booking of `slot` is, if booked (not held).
    fn booking_of(&self, slot: SlotId) -> Option<usize> {
        self.cells
            .iter()
            .position(|cell| cell.slot == slot && !cell.is_hold())
    }

    /// Where the hold of `slot` is, if held.
    fn hold_of(&self, slot: SlotId) -> Option<usize> {
        self.cells
            .iter()
            .position(|cell| cell.slot == slot && cell.is_hold())
    }

    fn holds(&self) -> usize {
        self.cells.iter().filter(|cell| cell.is_hold()).count()
    }

    /// Whether some dependant holds a seat.
    fn group_is_booked(&self) -> bool {
        self.dependants.iter().any(|(_, seat)| seat.is_some())
    }

    /// Admitted, lease not yet swept, never booked.
    fn is_active(&self) -> bool {
        self.stage == Stage::Leased && !self.has_booked && self.offer.is_none()
    }
}

/// One slot with the seats taken (bookings, holds, dependants' seats, seats held for
/// offers). `spec.capacity` is the capacity now: a closed slot's goes down with each seat
/// given back.
#[derive(Clone, Debug)]
struct ModelSlot {
    spec: SlotSpec,
    taken: u32,
    closed: bool,
}

impl ModelSlot {
    fn is_full(&self) -> bool {
        self.taken >= self.spec.capacity
    }

    fn has_room_for(&self, seats: u32) -> bool {
        self.taken + seats <= self.spec.capacity
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
    /// Each dependant's holder's place.
    dependant_of: HashMap<PersonId, Seq>,
    /// Groups handed out (one per holder with a dependant).
    groups: u32,
    /// Remembered operations: the call and its answer.
    ops: HashMap<OpId, (Op, OpAnswer)>,
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
            dependant_of: HashMap::new(),
            groups: 0,
            ops: HashMap::new(),
        })
    }

    /// The configuration the model was built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The people the model has seen join or registered as dependants (in no particular
    /// order).
    pub fn people(&self) -> impl Iterator<Item = PersonId> + '_ {
        self.place_of
            .keys()
            .chain(self.dependant_of.keys())
            .copied()
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
            cells: Vec::new(),
            series: None,
            dependants: Vec::new(),
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
            taken: 0,
            closed: false,
        });
        Ok(SlotId::new(self.slots.len() as u32 - 1))
    }

    /// See [`Engine::slot`](fairbook::Engine::slot).
    pub fn slot(&self, slot: SlotId) -> Option<SlotView> {
        self.slots.get(slot.as_index()).map(|model| SlotView {
            id: slot,
            spec: model.spec,
            booked: model.taken,
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
        if let Some(&holder) = self.dependant_of.get(&person) {
            return Err(EnqueueError::Dependant { holder });
        }
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
        self.sweep_holds(now);
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
        self.sweep_holds(now);
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

    /// See [`Engine::status`](fairbook::Engine::status): a person holding seats shows their
    /// bookings and their live holds (a hold whose deadline passed is hidden, though its seat
    /// stays taken until the door's sweep or the person's next call gives it back).
    ///
    /// # Errors
    /// [`StatusError::TimeWentBackwards`].
    pub fn status(&mut self, person: PersonId, now: Timestamp) -> Result<Status, StatusError> {
        let now = self.check_call(now)?;
        if let Some(&holder) = self.dependant_of.get(&person) {
            let slot = self
                .place(holder)
                .dependants
                .iter()
                .find(|&&(dependant, _)| dependant == person)
                .and_then(|&(_, seat)| seat);
            return Ok(Status::Dependant { holder, slot });
        }
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
            Stage::Leased if !place.cells.is_empty() => {
                let bookings: Vec<SlotId> = place
                    .cells
                    .iter()
                    .filter(|cell| !cell.is_hold())
                    .map(|cell| cell.slot)
                    .collect();
                let holds: Vec<HeldSeat> = place
                    .cells
                    .iter()
                    .filter_map(|cell| {
                        let until = cell.hold_until?;
                        (now < until).then_some(HeldSeat {
                            slot: cell.slot,
                            until,
                        })
                    })
                    .collect();
                let slots = BookedSlots::from_slice(&bookings)
                    .expect("the model holds at most the configured limit");
                if !holds.is_empty() {
                    Status::Holding {
                        seq,
                        bookings: slots,
                        holds: HeldSeats::from_slice(&holds)
                            .expect("the model holds at most the configured limit"),
                        lease_until: place.lease_until,
                    }
                } else if !bookings.is_empty() {
                    Status::Booked {
                        seq,
                        slots,
                        lease_until: place.lease_until,
                    }
                } else if now < place.lease_until {
                    Status::Admitted {
                        seq,
                        lease_until: place.lease_until,
                    }
                } else {
                    Status::Lapsed {
                        seq,
                        at: place.lease_until,
                    }
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

    /// Checks a choice list, as every verb that takes one does, in the engine's order.
    fn check_choices(&self, choices: &[SlotId]) -> Result<(), ChoiceProblem> {
        if choices.is_empty() {
            return Err(ChoiceProblem::Empty);
        }
        if choices.len() > self.config.choices_max {
            return Err(ChoiceProblem::TooMany {
                given: choices.len(),
                max: self.config.choices_max,
            });
        }
        if let Some(&slot) = choices
            .iter()
            .find(|slot| slot.as_index() >= self.slots.len())
        {
            return Err(ChoiceProblem::Unknown { slot });
        }
        Ok(())
    }

    /// Where a person stands for a call that locks them (the engine's lock and the guard it
    /// hands back): their place if admitted and holding something or a live lease.
    fn lock(&self, person: PersonId, now: Timestamp) -> Result<Seq, Turned> {
        if let Some(&holder) = self.dependant_of.get(&person) {
            return Err(Turned::Dependant { holder });
        }
        let &seq = self.place_of.get(&person).ok_or(Turned::Unknown)?;
        let place = self.place(seq);
        match place.stage {
            Stage::Waiting => Err(Turned::Waiting {
                seq,
                ahead: self.waiting_ahead(seq),
            }),
            Stage::Standby => Err(Turned::Standby { seq }),
            Stage::Leased if !place.cells.is_empty() || now < place.lease_until => Ok(seq),
            Stage::Leased | Stage::Lapsed => Err(Turned::Lapsed {
                at: place.lease_until,
            }),
            Stage::Left | Stage::Done | Stage::Moved => Err(Turned::Released),
        }
    }

    /// [`Model::lock`], then the expired holds given back: if the person then holds nothing
    /// and the lease ran out, they are lapsed.
    fn lock_tidied(&mut self, person: PersonId, now: Timestamp) -> Result<Seq, Turned> {
        let seq = self.lock(person, now)?;
        self.expire_holds(seq, now);
        let place = self.place(seq);
        if place.cells.is_empty() && now >= place.lease_until {
            return Err(Turned::Lapsed {
                at: place.lease_until,
            });
        }
        Ok(seq)
    }

    /// The gate of every verb that takes a seat: admitted, expired holds given back, lease
    /// live.
    fn lock_to_book(&mut self, person: PersonId, now: Timestamp) -> Result<Seq, Turned> {
        let seq = self.lock(person, now)?;
        self.expire_holds(seq, now);
        let place = self.place(seq);
        if now >= place.lease_until {
            return Err(Turned::Lapsed {
                at: place.lease_until,
            });
        }
        Ok(seq)
    }

    /// Gives back every hold of `seq` whose deadline is at or before `now`, in cell order, the
    /// last cell moving into each gap.
    fn expire_holds(&mut self, seq: Seq, now: Timestamp) {
        let mut index = 0;
        while index < self.place(seq).cells.len() {
            let cell = self.place(seq).cells[index];
            if cell.hold_until.is_some_and(|until| until <= now) {
                self.place_mut(seq).cells.swap_remove(index);
                self.give_back(cell.slot, 1);
            } else {
                index += 1;
            }
        }
    }

    /// The door's sweep of holds, place by place in order.
    fn sweep_holds(&mut self, now: Timestamp) {
        for raw in 0..self.line.len() {
            let seq = Seq::new(raw as u64);
            if self.place(seq).holds() > 0 {
                self.expire_holds(seq, now);
            }
        }
    }

    /// Seats in all that are holds.
    pub fn holds(&self) -> u64 {
        self.line.iter().map(|place| place.holds() as u64).sum()
    }

    fn take(&mut self, slot: SlotId, seats: u32) {
        self.slots[slot.as_index()].taken += seats;
    }

    /// Gives back `seats` seats of `slot`; a closed slot loses them.
    fn give_back(&mut self, slot: SlotId, seats: u32) {
        let model = &mut self.slots[slot.as_index()];
        model.taken = model
            .taken
            .checked_sub(seats)
            .expect("a seat given back was taken");
        if model.closed {
            model.spec.capacity -= seats;
        }
    }

    /// See [`Engine::reserve`](fairbook::Engine::reserve): a chosen slot the person books
    /// already is the answer (a retry); otherwise the first listed slot with room that the
    /// person holds no seat of.
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
        self.check_choices(choices)?;
        let seq = self.lock_to_book(person, now)?;
        let place = self.place(seq);
        if let Some(slot) = self.outside_scope(place.scope, choices) {
            return Err(ReserveError::OutOfScope {
                slot,
                scope: place.scope,
            });
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
            place.cells.push(ModelCell::booking(held));
            place.has_booked = true;
            return Ok(Booking {
                seq,
                slot: held,
                rank: rank as u8,
            });
        }
        for (rank, &slot) in choices.iter().enumerate() {
            if place.booking_of(slot).is_some() {
                return Ok(Booking {
                    seq,
                    slot,
                    rank: rank as u8,
                });
            }
        }
        let bookings_max = self.config.bookings_per_person_max;
        if place.cells.len() >= usize::from(bookings_max) {
            return Err(ReserveError::BookingLimit { bookings_max });
        }
        let chosen = choices.iter().enumerate().find(|&(_, &slot)| {
            place.cell_of(slot).is_none()
                && !self.slots[slot.as_index()].is_full()
                && !self.standby_ahead(seq, slot)
        });
        let Some((rank, &slot)) = chosen else {
            return Err(ReserveError::NoRoom {
                sold_out: self.is_scope_sold_out(place.scope),
            });
        };
        self.take(slot, 1);
        let place = self.place_mut(seq);
        place.cells.push(ModelCell::booking(slot));
        place.has_booked = true;
        Ok(Booking {
            seq,
            slot,
            rank: rank as u8,
        })
    }

    /// Gives back every seat of `seq`: its cells, its series, its dependants' seats. Returns
    /// the cells' slots in cell order.
    fn give_back_everything(&mut self, seq: Seq) -> Vec<SlotId> {
        let cells = core::mem::take(&mut self.place_mut(seq).cells);
        for cell in &cells {
            self.give_back(cell.slot, 1);
        }
        self.place_mut(seq).series = None;
        let seats: Vec<SlotId> = self
            .place_mut(seq)
            .dependants
            .iter_mut()
            .filter_map(|(_, seat)| seat.take())
            .collect();
        for slot in seats {
            self.give_back(slot, 1);
        }
        cells.iter().map(|cell| cell.slot).collect()
    }

    /// See [`Engine::release`](fairbook::Engine::release): everything, holds, series and
    /// dependants' seats included.
    ///
    /// # Errors
    /// [`ReleaseError::TimeWentBackwards`], [`ReleaseError::UnknownPerson`],
    /// [`ReleaseError::Dependant`], [`ReleaseError::NothingToRelease`].
    pub fn release(&mut self, person: PersonId, now: Timestamp) -> Result<Released, ReleaseError> {
        let now = self.check_call(now)?;
        let seq = match self.lock_tidied(person, now) {
            Ok(seq) => seq,
            Err(Turned::Waiting { seq, .. }) => {
                self.place_mut(seq).stage = Stage::Left;
                return Ok(Released {
                    seq,
                    slots: BookedSlots::default(),
                    was_waiting: true,
                });
            }
            Err(Turned::Unknown) => return Err(ReleaseError::UnknownPerson),
            Err(Turned::Dependant { holder }) => return Err(ReleaseError::Dependant { holder }),
            Err(Turned::Standby { seq }) => {
                // They leave the standby line, and give up their turn.
                self.place_mut(seq).stage = Stage::Done;
                return Ok(Released {
                    seq,
                    slots: BookedSlots::default(),
                    was_waiting: false,
                });
            }
            Err(Turned::Released | Turned::Lapsed { .. }) => {
                return Err(ReleaseError::NothingToRelease);
            }
        };
        let slots = self.give_back_everything(seq);
        if let Some(held) = self.place_mut(seq).offer.take() {
            // The seat held for them goes back.
            self.give_back(held, 1);
        }
        self.place_mut(seq).stage = Stage::Done;
        Ok(Released {
            seq,
            slots: BookedSlots::from_slice(&slots)
                .expect("the model holds at most the configured limit"),
            was_waiting: false,
        })
    }

    /// See [`Engine::release_booking`](fairbook::Engine::release_booking): the lease is kept;
    /// a leg of a series gives back both.
    ///
    /// # Errors
    /// [`ReleaseError::TimeWentBackwards`], [`ReleaseError::UnknownPerson`],
    /// [`ReleaseError::Dependant`], [`ReleaseError::NotBooked`].
    pub fn release_booking(
        &mut self,
        person: PersonId,
        slot: SlotId,
        now: Timestamp,
    ) -> Result<Released, ReleaseError> {
        let now = self.check_call(now)?;
        let seq = match self.lock_tidied(person, now) {
            Ok(seq) => seq,
            Err(Turned::Unknown) => return Err(ReleaseError::UnknownPerson),
            Err(Turned::Dependant { holder }) => return Err(ReleaseError::Dependant { holder }),
            Err(_) => return Err(ReleaseError::NotBooked { slot }),
        };
        let place = self.place(seq);
        let index = place
            .booking_of(slot)
            .ok_or(ReleaseError::NotBooked { slot })?;
        let legs = match place.series {
            Some((first, second)) if slot == first || slot == second => vec![first, second],
            _ => {
                // The holder's group booked there goes back with the holder's booking.
                let place = self.place_mut(seq);
                place.cells.swap_remove(index);
                let mut seats = 1;
                for (_, seat) in &mut place.dependants {
                    if *seat == Some(slot) {
                        *seat = None;
                        seats += 1;
                    }
                }
                self.give_back(slot, seats);
                vec![slot]
            }
        };
        if legs.len() == 2 {
            for &leg in &legs {
                let index = self.place(seq).booking_of(leg).expect("a leg is booked");
                self.place_mut(seq).cells.swap_remove(index);
                self.give_back(leg, 1);
            }
            self.place_mut(seq).series = None;
        }
        Ok(Released {
            seq,
            slots: BookedSlots::from_slice(&legs).expect("two slots fit"),
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
    /// a slot's seats are the seats people hold of it (bookings, holds, dependants'), nobody
    /// holds more than the limits or the same slot twice, only admitted people hold seats, a
    /// series is two bookings, every dependant is in exactly one group, the admission cursor
    /// splits the line into admitted and waiting, and every person has exactly one live place.
    ///
    /// # Errors
    /// A sentence naming the first broken invariant.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut taken = vec![0u32; self.slots.len()];
        for place in &self.line {
            let slots = place.cells.iter().map(|cell| cell.slot);
            let seats = place.dependants.iter().filter_map(|&(_, seat)| seat);
            for slot in slots.chain(seats).chain(place.offer) {
                match taken.get_mut(slot.as_index()) {
                    Some(count) => *count += 1,
                    None => return Err(format!("{slot} is held but does not exist")),
                }
            }
        }
        for (index, slot) in self.slots.iter().enumerate() {
            let id = SlotId::new(index as u32);
            if slot.taken > slot.spec.capacity {
                return Err(format!(
                    "{id} holds {} seats but has capacity {}",
                    slot.taken, slot.spec.capacity
                ));
            }
            if slot.taken != taken[index] {
                return Err(format!(
                    "{id} counts {} seats but people hold {}",
                    slot.taken, taken[index]
                ));
            }
        }
        if self.line.len() as u64 > self.config.people_max {
            return Err(format!("{} places handed out", self.line.len()));
        }
        if self.holds() > u64::from(self.config.holds_max) {
            return Err(format!("{} holds, more than holds_max", self.holds()));
        }
        let mut live_places = 0;
        let mut groups = 0;
        for (raw, place) in self.line.iter().enumerate() {
            let seq = Seq::new(raw as u64);
            if place.cells.len() > usize::from(self.config.bookings_per_person_max) {
                return Err(format!("{seq} holds {} seats", place.cells.len()));
            }
            if place.holds() > usize::from(self.config.holds_per_person_max) {
                return Err(format!("{seq} holds {} holds", place.holds()));
            }
            if !place.cells.is_empty() && place.stage != Stage::Leased {
                return Err(format!("{seq} holds seats while {:?}", place.stage));
            }
            if place.offer.is_some() && (place.stage != Stage::Leased || !place.cells.is_empty()) {
                return Err(format!("{seq} holds an offer while {:?}", place.stage));
            }
            for (index, cell) in place.cells.iter().enumerate() {
                if place.cells[..index]
                    .iter()
                    .any(|earlier| earlier.slot == cell.slot)
                {
                    return Err(format!("{seq} holds {} twice", cell.slot));
                }
            }
            if let Some((first, second)) = place.series {
                if first == second
                    || place.booking_of(first).is_none()
                    || place.booking_of(second).is_none()
                {
                    return Err(format!("{seq}'s series is not two of its bookings"));
                }
            }
            if place.group_is_booked() && place.stage != Stage::Leased {
                return Err(format!(
                    "{seq}'s dependants hold seats while {:?}",
                    place.stage
                ));
            }
            if let Some(&(dependant, Some(slot))) = place
                .dependants
                .iter()
                .find(|&&(_, seat)| seat.is_some_and(|slot| place.booking_of(slot).is_none()))
            {
                return Err(format!(
                    "{dependant} holds {slot}, which their holder does not book"
                ));
            }
            if !place.dependants.is_empty() {
                groups += 1;
            }
            for &(dependant, _) in &place.dependants {
                if self.dependant_of.get(&dependant) != Some(&seq) {
                    return Err(format!(
                        "{dependant} is in the group of {seq} but not linked"
                    ));
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
        let members: usize = self.line.iter().map(|place| place.dependants.len()).sum();
        if members != self.dependant_of.len() || groups != self.groups {
            return Err(format!(
                "{members} dependants in groups, {} linked; {groups} groups, {} counted",
                self.dependant_of.len(),
                self.groups
            ));
        }
        if let Some(person) = self
            .dependant_of
            .keys()
            .find(|p| self.place_of.contains_key(p))
        {
            return Err(format!("{person} is a dependant with a place of their own"));
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
    HoldError,
    ConfirmError,
    CancelError,
    RebookError,
    SeriesError,
    RegisterError,
    GroupError,
    StandbyError,
    DrawEntryError,
    DrawError
);
