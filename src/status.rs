//! What the data-path calls return: [`Place`], [`Advanced`], [`Status`], [`Booking`],
//! [`Released`], [`BookedSlots`], what a change of supply did ([`CapacityChanged`]), and the
//! engine-wide [`Stats`].
//!
//! All of them are plain `Copy` values: returning them allocates nothing.

use core::fmt;

use crate::config::BOOKINGS_PER_PERSON_LIMIT;
use crate::ids::{CohortId, PersonId, Seq, SlotId};
use crate::scope::Scope;
use crate::time::Timestamp;

mod flows;

pub use flows::{GroupBooking, HeldSeat, HeldSeats, Hold, Registered, SeriesBooking};

/// A person's place in line, as [`Engine::enqueue`](crate::Engine::enqueue) returns it.
///
/// # Example
/// ```
/// use fairbook::{CohortId, Config, Engine, PersonId, Timestamp};
/// let engine = Engine::new(Config::default())?;
/// let now = Timestamp::from_secs(1);
/// let laptop = engine.enqueue(PersonId::new(5), CohortId::new(0), now).unwrap();
/// let phone = engine.enqueue(PersonId::new(5), CohortId::new(0), now).unwrap();
/// assert!(laptop.is_new && !phone.is_new);
/// assert_eq!(laptop.seq, phone.seq);
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Place {
    /// The place: lower is admitted first.
    pub seq: Seq,
    /// `true` if this call handed out the place (a first join, or a requeue after a lapse);
    /// `false` if the person already had it (another device, a retry, a reconnect).
    pub is_new: bool,
}

/// What one [`Engine::advance`](crate::Engine::advance) did.
///
/// # Example
/// ```
/// use fairbook::{CohortId, Config, Engine, PersonId, Timestamp};
/// let engine = Engine::new(Config::default())?;
/// let now = Timestamp::from_secs(1);
/// for id in 0..3 {
///     engine.enqueue(PersonId::new(id), CohortId::new(0), now).unwrap();
/// }
/// let advanced = engine.advance(now, 2).unwrap();
/// assert_eq!(advanced.admitted, 2);
/// let people: Vec<_> = engine.admitted_in(&advanced).unwrap().map(|(_, person)| person).collect();
/// assert_eq!(people, [PersonId::new(0), PersonId::new(1)]);
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Advanced {
    /// People let in by this call.
    pub admitted: u64,
    /// Places this call looked at: `[from, to)`. Places in it that are not admitted were
    /// given back before their turn.
    pub from: Seq,
    /// End of the places looked at (exclusive): the admission cursor after the call.
    pub to: Seq,
    /// When the leases handed out by this call run out.
    pub lease_until: Timestamp,
    /// Leases found lapsed (ended without a booking) by this call.
    pub lapsed: u64,
    /// People on standby this call offered a seat to (held for them until `lease_until`).
    #[cfg_attr(feature = "serde", serde(default))]
    pub offered: u64,
    /// Offers whose deadline passed without the person booking: their seats went back (and
    /// on to the next person on standby, if any).
    #[cfg_attr(feature = "serde", serde(default))]
    pub offers_lapsed: u64,
    /// Why the door let nobody in at this call while people were waiting, if it did not.
    #[cfg_attr(feature = "serde", serde(default))]
    pub stall: Option<DoorStall>,
}

/// Why the door let nobody in at its latest turn while people were waiting, as
/// [`Advanced::stall`] and [`Status::Waiting`] report it.
///
/// # Example
/// ```
/// use fairbook::{CohortId, Config, DoorStall, Engine, OutflowPolicy, PersonId, Status, Timestamp};
/// let engine = Engine::new(Config::default())?;
/// for id in 0..3 {
///     engine.enqueue(PersonId::new(id), CohortId::new(0), Timestamp::ZERO).unwrap();
/// }
/// let one_at_a_time = OutflowPolicy { active_max: Some(1), ..OutflowPolicy::default() };
/// engine.advance_with_policy(Timestamp::ZERO, &one_at_a_time).unwrap();
/// let stalled = engine.advance_with_policy(Timestamp::from_secs(1), &one_at_a_time).unwrap();
/// assert_eq!(stalled.stall, Some(DoorStall::ActiveCap));
/// assert!(matches!(
///     engine.status(PersonId::new(2), Timestamp::from_secs(1)),
///     Ok(Status::Waiting { door_stall: Some(DoorStall::ActiveCap), .. })
/// ));
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum DoorStall {
    /// As many people as [`OutflowPolicy::active_max`](crate::OutflowPolicy::active_max)
    /// allows are admitted and have not booked: the door moves as they book, give up or lapse.
    ActiveCap,
    /// The next person's scope has no free seat that people admitted before them (or on
    /// standby) could not take: a seat-aware door
    /// ([`Config::seat_aware_door`](crate::Config::seat_aware_door)) waits for one.
    NoSeat,
    /// Every slot is booked and the door stops when sold out
    /// ([`OutflowPolicy::stop_when_sold_out`](crate::OutflowPolicy::stop_when_sold_out)).
    SoldOut,
    /// The policy's rate allows nobody now ([`OutflowPolicy::admissions_per_sec`](crate::OutflowPolicy::admissions_per_sec)
    /// of 0).
    NoRate,
}

