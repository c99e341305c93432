//! What the flows return: [`Hold`] (a seat held until a deadline), [`HeldSeats`] (a person's
//! live holds, in [`Status::Holding`](crate::Status::Holding)), [`SeriesBooking`] (both legs
//! of a dose series), [`Registered`] and [`GroupBooking`] (a person and their dependants).
//!
//! Plain `Copy` values, as every answer of the engine: returning them allocates nothing.

use core::fmt;

use crate::config::HOLDS_PER_PERSON_LIMIT;
use crate::ids::{Seq, SlotId};
use crate::time::Timestamp;

/// A seat held by [`Engine::hold`](crate::Engine::hold): it counts against the slot's
/// capacity until [`Engine::confirm`](crate::Engine::confirm) turns it into a booking,
/// [`Engine::cancel`](crate::Engine::cancel) gives it back, or `until` passes and it expires.
///
/// # Example
/// ```
/// use fairbook::{CohortId, Config, Engine, PersonId, SlotSpec, Timestamp};
/// let engine = Engine::new(Config { holds_max: 100, standby_max: 0, ..Config::default() })?;
/// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
/// let (person, now) = (PersonId::new(1), Timestamp::from_secs(1));
/// engine.enqueue(person, CohortId::new(0), now).unwrap();
/// engine.advance(now, 1).unwrap();
/// let hold = engine.hold(person, &[slot], 30_000, now).unwrap();
/// assert_eq!((hold.slot, hold.until), (slot, now.plus_millis(30_000)));
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Hold {
    /// The person's place.
    pub seq: Seq,
    /// The slot held.
    pub slot: SlotId,
    /// Its position in the choice list (0 = first choice).
    pub rank: u8,
    /// When the hold expires: a confirm must come before.
    pub until: Timestamp,
}

/// One live hold, as [`Status::Holding`](crate::Status::Holding) lists it.
///
/// # Example
/// ```
/// use fairbook::{CohortId, Config, Engine, HeldSeat, PersonId, SlotSpec, Status, Timestamp};
/// let engine = Engine::new(Config { holds_max: 10, standby_max: 0, ..Config::default() })?;
/// let slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
/// let (person, now) = (PersonId::new(1), Timestamp::from_secs(1));
/// engine.enqueue(person, CohortId::new(0), now).unwrap();
/// engine.advance(now, 1).unwrap();
/// let hold = engine.hold(person, &[slot], 30_000, now).unwrap();
/// let Status::Holding { holds, .. } = engine.status(person, now).unwrap() else { panic!() };
/// assert_eq!(holds.as_slice(), [HeldSeat { slot, until: hold.until }]);
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HeldSeat {
    /// The slot held.
    pub slot: SlotId,
    /// When the hold expires.
    pub until: Timestamp,
}

/// The live holds of one person, at most [`HOLDS_PER_PERSON_LIMIT`], without allocating.
///
/// # Example
/// ```
/// use fairbook::{HeldSeat, HeldSeats, SlotId, Timestamp};
/// let seat = HeldSeat { slot: SlotId::new(2), until: Timestamp::from_secs(9) };
/// let seats = HeldSeats::from_slice(&[seat]).unwrap();
/// assert_eq!(seats.as_slice(), [seat]);
/// assert!(HeldSeats::default().is_empty());
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HeldSeats {
    len: u8,
    seats: [HeldSeat; HeldSeats::CAPACITY],
}

impl HeldSeats {
    /// The most holds it lists: [`HOLDS_PER_PERSON_LIMIT`].
    pub const CAPACITY: usize = HOLDS_PER_PERSON_LIMIT as usize;

    /// These holds, in this order, or `None` if there are more than
    /// [`HeldSeats::CAPACITY`]. For models and test doubles.
    pub fn from_slice(seats: &[HeldSeat]) -> Option<HeldSeats> {
        let mut held = HeldSeats::default();
        held.seats.get_mut(..seats.len())?.copy_from_slice(seats);
        held.len = seats.len() as u8;
        Some(held)
    }

    /// Appends a hold (the engine never lists more than the limit for one person).
    pub(crate) fn push(&mut self, seat: HeldSeat) {
        debug_assert!(usize::from(self.len) < Self::CAPACITY);
        self.seats[usize::from(self.len)] = seat;
        self.len += 1;
    }

