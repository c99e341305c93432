//! Recovery: what `open` gives back after a clean close, a torn tail, flipped bytes, lost
//! snapshots and removed segments.

use fairbook_journal::{Damage, Journal, JournalConfig, Lsn, OpenError, SnapshotProblem};
use proptest::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};

const FINGERPRINT: [u8; 32] = [0xAB; 32];

fn small_segments() -> JournalConfig {
    JournalConfig {
        segment_bytes_max: 4 << 10,
        backlog_bytes_max: 64 << 10,
        record_bytes_max: 512,
        ..JournalConfig::default()
    }
}

fn payload(i: usize) -> Vec<u8> {
    // Lengths 1 to 40, so that padding and frame lengths vary.
    let len = 1 + (i * 7) % 40;
    (0..len).map(|j| (i * 31 + j) as u8).collect()
}

/// Opens `dir` and returns every recovered payload.
fn recovered(dir: &Path, config: &JournalConfig) -> Result<Vec<Vec<u8>>, OpenError> {
    let (_journal, recovery) = Journal::open(dir, config.clone(), FINGERPRINT)?;
    Ok(recovery
        .records()
        .map(|record| record.payload.to_vec())
        .collect())
}

fn segments(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "segment"))
        .collect();
    files.sort();
    files
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// The file offset of the frame that ends at `lsn`, in the segment starting at `first`.
fn frame_offset(first: u64, lsn: Lsn, payload_len: usize) -> u64 {
    let frame = (16 + payload_len).div_ceil(8) * 8;
    64 + lsn.get() - frame as u64 - first
}

fn segment_first(path: &Path) -> u64 {
    path.file_stem().unwrap().to_str().unwrap().parse().unwrap()
}

#[test]
fn records_from_a_clean_close_come_back_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let config = small_segments();
    let journal = Journal::create(dir.path(), config.clone(), FINGERPRINT).unwrap();
    let mut lsns = Vec::new();
    for i in 0..500 {
        lsns.push(journal.append(&payload(i)).unwrap());
    }
    journal.close().unwrap();
    assert!(segments(dir.path()).len() > 3, "4 KiB segments roll");

    let (journal, recovery) = Journal::open(dir.path(), config.clone(), FINGERPRINT).unwrap();
    let records: Vec<_> = recovery.records().collect();
    assert_eq!(records.len(), 500);
    assert_eq!(recovery.record_count(), 500);
    for (i, record) in records.iter().enumerate() {
        assert_eq!(record.payload, payload(i));
        assert_eq!(record.lsn, lsns[i]);
    }
    assert!(recovery.torn_tail().is_none());
    // Appending goes on after the last frame, and the next open sees both.
    let next = journal.append(b"after reopening").unwrap();
    assert!(next > lsns[499]);
    journal.close().unwrap();
    let all = recovered(dir.path(), &config).unwrap();
    assert_eq!(all.len(), 501);
    assert_eq!(all[500], b"after reopening");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// The property: cut the last segment at every byte offset of its last record, and
    /// recovery returns exactly the records before it.
    #[test]
    fn a_cut_anywhere_in_the_last_record_recovers_exactly_the_records_before_it(
        lens in proptest::collection::vec(0usize..60, 1..40),
        wait_every in 1usize..10,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let config = small_segments();
        let journal = Journal::create(dir.path(), config.clone(), FINGERPRINT).unwrap();
        let payloads: Vec<Vec<u8>> = lens.iter().enumerate()
            .map(|(i, &len)| vec![i as u8 ^ 0x5A; len]).collect();
        let mut lsns = Vec::new();
        for (i, payload) in payloads.iter().enumerate() {
            lsns.push(journal.append(payload).unwrap());
            if i % wait_every == 0 {
                // Several batches, so that commit markers sit between records.
                journal.wait_durable(lsns[i]).unwrap();
            }
        }
        journal.close().unwrap();

        let last = segments(dir.path()).pop().unwrap();
        let first = segment_first(&last);
        let last_lsn = *lsns.last().unwrap();
        let last_len = payloads.last().unwrap().len();
        let start = frame_offset(first, last_lsn, last_len);
        let frame = (16 + last_len).div_ceil(8) as u64 * 8;
        // A segment that starts with the last record: cutting it to the header is covered too.
        for cut in start..start + frame {
            let copy = tempfile::tempdir().unwrap();
            copy_dir(dir.path(), copy.path());
            let file = copy.path().join(last.file_name().unwrap());
            fs::OpenOptions::new().write(true).open(&file).unwrap().set_len(cut).unwrap();
            let (journal, recovery) = Journal::open(copy.path(), config.clone(), FINGERPRINT)
                .unwrap_or_else(|error| panic!("cut at {cut}: {error}"));
            let got: Vec<Vec<u8>> = recovery.records().map(|r| r.payload.to_vec()).collect();
            prop_assert_eq!(&got[..], &payloads[..payloads.len() - 1], "cut at {}", cut);
            prop_assert_eq!(recovery.torn_tail().is_some(), cut > start, "cut at {}", cut);
            prop_assert_eq!(fs::metadata(&file).unwrap().len(), start, "the tail is cut off");
            // The journal appends where the record was.
            prop_assert_eq!(journal.appended().get(), last_lsn.get() - frame);
        }
    }
}

