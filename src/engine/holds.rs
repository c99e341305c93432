//! Two-phase holds: [`Engine::hold`] takes a seat provisionally, [`Engine::confirm`] turns it
//! into a booking, [`Engine::cancel`] gives it back, and so does its deadline.
//!
//! # Representation
//!
//! A hold is a booking cell of the person's ledger row with the ledger's `HOLD` flag: it
//! counts against the slot's capacity (its seat is taken with the same compare-and-swap as a
//! booking's) and against the person's `bookings_per_person_max`, and the person's state word
//! counts it as a cell in use. What only holds need lives here, allocated only when
//! [`Config::holds_max`](crate::Config::holds_max) is above 0, so an engine without holds
//! pays nothing (the waiting room and the ledger stay at 46.4 bytes per person at the
//! reference surge):
//!
//! - `deadlines`: one `u64` per ledger cell, the hold's deadline in ms, meaningful while the
//!   cell is a hold (8 bytes per cell: 12 MB at the reference surge's 1.5 M places);
//! - `marks`: one bit per place, set while the place holds at least one hold, so that the door
//!   finds the holds due without reading every ledger row (187 KB at the reference surge: a
//!   sweep reads 23,438 words, about 20 µs when no bit is set);
//! - `live`: how many holds exist in the whole engine, bounded by `holds_max` by a
//!   compare-and-swap before a seat is taken.
//!
//! # Exactly one of confirm and expiry
//!
//! Every change to a hold is made under its person's busy bit: taking it, confirming it,
//! cancelling it, and expiring it, whether the door's sweep (under the advance lock, at the
//! door's time) or the person's own next call (at the call's effective time,
//! `max(now, door)`) finds its deadline passed. A hold is live at `t` while `t < until`. So a
//! confirm and an expiry never both win: whichever takes the busy bit first decides, the
//! other finds the hold gone. The door's time is never later than a call's effective time,
//! so a hold the door expired is one no later confirm could have confirmed.
//!
//! # Records
//!
//! [`Record::Held`] after its seat is taken; [`Record::HoldConfirmed`] (no seat moves);
//! [`Record::HoldCancelled`] and [`Record::HoldExpired`] before their seat is given back.

use crossbeam_utils::CachePadded;

use super::Engine;
use crate::config::Config;
use crate::error::{CancelError, ConfirmError, HoldError};
use crate::ids::{PersonId, Seq, SlotId};
use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::platform::sync::{AtomicU64, Ordering};
use crate::record::Record;
use crate::status::{BookedSlots, Booking, HeldSeat, HeldSeats, Hold, Released, Status};
use crate::time::Timestamp;
use crate::waiting_room::{AdmittedGuard, Locked, Refusal};

/// What only holds need: deadlines, the door's marks and the live count.
pub(crate) struct Holds {
    holds_max: u32,
    per_place: usize,
    deadlines: Box<[AtomicU64]>,
    marks: Box<[AtomicU64]>,
    live: CachePadded<AtomicU64>,
}

impl Holds {
    pub(crate) fn new(config: &Config) -> Result<Holds, AllocError> {
        let (cells, words) = Holds::lengths(config);
        Ok(Holds {
            holds_max: config.holds_max,
            per_place: usize::from(config.bookings_per_person_max),
            deadlines: try_boxed_slice(cells, Pages::Normal, || AtomicU64::new(0))?,
            marks: try_boxed_slice(words, Pages::Normal, || AtomicU64::new(0))?,
            live: CachePadded::new(AtomicU64::new(0)),
        })
    }

    /// Deadlines (one per ledger cell) and mark words (one bit per place), none without holds.
    fn lengths(config: &Config) -> (usize, usize) {
        if config.holds_max == 0 {
            return (0, 0);
        }
        let places = config.people_max as usize;
        (
            places.saturating_mul(usize::from(config.bookings_per_person_max)),
            places.div_ceil(64),
        )
    }

    /// What [`Holds::new`] allocates.
    pub(crate) fn bytes_for(config: &Config) -> usize {
        let (cells, words) = Holds::lengths(config);
        cells.saturating_add(words).saturating_mul(size_of::<u64>())
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        size_of_val(&*self.deadlines) + size_of_val(&*self.marks)
    }

