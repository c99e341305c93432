//! Finding a seat, one scenario each: the search finds exactly the slots with room, in its
//! stated order, by sites, region, days and windows; free seats are counted per site, per
//! region and per day; "sold out" is said per region while another region has room; and all
//! of it stays true while other threads book and give back.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::*;
use fairbook::{
    Area, Config, Day, Engine, RegionId, SearchError, SiteId, SlotFilter, SlotId, SlotSpec, Window,
    WindowSet,
};

fn spec(site: u32, day: u16, window: u8, capacity: u32) -> SlotSpec {
    SlotSpec {
        site: SiteId::new(site),
        day: Day::new(day),
        window: Window::new(window),
        capacity,
    }
}

fn found(engine: &Engine, filter: SlotFilter<'_>) -> Vec<SlotId> {
    engine.search(filter).unwrap().map(|view| view.id).collect()
}

const SEOUL: RegionId = RegionId::new(0);
const BUSAN: RegionId = RegionId::new(1);

/// Two regions: Seoul (sites 0 and 1) and Busan (site 2), two days of two windows each.
fn two_cities() -> Engine {
    let engine = Engine::new(Config {
        regions_max: 2,
        sites_max: 8,
        days_max: 4,
        ..Config::default()
    })
    .unwrap();
    for (site, region) in [(0, SEOUL), (1, SEOUL), (2, BUSAN)] {
        engine.add_site(SiteId::new(site), region).unwrap();
    }
    for site in 0..3 {
        for day in 0..2 {
            for window in 0..2 {
                engine.add_slot(spec(site, day, window, 1)).unwrap();
            }
        }
    }
    engine
}

#[test]
fn search_finds_only_slots_with_room_in_the_stated_order() {
    let engine = Engine::new(Config::default()).unwrap();
    // Added out of order: the search orders them by day, then window, then id.
    let late = engine.add_slot(spec(4, 2, 0, 3)).unwrap();
    let evening = engine.add_slot(spec(4, 0, 7, 1)).unwrap();
    let morning = engine.add_slot(spec(4, 0, 1, 2)).unwrap();
    let full = engine.add_slot(spec(4, 0, 3, 0)).unwrap();
    let second_morning = engine.add_slot(spec(4, 0, 1, 5)).unwrap();
    let elsewhere = engine.add_slot(spec(9, 0, 0, 1)).unwrap();

    let site = [SiteId::new(4)];
    assert_eq!(
        found(&engine, SlotFilter::sites(&site)),
        [morning, second_morning, evening, late]
    );
    assert!(!found(&engine, SlotFilter::everywhere()).contains(&full));
    // Sites in the order listed.
    let both = [SiteId::new(9), SiteId::new(4)];
    assert_eq!(found(&engine, SlotFilter::sites(&both))[0], elsewhere);
    // Days and windows narrow it.
    let filter = SlotFilter::sites(&site)
        .days(Day::new(0), Day::new(1))
        .windows(WindowSet::of(&[Window::new(7), Window::new(3)]));
    assert_eq!(found(&engine, filter), [evening]);
    // A page is as long as the caller takes.
    assert_eq!(
        engine
            .search(SlotFilter::everywhere())
            .unwrap()
            .take(2)
            .count(),
        2
    );
}

#[test]
fn a_slot_that_fills_drops_out_of_the_search_and_comes_back_when_given_back() {
    let (engine, slots) = engine(&[1, 1]);
    join_and_admit(&engine, [1], at(1));
    assert_eq!(found(&engine, SlotFilter::everywhere()), slots);
    engine.reserve(person(1), &slots[..1], at(1)).unwrap();
    assert_eq!(found(&engine, SlotFilter::everywhere()), &slots[1..]);
    engine.release(person(1), at(1)).unwrap();
    assert_eq!(found(&engine, SlotFilter::everywhere()), slots);
    assert_audit_ok(&engine);
}

#[test]
fn search_by_region_stays_in_the_region() {
    let engine = two_cities();
    let busan: Vec<_> = engine
        .search(SlotFilter::region(BUSAN))
        .unwrap()
        .map(|view| view.spec.site)
        .collect();
    assert_eq!(busan, [SiteId::new(2); 4]);
    let seoul_sites: Vec<_> = engine
        .search(SlotFilter::region(SEOUL))
        .unwrap()
        .map(|view| view.spec.site.as_u32())
        .collect();
    assert_eq!(seoul_sites, [0, 0, 0, 0, 1, 1, 1, 1]);
    // Everywhere is region by region.
    let everywhere: Vec<_> = engine
        .search(SlotFilter::everywhere())
        .unwrap()
        .map(|view| view.spec.site.as_u32())
        .collect();
    assert_eq!(everywhere.len(), 12);
    assert!(everywhere.is_sorted());
}

