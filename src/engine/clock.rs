//! The engine's sense of time: the door's clock, and the rules a call's `now` must follow.
//!
//! The engine reads no clock: each call brings its own `now`. Two kinds of call treat it
//! differently.
//!
//! - **The door** (`advance`, `advance_with_policy`) is the service's own timer, and its time
//!   is the engine's clock: [`Clock::move_door`] moves it forward (never back: a `now` up to
//!   the skew tolerance behind is served at the door's time; further back is an error). Leases
//!   are handed out and swept on this clock, so their deadlines never decrease.
//! - **Every other call** (`enqueue`, `status`, `reserve`, `release`) is checked by
//!   [`Clock::check_call`] and served at `max(now, door)`, but *moves nothing*. A call further
//!   behind the door than the skew tolerance is refused (it would act on a state the door has
//!   moved past, such as a lease already swept); a call further ahead than the ahead tolerance
//!   is refused too (a clock off by hours, milliseconds mistaken for seconds).
//!
//! Why a call does not move the clock: an earlier design kept one "latest time seen" that
//! every call moved forward. A single `status` an hour ahead then moved it for everyone: every
//! correct call failed with `TimeWentBackwards` for an hour and live leases ended early. Now a
//! call's time decides only that call's own answers (its own lease, its own cohort window),
//! so a wrong `now` can harm only the person it was sent for, and only within the tolerance.
//!
//! The door's line is read by every call and written only by the door, so it stays shared in
//! every core's cache on the data path.

use crossbeam_utils::CachePadded;

use crate::error::{CallTimeError, TimeTooFarAhead, TimeWentBackwards};
use crate::platform::sync::{AtomicU64, Ordering};
use crate::time::Timestamp;

pub(crate) struct Clock {
    /// The door's time in milliseconds, plus one; 0 until the door first moves.
    door_plus_one_ms: CachePadded<AtomicU64>,
    skew_tolerance_ms: u64,
    ahead_tolerance_ms: u64,
}

impl Clock {
    pub(crate) fn new(skew_tolerance_ms: u64, ahead_tolerance_ms: u64) -> Clock {
        Clock {
            door_plus_one_ms: CachePadded::new(AtomicU64::new(0)),
            skew_tolerance_ms,
            ahead_tolerance_ms,
        }
    }

    /// The door's time, or `None` before the first `advance`.
    #[inline]
    pub(crate) fn door(&self) -> Option<Timestamp> {
        let plus_one = self.door_plus_one_ms.load(Ordering::Acquire);
        plus_one.checked_sub(1).map(Timestamp::from_millis)
    }

    /// The door's effective time for a call at `now`: `now` if later than the door (the door
    /// moves to it), the door's time if `now` is at most the skew tolerance behind. The caller
    /// holds the advance lock, so the door has one writer.
    pub(crate) fn move_door(&self, now: Timestamp) -> Result<Timestamp, TimeWentBackwards> {
        match self.door() {
            Some(door) if now <= door => {
                if door.millis_since(now) > self.skew_tolerance_ms {
                    return Err(TimeWentBackwards { now, latest: door });
                }
                Ok(door)
            }
            _ => {
                self.door_plus_one_ms
                    .store(now.as_millis() + 1, Ordering::Release);
                Ok(now)
            }
        }
    }

    /// Sets the door's clock (replay of a recorded advance; the caller holds the advance lock).
    pub(crate) fn set_door(&self, door: Timestamp) {
        self.door_plus_one_ms
            .store(door.as_millis() + 1, Ordering::Release);
    }

    /// The effective time of a data-path call at `now`: `max(now, door)`, or an error if `now`
    /// is too far behind or ahead of the door. Changes nothing.
    #[inline]
    pub(crate) fn check_call(&self, now: Timestamp) -> Result<Timestamp, CallTimeError> {
        let Some(door) = self.door() else {
            // No door yet: nothing to be behind or ahead of.
            return Ok(now);
        };
        if now >= door {
            if now.millis_since(door) > self.ahead_tolerance_ms {
                return Err(CallTimeError::Ahead(TimeTooFarAhead {
                    now,
                    latest: door,
                    tolerance_ms: self.ahead_tolerance_ms,
                }));
            }
            return Ok(now);
        }
        if door.millis_since(now) > self.skew_tolerance_ms {
            return Err(CallTimeError::Backwards(TimeWentBackwards {
                now,
                latest: door,
            }));
        }
        Ok(door)
    }
}
