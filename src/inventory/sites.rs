//! [`Sites`]: every site's region, and how many free seats and open slots (slots with a free
//! seat) each site, each region and the whole inventory has, counted so that "sold out" is
//! never said while a seat is free, and written so rarely that the booking path does not pay
//! for it.
//!
//! # Why not a count of full slots, or a sum of striped counts
//!
//! The first design counted full slots in per-thread stripes and called the inventory sold out
//! when that count reached the number of slots. Under churn it said "sold out" while a seat
//! was free (1.5% of polls with two threads booking and releasing one slot while another had
//! room): the stripes were summed without a consistent view, a release lowered the count only
//! after the seat was free, and the slot count was read before the full count. Any count that
//! can *understate* the open slots for an instant lies the wrong way, and so does any sum of
//! counts read one after the other: a seat taken at one site after it was read and a seat given
//! back at another before it was read make the sum one short of the truth at every instant.
//! So every "sold out" answer here is one load of one counter.
//!
//! # Protocol
//!
//! The counts form a tree: slots → their site → its region → the root. Each site has one
//! 64-bit word holding its free seats (low 40 bits) and its open slots (high 24 bits); each
//! region counts its sites whose open count is above zero; the root counts the regions whose
//! count is above zero. Every count may *overstate* the truth for an instant, never
//! understate it:
//!
//! 1. Free seats and open slots are **raised before** they exist ([`Sites::raise`]): a release
//!    announces its seat before it frees it, a new slot is counted before it is published, a
//!    capacity grows in the count before in the slot. A site's open count that goes from zero
//!    raises its region first (and a region's, the root first); if the site turns out to be
//!    counted already (another slot of it opened meanwhile), the region's raise is withdrawn:
//!    whoever raised the site from zero raised the region before, and has not lowered it,
//!    since the site is still above zero.
//! 2. They are **lowered after** they are gone ([`Sites::lower`]): a booking takes its seat,
//!    then lowers the count; a site whose open count reaches zero lowers its region, and a
//!    region that reaches zero lowers the root.
//!
//! So at every instant each count is at least the number of its children above zero, and at
//! least the truth: when a region's count (or the root's) reads zero, no seat of it is free at
//! that instant. The cost of being wrong the other way is a brief "not sold out" while the
//! last seats are being taken, which is harmless.
//!
//! A raise whose site is already open is one compare-and-swap on the site's word, which is
//! known to stay above zero; only a raise from zero walks up the tree.
//!
//! All these operations are sequentially consistent, so that "at that instant" is one total
//! order with the slots' own compare-and-swaps (on x86 a locked read-modify-write is already a
//! full barrier, and a sequentially consistent load is a plain load: it costs nothing more).
//!
//! # Cost
//!
//! A booking lowers its site's word once: one `fetch_sub` on a line that two threads rarely
//! share (the reference inventory has 14,000 sites; their words are 112 KiB), the same cost as
//! the per-block count this replaced. A region's count changes only when one of its sites
//! fills up or gets its first free seat back (once per 112 bookings at a reference site), the
//! root only when a whole region does. A release of a full slot at a site that still has
//! room is one compare-and-swap on the site's word (the block count it replaced raised the
//! global count and lowered it again: two more locked writes of a line every core shares).

use crate::ids::{RegionId, SiteId};
use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::platform::sync::{AtomicU32, AtomicU64, Ordering};
use crossbeam_utils::CachePadded;

/// Free seats are the low 40 bits of a site's word.
const FREE_BITS: u32 = 40;
const FREE_MASK: u64 = (1 << FREE_BITS) - 1;
/// One open slot, in a site's word.
const OPEN_ONE: u64 = 1 << FREE_BITS;

/// The most slots one site may hold: 2²⁴ less 2¹⁶, so that announcements in flight (one per
/// thread releasing a seat at the site at that instant) never overflow the 24 bits of its open
/// count.
pub(crate) const SITE_SLOTS_LIMIT: u64 = (1 << (64 - FREE_BITS)) - (1 << 16);
/// The most seats one site may hold, for the same reason: 2⁴⁰ less 2²⁰.
pub(crate) const SITE_SEATS_LIMIT: u64 = FREE_MASK + 1 - (1 << 20);

/// A change of one slot's free seats, as [`Sites::raise`] and [`Sites::lower`] apply it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Delta {
    /// Free seats gained or lost.
    pub(crate) seats: u64,
    /// The slot goes from no free seat to some (raise), or from some to none (lower).
    pub(crate) opens: bool,
}

impl Delta {
    pub(crate) const NONE: Delta = Delta {
        seats: 0,
        opens: false,
    };

    /// The change from a slot with `before` free seats to one with `after`: what must be raised
    /// before it and what lowered after it.
    pub(crate) fn between(before: u64, after: u64) -> (Delta, Delta) {
        let raise = Delta {
            seats: after.saturating_sub(before),
            opens: before == 0 && after > 0,
        };
        let lower = Delta {
            seats: before.saturating_sub(after),
            opens: before > 0 && after == 0,
        };
        (raise, lower)
    }

