//! [`Arrivals`]: the people of one surge, drawn once from a [`Scenario`] and a seed, so that
//! every policy is played on exactly the same people, arriving at the same moments, with the
//! same devices, habits and preferences.
//!
//! It also owns [`Dice`], the counter-based randomness the runs use for what happens *during*
//! a run (when a device reconnects, whether a turn bounces). A draw is a hash of
//! `(seed, person, purpose, counter)` rather than the next value of a shared stream, so a
//! person's k-th reconnect happens after the same gap under every policy, however differently
//! the rest of the run unfolds.

use std::collections::HashMap;

use crate::fairness::PersonOutcome;
use crate::placement::BookedPlace;
use crate::rng::{Rng, SplitMix64};
use crate::workload;
use fairbook::{CohortId, Day, PersonId, SlotId, SlotSpec, Timestamp};

use super::geography::{Cities, NearestLists};
use super::trace::{TraceError, TraceRow};
use super::{Point, Scenario, ScenarioError, SiteIndex};

/// Keys that separate the random streams drawn from one seed (ASCII tags read as numbers).
const PLAN_STREAM: u64 = u64::from_be_bytes(*b"simplans");
const PREFERENCE_STREAM: u64 = u64::from_be_bytes(*b"simprefs");
const DICE_STREAM: u64 = u64::from_be_bytes(*b"simdices");
const BEHAVIOUR_STREAM: u64 = u64::from_be_bytes(*b"simhabit");

/// In ranking a person's preferences, a day later than wanted weighs as much as this many
/// metres further away: about a 10-minute detour by car or transit for a day's wait.
pub const DAY_COST_M: u32 = 3_000;

/// What kind of client a person is.
///
/// # Example
/// ```
/// use fairbook_lab::sim::PersonKind;
/// assert_ne!(PersonKind::Bot, PersonKind::Regular);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PersonKind {
    /// Joins from their devices, reconnects now and then, waits.
    Regular,
    /// Also tries the "bypass connection" (straight to the booking page) a few times while
    /// waiting.
    LineCutter {
        /// How many bypass attempts they make.
        attempts: u8,
    },
    /// A script: joins again every [`Behaviour::bot_retry_ms`](super::Behaviour::bot_retry_ms)
    /// while waiting, and tries the bypass every time.
    Bot,
}

/// One person of a surge, as drawn before any policy is played.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{Arrivals, Scenario};
/// let arrivals = Arrivals::generate(&Scenario::small(100), 1)?;
/// let first = &arrivals.people()[0];
/// assert!((1..=3).contains(&first.devices));
/// assert!(first.eligible_at >= first.arrives_at);
/// assert!(first.wanted_windows != 0);
/// # Ok::<(), fairbook_lab::sim::ScenarioError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PersonPlan {
    /// Who.
    pub person: PersonId,
    /// Their eligibility group.
    pub cohort: CohortId,
    /// When their first device first tries to join (before the opening for the pre-queue).
    pub arrives_at: Timestamp,
    /// `max(arrives_at, their cohort's opening)`: the earliest moment the engine may give
    /// them a place. People are numbered (their join rank) in order of
    /// `(eligible_at, arrives_at, person)`.
    pub eligible_at: Timestamp,
    /// How many devices they join from (1 to 3).
    pub devices: u8,
    /// When each device joins, after `arrives_at` (the first is always 0).
    pub device_delays_ms: [u64; 3],
    /// Where they live.
    pub home: Point,
    /// Where they work, if they work away from home; they then want a clinic near work,
    /// outside work hours.
    pub workplace: Option<Point>,
    /// The vaccination day they want: one of their cohort's days.
    pub wanted_day: Day,
    /// The windows of a day they can come in, as a bit set (bit `w` for window `w`).
    pub wanted_windows: u64,
    /// Regular person, line cutter or bot.
    pub kind: PersonKind,
    /// They give up if still in line this long after arriving.
    pub patience_ms: u64,
    /// When they give up: without a word (`true`) or by leaving the line (`false`).
    pub leaves_silently: bool,
    /// How long after admission they book.
    pub think_ms: u64,
    /// If they book, whether and how long after they give the booking back.
    pub releases_after_ms: Option<u64>,
}

