//! The journaled engine, end to end: random operation sequences from the testing kit's
//! vocabulary journaled to disk and recovered (also with the last segment cut at every byte of
//! its last record), snapshots written while traffic continues, and a disk that fails.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use fairbook::{CohortId, Config, Engine, PersonId, Record, RecordSink, SlotSpec, Timestamp};
use fairbook_journal::{
    DurableEngine, FaultyStorage, Journal, JournalConfig, JournalSink, config_fingerprint,
};
use fairbook_testing::proptest::prelude::*;
use fairbook_testing::proptest::test_runner::Config as RunnerConfig;
use fairbook_testing::{Harness, RecordLog, scenario_strategy};

/// Hands every record to two sinks: the journal, and a log the test keeps.
struct Tee(JournalSink, Arc<RecordLog>);

impl RecordSink for Tee {
    fn record(&self, record: &Record) {
        self.0.record(record);
        self.1.record(record);
    }
}

fn small_journal() -> JournalConfig {
    JournalConfig {
        segment_bytes_max: 4 << 10,
        // Engine records are at most `Record::ENCODED_MAX` bytes.
        record_bytes_max: 128,
        ..JournalConfig::default()
    }
}

/// The frames of a segment file, as the crate documents them: `(offset, length, kind)`.
fn frames(bytes: &[u8]) -> Vec<(usize, usize, u8)> {
    let mut out = Vec::new();
    let mut offset = 64;
    while offset + 16 <= bytes.len() {
        let len = u32::from_le_bytes([bytes[offset + 4], bytes[offset + 5], bytes[offset + 6], 0]);
        let kind = bytes[offset + 7];
        if kind == 0 {
            break;
        }
        let frame = 16 + (len as usize).next_multiple_of(8);
        out.push((offset, frame, kind));
        offset += frame;
    }
    out
}

fn last_segment(dir: &Path) -> PathBuf {
    let mut segments: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "segment"))
        .collect();
    segments.sort();
    segments.pop().unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|name| name != "LOCK") {
            fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(RunnerConfig { cases: 48, ..RunnerConfig::default() })]

    /// Ops run on a journaled engine (checked against the model and the audit after each, as
    /// `tests/model.rs` does); the journal then rebuilds it byte for byte. Cut anywhere inside
    /// its last record, the last segment rebuilds the engine as it was before that record.
    #[test]
    fn journaled_ops_recover_exactly((universe, ops) in scenario_strategy(1..80)) {
        let dir = tempfile::tempdir().unwrap();
        let config = universe.config();
        let journal = Arc::new(
            Journal::create(dir.path(), small_journal(), config_fingerprint(&config)).unwrap(),
        );
        let log = Arc::new(RecordLog::default());
        let sink = Arc::new(Tee(JournalSink::new(journal.clone()), log.clone()));
        let mut harness = Harness::new(&universe);
        harness.engine = Engine::with_sink(config.clone(), sink).unwrap();
        universe.populate(&harness.engine);
        if let Err(failure) = harness.run(&ops) {
            prop_assert!(false, "{}", failure);
        }
        journal.wait_durable(journal.appended()).unwrap();
        let live = harness.engine.snapshot();
        drop(harness);
        drop(journal);

        let records = log.records();
        let cuts = tempfile::tempdir().unwrap();
        let segment = last_segment(dir.path());
        let bytes = fs::read(&segment).unwrap();
        let last_record = frames(&bytes).into_iter().rev().find(|&(_, _, kind)| kind == 1);
        let (recovered, _) = DurableEngine::open(dir.path(), config.clone(), small_journal()).unwrap();
        prop_assert!(recovered.engine().snapshot() == live, "the journal rebuilds another state");
        drop(recovered);

        if let Some((offset, len, _)) = last_record {
            let before = Engine::recover(config.clone(), None, None, records[..records.len() - 1].iter().copied())
                .unwrap()
                .snapshot();
            for cut in offset..offset + len {
                let copy = cuts.path().join(format!("cut-{cut}"));
                copy_dir(dir.path(), &copy);
                let file = fs::OpenOptions::new()
                    .write(true)
                    .open(copy.join(segment.file_name().unwrap()))
                    .unwrap();
                file.set_len(cut as u64).unwrap();
                let (recovered, report) = DurableEngine::open(&copy, config.clone(), small_journal())
                    .unwrap_or_else(|error| panic!("cut at {cut}: {error}"));
                prop_assert!(report.torn_bytes > 0 || cut == offset, "cut at {}", cut);
                prop_assert!(
                    recovered.engine().snapshot() == before,
                    "cut at {}: not the state before the last record", cut
                );
            }
        }
    }
}

