//! Arrival traces: [`TraceRow`] (one device's first join: time, person, device, cohort,
//! where they live and work, the day and windows they want, their ranked preferences), the
//! CSV format ([`write_trace_csv`], [`read_trace_csv`], [`TRACE_CSV_HEADER`]) and
//! [`TraceError`].
//!
//! A researcher feeds the simulator a trace of their own with
//! [`Arrivals::from_trace`](super::Arrivals::from_trace); the generated people are written
//! in the same format with [`Arrivals::trace`](super::Arrivals::trace), so a trace written
//! and read back replays byte for byte.

use core::fmt;
use std::io;

use fairbook::{CohortId, Day, PersonId, SlotId, Timestamp};
use serde::{Deserialize, Serialize};

use super::arrivals::{Drawn, PeopleById};
use super::{Point, Scenario, ScenarioError};

/// The header of an arrival trace. `work_x_m` and `work_y_m` are empty for people who do not
/// work away from home; `wanted_windows` and `preferences` are space-separated window
/// numbers and slot ids (most wanted first).
pub const TRACE_CSV_HEADER: &str = concat!(
    "at_ms,person,device,cohort,home_x_m,home_y_m,work_x_m,work_y_m,",
    "wanted_day,wanted_windows,preferences"
);

/// One device's first join.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{self, Arrivals, Scenario};
///
/// let arrivals = Arrivals::generate(&Scenario::small(200), 3)?;
/// let rows = arrivals.trace();
/// let mut csv = Vec::new();
/// sim::write_trace_csv(&rows, &mut csv)?;
/// let read = sim::read_trace_csv(csv.as_slice())?;
/// assert_eq!(read, rows);
/// let again = Arrivals::from_trace(arrivals.scenario(), arrivals.seed(), &read)?;
/// assert_eq!(again, arrivals);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceRow {
    /// When the device first tries to join.
    pub at: Timestamp,
    /// Who.
    pub person: PersonId,
    /// Which of their devices (0, 1 or 2; a person's devices are numbered from 0).
    pub device: u8,
    /// Their eligibility group.
    pub cohort: CohortId,
    /// Where they live.
    pub home: Point,
    /// Where they work, if away from home.
    pub workplace: Option<Point>,
    /// The vaccination day they want.
    pub wanted_day: Day,
    /// The windows they can come in, as a bit set.
    pub wanted_windows: u64,
    /// Their ranked preferences, most wanted first.
    pub preferences: Vec<SlotId>,
}

/// A row as the CSV spells it.
#[derive(Serialize, Deserialize)]
struct Record {
    at_ms: u64,
    person: u64,
    device: u8,
    cohort: u16,
    home_x_m: u32,
    home_y_m: u32,
    work_x_m: Option<u32>,
    work_y_m: Option<u32>,
    wanted_day: u16,
    wanted_windows: String,
    preferences: String,
}

/// Writes a trace as CSV, with the header [`TRACE_CSV_HEADER`].
///
/// # Errors
/// Whatever `out` returns.
///
/// # Example
/// See [`TraceRow`].
pub fn write_trace_csv(rows: &[TraceRow], out: impl io::Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let mut windows = String::new();
    let mut preferences = String::new();
    for row in rows {
        windows.clear();
        for window in (0..64).filter(|window| row.wanted_windows & (1u64 << window) != 0) {
            push_number(&mut windows, window);
        }
        preferences.clear();
        for slot in &row.preferences {
            push_number(&mut preferences, u64::from(slot.as_u32()));
        }
        writer
            .serialize(Record {
                at_ms: row.at.as_millis(),
                person: row.person.as_u64(),
                device: row.device,
                cohort: row.cohort.as_u16(),
                home_x_m: row.home.x_m,
                home_y_m: row.home.y_m,
                work_x_m: row.workplace.map(|point| point.x_m),
                work_y_m: row.workplace.map(|point| point.y_m),
                wanted_day: row.wanted_day.as_u16(),
                wanted_windows: windows.clone(),
                preferences: preferences.clone(),
            })
            .map_err(io::Error::other)?;
    }
    writer.flush()
}

fn push_number(text: &mut String, number: u64) {
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(&number.to_string());
}

