//! [`Tags`]: each place's scope tag (where its person may book), two bytes per place, kept
//! only when the engine has more than one scope to tell apart.
//!
//! The waiting room does not know what a tag means: the engine gives one to each first join
//! (the person's scope) and reads it back when it answers for the place. A requeue's new place
//! keeps the old place's tag. A tag is written before its place is published in the ring
//! (Release), and never changes afterwards, so any reader that found the place reads it with a
//! plain load.

use crate::ids::Seq;
use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::platform::sync::{AtomicU16, Ordering};

pub(crate) struct Tags {
    /// Per place, or empty when every place's tag is 0.
    tags: Box<[AtomicU16]>,
}

impl Tags {
    /// Tags for `places` places if `kept`, none otherwise.
    pub(crate) fn new(places: u64, kept: bool) -> Result<Tags, AllocError> {
        let len = if kept { places as usize } else { 0 };
        Ok(Tags {
            tags: try_boxed_slice(len, Pages::Normal, || AtomicU16::new(0))?,
        })
    }

    /// What [`Tags::new`] allocates.
    pub(crate) fn bytes_for(places: u64, kept: bool) -> usize {
        if kept {
            (places as usize).saturating_mul(size_of::<AtomicU16>())
        } else {
            0
        }
    }

    /// Whether places keep tags.
    pub(crate) fn is_kept(&self) -> bool {
        !self.tags.is_empty()
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        size_of_val(&*self.tags)
    }

    /// The tag of `seq`: 0 when tags are not kept.
    #[inline]
    pub(crate) fn get(&self, seq: Seq) -> u16 {
        self.tags
            .get(seq.as_index())
            .map_or(0, |tag| tag.load(Ordering::Relaxed))
    }

    /// Gives place `seq` its tag, before the place is published. A tag other than 0 is
    /// dropped when tags are not kept (the engine gives none then).
    #[inline]
    pub(crate) fn set(&self, seq: Seq, tag: u16) {
        match self.tags.get(seq.as_index()) {
            Some(cell) => cell.store(tag, Ordering::Relaxed),
            None => debug_assert_eq!(tag, 0, "a tag for place {seq}, but tags are not kept"),
        }
    }
}
