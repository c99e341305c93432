//! The reference surge, end to end, on the real engine: 10,000,000 join requests from
//! 1,500,000 people, admission of everybody in order, a booking by ranked preference for each
//! of them on the reference clinic inventory, some churn, and a full audit. Every figure is set
//! beside simpler designs fed the same work in the same process: a `Mutex<(HashMap,
//! VecDeque)>` waiting room, the bare lock-free design the engine grew from (which does less),
//! its tuned, prefetching form, and a `Mutex<HashMap>` inventory.
//!
//! Run it with `cargo run --release --example surge` (about half a minute on a 2-core
//! machine: the `Mutex` room is the slow part).
//!
//! ```text
//! cargo run --release --example surge -- [--people N] [--joins N] [--seed N] [--threads N]
//!                                        [--rounds N] [--skew uniform|zipf|zipf:EXPONENT]
//!                                        [--journal] [--json]
//! ```
//!
//! With `--json`, standard output holds exactly one JSON object and the table goes to
//! standard error. The exit code is 0 when every check and the audit pass, 1 when one fails,
//! and 2 for bad arguments.
//!
//! # The steps, and what each figure covers
//!
//! 1. **Workload.** [`workload::join_stream`] generates the requests (uniform by default;
//!    `--skew zipf` gives everybody one join plus Zipf-distributed retries, exponent 0.99).
//! 2. **Engine.** Sized for `--people` people and the reference inventory
//!    ([`InventorySpec::reference`]: 14,000 sites × 14 days × 8 windows, 10% more places
//!    than people), with hour-long leases so that nobody's lease runs out during the run.
//! 3. **Joins** (the headline), `--rounds` times (3 by default), each round in the same order
//!    on fresh engines and rooms: the engine per call, the engine batched, the `Mutex` room,
//!    the bare lock-free room per call, and the tuned lock-free room batched. The stream is
//!    dealt to `--threads` threads in blocks of 4,096 requests (see `fairbook_bench::timing`);
//!    per call, each thread calls `Engine::enqueue` once per request with a constant `now` (the
//!    whole surge lands within one engine millisecond) and does nothing else; batched, it
//!    calls `Engine::enqueue_batch` once per block. The clock runs from a barrier's release to
//!    the last join. After each, the run checks that exactly the stream's distinct people got
//!    places. Rates are medians over the rounds, and each ratio is the median of the rounds'
//!    own ratios, so that a machine that changes speed between rounds moves both sides.
//! 4. **Admission.** `advance` lets everybody in, 100,000 per call, the clock moving 100 ms
//!    per call; the run checks that the places admitted are exactly 0, 1, 2, ... in order.
//!    Admissions per second time the `advance` calls only.
//! 5. **Booking.** Every admitted person, in admission order dealt in blocks to the threads,
//!    calls `reserve` once with five ranked choices from [`Demand::preferences`] (drawn
//!    before the clock starts). Reserves per second time those calls only. The batched
//!    engine takes the same requests through `Engine::reserve_batch` in blocks, and a
//!    `Mutex<HashMap>` inventory of the same slots takes them through one locked
//!    "first with room" each (which checks no admission at all: less work).
//! 6. **Churn.** Every 20th booked person (5%) releases their booking; then the people who
//!    found no room among their five choices try again, in admission order, with their five
//!    choices plus one freshly released seat offered to them.
//! 7. **Audit.** [`Engine::audit`] recounts every invariant from scratch.
//! 8. **Journal** (with `--journal`). A `DurableEngine` in a temporary directory takes the
//!    same stream per call (every first join appends a record; nobody waits), then admits
//!    everybody and books with each thread waiting for durability after every block of
//!    4,096 reserves, as a service acknowledging bookings in batches would: joins/s and
//!    durable bookings/s, each as a ratio to the same run's figure without the journal;
//!    fdatasyncs, records per fdatasync, bytes per record. Then recovery: the journal is
//!    reopened and replayed from the log alone (records/s), a snapshot is written, and the
//!    engine is reopened from the snapshot and the log after it.

use std::error::Error;
use std::fmt::Write as _;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use fairbook::{
    AuditReport, CohortId, Config, Engine, EnqueueError, MemoryUse, PEOPLE_MAX_LIMIT, PersonId,
    ReserveError, ReserveRequest, SlotId, SlotSpec, Status, Timestamp,
};
use fairbook_bench::baselines;
use fairbook_bench::lockfree::LockFreeRoom;
use fairbook_bench::timing;
use fairbook_journal::{DurableEngine, JournalConfig, JournalStats};
use fairbook_lab::rng::Rng;
use fairbook_lab::workload::{self, Demand, InventorySpec, JoinSkew, SurgeSpec};

use baselines::{MutexInventory, Room, StdMutexRoom};
use timing::{blocks_for, run_together};

const USAGE: &str = "\
usage: surge [--people N] [--joins N] [--seed N] [--threads N] [--rounds N]
             [--skew uniform|zipf|zipf:EXPONENT] [--journal] [--json]

  --people N     distinct people who may join (default 1,500,000)
  --joins N      join requests in the surge, repeats included (default 10,000,000)
  --seed N       seed of the workload (default 2021)
  --threads N    threads that join and book (default 2)
  --rounds N     rounds of the join comparison; rates are medians (default 3)
  --skew S       uniform (default): every request from a uniformly drawn person;
                 zipf: everybody joins once, retries follow a Zipf law of exponent 0.99;
                 zipf:EXPONENT: the same with another exponent (finite, not negative)
  --journal      also run the surge on a journaled engine in a temporary directory, and
                 recover it (joins/s, durable bookings/s, fdatasyncs, recovery time)
  --json         print one JSON object on standard output (the table goes to standard error)
  --help         print this message

Numbers may contain underscores or commas: --joins 10_000_000.";

/// The Zipf exponent `--skew zipf` stands for.
const DEFAULT_ZIPF_EXPONENT: f64 = 0.99;
/// The most join requests a run accepts: 8 GB of person ids.
const JOINS_MAX: u64 = 1_000_000_000;
/// The most threads a run accepts.
const THREADS_MAX: usize = 256;
/// The most rounds of the join comparison a run accepts.
const ROUNDS_MAX: usize = 100;