/// Two threads join and book while a third writes snapshots over and over: no one pauses,
/// older segments go, and the journal (a snapshot plus the records after it) rebuilds the
/// engine byte for byte.
#[test]
fn snapshots_while_traffic_continues_rebuild_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        people_max: 20_000,
        slots_max: 64,
        ..Config::default()
    };
    let durable = DurableEngine::create(dir.path(), config.clone(), small_journal()).unwrap();
    let slots: Vec<_> = (0..64)
        .map(|index| {
            durable
                .engine()
                .add_slot(SlotSpec::with_capacity(index % 5))
                .unwrap()
        })
        .collect();
    let now = Timestamp::from_secs(10);
    let done = AtomicBool::new(false);
    let snapshots = std::thread::scope(|scope| {
        for thread in 0..2u64 {
            let (durable, slots) = (&durable, &slots);
            scope.spawn(move || {
                for index in 0..4_000u64 {
                    let person = PersonId::new(thread * 1_000_000 + index);
                    durable
                        .engine()
                        .enqueue(person, CohortId::new(0), now)
                        .unwrap();
                    if index % 10 == 9 {
                        durable.engine().advance(now, 10).unwrap();
                    }
                    let choice = [
                        slots[(index % 64) as usize],
                        slots[((index * 7) % 64) as usize],
                    ];
                    let _ = durable.engine().reserve(person, &choice, now);
                }
            });
        }
        let snapshotter = scope.spawn(|| {
            let mut written = 0;
            while !done.load(Ordering::Relaxed) || written == 0 {
                durable.wait_durable().unwrap();
                durable.snapshot().unwrap();
                written += 1;
            }
            written
        });
        // The workers are done once the scope's other threads are; stop the snapshotter then.
        std::thread::sleep(std::time::Duration::from_millis(1));
        while durable.engine().stats().places_handed_out < 8_000 {
            std::thread::yield_now();
        }
        done.store(true, Ordering::Relaxed);
        snapshotter.join().unwrap()
    });
    assert!(snapshots > 0);
    durable.wait_durable().unwrap();
    assert!(durable.engine().audit().is_ok());
    // On a fast machine the workers can finish before the snapshotter's second turn. Two
    // more snapshots, each after one more join (the journal keeps two), make every segment
    // before the older one removable, whatever the timing.
    for late in 0..2 {
        durable
            .engine()
            .enqueue(PersonId::new(9_000_000 + late), CohortId::new(0), now)
            .unwrap();
        durable.wait_durable().unwrap();
        durable.snapshot().unwrap();
    }
    let live = durable.engine().snapshot();
    drop(durable);
    let (recovered, report) = DurableEngine::open(dir.path(), config, small_journal()).unwrap();
    assert!(report.snapshot_covers.is_some(), "{report:?}");
    assert!(
        recovered.engine().snapshot() == live,
        "the journal rebuilds another state"
    );
    let segments = fs::read_dir(dir.path())
        .unwrap()
        .filter(|entry| {
            entry
                .as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|ext| ext == "segment")
        })
        .count();
    assert!(
        segments < 20,
        "{segments} segments kept after {snapshots} snapshots"
    );
}

/// A disk whose fdatasyncs start failing: the engine keeps answering (reads and calls), no
/// wait for durability succeeds from then on, and what was acknowledged before is all there
/// after a restart on a sound disk.
#[test]
fn a_failing_disk_acknowledges_nothing_more_and_the_engine_stays_usable() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::default();
    let storage = Arc::new(FaultyStorage::new());
    let durable =
        DurableEngine::create_with(storage.clone(), dir.path(), config.clone(), small_journal())
            .unwrap();
    let engine = durable.engine();
    let slot = engine.add_slot(SlotSpec::with_capacity(100)).unwrap();
    let now = Timestamp::from_secs(1);
    let mut acknowledged = Vec::new();
    for id in 0..20 {
        engine
            .enqueue(PersonId::new(id), CohortId::new(0), now)
            .unwrap();
        durable.wait_durable().unwrap();
        acknowledged.push(PersonId::new(id));
    }
    storage.fail_syncs_after(0, std::io::ErrorKind::StorageFull);
    let mut refused = 0;
    for id in 20..40 {
        engine
            .enqueue(PersonId::new(id), CohortId::new(0), now)
            .unwrap();
        if durable.wait_durable().is_err() {
            refused += 1;
        } else {
            acknowledged.push(PersonId::new(id));
        }
    }
    assert!(refused > 0, "a failed fdatasync acknowledged everything");
    // Once failed, never durable again, whatever the engine does; and the engine answers.
    engine.advance(now, 5).unwrap();
    engine.reserve(PersonId::new(0), &[slot], now).unwrap();
    assert!(durable.wait_durable().is_err());
    assert!(durable.journal().failure().is_some());
    assert!(engine.audit().is_ok());
    drop(durable);

    let (recovered, _) = DurableEngine::open(dir.path(), config, small_journal()).unwrap();
    for person in acknowledged {
        let status = recovered.engine().status(person, now).unwrap();
        assert!(
            !matches!(status, fairbook::Status::Unknown),
            "{person} was acknowledged but is lost"
        );
    }
    assert!(recovered.engine().audit().is_ok());
}

