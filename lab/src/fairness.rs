//! Queue-fairness metrics over the outcome of a run: how far admission strayed from join order,
//! how long and how evenly people waited, and what they ended up with.
//!
//! This module owns [`PersonOutcome`] (one row per person, as a per-person CSV would hold it),
//! [`FairnessReport`] (every metric at once) and one public function per metric, so that a
//! researcher comparing waiting-room admission policies can compute a single number without the
//! rest. The formulas, what each metric captures and where it comes from are in
//! `docs/fairness.md`.
//!
//! All metrics are pure functions of the outcomes: they read no clock, keep no state and return
//! the same value for the same slice every time. They never panic, whatever the input, and never
//! return `NaN`: a metric that is undefined for the input (a percentile of no waits, say) is
//! `None`, and each function documents its value on empty input.
//!
//! # Inconsistent input
//!
//! Outcomes are taken as given and each row counts on its own; duplicate person ids are not
//! merged. A person counts as **admitted** only when both [`PersonOutcome::admitted_at`] and
//! [`PersonOutcome::admit_rank`] are `Some`; a row with only one of the two counts as not
//! admitted everywhere. Rank comparisons are strict, so two people with the same `join_rank`
//! or the same `admit_rank` never form an inversion and never overtake each other. A person
//! admitted before they joined has a wait of 0 ms, because [`Timestamp::millis_since`]
//! saturates.
//!
//! # Example
//!
//! Three people join in the order A, B, C; the policy lets in B, then A, then C.
//!
//! ```
//! use fairbook_lab::fairness::{FairnessReport, PersonOutcome};
//! use fairbook::{CohortId, PersonId, Timestamp};
//!
//! let a = PersonOutcome {
//!     person: PersonId::new(1),
//!     cohort: CohortId::new(0),
//!     joined_at: Timestamp::from_millis(0),
//!     join_rank: 0,
//!     admitted_at: Some(Timestamp::from_millis(2_000)),
//!     admit_rank: Some(1),
//!     bounces: 0,
//!     choices_listed: 2,
//!     got_choice: Some(0),
//!     bypass_booking: false,
//!     found_sold_out: false,
//!     booking: None,
//! };
//! let b = PersonOutcome {
//!     person: PersonId::new(2),
//!     join_rank: 1,
//!     joined_at: Timestamp::from_millis(10),
//!     admitted_at: Some(Timestamp::from_millis(1_010)),
//!     admit_rank: Some(0),
//!     bounces: 1,
//!     ..a.clone()
//! };
//! let c = PersonOutcome {
//!     person: PersonId::new(3),
//!     join_rank: 2,
//!     joined_at: Timestamp::from_millis(20),
//!     admitted_at: Some(Timestamp::from_millis(3_020)),
//!     admit_rank: Some(2),
//!     got_choice: Some(1),
//!     ..a.clone()
//! };
//!
//! let report = FairnessReport::compute(&[a, b, c]);
//! assert_eq!(report.admitted_count, 3);
//! // B overtook A: one inverted pair out of three.
//! assert_eq!(report.fifo_inversions_count, 1);
//! assert!((report.kendall_tau_distance - 1.0 / 3.0).abs() < 1e-12);
//! assert_eq!(report.max_overtaking_count, 1);
//! // Waits are 2000, 1000 and 3000 ms.
//! assert_eq!(report.wait_times.p50_ms, Some(2_000));
//! assert_eq!(report.wait_times.max_ms, Some(3_000));
//! assert_eq!(report.bounced_people_count, 1);
//! assert_eq!(report.preferences.got_choice_counts, vec![2, 1]);
//!
//! // A CLI prints the report as name/value rows.
//! for (name, value) in report.to_table_rows() {
//!     println!("{name:<28} {value}");
//! }
//! ```

use core::fmt;
use std::collections::BTreeMap;

use fairbook::{CohortId, PersonId, Timestamp};

use crate::placement::{BookedPlace, PlacementReport};

/// What happened to one person in a run (one row of a per-person CSV).
///
/// The metrics read ranks for order and timestamps for waits, so that a log whose clock ties
/// many joins into one millisecond still has a well-defined join order.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonOutcome {
    /// Who this row is about. Metrics do not read it; it is kept so that rows can be traced
    /// back to a person.
    pub person: PersonId,
    /// The person's eligibility group, used for the per-cohort metrics.
    pub cohort: CohortId,
    /// When the person first tried to join.
    pub joined_at: Timestamp,
    /// Rank in order of first joining (0 = first). Unique across the slice.
    pub join_rank: u64,
    /// When the person was (last) let in, if ever.
    pub admitted_at: Option<Timestamp>,
    /// Rank in order of admission (0 = first admitted). Unique among admitted people.
    pub admit_rank: Option<u64>,
    /// Times the person lost their place and had to start again.
    pub bounces: u32,
    /// How many ranked preferences the person listed.
    pub choices_listed: u8,
    /// Which of their preferences they got (0 = first choice), or None for no booking.
    pub got_choice: Option<u8>,
    /// The person holds a booking but was never admitted (a bypass of the queue).
    pub bypass_booking: bool,
    /// The person waited and found the inventory gone (sold out) before or at their turn.
    pub found_sold_out: bool,
    /// The appointment they booked: where, when, how far from where they wanted it and how
    /// many days later than wanted. `None` without a booking (or in data that does not say).
    pub booking: Option<BookedPlace>,
}

impl PersonOutcome {
    /// `true` when the person counts as admitted: both `admitted_at` and `admit_rank` are
    /// `Some`.
    ///
    /// Requiring both keeps the order metrics (which read `admit_rank`) and the wait metrics
    /// (which read `admitted_at`) about the same set of people.
    pub fn is_admitted(&self) -> bool {
        self.admitted_at.is_some() && self.admit_rank.is_some()
    }

    /// The wait `admitted_at − joined_at` in milliseconds, or `None` when the person does not
    /// count as admitted (see [`PersonOutcome::is_admitted`]).
    ///
    /// An `admitted_at` earlier than `joined_at` gives 0, not a negative wait.
    pub fn wait_ms(&self) -> Option<u64> {
        match (self.admitted_at, self.admit_rank) {
            (Some(admitted_at), Some(_)) => Some(admitted_at.millis_since(self.joined_at)),
            _ => None,
        }
    }
}

/// Number of people who count as admitted (see [`PersonOutcome::is_admitted`]).
pub fn admitted_count(outcomes: &[PersonOutcome]) -> u64 {
    count_where(outcomes, PersonOutcome::is_admitted)
}

