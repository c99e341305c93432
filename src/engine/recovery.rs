//! Rebuilding an engine from what a journal kept: [`Engine::apply`] replays one
//! [`Record`], [`Engine::snapshot`] and [`Engine::from_snapshot`] write and read the whole
//! state as bytes, and [`Engine::recover`] does all of it for a journal's recovery.
//!
//! # Why replay is exact
//!
//! Each record is made while the state it describes is held (see [`RecordSink`]), so one
//! person's records reach the journal in the order of their effects, and the door's record of
//! an admission is in before anyone can act on it. Records of different people commute,
//! with two exceptions that the recording points take care of: a seat (a booking is recorded
//! after its seat is taken, a release before its seat is given back, so the journal never
//! shows a slot over capacity) and the door (it holds the busy bits of the people it admits
//! while it records). Replaying the journal in its order therefore passes through states the
//! engine could have been in, and ends in the state it was in when the last record was made.
//!
//! # Snapshot format
//!
//! Little-endian, fixed width. `FBSNAP03` (8 bytes); `bookings_per_person_max` (u8); the
//! flows on (u8: 1 holds, 2 series, 4 groups, 8 remembered operations), which must be those
//! of the loading engine's configuration; the door's clock plus one, 0 for none (u64); the
//! admission cursor (u64); the lapse sweep's cursor (u64); the token bucket: a flag (u8),
//! tokens in thousandths (u64), last refill in ms (u64); the admission-rate samples: count
//! (u8), next (u8), 16 pairs of (ms, cursor) (u64 each); the admission rate's bits (u64); the
//! slot count (u32), then per slot its site (u32), day (u16), window (u8) and capacity (u32);
//! the place count (u64), then per place its person (u64), its packed state (u64, see
//! `waiting_room/person_state.rs`), its `bookings_per_person_max` ledger cells (u32 each,
//! slot + 1 or 0, bit 31 set for a hold), with holds on the cells' hold deadlines (u64 each,
//! 0 for a cell that is not a hold), and with series on its series (u64: leg 1 + 1 in the
//! high half, leg 2 + 1 in the low half, 0 for none). With groups on, then: the group count
//! (u64), per group its holder's place (u64), its size (u8) and per dependant the person
//! (u64) and their seat (u32, slot + 1 or 0). With remembered operations on, last: the bucket
//! count (u64), per bucket its count of answers stored (u64) and its answers (u8), oldest
//! first, each its order (u64) and its [`Record::Answered`] encoded (a length, u8, then the
//! bytes). A seat held for an offer is the ledger cell after the place's bookings (not a
//! hold). Last, the section of sites, supply, scopes, standby and draws (see
//! `recovery_inventory.rs`), which ends with its own length. Everything else (the person
//! table, the slots' booked counts, the open-slot, active, hold and group counts, the count of
//! leavers, the door's marks) is rebuilt from these, and checked.

use std::sync::Arc;

use super::idempotency::Answered;
use super::{AdvanceState, Engine, RATE_SAMPLES};
use crate::config::{Config, ConfigError};
use crate::error::{ApplyError, RecoverError, SnapshotError};
use crate::ids::{Day, PersonId, Seq, SiteId, SlotId, Window};
use crate::inventory::{Ledger, SlotSpec};
use crate::record::{Record, RecordSink, Recorder};
use crate::time::Timestamp;
use crate::waiting_room::{Locked, PlaceImage, TokenBucket};

/// `FBSNAP01` was the core alone; `FBSNAP02` added either the flows (holds, series, groups,
/// remembered operations) or the section of sites, supply, scopes, standby and draws;
/// `FBSNAP03` has both: the flows in the core, the section after it.
const MAGIC: &[u8; 8] = b"FBSNAP03";

/// A group as a snapshot writes it: the holder's place, the dependants and their seats.
type GroupImage = (Seq, Vec<(PersonId, Option<SlotId>)>);

/// The flows on, as the snapshot's flags byte says them.
const HOLDS: u8 = 1;
const SERIES: u8 = 2;
const GROUPS: u8 = 4;
const OPS: u8 = 8;

