//! [`Record`]: every state change the engine makes, described compactly, and the
//! [`RecordSink`] a caller gives the engine to receive them (a durable journal, a replica's
//! feed, a test's log).
//!
//! The core does no I/O. With a sink (see [`Engine::with_sink`](crate::Engine::with_sink)) it
//! hands each record to it while the state the record describes is held: a person's records
//! while their busy bit is held (or, for a first join, while the new place is claimed and not
//! yet visible), the door's while the advance lock and the busy bits of the people it admits
//! are held, a slot's while the inventory's append lock is held. So one person's records reach
//! the sink in the order their effects happen, and records of different people commute; see
//! `ARCHITECTURE.md` for why replaying them in the sink's order rebuilds exactly the same
//! state whatever the interleaving of threads. Without a sink, the engine builds no record.
//!
//! # Encoding
//!
//! [`Record::encode`] writes a record in at most [`Record::ENCODED_MAX`] bytes: a tag byte,
//! then its fields as unsigned LEB128 varints (7 bits a byte, low bits first, as Protocol
//! Buffers and WebAssembly write them), in the order of the variant's fields. A timestamp is
//! its milliseconds; an optional value is a varint flag (0 or 1) then the value; a slot's spec
//! is its site, day, window and capacity. [`Record::decode`] reads one back, refusing anything
//! it did not write with a typed error. The format is versioned by whoever stores it (the
//! journal's file header).
//!
//! | tag | record |
//! |-----|--------|
//! | 1 | [`Record::Joined`] |
//! | 2 | [`Record::Requeued`] |
//! | 3 | [`Record::Left`] |
//! | 4 | [`Record::Advanced`] |
//! | 5 | [`Record::Booked`] |
//! | 6 | [`Record::BookingReleased`] |
//! | 7 | [`Record::Released`] |
//! | 8 | [`Record::SlotAdded`] |
//! | 9 | [`Record::Held`] |
//! | 10 | [`Record::HoldConfirmed`] |
//! | 11 | [`Record::HoldCancelled`] |
//! | 12 | [`Record::HoldExpired`] |
//! | 13 | [`Record::Rebooked`] |
//! | 14 | [`Record::SeriesBooked`] |
//! | 15 | [`Record::SeriesReleased`] |
//! | 16 | [`Record::DependantRegistered`] |
//! | 17 | [`Record::GroupBooked`] |
//! | 18 | [`Record::Answered`] (its answer: a kind byte, then the answer's fields) |

//!
//! Sites and regions, changes of supply, scopes, standby and the pre-queue draw (tags from 32
//! up; the `DrawSecret`'s 32 bytes are written as they are, after the cohort):
//!
//! | tag | record |
//! |-----|--------|
//! | 32 | [`Record::SiteAdded`] |
//! | 33 | [`Record::CapacitySet`] |
//! | 34 | [`Record::SlotClosed`] |
//! | 35 | [`Record::JoinedIn`] |
//! | 36 | [`Record::StoodBy`] |
//! | 37 | [`Record::Offered`] |
//! | 38 | [`Record::OfferBooked`] |
//! | 39 | [`Record::OfferLapsed`] |
//! | 40 | [`Record::DrawEntered`] |
//! | 41 | [`Record::Drawn`] |

use core::fmt;

mod answer;

pub use answer::OpAnswer;

use crate::ids::{CohortId, Day, OpId, PersonId, RegionId, Seq, SiteId, SlotId, Window};
use crate::inventory::SlotSpec;
use crate::scope::Scope;
use crate::time::Timestamp;

