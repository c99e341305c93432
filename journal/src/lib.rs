//! # fairbook-journal
//!
//! A durable write-ahead log of opaque records, built so that a booking service acknowledges
//! only what survives a crash. It knows nothing of the engine: records and snapshots are
//! bytes in, bytes out.
//!
//! - **Append from many threads, no lock on the data path.** [`Journal::append`] reserves room
//!   in a shared in-memory ring with one atomic `fetch_add` (which also gives the record its
//!   [`Lsn`]), copies the record in with its CRC32C, and publishes it with one store. It never
//!   waits for the disk unless [`JournalConfig::backlog_bytes_max`] bytes are already waiting
//!   (backpressure).
//! - **Group commit.** One background thread, the flusher, writes whatever was appended since
//!   its last round into the current segment file and issues **one** `fdatasync` for all of
//!   it, then wakes every waiter it covers at once. The busier the journal, the more records
//!   each fdatasync covers ([`JournalStats::records_per_fsync`]).
//! - **Acknowledge only what is durable**: [`Journal::wait_durable`] blocks a thread;
//!   [`Journal::durable`] is a future for async services, runtime-agnostic (it only uses the
//!   `Waker`).
//! - **Snapshots**: [`Journal::write_snapshot`] stores the caller's bytes for the state up to
//!   an LSN, then removes segments no kept snapshot needs.
//! - **Recovery**: [`Journal::open`] returns the latest usable snapshot and every record after
//!   it ([`Recovery`]). A torn tail (a batch half-written when the machine stopped: never
//!   acknowledged) is cut off; damage to bytes that were once durable is
//!   [`OpenError::Corrupt`] with the file and byte offset. Arbitrary bytes never panic.
//!
//! ## A service that acknowledges only once durable
//!
//! The engine call appends the records of its state change (the core does that through the
//! sink the service gives it); the service waits until the last of them is durable, then
//! answers. Many requests share each fdatasync.
//!
//! ```
//! use fairbook_journal::{DurableError, Journal, JournalConfig, Lsn};
//! use std::sync::Arc;
//!
//! /// Stands for an engine call that changed state and journaled it.
//! fn book(journal: &Journal, person: u64, slot: u32) -> Result<Lsn, Box<dyn std::error::Error>> {
//!     let mut record = [0u8; 12];
//!     record[..8].copy_from_slice(&person.to_le_bytes());
//!     record[8..].copy_from_slice(&slot.to_le_bytes());
//!     Ok(journal.append(&record)?)
//! }
//!
//! // Blocking: a thread per request (or per batch of requests).
//! fn handle(journal: &Journal, person: u64, slot: u32) -> Result<String, Box<dyn std::error::Error>> {
//!     let lsn = book(journal, person, slot)?;
//!     match journal.wait_durable(lsn) {
//!         Ok(()) => Ok(format!("booked slot {slot}")), // only now
//!         // Not durable and never will be: say "try again", never "booked".
//!         Err(DurableError::Failed(failure)) => Err(failure.into()),
//!         Err(other) => Err(other.into()),
//!     }
//! }
//!
//! // Async: the future holds no thread while the fdatasync runs (tokio, or any executor).
//! async fn handle_async(journal: &Journal, person: u64, slot: u32) -> Result<String, Box<dyn std::error::Error>> {
//!     let lsn = book(journal, person, slot)?;
//!     journal.durable(lsn).await?;
//!     Ok(format!("booked slot {slot}"))
//! }
//!
//! let dir = tempfile::tempdir()?;
//! let journal = Arc::new(Journal::create(dir.path(), JournalConfig::default(), [0; 32])?);
//! assert_eq!(handle(&journal, 1, 7)?, "booked slot 7");
//! # let mut future = std::pin::pin!(handle_async(&journal, 2, 8));
//! # let mut context = std::task::Context::from_waker(std::task::Waker::noop());
//! # let answer = loop {
//! #     if let std::task::Poll::Ready(answer) = future.as_mut().poll(&mut context) { break answer?; }
//! #     std::thread::yield_now();
//! # };
//! # assert_eq!(answer, "booked slot 8");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## When the disk fails
//!
//! A failed write or fdatasync (a full disk, an I/O error) fails the journal for good: no
//! record after the last successful fdatasync is ever reported durable, and every
//! [`Journal::append`], [`Journal::wait_durable`] and [`Durable`] returns the
//! [`IoFailure`] from then on ([`Journal::failure`] for a health check). The journal does not
//! retry: after a failed fdatasync Linux may have dropped the unsynced pages and cleared the
//! error, so a retry that "succeeds" would be a lie. A service should then:
//!
//! 1. **stop acknowledging** changes (answer "try again later"; every change not yet
//!    acknowledged is in doubt, and is neither confirmed nor denied);
//! 2. **keep serving reads** from the engine in memory (people can still see their place);
//! 3. **restart from the journal** once the disk is fixed: [`Journal::open`] recovers exactly
//!    the acknowledged state, plus possibly some unacknowledged records that reached the disk.
//!
//! [`FaultyStorage`] makes writes and fdatasyncs fail on cue so that a service can test this
//! path through the journal ([`Journal::create_with`]).
//!
//! ## File format (version 1)
//!
//! A journal is a directory of files; other files are ignored. All integers are little-endian.
//!
//! | file name | what |
//! |---|---|
//! | `<P>.segment` | records from stream position `P` on (`P` in 20 decimal digits) |
//! | `<C>.snapshot` | a snapshot covering every record up to position `C` |
//! | `*.partial` | a snapshot being written; removed by `open` |
//! | `LOCK` | empty; held with `flock` by the one journal that has the directory open |
//!
//! **The stream.** Records form one byte stream; a record's [`Lsn`] is the stream position
//! just past it, so LSNs increase with append order and a record's LSN is the previous one
//! plus its frame's length. Segment `P` holds the stream from position `P`, each frame at file
//! offset `64 + position − P`, so any LSN's file and offset are known without an index, and a
//! segment describes itself: a replica can take segments (or byte ranges of them) and check
//! every frame on its own.
//!
//! **File header** (64 bytes, both kinds of file):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic: `FBJ-SEG\0` (segment) or `FBJ-SNP\0` (snapshot) |
//! | 8 | 2 | format version: 1 |
//! | 10 | 2 | header length: 64 |
//! | 12 | 4 | reserved, zero |
//! | 16 | 32 | fingerprint of the engine configuration |
//! | 48 | 8 | segment: first stream position `P`; snapshot: covered position `C` |
//! | 56 | 4 | snapshot: CRC32C of the body; segment: zero |
//! | 60 | 4 | CRC32C of bytes 0..60 |
//!
//! A snapshot's body is every byte after its header (the caller's bytes, as given).
//!
//! **Frame** (a segment's body is a run of frames, each 8-byte aligned):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | CRC32C of bytes 4 to the frame's end (padding included) |
//! | 4 | 3 | payload length `L` (at most 16 MiB − 1) |
//! | 7 | 1 | kind: 1 = record, 2 = commit marker |
//! | 8 | 8 | LSN: the stream position just past this frame |
//! | 16 | `L` | payload |
//! | 16 + `L` | 0–7 | zero padding to a multiple of 8 |
//!
//! A 32-byte record takes 48 bytes. A **commit marker**'s payload is 8 bytes: a stream
//! position `D` such that every byte before `D` had been fdatasync'd when the marker was
//! written. The flusher appends one after each batch that held records. On recovery, a frame
//! that fails its checks in the last segment is a torn tail if no sound marker after it
//! vouches for a position past it (it was in the last, unacknowledged batch), and corruption
//! otherwise; in any other segment it is corruption. A replica skips markers, or uses them to
//! learn how far the primary had synced.
//!
//! ## Where the code is
//!
//! `format.rs` (the layout above), `ring.rs` (the lock-free append buffer), `flusher.rs`
//! (group commit), `journal.rs` (the handle), `durable.rs` (waiting), `recovery.rs` (reading
//! back, torn tail or corruption), `snapshot.rs`, `storage.rs` (the file boundary),
//! `fault.rs` (its test double), `config.rs`, `error.rs`, `lsn.rs`, `stats.rs`.

mod config;
mod durable;
mod durable_engine;
mod error;
mod fault;
mod flusher;
mod format;
mod journal;
mod lsn;
mod recovery;
mod ring;
mod snapshot;
mod stats;
mod storage;

pub use config::{
    BACKLOG_BYTES_LIMIT, BACKLOG_BYTES_MIN, JournalConfig, JournalConfigError, SEGMENT_BYTES_LIMIT,
    SEGMENT_BYTES_MIN, SNAPSHOTS_KEPT_LIMIT,
};
pub use durable::Durable;
pub use durable_engine::{
    DurableEngine, DurableEngineError, JournalSink, Recovered, config_fingerprint,
};
pub use error::{
    AppendError, CreateError, DurableError, FileOp, IoFailure, OpenError, SnapshotError,
};
pub use fault::FaultyStorage;
pub use format::Damage;
pub use journal::Journal;
pub use lsn::Lsn;
pub use recovery::{
    Record, Records, RecoveredSnapshot, Recovery, RejectedSnapshot, SnapshotProblem, TornTail,
};
pub use stats::JournalStats;
pub use storage::{DirLock, OsStorage, Storage, StorageFile};
