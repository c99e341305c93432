//! The errors of the service-grade flows: retry-safe operations ([`OpError`]), two-phase
//! holds ([`HoldError`], [`ConfirmError`], [`CancelError`]), atomic rebooking
//! ([`RebookError`]) and linked bookings ([`SeriesError`], [`RegisterError`],
//! [`GroupError`]). One enum per operation, as for the core verbs; every variant says what
//! happened and what to do, and none of them changes state.

use core::fmt;

use super::{CallTimeError, TimeTooFarAhead, TimeWentBackwards};
use crate::ids::{OpId, PersonId, Seq, SlotId};
use crate::scope::Scope;
use crate::time::Timestamp;

/// Why a call made through [`Engine::once`](crate::Engine::once) was not run.
///
/// # Example
/// ```
/// use fairbook::{CohortId, Config, Engine, EnqueueError, OpError, OpId, PersonId, Timestamp};
/// let engine = Engine::new(Config { ops_remembered_max: 64, ..Config::default() })?;
/// let op = OpId::new(1);
/// engine.once(op).enqueue(PersonId::new(1), CohortId::new(0), Timestamp::ZERO).unwrap();
/// let reused = engine.once(op).enqueue(PersonId::new(2), CohortId::new(0), Timestamp::ZERO);
/// assert_eq!(reused, Err(EnqueueError::Op(OpError::Conflict { op })));
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum OpError {
    /// The id was used before, by a call with other arguments (or another verb). Nothing was
    /// run: a retry must repeat the original call exactly, and a new call needs a new id.
    #[cfg_attr(feature = "serde", serde(rename = "op_conflict"))]
    Conflict {
        /// The id.
        op: OpId,
    },
    /// [`Config::ops_remembered_max`](crate::Config::ops_remembered_max) is 0: the engine
    /// remembers no answers, so it cannot make the call retry-safe. Nothing was run.
    #[cfg_attr(feature = "serde", serde(rename = "ops_not_remembered"))]
    NotRemembered,
}

impl fmt::Display for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpError::Conflict { op } => {
                write!(
                    f,
                    "operation {op} was already used by a call with other arguments"
                )
            }
            OpError::NotRemembered => {
                write!(
                    f,
                    "the engine remembers no operations (ops_remembered_max is 0)"
                )
            }
        }
    }
}

impl std::error::Error for OpError {}

impl OpError {
    /// The stable machine code of the error: `"op_conflict"` or `"ops_not_remembered"`.
    /// Every verb's error enum gives its `Op` variant this code, so that a service maps an
    /// id reused for another call to one answer whichever verb it came with.
    ///
    /// # Example
    /// ```
    /// use fairbook::{OpError, OpId, ReserveError};
    /// let conflict = OpError::Conflict { op: OpId::new(5) };
    /// assert_eq!(conflict.code(), "op_conflict");
    /// assert_eq!(ReserveError::Op(conflict).code(), "op_conflict");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            OpError::Conflict { .. } => "op_conflict",
            OpError::NotRemembered => "ops_not_remembered",
        }
    }
}

/// Why [`Engine::hold`](crate::Engine::hold) took no seat.
///
/// # Example
/// ```
/// use fairbook::{Config, Engine, HoldError, PersonId, SlotSpec, Timestamp};
/// let engine = Engine::new(Config::default())?;
/// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
/// let error = engine.hold(PersonId::new(1), &[slot], 60_000, Timestamp::ZERO).unwrap_err();
/// assert_eq!(error, HoldError::HoldsOff);
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum HoldError {
    /// See [`TimeWentBackwards`].
    TimeWentBackwards(TimeWentBackwards),
    /// See [`TimeTooFarAhead`].
    TimeTooFarAhead(TimeTooFarAhead),
    /// [`Config::holds_max`](crate::Config::holds_max) is 0: holds are off.
    HoldsOff,
    /// The time to live is 0 or above
    /// [`Config::hold_ttl_max_ms`](crate::Config::hold_ttl_max_ms).
    TtlOutOfRange {
        /// The ttl asked for, in milliseconds.
        given: u64,
        /// The longest allowed.
        max: u64,
    },
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
    /// The person never joined.
    UnknownPerson,
    /// The person is registered as a dependant: the person they are registered to books for
    /// them.
    Dependant {
        /// The place of the person they are registered to.
        holder: Seq,
    },
    /// The person is still waiting: a hold needs a live lease, as a booking does.
    NotAdmitted {
        /// Their place.
        seq: Seq,
        /// People still waiting ahead of them (a snapshot).
        ahead: u64,
    },
    /// The person's lease ran out.
    LeaseLapsed {
        /// When it ran out.
        at: Timestamp,
    },
    /// The person gave back their place.
    PlaceReleased,
    /// The person already has
    /// [`Config::holds_per_person_max`](crate::Config::holds_per_person_max) holds.
    HoldLimit {
        /// The limit.
        holds_max: u8,
    },
    /// The person's holds and bookings already fill
    /// [`Config::bookings_per_person_max`](crate::Config::bookings_per_person_max).
    BookingLimit {
        /// The limit.
        bookings_max: u8,
    },
    /// [`Config::holds_max`](crate::Config::holds_max) seats are held in the whole engine:
    /// try again when some are confirmed, cancelled or expired, or book directly.
    HoldsFull {
        /// The limit.
        holds_max: u32,
    },
    /// Every listed slot is full (or already held by this person).
    NoRoom {
        /// `true` if every slot in the engine is full, not just the listed ones.
        sold_out: bool,
    },
    /// See [`OpError`]. With `serde`, the [`OpError`]'s own object (its `"code"` is
    /// `"op_conflict"` or `"ops_not_remembered"`).
    #[cfg_attr(feature = "serde", serde(untagged))]
    Op(OpError),
}

