//! The inventory: every slot (site × day × window) with its capacity and how much of it is
//! booked, taken and given back without locks; sites grouped into regions; supply that grows,
//! shrinks and closes at run time; and the search over all of it.
//!
//! # Protocol
//!
//! Each slot is one 16-byte cell of atomics. Its capacity, its bookings and whether it is
//! closed share one 64-bit word ([`Seats`]), so that every change of either is one
//! compare-and-swap that sees the other: a capacity that shrinks while a seat is being taken
//! can never let the booked count pass it. Taking a seat moves the word from `b` to `b + 1`
//! bookings only while `b < capacity`: the count can never pass the capacity, not even for an
//! instant, so a reader never sees an overbooked slot and the last seat goes to exactly one
//! caller. (Rejected: `fetch_add` then undo on overflow. It is one instruction shorter
//! uncontended, but readers could see `booked > capacity`, and under a hot-slot race every
//! loser writes the line twice.)
//!
//! Slots are appended through the control path ([`Inventory::add`], under a mutex) into a
//! table allocated at build time for `slots_max` cells; a slot becomes visible when the length
//! is published with Release ordering after its cell is written. The capacity changes
//! ([`Inventory::set_capacity`], [`Inventory::close`]) take the same mutex.
//!
//! Giving a seat back is a compare-and-swap too, so that a release that frees the last seat of
//! a full slot knows it does, and can say so *before* the seat is free (see below). A closed
//! slot's capacity goes down with each seat given back: closing keeps every booking and takes
//! no new one, ever.
//!
//! "Sold out", everywhere or in a region, is [`Sites`]: counts of free seats and open slots per
//! site, of open sites per region and of open regions, that may overstate the truth for an
//! instant but never understate it, so the inventory never says "sold out" while a seat is
//! free. Every change of a slot's free seats is announced to it before (more seats) or reported
//! after (fewer), following its protocol.

use core::fmt;

use crossbeam_utils::CachePadded;
use parking_lot::Mutex;

mod ledger;
mod search;
mod sites;

pub(crate) use ledger::Ledger;
pub use search::{Area, SlotFilter, SlotSearch, WindowSet};

use crate::audit::Violation;
use crate::config::SLOT_CAPACITY_LIMIT;
use crate::error::{AddSiteError, AddSlotError, CloseSlotError, SearchError, SetCapacityError};
use crate::ids::{Day, RegionId, SiteId, SlotId, Window};
use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::platform::hints;
use crate::platform::sync::{AtomicU32, AtomicU64, Backoff, Ordering};
use search::SearchIndex;
use sites::{Delta, Sites};

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
/// Under concurrency `booked` may change as soon as it is read. `spec.capacity` is the
/// capacity now, which [`Engine::set_capacity`](crate::Engine::set_capacity) may have changed
/// since the slot was added; a closed slot's capacity is what it still holds.
///
/// # Example
/// ```
/// use fairbook::{Config, Engine, SlotSpec};
/// let engine = Engine::new(Config::default())?;
/// let slot = engine.add_slot(SlotSpec::with_capacity(3)).unwrap();
/// let view = engine.slot(slot).unwrap();
/// assert_eq!((view.booked, view.free(), view.closed), (0, 3, false));
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
    /// Closed by [`Engine::close_slot`](crate::Engine::close_slot): it keeps its bookings and
    /// takes no new one.
    pub closed: bool,
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
            "{} (site {}, day {}, window {}): {}/{} booked{}",
            self.id,
            self.spec.site.as_u32(),
            self.spec.day.as_u16(),
            self.spec.window.as_u8(),
            self.booked,
            self.spec.capacity,
            if self.closed { ", closed" } else { "" }
        )
    }
}

/// A slot's capacity, its bookings and whether it is closed, in one word: bookings in the low
/// 32 bits, capacity in the next 31, the closed flag on top.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seats(u64);

impl Seats {
    const BOOKED_MASK: u64 = u32::MAX as u64;
    const CAPACITY_SHIFT: u32 = 32;
    const CAPACITY_MASK: u64 = SLOT_CAPACITY_LIMIT as u64;
    const CLOSED: u64 = 1 << 63;

