//! The model of the service-grade flows: holds, rebooking, dose series, groups, and
//! operations remembered by id. Each verb checks in the order the engine's docs give and
//! changes the model's plain collections; the seats a hold, a series or a group takes are
//! counted in the slot as a booking's are.

use fairbook::{
    BookedSlots, Booking, CancelError, ConfirmError, GroupBooking, GroupError, Hold, HoldError,
    OpAnswer, OpError, OpId, PersonId, RebookError, RegisterError, Registered, Released,
    ReserveError, Seq, SeriesBooking, SeriesError, SlotId, Timestamp,
};

use super::{Model, ModelCell};
use crate::Op;

/// What is wrong with a choice list (each verb names it in its own error).
#[derive(Clone, Copy, Debug)]
pub(super) enum ChoiceProblem {
    Empty,
    TooMany { given: usize, max: usize },
    Unknown { slot: SlotId },
}

/// Why a person cannot be locked for a call (each verb names it in its own error).
#[derive(Clone, Copy, Debug)]
pub(super) enum Turned {
    Unknown,
    Dependant {
        holder: Seq,
    },
    Waiting {
        seq: Seq,
        ahead: u64,
    },
    /// On standby (see the engine's `gate.rs`).
    Standby {
        seq: Seq,
    },
    Released,
    Lapsed {
        at: Timestamp,
    },
}

// As the engine's `gate.rs`: a person on standby is told so by `reserve`, and is not admitted
// to book for the flows (which standby excludes, or which need a booking).
macro_rules! from_gate {
    ($($error:ident => $standby:expr),*) => {$(
        impl From<ChoiceProblem> for $error {
            fn from(problem: ChoiceProblem) -> $error {
                match problem {
                    ChoiceProblem::Empty => $error::EmptyChoice,
                    ChoiceProblem::TooMany { given, max } => $error::TooManyChoices { given, max },
                    ChoiceProblem::Unknown { slot } => $error::UnknownSlot { slot },
                }
            }
        }

        impl From<Turned> for $error {
            fn from(turned: Turned) -> $error {
                match turned {
                    Turned::Unknown => $error::UnknownPerson,
                    Turned::Dependant { holder } => $error::Dependant { holder },
                    Turned::Waiting { seq, ahead } => $error::NotAdmitted { seq, ahead },
                    #[allow(clippy::redundant_closure_call)]
                    Turned::Standby { seq } => ($standby)(seq),
                    Turned::Released => $error::PlaceReleased,
                    Turned::Lapsed { at } => $error::LeaseLapsed { at },
                }
            }
        }
    )*};
}

from_gate!(
    ReserveError => |_| ReserveError::OnStandby,
    HoldError => |seq| HoldError::NotAdmitted { seq, ahead: 0 },
    RebookError => |seq| RebookError::NotAdmitted { seq, ahead: 0 },
    SeriesError => |seq| SeriesError::NotAdmitted { seq, ahead: 0 },
    GroupError => |seq| GroupError::NotAdmitted { seq, ahead: 0 }
);

impl Model {
    /// See [`Engine::hold`](fairbook::Engine::hold).
    ///
    /// # Errors
    /// As the engine's, in the same order.
    pub fn hold(
        &mut self,
        person: PersonId,
        choices: &[SlotId],
        ttl_ms: u64,
        now: Timestamp,
    ) -> Result<Hold, HoldError> {
        let now = self.check_call(now)?;
        if self.config.holds_max == 0 {
            return Err(HoldError::HoldsOff);
        }
        if ttl_ms == 0 || ttl_ms > self.config.hold_ttl_max_ms {
            return Err(HoldError::TtlOutOfRange {
                given: ttl_ms,
                max: self.config.hold_ttl_max_ms,
            });
        }
        self.check_choices(choices)?;
        let seq = self.lock_to_book(person, now)?;
        let place = self.place(seq);
        for (rank, &slot) in choices.iter().enumerate() {
            if let Some(index) = place.hold_of(slot) {
                return Ok(Hold {
                    seq,
                    slot,
                    rank: rank as u8,
                    until: place.cells[index]
                        .hold_until
                        .expect("a hold has a deadline"),
                });
            }
        }
        let holds_max = self.config.holds_per_person_max;
        if place.holds() >= usize::from(holds_max) {
            return Err(HoldError::HoldLimit { holds_max });
        }
        let bookings_max = self.config.bookings_per_person_max;
        if place.cells.len() >= usize::from(bookings_max) {
            return Err(HoldError::BookingLimit { bookings_max });
        }
        if self.holds() >= u64::from(self.config.holds_max) {
            return Err(HoldError::HoldsFull {
                holds_max: self.config.holds_max,
            });
        }
        let chosen = choices.iter().enumerate().find(|&(_, &slot)| {
            place.cell_of(slot).is_none() && !self.slots[slot.as_index()].is_full()
        });
        let Some((rank, &slot)) = chosen else {
            return Err(HoldError::NoRoom {
                sold_out: self.is_sold_out(),
            });
        };
        let until = now.plus_millis(ttl_ms);
        self.take(slot, 1);
        let place = self.place_mut(seq);
        place.cells.push(ModelCell {
            slot,
            hold_until: Some(until),
        });
        place.has_booked = true;
        Ok(Hold {
            seq,
            slot,
            rank: rank as u8,
            until,
        })
    }

