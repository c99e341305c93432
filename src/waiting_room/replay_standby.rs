//! The waiting room's side of recovery for scopes, standby and the pre-queue draw (the records
//! from tag 32 up, and the snapshot section they need; see `engine/recovery_inventory.rs`).
//!
//! Kept apart from `replay.rs`, which replays the core records, so that each grows on its own.

use super::WaitingRoom;
use super::person_state::Phase;
use super::pre_queue::PreQueue;
use crate::ids::{CohortId, PersonId, Seq};

impl WaitingRoom {
    /// A first join whose place keeps scope tag `tag`.
    pub(crate) fn replay_join_tagged(
        &self,
        person: PersonId,
        seq: Seq,
        tag: u16,
    ) -> Result<(), &'static str> {
        if tag != 0 && !self.keeps_tags() {
            return Err("a scope, but the engine has one region");
        }
        if usize::from(tag) >= self.standby.tags() {
            return Err("the scope names a region past regions_max");
        }
        self.replay_join(person, seq)?;
        // Single-threaded replay: the tag may follow the publication.
        self.tags.set(seq, tag);
        Ok(())
    }

    /// Whether places keep scope tags (more than one scope).
    pub(crate) fn keeps_tags(&self) -> bool {
        self.tags.is_kept()
    }

    /// Every place's scope tag, in place order (empty when places keep none).
    pub(crate) fn export_tags(&self) -> impl Iterator<Item = u16> + '_ {
        let places = if self.keeps_tags() {
            self.ring.claimed_count()
        } else {
            0
        };
        (0..places).map(|raw| self.tags.get(Seq::new(raw)))
    }

    /// Gives restored places their tags, before [`WaitingRoom::import_places`] counts the
    /// active people of each scope.
    pub(crate) fn import_tags(&self, tags: &[u16]) -> Result<(), &'static str> {
        if !tags.is_empty() && !self.keeps_tags() {
            return Err("scope tags, but the engine has one region");
        }
        if tags.len() as u64 > self.ring.len() {
            return Err("more scope tags than people_max");
        }
        for (raw, &tag) in tags.iter().enumerate() {
            if usize::from(tag) >= self.standby.tags() {
                return Err("a scope tag names a region past regions_max");
            }
            self.tags.set(Seq::new(raw as u64), tag);
        }
        Ok(())
    }

    /// Rebuilds the standby line from restored places: everyone on standby, in place order,
    /// and every seat held for an offered person, with its deadline.
    pub(crate) fn rebuild_standby(&self) -> Result<(), &'static str> {
        let mut line = self.standby.lock();
        for raw in 0..self.ring.claimed_count() {
            let seq = Seq::new(raw);
            let state = self.ring.state(seq);
            if state.phase() == Phase::Standby {
                line.stand(seq, self.tags.get(seq))
                    .map_err(|_| "more people on standby than standby_max")?;
            } else if state.is_offered() {
                if line.is_full() {
                    return Err("more people with an offer than standby_max");
                }
                line.note_offer(seq, state.deadline());
            }
        }
        Ok(())
    }
}

impl PreQueue {
    /// The entries of cohorts whose draw is still open, by person (a snapshot's order: the
    /// table's own order depends on the order of entry).
    pub(crate) fn export_open(&self) -> Vec<(PersonId, CohortId)> {
        let mut open: Vec<(PersonId, CohortId)> = self
            .entries()
            .filter(|&(_, cohort)| !self.is_closed(cohort))
            .collect();
        open.sort_unstable();
        open
    }
}
