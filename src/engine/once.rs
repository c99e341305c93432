//! [`Once`]: every mutating person verb, made retry-safe by a client operation id
//! ([`OpId`]), as Stripe's idempotency keys and TigerBeetle's transfer ids make theirs.
//!
//! A call through [`Engine::once`] first looks its id up in the table of remembered
//! operations (`idempotency.rs`). The first call with an id runs the verb; if it succeeds, its
//! answer is stored with a digest of the call (the verb, the person and every argument except
//! `now`, which a retry changes by nature), and journaled. A retry with the same id and the
//! same arguments gets the stored answer back and changes nothing; the same id with other
//! arguments is [`OpError::Conflict`]. A call that fails is not remembered: it changed
//! nothing, so its retry simply runs again (and may succeed, as a booking that found no room
//! may find some later).
//!
//! The digest is 64 bits: two different calls with the same id are told apart unless their
//! digests collide, about one chance in 2⁶⁴.
//!
//! # How long an answer is remembered
//!
//! [`Config::ops_remembered_max`](crate::Config::ops_remembered_max) answers, in buckets of 8
//! chosen by a hash of the id: each new answer pushes out the oldest of its bucket once the
//! bucket is full. Every id is remembered until at least 8 newer answers land in its bucket;
//! a table of `n` entries keeps, in the steady state, about the latest `n` answers. Size it
//! for the retries a client may send: a table of 1,048,576 (about 120 MB) remembers about the
//! last minute of a service that answers 17,000 operations a second. An id pushed out is
//! forgotten: its retry runs again, where the verbs' own retry rules apply (a repeated
//! `reserve` of a slot the person holds returns that booking, a repeated `hold` of a slot
//! held returns that hold, a repeated `confirm` returns the booking).
//!
//! # After a restart
//!
//! Answers are journaled ([`Record::Answered`](crate::Record::Answered)) and kept in
//! snapshots, so a recovered engine remembers what the crashed one did, in the same buckets.
//! The answer's record comes after the records of the operation's changes: a crash between
//! the two keeps the changes and forgets the answer, but the operation was never
//! acknowledged (a service answers only once the call's records are durable), and its retry
//! runs again under the verbs' own retry rules.

use super::Engine;
use super::idempotency::Begun;
use crate::error::{
    CancelError, ConfirmError, EnqueueError, GroupError, HoldError, OpError, RebookError,
    RegisterError, ReleaseError, ReserveError, SeriesError,
};
use crate::ids::{CohortId, OpId, PersonId, SlotId};
use crate::record::OpAnswer;
use crate::status::{Booking, GroupBooking, Hold, Place, Registered, Released, SeriesBooking};
use crate::time::Timestamp;

/// The verbs of [`Engine`] with a client operation id: see [`Engine::once`].
///
/// # Example: a retried reserve books once
/// ```
/// use fairbook::{CohortId, Config, Engine, OpId, PersonId, SlotSpec, Timestamp};
/// let engine = Engine::new(Config { bookings_per_person_max: 2, ops_remembered_max: 1_024, ..Config::default() })?;
/// let (first, second) = (
///     engine.add_slot(SlotSpec::with_capacity(1)).unwrap(),
///     engine.add_slot(SlotSpec::with_capacity(1)).unwrap(),
/// );
/// let (person, now) = (PersonId::new(1), Timestamp::from_secs(1));
/// engine.enqueue(person, CohortId::new(0), now).unwrap();
/// engine.advance(now, 1).unwrap();
/// let op = OpId::new(0xC0FFEE); // from the client's request
/// let booked = engine.once(op).reserve(person, &[first, second], now).unwrap();
/// // The answer was lost on the way; the client sends the same request again.
/// let again = engine.once(op).reserve(person, &[first, second], now.plus_millis(900)).unwrap();
/// assert_eq!(booked, again);
/// assert_eq!(engine.slot(second).unwrap().booked, 0, "booked once, not twice");
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Once<'e> {
    engine: &'e Engine,
    op: OpId,
}

