//! The model's standby: who is on it (the places in stage `Standby`, by place), the door's
//! offers and their lapses, the gate that keeps a seat for the person on standby before the
//! booker, and the seat-aware door's counts.

use super::{Model, Stage};
use fairbook::{
    Area, PersonId, RegionId, Scope, Seq, SlotFilter, SlotId, StandbyError, Standing, Timestamp,
};

/// Whether people of these two scopes may book the same seats.
fn overlap(one: Scope, other: Scope) -> bool {
    one == Scope::Everywhere || other == Scope::Everywhere || one == other
}

/// The seat-aware door's counts for one turn: free seats and claims per scope.
pub(super) struct DoorSeats {
    /// `(scope, claims)`: active people and people on standby, per scope.
    claims: Vec<(Scope, u64)>,
    /// Free seats per region.
    free: Vec<(RegionId, u64)>,
    claims_total: u64,
    free_total: u64,
}

impl DoorSeats {
    fn claims_of(&self, scope: Scope) -> u64 {
        self.claims
            .iter()
            .filter(|&&(claimant, _)| claimant == scope)
            .map(|&(_, claims)| claims)
            .sum()
    }

    /// Whether a person with `scope` has a seat nobody admitted before may take; if so they
    /// become a claim.
    pub(super) fn admit(&mut self, scope: Scope) -> bool {
        let room_overall = self.free_total > self.claims_total;
        let room_in_scope = match scope {
            Scope::Region(region) => {
                let free = self
                    .free
                    .iter()
                    .find(|&&(own, _)| own == region)
                    .map_or(0, |&(_, free)| free);
                free > self.claims_of(scope) + self.claims_of(Scope::Everywhere)
            }
            _ => true,
        };
        if !(room_overall && room_in_scope) {
            return false;
        }
        self.claims.push((scope, 1));
        self.claims_total += 1;
        true
    }
}

impl Model {
    /// Everyone on standby, by place.
    pub(super) fn standing(&self) -> impl Iterator<Item = (Seq, Scope)> + '_ {
        self.line
            .iter()
            .enumerate()
            .filter(|(_, place)| place.stage == Stage::Standby)
            .map(|(raw, place)| (Seq::new(raw as u64), place.scope))
    }

    fn region_of_slot(&self, slot: SlotId) -> Option<RegionId> {
        self.region_of(self.slots[slot.as_index()].spec.site)
    }

    /// The gate: someone on standby before `seq` may book `slot`.
    pub(super) fn standby_ahead(&self, seq: Seq, slot: SlotId) -> bool {
        let region = self.region_of_slot(slot);
        self.standing()
            .take_while(|&(standing, _)| standing < seq)
            .any(|(_, scope)| match scope {
                Scope::Region(own) => Some(own) == region,
                _ => true,
            })
    }

    /// See [`Engine::standby`](fairbook::Engine::standby).
    ///
    /// # Errors
    /// As the engine's, in the same order.
    pub fn standby(&mut self, person: PersonId, now: Timestamp) -> Result<Standing, StandbyError> {
        let now = self.check_call(now)?;
        let &seq = self
            .place_of
            .get(&person)
            .ok_or(StandbyError::UnknownPerson)?;
        let place = self.place(seq);
        let scope = place.scope;
        match place.stage {
            Stage::Waiting => {
                return Err(StandbyError::NotAdmitted {
                    seq,
                    ahead: self.waiting_ahead(seq),
                });
            }
            Stage::Standby => {
                return Ok(Standing {
                    seq,
                    ahead: self.standby_ahead_count(seq, scope),
                });
            }
            Stage::Left | Stage::Done | Stage::Moved => return Err(StandbyError::PlaceReleased),
            Stage::Lapsed => {
                return Err(StandbyError::LeaseLapsed {
                    at: place.lease_until,
                });
            }
            Stage::Leased if !place.cells.is_empty() => return Err(StandbyError::HoldsBooking),
            Stage::Leased if now >= place.lease_until => {
                return Err(StandbyError::LeaseLapsed {
                    at: place.lease_until,
                });
            }
            Stage::Leased => {}
        }
        if let Some(slot) = place.offer {
            return Err(StandbyError::OfferPending {
                slot,
                until: place.lease_until,
            });
        }
        let in_line = self.standing().count() + self.offers_recorded.len();
        if in_line >= self.config.standby_max as usize {
            return Err(StandbyError::LineFull {
                standby_max: self.config.standby_max,
            });
        }
        if !self.is_scope_sold_out(scope) {
            return Err(StandbyError::SeatsFree);
        }
        self.place_mut(seq).stage = Stage::Standby;
        Ok(Standing {
            seq,
            ahead: self.standby_ahead_count(seq, scope),
        })
    }

    fn standby_ahead_count(&self, seq: Seq, scope: Scope) -> u64 {
        self.standing()
            .take_while(|&(standing, _)| standing < seq)
            .filter(|&(_, other)| overlap(scope, other))
            .count() as u64
    }

    /// The door's turn for standby: offers past their deadline lapse (their seats go back),
    /// offers booked or given back are forgotten, then each person on standby, by place, whose
    /// scope has a free seat is offered the first the search finds there, until `until`.
    /// Returns `(offered, lapsed)`.
    pub(super) fn offer_freed_seats(&mut self, now: Timestamp, until: Timestamp) -> (u64, u64) {
        let mut lapsed = 0;
        let recorded = core::mem::take(&mut self.offers_recorded);
        for seq in recorded {
            let place = self.place(seq);
            let Some(held) = place.offer.filter(|_| place.stage == Stage::Leased) else {
                continue;
            };
            if now < place.lease_until {
                self.offers_recorded.push(seq);
                continue;
            }
            self.give_back(held, 1);
            let place = self.place_mut(seq);
            place.offer = None;
            place.stage = Stage::Lapsed;
            lapsed += 1;
        }
        let mut offered = 0;
        let standing: Vec<(Seq, Scope)> = self.standing().collect();
        for (seq, scope) in standing {
            if self.is_scope_sold_out(scope) {
                continue;
            }
            let area = match scope {
                Scope::Region(region) => Area::Region(region),
                _ => Area::Everywhere,
            };
            let found = self
                .search(&SlotFilter::in_area(area))
                .expect("a place's scope is a valid area");
            let Some(view) = found.first() else {
                continue;
            };
            self.slots[view.id.as_index()].taken += 1;
            let place = self.place_mut(seq);
            place.stage = Stage::Leased;
            place.offer = Some(view.id);
            place.lease_until = until;
            self.offers_recorded.push(seq);
            offered += 1;
        }
        (offered, lapsed)
    }

    /// The seat-aware door's counts now: free seats per region and in all, claims per scope.
    pub(super) fn door_seats(&self) -> DoorSeats {
        let mut claims: Vec<(Scope, u64)> = Vec::new();
        for place in &self.line {
            if place.is_active() || place.stage == Stage::Standby {
                claims.push((place.scope, 1));
            }
        }
        let claims_total = claims.len() as u64;
        let free: Vec<(RegionId, u64)> = (0..self.config.regions_max)
            .map(|raw| RegionId::new(raw as u16))
            .map(|region| {
                let free = self
                    .free_seats(&SlotFilter::region(region))
                    .expect("a region of the engine");
                (region, free)
            })
            .collect();
        let free_total = free.iter().map(|&(_, free)| free).sum();
        DoorSeats {
            claims,
            free,
            claims_total,
            free_total,
        }
    }
}