/// FIFO inversions among admitted people: the number of pairs (a, b) with
/// `a.join_rank < b.join_rank` but `a.admit_rank > b.admit_rank`.
///
/// 0 means admission kept join order exactly. Ties in either rank never count. Runs in
/// O(n log n) for n admitted people; 0 on empty input.
pub fn fifo_inversions_count(outcomes: &[PersonOutcome]) -> u64 {
    overtaken_counts(&admitted_ranks(outcomes))
        .into_iter()
        .fold(0u64, u64::saturating_add)
}

/// Normalised Kendall tau distance between join order and admission order:
/// `inversions / (n(n − 1)/2)` over the n admitted people.
///
/// 0.0 is perfect FIFO, 1.0 is exactly reversed order, and Kendall's own τ (without ties) is
/// `1 − 2·distance`. Tied pairs stay in the denominator but can never be inverted, so with
/// ties the distance cannot reach 1.0. Returns 0.0 when fewer than two people were admitted,
/// since there is no pair to put out of order.
pub fn kendall_tau_distance(outcomes: &[PersonOutcome]) -> f64 {
    let ranks = admitted_ranks(outcomes);
    let inversions = overtaken_counts(&ranks)
        .into_iter()
        .fold(0u64, u64::saturating_add);
    normalise_inversions(inversions, ranks.len() as u64)
}

/// Maximum overtaking: over admitted people x, the largest number of admitted people who
/// joined after x (`join_rank` greater) but were admitted before x (`admit_rank` smaller).
///
/// This is the worst any one admitted person was treated relative to FIFO, where the
/// inversion count is the total over everyone. Runs in O(n log n); 0 on empty input.
pub fn max_overtaking_count(outcomes: &[PersonOutcome]) -> u64 {
    overtaken_counts(&admitted_ranks(outcomes))
        .into_iter()
        .max()
        .unwrap_or(0)
}

/// Waits `admitted_at − joined_at` in milliseconds of every admitted person, sorted ascending.
///
/// The result is the input [`percentile_nearest_rank_ms`] expects. Empty when nobody was
/// admitted.
pub fn wait_times_ms(outcomes: &[PersonOutcome]) -> Vec<u64> {
    let mut waits_ms: Vec<u64> = outcomes.iter().filter_map(PersonOutcome::wait_ms).collect();
    waits_ms.sort_unstable();
    waits_ms
}

/// The `percent`-th percentile of `sorted_waits_ms` by the nearest-rank method.
///
/// With N values in ascending order, the P-th percentile is the value at 1-based rank
/// `⌈P/100 · N⌉`: the smallest observed value such that at least P % of values are less than
/// or equal to it. It is always an observed value, never an interpolation. `percent` 0 is
/// taken as rank 1 (the minimum) and values above 100 as 100 (the maximum).
///
/// Returns `None` for an empty slice. The slice must be sorted ascending, as
/// [`wait_times_ms`] returns it; unsorted input does not panic, but the result means nothing.
pub fn percentile_nearest_rank_ms(sorted_waits_ms: &[u64], percent: u8) -> Option<u64> {
    let count = sorted_waits_ms.len();
    if count == 0 {
        return None;
    }
    // Integer arithmetic keeps the rank exact: in floats, 0.55 · 100 is 55.00000000000001,
    // whose ceiling would skip to rank 56.
    let percent = u128::from(percent.min(100));
    let rank = (percent * count as u128).div_ceil(100).max(1);
    // rank ≤ count, so the conversion back and the index cannot fail; `get` keeps it panic-free
    // regardless.
    let index = usize::try_from(rank - 1).unwrap_or(count - 1);
    sorted_waits_ms.get(index).copied()
}

/// Summary statistics of the waits of admitted people, in milliseconds.
///
/// Every field is `None` when nobody was admitted, so that an empty run cannot be mistaken for
/// one where everybody got in at once.
#[derive(Clone, Debug, PartialEq)]
pub struct WaitTimeSummary {
    /// Number of waits summarised (the admitted people).
    pub count: u64,
    /// Median wait, nearest-rank (see [`percentile_nearest_rank_ms`]).
    pub p50_ms: Option<u64>,
    /// 90th-percentile wait, nearest-rank.
    pub p90_ms: Option<u64>,
    /// 99th-percentile wait, nearest-rank.
    pub p99_ms: Option<u64>,
    /// Longest wait.
    pub max_ms: Option<u64>,
    /// Arithmetic mean wait `Σx / n`.
    pub mean_ms: Option<f64>,
    /// Population variance of the waits `Σ(x − mean)² / n`, in ms². Lower is fairer in the
    /// sense of Avi-Itzhak and Levy (2004).
    pub variance_ms2: Option<f64>,
}

impl WaitTimeSummary {
    /// Summarises the waits of the admitted people in `outcomes`.
    pub fn from_outcomes(outcomes: &[PersonOutcome]) -> WaitTimeSummary {
        WaitTimeSummary::from_sorted_waits_ms(&wait_times_ms(outcomes))
    }

    /// Summarises waits given in any order.
    pub fn from_waits_ms(waits_ms: &[u64]) -> WaitTimeSummary {
        let mut sorted_waits_ms = waits_ms.to_vec();
        sorted_waits_ms.sort_unstable();
        WaitTimeSummary::from_sorted_waits_ms(&sorted_waits_ms)
    }

    /// Works on a sorted slice so that the report sorts the waits once for all percentiles.
    fn from_sorted_waits_ms(sorted_waits_ms: &[u64]) -> WaitTimeSummary {
        let count = sorted_waits_ms.len();
        let (mean_ms, variance_ms2) = if count == 0 {
            (None, None)
        } else {
            // The sum is exact in u128 (each wait is below 2^64), so the mean has one rounding.
            let sum_ms: u128 = sorted_waits_ms.iter().map(|&wait| u128::from(wait)).sum();
            let mean_ms = sum_ms as f64 / count as f64;
            // Two passes rather than Σx²/n − mean², which cancels badly when waits are long
            // and close together.
            let squared_deviations_ms2: f64 = sorted_waits_ms
                .iter()
                .map(|&wait| {
                    let deviation_ms = wait as f64 - mean_ms;
                    deviation_ms * deviation_ms
                })
                .sum();
            (Some(mean_ms), Some(squared_deviations_ms2 / count as f64))
        };
        WaitTimeSummary {
            count: count as u64,
            p50_ms: percentile_nearest_rank_ms(sorted_waits_ms, 50),
            p90_ms: percentile_nearest_rank_ms(sorted_waits_ms, 90),
            p99_ms: percentile_nearest_rank_ms(sorted_waits_ms, 99),
            max_ms: sorted_waits_ms.last().copied(),
            mean_ms,
            variance_ms2,
        }
    }
}

