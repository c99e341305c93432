//! The waiting room: joining (with dedupe), admission in sequence order, leases and their
//! lapses, leaving, and the per-person lock that `reserve` and `release` take.
//!
//! It joins the [`PersonTable`] (person → place) and the [`Ring`] (place → person and state).
//! It knows nothing of slots: whatever a booking needs from the inventory, the engine façade
//! brings in (see `ARCHITECTURE.md`).
//!
//! # The join path
//!
//! A join of someone already in line reads one table cell, and, if they are still waiting,
//! answers from it: no ring read, no shared write. It takes the slow path only if the cell is
//! flagged (they left, or were refused) or their place has been admitted (then their lease
//! decides). A first join checks the cohort window, the ring's room and the inventory (through
//! a closure from the engine), claims a table cell, claims a sequence with the one shared
//! `fetch_add`, publishes the person in the ring, then publishes the sequence in the table.
//!
//! # Admission and lapses
//!
//! `admit` and `sweep_lapsed` run under the engine's advance lock, one caller at a time. They
//! change a person's state by compare-and-swap around the busy bit, never by taking it, so a
//! slow `reserve` delays an admission by at most its few atomic steps. Lease deadlines are
//! non-decreasing in sequence order (admission is in sequence order and the effective time
//! never goes back), so the sweep is a cursor that stops at the first live lease: each place is
//! swept once, O(1) amortised.
//!
//! # The active count
//!
//! `active_count` is the number of places whose state [`PersonState::is_active`] (admitted,
//! never booked). Whoever performs a transition into or out of that predicate adjusts it,
//! once: `admit` (+1), the first booking, a release of everything, the sweep and a requeue
//! (−1 each). The outflow policy's cap on active people reads it.

use crate::counter::StripedCounter;
use crate::error::EnqueueError;
use crate::person_state::{PersonState, Phase};
use crate::person_table::{Claim, Entry, PersonTable};
use crate::ring::Ring;
use crate::sync::Backoff;
use crate::{CohortId, CohortWindow, LapsePolicy, PersonId, Place, Seq, Timestamp};

pub(crate) struct WaitingRoom {
    table: PersonTable,
    ring: Ring,
    cohorts: Box<[CohortWindow]>,
    lapse_policy: LapsePolicy,
    active_count: StripedCounter,
}

/// What the waiting room knows of one person (bookings excluded: those are the engine's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PlaceView {
    /// Never joined, or refused because the room was full.
    Unknown,
    /// In line, with `ahead` people still waiting before them.
    Waiting { seq: Seq, ahead: u64 },
    /// Admitted at some point; the state tells the rest.
    Admitted { seq: Seq, state: PersonState },
    /// Gave back their place before admission.
    Left { seq: Seq },
}

/// A person whose busy bit this thread holds. Dropping it lets go without a change.
pub(crate) struct PersonGuard<'a> {
    ring: &'a Ring,
    /// The person's table cell, if the lock was taken through the table.
    cell: Option<usize>,
    pub(crate) seq: Seq,
    /// The state when the lock was taken (without the busy bit).
    pub(crate) state: PersonState,
    released: bool,
}

impl PersonGuard<'_> {
    /// Stores the new state and lets go of the busy bit.
    pub(crate) fn commit(mut self, new: PersonState) {
        self.ring.unlock(self.seq, new);
        self.released = true;
    }
}

impl Drop for PersonGuard<'_> {
    fn drop(&mut self) {
        if !self.released {
            self.ring.unlock(self.seq, self.state);
        }
    }
}

impl WaitingRoom {
    pub(crate) fn new(
        people_max: u64,
        cohorts: &[CohortWindow],
        lapse_policy: LapsePolicy,
    ) -> WaitingRoom {
        WaitingRoom {
            table: PersonTable::new(people_max),
            ring: Ring::new(people_max),
            cohorts: cohorts.into(),
            lapse_policy,
            active_count: StripedCounter::new(),
        }
    }

    /// What [`WaitingRoom::new`] allocates for `people_max` places.
    pub(crate) fn bytes_for(people_max: u64) -> usize {
        PersonTable::bytes_for(people_max) + Ring::bytes_for(people_max)
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        self.table.memory_bytes() + self.ring.memory_bytes()
    }

    pub(crate) fn ring(&self) -> &Ring {
        &self.ring
    }

