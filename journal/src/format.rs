//! The on-disk format, as pure functions over bytes: file headers, record frames, file names.
//! Nothing here does I/O; the crate guide (`lib.rs`) describes the same layout for readers of
//! the files.
//!
//! Every integer is little-endian. A file is a 64-byte header and then a body. A segment's body
//! is a run of frames, each starting at a multiple of 8 bytes; a frame's stream position and its
//! file offset are tied (`offset = 64 + position - first_position`), so a reader can jump to any
//! position without scanning.

use std::path::Path;

/// Bytes of every file header.
pub(crate) const HEADER_BYTES: usize = 64;

/// The format version this crate writes and reads.
pub(crate) const FORMAT_VERSION: u16 = 1;

/// The magic of a segment file: "FBJ-SEG" and a NUL.
pub(crate) const SEGMENT_MAGIC: [u8; 8] = *b"FBJ-SEG\0";

/// The magic of a snapshot file: "FBJ-SNP" and a NUL.
pub(crate) const SNAPSHOT_MAGIC: [u8; 8] = *b"FBJ-SNP\0";

/// Bytes of a frame header: checksum (4), payload length (3), kind (1), LSN (8).
pub(crate) const FRAME_HEADER_BYTES: usize = 16;

/// Frames start and end on multiples of 8 bytes, so that the in-memory ring can hold them as
/// whole words and publish each with one 8-byte store.
pub(crate) const FRAME_ALIGN: usize = 8;

/// The largest payload the 3-byte length field can carry: 16 MiB − 1.
pub(crate) const PAYLOAD_BYTES_FORMAT_MAX: usize = (1 << 24) - 1;

/// Bytes of a commit marker's payload: the durable stream position it vouches for.
pub(crate) const MARKER_PAYLOAD_BYTES: usize = 8;

/// Bytes of a whole commit-marker frame.
pub(crate) const MARKER_FRAME_BYTES: usize = FRAME_HEADER_BYTES + MARKER_PAYLOAD_BYTES;

/// The kind byte of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FrameKind {
    /// A caller's record.
    Record = 1,
    /// A commit marker written by the flusher: "every byte of the stream before position D was
    /// fdatasync'd before this marker was written". Recovery uses it to tell corruption (damage
    /// before a vouched-for position) from a torn tail (damage after every such position).
    Marker = 2,
}

impl FrameKind {
    fn from_byte(byte: u8) -> Option<FrameKind> {
        match byte {
            1 => Some(FrameKind::Record),
            2 => Some(FrameKind::Marker),
            _ => None,
        }
    }
}

/// The whole frame's length for a payload: header plus payload, rounded up to 8 bytes.
pub(crate) const fn frame_bytes(payload_bytes: usize) -> usize {
    (FRAME_HEADER_BYTES + payload_bytes).div_ceil(FRAME_ALIGN) * FRAME_ALIGN
}

/// The first word of a frame (bytes 0..8) as a little-endian `u64`: checksum in the low 32
/// bits, payload length in the next 24, kind in the top 8. Never zero, since the kind is not.
pub(crate) const fn frame_word0(checksum: u32, payload_bytes: usize, kind: FrameKind) -> u64 {
    checksum as u64 | ((payload_bytes as u64) << 32) | ((kind as u64) << 56)
}

/// The checksum of a frame: CRC32C of its bytes 4.. to its end (length, kind, LSN, payload and
/// the zero padding), so that every byte but the checksum itself is covered.
pub(crate) fn frame_checksum(
    payload_bytes: usize,
    kind: FrameKind,
    lsn: u64,
    payload: &[u8],
) -> u32 {
    let mut head = [0u8; 12];
    head[..3].copy_from_slice(&(payload_bytes as u32).to_le_bytes()[..3]);
    head[3] = kind as u8;
    head[4..].copy_from_slice(&lsn.to_le_bytes());
    let crc = crc32c::crc32c_append(crc32c::crc32c(&head), payload);
    let padding = frame_bytes(payload_bytes) - FRAME_HEADER_BYTES - payload_bytes;
    crc32c::crc32c_append(crc, &[0u8; FRAME_ALIGN][..padding])
}