    fn new(capacity: u32, booked: u32, closed: bool) -> Seats {
        debug_assert!(capacity <= SLOT_CAPACITY_LIMIT);
        Seats(
            (u64::from(capacity) << Self::CAPACITY_SHIFT)
                | u64::from(booked)
                | if closed { Self::CLOSED } else { 0 },
        )
    }

    fn booked(self) -> u32 {
        (self.0 & Self::BOOKED_MASK) as u32
    }

    fn capacity(self) -> u32 {
        ((self.0 >> Self::CAPACITY_SHIFT) & Self::CAPACITY_MASK) as u32
    }

    fn is_closed(self) -> bool {
        self.0 & Self::CLOSED != 0
    }

    fn free(self) -> u64 {
        u64::from(self.capacity().saturating_sub(self.booked()))
    }

    /// One seat more booked.
    fn taken(self) -> Seats {
        Seats(self.0 + 1)
    }

    /// One seat given back; a closed slot loses the seat with it (its capacity stays at what
    /// is booked, never below: the canary build's overbooked closed slot keeps capacity 0).
    fn given_back(self) -> Seats {
        let booked = self.booked() - 1;
        let capacity = if self.is_closed() {
            self.capacity().min(booked)
        } else {
            self.capacity()
        };
        Seats::new(capacity, booked, self.is_closed())
    }
}

#[repr(C, align(16))]
struct Cell {
    seats: AtomicU64,
    site: AtomicU32,
    /// Day in the high 16 bits, window in the low 8.
    day_window: AtomicU32,
}

// Four slots to a 64-byte line, none straddling two (loom's atomics are larger: not checked).
#[cfg(not(loom))]
const _: () = assert!(size_of::<Cell>() == 16 && align_of::<Cell>() == 16);

/// What the control path keeps under the add lock.
struct Control {
    /// Per region: its last site, to append the next one.
    region_last_site: Box<[Option<SiteId>]>,
    /// Per site: slots added.
    site_slots: Box<[u32]>,
    /// Per site: the capacity of its slots as added or changed (closing a slot and giving its
    /// seats back later may leave it above the truth, never below: it only bounds the site).
    site_seats: Box<[u64]>,
}

/// A capacity change applied by [`Inventory::set_capacity`] or [`Inventory::close`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SeatsChange {
    pub(crate) capacity_before: u32,
    pub(crate) capacity: u32,
    pub(crate) booked: u32,
}

pub(crate) struct Inventory {
    cells: Box<[Cell]>,
    len: CachePadded<AtomicU32>,
    sites: Sites,
    index: SearchIndex,
    control: Mutex<Control>,
}

impl Inventory {
    pub(crate) fn new(
        slots_max: u32,
        sites_max: u32,
        days_max: u32,
        regions_max: u32,
    ) -> Result<Inventory, AllocError> {
        Ok(Inventory {
            cells: try_boxed_slice(slots_max as usize, Pages::Normal, || Cell {
                seats: AtomicU64::new(0),
                site: AtomicU32::new(0),
                day_window: AtomicU32::new(0),
            })?,
            len: CachePadded::new(AtomicU32::new(0)),
            sites: Sites::new(sites_max, regions_max)?,
            index: SearchIndex::new(slots_max, sites_max, days_max, regions_max)?,
            control: Mutex::new(Control {
                region_last_site: try_boxed_slice(regions_max as usize, Pages::Normal, || None)?,
                site_slots: try_boxed_slice(sites_max as usize, Pages::Normal, || 0)?,
                site_seats: try_boxed_slice(sites_max as usize, Pages::Normal, || 0)?,
            }),
        })
    }

    /// What [`Inventory::new`] allocates.
    pub(crate) fn bytes_for(
        slots_max: u32,
        sites_max: u32,
        days_max: u32,
        regions_max: u32,
    ) -> usize {
        (slots_max as usize * size_of::<Cell>())
            .saturating_add(Sites::bytes_for(sites_max, regions_max))
            .saturating_add(SearchIndex::bytes_for(
                slots_max,
                sites_max,
                days_max,
                regions_max,
            ))
            .saturating_add(Self::control_bytes(sites_max, regions_max))
    }

