//! Writing runs out: the per-person CSV ([`write_outcomes_csv`], read back by
//! [`read_outcomes_csv`]), the time-series CSV
//! ([`write_series_csv`]), `summary.json` ([`write_summary_json`]) and the side-by-side table
//! of metrics per policy ([`comparison_rows`]).
//!
//! Every writer is a pure function of its input: the same runs give the same bytes, which is
//! what makes a run reproducible from its seed.

use std::io::{self, Write};

use fairbook::{CohortId, Day, PersonId, SiteId, Timestamp, Window};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::fairness::{FairnessReport, PersonOutcome};
use crate::placement::BookedPlace;

use super::{Arrivals, Room, Run, SeriesPoint, TimeSeries};

/// The version tag at the top of `summary.json`; bumped when its layout changes.
pub const SUMMARY_FORMAT: &str = "fairbook-fairness-lab/2";

/// The header of the per-person CSV written by [`write_outcomes_csv`].
pub const OUTCOMES_CSV_HEADER: &str = concat!(
    "person,cohort,joined_at_ms,join_rank,admitted_at_ms,admit_rank,wait_ms,bounces,",
    "choices_listed,got_choice,bypass_booking,found_sold_out,site,day,window,distance_m,",
    "days_late"
);

/// One row of the per-person CSV.
#[derive(Serialize, Deserialize)]
struct OutcomeRecord {
    person: u64,
    cohort: u16,
    joined_at_ms: u64,
    join_rank: u64,
    admitted_at_ms: Option<u64>,
    admit_rank: Option<u64>,
    wait_ms: Option<u64>,
    bounces: u32,
    choices_listed: u8,
    got_choice: Option<u8>,
    bypass_booking: u8,
    found_sold_out: u8,
    site: Option<u32>,
    day: Option<u16>,
    window: Option<u8>,
    distance_m: Option<u32>,
    days_late: Option<i32>,
}

/// Writes one CSV row per person, with the header [`OUTCOMES_CSV_HEADER`] (the fields of
/// [`PersonOutcome`] and its booking, plus `wait_ms`). Missing values are empty fields;
/// flags are 0 or 1.
///
/// # Errors
/// Whatever `out` returns.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{self, Arrivals, Fifo, Scenario};
///
/// let arrivals = Arrivals::generate(&Scenario::small(50), 1)?;
/// let run = sim::run(&arrivals, &Fifo)?;
/// let mut csv = Vec::new();
/// sim::write_outcomes_csv(&run.outcomes, &mut csv)?;
/// let text = String::from_utf8(csv.clone())?;
/// assert_eq!(text.lines().count(), 51);
/// assert!(text.starts_with("person,cohort,joined_at_ms,join_rank,"));
/// assert_eq!(sim::read_outcomes_csv(csv.as_slice())?, run.outcomes);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_outcomes_csv(outcomes: &[PersonOutcome], out: impl Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(io::BufWriter::new(out));
    for outcome in outcomes {
        let booking = outcome.booking;
        writer
            .serialize(OutcomeRecord {
                person: outcome.person.as_u64(),
                cohort: outcome.cohort.as_u16(),
                joined_at_ms: outcome.joined_at.as_millis(),
                join_rank: outcome.join_rank,
                admitted_at_ms: outcome.admitted_at.map(Timestamp::as_millis),
                admit_rank: outcome.admit_rank,
                wait_ms: outcome.wait_ms(),
                bounces: outcome.bounces,
                choices_listed: outcome.choices_listed,
                got_choice: outcome.got_choice,
                bypass_booking: u8::from(outcome.bypass_booking),
                found_sold_out: u8::from(outcome.found_sold_out),
                site: booking.map(|booked| booked.site.as_u32()),
                day: booking.map(|booked| booked.day.as_u16()),
                window: booking.map(|booked| booked.window.as_u8()),
                distance_m: booking.map(|booked| booked.distance_m),
                days_late: booking.map(|booked| booked.days_late),
            })
            .map_err(io::Error::other)?;
    }
    writer.flush()
}

