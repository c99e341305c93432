//! The operation vocabulary: [`Op`], one call on the engine, and [`Universe`], the small world
//! the calls happen in, with proptest strategies ([`ops_strategy`], [`universe_strategy`]) and
//! `arbitrary::Arbitrary` impls, so that the property tests and the fuzzers speak one language.
//!
//! The universe is deliberately tiny: six people, a handful of places, up to four slots of
//! capacity 0 to 5, leases of a few hundred milliseconds and three cohorts whose windows open
//! and close within the first second. In such a world the rare cases are the common ones: two
//! devices of one person, a full waiting room, a sold-out inventory, a lease that lapses
//! mid-booking, a clock that goes back, a slot id that does not exist.
//!
//! An [`Op`] names people, cohorts and slots by their real ids, so a failing case prints as
//! something a person can replay by hand. Ops are independent of the universe: a slot id past
//! the slots that exist is simply an unknown slot.

use arbitrary::{Arbitrary, Unstructured};
use proptest::collection::{SizeRange, vec};
use proptest::prelude::*;

use fairbook::{
    Area, CohortId, CohortWindow, Config, Day, LapsePolicy, OpId, OutflowPolicy, PersonId,
    RegionId, Scope, Seq, SiteId, SlotFilter, SlotId, SlotSpec, Timestamp, Window, WindowSet,
};

/// The people the vocabulary names: `PersonId`s `0..PEOPLE` (plus, rarely,
/// [`PersonId::RESERVED`]).
pub const PEOPLE: u64 = 6;

/// Slot ids the vocabulary names: `0..SLOT_IDS`, one more than a universe can hold, so that an
/// unknown slot is always possible.
pub const SLOT_IDS: u32 = 5;

/// The most slots a universe holds.
pub const SLOTS_MAX: u32 = 4;

/// Operation ids the vocabulary names: `0..OP_IDS`. At most 8, the ways of one bucket of the
/// engine's table of remembered operations, so that none is ever pushed out and the model can
/// remember them all.
pub const OP_IDS: u64 = 6;

/// Site ids the vocabulary names: `0..SITE_IDS`, one more than a universe has.
pub const SITE_IDS: u32 = 4;

/// Days the vocabulary names: `0..DAY_IDS`, one more than a universe has.
pub const DAY_IDS: u16 = 4;

/// Windows the vocabulary names: `0..WINDOW_IDS`.
pub const WINDOW_IDS: u8 = 3;

/// Region ids the vocabulary names: `0..REGION_IDS`, one more than a universe has.
pub const REGION_IDS: u16 = 4;

/// The cohorts of every universe: always open; open from 100 ms until 700 ms; open from
/// 400 ms and booking only in region 0; open from 300 ms with a draw for the people who come
/// before. Cohort id 4 is not configured.
pub const COHORTS: [CohortWindow; 4] = [
    CohortWindow::ALWAYS,
    CohortWindow::between(Timestamp::from_millis(100), Timestamp::from_millis(700)),
    CohortWindow::opening_at(Timestamp::from_millis(400)).within(Scope::Region(RegionId::new(0))),
    CohortWindow::opening_at(Timestamp::from_millis(300)).with_draw(),
];

/// One call on the engine (or on the caller's clock), at the harness's current time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// [`Engine::enqueue`](fairbook::Engine::enqueue).
    Enqueue {
        /// Who joins.
        person: PersonId,
        /// Their cohort (id 3 is unknown).
        cohort: CohortId,
    },
    /// [`Engine::enqueue_in`](fairbook::Engine::enqueue_in).
    EnqueueIn {
        /// Who joins.
        person: PersonId,
        /// Their cohort.
        cohort: CohortId,
        /// Where they may book (region 3 is beyond every universe).
        scope: Scope,
    },
    /// [`Engine::enqueue_batch`](fairbook::Engine::enqueue_batch).
    EnqueueBatch {
        /// Who joins, in order, with their cohorts.
        requests: Vec<(PersonId, CohortId)>,
    },
    /// [`Engine::advance`](fairbook::Engine::advance).
    Advance {
        /// How many to let in.
        how_many: u64,
    },
    /// [`Engine::advance_with_policy`](fairbook::Engine::advance_with_policy).
    AdvanceBy {
        /// The outflow policy.
        policy: OutflowPolicy,
    },
    /// The caller's clock moves forward.
    Tick {
        /// By how much.
        ms: u64,
    },
    /// The caller's clock goes back (within the skew tolerance, or past it).
    Rewind {
        /// By how much.
        ms: u64,
    },
    /// [`Engine::reserve`](fairbook::Engine::reserve).
    Reserve {
        /// Who books.
        person: PersonId,
        /// Ranked choices (may be empty, too long, or name unknown slots).
        choices: Vec<SlotId>,
    },
    /// [`Engine::reserve_with_ticket`](fairbook::Engine::reserve_with_ticket): must answer
    /// exactly as `reserve` would, whatever the ticket (the model has no tickets).
    ReserveWithTicket {
        /// Who books.
        person: PersonId,
        /// The place they present: often theirs, often someone else's, sometimes none.
        ticket: Seq,
        /// Ranked choices.
        choices: Vec<SlotId>,
    },
    /// [`Engine::reserve_batch`](fairbook::Engine::reserve_batch): must answer each request
    /// exactly as `reserve` would, in order.
    ReserveBatch {
        /// Who books, with a ticket or not, and their choices.
        requests: Vec<(PersonId, Option<Seq>, Vec<SlotId>)>,
    },
    /// [`Engine::standby`](fairbook::Engine::standby).
    Standby {
        /// Who keeps their turn.
        person: PersonId,
    },
    /// [`Engine::enter_draw`](fairbook::Engine::enter_draw).
    EnterDraw {
        /// Who enters.
        person: PersonId,
        /// Which cohort's draw (mostly 3, the one with a draw).
        cohort: CohortId,
    },
    /// [`Engine::draw`](fairbook::Engine::draw) with the secret `[secret; 32]`.
    Draw {
        /// Which cohort.
        cohort: CohortId,
        /// The secret's repeated byte.
        secret: u8,
    },
    /// [`Engine::release`](fairbook::Engine::release).
    Release {
        /// Who gives everything back.
        person: PersonId,
    },
    /// [`Engine::release_booking`](fairbook::Engine::release_booking).
    ReleaseBooking {
        /// Who gives a booking back.
        person: PersonId,
        /// Which one.
        slot: SlotId,
    },
    /// [`Engine::status`](fairbook::Engine::status).
    Status {
        /// Whose.
        person: PersonId,
    },
    /// [`Engine::add_slot`](fairbook::Engine::add_slot), mid-campaign.
    AddSlot {
        /// The new slot: where, when, how many (site and day may be out of range).
        spec: SlotSpec,
    },
    /// [`Engine::add_site`](fairbook::Engine::add_site).
    AddSite {
        /// The site (may be added already, or out of range).
        site: SiteId,
        /// Its region (may be out of range).
        region: RegionId,
    },
    /// [`Engine::set_capacity`](fairbook::Engine::set_capacity): supply grows or shrinks.
    SetCapacity {
        /// The slot (may not exist).
        slot: SlotId,
        /// Its new capacity (may be below what it holds).
        capacity: u32,
    },
    /// [`Engine::close_slot`](fairbook::Engine::close_slot).
    CloseSlot {
        /// The slot (may not exist, or be closed already).
        slot: SlotId,
    },
    /// [`Engine::search`](fairbook::Engine::search), every result collected, and
    /// [`Engine::free_seats`](fairbook::Engine::free_seats) for the same filter.
    Search {
        /// Where, when and which windows.
        filter: OwnedFilter,
    },
    /// [`Engine::admitted_in`](fairbook::Engine::admitted_in) with a hand-made
    /// [`Advanced`](fairbook::Advanced) (the answers of real advances are checked after every
    /// advance anyway): a range that may or may not have been admitted.
    AdmittedIn {
        /// The start of the range.
        from: Seq,
        /// Its end (exclusive; may be below `from`).
        to: Seq,
    },
    /// [`Engine::hold`](fairbook::Engine::hold).
    Hold {
        /// Who holds.
        person: PersonId,
        /// Ranked choices.
        choices: Vec<SlotId>,
        /// How long, against the universe's `hold_ttl_max_ms` (0 and too long included).
        ttl_ms: u64,
    },
    /// [`Engine::confirm`](fairbook::Engine::confirm).
    Confirm {
        /// Who confirms.
        person: PersonId,
        /// Which hold.
        slot: SlotId,
    },
    /// [`Engine::cancel`](fairbook::Engine::cancel).
    Cancel {
        /// Who cancels.
        person: PersonId,
        /// Which hold.
        slot: SlotId,
    },
    /// [`Engine::rebook`](fairbook::Engine::rebook).
    Rebook {
        /// Who moves.
        person: PersonId,
        /// The booking to move.
        from: SlotId,
        /// Where to, ranked.
        choices: Vec<SlotId>,
    },
    /// [`Engine::book_series`](fairbook::Engine::book_series).
    BookSeries {
        /// Who books.
        person: PersonId,
        /// Ranked (leg 1, leg 2) pairs.
        pairs: Vec<(SlotId, SlotId)>,
    },
    /// [`Engine::register_dependant`](fairbook::Engine::register_dependant).
    RegisterDependant {
        /// Who registers.
        holder: PersonId,
        /// Whom.
        dependant: PersonId,
    },
    /// [`Engine::book_group`](fairbook::Engine::book_group).
    BookGroup {
        /// Who books, for themself and their dependants.
        holder: PersonId,
        /// Ranked choices.
        choices: Vec<SlotId>,
    },
    /// A person verb through [`Engine::once`](fairbook::Engine::once) with an operation id:
    /// ids are few, so an id is often used again, with the same call (see [`Op::Repeat`]) or
    /// another. An op that is not a person verb runs as it is.
    Once {
        /// The client's operation id.
        op: OpId,
        /// The call.
        call: Box<Op>,
    },
    /// The op `back` steps before this one again, as a client's retry (a repeat of a repeat
    /// repeats what that one ran; nothing, if there is no such step).
    Repeat {
        /// How far back: 1 is the previous op.
        back: u8,
    },
}

