//! Fuzz target: recovery of a journal directory laid out from arbitrary bytes never panics,
//! and what it recovers is usable. The files live in memory (a `Storage` of this target), so
//! an execution costs no disk.
//!
//! The input describes the directory's files: raw bytes under any journal name, or segments
//! and snapshots built to the documented format (right checksums, so the search gets past them)
//! with frames, commit markers, a cut and a flipped byte chosen by the input. When `open`
//! succeeds, the records must come in increasing LSN order, and a record appended then must be
//! found, after the others, by the next `open`.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use fairbook_journal::{Journal, JournalConfig, Storage, StorageFile};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const FINGERPRINT: [u8; 32] = [0x42; 32];

/// An in-memory directory.
#[derive(Debug, Default)]
struct MemStorage {
    files: Arc<Mutex<BTreeMap<PathBuf, Vec<u8>>>>,
}

#[derive(Debug)]
struct MemFile {
    files: Arc<Mutex<BTreeMap<PathBuf, Vec<u8>>>>,
    path: PathBuf,
}

fn not_found() -> io::Error {
    io::Error::from(io::ErrorKind::NotFound)
}

impl Storage for MemStorage {
    fn create_dir_all(&self, _dir: &Path) -> io::Result<()> {
        Ok(())
    }

    fn list_dir(&self, dir: &Path) -> io::Result<Vec<OsString>> {
        let files = self.files.lock().unwrap();
        Ok(files
            .keys()
            .filter(|path| path.parent() == Some(dir))
            .filter_map(|path| path.file_name().map(OsString::from))
            .collect())
    }

    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.files
            .lock()
            .unwrap()
            .get(path)
            .cloned()
            .ok_or_else(not_found)
    }

    fn create_file(&self, path: &Path) -> io::Result<Box<dyn StorageFile>> {
        let mut files = self.files.lock().unwrap();
        if files.contains_key(path) {
            return Err(io::Error::from(io::ErrorKind::AlreadyExists));
        }
        files.insert(path.to_path_buf(), Vec::new());
        Ok(Box::new(MemFile {
            files: Arc::clone(&self.files),
            path: path.to_path_buf(),
        }))
    }

    fn open_file(&self, path: &Path) -> io::Result<Box<dyn StorageFile>> {
        if !self.files.lock().unwrap().contains_key(path) {
            return Err(not_found());
        }
        Ok(Box::new(MemFile {
            files: Arc::clone(&self.files),
            path: path.to_path_buf(),
        }))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let mut files = self.files.lock().unwrap();
        let bytes = files.remove(from).ok_or_else(not_found)?;
        files.insert(to.to_path_buf(), bytes);
        Ok(())
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        self.files
            .lock()
            .unwrap()
            .remove(path)
            .map(drop)
            .ok_or_else(not_found)
    }

    fn sync_dir(&self, _dir: &Path) -> io::Result<()> {
        Ok(())
    }
}

impl StorageFile for MemFile {
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
        let mut files = self.files.lock().unwrap();
        let file = files.get_mut(&self.path).ok_or_else(not_found)?;
        let end = offset as usize + bytes.len();
        if file.len() < end {
            file.resize(end, 0);
        }
        file[offset as usize..end].copy_from_slice(bytes);
        Ok(())
    }

    fn sync_data(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        let mut files = self.files.lock().unwrap();
        files
            .get_mut(&self.path)
            .ok_or_else(not_found)?
            .resize(len as usize, 0);
        Ok(())
    }
}

/// A file header, as the crate guide lays it out.
fn header(
    magic: &[u8; 8],
    version: u16,
    fingerprint: [u8; 32],
    position: u64,
    body_crc: u32,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(magic);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&64u16.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&fingerprint);
    out.extend_from_slice(&position.to_le_bytes());
    out.extend_from_slice(&body_crc.to_le_bytes());
    let crc = crc32c::crc32c(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// A frame, as the crate guide lays it out.
fn frame(out: &mut Vec<u8>, kind: u8, lsn: u64, payload: &[u8]) {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes()[..3]);
    out.push(kind);
    out.extend_from_slice(&lsn.to_le_bytes());
    out.extend_from_slice(payload);
    while (out.len() - start) % 8 != 0 {
        out.push(0);
    }
    let crc = crc32c::crc32c(&out[start + 4..]);
    out[start..start + 4].copy_from_slice(&crc.to_le_bytes());
}

#[derive(Arbitrary, Debug)]
enum FrameSpec {
    Record(Vec<u8>),
    /// A commit marker vouching for the position this many bytes back (saturating).
    Marker(u16),
}

