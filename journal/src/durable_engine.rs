//! [`DurableEngine`]: a [`fairbook::Engine`] whose every change is journaled, which
//! acknowledges only what is durable, and which is rebuilt from its journal after a crash.
//!
//! The engine hands each [`Record`] to a [`JournalSink`], which encodes it (at most
//! [`Record::ENCODED_MAX`] bytes, on the stack) and appends it to the [`Journal`]: one
//! `fetch_add` and a copy, never a wait for the disk. After an engine call returns, everything
//! it changed is appended; [`DurableEngine::wait_durable`] (blocking) or
//! [`DurableEngine::durable`] (a future) then waits for the one fdatasync that covers it, and
//! only then does the service tell the person "booked".
//!
//! Snapshots never pause traffic: [`DurableEngine::snapshot`] reads the journal back up to
//! its durable position ([`Journal::read_back`]), replays it into a private replica, exports
//! the replica's state and writes it as a snapshot; older segments then go. Recovery
//! ([`DurableEngine::open`]) loads the latest snapshot and replays the records after it.

use std::path::Path;
use std::sync::Arc;

use fairbook::{Config, ConfigError, Engine, Record, RecordSink, RecoverError};
use parking_lot::Mutex;
use sha2::{Digest, Sha256};

use crate::config::JournalConfig;
use crate::durable::Durable;
use crate::error::{CreateError, DurableError, OpenError, SnapshotError};
use crate::journal::Journal;
use crate::lsn::Lsn;
use crate::recovery::Recovery;
use crate::storage::{OsStorage, Storage};

/// The [`RecordSink`] that appends each record to a [`Journal`].
///
/// An append that fails (the journal failed: a full disk, an I/O error) is not reported to
/// the engine, which has already made the change: the journal stays failed, and every wait
/// for durability from then on returns the failure, so nothing after it is acknowledged.
pub struct JournalSink {
    journal: Arc<Journal>,
}

impl JournalSink {
    /// A sink appending to `journal`.
    pub fn new(journal: Arc<Journal>) -> JournalSink {
        JournalSink { journal }
    }
}

impl RecordSink for JournalSink {
    #[inline]
    fn record(&self, record: &Record) {
        let mut bytes = [0u8; Record::ENCODED_MAX];
        let len = record.encode(&mut bytes);
        // A failure here fails the journal for good; waits report it (see the type's docs).
        let _ = self.journal.append(&bytes[..len]);
    }
}

/// The identity of a configuration, written in every journal file: a journal is refused by
/// an engine with other limits. SHA-256 of the record format and the configuration's fields.
pub fn config_fingerprint(config: &Config) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"fairbook records v1\n");
    hash.update(format!("{config:?}").as_bytes());
    hash.finalize().into()
}

/// Why a [`DurableEngine`] could not be created, opened or snapshotted.
#[derive(Debug)]
#[non_exhaustive]
pub enum DurableEngineError {
    /// The engine's configuration is out of range.
    Config(ConfigError),
    /// The journal directory could not be created.
    Create(CreateError),
    /// The journal could not be opened or read back (damage, another configuration, a lock).
    Open(OpenError),
    /// A record in the journal does not decode; its position.
    Record {
        /// The record's LSN.
        lsn: Lsn,
        /// Why it does not decode.
        error: fairbook::RecordError,
    },
    /// The journal's records do not rebuild an engine (a snapshot or record that does not fit).
    Recover(RecoverError),
    /// The snapshot could not be written.
    Snapshot(SnapshotError),
}

impl std::fmt::Display for DurableEngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DurableEngineError::Config(error) => error.fmt(f),
            DurableEngineError::Create(error) => error.fmt(f),
            DurableEngineError::Open(error) => error.fmt(f),
            DurableEngineError::Record { lsn, error } => write!(f, "record at {lsn:?}: {error}"),
            DurableEngineError::Recover(error) => error.fmt(f),
            DurableEngineError::Snapshot(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for DurableEngineError {}

/// What [`DurableEngine::open`] found and replayed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovered {
    /// The LSN the snapshot used covers, if there was one.
    pub snapshot_covers: Option<Lsn>,
    /// Records replayed after it.
    pub records: usize,
    /// Bytes of a torn tail cut off (a batch half-written at the crash: never acknowledged).
    pub torn_bytes: u64,
}