    pub(crate) fn table(&self) -> &PersonTable {
        &self.table
    }

    /// Admitted people who have not booked and whose lapse has not been swept (a snapshot).
    pub(crate) fn active_count(&self) -> u64 {
        self.active_count.sum().max(0) as u64
    }

    fn active_decrement(&self) {
        self.active_count.decrement();
    }

    /// A person leaves the active set by their first booking or by releasing everything
    /// (the caller holds their busy bit and saw `before.is_active()`).
    pub(crate) fn note_no_longer_active(&self, before: PersonState) {
        if before.is_active() {
            self.active_decrement();
        }
    }

    /// `enqueue`, minus the clock. `sold_out` is asked only for a first join.
    #[inline]
    pub(crate) fn join(
        &self,
        person: PersonId,
        cohort: CohortId,
        now: Timestamp,
        sold_out: impl Fn() -> bool,
    ) -> Result<Place, EnqueueError> {
        if !person.is_valid() {
            return Err(EnqueueError::InvalidPerson);
        }
        let Some(window) = self.cohorts.get(cohort.as_index()) else {
            return Err(EnqueueError::UnknownCohort { cohort });
        };
        match self.table.find(person) {
            Some(entry) if !entry.is_refused() => self.join_existing(entry, person, now, &sold_out),
            // A person the full room turned away holds no place, so this is a first join
            // again, window checks included: which of several people turned away at once keeps
            // a refused table cell is an accident of timing and must not change the answer.
            _ => self.join_first(person, cohort, *window, now, &sold_out),
        }
    }

    /// Starts loading the person's table cell, ahead of a [`WaitingRoom::join`].
    #[inline(always)]
    pub(crate) fn prefetch(&self, person: PersonId) {
        self.table.prefetch(person);
    }

    #[inline]
    fn join_existing(
        &self,
        entry: Entry,
        person: PersonId,
        now: Timestamp,
        sold_out: &dyn Fn() -> bool,
    ) -> Result<Place, EnqueueError> {
        if !entry.is_retired() && !entry.is_refused() {
            let seq = entry.seq();
            if seq.as_u64() >= self.ring.admit_cursor() {
                // Still waiting: the place stands, whatever the window or the inventory says
                // now. This is the "no bounce" rule.
                return Ok(Place { seq, is_new: false });
            }
        }
        self.join_existing_slow(entry, person, now, sold_out)
    }

    #[cold]
    fn join_existing_slow(
        &self,
        mut entry: Entry,
        person: PersonId,
        now: Timestamp,
        sold_out: &dyn Fn() -> bool,
    ) -> Result<Place, EnqueueError> {
        if entry.is_refused() {
            return Err(EnqueueError::Full {
                people_max: self.ring.len(),
            });
        }
        loop {
            let seq = entry.seq();
            let state = self.ring.state_settled(seq);
            let existing = Place { seq, is_new: false };
            match state.phase() {
                Phase::Empty | Phase::Waiting => return Ok(existing),
                Phase::Left | Phase::Done => return Err(EnqueueError::PlaceReleased { seq }),
                // A requeue moved this person on; follow the table to their new place.
                Phase::Moved => entry = self.table.entry(entry.cell),
                Phase::Leased if !is_lapsed(state, now) => return Ok(existing),
                Phase::Leased | Phase::Lapsed => match self.lapse_policy {
                    LapsePolicy::Forfeit => {
                        return Err(EnqueueError::LeaseLapsed {
                            seq,
                            at: state.deadline(),
                        });
                    }
                    LapsePolicy::Requeue => {
                        if let Some(result) = self.requeue(entry, person, now, sold_out) {
                            return result;
                        }
                        // Another device of the same person changed the state first: look again.
                        entry = self.table.entry(entry.cell);
                    }
                },
            }
        }
    }

