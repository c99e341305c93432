//! What both kinds of run keep about each person while it plays ([`PersonRecord`], counted by
//! [`Phase`] in [`Tally`]), and how an admitted person books ([`book`] over [`Seats`]): their
//! ranked list first, then the nearest slot with room in their cohort's days ([`FreeSeats`]).

use crate::fairness::PersonOutcome;
use crate::placement::BookedPlace;
use fairbook::{PersonId, SlotId, Timestamp};

use super::arrivals::slot_index;
use super::{Arrivals, PersonPlan};

/// How many of the sites nearest a person's wanted place are searched, day by day, for a
/// slot with room when all their choices are taken, before any site of their cohort's days
/// will do: 32 clinics cover about 300 km² of the reference map. The arrivals keep this
/// many for everyone.
const FALLBACK_NEAREST_SITES: usize = super::arrivals::NEAREST_SITES_KEPT;

/// Where a person is in their story.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Their first device has not come yet.
    NotArrived,
    /// Arrived, but kept out of the line for now: a pre-queue before the opening, a lottery
    /// before the draw, or (2021 baseline) refreshing before the opening.
    Held,
    /// In line.
    Waiting,
    /// Let in; has not booked yet.
    Admitted,
    /// Holds a booking.
    Booked,
    /// Out of the story: gave up, found nothing, lapsed, or gave their booking back.
    Gone,
}

impl Phase {
    const COUNT: usize = 6;

    fn index(self) -> usize {
        self as usize
    }
}

/// How many people are in each phase.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Tally([u64; Phase::COUNT]);

impl Tally {
    pub(crate) fn of(&self, phase: Phase) -> u64 {
        self.0[phase.index()]
    }

    /// Booked or gone: nothing more will happen to them but a release.
    pub(crate) fn settled(&self) -> u64 {
        self.of(Phase::Booked) + self.of(Phase::Gone)
    }

    pub(crate) fn in_line(&self) -> u64 {
        self.of(Phase::Held) + self.of(Phase::Waiting)
    }
}

/// What a run reads of a person at almost every event: kept apart from the rest of their
/// record, three bytes a person, so that the checks stay in cache. With the whole record
/// (64 bytes a person, 96 MB at full scale) every reconnect's "still in line?" was a miss
/// to memory: a tenth of a run.
#[derive(Clone, Copy, Debug)]
struct Hot {
    phase: Phase,
    /// Gave up without a word: still holds their place, but does nothing any more.
    silent: bool,
    devices_arrived: u8,
}

/// What ends up in a person's outcome row.
#[derive(Clone, Debug)]
pub(crate) struct PersonRecord {
    pub(crate) admitted_at: Option<Timestamp>,
    pub(crate) admit_rank: Option<u64>,
    pub(crate) got_choice: Option<u8>,
    pub(crate) bounces: u32,
    pub(crate) bypass_booking: bool,
    pub(crate) found_sold_out: bool,
    pub(crate) booking: Option<BookedPlace>,
}

/// Everyone's records, with the phase tally kept in step.
pub(crate) struct People {
    hot: Vec<Hot>,
    records: Vec<PersonRecord>,
    tally: Tally,
}

impl People {
    pub(crate) fn new(len: usize) -> People {
        let hot = Hot {
            phase: Phase::NotArrived,
            silent: false,
            devices_arrived: 0,
        };
        let record = PersonRecord {
            admitted_at: None,
            admit_rank: None,
            got_choice: None,
            bounces: 0,
            bypass_booking: false,
            found_sold_out: false,
            booking: None,
        };
        let mut tally = Tally::default();
        tally.0[Phase::NotArrived.index()] = len as u64;
        People {
            hot: vec![hot; len],
            records: vec![record; len],
            tally,
        }
    }

    pub(crate) fn get_mut(&mut self, person: u32) -> &mut PersonRecord {
        &mut self.records[person as usize]
    }

    pub(crate) fn phase(&self, person: u32) -> Phase {
        self.hot[person as usize].phase
    }

    pub(crate) fn set_phase(&mut self, person: u32, phase: Phase) {
        let hot = &mut self.hot[person as usize];
        self.tally.0[hot.phase.index()] -= 1;
        self.tally.0[phase.index()] += 1;
        hot.phase = phase;
    }

    /// Gave up without a word.
    pub(crate) fn is_silent(&self, person: u32) -> bool {
        self.hot[person as usize].silent
    }

    pub(crate) fn set_silent(&mut self, person: u32) {
        self.hot[person as usize].silent = true;
    }

    /// Held or waiting, and has not silently given up: their devices are still busy.
    pub(crate) fn is_active_in_line(&self, person: u32) -> bool {
        let hot = self.hot[person as usize];
        matches!(hot.phase, Phase::Held | Phase::Waiting) && !hot.silent
    }

