//! The person table: a pre-sized, lock-free, open-addressing map from [`PersonId`] to the
//! person's place ([`Seq`]). It is what makes "one person, one place" cheap.
//!
//! # Design
//!
//! Each cell is 16 bytes, `{ key, value }`, two `AtomicU64`s; four cells make a *bucket*, one
//! 64-byte cache line, aligned as one:
//!
//! - `key`: 0 for a free cell, otherwise `person + 1` ([`PersonId::RESERVED`] is refused so
//!   that this never wraps to 0). A key is written once, by compare-and-swap on a free cell,
//!   and never changes or goes away: the table only grows, which is what makes the probe loop
//!   safe without tombstones or epochs.
//! - `value`: 0 while the person's sequence is being claimed ("pending"), then
//!   `seq + 1` in the low 40 bits, plus the flags [`RETIRED`] (the person gave their place
//!   back before admission), [`REFUSED`] (their first join found the waiting room full) and
//!   [`LINKED`] (the person is registered as a dependant of the place in the low bits: they
//!   share it and hold none of their own).
//!
//! A person's *home* is a bucket; a lookup reads the four keys of the line at once and
//! compares them all, without a branch per cell (the idea of SwissTable's groups, at the
//! granularity of a cache line), then goes on to the next bucket only if none matched and
//! none was free. Measured before, with the probe starting at a cell: at the reference load
//! (0.71) repeat joins found their key in the first cell only 64% of the time, and each miss
//! was a mispredicted branch that threw away the run-ahead loads of the next calls. Starting
//! at a line, 88.5% of people sit in their home line (a simulation of 1.5 M people in
//! 524,288 buckets; the farthest sits 28 buckets on), and the rest cost one more line.
//!
//! The home is a keyed hash of the key: a folded multiply (the 128-bit product of the key
//! mixed with a secret, high half xor low half, as foldhash and aHash's fallback do), reduced
//! to the table by Fibonacci hashing (multiply by 2⁶⁴/φ, keep the top bits: Knuth, TAOCP
//! vol. 3, 6.4). The secret comes from
//! [`Config::person_hash_key`](crate::Config::person_hash_key), so the engine stays
//! deterministic and replayable, and a service that keeps its key secret cannot be fed ids
//! that all land on one bucket: with the bare Fibonacci hash, 30,000 chosen ids plus 10,000
//! reconnects took 1.87 s instead of 2.6 ms, every join walking the whole cluster.
//!
//! A probe never walks more than [`PROBE_MAX`] cells, whatever the ids: a join that finds no
//! free cell within them is refused (`EnqueueError::Crowded`) instead of making everyone who
//! hashes nearby pay for an ever longer walk. With a secret key the bound is never reached in
//! practice (see its docs). The table is sized at build time to at least 4/3 of
//! [`Config::people_max`](crate::Config::people_max), so the load factor stays at or below
//! 0.75. A join of a person already in the table is one cache miss.
//!
//! The protocol for a first join (after Cliff Click's lock-free hash table, simplified by
//! never deleting):
//!
//! 1. Probe, a bucket at a time, to the person's cell or the first free cell.
//! 2. If free, CAS the key from 0 to `person + 1`. The winner owns the first join; a loser
//!    scans the bucket again: the cell it lost holds the same person (follow step 4) or
//!    someone else (go on to the next free cell).
//! 3. The owner claims a sequence (elsewhere) and stores `seq + 1` into `value` (Release).
//! 4. Any other thread that finds the key with `value == 0` waits (spin, then yield) for
//!    step 3: it is a handful of instructions away.
//!
//! Since cells are taken in probe order and never freed, a key in a bucket's last cell means
//! its first three are taken too, and a free cell ends every probe for a key not yet in.
//!
//! Rejected alternatives, measured on the reference surge (10 M joins from 1.5 M people,
//! 2 threads): `Mutex<(HashMap, VecDeque)>` 5.1 M joins/s, `DashMap` 12.8 M joins/s. A table
//! twice the size (load 0.36) joined 17-31% faster but cost 22 bytes more per person.

use crate::ids::{PersonId, Seq};
use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::platform::hints;
use crate::platform::sync::{AtomicU64, Backoff, Ordering};

/// Flag in `value`: the person gave back their place before being admitted.
pub(crate) const RETIRED: u64 = 1 << 63;
/// Flag in `value`: the person's first join found the waiting room full; they hold no place.
pub(crate) const REFUSED: u64 = 1 << 62;
/// Flag in `value`: the person is a dependant of the place in the low bits (one person, one
/// place: they hold no place of their own).
pub(crate) const LINKED: u64 = 1 << 61;
const SEQ_MASK: u64 = (1 << 40) - 1;

