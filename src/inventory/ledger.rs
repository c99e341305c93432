//! The ledger: which slots each place holds, `bookings_per_person_max` cells per [`Seq`].
//!
//! A cell is 0 when empty or `slot + 1`, with bit 31 ([`HOLD`]) set while the seat is only
//! held (a two-phase hold, not yet confirmed): slot ids stay below 2³¹ − 1, so `slot + 1`
//! never reaches that bit. The first `count` cells of a place are in use, where `count` is
//! the bookings count in the person's state word (holds included). Cells are written only
//! while the person's busy bit is held, so the ledger needs no lock of its own; readers that
//! want a consistent view take the busy bit too.

use crate::ids::{Seq, SlotId};
use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::platform::sync::{AtomicU32, Ordering};

/// Flag in a cell: the seat is held, not booked.
const HOLD: u32 = 1 << 31;

const _: () = assert!(crate::config::SLOTS_MAX_LIMIT < HOLD);

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

    /// The slot in cell `index` of `seq` (booked or held), if any.
    pub(crate) fn get(&self, seq: Seq, index: u8) -> Option<SlotId> {
        let raw = self.raw(seq, index);
        (raw & !HOLD).checked_sub(1).map(SlotId::new)
    }

    /// Cell `index` of `seq` holds a seat on hold (not a booking).
    pub(crate) fn is_held(&self, seq: Seq, index: u8) -> bool {
        self.raw(seq, index) & HOLD != 0
    }

    /// Cell `index` of `seq` as stored: 0, or `slot + 1` with [`HOLD`] for a hold.
    pub(crate) fn raw(&self, seq: Seq, index: u8) -> u32 {
        self.cells_of(seq)[usize::from(index)].load(Ordering::Acquire)
    }

    /// Writes cell `index` as stored (the caller holds the person's busy bit, or restores a
    /// snapshot, having checked the value with [`Ledger::decode`]).
    pub(crate) fn set_raw(&self, seq: Seq, index: u8, raw: u32) {
        debug_assert!(usize::from(index) < self.per_place);
        self.cells_of(seq)[usize::from(index)].store(raw, Ordering::Release);
    }

    /// The slot and whether it is held, of a stored cell value (`None` for an empty cell).
    pub(crate) fn decode(raw: u32) -> Option<(SlotId, bool)> {
        (raw & !HOLD)
            .checked_sub(1)
            .map(|slot| (SlotId::new(slot), raw & HOLD != 0))
    }

    /// Writes cell `index` as a hold of `slot` (the caller holds the person's busy bit).
    pub(crate) fn set_held(&self, seq: Seq, index: u8, slot: SlotId) {
        self.set_raw(seq, index, (slot.as_u32() + 1) | HOLD);
    }

    /// The position of `slot` among the first `count` cells of `seq`, only if it is booked
    /// (not held).
    pub(crate) fn booking_position(&self, seq: Seq, count: u8, slot: SlotId) -> Option<u8> {
        let booked = slot.as_u32() + 1;
        (0..count).find(|&index| self.raw(seq, index) == booked)
    }

    /// The position of `slot` among the first `count` cells of `seq`, only if it is held.
    pub(crate) fn hold_position(&self, seq: Seq, count: u8, slot: SlotId) -> Option<u8> {
        let held = (slot.as_u32() + 1) | HOLD;
        (0..count).find(|&index| self.raw(seq, index) == held)
    }

    /// The position of `slot` among the first `count` cells of `seq`.
    pub(crate) fn position(&self, seq: Seq, count: u8, slot: SlotId) -> Option<u8> {
        (0..count).find(|&index| self.get(seq, index) == Some(slot))
    }

    /// Writes cell `index` as a booking of `slot`, or empties it (the caller holds the
    /// person's busy bit).
    #[inline]
    pub(crate) fn set(&self, seq: Seq, index: u8, slot: Option<SlotId>) {
        self.set_raw(seq, index, slot.map_or(0, |slot| slot.as_u32() + 1));
    }

    /// Removes cell `index` of `count` by moving the last one into it, hold flag and all (the
    /// caller holds the person's busy bit).
    pub(crate) fn remove(&self, seq: Seq, count: u8, index: u8) {
        debug_assert!(index < count);
        let last = count - 1;
        let moved = self.raw(seq, last);
        self.set_raw(seq, index, moved);
        self.set_raw(seq, last, 0);
    }
}