impl PersonPlan {
    /// Where they want to be vaccinated: near work if they work away from home, else near
    /// home.
    pub fn wanted_place(&self) -> Point {
        self.workplace.unwrap_or(self.home)
    }
}

/// The people of one surge and the inventory they compete for, drawn from a [`Scenario`]
/// and a seed, or read from an arrival trace ([`Arrivals::from_trace`]).
///
/// People are listed in join-rank order: by the moment they may first hold a place (their
/// arrival, or their cohort's opening for the pre-queue), then by arrival, then by id. That
/// is the order a FIFO waiting room would serve them in, and the `join_rank` of their
/// [`PersonOutcome`].
///
/// # Example
/// ```
/// use fairbook_lab::sim::{Arrivals, Scenario};
///
/// let scenario = Scenario::small(300);
/// let arrivals = Arrivals::generate(&scenario, 42)?;
/// assert_eq!(arrivals.len(), 300);
/// assert_eq!(arrivals, Arrivals::generate(&scenario, 42)?);
/// assert_ne!(arrivals, Arrivals::generate(&scenario, 43)?);
/// assert_eq!(arrivals.choices(0).len(), 3);
/// # Ok::<(), fairbook_lab::sim::ScenarioError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Arrivals {
    scenario: Scenario,
    seed: u64,
    people: Vec<PersonPlan>,
    /// `choices_per_person` ranked slots per person, in join-rank order.
    choices: Vec<SlotId>,
    slots: Vec<SlotSpec>,
    sites: SiteIndex,
    /// The sites nearest each person's wanted place, in join-rank order: where their
    /// preferences were ranked from, and where they look for room when all are taken.
    nearest: NearestLists,
}

/// A person as the generator draws them or a trace gives them, before their behaviour is
/// drawn and they are put in join-rank order.
pub(crate) struct Drawn {
    pub(crate) person: PersonId,
    pub(crate) cohort: CohortId,
    pub(crate) devices: u8,
    /// When each device first joins, in ms (the first `devices` entries count).
    pub(crate) device_at_ms: [u64; 3],
    pub(crate) home: Point,
    pub(crate) workplace: Option<Point>,
    pub(crate) wanted_day: Day,
    pub(crate) wanted_windows: u64,
}

impl Arrivals {
    /// Draws the people of `scenario` from `seed`.
    ///
    /// Takes a few seconds per million people in a release build, the searches for
    /// everyone's nearest sites and the ranking of their preferences on every core. Keeps
    /// the 32 sites nearest each person's wanted place (64 bytes a person), for the runs.
    ///
    /// # Errors
    /// [`ScenarioError`] if the scenario is invalid (see [`Scenario::validate`]).
    pub fn generate(scenario: &Scenario, seed: u64) -> Result<Arrivals, ScenarioError> {
        scenario.validate()?;
        let sites = SiteIndex::new(
            &super::site_points(&scenario.map, scenario.inventory.sites),
            scenario.map.width_m,
            scenario.map.height_m,
        );
        let drawn = draw_people(scenario, seed);
        let nearest = nearest_lists(scenario, &sites, &drawn);
        let choices = rank_preferences(scenario, seed, &sites, &drawn, &nearest);
        Ok(Arrivals::assemble(
            scenario, seed, drawn, &choices, &nearest, sites,
        ))
    }

