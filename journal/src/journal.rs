//! [`Journal`], the handle a service shares between its threads, and [`Shared`], the state
//! the handle, the flusher and the [`Durable`] futures hold together.

use crossbeam_utils::CachePadded;
use parking_lot::{Condvar, Mutex};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::config::JournalConfig;
use crate::durable::{Durable, Waiters};
use crate::error::{
    AppendError, CreateError, DurableError, FileOp, IoFailure, OpenError, SnapshotError,
};
use crate::flusher::Flusher;
use crate::format::{
    FORMAT_VERSION, FrameKind, Header, SEGMENT_MAGIC, frame_bytes, parse_file_name, segment_name,
};
use crate::lsn::Lsn;
use crate::recovery::{Recovery, recover};
use crate::ring::Ring;
use crate::stats::{Counters, JournalStats};
use crate::storage::{DirLock, OsStorage, Storage, StorageFile};

/// How many times an append re-checks for room before it sleeps: the flusher frees a whole
/// batch at once, usually within microseconds of a full ring.
const ROOM_SPINS: u32 = 128;

/// The live segments and snapshots, changed by the flusher (a new segment) and by
/// `write_snapshot` (new snapshots, removals).
pub(crate) struct Files {
    /// Every live segment's first position, ascending.
    pub segments: Vec<u64>,
    /// Every kept snapshot's position, ascending.
    pub snapshots: Vec<u64>,
}

/// What the handle, the flusher and the futures share.
pub(crate) struct Shared {
    pub(crate) ring: Ring,
    pub(crate) config: JournalConfig,
    pub(crate) dir: PathBuf,
    pub(crate) storage: Arc<dyn Storage>,
    pub(crate) fingerprint: [u8; 32],
    /// Every position before this one is on disk. Only the flusher stores it.
    durable: CachePadded<AtomicU64>,
    /// Set once, by the first failed write or fdatasync.
    failure: OnceLock<IoFailure>,
    /// Whether `failure` is set, stored SeqCst after it: the waiters' "count myself, then
    /// check" protocol needs the check to be in one total order with the failing flusher's
    /// "set, then look for waiters" (the `OnceLock` alone is only acquire/release).
    failed: AtomicBool,
    closing: AtomicBool,
    /// The flusher's sleep: the flag tells an append whether to take the lock and notify.
    flusher_sleeping: AtomicBool,
    flusher_lock: Mutex<()>,
    flusher_wake: Condvar,
    /// Appends waiting for room in the ring.
    room_waiters: AtomicUsize,
    room_lock: Mutex<()>,
    room_freed: Condvar,
    pub(crate) waiters: Waiters,
    pub(crate) counters: Counters,
    pub(crate) files: Mutex<Files>,
    /// One snapshot is written at a time.
    pub(crate) snapshot_lock: Mutex<()>,
}

impl Shared {
    pub(crate) fn is_closing(&self) -> bool {
        self.closing.load(Ordering::SeqCst)
    }

    pub(crate) fn durable(&self) -> u64 {
        self.durable.load(Ordering::SeqCst)
    }

    pub(crate) fn failure(&self) -> Option<&IoFailure> {
        if self.failed.load(Ordering::SeqCst) {
            self.failure.get()
        } else {
            None
        }
    }

    /// `Some` once waiting for `lsn` is over: durable, failed, or never appended.
    pub(crate) fn durable_check(&self, lsn: Lsn) -> Option<Result<(), DurableError>> {
        if self.durable() >= lsn.get() {
            return Some(Ok(()));
        }
        if let Some(failure) = self.failure() {
            return Some(Err(DurableError::Failed(failure.clone())));
        }
        let appended = self.ring.reserved();
        if lsn.get() > appended {
            return Some(Err(DurableError::NotAppended {
                lsn,
                appended: Lsn::new(appended),
            }));
        }
        None
    }

    pub(crate) fn wait_durable(&self, lsn: Lsn) -> Result<(), DurableError> {
        if let Some(result) = self.durable_check(lsn) {
            return result;
        }
        self.waiters
            .block_until(|| self.durable_check(lsn).is_some());
        self.durable_check(lsn).unwrap_or(Ok(()))
    }

    /// Called by the flusher after an fdatasync.
    pub(crate) fn publish_durable(&self, position: u64) {
        self.durable.store(position, Ordering::SeqCst);
        self.waiters.wake(position, false);
    }

