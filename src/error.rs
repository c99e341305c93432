//! One small error enum per operation: [`EnqueueError`], [`AdvanceError`], [`StatusError`],
//! [`ReserveError`], [`ReleaseError`] and [`AddSlotError`]; the flows' own (holds, rebooking,
//! linked bookings, retry-safe operations) are in `error/flows.rs`.
//!
//! Operating conditions (the line is full, the slot is sold out, the lease has lapsed, the
//! window is closed) are errors, never panics. Every error is returned before the engine
//! changes anything, so a failed call leaves the engine exactly as it was.
//! Each variant's doc says what the caller can do about it.
//!
//! Every error has a stable machine code, `code()`, for services that map errors to their own
//! answers (an HTTP status, a message in the person's language): the code of a variant never
//! changes, and with the `serde` feature an error serializes as an object whose `"code"` field
//! is that code, beside the variant's fields. [`EnqueueError::retry_after_ms`] says when a
//! refused join may succeed (a window's opening); the estimated wait of a person in line comes
//! with their [`Status`](crate::Status).

use core::fmt;

use crate::config::ConfigError;
use crate::ids::{CohortId, Seq, SlotId};
use crate::record::Record;
use crate::time::Timestamp;

mod flows;

pub use flows::{
    CancelError, ConfirmError, GroupError, HoldError, OpError, RebookError, RegisterError,
    SeriesError,
};

/// A call's time is further behind the latest time the engine has seen than the configured
/// tolerance. Shared by every operation's error enum.
///
/// What to do: pass times from one monotonic clock; widen
/// [`Config::time_skew_tolerance_ms`](crate::Config::time_skew_tolerance_ms) if threads read it
/// far apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TimeWentBackwards {
    /// The time the call passed.
    pub now: Timestamp,
    /// The latest time the engine had seen.
    pub latest: Timestamp,
}

impl fmt::Display for TimeWentBackwards {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "time went backwards: the call is at {} but the engine has already seen {}",
            self.now, self.latest
        )
    }
}

impl std::error::Error for TimeWentBackwards {}

impl TimeWentBackwards {
    /// The stable machine code: `"time_went_backwards"`.
    pub fn code(&self) -> &'static str {
        "time_went_backwards"
    }
}

/// A call's time is further ahead of the door's clock (the latest time an
/// [`Engine::advance`](crate::Engine::advance) saw) than
/// [`Config::time_ahead_tolerance_ms`](crate::Config::time_ahead_tolerance_ms). Shared by the
/// data-path operations' error enums. Nothing changed.
///
/// What to do: pass times from the same clock as the door's timer (a time in seconds where
/// milliseconds are expected, or a host clock hours off, ends here); call `advance` on a timer,
/// even with nobody to admit, so that the door's clock keeps up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TimeTooFarAhead {
    /// The time the call passed.
    pub now: Timestamp,
    /// The door's clock.
    pub latest: Timestamp,
    /// How far ahead of it a call may be.
    pub tolerance_ms: u64,
}

impl fmt::Display for TimeTooFarAhead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "time too far ahead: the call is at {} but the engine's clock is at {}, and calls may be at most {} ms ahead",
            self.now, self.latest, self.tolerance_ms
        )
    }
}

impl std::error::Error for TimeTooFarAhead {}

impl TimeTooFarAhead {
    /// The stable machine code: `"time_too_far_ahead"`.
    pub fn code(&self) -> &'static str {
        "time_too_far_ahead"
    }
}

/// Why a data-path call's `now` was refused; each operation's error enum converts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CallTimeError {
    Backwards(TimeWentBackwards),
    Ahead(TimeTooFarAhead),
}

