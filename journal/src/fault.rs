//! [`FaultyStorage`], a test double of the file boundary: the real file system, with writes
//! and fdatasyncs that fail on cue, the way disks fail.
//!
//! A failing write writes the first half of its bytes and then reports the error (a disk that
//! filled up midway). A failing fdatasync drops every byte written since the last successful
//! one before it reports the error, as Linux may (the pages are marked clean and lost): so a
//! journal that acknowledged a record whose fdatasync failed would be caught losing it.

use parking_lot::Mutex;
use std::ffi::OsString;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::storage::{DirLock, OsStorage, Storage, StorageFile};

/// A fault armed on one kind of operation: that many more succeed, then every one fails.
#[derive(Clone, Copy, Debug)]
struct Fault {
    successes_left: u64,
    kind: io::ErrorKind,
}

#[derive(Debug, Default)]
struct FaultState {
    writes: AtomicU64,
    syncs: AtomicU64,
    write_fault: Mutex<Option<Fault>>,
    sync_fault: Mutex<Option<Fault>>,
}

impl FaultState {
    /// Whether this operation fails, counting it.
    fn trips(fault: &Mutex<Option<Fault>>) -> Option<io::ErrorKind> {
        let mut fault = fault.lock();
        let armed = fault.as_mut()?;
        if armed.successes_left > 0 {
            armed.successes_left -= 1;
            None
        } else {
            Some(armed.kind)
        }
    }
}

/// The real file system with writes and fdatasyncs that fail on cue; see the module doc.
///
/// Clones share their faults and counts, so a test keeps one to pull the trigger while the
/// journal uses another.
///
/// # Example
/// ```
/// use fairbook_journal::{DurableError, FaultyStorage, Journal, JournalConfig};
/// use std::io::ErrorKind;
/// use std::sync::Arc;
///
/// let dir = tempfile::tempdir()?;
/// let storage = Arc::new(FaultyStorage::new());
/// let journal = Journal::create_with(storage.clone(), dir.path(), JournalConfig::default(), [0; 32])?;
/// storage.fail_syncs_after(0, ErrorKind::StorageFull);
/// let lsn = journal.append(b"never acknowledged")?;
/// assert!(matches!(journal.wait_durable(lsn), Err(DurableError::Failed(_))));
/// assert!(journal.append(b"refused").is_err()); // failed for good
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct FaultyStorage {
    state: Arc<FaultState>,
}

impl FaultyStorage {
    /// A file system with no fault armed.
    pub fn new() -> FaultyStorage {
        FaultyStorage::default()
    }

    /// After `successes` more successful writes, every write fails with `kind`.
    pub fn fail_writes_after(&self, successes: u64, kind: io::ErrorKind) {
        *self.state.write_fault.lock() = Some(Fault {
            successes_left: successes,
            kind,
        });
    }

    /// After `successes` more successful fdatasyncs of a file, every one fails with `kind`.
    pub fn fail_syncs_after(&self, successes: u64, kind: io::ErrorKind) {
        *self.state.sync_fault.lock() = Some(Fault {
            successes_left: successes,
            kind,
        });
    }

    /// Disarms every fault.
    pub fn heal(&self) {
        *self.state.write_fault.lock() = None;
        *self.state.sync_fault.lock() = None;
    }

    /// Writes attempted so far.
    pub fn writes(&self) -> u64 {
        self.state.writes.load(Ordering::Relaxed)
    }

    /// File fdatasyncs attempted so far.
    pub fn syncs(&self) -> u64 {
        self.state.syncs.load(Ordering::Relaxed)
    }
}

impl Storage for FaultyStorage {
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        OsStorage.create_dir_all(dir)
    }

    fn list_dir(&self, dir: &Path) -> io::Result<Vec<OsString>> {
        OsStorage.list_dir(dir)
    }

    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>> {
        OsStorage.read_file(path)
    }

    fn create_file(&self, path: &Path) -> io::Result<Box<dyn StorageFile>> {
        Ok(Box::new(FaultyFile {
            inner: OsStorage.create_file(path)?,
            state: Arc::clone(&self.state),
            written_end: 0,
            synced_end: 0,
        }))
    }

    fn open_file(&self, path: &Path) -> io::Result<Box<dyn StorageFile>> {
        let len = std::fs::metadata(path)?.len();
        Ok(Box::new(FaultyFile {
            inner: OsStorage.open_file(path)?,
            state: Arc::clone(&self.state),
            written_end: len,
            synced_end: len,
        }))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        OsStorage.rename(from, to)
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        OsStorage.remove_file(path)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        OsStorage.sync_dir(dir)
    }

    fn lock_dir(&self, dir: &Path) -> io::Result<DirLock> {
        OsStorage.lock_dir(dir)
    }
}

/// A file of [`FaultyStorage`]: remembers how far it was synced, to lose the rest.
#[derive(Debug)]
struct FaultyFile {
    inner: Box<dyn StorageFile>,
    state: Arc<FaultState>,
    written_end: u64,
    synced_end: u64,
}

impl StorageFile for FaultyFile {
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
        self.state.writes.fetch_add(1, Ordering::Relaxed);
        if let Some(kind) = FaultState::trips(&self.state.write_fault) {
            let half = &bytes[..bytes.len() / 2];
            self.inner.write_at(offset, half)?;
            self.written_end = self.written_end.max(offset + half.len() as u64);
            return Err(io::Error::from(kind));
        }
        self.inner.write_at(offset, bytes)?;
        self.written_end = self.written_end.max(offset + bytes.len() as u64);
        Ok(())
    }

    fn sync_data(&mut self) -> io::Result<()> {
        self.state.syncs.fetch_add(1, Ordering::Relaxed);
        if let Some(kind) = FaultState::trips(&self.state.sync_fault) {
            // The unsynced pages are gone.
            self.inner.truncate(self.synced_end)?;
            self.written_end = self.synced_end;
            return Err(io::Error::from(kind));
        }
        self.inner.sync_data()?;
        self.synced_end = self.written_end;
        Ok(())
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.inner.truncate(len)?;
        self.written_end = self.written_end.min(len);
        self.synced_end = self.synced_end.min(len);
        Ok(())
    }
}
