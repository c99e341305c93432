//! The discrete-event core: [`Event`], what can happen, and [`EventQueue`], a priority queue
//! that hands events out in a fully determined order.
//!
//! Events are ordered by `(time, class, sequence)`: time in milliseconds; then the class, so
//! that at one instant a cohort's opening or draw comes before the arrivals of that
//! millisecond, and the outflow timer after everything people did; then the order in which
//! they were scheduled. No two events compare equal, so the order never depends on the heap's
//! internals, and the same run always replays the same way.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// What happens at one instant. People are named by their join rank (`u32`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// A cohort opens: its pre-queue is let into the line (in a drawn order under a shuffle).
    Open { cohort: u16 },
    /// A cohort's lottery window ends: its registrants are drawn and let into the line.
    Draw { cohort: u16 },
    /// A device's first join.
    DeviceJoin { person: u32, device: u8 },
    /// The `count`-th reconnect of a device.
    Reconnect { person: u32, device: u8, count: u32 },
    /// A device comes back after a bounce, or lands after refreshing before the opening
    /// (2021 baseline).
    Rejoin { person: u32, device: u8 },
    /// The `count`-th retry of a bot.
    BotRetry { person: u32, count: u32 },
    /// The `count`-th bypass attempt of a line cutter.
    Bypass { person: u32, count: u8 },
    /// A person's patience runs out.
    GiveUp { person: u32 },
    /// An admitted person books.
    Book { person: u32 },
    /// A person gives their booking back.
    ReleaseBooking { person: u32 },
    /// The outflow timer.
    Tick,
}

impl Event {
    /// Openings and draws first, then what people do, then the timer.
    fn class(&self) -> u8 {
        match self {
            Event::Open { .. } | Event::Draw { .. } => 0,
            Event::Tick => 2,
            _ => 1,
        }
    }
}

struct Scheduled {
    /// `(time in ms, class, sequence)` as one number: the time in the high 64 bits, the
    /// class in the next 2 and the sequence in the low 62, so that one comparison orders
    /// two events.
    key: u128,
    event: Event,
}

impl Scheduled {
    fn at_ms(&self) -> u64 {
        (self.key >> 64) as u64
    }
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Scheduled) -> bool {
        self.key == other.key
    }
}

impl Eq for Scheduled {}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Scheduled) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scheduled {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest key first.
    fn cmp(&self, other: &Scheduled) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// Events waiting to happen, earliest first.
///
/// A calendar queue rather than one binary heap: a run schedules tens of millions of events
/// (every device's first join is scheduled before the run starts, 2.9 million of them at
/// full scale), and popping from a heap that large cost half of a run's time, most of it in
/// cache misses. Events are dropped into one bucket per [`BUCKET_MS`] of simulated time.
/// When its turn comes a bucket is sorted once, and played from the sorted list; events
/// scheduled into it (or before it) while it plays go to a small heap, and each pop takes
/// the earlier of the two heads. The order is a single heap's exactly: by
/// `(time, class, sequence)`, so a run replays the same, byte for byte.
pub(crate) struct EventQueue {
    /// `buckets[i]` holds the events at `[i, i + 1) × BUCKET_MS` not yet moved to `current`.
    buckets: Vec<Vec<Scheduled>>,
    /// The index of the bucket whose events are in `current`.
    current_index: usize,
    /// The events of the bucket being played, latest first, so that the next is the last.
    current: Vec<Scheduled>,
    /// Events scheduled into the bucket being played, or before it, once it was sorted.
    late: BinaryHeap<Scheduled>,
    next_sequence: u64,
}

/// The width of one bucket: the outflow timer's usual period, so that a bucket holds about
/// one tick's worth of events (a few hundred at full scale).
const BUCKET_MS: u64 = 1_000;

/// Sequences are kept in the low 62 bits of a key, below the class.
const SEQUENCE_BITS: u32 = 62;

impl EventQueue {
    pub(crate) fn with_capacity(capacity: usize) -> EventQueue {
        EventQueue {
            buckets: Vec::new(),
            current_index: 0,
            current: Vec::new(),
            late: BinaryHeap::with_capacity(capacity.min(1 << 12)),
            next_sequence: 0,
        }
    }