const COHORT: CohortId = CohortId::new(0);
/// When the surge arrives; every join is made at this time.
const OPENING: Timestamp = Timestamp::from_secs(1_000);
/// How long a lease outlasts the last admission: an hour, so that no lease runs out during
/// the run (see [`lease_ms`]).
const LEASE_AFTER_LAST_ADMISSION_MS: u64 = 60 * 60 * 1_000;
/// People let in per `advance` call, and how far the clock moves between calls.
const ADMISSION_BATCH: u64 = 100_000;
const ADMISSION_STEP_MS: u64 = 100;
/// Ranked choices per person.
const CHOICES: usize = 5;
/// One booked person in this many gives their booking back during the churn.
const RELEASE_EVERY: usize = 20;

/// The run's settings, from the command line.
#[derive(Clone, Copy, Debug)]
struct Options {
    people: u64,
    joins: u64,
    seed: u64,
    threads: usize,
    rounds: usize,
    skew: JoinSkew,
    journal: bool,
    json: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            people: SurgeSpec::REFERENCE_PEOPLE,
            joins: SurgeSpec::REFERENCE_JOINS,
            seed: SurgeSpec::REFERENCE_SEED,
            threads: 2,
            rounds: 3,
            skew: JoinSkew::Uniform,
            journal: false,
            json: false,
        }
    }
}

/// What the command line asks for.
enum Command {
    Run(Options),
    Help,
}

fn parse_command(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // Both `--flag value` and `--flag=value`.
        let (flag, inline_value) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        match flag.as_str() {
            "--help" | "-h" => return Ok(Command::Help),
            "--json" if inline_value.is_some() => return Err("--json takes no value".to_owned()),
            "--json" => options.json = true,
            "--journal" if inline_value.is_some() => {
                return Err("--journal takes no value".to_owned());
            }
            "--journal" => options.journal = true,
            "--people" | "--joins" | "--seed" | "--threads" | "--rounds" | "--skew" => {
                let value = match inline_value {
                    Some(value) => value,
                    None => args.next().ok_or_else(|| format!("{flag} needs a value"))?,
                };
                match flag.as_str() {
                    "--people" => options.people = parse_count(&flag, &value)?,
                    "--joins" => options.joins = parse_count(&flag, &value)?,
                    "--seed" => options.seed = parse_count(&flag, &value)?,
                    "--threads" => {
                        let threads = parse_count(&flag, &value)?;
                        options.threads = usize::try_from(threads).unwrap_or(usize::MAX);
                    }
                    "--rounds" => {
                        let rounds = parse_count(&flag, &value)?;
                        options.rounds = usize::try_from(rounds).unwrap_or(usize::MAX);
                    }
                    _ => options.skew = parse_skew(&value)?,
                }
            }
            _ => return Err(format!("unknown argument `{flag}`")),
        }
    }
    if options.people == 0 || options.people > PEOPLE_MAX_LIMIT {
        return Err(format!(
            "--people must be between 1 and {PEOPLE_MAX_LIMIT}, not {}",
            options.people
        ));
    }
    if options.joins > JOINS_MAX {
        return Err(format!(
            "--joins must be at most {JOINS_MAX}, not {}",
            options.joins
        ));
    }
    if options.rounds == 0 || options.rounds > ROUNDS_MAX {
        return Err(format!(
            "--rounds must be between 1 and {ROUNDS_MAX}, not {}",
            options.rounds
        ));
    }
    if options.threads == 0 || options.threads > THREADS_MAX {
        return Err(format!(
            "--threads must be between 1 and {THREADS_MAX}, not {}",
            options.threads
        ));
    }
    Ok(Command::Run(options))
}

fn parse_count(flag: &str, value: &str) -> Result<u64, String> {
    let digits: String = value.chars().filter(|&c| c != '_' && c != ',').collect();
    digits
        .parse()
        .map_err(|_| format!("{flag} needs a whole number, not `{value}`"))
}

fn parse_skew(value: &str) -> Result<JoinSkew, String> {
    let exponent = match value {
        "uniform" => return Ok(JoinSkew::Uniform),
        "zipf" => DEFAULT_ZIPF_EXPONENT,
        _ => value
            .strip_prefix("zipf:")
            .and_then(|exponent| exponent.parse::<f64>().ok())
            .filter(|exponent| exponent.is_finite() && *exponent >= 0.0)
            .ok_or_else(|| {
                format!(
                    "--skew must be uniform, zipf or zipf:EXPONENT (EXPONENT ≥ 0), not `{value}`"
                )
            })?,
    };
    Ok(JoinSkew::Zipf { exponent })
}

fn skew_label(skew: JoinSkew) -> String {
    match skew {
        JoinSkew::Uniform => "uniform".to_owned(),
        JoinSkew::Zipf { exponent } => format!("zipf:{exponent}"),
    }
}

/// Everything the run measured and counted.
#[derive(Debug, Default)]
struct Report {
    options: Options,
    distinct_people: u64,
    generate: Duration,
    /// One entry per round of the join comparison.
    join_rounds: Vec<JoinRound>,
    admitted: u64,
    admission: Duration,
    reserve: Duration,
    batch_reserve: Duration,
    mutex_reserve: Duration,
    reserves: u64,
    bookings_by_rank: [u64; CHOICES],
    no_room: u64,
    released: u64,
    rebooked_own_choice: u64,
    rebooked_offered_seat: u64,
    still_no_room: u64,
    engine_memory: Option<MemoryUse>,
    /// With `--journal`.
    journal: Option<JournalReport>,
    peak_rss_bytes: Option<u64>,
    /// Anonymous memory backed by transparent huge pages right after the joins: the engine
    /// asks for them, and whether the kernel could grant them moves the join rate a lot.
    huge_pages_bytes: Option<u64>,
    audit: Option<AuditReport>,
    total: Duration,
}

/// What the journaled run measured.
#[derive(Debug, Default)]
struct JournalReport {
    join: Duration,
    durable_reserve: Duration,
    reserves: u64,
    stats: Option<JournalStats>,
    /// Bytes on disk per record of the join phase (one per first join) and of the booking
    /// phase (one per booking), frames included.
    join_record_bytes: f64,
    booking_record_bytes: f64,
    /// fdatasyncs during the durable bookings.
    booking_fsyncs: u64,
    records: u64,
    log_replay: Duration,
    log_records: usize,
    snapshot_write: Duration,
    snapshot_bytes: u64,
    snapshot_recovery: Duration,
    snapshot_records_after: usize,
}

