//! [`Lsn`], the log sequence number: a record's place in the journal's byte stream.

use core::fmt;

/// A log sequence number: the position in the journal's byte stream just past a record.
///
/// LSNs order records totally: a record appended after another (by any thread) has a larger
/// LSN, and the file holds records in LSN order. They are not dense: the LSN of a record is
/// the LSN of the one before plus the record's frame length (16 bytes of header plus its
/// payload, rounded up to 8), as in PostgreSQL, so a reader can find any LSN's file and offset
/// without an index (see the crate guide's file format). [`Lsn::ZERO`] is the empty journal.
///
/// # Example
/// ```
/// use fairbook_journal::{Journal, JournalConfig, Lsn};
///
/// let dir = tempfile::tempdir()?;
/// let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
/// assert_eq!(journal.appended(), Lsn::ZERO);
/// let first = journal.append(b"32 bytes of a compact record....")?;
/// let second = journal.append(b"another")?;
/// assert_eq!(first, Lsn::new(48)); // 16 + 32
/// // 16 + 7, rounded up to 8; more if the flusher put a commit marker in between.
/// assert!(second.get() >= 48 + 24);
/// assert!(journal.appended() >= second);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lsn(u64);

impl Lsn {
    /// The position of the empty journal, before any record.
    pub const ZERO: Lsn = Lsn(0);

    /// The LSN at a stream position (for a replica or a tool that read it from a file).
    pub const fn new(position: u64) -> Lsn {
        Lsn(position)
    }

    /// The stream position.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lsn {}", self.0)
    }
}