impl fmt::Display for HoldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HoldError::TimeWentBackwards(error) => error.fmt(f),
            HoldError::TimeTooFarAhead(error) => error.fmt(f),
            HoldError::HoldsOff => write!(f, "holds are off (holds_max is 0)"),
            HoldError::TtlOutOfRange { given, max } => {
                write!(
                    f,
                    "a hold of {given} ms was asked for, but it must be 1 to {max} ms"
                )
            }
            HoldError::EmptyChoice => write!(f, "no slot was chosen"),
            HoldError::TooManyChoices { given, max } => {
                write!(f, "{given} slots were listed, but at most {max} may be")
            }
            HoldError::UnknownSlot { slot } => write!(f, "{slot} does not exist"),
            HoldError::UnknownPerson => write!(f, "the person has not joined the waiting room"),
            HoldError::Dependant { holder } => write_dependant(f, *holder),
            HoldError::NotAdmitted { seq, ahead } => write!(
                f,
                "place {seq} has not been admitted yet; {ahead} people are still ahead"
            ),
            HoldError::LeaseLapsed { at } => write!(f, "the lease to book ran out at {at}"),
            HoldError::PlaceReleased => write!(f, "the person gave back their place"),
            HoldError::HoldLimit { holds_max } => {
                write!(
                    f,
                    "the person already has {holds_max} holds, the most allowed"
                )
            }
            HoldError::BookingLimit { bookings_max } => write!(
                f,
                "the person's holds and bookings already fill all {bookings_max} allowed"
            ),
            HoldError::HoldsFull { holds_max } => {
                write!(f, "all {holds_max} holds of the engine are in use")
            }
            HoldError::NoRoom { sold_out: true } => write!(f, "every slot is fully booked"),
            HoldError::NoRoom { sold_out: false } => {
                write!(f, "every chosen slot is fully booked")
            }
            HoldError::Op(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for HoldError {}

impl HoldError {
    /// The stable machine code of the error: the variant's name in snake case
    /// (`"holds_off"`, ...); the time errors and [`HoldError::Op`] take the code of the error
    /// they carry.
    ///
    /// # Example
    /// ```
    /// use fairbook::HoldError;
    /// assert_eq!(HoldError::HoldsOff.code(), "holds_off");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            HoldError::TimeWentBackwards(error) => error.code(),
            HoldError::TimeTooFarAhead(error) => error.code(),
            HoldError::HoldsOff => "holds_off",
            HoldError::TtlOutOfRange { .. } => "ttl_out_of_range",
            HoldError::EmptyChoice => "empty_choice",
            HoldError::TooManyChoices { .. } => "too_many_choices",
            HoldError::UnknownSlot { .. } => "unknown_slot",
            HoldError::UnknownPerson => "unknown_person",
            HoldError::Dependant { .. } => "dependant",
            HoldError::NotAdmitted { .. } => "not_admitted",
            HoldError::LeaseLapsed { .. } => "lease_lapsed",
            HoldError::PlaceReleased => "place_released",
            HoldError::HoldLimit { .. } => "hold_limit",
            HoldError::BookingLimit { .. } => "booking_limit",
            HoldError::HoldsFull { .. } => "holds_full",
            HoldError::NoRoom { .. } => "no_room",
            HoldError::Op(error) => error.code(),
        }
    }
}