impl Engine {
    /// Applies one [`Record`] that an engine with the same [`Config`] made, as that engine
    /// applied it: the way a recovery replays a journal and a replica follows one.
    ///
    /// Call it only on an engine no other thread uses, with records in the order the sink
    /// received them. It hands nothing to this engine's own sink.
    ///
    /// # Errors
    /// [`ApplyError::Inconsistent`] if the record does not fit the state (a journal that is
    /// not this engine's history, or out of order); nothing changes then.
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, PersonId, Record, Seq, Status, Timestamp};
    /// let replica = Engine::new(Config::default())?;
    /// replica.apply(&Record::Joined { person: PersonId::new(3), seq: Seq::new(0) })?;
    /// let status = replica.status(PersonId::new(3), Timestamp::ZERO)?;
    /// assert!(matches!(status, Status::Waiting { seq, .. } if seq == Seq::new(0)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply(&self, record: &Record) -> Result<(), ApplyError> {
        self.apply_record(record)
            .map_err(|reason| ApplyError::Inconsistent {
                record: *record,
                reason,
            })
    }

    fn apply_record(&self, record: &Record) -> Result<(), &'static str> {
        // Replay is not bound by the clock: the record says the change happened.
        let any_time = Timestamp::ZERO;
        match *record {
            Record::Joined { person, seq } => self.room.replay_join(person, seq),
            Record::Requeued { person, from, to } => self.room.replay_requeue(person, from, to),
            Record::Left { seq } => match self.room.lock_place(seq, any_time) {
                Ok(Locked::Waiting(guard)) => {
                    guard.leave();
                    Ok(())
                }
                _ => Err("the place left is not waiting"),
            },
            Record::Advanced {
                door,
                swept_from,
                swept_to,
                admitted_from,
                admitted_to,
                lease_until,
                bucket,
            } => {
                let mut state = self.advance.lock();
                if swept_from.as_u64() != state.sweep_cursor {
                    return Err("the sweep does not start at the sweep cursor");
                }
                self.room.replay_advance(
                    door,
                    (swept_from, swept_to),
                    (admitted_from, admitted_to),
                    lease_until,
                )?;
                self.clock.set_door(door);
                state.sweep_cursor = swept_to.as_u64();
                state.bucket = TokenBucket::from_state(
                    bucket.map(|(tokens_milli, at)| (tokens_milli, at.as_millis())),
                );
                self.record_rate_sample(&mut state, door, admitted_to.as_u64());
                Ok(())
            }
            Record::Booked { seq, slot, index } => {
                let Ok(Locked::Admitted(guard)) = self.room.lock_place(seq, any_time) else {
                    return Err("the place booking holds no lease");
                };
                if !self.inventory.contains(slot) {
                    return Err("the slot booked does not exist");
                }
                let count = guard.bookings_count();
                if index != count || count >= self.config.bookings_per_person_max {
                    return Err("the booking is not the person's next one");
                }
                if self.ledger.position(seq, count, slot).is_some() {
                    return Err("the person already holds the slot");
                }
                if !self.inventory.try_take(slot) {
                    return Err("the slot booked is full");
                }
                self.ledger.set(seq, count, Some(slot));
                guard.commit_bookings(count + 1);
                Ok(())
            }
            Record::BookingReleased { seq, slot } => {
                let Ok(Locked::Admitted(guard)) = self.room.lock_place(seq, any_time) else {
                    return Err("the place releasing holds no lease");
                };
                let count = guard.bookings_count();
                let index = self
                    .ledger
                    .booking_position(seq, count, slot)
                    .ok_or("the person does not hold the slot")?;
                if self.series.is_leg(seq, slot) {
                    return Err("the booking released is a leg of a series");
                }
                self.give_back_group_seats_in(seq, slot);
                self.inventory.give_back(slot);
                self.remove_cell(seq, count, index);
                guard.commit_bookings(count - 1);
                Ok(())
            }
            // Bookings, a seat held for an offer, or a place on standby (see
            // `recovery_inventory.rs`).
            Record::Released { seq } => self.replay_released(seq),
            Record::SlotAdded { spec } => self
                .inventory
                .add(spec, || ())
                .map(drop)
                .map_err(|_| "the slot does not fit the inventory"),
            Record::Held {
                seq,
                slot,
                index,
                until,
            } => self.replay_held(seq, slot, index, until),
            Record::HoldConfirmed { seq, slot } => self.replay_hold_end(seq, slot, true),
            Record::HoldCancelled { seq, slot } | Record::HoldExpired { seq, slot } => {
                self.replay_hold_end(seq, slot, false)
            }
            Record::Rebooked { seq, from, to } => self.replay_rebooked(seq, from, to),
            Record::SeriesBooked { seq, first, second } => {
                self.replay_series_booked(seq, first, second)
            }
            Record::SeriesReleased { seq } => self.replay_series_released(seq),
            Record::DependantRegistered { holder, dependant } => {
                self.replay_registered(holder, dependant)
            }
            Record::GroupBooked { seq, slot, seats } => self.replay_group_booked(seq, slot, seats),
            Record::Answered { op, digest, answer } => self.ops.replay(op.as_u64(), digest, answer),
            // Tags from 32 up: sites, supply, scopes, standby and draws.
            _ => self.apply_inventory_record(record),
        }
    }

    /// The flows on, as the snapshot's flags byte says them.
    fn flows_flags(&self) -> u8 {
        let mut flags = 0;
        if self.holds.is_on() {
            flags |= HOLDS;
        }
        if self.series.is_on() {
            flags |= SERIES;
        }
        if self.groups.is_on() {
            flags |= GROUPS;
        }
        if self.ops.is_on() {
            flags |= OPS;
        }
        flags
    }

    /// Bytes per place in a snapshot.
    fn place_len(&self) -> usize {
        let per_place = usize::from(self.config.bookings_per_person_max);
        let mut len = 16 + 4 * per_place;
        if self.holds.is_on() {
            len += 8 * per_place;
        }
        if self.series.is_on() {
            len += 8;
        }
        len
    }

    /// The whole state as bytes (see the module docs for the format), to be read back by
    /// [`Engine::from_snapshot`] with the same [`Config`].
    ///
    /// Call it on an engine no other thread uses: a journal makes its snapshots on a replica
    /// it rebuilds from its own records, so that live traffic never pauses for one.
    ///
    /// # Example
    /// ```
    /// use fairbook::{CohortId, Config, Engine, PersonId, SlotSpec, Timestamp};
    /// let engine = Engine::new(Config::default())?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(2))?;
    /// engine.enqueue(PersonId::new(1), CohortId::new(0), Timestamp::ZERO)?;
    /// engine.advance(Timestamp::ZERO, 1)?;
    /// engine.reserve(PersonId::new(1), &[slot], Timestamp::ZERO)?;
    /// let copy = Engine::from_snapshot(Config::default(), None, &engine.snapshot())?;
    /// assert_eq!(copy.snapshot(), engine.snapshot());
    /// assert_eq!(copy.slot(slot).unwrap().booked, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn snapshot(&self) -> Vec<u8> {
        let state = self.advance.lock();
        let slots = self.inventory.len();
        let places = self.room.places_handed_out();
        let per_place = self.config.bookings_per_person_max;
        let mut out =
            Vec::with_capacity(200 + slots as usize * 11 + places as usize * self.place_len());
        out.extend_from_slice(MAGIC);
        out.push(per_place);
        out.push(self.flows_flags());
        let door = self.clock.door().map_or(0, |door| door.as_millis() + 1);
        for value in [door, self.room.admission_cursor(), state.sweep_cursor] {
            out.extend_from_slice(&value.to_le_bytes());
        }
        let (flag, tokens, refilled) = match state.bucket.state() {
            Some((tokens, refilled)) => (1, tokens, refilled),
            None => (0, 0, 0),
        };
        out.push(flag);
        out.extend_from_slice(&tokens.to_le_bytes());
        out.extend_from_slice(&refilled.to_le_bytes());
        out.push(state.samples_len as u8);
        out.push(state.samples_next as u8);
        for (ms, cursor) in state.samples {
            out.extend_from_slice(&ms.to_le_bytes());
            out.extend_from_slice(&cursor.to_le_bytes());
        }
        out.extend_from_slice(&self.admissions_per_sec_bits_raw().to_le_bytes());
        out.extend_from_slice(&slots.to_le_bytes());
        for raw in 0..slots {
            let spec = self.inventory.view(SlotId::new(raw)).map(|view| view.spec);
            let spec = spec.unwrap_or(SlotSpec::with_capacity(0));
            out.extend_from_slice(&spec.site.as_u32().to_le_bytes());
            out.extend_from_slice(&spec.day.as_u16().to_le_bytes());
            out.push(spec.window.as_u8());
            out.extend_from_slice(&spec.capacity.to_le_bytes());
        }
        out.extend_from_slice(&places.to_le_bytes());
        for (raw, place) in self.room.export_places().enumerate() {
            let seq = Seq::new(raw as u64);
            out.extend_from_slice(&place.person.to_le_bytes());
            out.extend_from_slice(&place.state.to_le_bytes());
            for index in 0..per_place {
                out.extend_from_slice(&self.ledger.raw(seq, index).to_le_bytes());
            }
            if self.holds.is_on() {
                for index in 0..per_place {
                    let until = if self.ledger.is_held(seq, index) {
                        self.hold_deadline(seq, index).as_millis()
                    } else {
                        0
                    };
                    out.extend_from_slice(&until.to_le_bytes());
                }
            }
            if self.series.is_on() {
                let link = self.series_of(seq).map_or(0, |(first, second)| {
                    (u64::from(first.as_u32() + 1) << 32) | u64::from(second.as_u32() + 1)
                });
                out.extend_from_slice(&link.to_le_bytes());
            }
        }
        if self.groups.is_on() {
            let groups: Vec<GroupImage> = self
                .groups_by_place()
                .map(|(seq, members)| (seq, members.collect()))
                .collect();
            out.extend_from_slice(&(groups.len() as u64).to_le_bytes());
            for (holder, members) in groups {
                out.extend_from_slice(&holder.as_u64().to_le_bytes());
                out.push(members.len() as u8);
                for (person, seat) in members {
                    out.extend_from_slice(&person.as_u64().to_le_bytes());
                    let seat = seat.map_or(0, |slot| slot.as_u32() + 1);
                    out.extend_from_slice(&seat.to_le_bytes());
                }
            }
        }
        if self.ops.is_on() {
            out.extend_from_slice(&(self.ops.buckets() as u64).to_le_bytes());
            for (stored, answered) in self.ops.export() {
                out.extend_from_slice(&stored.to_le_bytes());
                out.push(answered.len() as u8);
                for entry in answered {
                    out.extend_from_slice(&entry.order.to_le_bytes());
                    let mut bytes = [0; Record::ENCODED_MAX];
                    let len = Record::Answered {
                        op: crate::ids::OpId::new(entry.op),
                        digest: entry.digest,
                        answer: entry.answer,
                    }
                    .encode(&mut bytes);
                    out.push(len as u8);
                    out.extend_from_slice(&bytes[..len]);
                }
            }
        }
        self.write_inventory_section(&mut out);
        out
    }

    /// An engine in the state a [`Engine::snapshot`] describes, built with `config` (the
    /// engine's that made it) and, if given, handing its changes to `sink` from then on.
    ///
    /// # Errors
    /// [`SnapshotError`] if the bytes are not a snapshot, were made with other limits, or
    /// describe a state the engine could not be in (a slot over capacity, a person in two
    /// places...); never a panic, whatever the bytes.
    ///
    /// # Example
    /// See [`Engine::snapshot`].
    pub fn from_snapshot(
        config: Config,
        sink: Option<Arc<dyn RecordSink>>,
        bytes: &[u8],
    ) -> Result<Engine, SnapshotError> {
        let mut engine = Engine::build(config, Recorder::default())?;
        engine.load_snapshot(bytes)?;
        // No record follows: a place a join claimed but had not recorded when the snapshot
        // was made (a replica's, see `Engine::replica`) is nobody's.
        engine.room.seal_holes();
        engine.attach(Recorder::new(sink));
        Ok(engine)
    }

    /// Rebuilds an engine from a journal's recovery: the latest snapshot, if any, then every
    /// record after it, in order. Places claimed but never recorded (joins lost in a crash
    /// before they were durable, and so never acknowledged) are marked void: nobody holds
    /// them and the door passes them. The engine then hands its changes to `sink`.
    ///
    /// # Errors
    /// [`RecoverError`]: the configuration, the snapshot or the first record that does not
    /// fit, with its position.
    ///
    /// # Example
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use fairbook::{CohortId, Config, Engine, PersonId, Record, RecordSink, SlotSpec, Timestamp};
    ///
    /// #[derive(Default)]
    /// struct Log(Mutex<Vec<Record>>);
    /// impl RecordSink for Log {
    ///     fn record(&self, record: &Record) {
    ///         self.0.lock().unwrap().push(*record);
    ///     }
    /// }
    ///
    /// let log = Arc::new(Log::default());
    /// let engine = Engine::with_sink(Config::default(), log.clone())?;
    /// let slot = engine.add_slot(SlotSpec::with_capacity(1))?;
    /// engine.enqueue(PersonId::new(7), CohortId::new(0), Timestamp::ZERO)?;
    /// engine.advance(Timestamp::ZERO, 1)?;
    /// engine.reserve(PersonId::new(7), &[slot], Timestamp::ZERO)?;
    ///
    /// let records = log.0.lock().unwrap().clone();
    /// let recovered = Engine::recover(Config::default(), None, None, records)?;
    /// assert_eq!(recovered.snapshot(), engine.snapshot());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn recover(
        config: Config,
        sink: Option<Arc<dyn RecordSink>>,
        snapshot: Option<&[u8]>,
        records: impl IntoIterator<Item = Record>,
    ) -> Result<Engine, RecoverError> {
        let mut engine = Engine::replica(config, snapshot, records)?;
        engine.room.seal_holes();
        engine.attach(Recorder::new(sink));
        Ok(engine)
    }

    /// [`Engine::recover`] part way through a log that goes on: the snapshot, if any, then
    /// `records`, without sealing anything. Records reach a log in the order their changes
    /// were made, and a join claims its place a moment before it records it, so a log cut
    /// anywhere may hold a later place's join and not yet an earlier one's; a replica keeps
    /// that earlier place open, and its [`Engine::snapshot`] with it, so that the join's
    /// record, after the cut, still applies. Use it to build a snapshot while the log grows
    /// (a journal's snapshotter does); use [`Engine::recover`] to serve from a log that has
    /// ended. The replica has no sink.
    ///
    /// # Errors
    /// As [`Engine::recover`].
    ///
    /// # Example
    /// ```
    /// use fairbook::{Config, Engine, PersonId, Record, Seq};
    /// // Two joins whose records reached the log in the other order than their places.
    /// let log = [
    ///     Record::Joined { person: PersonId::new(2), seq: Seq::new(1) },
    ///     Record::Joined { person: PersonId::new(1), seq: Seq::new(0) },
    /// ];
    /// // A snapshot cut after the first record, then the rest of the log.
    /// let replica = Engine::replica(Config::default(), None, log[..1].iter().copied())?;
    /// let snapshot = replica.snapshot();
    /// let resumed = Engine::recover(Config::default(), None, Some(&snapshot), log[1..].iter().copied())?;
    /// assert_eq!(resumed.snapshot(), Engine::recover(Config::default(), None, None, log)?.snapshot());
    /// # Ok::<(), fairbook::RecoverError>(())
    /// ```
    pub fn replica(
        config: Config,
        snapshot: Option<&[u8]>,
        records: impl IntoIterator<Item = Record>,
    ) -> Result<Engine, RecoverError> {
        let engine = Engine::build(config, Recorder::default())?;
        if let Some(bytes) = snapshot {
            engine.load_snapshot(bytes)?;
        }
        for (index, record) in records.into_iter().enumerate() {
            engine
                .apply(&record)
                .map_err(|error| RecoverError::Record {
                    index: index as u64,
                    error,
                })?;
        }
        Ok(engine)
    }

    /// Hands the engine's changes to `recorder` from now on (recovery builds without one, so
    /// that what it replays is not recorded again).
    fn attach(&mut self, recorder: Recorder) {
        self.room.set_recorder(recorder.clone());
        self.recorder = recorder;
    }

    fn load_snapshot(&self, bytes: &[u8]) -> Result<(), SnapshotError> {
        match bytes.get(..8) {
            None => return Err(SnapshotError::Truncated),
            Some(magic) if magic != MAGIC => return Err(SnapshotError::NotASnapshot),
            Some(_) => {}
        }
        let (bytes, inventory) = Engine::read_inventory_section(bytes)?;
        self.restore_inventory_before(&inventory)?;
        self.load_core(bytes)?;
        self.restore_inventory_after(&inventory)
    }

    fn load_core(&self, bytes: &[u8]) -> Result<(), SnapshotError> {
        let mut reader = Reader { bytes };
        if reader.take(8)? != MAGIC {
            return Err(SnapshotError::NotASnapshot);
        }
        let per_place = reader.u8()?;
        if per_place != self.config.bookings_per_person_max {
            return Err(SnapshotError::Mismatch {
                what: "bookings_per_person_max",
            });
        }
        if reader.u8()? != self.flows_flags() {
            return Err(SnapshotError::Mismatch {
                what: "holds_max, series_gap_days_max, dependants_per_person_max or ops_remembered_max",
            });
        }
        let door = reader.u64()?;
        let admit_cursor = reader.u64()?;
        let sweep_cursor = reader.u64()?;
        let bucket_flag = reader.u8()?;
        let (tokens, refilled) = (reader.u64()?, reader.u64()?);
        let samples_len = usize::from(reader.u8()?);
        let samples_next = usize::from(reader.u8()?);
        let mut samples = [(0, 0); RATE_SAMPLES];
        for sample in &mut samples {
            *sample = (reader.u64()?, reader.u64()?);
        }
        let rate_bits = reader.u64()?;
        if samples_len > RATE_SAMPLES || samples_next >= RATE_SAMPLES || bucket_flag > 1 {
            return Err(SnapshotError::Inconsistent {
                reason: "the door's state is out of range",
            });
        }
        if door > Timestamp::MAX.as_millis() + 1 || sweep_cursor > admit_cursor {
            return Err(SnapshotError::Inconsistent {
                reason: "the door's clock or cursors are out of range",
            });
        }
        let slots = reader.u32()?;
        if u64::from(slots) * 11 > reader.len() {
            return Err(SnapshotError::Truncated);
        }
        let specs = (0..slots).map(|_| SlotSpec {
            site: SiteId::new(reader.u32().unwrap_or(0)),
            day: Day::new(reader.u16().unwrap_or(0)),
            window: Window::new(reader.u8().unwrap_or(0)),
            capacity: reader.u32().unwrap_or(0),
        });
        self.inventory
            .restore(specs)
            .ok_or(SnapshotError::Mismatch { what: "slots_max" })?;
        let places = reader.u64()?;
        let place_len = self.place_len();
        let places_bytes = usize::try_from(places)
            .ok()
            .and_then(|places| places.checked_mul(place_len))
            .filter(|&bytes| places <= self.room.places_max() && bytes <= reader.bytes.len())
            .ok_or(SnapshotError::Inconsistent {
                reason: "the places do not fit the snapshot, or exceed people_max",
            })?;
        let (places_bytes, rest) = reader.bytes.split_at(places_bytes);
        let images = places_bytes
            .chunks_exact(place_len)
            .map(|place| PlaceImage {
                person: u64::from_le_bytes(place[0..8].try_into().unwrap_or_default()),
                state: u64::from_le_bytes(place[8..16].try_into().unwrap_or_default()),
            });
        self.room
            .import_places(images, admit_cursor)
            .map_err(|reason| SnapshotError::Inconsistent { reason })?;
        // The bookings and holds, against the places just restored.
        for (raw, place) in places_bytes.chunks_exact(place_len).enumerate() {
            self.restore_cells(Seq::new(raw as u64), &place[16..], per_place)
                .map_err(|reason| SnapshotError::Inconsistent { reason })?;
        }
        reader.bytes = rest;
        if self.groups.is_on() {
            self.restore_groups(&mut reader)?;
        }
        if self.ops.is_on() {
            self.restore_ops(&mut reader)?;
        }
        if !reader.bytes.is_empty() {
            return Err(SnapshotError::Inconsistent {
                reason: "bytes are left after the snapshot",
            });
        }
        let mut state = self.advance.lock();
        let AdvanceState {
            sweep_cursor: state_sweep_cursor,
            bucket: state_bucket,
            samples: state_samples,
            samples_len: state_samples_len,
            samples_next: state_samples_next,
            // Recounted at every turn of the door.
            seats: _,
        } = &mut *state;
        *state_sweep_cursor = sweep_cursor;
        *state_bucket = TokenBucket::from_state((bucket_flag == 1).then_some((tokens, refilled)));
        *state_samples = samples;
        *state_samples_len = samples_len;
        *state_samples_next = samples_next;
        if let Some(door) = door.checked_sub(1) {
            self.clock.set_door(Timestamp::from_millis(door));
        }
        self.set_admissions_per_sec_bits_raw(rate_bits);
        Ok(())
    }
}

