//! Where and when people got their appointment, against where and when they wanted it:
//! [`BookedPlace`] (the site, day and window booked, the distance from the wanted place and
//! the days later than the wanted date), and the metrics over it: the share who got a slot
//! within X km and within their wanted week ([`within_km_and_week_share`]), and the
//! distribution of days late ([`DaysLate`]) overall, by tenth of arrival order
//! ([`days_late_by_arrival_decile`]) and by cohort ([`days_late_by_cohort`]).
//!
//! Like every metric of [`fairness`](crate::fairness), these are pure functions of the
//! outcome rows: no clock, no state, no panic, no `NaN`.

use std::collections::BTreeMap;

use fairbook::{CohortId, Day, SiteId, Window};

use crate::fairness::PersonOutcome;

/// The distances, in kilometres, for which reports give the share booked within that far
/// and within the wanted week.
pub const WITHIN_KM: [u32; 3] = [5, 10, 20];

/// The days, from the wanted one, that count as "the wanted week": days late 0 to 6.
pub const WANTED_WEEK_DAYS: i32 = 7;

/// The appointment a person booked.
///
/// # Example
/// ```
/// use fairbook_lab::placement::BookedPlace;
/// use fairbook::{Day, SiteId, Window};
///
/// let booked = BookedPlace {
///     site: SiteId::new(3),
///     day: Day::new(9),
///     window: Window::new(7),
///     distance_m: 4_200,
///     days_late: 2,
/// };
/// assert!(booked.is_within(5, 7));
/// assert!(!booked.is_within(4, 7));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BookedPlace {
    /// The clinic.
    pub site: SiteId,
    /// The vaccination day.
    pub day: Day,
    /// The window of that day.
    pub window: Window,
    /// Straight-line distance from the person's wanted place (work, or home), in metres.
    pub distance_m: u32,
    /// `day − wanted day`: 0 on the wanted day, negative if earlier.
    pub days_late: i32,
}

impl BookedPlace {
    /// `true` if within `km` kilometres and `0 ≤ days_late < week_days`.
    pub fn is_within(&self, km: u32, week_days: i32) -> bool {
        u64::from(self.distance_m) <= u64::from(km) * 1_000
            && (0..week_days).contains(&self.days_late)
    }
}

/// People who booked within `km` kilometres of their wanted place and within their wanted
/// week (days late 0 to 6).
pub fn within_km_and_week_count(outcomes: &[PersonOutcome], km: u32) -> u64 {
    outcomes
        .iter()
        .filter(|outcome| {
            outcome
                .booking
                .is_some_and(|booked| booked.is_within(km, WANTED_WEEK_DAYS))
        })
        .count() as u64
}

/// [`within_km_and_week_count`] as a share of **everyone** (a person without a booking
/// counts as not served): 0.0 on empty input.
///
/// # Example
/// ```
/// use fairbook_lab::placement::within_km_and_week_share;
/// assert_eq!(within_km_and_week_share(&[], 5), 0.0);
/// ```
pub fn within_km_and_week_share(outcomes: &[PersonOutcome], km: u32) -> f64 {
    if outcomes.is_empty() {
        0.0
    } else {
        within_km_and_week_count(outcomes, km) as f64 / outcomes.len() as f64
    }
}

/// The distribution of days late over the people of a group who booked.
///
/// Percentiles are nearest-rank, as for waits. Every statistic is `None` when nobody in the
/// group booked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DaysLate {
    /// People in the group.
    pub people_count: u64,
    /// Of them, people who booked: the denominator of the statistics.
    pub booked_count: u64,
    /// Mean days late.
    pub mean: Option<f64>,
    /// Median days late.
    pub p50: Option<i32>,
    /// 90th percentile of days late.
    pub p90: Option<i32>,
    /// Most days late.
    pub max: Option<i32>,
}

