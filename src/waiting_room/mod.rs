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

mod active;
mod draw;
mod fenwick;
mod outflow;
mod person_state;
mod person_table;
mod pre_queue;
mod replay;
mod replay_standby;
mod ring;
mod standby;
mod tags;

pub use draw::{DrawCommitment, DrawRecord, DrawSecret, draw_order};
pub use outflow::OutflowPolicy;
pub(crate) use outflow::TokenBucket;
pub(crate) use pre_queue::{EntryRefusal, PreQueue};
pub(crate) use replay::PlaceImage;

use crate::audit::Violation;
use crate::config::{BOOKINGS_PER_PERSON_LIMIT, CohortWindow, LapsePolicy};
use crate::error::EnqueueError;
use crate::ids::{CohortId, PersonId, Seq};
use crate::platform::alloc::AllocError;
use crate::platform::sync::Backoff;
use crate::record::{Record, Recorder};
use crate::scope::Scope;
use crate::status::Place;
use crate::time::Timestamp;
use active::ActiveCounts;
use person_state::{PersonState, Phase};
use person_table::{Entry, Located, PersonTable};
use ring::Ring;
use standby::LineFull;
pub(crate) use standby::{StandbyLine, StandbyLock};
pub(crate) use tags::Tags;

pub(crate) struct WaitingRoom {
    table: PersonTable,
    ring: Ring,
    cohorts: Box<[CohortWindow]>,
    /// Each cohort's scope tag (see [`Tags`]).
    cohort_tags: Box<[u16]>,
    /// Each place's scope tag, if the engine has more than one scope.
    tags: Tags,
    lapse_policy: LapsePolicy,
    active: ActiveCounts,
    standby: StandbyLine,
    pre_queue: PreQueue,
    recorder: Recorder,
}

/// What a first join asks the engine: `Some(error)` if the inventory within the scope of
/// `tag` has no seat, so that a place in line would be a wait for nothing.
pub(crate) type SoldOut<'a> = dyn Fn(u16) -> Option<EnqueueError> + 'a;

/// What the waiting room knows of one person (which slots they hold is the engine's to say).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PlaceView {
    /// Never joined, or refused because the room was full.
    Unknown,
    /// In line, with `ahead` people still waiting before them.
    Waiting { seq: Seq, ahead: u64 },
    /// Admitted, lease live at the time asked, no booking held.
    Admitted { seq: Seq, lease_until: Timestamp },
    /// Admitted, found no room, and keeps their turn until a seat is offered.
    Standby { seq: Seq },
    /// Offered a seat, held for them until `until` (which, the engine's ledger says, read
    /// under the person's lock).
    Offered { seq: Seq, until: Timestamp },
    /// Admitted and holding `bookings_count` cells (bookings or holds). What they are is the
    /// engine's to read, under the person's lock.
    Booked {
        seq: Seq,
        bookings_count: u8,
        lease_until: Timestamp,
    },
    /// Admitted, but the lease ran out without a booking.
    Lapsed { seq: Seq, at: Timestamp },
    /// Gave back their place (before admission) or everything they held (after).
    Released { seq: Seq },
    /// Registered as a dependant of the place `holder`: holds no place of their own.
    Dependant { holder: Seq },
}

/// Why [`WaitingRoom::lock`] hands back no guard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Never joined, or refused because the room was full.
    Unknown,
    /// Gave back their place (before admission) or everything they held (after).
    Released { seq: Seq },
    /// Admitted, but the lease ran out without a booking: they hold nothing.
    Lapsed { seq: Seq, at: Timestamp },
    /// Registered as a dependant of the place `holder`: they hold no place to lock.
    Dependant { holder: Seq },
}

/// Why [`WaitingRoom::link`] registered nobody.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LinkRefusal {
    /// The person holds a place of their own, or is registered already.
    HasPlace,
    /// The person's id collides with too many others in the table.
    Crowded,
}

/// A person locked by [`WaitingRoom::lock`]: still waiting, or admitted and holding something
/// (a live lease, or bookings).
pub(crate) enum Locked<'a> {
    Waiting(WaitingGuard<'a>),
    Admitted(AdmittedGuard<'a>),
    Standby(StandbyGuard<'a>),
}

/// A waiting person whose busy bit this thread holds: nobody can admit them meanwhile.
pub(crate) struct WaitingGuard<'a> {
    room: &'a WaitingRoom,
    guard: PersonGuard<'a>,
}

impl WaitingGuard<'_> {
    pub(crate) fn seq(&self) -> Seq {
        self.guard.seq
    }

    /// People still waiting ahead of this person.
    pub(crate) fn ahead(&self) -> u64 {
        self.room.ring.waiting_ahead(self.guard.seq)
    }

    /// Gives back the place in line.
    pub(crate) fn leave(self) {
        self.room.leave(self.guard);
    }
}

/// An admitted person whose busy bit this thread holds: their bookings count and lease cannot
/// change under the holder, so whatever the engine books or gives back for them is written
/// together with the count, in [`AdmittedGuard::commit_bookings`] or
/// [`AdmittedGuard::give_up_everything`].
pub(crate) struct AdmittedGuard<'a> {
    room: &'a WaitingRoom,
    guard: PersonGuard<'a>,
}

