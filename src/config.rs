//! [`Config`]: every limit of an engine in one place, checked once when the engine is built.
//!
//! The engine allocates all of its memory at build time from these numbers and never again on
//! the data path, so memory is bounded by the configuration, not by the traffic: a flood gets
//! a "full" error, not an out-of-memory crash.

use core::fmt;

use crate::ids::RegionId;
use crate::scope::Scope;
use crate::time::Timestamp;

/// The most people one engine may sequence: 2³² (about 4.3 billion).
pub const PEOPLE_MAX_LIMIT: u64 = 1 << 32;

/// The most slots one engine may hold: 2³¹ − 1.
pub const SLOTS_MAX_LIMIT: u32 = (1 << 31) - 1;

/// The largest capacity of one slot: 2³¹ − 1 (a slot's capacity, bookings and "closed" flag
/// share one 64-bit word, so that every change of them is one compare-and-swap).
pub const SLOT_CAPACITY_LIMIT: u32 = (1 << 31) - 1;

/// The largest [`Config::sites_max`]: 2²⁴ (16,777,216 sites).
pub const SITES_MAX_LIMIT: u32 = 1 << 24;

/// The largest [`Config::days_max`]: 65,536, every [`Day`](crate::Day) there is.
pub const DAYS_MAX_LIMIT: u32 = 1 << 16;

/// The largest [`Config::regions_max`]: 65,535, so that region ids run from 0 to 65,534.
pub const REGIONS_MAX_LIMIT: u32 = u16::MAX as u32;

/// The largest [`Config::standby_max`]: 2²⁴ (16,777,216 people on standby at once).
pub const STANDBY_MAX_LIMIT: u32 = 1 << 24;

/// The most ranked choices one `reserve` call may list.
pub const CHOICES_MAX_LIMIT: usize = 64;

/// The largest [`Config::bookings_per_person_max`]: 15, what a person's packed state word
/// has room to count.
pub const BOOKINGS_PER_PERSON_LIMIT: u8 = 15;

/// The most cohorts one engine may have.
pub const COHORTS_MAX_LIMIT: usize = 1 << 16;

/// The largest [`Config::holds_per_person_max`]: 4. A person holds a seat or two while they
/// decide; the limit keeps [`Status::Holding`](crate::Status::Holding), which lists them by
/// value, small.
pub const HOLDS_PER_PERSON_LIMIT: u8 = 4;

/// The largest [`Config::dependants_per_person_max`]: 15.
pub const DEPENDANTS_PER_PERSON_LIMIT: u8 = 15;

