//! Standby on the façade: a person admitted who found no room keeps their turn
//! ([`Engine::standby`]); the door offers the seats that free up to the people on standby, in
//! place order, and lets offers lapse ([`Engine::offer_freed_seats`], called at every
//! `advance`); and a booking never takes a seat that someone on standby ahead of the booker may
//! have ([`Engine::standby_ahead`], the gate).
//!
//! See `waiting_room/standby.rs` for the line and the protocol that keeps a booking and a
//! standby from missing each other.

use super::Engine;
use crate::error::StandbyError;
use crate::ids::{PersonId, Seq, SlotId};
use crate::inventory::{Area, SlotFilter};
use crate::record::Record;
use crate::scope::Scope;
use crate::status::Standing;
use crate::time::Timestamp;
use crate::waiting_room::{Locked, Refusal, StandbyLock, StandbyRefusal};

/// Whether two scope tags may book the same seats: one of them is everywhere, or they are
/// the same region.
pub(super) fn overlap(one: u16, other: u16) -> bool {
    one == 0 || other == 0 || one == other
}

impl Engine {
    /// An admitted person who found no room within their scope keeps their turn: they go on
    /// standby, and the next seat that frees up within their scope (a booking given back,
    /// supply that arrives late) is offered to them, held until `now + lease_ms` at the
    /// door's turn, before anyone behind them can take it. Nothing lapses a person on
    /// standby: they stop counting as active (an active cap no longer waits for them), and
    /// `release` takes them off it ("I'm done").
    ///
    /// Call it when `reserve` says [`ReserveError::NoRoom`](crate::ReserveError::NoRoom) with
    /// `sold_out: true`. Idempotent: a person on standby already gets their standing again.
    ///
    /// State change: the person from admitted to standby (their lease no longer runs);
    /// recorded as [`Record::StoodBy`](crate::Record::StoodBy).
    ///
    /// # Errors
    /// Nothing changed: [`StandbyError::TimeWentBackwards`],
    /// [`StandbyError::TimeTooFarAhead`], [`StandbyError::UnknownPerson`],
    /// [`StandbyError::NotAdmitted`], [`StandbyError::LeaseLapsed`],
    /// [`StandbyError::PlaceReleased`], [`StandbyError::HoldsBooking`],
    /// [`StandbyError::OfferPending`], [`StandbyError::SeatsFree`] (book one),
    /// [`StandbyError::LineFull`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, PersonId, ReserveError, SlotSpec, Status, Timestamp};
    /// let engine = Engine::new(Config::default())?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// let now = Timestamp::from_secs(1);
    /// let (ana, ben) = (PersonId::new(1), PersonId::new(2));
    /// for person in [ana, ben] {
    ///     engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// }
    /// engine.advance(now, 2).unwrap();
    /// engine.reserve(ana, &[slot], now).unwrap();
    /// assert_eq!(engine.reserve(ben, &[slot], now), Err(ReserveError::NoRoom { sold_out: true }));
    /// engine.standby(ben, now).unwrap(); // Ben keeps his turn
    ///
    /// engine.release(ana, now).unwrap(); // Ana gives her seat back
    /// let door = engine.advance(now.plus_millis(100), 0).unwrap();
    /// assert_eq!(door.offered, 1);
    /// assert!(matches!(engine.status(ben, now.plus_millis(100)), Ok(Status::Offered { .. })));
    /// assert_eq!(engine.reserve(ben, &[slot], now.plus_millis(100)).unwrap().slot, slot);
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn standby(&self, person: PersonId, now: Timestamp) -> Result<Standing, StandbyError> {
        let now = self.clock.check_call(now)?;
        // The line first, then the person's busy bit (the lock order).
        let mut line = self.room.standby().lock();
        let guard = match self.room.lock(person, None, now) {
            Ok(Locked::Admitted(guard)) => guard,
            Ok(Locked::Standby(guard)) => {
                let (seq, tag) = (guard.seq(), guard.tag());
                return Ok(Standing {
                    seq,
                    ahead: line.ahead_of(seq, |other| overlap(tag, other)),
                });
            }
            Ok(Locked::Waiting(guard)) => {
                return Err(StandbyError::NotAdmitted {
                    seq: guard.seq(),
                    ahead: guard.ahead(),
                });
            }
            // A dependant holds no place of their own (groups and standby are not configured
            // together, see `Config`): as unknown to the standby line.
            Err(Refusal::Unknown | Refusal::Dependant { .. }) => {
                return Err(StandbyError::UnknownPerson);
            }
            Err(Refusal::Released { .. }) => return Err(StandbyError::PlaceReleased),
            Err(Refusal::Lapsed { at, .. }) => return Err(StandbyError::LeaseLapsed { at }),
        };
        let (seq, count) = (guard.seq(), guard.bookings_count());
        if count > 0 {
            return Err(StandbyError::HoldsBooking);
        }
        if guard.is_offered() {
            let slot = self.ledger.get(seq, count).expect("an offer holds a seat");
            return Err(StandbyError::OfferPending {
                slot,
                until: guard.lease_until(),
            });
        }
        let tag = guard.tag();
        guard
            .go_standby(
                &mut line,
                |tag| !self.is_scope_sold_out(tag),
                |seq| self.recorder.record(|| Record::StoodBy { seq }),
            )
            .map_err(|refusal| match refusal {
                StandbyRefusal::LineFull => StandbyError::LineFull {
                    standby_max: self.config.standby_max,
                },
                StandbyRefusal::SeatsFree => StandbyError::SeatsFree,
            })?;
        Ok(Standing {
            seq,
            ahead: line.ahead_of(seq, |other| overlap(tag, other)),
        })
    }

