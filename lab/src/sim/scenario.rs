//! [`Scenario`]: every parameter of a simulated surge in one place (who arrives when, how they
//! behave, the inventory, the outflow, the 2021 baseline's rules), the presets
//! [`Scenario::korea_2021`] and [`Scenario::small`], and [`ScenarioError`].
//!
//! A scenario is plain data. [`Arrivals::generate`](super::Arrivals::generate) turns it and a
//! seed into the people of one surge, and [`run`](super::run) plays them under a policy.

use core::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::MapSpec;
use crate::workload::{InventorySpec, SurgeSpec};
use fairbook::{CHOICES_MAX_LIMIT, COHORTS_MAX_LIMIT, ConfigError, OutflowPolicy, Timestamp};

/// The `korea-2021` preset, shipped as a file so that a researcher can copy and edit it.
pub const KOREA_2021_TOML: &str = include_str!("../../scenarios/korea-2021.toml");

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
/// // A harsher 2021: a server that holds half as many.
/// scenario.baseline.server_capacity_users /= 2;
/// assert!(scenario.validate().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// Where people live and work, and where the clinics are.
    pub map: MapSpec,
    /// When people arrive, relative to their cohort's opening.
    pub arrivals: ArrivalMix,
    /// Devices, reconnects, bots, bypass attempts, patience, booking and releasing.
    pub behaviour: Behaviour,
    /// How fast the door opens, for every policy (the baseline meters its naive line the
    /// same way, so that only the waiting room's rules differ).
    #[serde(with = "OutflowSpec")]
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
    #[serde(rename = "horizon_ms", with = "timestamp_ms")]
    pub horizon: Timestamp,
    /// The rules of the 2021 counterfactual.
    pub baseline: BaselineRules,
}

/// One eligibility group: its name, when it opens, its share of the people and the
/// vaccination days it books (its share of the supply).
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
///     first_day: 11,
///     days: 3,
/// };
/// assert_eq!(fifties.opens_at.as_millis(), 3_600_000);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CohortPlan {
    /// A label such as an age band.
    pub name: String,
    /// When the cohort may start joining. Must leave room for the pre-queue before it
    /// ([`ArrivalMix::pre_queue_window_ms`]).
    #[serde(rename = "opens_at_ms", with = "timestamp_ms")]
    pub opens_at: Timestamp,
    /// Its relative share of [`Scenario::people`] (shares are normalised to sum to 1).
    pub share: f64,
    /// The first vaccination day its people book (a day of the inventory).
    pub first_day: u16,
    /// How many vaccination days, from `first_day`, its people book: the cohort's supply is
    /// the places of those days, and is sold out when they are all booked.
    pub days: u16,
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
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// at most), drawn from the clinics nearest their wanted place on and just after their
    /// wanted date. A person whose listed slots are all taken books the nearest slot with
    /// room in their cohort's days, recorded as choice number `choices_per_person`.
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
/// - The queue server holds at most `server_capacity_users` connections `C` (places in line
///   and people on the booking page). From `overload_from_share × C` connections it is
///   **overloaded**: with `L` connections a request (a join, or a place's turn) fails with
///   probability `(L − s·C) / (C − s·C)`, rising to 1 at `C`. A failed join or turn is a
///   **bounce**: the page errors, the device loses its place and reloads after an
///   exponential delay of mean `bounce_retry_mean_ms`, at the end of the line.
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
/// let rules = Scenario::korea_2021(1.0).baseline;
/// assert_eq!(rules.server_capacity_users, 300_000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineRules {
    /// The most connections the queue server holds.
    pub server_capacity_users: u64,
    /// The share of that capacity from which it starts failing requests.
    pub overload_from_share: f64,
    /// Mean delay before a bounced device reloads the page, in ms.
    pub bounce_retry_mean_ms: u64,
    /// Devices waiting before the opening land in the line uniformly within this long
    /// after it, in ms.
    pub refresh_jitter_ms: u64,
}

