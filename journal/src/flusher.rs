//! The flusher: the one background thread of a journal, which does group commit.
//!
//! Each round it takes every frame published in the ring since the last round (whatever many
//! threads appended while the previous fdatasync ran), writes them to the segment with one or
//! two `pwrite`s straight from the ring, gives the ring space back, issues **one** fdatasync
//! covering them all, then publishes the new durable position and wakes every waiter it
//! covers. It rolls to a new segment at a frame boundary when the current one is full, after
//! syncing the old one. After a round that held records it appends a commit marker, which
//! rides along with the next round (see `recovery.rs` for what markers are for).
//!
//! The first failed write or fdatasync stops it for good: the journal is failed, the durable
//! position never moves again, every waiter gets the error.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{FileOp, IoFailure};
use crate::format::{
    FORMAT_VERSION, FrameKind, HEADER_BYTES, Header, MARKER_FRAME_BYTES, SEGMENT_MAGIC,
    segment_name,
};
use crate::journal::Shared;
use crate::stats::Counters;
use crate::storage::StorageFile;

/// How long the flusher sleeps when idle before it looks again anyway. Every append wakes it
/// earlier; this only bounds how long a `close` can go unnoticed if a wake-up were lost.
const IDLE_SLEEP: Duration = Duration::from_millis(50);

/// How long a commit marker waits alone for records to share its fdatasync. A marker needs no
/// haste (nobody waits for it), so an idle journal syncs it 2 ms later, while a busy one never
/// spends an fdatasync on a marker alone.
const MARKER_ALONE_DELAY: Duration = Duration::from_millis(2);

/// How many times the flusher re-reads an unpublished frame at the start of an otherwise empty
/// batch: an append copies a few dozen bytes between its reservation and its publication, well
/// under a microsecond unless its thread is preempted. A batch that already holds frames ends
/// before an unpublished one at once: spinning there only took a core from the appends (16%
/// of the samples of a 2-thread run were the flusher spinning).
const PUBLISH_SPINS: u32 = 64;

/// One round's frames.
struct Batch {
    end: u64,
    records: u64,
    record_bytes: u64,
}

pub(crate) struct Flusher {
    shared: Arc<Shared>,
    file: Box<dyn StorageFile>,
    segment_first: u64,
    flushed: u64,
}

impl Flusher {
    pub(crate) fn new(
        shared: Arc<Shared>,
        file: Box<dyn StorageFile>,
        segment_first: u64,
        position: u64,
    ) -> Flusher {
        Flusher {
            shared,
            file,
            segment_first,
            flushed: position,
        }
    }

    /// The thread's body.
    pub(crate) fn run(mut self) {
        let mut marker_waited = false;
        loop {
            let start = self.flushed;
            let batch = self.collect(start);
            if batch.end == start {
                let reserved = self.shared.ring.reserved();
                if reserved > start && reserved - start <= self.shared.ring.capacity_bytes() {
                    // An append is between its reservation and its publication.
                    std::thread::yield_now();
                    continue;
                }
                if reserved == start && self.shared.is_closing() {
                    return;
                }
                self.shared.flusher_sleep(reserved, IDLE_SLEEP);
                continue;
            }
            if batch.records == 0 && !marker_waited && !self.shared.is_closing() {
                marker_waited = true;
                self.shared
                    .flusher_sleep(self.shared.ring.reserved(), MARKER_ALONE_DELAY);
                continue;
            }
            marker_waited = false;
            if let Err(failure) = self.commit(start, &batch) {
                self.shared.fail(failure);
                return;
            }
            if batch.records > 0
                && let Some(at) = self.shared.ring.try_reserve(MARKER_FRAME_BYTES as u64)
            {
                self.shared
                    .ring
                    .write_frame(at, FrameKind::Marker, &batch.end.to_le_bytes());
            }
        }
    }

    /// The published frames from `start` on.
    fn collect(&self, start: u64) -> Batch {
        let ring = &self.shared.ring;
        // Positions past one ring's length from `start` are not writable yet, and their words
        // alias this lap's frames.
        let limit = ring.reserved().min(start + ring.capacity_bytes());
        let mut batch = Batch {
            end: start,
            records: 0,
            record_bytes: 0,
        };
        let mut spins = 0;
        while batch.end < limit {
            match ring.published(batch.end) {
                Some((kind, bytes)) => {
                    if kind == FrameKind::Record as u8 {
                        batch.records += 1;
                        batch.record_bytes += bytes;
                    }
                    batch.end += bytes;
                }
                None if batch.end == start && spins < PUBLISH_SPINS => {
                    spins += 1;
                    std::hint::spin_loop();
                }
                None => break,
            }
        }
        batch
    }