/// One state change of the engine.
///
/// # Example
/// ```
/// use fairbook::{PersonId, Record, Seq};
/// let record = Record::Joined { person: PersonId::new(42), seq: Seq::new(7) };
/// let mut bytes = [0; Record::ENCODED_MAX];
/// let len = record.encode(&mut bytes);
/// assert_eq!(Record::decode(&bytes[..len]), Ok(record));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Record {
    /// A person's first join: they hold place `seq`, waiting.
    Joined {
        /// Who.
        person: PersonId,
        /// Their place.
        seq: Seq,
    },
    /// A person whose lease lapsed came back under `LapsePolicy::Requeue`: their old place is
    /// dead and they wait at a new one.
    Requeued {
        /// Who.
        person: PersonId,
        /// The place they leave.
        from: Seq,
        /// Their new place.
        to: Seq,
    },
    /// A waiting person gave back their place.
    Left {
        /// The place.
        seq: Seq,
    },
    /// The door moved: leases that ran out by `door` among places `[swept_from, swept_to)`
    /// were marked lapsed, then every place still waiting in `[admitted_from, admitted_to)` was
    /// admitted with a lease until `lease_until`.
    Advanced {
        /// The door's clock after the call.
        door: Timestamp,
        /// Where the lapse sweep started.
        swept_from: Seq,
        /// Where it stopped (exclusive).
        swept_to: Seq,
        /// The admission cursor before the call.
        admitted_from: Seq,
        /// The admission cursor after it.
        admitted_to: Seq,
        /// The lease deadline of the people admitted.
        lease_until: Timestamp,
        /// The outflow policy's token bucket after the call: tokens in thousandths and the
        /// time of its last refill, if an outflow policy has ever run.
        bucket: Option<(u64, Timestamp)>,
    },
    /// The person at `seq` booked a seat of `slot`, their booking number `index` (0 for the
    /// first they hold).
    Booked {
        /// Their place.
        seq: Seq,
        /// The slot.
        slot: SlotId,
        /// Which of their bookings it is.
        index: u8,
    },
    /// The person at `seq` gave back their booking of `slot` and kept their lease.
    BookingReleased {
        /// Their place.
        seq: Seq,
        /// The slot.
        slot: SlotId,
    },
    /// The admitted person at `seq` gave back their lease and every booking they held.
    Released {
        /// Their place.
        seq: Seq,
    },
    /// A slot was added to the inventory (its id is the next one).
    SlotAdded {
        /// What it is.
        spec: SlotSpec,
    },
    /// The person at `seq` took a seat of `slot` on hold until `until`, in their booking cell
    /// `index` (their holds and bookings share the cells).
    Held {
        /// Their place.
        seq: Seq,
        /// The slot.
        slot: SlotId,
        /// Which of their cells it takes.
        index: u8,
        /// When the hold expires.
        until: Timestamp,
    },
    /// The person at `seq` confirmed their hold of `slot`: it is a booking now.
    HoldConfirmed {
        /// Their place.
        seq: Seq,
        /// The slot.
        slot: SlotId,
    },
    /// The person at `seq` cancelled their hold of `slot`, giving the seat back.
    HoldCancelled {
        /// Their place.
        seq: Seq,
        /// The slot.
        slot: SlotId,
    },
    /// The hold of `slot` by the person at `seq` expired, giving the seat back (found by the
    /// door's sweep, or by the person's next call).
    HoldExpired {
        /// Their place.
        seq: Seq,
        /// The slot.
        slot: SlotId,
    },
    /// The person at `seq` moved their booking of `from` to `to`, in one step: the seat of
    /// `to` was taken before the seat of `from` was given back.
    Rebooked {
        /// Their place.
        seq: Seq,
        /// The slot given up.
        from: SlotId,
        /// The slot booked.
        to: SlotId,
    },
    /// The person at `seq` booked a dose series: `first` and `second`, in their next two
    /// booking cells.
    SeriesBooked {
        /// Their place.
        seq: Seq,
        /// Leg 1.
        first: SlotId,
        /// Leg 2.
        second: SlotId,
    },
    /// The person at `seq` gave back both legs of their series.
    SeriesReleased {
        /// Their place.
        seq: Seq,
    },
    /// `dependant` was registered to the person at `holder`, whose place they share.
    DependantRegistered {
        /// The holder's place.
        holder: Seq,
        /// The dependant.
        dependant: PersonId,
    },
    /// The person at `seq` booked `seats` seats of `slot`: one in their next booking cell, one
    /// for each of their dependants.
    GroupBooked {
        /// The holder's place.
        seq: Seq,
        /// The slot.
        slot: SlotId,
        /// Seats taken in all.
        seats: u8,
    },
    /// An operation carrying the id `op` succeeded with `answer`: a retry with the same
    /// arguments (of which `digest` is the hash) gets the answer back. Made after the
    /// records of the operation's changes.
    Answered {
        /// The client's operation id.
        op: OpId,
        /// The hash of the verb and its arguments.
        digest: u64,
        /// What the operation answered.
        answer: OpAnswer,
    },
    // Sites and regions, supply, scopes, standby and the draw: tags from 32 up.
    /// A site was added to a region ([`Engine::add_site`](crate::Engine::add_site)).
    SiteAdded {
        /// The site.
        site: SiteId,
        /// Its region.
        region: RegionId,
    },
    /// A slot's capacity was set ([`Engine::set_capacity`](crate::Engine::set_capacity)).
    /// Recorded before the seats it adds can be taken, and after the seats it removes are
    /// gone, so that a replay never finds the slot over capacity.
    CapacitySet {
        /// The slot.
        slot: SlotId,
        /// Its new capacity.
        capacity: u32,
    },
    /// A slot was closed ([`Engine::close_slot`](crate::Engine::close_slot)): its capacity is
    /// what it holds. A booking that took its seat before the close and is recorded after it
    /// is replayed into the closed slot, its seat with it.
    SlotClosed {
        /// The slot.
        slot: SlotId,
    },
    /// A person's first join with a place that keeps a scope other than everywhere (their
    /// own, [`Engine::enqueue_in`](crate::Engine::enqueue_in), or their cohort's): they hold
    /// place `seq`, waiting. A join without one is [`Record::Joined`].
    JoinedIn {
        /// Who.
        person: PersonId,
        /// Their place.
        seq: Seq,
        /// Where they may book.
        scope: Scope,
    },
    /// The admitted person at `seq` went on standby ([`Engine::standby`](crate::Engine::standby)).
    StoodBy {
        /// Their place.
        seq: Seq,
    },
    /// The door took a seat of `slot` for the person on standby at `seq`, held until `until`.
    Offered {
        /// Their place.
        seq: Seq,
        /// The seat held.
        slot: SlotId,
        /// When the offer lapses.
        until: Timestamp,
    },
    /// The person at `seq` booked the seat held for them.
    OfferBooked {
        /// Their place.
        seq: Seq,
    },
    /// The offer to the person at `seq` lapsed: its seat went back, and they lapsed.
    OfferLapsed {
        /// Their place.
        seq: Seq,
    },
    /// A person entered a cohort's draw ([`Engine::enter_draw`](crate::Engine::enter_draw)).
    DrawEntered {
        /// Who.
        person: PersonId,
        /// The cohort.
        cohort: CohortId,
    },
    /// A cohort's draw was made with `secret` ([`Engine::draw`](crate::Engine::draw)): its
    /// entries closed, and its first joins let in from then on. The drawn places themselves
    /// are the [`Record::Joined`] (or [`Record::JoinedIn`]) records just before it, in the
    /// drawn order; the secret lets anyone holding the journal recompute that order.
    Drawn {
        /// The cohort.
        cohort: CohortId,
        /// The draw's secret (see [`DrawSecret`](crate::DrawSecret)).
        secret: [u8; 32],
    },
}

