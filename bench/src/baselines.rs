//! The simple alternatives a service would write by hand: three waiting rooms and a locked
//! slot inventory, measured side by side with the engine.
//!
//! Each waiting room hands every person a dense first-come, first-served sequence (0, 1, 2,
//! ...) on their first join and the same sequence on every repeat join, exactly as the
//! engine's waiting room does, so that benchmarks compare like with like:
//!
//! - [`StdMutexRoom`]: one `std::sync::Mutex` around a hash map (person → sequence) and a
//!   queue of people in sequence order; the first thing most services write.
//! - [`ParkingLotRoom`]: the same with `parking_lot::Mutex`, which spins briefly before
//!   parking and is cheaper when uncontended.
//! - [`DashMapRoom`]: a sharded `DashMap` for deduplication, an atomic counter for the next
//!   sequence and a pre-sized ring of people in sequence order; the usual "make it
//!   concurrent" upgrade.
//!
//! [`MutexInventory`] is the matching inventory: slot → (capacity, booked) behind one lock.
//!
//! All maps use the standard library's default hasher (SipHash), as a hand-written service
//! would.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use dashmap::DashMap;

/// A waiting room: dedupes joins and hands out dense first-come, first-served sequences.
pub trait Room: Sync {
    /// Joins `person` and returns their sequence: the number of distinct people who joined
    /// before them. A repeat join returns the sequence of the first.
    fn join(&self, person: u64) -> u64;

    /// A short name for reports, such as `"std-mutex"`.
    fn name(&self) -> &'static str;

    /// How many distinct people have joined so far.
    fn people_joined(&self) -> u64;
}

/// The state both mutex rooms keep under their lock.
#[derive(Debug, Default)]
struct FifoState {
    /// Each person's sequence, for deduplication.
    sequence_by_person: HashMap<u64, u64>,
    /// People in sequence order: the person with sequence `s` is at index `s`. This is the
    /// queue an admission loop would pop from.
    people_in_order: VecDeque<u64>,
}

impl FifoState {
    fn with_capacity(people: usize) -> FifoState {
        FifoState {
            sequence_by_person: HashMap::with_capacity(people),
            people_in_order: VecDeque::with_capacity(people),
        }
    }

    fn join(&mut self, person: u64) -> u64 {
        let next_sequence = self.people_in_order.len() as u64;
        match self.sequence_by_person.entry(person) {
            Entry::Occupied(known) => *known.get(),
            Entry::Vacant(new) => {
                new.insert(next_sequence);
                self.people_in_order.push_back(person);
                next_sequence
            }
        }
    }

    fn person_at(&self, sequence: u64) -> Option<u64> {
        let index = usize::try_from(sequence).ok()?;
        self.people_in_order.get(index).copied()
    }
}

/// A waiting room behind one `std::sync::Mutex`.
///
/// A panic in another thread while it held the lock does not make later joins fail: the
/// state is updated by two infallible steps (only allocation failure, which aborts, could
/// interrupt them), so a poisoned lock still guards consistent data.
#[derive(Debug, Default)]
pub struct StdMutexRoom {
    state: Mutex<FifoState>,
}

impl StdMutexRoom {
    /// A room pre-sized for `people` distinct people, so that the surge measures joins and
    /// not rehashing.
    pub fn with_capacity(people: usize) -> StdMutexRoom {
        StdMutexRoom {
            state: Mutex::new(FifoState::with_capacity(people)),
        }
    }

    /// The person holding `sequence`, if anyone does yet.
    pub fn person_at(&self, sequence: u64) -> Option<u64> {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .person_at(sequence)
    }
}

impl Room for StdMutexRoom {
    fn join(&self, person: u64) -> u64 {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .join(person)
    }

    fn name(&self) -> &'static str {
        "std-mutex"
    }

    fn people_joined(&self) -> u64 {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.people_in_order.len() as u64
    }
}

/// A waiting room behind one `parking_lot::Mutex`.
#[derive(Debug, Default)]
pub struct ParkingLotRoom {
    state: parking_lot::Mutex<FifoState>,
}

impl ParkingLotRoom {
    /// A room pre-sized for `people` distinct people.
    pub fn with_capacity(people: usize) -> ParkingLotRoom {
        ParkingLotRoom {
            state: parking_lot::Mutex::new(FifoState::with_capacity(people)),
        }
    }

    /// The person holding `sequence`, if anyone does yet.
    pub fn person_at(&self, sequence: u64) -> Option<u64> {
        self.state.lock().person_at(sequence)
    }
}

impl Room for ParkingLotRoom {
    fn join(&self, person: u64) -> u64 {
        self.state.lock().join(person)
    }

