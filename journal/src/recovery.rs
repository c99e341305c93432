//! Reading a journal directory back: choosing the latest usable snapshot, validating every
//! segment after it, telling a torn tail from corruption, and [`Recovery`], what `open` hands
//! back.
//!
//! **Torn tail or corruption.** Only the end of the last segment can be half-written by a
//! crash: a segment is fdatasync'd in full before the next one is created, and a batch is
//! written only after the previous batch's fdatasync succeeded, so the bytes a crash can tear
//! are those of the last batch, after the last successful fdatasync. After each batch that held
//! records, the flusher appends a *commit marker* saying "the stream was durable up to position
//! D". So when a frame at position X fails its checks:
//!
//! - in any segment but the last, it is corruption;
//! - in the last segment, if a sound marker after it vouches for a position past X (or the
//!   snapshot in use covers a position past X), X was durable once: corruption;
//! - otherwise X is in the last, unfinished batch, none of whose records was acknowledged: a
//!   torn tail, dropped.
//!
//! Corruption is [`OpenError::Corrupt`] with the file and byte offset, and nothing is cut.
//! What is left undetected: damage to the records of the very last batch (acknowledged, but
//! not yet vouched for by a later marker) reads as a torn tail. The flusher writes a marker
//! after every batch that held records, within 2 ms when the journal goes idle and at close,
//! so that window is one batch of a journal that was busy when it stopped.

use std::path::{Path, PathBuf};

use crate::config::JournalConfig;
use crate::error::{FileOp, IoFailure, OpenError};
use crate::format::{
    Damage, FORMAT_VERSION, FileName, FrameKind, HEADER_BYTES, Header, SEGMENT_MAGIC,
    SNAPSHOT_MAGIC, decode_frame, marker_durable, parse_file_name, segment_name, snapshot_name,
};
use crate::lsn::Lsn;
use crate::storage::{Storage, StorageFile};

/// What [`Journal::open`](crate::Journal::open) recovered: the latest usable snapshot and
/// every record after it, in LSN order.
///
/// The records are held in memory (the segments after the snapshot, as read), and iterated
/// without copying.
///
/// # Example
/// ```
/// use fairbook_journal::{Journal, JournalConfig};
///
/// let dir = tempfile::tempdir()?;
/// let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
/// journal.append(b"one")?;
/// let snapshot_at = journal.append(b"two")?;
/// journal.write_snapshot(snapshot_at, b"state after one and two")?;
/// journal.append(b"three")?;
/// journal.close()?;
///
/// let (_journal, recovery) = Journal::open(dir.path(), JournalConfig::default(), [0; 32])?;
/// let snapshot = recovery.snapshot().expect("a snapshot was written");
/// assert_eq!(snapshot.bytes(), b"state after one and two");
/// let records: Vec<&[u8]> = recovery.records().map(|record| record.payload).collect();
/// assert_eq!(records, [b"three"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Recovery {
    snapshot: Option<RecoveredSnapshot>,
    segments: Vec<RecoveredSegment>,
    record_count: usize,
    end: Lsn,
    torn_tail: Option<TornTail>,
    snapshots_rejected: Vec<RejectedSnapshot>,
}

impl Recovery {
    /// The latest usable snapshot, if any was written.
    pub fn snapshot(&self) -> Option<&RecoveredSnapshot> {
        self.snapshot.as_ref()
    }

    /// Every record after the snapshot (or every record, without one), in LSN order.
    pub fn records(&self) -> Records<'_> {
        Records {
            segments: &self.segments,
            segment: 0,
            offset: self
                .segments
                .first()
                .map_or(0, |segment| segment.start_offset),
        }
    }

    /// How many records [`Recovery::records`] yields.
    pub fn record_count(&self) -> usize {
        self.record_count
    }

    /// The LSN of the last record kept: the journal appends after it.
    pub fn end(&self) -> Lsn {
        self.end
    }

    /// The torn tail that was cut off, if the last segment ended in one.
    pub fn torn_tail(&self) -> Option<&TornTail> {
        self.torn_tail.as_ref()
    }

    /// Snapshots newer than the one used that could not be used, and why.
    pub fn snapshots_rejected(&self) -> &[RejectedSnapshot] {
        &self.snapshots_rejected
    }
}

