//! The reference surge, as data: who joins, how often, what inventory they compete for and
//! which slots they ask for.
//!
//! Benchmarks, examples and the simulator all drive the engine with the workload generated
//! here, so that their figures describe the same surge. Everything is a pure function of a
//! seed (through [`Rng`]), and nothing here calls the engine.
//!
//! - [`SurgeSpec::reference`] is the surge the crate is built for: 10,000,000 join requests
//!   from 1,500,000 distinct people. [`join_stream`] turns a spec into the request stream and
//!   [`person_ids`] names its people.
//! - [`InventorySpec::reference`] is the matching inventory: 14,000 sites, 14 days of 8
//!   windows each, with 10% more places than people. [`slots`] turns it into [`SlotSpec`]s.
//! - [`Demand`] models which slots people want (evenings, weekends and busy districts first)
//!   and draws each person's ranked list of preferences.
//!
//! # Example
//! ```
//! use fairbook_lab::rng::Rng;
//! use fairbook_lab::workload::{self, Demand, InventorySpec, JoinSkew, SurgeSpec};
//! use fairbook::SlotId;
//!
//! // A small surge: 1,000 people send 5,000 requests, a few of them retrying a lot.
//! let surge = SurgeSpec {
//!     people: 1_000,
//!     joins: 5_000,
//!     seed: 7,
//!     skew: JoinSkew::Zipf { exponent: 1.0 },
//! };
//! let requests = workload::join_stream(&surge);
//! assert_eq!(requests.len(), 5_000);
//! assert_eq!(workload::distinct_count(&requests), 1_000);
//!
//! // Its inventory: 10 sites, two weeks of 8 windows, 10% more places than people.
//! let inventory = InventorySpec { sites: 10, ..InventorySpec::reference(surge.people) };
//! let slots = workload::slots(&inventory);
//! assert_eq!(slots.len(), 10 * 14 * 8);
//! let places: u64 = slots.iter().map(|slot| u64::from(slot.capacity)).sum();
//! assert_eq!(places, 1_100);
//!
//! // Each person ranks three distinct slots, mostly evenings, weekends and busy districts.
//! let demand = Demand::new(&inventory);
//! let mut rng = Rng::new(surge.seed);
//! let mut choices = [SlotId::new(0); 3];
//! demand.preferences(&mut rng, &mut choices);
//! assert!(choices.iter().all(|slot| slot.as_index() < slots.len()));
//! assert_ne!(choices[0], choices[1]);
//! ```

use crate::rng::{Rng, SplitMix64};
use fairbook::{Day, PersonId, SiteId, SlotId, SlotSpec, Window};

/// Keys that separate the random streams drawn from one seed, so that, for example, changing
/// how slots are sized never changes who joins. Each is an ASCII tag read as a number.
const PERSON_ID_STREAM: u64 = u64::from_be_bytes(*b"personid");
const JOIN_STREAM: u64 = u64::from_be_bytes(*b"joinsreq");
const HOT_RANK_STREAM: u64 = u64::from_be_bytes(*b"hotranks");
const SITE_SIZE_STREAM: u64 = u64::from_be_bytes(*b"sitesize");

/// The seed of one named stream: a bijective mix of the user's seed and the stream's key.
fn stream_seed(seed: u64, stream: u64) -> u64 {
    SplitMix64::mix(seed ^ stream)
}

/// How repeat requests are spread over people.
///
/// # Example
/// ```
/// use fairbook_lab::workload::{JoinSkew, SurgeSpec};
///
/// let heavy_retriers = SurgeSpec {
///     skew: JoinSkew::Zipf { exponent: 1.0 },
///     ..SurgeSpec::reference()
/// };
/// assert_eq!(heavy_retriers.joins, 10_000_000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum JoinSkew {
    /// Every request comes from a person drawn uniformly at random, independently of the
    /// others. With 10 M requests over 1.5 M people, about 99.9% of people appear, most of
    /// them several times.
    Uniform,
    /// Every person joins once; the remaining requests are retries whose sender follows a
    /// Zipf law over people: the person of rank `k` (from 1) retries with weight
    /// `1 / k^exponent`. An exponent of 0 spreads retries uniformly; 1 is the classic
    /// heavy-tailed case, where a small share of people sends most of the traffic: in the
    /// reference surge, the top 1% of people then send about 59% of requests, and the single
    /// most eager one (a script, in practice) over half a million.
    Zipf {
        /// The Zipf exponent `s`; must be finite and not negative.
        exponent: f64,
    },
}

/// A surge of join requests: how many people, how many requests, how they are skewed, and
/// the seed that makes it reproducible.
///
/// # Example
/// ```
/// use fairbook_lab::workload::{JoinSkew, SurgeSpec};
///
/// let reference = SurgeSpec::reference();
/// assert_eq!(reference.people, 1_500_000);
/// assert_eq!(reference.joins, 10_000_000);
/// assert_eq!(reference.seed, 2021);
/// assert_eq!(reference.skew, JoinSkew::Uniform);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SurgeSpec {
    /// How many distinct people may send requests; they are [`person_ids`]`(people, seed)`.
    pub people: u64,
    /// How many join requests the stream holds, repeats included.
    pub joins: u64,
    /// The seed of every random choice in the stream.
    pub seed: u64,
    /// How repeat requests are spread over people.
    pub skew: JoinSkew,
}

impl SurgeSpec {
    /// The number of distinct people in the reference surge.
    pub const REFERENCE_PEOPLE: u64 = 1_500_000;
    /// The number of join requests in the reference surge.
    pub const REFERENCE_JOINS: u64 = 10_000_000;
    /// The seed of the reference surge and of its inventory.
    pub const REFERENCE_SEED: u64 = 2021;

    /// The surge the crate is built for: 10,000,000 uniformly spread join requests from
    /// 1,500,000 people, seed 2021.
    pub const fn reference() -> SurgeSpec {
        SurgeSpec {
            people: Self::REFERENCE_PEOPLE,
            joins: Self::REFERENCE_JOINS,
            seed: Self::REFERENCE_SEED,
            skew: JoinSkew::Uniform,
        }
    }

