//! Time as the caller hands it in: [`Timestamp`], milliseconds on the service's own clock.
//!
//! The engine reads no clock. Every data-path call takes `now: Timestamp`; the engine keeps
//! the latest time it has seen and refuses calls from too far in the past (see
//! [`Config::time_skew_tolerance_ms`](crate::Config::time_skew_tolerance_ms)).

use core::fmt;

/// A point in time, in milliseconds on the caller's clock (for example Unix milliseconds).
///
/// Arithmetic saturates: a deadline past [`Timestamp::MAX`] is `Timestamp::MAX`.
///
/// # Example
/// ```
/// use fairbook::Timestamp;
/// let opening = Timestamp::from_secs(1_000);
/// assert_eq!(opening.as_millis(), 1_000_000);
/// assert_eq!(opening.plus_millis(500), Timestamp::from_millis(1_000_500));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(u64);

impl Timestamp {
    /// The latest representable time: 2^52 − 1 ms, about 142,000 years after the epoch.
    ///
    /// Lease deadlines are packed into 52 bits of a person's state word; later times are
    /// clamped to this value.
    pub const MAX: Timestamp = Timestamp((1 << 52) - 1);

    /// The epoch of the caller's clock.
    pub const ZERO: Timestamp = Timestamp(0);

    /// From milliseconds; values above [`Timestamp::MAX`] are clamped.
    pub const fn from_millis(ms: u64) -> Timestamp {
        if ms > Self::MAX.0 {
            Self::MAX
        } else {
            Timestamp(ms)
        }
    }

    /// From whole seconds; clamped like [`Timestamp::from_millis`].
    pub const fn from_secs(secs: u64) -> Timestamp {
        Self::from_millis(secs.saturating_mul(1_000))
    }

    /// Milliseconds since the caller's epoch.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// `self + ms`, saturating at [`Timestamp::MAX`].
    pub const fn plus_millis(self, ms: u64) -> Timestamp {
        Self::from_millis(self.0.saturating_add(ms))
    }

    /// `self - earlier` in milliseconds, or 0 if `earlier` is later.
    pub const fn millis_since(self, earlier: Timestamp) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t={}ms", self.0)
    }
}
