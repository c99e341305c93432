//! [`Scenario`]: every parameter of a simulated surge in one place (who arrives when, how they
//! behave, the inventory, the outflow, the 2021 baseline's rules), the presets
//! [`Scenario::korea_2021`] and [`Scenario::small`], and [`ScenarioError`].
//!
//! A scenario is plain data. [`Arrivals::generate`](super::Arrivals::generate) turns it and a
//! seed into the people of one surge, and [`run`](super::run) plays them under a policy.

use core::fmt;

use crate::workload::{InventorySpec, SurgeSpec};
use fairbook::{CHOICES_MAX_LIMIT, COHORTS_MAX_LIMIT, ConfigError, OutflowPolicy, Timestamp};

const SECOND_MS: u64 = 1_000;
const MINUTE_MS: u64 = 60 * SECOND_MS;
const HOUR_MS: u64 = 60 * MINUTE_MS;

/// Everything a simulated surge is made of, except the seed.
///
/// Build one from a preset and change what you study with struct update syntax.
///
/// # Example
/// ```
/// use fairbook_lab::sim::Scenario;
///
/// let mut scenario = Scenario::korea_2021(0.01);
/// assert_eq!(scenario.people, 15_000);
/// assert_eq!(scenario.cohorts.len(), 3);
/// // A harsher 2021: every other turn bounces.
/// scenario.baseline.bounce_probability = 0.5;
/// assert!(scenario.validate().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// A short name, recorded in `summary.json`.
    pub name: String,
    /// How many distinct people take part.
    pub people: u64,
    /// The eligibility groups and when each may start joining (the age-band rollout). Each
    /// becomes one [`CohortWindow`](fairbook::CohortWindow) of the engine.
    pub cohorts: Vec<CohortPlan>,
    /// The inventory people compete for (see [`crate::workload::slots`]).
    pub inventory: InventorySpec,
    /// When people arrive, relative to their cohort's opening.
    pub arrivals: ArrivalMix,
    /// Devices, reconnects, bots, bypass attempts, patience, booking and releasing.
    pub behaviour: Behaviour,
    /// How fast the door opens, for every policy (the baseline meters its naive line the
    /// same way, so that only the waiting room's rules differ).
    pub outflow: OutflowPolicy,
    /// How long an admitted person may take to book, in milliseconds.
    pub lease_ms: u64,
    /// Under [`Lottery`](super::Lottery): how long after its opening a
    /// cohort's registration stays open before the draw, in milliseconds.
    pub lottery_window_ms: u64,
    /// The period of the outflow timer that calls
    /// [`Engine::advance_with_policy`](fairbook::Engine::advance_with_policy), in milliseconds.
    pub tick_ms: u64,
    /// The width of one time-series interval, in milliseconds.
    pub series_interval_ms: u64,
    /// The run stops here at the latest; whoever is still in line then is counted as such.
    pub horizon: Timestamp,
    /// The rules of the 2021 counterfactual.
    pub baseline: BaselineRules,
}

/// One eligibility group: its name, when it opens and its share of the people.
///
/// # Example
/// ```
/// use fairbook_lab::sim::CohortPlan;
/// use fairbook::Timestamp;
///
/// let fifties = CohortPlan {
///     name: "50-52".into(),
///     opens_at: Timestamp::from_secs(3_600),
///     share: 0.2,
/// };
/// assert_eq!(fifties.opens_at.as_millis(), 3_600_000);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CohortPlan {
    /// A label such as an age band.
    pub name: String,
    /// When the cohort may start joining. Must leave room for the pre-queue before it
    /// ([`ArrivalMix::pre_queue_window_ms`]).
    pub opens_at: Timestamp,
    /// Its relative share of [`Scenario::people`] (shares are normalised to sum to 1).
    pub share: f64,
}

/// When people arrive, relative to their cohort's opening.
///
/// A person is in the pre-queue with probability `pre_queue_share` (arriving uniformly in
/// the window before the opening), in the surge with probability `surge_share` (arriving an
/// exponentially distributed time after the opening), and in the long tail otherwise.
///
/// # Example
/// ```
/// use fairbook_lab::sim::Scenario;
///
/// let mix = Scenario::korea_2021(0.01).arrivals;
/// assert!(mix.pre_queue_share + mix.surge_share <= 1.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArrivalMix {
    /// Share of people who arrive before their cohort opens.
    pub pre_queue_share: f64,
    /// How long before the opening the earliest of them arrive, in milliseconds.
    pub pre_queue_window_ms: u64,
    /// Share of people in the surge right after the opening.
    pub surge_share: f64,
    /// Mean delay after the opening of a surge arrival, in milliseconds.
    pub surge_mean_ms: u64,
    /// Mean delay after the opening of a long-tail arrival, in milliseconds.
    pub tail_mean_ms: u64,
}