/// Every limit of an engine.
///
/// Build one with struct update syntax over [`Config::default`] and hand it to
/// [`Engine::new`](crate::Engine::new), which validates it.
///
/// # Example
/// ```
/// use fairbook::{CohortWindow, Config, Engine, LapsePolicy, Timestamp};
///
/// let config = Config {
///     people_max: 10_000,
///     slots_max: 500,
///     lease_ms: 5 * 60 * 1_000,
///     lapse_policy: LapsePolicy::Requeue,
///     cohorts: vec![
///         // Cohort 0 (say, ages 53–54) opens at t = 0 and closes after a day.
///         CohortWindow::between(Timestamp::ZERO, Timestamp::from_secs(86_400)),
///         // Cohort 1 opens a day later and stays open.
///         CohortWindow::opening_at(Timestamp::from_secs(86_400)),
///     ],
///     ..Config::default()
/// };
/// let engine = Engine::new(config)?;
/// assert_eq!(engine.config().people_max, 10_000);
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
///
/// With the `serde` feature a configuration reads from any serde format; every field may be
/// left out and takes its default, and an unknown field is an error (a typo in a campaign file
/// should not pass silently). Times are milliseconds.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default, deny_unknown_fields)
)]
pub struct Config {
    /// The most distinct places the waiting room hands out over the engine's life (one per
    /// person, plus one per requeue under [`LapsePolicy::Requeue`]). Past it, first joins get
    /// [`EnqueueError::Full`](crate::EnqueueError::Full).
    ///
    /// **Memory per place** (the one place the docs give it): the person table takes 16 bytes
    /// per cell for a power of two of cells at or above 4/3 of `people_max`, and every place
    /// takes 20 bytes more (its ring entry and the count of leavers), plus 4 bytes per booking
    /// it may hold (the ledger). With one booking per person that is **46.4 bytes per place at
    /// the reference surge** (1,500,000 places) and **56 bytes at the default** (1,048,576);
    /// the power-of-two rounding moves it between about 45 and 67 bytes for other sizes.
    /// [`Engine::memory_for`](crate::Engine::memory_for) gives the exact figure for a config.
    pub people_max: u64,
    /// The most slots [`Engine::add_slot`](crate::Engine::add_slot) accepts. 20 bytes each: the
    /// slot's cell and its link in the search index.
    pub slots_max: u32,
    /// Site ids run from 0 to `sites_max - 1`; a slot at a site beyond is refused with
    /// [`AddSlotError::SiteOutOfRange`](crate::AddSlotError::SiteOutOfRange). 28 bytes per
    /// site (its region, its count of free seats and open slots, its link in its region's
    /// list of sites, and the limits the control path keeps), plus the day index below.
    pub sites_max: u32,
    /// Days run from 0 to `days_max - 1` (the campaign's horizon); a slot on a day beyond is
    /// refused with [`AddSlotError::DayOutOfRange`](crate::AddSlotError::DayOutOfRange). The
    /// search index keeps 4 bytes per site and day, `sites_max × days_max × 4` bytes in all, so
    /// that a search for a few days never walks a site's other days.
    pub days_max: u32,
    /// Region ids run from 0 to `regions_max - 1` (see [`RegionId`](crate::RegionId)). With more
    /// than one region, people can be bound to one ([`Scope::Region`](crate::Scope::Region)),
    /// which costs 2 bytes per place (see [`Config::people_max`]); with one, every scope is the
    /// whole inventory and nothing is stored per place.
    pub regions_max: u32,
    /// How long an admitted person may take to book, in milliseconds.
    pub lease_ms: u64,
    /// What happens when a lease runs out without a booking.
    pub lapse_policy: LapsePolicy,
    /// Never let in more people than there are seats they could book: at every turn of the door
    /// (`advance` and `advance_with_policy`), the next person in line is admitted only if their
    /// scope has a free seat beyond one for every person admitted before them who has not
    /// booked yet, or is on standby, and could book there. Otherwise the door waits, in join
    /// order (nobody behind them goes first), and `status` says why
    /// ([`DoorStall::NoSeat`](crate::DoorStall::NoSeat)). Off by default: the door then lets in
    /// as many as it is asked to.
    pub seat_aware_door: bool,
    /// The most people on standby, or holding a seat the door offered them, at once (see
    /// [`Engine::standby`](crate::Engine::standby)); 0 turns standby off. 32 bytes each.
    /// For now standby excludes holds, series and groups: turn it off (0) to use those
    /// ([`ConfigError::HoldsWithStandby`], [`ConfigError::LinkedBookingsWithStandby`]).
    pub standby_max: u32,
    /// The most people who may enter the draws of cohorts with one
    /// ([`CohortWindow::draw`]) before their openings, all cohorts together; allocated only if
    /// a cohort has a draw, about 21 to 43 bytes per entrant (a person table of its own).
    pub pre_queue_max: u32,
    /// The most bookings one person may hold at once (1 to 15; 1 by default).
    pub bookings_per_person_max: u8,
    /// The most ranked choices one `reserve` call may list (1 to 64).
    pub choices_max: usize,
    /// When each cohort may join, indexed by [`CohortId`](crate::CohortId). At least one.
    pub cohorts: Vec<CohortWindow>,
    /// How far behind the door's clock (the latest time an
    /// [`Engine::advance`](crate::Engine::advance) saw) a call's `now` may be and still be
    /// served (at the door's time). Further back is a `TimeWentBackwards` error. Threads that
    /// read a clock and then call the engine reach it slightly out of order; this absorbs that
    /// without letting time run backwards.
    pub time_skew_tolerance_ms: u64,
    /// How far ahead of the door's clock a call other than `advance` may be. Further ahead is
    /// a `TimeTooFarAhead` error, and nothing changes. A call's time decides only its own
    /// answers (its own lease, its own cohort window) and never moves the engine's clock, so a
    /// wrong `now` cannot harm anyone else; this catches the wrong clocks early. Only the door
    /// moves the clock: call `advance` on a timer (even with nobody to admit) when calls may
    /// be further apart than this. Before the first `advance`, any time is accepted.
    pub time_ahead_tolerance_ms: u64,
    /// The secret of the person table's hash. Set it to a value nobody outside the service
    /// knows (drawn from the operating system's random source when the campaign is set up,
    /// and kept with the campaign so that a replay uses the same one): then nobody can choose
    /// person ids that pile onto one spot of the table and slow the joins of everyone who
    /// lands near it. The default, 0, is public: fine for tests and for ids that are already
    /// keyed hashes of identities, but not against ids an attacker can choose. Whatever the
    /// key, a join never walks more than a bounded stretch of the table (see
    /// [`EnqueueError::Crowded`](crate::EnqueueError::Crowded)).
    pub person_hash_key: u64,
    /// Two-phase holds ([`Engine::hold`](crate::Engine::hold)): the most seats held at once in
    /// the whole engine. A held seat counts against its slot's capacity until it is confirmed,
    /// cancelled or expires. 0 (the default) turns holds off and allocates nothing for them;
    /// otherwise every place costs 8 bytes per booking cell more (the hold deadlines) plus a
    /// bit (the door's list of places holding a seat). For now holds need `standby_max` at 0
    /// and `regions_max` at 1 (a current limitation: [`ConfigError::HoldsWithStandby`],
    /// [`ConfigError::FlowsWithRegions`]).
    pub holds_max: u32,
    /// The most holds one person may have at once: 1 to `bookings_per_person_max` (and at most
    /// [`HOLDS_PER_PERSON_LIMIT`]) when holds are on (a hold takes one of the person's booking
    /// cells until it ends).
    pub holds_per_person_max: u8,
    /// The longest a hold may last, in milliseconds (the `ttl_ms` of a hold is 1 to this).
    pub hold_ttl_max_ms: u64,
    /// Dose series ([`Engine::book_series`](crate::Engine::book_series)): the fewest days
    /// between leg 1 and leg 2 (at least 1 when series are on).
    pub series_gap_days_min: u16,
    /// The most days between leg 1 and leg 2. 0 (the default) turns series off; set both
    /// bounds to one number for a campaign with a fixed gap. With series on, every place costs
    /// 8 bytes more (which two of its bookings are a series), and
    /// `bookings_per_person_max` must be at least 2, and `days_max` (16 by default) must
    /// cover the days of both legs (a 21-to-28-day series needs more). For now series need `standby_max` at 0
    /// and `regions_max` at 1 (a current limitation: [`ConfigError::LinkedBookingsWithStandby`],
    /// [`ConfigError::FlowsWithRegions`]).
    pub series_gap_days_max: u16,
    /// Groups ([`Engine::register_dependant`](crate::Engine::register_dependant)): the most
    /// dependants one person may book for (0 to [`DEPENDANTS_PER_PERSON_LIMIT`]; 0, the
    /// default, turns groups off). For now groups need `standby_max` at 0 and `regions_max` at
    /// 1 (a current limitation: [`ConfigError::LinkedBookingsWithStandby`],
    /// [`ConfigError::FlowsWithRegions`]).
    pub dependants_per_person_max: u8,
    /// The most people who may register dependants, in all (at least 1 when groups are on).
    /// Each costs 16 bytes per dependant allowed, and every place 4 bytes more.
    pub groups_max: u32,
    /// Retry-safe writes ([`Engine::once`](crate::Engine::once)): how many answers of
    /// operations carrying an [`OpId`](crate::OpId) are remembered, rounded up to a multiple
    /// of 8 (the ways of a bucket of the table). About 100 bytes each. When the table is full,
    /// a new answer pushes out the oldest of its bucket: every bucket keeps its 8 latest, and
    /// the table as a whole about the latest `ops_remembered_max`. 0 (the default) turns
    /// remembering off.
    pub ops_remembered_max: u32,
}