/// Why [`Engine::enqueue`](crate::Engine::enqueue) gave no place.
///
/// # Example
/// ```
/// use fairbook::{CohortId, CohortWindow, Config, Engine, EnqueueError, PersonId, Timestamp};
///
/// let opens_at = Timestamp::from_secs(100);
/// let config = Config { cohorts: vec![CohortWindow::opening_at(opens_at)], ..Config::default() };
/// let engine = Engine::new(config)?;
/// let early = engine.enqueue(PersonId::new(1), CohortId::new(0), Timestamp::from_secs(99));
/// assert_eq!(early, Err(EnqueueError::WindowNotOpen { cohort: CohortId::new(0), opens_at }));
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum EnqueueError {
    /// See [`TimeWentBackwards`].
    TimeWentBackwards(TimeWentBackwards),
    /// See [`TimeTooFarAhead`].
    TimeTooFarAhead(TimeTooFarAhead),
    /// The person id is [`PersonId::RESERVED`](crate::PersonId::RESERVED). Derive ids so that
    /// this value never occurs.
    InvalidPerson,
    /// The cohort is not in [`Config::cohorts`](crate::Config::cohorts).
    UnknownCohort {
        /// The cohort given.
        cohort: CohortId,
    },
    /// The cohort's window has not opened yet. Ask the person to come back at `opens_at`.
    WindowNotOpen {
        /// The cohort given.
        cohort: CohortId,
        /// When its window opens.
        opens_at: Timestamp,
    },
    /// The cohort's window has closed to new joins (people already in line keep their place).
    WindowClosed {
        /// The cohort given.
        cohort: CohortId,
        /// When its window closed.
        closed_at: Timestamp,
    },
    /// The waiting room has handed out all [`Config::people_max`](crate::Config::people_max)
    /// places. Nothing will free one: tell the person the line is closed.
    #[cfg_attr(feature = "serde", serde(rename = "waiting_room_full"))]
    Full {
        /// The configured number of places.
        people_max: u64,
    },
    /// The person's id lands among too many others in the waiting room's table: ids crafted to
    /// collide, most likely, against a public
    /// [`Config::person_hash_key`](crate::Config::person_hash_key). The person holds no place.
    /// Set a secret key; with one, no honest id gets this answer in practice.
    Crowded,
    /// Every slot is fully booked, so a new place in line would be a wait for nothing.
    /// Capacity may come back through releases.
    SoldOut,
    /// The person gave back their place (or, once admitted, everything they held); a campaign
    /// does not take them back, which keeps leave-and-rejoin loops from churning the line.
    PlaceReleased {
        /// The place they had.
        seq: Seq,
    },
    /// The person's lease ran out without a booking and the policy is
    /// [`LapsePolicy::Forfeit`](crate::LapsePolicy::Forfeit).
    LeaseLapsed {
        /// The place they had.
        seq: Seq,
        /// When the lease ran out.
        at: Timestamp,
    },
    /// The person is registered as a dependant of another person's place: they hold no place
    /// of their own, and the person they are registered to books for them.
    Dependant {
        /// The place they are registered to.
        holder: Seq,
    },
    /// See [`OpError`]. With `serde`, the [`OpError`]'s own object (its `"code"` is
    /// `"op_conflict"` or `"ops_not_remembered"`).
    #[cfg_attr(feature = "serde", serde(untagged))]
    Op(OpError),
}

