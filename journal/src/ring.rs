//! [`Ring`], the bounded in-memory buffer that appends copy into and the flusher writes out
//! from: the journal's data path, with no lock.
//!
//! The ring is indexed by stream position modulo its capacity, in 8-byte words. An append
//! reserves its frame's bytes with one `fetch_add` on the reserve cursor, which gives both its
//! place in the ring and its LSN (the cursor after it), so the ring holds frames in LSN order
//! with no further coordination. It copies its frame in and *publishes* it by storing the
//! frame's first word (checksum, length, kind: never zero) last, with `Release`. The flusher
//! reads first words with `Acquire` from where it stopped: a zero word is a frame still being
//! copied, and the batch ends before it. After writing a batch to the file, the flusher zeroes
//! its words and moves the release cursor, which gives the space back to appends.
//!
//! The crate's only `unsafe` is here: the flusher hands the published bytes to the file as a
//! byte slice instead of copying them out word by word, and zeroes them with one memset.

use crossbeam_utils::CachePadded;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::format::{FRAME_ALIGN, FrameKind, frame_bytes, frame_checksum, frame_word0};

/// Frames up to this long are laid out on the stack before they are copied in: 128 bytes, a
/// payload of up to 112.
const SMALL_FRAME_BYTES: usize = 128;

/// A word's value whose bytes in memory are `bytes` (the file's byte order is little-endian;
/// the ring is written out as raw memory).
fn word_from_bytes(bytes: [u8; 8]) -> u64 {
    u64::from_ne_bytes(bytes)
}

/// The ring buffer. Positions are stream positions (multiples of 8).
pub(crate) struct Ring {
    /// The buffer, as words so that each can be published atomically.
    words: Box<[AtomicU64]>,
    /// `words.len() - 1`; the length is a power of two.
    word_mask: u64,
    /// The next free stream position. Every append's `fetch_add` hits this line; nothing else
    /// shares it.
    reserved: CachePadded<AtomicU64>,
    /// Every position before this one is free again (written out and zeroed).
    released: CachePadded<AtomicU64>,
}

impl Ring {
    /// An empty ring of `capacity_bytes` (a power of two, at least 8) whose stream starts at
    /// `start` (a multiple of 8).
    pub(crate) fn new(capacity_bytes: usize, start: u64) -> Ring {
        debug_assert!(capacity_bytes.is_power_of_two() && capacity_bytes >= FRAME_ALIGN);
        debug_assert_eq!(start % FRAME_ALIGN as u64, 0);
        let word_count = capacity_bytes / 8;
        Ring {
            words: (0..word_count).map(|_| AtomicU64::new(0)).collect(),
            word_mask: word_count as u64 - 1,
            reserved: CachePadded::new(AtomicU64::new(start)),
            released: CachePadded::new(AtomicU64::new(start)),
        }
    }

    /// The ring's size in bytes.
    pub(crate) fn capacity_bytes(&self) -> u64 {
        self.words.len() as u64 * 8
    }

    fn word(&self, position: u64) -> &AtomicU64 {
        &self.words[((position / 8) & self.word_mask) as usize]
    }

    /// Reserves `bytes` (a multiple of 8) at the end of the stream; returns the start position.
    /// The space may still hold an older frame: wait for [`Ring::has_room`] before writing.
    pub(crate) fn reserve(&self, bytes: u64) -> u64 {
        // SeqCst: the flusher's "going to sleep" protocol (journal.rs) needs this increment and
        // its own load of the cursor to be in one total order with the sleeping flag.
        self.reserved.fetch_add(bytes, Ordering::SeqCst)
    }

    /// Reserves `bytes` only if they are free right now (the flusher's own frames: it must
    /// never wait for room, since it is the one that makes room).
    pub(crate) fn try_reserve(&self, bytes: u64) -> Option<u64> {
        let mut start = self.reserved.load(Ordering::SeqCst);
        loop {
            if start + bytes - self.released.load(Ordering::Acquire) > self.capacity_bytes() {
                return None;
            }
            match self.reserved.compare_exchange_weak(
                start,
                start + bytes,
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => return Some(start),
                Err(now) => start = now,
            }
        }
    }