/// A snapshot read back: the bytes the caller wrote, and the LSN they cover.
#[derive(Debug)]
pub struct RecoveredSnapshot {
    covers: Lsn,
    bytes: Vec<u8>,
    file: PathBuf,
}

impl RecoveredSnapshot {
    /// The last LSN the snapshot covers: the records after it follow in
    /// [`Recovery::records`].
    pub fn covers(&self) -> Lsn {
        self.covers
    }

    /// The snapshot's bytes, as given to
    /// [`Journal::write_snapshot`](crate::Journal::write_snapshot).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The snapshot's file.
    pub fn file(&self) -> &Path {
        &self.file
    }
}

/// The end of the last segment that a crash left half-written, cut off by `open`.
///
/// # Example
/// ```
/// use fairbook_journal::{Damage, Journal, JournalConfig};
///
/// let dir = tempfile::tempdir()?;
/// let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
/// let kept = journal.append(b"acknowledged")?;
/// journal.wait_durable(kept)?;
/// drop(journal);
/// // A crash in the middle of writing the next record: half a frame at the end of the file.
/// let segment = dir.path().join("00000000000000000000.segment");
/// let mut bytes = std::fs::read(&segment)?;
/// bytes.extend_from_slice(&[0x11; 20]);
/// std::fs::write(&segment, &bytes)?;
///
/// let (_journal, recovery) = Journal::open(dir.path(), JournalConfig::default(), [0; 32])?;
/// assert_eq!(recovery.records().map(|r| r.payload).collect::<Vec<_>>(), [b"acknowledged"]);
/// let torn = recovery.torn_tail().expect("the half frame was cut off");
/// assert_eq!(torn.bytes_dropped, 20);
/// assert_eq!(torn.damage, Damage::UnknownKind); // 0x11 is neither a record nor a marker
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TornTail {
    /// The segment file.
    pub file: PathBuf,
    /// Where the file was cut: the offset of the first unsound frame.
    pub offset: u64,
    /// How many bytes were cut off.
    pub bytes_dropped: u64,
    /// What was wrong at `offset`.
    pub damage: Damage,
}

/// A snapshot file that recovery did not use.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RejectedSnapshot {
    /// The file.
    pub file: PathBuf,
    /// Why it was not used.
    pub problem: SnapshotProblem,
}

/// Why a snapshot was not used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SnapshotProblem {
    /// Its header or body is damaged (a crash cannot cause this: snapshots are renamed into
    /// place only once durable).
    Damaged(Damage),
    /// The segments it starts from were removed.
    LogRemoved,
}

/// One record: its LSN and payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// The record's LSN.
    pub lsn: Lsn,
    /// The payload appended.
    pub payload: &'a [u8],
}

/// The iterator of [`Recovery::records`].
#[derive(Clone, Debug)]
pub struct Records<'a> {
    segments: &'a [RecoveredSegment],
    segment: usize,
    offset: usize,
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        loop {
            let segment = self.segments.get(self.segment)?;
            if self.offset >= segment.end_offset {
                self.segment += 1;
                self.offset = self
                    .segments
                    .get(self.segment)
                    .map_or(0, |next| next.start_offset);
                continue;
            }
            // Validated when the segment was read, so this cannot fail; ending the iteration
            // would be the safe answer if it did.
            let frame = decode_frame(&segment.bytes, self.offset, segment.first_position).ok()?;
            self.offset += frame.bytes;
            if frame.kind == FrameKind::Record {
                return Some(Record {
                    lsn: Lsn::new(frame.lsn),
                    payload: frame.payload,
                });
            }
        }
    }
}

/// A segment's bytes and the range of its frames that recovery returns.
#[derive(Debug)]
struct RecoveredSegment {
    bytes: Vec<u8>,
    first_position: u64,
    start_offset: usize,
    end_offset: usize,
}

/// Where the journal resumes appending after recovery.
pub(crate) struct Resume {
    /// The last segment, open for writing, already cut to its sound length.
    pub file: Box<dyn StorageFile>,
    /// Its first stream position.
    pub segment_first: u64,
    /// The next free stream position.
    pub position: u64,
    /// Every live segment's first position, ascending.
    pub segments: Vec<u64>,
    /// Every usable snapshot's position, ascending.
    pub snapshots: Vec<u64>,
}

/// What one segment's scan found.
struct Scan {
    /// Offset just past the last sound frame.
    valid_end: usize,
    /// Stream position just past the last sound frame.
    end_position: u64,
    /// The first unsound frame, if the file does not end cleanly.
    damage: Option<(usize, Damage)>,
}