/// How people behave once they have arrived.
///
/// # Example
/// ```
/// use fairbook_lab::sim::Scenario;
///
/// let behaviour = Scenario::korea_2021(0.01).behaviour;
/// let mean_devices: f64 = behaviour.device_weights.iter().enumerate()
///     .map(|(extra, weight)| (extra + 1) as f64 * weight)
///     .sum::<f64>() / behaviour.device_weights.iter().sum::<f64>();
/// assert!((1.5..2.0).contains(&mean_devices));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Behaviour {
    /// Relative weights of joining from 1, 2 or 3 devices.
    pub device_weights: [f64; 3],
    /// A second or third device joins uniformly within this long after the first, in ms.
    pub device_spread_ms: u64,
    /// Mean time between two reconnects of one device while its owner waits, in ms.
    pub reconnect_mean_ms: u64,
    /// A dropped device comes back uniformly within this long, in ms.
    pub reconnect_delay_max_ms: u64,
    /// Share of people who are scripts (bots) that retry hard.
    pub bot_share: f64,
    /// A bot joins again, and tries to book around the queue, this often while it waits, in ms.
    pub bot_retry_ms: u64,
    /// Share of people (besides the bots) who try the "bypass connection" a few times.
    pub line_cutter_share: f64,
    /// The most bypass attempts one line cutter makes (each makes 1 to this many).
    pub bypass_attempts_max: u8,
    /// A line cutter's attempts are spaced uniformly within this long, in ms.
    pub bypass_gap_max_ms: u64,
    /// Mean patience: people still waiting this long (exponentially distributed) after
    /// arriving give up, in ms.
    pub patience_mean_ms: u64,
    /// Share of those who give up by closing the page without a word (their place stays in
    /// line and, when admitted, their lease lapses) rather than by leaving the line.
    pub silent_leaver_share: f64,
    /// An admitted person books at least this long after admission, in ms.
    pub think_min_ms: u64,
    /// Mean of the exponentially distributed extra booking time, in ms.
    pub think_mean_ms: u64,
    /// How many ranked preferences each person lists (1 to 63; the engine takes 64 choices
    /// at most). A person whose listed slots are all taken books the first slot with room
    /// in the site's listing, recorded as choice number `choices_per_person`.
    pub choices_per_person: u8,
    /// Share of bookers who give their booking back later (changed plans).
    pub release_share: f64,
    /// They give it back uniformly within this long after booking, in ms.
    pub release_after_max_ms: u64,
}

/// The rules of the "2021 baseline": a naive waiting room as people lived it, simulated
/// without the engine on the same arrivals and the same inventory.
///
/// - Every device, every reconnect and every bot retry takes a **new place at the end** of
///   the line; a person is admitted when any of their places comes up.
/// - When a place's turn comes, the page **bounces** with probability
///   `bounce_probability`: the device is sent back to the start and rejoins at the end after
///   up to `bounce_rejoin_max_ms`.
/// - A **bypass** attempt (a line cutter's or a bot's) after the cohort opened books at
///   once: the booking server trusted the client.
/// - Before the opening there is no line: devices refresh, and land in the line within
///   `refresh_jitter_ms` after the opening, in random order.
/// - A place whose owner is already admitted or booked still takes its turn when it comes
///   up (a wasted turn): the naive room cannot tell devices of one person apart.
///
/// # Example
/// ```
/// use fairbook_lab::sim::Scenario;
/// let rules = Scenario::korea_2021(0.01).baseline;
/// assert!(rules.bounce_probability > 0.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BaselineRules {
    /// The chance that a place's turn bounces its device back to the start.
    pub bounce_probability: f64,
    /// A bounced device rejoins uniformly within this long, in ms.
    pub bounce_rejoin_max_ms: u64,
    /// Devices waiting before the opening land in the line uniformly within this long
    /// after it, in ms.
    pub refresh_jitter_ms: u64,
}

