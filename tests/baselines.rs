//! Runs the unit tests of the hand-written baselines that the benchmarks and the `surge`
//! example measure beside the engine: a benchmark built with `harness = false` drops
//! `#[test]` functions, so they run from here.

#[path = "../benches/baselines/mod.rs"]
mod baselines;