/// An [`Engine`] journaled to a directory (see the module docs). Dropping it drops the engine
/// and then the journal, which flushes and syncs what was appended and releases the directory.
///
/// # Example: acknowledge a booking only once it is durable, then survive a crash
/// ```
/// use fairbook::{CohortId, Config, PersonId, SlotSpec, Status, Timestamp};
/// use fairbook_journal::{DurableEngine, JournalConfig};
///
/// let dir = tempfile::tempdir()?;
/// let config = Config::default();
/// let now = Timestamp::from_secs(1);
/// let durable = DurableEngine::create(dir.path(), config.clone(), JournalConfig::default())?;
/// let slot = durable.engine().add_slot(SlotSpec::with_capacity(1))?;
/// durable.engine().enqueue(PersonId::new(7), CohortId::new(0), now)?;
/// durable.engine().advance(now, 1)?;
/// let booking = durable.engine().reserve(PersonId::new(7), &[slot], now)?;
/// durable.wait_durable()?; // only now say "booked"
/// drop(durable); // or kill -9
///
/// let (recovered, report) = DurableEngine::open(dir.path(), config, JournalConfig::default())?;
/// assert_eq!(report.records, 4); // the slot, the join, the admission, the booking
/// let status = recovered.engine().status(PersonId::new(7), now)?;
/// assert!(matches!(status, Status::Booked { slots, .. } if slots.as_slice() == [booking.slot]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct DurableEngine {
    engine: Engine,
    journal: Arc<Journal>,
    config: Config,
    /// One snapshot at a time: reading back and removing segments must not overlap.
    snapshotting: Mutex<()>,
}

impl DurableEngine {
    /// A new engine with a new journal in `dir` (which must hold none).
    ///
    /// # Errors
    /// [`DurableEngineError::Config`] or [`DurableEngineError::Create`].
    pub fn create(
        dir: &Path,
        config: Config,
        journal_config: JournalConfig,
    ) -> Result<DurableEngine, DurableEngineError> {
        DurableEngine::create_with(Arc::new(OsStorage), dir, config, journal_config)
    }

    /// [`DurableEngine::create`] on another [`Storage`] (a test double that fails on cue).
    ///
    /// # Errors
    /// As [`DurableEngine::create`].
    pub fn create_with(
        storage: Arc<dyn Storage>,
        dir: &Path,
        config: Config,
        journal_config: JournalConfig,
    ) -> Result<DurableEngine, DurableEngineError> {
        config.validate().map_err(DurableEngineError::Config)?;
        let journal = Arc::new(
            Journal::create_with(storage, dir, journal_config, config_fingerprint(&config))
                .map_err(DurableEngineError::Create)?,
        );
        let sink = Arc::new(JournalSink::new(journal.clone()));
        let engine = Engine::with_sink(config.clone(), sink).map_err(DurableEngineError::Config)?;
        Ok(DurableEngine {
            engine,
            journal,
            config,
            snapshotting: Mutex::new(()),
        })
    }

    /// Rebuilds the engine a journal in `dir` describes: its latest snapshot, then every
    /// record after it. A torn tail is cut off (it was never acknowledged); every acknowledged
    /// place and booking is back, with the same sequences, the same admission cursor and the
    /// same leases (deadlines are on the caller's clock).
    ///
    /// # Errors
    /// [`DurableEngineError::Open`] for damage, a lock or another configuration's journal;
    /// [`DurableEngineError::Record`] or [`DurableEngineError::Recover`] for records that do
    /// not decode or do not fit.
    pub fn open(
        dir: &Path,
        config: Config,
        journal_config: JournalConfig,
    ) -> Result<(DurableEngine, Recovered), DurableEngineError> {
        DurableEngine::open_with(Arc::new(OsStorage), dir, config, journal_config)
    }

    /// [`DurableEngine::open`] on another [`Storage`].
    ///
    /// # Errors
    /// As [`DurableEngine::open`].
    pub fn open_with(
        storage: Arc<dyn Storage>,
        dir: &Path,
        config: Config,
        journal_config: JournalConfig,
    ) -> Result<(DurableEngine, Recovered), DurableEngineError> {
        config.validate().map_err(DurableEngineError::Config)?;
        let fingerprint = config_fingerprint(&config);
        let (journal, recovery) = Journal::open_with(storage, dir, journal_config, fingerprint)
            .map_err(DurableEngineError::Open)?;
        let journal = Arc::new(journal);
        let sink: Arc<dyn RecordSink> = Arc::new(JournalSink::new(journal.clone()));
        let (engine, recovered) = rebuild(&config, &recovery, Rebuild::Serve(sink))?;
        Ok((
            DurableEngine {
                engine,
                journal,
                config,
                snapshotting: Mutex::new(()),
            },
            recovered,
        ))
    }

