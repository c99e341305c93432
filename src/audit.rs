//! [`Engine::audit`]: a full check of the engine's invariants, for tests, fuzzers and
//! operators.
//!
//! The data path keeps the guarantees with atomics and never re-checks them; the audit
//! recounts everything from scratch and compares. It checks each property on two paths where
//! it can: a slot's `booked` counter against the bookings the ledger holds for it, and the
//! engine's running counters (active admitted, full slots) against a recount.
//!
//! It reads every place and every slot, so it is O(people + slots) and allocates: call it
//! between steps, not on the data path, and only while no other thread is mid-call (under
//! concurrency it may report a mismatch that is only in flight).

use core::fmt;

use crate::person_state::Phase;
use crate::{Engine, PersonId, Seq, SlotId};

/// One broken invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Violation {
    /// A slot holds more bookings than its capacity.
    Overbooked {
        /// The slot.
        slot: SlotId,
        /// Its booked counter.
        booked: u32,
        /// Its capacity.
        capacity: u32,
    },
    /// A slot's booked counter disagrees with the bookings people hold of it.
    BookedCountMismatch {
        /// The slot.
        slot: SlotId,
        /// Its booked counter.
        counter: u32,
        /// Bookings of it found in the ledger.
        held: u32,
    },
    /// A person holds more bookings than the limit.
    OverLimit {
        /// Their place.
        seq: Seq,
        /// Bookings held.
        bookings: u8,
        /// The limit.
        bookings_max: u8,
    },
    /// A booking is held by a place the engine never admitted.
    BookingWithoutAdmission {
        /// The place.
        seq: Seq,
        /// The slot booked.
        slot: SlotId,
    },
    /// A place's ledger cells disagree with its bookings count.
    LedgerMismatch {
        /// The place.
        seq: Seq,
    },
    /// A handed-out place has no person published in it (sequences must be dense).
    Hole {
        /// The place.
        seq: Seq,
    },
    /// A place below the admission cursor is still waiting, or one at or above it has been
    /// admitted: admission did not follow sequence order.
    OutOfOrder {
        /// The place.
        seq: Seq,
    },
    /// The person table and the ring disagree about a person's place.
    TableRingMismatch {
        /// The person.
        person: PersonId,
        /// Their place according to the table.
        seq: Seq,
    },
    /// A person has more than one live place.
    DuplicatePlace {
        /// The person.
        person: PersonId,
    },
    /// A running counter disagrees with a recount.
    CounterMismatch {
        /// Which counter.
        counter: &'static str,
        /// What it says.
        recorded: i64,
        /// What the recount says.
        counted: i64,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Overbooked {
                slot,
                booked,
                capacity,
            } => write!(
                f,
                "{slot} holds {booked} bookings but has capacity {capacity}"
            ),
            Violation::BookedCountMismatch {
                slot,
                counter,
                held,
            } => write!(f, "{slot} counts {counter} bookings but people hold {held}"),
            Violation::OverLimit {
                seq,
                bookings,
                bookings_max,
            } => write!(
                f,
                "place {seq} holds {bookings} bookings, more than {bookings_max}"
            ),
            Violation::BookingWithoutAdmission { seq, slot } => {
                write!(f, "place {seq} holds {slot} but was never admitted")
            }
            Violation::LedgerMismatch { seq } => {
                write!(f, "place {seq}: ledger and bookings count disagree")
            }
            Violation::Hole { seq } => write!(f, "place {seq} was handed out but holds nobody"),
            Violation::OutOfOrder { seq } => {
                write!(
                    f,
                    "place {seq} is on the wrong side of the admission cursor"
                )
            }
            Violation::TableRingMismatch { person, seq } => {
                write!(f, "{person}: the table says {seq} but the ring disagrees")
            }
            Violation::DuplicatePlace { person } => write!(f, "{person} holds two live places"),
            Violation::CounterMismatch {
                counter,
                recorded,
                counted,
            } => write!(f, "{counter} is {recorded} but a recount gives {counted}"),
        }
    }
}

/// What [`Engine::audit`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditReport {
    /// Every broken invariant (empty when all hold).
    pub violations: Vec<Violation>,
    /// Places checked.
    pub places: u64,
    /// Slots checked.
    pub slots: u32,
    /// Bookings held in all.
    pub bookings: u64,
    /// Free seats left in all.
    pub free_seats: u64,
}

impl AuditReport {
    /// `true` if no invariant is broken.
    pub fn is_ok(&self) -> bool {
        self.violations.is_empty()
    }
}