    #[inline(always)]
    pub(crate) fn is_on(&self) -> bool {
        self.holds_max > 0
    }

    fn cell(&self, seq: Seq, index: u8) -> &AtomicU64 {
        &self.deadlines[seq.as_index() * self.per_place + usize::from(index)]
    }

    /// The deadline of the hold in cell `index` of `seq`.
    pub(crate) fn deadline(&self, seq: Seq, index: u8) -> Timestamp {
        Timestamp::from_millis(self.cell(seq, index).load(Ordering::Acquire))
    }

    /// Sets it (the caller holds the person's busy bit, or restores a snapshot).
    pub(crate) fn set_deadline(&self, seq: Seq, index: u8, until: Timestamp) {
        self.cell(seq, index)
            .store(until.as_millis(), Ordering::Release);
    }

    /// Marks the place as holding a hold (the caller holds its busy bit).
    pub(crate) fn mark(&self, seq: Seq) {
        self.marks[seq.as_index() / 64].fetch_or(1 << (seq.as_u64() % 64), Ordering::AcqRel);
    }

    /// Clears the mark (the caller holds the busy bit, and the place holds no hold now).
    pub(crate) fn unmark(&self, seq: Seq) {
        self.marks[seq.as_index() / 64].fetch_and(!(1 << (seq.as_u64() % 64)), Ordering::AcqRel);
    }

    pub(crate) fn is_marked(&self, seq: Seq) -> bool {
        self.marks[seq.as_index() / 64].load(Ordering::Acquire) & (1 << (seq.as_u64() % 64)) != 0
    }

    /// Counts one more hold, if fewer than `holds_max` exist.
    pub(crate) fn try_count(&self) -> bool {
        let mut live = self.live.load(Ordering::Acquire);
        loop {
            if live >= u64::from(self.holds_max) {
                return false;
            }
            match self
                .live
                .compare_exchange(live, live + 1, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return true,
                Err(now) => live = now,
            }
        }
    }

    /// Counts one hold fewer.
    pub(crate) fn uncount(&self) {
        let before = self.live.fetch_sub(1, Ordering::AcqRel);
        debug_assert!(before > 0, "a hold ended that was never counted");
    }

    /// Holds in the whole engine (a snapshot).
    pub(crate) fn live(&self) -> u64 {
        self.live.load(Ordering::Acquire)
    }

    /// The places marked as holding a hold, by word: `(first place of the word, bits)`.
    fn marked_words(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.marks.iter().enumerate().filter_map(|(word, bits)| {
            let bits = bits.load(Ordering::Acquire);
            (bits != 0).then_some((word as u64 * 64, bits))
        })
    }
}

