//! One small error enum per operation: [`EnqueueError`], [`AdvanceError`], [`StatusError`],
//! [`ReserveError`], [`ReleaseError`], [`AddSlotError`], [`AddSiteError`],
//! [`SetCapacityError`], [`CloseSlotError`] and [`SearchError`]; the flows' own (holds,
//! rebooking, linked bookings, retry-safe operations) are in `error/flows.rs`.
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
use crate::ids::{CohortId, Day, RegionId, Seq, SiteId, SlotId};
use crate::record::Record;
use crate::scope::Scope;
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
    /// The cohort's window is open, but its draw (of the people who came before the opening)
    /// has not been made yet: nobody joins ahead of them. Try again in a moment.
    DrawPending {
        /// The cohort given.
        cohort: CohortId,
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
    /// Every slot within the person's scope is fully booked, while seats are free elsewhere:
    /// a place in line would be a wait for nothing, unless capacity comes back there. Tell
    /// them, and offer them a wider scope.
    SoldOutInScope {
        /// The scope the place would have had.
        scope: Scope,
        /// Free seats outside it, as the door last counted them (at its latest `advance`).
        free_elsewhere: u64,
    },
    /// The scope names a region at or above
    /// [`Config::regions_max`](crate::Config::regions_max).
    RegionOutOfRange {
        /// The region given.
        region: RegionId,
        /// The configured number of regions.
        regions_max: u32,
    },
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
            EnqueueError::DrawPending { cohort } => {
                write!(
                    f,
                    "cohort {cohort} is open, but its draw has not been made yet"
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
            EnqueueError::SoldOutInScope {
                scope,
                free_elsewhere,
            } => write!(
                f,
                "every slot in {scope} is booked; {free_elsewhere} seats are free elsewhere"
            ),
            EnqueueError::RegionOutOfRange {
                region,
                regions_max,
            } => write!(
                f,
                "region {region} is out of range: region ids run below {regions_max}"
            ),
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
            EnqueueError::DrawPending { .. } => "draw_pending",
            EnqueueError::SoldOutInScope { .. } => "sold_out_in_scope",
            EnqueueError::RegionOutOfRange { .. } => "region_out_of_range",
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
    /// The person is on standby: the next seat that frees up in their scope will be offered
    /// to them ([`Status::Offered`](crate::Status::Offered)), and they book it then.
    OnStandby,
    /// A seat is held for the person (offered while they were on standby): book it by listing
    /// it, or give it back with `release`.
    OfferPending {
        /// The seat held for them.
        slot: SlotId,
        /// When the offer lapses.
        until: Timestamp,
    },
    /// A listed slot is outside the scope the person joined with. Offer slots within it.
    OutOfScope {
        /// The first such slot in the list.
        slot: SlotId,
        /// The person's scope.
        scope: Scope,
    },
    /// The person already holds
    /// [`Config::bookings_per_person_max`](crate::Config::bookings_per_person_max) bookings.
    BookingLimit {
        /// The limit.
        bookings_max: u8,
    },
    /// Every listed slot is full (or already held by this person). Offer other slots: the
    /// lease is still live.
    NoRoom {
        /// `true` if every slot the person may book (every slot of the engine, or of their
        /// scope) is full, not just the listed ones.
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
            ReserveError::OnStandby => {
                write!(
                    f,
                    "the person is on standby and will be offered the next free seat"
                )
            }
            ReserveError::OfferPending { slot, until } => {
                write!(
                    f,
                    "slot {slot} is held for the person until {until}; list it to book it"
                )
            }
            ReserveError::OutOfScope { slot, scope } => {
                write!(
                    f,
                    "slot {slot} is outside {scope}, where the person may book"
                )
            }
            ReserveError::BookingLimit { bookings_max } => {
                write!(
                    f,
                    "the person already holds {bookings_max} bookings, the most allowed"
                )
            }
            ReserveError::NoRoom { sold_out: true } => {
                write!(f, "every slot the person may book is fully booked")
            }
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
            ReserveError::OnStandby => "on_standby",
            ReserveError::OfferPending { .. } => "offer_pending",
            ReserveError::OutOfScope { .. } => "out_of_scope",
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

/// Why [`Engine::standby`](crate::Engine::standby) did not put the person on standby.
/// Nothing changed.
///
/// # Example
/// ```
/// use fairbook::{CohortId, Config, Engine, PersonId, SlotSpec, StandbyError, Timestamp};
/// let engine = Engine::new(Config::default())?;
/// engine.add_slot(SlotSpec::with_capacity(5)).unwrap();
/// let (ana, now) = (PersonId::new(1), Timestamp::from_secs(1));
/// engine.enqueue(ana, CohortId::new(0), now).unwrap();
/// engine.advance(now, 1).unwrap();
/// // Seats are free: book one instead.
/// assert_eq!(engine.standby(ana, now), Err(StandbyError::SeatsFree));
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum StandbyError {
    /// See [`TimeWentBackwards`].
    TimeWentBackwards(TimeWentBackwards),
    /// See [`TimeTooFarAhead`].
    TimeTooFarAhead(TimeTooFarAhead),
    /// The person never joined.
    UnknownPerson,
    /// The person is still waiting: standby is for people admitted who found no room.
    NotAdmitted {
        /// Their place.
        seq: Seq,
        /// People still waiting ahead of them.
        ahead: u64,
    },
    /// The person's lease ran out.
    LeaseLapsed {
        /// When it ran out.
        at: Timestamp,
    },
    /// The person gave back their place.
    PlaceReleased,
    /// The person holds a booking: they found room.
    HoldsBooking,
    /// A seat is held for the person already: book it.
    OfferPending {
        /// The seat held for them.
        slot: SlotId,
        /// When the offer lapses.
        until: Timestamp,
    },
    /// Their scope has a free seat: search for it and book it.
    SeatsFree,
    /// [`Config::standby_max`](crate::Config::standby_max) people are on standby or hold an
    /// offer already.
    LineFull {
        /// The configured limit.
        standby_max: u32,
    },
}

impl fmt::Display for StandbyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StandbyError::TimeWentBackwards(error) => error.fmt(f),
            StandbyError::TimeTooFarAhead(error) => error.fmt(f),
            StandbyError::UnknownPerson => write!(f, "the person has not joined the waiting room"),
            StandbyError::NotAdmitted { seq, ahead } => write!(
                f,
                "place {seq} has not been admitted yet; {ahead} people are still ahead"
            ),
            StandbyError::LeaseLapsed { at } => write!(f, "the lease to book ran out at {at}"),
            StandbyError::PlaceReleased => write!(f, "the person gave back their place"),
            StandbyError::HoldsBooking => write!(f, "the person holds a booking already"),
            StandbyError::OfferPending { slot, until } => {
                write!(f, "slot {slot} is held for the person until {until}")
            }
            StandbyError::SeatsFree => {
                write!(f, "seats are free where the person may book; book one")
            }
            StandbyError::LineFull { standby_max } => {
                write!(
                    f,
                    "the standby line is full: {standby_max} people are on it"
                )
            }
        }
    }
}

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

impl std::error::Error for StandbyError {}

impl StandbyError {
    /// The stable machine code of the error: the variant's name in snake case.
    pub fn code(&self) -> &'static str {
        match self {
            StandbyError::TimeWentBackwards(error) => error.code(),
            StandbyError::TimeTooFarAhead(error) => error.code(),
            StandbyError::UnknownPerson => "unknown_person",
            StandbyError::NotAdmitted { .. } => "not_admitted",
            StandbyError::LeaseLapsed { .. } => "lease_lapsed",
            StandbyError::PlaceReleased => "place_released",
            StandbyError::HoldsBooking => "holds_booking",
            StandbyError::OfferPending { .. } => "offer_pending",
            StandbyError::SeatsFree => "seats_free",
            StandbyError::LineFull { .. } => "line_full",
        }
    }
}

