//! Recovery for sites and regions, supply, scopes, standby and the pre-queue draw: replay of
//! their records (tags from 32 up, see [`Record`]) and their section of a snapshot.
//!
//! Kept apart from `recovery.rs`, which replays the core records and writes the core of a
//! snapshot, so that each grows on its own.
//!
//! # Why replay is exact
//!
//! As for the core records (see `recovery.rs`), each record is made while what it describes
//! is held: a site, a capacity or a closure under the inventory's control lock; a standby, an
//! offer, a booked or lapsed offer while the person's busy bit (and the standby line) are
//! held; a draw under the door's lock. Seats follow the core's rule: a record that adds
//! seats (a capacity that grows) is made before they can be taken, one that takes a seat (an
//! offer) after, one that gives a seat back (an offer that lapses, a release) before it is
//! free. A closure is recorded after it, so a booking that took its seat just before the close
//! may be recorded just after it: replay then brings that seat into the closed slot (see
//! `Inventory::replay_take`), as the close itself had counted it. An entry into a draw is
//! recorded after it is made; one recorded after its draw was made had been collected by it
//! (see `waiting_room/pre_queue.rs`), and its place is among the draw's joins, so replay
//! passes it.
//!
//! # Snapshot section
//!
//! Appended to the core's snapshot (whose magic is `FBSNAP03`, the flows being in the core), little-endian: the added
//! sites, region by region in the order each region's sites were added: count (u32), then per
//! site its id (u32) and region (u16); the closed slots: count (u32), then each id (u32); the
//! places' scope tags: count (u64, 0 when places keep none, else the place count), then each
//! (u16); per configured cohort whether its draw was made (u8, 0 or 1): count (u16), then each;
//! the entries of draws still open, by person: count (u32), then per entry the person (u64)
//! and cohort (u16); and last the section's length (u64, not counting itself). The standby
//! line and its offers are rebuilt from the places' states.

use super::Engine;
use crate::error::SnapshotError;
use crate::ids::{CohortId, PersonId, RegionId, Seq, SiteId, SlotId};
use crate::record::Record;
use crate::time::Timestamp;
use crate::waiting_room::Locked;

/// What the snapshot section holds, read and checked for form before anything is restored.
pub(super) struct InventoryImage {
    sites: Vec<(SiteId, RegionId)>,
    closed: Vec<SlotId>,
    tags: Vec<u16>,
    drawn: Vec<bool>,
    entries: Vec<(PersonId, CohortId)>,
}