/// Reads a trace written as [`write_trace_csv`] writes it (the header must name the
/// columns of [`TRACE_CSV_HEADER`]; their order may differ).
///
/// # Errors
/// [`TraceError::Csv`] for a row that is not CSV or has a field of the wrong type, with its
/// line; [`TraceError::BadList`] for a window or preference list that is not numbers.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{self, TraceError};
/// let text = "at_ms,person,device,cohort,home_x_m,home_y_m,work_x_m,work_y_m,wanted_day,wanted_windows,preferences\n\
///             1000,7,0,0,10,20,,,0,0 1,3 4\n";
/// let rows = sim::read_trace_csv(text.as_bytes())?;
/// assert_eq!(rows[0].person.as_u64(), 7);
/// assert_eq!(rows[0].wanted_windows, 0b11);
/// assert!(matches!(sim::read_trace_csv("at_ms\nsoon\n".as_bytes()), Err(TraceError::Csv { .. })));
/// # Ok::<(), TraceError>(())
/// ```
pub fn read_trace_csv(input: impl io::Read) -> Result<Vec<TraceRow>, TraceError> {
    let mut reader = csv::Reader::from_reader(input);
    let mut rows = Vec::new();
    for (index, record) in reader.deserialize::<Record>().enumerate() {
        // Line 1 is the header.
        let line = index as u64 + 2;
        let record = record.map_err(|error| TraceError::Csv {
            line,
            message: error.to_string(),
        })?;
        let numbers = |text: &str, column: &'static str| -> Result<Vec<u64>, TraceError> {
            text.split_whitespace()
                .map(|number| {
                    number
                        .parse::<u64>()
                        .map_err(|_| TraceError::BadList { line, column })
                })
                .collect()
        };
        let mut wanted_windows = 0u64;
        for window in numbers(&record.wanted_windows, "wanted_windows")? {
            if window >= 64 {
                return Err(TraceError::BadList {
                    line,
                    column: "wanted_windows",
                });
            }
            wanted_windows |= 1 << window;
        }
        let preferences = numbers(&record.preferences, "preferences")?
            .into_iter()
            .map(|slot| {
                u32::try_from(slot)
                    .map(SlotId::new)
                    .map_err(|_| TraceError::BadList {
                        line,
                        column: "preferences",
                    })
            })
            .collect::<Result<Vec<SlotId>, TraceError>>()?;
        let workplace = match (record.work_x_m, record.work_y_m) {
            (Some(x_m), Some(y_m)) => Some(Point { x_m, y_m }),
            (None, None) => None,
            _ => {
                return Err(TraceError::BadList {
                    line,
                    column: "work_x_m",
                });
            }
        };
        rows.push(TraceRow {
            at: Timestamp::from_millis(record.at_ms),
            person: PersonId::new(record.person),
            device: record.device,
            cohort: CohortId::new(record.cohort),
            home: Point {
                x_m: record.home_x_m,
                y_m: record.home_y_m,
            },
            workplace,
            wanted_day: Day::new(record.wanted_day),
            wanted_windows,
            preferences,
        });
    }
    Ok(rows)
}