    fn control_bytes(sites_max: u32, regions_max: u32) -> usize {
        regions_max as usize * size_of::<Option<SiteId>>()
            + sites_max as usize * (size_of::<u32>() + size_of::<u64>())
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        size_of_val(&*self.cells)
            + self.sites.memory_bytes()
            + self.index.memory_bytes()
            + Self::control_bytes(self.sites.sites_max(), self.sites.regions_max())
    }

    pub(crate) fn len(&self) -> u32 {
        self.len.load(Ordering::Acquire)
    }

    pub(crate) fn contains(&self, slot: SlotId) -> bool {
        slot.as_u32() < self.len()
    }

    /// Adds `site` to `region` (control path). `announce` runs under the control lock once the
    /// site is sure to be added (the engine records the addition there).
    pub(crate) fn add_site(
        &self,
        site: SiteId,
        region: RegionId,
        announce: impl FnOnce(),
    ) -> Result<(), AddSiteError> {
        let (sites_max, regions_max) = (self.sites.sites_max(), self.sites.regions_max());
        if site.as_u32() >= sites_max {
            return Err(AddSiteError::SiteOutOfRange { site, sites_max });
        }
        if u32::from(region.as_u16()) >= regions_max {
            return Err(AddSiteError::RegionOutOfRange {
                region,
                regions_max,
            });
        }
        let mut control = self.control.lock();
        if let Some(region) = self.sites.region_of(site) {
            return Err(AddSiteError::AlreadyAdded { site, region });
        }
        announce();
        self.add_site_locked(&mut control, site, region);
        Ok(())
    }

    fn add_site_locked(&self, control: &mut Control, site: SiteId, region: RegionId) {
        self.sites.add(site, region);
        let last = &mut control.region_last_site[region.as_index()];
        self.index.append_site(site, region, *last);
        *last = Some(site);
    }

    /// Appends a slot (control path). A slot at a site not added yet adds the site to region 0.
    /// `announce` runs under the control lock once the slot is sure to be added, before it is
    /// visible (the engine records the addition there).
    pub(crate) fn add(
        &self,
        spec: SlotSpec,
        announce: impl FnOnce(),
    ) -> Result<SlotId, AddSlotError> {
        let (sites_max, days_max) = (self.sites.sites_max(), self.index_days_max());
        if spec.site.as_u32() >= sites_max {
            return Err(AddSlotError::SiteOutOfRange {
                site: spec.site,
                sites_max,
            });
        }
        if u32::from(spec.day.as_u16()) >= days_max {
            return Err(AddSlotError::DayOutOfRange {
                day: spec.day,
                days_max,
            });
        }
        if spec.capacity > SLOT_CAPACITY_LIMIT {
            return Err(AddSlotError::CapacityTooLarge {
                capacity: spec.capacity,
                max: SLOT_CAPACITY_LIMIT,
            });
        }
        let mut control = self.control.lock();
        let index = self.len.load(Ordering::Relaxed);
        let Some(cell) = self.cells.get(index as usize) else {
            return Err(AddSlotError::Full {
                slots_max: self.cells.len() as u32,
            });
        };
        let site = spec.site.as_index();
        let (slots, seats) = (
            control.site_slots[site] + 1,
            control.site_seats[site] + u64::from(spec.capacity),
        );
        if !Sites::fits(u64::from(slots), seats) {
            return Err(AddSlotError::SiteFull { site: spec.site });
        }
        if self.sites.region_of(spec.site).is_none() {
            self.add_site_locked(&mut control, spec.site, RegionId::new(0));
        }
        (control.site_slots[site], control.site_seats[site]) = (slots, seats);
        cell.seats
            .store(Seats::new(spec.capacity, 0, false).0, Ordering::Relaxed);
        cell.site.store(spec.site.as_u32(), Ordering::Relaxed);
        cell.day_window.store(
            (u32::from(spec.day.as_u16()) << 16) | u32::from(spec.window.as_u8()),
            Ordering::Relaxed,
        );
        let slot = SlotId::new(index);
        announce();
        // Before the slot is visible: its free seats must be counted first.
        let (raise, _) = Delta::between(0, u64::from(spec.capacity));
        self.sites.raise(spec.site, raise);
        self.sites.note_slot(spec.site);
        self.len.store(index + 1, Ordering::Release);
        // After the length, so that whatever a search finds, `contains` knows.
        self.index
            .insert_slot(slot, spec.site, spec.day, spec.window, |listed| {
                self.view_unchecked(listed).spec.window
            });
        Ok(slot)
    }