    /// How many of the person's devices have made their first join.
    pub(crate) fn devices_arrived(&self, person: u32) -> u8 {
        self.hot[person as usize].devices_arrived
    }

    /// One more of the person's devices made its first join.
    pub(crate) fn device_arrived(&mut self, person: u32) {
        self.hot[person as usize].devices_arrived += 1;
    }

    pub(crate) fn tally(&self) -> Tally {
        self.tally
    }

    /// Marks everyone still in line as having found the inventory gone, and returns how many
    /// are still in line.
    pub(crate) fn close_line(&mut self, sold_out: bool) -> u64 {
        let mut still_waiting = 0;
        for (hot, record) in self.hot.iter().zip(&mut self.records) {
            if matches!(hot.phase, Phase::Held | Phase::Waiting) {
                still_waiting += 1;
                record.found_sold_out |= sold_out;
            }
        }
        still_waiting
    }

    pub(crate) fn found_sold_out_count(&self) -> u64 {
        self.records
            .iter()
            .filter(|record| record.found_sold_out)
            .count() as u64
    }

    pub(crate) fn into_outcomes(self, arrivals: &Arrivals) -> Vec<PersonOutcome> {
        self.records
            .into_iter()
            .enumerate()
            .map(|(join_rank, record)| PersonOutcome {
                admitted_at: record.admitted_at,
                admit_rank: record.admit_rank,
                bounces: record.bounces,
                got_choice: record.got_choice,
                bypass_booking: record.bypass_booking,
                found_sold_out: record.found_sold_out,
                booking: record.booking,
                ..arrivals.blank_outcome(join_rank)
            })
            .collect()
    }
}

/// What a booking attempt came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reserved {
    /// Booked the choice at this rank.
    Booked { slot: SlotId, rank: u8 },
    /// None of the choices had room.
    NoRoom,
    /// Refused for another reason (not admitted, lease expired, ...).
    Refused,
}

/// The inventory as a run books it: the engine, or the baseline's naive counters.
pub(crate) trait Seats {
    /// Books the first of `choices` with room.
    fn reserve(&mut self, person: PersonId, choices: &[SlotId], now: Timestamp) -> Reserved;
}

/// How an admitted person's booking ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BookOutcome {
    /// Got a slot: `choice` is its rank in their list, or the list's length for "another
    /// slot", the nearest with room.
    Got { slot: SlotId, choice: u8 },
    /// Nothing was left in their cohort's days.
    SoldOut,
    /// Refused by the waiting room.
    Refused,
    /// The run's count of free places said a slot had room and the inventory said it had
    /// not: a bug of the simulator, counted.
    Mismatch,
}

/// Free places as the run knows them (it sees every booking and every release), by slot, by
/// site and day, and by day, so that the nearest slot with room is found without asking the
/// inventory slot by slot. The inventory still has the last word: it books.
pub(crate) struct FreeSeats {
    free: Vec<u32>,
    site_day_free: Vec<u32>,
    day_free: Vec<u64>,
    /// Per day: no site before this one has room that day.
    day_cursor: Vec<u32>,
    sites: u32,
    days: u16,
    windows: u8,
    nearest: Vec<u32>,
}

impl FreeSeats {
    pub(crate) fn new(arrivals: &Arrivals) -> FreeSeats {
        let inventory = &arrivals.scenario().inventory;
        let days = inventory.days;
        let mut seats = FreeSeats {
            free: arrivals.slots().iter().map(|slot| slot.capacity).collect(),
            site_day_free: vec![0; inventory.sites as usize * usize::from(days)],
            day_free: vec![0; usize::from(days)],
            day_cursor: vec![0; usize::from(days)],
            sites: inventory.sites,
            days,
            windows: inventory.windows,
            nearest: Vec::with_capacity(FALLBACK_NEAREST_SITES),
        };
        for spec in arrivals.slots() {
            let site_day =
                spec.site.as_u32() as usize * usize::from(days) + usize::from(spec.day.as_u16());
            seats.site_day_free[site_day] += spec.capacity;
            seats.day_free[usize::from(spec.day.as_u16())] += u64::from(spec.capacity);
        }
        seats
    }

    fn site_day(&self, slot: SlotId) -> (usize, usize) {
        let per_site = u32::from(self.days) * u32::from(self.windows);
        let site = slot.as_u32() / per_site;
        let day = (slot.as_u32() % per_site) / u32::from(self.windows);
        (
            site as usize * usize::from(self.days) + day as usize,
            day as usize,
        )
    }

    /// A seat of `slot` was booked.
    pub(crate) fn took(&mut self, slot: SlotId) {
        let (site_day, day) = self.site_day(slot);
        self.free[slot.as_index()] -= 1;
        self.site_day_free[site_day] -= 1;
        self.day_free[day] -= 1;
    }

