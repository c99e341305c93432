//! What fairbook's benchmarks and the `surge` example measure beside the engine, and how.
//!
//! - [`baselines`]: the simple alternatives a service would write by hand (a `Mutex`,
//!   `parking_lot` and `DashMap` waiting room, a `Mutex<HashMap>` inventory), so that every
//!   figure is a ratio against them measured in the same run.
//! - [`lockfree`]: the bare lock-free waiting room the engine's design grew from, which does
//!   less than the engine (no person state, no keyed hash, no bound), and its tuned form.
//! - [`timing`]: how a workload is dealt out to threads and what exactly the clock covers.
//!
//! This crate names nothing from the engine, so the baselines cannot borrow its code.

#![deny(missing_docs)]
#![deny(unsafe_code)]

pub mod baselines;
mod hints;
pub mod lockfree;
pub mod timing;
