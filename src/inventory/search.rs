//! Inventory search: which slots have room, by area (everywhere, a region or a list of sites),
//! by days and by windows, in a stated order, lazily, and how many seats are free there.
//!
//! # The index
//!
//! [`SearchIndex`] links every slot into the list of its site and day, ordered by window then
//! slot id; every (site, day) has the head of its list in a table of `sites_max × days_max`
//! cells, so a search for a few days goes straight to them; and every site is linked into the
//! list of its region, in the order sites were added. Links are written only on the control
//! path (`add_slot`, `add_site`, under the inventory's add lock), each published with one
//! Release store after the node it points to is complete, so a search reads them without a
//! lock while slots are being added: it sees each list either before or after an insertion.
//!
//! Nothing on the booking path writes the index. A search skips every site whose open-slot
//! count reads zero (one load per site, see `sites.rs`) and reads each remaining slot's own
//! cell, so every slot it yields had a free seat when it was read, under any number of
//! concurrent reserves and releases, and no slot it passes over had one when its cell (or its
//! site's count) was read.
//!
//! # Order
//!
//! Sites in the area's order (a list of sites as given, nearest first if the caller sorts it
//! so; a region's sites in the order they were added; everywhere: region by region), then day,
//! then window, then slot id. A search is an iterator: take as many as a page holds.
//!
//! # Cost
//!
//! At the reference inventory (1,568,000 slots: 14,000 sites × 14 days × 8 windows) a search
//! reads one word per site it passes, one head per (site, day) it looks at, and the cells of
//! that day's slots; `benches/search.rs` measures it against a scan of every slot.

use core::fmt;

use super::Inventory;
use crate::error::SearchError;
use crate::ids::{Day, RegionId, SiteId, SlotId, Window};
use crate::inventory::SlotView;
use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::platform::sync::{AtomicU32, AtomicU64, Ordering};

/// A set of time windows, any of the 256 a [`Window`] can name.
///
/// # Example
/// ```
/// use fairbook::{Window, WindowSet};
/// let evenings = WindowSet::between(Window::new(6), Window::new(7));
/// assert!(evenings.contains(Window::new(7)) && !evenings.contains(Window::new(5)));
/// assert_eq!(WindowSet::of(&[Window::new(6), Window::new(7)]), evenings);
/// assert!(WindowSet::ALL.contains(Window::new(255)));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct WindowSet {
    bits: [u64; 4],
}

impl WindowSet {
    /// Every window.
    pub const ALL: WindowSet = WindowSet {
        bits: [u64::MAX; 4],
    };

    /// No window.
    pub const NONE: WindowSet = WindowSet { bits: [0; 4] };

    /// Exactly these windows.
    pub fn of(windows: &[Window]) -> WindowSet {
        let mut set = WindowSet::NONE;
        for &window in windows {
            set = set.with(window);
        }
        set
    }

    /// The windows from `first` to `last`, both included (none if `last` is before `first`).
    pub fn between(first: Window, last: Window) -> WindowSet {
        let mut set = WindowSet::NONE;
        for raw in first.as_u8()..=last.as_u8() {
            set = set.with(Window::new(raw));
        }
        set
    }

    /// This set and `window`.
    #[must_use]
    pub const fn with(mut self, window: Window) -> WindowSet {
        let raw = window.as_u8() as usize;
        self.bits[raw / 64] |= 1 << (raw % 64);
        self
    }

    /// Whether `window` is in the set.
    pub const fn contains(&self, window: Window) -> bool {
        let raw = window.as_u8() as usize;
        self.bits[raw / 64] & (1 << (raw % 64)) != 0
    }

    fn is_all(&self) -> bool {
        *self == WindowSet::ALL
    }
}

impl fmt::Debug for WindowSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return write!(f, "WindowSet::ALL");
        }
        f.debug_set()
            .entries(
                (0..=u8::MAX)
                    .filter(|&raw| self.contains(Window::new(raw)))
                    .map(Window::new),
            )
            .finish()
    }
}

