//! Outflow control: how many people to let in now, the way waiting rooms meter their doors.
//!
//! An [`OutflowPolicy`] combines a rate (admissions per second, metered by a token bucket so
//! that calling [`Engine::advance_with_policy`](crate::Engine::advance_with_policy) often or seldom gives the
//! same long-run rate), a cap on *active* admitted people (admitted, lease live, not booked
//! yet: the load on the booking pages), and an optional stop once everything is booked. (A door
//! that never lets in more people than there are seats they could book is a property of the
//! engine, [`Config::seat_aware_door`](crate::Config::seat_aware_door), which applies to
//! every turn of the door.)

use crate::status::DoorStall;

/// How fast to admit. All limits are optional; with none set, everyone waiting is admitted.
///
/// # Example
/// ```
/// use fairbook::{CohortId, Config, Engine, OutflowPolicy, PersonId, Timestamp};
///
/// let engine = Engine::new(Config::default())?;
/// for id in 0..100 {
///     engine.enqueue(PersonId::new(id), CohortId::new(0), Timestamp::ZERO).unwrap();
/// }
/// let policy = OutflowPolicy { admissions_per_sec: Some(10), active_max: Some(15), ..OutflowPolicy::default() };
/// // The bucket starts full: one second's worth.
/// assert_eq!(engine.advance_with_policy(Timestamp::ZERO, &policy).unwrap().admitted, 10);
/// // Half a second later, five more tokens.
/// assert_eq!(engine.advance_with_policy(Timestamp::from_millis(500), &policy).unwrap().admitted, 5);
/// // The cap of 15 active people holds the door until some book or lapse.
/// assert_eq!(engine.advance_with_policy(Timestamp::from_secs(3), &policy).unwrap().admitted, 0);
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct OutflowPolicy {
    /// Admissions per second, metered by a token bucket.
    pub admissions_per_sec: Option<u64>,
    /// The most tokens the bucket holds (the largest burst); defaults to one second's worth.
    pub burst_max: Option<u64>,
    /// The most active admitted people (lease live, not booked) at once.
    pub active_max: Option<u64>,
    /// Admit nobody while every slot is booked: they could not book anything.
    pub stop_when_sold_out: bool,
}

/// The token bucket's state between calls (kept under the engine's advance lock).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct TokenBucket {
    /// Tokens in thousandths, so that sub-token refills are not lost between frequent calls.
    tokens_milli: u64,
    last_refill_ms: Option<u64>,
}

impl TokenBucket {
    /// Refills for the time since the last call and returns the whole tokens available.
    pub(crate) fn refill(&mut self, now_ms: u64, per_sec: u64, burst_max: u64) -> u64 {
        let cap_milli = burst_max.saturating_mul(1_000);
        self.tokens_milli = match self.last_refill_ms {
            // The first call finds a full bucket, as a door that just opened would.
            None => cap_milli,
            Some(last) => {
                let elapsed_ms = now_ms.saturating_sub(last);
                // per_sec tokens per 1000 ms is per_sec milli-tokens per ms.
                self.tokens_milli
                    .saturating_add(elapsed_ms.saturating_mul(per_sec))
                    .min(cap_milli)
            }
        };
        self.last_refill_ms = Some(now_ms);
        self.tokens_milli / 1_000
    }

    /// Tokens in thousandths and the time of the last refill, once the bucket has been used:
    /// what a record carries so that a replay restores the bucket exactly.
    pub(crate) fn state(&self) -> Option<(u64, u64)> {
        self.last_refill_ms
            .map(|last_refill_ms| (self.tokens_milli, last_refill_ms))
    }

    /// The bucket [`TokenBucket::state`] described.
    pub(crate) fn from_state(state: Option<(u64, u64)>) -> TokenBucket {
        match state {
            None => TokenBucket::default(),
            Some((tokens_milli, last_refill_ms)) => TokenBucket {
                tokens_milli,
                last_refill_ms: Some(last_refill_ms),
            },
        }
    }

    pub(crate) fn spend(&mut self, tokens: u64) {
        self.tokens_milli = self
            .tokens_milli
            .saturating_sub(tokens.saturating_mul(1_000));
    }
}

impl OutflowPolicy {
    /// How many to admit now, given the bucket, the active count and the inventory, and, when
    /// that is none, the limit that stops the door (a bucket merely out of tokens is the
    /// door's pace, not a stall).
    pub(crate) fn due(
        &self,
        bucket: &mut TokenBucket,
        now_ms: u64,
        active: u64,
        sold_out: bool,
    ) -> (u64, Option<DoorStall>) {
        if self.stop_when_sold_out && sold_out {
            return (0, Some(DoorStall::SoldOut));
        }
        let mut due = u64::MAX;
        let mut stall = None;
        if let Some(per_sec) = self.admissions_per_sec {
            let burst_max = self.burst_max.unwrap_or(per_sec);
            due = due.min(bucket.refill(now_ms, per_sec, burst_max));
            if per_sec == 0 {
                stall = Some(DoorStall::NoRate);
            }
        }
        if let Some(active_max) = self.active_max {
            let room = active_max.saturating_sub(active);
            if room == 0 && stall.is_none() {
                stall = Some(DoorStall::ActiveCap);
            }
            due = due.min(room);
        }
        (due, stall.filter(|_| due == 0))
    }
}