impl Engine {
    /// Restores one place's cells, hold deadlines and series from its snapshot bytes (after
    /// the person and state), taking their seats.
    fn restore_cells(&self, seq: Seq, bytes: &[u8], per_place: u8) -> Result<(), &'static str> {
        let mut reader = Reader { bytes };
        let mut cells = [0u32; 15];
        for cell in cells.iter_mut().take(usize::from(per_place)) {
            *cell = reader.u32().map_err(|_| "a place is cut short")?;
        }
        let mut deadlines = [0u64; 15];
        if self.holds.is_on() {
            for until in deadlines.iter_mut().take(usize::from(per_place)) {
                *until = reader.u64().map_err(|_| "a place is cut short")?;
            }
        }
        let held = cells.iter().take_while(|&&cell| cell != 0).count();
        if cells[held..].iter().any(|&cell| cell != 0) {
            return Err("a place's bookings have gaps");
        }
        let count = self.room.bookings_count_of(seq);
        // A seat held for an offer is in the cell after the bookings.
        if held != usize::from(count + u8::from(self.room.is_offered(seq))) {
            return Err("a place's bookings disagree with its state");
        }
        for (index, &cell) in cells[..held].iter().enumerate() {
            let index = index as u8;
            let (slot, is_hold) = Ledger::decode(cell).ok_or("a cell names no slot")?;
            let until = deadlines[usize::from(index)];
            if !self.inventory.contains(slot)
                || self.ledger.position(seq, index, slot).is_some()
                || (is_hold && (until == 0 || until > Timestamp::MAX.as_millis()))
                || (!is_hold && until != 0)
                || !self.inventory.try_take(slot)
            {
                return Err("a booking names an unknown or full slot, or one twice");
            }
            self.ledger.set_raw(seq, index, cell);
            if is_hold && !self.restore_hold(seq, index, Timestamp::from_millis(until)) {
                return Err("more holds than holds_max");
            }
        }
        if self.holds_of(seq, count) > self.config.holds_per_person_max {
            return Err("a place has more holds than holds_per_person_max");
        }
        if self.series.is_on() {
            let link = reader.u64().map_err(|_| "a place is cut short")?;
            if link != 0 {
                let (first, second) = ((link >> 32) as u32, link as u32);
                let legs = first
                    .checked_sub(1)
                    .zip(second.checked_sub(1))
                    .map(|(first, second)| (SlotId::new(first), SlotId::new(second)))
                    .filter(|&(first, second)| {
                        first != second
                            && self.ledger.booking_position(seq, count, first).is_some()
                            && self.ledger.booking_position(seq, count, second).is_some()
                    })
                    .ok_or("a series names no two bookings of its place")?;
                self.series.set(seq, Some(legs));
            }
        }
        Ok(())
    }

    fn restore_groups(&self, reader: &mut Reader<'_>) -> Result<(), SnapshotError> {
        let inconsistent = |reason| SnapshotError::Inconsistent { reason };
        let groups = reader.u64()?;
        if groups > u64::from(self.config.groups_max) {
            return Err(inconsistent("more groups than groups_max"));
        }
        let mut previous = None;
        for _ in 0..groups {
            let holder = Seq::new(reader.u64()?);
            let size = reader.u8()?;
            if previous.is_some_and(|previous| previous >= holder)
                || holder.as_u64() >= self.room.places_handed_out()
                || size == 0
                || size > self.config.dependants_per_person_max
            {
                return Err(inconsistent("a group is out of order, range or size"));
            }
            previous = Some(holder);
            let mut seats = [None; 15];
            for seat in seats.iter_mut().take(usize::from(size)) {
                let person = PersonId::new(reader.u64()?);
                *seat = reader.u32()?.checked_sub(1).map(SlotId::new);
                self.restore_registered(holder, person)
                    .map_err(inconsistent)?;
            }
            for (member, seat) in seats.iter().enumerate().take(usize::from(size)) {
                if let Some(slot) = *seat {
                    if !self.restore_group_seat(holder, member, slot) {
                        return Err(inconsistent("a dependant's seat is unknown or full"));
                    }
                }
            }
        }
        Ok(())
    }

    fn restore_ops(&self, reader: &mut Reader<'_>) -> Result<(), SnapshotError> {
        let inconsistent = |reason| SnapshotError::Inconsistent { reason };
        if reader.u64()? != self.ops.buckets() as u64 {
            return Err(SnapshotError::Mismatch {
                what: "ops_remembered_max",
            });
        }
        for bucket in 0..self.ops.buckets() {
            let stored = reader.u64()?;
            let len = reader.u8()?;
            let mut answered = Vec::with_capacity(usize::from(len));
            for _ in 0..len {
                let order = reader.u64()?;
                let record_len = reader.u8()?;
                let record = Record::decode(reader.take(usize::from(record_len))?)
                    .map_err(|_| inconsistent("a remembered answer does not decode"))?;
                let Record::Answered { op, digest, answer } = record else {
                    return Err(inconsistent("a remembered answer is another record"));
                };
                answered.push(Answered {
                    op: op.as_u64(),
                    digest,
                    order,
                    answer,
                });
            }
            if !self.ops.restore(bucket, stored, &answered) {
                return Err(inconsistent("a bucket of remembered answers does not fit"));
            }
        }
        Ok(())
    }
}

/// Little-endian fields off the front of a byte slice; running out is an error.
pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(super) fn take(&mut self, len: usize) -> Result<&'a [u8], SnapshotError> {
        if self.bytes.len() < len {
            return Err(SnapshotError::Truncated);
        }
        let (head, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Ok(head)
    }

    pub(super) fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    pub(super) fn u8(&mut self) -> Result<u8, SnapshotError> {
        Ok(self.take(1)?[0])
    }

    pub(super) fn u16(&mut self) -> Result<u16, SnapshotError> {
        Ok(u16::from_le_bytes(
            self.take(2)?.try_into().unwrap_or_default(),
        ))
    }

    pub(super) fn u32(&mut self) -> Result<u32, SnapshotError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().unwrap_or_default(),
        ))
    }

    pub(super) fn u64(&mut self) -> Result<u64, SnapshotError> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().unwrap_or_default(),
        ))
    }
}

impl From<ConfigError> for SnapshotError {
    fn from(error: ConfigError) -> SnapshotError {
        SnapshotError::Config(error)
    }
}
