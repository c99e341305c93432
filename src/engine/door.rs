//! The seat-aware door ([`Config::seat_aware_door`](crate::Config::seat_aware_door)): it never
//! lets in more people than there are seats they could book.
//!
//! # The rule
//!
//! At each turn the door counts, per scope, the free seats and the *claims* on them: people
//! admitted who have not booked yet (active) and people on standby. The next person in line,
//! with scope `S`, is admitted only if `S` has more free seats than the claims of everyone who
//! may book there (people bound to `S`, and people who may book anywhere), and the inventory as
//! a whole more free seats than all claims; each admission adds a claim. Then for every set of
//! scopes, the people who may book only within it are no more than its free seats (Hall's
//! condition for regions and "everywhere"), so each of them could get a seat. Admission stays
//! in join order: the door waits at a person whose scope has no seat for them, and nobody
//! behind them goes first ([`DoorStall::NoSeat`]).
//!
//! # Under concurrency
//!
//! The counts are read while people book: active counts first, then free seats, so that a
//! booking in flight between the two reads is counted as a claim and not as a free seat (the
//! door then admits one fewer, never one more). A seat being given back may be counted free a
//! moment before it is: the person admitted for it finds it free by the time they book, or
//! goes on standby.

use crate::config::Config;
use crate::ids::RegionId;
use crate::inventory::{Inventory, SlotFilter};
use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::status::DoorStall;
use crate::waiting_room::{StandbyLock, WaitingRoom};

/// Free seats and claims per scope tag, for one turn of the door.
pub(super) struct SeatCounts {
    /// Per tag: claims (active + on standby). Tag 0 is "everywhere".
    claims: Box<[u64]>,
    /// Per tag above 0: free seats in the tag's region. Index 0 unused.
    free: Box<[u64]>,
    claims_total: u64,
    free_total: u64,
}

impl SeatCounts {
    /// Buffers for an engine with `config` (allocated once, with the engine).
    pub(super) fn new(config: &Config) -> Result<SeatCounts, AllocError> {
        let tags = tags(config);
        Ok(SeatCounts {
            claims: try_boxed_slice(tags, Pages::Normal, || 0)?,
            free: try_boxed_slice(tags, Pages::Normal, || 0)?,
            claims_total: 0,
            free_total: 0,
        })
    }

    pub(super) fn bytes_for(config: &Config) -> usize {
        2 * tags(config) * size_of::<u64>()
    }

    /// Counts claims and free seats now (the caller holds the advance lock and `line`).
    pub(super) fn count(
        &mut self,
        room: &WaitingRoom,
        line: &StandbyLock<'_>,
        inventory: &Inventory,
    ) {
        // Claims first (see the module docs).
        self.claims.fill(0);
        if self.claims.len() > 1 {
            for (tag, claims) in self.claims.iter_mut().enumerate() {
                *claims = room.active_of_tag(tag as u16);
            }
        } else {
            self.claims[0] = room.active_count();
        }
        for &(_, tag) in line.standing() {
            self.claims[usize::from(tag)] += 1;
        }
        self.claims_total = self.claims.iter().sum();
        self.free_total = 0;
        if self.free.len() > 1 {
            for tag in 1..self.free.len() {
                let region = RegionId::new((tag - 1) as u16);
                let free = inventory
                    .free_seats(&SlotFilter::region(region))
                    .unwrap_or(0);
                self.free[tag] = free;
                self.free_total += free;
            }
        } else {
            self.free_total = inventory.free_seats(&SlotFilter::everywhere()).unwrap_or(0);
        }
    }

    /// Whether the next person, with scope tag `tag`, has a seat nobody else admitted may
    /// take; if so they are counted as a claim.
    pub(super) fn admit(&mut self, tag: u16) -> bool {
        let tag = usize::from(tag);
        let room_overall = self.free_total > self.claims_total;
        let room_in_scope = tag == 0 || self.free[tag] > self.claims[tag] + self.claims[0];
        if !(room_overall && room_in_scope) {
            return false;
        }
        self.claims[tag] += 1;
        self.claims_total += 1;
        true
    }
}

/// Scope tags of an engine: everywhere, and one per region when places keep tags.
pub(super) fn tags(config: &Config) -> usize {
    if super::scope::tagged(config) {
        config.regions_max as usize + 1
    } else {
        1
    }
}

/// A stall as the door stores it for `status`: 0 for none.
pub(super) fn stall_code(stall: Option<DoorStall>) -> u64 {
    match stall {
        None => 0,
        Some(DoorStall::ActiveCap) => 1,
        Some(DoorStall::NoSeat) => 2,
        Some(DoorStall::SoldOut) => 3,
        Some(DoorStall::NoRate) => 4,
    }
}

/// The stall a code stands for.
pub(super) fn stall_of(code: u64) -> Option<DoorStall> {
    match code {
        0 => None,
        1 => Some(DoorStall::ActiveCap),
        2 => Some(DoorStall::NoSeat),
        3 => Some(DoorStall::SoldOut),
        _ => Some(DoorStall::NoRate),
    }
}