/// Why [`Engine::confirm`](crate::Engine::confirm) made no booking.
///
/// # Example
/// ```
/// use fairbook::{Config, ConfirmError, Engine, PersonId, SlotId, SlotSpec, Timestamp};
/// let engine = Engine::new(Config { holds_max: 10, standby_max: 0, ..Config::default() })?;
/// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
/// let error = engine.confirm(PersonId::new(1), slot, Timestamp::ZERO).unwrap_err();
/// assert_eq!(error, ConfirmError::UnknownPerson);
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum ConfirmError {
    /// See [`TimeWentBackwards`].
    TimeWentBackwards(TimeWentBackwards),
    /// See [`TimeTooFarAhead`].
    TimeTooFarAhead(TimeTooFarAhead),
    /// [`Config::holds_max`](crate::Config::holds_max) is 0: holds are off.
    HoldsOff,
    /// The slot does not exist.
    UnknownSlot {
        /// The slot named.
        slot: SlotId,
    },
    /// The person never joined.
    UnknownPerson,
    /// The person is registered as a dependant.
    Dependant {
        /// The place of the person they are registered to.
        holder: Seq,
    },
    /// The person holds no live hold of the slot: it expired (its seat went back to
    /// everyone), was cancelled, or never was. Hold again if there is room.
    NotHeld {
        /// The slot named.
        slot: SlotId,
    },
    /// See [`OpError`]. With `serde`, the [`OpError`]'s own object (its `"code"` is
    /// `"op_conflict"` or `"ops_not_remembered"`).
    #[cfg_attr(feature = "serde", serde(untagged))]
    Op(OpError),
}

impl fmt::Display for ConfirmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfirmError::TimeWentBackwards(error) => error.fmt(f),
            ConfirmError::TimeTooFarAhead(error) => error.fmt(f),
            ConfirmError::HoldsOff => write!(f, "holds are off (holds_max is 0)"),
            ConfirmError::UnknownSlot { slot } => write!(f, "{slot} does not exist"),
            ConfirmError::UnknownPerson => {
                write!(f, "the person has not joined the waiting room")
            }
            ConfirmError::Dependant { holder } => write_dependant(f, *holder),
            ConfirmError::NotHeld { slot } => {
                write!(f, "the person holds no live hold of {slot}")
            }
            ConfirmError::Op(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for ConfirmError {}

impl ConfirmError {
    /// The stable machine code of the error: the variant's name in snake case
    /// (`"holds_off"`, ...); the time errors and [`ConfirmError::Op`] take the code of the error
    /// they carry.
    ///
    /// # Example
    /// ```
    /// use fairbook::ConfirmError;
    /// assert_eq!(ConfirmError::HoldsOff.code(), "holds_off");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            ConfirmError::TimeWentBackwards(error) => error.code(),
            ConfirmError::TimeTooFarAhead(error) => error.code(),
            ConfirmError::HoldsOff => "holds_off",
            ConfirmError::UnknownSlot { .. } => "unknown_slot",
            ConfirmError::UnknownPerson => "unknown_person",
            ConfirmError::Dependant { .. } => "dependant",
            ConfirmError::NotHeld { .. } => "not_held",
            ConfirmError::Op(error) => error.code(),
        }
    }
}

/// Why [`Engine::cancel`](crate::Engine::cancel) gave nothing back.
///
/// # Example
/// ```
/// use fairbook::{CancelError, Config, Engine, PersonId, SlotId, Timestamp};
/// let engine = Engine::new(Config { holds_max: 10, standby_max: 0, ..Config::default() })?;
/// let error = engine.cancel(PersonId::new(1), SlotId::new(0), Timestamp::ZERO).unwrap_err();
/// assert_eq!(error, CancelError::UnknownSlot { slot: SlotId::new(0) });
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum CancelError {
    /// See [`TimeWentBackwards`].
    TimeWentBackwards(TimeWentBackwards),
    /// See [`TimeTooFarAhead`].
    TimeTooFarAhead(TimeTooFarAhead),
    /// [`Config::holds_max`](crate::Config::holds_max) is 0: holds are off.
    HoldsOff,
    /// The slot does not exist.
    UnknownSlot {
        /// The slot named.
        slot: SlotId,
    },
    /// The person never joined.
    UnknownPerson,
    /// The person is registered as a dependant.
    Dependant {
        /// The place of the person they are registered to.
        holder: Seq,
    },
    /// The person holds no live hold of the slot (it expired, was confirmed or cancelled, or
    /// never was).
    NotHeld {
        /// The slot named.
        slot: SlotId,
    },
    /// See [`OpError`]. With `serde`, the [`OpError`]'s own object (its `"code"` is
    /// `"op_conflict"` or `"ops_not_remembered"`).
    #[cfg_attr(feature = "serde", serde(untagged))]
    Op(OpError),
}

