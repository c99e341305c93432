//! A researcher's own policy, written outside the lab's crate against the public
//! [`Policy`] trait only, runs through the simulator like the built-in ones: the order it
//! chooses is the order the engine admits in, the number it lets in per tick is the number
//! admitted, and every guarantee of the engine still holds.

use std::collections::BTreeMap;

use fairbook::Timestamp;
use fairbook_lab::rng::Rng;
use fairbook_lab::sim::{
    self, Admissions, Arrivals, CohortPlan, Entrant, Policy, Run, Scenario, Tick,
};

const SEED: u64 = 2021;
const PEOPLE: u64 = 1_500;
/// How long after its opening each cohort's arrivals are held.
const HOLD_MS: u64 = 2 * 60_000;
/// How many the policy lets in per tick.
const PER_TICK: u64 = 3;

/// Last come, first served among everyone who arrived before the end of the hold, and a
/// fixed number of admissions per tick.
struct LastComeFirst;

impl Policy for LastComeFirst {
    fn name(&self) -> &str {
        "last-come-first"
    }

    fn release_at(&self, cohort: &CohortPlan, _scenario: &Scenario) -> Timestamp {
        cohort.opens_at.plus_millis(HOLD_MS)
    }

    fn order(&self, entrants: &mut [Entrant<'_>], _draw: &mut Rng) {
        entrants.sort_by_key(|entrant| std::cmp::Reverse(entrant.join_rank));
    }

    fn admissions(&self, _tick: &Tick<'_>) -> Admissions {
        Admissions::UpTo(PER_TICK)
    }
}

fn played() -> (Arrivals, Run) {
    let arrivals = Arrivals::generate(&Scenario::small(PEOPLE), SEED).unwrap();
    let run = sim::run(&arrivals, &LastComeFirst).unwrap();
    (arrivals, run)
}

#[test]
fn a_policy_from_another_crate_runs_with_every_guarantee() {
    let (_, run) = played();
    assert_eq!(run.policy, "last-come-first");
    assert_eq!(run.outcomes.len() as u64, PEOPLE);
    let summary = &run.summary;
    assert!(summary.admitted > PEOPLE / 3, "seed {SEED}: {summary:?}");
    assert!(
        summary.bypass_attempts > 0,
        "seed {SEED}: nothing was tried"
    );
    assert_eq!(summary.bypass_successes, 0, "seed {SEED}");
    assert_eq!(summary.place_changes, 0, "seed {SEED}");
    assert_eq!(summary.unexpected_errors, 0, "seed {SEED}");
    assert_eq!(summary.audit_violations, 0, "seed {SEED}");
    assert_eq!(run.report().bounces_count, 0, "seed {SEED}");
    // Not a drawing policy: nothing to commit to.
    assert!(summary.commitment.is_none() && run.draws.is_empty());
}

#[test]
fn the_engine_admits_in_the_order_the_policy_chose() {
    let (arrivals, run) = played();
    for (index, cohort) in arrivals.scenario().cohorts.iter().enumerate() {
        let release = cohort.opens_at.plus_millis(HOLD_MS);
        // Everyone of the cohort held until the release and admitted, by join rank.
        let held: Vec<u64> = run
            .outcomes
            .iter()
            .filter(|o| o.cohort.as_index() == index && o.joined_at < release)
            .filter_map(|o| o.admit_rank)
            .collect();
        assert!(held.len() > 20, "cohort {index}: only {} held", held.len());
        // Later joiners were admitted first, without exception.
        assert!(
            held.windows(2).all(|pair| pair[0] > pair[1]),
            "cohort {index}, seed {SEED}: admission strayed from the policy's order"
        );
    }
    assert!(run.report().fifo_inversions_count > 0);
}

#[test]
fn each_tick_admits_at_most_what_the_policy_allows() {
    let (_, run) = played();
    let mut per_tick: BTreeMap<Timestamp, u64> = BTreeMap::new();
    for admitted_at in run.outcomes.iter().filter_map(|o| o.admitted_at) {
        *per_tick.entry(admitted_at).or_default() += 1;
    }
    let busiest = per_tick.values().copied().max().unwrap_or(0);
    // The limit was reached (so this could fail) and never passed.
    assert_eq!(busiest, PER_TICK, "seed {SEED}");
}
