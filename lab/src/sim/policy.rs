//! [`Policy`]: the admission policies the simulator compares, and how each is carried out.
//!
//! The engine admits strictly in the order people joined it. A policy other than FIFO is
//! therefore carried out in front of the engine, by choosing the order in which people are
//! *enqueued*: the simulator holds a cohort's early arrivals (the pre-queue) until the
//! opening, or until the lottery draw, and then enqueues them in the drawn order. A service
//! does the same: its front door keeps one entry per verified identity until the draw, then
//! calls [`Engine::enqueue`](fairbook::Engine::enqueue) in the order the draw published. From
//! then on the engine's guarantees (one place per person, no bounce, no path around the
//! queue) hold as for FIFO.

use core::fmt;
use core::str::FromStr;

/// An admission policy.
///
/// # Example
/// ```
/// use fairbook_lab::sim::Policy;
///
/// let policy: Policy = "baseline-2021".parse()?;
/// assert_eq!(policy, Policy::Baseline2021);
/// assert!(!policy.is_engine_backed());
/// assert_eq!(Policy::Shuffle.to_string(), "shuffle");
/// # Ok::<(), fairbook_lab::sim::ParsePolicyError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Policy {
    /// First come, first served: the pre-queue is enqueued in arrival order at the opening,
    /// everyone else as they arrive.
    Fifo,
    /// The pre-queue (everyone who arrived before their cohort opened) is shuffled at the
    /// opening with a seed committed to before anyone arrived; later arrivals are FIFO.
    Shuffle,
    /// Everyone who registers before the end of the cohort's lottery window
    /// ([`Scenario::lottery_window_ms`](super::Scenario::lottery_window_ms) after the
    /// opening) is drawn in a random order, with the same commitment; later arrivals are FIFO.
    Lottery,
    /// The counterfactual: a naive waiting room as people lived it in 2021 (a place per
    /// device and reconnect, bounces, working bypasses), simulated without the engine. See
    /// [`BaselineRules`](super::BaselineRules).
    Baseline2021,
}

impl Policy {
    /// Every policy, in the order reports list them.
    pub const ALL: [Policy; 4] = [
        Policy::Fifo,
        Policy::Shuffle,
        Policy::Lottery,
        Policy::Baseline2021,
    ];

    /// The name used on the command line and in file names.
    pub const fn name(self) -> &'static str {
        match self {
            Policy::Fifo => "fifo",
            Policy::Shuffle => "shuffle",
            Policy::Lottery => "lottery",
            Policy::Baseline2021 => "baseline-2021",
        }
    }

    /// `true` if the run drives the real [`Engine`](fairbook::Engine).
    pub const fn is_engine_backed(self) -> bool {
        !matches!(self, Policy::Baseline2021)
    }

    /// `true` if the policy draws an order, and so publishes a commitment first.
    pub const fn draws(self) -> bool {
        matches!(self, Policy::Shuffle | Policy::Lottery)
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Policy {
    type Err = ParsePolicyError;

    fn from_str(name: &str) -> Result<Policy, ParsePolicyError> {
        Policy::ALL
            .into_iter()
            .find(|policy| policy.name() == name)
            .ok_or_else(|| ParsePolicyError {
                given: name.to_owned(),
            })
    }
}

/// A policy name that is not one of [`Policy::ALL`].
///
/// # Example
/// ```
/// use fairbook_lab::sim::Policy;
/// let error = "random".parse::<Policy>().unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "unknown policy `random`; use fifo, shuffle, lottery or baseline-2021"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
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
