//! Dose series: [`Engine::book_series`] books leg 1 and leg 2 of a vaccination (the same
//! site, a configured number of days apart) together, or neither.
//!
//! # All or nothing
//!
//! For each pair in rank order the call takes leg 1's seat, then leg 2's; if leg 2 has no
//! room it gives leg 1's seat back and tries the next pair. Both seats are taken by the
//! inventory's compare-and-swap, so neither slot ever passes its capacity. What a pair that
//! fails costs others: leg 1's seat is taken for the few atomic steps between the two
//! compare-and-swaps, so a concurrent booking of that very last seat may be told "no room"
//! in that instant (never an overbooking, and never a booking the series then loses). Its
//! record is made only once both seats are taken, so a journal never shows leg 1 alone.
//!
//! # The link
//!
//! A person holds at most one series. Which two of their bookings it is lives in `links`, one
//! `u64` per place (`leg 1 + 1` in the high half, `leg 2 + 1` in the low half), allocated
//! only when series are on. The legs are ordinary bookings otherwise, except that they move
//! together: [`Engine::release_booking`] of either gives back both, and
//! [`Engine::rebook`] refuses to move one.

use super::Engine;
use crate::config::Config;
use crate::error::SeriesError;
use crate::ids::{PersonId, Seq, SlotId};
use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::platform::sync::{AtomicU64, Ordering};
use crate::record::Record;
use crate::status::SeriesBooking;
use crate::time::Timestamp;
use crate::waiting_room::Locked;

/// Which two bookings of each place are a series.
pub(crate) struct SeriesLinks {
    links: Box<[AtomicU64]>,
}

impl SeriesLinks {
    pub(crate) fn new(config: &Config) -> Result<SeriesLinks, AllocError> {
        Ok(SeriesLinks {
            links: try_boxed_slice(SeriesLinks::len(config), Pages::Normal, || {
                AtomicU64::new(0)
            })?,
        })
    }

    fn len(config: &Config) -> usize {
        if config.series_gap_days_max == 0 {
            0
        } else {
            config.people_max as usize
        }
    }

    /// What [`SeriesLinks::new`] allocates.
    pub(crate) fn bytes_for(config: &Config) -> usize {
        SeriesLinks::len(config).saturating_mul(size_of::<u64>())
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        size_of_val(&*self.links)
    }

    pub(crate) fn is_on(&self) -> bool {
        !self.links.is_empty()
    }

    /// The place's series, if any.
    pub(crate) fn get(&self, seq: Seq) -> Option<(SlotId, SlotId)> {
        let link = self.links.get(seq.as_index())?.load(Ordering::Acquire);
        (link != 0).then(|| {
            (
                SlotId::new((link >> 32) as u32 - 1),
                SlotId::new(link as u32 - 1),
            )
        })
    }

    /// Sets or clears it (the caller holds the person's busy bit, or restores a snapshot).
    pub(crate) fn set(&self, seq: Seq, series: Option<(SlotId, SlotId)>) {
        let link = series.map_or(0, |(first, second)| {
            (u64::from(first.as_u32() + 1) << 32) | u64::from(second.as_u32() + 1)
        });
        if let Some(cell) = self.links.get(seq.as_index()) {
            cell.store(link, Ordering::Release);
        }
    }

    /// Whether `slot` is a leg of the place's series.
    pub(crate) fn is_leg(&self, seq: Seq, slot: SlotId) -> bool {
        self.get(seq)
            .is_some_and(|(first, second)| slot == first || slot == second)
    }
}