impl fmt::Display for EnqueueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnqueueError::TimeWentBackwards(error) => error.fmt(f),
            EnqueueError::TimeTooFarAhead(error) => error.fmt(f),
            EnqueueError::InvalidPerson => write!(f, "person id u64::MAX is reserved"),
            EnqueueError::UnknownCohort { cohort } => {
                write!(f, "cohort {cohort} is not configured")
            }
            EnqueueError::WindowNotOpen { cohort, opens_at } => {
                write!(
                    f,
                    "cohort {cohort} may not join yet; its window opens at {opens_at}"
                )
            }
            EnqueueError::WindowClosed { cohort, closed_at } => {
                write!(
                    f,
                    "cohort {cohort} may no longer join; its window closed at {closed_at}"
                )
            }
            EnqueueError::Full { people_max } => {
                write!(
                    f,
                    "the waiting room is full: all {people_max} places are taken"
                )
            }
            EnqueueError::Crowded => write!(
                f,
                "the person's id collides with too many others in the waiting room's table"
            ),
            EnqueueError::SoldOut => {
                write!(f, "every slot is booked; there is nothing to wait for")
            }
            EnqueueError::PlaceReleased { seq } => {
                write!(f, "place {seq} was given back and cannot be taken again")
            }
            EnqueueError::LeaseLapsed { seq, at } => {
                write!(f, "place {seq} had its turn; the lease lapsed at {at}")
            }
            EnqueueError::Dependant { holder } => write!(
                f,
                "the person is a dependant of place {holder}, whose holder books for them"
            ),
            EnqueueError::Op(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for EnqueueError {}

impl EnqueueError {
    /// The stable machine code of the error: the variant's name in snake case
    /// (`"window_not_open"`, `"sold_out"`, ...), except [`EnqueueError::Full`], which is
    /// `"waiting_room_full"`.
    ///
    /// # Example
    /// ```
    /// use fairbook::EnqueueError;
    /// assert_eq!(EnqueueError::SoldOut.code(), "sold_out");
    /// assert_eq!(EnqueueError::Full { people_max: 10 }.code(), "waiting_room_full");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            EnqueueError::TimeWentBackwards(error) => error.code(),
            EnqueueError::TimeTooFarAhead(error) => error.code(),
            EnqueueError::InvalidPerson => "invalid_person",
            EnqueueError::UnknownCohort { .. } => "unknown_cohort",
            EnqueueError::WindowNotOpen { .. } => "window_not_open",
            EnqueueError::WindowClosed { .. } => "window_closed",
            EnqueueError::Full { .. } => "waiting_room_full",
            EnqueueError::Crowded => "crowded",
            EnqueueError::SoldOut => "sold_out",
            EnqueueError::PlaceReleased { .. } => "place_released",
            EnqueueError::LeaseLapsed { .. } => "lease_lapsed",
            EnqueueError::Dependant { .. } => "dependant",
            EnqueueError::Op(error) => error.code(),
        }
    }

    /// How long after `now` the same join may succeed, in milliseconds, where the error says:
    /// the time until the cohort's window opens (0 once it has). `None` when waiting would not
    /// help (a closed window, a full line) or when nothing tells how long (sold out: capacity
    /// comes back only if someone releases).
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, EnqueueError, Timestamp};
    /// let early = EnqueueError::WindowNotOpen { cohort: CohortId::new(0), opens_at: Timestamp::from_secs(100) };
    /// assert_eq!(early.retry_after_ms(Timestamp::from_secs(98)), Some(2_000));
    /// assert_eq!(EnqueueError::SoldOut.retry_after_ms(Timestamp::from_secs(98)), None);
    /// ```
    pub fn retry_after_ms(&self, now: Timestamp) -> Option<u64> {
        match self {
            EnqueueError::WindowNotOpen { opens_at, .. } => Some(opens_at.millis_since(now)),
            _ => None,
        }
    }
}

/// Why [`Engine::advance`](crate::Engine::advance) did nothing.
///
/// # Example
/// ```
/// use fairbook::{AdvanceError, Config, Engine, Timestamp};
/// let engine = Engine::new(Config { time_skew_tolerance_ms: 0, ..Config::default() })?;
/// engine.advance(Timestamp::from_secs(10), 5).unwrap();
/// let error = engine.advance(Timestamp::from_secs(9), 5).unwrap_err();
/// assert!(matches!(error, AdvanceError::TimeWentBackwards(_)));
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum AdvanceError {
    /// See [`TimeWentBackwards`].
    TimeWentBackwards(TimeWentBackwards),
}

impl fmt::Display for AdvanceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdvanceError::TimeWentBackwards(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for AdvanceError {}

impl AdvanceError {
    /// The stable machine code of the error: `"time_went_backwards"`.
    pub fn code(&self) -> &'static str {
        match self {
            AdvanceError::TimeWentBackwards(error) => error.code(),
        }
    }
}