    /// The people of a trace ([`TraceRow`]s, one per device's first join), played in
    /// `scenario` with the behaviour that is not in the trace (bots, line cutters,
    /// patience, booking and giving back) drawn from `seed` for each person by their id.
    /// The scenario's `people` becomes the number of people in the trace.
    ///
    /// A trace written by [`Arrivals::trace`] and read back gives these same arrivals, and
    /// so byte-identical outcomes.
    ///
    /// # Errors
    /// [`TraceError`] if a row does not fit the scenario (an unknown cohort, day, window or
    /// slot, a device number used twice or skipped, a person's rows that disagree) or the
    /// scenario is invalid.
    pub fn from_trace(
        scenario: &Scenario,
        seed: u64,
        rows: &[TraceRow],
    ) -> Result<Arrivals, TraceError> {
        let drawn_and_choices = super::trace::group(scenario, rows)?;
        let mut scenario = scenario.clone();
        scenario.people = drawn_and_choices.0.len() as u64;
        scenario.validate().map_err(TraceError::Scenario)?;
        let sites = SiteIndex::new(
            &super::site_points(&scenario.map, scenario.inventory.sites),
            scenario.map.width_m,
            scenario.map.height_m,
        );
        let (drawn, choices) = drawn_and_choices;
        let nearest = nearest_lists(&scenario, &sites, &drawn);
        Ok(Arrivals::assemble(
            &scenario, seed, drawn, &choices, &nearest, sites,
        ))
    }

    /// The arrivals as a trace: one row per device's first join, by time, then person id,
    /// then device. [`Arrivals::from_trace`] reads it back into these same arrivals.
    pub fn trace(&self) -> Vec<TraceRow> {
        let mut rows = Vec::with_capacity(self.people.len() * 2);
        for (rank, plan) in self.people.iter().enumerate() {
            for device in 0..plan.devices {
                rows.push(TraceRow {
                    at: plan
                        .arrives_at
                        .plus_millis(plan.device_delays_ms[usize::from(device)]),
                    person: plan.person,
                    device,
                    cohort: plan.cohort,
                    home: plan.home,
                    workplace: plan.workplace,
                    wanted_day: plan.wanted_day,
                    wanted_windows: plan.wanted_windows,
                    preferences: self.choices(rank).to_vec(),
                });
            }
        }
        rows.sort_by_key(|row| (row.at, row.person, row.device));
        rows
    }

    /// Draws behaviour, sorts into join-rank order and lays out the preferences.
    fn assemble(
        scenario: &Scenario,
        seed: u64,
        drawn: Vec<Drawn>,
        choices: &[SlotId],
        nearest: &NearestLists,
        sites: SiteIndex,
    ) -> Arrivals {
        let per_person = usize::from(scenario.behaviour.choices_per_person);
        let plans: Vec<PersonPlan> = drawn
            .into_iter()
            .map(|person| plan_of(scenario, seed, person))
            .collect();
        // The keys are sorted, then the plans gathered: a plan is over a hundred bytes, its
        // key 32.
        // Person ids are distinct, so no two keys are equal and the order is the same.
        let mut order: Vec<(Timestamp, Timestamp, PersonId, usize)> = plans
            .iter()
            .enumerate()
            .map(|(index, plan)| (plan.eligible_at, plan.arrives_at, plan.person, index))
            .collect();
        order.sort_unstable();
        let mut ordered_choices = Vec::with_capacity(choices.len());
        for &(.., index) in &order {
            ordered_choices
                .extend_from_slice(&choices[index * per_person..(index + 1) * per_person]);
        }
        Arrivals {
            scenario: scenario.clone(),
            seed,
            nearest: nearest.reordered(order.iter().map(|&(.., index)| index)),
            people: order
                .iter()
                .map(|&(.., index)| plans[index].clone())
                .collect(),
            choices: ordered_choices,
            slots: workload::slots(&scenario.inventory),
            sites,
        }
    }

    /// The scenario the people were drawn from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The seed they were drawn from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Everybody, in join-rank order.
    pub fn people(&self) -> &[PersonPlan] {
        &self.people
    }

    /// How many people.
    pub fn len(&self) -> usize {
        self.people.len()
    }

