//! Groups: a person (the holder) registers up to K dependants with
//! [`Engine::register_dependant`], then books a seat for each of them and for themself, in
//! one slot, with [`Engine::book_group`]: all or nothing.
//!
//! # One person, one place
//!
//! A dependant shares the holder's place: the waiting room's person table gets an entry for
//! them that points at it, flagged as linked, claimed by the same compare-and-swap as a first
//! join's. So a dependant never holds a place or a booking of their own: their own
//! `enqueue`, `reserve`, `hold` and the rest are refused with a `Dependant` error naming the
//! holder's place, and a registration of someone who already joined is refused. (A person the
//! full room refused holds no place, so they may be registered.)
//!
//! # Storage
//!
//! Allocated only when [`Config::dependants_per_person_max`](crate::Config::dependants_per_person_max)
//! is above 0: per place, the index of its group plus one (`u32`, 0 for none); per group of
//! the `groups_max`, its size and, per member, the person and their seat (`slot + 1`, 0 for
//! none). A group is handed out on a holder's first registration and stays with the place
//! (groups are never reused, as places are not). Everything is written under the holder's busy
//! bit; a dependant's status reads their seat with one atomic load.
//!
//! The group's seats are taken together by one compare-and-swap on the slot's counter (from
//! `b` to `b + seats`, only while that fits the capacity): nobody ever sees part of a group
//! booked. The holder's seat is a booking of their own (a cell of their ledger row); the
//! dependants' seats live here, and go with it: a release of the holder's booking of the slot
//! (or of their whole place) gives the dependants' seats back too, and a rebook of it moves
//! them all, by one compare-and-swap on the new slot. So a dependant holds a seat exactly
//! while their holder books the same slot, and a holder holding nothing holds no group seat
//! (their lease may lapse, and under `LapsePolicy::Requeue` their place move on).

use super::Engine;
use crate::config::Config;
use crate::error::{GroupError, RegisterError};
use crate::ids::{PersonId, Seq, SlotId};
use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::platform::sync::{AtomicU32, AtomicU64, Ordering};
use crate::record::Record;
use crate::status::{GroupBooking, Registered};
use crate::time::Timestamp;
use crate::waiting_room::{LinkRefusal, Locked, Refusal};

/// The groups of the engine.
pub(crate) struct Groups {
    /// Dependants per group (K); 0 when groups are off.
    members_max: usize,
    groups_max: u32,
    /// Per place: its group's index plus one.
    group_of: Box<[AtomicU32]>,
    /// Groups handed out (dense: 0 to `handed_out`).
    handed_out: AtomicU32,
    /// Groups handed out or about to be: a registration counts its group here first, so that
    /// `handed_out` never passes `groups_max`.
    counted: AtomicU32,
    /// Per group: members registered.
    sizes: Box<[AtomicU32]>,
    /// Per group and member: the person, plus one.
    members: Box<[AtomicU64]>,
    /// Per group and member: their seat's slot, plus one (0 for none).
    seats: Box<[AtomicU32]>,
}

impl Groups {
    pub(crate) fn new(config: &Config) -> Result<Groups, AllocError> {
        let (places, groups, members) = Groups::lengths(config);
        let zero32 = || AtomicU32::new(0);
        Ok(Groups {
            members_max: if groups == 0 {
                0
            } else {
                usize::from(config.dependants_per_person_max)
            },
            groups_max: config.groups_max,
            group_of: try_boxed_slice(places, Pages::Normal, zero32)?,
            handed_out: AtomicU32::new(0),
            counted: AtomicU32::new(0),
            sizes: try_boxed_slice(groups, Pages::Normal, zero32)?,
            members: try_boxed_slice(members, Pages::Normal, || AtomicU64::new(0))?,
            seats: try_boxed_slice(members, Pages::Normal, zero32)?,
        })
    }

    /// `(places, groups, members)` to allocate: none while groups are off.
    fn lengths(config: &Config) -> (usize, usize, usize) {
        if config.dependants_per_person_max == 0 {
            return (0, 0, 0);
        }
        let groups = config.groups_max as usize;
        (
            config.people_max as usize,
            groups,
            groups.saturating_mul(usize::from(config.dependants_per_person_max)),
        )
    }