#[test]
fn free_seats_are_counted_per_site_region_and_day() {
    let engine = two_cities();
    let per_site = |site: u32| {
        engine
            .free_seats(&SlotFilter::sites(&[SiteId::new(site)]))
            .unwrap()
    };
    assert_eq!(
        [per_site(0), per_site(1), per_site(2), per_site(3)],
        [4, 4, 4, 0]
    );
    assert_eq!(engine.free_seats(&SlotFilter::region(SEOUL)).unwrap(), 8);
    assert_eq!(engine.free_seats(&SlotFilter::region(BUSAN)).unwrap(), 4);
    let day = |day: u16| SlotFilter::everywhere().days(Day::new(day), Day::new(day));
    assert_eq!(engine.free_seats(&day(0)).unwrap(), 6);
    assert_eq!(engine.free_seats(&day(3)).unwrap(), 0);
    let busan_day_one_morning = SlotFilter::region(BUSAN)
        .days(Day::new(1), Day::new(1))
        .windows(WindowSet::of(&[Window::new(0)]));
    assert_eq!(engine.free_seats(&busan_day_one_morning).unwrap(), 1);

    // Booking one Busan seat moves Busan's counts and nothing else.
    engine.enqueue(person(1), COHORT, at(1)).unwrap();
    engine.advance(at(1), 1).unwrap();
    let busan_slot = engine
        .search(SlotFilter::region(BUSAN))
        .unwrap()
        .next()
        .unwrap();
    engine.reserve(person(1), &[busan_slot.id], at(1)).unwrap();
    assert_eq!(engine.free_seats(&SlotFilter::region(BUSAN)).unwrap(), 3);
    assert_eq!(engine.free_seats(&SlotFilter::region(SEOUL)).unwrap(), 8);
    assert_eq!(engine.free_seats(&day(0)).unwrap(), 5);
    assert_audit_ok(&engine);
}

#[test]
fn seoul_sold_out_is_said_while_busan_is_open() {
    let engine = two_cities();
    let seoul: Vec<SlotId> = found(&engine, SlotFilter::region(SEOUL));
    let people = 0..seoul.len() as u64;
    join_and_admit(&engine, people.clone(), at(1));
    for (id, slot) in people.zip(&seoul) {
        assert!(!engine.is_sold_out_in(SEOUL).unwrap());
        engine.reserve(person(id), &[*slot], at(1)).unwrap();
    }
    assert!(engine.is_sold_out_in(SEOUL).unwrap());
    assert!(!engine.is_sold_out_in(BUSAN).unwrap());
    assert!(!engine.is_sold_out());
    assert_eq!(found(&engine, SlotFilter::region(SEOUL)), []);
    assert_eq!(engine.free_seats(&SlotFilter::region(BUSAN)).unwrap(), 4);
    // One Seoul seat given back: Seoul is open again at once.
    engine.release(person(0), at(1)).unwrap();
    assert!(!engine.is_sold_out_in(SEOUL).unwrap());
    assert_audit_ok(&engine);
}

#[test]
fn a_region_without_slots_is_not_sold_out() {
    let engine = Engine::new(Config {
        regions_max: 3,
        ..Config::default()
    })
    .unwrap();
    assert_eq!(engine.is_sold_out_in(RegionId::new(2)), Ok(false));
    assert_eq!(
        engine.is_sold_out_in(RegionId::new(3)),
        Err(SearchError::RegionOutOfRange {
            region: RegionId::new(3),
            regions_max: 3
        })
    );
}