impl AdmittedGuard<'_> {
    pub(crate) fn seq(&self) -> Seq {
        self.guard.seq
    }

    pub(crate) fn bookings_count(&self) -> u8 {
        self.guard.state.bookings_count()
    }

    pub(crate) fn lease_until(&self) -> Timestamp {
        self.guard.state.deadline()
    }

    /// The lease still allows booking at `now`.
    pub(crate) fn is_lease_live(&self, now: Timestamp) -> bool {
        now < self.guard.state.deadline()
    }

    /// The door holds a seat for this person (in the ledger's cell `bookings_count`).
    pub(crate) fn is_offered(&self) -> bool {
        self.guard.state.is_offered()
    }

    /// The person's scope tag.
    pub(crate) fn tag(&self) -> u16 {
        self.room.tags.get(self.guard.seq)
    }

    /// Stores the person's new bookings count and lets go. A first booking takes the person
    /// out of the active count; a booking confirms a seat held for an offer, if any.
    pub(crate) fn commit_bookings(mut self, count: u8) {
        self.set_bookings_count(count);
        let state = self.guard.state;
        self.guard.commit(state);
    }

    /// Changes the person's bookings count (cells in use, holds included) while keeping the
    /// lock: stored when the guard commits or is dropped. A first seat taken takes the person
    /// out of the active count, once; a seat held for an offer is no longer one (it is
    /// booked, or was given back).
    pub(crate) fn set_bookings_count(&mut self, count: u8) {
        let before = self.guard.state;
        debug_assert!(count <= BOOKINGS_PER_PERSON_LIMIT);
        if count > 0 {
            self.room.note_no_longer_active(before, self.guard.seq);
        }
        self.guard.state = before.with_bookings_count(count).with_offered(false);
    }

    /// The person gives back their lease, every booking and any held seat (the caller has
    /// given the seats back): their turn is over.
    pub(crate) fn give_up_everything(self) {
        let before = self.guard.state;
        self.room.note_no_longer_active(before, self.guard.seq);
        self.guard.commit(
            before
                .with_bookings_count(0)
                .with_offered(false)
                .with_phase(Phase::Done),
        );
    }

    /// The person goes on standby (they hold no booking, and found no room in their scope):
    /// they keep their turn, stop counting as active, and are offered the next seat that
    /// frees up in their scope before anyone behind them. The caller holds `line` (taken
    /// before this guard's busy bit). `seats_free(tag)` is asked **after** the person is in
    /// the line (see `standby.rs`): if their scope has a free seat after all, they leave the
    /// line again and nothing changes.
    pub(crate) fn go_standby(
        self,
        line: &mut StandbyLock<'_>,
        seats_free: impl FnOnce(u16) -> bool,
        record: impl FnOnce(Seq),
    ) -> Result<Seq, StandbyRefusal> {
        let before = self.guard.state;
        debug_assert!(before.bookings_count() == 0 && !before.is_offered());
        let (seq, tag) = (self.guard.seq, self.tag());
        line.stand(seq, tag)
            .map_err(|LineFull| StandbyRefusal::LineFull)?;
        if seats_free(tag) {
            line.leave(seq);
            return Err(StandbyRefusal::SeatsFree);
        }
        record(seq);
        self.room.note_no_longer_active(before, seq);
        self.guard.commit(before.with_phase(Phase::Standby));
        Ok(seq)
    }

    /// An offer whose deadline passed lapses (the caller gave the held seat back): the person
    /// did not take their turn.
    pub(crate) fn lapse_offer(self) {
        let before = self.guard.state;
        debug_assert!(before.is_offered() && before.bookings_count() == 0);
        self.guard
            .commit(before.with_offered(false).with_phase(Phase::Lapsed));
    }
}

/// What one [`WaitingRoom::admit`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Admission {
    /// People let in.
    pub(crate) admitted: u64,
    /// The places considered: `[from, to)`.
    pub(crate) from: Seq,
    pub(crate) to: Seq,
    /// The door's `can_admit` said no to the next person.
    pub(crate) refused: bool,
}

/// Why [`AdmittedGuard::go_standby`] left the person as they were.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StandbyRefusal {
    /// The standby line is full.
    LineFull,
    /// Their scope has a free seat: they can book.
    SeatsFree,
}

/// A person on standby whose busy bit this thread holds.
pub(crate) struct StandbyGuard<'a> {
    room: &'a WaitingRoom,
    guard: PersonGuard<'a>,
}

impl StandbyGuard<'_> {
    pub(crate) fn seq(&self) -> Seq {
        self.guard.seq
    }

    /// The person's scope tag.
    pub(crate) fn tag(&self) -> u16 {
        self.room.tags.get(self.guard.seq)
    }

    /// The person leaves standby and gives up their turn (the caller holds `line`).
    pub(crate) fn leave(self, line: &mut StandbyLock<'_>) {
        line.leave(self.guard.seq);
        let before = self.guard.state;
        self.guard.commit(before.with_phase(Phase::Done));
    }

    /// The door offers the person a seat, held for them until `until` (the caller took it and
    /// wrote it to the ledger's first cell, and holds `line`).
    pub(crate) fn offer(self, line: &mut StandbyLock<'_>, until: Timestamp) {
        let seq = self.guard.seq;
        line.leave(seq);
        line.note_offer(seq, until);
        let before = self.guard.state;
        self.guard.commit(
            before
                .with_phase(Phase::Leased)
                .with_offered(true)
                .with_deadline(until),
        );
    }
}

/// What the audit learns of one handed-out place.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PlaceFacts {
    /// Admitted and not done: the only state in which a place may hold bookings.
    pub(crate) holds_lease: bool,
    /// Bookings held according to the person's state.
    pub(crate) bookings_count: u8,
    /// A seat is held for the person, in the ledger's cell `bookings_count`.
    pub(crate) offered: bool,
}

/// A person whose busy bit this thread holds. Dropping it lets go, storing `state`.
struct PersonGuard<'a> {
    ring: &'a Ring,
    /// The person's table cell, if the lock was taken through the table.
    cell: Option<usize>,
    seq: Seq,
    /// The state when the lock was taken (without the busy bit), or as changed since by
    /// [`AdmittedGuard::set_bookings_count`].
    state: PersonState,
    released: bool,
}