    /// What [`Groups::new`] allocates.
    pub(crate) fn bytes_for(config: &Config) -> usize {
        let (places, groups, members) = Groups::lengths(config);
        places
            .saturating_add(groups)
            .saturating_mul(size_of::<u32>())
            .saturating_add(members.saturating_mul(size_of::<u64>() + size_of::<u32>()))
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        size_of_val(&*self.group_of)
            + size_of_val(&*self.sizes)
            + size_of_val(&*self.members)
            + size_of_val(&*self.seats)
    }

    pub(crate) fn is_on(&self) -> bool {
        self.members_max > 0
    }

    /// The place's group, if it has one.
    pub(crate) fn of(&self, seq: Seq) -> Option<usize> {
        let raw = self.group_of.get(seq.as_index())?.load(Ordering::Acquire);
        raw.checked_sub(1).map(|group| group as usize)
    }

    pub(crate) fn size(&self, group: usize) -> usize {
        self.sizes[group].load(Ordering::Acquire) as usize
    }

    fn member(&self, group: usize, index: usize) -> usize {
        group * self.members_max + index
    }

    /// The `index`th dependant of the group.
    pub(crate) fn person(&self, group: usize, index: usize) -> PersonId {
        PersonId::new(self.members[self.member(group, index)].load(Ordering::Acquire) - 1)
    }

    /// The seat of the `index`th dependant of the group.
    pub(crate) fn seat(&self, group: usize, index: usize) -> Option<SlotId> {
        let raw = self.seats[self.member(group, index)].load(Ordering::Acquire);
        raw.checked_sub(1).map(SlotId::new)
    }

    fn set_seat(&self, group: usize, index: usize, slot: Option<SlotId>) {
        let raw = slot.map_or(0, |slot| slot.as_u32() + 1);
        self.seats[self.member(group, index)].store(raw, Ordering::Release);
    }

    /// The dependants of the group with their seats.
    pub(crate) fn members(
        &self,
        group: usize,
    ) -> impl Iterator<Item = (PersonId, Option<SlotId>)> + '_ {
        (0..self.size(group)).map(move |index| (self.person(group, index), self.seat(group, index)))
    }

    /// Counts a group about to be handed out, if fewer than `groups_max` are.
    fn try_count(&self) -> bool {
        let mut counted = self.counted.load(Ordering::Acquire);
        loop {
            if counted >= self.groups_max {
                return false;
            }
            match self.counted.compare_exchange(
                counted,
                counted + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(now) => counted = now,
            }
        }
    }

    fn uncount(&self) {
        self.counted.fetch_sub(1, Ordering::AcqRel);
    }

    /// Adds `dependant` to the place's group, handing one out if it has none (the caller
    /// holds the holder's busy bit and counted the group). Returns the group's new size.
    fn add(&self, seq: Seq, dependant: PersonId) -> usize {
        let group = match self.of(seq) {
            Some(group) => group,
            None => {
                let group = self.handed_out.fetch_add(1, Ordering::AcqRel) as usize;
                self.group_of[seq.as_index()].store(group as u32 + 1, Ordering::Release);
                group
            }
        };
        let size = self.size(group);
        self.members[self.member(group, size)].store(dependant.as_u64() + 1, Ordering::Release);
        self.set_seat(group, size, None);
        self.sizes[group].store(size as u32 + 1, Ordering::Release);
        size + 1
    }

    /// Groups handed out.
    pub(crate) fn handed_out(&self) -> u32 {
        self.handed_out.load(Ordering::Acquire)
    }

    /// Groups counted (handed out, or about to be).
    pub(crate) fn counted(&self) -> u32 {
        self.counted.load(Ordering::Acquire)
    }

    /// Whether any dependant of the group holds a seat.
    fn is_booked(&self, group: usize) -> bool {
        (0..self.size(group)).any(|index| self.seat(group, index).is_some())
    }
}

