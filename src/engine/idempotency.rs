//! The table of remembered operations behind [`Engine::once`](super::Engine::once): by client
//! operation id, the digest of the call's arguments and its answer, so that a retry gets the
//! first answer back instead of running again.
//!
//! # Layout
//!
//! Set-associative, as a CPU cache: `ops_remembered_max` rounded up to a multiple of
//! [`WAYS`], in buckets of [`WAYS`] answered entries, each bucket behind its own
//! `parking_lot` mutex (one byte; the lock is held for a few loads and stores, never while an
//! operation runs; loom's in a loom build, so that models see it: `platform/sync.rs`). An id's bucket is a fixed hash of the id, so one id always meets itself
//! and ids of different buckets never contend: there is no global lock. Everything is
//! allocated when the engine is built; nothing on the data path.
//!
//! # The life of an id
//!
//! 1. [`OpTable::begin`]: the id is looked up in its bucket. Answered with the same digest:
//!    the stored answer. Answered or running with another digest: a conflict. Running with
//!    the same digest (a concurrent duplicate): wait until it ends, then look again. Absent:
//!    it is noted as running (in a bucket's list of [`RUNNING_MAX`] running ids; a bucket
//!    with that many running waits for one to end), and the caller runs the operation.
//! 2. The operation succeeds: [`Running::answer`] stores the answer in the bucket, pushing
//!    out its oldest answer if all [`WAYS`] are taken, and journals it
//!    ([`Record::Answered`]) under the bucket's lock, so that the journal's order of a
//!    bucket's answers is the order they were stored in. The operation fails: the id is
//!    forgotten (a failed operation changed nothing, so running it again is safe), and a
//!    waiting duplicate runs it itself.
//!
//! Eviction happens only when an answer is stored, in the order answers were stored: a replay
//! of the journal stores the same answers in the same order, pushes out the same ones, and
//! rebuilds the same table.

use crate::platform::sync::{Backoff, Mutex};
use crate::record::{OpAnswer, Record, Recorder};

/// Answered entries per bucket: every bucket keeps its latest 8 answers.
pub(crate) const WAYS: usize = 8;

/// Ids of one bucket that may run at once; an id arriving at a bucket with that many running
/// waits for one to end (they end in microseconds).
const RUNNING_MAX: usize = 4;

/// One remembered answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Answered {
    pub(crate) op: u64,
    pub(crate) digest: u64,
    /// When it was stored, counted per bucket: the oldest goes first.
    pub(crate) order: u64,
    pub(crate) answer: OpAnswer,
}

#[derive(Default)]
struct Bucket {
    /// Answers stored so far in this bucket.
    stored: u64,
    answered: [Option<Answered>; WAYS],
    /// `(op, digest)` of the ids running now.
    running: [Option<(u64, u64)>; RUNNING_MAX],
}

impl Bucket {
    fn stored_entry(&self, op: u64) -> Option<&Answered> {
        self.answered.iter().flatten().find(|entry| entry.op == op)
    }

    fn running_digest(&self, op: u64) -> Option<u64> {
        self.running
            .iter()
            .flatten()
            .find(|&&(running, _)| running == op)
            .map(|&(_, digest)| digest)
    }

    /// Stores an answer in a free way, or in place of the oldest.
    fn store(&mut self, entry: Answered) {
        let way = match self.answered.iter().position(Option::is_none) {
            Some(free) => free,
            None => self
                .answered
                .iter()
                .enumerate()
                .min_by_key(|(_, entry)| entry.map_or(0, |entry| entry.order))
                .map_or(0, |(way, _)| way),
        };
        self.answered[way] = Some(entry);
        self.stored = self.stored.max(entry.order + 1);
    }
}

/// What [`OpTable::begin`] found.
pub(crate) enum Begun<'t> {
    /// The id is new: run the operation, then [`Running::answer`] (or drop to forget it).
    Run(Running<'t>),
    /// The same call was answered before.
    Answered(OpAnswer),
    /// The id belongs to another call.
    Conflict,
}

/// An id whose operation runs now. Dropping it without an answer forgets the id.
pub(crate) struct Running<'t> {
    table: &'t OpTable,
    bucket: usize,
    op: u64,
    digest: u64,
    ended: bool,
}

impl Running<'_> {
    /// Stores the answer (and journals it) and ends the run.
    pub(crate) fn answer(mut self, answer: OpAnswer, recorder: &Recorder) {
        let mut bucket = self.table.buckets[self.bucket].lock();
        Self::stop_running(&mut bucket, self.op);
        let entry = Answered {
            op: self.op,
            digest: self.digest,
            order: bucket.stored,
            answer,
        };
        // Under the bucket's lock: the journal sees a bucket's answers in the order stored.
        recorder.record(|| Record::Answered {
            op: crate::ids::OpId::new(self.op),
            digest: self.digest,
            answer,
        });
        bucket.store(entry);
        self.ended = true;
    }

    fn stop_running(bucket: &mut Bucket, op: u64) {
        for running in &mut bucket.running {
            if running.is_some_and(|(running, _)| running == op) {
                *running = None;
            }
        }
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if !self.ended {
            Self::stop_running(&mut self.table.buckets[self.bucket].lock(), self.op);
        }
    }
}