/// 2⁶⁴ / φ, the Fibonacci hashing multiplier.
const FIBONACCI: u64 = 0x9E37_79B9_7F4A_7C15;

/// The most cells one probe walks (64 KiB of cells, 1,024 cache lines at the worst).
///
/// Linear probing at the table's load (at most 0.75) makes a probe longer than `k` cells with
/// probability about `e^(-0.0377 k)`: one in 10¹⁷ for 4,096 cells, so across the 1.5 million
/// first joins of the reference surge no honest join comes near it. Only ids crafted to
/// collide (with a known key) reach it, and then each such join costs a bounded walk instead
/// of one that grows with every crafted id before it.
pub(crate) const PROBE_MAX: usize = 4_096;

/// [`PROBE_MAX`] in buckets.
const PROBE_MAX_BUCKETS: usize = PROBE_MAX / BUCKET_CELLS;

#[repr(C, align(16))]
struct Cell {
    key: AtomicU64,
    value: AtomicU64,
}

/// Cells per bucket: one 64-byte line of 16-byte cells.
const BUCKET_CELLS: usize = 4;

/// A cache line of cells, compared at once.
#[repr(C, align(64))]
struct Bucket {
    cells: [Cell; BUCKET_CELLS],
}

// One bucket is exactly one 64-byte line (loom's atomics are larger: not checked).
#[cfg(not(loom))]
const _: () =
    assert!(size_of::<Cell>() == 16 && size_of::<Bucket>() == 64 && align_of::<Bucket>() == 64);
// A sequence and both flags fit the value word without overlapping.
const _: () = assert!(
    SEQ_MASK & (RETIRED | REFUSED | LINKED) == 0
        && RETIRED & REFUSED == 0
        && (RETIRED | REFUSED) & LINKED == 0
);

/// What a cell's `value` says about the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) cell: usize,
    pub(crate) value: u64,
}

impl Entry {
    pub(crate) fn seq(self) -> Seq {
        Seq::new((self.value & SEQ_MASK) - 1)
    }

    pub(crate) fn is_retired(self) -> bool {
        self.value & RETIRED != 0
    }

    pub(crate) fn is_refused(self) -> bool {
        self.value & REFUSED != 0
    }

    /// A dependant's entry: [`Entry::seq`] is the place they are registered to.
    pub(crate) fn is_linked(self) -> bool {
        self.value & LINKED != 0
    }

    /// Not retired, refused or linked: the person's own place, as the join path's fast case
    /// needs it (one test of the flags).
    #[inline]
    pub(crate) fn is_plain(self) -> bool {
        self.value & (RETIRED | REFUSED | LINKED) == 0
    }
}

/// Where a probe for a person ended.
pub(crate) enum Located {
    /// The person's cell (its value may still be pending).
    Cell(usize),
    /// This call won a free cell for the person's first join; the caller must
    /// [`PersonTable::publish`] or [`PersonTable::refuse`] it.
    Claimed(usize),
    /// The person is not in the table.
    Absent,
    /// No free cell within [`PROBE_MAX`] cells of the person's home: ids crafted to collide,
    /// or far more distinct people than `people_max` (refused first joins keep their cell).
    Crowded,
}

pub(crate) struct PersonTable {
    buckets: Box<[Bucket]>,
    /// `64 - log2(buckets)`: the Fibonacci reduction keeps the top bits.
    shift: u32,
    /// The hash's secret, two words derived from the configured key.
    keys: [u64; 2],
}