    /// Writes `[start, batch.end)`, rolling segments as needed, syncs, and publishes it.
    fn commit(&mut self, start: u64, batch: &Batch) -> Result<(), IoFailure> {
        let segment_bytes_max = self.shared.config.segment_bytes_max;
        let mut position = start;
        while position < batch.end {
            // The frames that fit this segment (at least one, in an empty segment). Walked
            // only when the batch does not fit whole: walking every frame a second time
            // measured 16% of the flusher's time.
            let mut piece_end = position;
            if batch.end - self.segment_first <= segment_bytes_max {
                piece_end = batch.end;
            }
            while piece_end < batch.end {
                let (_, bytes) = self
                    .shared
                    .ring
                    .published(piece_end)
                    .expect("frames before the batch end are published");
                let used = piece_end - self.segment_first;
                if used > 0 && used + bytes > segment_bytes_max {
                    break;
                }
                piece_end += bytes;
            }
            if piece_end > position {
                let mut offset = HEADER_BYTES as u64 + position - self.segment_first;
                for piece in self.shared.ring.bytes(position, piece_end) {
                    if !piece.is_empty() {
                        self.file.write_at(offset, piece).map_err(|error| {
                            self.failure(FileOp::Write, self.segment_first, error)
                        })?;
                        offset += piece.len() as u64;
                    }
                }
                position = piece_end;
            }
            if position < batch.end {
                self.sync()?;
                self.roll(position)?;
            }
        }
        // The bytes are in the file (the page cache): appends may reuse the space while the
        // fdatasync runs.
        self.shared.ring.release(start, batch.end);
        self.shared.room_freed();
        self.sync()?;
        let counters = &self.shared.counters;
        Counters::add(&counters.records_written, batch.records);
        Counters::add(&counters.record_bytes_written, batch.record_bytes);
        let marker_bytes = (batch.end - start) - batch.record_bytes;
        Counters::add(
            &counters.markers_written,
            marker_bytes / MARKER_FRAME_BYTES as u64,
        );
        counters
            .records_per_fsync_max
            .fetch_max(batch.records, std::sync::atomic::Ordering::Relaxed);
        self.flushed = batch.end;
        self.shared.publish_durable(batch.end);
        Ok(())
    }

    fn sync(&mut self) -> Result<(), IoFailure> {
        let began = Instant::now();
        self.file
            .sync_data()
            .map_err(|error| self.failure(FileOp::Sync, self.segment_first, error))?;
        let counters = &self.shared.counters;
        Counters::add(&counters.fsyncs, 1);
        Counters::add(
            &counters.fsync_nanos_total,
            began.elapsed().as_nanos() as u64,
        );
        Ok(())
    }

    /// Starts a new segment at `position` (the old one is synced).
    fn roll(&mut self, position: u64) -> Result<(), IoFailure> {
        let shared = &self.shared;
        let path = shared.dir.join(segment_name(position));
        let mut file = shared
            .storage
            .create_file(&path)
            .map_err(|error| IoFailure::new(FileOp::Create, &path, error))?;
        let header = Header {
            magic: SEGMENT_MAGIC,
            version: FORMAT_VERSION,
            fingerprint: shared.fingerprint,
            position,
            body_checksum: 0,
        };
        file.write_at(0, &header.encode())
            .map_err(|error| IoFailure::new(FileOp::Write, &path, error))?;
        // The new name must survive a crash before any record in the file is acknowledged.
        shared
            .storage
            .sync_dir(&shared.dir)
            .map_err(|error| IoFailure::new(FileOp::SyncDir, &shared.dir, error))?;
        self.file = file;
        self.segment_first = position;
        shared.files.lock().segments.push(position);
        Counters::add(&shared.counters.segments_created, 1);
        Ok(())
    }

    fn failure(&self, op: FileOp, segment_first: u64, error: std::io::Error) -> IoFailure {
        IoFailure::new(op, self.shared.dir.join(segment_name(segment_first)), error)
    }
}
