//! The "2021 baseline": a naive waiting room as people lived it in July 2021, simulated
//! without the engine, on the same arrivals and the same inventory as the engine-backed runs.
//!
//! Its line holds *places*, not people: a ticket per connection, handed out at the end of the
//! line to every device, every reconnect, every bot retry and every device coming back from a
//! bounce. A reconnect loses the device's old place. When a place's turn comes the page
//! bounces with some probability and the device starts again at the end; otherwise its owner
//! is let in (or, if they were let in through another device already, the turn is wasted).
//! The booking server trusts the client, so a bypass attempt after the opening books at once.
//! The door is metered like the engine's (the same admissions per second, the same cap on
//! active admitted people, nobody let in while everything is booked), so the difference in
//! the report comes from the waiting room's rules alone. See
//! [`BaselineRules`](super::BaselineRules).

use std::collections::VecDeque;

use fairbook::{OutflowPolicy, PersonId, SlotId, Timestamp};

use super::arrivals::{Dice, Purpose};
use super::clients::Clients;
use super::events::{Event, EventQueue};
use super::people::{self, BookOutcome, FreeSeats, People, Phase, Reserved, Seats};
use super::policy::{Admissions, Tick};
use super::run::SeriesRecorder;
use super::{Arrivals, Policy, Progress, Room, Run, RunSummary, Scenario};

/// The device number of a bot's extra connections (real devices are 0 to 2).
const BOT_CONNECTION: u8 = 3;

/// Plays the 2021 baseline.
pub(crate) fn run_baseline(
    arrivals: &Arrivals,
    policy: &dyn Policy,
    progress: &mut dyn FnMut(Progress),
) -> Run {
    let scenario = arrivals.scenario();
    let people = arrivals.len();
    let free: Vec<u32> = arrivals.slots().iter().map(|slot| slot.capacity).collect();
    let free_total = free.iter().map(|&seats| u64::from(seats)).sum();
    let mut run = BaselineRun {
        arrivals,
        scenario,
        events: EventQueue::with_capacity(people * 3),
        people: People::new(people),
        tickets: vec![[0; 3]; people],
        live_places: vec![0; people],
        places_taken: vec![0; people],
        server_draws: vec![0; people],
        booked_slots: vec![u32::MAX; people],
        line: VecDeque::new(),
        next_ticket: 1,
        queue_places: 0,
        held: vec![Vec::new(); scenario.cohorts.len()],
        open: vec![false; scenario.cohorts.len()],
        seats: NaiveSeats { free, free_total },
        free_seats: FreeSeats::new(arrivals),
        tokens_milli: 0,
        last_refill_ms: None,
        active: 0,
        leases: VecDeque::new(),
        summary: RunSummary::new(
            policy.name(),
            arrivals.seed(),
            people as u64,
            scenario.cohorts.len(),
        ),
        policy,
        series: SeriesRecorder::new(scenario.series_interval_ms),
        dice: Dice::new(arrivals.seed()),
        next_admit_rank: 0,
        pending_books: 0,
        pending_releases: 0,
    };
    run.summary.active_cap = scenario.outflow.active_max;
    run.schedule_start();
    let ended_at = run.play(progress);
    run.finish(ended_at)
}

/// One place in the naive line.
#[derive(Clone, Copy, Debug)]
struct Ticket {
    number: u64,
    person: u32,
    device: u8,
}

/// The inventory as plain counters: the naive booking server.
struct NaiveSeats {
    free: Vec<u32>,
    free_total: u64,
}

impl Seats for NaiveSeats {
    fn reserve(&mut self, _person: PersonId, choices: &[SlotId], _now: Timestamp) -> Reserved {
        for (rank, &slot) in choices.iter().enumerate() {
            if let Some(free) = self.free.get_mut(slot.as_index()).filter(|free| **free > 0) {
                *free -= 1;
                self.free_total -= 1;
                return Reserved::Booked {
                    slot,
                    rank: rank as u8,
                };
            }
        }
        Reserved::NoRoom
    }
}