    /// A seat of `slot` was given back.
    pub(crate) fn given_back(&mut self, slot: SlotId) {
        let (site_day, day) = self.site_day(slot);
        self.free[slot.as_index()] += 1;
        self.site_day_free[site_day] += 1;
        self.day_free[day] += 1;
        let site = (site_day / usize::from(self.days)) as u32;
        self.day_cursor[day] = self.day_cursor[day].min(site);
    }

    /// `true` if the slot has a free seat.
    pub(crate) fn has_room(&self, slot: SlotId) -> bool {
        self.free.get(slot.as_index()).is_some_and(|&free| free > 0)
    }

    /// Places left in the days `first_day .. first_day + days`.
    pub(crate) fn free_in_days(&self, first_day: u16, days: u16) -> u64 {
        self.day_free[usize::from(first_day)..usize::from(first_day + days)]
            .iter()
            .sum()
    }

    /// The slot a person whose choices are all taken books: on their wanted day, then each
    /// later day, then each earlier one of their cohort's days, at the nearest of their
    /// [`FALLBACK_NEAREST_SITES`] nearest sites with room, in a wanted window if one has
    /// room; failing that, the first site with room on those days.
    pub(crate) fn nearest_with_room(
        &mut self,
        arrivals: &Arrivals,
        join_rank: u32,
    ) -> Option<SlotId> {
        let plan = &arrivals.people()[join_rank as usize];
        let cohort = &arrivals.scenario().cohorts[plan.cohort.as_index()];
        if self.free_in_days(cohort.first_day, cohort.days) == 0 {
            return None;
        }
        let wanted = plan.wanted_day.as_u16();
        let end = cohort.first_day + cohort.days;
        let days: Vec<u16> = (wanted..end)
            .chain((cohort.first_day..wanted).rev())
            .collect();
        arrivals.nearest_sites(
            join_rank as usize,
            FALLBACK_NEAREST_SITES,
            &mut self.nearest,
        );
        for &day in &days {
            for index in 0..self.nearest.len() {
                let site = self.nearest[index];
                if let Some(slot) = self.window_with_room(arrivals, plan, site, day) {
                    return Some(slot);
                }
            }
        }
        for &day in &days {
            let day_index = usize::from(day);
            if self.day_free[day_index] == 0 {
                continue;
            }
            while self.day_cursor[day_index] < self.sites {
                let site = self.day_cursor[day_index];
                if let Some(slot) = self.window_with_room(arrivals, plan, site, day) {
                    return Some(slot);
                }
                self.day_cursor[day_index] += 1;
            }
        }
        None
    }

    /// A window of `(site, day)` with room, a wanted one first.
    fn window_with_room(
        &self,
        arrivals: &Arrivals,
        plan: &PersonPlan,
        site: u32,
        day: u16,
    ) -> Option<SlotId> {
        if self.site_day_free[site as usize * usize::from(self.days) + usize::from(day)] == 0 {
            return None;
        }
        let inventory = &arrivals.scenario().inventory;
        let wanted = |window: &u8| plan.wanted_windows & (1u64 << window) != 0;
        let windows = (0..self.windows)
            .filter(wanted)
            .chain((0..self.windows).filter(|window| !wanted(window)));
        windows
            .map(|window| SlotId::new(slot_index(inventory, site, day, window)))
            .find(|&slot| self.has_room(slot))
    }
}

/// An admitted person books: their ranked list first; if every listed slot is taken, the
/// nearest slot with room in their cohort's days (as a person who must get *something*
/// would).
pub(crate) fn book(
    seats: &mut impl Seats,
    free: &mut FreeSeats,
    arrivals: &Arrivals,
    join_rank: u32,
    now: Timestamp,
) -> BookOutcome {
    let plan = &arrivals.people()[join_rank as usize];
    let choices = arrivals.choices(join_rank as usize);
    match seats.reserve(plan.person, choices, now) {
        Reserved::Booked { slot, rank } => {
            free.took(slot);
            BookOutcome::Got { slot, choice: rank }
        }
        Reserved::Refused => BookOutcome::Refused,
        Reserved::NoRoom => match free.nearest_with_room(arrivals, join_rank) {
            None => BookOutcome::SoldOut,
            Some(slot) => match seats.reserve(plan.person, &[slot], now) {
                Reserved::Booked { slot, .. } => {
                    free.took(slot);
                    BookOutcome::Got {
                        slot,
                        choice: choices.len() as u8,
                    }
                }
                Reserved::Refused => BookOutcome::Refused,
                Reserved::NoRoom => BookOutcome::Mismatch,
            },
        },
    }
}