/// Why [`Engine::enter_draw`](crate::Engine::enter_draw) did not enter the person into the
/// draw. Nothing changed.
///
/// # Example
/// ```
/// use fairbook::{CohortId, Config, Engine, DrawEntryError, PersonId, Timestamp};
/// let engine = Engine::new(Config::default())?;
/// // Cohort 0 has no draw.
/// let error = engine.enter_draw(PersonId::new(1), CohortId::new(0), Timestamp::ZERO).unwrap_err();
/// assert_eq!(error, DrawEntryError::NoDraw { cohort: CohortId::new(0) });
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum DrawEntryError {
    /// See [`TimeWentBackwards`].
    TimeWentBackwards(TimeWentBackwards),
    /// See [`TimeTooFarAhead`].
    TimeTooFarAhead(TimeTooFarAhead),
    /// The person id is [`PersonId::RESERVED`](crate::PersonId::RESERVED).
    InvalidPerson,
    /// The cohort is not in [`Config::cohorts`](crate::Config::cohorts).
    UnknownCohort {
        /// The cohort given.
        cohort: CohortId,
    },
    /// The cohort has no draw ([`CohortWindow::draw`](crate::CohortWindow::draw)): join it
    /// with `enqueue` once it opens.
    NoDraw {
        /// The cohort given.
        cohort: CohortId,
    },
    /// The cohort has opened: people who come now join in arrival order, with `enqueue`.
    Opened {
        /// The cohort given.
        cohort: CohortId,
        /// When it opened.
        opens_at: Timestamp,
    },
    /// The person holds a place in line already.
    AlreadyInLine {
        /// Their place.
        seq: Seq,
    },
    /// The cohort's draw has been made: join it with `enqueue`.
    DrawMade {
        /// The cohort given.
        cohort: CohortId,
    },
    /// The person entered another cohort's draw: one person, one place.
    InOtherDraw {
        /// The cohort whose draw they entered.
        cohort: CohortId,
    },
    /// [`Config::pre_queue_max`](crate::Config::pre_queue_max) people entered draws already.
    Full {
        /// The configured limit.
        pre_queue_max: u32,
    },
    /// The person's id lands among too many others in the pre-queue's table (see
    /// [`EnqueueError::Crowded`]).
    Crowded,
}

