//! kill -9: a child process appends from two threads, rolls small segments, writes snapshots,
//! and reports every acknowledged (durable) record on its standard output; the parent kills it
//! with SIGKILL at a random moment, recovers, and checks that every acknowledged record is
//! there, with every record its thread appended before it. Then the next child goes on from
//! the recovered journal.
//!
//! A killed process leaves the page cache behind, so this tests the journal's files at
//! arbitrary instants (mid-batch, mid-roll, mid-snapshot), not lost writes: those are the
//! fault double's job (`faults.rs`). `FAIRBOOK_JOURNAL_KILLS` sets the number of kills (10 by
//! default).

use fairbook_journal::{Journal, JournalConfig, Lsn};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const CHILD_DIR: &str = "FAIRBOOK_JOURNAL_CRASH_CHILD";
const FINGERPRINT: [u8; 32] = [9; 32];
const RECORD_BYTES: usize = 12;

fn config() -> JournalConfig {
    JournalConfig {
        segment_bytes_max: 16 << 10,
        backlog_bytes_max: 64 << 10,
        record_bytes_max: 64,
        ..JournalConfig::default()
    }
}

/// A record: the writing process, its thread and the thread's count.
fn record(pid: u32, thread: u32, i: u32) -> [u8; RECORD_BYTES] {
    let mut out = [0; RECORD_BYTES];
    out[..4].copy_from_slice(&pid.to_le_bytes());
    out[4..8].copy_from_slice(&thread.to_le_bytes());
    out[8..].copy_from_slice(&i.to_le_bytes());
    out
}

fn parse(bytes: &[u8]) -> (u32, u32, u32) {
    let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    (word(0), word(4), word(8))
}

/// Every record the journal holds: the snapshot's (the records it covers, concatenated) and
/// the log's after it.
fn recover(dir: &Path) -> (Journal, Vec<[u8; RECORD_BYTES]>) {
    let (journal, recovery) = Journal::open(dir, config(), FINGERPRINT).unwrap();
    let mut records: Vec<[u8; RECORD_BYTES]> = recovery
        .snapshot()
        .map(|snapshot| {
            snapshot
                .bytes()
                .chunks_exact(RECORD_BYTES)
                .map(|chunk| chunk.try_into().unwrap())
                .collect()
        })
        .unwrap_or_default();
    records.extend(
        recovery
            .records()
            .map(|record| <[u8; RECORD_BYTES]>::try_from(record.payload).unwrap()),
    );
    (journal, records)
}

/// The child: appends until killed (or 20 s, should the parent be gone).
fn child(dir: &Path) {
    let (journal, records) = recover(dir);
    let pid = std::process::id();
    // The records in LSN order, appended under this lock so that a snapshot knows exactly
    // which records it covers.
    let state = Mutex::new((records, Lsn::ZERO));
    let stdout = Mutex::new(std::io::stdout());
    let began = Instant::now();
    std::thread::scope(|scope| {
        for thread in 0..2u32 {
            let (journal, state, stdout) = (&journal, &state, &stdout);
            scope.spawn(move || {
                for i in 0u32.. {
                    if began.elapsed() > Duration::from_secs(20) {
                        return;
                    }
                    let payload = record(pid, thread, i);
                    let lsn = {
                        let mut state = state.lock().unwrap();
                        let lsn = journal.append(&payload).unwrap();
                        state.0.push(payload);
                        state.1 = lsn;
                        lsn
                    };
                    if i % 16 == 15 {
                        journal.wait_durable(lsn).unwrap();
                        let mut out = stdout.lock().unwrap();
                        writeln!(out, "{pid} {thread} {i}").unwrap();
                        out.flush().unwrap();
                    }
                    if thread == 0 && i % 700 == 699 {
                        let (covers, bytes) = {
                            let state = state.lock().unwrap();
                            (state.1, state.0.concat())
                        };
                        journal.write_snapshot(covers, &bytes).unwrap();
                    }
                }
            });
        }
    });
}

/// A small seeded generator for the kill times.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn killed_at_random_moments_the_journal_loses_no_acknowledged_record() {
    if let Ok(dir) = std::env::var(CHILD_DIR) {
        child(Path::new(&dir));
        return;
    }
    let kills: u32 = std::env::var("FAIRBOOK_JOURNAL_KILLS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(10);
    let dir = tempfile::tempdir().unwrap();
    Journal::create(dir.path(), config(), FINGERPRINT)
        .unwrap()
        .close()
        .unwrap();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut acknowledged: Vec<(u32, u32, u32)> = Vec::new();
    for kill in 0..kills {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "killed_at_random_moments_the_journal_loses_no_acknowledged_record",
                "--nocapture",
                "--test-threads=1",
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
                .filter_map(|line| {
                    let fields: Vec<u32> = line
                        .split(' ')
                        .filter_map(|field| field.parse().ok())
                        .collect();
                    (fields.len() == 3).then(|| (fields[0], fields[1], fields[2]))
                })
                .collect::<Vec<_>>()
        });
        // 30 to 230 ms: past the child's start (about 10 ms), into its appends, rolls and
        // snapshots.
        std::thread::sleep(Duration::from_millis(30 + next(&mut seed) % 200));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let acks = reader.join().unwrap();
        assert!(
            !acks.is_empty() || kill > 0,
            "the first child acknowledged nothing in its time"
        );
        acknowledged.extend(acks);

        let (journal, records) = recover(dir.path());
        let recovered: HashSet<(u32, u32, u32)> =
            records.iter().map(|record| parse(record)).collect();
        assert_eq!(recovered.len(), records.len(), "no record twice");
        for ack in &acknowledged {
            assert!(
                recovered.contains(ack),
                "kill {kill}: acknowledged {ack:?} lost"
            );
        }
        // Each thread's records form a prefix of what it appended, in order.
        let mut counts: HashMap<(u32, u32), u32> = HashMap::new();
        for &(pid, thread, i) in records
            .iter()
            .map(|record| parse(record))
            .collect::<Vec<_>>()
            .iter()
        {
            let count = counts.entry((pid, thread)).or_default();
            assert_eq!(
                i, *count,
                "kill {kill}: process {pid} thread {thread} out of order"
            );
            *count += 1;
        }
        journal.close().unwrap();
    }
    assert!(
        acknowledged.len() > 100,
        "{} acknowledged",
        acknowledged.len()
    );
}