impl fmt::Display for DoorStall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DoorStall::ActiveCap => write!(f, "the door waits for admitted people to book"),
            DoorStall::NoSeat => write!(f, "the door waits for a seat to free up"),
            DoorStall::SoldOut => write!(f, "the door is closed: everything is booked"),
            DoorStall::NoRate => write!(f, "the door's rate is zero"),
        }
    }
}

/// What [`Engine::enter_draw`](crate::Engine::enter_draw) did: the person is in the draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DrawEntry {
    /// The cohort whose draw they entered.
    pub cohort: CohortId,
    /// When the cohort opens, and they are placed.
    pub draw_at: Timestamp,
    /// `true` if this call entered them; `false` if they were in it already (another device).
    pub is_new: bool,
}

/// What [`Engine::standby`](crate::Engine::standby) did: the person is on standby.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    /// Their place, kept.
    pub seq: Seq,
    /// People on standby before them who may book in their scope: the seats that free up go
    /// to them first.
    pub ahead: u64,
}

/// Where a person stands, as [`Engine::status`](crate::Engine::status) reports it.
///
/// A snapshot: under concurrency it may be out of date as soon as it is returned.
///
/// With the `serde` feature a status is an object whose `"state"` field names the variant in
/// snake case (`"waiting"`, `"admitted"`, `"booked"`, ...), beside the variant's fields:
/// `{"state":"waiting","seq":3,"ahead":2,"estimated_wait_ms":1500}`.
///
/// # Example
/// ```
/// use fairbook::{CohortId, Config, Engine, PersonId, Status, Timestamp};
/// let engine = Engine::new(Config::default())?;
/// let now = Timestamp::from_secs(1);
/// engine.enqueue(PersonId::new(1), CohortId::new(0), now).unwrap();
/// engine.enqueue(PersonId::new(2), CohortId::new(0), now).unwrap();
/// match engine.status(PersonId::new(2), now).unwrap() {
///     Status::Waiting { ahead, .. } => assert_eq!(ahead, 1),
///     other => panic!("unexpected {other:?}"),
/// }
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "state", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Status {
    /// The engine has no place for this person (never joined, or refused because the
    /// waiting room was full).
    Unknown,
    /// Entered the draw of a cohort that has not been drawn yet: they are placed in line, in
    /// the draw's order, when it is made at the opening.
    InDraw {
        /// The cohort.
        cohort: CohortId,
        /// When the cohort opens.
        draw_at: Timestamp,
    },
    /// In line.
    Waiting {
        /// Their place.
        seq: Seq,
        /// People still waiting ahead of them: exact at the moment of the call.
        ahead: u64,
        /// `ahead` divided by the admission rate observed over recent advances; `None` until
        /// there is a rate to go by (and once the door has stood still for all of them).
        estimated_wait_ms: Option<u64>,
        /// Why the door let nobody in at its latest turn, if it did not: the estimate (or its
        /// absence) is to be read with it.
        #[cfg_attr(feature = "serde", serde(default))]
        door_stall: Option<DoorStall>,
    },
    /// In line, but every slot is booked: unless capacity is given back, the wait is for
    /// nothing. The place is kept all the same.
    SoldOut {
        /// Their place.
        seq: Seq,
        /// People still waiting ahead of them.
        ahead: u64,
    },
    /// In line, but every slot within the person's scope is booked while seats are free
    /// elsewhere: unless capacity comes back there, the wait is for nothing. The place is kept
    /// all the same.
    SoldOutInScope {
        /// Their place.
        seq: Seq,
        /// People still waiting ahead of them.
        ahead: u64,
        /// Where they may book.
        scope: Scope,
        /// Free seats outside it, as the door last counted them (at its latest `advance`).
        free_elsewhere: u64,
    },
    /// Admitted, may book until `lease_until`.
    Admitted {
        /// Their place.
        seq: Seq,
        /// The lease deadline.
        lease_until: Timestamp,
    },
    /// Admitted, found no room within their scope, and kept their turn
    /// ([`Engine::standby`](crate::Engine::standby)): the next seat that frees up there is
    /// offered to them, before anyone behind them.
    Standby {
        /// Their place.
        seq: Seq,
    },
    /// Offered a seat that freed up while they were on standby: it is held for them until
    /// `until`. Booking it (a `reserve` that lists it) confirms it; otherwise it goes to the
    /// next person on standby.
    Offered {
        /// Their place.
        seq: Seq,
        /// The seat held for them.
        slot: SlotId,
        /// When the offer lapses.
        until: Timestamp,
    },
    /// Holds one or more bookings.
    Booked {
        /// Their place.
        seq: Seq,
        /// What they hold.
        slots: BookedSlots,
        /// The lease deadline: until then they may still change or add bookings.
        lease_until: Timestamp,
    },
    /// Holds one or more seats provisionally (see [`Engine::hold`](crate::Engine::hold)),
    /// and maybe bookings too.
    Holding {
        /// Their place.
        seq: Seq,
        /// The bookings they hold.
        bookings: BookedSlots,
        /// The live holds, with their deadlines: confirm each before its `until`.
        holds: HeldSeats,
        /// The lease deadline (a hold outlives it: a confirm needs no lease).
        lease_until: Timestamp,
    },
    /// Registered as a dependant: shares the holder's place, who books for them.
    Dependant {
        /// The holder's place.
        holder: Seq,
        /// The seat booked for them, if any.
        slot: Option<SlotId>,
    },
    /// Was admitted, but the lease ran out without a booking.
    Lapsed {
        /// Their place.
        seq: Seq,
        /// When the lease ran out.
        at: Timestamp,
    },
    /// Gave back their place (before admission) or everything they held (after).
    Released {
        /// The place they had.
        seq: Seq,
    },
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Unknown => write!(f, "unknown"),
            Status::InDraw { cohort, draw_at } => {
                write!(f, "in the draw of cohort {cohort}, placed at {draw_at}")
            }
            Status::Waiting {
                seq,
                ahead,
                estimated_wait_ms: Some(wait_ms),
                ..
            } => write!(
                f,
                "waiting at place {seq}, {ahead} ahead, about {wait_ms} ms to go"
            ),
            Status::Waiting {
                seq,
                ahead,
                door_stall: Some(stall),
                ..
            } => write!(
                f,
                "waiting at place {seq}, {ahead} ahead, no estimate: {stall}"
            ),
            Status::Waiting { seq, ahead, .. } => {
                write!(f, "waiting at place {seq}, {ahead} ahead")
            }
            Status::SoldOut { seq, ahead } => {
                write!(
                    f,
                    "waiting at place {seq}, {ahead} ahead, but everything is booked"
                )
            }
            Status::SoldOutInScope {
                seq,
                ahead,
                scope,
                free_elsewhere,
            } => write!(
                f,
                "waiting at place {seq}, {ahead} ahead, but everything in {scope} is booked ({free_elsewhere} seats free elsewhere)"
            ),
            Status::Admitted { seq, lease_until } => {
                write!(f, "admitted at place {seq}, may book until {lease_until}")
            }
            Status::Standby { seq } => write!(f, "on standby at place {seq}, turn kept"),
            Status::Offered { seq, slot, until } => {
                write!(f, "offered slot {slot} at place {seq}, held until {until}")
            }
            Status::Booked { seq, slots, .. } => {
                let noun = if slots.len() == 1 { "slot" } else { "slots" };
                write!(f, "booked at place {seq}: {noun}")?;
                for (index, slot) in slots.as_slice().iter().enumerate() {
                    let separator = if index == 0 { " " } else { ", " };
                    write!(f, "{separator}{slot}")?;
                }
                Ok(())
            }
            Status::Holding {
                seq,
                bookings,
                holds,
                ..
            } => {
                write!(f, "holding at place {seq}:")?;
                let mut separator = " ";
                for slot in bookings.as_slice() {
                    write!(f, "{separator}slot {slot} booked")?;
                    separator = ", ";
                }
                for held in holds.as_slice() {
                    write!(f, "{separator}slot {} held until {}", held.slot, held.until)?;
                    separator = ", ";
                }
                Ok(())
            }
            Status::Dependant {
                holder,
                slot: Some(slot),
            } => write!(f, "dependant of place {holder}, booked slot {slot}"),
            Status::Dependant { holder, slot: None } => {
                write!(f, "dependant of place {holder}")
            }
            Status::Lapsed { seq, at } => write!(f, "place {seq} lapsed, its lease ended at {at}"),
            Status::Released { seq } => write!(f, "place {seq} was given back"),
        }
    }
}

