//! The ledger: which slots each place holds, `bookings_per_person_max` cells per [`Seq`].
//!
//! A cell is 0 when empty or `slot + 1`. The first `count` cells of a place are in use, where
//! `count` is the bookings count in the person's state word. Cells are written only while the
//! person's busy bit is held, so the ledger needs no lock of its own; readers that want a
//! consistent view wait for the busy bit to clear and re-check the state afterwards.

use crate::ids::{Seq, SlotId};
use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::platform::sync::{AtomicU32, Ordering};

pub(crate) struct Ledger {
    cells: Box<[AtomicU32]>,
    per_place: usize,
}

impl Ledger {
    pub(crate) fn new(places: u64, per_place: u8) -> Result<Ledger, AllocError> {
        let len = (places as usize).saturating_mul(usize::from(per_place));
        Ok(Ledger {
            cells: try_boxed_slice(len, Pages::Normal, || AtomicU32::new(0))?,
            per_place: usize::from(per_place),
        })
    }

    /// What [`Ledger::new`] allocates.
    pub(crate) fn bytes_for(places: u64, per_place: u8) -> usize {
        (places as usize).saturating_mul(usize::from(per_place)) * core::mem::size_of::<AtomicU32>()
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        core::mem::size_of_val(&*self.cells)
    }

    fn cells_of(&self, seq: Seq) -> &[AtomicU32] {
        let start = seq.as_index() * self.per_place;
        &self.cells[start..start + self.per_place]
    }

    /// The slot in booking cell `index` of `seq`, if any.
    pub(crate) fn get(&self, seq: Seq, index: u8) -> Option<SlotId> {
        let raw = self.cells_of(seq)[usize::from(index)].load(Ordering::Acquire);
        raw.checked_sub(1).map(SlotId::new)
    }

    /// The position of `slot` among the first `count` cells of `seq`.
    pub(crate) fn position(&self, seq: Seq, count: u8, slot: SlotId) -> Option<u8> {
        (0..count).find(|&index| self.get(seq, index) == Some(slot))
    }

    /// Writes cell `index` (the caller holds the person's busy bit).
    #[inline]
    pub(crate) fn set(&self, seq: Seq, index: u8, slot: Option<SlotId>) {
        debug_assert!(usize::from(index) < self.per_place);
        let raw = slot.map_or(0, |slot| slot.as_u32() + 1);
        self.cells_of(seq)[usize::from(index)].store(raw, Ordering::Release);
    }

    /// Removes cell `index` of `count` by moving the last one into it (the caller holds the
    /// person's busy bit).
    pub(crate) fn remove(&self, seq: Seq, count: u8, index: u8) {
        debug_assert!(index < count);
        let last = count - 1;
        let moved = self.get(seq, last);
        self.set(seq, index, moved);
        self.set(seq, last, None);
    }
}
