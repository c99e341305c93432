//! Finding a seat: [`Engine::search`] (slots with room by area, days and windows, in a stated
//! order), [`Engine::free_seats`] (how many seats are free there) and
//! [`Engine::is_sold_out_in`] (whether a region has any seat left).
//!
//! All three read the inventory's index and counts without a lock and change nothing; they
//! are as exact as a read can be while other threads book: every slot a search yields had a
//! free seat when it was read, and "sold out" is never said while a seat is free.

use super::Engine;
use crate::error::SearchError;
use crate::ids::RegionId;
use crate::inventory::{SlotFilter, SlotSearch};

impl Engine {
    /// The slots with at least one free seat that `filter` selects, lazily, in its stated
    /// order: sites in the area's order (as listed; a region's in the order they were added;
    /// everywhere, region by region), then day, then window, then slot id. Take as many as a
    /// page shows; nothing is allocated.
    ///
    /// A site with no free seat is passed over with one load, and a day with none of the
    /// site's slots with one more, so a search costs what it reads, not the inventory's size
    /// (`benches/search.rs` measures it at the reference inventory against a scan of
    /// [`Engine::slot`]).
    ///
    /// # Errors
    /// [`SearchError::EmptyDayRange`], [`SearchError::RegionOutOfRange`],
    /// [`SearchError::SiteOutOfRange`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{Config, Day, Engine, SiteId, SlotFilter, SlotSpec, Window, WindowSet};
    /// let engine = Engine::new(Config::default())?;
    /// let slot = |site, day, window, capacity| SlotSpec {
    ///     site: SiteId::new(site), day: Day::new(day), window: Window::new(window), capacity,
    /// };
    /// engine.add_slot(slot(3, 1, 7, 2)).unwrap();
    /// let full = engine.add_slot(slot(3, 1, 6, 0)).unwrap();
    /// let early = engine.add_slot(slot(3, 0, 7, 1)).unwrap();
    /// let evening = engine.add_slot(slot(5, 1, 7, 1)).unwrap();
    ///
    /// // Near work first (site 5, then site 3), evenings only, day 1 on.
    /// let near_work = [SiteId::new(5), SiteId::new(3)];
    /// let filter = SlotFilter::sites(&near_work)
    ///     .days(Day::new(1), Day::new(13))
    ///     .windows(WindowSet::of(&[Window::new(6), Window::new(7)]));
    /// let found: Vec<_> = engine.search(filter)?.map(|view| view.id).collect();
    /// assert_eq!(found[0], evening);
    /// assert_eq!(found.len(), 2);
    /// assert!(!found.contains(&full) && !found.contains(&early));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn search<'e, 'a>(
        &'e self,
        filter: SlotFilter<'a>,
    ) -> Result<SlotSearch<'e, 'a>, SearchError> {
        self.inventory.search(filter)
    }

    /// Free seats in the slots `filter` selects: per site, per region, per day, or any mix.
    ///
    /// With every day and every window, it is the sum of the sites' counts, one load per site
    /// (may overstate for an instant while seats are being taken, never understates); with
    /// fewer, the sum over the selected slots' cells, each exact when read. Under concurrent
    /// bookings the sum is a sum of such reads, not one instant's total.
    ///
    /// # Errors
    /// As [`Engine::search`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{Config, Day, Engine, RegionId, SiteId, SlotFilter, SlotSpec, Window};
    /// let engine = Engine::new(Config { regions_max: 2, ..Config::default() })?;
    /// engine.add_site(SiteId::new(9), RegionId::new(1)).unwrap();
    /// for day in 0..3 {
    ///     let spec = SlotSpec { site: SiteId::new(9), day: Day::new(day), window: Window::new(0), capacity: 10 };
    ///     engine.add_slot(spec).unwrap();
    /// }
    /// assert_eq!(engine.free_seats(&SlotFilter::region(RegionId::new(1)))?, 30);
    /// assert_eq!(engine.free_seats(&SlotFilter::everywhere().days(Day::new(1), Day::new(1)))?, 10);
    /// assert_eq!(engine.free_seats(&SlotFilter::region(RegionId::new(0)))?, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn free_seats(&self, filter: &SlotFilter<'_>) -> Result<u64, SearchError> {
        self.inventory.free_seats(filter)
    }

    /// `true` if the region has at least one slot and none of them has a free seat (a
    /// snapshot). Never `true` while a seat of the region is free: one load of the region's
    /// own count (see [`Engine::is_sold_out`] for the whole inventory).
    ///
    /// # Errors
    /// [`SearchError::RegionOutOfRange`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{Config, Engine, RegionId, SiteId, SlotSpec};
    /// let engine = Engine::new(Config { regions_max: 2, ..Config::default() })?;
    /// engine.add_site(SiteId::new(1), RegionId::new(1)).unwrap();
    /// engine.add_slot(SlotSpec::with_capacity(0)).unwrap(); // site 0, region 0: no seat
    /// engine.add_slot(SlotSpec { site: SiteId::new(1), ..SlotSpec::with_capacity(4) }).unwrap();
    /// assert!(engine.is_sold_out_in(RegionId::new(0))?);
    /// assert!(!engine.is_sold_out_in(RegionId::new(1))?);
    /// assert!(!engine.is_sold_out());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_sold_out_in(&self, region: RegionId) -> Result<bool, SearchError> {
        let regions_max = self.inventory.regions_max();
        if u32::from(region.as_u16()) >= regions_max {
            return Err(SearchError::RegionOutOfRange {
                region,
                regions_max,
            });
        }
        Ok(self.inventory.is_region_sold_out(region))
    }
}