    /// The place of a person for `confirm` and `cancel`, or why there is none to look in:
    /// `Ok(None)` when they hold no hold for sure.
    fn lock_for_hold(&mut self, person: PersonId, now: Timestamp) -> Result<Option<Seq>, Turned> {
        match self.lock(person, now) {
            Ok(seq) => {
                self.expire_holds(seq, now);
                Ok(Some(seq))
            }
            Err(Turned::Waiting { .. } | Turned::Released | Turned::Lapsed { .. }) => Ok(None),
            Err(turned) => Err(turned),
        }
    }

    /// See [`Engine::confirm`](fairbook::Engine::confirm).
    ///
    /// # Errors
    /// As the engine's, in the same order.
    pub fn confirm(
        &mut self,
        person: PersonId,
        slot: SlotId,
        now: Timestamp,
    ) -> Result<Booking, ConfirmError> {
        let now = self.check_call(now)?;
        if self.config.holds_max == 0 {
            return Err(ConfirmError::HoldsOff);
        }
        if slot.as_index() >= self.slots.len() {
            return Err(ConfirmError::UnknownSlot { slot });
        }
        let seq = match self.lock_for_hold(person, now) {
            Ok(Some(seq)) => seq,
            Ok(None) => return Err(ConfirmError::NotHeld { slot }),
            Err(Turned::Dependant { holder }) => return Err(ConfirmError::Dependant { holder }),
            Err(_) => return Err(ConfirmError::UnknownPerson),
        };
        let booking = Booking { seq, slot, rank: 0 };
        let place = self.place_mut(seq);
        if place.booking_of(slot).is_some() {
            return Ok(booking);
        }
        let index = place.hold_of(slot).ok_or(ConfirmError::NotHeld { slot })?;
        place.cells[index].hold_until = None;
        Ok(booking)
    }

    /// See [`Engine::cancel`](fairbook::Engine::cancel).
    ///
    /// # Errors
    /// As the engine's, in the same order.
    pub fn cancel(
        &mut self,
        person: PersonId,
        slot: SlotId,
        now: Timestamp,
    ) -> Result<Released, CancelError> {
        let now = self.check_call(now)?;
        if self.config.holds_max == 0 {
            return Err(CancelError::HoldsOff);
        }
        if slot.as_index() >= self.slots.len() {
            return Err(CancelError::UnknownSlot { slot });
        }
        let seq = match self.lock_for_hold(person, now) {
            Ok(Some(seq)) => seq,
            Ok(None) => return Err(CancelError::NotHeld { slot }),
            Err(Turned::Dependant { holder }) => return Err(CancelError::Dependant { holder }),
            Err(_) => return Err(CancelError::UnknownPerson),
        };
        let index = self
            .place(seq)
            .hold_of(slot)
            .ok_or(CancelError::NotHeld { slot })?;
        self.place_mut(seq).cells.swap_remove(index);
        self.give_back(slot, 1);
        Ok(Released {
            seq,
            slots: BookedSlots::from_slice(&[slot]).expect("one slot fits"),
            was_waiting: false,
        })
    }

    /// See [`Engine::rebook`](fairbook::Engine::rebook): the new seat in the old one's cell.
    ///
    /// # Errors
    /// As the engine's, in the same order.
    pub fn rebook(
        &mut self,
        person: PersonId,
        from: SlotId,
        choices: &[SlotId],
        now: Timestamp,
    ) -> Result<Booking, RebookError> {
        let now = self.check_call(now)?;
        if from.as_index() >= self.slots.len() {
            return Err(RebookError::UnknownSlot { slot: from });
        }
        self.check_choices(choices)?;
        let seq = self.lock_to_book(person, now)?;
        let place = self.place(seq);
        let index = place
            .booking_of(from)
            .ok_or(RebookError::NotBooked { slot: from })?;
        if place
            .series
            .is_some_and(|(first, second)| from == first || from == second)
        {
            return Err(RebookError::SeriesLeg { slot: from });
        }
        if let Some(slot) = self.outside_scope(place.scope, choices) {
            return Err(RebookError::OutOfScope {
                slot,
                scope: place.scope,
            });
        }
        // The group booked there moves along, all its seats at once.
        let seats = 1 + place
            .dependants
            .iter()
            .filter(|&&(_, seat)| seat == Some(from))
            .count() as u32;
        let chosen = choices.iter().enumerate().find(|&(_, &slot)| {
            place.cell_of(slot).is_none()
                && self.slots[slot.as_index()].has_room_for(seats)
                && !self.standby_ahead(seq, slot)
        });
        let Some((rank, &slot)) = chosen else {
            return Err(RebookError::NoRoom {
                sold_out: self.is_sold_out(),
            });
        };
        self.take(slot, seats);
        let place = self.place_mut(seq);
        place.cells[index] = ModelCell::booking(slot);
        for (_, seat) in &mut place.dependants {
            if *seat == Some(from) {
                *seat = Some(slot);
            }
        }
        self.give_back(from, seats);
        Ok(Booking {
            seq,
            slot,
            rank: rank as u8,
        })
    }