    /// `true` if there is nobody (never, for a validated scenario).
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    /// The ranked preferences of the person with this join rank, most wanted first.
    ///
    /// # Panics
    /// Panics if `join_rank >= self.len()`.
    pub fn choices(&self, join_rank: usize) -> &[SlotId] {
        let per_person = usize::from(self.scenario.behaviour.choices_per_person);
        &self.choices[join_rank * per_person..(join_rank + 1) * per_person]
    }

    /// The inventory, in slot-id order.
    pub fn slots(&self) -> &[SlotSpec] {
        &self.slots
    }

    /// Where the clinics are, indexed for nearest-site searches.
    pub fn sites(&self) -> &SiteIndex {
        &self.sites
    }

    /// Replaces `out` with the `count` sites nearest the wanted place of the person with
    /// this join rank, nearest first (ties by site number), as [`SiteIndex::nearest`] finds
    /// them. `count` is at most [`NEAREST_SITES_KEPT`] (or the number of sites).
    pub(crate) fn nearest_sites(&self, join_rank: usize, count: usize, out: &mut Vec<u32>) {
        debug_assert!(count <= self.nearest.per_point().max(NEAREST_SITES_KEPT));
        self.nearest.read(join_rank, count, out);
    }

    /// Where and when `slot` is, against what the person with this join rank wanted.
    pub(crate) fn booked_place(&self, join_rank: u32, slot: SlotId) -> Option<BookedPlace> {
        let plan = &self.people[join_rank as usize];
        let (site, day, window) = self.scenario.inventory.location(slot)?;
        Some(BookedPlace {
            site,
            day,
            window,
            distance_m: plan
                .wanted_place()
                .distance_m(self.sites.point(site.as_u32())),
            days_late: i32::from(day.as_u16()) - i32::from(plan.wanted_day.as_u16()),
        })
    }

    /// The outcome row of the person with this join rank, with nothing yet happened to them.
    pub(crate) fn blank_outcome(&self, join_rank: usize) -> PersonOutcome {
        let plan = &self.people[join_rank];
        PersonOutcome {
            person: plan.person,
            cohort: plan.cohort,
            joined_at: plan.arrives_at,
            join_rank: join_rank as u64,
            admitted_at: None,
            admit_rank: None,
            bounces: 0,
            choices_listed: self.scenario.behaviour.choices_per_person,
            got_choice: None,
            bypass_booking: false,
            found_sold_out: false,
            booking: None,
        }
    }
}