/// The slots one person holds, at most 15, without allocating.
///
/// # Example
/// ```
/// use fairbook::{BookedSlots, SlotId};
/// let none = BookedSlots::default();
/// assert!(none.as_slice().is_empty());
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BookedSlots {
    len: u8,
    slots: [SlotId; BookedSlots::CAPACITY],
}

impl BookedSlots {
    /// The most slots it holds: [`BOOKINGS_PER_PERSON_LIMIT`].
    pub const CAPACITY: usize = BOOKINGS_PER_PERSON_LIMIT as usize;

    /// These slots, in this order, or `None` if there are more than
    /// [`BookedSlots::CAPACITY`]. For models and test doubles that describe what a person holds.
    ///
    /// # Example
    /// ```
    /// use fairbook::{BookedSlots, SlotId};
    /// let two = BookedSlots::from_slice(&[SlotId::new(4), SlotId::new(1)]).unwrap();
    /// assert_eq!(two.as_slice(), [SlotId::new(4), SlotId::new(1)]);
    /// assert!(BookedSlots::from_slice(&[SlotId::new(0); 16]).is_none());
    /// ```
    pub fn from_slice(slots: &[SlotId]) -> Option<BookedSlots> {
        let mut booked = BookedSlots::default();
        booked.slots.get_mut(..slots.len())?.copy_from_slice(slots);
        booked.len = slots.len() as u8;
        Some(booked)
    }