/// How long each design took to join the whole stream in one round.
#[derive(Clone, Copy, Debug, Default)]
struct JoinRound {
    engine: Duration,
    engine_batch: Duration,
    mutex: Duration,
    lockfree: Duration,
    lockfree_batch: Duration,
}

/// The median of `values` (the mean of the middle two for an even count), or 0 if none.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        len if len % 2 == 1 => values[len / 2],
        len => (values[len / 2 - 1] + values[len / 2]) / 2.0,
    }
}

/// `count` per second over `elapsed`, or 0 if nothing was timed.
fn per_sec(count: u64, elapsed: Duration) -> f64 {
    let seconds = elapsed.as_secs_f64();
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        0.0
    }
}

/// `numerator / denominator`, or 0 if the denominator is 0.
fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator > 0.0 {
        numerator / denominator
    } else {
        0.0
    }
}

impl Report {
    /// The median over the rounds of the join rate `design` picks out.
    fn median_joins_per_sec(&self, design: impl Fn(&JoinRound) -> Duration) -> f64 {
        median(
            self.join_rounds
                .iter()
                .map(|round| per_sec(self.options.joins, design(round)))
                .collect(),
        )
    }

    /// The median over the rounds of how many times faster `fast` joined than `slow`.
    fn median_join_ratio(
        &self,
        fast: impl Fn(&JoinRound) -> Duration,
        slow: impl Fn(&JoinRound) -> Duration,
    ) -> f64 {
        median(
            self.join_rounds
                .iter()
                .map(|round| ratio(slow(round).as_secs_f64(), fast(round).as_secs_f64()))
                .collect(),
        )
    }

    fn joins_per_sec(&self) -> f64 {
        self.median_joins_per_sec(|round| round.engine)
    }

    fn batch_joins_per_sec(&self) -> f64 {
        self.median_joins_per_sec(|round| round.engine_batch)
    }

    fn mutex_joins_per_sec(&self) -> f64 {
        self.median_joins_per_sec(|round| round.mutex)
    }

    fn lockfree_joins_per_sec(&self) -> f64 {
        self.median_joins_per_sec(|round| round.lockfree)
    }

    fn lockfree_batch_joins_per_sec(&self) -> f64 {
        self.median_joins_per_sec(|round| round.lockfree_batch)
    }

