//! [`Policy`]: the trait an admission policy implements (who is let into the line in which
//! order, and how many are admitted per tick), the four built-in policies ([`Fifo`],
//! [`Shuffle`], [`Lottery`], [`Baseline2021`]) and [`builtin`], which finds one by name.
//!
//! The engine admits strictly in the order people joined it. A policy other than FIFO is
//! therefore carried out in front of the engine, by choosing the order in which people are
//! *enqueued*: the simulator holds a cohort's early arrivals until the policy's release time
//! ([`Policy::release_at`]), asks the policy to order them ([`Policy::order`]) and enqueues
//! them in that order. A service does the same: its front door keeps one entry per verified
//! identity until the draw, then calls [`Engine::enqueue`](fairbook::Engine::enqueue) in the
//! order the draw published. From then on the engine's guarantees (one place per person, no
//! bounce, no path around the queue) hold as for FIFO. How many are let in at each tick of
//! the outflow timer is the policy's too ([`Policy::admissions`]).
//!
//! A researcher's policy is a type in their own crate that implements [`Policy`]; the
//! simulator takes it as `&dyn Policy`. `tests/policy.rs` of this crate is such a policy.

use core::fmt;

use fairbook::{CohortId, OutflowPolicy, Timestamp};

use super::{CohortPlan, PersonPlan, Scenario};
use crate::rng::Rng;

/// The waiting room a policy is played in.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{self, Room};
/// assert_eq!(sim::builtin("fifo")?.room(), Room::Engine);
/// assert_eq!(sim::builtin("baseline-2021")?.room(), Room::Naive2021);
/// # Ok::<(), fairbook_lab::sim::ParsePolicyError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Room {
    /// The real [`Engine`](fairbook::Engine): one place per person, admission in join order,
    /// no bounce, no bypass.
    Engine,
    /// The naive waiting room of July 2021, simulated without the engine: a place per
    /// connection, bounces when the server is overloaded, bypasses that work. See
    /// [`BaselineRules`](super::BaselineRules).
    Naive2021,
}

/// One person a policy orders: their join rank (the order a FIFO room would serve them in)
/// and their plan (arrival, cohort, wanted place and date, behaviour).
#[derive(Clone, Copy, Debug)]
pub struct Entrant<'a> {
    /// Their join rank: the row of their outcome, and the index of their plan in
    /// [`Arrivals::people`](super::Arrivals::people).
    pub join_rank: u32,
    /// Everything drawn about them before the run.
    pub plan: &'a PersonPlan,
}

/// What a policy sees at a tick of the outflow timer, to decide how many to let in.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Tick<'a> {
    /// The tick's time.
    pub now: Timestamp,
    /// People in line (held or waiting).
    pub in_line: u64,
    /// Admitted people who have not booked yet and whose lease is live.
    pub active: u64,
    /// People admitted so far.
    pub admitted_total: u64,
    /// `true` when every slot is booked.
    pub sold_out: bool,
    /// The scenario played.
    pub scenario: &'a Scenario,
}

/// How many people a tick lets in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Admissions {
    /// As this outflow policy meters it (token bucket, active cap, stop when sold out):
    /// [`Engine::advance_with_policy`](fairbook::Engine::advance_with_policy).
    Outflow(OutflowPolicy),
    /// At most this many, whatever else holds: [`Engine::advance`](fairbook::Engine::advance).
    UpTo(u64),
}

