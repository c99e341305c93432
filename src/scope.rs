//! [`Scope`]: where a person may book. A cohort has one
//! ([`CohortWindow::scope`](crate::CohortWindow::scope)) and a person may be given their own
//! when they join ([`Engine::enqueue_in`](crate::Engine::enqueue_in)).
//!
//! Inside the engine a scope travels as a 16-bit tag kept per place (0 for everywhere, the
//! region's id + 1 otherwise), so that the waiting room can store it without knowing what a
//! region is.

use core::fmt;

use crate::ids::RegionId;

/// Where a person may book: anywhere, or only at the sites of one region ("I can only book in
/// Seoul"). "Sold out" is said to a person as soon as their scope has no free seat, and they
/// cannot book outside it.
///
/// A set of sites is a scope once it is declared a region: add the sites to a region of their
/// own ([`Engine::add_site`](crate::Engine::add_site)).
///
/// # Example
/// ```
/// use fairbook::{RegionId, Scope};
/// let seoul = Scope::Region(RegionId::new(1));
/// assert!(seoul.covers(RegionId::new(1)) && !seoul.covers(RegionId::new(2)));
/// assert!(Scope::Everywhere.covers(RegionId::new(2)));
/// assert_eq!(Scope::default(), Scope::Everywhere);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Scope {
    /// Every slot of the inventory.
    #[default]
    Everywhere,
    /// The slots of one region's sites.
    Region(RegionId),
}

impl Scope {
    /// Whether a slot in `region` is within this scope.
    pub const fn covers(&self, region: RegionId) -> bool {
        match self {
            Scope::Everywhere => true,
            Scope::Region(own) => own.as_u16() == region.as_u16(),
        }
    }

    /// The tag a place keeps: 0 for everywhere, the region's id + 1.
    pub(crate) const fn tag(self) -> u16 {
        match self {
            Scope::Everywhere => 0,
            Scope::Region(region) => region.as_u16() + 1,
        }
    }

    /// The scope a tag stands for.
    pub(crate) const fn from_tag(tag: u16) -> Scope {
        match tag {
            0 => Scope::Everywhere,
            tag => Scope::Region(RegionId::new(tag - 1)),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Everywhere => write!(f, "everywhere"),
            Scope::Region(region) => write!(f, "region {region}"),
        }
    }
}