impl Engine {
    /// Registers `dependant` to `holder`: from now on the dependant shares the holder's place
    /// (one person, one place), and the holder books for both with [`Engine::book_group`].
    ///
    /// The holder must hold a place (waiting, or admitted); the dependant must hold none: a
    /// person who joined, or is registered to someone, cannot be registered (a person the
    /// full room refused holds none, and can be). Afterwards the dependant's own calls are
    /// refused with a `Dependant` error naming the holder's place, and
    /// [`Engine::status`] shows them as [`Status::Dependant`](crate::Status::Dependant).
    /// Register everyone before booking: a booked group takes no new member.
    ///
    /// A group belongs to the holder's place: if the holder's lease lapses and they come back
    /// at a new place ([`LapsePolicy::Requeue`](crate::LapsePolicy::Requeue)), their
    /// dependants stay with the old one.
    ///
    /// # Errors
    /// [`RegisterError::GroupsOff`], time, [`RegisterError::InvalidDependant`] (the reserved
    /// id, or the holder's own), the holder ([`RegisterError::UnknownPerson`],
    /// [`RegisterError::Dependant`], [`RegisterError::LeaseLapsed`],
    /// [`RegisterError::PlaceReleased`]), limits ([`RegisterError::DependantLimit`],
    /// [`RegisterError::GroupBooked`], [`RegisterError::GroupsFull`]), and the dependant
    /// ([`RegisterError::HasPlace`], [`RegisterError::Crowded`]).
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, EnqueueError, PersonId, Status, Timestamp};
    /// let engine = Engine::new(Config { dependants_per_person_max: 2, groups_max: 100, standby_max: 0, ..Config::default() })?;
    /// let (son, mother, now) = (PersonId::new(1), PersonId::new(2), Timestamp::from_secs(1));
    /// let place = engine.enqueue(son, CohortId::new(0), now).unwrap();
    /// let registered = engine.register_dependant(son, mother, now).unwrap();
    /// assert_eq!((registered.holder, registered.dependants), (place.seq, 1));
    /// // Mother cannot take a place of her own: she shares her son's.
    /// assert_eq!(engine.enqueue(mother, CohortId::new(0), now), Err(EnqueueError::Dependant { holder: place.seq }));
    /// assert_eq!(engine.status(mother, now).unwrap(), Status::Dependant { holder: place.seq, slot: None });
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn register_dependant(
        &self,
        holder: PersonId,
        dependant: PersonId,
        now: Timestamp,
    ) -> Result<Registered, RegisterError> {
        let now = self.clock.check_call(now)?;
        if !self.groups.is_on() {
            return Err(RegisterError::GroupsOff);
        }
        if !dependant.is_valid() || dependant == holder {
            return Err(RegisterError::InvalidDependant { dependant });
        }
        // Held to the end: the group changes under the holder's busy bit.
        let mut locked = match self.room.lock(holder, None, now) {
            Ok(locked) => locked,
            Err(Refusal::Unknown) => return Err(RegisterError::UnknownPerson),
            Err(Refusal::Dependant { holder }) => return Err(RegisterError::Dependant { holder }),
            Err(Refusal::Released { .. }) => return Err(RegisterError::PlaceReleased),
            Err(Refusal::Lapsed { at, .. }) => return Err(RegisterError::LeaseLapsed { at }),
        };
        let seq = match locked {
            Locked::Waiting(ref guard) => guard.seq(),
            // Groups and standby are not configured together (see `Config`): unreachable in a
            // valid engine, and registering keeps no seat, so it goes as for a waiting holder.
            Locked::Standby(ref guard) => guard.seq(),
            Locked::Admitted(ref mut guard) => {
                self.expire_holds(guard, now);
                if guard.bookings_count() == 0 && !guard.is_lease_live(now) {
                    return Err(RegisterError::LeaseLapsed {
                        at: guard.lease_until(),
                    });
                }
                guard.seq()
            }
        };
        let group = self.groups.of(seq);
        let size = group.map_or(0, |group| self.groups.size(group));
        let dependants_max = self.config.dependants_per_person_max;
        if size >= usize::from(dependants_max) {
            return Err(RegisterError::DependantLimit { dependants_max });
        }
        if group.is_some_and(|group| self.groups.is_booked(group)) {
            return Err(RegisterError::GroupBooked);
        }
        if group.is_none() && !self.groups.try_count() {
            return Err(RegisterError::GroupsFull {
                groups_max: self.config.groups_max,
            });
        }
        let mut dependants = 0;
        let linked = self.room.link(seq, dependant, || {
            // The dependant's cell is claimed and not yet visible: as a first join's.
            self.recorder.record(|| Record::DependantRegistered {
                holder: seq,
                dependant,
            });
            dependants = self.groups.add(seq, dependant);
        });
        match linked {
            Ok(()) => Ok(Registered {
                holder: seq,
                dependants: dependants as u8,
            }),
            Err(refusal) => {
                if group.is_none() {
                    self.groups.uncount();
                }
                Err(match refusal {
                    LinkRefusal::HasPlace => RegisterError::HasPlace { dependant },
                    LinkRefusal::Crowded => RegisterError::Crowded,
                })
            }
        }
    }

    /// Books one seat for the holder and one for each of their dependants, all in the first
    /// slot of `choices` with room for every one of them, or nobody at all.
    ///
    /// The seats are taken together, by one compare-and-swap on the slot's counter: nobody
    /// ever sees part of a group booked, and the slot never passes its capacity. The holder
    /// needs a live lease; their seat is one of their bookings (it counts against
    /// [`Config::bookings_per_person_max`](crate::Config::bookings_per_person_max)), each
    /// dependant's is theirs ([`Status::Dependant`](crate::Status::Dependant)). With no
    /// dependant registered it books the holder alone.
    ///
    /// A retry: if the holder holds a booking of one of `choices` and every dependant a
    /// seat of the same slot, the call returns that booking and changes nothing.
    ///
    /// # Errors
    /// - [`GroupError::GroupsOff`]; bad input as for [`Engine::reserve`].
    /// - No path around the queue: [`GroupError::NotAdmitted`], [`GroupError::LeaseLapsed`],
    ///   [`GroupError::PlaceReleased`], [`GroupError::Dependant`].
    /// - [`GroupError::AlreadyBooked`], [`GroupError::BookingLimit`], [`GroupError::NoRoom`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, PersonId, SlotSpec, Status, Timestamp};
    /// let engine = Engine::new(Config { dependants_per_person_max: 2, groups_max: 100, standby_max: 0, ..Config::default() })?;
    /// let two_seats = engine.add_slot(SlotSpec::with_capacity(2)).unwrap();
    /// let three_seats = engine.add_slot(SlotSpec::with_capacity(3)).unwrap();
    /// let (son, mother, father, now) = (PersonId::new(1), PersonId::new(2), PersonId::new(3), Timestamp::from_secs(1));
    /// engine.enqueue(son, CohortId::new(0), now).unwrap();
    /// engine.register_dependant(son, mother, now).unwrap();
    /// engine.register_dependant(son, father, now).unwrap();
    /// engine.advance(now, 1).unwrap();
    /// let group = engine.book_group(son, &[two_seats, three_seats], now).unwrap();
    /// assert_eq!((group.slot, group.seats), (three_seats, 3));
    /// assert_eq!(engine.slot(two_seats).unwrap().booked, 0, "no part of the family there");
    /// assert!(matches!(engine.status(father, now).unwrap(), Status::Dependant { slot: Some(slot), .. } if slot == three_seats));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn book_group(
        &self,
        holder: PersonId,
        choices: &[SlotId],
        now: Timestamp,
    ) -> Result<GroupBooking, GroupError> {
        let now = self.clock.check_call(now)?;
        if !self.groups.is_on() {
            return Err(GroupError::GroupsOff);
        }
        self.check_choices(choices)?;
        let guard = self.lock_to_book(holder, None, now)?;
        let (seq, count) = (guard.seq(), guard.bookings_count());
        let group = self.groups.of(seq);
        let dependants = group.map_or(0, |group| self.groups.size(group));
        let seats = 1 + dependants as u8;
        for (rank, &slot) in choices.iter().enumerate() {
            let all_there = group.is_none_or(|group| {
                self.groups
                    .members(group)
                    .all(|(_, seat)| seat == Some(slot))
            });
            if all_there && self.ledger.booking_position(seq, count, slot).is_some() {
                return Ok(GroupBooking {
                    seq,
                    slot,
                    rank: rank as u8,
                    seats,
                });
            }
        }
        if group.is_some_and(|group| self.groups.is_booked(group)) {
            return Err(GroupError::AlreadyBooked);
        }
        let bookings_max = self.config.bookings_per_person_max;
        if count >= bookings_max {
            return Err(GroupError::BookingLimit { bookings_max });
        }
        for (rank, &slot) in choices.iter().enumerate() {
            if self.ledger.position(seq, count, slot).is_some()
                || !self.inventory.try_take_many(slot, u32::from(seats))
            {
                continue;
            }
            // After every seat is taken.
            self.recorder
                .record(|| Record::GroupBooked { seq, slot, seats });
            self.seat_group(seq, count, slot, group);
            guard.commit_bookings(count + 1);
            return Ok(GroupBooking {
                seq,
                slot,
                rank: rank as u8,
                seats,
            });
        }
        Err(GroupError::NoRoom {
            sold_out: self.inventory.is_sold_out(),
        })
    }

    /// Writes a group booking of `slot`: the holder's cell `index` and every dependant's seat.
    fn seat_group(&self, seq: Seq, index: u8, slot: SlotId, group: Option<usize>) {
        self.ledger.set(seq, index, Some(slot));
        if let Some(group) = group {
            for member in 0..self.groups.size(group) {
                self.groups.set_seat(group, member, Some(slot));
            }
        }
    }

    /// Gives back the seats of the place's dependants (the caller holds the holder's busy bit
    /// and has recorded the release).
    pub(super) fn give_back_group_seats(&self, seq: Seq) {
        let Some(group) = self.groups.of(seq) else {
            return;
        };
        for member in 0..self.groups.size(group) {
            if let Some(slot) = self.groups.seat(group, member) {
                self.inventory.give_back(slot);
                self.groups.set_seat(group, member, None);
            }
        }
    }

    /// How many dependants of the place hold a seat of `slot` (a group booked there moves and
    /// goes back with the holder's own booking of it).
    pub(super) fn group_seats_in(&self, seq: Seq, slot: SlotId) -> u32 {
        self.groups.of(seq).map_or(0, |group| {
            self.groups
                .members(group)
                .filter(|&(_, seat)| seat == Some(slot))
                .count() as u32
        })
    }

    /// Moves the seats of the place's dependants from `from` to `to` (the caller holds the
    /// holder's busy bit, took the new seats and gives the old ones back).
    pub(super) fn move_group_seats(&self, seq: Seq, from: SlotId, to: SlotId) {
        let Some(group) = self.groups.of(seq) else {
            return;
        };
        for member in 0..self.groups.size(group) {
            if self.groups.seat(group, member) == Some(from) {
                self.groups.set_seat(group, member, Some(to));
            }
        }
    }

    /// Gives back the seats the place's dependants hold of `slot`, with the holder's booking
    /// of it (the caller holds the busy bit and has recorded the release).
    pub(super) fn give_back_group_seats_in(&self, seq: Seq, slot: SlotId) {
        let Some(group) = self.groups.of(seq) else {
            return;
        };
        for member in 0..self.groups.size(group) {
            if self.groups.seat(group, member) == Some(slot) {
                self.inventory.give_back(slot);
                self.groups.set_seat(group, member, None);
            }
        }
    }

    /// The seat of `dependant`, registered to the place `holder`.
    pub(super) fn dependant_seat(&self, holder: Seq, dependant: PersonId) -> Option<SlotId> {
        let group = self.groups.of(holder)?;
        self.groups
            .members(group)
            .find(|&(person, _)| person == dependant)
            .and_then(|(_, seat)| seat)
    }

    /// Replays [`Record::DependantRegistered`].
    pub(super) fn replay_registered(
        &self,
        holder: Seq,
        dependant: PersonId,
    ) -> Result<(), &'static str> {
        let Ok(locked) = self.room.lock_place(holder, Timestamp::ZERO) else {
            return Err("the holder's place holds nothing");
        };
        let registered = self.restore_registered(holder, dependant);
        drop(locked);
        registered
    }

    /// Registers `dependant` to the place `holder` without taking its lock (replay under the
    /// lock, or a snapshot's load, where the holder may have left since).
    pub(super) fn restore_registered(
        &self,
        holder: Seq,
        dependant: PersonId,
    ) -> Result<(), &'static str> {
        if !self.groups.is_on() || !dependant.is_valid() {
            return Err("groups are off, or the dependant's id is reserved");
        }
        let group = self.groups.of(holder);
        if group.is_some_and(|group| {
            self.groups.size(group) >= self.groups.members_max || self.groups.is_booked(group)
        }) {
            return Err("the holder's group is full or booked");
        }
        if group.is_none() && !self.groups.try_count() {
            return Err("more groups than groups_max");
        }
        let linked = self.room.link(holder, dependant, || {
            self.groups.add(holder, dependant);
        });
        if linked.is_err() && group.is_none() {
            self.groups.uncount();
        }
        linked.map_err(|_| "the dependant holds a place, or the table is crowded")
    }

    /// Replays [`Record::GroupBooked`].
    pub(super) fn replay_group_booked(
        &self,
        seq: Seq,
        slot: SlotId,
        seats: u8,
    ) -> Result<(), &'static str> {
        let Ok(Locked::Admitted(guard)) = self.room.lock_place(seq, Timestamp::ZERO) else {
            return Err("the place booking a group holds no lease");
        };
        let group = self.groups.of(seq);
        let dependants = group.map_or(0, |group| self.groups.size(group));
        let count = guard.bookings_count();
        if !self.groups.is_on()
            || usize::from(seats) != 1 + dependants
            || group.is_some_and(|group| self.groups.is_booked(group))
        {
            return Err("the group booked is not the place's group");
        }
        if !self.inventory.contains(slot)
            || count >= self.config.bookings_per_person_max
            || self.ledger.position(seq, count, slot).is_some()
        {
            return Err("the holder cannot book the slot");
        }
        if !self.inventory.try_take_many(slot, u32::from(seats)) {
            return Err("the slot has no room for the group");
        }
        self.seat_group(seq, count, slot, group);
        guard.commit_bookings(count + 1);
        Ok(())
    }

    /// Every group, for a snapshot and the audit: the holder's place and its dependants with
    /// their seats, in place order.
    pub(super) fn groups_by_place(
        &self,
    ) -> impl Iterator<Item = (Seq, impl Iterator<Item = (PersonId, Option<SlotId>)> + '_)> + '_
    {
        (0..self.room.places_handed_out())
            .map(Seq::new)
            .filter_map(move |seq| Some((seq, self.groups.members(self.groups.of(seq)?))))
    }

    /// Restores the seat of the `member`th dependant of the place's group from a snapshot,
    /// taking it. `false` if it does not fit.
    pub(super) fn restore_group_seat(&self, holder: Seq, member: usize, slot: SlotId) -> bool {
        let Some(group) = self.groups.of(holder) else {
            return false;
        };
        if member >= self.groups.size(group)
            || !self.inventory.contains(slot)
            || !self.inventory.try_take(slot)
        {
            return false;
        }
        self.groups.set_seat(group, member, Some(slot));
        true
    }

    /// Whether the place books `slot` (the audit: a dependant's seat is where their holder's
    /// booking is).
    pub(super) fn holder_books(&self, seq: Seq, slot: SlotId) -> bool {
        let count = self.room.bookings_count_of(seq);
        self.ledger.booking_position(seq, count, slot).is_some()
    }

    /// `(groups handed out, groups counted)` for the audit.
    pub(super) fn groups_counts(&self) -> (u32, u32) {
        (self.groups.handed_out(), self.groups.counted())
    }
}
