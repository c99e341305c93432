//! What one simulated run produces: [`Run`] (per-person outcomes, a [`TimeSeries`], a
//! [`RunSummary`] and the [`Draw`]s), and [`Progress`] reports while it runs.

use crate::fairness::{FairnessReport, PersonOutcome};
use fairbook::Timestamp;

use super::{Commitment, Draw, DrawSecret, Room};

/// The result of playing one policy on a surge.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{self, Arrivals, Fifo, Lottery, Scenario};
///
/// let arrivals = Arrivals::generate(&Scenario::small(200), 5)?;
/// let run = sim::run(&arrivals, &Fifo)?;
/// assert_eq!(run.outcomes.len(), 200);
/// assert_eq!(run.report().fifo_inversions_count, 0);
/// assert_eq!(run.summary.bypass_successes, 0);
/// # Ok::<(), fairbook_lab::sim::ScenarioError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// The name of the policy played.
    pub policy: String,
    /// The waiting room it was played in.
    pub room: Room,
    /// One row per person, in join-rank order (row `i` has `join_rank == i`).
    pub outcomes: Vec<PersonOutcome>,
    /// Queue length, admissions and bookings over time.
    pub series: TimeSeries,
    /// Counts over the whole run.
    pub summary: RunSummary,
    /// Under a shuffle or a lottery, each cohort's draw, in the order they happened.
    pub draws: Vec<Draw>,
}

impl Run {
    /// The fairness metrics of the outcomes (see [`FairnessReport::compute`]).
    pub fn report(&self) -> FairnessReport {
        FairnessReport::compute(&self.outcomes)
    }
}

/// Counts over a whole run. Fields that do not apply to a policy are 0 or `None`.
///
/// # Example
/// See [`Run`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RunSummary {
    /// The name of the policy played.
    pub policy: String,
    /// The seed the arrivals were drawn from.
    pub seed: u64,
    /// How many people took part.
    pub people: u64,
    /// Join requests sent by clients: device joins, reconnects, bot retries and (2021
    /// baseline) rejoins after a bounce or a pre-opening refresh.
    pub join_requests: u64,
    /// First joins of devices (1 to 3 per person).
    pub device_joins: u64,
    /// Reconnects of a waiting person's device.
    pub reconnects: u64,
    /// Join retries of bots.
    pub bot_retries: u64,
    /// Attempts to book without having been admitted (line cutters and bots).
    pub bypass_attempts: u64,
    /// Of those, how many booked. Must be 0 under every engine-backed policy.
    pub bypass_successes: u64,
    /// Join requests of someone who already had a place that handed out a *different*
    /// place. Must be 0 under every engine-backed policy; under the 2021 baseline every
    /// extra device, reconnect, bot retry and bounce takes a new place.
    pub place_changes: u64,
    /// 2021 baseline: turns taken by a place whose owner had already been let in or booked
    /// through another device (the door served a duplicate).
    pub wasted_turns: u64,
    /// Times a person was sent back to the start when their turn came.
    pub bounces: u64,
    /// People let in.
    pub admitted: u64,
    /// Bookings made (through admission or, in the baseline, around it).
    pub bookings: u64,
    /// Bookings given back later.
    pub bookings_released: u64,
    /// Leases that ran out without a booking.
    pub lapsed: u64,
    /// People whose patience ran out while they were in line.
    pub gave_up: u64,
    /// People who waited and found the inventory gone.
    pub found_sold_out: u64,
    /// People still in line when the run ended (sold out, or the horizon reached).
    pub still_waiting: u64,
    /// Engine calls that failed in a way the model does not expect (a bug if not 0).
    pub unexpected_errors: u64,
    /// Engine-backed runs: invariants [`Engine::audit`](fairbook::Engine::audit) found broken at
    /// the end of the run, plus 1 if the engine's bookings differ from the run's count (a
    /// bug if not 0).
    pub audit_violations: u64,
    /// When every slot was first fully booked, if ever.
    pub sold_out_at: Option<Timestamp>,
    /// Per cohort: when its days were first fully booked, if ever (the 55–59 cohort's
    /// appointments ran out 15.5 hours after its opening in 2021).
    pub cohort_sold_out_at: Vec<Option<Timestamp>>,
    /// The most join requests sent in one series interval.
    pub join_requests_peak_per_interval: u64,
    /// The most places (connections) in line at the end of a series interval.
    pub queue_places_peak: u64,
    /// When the run ended.
    pub ended_at: Timestamp,
    /// The cap on active admitted people, if the outflow policy sets one.
    pub active_cap: Option<u64>,
    /// The most active admitted people seen after any outflow tick.
    pub active_max_observed: u64,
    /// Outflow ticks run.
    pub ticks: u64,
    /// Events processed.
    pub events: u64,
    /// Under a shuffle or a lottery: the commitment published before anyone arrived.
    pub commitment: Option<Commitment>,
    /// Under a shuffle or a lottery: the secret revealed after the last draw.
    pub revealed_secret: Option<DrawSecret>,
}