impl Default for Config {
    /// About a million people, 65,536 slots at up to 65,536 sites over 16 days in one region,
    /// ten-minute leases that are forfeited when they lapse, a door that lets in as many as it is
    /// asked to, up to 4,096 people on standby, up to 65,536 people in draws (if a cohort has
    /// one), one booking per person, up to 8 ranked choices, one cohort that is always open, one
    /// second of clock skew tolerated, and calls up to an hour ahead of the door's clock.
    /// Holds, series, groups and remembered operations are off (one hold per person of at most
    /// fifteen minutes once `holds_max` turns them on, which also needs `standby_max` at 0: see
    /// [`ConfigError::HoldsWithStandby`]).
    fn default() -> Config {
        Config {
            people_max: 1 << 20,
            slots_max: 1 << 16,
            sites_max: 1 << 16,
            days_max: 16,
            regions_max: 1,
            lease_ms: 10 * 60 * 1_000,
            lapse_policy: LapsePolicy::Forfeit,
            seat_aware_door: false,
            standby_max: 4_096,
            pre_queue_max: 1 << 16,
            bookings_per_person_max: 1,
            choices_max: 8,
            cohorts: vec![CohortWindow::ALWAYS],
            time_skew_tolerance_ms: 1_000,
            time_ahead_tolerance_ms: 60 * 60 * 1_000,
            person_hash_key: 0,
            holds_max: 0,
            holds_per_person_max: 1,
            hold_ttl_max_ms: 15 * 60 * 1_000,
            series_gap_days_min: 0,
            series_gap_days_max: 0,
            dependants_per_person_max: 0,
            groups_max: 0,
            ops_remembered_max: 0,
        }
    }
}

