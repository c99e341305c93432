//! The model's draws: who entered which cohort's draw, and the draw itself, which places the
//! entrants in line in [`draw_order`]'s order.
//!
//! The order is the one function the model takes from the engine: it is specified to the bit
//! in the engine's docs (SHA-256 and xoshiro256++) and checked there against published
//! vectors; what the model checks is everything around it: who enters, who is placed where,
//! who is told what.

use super::Model;
use fairbook::{
    CohortId, DrawEntry, DrawEntryError, DrawError, DrawRecord, DrawSecret, PersonId, Seq,
    Timestamp, draw_order,
};

/// One person in the draws' table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Entrant {
    /// Waits for `cohort`'s draw.
    Waiting(CohortId),
    /// Was in `cohort`'s draw when it was made.
    Drawn(CohortId),
    /// Turned away by the full pre-queue.
    TurnedAway,
}

impl Model {
    /// The cohort whose draw `person` waits for.
    pub(super) fn in_draw(&self, person: PersonId) -> Option<CohortId> {
        match self.pre_queue.get(&person) {
            Some(&Entrant::Waiting(cohort)) => Some(cohort),
            _ => None,
        }
    }

    /// See [`Engine::enter_draw`](fairbook::Engine::enter_draw).
    ///
    /// # Errors
    /// As the engine's, in the same order.
    pub fn enter_draw(
        &mut self,
        person: PersonId,
        cohort: CohortId,
        now: Timestamp,
    ) -> Result<DrawEntry, DrawEntryError> {
        let now = self.check_call(now)?;
        if !person.is_valid() {
            return Err(DrawEntryError::InvalidPerson);
        }
        let Some(&window) = self.config.cohorts.get(cohort.as_index()) else {
            return Err(DrawEntryError::UnknownCohort { cohort });
        };
        if !window.draw {
            return Err(DrawEntryError::NoDraw { cohort });
        }
        if now >= window.opens_at {
            return Err(DrawEntryError::Opened {
                cohort,
                opens_at: window.opens_at,
            });
        }
        // A dependant shares their holder's place (the engine's table says so).
        if let Some(&seq) = self
            .place_of
            .get(&person)
            .or(self.dependant_of.get(&person))
        {
            return Err(DrawEntryError::AlreadyInLine { seq });
        }
        if self.drawn.contains(&cohort) {
            return Err(DrawEntryError::DrawMade { cohort });
        }
        let entry = DrawEntry {
            cohort,
            draw_at: window.opens_at,
            is_new: false,
        };
        match self.pre_queue.get(&person) {
            Some(Entrant::TurnedAway) => {
                return Err(DrawEntryError::Full {
                    pre_queue_max: self.config.pre_queue_max,
                });
            }
            Some(&Entrant::Waiting(entered) | &Entrant::Drawn(entered)) if entered != cohort => {
                return Err(DrawEntryError::InOtherDraw { cohort: entered });
            }
            Some(Entrant::Drawn(_)) => return Err(DrawEntryError::DrawMade { cohort }),
            Some(Entrant::Waiting(_)) => return Ok(entry),
            None => {}
        }
        let entered = self
            .pre_queue
            .values()
            .filter(|entrant| !matches!(entrant, Entrant::TurnedAway))
            .count();
        if entered >= self.config.pre_queue_max as usize {
            self.pre_queue.insert(person, Entrant::TurnedAway);
            return Err(DrawEntryError::Full {
                pre_queue_max: self.config.pre_queue_max,
            });
        }
        self.pre_queue.insert(person, Entrant::Waiting(cohort));
        Ok(DrawEntry {
            is_new: true,
            ..entry
        })
    }

    /// See [`Engine::draw`](fairbook::Engine::draw): the entrants, placed in the drawn order
    /// (people who hold a place keep it; once the room is full, the rest get none).
    ///
    /// # Errors
    /// As the engine's, in the same order.
    pub fn draw(
        &mut self,
        cohort: CohortId,
        secret: &DrawSecret,
        now: Timestamp,
    ) -> Result<DrawRecord, DrawError> {
        let now = self.check_call(now)?;
        let Some(&window) = self.config.cohorts.get(cohort.as_index()) else {
            return Err(DrawError::UnknownCohort { cohort });
        };
        if !window.draw {
            return Err(DrawError::NoDraw { cohort });
        }
        if now < window.opens_at {
            return Err(DrawError::TooEarly {
                opens_at: window.opens_at,
            });
        }
        if self.drawn.contains(&cohort) {
            return Err(DrawError::AlreadyDrawn { cohort });
        }
        self.drawn.push(cohort);
        let mut entrants: Vec<PersonId> = self
            .pre_queue
            .iter()
            .filter(|&(_, &entrant)| entrant == Entrant::Waiting(cohort))
            .map(|(&person, _)| person)
            .collect();
        entrants.sort_unstable();
        for person in &entrants {
            self.pre_queue.insert(*person, Entrant::Drawn(cohort));
        }
        let drawn = draw_order(secret, cohort, &entrants);
        let first = Seq::new(self.line.len() as u64);
        let scope = self.normalized(window.scope);
        let mut placed = 0;
        for &person in &drawn {
            if self.place_of.contains_key(&person) || self.dependant_of.contains_key(&person) {
                continue;
            }
            if self.new_place(person, scope).is_some() {
                placed += 1;
            }
        }
        Ok(DrawRecord {
            cohort,
            entrants,
            drawn,
            placed,
            first,
        })
    }
}
