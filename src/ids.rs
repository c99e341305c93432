//! Identifier newtypes: who ([`PersonId`]), which eligibility group ([`CohortId`]), where
//! ([`SiteId`], grouped into [`RegionId`]s), what ([`SlotId`], with its [`Day`] and
//! [`Window`]), in which order ([`Seq`]), and which client operation ([`OpId`]).
//!
//! Each id is a plain `Copy` newtype so that a person can never be passed where a slot is
//! expected. Raw integers appear only at the index site, through the `as_*` accessors.
//!
//! At the edges of a service (a URL, a header, a JSON body, a log line) every id is its plain
//! decimal number: `Display` writes it, `FromStr` reads it back ([`ParseIdError`] otherwise),
//! `From` converts from and to the raw integer, and with the `serde` feature an id is
//! (de)serialized as that number. Messages that embed an id name what it is ("person 42",
//! "slot 5", "place 3").

use core::fmt;
use core::str::FromStr;

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
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
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
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
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

/// A place where bookings are served (a clinic, a venue).
///
/// # Example
/// ```
/// use fairbook::SiteId;
/// assert_eq!(SiteId::new(7).as_u32(), 7);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
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
/// assert_eq!(RegionId::new(3).to_string(), "3");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
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

/// A day of the campaign, counted from 0.
///
/// # Example
/// ```
/// use fairbook::Day;
/// assert_eq!(Day::new(13).as_u16(), 13);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
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

/// A time window within a day (for example 0 = 09:00–10:00), counted from 0.
///
/// # Example
/// ```
/// use fairbook::Window;
/// assert_eq!(Window::new(7).as_u8(), 7);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
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
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
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
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
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

/// Display, FromStr and the raw conversions every id shares: its plain decimal number.
macro_rules! plain_number_id {
    ($($id:ident($raw:ty) as $name:literal),* $(,)?) => {$(
        impl fmt::Display for $id {
            /// The plain number, so that `id.to_string().parse()` gives `id` back.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $id {
            type Err = ParseIdError;

            /// Reads the plain decimal number `Display` writes: ASCII digits only (no sign, no
            /// spaces), at most the id's largest value.
            fn from_str(text: &str) -> Result<$id, ParseIdError> {
                parse_digits(text, $name, u64::from(<$raw>::MAX))
                    // In range by the check above: the conversion cannot fail.
                    .map(|raw| $id(raw as $raw))
            }
        }

        impl From<$raw> for $id {
            fn from(raw: $raw) -> $id {
                $id(raw)
            }
        }

        impl From<$id> for $raw {
            fn from(id: $id) -> $raw {
                id.0
            }
        }
    )*};
}

plain_number_id!(
    PersonId(u64) as "person",
    CohortId(u16) as "cohort",
    SiteId(u32) as "site",
    Day(u16) as "day",
    Window(u8) as "window",
    SlotId(u32) as "slot",
    RegionId(u16) as "region",
    Seq(u64) as "place",
    OpId(u64) as "operation",
);

/// Parses ASCII decimal digits into a number no larger than `max`.
fn parse_digits(text: &str, id: &'static str, max: u64) -> Result<u64, ParseIdError> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(ParseIdError::NotANumber { id });
    }
    // Digits only, so the one way `parse` can fail is overflow.
    match text.parse::<u64>() {
        Ok(raw) if raw <= max => Ok(raw),
        _ => Err(ParseIdError::TooLarge { id, max }),
    }
}

/// A client's operation id: the idempotency key of one mutating call (as Stripe's
/// `Idempotency-Key` header and TigerBeetle's transfer ids are).
///
/// A service takes it from the request (a header, a field the client generates once per
/// user action and sends again with every retry) and passes it to
/// [`Engine::once`](crate::Engine::once). The engine remembers the answer of each successful
/// operation by id: a retry with the same id and the same arguments gets that answer back and
/// changes nothing; the same id with other arguments is an error.
///
/// Like every id it is its plain decimal number at the edges: an `Idempotency-Key: 7` header
/// parses into `OpId::new(7)`.
///
/// # Example
/// ```
/// use fairbook::OpId;
/// assert_eq!(OpId::new(7).as_u64(), 7);
/// let op: OpId = "7".parse()?;
/// assert_eq!((op, op.to_string()), (OpId::new(7), "7".to_owned()));
/// # Ok::<(), fairbook::ParseIdError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
pub struct OpId(u64);

impl OpId {
    /// Wraps a raw id.
    pub const fn new(raw: u64) -> OpId {
        OpId(raw)
    }

    /// The raw id.
    pub const fn as_u64(self) -> u64 {
        self.0
    }
}

/// Why a text is not an id, as the ids' `FromStr` reports it.
///
/// # Example
/// ```
/// use fairbook::{ParseIdError, PersonId, SlotId};
/// let person: PersonId = "42".parse()?;
/// assert_eq!(person, PersonId::new(42));
/// assert_eq!(person.to_string().parse::<PersonId>()?, person);
/// assert_eq!("-1".parse::<SlotId>(), Err(ParseIdError::NotANumber { id: "slot" }));
/// assert_eq!(
///     "4294967296".parse::<SlotId>(),
///     Err(ParseIdError::TooLarge { id: "slot", max: u64::from(u32::MAX) }),
/// );
/// # Ok::<(), ParseIdError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseIdError {
    /// The text is empty or holds something other than ASCII digits (a sign, a space, a
    /// letter).
    NotANumber {
        /// What kind of id was expected ("person", "slot", "place", ...).
        id: &'static str,
    },
    /// The number is larger than the id can hold.
    TooLarge {
        /// What kind of id was expected.
        id: &'static str,
        /// The largest value it holds.
        max: u64,
    },
}

impl ParseIdError {
    /// A stable machine code for the error: `"not_a_number"` or `"too_large"`.
    ///
    /// # Example
    /// ```
    /// use fairbook::PersonId;
    /// assert_eq!("x".parse::<PersonId>().unwrap_err().code(), "not_a_number");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            ParseIdError::NotANumber { .. } => "not_a_number",
            ParseIdError::TooLarge { .. } => "too_large",
        }
    }
}

impl fmt::Display for ParseIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseIdError::NotANumber { id } => {
                write!(f, "a {id} id is a plain decimal number, digits only")
            }
            ParseIdError::TooLarge { id, max } => {
                write!(f, "a {id} id is at most {max}")
            }
        }
    }
}

impl std::error::Error for ParseIdError {}