/// Jain's fairness index of `values`: `(Σx)² / (n · Σx²)`.
///
/// It lies between `1/n` (one value holds everything) and 1.0 (all values equal), and reads as
/// "the share of the population treated equally". Defined as 1.0 when `values` is empty or all
/// values are zero, where there is no unequal treatment to measure.
pub fn jain_index(values: &[u64]) -> f64 {
    // Empty or all-zero input would be 0/0; there is no unequal treatment to measure.
    if values.iter().all(|&x| x == 0) {
        return 1.0;
    }
    // In f64 even waits near 2^64 cannot overflow: their squares stay below 2^128 and the sums
    // far below f64::MAX.
    let (sum, sum_of_squares) = values.iter().fold((0.0f64, 0.0f64), |(sum, squares), &x| {
        let x = x as f64;
        (sum + x, squares + x * x)
    });
    let index = (sum * sum) / (values.len() as f64 * sum_of_squares);
    // Cauchy–Schwarz bounds the exact index by 1; the clamp only removes rounding above it.
    index.min(1.0)
}

/// Jain's fairness index (see [`jain_index`]) of the waits of all admitted people; 1.0 when
/// nobody was admitted.
pub fn wait_jain_index(outcomes: &[PersonOutcome]) -> f64 {
    let waits_ms: Vec<u64> = outcomes.iter().filter_map(PersonOutcome::wait_ms).collect();
    jain_index(&waits_ms)
}

/// Jain's fairness index (see [`jain_index`]) of waits within each cohort.
///
/// Every cohort that appears in `outcomes` has an entry, so that reports of different
/// policies over the same people have the same keys. A cohort in which nobody was admitted has
/// no waits and so an index of 1.0; read it together with that cohort's admissions. Empty map
/// on empty input.
pub fn wait_jain_index_by_cohort(outcomes: &[PersonOutcome]) -> BTreeMap<CohortId, f64> {
    let mut waits_by_cohort_ms: BTreeMap<CohortId, Vec<u64>> = BTreeMap::new();
    for outcome in outcomes {
        let waits_ms = waits_by_cohort_ms.entry(outcome.cohort).or_default();
        if let Some(wait_ms) = outcome.wait_ms() {
            waits_ms.push(wait_ms);
        }
    }
    waits_by_cohort_ms
        .into_iter()
        .map(|(cohort, waits_ms)| (cohort, jain_index(&waits_ms)))
        .collect()
}

/// Total bounces `Σ bounces` over everybody (admitted or not): how often people lost their
/// place and had to start again.
pub fn bounces_count(outcomes: &[PersonOutcome]) -> u64 {
    outcomes
        .iter()
        .map(|outcome| u64::from(outcome.bounces))
        .fold(0u64, u64::saturating_add)
}

/// Number of people bounced at least once.
///
/// Set beside [`bounces_count`], it tells whether bounces were spread thin or fell
/// repeatedly on the same few people.
pub fn bounced_people_count(outcomes: &[PersonOutcome]) -> u64 {
    count_where(outcomes, |outcome| outcome.bounces > 0)
}

/// Number of people holding a booking without ever being admitted (a bypass of the queue).
pub fn bypass_bookings_count(outcomes: &[PersonOutcome]) -> u64 {
    count_where(outcomes, |outcome| outcome.bypass_booking)
}

/// Number of people who waited and found the inventory gone at or before their turn.
pub fn found_sold_out_count(outcomes: &[PersonOutcome]) -> u64 {
    count_where(outcomes, |outcome| outcome.found_sold_out)
}

/// How well people's ranked preferences were met, over the people who listed at least one
/// choice.
///
/// People with `choices_listed == 0` are left out entirely, even if they hold a booking,
/// because they have no preference to meet. Among the rest, `got_choice` is taken as given: a
/// `got_choice` at or past `choices_listed` still counts at its own rank.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PreferenceSatisfaction {
    /// People who listed at least one choice: the denominator of every share.
    pub people_with_choices_count: u64,
    /// `got_choice_counts[k]` is the number of people who got their choice `k` (0 = first
    /// choice). The length is one past the largest choice anybody got; empty if nobody got
    /// any.
    pub got_choice_counts: Vec<u64>,
    /// People who listed choices but got no booking.
    pub got_none_count: u64,
    /// `got_choice_counts[k] / people_with_choices_count`, same length as
    /// `got_choice_counts`. Together with `got_none_share` the shares sum to 1, up to
    /// rounding, whenever anybody listed a choice.
    pub got_choice_shares: Vec<f64>,
    /// `got_none_count / people_with_choices_count`; 0.0 when nobody listed a choice.
    pub got_none_share: f64,
}

/// Preference satisfaction: counts per choice rank and the share of people who got each; see
/// [`PreferenceSatisfaction`]. All counts 0 and no shares on empty input.
pub fn preference_satisfaction(outcomes: &[PersonOutcome]) -> PreferenceSatisfaction {
    let mut satisfaction = PreferenceSatisfaction::default();
    for outcome in outcomes.iter().filter(|outcome| outcome.choices_listed > 0) {
        satisfaction.people_with_choices_count += 1;
        match outcome.got_choice {
            Some(choice) => {
                let choice = usize::from(choice);
                if satisfaction.got_choice_counts.len() <= choice {
                    satisfaction.got_choice_counts.resize(choice + 1, 0);
                }
                satisfaction.got_choice_counts[choice] += 1;
            }
            None => satisfaction.got_none_count += 1,
        }
    }
    let share = |count: u64| {
        if satisfaction.people_with_choices_count == 0 {
            0.0
        } else {
            count as f64 / satisfaction.people_with_choices_count as f64
        }
    };
    satisfaction.got_choice_shares = satisfaction
        .got_choice_counts
        .iter()
        .map(|&count| share(count))
        .collect();
    satisfaction.got_none_share = share(satisfaction.got_none_count);
    satisfaction
}

/// Every fairness metric of one run, computed by [`FairnessReport::compute`].
///
/// Each metric can also be computed alone, with the function linked from its field.
#[derive(Clone, Debug, PartialEq)]
pub struct FairnessReport {
    /// Number of outcomes (rows) in the run.
    pub people_count: u64,
    /// Number of people who count as admitted (see [`PersonOutcome::is_admitted`]).
    pub admitted_count: u64,
    /// Pairs of admitted people let in against join order; see [`fifo_inversions_count`].
    pub fifo_inversions_count: u64,
    /// `fifo_inversions_count / (n(n − 1)/2)` over the n admitted people, in [0, 1]; see
    /// [`kendall_tau_distance`].
    pub kendall_tau_distance: f64,
    /// Most admitted people who overtook any one admitted person; see
    /// [`max_overtaking_count`].
    pub max_overtaking_count: u64,
    /// Percentiles, maximum, mean and variance of the waits of admitted people.
    pub wait_times: WaitTimeSummary,
    /// Jain's index `(Σx)² / (n · Σx²)` of all admitted waits; see [`jain_index`].
    pub wait_jain_index: f64,
    /// Jain's index of admitted waits within each cohort; see [`wait_jain_index_by_cohort`].
    pub wait_jain_index_by_cohort: BTreeMap<CohortId, f64>,
    /// Total bounces over everybody; see [`bounces_count`].
    pub bounces_count: u64,
    /// People bounced at least once; see [`bounced_people_count`].
    pub bounced_people_count: u64,
    /// People holding a booking without having been admitted; see [`bypass_bookings_count`].
    pub bypass_bookings_count: u64,
    /// People who waited and found the inventory gone; see [`found_sold_out_count`].
    pub found_sold_out_count: u64,
    /// How well ranked preferences were met; see [`preference_satisfaction`].
    pub preferences: PreferenceSatisfaction,
    /// Where and when people got their appointment against what they wanted; see
    /// [`PlacementReport`].
    pub placement: PlacementReport,
}