impl fmt::Display for DrawEntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DrawEntryError::TimeWentBackwards(error) => error.fmt(f),
            DrawEntryError::TimeTooFarAhead(error) => error.fmt(f),
            DrawEntryError::InvalidPerson => write!(f, "person id u64::MAX is reserved"),
            DrawEntryError::UnknownCohort { cohort } => {
                write!(f, "cohort {cohort} is not configured")
            }
            DrawEntryError::NoDraw { cohort } => write!(f, "cohort {cohort} has no draw"),
            DrawEntryError::Opened { cohort, opens_at } => {
                write!(
                    f,
                    "cohort {cohort} opened at {opens_at}; join it in arrival order"
                )
            }
            DrawEntryError::AlreadyInLine { seq } => {
                write!(f, "the person holds place {seq} in line already")
            }
            DrawEntryError::DrawMade { cohort } => {
                write!(
                    f,
                    "the draw of cohort {cohort} has been made; join it in arrival order"
                )
            }
            DrawEntryError::InOtherDraw { cohort } => {
                write!(f, "the person entered the draw of {cohort} already")
            }
            DrawEntryError::Full { pre_queue_max } => {
                write!(f, "the draws are full: {pre_queue_max} people entered them")
            }
            DrawEntryError::Crowded => write!(
                f,
                "the person's id collides with too many others in the draws' table"
            ),
        }
    }
}

impl std::error::Error for DrawEntryError {}

