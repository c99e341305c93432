//! [`OpenSlots`]: how many slots still have a free seat, counted so that "sold out" is never
//! said while a seat is free, and written so rarely that the booking path does not pay for it.
//!
//! # Why not a count of full slots
//!
//! The first design counted full slots in per-thread stripes and called the inventory sold out
//! when that count reached the number of slots. Under churn it said "sold out" while a seat
//! was free (1.5% of polls with two threads booking and releasing one slot while another had
//! room): the stripes were summed without a consistent view, a release lowered the count only
//! after the seat was free, and the slot count was read before the full count. Any count that
//! can *understate* the open slots for an instant lies the wrong way.
//!
//! # Protocol
//!
//! Slots are grouped into blocks of consecutive ids (64, or fewer in a small inventory so that
//! there are always at least two blocks: the tests then reach every case). Each block counts
//! its open slots; one global counter counts the blocks whose count is above zero. Both
//! counts may *overstate* the truth for an instant, never understate it:
//!
//! 1. A slot about to open (a release from full, a new slot with room) is announced with
//!    [`OpenSlots::will_open`] **before** its seat is free: the global counter is raised first,
//!    pessimistically, then the block's count; if the block already counted an open slot, the
//!    global raise is undone (whoever raised the block from zero had raised the global first,
//!    and has not lowered it, since the block is still above zero).
//! 2. A slot that just filled is reported with [`OpenSlots::filled`] **after** its last seat
//!    was taken: the block's count is lowered, and if it reached zero, the global counter too.
//!    An announcement that did not open anything (another release freed the seat first) is
//!    withdrawn the same way.
//!
//! So at every instant `global ≥ #blocks with a count above zero ≥ #blocks holding an open
//! slot`: a block's count above zero means the raise of the global that went with its last
//! rise from zero has happened and the lowering that goes with its next fall has not. When the
//! global reads zero, no seat is free at that instant. The cost of being wrong the other way
//! is a brief "not sold out" while the last seats are being taken, which is harmless.
//!
//! All these operations are sequentially consistent, so that "at that instant" is one total
//! order with the slots' own compare-and-swaps (on x86 a locked read-modify-write is already
//! a full barrier, and a sequentially consistent load is a plain load: it costs nothing more).
//!
//! # Cost
//!
//! The global counter changes only when a whole block fills up or gets a free seat back: at
//! the reference inventory (1,568,000 slots of about one seat each) that is once per 64
//! fills, and "sold out" is one load of a line that stays shared in every core's cache. A
//! block's count is written on each fill, but two threads rarely book in the same 64 slots at
//! once. Releases of full slots pay two extra writes of the global line (the pessimistic raise
//! and its undo).

use crossbeam_utils::CachePadded;

use crate::ids::SlotId;
use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::platform::sync::{AtomicU32, AtomicU64, Ordering};

/// Slots per block, as a power of two, at most: 64.
const BLOCK_SHIFT_MAX: u32 = 6;

pub(crate) struct OpenSlots {
    /// Open slots per block (may overstate for an instant).
    blocks: Box<[AtomicU32]>,
    /// Slots per block, as a power of two.
    shift: u32,
    /// Blocks whose count is above zero (may overstate for an instant).
    open_blocks: CachePadded<AtomicU64>,
}

impl OpenSlots {
    pub(crate) fn new(slots_max: u32) -> Result<OpenSlots, AllocError> {
        Ok(OpenSlots {
            blocks: try_boxed_slice(Self::blocks_len(slots_max), Pages::Normal, || {
                AtomicU32::new(0)
            })?,
            shift: Self::shift(slots_max),
            open_blocks: CachePadded::new(AtomicU64::new(0)),
        })
    }

    /// 64 slots per block, or half the inventory rounded down to a power of two when that is
    /// fewer: a two-slot inventory has a block per slot, a four-slot one two slots per block.
    fn shift(slots_max: u32) -> u32 {
        slots_max
            .max(1)
            .ilog2()
            .saturating_sub(1)
            .min(BLOCK_SHIFT_MAX)
    }

    fn blocks_len(slots_max: u32) -> usize {
        (slots_max as usize).div_ceil(1 << Self::shift(slots_max))
    }

    /// What [`OpenSlots::new`] allocates.
    pub(crate) fn bytes_for(slots_max: u32) -> usize {
        Self::blocks_len(slots_max) * size_of::<AtomicU32>()
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        size_of_val(&*self.blocks)
    }

    fn block(&self, slot: SlotId) -> &AtomicU32 {
        &self.blocks[slot.as_index() >> self.shift]
    }

    /// Announces that `slot` may get a free seat: call it *before* the seat is freed.
    #[inline]
    pub(crate) fn will_open(&self, slot: SlotId) {
        self.open_blocks.fetch_add(1, Ordering::SeqCst);
        if self.block(slot).fetch_add(1, Ordering::SeqCst) != 0 {
            // The block was counted already (see the protocol in the module docs).
            self.open_blocks.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Reports that `slot` has no free seat any more (or that an announcement did not open
    /// it): call it *after* its last seat was taken.
    #[inline]
    pub(crate) fn filled(&self, slot: SlotId) {
        let before = self.block(slot).fetch_sub(1, Ordering::SeqCst);
        debug_assert!(before > 0, "block of {slot} counted no open slot");
        if before == 1 {
            self.open_blocks.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// `true` if no slot has a free seat at this instant. It may say `false` for an instant
    /// after the last seat went; it never says `true` while a seat is free.
    #[inline]
    pub(crate) fn none_open(&self) -> bool {
        self.open_blocks.load(Ordering::SeqCst) == 0
    }

    /// Checks the counts against `is_open(slot)` for the first `len` slots, for the audit (the
    /// caller holds the engine quiet). Returns `(recorded, counted)` for the first block that
    /// disagrees, then for the global count.
    pub(crate) fn audit(
        &self,
        len: u32,
        is_open: impl Fn(SlotId) -> bool,
    ) -> Option<(&'static str, i64, i64)> {
        let mut open_blocks = 0i64;
        for (index, block) in self.blocks.iter().enumerate() {
            let first = (index << self.shift) as u32;
            let open = (first..len.min(first.saturating_add(1 << self.shift)))
                .filter(|&raw| is_open(SlotId::new(raw)))
                .count() as i64;
            let recorded = i64::from(block.load(Ordering::SeqCst));
            if recorded != open {
                return Some(("open slots of a block", recorded, open));
            }
            open_blocks += i64::from(open > 0);
        }
        let recorded = self.open_blocks.load(Ordering::SeqCst) as i64;
        (recorded != open_blocks).then_some(("blocks with an open slot", recorded, open_blocks))
    }
}