    /// Appends a slot (the engine never holds more than the limit for one person).
    pub(crate) fn push(&mut self, slot: SlotId) {
        debug_assert!(usize::from(self.len) < Self::CAPACITY);
        self.slots[usize::from(self.len)] = slot;
        self.len += 1;
    }

    /// The slots, in the order they were booked (a release may reorder the rest).
    pub fn as_slice(&self) -> &[SlotId] {
        &self.slots[..usize::from(self.len)]
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

impl fmt::Debug for BookedSlots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

impl Default for BookedSlots {
    fn default() -> BookedSlots {
        BookedSlots {
            len: 0,
            slots: [SlotId::new(0); BookedSlots::CAPACITY],
        }
    }
}

/// One request of [`Engine::reserve_batch`](crate::Engine::reserve_batch): who books, from
/// which ranked choices, and the place they kept from `enqueue` if any (see
/// [`Engine::reserve_with_ticket`](crate::Engine::reserve_with_ticket)).
///
/// # Example
/// ```
/// use fairbook::{PersonId, ReserveRequest, SlotId};
/// let choices = [SlotId::new(3), SlotId::new(1)];
/// let request = ReserveRequest { person: PersonId::new(7), ticket: None, choices: &choices };
/// assert_eq!(request.choices.len(), 2);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReserveRequest<'a> {
    /// Who books.
    pub person: PersonId,
    /// Their place from `enqueue`, checked and never trusted; `None` to look them up.
    pub ticket: Option<Seq>,
    /// Their ranked choices.
    pub choices: &'a [SlotId],
}

/// A confirmed booking, as [`Engine::reserve`](crate::Engine::reserve) returns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Booking {
    /// The person's place.
    pub seq: Seq,
    /// The slot booked.
    pub slot: SlotId,
    /// Its position in the choice list (0 = first choice).
    pub rank: u8,
}

/// What [`Engine::release`](crate::Engine::release) gave back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Released {
    /// The person's place.
    pub seq: Seq,
    /// The bookings given back (empty if the person was still waiting or held none).
    pub slots: BookedSlots,
    /// `true` if the person was still waiting and gave back their place in line.
    pub was_waiting: bool,
}