/// Draws who arrives when, from how many devices, living and working where, wanting which
/// day and windows: everything a trace holds but the preferences.
fn draw_people(scenario: &Scenario, seed: u64) -> Vec<Drawn> {
    let ids = workload::person_ids(scenario.people, seed);
    let cohort_sizes = cohort_sizes(scenario);
    let mix = &scenario.arrivals;
    let behaviour = &scenario.behaviour;
    let map = &scenario.map;
    let cities = Cities::new(map);
    let mut rng = Rng::new(SplitMix64::mix(seed ^ PLAN_STREAM));
    let device_total: f64 = behaviour.device_weights.iter().sum();
    let windows = scenario.inventory.windows;

    let mut drawn = Vec::with_capacity(ids.len());
    let mut ids = ids.into_iter();
    for (cohort_index, (&size, cohort)) in cohort_sizes.iter().zip(&scenario.cohorts).enumerate() {
        let opens_ms = cohort.opens_at.as_millis();
        for person in ids.by_ref().take(size as usize) {
            let lane = rng.unit_f64();
            let arrives_ms = if lane < mix.pre_queue_share {
                // Strictly before the opening: validation keeps this at or above 0.
                opens_ms - 1 - rng.below(mix.pre_queue_window_ms.max(1))
            } else if lane < mix.pre_queue_share + mix.surge_share {
                opens_ms + exponential_ms(&mut rng, mix.surge_mean_ms)
            } else {
                opens_ms + exponential_ms(&mut rng, mix.tail_mean_ms)
            };
            let device_draw = rng.unit_f64() * device_total;
            let devices = if device_draw < behaviour.device_weights[0] {
                1
            } else if device_draw < behaviour.device_weights[0] + behaviour.device_weights[1] {
                2
            } else {
                3
            };
            let mut device_at_ms = [arrives_ms; 3];
            for at_ms in &mut device_at_ms[1..usize::from(devices)] {
                *at_ms = arrives_ms + rng.below(behaviour.device_spread_ms.max(1));
            }
            let home_city = cities.draw(&mut rng);
            let home = cities.point_near(home_city, &mut rng);
            let workplace = rng.chance(map.worker_share).then(|| {
                let city = if rng.chance(map.commuter_share) {
                    cities.draw(&mut rng)
                } else {
                    home_city
                };
                cities.point_near(city, &mut rng)
            });
            // Earlier days are wanted more (the square of a uniform leans to 0): people
            // want their shot as soon as their group may have it.
            let early = rng.unit_f64();
            let offset = ((early * early) * f64::from(cohort.days)) as u16;
            let wanted_day = Day::new(cohort.first_day + offset.min(cohort.days - 1));
            let all_windows = if windows >= 64 {
                u64::MAX
            } else {
                (1u64 << windows) - 1
            };
            // Workers come before work (the first window) or after it (the last two).
            let outside_work_hours =
                1 | (1u64 << windows.saturating_sub(2)) | (1u64 << windows.saturating_sub(1));
            let wanted_windows = if workplace.is_some() && windows >= 3 {
                outside_work_hours & all_windows
            } else {
                all_windows
            };
            drawn.push(Drawn {
                person,
                cohort: CohortId::new(cohort_index as u16),
                devices,
                device_at_ms,
                home,
                workplace,
                wanted_day,
                wanted_windows,
            });
        }
    }
    drawn
}

/// How many of the sites nearest each person's wanted place are kept for them: the most a
/// person who finds every choice taken looks through (see `people::FALLBACK_NEAREST_SITES`).
pub(crate) const NEAREST_SITES_KEPT: usize = 32;

/// The sites nearest everyone's wanted place, in the order `drawn` lists them: enough for
/// their preferences (`choices_per_person + 3`) and for the search for room when all their
/// choices are taken ([`NEAREST_SITES_KEPT`]). Searched once for every run, on every core:
/// a run that searched for each person who needed it spent a fifth of its time there.
fn nearest_lists(scenario: &Scenario, sites: &SiteIndex, drawn: &[Drawn]) -> NearestLists {
    let places: Vec<Point> = drawn
        .iter()
        .map(|person| person.workplace.unwrap_or(person.home))
        .collect();
    let ranked = usize::from(scenario.behaviour.choices_per_person) + 3;
    NearestLists::find(sites, &places, ranked.max(NEAREST_SITES_KEPT))
}

