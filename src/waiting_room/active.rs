//! [`ActiveCounts`]: how many admitted people are *active* (lease live, not booked, no seat
//! held for them), in all and per scope tag, striped per thread.
//!
//! The outflow policy's cap reads the total; the seat-aware door reads the count of each
//! scope, so that it never lets in more people than there are seats they could book. A first
//! booking takes its person out of the count from the booking path, so each thread writes a
//! stripe of its own (see `platform/counter.rs`). Per scope, a stripe is a row of one counter
//! per tag, padded to whole cache lines; the rows exist only when places keep tags.

use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::platform::counter::{STRIPES, StripedCounter, stripe_index};
use crate::platform::sync::{AtomicU64, Ordering};

/// Counters per 64-byte line.
const PER_LINE: usize = 8;

pub(crate) struct ActiveCounts {
    total: StripedCounter,
    /// `STRIPES` rows of `row` counters, one per tag (empty without tags).
    by_tag: Box<[AtomicU64]>,
    row: usize,
}

impl ActiveCounts {
    /// Counts for `tags` scope tags (0 when places keep none: only the total).
    pub(crate) fn new(tags: usize) -> Result<ActiveCounts, AllocError> {
        let row = Self::row_len(tags);
        Ok(ActiveCounts {
            total: StripedCounter::new(),
            by_tag: try_boxed_slice(row * STRIPES, Pages::Normal, || AtomicU64::new(0))?,
            row,
        })
    }

    fn row_len(tags: usize) -> usize {
        tags.next_multiple_of(PER_LINE)
    }

    /// What [`ActiveCounts::new`] allocates beyond its own size.
    pub(crate) fn bytes_for(tags: usize) -> usize {
        Self::row_len(tags) * STRIPES * size_of::<AtomicU64>()
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        size_of_val(&*self.by_tag)
    }

    #[inline]
    pub(crate) fn increment(&self, tag: u16) {
        self.total.add(1);
        if self.by_tag.is_empty() {
            return;
        }
        if let Some(count) = self
            .by_tag
            .get(stripe_index() * self.row + usize::from(tag))
        {
            count.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Counts `admitted` more people at once, when counts are not kept per tag (one stripe
    /// write for a whole admission; with tags, each person is counted under theirs).
    #[inline]
    pub(crate) fn add_untagged(&self, admitted: u64) {
        debug_assert!(!self.per_tag());
        self.total.add(admitted as i64);
    }

    #[inline]
    pub(crate) fn decrement(&self, tag: u16) {
        self.total.decrement();
        if self.by_tag.is_empty() {
            return;
        }
        if let Some(count) = self
            .by_tag
            .get(stripe_index() * self.row + usize::from(tag))
        {
            count.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// All active people (a snapshot; see [`StripedCounter::sum`]).
    pub(crate) fn total(&self) -> i64 {
        self.total.sum()
    }

    /// Active people whose place has `tag` (the total when places keep no tag).
    pub(crate) fn of_tag(&self, tag: u16) -> i64 {
        if self.by_tag.is_empty() {
            return self.total();
        }
        (0..STRIPES).fold(0u64, |sum, stripe| {
            let count = &self.by_tag[stripe * self.row + usize::from(tag)];
            sum.wrapping_add(count.load(Ordering::Acquire))
        }) as i64
    }

    /// Whether counts are kept per tag.
    pub(crate) fn per_tag(&self) -> bool {
        !self.by_tag.is_empty()
    }
}