impl fmt::Display for AuditReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} places, {} slots, {} bookings, {} free seats: ",
            self.places, self.slots, self.bookings, self.free_seats
        )?;
        if self.is_ok() {
            return write!(f, "all invariants hold");
        }
        write!(f, "{} violations", self.violations.len())?;
        for violation in &self.violations {
            write!(f, "\n  - {violation}")?;
        }
        Ok(())
    }
}

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
        let ring = self.room.ring();
        let places = ring.claimed_count();
        let admit_cursor = ring.admit_cursor();
        let slots = self.inventory.len();
        let bookings_max = self.config().bookings_per_person_max;

        let mut held_by_slot = vec![0u32; slots as usize];
        let mut active_counted = 0i64;
        let mut bookings = 0u64;
        for raw in 0..places {
            let seq = Seq::new(raw);
            let state = ring.state(seq);
            let phase = state.phase();
            if phase == Phase::Empty {
                violations.push(Violation::Hole { seq });
                continue;
            }
            let admitted = !matches!(phase, Phase::Waiting | Phase::Left);
            let below_cursor = raw < admit_cursor;
            if (phase == Phase::Waiting && below_cursor) || (admitted && !below_cursor) {
                violations.push(Violation::OutOfOrder { seq });
            }
            if state.is_active() {
                active_counted += 1;
            }
            let count = state.bookings_count();
            if count > bookings_max {
                violations.push(Violation::OverLimit {
                    seq,
                    bookings: count,
                    bookings_max,
                });
            }
            for index in 0..bookings_max {
                let cell = self.ledger.get(seq, index);
                if (index < count) != cell.is_some() {
                    violations.push(Violation::LedgerMismatch { seq });
                }
                let Some(slot) = cell else { continue };
                bookings += 1;
                if phase != Phase::Leased {
                    violations.push(Violation::BookingWithoutAdmission { seq, slot });
                }
                match held_by_slot.get_mut(slot.as_index()) {
                    Some(held) => *held += 1,
                    None => violations.push(Violation::LedgerMismatch { seq }),
                }
            }
        }

        let mut free_seats = 0u64;
        let mut full_counted = 0i64;
        for raw in 0..slots {
            let slot = SlotId::new(raw);
            let Some(view) = self.inventory.view(slot) else {
                continue;
            };
            if view.booked > view.spec.capacity {
                violations.push(Violation::Overbooked {
                    slot,
                    booked: view.booked,
                    capacity: view.spec.capacity,
                });
            }
            if view.booked != held_by_slot[raw as usize] {
                violations.push(Violation::BookedCountMismatch {
                    slot,
                    counter: view.booked,
                    held: held_by_slot[raw as usize],
                });
            }
            if view.booked >= view.spec.capacity {
                full_counted += 1;
            }
            free_seats += u64::from(view.spec.capacity.saturating_sub(view.booked));
        }

        // Every person in the table points at a place holding them, and that place is their
        // only live one: a MOVED place is dead, and the table points past it.
        let mut live_places = 0u64;
        for (person, entry) in self.room.table().entries() {
            if entry.is_refused() {
                continue;
            }
            let seq = entry.seq();
            if seq.as_u64() >= places
                || ring.person(seq) != person
                || ring.state(seq).phase() == Phase::Moved
            {
                violations.push(Violation::TableRingMismatch { person, seq });
            }
            live_places += 1;
        }
        let moved = (0..places)
            .filter(|&raw| ring.state(Seq::new(raw)).phase() == Phase::Moved)
            .count() as u64;
        if live_places + moved != places {
            // More places than people-plus-requeues: someone holds two.
            for raw in 0..places {
                let seq = Seq::new(raw);
                let person = ring.person(seq);
                let live = self.room.table().find(person).map(|entry| entry.seq());
                if ring.state(seq).phase() != Phase::Moved && live != Some(seq) {
                    violations.push(Violation::DuplicatePlace { person });
                }
            }
        }

        let counters = [
            (
                "active admitted count",
                self.room.active_count() as i64,
                active_counted,
            ),
            (
                "full slots count",
                self.inventory.full_count(),
                full_counted,
            ),
        ];
        for (counter, recorded, counted) in counters {
            if recorded != counted {
                violations.push(Violation::CounterMismatch {
                    counter,
                    recorded,
                    counted,
                });
            }
        }

        AuditReport {
            violations,
            places,
            slots,
            bookings,
            free_seats,
        }
    }
}
