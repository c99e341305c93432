//! The inventory: every slot (site × day × window) with its capacity and how much of it is
//! booked, taken and given back without locks.
//!
//! # Protocol
//!
//! Each slot is one 16-byte cell of atomics. Taking a seat is a compare-and-swap loop on the
//! slot's `booked` counter that only moves it from `b` to `b + 1` while `b < capacity`: the
//! counter can never pass the capacity, not even for an instant, so a reader never sees an
//! overbooked slot and the last seat goes to exactly one caller. (Rejected: `fetch_add` then
//! undo on overflow. It is one instruction shorter uncontended, but readers could see
//! `booked > capacity`, and under a hot-slot race every loser writes the line twice.)
//!
//! Slots are appended through the control path ([`Inventory::add`], under a mutex) into a
//! table allocated at build time for `slots_max` cells; a slot becomes visible when the length
//! is published with Release ordering after its cell is written.
//!
//! Giving a seat back is a compare-and-swap too, so that a release that frees the last seat of
//! a full slot knows it does, and can say so *before* the seat is free (see below).
//!
//! "Sold out" is [`OpenSlots`]: a count of blocks of slots with a free seat that may overstate
//! the truth for an instant but never understates it, so the inventory never says "sold out"
//! while a seat is free. It changes only when a whole block fills or gets a seat back.

use core::fmt;

use crossbeam_utils::CachePadded;
use parking_lot::Mutex;

mod ledger;
mod open_slots;

pub(crate) use ledger::Ledger;

use crate::audit::Violation;
use crate::ids::{Day, SiteId, SlotId, Window};
use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::platform::hints;
use crate::platform::sync::{AtomicU32, Backoff, Ordering};
use open_slots::OpenSlots;

/// What a slot is: where, when and how many people it can take.
///
/// # Example
/// ```
/// use fairbook::{Day, SiteId, SlotSpec, Window};
/// let evening = SlotSpec { site: SiteId::new(12), day: Day::new(5), window: Window::new(7), capacity: 40 };
/// assert_eq!(SlotSpec::with_capacity(40).capacity, evening.capacity);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SlotSpec {
    /// Where.
    pub site: SiteId,
    /// Which day.
    pub day: Day,
    /// Which time window of the day.
    pub window: Window,
    /// How many bookings it takes.
    pub capacity: u32,
}

impl SlotSpec {
    /// A slot at site 0, day 0, window 0 with this capacity: handy in tests and examples.
    pub const fn with_capacity(capacity: u32) -> SlotSpec {
        SlotSpec {
            site: SiteId::new(0),
            day: Day::new(0),
            window: Window::new(0),
            capacity,
        }
    }
}

/// A snapshot of one slot.
///
/// Under concurrency `booked` may change as soon as it is read.
///
/// # Example
/// ```
/// use fairbook::{Config, Engine, SlotSpec};
/// let engine = Engine::new(Config::default())?;
/// let slot = engine.add_slot(SlotSpec::with_capacity(3)).unwrap();
/// let view = engine.slot(slot).unwrap();
/// assert_eq!((view.booked, view.free()), (0, 3));
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotView {
    /// The slot.
    pub id: SlotId,
    /// What it is.
    pub spec: SlotSpec,
    /// How many bookings it holds.
    pub booked: u32,
}

impl SlotView {
    /// Seats still free.
    pub fn free(&self) -> u32 {
        self.spec.capacity - self.booked
    }
}

impl fmt::Display for SlotView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (site {}, day {}, window {}): {}/{} booked",
            self.id,
            self.spec.site.as_u32(),
            self.spec.day.as_u16(),
            self.spec.window.as_u8(),
            self.booked,
            self.spec.capacity
        )
    }
}

#[repr(C, align(16))]
struct Cell {
    booked: AtomicU32,
    capacity: AtomicU32,
    site: AtomicU32,
    /// Day in the high 16 bits, window in the low 8.
    day_window: AtomicU32,
}

// Four slots to a 64-byte line, none straddling two (loom's atomics are larger: not checked).
#[cfg(not(loom))]
const _: () = assert!(size_of::<Cell>() == 16 && align_of::<Cell>() == 16);

pub(crate) struct Inventory {
    cells: Box<[Cell]>,
    len: CachePadded<AtomicU32>,
    open: OpenSlots,
    add_lock: Mutex<()>,
}