    /// The join ratios the figures are judged by: per call against the `Mutex` room and the
    /// bare lock-free room, batched against the tuned lock-free room.
    fn join_ratios(&self) -> [(&'static str, f64); 3] {
        [
            (
                "per_call_vs_mutex",
                self.median_join_ratio(|round| round.engine, |round| round.mutex),
            ),
            (
                "per_call_vs_lockfree",
                self.median_join_ratio(|round| round.engine, |round| round.lockfree),
            ),
            (
                "batch_vs_lockfree_batch",
                self.median_join_ratio(|round| round.engine_batch, |round| round.lockfree_batch),
            ),
        ]
    }

    /// Per-call joins with the journal against the median without it, same run.
    fn journal_join_ratio(&self) -> f64 {
        self.journal.as_ref().map_or(0.0, |journal| {
            ratio(
                per_sec(self.options.joins, journal.join),
                self.joins_per_sec(),
            )
        })
    }

    /// Durable bookings with the journal against per-call reserves without it, same run.
    fn journal_reserve_ratio(&self) -> f64 {
        self.journal.as_ref().map_or(0.0, |journal| {
            ratio(
                per_sec(journal.reserves, journal.durable_reserve),
                self.reserves_per_sec(),
            )
        })
    }

    fn reserves_per_sec(&self) -> f64 {
        per_sec(self.reserves, self.reserve)
    }

    fn batch_reserves_per_sec(&self) -> f64 {
        per_sec(self.reserves, self.batch_reserve)
    }

    fn mutex_reserves_per_sec(&self) -> f64 {
        per_sec(self.reserves, self.mutex_reserve)
    }

    fn bookings(&self) -> u64 {
        self.bookings_by_rank.iter().sum()
    }

    fn engine_memory_bytes(&self) -> usize {
        self.engine_memory.map_or(0, |memory| memory.total_bytes())
    }

    /// All of the engine's memory, inventory included, per distinct person.
    fn engine_bytes_per_person(&self) -> f64 {
        ratio(
            self.engine_memory_bytes() as f64,
            self.distinct_people as f64,
        )
    }

    /// The waiting room and the ledger (what grows with people) per distinct person.
    fn bytes_per_person(&self) -> f64 {
        let bytes = self
            .engine_memory
            .map_or(0, |memory| memory.waiting_room_bytes + memory.ledger_bytes);
        ratio(bytes as f64, self.distinct_people as f64)
    }

    fn audit_ok(&self) -> bool {
        self.audit.as_ref().is_some_and(AuditReport::is_ok)
    }

    fn table(&self) -> String {
        let options = self.options;
        let mut rows: Vec<(String, String)> = Vec::new();
        let mut row = |metric: &str, value: String| rows.push((metric.to_owned(), value));
        row("joins", thousands(options.joins));
        row("people (engine people_max)", thousands(options.people));
        row("distinct people", thousands(self.distinct_people));
        row("skew", skew_label(options.skew));
        row("seed", options.seed.to_string());
        row("threads", options.threads.to_string());
        row("rounds (medians below)", self.join_rounds.len().to_string());
        row("generate stream", seconds(self.generate));
        row("joins/s, engine per call", millions(self.joins_per_sec()));
        row(
            "joins/s, engine batched",
            millions(self.batch_joins_per_sec()),
        );
        row(
            "joins/s, std Mutex room",
            millions(self.mutex_joins_per_sec()),
        );
        row(
            "joins/s, bare lock-free per call",
            millions(self.lockfree_joins_per_sec()),
        );
        row(
            "joins/s, tuned lock-free batched",
            millions(self.lockfree_batch_joins_per_sec()),
        );
        let [vs_mutex, vs_lockfree, batch_vs_lockfree] = self.join_ratios();
        row("  per call vs Mutex room", format!("{:.2}x", vs_mutex.1));
        row(
            "  per call vs bare lock-free",
            format!("{:.2}x", vs_lockfree.1),
        );
        row(
            "  batched vs tuned lock-free",
            format!("{:.2}x", batch_vs_lockfree.1),
        );
        row("admitted (in seq order)", thousands(self.admitted));
        row("admission time", seconds(self.admission));
        row(
            "admissions/s",
            millions(per_sec(self.admitted, self.admission)),
        );
        row("reserves", thousands(self.reserves));
        row(
            "reserves/s, engine per call",
            millions(self.reserves_per_sec()),
        );
        row(
            "reserves/s, engine batched",
            millions(self.batch_reserves_per_sec()),
        );
        row(
            "reserves/s, Mutex inventory",
            millions(self.mutex_reserves_per_sec()),
        );
        row(
            "  per call vs Mutex inventory",
            format!(
                "{:.2}x",
                ratio(self.reserves_per_sec(), self.mutex_reserves_per_sec())
            ),
        );
        row(
            "  batched vs Mutex inventory",
            format!(
                "{:.2}x",
                ratio(self.batch_reserves_per_sec(), self.mutex_reserves_per_sec())
            ),
        );
        row("bookings", thousands(self.bookings()));
        for (rank, &count) in self.bookings_by_rank.iter().enumerate() {
            row(
                &format!("  got choice {}", rank + 1),
                format!(
                    "{} ({:.1}%)",
                    thousands(count),
                    100.0 * ratio(count as f64, self.reserves as f64)
                ),
            );
        }
        row("no room among 5 choices", thousands(self.no_room));
        row("churn: bookings released", thousands(self.released));
        row(
            "churn: rebooked, own choice",
            thousands(self.rebooked_own_choice),
        );
        row(
            "churn: rebooked, offered seat",
            thousands(self.rebooked_offered_seat),
        );
        row("churn: still no room", thousands(self.still_no_room));
        row(
            "engine memory",
            mebibytes(self.engine_memory_bytes() as u64),
        );
        row(
            "bytes/person, waiting room and ledger",
            format!("{:.1}", self.bytes_per_person()),
        );
        row(
            "bytes/person, whole engine",
            format!("{:.1}", self.engine_bytes_per_person()),
        );
        if let Some(journal) = &self.journal {
            let stats = journal.stats.unwrap_or_default();
            row(
                "journal: joins/s per call",
                millions(per_sec(options.joins, journal.join)),
            );
            row(
                "  vs the same engine without",
                format!("{:.2}x", self.journal_join_ratio()),
            );
            row(
                "journal: durable bookings/s",
                millions(per_sec(journal.reserves, journal.durable_reserve)),
            );
            row(
                "  vs reserves without the journal",
                format!("{:.2}x", self.journal_reserve_ratio()),
            );
            row("journal: fdatasyncs", thousands(stats.fsyncs));
            row(
                "  per second of durable bookings",
                format!(
                    "{:.0}",
                    per_sec(journal.booking_fsyncs, journal.durable_reserve)
                ),
            );
            row(
                "  bytes per first join, per booking",
                format!(
                    "{:.1}, {:.1}",
                    journal.join_record_bytes, journal.booking_record_bytes
                ),
            );
            row(
                "  records per fdatasync (mean, max)",
                format!(
                    "{:.0}, {}",
                    stats.records_per_fsync(),
                    stats.records_per_fsync_max
                ),
            );
            row(
                "  bytes per record on disk",
                format!("{:.1}", stats.bytes_per_record()),
            );
            row(
                "journal: recovery from the log alone",
                format!(
                    "{} for {} records ({})",
                    seconds(journal.log_replay),
                    thousands(journal.log_records as u64),
                    millions(per_sec(journal.log_records as u64, journal.log_replay))
                ),
            );
            row(
                "  snapshot written",
                format!(
                    "{} ({})",
                    seconds(journal.snapshot_write),
                    mebibytes(journal.snapshot_bytes)
                ),
            );
            row(
                "  recovery from snapshot + log",
                format!(
                    "{} ({} records after the snapshot)",
                    seconds(journal.snapshot_recovery),
                    thousands(journal.snapshot_records_after as u64)
                ),
            );
        }
        row(
            "peak RSS (whole process)",
            self.peak_rss_bytes
                .map_or_else(|| "n/a".to_owned(), mebibytes),
        );
        row(
            "huge pages after joins (process)",
            self.huge_pages_bytes
                .map_or_else(|| "n/a".to_owned(), mebibytes),
        );
        row(
            "audit",
            self.audit
                .as_ref()
                .map_or_else(|| "not run".to_owned(), ToString::to_string),
        );
        row("total run time", seconds(self.total));

        let width = rows
            .iter()
            .map(|(metric, _)| metric.len())
            .max()
            .unwrap_or(0);
        let mut table = format!("{:<width$}  value\n", "metric");
        for (metric, value) in rows {
            // The audit's report may run over several lines; indent the rest under the value.
            let value = value.replace('\n', &format!("\n{:width$}  ", ""));
            let _ = writeln!(table, "{metric:<width$}  {value}");
        }
        table
    }

    fn json(&self) -> String {
        let options = self.options;
        let ranks: Vec<String> = self.bookings_by_rank.iter().map(u64::to_string).collect();
        let [vs_mutex, vs_lockfree, batch_vs_lockfree] = self.join_ratios();
        let fields = [
            ("joins", options.joins.to_string()),
            ("people", options.people.to_string()),
            ("distinct_people", self.distinct_people.to_string()),
            ("skew", format!("\"{}\"", skew_label(options.skew))),
            ("seed", options.seed.to_string()),
            ("threads", options.threads.to_string()),
            ("rounds", self.join_rounds.len().to_string()),
            ("generate_seconds", float(self.generate.as_secs_f64())),
            ("joins_per_sec", float(self.joins_per_sec())),
            ("batch_joins_per_sec", float(self.batch_joins_per_sec())),
            ("mutex_joins_per_sec", float(self.mutex_joins_per_sec())),
            (
                "lockfree_joins_per_sec",
                float(self.lockfree_joins_per_sec()),
            ),
            (
                "lockfree_batch_joins_per_sec",
                float(self.lockfree_batch_joins_per_sec()),
            ),
            (vs_mutex.0, float(vs_mutex.1)),
            (vs_lockfree.0, float(vs_lockfree.1)),
            (batch_vs_lockfree.0, float(batch_vs_lockfree.1)),
            ("admitted", self.admitted.to_string()),
            ("admission_seconds", float(self.admission.as_secs_f64())),
            (
                "admissions_per_sec",
                float(per_sec(self.admitted, self.admission)),
            ),
            ("reserves", self.reserves.to_string()),
            ("reserves_per_sec", float(self.reserves_per_sec())),
            (
                "batch_reserves_per_sec",
                float(self.batch_reserves_per_sec()),
            ),
            (
                "mutex_reserves_per_sec",
                float(self.mutex_reserves_per_sec()),
            ),
            ("bookings", self.bookings().to_string()),
            ("bookings_by_rank", format!("[{}]", ranks.join(", "))),
            ("no_room", self.no_room.to_string()),
            ("released", self.released.to_string()),
            ("rebooked_own_choice", self.rebooked_own_choice.to_string()),
            (
                "rebooked_offered_seat",
                self.rebooked_offered_seat.to_string(),
            ),
            ("still_no_room", self.still_no_room.to_string()),
            (
                "engine_memory_bytes",
                self.engine_memory_bytes().to_string(),
            ),
            ("bytes_per_person", float(self.bytes_per_person())),
            (
                "engine_bytes_per_person",
                float(self.engine_bytes_per_person()),
            ),
            (
                "peak_rss_bytes",
                self.peak_rss_bytes
                    .map_or_else(|| "null".to_owned(), |bytes| bytes.to_string()),
            ),
            (
                "huge_pages_bytes",
                self.huge_pages_bytes
                    .map_or_else(|| "null".to_owned(), |bytes| bytes.to_string()),
            ),
            (
                "journal_joins_per_sec",
                self.journal.as_ref().map_or_else(
                    || "null".to_owned(),
                    |journal| float(per_sec(self.options.joins, journal.join)),
                ),
            ),
            (
                "journal_durable_bookings_per_sec",
                self.journal.as_ref().map_or_else(
                    || "null".to_owned(),
                    |journal| float(per_sec(journal.reserves, journal.durable_reserve)),
                ),
            ),
            ("journal_join_ratio", float(self.journal_join_ratio())),
            ("journal_reserve_ratio", float(self.journal_reserve_ratio())),
            (
                "journal_recovery_seconds",
                self.journal.as_ref().map_or_else(
                    || "null".to_owned(),
                    |journal| float(journal.snapshot_recovery.as_secs_f64()),
                ),
            ),
            ("audit_ok", self.audit_ok().to_string()),
            ("total_seconds", float(self.total.as_secs_f64())),
        ];
        let body: Vec<String> = fields
            .iter()
            .map(|(key, value)| format!("\"{key}\": {value}"))
            .collect();
        format!("{{{}}}", body.join(", "))
    }
}

/// A float as JSON: finite, six decimals.
fn float(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.6}")
    } else {
        "null".to_owned()
    }
}

fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

fn millions(per_sec: f64) -> String {
    format!("{:.2} M/s", per_sec / 1e6)
}

fn seconds(elapsed: Duration) -> String {
    format!("{:.3} s", elapsed.as_secs_f64())
}

fn mebibytes(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
}

/// The process's peak resident set size (`VmHWM`), if the platform reports it.
fn peak_rss_bytes() -> Option<u64> {
    proc_self_kibibytes("status", "VmHWM:")
}

/// The process's anonymous memory backed by transparent huge pages, if the platform reports
/// it.
fn huge_pages_bytes() -> Option<u64> {
    proc_self_kibibytes("smaps_rollup", "AnonHugePages:")
}

/// A `kB` figure from a `/proc/self` file, in bytes.
fn proc_self_kibibytes(file: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/self/{file}")).ok()?;
    let line = text.lines().find(|line| line.starts_with(key))?;
    let kibibytes: u64 = line
        .trim_start_matches(key)
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kibibytes * 1_024)
}

/// A check of the run's own results failed.
#[derive(Debug)]
struct CheckFailed(String);

impl std::fmt::Display for CheckFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "check failed: {}", self.0)
    }
}

impl Error for CheckFailed {}

fn check(condition: bool, message: impl FnOnce() -> String) -> Result<(), CheckFailed> {
    if condition {
        Ok(())
    } else {
        Err(CheckFailed(message()))
    }
}

