//! The fairness lab of [`fairbook`]: what a researcher comparing waiting-room admission
//! policies needs around the engine.
//!
//! - [`fairness`]: queue-fairness metrics over per-person outcomes (inversions, Kendall τ,
//!   overtaking, wait percentiles, Jain's index, bounces, bypasses, preference satisfaction).
//! - [`placement`]: where and when people got their appointment against what they wanted
//!   (distance, days late, the share served within X km and the wanted week).
//! - [`rng`]: seeded random numbers, so that every run can be replayed exactly.
//! - [`workload`]: the reference surge as data (10 M joins from 1.5 M people, the
//!   14,000-clinic inventory and ranked choices), shared by the core's benchmarks, the `surge`
//!   example and the simulator.
//! - [`sim`]: a seeded discrete-event simulator that drives the real engine through a surge
//!   under FIFO, a committed pre-queue shuffle, a lottery, and a "2021 baseline"
//!   counterfactual, with per-person outcomes, time series and plots.
//!
//! The `fairness_lab` command (feature `cli`, on by default) runs the simulator from the
//! command line; `docs/fairness.md` in this crate is the researcher's guide.
//!
//! The lab uses the engine only through its public API, as a service would, so what it shows
//! is what a user gets.
//!
//! # Crate features
//! - `cli` (default): the `fairness_lab` command, with its command line, progress bar and SVG
//!   plots (pulls in `clap`, `indicatif` and `plotters`). Without it, the library alone.

#![deny(missing_docs)]
#![deny(unsafe_code)]

/// The researcher's guide's examples run as doctests, so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../docs/fairness.md")]
struct GuideDoctests;

pub mod fairness;
pub mod placement;
pub mod rng;
pub mod sim;
pub mod workload;
