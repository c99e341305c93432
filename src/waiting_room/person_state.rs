//! A person's state in the admission ring, packed into one `u64` so that every transition is a
//! single compare-and-swap.
//!
//! ```text
//!  63                                12  11   10    9  8      5 4    3    2     0
//! +------------------------------------+-----+----+----+--------+----+----+-------+
//! |   lease deadline, ms (52 bits)     |spare|VOID|OFFR| count  | HB |BUSY| phase |
//! +------------------------------------+-----+----+----+--------+----+----+-------+
//! ```
//!
//! - `phase` (3 bits): where the person is in their journey; see [`Phase`].
//! - `BUSY`: a per-person lock bit. `reserve`, `release` and a requeue hold it for a handful of
//!   atomic steps so that a person's bookings and state change together; `advance` and the
//!   lease sweep never set it, they compare-and-swap around it.
//! - `HB` ("has booked"): set on a person's first booking and never cleared. A person with
//!   `HB` no longer counts as an *active* admitted person (the outflow cap counts people who
//!   hold a lease and have not booked yet), even if they give a booking back.
//! - `OFFR` ("offered"): the door holds a seat for this person, taken on their behalf while
//!   they were on standby; the ledger's cell `count` names its slot. They confirm it by
//!   booking it, or it lapses with their lease. An offered person is not *active*: their
//!   seat is secured.
//! - `VOID`: with LEFT's phase bits, the place is VOID (see [`Phase::Void`]): the phase field
//!   holds eight phases, and VOID, which only recovery writes, is the ninth.
//! - `count` (4 bits): bookings held now, at most
//!   [`Config::bookings_per_person_max`](crate::Config::bookings_per_person_max) (at most
//!   [`BOOKINGS_PER_PERSON_LIMIT`], 15).
//! - `deadline`: the lease deadline, meaningful once the person has been admitted.
//!
//! Every combination that can occur:
//!
//! | phase    | BUSY | HB  | count | deadline | meaning                                          |
//! |----------|------|-----|-------|----------|--------------------------------------------------|
//! | EMPTY    | 0    | 0   | 0     | 0        | sequence claimed, person not yet published       |
//! | WAITING  | 0/1  | 0   | 0     | 0        | in line                                          |
//! | LEASED   | 0/1  | 0   | 0     | set      | admitted, has not booked; *active*               |
//! | LEASED   | 0/1  | 1   | 0..15 | set      | admitted, has booked (maybe given back since)    |
//! | LEASED+O | 0/1  | 0   | 0     | set      | offered a seat, held until the deadline          |
//! | STANDBY  | 0/1  | 0   | 0     | set      | admitted, found no room, waits for a seat (kept) |
//! | LAPSED   | 0/1  | 0   | 0     | set      | lease ran out without a booking (swept)          |
//! | LEFT     | 0    | 0   | 0     | 0        | gave their place back before admission           |
//! | DONE     | 0    | 0/1 | 0     | set      | admitted, then gave everything back              |
//! | MOVED    | 0    | 0   | 0     | set      | lapsed, then rejoined at a later sequence        |
//! | VOID     | 0    | 0   | 0     | 0        | claimed, join lost in a crash (recovery only)    |
//!
//! A LEASED person whose deadline has passed is *lapsed* even before the sweep marks them:
//! every reader compares the deadline with its own `now`; an offered person (whose seat is
//! held) lapses only when the door returns the seat, at its first turn after the deadline.
//! A person on STANDBY keeps their turn for as long as it takes: the deadline field keeps the
//! lease they had, and nothing lapses it.

use crate::config::BOOKINGS_PER_PERSON_LIMIT;
use crate::time::Timestamp;

/// Where a person is in their journey.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Empty = 0,
    Waiting = 1,
    Leased = 2,
    Lapsed = 3,
    Left = 4,
    Done = 5,
    Moved = 6,
    Standby = 7,
    /// Claimed, but its join was never recorded: lost in a crash before its record was
    /// durable, so nobody holds it (found only by recovery from a journal). Its bits are
    /// LEFT's with the `VOID` flag: the three phase bits hold eight phases only.
    Void = 8,
}