#[test]
fn a_flipped_byte_in_any_durable_record_is_corruption_at_its_offset() {
    let dir = tempfile::tempdir().unwrap();
    let config = small_segments();
    let journal = Journal::create(dir.path(), config.clone(), FINGERPRINT).unwrap();
    let mut frames = Vec::new(); // (lsn, payload length)
    for i in 0..120 {
        let payload = payload(i);
        let lsn = journal.append(&payload).unwrap();
        if i % 17 == 0 {
            journal.wait_durable(lsn).unwrap();
        }
        frames.push((lsn, payload.len()));
    }
    journal.close().unwrap();
    let files = segments(dir.path());

    // Every record, including the last (the close's commit marker vouches for it), at a byte
    // that moves through the frame: checksum, length, kind, LSN, payload.
    for (i, &(lsn, len)) in frames.iter().enumerate() {
        let segment = files
            .iter()
            .rev()
            .find(|path| segment_first(path) < lsn.get())
            .unwrap();
        let offset = frame_offset(segment_first(segment), lsn, len);
        let frame = (16 + len).div_ceil(8) * 8;
        let copy = tempfile::tempdir().unwrap();
        copy_dir(dir.path(), copy.path());
        let file = copy.path().join(segment.file_name().unwrap());
        let mut bytes = fs::read(&file).unwrap();
        let at = offset as usize + (i * 5) % frame;
        bytes[at] ^= 0x10;
        fs::write(&file, &bytes).unwrap();
        match recovered(copy.path(), &config) {
            Err(OpenError::Corrupt {
                file: named,
                offset: found,
                ..
            }) => {
                assert_eq!(named, file, "record {i}");
                assert_eq!(found, offset, "record {i}");
            }
            other => panic!("record {i}, byte {at}: expected corruption, got {other:?}"),
        }
        // Nothing was cut: the damage is still there for a person to look at.
        assert_eq!(fs::read(&file).unwrap(), bytes);
    }
}

/// The frames of the first segment's body, as (offset, kind byte, first 8 payload bytes).
fn frames(bytes: &[u8]) -> Vec<(usize, u8, u64)> {
    let mut frames = Vec::new();
    let mut at = 64;
    while at + 24 <= bytes.len() {
        let len = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], 0]) as usize;
        let payload = u64::from_le_bytes(bytes[at + 16..at + 24].try_into().unwrap());
        frames.push((at, bytes[at + 7], payload));
        at += 16 + len.div_ceil(8) * 8;
    }
    frames
}

#[test]
fn a_hole_in_the_last_unsynced_batch_is_a_torn_tail_not_corruption() {
    // The flusher decides how the last ten appends are batched: usually all in one round, but
    // on a busy machine it may sync and vouch for some of them first. Redo the run until at
    // least two records lie past every marker's vouched position (the hole needs a later
    // record).
    for _attempt in 0..50 {
        let dir = tempfile::tempdir().unwrap();
        let config = JournalConfig::default();
        let journal = Journal::create(dir.path(), config.clone(), FINGERPRINT).unwrap();
        let mut lsns = Vec::new();
        for i in 0..10 {
            lsns.push(journal.append(&[i; 32]).unwrap());
        }
        journal.wait_durable(lsns[9]).unwrap(); // batch A, vouched for by the next marker
        for i in 10..20 {
            lsns.push(journal.append(&[i; 32]).unwrap());
        }
        journal.close().unwrap();

        // A crash before the last batch was synced: its closing marker never made it, and a
        // page in its middle was never written (zeros), while a later page was.
        let file = segments(dir.path()).pop().unwrap();
        let mut bytes = fs::read(&file).unwrap();
        let final_marker = bytes.len() - 24;
        bytes.truncate(final_marker);
        let frames = frames(&bytes);
        // Stream positions start at 0 in the first segment: offset = 64 + position.
        let vouched = frames
            .iter()
            .filter(|&&(_, kind, _)| kind == 2)
            .map(|&(_, _, durable)| 64 + durable as usize)
            .max()
            .unwrap();
        let unvouched: Vec<_> = frames
            .iter()
            .filter(|&&(offset, kind, _)| kind == 1 && offset >= vouched)
            .collect();
        if unvouched.len() < 2 {
            continue;
        }
        let (offset, _, _) = *unvouched[0];
        let first_lost = bytes[offset + 16];
        assert!(first_lost >= 10, "batch A was vouched for");
        bytes[offset..offset + 48].fill(0);
        fs::write(&file, &bytes).unwrap();

        let (_journal, recovery) = Journal::open(dir.path(), config, FINGERPRINT).unwrap();
        let got: Vec<u8> = recovery.records().map(|record| record.payload[0]).collect();
        assert_eq!(got, (0..first_lost).collect::<Vec<u8>>());
        let torn = recovery.torn_tail().unwrap();
        assert_eq!(torn.offset, offset as u64);
        assert_eq!(torn.damage, Damage::UnknownKind);
        return;
    }
    panic!("in 50 runs the flusher never left two records unvouched for");
}

