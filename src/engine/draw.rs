//! The pre-queue draw on the façade: people who come before a cohort's opening enter its
//! draw ([`Engine::enter_draw`]); at the opening the service makes the draw
//! ([`Engine::draw`]) with the secret it committed to, and the entrants are placed in line in
//! the drawn order, everyone after them in arrival order.
//!
//! The order itself is a pure function of the secret, the cohort and the entrants
//! ([`draw_order`], specified in `waiting_room/draw.rs`), so that anyone can recompute it from
//! the published record once the secret is revealed.

use super::Engine;
use crate::error::{DrawEntryError, DrawError};
use crate::ids::{CohortId, PersonId};
use crate::record::Record;
use crate::status::DrawEntry;
use crate::time::Timestamp;
use crate::waiting_room::{DrawRecord, DrawSecret, EntryRefusal, draw_order};

impl Engine {
    /// A person who comes before the opening of a cohort with a draw
    /// ([`CohortWindow::draw`](crate::CohortWindow::draw)) enters it: at the opening they are
    /// placed in line in the draw's seeded random order, ahead of everyone who comes after the
    /// opening. Idempotent: another device of the same person gets `is_new: false`. Their
    /// `status` is [`Status::InDraw`](crate::Status::InDraw) until the draw.
    ///
    /// Lock-free, like `enqueue`: one probe of the draws' own table.
    ///
    /// State change: the person entered into the cohort's draw (recorded as
    /// [`Record::DrawEntered`](crate::Record::DrawEntered)).
    ///
    /// # Errors
    /// Nothing changed: [`DrawEntryError::TimeWentBackwards`],
    /// [`DrawEntryError::TimeTooFarAhead`], [`DrawEntryError::InvalidPerson`],
    /// [`DrawEntryError::UnknownCohort`], [`DrawEntryError::NoDraw`],
    /// [`DrawEntryError::Opened`] (join with `enqueue`), [`DrawEntryError::AlreadyInLine`],
    /// [`DrawEntryError::DrawMade`], [`DrawEntryError::InOtherDraw`],
    /// [`DrawEntryError::Full`], [`DrawEntryError::Crowded`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, CohortWindow, Config, DrawSecret, Engine, PersonId, Status, Timestamp};
    /// let opening = Timestamp::from_secs(9 * 3_600);
    /// let config = Config { cohorts: vec![CohortWindow::opening_at(opening).with_draw()], ..Config::default() };
    /// let engine = Engine::new(config)?;
    /// let cohort = CohortId::new(0);
    /// let secret = DrawSecret::from_bytes([0x5e; 32]); // from the OS's random source
    /// let commitment = secret.commitment(); // published now
    ///
    /// let early = Timestamp::from_secs(8 * 3_600 + 59 * 60);
    /// for id in 1..=3 {
    ///     assert!(engine.enter_draw(PersonId::new(id), cohort, early).unwrap().is_new);
    /// }
    /// assert!(matches!(engine.status(PersonId::new(2), early), Ok(Status::InDraw { .. })));
    ///
    /// let record = engine.draw(cohort, &secret, opening).unwrap();
    /// assert_eq!(record.placed, 3);
    /// // Anyone, after the secret is revealed:
    /// assert!(commitment.verify(&secret) && record.verify(&secret));
    /// // The drawn go first; a person who comes after the opening joins behind them.
    /// let late = engine.enqueue(PersonId::new(4), cohort, opening).unwrap();
    /// assert_eq!(late.seq.as_u64(), 3);
    /// # Ok::<(), fairbook::ConfigError>(())
    /// ```
    pub fn enter_draw(
        &self,
        person: PersonId,
        cohort: CohortId,
        now: Timestamp,
    ) -> Result<DrawEntry, DrawEntryError> {
        let now = self.clock.check_call(now)?;
        if !person.is_valid() {
            return Err(DrawEntryError::InvalidPerson);
        }
        let Some(window) = self.config.cohorts.get(cohort.as_index()) else {
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
        if let Some(seq) = self.room.place_of(person) {
            return Err(DrawEntryError::AlreadyInLine { seq });
        }
        match self.room.pre_queue().enter(person, cohort) {
            Ok(is_new) => {
                if is_new {
                    // After the entry: a draw that closed meanwhile collected it (see
                    // `PreQueue::enter`), and a replay that finds the draw made passes it.
                    self.recorder
                        .record(|| Record::DrawEntered { person, cohort });
                }
                Ok(DrawEntry {
                    cohort,
                    draw_at: window.opens_at,
                    is_new,
                })
            }
            Err(EntryRefusal::Closed) => Err(DrawEntryError::DrawMade { cohort }),
            Err(EntryRefusal::Full) => Err(DrawEntryError::Full {
                pre_queue_max: self.config.pre_queue_max,
            }),
            Err(EntryRefusal::Crowded) => Err(DrawEntryError::Crowded),
            Err(EntryRefusal::OtherCohort(cohort)) => Err(DrawEntryError::InOtherDraw { cohort }),
        }
    }

    /// Makes a cohort's draw at its opening: its entrants, by ascending id, are shuffled with
    /// `secret` ([`draw_order`]) and placed in line in that order, at the back, one place each
    /// (a person who holds a place already keeps it). From then on the cohort's first joins
    /// come in behind them, in arrival order; until then they get
    /// [`EnqueueError::DrawPending`](crate::EnqueueError::DrawPending).
    ///
    /// Publish the record and reveal the secret after the draw: anyone can check the
    /// commitment published before and recompute the order ([`DrawRecord::verify`]).
    ///
    /// **Control path:** serialised with the door (the advance lock); allocates the record.
    ///
    /// State change (recorded as one [`Record::Joined`](crate::Record::Joined) per place drawn,
    /// in the drawn order, then [`Record::Drawn`](crate::Record::Drawn) with the secret): the
    /// cohort's entrants placed in line in the drawn order, and the cohort
    /// opened to first joins.
    ///
    /// # Errors
    /// Nothing changed: [`DrawError::TimeWentBackwards`], [`DrawError::TimeTooFarAhead`],
    /// [`DrawError::UnknownCohort`], [`DrawError::NoDraw`], [`DrawError::TooEarly`],
    /// [`DrawError::AlreadyDrawn`].
    ///
    /// # Example
    /// See [`Engine::enter_draw`].
    pub fn draw(
        &self,
        cohort: CohortId,
        secret: &DrawSecret,
        now: Timestamp,
    ) -> Result<DrawRecord, DrawError> {
        let _door = self.advance.lock();
        let now = self.clock.check_call(now)?;
        let Some(window) = self.config.cohorts.get(cohort.as_index()) else {
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
        let pre_queue = self.room.pre_queue();
        if pre_queue.is_closed(cohort) {
            return Err(DrawError::AlreadyDrawn { cohort });
        }
        let mut entrants = pre_queue.close(cohort);
        entrants.sort_unstable();
        let drawn = draw_order(secret, cohort, &entrants);
        // Each place drawn is recorded as a join, in the drawn order, then the draw itself.
        let (placed, first) = self.room.place_drawn(&drawn, self.room.cohort_tag(cohort));
        self.recorder.record(|| Record::Drawn {
            cohort,
            secret: *secret.as_bytes(),
        });
        pre_queue.mark_placed(cohort);
        Ok(DrawRecord {
            cohort,
            entrants,
            drawn,
            placed,
            first,
        })
    }
}
