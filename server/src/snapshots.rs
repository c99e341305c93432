//! The snapshot timer of a journaled server: every `snapshot_check_ms` it asks the journal
//! whether a snapshot is due and, if so, writes one on a blocking thread (the snapshot is
//! built on a private replica read back from the journal, so nobody waits for it). Snapshots
//! bound how much log a restart replays and let old segments go.

use std::sync::Arc;
use std::time::Duration;

use fairbook_journal::DurableEngine;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

/// Starts the snapshot timer on the current tokio runtime; it runs until aborted. A snapshot
/// in progress when it is aborted finishes on its blocking thread.
pub fn spawn_snapshots(durable: Arc<DurableEngine>, check_every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(check_every);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        // The first tick is immediate; a server just started has nothing to snapshot.
        ticks.tick().await;
        loop {
            ticks.tick().await;
            let durable = durable.clone();
            match tokio::task::spawn_blocking(move || durable.snapshot_if_due()).await {
                Ok(Ok(Some(covers))) => tracing::info!(?covers, "journal snapshot written"),
                Ok(Ok(None)) => {}
                // The journal keeps every record until a snapshot succeeds: nothing is lost,
                // a restart just replays more.
                Ok(Err(error)) => tracing::warn!("journal snapshot failed: {error}"),
                Err(error) => tracing::error!("journal snapshot task failed: {error}"),
            }
        }
    })
}
