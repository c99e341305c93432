//! The engine-backed run: FIFO, shuffle and lottery played on the real [`Engine`], with time
//! injected by the event queue.
//!
//! Every client action is an engine call at the event's time: a device's join, a reconnect
//! or a bot's retry is [`Engine::enqueue`] (and must return the person's one place), a bypass
//! attempt is [`Engine::reserve`] by someone not admitted (and must be refused), a person who
//! gives up by leaving calls [`Engine::release`], and the outflow timer calls
//! [`Engine::advance_with_policy`] and learns who was let in from [`Engine::admitted_in`]. The
//! simulator itself only holds each cohort's pre-queue (and, under a lottery, its
//! registrations) until the opening or the draw, then enqueues them in the policy's order:
//! see [`Policy`].

use fairbook::{Engine, EnqueueError, PersonId, ReserveError, Seq, SlotId, Timestamp};

use super::arrivals::Dice;
use super::clients::Clients;
use super::events::{Event, EventQueue};
use super::people::{self, BookOutcome, FreeSeats, People, Phase, Reserved, Seats};
use super::policy::{Admissions, Entrant, Tick, draw_rng};
use super::run::SeriesRecorder;
use super::{
    Arrivals, Draw, DrawSecret, Policy, Progress, Room, Run, RunSummary, Scenario, ScenarioError,
};

/// `places[person]` before the person has a place.
const NO_PLACE: u64 = u64::MAX;

/// Plays `policy` on the engine.
pub(crate) fn run_on_engine(
    arrivals: &Arrivals,
    policy: &dyn Policy,
    progress: &mut dyn FnMut(Progress),
) -> Result<Run, ScenarioError> {
    let scenario = arrivals.scenario();
    let engine = Engine::new(scenario.engine_config())?;
    for spec in arrivals.slots() {
        engine
            .add_slot(*spec)
            .map_err(|_| ScenarioError::InventoryOutOfRange {
                slots: arrivals.slots().len() as u64,
            })?;
    }
    let people = arrivals.len();
    let mut run = EngineRun {
        arrivals,
        scenario,
        policy,
        engine,
        events: EventQueue::with_capacity(people * 3),
        people: People::new(people),
        places: vec![NO_PLACE; people],
        person_at: Vec::with_capacity(people),
        held: vec![Vec::new(); scenario.cohorts.len()],
        holding: vec![true; scenario.cohorts.len()],
        summary: RunSummary::new(
            policy.name(),
            arrivals.seed(),
            people as u64,
            scenario.cohorts.len(),
        ),
        series: SeriesRecorder::new(scenario.series_interval_ms),
        draws: Vec::new(),
        secret: DrawSecret::for_simulation(arrivals.seed()),
        dice: Dice::new(arrivals.seed()),
        free: FreeSeats::new(arrivals),
        next_admit_rank: 0,
        pending_books: 0,
        pending_releases: 0,
        admitted_now: Vec::new(),
        active: 0,
    };
    run.summary.active_cap = scenario.outflow.active_max;
    // Published before anyone arrives (the first event is at time 0 at the earliest).
    if policy.draws() {
        run.summary.commitment = Some(run.secret.commitment());
    }
    run.schedule_start();
    let ended_at = run.play(progress);
    Ok(run.finish(ended_at))
}

/// A run on the engine: the engine itself, the places it handed out, and what the simulator
/// holds back until each cohort's opening or draw.
struct EngineRun<'a> {
    arrivals: &'a Arrivals,
    scenario: &'a Scenario,
    policy: &'a dyn Policy,
    engine: Engine,
    events: EventQueue,
    people: People,
    /// The place each person holds (as `Seq::as_u64`), or [`NO_PLACE`].
    places: Vec<u64>,
    /// The person (join rank) at each place.
    person_at: Vec<u32>,
    /// Per cohort: people kept out of the line until the opening or the draw, in join-rank
    /// order (some may have given up since).
    held: Vec<Vec<u32>>,
    /// Per cohort: whether arrivals are still held.
    holding: Vec<bool>,
    summary: RunSummary,
    series: SeriesRecorder,
    draws: Vec<Draw>,
    /// The secret every ordering draws from; published (as a commitment) and revealed only
    /// if the policy draws.
    secret: DrawSecret,
    dice: Dice,
    /// Free places by slot, site-day and day, as the run's bookings left them.
    free: FreeSeats,
    next_admit_rank: u64,
    pending_books: u64,
    pending_releases: u64,
    /// Admitted people with a live lease who have not booked, as of the last tick.
    active: u64,
    /// Reused buffer for the people one tick lets in.
    admitted_now: Vec<(Seq, PersonId)>,
}