impl DaysLate {
    /// The distribution over `outcomes` (a group of people, booked or not).
    ///
    /// # Example
    /// ```
    /// use fairbook_lab::placement::DaysLate;
    /// let none = DaysLate::of(&[]);
    /// assert_eq!(none.booked_count, 0);
    /// assert_eq!(none.p50, None);
    /// ```
    pub fn of<'a>(outcomes: impl IntoIterator<Item = &'a PersonOutcome>) -> DaysLate {
        let mut people_count = 0;
        let mut late: Vec<i32> = Vec::new();
        for outcome in outcomes {
            people_count += 1;
            if let Some(booked) = outcome.booking {
                late.push(booked.days_late);
            }
        }
        late.sort_unstable();
        let count = late.len();
        let percentile = |percent: usize| {
            // Nearest rank ⌈P/100 · n⌉, at least 1, in integers.
            let rank = (percent * count).div_ceil(100).max(1);
            late.get(rank - 1).copied()
        };
        DaysLate {
            people_count,
            booked_count: count as u64,
            mean: (count > 0).then(|| {
                late.iter().map(|&days| i64::from(days)).sum::<i64>() as f64 / count as f64
            }),
            p50: if count == 0 { None } else { percentile(50) },
            p90: if count == 0 { None } else { percentile(90) },
            max: late.last().copied(),
        }
    }
}

/// Days late by tenth of arrival order: the rows sorted by join rank (ties in input order),
/// row `i` of `n` in tenth `⌊10 i / n⌋`; entry 0 is the first tenth to come.
///
/// Shows whether coming late costs a later date, and how much a policy evens it out.
pub fn days_late_by_arrival_decile(outcomes: &[PersonOutcome]) -> [DaysLate; 10] {
    let mut order: Vec<&PersonOutcome> = outcomes.iter().collect();
    order.sort_by_key(|outcome| outcome.join_rank);
    let count = order.len();
    let mut tenths: [Vec<&PersonOutcome>; 10] = Default::default();
    for (index, outcome) in order.into_iter().enumerate() {
        tenths[index * 10 / count].push(outcome);
    }
    tenths.map(DaysLate::of)
}

/// Days late within each cohort that appears in `outcomes`.
pub fn days_late_by_cohort(outcomes: &[PersonOutcome]) -> BTreeMap<CohortId, DaysLate> {
    let mut by_cohort: BTreeMap<CohortId, Vec<&PersonOutcome>> = BTreeMap::new();
    for outcome in outcomes {
        by_cohort.entry(outcome.cohort).or_default().push(outcome);
    }
    by_cohort
        .into_iter()
        .map(|(cohort, rows)| (cohort, DaysLate::of(rows)))
        .collect()
}

/// The median and 90th-percentile distance from the wanted place, in metres, of the people
/// who booked (nearest rank); `None` when nobody booked.
pub fn distance_percentiles_m(outcomes: &[PersonOutcome]) -> (Option<u32>, Option<u32>) {
    let mut distances: Vec<u32> = outcomes
        .iter()
        .filter_map(|outcome| outcome.booking.map(|booked| booked.distance_m))
        .collect();
    distances.sort_unstable();
    let count = distances.len();
    let percentile = |percent: usize| {
        let rank = (percent * count).div_ceil(100).max(1);
        distances.get(rank - 1).copied()
    };
    (percentile(50), percentile(90))
}

/// Everything this module measures, for [`FairnessReport`](crate::fairness::FairnessReport).
#[derive(Clone, Debug, PartialEq)]
pub struct PlacementReport {
    /// `(km, share)` for each of [`WITHIN_KM`]: [`within_km_and_week_share`].
    pub within_km_and_week_shares: Vec<(u32, f64)>,
    /// Median distance of the booked from their wanted place, in metres.
    pub distance_p50_m: Option<u32>,
    /// 90th-percentile distance, in metres.
    pub distance_p90_m: Option<u32>,
    /// Days late over everyone.
    pub days_late: DaysLate,
    /// Days late by tenth of arrival order.
    pub days_late_by_arrival_decile: [DaysLate; 10],
    /// Days late by cohort.
    pub days_late_by_cohort: BTreeMap<CohortId, DaysLate>,
}

impl PlacementReport {
    /// Computes every placement metric over `outcomes`.
    pub fn compute(outcomes: &[PersonOutcome]) -> PlacementReport {
        let (distance_p50_m, distance_p90_m) = distance_percentiles_m(outcomes);
        PlacementReport {
            within_km_and_week_shares: WITHIN_KM
                .iter()
                .map(|&km| (km, within_km_and_week_share(outcomes, km)))
                .collect(),
            distance_p50_m,
            distance_p90_m,
            days_late: DaysLate::of(outcomes),
            days_late_by_arrival_decile: days_late_by_arrival_decile(outcomes),
            days_late_by_cohort: days_late_by_cohort(outcomes),
        }
    }