    /// The next free stream position: everything before it is reserved.
    pub(crate) fn reserved(&self) -> u64 {
        self.reserved.load(Ordering::SeqCst)
    }

    /// Whether the space up to `end` is free to write.
    pub(crate) fn has_room(&self, end: u64) -> bool {
        // SeqCst: pairs with the waiting append's SeqCst count of waiters (journal.rs).
        end - self.released.load(Ordering::SeqCst) <= self.capacity_bytes()
    }

    /// Copies a frame into its reserved space (which [`Ring::has_room`] said is free) and
    /// publishes it. `start` is what [`Ring::reserve`] returned for `frame_bytes(payload.len())`.
    pub(crate) fn write_frame(&self, start: u64, kind: FrameKind, payload: &[u8]) {
        let bytes = frame_bytes(payload.len());
        let lsn = start + bytes as u64;
        if bytes <= SMALL_FRAME_BYTES {
            // The usual record (tens of bytes): laid out once on the stack, so that the
            // checksum is one CRC32C call over contiguous bytes. Three calls over the pieces
            // (head, payload, padding) measured 22% of an appending thread's time, against
            // 14% for the whole copy-and-publish.
            let mut frame = [0u8; SMALL_FRAME_BYTES];
            frame[4..7].copy_from_slice(&(payload.len() as u32).to_le_bytes()[..3]);
            frame[7] = kind as u8;
            frame[8..16].copy_from_slice(&lsn.to_le_bytes());
            frame[16..16 + payload.len()].copy_from_slice(payload);
            let checksum = crc32c::crc32c(&frame[4..bytes]);
            frame[..4].copy_from_slice(&checksum.to_le_bytes());
            for offset in (8..bytes).step_by(8) {
                let word = word_from_bytes(frame[offset..offset + 8].try_into().expect("8 bytes"));
                self.word(start + offset as u64)
                    .store(word, Ordering::Relaxed);
            }
            // Release: the flusher that sees this word sees the whole frame.
            let word0 = word_from_bytes(frame[..8].try_into().expect("8 bytes"));
            self.word(start).store(word0, Ordering::Release);
            return;
        }
        self.word(start + 8)
            .store(word_from_bytes(lsn.to_le_bytes()), Ordering::Relaxed);
        let mut position = start + 16;
        let mut chunks = payload.chunks_exact(8);
        for chunk in &mut chunks {
            let word = word_from_bytes(chunk.try_into().expect("8 bytes"));
            self.word(position).store(word, Ordering::Relaxed);
            position += 8;
        }
        let tail = chunks.remainder();
        if !tail.is_empty() {
            let mut last = [0u8; 8];
            last[..tail.len()].copy_from_slice(tail);
            self.word(position)
                .store(word_from_bytes(last), Ordering::Relaxed);
        }
        let checksum = frame_checksum(payload.len(), kind, lsn, payload);
        let word0 = frame_word0(checksum, payload.len(), kind);
        self.word(start)
            .store(word_from_bytes(word0.to_le_bytes()), Ordering::Release);
    }

    /// The published frame at `position`, if its copy is finished: its kind byte and its
    /// length. `position` must be a frame boundary at or after the release cursor, and before
    /// the reserve cursor.
    pub(crate) fn published(&self, position: u64) -> Option<(u8, u64)> {
        let word0 = u64::from_le_bytes(self.word(position).load(Ordering::Acquire).to_ne_bytes());
        if word0 == 0 {
            return None;
        }
        let payload_bytes = ((word0 >> 32) & 0xFF_FFFF) as usize;
        Some(((word0 >> 56) as u8, frame_bytes(payload_bytes) as u64))
    }