/// Where a search looks.
///
/// # Example
/// ```
/// use fairbook::{Area, RegionId, SiteId};
/// let near_work = [SiteId::new(40), SiteId::new(12)]; // nearest first
/// let area = Area::Sites(&near_work);
/// assert_ne!(area, Area::Region(RegionId::new(0)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Area<'a> {
    /// Every site, region by region.
    Everywhere,
    /// The sites of one region, in the order they were added.
    Region(RegionId),
    /// These sites, in this order (a site listed twice is searched twice).
    Sites(&'a [SiteId]),
}

/// What a search looks for: slots with a free seat in an area, from `first_day` to `last_day`
/// (both included), in a set of windows.
///
/// # Example
/// ```
/// use fairbook::{Day, RegionId, SlotFilter, Window, WindowSet};
/// let seoul_next_week_evenings = SlotFilter::region(RegionId::new(1))
///     .days(Day::new(7), Day::new(13))
///     .windows(WindowSet::between(Window::new(6), Window::new(7)));
/// assert_eq!(seoul_next_week_evenings.first_day, Day::new(7));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotFilter<'a> {
    /// Where.
    pub area: Area<'a>,
    /// The first day (included).
    pub first_day: Day,
    /// The last day (included).
    pub last_day: Day,
    /// Which windows of each day.
    pub windows: WindowSet,
}

impl<'a> SlotFilter<'a> {
    /// Every slot of every site, any day, any window.
    pub const fn everywhere() -> SlotFilter<'static> {
        SlotFilter::in_area(Area::Everywhere)
    }

    /// Every slot of one region, any day, any window.
    pub const fn region(region: RegionId) -> SlotFilter<'static> {
        SlotFilter::in_area(Area::Region(region))
    }

    /// Every slot of these sites, in this order, any day, any window.
    pub const fn sites(sites: &'a [SiteId]) -> SlotFilter<'a> {
        SlotFilter::in_area(Area::Sites(sites))
    }

    /// Every slot of `area`, any day, any window.
    pub const fn in_area(area: Area<'a>) -> SlotFilter<'a> {
        SlotFilter {
            area,
            first_day: Day::new(0),
            last_day: Day::new(u16::MAX),
            windows: WindowSet::ALL,
        }
    }

    /// The same filter for the days from `first` to `last`, both included.
    #[must_use]
    pub const fn days(self, first: Day, last: Day) -> SlotFilter<'a> {
        SlotFilter {
            first_day: first,
            last_day: last,
            ..self
        }
    }

    /// The same filter for these windows.
    #[must_use]
    pub const fn windows(self, windows: WindowSet) -> SlotFilter<'a> {
        SlotFilter { windows, ..self }
    }
}

/// No slot: the end of a list, in the links below (which hold `slot + 1`).
const END: u32 = 0;

pub(crate) struct SearchIndex {
    days_max: u32,
    /// Per (site, day), at `site * days_max + day`: the first slot + 1 of the site's slots
    /// that day, by window then id.
    day_heads: Box<[AtomicU32]>,
    /// Per slot: the next slot + 1 of its site and day.
    next_slot: Box<[AtomicU32]>,
    /// Per region: its first site + 1.
    first_site: Box<[AtomicU32]>,
    /// Per site: the next site + 1 of its region.
    next_site: Box<[AtomicU32]>,
    /// The slot inserted last + 1 (0: none yet) and its site and day (`site << 16 | day`),
    /// written and read under the add lock: where the next insert at the same site and day
    /// starts its walk, so that adding many slots to one site and day (in window order, as a
    /// grid does) costs one step each, not the list's length.
    last_inserted: AtomicU32,
    last_place: AtomicU64,
}

impl SearchIndex {
    pub(crate) fn new(
        slots_max: u32,
        sites_max: u32,
        days_max: u32,
        regions_max: u32,
    ) -> Result<SearchIndex, AllocError> {
        let atomics = |len: usize| try_boxed_slice(len, Pages::Normal, || AtomicU32::new(END));
        Ok(SearchIndex {
            days_max,
            day_heads: atomics(Self::day_heads_len(sites_max, days_max))?,
            next_slot: atomics(slots_max as usize)?,
            first_site: atomics(regions_max as usize)?,
            next_site: atomics(sites_max as usize)?,
            last_inserted: AtomicU32::new(END),
            last_place: AtomicU64::new(0),
        })
    }