/// Everything drawn about a person that a trace does not hold, from the seed and their id
/// alone, so that a person read from a trace behaves as the one written to it.
fn plan_of(scenario: &Scenario, seed: u64, drawn: Drawn) -> PersonPlan {
    let behaviour = &scenario.behaviour;
    let mut rng =
        Rng::new(SplitMix64::mix(seed ^ BEHAVIOUR_STREAM) ^ SplitMix64::mix(drawn.person.as_u64()));
    let kind_draw = rng.unit_f64();
    let kind = if kind_draw < behaviour.bot_share {
        PersonKind::Bot
    } else if kind_draw < behaviour.bot_share + behaviour.line_cutter_share {
        PersonKind::LineCutter {
            attempts: 1 + rng.below(u64::from(behaviour.bypass_attempts_max.max(1))) as u8,
        }
    } else {
        PersonKind::Regular
    };
    let patience_ms = exponential_ms(&mut rng, behaviour.patience_mean_ms).max(1);
    let leaves_silently = rng.chance(behaviour.silent_leaver_share);
    let think_ms = (behaviour.think_min_ms + exponential_ms(&mut rng, behaviour.think_mean_ms))
        .min(scenario.lease_ms - 1);
    let releases_after_ms = rng
        .chance(behaviour.release_share)
        .then(|| 1 + rng.below(behaviour.release_after_max_ms.max(1)));
    let devices = usize::from(drawn.devices);
    let first_ms = drawn.device_at_ms[..devices]
        .iter()
        .copied()
        .min()
        .unwrap_or(0);
    let mut device_delays_ms = [0; 3];
    for (delay, at_ms) in device_delays_ms
        .iter_mut()
        .zip(&drawn.device_at_ms[..devices])
    {
        *delay = at_ms - first_ms;
    }
    let arrives_at = Timestamp::from_millis(first_ms);
    let opens_at = scenario.cohorts[drawn.cohort.as_index()].opens_at;
    PersonPlan {
        person: drawn.person,
        cohort: drawn.cohort,
        arrives_at,
        eligible_at: arrives_at.max(opens_at),
        devices: drawn.devices,
        device_delays_ms,
        home: drawn.home,
        workplace: drawn.workplace,
        wanted_day: drawn.wanted_day,
        wanted_windows: drawn.wanted_windows,
        kind,
        patience_ms,
        leaves_silently,
        think_ms,
        releases_after_ms,
    }
}

/// Everyone's ranked preferences, `choices_per_person` each, in the order `drawn` lists them.
///
/// Preferences come from their own stream, in the order people were drawn, so that changing
/// how many choices people list never changes who arrives when. The stream is drawn person
/// after person (the window of each candidate site and day), then the ranking itself
/// (distances, scores, the sort) is shared among the cores: each person's ranking needs
/// only their own draws.
fn rank_preferences(
    scenario: &Scenario,
    seed: u64,
    sites: &SiteIndex,
    drawn: &[Drawn],
    nearest: &NearestLists,
) -> Vec<SlotId> {
    let per_person = usize::from(scenario.behaviour.choices_per_person);
    let ranked_sites = (per_person + 3).min(nearest.per_point());
    // At most three candidate days per site.
    let stride = ranked_sites * 3;
    let mut draws = vec![0u8; drawn.len() * stride];
    let mut rng = Rng::new(SplitMix64::mix(seed ^ PREFERENCE_STREAM));
    for (person, draws) in drawn.iter().zip(draws.chunks_exact_mut(stride)) {
        let cohort = &scenario.cohorts[person.cohort.as_index()];
        let days = candidate_days(cohort.first_day, cohort.days, person.wanted_day.as_u16());
        let windows = wanted_windows(scenario, person).len() as u64;
        for draw in &mut draws[..ranked_sites * days.len()] {
            *draw = rng.below(windows) as u8;
        }
    }
    let mut choices = vec![SlotId::new(0); drawn.len() * per_person];
    if per_person == 0 {
        return choices;
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(drawn.len() / RANKED_PER_THREAD_MIN)
        .max(1);
    let share = drawn.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let shares = drawn
            .chunks(share)
            .zip(choices.chunks_mut(share * per_person))
            .zip(draws.chunks(share * stride))
            .enumerate();
        for (number, ((people, choices), draws)) in shares {
            scope.spawn(move || {
                let mut ranker = Ranker::default();
                let lists = choices
                    .chunks_exact_mut(per_person)
                    .zip(draws.chunks(stride));
                for (offset, (person, (list, draws))) in people.iter().zip(lists).enumerate() {
                    nearest.read(number * share + offset, ranked_sites, &mut ranker.nearest);
                    ranker.preferences(scenario, sites, person, draws, list);
                }
            });
        }
    });
    choices
}

/// Below this many people, ranking on one thread is quicker than starting others.
const RANKED_PER_THREAD_MIN: usize = 20_000;

