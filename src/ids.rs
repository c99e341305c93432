//! Identifier newtypes: who ([`PersonId`]), which eligibility group ([`CohortId`]), where
//! ([`SiteId`], grouped into [`RegionId`]s), what ([`SlotId`], with its [`Day`] and
//! [`Window`]) and in which order ([`Seq`]).
//!
//! Each id is a plain `Copy` newtype so that a person can never be passed where a slot is
//! expected. Raw integers appear only at the index site, through the `as_*` accessors.

use core::fmt;

/// A person, as the service identifies them.
///
/// The service derives this from a verified identity (for example a keyed hash of a national
/// id), so the engine never sees personal data. Two devices of the same person must present
/// the same `PersonId`: that is what lets the engine give them one place.
///
/// `PersonId::RESERVED` (`u64::MAX`) is not a valid person: the engine rejects it with a
/// typed error, because it uses that value internally to mark free table cells.
///
/// # Example
/// ```
/// use fairbook::PersonId;
/// let person = PersonId::new(42);
/// assert_eq!(person.as_u64(), 42);
/// assert!(person.is_valid());
/// assert!(!PersonId::RESERVED.is_valid());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PersonId(u64);

impl PersonId {
    /// The one value that is not a person (`u64::MAX`).
    pub const RESERVED: PersonId = PersonId(u64::MAX);

    /// Wraps a raw id.
    pub const fn new(raw: u64) -> PersonId {
        PersonId(raw)
    }

    /// The raw id.
    pub const fn as_u64(self) -> u64 {
        self.0
    }

    /// `false` only for [`PersonId::RESERVED`].
    pub const fn is_valid(self) -> bool {
        self.0 != u64::MAX
    }
}

impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "person {}", self.0)
    }
}

/// An eligibility group (for example an age band) with its own joining window.
///
/// Cohorts are numbered from 0 in the order of [`Config::cohorts`](crate::Config::cohorts).
///
/// # Example
/// ```
/// use fairbook::CohortId;
/// assert_eq!(CohortId::new(3).as_index(), 3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CohortId(u16);

impl CohortId {
    /// Wraps a raw cohort number.
    pub const fn new(raw: u16) -> CohortId {
        CohortId(raw)
    }

    /// The raw cohort number.
    pub const fn as_u16(self) -> u16 {
        self.0
    }

    /// The cohort number as an index into [`Config::cohorts`](crate::Config::cohorts).
    pub const fn as_index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for CohortId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cohort {}", self.0)
    }
}

/// A place where bookings are served (a clinic, a venue).
///
/// # Example
/// ```
/// use fairbook::SiteId;
/// assert_eq!(SiteId::new(7).as_u32(), 7);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SiteId(u32);

impl SiteId {
    /// Wraps a raw site number.
    pub const fn new(raw: u32) -> SiteId {
        SiteId(raw)
    }

    /// The raw site number.
    pub const fn as_u32(self) -> u32 {
        self.0
    }

    /// The site number as an index.
    pub const fn as_index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for SiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "site {}", self.0)
    }
}

/// A group of sites (a province, a city, a district) that people can be bound to: "I can only
/// book in Seoul". Each site belongs to exactly one region, declared when the site is added
/// ([`Engine::add_site`](crate::Engine::add_site)); a site never declared is in region 0.
///
/// Regions are numbered from 0 up to
/// [`Config::regions_max`](crate::Config::regions_max).
///
/// # Example
/// ```
/// use fairbook::RegionId;
/// assert_eq!(RegionId::new(3).as_index(), 3);
/// assert_eq!(RegionId::new(3).to_string(), "region 3");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionId(u16);

impl RegionId {
    /// Wraps a raw region number.
    pub const fn new(raw: u16) -> RegionId {
        RegionId(raw)
    }

    /// The raw region number.
    pub const fn as_u16(self) -> u16 {
        self.0
    }

    /// The region number as an index.
    pub const fn as_index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for RegionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "region {}", self.0)
    }
}

/// A day of the campaign, counted from 0.
///
/// # Example
/// ```
/// use fairbook::Day;
/// assert_eq!(Day::new(13).as_u16(), 13);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(u16);

impl Day {
    /// Wraps a raw day number.
    pub const fn new(raw: u16) -> Day {
        Day(raw)
    }

    /// The raw day number.
    pub const fn as_u16(self) -> u16 {
        self.0
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "day {}", self.0)
    }
}

/// A time window within a day (for example 0 = 09:00–10:00), counted from 0.
///
/// # Example
/// ```
/// use fairbook::Window;
/// assert_eq!(Window::new(7).as_u8(), 7);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Window(u8);

impl Window {
    /// Wraps a raw window number.
    pub const fn new(raw: u8) -> Window {
        Window(raw)
    }

    /// The raw window number.
    pub const fn as_u8(self) -> u8 {
        self.0
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "window {}", self.0)
    }
}

/// A bookable slot: one site, one day, one window, with a capacity.
///
/// Slot ids are dense, handed out from 0 by [`Engine::add_slot`](crate::Engine::add_slot) in
/// the order slots are added.
///
/// # Example
/// ```
/// use fairbook::SlotId;
/// assert_eq!(SlotId::new(5).as_index(), 5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SlotId(u32);

impl SlotId {
    /// Wraps a raw slot number.
    pub const fn new(raw: u32) -> SlotId {
        SlotId(raw)
    }

    /// The raw slot number.
    pub const fn as_u32(self) -> u32 {
        self.0
    }

    /// The slot number as an index.
    pub const fn as_index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for SlotId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "slot {}", self.0)
    }
}

/// A place in line: the dense admission sequence, handed out from 0 in join order.
///
/// Lower sequences are admitted first. A person keeps their `Seq` across devices, retries and
/// reconnects.
///
/// # Example
/// ```
/// use fairbook::Seq;
/// let first = Seq::new(0);
/// assert!(first < Seq::new(1));
/// assert_eq!(first.as_u64(), 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Seq(u64);

impl Seq {
    /// Wraps a raw sequence number.
    pub const fn new(raw: u64) -> Seq {
        Seq(raw)
    }

    /// The raw sequence number.
    pub const fn as_u64(self) -> u64 {
        self.0
    }

    /// The sequence number as an index into the admission ring.
    pub const fn as_index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}