/// [`OutflowPolicy`] as a scenario file spells it.
#[derive(Serialize, Deserialize)]
#[serde(remote = "OutflowPolicy", deny_unknown_fields)]
struct OutflowSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    admissions_per_sec: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    burst_max: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    active_max: Option<u64>,
    stop_when_sold_out: bool,
}

/// A [`Timestamp`] as whole milliseconds in a scenario file.
mod timestamp_ms {
    use fairbook::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(time: &Timestamp, to: S) -> Result<S::Ok, S::Error> {
        to.serialize_u64(time.as_millis())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<Timestamp, D::Error> {
        u64::deserialize(from).map(Timestamp::from_millis)
    }
}

impl Scenario {
    /// The reference surge, scaled by `scale`: the Korean vaccine-booking rollout of July
    /// 2021 for people in their fifties, as shipped in `scenarios/korea-2021.toml`
    /// ([`KOREA_2021_TOML`]) and scaled by [`Scenario::scaled`].
    ///
    /// At full scale: 1,500,000 people in three age-band cohorts, each opening at 8 pm on its
    /// own day (55–59 half the people, 53–54 30%, 50–52 20%) and booking its own vaccination
    /// days; 8,909 clinics placed by population on a 300 × 400 km map of 60 cities, with
    /// places for 70% of the people, so that supply runs out while people are still in line;
    /// a door of 100 admissions per second; and a 2021 queue server that holds 300,000
    /// connections. The file's comments and `docs/fairness.md` give every number's source.
    ///
    /// # Panics
    /// Never for the shipped file (a test reads it); the file is part of the crate.
    ///
    /// # Example
    /// ```
    /// use fairbook_lab::sim::Scenario;
    ///
    /// let tenth = Scenario::korea_2021(0.1);
    /// assert_eq!(tenth.people, 150_000);
    /// assert_eq!(tenth.cohorts.len(), 3);
    /// assert_eq!(tenth.baseline.server_capacity_users, 30_000);
    /// let full = Scenario::korea_2021(1.0);
    /// assert_eq!(full.people, 1_500_000);
    /// assert_eq!(full.outflow.admissions_per_sec, Some(100));
    /// assert_eq!(full.inventory.total_capacity, 1_050_000);
    /// ```
    pub fn korea_2021(scale: f64) -> Scenario {
        Scenario::from_toml(KOREA_2021_TOML)
            .unwrap_or_else(|error| panic!("the shipped korea-2021 preset is broken: {error}"))
            .scaled(scale)
    }

    /// Reads a scenario from TOML text (the layout of `scenarios/korea-2021.toml`) and
    /// validates it.
    ///
    /// # Errors
    /// [`ScenarioFileError::Toml`] if the text is not a scenario (unknown or missing keys
    /// included), [`ScenarioFileError::Invalid`] if it is one that cannot be simulated.
    ///
    /// # Example
    /// ```
    /// use fairbook_lab::sim::Scenario;
    /// let scenario = Scenario::small(500);
    /// let text = scenario.to_toml();
    /// assert_eq!(Scenario::from_toml(&text)?, scenario);
    /// assert!(Scenario::from_toml("people = 3").is_err());
    /// # Ok::<(), fairbook_lab::sim::ScenarioFileError>(())
    /// ```
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioFileError> {
        let scenario: Scenario =
            toml::from_str(text).map_err(|error| ScenarioFileError::Toml(error.to_string()))?;
        scenario.validate().map_err(ScenarioFileError::Invalid)?;
        Ok(scenario)
    }

    /// Reads a scenario from JSON text (the same keys as the TOML file) and validates it.
    ///
    /// # Errors
    /// [`ScenarioFileError::Json`] or [`ScenarioFileError::Invalid`], as
    /// [`Scenario::from_toml`].
    ///
    /// # Example
    /// ```
    /// use fairbook_lab::sim::Scenario;
    /// let scenario = Scenario::small(500);
    /// assert_eq!(Scenario::from_json(&scenario.to_json())?, scenario);
    /// # Ok::<(), fairbook_lab::sim::ScenarioFileError>(())
    /// ```
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioFileError> {
        let scenario: Scenario = serde_json::from_str(text)
            .map_err(|error| ScenarioFileError::Json(error.to_string()))?;
        scenario.validate().map_err(ScenarioFileError::Invalid)?;
        Ok(scenario)
    }