impl Engine {
    /// Takes a seat on hold in the first slot of `choices` with room, for `ttl_ms`
    /// milliseconds from the call's effective time: the first phase of a two-phase booking.
    ///
    /// The held seat counts against the slot's capacity from now on, so nobody can take it
    /// while the person confirms their details; [`Engine::confirm`] then turns it into a
    /// booking, [`Engine::cancel`] gives it back, and if `until` passes first the seat goes
    /// back on its own (found by the door's next [`advance`](Engine::advance), or by the
    /// person's next call). A hold needs a live lease, as a booking does: there is no path
    /// around the queue. A hold counts against both
    /// [`Config::holds_per_person_max`](crate::Config::holds_per_person_max) and the person's
    /// [`Config::bookings_per_person_max`](crate::Config::bookings_per_person_max).
    ///
    /// A retry: if the person already holds a live hold of one of `choices`, the call returns
    /// that hold (its deadline unchanged) and changes nothing.
    ///
    /// # Errors
    /// - [`HoldError::HoldsOff`], [`HoldError::TtlOutOfRange`], and bad input as for
    ///   [`Engine::reserve`]: time, the choice list, the slots, the person.
    /// - No path around the queue: [`HoldError::NotAdmitted`], [`HoldError::LeaseLapsed`],
    ///   [`HoldError::PlaceReleased`], [`HoldError::Dependant`].
    /// - Limits: [`HoldError::HoldLimit`], [`HoldError::BookingLimit`],
    ///   [`HoldError::HoldsFull`], [`HoldError::NoRoom`].
    ///
    /// Expired holds the call finds are given back first, even when it then fails.
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, HoldError, PersonId, SlotSpec, Status, Timestamp};
    /// let engine = Engine::new(Config { holds_max: 1_000, standby_max: 0, ..Config::default() })?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// let (ana, ben, now) = (PersonId::new(1), PersonId::new(2), Timestamp::from_secs(1));
    /// for person in [ana, ben] {
    ///     engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// }
    /// engine.advance(now, 2).unwrap();
    /// let hold = engine.hold(ana, &[slot], 60_000, now).unwrap();
    /// // The held seat is taken: Ben finds no room while Ana types her details.
    /// assert_eq!(engine.hold(ben, &[slot], 60_000, now), Err(HoldError::NoRoom { sold_out: true }));
    /// assert!(matches!(engine.status(ana, now).unwrap(), Status::Holding { .. }));
    /// let booking = engine.confirm(ana, hold.slot, now.plus_millis(59_999)).unwrap();
    /// assert_eq!(booking.slot, slot);
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn hold(
        &self,
        person: PersonId,
        choices: &[SlotId],
        ttl_ms: u64,
        now: Timestamp,
    ) -> Result<Hold, HoldError> {
        let now = self.clock.check_call(now)?;
        if !self.holds.is_on() {
            return Err(HoldError::HoldsOff);
        }
        if ttl_ms == 0 || ttl_ms > self.config.hold_ttl_max_ms {
            return Err(HoldError::TtlOutOfRange {
                given: ttl_ms,
                max: self.config.hold_ttl_max_ms,
            });
        }
        self.check_choices(choices)?;
        let guard = self.lock_to_book(person, None, now)?;
        let (seq, count) = (guard.seq(), guard.bookings_count());
        for (rank, &slot) in choices.iter().enumerate() {
            if let Some(index) = self.ledger.hold_position(seq, count, slot) {
                return Ok(Hold {
                    seq,
                    slot,
                    rank: rank as u8,
                    until: self.holds.deadline(seq, index),
                });
            }
        }
        let holds_max = self.config.holds_per_person_max;
        if self.holds_of(seq, count) >= holds_max {
            return Err(HoldError::HoldLimit { holds_max });
        }
        let bookings_max = self.config.bookings_per_person_max;
        if count >= bookings_max {
            return Err(HoldError::BookingLimit { bookings_max });
        }
        // Counted before a seat is taken, so that the engine never holds more than
        // `holds_max`, not even for an instant.
        if !self.holds.try_count() {
            return Err(HoldError::HoldsFull {
                holds_max: self.config.holds_max,
            });
        }
        let until = now.plus_millis(ttl_ms);
        for (rank, &slot) in choices.iter().enumerate() {
            if self.ledger.position(seq, count, slot).is_some() {
                continue;
            }
            if self.inventory.try_take(slot) {
                // After the seat is taken, as a booking's.
                self.recorder.record(|| Record::Held {
                    seq,
                    slot,
                    index: count,
                    until,
                });
                self.put_hold(seq, count, slot, until);
                guard.commit_bookings(count + 1);
                return Ok(Hold {
                    seq,
                    slot,
                    rank: rank as u8,
                    until,
                });
            }
        }
        self.holds.uncount();
        Err(HoldError::NoRoom {
            sold_out: self.inventory.is_sold_out(),
        })
    }

    /// Writes a hold into cell `index` (the seat is taken and the hold counted).
    fn put_hold(&self, seq: Seq, index: u8, slot: SlotId, until: Timestamp) {
        self.holds.set_deadline(seq, index, until);
        self.ledger.set_held(seq, index, slot);
        self.holds.mark(seq);
    }

    /// How many of the first `count` cells of `seq` are holds.
    pub(super) fn holds_of(&self, seq: Seq, count: u8) -> u8 {
        (0..count)
            .filter(|&index| self.ledger.is_held(seq, index))
            .count() as u8
    }

    /// Turns a live hold into a booking: the second phase of a two-phase booking.
    ///
    /// A confirm needs a live hold, not a live lease: the lease may have run out while the
    /// person filled in their details. It is judged at the call's effective time,
    /// `max(now, door)`, the clock the door expires holds on, so a confirm and an expiry
    /// never both win. A retry: if the person already holds a booking of `slot` (the hold
    /// was confirmed), the call returns it and changes nothing.
    ///
    /// # Errors
    /// [`ConfirmError::TimeWentBackwards`], [`ConfirmError::TimeTooFarAhead`],
    /// [`ConfirmError::HoldsOff`], [`ConfirmError::UnknownSlot`],
    /// [`ConfirmError::UnknownPerson`], [`ConfirmError::Dependant`], and
    /// [`ConfirmError::NotHeld`] when the hold expired (its seat went back), was cancelled,
    /// or never was.
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, ConfirmError, Engine, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config { holds_max: 1_000, standby_max: 0, ..Config::default() })?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// let (person, now) = (PersonId::new(1), Timestamp::from_secs(1));
    /// engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// engine.advance(now, 1).unwrap();
    /// engine.hold(person, &[slot], 1_000, now).unwrap();
    /// let late = now.plus_millis(1_000); // the hold lived until just before this
    /// assert_eq!(engine.confirm(person, slot, late), Err(ConfirmError::NotHeld { slot }));
    /// assert_eq!(engine.slot(slot).unwrap().booked, 0, "the seat went back");
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn confirm(
        &self,
        person: PersonId,
        slot: SlotId,
        now: Timestamp,
    ) -> Result<Booking, ConfirmError> {
        let now = self.clock.check_call(now)?;
        if !self.holds.is_on() {
            return Err(ConfirmError::HoldsOff);
        }
        if !self.inventory.contains(slot) {
            return Err(ConfirmError::UnknownSlot { slot });
        }
        let mut guard = match self.room.lock(person, None, now) {
            Ok(Locked::Admitted(guard)) => guard,
            Ok(Locked::Waiting(_) | Locked::Standby(_))
            | Err(Refusal::Released { .. } | Refusal::Lapsed { .. }) => {
                return Err(ConfirmError::NotHeld { slot });
            }
            Err(Refusal::Unknown) => return Err(ConfirmError::UnknownPerson),
            Err(Refusal::Dependant { holder }) => return Err(ConfirmError::Dependant { holder }),
        };
        self.expire_holds(&mut guard, now);
        let (seq, count) = (guard.seq(), guard.bookings_count());
        let booking = Booking { seq, slot, rank: 0 };
        if self.ledger.booking_position(seq, count, slot).is_some() {
            return Ok(booking);
        }
        let index = self
            .ledger
            .hold_position(seq, count, slot)
            .ok_or(ConfirmError::NotHeld { slot })?;
        // No seat moves: the held seat becomes the booked one.
        self.recorder.record(|| Record::HoldConfirmed { seq, slot });
        self.ledger.set(seq, index, Some(slot));
        self.holds.uncount();
        self.unmark_if_no_holds(seq, count);
        guard.commit_bookings(count);
        Ok(booking)
    }

    /// Gives back a live hold before its deadline, so that the seat is bookable at once.
    ///
    /// # Errors
    /// [`CancelError::TimeWentBackwards`], [`CancelError::TimeTooFarAhead`],
    /// [`CancelError::HoldsOff`], [`CancelError::UnknownSlot`],
    /// [`CancelError::UnknownPerson`], [`CancelError::Dependant`], [`CancelError::NotHeld`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config { holds_max: 1_000, standby_max: 0, ..Config::default() })?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// let (person, now) = (PersonId::new(1), Timestamp::from_secs(1));
    /// engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// engine.advance(now, 1).unwrap();
    /// engine.hold(person, &[slot], 60_000, now).unwrap();
    /// assert_eq!(engine.cancel(person, slot, now).unwrap().slots.as_slice(), [slot]);
    /// assert_eq!(engine.slot(slot).unwrap().booked, 0);
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn cancel(
        &self,
        person: PersonId,
        slot: SlotId,
        now: Timestamp,
    ) -> Result<Released, CancelError> {
        let now = self.clock.check_call(now)?;
        if !self.holds.is_on() {
            return Err(CancelError::HoldsOff);
        }
        if !self.inventory.contains(slot) {
            return Err(CancelError::UnknownSlot { slot });
        }
        let mut guard = match self.room.lock(person, None, now) {
            Ok(Locked::Admitted(guard)) => guard,
            Ok(Locked::Waiting(_) | Locked::Standby(_))
            | Err(Refusal::Released { .. } | Refusal::Lapsed { .. }) => {
                return Err(CancelError::NotHeld { slot });
            }
            Err(Refusal::Unknown) => return Err(CancelError::UnknownPerson),
            Err(Refusal::Dependant { holder }) => return Err(CancelError::Dependant { holder }),
        };
        self.expire_holds(&mut guard, now);
        let (seq, count) = (guard.seq(), guard.bookings_count());
        let index = self
            .ledger
            .hold_position(seq, count, slot)
            .ok_or(CancelError::NotHeld { slot })?;
        // Before the seat is given back.
        self.recorder.record(|| Record::HoldCancelled { seq, slot });
        self.end_hold(seq, count, index, slot);
        guard.commit_bookings(count - 1);
        let mut slots = BookedSlots::default();
        slots.push(slot);
        Ok(Released {
            seq,
            slots,
            was_waiting: false,
        })
    }

    /// Gives back the seat of the hold in cell `index` of `count` and empties the cell (its
    /// record is made). The caller stores the new count.
    fn end_hold(&self, seq: Seq, count: u8, index: u8, slot: SlotId) {
        self.inventory.give_back(slot);
        self.remove_cell(seq, count, index);
        self.holds.uncount();
        self.unmark_if_no_holds(seq, count - 1);
    }

    /// Clears the place's mark once none of its first `count` cells is a hold.
    fn unmark_if_no_holds(&self, seq: Seq, count: u8) {
        if self.holds_of(seq, count) == 0 {
            self.holds.unmark(seq);
        }
    }

    /// Removes cell `index` of `count` by moving the last one into it, with its hold deadline.
    pub(super) fn remove_cell(&self, seq: Seq, count: u8, index: u8) {
        let last = count - 1;
        if self.holds.is_on() && index != last && self.ledger.is_held(seq, last) {
            self.holds
                .set_deadline(seq, index, self.holds.deadline(seq, last));
        }
        self.ledger.remove(seq, count, index);
    }

    /// Gives back every hold of the guard's person whose deadline is at or before `now`, and
    /// stores their new count in the guard: their expiry, found on touch or by the door.
    pub(super) fn expire_holds(&self, guard: &mut AdmittedGuard<'_>, now: Timestamp) {
        if !self.holds.is_on() {
            return;
        }
        let seq = guard.seq();
        let before = guard.bookings_count();
        let mut count = before;
        let mut index = 0;
        while index < count {
            if self.ledger.is_held(seq, index) && self.holds.deadline(seq, index) <= now {
                let slot = self.ledger.get(seq, index).expect("a hold names its slot");
                // Before the seat is given back.
                self.recorder.record(|| Record::HoldExpired { seq, slot });
                self.end_hold(seq, count, index, slot);
                count -= 1;
            } else {
                index += 1;
            }
        }
        if count != before {
            guard.set_bookings_count(count);
        }
    }

    /// The door's sweep: expires every hold whose deadline is at or before `now` (the door's
    /// time), place by marked place. The caller holds the advance lock.
    pub(super) fn sweep_holds(&self, now: Timestamp) {
        if !self.holds.is_on() || self.holds.live() == 0 {
            return;
        }
        for (first, mut bits) in self.holds.marked_words() {
            while bits != 0 {
                let seq = Seq::new(first + u64::from(bits.trailing_zeros()));
                bits &= bits - 1;
                if let Ok(Locked::Admitted(mut guard)) = self.room.lock_place(seq, now) {
                    self.expire_holds(&mut guard, now);
                }
            }
        }
    }

    /// What a person holding `count` cells shows at `now`: holds (the live ones, with their
    /// deadlines), bookings, a live lease, or a lapse. The caller holds their busy bit.
    pub(super) fn holding_status(
        &self,
        seq: Seq,
        count: u8,
        lease_until: Timestamp,
        now: Timestamp,
    ) -> Status {
        let mut bookings = BookedSlots::default();
        let mut holds = HeldSeats::default();
        for index in 0..count {
            let Some(slot) = self.ledger.get(seq, index) else {
                continue;
            };
            if !self.ledger.is_held(seq, index) {
                bookings.push(slot);
                continue;
            }
            let until = self.holds.deadline(seq, index);
            if now < until {
                holds.push(HeldSeat { slot, until });
            }
        }
        if !holds.is_empty() {
            Status::Holding {
                seq,
                bookings,
                holds,
                lease_until,
            }
        } else if !bookings.is_empty() {
            Status::Booked {
                seq,
                slots: bookings,
                lease_until,
            }
        } else if now < lease_until {
            Status::Admitted { seq, lease_until }
        } else {
            Status::Lapsed {
                seq,
                at: lease_until,
            }
        }
    }

    /// Replays [`Record::Held`].
    pub(super) fn replay_held(
        &self,
        seq: Seq,
        slot: SlotId,
        index: u8,
        until: Timestamp,
    ) -> Result<(), &'static str> {
        let Ok(Locked::Admitted(guard)) = self.room.lock_place(seq, Timestamp::ZERO) else {
            return Err("the place holding holds no lease");
        };
        if !self.holds.is_on() {
            return Err("holds are off");
        }
        if !self.inventory.contains(slot) {
            return Err("the slot held does not exist");
        }
        let count = guard.bookings_count();
        if index != count || count >= self.config.bookings_per_person_max {
            return Err("the hold is not the person's next cell");
        }
        if self.ledger.position(seq, count, slot).is_some() {
            return Err("the person already holds the slot");
        }
        if self.holds_of(seq, count) >= self.config.holds_per_person_max {
            return Err("the person holds too many holds");
        }
        if !self.holds.try_count() {
            return Err("more holds than holds_max");
        }
        if !self.inventory.try_take(slot) {
            self.holds.uncount();
            return Err("the slot held is full");
        }
        self.put_hold(seq, index, slot, until);
        guard.commit_bookings(count + 1);
        Ok(())
    }

    /// Replays [`Record::HoldConfirmed`], [`Record::HoldCancelled`] or
    /// [`Record::HoldExpired`]: `confirmed` says whether the seat stays, as a booking.
    pub(super) fn replay_hold_end(
        &self,
        seq: Seq,
        slot: SlotId,
        confirmed: bool,
    ) -> Result<(), &'static str> {
        let Ok(Locked::Admitted(guard)) = self.room.lock_place(seq, Timestamp::ZERO) else {
            return Err("the place of the hold holds nothing");
        };
        let count = guard.bookings_count();
        let index = self
            .ledger
            .hold_position(seq, count, slot)
            .ok_or("the person holds no hold of the slot")?;
        if confirmed {
            self.ledger.set(seq, index, Some(slot));
            self.holds.uncount();
            self.unmark_if_no_holds(seq, count);
            guard.commit_bookings(count);
        } else {
            self.end_hold(seq, count, index, slot);
            guard.commit_bookings(count - 1);
        }
        Ok(())
    }

    /// Restores a hold from a snapshot: the seat is taken and the cell written by the caller.
    pub(super) fn restore_hold(&self, seq: Seq, index: u8, until: Timestamp) -> bool {
        if !self.holds.is_on() || !self.holds.try_count() {
            return false;
        }
        self.holds.set_deadline(seq, index, until);
        self.holds.mark(seq);
        true
    }

    /// The deadline of the hold in cell `index` (snapshot).
    pub(super) fn hold_deadline(&self, seq: Seq, index: u8) -> Timestamp {
        self.holds.deadline(seq, index)
    }

    /// Checks what only holds need against the ledger: `place_holds` holds found in a
    /// place's cells are at most the per-person limit, each has a deadline, and the place is
    /// marked exactly when it has one. Returns whether the place is consistent.
    pub(super) fn audit_place_holds(&self, seq: Seq, count: u8) -> bool {
        let holds = self.holds_of(seq, count);
        if holds == 0 {
            return !self.holds.is_on() || !self.holds.is_marked(seq);
        }
        self.holds.is_on()
            && holds <= self.config.holds_per_person_max
            && self.holds.is_marked(seq)
            && (0..count).all(|index| {
                !self.ledger.is_held(seq, index)
                    || self.holds.deadline(seq, index) > Timestamp::ZERO
            })
    }

    /// Holds in the whole engine, as counted on the data path.
    pub(super) fn holds_live(&self) -> u64 {
        self.holds.live()
    }
}