    /// How many distinct people the stream is expected to contain.
    ///
    /// For [`JoinSkew::Uniform`] this is `people · (1 − (1 − 1/people)^joins)`, which is
    /// `people · (1 − e^(−joins/people))` to within a part in a million at the reference size
    /// (about 1,498,091 of 1,500,000). For [`JoinSkew::Zipf`] it is exact:
    /// `min(people, joins)`.
    ///
    /// # Example
    /// ```
    /// use fairbook_lab::workload::SurgeSpec;
    ///
    /// let expected = SurgeSpec::reference().expected_distinct_people();
    /// assert!((1_498_000.0..1_498_300.0).contains(&expected));
    /// ```
    pub fn expected_distinct_people(&self) -> f64 {
        if self.people == 0 {
            return 0.0;
        }
        let people = self.people as f64;
        match self.skew {
            JoinSkew::Uniform => {
                // `ln_1p` keeps `ln(1 − 1/people)` accurate when `people` is large.
                let never_drawn = ((-1.0 / people).ln_1p() * self.joins as f64).exp();
                people * (1.0 - never_drawn)
            }
            JoinSkew::Zipf { .. } => self.people.min(self.joins) as f64,
        }
    }
}

/// The ids of `people` distinct people: entry `i` is person number `i` of the workload.
///
/// Each id is the SplitMix64 output function (a bijection on `u64`) applied to
/// `i XOR key`, where `key` is derived from `seed`. The ids therefore look random (as
/// hashed national ids would), are distinct by construction, and differ between seeds. The
/// one index whose mix would be [`PersonId::RESERVED`] (a chance of `people / 2^64` that it
/// falls in range) takes instead the id that index `people` would have had, which no other
/// person has.
///
/// # Example
/// ```
/// use fairbook_lab::workload::person_ids;
///
/// let ids = person_ids(1_000, 42);
/// assert_eq!(ids.len(), 1_000);
/// assert!(ids.iter().all(|id| id.is_valid()));
/// assert_eq!(ids, person_ids(1_000, 42));
/// assert_ne!(ids, person_ids(1_000, 43));
/// ```
pub fn person_ids(people: u64, seed: u64) -> Vec<PersonId> {
    let namer = PersonNamer::new(people, seed);
    (0..people).map(|index| namer.id(index)).collect()
}

/// Turns a person's index into their id without building the whole table.
struct PersonNamer {
    people: u64,
    key: u64,
}

impl PersonNamer {
    fn new(people: u64, seed: u64) -> PersonNamer {
        PersonNamer {
            people,
            key: stream_seed(seed, PERSON_ID_STREAM),
        }
    }

    /// The id of person `index`, for `index < people`.
    fn id(&self, index: u64) -> PersonId {
        let raw = SplitMix64::mix(index ^ self.key);
        if raw == PersonId::RESERVED.as_u64() {
            // `index != people`, so this differs from `raw`, and the mix is a bijection, so
            // no index in `0..people` maps to it.
            PersonId::new(SplitMix64::mix(self.people ^ self.key))
        } else {
            PersonId::new(raw)
        }
    }
}

/// The join requests of a surge, in arrival order.
///
/// The people are exactly [`person_ids`]`(spec.people, spec.seed)`.
///
/// - [`JoinSkew::Uniform`]: each request's sender is drawn uniformly and independently.
/// - [`JoinSkew::Zipf`]: every person sends one request, and the other
///   `joins − people` requests are retries whose sender is drawn from a Zipf law over
///   people. Which person holds which rank is a seeded permutation, so the heavy retriers
///   are scattered over the population rather than being its first entries. The whole
///   stream is then shuffled. Requests carry nothing but the person, so a person's first
///   request in the stream is their join and every later one a retry: retries always follow
///   the join by construction. A side effect, which matches a real surge, is that heavy
///   retriers tend to arrive early, since their earliest of many requests is early. If
///   `joins < people`, the stream is a random subset of the people, each once.
///
/// Zipf ranks are drawn by rejection-inversion (Hörmann and Derflinger, "Rejection-inversion
/// to generate variates from monotone discrete distributions", ACM TOMACS 6(3), 1996), which
/// takes constant time and memory per draw whatever the number of people.
///
/// In a release build on a two-core machine, the reference surge takes about 50 ms to
/// generate and its Zipf variant (exponent 1) about 300 ms, most of it the final shuffle.
///
/// # Panics
/// Panics if `spec.people` is 0 while `spec.joins` is not (nobody can send the requests),
/// and, for [`JoinSkew::Zipf`], if the exponent is negative or not finite.
///
/// # Example
/// ```
/// use fairbook_lab::workload::{distinct_count, join_stream, JoinSkew, SurgeSpec};
///
/// let spec = SurgeSpec { people: 100, joins: 1_000, seed: 1, skew: JoinSkew::Uniform };
/// let requests = join_stream(&spec);
/// assert_eq!(requests.len(), 1_000);
/// assert!(distinct_count(&requests) <= 100);
/// assert_eq!(requests, join_stream(&spec));
/// ```
pub fn join_stream(spec: &SurgeSpec) -> Vec<PersonId> {
    assert!(
        spec.people > 0 || spec.joins == 0,
        "a surge of {} joins needs at least one person",
        spec.joins
    );
    let namer = PersonNamer::new(spec.people, spec.seed);
    let mut rng = Rng::new(stream_seed(spec.seed, JOIN_STREAM));
    match spec.skew {
        JoinSkew::Uniform => (0..spec.joins)
            .map(|_| namer.id(rng.below(spec.people)))
            .collect(),
        JoinSkew::Zipf { exponent } => {
            assert!(
                exponent.is_finite() && exponent >= 0.0,
                "the Zipf exponent must be finite and not negative, not {exponent}"
            );
            zipf_join_stream(spec, exponent, &namer, &mut rng)
        }
    }
}

/// The [`JoinSkew::Zipf`] stream: everybody once, Zipf-distributed retries, all shuffled.
fn zipf_join_stream(
    spec: &SurgeSpec,
    exponent: f64,
    namer: &PersonNamer,
    rng: &mut Rng,
) -> Vec<PersonId> {
    let capacity = spec.joins.max(spec.people);
    let mut stream = Vec::with_capacity(usize::try_from(capacity).unwrap_or(usize::MAX));
    stream.extend((0..spec.people).map(|index| namer.id(index)));

    let retries = spec.joins.saturating_sub(spec.people);
    if retries > 0 {
        let mut person_of_rank: Vec<u64> = (0..spec.people).collect();
        Rng::new(stream_seed(spec.seed, HOT_RANK_STREAM)).shuffle(&mut person_of_rank);
        let ranks = ZipfRanks::new(spec.people, exponent);
        stream.extend((0..retries).map(|_| {
            let rank = ranks.sample(rng);
            // `rank` is in `1..=people`, and `person_of_rank` has `people` entries.
            namer.id(person_of_rank[(rank - 1) as usize])
        }));
    }

    rng.shuffle(&mut stream);
    // Only shortens the stream when there are fewer joins than people, and then keeps a
    // uniformly random subset of them, each once.
    stream.truncate(usize::try_from(spec.joins).unwrap_or(usize::MAX));
    stream
}