impl Scenario {
    /// The reference surge of `MISSION.md`, scaled by `scale`: the Korean vaccine-booking
    /// rollout of July 2021.
    ///
    /// - **People:** `round(1,500,000 × scale)` (at least 100), in three age-band cohorts
    ///   that open two hours apart: 55–59 (half the people) one hour after the start of the
    ///   run, 53–54 (30%) at three hours, 50–52 (20%) at five hours.
    /// - **Arrivals:** 20% in the half hour before their cohort opens (the pre-queue), 65% in
    ///   a surge (mean 3 minutes after the opening), 15% in a long tail (mean 1 hour).
    /// - **Behaviour:** 1, 2 or 3 devices (45/35/20%); a reconnect every 30 minutes per
    ///   device on average; 1% bots retrying every 15 s; 5% line cutters trying the bypass up
    ///   to 5 times; a mean patience of 4 hours, half of the leavers silent; 4 ranked
    ///   preferences; 2% of bookers give their booking back within 2 hours.
    /// - **Inventory:** places for **70%** of the people, at the density of the reference
    ///   inventory (14 days × 8 windows per site, about 1.05 places per slot), so
    ///   `round(14,000 × scale × 0.7 / 1.1)` sites. The reference inventory of `MISSION.md`
    ///   has places for 110%; this preset has less so that supply runs out while people are
    ///   still in line, as it did for the 55–59 cohort, whose bookings stopped after 15.5
    ///   hours. [`Scenario::with_capacity_ratio`]`(1.1)` gives the reference inventory.
    /// - **Outflow:** `round(100 × scale)` admissions per second (at least 1), at most one
    ///   minute's worth of people active at once, nobody admitted while everything is booked;
    ///   5-minute leases; a 1-second timer.
    /// - **Lottery:** registration stays open 10 minutes after each opening.
    /// - **2021 baseline:** a 30% chance that a turn bounces; bounced devices back within a
    ///   minute; pre-opening refreshes land within 10 s of the opening.
    ///
    /// # Example
    /// ```
    /// use fairbook_lab::sim::Scenario;
    /// let full = Scenario::korea_2021(1.0);
    /// assert_eq!(full.people, 1_500_000);
    /// assert_eq!(full.outflow.admissions_per_sec, Some(100));
    /// assert_eq!(full.inventory.total_capacity, 1_050_000);
    /// assert_eq!(full.with_capacity_ratio(1.1).inventory.sites, 14_000);
    /// ```
    pub fn korea_2021(scale: f64) -> Scenario {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            0.0
        };
        let people = ((SurgeSpec::REFERENCE_PEOPLE as f64 * scale).round() as u64).max(100);
        let sites = ((InventorySpec::REFERENCE_SITES as f64 * scale).round() as u32).max(1);
        let admissions_per_sec = ((100.0 * scale).round() as u64).max(1);
        let cohort = |name: &str, opens_at_h: u64, share: f64| CohortPlan {
            name: name.to_owned(),
            opens_at: Timestamp::from_millis(opens_at_h * HOUR_MS),
            share,
        };
        Scenario {
            name: "korea-2021".to_owned(),
            people,
            cohorts: vec![
                cohort("55-59", 1, 0.5),
                cohort("53-54", 3, 0.3),
                cohort("50-52", 5, 0.2),
            ],
            inventory: InventorySpec {
                sites,
                ..InventorySpec::reference(people)
            },
            arrivals: ArrivalMix {
                pre_queue_share: 0.2,
                pre_queue_window_ms: 30 * MINUTE_MS,
                surge_share: 0.65,
                surge_mean_ms: 3 * MINUTE_MS,
                tail_mean_ms: HOUR_MS,
            },
            behaviour: Behaviour {
                device_weights: [0.45, 0.35, 0.2],
                device_spread_ms: MINUTE_MS,
                reconnect_mean_ms: 30 * MINUTE_MS,
                reconnect_delay_max_ms: 30 * SECOND_MS,
                bot_share: 0.01,
                bot_retry_ms: 15 * SECOND_MS,
                line_cutter_share: 0.05,
                bypass_attempts_max: 5,
                bypass_gap_max_ms: 5 * MINUTE_MS,
                patience_mean_ms: 4 * HOUR_MS,
                silent_leaver_share: 0.5,
                think_min_ms: 5 * SECOND_MS,
                think_mean_ms: 25 * SECOND_MS,
                choices_per_person: 4,
                release_share: 0.02,
                release_after_max_ms: 2 * HOUR_MS,
            },
            outflow: OutflowPolicy {
                admissions_per_sec: Some(admissions_per_sec),
                burst_max: None,
                active_max: Some(admissions_per_sec * 60),
                stop_when_sold_out: true,
            },
            lease_ms: 5 * MINUTE_MS,
            lottery_window_ms: 10 * MINUTE_MS,
            tick_ms: SECOND_MS,
            series_interval_ms: MINUTE_MS,
            horizon: Timestamp::from_millis(48 * HOUR_MS),
            baseline: BaselineRules {
                bounce_probability: 0.3,
                bounce_rejoin_max_ms: MINUTE_MS,
                refresh_jitter_ms: 10 * SECOND_MS,
            },
        }
        .with_capacity_ratio(0.7)
    }

    /// A small, fast scenario for tests and doctests: `people` people in two cohorts ten
    /// minutes apart, minutes instead of hours, an inventory for 80% of them (so it sells
    /// out), 2 bots and line cutters in every hundred people.
    ///
    /// A few thousand people simulate in well under a second even in a debug build.
    ///
    /// # Example
    /// ```
    /// use fairbook_lab::sim::Scenario;
    /// let scenario = Scenario::small(500);
    /// assert_eq!(scenario.people, 500);
    /// assert!(scenario.validate().is_ok());
    /// ```
    pub fn small(people: u64) -> Scenario {
        let people = people.max(1);
        let sites = u32::try_from(people / 100).unwrap_or(u32::MAX).max(2);
        let admissions_per_sec = (people / 100).max(2);
        Scenario {
            name: "small".to_owned(),
            people,
            cohorts: vec![
                CohortPlan {
                    name: "older".to_owned(),
                    opens_at: Timestamp::from_millis(10 * MINUTE_MS),
                    share: 0.6,
                },
                CohortPlan {
                    name: "younger".to_owned(),
                    opens_at: Timestamp::from_millis(20 * MINUTE_MS),
                    share: 0.4,
                },
            ],
            inventory: InventorySpec {
                sites,
                days: 2,
                windows: 4,
                total_capacity: people * 8 / 10,
                seed: SurgeSpec::REFERENCE_SEED,
            },
            arrivals: ArrivalMix {
                pre_queue_share: 0.25,
                pre_queue_window_ms: 5 * MINUTE_MS,
                surge_share: 0.6,
                surge_mean_ms: 30 * SECOND_MS,
                tail_mean_ms: 5 * MINUTE_MS,
            },
            behaviour: Behaviour {
                device_weights: [0.45, 0.35, 0.2],
                device_spread_ms: 20 * SECOND_MS,
                reconnect_mean_ms: 2 * MINUTE_MS,
                reconnect_delay_max_ms: 10 * SECOND_MS,
                bot_share: 0.02,
                bot_retry_ms: 2 * SECOND_MS,
                line_cutter_share: 0.05,
                bypass_attempts_max: 3,
                bypass_gap_max_ms: MINUTE_MS,
                patience_mean_ms: 30 * MINUTE_MS,
                silent_leaver_share: 0.5,
                think_min_ms: 2 * SECOND_MS,
                think_mean_ms: 10 * SECOND_MS,
                choices_per_person: 3,
                release_share: 0.05,
                release_after_max_ms: 10 * MINUTE_MS,
            },
            outflow: OutflowPolicy {
                admissions_per_sec: Some(admissions_per_sec),
                burst_max: None,
                active_max: Some(admissions_per_sec * 10),
                stop_when_sold_out: true,
            },
            lease_ms: MINUTE_MS,
            lottery_window_ms: MINUTE_MS,
            tick_ms: SECOND_MS,
            series_interval_ms: 10 * SECOND_MS,
            horizon: Timestamp::from_millis(6 * HOUR_MS),
            baseline: BaselineRules {
                bounce_probability: 0.3,
                bounce_rejoin_max_ms: 10 * SECOND_MS,
                refresh_jitter_ms: 5 * SECOND_MS,
            },
        }
    }

    /// Resizes the inventory to hold `round(ratio × people)` places, scaling the number of
    /// sites in proportion so that a slot holds as many places on average as before: the
    /// competition for popular slots stays the same, only the supply changes.
    ///
    /// # Example
    /// ```
    /// use fairbook_lab::sim::Scenario;
    /// let scarce = Scenario::small(1_000).with_capacity_ratio(0.4);
    /// assert_eq!(scarce.inventory.total_capacity, 400);
    /// assert_eq!(scarce.inventory.sites, 5);
    /// ```
    pub fn with_capacity_ratio(mut self, ratio: f64) -> Scenario {
        let ratio = if ratio.is_finite() {
            ratio.max(0.0)
        } else {
            0.0
        };
        let places = (self.people as f64 * ratio).round() as u64;
        let before = self.inventory.total_capacity.max(1) as f64;
        let sites = (f64::from(self.inventory.sites) * places as f64 / before).round();
        self.inventory.sites = (sites as u32).max(1);
        self.inventory.total_capacity = places;
        self
    }

    /// Checks that the scenario can be simulated.
    ///
    /// # Errors
    /// The first problem found, as a [`ScenarioError`]. The engine's own limits are checked
    /// when a run builds its engine ([`ScenarioError::Engine`]).
    ///
    /// # Example
    /// ```
    /// use fairbook_lab::sim::{Scenario, ScenarioError};
    /// let scenario = Scenario { people: 0, ..Scenario::small(10) };
    /// assert_eq!(scenario.validate(), Err(ScenarioError::NoPeople));
    /// ```
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.people == 0 || self.people > u64::from(u32::MAX) {
            return Err(ScenarioError::NoPeople);
        }
        if self.cohorts.is_empty() || self.cohorts.len() > COHORTS_MAX_LIMIT {
            return Err(ScenarioError::CohortsOutOfRange {
                given: self.cohorts.len(),
            });
        }
        let shares = self.cohorts.iter().map(|cohort| cohort.share);
        if shares
            .clone()
            .any(|share| !(share.is_finite() && share >= 0.0))
            || shares.sum::<f64>() <= 0.0
        {
            return Err(ScenarioError::ShareOutOfRange {
                name: "cohort share",
            });
        }
        // A pre-queue arrival comes at least 1 ms before the opening, so an opening at time 0
        // leaves no room for one.
        let pre_queue_ms = if self.arrivals.pre_queue_share > 0.0 {
            self.arrivals.pre_queue_window_ms.max(1)
        } else {
            0
        };
        for (index, cohort) in self.cohorts.iter().enumerate() {
            if cohort.opens_at.as_millis() < pre_queue_ms {
                return Err(ScenarioError::OpensBeforePreQueue {
                    cohort: index as u16,
                });
            }
        }
        let probabilities = [
            ("pre_queue_share", self.arrivals.pre_queue_share),
            ("surge_share", self.arrivals.surge_share),
            (
                "pre_queue_share + surge_share",
                self.arrivals.pre_queue_share + self.arrivals.surge_share,
            ),
            ("bot_share", self.behaviour.bot_share),
            ("line_cutter_share", self.behaviour.line_cutter_share),
            (
                "bot_share + line_cutter_share",
                self.behaviour.bot_share + self.behaviour.line_cutter_share,
            ),
            ("silent_leaver_share", self.behaviour.silent_leaver_share),
            ("release_share", self.behaviour.release_share),
            ("bounce_probability", self.baseline.bounce_probability),
        ];
        for (name, value) in probabilities {
            if !(value.is_finite() && (0.0..=1.0).contains(&value)) {
                return Err(ScenarioError::ShareOutOfRange { name });
            }
        }
        let weights = self.behaviour.device_weights;
        if weights
            .iter()
            .any(|weight| !(weight.is_finite() && *weight >= 0.0))
            || weights.iter().sum::<f64>() <= 0.0
        {
            return Err(ScenarioError::ShareOutOfRange {
                name: "device_weights",
            });
        }
        let choices = usize::from(self.behaviour.choices_per_person);
        if choices == 0 || choices >= CHOICES_MAX_LIMIT {
            return Err(ScenarioError::ChoicesOutOfRange {
                given: self.behaviour.choices_per_person,
            });
        }
        if self.inventory.slot_count() < choices as u64
            || self.inventory.slot_count() > u64::from(fairbook::SLOTS_MAX_LIMIT)
        {
            return Err(ScenarioError::InventoryOutOfRange {
                slots: self.inventory.slot_count(),
            });
        }
        if self.tick_ms == 0
            || self.series_interval_ms == 0
            || self.behaviour.bot_retry_ms == 0
            || self.behaviour.reconnect_mean_ms == 0
        {
            return Err(ScenarioError::ZeroPeriod);
        }
        if self.behaviour.think_min_ms >= self.lease_ms {
            return Err(ScenarioError::LeaseTooShort {
                lease_ms: self.lease_ms,
            });
        }
        Ok(())
    }

    /// The engine configuration a run builds from this scenario: room for every person,
    /// every slot, the scenario's lease, `choices_per_person` choices, and one cohort window
    /// per cohort opening at its time and never closing.
    pub fn engine_config(&self) -> fairbook::Config {
        fairbook::Config {
            people_max: self.people,
            slots_max: u32::try_from(self.inventory.slot_count())
                .unwrap_or(u32::MAX)
                .max(1),
            lease_ms: self.lease_ms,
            choices_max: usize::from(self.behaviour.choices_per_person),
            cohorts: self
                .cohorts
                .iter()
                .map(|cohort| fairbook::CohortWindow::opening_at(cohort.opens_at))
                .collect(),
            ..fairbook::Config::default()
        }
    }
}