#[test]
fn a_snapshot_replaces_the_log_before_it_and_old_segments_go() {
    let dir = tempfile::tempdir().unwrap();
    let config = small_segments();
    let journal = Journal::create(dir.path(), config.clone(), FINGERPRINT).unwrap();
    let mut last = Lsn::ZERO;
    for i in 0..300 {
        last = journal.append(&payload(i)).unwrap();
    }
    journal.write_snapshot(last, b"state after 300").unwrap();
    let first_kept = last.get();
    for i in 300..600 {
        last = journal.append(&payload(i)).unwrap();
    }
    journal.write_snapshot(last, b"state after 600").unwrap();
    for i in 600..650 {
        journal.append(&payload(i)).unwrap();
    }
    let stats = journal.stats();
    journal.close().unwrap();
    // With two snapshots kept, the segments wholly before the first one are gone.
    assert!(stats.segments_removed > 0, "{stats:?}");
    // The oldest segment left is the one holding the oldest kept snapshot's position.
    let left = segments(dir.path());
    assert!(segment_first(&left[0]) > 0, "the first segment is gone");
    assert!(segment_first(&left[0]) <= first_kept && first_kept < segment_first(&left[1]));

    let (_journal, recovery) = Journal::open(dir.path(), config, FINGERPRINT).unwrap();
    let snapshot = recovery.snapshot().unwrap();
    assert_eq!(snapshot.bytes(), b"state after 600");
    assert_eq!(snapshot.covers(), last);
    let got: Vec<Vec<u8>> = recovery.records().map(|r| r.payload.to_vec()).collect();
    assert_eq!(got, (600..650).map(payload).collect::<Vec<_>>());
}

#[test]
fn a_damaged_latest_snapshot_falls_back_to_the_one_before_and_its_log() {
    let dir = tempfile::tempdir().unwrap();
    let config = small_segments();
    let journal = Journal::create(dir.path(), config.clone(), FINGERPRINT).unwrap();
    let mut first_snapshot = Lsn::ZERO;
    let mut last = Lsn::ZERO;
    for i in 0..400 {
        last = journal.append(&payload(i)).unwrap();
        if i == 199 {
            first_snapshot = last;
            journal.write_snapshot(last, b"after 200").unwrap();
        }
    }
    journal.write_snapshot(last, b"after 400").unwrap();
    journal.close().unwrap();

    let latest = dir.path().join(format!("{:020}.snapshot", last.get()));
    let mut bytes = fs::read(&latest).unwrap();
    let end = bytes.len() - 1;
    bytes[end] ^= 1;
    fs::write(&latest, bytes).unwrap();

    let (_journal, recovery) = Journal::open(dir.path(), config, FINGERPRINT).unwrap();
    let snapshot = recovery.snapshot().unwrap();
    assert_eq!(snapshot.bytes(), b"after 200");
    assert_eq!(snapshot.covers(), first_snapshot);
    let got: Vec<Vec<u8>> = recovery.records().map(|r| r.payload.to_vec()).collect();
    assert_eq!(got, (200..400).map(payload).collect::<Vec<_>>());
    let rejected = recovery.snapshots_rejected();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].file, latest);
    assert_eq!(
        rejected[0].problem,
        SnapshotProblem::Damaged(Damage::ChecksumMismatch)
    );
}

#[test]
fn a_damaged_only_snapshot_with_the_log_removed_is_an_error_not_a_silent_loss() {
    let dir = tempfile::tempdir().unwrap();
    let config = JournalConfig {
        snapshots_kept: 1,
        ..small_segments()
    };
    let journal = Journal::create(dir.path(), config.clone(), FINGERPRINT).unwrap();
    let mut last = Lsn::ZERO;
    for i in 0..400 {
        last = journal.append(&payload(i)).unwrap();
    }
    journal.write_snapshot(last, b"after 400").unwrap();
    assert!(journal.stats().segments_removed > 0);
    journal.close().unwrap();
    let snapshot = dir.path().join(format!("{:020}.snapshot", last.get()));
    let mut bytes = fs::read(&snapshot).unwrap();
    bytes[70] ^= 1;
    fs::write(&snapshot, bytes).unwrap();

    match Journal::open(dir.path(), config, FINGERPRINT) {
        Err(OpenError::LogMissing {
            needed_from,
            earliest,
            snapshots_rejected,
        }) => {
            assert_eq!(needed_from, Lsn::ZERO);
            assert!(earliest > Lsn::ZERO);
            assert_eq!(snapshots_rejected.len(), 1);
        }
        other => panic!("expected LogMissing, got {other:?}"),
    }
}