/// Reads the per-person CSV back, so that metrics can be computed from the file alone.
///
/// # Errors
/// An [`io::Error`] of kind `InvalidData` naming the line, for a row that is not one of
/// [`write_outcomes_csv`]'s (a booking must have all five of its columns or none).
///
/// # Example
/// See [`write_outcomes_csv`].
pub fn read_outcomes_csv(input: impl io::Read) -> io::Result<Vec<PersonOutcome>> {
    let mut reader = csv::Reader::from_reader(input);
    let mut outcomes = Vec::new();
    for (index, record) in reader.deserialize::<OutcomeRecord>().enumerate() {
        let invalid = |message: String| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("outcomes line {}: {message}", index + 2),
            )
        };
        let record = record.map_err(|error| invalid(error.to_string()))?;
        let booking = match (
            record.site,
            record.day,
            record.window,
            record.distance_m,
            record.days_late,
        ) {
            (Some(site), Some(day), Some(window), Some(distance_m), Some(days_late)) => {
                Some(BookedPlace {
                    site: SiteId::new(site),
                    day: Day::new(day),
                    window: Window::new(window),
                    distance_m,
                    days_late,
                })
            }
            (None, None, None, None, None) => None,
            _ => {
                return Err(invalid(
                    "a booking needs all of its five columns".to_owned(),
                ));
            }
        };
        outcomes.push(PersonOutcome {
            person: PersonId::new(record.person),
            cohort: CohortId::new(record.cohort),
            joined_at: Timestamp::from_millis(record.joined_at_ms),
            join_rank: record.join_rank,
            admitted_at: record.admitted_at_ms.map(Timestamp::from_millis),
            admit_rank: record.admit_rank,
            bounces: record.bounces,
            choices_listed: record.choices_listed,
            got_choice: record.got_choice,
            bypass_booking: record.bypass_booking != 0,
            found_sold_out: record.found_sold_out != 0,
            booking,
        });
    }
    Ok(outcomes)
}

/// One row of the time-series CSV.
#[derive(Serialize)]
struct SeriesRecord {
    at_ms: u64,
    waiting_people: u64,
    queue_places: u64,
    admitted: u64,
    bookings: u64,
    active_max: u64,
    join_requests: u64,
    bounces: u64,
    bypass_bookings: u64,
}

/// Writes one CSV row per series point, with a header:
/// `at_ms,waiting_people,queue_places,admitted,bookings,active_max,join_requests,bounces,bypass_bookings`.
///
/// # Errors
/// Whatever `out` returns.
pub fn write_series_csv(series: &TimeSeries, out: impl Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(io::BufWriter::new(out));
    for point in &series.points {
        let SeriesPoint {
            at,
            waiting_people,
            queue_places,
            admitted,
            bookings,
            active_max,
            join_requests,
            bounces,
            bypass_bookings,
        } = *point;
        writer
            .serialize(SeriesRecord {
                at_ms: at.as_millis(),
                waiting_people,
                queue_places,
                admitted,
                bookings,
                active_max,
                join_requests,
                bounces,
                bypass_bookings,
            })
            .map_err(io::Error::other)?;
    }
    writer.flush()
}

/// Writes `summary.json`: the format tag, the seed, the scenario (as a scenario file spells
/// it, so that it can be fed back with `--scenario`), and per run its summary counts, its
/// draws (with the commitment and the revealed secret) and its fairness metrics (named as
/// [`FairnessReport::to_table_rows`](crate::fairness::FairnessReport::to_table_rows) names
/// them).
///
/// # Errors
/// Whatever `out` returns.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{self, Arrivals, Scenario, Shuffle};
///
/// let arrivals = Arrivals::generate(&Scenario::small(50), 1)?;
/// let runs = [sim::run(&arrivals, &Shuffle)?];
/// let mut json = Vec::new();
/// sim::write_summary_json(&arrivals, &runs, &mut json)?;
/// let text = String::from_utf8(json)?;
/// assert!(text.contains("\"commitment\": \""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_summary_json(arrivals: &Arrivals, runs: &[Run], out: impl Write) -> io::Result<()> {
    let reports: Vec<FairnessReport> = runs.iter().map(Run::report).collect();
    write_summary_json_with_reports(arrivals, runs, &reports, out)
}