/// Runs the surge with `report.options`, filling in the rest of `report` as it goes, so that
/// a failed check still leaves what was measured up to it.
fn run(report: &mut Report) -> Result<(), Box<dyn Error>> {
    let started = Instant::now();
    let options = report.options;

    // 1. The workload.
    let spec = SurgeSpec {
        people: options.people,
        joins: options.joins,
        seed: options.seed,
        skew: options.skew,
    };
    let generating = Instant::now();
    let stream = workload::join_stream(&spec);
    report.generate = generating.elapsed();
    report.distinct_people = workload::distinct_count(&stream);

    // 2. The engines' configuration and inventory.
    let inventory = InventorySpec::reference(options.people);
    let slot_specs = workload::slots(&inventory);
    let config = Config {
        people_max: options.people,
        slots_max: u32::try_from(slot_specs.len())?,
        sites_max: inventory.sites,
        days_max: u32::from(inventory.days),
        lease_ms: lease_ms(options.people),
        ..Config::default()
    };

    // 3. The joins, round after round; the engines of the last round go on.
    let mut engines = None;
    for _ in 0..options.rounds {
        engines = Some(join_round(&config, &slot_specs, &stream, report)?);
    }
    let (engine, batch_engine) = engines.ok_or("no round ran")?;
    report.engine_memory = Some(engine.memory());
    report.huge_pages_bytes = huge_pages_bytes();
    let stream_for_journal = if options.journal { stream } else { Vec::new() };

    // 4 to 6.
    let (admitted_in_order, last_admission) = admit_everybody(&engine, report)?;
    let (batch_admitted_in_order, _) = admit_everybody(&batch_engine, &mut Report::default())?;
    let mut rng = Rng::new(options.seed);
    let demand = Demand::new(&inventory);
    let choices_in_order: Vec<[SlotId; CHOICES]> = (0..admitted_in_order.len())
        .map(|_| {
            let mut choices = [SlotId::new(0); CHOICES];
            demand.preferences(&mut rng, &mut choices);
            choices
        })
        .collect();
    let requests: Vec<Request> = admitted_in_order
        .into_iter()
        .zip(choices_in_order.iter().copied())
        .collect();
    let batch_requests: Vec<Request> = batch_admitted_in_order
        .into_iter()
        .zip(choices_in_order.iter().copied())
        .collect();
    let reserve_at = last_admission.plus_millis(1_000);
    let booked = book_everybody(&engine, &requests, reserve_at, report)?;
    book_everybody_batched(&batch_engine, &batch_requests, reserve_at, report)?;
    book_everybody_mutex(&slot_specs, &requests, report)?;
    let slot_specs_for_journal = if options.journal {
        slot_specs
    } else {
        Vec::new()
    };
    churn(
        &engine,
        &requests,
        &booked,
        reserve_at.plus_millis(60_000),
        report,
    )?;

    // 8. The journaled run, on fresh engines: the others are dropped first.
    let batch_audit = batch_engine.audit();
    check(batch_audit.is_ok(), || {
        format!("the batched engine's audit: {batch_audit}")
    })?;
    drop(batch_engine);
    report.audit = Some(engine.audit());
    drop(engine);
    if options.journal {
        journaled_run(
            &config,
            &slot_specs_for_journal,
            &stream_for_journal,
            &requests,
            report,
        )?;
    }
    report.peak_rss_bytes = peak_rss_bytes();
    report.total = started.elapsed();
    Ok(())
}

/// Step 8: the surge on a journaled engine, then its recovery (see the module docs).
fn journaled_run(
    config: &Config,
    slot_specs: &[SlotSpec],
    stream: &[PersonId],
    requests: &[Request],
    report: &mut Report,
) -> Result<(), Box<dyn Error>> {
    let threads = report.options.threads;
    let dir = std::env::temp_dir().join(format!("fairbook-surge-journal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let journal_config = JournalConfig {
        record_bytes_max: 128,
        ..JournalConfig::default()
    };
    let mut journal = JournalReport::default();
    {
        let durable = DurableEngine::create(&dir, config.clone(), journal_config.clone())?;
        let engine = durable.engine();
        for &slot in slot_specs {
            engine.add_slot(slot)?;
        }
        journal.join = call_each_timed(stream, threads, |&person| {
            let _ = black_box(engine.enqueue(person, COHORT, OPENING));
        });
        check(
            engine.stats().places_handed_out == report.distinct_people,
            || "the journaled engine handed out another number of places".to_owned(),
        )?;
        durable.wait_durable()?;
        let after_joins = durable.journal().stats();
        let mut now = OPENING;
        while engine.stats().admission_cursor < engine.stats().places_handed_out {
            now = now.plus_millis(ADMISSION_STEP_MS);
            engine.advance(now, ADMISSION_BATCH)?;
        }
        let reserve_at = now.plus_millis(1_000);
        durable.wait_durable()?;
        let before_bookings = durable.journal().stats();
        let (elapsed, failures) = run_together(threads, |thread| {
            let mut failures = 0u64;
            for block in blocks_for(requests, thread, threads) {
                for (person, choices) in block {
                    failures += u64::from(matches!(
                        engine.reserve(*person, choices, reserve_at),
                        Err(error) if !matches!(error, ReserveError::NoRoom { .. })
                    ));
                }
                // Acknowledge the block only once it is durable.
                durable.wait_durable().expect("the journal stays sound");
            }
            failures
        });
        let failures: u64 = failures.iter().sum();
        check(failures == 0, || {
            format!("journaled reserves: {failures} failed for another reason than no room")
        })?;
        journal.durable_reserve = elapsed;
        journal.reserves = requests.len() as u64;
        durable.wait_durable()?;
        let after_bookings = durable.journal().stats();
        journal.join_record_bytes = ratio(
            after_joins.record_bytes_written as f64,
            after_joins.records_written as f64,
        );
        journal.booking_record_bytes = ratio(
            (after_bookings.record_bytes_written - before_bookings.record_bytes_written) as f64,
            (after_bookings.records_written - before_bookings.records_written) as f64,
        );
        journal.booking_fsyncs = after_bookings.fsyncs - before_bookings.fsyncs;
        journal.stats = Some(after_bookings);
        let audit = engine.audit();
        check(audit.is_ok(), || {
            format!("the journaled engine's audit: {audit}")
        })?;
    }
    // Recovery from the log alone.
    let replaying = Instant::now();
    let (durable, recovered) = DurableEngine::open(&dir, config.clone(), journal_config.clone())?;
    journal.log_replay = replaying.elapsed();
    journal.log_records = recovered.records;
    let writing = Instant::now();
    durable.snapshot()?;
    journal.snapshot_write = writing.elapsed();
    journal.records = durable.journal().stats().records_written;
    drop(durable);
    journal.snapshot_bytes = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .path()
                .extension()
                .is_some_and(|ext| ext == "snapshot")
        })
        .filter_map(|entry| entry.metadata().ok())
        .map(|metadata| metadata.len())
        .max()
        .unwrap_or(0);
    // Recovery from the snapshot and the log after it.
    let recovering = Instant::now();
    let (durable, recovered) = DurableEngine::open(&dir, config.clone(), journal_config.clone())?;
    journal.snapshot_recovery = recovering.elapsed();
    journal.snapshot_records_after = recovered.records;
    let audit = durable.engine().audit();
    check(audit.is_ok(), || {
        format!("the recovered engine's audit: {audit}")
    })?;
    drop(durable);
    let _ = std::fs::remove_dir_all(&dir);
    report.journal = Some(journal);
    Ok(())
}

/// An engine with `config` and every slot of `slot_specs`.
fn build_engine(config: &Config, slot_specs: &[SlotSpec]) -> Result<Engine, Box<dyn Error>> {
    let engine = Engine::new(config.clone())?;
    for &slot in slot_specs {
        engine.add_slot(slot)?;
    }
    Ok(engine)
}

