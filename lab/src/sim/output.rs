//! Writing runs out: the per-person CSV ([`write_outcomes_csv`]), the time-series CSV
//! ([`write_series_csv`]), `summary.json` ([`write_summary_json`]) and the side-by-side table
//! of metrics per policy ([`comparison_rows`]).
//!
//! Every writer is a pure function of its input: the same runs give the same bytes, which is
//! what makes a run reproducible from its seed.

use std::io::{self, Write};

use crate::fairness::PersonOutcome;

use super::json::Json;
use super::{Arrivals, Run, Scenario, SeriesPoint, TimeSeries};

/// The version tag at the top of `summary.json`; bumped when its layout changes.
pub const SUMMARY_FORMAT: &str = "fairbook-fairness-lab/1";

/// The header of the per-person CSV written by [`write_outcomes_csv`].
pub const OUTCOMES_CSV_HEADER: &str = concat!(
    "person,cohort,joined_at_ms,join_rank,admitted_at_ms,admit_rank,wait_ms,bounces,",
    "choices_listed,got_choice,bypass_booking,found_sold_out"
);

/// Writes one CSV row per person, with the header [`OUTCOMES_CSV_HEADER`] (the fields of
/// [`PersonOutcome`], plus `wait_ms`). Missing values are empty fields; flags are 0 or 1.
///
/// # Errors
/// Whatever `out` returns.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{self, Arrivals, Baseline2021, Fifo, Shuffle, Scenario};
///
/// let arrivals = Arrivals::generate(&Scenario::small(50), 1)?;
/// let run = sim::run(&arrivals, &Fifo)?;
/// let mut csv = Vec::new();
/// sim::write_outcomes_csv(&run.outcomes, &mut csv).unwrap();
/// let text = String::from_utf8(csv).unwrap();
/// assert_eq!(text.lines().count(), 51);
/// assert!(text.starts_with("person,cohort,joined_at_ms,join_rank,"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_outcomes_csv(outcomes: &[PersonOutcome], out: &mut impl Write) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    writeln!(out, "{OUTCOMES_CSV_HEADER}")?;
    for outcome in outcomes {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            outcome.person.as_u64(),
            outcome.cohort.as_u16(),
            outcome.joined_at.as_millis(),
            outcome.join_rank,
            optional(outcome.admitted_at.map(|time| time.as_millis())),
            optional(outcome.admit_rank),
            optional(outcome.wait_ms()),
            outcome.bounces,
            outcome.choices_listed,
            optional(outcome.got_choice.map(u64::from)),
            u8::from(outcome.bypass_booking),
            u8::from(outcome.found_sold_out),
        )?;
    }
    out.flush()
}

/// Writes one CSV row per series point, with a header:
/// `at_ms,waiting_people,queue_places,admitted,bookings,active_max`.
///
/// # Errors
/// Whatever `out` returns.
pub fn write_series_csv(series: &TimeSeries, out: &mut impl Write) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    writeln!(
        out,
        "at_ms,waiting_people,queue_places,admitted,bookings,active_max"
    )?;
    for point in &series.points {
        let SeriesPoint {
            at,
            waiting_people,
            queue_places,
            admitted,
            bookings,
            active_max,
        } = *point;
        writeln!(
            out,
            "{},{waiting_people},{queue_places},{admitted},{bookings},{active_max}",
            at.as_millis()
        )?;
    }
    out.flush()
}

/// Writes `summary.json`: the format tag, the seed, the scenario, and per run its summary
/// counts, its draws (with the commitment and the revealed secret) and its fairness metrics
/// (named as [`FairnessReport::to_table_rows`](crate::fairness::FairnessReport::to_table_rows)
/// names them).
///
/// # Errors
/// Whatever `out` returns.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{self, Arrivals, Baseline2021, Fifo, Shuffle, Scenario};
///
/// let arrivals = Arrivals::generate(&Scenario::small(50), 1)?;
/// let runs = [sim::run(&arrivals, &Shuffle)?];
/// let mut json = Vec::new();
/// sim::write_summary_json(&arrivals, &runs, &mut json).unwrap();
/// let text = String::from_utf8(json).unwrap();
/// assert!(text.contains("\"commitment\": \""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_summary_json(
    arrivals: &Arrivals,
    runs: &[Run],
    out: &mut impl Write,
) -> io::Result<()> {
    let document = Json::object([
        ("format", Json::str(SUMMARY_FORMAT)),
        ("seed", Json::Int(arrivals.seed())),
        ("scenario", scenario_json(arrivals.scenario())),
        ("runs", Json::Array(runs.iter().map(run_json).collect())),
    ]);
    out.write_all(document.to_pretty_string().as_bytes())
}