impl Engine {
    /// Books a dose series: the first pair of `pairs` (leg 1, leg 2) with room in both legs,
    /// or nothing at all.
    ///
    /// Each pair is checked first: both legs at the same site, leg 2 between
    /// [`Config::series_gap_days_min`](crate::Config::series_gap_days_min) and
    /// [`Config::series_gap_days_max`](crate::Config::series_gap_days_max) days after leg 1
    /// (a campaign with a fixed gap sets both to it). Then, for each pair in rank order, leg 1
    /// is taken, then leg 2; if leg 2 has no room, leg 1 is given back and the next pair
    /// tried. The legs are two of the person's bookings, linked: releasing either gives back
    /// both. One series per person.
    ///
    /// A retry: if the person's series is one of `pairs`, the call returns it and changes
    /// nothing.
    ///
    /// # Errors
    /// - [`SeriesError::SeriesOff`]; bad input: time, [`SeriesError::EmptyChoice`],
    ///   [`SeriesError::TooManyChoices`], [`SeriesError::UnknownSlot`],
    ///   [`SeriesError::NotSameSite`], [`SeriesError::GapOutOfRange`] (pairs checked in
    ///   order, each leg 1 then leg 2), the person.
    /// - No path around the queue: [`SeriesError::NotAdmitted`],
    ///   [`SeriesError::LeaseLapsed`], [`SeriesError::PlaceReleased`],
    ///   [`SeriesError::Dependant`].
    /// - [`SeriesError::AlreadyInSeries`], [`SeriesError::BookingLimit`],
    ///   [`SeriesError::NoRoom`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Day, Engine, PersonId, SeriesError, SiteId, SlotSpec, Timestamp, Window};
    /// let engine = Engine::new(Config {
    ///     bookings_per_person_max: 2,
    ///     series_gap_days_min: 21,
    ///     series_gap_days_max: 28,
    ///     days_max: 64,
    ///     standby_max: 0,
    ///     ..Config::default()
    /// })?;
    /// let at = |day, capacity| SlotSpec { site: SiteId::new(1), day: Day::new(day), window: Window::new(0), capacity };
    /// let monday = engine.add_slot(at(0, 10)).unwrap();
    /// let full_later = engine.add_slot(at(21, 0)).unwrap();
    /// let tuesday = engine.add_slot(at(1, 10)).unwrap();
    /// let open_later = engine.add_slot(at(23, 10)).unwrap();
    /// let (person, now) = (PersonId::new(1), Timestamp::from_secs(1));
    /// engine.enqueue(person, CohortId::new(0), now).unwrap();
    /// engine.advance(now, 1).unwrap();
    /// let series = engine.book_series(person, &[(monday, full_later), (tuesday, open_later)], now).unwrap();
    /// assert_eq!((series.first, series.second, series.rank), (tuesday, open_later, 1));
    /// assert_eq!(engine.slot(monday).unwrap().booked, 0, "leg 1 of the full pair went back");
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn book_series(
        &self,
        person: PersonId,
        pairs: &[(SlotId, SlotId)],
        now: Timestamp,
    ) -> Result<SeriesBooking, SeriesError> {
        let now = self.clock.check_call(now)?;
        if !self.series.is_on() {
            return Err(SeriesError::SeriesOff);
        }
        self.check_pairs(pairs)?;
        let guard = self.lock_to_book(person, None, now)?;
        let (seq, count) = (guard.seq(), guard.bookings_count());
        if let Some((first, second)) = self.series.get(seq) {
            let rank = pairs
                .iter()
                .position(|&pair| pair == (first, second))
                .ok_or(SeriesError::AlreadyInSeries)?;
            return Ok(SeriesBooking {
                seq,
                first,
                second,
                rank: rank as u8,
            });
        }
        let bookings_max = self.config.bookings_per_person_max;
        if count + 2 > bookings_max {
            return Err(SeriesError::BookingLimit { bookings_max });
        }
        for (rank, &(first, second)) in pairs.iter().enumerate() {
            let holds_either = self.ledger.position(seq, count, first).is_some()
                || self.ledger.position(seq, count, second).is_some();
            if holds_either || !self.inventory.try_take(first) {
                continue;
            }
            if !self.inventory.try_take(second) {
                // Leg 2 has no room: leg 1 was never booked (no record was made).
                self.inventory.give_back(first);
                continue;
            }
            // After both seats are taken.
            self.recorder
                .record(|| Record::SeriesBooked { seq, first, second });
            self.ledger.set(seq, count, Some(first));
            self.ledger.set(seq, count + 1, Some(second));
            self.series.set(seq, Some((first, second)));
            guard.commit_bookings(count + 2);
            return Ok(SeriesBooking {
                seq,
                first,
                second,
                rank: rank as u8,
            });
        }
        Err(SeriesError::NoRoom {
            sold_out: self.inventory.is_sold_out(),
        })
    }

