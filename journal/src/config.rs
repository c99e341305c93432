//! [`JournalConfig`]: every bound of a journal in one place, checked once by
//! [`JournalConfig::validate`] when a journal is created or opened.

use core::fmt;

use crate::format::{FRAME_HEADER_BYTES, HEADER_BYTES, PAYLOAD_BYTES_FORMAT_MAX};

/// The smallest [`JournalConfig::segment_bytes_max`]: 4 KiB.
pub const SEGMENT_BYTES_MIN: u64 = 4 << 10;
/// The largest [`JournalConfig::segment_bytes_max`]: 64 GiB.
pub const SEGMENT_BYTES_LIMIT: u64 = 64 << 30;
/// The smallest [`JournalConfig::backlog_bytes_max`]: 4 KiB.
pub const BACKLOG_BYTES_MIN: usize = 4 << 10;
/// The largest [`JournalConfig::backlog_bytes_max`]: 1 GiB.
pub const BACKLOG_BYTES_LIMIT: usize = 1 << 30;
/// The most snapshots [`JournalConfig::snapshots_kept`] may keep.
pub const SNAPSHOTS_KEPT_LIMIT: usize = 64;

/// Every bound of a journal.
///
/// Build one with struct update syntax over [`JournalConfig::default`].
///
/// # Example
/// ```
/// use fairbook_journal::JournalConfig;
///
/// let config = JournalConfig {
///     segment_bytes_max: 16 << 20,
///     backlog_bytes_max: 1 << 20,
///     ..JournalConfig::default()
/// };
/// assert_eq!(config.validate(), Ok(()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalConfig {
    /// A segment file is closed and a new one started once its records reach this many bytes
    /// (the 64-byte header not counted). 4 KiB to 64 GiB; 64 MiB by default, which a
    /// 500 MB/s disk writes in about 0.13 s, so a segment is rolled a few times a second at
    /// most and deleting one after a snapshot frees a useful amount.
    pub segment_bytes_max: u64,
    /// The bound on appended bytes not yet handed to the file: the in-memory ring that appends
    /// copy into. A power of two, 4 KiB to 1 GiB; 8 MiB by default (about 170,000 records of
    /// 32 bytes, or about 16 ms of the disk's best rate). When it is full, `append` waits for
    /// the flusher (backpressure): that is the only time an append waits for the disk. At most
    /// twice this many bytes are ever waiting for an fdatasync: the ring, and the batch being
    /// synced.
    pub backlog_bytes_max: usize,
    /// The largest payload [`Journal::append`](crate::Journal::append) accepts. At least 8
    /// bytes; its frame (payload + 16 bytes) must fit a quarter of `backlog_bytes_max` and
    /// a segment, and at most 16 MiB − 1 (the format's 3-byte length). 64 KiB by default.
    pub record_bytes_max: usize,
    /// [`Journal::snapshot_due`](crate::Journal::snapshot_due) turns true once this many bytes
    /// of records follow the latest snapshot. At least 1; 256 MiB by default (about 5.6 M
    /// records of 32 bytes, a few seconds of replay).
    pub snapshot_interval_bytes: u64,
    /// How many snapshots are kept (1 to 64; 2 by default). Segments are removed only when
    /// they lie wholly before the oldest kept snapshot, so with 2 a damaged latest snapshot
    /// falls back to the one before it and the log after it.
    pub snapshots_kept: usize,
}

impl Default for JournalConfig {
    fn default() -> JournalConfig {
        JournalConfig {
            segment_bytes_max: 64 << 20,
            backlog_bytes_max: 8 << 20,
            record_bytes_max: 64 << 10,
            snapshot_interval_bytes: 256 << 20,
            snapshots_kept: 2,
        }
    }
}

impl JournalConfig {
    /// Checks every bound.
    ///
    /// # Errors
    /// The first field out of range, as a [`JournalConfigError`].
    ///
    /// # Example
    /// ```
    /// use fairbook_journal::{JournalConfig, JournalConfigError};
    ///
    /// let config = JournalConfig { backlog_bytes_max: 3 << 20, ..JournalConfig::default() };
    /// assert!(matches!(config.validate(), Err(JournalConfigError::BacklogBytesOutOfRange { .. })));
    /// ```
    pub fn validate(&self) -> Result<(), JournalConfigError> {
        if !(SEGMENT_BYTES_MIN..=SEGMENT_BYTES_LIMIT).contains(&self.segment_bytes_max) {
            return Err(JournalConfigError::SegmentBytesOutOfRange {
                given: self.segment_bytes_max,
                min: SEGMENT_BYTES_MIN,
                max: SEGMENT_BYTES_LIMIT,
            });
        }
        if !(BACKLOG_BYTES_MIN..=BACKLOG_BYTES_LIMIT).contains(&self.backlog_bytes_max)
            || !self.backlog_bytes_max.is_power_of_two()
        {
            return Err(JournalConfigError::BacklogBytesOutOfRange {
                given: self.backlog_bytes_max,
                min: BACKLOG_BYTES_MIN,
                max: BACKLOG_BYTES_LIMIT,
            });
        }
        // A record must fit a quarter of the ring (so that a full ring still moves in a few
        // batches) and a segment after its header.
        // Frames are whole multiples of 8 bytes, hence the rounding down.
        let frame_room = (self.backlog_bytes_max / 4)
            .min((self.segment_bytes_max - HEADER_BYTES as u64) as usize)
            & !7;
        let record_max = (frame_room - FRAME_HEADER_BYTES).min(PAYLOAD_BYTES_FORMAT_MAX);
        if !(8..=record_max).contains(&self.record_bytes_max) {
            return Err(JournalConfigError::RecordBytesOutOfRange {
                given: self.record_bytes_max,
                min: 8,
                max: record_max,
            });
        }
        if self.snapshot_interval_bytes == 0 {
            return Err(JournalConfigError::SnapshotIntervalZero);
        }
        if !(1..=SNAPSHOTS_KEPT_LIMIT).contains(&self.snapshots_kept) {
            return Err(JournalConfigError::SnapshotsKeptOutOfRange {
                given: self.snapshots_kept,
                max: SNAPSHOTS_KEPT_LIMIT,
            });
        }
        Ok(())
    }
}

