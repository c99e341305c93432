//! [`JournalStats`]: what the journal has done, for dashboards and benchmarks, and the
//! counters behind it.

use std::sync::atomic::{AtomicU64, Ordering};

/// A journal's counters since it was created or opened.
///
/// Counted by the flusher (one thread, so the data path pays nothing for them), except
/// `backpressure_waits`, which an append counts only when it has to wait.
///
/// # Example
/// ```
/// use fairbook_journal::{Journal, JournalConfig};
///
/// let dir = tempfile::tempdir()?;
/// let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
/// for _ in 0..1_000 {
///     journal.append(&[7; 32])?;
/// }
/// journal.wait_durable(journal.appended())?;
/// let stats = journal.stats();
/// assert_eq!(stats.records_written, 1_000);
/// assert!(stats.fsyncs >= 1);
/// assert!(stats.records_per_fsync() >= 1.0);
/// assert!(stats.bytes_per_record() >= 48.0); // 16 of header + 32 of payload, and markers
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct JournalStats {
    /// Records handed to the file.
    pub records_written: u64,
    /// Bytes of record frames handed to the file (headers and padding included, commit
    /// markers not).
    pub record_bytes_written: u64,
    /// Commit markers written (one after each batch that held records).
    pub markers_written: u64,
    /// fdatasync calls on segment files that succeeded (directory syncs not counted).
    pub fsyncs: u64,
    /// Time spent in those fdatasync calls, in nanoseconds.
    pub fsync_nanos_total: u64,
    /// The most records one fdatasync covered.
    pub records_per_fsync_max: u64,
    /// Segment files started.
    pub segments_created: u64,
    /// Segment files removed after a snapshot.
    pub segments_removed: u64,
    /// Snapshots written.
    pub snapshots_written: u64,
    /// Appends that found the backlog full and waited for the flusher.
    pub backpressure_waits: u64,
}

impl JournalStats {
    /// Records per fdatasync, on average (0 before the first).
    pub fn records_per_fsync(&self) -> f64 {
        if self.fsyncs == 0 {
            0.0
        } else {
            self.records_written as f64 / self.fsyncs as f64
        }
    }

    /// File bytes per record, on average, with the commit markers' share (0 before the first
    /// record).
    pub fn bytes_per_record(&self) -> f64 {
        if self.records_written == 0 {
            0.0
        } else {
            let markers = self.markers_written * crate::format::MARKER_FRAME_BYTES as u64;
            (self.record_bytes_written + markers) as f64 / self.records_written as f64
        }
    }

    /// The mean fdatasync time in microseconds (0 before the first).
    pub fn fsync_micros_mean(&self) -> f64 {
        if self.fsyncs == 0 {
            0.0
        } else {
            self.fsync_nanos_total as f64 / self.fsyncs as f64 / 1_000.0
        }
    }
}

/// The live counters.
#[derive(Default)]
pub(crate) struct Counters {
    pub records_written: AtomicU64,
    pub record_bytes_written: AtomicU64,
    pub markers_written: AtomicU64,
    pub fsyncs: AtomicU64,
    pub fsync_nanos_total: AtomicU64,
    pub records_per_fsync_max: AtomicU64,
    pub segments_created: AtomicU64,
    pub segments_removed: AtomicU64,
    pub snapshots_written: AtomicU64,
    pub backpressure_waits: AtomicU64,
}

impl Counters {
    /// Adds to a counter.
    pub(crate) fn add(counter: &AtomicU64, amount: u64) {
        counter.fetch_add(amount, Ordering::Relaxed);
    }

    /// A copy of every counter.
    pub(crate) fn snapshot(&self) -> JournalStats {
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        JournalStats {
            records_written: get(&self.records_written),
            record_bytes_written: get(&self.record_bytes_written),
            markers_written: get(&self.markers_written),
            fsyncs: get(&self.fsyncs),
            fsync_nanos_total: get(&self.fsync_nanos_total),
            records_per_fsync_max: get(&self.records_per_fsync_max),
            segments_created: get(&self.segments_created),
            segments_removed: get(&self.segments_removed),
            snapshots_written: get(&self.snapshots_written),
            backpressure_waits: get(&self.backpressure_waits),
        }
    }
}