/// Encodes one frame into `out` (appending), byte for byte as the ring lays it out: the tests'
/// way to build files by hand.
#[cfg(test)]
pub(crate) fn encode_frame(out: &mut Vec<u8>, kind: FrameKind, lsn: u64, payload: &[u8]) {
    let checksum = frame_checksum(payload.len(), kind, lsn, payload);
    out.extend_from_slice(&frame_word0(checksum, payload.len(), kind).to_le_bytes());
    out.extend_from_slice(&lsn.to_le_bytes());
    out.extend_from_slice(payload);
    let padding = frame_bytes(payload.len()) - FRAME_HEADER_BYTES - payload.len();
    out.extend_from_slice(&[0u8; FRAME_ALIGN][..padding]);
}

/// One frame read back from a file and found sound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Frame<'a> {
    /// Record or marker.
    pub kind: FrameKind,
    /// The stream position just past the frame: the record's LSN.
    pub lsn: u64,
    /// The payload (without padding).
    pub payload: &'a [u8],
    /// The whole frame's length in the file.
    pub bytes: usize,
}

/// What is wrong with the bytes at an offset: part of
/// [`OpenError::Corrupt`](crate::OpenError::Corrupt) and of a [`TornTail`](crate::TornTail).
///
/// # Example
/// ```
/// use fairbook_journal::{Damage, Journal, JournalConfig, OpenError};
///
/// let dir = tempfile::tempdir()?;
/// let journal = Journal::create(dir.path(), JournalConfig::default(), [0; 32])?;
/// journal.append(b"first")?;
/// journal.append(b"second")?;
/// journal.close()?; // the closing commit marker vouches for both
/// let segment = dir.path().join("00000000000000000000.segment");
/// let mut bytes = std::fs::read(&segment)?;
/// bytes[64 + 16] ^= 0xFF; // the first record's payload, at offset 80
/// std::fs::write(&segment, &bytes)?;
///
/// match Journal::open(dir.path(), JournalConfig::default(), [0; 32]) {
///     Err(OpenError::Corrupt { offset, damage, .. }) => {
///         assert_eq!(offset, 64); // the frame's start
///         assert_eq!(damage, Damage::ChecksumMismatch);
///     }
///     other => panic!("expected corruption, got {other:?}"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Damage {
    /// The file ends inside a header or frame.
    Truncated,
    /// The magic is not the one of this kind of file.
    WrongMagic,
    /// The header's length field is not 64.
    WrongHeaderLength,
    /// A header or frame's checksum does not match its bytes.
    ChecksumMismatch,
    /// A frame's kind byte is neither a record (1) nor a marker (2).
    UnknownKind,
    /// A frame's length is impossible (over the format's maximum, or a marker not 8 bytes long).
    BadLength,
    /// A frame's LSN is not the stream position its offset implies: a frame from elsewhere.
    LsnMismatch,
    /// A segment starts at another stream position than where the previous one ends: a segment
    /// is missing or a stray file was put in the directory.
    Gap,
    /// A commit marker vouches for a position beyond itself, which no writer does.
    MarkerAhead,
}

impl core::fmt::Display for Damage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Damage::Truncated => "the file ends inside a header or frame",
            Damage::WrongMagic => "wrong magic",
            Damage::WrongHeaderLength => "header length is not 64",
            Damage::ChecksumMismatch => "checksum mismatch",
            Damage::UnknownKind => "unknown frame kind",
            Damage::BadLength => "impossible frame length",
            Damage::LsnMismatch => "frame LSN does not match its offset",
            Damage::Gap => "segment does not start where the previous one ends",
            Damage::MarkerAhead => "commit marker vouches for a position past itself",
        })
    }
}