/// A 64 × 64 → 128-bit multiply, folded: high half xor low half. Every input bit reaches
/// every output bit through the carries of the multiply.
#[inline(always)]
fn folded_multiply(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

/// SplitMix64's output function (Steele, Lea and Flood, OOPSLA 2014): spreads one configured
/// key into the two words of the hash's secret.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl PersonTable {
    /// Buckets for `people_max` people: a power of two at or above 4/3 of them in cells, so
    /// that the load stays at or below 0.75.
    fn buckets_len(people_max: u64) -> u64 {
        people_max
            .saturating_mul(4)
            .div_ceil(3)
            .max(16)
            .next_power_of_two()
            / BUCKET_CELLS as u64
    }

    /// What [`PersonTable::new`] allocates for `people_max` people.
    pub(crate) fn bytes_for(people_max: u64) -> usize {
        Self::buckets_len(people_max) as usize * size_of::<Bucket>()
    }

    pub(crate) fn new(people_max: u64, hash_key: u64) -> Result<PersonTable, AllocError> {
        let buckets_len = Self::buckets_len(people_max);
        let buckets = try_boxed_slice(buckets_len as usize, Pages::Huge, || Bucket {
            cells: core::array::from_fn(|_| Cell {
                key: AtomicU64::new(0),
                value: AtomicU64::new(0),
            }),
        })?;
        let first = mix(hash_key.wrapping_add(FIBONACCI));
        Ok(PersonTable {
            buckets,
            shift: 64 - buckets_len.trailing_zeros(),
            // The second word is odd, so that the multiply never loses the key's low bits.
            keys: [first, mix(first) | 1],
        })
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        size_of_val(&*self.buckets)
    }

    /// The person's home bucket.
    #[inline]
    fn home(&self, key: u64) -> usize {
        let hash = folded_multiply(key ^ self.keys[0], self.keys[1]);
        (hash.wrapping_mul(FIBONACCI) >> self.shift) as usize
    }

    #[inline]
    fn next(&self, bucket: usize) -> usize {
        (bucket + 1) & (self.buckets.len() - 1)
    }

    /// How many buckets a probe may visit.
    fn probe_len(&self) -> usize {
        self.buckets.len().min(PROBE_MAX_BUCKETS)
    }

    fn cell(&self, index: usize) -> &Cell {
        &self.buckets[index / BUCKET_CELLS].cells[index % BUCKET_CELLS]
    }

    /// Starts loading the person's home bucket into the cache (see [`hints::prefetch`]).
    #[inline(always)]
    pub(crate) fn prefetch(&self, person: PersonId) {
        let home = self.home(person.as_u64().wrapping_add(1));
        hints::prefetch(&self.buckets[home]);
    }

    /// Reads a bucket's four keys and says, as bit masks over its cells, which hold `key`
    /// and which are free: no branch per cell.
    #[inline(always)]
    fn scan(bucket: &Bucket, key: u64, order: Ordering) -> (u32, u32) {
        let mut hits = 0;
        let mut free = 0;
        for (index, cell) in bucket.cells.iter().enumerate() {
            let found = cell.key.load(order);
            hits |= u32::from(found == key) << index;
            free |= u32::from(found == 0) << index;
        }
        (hits, free)
    }

    /// The person's entry, waiting out a pending first join. `None` if the person never joined.
    #[inline]
    pub(crate) fn find(&self, person: PersonId) -> Option<Entry> {
        self.locate(person).map(|cell| self.value_of(cell))
    }

    /// The person's cell, if they are in the table, without waiting for its value.
    #[inline]
    pub(crate) fn locate(&self, person: PersonId) -> Option<usize> {
        match self.probe(person, false) {
            Located::Cell(cell) => Some(cell),
            Located::Claimed(_) | Located::Absent | Located::Crowded => None,
        }
    }

    /// The person's cell, or a free cell claimed for their first join.
    #[inline]
    pub(crate) fn locate_or_claim(&self, person: PersonId) -> Located {
        self.probe(person, true)
    }

    /// One probe, a bucket at a time; `claim` says whether to take the first free cell.
    #[inline(always)]
    fn probe(&self, person: PersonId, claim: bool) -> Located {
        let key = person.as_u64().wrapping_add(1);
        let mut bucket = self.home(key);
        let mut visited = 0;
        while visited < self.probe_len() {
            let (hits, free) = Self::scan(&self.buckets[bucket], key, Ordering::Acquire);
            if hits != 0 {
                return Located::Cell(bucket * BUCKET_CELLS + hits.trailing_zeros() as usize);
            }
            if free == 0 {
                bucket = self.next(bucket);
                visited += 1;
                continue;
            }
            if !claim {
                return Located::Absent;
            }
            let first_free = free.trailing_zeros() as usize;
            let cell = &self.buckets[bucket].cells[first_free];
            if cell
                .key
                .compare_exchange(0, key, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                return Located::Claimed(bucket * BUCKET_CELLS + first_free);
            }
            // Another thread took that cell first, maybe for the same person: look again.
        }
        Located::Crowded
    }

    /// The person's place if their cell is published, without waiting for a pending first
    /// join: a hint for prefetching, never an answer.
    #[inline]
    pub(crate) fn peek(&self, person: PersonId) -> Option<Seq> {
        let key = person.as_u64().wrapping_add(1);
        let mut bucket = self.home(key);
        for _ in 0..self.probe_len() {
            let (hits, free) = Self::scan(&self.buckets[bucket], key, Ordering::Relaxed);
            if hits != 0 {
                let cell = &self.buckets[bucket].cells[hits.trailing_zeros() as usize];
                let value = cell.value.load(Ordering::Relaxed);
                return (value != 0).then(|| Entry { cell: 0, value }.seq());
            }
            if free != 0 {
                return None;
            }
            bucket = self.next(bucket);
        }
        None
    }

    /// The entry of a cell whose key is known, or `None` while its first join is pending.
    #[inline]
    pub(crate) fn try_entry(&self, cell: usize) -> Option<Entry> {
        let value = self.cell(cell).value.load(Ordering::Acquire);
        (value != 0).then_some(Entry { cell, value })
    }

    /// The value of a cell whose key is known, waiting while its first join is pending.
    #[inline]
    fn value_of(&self, cell: usize) -> Entry {
        let value = self.cell(cell).value.load(Ordering::Acquire);
        if value != 0 {
            return Entry { cell, value };
        }
        self.value_of_slow(cell)
    }

    #[cold]
    fn value_of_slow(&self, cell: usize) -> Entry {
        let backoff = Backoff::new();
        loop {
            backoff.snooze();
            let value = self.cell(cell).value.load(Ordering::Acquire);
            if value != 0 {
                return Entry { cell, value };
            }
        }
    }

    /// Re-reads a cell (after another thread may have changed its sequence).
    pub(crate) fn entry(&self, cell: usize) -> Entry {
        self.value_of(cell)
    }

    /// Ends a claimed first join: the person's place is `seq`.
    pub(crate) fn publish(&self, cell: usize, seq: Seq) {
        debug_assert!(seq.as_u64() < SEQ_MASK);
        self.cell(cell)
            .value
            .store(seq.as_u64() + 1, Ordering::Release);
    }

    /// Ends a claimed first join: the waiting room was full, the person holds no place.
    pub(crate) fn refuse(&self, cell: usize) {
        self.cell(cell).value.store(REFUSED | 1, Ordering::Release);
    }

    /// Ends a claimed cell as a dependant's: they share the place `holder`.
    pub(crate) fn publish_linked(&self, cell: usize, holder: Seq) {
        debug_assert!(holder.as_u64() < SEQ_MASK);
        self.cell(cell)
            .value
            .store((holder.as_u64() + 1) | LINKED, Ordering::Release);
    }

    /// Claims again the cell of a person the full room refused (they hold no place), for a
    /// registration as a dependant: the cell is pending again, as a first join's, until
    /// [`PersonTable::publish_linked`]. `false` if another call claimed it first.
    pub(crate) fn reclaim_refused(&self, refused: Entry) -> bool {
        debug_assert!(refused.is_refused());
        self.cell(refused.cell)
            .value
            .compare_exchange(refused.value, 0, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Sets `flag` on a published entry if it still reads `expected`; `false` if another
    /// thread changed it first (the pre-queue's draw and an entrant's withdrawal race on it).
    pub(crate) fn flag_if(&self, expected: Entry, flag: u64) -> bool {
        self.cell(expected.cell)
            .value
            .compare_exchange(
                expected.value,
                expected.value | flag,
                Ordering::SeqCst,
                Ordering::SeqCst,
            )
            .is_ok()
    }

    /// Marks a person as having given back their place (the caller holds their busy bit).
    pub(crate) fn retire(&self, cell: usize) {
        self.cell(cell).value.fetch_or(RETIRED, Ordering::AcqRel);
    }

    /// Every cell with its index, for the audit.
    fn cells(&self) -> impl Iterator<Item = (usize, &Cell)> + '_ {
        self.buckets
            .iter()
            .flat_map(|bucket| bucket.cells.iter())
            .enumerate()
    }

    /// Every person in the table with their entry, skipping cells whose first join is still
    /// pending. For the audit; O(table size).
    pub(crate) fn entries(&self) -> impl Iterator<Item = (PersonId, Entry)> + '_ {
        self.cells().filter_map(|(cell, slot)| {
            let key = slot.key.load(Ordering::Acquire);
            let value = slot.value.load(Ordering::Acquire);
            (key != 0 && value != 0).then(|| (PersonId::new(key - 1), Entry { cell, value }))
        })
    }

    /// The most cells any lookup walks: one more than the largest distance from the first
    /// cell of a person's home bucket to their cell. Under 10 with honest ids; near
    /// [`PROBE_MAX`] under a flood of ids crafted to collide. For the audit; O(table size).
    pub(crate) fn longest_probe(&self) -> u64 {
        let mask = self.buckets.len() * BUCKET_CELLS - 1;
        self.cells()
            .filter_map(|(index, cell)| {
                let key = cell.key.load(Ordering::Acquire);
                let start = self.home(key) * BUCKET_CELLS;
                (key != 0).then(|| (index.wrapping_sub(start) & mask) as u64 + 1)
            })
            .max()
            .unwrap_or(0)
    }

    /// Points a person at a new place (a requeue; the caller holds their busy bit on the old one).
    pub(crate) fn move_to(&self, cell: usize, seq: Seq) {
        self.publish(cell, seq);
    }
}