    fn name(&self) -> &'static str {
        "parking-lot-mutex"
    }

    fn people_joined(&self) -> u64 {
        self.state.lock().people_in_order.len() as u64
    }
}

/// A waiting room on a sharded `DashMap`, an atomic sequence counter and a pre-sized ring.
///
/// Deduplication goes through the map's entry API, which holds the person's shard locked
/// while a new sequence is taken: two threads joining the same person therefore agree on
/// one sequence, and a sequence is only taken for a person not yet in the map, so sequences
/// stay dense. The ring cannot grow without a lock, so it is sized once for the population.
#[derive(Debug)]
pub struct DashMapRoom {
    sequence_by_person: DashMap<u64, u64>,
    next_sequence: AtomicU64,
    /// The person with sequence `s` at index `s`, or [`DashMapRoom::EMPTY`] until written.
    people_in_order: Box<[AtomicU64]>,
}

impl DashMapRoom {
    /// What a ring cell holds before its person is written.
    const EMPTY: u64 = u64::MAX;

    /// A room for at most `people` distinct people.
    pub fn with_capacity(people: usize) -> DashMapRoom {
        DashMapRoom {
            sequence_by_person: DashMap::with_capacity(people),
            next_sequence: AtomicU64::new(0),
            people_in_order: (0..people).map(|_| AtomicU64::new(Self::EMPTY)).collect(),
        }
    }

    /// The person holding `sequence`, or `None` if nobody does or their ring cell is not
    /// written yet. A person whose id is `u64::MAX` reads as `None`, since that value marks
    /// an empty cell.
    pub fn person_at(&self, sequence: u64) -> Option<u64> {
        let cell = self.people_in_order.get(usize::try_from(sequence).ok()?)?;
        let person = cell.load(Ordering::Acquire);
        (person != Self::EMPTY).then_some(person)
    }
}

impl Room for DashMapRoom {
    /// # Panics
    /// Panics if more distinct people join than the capacity the room was built with.
    fn join(&self, person: u64) -> u64 {
        // Most joins in a surge are repeats: a shared read lock answers them without taking
        // the shard's write lock. The read guard is dropped before `entry` locks the same
        // shard for writing.
        if let Some(known) = self.sequence_by_person.get(&person) {
            return *known;
        }
        *self.sequence_by_person.entry(person).or_insert_with(|| {
            let sequence = self.next_sequence.fetch_add(1, Ordering::Relaxed);
            let cell = usize::try_from(sequence)
                .ok()
                .and_then(|index| self.people_in_order.get(index))
                .unwrap_or_else(|| {
                    panic!(
                        "{} distinct people joined a room sized for {}",
                        sequence + 1,
                        self.people_in_order.len()
                    )
                });
            cell.store(person, Ordering::Release);
            sequence
        })
    }

    fn name(&self) -> &'static str {
        "dashmap"
    }

    fn people_joined(&self) -> u64 {
        self.next_sequence.load(Ordering::Acquire)
    }
}

/// A slot inventory behind one `std::sync::Mutex`: slot → (capacity, booked).
#[derive(Debug, Default)]
pub struct MutexInventory {
    capacity_and_booked_by_slot: Mutex<HashMap<u32, (u32, u32)>>,
}

impl MutexInventory {
    /// An empty inventory pre-sized for `slots` slots.
    pub fn with_capacity(slots: usize) -> MutexInventory {
        MutexInventory {
            capacity_and_booked_by_slot: Mutex::new(HashMap::with_capacity(slots)),
        }
    }

    /// Adds `slot` with room for `capacity` people. Adding a slot again changes its
    /// capacity and keeps its bookings (which may then exceed a lowered capacity until
    /// released).
    pub fn add_slot(&self, slot: u32, capacity: u32) {
        self.lock()
            .entry(slot)
            .and_modify(|(known_capacity, _)| *known_capacity = capacity)
            .or_insert((capacity, 0));
    }

    /// Books one place in `slot`; `false` if the slot is full or unknown.
    pub fn reserve(&self, slot: u32) -> bool {
        Self::reserve_locked(&mut self.lock(), slot)
    }

    /// Gives back one place in `slot`; `false` if the slot had no booking or is unknown.
    pub fn release(&self, slot: u32) -> bool {
        match self.lock().get_mut(&slot) {
            Some((_, booked)) if *booked > 0 => {
                *booked -= 1;
                true
            }
            _ => false,
        }
    }

    /// Books one place in the first of `choices` that has room, all under one lock, and
    /// returns that slot; `None` if none of them has room.
    pub fn reserve_first(&self, choices: &[u32]) -> Option<u32> {
        let mut slots = self.lock();
        choices
            .iter()
            .copied()
            .find(|&slot| Self::reserve_locked(&mut slots, slot))
    }