const PHASE_MASK: u64 = 0b111;
const BUSY: u64 = 1 << 3;
const HAS_BOOKED: u64 = 1 << 4;
const COUNT_SHIFT: u32 = 5;
const COUNT_MASK: u64 = 0b1111 << COUNT_SHIFT;
const OFFERED: u64 = 1 << 9;
/// With LEFT's phase bits: VOID (see [`Phase::Void`]).
const VOID: u64 = 1 << 10;
const DEADLINE_SHIFT: u32 = 12;

// The limit is exactly what the count field holds, and the deadline's 52 bits are exactly what
// `Timestamp::MAX` allows: a deadline is never cut short by the packing.
const _: () = assert!(BOOKINGS_PER_PERSON_LIMIT as u64 == COUNT_MASK >> COUNT_SHIFT);
const _: () = assert!(DEADLINE_SHIFT > COUNT_SHIFT + 4);
const _: () = assert!(Timestamp::MAX.as_millis() == u64::MAX >> DEADLINE_SHIFT);
const _: () = assert!(Phase::Standby as u64 <= PHASE_MASK);
const _: () = assert!(OFFERED & (COUNT_MASK | PHASE_MASK | BUSY | HAS_BOOKED) == 0);
const _: () = assert!(OFFERED < 1 << DEADLINE_SHIFT);
const _: () = assert!(VOID & (OFFERED | COUNT_MASK | PHASE_MASK | BUSY | HAS_BOOKED) == 0);
const _: () = assert!(VOID < 1 << DEADLINE_SHIFT);

/// One person's packed state. See the module docs for the layout.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct PersonState(u64);

impl PersonState {
    pub(crate) const WAITING: PersonState = PersonState(Phase::Waiting as u64);

    pub(crate) const fn from_bits(bits: u64) -> PersonState {
        PersonState(bits)
    }

    pub(crate) const fn bits(self) -> u64 {
        self.0
    }

    /// A freshly admitted person with a lease until `deadline`.
    pub(crate) fn leased(deadline: Timestamp) -> PersonState {
        PersonState(Phase::Leased as u64 | (deadline.as_millis() << DEADLINE_SHIFT))
    }

    pub(crate) fn phase(self) -> Phase {
        match self.0 & PHASE_MASK {
            0 => Phase::Empty,
            1 => Phase::Waiting,
            2 => Phase::Leased,
            3 => Phase::Lapsed,
            4 if self.0 & VOID != 0 => Phase::Void,
            4 => Phase::Left,
            5 => Phase::Done,
            6 => Phase::Moved,
            _ => Phase::Standby,
        }
    }

    pub(crate) fn with_phase(self, phase: Phase) -> PersonState {
        let bits = self.0 & !(PHASE_MASK | VOID);
        PersonState(match phase {
            Phase::Void => bits | Phase::Left as u64 | VOID,
            phase => bits | phase as u64,
        })
    }

    pub(crate) fn is_busy(self) -> bool {
        self.0 & BUSY != 0
    }

    pub(crate) fn with_busy(self) -> PersonState {
        PersonState(self.0 | BUSY)
    }

    pub(crate) fn without_busy(self) -> PersonState {
        PersonState(self.0 & !BUSY)
    }

    pub(crate) fn has_booked(self) -> bool {
        self.0 & HAS_BOOKED != 0
    }

    pub(crate) fn bookings_count(self) -> u8 {
        ((self.0 & COUNT_MASK) >> COUNT_SHIFT) as u8
    }

    /// The same state holding `count` bookings; a nonzero count also sets "has booked".
    pub(crate) fn with_bookings_count(self, count: u8) -> PersonState {
        debug_assert!(count <= BOOKINGS_PER_PERSON_LIMIT);
        let bits = (self.0 & !COUNT_MASK) | ((u64::from(count) << COUNT_SHIFT) & COUNT_MASK);
        PersonState(if count > 0 { bits | HAS_BOOKED } else { bits })
    }