impl fmt::Display for CancelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CancelError::TimeWentBackwards(error) => error.fmt(f),
            CancelError::TimeTooFarAhead(error) => error.fmt(f),
            CancelError::HoldsOff => write!(f, "holds are off (holds_max is 0)"),
            CancelError::UnknownSlot { slot } => write!(f, "{slot} does not exist"),
            CancelError::UnknownPerson => write!(f, "the person has not joined the waiting room"),
            CancelError::Dependant { holder } => write_dependant(f, *holder),
            CancelError::NotHeld { slot } => {
                write!(f, "the person holds no live hold of {slot}")
            }
            CancelError::Op(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for CancelError {}

impl CancelError {
    /// The stable machine code of the error: the variant's name in snake case
    /// (`"holds_off"`, ...); the time errors and [`CancelError::Op`] take the code of the error
    /// they carry.
    ///
    /// # Example
    /// ```
    /// use fairbook::CancelError;
    /// assert_eq!(CancelError::HoldsOff.code(), "holds_off");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            CancelError::TimeWentBackwards(error) => error.code(),
            CancelError::TimeTooFarAhead(error) => error.code(),
            CancelError::HoldsOff => "holds_off",
            CancelError::UnknownSlot { .. } => "unknown_slot",
            CancelError::UnknownPerson => "unknown_person",
            CancelError::Dependant { .. } => "dependant",
            CancelError::NotHeld { .. } => "not_held",
            CancelError::Op(error) => error.code(),
        }
    }
}

/// Why [`Engine::rebook`](crate::Engine::rebook) moved nothing. The person keeps the booking
/// they had whatever the error.
///
/// # Example
/// ```
/// use fairbook::{Config, Engine, PersonId, RebookError, SlotSpec, Timestamp};
/// let engine = Engine::new(Config::default())?;
/// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
/// let error = engine.rebook(PersonId::new(1), slot, &[], Timestamp::ZERO).unwrap_err();
/// assert_eq!(error, RebookError::EmptyChoice);
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum RebookError {
    /// See [`TimeWentBackwards`].
    TimeWentBackwards(TimeWentBackwards),
    /// See [`TimeTooFarAhead`].
    TimeTooFarAhead(TimeTooFarAhead),
    /// The choice list is empty.
    EmptyChoice,
    /// The choice list is longer than [`Config::choices_max`](crate::Config::choices_max).
    TooManyChoices {
        /// How many were given.
        given: usize,
        /// The most allowed.
        max: usize,
    },
    /// A listed slot, or the slot to move from, does not exist.
    UnknownSlot {
        /// The first unknown slot: the one to move from, then the list.
        slot: SlotId,
    },
    /// The person never joined.
    UnknownPerson,
    /// The person is registered as a dependant.
    Dependant {
        /// The place of the person they are registered to.
        holder: Seq,
    },
    /// The person is still waiting.
    NotAdmitted {
        /// Their place.
        seq: Seq,
        /// People still waiting ahead of them (a snapshot).
        ahead: u64,
    },
    /// The person's lease ran out: a new seat needs a live lease, so the booking stays.
    LeaseLapsed {
        /// When it ran out.
        at: Timestamp,
    },
    /// The person gave back their place.
    PlaceReleased,
    /// The person holds no booking of the slot to move from (a hold is confirmed or
    /// cancelled, not moved).
    NotBooked {
        /// The slot named.
        slot: SlotId,
    },
    /// The booking is a leg of a dose series, which moves only as a pair: release it and
    /// book another series.
    SeriesLeg {
        /// The slot named.
        slot: SlotId,
    },
    /// Every listed slot is full (or already held by this person). The old booking stays.
    NoRoom {
        /// `true` if every slot in the engine is full, not just the listed ones.
        sold_out: bool,
    },
    /// A listed slot is outside the scope the person joined with, as for
    /// [`ReserveError::OutOfScope`](crate::ReserveError::OutOfScope). The old booking stays.
    OutOfScope {
        /// The first such slot in the list.
        slot: SlotId,
        /// The person's scope.
        scope: Scope,
    },
    /// See [`OpError`]. With `serde`, the [`OpError`]'s own object (its `"code"` is
    /// `"op_conflict"` or `"ops_not_remembered"`).
    #[cfg_attr(feature = "serde", serde(untagged))]
    Op(OpError),
}

