//! [`PreQueue`]: the people who entered a cohort's draw before its opening, kept until the
//! draw places them in line (see `draw.rs` for the order, and `Engine::draw`).
//!
//! # Protocol
//!
//! Entrants are a person table of their own, sized from
//! [`Config::pre_queue_max`](crate::Config::pre_queue_max), whose value is the cohort (so a
//! second device of an entrant finds the same entry, as in the waiting room's table). Each
//! cohort with a draw has a state: *open* (entries accepted), *closed* (the draw is collecting
//! its entrants), *drawn* (the entrants have their places: first joins of the cohort are let
//! in, behind them).
//!
//! An entry and the draw race only at the close. The draw closes the cohort, then (after a
//! sequentially consistent fence) collects every published entry of it, marking each *drawn*
//! by compare-and-swap. An entry publishes itself, then (after a fence) reads the cohort's
//! state; if it finds the cohort closed, it withdraws by marking itself *withdrawn* by
//! compare-and-swap. Of the two fences, one comes first: either the draw sees the entry, or
//! the entry sees the close. If both do, the two compare-and-swaps decide, once: an entry the
//! draw marked is placed; one that withdrew is not, and its person is told the draw is done.

use crossbeam_utils::CachePadded;

use super::person_table::{Entry, Located, PersonTable, REFUSED, RETIRED};
use crate::ids::{CohortId, PersonId, Seq};
use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::platform::sync::{AtomicU64, Ordering, fence};

/// Flag in an entry's value: the draw collected it.
const DRAWN: u64 = RETIRED;
/// Flags in an entry's value: the entrant withdrew, finding the draw closed. (`REFUSED` alone
/// is an entry the full pre-queue turned away.)
const WITHDRAWN: u64 = RETIRED | REFUSED;

const OPEN: u64 = 0;
const CLOSED: u64 = 1;
const PLACED: u64 = 2;

/// Why an entry was not taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntryRefusal {
    /// The cohort's draw is being made or was made.
    Closed,
    /// `pre_queue_max` people entered already.
    Full,
    /// The person's id lands among too many others in the pre-queue's table.
    Crowded,
    /// The person entered another cohort's draw.
    OtherCohort(CohortId),
}

pub(crate) struct PreQueue {
    table: PersonTable,
    /// People who entered (each once).
    entered: CachePadded<AtomicU64>,
    capacity: u64,
    /// Per cohort: open, closed or placed.
    states: Box<[AtomicU64]>,
}

impl PreQueue {
    /// A pre-queue for up to `capacity` entrants over `cohorts` cohorts; `kept` says whether
    /// any cohort has a draw (if not, the table is the smallest one).
    pub(crate) fn new(capacity: u32, cohorts: usize, kept: bool) -> Result<PreQueue, AllocError> {
        let capacity = if kept { u64::from(capacity) } else { 0 };
        Ok(PreQueue {
            table: PersonTable::new(capacity.max(1), 0)?,
            entered: CachePadded::new(AtomicU64::new(0)),
            capacity,
            states: try_boxed_slice(cohorts, Pages::Normal, || AtomicU64::new(OPEN))?,
        })
    }

    /// What [`PreQueue::new`] allocates.
    pub(crate) fn bytes_for(capacity: u32, cohorts: usize, kept: bool) -> usize {
        let capacity = if kept { u64::from(capacity) } else { 0 };
        PersonTable::bytes_for(capacity.max(1)) + cohorts * size_of::<AtomicU64>()
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        self.table.memory_bytes() + size_of_val(&*self.states)
    }