/// Why [`Engine::status`](crate::Engine::status) could not answer.
///
/// An unknown person is not an error: it is [`Status::Unknown`](crate::Status::Unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum StatusError {
    /// See [`TimeWentBackwards`].
    TimeWentBackwards(TimeWentBackwards),
    /// See [`TimeTooFarAhead`].
    TimeTooFarAhead(TimeTooFarAhead),
}

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusError::TimeWentBackwards(error) => error.fmt(f),
            StatusError::TimeTooFarAhead(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for StatusError {}

impl StatusError {
    /// The stable machine code of the error: `"time_went_backwards"` or
    /// `"time_too_far_ahead"`.
    pub fn code(&self) -> &'static str {
        match self {
            StatusError::TimeWentBackwards(error) => error.code(),
            StatusError::TimeTooFarAhead(error) => error.code(),
        }
    }
}

/// Why [`Engine::reserve`](crate::Engine::reserve) booked nothing.
///
/// # Example
/// ```
/// use fairbook::{CohortId, Config, Engine, PersonId, ReserveError, Seq, SlotSpec, Timestamp};
///
/// let engine = Engine::new(Config::default())?;
/// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
/// let now = Timestamp::from_secs(1);
/// engine.enqueue(PersonId::new(7), CohortId::new(0), now).unwrap();
/// // Not admitted yet: the booking server cannot be reached around the queue.
/// let error = engine.reserve(PersonId::new(7), &[slot], now).unwrap_err();
/// assert_eq!(error, ReserveError::NotAdmitted { seq: Seq::new(0), ahead: 0 });
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum ReserveError {
    /// See [`TimeWentBackwards`].
    TimeWentBackwards(TimeWentBackwards),
    /// See [`TimeTooFarAhead`].
    TimeTooFarAhead(TimeTooFarAhead),
    /// The person never joined. Send them to the waiting room.
    UnknownPerson,
    /// The choice list is empty.
    EmptyChoice,
    /// The choice list is longer than [`Config::choices_max`](crate::Config::choices_max).
    TooManyChoices {
        /// How many were given.
        given: usize,
        /// The most allowed.
        max: usize,
    },
    /// A listed slot does not exist.
    UnknownSlot {
        /// The first unknown slot in the list.
        slot: SlotId,
    },
    /// The person is still waiting; only people the engine admitted can reserve.
    NotAdmitted {
        /// Their place.
        seq: Seq,
        /// People still waiting ahead of them (a snapshot).
        ahead: u64,
    },
    /// The person's lease ran out; what they may do next depends on the
    /// [`LapsePolicy`](crate::LapsePolicy).
    LeaseLapsed {
        /// When it ran out.
        at: Timestamp,
    },
    /// The person gave back their place; they cannot book with it.
    PlaceReleased,
    /// The person already holds
    /// [`Config::bookings_per_person_max`](crate::Config::bookings_per_person_max) bookings.
    BookingLimit {
        /// The limit.
        bookings_max: u8,
    },
    /// Every listed slot is full (or already held by this person). Offer other slots: the
    /// lease is still live.
    NoRoom {
        /// `true` if every slot in the engine is full, not just the listed ones.
        sold_out: bool,
    },
    /// The person is registered as a dependant: the person they are registered to books for
    /// them ([`Engine::book_group`](crate::Engine::book_group)).
    Dependant {
        /// The place they are registered to.
        holder: Seq,
    },
    /// See [`OpError`]. With `serde`, the [`OpError`]'s own object (its `"code"` is
    /// `"op_conflict"` or `"ops_not_remembered"`).
    #[cfg_attr(feature = "serde", serde(untagged))]
    Op(OpError),
}

