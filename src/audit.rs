//! What [`Engine::audit`](crate::Engine::audit) reports: an [`AuditReport`] listing every
//! broken invariant as a [`Violation`].
//!
//! The recount itself lives beside the engine (and each wing checks its own part); this
//! module is only the vocabulary, so that both wings can name what they find.
//!
//! It checks each property on two paths where it can: a slot's `booked` counter against the
//! bookings the ledger holds for it, and the engine's running counters (active admitted, full
//! slots) against a recount.

use core::fmt;

use crate::ids::{PersonId, Seq, SlotId};

/// One broken invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "violation", rename_all = "snake_case")
)]
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
                "slot {slot} holds {booked} bookings but has capacity {capacity}"
            ),
            Violation::BookedCountMismatch {
                slot,
                counter,
                held,
            } => write!(
                f,
                "slot {slot} counts {counter} bookings but people hold {held}"
            ),
            Violation::OverLimit {
                seq,
                bookings,
                bookings_max,
            } => write!(
                f,
                "place {seq} holds {bookings} bookings, more than {bookings_max}"
            ),
            Violation::BookingWithoutAdmission { seq, slot } => {
                write!(f, "place {seq} holds slot {slot} but was never admitted")
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
                write!(
                    f,
                    "person {person}: the table says place {seq} but the ring disagrees"
                )
            }
            Violation::DuplicatePlace { person } => {
                write!(f, "person {person} holds two live places")
            }
            Violation::CounterMismatch {
                counter,
                recorded,
                counted,
            } => write!(f, "{counter} is {recorded} but a recount gives {counted}"),
        }
    }
}

/// What [`Engine::audit`](crate::Engine::audit) found.
///
/// With the `serde` feature a report serializes (for an operator's endpoint, say); it does not
/// deserialize, since a violation names its counter with a `&'static str`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
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
    /// The most cells of the person table any join or lookup walks. A handful with honest ids
    /// (about 20 at the reference surge); in the thousands means ids that collide on purpose,
    /// and a [`Config::person_hash_key`](crate::Config::person_hash_key) to keep secret.
    pub longest_probe: u64,
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