impl PersonGuard<'_> {
    /// Stores the new state and lets go of the busy bit.
    fn commit(mut self, new: PersonState) {
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
    /// A waiting room for `people_max` places. `cohort_tags[c]` is cohort `c`'s scope tag;
    /// with `tags` above 1, each place keeps one of `tags` tags of its own. At most
    /// `standby_max` people are on standby or hold an offer at once.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        people_max: u64,
        person_hash_key: u64,
        cohorts: &[CohortWindow],
        cohort_tags: &[u16],
        tags: usize,
        standby_max: u32,
        pre_queue_max: u32,
        lapse_policy: LapsePolicy,
        recorder: Recorder,
    ) -> Result<WaitingRoom, AllocError> {
        let tagged = tags > 1;
        Ok(WaitingRoom {
            table: PersonTable::new(people_max, person_hash_key)?,
            ring: Ring::new(people_max)?,
            cohorts: cohorts.into(),
            cohort_tags: cohort_tags.into(),
            tags: Tags::new(people_max, tagged)?,
            lapse_policy,
            active: ActiveCounts::new(if tagged { tags } else { 0 })?,
            standby: StandbyLine::new(standby_max, tags)?,
            pre_queue: PreQueue::new(
                pre_queue_max,
                cohorts.len(),
                cohorts.iter().any(|window| window.draw),
            )?,
            recorder,
        })
    }

    /// What [`WaitingRoom::new`] allocates per place: the table, the ring and the tags.
    pub(crate) fn bytes_for(people_max: u64, tagged: bool) -> usize {
        PersonTable::bytes_for(people_max)
            + Ring::bytes_for(people_max)
            + Tags::bytes_for(people_max, tagged)
    }

    /// What [`WaitingRoom::new`] allocates for the door: the active counts per tag, the
    /// standby line and the pre-queue of the draws.
    pub(crate) fn door_bytes_for(
        tags: usize,
        standby_max: u32,
        pre_queue_max: u32,
        cohorts: &[CohortWindow],
    ) -> usize {
        ActiveCounts::bytes_for(if tags > 1 { tags } else { 0 })
            + StandbyLine::bytes_for(standby_max, tags)
            + PreQueue::bytes_for(
                pre_queue_max,
                cohorts.len(),
                cohorts.iter().any(|window| window.draw),
            )
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        self.table.memory_bytes() + self.ring.memory_bytes() + self.tags.memory_bytes()
    }

    pub(crate) fn door_memory_bytes(&self) -> usize {
        self.active.memory_bytes() + self.standby.memory_bytes() + self.pre_queue.memory_bytes()
    }

    /// The draws' pre-queue (see [`PreQueue`]).
    pub(crate) fn pre_queue(&self) -> &PreQueue {
        &self.pre_queue
    }

    /// The person's place in line, if they hold one (waiting out a pending first join).
    pub(crate) fn place_of(&self, person: PersonId) -> Option<Seq> {
        if !person.is_valid() {
            return None;
        }
        let entry = self.table.find(person)?;
        (!entry.is_refused()).then(|| entry.seq())
    }

    /// Gives each person of `drawn`, in that order, a place at the back of the line with scope
    /// tag `tag`: the draw's order. People who hold a place already keep it (and people the
    /// full room turned away get none). Returns how many were placed and the first place
    /// given. The caller holds the engine's advance lock.
    pub(crate) fn place_drawn(&self, drawn: &[PersonId], tag: u16) -> (u64, Seq) {
        let mut cells = Vec::with_capacity(drawn.len());
        for &person in drawn {
            if let Located::Claimed(cell) = self.table.locate_or_claim(person) {
                cells.push((cell, person));
            }
        }
        // One block, so that the drawn places are consecutive, in drawn order.
        let mut seqs = self.ring.claim_block(cells.len() as u64).peekable();
        let first = seqs
            .peek()
            .copied()
            .unwrap_or(Seq::new(self.ring.claimed_count()));
        let mut placed = 0;
        for (cell, person) in cells {
            match seqs.next() {
                Some(seq) => {
                    self.publish_first_join(cell, person, seq, tag);
                    placed += 1;
                }
                None => self.table.refuse(cell),
            }
        }
        (placed, first)
    }

    /// Cohort `cohort`'s scope tag.
    pub(crate) fn cohort_tag(&self, cohort: CohortId) -> u16 {
        self.cohort_tags[cohort.as_index()]
    }

    /// The standby line (see [`StandbyLine`]).
    pub(crate) fn standby(&self) -> &StandbyLine {
        &self.standby
    }

    /// The scope tag of place `seq` (0 when places keep none).
    #[inline]
    pub(crate) fn tag_of(&self, seq: Seq) -> u16 {
        self.tags.get(seq)
    }

    /// The most places the room can ever hand out (`people_max`).
    pub(crate) fn places_max(&self) -> u64 {
        self.ring.len()
    }

    /// Whether a seat is held for the person at `seq` (recovery).
    pub(crate) fn is_offered(&self, seq: Seq) -> bool {
        self.ring.state(seq).is_offered()
    }

    /// The bookings count of a place holding a lease, 0 for any other (recovery).
    pub(crate) fn bookings_count_of(&self, seq: Seq) -> u8 {
        let state = self.ring.state(seq);
        if state.phase() == Phase::Leased {
            state.bookings_count()
        } else {
            0
        }
    }

    /// Hands the room's changes to `recorder` from now on (recovery only).
    pub(crate) fn set_recorder(&mut self, recorder: Recorder) {
        self.recorder = recorder;
    }

    /// Places handed out so far (first joins and requeues).
    pub(crate) fn places_handed_out(&self) -> u64 {
        self.ring.claimed_count()
    }

    /// People still waiting to be admitted (a snapshot).
    pub(crate) fn waiting_count(&self) -> u64 {
        self.ring.waiting_ahead(Seq::new(self.ring.claimed_count()))
    }

    /// Places below this have been considered for admission.
    pub(crate) fn admission_cursor(&self) -> u64 {
        self.ring.admit_cursor()
    }

    /// Admitted people who have not booked and whose lapse has not been swept (a snapshot).
    pub(crate) fn active_count(&self) -> u64 {
        self.active.total().max(0) as u64
    }

    /// [`WaitingRoom::active_count`] of the places with scope tag `tag` (all of them when
    /// places keep no tag).
    pub(crate) fn active_of_tag(&self, tag: u16) -> u64 {
        self.active.of_tag(tag).max(0) as u64
    }

    fn active_decrement(&self, seq: Seq) {
        self.active.decrement(self.tags.get(seq));
    }

    /// A person leaves the active set by their first booking, by releasing everything or by
    /// going on standby (the caller holds their busy bit).
    fn note_no_longer_active(&self, before: PersonState, seq: Seq) {
        if before.is_active() {
            self.active_decrement(seq);
        }
    }

    /// `enqueue`, minus the clock. `sold_out` is asked only for a first join, with the scope
    /// tag the new place would keep: `tag` if given, the cohort's otherwise.
    #[inline]
    pub(crate) fn join(
        &self,
        person: PersonId,
        cohort: CohortId,
        tag: Option<u16>,
        now: Timestamp,
        sold_out: &SoldOut<'_>,
    ) -> Result<Place, EnqueueError> {
        let answer = self.join_with(person, cohort, tag, now, sold_out, &mut Immediate);
        answer.expect("an immediate join always answers")
    }

    /// `enqueue_batch`, minus the clock: one answer per request, as one [`WaitingRoom::join`]
    /// per request in order would give, with the sequences of first joins claimed in blocks
    /// (see [`Deferred`]).
    pub(crate) fn join_batch(
        &self,
        requests: &[(PersonId, CohortId)],
        now: Timestamp,
        sold_out: &SoldOut<'_>,
        results: &mut [Result<Place, EnqueueError>],
    ) {
        /// How many requests ahead to prefetch: enough to cover a memory latency with the
        /// work of the requests in between (8, 16 and 32 measured alike; 4 was slower).
        const PREFETCH_AHEAD: usize = 16;
        for &(person, _) in requests.iter().take(PREFETCH_AHEAD) {
            self.table.prefetch(person);
        }
        let mut deferred = Deferred::new(requests, now, sold_out, results);
        for (index, &(person, cohort)) in requests.iter().enumerate() {
            if let Some(&(ahead, _)) = requests.get(index + PREFETCH_AHEAD) {
                self.table.prefetch(ahead);
            }
            deferred.current = index;
            if let Some(answer) = self.join_with(person, cohort, None, now, sold_out, &mut deferred)
            {
                deferred.results[index] = answer;
            }
        }
        deferred.settle(self);
    }

    /// A join, with first joins' sequences handed out by `sequencer`. `None` if the sequencer
    /// answers later.
    #[inline]
    fn join_with(
        &self,
        person: PersonId,
        cohort: CohortId,
        tag: Option<u16>,
        now: Timestamp,
        sold_out: &SoldOut<'_>,
        sequencer: &mut dyn Sequencer,
    ) -> Option<Result<Place, EnqueueError>> {
        if !person.is_valid() {
            return Some(Err(EnqueueError::InvalidPerson));
        }
        let Some(window) = self.cohorts.get(cohort.as_index()) else {
            return Some(Err(EnqueueError::UnknownCohort { cohort }));
        };
        let first = FirstJoin {
            cohort,
            window: *window,
            tag,
        };
        match self.table.locate(person) {
            Some(cell) => match self.entry_for(cell, sequencer) {
                Ok(entry) if !entry.is_refused() => {
                    Some(self.join_existing(entry, person, now, sold_out, sequencer))
                }
                // A person the full room turned away holds no place, so this is a first join
                // again, window checks included: which of several people turned away at once
                // keeps a refused table cell is an accident of timing and must not change the
                // answer.
                Ok(_) => self.join_first(person, first, now, sold_out, sequencer),
                Err(earlier) => sequencer.same_as(self, earlier),
            },
            None => self.join_first(person, first, now, sold_out, sequencer),
        }
    }

    /// The entry of a cell whose key is known: at once if published, after the sequencer has
    /// settled what it defers if another join holds it pending, or `Err(index)` if this very
    /// sequencer holds it pending for its request `index` (a second device in one batch).
    #[inline]
    fn entry_for(&self, cell: usize, sequencer: &mut dyn Sequencer) -> Result<Entry, usize> {
        if let Some(entry) = self.table.try_entry(cell) {
            return Ok(entry);
        }
        if let Some(earlier) = sequencer.holds(cell) {
            return Err(earlier);
        }
        // Another join holds it pending: it is a handful of steps from publishing, unless it
        // is a batch that waits for us in turn, which is why whatever we defer goes first.
        sequencer.settle(self);
        Ok(self.table.entry(cell))
    }

    /// Starts loading the person's table cell, ahead of a [`WaitingRoom::join`] (or their
    /// ring entry, when the caller has a ticket: a lock by ticket does not read the table).
    #[inline(always)]
    pub(crate) fn prefetch(&self, person: PersonId, ticket: Option<Seq>) {
        match ticket {
            Some(ticket) => self.ring.prefetch(ticket),
            None => self.table.prefetch(person),
        }
    }

    /// Starts loading the person's ring entry, found through their table cell (which the
    /// caller prefetched a while ago): the second, dependent miss of a lock. Waits for
    /// nothing; a person not found, or still being published, is simply not prefetched.
    #[inline(always)]
    pub(crate) fn prefetch_place(&self, person: PersonId, ticket: Option<Seq>) {
        if ticket.is_some() {
            return;
        }
        if let Some(seq) = self.table.peek(person) {
            self.ring.prefetch(seq);
        }
    }

    #[inline]
    fn join_existing(
        &self,
        entry: Entry,
        person: PersonId,
        now: Timestamp,
        sold_out: &SoldOut<'_>,
        sequencer: &mut dyn Sequencer,
    ) -> Result<Place, EnqueueError> {
        if entry.is_plain() {
            let seq = entry.seq();
            if seq.as_u64() >= self.ring.admit_cursor() {
                // Still waiting: the place stands, whatever the window or the inventory says
                // now. This is the "no bounce" rule.
                return Ok(Place { seq, is_new: false });
            }
        }
        self.join_existing_slow(entry, person, now, sold_out, sequencer)
    }

    #[cold]
    fn join_existing_slow(
        &self,
        mut entry: Entry,
        person: PersonId,
        now: Timestamp,
        sold_out: &SoldOut<'_>,
        sequencer: &mut dyn Sequencer,
    ) -> Result<Place, EnqueueError> {
        if entry.is_linked() {
            return Err(EnqueueError::Dependant {
                holder: entry.seq(),
            });
        }
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
                // On standby, the turn is kept: the same place.
                Phase::Empty | Phase::Waiting | Phase::Standby => return Ok(existing),
                // A void place has no person, so no table cell leads to it.
                Phase::Left | Phase::Done | Phase::Void => {
                    return Err(EnqueueError::PlaceReleased { seq });
                }
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
                        // A requeue claims its place at once: whatever is deferred before it
                        // goes first, so that places stay in request order.
                        sequencer.settle(self);
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
        sold_out: &SoldOut<'_>,
    ) -> Option<Result<Place, EnqueueError>> {
        let old_seq = entry.seq();
        let guard = self.lock_seq(Some(entry.cell), old_seq);
        let still_lapsed = matches!(guard.state.phase(), Phase::Leased | Phase::Lapsed)
            && is_lapsed(guard.state, now);
        if !still_lapsed {
            return None;
        }
        // The new place keeps the scope of the old one.
        let tag = self.tags.get(old_seq);
        if let Some(error) = sold_out(tag) {
            return Some(Err(error));
        }
        let Some(new_seq) = self.claim_seq() else {
            return Some(Err(EnqueueError::Full {
                people_max: self.ring.len(),
            }));
        };
        self.tags.set(new_seq, tag);
        self.recorder.record(|| Record::Requeued {
            person,
            from: old_seq,
            to: new_seq,
        });
        self.ring.publish(new_seq, person);
        self.table.move_to(entry.cell, new_seq);
        if guard.state.is_active() {
            self.active_decrement(old_seq);
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
        first: FirstJoin,
        now: Timestamp,
        sold_out: &SoldOut<'_>,
        sequencer: &mut dyn Sequencer,
    ) -> Option<Result<Place, EnqueueError>> {
        let FirstJoin {
            cohort,
            window,
            tag,
        } = first;
        // Resolved here, not per join: a repeat join never needs it.
        let tag = tag.unwrap_or_else(|| self.cohort_tags[cohort.as_index()]);
        if now < window.opens_at {
            return Some(Err(EnqueueError::WindowNotOpen {
                cohort,
                opens_at: window.opens_at,
            }));
        }
        if let Some(closed_at) = window.closes_at.filter(|&closes_at| now >= closes_at) {
            return Some(Err(EnqueueError::WindowClosed { cohort, closed_at }));
        }
        // Nobody who comes after the opening goes ahead of the people drawn at it.
        if window.draw && !self.pre_queue.is_placed(cohort) {
            return Some(Err(EnqueueError::DrawPending { cohort }));
        }
        // Sold out first, as for a requeue: the used-up flag below is only set by a refused
        // claim, so asking it first would make the answer depend on who came before.
        if let Some(error) = sold_out(tag) {
            return Some(Err(error));
        }
        // Checked before claiming a table cell, so that a flood of new people past the limit
        // does not fill the table with refused entries.
        if self.ring.is_used_up() {
            return Some(Err(self.full()));
        }
        match self.table.locate_or_claim(person) {
            Located::Claimed(cell) => sequencer.first_join(self, cell, person, tag),
            // The same person's other device got there between our look and our claim.
            Located::Cell(cell) => match self.entry_for(cell, sequencer) {
                Ok(entry) if !entry.is_refused() => {
                    Some(self.join_existing(entry, person, now, sold_out, sequencer))
                }
                Ok(_) => Some(Err(self.full())),
                Err(earlier) => sequencer.same_as(self, earlier),
            },
            Located::Absent | Located::Crowded => Some(Err(EnqueueError::Crowded)),
        }
    }

    fn full(&self) -> EnqueueError {
        EnqueueError::Full {
            people_max: self.ring.len(),
        }
    }

    /// Hands out place `seq` to a first join that won table cell `cell`: the scope tag and
    /// the ring entry first, so that whoever finds `seq` in the table finds the person
    /// published.
    #[inline]
    fn publish_first_join(&self, cell: usize, person: PersonId, seq: Seq, tag: u16) -> Place {
        debug_assert!(seq.as_u64() < self.ring.len());
        self.tags.set(seq, tag);
        // Recorded while the place is claimed but not visible: nothing can act on it (not
        // even the door, which stops at it) before its record is in.
        self.recorder.record(|| match tag {
            0 => Record::Joined { person, seq },
            tag => Record::JoinedIn {
                person,
                seq,
                scope: Scope::from_tag(tag),
            },
        });
        self.ring.publish(seq, person);
        self.table.publish(cell, seq);
        Place { seq, is_new: true }
    }

    /// Takes the busy bit of the person's current place and hands back what they hold: the
    /// one door through which the engine changes a person's bookings.
    ///
    /// `ticket` is the place the caller kept from `enqueue`: when it still holds this very
    /// person, the person table need not be read (one cache miss fewer). It is checked, never
    /// trusted: a stale ticket (after a requeue), a place not yet published or someone else's
    /// place falls back to the table, so a ticket never grants more than the person's own
    /// lock would.
    pub(crate) fn lock(
        &self,
        person: PersonId,
        ticket: Option<Seq>,
        now: Timestamp,
    ) -> Result<Locked<'_>, Refusal> {
        let guard = match ticket.and_then(|ticket| self.lock_ticket(person, ticket)) {
            Some(guard) => guard,
            None => self.lock_person(person)?,
        };
        self.classify(guard, now)
    }

    /// Takes the busy bit of the place `seq` and hands back what it holds, as
    /// [`WaitingRoom::lock`] does for a person (replay: records name places).
    pub(crate) fn lock_place(&self, seq: Seq, now: Timestamp) -> Result<Locked<'_>, Refusal> {
        if seq.as_u64() >= self.ring.claimed_count() || self.ring.state(seq).phase() == Phase::Empty
        {
            return Err(Refusal::Unknown);
        }
        self.classify(self.lock_seq(None, seq), now)
    }

    fn classify<'a>(
        &'a self,
        guard: PersonGuard<'a>,
        now: Timestamp,
    ) -> Result<Locked<'a>, Refusal> {
        let (seq, state) = (guard.seq, guard.state);
        match state.phase() {
            Phase::Empty | Phase::Waiting => {
                Ok(Locked::Waiting(WaitingGuard { room: self, guard }))
            }
            Phase::Standby => Ok(Locked::Standby(StandbyGuard { room: self, guard })),
            Phase::Leased if state.bookings_count() > 0 || now < state.deadline() => {
                Ok(Locked::Admitted(AdmittedGuard { room: self, guard }))
            }
            Phase::Leased | Phase::Lapsed => Err(Refusal::Lapsed {
                seq,
                at: state.deadline(),
            }),
            Phase::Left | Phase::Done | Phase::Moved | Phase::Void => {
                Err(Refusal::Released { seq })
            }
        }
    }

    /// Takes the busy bit of place `seq` if its person is on standby (the door, about to offer
    /// them a seat; it holds the standby line, so nobody takes them off it meanwhile).
    pub(crate) fn lock_standby(&self, seq: Seq) -> Option<StandbyGuard<'_>> {
        let guard = self.lock_seq(None, seq);
        (guard.state.phase() == Phase::Standby).then_some(StandbyGuard { room: self, guard })
    }

    /// Takes the busy bit of place `seq` if a seat is still held for its person (the door,
    /// about to let an offer lapse).
    pub(crate) fn lock_offered(&self, seq: Seq) -> Option<AdmittedGuard<'_>> {
        let guard = self.lock_seq(None, seq);
        (guard.state.phase() == Phase::Leased && guard.state.is_offered())
            .then_some(AdmittedGuard { room: self, guard })
    }

    /// Takes the busy bit of the person's current place through the table: refused if they
    /// never joined, were refused or are a dependant.
    fn lock_person(&self, person: PersonId) -> Result<PersonGuard<'_>, Refusal> {
        if !person.is_valid() {
            return Err(Refusal::Unknown);
        }
        let mut entry = self.table.find(person).ok_or(Refusal::Unknown)?;
        if entry.is_refused() {
            return Err(Refusal::Unknown);
        }
        if entry.is_linked() {
            return Err(Refusal::Dependant {
                holder: entry.seq(),
            });
        }
        loop {
            let guard = self.lock_seq(Some(entry.cell), entry.seq());
            if guard.state.phase() != Phase::Moved {
                return Ok(guard);
            }
            drop(guard);
            entry = self.table.entry(entry.cell);
        }
    }

    /// Takes the busy bit of `place` if it is this person's current place; `None` otherwise.
    fn lock_ticket(&self, person: PersonId, place: Seq) -> Option<PersonGuard<'_>> {
        if !person.is_valid() || place.as_u64() >= self.ring.len() {
            return None;
        }
        // Published first (a place's person is written before its state leaves EMPTY, and
        // never changes after), so that the person read below is final and locking cannot
        // race the publishing store.
        let published = self.ring.state(place).phase() != Phase::Empty;
        if !published || self.ring.person(place) != person {
            return None;
        }
        let guard = self.lock_seq(None, place);
        (guard.state.phase() != Phase::Moved).then_some(guard)
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
    fn leave(&self, guard: PersonGuard<'_>) {
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

    /// What the waiting room knows of a person at `now`, waiting out a busy bit.
    pub(crate) fn view(&self, person: PersonId, now: Timestamp) -> PlaceView {
        if !person.is_valid() {
            return PlaceView::Unknown;
        }
        let Some(mut entry) = self.table.find(person) else {
            return PlaceView::Unknown;
        };
        if entry.is_refused() {
            return PlaceView::Unknown;
        }
        if entry.is_linked() {
            return PlaceView::Dependant {
                holder: entry.seq(),
            };
        }
        loop {
            let seq = entry.seq();
            let state = self.ring.state_settled(seq);
            return match state.phase() {
                Phase::Empty | Phase::Waiting => PlaceView::Waiting {
                    seq,
                    ahead: self.ring.waiting_ahead(seq),
                },
                Phase::Standby => PlaceView::Standby { seq },
                Phase::Leased if state.is_offered() && now < state.deadline() => {
                    PlaceView::Offered {
                        seq,
                        until: state.deadline(),
                    }
                }
                Phase::Moved => {
                    entry = self.table.entry(entry.cell);
                    continue;
                }
                Phase::Leased if state.bookings_count() > 0 => PlaceView::Booked {
                    seq,
                    bookings_count: state.bookings_count(),
                    lease_until: state.deadline(),
                },
                Phase::Leased if now < state.deadline() => PlaceView::Admitted {
                    seq,
                    lease_until: state.deadline(),
                },
                Phase::Leased | Phase::Lapsed => PlaceView::Lapsed {
                    seq,
                    at: state.deadline(),
                },
                Phase::Left | Phase::Done | Phase::Void => PlaceView::Released { seq },
            };
        }
    }

    /// Registers `dependant` to the place `holder`, whose busy bit the caller holds: claims
    /// the dependant's table cell (or the cell of a first join the full room refused, which
    /// holds no place), runs `announce` while it is claimed and not yet visible (the engine
    /// records the registration there, as a first join's), then publishes it as linked.
    pub(crate) fn link(
        &self,
        holder: Seq,
        dependant: PersonId,
        announce: impl FnOnce(),
    ) -> Result<(), LinkRefusal> {
        debug_assert!(dependant.is_valid());
        let cell = match self.table.locate_or_claim(dependant) {
            Located::Claimed(cell) => cell,
            Located::Cell(cell) => loop {
                let entry = self.table.entry(cell);
                if !entry.is_refused() {
                    return Err(LinkRefusal::HasPlace);
                }
                if self.table.reclaim_refused(entry) {
                    break cell;
                }
            },
            Located::Absent | Located::Crowded => return Err(LinkRefusal::Crowded),
        };
        announce();
        self.table.publish_linked(cell, holder);
        Ok(())
    }

    /// Every dependant with the place they are registered to, for the audit and a snapshot.
    /// O(table size).
    pub(crate) fn dependants(&self) -> impl Iterator<Item = (PersonId, Seq)> + '_ {
        self.table
            .entries()
            .filter(|(_, entry)| entry.is_linked())
            .map(|(person, entry)| (person, entry.seq()))
    }

    /// The people one `admit` let in, given the range of places it considered: every place
    /// in the range except those given back before their turn.
    pub(crate) fn admitted_between(
        &self,
        from: Seq,
        to: Seq,
    ) -> impl Iterator<Item = (Seq, PersonId)> + '_ {
        let ring = &self.ring;
        (from.as_u64()..to.as_u64().min(ring.claimed_count()))
            .map(Seq::new)
            .filter(move |&seq| {
                !matches!(
                    ring.state(seq).phase(),
                    Phase::Left | Phase::Void | Phase::Empty
                )
            })
            .map(move |seq| (seq, ring.person(seq)))
    }

    /// Admits up to `how_many` waiting people in sequence order, each with a lease until
    /// `deadline`, and, if `can_admit` is given, as long as it says yes for the next one's
    /// scope tag (the seat-aware door asks whether their scope has a seat for them; it is
    /// asked once per person admitted and once for the one it stops at). Returns the number
    /// admitted, the range of places considered, and whether `can_admit` stopped it; it hands
    /// the number and the range to `record` before anyone can see an admission.
    ///
    /// With a record sink, admission is two steps: first the busy bit of every person to
    /// admit is taken (a person who leaves meanwhile is skipped, one who is mid-call is waited
    /// for), then `record` runs, then the leases are stored and the busy bits let go. So no
    /// call can act on an admission (book, say) before the door's record is in, and no one can
    /// leave a place the record says was admitted. Without a sink, one step: each lease is
    /// stored by one compare-and-swap around the busy bit.
    ///
    /// The caller holds the engine's advance lock.
    pub(crate) fn admit(
        &self,
        how_many: u64,
        deadline: Timestamp,
        mut can_admit: Option<&mut dyn FnMut(u16) -> bool>,
        record: impl FnOnce(u64, Seq, Seq),
    ) -> Admission {
        let start = self.ring.admit_cursor();
        let end = self.ring.claimed_count();
        let leased = PersonState::leased(deadline);
        let two_steps = self.recorder.is_on();
        // Without tags the active count is one total: counted once for the whole admission.
        let per_tag = self.active.per_tag();
        let mut cursor = start;
        let mut admitted = 0;
        let mut refused = false;
        // Whether `can_admit` already said yes to the place at the cursor.
        let mut granted = false;
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
                    if let Some(can_admit) = can_admit.as_deref_mut().filter(|_| !granted) {
                        if !can_admit(self.tags.get(seq)) {
                            refused = true;
                            break;
                        }
                        granted = true;
                    }
                    let next = if two_steps { state.with_busy() } else { leased };
                    if self.ring.compare_exchange(seq, state, next).is_err() {
                        backoff.spin();
                        continue;
                    }
                    granted = false;
                    if per_tag && !two_steps {
                        self.active.increment(self.tags.get(seq));
                    }
                    admitted += 1;
                }
                Phase::Left | Phase::Void => {}
                phase => debug_assert!(false, "place {seq} past the admission cursor is {phase:?}"),
            }
            cursor += 1;
        }
        debug_assert!(admitted <= how_many && cursor <= end);
        record(admitted, Seq::new(start), Seq::new(cursor));
        if two_steps {
            for raw in start..cursor {
                let seq = Seq::new(raw);
                // The waiting places in the range are exactly the ones this call holds.
                if self.ring.state(seq).phase() == Phase::Waiting {
                    self.ring.unlock(seq, leased);
                    if per_tag {
                        self.active.increment(self.tags.get(seq));
                    }
                }
            }
        }
        if !per_tag {
            self.active.add_untagged(admitted);
        }
        self.ring.set_admit_cursor(cursor);
        Admission {
            admitted,
            from: Seq::new(start),
            to: Seq::new(cursor),
            refused,
        }
    }

    /// Marks as LAPSED every active place from `cursor` on whose lease ended at or before
    /// `now`. Returns the new sweep cursor and how many lapsed.
    ///
    /// Lease deadlines of admitted places are non-decreasing in place order, so the sweep stops
    /// at the first live one; offers (whose deadlines are renewed at the door's later turns)
    /// and standby are passed over.
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
                Phase::Left | Phase::Void => {}
                // A person on standby, or offered a seat, holds no lease the sweep could end:
                // their deadline (renewed by an offer, out of place order) does not stop it.
                Phase::Standby => {}
                Phase::Leased if state.is_offered() => {}
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
                    self.active_decrement(seq);
                    lapsed += 1;
                }
                _ => {}
            }
            cursor += 1;
        }
        (cursor, lapsed)
    }

    /// The most cells of the person table any lookup walks (see `AuditReport::longest_probe`).
    pub(crate) fn longest_probe(&self) -> u64 {
        self.table.longest_probe()
    }

    /// Recounts the waiting room's own invariants into `violations`, and reports every
    /// handed-out place to `each_place` so that the engine can check what it holds. Places are
    /// dense, in order around the admission cursor, the person table and the ring agree, nobody
    /// holds two live places, and the active count matches a recount.
    ///
    /// O(people) and allocation-free; call it while no other thread is mid-call.
    pub(crate) fn audit(
        &self,
        violations: &mut Vec<Violation>,
        mut each_place: impl FnMut(Seq, PlaceFacts),
    ) {
        let ring = &self.ring;
        let places = ring.claimed_count();
        let admit_cursor = ring.admit_cursor();
        let mut active_counted = 0i64;
        let mut active_by_tag: Vec<i64> = Vec::new();
        let mut standing = Vec::new();
        let mut offered = Vec::new();
        let mut dead = 0u64;
        for raw in 0..places {
            let seq = Seq::new(raw);
            let state = ring.state(seq);
            let phase = state.phase();
            if phase == Phase::Empty {
                violations.push(Violation::Hole { seq });
                continue;
            }
            let admitted = !matches!(phase, Phase::Waiting | Phase::Left | Phase::Void);
            let below_cursor = raw < admit_cursor;
            if (phase == Phase::Waiting && below_cursor) || (admitted && !below_cursor) {
                violations.push(Violation::OutOfOrder { seq });
            }
            let tag = usize::from(self.tags.get(seq));
            if state.is_active() {
                active_counted += 1;
                if active_by_tag.len() <= tag {
                    active_by_tag.resize(tag + 1, 0);
                }
                active_by_tag[tag] += 1;
            }
            if matches!(phase, Phase::Moved | Phase::Void) {
                // Dead places: no table cell leads to them.
                dead += 1;
            }
            if phase == Phase::Standby {
                standing.push((seq, tag as u16));
            }
            if state.is_offered() {
                offered.push(seq);
            }
            each_place(
                seq,
                PlaceFacts {
                    holds_lease: phase == Phase::Leased,
                    bookings_count: state.bookings_count(),
                    offered: state.is_offered(),
                },
            );
        }

        // Every person in the table points at a place holding them, and that place is their
        // only live one: a MOVED place is dead, and the table points past it.
        let mut live_places = 0u64;
        for (person, entry) in self.table.entries() {
            if entry.is_refused() {
                continue;
            }
            if entry.is_linked() {
                // A dependant holds no place: their entry names a published place (whose
                // group the engine checks).
                let seq = entry.seq();
                if seq.as_u64() >= places || ring.state(seq).phase() == Phase::Empty {
                    violations.push(Violation::TableRingMismatch { person, seq });
                }
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
        if live_places + dead != places {
            // More places than people-plus-requeues: someone holds two.
            for raw in 0..places {
                let seq = Seq::new(raw);
                let person = ring.person(seq);
                let live = self.table.find(person).map(|entry| entry.seq());
                let dead = matches!(ring.state(seq).phase(), Phase::Moved | Phase::Void);
                if !dead && live != Some(seq) {
                    violations.push(Violation::DuplicatePlace { person });
                }
            }
        }

        let recorded = self.active.total();
        if recorded != active_counted {
            violations.push(Violation::CounterMismatch {
                counter: "active admitted count",
                recorded,
                counted: active_counted,
            });
        }
        if self.active.per_tag() {
            for tag in 0..=u16::try_from(active_by_tag.len()).unwrap_or(u16::MAX) {
                let counted = active_by_tag.get(usize::from(tag)).copied().unwrap_or(0);
                let recorded = self.active.of_tag(tag);
                if recorded != counted {
                    violations.push(Violation::CounterMismatch {
                        counter: "active admitted count of a scope",
                        recorded,
                        counted,
                    });
                }
            }
        }

        // The standby line lists exactly the people on standby, in place order, and every
        // held seat was recorded as an offer.
        let line = self.standby.lock();
        let (listed, offers) = line.snapshot();
        if listed != standing {
            violations.push(Violation::CounterMismatch {
                counter: "people on standby in the line",
                recorded: listed.len() as i64,
                counted: standing.len() as i64,
            });
        }
        if let Some(unrecorded) = offered
            .iter()
            .find(|seq| offers.binary_search(seq).is_err())
        {
            violations.push(Violation::CounterMismatch {
                counter: "offers recorded in the line",
                recorded: offers.len() as i64,
                counted: offered.len() as i64 + i64::from(unrecorded.as_u64() == u64::MAX),
            });
        }
        if let Some((counter, recorded, counted)) = line.audit() {
            violations.push(Violation::CounterMismatch {
                counter,
                recorded,
                counted,
            });
        }
    }
}

/// What a first join needs to know of its cohort.
#[derive(Clone, Copy)]
struct FirstJoin {
    cohort: CohortId,
    window: CohortWindow,
    /// The scope tag the new place keeps, if given (the cohort's otherwise).
    tag: Option<u16>,
}

/// Admitted, holds no booking now, and the lease has run out by `now`. An offer lapses only
/// when the door returns its seat: until then the person keeps their place.
fn is_lapsed(state: PersonState, now: Timestamp) -> bool {
    match state.phase() {
        Phase::Lapsed => true,
        Phase::Leased => {
            state.bookings_count() == 0 && !state.is_offered() && now >= state.deadline()
        }
        _ => false,
    }
}

/// Where a first join's place comes from: claimed at once ([`Immediate`], a single `enqueue`),
/// or deferred and claimed in blocks ([`Deferred`], `enqueue_batch`).
trait Sequencer {
    /// A first join won table cell `cell` for `person`: its answer now, or `None` if the
    /// sequencer answers later.
    fn first_join(
        &mut self,
        room: &WaitingRoom,
        cell: usize,
        person: PersonId,
        tag: u16,
    ) -> Option<Result<Place, EnqueueError>>;

    /// If this sequencer holds `cell` pending, the index of the request that claimed it.
    fn holds(&self, cell: usize) -> Option<usize>;

    /// The current request is the same person as the earlier request `index` of the batch:
    /// its answer now, or `None` if the sequencer answers later.
    fn same_as(&mut self, room: &WaitingRoom, index: usize) -> Option<Result<Place, EnqueueError>>;

    /// Hands out every place it defers, before the join waits for another pending join or
    /// claims a place at once.
    fn settle(&mut self, room: &WaitingRoom);
}

/// One join, its place claimed at once with the one shared `fetch_add`.
struct Immediate;

impl Sequencer for Immediate {
    #[inline]
    fn first_join(
        &mut self,
        room: &WaitingRoom,
        cell: usize,
        person: PersonId,
        tag: u16,
    ) -> Option<Result<Place, EnqueueError>> {
        Some(match room.ring.claim() {
            Some(seq) => Ok(room.publish_first_join(cell, person, seq, tag)),
            None => {
                room.table.refuse(cell);
                Err(room.full())
            }
        })
    }

    fn holds(&self, _cell: usize) -> Option<usize> {
        None
    }

    fn same_as(
        &mut self,
        _room: &WaitingRoom,
        _index: usize,
    ) -> Option<Result<Place, EnqueueError>> {
        unreachable!("a single join holds no pending cell to meet again")
    }

    fn settle(&mut self, _room: &WaitingRoom) {}
}

/// First joins of a batch, their table cells won and held pending, their places handed out
/// together with one `fetch_add` for up to [`Deferred::CLAIMS_MAX`] of them.
///
/// On two threads a contended `fetch_add` costs about 24 ns and is a full barrier; a batch
/// pays it once per block of first joins instead of once per first join. What the block claim
/// means for order: the block's places are consecutive, in request order, and they are handed
/// out at the instant of the `fetch_add`, which is when the block's joins take effect. A join
/// on another thread that completes before it gets a lower place, one that starts after it a
/// higher one: FIFO across threads holds as for single joins. Until then the block's people
/// are pending in the table, as a single join's person is between its claim of a cell and its
/// `fetch_add`: another device of theirs waits for the place, and a second device of the
/// *same* batch is answered the place of the first, `is_new: false`, exactly as a second call
/// would be. A batch never waits for another join while it holds cells pending (it hands out
/// its block first), so two batches cannot wait for each other.
struct Deferred<'a> {
    requests: &'a [(PersonId, CohortId)],
    now: Timestamp,
    sold_out: &'a SoldOut<'a>,
    results: &'a mut [Result<Place, EnqueueError>],
    /// The request being served.
    current: usize,
    /// `(request, cell, person, tag)` of each deferred first join, in request order.
    claims: [(usize, usize, PersonId, u16); Deferred::CLAIMS_MAX],
    claims_len: usize,
    /// `(request, earlier request)`: a second device of a person deferred earlier.
    repeats: [(usize, usize); Deferred::CLAIMS_MAX],
    repeats_len: usize,
}