impl DrawEntryError {
    /// The stable machine code of the error: the variant's name in snake case.
    pub fn code(&self) -> &'static str {
        match self {
            DrawEntryError::TimeWentBackwards(error) => error.code(),
            DrawEntryError::TimeTooFarAhead(error) => error.code(),
            DrawEntryError::InvalidPerson => "invalid_person",
            DrawEntryError::UnknownCohort { .. } => "unknown_cohort",
            DrawEntryError::NoDraw { .. } => "no_draw",
            DrawEntryError::Opened { .. } => "opened",
            DrawEntryError::AlreadyInLine { .. } => "already_in_line",
            DrawEntryError::DrawMade { .. } => "draw_made",
            DrawEntryError::InOtherDraw { .. } => "in_other_draw",
            DrawEntryError::Full { .. } => "full",
            DrawEntryError::Crowded => "crowded",
        }
    }
}

/// Why [`Engine::draw`](crate::Engine::draw) made no draw. Nothing changed.
///
/// # Example
/// ```
/// use fairbook::{CohortId, CohortWindow, Config, DrawError, DrawSecret, Engine, Timestamp};
/// let opens_at = Timestamp::from_secs(600);
/// let config = Config { cohorts: vec![CohortWindow::opening_at(opens_at).with_draw()], ..Config::default() };
/// let engine = Engine::new(config)?;
/// let secret = DrawSecret::from_bytes([5; 32]);
/// let early = engine.draw(fairbook::CohortId::new(0), &secret, Timestamp::from_secs(10));
/// assert_eq!(early, Err(DrawError::TooEarly { opens_at }));
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum DrawError {
    /// See [`TimeWentBackwards`].
    TimeWentBackwards(TimeWentBackwards),
    /// See [`TimeTooFarAhead`].
    TimeTooFarAhead(TimeTooFarAhead),
    /// The cohort is not in [`Config::cohorts`](crate::Config::cohorts).
    UnknownCohort {
        /// The cohort given.
        cohort: CohortId,
    },
    /// The cohort has no draw.
    NoDraw {
        /// The cohort given.
        cohort: CohortId,
    },
    /// The cohort has not opened yet: people may still enter its draw.
    TooEarly {
        /// When it opens.
        opens_at: Timestamp,
    },
    /// The cohort's draw was made already.
    AlreadyDrawn {
        /// The cohort given.
        cohort: CohortId,
    },
}

impl fmt::Display for DrawError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DrawError::TimeWentBackwards(error) => error.fmt(f),
            DrawError::TimeTooFarAhead(error) => error.fmt(f),
            DrawError::UnknownCohort { cohort } => write!(f, "cohort {cohort} is not configured"),
            DrawError::NoDraw { cohort } => write!(f, "cohort {cohort} has no draw"),
            DrawError::TooEarly { opens_at } => {
                write!(f, "the cohort opens at {opens_at}; its draw is made then")
            }
            DrawError::AlreadyDrawn { cohort } => write!(f, "the draw of cohort {cohort} was made"),
        }
    }
}

impl std::error::Error for DrawError {}

