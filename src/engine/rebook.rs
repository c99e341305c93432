//! Atomic rebooking: [`Engine::rebook`] moves a booking to the first slot of a ranked list
//! with room, in one step that no other thread can observe half done.
//!
//! Done as `release_booking` then `reserve`, a change of mind could end with nothing: between
//! the two calls someone else can take the freed seat, and the new slot can fill. Here the
//! person's busy bit is held throughout: the new seat is taken first (by the inventory's
//! compare-and-swap), the person's ledger cell is rewritten from the old slot to the new one,
//! and only then is the old seat given back. If no listed slot has room, nothing changes and
//! the old booking stays. For the few atomic steps in between the person holds both seats, so
//! a concurrent booking of the old slot's last seat may be told "no room" in that instant;
//! the old seat is bookable once the call returns.
//!
//! One record, [`Record::Rebooked`], made after the new seat is taken and before the old one
//! is given back: a replay takes the new seat, then gives the old one back, and never finds
//! either slot over its capacity.

use super::Engine;
use crate::error::{RebookError, ReserveError};
use crate::ids::{PersonId, Seq, SlotId};
use crate::record::Record;
use crate::status::Booking;
use crate::time::Timestamp;
use crate::waiting_room::Locked;

impl Engine {
    /// Moves the person's booking of `from` to the first slot of `choices` with room: the
    /// new seat is taken before the old one is given back, so the person never ends with
    /// nothing, and if no listed slot has room the old booking stays.
    ///
    /// Needs a live lease, as any new seat does. Slots the person holds already (`from`
    /// included) are skipped. A group booking ([`Engine::book_group`]) moves whole: the new
    /// slot needs a seat for every member, taken at once. A leg of a dose series does not
    /// move alone
    /// ([`RebookError::SeriesLeg`]). A retry after success finds `from` no longer booked
    /// ([`RebookError::NotBooked`]): carry an [`OpId`](crate::OpId) through
    /// [`Engine::once`] to get the first answer back instead.
    ///
    /// # Errors
    /// - Bad input as for [`Engine::reserve`] (`from` is checked before the list).
    /// - No path around the queue: [`RebookError::NotAdmitted`],
    ///   [`RebookError::LeaseLapsed`], [`RebookError::PlaceReleased`],
    ///   [`RebookError::Dependant`].
    /// - [`RebookError::NotBooked`], [`RebookError::SeriesLeg`], [`RebookError::OutOfScope`]
    ///   (a person bound to a region moves only within it), [`RebookError::NoRoom`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, PersonId, RebookError, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config::default())?;
    /// let (monday, full, friday) = (
    ///     engine.add_slot(SlotSpec::with_capacity(1)).unwrap(),
    ///     engine.add_slot(SlotSpec::with_capacity(0)).unwrap(),
    ///     engine.add_slot(SlotSpec::with_capacity(1)).unwrap(),
    /// );
    /// let (person, now) = (PersonId::new(1), Timestamp::from_secs(1));
    /// engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// engine.advance(now, 1).unwrap();
    /// engine.reserve(person, &[monday], now).unwrap();
    /// // Nothing free where they want to go: they keep Monday.
    /// assert_eq!(engine.rebook(person, monday, &[full], now), Err(RebookError::NoRoom { sold_out: false }));
    /// let moved = engine.rebook(person, monday, &[full, friday], now).unwrap();
    /// assert_eq!((moved.slot, moved.rank), (friday, 1));
    /// assert_eq!(engine.slot(monday).unwrap().booked, 0);
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn rebook(
        &self,
        person: PersonId,
        from: SlotId,
        choices: &[SlotId],
        now: Timestamp,
    ) -> Result<Booking, RebookError> {
        let now = self.clock.check_call(now)?;
        if !self.inventory.contains(from) {
            return Err(RebookError::UnknownSlot { slot: from });
        }
        self.check_choices(choices)?;
        let guard = self.lock_to_book(person, None, now)?;
        let (seq, count) = (guard.seq(), guard.bookings_count());
        let index = self
            .ledger
            .booking_position(seq, count, from)
            .ok_or(RebookError::NotBooked { slot: from })?;
        if self.series.is_leg(seq, from) {
            return Err(RebookError::SeriesLeg { slot: from });
        }
        // The new slot is within the person's scope, as for `reserve`.
        if let Err(ReserveError::OutOfScope { slot, scope }) =
            self.check_scope(self.room.tag_of(seq), choices)
        {
            return Err(RebookError::OutOfScope { slot, scope });
        }
        // A group booked there moves with the holder's booking: all of its seats at once.
        let seats = 1 + self.group_seats_in(seq, from);
        for (rank, &slot) in choices.iter().enumerate() {
            if self.ledger.position(seq, count, slot).is_some()
                || !self.inventory.try_take_many(slot, seats)
            {
                continue;
            }
            if self.standby_ahead(seq, slot) {
                // Someone on standby before this person may book here: the seat is theirs
                // first, as for `reserve` (the door offers it at its next turn).
                for _ in 0..seats {
                    self.inventory.give_back(slot);
                }
                continue;
            }
            // After the new seats are taken, before the old ones are given back.
            self.recorder.record(|| Record::Rebooked {
                seq,
                from,
                to: slot,
            });
            self.move_seats(seq, index, from, slot, seats);
            guard.commit_bookings(count);
            return Ok(Booking {
                seq,
                slot,
                rank: rank as u8,
            });
        }
        Err(RebookError::NoRoom {
            sold_out: self.inventory.is_sold_out(),
        })
    }

    /// Replays [`Record::Rebooked`].
    pub(super) fn replay_rebooked(
        &self,
        seq: Seq,
        from: SlotId,
        to: SlotId,
    ) -> Result<(), &'static str> {
        let Ok(Locked::Admitted(guard)) = self.room.lock_place(seq, Timestamp::ZERO) else {
            return Err("the place rebooking holds no lease");
        };
        let count = guard.bookings_count();
        let index = self
            .ledger
            .booking_position(seq, count, from)
            .ok_or("the person holds no booking of the slot left")?;
        if !self.inventory.contains(to) || self.ledger.position(seq, count, to).is_some() {
            return Err("the slot booked does not exist or is held already");
        }
        if self.series.is_leg(seq, from) {
            return Err("the booking left is a leg of a series");
        }
        let seats = 1 + self.group_seats_in(seq, from);
        if !self.inventory.try_take_many(to, seats) {
            return Err("the slot booked is full");
        }
        self.move_seats(seq, index, from, to, seats);
        guard.commit_bookings(count);
        Ok(())
    }

    /// Moves a booking in cell `index` (and its group's seats) from `from` to `to`, whose
    /// `seats` seats are taken, and gives back the old ones.
    fn move_seats(&self, seq: Seq, index: u8, from: SlotId, to: SlotId, seats: u32) {
        self.ledger.set(seq, index, Some(to));
        self.move_group_seats(seq, from, to);
        for _ in 0..seats {
            self.inventory.give_back(from);
        }
    }
}