/// A [`SlotFilter`] that owns its list of sites, so that an [`Op`] can carry it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedFilter {
    /// `None` for [`Area::Everywhere`], `Some(Ok(region))` for a region, `Some(Err(sites))` for
    /// a list of sites.
    pub area: Option<Result<RegionId, Vec<SiteId>>>,
    /// The first day.
    pub first_day: Day,
    /// The last day (may be before the first).
    pub last_day: Day,
    /// The windows.
    pub windows: WindowSet,
}

impl OwnedFilter {
    /// The filter, borrowing the list of sites.
    pub fn filter(&self) -> SlotFilter<'_> {
        let area = match &self.area {
            None => Area::Everywhere,
            Some(Ok(region)) => Area::Region(*region),
            Some(Err(sites)) => Area::Sites(sites),
        };
        SlotFilter::in_area(area)
            .days(self.first_day, self.last_day)
            .windows(self.windows)
    }
}

/// The small world a sequence of [`Op`]s runs in: the engine's limits and the slots it starts
/// with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Universe {
    /// [`Config::people_max`]: 1 to 10, so the room fills up, above all with requeues.
    pub people_max: u64,
    /// [`Config::slots_max`]: 1 to [`SLOTS_MAX`].
    pub slots_max: u32,
    /// [`Config::sites_max`]: 1 to 3.
    pub sites_max: u32,
    /// [`Config::days_max`]: 1 to 3.
    pub days_max: u32,
    /// [`Config::regions_max`]: 1 to 3. Site `s` starts in region `s % regions_max`.
    pub regions_max: u32,
    /// [`Config::lease_ms`]: 1 to 400 ms, against ticks of up to 300 ms.
    pub lease_ms: u64,
    /// [`Config::lapse_policy`].
    pub lapse_policy: LapsePolicy,
    /// [`Config::seat_aware_door`].
    pub seat_aware_door: bool,
    /// [`Config::standby_max`]: 0 to 4, so that the line fills up.
    pub standby_max: u32,
    /// [`Config::pre_queue_max`]: 0 to 4, so that the draws fill up.
    pub pre_queue_max: u32,
    /// [`Config::bookings_per_person_max`]: 1 to 3.
    pub bookings_per_person_max: u8,
    /// [`Config::choices_max`]: 1 to 3, against choice lists of up to 4.
    pub choices_max: usize,
    /// [`Config::time_skew_tolerance_ms`]: 0 to 100 ms, against rewinds of up to 150 ms.
    pub time_skew_tolerance_ms: u64,
    /// [`Config::time_ahead_tolerance_ms`]: mostly an hour, now and then 0 to 200 ms against
    /// ticks of up to 300 ms between advances.
    pub time_ahead_tolerance_ms: u64,
    /// [`Config::person_hash_key`]: any.
    pub person_hash_key: u64,
    /// The capacities of the slots added before the first op (at most `slots_max`), 0 to 5,
    /// spread over the sites, days and windows by [`Universe::slot_spec`].
    pub capacities: Vec<u32>,
    /// [`Config::holds_max`]: 0 (holds off) or 1 to 4.
    pub holds_max: u32,
    /// [`Config::holds_per_person_max`]: 1 to `bookings_per_person_max`.
    pub holds_per_person_max: u8,
    /// [`Config::hold_ttl_max_ms`]: mostly 100 to 400 ms, now and then 1 to 20, against ttls
    /// of mostly 1 to 100 (now and then 0 to 500) and ticks of up to 300 ms.
    pub hold_ttl_max_ms: u64,
    /// [`Config::series_gap_days_min`] and [`Config::series_gap_days_max`]: `(0, 0)` (series
    /// off) or within 1 to 3 days (slots are a day apart, see [`Universe::slot_spec`]).
    pub series_gap_days: (u16, u16),
    /// [`Config::dependants_per_person_max`]: 0 (groups off) to 2.
    pub dependants_per_person_max: u8,
    /// [`Config::groups_max`]: 1 to 3.
    pub groups_max: u32,
    /// [`Config::ops_remembered_max`]: 0 (off) or 1 to 64.
    pub ops_remembered_max: u32,
}

