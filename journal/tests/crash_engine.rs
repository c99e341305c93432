//! kill -9 on a journaled engine: a child process runs a surge (two threads joining and
//! booking, the door admitting, snapshots written now and then) and reports every
//! acknowledged place and booking on its standard output, each only after waiting for its
//! durability; the parent kills it with SIGKILL at a random moment, recovers the engine from
//! the journal, and checks that every acknowledged place and booking is there, that no slot is
//! over capacity, that nobody holds two places and that admission kept join order (the
//! audit). Then the next child goes on from the recovered journal.
//!
//! `FAIRBOOK_CRASH_KILLS` sets the number of kills (10 by default; the full run is 100).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fairbook::{CohortId, Config, PersonId, Seq, SlotId, SlotSpec, Status, Timestamp};
use fairbook_journal::{DurableEngine, JournalConfig};

const CHILD_DIR: &str = "FAIRBOOK_ENGINE_CRASH_CHILD";
const SLOTS: u32 = 200;

fn config() -> Config {
    Config {
        people_max: 1_000_000,
        slots_max: SLOTS,
        lease_ms: 24 * 3_600_000,
        ..Config::default()
    }
}

fn journal_config() -> JournalConfig {
    JournalConfig {
        segment_bytes_max: 64 << 10,
        record_bytes_max: 128,
        ..JournalConfig::default()
    }
}

/// The child: opens (or creates) the journaled engine in `dir` and runs until killed.
fn child(dir: &Path) {
    let durable = match DurableEngine::open(dir, config(), journal_config()) {
        Ok((durable, _)) => durable,
        Err(_) => {
            let durable = DurableEngine::create(dir, config(), journal_config()).unwrap();
            for index in 0..SLOTS {
                durable
                    .engine()
                    .add_slot(SlotSpec::with_capacity(index % 4 + 1))
                    .unwrap();
            }
            durable.wait_durable().unwrap();
            durable
        }
    };
    // People of this run: ids no earlier run used.
    let base = u64::from(std::process::id()) << 32;
    let now = Timestamp::from_secs(1);
    let out = std::sync::Mutex::new(std::io::stdout());
    std::thread::scope(|scope| {
        for thread in 0..2u64 {
            let (durable, out) = (&durable, &out);
            scope.spawn(move || {
                let engine = durable.engine();
                for batch in 0u64.. {
                    let mut places = Vec::new();
                    for index in 0..16 {
                        let person = PersonId::new(base + thread * 1_000_000 + batch * 16 + index);
                        if let Ok(place) = engine.enqueue(person, CohortId::new(0), now) {
                            places.push((person, place.seq));
                        }
                    }
                    engine.advance(now, 16).unwrap();
                    let mut bookings = Vec::new();
                    for &(person, seq) in &places {
                        let first = SlotId::new(((person.as_u64() * 7) % u64::from(SLOTS)) as u32);
                        let second =
                            SlotId::new(((person.as_u64() * 13) % u64::from(SLOTS)) as u32);
                        if let Ok(booking) =
                            engine.reserve_with_ticket(person, seq, &[first, second], now)
                        {
                            bookings.push((person, booking.slot));
                        }
                    }
                    durable.wait_durable().unwrap();
                    let mut out = out.lock().unwrap();
                    for (person, seq) in places {
                        writeln!(out, "place {} {}", person.as_u64(), seq.as_u64()).unwrap();
                    }
                    for (person, slot) in bookings {
                        writeln!(out, "booking {} {}", person.as_u64(), slot.as_u32()).unwrap();
                    }
                    out.flush().unwrap();
                    if thread == 0 && batch % 50 == 49 {
                        durable.snapshot().unwrap();
                    }
                }
            });
        }
    });
}

#[test]
fn every_acknowledged_place_and_booking_survives_kill_9() {
    if let Some(dir) = std::env::var_os(CHILD_DIR) {
        child(Path::new(&dir));
        return;
    }
    let kills: u64 = std::env::var("FAIRBOOK_CRASH_KILLS")
        .ok()
        .and_then(|kills| kills.parse().ok())
        .unwrap_or(10);
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut places: HashMap<u64, u64> = HashMap::new();
    let mut bookings: HashMap<u64, u32> = HashMap::new();
    let mut seed = 0x5EED_u64;
    for kill in 0..kills {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let run_for = Duration::from_millis(30 + (seed >> 33) % 300);
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "every_acknowledged_place_and_booking_survives_kill_9",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(CHILD_DIR, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<String>>()
        });
        let started = Instant::now();
        while started.elapsed() < run_for {
            std::thread::sleep(Duration::from_millis(5));
        }
        // SIGKILL: no destructor, no flush.
        child.kill().unwrap();
        child.wait().unwrap();
        for line in reader.join().unwrap() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields.as_slice() {
                ["place", person, seq] => {
                    places.insert(person.parse().unwrap(), seq.parse().unwrap());
                }
                ["booking", person, slot] => {
                    bookings.insert(person.parse().unwrap(), slot.parse().unwrap());
                }
                // A line the kill cut short was never acknowledged in full.
                _ => {}
            }
        }

        let (recovered, report) = DurableEngine::open(dir.path(), config(), journal_config())
            .unwrap_or_else(|error| panic!("kill {kill}: {error}"));
        let engine = recovered.engine();
        let audit = engine.audit();
        assert!(audit.is_ok(), "kill {kill}: {audit}");
        let now = Timestamp::from_secs(1);
        for (&person, &seq) in &places {
            let status = engine.status(PersonId::new(person), now).unwrap();
            let held = match status {
                Status::Waiting { seq, .. }
                | Status::Admitted { seq, .. }
                | Status::Booked { seq, .. }
                | Status::SoldOut { seq, .. } => seq,
                other => panic!("kill {kill}: person {person} acknowledged at {seq} is {other}"),
            };
            assert_eq!(held, Seq::new(seq), "kill {kill}: person {person} moved");
        }
        for (&person, &slot) in &bookings {
            match engine.status(PersonId::new(person), now).unwrap() {
                Status::Booked { slots, .. } => {
                    assert_eq!(
                        slots.as_slice(),
                        [SlotId::new(slot)],
                        "kill {kill}: {person}"
                    );
                }
                other => panic!("kill {kill}: person {person} booked slot {slot} but is {other}"),
            }
        }
        eprintln!(
            "kill {kill} after {run_for:?}: {} places and {} bookings acknowledged so far, all \
             recovered ({} records replayed, {} torn bytes cut)",
            places.len(),
            bookings.len(),
            report.records,
            report.torn_bytes
        );
    }
    assert!(
        !places.is_empty() && !bookings.is_empty(),
        "the children acknowledged nothing"
    );
}