    /// The holds, in the order of the person's booking cells.
    pub fn as_slice(&self) -> &[HeldSeat] {
        &self.seats[..usize::from(self.len)]
    }

    /// How many.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// `true` if none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl fmt::Debug for HeldSeats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

impl Default for HeldSeats {
    fn default() -> HeldSeats {
        HeldSeats {
            len: 0,
            seats: [HeldSeat {
                slot: SlotId::new(0),
                until: Timestamp::ZERO,
            }; HeldSeats::CAPACITY],
        }
    }
}

/// Both legs of a dose series, as [`Engine::book_series`](crate::Engine::book_series) booked
/// them: the same site, `first` then `second` a configured number of days later.
///
/// # Example
/// ```
/// use fairbook::{CohortId, Config, Day, Engine, PersonId, SlotSpec, Timestamp};
/// let engine = Engine::new(Config {
///     bookings_per_person_max: 2, series_gap_days_min: 21, series_gap_days_max: 28,
///     days_max: 64, standby_max: 0,
///     ..Config::default()
/// })?;
/// let on = |day| SlotSpec { day: Day::new(day), ..SlotSpec::with_capacity(5) };
/// let (dose1, dose2) = (engine.add_slot(on(0)).unwrap(), engine.add_slot(on(21)).unwrap());
/// let (person, now) = (PersonId::new(1), Timestamp::from_secs(1));
/// engine.enqueue(person, CohortId::new(0), now).unwrap();
/// engine.advance(now, 1).unwrap();
/// let series = engine.book_series(person, &[(dose1, dose2)], now).unwrap();
/// assert_eq!((series.first, series.second, series.rank), (dose1, dose2, 0));
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SeriesBooking {
    /// The person's place.
    pub seq: Seq,
    /// Leg 1.
    pub first: SlotId,
    /// Leg 2.
    pub second: SlotId,
    /// The pair's position in the list (0 = first choice).
    pub rank: u8,
}

/// A dependant registered by
/// [`Engine::register_dependant`](crate::Engine::register_dependant).
///
/// # Example
/// ```
/// use fairbook::{CohortId, Config, Engine, PersonId, Timestamp};
/// let engine = Engine::new(Config { dependants_per_person_max: 2, groups_max: 10, standby_max: 0, ..Config::default() })?;
/// let (son, mother, now) = (PersonId::new(1), PersonId::new(2), Timestamp::from_secs(1));
/// let place = engine.enqueue(son, CohortId::new(0), now).unwrap().seq;
/// let registered = engine.register_dependant(son, mother, now).unwrap();
/// assert_eq!((registered.holder, registered.dependants), (place, 1));
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Registered {
    /// The holder's place, which the dependant now shares.
    pub holder: Seq,
    /// How many dependants the holder has now.
    pub dependants: u8,
}

/// Seats booked for a holder and every dependant, in one slot, by
/// [`Engine::book_group`](crate::Engine::book_group).
///
/// # Example
/// ```
/// use fairbook::{CohortId, Config, Engine, PersonId, SlotSpec, Timestamp};
/// let engine = Engine::new(Config { dependants_per_person_max: 2, groups_max: 10, standby_max: 0, ..Config::default() })?;
/// let slot = engine.add_slot(SlotSpec::with_capacity(2)).unwrap();
/// let (son, mother, now) = (PersonId::new(1), PersonId::new(2), Timestamp::from_secs(1));
/// engine.enqueue(son, CohortId::new(0), now).unwrap();
/// engine.register_dependant(son, mother, now).unwrap();
/// engine.advance(now, 1).unwrap();
/// let group = engine.book_group(son, &[slot], now).unwrap();
/// assert_eq!((group.slot, group.seats), (slot, 2));
/// assert_eq!(engine.slot(slot).unwrap().booked, 2);
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GroupBooking {
    /// The holder's place.
    pub seq: Seq,
    /// The slot booked.
    pub slot: SlotId,
    /// Its position in the choice list (0 = first choice).
    pub rank: u8,
    /// Seats booked: the holder's and one per dependant.
    pub seats: u8,
}