impl FairnessReport {
    /// Computes every metric over `outcomes`.
    ///
    /// Never panics; on an empty slice every count is 0, both Jain indices are 1.0, the
    /// per-cohort map is empty and the wait statistics are `None`.
    pub fn compute(outcomes: &[PersonOutcome]) -> FairnessReport {
        // The rank pass serves both order metrics, so the inversions are counted once.
        let ranks = admitted_ranks(outcomes);
        let overtaken = overtaken_counts(&ranks);
        let fifo_inversions_count = overtaken.iter().copied().fold(0u64, u64::saturating_add);
        let waits_ms = wait_times_ms(outcomes);
        FairnessReport {
            people_count: outcomes.len() as u64,
            admitted_count: ranks.len() as u64,
            fifo_inversions_count,
            kendall_tau_distance: normalise_inversions(fifo_inversions_count, ranks.len() as u64),
            max_overtaking_count: overtaken.iter().copied().max().unwrap_or(0),
            wait_times: WaitTimeSummary::from_sorted_waits_ms(&waits_ms),
            wait_jain_index: jain_index(&waits_ms),
            wait_jain_index_by_cohort: wait_jain_index_by_cohort(outcomes),
            bounces_count: bounces_count(outcomes),
            bounced_people_count: bounced_people_count(outcomes),
            bypass_bookings_count: bypass_bookings_count(outcomes),
            found_sold_out_count: found_sold_out_count(outcomes),
            preferences: preference_satisfaction(outcomes),
            placement: PlacementReport::compute(outcomes),
        }
    }

    /// The metrics as `(name, value)` rows in a fixed order, for printing several reports side
    /// by side.
    ///
    /// Names are the field names, flattened (`wait_p50_ms`, `wait_jain_index_cohort_3`,
    /// `got_choice_0_share`). Fractions and other reals are printed with six decimals so that
    /// equal reports print equal text; a metric that is `None` prints as `-`. Rows for cohorts
    /// and choice ranks follow the data, so reports over different people may have different
    /// rows: match them by name.
    pub fn to_table_rows(&self) -> Vec<(String, String)> {
        let mut rows: Vec<(String, String)> = Vec::new();
        let mut push = |name: &str, value: String| rows.push((name.to_owned(), value));
        let waits = &self.wait_times;
        push("people_count", self.people_count.to_string());
        push("admitted_count", self.admitted_count.to_string());
        push(
            "fifo_inversions_count",
            self.fifo_inversions_count.to_string(),
        );
        push(
            "kendall_tau_distance",
            format_real(self.kendall_tau_distance),
        );
        push(
            "max_overtaking_count",
            self.max_overtaking_count.to_string(),
        );
        push("wait_p50_ms", format_optional_count(waits.p50_ms));
        push("wait_p90_ms", format_optional_count(waits.p90_ms));
        push("wait_p99_ms", format_optional_count(waits.p99_ms));
        push("wait_max_ms", format_optional_count(waits.max_ms));
        push("wait_mean_ms", format_optional_real(waits.mean_ms));
        push(
            "wait_variance_ms2",
            format_optional_real(waits.variance_ms2),
        );
        push("wait_jain_index", format_real(self.wait_jain_index));
        for (cohort, index) in &self.wait_jain_index_by_cohort {
            push(
                &format!("wait_jain_index_cohort_{}", cohort.as_u16()),
                format_real(*index),
            );
        }
        push("bounces_count", self.bounces_count.to_string());
        push(
            "bounced_people_count",
            self.bounced_people_count.to_string(),
        );
        push(
            "bypass_bookings_count",
            self.bypass_bookings_count.to_string(),
        );
        push(
            "found_sold_out_count",
            self.found_sold_out_count.to_string(),
        );
        let preferences = &self.preferences;
        push(
            "people_with_choices_count",
            preferences.people_with_choices_count.to_string(),
        );
        for (choice, (count, share)) in preferences
            .got_choice_counts
            .iter()
            .zip(&preferences.got_choice_shares)
            .enumerate()
        {
            push(&format!("got_choice_{choice}_count"), count.to_string());
            push(&format!("got_choice_{choice}_share"), format_real(*share));
        }
        push("got_none_count", preferences.got_none_count.to_string());
        push("got_none_share", format_real(preferences.got_none_share));
        rows.extend(self.placement.to_table_rows());
        rows
    }
}

/// One row per line, names padded to a common width: the rows of
/// [`FairnessReport::to_table_rows`].
impl fmt::Display for FairnessReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = self.to_table_rows();
        let name_width = rows.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
        for (name, value) in &rows {
            writeln!(f, "{name:<name_width$}  {value}")?;
        }
        Ok(())
    }
}

/// The rank pair of one admitted person, the only input the order metrics need.
#[derive(Clone, Copy, Debug)]
struct AdmittedRanks {
    join_rank: u64,
    admit_rank: u64,
}

/// The rank pairs of the people who count as admitted, in input order.
fn admitted_ranks(outcomes: &[PersonOutcome]) -> Vec<AdmittedRanks> {
    outcomes
        .iter()
        .filter_map(|outcome| match (outcome.admitted_at, outcome.admit_rank) {
            (Some(_), Some(admit_rank)) => Some(AdmittedRanks {
                join_rank: outcome.join_rank,
                admit_rank,
            }),
            _ => None,
        })
        .collect()
}