impl fmt::Display for RebookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RebookError::TimeWentBackwards(error) => error.fmt(f),
            RebookError::TimeTooFarAhead(error) => error.fmt(f),
            RebookError::EmptyChoice => write!(f, "no slot was chosen"),
            RebookError::TooManyChoices { given, max } => {
                write!(f, "{given} slots were listed, but at most {max} may be")
            }
            RebookError::UnknownSlot { slot } => write!(f, "{slot} does not exist"),
            RebookError::UnknownPerson => write!(f, "the person has not joined the waiting room"),
            RebookError::Dependant { holder } => write_dependant(f, *holder),
            RebookError::NotAdmitted { seq, ahead } => write!(
                f,
                "place {seq} has not been admitted yet; {ahead} people are still ahead"
            ),
            RebookError::LeaseLapsed { at } => write!(f, "the lease to book ran out at {at}"),
            RebookError::PlaceReleased => write!(f, "the person gave back their place"),
            RebookError::NotBooked { slot } => {
                write!(f, "the person holds no booking of {slot}")
            }
            RebookError::SeriesLeg { slot } => {
                write!(
                    f,
                    "the booking of {slot} is a leg of a series, which moves only as a pair"
                )
            }
            RebookError::NoRoom { sold_out: true } => write!(f, "every slot is fully booked"),
            RebookError::NoRoom { sold_out: false } => {
                write!(f, "every chosen slot is fully booked")
            }
            RebookError::OutOfScope { slot, scope } => {
                write!(
                    f,
                    "slot {slot} is outside {scope}, where the person may book"
                )
            }
            RebookError::Op(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for RebookError {}

impl RebookError {
    /// The stable machine code of the error: the variant's name in snake case
    /// (`"empty_choice"`, ...); the time errors and [`RebookError::Op`] take the code of the error
    /// they carry.
    ///
    /// # Example
    /// ```
    /// use fairbook::RebookError;
    /// assert_eq!(RebookError::EmptyChoice.code(), "empty_choice");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            RebookError::TimeWentBackwards(error) => error.code(),
            RebookError::TimeTooFarAhead(error) => error.code(),
            RebookError::EmptyChoice => "empty_choice",
            RebookError::TooManyChoices { .. } => "too_many_choices",
            RebookError::UnknownSlot { .. } => "unknown_slot",
            RebookError::UnknownPerson => "unknown_person",
            RebookError::Dependant { .. } => "dependant",
            RebookError::NotAdmitted { .. } => "not_admitted",
            RebookError::LeaseLapsed { .. } => "lease_lapsed",
            RebookError::PlaceReleased => "place_released",
            RebookError::NotBooked { .. } => "not_booked",
            RebookError::SeriesLeg { .. } => "series_leg",
            RebookError::NoRoom { .. } => "no_room",
            RebookError::OutOfScope { .. } => "out_of_scope",
            RebookError::Op(error) => error.code(),
        }
    }
}

/// Why [`Engine::book_series`](crate::Engine::book_series) booked neither leg.
///
/// # Example
/// ```
/// use fairbook::{Config, Engine, PersonId, SeriesError, SlotId, Timestamp};
/// let engine = Engine::new(Config::default())?;
/// let pair = (SlotId::new(0), SlotId::new(1));
/// let error = engine.book_series(PersonId::new(1), &[pair], Timestamp::ZERO).unwrap_err();
/// assert_eq!(error, SeriesError::SeriesOff);
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum SeriesError {
    /// See [`TimeWentBackwards`].
    TimeWentBackwards(TimeWentBackwards),
    /// See [`TimeTooFarAhead`].
    TimeTooFarAhead(TimeTooFarAhead),
    /// [`Config::series_gap_days_max`](crate::Config::series_gap_days_max) is 0: series are
    /// off.
    SeriesOff,
    /// The list of pairs is empty.
    EmptyChoice,
    /// The list of pairs is longer than
    /// [`Config::choices_max`](crate::Config::choices_max).
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
    /// The legs of a pair are at different sites.
    NotSameSite {
        /// The pair's position in the list.
        index: usize,
    },
    /// The days between the legs of a pair are outside the configured gap.
    GapOutOfRange {
        /// The pair's position in the list.
        index: usize,
        /// Leg 2's day minus leg 1's.
        gap_days: i32,
        /// [`Config::series_gap_days_min`](crate::Config::series_gap_days_min).
        min: u16,
        /// [`Config::series_gap_days_max`](crate::Config::series_gap_days_max).
        max: u16,
    },
    /// The person never joined.
    UnknownPerson,
    /// The person is registered as a dependant.
    Dependant {
        /// The place of the person they are registered to.
        holder: Seq,
    },
    /// The person is still waiting.
    NotAdmitted {
        /// Their place.
        seq: Seq,
        /// People still waiting ahead of them (a snapshot).
        ahead: u64,
    },
    /// The person's lease ran out.
    LeaseLapsed {
        /// When it ran out.
        at: Timestamp,
    },
    /// The person gave back their place.
    PlaceReleased,
    /// The person already holds a series (one per person): release a leg to give it back.
    AlreadyInSeries,
    /// Two more bookings would pass
    /// [`Config::bookings_per_person_max`](crate::Config::bookings_per_person_max).
    BookingLimit {
        /// The limit.
        bookings_max: u8,
    },
    /// No listed pair has room in both legs (or the person holds one of its slots).
    NoRoom {
        /// `true` if every slot in the engine is full.
        sold_out: bool,
    },
    /// See [`OpError`]. With `serde`, the [`OpError`]'s own object (its `"code"` is
    /// `"op_conflict"` or `"ops_not_remembered"`).
    #[cfg_attr(feature = "serde", serde(untagged))]
    Op(OpError),
}

