//! Fuzz target: rebuilding an engine from arbitrary bytes never panics. The input is split
//! into a snapshot and a stream of encoded records (each prefixed by its length); whatever
//! they hold, `Engine::from_snapshot`, `Record::decode` and `Engine::recover` answer with a
//! value or a typed error, and an engine they do build passes its audit.

#![no_main]

use fairbook::{CohortWindow, Config, Engine, Record, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let config = Config {
        people_max: 64,
        slots_max: 8,
        bookings_per_person_max: 2,
        // Small enough to reach every site, region, scope and draw the records can name.
        sites_max: 4,
        days_max: 2,
        regions_max: 2,
        standby_max: 4,
        cohorts: vec![
            CohortWindow::ALWAYS,
            CohortWindow::opening_at(Timestamp::from_secs(10)).with_draw(),
        ],
        ..Config::default()
    };
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let (snapshot, mut stream) = rest.split_at(usize::from(split).min(rest.len()));
    if let Ok(engine) = Engine::from_snapshot(config.clone(), None, snapshot) {
        assert!(engine.audit().is_ok(), "{}", engine.audit());
    }
    let mut records = Vec::new();
    while let Some((&len, tail)) = stream.split_first() {
        let (bytes, tail) = tail.split_at(usize::from(len).min(tail.len()));
        stream = tail;
        if let Ok(record) = Record::decode(bytes) {
            let mut encoded = [0; Record::ENCODED_MAX];
            let encoded_len = record.encode(&mut encoded);
            assert_eq!(&encoded[..encoded_len], bytes, "decode then encode changed the bytes");
            records.push(record);
        }
    }
    let snapshot = (!snapshot.is_empty()).then_some(snapshot);
    if let Ok(engine) = Engine::recover(config, None, snapshot, records) {
        assert!(engine.audit().is_ok(), "{}", engine.audit());
    }
});
