//! One small error enum per operation: [`CreateError`], [`OpenError`], [`AppendError`],
//! [`DurableError`] and [`SnapshotError`], and [`IoFailure`], the failed file operation they
//! share.
//!
//! A failed write or fdatasync (disk full, an I/O error) puts the journal in a failed state
//! for good: nothing appended after the last successful fdatasync is ever reported durable, and
//! every later append and wait returns the same [`IoFailure`]. The crate guide says what a
//! service does then.

use core::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::JournalConfigError;
use crate::format::Damage;
use crate::lsn::Lsn;

/// A file operation of the journal, named in an [`IoFailure`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileOp {
    /// Creating the journal directory.
    CreateDir,
    /// Listing the journal directory.
    ListDir,
    /// Reading a file.
    Read,
    /// Creating a file.
    Create,
    /// Opening a file to append to it.
    Open,
    /// Writing to a file.
    Write,
    /// fdatasync of a file.
    Sync,
    /// Cutting a torn tail off a file.
    Truncate,
    /// Renaming a finished snapshot into place.
    Rename,
    /// Removing an old segment or snapshot.
    Remove,
    /// fsync of the directory, so that created, renamed and removed names last.
    SyncDir,
    /// Starting the flusher thread (the operating system refused a thread).
    StartFlusher,
    /// Taking the directory's lock.
    Lock,
}

impl fmt::Display for FileOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileOp::CreateDir => "creating directory",
            FileOp::ListDir => "listing directory",
            FileOp::Read => "reading",
            FileOp::Create => "creating",
            FileOp::Open => "opening",
            FileOp::Write => "writing",
            FileOp::Sync => "syncing",
            FileOp::Truncate => "truncating",
            FileOp::Rename => "renaming",
            FileOp::Remove => "removing",
            FileOp::SyncDir => "syncing directory",
            FileOp::StartFlusher => "starting the flusher thread for",
            FileOp::Lock => "locking",
        })
    }
}

/// A file operation that failed: which, on what file, and the operating system's error.
///
/// Cheap to clone (the error is shared), because every waiter of a failed journal gets it.
///
/// # Example
/// ```
/// use fairbook_journal::{FileOp, IoFailure};
/// use std::io;
///
/// let failure = IoFailure::new(FileOp::Sync, "j/00000000000000000000.segment",
///     io::Error::from(io::ErrorKind::StorageFull));
/// assert_eq!(failure.kind(), io::ErrorKind::StorageFull);
/// assert!(failure.to_string().starts_with("syncing j/00000000000000000000.segment: "));
/// ```
#[derive(Clone, Debug)]
pub struct IoFailure {
    /// The operation.
    pub op: FileOp,
    /// The file or directory it was on.
    pub file: PathBuf,
    /// The operating system's error.
    pub error: Arc<io::Error>,
}

impl IoFailure {
    /// A failure of `op` on `file`.
    pub fn new(op: FileOp, file: impl Into<PathBuf>, error: io::Error) -> IoFailure {
        IoFailure {
            op,
            file: file.into(),
            error: Arc::new(error),
        }
    }

    /// The error's kind (`StorageFull` for a full disk, for instance).
    pub fn kind(&self) -> io::ErrorKind {
        self.error.kind()
    }
}

impl fmt::Display for IoFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.op, self.file.display(), self.error)
    }
}

impl std::error::Error for IoFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.error)
    }
}

/// Why [`Journal::create`](crate::Journal::create) made no journal.
///
/// # Example
/// ```
/// use fairbook_journal::{CreateError, Journal, JournalConfig};
///
/// let dir = tempfile::tempdir()?;
/// Journal::create(dir.path(), JournalConfig::default(), [1; 32])?;
/// let again = Journal::create(dir.path(), JournalConfig::default(), [1; 32]);
/// assert!(matches!(again, Err(CreateError::AlreadyExists { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum CreateError {
    /// The configuration is out of range.
    Config(JournalConfigError),
    /// The directory already holds journal files: open it instead, or remove them.
    AlreadyExists {
        /// The directory.
        dir: PathBuf,
    },
    /// Another journal (in this process or another) has the directory open.
    Locked {
        /// The directory.
        dir: PathBuf,
    },
    /// A file operation failed.
    Io(IoFailure),
}