impl Config {
    /// Checks every limit. [`Engine::new`](crate::Engine::new) calls this; call it yourself to
    /// check a configuration read from a file before building anything.
    ///
    /// # Errors
    /// The first limit that is out of range, as a [`ConfigError`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{Config, ConfigError};
    /// let config = Config { lease_ms: 0, ..Config::default() };
    /// assert_eq!(config.validate(), Err(ConfigError::LeaseZero));
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.people_max == 0 || self.people_max > PEOPLE_MAX_LIMIT {
            return Err(ConfigError::PeopleMaxOutOfRange {
                given: self.people_max,
                max: PEOPLE_MAX_LIMIT,
            });
        }
        if usize::try_from(self.people_max).is_err() {
            return Err(ConfigError::PeopleMaxOutOfRange {
                given: self.people_max,
                max: usize::MAX as u64,
            });
        }
        if self.slots_max == 0 || self.slots_max > SLOTS_MAX_LIMIT {
            return Err(ConfigError::SlotsMaxOutOfRange {
                given: self.slots_max,
                max: SLOTS_MAX_LIMIT,
            });
        }
        if self.sites_max == 0 || self.sites_max > SITES_MAX_LIMIT {
            return Err(ConfigError::SitesMaxOutOfRange {
                given: self.sites_max,
                max: SITES_MAX_LIMIT,
            });
        }
        if self.days_max == 0 || self.days_max > DAYS_MAX_LIMIT {
            return Err(ConfigError::DaysMaxOutOfRange {
                given: self.days_max,
                max: DAYS_MAX_LIMIT,
            });
        }
        if self.regions_max == 0 || self.regions_max > REGIONS_MAX_LIMIT {
            return Err(ConfigError::RegionsMaxOutOfRange {
                given: self.regions_max,
                max: REGIONS_MAX_LIMIT,
            });
        }
        if self.lease_ms == 0 {
            return Err(ConfigError::LeaseZero);
        }
        if self.standby_max > STANDBY_MAX_LIMIT {
            return Err(ConfigError::StandbyMaxOutOfRange {
                given: self.standby_max,
                max: STANDBY_MAX_LIMIT,
            });
        }
        if self.bookings_per_person_max == 0
            || self.bookings_per_person_max > BOOKINGS_PER_PERSON_LIMIT
        {
            return Err(ConfigError::BookingsPerPersonOutOfRange {
                given: self.bookings_per_person_max,
                max: BOOKINGS_PER_PERSON_LIMIT,
            });
        }
        if self.choices_max == 0 || self.choices_max > CHOICES_MAX_LIMIT {
            return Err(ConfigError::ChoicesMaxOutOfRange {
                given: self.choices_max,
                max: CHOICES_MAX_LIMIT,
            });
        }
        if self.cohorts.is_empty() || self.cohorts.len() > COHORTS_MAX_LIMIT {
            return Err(ConfigError::CohortsOutOfRange {
                given: self.cohorts.len(),
                max: COHORTS_MAX_LIMIT,
            });
        }
        for (index, window) in self.cohorts.iter().enumerate() {
            if let Some(closes_at) = window.closes_at {
                if closes_at <= window.opens_at {
                    return Err(ConfigError::CohortWindowEmpty {
                        cohort: index as u16,
                        opens_at: window.opens_at,
                        closes_at,
                    });
                }
            }
            if let Scope::Region(region) = window.scope {
                if u32::from(region.as_u16()) >= self.regions_max {
                    return Err(ConfigError::CohortRegionOutOfRange {
                        cohort: index as u16,
                        region,
                        regions_max: self.regions_max,
                    });
                }
            }
        }
        self.validate_flows()
    }

    /// The limits of holds, series and groups, when they are on.
    fn validate_flows(&self) -> Result<(), ConfigError> {
        if self.holds_max > 0 {
            let max = self.bookings_per_person_max.min(HOLDS_PER_PERSON_LIMIT);
            if self.holds_per_person_max == 0 || self.holds_per_person_max > max {
                return Err(ConfigError::HoldsPerPersonOutOfRange {
                    given: self.holds_per_person_max,
                    max,
                });
            }
            if self.hold_ttl_max_ms == 0 {
                return Err(ConfigError::HoldTtlZero);
            }
        }
        if self.series_gap_days_max > 0 {
            if self.series_gap_days_min == 0 || self.series_gap_days_min > self.series_gap_days_max
            {
                return Err(ConfigError::SeriesGapOutOfRange {
                    min: self.series_gap_days_min,
                    max: self.series_gap_days_max,
                });
            }
            if self.bookings_per_person_max < 2 {
                return Err(ConfigError::SeriesNeedTwoBookings {
                    bookings_per_person_max: self.bookings_per_person_max,
                });
            }
        }
        if self.dependants_per_person_max > DEPENDANTS_PER_PERSON_LIMIT {
            return Err(ConfigError::DependantsOutOfRange {
                given: self.dependants_per_person_max,
                max: DEPENDANTS_PER_PERSON_LIMIT,
            });
        }
        if self.dependants_per_person_max > 0 && self.groups_max == 0 {
            return Err(ConfigError::GroupsMaxZero);
        }
        // Current limits: the flows and the inventory's standby and scopes do not meet yet.
        if self.holds_max > 0 && self.standby_max > 0 {
            return Err(ConfigError::HoldsWithStandby {
                holds_max: self.holds_max,
                standby_max: self.standby_max,
            });
        }
        let linked = self.series_gap_days_max > 0 || self.dependants_per_person_max > 0;
        if linked && self.standby_max > 0 {
            return Err(ConfigError::LinkedBookingsWithStandby {
                standby_max: self.standby_max,
            });
        }
        if (self.holds_max > 0 || linked) && self.regions_max > 1 {
            return Err(ConfigError::FlowsWithRegions {
                regions_max: self.regions_max,
            });
        }
        Ok(())
    }
}