impl fmt::Display for SeriesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SeriesError::TimeWentBackwards(error) => error.fmt(f),
            SeriesError::TimeTooFarAhead(error) => error.fmt(f),
            SeriesError::SeriesOff => write!(f, "series are off (series_gap_days_max is 0)"),
            SeriesError::EmptyChoice => write!(f, "no pair of slots was chosen"),
            SeriesError::TooManyChoices { given, max } => {
                write!(f, "{given} pairs were listed, but at most {max} may be")
            }
            SeriesError::UnknownSlot { slot } => write!(f, "{slot} does not exist"),
            SeriesError::NotSameSite { index } => {
                write!(f, "the legs of pair {index} are at different sites")
            }
            SeriesError::GapOutOfRange {
                index,
                gap_days,
                min,
                max,
            } => write!(
                f,
                "the legs of pair {index} are {gap_days} days apart, but must be {min} to {max}"
            ),
            SeriesError::UnknownPerson => write!(f, "the person has not joined the waiting room"),
            SeriesError::Dependant { holder } => write_dependant(f, *holder),
            SeriesError::NotAdmitted { seq, ahead } => write!(
                f,
                "place {seq} has not been admitted yet; {ahead} people are still ahead"
            ),
            SeriesError::LeaseLapsed { at } => write!(f, "the lease to book ran out at {at}"),
            SeriesError::PlaceReleased => write!(f, "the person gave back their place"),
            SeriesError::AlreadyInSeries => write!(f, "the person already holds a series"),
            SeriesError::BookingLimit { bookings_max } => write!(
                f,
                "two more bookings would pass the {bookings_max} a person may hold"
            ),
            SeriesError::NoRoom { sold_out: true } => write!(f, "every slot is fully booked"),
            SeriesError::NoRoom { sold_out: false } => {
                write!(f, "no chosen pair has room in both legs")
            }
            SeriesError::Op(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for SeriesError {}

impl SeriesError {
    /// The stable machine code of the error: the variant's name in snake case
    /// (`"series_off"`, ...); the time errors and [`SeriesError::Op`] take the code of the error
    /// they carry.
    ///
    /// # Example
    /// ```
    /// use fairbook::SeriesError;
    /// assert_eq!(SeriesError::SeriesOff.code(), "series_off");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            SeriesError::TimeWentBackwards(error) => error.code(),
            SeriesError::TimeTooFarAhead(error) => error.code(),
            SeriesError::SeriesOff => "series_off",
            SeriesError::EmptyChoice => "empty_choice",
            SeriesError::TooManyChoices { .. } => "too_many_choices",
            SeriesError::UnknownSlot { .. } => "unknown_slot",
            SeriesError::NotSameSite { .. } => "not_same_site",
            SeriesError::GapOutOfRange { .. } => "gap_out_of_range",
            SeriesError::UnknownPerson => "unknown_person",
            SeriesError::Dependant { .. } => "dependant",
            SeriesError::NotAdmitted { .. } => "not_admitted",
            SeriesError::LeaseLapsed { .. } => "lease_lapsed",
            SeriesError::PlaceReleased => "place_released",
            SeriesError::AlreadyInSeries => "already_in_series",
            SeriesError::BookingLimit { .. } => "booking_limit",
            SeriesError::NoRoom { .. } => "no_room",
            SeriesError::Op(error) => error.code(),
        }
    }
}

/// Why [`Engine::register_dependant`](crate::Engine::register_dependant) registered nobody.
///
/// # Example
/// ```
/// use fairbook::{Config, Engine, PersonId, RegisterError, Timestamp};
/// let engine = Engine::new(Config::default())?;
/// let error = engine
///     .register_dependant(PersonId::new(1), PersonId::new(2), Timestamp::ZERO)
///     .unwrap_err();
/// assert_eq!(error, RegisterError::GroupsOff);
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum RegisterError {
    /// See [`TimeWentBackwards`].
    TimeWentBackwards(TimeWentBackwards),
    /// See [`TimeTooFarAhead`].
    TimeTooFarAhead(TimeTooFarAhead),
    /// [`Config::dependants_per_person_max`](crate::Config::dependants_per_person_max) is 0:
    /// groups are off.
    GroupsOff,
    /// The dependant's id is [`PersonId::RESERVED`] or the holder's own.
    InvalidDependant {
        /// The id given.
        dependant: PersonId,
    },
    /// The holder never joined.
    UnknownPerson,
    /// The holder is a dependant themself: a group has one holder.
    Dependant {
        /// The place of the person the holder is registered to.
        holder: Seq,
    },
    /// The holder's lease ran out holding nothing.
    LeaseLapsed {
        /// When it ran out.
        at: Timestamp,
    },
    /// The holder gave back their place.
    PlaceReleased,
    /// The holder already has
    /// [`Config::dependants_per_person_max`](crate::Config::dependants_per_person_max)
    /// dependants.
    DependantLimit {
        /// The limit.
        dependants_max: u8,
    },
    /// [`Config::groups_max`](crate::Config::groups_max) people have registered dependants.
    GroupsFull {
        /// The limit.
        groups_max: u32,
    },
    /// The holder's group is booked: register everyone first, then book.
    GroupBooked,
    /// The dependant already holds a place of their own, or is registered to someone (one
    /// person, one place).
    HasPlace {
        /// The dependant.
        dependant: PersonId,
    },
    /// The dependant's id collides with too many others in the waiting room's table (see
    /// [`EnqueueError::Crowded`](crate::EnqueueError::Crowded)).
    Crowded,
    /// See [`OpError`]. With `serde`, the [`OpError`]'s own object (its `"code"` is
    /// `"op_conflict"` or `"ops_not_remembered"`).
    #[cfg_attr(feature = "serde", serde(untagged))]
    Op(OpError),
}

