//! `serde` support (feature `serde`) for the types that cannot take a derive: [`Timestamp`]
//! (its constructor clamps), [`BookedSlots`] and [`HeldSeats`] (fixed arrays with a length),
//! and the types the
//! inventory and the waiting room define, [`SlotSpec`], [`SlotView`] and [`OutflowPolicy`].
//!
//! Everything else derives its impls where it is defined. The shapes are plain: a timestamp
//! is its milliseconds, booked slots a list of slot numbers, held seats a list of
//! `{"slot":3,"until":9000}`, a slot spec
//! `{"site":12,"day":5,"window":7,"capacity":40}`.
//!
//! The inventory's and the waiting room's types get their impls through serde's "remote"
//! derive: a private mirror of the public fields here, so that the derive's attributes stay
//! out of the modules that own the types' behaviour.

use core::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::ids::{Day, SiteId, SlotId, Window};
use crate::inventory::{SlotSpec, SlotView};
use crate::status::{BookedSlots, HeldSeat, HeldSeats};
use crate::time::Timestamp;
use crate::waiting_room::OutflowPolicy;

impl Serialize for Timestamp {
    /// Milliseconds, as a plain number.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.as_millis())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    /// Milliseconds, clamped to [`Timestamp::MAX`] as [`Timestamp::from_millis`] does.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
        u64::deserialize(deserializer).map(Timestamp::from_millis)
    }
}

impl Serialize for BookedSlots {
    /// The slot numbers, in order.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for slot in self.as_slice() {
            seq.serialize_element(slot)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for BookedSlots {
    /// A list of at most [`BookedSlots::CAPACITY`] slot numbers; a longer one is an error.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<BookedSlots, D::Error> {
        deserializer.deserialize_seq(BookedSlotsVisitor)
    }
}

struct BookedSlotsVisitor;

impl<'de> Visitor<'de> for BookedSlotsVisitor {
    type Value = BookedSlots;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a list of at most {} slot numbers",
            BookedSlots::CAPACITY
        )
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<BookedSlots, A::Error> {
        let mut slots = [SlotId::new(0); BookedSlots::CAPACITY];
        let mut len = 0;
        while let Some(slot) = items.next_element::<SlotId>()? {
            // Refuse before writing: a hostile list never grows past the array.
            if len == BookedSlots::CAPACITY {
                return Err(de::Error::invalid_length(len + 1, &self));
            }
            slots[len] = slot;
            len += 1;
        }
        Ok(BookedSlots::from_slice(&slots[..len]).expect("at most CAPACITY slots, checked above"))
    }
}

impl Serialize for HeldSeats {
    /// The held seats, in order, each `{"slot":..,"until":..}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for seat in self.as_slice() {
            seq.serialize_element(seat)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for HeldSeats {
    /// A list of at most [`HeldSeats::CAPACITY`] held seats; a longer one is an error.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<HeldSeats, D::Error> {
        deserializer.deserialize_seq(HeldSeatsVisitor)
    }
}

struct HeldSeatsVisitor;

impl<'de> Visitor<'de> for HeldSeatsVisitor {
    type Value = HeldSeats;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of at most {} held seats", HeldSeats::CAPACITY)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<HeldSeats, A::Error> {
        let mut seats = [HeldSeat {
            slot: SlotId::new(0),
            until: Timestamp::ZERO,
        }; HeldSeats::CAPACITY];
        let mut len = 0;
        while let Some(seat) = items.next_element::<HeldSeat>()? {
            // Refuse before writing: a hostile list never grows past the array.
            if len == HeldSeats::CAPACITY {
                return Err(de::Error::invalid_length(len + 1, &self));
            }
            seats[len] = seat;
            len += 1;
        }
        Ok(HeldSeats::from_slice(&seats[..len]).expect("at most CAPACITY seats, checked above"))
    }
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "SlotSpec", deny_unknown_fields)]
struct SlotSpecFields {
    site: SiteId,
    day: Day,
    window: Window,
    capacity: u32,
}

impl Serialize for SlotSpec {
    /// `{"site":..,"day":..,"window":..,"capacity":..}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SlotSpecFields::serialize(self, serializer)
    }
}

impl<'de> Deserialize<'de> for SlotSpec {
    /// The four fields, all required.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SlotSpec, D::Error> {
        SlotSpecFields::deserialize(deserializer)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "SlotView", deny_unknown_fields)]
struct SlotViewFields {
    id: SlotId,
    #[serde(with = "SlotSpecFields")]
    spec: SlotSpec,
    booked: u32,
    #[serde(default)]
    closed: bool,
}

impl Serialize for SlotView {
    /// `{"id":..,"spec":{..},"booked":..,"closed":..}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SlotViewFields::serialize(self, serializer)
    }
}

impl<'de> Deserialize<'de> for SlotView {
    /// The first three fields required, `closed` false if absent.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SlotView, D::Error> {
        SlotViewFields::deserialize(deserializer)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "OutflowPolicy", deny_unknown_fields)]
struct OutflowPolicyFields {
    #[serde(default)]
    admissions_per_sec: Option<u64>,
    #[serde(default)]
    burst_max: Option<u64>,
    #[serde(default)]
    active_max: Option<u64>,
    #[serde(default)]
    stop_when_sold_out: bool,
}

impl Serialize for OutflowPolicy {
    /// `{"admissions_per_sec":..,"burst_max":..,"active_max":..,"stop_when_sold_out":..}`,
    /// absent limits as `null`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        OutflowPolicyFields::serialize(self, serializer)
    }
}

impl<'de> Deserialize<'de> for OutflowPolicy {
    /// Every field may be left out and takes its default (no limit; keep admitting when sold
    /// out); an unknown field is an error.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<OutflowPolicy, D::Error> {
        OutflowPolicyFields::deserialize(deserializer)
    }
}