/// A run of the naive room: the line of places, the door's meter and the plain counters of
/// the naive booking server.
struct BaselineRun<'a> {
    arrivals: &'a Arrivals,
    policy: &'a dyn Policy,
    scenario: &'a Scenario,
    events: EventQueue,
    people: People,
    /// The ticket each real device holds in the line (0: none).
    tickets: Vec<[u64; 3]>,
    /// Places each person holds in the line.
    live_places: Vec<u32>,
    /// Places each person has been handed, ever.
    places_taken: Vec<u32>,
    /// Requests of each person the server has judged (joins and turns), which numbers their
    /// overload draws.
    server_draws: Vec<u32>,
    /// The slot each person booked (`u32::MAX`: none), for giving it back.
    booked_slots: Vec<u32>,
    line: VecDeque<Ticket>,
    next_ticket: u64,
    /// Live places in the line (stale tickets excluded).
    queue_places: u64,
    /// Per cohort: people refreshing before the opening.
    held: Vec<Vec<u32>>,
    open: Vec<bool>,
    seats: NaiveSeats,
    /// Free places by slot, site-day and day, for the nearest slot with room.
    free_seats: FreeSeats,
    /// The door's token bucket, as the engine's outflow meters it.
    tokens_milli: u64,
    last_refill_ms: Option<u64>,
    /// Admitted people who have not booked and whose lease is live.
    active: u64,
    /// `(deadline, person)` of every lease, in admission order (so deadline order).
    leases: VecDeque<(u64, u32)>,
    summary: RunSummary,
    series: SeriesRecorder,
    dice: Dice,
    next_admit_rank: u64,
    pending_books: u64,
    pending_releases: u64,
}

/// The naive room's side of the client behaviour: every join is a new place at the end of
/// the line, and the booking server trusts whoever reaches it.
impl<'a> Clients<'a> for BaselineRun<'a> {
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

    fn reconnect_place(&mut self, person: u32, device: u8, now: Timestamp) {
        // A device between a bounce and its rejoin has no place to lose.
        if self.tickets[person as usize][usize::from(device)] != 0 {
            self.take_place(person, device, now);
        }
    }

    fn retry_place(&mut self, person: u32, now: Timestamp) {
        // Every retry is a new connection, and so a new place; the old ones stay.
        self.take_place(person, BOT_CONNECTION, now);
    }

    /// Straight to the booking page: once the site is open, the naive server books it.
    fn try_bypass(&mut self, person: u32, now: Timestamp) {
        self.summary.bypass_attempts += 1;
        if self.people.phase(person) != Phase::Waiting {
            // Before the opening there is no booking page to reach.
            return;
        }
        let cohort = self.arrivals.people()[person as usize].cohort.as_index();
        let outcome = people::book(
            &mut self.seats,
            &mut self.free_seats,
            self.arrivals,
            person,
            now,
        );
        match outcome {
            BookOutcome::Got { slot, choice } => {
                self.booked_slots[person as usize] = slot.as_u32();
                self.summary.bypass_successes += 1;
                self.summary.bookings += 1;
                self.series.booked();
                let booking = self.arrivals.booked_place(person, slot);
                let record = self.people.get_mut(person);
                record.bypass_booking = true;
                record.got_choice = Some(choice);
                record.booking = booking;
                self.people.set_phase(person, Phase::Booked);
                self.schedule_release(person, now);
                self.note_sold_out(cohort, now);
            }
            BookOutcome::SoldOut => {
                self.people.get_mut(person).found_sold_out = true;
                self.set_gone(person);
            }
            BookOutcome::Refused => {}
            BookOutcome::Mismatch => self.summary.unexpected_errors += 1,
        }
    }
}