    /// See [`Engine::book_series`](fairbook::Engine::book_series).
    ///
    /// # Errors
    /// As the engine's, in the same order.
    pub fn book_series(
        &mut self,
        person: PersonId,
        pairs: &[(SlotId, SlotId)],
        now: Timestamp,
    ) -> Result<SeriesBooking, SeriesError> {
        let now = self.check_call(now)?;
        if self.config.series_gap_days_max == 0 {
            return Err(SeriesError::SeriesOff);
        }
        self.check_pairs(pairs)?;
        let seq = self.lock_to_book(person, now)?;
        let place = self.place(seq);
        if let Some((first, second)) = place.series {
            let rank = pairs
                .iter()
                .position(|&pair| pair == (first, second))
                .ok_or(SeriesError::AlreadyInSeries)?;
            return Ok(SeriesBooking {
                seq,
                first,
                second,
                rank: rank as u8,
            });
        }
        let bookings_max = self.config.bookings_per_person_max;
        if place.cells.len() + 2 > usize::from(bookings_max) {
            return Err(SeriesError::BookingLimit { bookings_max });
        }
        let chosen = pairs.iter().enumerate().find(|&(_, &(first, second))| {
            place.cell_of(first).is_none()
                && place.cell_of(second).is_none()
                && !self.slots[first.as_index()].is_full()
                && !self.slots[second.as_index()].is_full()
        });
        let Some((rank, &(first, second))) = chosen else {
            return Err(SeriesError::NoRoom {
                sold_out: self.is_sold_out(),
            });
        };
        self.take(first, 1);
        self.take(second, 1);
        let place = self.place_mut(seq);
        place.cells.push(ModelCell::booking(first));
        place.cells.push(ModelCell::booking(second));
        place.series = Some((first, second));
        place.has_booked = true;
        Ok(SeriesBooking {
            seq,
            first,
            second,
            rank: rank as u8,
        })
    }

    fn check_pairs(&self, pairs: &[(SlotId, SlotId)]) -> Result<(), SeriesError> {
        if pairs.is_empty() {
            return Err(SeriesError::EmptyChoice);
        }
        if pairs.len() > self.config.choices_max {
            return Err(SeriesError::TooManyChoices {
                given: pairs.len(),
                max: self.config.choices_max,
            });
        }
        let (min, max) = (
            self.config.series_gap_days_min,
            self.config.series_gap_days_max,
        );
        for (index, &(first, second)) in pairs.iter().enumerate() {
            let spec = |slot: SlotId| {
                self.slots
                    .get(slot.as_index())
                    .map(|model| model.spec)
                    .ok_or(SeriesError::UnknownSlot { slot })
            };
            let (first, second) = (spec(first)?, spec(second)?);
            if first.site != second.site {
                return Err(SeriesError::NotSameSite { index });
            }
            let gap_days = i32::from(second.day.as_u16()) - i32::from(first.day.as_u16());
            if !(i32::from(min)..=i32::from(max)).contains(&gap_days) {
                return Err(SeriesError::GapOutOfRange {
                    index,
                    gap_days,
                    min,
                    max,
                });
            }
        }
        Ok(())
    }

