//! What fairbook's benchmarks and the `surge` example measure beside the engine, and how.
//!
//! - [`baselines`]: the simple alternatives a service would write by hand (a `Mutex`,
//!   `parking_lot` and `DashMap` waiting room, a `Mutex<HashMap>` inventory), so that every
//!   figure is a ratio against them measured in the same run.
//! - [`timing`]: how a workload is dealt out to threads and what exactly the clock covers.
//!
//! This crate names nothing from the engine, so the baselines cannot borrow its tricks.

#![deny(missing_docs)]
#![deny(unsafe_code)]

pub mod baselines;
pub mod timing;
