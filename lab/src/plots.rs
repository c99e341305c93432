//! The plots of the `fairness_lab` command, each written as SVG and as PNG: the wait CDF
//! (the never-admitted counted as censored), admissions over time (cohort openings and
//! sell-outs marked), bounces and bypass bookings over time, days late by tenth of arrival,
//! and what people ended up with.
//!
//! Axis numbers are for people: counts with thousands separators, shares in percent, time
//! as "day 1 20:00" and waits in hours. Text is drawn with DejaVu Sans, shipped in
//! `assets/` (Bitstream Vera licence, `assets/DejaVuSans-LICENSE.txt`), so that a PNG is the
//! same bytes on every machine.

use std::error::Error;
use std::ops::Deref;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use fairbook_lab::fairness::{self, FairnessReport};
use fairbook_lab::sim::{Room, Run, Scenario};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::FontStyle;

const MINUTE_MS: f64 = 60_000.0;
const HOUR_MS: f64 = 3_600_000.0;
/// Tenths of arrival order, for the plots by order of arrival.
const TENTHS: usize = 10;

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// A run as the plots show it: the run, and what the plots compute from its million rows,
/// computed once for both backends.
struct PlotRun<'a> {
    run: &'a Run,
    /// The wait CDF: `(wait in hours, share of everyone admitted within it)`.
    wait_curve: Vec<(f64, f64)>,
    /// `(tenth + 0.5, mean days late)` for each tenth of arrival order where someone booked.
    days_late_means: Vec<(f64, f64)>,
    /// People per booking obtained: each rank of their list, "nearest free", "no booking".
    got: Vec<u64>,
    /// `(tenth + 0.5, share who got their first choice)` by tenth of arrival order.
    first_choice_by_tenth: Vec<(f64, f64)>,
}

impl Deref for PlotRun<'_> {
    type Target = Run;

    fn deref(&self) -> &Run {
        self.run
    }
}

impl PlotRun<'_> {
    fn new<'a>(run: &'a Run, report: &FairnessReport, choices: usize) -> PlotRun<'a> {
        /// Points of a wait CDF: enough for a smooth line, few enough for a small file.
        const POINTS: usize = 400;
        let waits = fairness::wait_times_ms(&run.outcomes);
        let everyone = run.outcomes.len().max(1) as f64;
        let wait_curve = (0..=POINTS)
            .filter(|_| !waits.is_empty())
            .map(|step| {
                let index = step * (waits.len() - 1) / POINTS;
                (waits[index] as f64 / HOUR_MS, (index + 1) as f64 / everyone)
            })
            .collect();
        let days_late_means = report
            .placement
            .days_late_by_arrival_decile
            .iter()
            .enumerate()
            .filter_map(|(tenth, late)| late.mean.map(|mean| (tenth as f64 + 0.5, mean)))
            .collect();
        let mut got = vec![0u64; choices + 2];
        let people = run.outcomes.len().max(1);
        let mut firsts = [0u64; TENTHS];
        let mut totals = [0u64; TENTHS];
        for outcome in &run.outcomes {
            let category = match outcome.got_choice {
                Some(choice) => usize::from(choice).min(choices),
                None => choices + 1,
            };
            got[category] += 1;
            let tenth = (outcome.join_rank as usize * TENTHS / people).min(TENTHS - 1);
            totals[tenth] += 1;
            firsts[tenth] += u64::from(outcome.got_choice == Some(0));
        }
        let first_choice_by_tenth = (0..TENTHS)
            .map(|tenth| {
                let share = firsts[tenth] as f64 / totals[tenth].max(1) as f64;
                (tenth as f64 + 0.5, share)
            })
            .collect();
        PlotRun {
            run,
            wait_curve,
            days_late_means,
            got,
            first_choice_by_tenth,
        }
    }
}