#[derive(Arbitrary, Debug)]
enum Content {
    Raw(Vec<u8>),
    Segment {
        frames: Vec<FrameSpec>,
        right_fingerprint: bool,
        version_bump: bool,
        cut: Option<u16>,
        flip: Option<(u16, u8)>,
    },
    Snapshot {
        body: Vec<u8>,
        right_checksum: bool,
    },
}

#[derive(Arbitrary, Debug)]
enum Kind {
    Segment,
    Snapshot,
    Partial,
    Other,
}

#[derive(Arbitrary, Debug)]
struct FileSpec {
    kind: Kind,
    /// The position in the name, in units of 8 bytes.
    position_words: u16,
    content: Content,
}

fn build(spec: &FileSpec) -> (String, Vec<u8>) {
    let position = u64::from(spec.position_words) * 8;
    let name = match spec.kind {
        Kind::Segment => format!("{position:020}.segment"),
        Kind::Snapshot => format!("{position:020}.snapshot"),
        Kind::Partial => format!("{position:020}.snapshot.partial"),
        Kind::Other => format!("{position}.txt"),
    };
    let bytes = match &spec.content {
        Content::Raw(bytes) => bytes.clone(),
        Content::Segment {
            frames,
            right_fingerprint,
            version_bump,
            cut,
            flip,
        } => {
            let fingerprint = if *right_fingerprint {
                FINGERPRINT
            } else {
                [0; 32]
            };
            let version = if *version_bump { 2 } else { 1 };
            let mut out = header(b"FBJ-SEG\0", version, fingerprint, position, 0);
            for spec in frames {
                let at = position + (out.len() - 64) as u64;
                match spec {
                    FrameSpec::Record(payload) => {
                        let len = 16 + payload.len().div_ceil(8) * 8;
                        frame(&mut out, 1, at + len as u64, payload);
                    }
                    FrameSpec::Marker(back) => {
                        let durable = at.saturating_sub(u64::from(*back));
                        frame(&mut out, 2, at + 24, &durable.to_le_bytes());
                    }
                }
            }
            if let Some((offset, mask)) = flip {
                let len = out.len();
                out[usize::from(*offset) % len] ^= mask;
            }
            if let Some(cut) = cut {
                out.truncate(usize::from(*cut).min(out.len()));
            }
            out
        }
        Content::Snapshot {
            body,
            right_checksum,
        } => {
            let crc = crc32c::crc32c(body) ^ u32::from(!right_checksum);
            let mut out = header(b"FBJ-SNP\0", 1, FINGERPRINT, position, crc);
            out.extend_from_slice(body);
            out
        }
    };
    (name, bytes)
}

fn config() -> JournalConfig {
    JournalConfig {
        segment_bytes_max: 4 << 10,
        backlog_bytes_max: 4 << 10,
        record_bytes_max: 256,
        ..JournalConfig::default()
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Unstructured::new(data);
    let Ok(specs) = <Vec<FileSpec> as Arbitrary>::arbitrary(&mut input) else {
        return;
    };
    let dir = Path::new("journal");
    let storage = MemStorage::default();
    for spec in specs.iter().take(8) {
        let (name, bytes) = build(spec);
        storage.files.lock().unwrap().insert(dir.join(name), bytes);
    }
    let files = Arc::clone(&storage.files);
    let storage = Arc::new(storage);
    let Ok((journal, recovery)) = Journal::open_with(storage.clone(), dir, config(), FINGERPRINT)
    else {
        return;
    };
    let records: Vec<(u64, Vec<u8>)> = recovery
        .records()
        .map(|r| (r.lsn.get(), r.payload.to_vec()))
        .collect();
    assert_eq!(records.len(), recovery.record_count());
    assert!(
        records.windows(2).all(|pair| pair[0].0 < pair[1].0),
        "LSNs increase"
    );
    if let Some((last, _)) = records.last() {
        assert!(*last <= recovery.end().get());
    }
    let covers = recovery.snapshot().map(|snapshot| snapshot.covers());

    // What was recovered is a journal one can go on with.
    let lsn = journal
        .append(b"after recovery")
        .expect("append after open");
    journal.close().expect("close after open");
    let again = Journal::open_with(Arc::new(MemStorage { files }), dir, config(), FINGERPRINT);
    let (_journal, recovery) = again.unwrap_or_else(|error| panic!("reopen: {error}"));
    assert_eq!(
        recovery.snapshot().map(|snapshot| snapshot.covers()),
        covers
    );
    let after: Vec<(u64, Vec<u8>)> = recovery
        .records()
        .map(|r| (r.lsn.get(), r.payload.to_vec()))
        .collect();
    assert_eq!(
        &after[..records.len()],
        &records[..],
        "the same records again"
    );
    assert_eq!(
        after[records.len()..],
        [(lsn.get(), b"after recovery".to_vec())]
    );
});
