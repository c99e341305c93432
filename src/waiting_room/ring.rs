//! The admission ring: one entry per [`Seq`], holding who is there and their packed
//! [`PersonState`], with the cursors that say how far joining and admission have got.
//!
//! The vocabulary is the Disruptor's (Thompson et al., 2011): a joiner *claims* a sequence with
//! one `fetch_add` on the claim cursor, writes the person into the entry, and *publishes* it
//! by storing the WAITING state with Release ordering. `advance` reads entries in sequence
//! order and stops at the first one not yet published, so the admission order is exactly the
//! claim order even while claims and publishes interleave across threads.
//!
//! The ring does not wrap: a campaign sequences at most
//! [`Config::people_max`](crate::Config::people_max) places over its life, and an entry keeps
//! its person after they are admitted, book or leave, because "one person, one place" means
//! a person's record must outlive their turn. A claim past the end is refused ("full").

use crossbeam_utils::CachePadded;

use super::fenwick::Fenwick;
use super::person_state::{PersonState, Phase};
use crate::ids::{PersonId, Seq};
use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::platform::hints;
use crate::platform::sync::{AtomicU64, Backoff, Ordering};

/// One place: its state and its person, side by side so that a first join writes one cache
/// line, not two (measured: separate arrays cost a second miss per first join).
#[repr(C, align(16))]
struct Entry {
    state: AtomicU64,
    person: AtomicU64,
}

// Four entries to a 64-byte line, none straddling two (loom's atomics are larger: not checked).
#[cfg(not(loom))]
const _: () = assert!(size_of::<Entry>() == 16 && align_of::<Entry>() == 16);

pub(crate) struct Ring {
    entries: Box<[Entry]>,
    /// The next sequence to hand out. Overshoots `len` by the number of refused claims.
    claim_cursor: CachePadded<AtomicU64>,
    /// Nonzero once a claim has been refused. Joins check this flag rather than the claim
    /// cursor, whose line every first join writes: a flag written once stays shared in every
    /// core's cache.
    used_up: CachePadded<AtomicU64>,
    /// Every entry below this has been considered by `advance` (admitted, or skipped because
    /// the person left). Written only under the engine's advance lock.
    admit_cursor: CachePadded<AtomicU64>,
    /// People who gave back their place before admission, by sequence.
    left: Fenwick,
    /// How many in all. While it is 0 (no one has left yet, the common case in a surge),
    /// "people ahead" needs no tree walk: each of the two prefix sums touches about 20 tree
    /// nodes, spread over as many cache lines.
    left_total: CachePadded<AtomicU64>,
}

impl Ring {
    pub(crate) fn new(len: u64) -> Result<Ring, AllocError> {
        let len = usize::try_from(len).map_err(|_| AllocError { bytes: usize::MAX })?;
        Ok(Ring {
            entries: try_boxed_slice(len, Pages::Huge, || Entry {
                state: AtomicU64::new(0),
                person: AtomicU64::new(0),
            })?,
            claim_cursor: CachePadded::new(AtomicU64::new(0)),
            used_up: CachePadded::new(AtomicU64::new(0)),
            admit_cursor: CachePadded::new(AtomicU64::new(0)),
            left: Fenwick::new(len)?,
            left_total: CachePadded::new(AtomicU64::new(0)),
        })
    }

    /// What [`Ring::new`] allocates for `len` places.
    pub(crate) fn bytes_for(len: u64) -> usize {
        len as usize * core::mem::size_of::<Entry>() + Fenwick::bytes_for(len as usize)
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        core::mem::size_of_val(&*self.entries) + self.left.memory_bytes()
    }

    pub(crate) fn len(&self) -> u64 {
        self.entries.len() as u64
    }

    /// Claims the next sequence, or `None` when the ring is used up.
    #[inline]
    pub(crate) fn claim(&self) -> Option<Seq> {
        let seq = self.claim_cursor.fetch_add(1, Ordering::AcqRel);
        if seq < self.len() {
            return Some(Seq::new(seq));
        }
        self.used_up.store(1, Ordering::Relaxed);
        None
    }

    /// Claims `count` consecutive sequences with one `fetch_add`, and returns those below the
    /// ring's end (the rest are refused, and mark the ring used up).
    #[inline]
    pub(crate) fn claim_block(&self, count: u64) -> impl Iterator<Item = Seq> {
        let first = self.claim_cursor.fetch_add(count, Ordering::AcqRel);
        let end = first.saturating_add(count);
        if end > self.len() {
            self.used_up.store(1, Ordering::Relaxed);
        }
        (first..end.min(self.len()).max(first)).map(Seq::new)
    }

    /// Counts `seq` as claimed (replay: places are restored in any order, and the claim cursor
    /// ends one past the highest).
    pub(crate) fn replay_claim(&self, seq: Seq) {
        self.claim_cursor
            .fetch_max(seq.as_u64() + 1, Ordering::AcqRel);
    }

    /// Writes a place restored from a snapshot (to a ring no other thread uses).
    pub(crate) fn restore(&self, seq: Seq, person: PersonId, state: PersonState) {
        let entry = &self.entries[seq.as_index()];
        entry.person.store(person.as_u64(), Ordering::Relaxed);
        entry.state.store(state.bits(), Ordering::Release);
    }