/// For each admitted person x, the number of admitted people y with
/// `y.join_rank > x.join_rank` and `y.admit_rank < x.admit_rank` (who overtook x).
///
/// Every inverted pair is counted exactly once, at the person who was overtaken, so the sum is
/// the FIFO inversion count and the maximum is the maximum overtaking. People are visited from
/// the last joiner to the first while a Fenwick tree over admission ranks counts the later
/// joiners already admitted ahead: O(n log n) in all. The output is in no particular order.
fn overtaken_counts(ranks: &[AdmittedRanks]) -> Vec<u64> {
    // Admission ranks may be sparse or repeated, so they are replaced by their position among
    // the distinct values to index a tree of size n.
    let mut distinct_admit_ranks: Vec<u64> = ranks.iter().map(|r| r.admit_rank).collect();
    distinct_admit_ranks.sort_unstable();
    distinct_admit_ranks.dedup();

    let mut by_join_descending = ranks.to_vec();
    by_join_descending.sort_unstable_by_key(|r| core::cmp::Reverse(r.join_rank));

    let mut tree = FenwickTree::new(distinct_admit_ranks.len());
    let mut overtaken = Vec::with_capacity(ranks.len());
    let mut group_start = 0;
    while group_start < by_join_descending.len() {
        let join_rank = by_join_descending[group_start].join_rank;
        let group_end = group_start
            + by_join_descending[group_start..]
                .iter()
                .take_while(|r| r.join_rank == join_rank)
                .count();
        let group = &by_join_descending[group_start..group_end];
        // People who share a join rank are queried before any of them is inserted, so that
        // they do not count as joining after one another.
        for person in group {
            let admitted_earlier = distinct_admit_ranks.partition_point(|&r| r < person.admit_rank);
            overtaken.push(tree.prefix_sum(admitted_earlier));
        }
        for person in group {
            let position = distinct_admit_ranks.partition_point(|&r| r < person.admit_rank);
            tree.add_one(position);
        }
        group_start = group_end;
    }
    overtaken
}

/// `inversions / (n(n − 1)/2)`, or 0.0 when `n < 2` leaves no pair.
fn normalise_inversions(inversions: u64, admitted: u64) -> f64 {
    if admitted < 2 {
        return 0.0;
    }
    // u128 holds n(n − 1) for any u64 n, so the pair count is exact before the one rounding.
    let pairs = u128::from(admitted) * u128::from(admitted - 1) / 2;
    inversions as f64 / pairs as f64
}

/// Number of outcomes for which `predicate` holds.
fn count_where(outcomes: &[PersonOutcome], predicate: impl Fn(&PersonOutcome) -> bool) -> u64 {
    outcomes.iter().filter(|outcome| predicate(outcome)).count() as u64
}

/// Formats a real with six decimals, the precision every report row uses.
fn format_real(value: f64) -> String {
    format!("{value:.6}")
}

/// Formats an optional real, `-` for `None`.
fn format_optional_real(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), format_real)
}

/// Formats an optional count, `-` for `None`.
fn format_optional_count(value: Option<u64>) -> String {
    value.map_or_else(|| "-".to_owned(), |count| count.to_string())
}

/// A Fenwick (binary indexed) tree of counts: add one at a position, sum a prefix, both in
/// O(log n).
struct FenwickTree {
    /// 1-based: `counts[i]` holds the sum over positions `(i − lowbit(i), i]`.
    counts: Vec<u64>,
}

impl FenwickTree {
    /// A tree over positions `0..len`, all zero.
    fn new(len: usize) -> FenwickTree {
        FenwickTree {
            counts: vec![0; len + 1],
        }
    }

    /// Adds one at `position` (0-based).
    fn add_one(&mut self, position: usize) {
        let mut index = position + 1;
        while let Some(count) = self.counts.get_mut(index) {
            *count += 1;
            index += index & index.wrapping_neg();
        }
    }