    fn index_days_max(&self) -> u32 {
        self.index.days_max()
    }

    /// Appends every slot of `specs`, to an inventory no other thread uses (restoring a
    /// snapshot). `None` if one does not fit (more slots than `slots_max`, a site or a day out
    /// of range, a capacity too large).
    pub(crate) fn restore(&self, specs: impl IntoIterator<Item = SlotSpec>) -> Option<()> {
        for spec in specs {
            self.add(spec, || ()).ok()?;
        }
        Some(())
    }

    /// Starts loading the slot's cell into the cache (see [`hints::prefetch`]). The
    /// caller has checked [`Inventory::contains`].
    #[inline(always)]
    pub(crate) fn prefetch(&self, slot: SlotId) {
        hints::prefetch(&self.cells[slot.as_index()]);
    }

    /// Takes one seat if the slot has room. The caller has checked [`Inventory::contains`].
    ///
    /// A full slot (most of a ranked choice list in a surge) is answered inline, by one load;
    /// taking a seat, with its count updates, is out of line.
    #[inline(always)]
    pub(crate) fn try_take(&self, slot: SlotId) -> bool {
        let cell = &self.cells[slot.as_index()];
        let seats = Seats(cell.seats.load(Ordering::Acquire));
        if seats.booked() >= seats.capacity() && !cfg!(fairbook_canary) {
            return false;
        }
        self.take_seat(cell, seats)
    }

