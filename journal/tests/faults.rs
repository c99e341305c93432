//! Failing disks, through the file-boundary test double: no record is ever acknowledged that
//! is not durable, the journal stays failed, and a restart recovers every acknowledged record.

use fairbook_journal::{
    AppendError, DurableError, FaultyStorage, FileOp, Journal, JournalConfig, Lsn, SnapshotError,
};
use std::collections::HashSet;
use std::io::ErrorKind;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;

const FINGERPRINT: [u8; 32] = [3; 32];

fn config() -> JournalConfig {
    JournalConfig {
        segment_bytes_max: 16 << 10,
        backlog_bytes_max: 64 << 10,
        record_bytes_max: 256,
        ..JournalConfig::default()
    }
}

/// `threads` writers append unique records and keep the ones `wait_durable` acknowledged,
/// until the journal fails under them. Returns the acknowledged records.
fn run_until_failure(journal: &Arc<Journal>, threads: u32) -> HashSet<Vec<u8>> {
    let workers: Vec<_> = (0..threads)
        .map(|thread| {
            let journal = Arc::clone(journal);
            thread::spawn(move || {
                let mut acknowledged = Vec::new();
                for i in 0u32.. {
                    let record = [thread.to_le_bytes(), i.to_le_bytes()].concat();
                    let lsn = match journal.append(&record) {
                        Ok(lsn) => lsn,
                        Err(AppendError::Failed(_)) => break,
                        Err(other) => panic!("{other}"),
                    };
                    // Every few records, wait like a service acknowledging a batch.
                    if i % 8 == 7 {
                        match journal.wait_durable(lsn) {
                            Ok(()) => acknowledged.push(record),
                            Err(DurableError::Failed(_)) => {}
                            Err(other) => panic!("{other}"),
                        }
                    }
                }
                acknowledged
            })
        })
        .collect();
    let mut acknowledged = HashSet::new();
    for worker in workers {
        acknowledged.extend(worker.join().unwrap());
    }
    acknowledged
}

/// Every acknowledged record (and, because records before it in a thread were appended
/// first, every record before it in its thread) is recovered.
fn check_recovery(dir: &std::path::Path, acknowledged: &HashSet<Vec<u8>>) {
    let (_journal, recovery) = Journal::open(dir, config(), FINGERPRINT).unwrap();
    let recovered: HashSet<Vec<u8>> = recovery.records().map(|r| r.payload.to_vec()).collect();
    for record in acknowledged {
        assert!(recovered.contains(record), "acknowledged {record:?} lost");
        let thread = u32::from_le_bytes(record[..4].try_into().unwrap());
        let index = u32::from_le_bytes(record[4..].try_into().unwrap());
        for earlier in 0..index {
            let earlier = [thread.to_le_bytes(), earlier.to_le_bytes()].concat();
            assert!(
                recovered.contains(&earlier),
                "{earlier:?} before an acknowledged one lost"
            );
        }
    }
}

#[test]
fn a_failed_fdatasync_acknowledges_nothing_after_it_and_loses_nothing_before_it() {
    for successes in [0, 1, 3, 10, 40] {
        let dir = tempfile::tempdir().unwrap();
        let storage = Arc::new(FaultyStorage::new());
        let journal =
            Journal::create_with(storage.clone(), dir.path(), config(), FINGERPRINT).unwrap();
        // The double drops the unsynced bytes when the fdatasync fails, so an acknowledgement
        // of anything in that batch would show up below as a lost record.
        storage.fail_syncs_after(successes, ErrorKind::Other);
        let journal = Arc::new(journal);
        let acknowledged = run_until_failure(&journal, 3);
        // Each waiter either saw its record durable or saw the failure; some saw each.
        assert!(
            successes < 10 || !acknowledged.is_empty(),
            "nothing acknowledged"
        );
        let failure = journal.failure().expect("the journal failed");
        assert_eq!(failure.op, FileOp::Sync);
        // Failed for good: appends and waits keep refusing.
        assert!(matches!(journal.append(b"x"), Err(AppendError::Failed(_))));
        let appended = journal.appended();
        assert!(matches!(
            journal.wait_durable(appended),
            Err(DurableError::Failed(_))
        ));
        assert!(matches!(
            Arc::into_inner(journal).unwrap().close(),
            Err(DurableError::Failed(_))
        ));
        check_recovery(dir.path(), &acknowledged);
    }
}