/// Receives every [`Record`] the engine makes, on the thread that makes the change, while the
/// state the record describes is held.
///
/// **Locking behaviour:** `record` is called with a person's busy bit, the door's lock or the
/// inventory's append lock held: it must be quick, must never call back into the engine, and
/// must not wait for anything that waits for the engine. Copying the record into a buffer is
/// the intended shape; waiting for a disk is not (wait for durability after the engine call
/// returns instead).
///
/// # Example: a sink that keeps every record
/// ```
/// use std::sync::{Arc, Mutex};
/// use fairbook::{CohortId, Config, Engine, PersonId, Record, RecordSink, Seq, Timestamp};
///
/// #[derive(Default)]
/// struct Log(Mutex<Vec<Record>>);
///
/// impl RecordSink for Log {
///     fn record(&self, record: &Record) {
///         self.0.lock().unwrap().push(*record);
///     }
/// }
///
/// let log = Arc::new(Log::default());
/// let engine = Engine::with_sink(Config::default(), log.clone())?;
/// engine.enqueue(PersonId::new(5), CohortId::new(0), Timestamp::ZERO).unwrap();
/// engine.enqueue(PersonId::new(5), CohortId::new(0), Timestamp::ZERO).unwrap(); // no change
/// assert_eq!(*log.0.lock().unwrap(), [Record::Joined { person: PersonId::new(5), seq: Seq::new(0) }]);
/// # Ok::<(), fairbook::ConfigError>(())
/// ```
pub trait RecordSink: Send + Sync {
    /// Takes one record.
    fn record(&self, record: &Record);
}

/// Why [`Record::decode`] refused some bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordError {
    /// The bytes end inside a record.
    Truncated,
    /// The first byte names no record.
    UnknownTag {
        /// The byte.
        tag: u8,
    },
    /// A field does not fit its type (a varint longer than 10 bytes, a seq above 2⁶³, a
    /// flag other than 0 or 1).
    BadField,
    /// Bytes are left after the record.
    TrailingBytes,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::Truncated => write!(f, "the record is cut short"),
            RecordError::UnknownTag { tag } => write!(f, "no record has tag {tag}"),
            RecordError::BadField => write!(f, "a field of the record is out of range"),
            RecordError::TrailingBytes => write!(f, "bytes are left after the record"),
        }
    }
}

impl std::error::Error for RecordError {}

impl Record {
    /// The most bytes an encoded record takes: an [`Record::Answered`] of a release that
    /// gave back 15 seats (a tag, the id and digest of ten bytes each, the answer's kind, its
    /// place of at most nine, places being below 2⁶³, a flag, a count and 15 slots of at most
    /// five bytes each). Every other record takes at most a tag and nine varints of at most
    /// ten bytes each (a [`Record::Drawn`], a varint and 32 bytes, takes less).
    pub const ENCODED_MAX: usize = 1 + 2 * 10 + 1 + 9 + 2 + 15 * 5;