/// Sites and regions, supply, scopes, standby with an offer, a closed slot and a draw, on a
/// journaled engine with a snapshot part way: after a restart the journal rebuilds it byte for
/// byte, the audit holds, and the restarted engine goes on as the live one would.
#[test]
fn inventory_scopes_standby_and_the_draw_survive_a_restart() {
    use fairbook::{CohortWindow, DrawSecret, RegionId, Scope, SiteId, Status};

    let dir = tempfile::tempdir().unwrap();
    let opening = Timestamp::from_secs(10);
    let config = Config {
        people_max: 64,
        slots_max: 8,
        sites_max: 4,
        days_max: 2,
        regions_max: 2,
        lease_ms: 1_000,
        cohorts: vec![
            CohortWindow::ALWAYS,
            CohortWindow::opening_at(opening).with_draw(),
        ],
        ..Config::default()
    };
    let at = Timestamp::from_secs;
    let person = PersonId::new;
    let (seoul, busan) = (RegionId::new(0), RegionId::new(1));
    let durable = DurableEngine::create(dir.path(), config.clone(), small_journal()).unwrap();
    let engine = durable.engine();
    engine.add_site(SiteId::new(1), busan).unwrap();
    let seoul_slot = engine.add_slot(SlotSpec::with_capacity(1)).unwrap();
    let busan_slot = engine
        .add_slot(SlotSpec {
            site: SiteId::new(1),
            ..SlotSpec::with_capacity(0)
        })
        .unwrap();
    engine.set_capacity(busan_slot, 2).unwrap();
    for id in 1..=3 {
        engine
            .enqueue_in(person(id), CohortId::new(0), Scope::Region(seoul), at(1))
            .unwrap();
    }
    engine.advance(at(1), 3).unwrap();
    engine.reserve(person(1), &[seoul_slot], at(1)).unwrap();
    engine.standby(person(2), at(1)).unwrap();
    engine.standby(person(3), at(1)).unwrap();
    engine
        .enter_draw(person(20), CohortId::new(1), at(2))
        .unwrap();
    engine
        .enter_draw(person(21), CohortId::new(1), at(2))
        .unwrap();
    durable.wait_durable().unwrap();
    durable.snapshot().unwrap();

    engine.release(person(1), at(3)).unwrap();
    assert_eq!(engine.advance(at(3), 0).unwrap().offered, 1);
    assert!(matches!(
        engine.status(person(2), at(3)),
        Ok(Status::Offered { .. })
    ));
    engine.close_slot(busan_slot).unwrap();
    engine
        .draw(CohortId::new(1), &DrawSecret::from_bytes([3; 32]), opening)
        .unwrap();
    durable.wait_durable().unwrap();
    assert!(engine.audit().is_ok(), "{}", engine.audit());
    let live = engine.snapshot();
    drop(durable);

    let (recovered, report) = DurableEngine::open(dir.path(), config, small_journal()).unwrap();
    assert!(report.snapshot_covers.is_some(), "{report:?}");
    assert!(report.records > 0, "{report:?}");
    let engine = recovered.engine();
    assert!(
        engine.snapshot() == live,
        "the journal rebuilds another state"
    );
    assert!(engine.audit().is_ok(), "{}", engine.audit());
    // The offer made before the restart is still held (until 4 s).
    assert!(matches!(
        engine.status(person(2), at(3)),
        Ok(Status::Offered { .. })
    ));
    assert!(engine.slot(busan_slot).unwrap().closed);
    assert_eq!(engine.region_of(SiteId::new(1)), Some(busan));
    engine.reserve(person(2), &[seoul_slot], at(3)).unwrap();
    assert!(engine.audit().is_ok(), "{}", engine.audit());
}

/// A join claims its place a moment before it records the join, so the log may hold a later
/// place's join and not yet an earlier one's when the snapshotter reads it back. The snapshot
/// keeps that earlier place open, and the join recorded after the snapshot still applies at
/// the next restart (a snapshot that sealed it would make the journal unrecoverable).
#[test]
fn a_join_recorded_after_a_snapshot_of_a_later_place_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::default();
    let durable = DurableEngine::create(dir.path(), config.clone(), small_journal()).unwrap();
    let append = |record: Record| {
        let mut bytes = [0u8; Record::ENCODED_MAX];
        let len = record.encode(&mut bytes);
        let lsn = durable.journal().append(&bytes[..len]).unwrap();
        durable.journal().wait_durable(lsn).unwrap();
    };
    // Place 1's join reaches the log first; place 0's is still on its way.
    let (early, late) = (PersonId::new(10), PersonId::new(11));
    append(Record::Joined {
        person: late,
        seq: fairbook::Seq::new(1),
    });
    durable.snapshot().unwrap();
    append(Record::Joined {
        person: early,
        seq: fairbook::Seq::new(0),
    });
    drop(durable);

    let (reopened, recovered) =
        DurableEngine::open(dir.path(), config, small_journal()).expect("the journal recovers");
    assert!(recovered.snapshot_covers.is_some());
    assert_eq!(recovered.records, 1);
    for (person, seq) in [(early, 0), (late, 1)] {
        match reopened.engine().status(person, Timestamp::ZERO).unwrap() {
            fairbook::Status::Waiting { seq: at, .. } => assert_eq!(at.as_u64(), seq),
            other => panic!("{person}: {other:?}"),
        }
    }
}