    /// Reads a scenario file: JSON if its name ends in `.json`, TOML otherwise.
    ///
    /// # Errors
    /// [`ScenarioFileError::Io`] if it cannot be read, otherwise as [`Scenario::from_toml`].
    pub fn load(path: &Path) -> Result<Scenario, ScenarioFileError> {
        let text = std::fs::read_to_string(path).map_err(|error| ScenarioFileError::Io {
            path: path.display().to_string(),
            message: error.to_string(),
        })?;
        if path
            .extension()
            .is_some_and(|extension| extension == "json")
        {
            Scenario::from_json(&text)
        } else {
            Scenario::from_toml(&text)
        }
    }

    /// The scenario as TOML, the layout [`Scenario::from_toml`] reads.
    pub fn to_toml(&self) -> String {
        // Every field is a plain number, string, array or table, which TOML can hold.
        toml::to_string(self).unwrap_or_default()
    }

    /// The scenario as pretty JSON, the layout [`Scenario::from_json`] reads.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The same surge at `scale` times the size: people, sites, places, the outflow's rate,
    /// burst and active cap, and the 2021 server's capacity are multiplied by `scale`
    /// (rounded; at least 100 people, one site, one admission per second); the map's sides
    /// and city radii by `√scale`, so that clinics and people stay as dense and distances
    /// stay comparable. Times and shares do not change. A scale that is not a positive
    /// finite number is taken as 1.
    ///
    /// # Example
    /// ```
    /// use fairbook_lab::sim::Scenario;
    /// let full = Scenario::korea_2021(1.0);
    /// let half = full.clone().scaled(0.5);
    /// assert_eq!(half.people, 750_000);
    /// assert_eq!(half.inventory.total_capacity, 525_000);
    /// assert_eq!(half.outflow.admissions_per_sec, Some(50));
    /// ```
    pub fn scaled(mut self, scale: f64) -> Scenario {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        let times = |value: u64| (value as f64 * scale).round() as u64;
        self.people = times(self.people).max(100);
        self.inventory.sites = (times(u64::from(self.inventory.sites)) as u32).max(1);
        self.inventory.total_capacity = times(self.inventory.total_capacity);
        let side = scale.sqrt();
        let shrink = |metres: u32| ((f64::from(metres) * side).round() as u32).max(1);
        self.map.width_m = shrink(self.map.width_m);
        self.map.height_m = shrink(self.map.height_m);
        self.map.largest_city_radius_m = shrink(self.map.largest_city_radius_m);
        self.outflow.admissions_per_sec = self
            .outflow
            .admissions_per_sec
            .map(|rate| times(rate).max(1));
        self.outflow.burst_max = self.outflow.burst_max.map(|burst| times(burst).max(1));
        self.outflow.active_max = self.outflow.active_max.map(|cap| times(cap).max(1));
        self.baseline.server_capacity_users = times(self.baseline.server_capacity_users).max(1);
        self
    }