    fn day_heads_len(sites_max: u32, days_max: u32) -> usize {
        (sites_max as usize).saturating_mul(days_max as usize)
    }

    /// What [`SearchIndex::new`] allocates.
    pub(crate) fn bytes_for(
        slots_max: u32,
        sites_max: u32,
        days_max: u32,
        regions_max: u32,
    ) -> usize {
        (Self::day_heads_len(sites_max, days_max)
            .saturating_add(slots_max as usize)
            .saturating_add(regions_max as usize)
            .saturating_add(sites_max as usize))
        .saturating_mul(size_of::<AtomicU32>())
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        size_of_val(&*self.day_heads)
            + size_of_val(&*self.next_slot)
            + size_of_val(&*self.first_site)
            + size_of_val(&*self.next_site)
    }

    pub(crate) fn days_max(&self) -> u32 {
        self.days_max
    }

    /// Walks every list, for the audit (the caller holds the engine quiet): each slot must be
    /// listed under its own site and day, in window order, and no list may loop. `spec_of`
    /// gives a listed slot's spec, or `None` if no such slot exists. Returns how many slots
    /// are listed, or `(what, recorded, counted)` for the first list that is wrong.
    pub(crate) fn audit(
        &self,
        sites_max: u32,
        spec_of: impl Fn(SlotId) -> Option<super::SlotSpec>,
    ) -> Result<u64, (&'static str, i64, i64)> {
        let steps_max = self.next_slot.len() as u64 + 1;
        let mut listed = 0u64;
        for raw_site in 0..sites_max {
            let site = SiteId::new(raw_site);
            for day in 0..self.days_max {
                let mut window = Window::new(0);
                let mut at = self.first_slot(site, day);
                while let Some(slot) = at {
                    let Some(spec) = spec_of(slot) else {
                        return Err((
                            "a listed slot that does not exist",
                            i64::from(slot.as_u32()),
                            -1,
                        ));
                    };
                    if spec.site != site || u32::from(spec.day.as_u16()) != day {
                        return Err((
                            "a slot listed under another site or day",
                            i64::from(raw_site),
                            i64::from(spec.site.as_u32()),
                        ));
                    }
                    if spec.window < window {
                        return Err((
                            "a list out of window order",
                            i64::from(window.as_u8()),
                            i64::from(spec.window.as_u8()),
                        ));
                    }
                    window = spec.window;
                    listed += 1;
                    if listed > steps_max {
                        return Err((
                            "slots in the search index (a list loops)",
                            listed as i64,
                            steps_max as i64,
                        ));
                    }
                    at = self.next_slot_after(slot);
                }
            }
        }
        Ok(listed)
    }

    fn head(&self, site: SiteId, day: u32) -> &AtomicU32 {
        &self.day_heads[site.as_index() * self.days_max as usize + day as usize]
    }

    /// Links `slot` into its site and day's list, after every slot with a window at or below
    /// its own (the caller holds the add lock; `window_of` reads a listed slot's window).
    pub(crate) fn insert_slot(
        &self,
        slot: SlotId,
        site: SiteId,
        day: Day,
        window: Window,
        window_of: impl Fn(SlotId) -> Window,
    ) {
        let place = (u64::from(site.as_u32()) << 16) | u64::from(day.as_u16());
        // Every slot up to the last one inserted at this site and day sorts before `slot`
        // if that one's window is at or below `slot`'s (ids only grow): start after it.
        let last = decode(self.last_inserted.load(Ordering::Relaxed)).map(SlotId::new);
        let mut link = match last {
            Some(last)
                if self.last_place.load(Ordering::Relaxed) == place
                    && window_of(last) <= window =>
            {
                &self.next_slot[last.as_index()]
            }
            _ => self.head(site, u32::from(day.as_u16())),
        };
        loop {
            let next = link.load(Ordering::Acquire);
            let Some(next_slot) = next.checked_sub(1).map(SlotId::new) else {
                break;
            };
            if window_of(next_slot) > window {
                break;
            }
            link = &self.next_slot[next_slot.as_index()];
        }
        // The new node first points on, then is published: a search sees the list before or
        // after, never a broken one.
        self.next_slot[slot.as_index()].store(link.load(Ordering::Relaxed), Ordering::Relaxed);
        link.store(slot.as_u32() + 1, Ordering::Release);
        self.last_inserted
            .store(slot.as_u32() + 1, Ordering::Relaxed);
        self.last_place.store(place, Ordering::Relaxed);
    }