impl fmt::Display for ReserveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReserveError::TimeWentBackwards(error) => error.fmt(f),
            ReserveError::TimeTooFarAhead(error) => error.fmt(f),
            ReserveError::UnknownPerson => write!(f, "the person has not joined the waiting room"),
            ReserveError::EmptyChoice => write!(f, "no slot was chosen"),
            ReserveError::TooManyChoices { given, max } => {
                write!(f, "{given} slots were listed, but at most {max} may be")
            }
            ReserveError::UnknownSlot { slot } => write!(f, "slot {slot} does not exist"),
            ReserveError::NotAdmitted { seq, ahead } => write!(
                f,
                "place {seq} has not been admitted yet; {ahead} people are still ahead"
            ),
            ReserveError::LeaseLapsed { at } => write!(f, "the lease to book ran out at {at}"),
            ReserveError::PlaceReleased => write!(f, "the person gave back their place"),
            ReserveError::BookingLimit { bookings_max } => {
                write!(
                    f,
                    "the person already holds {bookings_max} bookings, the most allowed"
                )
            }
            ReserveError::NoRoom { sold_out: true } => write!(f, "every slot is fully booked"),
            ReserveError::NoRoom { sold_out: false } => {
                write!(f, "every chosen slot is fully booked")
            }
            ReserveError::Dependant { holder } => write!(
                f,
                "the person is a dependant of place {holder}, whose holder books for them"
            ),
            ReserveError::Op(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for ReserveError {}

impl ReserveError {
    /// The stable machine code of the error: the variant's name in snake case
    /// (`"not_admitted"`, `"no_room"`, ...).
    ///
    /// A person who is [`ReserveError::NotAdmitted`] is still in line: their estimated wait is
    /// in [`Status::Waiting`](crate::Status::Waiting), or from
    /// [`Stats::estimated_wait_ms`](crate::Stats::estimated_wait_ms) for the `ahead` the error
    /// carries.
    ///
    /// # Example
    /// ```
    /// use fairbook::{ReserveError, Seq};
    /// assert_eq!(ReserveError::NotAdmitted { seq: Seq::new(3), ahead: 2 }.code(), "not_admitted");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            ReserveError::TimeWentBackwards(error) => error.code(),
            ReserveError::TimeTooFarAhead(error) => error.code(),
            ReserveError::UnknownPerson => "unknown_person",
            ReserveError::EmptyChoice => "empty_choice",
            ReserveError::TooManyChoices { .. } => "too_many_choices",
            ReserveError::UnknownSlot { .. } => "unknown_slot",
            ReserveError::NotAdmitted { .. } => "not_admitted",
            ReserveError::LeaseLapsed { .. } => "lease_lapsed",
            ReserveError::PlaceReleased => "place_released",
            ReserveError::BookingLimit { .. } => "booking_limit",
            ReserveError::NoRoom { .. } => "no_room",
            ReserveError::Dependant { .. } => "dependant",
            ReserveError::Op(error) => error.code(),
        }
    }
}

/// Why [`Engine::release`](crate::Engine::release) or
/// [`Engine::release_booking`](crate::Engine::release_booking) gave nothing back.
///
/// # Example
/// ```
/// use fairbook::{Config, Engine, PersonId, ReleaseError, Timestamp};
/// let engine = Engine::new(Config::default())?;
/// let error = engine.release(PersonId::new(9), Timestamp::ZERO).unwrap_err();
/// assert_eq!(error, ReleaseError::UnknownPerson);
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum ReleaseError {
    /// See [`TimeWentBackwards`].
    TimeWentBackwards(TimeWentBackwards),
    /// See [`TimeTooFarAhead`].
    TimeTooFarAhead(TimeTooFarAhead),
    /// The person never joined.
    UnknownPerson,
    /// The person holds nothing to give back (already released, or lapsed without booking).
    NothingToRelease,
    /// The person does not hold a booking of this slot.
    NotBooked {
        /// The slot named.
        slot: SlotId,
    },
    /// The person is registered as a dependant: their seat is given back with their holder's
    /// place ([`Engine::release`](crate::Engine::release) by the holder).
    Dependant {
        /// The place they are registered to.
        holder: Seq,
    },
    /// See [`OpError`]. With `serde`, the [`OpError`]'s own object (its `"code"` is
    /// `"op_conflict"` or `"ops_not_remembered"`).
    #[cfg_attr(feature = "serde", serde(untagged))]
    Op(OpError),
}

