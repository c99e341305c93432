//! What both kinds of run keep about each person while it plays ([`PersonRecord`], counted by
//! [`Phase`] in [`Tally`]), and how an admitted person books ([`book`] over [`Seats`]).

use crate::fairness::PersonOutcome;
use fairbook::{PersonId, SlotId, Timestamp};

use super::Arrivals;

/// Where a person is in their story.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Their first device has not come yet.
    NotArrived,
    /// Arrived, but kept out of the line for now: a pre-queue before the opening, a lottery
    /// before the draw, or (2021 baseline) refreshing before the opening.
    Held,
    /// In line.
    Waiting,
    /// Let in; has not booked yet.
    Admitted,
    /// Holds a booking.
    Booked,
    /// Out of the story: gave up, found nothing, lapsed, or gave their booking back.
    Gone,
}

impl Phase {
    const COUNT: usize = 6;

    fn index(self) -> usize {
        self as usize
    }
}

/// How many people are in each phase.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Tally([u64; Phase::COUNT]);

impl Tally {
    pub(crate) fn of(&self, phase: Phase) -> u64 {
        self.0[phase.index()]
    }

    /// Booked or gone: nothing more will happen to them but a release.
    pub(crate) fn settled(&self) -> u64 {
        self.of(Phase::Booked) + self.of(Phase::Gone)
    }

    pub(crate) fn in_line(&self) -> u64 {
        self.of(Phase::Held) + self.of(Phase::Waiting)
    }
}

/// One person's state during a run, and what ends up in their outcome row.
#[derive(Clone, Debug)]
pub(crate) struct PersonRecord {
    pub(crate) phase: Phase,
    /// Gave up without a word: still holds their place, but does nothing any more.
    pub(crate) silent: bool,
    pub(crate) devices_arrived: u8,
    pub(crate) admitted_at: Option<Timestamp>,
    pub(crate) admit_rank: Option<u64>,
    pub(crate) got_choice: Option<u8>,
    pub(crate) bounces: u32,
    pub(crate) bypass_booking: bool,
    pub(crate) found_sold_out: bool,
}

/// Everyone's records, with the phase tally kept in step.
pub(crate) struct People {
    records: Vec<PersonRecord>,
    tally: Tally,
}

impl People {
    pub(crate) fn new(len: usize) -> People {
        let record = PersonRecord {
            phase: Phase::NotArrived,
            silent: false,
            devices_arrived: 0,
            admitted_at: None,
            admit_rank: None,
            got_choice: None,
            bounces: 0,
            bypass_booking: false,
            found_sold_out: false,
        };
        let mut tally = Tally::default();
        tally.0[Phase::NotArrived.index()] = len as u64;
        People {
            records: vec![record; len],
            tally,
        }
    }

    pub(crate) fn get(&self, person: u32) -> &PersonRecord {
        &self.records[person as usize]
    }

    /// The record, for any change but the phase (use [`People::set_phase`]).
    pub(crate) fn get_mut(&mut self, person: u32) -> &mut PersonRecord {
        &mut self.records[person as usize]
    }

    pub(crate) fn phase(&self, person: u32) -> Phase {
        self.records[person as usize].phase
    }

    pub(crate) fn set_phase(&mut self, person: u32, phase: Phase) {
        let record = &mut self.records[person as usize];
        self.tally.0[record.phase.index()] -= 1;
        self.tally.0[phase.index()] += 1;
        record.phase = phase;
    }

    pub(crate) fn tally(&self) -> Tally {
        self.tally
    }

    /// Marks everyone still in line as having found the inventory gone, and returns how many
    /// are still in line.
    pub(crate) fn close_line(&mut self, sold_out: bool) -> u64 {
        let mut still_waiting = 0;
        for record in &mut self.records {
            if matches!(record.phase, Phase::Held | Phase::Waiting) {
                still_waiting += 1;
                record.found_sold_out |= sold_out;
            }
        }
        still_waiting
    }