/// Step 3, one round: the stream through a fresh engine per call, a fresh engine batched, the
/// `Mutex` room, the bare lock-free room and the tuned lock-free room, in that order, on the
/// same threads. Returns the two engines, full of places.
fn join_round(
    config: &Config,
    slot_specs: &[SlotSpec],
    stream: &[PersonId],
    report: &mut Report,
) -> Result<(Engine, Engine), Box<dyn Error>> {
    let threads = report.options.threads;
    let distinct = report.distinct_people;
    let mut round = JoinRound::default();
    let places_check = |design: &str, places: u64| {
        check(places == distinct, || {
            format!(
                "{design}: {distinct} distinct people joined but {places} places were handed out"
            )
        })
    };

    let engine = build_engine(config, slot_specs)?;
    round.engine = call_each_timed(stream, threads, |&person| {
        let _ = black_box(engine.enqueue(person, COHORT, OPENING));
    });
    // A repeat join can only fail if the person's first one did, so one place per distinct
    // person means that no join failed.
    places_check("engine", engine.stats().places_handed_out)?;

    let batch_engine = build_engine(config, slot_specs)?;
    let requests: Vec<(PersonId, CohortId)> =
        stream.iter().map(|&person| (person, COHORT)).collect();
    let (elapsed, failures) = run_together(threads, |thread| {
        let mut results = vec![Err(EnqueueError::InvalidPerson); timing::BLOCK_LEN];
        let mut failures = 0u64;
        for block in blocks_for(&requests, thread, threads) {
            let handled = batch_engine.enqueue_batch(block, OPENING, &mut results);
            failures += results[..handled]
                .iter()
                .filter(|result| result.is_err())
                .count() as u64;
        }
        failures
    });
    round.engine_batch = elapsed;
    let failures: u64 = failures.iter().sum();
    check(failures == 0, || {
        format!("batched joins: {failures} failed")
    })?;
    places_check("batched engine", batch_engine.stats().places_handed_out)?;
    drop(requests);

    let people = usize::try_from(report.options.people)?;
    let room = StdMutexRoom::with_capacity(people);
    round.mutex = call_each_timed(stream, threads, |&person| {
        black_box(room.join(person.as_u64()));
    });
    places_check(room.name(), room.people_joined())?;
    drop(room);

    let room = LockFreeRoom::with_capacity(people);
    round.lockfree = call_each_timed(stream, threads, |&person| {
        black_box(room.join(person.as_u64()));
    });
    places_check(room.name(), room.people_joined())?;
    drop(room);

    let room = LockFreeRoom::with_capacity_huge(people);
    let ids: Vec<u64> = stream.iter().map(|person| person.as_u64()).collect();
    let (elapsed, _) = run_together(threads, |thread| {
        let mut sequences = vec![0u64; timing::BLOCK_LEN];
        for block in blocks_for(&ids, thread, threads) {
            room.join_batch(block, &mut sequences[..block.len()]);
        }
    });
    round.lockfree_batch = elapsed;
    places_check("tuned lock-free", room.people_joined())?;

    report.join_rounds.push(round);
    Ok((engine, batch_engine))
}

/// A lease long enough for the first person admitted to still hold it an hour after the
/// last one is: admission takes `people / ADMISSION_BATCH` steps of simulated time.
fn lease_ms(people: u64) -> u64 {
    let admission_span_ms = people.div_ceil(ADMISSION_BATCH) * ADMISSION_STEP_MS;
    admission_span_ms + LEASE_AFTER_LAST_ADMISSION_MS
}

/// One person and their ranked choices.
type Request = (PersonId, [SlotId; CHOICES]);

/// Step 4: admits everybody in batches and checks that places come out in sequence order.
/// Returns the people in admission order and the time of the last admission.
fn admit_everybody(
    engine: &Engine,
    report: &mut Report,
) -> Result<(Vec<PersonId>, Timestamp), Box<dyn Error>> {
    let places = engine.stats().places_handed_out;
    let mut admitted_in_order: Vec<PersonId> = Vec::with_capacity(usize::try_from(places)?);
    let mut now = OPENING;
    while (admitted_in_order.len() as u64) < places {
        now = now.plus_millis(ADMISSION_STEP_MS);
        let advancing = Instant::now();
        let advanced = engine.advance(now, ADMISSION_BATCH)?;
        report.admission += advancing.elapsed();
        check(advanced.admitted > 0, || {
            format!(
                "advance admitted nobody with {} of {places} people still waiting",
                places - admitted_in_order.len() as u64
            )
        })?;
        for (seq, person) in engine.admitted_in(&advanced)? {
            let expected = admitted_in_order.len() as u64;
            check(seq.as_u64() == expected, || {
                format!("admitted place {seq} where place #{expected} was due")
            })?;
            admitted_in_order.push(person);
        }
        report.admitted += advanced.admitted;
    }
    check(report.admitted == places, || {
        format!("admitted {} people of {places}", report.admitted)
    })?;
    Ok((admitted_in_order, now))
}

/// Step 5: one `reserve` per person; returns whether each booked.
fn book_everybody(
    engine: &Engine,
    requests: &[Request],
    reserve_at: Timestamp,
    report: &mut Report,
) -> Result<Vec<bool>, Box<dyn Error>> {
    report.reserves = requests.len() as u64;
    report.reserve = call_each_timed(requests, report.options.threads, |(person, choices)| {
        let _ = black_box(engine.reserve(*person, choices, reserve_at));
    });

    // What each call did, read back through `status`: the loop above does nothing but call
    // `reserve`. A person left without a booking must have found all five choices full, and
    // slots only fill up until the churn, so each of them must still be full now.
    let mut booked = vec![false; requests.len()];
    for ((person, choices), booked) in requests.iter().zip(&mut booked) {
        match engine.status(*person, reserve_at)? {
            Status::Booked { slots, .. } => {
                let rank = slots
                    .as_slice()
                    .first()
                    .and_then(|slot| choices.iter().position(|choice| choice == slot))
                    .ok_or_else(|| {
                        CheckFailed(format!(
                            "person {person} holds {slots:?}, not one of their choices"
                        ))
                    })?;
                report.bookings_by_rank[rank] += 1;
                *booked = true;
            }
            Status::Admitted { .. } => {
                let free: u32 = choices
                    .iter()
                    .filter_map(|&choice| engine.slot(choice))
                    .map(|view| view.free())
                    .sum();
                check(free == 0, || {
                    format!(
                        "person {person} booked nothing though {free} of their choices are free"
                    )
                })?;
                report.no_room += 1;
            }
            other => {
                return Err(
                    CheckFailed(format!("person {person} is {other} after booking")).into(),
                );
            }
        }
    }
    Ok(booked)
}