    /// Gives a lapsed person a new place at the back. `None` if their state changed under us.
    fn requeue(
        &self,
        entry: Entry,
        person: PersonId,
        now: Timestamp,
        sold_out: &dyn Fn() -> bool,
    ) -> Option<Result<Place, EnqueueError>> {
        let old_seq = entry.seq();
        let guard = self.lock_seq(Some(entry.cell), old_seq);
        let still_lapsed = matches!(guard.state.phase(), Phase::Leased | Phase::Lapsed)
            && is_lapsed(guard.state, now);
        if !still_lapsed {
            return None;
        }
        if sold_out() {
            return Some(Err(EnqueueError::SoldOut));
        }
        let Some(new_seq) = self.claim_seq() else {
            return Some(Err(EnqueueError::Full {
                people_max: self.ring.len(),
            }));
        };
        self.ring.publish(new_seq, person);
        self.table.move_to(entry.cell, new_seq);
        if guard.state.is_active() {
            self.active_decrement();
        }
        let moved = guard.state.with_phase(Phase::Moved);
        guard.commit(moved);
        Some(Ok(Place {
            seq: new_seq,
            is_new: true,
        }))
    }

    fn claim_seq(&self) -> Option<Seq> {
        if self.ring.is_used_up() {
            return None;
        }
        self.ring.claim()
    }

    fn join_first(
        &self,
        person: PersonId,
        cohort: CohortId,
        window: CohortWindow,
        now: Timestamp,
        sold_out: &dyn Fn() -> bool,
    ) -> Result<Place, EnqueueError> {
        if now < window.opens_at {
            return Err(EnqueueError::WindowNotOpen {
                cohort,
                opens_at: window.opens_at,
            });
        }
        if let Some(closed_at) = window.closes_at.filter(|&closes_at| now >= closes_at) {
            return Err(EnqueueError::WindowClosed { cohort, closed_at });
        }
        let full = EnqueueError::Full {
            people_max: self.ring.len(),
        };
        // Sold out first, as for a requeue: the used-up flag below is only set by a refused
        // claim, so asking it first would make the answer depend on who came before.
        if sold_out() {
            return Err(EnqueueError::SoldOut);
        }
        // Checked before claiming a table cell, so that a flood of new people past the limit
        // does not fill the table with refused entries.
        if self.ring.is_used_up() {
            return Err(full);
        }
        match self.table.find_or_claim(person) {
            Claim::Claimed(cell) => match self.ring.claim() {
                Some(seq) => {
                    // The ring entry first, so that whoever finds `seq` in the table finds
                    // the person published.
                    self.ring.publish(seq, person);
                    self.table.publish(cell, seq);
                    Ok(Place { seq, is_new: true })
                }
                None => {
                    self.table.refuse(cell);
                    Err(full)
                }
            },
            // The same person's other device got there between our find and our claim.
            Claim::Existing(entry) => self.join_existing(entry, person, now, sold_out),
            Claim::TableFull => Err(full),
        }
    }