    /// Writes the record into `out` and returns how many bytes it took (at most
    /// [`Record::ENCODED_MAX`]).
    ///
    /// # Panics
    /// If `out` is shorter than the encoding; a buffer of [`Record::ENCODED_MAX`] bytes always
    /// suffices.
    pub fn encode(&self, out: &mut [u8]) -> usize {
        let mut writer = Writer { out, len: 0 };
        match *self {
            Record::Joined { person, seq } => {
                writer.byte(1);
                writer.varint(person.as_u64());
                writer.varint(seq.as_u64());
            }
            Record::Requeued { person, from, to } => {
                writer.byte(2);
                writer.varint(person.as_u64());
                writer.varint(from.as_u64());
                writer.varint(to.as_u64());
            }
            Record::Left { seq } => {
                writer.byte(3);
                writer.varint(seq.as_u64());
            }
            Record::Advanced {
                door,
                swept_from,
                swept_to,
                admitted_from,
                admitted_to,
                lease_until,
                bucket,
            } => {
                writer.byte(4);
                writer.varint(door.as_millis());
                writer.varint(swept_from.as_u64());
                writer.varint(swept_to.as_u64());
                writer.varint(admitted_from.as_u64());
                writer.varint(admitted_to.as_u64());
                writer.varint(lease_until.as_millis());
                match bucket {
                    None => writer.varint(0),
                    Some((tokens_milli, refilled_at)) => {
                        writer.varint(1);
                        writer.varint(tokens_milli);
                        writer.varint(refilled_at.as_millis());
                    }
                }
            }
            Record::Booked { seq, slot, index } => {
                writer.byte(5);
                writer.varint(seq.as_u64());
                writer.varint(u64::from(slot.as_u32()));
                writer.varint(u64::from(index));
            }
            Record::BookingReleased { seq, slot } => {
                writer.byte(6);
                writer.varint(seq.as_u64());
                writer.varint(u64::from(slot.as_u32()));
            }
            Record::Released { seq } => {
                writer.byte(7);
                writer.varint(seq.as_u64());
            }
            Record::SlotAdded { spec } => {
                writer.byte(8);
                writer.varint(u64::from(spec.site.as_u32()));
                writer.varint(u64::from(spec.day.as_u16()));
                writer.varint(u64::from(spec.window.as_u8()));
                writer.varint(u64::from(spec.capacity));
            }
            Record::Held {
                seq,
                slot,
                index,
                until,
            } => {
                writer.byte(9);
                writer.varint(seq.as_u64());
                writer.varint(u64::from(slot.as_u32()));
                writer.varint(u64::from(index));
                writer.varint(until.as_millis());
            }
            Record::HoldConfirmed { seq, slot } => writer.seq_slot(10, seq, slot),
            Record::HoldCancelled { seq, slot } => writer.seq_slot(11, seq, slot),
            Record::HoldExpired { seq, slot } => writer.seq_slot(12, seq, slot),
            Record::Rebooked { seq, from, to } => {
                writer.seq_slot(13, seq, from);
                writer.varint(u64::from(to.as_u32()));
            }
            Record::SeriesBooked { seq, first, second } => {
                writer.seq_slot(14, seq, first);
                writer.varint(u64::from(second.as_u32()));
            }
            Record::SeriesReleased { seq } => {
                writer.byte(15);
                writer.varint(seq.as_u64());
            }
            Record::DependantRegistered { holder, dependant } => {
                writer.byte(16);
                writer.varint(holder.as_u64());
                writer.varint(dependant.as_u64());
            }
            Record::GroupBooked { seq, slot, seats } => {
                writer.seq_slot(17, seq, slot);
                writer.varint(u64::from(seats));
            }
            Record::Answered { op, digest, answer } => {
                writer.byte(18);
                writer.varint(op.as_u64());
                writer.varint(digest);
                answer.encode(&mut writer);
            }
            ref record => encode_inventory(record, &mut writer),
        }
        writer.len
    }

