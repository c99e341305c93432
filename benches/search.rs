//! Inventory search on the reference clinic inventory (14,000 sites × 14 days × 8 windows,
//! 1,568,000 slots, 1,650,000 places) in the middle of the surge: `Engine::search` and
//! `Engine::free_seats` beside a scan of every slot through `Engine::slot`, the only way to
//! list slots with room before the index existed.
//!
//! Run it with `cargo bench --bench search` (about a minute on a 2-core machine, most of it
//! building the state below).
//!
//! # The state
//!
//! The sites are grouped into 17 regions of consecutive sites (Korea's first-level divisions:
//! about 824 sites each). 1,200,000 people, admitted, each book the first slot with room of
//! five ranked choices drawn from `Demand::preferences` (evenings, weekends and the busy
//! districts first), so the popular slots and the busy districts are sold out and the rest is
//! not: about three quarters of the places are taken, unevenly.
//!
//! # Groups
//!
//! One measured operation is one query; the queries cycle through 4,096 drawn once from a
//! fixed seed: a region, a first day and a span of 1 to 3 days, and either every window or
//! the two evening ones.
//!
//! - `search/page`: the first 20 slots with room that the query selects, in the search's
//!   order. `fairbook` is `engine.search(filter).take(20)`; `full-scan` walks slot ids from 0
//!   through `Engine::slot`, keeps those in the region (a site-to-region table the service
//!   holds), days and windows with a free seat, and stops at 20, which is the same list since
//!   the slots were added site by site, day by day, window by window.
//! - `search/free-seats`: the free seats the query selects. `fairbook` is
//!   `engine.free_seats(&filter)`; `full-scan` sums them over every slot through
//!   `Engine::slot`.
//! - `search/free-seats-region`: the free seats of the query's region, every day and window:
//!   `engine.free_seats(&SlotFilter::region(region))` (one count per site) against the scan.
//!
//! Both variants give the same answers; the bench asserts it on every query before timing.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use fairbook::{
    CohortId, Config, Day, Engine, RegionId, SiteId, SlotFilter, SlotId, SlotView, Timestamp,
    Window, WindowSet,
};
use fairbook_lab::rng::Rng;
use fairbook_lab::workload::{self, Demand, InventorySpec, SurgeSpec};

const REGIONS: u32 = 17;
const BOOKERS: u64 = 1_200_000;
const PAGE: usize = 20;
const QUERIES: usize = 4_096;
const CHOICES: usize = 5;
const NOW: Timestamp = Timestamp::from_secs(1);

/// One query: a region, a day range and a window set.
#[derive(Clone, Copy)]
struct Query {
    region: RegionId,
    first_day: Day,
    last_day: Day,
    windows: WindowSet,
}

impl Query {
    fn filter(&self) -> SlotFilter<'static> {
        SlotFilter::region(self.region)
            .days(self.first_day, self.last_day)
            .windows(self.windows)
    }

    /// The same region, every day and window.
    fn whole_region(&self) -> Query {
        Query {
            first_day: Day::new(0),
            last_day: Day::new(u16::MAX),
            windows: WindowSet::ALL,
            ..*self
        }
    }

    fn selects(&self, view: &SlotView, region_of_site: &[RegionId]) -> bool {
        region_of_site[view.spec.site.as_index()] == self.region
            && (self.first_day..=self.last_day).contains(&view.spec.day)
            && self.windows.contains(view.spec.window)
    }
}

struct State {
    engine: Engine,
    slots: u32,
    region_of_site: Vec<RegionId>,
    queries: Vec<Query>,
}

fn region_of(site: u32, sites: u32) -> RegionId {
    RegionId::new((u64::from(site) * u64::from(REGIONS) / u64::from(sites)) as u16)
}

