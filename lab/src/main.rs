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
//! four policies in well under two minutes on a 2-core machine; `--scale 1` is the full
//! surge. `small` is a 2,000-person surge (times `--scale` / 0.1) for a quick look.
//!
//! Written to `--out`:
//! - `outcomes-<policy>.csv`: one row per person (see `fairbook_lab::sim::write_outcomes_csv`);
//! - `series-<policy>.csv`: queue length, admissions and bookings per interval;
//! - `summary.json`: the scenario, the seed, every run's counts, commitment, revealed
//!   secret, draws and fairness metrics;
//! - `table.txt`: the side-by-side table this program prints;
//! - `wait-cdf.svg`, `admissions.svg`, `preferences.svg`: the plots.
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
use fairbook_lab::fairness;
use fairbook_lab::sim::{self, Arrivals, Policy, Room, Run, Scenario};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

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
    /// How many policies to run at once [default: the machine's cores].
    #[arg(long)]
    threads: Option<usize>,
    /// The seed every random draw comes from.
    #[arg(long, default_value_t = 2021)]
    seed: u64,
    /// The directory to write the CSVs, summary.json and plots to.
    #[arg(long, default_value = "fairness-lab")]
    out: PathBuf,
    /// Places in the inventory as a share of the people (the preset's own if not given;
    /// 1.1 is the reference inventory of MISSION.md).
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
        "{}: {} people in {} cohorts, {} slots holding {} places, seed {}",
        scenario.name,
        scenario.people,
        scenario.cohorts.len(),
        arrivals.slots().len(),
        scenario.inventory.total_capacity,
        args.seed
    );

    let threads = args
        .threads
        .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(1)
        .clamp(1, policies.len().max(1));
    let runs = run_all(&arrivals, &policies, threads, &args.out)?;

    let mut summary = File::create(args.out.join("summary.json"))?;
    sim::write_summary_json(&arrivals, &runs, &mut summary)?;
    let table = side_by_side_table(&runs);
    fs::write(args.out.join("table.txt"), &table)?;
    print!("{table}");

    let first_opening_ms = scenario
        .cohorts
        .iter()
        .map(|cohort| cohort.opens_at.as_millis())
        .min()
        .unwrap_or(0);
    plot_wait_cdf(&args.out.join("wait-cdf.svg"), &runs)?;
    plot_admissions(&args.out.join("admissions.svg"), &runs, first_opening_ms)?;
    plot_preferences(
        &args.out.join("preferences.svg"),
        &runs,
        scenario.behaviour.choices_per_person,
    )?;
    eprintln!(
        "wrote {} in {:.1} s",
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Plays every policy on the same arrivals, `threads` at a time, and writes each run's
/// files as soon as it is done. Runs come back in the order of `policies`, whatever order
/// they finish in, so the outputs do not depend on the number of threads.
fn run_all(
    arrivals: &Arrivals,
    policies: &[Box<dyn Policy>],
    threads: usize,
    out: &Path,
) -> Result<Vec<Run>, Box<dyn Error>> {
    let bars = MultiProgress::new();
    if !std::io::stderr().is_terminal() {
        bars.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Run, String>>>> =
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

/// Plays one policy with its own progress bar, and writes its files.
fn run_one(
    arrivals: &Arrivals,
    policy: &dyn Policy,
    bars: &MultiProgress,
    out: &Path,
) -> Result<Run, String> {
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
    bars.suspend(|| {
        eprintln!(
            "  {name:<14} {simulated_s:>6.2} s simulating, {:>6.2} s in all, {} events",
            started.elapsed().as_secs_f64(),
            run.summary.events
        );
    });
    Ok(run)
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
    let mut outcomes = File::create(out.join(format!("outcomes-{name}.csv")))?;
    sim::write_outcomes_csv(&run.outcomes, &mut outcomes)?;
    let mut series = File::create(out.join(format!("series-{name}.csv")))?;
    sim::write_series_csv(&run.series, &mut series)?;
    Ok(())
}

/// The metrics as a text table: one row per metric, one column per policy.
fn side_by_side_table(runs: &[Run]) -> String {
    let rows = sim::comparison_rows(runs);
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

/// A chart over hours since the first opening, with counts from 0 to a tenth above
/// `y_max` on the vertical axis: both panels of `admissions.svg` use it.
fn time_chart<'a, 'b>(
    area: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    hours: std::ops::Range<f64>,
    y_max: f64,
    y_desc: &str,
) -> Result<
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    Box<dyn Error>,
> {
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d(hours, 0.0..y_max * 1.1)?;
    chart
        .configure_mesh()
        .x_desc("hours since the first cohort opened")
        .y_desc(y_desc)
        .x_label_formatter(&|hours| format!("{hours:.1}"))
        .y_label_formatter(&|count| format!("{count:.0}"))
        .draw()?;
    Ok(chart)
}

/// How a policy's curve is drawn: FIFO and shuffle often coincide, so shuffle is dashed
/// over a wider FIFO line and both stay visible.
fn draw_curve<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    policy: &str,
    label: String,
    points: Vec<(f64, f64)>,
) -> Result<(), Box<dyn Error>>
where
    DB::ErrorType: 'static,
{
    let width = if policy == "fifo" { 4 } else { 2 };
    let style = colour(policy).stroke_width(width);
    if policy == "shuffle" {
        chart
            .draw_series(DashedLineSeries::new(points, 8, 5, style))?
            .label(label)
            .legend(move |(x, y)| DashedPathElement::new([(x, y), (x + 24, y)], 5, 3, style));
    } else {
        chart
            .draw_series(LineSeries::new(points, style))?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], style));
    }
    Ok(())
}