/// A Zipf law over ranks `1..=count`: `P(k) ∝ 1 / k^exponent`, sampled by
/// rejection-inversion (Hörmann and Derflinger 1996).
///
/// The method inverts the integral `H` of the continuous hat `h(x) = x^−exponent`, draws `x`
/// uniformly under it, rounds to the nearest rank `k`, and accepts unless `x` fell in the
/// part of the hat above the true mass of `k`. The hat fits the law closely, so most draws
/// are accepted at once and a draw costs a logarithm and an exponential or two.
struct ZipfRanks {
    count: u64,
    exponent: f64,
    /// `H(1.5) − 1`: the lower end of the sampled range of `H`, so that rank 1 gets its full
    /// mass `h(1) = 1`.
    integral_at_first: f64,
    /// `H(count + 0.5)`: the upper end of the sampled range of `H`.
    integral_at_last: f64,
    /// A squeeze: a draw within this distance below its rank is accepted without
    /// evaluating `H` again.
    squeeze: f64,
}

impl ZipfRanks {
    /// The law over `1..=count`; the caller ensures `count >= 1` and a finite, non-negative
    /// exponent.
    fn new(count: u64, exponent: f64) -> ZipfRanks {
        let mut ranks = ZipfRanks {
            count,
            exponent,
            integral_at_first: 0.0,
            integral_at_last: 0.0,
            squeeze: 0.0,
        };
        ranks.integral_at_first = ranks.hat_integral(1.5) - 1.0;
        ranks.integral_at_last = ranks.hat_integral(count as f64 + 0.5);
        ranks.squeeze = 2.0 - ranks.hat_integral_inverse(ranks.hat_integral(2.5) - ranks.hat(2.0));
        ranks
    }

    /// One rank in `1..=count`.
    fn sample(&self, rng: &mut Rng) -> u64 {
        loop {
            let point = self.integral_at_last
                + rng.unit_f64() * (self.integral_at_first - self.integral_at_last);
            let x = self.hat_integral_inverse(point);
            // Rounding to the nearest rank; the clamp only guards against rounding error at
            // the two ends.
            let rank = ((x + 0.5) as u64).clamp(1, self.count);
            let rank_as_float = rank as f64;
            if rank_as_float - x <= self.squeeze
                || point >= self.hat_integral(rank_as_float + 0.5) - self.hat(rank_as_float)
            {
                return rank;
            }
        }
    }

    /// The hat `h(x) = x^−exponent`.
    fn hat(&self, x: f64) -> f64 {
        (-self.exponent * x.ln()).exp()
    }

    /// `H(x) = (x^(1−exponent) − 1) / (1 − exponent)`, continuous through `exponent = 1`,
    /// where it is `ln x`.
    fn hat_integral(&self, x: f64) -> f64 {
        let log_x = x.ln();
        exp_m1_over_x((1.0 - self.exponent) * log_x) * log_x
    }

    /// The inverse of [`ZipfRanks::hat_integral`].
    fn hat_integral_inverse(&self, value: f64) -> f64 {
        // `t` can only fall below −1 through rounding; clamping keeps `ln_1p` defined.
        let t = (value * (1.0 - self.exponent)).max(-1.0);
        (ln_1p_over_x(t) * value).exp()
    }
}

/// `ln(1 + x) / x`, accurate near 0 (where it tends to 1).
fn ln_1p_over_x(x: f64) -> f64 {
    if x.abs() > 1e-8 {
        x.ln_1p() / x
    } else {
        // The Taylor series to the cubic term is exact to double precision this close to 0.
        1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x))
    }
}

/// `(e^x − 1) / x`, accurate near 0 (where it tends to 1).
fn exp_m1_over_x(x: f64) -> f64 {
    if x.abs() > 1e-8 {
        x.exp_m1() / x
    } else {
        1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x))
    }
}

/// How many distinct people a stream holds.
///
/// Sorts a copy of the raw ids: about 0.2 s for the 10 M reference stream in a release build
/// (several seconds in a debug build).
///
/// # Example
/// ```
/// use fairbook_lab::workload::distinct_count;
/// use fairbook::PersonId;
///
/// let stream = [PersonId::new(5), PersonId::new(9), PersonId::new(5)];
/// assert_eq!(distinct_count(&stream), 2);
/// ```
pub fn distinct_count(stream: &[PersonId]) -> u64 {
    let mut raw: Vec<u64> = stream.iter().map(|person| person.as_u64()).collect();
    raw.sort_unstable();
    raw.dedup();
    raw.len() as u64
}

/// An inventory: how many sites, days and windows, how many places in all, and the seed
/// that sizes each site.
///
/// There is one slot per site, day and window. Slot ids run site by site, then day by day,
/// then window by window: slot `site · days · windows + day · windows + window`, the order
/// in which [`slots`] lists them.
///
/// # Example
/// ```
/// use fairbook_lab::workload::InventorySpec;
///
/// let reference = InventorySpec::reference(1_500_000);
/// assert_eq!(reference.slot_count(), 14_000 * 14 * 8);
/// assert_eq!(reference.total_capacity, 1_650_000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InventorySpec {
    /// How many sites (clinics, venues).
    pub sites: u32,
    /// How many days of the campaign.
    pub days: u16,
    /// How many windows each day has.
    pub windows: u8,
    /// How many places all slots hold together.
    pub total_capacity: u64,
    /// The seed that decides which sites are small and which large.
    pub seed: u64,
}

impl InventorySpec {
    /// The number of sites in the reference inventory.
    pub const REFERENCE_SITES: u32 = 14_000;
    /// The number of days in the reference inventory.
    pub const REFERENCE_DAYS: u16 = 14;
    /// The number of windows per day in the reference inventory.
    pub const REFERENCE_WINDOWS: u8 = 8;

    /// The inventory for a surge of `people`: 14,000 sites × 14 days × 8 windows
    /// (1,568,000 slots) holding `round(1.1 · people)` places, seed 2021.
    ///
    /// Ten percent more places than people is what a campaign plans for: everybody can be
    /// served, yet the popular slots still run out.
    pub const fn reference(people: u64) -> InventorySpec {
        // `round(1.1 · people)` in exact integer arithmetic: `(11 · people + 5) / 10`.
        let total_capacity = (people as u128 * 11 + 5) / 10;
        InventorySpec {
            sites: Self::REFERENCE_SITES,
            days: Self::REFERENCE_DAYS,
            windows: Self::REFERENCE_WINDOWS,
            total_capacity: if total_capacity > u64::MAX as u128 {
                u64::MAX
            } else {
                total_capacity as u64
            },
            seed: SurgeSpec::REFERENCE_SEED,
        }
    }