impl BaselineRun<'_> {
    /// Schedules the openings, every device's first join and the outflow timer.
    fn schedule_start(&mut self) {
        for (cohort, plan) in self.scenario.cohorts.iter().enumerate() {
            let cohort = cohort as u16;
            self.events
                .schedule(plan.opens_at.as_millis(), Event::Open { cohort });
        }
        self.schedule_device_joins();
        self.events.schedule(0, Event::Tick);
    }

    /// Runs events until the run is over; returns when it ended.
    fn play(&mut self, progress: &mut dyn FnMut(Progress)) -> Timestamp {
        let mut now = Timestamp::ZERO;
        while let Some((at_ms, event)) = self.events.pop() {
            now = Timestamp::from_millis(at_ms);
            self.summary.events += 1;
            match event {
                Event::Open { cohort } => self.open(cohort, now),
                Event::DeviceJoin { person, device } => self.device_join(person, device, now),
                Event::Reconnect {
                    person,
                    device,
                    count,
                } => self.reconnect(person, device, count, now),
                Event::Rejoin { person, device } => self.rejoin(person, device, now),
                Event::BotRetry { person, count } => self.bot_retry(person, count, now),
                Event::Bypass { person, count } => self.bypass(person, count, now),
                Event::GiveUp { person } => self.give_up(person),
                Event::Book { person } => self.book(person, now),
                Event::ReleaseBooking { person } => self.release_booking(person),
                // Lotteries are for the engine-backed runs.
                Event::Draw { .. } => {}
                Event::Tick => {
                    if self.tick(now, progress) {
                        return now;
                    }
                }
            }
        }
        // Unreachable while the timer reschedules itself; kept total all the same.
        now
    }

    /// The site opens: every device that was refreshing lands in the line within the jitter,
    /// in whatever order the network delivers them.
    fn open(&mut self, cohort: u16, now: Timestamp) {
        let index = usize::from(cohort);
        self.open[index] = true;
        for person in std::mem::take(&mut self.held[index]) {
            if self.people.phase(person) != Phase::Held {
                continue;
            }
            if self.people.is_silent(person) {
                // Left before the opening: nobody refreshes for them.
                self.people.set_phase(person, Phase::Gone);
                continue;
            }
            self.people.set_phase(person, Phase::Waiting);
            for device in 0..self.people.devices_arrived(person) {
                let jitter_ms = self.dice.below(
                    person,
                    Purpose::Refresh,
                    u64::from(device),
                    self.scenario.baseline.refresh_jitter_ms,
                );
                self.events.schedule(
                    now.as_millis() + jitter_ms,
                    Event::Rejoin { person, device },
                );
            }
        }
    }

    /// A device's first join: a place of its own if its owner is in line, and reconnects
    /// from then on.
    fn device_join(&mut self, person: u32, device: u8, now: Timestamp) {
        self.summary.join_requests += 1;
        self.summary.device_joins += 1;
        self.people.device_arrived(person);
        if self.people.phase(person) == Phase::NotArrived {
            self.first_arrival(person, now);
        }
        if self.is_active_in_line(person) {
            if self.people.phase(person) == Phase::Waiting {
                self.take_place(person, device, now);
            }
            self.schedule_reconnect(person, device, 0, now);
        }
    }

    /// A person's first device arrives: they wait in line, or refresh until the opening.
    fn first_arrival(&mut self, person: u32, now: Timestamp) {
        self.schedule_own_moves(person, now);
        let cohort = self.arrivals.people()[person as usize].cohort.as_index();
        if self.summary.cohort_sold_out_at[cohort].is_some() && !self.cohort_has_room(cohort) {
            // The front page says this group's appointments are gone.
            self.people.get_mut(person).found_sold_out = true;
            self.set_gone(person);
        } else if self.open[cohort] {
            self.people.set_phase(person, Phase::Waiting);
        } else {
            self.people.set_phase(person, Phase::Held);
            self.held[cohort].push(person);
        }
    }

    /// Whether the queue server, holding `load = queue_places + active` connections, fails
    /// the person's next request: never below `overload_from_share` of its capacity, then
    /// with a probability rising linearly to 1 at its capacity, so that it never holds more.
    /// Each person's draws are numbered, so they do not depend on others'.
    fn overloaded(&mut self, person: u32) -> bool {
        let load = (self.queue_places + self.active + 1) as f64;
        let rules = &self.scenario.baseline;
        let capacity = rules.server_capacity_users as f64;
        let knee = capacity * rules.overload_from_share;
        if load <= knee {
            return false;
        }
        let failing = ((load - knee) / (capacity - knee).max(1.0)).min(1.0);
        let draw = self.server_draws[person as usize];
        self.server_draws[person as usize] += 1;
        self.dice.unit(person, Purpose::Bounce, u64::from(draw)) < failing
    }

    /// The page errors and the device loses its place: it reloads after a drawn delay, as
    /// long as its owner is still there (a bot's extra connection is not reloaded: the bot
    /// retries on its own schedule).
    fn bounce(&mut self, person: u32, device: u8, now: Timestamp) {
        self.summary.bounces += 1;
        self.people.get_mut(person).bounces += 1;
        if device == BOT_CONNECTION || self.people.is_silent(person) {
            self.forget_if_placeless(person);
            return;
        }
        let draw = self.server_draws[person as usize];
        let delay_ms = 1 + self.dice.exponential_ms(
            person,
            Purpose::BounceDelay,
            u64::from(draw),
            self.scenario.baseline.bounce_retry_mean_ms,
        );
        self.events
            .schedule(now.as_millis() + delay_ms, Event::Rejoin { person, device });
    }

    /// A new place at the end of the line for this device, unless the overloaded server
    /// bounces the request; its old place, if any, is lost either way.
    fn take_place(&mut self, person: u32, device: u8, now: Timestamp) {
        if device != BOT_CONNECTION {
            let ticket = &mut self.tickets[person as usize][usize::from(device)];
            if *ticket != 0 {
                *ticket = 0;
                self.live_places[person as usize] -= 1;
                self.queue_places -= 1;
            }
        }
        if self.overloaded(person) {
            self.bounce(person, device, now);
            return;
        }
        let number = self.next_ticket;
        self.next_ticket += 1;
        if device != BOT_CONNECTION {
            self.tickets[person as usize][usize::from(device)] = number;
        }
        if self.places_taken[person as usize] > 0 {
            // Someone who already holds (or held) a place takes another one.
            self.summary.place_changes += 1;
        }
        self.places_taken[person as usize] += 1;
        self.live_places[person as usize] += 1;
        self.queue_places += 1;
        self.line.push_back(Ticket {
            number,
            person,
            device,
        });
    }

    /// Drops every place a person holds (they closed everything).
    fn drop_places(&mut self, person: u32) {
        self.queue_places -= u64::from(self.live_places[person as usize]);
        self.live_places[person as usize] = 0;
        self.tickets[person as usize] = [0; 3];
    }

    /// Takes a person out of the story, with every place they hold.
    fn set_gone(&mut self, person: u32) {
        self.drop_places(person);
        self.people.set_phase(person, Phase::Gone);
    }

    /// A device lands in the line after a bounce or a pre-opening refresh.
    fn rejoin(&mut self, person: u32, device: u8, now: Timestamp) {
        if self.is_active_in_line(person) && self.people.phase(person) == Phase::Waiting {
            self.summary.join_requests += 1;
            self.take_place(person, device, now);
        } else {
            self.forget_if_placeless(person);
        }
    }

    /// Someone who gave up without a word and holds no place any more will never be let in:
    /// they are out of the story.
    fn forget_if_placeless(&mut self, person: u32) {
        if self.people.is_silent(person)
            && self.people.phase(person) == Phase::Waiting
            && self.live_places[person as usize] == 0
        {
            self.set_gone(person);
        }
    }

    /// A person's patience runs out: they close everything, or leave their tabs open.
    fn give_up(&mut self, person: u32) {
        if !self.is_active_in_line(person) {
            return;
        }
        self.summary.gave_up += 1;
        if self.arrivals.people()[person as usize].leaves_silently {
            // The tabs stay open: their places still come up, and are let in for nothing.
            self.people.set_silent(person);
            self.forget_if_placeless(person);
        } else {
            self.set_gone(person);
        }
    }

    /// Tokens for this tick, as the engine's token bucket counts them.
    fn refill(&mut self, now_ms: u64, outflow: &OutflowPolicy) -> u64 {
        let Some(per_sec) = outflow.admissions_per_sec else {
            return u64::MAX;
        };
        let cap_milli = outflow.burst_max.unwrap_or(per_sec).saturating_mul(1_000);
        self.tokens_milli = match self.last_refill_ms {
            None => cap_milli,
            Some(last) => self
                .tokens_milli
                .saturating_add(now_ms.saturating_sub(last).saturating_mul(per_sec))
                .min(cap_milli),
        };
        self.last_refill_ms = Some(now_ms);
        self.tokens_milli / 1_000
    }

    /// The outflow timer: lets the places at the front of the line have their turn, samples
    /// the line; returns `true` when the run is over.
    fn tick(&mut self, now: Timestamp, progress: &mut dyn FnMut(Progress)) -> bool {
        self.summary.ticks += 1;
        let now_ms = now.as_millis();
        self.sweep_leases(now_ms);
        let sold_out = self.seats.free_total == 0;
        let tick = Tick {
            now,
            in_line: self.people.tally().in_line(),
            active: self.active,
            admitted_total: self.summary.admitted,
            sold_out,
            scenario: self.scenario,
        };
        let (mut tokens, active_max, stop_when_sold_out) = match self.policy.admissions(&tick) {
            Admissions::Outflow(outflow) => (
                self.refill(now_ms, &outflow),
                outflow.active_max.unwrap_or(u64::MAX),
                outflow.stop_when_sold_out,
            ),
            Admissions::UpTo(how_many) => (how_many, u64::MAX, false),
        };
        if stop_when_sold_out && sold_out {
            tokens = 0;
        }
        let mut spent = 0;
        while spent < tokens && self.active < active_max {
            let Some(ticket) = self.line.pop_front() else {
                break;
            };
            if !self.is_live(ticket) {
                continue;
            }
            spent += 1;
            let person = ticket.person;
            self.live_places[person as usize] -= 1;
            self.queue_places -= 1;
            if ticket.device != BOT_CONNECTION {
                self.tickets[person as usize][usize::from(ticket.device)] = 0;
            }
            if self.people.phase(person) == Phase::Waiting {
                self.take_turn(person, ticket.device, now);
            } else {
                self.summary.wasted_turns += 1;
            }
        }
        self.tokens_milli = self
            .tokens_milli
            .saturating_sub(spent.saturating_mul(1_000));

        self.summary.active_max_observed = self.summary.active_max_observed.max(self.active);
        self.series.active(self.active);
        if self.seats.free_total == 0 && self.summary.sold_out_at.is_none() {
            self.summary.sold_out_at = Some(now);
        }
        let tally = self.people.tally();
        if self
            .series
            .close_due(now_ms, tally.in_line(), self.queue_places, &self.summary)
        {
            progress(Progress {
                now,
                settled: tally.settled(),
                people: self.summary.people,
            });
        }
        let stalled = stop_when_sold_out && self.seats.free_total == 0;
        let line_done = tally.of(Phase::Waiting) == 0 || stalled;
        let over = tally.of(Phase::NotArrived) == 0
            && tally.of(Phase::Held) == 0
            && line_done
            && self.active == 0
            && self.pending_books == 0
            && self.pending_releases == 0;
        if over || now >= self.scenario.horizon {
            return true;
        }
        self.events
            .schedule(now_ms + self.scenario.tick_ms, Event::Tick);
        false
    }

    /// A place is live while its device still holds it (a reconnect or a bounce replaces
    /// it) and its owner has not closed everything.
    fn is_live(&self, ticket: Ticket) -> bool {
        if ticket.device == BOT_CONNECTION {
            self.people.phase(ticket.person) != Phase::Gone
        } else {
            self.tickets[ticket.person as usize][usize::from(ticket.device)] == ticket.number
        }
    }

    /// A waiting person's place comes up: a bounce, or admission.
    fn take_turn(&mut self, person: u32, device: u8, now: Timestamp) {
        if self.overloaded(person) {
            // The booking page times out under the load: back to the start.
            self.bounce(person, device, now);
            return;
        }
        self.people.set_phase(person, Phase::Admitted);
        let silent = self.people.is_silent(person);
        let record = self.people.get_mut(person);
        record.admitted_at = Some(now);
        record.admit_rank = Some(self.next_admit_rank);
        self.next_admit_rank += 1;
        self.summary.admitted += 1;
        self.series.admitted();
        self.active += 1;
        let deadline_ms = now.as_millis() + self.scenario.lease_ms;
        self.leases.push_back((deadline_ms, person));
        if !silent {
            let think_ms = self.arrivals.people()[person as usize].think_ms;
            self.events
                .schedule(now.as_millis() + think_ms, Event::Book { person });
            self.pending_books += 1;
        }
    }

    /// Leases that ran out without a booking free their share of the active cap.
    fn sweep_leases(&mut self, now_ms: u64) {
        while let Some(&(deadline_ms, person)) = self.leases.front() {
            if deadline_ms > now_ms {
                break;
            }
            self.leases.pop_front();
            if self.people.phase(person) == Phase::Admitted {
                self.active -= 1;
                self.summary.lapsed += 1;
                self.set_gone(person);
            }
        }
    }

    /// An admitted person, done thinking, books.
    fn book(&mut self, person: u32, now: Timestamp) {
        self.pending_books -= 1;
        if self.people.phase(person) != Phase::Admitted {
            return;
        }
        self.active -= 1;
        let cohort = self.arrivals.people()[person as usize].cohort.as_index();
        let outcome = people::book(
            &mut self.seats,
            &mut self.free_seats,
            self.arrivals,
            person,
            now,
        );
        match outcome {
            BookOutcome::Got { slot, choice } => {
                self.booked_slots[person as usize] = slot.as_u32();
                let booking = self.arrivals.booked_place(person, slot);
                let record = self.people.get_mut(person);
                record.got_choice = Some(choice);
                record.booking = booking;
                self.people.set_phase(person, Phase::Booked);
                self.summary.bookings += 1;
                self.series.booked();
                self.schedule_release(person, now);
                self.note_sold_out(cohort, now);
            }
            BookOutcome::Mismatch => {
                self.summary.unexpected_errors += 1;
                self.set_gone(person);
            }
            BookOutcome::SoldOut | BookOutcome::Refused => {
                self.people.get_mut(person).found_sold_out = true;
                self.set_gone(person);
            }
        }
    }

    /// `true` while the cohort's days have a free place.
    fn cohort_has_room(&self, cohort: usize) -> bool {
        let plan = &self.scenario.cohorts[cohort];
        self.free_seats.free_in_days(plan.first_day, plan.days) > 0
    }

    /// Records when a cohort's days were first fully booked.
    fn note_sold_out(&mut self, cohort: usize, now: Timestamp) {
        if self.summary.cohort_sold_out_at[cohort].is_none() && !self.cohort_has_room(cohort) {
            self.summary.cohort_sold_out_at[cohort] = Some(now);
        }
    }

    /// Schedules the giving back of a fresh booking, for people who will give it back.
    fn schedule_release(&mut self, person: u32, now: Timestamp) {
        if let Some(after_ms) = self.arrivals.people()[person as usize].releases_after_ms {
            self.events
                .schedule(now.as_millis() + after_ms, Event::ReleaseBooking { person });
            self.pending_releases += 1;
        }
    }

    /// A person gives their booking back: the seat is free again for those still looking.
    fn release_booking(&mut self, person: u32) {
        self.pending_releases -= 1;
        if self.people.phase(person) != Phase::Booked {
            return;
        }
        let slot = self.booked_slots[person as usize];
        if slot != u32::MAX {
            let slot = SlotId::new(slot);
            self.seats.free[slot.as_index()] += 1;
            self.seats.free_total += 1;
            self.free_seats.given_back(slot);
        }
        self.summary.bookings_released += 1;
        self.set_gone(person);
    }

    /// Closes the books on everyone still in line and hands the run over.
    fn finish(mut self, ended_at: Timestamp) -> Run {
        let sold_out = self.seats.free_total == 0;
        let in_line = self.people.tally().in_line();
        self.summary.still_waiting = self.people.close_line(sold_out);
        self.summary.found_sold_out = self.people.found_sold_out_count();
        self.summary.ended_at = ended_at;
        let series = self.series.finish(
            ended_at.as_millis(),
            in_line,
            self.queue_places,
            &mut self.summary,
        );
        Run {
            policy: self.policy.name().to_owned(),
            room: Room::Naive2021,
            outcomes: self.people.into_outcomes(self.arrivals),
            series,
            summary: self.summary,
            draws: Vec::new(),
        }
    }
}