/// The engine seen as seats to book.
struct EngineSeats<'e> {
    engine: &'e Engine,
}

impl Seats for EngineSeats<'_> {
    fn reserve(&mut self, person: PersonId, choices: &[SlotId], now: Timestamp) -> Reserved {
        match self.engine.reserve(person, choices, now) {
            Ok(booking) => Reserved::Booked {
                slot: booking.slot,
                rank: booking.rank,
            },
            Err(ReserveError::NoRoom { .. }) => Reserved::NoRoom,
            Err(_) => Reserved::Refused,
        }
    }
}

/// The engine's side of the client behaviour: every join is an engine call that must return
/// the person's one place, and a bypass attempt must be refused.
impl<'a> Clients<'a> for EngineRun<'a> {
    fn arrivals(&self) -> &'a Arrivals {
        self.arrivals
    }

    fn scenario(&self) -> &'a Scenario {
        self.scenario
    }

    fn dice(&self) -> &Dice {
        &self.dice
    }

    fn people(&self) -> &People {
        &self.people
    }

    fn summary_mut(&mut self) -> &mut RunSummary {
        &mut self.summary
    }

    fn schedule(&mut self, at_ms: u64, event: Event) {
        self.events.schedule(at_ms, event);
    }

    fn reconnect_place(&mut self, person: u32, _device: u8, now: Timestamp) {
        // A held person's reconnect only refreshes the pre-queue page: there is no place yet.
        if self.people.phase(person) == Phase::Waiting {
            self.join(person, now);
        }
    }

    fn retry_place(&mut self, person: u32, now: Timestamp) {
        // However often a bot retries, the engine must hand back its one place.
        self.join(person, now);
    }

    /// Straight to the booking page without having been let in: the engine must refuse.
    fn try_bypass(&mut self, person: u32, now: Timestamp) {
        self.summary.bypass_attempts += 1;
        let id = self.arrivals.people()[person as usize].person;
        let choices = self.arrivals.choices(person as usize);
        if let Reserved::Booked { slot, rank } = self.seats().reserve(id, choices, now) {
            self.free.took(slot);
            self.summary.bypass_successes += 1;
            self.summary.bookings += 1;
            self.series.booked();
            let booking = self.arrivals.booked_place(person, slot);
            let record = self.people.get_mut(person);
            record.bypass_booking = true;
            record.got_choice = Some(rank);
            record.booking = booking;
            self.people.set_phase(person, Phase::Booked);
        }
    }
}