    /// How many slots the inventory has: `sites · days · windows`.
    pub const fn slot_count(&self) -> u64 {
        self.sites as u64 * self.days as u64 * self.windows as u64
    }

    /// The id of the slot at `site` on `day` in `window`, or `None` if any of them is out
    /// of range.
    ///
    /// # Example
    /// ```
    /// use fairbook_lab::workload::InventorySpec;
    /// use fairbook::{Day, SiteId, SlotId, Window};
    ///
    /// let spec = InventorySpec::reference(1_000);
    /// let slot = spec.slot_id(SiteId::new(1), Day::new(2), Window::new(3));
    /// assert_eq!(slot, Some(SlotId::new(14 * 8 + 2 * 8 + 3)));
    /// assert_eq!(spec.slot_id(SiteId::new(1), Day::new(14), Window::new(0)), None);
    /// ```
    pub fn slot_id(&self, site: SiteId, day: Day, window: Window) -> Option<SlotId> {
        if site.as_u32() >= self.sites
            || day.as_u16() >= self.days
            || window.as_u8() >= self.windows
        {
            return None;
        }
        let index = self.slot_index(site.as_u32(), day.as_u16(), window.as_u8());
        u32::try_from(index).ok().map(SlotId::new)
    }

    /// Where and when slot `slot` is, or `None` if the inventory has no such slot.
    ///
    /// # Example
    /// ```
    /// use fairbook_lab::workload::InventorySpec;
    /// use fairbook::{Day, SiteId, SlotId, Window};
    ///
    /// let spec = InventorySpec::reference(1_000);
    /// assert_eq!(
    ///     spec.location(SlotId::new(14 * 8 + 2 * 8 + 3)),
    ///     Some((SiteId::new(1), Day::new(2), Window::new(3)))
    /// );
    /// ```
    pub fn location(&self, slot: SlotId) -> Option<(SiteId, Day, Window)> {
        let index = u64::from(slot.as_u32());
        if index >= self.slot_count() {
            return None;
        }
        let windows = u64::from(self.windows);
        let slots_per_site = u64::from(self.days) * windows;
        // Each quotient is below its dimension's size, so the narrowing casts are exact.
        let site = (index / slots_per_site) as u32;
        let day = (index % slots_per_site / windows) as u16;
        let window = (index % windows) as u8;
        Some((SiteId::new(site), Day::new(day), Window::new(window)))
    }

    /// The dense index of an in-range (site, day, window).
    fn slot_index(&self, site: u32, day: u16, window: u8) -> u64 {
        (u64::from(site) * u64::from(self.days) + u64::from(day)) * u64::from(self.windows)
            + u64::from(window)
    }
}

/// How sites are sized: `(percent of sites, weight)`. A weight is the site's relative share
/// of the places beyond one per slot, standing for small clinics, ordinary ones and large
/// vaccination centres.
const SITE_SIZES: [(u64, u64); 3] = [(50, 1), (35, 2), (15, 4)];

/// Every slot of an inventory, in slot-id order (site by site, day by day, window by window),
/// with capacities that add up to exactly `spec.total_capacity`.
///
/// Each site is drawn small, ordinary or large from `spec.seed` (half, 35% and 15% of sites,
/// with weights 1, 2 and 4). When there are at least as many places as slots, every slot
/// gets one place and the rest are shared out in proportion to the site weights; when
/// there are fewer, the places themselves are shared out that way and some slots get none.
/// Sharing is exact: slot `i` gets `⌊extra · W(i+1) / W⌋ − ⌊extra · W(i) / W⌋` places,
/// where `W(i)` is the total weight of the slots before `i`, so every slot is within one
/// place of its proportional share and the sum telescopes to the total.
///
/// # Panics
/// Panics if the inventory has more slots than [`SlotId`] can number (2^32), or if it has no
/// slot but `total_capacity` is not 0, or if some slot would hold more than `u32::MAX`
/// places.
///
/// # Example
/// ```
/// use fairbook_lab::workload::{slots, InventorySpec};
/// use fairbook::{Day, SiteId, Window};
///
/// let spec = InventorySpec { sites: 3, days: 2, windows: 4, total_capacity: 100, seed: 9 };
/// let inventory = slots(&spec);
/// assert_eq!(inventory.len(), 24);
/// assert_eq!(inventory.iter().map(|slot| u64::from(slot.capacity)).sum::<u64>(), 100);
/// assert_eq!(
///     (inventory[5].site, inventory[5].day, inventory[5].window),
///     (SiteId::new(0), Day::new(1), Window::new(1))
/// );
/// ```
pub fn slots(spec: &InventorySpec) -> Vec<SlotSpec> {
    let slot_count = spec.slot_count();
    assert!(
        slot_count <= 1 << 32,
        "an inventory of {slot_count} slots has more than slot ids can number"
    );
    assert!(
        slot_count > 0 || spec.total_capacity == 0,
        "an inventory with no slot cannot hold {} places",
        spec.total_capacity
    );
    if slot_count == 0 {
        return Vec::new();
    }

    let mut rng = Rng::new(stream_seed(spec.seed, SITE_SIZE_STREAM));
    let site_weights: Vec<u64> = (0..spec.sites)
        .map(|_| {
            let mut percentile = rng.below(100);
            for (percent, weight) in SITE_SIZES {
                if percentile < percent {
                    return weight;
                }
                percentile -= percent;
            }
            // The percentages add up to 100, so the loop has returned.
            SITE_SIZES[SITE_SIZES.len() - 1].1
        })
        .collect();

    let (base_capacity, extra_places): (u64, u64) = if spec.total_capacity >= slot_count {
        (1, spec.total_capacity - slot_count)
    } else {
        (0, spec.total_capacity)
    };
    let slots_per_site = u64::from(spec.days) * u64::from(spec.windows);
    let total_weight: u128 = site_weights
        .iter()
        .map(|&weight| u128::from(weight))
        .sum::<u128>()
        * u128::from(slots_per_site);

    let mut inventory = Vec::with_capacity(slot_count as usize);
    let mut weight_before: u128 = 0;
    let mut places_before: u128 = 0;
    for (site, &site_weight) in (0..spec.sites).zip(&site_weights) {
        for day in 0..spec.days {
            for window in 0..spec.windows {
                weight_before += u128::from(site_weight);
                let places_through = u128::from(extra_places) * weight_before / total_weight;
                let capacity = u128::from(base_capacity) + places_through - places_before;
                places_before = places_through;
                inventory.push(SlotSpec {
                    site: SiteId::new(site),
                    day: Day::new(day),
                    window: Window::new(window),
                    capacity: u32::try_from(capacity).unwrap_or_else(|_| {
                        panic!("a slot would hold {capacity} places, more than u32::MAX")
                    }),
                });
            }
        }
    }
    inventory
}