/// Writes every plot into `out`, as `<name>.svg` and `<name>.png`, on up to `threads`
/// threads (each file is drawn by one thread, so its bytes do not depend on how many).
/// `reports[i]` is `runs[i]`'s report.
pub(crate) fn draw_all(
    out: &Path,
    scenario: &Scenario,
    runs: &[Run],
    reports: &[FairnessReport],
    threads: usize,
) -> Result<()> {
    register_font()?;
    let choices = usize::from(scenario.behaviour.choices_per_person);
    let runs: Vec<PlotRun<'_>> = runs
        .iter()
        .zip(reports)
        .map(|(run, report)| PlotRun::new(run, report, choices))
        .collect();
    let runs = runs.as_slice();
    type Job<'a> = Box<dyn Fn() -> Result<()> + Sync + 'a>;
    /// One plot on both backends: two jobs.
    macro_rules! both {
        ($name:literal, $size:expr, $plot:ident) => {
            [
                Box::new(move || {
                    let path = out.join(concat!($name, ".svg"));
                    let root = SVGBackend::new(&path, $size).into_drawing_area();
                    $plot(&root, scenario, runs)?;
                    root.present()?;
                    Ok(())
                }) as Job<'_>,
                Box::new(move || {
                    let path = out.join(concat!($name, ".png"));
                    let root = BitMapBackend::new(&path, $size).into_drawing_area();
                    $plot(&root, scenario, runs)?;
                    root.present()?;
                    Ok(())
                }),
            ]
        };
    }
    // The bitmaps of the time plots first: they take longest.
    let jobs: Vec<Job<'_>> = [
        both!("admissions", (1200, 900), admissions),
        both!("bounces-bypass", (1200, 820), bounces_and_bypass),
        both!("wait-cdf", (1000, 620), wait_cdf),
        both!("preferences", (1400, 620), preferences),
        both!("days-late", (1000, 620), days_late),
    ]
    .into_iter()
    .flat_map(|[svg, png]| [png, svg])
    .collect();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, jobs.len()) {
            scope.spawn(|| {
                while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if let Err(error) = job() {
                        if let Ok(mut failures) = failures.lock() {
                            failures.push(error.to_string());
                        }
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().map_err(|_| "a plot panicked")?;
    match failures.first() {
        Some(failure) => Err(failure.clone().into()),
        None => Ok(()),
    }
}

fn register_font() -> Result<()> {
    const DEJAVU_SANS: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
    plotters::style::register_font("sans-serif", FontStyle::Normal, DEJAVU_SANS)
        .map_err(|_| "the shipped font cannot be read".into())
}

/// `1234567` → `1,234,567`.
pub(crate) fn thousands(value: f64) -> String {
    let rounded = value.round();
    let digits = format!("{:.0}", rounded.abs());
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if rounded < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Hours since the start of the run → `day 1 20:00`.
fn clock(hours: f64) -> String {
    let minutes = (hours * 60.0).round().max(0.0) as u64;
    format!(
        "day {} {:02}:{:02}",
        minutes / (24 * 60),
        minutes / 60 % 24,
        minutes % 60
    )
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

/// A policy's curve: FIFO and shuffle often coincide, so shuffle is dashed over a wider
/// FIFO line and both stay visible.
fn draw_curve<'c, DB: DrawingBackend + 'c>(
    chart: &mut Chart<'c, DB>,
    policy: &str,
    label: String,
    points: Vec<(f64, f64)>,
) -> Result<()>
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

fn legend<'c, DB: DrawingBackend + 'c>(
    chart: &mut Chart<'c, DB>,
    at: SeriesLabelPosition,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .position(at)
        .label_font(("sans-serif", 15))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

/// The hours the time plots cover: from an hour before the first opening to a little after
/// the last admission of any run.
fn time_span(scenario: &Scenario, runs: &[PlotRun<'_>]) -> (f64, f64) {
    let first_opening_h = scenario
        .cohorts
        .iter()
        .map(|cohort| cohort.opens_at.as_millis() as f64 / HOUR_MS)
        .fold(f64::MAX, f64::min);
    let last_admission_h = runs
        .iter()
        .flat_map(|run| {
            run.series
                .points
                .iter()
                .rev()
                .find(|point| point.admitted > 0)
        })
        .map(|point| point.at.as_millis() as f64 / HOUR_MS)
        .fold(first_opening_h + 1.0, f64::max);
    ((first_opening_h - 1.0).max(0.0), last_admission_h + 2.0)
}

/// A chart over the run's clock, counts on the vertical axis.
fn time_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    caption: &str,
    hours: (f64, f64),
    y_max: f64,
    y_desc: &str,
) -> Result<Chart<'a, DB>>
where
    DB::ErrorType: 'static,
{
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 20))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(90)
        .build_cartesian_2d(hours.0..hours.1, 0.0..(y_max * 1.1).max(1.0))?;
    chart
        .configure_mesh()
        .x_labels(8)
        .x_desc("time of the run")
        .y_desc(y_desc)
        .label_style(("sans-serif", 14))
        .x_label_formatter(&|hours| clock(*hours))
        .y_label_formatter(&|count| thousands(*count))
        .draw()?;
    Ok(chart)
}

/// Thin vertical lines at each cohort's opening, labelled with its name.
fn mark_openings<'c, DB: DrawingBackend + 'c>(
    chart: &mut Chart<'c, DB>,
    scenario: &Scenario,
    y_max: f64,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    for cohort in &scenario.cohorts {
        let at_h = cohort.opens_at.as_millis() as f64 / HOUR_MS;
        chart.draw_series(std::iter::once(PathElement::new(
            [(at_h, 0.0), (at_h, y_max * 1.05)],
            BLACK.mix(0.5).stroke_width(1),
        )))?;
        chart.draw_series(std::iter::once(Text::new(
            format!("{} opens", cohort.name),
            (at_h, y_max * 1.07),
            ("sans-serif", 14).into_font(),
        )))?;
    }
    Ok(())
}

/// Per run, a mark where each cohort sold out, at the height of that moment's admissions.
fn mark_sell_outs<'c, DB: DrawingBackend + 'c>(
    chart: &mut Chart<'c, DB>,
    runs: &[PlotRun<'_>],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    for run in runs {
        for at in run.summary.cohort_sold_out_at.iter().flatten() {
            let at_h = at.as_millis() as f64 / HOUR_MS;
            let style = colour(&run.policy).filled();
            chart.draw_series(std::iter::once(TriangleMarker::new((at_h, 0.0), 9, style)))?;
        }
    }
    Ok(())
}

/// The share of all people admitted within each wait; people never admitted are censored
/// (their wait is at least the run's length), so each curve ends at its admitted share.
fn wait_cdf<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    _: &Scenario,
    runs: &[PlotRun<'_>],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let curves: Vec<(&str, Vec<(f64, f64)>)> = runs
        .iter()
        .map(|run| (run.policy.as_str(), run.wait_curve.clone()))
        .collect();
    let max_wait_h = curves
        .iter()
        .flat_map(|(_, points)| points.last().map(|&(wait, _)| wait))
        .fold(0.5_f64, f64::max);
    let mut chart = ChartBuilder::on(root)
        .caption(
            "Wait until admitted, share of everyone (never admitted: censored, the curve stops)",
            ("sans-serif", 20),
        )
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..max_wait_h * 1.02, 0.0..1.0)?;
    chart
        .configure_mesh()
        .x_desc("wait from first join to admission (hours)")
        .y_desc("share of all people admitted within it")
        .label_style(("sans-serif", 14))
        .x_label_formatter(&|hours| format!("{hours:.1} h"))
        .y_label_formatter(&|share| format!("{:.0}%", share * 100.0))
        .draw()?;
    for (policy, points) in curves {
        let admitted = points.last().map_or(0.0, |&(_, share)| share);
        let label = format!("{policy} ({:.0}% ever admitted)", admitted * 100.0);
        draw_curve(&mut chart, policy, label, points)?;
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight)
}

/// Admissions per minute (top) and people in line (bottom) over time, with cohort openings
/// and each run's sell-outs marked; the 2021 baseline's places in line dashed.
fn admissions<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scenario: &Scenario,
    runs: &[PlotRun<'_>],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let hours = time_span(scenario, runs);
    let at_h = |point: &fairbook_lab::sim::SeriesPoint| point.at.as_millis() as f64 / HOUR_MS;
    let per_minute =
        |run: &Run, count: u64| count as f64 * MINUTE_MS / run.series.interval_ms as f64;
    let (top, bottom) = root.split_vertically(450);

    let admissions_max = runs
        .iter()
        .flat_map(|run| {
            run.series
                .points
                .iter()
                .map(move |point| per_minute(run, point.admitted))
        })
        .fold(1.0_f64, f64::max);
    let mut chart = time_chart(
        &top,
        "Admissions per minute (▲ a cohort's days sold out)",
        hours,
        admissions_max,
        "people admitted per minute",
    )?;
    for run in runs {
        let points = run
            .series
            .points
            .iter()
            .map(|point| (at_h(point), per_minute(run, point.admitted)))
            .collect();
        draw_curve(&mut chart, &run.policy, run.policy.clone(), points)?;
    }
    mark_openings(&mut chart, scenario, admissions_max)?;
    mark_sell_outs(&mut chart, runs)?;
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;

    let line_max = runs
        .iter()
        .flat_map(|run| {
            run.series
                .points
                .iter()
                .map(|point| point.waiting_people.max(point.queue_places) as f64)
        })
        .fold(1.0_f64, f64::max);
    let mut chart = time_chart(&bottom, "In line", hours, line_max, "in line")?;
    for run in runs {
        let points = run
            .series
            .points
            .iter()
            .map(|point| (at_h(point), point.waiting_people as f64))
            .collect();
        draw_curve(
            &mut chart,
            &run.policy,
            format!("{} (people)", run.policy),
            points,
        )?;
        if run.room == Room::Naive2021 {
            let places: Vec<(f64, f64)> = run
                .series
                .points
                .iter()
                .map(|point| (at_h(point), point.queue_places as f64))
                .collect();
            let thin = colour(&run.policy).mix(0.6).stroke_width(1);
            chart
                .draw_series(DashedLineSeries::new(places, 3, 3, thin))?
                .label(format!("{} (places: connections)", run.policy))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 8, y)], thin));
        }
    }
    let capacity = scenario.baseline.server_capacity_users as f64;
    chart
        .draw_series(DashedLineSeries::new(
            [(hours.0, capacity), (hours.1, capacity)],
            6,
            4,
            BLACK.mix(0.6).stroke_width(1),
        ))?
        .label(format!(
            "2021 server capacity ({} connections)",
            thousands(capacity)
        ))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 24, y)], BLACK.mix(0.6)));
    mark_openings(&mut chart, scenario, line_max)?;
    legend(&mut chart, SeriesLabelPosition::UpperRight)
}