    /// Sum over positions `0..end` (0-based, end exclusive).
    fn prefix_sum(&self, end: usize) -> u64 {
        let mut index = end.min(self.counts.len() - 1);
        let mut sum = 0;
        while index > 0 {
            sum += self.counts[index];
            index &= index - 1;
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A person in cohort 0 who joined at `joined_ms` with `join_rank`, and, if `admitted` is
    /// `Some((admitted_ms, admit_rank))`, was let in then. Everything else is neutral.
    fn person(join_rank: u64, joined_ms: u64, admitted: Option<(u64, u64)>) -> PersonOutcome {
        PersonOutcome {
            person: PersonId::new(join_rank),
            cohort: CohortId::new(0),
            joined_at: Timestamp::from_millis(joined_ms),
            join_rank,
            admitted_at: admitted.map(|(ms, _)| Timestamp::from_millis(ms)),
            admit_rank: admitted.map(|(_, rank)| rank),
            bounces: 0,
            choices_listed: 0,
            got_choice: None,
            bypass_booking: false,
            found_sold_out: false,
            booking: None,
        }
    }

    /// People who all joined at 0 ms in join order 0, 1, 2, … and were admitted with the given
    /// admission ranks (waits equal to 1000 ms times the admission rank).
    fn admitted_in_order(admit_ranks: &[u64]) -> Vec<PersonOutcome> {
        admit_ranks
            .iter()
            .enumerate()
            .map(|(join_rank, &admit_rank)| {
                person(join_rank as u64, 0, Some((1_000 * admit_rank, admit_rank)))
            })
            .collect()
    }

    /// People who joined at 0 ms in cohort 0 and waited the given times.
    fn waiting(waits_ms: &[u64]) -> Vec<PersonOutcome> {
        waits_ms
            .iter()
            .enumerate()
            .map(|(rank, &wait_ms)| person(rank as u64, 0, Some((wait_ms, rank as u64))))
            .collect()
    }

    fn assert_close(actual: f64, expected: f64) {
        assert!(
            (actual - expected).abs() < 1e-12,
            "expected {expected}, got {actual}"
        );
    }

    #[test]
    fn empty_input_gives_zero_counts_neutral_indices_and_no_wait_statistics() {
        let report = FairnessReport::compute(&[]);
        assert_eq!(report.people_count, 0);
        assert_eq!(report.admitted_count, 0);
        assert_eq!(report.fifo_inversions_count, 0);
        assert_eq!(report.kendall_tau_distance, 0.0);
        assert_eq!(report.max_overtaking_count, 0);
        assert_eq!(
            report.wait_times,
            WaitTimeSummary {
                count: 0,
                p50_ms: None,
                p90_ms: None,
                p99_ms: None,
                max_ms: None,
                mean_ms: None,
                variance_ms2: None,
            }
        );
        assert_eq!(report.wait_jain_index, 1.0);
        assert!(report.wait_jain_index_by_cohort.is_empty());
        assert_eq!(report.bounces_count, 0);
        assert_eq!(report.bounced_people_count, 0);
        assert_eq!(report.bypass_bookings_count, 0);
        assert_eq!(report.found_sold_out_count, 0);
        assert_eq!(report.preferences, PreferenceSatisfaction::default());
        // Rendering must not panic either, and None shows as "-".
        let rows = report.to_table_rows();
        assert!(rows.contains(&("wait_p50_ms".to_owned(), "-".to_owned())));
        assert!(!report.to_string().is_empty());
    }

    #[test]
    fn two_swapped_pairs_give_two_inversions() {
        // Join order A B C D (ranks 0..3), admission order B A D C:
        // A is admitted 2nd, B 1st, C 4th, D 3rd, so admit ranks are A=1, B=0, C=3, D=2.
        // Inverted pairs: (A, B) and (C, D) → 2 out of 4·3/2 = 6 pairs, tau = 2/6.
        // B overtook A and D overtook C, nobody was overtaken twice → max overtaking 1.
        let outcomes = admitted_in_order(&[1, 0, 3, 2]);
        assert_eq!(fifo_inversions_count(&outcomes), 2);
        assert_close(kendall_tau_distance(&outcomes), 2.0 / 6.0);
        assert_eq!(max_overtaking_count(&outcomes), 1);
    }

    #[test]
    fn reversed_order_inverts_every_pair() {
        // Join order A B C D, admission order D C B A: all 6 pairs inverted, tau = 1.
        // A was overtaken by B, C and D → max overtaking 3.
        let outcomes = admitted_in_order(&[3, 2, 1, 0]);
        assert_eq!(fifo_inversions_count(&outcomes), 6);
        assert_close(kendall_tau_distance(&outcomes), 1.0);
        assert_eq!(max_overtaking_count(&outcomes), 3);
    }

    #[test]
    fn one_late_joiner_jumping_the_whole_line_overtakes_each_person_once() {
        // Join order A B C D E, admission order E A B C D: E is ahead of four earlier joiners,
        // so 4 inversions (tau = 4/10), but each of A..D was overtaken by E only → max 1.
        let outcomes = admitted_in_order(&[1, 2, 3, 4, 0]);
        assert_eq!(fifo_inversions_count(&outcomes), 4);
        assert_close(kendall_tau_distance(&outcomes), 0.4);
        assert_eq!(max_overtaking_count(&outcomes), 1);
    }

    #[test]
    fn fifo_order_has_no_inversions_and_single_admission_has_zero_tau() {
        let outcomes = admitted_in_order(&[0, 1, 2, 3]);
        assert_eq!(fifo_inversions_count(&outcomes), 0);
        assert_eq!(max_overtaking_count(&outcomes), 0);
        assert_eq!(kendall_tau_distance(&admitted_in_order(&[0])), 0.0);
    }

    #[test]
    fn people_not_admitted_do_not_take_part_in_order_metrics() {
        // Join order A B C, only A and C admitted, C before A: one inversion over one pair.
        // B sits between them in join order but was never let in, so it adds nothing.
        let outcomes = vec![
            person(0, 0, Some((2_000, 1))),
            person(1, 0, None),
            person(2, 0, Some((1_000, 0))),
        ];
        let report = FairnessReport::compute(&outcomes);
        assert_eq!(report.people_count, 3);
        assert_eq!(report.admitted_count, 2);
        assert_eq!(report.fifo_inversions_count, 1);
        assert_close(report.kendall_tau_distance, 1.0);
        assert_eq!(report.max_overtaking_count, 1);
    }

    #[test]
    fn half_admitted_rows_count_as_not_admitted() {
        // Row 1 has an admit rank but no admission time, row 2 the reverse: neither counts
        // as admitted, so only rows 0 and 3 (in FIFO order) are left, with waits 100 and 400.
        let mut outcomes = waiting(&[100, 200, 300, 400]);
        outcomes[1].admitted_at = None;
        outcomes[2].admit_rank = None;
        let report = FairnessReport::compute(&outcomes);
        assert_eq!(report.admitted_count, 2);
        assert_eq!(report.fifo_inversions_count, 0);
        assert_eq!(report.wait_times.count, 2);
        assert_eq!(report.wait_times.max_ms, Some(400));
        assert_eq!(outcomes[1].wait_ms(), None);
        assert_eq!(outcomes[2].wait_ms(), None);
    }

    #[test]
    fn tied_ranks_are_never_inversions() {
        // A and B share join rank 0; C and D share admit rank 5.
        // A(join 0, admit 2), B(join 0, admit 1): same join rank → not an inversion.
        // C(join 1, admit 5), D(join 2, admit 5): same admit rank → not an inversion.
        // A and B were both admitted before C and D, who joined later → no inversions there.
        let outcomes = vec![
            person(0, 0, Some((10, 2))),
            person(0, 0, Some((10, 1))),
            person(1, 0, Some((10, 5))),
            person(2, 0, Some((10, 5))),
        ];
        assert_eq!(fifo_inversions_count(&outcomes), 0);
        assert_eq!(max_overtaking_count(&outcomes), 0);
    }

    #[test]
    fn admission_before_joining_counts_as_zero_wait() {
        let outcomes = vec![person(0, 5_000, Some((1_000, 0)))];
        assert_eq!(outcomes[0].wait_ms(), Some(0));
        assert_eq!(wait_times_ms(&outcomes), vec![0]);
    }

    #[test]
    fn wait_statistics_match_hand_computation() {
        // Waits 10, 20, 30, 40 ms. Nearest rank: p50 → ⌈0.5·4⌉ = 2nd = 20,
        // p90 → ⌈3.6⌉ = 4th = 40, p99 → ⌈3.96⌉ = 4th = 40. Mean 25,
        // variance (15² + 5² + 5² + 15²)/4 = 500/4 = 125.
        let summary = WaitTimeSummary::from_outcomes(&waiting(&[40, 10, 30, 20]));
        assert_eq!(summary.count, 4);
        assert_eq!(summary.p50_ms, Some(20));
        assert_eq!(summary.p90_ms, Some(40));
        assert_eq!(summary.p99_ms, Some(40));
        assert_eq!(summary.max_ms, Some(40));
        assert_close(summary.mean_ms.unwrap(), 25.0);
        assert_close(summary.variance_ms2.unwrap(), 125.0);
    }

    #[test]
    fn percentile_edge_cases() {
        // No values: no percentile.
        assert_eq!(percentile_nearest_rank_ms(&[], 50), None);
        // One value is every percentile.
        assert_eq!(percentile_nearest_rank_ms(&[7], 0), Some(7));
        assert_eq!(percentile_nearest_rank_ms(&[7], 50), Some(7));
        assert_eq!(percentile_nearest_rank_ms(&[7], 100), Some(7));
        // Two values: p50 → ⌈1.0⌉ = 1st, p51 → ⌈1.02⌉ = 2nd.
        assert_eq!(percentile_nearest_rank_ms(&[1, 2], 50), Some(1));
        assert_eq!(percentile_nearest_rank_ms(&[1, 2], 51), Some(2));
        // 0 is the minimum, 100 and anything above is the maximum.
        let values: Vec<u64> = (1..=10).collect();
        assert_eq!(percentile_nearest_rank_ms(&values, 0), Some(1));
        assert_eq!(percentile_nearest_rank_ms(&values, 100), Some(10));
        assert_eq!(percentile_nearest_rank_ms(&values, 255), Some(10));
        // Exact boundaries need exact arithmetic: 90 % of 10 is rank 9 exactly, not 10.
        assert_eq!(percentile_nearest_rank_ms(&values, 90), Some(9));
        assert_eq!(percentile_nearest_rank_ms(&values, 91), Some(10));
        // 1..=100: the P-th percentile is P itself.
        let hundred: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile_nearest_rank_ms(&hundred, 50), Some(50));
        assert_eq!(percentile_nearest_rank_ms(&hundred, 99), Some(99));
        // In floats 0.55 · 100 is 55.00000000000001, whose ceiling would wrongly give 56.
        assert_eq!(percentile_nearest_rank_ms(&hundred, 55), Some(55));
        // Unsorted input gives a meaningless value but no panic.
        assert!(percentile_nearest_rank_ms(&[3, 1, 2], 50).is_some());
    }

    #[test]
    fn extreme_waits_do_not_overflow() {
        let longest = Timestamp::MAX.as_millis();
        let summary = WaitTimeSummary::from_waits_ms(&[u64::MAX, u64::MAX, 0, longest]);
        assert_eq!(summary.max_ms, Some(u64::MAX));
        assert!(summary.mean_ms.unwrap().is_finite());
        assert!(summary.variance_ms2.unwrap().is_finite());
        let index = jain_index(&[u64::MAX, u64::MAX, 0, longest]);
        assert!(index.is_finite() && (0.25..=1.0).contains(&index));
        // Ranks at the ends of u64 stay panic-free too. By join rank: 0 (admitted at rank
        // MAX−1), MAX−1 (admitted at MAX), MAX (admitted at 0). The last joiner went first,
        // ahead of both others: 2 inversions, each of the two overtaken once → max 1.
        let outcomes = vec![
            person(u64::MAX, 0, Some((1, 0))),
            person(0, 0, Some((1, u64::MAX - 1))),
            person(u64::MAX - 1, 0, Some((1, u64::MAX))),
        ];
        assert_eq!(fifo_inversions_count(&outcomes), 2);
        assert_eq!(max_overtaking_count(&outcomes), 1);
        assert!(normalise_inversions(u64::MAX, u64::MAX).is_finite());
    }

    #[test]
    fn jain_index_is_one_when_all_waits_are_equal() {
        assert_eq!(jain_index(&[250, 250, 250]), 1.0);
        assert_eq!(wait_jain_index(&waiting(&[250, 250, 250])), 1.0);
        // All zero and empty are defined as 1.0.
        assert_eq!(jain_index(&[0, 0, 0]), 1.0);
        assert_eq!(jain_index(&[]), 1.0);
        // A single wait is trivially equal to itself.
        assert_eq!(jain_index(&[12_345]), 1.0);
    }

    #[test]
    fn jain_index_of_one_waiter_among_four_is_a_quarter() {
        // Waits 10, 0, 0, 0: (10)² / (4 · 100) = 100/400 = 0.25, i.e. 1/n.
        assert_close(jain_index(&[10, 0, 0, 0]), 0.25);
        assert_close(wait_jain_index(&waiting(&[10, 0, 0, 0])), 0.25);
    }

    #[test]
    fn jain_index_of_two_unequal_waits() {
        // Waits 1 and 3: (4)² / (2 · (1 + 9)) = 16/20 = 0.8.
        assert_close(jain_index(&[1, 3]), 0.8);
    }

    #[test]
    fn jain_index_per_cohort() {
        // Cohort 0 waits 5 and 5 → 1.0.
        // Cohort 1 waits 10, 0, 0, 0 → 0.25.
        // Cohort 2 has one person, never admitted → no waits → 1.0.
        // Overall waits 5, 5, 10, 0, 0, 0: (20)² / (6 · (25 + 25 + 100)) = 400/900 = 4/9.
        let mut outcomes = waiting(&[5, 5, 10, 0, 0, 0]);
        for outcome in &mut outcomes[2..] {
            outcome.cohort = CohortId::new(1);
        }
        let mut never_admitted = person(6, 0, None);
        never_admitted.cohort = CohortId::new(2);
        outcomes.push(never_admitted);

        let by_cohort = wait_jain_index_by_cohort(&outcomes);
        assert_eq!(by_cohort.len(), 3);
        assert_close(by_cohort[&CohortId::new(0)], 1.0);
        assert_close(by_cohort[&CohortId::new(1)], 0.25);
        assert_close(by_cohort[&CohortId::new(2)], 1.0);
        assert_close(wait_jain_index(&outcomes), 4.0 / 9.0);

        let rows = FairnessReport::compute(&outcomes).to_table_rows();
        assert!(rows.contains(&("wait_jain_index_cohort_1".to_owned(), "0.250000".to_owned())));
    }

    #[test]
    fn bounces_bypasses_and_sold_out_are_counted() {
        // Bounces 0, 3, 1, 0 → total 4, two people bounced. Row 3 holds a booking without
        // admission; rows 1 and 2 found the inventory gone.
        let mut outcomes = waiting(&[0, 0, 0]);
        outcomes.push(person(3, 0, None));
        outcomes[1].bounces = 3;
        outcomes[2].bounces = 1;
        outcomes[3].bypass_booking = true;
        outcomes[1].found_sold_out = true;
        outcomes[2].found_sold_out = true;
        let report = FairnessReport::compute(&outcomes);
        assert_eq!(report.bounces_count, 4);
        assert_eq!(report.bounced_people_count, 2);
        assert_eq!(report.bypass_bookings_count, 1);
        assert_eq!(report.found_sold_out_count, 2);
    }

    #[test]
    fn bounces_total_saturates_instead_of_overflowing() {
        let mut one = person(0, 0, None);
        one.bounces = u32::MAX;
        let outcomes = vec![one; 3];
        assert_eq!(bounces_count(&outcomes), 3 * u64::from(u32::MAX));
    }

    #[test]
    fn preference_shares_are_fractions_of_people_who_listed_choices() {
        // Five people listed choices: two got their first, one their second, one their
        // fourth (choice 3), one got nothing. One more person listed nothing and is left
        // out even though they got a booking.
        // Counts [2, 1, 0, 1], none 1; shares [0.4, 0.2, 0.0, 0.2], none 0.2.
        let got = [Some(0), Some(0), Some(1), Some(3), None];
        let mut outcomes: Vec<PersonOutcome> = got
            .iter()
            .enumerate()
            .map(|(rank, &got_choice)| PersonOutcome {
                choices_listed: 4,
                got_choice,
                ..person(rank as u64, 0, None)
            })
            .collect();
        outcomes.push(PersonOutcome {
            choices_listed: 0,
            got_choice: Some(0),
            ..person(5, 0, None)
        });

        let satisfaction = preference_satisfaction(&outcomes);
        assert_eq!(satisfaction.people_with_choices_count, 5);
        assert_eq!(satisfaction.got_choice_counts, vec![2, 1, 0, 1]);
        assert_eq!(satisfaction.got_none_count, 1);
        let expected_shares = [0.4, 0.2, 0.0, 0.2];
        assert_eq!(satisfaction.got_choice_shares.len(), expected_shares.len());
        for (share, expected) in satisfaction.got_choice_shares.iter().zip(expected_shares) {
            assert_close(*share, expected);
        }
        assert_close(satisfaction.got_none_share, 0.2);
        let total: f64 =
            satisfaction.got_choice_shares.iter().sum::<f64>() + satisfaction.got_none_share;
        assert_close(total, 1.0);
    }

    #[test]
    fn preference_shares_without_anyone_listing_are_zero_not_nan() {
        let satisfaction = preference_satisfaction(&[person(0, 0, None)]);
        assert_eq!(satisfaction, PreferenceSatisfaction::default());
        assert_eq!(satisfaction.got_none_share, 0.0);
    }

    #[test]
    fn table_rows_are_deterministic_and_named_after_fields() {
        let outcomes = admitted_in_order(&[1, 0, 3, 2]);
        let report = FairnessReport::compute(&outcomes);
        let rows = report.to_table_rows();
        assert_eq!(rows, FairnessReport::compute(&outcomes).to_table_rows());
        let names: Vec<&str> = rows.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            &names[..6],
            &[
                "people_count",
                "admitted_count",
                "fifo_inversions_count",
                "kendall_tau_distance",
                "max_overtaking_count",
                "wait_p50_ms"
            ]
        );
        assert!(rows.contains(&("kendall_tau_distance".to_owned(), "0.333333".to_owned())));
        // Display prints one aligned line per row.
        let text = report.to_string();
        assert_eq!(text.lines().count(), rows.len());
        assert!(
            text.lines()
                .any(|line| line.starts_with("fifo_inversions_count"))
        );
    }