/// Decodes the frame at `offset` of a segment body whose first frame sits at stream position
/// `first_position` (and file offset 64). Checks everything a single frame can show: the
/// length fits, the kind is known, the LSN matches the offset, the checksum matches.
///
/// # Errors
/// The [`Damage`] found.
pub(crate) fn decode_frame(
    file: &[u8],
    offset: usize,
    first_position: u64,
) -> Result<Frame<'_>, Damage> {
    let rest = file.get(offset..).unwrap_or(&[]);
    if rest.len() < FRAME_HEADER_BYTES {
        return Err(Damage::Truncated);
    }
    let word0 = u64::from_le_bytes(rest[..8].try_into().expect("8 bytes"));
    let lsn = u64::from_le_bytes(rest[8..16].try_into().expect("8 bytes"));
    let checksum = word0 as u32;
    let payload_bytes = ((word0 >> 32) & 0xFF_FFFF) as usize;
    let Some(kind) = FrameKind::from_byte((word0 >> 56) as u8) else {
        return Err(Damage::UnknownKind);
    };
    if kind == FrameKind::Marker && payload_bytes != MARKER_PAYLOAD_BYTES {
        return Err(Damage::BadLength);
    }
    let bytes = frame_bytes(payload_bytes);
    if rest.len() < bytes {
        return Err(Damage::Truncated);
    }
    let position = first_position.wrapping_add((offset - HEADER_BYTES) as u64);
    if lsn != position.wrapping_add(bytes as u64) {
        return Err(Damage::LsnMismatch);
    }
    let covered = &rest[4..bytes];
    if crc32c::crc32c(covered) != checksum {
        return Err(Damage::ChecksumMismatch);
    }
    Ok(Frame {
        kind,
        lsn,
        payload: &rest[FRAME_HEADER_BYTES..FRAME_HEADER_BYTES + payload_bytes],
        bytes,
    })
}

/// The durable position a marker's payload vouches for.
pub(crate) fn marker_durable(payload: &[u8]) -> u64 {
    u64::from_le_bytes(payload[..8].try_into().expect("marker payload is 8 bytes"))
}

/// A file header's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    /// [`SEGMENT_MAGIC`] or [`SNAPSHOT_MAGIC`].
    pub magic: [u8; 8],
    /// The format version.
    pub version: u16,
    /// The engine configuration's fingerprint.
    pub fingerprint: [u8; 32],
    /// A segment's first stream position, or the last position a snapshot covers.
    pub position: u64,
    /// A snapshot's body checksum (CRC32C); 0 in a segment.
    pub body_checksum: u32,
}

impl Header {
    /// The 64 bytes of this header, its own checksum last.
    pub(crate) fn encode(&self) -> [u8; HEADER_BYTES] {
        let mut out = [0u8; HEADER_BYTES];
        out[0..8].copy_from_slice(&self.magic);
        out[8..10].copy_from_slice(&self.version.to_le_bytes());
        out[10..12].copy_from_slice(&(HEADER_BYTES as u16).to_le_bytes());
        // 12..16: reserved, zero.
        out[16..48].copy_from_slice(&self.fingerprint);
        out[48..56].copy_from_slice(&self.position.to_le_bytes());
        out[56..60].copy_from_slice(&self.body_checksum.to_le_bytes());
        let checksum = crc32c::crc32c(&out[..60]);
        out[60..64].copy_from_slice(&checksum.to_le_bytes());
        out
    }

    /// Reads a header, checking its length, magic and checksum (not the version or the
    /// fingerprint, which the caller compares to give a precise error).
    ///
    /// # Errors
    /// The [`Damage`] found, at offset 0.
    pub(crate) fn decode(file: &[u8], magic: [u8; 8]) -> Result<Header, Damage> {
        let Some(bytes) = file.get(..HEADER_BYTES) else {
            return Err(Damage::Truncated);
        };
        let checksum = u32::from_le_bytes(bytes[60..64].try_into().expect("4 bytes"));
        if crc32c::crc32c(&bytes[..60]) != checksum {
            return Err(Damage::ChecksumMismatch);
        }
        if bytes[0..8] != magic {
            return Err(Damage::WrongMagic);
        }
        if u16::from_le_bytes([bytes[10], bytes[11]]) as usize != HEADER_BYTES {
            return Err(Damage::WrongHeaderLength);
        }
        Ok(Header {
            magic,
            version: u16::from_le_bytes([bytes[8], bytes[9]]),
            fingerprint: bytes[16..48].try_into().expect("32 bytes"),
            position: u64::from_le_bytes(bytes[48..56].try_into().expect("8 bytes")),
            body_checksum: u32::from_le_bytes(bytes[56..60].try_into().expect("4 bytes")),
        })
    }
}