    /// Puts the journal in the failed state for good and wakes everybody.
    pub(crate) fn fail(&self, failure: IoFailure) {
        let _ = self.failure.set(failure);
        self.failed.store(true, Ordering::SeqCst);
        self.waiters.wake(self.durable(), true);
        self.room_freed();
    }

    /// The flusher sleeps until an append (or `close`) wakes it, or `timeout`, unless the
    /// reserve cursor moved past `seen`.
    pub(crate) fn flusher_sleep(&self, seen: u64, timeout: Duration) {
        let mut guard = self.flusher_lock.lock();
        // SeqCst, with the append's SeqCst `fetch_add` then SeqCst load of the flag: either
        // this check sees the append's reservation, or the append sees the flag and notifies
        // (under the lock, so after this thread is waiting).
        self.flusher_sleeping.store(true, Ordering::SeqCst);
        if self.ring.reserved() == seen && !self.is_closing() {
            self.flusher_wake.wait_for(&mut guard, timeout);
        }
        self.flusher_sleeping.store(false, Ordering::SeqCst);
    }

    fn wake_flusher(&self) {
        if self.flusher_sleeping.load(Ordering::SeqCst) {
            let _guard = self.flusher_lock.lock();
            self.flusher_wake.notify_one();
        }
    }

    /// Called by the flusher after giving ring space back.
    pub(crate) fn room_freed(&self) {
        if self.room_waiters.load(Ordering::SeqCst) > 0 {
            let _guard = self.room_lock.lock();
            self.room_freed.notify_all();
        }
    }

    /// Waits until the ring has room up to `end` (backpressure).
    fn wait_for_room(&self, end: u64) -> Result<(), AppendError> {
        for _ in 0..ROOM_SPINS {
            if self.ring.has_room(end) {
                return Ok(());
            }
            std::hint::spin_loop();
        }
        Counters::add(&self.counters.backpressure_waits, 1);
        let mut guard = self.room_lock.lock();
        self.room_waiters.fetch_add(1, Ordering::SeqCst);
        let result = loop {
            if self.ring.has_room(end) {
                break Ok(());
            }
            if let Some(failure) = self.failure() {
                break Err(AppendError::Failed(failure.clone()));
            }
            // The timeout is a safety net; the flusher notifies after every batch.
            self.room_freed
                .wait_for(&mut guard, Duration::from_millis(10));
        };
        self.room_waiters.fetch_sub(1, Ordering::SeqCst);
        result
    }
}

/// A durable write-ahead log of opaque records, shared by every thread of a service.
///
/// `Send + Sync`: wrap it in an `Arc` and append from any thread. See the crate guide for the
/// whole flow (append, wait until durable, acknowledge) and for what to do when it fails.
///
/// Dropping the journal flushes and syncs everything appended, like [`Journal::close`],
/// without reporting a failure.
///
/// # Example
/// ```
/// use fairbook_journal::{Journal, JournalConfig};
/// use std::sync::Arc;
///
/// let dir = tempfile::tempdir()?;
/// let journal = Arc::new(Journal::create(dir.path(), JournalConfig::default(), [0; 32])?);
/// let workers: Vec<_> = (0..2u8)
///     .map(|worker| {
///         let journal = Arc::clone(&journal);
///         std::thread::spawn(move || {
///             for i in 0..100u8 {
///                 let lsn = journal.append(&[worker, i])?;
///                 journal.wait_durable(lsn)?; // now acknowledge the request
///             }
///             Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
///         })
///     })
///     .collect();
/// for worker in workers {
///     worker.join().unwrap().unwrap();
/// }
/// assert_eq!(journal.stats().records_written, 200);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Journal {
    shared: Arc<Shared>,
    flusher: Option<JoinHandle<()>>,
    /// Held until the journal is dropped, after the flusher stopped.
    _lock: DirLock,
}