impl fmt::Display for CreateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CreateError::Config(error) => write!(f, "bad journal config: {error}"),
            CreateError::AlreadyExists { dir } => {
                write!(f, "{} already holds a journal", dir.display())
            }
            CreateError::Locked { dir } => {
                write!(f, "another journal has {} open", dir.display())
            }
            CreateError::Io(failure) => write!(f, "creating the journal failed: {failure}"),
        }
    }
}

impl std::error::Error for CreateError {}

/// Why [`Journal::open`](crate::Journal::open) recovered nothing.
///
/// A torn tail (a record half-written when the process or machine stopped) is not an error:
/// it was never acknowledged, and `open` cuts it off (see
/// [`Recovery::torn_tail`](crate::Recovery::torn_tail)). Damage that a crash cannot explain
/// is [`OpenError::Corrupt`].
///
/// # Example
/// ```
/// use fairbook_journal::{Journal, JournalConfig, OpenError};
///
/// let dir = tempfile::tempdir()?;
/// Journal::create(dir.path(), JournalConfig::default(), [1; 32])?;
/// let other_engine = Journal::open(dir.path(), JournalConfig::default(), [2; 32]);
/// assert!(matches!(other_engine, Err(OpenError::FingerprintMismatch { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum OpenError {
    /// The configuration is out of range.
    Config(JournalConfigError),
    /// The directory holds no segment file.
    NoJournal {
        /// The directory.
        dir: PathBuf,
    },
    /// Another journal (in this process or another) has the directory open.
    Locked {
        /// The directory.
        dir: PathBuf,
    },
    /// A file operation failed.
    Io(IoFailure),
    /// Bytes that were once durable are damaged: the disk or something outside the journal
    /// changed them. Nothing is cut off; restore the file from a replica or a backup, or cut
    /// the file at `offset` by hand knowing that acknowledged records after it are lost.
    Corrupt {
        /// The file.
        file: PathBuf,
        /// The byte offset in the file of the damaged header or frame.
        offset: u64,
        /// What is wrong there.
        damage: Damage,
    },
    /// A file was written by another version of the format.
    UnsupportedVersion {
        /// The file.
        file: PathBuf,
        /// The version in its header.
        version: u16,
    },
    /// A file belongs to an engine with another configuration.
    FingerprintMismatch {
        /// The file.
        file: PathBuf,
        /// The fingerprint `open` was given.
        expected: [u8; 32],
        /// The fingerprint in the file.
        found: [u8; 32],
    },
    /// No usable snapshot is old enough for the log that is left: the segments before
    /// `earliest` were removed after a snapshot that is now unreadable (see
    /// [`JournalConfig::snapshots_kept`](crate::JournalConfig::snapshots_kept)).
    LogMissing {
        /// Where the log would have to start for the newest usable state (the newest readable
        /// snapshot's position, or zero).
        needed_from: Lsn,
        /// Where the log starts.
        earliest: Lsn,
        /// Why each newer snapshot was not used.
        snapshots_rejected: Vec<crate::recovery::RejectedSnapshot>,
    },
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::Config(error) => write!(f, "bad journal config: {error}"),
            OpenError::NoJournal { dir } => write!(f, "{} holds no journal", dir.display()),
            OpenError::Locked { dir } => write!(f, "another journal has {} open", dir.display()),
            OpenError::Io(failure) => write!(f, "opening the journal failed: {failure}"),
            OpenError::Corrupt {
                file,
                offset,
                damage,
            } => write!(
                f,
                "{} is corrupt at byte offset {offset}: {damage}",
                file.display()
            ),
            OpenError::UnsupportedVersion { file, version } => write!(
                f,
                "{} has format version {version}, but this build reads version {}",
                file.display(),
                crate::format::FORMAT_VERSION
            ),
            OpenError::FingerprintMismatch { file, .. } => write!(
                f,
                "{} was written for another engine configuration (fingerprint mismatch)",
                file.display()
            ),
            OpenError::LogMissing {
                needed_from,
                earliest,
                ..
            } => write!(
                f,
                "the log starts at {earliest} but recovery needs it from {needed_from}: no usable snapshot covers the removed segments"
            ),
        }
    }
}

impl std::error::Error for OpenError {}

