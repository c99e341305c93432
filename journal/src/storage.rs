//! The file boundary: [`Storage`] and [`StorageFile`], the few file operations the journal
//! makes, and [`OsStorage`], the real ones.
//!
//! Everything the journal does to a disk goes through these two traits, so that a test double
//! ([`FaultyStorage`](crate::FaultyStorage)) can make any write or fdatasync fail on cue, and
//! a service's own tests can do the same through the journal.

use std::ffi::OsString;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// The directory-level operations of a journal.
///
/// # Example
/// ```
/// use fairbook_journal::{OsStorage, Storage};
///
/// let dir = tempfile::tempdir()?;
/// let mut file = OsStorage.create_file(&dir.path().join("a"))?;
/// file.write_at(0, b"hello")?;
/// file.sync_data()?;
/// assert_eq!(OsStorage.read_file(&dir.path().join("a"))?, b"hello");
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait Storage: Send + Sync + fmt::Debug {
    /// Creates a directory and its parents, like `std::fs::create_dir_all`.
    ///
    /// # Errors
    /// The operating system's error.
    fn create_dir_all(&self, dir: &Path) -> io::Result<()>;
    /// The names of the entries of a directory.
    ///
    /// # Errors
    /// The operating system's error.
    fn list_dir(&self, dir: &Path) -> io::Result<Vec<OsString>>;
    /// A whole file's bytes.
    ///
    /// # Errors
    /// The operating system's error.
    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// Creates a file that must not exist yet, for writing.
    ///
    /// # Errors
    /// The operating system's error (`AlreadyExists` if it exists).
    fn create_file(&self, path: &Path) -> io::Result<Box<dyn StorageFile>>;
    /// Opens an existing file for writing.
    ///
    /// # Errors
    /// The operating system's error.
    fn open_file(&self, path: &Path) -> io::Result<Box<dyn StorageFile>>;
    /// Renames a file, replacing `to` if it exists.
    ///
    /// # Errors
    /// The operating system's error.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Removes a file.
    ///
    /// # Errors
    /// The operating system's error.
    fn remove_file(&self, path: &Path) -> io::Result<()>;
    /// Makes the directory's entries durable (fsync of the directory), so that a file created,
    /// renamed or removed stays so after a crash.
    ///
    /// # Errors
    /// The operating system's error.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;

    /// Takes the directory for one writer, until the returned lock is dropped: a second
    /// journal on the same directory, in this process or another, would interleave its
    /// frames with the first one's. The default takes no lock, for storages no one else can
    /// reach (in memory, say).
    ///
    /// # Errors
    /// `WouldBlock` if another writer holds the directory; the operating system's error.
    fn lock_dir(&self, dir: &Path) -> io::Result<DirLock> {
        let _ = dir;
        Ok(DirLock::none())
    }
}

/// A journal directory taken for one writer (see [`Storage::lock_dir`]); released on drop.
///
/// # Example
/// ```
/// use fairbook_journal::{OsStorage, Storage};
/// use std::io::ErrorKind;
///
/// let dir = tempfile::tempdir()?;
/// let lock = OsStorage.lock_dir(dir.path())?;
/// assert_eq!(OsStorage.lock_dir(dir.path()).unwrap_err().kind(), ErrorKind::WouldBlock);
/// drop(lock);
/// OsStorage.lock_dir(dir.path())?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct DirLock {
    /// The locked file; closing it releases the lock.
    _file: Option<File>,
}

impl DirLock {
    /// The name of the file [`OsStorage`] locks in a journal directory.
    pub const FILE_NAME: &'static str = "LOCK";

    /// No lock, for a storage no other writer can reach.
    pub fn none() -> DirLock {
        DirLock { _file: None }
    }

    /// A lock held for as long as `file` is open (a file locked with `File::lock`, say).
    pub fn holding(file: File) -> DirLock {
        DirLock { _file: Some(file) }
    }
}

/// An open file of a journal, written at explicit offsets.
pub trait StorageFile: Send + fmt::Debug {
    /// Writes all of `bytes` at `offset` (`pwrite` until done).
    ///
    /// # Errors
    /// The operating system's error; part of the bytes may be written.
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()>;
    /// Makes the file's data durable (`fdatasync`).
    ///
    /// # Errors
    /// The operating system's error. After a failure the journal never trusts the file's
    /// unsynced pages again (Linux may have dropped them: "fsyncgate").
    fn sync_data(&mut self) -> io::Result<()>;
    /// Cuts the file to `len` bytes.
    ///
    /// # Errors
    /// The operating system's error.
    fn truncate(&mut self, len: u64) -> io::Result<()>;
}

/// The real file system, through `std::fs`.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsStorage;

impl Storage for OsStorage {
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)
    }

    fn list_dir(&self, dir: &Path) -> io::Result<Vec<OsString>> {
        fs::read_dir(dir)?
            .map(|entry| entry.map(|entry| entry.file_name()))
            .collect()
    }

    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>> {
        fs::read(path)
    }

    fn create_file(&self, path: &Path) -> io::Result<Box<dyn StorageFile>> {
        let file = OpenOptions::new().write(true).create_new(true).open(path)?;
        Ok(Box::new(OsFile(file)))
    }

    fn open_file(&self, path: &Path) -> io::Result<Box<dyn StorageFile>> {
        let file = OpenOptions::new().write(true).open(path)?;
        Ok(Box::new(OsFile(file)))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }

    fn lock_dir(&self, dir: &Path) -> io::Result<DirLock> {
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(dir.join(DirLock::FILE_NAME))?;
        // flock(LOCK_EX | LOCK_NB): released when the file is closed, also by a crash.
        file.try_lock().map_err(|error| match error {
            std::fs::TryLockError::WouldBlock => io::Error::from(io::ErrorKind::WouldBlock),
            std::fs::TryLockError::Error(error) => error,
        })?;
        Ok(DirLock::holding(file))
    }
}

/// A file opened by [`OsStorage`].
#[derive(Debug)]
struct OsFile(File);

impl StorageFile for OsFile {
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
        self.0.write_all_at(bytes, offset)
    }

    fn sync_data(&mut self) -> io::Result<()> {
        self.0.sync_data()
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.0.set_len(len)
    }
}