/// What happens to an admitted person whose lease runs out before they book.
///
/// Either way the engine never moves a *waiting* person back, and a person who books before
/// the deadline keeps the booking whatever happens to the lease afterwards.
///
/// # Example
/// ```
/// use fairbook::LapsePolicy;
/// assert_eq!(LapsePolicy::default(), LapsePolicy::Forfeit);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum LapsePolicy {
    /// The turn is over: the person cannot reserve, and joining again is refused with
    /// [`EnqueueError::LeaseLapsed`](crate::EnqueueError::LeaseLapsed). Their capacity was
    /// never taken, so nothing is lost for anyone else.
    #[default]
    Forfeit,
    /// The person may join again, and gets a new place at the back of the line (a new
    /// [`Seq`](crate::Seq)): they had their turn, so going ahead of people who waited would be
    /// cutting in. Each requeue uses one of the `people_max` places.
    Requeue,
}

/// When one cohort may join: from `opens_at` (inclusive) until `closes_at` (exclusive), if set;
/// and where its people may book.
///
/// A person who joined while the window was open keeps their place after it closes: closing
/// a window stops new joins, it never bounces anyone.
///
/// # Example
/// ```
/// use fairbook::{CohortWindow, RegionId, Scope, Timestamp};
/// let window = CohortWindow::between(Timestamp::from_secs(10), Timestamp::from_secs(20));
/// assert!(!window.is_open_at(Timestamp::from_secs(9)));
/// assert!(window.is_open_at(Timestamp::from_secs(10)));
/// assert!(!window.is_open_at(Timestamp::from_secs(20)));
/// let seoul_only = window.within(Scope::Region(RegionId::new(1)));
/// assert_eq!(seoul_only.scope, Scope::Region(RegionId::new(1)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub struct CohortWindow {
    /// The first moment the cohort may join.
    #[cfg_attr(feature = "serde", serde(default))]
    pub opens_at: Timestamp,
    /// The first moment it may no longer join, if it ever closes.
    #[cfg_attr(feature = "serde", serde(default))]
    pub closes_at: Option<Timestamp>,
    /// Where the cohort's people may book, unless one joins with a scope of their own
    /// ([`Engine::enqueue_in`](crate::Engine::enqueue_in)).
    #[cfg_attr(feature = "serde", serde(default))]
    pub scope: Scope,
    /// People who come before the opening enter a draw
    /// ([`Engine::enter_draw`](crate::Engine::enter_draw)) and are placed in line in a seeded
    /// random order at the opening ([`Engine::draw`](crate::Engine::draw)); everyone after
    /// joins in arrival order, behind them.
    #[cfg_attr(feature = "serde", serde(default))]
    pub draw: bool,
}

