//! The two checks every verb that takes a seat makes before it touches the inventory, shared
//! so that each verb names only its own error: the choice list ([`ChoiceProblem`]) and the
//! person's lock ([`Engine::lock_to_book`], refused with a [`Turned`]).
//!
//! `lock_to_book` is where a booking call meets the rule "only an admitted person with a live
//! lease takes a seat" for every verb at once (`reserve`, `hold`, `rebook`, `book_series`,
//! `book_group`): it takes the person's busy bit, gives back the holds whose deadline passed
//! (their expiry, found on touch), then checks the lease.

use super::Engine;
use crate::error::{GroupError, HoldError, RebookError, ReserveError, SeriesError};
use crate::ids::{PersonId, Seq, SlotId};
use crate::time::Timestamp;
use crate::waiting_room::{AdmittedGuard, Locked, Refusal};

/// What is wrong with a choice list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ChoiceProblem {
    Empty,
    TooMany { given: usize, max: usize },
    Unknown { slot: SlotId },
}

/// Why [`Engine::lock_to_book`] gives no guard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Turned {
    Unknown,
    Dependant {
        holder: Seq,
    },
    Waiting {
        seq: Seq,
        ahead: u64,
    },
    /// On standby: the door offers them a seat when one frees up in their scope.
    Standby {
        seq: Seq,
    },
    Released,
    Lapsed {
        at: Timestamp,
    },
}

impl From<Refusal> for Turned {
    fn from(refusal: Refusal) -> Turned {
        match refusal {
            Refusal::Unknown => Turned::Unknown,
            Refusal::Dependant { holder } => Turned::Dependant { holder },
            Refusal::Released { .. } => Turned::Released,
            Refusal::Lapsed { at, .. } => Turned::Lapsed { at },
        }
    }
}

impl Engine {
    /// Validates a choice list and starts loading its slots' cells: they do not depend on the
    /// person, so their cache misses overlap the person lookup instead of following it.
    #[inline]
    pub(super) fn check_choices(&self, choices: &[SlotId]) -> Result<(), ChoiceProblem> {
        if choices.is_empty() {
            return Err(ChoiceProblem::Empty);
        }
        if choices.len() > self.config.choices_max {
            return Err(ChoiceProblem::TooMany {
                given: choices.len(),
                max: self.config.choices_max,
            });
        }
        for &slot in choices {
            if !self.inventory.contains(slot) {
                return Err(ChoiceProblem::Unknown { slot });
            }
            self.inventory.prefetch(slot);
        }
        Ok(())
    }

    /// Takes the busy bit of an admitted person whose lease is live at `now`, after giving
    /// back their expired holds: the gate of every verb that takes a seat.
    #[inline]
    pub(super) fn lock_to_book(
        &self,
        person: PersonId,
        ticket: Option<Seq>,
        now: Timestamp,
    ) -> Result<AdmittedGuard<'_>, Turned> {
        let mut guard = match self.room.lock(person, ticket, now) {
            Ok(Locked::Admitted(guard)) => guard,
            Ok(Locked::Waiting(guard)) => {
                return Err(Turned::Waiting {
                    seq: guard.seq(),
                    ahead: guard.ahead(),
                });
            }
            Ok(Locked::Standby(guard)) => return Err(Turned::Standby { seq: guard.seq() }),
            Err(refusal) => return Err(refusal.into()),
        };
        self.expire_holds(&mut guard, now);
        if !guard.is_lease_live(now) {
            return Err(Turned::Lapsed {
                at: guard.lease_until(),
            });
        }
        Ok(guard)
    }
}

// A person on standby holds no booking and has no live lease: `reserve` says so
// (`OnStandby`); the flows, which standby excludes in `Config` (holds, series, groups) or
// which need a booking (rebook), tell them they are not admitted to book (nobody ahead).
macro_rules! from_gate {
    ($($error:ident => $standby:expr),*) => {$(
        impl From<ChoiceProblem> for $error {
            fn from(problem: ChoiceProblem) -> $error {
                match problem {
                    ChoiceProblem::Empty => $error::EmptyChoice,
                    ChoiceProblem::TooMany { given, max } => $error::TooManyChoices { given, max },
                    ChoiceProblem::Unknown { slot } => $error::UnknownSlot { slot },
                }
            }
        }

        impl From<Turned> for $error {
            fn from(turned: Turned) -> $error {
                match turned {
                    Turned::Unknown => $error::UnknownPerson,
                    Turned::Dependant { holder } => $error::Dependant { holder },
                    Turned::Waiting { seq, ahead } => $error::NotAdmitted { seq, ahead },
                    #[allow(clippy::redundant_closure_call)]
                    Turned::Standby { seq } => ($standby)(seq),
                    Turned::Released => $error::PlaceReleased,
                    Turned::Lapsed { at } => $error::LeaseLapsed { at },
                }
            }
        }
    )*};
}

from_gate!(
    ReserveError => |_| ReserveError::OnStandby,
    HoldError => |seq| HoldError::NotAdmitted { seq, ahead: 0 },
    RebookError => |seq| RebookError::NotAdmitted { seq, ahead: 0 },
    SeriesError => |seq| SeriesError::NotAdmitted { seq, ahead: 0 },
    GroupError => |seq| GroupError::NotAdmitted { seq, ahead: 0 }
);