    /// Reads one record that fills `bytes` exactly.
    ///
    /// # Errors
    /// [`RecordError`] for anything [`Record::encode`] did not write; never a panic.
    ///
    /// # Example
    /// ```
    /// use fairbook::{Record, RecordError};
    /// assert_eq!(Record::decode(&[]), Err(RecordError::Truncated));
    /// assert_eq!(Record::decode(&[99]), Err(RecordError::UnknownTag { tag: 99 }));
    /// ```
    pub fn decode(bytes: &[u8]) -> Result<Record, RecordError> {
        let mut reader = Reader { bytes };
        let record = match reader.byte()? {
            1 => Record::Joined {
                person: PersonId::new(reader.varint()?),
                seq: reader.seq()?,
            },
            2 => Record::Requeued {
                person: PersonId::new(reader.varint()?),
                from: reader.seq()?,
                to: reader.seq()?,
            },
            3 => Record::Left { seq: reader.seq()? },
            4 => Record::Advanced {
                door: reader.timestamp()?,
                swept_from: reader.seq()?,
                swept_to: reader.seq()?,
                admitted_from: reader.seq()?,
                admitted_to: reader.seq()?,
                lease_until: reader.timestamp()?,
                bucket: match reader.varint()? {
                    0 => None,
                    1 => Some((reader.varint()?, reader.timestamp()?)),
                    _ => return Err(RecordError::BadField),
                },
            },
            5 => Record::Booked {
                seq: reader.seq()?,
                slot: reader.slot()?,
                index: reader.narrow()?,
            },
            6 => Record::BookingReleased {
                seq: reader.seq()?,
                slot: reader.slot()?,
            },
            7 => Record::Released { seq: reader.seq()? },
            8 => Record::SlotAdded {
                spec: SlotSpec {
                    site: SiteId::new(reader.narrow()?),
                    day: Day::new(reader.narrow()?),
                    window: Window::new(reader.narrow()?),
                    capacity: reader.narrow()?,
                },
            },
            9 => Record::Held {
                seq: reader.seq()?,
                slot: reader.slot()?,
                index: reader.narrow()?,
                until: reader.timestamp()?,
            },
            10 => Record::HoldConfirmed {
                seq: reader.seq()?,
                slot: reader.slot()?,
            },
            11 => Record::HoldCancelled {
                seq: reader.seq()?,
                slot: reader.slot()?,
            },
            12 => Record::HoldExpired {
                seq: reader.seq()?,
                slot: reader.slot()?,
            },
            13 => Record::Rebooked {
                seq: reader.seq()?,
                from: reader.slot()?,
                to: reader.slot()?,
            },
            14 => Record::SeriesBooked {
                seq: reader.seq()?,
                first: reader.slot()?,
                second: reader.slot()?,
            },
            15 => Record::SeriesReleased { seq: reader.seq()? },
            16 => Record::DependantRegistered {
                holder: reader.seq()?,
                dependant: PersonId::new(reader.varint()?),
            },
            17 => Record::GroupBooked {
                seq: reader.seq()?,
                slot: reader.slot()?,
                seats: reader.narrow()?,
            },
            18 => Record::Answered {
                op: OpId::new(reader.varint()?),
                digest: reader.varint()?,
                answer: OpAnswer::decode(&mut reader)?,
            },
            tag @ 32.. => decode_inventory(tag, &mut reader)?,
            tag => return Err(RecordError::UnknownTag { tag }),
        };
        if !reader.bytes.is_empty() {
            return Err(RecordError::TrailingBytes);
        }
        Ok(record)
    }
}

/// Writes the records of sites and regions, supply, scopes, standby and the draw (tags from
/// 32 up).
fn encode_inventory(record: &Record, writer: &mut Writer<'_>) {
    match *record {
        Record::SiteAdded { site, region } => {
            writer.byte(32);
            writer.varint(u64::from(site.as_u32()));
            writer.varint(u64::from(region.as_u16()));
        }
        Record::CapacitySet { slot, capacity } => {
            writer.byte(33);
            writer.varint(u64::from(slot.as_u32()));
            writer.varint(u64::from(capacity));
        }
        Record::SlotClosed { slot } => {
            writer.byte(34);
            writer.varint(u64::from(slot.as_u32()));
        }
        Record::JoinedIn { person, seq, scope } => {
            writer.byte(35);
            writer.varint(person.as_u64());
            writer.varint(seq.as_u64());
            writer.varint(u64::from(scope.tag()));
        }
        Record::StoodBy { seq } => {
            writer.byte(36);
            writer.varint(seq.as_u64());
        }
        Record::Offered { seq, slot, until } => {
            writer.byte(37);
            writer.varint(seq.as_u64());
            writer.varint(u64::from(slot.as_u32()));
            writer.varint(until.as_millis());
        }
        Record::OfferBooked { seq } => {
            writer.byte(38);
            writer.varint(seq.as_u64());
        }
        Record::OfferLapsed { seq } => {
            writer.byte(39);
            writer.varint(seq.as_u64());
        }
        Record::DrawEntered { person, cohort } => {
            writer.byte(40);
            writer.varint(person.as_u64());
            writer.varint(u64::from(cohort.as_u16()));
        }
        Record::Drawn { cohort, secret } => {
            writer.byte(41);
            writer.varint(u64::from(cohort.as_u16()));
            for byte in secret {
                writer.byte(byte);
            }
        }
        Record::Joined { .. }
        | Record::Requeued { .. }
        | Record::Left { .. }
        | Record::Advanced { .. }
        | Record::Booked { .. }
        | Record::BookingReleased { .. }
        | Record::Released { .. }
        | Record::SlotAdded { .. }
        | Record::Held { .. }
        | Record::HoldConfirmed { .. }
        | Record::HoldCancelled { .. }
        | Record::HoldExpired { .. }
        | Record::Rebooked { .. }
        | Record::SeriesBooked { .. }
        | Record::SeriesReleased { .. }
        | Record::DependantRegistered { .. }
        | Record::GroupBooked { .. }
        | Record::Answered { .. } => unreachable!("written by Record::encode"),
    }
}