/// The metrics of several runs side by side: one row per metric name, one value per run
/// (`-` where a run lacks the row). Fairness metrics come first, in
/// [`FairnessReport::to_table_rows`](crate::fairness::FairnessReport::to_table_rows) order,
/// then the summary counts ([`RunSummary::to_table_rows`](super::RunSummary::to_table_rows)).
/// Rows are matched by name, since per-cohort and per-choice rows follow the data.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{self, Arrivals, Baseline2021, Fifo, Shuffle, Scenario};
///
/// let arrivals = Arrivals::generate(&Scenario::small(100), 1)?;
/// let runs = [sim::run(&arrivals, &Fifo)?, sim::run(&arrivals, &Baseline2021)?];
/// let rows = sim::comparison_rows(&runs);
/// let inversions = rows.iter().find(|(name, _)| name == "fifo_inversions_count").unwrap();
/// assert_eq!(inversions.1[0], "0");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn comparison_rows(runs: &[Run]) -> Vec<(String, Vec<String>)> {
    let per_run: Vec<Vec<(String, String)>> = runs
        .iter()
        .map(|run| {
            let mut rows = run.report().to_table_rows();
            rows.extend(run.summary.to_table_rows());
            rows
        })
        .collect();
    let mut names: Vec<String> = Vec::new();
    for rows in &per_run {
        for (name, _) in rows {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
        .into_iter()
        .map(|name| {
            let values = per_run
                .iter()
                .map(|rows| {
                    rows.iter()
                        .find(|(row_name, _)| *row_name == name)
                        .map_or_else(|| "-".to_owned(), |(_, value)| value.clone())
                })
                .collect();
            (name, values)
        })
        .collect()
}

fn optional(value: Option<u64>) -> String {
    value.map_or_else(String::new, |value| value.to_string())
}

fn scenario_json(scenario: &Scenario) -> Json {
    let cohorts = scenario
        .cohorts
        .iter()
        .map(|cohort| {
            Json::object([
                ("name", Json::str(cohort.name.clone())),
                ("opens_at_ms", Json::Int(cohort.opens_at.as_millis())),
                ("share", Json::Float(cohort.share)),
            ])
        })
        .collect();
    let inventory = &scenario.inventory;
    let arrivals = &scenario.arrivals;
    let behaviour = &scenario.behaviour;
    let outflow = &scenario.outflow;
    let baseline = &scenario.baseline;
    Json::object([
        ("name", Json::str(scenario.name.clone())),
        ("people", Json::Int(scenario.people)),
        ("cohorts", Json::Array(cohorts)),
        (
            "inventory",
            Json::object([
                ("sites", Json::Int(u64::from(inventory.sites))),
                ("days", Json::Int(u64::from(inventory.days))),
                ("windows", Json::Int(u64::from(inventory.windows))),
                ("total_capacity", Json::Int(inventory.total_capacity)),
                ("seed", Json::Int(inventory.seed)),
            ]),
        ),
        (
            "arrivals",
            Json::object([
                ("pre_queue_share", Json::Float(arrivals.pre_queue_share)),
                (
                    "pre_queue_window_ms",
                    Json::Int(arrivals.pre_queue_window_ms),
                ),
                ("surge_share", Json::Float(arrivals.surge_share)),
                ("surge_mean_ms", Json::Int(arrivals.surge_mean_ms)),
                ("tail_mean_ms", Json::Int(arrivals.tail_mean_ms)),
            ]),
        ),
        (
            "behaviour",
            Json::object([
                (
                    "device_weights",
                    Json::Array(behaviour.device_weights.map(Json::Float).to_vec()),
                ),
                ("device_spread_ms", Json::Int(behaviour.device_spread_ms)),
                ("reconnect_mean_ms", Json::Int(behaviour.reconnect_mean_ms)),
                (
                    "reconnect_delay_max_ms",
                    Json::Int(behaviour.reconnect_delay_max_ms),
                ),
                ("bot_share", Json::Float(behaviour.bot_share)),
                ("bot_retry_ms", Json::Int(behaviour.bot_retry_ms)),
                (
                    "line_cutter_share",
                    Json::Float(behaviour.line_cutter_share),
                ),
                (
                    "bypass_attempts_max",
                    Json::Int(u64::from(behaviour.bypass_attempts_max)),
                ),
                ("bypass_gap_max_ms", Json::Int(behaviour.bypass_gap_max_ms)),
                ("patience_mean_ms", Json::Int(behaviour.patience_mean_ms)),
                (
                    "silent_leaver_share",
                    Json::Float(behaviour.silent_leaver_share),
                ),
                ("think_min_ms", Json::Int(behaviour.think_min_ms)),
                ("think_mean_ms", Json::Int(behaviour.think_mean_ms)),
                (
                    "choices_per_person",
                    Json::Int(u64::from(behaviour.choices_per_person)),
                ),
                ("release_share", Json::Float(behaviour.release_share)),
                (
                    "release_after_max_ms",
                    Json::Int(behaviour.release_after_max_ms),
                ),
            ]),
        ),
        (
            "outflow",
            Json::object([
                (
                    "admissions_per_sec",
                    Json::int_or_null(outflow.admissions_per_sec),
                ),
                ("burst_max", Json::int_or_null(outflow.burst_max)),
                ("active_max", Json::int_or_null(outflow.active_max)),
                ("stop_when_sold_out", Json::Bool(outflow.stop_when_sold_out)),
            ]),
        ),
        ("lease_ms", Json::Int(scenario.lease_ms)),
        ("lottery_window_ms", Json::Int(scenario.lottery_window_ms)),
        ("tick_ms", Json::Int(scenario.tick_ms)),
        ("series_interval_ms", Json::Int(scenario.series_interval_ms)),
        ("horizon_ms", Json::Int(scenario.horizon.as_millis())),
        (
            "baseline_2021",
            Json::object([
                (
                    "bounce_probability",
                    Json::Float(baseline.bounce_probability),
                ),
                (
                    "bounce_rejoin_max_ms",
                    Json::Int(baseline.bounce_rejoin_max_ms),
                ),
                ("refresh_jitter_ms", Json::Int(baseline.refresh_jitter_ms)),
            ]),
        ),
    ])
}

fn run_json(run: &Run) -> Json {
    let summary = Json::Object(
        run.summary
            .to_table_rows()
            .into_iter()
            .map(|(name, value)| {
                let value = Json::from_metric_text(&value);
                (name, value)
            })
            .collect(),
    );
    let draws = run
        .draws
        .iter()
        .map(|draw| {
            Json::object([
                ("cohort", Json::Int(u64::from(draw.cohort.as_u16()))),
                ("at_ms", Json::Int(draw.at.as_millis())),
                ("entrants", Json::Int(draw.entrants.len() as u64)),
                ("entrants_sha256", Json::str(draw.entrants_digest())),
                ("drawn_sha256", Json::str(draw.drawn_digest())),
            ])
        })
        .collect();
    let fairness = Json::Object(
        run.report()
            .to_table_rows()
            .into_iter()
            .map(|(name, value)| {
                let value = Json::from_metric_text(&value);
                (name, value)
            })
            .collect(),
    );
    let hex_or_null = |hex: Option<String>| hex.map_or(Json::Null, Json::Str);
    Json::object([
        ("policy", Json::str(run.policy.clone())),
        ("engine_backed", Json::Bool(run.room == super::Room::Engine)),
        ("summary", summary),
        (
            "commitment",
            hex_or_null(run.summary.commitment.map(|commitment| commitment.to_hex())),
        ),
        (
            "commitment_published_at_ms",
            match run.summary.commitment {
                Some(_) => Json::Int(0),
                None => Json::Null,
            },
        ),
        (
            "revealed_secret",
            hex_or_null(run.summary.revealed_secret.map(|secret| secret.to_hex())),
        ),
        ("draws", Json::Array(draws)),
        ("fairness", fairness),
    ])
}