impl<'a> Deferred<'a> {
    /// First joins per block claim: 64 cuts the shared `fetch_add`s of the reference surge's
    /// batches (about 10 first joins per 64 requests) tenfold, and keeps a pending person's
    /// other devices waiting for at most a block's worth of joins.
    const CLAIMS_MAX: usize = 64;

    fn new(
        requests: &'a [(PersonId, CohortId)],
        now: Timestamp,
        sold_out: &'a SoldOut<'a>,
        results: &'a mut [Result<Place, EnqueueError>],
    ) -> Deferred<'a> {
        Deferred {
            requests,
            now,
            sold_out,
            results,
            current: 0,
            claims: [(0, 0, PersonId::RESERVED, 0); Deferred::CLAIMS_MAX],
            claims_len: 0,
            repeats: [(0, 0); Deferred::CLAIMS_MAX],
            repeats_len: 0,
        }
    }
}

impl Sequencer for Deferred<'_> {
    #[inline]
    fn first_join(
        &mut self,
        room: &WaitingRoom,
        cell: usize,
        person: PersonId,
        tag: u16,
    ) -> Option<Result<Place, EnqueueError>> {
        if self.claims_len == Deferred::CLAIMS_MAX {
            self.settle(room);
        }
        self.claims[self.claims_len] = (self.current, cell, person, tag);
        self.claims_len += 1;
        None
    }

    fn holds(&self, cell: usize) -> Option<usize> {
        self.claims[..self.claims_len]
            .iter()
            .find(|&&(_, held, _, _)| held == cell)
            .map(|&(index, _, _, _)| index)
    }

    fn same_as(&mut self, room: &WaitingRoom, index: usize) -> Option<Result<Place, EnqueueError>> {
        if self.repeats_len == Deferred::CLAIMS_MAX {
            // Rare (a batch naming the same few people again and again): hand out the block,
            // after which the earlier request's answer is known.
            let current = self.current;
            self.settle(room);
            return Some(self.repeat(room, current, index));
        }
        self.repeats[self.repeats_len] = (self.current, index);
        self.repeats_len += 1;
        None
    }

    fn settle(&mut self, room: &WaitingRoom) {
        let claims = &self.claims[..self.claims_len];
        if !claims.is_empty() {
            let mut seqs = room.ring.claim_block(claims.len() as u64);
            for &(index, cell, person, tag) in claims {
                self.results[index] = match seqs.next() {
                    Some(seq) => Ok(room.publish_first_join(cell, person, seq, tag)),
                    None => {
                        room.table.refuse(cell);
                        Err(room.full())
                    }
                };
            }
        }
        self.claims_len = 0;
        let repeats = self.repeats;
        for &(index, earlier) in &repeats[..self.repeats_len] {
            self.results[index] = self.repeat(room, index, earlier);
        }
        self.repeats_len = 0;
    }
}

impl Deferred<'_> {
    /// The answer of request `index`, a second join of the person of request `earlier`, whose
    /// own answer is settled: the same place, not new. If the earlier join was refused (the
    /// room was full), the person holds no place, and a second call would be a first join
    /// again, cohort window and inventory checked first: so it is served as one.
    fn repeat(
        &mut self,
        room: &WaitingRoom,
        index: usize,
        earlier: usize,
    ) -> Result<Place, EnqueueError> {
        match self.results[earlier] {
            Ok(place) => Ok(Place {
                is_new: false,
                ..place
            }),
            Err(_) => {
                let (person, cohort) = self.requests[index];
                room.join_with(
                    person,
                    cohort,
                    None,
                    self.now,
                    self.sold_out,
                    &mut Immediate,
                )
                .expect("an immediate join always answers")
            }
        }
    }
}
