//! [`OpAnswer`]: the answer of a successful operation that carried an
//! [`OpId`](crate::OpId), as the table of remembered operations keeps it and
//! [`Record::Answered`](crate::Record::Answered) journals it, so that a retry gets the same
//! answer back, even after a restart.
//!
//! Encoded as a kind byte, then the answer's fields in declaration order, with the record's
//! own varints (a flag is a varint 0 or 1; a list is its length, then its items).

use super::{Reader, RecordError, Writer};
use crate::ids::{Seq, SlotId};
use crate::status::{
    BookedSlots, Booking, GroupBooking, Hold, Place, Registered, Released, SeriesBooking,
};

/// What a remembered operation answered: one variant per kind of answer the mutating verbs
/// give.
///
/// # Example
/// ```
/// use fairbook::{OpAnswer, OpId, Place, Record, Seq};
/// let record = Record::Answered {
///     op: OpId::new(9),
///     digest: 0xFEED,
///     answer: OpAnswer::Place(Place { seq: Seq::new(3), is_new: true }),
/// };
/// let mut bytes = [0; Record::ENCODED_MAX];
/// let len = record.encode(&mut bytes);
/// assert_eq!(Record::decode(&bytes[..len]), Ok(record));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpAnswer {
    /// `enqueue`'s.
    Place(Place),
    /// `reserve`'s, `confirm`'s or `rebook`'s.
    Booking(Booking),
    /// `release`'s, `release_booking`'s or `cancel`'s.
    Released(Released),
    /// `hold`'s.
    Hold(Hold),
    /// `book_series`'.
    Series(SeriesBooking),
    /// `register_dependant`'s.
    Registered(Registered),
    /// `book_group`'s.
    Group(GroupBooking),
}

impl OpAnswer {
    pub(super) fn encode(&self, writer: &mut Writer<'_>) {
        let slot = |slot: SlotId| u64::from(slot.as_u32());
        match *self {
            OpAnswer::Place(place) => {
                writer.byte(1);
                writer.varint(place.seq.as_u64());
                writer.varint(u64::from(place.is_new));
            }
            OpAnswer::Booking(booking) => {
                writer.byte(2);
                writer.varint(booking.seq.as_u64());
                writer.varint(slot(booking.slot));
                writer.varint(u64::from(booking.rank));
            }
            OpAnswer::Released(released) => {
                writer.byte(3);
                writer.varint(released.seq.as_u64());
                writer.varint(u64::from(released.was_waiting));
                writer.varint(released.slots.len() as u64);
                for &held in released.slots.as_slice() {
                    writer.varint(slot(held));
                }
            }
            OpAnswer::Hold(hold) => {
                writer.byte(4);
                writer.varint(hold.seq.as_u64());
                writer.varint(slot(hold.slot));
                writer.varint(u64::from(hold.rank));
                writer.varint(hold.until.as_millis());
            }
            OpAnswer::Series(series) => {
                writer.byte(5);
                writer.varint(series.seq.as_u64());
                writer.varint(slot(series.first));
                writer.varint(slot(series.second));
                writer.varint(u64::from(series.rank));
            }
            OpAnswer::Registered(registered) => {
                writer.byte(6);
                writer.varint(registered.holder.as_u64());
                writer.varint(u64::from(registered.dependants));
            }
            OpAnswer::Group(group) => {
                writer.byte(7);
                writer.varint(group.seq.as_u64());
                writer.varint(slot(group.slot));
                writer.varint(u64::from(group.rank));
                writer.varint(u64::from(group.seats));
            }
        }
    }

    pub(super) fn decode(reader: &mut Reader<'_>) -> Result<OpAnswer, RecordError> {
        Ok(match reader.byte()? {
            1 => OpAnswer::Place(Place {
                seq: reader.seq()?,
                is_new: flag(reader)?,
            }),
            2 => OpAnswer::Booking(Booking {
                seq: reader.seq()?,
                slot: reader.slot()?,
                rank: reader.narrow()?,
            }),
            3 => {
                let seq: Seq = reader.seq()?;
                let was_waiting = flag(reader)?;
                let len: usize = reader.narrow()?;
                if len > BookedSlots::CAPACITY {
                    return Err(RecordError::BadField);
                }
                let mut slots = [SlotId::new(0); BookedSlots::CAPACITY];
                for held in &mut slots[..len] {
                    *held = reader.slot()?;
                }
                OpAnswer::Released(Released {
                    seq,
                    slots: BookedSlots::from_slice(&slots[..len]).ok_or(RecordError::BadField)?,
                    was_waiting,
                })
            }
            4 => OpAnswer::Hold(Hold {
                seq: reader.seq()?,
                slot: reader.slot()?,
                rank: reader.narrow()?,
                until: reader.timestamp()?,
            }),
            5 => OpAnswer::Series(SeriesBooking {
                seq: reader.seq()?,
                first: reader.slot()?,
                second: reader.slot()?,
                rank: reader.narrow()?,
            }),
            6 => OpAnswer::Registered(Registered {
                holder: reader.seq()?,
                dependants: reader.narrow()?,
            }),
            7 => OpAnswer::Group(GroupBooking {
                seq: reader.seq()?,
                slot: reader.slot()?,
                rank: reader.narrow()?,
                seats: reader.narrow()?,
            }),
            _ => return Err(RecordError::BadField),
        })
    }
}

fn flag(reader: &mut Reader<'_>) -> Result<bool, RecordError> {
    match reader.varint()? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(RecordError::BadField),
    }
}