impl Inventory {
    pub(crate) fn new(slots_max: u32) -> Result<Inventory, AllocError> {
        Ok(Inventory {
            cells: try_boxed_slice(slots_max as usize, Pages::Normal, || Cell {
                booked: AtomicU32::new(0),
                capacity: AtomicU32::new(0),
                site: AtomicU32::new(0),
                day_window: AtomicU32::new(0),
            })?,
            len: CachePadded::new(AtomicU32::new(0)),
            open: OpenSlots::new(slots_max)?,
            add_lock: Mutex::new(()),
        })
    }

    /// What [`Inventory::new`] allocates for `slots_max` slots.
    pub(crate) fn bytes_for(slots_max: u32) -> usize {
        slots_max as usize * size_of::<Cell>() + OpenSlots::bytes_for(slots_max)
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        size_of_val(&*self.cells) + self.open.memory_bytes()
    }

    pub(crate) fn len(&self) -> u32 {
        self.len.load(Ordering::Acquire)
    }

    pub(crate) fn contains(&self, slot: SlotId) -> bool {
        slot.as_u32() < self.len()
    }

    /// Appends a slot. `None` when all `slots_max` cells are in use. `announce` runs under the
    /// append lock before the slot is visible (the engine records the addition there).
    pub(crate) fn add(&self, spec: SlotSpec, announce: impl FnOnce()) -> Option<SlotId> {
        let _adding = self.add_lock.lock();
        let index = self.len.load(Ordering::Relaxed);
        let cell = self.cells.get(index as usize)?;
        cell.capacity.store(spec.capacity, Ordering::Relaxed);
        cell.site.store(spec.site.as_u32(), Ordering::Relaxed);
        cell.day_window.store(
            (u32::from(spec.day.as_u16()) << 16) | u32::from(spec.window.as_u8()),
            Ordering::Relaxed,
        );
        let slot = SlotId::new(index);
        announce();
        if spec.capacity > 0 {
            // Before the slot is visible: its free seats must be counted first.
            self.open.will_open(slot);
        }
        self.len.store(index + 1, Ordering::Release);
        Some(slot)
    }

    /// Appends every slot of `specs` at once, to an inventory no other thread uses (restoring
    /// a snapshot): one lock, and the open-slot counts set once at the end rather than slot by
    /// slot. `None` if they do not all fit.
    pub(crate) fn restore(&self, specs: impl IntoIterator<Item = SlotSpec>) -> Option<()> {
        let _adding = self.add_lock.lock();
        let mut len = self.len.load(Ordering::Relaxed);
        let first = len;
        for spec in specs {
            let cell = self.cells.get(len as usize)?;
            cell.capacity.store(spec.capacity, Ordering::Relaxed);
            cell.site.store(spec.site.as_u32(), Ordering::Relaxed);
            cell.day_window.store(
                (u32::from(spec.day.as_u16()) << 16) | u32::from(spec.window.as_u8()),
                Ordering::Relaxed,
            );
            len += 1;
        }
        for raw in first..len {
            if self.cells[raw as usize].capacity.load(Ordering::Relaxed) > 0 {
                self.open.will_open(SlotId::new(raw));
            }
        }
        self.len.store(len, Ordering::Release);
        Some(())
    }

    /// Starts loading the slot's cell into the cache (see [`hints::prefetch`]). The
    /// caller has checked [`Inventory::contains`].
    #[inline(always)]
    pub(crate) fn prefetch(&self, slot: SlotId) {
        hints::prefetch(&self.cells[slot.as_index()]);
    }