    /// Appends `site` to its region's list; `after` is the region's last site so far (the
    /// caller keeps it, under the add lock).
    pub(crate) fn append_site(&self, site: SiteId, region: RegionId, after: Option<SiteId>) {
        let link = match after {
            Some(last) => &self.next_site[last.as_index()],
            None => &self.first_site[region.as_index()],
        };
        link.store(site.as_u32() + 1, Ordering::Release);
    }

    /// The sites of `region`, in the order they were added.
    pub(crate) fn sites_of(&self, region: RegionId) -> impl Iterator<Item = SiteId> + '_ {
        let first = self.first_site_of(region.as_index());
        core::iter::successors(first, move |&site| self.next_site_after(site))
    }

    fn first_site_of(&self, region: usize) -> Option<SiteId> {
        decode(self.first_site[region].load(Ordering::Acquire)).map(SiteId::new)
    }

    fn next_site_after(&self, site: SiteId) -> Option<SiteId> {
        decode(self.next_site[site.as_index()].load(Ordering::Acquire)).map(SiteId::new)
    }

    fn first_slot(&self, site: SiteId, day: u32) -> Option<SlotId> {
        decode(self.head(site, day).load(Ordering::Acquire)).map(SlotId::new)
    }

    fn next_slot_after(&self, slot: SlotId) -> Option<SlotId> {
        decode(self.next_slot[slot.as_index()].load(Ordering::Acquire)).map(SlotId::new)
    }
}

fn decode(link: u32) -> Option<u32> {
    link.checked_sub(1)
}

/// Where a search is among the sites of its area.
#[derive(Clone, Copy, Debug)]
enum SiteCursor {
    /// Everywhere: the region being walked and the site in it.
    Everywhere { region: usize, site: Option<SiteId> },
    /// A region's list.
    Region(Option<SiteId>),
    /// The next index into the caller's list.
    Listed(usize),
}

/// The slots with a free seat that a [`SlotFilter`] selects, in its stated order (see
/// [`Engine::search`](crate::Engine::search)). Lazy: each step reads the index and the cells
/// it passes, and nothing is allocated.
pub struct SlotSearch<'e, 'a> {
    inventory: &'e Inventory,
    filter: SlotFilter<'a>,
    /// The last day to look at, clamped to the index.
    last_day: u32,
    /// The next site to start on.
    cursor: SiteCursor,
    /// The site being searched, its day, and the next slot of that day's list.
    at: Option<(SiteId, u32, Option<SlotId>)>,
}

impl fmt::Debug for SlotSearch<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlotSearch")
            .field("filter", &self.filter)
            .field("cursor", &self.cursor)
            .finish_non_exhaustive()
    }
}

impl<'e, 'a> SlotSearch<'e, 'a> {
    pub(crate) fn new(
        inventory: &'e Inventory,
        filter: SlotFilter<'a>,
    ) -> Result<SlotSearch<'e, 'a>, SearchError> {
        check(inventory, &filter)?;
        let index = &inventory.index;
        let cursor = match filter.area {
            Area::Everywhere => SiteCursor::Everywhere {
                region: 0,
                site: index.first_site_of(0),
            },
            Area::Region(region) => SiteCursor::Region(index.first_site_of(region.as_index())),
            Area::Sites(_) => SiteCursor::Listed(0),
        };
        Ok(SlotSearch {
            inventory,
            last_day: u32::from(filter.last_day.as_u16()).min(index.days_max - 1),
            filter,
            cursor,
            at: None,
        })
    }

