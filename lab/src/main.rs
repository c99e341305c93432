//! The fairness lab: replays a booking surge under several admission policies on the same
//! people, and writes what happened to everyone, the metrics side by side, and plots.
//!
//! ```text
//! cargo run --release -p fairbook-lab --bin fairness_lab -- \
//!     --preset korea-2021 --compare fifo,shuffle,lottery,baseline-2021 --out /tmp/lab
//! ```
//!
//! The `korea-2021` preset is the reference surge of July 2021 (1.5 million people in three
//! age-band cohorts) scaled by `--scale`. The default scale, 0.1 (150,000 people), runs all
//! four policies in seconds on a 2-core machine; `--scale 1` is the full surge (about 40 s
//! of CPU time; `docs/fairness.md` says where it goes). `small` is a 2,000-person surge (times `--scale` / 0.1) for a quick look.
//!
//! Written to `--out`:
//! - `outcomes-<policy>.csv`: one row per person (see `fairbook_lab::sim::write_outcomes_csv`);
//! - `series-<policy>.csv`: queue length, admissions and bookings per interval;
//! - `summary.json`: the scenario, the seed, every run's counts, commitment, revealed
//!   secret, draws and fairness metrics;
//! - `table.txt`: the side-by-side table this program prints;
//! - `wait-cdf`, `admissions`, `bounces-bypass`, `days-late`, `preferences` (`.svg` and
//!   `.png`): the plots (see `plots.rs`);
//! - `trace.csv` with `--write-trace`: the people played, as an arrival trace.
//!
//! Rerunning with the same `--seed` and arguments rewrites every file byte for byte.

use std::error::Error;
use std::fs::{self, File};
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use clap::{Parser, ValueEnum};
use fairbook_lab::fairness::FairnessReport;
use fairbook_lab::sim::{self, Arrivals, Policy, Run, Scenario};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

mod plots;

/// The surges the lab knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Preset {
    /// The July 2021 Korean vaccine-booking surge, scaled by --scale.
    #[value(name = "korea-2021")]
    Korea2021,
    /// A small surge of 20,000 × scale people, for a quick look.
    Small,
}

/// Replays a booking surge under several admission policies and compares their fairness.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The surge to simulate.
    #[arg(
        long,
        value_enum,
        default_value = "korea-2021",
        conflicts_with = "scenario"
    )]
    preset: Preset,
    /// A scenario file (TOML, or JSON if it ends in .json) instead of a preset; --scale
    /// scales it too. `scenarios/korea-2021.toml` in this crate is the preset as a file.
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Play the people of this arrival trace (CSV, as --write-trace writes it) instead of
    /// drawing them; their other habits are drawn from --seed.
    #[arg(long)]
    trace: Option<PathBuf>,
    /// Also write the people played as an arrival trace, `trace.csv`.
    #[arg(long)]
    write_trace: bool,
    /// Size relative to the preset's full size: 1.0 is 1.5 million people for korea-2021.
    #[arg(long, default_value_t = 0.1)]
    scale: f64,
    /// Run one policy (fifo, shuffle, lottery or baseline-2021).
    #[arg(long, conflicts_with = "compare")]
    policy: Option<String>,
    /// Run several policies on the same arrivals, comma-separated [default: all four].
    #[arg(long, value_delimiter = ',')]
    compare: Vec<String>,
    /// How many threads: policies run at once, then plots drawn at once [default: the
    /// machine's cores].
    #[arg(long)]
    threads: Option<usize>,
    /// The seed every random draw comes from.
    #[arg(long, default_value_t = 2021)]
    seed: u64,
    /// The directory to write the CSVs, summary.json and plots to.
    #[arg(long, default_value = "fairness-lab")]
    out: PathBuf,
    /// Places in the inventory as a share of the people (the preset's own if not given;
    /// 1.1 is the reference inventory: 10% more places than people).
    #[arg(long)]
    capacity_ratio: Option<f64>,
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    if !(args.scale.is_finite() && args.scale > 0.0) {
        return Err(format!("--scale must be a positive number, not {}", args.scale).into());
    }
    let names: Vec<String> = match (&args.policy, args.compare.is_empty()) {
        (Some(policy), _) => vec![policy.clone()],
        (None, true) => sim::BUILTIN_POLICIES.map(str::to_owned).to_vec(),
        (None, false) => args.compare.clone(),
    };
    let policies = names
        .iter()
        .map(|name| sim::builtin(name))
        .collect::<Result<Vec<Box<dyn Policy>>, _>>()?;
    let mut scenario = match (&args.scenario, args.preset) {
        (Some(path), _) => Scenario::load(path)?.scaled(args.scale),
        (None, Preset::Korea2021) => Scenario::korea_2021(args.scale),
        (None, Preset::Small) => Scenario::small((20_000.0 * args.scale).round().max(1.0) as u64),
    };
    if let Some(ratio) = args.capacity_ratio {
        if !(ratio.is_finite() && ratio >= 0.0) {
            return Err(format!("--capacity-ratio must be a share, not {ratio}").into());
        }
        scenario = scenario.with_capacity_ratio(ratio);
    }
    fs::create_dir_all(&args.out)?;

    let started = Instant::now();
    let arrivals = match &args.trace {
        Some(path) => {
            let rows = sim::read_trace_csv(io::BufReader::new(File::open(path)?))?;
            Arrivals::from_trace(&scenario, args.seed, &rows)?
        }
        None => Arrivals::generate(&scenario, args.seed)?,
    };
    if args.write_trace {
        let file = io::BufWriter::new(File::create(args.out.join("trace.csv"))?);
        sim::write_trace_csv(&arrivals.trace(), file)?;
    }
    let scenario = arrivals.scenario().clone();
    eprintln!(
        "{}: {} people in {} cohorts, {} slots holding {} places, seed {} ({:.2} s to draw)",
        scenario.name,
        scenario.people,
        scenario.cohorts.len(),
        arrivals.slots().len(),
        scenario.inventory.total_capacity,
        args.seed,
        started.elapsed().as_secs_f64()
    );

    let cores = args
        .threads
        .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(1)
        .max(1);
    let threads = cores.min(policies.len().max(1));
    let runs_started = Instant::now();
    let (runs, reports): (Vec<Run>, Vec<FairnessReport>) =
        run_all(&arrivals, &policies, threads, &args.out)?
            .into_iter()
            .unzip();
    let runs_s = runs_started.elapsed().as_secs_f64();

    let summary_started = Instant::now();
    let summary = File::create(args.out.join("summary.json"))?;
    sim::write_summary_json_with_reports(&arrivals, &runs, &reports, summary)?;
    let table = side_by_side_table(&runs, &reports);
    fs::write(args.out.join("table.txt"), &table)?;
    print!("{table}");
    let summary_s = summary_started.elapsed().as_secs_f64();

    let plots_started = Instant::now();
    plots::draw_all(&args.out, &scenario, &runs, &reports, cores)?;
    eprintln!(
        "runs {runs_s:.2} s, summary and table {summary_s:.2} s, plots {:.2} s",
        plots_started.elapsed().as_secs_f64()
    );
    eprintln!(
        "wrote {} in {:.1} s",
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A run and its fairness report.
type Played = (Run, FairnessReport);

/// Plays every policy on the same arrivals, `threads` at a time, and writes each run's
/// files and computes its report as soon as it is done. Runs come back in the order of
/// `policies`, whatever order they finish in, so the outputs do not depend on the number
/// of threads.
fn run_all(
    arrivals: &Arrivals,
    policies: &[Box<dyn Policy>],
    threads: usize,
    out: &Path,
) -> Result<Vec<Played>, Box<dyn Error>> {
    let bars = MultiProgress::new();
    if !std::io::stderr().is_terminal() {
        bars.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Played, String>>>> =
        Mutex::new((0..policies.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(policy) = policies.get(index) else {
                        return;
                    };
                    let result = run_one(arrivals, policy.as_ref(), &bars, out);
                    if let Ok(mut results) = results.lock() {
                        results[index] = Some(result);
                    }
                }
            });
        }
    });
    let results = results.into_inner().map_err(|_| "a run panicked")?;
    results
        .into_iter()
        .map(|result| match result {
            Some(Ok(run)) => Ok(run),
            Some(Err(error)) => Err(error.into()),
            None => Err("a run panicked".into()),
        })
        .collect()
}