impl CohortWindow {
    /// Open from the epoch, never closing, booking anywhere.
    pub const ALWAYS: CohortWindow = CohortWindow {
        opens_at: Timestamp::ZERO,
        closes_at: None,
        scope: Scope::Everywhere,
        draw: false,
    };

    /// Open from `opens_at`, never closing, booking anywhere.
    pub const fn opening_at(opens_at: Timestamp) -> CohortWindow {
        CohortWindow {
            opens_at,
            closes_at: None,
            scope: Scope::Everywhere,
            draw: false,
        }
    }

    /// Open from `opens_at` until `closes_at`, booking anywhere.
    pub const fn between(opens_at: Timestamp, closes_at: Timestamp) -> CohortWindow {
        CohortWindow {
            opens_at,
            closes_at: Some(closes_at),
            scope: Scope::Everywhere,
            draw: false,
        }
    }

    /// The same window, its people booking only within `scope`.
    #[must_use]
    pub const fn within(self, scope: Scope) -> CohortWindow {
        CohortWindow { scope, ..self }
    }

    /// The same window, with a draw for the people who come before the opening.
    #[must_use]
    pub const fn with_draw(self) -> CohortWindow {
        CohortWindow { draw: true, ..self }
    }

    /// Whether a first join at `now` is allowed.
    pub fn is_open_at(&self, now: Timestamp) -> bool {
        now >= self.opens_at && self.closes_at.is_none_or(|closes_at| now < closes_at)
    }
}