    #[test]
    fn report_matches_the_individual_functions() {
        let mut outcomes = admitted_in_order(&[2, 0, 4, 1, 3]);
        outcomes.push(person(5, 0, None));
        outcomes[0].cohort = CohortId::new(1);
        let report = FairnessReport::compute(&outcomes);
        assert_eq!(report.admitted_count, admitted_count(&outcomes));
        assert_eq!(
            report.fifo_inversions_count,
            fifo_inversions_count(&outcomes)
        );
        assert_eq!(report.kendall_tau_distance, kendall_tau_distance(&outcomes));
        assert_eq!(report.max_overtaking_count, max_overtaking_count(&outcomes));
        assert_eq!(report.wait_times, WaitTimeSummary::from_outcomes(&outcomes));
        assert_eq!(report.wait_jain_index, wait_jain_index(&outcomes));
        assert_eq!(
            report.wait_jain_index_by_cohort,
            wait_jain_index_by_cohort(&outcomes)
        );
    }

    /// A xorshift64 generator: enough randomness to shuffle test permutations, with a fixed
    /// seed so that any failure reproduces.
    struct XorShift64(u64);

    impl XorShift64 {
        fn next_u64(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        /// Roughly uniform in `0..bound` for `bound > 0`; the modulo bias does not matter here.
        fn below(&mut self, bound: u64) -> u64 {
            self.next_u64() % bound
        }
    }