impl RunSummary {
    pub(crate) fn new(policy: &str, seed: u64, people: u64, cohorts: usize) -> RunSummary {
        RunSummary {
            policy: policy.to_owned(),
            seed,
            people,
            join_requests: 0,
            device_joins: 0,
            reconnects: 0,
            bot_retries: 0,
            bypass_attempts: 0,
            bypass_successes: 0,
            place_changes: 0,
            wasted_turns: 0,
            bounces: 0,
            admitted: 0,
            bookings: 0,
            bookings_released: 0,
            lapsed: 0,
            gave_up: 0,
            found_sold_out: 0,
            still_waiting: 0,
            unexpected_errors: 0,
            audit_violations: 0,
            sold_out_at: None,
            cohort_sold_out_at: vec![None; cohorts],
            join_requests_peak_per_interval: 0,
            queue_places_peak: 0,
            ended_at: Timestamp::ZERO,
            active_cap: None,
            active_max_observed: 0,
            ticks: 0,
            events: 0,
            commitment: None,
            revealed_secret: None,
        }
    }

    /// Join requests per person: about 6.7 in the 2021 surge (10 M requests, 1.5 M people).
    pub fn join_requests_per_person(&self) -> f64 {
        if self.people == 0 {
            0.0
        } else {
            self.join_requests as f64 / self.people as f64
        }
    }

    /// The summary as `(name, value)` rows in a fixed order, for tables beside
    /// [`FairnessReport::to_table_rows`]. Missing values are `-`.
    pub fn to_table_rows(&self) -> Vec<(String, String)> {
        let optional = |time: Option<Timestamp>| {
            time.map_or_else(|| "-".to_owned(), |time| time.as_millis().to_string())
        };
        let mut rows: Vec<(String, String)> = [
            ("join_requests", self.join_requests.to_string()),
            (
                "join_requests_per_person",
                format!("{:.3}", self.join_requests_per_person()),
            ),
            ("reconnects", self.reconnects.to_string()),
            ("bot_retries", self.bot_retries.to_string()),
            ("bypass_attempts", self.bypass_attempts.to_string()),
            ("bypass_successes", self.bypass_successes.to_string()),
            ("place_changes", self.place_changes.to_string()),
            ("wasted_turns", self.wasted_turns.to_string()),
            ("bounces", self.bounces.to_string()),
            ("admitted", self.admitted.to_string()),
            ("bookings", self.bookings.to_string()),
            ("bookings_released", self.bookings_released.to_string()),
            ("lapsed", self.lapsed.to_string()),
            ("gave_up", self.gave_up.to_string()),
            ("found_sold_out", self.found_sold_out.to_string()),
            ("still_waiting", self.still_waiting.to_string()),
            ("unexpected_errors", self.unexpected_errors.to_string()),
            ("audit_violations", self.audit_violations.to_string()),
            ("sold_out_at_ms", optional(self.sold_out_at)),
            ("ended_at_ms", self.ended_at.as_millis().to_string()),
            (
                "active_cap",
                self.active_cap
                    .map_or_else(|| "-".to_owned(), |cap| cap.to_string()),
            ),
            ("active_max_observed", self.active_max_observed.to_string()),
            (
                "join_requests_peak_per_interval",
                self.join_requests_peak_per_interval.to_string(),
            ),
            ("queue_places_peak", self.queue_places_peak.to_string()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
        for (cohort, at) in self.cohort_sold_out_at.iter().enumerate() {
            rows.push((format!("sold_out_at_ms_cohort_{cohort}"), optional(*at)));
        }
        rows
    }
}

/// The state of the line over time, one point per
/// [`Scenario::series_interval_ms`](super::Scenario::series_interval_ms).
///
/// # Example
/// ```
/// use fairbook_lab::sim::{self, Arrivals, Fifo, Lottery, Scenario};
///
/// let arrivals = Arrivals::generate(&Scenario::small(200), 5)?;
/// let run = sim::run(&arrivals, &Fifo)?;
/// let admitted: u64 = run.series.points.iter().map(|point| point.admitted).sum();
/// assert_eq!(admitted, run.summary.admitted);
/// # Ok::<(), fairbook_lab::sim::ScenarioError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeSeries {
    /// The width of one interval, in milliseconds.
    pub interval_ms: u64,
    /// One point per interval, in time order.
    pub points: Vec<SeriesPoint>,
}

/// One interval of a [`TimeSeries`]. Counts are over the interval that ends at `at`; levels
/// are sampled at `at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeriesPoint {
    /// The end of the interval.
    pub at: Timestamp,
    /// People in line (held in a pre-queue or lottery, or waiting for their turn).
    pub waiting_people: u64,
    /// Places in line: equal to `waiting_people` under the engine (one place per person);
    /// under the 2021 baseline, every connected device, reconnect and bot retry holds one.
    pub queue_places: u64,
    /// People let in during the interval.
    pub admitted: u64,
    /// Bookings made during the interval.
    pub bookings: u64,
    /// The most active admitted people after any tick of the interval.
    pub active_max: u64,
    /// Join requests sent during the interval (devices, reconnects, retries, rejoins).
    pub join_requests: u64,
    /// Bounces during the interval.
    pub bounces: u64,
    /// Bookings made around the queue during the interval.
    pub bypass_bookings: u64,
}