    /// See [`Engine::register_dependant`](fairbook::Engine::register_dependant).
    ///
    /// # Errors
    /// As the engine's, in the same order.
    pub fn register_dependant(
        &mut self,
        holder: PersonId,
        dependant: PersonId,
        now: Timestamp,
    ) -> Result<Registered, RegisterError> {
        let now = self.check_call(now)?;
        if self.config.dependants_per_person_max == 0 {
            return Err(RegisterError::GroupsOff);
        }
        if !dependant.is_valid() || dependant == holder {
            return Err(RegisterError::InvalidDependant { dependant });
        }
        let seq = match self.lock_tidied(holder, now) {
            Ok(seq) | Err(Turned::Waiting { seq, .. } | Turned::Standby { seq }) => seq,
            Err(Turned::Unknown) => return Err(RegisterError::UnknownPerson),
            Err(Turned::Dependant { holder }) => return Err(RegisterError::Dependant { holder }),
            Err(Turned::Released) => return Err(RegisterError::PlaceReleased),
            Err(Turned::Lapsed { at }) => return Err(RegisterError::LeaseLapsed { at }),
        };
        let place = self.place(seq);
        let dependants_max = self.config.dependants_per_person_max;
        if place.dependants.len() >= usize::from(dependants_max) {
            return Err(RegisterError::DependantLimit { dependants_max });
        }
        if place.group_is_booked() {
            return Err(RegisterError::GroupBooked);
        }
        let new_group = place.dependants.is_empty();
        if new_group && self.groups >= self.config.groups_max {
            return Err(RegisterError::GroupsFull {
                groups_max: self.config.groups_max,
            });
        }
        if self.place_of.contains_key(&dependant) || self.dependant_of.contains_key(&dependant) {
            return Err(RegisterError::HasPlace { dependant });
        }
        if new_group {
            self.groups += 1;
        }
        self.dependant_of.insert(dependant, seq);
        let place = self.place_mut(seq);
        place.dependants.push((dependant, None));
        Ok(Registered {
            holder: seq,
            dependants: place.dependants.len() as u8,
        })
    }

    /// See [`Engine::book_group`](fairbook::Engine::book_group).
    ///
    /// # Errors
    /// As the engine's, in the same order.
    pub fn book_group(
        &mut self,
        holder: PersonId,
        choices: &[SlotId],
        now: Timestamp,
    ) -> Result<GroupBooking, GroupError> {
        let now = self.check_call(now)?;
        if self.config.dependants_per_person_max == 0 {
            return Err(GroupError::GroupsOff);
        }
        self.check_choices(choices)?;
        let seq = self.lock_to_book(holder, now)?;
        let place = self.place(seq);
        let seats = 1 + place.dependants.len() as u8;
        for (rank, &slot) in choices.iter().enumerate() {
            let all_there = place.dependants.iter().all(|&(_, seat)| seat == Some(slot));
            if all_there && place.booking_of(slot).is_some() {
                return Ok(GroupBooking {
                    seq,
                    slot,
                    rank: rank as u8,
                    seats,
                });
            }
        }
        if place.group_is_booked() {
            return Err(GroupError::AlreadyBooked);
        }
        let bookings_max = self.config.bookings_per_person_max;
        if place.cells.len() >= usize::from(bookings_max) {
            return Err(GroupError::BookingLimit { bookings_max });
        }
        let chosen = choices.iter().enumerate().find(|&(_, &slot)| {
            place.cell_of(slot).is_none()
                && self.slots[slot.as_index()].has_room_for(u32::from(seats))
        });
        let Some((rank, &slot)) = chosen else {
            return Err(GroupError::NoRoom {
                sold_out: self.is_sold_out(),
            });
        };
        self.take(slot, u32::from(seats));
        let place = self.place_mut(seq);
        place.cells.push(ModelCell::booking(slot));
        place.has_booked = true;
        for (_, seat) in &mut place.dependants {
            *seat = Some(slot);
        }
        Ok(GroupBooking {
            seq,
            slot,
            rank: rank as u8,
            seats,
        })
    }

    /// Whether the id is remembered (`None` when remembering is off): for coverage labels.
    pub fn remembers(&self, op: OpId) -> Option<bool> {
        (self.config.ops_remembered_max > 0).then(|| self.ops.contains_key(&op))
    }

    /// [`Engine::once`](fairbook::Engine::once): `call` run with the operation id `op`. A
    /// successful answer is remembered with the call; the same id again answers the same for
    /// the same call, [`OpError::Conflict`] for another. (The vocabulary names at most 8 ids,
    /// which one bucket of the engine's table keeps whatever their hash: nothing is pushed
    /// out.)
    ///
    /// # Errors
    /// The verb's, or its `Op` variant.
    pub fn once<T: Copy, E: From<OpError>>(
        &mut self,
        op: OpId,
        call: &Op,
        wrap: fn(T) -> OpAnswer,
        unwrap: fn(OpAnswer) -> Option<T>,
        run: impl FnOnce(&mut Model) -> Result<T, E>,
    ) -> Result<T, E> {
        if self.config.ops_remembered_max == 0 {
            return Err(OpError::NotRemembered.into());
        }
        if let Some((earlier, answer)) = self.ops.get(&op) {
            let conflict = OpError::Conflict { op };
            if earlier != call {
                return Err(conflict.into());
            }
            return unwrap(*answer).ok_or(conflict.into());
        }
        let result = run(self);
        if let Ok(value) = result {
            self.ops.insert(op, (call.clone(), wrap(value)));
        }
        result
    }
}