impl DrawError {
    /// The stable machine code of the error: the variant's name in snake case.
    pub fn code(&self) -> &'static str {
        match self {
            DrawError::TimeWentBackwards(error) => error.code(),
            DrawError::TimeTooFarAhead(error) => error.code(),
            DrawError::UnknownCohort { .. } => "unknown_cohort",
            DrawError::NoDraw { .. } => "no_draw",
            DrawError::TooEarly { .. } => "too_early",
            DrawError::AlreadyDrawn { .. } => "already_drawn",
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
///
/// # Example
/// ```
/// use fairbook::{AddSlotError, Config, Day, Engine, SiteId, SlotSpec, Window};
/// let engine = Engine::new(Config { days_max: 14, ..Config::default() })?;
/// let past_the_horizon = SlotSpec { site: SiteId::new(0), day: Day::new(14), window: Window::new(0), capacity: 5 };
/// assert_eq!(
///     engine.add_slot(past_the_horizon),
///     Err(AddSlotError::DayOutOfRange { day: Day::new(14), days_max: 14 })
/// );
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum AddSlotError {
    /// The site id is at or above [`Config::sites_max`](crate::Config::sites_max).
    SiteOutOfRange {
        /// The site given.
        site: SiteId,
        /// The configured number of sites.
        sites_max: u32,
    },
    /// The day is at or above [`Config::days_max`](crate::Config::days_max).
    DayOutOfRange {
        /// The day given.
        day: Day,
        /// The configured number of days.
        days_max: u32,
    },
    /// The capacity is above [`SLOT_CAPACITY_LIMIT`](crate::SLOT_CAPACITY_LIMIT).
    CapacityTooLarge {
        /// The capacity given.
        capacity: u32,
        /// The largest allowed.
        max: u32,
    },
    /// The engine already holds [`Config::slots_max`](crate::Config::slots_max) slots.
    #[cfg_attr(feature = "serde", serde(rename = "inventory_full"))]
    Full {
        /// The configured limit.
        slots_max: u32,
    },
    /// The site already holds the most slots (16,711,680) or seats (1,099,510,579,200) one
    /// site may: add the slot at another site id.
    SiteFull {
        /// The site given.
        site: SiteId,
    },
}

impl fmt::Display for AddSlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddSlotError::SiteOutOfRange { site, sites_max } => {
                write!(
                    f,
                    "site {site} is out of range: site ids run below {sites_max}"
                )
            }
            AddSlotError::DayOutOfRange { day, days_max } => {
                write!(f, "day {day} is out of range: days run below {days_max}")
            }
            AddSlotError::CapacityTooLarge { capacity, max } => {
                write!(
                    f,
                    "a capacity of {capacity} is more than the {max} one slot may have"
                )
            }
            AddSlotError::Full { slots_max } => {
                write!(f, "the inventory is full: all {slots_max} slots are in use")
            }
            AddSlotError::SiteFull { site } => {
                write!(f, "site {site} holds the most slots or seats one site may")
            }
        }
    }
}

impl std::error::Error for AddSlotError {}

/// Why [`Engine::add_site`](crate::Engine::add_site) added nothing.
///
/// # Example
/// ```
/// use fairbook::{AddSiteError, Config, Engine, RegionId, SiteId};
/// let engine = Engine::new(Config { regions_max: 2, ..Config::default() })?;
/// engine.add_site(SiteId::new(7), RegionId::new(1)).unwrap();
/// assert_eq!(
///     engine.add_site(SiteId::new(7), RegionId::new(0)),
///     Err(AddSiteError::AlreadyAdded { site: SiteId::new(7), region: RegionId::new(1) })
/// );
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum AddSiteError {
    /// The site id is at or above [`Config::sites_max`](crate::Config::sites_max).
    SiteOutOfRange {
        /// The site given.
        site: SiteId,
        /// The configured number of sites.
        sites_max: u32,
    },
    /// The region id is at or above [`Config::regions_max`](crate::Config::regions_max).
    RegionOutOfRange {
        /// The region given.
        region: RegionId,
        /// The configured number of regions.
        regions_max: u32,
    },
    /// The site was added already, by an earlier `add_site` or by its first slot (which adds
    /// it to region 0). A site's region never changes: add the site before its slots.
    AlreadyAdded {
        /// The site given.
        site: SiteId,
        /// The region it is in.
        region: RegionId,
    },
}

impl fmt::Display for AddSiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddSiteError::SiteOutOfRange { site, sites_max } => {
                write!(
                    f,
                    "site {site} is out of range: site ids run below {sites_max}"
                )
            }
            AddSiteError::RegionOutOfRange {
                region,
                regions_max,
            } => write!(
                f,
                "region {region} is out of range: region ids run below {regions_max}"
            ),
            AddSiteError::AlreadyAdded { site, region } => {
                write!(f, "site {site} was added already, to region {region}")
            }
        }
    }
}