    pub(crate) fn schedule(&mut self, at_ms: u64, event: Event) {
        debug_assert!(self.next_sequence < 1 << SEQUENCE_BITS);
        let scheduled = Scheduled {
            key: (u128::from(at_ms) << 64)
                | (u128::from(event.class()) << SEQUENCE_BITS)
                | u128::from(self.next_sequence),
            event,
        };
        self.next_sequence += 1;
        let index = usize::try_from(at_ms / BUCKET_MS).unwrap_or(usize::MAX);
        if index <= self.current_index {
            self.late.push(scheduled);
            return;
        }
        if index >= self.buckets.len() {
            self.buckets.resize_with(index + 1, Vec::new);
        }
        self.buckets[index].push(scheduled);
    }

    /// The earliest event and its time.
    pub(crate) fn pop(&mut self) -> Option<(u64, Event)> {
        loop {
            let from_late = match (self.current.last(), self.late.peek()) {
                (Some(sorted), Some(late)) => late.key < sorted.key,
                (Some(_), None) => false,
                (None, Some(_)) => true,
                (None, None) => {
                    let next = (self.current_index + 1..self.buckets.len())
                        .find(|&index| !self.buckets[index].is_empty())?;
                    self.current_index = next;
                    self.current = std::mem::take(&mut self.buckets[next]);
                    self.current
                        .sort_unstable_by_key(|scheduled| core::cmp::Reverse(scheduled.key));
                    continue;
                }
            };
            let scheduled = if from_late {
                self.late.pop()
            } else {
                self.current.pop()
            }?;
            return Some((scheduled.at_ms(), scheduled.event));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_come_out_by_time_then_class_then_schedule_order() {
        let mut queue = EventQueue::with_capacity(8);
        queue.schedule(10, Event::Tick);
        queue.schedule(10, Event::GiveUp { person: 1 });
        queue.schedule(10, Event::GiveUp { person: 2 });
        queue.schedule(10, Event::Open { cohort: 0 });
        queue.schedule(5, Event::Tick);
        let order: Vec<Event> =
            std::iter::from_fn(|| queue.pop().map(|(_, event)| event)).collect();
        assert_eq!(
            order,
            [
                Event::Tick,
                Event::Open { cohort: 0 },
                Event::GiveUp { person: 1 },
                Event::GiveUp { person: 2 },
                Event::Tick,
            ]
        );
    }

    #[test]
    fn the_calendar_pops_in_the_order_a_single_heap_would() {
        // Events far apart and close together, scheduled out of order and while popping,
        // against a plain sort of their keys.
        let mut queue = EventQueue::with_capacity(8);
        let mut expected = Vec::new();
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for sequence in 0..2_000u64 {
            let at_ms = next() % 50_000;
            let event = if next() % 5 == 0 {
                Event::Tick
            } else {
                Event::GiveUp {
                    person: sequence as u32,
                }
            };
            queue.schedule(at_ms, event);
            let id = if event == Event::Tick {
                u64::MAX
            } else {
                sequence
            };
            expected.push((at_ms, event.class(), id));
        }
        let mut popped = Vec::new();
        while let Some((at_ms, event)) = queue.pop() {
            let sequence = match event {
                Event::GiveUp { person } => u64::from(person),
                _ => u64::MAX,
            };
            popped.push((at_ms, event.class(), sequence));
            // Schedule a follow-up into the bucket being played, and one far ahead.
            if popped.len() % 97 == 0 && popped.len() < 1_000 {
                queue.schedule(at_ms, Event::Tick);
                queue.schedule(at_ms + 3_500, Event::Tick);
                expected.push((at_ms, 2, u64::MAX));
                expected.push((at_ms + 3_500, 2, u64::MAX));
            }
        }
        expected.sort_unstable();
        // Ticks carry no id, so compare times and classes, then the people in order.
        let strip = |list: &[(u64, u8, u64)]| -> Vec<(u64, u8)> {
            list.iter().map(|&(at, class, _)| (at, class)).collect()
        };
        assert_eq!(strip(&popped), strip(&expected));
        let people = |list: &[(u64, u8, u64)]| -> Vec<u64> {
            list.iter()
                .map(|entry| entry.2)
                .filter(|&id| id != u64::MAX)
                .collect()
        };
        assert_eq!(people(&popped), people(&expected));
    }
}