/// The table itself: empty when `ops_remembered_max` is 0.
pub(crate) struct OpTable {
    buckets: Box<[Mutex<Bucket>]>,
}

impl OpTable {
    pub(crate) fn new(
        ops_remembered_max: u32,
    ) -> Result<OpTable, crate::platform::alloc::AllocError> {
        Ok(OpTable {
            buckets: crate::platform::alloc::try_boxed_slice(
                OpTable::buckets_for(ops_remembered_max),
                crate::platform::alloc::Pages::Normal,
                || Mutex::new(Bucket::default()),
            )?,
        })
    }

    fn buckets_for(ops_remembered_max: u32) -> usize {
        (ops_remembered_max as usize).div_ceil(WAYS)
    }

    /// What [`OpTable::new`] allocates.
    pub(crate) fn bytes_for(ops_remembered_max: u32) -> usize {
        OpTable::buckets_for(ops_remembered_max) * size_of::<Mutex<Bucket>>()
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        size_of_val(&*self.buckets)
    }

    pub(crate) fn is_on(&self) -> bool {
        !self.buckets.is_empty()
    }

    /// The bucket of an id: a fixed hash (SplitMix64's finaliser), the same in every process,
    /// so that a replay fills the same buckets.
    fn bucket_of(&self, op: u64) -> usize {
        let mut z = op.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % self.buckets.len() as u64) as usize
    }

    /// Looks the id up, waiting out a concurrent run of the same call (see the module docs).
    pub(crate) fn begin(&self, op: u64, digest: u64) -> Begun<'_> {
        let index = self.bucket_of(op);
        let backoff = Backoff::new();
        loop {
            let mut bucket = self.buckets[index].lock();
            if let Some(entry) = bucket.stored_entry(op) {
                return if entry.digest == digest {
                    Begun::Answered(entry.answer)
                } else {
                    Begun::Conflict
                };
            }
            match bucket.running_digest(op) {
                Some(running) if running != digest => return Begun::Conflict,
                Some(_) => {}
                None => {
                    if let Some(free) = bucket.running.iter_mut().find(|running| running.is_none())
                    {
                        *free = Some((op, digest));
                        return Begun::Run(Running {
                            table: self,
                            bucket: index,
                            op,
                            digest,
                            ended: false,
                        });
                    }
                }
            }
            drop(bucket);
            backoff.snooze();
        }
    }

    /// Stores a journaled answer (replay), as [`Running::answer`] stored it.
    pub(crate) fn replay(
        &self,
        op: u64,
        digest: u64,
        answer: OpAnswer,
    ) -> Result<(), &'static str> {
        if !self.is_on() {
            return Err("the engine remembers no operations");
        }
        let mut bucket = self.buckets[self.bucket_of(op)].lock();
        if bucket.stored_entry(op).is_some() {
            return Err("the operation was answered already");
        }
        let order = bucket.stored;
        bucket.store(Answered {
            op,
            digest,
            order,
            answer,
        });
        Ok(())
    }

    /// Every bucket's count of stored answers and its answers, oldest first, in bucket order
    /// (a snapshot; the caller holds the engine quiet).
    pub(crate) fn export(&self) -> impl Iterator<Item = (u64, Vec<Answered>)> + '_ {
        self.buckets.iter().map(|bucket| {
            let bucket = bucket.lock();
            let mut answered: Vec<Answered> = bucket.answered.iter().flatten().copied().collect();
            answered.sort_by_key(|entry| entry.order);
            (bucket.stored, answered)
        })
    }

    /// Restores one bucket of a snapshot. `false` if it does not fit: more answers than
    /// ways, an id in the wrong bucket or twice, an order not below the count.
    pub(crate) fn restore(&self, index: usize, stored: u64, answered: &[Answered]) -> bool {
        let Some(bucket) = self.buckets.get(index) else {
            return answered.is_empty() && stored == 0;
        };
        let mut bucket = bucket.lock();
        if answered.len() > WAYS {
            return false;
        }
        let mut previous = None;
        for entry in answered {
            if self.bucket_of(entry.op) != index
                || entry.order >= stored
                || previous.is_some_and(|previous| previous >= entry.order)
                || bucket.stored_entry(entry.op).is_some()
            {
                return false;
            }
            previous = Some(entry.order);
            bucket.store(*entry);
        }
        bucket.stored = stored;
        true
    }

    /// Buckets in the table.
    pub(crate) fn buckets(&self) -> usize {
        self.buckets.len()
    }
}
