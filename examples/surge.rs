//! The reference surge, end to end, on the real engine: 10,000,000 join requests from
//! 1,500,000 people, admission of everybody in order, a booking by ranked preference for each
//! of them on the reference clinic inventory, some churn, and a full audit. It measures join
//! throughput beside a `Mutex<(HashMap, VecDeque)>` waiting room fed the same stream in the
//! same process.
//!
//! Run it with `cargo run --release --example surge` (a few seconds on a 2-core machine).
//!
//! ```text
//! cargo run --release --example surge -- [--people N] [--joins N] [--seed N] [--threads N]
//!                                        [--skew uniform|zipf|zipf:EXPONENT] [--json]
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
//! 3. **Joins** (the headline). The stream is dealt to `--threads` threads in blocks of
//!    4,096 requests (see `fairbook_bench::timing`); each thread calls `Engine::enqueue` once
//!    per request with a constant `now` (the whole surge lands within one engine millisecond)
//!    and does nothing else. The clock runs from a barrier's release to the last join. After
//!    it stops, the run checks that exactly the stream's distinct people got places. The
//!    baseline then takes the same stream, dealt the same way to the same threads. Then a
//!    second, fresh engine takes the stream through `Engine::enqueue_batch`, one call per
//!    dealt block of 4,096 requests (`batch_joins_per_sec`).
//! 4. **Admission.** `advance` lets everybody in, 100,000 per call, the clock moving 100 ms
//!    per call; the run checks that the places admitted are exactly 0, 1, 2, ... in order.
//!    Admissions per second time the `advance` calls only.
//! 5. **Booking.** Every admitted person, in admission order dealt in blocks to the threads,
//!    calls `reserve` once with five ranked choices from [`Demand::preferences`] (drawn
//!    before the clock starts). Reserves per second time those calls only.
//! 6. **Churn.** Every 20th booked person (5%) releases their booking; then the people who
//!    found no room among their five choices try again, in admission order, with their five
//!    choices plus one freshly released seat offered to them.
//! 7. **Audit.** [`Engine::audit`] recounts every invariant from scratch.

use std::error::Error;
use std::fmt::Write as _;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use fairbook::{
    AuditReport, CohortId, Config, Engine, EnqueueError, MemoryUse, PEOPLE_MAX_LIMIT, PersonId,
    ReserveError, SlotId, Status, Timestamp,
};
use fairbook_bench::baselines;
use fairbook_bench::timing;
use fairbook_lab::rng::Rng;
use fairbook_lab::workload::{self, Demand, InventorySpec, JoinSkew, SurgeSpec};

use baselines::{Room, StdMutexRoom};
use timing::{blocks_for, run_together};

const USAGE: &str = "\
usage: surge [--people N] [--joins N] [--seed N] [--threads N]
             [--skew uniform|zipf|zipf:EXPONENT] [--json]

  --people N     distinct people who may join (default 1,500,000)
  --joins N      join requests in the surge, repeats included (default 10,000,000)
  --seed N       seed of the workload (default 2021)
  --threads N    threads that join and book (default 2)
  --skew S       uniform (default): every request from a uniformly drawn person;
                 zipf: everybody joins once, retries follow a Zipf law of exponent 0.99;
                 zipf:EXPONENT: the same with another exponent (finite, not negative)
  --json         print one JSON object on standard output (the table goes to standard error)
  --help         print this message

Numbers may contain underscores or commas: --joins 10_000_000.";