/// Step 5, batched: the same requests through `Engine::reserve_batch` on the batched engine,
/// one call per dealt block, each with the ticket the person's place gives (as a service that
/// kept it from `enqueue` would). Checks that as many people booked as on the per-call engine
/// would be too strict (the two engines admitted in different orders); it checks instead that
/// no request failed but for want of room.
fn book_everybody_batched(
    engine: &Engine,
    requests: &[Request],
    reserve_at: Timestamp,
    report: &mut Report,
) -> Result<(), Box<dyn Error>> {
    let threads = report.options.threads;
    let tickets: Vec<_> = requests
        .iter()
        .map(|(person, _)| match engine.status(*person, reserve_at) {
            Ok(Status::Admitted { seq, .. }) => Ok(seq),
            other => Err(CheckFailed(format!("{person} is {other:?} before booking"))),
        })
        .collect::<Result<_, _>>()?;
    let batch: Vec<ReserveRequest<'_>> = requests
        .iter()
        .zip(&tickets)
        .map(|((person, choices), &ticket)| ReserveRequest {
            person: *person,
            ticket: Some(ticket),
            choices,
        })
        .collect();
    let (elapsed, unexpected) = run_together(threads, |thread| {
        let mut results = vec![Err(ReserveError::EmptyChoice); timing::BLOCK_LEN];
        let mut unexpected = 0u64;
        for block in blocks_for(&batch, thread, threads) {
            let handled = engine.reserve_batch(block, reserve_at, &mut results);
            unexpected += results[..handled]
                .iter()
                .filter(|result| matches!(result, Err(error) if !matches!(error, ReserveError::NoRoom { .. })))
                .count() as u64;
        }
        unexpected
    });
    report.batch_reserve = elapsed;
    let unexpected: u64 = unexpected.iter().sum();
    check(unexpected == 0, || {
        format!("batched reserves: {unexpected} failed for another reason than no room")
    })?;
    Ok(())
}

/// Step 5, the baseline: the same requests through a `Mutex<HashMap>` inventory of the same
/// slots, one locked "first of these with room" per request.
fn book_everybody_mutex(
    slot_specs: &[SlotSpec],
    requests: &[Request],
    report: &mut Report,
) -> Result<(), Box<dyn Error>> {
    let inventory = MutexInventory::with_capacity(slot_specs.len());
    for (index, spec) in slot_specs.iter().enumerate() {
        inventory.add_slot(u32::try_from(index)?, spec.capacity);
    }
    let requests: Vec<[u32; CHOICES]> = requests
        .iter()
        .map(|(_, choices)| choices.map(|slot| slot.as_u32()))
        .collect();
    report.mutex_reserve = call_each_timed(&requests, report.options.threads, |choices| {
        black_box(inventory.reserve_first(choices));
    });
    Ok(())
}

/// Step 6: every [`RELEASE_EVERY`]th booked person gives their booking back; then everybody
/// who found no room tries again, with their own choices plus one freed seat offered.
fn churn(
    engine: &Engine,
    requests: &[Request],
    booked: &[bool],
    churn_at: Timestamp,
    report: &mut Report,
) -> Result<(), Box<dyn Error>> {
    let mut freed: Vec<SlotId> = Vec::new();
    let booked_people = requests
        .iter()
        .zip(booked)
        .filter(|&(_, &booked)| booked)
        .map(|((person, _), _)| *person);
    for person in booked_people.step_by(RELEASE_EVERY) {
        let released = engine.release(person, churn_at)?;
        freed.extend_from_slice(released.slots.as_slice());
        report.released += released.slots.len() as u64;
    }

    let mut offered = freed.iter();
    let no_room = requests.iter().zip(booked).filter(|&(_, &booked)| !booked);
    for ((person, own_choices), _) in no_room {
        let mut choices = [SlotId::new(0); CHOICES + 1];
        choices[..CHOICES].copy_from_slice(own_choices);
        let choices = match offered.next() {
            Some(&seat) => {
                choices[CHOICES] = seat;
                &choices[..]
            }
            None => &choices[..CHOICES],
        };
        match engine.reserve(*person, choices, churn_at) {
            Ok(booking) if usize::from(booking.rank) < CHOICES => report.rebooked_own_choice += 1,
            Ok(_) => report.rebooked_offered_seat += 1,
            Err(ReserveError::NoRoom { .. }) => report.still_no_room += 1,
            Err(error) => {
                return Err(
                    CheckFailed(format!("person {person} could not rebook: {error}")).into(),
                );
            }
        }
    }
    Ok(())
}

/// Deals `items` to `threads` threads that call `call` once per item and do nothing else;
/// returns the time from the barrier's release to the last call.
fn call_each_timed<T: Sync>(items: &[T], threads: usize, call: impl Fn(&T) + Sync) -> Duration {
    run_together(threads, |thread| {
        for block in blocks_for(items, thread, threads) {
            for item in block {
                call(item);
            }
        }
    })
    .0
}

fn main() -> ExitCode {
    let options = match parse_command(std::env::args().skip(1)) {
        Ok(Command::Run(options)) => options,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("surge: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut report = Report {
        options,
        ..Report::default()
    };
    let result = run(&mut report);
    let table = report.table();
    if options.json {
        eprint!("{table}");
        println!("{}", report.json());
    } else {
        print!("{table}");
    }
    match result {
        Err(error) => {
            eprintln!("surge: {error}");
            ExitCode::FAILURE
        }
        Ok(()) if !report.audit_ok() => {
            eprintln!("surge: the audit found violations");
            ExitCode::FAILURE
        }
        Ok(()) => ExitCode::SUCCESS,
    }
}