    /// The engine: call it as any [`Engine`]; every change it makes is journaled.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The journal underneath: its statistics, its health.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// Blocks until every change made so far (by any thread) is durable. Call it after the
    /// engine call whose answer is about to be acknowledged.
    ///
    /// # Errors
    /// [`DurableError::Failed`] if the journal failed: do not acknowledge; the engine keeps
    /// answering reads, and a restart rebuilds it from what is durable.
    pub fn wait_durable(&self) -> Result<(), DurableError> {
        self.journal.wait_durable(self.journal.appended())
    }

    /// [`DurableEngine::wait_durable`] as a future, for async services: it holds no thread
    /// while the fdatasync runs.
    pub fn durable(&self) -> Durable {
        self.journal.durable(self.journal.appended())
    }

    /// Writes a snapshot of everything durable so far, without pausing anyone: the journal is
    /// read back into a private replica, whose state is written as the snapshot; older
    /// segments then go. Returns the LSN the snapshot covers. Meant for a background thread
    /// (the replica briefly costs another engine's memory).
    ///
    /// # Errors
    /// [`DurableEngineError`] if the journal cannot be read back or the snapshot written.
    pub fn snapshot(&self) -> Result<Lsn, DurableEngineError> {
        let _one_at_a_time = self.snapshotting.lock();
        let recovery = self.journal.read_back().map_err(DurableEngineError::Open)?;
        // A replica, not a recovery: the log goes on, and a join whose place is in it may
        // be recorded after the snapshot's end (`Engine::replica`).
        let (replica, _) = rebuild(&self.config, &recovery, Rebuild::Replica)?;
        let covers = recovery.end();
        self.journal
            .write_snapshot(covers, &replica.snapshot())
            .map_err(DurableEngineError::Snapshot)?;
        Ok(covers)
    }
}

impl DurableEngine {
    /// [`DurableEngine::snapshot`] if the journal has grown by
    /// [`JournalConfig::snapshot_interval_bytes`] since the last one ([`Journal::snapshot_due`]),
    /// else nothing: call it from a background thread every few seconds.
    ///
    /// # Errors
    /// As [`DurableEngine::snapshot`].
    pub fn snapshot_if_due(&self) -> Result<Option<Lsn>, DurableEngineError> {
        if self.journal.snapshot_due() {
            self.snapshot().map(Some)
        } else {
            Ok(None)
        }
    }
}

/// What [`rebuild`] builds.
enum Rebuild {
    /// The engine that serves from the recovered log, handing its changes to the sink.
    Serve(Arc<dyn RecordSink>),
    /// A replica to snapshot while the log goes on.
    Replica,
}

/// An engine from a recovery's snapshot and records.
fn rebuild(
    config: &Config,
    recovery: &Recovery,
    purpose: Rebuild,
) -> Result<(Engine, Recovered), DurableEngineError> {
    let mut records = Vec::with_capacity(recovery.record_count());
    for record in recovery.records() {
        let decoded =
            Record::decode(record.payload).map_err(|error| DurableEngineError::Record {
                lsn: record.lsn,
                error,
            })?;
        records.push(decoded);
    }
    let count = records.len();
    let snapshot = recovery.snapshot();
    let snapshot_bytes = snapshot.map(|snapshot| snapshot.bytes());
    let engine = match purpose {
        Rebuild::Serve(sink) => {
            Engine::recover(config.clone(), Some(sink), snapshot_bytes, records)
        }
        Rebuild::Replica => Engine::replica(config.clone(), snapshot_bytes, records),
    }
    .map_err(DurableEngineError::Recover)?;
    Ok((
        engine,
        Recovered {
            snapshot_covers: snapshot.map(|snapshot| snapshot.covers()),
            records: count,
            torn_bytes: recovery.torn_tail().map_or(0, |torn| torn.bytes_dropped),
        },
    ))
}