/// One colour per policy, the same in every plot; a researcher's policy gets purple.
fn colour(policy: &str) -> RGBColor {
    match policy {
        "fifo" => RGBColor(31, 119, 180),
        "shuffle" => RGBColor(44, 160, 44),
        "lottery" => RGBColor(255, 127, 14),
        "baseline-2021" => RGBColor(214, 39, 40),
        _ => RGBColor(148, 103, 189),
    }
}

const MINUTE_MS: f64 = 60_000.0;
const HOUR_MS: f64 = 3_600_000.0;

/// The share of admitted people let in within each wait, one curve per policy.
fn plot_wait_cdf(path: &Path, runs: &[Run]) -> Result<(), Box<dyn Error>> {
    /// Points per curve: enough for a smooth line, few enough for a small file.
    const POINTS: usize = 400;
    let curves: Vec<(&str, Vec<(f64, f64)>)> = runs
        .iter()
        .map(|run| {
            let waits = fairness::wait_times_ms(&run.outcomes);
            let count = waits.len();
            let points = (0..=POINTS)
                .filter(|_| count > 0)
                .map(|step| {
                    let index = step * (count - 1) / POINTS;
                    (
                        waits[index] as f64 / MINUTE_MS,
                        (index + 1) as f64 / count as f64,
                    )
                })
                .collect();
            (run.policy.as_str(), points)
        })
        .collect();
    let max_wait_min = curves
        .iter()
        .flat_map(|(_, points)| points.last().map(|&(wait, _)| wait))
        .fold(1.0_f64, f64::max);

    let root = SVGBackend::new(path, (960, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Wait until admitted: cumulative share of admitted people",
            ("sans-serif", 22),
        )
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..max_wait_min * 1.02, 0.0..1.0)?;
    chart
        .configure_mesh()
        .x_desc("wait from first join to admission (minutes)")
        .y_desc("share of admitted people (CDF)")
        .x_label_formatter(&|minutes| format!("{minutes:.0}"))
        .y_label_formatter(&|share| format!("{:.0}%", share * 100.0))
        .draw()?;
    for (policy, points) in curves {
        draw_curve(&mut chart, policy, policy.to_owned(), points)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// Admissions per minute (top) and people in line (bottom) over time, one curve per policy;
/// the 2021 baseline's places in line are dashed.
fn plot_admissions(path: &Path, runs: &[Run], first_opening_ms: u64) -> Result<(), Box<dyn Error>> {
    let hours = |at_ms: u64| (at_ms as f64 - first_opening_ms as f64) / HOUR_MS;
    let start_h = runs
        .iter()
        .flat_map(|run| run.series.points.first())
        .map(|point| hours(point.at.as_millis()))
        .fold(0.0_f64, f64::min);
    // After the inventory sells out, a trickle of admissions (a booking given back now and
    // then) and late arrivals who find nothing would stretch the plot over many flat hours:
    // it ends a little after 99.5% of every policy's admissions.
    let busy_until_h = runs
        .iter()
        .flat_map(|run| {
            let total: u64 = run.series.points.iter().map(|point| point.admitted).sum();
            let mut seen = 0;
            run.series.points.iter().find(|point| {
                seen += point.admitted;
                seen * 1_000 >= total * 995
            })
        })
        .map(|point| hours(point.at.as_millis()))
        .fold(1.0_f64, f64::max);
    let end_h = busy_until_h + 0.15 * (busy_until_h - start_h);
    let visible = |point: &&sim::SeriesPoint| hours(point.at.as_millis()) <= end_h;
    let per_minute =
        |run: &Run, admitted: u64| admitted as f64 * MINUTE_MS / run.series.interval_ms as f64;
    let admissions_max = runs
        .iter()
        .flat_map(|run| {
            run.series
                .points
                .iter()
                .map(move |point| per_minute(run, point.admitted))
        })
        .fold(1.0_f64, f64::max);
    let line_max = runs
        .iter()
        .flat_map(|run| {
            run.series
                .points
                .iter()
                .map(|point| point.waiting_people.max(point.queue_places) as f64)
        })
        .fold(1.0_f64, f64::max);

    let root = SVGBackend::new(path, (1100, 900)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled("Admissions and queue length over time", ("sans-serif", 24))?;
    let (top, bottom) = root.split_vertically(440);

    let mut chart = time_chart(
        &top,
        start_h..end_h,
        admissions_max,
        "people admitted per minute",
    )?;
    for run in runs {
        let points = run
            .series
            .points
            .iter()
            .filter(visible)
            .map(|point| (hours(point.at.as_millis()), per_minute(run, point.admitted)))
            .collect();
        draw_curve(&mut chart, &run.policy, run.policy.clone(), points)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;

    let mut chart = time_chart(&bottom, start_h..end_h, line_max, "in line")?;
    for run in runs {
        let points = run
            .series
            .points
            .iter()
            .filter(visible)
            .map(|point| (hours(point.at.as_millis()), point.waiting_people as f64))
            .collect();
        let label = format!("{} (people)", run.policy);
        draw_curve(&mut chart, &run.policy, label, points)?;
        if run.room != Room::Engine {
            let places: Vec<(f64, f64)> = run
                .series
                .points
                .iter()
                .filter(visible)
                .map(|point| (hours(point.at.as_millis()), point.queue_places as f64))
                .collect();
            let thin = colour(&run.policy).mix(0.6).stroke_width(1);
            chart
                .draw_series(DashedLineSeries::new(places, 3, 3, thin))?
                .label(format!("{} (places: devices, reconnects)", run.policy))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 8, y)], thin));
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// What people ended up with, per policy: grouped bars of the booking obtained (left), and
/// the share who got their first choice by order of arrival (right).
fn plot_preferences(path: &Path, runs: &[Run], choices: u8) -> Result<(), Box<dyn Error>> {
    let choices = usize::from(choices);
    let mut categories: Vec<String> = (0..choices).map(|rank| ordinal(rank + 1)).collect();
    categories.push("other slot".to_owned());
    categories.push("no booking".to_owned());
    let category_of = |got_choice: Option<u8>| match got_choice {
        Some(choice) => usize::from(choice).min(choices),
        None => choices + 1,
    };
    let shares: Vec<(&str, Vec<f64>)> = runs
        .iter()
        .map(|run| {
            let mut counts = vec![0u64; categories.len()];
            for outcome in &run.outcomes {
                counts[category_of(outcome.got_choice)] += 1;
            }
            let people = run.outcomes.len().max(1) as f64;
            let shares = counts.iter().map(|&count| count as f64 / people).collect();
            (run.policy.as_str(), shares)
        })
        .collect();
    let share_max = shares
        .iter()
        .flat_map(|(_, shares)| shares.iter().copied())
        .fold(0.05_f64, f64::max);

    let root = SVGBackend::new(path, (1400, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled("Preference satisfaction", ("sans-serif", 24))?;
    let (left, right) = root.split_horizontally(820);

    let mut chart = ChartBuilder::on(&left)
        .caption("What each person ended up with", ("sans-serif", 18))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(-0.5..categories.len() as f64 - 0.5, 0.0..share_max * 1.35)?;
    let labels = categories.clone();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(categories.len())
        .x_label_formatter(&move |x| {
            let nearest = x.round();
            if (x - nearest).abs() < 1e-6 && nearest >= 0.0 {
                labels.get(nearest as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_desc("booking obtained (rank in the person's own list)")
        .y_desc("share of all people")
        .y_label_formatter(&|share| format!("{:.0}%", share * 100.0))
        .draw()?;
    let group_width = 0.8;
    let bar_width = group_width / shares.len().max(1) as f64;
    for (index, (policy, shares)) in shares.iter().enumerate() {
        let fill = colour(policy).filled();
        let left_edge =
            |category: usize| category as f64 - group_width / 2.0 + index as f64 * bar_width;
        chart
            .draw_series(shares.iter().enumerate().map(|(category, &share)| {
                let left = left_edge(category);
                Rectangle::new([(left, 0.0), (left + bar_width * 0.92, share)], fill)
            }))?
            .label(*policy)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], fill));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperMiddle)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;

    // Choice matters: who gets their first choice depends on when they came, and on the
    // policy. Tenths of the people by join rank (0 = the first tenth to come).
    const TENTHS: usize = 10;
    let mut chart = ChartBuilder::on(&right)
        .caption("First choice by order of arrival", ("sans-serif", 18))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..TENTHS as f64, 0.0..1.0)?;
    chart
        .configure_mesh()
        .x_desc("arrival order (tenths of the people, earliest first)")
        .y_desc("share who got their 1st choice")
        .x_label_formatter(&|tenth| format!("{:.0}%", tenth * 10.0))
        .y_label_formatter(&|share| format!("{:.0}%", share * 100.0))
        .draw()?;
    for run in runs {
        let people = run.outcomes.len().max(1);
        let mut firsts = [0u64; TENTHS];
        let mut totals = [0u64; TENTHS];
        for outcome in &run.outcomes {
            let tenth = (outcome.join_rank as usize * TENTHS / people).min(TENTHS - 1);
            totals[tenth] += 1;
            firsts[tenth] += u64::from(outcome.got_choice == Some(0));
        }
        let points = (0..TENTHS)
            .map(|tenth| {
                let share = firsts[tenth] as f64 / totals[tenth].max(1) as f64;
                (tenth as f64 + 0.5, share)
            })
            .collect();
        draw_curve(&mut chart, &run.policy, run.policy.clone(), points)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// "1st choice", "2nd choice", ...
fn ordinal(rank: usize) -> String {
    let suffix = match (rank % 10, rank % 100) {
        (1, hundred) if hundred != 11 => "st",
        (2, hundred) if hundred != 12 => "nd",
        (3, hundred) if hundred != 13 => "rd",
        _ => "th",
    };
    format!("{rank}{suffix} choice")
}