    /// Enters `person` into `cohort`'s draw; `Ok(true)` if this call entered them, `Ok(false)`
    /// if they were in it already (another device).
    pub(crate) fn enter(&self, person: PersonId, cohort: CohortId) -> Result<bool, EntryRefusal> {
        debug_assert!(person.is_valid(), "the caller refuses the reserved id");
        let state = &self.states[cohort.as_index()];
        if state.load(Ordering::SeqCst) != OPEN {
            return Err(EntryRefusal::Closed);
        }
        let cell = match self.table.locate_or_claim(person) {
            Located::Cell(cell) => {
                let entry = self.table.entry(cell);
                return self.existing(entry, cohort);
            }
            Located::Claimed(cell) => cell,
            Located::Absent | Located::Crowded => return Err(EntryRefusal::Crowded),
        };
        if self.entered.fetch_add(1, Ordering::AcqRel) >= self.capacity {
            self.entered.fetch_sub(1, Ordering::AcqRel);
            self.table.refuse(cell);
            return Err(EntryRefusal::Full);
        }
        self.table
            .publish(cell, Seq::new(u64::from(cohort.as_u16())));
        fence(Ordering::SeqCst);
        if state.load(Ordering::SeqCst) == OPEN {
            return Ok(true);
        }
        // The draw closed meanwhile: withdraw, unless it collected this entry already (the
        // compare-and-swap expects the entry as published, without the draw's flag).
        let entry = self.table.entry(cell);
        if !entry.is_retired() && self.table.flag_if(entry, WITHDRAWN) {
            return Err(EntryRefusal::Closed);
        }
        Ok(true)
    }

    /// The answer to a person found in the table already.
    fn existing(&self, entry: Entry, cohort: CohortId) -> Result<bool, EntryRefusal> {
        if entry.is_refused() && !entry.is_retired() {
            // Turned away by the full pre-queue: it holds no entry, and never will.
            return Err(EntryRefusal::Full);
        }
        let entered = CohortId::new(entry.seq().as_u64() as u16);
        if entered != cohort {
            return Err(EntryRefusal::OtherCohort(entered));
        }
        if entry.is_retired() {
            // Drawn, or withdrawn at the close: the draw is made.
            return Err(EntryRefusal::Closed);
        }
        Ok(false)
    }

    /// The cohort whose draw `person` waits for, if any.
    pub(crate) fn waiting_for(&self, person: PersonId) -> Option<CohortId> {
        if !person.is_valid() {
            // Its key would be a free cell's (see the person table).
            return None;
        }
        let entry = self.table.find(person)?;
        if entry.is_refused() || entry.is_retired() {
            return None;
        }
        Some(CohortId::new(entry.seq().as_u64() as u16))
    }

    /// Closes `cohort`'s entries and collects its entrants, each marked drawn, in table order
    /// (the caller sorts them). The caller holds the engine's advance lock.
    pub(crate) fn close(&self, cohort: CohortId) -> Vec<PersonId> {
        self.states[cohort.as_index()].store(CLOSED, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        let mut entrants = Vec::new();
        for (person, entry) in self.table.entries() {
            let listed = !entry.is_refused()
                && !entry.is_retired()
                && entry.seq().as_u64() == u64::from(cohort.as_u16());
            if listed && self.table.flag_if(entry, DRAWN) {
                entrants.push(person);
            }
        }
        entrants
    }

    /// Every entry still waiting for its draw: `(person, cohort)`, in table order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (PersonId, CohortId)> + '_ {
        self.table
            .entries()
            .filter(|(_, entry)| !entry.is_refused() && !entry.is_retired())
            .map(|(person, entry)| (person, CohortId::new(entry.seq().as_u64() as u16)))
    }

    /// Closes `cohort`'s draw and lets its first joins in at once (replay: the places it drew
    /// are replayed as joins). The caller checked that the cohort has a draw.
    pub(crate) fn replay_draw(&self, cohort: CohortId) {
        self.close(cohort);
        self.mark_placed(cohort);
    }

    /// The entrants of `cohort` have their places: its first joins may come in.
    pub(crate) fn mark_placed(&self, cohort: CohortId) {
        self.states[cohort.as_index()].store(PLACED, Ordering::Release);
    }

    /// Whether `cohort`'s draw was collected (it may not be placed yet).
    pub(crate) fn is_closed(&self, cohort: CohortId) -> bool {
        self.states[cohort.as_index()].load(Ordering::Acquire) != OPEN
    }

    /// Whether `cohort`'s entrants have their places.
    #[inline]
    pub(crate) fn is_placed(&self, cohort: CohortId) -> bool {
        self.states[cohort.as_index()].load(Ordering::Acquire) == PLACED
    }
}