/// Why [`Journal::append`](crate::Journal::append) appended nothing.
///
/// # Example
/// ```
/// use fairbook_journal::{AppendError, Journal, JournalConfig};
///
/// let dir = tempfile::tempdir()?;
/// let config = JournalConfig { record_bytes_max: 64, ..JournalConfig::default() };
/// let journal = Journal::create(dir.path(), config, [0; 32])?;
/// let error = journal.append(&[0; 65]).unwrap_err();
/// assert!(matches!(error, AppendError::TooLarge { given: 65, max: 64 }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum AppendError {
    /// The payload is longer than
    /// [`JournalConfig::record_bytes_max`](crate::JournalConfig::record_bytes_max).
    TooLarge {
        /// The payload's length.
        given: usize,
        /// The configured maximum.
        max: usize,
    },
    /// The journal failed earlier (or while this append waited for room): see
    /// [`IoFailure`]. Stop acknowledging; restart from the journal.
    Failed(IoFailure),
    /// [`Journal::close`](crate::Journal::close) was called.
    Closed,
}

impl fmt::Display for AppendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppendError::TooLarge { given, max } => write!(
                f,
                "record of {given} bytes is over the journal's record_bytes_max of {max}"
            ),
            AppendError::Failed(failure) => write!(f, "the journal has failed: {failure}"),
            AppendError::Closed => write!(f, "the journal is closed"),
        }
    }
}

impl std::error::Error for AppendError {}

/// Why [`Journal::wait_durable`](crate::Journal::wait_durable) (or the
/// [`Durable`](crate::Durable) future) could not say that a record is durable.
///
/// # Example
/// ```
/// use fairbook_journal::{DurableError, Journal, JournalConfig, Lsn};
///
/// let dir = tempfile::tempdir()?;
/// let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
/// let never_appended = journal.wait_durable(Lsn::new(4_096));
/// assert!(matches!(never_appended, Err(DurableError::NotAppended { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum DurableError {
    /// The journal failed before the record was on disk; it never will be. Do not acknowledge
    /// it.
    Failed(IoFailure),
    /// No record up to this LSN was appended yet, so there is nothing to wait for.
    NotAppended {
        /// The LSN given.
        lsn: Lsn,
        /// The last LSN appended.
        appended: Lsn,
    },
}

impl fmt::Display for DurableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DurableError::Failed(failure) => write!(f, "the journal has failed: {failure}"),
            DurableError::NotAppended { lsn, appended } => write!(
                f,
                "{lsn} was not appended yet (the last record appended is at {appended})"
            ),
        }
    }
}

impl std::error::Error for DurableError {}

/// Why [`Journal::write_snapshot`](crate::Journal::write_snapshot) wrote no snapshot.
///
/// # Example
/// ```
/// use fairbook_journal::{Journal, JournalConfig, Lsn, SnapshotError};
///
/// let dir = tempfile::tempdir()?;
/// let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
/// let lsn = journal.append(b"state change")?;
/// journal.write_snapshot(lsn, b"state")?;
/// let stale = journal.write_snapshot(lsn, b"state");
/// assert!(matches!(stale, Err(SnapshotError::NotNewer { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum SnapshotError {
    /// `covers` is past the last record appended.
    NotAppended {
        /// The LSN given.
        covers: Lsn,
        /// The last LSN appended.
        appended: Lsn,
    },
    /// A snapshot covering as much or more is already written.
    NotNewer {
        /// The LSN given.
        covers: Lsn,
        /// What the latest snapshot covers.
        latest: Lsn,
    },
    /// The journal failed before `covers` was durable, so a snapshot of it must not be kept.
    Failed(IoFailure),
    /// Writing the snapshot file failed. The journal itself is unharmed and keeps appending;
    /// the log is kept until a later snapshot succeeds.
    Io(IoFailure),
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::NotAppended { covers, appended } => write!(
                f,
                "snapshot covers {covers}, past the last record appended at {appended}"
            ),
            SnapshotError::NotNewer { covers, latest } => write!(
                f,
                "snapshot covers {covers}, but the latest snapshot already covers {latest}"
            ),
            SnapshotError::Failed(failure) => write!(f, "the journal has failed: {failure}"),
            SnapshotError::Io(failure) => write!(f, "writing the snapshot failed: {failure}"),
        }
    }
}

impl std::error::Error for SnapshotError {}