/// The suffix of a segment file's name.
pub(crate) const SEGMENT_SUFFIX: &str = ".segment";
/// The suffix of a snapshot file's name.
pub(crate) const SNAPSHOT_SUFFIX: &str = ".snapshot";
/// The suffix of a snapshot being written (renamed once durable; removed at open).
pub(crate) const PARTIAL_SUFFIX: &str = ".partial";

/// A segment's file name: its first stream position, 20 decimal digits, so that names sort in
/// stream order.
pub(crate) fn segment_name(first_position: u64) -> String {
    format!("{first_position:020}{SEGMENT_SUFFIX}")
}

/// A snapshot's file name: the last stream position it covers, 20 decimal digits.
pub(crate) fn snapshot_name(covers: u64) -> String {
    format!("{covers:020}{SNAPSHOT_SUFFIX}")
}

/// What a file in a journal directory is, from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileName {
    /// A segment starting at this position.
    Segment(u64),
    /// A snapshot covering up to this position.
    Snapshot(u64),
    /// A snapshot that was being written.
    Partial,
}

/// Parses a journal file name; `None` for any other file (left alone).
pub(crate) fn parse_file_name(name: &Path) -> Option<FileName> {
    let name = name.to_str()?;
    if name.ends_with(PARTIAL_SUFFIX) {
        return Some(FileName::Partial);
    }
    let number = |digits: &str| -> Option<u64> {
        (digits.len() == 20 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse().ok())
            .flatten()
    };
    if let Some(digits) = name.strip_suffix(SEGMENT_SUFFIX) {
        return number(digits).map(FileName::Segment);
    }
    if let Some(digits) = name.strip_suffix(SNAPSHOT_SUFFIX) {
        return number(digits).map(FileName::Snapshot);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_any_flipped_bit_is_caught() {
        let mut file = vec![0u8; HEADER_BYTES];
        encode_frame(&mut file, FrameKind::Record, 40, b"hello, journal!!!!!!!!"); // 22 bytes
        assert_eq!(file.len(), HEADER_BYTES + 40);
        let frame = decode_frame(&file, HEADER_BYTES, 0).unwrap();
        assert_eq!(frame.payload, b"hello, journal!!!!!!!!");
        assert_eq!(
            (frame.lsn, frame.bytes, frame.kind),
            (40, 40, FrameKind::Record)
        );
        for bit in 0..40 * 8 {
            let mut bad = file.clone();
            bad[HEADER_BYTES + bit / 8] ^= 1 << (bit % 8);
            assert!(decode_frame(&bad, HEADER_BYTES, 0).is_err(), "bit {bit}");
        }
    }

    #[test]
    fn a_frame_at_the_wrong_offset_is_an_lsn_mismatch() {
        let mut file = vec![0u8; HEADER_BYTES];
        encode_frame(&mut file, FrameKind::Record, 24, b"abcd");
        assert_eq!(
            decode_frame(&file, HEADER_BYTES, 8),
            Err(Damage::LsnMismatch)
        );
    }

    #[test]
    fn headers_round_trip() {
        let header = Header {
            magic: SNAPSHOT_MAGIC,
            version: FORMAT_VERSION,
            fingerprint: [7; 32],
            position: 1234,
            body_checksum: 99,
        };
        let bytes = header.encode();
        assert_eq!(Header::decode(&bytes, SNAPSHOT_MAGIC), Ok(header));
        assert_eq!(
            Header::decode(&bytes, SEGMENT_MAGIC),
            Err(Damage::WrongMagic)
        );
        assert_eq!(
            Header::decode(&bytes[..63], SNAPSHOT_MAGIC),
            Err(Damage::Truncated)
        );
    }

    #[test]
    fn file_names_sort_in_stream_order_and_parse_back() {
        assert_eq!(segment_name(42), "00000000000000000042.segment");
        assert!(segment_name(9) < segment_name(10));
        assert_eq!(
            parse_file_name(Path::new(&segment_name(42))),
            Some(FileName::Segment(42))
        );
        assert_eq!(
            parse_file_name(Path::new(&snapshot_name(7))),
            Some(FileName::Snapshot(7))
        );
        assert_eq!(parse_file_name(Path::new("42.segment")), None);
        assert_eq!(parse_file_name(Path::new("notes.txt")), None);
    }
}