/// [`write_summary_json`] with each run's report already computed (`reports[i]` is
/// `runs[i].report()`), so that a caller who needs the reports anyway computes each once:
/// over 1.5 million people a report takes about a second.
///
/// # Errors
/// Whatever `out` returns; `InvalidInput` if there is not one report per run.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{self, Arrivals, Fifo, Scenario};
///
/// let arrivals = Arrivals::generate(&Scenario::small(50), 1)?;
/// let runs = [sim::run(&arrivals, &Fifo)?];
/// let reports = [runs[0].report()];
/// let (mut once, mut again) = (Vec::new(), Vec::new());
/// sim::write_summary_json_with_reports(&arrivals, &runs, &reports, &mut once)?;
/// sim::write_summary_json(&arrivals, &runs, &mut again)?;
/// assert_eq!(once, again);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_summary_json_with_reports(
    arrivals: &Arrivals,
    runs: &[Run],
    reports: &[FairnessReport],
    out: impl Write,
) -> io::Result<()> {
    if reports.len() != runs.len() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} reports for {} runs", reports.len(), runs.len()),
        ));
    }
    let document = json!({
        "format": SUMMARY_FORMAT,
        "seed": arrivals.seed(),
        "scenario": arrivals.scenario(),
        "runs": runs
            .iter()
            .zip(reports)
            .map(|(run, report)| run_json(run, report))
            .collect::<Vec<Value>>(),
    });
    let mut out = io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &document).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
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
    let reports: Vec<FairnessReport> = runs.iter().map(Run::report).collect();
    comparison_rows_with_reports(runs, &reports)
}

/// [`comparison_rows`] with each run's report already computed (`reports[i]` is
/// `runs[i].report()`).
///
/// # Panics
/// If there is not one report per run.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{self, Arrivals, Fifo, Scenario};
///
/// let arrivals = Arrivals::generate(&Scenario::small(100), 1)?;
/// let runs = [sim::run(&arrivals, &Fifo)?];
/// let reports = [runs[0].report()];
/// assert_eq!(sim::comparison_rows_with_reports(&runs, &reports), sim::comparison_rows(&runs));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn comparison_rows_with_reports(
    runs: &[Run],
    reports: &[FairnessReport],
) -> Vec<(String, Vec<String>)> {
    assert_eq!(reports.len(), runs.len(), "one report per run");
    let per_run: Vec<Vec<(String, String)>> = runs
        .iter()
        .zip(reports)
        .map(|(run, report)| {
            let mut rows = report.to_table_rows();
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

/// A metric printed as text by a report (`"-"` for missing): a number if it reads as one,
/// `null` for `-`, the text otherwise.
fn metric_value(text: &str) -> Value {
    if text == "-" {
        Value::Null
    } else if let Ok(int) = text.parse::<i64>() {
        Value::from(int)
    } else if let Ok(float) = text.parse::<f64>() {
        // JSON has no NaN or infinity; the metrics never produce them.
        serde_json::Number::from_f64(float).map_or(Value::Null, Value::Number)
    } else {
        Value::from(text)
    }
}

fn rows_json(rows: Vec<(String, String)>) -> Value {
    Value::Object(
        rows.into_iter()
            .map(|(name, value)| {
                let value = metric_value(&value);
                (name, value)
            })
            .collect::<Map<String, Value>>(),
    )
}

fn run_json(run: &Run, report: &FairnessReport) -> Value {
    let draws: Vec<Value> = run
        .draws
        .iter()
        .map(|draw| {
            json!({
                "cohort": draw.cohort.as_u16(),
                "at_ms": draw.at.as_millis(),
                "entrants": draw.entrants.len(),
                "entrants_sha256": draw.entrants_digest(),
                "drawn_sha256": draw.drawn_digest(),
            })
        })
        .collect();
    json!({
        "policy": run.policy,
        "engine_backed": run.room == Room::Engine,
        "summary": rows_json(run.summary.to_table_rows()),
        "commitment": run.summary.commitment.map(|commitment| commitment.to_hex()),
        "commitment_published_at_ms": run.summary.commitment.map(|_| 0),
        "revealed_secret": run.summary.revealed_secret.map(|secret| secret.to_hex()),
        "draws": draws,
        "fairness": rows_json(report.to_table_rows()),
    })
}