/// The windows a person can come in, in order.
fn wanted_windows(scenario: &Scenario, person: &Drawn) -> Vec<u8> {
    (0..scenario.inventory.windows)
        .filter(|&window| person.wanted_windows & (1 << window) != 0)
        .collect()
}

/// Ranks a person's preferences from where and when they want to go: the clinics nearest
/// their wanted place, on their wanted day and the two after (or before, at the end of
/// their cohort's days), in one of their wanted windows, scored by distance plus
/// [`DAY_COST_M`] per day away from the wanted one. The window of each candidate is drawn
/// beforehand, by [`rank_preferences`].
#[derive(Default)]
struct Ranker {
    /// The `choices_per_person + 3` sites nearest the person's wanted place, nearest first:
    /// set before each call.
    nearest: Vec<u32>,
    candidates: Vec<(u64, u32)>,
}

impl Ranker {
    fn preferences(
        &mut self,
        scenario: &Scenario,
        sites: &SiteIndex,
        person: &Drawn,
        draws: &[u8],
        out: &mut [SlotId],
    ) {
        let inventory = &scenario.inventory;
        let cohort = &scenario.cohorts[person.cohort.as_index()];
        let wanted = person.wanted_day.as_u16();
        let place = person.workplace.unwrap_or(person.home);
        let days = candidate_days(cohort.first_day, cohort.days, wanted);
        let windows = wanted_windows(scenario, person);
        let mut draws = draws.iter();
        self.candidates.clear();
        for &site in &self.nearest {
            let distance_m = u64::from(place.distance_m(sites.point(site)));
            for &day in &days {
                let draw = draws.next().copied().unwrap_or(0);
                let window = windows[usize::from(draw)];
                let slot = slot_index(inventory, site, day, window);
                let score = distance_m + u64::from(day.abs_diff(wanted)) * u64::from(DAY_COST_M);
                self.candidates.push((score, slot));
            }
        }
        self.candidates.sort_unstable();
        let mut filled = 0;
        for &(_, slot) in &self.candidates {
            if filled == out.len() {
                break;
            }
            out[filled] = SlotId::new(slot);
            filled += 1;
        }
        if filled == out.len() {
            return;
        }
        // Fewer nearby (site, day) pairs than choices: any other window of them, then any
        // slot of the cohort's days, in order.
        let fill = |slot: u32, out: &mut [SlotId], filled: &mut usize| {
            if *filled < out.len() && !out[..*filled].contains(&SlotId::new(slot)) {
                out[*filled] = SlotId::new(slot);
                *filled += 1;
            }
        };
        for &site in &self.nearest {
            for &day in &days {
                for window in 0..inventory.windows {
                    fill(slot_index(inventory, site, day, window), out, &mut filled);
                }
            }
        }
        for site in 0..inventory.sites {
            for day in cohort.first_day..cohort.first_day + cohort.days {
                for window in 0..inventory.windows {
                    fill(slot_index(inventory, site, day, window), out, &mut filled);
                }
            }
        }
    }
}

/// Up to three days of the cohort's, nearest the wanted one: the wanted day and the next
/// two, or earlier ones where the cohort's days end first.
pub(crate) fn candidate_days(first_day: u16, days: u16, wanted: u16) -> Vec<u16> {
    let end = first_day + days;
    let mut chosen: Vec<u16> = (wanted..end).take(3).collect();
    let mut before = wanted;
    while chosen.len() < 3 && before > first_day {
        before -= 1;
        chosen.push(before);
    }
    chosen
}

/// The slot id of `(site, day, window)` in the inventory's layout (see
/// [`InventorySpec::slot_id`](crate::workload::InventorySpec::slot_id)).
pub(crate) fn slot_index(
    inventory: &workload::InventorySpec,
    site: u32,
    day: u16,
    window: u8,
) -> u32 {
    ((u64::from(site) * u64::from(inventory.days) + u64::from(day)) * u64::from(inventory.windows)
        + u64::from(window)) as u32
}