/// The kinds of call, the first word of a digest.
#[derive(Clone, Copy)]
#[repr(u64)]
enum Kind {
    Enqueue = 1,
    Reserve,
    Release,
    ReleaseBooking,
    Hold,
    Confirm,
    Cancel,
    Rebook,
    Series,
    Register,
    Group,
}

/// A 64-bit digest of a call: each word folded in with a multiply-xorshift round
/// (SplitMix64's finaliser after an xor), the same in every process.
struct Digest(u64);

impl Digest {
    fn new(kind: Kind, person: PersonId) -> Digest {
        Digest(0).word(kind as u64).word(person.as_u64())
    }

    fn word(self, word: u64) -> Digest {
        let mut z = (self.0 ^ word).wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Digest(z ^ (z >> 31))
    }

    fn slot(self, slot: SlotId) -> Digest {
        self.word(u64::from(slot.as_u32()))
    }

    /// A list: its length, then its items, so that `[a, b]` and `[a], [b]` differ.
    fn slots(self, slots: &[SlotId]) -> Digest {
        slots
            .iter()
            .fold(self.word(slots.len() as u64), |digest, &slot| {
                digest.slot(slot)
            })
    }
}

impl Engine {
    /// The mutating verbs, made retry-safe by the client's operation id `op` (see [`Once`]):
    /// the first successful call with an id is remembered, a retry with the same arguments
    /// gets its answer back, and the same id with other arguments is
    /// [`OpError::Conflict`]. Needs
    /// [`Config::ops_remembered_max`](crate::Config::ops_remembered_max) above 0.
    ///
    /// **Locking behaviour:** the id's bucket of the table is locked for a few loads and
    /// stores before and after the verb, never while it runs; a concurrent call with the same
    /// id and arguments waits for the first to end and gets its answer.
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, OpError, OpId, PersonId, ReleaseError, Timestamp};
    /// let engine = Engine::new(Config { ops_remembered_max: 1_024, ..Config::default() })?;
    /// let (person, now) = (PersonId::new(1), Timestamp::from_secs(1));
    /// engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// let op = OpId::new(77);
    /// let released = engine.once(op).release(person, now).unwrap();
    /// // Retried: the same answer, not `NothingToRelease`.
    /// assert_eq!(engine.once(op).release(person, now), Ok(released));
    /// // The same id for another call is refused, and changes nothing.
    /// assert_eq!(engine.once(op).release(PersonId::new(2), now), Err(ReleaseError::Op(OpError::Conflict { op })));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn once(&self, op: OpId) -> Once<'_> {
        Once { engine: self, op }
    }
}