fn state() -> State {
    let inventory = InventorySpec::reference(SurgeSpec::REFERENCE_PEOPLE);
    let specs = workload::slots(&inventory);
    let engine = Engine::new(Config {
        people_max: BOOKERS,
        slots_max: specs.len() as u32,
        sites_max: inventory.sites,
        days_max: u32::from(inventory.days),
        regions_max: REGIONS,
        choices_max: CHOICES,
        lease_ms: 60 * 60 * 1_000,
        ..Config::default()
    })
    .expect("the bench's config is valid");
    let region_of_site: Vec<RegionId> = (0..inventory.sites)
        .map(|site| region_of(site, inventory.sites))
        .collect();
    for (site, &region) in region_of_site.iter().enumerate() {
        engine
            .add_site(SiteId::new(site as u32), region)
            .expect("every site is added once");
    }
    for &spec in &specs {
        engine
            .add_slot(spec)
            .expect("the engine is sized for every slot");
    }
    let people = workload::person_ids(BOOKERS, SurgeSpec::REFERENCE_SEED);
    for &person in &people {
        engine
            .enqueue(person, CohortId::new(0), NOW)
            .expect("the engine is sized for everybody");
    }
    engine.advance(NOW, BOOKERS).expect("time stands still");
    let demand = Demand::new(&inventory);
    let mut rng = Rng::new(SurgeSpec::REFERENCE_SEED);
    for &person in &people {
        let mut choices = [SlotId::new(0); CHOICES];
        demand.preferences(&mut rng, &mut choices);
        let _ = engine.reserve(person, &choices, NOW);
    }
    let evenings = WindowSet::between(Window::new(6), Window::new(7));
    let queries = (0..QUERIES)
        .map(|_| {
            let first_day = rng.below(u64::from(inventory.days)) as u16;
            let span = rng.below(3) as u16;
            Query {
                region: RegionId::new(rng.below(u64::from(REGIONS)) as u16),
                first_day: Day::new(first_day),
                last_day: Day::new((first_day + span).min(inventory.days - 1)),
                windows: if rng.below(2) == 0 {
                    WindowSet::ALL
                } else {
                    evenings
                },
            }
        })
        .collect();
    State {
        engine,
        slots: specs.len() as u32,
        region_of_site,
        queries,
    }
}

/// What one measured operation does.
#[derive(Clone, Copy)]
enum Kind {
    Page,
    FreeSeats,
    RegionSeats,
}

fn scan_page(state: &State, query: &Query, page: &mut Vec<SlotId>) {
    page.clear();
    for raw in 0..state.slots {
        let view = state
            .engine
            .slot(SlotId::new(raw))
            .expect("every slot exists");
        if view.free() > 0 && query.selects(&view, &state.region_of_site) {
            page.push(view.id);
            if page.len() == PAGE {
                return;
            }
        }
    }
}

fn scan_free_seats(state: &State, query: &Query) -> u64 {
    (0..state.slots)
        .map(|raw| {
            state
                .engine
                .slot(SlotId::new(raw))
                .expect("every slot exists")
        })
        .filter(|view| query.selects(view, &state.region_of_site))
        .map(|view| u64::from(view.free()))
        .sum()
}

fn search_page(state: &State, query: &Query, page: &mut Vec<SlotId>) {
    page.clear();
    let search = state
        .engine
        .search(query.filter())
        .expect("the bench's filters are valid");
    page.extend(search.take(PAGE).map(|view| view.id));
}

fn search(criterion: &mut Criterion) {
    let state = state();
    let (mut ours, mut theirs) = (Vec::with_capacity(PAGE), Vec::with_capacity(PAGE));
    let mut answers = 0;
    for query in &state.queries {
        search_page(&state, query, &mut ours);
        scan_page(&state, query, &mut theirs);
        assert_eq!(ours, theirs, "the search and the scan disagree");
        let free = state.engine.free_seats(&query.filter()).unwrap();
        assert_eq!(free, scan_free_seats(&state, query));
        let region = state
            .engine
            .free_seats(&SlotFilter::region(query.region))
            .unwrap();
        assert_eq!(region, scan_free_seats(&state, &query.whole_region()));
        answers += ours.len();
    }
    assert!(answers > 0, "the queries find something");

    for (name, kind) in [
        ("page", Kind::Page),
        ("free-seats", Kind::FreeSeats),
        ("free-seats-region", Kind::RegionSeats),
    ] {
        let mut group = criterion.benchmark_group(format!("search/{name}"));
        group
            .sample_size(20)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3))
            .throughput(Throughput::Elements(1));
        let mut queries = state.queries.iter().cycle();
        group.bench_function("fairbook", |bencher| {
            bencher.iter(|| {
                let query = queries.next().expect("the queries cycle");
                match kind {
                    Kind::Page => {
                        search_page(&state, query, &mut ours);
                        black_box(ours.len())
                    }
                    Kind::FreeSeats => {
                        black_box(state.engine.free_seats(&query.filter()).unwrap() as usize)
                    }
                    Kind::RegionSeats => {
                        let filter = SlotFilter::region(query.region);
                        black_box(state.engine.free_seats(&filter).unwrap() as usize)
                    }
                }
            });
        });
        let mut queries = state.queries.iter().cycle();
        group.bench_function("full-scan", |bencher| {
            bencher.iter(|| {
                let query = queries.next().expect("the queries cycle");
                match kind {
                    Kind::Page => {
                        scan_page(&state, query, &mut theirs);
                        black_box(theirs.len())
                    }
                    Kind::FreeSeats => black_box(scan_free_seats(&state, query) as usize),
                    Kind::RegionSeats => {
                        black_box(scan_free_seats(&state, &query.whole_region()) as usize)
                    }
                }
            });
        });
        group.finish();
    }
}

criterion_group!(benches, search);
criterion_main!(benches);
