//! Scopes on the façade: joining with a scope of one's own ([`Engine::enqueue_in`]), the
//! "sold out for what you can book" answers of `enqueue` and `status`, the check that a
//! booking stays within the person's scope, and the free seats per region that those answers
//! quote, counted at each turn of the door.
//!
//! With one region ([`Config::regions_max`](crate::Config::regions_max) = 1), every scope is
//! the whole inventory: places keep no tag, every answer is the engine-wide one, and none of
//! this costs the data path anything.

use crate::config::Config;
use crate::error::{EnqueueError, ReserveError};
use crate::ids::{CohortId, PersonId, RegionId, SlotId};
use crate::inventory::{Inventory, SlotFilter};
use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::platform::sync::{AtomicU64, Ordering};
use crate::scope::Scope;
use crate::status::Place;
use crate::time::Timestamp;

use super::Engine;

/// Whether places keep a scope tag: only with more than one region to tell apart.
pub(super) fn tagged(config: &Config) -> bool {
    config.regions_max > 1
}

/// Each cohort's scope tag (all 0 when places keep none).
pub(super) fn cohort_tags(config: &Config) -> Vec<u16> {
    config
        .cohorts
        .iter()
        .map(|window| {
            if tagged(config) {
                window.scope.tag()
            } else {
                0
            }
        })
        .collect()
}

/// Free seats per region and in all, counted by the door at each `advance` (when places keep
/// tags), so that "sold out in your scope, so many seats free elsewhere" costs `status` two
/// loads rather than a walk of every site.
pub(super) struct FreeAtDoor {
    /// Per region, free seats as of the last count.
    regions: Box<[AtomicU64]>,
    /// All free seats as of the last count.
    total: AtomicU64,
    /// Nonzero once a count was made.
    counted: AtomicU64,
}

impl FreeAtDoor {
    pub(super) fn new(config: &Config) -> Result<FreeAtDoor, AllocError> {
        let len = if tagged(config) {
            config.regions_max as usize
        } else {
            0
        };
        Ok(FreeAtDoor {
            regions: try_boxed_slice(len, Pages::Normal, || AtomicU64::new(0))?,
            total: AtomicU64::new(0),
            counted: AtomicU64::new(0),
        })
    }

    pub(super) fn bytes_for(config: &Config) -> usize {
        if tagged(config) {
            config.regions_max as usize * size_of::<AtomicU64>()
        } else {
            0
        }
    }

    /// Counts every region's free seats now (the caller holds the advance lock). One load per
    /// site that has slots.
    pub(super) fn count(&self, inventory: &Inventory) {
        if self.regions.is_empty() {
            return;
        }
        let mut total = 0;
        for (raw, free) in self.regions.iter().enumerate() {
            let filter = SlotFilter::region(RegionId::new(raw as u16));
            let seats = inventory.free_seats(&filter).unwrap_or(0);
            free.store(seats, Ordering::Relaxed);
            total += seats;
        }
        self.total.store(total, Ordering::Relaxed);
        self.counted.store(1, Ordering::Release);
    }

    /// Free seats outside `region`: as of the door's last count, or counted now before the
    /// door's first turn.
    fn elsewhere(&self, inventory: &Inventory, region: RegionId) -> u64 {
        if self.counted.load(Ordering::Acquire) == 0 {
            let all = inventory.free_seats(&SlotFilter::everywhere()).unwrap_or(0);
            let own = inventory
                .free_seats(&SlotFilter::region(region))
                .unwrap_or(0);
            return all.saturating_sub(own);
        }
        let own = self.regions[region.as_index()].load(Ordering::Relaxed);
        self.total.load(Ordering::Relaxed).saturating_sub(own)
    }
}