/// An admission policy: the order in which people are let into the line, and how many are
/// admitted per tick.
///
/// Every method has a default, which together make FIFO: arrivals before a cohort's opening
/// are held until it opens and enqueued in join-rank order, everyone after joins as they
/// arrive, and each tick admits as the scenario's outflow meters. A policy must be a pure
/// function of its inputs (and of the draw's [`Rng`]) for runs to replay from their seed.
///
/// # Example: the earliest wanted date first
/// ```
/// use fairbook_lab::rng::Rng;
/// use fairbook_lab::sim::{self, Arrivals, Entrant, Policy, Scenario};
///
/// /// Holds each cohort for five minutes after its opening, then lets in first those who
/// /// came last (ties in join order).
/// struct EarliestDateFirst;
///
/// impl Policy for EarliestDateFirst {
///     fn name(&self) -> &str {
///         "earliest-date-first"
///     }
///     fn release_at(&self, cohort: &sim::CohortPlan, _: &Scenario) -> fairbook::Timestamp {
///         cohort.opens_at.plus_millis(5 * 60_000)
///     }
///     fn order(&self, entrants: &mut [Entrant<'_>], _draw: &mut Rng) {
///         entrants.sort_by_key(|entrant| (core::cmp::Reverse(entrant.plan.arrives_at), entrant.join_rank));
///     }
/// }
///
/// let arrivals = Arrivals::generate(&Scenario::small(300), 7)?;
/// let run = sim::run(&arrivals, &EarliestDateFirst)?;
/// assert_eq!(run.policy, "earliest-date-first");
/// assert_eq!(run.summary.bypass_successes, 0);
/// # Ok::<(), fairbook_lab::sim::ScenarioError>(())
/// ```
pub trait Policy: Send + Sync {
    /// A short name, used on the command line, in file names and in reports.
    fn name(&self) -> &str;

    /// The waiting room the policy is played in; [`Room::Engine`] unless it is the 2021
    /// counterfactual. In [`Room::Naive2021`], [`Policy::release_at`] and [`Policy::order`]
    /// are not used (the naive room has no front door), [`Policy::admissions`] is.
    fn room(&self) -> Room {
        Room::Engine
    }

    /// When a cohort's held arrivals are let into the line, in the order [`Policy::order`]
    /// gives. Everyone of the cohort who arrives before then is held; everyone after joins
    /// as they arrive. Times before the cohort's opening count as the opening (the engine
    /// refuses joins before it).
    fn release_at(&self, cohort: &CohortPlan, scenario: &Scenario) -> Timestamp {
        let _ = scenario;
        cohort.opens_at
    }

    /// `true` if the order is a random draw: the run then publishes a
    /// [`Commitment`](super::Commitment) before anyone arrives, records each
    /// [`Draw`](super::Draw) and reveals the secret at the end, so that anyone can check
    /// that `order` shuffled the entrants with `draw` and nothing else.
    fn draws(&self) -> bool {
        false
    }

    /// Puts a cohort's held entrants (given in join-rank order) in the order they are
    /// enqueued. `draw` is seeded from the run's committed secret and the cohort
    /// ([`DrawSecret::draw_seed`](super::DrawSecret::draw_seed)), so a shuffle by it can be
    /// verified after the reveal. The default keeps join-rank order.
    fn order(&self, entrants: &mut [Entrant<'_>], draw: &mut Rng) {
        let _ = (entrants, draw);
    }

    /// How many people the tick lets in; the scenario's outflow by default.
    fn admissions(&self, tick: &Tick<'_>) -> Admissions {
        Admissions::Outflow(tick.scenario.outflow)
    }
}

/// First come, first served: the pre-queue is enqueued in arrival order at the opening,
/// everyone else as they arrive.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{Fifo, Policy};
/// assert_eq!(Fifo.name(), "fifo");
/// assert!(!Fifo.draws());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fifo;

impl Policy for Fifo {
    fn name(&self) -> &str {
        "fifo"
    }
}

/// The pre-queue draw: everyone who arrived before their cohort opened is shuffled at the
/// opening with a seed committed to before anyone arrived; later arrivals are FIFO.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{Policy, Shuffle};
/// assert_eq!(Shuffle.name(), "shuffle");
/// assert!(Shuffle.draws());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shuffle;

impl Policy for Shuffle {
    fn name(&self) -> &str {
        "shuffle"
    }

    fn draws(&self) -> bool {
        true
    }