    /// The next site of the area, or `None` past the last.
    fn next_site(&mut self) -> Option<SiteId> {
        let index = &self.inventory.index;
        match &mut self.cursor {
            SiteCursor::Everywhere { region, site } => loop {
                if let Some(current) = *site {
                    *site = index.next_site_after(current);
                    return Some(current);
                }
                *region += 1;
                if *region >= index.first_site.len() {
                    return None;
                }
                *site = index.first_site_of(*region);
            },
            SiteCursor::Region(site) => {
                let current = (*site)?;
                *site = index.next_site_after(current);
                Some(current)
            }
            SiteCursor::Listed(next) => {
                let Area::Sites(sites) = self.filter.area else {
                    unreachable!("a listed cursor walks a list of sites");
                };
                let site = *sites.get(*next)?;
                *next += 1;
                Some(site)
            }
        }
    }

    /// Moves to the next (site, day) list that may hold an open slot; `false` when none is
    /// left.
    fn next_list(&mut self) -> bool {
        let first_day = u32::from(self.filter.first_day.as_u16());
        loop {
            let (site, day) = match self.at {
                Some((site, day, _)) if day < self.last_day => (site, day + 1),
                _ => loop {
                    let site = match self.next_site() {
                        Some(site) => site,
                        None => return false,
                    };
                    // A site with no open slot is passed over with one load.
                    if !self.inventory.sites.site_none_open(site) {
                        break (site, first_day);
                    }
                },
            };
            if day > self.last_day {
                // The filter starts past the index's last day: nothing anywhere.
                return false;
            }
            let first = self.inventory.index.first_slot(site, day);
            self.at = Some((site, day, first));
            if first.is_some() {
                return true;
            }
        }
    }
}

impl Iterator for SlotSearch<'_, '_> {
    type Item = SlotView;

    fn next(&mut self) -> Option<SlotView> {
        loop {
            let Some((site, day, Some(slot))) = self.at else {
                if !self.next_list() {
                    return None;
                }
                continue;
            };
            self.at = Some((site, day, self.inventory.index.next_slot_after(slot)));
            let view = self.inventory.view_unchecked(slot);
            if self.filter.windows.contains(view.spec.window) && view.free() > 0 {
                return Some(view);
            }
        }
    }
}

/// Checks a filter against the engine's limits.
pub(crate) fn check(inventory: &Inventory, filter: &SlotFilter<'_>) -> Result<(), SearchError> {
    if filter.first_day > filter.last_day {
        return Err(SearchError::EmptyDayRange {
            first_day: filter.first_day,
            last_day: filter.last_day,
        });
    }
    let (sites_max, regions_max) = (inventory.sites.sites_max(), inventory.sites.regions_max());
    match filter.area {
        Area::Everywhere => Ok(()),
        Area::Region(region) if u32::from(region.as_u16()) >= regions_max => {
            Err(SearchError::RegionOutOfRange {
                region,
                regions_max,
            })
        }
        Area::Region(_) => Ok(()),
        Area::Sites(sites) => match sites.iter().find(|site| site.as_u32() >= sites_max) {
            Some(&site) => Err(SearchError::SiteOutOfRange { site, sites_max }),
            None => Ok(()),
        },
    }
}

/// Free seats in the slots a filter selects. With every day and window, the sum of the sites'
/// counts (one load per site); otherwise the sum over the selected slots' cells.
pub(crate) fn free_seats(
    inventory: &Inventory,
    filter: &SlotFilter<'_>,
) -> Result<u64, SearchError> {
    check(inventory, filter)?;
    let whole_sites = filter.first_day.as_u16() == 0
        && u32::from(filter.last_day.as_u16()) + 1 >= inventory.index.days_max
        && filter.windows.is_all();
    if whole_sites {
        let mut search = SlotSearch::new(inventory, *filter)?;
        let mut free = 0;
        while let Some(site) = search.next_site() {
            free += inventory.sites.free_seats(site);
        }
        return Ok(free);
    }
    let mut free = 0;
    let mut search = SlotSearch::new(inventory, *filter)?;
    while search.next_list() {
        while let Some((site, day, Some(slot))) = search.at {
            search.at = Some((site, day, inventory.index.next_slot_after(slot)));
            let view = inventory.view_unchecked(slot);
            if filter.windows.contains(view.spec.window) {
                free += u64::from(view.free());
            }
        }
    }
    Ok(free)
}
