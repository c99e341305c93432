//! [`StandbyLine`]: the admitted people who found no room and keep their turn (standby), in
//! place order, and the people the door has offered a seat to, with their deadlines.
//!
//! # Why a line of its own
//!
//! In the 2021 surge one freed seat let two people in: one of them was told "no room" and,
//! when their lease ran out, lost their turn for good, while a person behind them could get
//! the next seat. Here a person who finds no seat within their scope goes on standby: their
//! turn is kept (nothing lapses it), and the next seat that frees up within their scope is
//! offered to the earliest person on standby, before anyone behind them.
//!
//! # Protocol
//!
//! The line is a `Vec` under one mutex, taken on the control-like paths only: going on
//! standby, leaving it, and the door's turn (offers and their lapses). The booking path reads
//! two atomics instead:
//!
//! - `standing`, how many people are on standby: while it is zero (the common case) a
//!   booking pays one load of a line nobody writes;
//! - `floors[tag]`, the lowest place on standby per scope tag. A booking of a seat in a region
//!   by the person at place `p` is refused if someone on standby below `p` may book there:
//!   the seat is theirs first. The booking checks **after** taking its seat, and gives it
//!   back if refused; going on standby raises the floor, **then** checks that the scope has no
//!   free seat. Both sides are sequentially consistent, so of a booking and a standby that
//!   race, at least one sees the other: either the booking saw the floor (and gave the seat
//!   back, for the door to offer), or the standby saw the seat free (and was refused, with
//!   seats free to book).
//!
//! Lock order: the advance lock, then this mutex, then a person's busy bit. Nobody takes this
//! mutex while holding a busy bit.

use crossbeam_utils::CachePadded;
use parking_lot::{Mutex, MutexGuard};

use crate::ids::Seq;
use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::platform::sync::{AtomicU64, Ordering};
use crate::time::Timestamp;

pub(crate) struct StandbyLine {
    line: Mutex<Line>,
    /// People on standby now (not those offered a seat).
    standing: CachePadded<AtomicU64>,
    /// Per scope tag: the lowest place on standby with that tag, plus one; 0 for none.
    floors: Box<[AtomicU64]>,
    /// What [`StandbyLine::new`] allocated.
    bytes: usize,
}

/// The line itself, under the mutex.
pub(crate) struct Line {
    /// On standby: `(place, scope tag)`, by place.
    standing: Vec<(Seq, u16)>,
    /// Offered a seat: `(place, deadline)`, in the order offered.
    offers: Vec<(Seq, Timestamp)>,
    /// The most entries both hold together.
    capacity: usize,
}

/// The line is full: [`Config::standby_max`](crate::Config::standby_max) people are on
/// standby or hold an offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LineFull;

impl StandbyLine {
    /// A line of at most `capacity` people, for places with `tags` scope tags.
    pub(crate) fn new(capacity: u32, tags: usize) -> Result<StandbyLine, AllocError> {
        let capacity = capacity as usize;
        let mut standing = Vec::new();
        standing
            .try_reserve_exact(capacity)
            .map_err(|_| AllocError {
                bytes: capacity * size_of::<(Seq, u16)>(),
            })?;
        let mut offers = Vec::new();
        offers.try_reserve_exact(capacity).map_err(|_| AllocError {
            bytes: capacity * size_of::<(Seq, Timestamp)>(),
        })?;
        Ok(StandbyLine {
            line: Mutex::new(Line {
                standing,
                offers,
                capacity,
            }),
            standing: CachePadded::new(AtomicU64::new(0)),
            floors: try_boxed_slice(tags.max(1), Pages::Normal, || AtomicU64::new(0))?,
            bytes: Self::bytes_for(capacity as u32, tags),
        })
    }

    /// What [`StandbyLine::new`] allocates.
    pub(crate) fn bytes_for(capacity: u32, tags: usize) -> usize {
        capacity as usize * (size_of::<(Seq, u16)>() + size_of::<(Seq, Timestamp)>())
            + tags.max(1) * size_of::<AtomicU64>()
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        self.bytes
    }

    /// How many scope tags the line tells apart (1 when places keep none).
    pub(crate) fn tags(&self) -> usize {
        self.floors.len()
    }

    /// Takes the line's mutex.
    pub(crate) fn lock(&self) -> StandbyLock<'_> {
        StandbyLock {
            owner: self,
            line: self.line.lock(),
        }
    }

    /// Whether anyone is on standby (one load; never `false` while someone is).
    #[inline]
    pub(crate) fn anyone_standing(&self) -> bool {
        self.standing.load(Ordering::SeqCst) != 0
    }

    /// People on standby now (a snapshot).
    pub(crate) fn standing_count(&self) -> u64 {
        self.standing.load(Ordering::SeqCst)
    }

    /// The lowest place on standby with scope `tag`.
    #[inline]
    pub(crate) fn floor(&self, tag: u16) -> Option<Seq> {
        let raw = self.floors.get(usize::from(tag))?.load(Ordering::SeqCst);
        raw.checked_sub(1).map(Seq::new)
    }
}