/// Reads the records [`encode_inventory`] writes.
fn decode_inventory(tag: u8, reader: &mut Reader<'_>) -> Result<Record, RecordError> {
    Ok(match tag {
        32 => Record::SiteAdded {
            site: SiteId::new(reader.narrow()?),
            region: RegionId::new(reader.narrow()?),
        },
        33 => Record::CapacitySet {
            slot: reader.slot()?,
            capacity: reader.narrow()?,
        },
        34 => Record::SlotClosed {
            slot: reader.slot()?,
        },
        35 => Record::JoinedIn {
            person: PersonId::new(reader.varint()?),
            seq: reader.seq()?,
            scope: Scope::from_tag(reader.narrow()?),
        },
        36 => Record::StoodBy { seq: reader.seq()? },
        37 => Record::Offered {
            seq: reader.seq()?,
            slot: reader.slot()?,
            until: reader.timestamp()?,
        },
        38 => Record::OfferBooked { seq: reader.seq()? },
        39 => Record::OfferLapsed { seq: reader.seq()? },
        40 => Record::DrawEntered {
            person: PersonId::new(reader.varint()?),
            cohort: CohortId::new(reader.narrow()?),
        },
        41 => {
            let cohort = CohortId::new(reader.narrow()?);
            let mut secret = [0; 32];
            for byte in &mut secret {
                *byte = reader.byte()?;
            }
            Record::Drawn { cohort, secret }
        }
        tag => return Err(RecordError::UnknownTag { tag }),
    })
}

/// The engine's side of a [`RecordSink`]: nothing at all when there is none, so that an
/// engine without a sink builds no record and pays one predictable branch per change.
#[derive(Clone, Default)]
pub(crate) struct Recorder {
    sink: Option<std::sync::Arc<dyn RecordSink>>,
}

impl Recorder {
    pub(crate) fn new(sink: Option<std::sync::Arc<dyn RecordSink>>) -> Recorder {
        Recorder { sink }
    }

    /// Whether records are kept: some changes are made in two steps only then.
    #[inline(always)]
    pub(crate) fn is_on(&self) -> bool {
        self.sink.is_some()
    }

    /// Hands the record `make` builds to the sink, if there is one.
    #[inline(always)]
    pub(crate) fn record(&self, make: impl FnOnce() -> Record) {
        if let Some(sink) = &self.sink {
            sink.record(&make());
        }
    }
}

struct Writer<'a> {
    out: &'a mut [u8],
    len: usize,
}