impl fmt::Display for ReleaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReleaseError::TimeWentBackwards(error) => error.fmt(f),
            ReleaseError::TimeTooFarAhead(error) => error.fmt(f),
            ReleaseError::UnknownPerson => write!(f, "the person has not joined the waiting room"),
            ReleaseError::NothingToRelease => write!(f, "the person holds nothing to give back"),
            ReleaseError::NotBooked { slot } => {
                write!(f, "the person holds no booking of slot {slot}")
            }
            ReleaseError::Dependant { holder } => write!(
                f,
                "the person is a dependant of place {holder}, whose holder releases for them"
            ),
            ReleaseError::Op(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for ReleaseError {}

impl ReleaseError {
    /// The stable machine code of the error: the variant's name in snake case
    /// (`"unknown_person"`, `"nothing_to_release"`, `"not_booked"`, ...).
    ///
    /// # Example
    /// ```
    /// use fairbook::ReleaseError;
    /// assert_eq!(ReleaseError::NothingToRelease.code(), "nothing_to_release");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            ReleaseError::TimeWentBackwards(error) => error.code(),
            ReleaseError::TimeTooFarAhead(error) => error.code(),
            ReleaseError::UnknownPerson => "unknown_person",
            ReleaseError::NothingToRelease => "nothing_to_release",
            ReleaseError::NotBooked { .. } => "not_booked",
            ReleaseError::Dependant { .. } => "dependant",
            ReleaseError::Op(error) => error.code(),
        }
    }
}

/// Why [`Engine::admitted_in`](crate::Engine::admitted_in) lists nobody: the [`Advanced`]
/// does not describe an admission this engine made (it came from another engine, or was
/// built by hand).
///
/// [`Advanced`]: crate::Advanced
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdmittedInError {
    /// The range `[from, to)` is not within the places this engine has admitted so far.
    NotAdmitted {
        /// The start of the range given.
        from: Seq,
        /// The end of the range given.
        to: Seq,
        /// Every place below this has been considered for admission by this engine.
        admission_cursor: u64,
    },
}

impl fmt::Display for AdmittedInError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdmittedInError::NotAdmitted {
                from,
                to,
                admission_cursor,
            } => write!(
                f,
                "places {from} to {to} were not admitted by this engine, which has admitted below #{admission_cursor} only"
            ),
        }
    }
}

impl std::error::Error for AdmittedInError {}

impl AdmittedInError {
    /// The stable machine code of the error: `"not_admitted_by_this_engine"`.
    pub fn code(&self) -> &'static str {
        match self {
            AdmittedInError::NotAdmitted { .. } => "not_admitted_by_this_engine",
        }
    }
}

/// Why [`Engine::add_slot`](crate::Engine::add_slot) added nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum AddSlotError {
    /// The engine already holds [`Config::slots_max`](crate::Config::slots_max) slots.
    #[cfg_attr(feature = "serde", serde(rename = "inventory_full"))]
    Full {
        /// The configured limit.
        slots_max: u32,
    },
}

impl fmt::Display for AddSlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddSlotError::Full { slots_max } => {
                write!(f, "the inventory is full: all {slots_max} slots are in use")
            }
        }
    }
}

impl std::error::Error for AddSlotError {}

impl AddSlotError {
    /// The stable machine code of the error: `"inventory_full"`.
    pub fn code(&self) -> &'static str {
        match self {
            AddSlotError::Full { .. } => "inventory_full",
        }
    }
}

/// Why [`Engine::apply`](crate::Engine::apply) could not apply a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApplyError {
    /// The record does not fit the engine's state: the journal is not this engine's history
    /// (another configuration, a file from another campaign), or its records are out of order.
    /// Nothing changed.
    Inconsistent {
        /// The record.
        record: Record,
        /// What does not fit.
        reason: &'static str,
    },
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyError::Inconsistent { record, reason } => {
                write!(f, "cannot apply {record:?}: {reason}")
            }
        }
    }
}

impl std::error::Error for ApplyError {}

impl ApplyError {
    /// The stable machine code of the error: `"record_does_not_fit"`.
    pub fn code(&self) -> &'static str {
        match self {
            ApplyError::Inconsistent { .. } => "record_does_not_fit",
        }
    }
}