#[test]
fn bad_filters_get_typed_errors() {
    let engine = two_cities();
    let far = [SiteId::new(2), SiteId::new(8)];
    assert_eq!(
        engine.search(SlotFilter::sites(&far)).err(),
        Some(SearchError::SiteOutOfRange {
            site: SiteId::new(8),
            sites_max: 8
        })
    );
    assert_eq!(
        engine.free_seats(&SlotFilter::region(RegionId::new(2))),
        Err(SearchError::RegionOutOfRange {
            region: RegionId::new(2),
            regions_max: 2
        })
    );
    let backwards = SlotFilter::everywhere().days(Day::new(1), Day::new(0));
    assert!(matches!(
        engine.search(backwards),
        Err(SearchError::EmptyDayRange { .. })
    ));
    // Past the horizon, or no window: nothing, not an error.
    let later = SlotFilter::everywhere().days(Day::new(9), Day::new(20));
    assert_eq!(found(&engine, later), []);
    assert_eq!(
        found(&engine, SlotFilter::everywhere().windows(WindowSet::NONE)),
        []
    );
    assert_eq!(found(&engine, SlotFilter::in_area(Area::Sites(&[]))), []);
}

/// Two threads take and give back seats of one region while a third searches it: every slot
/// the search yields had room when it was read, so a slot nobody touches is found every time,
/// and a slot that is always full is never found; afterwards the search and the counts are
/// exact.
#[test]
fn search_stays_exact_under_concurrent_reserves_and_releases() {
    let engine = Arc::new(
        Engine::new(Config {
            people_max: 64,
            ..Config::default()
        })
        .unwrap(),
    );
    let churned: Vec<SlotId> = (0..8)
        .map(|window| engine.add_slot(spec(0, 0, window, 1)).unwrap())
        .collect();
    let full = engine.add_slot(spec(0, 1, 0, 0)).unwrap();
    let untouched = engine.add_slot(spec(0, 1, 1, 1)).unwrap();
    join_and_admit(&engine, 0..2, at(1));
    let done = Arc::new(AtomicBool::new(false));
    let churners: Vec<_> = (0..2u64)
        .map(|id| {
            let (engine, churned, done) = (engine.clone(), churned.clone(), done.clone());
            std::thread::spawn(move || {
                let mut round = 0;
                while !done.load(Ordering::Relaxed) {
                    let slot = churned[(round + id as usize * 3) % churned.len()];
                    if engine.reserve(person(id), &[slot], at(1)).is_ok() {
                        engine.release_booking(person(id), slot, at(1)).unwrap();
                    }
                    round += 1;
                }
            })
        })
        .collect();
    for _ in 0..20_000 {
        let seen = found(&engine, SlotFilter::everywhere());
        assert!(seen.contains(&untouched), "{seen:?}");
        assert!(!seen.contains(&full));
        assert!(seen.is_sorted_by_key(|slot| {
            let view = engine.slot(*slot).unwrap();
            (view.spec.day, view.spec.window)
        }));
        assert!(engine.free_seats(&SlotFilter::everywhere()).unwrap() >= 1);
        assert!(!engine.is_sold_out());
    }
    done.store(true, Ordering::Relaxed);
    for churner in churners {
        churner.join().unwrap();
    }
    assert_eq!(found(&engine, SlotFilter::everywhere()).len(), 9);
    assert_eq!(engine.free_seats(&SlotFilter::everywhere()).unwrap(), 9);
    assert_audit_ok(&engine);
}

/// Slots added in any order of sites, days and windows are found by site, then day, then
/// window, then id: the index's walk that starts after the last slot added at the same site
/// and day (so that a grid or a single busy site adds in constant time) keeps the order when
/// a lower window or another site comes in between.
#[test]
fn slots_added_in_any_order_are_found_in_window_then_id_order() {
    let engine = Engine::new(Config::default()).unwrap();
    let mut rng = 0x2545_F491_4F6C_DD1D_u64;
    let mut specs = Vec::new();
    for _ in 0..600 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        // Runs of one site and day, broken now and then, windows mostly rising.
        let spec = spec(
            (rng % 3) as u32 / 2,
            ((rng >> 8) % 5 / 4) as u16,
            ((rng >> 16) % 6) as u8,
            1,
        );
        let id = engine.add_slot(spec).unwrap();
        specs.push((spec, id));
    }
    // A long run at one site and day, windows rising then falling.
    for window in (0..40u8).chain((0..40u8).rev()) {
        let spec = spec(1, 1, window % 16, 1);
        specs.push((spec, engine.add_slot(spec).unwrap()));
    }
    let mut expected = specs.clone();
    expected.sort_by_key(|(spec, id)| (spec.site, spec.day, spec.window, *id));
    let expected: Vec<SlotId> = expected.into_iter().map(|(_, id)| id).collect();
    let sites = [SiteId::new(0), SiteId::new(1)];
    assert_eq!(found(&engine, SlotFilter::sites(&sites)), expected);
}
