//! The waiting room's side of recovery: applying the records a journal kept
//! ([`Record`](crate::Record)) and restoring or exporting a snapshot of every place.
//!
//! Replay runs on an engine no other thread uses, in the journal's order. It applies each
//! change as the data path made it, without the checks that decided it then (the time, the
//! cohort window, the inventory): the record says it happened. It checks instead that the
//! change fits the state (a join at a free place, an admission of waiting people), and
//! refuses what does not with a reason, so that a journal that is not this engine's history
//! is an error, never a silently different state.

use super::WaitingRoom;
use super::person_state::{PersonState, Phase};
use super::person_table::Located;
use crate::ids::{PersonId, Seq};
use crate::time::Timestamp;

/// One place as a snapshot keeps it: the person and the packed state word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PlaceImage {
    pub(crate) person: u64,
    pub(crate) state: u64,
}

impl WaitingRoom {
    /// A first join: `person` waits at `seq`.
    pub(crate) fn replay_join(&self, person: PersonId, seq: Seq) -> Result<(), &'static str> {
        if !person.is_valid() {
            return Err("the person id is reserved");
        }
        if seq.as_u64() >= self.ring.len() {
            return Err("the place is past people_max");
        }
        if self.ring.state(seq).phase() != Phase::Empty {
            return Err("the place is taken");
        }
        let Located::Claimed(cell) = self.table.locate_or_claim(person) else {
            return Err("the person already holds a place, or the table is crowded");
        };
        self.ring.replay_claim(seq);
        self.ring.publish(seq, person);
        self.table.publish(cell, seq);
        Ok(())
    }

    /// A requeue: `person` leaves the lapsed place `from` and waits at `to`.
    pub(crate) fn replay_requeue(
        &self,
        person: PersonId,
        from: Seq,
        to: Seq,
    ) -> Result<(), &'static str> {
        if to.as_u64() >= self.ring.len() || self.ring.state(to).phase() != Phase::Empty {
            return Err("the new place is past people_max or taken");
        }
        let entry = self.table.find(person).ok_or("the person holds no place")?;
        if entry.seq() != from || entry.is_retired() || entry.is_refused() {
            return Err("the person's place is not the one they leave");
        }
        let state = self.ring.lock(from);
        if !matches!(state.phase(), Phase::Leased | Phase::Lapsed) || state.bookings_count() > 0 {
            self.ring.unlock(from, state);
            return Err("the place left is not a lapsed lease");
        }
        if state.is_active() {
            self.active.decrement(self.tags.get(from));
        }
        self.ring.unlock(from, state.with_phase(Phase::Moved));
        // The new place keeps the scope of the old one.
        self.tags.set(to, self.tags.get(from));
        self.ring.replay_claim(to);
        self.ring.publish(to, person);
        self.table.move_to(entry.cell, to);
        Ok(())
    }

    /// The door's sweep of `[swept_from, swept_to)` at time `door`, then its admission of
    /// every waiting place in `[admitted_from, admitted_to)` until `lease_until`.
    pub(crate) fn replay_advance(
        &self,
        door: Timestamp,
        (swept_from, swept_to): (Seq, Seq),
        (admitted_from, admitted_to): (Seq, Seq),
        lease_until: Timestamp,
    ) -> Result<(), &'static str> {
        if swept_from > swept_to
            || swept_to.as_u64() > self.ring.admit_cursor()
            || admitted_from.as_u64() != self.ring.admit_cursor()
            || admitted_to < admitted_from
            || admitted_to.as_u64() > self.ring.claimed_count()
        {
            return Err("the ranges do not follow the cursors");
        }
        for raw in swept_from.as_u64()..swept_to.as_u64() {
            let seq = Seq::new(raw);
            let state = self.ring.state(seq);
            if state.is_active() && state.deadline() <= door {
                self.ring.lock(seq);
                self.ring.unlock(seq, state.with_phase(Phase::Lapsed));
                self.active.decrement(self.tags.get(seq));
            }
        }
        let leased = PersonState::leased(lease_until);
        for raw in admitted_from.as_u64()..admitted_to.as_u64() {
            let seq = Seq::new(raw);
            match self.ring.state(seq).phase() {
                Phase::Waiting => {
                    self.ring.lock(seq);
                    self.ring.unlock(seq, leased);
                    self.active.increment(self.tags.get(seq));
                }
                Phase::Left | Phase::Void => {}
                _ => return Err("a place admitted was not waiting"),
            }
        }
        self.ring.set_admit_cursor(admitted_to.as_u64());
        Ok(())
    }

    /// Marks every place claimed but never published (a join whose record was lost in a
    /// crash, never acknowledged) as void: nobody holds it, and the door passes it.
    pub(crate) fn seal_holes(&self) {
        for raw in 0..self.ring.claimed_count() {
            let seq = Seq::new(raw);
            if self.ring.state(seq).phase() == Phase::Empty {
                self.ring.publish_void(seq);
                self.ring.note_left(seq);
            }
        }
    }

    /// Every handed-out place, in order, for a snapshot (the caller holds the engine quiet).
    pub(crate) fn export_places(&self) -> impl Iterator<Item = PlaceImage> + '_ {
        (0..self.ring.claimed_count()).map(|raw| {
            let seq = Seq::new(raw);
            PlaceImage {
                person: self.ring.person(seq).as_u64(),
                state: self.ring.state(seq).without_busy().bits(),
            }
        })
    }

    /// Restores the places of a snapshot, in order from place 0, into a new room, and the
    /// admission cursor; the person table, the count of leavers and the active count are
    /// rebuilt from them. Returns, for each restored place, whether it holds a lease (so
    /// that the caller can restore its bookings).
    pub(crate) fn import_places(
        &self,
        places: impl IntoIterator<Item = PlaceImage>,
        admit_cursor: u64,
    ) -> Result<(), &'static str> {
        let mut count = 0u64;
        for image in places {
            let seq = Seq::new(count);
            if count >= self.ring.len() {
                return Err("more places than people_max");
            }
            let state = PersonState::from_bits(image.state);
            let person = PersonId::new(image.person);
            if !state.is_well_formed() {
                return Err("a place's state is not one the engine writes");
            }
            match state.phase() {
                // Claimed by a join whose record comes after the snapshot's (a replica's
                // snapshot while traffic continued): it stays open for that record, and a
                // recovery seals it if none comes.
                Phase::Empty => {
                    if count < admit_cursor {
                        return Err("a place below the admission cursor is empty");
                    }
                    self.ring.replay_claim(seq);
                }
                Phase::Void => {
                    self.ring.replay_claim(seq);
                    self.ring.publish_void(seq);
                    self.ring.note_left(seq);
                }
                phase => {
                    if !person.is_valid() {
                        return Err("a place holds the reserved person id");
                    }
                    self.ring.replay_claim(seq);
                    self.ring.restore(seq, person, state);
                    if state.is_active() {
                        self.active.increment(self.tags.get(seq));
                    }
                    match phase {
                        // A dead place: the person's current place comes later.
                        Phase::Moved => {}
                        _ => {
                            let Located::Claimed(cell) = self.table.locate_or_claim(person) else {
                                return Err("a person holds two live places");
                            };
                            self.table.publish(cell, seq);
                            if phase == Phase::Left {
                                self.table.retire(cell);
                                self.ring.note_left(seq);
                            }
                        }
                    }
                }
            }
            count += 1;
        }
        if admit_cursor > count {
            return Err("the admission cursor is past the places");
        }
        // A place admitted or left below the cursor, waiting at or above it: the audit's rule.
        for raw in 0..count {
            let phase = self.ring.state(Seq::new(raw)).phase();
            let waiting = phase == Phase::Waiting;
            let admitted = !matches!(
                phase,
                Phase::Empty | Phase::Waiting | Phase::Left | Phase::Void
            );
            if (raw < admit_cursor && waiting) || (raw >= admit_cursor && admitted) {
                return Err("places are on the wrong side of the admission cursor");
            }
        }
        self.ring.set_admit_cursor(admit_cursor);
        Ok(())
    }
}