/// The line, locked.
pub(crate) struct StandbyLock<'a> {
    owner: &'a StandbyLine,
    line: MutexGuard<'a, Line>,
}

impl StandbyLock<'_> {
    /// Puts `seq` on standby with scope `tag`. The caller holds the person's busy bit, and
    /// checks the scope for free seats **after** this (see the module docs).
    pub(crate) fn stand(&mut self, seq: Seq, tag: u16) -> Result<(), LineFull> {
        if self.line.standing.len() + self.line.offers.len() >= self.line.capacity {
            return Err(LineFull);
        }
        let at = self
            .line
            .standing
            .partition_point(|&(standing, _)| standing < seq);
        self.line.standing.insert(at, (seq, tag));
        self.owner.standing.fetch_add(1, Ordering::SeqCst);
        self.update_floor(tag);
        Ok(())
    }

    /// Takes `seq` off standby (it leaves, or is offered a seat).
    pub(crate) fn leave(&mut self, seq: Seq) {
        let Some(at) = self
            .line
            .standing
            .iter()
            .position(|&(standing, _)| standing == seq)
        else {
            debug_assert!(false, "place {seq} left a standby it was not on");
            return;
        };
        let (_, tag) = self.line.standing.remove(at);
        self.owner.standing.fetch_sub(1, Ordering::SeqCst);
        self.update_floor(tag);
    }

    fn update_floor(&self, tag: u16) {
        let lowest = self
            .line
            .standing
            .iter()
            .find(|&&(_, standing)| standing == tag)
            .map_or(0, |&(seq, _)| seq.as_u64() + 1);
        if let Some(floor) = self.owner.floors.get(usize::from(tag)) {
            floor.store(lowest, Ordering::SeqCst);
        }
    }

    /// Everyone on standby, by place, with their tags.
    pub(crate) fn standing(&self) -> &[(Seq, u16)] {
        &self.line.standing
    }

    /// People on standby before `seq` whose tag `matches`.
    pub(crate) fn ahead_of(&self, seq: Seq, matches: impl Fn(u16) -> bool) -> u64 {
        self.line
            .standing
            .iter()
            .take_while(|&&(standing, _)| standing < seq)
            .filter(|&&(_, tag)| matches(tag))
            .count() as u64
    }

    /// Whether the line holds `standby_max` people on standby or with an offer.
    pub(crate) fn is_full(&self) -> bool {
        self.line.standing.len() + self.line.offers.len() >= self.line.capacity
    }

    /// Records that `seq` was offered a seat until `deadline` (the caller took them off
    /// standby first).
    pub(crate) fn note_offer(&mut self, seq: Seq, deadline: Timestamp) {
        debug_assert!(self.line.standing.len() + self.line.offers.len() < self.line.capacity);
        self.line.offers.push((seq, deadline));
    }

    /// Forgets the offers for which `done` says so.
    pub(crate) fn forget_offers(&mut self, mut done: impl FnMut(Seq, Timestamp) -> bool) {
        self.line
            .offers
            .retain(|&(seq, deadline)| !done(seq, deadline));
    }

    /// Places on standby and places with a recorded offer, for the audit: `(standing by
    /// place, offers by place)`.
    pub(crate) fn snapshot(&self) -> (Vec<(Seq, u16)>, Vec<Seq>) {
        let mut offers: Vec<Seq> = self.line.offers.iter().map(|&(seq, _)| seq).collect();
        offers.sort_unstable();
        (self.line.standing.clone(), offers)
    }

    /// Checks the atomics against the line, for the audit: `(what, recorded, counted)`.
    pub(crate) fn audit(&self) -> Option<(&'static str, i64, i64)> {
        let standing = self.owner.standing.load(Ordering::SeqCst) as i64;
        if standing != self.line.standing.len() as i64 {
            return Some((
                "people on standby",
                standing,
                self.line.standing.len() as i64,
            ));
        }
        for (tag, floor) in self.owner.floors.iter().enumerate() {
            let lowest = self
                .line
                .standing
                .iter()
                .find(|&&(_, standing)| usize::from(standing) == tag)
                .map_or(0, |&(seq, _)| seq.as_u64() + 1);
            let recorded = floor.load(Ordering::SeqCst);
            if recorded != lowest {
                return Some((
                    "lowest place on standby of a scope",
                    recorded as i64,
                    lowest as i64,
                ));
            }
        }
        None
    }
}