/// Bounces per minute (top) and bookings made around the queue per minute (bottom): the
/// two grievances of 2021.
fn bounces_and_bypass<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scenario: &Scenario,
    runs: &[PlotRun<'_>],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let hours = time_span(scenario, runs);
    let (top, bottom) = root.split_vertically(410);
    type Pick = fn(&fairbook_lab::sim::SeriesPoint) -> u64;
    let panels: [(&DrawingArea<DB, Shift>, &str, &str, Pick); 2] = [
        (
            &top,
            "Bounces: requests the overloaded server failed",
            "bounces per minute",
            |point| point.bounces,
        ),
        (
            &bottom,
            "Bookings made around the queue (bypass)",
            "bypass bookings per minute",
            |point| point.bypass_bookings,
        ),
    ];
    for (area, caption, y_desc, pick) in panels {
        let per_minute =
            |run: &Run, count: u64| count as f64 * MINUTE_MS / run.series.interval_ms as f64;
        let y_max = runs
            .iter()
            .flat_map(|run| {
                run.series
                    .points
                    .iter()
                    .map(move |point| per_minute(run, pick(point)))
            })
            .fold(1.0_f64, f64::max);
        let mut chart = time_chart(area, caption, hours, y_max, y_desc)?;
        for run in runs {
            let total: u64 = run.series.points.iter().map(pick).sum();
            let points = run
                .series
                .points
                .iter()
                .map(|point| {
                    (
                        point.at.as_millis() as f64 / HOUR_MS,
                        per_minute(run, pick(point)),
                    )
                })
                .collect();
            let label = format!("{} ({} in all)", run.policy, thousands(total as f64));
            draw_curve(&mut chart, &run.policy, label, points)?;
        }
        mark_openings(&mut chart, scenario, y_max)?;
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    }
    Ok(())
}