impl fmt::Display for RegisterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegisterError::TimeWentBackwards(error) => error.fmt(f),
            RegisterError::TimeTooFarAhead(error) => error.fmt(f),
            RegisterError::GroupsOff => {
                write!(f, "groups are off (dependants_per_person_max is 0)")
            }
            RegisterError::InvalidDependant { dependant } => {
                write!(
                    f,
                    "{dependant} cannot be registered as a dependant of this holder"
                )
            }
            RegisterError::UnknownPerson => {
                write!(f, "the holder has not joined the waiting room")
            }
            RegisterError::Dependant { holder } => write_dependant(f, *holder),
            RegisterError::LeaseLapsed { at } => {
                write!(f, "the holder's lease ran out at {at}")
            }
            RegisterError::PlaceReleased => write!(f, "the holder gave back their place"),
            RegisterError::DependantLimit { dependants_max } => write!(
                f,
                "the holder already has {dependants_max} dependants, the most allowed"
            ),
            RegisterError::GroupsFull { groups_max } => {
                write!(f, "all {groups_max} groups of the engine are in use")
            }
            RegisterError::GroupBooked => {
                write!(f, "the holder's group is booked; register before booking")
            }
            RegisterError::HasPlace { dependant } => {
                write!(f, "{dependant} already holds a place or is registered")
            }
            RegisterError::Crowded => write!(
                f,
                "the dependant's id collides with too many others in the waiting room's table"
            ),
            RegisterError::Op(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for RegisterError {}

impl RegisterError {
    /// The stable machine code of the error: the variant's name in snake case
    /// (`"groups_off"`, ...); the time errors and [`RegisterError::Op`] take the code of the error
    /// they carry.
    ///
    /// # Example
    /// ```
    /// use fairbook::RegisterError;
    /// assert_eq!(RegisterError::GroupsOff.code(), "groups_off");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            RegisterError::TimeWentBackwards(error) => error.code(),
            RegisterError::TimeTooFarAhead(error) => error.code(),
            RegisterError::GroupsOff => "groups_off",
            RegisterError::InvalidDependant { .. } => "invalid_dependant",
            RegisterError::UnknownPerson => "unknown_person",
            RegisterError::Dependant { .. } => "dependant",
            RegisterError::LeaseLapsed { .. } => "lease_lapsed",
            RegisterError::PlaceReleased => "place_released",
            RegisterError::DependantLimit { .. } => "dependant_limit",
            RegisterError::GroupsFull { .. } => "groups_full",
            RegisterError::GroupBooked => "group_booked",
            RegisterError::HasPlace { .. } => "has_place",
            RegisterError::Crowded => "crowded",
            RegisterError::Op(error) => error.code(),
        }
    }
}

