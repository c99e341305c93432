//! [`Engine::audit`]: the recount of every invariant, across both wings.
//!
//! The data path keeps the guarantees with atomics and never re-checks them; the audit
//! recounts everything from scratch and compares. Each wing checks its own invariants (the
//! waiting room: dense places in order, table and ring agreeing, one live place per person,
//! the active count; the inventory: capacity and the full count); this file checks what only
//! the façade sees, where a booking meets a place: every booking and hold (and every seat held
//! for an offer) in the ledger belongs to an admitted place, agrees with the place's state,
//! and is counted by its slot; every hold has a deadline and a mark for the door, and the live
//! holds are counted; every series names two bookings of its place; every dependant's table
//! entry is a member of their holder's group, and every dependant's seat is counted by its
//! slot.
//!
//! It reads every place and every slot, so it is O(people + slots) and allocates: call it
//! between steps, not on the data path, and only while no other thread is mid-call (under
//! concurrency it may report a mismatch that is only in flight).

use std::collections::HashMap;

use super::Engine;
use crate::audit::{AuditReport, Violation};

impl Engine {
    /// Recounts everything and checks every invariant: for every slot, bookings ≤ capacity
    /// and the counter equals the bookings people hold; for every person, bookings ≤ the
    /// limit and every booking belongs to a place the engine admitted; places are dense, in
    /// order around the admission cursor, and the person table and the ring agree; the
    /// running counters match a recount.
    ///
    /// O(people + slots) and allocating: for tests, fuzzers and operators, between steps.
    /// Call it while no other thread is mid-call.
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config::default())?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// engine.enqueue(PersonId::new(1), CohortId::new(0), Timestamp::ZERO).unwrap();
    /// engine.advance(Timestamp::ZERO, 1).unwrap();
    /// engine.reserve(PersonId::new(1), &[slot], Timestamp::ZERO).unwrap();
    /// let report = engine.audit();
    /// assert!(report.is_ok(), "{report}");
    /// assert_eq!((report.bookings, report.free_seats), (1, 0));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn audit(&self) -> AuditReport {
        let mut violations = Vec::new();
        let slots = self.inventory.len();
        let bookings_max = self.config.bookings_per_person_max;
        let mut held_by_slot = vec![0u32; slots as usize];
        let (mut bookings, mut holds, mut series) = (0u64, 0u64, 0u64);
        let mut lease_of = vec![false; self.room.places_handed_out() as usize];
        let mut room_violations = Vec::new();
        self.room.audit(&mut room_violations, |seq, place| {
            let count = place.bookings_count;
            if count > bookings_max {
                violations.push(Violation::OverLimit {
                    seq,
                    bookings: count,
                    bookings_max,
                });
            }
            for index in 0..bookings_max {
                let cell = self.ledger.get(seq, index);
                // The first `count` cells hold bookings, and the next one the seat held for
                // an offered person.
                let in_use = index < count || (place.offered && index == count);
                if in_use != cell.is_some() {
                    violations.push(Violation::LedgerMismatch { seq });
                }
                let Some(slot) = cell else { continue };
                if self.ledger.is_held(seq, index) {
                    holds += 1;
                } else {
                    bookings += 1;
                }
                if !place.holds_lease {
                    violations.push(Violation::BookingWithoutAdmission { seq, slot });
                }
                match held_by_slot.get_mut(slot.as_index()) {
                    Some(held) => *held += 1,
                    None => violations.push(Violation::LedgerMismatch { seq }),
                }
            }
            if !self.audit_place_holds(seq, count.min(bookings_max)) {
                violations.push(Violation::HoldMismatch { seq });
            }
            if let Some((first, second)) = self.series_of(seq) {
                series += 1;
                let count = count.min(bookings_max);
                let booked = |leg| self.ledger.booking_position(seq, count, leg).is_some();
                if first == second || !booked(first) || !booked(second) {
                    violations.push(Violation::SeriesMismatch { seq });
                }
            }
            if let Some(lease) = lease_of.get_mut(seq.as_index()) {
                *lease = place.holds_lease;
            }
        });
        violations.append(&mut room_violations);
        if self.holds_live() != holds {
            violations.push(Violation::CounterMismatch {
                counter: "live holds",
                recorded: self.holds_live() as i64,
                counted: holds as i64,
            });
        }
        let dependant_seats = self.audit_groups(&lease_of, &mut held_by_slot, &mut violations);
        bookings += dependant_seats;
        let free_seats = self.inventory.audit(&held_by_slot, &mut violations);
        AuditReport {
            violations,
            places: self.room.places_handed_out(),
            slots,
            bookings,
            holds,
            series,
            dependant_seats,
            free_seats,
            longest_probe: self.room.longest_probe(),
        }
    }

    /// Checks every group against the table's dependants and counts their seats into
    /// `held_by_slot`; returns the seats.
    fn audit_groups(
        &self,
        lease_of: &[bool],
        held_by_slot: &mut [u32],
        violations: &mut Vec<Violation>,
    ) -> u64 {
        if !self.groups.is_on() {
            return 0;
        }
        let mut linked: HashMap<_, _> = self.room.dependants().collect();
        let (mut groups, mut seats) = (0u32, 0u64);
        for (holder, members) in self.groups_by_place() {
            groups += 1;
            for (person, seat) in members {
                if linked.remove(&person) != Some(holder) {
                    violations.push(Violation::GroupMismatch { person });
                }
                let Some(slot) = seat else { continue };
                seats += 1;
                if !self.holder_books(holder, slot) {
                    violations.push(Violation::GroupMismatch { person });
                }
                if lease_of.get(holder.as_index()) != Some(&true) {
                    violations.push(Violation::BookingWithoutAdmission { seq: holder, slot });
                }
                match held_by_slot.get_mut(slot.as_index()) {
                    Some(held) => *held += 1,
                    None => violations.push(Violation::GroupMismatch { person }),
                }
            }
        }
        for person in linked.into_keys() {
            violations.push(Violation::GroupMismatch { person });
        }
        let (handed_out, counted) = self.groups_counts();
        for (counter, recorded) in [
            ("groups handed out", handed_out),
            ("groups counted", counted),
        ] {
            if recorded != groups {
                violations.push(Violation::CounterMismatch {
                    counter,
                    recorded: i64::from(recorded),
                    counted: i64::from(groups),
                });
            }
        }
        seats
    }
}