    /// The metrics as `(name, value)` rows, in the style of
    /// [`FairnessReport::to_table_rows`](crate::fairness::FairnessReport::to_table_rows):
    /// reals with six decimals, missing values as `-`.
    pub fn to_table_rows(&self) -> Vec<(String, String)> {
        let mut rows = Vec::new();
        let real = |value: f64| format!("{value:.6}");
        let optional = |value: Option<String>| value.unwrap_or_else(|| "-".to_owned());
        for &(km, share) in &self.within_km_and_week_shares {
            rows.push((format!("within_{km}km_and_week_share"), real(share)));
        }
        rows.push((
            "distance_p50_m".to_owned(),
            optional(self.distance_p50_m.map(|m| m.to_string())),
        ));
        rows.push((
            "distance_p90_m".to_owned(),
            optional(self.distance_p90_m.map(|m| m.to_string())),
        ));
        let mut late = |name: &str, late: &DaysLate| {
            rows.push((
                format!("days_late_mean{name}"),
                optional(late.mean.map(real)),
            ));
            rows.push((
                format!("days_late_p90{name}"),
                optional(late.p90.map(|days| days.to_string())),
            ));
        };
        late("", &self.days_late);
        for (tenth, days) in self.days_late_by_arrival_decile.iter().enumerate() {
            late(&format!("_decile_{tenth}"), days);
        }
        for (cohort, days) in &self.days_late_by_cohort {
            late(&format!("_cohort_{}", cohort.as_u16()), days);
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fairbook::{PersonId, Timestamp};
    use proptest::prelude::*;

    fn outcome(join_rank: u64, cohort: u16, booking: Option<(u32, i32)>) -> PersonOutcome {
        PersonOutcome {
            person: PersonId::new(join_rank + 1),
            cohort: CohortId::new(cohort),
            joined_at: Timestamp::ZERO,
            join_rank,
            admitted_at: None,
            admit_rank: None,
            bounces: 0,
            choices_listed: 1,
            got_choice: booking.map(|_| 0),
            bypass_booking: false,
            found_sold_out: false,
            booking: booking.map(|(distance_m, days_late)| BookedPlace {
                site: SiteId::new(0),
                day: Day::new(0),
                window: Window::new(0),
                distance_m,
                days_late,
            }),
        }
    }

    fn outcomes() -> impl Strategy<Value = Vec<PersonOutcome>> {
        // Join ranks drawn from a small range repeat, to exercise ties; distances around
        // the thresholds; days late on both sides of the week.
        prop::collection::vec(
            (
                0u64..40,
                0u16..3,
                prop::option::of((0u32..25_000, -3i32..12)),
            ),
            0..60,
        )
        .prop_map(|rows| {
            rows.into_iter()
                .map(|(rank, cohort, booking)| outcome(rank, cohort, booking))
                .collect()
        })
    }

    /// Nearest rank over a sorted list, by counting: the smallest value with at least
    /// `percent`% of values at or below it.
    fn brute_percentile(values: &[i32], percent: u64) -> Option<i32> {
        let count = values.len() as u64;
        values
            .iter()
            .copied()
            .filter(|&candidate| {
                let at_or_below = values.iter().filter(|&&value| value <= candidate).count();
                at_or_below as u64 * 100 >= percent * count
            })
            .min()
    }

    fn brute_days_late(rows: &[&PersonOutcome]) -> DaysLate {
        let late: Vec<i32> = rows
            .iter()
            .filter_map(|row| row.booking.map(|booked| booked.days_late))
            .collect();
        DaysLate {
            people_count: rows.len() as u64,
            booked_count: late.len() as u64,
            mean: (!late.is_empty())
                .then(|| late.iter().map(|&d| f64::from(d)).sum::<f64>() / late.len() as f64),
            p50: brute_percentile(&late, 50),
            p90: brute_percentile(&late, 90),
            max: late.iter().copied().max(),
        }
    }

    fn assert_same(fast: &DaysLate, brute: &DaysLate) {
        assert_eq!(fast.people_count, brute.people_count);
        assert_eq!(fast.booked_count, brute.booked_count);
        assert_eq!(fast.p50, brute.p50);
        assert_eq!(fast.p90, brute.p90);
        assert_eq!(fast.max, brute.max);
        match (fast.mean, brute.mean) {
            (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{a} against {b}"),
            (a, b) => assert_eq!(a, b),
        }
    }

    proptest! {
        #[test]
        fn within_share_matches_brute_force(rows in outcomes(), km in 0u32..25) {
            let expected = rows
                .iter()
                .filter(|row| match row.booking {
                    Some(booked) => {
                        f64::from(booked.distance_m) <= f64::from(km) * 1000.0
                            && booked.days_late >= 0
                            && booked.days_late <= 6
                    }
                    None => false,
                })
                .count();
            prop_assert_eq!(within_km_and_week_count(&rows, km), expected as u64);
            let share = within_km_and_week_share(&rows, km);
            if rows.is_empty() {
                prop_assert_eq!(share, 0.0);
            } else {
                prop_assert!((share - expected as f64 / rows.len() as f64).abs() < 1e-12);
            }
        }

        #[test]
        fn deciles_match_brute_force(rows in outcomes()) {
            let fast = days_late_by_arrival_decile(&rows);
            let count = rows.len();
            for (tenth, fast) in fast.iter().enumerate() {
                // A row's position: rows with a smaller join rank, or an equal one earlier
                // in the input, come before it.
                let members: Vec<&PersonOutcome> = rows
                    .iter()
                    .enumerate()
                    .filter(|&(index, row)| {
                        let position = rows
                            .iter()
                            .enumerate()
                            .filter(|&(other, before)| {
                                before.join_rank < row.join_rank
                                    || (before.join_rank == row.join_rank && other < index)
                            })
                            .count();
                        position * 10 / count == tenth
                    })
                    .map(|(_, row)| row)
                    .collect();
                assert_same(fast, &brute_days_late(&members));
            }
            let total: u64 = fast.iter().map(|tenth| tenth.people_count).sum();
            prop_assert_eq!(total, count as u64);
        }

        #[test]
        fn cohorts_match_brute_force(rows in outcomes()) {
            let fast = days_late_by_cohort(&rows);
            for cohort in 0u16..3 {
                let members: Vec<&PersonOutcome> = rows
                    .iter()
                    .filter(|row| row.cohort == CohortId::new(cohort))
                    .collect();
                match fast.get(&CohortId::new(cohort)) {
                    Some(fast) => assert_same(fast, &brute_days_late(&members)),
                    None => prop_assert!(members.is_empty()),
                }
            }
            assert_same(&DaysLate::of(&rows), &brute_days_late(&rows.iter().collect::<Vec<_>>()));
        }
    }

    #[test]
    fn a_hand_computed_example() {
        // Days late 0, 2, 2, 9 and one person without a booking: mean 13/4, median the
        // 2nd value (2), p90 the 4th (9). Within 5 km and the week: the first two.
        let rows = vec![
            outcome(0, 0, Some((1_000, 0))),
            outcome(1, 0, Some((4_999, 2))),
            outcome(2, 1, Some((5_001, 2))),
            outcome(3, 1, Some((100, 9))),
            outcome(4, 1, None),
        ];
        let late = DaysLate::of(&rows);
        assert_eq!(late.booked_count, 4);
        assert_eq!(late.mean, Some(3.25));
        assert_eq!((late.p50, late.p90, late.max), (Some(2), Some(9), Some(9)));
        assert_eq!(within_km_and_week_count(&rows, 5), 2);
        assert!((within_km_and_week_share(&rows, 5) - 0.4).abs() < 1e-12);
        assert_eq!(distance_percentiles_m(&rows), (Some(1_000), Some(5_001)));
        let report = PlacementReport::compute(&rows);
        let row = |name: &str| {
            report
                .to_table_rows()
                .into_iter()
                .find(|(row, _)| row == name)
                .map(|(_, value)| value)
        };
        assert_eq!(
            row("within_5km_and_week_share").as_deref(),
            Some("0.400000")
        );
        assert_eq!(row("days_late_p90_cohort_1").as_deref(), Some("9"));
    }
}