impl Universe {
    /// The engine configuration of this universe, with [`COHORTS`].
    ///
    /// # Example
    /// ```
    /// use fairbook_testing::Universe;
    /// let universe = Universe::default();
    /// assert!(fairbook::Engine::new(universe.config()).is_ok());
    /// ```
    pub fn config(&self) -> Config {
        Config {
            people_max: self.people_max,
            slots_max: self.slots_max,
            sites_max: self.sites_max,
            days_max: self.days_max,
            regions_max: self.regions_max,
            lease_ms: self.lease_ms,
            lapse_policy: self.lapse_policy,
            seat_aware_door: self.seat_aware_door,
            standby_max: self.standby_max,
            pre_queue_max: self.pre_queue_max,
            bookings_per_person_max: self.bookings_per_person_max,
            choices_max: self.choices_max,
            cohorts: COHORTS.to_vec(),
            time_skew_tolerance_ms: self.time_skew_tolerance_ms,
            time_ahead_tolerance_ms: self.time_ahead_tolerance_ms,
            person_hash_key: self.person_hash_key,
            holds_max: self.holds_max,
            holds_per_person_max: self.holds_per_person_max,
            hold_ttl_max_ms: self.hold_ttl_max_ms,
            series_gap_days_min: self.series_gap_days.0,
            series_gap_days_max: self.series_gap_days.1,
            dependants_per_person_max: self.dependants_per_person_max,
            groups_max: self.groups_max,
            ops_remembered_max: self.ops_remembered_max,
        }
    }

    /// The slot a universe adds as its `index`th (from 0), with `capacity`: day `index`,
    /// window 0, at site 0 for the first three and site 1 after, so that pairs of slots make
    /// dose series of a gap of 1 or 2 days, or of two sites.
    ///
    /// # Example
    /// ```
    /// use fairbook::{Day, SiteId};
    /// use fairbook_testing::Universe;
    /// let spec = Universe::series_slot_spec(3, 2);
    /// assert_eq!((spec.site, spec.day, spec.capacity), (SiteId::new(1), Day::new(3), 2));
    /// ```
    pub fn series_slot_spec(index: u32, capacity: u32) -> SlotSpec {
        SlotSpec {
            site: SiteId::new(index / 3),
            day: Day::new(index as u16),
            window: Window::new(0),
            capacity,
        }
    }
}

impl Universe {
    /// The sites of the universe with their starting regions: site `s` in region
    /// `s % regions_max`, added before any slot.
    pub fn sites(&self) -> impl Iterator<Item = (SiteId, RegionId)> + '_ {
        (0..self.sites_max).map(|raw| {
            (
                SiteId::new(raw),
                RegionId::new((raw % self.regions_max) as u16),
            )
        })
    }

    /// Where the universe's starting slot `index` is: round the sites first, then the days,
    /// windows in turn; with series on, as [`Universe::series_slot_spec`] lays them out (a
    /// universe with series has two sites and four days, see [`Universe::one_side`]).
    pub fn slot_spec(&self, index: usize, capacity: u32) -> SlotSpec {
        let index = index as u32;
        if self.series_gap_days.1 > 0 {
            return Universe::series_slot_spec(index, capacity);
        }
        SlotSpec {
            site: SiteId::new(index % self.sites_max),
            day: Day::new((index / self.sites_max % self.days_max) as u16),
            window: Window::new((index % u32::from(WINDOW_IDS)) as u8),
            capacity,
        }
    }

    /// Adds the universe's sites, then its starting slots, to `engine` (one built with
    /// [`Universe::config`], a journaled one say), as [`Harness::new`](crate::Harness::new)
    /// adds them to its own.
    ///
    /// # Panics
    /// If the engine refuses one (an engine with another configuration).
    pub fn populate(&self, engine: &fairbook::Engine) {
        for (site, region) in self.sites() {
            engine
                .add_site(site, region)
                .expect("the universe's sites fit its configuration");
        }
        for (index, &capacity) in self.capacities.iter().enumerate() {
            engine
                .add_slot(self.slot_spec(index, capacity))
                .expect("the universe's slots fit its configuration");
        }
    }
}

impl Universe {
    /// The universe within the engine's current limits: holds, series and groups (the flows)
    /// are not configured together with standby or with more than one region
    /// ([`ConfigError::HoldsWithStandby`](fairbook::ConfigError::HoldsWithStandby),
    /// [`ConfigError::LinkedBookingsWithStandby`](fairbook::ConfigError::LinkedBookingsWithStandby),
    /// [`ConfigError::FlowsWithRegions`](fairbook::ConfigError::FlowsWithRegions)). Where both
    /// are drawn, `keep_flows` says which side stays: the flows (standby off, one region) or
    /// the inventory's (the flows off). A universe with series gets the sites and days its
    /// slot layout needs.
    pub fn one_side(mut self, keep_flows: bool) -> Universe {
        let flows_on =
            self.holds_max > 0 || self.series_gap_days.1 > 0 || self.dependants_per_person_max > 0;
        let inventory_on = self.standby_max > 0 || self.regions_max > 1;
        if flows_on && inventory_on {
            if keep_flows {
                self.standby_max = 0;
                self.regions_max = 1;
            } else {
                self.holds_max = 0;
                self.series_gap_days = (0, 0);
                self.dependants_per_person_max = 0;
            }
        }
        if self.series_gap_days.1 > 0 {
            self.sites_max = self.sites_max.max(2);
            self.days_max = self.days_max.max(SLOTS_MAX);
        }
        self
    }
}

impl Default for Universe {
    /// Four places, two slots of capacity 1 and 2 at one site in one region, 100 ms leases
    /// that are forfeited, one booking per person, two choices, 10 ms of skew, calls up to an
    /// hour ahead; holds, series, groups and remembered operations off.
    fn default() -> Universe {
        Universe {
            people_max: 4,
            slots_max: 2,
            sites_max: 1,
            days_max: 1,
            regions_max: 1,
            lease_ms: 100,
            lapse_policy: LapsePolicy::Forfeit,
            seat_aware_door: false,
            standby_max: 4,
            pre_queue_max: 4,
            bookings_per_person_max: 1,
            choices_max: 2,
            time_skew_tolerance_ms: 10,
            time_ahead_tolerance_ms: 3_600_000,
            person_hash_key: 0,
            capacities: vec![1, 2],
            holds_max: 0,
            holds_per_person_max: 1,
            hold_ttl_max_ms: 100,
            series_gap_days: (0, 0),
            dependants_per_person_max: 0,
            groups_max: 1,
            ops_remembered_max: 0,
        }
    }
}

/// Scarce: mostly 0 to 2 seats, so that six people sell a universe out.
fn capacity_strategy() -> impl Strategy<Value = u32> {
    prop_oneof![5 => 0u32..=1, 2 => Just(2u32), 1 => 3u32..=5]
}

fn lapse_policy_strategy() -> impl Strategy<Value = LapsePolicy> {
    prop_oneof![Just(LapsePolicy::Forfeit), Just(LapsePolicy::Requeue)]
}

