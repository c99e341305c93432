//! [`WallClock`] (feature `clock`): the system clock as [`Timestamp`]s, for services that opt
//! in.
//!
//! The engine never reads a clock: every data-path call takes `now` as an argument, so that
//! runs replay and simulate. A service still needs a `now` to pass, and this is the usual one:
//! Unix milliseconds that never go backwards.
//!
//! Why not read `SystemTime` on every call: the system clock can step backwards (an NTP
//! correction, an operator), and the engine refuses times more than
//! [`Config::time_skew_tolerance_ms`](crate::Config::time_skew_tolerance_ms) behind the
//! latest it has seen. A `WallClock` reads the system time once, when it is built, and moves
//! forward from there with the monotonic clock (`Instant`), so its readings start at Unix time
//! and never decrease. Over a long run it drifts from the system time by the system clock's
//! own corrections; a service that runs for weeks builds a new `WallClock` for each campaign.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::time::Timestamp;

/// Unix milliseconds that never go backwards: the system time when built, plus the
/// monotonic time elapsed since.
///
/// # Example
/// ```
/// use fairbook::{CohortId, Config, Engine, PersonId, WallClock};
/// let clock = WallClock::new();
/// let engine = Engine::new(Config::default())?;
/// let before = clock.now();
/// engine.enqueue(PersonId::new(1), CohortId::new(0), clock.now()).unwrap();
/// assert!(clock.now() >= before);
/// assert!(before.as_millis() > 1_600_000_000_000, "after September 2020");
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct WallClock {
    /// The system time when built, as a timestamp.
    start: Timestamp,
    /// The monotonic clock at the same moment.
    started: Instant,
}

impl WallClock {
    /// Reads the system time once and starts counting from it.
    pub fn new() -> WallClock {
        WallClock::starting_at(Timestamp::from_system_time(SystemTime::now()))
    }

    /// A clock whose first reading is `start`, moving forward with the monotonic clock: for
    /// a service that continues a campaign's time line (after a restart, say), or a test.
    ///
    /// # Example
    /// ```
    /// use fairbook::{Timestamp, WallClock};
    /// let clock = WallClock::starting_at(Timestamp::from_secs(1_000));
    /// let now = clock.now();
    /// assert!(now >= Timestamp::from_secs(1_000) && now < Timestamp::from_secs(1_100));
    /// ```
    pub fn starting_at(start: Timestamp) -> WallClock {
        WallClock {
            start,
            started: Instant::now(),
        }
    }

    /// The current time: never earlier than any reading before it from the same clock (or
    /// its copies).
    pub fn now(&self) -> Timestamp {
        let elapsed_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.start.plus_millis(elapsed_ms)
    }
}

impl Default for WallClock {
    /// [`WallClock::new`].
    fn default() -> WallClock {
        WallClock::new()
    }
}

impl Timestamp {
    /// A system time as Unix milliseconds; times before 1970 are [`Timestamp::ZERO`] and
    /// times past [`Timestamp::MAX`] are clamped (feature `clock`).
    ///
    /// # Example
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use fairbook::Timestamp;
    /// let at = UNIX_EPOCH + Duration::from_millis(1_625_000_000_123);
    /// assert_eq!(Timestamp::from_system_time(at), Timestamp::from_millis(1_625_000_000_123));
    /// ```
    pub fn from_system_time(time: SystemTime) -> Timestamp {
        let since_epoch_ms = time.duration_since(UNIX_EPOCH).map_or(0, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        });
        Timestamp::from_millis(since_epoch_ms)
    }
}
