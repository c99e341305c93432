//! The door: a tokio interval that lets people in at the campaign's outflow policy.
//!
//! Every `tick_ms` it calls `Engine::advance_with_policy` with the policy an admin last set.
//! The engine's token bucket meters the long-run rate whatever the period, so a late tick
//! admits what the missed ones would have (up to the bucket's burst), and ticks missed while
//! the runtime was busy are skipped rather than fired in a burst.

use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use crate::state::AppState;

/// Starts the door's timer on the current tokio runtime; it runs until aborted.
pub fn spawn_door(state: AppState) -> JoinHandle<()> {
    let period = Duration::from_millis(state.settings().tick_ms);
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            ticks.tick().await;
            let policy = state.outflow();
            let now = state.clock().now();
            if let Err(error) = state.engine().advance_with_policy(now, &policy) {
                // Only a clock running backwards gets here; the WallClock never does.
                tracing::error!(code = error.code(), "the door could not advance: {error}");
            }
        }
    })
}