/// Universes with few places, scarce capacity and short leases, so that collisions, full
/// rooms, sell-outs and lapses are frequent.
pub fn universe_strategy() -> impl Strategy<Value = Universe> {
    (
        prop_oneof![1 => Just(1u64), 2 => 2u64..=4, 6 => 5u64..=10],
        prop_oneof![1 => Just(1u32), 5 => 2..=SLOTS_MAX],
        (
            1u32..=3,
            1u32..=3,
            prop_oneof![1 => Just(1u32), 2 => 2u32..=3],
        ),
        prop_oneof![1 => Just(1u64), 6 => 2u64..=400],
        (
            lapse_policy_strategy(),
            prop_oneof![1 => 0u32..=1, 3 => 2u32..=4],
            prop_oneof![3 => Just(false), 1 => Just(true)],
            prop_oneof![1 => 0u32..=1, 3 => 2u32..=4],
        ),
        prop_oneof![3 => Just(1u8), 1 => 2u8..=3],
        prop_oneof![1 => Just(1usize), 5 => 2usize..=3],
        prop_oneof![1 => Just(0u64), 3 => 1u64..=100],
        prop_oneof![3 => Just(3_600_000u64), 1 => 0u64..=200],
        any::<u64>(),
        prop_oneof![
            1 => vec(capacity_strategy(), 0..=SLOTS_MAX as usize),
            6 => vec(capacity_strategy(), 2),
        ],
        // The flows off: they have their own universes (`flows_universe_strategy`), and the
        // engine does not configure them with standby or regions yet (see `Universe::one_side`).
        Just(Flows::OFF),
    )
        .prop_map(
            |(
                people_max,
                slots_max,
                (sites_max, days_max, regions_max),
                lease_ms,
                (lapse_policy, standby_max, seat_aware_door, pre_queue_max),
                bookings_per_person_max,
                choices_max,
                time_skew_tolerance_ms,
                time_ahead_tolerance_ms,
                person_hash_key,
                mut capacities,
                flows,
            )| {
                capacities.truncate(slots_max as usize);
                let flows = flows.fit(bookings_per_person_max);
                let keep_flows = flows.keep_flows;
                Universe {
                    people_max,
                    slots_max,
                    sites_max,
                    days_max,
                    regions_max,
                    lease_ms,
                    lapse_policy,
                    seat_aware_door,
                    standby_max,
                    pre_queue_max,
                    bookings_per_person_max,
                    choices_max,
                    time_skew_tolerance_ms,
                    time_ahead_tolerance_ms,
                    person_hash_key,
                    capacities,
                    holds_max: flows.holds_max,
                    holds_per_person_max: flows.holds_per_person_max,
                    hold_ttl_max_ms: flows.hold_ttl_max_ms,
                    series_gap_days: flows.series_gap_days,
                    dependants_per_person_max: flows.dependants_per_person_max,
                    groups_max: flows.groups_max,
                    ops_remembered_max: flows.ops_remembered_max,
                }
                .one_side(keep_flows)
            },
        )
}

/// A universe's flow limits, drawn before `bookings_per_person_max` is known.
#[derive(Clone, Debug)]
struct Flows {
    holds_max: u32,
    holds_per_person_max: u8,
    hold_ttl_max_ms: u64,
    series_gap_days: (u16, u16),
    dependants_per_person_max: u8,
    groups_max: u32,
    ops_remembered_max: u32,
    /// Which side a universe keeps where the flows and standby or regions are both drawn (see
    /// [`Universe::one_side`]).
    keep_flows: bool,
}

impl Flows {
    /// Every flow off.
    const OFF: Flows = Flows {
        holds_max: 0,
        holds_per_person_max: 1,
        hold_ttl_max_ms: 100,
        series_gap_days: (0, 0),
        dependants_per_person_max: 0,
        groups_max: 1,
        ops_remembered_max: 0,
        keep_flows: false,
    };

    /// Within what a configuration with `bookings_per_person_max` allows: holds per person
    /// at most that, and series only from 2 bookings.
    fn fit(mut self, bookings_per_person_max: u8) -> Flows {
        self.holds_per_person_max = self.holds_per_person_max.min(bookings_per_person_max);
        if bookings_per_person_max < 2 {
            self.series_gap_days = (0, 0);
        }
        self
    }
}

/// Each flow on in most universes, off in some: holds few in all, short, and often more
/// than one per person; series gaps of 1 to 3 days; a dependant or two.
fn flows_strategy() -> impl Strategy<Value = Flows> {
    (
        prop_oneof![1 => Just(0u32), 3 => 1u32..=4],
        1u8..=3,
        prop_oneof![1 => 1u64..=20, 4 => 100u64..=400],
        prop_oneof![1 => Just((0u16, 0u16)), 3 => (1u16..=2, 0u16..=1).prop_map(|(min, more)| (min, min + more))],
        prop_oneof![1 => Just(0u8), 3 => 1u8..=2],
        1u32..=3,
        prop_oneof![1 => Just(0u32), 3 => 1u32..=64],
        // The inventory's side where both are drawn: the flows have their own universes
        // (`flows_universe_strategy`, which keeps the flows).
        Just(false),
    )
        .prop_map(
            |(
                holds_max,
                holds_per_person_max,
                hold_ttl_max_ms,
                series_gap_days,
                dependants_per_person_max,
                groups_max,
                ops_remembered_max,
                keep_flows,
            )| Flows {
                holds_max,
                holds_per_person_max,
                hold_ttl_max_ms,
                series_gap_days,
                dependants_per_person_max,
                groups_max,
                ops_remembered_max,
                keep_flows,
            },
        )
}

/// Half the people take three quarters of the calls, so that the same few people meet
/// themselves (other devices, retries) and each other (the last seat) all the time.
fn person_strategy() -> impl Strategy<Value = PersonId> {
    prop_oneof![
        45 => (0..PEOPLE / 2).prop_map(PersonId::new),
        15 => (PEOPLE / 2..PEOPLE).prop_map(PersonId::new),
        1 => Just(PersonId::RESERVED),
    ]
}

fn slot_strategy() -> impl Strategy<Value = SlotId> {
    (0..SLOT_IDS).prop_map(SlotId::new)
}

fn site_strategy() -> impl Strategy<Value = SiteId> {
    (0..SITE_IDS).prop_map(SiteId::new)
}

fn region_strategy() -> impl Strategy<Value = RegionId> {
    (0..REGION_IDS).prop_map(RegionId::new)
}

/// Mostly region 0 or 1, which every universe of more than one site and region has.
fn scope_strategy() -> impl Strategy<Value = Scope> {
    prop_oneof![
        1 => Just(Scope::Everywhere),
        4 => (0u16..2).prop_map(|raw| Scope::Region(RegionId::new(raw))),
        1 => region_strategy().prop_map(Scope::Region),
    ]
}

fn day_strategy() -> impl Strategy<Value = Day> {
    (0..DAY_IDS).prop_map(Day::new)
}

fn window_strategy() -> impl Strategy<Value = Window> {
    (0..WINDOW_IDS).prop_map(Window::new)
}

/// Mostly a slot where the universe has sites and days; now and then one out of range.
fn slot_spec_strategy() -> impl Strategy<Value = SlotSpec> {
    (
        prop_oneof![6 => (0u32..3).prop_map(SiteId::new), 1 => site_strategy()],
        prop_oneof![6 => (0u16..3).prop_map(Day::new), 1 => day_strategy()],
        window_strategy(),
        capacity_strategy(),
    )
        .prop_map(|(site, day, window, capacity)| SlotSpec {
            site,
            day,
            window,
            capacity,
        })
}

fn filter_strategy() -> impl Strategy<Value = OwnedFilter> {
    (
        prop_oneof![
            2 => Just(None),
            3 => region_strategy().prop_map(|region| Some(Ok(region))),
            2 => vec(site_strategy(), 0..=3).prop_map(|sites| Some(Err(sites))),
        ],
        day_strategy(),
        day_strategy(),
        prop_oneof![
            2 => Just(WindowSet::ALL),
            1 => vec(window_strategy(), 0..=2).prop_map(|windows| WindowSet::of(&windows)),
        ],
        // Now and then the days run backwards, which is an error.
        prop_oneof![6 => Just(false), 1 => Just(true)],
    )
        .prop_map(|(area, one, other, windows, backwards)| {
            let (first_day, last_day) = if backwards == (one <= other) {
                (other, one)
            } else {
                (one, other)
            };
            OwnedFilter {
                area,
                first_day,
                last_day,
                windows,
            }
        })
}