    /// The bytes of the published range `[from, to)`, in one or two pieces (two when the range
    /// wraps around the end of the ring).
    pub(crate) fn bytes(&self, from: u64, to: u64) -> [&[u8]; 2] {
        debug_assert!(from <= to && to - from <= self.capacity_bytes());
        let capacity = self.capacity_bytes();
        let start = (from % capacity) as usize;
        let len = (to - from) as usize;
        let first = len.min(capacity as usize - start);
        let base = self.words.as_ptr().cast::<u8>();
        // SAFETY: `AtomicU64` has the size and alignment of `u64`, so the words are
        // `capacity` initialized bytes. The range was published: the flusher loaded each of its
        // frames' first words with `Acquire`, after the writer's `Release` store that followed
        // every other store into the frame, so those stores happen before this read. No one
        // writes there again until `release` (called by the same flusher, after it is done
        // with these slices) moves the release cursor past it.
        unsafe {
            [
                std::slice::from_raw_parts(base.add(start), first),
                std::slice::from_raw_parts(base, len - first),
            ]
        }
    }

    /// Zeroes `[from, to)` (so that no stale frame looks published on the next lap) and gives
    /// the space back to appends.
    pub(crate) fn release(&self, from: u64, to: u64) {
        let capacity = self.capacity_bytes();
        let start = (from % capacity) as usize;
        let len = (to - from) as usize;
        let first = len.min(capacity as usize - start);
        // Through the words' `UnsafeCell`s, so writing through this pointer is allowed.
        let base = self.words.as_ptr().cast::<u8>().cast_mut();
        // SAFETY: the range lies within the buffer (as in `bytes`). It was published and
        // written out; no append writes there until the release cursor, stored below, moves
        // past it, and only this thread (the flusher) reads it. A memset here instead of a loop
        // of atomic stores measured a quarter of the flusher's own time.
        unsafe {
            std::ptr::write_bytes(base.add(start), 0, first);
            std::ptr::write_bytes(base, 0, len - first);
        }
        // An append that sees the new cursor sees the zeroes (SeqCst for the waiters' count).
        self.released.store(to, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{HEADER_BYTES, decode_frame};

    #[test]
    fn frames_wrap_around_and_read_back_as_the_file_holds_them() {
        let ring = Ring::new(64, 0);
        let mut file = vec![0u8; HEADER_BYTES];
        for round in 0..10u8 {
            let payload = [round; 5]; // 16 + 5 → 24 bytes: every other frame wraps
            let bytes = frame_bytes(payload.len()) as u64;
            let start = ring.reserve(bytes);
            assert!(ring.has_room(start + bytes));
            assert_eq!(ring.published(start), None);
            ring.write_frame(start, FrameKind::Record, &payload);
            assert_eq!(ring.published(start), Some((1, 24)));
            for piece in ring.bytes(start, start + bytes) {
                file.extend_from_slice(piece);
            }
            ring.release(start, start + bytes);
        }
        let mut offset = HEADER_BYTES;
        for round in 0..10u8 {
            let frame = decode_frame(&file, offset, 0).unwrap();
            assert_eq!(frame.payload, &[round; 5]);
            offset += frame.bytes;
        }
    }

    #[test]
    fn small_and_large_frames_are_laid_out_alike() {
        let ring = Ring::new(1 << 12, 0);
        let mut file = vec![0u8; HEADER_BYTES];
        let payloads: Vec<Vec<u8>> = [0, 1, 7, 8, 111, 112, 113, 500]
            .iter()
            .map(|&len| (0..len).map(|i| i as u8).collect())
            .collect();
        for payload in &payloads {
            let bytes = frame_bytes(payload.len()) as u64;
            let start = ring.reserve(bytes);
            ring.write_frame(start, FrameKind::Record, payload);
            for piece in ring.bytes(start, start + bytes) {
                file.extend_from_slice(piece);
            }
        }
        let mut offset = HEADER_BYTES;
        for payload in &payloads {
            let frame = decode_frame(&file, offset, 0).unwrap();
            assert_eq!(frame.payload, &payload[..]);
            offset += frame.bytes;
        }
    }

    #[test]
    fn the_flusher_cannot_reserve_past_the_free_space() {
        let ring = Ring::new(64, 0);
        assert_eq!(ring.try_reserve(48), Some(0));
        assert_eq!(ring.try_reserve(24), None);
        assert!(!ring.has_room(ring.reserve(24) + 24));
        ring.release(0, 48);
        assert!(ring.has_room(72));
    }
}
