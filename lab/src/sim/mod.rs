//! The simulator: a seeded, discrete-event simulation that drives the real
//! [`Engine`](fairbook::Engine) through a booking surge under several admission policies, and
//! plays a "2021 baseline" counterfactual on the same people, so that their fairness can be
//! compared row by row.
//!
//! # How a run works
//!
//! 1. A [`Scenario`] says everything about the surge but the seed: cohorts and their
//!    openings, when people arrive (a pre-queue before the opening, a surge, a long tail),
//!    their devices, reconnects, bots and bypass attempts, patience, preferences, the
//!    inventory, the outflow and the baseline's rules. [`Scenario::korea_2021`] is the
//!    reference surge of July 2021, scaled; [`Scenario::small`] is for tests.
//! 2. [`Arrivals::generate`] draws the people once from a seed. Every policy is then played
//!    on exactly these people.
//! 3. [`run`] plays one [`Policy`]: events (arrivals, reconnects, retries, give-ups,
//!    bookings, the outflow timer) come out of a priority queue keyed by
//!    `(time, class, sequence)`, and each becomes an engine call at that time. Nothing reads
//!    a clock and every random draw comes from the seed, so a run is a pure function of its
//!    arrivals and policy.
//! 4. A [`Run`] holds one [`PersonOutcome`](crate::fairness::PersonOutcome) per person (for
//!    [`FairnessReport`](crate::fairness::FairnessReport)), a [`TimeSeries`], a
//!    [`RunSummary`] and, under a shuffle or lottery, each [`Draw`] with the
//!    [`Commitment`] published before the opening and the [`DrawSecret`] revealed after.
//! 5. [`write_outcomes_csv`], [`write_series_csv`] and [`write_summary_json`] write it out,
//!    byte-for-byte the same for the same seed and arguments.
//!
//! The model, its parameters and the commitment scheme are described in `docs/fairness.md`;
//! `src/main.rs` (the `fairness_lab` command) is the command-line lab built on this module. Unlike the core,
//! this module writes files when asked (to any `io::Write`); it still reads no clock.
//!
//! # Example: a tiny surge under FIFO and under the 2021 baseline
//! ```
//! use fairbook_lab::sim::{self, Arrivals, Baseline2021, Fifo, Scenario};
//!
//! let arrivals = Arrivals::generate(&Scenario::small(300), 2021)?;
//! let fifo = sim::run(&arrivals, &Fifo)?;
//! let naive = sim::run(&arrivals, &Baseline2021)?;
//!
//! // The engine kept join order, never bounced anyone and let nobody around the queue...
//! let report = fifo.report();
//! assert_eq!(report.fifo_inversions_count, 0);
//! assert_eq!(report.bounces_count, 0);
//! assert_eq!(fifo.summary.bypass_successes, 0);
//! assert!(fifo.summary.bypass_attempts > 0);
//! assert_eq!(fifo.summary.place_changes, 0);
//!
//! // ...where the naive room, on the same people, did all three.
//! let naive_report = naive.report();
//! assert!(naive_report.fifo_inversions_count > 0);
//! assert!(naive_report.bounces_count > 0);
//! assert!(naive_report.bypass_bookings_count > 0);
//!
//! // A run is a pure function of its seed.
//! assert_eq!(fifo, sim::run(&arrivals, &Fifo)?);
//! # Ok::<(), fairbook_lab::sim::ScenarioError>(())
//! ```

mod arrivals;
mod baseline;
mod clients;
mod commitment;
mod engine_run;
mod events;
mod geography;
mod output;
mod people;
mod policy;
mod run;
mod scenario;
mod trace;

pub use arrivals::{Arrivals, DAY_COST_M, PersonKind, PersonPlan};
pub use commitment::{Commitment, Draw, DrawSecret, draw_order};
pub use geography::{MapSpec, Point, SiteIndex, site_points};
pub use output::{
    OUTCOMES_CSV_HEADER, SUMMARY_FORMAT, comparison_rows, comparison_rows_with_reports,
    read_outcomes_csv, write_outcomes_csv, write_series_csv, write_summary_json,
    write_summary_json_with_reports,
};
pub use policy::{
    Admissions, BUILTIN_POLICIES, Baseline2021, Entrant, Fifo, Lottery, ParsePolicyError, Policy,
    Room, Shuffle, Tick, builtin,
};
pub use run::{Progress, Run, RunSummary, SeriesPoint, TimeSeries};
pub use scenario::{
    ArrivalMix, BaselineRules, Behaviour, CohortPlan, KOREA_2021_TOML, Scenario, ScenarioError,
    ScenarioFileError,
};
pub use trace::{TRACE_CSV_HEADER, TraceError, TraceRow, read_trace_csv, write_trace_csv};

/// Plays `policy` on `arrivals`.
///
/// Policies in [`Room::Engine`] build an [`Engine`](fairbook::Engine) from
/// [`Scenario::engine_config`] and drive it; [`Room::Naive2021`] runs the naive room.
/// At the default scale of the `korea-2021` preset (150,000 people) a run takes a few
/// seconds in a release build.
///
/// # Errors
/// [`ScenarioError::Engine`] if the engine refuses the scenario's configuration.
///
/// # Example
/// See the [module documentation](self).
pub fn run(arrivals: &Arrivals, policy: &dyn Policy) -> Result<Run, ScenarioError> {
    run_with_progress(arrivals, policy, &mut |_| {})
}

/// [`run`], calling `progress` about once per series interval of simulated time.
///
/// # Errors
/// As [`run`].
///
/// # Example
/// See [`Progress`].
pub fn run_with_progress(
    arrivals: &Arrivals,
    policy: &dyn Policy,
    progress: &mut dyn FnMut(Progress),
) -> Result<Run, ScenarioError> {
    match policy.room() {
        Room::Engine => engine_run::run_on_engine(arrivals, policy, progress),
        Room::Naive2021 => Ok(baseline::run_baseline(arrivals, policy, progress)),
    }
}