fn policy_strategy() -> impl Strategy<Value = OutflowPolicy> {
    (
        proptest::option::of(0u64..=20),
        proptest::option::of(0u64..=5),
        proptest::option::of(0u64..=4),
        any::<bool>(),
    )
        .prop_map(
            |(admissions_per_sec, burst_max, active_max, stop_when_sold_out)| OutflowPolicy {
                admissions_per_sec,
                burst_max,
                active_max,
                stop_when_sold_out,
            },
        )
}

/// Mostly the cohort that is always open; now and then one with a window, or one that is not
/// configured.
fn cohort_strategy() -> impl Strategy<Value = CohortId> {
    prop_oneof![8 => Just(0u16), 3 => 1u16..=3, 1 => Just(4u16)].prop_map(CohortId::new)
}

/// Mostly one or two slots that a universe's first slots cover; now and then any list of up to
/// four slot ids, empty and unknown ones included.
fn choices_strategy() -> impl Strategy<Value = Vec<SlotId>> {
    prop_oneof![
        4 => vec((0u32..2).prop_map(SlotId::new), 1),
        2 => vec((0u32..2).prop_map(SlotId::new), 2),
        1 => vec(slot_strategy(), 0..=4),
    ]
}

/// [`choices_strategy`] over the first `slots` slots.
fn choices_in(slots: u32) -> impl Strategy<Value = Vec<SlotId>> {
    prop_oneof![
        4 => vec(slot_in(slots), 1),
        2 => vec(slot_in(slots), 2),
        1 => vec(slot_strategy(), 0..=4),
    ]
}

/// One of the first `slots` slots.
fn slot_in(slots: u32) -> impl Strategy<Value = SlotId> {
    (0..slots).prop_map(SlotId::new)
}

/// Dose series pairs: mostly one or two pairs of the first slots, leg 2 one or two days after
/// leg 1 (in the gap or not, at one site or two), now and then any.
fn pairs_strategy(slots: u32) -> impl Strategy<Value = Vec<(SlotId, SlotId)>> {
    let close = (0..slots.max(2) - 1, 1u32..=2)
        .prop_map(|(first, gap)| (SlotId::new(first), SlotId::new(first + gap)));
    prop_oneof![
        4 => vec(close, 1..=2),
        1 => vec((slot_strategy(), slot_strategy()), 0..=3),
    ]
}

/// Mostly the people who take fewer calls (and so often hold no place): the ones a holder can
/// register.
fn dependant_strategy() -> impl Strategy<Value = PersonId> {
    prop_oneof![
        3 => (PEOPLE / 2..PEOPLE).prop_map(PersonId::new),
        1 => person_strategy(),
    ]
}

/// The slot to move a booking from: mostly one of the first two, which people book.
fn from_strategy(slots: u32) -> impl Strategy<Value = SlotId> {
    prop_oneof![4 => slot_in(slots), 1 => slot_strategy()]
}

/// The person verbs of the flows, weighted towards holds and their ends, with choices mostly
/// among the first `slots` slots.
fn flow_strategy(slots: u32) -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (person_strategy(), choices_in(slots), prop_oneof![8 => 1u64..=100, 1 => 0u64..=500])
            .prop_map(|(person, choices, ttl_ms)| Op::Hold { person, choices, ttl_ms }),
        4 => (person_strategy(), slot_in(slots))
            .prop_map(|(person, slot)| Op::Confirm { person, slot }),
        3 => (person_strategy(), from_strategy(slots))
            .prop_map(|(person, slot)| Op::Cancel { person, slot }),
        5 => (person_strategy(), from_strategy(slots), choices_in(slots))
            .prop_map(|(person, from, choices)| Op::Rebook { person, from, choices }),
        3 => (person_strategy(), pairs_strategy(slots))
            .prop_map(|(person, pairs)| Op::BookSeries { person, pairs }),
        2 => (person_strategy(), dependant_strategy())
            .prop_map(|(holder, dependant)| Op::RegisterDependant { holder, dependant }),
        3 => (person_strategy(), choices_in(slots))
            .prop_map(|(holder, choices)| Op::BookGroup { holder, choices }),
    ]
}

/// The person verbs a client may retry with an operation id.
fn verb_strategy(slots: u32) -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (person_strategy(), cohort_strategy())
            .prop_map(|(person, cohort)| Op::Enqueue { person, cohort }),
        3 => (person_strategy(), choices_in(slots))
            .prop_map(|(person, choices)| Op::Reserve { person, choices }),
        1 => person_strategy().prop_map(|person| Op::Release { person }),
        1 => (person_strategy(), slot_strategy())
            .prop_map(|(person, slot)| Op::ReleaseBooking { person, slot }),
        6 => flow_strategy(slots),
    ]
}

/// One [`Op`], weighted towards joins and bookings: the core's and the inventory's verbs (the
/// flows' are [`flows_op_strategy`]'s).
pub fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        7 => (person_strategy(), cohort_strategy())
            .prop_map(|(person, cohort)| Op::Enqueue { person, cohort }),
        2 => (person_strategy(), cohort_strategy(), scope_strategy())
            .prop_map(|(person, cohort, scope)| Op::EnqueueIn { person, cohort, scope }),
        1 => vec((person_strategy(), cohort_strategy()), 0..=8)
            .prop_map(|requests| Op::EnqueueBatch { requests }),
        4 => prop_oneof![8 => 0u64..=4, 1 => Just(u64::MAX)]
            .prop_map(|how_many| Op::Advance { how_many }),
        1 => policy_strategy().prop_map(|policy| Op::AdvanceBy { policy }),
        3 => prop_oneof![12 => 0u64..=50, 4 => 0u64..=300, 1 => 0u64..=5_000]
            .prop_map(|ms| Op::Tick { ms }),
        1 => prop_oneof![3 => 0u64..=20, 1 => 0u64..=150].prop_map(|ms| Op::Rewind { ms }),
        8 => (person_strategy(), choices_strategy())
            .prop_map(|(person, choices)| Op::Reserve { person, choices }),
        3 => (person_strategy(), 0u64..12, choices_strategy()).prop_map(
            |(person, ticket, choices)| Op::ReserveWithTicket {
                person,
                ticket: Seq::new(ticket),
                choices,
            }
        ),
        1 => vec(
            (person_strategy(), proptest::option::of((0u64..12).prop_map(Seq::new)), choices_strategy()),
            0..=5
        )
        .prop_map(|requests| Op::ReserveBatch { requests }),
        2 => person_strategy().prop_map(|person| Op::Standby { person }),
        2 => (person_strategy(), prop_oneof![4 => Just(3u16), 1 => 0u16..=4])
            .prop_map(|(person, cohort)| Op::EnterDraw { person, cohort: CohortId::new(cohort) }),
        1 => (prop_oneof![4 => Just(3u16), 1 => 0u16..=4], any::<u8>())
            .prop_map(|(cohort, secret)| Op::Draw { cohort: CohortId::new(cohort), secret }),
        1 => person_strategy().prop_map(|person| Op::Release { person }),
        1 => (person_strategy(), slot_strategy())
            .prop_map(|(person, slot)| Op::ReleaseBooking { person, slot }),
        2 => person_strategy().prop_map(|person| Op::Status { person }),
        1 => slot_spec_strategy().prop_map(|spec| Op::AddSlot { spec }),
        1 => (site_strategy(), region_strategy())
            .prop_map(|(site, region)| Op::AddSite { site, region }),
        1 => (slot_strategy(), capacity_strategy())
            .prop_map(|(slot, capacity)| Op::SetCapacity { slot, capacity }),
        1 => slot_strategy().prop_map(|slot| Op::CloseSlot { slot }),
        1 => filter_strategy().prop_map(|filter| Op::Search { filter }),
        1 => (0u64..12, 0u64..12).prop_map(|(from, to)| Op::AdmittedIn {
            from: Seq::new(from),
            to: Seq::new(to),
        }),
    ]
}