impl AddSlotError {
    /// The stable machine code of the error: the variant's name in snake case
    /// (`"site_out_of_range"`, ...), except [`AddSlotError::Full`], which is
    /// `"inventory_full"`.
    pub fn code(&self) -> &'static str {
        match self {
            AddSlotError::SiteOutOfRange { .. } => "site_out_of_range",
            AddSlotError::DayOutOfRange { .. } => "day_out_of_range",
            AddSlotError::CapacityTooLarge { .. } => "capacity_too_large",
            AddSlotError::Full { .. } => "inventory_full",
            AddSlotError::SiteFull { .. } => "site_full",
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

impl std::error::Error for AddSiteError {}

impl AddSiteError {
    /// The stable machine code of the error: the variant's name in snake case.
    pub fn code(&self) -> &'static str {
        match self {
            AddSiteError::SiteOutOfRange { .. } => "site_out_of_range",
            AddSiteError::RegionOutOfRange { .. } => "region_out_of_range",
            AddSiteError::AlreadyAdded { .. } => "already_added",
        }
    }
}

/// Why [`Engine::set_capacity`](crate::Engine::set_capacity) changed nothing. Bookings are
/// never cancelled by a change of supply: a capacity below what is booked is refused whole.
///
/// # Example
/// ```
/// use fairbook::{CohortId, Config, Engine, PersonId, SetCapacityError, SlotSpec, Timestamp};
/// let engine = Engine::new(Config::default())?;
/// let slot = engine.add_slot(SlotSpec::with_capacity(2)).unwrap();
/// let now = Timestamp::from_secs(1);
/// for id in [1, 2] {
///     engine.enqueue(PersonId::new(id), CohortId::new(0), now).unwrap();
/// }
/// engine.advance(now, 2).unwrap();
/// for id in [1, 2] {
///     engine.reserve(PersonId::new(id), &[slot], now).unwrap();
/// }
/// assert_eq!(
///     engine.set_capacity(slot, 1),
///     Err(SetCapacityError::BelowBooked { slot, booked: 2, capacity: 1 })
/// );
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum SetCapacityError {
    /// The slot does not exist.
    UnknownSlot {
        /// The slot given.
        slot: SlotId,
    },
    /// The capacity is above [`SLOT_CAPACITY_LIMIT`](crate::SLOT_CAPACITY_LIMIT).
    CapacityTooLarge {
        /// The capacity given.
        capacity: u32,
        /// The largest allowed.
        max: u32,
    },
    /// The slot is closed; its capacity only goes down, as its bookings are given back.
    Closed {
        /// The slot given.
        slot: SlotId,
    },
    /// The slot holds more bookings than the new capacity. Nothing changed: lower it to at
    /// least `booked`, or close the slot, which keeps its bookings and takes no new one.
    BelowBooked {
        /// The slot given.
        slot: SlotId,
        /// Bookings it holds.
        booked: u32,
        /// The capacity asked for.
        capacity: u32,
    },
    /// The site would hold more seats than one site may (see [`AddSlotError::SiteFull`]).
    SiteFull {
        /// The slot's site.
        site: SiteId,
    },
}

impl fmt::Display for SetCapacityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetCapacityError::UnknownSlot { slot } => write!(f, "slot {slot} does not exist"),
            SetCapacityError::CapacityTooLarge { capacity, max } => {
                write!(
                    f,
                    "a capacity of {capacity} is more than the {max} one slot may have"
                )
            }
            SetCapacityError::Closed { slot } => write!(f, "slot {slot} is closed"),
            SetCapacityError::BelowBooked {
                slot,
                booked,
                capacity,
            } => write!(
                f,
                "slot {slot} holds {booked} bookings, more than a capacity of {capacity}; bookings are never cancelled"
            ),
            SetCapacityError::SiteFull { site } => {
                write!(f, "site {site} would hold more seats than one site may")
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

impl std::error::Error for SetCapacityError {}

impl SetCapacityError {
    /// The stable machine code of the error: the variant's name in snake case.
    pub fn code(&self) -> &'static str {
        match self {
            SetCapacityError::UnknownSlot { .. } => "unknown_slot",
            SetCapacityError::CapacityTooLarge { .. } => "capacity_too_large",
            SetCapacityError::Closed { .. } => "closed",
            SetCapacityError::BelowBooked { .. } => "below_booked",
            SetCapacityError::SiteFull { .. } => "site_full",
        }
    }
}

/// Why [`Engine::close_slot`](crate::Engine::close_slot) changed nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum CloseSlotError {
    /// The slot does not exist.
    UnknownSlot {
        /// The slot given.
        slot: SlotId,
    },
    /// The slot was closed already.
    AlreadyClosed {
        /// The slot given.
        slot: SlotId,
    },
}

