//! [`RecordLog`]: a [`RecordSink`] that keeps every record in memory, and the check that a
//! journal's records rebuild exactly the engine that made them.

use std::sync::{Arc, Mutex, PoisonError};

use fairbook::{Config, Engine, Record, RecordSink};

/// Every [`Record`] an engine made, in the order it made them.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use fairbook::{CohortId, Config, Engine, PersonId, Timestamp};
/// use fairbook_testing::RecordLog;
///
/// let log = Arc::new(RecordLog::default());
/// let engine = Engine::with_sink(Config::default(), log.clone())?;
/// engine.enqueue(PersonId::new(1), CohortId::new(0), Timestamp::ZERO).unwrap();
/// assert_eq!(log.records().len(), 1);
/// assert!(log.rebuilds(Config::default(), &engine).is_ok());
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Debug, Default)]
pub struct RecordLog {
    records: Mutex<Vec<Record>>,
}

impl RecordLog {
    /// A copy of the records so far.
    pub fn records(&self) -> Vec<Record> {
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Checks that the records so far rebuild `engine` exactly: replayed from nothing, and
    /// replayed on top of a snapshot taken from a replay of their first half, the rebuilt
    /// engine's snapshot is `engine`'s, byte for byte. `engine` must be quiet.
    ///
    /// # Errors
    /// A sentence saying which rebuild differs or failed.
    pub fn rebuilds(&self, config: Config, engine: &Engine) -> Result<(), String> {
        let records = self.records();
        let live = engine.snapshot();
        let replayed = Engine::recover(config.clone(), None, None, records.iter().copied())
            .map_err(|error| format!("replaying {} records: {error}", records.len()))?;
        if replayed.snapshot() != live {
            return Err(format!(
                "replaying {} records gives another state",
                records.len()
            ));
        }
        let half = records.len() / 2;
        // As a journal's snapshotter does: a replica of the log so far, holes kept open.
        let first_half = Engine::replica(config.clone(), None, records[..half].iter().copied())
            .map_err(|error| format!("replaying the first {half} records: {error}"))?;
        let snapshot = first_half.snapshot();
        let resumed = Engine::recover(
            config,
            None,
            Some(&snapshot),
            records[half..].iter().copied(),
        )
        .map_err(|error| format!("resuming from a snapshot at record {half}: {error}"))?;
        if resumed.snapshot() != live {
            return Err(format!(
                "a snapshot at record {half} and the {} records after it give another state",
                records.len() - half
            ));
        }
        Ok(())
    }

    /// An engine for `config` whose records this log keeps.
    ///
    /// # Errors
    /// The [`fairbook::ConfigError`] of [`Engine::new`].
    pub fn engine(self: &Arc<Self>, config: Config) -> Result<Engine, fairbook::ConfigError> {
        Engine::with_sink(config, self.clone())
    }
}

impl RecordSink for RecordLog {
    fn record(&self, record: &Record) {
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(*record);
    }
}