    /// Takes one seat if the slot has room. The caller has checked [`Inventory::contains`].
    #[inline]
    pub(crate) fn try_take(&self, slot: SlotId) -> bool {
        let cell = &self.cells[slot.as_index()];
        let capacity = cell.capacity.load(Ordering::Relaxed);
        let mut booked = cell.booked.load(Ordering::Acquire);
        let backoff = Backoff::new();
        loop {
            // The canary build (`--cfg fairbook_canary`) removes this check so that the test
            // suite can prove it notices an overbooking.
            if booked >= capacity && !cfg!(fairbook_canary) {
                return false;
            }
            match cell.booked.compare_exchange_weak(
                booked,
                booked + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    debug_assert!(booked < capacity || cfg!(fairbook_canary));
                    if booked + 1 == capacity {
                        self.open.filled(slot);
                    }
                    return true;
                }
                Err(now_booked) => {
                    booked = now_booked;
                    backoff.spin();
                }
            }
        }
    }

    /// Takes `seats` seats at once if the slot has room for all of them, or none (a group
    /// booking: all or nothing). One compare-and-swap from `b` to `b + seats`, only while
    /// `b + seats <= capacity`, so the counter never passes the capacity and nobody sees the
    /// seats taken one by one. The caller has checked [`Inventory::contains`].
    pub(crate) fn try_take_many(&self, slot: SlotId, seats: u32) -> bool {
        debug_assert!(seats > 0);
        let cell = &self.cells[slot.as_index()];
        let capacity = cell.capacity.load(Ordering::Relaxed);
        let mut booked = cell.booked.load(Ordering::Acquire);
        let backoff = Backoff::new();
        loop {
            let after = booked.saturating_add(seats);
            if after > capacity && !cfg!(fairbook_canary) {
                return false;
            }
            match cell.booked.compare_exchange_weak(
                booked,
                after,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    if after == capacity {
                        self.open.filled(slot);
                    }
                    return true;
                }
                Err(now_booked) => {
                    booked = now_booked;
                    backoff.spin();
                }
            }
        }
    }

    /// Gives one seat back. The caller holds a booking of this slot (the ledger says so).
    ///
    /// A compare-and-swap rather than a `fetch_sub`: a release that frees the last seat of a
    /// full slot must announce it to [`OpenSlots`] *before* the seat is free, so it must know
    /// which value it replaces.
    pub(crate) fn give_back(&self, slot: SlotId) {
        let cell = &self.cells[slot.as_index()];
        let capacity = cell.capacity.load(Ordering::Relaxed);
        let mut booked = cell.booked.load(Ordering::Acquire);
        let mut announced = false;
        let backoff = Backoff::new();
        loop {
            debug_assert!(
                booked > 0,
                "gave back a seat of {slot}, which had none booked"
            );
            if booked >= capacity && !announced {
                self.open.will_open(slot);
                announced = true;
            }
            match cell.booked.compare_exchange_weak(
                booked,
                booked.wrapping_sub(1),
                Ordering::SeqCst,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    if announced && booked != capacity {
                        // Another release freed a seat first: this one opened nothing.
                        self.open.filled(slot);
                    }
                    return;
                }
                Err(now_booked) => {
                    booked = now_booked;
                    backoff.spin();
                }
            }
        }
    }

    /// A snapshot of one slot.
    pub(crate) fn view(&self, slot: SlotId) -> Option<SlotView> {
        if !self.contains(slot) {
            return None;
        }
        let cell = &self.cells[slot.as_index()];
        let day_window = cell.day_window.load(Ordering::Relaxed);
        Some(SlotView {
            id: slot,
            spec: SlotSpec {
                site: SiteId::new(cell.site.load(Ordering::Relaxed)),
                day: Day::new((day_window >> 16) as u16),
                window: Window::new(day_window as u8),
                capacity: cell.capacity.load(Ordering::Relaxed),
            },
            booked: cell.booked.load(Ordering::Acquire),
        })
    }

    /// Every slot is fully booked (and there is at least one slot). Never `true` while a seat
    /// is free; may be `false` for an instant after the last seat went.
    #[inline]
    pub(crate) fn is_sold_out(&self) -> bool {
        // The length first: slots are only ever added, and a slot's seats are counted open
        // before its length is published, so "no open slot" read afterwards covers every slot
        // counted here.
        self.len() > 0 && self.open.none_open()
    }

    /// Checks every slot against what people hold (`held_by_slot[slot]`, counted from the
    /// ledger by the engine) and recounts the open slots: bookings ≤ capacity, the counter
    /// equals the bookings held, the open-slot counts match. Returns the free seats.
    ///
    /// O(slots); call it while no other thread is mid-call.
    pub(crate) fn audit(&self, held_by_slot: &[u32], violations: &mut Vec<Violation>) -> u64 {
        let mut free_seats = 0u64;
        for raw in 0..self.len() {
            let slot = SlotId::new(raw);
            let Some(view) = self.view(slot) else {
                continue;
            };
            let held = held_by_slot.get(slot.as_index()).copied().unwrap_or(0);
            if view.booked > view.spec.capacity {
                violations.push(Violation::Overbooked {
                    slot,
                    booked: view.booked,
                    capacity: view.spec.capacity,
                });
            }
            if view.booked != held {
                violations.push(Violation::BookedCountMismatch {
                    slot,
                    counter: view.booked,
                    held,
                });
            }
            free_seats += u64::from(view.spec.capacity.saturating_sub(view.booked));
        }
        let is_open = |slot| {
            self.view(slot)
                .is_some_and(|view| view.booked < view.spec.capacity)
        };
        if let Some((counter, recorded, counted)) = self.open.audit(self.len(), is_open) {
            violations.push(Violation::CounterMismatch {
                counter,
                recorded,
                counted,
            });
        }
        free_seats
    }
}