    fn brute_force_inversions(outcomes: &[PersonOutcome]) -> u64 {
        let admitted: Vec<&PersonOutcome> = outcomes.iter().filter(|o| o.is_admitted()).collect();
        let mut inversions = 0;
        for a in &admitted {
            for b in &admitted {
                if a.join_rank < b.join_rank && a.admit_rank > b.admit_rank {
                    inversions += 1;
                }
            }
        }
        inversions
    }

    fn brute_force_max_overtaking(outcomes: &[PersonOutcome]) -> u64 {
        let admitted: Vec<&PersonOutcome> = outcomes.iter().filter(|o| o.is_admitted()).collect();
        admitted
            .iter()
            .map(|x| {
                admitted
                    .iter()
                    .filter(|y| y.join_rank > x.join_rank && y.admit_rank < x.admit_rank)
                    .count() as u64
            })
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn fast_order_metrics_match_brute_force_on_random_permutations() {
        let mut rng = XorShift64(0x9E37_79B9_7F4A_7C15);
        for case in 0..400 {
            let len = rng.below(60) as usize;
            // A Fisher–Yates shuffle of 0..len gives the admission ranks.
            let mut admit_ranks: Vec<u64> = (0..len as u64).collect();
            for i in (1..len).rev() {
                let j = rng.below(i as u64 + 1) as usize;
                admit_ranks.swap(i, j);
            }
            let mut outcomes = admitted_in_order(&admit_ranks);
            // Every fourth case also drops some admissions, so the admitted ranks have gaps
            // and non-admitted people sit in between.
            if case % 4 == 0 {
                for outcome in &mut outcomes {
                    if rng.below(3) == 0 {
                        outcome.admitted_at = None;
                        outcome.admit_rank = None;
                    }
                }
            }
            // Input order must not matter either.
            outcomes.reverse();
            assert_eq!(
                fifo_inversions_count(&outcomes),
                brute_force_inversions(&outcomes),
                "case {case}: {admit_ranks:?}"
            );
            assert_eq!(
                max_overtaking_count(&outcomes),
                brute_force_max_overtaking(&outcomes),
                "case {case}: {admit_ranks:?}"
            );
        }
    }

    #[test]
    fn fast_order_metrics_match_brute_force_with_duplicate_ranks() {
        // Ranks drawn from a small range repeat often, which exercises the tie rules.
        let mut rng = XorShift64(0xD1B5_4A32_D192_ED03);
        for case in 0..300 {
            let len = rng.below(40) as usize;
            let outcomes: Vec<PersonOutcome> = (0..len)
                .map(|_| {
                    let join_rank = rng.below(8);
                    let admit_rank = rng.below(8);
                    person(join_rank, 0, Some((0, admit_rank)))
                })
                .collect();
            assert_eq!(
                fifo_inversions_count(&outcomes),
                brute_force_inversions(&outcomes),
                "case {case}"
            );
            assert_eq!(
                max_overtaking_count(&outcomes),
                brute_force_max_overtaking(&outcomes),
                "case {case}"
            );
        }
    }
}