impl Engine {
    /// [`Engine::enqueue`] for a person who may book only within `scope` ("I can only get to
    /// Seoul"), whatever their cohort's scope. Their place keeps the scope: `status` says
    /// "sold out" to them as soon as it has no free seat, with how many seats are free
    /// elsewhere, and they cannot book outside it. A person who already holds a place keeps
    /// the scope they joined with.
    ///
    /// With one region, every scope is the whole inventory.
    ///
    /// # Errors
    /// As [`Engine::enqueue`], and [`EnqueueError::RegionOutOfRange`] for a region at or above
    /// [`Config::regions_max`](crate::Config::regions_max). A first join into a sold-out scope
    /// gets [`EnqueueError::SoldOutInScope`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, EnqueueError, PersonId, RegionId, Scope, SiteId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config { regions_max: 2, ..Config::default() })?;
    /// let (seoul, busan) = (RegionId::new(0), RegionId::new(1));
    /// engine.add_site(SiteId::new(1), busan).unwrap();
    /// engine.add_slot(SlotSpec::with_capacity(0)).unwrap(); // Seoul: nothing
    /// engine.add_slot(SlotSpec { site: SiteId::new(1), ..SlotSpec::with_capacity(5) }).unwrap();
    /// let now = Timestamp::from_secs(1);
    /// assert_eq!(
    ///     engine.enqueue_in(PersonId::new(1), CohortId::new(0), Scope::Region(seoul), now),
    ///     Err(EnqueueError::SoldOutInScope { scope: Scope::Region(seoul), free_elsewhere: 5 })
    /// );
    /// assert!(engine.enqueue_in(PersonId::new(2), CohortId::new(0), Scope::Region(busan), now).is_ok());
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn enqueue_in(
        &self,
        person: PersonId,
        cohort: CohortId,
        scope: Scope,
        now: Timestamp,
    ) -> Result<Place, EnqueueError> {
        let now = self.clock.check_call(now)?;
        let tag = self.scope_tag(scope)?;
        self.room.join(person, cohort, Some(tag), now, &|tag| {
            self.sold_out_for(tag)
        })
    }

    /// The tag a place keeps for `scope`, or the error for a region out of range.
    fn scope_tag(&self, scope: Scope) -> Result<u16, EnqueueError> {
        if let Scope::Region(region) = scope {
            let regions_max = self.config.regions_max;
            if u32::from(region.as_u16()) >= regions_max {
                return Err(EnqueueError::RegionOutOfRange {
                    region,
                    regions_max,
                });
            }
        }
        Ok(if tagged(&self.config) { scope.tag() } else { 0 })
    }

    /// What a first join (or a requeue) into the scope of `tag` is told when that scope has
    /// no free seat: `SoldOut` when nothing anywhere is free, `SoldOutInScope` when only the
    /// scope is sold out.
    pub(super) fn sold_out_for(&self, tag: u16) -> Option<EnqueueError> {
        if self.inventory.is_sold_out() {
            return Some(EnqueueError::SoldOut);
        }
        let Scope::Region(region) = Scope::from_tag(tag) else {
            return None;
        };
        self.inventory
            .is_region_sold_out(region)
            .then(|| EnqueueError::SoldOutInScope {
                scope: Scope::Region(region),
                free_elsewhere: self.free_at_door.elsewhere(&self.inventory, region),
            })
    }

    /// If the scope of `tag` is sold out (but not everything): the scope and the free seats
    /// elsewhere, for `status`.
    pub(super) fn scope_sold_out(&self, tag: u16) -> Option<(Scope, u64)> {
        let Scope::Region(region) = Scope::from_tag(tag) else {
            return None;
        };
        self.inventory.is_region_sold_out(region).then(|| {
            (
                Scope::Region(region),
                self.free_at_door.elsewhere(&self.inventory, region),
            )
        })
    }

    /// Every choice within the scope of `tag`, or the first that is not.
    pub(super) fn check_scope(&self, tag: u16, choices: &[SlotId]) -> Result<(), ReserveError> {
        let scope = Scope::from_tag(tag);
        let Scope::Region(region) = scope else {
            return Ok(());
        };
        for &slot in choices {
            let site = self.inventory.site_of(slot);
            if self.inventory.region_of(site) != Some(region) {
                return Err(ReserveError::OutOfScope { slot, scope });
            }
        }
        Ok(())
    }

    /// `true` if no slot within the scope of `tag` has a free seat (a snapshot, never `true`
    /// while one does).
    pub(super) fn is_scope_sold_out(&self, tag: u16) -> bool {
        match Scope::from_tag(tag) {
            Scope::Region(region) => self.inventory.is_region_sold_out(region),
            _ => self.inventory.is_sold_out(),
        }
    }
}