    /// Marks a claimed place that was never published as void (recovery only).
    pub(crate) fn publish_void(&self, seq: Seq) {
        let entry = &self.entries[seq.as_index()];
        entry
            .person
            .store(PersonId::RESERVED.as_u64(), Ordering::Relaxed);
        entry.state.store(
            PersonState::from_bits(0).with_phase(Phase::Void).bits(),
            Ordering::Release,
        );
    }

    /// Cheap pre-check before claiming: `true` once a claim has been refused. It may lag a
    /// refusal by a few claims in flight, which only costs those claims a table cell each.
    #[inline]
    pub(crate) fn is_used_up(&self) -> bool {
        self.used_up.load(Ordering::Relaxed) != 0
    }

    /// Sequences handed out so far (never more than the ring's length).
    pub(crate) fn claimed_count(&self) -> u64 {
        self.claim_cursor.load(Ordering::Acquire).min(self.len())
    }

    /// Writes the person into a claimed entry and makes it visible as WAITING.
    #[inline]
    pub(crate) fn publish(&self, seq: Seq, person: PersonId) {
        let entry = &self.entries[seq.as_index()];
        debug_assert_eq!(
            entry.state.load(Ordering::Relaxed),
            0,
            "{seq} published twice"
        );
        entry.person.store(person.as_u64(), Ordering::Relaxed);
        entry
            .state
            .store(PersonState::WAITING.bits(), Ordering::Release);
    }

    /// Starts loading the entry of `seq`, if it exists (see [`hints::prefetch`]).
    #[inline(always)]
    pub(crate) fn prefetch(&self, seq: Seq) {
        if let Some(entry) = self.entries.get(seq.as_index()) {
            hints::prefetch(entry);
        }
    }

    pub(crate) fn person(&self, seq: Seq) -> PersonId {
        PersonId::new(self.entries[seq.as_index()].person.load(Ordering::Relaxed))
    }

    #[inline]
    pub(crate) fn state(&self, seq: Seq) -> PersonState {
        PersonState::from_bits(self.entries[seq.as_index()].state.load(Ordering::Acquire))
    }

    /// One compare-and-swap of a person's state; on failure returns what was there.
    pub(crate) fn compare_exchange(
        &self,
        seq: Seq,
        current: PersonState,
        new: PersonState,
    ) -> Result<(), PersonState> {
        self.entries[seq.as_index()]
            .state
            .compare_exchange(
                current.bits(),
                new.bits(),
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .map(|_| ())
            .map_err(PersonState::from_bits)
    }

    /// Sets the person's busy bit, waiting while another thread holds it, and returns the
    /// state as it was (without the bit). Pair with [`Ring::unlock`].
    pub(crate) fn lock(&self, seq: Seq) -> PersonState {
        let backoff = Backoff::new();
        loop {
            let current = self.state(seq);
            if !current.is_busy() {
                if self
                    .compare_exchange(seq, current, current.with_busy())
                    .is_ok()
                {
                    return current;
                }
                backoff.spin();
            } else {
                backoff.snooze();
            }
        }
    }

    /// Stores the person's new state and lets go of the busy bit in one Release store.
    pub(crate) fn unlock(&self, seq: Seq, new: PersonState) {
        debug_assert!(self.state(seq).is_busy(), "unlock without lock");
        self.entries[seq.as_index()]
            .state
            .store(new.without_busy().bits(), Ordering::Release);
    }

    /// Waits until no thread holds the person's busy bit and returns the state.
    pub(crate) fn state_settled(&self, seq: Seq) -> PersonState {
        let backoff = Backoff::new();
        loop {
            let state = self.state(seq);
            if !state.is_busy() {
                return state;
            }
            backoff.snooze();
        }
    }

    #[inline]
    pub(crate) fn admit_cursor(&self) -> u64 {
        self.admit_cursor.load(Ordering::Acquire)
    }

    /// Moves the admission cursor (the caller holds the engine's advance lock).
    pub(crate) fn set_admit_cursor(&self, cursor: u64) {
        debug_assert!(cursor >= self.admit_cursor.load(Ordering::Relaxed));
        self.admit_cursor.store(cursor, Ordering::Release);
    }

    /// Records that the person at `seq` gave back their place before admission.
    pub(crate) fn note_left(&self, seq: Seq) {
        self.left.increment(seq.as_index());
        self.left_total.fetch_add(1, Ordering::AcqRel);
    }

    /// People still waiting ahead of `seq`: not yet admitted, not left.
    pub(crate) fn waiting_ahead(&self, seq: Seq) -> u64 {
        let admitted = self.admit_cursor().min(seq.as_u64());
        let holes = if self.left_total.load(Ordering::Acquire) == 0 {
            0
        } else {
            self.left
                .prefix_sum(seq.as_index())
                .saturating_sub(self.left.prefix_sum(admitted as usize))
        };
        (seq.as_u64() - admitted).saturating_sub(holes)
    }
}