    fn word(self) -> u64 {
        self.seats + if self.opens { OPEN_ONE } else { 0 }
    }

    pub(crate) fn is_none(self) -> bool {
        self == Delta::NONE
    }
}

pub(crate) struct Sites {
    /// Per site: free seats (low 40 bits) and open slots (high 24 bits). May overstate.
    words: Box<[AtomicU64]>,
    /// Per site: its region + 1; 0 until the site is added. Written once, under the
    /// inventory's add lock, before any slot of the site is published.
    regions: Box<[AtomicU32]>,
    /// Per region: its sites whose open count is above zero. May overstate.
    open_sites: Box<[AtomicU64]>,
    /// Per region: slots added at its sites (a region with none is not "sold out").
    region_slots: Box<[AtomicU32]>,
    /// Regions whose open-site count is above zero. May overstate.
    open_regions: CachePadded<AtomicU64>,
}

impl Sites {
    pub(crate) fn new(sites_max: u32, regions_max: u32) -> Result<Sites, AllocError> {
        Ok(Sites {
            words: try_boxed_slice(sites_max as usize, Pages::Normal, || AtomicU64::new(0))?,
            regions: try_boxed_slice(sites_max as usize, Pages::Normal, || AtomicU32::new(0))?,
            open_sites: try_boxed_slice(regions_max as usize, Pages::Normal, || AtomicU64::new(0))?,
            region_slots: try_boxed_slice(regions_max as usize, Pages::Normal, || {
                AtomicU32::new(0)
            })?,
            open_regions: CachePadded::new(AtomicU64::new(0)),
        })
    }

    /// What [`Sites::new`] allocates.
    pub(crate) fn bytes_for(sites_max: u32, regions_max: u32) -> usize {
        sites_max as usize * (size_of::<AtomicU64>() + size_of::<AtomicU32>())
            + regions_max as usize * (size_of::<AtomicU64>() + size_of::<AtomicU32>())
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        size_of_val(&*self.words)
            + size_of_val(&*self.regions)
            + size_of_val(&*self.open_sites)
            + size_of_val(&*self.region_slots)
    }

    pub(crate) fn sites_max(&self) -> u32 {
        self.words.len() as u32
    }

    pub(crate) fn regions_max(&self) -> u32 {
        self.open_sites.len() as u32
    }

    /// The site's region, or `None` while the site has not been added.
    pub(crate) fn region_of(&self, site: SiteId) -> Option<RegionId> {
        let raw = self.regions[site.as_index()].load(Ordering::Acquire);
        raw.checked_sub(1).map(|raw| RegionId::new(raw as u16))
    }

    /// Adds the site to `region` (the caller holds the add lock and checked that it was not
    /// added yet).
    pub(crate) fn add(&self, site: SiteId, region: RegionId) {
        self.regions[site.as_index()].store(u32::from(region.as_u16()) + 1, Ordering::Release);
    }

    /// Counts a new slot of `site` in its region (control path, before the slot is
    /// published).
    pub(crate) fn note_slot(&self, site: SiteId) {
        let region = self.region_of(site).expect("a slot's site is added first");
        self.region_slots[region.as_index()].fetch_add(1, Ordering::AcqRel);
    }

    /// Raises the site's counts by `delta`: call it **before** the seats are free. Walks up
    /// the tree only if the site's open count may be at zero.
    #[inline]
    pub(crate) fn raise(&self, site: SiteId, delta: Delta) {
        let word = &self.words[site.as_index()];
        if !delta.opens {
            if delta.seats > 0 {
                word.fetch_add(delta.seats, Ordering::SeqCst);
            }
            return;
        }
        let mut current = word.load(Ordering::SeqCst);
        while current >> FREE_BITS > 0 {
            // Already open: the site stays above zero whatever happens meanwhile, since this
            // compare-and-swap only succeeds on a count above zero.
            match word.compare_exchange_weak(
                current,
                current + delta.word(),
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => return,
                Err(now) => current = now,
            }
        }
        let region = self.region_index(site);
        self.raise_region(region);
        let before = word.fetch_add(delta.word(), Ordering::SeqCst);
        if before >> FREE_BITS != 0 {
            // Another slot of the site opened it first and raised the region for it.
            self.lower_region(region);
        }
    }

    /// Lowers the site's counts by `delta`: call it **after** the seats are gone.
    #[inline]
    pub(crate) fn lower(&self, site: SiteId, delta: Delta) {
        if delta.is_none() {
            return;
        }
        let before = self.words[site.as_index()].fetch_sub(delta.word(), Ordering::SeqCst);
        debug_assert!(
            before & FREE_MASK >= delta.seats && (!delta.opens || before >> FREE_BITS > 0),
            "site {site} counted fewer seats than it gave up"
        );
        if delta.opens && before >> FREE_BITS == 1 {
            self.lower_region(self.region_index(site));
        }
    }

