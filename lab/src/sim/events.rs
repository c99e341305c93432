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
    at_ms: u64,
    class: u8,
    sequence: u64,
    event: Event,
}

impl Scheduled {
    fn key(&self) -> (u64, u8, u64) {
        (self.at_ms, self.class, self.sequence)
    }
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Scheduled) -> bool {
        self.key() == other.key()
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
        other.key().cmp(&self.key())
    }
}

/// Events waiting to happen, earliest first.
pub(crate) struct EventQueue {
    heap: BinaryHeap<Scheduled>,
    next_sequence: u64,
}

impl EventQueue {
    pub(crate) fn with_capacity(capacity: usize) -> EventQueue {
        EventQueue {
            heap: BinaryHeap::with_capacity(capacity),
            next_sequence: 0,
        }
    }

    pub(crate) fn schedule(&mut self, at_ms: u64, event: Event) {
        self.heap.push(Scheduled {
            at_ms,
            class: event.class(),
            sequence: self.next_sequence,
            event,
        });
        self.next_sequence += 1;
    }

    /// The earliest event and its time.
    pub(crate) fn pop(&mut self) -> Option<(u64, Event)> {
        self.heap
            .pop()
            .map(|scheduled| (scheduled.at_ms, scheduled.event))
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
}