    /// A small, fast scenario for tests and doctests: `people` people in two cohorts ten
    /// minutes apart, each booking its own day, minutes instead of hours, an inventory for
    /// 80% of them (so it sells out), 2 bots and 5 line cutters in every hundred people, and
    /// a 2021 server that holds a tenth of the people.
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
        // Ten square kilometres per site, as in the reference map.
        let side_m = ((f64::from(sites) * 13.5e6).sqrt() as u32).max(2_000);
        Scenario {
            name: "small".to_owned(),
            people,
            cohorts: vec![
                CohortPlan {
                    name: "older".to_owned(),
                    opens_at: Timestamp::from_millis(10 * MINUTE_MS),
                    share: 0.6,
                    first_day: 0,
                    days: 1,
                },
                CohortPlan {
                    name: "younger".to_owned(),
                    opens_at: Timestamp::from_millis(20 * MINUTE_MS),
                    share: 0.4,
                    first_day: 1,
                    days: 1,
                },
            ],
            inventory: InventorySpec {
                sites,
                days: 2,
                windows: 4,
                total_capacity: people * 8 / 10,
                seed: SurgeSpec::REFERENCE_SEED,
            },
            map: MapSpec {
                width_m: side_m,
                height_m: side_m,
                cities: 4,
                city_size_exponent: 1.0,
                largest_city_radius_m: side_m / 10,
                worker_share: 0.7,
                commuter_share: 0.25,
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
                server_capacity_users: (people / 10).max(1),
                overload_from_share: 0.8,
                bounce_retry_mean_ms: 20 * SECOND_MS,
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
            ("overload_from_share", self.baseline.overload_from_share),
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
        if self.inventory.windows > 64 {
            return Err(ScenarioError::InventoryOutOfRange {
                slots: self.inventory.slot_count(),
            });
        }
        for (index, cohort) in self.cohorts.iter().enumerate() {
            let end = u32::from(cohort.first_day) + u32::from(cohort.days);
            let slots = u64::from(self.inventory.sites)
                * u64::from(cohort.days)
                * u64::from(self.inventory.windows);
            if cohort.days == 0 || end > u32::from(self.inventory.days) || slots < choices as u64 {
                return Err(ScenarioError::CohortDaysOutOfRange {
                    cohort: index as u16,
                });
            }
        }
        let map = &self.map;
        if map.width_m == 0
            || map.height_m == 0
            || map.cities == 0
            || !(map.city_size_exponent.is_finite() && map.city_size_exponent >= 0.0)
            || !(0.0..=1.0).contains(&map.worker_share)
            || !(0.0..=1.0).contains(&map.commuter_share)
        {
            return Err(ScenarioError::ShareOutOfRange { name: "map" });
        }
        if self.baseline.server_capacity_users == 0 || self.baseline.bounce_retry_mean_ms == 0 {
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
    /// A timer period or mean time is 0 (or the 2021 server holds nobody).
    ZeroPeriod,
    /// A cohort books no day, days past the inventory's last, or fewer slots than a person
    /// lists.
    CohortDaysOutOfRange {
        /// The cohort's index.
        cohort: u16,
    },
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
            ScenarioError::CohortDaysOutOfRange { cohort } => write!(
                f,
                "cohort {cohort} books no day, a day past the inventory's last, \
                 or fewer slots than a person lists"
            ),
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

/// A scenario file that cannot be read.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{Scenario, ScenarioFileError};
/// let error = Scenario::from_toml("people = 3").unwrap_err();
/// assert!(matches!(error, ScenarioFileError::Toml(_)));
/// assert!(error.to_string().starts_with("not a scenario in toml"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScenarioFileError {
    /// The file could not be read.
    Io {
        /// The file.
        path: String,
        /// What the operating system said.
        message: String,
    },
    /// The text is not a scenario in TOML (a syntax error, or a key missing or unknown).
    Toml(String),
    /// The text is not a scenario in JSON.
    Json(String),
    /// The scenario cannot be simulated.
    Invalid(ScenarioError),
}

impl fmt::Display for ScenarioFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioFileError::Io { path, message } => {
                write!(f, "cannot read the scenario file {path}: {message}")
            }
            ScenarioFileError::Toml(message) => {
                write!(f, "not a scenario in toml: {}", message.trim_end())
            }
            ScenarioFileError::Json(message) => write!(f, "not a scenario in json: {message}"),
            ScenarioFileError::Invalid(error) => write!(f, "the scenario is invalid: {error}"),
        }
    }
}

impl std::error::Error for ScenarioFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScenarioFileError::Invalid(error) => Some(error),
            _ => None,
        }
    }
}