/// Which slots people want, and a way to draw each person's ranked preferences.
///
/// The model has three kinds of popular slot:
///
/// - evening slots: the last [`Demand::EVENING_WINDOWS`] windows of each day (every window,
///   if a day has no more than that), when people are out of work;
/// - weekend slots: days where `day % 7` is 5 or 6 (the campaign starts on a Monday);
/// - busy districts: the first [`Demand::BUSY_DISTRICT_PERCENT_OF_SITES`] percent of sites
///   (at least one), the dense city centres.
///
/// Each choice in a list is drawn as follows: with probability
/// [`Demand::EVENING_OR_WEEKEND_PROBABILITY`] (0.6) a uniformly random evening-or-weekend
/// slot at any site; otherwise with probability [`Demand::BUSY_DISTRICT_PROBABILITY`] (0.3)
/// a uniformly random slot at a busy-district site; otherwise (0.1) a uniformly random slot.
/// A draw that repeats an earlier choice of the same list is redrawn. In the reference
/// inventory, 46% of slots are evening-or-weekend but 79% of first choices are; busy
/// districts have 5% of slots but draw about a third of first choices.
///
/// # Example
/// ```
/// use fairbook_lab::rng::Rng;
/// use fairbook_lab::workload::{Demand, InventorySpec};
/// use fairbook::SlotId;
///
/// let spec = InventorySpec::reference(1_500_000);
/// let demand = Demand::new(&spec);
/// let mut rng = Rng::new(1);
/// let mut choices = [SlotId::new(0); 5];
/// demand.preferences(&mut rng, &mut choices);
/// for (position, slot) in choices.iter().enumerate() {
///     assert!(u64::from(slot.as_u32()) < spec.slot_count());
///     assert!(!choices[..position].contains(slot));
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Demand {
    spec: InventorySpec,
    busy_district_sites: u32,
    /// Every (day, window) that is an evening or on a weekend.
    evening_or_weekend_times: Vec<(u16, u8)>,
}

impl Demand {
    /// The probability that a choice is an evening-or-weekend slot.
    pub const EVENING_OR_WEEKEND_PROBABILITY: f64 = 0.6;
    /// The probability that a choice is a slot at a busy-district site.
    pub const BUSY_DISTRICT_PROBABILITY: f64 = 0.3;
    /// How many windows at the end of each day count as evening.
    pub const EVENING_WINDOWS: u8 = 2;
    /// The percentage of sites, counted from site 0 and rounded up, that are in busy
    /// districts.
    pub const BUSY_DISTRICT_PERCENT_OF_SITES: u64 = 5;

    /// The demand model for an inventory.
    ///
    /// # Panics
    /// Panics if the inventory has more slots than [`SlotId`] can number (2^32).
    pub fn new(spec: &InventorySpec) -> Demand {
        assert!(
            spec.slot_count() <= 1 << 32,
            "an inventory of {} slots has more than slot ids can number",
            spec.slot_count()
        );
        // Rounded up, so that any inventory with sites has at least one busy one. The result
        // is at most `sites`, so it fits a `u32`.
        let busy_district_sites =
            (u64::from(spec.sites) * Self::BUSY_DISTRICT_PERCENT_OF_SITES).div_ceil(100) as u32;
        let mut demand = Demand {
            spec: *spec,
            busy_district_sites,
            evening_or_weekend_times: Vec::new(),
        };
        demand.evening_or_weekend_times = (0..spec.days)
            .flat_map(|day| (0..spec.windows).map(move |window| (day, window)))
            .filter(|&(day, window)| {
                Demand::is_weekend(Day::new(day)) || demand.is_evening(Window::new(window))
            })
            .collect();
        demand
    }

    /// Whether `window` is one of the last [`Demand::EVENING_WINDOWS`] windows of the day.
    pub fn is_evening(&self, window: Window) -> bool {
        window.as_u8() >= self.spec.windows.saturating_sub(Self::EVENING_WINDOWS)
    }

    /// Whether `day` falls on a weekend (`day % 7` is 5 or 6).
    pub fn is_weekend(day: Day) -> bool {
        day.as_u16() % 7 >= 5
    }

    /// Whether `site` is in a busy district.
    pub fn is_busy_district(&self, site: SiteId) -> bool {
        site.as_u32() < self.busy_district_sites
    }

    /// Whether `slot` is an evening or weekend slot (`false` for a slot not in the
    /// inventory).
    pub fn is_evening_or_weekend(&self, slot: SlotId) -> bool {
        self.spec
            .location(slot)
            .is_some_and(|(_, day, window)| Self::is_weekend(day) || self.is_evening(window))
    }

    /// Fills `choices` with a person's ranked preferences: distinct slots, most wanted first,
    /// drawn from `rng` by the model described on [`Demand`].
    ///
    /// Lists are meant to be short (a handful of slots): each draw is checked against the
    /// earlier ones, and a list nearly as long as the inventory would take many redraws to
    /// finish.
    ///
    /// # Panics
    /// Panics if `choices` is longer than the inventory has slots, since the choices could
    /// not all be distinct.
    pub fn preferences(&self, rng: &mut Rng, choices: &mut [SlotId]) {
        assert!(
            choices.len() as u64 <= self.spec.slot_count(),
            "{} distinct choices from an inventory of {} slots",
            choices.len(),
            self.spec.slot_count()
        );
        for position in 0..choices.len() {
            let slot = loop {
                let candidate = self.draw(rng);
                if !choices[..position].contains(&candidate) {
                    break candidate;
                }
            };
            choices[position] = slot;
        }
    }

