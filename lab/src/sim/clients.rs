//! What people's devices do on their own, whichever waiting room they face: devices join and
//! reconnect, bots retry, line cutters try to get around the line, and everyone's patience
//! runs out, each on a schedule drawn from the seed.
//!
//! The engine-backed run and the 2021 baseline play the same people, so they must play the
//! same client behaviour; only what a join or a bypass attempt does to the line differs.
//! [`Clients`] writes that behaviour once, as provided methods over the hooks each run
//! supplies, so that the two runs cannot drift apart.

use fairbook::Timestamp;

use super::arrivals::{Dice, Purpose};
use super::events::Event;
use super::people::{People, Phase};
use super::{Arrivals, PersonKind, RunSummary, Scenario};

/// A run as people's clients see it: the hooks into one waiting room (required methods) and
/// the client behaviour written once over them (provided methods).
///
/// `'a` is the lifetime of the arrivals and the scenario, so that a plan read from them does
/// not hold the run borrowed while events are scheduled.
pub(crate) trait Clients<'a> {
    /// The people and their plans.
    fn arrivals(&self) -> &'a Arrivals;

    /// The scenario, whose behaviour parameters the clients follow.
    fn scenario(&self) -> &'a Scenario;

    /// The seeded dice every random draw comes from.
    fn dice(&self) -> &Dice;

    /// Where each person is in their story.
    fn people(&self) -> &People;

    /// The run's counters.
    fn summary_mut(&mut self) -> &mut RunSummary;

    /// Schedules `event` at `at_ms`.
    fn schedule(&mut self, at_ms: u64, event: Event);

    /// A device of an active person reconnects: what that does to their place in this
    /// waiting room.
    fn reconnect_place(&mut self, person: u32, device: u8, now: Timestamp);

    /// An active bot retries: what that does to its places in this waiting room.
    fn retry_place(&mut self, person: u32, now: Timestamp);

    /// One attempt to book without having been let in; counts itself in the summary.
    fn try_bypass(&mut self, person: u32, now: Timestamp);

    /// Schedules every device's first join, at its owner's arrival plus the device's delay.
    fn schedule_device_joins(&mut self) {
        for (person, plan) in self.arrivals().people().iter().enumerate() {
            let arrives_ms = plan.arrives_at.as_millis();
            for device in 0..plan.devices {
                let at_ms = arrives_ms + plan.device_delays_ms[usize::from(device)];
                let person = person as u32;
                self.schedule(at_ms, Event::DeviceJoin { person, device });
            }
        }
    }

    /// Held or waiting, and has not silently given up: their devices are still busy.
    fn is_active_in_line(&self, person: u32) -> bool {
        self.people().is_active_in_line(person)
    }

    /// What a person sets going on their first arrival: the end of their patience, and a
    /// bot's first retry or a line cutter's first bypass attempt.
    fn schedule_own_moves(&mut self, person: u32, now: Timestamp) {
        let plan = &self.arrivals().people()[person as usize];
        let now_ms = now.as_millis();
        self.schedule(now_ms + plan.patience_ms, Event::GiveUp { person });
        match plan.kind {
            PersonKind::Bot => {
                let at_ms = now_ms + self.scenario().behaviour.bot_retry_ms;
                self.schedule(at_ms, Event::BotRetry { person, count: 0 });
            }
            PersonKind::LineCutter { .. } => {
                let gap_ms = self.bypass_gap_ms(person, 0);
                self.schedule(now_ms + gap_ms, Event::Bypass { person, count: 0 });
            }
            PersonKind::Regular => {}
        }
    }

    /// Schedules the `count`-th reconnect of a device: a drawn gap plus a drawn delay, plus a
    /// millisecond so that a device never reconnects twice in one instant.
    fn schedule_reconnect(&mut self, person: u32, device: u8, count: u32, now: Timestamp) {
        let behaviour = &self.scenario().behaviour;
        let counter = (u64::from(device) << 32) | u64::from(count);
        let gap_ms = self.dice().exponential_ms(
            person,
            Purpose::ReconnectGap,
            counter,
            behaviour.reconnect_mean_ms,
        ) + self.dice().below(
            person,
            Purpose::ReconnectDelay,
            counter,
            behaviour.reconnect_delay_max_ms,
        ) + 1;
        self.schedule(
            now.as_millis() + gap_ms,
            Event::Reconnect {
                person,
                device,
                count,
            },
        );
    }

    /// A device reconnects, and keeps reconnecting while its owner is still in line.
    fn reconnect(&mut self, person: u32, device: u8, count: u32, now: Timestamp) {
        if !self.is_active_in_line(person) {
            return;
        }
        let summary = self.summary_mut();
        summary.join_requests += 1;
        summary.reconnects += 1;
        self.reconnect_place(person, device, now);
        // The reconnect itself may have ended their story (the line was sold out).
        if self.is_active_in_line(person) {
            self.schedule_reconnect(person, device, count + 1, now);
        }
    }

    /// A bot's `count`-th retry: a new join and a bypass attempt, again and again while it
    /// is still in line.
    fn bot_retry(&mut self, person: u32, count: u32, now: Timestamp) {
        if !self.is_active_in_line(person) {
            return;
        }
        let summary = self.summary_mut();
        summary.join_requests += 1;
        summary.bot_retries += 1;
        if self.people().phase(person) == Phase::Waiting {
            self.retry_place(person, now);
        }
        self.try_bypass(person, now);
        if self.is_active_in_line(person) {
            let at_ms = now.as_millis() + self.scenario().behaviour.bot_retry_ms;
            let count = count + 1;
            self.schedule(at_ms, Event::BotRetry { person, count });
        }
    }

    /// The drawn wait before a line cutter's `count`-th bypass attempt, at least a
    /// millisecond so that two attempts never fall in one instant.
    fn bypass_gap_ms(&self, person: u32, count: u8) -> u64 {
        let gap_max_ms = self.scenario().behaviour.bypass_gap_max_ms;
        1 + self
            .dice()
            .below(person, Purpose::BypassGap, u64::from(count), gap_max_ms)
    }

    /// A line cutter's `count`-th bypass attempt, and the next one while they have attempts
    /// left and are still in line.
    fn bypass(&mut self, person: u32, count: u8, now: Timestamp) {
        if !self.is_active_in_line(person) {
            return;
        }
        self.try_bypass(person, now);
        let PersonKind::LineCutter { attempts } = self.arrivals().people()[person as usize].kind
        else {
            return;
        };
        let count = count + 1;
        if count < attempts && self.is_active_in_line(person) {
            let at_ms = now.as_millis() + self.bypass_gap_ms(person, count);
            self.schedule(at_ms, Event::Bypass { person, count });
        }
    }
}