/// Mean days later than wanted, by tenth of arrival order, over the people who booked.
fn days_late<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    _: &Scenario,
    runs: &[PlotRun<'_>],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let curves: Vec<(&str, Vec<(f64, f64)>)> = runs
        .iter()
        .map(|run| (run.policy.as_str(), run.days_late_means.clone()))
        .collect();
    let (y_min, y_max) = curves
        .iter()
        .flat_map(|(_, points)| points.iter().map(|&(_, mean)| mean))
        .fold((0.0_f64, 1.0_f64), |(low, high), mean| {
            (low.min(mean), high.max(mean))
        });
    let mut chart = ChartBuilder::on(root)
        .caption(
            "Days later than wanted, by order of arrival (people who booked)",
            ("sans-serif", 20),
        )
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(0.0..10.0, (y_min * 1.1).min(0.0)..y_max * 1.2)?;
    chart
        .configure_mesh()
        .x_desc("arrival order (tenths of the people, earliest first)")
        .y_desc("mean days later than wanted")
        .label_style(("sans-serif", 14))
        .x_label_formatter(&|tenth| format!("{:.0}%", tenth * 10.0))
        .y_label_formatter(&|days| format!("{days:.1} d"))
        .draw()?;
    for (policy, points) in curves {
        draw_curve(&mut chart, policy, policy.to_owned(), points)?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)
}