/// Sequences of [`Op`]s of a length in `len`.
///
/// # Example
/// ```
/// use fairbook_testing::proptest::strategy::{Strategy, ValueTree};
/// use fairbook_testing::proptest::test_runner::TestRunner;
/// use fairbook_testing::{Harness, Universe, ops_strategy};
///
/// let mut runner = TestRunner::deterministic();
/// let ops = ops_strategy(1..50).new_tree(&mut runner).unwrap().current();
/// Harness::check(&Universe::default(), &ops).unwrap();
/// ```
pub fn ops_strategy(len: impl Into<SizeRange>) -> impl Strategy<Value = Vec<Op>> {
    vec(op_strategy(), len)
}

/// A universe and a sequence of [`Op`]s of a length in `len` to run in it.
pub fn scenario_strategy(len: impl Into<SizeRange>) -> impl Strategy<Value = (Universe, Vec<Op>)> {
    (universe_strategy(), ops_strategy(len))
}

/// Universes with every flow on and room for them: two or three bookings per person, holds,
/// series, dependants and remembered operations, three or four slots (so that series have
/// both their legs), leases long enough to use.
pub fn flows_universe_strategy() -> impl Strategy<Value = Universe> {
    (
        (universe_strategy(), flows_strategy()).prop_map(|(mut universe, flows)| {
            let flows = flows.fit(universe.bookings_per_person_max);
            universe.holds_max = flows.holds_max;
            universe.holds_per_person_max = flows.holds_per_person_max;
            universe.hold_ttl_max_ms = flows.hold_ttl_max_ms;
            universe.series_gap_days = flows.series_gap_days;
            universe.dependants_per_person_max = flows.dependants_per_person_max;
            universe.groups_max = flows.groups_max;
            universe.ops_remembered_max = flows.ops_remembered_max;
            universe
        }),
        2u8..=3,
        1u32..=4,
        1u16..=2,
        vec(
            prop_oneof![1 => 0u32..=1, 3 => 2u32..=5],
            3..=SLOTS_MAX as usize,
        ),
        prop_oneof![1 => 1u64..=100, 3 => 100u64..=400],
    )
        .prop_map(
            |(mut universe, bookings_per_person_max, holds_max, gap_min, capacities, lease_ms)| {
                universe.bookings_per_person_max = bookings_per_person_max;
                universe.holds_max = holds_max;
                universe.holds_per_person_max = universe
                    .holds_per_person_max
                    .clamp(1, bookings_per_person_max);
                universe.hold_ttl_max_ms = universe.hold_ttl_max_ms.max(100);
                universe.series_gap_days = (gap_min, 2);
                universe.dependants_per_person_max = universe.dependants_per_person_max.max(1);
                universe.ops_remembered_max = universe.ops_remembered_max.max(1);
                universe.slots_max = SLOTS_MAX;
                universe.capacities = capacities;
                universe.lease_ms = lease_ms;
                universe.people_max = universe.people_max.max(4);
                universe.one_side(true)
            },
        )
}

/// One [`Op`], weighted towards the flows, with enough joins, admissions and time for them.
pub fn flows_op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (person_strategy(), Just(CohortId::new(0)))
            .prop_map(|(person, cohort)| Op::Enqueue { person, cohort }),
        4 => prop_oneof![8 => 0u64..=4, 1 => Just(u64::MAX)]
            .prop_map(|how_many| Op::Advance { how_many }),
        3 => prop_oneof![8 => 0u64..=50, 2 => 0u64..=300].prop_map(|ms| Op::Tick { ms }),
        1 => (0u64..=20).prop_map(|ms| Op::Rewind { ms }),
        3 => (person_strategy(), choices_in(SLOTS_MAX))
            .prop_map(|(person, choices)| Op::Reserve { person, choices }),
        1 => person_strategy().prop_map(|person| Op::Release { person }),
        1 => (person_strategy(), from_strategy(SLOTS_MAX))
            .prop_map(|(person, slot)| Op::ReleaseBooking { person, slot }),
        2 => person_strategy().prop_map(|person| Op::Status { person }),
        20 => flow_strategy(SLOTS_MAX),
        7 => ((0..OP_IDS).prop_map(OpId::new), verb_strategy(SLOTS_MAX))
            .prop_map(|(op, call)| Op::Once { op, call: Box::new(call) }),
        5 => prop_oneof![4 => Just(1u8), 1 => 2u8..=4].prop_map(|back| Op::Repeat { back }),
    ]
}

/// A flows universe and a sequence of [`flows_op_strategy`] ops of a length in `len`.
pub fn flows_scenario_strategy(
    len: impl Into<SizeRange>,
) -> impl Strategy<Value = (Universe, Vec<Op>)> {
    (flows_universe_strategy(), vec(flows_op_strategy(), len))
}

/// `true` once in `n` draws. An exhausted input reads as zeros, which makes this `false`: the
/// rare branch needs bytes that chose it (`Unstructured::ratio` is `true` on no data).
fn one_in(u: &mut Unstructured<'_>, n: u8) -> arbitrary::Result<bool> {
    Ok(u.int_in_range(1..=n)? == n)
}

fn arbitrary_person(u: &mut Unstructured<'_>) -> arbitrary::Result<PersonId> {
    Ok(match u.int_in_range(0..=60)? {
        60 => PersonId::RESERVED,
        45..=59 => PersonId::new(u.int_in_range(PEOPLE / 2..=PEOPLE - 1)?),
        _ => PersonId::new(u.int_in_range(0..=PEOPLE / 2 - 1)?),
    })
}

fn arbitrary_cohort(u: &mut Unstructured<'_>) -> arbitrary::Result<CohortId> {
    Ok(CohortId::new(
        *u.choose(&[0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4])?,
    ))
}

fn arbitrary_capacity(u: &mut Unstructured<'_>) -> arbitrary::Result<u32> {
    Ok(match u.int_in_range(0..=7)? {
        7 => u.int_in_range(3..=5)?,
        5..=6 => 2,
        _ => u.int_in_range(0..=1)?,
    })
}

fn arbitrary_slot(u: &mut Unstructured<'_>) -> arbitrary::Result<SlotId> {
    Ok(SlotId::new(u.int_in_range(0..=SLOT_IDS - 1)?))
}

fn arbitrary_site(u: &mut Unstructured<'_>) -> arbitrary::Result<SiteId> {
    Ok(SiteId::new(u.int_in_range(0..=SITE_IDS - 1)?))
}

fn arbitrary_region(u: &mut Unstructured<'_>) -> arbitrary::Result<RegionId> {
    Ok(RegionId::new(u.int_in_range(0..=REGION_IDS - 1)?))
}

fn arbitrary_day(u: &mut Unstructured<'_>) -> arbitrary::Result<Day> {
    Ok(Day::new(u.int_in_range(0..=DAY_IDS - 1)?))
}