impl Once<'_> {
    /// Runs `call` once for this id: see the module docs.
    fn run<T: Copy, E: From<OpError>>(
        &self,
        digest: Digest,
        wrap: fn(T) -> OpAnswer,
        unwrap: fn(OpAnswer) -> Option<T>,
        call: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        let table = &self.engine.ops;
        if !table.is_on() {
            return Err(OpError::NotRemembered.into());
        }
        let conflict = OpError::Conflict { op: self.op };
        match table.begin(self.op.as_u64(), digest.0) {
            Begun::Conflict => Err(conflict.into()),
            Begun::Answered(answer) => unwrap(answer).ok_or(conflict.into()),
            Begun::Run(running) => {
                let result = call();
                if let Ok(value) = &result {
                    running.answer(wrap(*value), &self.engine.recorder);
                }
                result
            }
        }
    }

    /// [`Engine::enqueue`], retry-safe.
    ///
    /// # Errors
    /// As [`Engine::enqueue`], and [`EnqueueError::Op`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, OpId, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config { ops_remembered_max: 64, ..Config::default() })?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// let (person, now, op) = (PersonId::new(1), Timestamp::from_secs(1), OpId::new(7));
    /// let first = engine.once(op).enqueue(person, CohortId::new(0), now).unwrap();
    /// assert!(first.is_new);
    /// // The retry gets the first answer, `is_new` included.
    /// assert_eq!(engine.once(op).enqueue(person, CohortId::new(0), now), Ok(first));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn enqueue(
        &self,
        person: PersonId,
        cohort: CohortId,
        now: Timestamp,
    ) -> Result<Place, EnqueueError> {
        let digest = Digest::new(Kind::Enqueue, person).word(u64::from(cohort.as_u16()));
        self.run(digest, OpAnswer::Place, place, || {
            self.engine.enqueue(person, cohort, now)
        })
    }

    /// [`Engine::reserve`], retry-safe.
    ///
    /// # Errors
    /// As [`Engine::reserve`], and [`ReserveError::Op`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, OpId, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config { ops_remembered_max: 64, ..Config::default() })?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// let (person, now, op) = (PersonId::new(1), Timestamp::from_secs(1), OpId::new(7));
    /// engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// engine.advance(now, 1).unwrap();
    /// let booked = engine.once(op).reserve(person, &[slot], now).unwrap();
    /// assert_eq!(engine.once(op).reserve(person, &[slot], now), Ok(booked));
    /// assert_eq!(engine.slot(slot).unwrap().booked, 1);
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn reserve(
        &self,
        person: PersonId,
        choices: &[SlotId],
        now: Timestamp,
    ) -> Result<Booking, ReserveError> {
        let digest = Digest::new(Kind::Reserve, person).slots(choices);
        self.run(digest, OpAnswer::Booking, booking, || {
            self.engine.reserve(person, choices, now)
        })
    }

    /// [`Engine::release`], retry-safe.
    ///
    /// # Errors
    /// As [`Engine::release`], and [`ReleaseError::Op`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, OpId, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config { ops_remembered_max: 64, ..Config::default() })?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// let (person, now, op) = (PersonId::new(1), Timestamp::from_secs(1), OpId::new(7));
    /// engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// engine.advance(now, 1).unwrap();
    /// engine.reserve(person, &[slot], now).unwrap();
    /// let released = engine.once(op).release(person, now).unwrap();
    /// assert_eq!(engine.once(op).release(person, now), Ok(released));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn release(&self, person: PersonId, now: Timestamp) -> Result<Released, ReleaseError> {
        let digest = Digest::new(Kind::Release, person);
        self.run(digest, OpAnswer::Released, released, || {
            self.engine.release(person, now)
        })
    }

    /// [`Engine::release_booking`], retry-safe.
    ///
    /// # Errors
    /// As [`Engine::release_booking`], and [`ReleaseError::Op`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, OpId, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config { ops_remembered_max: 64, ..Config::default() })?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// let (person, now, op) = (PersonId::new(1), Timestamp::from_secs(1), OpId::new(7));
    /// engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// engine.advance(now, 1).unwrap();
    /// engine.reserve(person, &[slot], now).unwrap();
    /// let released = engine.once(op).release_booking(person, slot, now).unwrap();
    /// assert_eq!(engine.once(op).release_booking(person, slot, now), Ok(released));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn release_booking(
        &self,
        person: PersonId,
        slot: SlotId,
        now: Timestamp,
    ) -> Result<Released, ReleaseError> {
        let digest = Digest::new(Kind::ReleaseBooking, person).slot(slot);
        self.run(digest, OpAnswer::Released, released, || {
            self.engine.release_booking(person, slot, now)
        })
    }

    /// [`Engine::hold`], retry-safe.
    ///
    /// # Errors
    /// As [`Engine::hold`], and [`HoldError::Op`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, OpId, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config { ops_remembered_max: 64, holds_max: 10, standby_max: 0, ..Config::default() })?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// let (person, now, op) = (PersonId::new(1), Timestamp::from_secs(1), OpId::new(7));
    /// engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// engine.advance(now, 1).unwrap();
    /// let hold = engine.once(op).hold(person, &[slot], 30_000, now).unwrap();
    /// assert_eq!(engine.once(op).hold(person, &[slot], 30_000, now.plus_millis(500)), Ok(hold));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn hold(
        &self,
        person: PersonId,
        choices: &[SlotId],
        ttl_ms: u64,
        now: Timestamp,
    ) -> Result<Hold, HoldError> {
        let digest = Digest::new(Kind::Hold, person).slots(choices).word(ttl_ms);
        self.run(
            digest,
            OpAnswer::Hold,
            |answer| match answer {
                OpAnswer::Hold(hold) => Some(hold),
                _ => None,
            },
            || self.engine.hold(person, choices, ttl_ms, now),
        )
    }

    /// [`Engine::confirm`], retry-safe.
    ///
    /// # Errors
    /// As [`Engine::confirm`], and [`ConfirmError::Op`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, OpId, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config { ops_remembered_max: 64, holds_max: 10, standby_max: 0, ..Config::default() })?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// let (person, now, op) = (PersonId::new(1), Timestamp::from_secs(1), OpId::new(7));
    /// engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// engine.advance(now, 1).unwrap();
    /// engine.hold(person, &[slot], 30_000, now).unwrap();
    /// let booking = engine.once(op).confirm(person, slot, now).unwrap();
    /// assert_eq!(engine.once(op).confirm(person, slot, now), Ok(booking));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn confirm(
        &self,
        person: PersonId,
        slot: SlotId,
        now: Timestamp,
    ) -> Result<Booking, ConfirmError> {
        let digest = Digest::new(Kind::Confirm, person).slot(slot);
        self.run(digest, OpAnswer::Booking, booking, || {
            self.engine.confirm(person, slot, now)
        })
    }

    /// [`Engine::cancel`], retry-safe.
    ///
    /// # Errors
    /// As [`Engine::cancel`], and [`CancelError::Op`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, OpId, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config { ops_remembered_max: 64, holds_max: 10, standby_max: 0, ..Config::default() })?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// let (person, now, op) = (PersonId::new(1), Timestamp::from_secs(1), OpId::new(7));
    /// engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// engine.advance(now, 1).unwrap();
    /// engine.hold(person, &[slot], 30_000, now).unwrap();
    /// let released = engine.once(op).cancel(person, slot, now).unwrap();
    /// assert_eq!(engine.once(op).cancel(person, slot, now), Ok(released));
    /// assert_eq!(engine.slot(slot).unwrap().booked, 0);
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn cancel(
        &self,
        person: PersonId,
        slot: SlotId,
        now: Timestamp,
    ) -> Result<Released, CancelError> {
        let digest = Digest::new(Kind::Cancel, person).slot(slot);
        self.run(digest, OpAnswer::Released, released, || {
            self.engine.cancel(person, slot, now)
        })
    }

    /// [`Engine::rebook`], retry-safe: the retry of a move that succeeded gets the move's
    /// answer, not [`RebookError::NotBooked`].
    ///
    /// # Errors
    /// As [`Engine::rebook`], and [`RebookError::Op`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, OpId, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config { ops_remembered_max: 64, ..Config::default() })?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// let (person, now, op) = (PersonId::new(1), Timestamp::from_secs(1), OpId::new(7));
    /// engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// engine.advance(now, 1).unwrap();
    /// let better = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// engine.reserve(person, &[slot], now).unwrap();
    /// let moved = engine.once(op).rebook(person, slot, &[better], now).unwrap();
    /// // Without the id, this retry would find no booking of `slot` to move.
    /// assert_eq!(engine.once(op).rebook(person, slot, &[better], now), Ok(moved));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn rebook(
        &self,
        person: PersonId,
        from: SlotId,
        choices: &[SlotId],
        now: Timestamp,
    ) -> Result<Booking, RebookError> {
        let digest = Digest::new(Kind::Rebook, person).slot(from).slots(choices);
        self.run(digest, OpAnswer::Booking, booking, || {
            self.engine.rebook(person, from, choices, now)
        })
    }

    /// [`Engine::book_series`], retry-safe.
    ///
    /// # Errors
    /// As [`Engine::book_series`], and [`SeriesError::Op`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, OpId, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config { ops_remembered_max: 64, bookings_per_person_max: 2, series_gap_days_min: 1, series_gap_days_max: 30, days_max: 64, standby_max: 0, ..Config::default() })?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(5)).unwrap();
    /// let (person, now, op) = (PersonId::new(1), Timestamp::from_secs(1), OpId::new(7));
    /// engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// engine.advance(now, 1).unwrap();
    /// let later = engine.add_slot(SlotSpec { day: fairbook::Day::new(21), ..SlotSpec::with_capacity(5) }).unwrap();
    /// let series = engine.once(op).book_series(person, &[(slot, later)], now).unwrap();
    /// assert_eq!(engine.once(op).book_series(person, &[(slot, later)], now), Ok(series));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn book_series(
        &self,
        person: PersonId,
        pairs: &[(SlotId, SlotId)],
        now: Timestamp,
    ) -> Result<SeriesBooking, SeriesError> {
        let digest = pairs.iter().fold(
            Digest::new(Kind::Series, person).word(pairs.len() as u64),
            |digest, &(first, second)| digest.slot(first).slot(second),
        );
        self.run(
            digest,
            OpAnswer::Series,
            |answer| match answer {
                OpAnswer::Series(series) => Some(series),
                _ => None,
            },
            || self.engine.book_series(person, pairs, now),
        )
    }

    /// [`Engine::register_dependant`], retry-safe.
    ///
    /// # Errors
    /// As [`Engine::register_dependant`], and [`RegisterError::Op`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, OpId, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config { ops_remembered_max: 64, dependants_per_person_max: 2, groups_max: 4, standby_max: 0, ..Config::default() })?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    /// let (person, now, op) = (PersonId::new(1), Timestamp::from_secs(1), OpId::new(7));
    /// let mother = PersonId::new(2);
    /// engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// let registered = engine.once(op).register_dependant(person, mother, now).unwrap();
    /// assert_eq!(engine.once(op).register_dependant(person, mother, now), Ok(registered));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn register_dependant(
        &self,
        holder: PersonId,
        dependant: PersonId,
        now: Timestamp,
    ) -> Result<Registered, RegisterError> {
        let digest = Digest::new(Kind::Register, holder).word(dependant.as_u64());
        self.run(
            digest,
            OpAnswer::Registered,
            |answer| match answer {
                OpAnswer::Registered(registered) => Some(registered),
                _ => None,
            },
            || self.engine.register_dependant(holder, dependant, now),
        )
    }

    /// [`Engine::book_group`], retry-safe.
    ///
    /// # Errors
    /// As [`Engine::book_group`], and [`GroupError::Op`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, OpId, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config { ops_remembered_max: 64, dependants_per_person_max: 2, groups_max: 4, standby_max: 0, ..Config::default() })?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(2)).unwrap();
    /// let (person, now, op) = (PersonId::new(1), Timestamp::from_secs(1), OpId::new(7));
    /// let mother = PersonId::new(2);
    /// engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// engine.register_dependant(person, mother, now).unwrap();
    /// engine.advance(now, 1).unwrap();
    /// let group = engine.once(op).book_group(person, &[slot], now).unwrap();
    /// assert_eq!(engine.once(op).book_group(person, &[slot], now), Ok(group));
    /// assert_eq!(engine.slot(slot).unwrap().booked, 2);
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn book_group(
        &self,
        holder: PersonId,
        choices: &[SlotId],
        now: Timestamp,
    ) -> Result<GroupBooking, GroupError> {
        let digest = Digest::new(Kind::Group, holder).slots(choices);
        self.run(
            digest,
            OpAnswer::Group,
            |answer| match answer {
                OpAnswer::Group(group) => Some(group),
                _ => None,
            },
            || self.engine.book_group(holder, choices, now),
        )
    }
}

fn place(answer: OpAnswer) -> Option<Place> {
    match answer {
        OpAnswer::Place(place) => Some(place),
        _ => None,
    }
}

fn booking(answer: OpAnswer) -> Option<Booking> {
    match answer {
        OpAnswer::Booking(booking) => Some(booking),
        _ => None,
    }
}

fn released(answer: OpAnswer) -> Option<Released> {
    match answer {
        OpAnswer::Released(released) => Some(released),
        _ => None,
    }
}