impl Journal {
    /// Creates a journal in `dir` (made if missing; it must hold no journal files), with its
    /// first segment synced, ready to append.
    ///
    /// `fingerprint` identifies the engine configuration the records are for (a hash of it,
    /// say); it is written in every file header, and [`Journal::open`] refuses a mismatch.
    ///
    /// # Errors
    /// [`CreateError`]: a bad config, an existing journal, or a failed file operation.
    ///
    /// # Example
    /// ```
    /// use fairbook_journal::{Journal, JournalConfig, Lsn};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let journal = Journal::create(&dir.path().join("journal"), JournalConfig::default(), [9; 32])?;
    /// assert_eq!(journal.appended(), Lsn::ZERO);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create(
        dir: &Path,
        config: JournalConfig,
        fingerprint: [u8; 32],
    ) -> Result<Journal, CreateError> {
        Journal::create_with(Arc::new(OsStorage), dir, config, fingerprint)
    }

    /// [`Journal::create`] on another [`Storage`] (a test double, for instance).
    ///
    /// # Errors
    /// As [`Journal::create`].
    ///
    /// # Example
    /// ```
    /// use fairbook_journal::{FaultyStorage, Journal, JournalConfig};
    /// use std::sync::Arc;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let storage = Arc::new(FaultyStorage::new());
    /// let journal = Journal::create_with(storage.clone(), dir.path(), JournalConfig::default(), [0; 32])?;
    /// assert_eq!(storage.syncs(), 1); // the first segment's header
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_with(
        storage: Arc<dyn Storage>,
        dir: &Path,
        config: JournalConfig,
        fingerprint: [u8; 32],
    ) -> Result<Journal, CreateError> {
        config.validate().map_err(CreateError::Config)?;
        let io = |op: FileOp, path: &Path| {
            let path = path.to_path_buf();
            move |error| CreateError::Io(IoFailure::new(op, path, error))
        };
        storage
            .create_dir_all(dir)
            .map_err(io(FileOp::CreateDir, dir))?;
        let lock = storage.lock_dir(dir).map_err(|error| {
            if error.kind() == std::io::ErrorKind::WouldBlock {
                CreateError::Locked {
                    dir: dir.to_path_buf(),
                }
            } else {
                CreateError::Io(IoFailure::new(FileOp::Lock, dir, error))
            }
        })?;
        let names = storage.list_dir(dir).map_err(io(FileOp::ListDir, dir))?;
        if names
            .iter()
            .any(|name| parse_file_name(Path::new(name)).is_some())
        {
            return Err(CreateError::AlreadyExists {
                dir: dir.to_path_buf(),
            });
        }
        let path = dir.join(segment_name(0));
        let mut file = storage
            .create_file(&path)
            .map_err(io(FileOp::Create, &path))?;
        let header = Header {
            magic: SEGMENT_MAGIC,
            version: FORMAT_VERSION,
            fingerprint,
            position: 0,
            body_checksum: 0,
        };
        file.write_at(0, &header.encode())
            .map_err(io(FileOp::Write, &path))?;
        file.sync_data().map_err(io(FileOp::Sync, &path))?;
        storage.sync_dir(dir).map_err(io(FileOp::SyncDir, dir))?;
        let files = Files {
            segments: vec![0],
            snapshots: Vec::new(),
        };
        Journal::start(storage, dir, config, fingerprint, file, 0, 0, files, lock)
            .map_err(CreateError::Io)
    }

    /// Opens the journal in `dir`: recovers the latest usable snapshot and every record after
    /// it, cuts off a torn tail, and returns the journal ready to append after the last sound
    /// record.
    ///
    /// # Errors
    /// [`OpenError`]: a bad config, no journal, another fingerprint or format version,
    /// corruption before the tail (with the file and byte offset), a log that no usable
    /// snapshot reaches, or a failed file operation. Arbitrary bytes in the directory give an
    /// error, never a panic.
    ///
    /// # Example
    /// ```
    /// use fairbook_journal::{Journal, JournalConfig};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
    /// let lsn = journal.append(b"a place was given")?;
    /// journal.wait_durable(lsn)?;
    /// drop(journal); // or a crash
    ///
    /// let (journal, recovery) = Journal::open(dir.path(), JournalConfig::default(), [0; 32])?;
    /// assert!(recovery.snapshot().is_none());
    /// assert_eq!(recovery.records().next().unwrap().payload, b"a place was given");
    /// assert!(journal.appended() >= lsn); // past the record (and the flusher's commit marker)
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(
        dir: &Path,
        config: JournalConfig,
        fingerprint: [u8; 32],
    ) -> Result<(Journal, Recovery), OpenError> {
        Journal::open_with(Arc::new(OsStorage), dir, config, fingerprint)
    }

    /// [`Journal::open`] on another [`Storage`].
    ///
    /// # Errors
    /// As [`Journal::open`].
    ///
    /// # Example
    /// ```
    /// use fairbook_journal::{FaultyStorage, Journal, JournalConfig};
    /// use std::sync::Arc;
    ///
    /// let dir = tempfile::tempdir()?;
    /// drop(Journal::create(dir.path(), JournalConfig::default(), [0; 32])?);
    /// let (journal, recovery) =
    ///     Journal::open_with(Arc::new(FaultyStorage::new()), dir.path(), JournalConfig::default(), [0; 32])?;
    /// assert_eq!(recovery.record_count(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_with(
        storage: Arc<dyn Storage>,
        dir: &Path,
        config: JournalConfig,
        fingerprint: [u8; 32],
    ) -> Result<(Journal, Recovery), OpenError> {
        config.validate().map_err(OpenError::Config)?;
        let lock = storage.lock_dir(dir).map_err(|error| match error.kind() {
            std::io::ErrorKind::WouldBlock => OpenError::Locked {
                dir: dir.to_path_buf(),
            },
            std::io::ErrorKind::NotFound => OpenError::NoJournal {
                dir: dir.to_path_buf(),
            },
            _ => OpenError::Io(IoFailure::new(FileOp::Lock, dir, error)),
        })?;
        let (recovery, resume) = recover(&*storage, dir, &config, &fingerprint)?;
        let files = Files {
            segments: resume.segments,
            snapshots: resume.snapshots,
        };
        let journal = Journal::start(
            storage,
            dir,
            config,
            fingerprint,
            resume.file,
            resume.segment_first,
            resume.position,
            files,
            lock,
        )
        .map_err(OpenError::Io)?;
        Ok((journal, recovery))
    }

    #[allow(clippy::too_many_arguments)] // the two constructors' common tail
    fn start(
        storage: Arc<dyn Storage>,
        dir: &Path,
        config: JournalConfig,
        fingerprint: [u8; 32],
        file: Box<dyn StorageFile>,
        segment_first: u64,
        position: u64,
        files: Files,
        lock: DirLock,
    ) -> Result<Journal, IoFailure> {
        let shared = Arc::new(Shared {
            ring: Ring::new(config.backlog_bytes_max, position),
            config,
            dir: dir.to_path_buf(),
            storage,
            fingerprint,
            durable: CachePadded::new(AtomicU64::new(position)),
            failure: OnceLock::new(),
            failed: AtomicBool::new(false),
            closing: AtomicBool::new(false),
            flusher_sleeping: AtomicBool::new(false),
            flusher_lock: Mutex::new(()),
            flusher_wake: Condvar::new(),
            room_waiters: AtomicUsize::new(0),
            room_lock: Mutex::new(()),
            room_freed: Condvar::new(),
            waiters: Waiters::default(),
            counters: Counters::default(),
            files: Mutex::new(files),
            snapshot_lock: Mutex::new(()),
        });
        let flusher = Flusher::new(Arc::clone(&shared), file, segment_first, position);
        let handle = std::thread::Builder::new()
            .name("journal-flusher".into())
            .spawn(move || flusher.run())
            .map_err(|error| IoFailure::new(FileOp::StartFlusher, dir, error))?;
        Ok(Journal {
            shared,
            flusher: Some(handle),
            _lock: lock,
        })
    }

    /// Appends one record; returns its LSN. Safe to call from many threads at once: the data
    /// path is one atomic `fetch_add` to reserve room in a shared ring, a copy, a checksum and
    /// one store to publish; no lock.
    ///
    /// It never waits for the disk, except when
    /// [`JournalConfig::backlog_bytes_max`] bytes are already waiting to be written
    /// (backpressure). The record is **not** durable when this returns: acknowledge it only
    /// after [`Journal::wait_durable`] or [`Journal::durable`] says so.
    ///
    /// # Errors
    /// [`AppendError::TooLarge`] over [`JournalConfig::record_bytes_max`];
    /// [`AppendError::Failed`] once the journal failed.
    ///
    /// # Example
    /// ```
    /// use fairbook_journal::{Journal, JournalConfig};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
    /// let first = journal.append(b"first")?;
    /// let second = journal.append(b"second")?;
    /// assert!(first < second);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn append(&self, payload: &[u8]) -> Result<Lsn, AppendError> {
        let shared = &*self.shared;
        if payload.len() > shared.config.record_bytes_max {
            return Err(AppendError::TooLarge {
                given: payload.len(),
                max: shared.config.record_bytes_max,
            });
        }
        if let Some(failure) = shared.failure() {
            return Err(AppendError::Failed(failure.clone()));
        }
        let bytes = frame_bytes(payload.len()) as u64;
        let start = shared.ring.reserve(bytes);
        let end = start + bytes;
        if !shared.ring.has_room(end) {
            shared.wait_for_room(end)?;
        }
        shared.ring.write_frame(start, FrameKind::Record, payload);
        shared.wake_flusher();
        Ok(Lsn::new(end))
    }

    /// The LSN of the last frame appended so far (by any thread, a record or the flusher's
    /// commit marker): wait for it to be durable after an engine call that appended records.
    ///
    /// # Example
    /// ```
    /// use fairbook_journal::{Journal, JournalConfig};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
    /// let lsn = journal.append(b"record")?;
    /// assert!(journal.appended() >= lsn); // equal, unless the flusher appended a marker since
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn appended(&self) -> Lsn {
        Lsn::new(self.shared.ring.reserved())
    }

    /// Every record up to this LSN is on disk.
    ///
    /// # Example
    /// ```
    /// use fairbook_journal::{Journal, JournalConfig};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
    /// let lsn = journal.append(b"record")?;
    /// journal.wait_durable(lsn)?;
    /// assert!(journal.durable_lsn() >= lsn);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn durable_lsn(&self) -> Lsn {
        Lsn::new(self.shared.durable())
    }

    /// Reads the journal back while it runs, read-only: the latest snapshot and every record
    /// after it up to [`Journal::durable_lsn`] (bytes past it may be mid-write and are not
    /// read). The way to build a new snapshot without pausing anyone: replay this into a
    /// private replica, export its state, and [`Journal::write_snapshot`] it as covering
    /// [`Recovery::end`].
    ///
    /// Do not run it at the same time as [`Journal::write_snapshot`], which may remove the
    /// segments it reads: one thread should do both.
    ///
    /// # Errors
    /// As [`Journal::open`], for damage below the durable position.
    ///
    /// # Example
    /// ```
    /// use fairbook_journal::{Journal, JournalConfig};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
    /// let lsn = journal.append(b"a place was given")?;
    /// journal.wait_durable(lsn)?;
    /// let back = journal.read_back()?;
    /// assert_eq!(back.records().next().unwrap().payload, b"a place was given");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_back(&self) -> Result<Recovery, OpenError> {
        let shared = &self.shared;
        crate::recovery::read_back(
            &*shared.storage,
            &shared.dir,
            &shared.config,
            &shared.fingerprint,
            shared.durable(),
        )
    }

    /// Blocks until every record up to `lsn` is on disk (covered by an fdatasync), or the
    /// journal failed. Many threads may wait at once; one fdatasync wakes them all.
    ///
    /// # Errors
    /// [`DurableError::Failed`] if the journal failed before `lsn` was durable (it never will
    /// be: do not acknowledge); [`DurableError::NotAppended`] if `lsn` is past
    /// [`Journal::appended`].
    ///
    /// # Example
    /// ```
    /// use fairbook_journal::{Journal, JournalConfig};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
    /// let lsn = journal.append(b"booking 42")?;
    /// journal.wait_durable(lsn)?; // only now tell the person their booking is confirmed
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn wait_durable(&self, lsn: Lsn) -> Result<(), DurableError> {
        self.shared.wait_durable(lsn)
    }

    /// The same as [`Journal::wait_durable`], as a future for async services: it holds no
    /// thread while it waits, and works under any executor (it only uses the `Waker`).
    ///
    /// # Example
    /// ```
    /// use fairbook_journal::{Journal, JournalConfig, Lsn};
    ///
    /// async fn confirm(journal: &Journal, lsn: Lsn) -> Result<&'static str, fairbook_journal::DurableError> {
    ///     journal.durable(lsn).await?;
    ///     Ok("confirmed")
    /// }
    /// # let dir = tempfile::tempdir()?;
    /// # let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
    /// # let lsn = journal.append(b"booking")?;
    /// # let mut future = std::pin::pin!(confirm(&journal, lsn));
    /// # let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    /// # let answer = loop {
    /// #     if let std::task::Poll::Ready(answer) = future.as_mut().poll(&mut context) { break answer?; }
    /// #     std::thread::yield_now();
    /// # };
    /// # assert_eq!(answer, "confirmed");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn durable(&self, lsn: Lsn) -> Durable {
        Durable::new(Arc::clone(&self.shared), lsn)
    }

    /// Writes a snapshot: `bytes` (opaque, the caller's) describe the state after every record
    /// up to `covers`. Waits until `covers` is durable, writes the snapshot to a temporary
    /// file, syncs it and renames it into place; then keeps the newest
    /// [`JournalConfig::snapshots_kept`] snapshots and removes the segments wholly before the
    /// oldest of them. Appends go on meanwhile.
    ///
    /// `covers` is normally an LSN this journal handed out ([`Journal::append`],
    /// [`Journal::appended`] or [`Recovery::end`]). Whatever its value, the snapshot stands for
    /// the records whose LSN is at or below it, and recovery replays the ones above it.
    ///
    /// # Errors
    /// [`SnapshotError`]: `covers` not appended or not newer than the latest snapshot, the
    /// journal failed, or writing the file failed (the journal is unharmed then).
    ///
    /// # Example
    /// ```
    /// use fairbook_journal::{Journal, JournalConfig};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
    /// let lsn = journal.append(b"slot 7 added")?;
    /// journal.write_snapshot(lsn, b"the whole state")?;
    /// assert_eq!(journal.stats().snapshots_written, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_snapshot(&self, covers: Lsn, bytes: &[u8]) -> Result<(), SnapshotError> {
        crate::snapshot::write(&self.shared, covers, bytes)
    }

    /// Whether [`JournalConfig::snapshot_interval_bytes`] of records were appended since the
    /// latest snapshot (or since the start, without one).
    ///
    /// # Example
    /// ```
    /// use fairbook_journal::{Journal, JournalConfig};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let config = JournalConfig { snapshot_interval_bytes: 100, ..JournalConfig::default() };
    /// let journal = Journal::create(dir.path(), config, [0; 32])?;
    /// journal.append(&[0; 64])?;
    /// assert!(!journal.snapshot_due());
    /// let lsn = journal.append(&[0; 64])?;
    /// assert!(journal.snapshot_due());
    /// journal.write_snapshot(lsn, b"state")?;
    /// assert!(!journal.snapshot_due());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn snapshot_due(&self) -> bool {
        let latest = self
            .shared
            .files
            .lock()
            .snapshots
            .last()
            .copied()
            .unwrap_or(0);
        self.shared.ring.reserved().saturating_sub(latest)
            >= self.shared.config.snapshot_interval_bytes
    }

    /// The failure that stopped the journal, if it failed: a service's health check.
    ///
    /// # Example
    /// ```
    /// use fairbook_journal::{Journal, JournalConfig};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
    /// assert!(journal.failure().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn failure(&self) -> Option<IoFailure> {
        self.shared.failure().cloned()
    }

    /// The journal's counters: fdatasyncs, records and bytes written, records per fdatasync.
    ///
    /// # Example
    /// ```
    /// use fairbook_journal::{Journal, JournalConfig};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
    /// assert_eq!(journal.stats().records_written, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stats(&self) -> JournalStats {
        self.shared.counters.snapshot()
    }

    /// Writes and syncs everything appended (and a last commit marker), stops the flusher,
    /// and returns the durable LSN: the end of the last record.
    ///
    /// # Errors
    /// [`DurableError::Failed`] if the journal failed (then not everything appended is
    /// durable).
    ///
    /// # Example
    /// ```
    /// use fairbook_journal::{Journal, JournalConfig};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
    /// let lsn = journal.append(b"last words")?;
    /// assert!(journal.close()? >= lsn);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn close(mut self) -> Result<Lsn, DurableError> {
        self.stop();
        match self.shared.failure() {
            Some(failure) => Err(DurableError::Failed(failure.clone())),
            None => Ok(Lsn::new(self.shared.durable())),
        }
    }

    fn stop(&mut self) {
        if let Some(handle) = self.flusher.take() {
            {
                let _guard = self.shared.flusher_lock.lock();
                self.shared.closing.store(true, Ordering::SeqCst);
                self.shared.flusher_wake.notify_one();
            }
            // The flusher does not panic on I/O errors (it records them); a panic there is a
            // bug, and re-raising it here would abort a thread that is already unwinding.
            let _ = handle.join();
        }
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        self.stop();
    }
}

impl core::fmt::Debug for Journal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Journal")
            .field("dir", &self.shared.dir)
            .field("appended", &self.appended())
            .field("durable", &self.durable_lsn())
            .field("failed", &self.shared.failure().is_some())
            .finish_non_exhaustive()
    }
}