    /// Checks the list of pairs and each pair's legs, in order.
    fn check_pairs(&self, pairs: &[(SlotId, SlotId)]) -> Result<(), SeriesError> {
        if pairs.is_empty() {
            return Err(SeriesError::EmptyChoice);
        }
        if pairs.len() > self.config.choices_max {
            return Err(SeriesError::TooManyChoices {
                given: pairs.len(),
                max: self.config.choices_max,
            });
        }
        let (min, max) = (
            self.config.series_gap_days_min,
            self.config.series_gap_days_max,
        );
        for (index, &(first, second)) in pairs.iter().enumerate() {
            let view = |slot| {
                self.inventory
                    .view(slot)
                    .ok_or(SeriesError::UnknownSlot { slot })
            };
            let (first, second) = (view(first)?.spec, view(second)?.spec);
            if first.site != second.site {
                return Err(SeriesError::NotSameSite { index });
            }
            let gap_days = i32::from(second.day.as_u16()) - i32::from(first.day.as_u16());
            if gap_days < i32::from(min) || gap_days > i32::from(max) {
                return Err(SeriesError::GapOutOfRange {
                    index,
                    gap_days,
                    min,
                    max,
                });
            }
        }
        Ok(())
    }

    /// Gives back both legs of the place's series (its record is made) and returns them; the
    /// place holds two bookings fewer. The caller holds the busy bit and stores the count.
    pub(super) fn give_back_series(&self, seq: Seq, mut count: u8) -> Option<[SlotId; 2]> {
        let (first, second) = self.series.get(seq)?;
        let booked = |leg| self.ledger.booking_position(seq, count, leg).is_some();
        if !booked(first) || !booked(second) {
            return None;
        }
        for leg in [first, second] {
            let index = self.ledger.booking_position(seq, count, leg)?;
            self.inventory.give_back(leg);
            self.remove_cell(seq, count, index);
            count -= 1;
        }
        self.series.set(seq, None);
        Some([first, second])
    }

    /// Replays [`Record::SeriesBooked`].
    pub(super) fn replay_series_booked(
        &self,
        seq: Seq,
        first: SlotId,
        second: SlotId,
    ) -> Result<(), &'static str> {
        let Ok(Locked::Admitted(guard)) = self.room.lock_place(seq, Timestamp::ZERO) else {
            return Err("the place booking a series holds no lease");
        };
        let count = guard.bookings_count();
        if !self.series.is_on() || self.series.get(seq).is_some() {
            return Err("series are off, or the person holds one");
        }
        if count + 2 > self.config.bookings_per_person_max || first == second {
            return Err("the series does not fit the person's bookings");
        }
        for leg in [first, second] {
            if !self.inventory.contains(leg) || self.ledger.position(seq, count, leg).is_some() {
                return Err("a leg does not exist or is held already");
            }
        }
        if !self.inventory.try_take(first) {
            return Err("leg 1 is full");
        }
        if !self.inventory.try_take(second) {
            self.inventory.give_back(first);
            return Err("leg 2 is full");
        }
        self.ledger.set(seq, count, Some(first));
        self.ledger.set(seq, count + 1, Some(second));
        self.series.set(seq, Some((first, second)));
        guard.commit_bookings(count + 2);
        Ok(())
    }

    /// Replays [`Record::SeriesReleased`].
    pub(super) fn replay_series_released(&self, seq: Seq) -> Result<(), &'static str> {
        let Ok(Locked::Admitted(guard)) = self.room.lock_place(seq, Timestamp::ZERO) else {
            return Err("the place releasing a series holds nothing");
        };
        let count = guard.bookings_count();
        self.give_back_series(seq, count)
            .ok_or("the person holds no series")?;
        guard.commit_bookings(count - 2);
        Ok(())
    }

    /// The place's series (snapshot and audit).
    pub(super) fn series_of(&self, seq: Seq) -> Option<(SlotId, SlotId)> {
        self.series.get(seq)
    }
}
