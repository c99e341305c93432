//! [`Arrivals`]: the people of one surge, drawn once from a [`Scenario`] and a seed, so that
//! every policy is played on exactly the same people, arriving at the same moments, with the
//! same devices, habits and preferences.
//!
//! It also owns [`Dice`], the counter-based randomness the runs use for what happens *during*
//! a run (when a device reconnects, whether a turn bounces). A draw is a hash of
//! `(seed, person, purpose, counter)` rather than the next value of a shared stream, so a
//! person's k-th reconnect happens after the same gap under every policy, however differently
//! the rest of the run unfolds.

use crate::fairness::PersonOutcome;
use crate::rng::{Rng, SplitMix64};
use crate::workload::{self, Demand};
use fairbook::{CohortId, PersonId, SlotId, SlotSpec, Timestamp};

use super::{Scenario, ScenarioError};

/// Keys that separate the random streams drawn from one seed (ASCII tags read as numbers).
const PLAN_STREAM: u64 = u64::from_be_bytes(*b"simplans");
const PREFERENCE_STREAM: u64 = u64::from_be_bytes(*b"simprefs");
const DICE_STREAM: u64 = u64::from_be_bytes(*b"simdices");

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

/// The people of one surge and the inventory they compete for, drawn from a [`Scenario`]
/// and a seed.
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
}

impl Arrivals {
    /// Draws the people of `scenario` from `seed`.
    ///
    /// Takes about a second per million people in a release build.
    ///
    /// # Errors
    /// [`ScenarioError`] if the scenario is invalid (see [`Scenario::validate`]).
    pub fn generate(scenario: &Scenario, seed: u64) -> Result<Arrivals, ScenarioError> {
        scenario.validate()?;
        let people = scenario.people;
        let ids = workload::person_ids(people, seed);
        let cohort_sizes = cohort_sizes(scenario);
        let mix = &scenario.arrivals;
        let behaviour = &scenario.behaviour;
        let mut rng = Rng::new(SplitMix64::mix(seed ^ PLAN_STREAM));
        let device_total: f64 = behaviour.device_weights.iter().sum();

        let mut plans = Vec::with_capacity(ids.len());
        let mut ids = ids.into_iter();
        for (cohort_index, (&size, cohort)) in
            cohort_sizes.iter().zip(&scenario.cohorts).enumerate()
        {
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
                let mut device_delays_ms = [0; 3];
                for delay in &mut device_delays_ms[1..usize::from(devices)] {
                    *delay = rng.below(behaviour.device_spread_ms.max(1));
                }
                let kind_draw = rng.unit_f64();
                let kind = if kind_draw < behaviour.bot_share {
                    PersonKind::Bot
                } else if kind_draw < behaviour.bot_share + behaviour.line_cutter_share {
                    PersonKind::LineCutter {
                        attempts: 1 + rng.below(u64::from(behaviour.bypass_attempts_max.max(1)))
                            as u8,
                    }
                } else {
                    PersonKind::Regular
                };
                let patience_ms = exponential_ms(&mut rng, behaviour.patience_mean_ms).max(1);
                let leaves_silently = rng.chance(behaviour.silent_leaver_share);
                let think_ms = (behaviour.think_min_ms
                    + exponential_ms(&mut rng, behaviour.think_mean_ms))
                .min(scenario.lease_ms - 1);
                let releases_after_ms = rng
                    .chance(behaviour.release_share)
                    .then(|| 1 + rng.below(behaviour.release_after_max_ms.max(1)));
                let arrives_at = Timestamp::from_millis(arrives_ms);
                plans.push(PersonPlan {
                    person,
                    cohort: CohortId::new(cohort_index as u16),
                    arrives_at,
                    eligible_at: arrives_at.max(cohort.opens_at),
                    devices,
                    device_delays_ms,
                    kind,
                    patience_ms,
                    leaves_silently,
                    think_ms,
                    releases_after_ms,
                });
            }
        }
        plans.sort_unstable_by_key(|plan| (plan.eligible_at, plan.arrives_at, plan.person));

        // Preferences come from their own stream, in join-rank order, so that changing how
        // many choices people list never changes who arrives when.
        let demand = Demand::new(&scenario.inventory);
        let per_person = usize::from(behaviour.choices_per_person);
        let mut choices = vec![SlotId::new(0); plans.len() * per_person];
        let mut preference_rng = Rng::new(SplitMix64::mix(seed ^ PREFERENCE_STREAM));
        for list in choices.chunks_exact_mut(per_person) {
            demand.preferences(&mut preference_rng, list);
        }

        Ok(Arrivals {
            scenario: scenario.clone(),
            seed,
            people: plans,
            choices,
            slots: workload::slots(&scenario.inventory),
        })
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
        }
    }
}

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