/// Plays one policy with its own progress bar, writes its files and computes its report.
fn run_one(
    arrivals: &Arrivals,
    policy: &dyn Policy,
    bars: &MultiProgress,
    out: &Path,
) -> Result<Played, String> {
    let name = policy.name().to_owned();
    let bar = bars.add(progress_bar(arrivals.scenario().people, &name));
    let started = Instant::now();
    let run = sim::run_with_progress(arrivals, policy, &mut |progress| {
        bar.set_position(progress.settled);
        bar.set_message(format!(
            "{name}: {} simulated",
            format_hours(progress.now.as_millis())
        ));
    })
    .map_err(|error| format!("{name}: {error}"))?;
    bar.finish_and_clear();
    let simulated_s = started.elapsed().as_secs_f64();
    write_run_files(out, &run).map_err(|error| format!("{name}: {error}"))?;
    let report = run.report();
    bars.suspend(|| {
        eprintln!(
            "  {name:<14} {simulated_s:>6.2} s simulating, {:>6.2} s in all, {} events",
            started.elapsed().as_secs_f64(),
            run.summary.events
        );
    });
    Ok((run, report))
}

/// `7 h 05 min`: simulated time for the progress bar.
fn format_hours(ms: u64) -> String {
    let minutes = ms / 60_000;
    format!("{} h {:02} min", minutes / 60, minutes % 60)
}

/// A bar over the people whose story is over.
fn progress_bar(people: u64, name: &str) -> ProgressBar {
    let bar = ProgressBar::new(people);
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} settled  {msg}  [{elapsed}]")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(name.to_owned());
    bar
}

fn write_run_files(out: &Path, run: &Run) -> Result<(), Box<dyn Error>> {
    let name = &run.policy;
    let outcomes = File::create(out.join(format!("outcomes-{name}.csv")))?;
    sim::write_outcomes_csv(&run.outcomes, outcomes)?;
    let series = File::create(out.join(format!("series-{name}.csv")))?;
    sim::write_series_csv(&run.series, series)?;
    Ok(())
}

/// The metrics as a text table: one row per metric, one column per policy.
fn side_by_side_table(runs: &[Run], reports: &[FairnessReport]) -> String {
    let rows = sim::comparison_rows_with_reports(runs, reports);
    let name_width = rows.iter().map(|(name, _)| name.len()).max().unwrap_or(6);
    let widths: Vec<usize> = runs
        .iter()
        .enumerate()
        .map(|(index, run)| {
            rows.iter()
                .map(|(_, values)| values[index].len())
                .chain([run.policy.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut table = String::new();
    let mut line = format!("{:<name_width$}", "metric");
    for (run, width) in runs.iter().zip(&widths) {
        line.push_str(&format!("  {:>width$}", run.policy));
    }
    table.push_str(line.trim_end());
    table.push('\n');
    for (name, values) in &rows {
        let mut line = format!("{name:<name_width$}");
        for (value, width) in values.iter().zip(&widths) {
            line.push_str(&format!("  {value:>width$}"));
        }
        table.push_str(line.trim_end());
        table.push('\n');
    }
    table
}