    fn order(&self, entrants: &mut [Entrant<'_>], draw: &mut Rng) {
        draw.shuffle(entrants);
    }
}

/// The lottery: everyone who registers before the end of the cohort's lottery window
/// ([`Scenario::lottery_window_ms`] after the opening) is drawn in a random order, with the
/// same commitment as [`Shuffle`]; later arrivals are FIFO. Admission starts at the draw.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{Lottery, Policy, Scenario};
/// let scenario = Scenario::small(100);
/// let cohort = &scenario.cohorts[0];
/// assert_eq!(
///     Lottery.release_at(cohort, &scenario),
///     cohort.opens_at.plus_millis(scenario.lottery_window_ms)
/// );
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lottery;

impl Policy for Lottery {
    fn name(&self) -> &str {
        "lottery"
    }

    fn release_at(&self, cohort: &CohortPlan, scenario: &Scenario) -> Timestamp {
        cohort.opens_at.plus_millis(scenario.lottery_window_ms)
    }

    fn draws(&self) -> bool {
        true
    }

    fn order(&self, entrants: &mut [Entrant<'_>], draw: &mut Rng) {
        draw.shuffle(entrants);
    }
}

/// The counterfactual: the naive waiting room as people lived it in July 2021 (a place per
/// connection, bounces when the server is overloaded, working bypasses), simulated without
/// the engine and metered by the scenario's outflow. See
/// [`BaselineRules`](super::BaselineRules).
///
/// # Example
/// ```
/// use fairbook_lab::sim::{Baseline2021, Policy, Room};
/// assert_eq!(Baseline2021.name(), "baseline-2021");
/// assert_eq!(Baseline2021.room(), Room::Naive2021);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Baseline2021;

impl Policy for Baseline2021 {
    fn name(&self) -> &str {
        "baseline-2021"
    }

    fn room(&self) -> Room {
        Room::Naive2021
    }
}

/// The names of the built-in policies, in the order reports list them.
pub const BUILTIN_POLICIES: [&str; 4] = ["fifo", "shuffle", "lottery", "baseline-2021"];

/// The built-in policy called `name` (one of [`BUILTIN_POLICIES`]).
///
/// # Errors
/// [`ParsePolicyError`] for any other name.
///
/// # Example
/// ```
/// use fairbook_lab::sim;
/// let policy = sim::builtin("lottery")?;
/// assert_eq!(policy.name(), "lottery");
/// assert!(sim::builtin("random").is_err());
/// # Ok::<(), fairbook_lab::sim::ParsePolicyError>(())
/// ```
pub fn builtin(name: &str) -> Result<Box<dyn Policy>, ParsePolicyError> {
    Ok(match name {
        "fifo" => Box::new(Fifo),
        "shuffle" => Box::new(Shuffle),
        "lottery" => Box::new(Lottery),
        "baseline-2021" => Box::new(Baseline2021),
        _ => {
            return Err(ParsePolicyError {
                given: name.to_owned(),
            });
        }
    })
}

/// The seed of the draw for `cohort` under a run seeded by `seed`, as the engine-backed run
/// hands it to [`Policy::order`].
pub(crate) fn draw_rng(secret: &super::DrawSecret, cohort: CohortId) -> Rng {
    Rng::new(secret.draw_seed(cohort))
}

/// A policy name that is not one of [`BUILTIN_POLICIES`].
///
/// # Example
/// ```
/// use fairbook_lab::sim;
/// let error = sim::builtin("random").err().unwrap();
/// assert_eq!(
///     error.to_string(),
///     "unknown policy `random`; use fifo, shuffle, lottery or baseline-2021"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParsePolicyError {
    /// The name given.
    pub given: String,
}

impl fmt::Display for ParsePolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown policy `{}`; use fifo, shuffle, lottery or baseline-2021",
            self.given
        )
    }
}

impl std::error::Error for ParsePolicyError {}