impl EngineRun<'_> {
    fn seats(&self) -> EngineSeats<'_> {
        EngineSeats {
            engine: &self.engine,
        }
    }

    /// Schedules the openings (and, under a lottery, the draws), every device's first join
    /// and the outflow timer.
    fn schedule_start(&mut self) {
        for (cohort, plan) in self.scenario.cohorts.iter().enumerate() {
            let cohort = cohort as u16;
            let opens_ms = plan.opens_at.as_millis();
            let release_ms = self
                .policy
                .release_at(plan, self.scenario)
                .as_millis()
                .max(opens_ms);
            if release_ms > opens_ms {
                self.events.schedule(release_ms, Event::Draw { cohort });
            } else {
                self.events.schedule(opens_ms, Event::Open { cohort });
            }
        }
        self.schedule_device_joins();
        self.events.schedule(0, Event::Tick);
    }

    /// Runs events until the run is over; returns when it ended.
    fn play(&mut self, progress: &mut dyn FnMut(Progress)) -> Timestamp {
        while let Some((at_ms, event)) = self.events.pop() {
            let now = Timestamp::from_millis(at_ms);
            self.summary.events += 1;
            match event {
                Event::Open { cohort } | Event::Draw { cohort } => self.let_in(cohort, now),
                Event::DeviceJoin { person, device } => self.device_join(person, device, now),
                Event::Reconnect {
                    person,
                    device,
                    count,
                } => self.reconnect(person, device, count, now),
                Event::BotRetry { person, count } => self.bot_retry(person, count, now),
                Event::Bypass { person, count } => self.bypass(person, count, now),
                Event::GiveUp { person } => self.give_up(person, now),
                Event::Book { person } => self.book(person, now),
                Event::ReleaseBooking { person } => self.release_booking(person, now),
                // The baseline's event; never scheduled here.
                Event::Rejoin { .. } => {}
                Event::Tick => {
                    if self.tick(now, progress) {
                        return now;
                    }
                }
            }
        }
        // Unreachable while the timer reschedules itself; kept total all the same.
        self.engine.stats().latest_time
    }

    /// The opening (FIFO, shuffle) or the draw (lottery) of a cohort: everyone held is
    /// enqueued, in join-rank order or in the drawn order.
    fn let_in(&mut self, cohort: u16, now: Timestamp) {
        let index = usize::from(cohort);
        self.holding[index] = false;
        let mut entrants = std::mem::take(&mut self.held[index]);
        entrants.retain(|&person| self.people.phase(person) == Phase::Held);
        let cohort_id = fairbook::CohortId::new(cohort);
        let people = self.arrivals.people();
        let mut ordered: Vec<Entrant<'_>> = entrants
            .iter()
            .map(|&join_rank| Entrant {
                join_rank,
                plan: &people[join_rank as usize],
            })
            .collect();
        self.policy
            .order(&mut ordered, &mut draw_rng(&self.secret, cohort_id));
        let drawn: Vec<u32> = ordered.iter().map(|entrant| entrant.join_rank).collect();
        if self.policy.draws() {
            let id = |&person: &u32| people[person as usize].person;
            self.draws.push(Draw {
                cohort: cohort_id,
                at: now,
                entrants: entrants.iter().map(id).collect(),
                drawn: drawn.iter().map(id).collect(),
            });
        }
        let entrants = drawn;
        for person in entrants {
            // Every device that arrived while held gets its place now; all get the same one.
            for _ in 0..self.people.devices_arrived(person) {
                self.join(person, now);
            }
        }
    }

    /// A device's first join: an engine join if its owner is in line, and reconnects from
    /// then on.
    fn device_join(&mut self, person: u32, device: u8, now: Timestamp) {
        self.summary.join_requests += 1;
        self.summary.device_joins += 1;
        self.people.device_arrived(person);
        match self.people.phase(person) {
            Phase::NotArrived => self.first_arrival(person, now),
            Phase::Waiting | Phase::Admitted => self.join(person, now),
            Phase::Held | Phase::Booked | Phase::Gone => {}
        }
        if self.is_active_in_line(person) {
            self.schedule_reconnect(person, device, 0, now);
        }
    }

    /// A person's first device arrives: they join the line, or are held until the opening
    /// or the draw.
    fn first_arrival(&mut self, person: u32, now: Timestamp) {
        self.schedule_own_moves(person, now);
        let cohort = self.arrivals.people()[person as usize].cohort.as_index();
        if self.summary.cohort_sold_out_at[cohort].is_some() && !self.cohort_has_room(cohort) {
            // The service's front page: this group's appointments are gone.
            self.people.get_mut(person).found_sold_out = true;
            self.people.set_phase(person, Phase::Gone);
        } else if self.holding[cohort] {
            self.people.set_phase(person, Phase::Held);
            self.held[cohort].push(person);
        } else {
            self.join(person, now);
        }
    }

    /// One engine join for this person; checks that they keep their one place.
    fn join(&mut self, person: u32, now: Timestamp) {
        let plan = &self.arrivals.people()[person as usize];
        match self.engine.enqueue(plan.person, plan.cohort, now) {
            Ok(place) => {
                let seq = place.seq.as_u64();
                let known = self.places[person as usize];
                if known == NO_PLACE {
                    if !place.is_new || seq != self.person_at.len() as u64 {
                        self.summary.unexpected_errors += 1;
                    }
                    self.places[person as usize] = seq;
                    self.person_at.push(person);
                    self.people.set_phase(person, Phase::Waiting);
                } else if known != seq {
                    self.summary.place_changes += 1;
                }
            }
            Err(EnqueueError::SoldOut) => {
                self.people.get_mut(person).found_sold_out = true;
                self.people.set_phase(person, Phase::Gone);
            }
            // Their turn came and went, or they gave their place back: a late device finds
            // the page telling them so.
            Err(EnqueueError::LeaseLapsed { .. } | EnqueueError::PlaceReleased { .. }) => {}
            Err(_) => self.summary.unexpected_errors += 1,
        }
    }

    /// A person's patience runs out: they leave (the engine is told), or leave their tab
    /// open.
    fn give_up(&mut self, person: u32, now: Timestamp) {
        if !self.is_active_in_line(person) {
            return;
        }
        self.summary.gave_up += 1;
        let plan = &self.arrivals.people()[person as usize];
        if plan.leaves_silently {
            // The place stays in line (in the pre-queue, or the engine's); when its turn
            // comes, the lease lapses.
            self.people.set_silent(person);
        } else if self.people.phase(person) == Phase::Held {
            self.people.set_phase(person, Phase::Gone);
        } else {
            match self.engine.release(plan.person, now) {
                Ok(released) if released.was_waiting => {
                    self.people.set_phase(person, Phase::Gone);
                }
                _ => self.summary.unexpected_errors += 1,
            }
        }
    }

    /// The outflow timer: lets people in, samples the line; returns `true` when the run is
    /// over.
    fn tick(&mut self, now: Timestamp, progress: &mut dyn FnMut(Progress)) -> bool {
        self.summary.ticks += 1;
        let tick = Tick {
            now,
            in_line: self.people.tally().in_line(),
            active: self.active,
            admitted_total: self.summary.admitted,
            sold_out: self.engine.is_sold_out(),
            scenario: self.scenario,
        };
        let advanced = match self.policy.admissions(&tick) {
            Admissions::Outflow(outflow) => self.engine.advance_with_policy(now, &outflow),
            Admissions::UpTo(how_many) => self.engine.advance(now, how_many),
        };
        match advanced {
            Ok(advanced) => {
                self.summary.lapsed += advanced.lapsed;
                self.admitted_now.clear();
                let admitted = self.engine.admitted_in(&advanced);
                self.admitted_now
                    .extend(admitted.expect("an advance of this engine lists its own admissions"));
                for index in 0..self.admitted_now.len() {
                    let (seq, id) = self.admitted_now[index];
                    // The engine admits only places it handed out, to the person it handed
                    // them to; anything else is counted, not trusted.
                    match self.person_at.get(seq.as_index()) {
                        Some(&person) if self.arrivals.people()[person as usize].person == id => {
                            self.admit(person, now);
                        }
                        _ => self.summary.unexpected_errors += 1,
                    }
                }
            }
            Err(_) => self.summary.unexpected_errors += 1,
        }
        let active = self.engine.stats().active_admitted;
        self.active = active;
        self.summary.active_max_observed = self.summary.active_max_observed.max(active);
        self.series.active(active);
        let sold_out = self.engine.is_sold_out();
        if sold_out && self.summary.sold_out_at.is_none() {
            self.summary.sold_out_at = Some(now);
        }
        let tally = self.people.tally();
        let in_line = tally.in_line();
        if self
            .series
            .close_due(now.as_millis(), in_line, in_line, &self.summary)
        {
            progress(Progress {
                now,
                settled: tally.settled(),
                people: self.summary.people,
            });
        }

        let stalled = self.scenario.outflow.stop_when_sold_out && sold_out;
        let line_done = tally.of(Phase::Waiting) == 0 || stalled;
        let over = tally.of(Phase::NotArrived) == 0
            && tally.of(Phase::Held) == 0
            && line_done
            && active == 0
            && self.pending_books == 0
            && self.pending_releases == 0;
        if over || now >= self.scenario.horizon {
            return true;
        }
        let next_ms = now.as_millis() + self.scenario.tick_ms;
        self.events.schedule(next_ms, Event::Tick);
        false
    }

    /// The engine let a person in: they book after thinking, unless they silently gave up.
    fn admit(&mut self, person: u32, now: Timestamp) {
        self.people.set_phase(person, Phase::Admitted);
        let silent = self.people.is_silent(person);
        let record = self.people.get_mut(person);
        record.admitted_at = Some(now);
        record.admit_rank = Some(self.next_admit_rank);
        self.next_admit_rank += 1;
        self.summary.admitted += 1;
        self.series.admitted();
        if !silent {
            let think_ms = self.arrivals.people()[person as usize].think_ms;
            self.events
                .schedule(now.as_millis() + think_ms, Event::Book { person });
            self.pending_books += 1;
        }
    }

    /// An admitted person, done thinking, books.
    fn book(&mut self, person: u32, now: Timestamp) {
        self.pending_books -= 1;
        if self.people.phase(person) != Phase::Admitted {
            return;
        }
        let plan = &self.arrivals.people()[person as usize];
        let mut seats = EngineSeats {
            engine: &self.engine,
        };
        let outcome = people::book(&mut seats, &mut self.free, self.arrivals, person, now);
        match outcome {
            BookOutcome::Got { slot, choice } => {
                let booking = self.arrivals.booked_place(person, slot);
                let record = self.people.get_mut(person);
                record.got_choice = Some(choice);
                record.booking = booking;
                self.people.set_phase(person, Phase::Booked);
                self.note_sold_out(plan.cohort.as_index(), now);
                self.summary.bookings += 1;
                self.series.booked();
                if let Some(after_ms) = plan.releases_after_ms {
                    self.events
                        .schedule(now.as_millis() + after_ms, Event::ReleaseBooking { person });
                    self.pending_releases += 1;
                }
            }
            BookOutcome::SoldOut => {
                self.people.get_mut(person).found_sold_out = true;
                self.people.set_phase(person, Phase::Gone);
            }
            BookOutcome::Refused | BookOutcome::Mismatch => {
                self.summary.unexpected_errors += 1;
                self.people.set_phase(person, Phase::Gone);
            }
        }
    }

    /// `true` while the cohort's days have a free place.
    fn cohort_has_room(&self, cohort: usize) -> bool {
        let plan = &self.scenario.cohorts[cohort];
        self.free.free_in_days(plan.first_day, plan.days) > 0
    }

    /// Records when a cohort's days were first fully booked.
    fn note_sold_out(&mut self, cohort: usize, now: Timestamp) {
        if self.summary.cohort_sold_out_at[cohort].is_none() && !self.cohort_has_room(cohort) {
            self.summary.cohort_sold_out_at[cohort] = Some(now);
        }
    }

    /// A person gives their booking back: the engine frees the seat for those still looking.
    fn release_booking(&mut self, person: u32, now: Timestamp) {
        self.pending_releases -= 1;
        if self.people.phase(person) != Phase::Booked {
            return;
        }
        let id = self.arrivals.people()[person as usize].person;
        match self.engine.release(id, now) {
            Ok(released) => {
                for &slot in released.slots.as_slice() {
                    self.free.given_back(slot);
                }
                self.summary.bookings_released += 1;
                self.people.set_phase(person, Phase::Gone);
            }
            Err(_) => self.summary.unexpected_errors += 1,
        }
    }

    /// Closes the books on everyone still in line, audits the engine and hands the run over.
    fn finish(mut self, ended_at: Timestamp) -> Run {
        let sold_out = self.engine.is_sold_out();
        let in_line = self.people.tally().in_line();
        self.summary.still_waiting = self.people.close_line(sold_out);
        self.summary.found_sold_out = self.people.found_sold_out_count();
        self.summary.ended_at = ended_at;
        if self.policy.draws() {
            self.summary.revealed_secret = Some(self.secret);
        }
        // The engine recounts itself; what it holds must be what the run booked.
        let audit = self.engine.audit();
        let held = self.summary.bookings - self.summary.bookings_released;
        self.summary.audit_violations =
            audit.violations.len() as u64 + u64::from(audit.bookings != held);
        let series = self
            .series
            .finish(ended_at.as_millis(), in_line, in_line, &mut self.summary);
        Run {
            policy: self.policy.name().to_owned(),
            room: Room::Engine,
            outcomes: self.people.into_outcomes(self.arrivals),
            series,
            summary: self.summary,
            draws: self.draws,
        }
    }
}