/// Why [`Engine::book_group`](crate::Engine::book_group) booked nobody.
///
/// # Example
/// ```
/// use fairbook::{Config, Engine, GroupError, PersonId, Timestamp};
/// let engine = Engine::new(Config::default())?;
/// let error = engine.book_group(PersonId::new(1), &[], Timestamp::ZERO).unwrap_err();
/// assert_eq!(error, GroupError::GroupsOff);
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
pub enum GroupError {
    /// See [`TimeWentBackwards`].
    TimeWentBackwards(TimeWentBackwards),
    /// See [`TimeTooFarAhead`].
    TimeTooFarAhead(TimeTooFarAhead),
    /// [`Config::dependants_per_person_max`](crate::Config::dependants_per_person_max) is 0:
    /// groups are off.
    GroupsOff,
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
    /// The holder never joined.
    UnknownPerson,
    /// The holder is a dependant themself.
    Dependant {
        /// The place of the person the holder is registered to.
        holder: Seq,
    },
    /// The holder is still waiting.
    NotAdmitted {
        /// Their place.
        seq: Seq,
        /// People still waiting ahead of them (a snapshot).
        ahead: u64,
    },
    /// The holder's lease ran out.
    LeaseLapsed {
        /// When it ran out.
        at: Timestamp,
    },
    /// The holder gave back their place.
    PlaceReleased,
    /// The group's dependants are booked already, and not together with the holder in one of
    /// the listed slots (which a retry would find).
    AlreadyBooked,
    /// The holder's holds and bookings already fill
    /// [`Config::bookings_per_person_max`](crate::Config::bookings_per_person_max).
    BookingLimit {
        /// The limit.
        bookings_max: u8,
    },
    /// No listed slot has a seat for every member (or the holder holds it already).
    NoRoom {
        /// `true` if every slot in the engine is full.
        sold_out: bool,
    },
    /// See [`OpError`]. With `serde`, the [`OpError`]'s own object (its `"code"` is
    /// `"op_conflict"` or `"ops_not_remembered"`).
    #[cfg_attr(feature = "serde", serde(untagged))]
    Op(OpError),
}

impl fmt::Display for GroupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupError::TimeWentBackwards(error) => error.fmt(f),
            GroupError::TimeTooFarAhead(error) => error.fmt(f),
            GroupError::GroupsOff => write!(f, "groups are off (dependants_per_person_max is 0)"),
            GroupError::EmptyChoice => write!(f, "no slot was chosen"),
            GroupError::TooManyChoices { given, max } => {
                write!(f, "{given} slots were listed, but at most {max} may be")
            }
            GroupError::UnknownSlot { slot } => write!(f, "{slot} does not exist"),
            GroupError::UnknownPerson => write!(f, "the holder has not joined the waiting room"),
            GroupError::Dependant { holder } => write_dependant(f, *holder),
            GroupError::NotAdmitted { seq, ahead } => write!(
                f,
                "place {seq} has not been admitted yet; {ahead} people are still ahead"
            ),
            GroupError::LeaseLapsed { at } => write!(f, "the lease to book ran out at {at}"),
            GroupError::PlaceReleased => write!(f, "the holder gave back their place"),
            GroupError::AlreadyBooked => write!(f, "the group's dependants are booked already"),
            GroupError::BookingLimit { bookings_max } => write!(
                f,
                "the holder's holds and bookings already fill all {bookings_max} allowed"
            ),
            GroupError::NoRoom { sold_out: true } => write!(f, "every slot is fully booked"),
            GroupError::NoRoom { sold_out: false } => {
                write!(f, "no chosen slot has a seat for every member")
            }
            GroupError::Op(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for GroupError {}

impl GroupError {
    /// The stable machine code of the error: the variant's name in snake case
    /// (`"groups_off"`, ...); the time errors and [`GroupError::Op`] take the code of the error
    /// they carry.
    ///
    /// # Example
    /// ```
    /// use fairbook::GroupError;
    /// assert_eq!(GroupError::GroupsOff.code(), "groups_off");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            GroupError::TimeWentBackwards(error) => error.code(),
            GroupError::TimeTooFarAhead(error) => error.code(),
            GroupError::GroupsOff => "groups_off",
            GroupError::EmptyChoice => "empty_choice",
            GroupError::TooManyChoices { .. } => "too_many_choices",
            GroupError::UnknownSlot { .. } => "unknown_slot",
            GroupError::UnknownPerson => "unknown_person",
            GroupError::Dependant { .. } => "dependant",
            GroupError::NotAdmitted { .. } => "not_admitted",
            GroupError::LeaseLapsed { .. } => "lease_lapsed",
            GroupError::PlaceReleased => "place_released",
            GroupError::AlreadyBooked => "already_booked",
            GroupError::BookingLimit { .. } => "booking_limit",
            GroupError::NoRoom { .. } => "no_room",
            GroupError::Op(error) => error.code(),
        }
    }
}

fn write_dependant(f: &mut fmt::Formatter<'_>, holder: Seq) -> fmt::Result {
    write!(
        f,
        "the person is a dependant of place {holder}, whose holder books for them"
    )
}

macro_rules! from_time_and_op {
    ($($error:ident),*) => {$(
        impl From<TimeWentBackwards> for $error {
            fn from(error: TimeWentBackwards) -> $error {
                $error::TimeWentBackwards(error)
            }
        }

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

        impl From<OpError> for $error {
            fn from(error: OpError) -> $error {
                $error::Op(error)
            }
        }
    )*};
}

from_time_and_op!(
    HoldError,
    ConfirmError,
    CancelError,
    RebookError,
    SeriesError,
    RegisterError,
    GroupError
);