/// A [`Scenario`] that cannot be simulated.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{Scenario, ScenarioError};
/// let scenario = Scenario { tick_ms: 0, ..Scenario::small(10) };
/// let error = scenario.validate().unwrap_err();
/// assert_eq!(error, ScenarioError::ZeroPeriod);
/// assert_eq!(error.to_string(), "a timer period or a mean time is 0; give it at least 1 ms");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScenarioError {
    /// `people` is 0 or above `u32::MAX`.
    NoPeople,
    /// There are no cohorts, or more than the engine takes.
    CohortsOutOfRange {
        /// How many were given.
        given: usize,
    },
    /// A share or probability is negative, above 1, not finite, or all shares are 0.
    ShareOutOfRange {
        /// Which one.
        name: &'static str,
    },
    /// A cohort opens before its pre-queue window could start (before time 0).
    OpensBeforePreQueue {
        /// The cohort's index.
        cohort: u16,
    },
    /// `choices_per_person` is 0 or not below the engine's limit of 64.
    ChoicesOutOfRange {
        /// The value given.
        given: u8,
    },
    /// The inventory has fewer slots than a person lists, or more than the engine takes.
    InventoryOutOfRange {
        /// Slots in the inventory.
        slots: u64,
    },
    /// A timer period or mean time is 0.
    ZeroPeriod,
    /// The lease is no longer than the shortest booking time: nobody could book.
    LeaseTooShort {
        /// The lease.
        lease_ms: u64,
    },
    /// The engine refused the configuration built from the scenario.
    Engine(ConfigError),
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::NoPeople => {
                write!(f, "a scenario needs between 1 and {} people", u32::MAX)
            }
            ScenarioError::CohortsOutOfRange { given } => write!(
                f,
                "{given} cohorts given, but there must be between 1 and {COHORTS_MAX_LIMIT}"
            ),
            ScenarioError::ShareOutOfRange { name } => {
                write!(f, "{name} must be a finite share between 0 and 1")
            }
            ScenarioError::OpensBeforePreQueue { cohort } => write!(
                f,
                "cohort {cohort} opens before its pre-queue window could start; open it later"
            ),
            ScenarioError::ChoicesOutOfRange { given } => write!(
                f,
                "choices_per_person is {given}, but must be between 1 and {}",
                CHOICES_MAX_LIMIT - 1
            ),
            ScenarioError::InventoryOutOfRange { slots } => write!(
                f,
                "the inventory has {slots} slots: fewer than a person lists, \
                 or more than the engine takes"
            ),
            ScenarioError::ZeroPeriod => {
                write!(
                    f,
                    "a timer period or a mean time is 0; give it at least 1 ms"
                )
            }
            ScenarioError::LeaseTooShort { lease_ms } => write!(
                f,
                "the lease of {lease_ms} ms is no longer than the shortest booking time"
            ),
            ScenarioError::Engine(error) => write!(f, "the engine refused the scenario: {error}"),
        }
    }
}

impl std::error::Error for ScenarioError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScenarioError::Engine(error) => Some(error),
            _ => None,
        }
    }
}

impl From<ConfigError> for ScenarioError {
    fn from(error: ConfigError) -> ScenarioError {
        ScenarioError::Engine(error)
    }
}
