//! Changing supply at run time, on the control path: sites declared into regions
//! ([`Engine::add_site`]), a slot's capacity grown or shrunk ([`Engine::set_capacity`]) and a
//! slot closed ([`Engine::close_slot`]).
//!
//! A clinic's supply arrives late, a clinic closes: bookings already made are never cancelled
//! by either. A shrink below what is booked is refused whole (a typed error, nothing
//! changed); closing keeps every booking and takes no new one. Each call is serialised with
//! `add_slot` on the inventory's add lock; the booking path never waits for it, and sees each
//! change as one compare-and-swap of the slot's seats word: a booking is made either before
//! the change (and counted in it) or after (and checked against it).

use super::Engine;
use crate::error::{AddSiteError, CloseSlotError, SetCapacityError};
use crate::ids::{RegionId, SiteId, SlotId};
use crate::record::Record;
use crate::status::CapacityChanged;

impl Engine {
    /// Adds a site to a region (control path), before any slot of it: people bound to the
    /// region ([`Scope::Region`](crate::Scope::Region)) book only at its sites, and "sold out"
    /// is said for it as soon as none of its slots has a free seat. A site's region never
    /// changes; a site named by a slot before it was added is in region 0.
    ///
    /// State change: the site, in `region`, with no slot yet (recorded as
    /// [`Record::SiteAdded`](crate::Record::SiteAdded)).
    ///
    /// # Errors
    /// [`AddSiteError::SiteOutOfRange`], [`AddSiteError::RegionOutOfRange`],
    /// [`AddSiteError::AlreadyAdded`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{Config, Day, Engine, RegionId, SiteId, SlotSpec, Window};
    /// let engine = Engine::new(Config { regions_max: 2, ..Config::default() })?;
    /// let (seoul, busan) = (RegionId::new(0), RegionId::new(1));
    /// engine.add_site(SiteId::new(1), seoul).unwrap();
    /// engine.add_site(SiteId::new(2), busan).unwrap();
    /// let spec = SlotSpec { site: SiteId::new(2), day: Day::new(0), window: Window::new(0), capacity: 3 };
    /// engine.add_slot(spec).unwrap();
    /// assert_eq!(engine.region_of(SiteId::new(2)), Some(busan));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn add_site(&self, site: SiteId, region: RegionId) -> Result<(), AddSiteError> {
        self.inventory.add_site(site, region, || {
            self.recorder.record(|| Record::SiteAdded { site, region });
        })
    }

    /// The region a site was added to, or `None` if it has not been added (nor named by a
    /// slot) or is out of range.
    ///
    /// # Example
    /// ```
    /// use fairbook::{Config, Engine, RegionId, SiteId, SlotSpec};
    /// let engine = Engine::new(Config::default())?;
    /// assert_eq!(engine.region_of(SiteId::new(0)), None);
    /// engine.add_slot(SlotSpec::with_capacity(1)).unwrap(); // site 0 joins region 0
    /// assert_eq!(engine.region_of(SiteId::new(0)), Some(RegionId::new(0)));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn region_of(&self, site: SiteId) -> Option<RegionId> {
        self.inventory.region_of(site)
    }

    /// Sets a slot's capacity at run time (control path): more seats when supply arrives,
    /// fewer when it is cut. Seats added are bookable as soon as this returns; bookings are
    /// never cancelled, so a capacity below what the slot holds is refused.
    ///
    /// State change: the slot's capacity, from `capacity_before` to `capacity` (recorded as
    /// [`Record::CapacitySet`](crate::Record::CapacitySet)).
    ///
    /// # Errors
    /// [`SetCapacityError::UnknownSlot`], [`SetCapacityError::CapacityTooLarge`],
    /// [`SetCapacityError::Closed`], [`SetCapacityError::BelowBooked`] (nothing changed),
    /// [`SetCapacityError::SiteFull`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{Config, Engine, SlotSpec};
    /// let engine = Engine::new(Config::default())?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(0)).unwrap();
    /// assert!(engine.is_sold_out());
    /// let change = engine.set_capacity(slot, 40).unwrap(); // the delivery arrived
    /// assert_eq!((change.capacity_before, change.capacity), (0, 40));
    /// assert!(!engine.is_sold_out());
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn set_capacity(
        &self,
        slot: SlotId,
        capacity: u32,
    ) -> Result<CapacityChanged, SetCapacityError> {
        let record = || {
            self.recorder
                .record(|| Record::CapacitySet { slot, capacity })
        };
        self.inventory
            .set_capacity(slot, capacity, record)
            .map(|change| CapacityChanged {
                slot,
                capacity_before: change.capacity_before,
                capacity: change.capacity,
                booked: change.booked,
            })
    }

    /// Closes a slot at run time (control path): it keeps every booking it holds, takes no
    /// new one, and each seat given back afterwards is gone rather than free. Closing cannot
    /// be undone.
    ///
    /// State change: the slot closed, its capacity down to what it holds (recorded as
    /// [`Record::SlotClosed`](crate::Record::SlotClosed)).
    ///
    /// # Errors
    /// [`CloseSlotError::UnknownSlot`], [`CloseSlotError::AlreadyClosed`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config::default())?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(10)).unwrap();
    /// let (ana, now) = (PersonId::new(1), Timestamp::from_secs(1));
    /// engine.enqueue(ana, CohortId::new(0), now).unwrap();
    /// engine.advance(now, 1).unwrap();
    /// engine.reserve(ana, &[slot], now).unwrap();
    /// let closed = engine.close_slot(slot).unwrap(); // the clinic closes
    /// assert_eq!((closed.capacity, closed.booked), (1, 1)); // Ana keeps her booking
    /// engine.release(ana, now).unwrap();
    /// assert_eq!(engine.slot(slot).unwrap().spec.capacity, 0); // and her seat is gone
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn close_slot(&self, slot: SlotId) -> Result<CapacityChanged, CloseSlotError> {
        let record = || self.recorder.record(|| Record::SlotClosed { slot });
        self.inventory
            .close(slot, record)
            .map(|change| CapacityChanged {
                slot,
                capacity_before: change.capacity_before,
                capacity: change.capacity,
                booked: change.booked,
            })
    }
}