fn arbitrary_window(u: &mut Unstructured<'_>) -> arbitrary::Result<Window> {
    Ok(Window::new(u.int_in_range(0..=WINDOW_IDS - 1)?))
}

fn arbitrary_filter(u: &mut Unstructured<'_>) -> arbitrary::Result<OwnedFilter> {
    let area = match u.int_in_range(0..=6)? {
        0..=1 => None,
        2..=4 => Some(Ok(arbitrary_region(u)?)),
        _ => {
            let len = u.int_in_range(0..=3)?;
            Some(Err((0..len)
                .map(|_| arbitrary_site(u))
                .collect::<arbitrary::Result<Vec<_>>>()?))
        }
    };
    let (one, other) = (arbitrary_day(u)?, arbitrary_day(u)?);
    let backwards = one_in(u, 7)?;
    let (first_day, last_day) = if backwards == (one <= other) {
        (other, one)
    } else {
        (one, other)
    };
    let windows = if one_in(u, 3)? {
        let len = u.int_in_range(0..=2)?;
        WindowSet::of(
            &(0..len)
                .map(|_| arbitrary_window(u))
                .collect::<arbitrary::Result<Vec<_>>>()?,
        )
    } else {
        WindowSet::ALL
    };
    Ok(OwnedFilter {
        area,
        first_day,
        last_day,
        windows,
    })
}

fn arbitrary_option(
    u: &mut Unstructured<'_>,
    range: core::ops::RangeInclusive<u64>,
) -> arbitrary::Result<Option<u64>> {
    Ok(if one_in(u, 2)? {
        Some(u.int_in_range(range)?)
    } else {
        None
    })
}

/// Mostly one or two of the first two slots; now and then any list of up to four.
fn arbitrary_choices(u: &mut Unstructured<'_>) -> arbitrary::Result<Vec<SlotId>> {
    if one_in(u, 7)? {
        let len = u.int_in_range(0..=4)?;
        (0..len).map(|_| arbitrary_slot(u)).collect()
    } else {
        let len = if one_in(u, 3)? { 2 } else { 1 };
        (0..len)
            .map(|_| Ok(SlotId::new(u.int_in_range(0..=1)?)))
            .collect()
    }
}

/// One of the flows' person verbs, with the weights of `flow_strategy`.
fn arbitrary_flow(u: &mut Unstructured<'_>) -> arbitrary::Result<Op> {
    Ok(match u.int_in_range(0..=20)? {
        0..=4 => Op::Hold {
            person: arbitrary_person(u)?,
            choices: arbitrary_choices(u)?,
            ttl_ms: if one_in(u, 9)? {
                u.int_in_range(0..=500)?
            } else {
                u.int_in_range(1..=100)?
            },
        },
        5..=8 => Op::Confirm {
            person: arbitrary_person(u)?,
            slot: SlotId::new(u.int_in_range(0..=1)?),
        },
        9 => Op::Cancel {
            person: arbitrary_person(u)?,
            slot: arbitrary_slot(u)?,
        },
        10..=12 => Op::Rebook {
            person: arbitrary_person(u)?,
            from: if one_in(u, 5)? {
                arbitrary_slot(u)?
            } else {
                SlotId::new(u.int_in_range(0..=1)?)
            },
            choices: arbitrary_choices(u)?,
        },
        13..=15 => {
            let person = arbitrary_person(u)?;
            let pairs = if one_in(u, 5)? {
                let len = u.int_in_range(0..=3)?;
                (0..len)
                    .map(|_| Ok((arbitrary_slot(u)?, arbitrary_slot(u)?)))
                    .collect::<arbitrary::Result<Vec<_>>>()?
            } else {
                let len = u.int_in_range(1..=2)?;
                (0..len)
                    .map(|_| {
                        let first = u.int_in_range(0..=1)?;
                        Ok((
                            SlotId::new(first),
                            SlotId::new(first + u.int_in_range(1..=2)?),
                        ))
                    })
                    .collect::<arbitrary::Result<Vec<_>>>()?
            };
            Op::BookSeries { person, pairs }
        }
        16..=17 => Op::RegisterDependant {
            holder: arbitrary_person(u)?,
            dependant: if one_in(u, 4)? {
                arbitrary_person(u)?
            } else {
                PersonId::new(u.int_in_range(PEOPLE / 2..=PEOPLE - 1)?)
            },
        },
        _ => Op::BookGroup {
            holder: arbitrary_person(u)?,
            choices: arbitrary_choices(u)?,
        },
    })
}

/// A person verb a client may retry with an operation id, as `verb_strategy` weighs them.
fn arbitrary_verb(u: &mut Unstructured<'_>) -> arbitrary::Result<Op> {
    Ok(match u.int_in_range(0..=11)? {
        0 => Op::Enqueue {
            person: arbitrary_person(u)?,
            cohort: arbitrary_cohort(u)?,
        },
        1..=3 => Op::Reserve {
            person: arbitrary_person(u)?,
            choices: arbitrary_choices(u)?,
        },
        4 => Op::Release {
            person: arbitrary_person(u)?,
        },
        5 => Op::ReleaseBooking {
            person: arbitrary_person(u)?,
            slot: arbitrary_slot(u)?,
        },
        _ => arbitrary_flow(u)?,
    })
}