/// What people ended up with, per policy: grouped bars of the booking obtained (left), and
/// the share who got their first choice by order of arrival (right).
fn preferences<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scenario: &Scenario,
    runs: &[PlotRun<'_>],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let choices = usize::from(scenario.behaviour.choices_per_person);
    let mut categories: Vec<String> = (0..choices).map(|rank| ordinal(rank + 1)).collect();
    categories.push("nearest free".to_owned());
    categories.push("no booking".to_owned());
    let shares: Vec<(&str, Vec<f64>)> = runs
        .iter()
        .map(|run| {
            let people = run.outcomes.len().max(1) as f64;
            let shares = run.got.iter().map(|&count| count as f64 / people).collect();
            (run.policy.as_str(), shares)
        })
        .collect();
    let share_max = shares
        .iter()
        .flat_map(|(_, shares)| shares.iter().copied())
        .fold(0.05_f64, f64::max);
    let (left, right) = root.split_horizontally(820);
    let mut chart = ChartBuilder::on(&left)
        .caption("What each person ended up with", ("sans-serif", 20))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(-0.5..categories.len() as f64 - 0.5, 0.0..share_max * 1.35)?;
    let labels = categories.clone();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(categories.len())
        .label_style(("sans-serif", 14))
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
    legend(&mut chart, SeriesLabelPosition::UpperMiddle)?;

    // Who gets their first choice depends on when they came, and on the policy.
    let mut chart = ChartBuilder::on(&right)
        .caption("First choice by order of arrival", ("sans-serif", 20))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..TENTHS as f64, 0.0..1.0)?;
    chart
        .configure_mesh()
        .x_desc("arrival order (tenths, earliest first)")
        .y_desc("share who got their 1st choice")
        .label_style(("sans-serif", 14))
        .x_label_formatter(&|tenth| format!("{:.0}%", tenth * 10.0))
        .y_label_formatter(&|share| format!("{:.0}%", share * 100.0))
        .draw()?;
    for run in runs {
        let points = run.first_choice_by_tenth.clone();
        draw_curve(&mut chart, &run.policy, run.policy.clone(), points)?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_times_read_as_people_write_them() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1_000.0), "1,000");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
        assert_eq!(thousands(-45_000.0), "-45,000");
        assert_eq!(clock(20.0), "day 0 20:00");
        assert_eq!(clock(44.5), "day 1 20:30");
    }
}
