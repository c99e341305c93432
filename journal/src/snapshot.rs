//! Writing a snapshot and removing what it makes unneeded: older snapshots beyond
//! [`JournalConfig::snapshots_kept`](crate::JournalConfig::snapshots_kept), and the segments
//! wholly before the oldest snapshot kept.
//!
//! A snapshot is written to `<name>.partial`, fdatasync'd, renamed to its name and the
//! directory fsync'd, so a snapshot file under its final name is always whole; `open` removes
//! leftover `.partial` files. A snapshot is written only once what it covers is durable, so it
//! never describes records the log could lose.

use crate::error::{DurableError, FileOp, IoFailure, SnapshotError};
use crate::format::{
    FORMAT_VERSION, HEADER_BYTES, Header, PARTIAL_SUFFIX, SNAPSHOT_MAGIC, segment_name,
    snapshot_name,
};
use crate::journal::Shared;
use crate::lsn::Lsn;
use crate::stats::Counters;

/// See [`Journal::write_snapshot`](crate::Journal::write_snapshot).
pub(crate) fn write(shared: &Shared, covers: Lsn, bytes: &[u8]) -> Result<(), SnapshotError> {
    let _one_at_a_time = shared.snapshot_lock.lock();
    let appended = Lsn::new(shared.ring.reserved());
    if covers > appended {
        return Err(SnapshotError::NotAppended { covers, appended });
    }
    let latest = shared.files.lock().snapshots.last().copied();
    if let Some(latest) = latest
        && covers.get() <= latest
    {
        return Err(SnapshotError::NotNewer {
            covers,
            latest: Lsn::new(latest),
        });
    }
    shared.wait_durable(covers).map_err(|error| match error {
        DurableError::Failed(failure) => SnapshotError::Failed(failure),
        _ => SnapshotError::NotAppended { covers, appended },
    })?;

    let storage = &*shared.storage;
    let dir = &shared.dir;
    let name = snapshot_name(covers.get());
    let path = dir.join(&name);
    let partial = dir.join(format!("{name}{PARTIAL_SUFFIX}"));
    let header = Header {
        magic: SNAPSHOT_MAGIC,
        version: FORMAT_VERSION,
        fingerprint: shared.fingerprint,
        position: covers.get(),
        body_checksum: crc32c::crc32c(bytes),
    };
    let written = (|| {
        let io = |op: FileOp, file: &std::path::Path| {
            let file = file.to_path_buf();
            move |error| IoFailure::new(op, file, error)
        };
        let mut file = storage
            .create_file(&partial)
            .map_err(io(FileOp::Create, &partial))?;
        file.write_at(0, &header.encode())
            .map_err(io(FileOp::Write, &partial))?;
        file.write_at(HEADER_BYTES as u64, bytes)
            .map_err(io(FileOp::Write, &partial))?;
        file.sync_data().map_err(io(FileOp::Sync, &partial))?;
        storage
            .rename(&partial, &path)
            .map_err(io(FileOp::Rename, &partial))?;
        storage.sync_dir(dir).map_err(io(FileOp::SyncDir, dir))
    })();
    if let Err(failure) = written {
        // Best effort: `open` removes a leftover partial file anyway.
        let _ = storage.remove_file(&partial);
        return Err(SnapshotError::Io(failure));
    }
    Counters::add(&shared.counters.snapshots_written, 1);

    let (old_snapshots, old_segments) = {
        let mut files = shared.files.lock();
        files.snapshots.push(covers.get());
        let excess = files
            .snapshots
            .len()
            .saturating_sub(shared.config.snapshots_kept);
        let old_snapshots: Vec<u64> = files.snapshots.drain(..excess).collect();
        let oldest_kept = files.snapshots[0];
        // Segment i lies wholly before the oldest kept snapshot when segment i + 1 starts at
        // or before it. The last segment (the one being appended to) is never removed.
        let removable = files
            .segments
            .partition_point(|&first| first <= oldest_kept)
            .saturating_sub(1);
        let old_segments: Vec<u64> = files.segments.drain(..removable).collect();
        (old_snapshots, old_segments)
    };
    // Oldest first, so that a crash midway leaves a log that still starts at a segment
    // boundary with no hole.
    let old_files = old_snapshots
        .iter()
        .map(|&covers| snapshot_name(covers))
        .chain(old_segments.iter().map(|&first| segment_name(first)));
    for name in old_files {
        let file = dir.join(name);
        storage
            .remove_file(&file)
            .map_err(|error| SnapshotError::Io(IoFailure::new(FileOp::Remove, file, error)))?;
    }
    Counters::add(&shared.counters.segments_removed, old_segments.len() as u64);
    if !old_snapshots.is_empty() || !old_segments.is_empty() {
        storage
            .sync_dir(dir)
            .map_err(|error| SnapshotError::Io(IoFailure::new(FileOp::SyncDir, dir, error)))?;
    }
    Ok(())
}