/// Where a run is, reported to a progress callback about once per series interval.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{self, Arrivals, Fifo, Lottery, Scenario};
///
/// let arrivals = Arrivals::generate(&Scenario::small(100), 5)?;
/// let mut last = None;
/// sim::run_with_progress(&arrivals, &Lottery, &mut |progress| last = Some(progress))?;
/// assert_eq!(last.unwrap().people, 100);
/// # Ok::<(), fairbook_lab::sim::ScenarioError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Simulated time.
    pub now: Timestamp,
    /// People whose story is over (booked, gave up, found nothing, lapsed).
    pub settled: u64,
    /// Everybody.
    pub people: u64,
}

/// Builds a [`TimeSeries`] from per-tick observations.
pub(crate) struct SeriesRecorder {
    interval_ms: u64,
    next_at_ms: u64,
    admitted: u64,
    bookings: u64,
    active_max: u64,
    /// The run's totals at the end of the last interval, to count each interval's share.
    totals_before: [u64; 3],
    points: Vec<SeriesPoint>,
}

impl SeriesRecorder {
    pub(crate) fn new(interval_ms: u64) -> SeriesRecorder {
        SeriesRecorder {
            interval_ms,
            next_at_ms: interval_ms,
            admitted: 0,
            bookings: 0,
            active_max: 0,
            totals_before: [0; 3],
            points: Vec::new(),
        }
    }

    pub(crate) fn admitted(&mut self) {
        self.admitted += 1;
    }

    pub(crate) fn booked(&mut self) {
        self.bookings += 1;
    }

    pub(crate) fn active(&mut self, active: u64) {
        self.active_max = self.active_max.max(active);
    }

    /// Closes every interval that ended by `now_ms`; returns `true` if it closed any.
    /// `summary` gives the run's running totals of join requests, bounces and bypasses.
    pub(crate) fn close_due(
        &mut self,
        now_ms: u64,
        waiting_people: u64,
        queue_places: u64,
        summary: &RunSummary,
    ) -> bool {
        let mut closed = false;
        while now_ms >= self.next_at_ms {
            self.close(self.next_at_ms, waiting_people, queue_places, summary);
            self.next_at_ms += self.interval_ms;
            closed = true;
        }
        closed
    }

    /// Closes the last, partial interval at `now_ms`, records the peaks in `summary` and
    /// returns the series.
    pub(crate) fn finish(
        mut self,
        now_ms: u64,
        waiting_people: u64,
        queue_places: u64,
        summary: &mut RunSummary,
    ) -> TimeSeries {
        self.close_due(now_ms, waiting_people, queue_places, summary);
        if self
            .points
            .last()
            .is_none_or(|point| point.at.as_millis() < now_ms)
        {
            self.close(now_ms, waiting_people, queue_places, summary);
        }
        summary.join_requests_peak_per_interval = self
            .points
            .iter()
            .map(|point| point.join_requests)
            .max()
            .unwrap_or(0);
        summary.queue_places_peak = self
            .points
            .iter()
            .map(|point| point.queue_places)
            .max()
            .unwrap_or(0);
        TimeSeries {
            interval_ms: self.interval_ms,
            points: self.points,
        }
    }

    fn close(&mut self, at_ms: u64, waiting_people: u64, queue_places: u64, summary: &RunSummary) {
        let totals = [
            summary.join_requests,
            summary.bounces,
            summary.bypass_successes,
        ];
        let [join_requests, bounces, bypass_bookings] =
            [0, 1, 2].map(|index| totals[index] - self.totals_before[index]);
        self.totals_before = totals;
        self.points.push(SeriesPoint {
            at: Timestamp::from_millis(at_ms),
            waiting_people,
            queue_places,
            admitted: self.admitted,
            bookings: self.bookings,
            active_max: self.active_max,
            join_requests,
            bounces,
            bypass_bookings,
        });
        self.admitted = 0;
        self.bookings = 0;
        self.active_max = 0;
    }
}