/// A [`JournalConfig`] bound out of range.
///
/// # Example
/// ```
/// use fairbook_journal::{JournalConfig, JournalConfigError};
///
/// let error = JournalConfig { snapshots_kept: 0, ..JournalConfig::default() }.validate().unwrap_err();
/// assert_eq!(error, JournalConfigError::SnapshotsKeptOutOfRange { given: 0, max: 64 });
/// assert_eq!(error.to_string(), "snapshots_kept is 0, but must be between 1 and 64");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JournalConfigError {
    /// `segment_bytes_max` is outside 4 KiB to 64 GiB.
    SegmentBytesOutOfRange {
        /// The configured value.
        given: u64,
        /// The smallest value allowed.
        min: u64,
        /// The largest value allowed.
        max: u64,
    },
    /// `backlog_bytes_max` is not a power of two between 4 KiB and 1 GiB.
    BacklogBytesOutOfRange {
        /// The configured value.
        given: usize,
        /// The smallest value allowed.
        min: usize,
        /// The largest value allowed.
        max: usize,
    },
    /// `record_bytes_max` is below 8 or its frame does not fit a quarter of the backlog, a
    /// segment, or the format's 3-byte length.
    RecordBytesOutOfRange {
        /// The configured value.
        given: usize,
        /// The smallest value allowed.
        min: usize,
        /// The largest value allowed with this backlog and segment size.
        max: usize,
    },
    /// `snapshot_interval_bytes` is 0.
    SnapshotIntervalZero,
    /// `snapshots_kept` is 0 or above 64.
    SnapshotsKeptOutOfRange {
        /// The configured value.
        given: usize,
        /// The largest value allowed.
        max: usize,
    },
}

impl fmt::Display for JournalConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JournalConfigError::SegmentBytesOutOfRange { given, min, max } => write!(
                f,
                "segment_bytes_max is {given}, but must be between {min} and {max}"
            ),
            JournalConfigError::BacklogBytesOutOfRange { given, min, max } => write!(
                f,
                "backlog_bytes_max is {given}, but must be a power of two between {min} and {max}"
            ),
            JournalConfigError::RecordBytesOutOfRange { given, min, max } => write!(
                f,
                "record_bytes_max is {given}, but must be between {min} and {max} with this backlog and segment size"
            ),
            JournalConfigError::SnapshotIntervalZero => {
                write!(
                    f,
                    "snapshot_interval_bytes is 0, so a snapshot would always be due"
                )
            }
            JournalConfigError::SnapshotsKeptOutOfRange { given, max } => {
                write!(
                    f,
                    "snapshots_kept is {given}, but must be between 1 and {max}"
                )
            }
        }
    }
}

impl std::error::Error for JournalConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_valid_and_every_bound_is_checked() {
        let default = JournalConfig::default();
        assert_eq!(default.validate(), Ok(()));
        let bad = [
            JournalConfig {
                segment_bytes_max: SEGMENT_BYTES_MIN - 1,
                ..default.clone()
            },
            JournalConfig {
                segment_bytes_max: SEGMENT_BYTES_LIMIT + 1,
                ..default.clone()
            },
            JournalConfig {
                backlog_bytes_max: BACKLOG_BYTES_MIN / 2,
                ..default.clone()
            },
            JournalConfig {
                backlog_bytes_max: BACKLOG_BYTES_MIN + 8,
                ..default.clone()
            },
            JournalConfig {
                record_bytes_max: 7,
                ..default.clone()
            },
            JournalConfig {
                record_bytes_max: 2 << 20,
                ..default.clone()
            },
            JournalConfig {
                snapshot_interval_bytes: 0,
                ..default.clone()
            },
            JournalConfig {
                snapshots_kept: 65,
                ..default.clone()
            },
        ];
        for config in bad {
            assert!(config.validate().is_err(), "{config:?}");
        }
    }

    #[test]
    fn the_largest_record_allowed_fits_a_quarter_of_the_backlog() {
        let config = JournalConfig {
            backlog_bytes_max: BACKLOG_BYTES_MIN,
            segment_bytes_max: SEGMENT_BYTES_MIN,
            record_bytes_max: 1024 - 16,
            ..JournalConfig::default()
        };
        assert_eq!(config.validate(), Ok(()));
        let over = JournalConfig {
            record_bytes_max: 1024 - 15,
            ..config
        };
        assert!(matches!(
            over.validate(),
            Err(JournalConfigError::RecordBytesOutOfRange { max: 1008, .. })
        ));
    }
}