impl fmt::Display for CloseSlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloseSlotError::UnknownSlot { slot } => write!(f, "slot {slot} does not exist"),
            CloseSlotError::AlreadyClosed { slot } => write!(f, "slot {slot} is closed already"),
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

impl std::error::Error for CloseSlotError {}

impl CloseSlotError {
    /// The stable machine code of the error: the variant's name in snake case.
    pub fn code(&self) -> &'static str {
        match self {
            CloseSlotError::UnknownSlot { .. } => "unknown_slot",
            CloseSlotError::AlreadyClosed { .. } => "already_closed",
        }
    }
}

/// Why [`Engine::search`](crate::Engine::search) or
/// [`Engine::free_seats`](crate::Engine::free_seats) could not look.
///
/// # Example
/// ```
/// use fairbook::{Config, Day, Engine, SearchError, SlotFilter};
/// let engine = Engine::new(Config::default())?;
/// let backwards = SlotFilter::everywhere().days(Day::new(5), Day::new(2));
/// assert!(matches!(engine.search(backwards), Err(SearchError::EmptyDayRange { .. })));
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum SearchError {
    /// The last day is before the first: the filter selects nothing.
    EmptyDayRange {
        /// The first day given.
        first_day: Day,
        /// The last day given.
        last_day: Day,
    },
    /// The region id is at or above [`Config::regions_max`](crate::Config::regions_max).
    RegionOutOfRange {
        /// The region given.
        region: RegionId,
        /// The configured number of regions.
        regions_max: u32,
    },
    /// A listed site id is at or above [`Config::sites_max`](crate::Config::sites_max).
    SiteOutOfRange {
        /// The first such site in the list.
        site: SiteId,
        /// The configured number of sites.
        sites_max: u32,
    },
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SearchError::EmptyDayRange {
                first_day,
                last_day,
            } => write!(
                f,
                "the days run from day {first_day} back to day {last_day}, which selects nothing"
            ),
            SearchError::RegionOutOfRange {
                region,
                regions_max,
            } => write!(
                f,
                "region {region} is out of range: region ids run below {regions_max}"
            ),
            SearchError::SiteOutOfRange { site, sites_max } => {
                write!(
                    f,
                    "site {site} is out of range: site ids run below {sites_max}"
                )
            }
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

impl std::error::Error for SearchError {}

impl SearchError {
    /// The stable machine code of the error: the variant's name in snake case.
    pub fn code(&self) -> &'static str {
        match self {
            SearchError::EmptyDayRange { .. } => "empty_day_range",
            SearchError::RegionOutOfRange { .. } => "region_out_of_range",
            SearchError::SiteOutOfRange { .. } => "site_out_of_range",
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
    ReleaseError,
    StandbyError,
    DrawEntryError,
    DrawError
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

from_call_time_error!(
    EnqueueError,
    StatusError,
    ReserveError,
    ReleaseError,
    StandbyError,
    DrawEntryError,
    DrawError
);

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