    /// The gate: `true` if someone on standby before `seq` may book `slot` (the seat is theirs
    /// first). Called by a booking **after** it took its seat (see `waiting_room/standby.rs`).
    #[inline]
    pub(super) fn standby_ahead(&self, seq: Seq, slot: SlotId) -> bool {
        let line = self.room.standby();
        if !line.anyone_standing() {
            return false;
        }
        let below = |tag: u16| line.floor(tag).is_some_and(|floor| floor < seq);
        if below(0) {
            return true;
        }
        let site = self.inventory.site_of(slot);
        match self.inventory.region_of(site) {
            Some(region) if super::scope::tagged(&self.config) => {
                below(Scope::Region(region).tag())
            }
            _ => false,
        }
    }

    /// The door's turn for standby (the caller holds the advance lock and `line`): offers
    /// whose deadline passed at `now` lapse and give their seats back, then every person on
    /// standby, in place order, whose scope has a free seat is offered the first one the
    /// search finds there, held until `until`. Returns `(offered, lapsed)`.
    ///
    /// State change (recorded as `Record::Offered` and `Record::OfferLapsed`): each offer made
    /// (a seat taken and held for the person, who leaves
    /// standby) and each offer lapsed (the seat given back, the person lapsed).
    pub(super) fn offer_freed_seats(
        &self,
        line: &mut StandbyLock<'_>,
        now: Timestamp,
        until: Timestamp,
    ) -> (u64, u64) {
        let mut lapsed = 0;
        line.forget_offers(|seq, _| {
            let Some(guard) = self.room.lock_offered(seq) else {
                // Booked or given back since: nothing is held any more.
                return true;
            };
            if now < guard.lease_until() {
                return false;
            }
            // Before the seat goes back (see `book_first_with_room`).
            self.recorder.record(|| Record::OfferLapsed { seq });
            let cell = guard.bookings_count();
            if let Some(slot) = self.ledger.get(seq, cell) {
                self.inventory.give_back(slot);
                self.ledger.set(seq, cell, None);
            }
            guard.lapse_offer();
            lapsed += 1;
            true
        });
        let mut offered = 0;
        let mut index = 0;
        while let Some(&(seq, tag)) = line.standing().get(index) {
            let Some(slot) = self.take_seat_within(tag) else {
                index += 1;
                continue;
            };
            let guard = self
                .room
                .lock_standby(seq)
                .expect("a person on the line is on standby: only this lock's holder moves them");
            // After the seat is taken, before anyone can see the offer.
            self.recorder
                .record(|| Record::Offered { seq, slot, until });
            self.ledger.set(seq, 0, Some(slot));
            // Leaves the line: the next person on it moves up to `index`.
            guard.offer(line, until);
            offered += 1;
        }
        (offered, lapsed)
    }

    /// Takes a seat within the scope of `tag`, the first with room in search order.
    fn take_seat_within(&self, tag: u16) -> Option<SlotId> {
        if self.is_scope_sold_out(tag) {
            return None;
        }
        let area = match Scope::from_tag(tag) {
            Scope::Region(region) => Area::Region(region),
            _ => Area::Everywhere,
        };
        self.inventory
            .search(SlotFilter::in_area(area))
            .ok()?
            .find_map(|view| self.inventory.try_take(view.id).then_some(view.id))
    }
}