/// The Zipf exponent `--skew zipf` stands for.
const DEFAULT_ZIPF_EXPONENT: f64 = 0.99;
/// The most join requests a run accepts: 8 GB of person ids.
const JOINS_MAX: u64 = 1_000_000_000;
/// The most threads a run accepts.
const THREADS_MAX: usize = 256;

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
    skew: JoinSkew,
    json: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            people: SurgeSpec::REFERENCE_PEOPLE,
            joins: SurgeSpec::REFERENCE_JOINS,
            seed: SurgeSpec::REFERENCE_SEED,
            threads: 2,
            skew: JoinSkew::Uniform,
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
            "--people" | "--joins" | "--seed" | "--threads" | "--skew" => {
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
    join: Duration,
    batch_join: Duration,
    baseline_join: Duration,
    admitted: u64,
    admission: Duration,
    reserve: Duration,
    reserves: u64,
    bookings_by_rank: [u64; CHOICES],
    no_room: u64,
    released: u64,
    rebooked_own_choice: u64,
    rebooked_offered_seat: u64,
    still_no_room: u64,
    engine_memory: Option<MemoryUse>,
    peak_rss_bytes: Option<u64>,
    /// Anonymous memory backed by transparent huge pages right after the joins: the engine
    /// asks for them, and whether the kernel could grant them moves the join rate a lot.
    huge_pages_bytes: Option<u64>,
    audit: Option<AuditReport>,
    total: Duration,
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
    fn joins_per_sec(&self) -> f64 {
        per_sec(self.options.joins, self.join)
    }

    fn batch_joins_per_sec(&self) -> f64 {
        per_sec(self.options.joins, self.batch_join)
    }

    fn baseline_joins_per_sec(&self) -> f64 {
        per_sec(self.options.joins, self.baseline_join)
    }

    fn bookings(&self) -> u64 {
        self.bookings_by_rank.iter().sum()
    }

    fn engine_memory_bytes(&self) -> usize {
        self.engine_memory.map_or(0, |memory| memory.total_bytes())
    }

    /// All of the engine's memory, inventory included, per distinct person.
    fn bytes_per_person(&self) -> f64 {
        ratio(
            self.engine_memory_bytes() as f64,
            self.distinct_people as f64,
        )
    }

    /// The waiting room and the ledger (what grows with people) per distinct person.
    fn waiting_room_bytes_per_person(&self) -> f64 {
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
        row("generate stream", seconds(self.generate));
        row("join time", seconds(self.join));
        row("joins/s", millions(self.joins_per_sec()));
        row("batched join time", seconds(self.batch_join));
        row("batched joins/s", millions(self.batch_joins_per_sec()));
        row(
            "baseline (std-mutex) join time",
            seconds(self.baseline_join),
        );
        row(
            "baseline (std-mutex) joins/s",
            millions(self.baseline_joins_per_sec()),
        );
        row(
            "speedup vs baseline",
            format!(
                "{:.1}x",
                ratio(self.joins_per_sec(), self.baseline_joins_per_sec())
            ),
        );
        row("admitted (in seq order)", thousands(self.admitted));
        row("admission time", seconds(self.admission));
        row(
            "admissions/s",
            millions(per_sec(self.admitted, self.admission)),
        );
        row("reserves", thousands(self.reserves));
        row("reserve time", seconds(self.reserve));
        row("reserves/s", millions(per_sec(self.reserves, self.reserve)));
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
            "engine bytes/person",
            format!("{:.1}", self.bytes_per_person()),
        );
        row(
            "  waiting room and ledger only",
            format!("{:.1}", self.waiting_room_bytes_per_person()),
        );
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
        let fields = [
            ("joins", options.joins.to_string()),
            ("people", options.people.to_string()),
            ("distinct_people", self.distinct_people.to_string()),
            ("skew", format!("\"{}\"", skew_label(options.skew))),
            ("seed", options.seed.to_string()),
            ("threads", options.threads.to_string()),
            ("generate_seconds", float(self.generate.as_secs_f64())),
            ("join_seconds", float(self.join.as_secs_f64())),
            ("joins_per_sec", float(self.joins_per_sec())),
            ("batch_join_seconds", float(self.batch_join.as_secs_f64())),
            ("batch_joins_per_sec", float(self.batch_joins_per_sec())),
            (
                "baseline_join_seconds",
                float(self.baseline_join.as_secs_f64()),
            ),
            (
                "baseline_joins_per_sec",
                float(self.baseline_joins_per_sec()),
            ),
            (
                "speedup_vs_baseline",
                float(ratio(self.joins_per_sec(), self.baseline_joins_per_sec())),
            ),
            ("admitted", self.admitted.to_string()),
            ("admission_seconds", float(self.admission.as_secs_f64())),
            (
                "admissions_per_sec",
                float(per_sec(self.admitted, self.admission)),
            ),
            ("reserves", self.reserves.to_string()),
            ("reserve_seconds", float(self.reserve.as_secs_f64())),
            (
                "reserves_per_sec",
                float(per_sec(self.reserves, self.reserve)),
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
                "waiting_room_bytes_per_person",
                float(self.waiting_room_bytes_per_person()),
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

    // 2. The engine and its inventory.
    let inventory = InventorySpec::reference(options.people);
    let slot_specs = workload::slots(&inventory);
    let config = Config {
        people_max: options.people,
        slots_max: u32::try_from(slot_specs.len())?,
        lease_ms: lease_ms(options.people),
        ..Config::default()
    };
    let engine = Engine::new(config.clone())?;
    for &slot in &slot_specs {
        engine.add_slot(slot)?;
    }
    drop(slot_specs);
    report.engine_memory = Some(engine.memory());

    // 3 to 6.
    join_everybody(&engine, &stream, report)?;
    join_everybody_batched(&config, &stream, report)?;
    report.huge_pages_bytes = huge_pages_bytes();
    drop(stream);
    let (admitted_in_order, last_admission) = admit_everybody(&engine, report)?;
    let mut rng = Rng::new(options.seed);
    let demand = Demand::new(&inventory);
    let requests: Vec<Request> = admitted_in_order
        .into_iter()
        .map(|person| {
            let mut choices = [SlotId::new(0); CHOICES];
            demand.preferences(&mut rng, &mut choices);
            (person, choices)
        })
        .collect();
    let reserve_at = last_admission.plus_millis(1_000);
    let booked = book_everybody(&engine, &requests, reserve_at, report)?;
    churn(
        &engine,
        &requests,
        &booked,
        reserve_at.plus_millis(60_000),
        report,
    )?;

    // 7. The audit, and what the run cost.
    report.audit = Some(engine.audit());
    report.peak_rss_bytes = peak_rss_bytes();
    drop(engine);
    report.total = started.elapsed();
    Ok(())
}

/// A lease long enough for the first person admitted to still hold it an hour after the
/// last one is: admission takes `people / ADMISSION_BATCH` steps of simulated time.
fn lease_ms(people: u64) -> u64 {
    let admission_span_ms = people.div_ceil(ADMISSION_BATCH) * ADMISSION_STEP_MS;
    admission_span_ms + LEASE_AFTER_LAST_ADMISSION_MS
}

/// One person and their ranked choices.
type Request = (PersonId, [SlotId; CHOICES]);

/// Step 3: the stream through the engine, then through the baseline, on the same threads.
fn join_everybody(
    engine: &Engine,
    stream: &[PersonId],
    report: &mut Report,
) -> Result<(), Box<dyn Error>> {
    let threads = report.options.threads;
    report.join = call_each_timed(stream, threads, |&person| {
        let _ = black_box(engine.enqueue(person, COHORT, OPENING));
    });
    // A repeat join can only fail if the person's first one did, so one place per distinct
    // person means that no join failed.
    let places = engine.stats().places_handed_out;
    check(places == report.distinct_people, || {
        format!(
            "{} distinct people joined but the engine handed out {places} places",
            report.distinct_people
        )
    })?;

    let room = StdMutexRoom::with_capacity(usize::try_from(report.options.people)?);
    report.baseline_join = call_each_timed(stream, threads, |&person| {
        black_box(room.join(person.as_u64()));
    });
    check(room.people_joined() == report.distinct_people, || {
        format!(
            "the baseline sequenced {} people, not {}",
            room.people_joined(),
            report.distinct_people
        )
    })?;
    Ok(())
}

/// Step 3, batched: the same stream through a second, fresh engine with
/// `Engine::enqueue_batch`, one call per dealt block, as a service draining a socket in
/// batches would. The request arrays are built before the clock starts.
fn join_everybody_batched(
    config: &Config,
    stream: &[PersonId],
    report: &mut Report,
) -> Result<(), Box<dyn Error>> {
    let threads = report.options.threads;
    let engine = Engine::new(config.clone())?;
    let requests: Vec<(PersonId, CohortId)> =
        stream.iter().map(|&person| (person, COHORT)).collect();
    let (elapsed, failures) = run_together(threads, |thread| {
        let mut results = vec![Err(EnqueueError::InvalidPerson); timing::BLOCK_LEN];
        let mut failures = 0u64;
        for block in blocks_for(&requests, thread, threads) {
            let handled = engine.enqueue_batch(block, OPENING, &mut results);
            failures += results[..handled]
                .iter()
                .filter(|result| result.is_err())
                .count() as u64;
        }
        failures
    });
    report.batch_join = elapsed;
    let failures: u64 = failures.iter().sum();
    let places = engine.stats().places_handed_out;
    check(failures == 0 && places == report.distinct_people, || {
        format!("batched joins: {failures} failed, {places} places handed out")
    })?;
    Ok(())
}

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
        for (seq, person) in engine.admitted_in(&advanced) {
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