#[test]
fn another_engines_journal_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    Journal::create(dir.path(), JournalConfig::default(), FINGERPRINT)
        .unwrap()
        .close()
        .unwrap();
    match Journal::open(dir.path(), JournalConfig::default(), [0; 32]) {
        Err(OpenError::FingerprintMismatch {
            expected, found, ..
        }) => {
            assert_eq!(expected, [0; 32]);
            assert_eq!(found, FINGERPRINT);
        }
        other => panic!("expected a fingerprint mismatch, got {other:?}"),
    }
    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(
        Journal::open(empty.path(), JournalConfig::default(), FINGERPRINT),
        Err(OpenError::NoJournal { .. })
    ));
}

#[test]
fn a_second_journal_on_the_same_directory_is_refused_until_the_first_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let config = JournalConfig::default();
    let first = Journal::create(dir.path(), config.clone(), FINGERPRINT).unwrap();
    assert!(matches!(
        Journal::open(dir.path(), config.clone(), FINGERPRINT),
        Err(OpenError::Locked { .. })
    ));
    assert!(matches!(
        Journal::create(dir.path(), config.clone(), FINGERPRINT),
        Err(fairbook_journal::CreateError::Locked { .. })
    ));
    first.append(b"one writer").unwrap();
    drop(first);
    assert_eq!(recovered(dir.path(), &config).unwrap(), [b"one writer"]);
}

#[test]
fn a_segment_created_at_a_crash_with_a_torn_header_is_started_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let config = small_segments();
    let journal = Journal::create(dir.path(), config.clone(), FINGERPRINT).unwrap();
    for i in 0..100 {
        journal.append(&payload(i)).unwrap();
    }
    let end = journal.close().unwrap();
    // The crash came right after the next segment's name was made durable.
    let next = dir.path().join(format!("{:020}.segment", end.get()));
    fs::write(&next, [0u8; 30]).unwrap();
    let (journal, recovery) = Journal::open(dir.path(), config.clone(), FINGERPRINT).unwrap();
    assert_eq!(recovery.record_count(), 100);
    assert_eq!(recovery.torn_tail().unwrap().offset, 0);
    journal.append(b"in the rewritten segment").unwrap();
    journal.close().unwrap();
    let all = recovered(dir.path(), &config).unwrap();
    assert_eq!(all.len(), 101);
}

#[test]
fn a_snapshot_at_any_position_stands_for_the_records_at_or_below_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = JournalConfig::default();
    let journal = Journal::create(dir.path(), config.clone(), FINGERPRINT).unwrap();
    let lsns: Vec<Lsn> = (0..10).map(|i| journal.append(&[i; 32]).unwrap()).collect();
    // Not a record's end: inside the fifth record.
    let inside = Lsn::new(lsns[4].get() - 5);
    journal.write_snapshot(inside, b"the first four").unwrap();
    journal.close().unwrap();
    let (_journal, recovery) = Journal::open(dir.path(), config, FINGERPRINT).unwrap();
    assert_eq!(recovery.snapshot().unwrap().covers(), inside);
    let replayed: Vec<u8> = recovery.records().map(|record| record.payload[0]).collect();
    assert_eq!(replayed, (4..10).collect::<Vec<u8>>());
}

#[test]
fn a_log_that_ends_before_its_snapshot_is_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let config = JournalConfig::default();
    let journal = Journal::create(dir.path(), config.clone(), FINGERPRINT).unwrap();
    let lsns: Vec<Lsn> = (0..10).map(|i| journal.append(&[i; 32]).unwrap()).collect();
    journal.write_snapshot(lsns[9], b"all ten").unwrap();
    journal.close().unwrap();
    // The end of the log disappears, records the snapshot vouches for included.
    let segment = segments(dir.path()).pop().unwrap();
    fs::OpenOptions::new()
        .write(true)
        .open(&segment)
        .unwrap()
        .set_len(64 + 48 * 5)
        .unwrap();
    match Journal::open(dir.path(), config, FINGERPRINT) {
        Err(OpenError::Corrupt { file, damage, .. }) => {
            assert_eq!(file, segment);
            assert_eq!(damage, Damage::Truncated);
        }
        other => panic!("expected corruption, got {other:?}"),
    }
}