    /// How many places of `slot` are booked, or `None` if the slot is unknown.
    pub fn booked(&self, slot: u32) -> Option<u32> {
        self.lock().get(&slot).map(|&(_, booked)| booked)
    }

    /// How many places of `slot` are free, or `None` if the slot is unknown.
    pub fn remaining(&self, slot: u32) -> Option<u32> {
        self.lock()
            .get(&slot)
            .map(|&(capacity, booked)| capacity.saturating_sub(booked))
    }

    fn reserve_locked(slots: &mut HashMap<u32, (u32, u32)>, slot: u32) -> bool {
        match slots.get_mut(&slot) {
            Some((capacity, booked)) if *booked < *capacity => {
                *booked += 1;
                true
            }
            _ => false,
        }
    }

    /// The map, even if a thread panicked while holding it: every update is a single
    /// infallible step, so the data is consistent either way.
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u32, (u32, u32)>> {
        self.capacity_and_booked_by_slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    // The threads are named by full path: a bench built without the test harness still sets
    // `cfg(test)` but drops the `#[test]` functions, and a `use` only they need would then be
    // reported as unused.
    use super::*;

    const THREADS: u64 = 4;

    fn rooms(people: usize) -> Vec<Box<dyn Room>> {
        vec![
            Box::new(StdMutexRoom::with_capacity(people)),
            Box::new(ParkingLotRoom::with_capacity(people)),
            Box::new(DashMapRoom::with_capacity(people)),
        ]
    }

    #[test]
    fn names_are_distinct() {
        let names: Vec<&str> = rooms(1).iter().map(|room| room.name()).collect();
        assert_eq!(names, ["std-mutex", "parking-lot-mutex", "dashmap"]);
    }

    #[test]
    fn repeat_joins_get_the_first_sequence() {
        for room in rooms(10) {
            assert_eq!(room.join(500), 0, "{}", room.name());
            assert_eq!(room.join(7), 1, "{}", room.name());
            assert_eq!(room.join(500), 0, "{}", room.name());
            assert_eq!(room.join(7), 1, "{}", room.name());
            assert_eq!(room.people_joined(), 2, "{}", room.name());
        }
    }

    #[test]
    fn sequences_are_dense_and_in_join_order() {
        let people: Vec<u64> = (0..1_000u64).map(|index| index * 7_919 + 13).collect();
        for room in rooms(people.len()) {
            for (expected, &person) in people.iter().enumerate() {
                assert_eq!(room.join(person), expected as u64, "{}", room.name());
                // A repeat right away changes nothing.
                assert_eq!(room.join(person), expected as u64, "{}", room.name());
            }
            assert_eq!(room.people_joined(), people.len() as u64);
        }
    }

    #[test]
    fn each_room_records_who_holds_each_sequence() {
        let std_room = StdMutexRoom::with_capacity(3);
        let parking_lot_room = ParkingLotRoom::with_capacity(3);
        let dashmap_room = DashMapRoom::with_capacity(3);
        for person in [30, 10, 20, 10] {
            std_room.join(person);
            parking_lot_room.join(person);
            dashmap_room.join(person);
        }
        for (sequence, person) in [(0, Some(30)), (1, Some(10)), (2, Some(20)), (3, None)] {
            assert_eq!(std_room.person_at(sequence), person);
            assert_eq!(parking_lot_room.person_at(sequence), person);
            assert_eq!(dashmap_room.person_at(sequence), person);
        }
    }

    #[test]
    #[should_panic(expected = "sized for 2")]
    fn dashmap_room_refuses_more_people_than_its_ring() {
        let room = DashMapRoom::with_capacity(2);
        room.join(1);
        room.join(2);
        room.join(3);
    }

    #[test]
    fn the_same_person_from_every_thread_gets_one_sequence() {
        for room in rooms(16) {
            let room = room.as_ref();
            let sequences: Vec<Vec<u64>> = std::thread::scope(|scope| {
                let workers: Vec<_> = (0..THREADS)
                    .map(|_| scope.spawn(move || (0..10_000).map(|_| room.join(42)).collect()))
                    .collect();
                workers
                    .into_iter()
                    .map(|worker| worker.join().expect("a joining thread panicked"))
                    .collect()
            });
            assert!(
                sequences.iter().flatten().all(|&sequence| sequence == 0),
                "{}",
                room.name()
            );
            assert_eq!(room.people_joined(), 1, "{}", room.name());
        }
    }

    #[test]
    fn distinct_people_from_many_threads_get_each_sequence_once() {
        const PEOPLE_PER_THREAD: u64 = 20_000;
        let people = (THREADS * PEOPLE_PER_THREAD) as usize;
        // One more place for the person every thread shares.
        for room in rooms(people + 1) {
            let room = room.as_ref();
            let mut joined: Vec<(u64, u64)> = std::thread::scope(|scope| {
                let workers: Vec<_> = (0..THREADS)
                    .map(|thread_index| {
                        scope.spawn(move || {
                            // Each thread joins its own people twice, and one person shared by
                            // all threads in between, so dedupe and fresh joins interleave.
                            let own = (0..PEOPLE_PER_THREAD).map(move |index| {
                                1_000_000 + thread_index * PEOPLE_PER_THREAD + index
                            });
                            let mut sequences = Vec::new();
                            for person in own.clone().chain(own) {
                                sequences.push((person, room.join(person)));
                                room.join(7);
                            }
                            sequences
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .flat_map(|worker| worker.join().expect("a joining thread panicked"))
                    .collect()
            });

            // Every join of a person saw the same sequence.
            joined.sort_unstable();
            joined.dedup();
            assert_eq!(joined.len(), people, "{}", room.name());

            // The shared person plus everybody else hold sequences 0..=people exactly once.
            let mut sequences: Vec<u64> = joined.iter().map(|&(_, sequence)| sequence).collect();
            sequences.push(room.join(7));
            sequences.sort_unstable();
            assert!(
                sequences.iter().copied().eq(0..=people as u64),
                "{}",
                room.name()
            );
            assert_eq!(room.people_joined(), people as u64 + 1, "{}", room.name());
        }
    }

    #[test]
    fn inventory_books_up_to_capacity_and_releases() {
        let inventory = MutexInventory::with_capacity(2);
        inventory.add_slot(1, 2);
        inventory.add_slot(2, 0);
        assert!(inventory.reserve(1));
        assert!(inventory.reserve(1));
        assert!(!inventory.reserve(1));
        assert!(!inventory.reserve(2));
        assert!(!inventory.reserve(99));
        assert_eq!(inventory.booked(1), Some(2));
        assert_eq!(inventory.remaining(1), Some(0));
        assert!(inventory.release(1));
        assert_eq!(inventory.remaining(1), Some(1));
        assert!(!inventory.release(2));
        assert!(!inventory.release(99));
        assert_eq!(inventory.booked(99), None);

        assert_eq!(inventory.reserve_first(&[2, 99, 1]), Some(1));
        assert_eq!(inventory.reserve_first(&[2, 1]), None);
        assert_eq!(inventory.reserve_first(&[]), None);

        inventory.add_slot(2, 1);
        assert_eq!(inventory.reserve_first(&[1, 2]), Some(2));
        assert_eq!(inventory.booked(2), Some(1));
    }

    #[test]
    fn inventory_is_never_overbooked_under_contention() {
        const SLOTS: u32 = 50;
        let inventory = MutexInventory::with_capacity(SLOTS as usize);
        for slot in 0..SLOTS {
            inventory.add_slot(slot, slot % 5);
        }
        let total_capacity: u32 = (0..SLOTS).map(|slot| slot % 5).sum();
        let inventory = &inventory;
        let booked_per_thread: Vec<u32> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..THREADS)
                .map(|thread_index| {
                    scope.spawn(move || {
                        let mut booked = 0;
                        for attempt in 0..2_000u32 {
                            let first = (attempt * 7 + thread_index as u32) % SLOTS;
                            let choices = [first, (first + 1) % SLOTS, (first + 13) % SLOTS];
                            if let Some(slot) = inventory.reserve_first(&choices) {
                                booked += 1;
                                // Give back some places, so releases race with bookings.
                                if attempt % 3 == 0 && inventory.release(slot) {
                                    booked -= 1;
                                }
                            }
                            if inventory.reserve((attempt + 3) % SLOTS) {
                                booked += 1;
                            }
                        }
                        booked
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|worker| worker.join().expect("a booking thread panicked"))
                .collect()
        });

        let mut booked_in_total = 0;
        for slot in 0..SLOTS {
            let capacity = slot % 5;
            let booked = inventory.booked(slot).unwrap_or(u32::MAX);
            assert!(
                booked <= capacity,
                "slot {slot}: {booked} booked of {capacity}"
            );
            assert_eq!(inventory.remaining(slot), Some(capacity - booked));
            booked_in_total += booked;
        }
        // Every booking a thread counted is in the map, and no more.
        assert_eq!(booked_in_total, booked_per_thread.iter().sum::<u32>());
        assert!(booked_in_total <= total_capacity);
        // The slots were contended: most places ended up booked.
        assert!(
            booked_in_total * 2 > total_capacity,
            "{booked_in_total} of {total_capacity}"
        );
    }
}