/// Walks a segment's frames from its header on.
fn scan_frames(bytes: &[u8], first_position: u64) -> Scan {
    let mut offset = HEADER_BYTES;
    let mut position = first_position;
    while offset < bytes.len() {
        match decode_frame(bytes, offset, first_position) {
            Ok(frame)
                if frame.kind == FrameKind::Marker && marker_durable(frame.payload) > position =>
            {
                return Scan {
                    valid_end: offset,
                    end_position: position,
                    damage: Some((offset, Damage::MarkerAhead)),
                };
            }
            Ok(frame) => {
                offset += frame.bytes;
                position += frame.bytes as u64;
            }
            Err(damage) => {
                return Scan {
                    valid_end: offset,
                    end_position: position,
                    damage: Some((offset, damage)),
                };
            }
        }
    }
    Scan {
        valid_end: offset,
        end_position: position,
        damage: None,
    }
}

/// Whether a sound commit marker after `offset` vouches for a position past `position`: then
/// the bytes at `offset` were durable once, and their damage is corruption, not a torn write.
fn vouched_after(bytes: &[u8], offset: usize, first_position: u64, position: u64) -> bool {
    let mut at = offset + 8;
    while at < bytes.len() {
        // `decode_frame` rejects on the kind byte, the length and the LSN before it computes a
        // checksum, so this walk costs little more than reading the bytes.
        if let Ok(frame) = decode_frame(bytes, at, first_position)
            && frame.kind == FrameKind::Marker
            && marker_durable(frame.payload) > position
        {
            return true;
        }
        at += 8;
    }
    false
}

fn io(op: FileOp, file: &Path) -> impl FnOnce(std::io::Error) -> OpenError + '_ {
    move |error| OpenError::Io(IoFailure::new(op, file, error))
}

/// Checks a sound header's version and fingerprint.
fn check_header(header: &Header, file: &Path, fingerprint: &[u8; 32]) -> Result<(), OpenError> {
    if header.version != FORMAT_VERSION {
        return Err(OpenError::UnsupportedVersion {
            file: file.to_path_buf(),
            version: header.version,
        });
    }
    if header.fingerprint != *fingerprint {
        return Err(OpenError::FingerprintMismatch {
            file: file.to_path_buf(),
            expected: *fingerprint,
            found: header.fingerprint,
        });
    }
    Ok(())
}

/// Reads the newest usable snapshot (falling back to older ones) given the earliest segment.
fn choose_snapshot(
    storage: &dyn Storage,
    dir: &Path,
    snapshot_positions: &[u64],
    earliest: u64,
    fingerprint: &[u8; 32],
    rejected: &mut Vec<RejectedSnapshot>,
    usable: &mut Vec<u64>,
) -> Result<Option<RecoveredSnapshot>, OpenError> {
    let mut chosen = None;
    for &covers in snapshot_positions.iter().rev() {
        let file = dir.join(snapshot_name(covers));
        let bytes = storage.read_file(&file).map_err(io(FileOp::Read, &file))?;
        let problem = match Header::decode(&bytes, SNAPSHOT_MAGIC) {
            Err(damage) => Some(SnapshotProblem::Damaged(damage)),
            Ok(header) => {
                check_header(&header, &file, fingerprint)?;
                if header.position != covers {
                    Some(SnapshotProblem::Damaged(Damage::LsnMismatch))
                } else if crc32c::crc32c(&bytes[HEADER_BYTES..]) != header.body_checksum {
                    Some(SnapshotProblem::Damaged(Damage::ChecksumMismatch))
                } else if covers < earliest {
                    Some(SnapshotProblem::LogRemoved)
                } else {
                    None
                }
            }
        };
        match problem {
            Some(problem) if chosen.is_none() => rejected.push(RejectedSnapshot { file, problem }),
            Some(_) => {}
            None => {
                usable.push(covers);
                if chosen.is_none() {
                    let mut bytes = bytes;
                    bytes.drain(..HEADER_BYTES);
                    chosen = Some(RecoveredSnapshot {
                        covers: Lsn::new(covers),
                        bytes,
                        file,
                    });
                }
            }
        }
    }
    usable.reverse();
    Ok(chosen)
}