/// Why [`Engine::from_snapshot`](crate::Engine::from_snapshot) could not read a snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The configuration is out of range, or its memory cannot be had.
    Config(ConfigError),
    /// The bytes do not start as a snapshot does.
    NotASnapshot,
    /// The bytes end before the snapshot does.
    Truncated,
    /// The snapshot was made by an engine with another configuration.
    Mismatch {
        /// Which limit differs.
        what: &'static str,
    },
    /// The snapshot describes a state the engine could not be in.
    Inconsistent {
        /// What does not fit.
        reason: &'static str,
    },
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::Config(error) => error.fmt(f),
            SnapshotError::NotASnapshot => write!(f, "the bytes are not a snapshot"),
            SnapshotError::Truncated => write!(f, "the snapshot is cut short"),
            SnapshotError::Mismatch { what } => {
                write!(f, "the snapshot was made with another {what}")
            }
            SnapshotError::Inconsistent { reason } => {
                write!(f, "the snapshot is inconsistent: {reason}")
            }
        }
    }
}

impl std::error::Error for SnapshotError {}

impl SnapshotError {
    /// The stable machine code of the error (`"not_a_snapshot"`, `"snapshot_truncated"`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            SnapshotError::Config(error) => error.code(),
            SnapshotError::NotASnapshot => "not_a_snapshot",
            SnapshotError::Truncated => "snapshot_truncated",
            SnapshotError::Mismatch { .. } => "snapshot_of_another_config",
            SnapshotError::Inconsistent { .. } => "snapshot_inconsistent",
        }
    }
}

/// Why [`Engine::recover`](crate::Engine::recover) could not rebuild an engine.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecoverError {
    /// The configuration is out of range, or its memory cannot be had.
    Config(ConfigError),
    /// The snapshot could not be read.
    Snapshot(SnapshotError),
    /// A record did not fit.
    Record {
        /// Its position among the records after the snapshot, from 0.
        index: u64,
        /// Why.
        error: ApplyError,
    },
}

impl fmt::Display for RecoverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecoverError::Config(error) => error.fmt(f),
            RecoverError::Snapshot(error) => error.fmt(f),
            RecoverError::Record { index, error } => write!(f, "record {index}: {error}"),
        }
    }
}

impl std::error::Error for RecoverError {}

impl RecoverError {
    /// The stable machine code of the error: the code of its cause.
    pub fn code(&self) -> &'static str {
        match self {
            RecoverError::Config(error) => error.code(),
            RecoverError::Snapshot(error) => error.code(),
            RecoverError::Record { error, .. } => error.code(),
        }
    }
}

impl From<ConfigError> for RecoverError {
    fn from(error: ConfigError) -> RecoverError {
        RecoverError::Config(error)
    }
}

impl From<SnapshotError> for RecoverError {
    fn from(error: SnapshotError) -> RecoverError {
        RecoverError::Snapshot(error)
    }
}

macro_rules! from_time_went_backwards {
    ($($error:ident),*) => {$(
        impl From<TimeWentBackwards> for $error {
            fn from(error: TimeWentBackwards) -> $error {
                $error::TimeWentBackwards(error)
            }
        }
    )*};
}

from_time_went_backwards!(
    EnqueueError,
    AdvanceError,
    StatusError,
    ReserveError,
    ReleaseError
);

macro_rules! from_call_time_error {
    ($($error:ident),*) => {$(
        impl From<TimeTooFarAhead> for $error {
            fn from(error: TimeTooFarAhead) -> $error {
                $error::TimeTooFarAhead(error)
            }
        }

        impl From<CallTimeError> for $error {
            fn from(error: CallTimeError) -> $error {
                match error {
                    CallTimeError::Backwards(error) => error.into(),
                    CallTimeError::Ahead(error) => error.into(),
                }
            }
        }
    )*};
}

from_call_time_error!(EnqueueError, StatusError, ReserveError, ReleaseError);

macro_rules! from_op_error {
    ($($error:ident),*) => {$(
        impl From<OpError> for $error {
            fn from(error: OpError) -> $error {
                $error::Op(error)
            }
        }
    )*};
}

from_op_error!(EnqueueError, ReserveError, ReleaseError);