/// People of a trace, by id, for grouping its rows.
pub(crate) type PeopleById = HashMap<PersonId, usize>;

/// How many people each cohort gets: shares normalised, rounded by largest remainder so that
/// the sizes add up to `people` exactly.
fn cohort_sizes(scenario: &Scenario) -> Vec<u64> {
    let total: f64 = scenario.cohorts.iter().map(|cohort| cohort.share).sum();
    let exact: Vec<f64> = scenario
        .cohorts
        .iter()
        .map(|cohort| cohort.share / total * scenario.people as f64)
        .collect();
    let mut sizes: Vec<u64> = exact.iter().map(|share| share.floor() as u64).collect();
    let mut short = scenario.people.saturating_sub(sizes.iter().sum());
    let mut by_remainder: Vec<usize> = (0..exact.len()).collect();
    by_remainder.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for index in by_remainder.into_iter().cycle() {
        if short == 0 {
            break;
        }
        sizes[index] += 1;
        short -= 1;
    }
    sizes
}

/// An exponentially distributed duration with the given mean, in whole milliseconds.
fn exponential_ms(rng: &mut Rng, mean_ms: u64) -> u64 {
    // `1 − u` is in (0, 1], so the logarithm is finite.
    (-(1.0 - rng.unit_f64()).ln() * mean_ms as f64) as u64
}

/// What a draw of [`Dice`] is for; each purpose is its own independent stream.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Purpose {
    /// The gap before a device's next reconnect (device number in the counter's high bits).
    ReconnectGap = 1,
    /// How long a dropped device takes to come back.
    ReconnectDelay = 2,
    /// The gap before a line cutter's next bypass attempt.
    BypassGap = 3,
    /// Whether a turn bounces (2021 baseline).
    Bounce = 4,
    /// How long a bounced device takes to rejoin (2021 baseline).
    BounceDelay = 5,
    /// When a device refreshing before the opening lands in the line (2021 baseline).
    Refresh = 6,
}

/// Counter-based randomness for events during a run: each draw is a hash of the seed, the
/// person, the purpose and a counter, so that it does not depend on what else happened.
pub(crate) struct Dice {
    key: u64,
}

impl Dice {
    pub(crate) fn new(seed: u64) -> Dice {
        Dice {
            key: SplitMix64::mix(seed ^ DICE_STREAM),
        }
    }

    /// A uniform float in `[0, 1)`.
    pub(crate) fn unit(&self, person: u32, purpose: Purpose, counter: u64) -> f64 {
        const TWO_TO_MINUS_53: f64 = 1.0 / (1u64 << 53) as f64;
        let mut hash = SplitMix64::mix(self.key ^ u64::from(person));
        hash = SplitMix64::mix(
            hash.wrapping_add((purpose as u64).wrapping_mul(SplitMix64::GOLDEN_GAMMA)),
        );
        hash = SplitMix64::mix(hash ^ counter.wrapping_mul(SplitMix64::GOLDEN_GAMMA));
        (hash >> 11) as f64 * TWO_TO_MINUS_53
    }

    /// A uniform integer in `0..bound` (0 if `bound` is 0); the bias is below 2⁻⁴⁰ for the
    /// bounds used here.
    pub(crate) fn below(&self, person: u32, purpose: Purpose, counter: u64, bound: u64) -> u64 {
        (self.unit(person, purpose, counter) * bound as f64) as u64
    }

    /// An exponentially distributed duration with mean `mean_ms`.
    pub(crate) fn exponential_ms(
        &self,
        person: u32,
        purpose: Purpose,
        counter: u64,
        mean_ms: u64,
    ) -> u64 {
        let unit = self.unit(person, purpose, counter);
        (-(1.0 - unit).ln() * mean_ms as f64) as u64
    }
}