#[test]
fn a_full_disk_mid_write_acknowledges_nothing_after_it() {
    for successes in [0, 2, 7, 30] {
        let dir = tempfile::tempdir().unwrap();
        let storage = Arc::new(FaultyStorage::new());
        let journal =
            Journal::create_with(storage.clone(), dir.path(), config(), FINGERPRINT).unwrap();
        storage.fail_writes_after(successes, ErrorKind::StorageFull);
        let journal = Arc::new(journal);
        let acknowledged = run_until_failure(&journal, 2);
        let failure = journal.failure().unwrap();
        assert_eq!(failure.kind(), ErrorKind::StorageFull);
        assert_eq!(failure.op, FileOp::Write);
        drop(journal);
        // Half a batch reached the file: the torn tail is cut, the acknowledged are kept.
        check_recovery(dir.path(), &acknowledged);
    }
}

struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn the_future_is_woken_with_the_error_when_the_journal_fails() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(FaultyStorage::new());
    let journal = Journal::create_with(storage.clone(), dir.path(), config(), FINGERPRINT).unwrap();
    storage.fail_syncs_after(0, ErrorKind::Other);
    let lsn = journal.append(b"never durable").unwrap();
    let flag = Arc::new(Flag(AtomicBool::new(false)));
    let waker = Waker::from(Arc::clone(&flag));
    let mut future = std::pin::pin!(journal.durable(lsn));
    let mut context = Context::from_waker(&waker);
    let result = loop {
        match future.as_mut().poll(&mut context) {
            Poll::Ready(result) => break result,
            Poll::Pending => {
                // Polled again only once woken, as an executor does.
                while !flag.0.swap(false, Ordering::SeqCst) {
                    thread::yield_now();
                }
            }
        }
    };
    assert!(matches!(result, Err(DurableError::Failed(_))));
}

#[test]
fn a_failed_snapshot_write_leaves_the_journal_working() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(FaultyStorage::new());
    let journal = Journal::create_with(storage.clone(), dir.path(), config(), FINGERPRINT).unwrap();
    let lsn = journal.append(b"before the snapshot").unwrap();
    journal.wait_durable(lsn).unwrap();
    // Let the flusher write its commit marker, so that the armed fault hits the snapshot.
    while journal.durable_lsn() < journal.appended() || journal.stats().markers_written == 0 {
        thread::sleep(std::time::Duration::from_millis(1));
    }
    storage.fail_writes_after(0, ErrorKind::StorageFull);
    match journal.write_snapshot(lsn, &[1; 1000]) {
        Err(SnapshotError::Io(failure)) => assert_eq!(failure.op, FileOp::Write),
        other => panic!("expected a snapshot I/O error, got {other:?}"),
    }
    storage.heal();
    assert!(journal.failure().is_none());
    let after = journal.append(b"after the snapshot").unwrap();
    journal.wait_durable(after).unwrap();
    journal.write_snapshot(after, b"state").unwrap();
    journal.close().unwrap();
    let (_journal, recovery) = Journal::open(dir.path(), config(), FINGERPRINT).unwrap();
    assert_eq!(recovery.snapshot().unwrap().bytes(), b"state");
    assert!(!std::fs::read_dir(dir.path()).unwrap().any(|entry| {
        entry
            .unwrap()
            .path()
            .to_string_lossy()
            .ends_with(".partial")
    }));
}

#[test]
fn bad_input_gets_typed_errors_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::create(dir.path(), config(), FINGERPRINT).unwrap();
    assert!(matches!(
        journal.append(&[0; 257]),
        Err(AppendError::TooLarge {
            given: 257,
            max: 256
        })
    ));
    assert_eq!(journal.appended(), Lsn::ZERO);
    assert!(matches!(
        journal.write_snapshot(Lsn::new(8), b"state"),
        Err(SnapshotError::NotAppended { .. })
    ));
    assert!(matches!(
        journal.wait_durable(Lsn::new(8)),
        Err(DurableError::NotAppended { .. })
    ));
    assert_eq!(journal.stats().snapshots_written, 0);
    assert!(journal.failure().is_none());
}