impl Engine {
    /// Replays a record with a tag from 32 up (the caller matched the core's).
    pub(super) fn apply_inventory_record(&self, record: &Record) -> Result<(), &'static str> {
        let any_time = Timestamp::ZERO;
        match *record {
            Record::SiteAdded { site, region } => self
                .inventory
                .add_site(site, region, || ())
                .map_err(|_| "the site is out of range or added already"),
            Record::CapacitySet { slot, capacity } => self
                .inventory
                .set_capacity(slot, capacity, || ())
                .map(drop)
                .map_err(|_| "the capacity does not fit the slot"),
            Record::SlotClosed { slot } => self
                .inventory
                .close(slot, || ())
                .map(drop)
                .map_err(|_| "the slot closed is unknown or closed"),
            Record::JoinedIn { person, seq, scope } => {
                self.room.replay_join_tagged(person, seq, scope.tag())
            }
            Record::StoodBy { seq } => {
                let mut line = self.room.standby().lock();
                let Ok(Locked::Admitted(guard)) = self.room.lock_place(seq, any_time) else {
                    return Err("the place going on standby holds no lease");
                };
                if guard.bookings_count() > 0 || guard.is_offered() {
                    return Err("the place going on standby holds a seat");
                }
                guard
                    .go_standby(&mut line, |_| false, |_| ())
                    .map(drop)
                    .map_err(|_| "the standby line is full")
            }
            Record::Offered { seq, slot, until } => {
                let mut line = self.room.standby().lock();
                if seq.as_u64() >= self.room.places_handed_out() || !self.inventory.contains(slot) {
                    return Err("the place or the slot offered does not exist");
                }
                let Some(guard) = self.room.lock_standby(seq) else {
                    return Err("the place offered a seat is not on standby");
                };
                if self.ledger.get(seq, 0).is_some() {
                    return Err("the place offered a seat holds one");
                }
                if !self.inventory.replay_take(slot) {
                    return Err("the slot offered is full");
                }
                self.ledger.set(seq, 0, Some(slot));
                guard.offer(&mut line, until);
                Ok(())
            }
            Record::OfferBooked { seq } => {
                let Ok(Locked::Admitted(guard)) = self.room.lock_place(seq, any_time) else {
                    return Err("the place booking its offer holds no lease");
                };
                if !guard.is_offered() {
                    return Err("the place booking its offer holds none");
                }
                let count = guard.bookings_count();
                guard.commit_bookings(count + 1);
                self.room
                    .standby()
                    .lock()
                    .forget_offers(|offered, _| offered == seq);
                Ok(())
            }
            Record::OfferLapsed { seq } => {
                let mut line = self.room.standby().lock();
                if seq.as_u64() >= self.room.places_handed_out() {
                    return Err("the place whose offer lapsed does not exist");
                }
                let Some(guard) = self.room.lock_offered(seq) else {
                    return Err("the place whose offer lapsed holds none");
                };
                let cell = guard.bookings_count();
                if let Some(slot) = self.ledger.get(seq, cell) {
                    self.inventory.give_back(slot);
                    self.ledger.set(seq, cell, None);
                }
                guard.lapse_offer();
                line.forget_offers(|offered, _| offered == seq);
                Ok(())
            }
            Record::DrawEntered { person, cohort } => {
                self.draw_cohort(cohort)?;
                if !person.is_valid() {
                    return Err("the person id is reserved");
                }
                let pre_queue = self.room.pre_queue();
                if pre_queue.is_closed(cohort) {
                    // Collected by the draw, whose joins placed the person.
                    return Ok(());
                }
                match pre_queue.enter(person, cohort) {
                    Ok(true) => Ok(()),
                    _ => Err("the entry does not fit the draws"),
                }
            }
            Record::Drawn { cohort, .. } => {
                self.draw_cohort(cohort)?;
                let pre_queue = self.room.pre_queue();
                if pre_queue.is_closed(cohort) {
                    return Err("the cohort was drawn already");
                }
                pre_queue.replay_draw(cohort);
                Ok(())
            }
            _ => Err("not a record of sites, supply, scopes, standby or draws"),
        }
    }

    /// `Ok` if `cohort` is configured with a draw.
    fn draw_cohort(&self, cohort: CohortId) -> Result<(), &'static str> {
        match self.config.cohorts.get(cohort.as_index()) {
            Some(window) if window.draw => Ok(()),
            _ => Err("the cohort has no draw"),
        }
    }

    /// [`Record::Released`]: everything the person at `seq` holds given back, their bookings,
    /// a seat held for them, or their standby.
    pub(super) fn replay_released(&self, seq: Seq) -> Result<(), &'static str> {
        let mut line = self.room.standby().lock();
        match self.room.lock_place(seq, Timestamp::ZERO) {
            Ok(Locked::Admitted(guard)) => {
                let count = guard.bookings_count();
                self.give_back_everything(seq, count);
                if guard.is_offered() {
                    // The seat held for an offer, in the cell after the bookings.
                    if let Some(slot) = self.ledger.get(seq, count) {
                        self.inventory.give_back(slot);
                        self.ledger.set(seq, count, None);
                    }
                }
                guard.give_up_everything();
                line.forget_offers(|offered, _| offered == seq);
                Ok(())
            }
            Ok(Locked::Standby(guard)) => {
                guard.leave(&mut line);
                Ok(())
            }
            _ => Err("the place releasing holds nothing"),
        }
    }

    /// Appends the section (see the module docs). The caller holds the door's lock.
    pub(super) fn write_inventory_section(&self, out: &mut Vec<u8>) {
        let start = out.len();
        let sites: Vec<_> = self.inventory.sites_in_order().collect();
        out.extend_from_slice(&(sites.len() as u32).to_le_bytes());
        for (site, region) in sites {
            out.extend_from_slice(&site.as_u32().to_le_bytes());
            out.extend_from_slice(&region.as_u16().to_le_bytes());
        }
        let closed: Vec<_> = (0..self.inventory.len())
            .map(SlotId::new)
            .filter(|&slot| self.inventory.is_closed(slot))
            .collect();
        out.extend_from_slice(&(closed.len() as u32).to_le_bytes());
        for slot in closed {
            out.extend_from_slice(&slot.as_u32().to_le_bytes());
        }
        let tags: Vec<u16> = self.room.export_tags().collect();
        out.extend_from_slice(&(tags.len() as u64).to_le_bytes());
        for tag in tags {
            out.extend_from_slice(&tag.to_le_bytes());
        }
        let pre_queue = self.room.pre_queue();
        let cohorts = self.config.cohorts.len();
        out.extend_from_slice(&(cohorts as u16).to_le_bytes());
        for (raw, window) in self.config.cohorts.iter().enumerate() {
            let cohort = CohortId::new(raw as u16);
            out.push(u8::from(window.draw && pre_queue.is_closed(cohort)));
        }
        let entries = pre_queue.export_open();
        out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
        for (person, cohort) in entries {
            out.extend_from_slice(&person.as_u64().to_le_bytes());
            out.extend_from_slice(&cohort.as_u16().to_le_bytes());
        }
        let len = (out.len() - start) as u64;
        out.extend_from_slice(&len.to_le_bytes());
    }

    /// Splits the section off the end of a snapshot and reads it: the core's bytes, and the
    /// image to restore around them.
    pub(super) fn read_inventory_section(
        bytes: &[u8],
    ) -> Result<(&[u8], InventoryImage), SnapshotError> {
        let split = bytes.len().checked_sub(8).ok_or(SnapshotError::Truncated)?;
        let (rest, trailer) = bytes.split_at(split);
        let len = u64::from_le_bytes(trailer.try_into().unwrap_or_default());
        let start = usize::try_from(len)
            .ok()
            .and_then(|len| rest.len().checked_sub(len))
            .ok_or(SnapshotError::Truncated)?;
        let (core, section) = rest.split_at(start);
        let mut reader = super::recovery::Reader { bytes: section };
        let count = reader.u32()?;
        let mut sites = Vec::with_capacity((count as usize).min(section.len() / 6));
        for _ in 0..count {
            sites.push((SiteId::new(reader.u32()?), RegionId::new(reader.u16()?)));
        }
        let count = reader.u32()?;
        let mut closed = Vec::with_capacity((count as usize).min(section.len() / 4));
        for _ in 0..count {
            closed.push(SlotId::new(reader.u32()?));
        }
        let count = reader.u64()?;
        if count.saturating_mul(2) > reader.len() {
            return Err(SnapshotError::Truncated);
        }
        let mut tags = Vec::with_capacity(count as usize);
        for _ in 0..count {
            tags.push(reader.u16()?);
        }
        let count = reader.u16()?;
        let mut drawn = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            drawn.push(match reader.u8()? {
                0 => false,
                1 => true,
                _ => {
                    return Err(SnapshotError::Inconsistent {
                        reason: "a draw's state is out of range",
                    });
                }
            });
        }
        let count = reader.u32()?;
        let mut entries = Vec::with_capacity((count as usize).min(section.len() / 10));
        for _ in 0..count {
            entries.push((PersonId::new(reader.u64()?), CohortId::new(reader.u16()?)));
        }
        if reader.len() != 0 {
            return Err(SnapshotError::Inconsistent {
                reason: "bytes are left in the inventory section",
            });
        }
        Ok((
            core,
            InventoryImage {
                sites,
                closed,
                tags,
                drawn,
                entries,
            },
        ))
    }

    /// What must be in place before the core restores slots and places: the sites (so that
    /// slots find them in their regions, in order) and the places' tags (so that the active
    /// people are counted per scope).
    pub(super) fn restore_inventory_before(
        &self,
        image: &InventoryImage,
    ) -> Result<(), SnapshotError> {
        let inconsistent = |reason| SnapshotError::Inconsistent { reason };
        for &(site, region) in &image.sites {
            self.inventory
                .add_site(site, region, || ())
                .map_err(|_| inconsistent("a site is out of range or listed twice"))?;
        }
        if image.drawn.len() != self.config.cohorts.len() {
            return Err(SnapshotError::Mismatch { what: "cohorts" });
        }
        self.room.import_tags(&image.tags).map_err(inconsistent)
    }

    /// What follows the core's slots, places and bookings: closures, the standby line, the
    /// draws.
    pub(super) fn restore_inventory_after(
        &self,
        image: &InventoryImage,
    ) -> Result<(), SnapshotError> {
        let inconsistent = |reason| SnapshotError::Inconsistent { reason };
        let places = self.room.places_handed_out();
        if self.room.keeps_tags() && image.tags.len() as u64 != places {
            return Err(inconsistent("the scope tags do not match the places"));
        }
        for &slot in &image.closed {
            self.inventory
                .close(slot, || ())
                .map_err(|_| inconsistent("a closed slot is unknown or listed twice"))?;
        }
        self.room.rebuild_standby().map_err(inconsistent)?;
        let pre_queue = self.room.pre_queue();
        for (raw, &drawn) in image.drawn.iter().enumerate() {
            let cohort = CohortId::new(raw as u16);
            if drawn {
                self.draw_cohort(cohort).map_err(inconsistent)?;
                pre_queue.replay_draw(cohort);
            }
        }
        for &(person, cohort) in &image.entries {
            self.draw_cohort(cohort).map_err(inconsistent)?;
            if !person.is_valid()
                || pre_queue.is_closed(cohort)
                || pre_queue.enter(person, cohort) != Ok(true)
            {
                return Err(inconsistent("an entry does not fit the draws"));
            }
        }
        Ok(())
    }
}