    /// Takes the busy bit of the person's current place. `None` if they never joined or were
    /// refused.
    pub(crate) fn lock(&self, person: PersonId) -> Option<PersonGuard<'_>> {
        if !person.is_valid() {
            return None;
        }
        let mut entry = self.table.find(person)?;
        if entry.is_refused() {
            return None;
        }
        loop {
            let guard = self.lock_seq(Some(entry.cell), entry.seq());
            if guard.state.phase() != Phase::Moved {
                return Some(guard);
            }
            drop(guard);
            entry = self.table.entry(entry.cell);
        }
    }

    /// Takes the busy bit of the person's place starting from `place`, the ticket the caller
    /// kept from `enqueue`, so that the person table need not be read (one cache miss fewer).
    /// Falls back to [`WaitingRoom::lock`] when the ticket is not this person's current place:
    /// a stale ticket after a requeue, a place not yet published, or someone else's place. A
    /// ticket therefore never grants more than the person's own lock would.
    pub(crate) fn lock_with_ticket(&self, person: PersonId, place: Seq) -> Option<PersonGuard<'_>> {
        if person.is_valid() && place.as_u64() < self.ring.len() {
            // Published first (a place's person is written before its state leaves EMPTY, and
            // never changes after), so that the person read below is final and locking cannot
            // race the publishing store.
            let published = self.ring.state(place).phase() != Phase::Empty;
            if published && self.ring.person(place) == person {
                let guard = self.lock_seq(None, place);
                if guard.state.phase() != Phase::Moved {
                    return Some(guard);
                }
            }
        }
        self.lock(person)
    }

    fn lock_seq(&self, cell: Option<usize>, seq: Seq) -> PersonGuard<'_> {
        let state = self.ring.lock(seq);
        PersonGuard {
            ring: &self.ring,
            cell,
            seq,
            state,
            released: false,
        }
    }

    /// A waiting person gives back their place (the guard shows them WAITING).
    pub(crate) fn leave(&self, guard: PersonGuard<'_>) {
        debug_assert_eq!(guard.state.phase(), Phase::Waiting);
        let cell = guard.cell.or_else(|| {
            let person = self.ring.person(guard.seq);
            self.table.find(person).map(|entry| entry.cell)
        });
        if let Some(cell) = cell {
            self.table.retire(cell);
        }
        self.ring.note_left(guard.seq);
        let left = guard.state.with_phase(Phase::Left);
        guard.commit(left);
    }

    /// What the waiting room knows of a person, waiting out a busy bit.
    pub(crate) fn view(&self, person: PersonId) -> PlaceView {
        if !person.is_valid() {
            return PlaceView::Unknown;
        }
        let Some(mut entry) = self.table.find(person) else {
            return PlaceView::Unknown;
        };
        if entry.is_refused() {
            return PlaceView::Unknown;
        }
        loop {
            let seq = entry.seq();
            let state = self.ring.state_settled(seq);
            return match state.phase() {
                Phase::Empty | Phase::Waiting => PlaceView::Waiting {
                    seq,
                    ahead: self.ring.waiting_ahead(seq),
                },
                Phase::Left => PlaceView::Left { seq },
                Phase::Moved => {
                    entry = self.table.entry(entry.cell);
                    continue;
                }
                Phase::Leased | Phase::Lapsed | Phase::Done => PlaceView::Admitted { seq, state },
            };
        }
    }

    /// Admits up to `how_many` waiting people in sequence order, each with a lease until
    /// `deadline`. Returns the number admitted and the range of places considered.
    ///
    /// The caller holds the engine's advance lock.
    pub(crate) fn admit(&self, how_many: u64, deadline: Timestamp) -> (u64, Seq, Seq) {
        let start = self.ring.admit_cursor();
        let end = self.ring.claimed_count();
        let leased = PersonState::leased(deadline);
        let mut cursor = start;
        let mut admitted = 0;
        let backoff = Backoff::new();
        while admitted < how_many && cursor < end {
            let seq = Seq::new(cursor);
            let state = self.ring.state(seq);
            match state.phase() {
                // Claimed but not yet published: a joiner is between its two steps. Admission
                // must not pass it, or the order would no longer be the join order.
                Phase::Empty => break,
                Phase::Waiting if state.is_busy() => {
                    backoff.snooze();
                    continue;
                }
                Phase::Waiting => {
                    if self.ring.compare_exchange(seq, state, leased).is_err() {
                        backoff.spin();
                        continue;
                    }
                    self.active_count.increment();
                    admitted += 1;
                }
                Phase::Left => {}
                phase => debug_assert!(false, "place {seq} past the admission cursor is {phase:?}"),
            }
            cursor += 1;
        }
        self.ring.set_admit_cursor(cursor);
        (admitted, Seq::new(start), Seq::new(cursor))
    }

    /// Marks as LAPSED every active place from `cursor` on whose lease ended at or before
    /// `now`. Returns the new sweep cursor and how many lapsed.
    ///
    /// The caller holds the engine's advance lock.
    pub(crate) fn sweep_lapsed(&self, mut cursor: u64, now: Timestamp) -> (u64, u64) {
        let end = self.ring.admit_cursor();
        let mut lapsed = 0;
        let backoff = Backoff::new();
        while cursor < end {
            let seq = Seq::new(cursor);
            let state = self.ring.state(seq);
            match state.phase() {
                Phase::Left => {}
                _ if state.deadline() > now => break,
                _ if state.is_busy() => {
                    backoff.snooze();
                    continue;
                }
                _ if state.is_active() => {
                    let swept = state.with_phase(Phase::Lapsed);
                    if self.ring.compare_exchange(seq, state, swept).is_err() {
                        backoff.spin();
                        continue;
                    }
                    self.active_decrement();
                    lapsed += 1;
                }
                _ => {}
            }
            cursor += 1;
        }
        (cursor, lapsed)
    }
}

/// Admitted, holds no booking now, and the lease has run out by `now`.
pub(crate) fn is_lapsed(state: PersonState, now: Timestamp) -> bool {
    match state.phase() {
        Phase::Lapsed => true,
        Phase::Leased => state.bookings_count() == 0 && now >= state.deadline(),
        _ => false,
    }
}
