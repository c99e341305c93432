//! `WallClock` (feature `clock`): Unix milliseconds that never go backwards, fed to the
//! engine by the caller.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fairbook::{CohortId, Config, Engine, PersonId, Timestamp, WallClock};

#[test]
fn readings_start_at_the_system_time_and_never_decrease() {
    let before = Timestamp::from_system_time(SystemTime::now());
    let clock = WallClock::new();
    let after = Timestamp::from_system_time(SystemTime::now());
    let first = clock.now();
    assert!(
        first >= before && first <= after.plus_millis(1_000),
        "{first} not in [{before}, {after}]"
    );
    let mut last = first;
    for _ in 0..10_000 {
        let now = clock.now();
        assert!(now >= last);
        last = now;
    }
    std::thread::sleep(Duration::from_millis(20));
    assert!(clock.now().millis_since(first) >= 20);
}

#[test]
fn system_times_outside_the_range_are_clamped() {
    let before_epoch = UNIX_EPOCH - Duration::from_secs(1);
    assert_eq!(Timestamp::from_system_time(before_epoch), Timestamp::ZERO);
    let far = UNIX_EPOCH + Duration::from_secs(u64::MAX / 2_000);
    assert_eq!(Timestamp::from_system_time(far), Timestamp::MAX);
    let clock = WallClock::starting_at(Timestamp::MAX);
    assert_eq!(clock.now(), Timestamp::MAX);
}

#[test]
fn the_engine_takes_the_clock_readings_as_any_other_time() {
    let clock = WallClock::new();
    let engine = Engine::new(Config::default()).unwrap();
    let place = engine
        .enqueue(PersonId::new(1), CohortId::new(0), clock.now())
        .unwrap();
    engine.advance(clock.now(), 1).unwrap();
    assert!(engine.stats().latest_time >= Timestamp::from_secs(1_600_000_000));
    assert_eq!(place.seq.as_u64(), 0);
}
