//! The latest time the engine has seen, and the rule that time does not run backwards.
//!
//! The engine reads no clock: each call brings its own `now`. [`LatestTime::observe`] turns
//! that into the call's *effective* time: the latest time seen so far, moved forward if `now`
//! is later. A `now` up to the tolerance behind is served at the latest time (threads read a
//! clock, then reach the engine slightly out of order); further back is an error.
//!
//! The latest time is read by every call and written only when time moves forward (once per
//! millisecond at most, in practice), so its cache line stays shared on the hot path.

use crossbeam_utils::CachePadded;

use crate::error::TimeWentBackwards;
use crate::platform::sync::{AtomicU64, Ordering};
use crate::time::Timestamp;

pub(crate) struct LatestTime {
    latest_ms: CachePadded<AtomicU64>,
    tolerance_ms: u64,
}

impl LatestTime {
    pub(crate) fn new(tolerance_ms: u64) -> LatestTime {
        LatestTime {
            latest_ms: CachePadded::new(AtomicU64::new(0)),
            tolerance_ms,
        }
    }

    /// The call's effective time, never earlier than any time returned before.
    #[inline]
    pub(crate) fn observe(&self, now: Timestamp) -> Result<Timestamp, TimeWentBackwards> {
        let latest = self.latest_ms.load(Ordering::Acquire);
        let now_ms = now.as_millis();
        if now_ms > latest {
            // fetch_max rather than a store: another thread may have moved further ahead.
            let before = self.latest_ms.fetch_max(now_ms, Ordering::AcqRel);
            return Ok(Timestamp::from_millis(before.max(now_ms)));
        }
        if latest - now_ms <= self.tolerance_ms {
            return Ok(Timestamp::from_millis(latest));
        }
        Err(TimeWentBackwards {
            now,
            latest: Timestamp::from_millis(latest),
        })
    }

    pub(crate) fn latest(&self) -> Timestamp {
        Timestamp::from_millis(self.latest_ms.load(Ordering::Acquire))
    }
}