/// What [`Engine::set_capacity`](crate::Engine::set_capacity) or
/// [`Engine::close_slot`](crate::Engine::close_slot) changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapacityChanged {
    /// The slot.
    pub slot: SlotId,
    /// Its capacity before the change.
    pub capacity_before: u32,
    /// Its capacity now.
    pub capacity: u32,
    /// The bookings it held at the change (all kept).
    pub booked: u32,
}

/// Engine-wide counters (a snapshot).
///
/// # Example
/// ```
/// use fairbook::{Config, Engine};
/// let engine = Engine::new(Config::default())?;
/// assert_eq!(engine.stats().places_handed_out, 0);
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Stats {
    /// Places handed out (first joins and requeues).
    pub places_handed_out: u64,
    /// The admission cursor: places looked at by `advance` so far.
    pub admission_cursor: u64,
    /// Admitted people with a lease who have not booked yet (as of the latest sweep).
    pub active_admitted: u64,
    /// People on standby (not counting those offered a seat).
    pub on_standby: u64,
    /// Slots in the inventory.
    pub slots: u32,
    /// Every slot is fully booked (see [`Engine::is_sold_out`](crate::Engine::is_sold_out)).
    pub sold_out: bool,
    /// The door's clock: the latest time an `advance` saw (zero before the first). Calls more
    /// than [`Config::time_skew_tolerance_ms`](crate::Config::time_skew_tolerance_ms) behind it
    /// or [`Config::time_ahead_tolerance_ms`](crate::Config::time_ahead_tolerance_ms) ahead of
    /// it are refused.
    pub latest_time: Timestamp,
    /// Admissions per second over recent advances, if known.
    pub admissions_per_sec: Option<f64>,
}

impl Stats {
    /// The estimated wait of someone with `ahead` people waiting before them, in
    /// milliseconds, at the admission rate observed over recent advances; `None` until there
    /// is a rate to go by. The same estimate as [`Status::Waiting`]'s `estimated_wait_ms`, for
    /// a caller that has only the `ahead` of a [`ReserveError::NotAdmitted`](crate::ReserveError::NotAdmitted).
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, PersonId, Timestamp};
    /// let engine = Engine::new(Config::default())?;
    /// for id in 0..100 {
    ///     engine.enqueue(PersonId::new(id), CohortId::new(0), Timestamp::ZERO).unwrap();
    /// }
    /// assert_eq!(engine.stats().estimated_wait_ms(10), None); // no rate yet
    /// engine.advance(Timestamp::ZERO, 5).unwrap();
    /// engine.advance(Timestamp::from_secs(1), 5).unwrap(); // 5 admitted per second since
    /// assert_eq!(engine.stats().estimated_wait_ms(10), Some(2_000));
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn estimated_wait_ms(&self, ahead: u64) -> Option<u64> {
        self.admissions_per_sec
            .filter(|per_sec| *per_sec > 0.0)
            .map(|per_sec| (ahead as f64 * 1_000.0 / per_sec).ceil() as u64)
    }
}

/// The engine's memory, part by part, as [`Engine::memory`](crate::Engine::memory) reports it.
/// All of it is allocated when the engine is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct MemoryUse {
    /// The person table, the admission ring, the count of people who left and, with more than
    /// one region, each place's scope (per place, see
    /// [`Config::people_max`](crate::Config::people_max)).
    pub waiting_room_bytes: usize,
    /// Which slots each place holds: 4 bytes × `bookings_per_person_max` per place.
    pub ledger_bytes: usize,
    /// The slots (20 bytes per slot of `slots_max`: the cell and its link in the search
    /// index), the sites (28 bytes per site of `sites_max`), the search index's heads (4 bytes
    /// per site and day) and the regions (24 bytes per region).
    pub inventory_bytes: usize,
    /// The flows, each only when configured: hold deadlines, series links, groups and the
    /// table of remembered operations (0 when all are off).
    pub flows_bytes: usize,
    /// What the door keeps: the standby line (32 bytes per
    /// [`Config::standby_max`](crate::Config::standby_max)) and, with more than one region,
    /// counts per region (about 100 bytes each).
    pub door_bytes: usize,
}

impl MemoryUse {
    /// All parts together.
    pub fn total_bytes(&self) -> usize {
        self.waiting_room_bytes
            + self.ledger_bytes
            + self.inventory_bytes
            + self.flows_bytes
            + self.door_bytes
    }
}