/// Recovers a journal directory: see the module doc. Cuts a torn tail off (and syncs the cut)
/// and removes unfinished snapshot files before returning.
pub(crate) fn recover(
    storage: &dyn Storage,
    dir: &Path,
    config: &JournalConfig,
    fingerprint: &[u8; 32],
) -> Result<(Recovery, Resume), OpenError> {
    let (recovery, resume) = read(storage, dir, config, fingerprint, None)?;
    Ok((recovery, resume.expect("a full recovery resumes")))
}

/// Reads a live journal's directory back, read-only, up to `durable` (a frame boundary that
/// its flusher has synced): the latest snapshot and every record after it up to there. Bytes
/// past `durable` may be mid-write and are not read; nothing is repaired or removed.
pub(crate) fn read_back(
    storage: &dyn Storage,
    dir: &Path,
    config: &JournalConfig,
    fingerprint: &[u8; 32],
    durable: u64,
) -> Result<Recovery, OpenError> {
    Ok(read(storage, dir, config, fingerprint, Some(durable))?.0)
}

fn read(
    storage: &dyn Storage,
    dir: &Path,
    config: &JournalConfig,
    fingerprint: &[u8; 32],
    limit: Option<u64>,
) -> Result<(Recovery, Option<Resume>), OpenError> {
    config.validate().map_err(OpenError::Config)?;
    let names = storage.list_dir(dir).map_err(|error| {
        if error.kind() == std::io::ErrorKind::NotFound {
            OpenError::NoJournal {
                dir: dir.to_path_buf(),
            }
        } else {
            OpenError::Io(IoFailure::new(FileOp::ListDir, dir, error))
        }
    })?;
    let mut segments = Vec::new();
    let mut snapshot_positions = Vec::new();
    let mut partials = Vec::new();
    for name in names {
        match parse_file_name(Path::new(&name)) {
            Some(FileName::Segment(first)) => segments.push(first),
            Some(FileName::Snapshot(covers)) => snapshot_positions.push(covers),
            Some(FileName::Partial) => partials.push(dir.join(name)),
            None => {}
        }
    }
    segments.sort_unstable();
    snapshot_positions.sort_unstable();
    let Some(&earliest) = segments.first() else {
        return Err(OpenError::NoJournal {
            dir: dir.to_path_buf(),
        });
    };
    if limit.is_none() {
        for partial in &partials {
            storage
                .remove_file(partial)
                .map_err(io(FileOp::Remove, partial))?;
        }
    }

    let mut snapshots_rejected = Vec::new();
    let mut usable_snapshots = Vec::new();
    let snapshot = choose_snapshot(
        storage,
        dir,
        &snapshot_positions,
        earliest,
        fingerprint,
        &mut snapshots_rejected,
        &mut usable_snapshots,
    )?;
    let needed_from = snapshot
        .as_ref()
        .map_or(0, |snapshot| snapshot.covers.get());
    if earliest > needed_from {
        return Err(OpenError::LogMissing {
            needed_from: Lsn::new(needed_from),
            earliest: Lsn::new(earliest),
            snapshots_rejected,
        });
    }
    let start_index = segments.partition_point(|&first| first <= needed_from) - 1;

    let mut recovered = Vec::new();
    let mut record_count = 0;
    let mut torn_tail = None;
    let mut rewrite_header = false;
    let mut expected_first = segments[start_index];
    let mut valid_len = HEADER_BYTES;
    let last_index = segments.len() - 1;
    for (index, &first) in segments.iter().enumerate().skip(start_index) {
        if limit.is_some_and(|limit| first >= limit && first > needed_from) {
            // Wholly past what the flusher has synced: not read back.
            break;
        }
        let file = dir.join(segment_name(first));
        // Read back, the segment holding the limit is the last one read; nothing past the
        // limit is looked at, so it cannot be torn.
        let is_last = index == last_index && limit.is_none();
        let mut bytes = storage.read_file(&file).map_err(io(FileOp::Read, &file))?;
        if let Some(limit) = limit {
            let end = HEADER_BYTES as u64 + limit.saturating_sub(first);
            bytes.truncate(usize::try_from(end).unwrap_or(usize::MAX));
        }
        let corrupt = |offset: usize, damage: Damage| OpenError::Corrupt {
            file: file.clone(),
            offset: offset as u64,
            damage,
        };
        if first != expected_first {
            return Err(corrupt(0, Damage::Gap));
        }
        // A snapshot in use vouches for every position it covers, as a marker does.
        let vouched = |bytes: &[u8], offset: usize, position: u64| {
            needed_from > position || vouched_after(bytes, offset, first, position)
        };
        let header = match Header::decode(&bytes, SEGMENT_MAGIC) {
            Ok(header) => header,
            Err(damage) if is_last && !vouched(&bytes, HEADER_BYTES - 8, first) => {
                // Created but never synced with a record: rewritten fresh below.
                torn_tail = Some(TornTail {
                    file: file.clone(),
                    offset: 0,
                    bytes_dropped: bytes.len() as u64,
                    damage,
                });
                rewrite_header = true;
                break;
            }
            Err(damage) => return Err(corrupt(0, damage)),
        };
        check_header(&header, &file, fingerprint)?;
        if header.position != first {
            return Err(corrupt(0, Damage::LsnMismatch));
        }
        let scan = scan_frames(&bytes, first);
        if let Some((offset, damage)) = scan.damage {
            if !is_last || vouched(&bytes, offset, scan.end_position) {
                return Err(corrupt(offset, damage));
            }
            torn_tail = Some(TornTail {
                file: file.clone(),
                offset: offset as u64,
                bytes_dropped: (bytes.len() - offset) as u64,
                damage,
            });
        }
        // Skip the frames the snapshot covers: those ending at or before its position (the
        // start segment is the only one holding any).
        let mut start_offset = HEADER_BYTES;
        while start_offset < scan.valid_end {
            let Ok(frame) = decode_frame(&bytes, start_offset, first) else {
                break;
            };
            if frame.lsn > needed_from {
                break;
            }
            start_offset += frame.bytes;
        }
        let mut offset = start_offset;
        while offset < scan.valid_end {
            let Ok(frame) = decode_frame(&bytes, offset, first) else {
                break;
            };
            record_count += usize::from(frame.kind == FrameKind::Record);
            offset += frame.bytes;
        }
        expected_first = scan.end_position;
        valid_len = scan.valid_end;
        recovered.push(RecoveredSegment {
            bytes,
            first_position: first,
            start_offset,
            end_offset: scan.valid_end,
        });
    }
    if expected_first < needed_from {
        // The log ends before the snapshot's position. A torn tail cannot explain it (a
        // snapshot is written only once what it covers is durable, and vouches for it like a
        // marker): the end of the log was lost.
        let file = dir.join(segment_name(segments[last_index]));
        return Err(OpenError::Corrupt {
            file,
            offset: valid_len as u64,
            damage: Damage::Truncated,
        });
    }

    if limit.is_some() {
        let recovery = Recovery {
            snapshot,
            segments: recovered,
            record_count,
            end: Lsn::new(expected_first),
            torn_tail,
            snapshots_rejected,
        };
        return Ok((recovery, None));
    }

    // Repair: cut the torn tail (or rewrite a torn header), durably, before appending.
    let last_first = segments[last_index];
    let last_file = dir.join(segment_name(last_first));
    let mut file = storage
        .open_file(&last_file)
        .map_err(io(FileOp::Open, &last_file))?;
    if rewrite_header {
        let header = Header {
            magic: SEGMENT_MAGIC,
            version: FORMAT_VERSION,
            fingerprint: *fingerprint,
            position: last_first,
            body_checksum: 0,
        };
        file.truncate(0).map_err(io(FileOp::Truncate, &last_file))?;
        file.write_at(0, &header.encode())
            .map_err(io(FileOp::Write, &last_file))?;
        expected_first = last_first;
    } else if torn_tail.is_some() {
        file.truncate(valid_len as u64)
            .map_err(io(FileOp::Truncate, &last_file))?;
    }
    if rewrite_header || torn_tail.is_some() {
        file.sync_data().map_err(io(FileOp::Sync, &last_file))?;
    }
    if !partials.is_empty() {
        storage.sync_dir(dir).map_err(io(FileOp::SyncDir, dir))?;
    }

    let end = Lsn::new(expected_first);
    let recovery = Recovery {
        snapshot,
        segments: recovered,
        record_count,
        end,
        torn_tail,
        snapshots_rejected,
    };
    let resume = Resume {
        file,
        segment_first: last_first,
        position: expected_first,
        segments,
        snapshots: usable_snapshots,
    };
    Ok((recovery, Some(resume)))
}
