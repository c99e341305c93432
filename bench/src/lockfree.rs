//! [`LockFreeRoom`]: the bare lock-free waiting room, the design that does *less* than the
//! engine, measured beside it so that every run says how close the engine comes to it.
//!
//! It is the design the engine's person table grew from, with nothing else: a pre-sized
//! open-addressing table of 16-byte cells `{person + 1, seq + 1}`, a Fibonacci hash, a
//! compare-and-swap on an empty cell, one shared `fetch_add` only for a person's first join,
//! and the person written into a sequence-indexed ring. No person state, no cohorts, no
//! sold-out check, no keyed hash, no bound on a probe, no refusal when full (it panics), no
//! lease, no audit. Where the engine is slower than this, it is paying for one of those.
//!
//! [`LockFreeRoom::join_batch`] is its tuned form: the table advised onto 2 MiB pages
//! ([`LockFreeRoom::with_capacity_huge`]) and each request's cell prefetched 32 requests
//! ahead.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::baselines::Room;
use crate::hints;

/// 2⁶⁴ / φ.
const FIBONACCI: u64 = 0x9E37_79B9_7F4A_7C15;

/// How far ahead [`LockFreeRoom::join_batch`] prefetches.
const PREFETCH_AHEAD: usize = 32;

#[repr(C, align(16))]
struct Cell {
    /// 0 when free, else `person + 1`.
    key: AtomicU64,
    /// 0 while the first join is claiming its sequence, else `seq + 1`.
    value: AtomicU64,
}

/// The bare lock-free waiting room (see the module docs).
pub struct LockFreeRoom {
    cells: Box<[Cell]>,
    shift: u32,
    next_sequence: AtomicU64,
    people_in_order: Box<[AtomicU64]>,
}

impl LockFreeRoom {
    /// A room for at most `people` distinct people, its table a power of two of cells at or
    /// above 4/3 of them (the engine's sizing).
    pub fn with_capacity(people: usize) -> LockFreeRoom {
        LockFreeRoom::build(people, false)
    }

    /// [`LockFreeRoom::with_capacity`], with the table and the ring advised onto 2 MiB pages.
    pub fn with_capacity_huge(people: usize) -> LockFreeRoom {
        LockFreeRoom::build(people, true)
    }

    fn build(people: usize, huge_pages: bool) -> LockFreeRoom {
        let cells_len = (people.saturating_mul(4).div_ceil(3))
            .max(16)
            .next_power_of_two();
        let mut cells = Vec::with_capacity(cells_len);
        let mut people_in_order = Vec::with_capacity(people);
        if huge_pages {
            hints::advise_huge_pages(cells.spare_capacity_mut());
            hints::advise_huge_pages(people_in_order.spare_capacity_mut());
        }
        cells.extend((0..cells_len).map(|_| Cell {
            key: AtomicU64::new(0),
            value: AtomicU64::new(0),
        }));
        people_in_order.extend((0..people).map(|_| AtomicU64::new(0)));
        LockFreeRoom {
            cells: cells.into_boxed_slice(),
            shift: 64 - cells_len.trailing_zeros(),
            next_sequence: AtomicU64::new(0),
            people_in_order: people_in_order.into_boxed_slice(),
        }
    }

    #[inline]
    fn home(&self, person: u64) -> usize {
        ((person + 1).wrapping_mul(FIBONACCI) >> self.shift) as usize
    }

    /// The person holding `sequence`, if anyone does yet.
    pub fn person_at(&self, sequence: u64) -> Option<u64> {
        let cell = self.people_in_order.get(usize::try_from(sequence).ok()?)?;
        cell.load(Ordering::Acquire).checked_sub(1)
    }

    /// Joins every person of `people` in order, writing each one's sequence to `sequences`,
    /// with the table cell of the request 32 places ahead prefetched.
    ///
    /// # Panics
    /// Panics if the lengths differ, or if more distinct people join than the room holds.
    pub fn join_batch(&self, people: &[u64], sequences: &mut [u64]) {
        assert_eq!(people.len(), sequences.len());
        for &person in people.iter().take(PREFETCH_AHEAD) {
            hints::prefetch(&self.cells[self.home(person)]);
        }
        for (index, (&person, sequence)) in people.iter().zip(sequences).enumerate() {
            if let Some(&ahead) = people.get(index + PREFETCH_AHEAD) {
                hints::prefetch(&self.cells[self.home(ahead)]);
            }
            *sequence = self.join(person);
        }
    }
}

impl Room for LockFreeRoom {
    /// # Panics
    /// Panics if more distinct people join than the room holds.
    #[inline]
    fn join(&self, person: u64) -> u64 {
        let key = person + 1;
        let mask = self.cells.len() - 1;
        let mut index = self.home(person);
        loop {
            let cell = &self.cells[index];
            let mut found = cell.key.load(Ordering::Acquire);
            if found == 0 {
                match cell
                    .key
                    .compare_exchange(0, key, Ordering::AcqRel, Ordering::Acquire)
                {
                    Ok(_) => {
                        let sequence = self.next_sequence.fetch_add(1, Ordering::AcqRel);
                        self.people_in_order[sequence as usize].store(key, Ordering::Release);
                        cell.value.store(sequence + 1, Ordering::Release);
                        return sequence;
                    }
                    Err(winner) => found = winner,
                }
            }
            if found == key {
                loop {
                    let value = cell.value.load(Ordering::Acquire);
                    if value != 0 {
                        return value - 1;
                    }
                    std::hint::spin_loop();
                }
            }
            index = (index + 1) & mask;
        }
    }

    fn name(&self) -> &'static str {
        "lock-free"
    }

    fn people_joined(&self) -> u64 {
        self.next_sequence.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeat_joins_get_the_first_sequence_and_sequences_are_dense() {
        let room = LockFreeRoom::with_capacity(100);
        let people = [7, 3, 7, 9, 3, 3, 12];
        let sequences: Vec<u64> = people.iter().map(|&person| room.join(person)).collect();
        assert_eq!(sequences, [0, 1, 0, 2, 1, 1, 3]);
        assert_eq!(room.people_joined(), 4);
        assert_eq!(room.person_at(2), Some(9));
        let mut batched = [0; 7];
        let tuned = LockFreeRoom::with_capacity_huge(100);
        tuned.join_batch(&people, &mut batched);
        assert_eq!(batched.as_slice(), sequences.as_slice());
    }

    #[test]
    fn threads_racing_on_the_same_people_agree() {
        let room = LockFreeRoom::with_capacity(10_000);
        let people: Vec<u64> = (0..20_000).map(|index| index % 5_000).collect();
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for &person in &people {
                        room.join(person);
                    }
                });
            }
        });
        assert_eq!(room.people_joined(), 5_000);
        let mut seen: Vec<u64> = (0..5_000).map(|seq| room.person_at(seq).unwrap()).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..5_000).collect::<Vec<_>>());
    }
}