/// The same weights as [`op_strategy`], drawn from fuzzer bytes.
impl<'a> Arbitrary<'a> for Op {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Op> {
        const KINDS: [u8; 64] = [
            0, 0, 0, 0, 0, 0, 10, 1, 1, 1, 1, 2, 3, 3, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 6, 7, 8, 8, 9,
            11, 11, 11, 12, 13, 14, 15, 16, 17, 17, 18, 18, 19, 19, 20, 20, 21, 22, 22, 22, 22, 22,
            22, 22, 22, 22, 22, 23, 23, 23, 23, 23, 24, 24, 24,
        ];
        Ok(match u.choose(&KINDS)? {
            22 => arbitrary_flow(u)?,
            23 => Op::Once {
                op: OpId::new(u.int_in_range(0..=OP_IDS - 1)?),
                call: Box::new(arbitrary_verb(u)?),
            },
            24 => Op::Repeat {
                back: if one_in(u, 5)? {
                    u.int_in_range(2..=4)?
                } else {
                    1
                },
            },
            0 => Op::Enqueue {
                person: arbitrary_person(u)?,
                cohort: arbitrary_cohort(u)?,
            },
            10 => {
                let len = u.int_in_range(0..=8)?;
                let requests = (0..len)
                    .map(|_| Ok((arbitrary_person(u)?, arbitrary_cohort(u)?)))
                    .collect::<arbitrary::Result<Vec<_>>>()?;
                Op::EnqueueBatch { requests }
            }
            1 => Op::Advance {
                how_many: if one_in(u, 9)? {
                    u64::MAX
                } else {
                    u.int_in_range(0..=4)?
                },
            },
            2 => Op::AdvanceBy {
                policy: OutflowPolicy {
                    admissions_per_sec: arbitrary_option(u, 0..=20)?,
                    burst_max: arbitrary_option(u, 0..=5)?,
                    active_max: arbitrary_option(u, 0..=4)?,
                    stop_when_sold_out: bool::arbitrary(u)?,
                },
            },
            3 => Op::Tick {
                ms: match u.int_in_range(0..=16)? {
                    16 => u.int_in_range(0..=5_000)?,
                    12..=15 => u.int_in_range(0..=300)?,
                    _ => u.int_in_range(0..=50)?,
                },
            },
            4 => Op::Rewind {
                ms: if one_in(u, 4)? {
                    u.int_in_range(0..=150)?
                } else {
                    u.int_in_range(0..=20)?
                },
            },
            5 => {
                let person = arbitrary_person(u)?;
                let choices = if one_in(u, 7)? {
                    let len = u.int_in_range(0..=4)?;
                    (0..len)
                        .map(|_| arbitrary_slot(u))
                        .collect::<arbitrary::Result<Vec<SlotId>>>()?
                } else {
                    let len = if one_in(u, 3)? { 2 } else { 1 };
                    (0..len)
                        .map(|_| Ok(SlotId::new(u.int_in_range(0..=1)?)))
                        .collect::<arbitrary::Result<Vec<SlotId>>>()?
                };
                Op::Reserve { person, choices }
            }
            11 => Op::ReserveWithTicket {
                person: arbitrary_person(u)?,
                ticket: Seq::new(u.int_in_range(0..=11)?),
                choices: vec![SlotId::new(u.int_in_range(0..=1)?)],
            },
            6 => Op::Release {
                person: arbitrary_person(u)?,
            },
            7 => Op::ReleaseBooking {
                person: arbitrary_person(u)?,
                slot: arbitrary_slot(u)?,
            },
            8 => Op::Status {
                person: arbitrary_person(u)?,
            },
            13 => {
                let len = u.int_in_range(0..=5)?;
                let requests = (0..len)
                    .map(|_| {
                        let person = arbitrary_person(u)?;
                        let ticket = if bool::arbitrary(u)? {
                            Some(Seq::new(u.int_in_range(0..=11)?))
                        } else {
                            None
                        };
                        let choices_len = u.int_in_range(0..=3)?;
                        let choices = (0..choices_len)
                            .map(|_| arbitrary_slot(u))
                            .collect::<arbitrary::Result<Vec<SlotId>>>()?;
                        Ok((person, ticket, choices))
                    })
                    .collect::<arbitrary::Result<Vec<_>>>()?;
                Op::ReserveBatch { requests }
            }
            12 => Op::AdmittedIn {
                from: Seq::new(u.int_in_range(0..=11)?),
                to: Seq::new(u.int_in_range(0..=11)?),
            },
            20 => Op::EnterDraw {
                person: arbitrary_person(u)?,
                cohort: CohortId::new(if one_in(u, 4)? {
                    u.int_in_range(0..=4)?
                } else {
                    3
                }),
            },
            21 => Op::Draw {
                cohort: CohortId::new(if one_in(u, 4)? {
                    u.int_in_range(0..=4)?
                } else {
                    3
                }),
                secret: u8::arbitrary(u)?,
            },
            19 => Op::Standby {
                person: arbitrary_person(u)?,
            },
            18 => Op::EnqueueIn {
                person: arbitrary_person(u)?,
                cohort: arbitrary_cohort(u)?,
                scope: if one_in(u, 4)? {
                    Scope::Everywhere
                } else {
                    Scope::Region(arbitrary_region(u)?)
                },
            },
            14 => Op::AddSite {
                site: arbitrary_site(u)?,
                region: arbitrary_region(u)?,
            },
            15 => Op::SetCapacity {
                slot: arbitrary_slot(u)?,
                capacity: arbitrary_capacity(u)?,
            },
            16 => Op::CloseSlot {
                slot: arbitrary_slot(u)?,
            },
            17 => Op::Search {
                filter: arbitrary_filter(u)?,
            },
            _ => Op::AddSlot {
                spec: SlotSpec {
                    site: if one_in(u, 7)? {
                        arbitrary_site(u)?
                    } else {
                        SiteId::new(u.int_in_range(0..=2)?)
                    },
                    day: if one_in(u, 7)? {
                        arbitrary_day(u)?
                    } else {
                        Day::new(u.int_in_range(0..=2)?)
                    },
                    window: arbitrary_window(u)?,
                    capacity: arbitrary_capacity(u)?,
                },
            },
        })
    }
}

/// The same ranges as [`universe_strategy`], drawn from fuzzer bytes.
impl<'a> Arbitrary<'a> for Universe {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Universe> {
        let slots_max = if one_in(u, 6)? {
            1
        } else {
            u.int_in_range(2..=SLOTS_MAX)?
        };
        let capacities_len = if one_in(u, 7)? {
            u.int_in_range(0..=slots_max)?
        } else {
            u.int_in_range(2..=3)?.min(slots_max)
        };
        let sites_max = u.int_in_range(1..=3)?;
        let days_max = u.int_in_range(1..=3)?;
        let regions_max = if one_in(u, 3)? {
            1
        } else {
            u.int_in_range(2..=3)?
        };
        let universe = Universe {
            sites_max,
            days_max,
            regions_max,
            people_max: match u.int_in_range(0..=8)? {
                8 => 1,
                6..=7 => u.int_in_range(2..=4)?,
                _ => u.int_in_range(5..=10)?,
            },
            slots_max,
            lease_ms: u.int_in_range(1..=400)?,
            lapse_policy: if bool::arbitrary(u)? {
                LapsePolicy::Requeue
            } else {
                LapsePolicy::Forfeit
            },
            seat_aware_door: one_in(u, 4)?,
            standby_max: u.int_in_range(0..=4)?,
            pre_queue_max: u.int_in_range(0..=4)?,
            bookings_per_person_max: u.int_in_range(1..=3)?,
            choices_max: if one_in(u, 6)? {
                1
            } else {
                u.int_in_range(2..=3)?
            },
            time_skew_tolerance_ms: u.int_in_range(0..=100)?,
            time_ahead_tolerance_ms: if one_in(u, 4)? {
                u.int_in_range(0..=200)?
            } else {
                3_600_000
            },
            person_hash_key: u64::arbitrary(u)?,
            capacities: (0..capacities_len)
                .map(|_| arbitrary_capacity(u))
                .collect::<arbitrary::Result<Vec<u32>>>()?,
            holds_max: 0,
            holds_per_person_max: 1,
            hold_ttl_max_ms: 1,
            series_gap_days: (0, 0),
            dependants_per_person_max: 0,
            groups_max: 1,
            ops_remembered_max: 0,
        }
        .with_arbitrary_flows(u)?;
        Ok(universe.one_side(bool::arbitrary(u)?))
    }
}

impl Universe {
    /// The flows' limits drawn from fuzzer bytes, with the ranges of `flows_strategy`.
    fn with_arbitrary_flows(mut self, u: &mut Unstructured<'_>) -> arbitrary::Result<Universe> {
        let bookings_max = self.bookings_per_person_max;
        self.holds_max = if one_in(u, 4)? {
            0
        } else {
            u.int_in_range(1..=4)?
        };
        self.holds_per_person_max = u.int_in_range(1..=3)?.min(bookings_max);
        self.hold_ttl_max_ms = if one_in(u, 5)? {
            u.int_in_range(1..=20)?
        } else {
            u.int_in_range(100..=400)?
        };
        self.series_gap_days = if one_in(u, 4)? || bookings_max < 2 {
            (0, 0)
        } else {
            let min = u.int_in_range(1..=2)?;
            (min, min + u.int_in_range(0..=1)?)
        };
        self.dependants_per_person_max = if one_in(u, 4)? {
            0
        } else {
            u.int_in_range(1..=2)?
        };
        self.groups_max = u.int_in_range(1..=3)?;
        self.ops_remembered_max = if one_in(u, 4)? {
            0
        } else {
            u.int_in_range(1..=64)?
        };
        Ok(self)
    }
}