    pub(crate) fn found_sold_out_count(&self) -> u64 {
        self.records
            .iter()
            .filter(|record| record.found_sold_out)
            .count() as u64
    }

    pub(crate) fn into_outcomes(self, arrivals: &Arrivals) -> Vec<PersonOutcome> {
        self.records
            .into_iter()
            .enumerate()
            .map(|(join_rank, record)| PersonOutcome {
                admitted_at: record.admitted_at,
                admit_rank: record.admit_rank,
                bounces: record.bounces,
                got_choice: record.got_choice,
                bypass_booking: record.bypass_booking,
                found_sold_out: record.found_sold_out,
                ..arrivals.blank_outcome(join_rank)
            })
            .collect()
    }
}

/// What a booking attempt came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reserved {
    /// Booked the choice at this rank.
    Booked { slot: SlotId, rank: u8 },
    /// None of the choices had room.
    NoRoom { sold_out: bool },
    /// Refused for another reason (not admitted, lease expired, ...).
    Refused,
}

/// The inventory as a run books it: the engine, or the baseline's naive counters.
pub(crate) trait Seats {
    /// Books the first of `choices` with room.
    fn reserve(&mut self, person: PersonId, choices: &[SlotId], now: Timestamp) -> Reserved;

    /// `true` if this slot has a free seat.
    fn has_room(&self, slot: SlotId) -> bool;

    /// How many slots there are.
    fn slots_len(&self) -> u32;
}

/// How an admitted person's booking ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BookOutcome {
    /// Got a slot: `choice` is its rank in their list, or the list's length for "another
    /// slot, found in the listing".
    Got { slot: SlotId, choice: u8 },
    /// Nothing was left anywhere.
    SoldOut,
    /// Refused by the waiting room.
    Refused,
}

/// Finds "the first slot with room in the site's listing" in amortised O(1): a cursor that
/// only moves forward over full slots, and back when a booking is given back.
pub(crate) struct ListingCursor {
    next: u32,
}

impl ListingCursor {
    pub(crate) fn new() -> ListingCursor {
        ListingCursor { next: 0 }
    }

    fn first_with_room(&mut self, seats: &impl Seats) -> Option<SlotId> {
        while self.next < seats.slots_len() {
            let slot = SlotId::new(self.next);
            if seats.has_room(slot) {
                return Some(slot);
            }
            self.next += 1;
        }
        None
    }

    /// A seat of `slot` was given back: the listing may have room there again.
    pub(crate) fn given_back(&mut self, slot: SlotId) {
        self.next = self.next.min(slot.as_u32());
    }
}

/// An admitted person books: their ranked list first; if every listed slot is taken, the
/// first slot with room in the listing (as a person who must get *something* would).
pub(crate) fn book(
    seats: &mut impl Seats,
    cursor: &mut ListingCursor,
    person: PersonId,
    choices: &[SlotId],
    now: Timestamp,
) -> BookOutcome {
    match seats.reserve(person, choices, now) {
        Reserved::Booked { slot, rank } => BookOutcome::Got { slot, choice: rank },
        Reserved::NoRoom { sold_out: true } => BookOutcome::SoldOut,
        Reserved::Refused => BookOutcome::Refused,
        Reserved::NoRoom { sold_out: false } => {
            // Single-threaded, so the slot found with room is still free when booked; the
            // loop only guards the model against itself.
            while let Some(slot) = cursor.first_with_room(seats) {
                match seats.reserve(person, &[slot], now) {
                    Reserved::Booked { slot, .. } => {
                        return BookOutcome::Got {
                            slot,
                            choice: choices.len() as u8,
                        };
                    }
                    Reserved::Refused => return BookOutcome::Refused,
                    Reserved::NoRoom { .. } => cursor.next = slot.as_u32() + 1,
                }
            }
            BookOutcome::SoldOut
        }
    }
}