/// Groups a trace's rows by person into what the generator would have drawn, and their
/// preferences (flat, `choices_per_person` per person, in the same order).
pub(crate) fn group(
    scenario: &Scenario,
    rows: &[TraceRow],
) -> Result<(Vec<Drawn>, Vec<SlotId>), TraceError> {
    let per_person = usize::from(scenario.behaviour.choices_per_person);
    let inventory = &scenario.inventory;
    let mut index_of: PeopleById = PeopleById::with_capacity(rows.len());
    let mut drawn: Vec<Drawn> = Vec::new();
    let mut choices: Vec<SlotId> = Vec::new();
    let mut seen_devices: Vec<u8> = Vec::new();
    for (row_index, row) in rows.iter().enumerate() {
        let line = row_index as u64 + 2;
        let bad = |problem: &'static str| TraceError::Row { line, problem };
        let cohort = scenario
            .cohorts
            .get(row.cohort.as_index())
            .ok_or_else(|| bad("unknown cohort"))?;
        let day = row.wanted_day.as_u16();
        if day < cohort.first_day || day >= cohort.first_day + cohort.days {
            return Err(bad("wanted_day is not one of the cohort's days"));
        }
        let all_windows = if inventory.windows >= 64 {
            u64::MAX
        } else {
            (1u64 << inventory.windows) - 1
        };
        if row.wanted_windows == 0 || row.wanted_windows & !all_windows != 0 {
            return Err(bad(
                "wanted_windows is empty or names a window the days lack",
            ));
        }
        if row.device >= 3 {
            return Err(bad("device must be 0, 1 or 2"));
        }
        if !row.person.is_valid() {
            return Err(bad("person id is reserved"));
        }
        if row.preferences.len() != per_person
            || row
                .preferences
                .iter()
                .any(|slot| u64::from(slot.as_u32()) >= inventory.slot_count())
            || (1..row.preferences.len())
                .any(|index| row.preferences[..index].contains(&row.preferences[index]))
        {
            return Err(bad(
                "preferences must be choices_per_person distinct slots of the inventory",
            ));
        }
        let index = *index_of.entry(row.person).or_insert_with(|| {
            drawn.push(Drawn {
                person: row.person,
                cohort: row.cohort,
                devices: 0,
                device_at_ms: [0; 3],
                home: row.home,
                workplace: row.workplace,
                wanted_day: row.wanted_day,
                wanted_windows: row.wanted_windows,
            });
            choices.extend_from_slice(&row.preferences);
            seen_devices.push(0);
            drawn.len() - 1
        });
        let person = &mut drawn[index];
        if person.cohort != row.cohort
            || person.home != row.home
            || person.workplace != row.workplace
            || person.wanted_day != row.wanted_day
            || person.wanted_windows != row.wanted_windows
            || choices[index * per_person..(index + 1) * per_person] != row.preferences[..]
        {
            return Err(bad("a person's rows disagree on who they are"));
        }
        let device_bit = 1u8 << row.device;
        if seen_devices[index] & device_bit != 0 {
            return Err(bad("a device of this person joins twice"));
        }
        seen_devices[index] |= device_bit;
        person.device_at_ms[usize::from(row.device)] = row.at.as_millis();
        person.devices += 1;
    }
    for (index, &devices) in seen_devices.iter().enumerate() {
        // Devices are numbered from 0 without gaps: 0b1, 0b11 or 0b111.
        if devices & (devices + 1) != 0 {
            return Err(TraceError::DeviceGap {
                person: drawn[index].person,
            });
        }
    }
    if drawn.is_empty() {
        return Err(TraceError::Scenario(ScenarioError::NoPeople));
    }
    Ok((drawn, choices))
}

/// An arrival trace that cannot be read or played.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{Arrivals, Scenario, TraceError};
/// let error = Arrivals::from_trace(&Scenario::small(10), 1, &[]).unwrap_err();
/// assert_eq!(error.to_string(), "the trace does not fit the scenario: a scenario needs between 1 and 4294967295 people");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TraceError {
    /// A line is not CSV, or a field has the wrong type.
    Csv {
        /// The line (1 is the header).
        line: u64,
        /// What the CSV reader said.
        message: String,
    },
    /// A window or preference list is not space-separated numbers in range, or only one of
    /// `work_x_m` and `work_y_m` is given.
    BadList {
        /// The line.
        line: u64,
        /// The column.
        column: &'static str,
    },
    /// A row does not fit the scenario.
    Row {
        /// The line (1 is the header, so row `i` of a slice is line `i + 2`).
        line: u64,
        /// What is wrong.
        problem: &'static str,
    },
    /// A person's devices are not numbered 0, 1, 2 without a gap.
    DeviceGap {
        /// Who.
        person: PersonId,
    },
    /// The scenario, with the trace's number of people, cannot be simulated.
    Scenario(ScenarioError),
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TraceError::Csv { line, message } => write!(f, "trace line {line}: {message}"),
            TraceError::BadList { line, column } => {
                write!(
                    f,
                    "trace line {line}: {column} is not a list of numbers in range"
                )
            }
            TraceError::Row { line, problem } => write!(f, "trace line {line}: {problem}"),
            TraceError::DeviceGap { person } => write!(
                f,
                "person {} has devices that are not numbered 0, 1, 2 without a gap",
                person.as_u64()
            ),
            TraceError::Scenario(error) => {
                write!(f, "the trace does not fit the scenario: {error}")
            }
        }
    }
}

impl std::error::Error for TraceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TraceError::Scenario(error) => Some(error),
            _ => None,
        }
    }
}