    pub(crate) fn deadline(self) -> Timestamp {
        Timestamp::from_millis(self.0 >> DEADLINE_SHIFT)
    }

    /// The same state with a new deadline.
    pub(crate) fn with_deadline(self, deadline: Timestamp) -> PersonState {
        PersonState(
            (self.0 & ((1 << DEADLINE_SHIFT) - 1)) | (deadline.as_millis() << DEADLINE_SHIFT),
        )
    }

    /// The door holds a seat for this person (see the module docs).
    pub(crate) fn is_offered(self) -> bool {
        self.0 & OFFERED != 0
    }

    /// The same state, offered a seat or not.
    pub(crate) fn with_offered(self, offered: bool) -> PersonState {
        PersonState(if offered {
            self.0 | OFFERED
        } else {
            self.0 & !OFFERED
        })
    }

    /// A state the engine could have written (the table in the module docs), busy bit clear:
    /// what a snapshot may restore.
    pub(crate) fn is_well_formed(self) -> bool {
        const SPARE: u64 = 1 << 11;
        if self.0 & (SPARE | BUSY) != 0 {
            return false;
        }
        let only_phase = self.0 & !(PHASE_MASK | VOID) == 0;
        let count = self.bookings_count();
        let void = self.0 & VOID != 0;
        if void != (self.phase() == Phase::Void) {
            return false;
        }
        if self.is_offered() && (self.phase() != Phase::Leased || self.has_booked()) {
            return false;
        }
        match self.phase() {
            Phase::Empty | Phase::Waiting | Phase::Left | Phase::Void => only_phase,
            Phase::Leased => {
                count <= BOOKINGS_PER_PERSON_LIMIT && (count == 0 || self.has_booked())
            }
            Phase::Lapsed => count == 0 && !self.has_booked(),
            Phase::Standby => count == 0,
            Phase::Done | Phase::Moved => count == 0 && !self.is_offered(),
        }
    }

    /// Counted as an *active* admitted person: holds a lease, has never booked and holds no
    /// offered seat.
    ///
    /// The engine's active count is, at every quiescent point, the number of ring entries
    /// for which this is true; every transition into or out of it adjusts the count once.
    pub(crate) fn is_active(self) -> bool {
        self.phase() == Phase::Leased && !self.has_booked() && !self.is_offered()
    }
}

impl core::fmt::Debug for PersonState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PersonState")
            .field("phase", &self.phase())
            .field("busy", &self.is_busy())
            .field("has_booked", &self.has_booked())
            .field("bookings_count", &self.bookings_count())
            .field("offered", &self.is_offered())
            .field("deadline", &self.deadline())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_without_touching_each_other() {
        let deadline = Timestamp::MAX;
        let state = PersonState::leased(deadline)
            .with_bookings_count(15)
            .with_busy();
        assert_eq!(state.phase(), Phase::Leased);
        assert_eq!(state.deadline(), deadline);
        assert_eq!(state.bookings_count(), 15);
        assert!(state.is_busy() && state.has_booked());
        let back = state
            .without_busy()
            .with_bookings_count(0)
            .with_phase(Phase::Done);
        assert_eq!(back.phase(), Phase::Done);
        assert_eq!(back.deadline(), deadline);
        assert_eq!(back.bookings_count(), 0);
        assert!(!back.is_busy());
        assert!(back.has_booked(), "has-booked is sticky");
    }

    #[test]
    fn active_means_leased_and_never_booked() {
        let leased = PersonState::leased(Timestamp::from_millis(10));
        assert!(leased.is_active());
        assert!(!leased.with_bookings_count(1).is_active());
        assert!(
            !leased
                .with_bookings_count(1)
                .with_bookings_count(0)
                .is_active()
        );
        assert!(!leased.with_phase(Phase::Lapsed).is_active());
    }
}