impl Writer<'_> {
    /// A tag, then a place and a slot: the head of most of the flows' records.
    fn seq_slot(&mut self, tag: u8, seq: Seq, slot: SlotId) {
        self.byte(tag);
        self.varint(seq.as_u64());
        self.varint(u64::from(slot.as_u32()));
    }

    fn byte(&mut self, byte: u8) {
        self.out[self.len] = byte;
        self.len += 1;
    }

    fn varint(&mut self, mut value: u64) {
        loop {
            let low = (value & 0x7F) as u8;
            value >>= 7;
            if value == 0 {
                self.byte(low);
                return;
            }
            self.byte(low | 0x80);
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, RecordError> {
        let (&first, rest) = self.bytes.split_first().ok_or(RecordError::Truncated)?;
        self.bytes = rest;
        Ok(first)
    }

    fn varint(&mut self) -> Result<u64, RecordError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            let bits = u64::from(byte & 0x7F);
            if shift == 63 && bits > 1 {
                return Err(RecordError::BadField);
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(RecordError::BadField)
    }

    fn narrow<T: TryFrom<u64>>(&mut self) -> Result<T, RecordError> {
        T::try_from(self.varint()?).map_err(|_| RecordError::BadField)
    }

    fn seq(&mut self) -> Result<Seq, RecordError> {
        let raw = self.varint()?;
        if raw > i64::MAX as u64 {
            return Err(RecordError::BadField);
        }
        Ok(Seq::new(raw))
    }

    fn slot(&mut self) -> Result<SlotId, RecordError> {
        Ok(SlotId::new(self.narrow()?))
    }

    fn timestamp(&mut self) -> Result<Timestamp, RecordError> {
        let millis = self.varint()?;
        if millis > Timestamp::MAX.as_millis() {
            return Err(RecordError::BadField);
        }
        Ok(Timestamp::from_millis(millis))
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn round_trip(record: Record) {
        let mut bytes = [0; Record::ENCODED_MAX];
        let len = record.encode(&mut bytes);
        assert_eq!(Record::decode(&bytes[..len]), Ok(record));
        for cut in 0..len {
            assert!(
                Record::decode(&bytes[..cut]).is_err(),
                "{record:?} cut at {cut}"
            );
        }
    }

    #[test]
    fn every_record_round_trips_at_its_extremes() {
        let big = Seq::new(i64::MAX as u64);
        for record in [
            Record::Joined {
                person: PersonId::new(u64::MAX - 1),
                seq: big,
            },
            Record::Requeued {
                person: PersonId::new(0),
                from: Seq::new(0),
                to: big,
            },
            Record::Left { seq: Seq::new(127) },
            Record::Advanced {
                door: Timestamp::MAX,
                swept_from: Seq::new(0),
                swept_to: Seq::new(128),
                admitted_from: Seq::new(3),
                admitted_to: big,
                lease_until: Timestamp::MAX,
                bucket: Some((u64::MAX, Timestamp::MAX)),
            },
            Record::Advanced {
                door: Timestamp::ZERO,
                swept_from: Seq::new(0),
                swept_to: Seq::new(0),
                admitted_from: Seq::new(0),
                admitted_to: Seq::new(0),
                lease_until: Timestamp::ZERO,
                bucket: None,
            },
            Record::Booked {
                seq: big,
                slot: SlotId::new(u32::MAX),
                index: 14,
            },
            Record::BookingReleased {
                seq: Seq::new(1),
                slot: SlotId::new(0),
            },
            Record::Released { seq: big },
            Record::SlotAdded {
                spec: SlotSpec {
                    site: SiteId::new(u32::MAX),
                    day: Day::new(u16::MAX),
                    window: Window::new(u8::MAX),
                    capacity: u32::MAX,
                },
            },
            Record::Held {
                seq: big,
                slot: SlotId::new(u32::MAX),
                index: 14,
                until: Timestamp::MAX,
            },
            Record::HoldConfirmed {
                seq: big,
                slot: SlotId::new(u32::MAX),
            },
            Record::HoldCancelled {
                seq: Seq::new(0),
                slot: SlotId::new(0),
            },
            Record::HoldExpired {
                seq: Seq::new(300),
                slot: SlotId::new(70_000),
            },
            Record::Rebooked {
                seq: big,
                from: SlotId::new(0),
                to: SlotId::new(u32::MAX),
            },
            Record::SeriesBooked {
                seq: big,
                first: SlotId::new(u32::MAX),
                second: SlotId::new(1),
            },
            Record::SeriesReleased { seq: big },
            Record::DependantRegistered {
                holder: big,
                dependant: PersonId::new(u64::MAX - 1),
            },
            Record::GroupBooked {
                seq: big,
                slot: SlotId::new(u32::MAX),
                seats: 16,
            },
        ] {
            round_trip(record);
        }
    }

    #[test]
    fn every_answer_round_trips_and_the_largest_fits() {
        use crate::ids::OpId;
        use crate::status::{
            BookedSlots, Booking, GroupBooking, Hold, Place, Registered, Released, SeriesBooking,
        };
        let big = Seq::new(i64::MAX as u64);
        let slot = SlotId::new(u32::MAX);
        let answers = [
            OpAnswer::Place(Place {
                seq: big,
                is_new: true,
            }),
            OpAnswer::Booking(Booking {
                seq: big,
                slot,
                rank: u8::MAX,
            }),
            OpAnswer::Released(Released {
                seq: big,
                slots: BookedSlots::from_slice(&[slot; BookedSlots::CAPACITY]).unwrap(),
                was_waiting: false,
            }),
            OpAnswer::Released(Released {
                seq: Seq::new(0),
                slots: BookedSlots::default(),
                was_waiting: true,
            }),
            OpAnswer::Hold(Hold {
                seq: big,
                slot,
                rank: 63,
                until: Timestamp::MAX,
            }),
            OpAnswer::Series(SeriesBooking {
                seq: big,
                first: slot,
                second: SlotId::new(0),
                rank: 1,
            }),
            OpAnswer::Registered(Registered {
                holder: big,
                dependants: 15,
            }),
            OpAnswer::Group(GroupBooking {
                seq: big,
                slot,
                rank: 2,
                seats: 16,
            }),
        ];
        let mut longest = 0;
        for answer in answers {
            let record = Record::Answered {
                op: OpId::new(u64::MAX),
                digest: u64::MAX,
                answer,
            };
            round_trip(record);
            let mut bytes = [0; Record::ENCODED_MAX];
            longest = longest.max(record.encode(&mut bytes));
        }
        // The release of fifteen seats of the largest slot id is the longest record there is.
        assert_eq!(longest, Record::ENCODED_MAX);
        // A flag of 2 in an answer, and an answer of an unknown kind, are refused.
        assert_eq!(
            Record::decode(&[18, 0, 0, 1, 0, 2]),
            Err(RecordError::BadField)
        );
        assert_eq!(Record::decode(&[18, 0, 0, 9]), Err(RecordError::BadField));
        // A release listing sixteen seats is refused, not truncated.
        let mut sixteen = vec![18, 0, 0, 3, 0, 0, 16];
        sixteen.extend([0; 16]);
        assert_eq!(Record::decode(&sixteen), Err(RecordError::BadField));
    }

    #[test]
    fn every_inventory_record_round_trips_at_its_extremes() {
        let big = Seq::new(i64::MAX as u64);
        for record in [
            Record::SiteAdded {
                site: SiteId::new(u32::MAX),
                region: RegionId::new(u16::MAX),
            },
            Record::SiteAdded {
                site: SiteId::new(0),
                region: RegionId::new(0),
            },
            Record::CapacitySet {
                slot: SlotId::new(u32::MAX),
                capacity: u32::MAX,
            },
            Record::CapacitySet {
                slot: SlotId::new(0),
                capacity: 0,
            },
            Record::SlotClosed {
                slot: SlotId::new(u32::MAX),
            },
            Record::JoinedIn {
                person: PersonId::new(u64::MAX - 1),
                seq: big,
                scope: Scope::Region(RegionId::new(u16::MAX - 1)),
            },
            Record::JoinedIn {
                person: PersonId::new(0),
                seq: Seq::new(0),
                scope: Scope::Everywhere,
            },
            Record::StoodBy { seq: big },
            Record::Offered {
                seq: big,
                slot: SlotId::new(u32::MAX),
                until: Timestamp::MAX,
            },
            Record::OfferBooked { seq: Seq::new(0) },
            Record::OfferLapsed { seq: big },
            Record::DrawEntered {
                person: PersonId::new(u64::MAX - 1),
                cohort: CohortId::new(u16::MAX),
            },
            Record::Drawn {
                cohort: CohortId::new(u16::MAX),
                secret: [0xFF; 32],
            },
            Record::Drawn {
                cohort: CohortId::new(0),
                secret: core::array::from_fn(|index| index as u8),
            },
        ] {
            round_trip(record);
            let mut bytes = [0; Record::ENCODED_MAX];
            let len = record.encode(&mut bytes);
            assert!(bytes[0] >= 32, "{record:?} has tag {}", bytes[0]);
            assert!(len <= Record::ENCODED_MAX);
        }
    }

    #[test]
    fn inventory_records_refuse_what_they_did_not_write() {
        // A region above u16::MAX.
        assert_eq!(
            Record::decode(&[32, 0, 0x80, 0x80, 0x04]),
            Err(RecordError::BadField)
        );
        // A scope tag above u16::MAX.
        assert_eq!(
            Record::decode(&[35, 1, 1, 0x80, 0x80, 0x04]),
            Err(RecordError::BadField)
        );
        // A secret one byte short, and one byte long.
        let mut drawn = vec![41, 3];
        drawn.extend([7; 31]);
        assert_eq!(Record::decode(&drawn), Err(RecordError::Truncated));
        drawn.extend([7; 2]);
        assert_eq!(Record::decode(&drawn), Err(RecordError::TrailingBytes));
        // Tags past these name nothing.
        for tag in [42, 255] {
            assert_eq!(Record::decode(&[tag]), Err(RecordError::UnknownTag { tag }));
        }
    }

    #[test]
    fn bytes_it_did_not_write_are_refused() {
        assert_eq!(
            Record::decode(&[0]),
            Err(RecordError::UnknownTag { tag: 0 })
        );
        assert_eq!(Record::decode(&[3, 1, 0]), Err(RecordError::TrailingBytes));
        // A varint of eleven bytes.
        let mut long = vec![3];
        long.extend([0xFF; 10]);
        long.push(1);
        assert_eq!(Record::decode(&long), Err(RecordError::BadField));
        // A window above 255.
        assert_eq!(
            Record::decode(&[8, 0, 0, 0x80, 0x02, 1]),
            Err(RecordError::BadField)
        );
        // A bucket flag of 2.
        assert_eq!(
            Record::decode(&[4, 0, 0, 0, 0, 0, 0, 2]),
            Err(RecordError::BadField)
        );
    }
}