    fn region_index(&self, site: SiteId) -> usize {
        self.region_of(site)
            .expect("a site with slots has been added")
            .as_index()
    }

    fn raise_region(&self, region: usize) {
        let open_sites = &self.open_sites[region];
        let mut current = open_sites.load(Ordering::SeqCst);
        while current > 0 {
            match open_sites.compare_exchange_weak(
                current,
                current + 1,
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => return,
                Err(now) => current = now,
            }
        }
        self.open_regions.fetch_add(1, Ordering::SeqCst);
        if open_sites.fetch_add(1, Ordering::SeqCst) != 0 {
            self.open_regions.fetch_sub(1, Ordering::SeqCst);
        }
    }

    fn lower_region(&self, region: usize) {
        let before = self.open_sites[region].fetch_sub(1, Ordering::SeqCst);
        debug_assert!(before > 0, "region {region} counted no open site");
        if before == 1 {
            self.open_regions.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Free seats at the site (may overstate for an instant, never understates).
    pub(crate) fn free_seats(&self, site: SiteId) -> u64 {
        self.words[site.as_index()].load(Ordering::SeqCst) & FREE_MASK
    }

    /// `true` if the site has no slot with a free seat at this instant (or no slot at all).
    #[inline]
    pub(crate) fn site_none_open(&self, site: SiteId) -> bool {
        self.words[site.as_index()].load(Ordering::SeqCst) >> FREE_BITS == 0
    }

    /// `true` if the region has slots and none has a free seat at this instant.
    pub(crate) fn region_sold_out(&self, region: RegionId) -> bool {
        // Slots first: a slot is counted open before it is counted in its region's slots, so
        // "none open" read afterwards covers every slot counted here.
        self.region_slots[region.as_index()].load(Ordering::SeqCst) > 0
            && self.open_sites[region.as_index()].load(Ordering::SeqCst) == 0
    }

    /// `true` if no slot anywhere has a free seat at this instant. It may say `false` for an
    /// instant after the last seat went; it never says `true` while a seat is free.
    #[inline]
    pub(crate) fn none_open(&self) -> bool {
        self.open_regions.load(Ordering::SeqCst) == 0
    }

    /// The most a site's counts may reach, checked on the control path before a slot is
    /// added or a capacity grows: `true` if `slots` slots and `seats` seats fit one site.
    pub(crate) fn fits(slots: u64, seats: u64) -> bool {
        slots <= SITE_SLOTS_LIMIT && seats <= SITE_SEATS_LIMIT
    }

    /// Checks every count against a recount, for the audit (the caller holds the engine
    /// quiet): `free_open_of(site)` gives the site's free seats and open slots recounted from
    /// its slots, `slots_of(region)` the slots recounted at the region's sites. Returns
    /// `(counter, recorded, counted)` for the first count that disagrees.
    pub(crate) fn audit(
        &self,
        free_open_of: impl Fn(SiteId) -> (u64, u64),
        slots_of: impl Fn(RegionId) -> u64,
    ) -> Option<(&'static str, i64, i64)> {
        let regions = self.open_sites.len();
        let mut open_sites_counted = vec![0i64; regions];
        for (index, word) in self.words.iter().enumerate() {
            let site = SiteId::new(index as u32);
            let (free, open) = free_open_of(site);
            let word = word.load(Ordering::SeqCst);
            if word & FREE_MASK != free {
                return Some((
                    "free seats of a site",
                    (word & FREE_MASK) as i64,
                    free as i64,
                ));
            }
            if word >> FREE_BITS != open {
                return Some((
                    "open slots of a site",
                    (word >> FREE_BITS) as i64,
                    open as i64,
                ));
            }
            if open > 0 {
                match self.region_of(site) {
                    Some(region) => open_sites_counted[region.as_index()] += 1,
                    None => return Some(("open slots of a site not added", open as i64, 0)),
                }
            }
        }
        let mut open_regions_counted = 0i64;
        for (index, &counted) in open_sites_counted.iter().enumerate() {
            let region = RegionId::new(index as u16);
            let recorded = self.open_sites[index].load(Ordering::SeqCst) as i64;
            if recorded != counted {
                return Some(("open sites of a region", recorded, counted));
            }
            let slots = i64::from(self.region_slots[index].load(Ordering::SeqCst));
            if slots != slots_of(region) as i64 {
                return Some(("slots of a region", slots, slots_of(region) as i64));
            }
            open_regions_counted += i64::from(counted > 0);
        }
        let recorded = self.open_regions.load(Ordering::SeqCst) as i64;
        (recorded != open_regions_counted).then_some((
            "regions with an open slot",
            recorded,
            open_regions_counted,
        ))
    }
}