    /// One choice, before the check against earlier choices. Only called when the inventory
    /// has at least one slot, so every range below is non-empty.
    fn draw(&self, rng: &mut Rng) -> SlotId {
        let spec = &self.spec;
        let branch = rng.unit_f64();
        let (site, day, window) = if branch < Self::EVENING_OR_WEEKEND_PROBABILITY {
            let site = rng.below(u64::from(spec.sites)) as u32;
            let time = rng.below(self.evening_or_weekend_times.len() as u64) as usize;
            let (day, window) = self.evening_or_weekend_times[time];
            (site, day, window)
        } else {
            let site_range = if branch
                < Self::EVENING_OR_WEEKEND_PROBABILITY + Self::BUSY_DISTRICT_PROBABILITY
            {
                self.busy_district_sites
            } else {
                spec.sites
            };
            let site = rng.below(u64::from(site_range)) as u32;
            let day = rng.below(u64::from(spec.days)) as u16;
            let window = rng.below(u64::from(spec.windows)) as u8;
            (site, day, window)
        };
        // `new` checked that every slot index fits a `SlotId`.
        SlotId::new(spec.slot_index(site, day, window) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The inverse of [`SplitMix64::mix`], to build a seed that hits the reserved id.
    fn unmix(value: u64) -> u64 {
        fn undo_xor_shift(value: u64, shift: u32) -> u64 {
            let mut original = value;
            for _ in 0..64 / shift + 1 {
                original = value ^ (original >> shift);
            }
            original
        }
        fn inverse_of_odd(multiplier: u64) -> u64 {
            // Newton's iteration doubles the number of correct low bits each step.
            let mut inverse = multiplier;
            for _ in 0..6 {
                inverse = inverse.wrapping_mul(2u64.wrapping_sub(multiplier.wrapping_mul(inverse)));
            }
            inverse
        }
        let mut original = undo_xor_shift(value, 31);
        original = original.wrapping_mul(inverse_of_odd(0x94D0_49BB_1331_11EB));
        original = undo_xor_shift(original, 27);
        original = original.wrapping_mul(inverse_of_odd(0xBF58_476D_1CE4_E5B9));
        undo_xor_shift(original, 30)
    }

    fn small_zipf(people: u64, joins: u64, seed: u64) -> SurgeSpec {
        SurgeSpec {
            people,
            joins,
            seed,
            skew: JoinSkew::Zipf { exponent: 1.0 },
        }
    }

    #[test]
    fn reference_specs_match_the_documented_surge() {
        let surge = SurgeSpec::reference();
        assert_eq!(
            (surge.people, surge.joins, surge.seed, surge.skew),
            (1_500_000, 10_000_000, 2021, JoinSkew::Uniform)
        );
        let inventory = InventorySpec::reference(surge.people);
        assert_eq!(inventory.sites, 14_000);
        assert_eq!(inventory.days, 14);
        assert_eq!(inventory.windows, 8);
        assert_eq!(inventory.total_capacity, 1_650_000);
        assert_eq!(inventory.slot_count(), 1_568_000);
        // Rounding to nearest, half up.
        assert_eq!(InventorySpec::reference(5).total_capacity, 6);
        assert_eq!(InventorySpec::reference(4).total_capacity, 4);
        assert_eq!(InventorySpec::reference(u64::MAX).total_capacity, u64::MAX);
    }

    #[test]
    fn person_ids_are_distinct_valid_and_seeded() {
        let ids = person_ids(200_000, 2021);
        assert_eq!(ids.len(), 200_000);
        assert!(ids.iter().all(|id| id.is_valid()));
        let mut raw: Vec<u64> = ids.iter().map(|id| id.as_u64()).collect();
        raw.sort_unstable();
        raw.dedup();
        assert_eq!(raw.len(), 200_000);
        assert_eq!(ids, person_ids(200_000, 2021));
        assert_ne!(ids, person_ids(200_000, 2022));
        // A longer table starts with the shorter one, so person `i` is the same person
        // whatever the population size.
        assert_eq!(person_ids(1_000, 2021)[..], ids[..1_000]);
        assert!(person_ids(0, 2021).is_empty());
    }

    #[test]
    fn the_reserved_id_is_replaced_by_an_unused_one() {
        assert_eq!(
            unmix(SplitMix64::mix(0x1234_5678_9ABC_DEF0)),
            0x1234_5678_9ABC_DEF0
        );
        // Choose the seed so that person 3's mix is exactly `u64::MAX`.
        let key = unmix(u64::MAX) ^ 3;
        let seed = unmix(key) ^ PERSON_ID_STREAM;
        assert_eq!(stream_seed(seed, PERSON_ID_STREAM), key);

        let ids = person_ids(10, seed);
        assert!(ids.iter().all(|id| id.is_valid()));
        let mut raw: Vec<u64> = ids.iter().map(|id| id.as_u64()).collect();
        raw.sort_unstable();
        raw.dedup();
        assert_eq!(raw.len(), 10);
        assert_eq!(ids[3], PersonId::new(SplitMix64::mix(10 ^ key)));
    }

    #[test]
    fn join_stream_is_deterministic_per_seed() {
        for skew in [JoinSkew::Uniform, JoinSkew::Zipf { exponent: 1.0 }] {
            let spec = SurgeSpec {
                people: 10_000,
                joins: 50_000,
                seed: 5,
                skew,
            };
            let stream = join_stream(&spec);
            assert_eq!(stream, join_stream(&spec));
            assert_ne!(stream, join_stream(&SurgeSpec { seed: 6, ..spec }));
        }
    }

    #[test]
    fn join_stream_has_the_requested_length() {
        for skew in [JoinSkew::Uniform, JoinSkew::Zipf { exponent: 1.2 }] {
            for (people, joins) in [(1, 0), (1, 1), (10, 3), (10, 10), (1_000, 12_345)] {
                let spec = SurgeSpec {
                    people,
                    joins,
                    seed: 1,
                    skew,
                };
                assert_eq!(join_stream(&spec).len() as u64, joins, "{spec:?}");
            }
        }
        let nobody = SurgeSpec {
            people: 0,
            joins: 0,
            seed: 1,
            skew: JoinSkew::Uniform,
        };
        assert!(join_stream(&nobody).is_empty());
    }

    #[test]
    #[should_panic(expected = "needs at least one person")]
    fn join_stream_without_people_panics() {
        join_stream(&SurgeSpec {
            people: 0,
            joins: 1,
            seed: 1,
            skew: JoinSkew::Uniform,
        });
    }

    #[test]
    #[should_panic(expected = "Zipf exponent")]
    fn join_stream_with_a_negative_exponent_panics() {
        join_stream(&SurgeSpec {
            skew: JoinSkew::Zipf { exponent: -1.0 },
            ..small_zipf(10, 20, 1)
        });
    }

    #[test]
    fn join_stream_only_names_the_surge_people() {
        for skew in [JoinSkew::Uniform, JoinSkew::Zipf { exponent: 1.0 }] {
            let spec = SurgeSpec {
                people: 5_000,
                joins: 20_000,
                seed: 3,
                skew,
            };
            let mut people: Vec<PersonId> = person_ids(spec.people, spec.seed);
            people.sort_unstable();
            assert!(
                join_stream(&spec)
                    .iter()
                    .all(|person| people.binary_search(person).is_ok())
            );
        }
    }

    #[test]
    fn uniform_distinct_count_matches_the_expectation() {
        // A tenth of the reference surge keeps the same joins-to-people ratio (6.7), where
        // the standard deviation of the distinct count is far below 1% of it.
        let spec = SurgeSpec {
            people: 150_000,
            joins: 1_000_000,
            seed: 2021,
            skew: JoinSkew::Uniform,
        };
        let distinct = distinct_count(&join_stream(&spec)) as f64;
        let people = spec.people as f64;
        let expected = people * (1.0 - (-(spec.joins as f64) / people).exp());
        assert!(
            (distinct - expected).abs() < 0.01 * expected,
            "distinct {distinct}, expected {expected}"
        );
        assert!((spec.expected_distinct_people() - expected).abs() < 1.0);

        // With as many joins as people, about 63% of people appear.
        let sparse = SurgeSpec {
            joins: 150_000,
            ..spec
        };
        let distinct = distinct_count(&join_stream(&sparse)) as f64;
        let expected = people * (1.0 - (-1.0f64).exp());
        assert!(
            (distinct - expected).abs() < 0.01 * expected,
            "distinct {distinct}, expected {expected}"
        );
    }

    #[test]
    fn zipf_stream_has_everybody_and_hot_people_dominate() {
        let spec = small_zipf(100_000, 700_000, 2021);
        let stream = join_stream(&spec);
        assert_eq!(distinct_count(&stream), spec.people);
        assert_eq!(spec.expected_distinct_people(), spec.people as f64);

        let mut raw: Vec<u64> = stream.iter().map(|person| person.as_u64()).collect();
        raw.sort_unstable();
        let mut requests_per_person: Vec<u64> = raw
            .chunk_by(|first, second| first == second)
            .map(|run| run.len() as u64)
            .collect();
        requests_per_person.sort_unstable_by(|first, second| second.cmp(first));
        let top_one_percent = (spec.people / 100) as usize;
        let top_share =
            requests_per_person[..top_one_percent].iter().sum::<u64>() as f64 / spec.joins as f64;
        // With exponent 1 the top 1% sends about half of all requests; a fifth is already
        // twenty times their head count.
        assert!(top_share > 0.2, "top 1% share {top_share}");
    }

    #[test]
    fn zipf_hot_people_are_not_the_first_people() {
        let spec = small_zipf(10_000, 100_000, 11);
        let stream = join_stream(&spec);
        let ids = person_ids(spec.people, spec.seed);
        let first_tenth: std::collections::HashSet<PersonId> =
            ids[..1_000].iter().copied().collect();
        let share = stream
            .iter()
            .filter(|person| first_tenth.contains(person))
            .count() as f64
            / stream.len() as f64;
        // The first tenth of the people should send roughly a tenth of the requests, not
        // the bulk of them as they would if rank followed index.
        assert!(share < 0.3, "share of the first tenth {share}");
    }

    #[test]
    fn zipf_with_fewer_joins_than_people_is_a_distinct_subset() {
        let stream = join_stream(&small_zipf(1_000, 300, 4));
        assert_eq!(stream.len(), 300);
        assert_eq!(distinct_count(&stream), 300);
    }

    #[test]
    fn zipf_ranks_follow_the_law() {
        // Chi-square against the exact probabilities of 10 ranks (9 degrees of freedom;
        // 99.99th percentile about 33.7; the seed is fixed).
        for exponent in [0.0, 0.5, 1.0, 1.5, 2.5] {
            let ranks = ZipfRanks::new(10, exponent);
            let mut rng = Rng::new(77);
            let draws = 200_000u64;
            let mut counts = [0u64; 10];
            for _ in 0..draws {
                let rank = ranks.sample(&mut rng);
                assert!((1..=10).contains(&rank));
                counts[(rank - 1) as usize] += 1;
            }
            let weights: Vec<f64> = (1..=10).map(|k| (k as f64).powf(-exponent)).collect();
            let total: f64 = weights.iter().sum();
            let chi_square: f64 = counts
                .iter()
                .zip(&weights)
                .map(|(&count, &weight)| {
                    let expected = draws as f64 * weight / total;
                    (count as f64 - expected).powi(2) / expected
                })
                .sum();
            assert!(
                chi_square < 40.0,
                "exponent {exponent}: chi-square {chi_square}, counts {counts:?}"
            );
        }
        let single = ZipfRanks::new(1, 1.0);
        let mut rng = Rng::new(1);
        assert!((0..100).all(|_| single.sample(&mut rng) == 1));
    }

    #[test]
    fn distinct_count_counts_each_person_once() {
        assert_eq!(distinct_count(&[]), 0);
        let stream: Vec<PersonId> = [3, 1, 3, 3, 2, 1].into_iter().map(PersonId::new).collect();
        assert_eq!(distinct_count(&stream), 3);
    }

    #[test]
    fn slots_cover_the_grid_in_id_order() {
        let spec = InventorySpec {
            sites: 7,
            days: 3,
            windows: 5,
            total_capacity: 500,
            seed: 1,
        };
        let inventory = slots(&spec);
        assert_eq!(inventory.len() as u64, spec.slot_count());
        for (index, slot) in inventory.iter().enumerate() {
            let id = SlotId::new(index as u32);
            assert_eq!(spec.slot_id(slot.site, slot.day, slot.window), Some(id));
            assert_eq!(spec.location(id), Some((slot.site, slot.day, slot.window)));
        }
        assert_eq!(spec.location(SlotId::new(105)), None);
    }

    #[test]
    fn capacities_sum_exactly() {
        for (sites, days, windows, total_capacity) in [
            (1, 1, 1, 0),
            (1, 1, 1, 7),
            (10, 14, 8, 1_100),
            (10, 14, 8, 500),
            (10, 14, 8, 1_120),
            (333, 7, 3, 1_000_003),
            (50, 2, 2, 1),
        ] {
            for seed in [0, 1, 2021] {
                let spec = InventorySpec {
                    sites,
                    days,
                    windows,
                    total_capacity,
                    seed,
                };
                let inventory = slots(&spec);
                let sum: u64 = inventory.iter().map(|slot| u64::from(slot.capacity)).sum();
                assert_eq!(sum, total_capacity, "{spec:?}");
                if total_capacity >= spec.slot_count() {
                    assert!(inventory.iter().all(|slot| slot.capacity >= 1), "{spec:?}");
                }
            }
        }
        let empty = InventorySpec {
            sites: 0,
            ..InventorySpec::reference(10)
        };
        assert!(
            slots(&InventorySpec {
                total_capacity: 0,
                ..empty
            })
            .is_empty()
        );
    }

    #[test]
    #[should_panic(expected = "no slot")]
    fn slots_without_slots_but_with_places_panic() {
        slots(&InventorySpec {
            windows: 0,
            ..InventorySpec::reference(10)
        });
    }

    #[test]
    fn reference_inventory_is_exact_and_sites_differ_in_size() {
        let spec = InventorySpec::reference(SurgeSpec::REFERENCE_PEOPLE);
        let inventory = slots(&spec);
        assert_eq!(inventory.len(), 1_568_000);
        let sum: u64 = inventory.iter().map(|slot| u64::from(slot.capacity)).sum();
        assert_eq!(sum, 1_650_000);
        assert_eq!(inventory, slots(&spec));
        assert_ne!(inventory, slots(&InventorySpec { seed: 1, ..spec }));

        let slots_per_site = 14 * 8;
        let places_per_site: Vec<u64> = inventory
            .chunks(slots_per_site)
            .map(|site| site.iter().map(|slot| u64::from(slot.capacity)).sum())
            .collect();
        let smallest = *places_per_site.iter().min().unwrap_or(&0);
        let largest = *places_per_site.iter().max().unwrap_or(&0);
        assert!(smallest >= slots_per_site as u64);
        assert!(
            largest > smallest + 5,
            "smallest {smallest}, largest {largest}"
        );
    }

    #[test]
    fn large_totals_make_small_and_large_sites() {
        let spec = InventorySpec {
            sites: 1_000,
            days: 1,
            windows: 1,
            total_capacity: 100_000,
            seed: 3,
        };
        let inventory = slots(&spec);
        let smallest = inventory
            .iter()
            .map(|slot| slot.capacity)
            .min()
            .unwrap_or(0);
        let largest = inventory
            .iter()
            .map(|slot| slot.capacity)
            .max()
            .unwrap_or(0);
        // Weights 1 and 4 with one place as a floor: a large site's slot holds nearly four
        // times what a small site's does.
        assert!(smallest > 20, "smallest {smallest}");
        assert!(
            (3 * smallest..=4 * smallest + 4).contains(&largest),
            "smallest {smallest}, largest {largest}"
        );
    }

    #[test]
    fn demand_classifies_evenings_weekends_and_busy_districts() {
        let spec = InventorySpec::reference(1_000);
        let demand = Demand::new(&spec);
        assert!(demand.is_evening(Window::new(6)));
        assert!(demand.is_evening(Window::new(7)));
        assert!(!demand.is_evening(Window::new(5)));
        assert!(Demand::is_weekend(Day::new(5)));
        assert!(Demand::is_weekend(Day::new(13)));
        assert!(!Demand::is_weekend(Day::new(7)));
        assert!(demand.is_busy_district(SiteId::new(699)));
        assert!(!demand.is_busy_district(SiteId::new(700)));
        // 4 weekend days of 8 windows and 10 weekdays of 2 evening windows.
        assert_eq!(demand.evening_or_weekend_times.len(), 4 * 8 + 10 * 2);

        let one_site = Demand::new(&InventorySpec {
            sites: 1,
            days: 1,
            windows: 1,
            total_capacity: 1,
            seed: 0,
        });
        assert!(one_site.is_busy_district(SiteId::new(0)));
        assert!(one_site.is_evening(Window::new(0)));
    }

    #[test]
    fn preferences_are_distinct_and_in_range() {
        let spec = InventorySpec {
            sites: 20,
            days: 7,
            windows: 4,
            total_capacity: 600,
            seed: 2,
        };
        let demand = Demand::new(&spec);
        let mut rng = Rng::new(2);
        for length in [0, 1, 5, 20] {
            let mut choices = vec![SlotId::new(0); length];
            for _ in 0..1_000 {
                demand.preferences(&mut rng, &mut choices);
                for (position, slot) in choices.iter().enumerate() {
                    assert!(u64::from(slot.as_u32()) < spec.slot_count());
                    assert!(!choices[..position].contains(slot));
                }
            }
        }
        // A list as long as the inventory is every slot once.
        let tiny = InventorySpec {
            sites: 2,
            days: 2,
            windows: 2,
            total_capacity: 8,
            seed: 0,
        };
        let mut everything = [SlotId::new(0); 8];
        Demand::new(&tiny).preferences(&mut rng, &mut everything);
        everything.sort_unstable();
        assert_eq!(
            everything,
            core::array::from_fn(|index| SlotId::new(index as u32))
        );
    }

    #[test]
    #[should_panic(expected = "distinct choices")]
    fn preferences_longer_than_the_inventory_panic() {
        let tiny = InventorySpec {
            sites: 1,
            days: 1,
            windows: 2,
            total_capacity: 2,
            seed: 0,
        };
        Demand::new(&tiny).preferences(&mut Rng::new(0), &mut [SlotId::new(0); 3]);
    }

    #[test]
    fn preferences_lean_to_the_popular_slots() {
        let spec = InventorySpec::reference(SurgeSpec::REFERENCE_PEOPLE);
        let demand = Demand::new(&spec);
        let mut rng = Rng::new(2021);
        let people = 100_000;
        let mut evening_or_weekend = 0u32;
        let mut busy_district = 0u32;
        let mut choices = [SlotId::new(0); 3];
        for _ in 0..people {
            demand.preferences(&mut rng, &mut choices);
            if demand.is_evening_or_weekend(choices[0]) {
                evening_or_weekend += 1;
            }
            if spec
                .location(choices[0])
                .is_some_and(|(site, _, _)| demand.is_busy_district(site))
            {
                busy_district += 1;
            }
        }
        let popular_share_of_slots = 52.0 / 112.0;
        let popular_share_of_choices = f64::from(evening_or_weekend) / f64::from(people);
        // The model gives 0.6 + 0.4 · 52/112 ≈ 0.79, against 0.46 of slots.
        assert!(
            popular_share_of_choices > popular_share_of_slots + 0.25,
            "evening or weekend: {popular_share_of_choices}"
        );
        let busy_share_of_choices = f64::from(busy_district) / f64::from(people);
        // The model gives 0.3 + 0.7 · 0.05 ≈ 0.34, against 0.05 of slots.
        assert!(
            (0.32..0.36).contains(&busy_share_of_choices),
            "busy district: {busy_share_of_choices}"
        );
    }
}
