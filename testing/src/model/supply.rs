//! The model's sites, regions, changes of supply and search: plain collections, scanned.
//!
//! A search here sorts the slots of each site by (day, window, id) and filters them; the
//! engine walks an index. Both must give the same list in the same order.

use super::{Model, ModelSlot};
use fairbook::{
    AddSiteError, Area, CapacityChanged, CloseSlotError, RegionId, SLOT_CAPACITY_LIMIT,
    SearchError, SetCapacityError, SiteId, SlotFilter, SlotId, SlotView,
};

impl Model {
    /// Records `site` in `region`, appended to the region's list.
    pub(super) fn put_site(&mut self, site: SiteId, region: RegionId) {
        self.site_regions.insert(site, region);
        self.region_sites.entry(region).or_default().push(site);
    }

    /// See [`Engine::add_site`](fairbook::Engine::add_site).
    ///
    /// # Errors
    /// As the engine's, in the same order.
    pub fn add_site(&mut self, site: SiteId, region: RegionId) -> Result<(), AddSiteError> {
        if site.as_u32() >= self.config.sites_max {
            return Err(AddSiteError::SiteOutOfRange {
                site,
                sites_max: self.config.sites_max,
            });
        }
        if u32::from(region.as_u16()) >= self.config.regions_max {
            return Err(AddSiteError::RegionOutOfRange {
                region,
                regions_max: self.config.regions_max,
            });
        }
        if let Some(&region) = self.site_regions.get(&site) {
            return Err(AddSiteError::AlreadyAdded { site, region });
        }
        self.put_site(site, region);
        Ok(())
    }

    /// See [`Engine::region_of`](fairbook::Engine::region_of).
    pub fn region_of(&self, site: SiteId) -> Option<RegionId> {
        self.site_regions.get(&site).copied()
    }

    /// See [`Engine::set_capacity`](fairbook::Engine::set_capacity).
    ///
    /// # Errors
    /// As the engine's, in the same order (never `SiteFull` here, see [`Model::add_slot`]).
    pub fn set_capacity(
        &mut self,
        slot: SlotId,
        capacity: u32,
    ) -> Result<CapacityChanged, SetCapacityError> {
        if slot.as_index() >= self.slots.len() {
            return Err(SetCapacityError::UnknownSlot { slot });
        }
        if capacity > SLOT_CAPACITY_LIMIT {
            return Err(SetCapacityError::CapacityTooLarge {
                capacity,
                max: SLOT_CAPACITY_LIMIT,
            });
        }
        let model = &mut self.slots[slot.as_index()];
        if model.closed {
            return Err(SetCapacityError::Closed { slot });
        }
        let booked = model.taken;
        if booked > capacity {
            return Err(SetCapacityError::BelowBooked {
                slot,
                booked,
                capacity,
            });
        }
        let capacity_before = model.spec.capacity;
        model.spec.capacity = capacity;
        Ok(CapacityChanged {
            slot,
            capacity_before,
            capacity,
            booked,
        })
    }

    /// See [`Engine::close_slot`](fairbook::Engine::close_slot).
    ///
    /// # Errors
    /// As the engine's.
    pub fn close_slot(&mut self, slot: SlotId) -> Result<CapacityChanged, CloseSlotError> {
        let model = self
            .slots
            .get_mut(slot.as_index())
            .ok_or(CloseSlotError::UnknownSlot { slot })?;
        if model.closed {
            return Err(CloseSlotError::AlreadyClosed { slot });
        }
        let booked = model.taken;
        let capacity_before = model.spec.capacity;
        model.spec.capacity = booked;
        model.closed = true;
        Ok(CapacityChanged {
            slot,
            capacity_before,
            capacity: booked,
            booked,
        })
    }

    fn check_filter(&self, filter: &SlotFilter<'_>) -> Result<(), SearchError> {
        if filter.first_day > filter.last_day {
            return Err(SearchError::EmptyDayRange {
                first_day: filter.first_day,
                last_day: filter.last_day,
            });
        }
        match filter.area {
            Area::Region(region) if u32::from(region.as_u16()) >= self.config.regions_max => {
                Err(SearchError::RegionOutOfRange {
                    region,
                    regions_max: self.config.regions_max,
                })
            }
            Area::Sites(sites) => match sites
                .iter()
                .find(|site| site.as_u32() >= self.config.sites_max)
            {
                Some(&site) => Err(SearchError::SiteOutOfRange {
                    site,
                    sites_max: self.config.sites_max,
                }),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    /// The sites a filter's area names, in its order.
    fn area_sites(&self, area: Area<'_>) -> Vec<SiteId> {
        let region_sites =
            |region: RegionId| self.region_sites.get(&region).cloned().unwrap_or_default();
        match area {
            Area::Everywhere => (0..self.config.regions_max)
                .flat_map(|raw| region_sites(RegionId::new(raw as u16)))
                .collect(),
            Area::Region(region) => region_sites(region),
            Area::Sites(sites) => sites.to_vec(),
            // A new area must be taught to the model before it is tested.
            area => panic!("the model does not know {area:?}"),
        }
    }

    /// The slots of `site` that `filter` selects, whether or not they have room, ordered by
    /// day, window and id.
    fn selected_at(&self, site: SiteId, filter: &SlotFilter<'_>) -> Vec<(SlotId, &ModelSlot)> {
        let mut slots: Vec<(SlotId, &ModelSlot)> = self
            .slots
            .iter()
            .enumerate()
            .map(|(index, model)| (SlotId::new(index as u32), model))
            .filter(|(_, model)| {
                model.spec.site == site
                    && (filter.first_day..=filter.last_day).contains(&model.spec.day)
                    && filter.windows.contains(model.spec.window)
            })
            .collect();
        slots.sort_by_key(|(id, model)| (model.spec.day, model.spec.window, *id));
        slots
    }

    /// See [`Engine::search`](fairbook::Engine::search), collected.
    ///
    /// # Errors
    /// As the engine's.
    pub fn search(&self, filter: &SlotFilter<'_>) -> Result<Vec<SlotView>, SearchError> {
        self.check_filter(filter)?;
        let mut found = Vec::new();
        for site in self.area_sites(filter.area) {
            for (id, _) in self.selected_at(site, filter) {
                let view = self.slot(id).expect("a selected slot exists");
                if view.free() > 0 {
                    found.push(view);
                }
            }
        }
        Ok(found)
    }

    /// See [`Engine::free_seats`](fairbook::Engine::free_seats).
    ///
    /// # Errors
    /// As the engine's.
    pub fn free_seats(&self, filter: &SlotFilter<'_>) -> Result<u64, SearchError> {
        self.check_filter(filter)?;
        Ok(self
            .area_sites(filter.area)
            .into_iter()
            .flat_map(|site| self.selected_at(site, filter))
            .map(|(_, model)| u64::from(model.spec.capacity.saturating_sub(model.taken)))
            .sum())
    }

    /// See [`Engine::is_sold_out_in`](fairbook::Engine::is_sold_out_in): the region has slots
    /// and every one is full.
    ///
    /// # Errors
    /// As the engine's.
    pub fn is_sold_out_in(&self, region: RegionId) -> Result<bool, SearchError> {
        if u32::from(region.as_u16()) >= self.config.regions_max {
            return Err(SearchError::RegionOutOfRange {
                region,
                regions_max: self.config.regions_max,
            });
        }
        let mut slots = self
            .slots
            .iter()
            .filter(|model| self.site_regions.get(&model.spec.site) == Some(&region))
            .peekable();
        Ok(slots.peek().is_some() && slots.all(ModelSlot::is_full))
    }
}