/// A [`Config`] limit out of range.
///
/// # Example
/// ```
/// use fairbook::{Config, ConfigError, Engine};
/// let error = Engine::new(Config { people_max: 0, ..Config::default() }).unwrap_err();
/// assert!(matches!(error, ConfigError::PeopleMaxOutOfRange { given: 0, .. }));
/// assert_eq!(error.to_string(), "people_max is 0, but must be between 1 and 4294967296");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// `people_max` is 0 or above the limit.
    PeopleMaxOutOfRange {
        /// The configured value.
        given: u64,
        /// The largest value allowed.
        max: u64,
    },
    /// `slots_max` is 0 or above the limit.
    SlotsMaxOutOfRange {
        /// The configured value.
        given: u32,
        /// The largest value allowed.
        max: u32,
    },
    /// `sites_max` is 0 or above the limit.
    SitesMaxOutOfRange {
        /// The configured value.
        given: u32,
        /// The largest value allowed.
        max: u32,
    },
    /// `days_max` is 0 or above the limit.
    DaysMaxOutOfRange {
        /// The configured value.
        given: u32,
        /// The largest value allowed.
        max: u32,
    },
    /// `regions_max` is 0 or above the limit.
    RegionsMaxOutOfRange {
        /// The configured value.
        given: u32,
        /// The largest value allowed.
        max: u32,
    },
    /// `lease_ms` is 0: nobody could ever book.
    LeaseZero,
    /// `standby_max` is above the limit.
    StandbyMaxOutOfRange {
        /// The configured value.
        given: u32,
        /// The largest value allowed.
        max: u32,
    },
    /// `bookings_per_person_max` is 0 or above 15.
    BookingsPerPersonOutOfRange {
        /// The configured value.
        given: u8,
        /// The largest value allowed.
        max: u8,
    },
    /// `choices_max` is 0 or above the limit.
    ChoicesMaxOutOfRange {
        /// The configured value.
        given: usize,
        /// The largest value allowed.
        max: usize,
    },
    /// There are no cohorts, or more than the limit.
    CohortsOutOfRange {
        /// The number of cohorts configured.
        given: usize,
        /// The largest number allowed.
        max: usize,
    },
    /// The limits are in range, but the allocator refused the memory they need (see
    /// [`Engine::memory_for`](crate::Engine::memory_for) for what a configuration costs).
    /// Lower `people_max` or `slots_max`, or build the engine on a machine with more memory.
    MemoryUnavailable {
        /// What the engine asked for in all.
        bytes: usize,
    },
    /// Holds are on, but `holds_per_person_max` is 0 or above `bookings_per_person_max` (or
    /// [`HOLDS_PER_PERSON_LIMIT`]).
    HoldsPerPersonOutOfRange {
        /// The configured value.
        given: u8,
        /// The largest value allowed.
        max: u8,
    },
    /// Holds are on, but `hold_ttl_max_ms` is 0: no hold could last.
    HoldTtlZero,
    /// Series are on, but the fewest days between legs is 0 or above the most.
    SeriesGapOutOfRange {
        /// `series_gap_days_min`.
        min: u16,
        /// `series_gap_days_max`.
        max: u16,
    },
    /// Series are on, but a person may hold fewer than two bookings: no series would fit.
    SeriesNeedTwoBookings {
        /// The configured value.
        bookings_per_person_max: u8,
    },
    /// `dependants_per_person_max` is above the limit.
    DependantsOutOfRange {
        /// The configured value.
        given: u8,
        /// The largest value allowed.
        max: u8,
    },
    /// Groups are on (`dependants_per_person_max` above 0), but `groups_max` is 0.
    GroupsMaxZero,
    /// Holds are on (`holds_max` above 0) and so is standby (`standby_max` above 0). A current
    /// limitation: a held seat and a seat the door holds for an offer would share a person's
    /// booking cells, so the two are not offered together yet. Set one of them to 0 (standby
    /// is on by default).
    HoldsWithStandby {
        /// The configured `holds_max`.
        holds_max: u32,
        /// The configured `standby_max`.
        standby_max: u32,
    },
    /// Series (`series_gap_days_max` above 0) or groups (`dependants_per_person_max` above 0)
    /// are on, and so is standby (`standby_max` above 0). A current limitation: a series or a
    /// group takes seats without the standby line's gate and next to a seat held for an offer,
    /// so they are not offered together yet. Set `standby_max` to 0 (it is on by default).
    LinkedBookingsWithStandby {
        /// The configured `standby_max`.
        standby_max: u32,
    },
    /// Holds, series or groups are on with more than one region. A current limitation: those
    /// flows do not check a person's scope ([`Scope`]), so they are not offered where scopes
    /// can differ yet. Keep `regions_max` at 1.
    FlowsWithRegions {
        /// The configured `regions_max`.
        regions_max: u32,
    },
    /// A cohort's scope names a region at or above `regions_max`.
    CohortRegionOutOfRange {
        /// The cohort's index in `cohorts`.
        cohort: u16,
        /// The region it names.
        region: RegionId,
        /// The configured number of regions.
        regions_max: u32,
    },
    /// A cohort's window closes before (or when) it opens: nobody could ever join it.
    CohortWindowEmpty {
        /// The cohort's index in `cohorts`.
        cohort: u16,
        /// When it opens.
        opens_at: Timestamp,
        /// When it closes.
        closes_at: Timestamp,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::PeopleMaxOutOfRange { given, max } => {
                write!(f, "people_max is {given}, but must be between 1 and {max}")
            }
            ConfigError::SlotsMaxOutOfRange { given, max } => {
                write!(f, "slots_max is {given}, but must be between 1 and {max}")
            }
            ConfigError::SitesMaxOutOfRange { given, max } => {
                write!(f, "sites_max is {given}, but must be between 1 and {max}")
            }
            ConfigError::DaysMaxOutOfRange { given, max } => {
                write!(f, "days_max is {given}, but must be between 1 and {max}")
            }
            ConfigError::RegionsMaxOutOfRange { given, max } => {
                write!(f, "regions_max is {given}, but must be between 1 and {max}")
            }
            ConfigError::LeaseZero => write!(f, "lease_ms is 0, so no admitted person could book"),
            ConfigError::StandbyMaxOutOfRange { given, max } => {
                write!(f, "standby_max is {given}, but must be at most {max}")
            }
            ConfigError::BookingsPerPersonOutOfRange { given, max } => write!(
                f,
                "bookings_per_person_max is {given}, but must be between 1 and {max}"
            ),
            ConfigError::ChoicesMaxOutOfRange { given, max } => {
                write!(f, "choices_max is {given}, but must be between 1 and {max}")
            }
            ConfigError::CohortsOutOfRange { given, max } => {
                write!(
                    f,
                    "{given} cohorts configured, but there must be between 1 and {max}"
                )
            }
            ConfigError::MemoryUnavailable { bytes } => write!(
                f,
                "the engine needs {bytes} bytes, but the allocator refused them"
            ),
            ConfigError::CohortRegionOutOfRange {
                cohort,
                region,
                regions_max,
            } => write!(
                f,
                "cohort {cohort} books in region {region}, but region ids run below {regions_max}"
            ),
            ConfigError::CohortWindowEmpty {
                cohort,
                opens_at,
                closes_at,
            } => write!(
                f,
                "cohort {cohort} closes ({closes_at}) no later than it opens ({opens_at}), so nobody could join it"
            ),
            ConfigError::HoldsPerPersonOutOfRange { given, max } => write!(
                f,
                "holds_per_person_max is {given}, but must be between 1 and {max} while holds are on"
            ),
            ConfigError::HoldTtlZero => {
                write!(f, "hold_ttl_max_ms is 0, so no hold could last")
            }
            ConfigError::SeriesGapOutOfRange { min, max } => write!(
                f,
                "series gap is {min} to {max} days, but the fewest must be between 1 and the most"
            ),
            ConfigError::SeriesNeedTwoBookings {
                bookings_per_person_max,
            } => write!(
                f,
                "bookings_per_person_max is {bookings_per_person_max}, but a series needs room for 2"
            ),
            ConfigError::DependantsOutOfRange { given, max } => write!(
                f,
                "dependants_per_person_max is {given}, but must be at most {max}"
            ),
            ConfigError::GroupsMaxZero => {
                write!(f, "groups_max is 0, so nobody could register a dependant")
            }
            ConfigError::HoldsWithStandby {
                holds_max,
                standby_max,
            } => write!(
                f,
                "holds_max is {holds_max} and standby_max is {standby_max}, but holds and standby \
                 cannot both be on yet: set one of them to 0"
            ),
            ConfigError::LinkedBookingsWithStandby { standby_max } => write!(
                f,
                "series or groups are on and standby_max is {standby_max}, but they cannot both \
                 be on yet: set standby_max to 0"
            ),
            ConfigError::FlowsWithRegions { regions_max } => write!(
                f,
                "holds, series or groups are on and regions_max is {regions_max}, but they do not \
                 check scopes yet: keep regions_max at 1"
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    /// The stable machine code of the error: the variant's name in snake case
    /// (`"people_max_out_of_range"`, `"lease_zero"`, ...).
    ///
    /// # Example
    /// ```
    /// use fairbook::ConfigError;
    /// assert_eq!(ConfigError::LeaseZero.code(), "lease_zero");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::PeopleMaxOutOfRange { .. } => "people_max_out_of_range",
            ConfigError::SlotsMaxOutOfRange { .. } => "slots_max_out_of_range",
            ConfigError::LeaseZero => "lease_zero",
            ConfigError::BookingsPerPersonOutOfRange { .. } => "bookings_per_person_out_of_range",
            ConfigError::ChoicesMaxOutOfRange { .. } => "choices_max_out_of_range",
            ConfigError::CohortsOutOfRange { .. } => "cohorts_out_of_range",
            ConfigError::CohortWindowEmpty { .. } => "cohort_window_empty",
            ConfigError::MemoryUnavailable { .. } => "memory_unavailable",
            ConfigError::HoldsPerPersonOutOfRange { .. } => "holds_per_person_out_of_range",
            ConfigError::HoldTtlZero => "hold_ttl_zero",
            ConfigError::SeriesGapOutOfRange { .. } => "series_gap_out_of_range",
            ConfigError::SeriesNeedTwoBookings { .. } => "series_need_two_bookings",
            ConfigError::DependantsOutOfRange { .. } => "dependants_out_of_range",
            ConfigError::GroupsMaxZero => "groups_max_zero",
            ConfigError::HoldsWithStandby { .. } => "holds_with_standby",
            ConfigError::LinkedBookingsWithStandby { .. } => "linked_bookings_with_standby",
            ConfigError::FlowsWithRegions { .. } => "flows_with_regions",
            ConfigError::SitesMaxOutOfRange { .. } => "sites_max_out_of_range",
            ConfigError::DaysMaxOutOfRange { .. } => "days_max_out_of_range",
            ConfigError::RegionsMaxOutOfRange { .. } => "regions_max_out_of_range",
            ConfigError::StandbyMaxOutOfRange { .. } => "standby_max_out_of_range",
            ConfigError::CohortRegionOutOfRange { .. } => "cohort_region_out_of_range",
        }
    }
}
