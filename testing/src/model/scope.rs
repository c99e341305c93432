//! The model's scopes: where each place may book, what "sold out" means for it, and the free
//! seats per region that the door counts at each advance.

use std::collections::HashMap;

use super::Model;
use fairbook::{EnqueueError, RegionId, Scope, SlotFilter, SlotId};

impl Model {
    /// The first of `choices` outside `scope`, which `reserve` and `rebook` refuse.
    pub(super) fn outside_scope(&self, scope: Scope, choices: &[SlotId]) -> Option<SlotId> {
        let Scope::Region(region) = scope else {
            return None;
        };
        choices
            .iter()
            .copied()
            .find(|slot| self.region_of(self.slots[slot.as_index()].spec.site) != Some(region))
    }

    /// The scope a place keeps for `scope`: with one region, every scope is everywhere.
    pub(super) fn normalized(&self, scope: Scope) -> Scope {
        if self.config.regions_max > 1 {
            scope
        } else {
            Scope::Everywhere
        }
    }

    fn region_free_seats(&self, region: RegionId) -> u64 {
        self.free_seats(&SlotFilter::region(region))
            .expect("a region of the engine")
    }

    /// The door's count at an advance: free seats per region and in all (engines with more
    /// than one region only).
    pub(super) fn count_free_at_door(&mut self) {
        if self.config.regions_max <= 1 {
            return;
        }
        let regions: HashMap<RegionId, u64> = (0..self.config.regions_max)
            .map(|raw| RegionId::new(raw as u16))
            .map(|region| (region, self.region_free_seats(region)))
            .collect();
        let total = regions.values().sum();
        self.free_at_door = Some((regions, total));
    }

    /// Free seats outside `region`: as the door last counted them, or now before its first
    /// count.
    fn free_elsewhere(&self, region: RegionId) -> u64 {
        match &self.free_at_door {
            Some((regions, total)) => total.saturating_sub(regions[&region]),
            None => {
                let total = self
                    .free_seats(&SlotFilter::everywhere())
                    .expect("everywhere is an area");
                total.saturating_sub(self.region_free_seats(region))
            }
        }
    }

    /// What a first join into `scope` is told when nothing there is free.
    pub(super) fn sold_out_for(&self, scope: Scope) -> Option<EnqueueError> {
        if self.is_sold_out() {
            return Some(EnqueueError::SoldOut);
        }
        self.scope_sold_out(scope)
            .map(|(scope, free_elsewhere)| EnqueueError::SoldOutInScope {
                scope,
                free_elsewhere,
            })
    }

    /// If `scope` (a region) has slots and none is free: the scope and the free seats
    /// elsewhere.
    pub(super) fn scope_sold_out(&self, scope: Scope) -> Option<(Scope, u64)> {
        let Scope::Region(region) = scope else {
            return None;
        };
        self.is_sold_out_in(region)
            .expect("a place's region exists")
            .then(|| (scope, self.free_elsewhere(region)))
    }

    /// Every slot `scope` covers is full (and it covers at least one).
    pub(super) fn is_scope_sold_out(&self, scope: Scope) -> bool {
        match scope {
            Scope::Region(region) => self
                .is_sold_out_in(region)
                .expect("a place's region exists"),
            _ => self.is_sold_out(),
        }
    }
}