    /// [`Inventory::try_take`] past its first look, which found `seats`.
    fn take_seat(&self, cell: &Cell, mut seats: Seats) -> bool {
        let backoff = Backoff::new();
        loop {
            let has_room = seats.booked() < seats.capacity();
            // The canary build (`--cfg fairbook_canary`) removes this check so that the test
            // suite can prove it notices an overbooking.
            if !has_room && !cfg!(fairbook_canary) {
                return false;
            }
            match cell.seats.compare_exchange_weak(
                seats.0,
                seats.taken().0,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    debug_assert!(has_room || cfg!(fairbook_canary));
                    if has_room {
                        // One seat fewer, and the slot closes if it was its last: what
                        // `Delta::between(free, free - 1)` says, without working it out.
                        let lower = Delta {
                            seats: 1,
                            opens: seats.booked() + 1 == seats.capacity(),
                        };
                        self.sites
                            .lower(SiteId::new(cell.site.load(Ordering::Relaxed)), lower);
                    }
                    return true;
                }
                Err(now) => {
                    seats = Seats(now);
                    backoff.spin();
                }
            }
        }
    }

    /// Takes `seats` seats at once if the slot has room for all of them, or none (a group
    /// booking: all or nothing). One compare-and-swap from `b` to `b + seats`, only while
    /// `b + seats <= capacity`, so the counter never passes the capacity and nobody sees the
    /// seats taken one by one. The caller has checked [`Inventory::contains`].
    pub(crate) fn try_take_many(&self, slot: SlotId, many: u32) -> bool {
        debug_assert!(many > 0);
        let cell = &self.cells[slot.as_index()];
        let mut seats = Seats(cell.seats.load(Ordering::Acquire));
        let backoff = Backoff::new();
        loop {
            let has_room = seats.booked().saturating_add(many) <= seats.capacity();
            if !has_room && !cfg!(fairbook_canary) {
                return false;
            }
            let after = Seats(seats.0 + u64::from(many));
            match cell.seats.compare_exchange_weak(
                seats.0,
                after.0,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    if has_room {
                        let (_, lower) = Delta::between(seats.free(), after.free());
                        self.sites
                            .lower(SiteId::new(cell.site.load(Ordering::Relaxed)), lower);
                    }
                    return true;
                }
                Err(now) => {
                    seats = Seats(now);
                    backoff.spin();
                }
            }
        }
    }

    /// Gives one seat back. The caller holds a booking of this slot (the ledger says so).
    ///
    /// A compare-and-swap rather than a `fetch_sub`: a release that frees the last seat of a
    /// full slot must announce it to [`Sites`] *before* the seat is free, so it must know
    /// which value it replaces.
    pub(crate) fn give_back(&self, slot: SlotId) {
        let cell = &self.cells[slot.as_index()];
        let site = SiteId::new(cell.site.load(Ordering::Relaxed));
        let mut seats = Seats(cell.seats.load(Ordering::Acquire));
        let mut raised = Delta::NONE;
        let backoff = Backoff::new();
        loop {
            debug_assert!(
                seats.booked() > 0,
                "gave back a seat of {slot}, which had none booked"
            );
            let after = seats.given_back();
            let (raise, _) = Delta::between(seats.free(), after.free());
            if raise != raised {
                // The first try, or the slot changed under us (another release freed a seat
                // first, or the slot was closed): announce what this try frees, then withdraw
                // what the last one announced and no longer frees.
                self.sites.raise(site, raise);
                self.sites.lower(site, raised);
                raised = raise;
            }
            match cell.seats.compare_exchange_weak(
                seats.0,
                after.0,
                Ordering::SeqCst,
                Ordering::Acquire,
            ) {
                Ok(_) => return,
                Err(now) => {
                    seats = Seats(now);
                    backoff.spin();
                }
            }
        }
    }

    /// Sets the slot's capacity (control path). Bookings are never cancelled: a capacity
    /// below what the slot holds is refused, as is a change of a closed slot. `record` runs
    /// under the control lock when the change is sure: before seats it adds can be taken, after
    /// seats it removes are gone (a replay then never finds the slot over its capacity).
    pub(crate) fn set_capacity(
        &self,
        slot: SlotId,
        capacity: u32,
        record: impl FnOnce(),
    ) -> Result<SeatsChange, SetCapacityError> {
        if !self.contains(slot) {
            return Err(SetCapacityError::UnknownSlot { slot });
        }
        if capacity > SLOT_CAPACITY_LIMIT {
            return Err(SetCapacityError::CapacityTooLarge {
                capacity,
                max: SLOT_CAPACITY_LIMIT,
            });
        }
        let mut control = self.control.lock();
        let cell = &self.cells[slot.as_index()];
        let site = SiteId::new(cell.site.load(Ordering::Relaxed));
        let (site_slots, site_seats) = (
            control.site_slots[site.as_index()],
            control.site_seats[site.as_index()],
        );
        let change = |seats: Seats| {
            if seats.is_closed() {
                return Err(SetCapacityError::Closed { slot });
            }
            if seats.booked() > capacity {
                return Err(SetCapacityError::BelowBooked {
                    slot,
                    booked: seats.booked(),
                    capacity,
                });
            }
            let site_seats = site_seats - u64::from(seats.capacity()) + u64::from(capacity);
            if !Sites::fits(u64::from(site_slots), site_seats) {
                return Err(SetCapacityError::SiteFull { site });
            }
            Ok(Seats::new(capacity, seats.booked(), false))
        };
        // Under the control lock only bookings move the word, and a capacity that does not
        // shrink holds them all: a change that adds seats and passes now cannot fail.
        let now = Seats(cell.seats.load(Ordering::Acquire));
        let mut record = Some(record);
        if capacity >= now.capacity() && change(now).is_ok() {
            if let Some(record) = record.take() {
                record();
            }
        }
        let changed = self.change_seats(cell, site, change)?;
        if let Some(record) = record {
            record();
        }
        let site_seats = &mut control.site_seats[site.as_index()];
        *site_seats = *site_seats - u64::from(changed.capacity_before) + u64::from(capacity);
        Ok(changed)
    }

    /// Closes the slot (control path): it keeps its bookings, takes no new one, and loses
    /// each seat given back. `record` runs under the control lock once it is closed.
    pub(crate) fn close(
        &self,
        slot: SlotId,
        record: impl FnOnce(),
    ) -> Result<SeatsChange, CloseSlotError> {
        if !self.contains(slot) {
            return Err(CloseSlotError::UnknownSlot { slot });
        }
        let _control = self.control.lock();
        let cell = &self.cells[slot.as_index()];
        let site = SiteId::new(cell.site.load(Ordering::Relaxed));
        let changed = self.change_seats(cell, site, |seats| {
            if seats.is_closed() {
                return Err(CloseSlotError::AlreadyClosed { slot });
            }
            Ok(Seats::new(seats.booked(), seats.booked(), true))
        })?;
        record();
        Ok(changed)
    }

    /// Replay's [`Inventory::try_take`]: a booking (or an offer) that took its seat before the
    /// slot closed may be recorded after the close, so in a closed slot it brings its seat
    /// with it (capacity and bookings up by one; a closed slot has no free seat either way).
    pub(crate) fn replay_take(&self, slot: SlotId) -> bool {
        let cell = &self.cells[slot.as_index()];
        let seats = Seats(cell.seats.load(Ordering::Acquire));
        if !seats.is_closed() {
            return self.try_take(slot);
        }
        if seats.capacity() >= SLOT_CAPACITY_LIMIT {
            return false;
        }
        let after = Seats::new(seats.capacity() + 1, seats.booked() + 1, true);
        cell.seats.store(after.0, Ordering::Release);
        true
    }

    /// Every added site with its region, region by region and in the order each region's
    /// sites were added (a snapshot: adding them in this order rebuilds the search order).
    pub(crate) fn sites_in_order(&self) -> impl Iterator<Item = (SiteId, RegionId)> + '_ {
        (0..self.sites.regions_max()).flat_map(move |raw| {
            let region = RegionId::new(raw as u16);
            self.index.sites_of(region).map(move |site| (site, region))
        })
    }

    /// Whether the slot is closed. The caller has checked [`Inventory::contains`].
    pub(crate) fn is_closed(&self, slot: SlotId) -> bool {
        Seats(self.cells[slot.as_index()].seats.load(Ordering::Acquire)).is_closed()
    }

    /// Moves a slot's seats word to `change(word)` by compare-and-swap, announcing seats it
    /// frees before and reporting seats it removes after (see [`Sites`]).
    fn change_seats<E>(
        &self,
        cell: &Cell,
        site: SiteId,
        mut change: impl FnMut(Seats) -> Result<Seats, E>,
    ) -> Result<SeatsChange, E> {
        let mut raised = Delta::NONE;
        let mut seats = Seats(cell.seats.load(Ordering::Acquire));
        loop {
            let after = match change(seats) {
                Ok(after) => after,
                Err(error) => {
                    self.sites.lower(site, raised);
                    return Err(error);
                }
            };
            let (raise, lower) = Delta::between(seats.free(), after.free());
            if raise != raised {
                self.sites.raise(site, raise);
                self.sites.lower(site, raised);
                raised = raise;
            }
            match cell
                .seats
                .compare_exchange(seats.0, after.0, Ordering::SeqCst, Ordering::Acquire)
            {
                Ok(_) => {
                    self.sites.lower(site, lower);
                    return Ok(SeatsChange {
                        capacity_before: seats.capacity(),
                        capacity: after.capacity(),
                        booked: after.booked(),
                    });
                }
                Err(now) => seats = Seats(now),
            }
        }
    }

    /// A snapshot of one slot.
    pub(crate) fn view(&self, slot: SlotId) -> Option<SlotView> {
        self.contains(slot).then(|| self.view_unchecked(slot))
    }

    /// A snapshot of a slot known to exist.
    fn view_unchecked(&self, slot: SlotId) -> SlotView {
        let cell = &self.cells[slot.as_index()];
        let day_window = cell.day_window.load(Ordering::Relaxed);
        let seats = Seats(cell.seats.load(Ordering::Acquire));
        SlotView {
            id: slot,
            spec: SlotSpec {
                site: SiteId::new(cell.site.load(Ordering::Relaxed)),
                day: Day::new((day_window >> 16) as u16),
                window: Window::new(day_window as u8),
                capacity: seats.capacity(),
            },
            booked: seats.booked(),
            closed: seats.is_closed(),
        }
    }

    /// The site a slot known to exist is at.
    pub(crate) fn site_of(&self, slot: SlotId) -> SiteId {
        SiteId::new(self.cells[slot.as_index()].site.load(Ordering::Relaxed))
    }

    /// Every slot is fully booked (and there is at least one slot). Never `true` while a seat
    /// is free; may be `false` for an instant after the last seat went.
    #[inline]
    pub(crate) fn is_sold_out(&self) -> bool {
        // The length first: slots are only ever added, and a slot's seats are counted open
        // before its length is published, so "no open slot" read afterwards covers every slot
        // counted here.
        self.len() > 0 && self.sites.none_open()
    }

    /// Every slot of the region is fully booked (and it has at least one slot). Never `true`
    /// while a seat of it is free. The caller checked the region is in range.
    pub(crate) fn is_region_sold_out(&self, region: RegionId) -> bool {
        self.sites.region_sold_out(region)
    }

    /// The region of `site`, if it has been added.
    pub(crate) fn region_of(&self, site: SiteId) -> Option<RegionId> {
        if site.as_u32() >= self.sites.sites_max() {
            return None;
        }
        self.sites.region_of(site)
    }

    pub(crate) fn regions_max(&self) -> u32 {
        self.sites.regions_max()
    }

    /// The slots with a free seat that `filter` selects, in its stated order.
    pub(crate) fn search<'e, 'a>(
        &'e self,
        filter: SlotFilter<'a>,
    ) -> Result<SlotSearch<'e, 'a>, SearchError> {
        SlotSearch::new(self, filter)
    }

    /// Free seats in the slots `filter` selects.
    pub(crate) fn free_seats(&self, filter: &SlotFilter<'_>) -> Result<u64, SearchError> {
        search::free_seats(self, filter)
    }

    /// Checks every slot against what people hold (`held_by_slot[slot]`, counted from the
    /// ledger by the engine), recounts the sites' counts and walks the search index: bookings
    /// ≤ capacity, the counter equals the bookings held, every count matches, every slot is
    /// listed once, under its own site and day, in window order. Returns the free seats.
    ///
    /// O(slots + sites × days); call it while no other thread is mid-call.
    pub(crate) fn audit(&self, held_by_slot: &[u32], violations: &mut Vec<Violation>) -> u64 {
        let len = self.len();
        let sites_max = self.sites.sites_max();
        let mut free_seats = 0u64;
        let mut site_counts = vec![(0u64, 0u64); sites_max as usize];
        let mut region_slots = vec![0u64; self.sites.regions_max() as usize];
        for raw in 0..len {
            let slot = SlotId::new(raw);
            let view = self.view_unchecked(slot);
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
            let free = u64::from(view.spec.capacity.saturating_sub(view.booked));
            free_seats += free;
            if let Some(counts) = site_counts.get_mut(view.spec.site.as_index()) {
                counts.0 += free;
                counts.1 += u64::from(free > 0);
            }
            if let Some(region) = self.region_of(view.spec.site) {
                region_slots[region.as_index()] += 1;
            }
        }
        let recount = self.sites.audit(
            |site| site_counts[site.as_index()],
            |region| region_slots[region.as_index()],
        );
        if let Some((counter, recorded, counted)) = recount {
            violations.push(Violation::CounterMismatch {
                counter,
                recorded,
                counted,
            });
        }
        let listed = self.index.audit(sites_max, |slot| {
            (slot.as_u32() < len).then(|| self.view_unchecked(slot).spec)
        });
        if let Err((counter, recorded, counted)) = listed.and_then(|listed| {
            (listed == u64::from(len)).then_some(()).ok_or((
                "slots in the search index",
                listed as i64,
                i64::from(len),
            ))
        }) {
            violations.push(Violation::CounterMismatch {
                counter,
                recorded,
                counted,
            });
        }
        free_seats
    }
}
