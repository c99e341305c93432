//! The `serde` feature: every value a service puts on the wire or in a file round-trips, in
//! the shapes the docs promise (ids as plain numbers, times as milliseconds, statuses and
//! errors tagged).

use std::fmt::Debug;

use fairbook::{
    AddSiteError, AddSlotError, Advanced, BookedSlots, Booking, CloseSlotError, CohortId,
    CohortWindow, Config, Day, DoorStall, DrawEntryError, DrawError, EnqueueError, LapsePolicy,
    MemoryUse, OutflowPolicy, PersonId, Place, RegionId, ReleaseError, Released, ReserveError,
    Scope, SearchError, Seq, SetCapacityError, SiteId, SlotId, SlotSpec, SlotView, StandbyError,
    Stats, Status, StatusError, TimeWentBackwards, Timestamp, Window,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Serializes, checks the shape, deserializes, checks the value.
fn round_trip<T>(value: &T, shape: Value)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let written = serde_json::to_value(value).unwrap();
    assert_eq!(written, shape, "{value:?}");
    let read: T = serde_json::from_value(written).unwrap();
    assert_eq!(&read, value);
}

fn slots(ids: &[u32]) -> BookedSlots {
    BookedSlots::from_slice(&ids.iter().map(|&id| SlotId::new(id)).collect::<Vec<_>>()).unwrap()
}

#[test]
fn ids_and_times_are_plain_numbers() {
    round_trip(&PersonId::new(u64::MAX - 1), json!(u64::MAX - 1));
    round_trip(&CohortId::new(3), json!(3));
    round_trip(&SiteId::new(14_000), json!(14_000));
    round_trip(&Day::new(13), json!(13));
    round_trip(&Window::new(7), json!(7));
    round_trip(&SlotId::new(5), json!(5));
    round_trip(&Seq::new(0), json!(0));
    round_trip(
        &Timestamp::from_millis(1_625_000_000_123),
        json!(1_625_000_000_123u64),
    );
    // A time past Timestamp::MAX is clamped, as from_millis does; a negative one is an error.
    let far: Timestamp = serde_json::from_value(json!(u64::MAX)).unwrap();
    assert_eq!(far, Timestamp::MAX);
    assert!(serde_json::from_value::<Timestamp>(json!(-1)).is_err());
    assert!(serde_json::from_value::<SlotId>(json!(u64::from(u32::MAX) + 1)).is_err());
}

#[test]
fn configs_read_with_defaults_and_refuse_unknown_fields() {
    let config = Config {
        people_max: 1_500_000,
        lease_ms: 300_000,
        lapse_policy: LapsePolicy::Requeue,
        cohorts: vec![
            CohortWindow::between(Timestamp::ZERO, Timestamp::from_secs(86_400)),
            CohortWindow::opening_at(Timestamp::from_secs(86_400)),
        ],
        ..Config::default()
    };
    let written = serde_json::to_value(&config).unwrap();
    assert_eq!(written["lapse_policy"], json!("requeue"));
    assert_eq!(
        written["cohorts"],
        json!([
            {"opens_at": 0, "closes_at": 86_400_000, "scope": "everywhere", "draw": false},
            {"opens_at": 86_400_000, "closes_at": null, "scope": "everywhere", "draw": false}
        ])
    );
    assert_eq!(serde_json::from_value::<Config>(written).unwrap(), config);

    let partial: Config = serde_json::from_value(json!({
        "people_max": 10,
        "cohorts": [{"opens_at": 5}, {}],
    }))
    .unwrap();
    assert_eq!(
        partial,
        Config {
            people_max: 10,
            cohorts: vec![
                CohortWindow::opening_at(Timestamp::from_millis(5)),
                CohortWindow::ALWAYS
            ],
            ..Config::default()
        }
    );
    assert!(serde_json::from_value::<Config>(json!({"people_maximum": 10})).is_err());
    assert!(serde_json::from_value::<Config>(json!({"lapse_policy": "bounce"})).is_err());
}

#[test]
fn slots_and_policies_have_plain_shapes() {
    let spec = SlotSpec {
        site: SiteId::new(12),
        day: Day::new(5),
        window: Window::new(7),
        capacity: 40,
    };
    round_trip(
        &spec,
        json!({"site": 12, "day": 5, "window": 7, "capacity": 40}),
    );
    assert!(
        serde_json::from_value::<SlotSpec>(json!({"site": 12, "day": 5, "window": 7})).is_err()
    );
    round_trip(
        &SlotView {
            id: SlotId::new(2),
            spec,
            booked: 3,
            closed: false,
        },
        json!({"id": 2, "spec": {"site": 12, "day": 5, "window": 7, "capacity": 40}, "booked": 3, "closed": false}),
    );
    // A view written before slots could close reads as open.
    let older: SlotView = serde_json::from_value(
        json!({"id": 2, "spec": {"site": 12, "day": 5, "window": 7, "capacity": 40}, "booked": 3}),
    )
    .unwrap();
    assert!(!older.closed);
    round_trip(
        &OutflowPolicy {
            admissions_per_sec: Some(500),
            burst_max: None,
            active_max: Some(2_000),
            stop_when_sold_out: true,
        },
        json!({"admissions_per_sec": 500, "burst_max": null, "active_max": 2_000, "stop_when_sold_out": true}),
    );
    let partial: OutflowPolicy = serde_json::from_value(json!({"admissions_per_sec": 10})).unwrap();
    assert_eq!(
        partial,
        OutflowPolicy {
            admissions_per_sec: Some(10),
            ..OutflowPolicy::default()
        }
    );
}

#[test]
fn statuses_are_tagged_by_state() {
    let seq = Seq::new(3);
    let until = Timestamp::from_secs(60);
    let cases = [
        (Status::Unknown, json!({"state": "unknown"})),
        (
            Status::Waiting {
                seq,
                ahead: 2,
                estimated_wait_ms: Some(1_500),
                door_stall: None,
            },
            json!({"state": "waiting", "seq": 3, "ahead": 2, "estimated_wait_ms": 1_500, "door_stall": null}),
        ),
        (
            Status::Waiting {
                seq,
                ahead: 2,
                estimated_wait_ms: None,
                door_stall: Some(DoorStall::NoSeat),
            },
            json!({"state": "waiting", "seq": 3, "ahead": 2, "estimated_wait_ms": null, "door_stall": "no_seat"}),
        ),
        (
            Status::InDraw {
                cohort: CohortId::new(1),
                draw_at: until,
            },
            json!({"state": "in_draw", "cohort": 1, "draw_at": 60_000}),
        ),
        (
            Status::SoldOutInScope {
                seq,
                ahead: 9,
                scope: Scope::Region(RegionId::new(2)),
                free_elsewhere: 40,
            },
            json!({"state": "sold_out_in_scope", "seq": 3, "ahead": 9, "scope": {"region": 2}, "free_elsewhere": 40}),
        ),
        (
            Status::Standby { seq },
            json!({"state": "standby", "seq": 3}),
        ),
        (
            Status::Offered {
                seq,
                slot: SlotId::new(4),
                until,
            },
            json!({"state": "offered", "seq": 3, "slot": 4, "until": 60_000}),
        ),
        (
            Status::SoldOut { seq, ahead: 9 },
            json!({"state": "sold_out", "seq": 3, "ahead": 9}),
        ),
        (
            Status::Admitted {
                seq,
                lease_until: until,
            },
            json!({"state": "admitted", "seq": 3, "lease_until": 60_000}),
        ),
        (
            Status::Booked {
                seq,
                slots: slots(&[4, 1]),
                lease_until: until,
            },
            json!({"state": "booked", "seq": 3, "slots": [4, 1], "lease_until": 60_000}),
        ),
        (
            Status::Lapsed { seq, at: until },
            json!({"state": "lapsed", "seq": 3, "at": 60_000}),
        ),
        (
            Status::Released { seq },
            json!({"state": "released", "seq": 3}),
        ),
    ];
    for (status, shape) in cases {
        round_trip(&status, shape);
    }
    // More booked slots than a person can hold is refused, not truncated.
    let sixteen: Vec<u32> = (0..16).collect();
    assert!(
        serde_json::from_value::<Status>(
            json!({"state": "booked", "seq": 3, "slots": sixteen, "lease_until": 1})
        )
        .is_err()
    );
}

#[test]
fn results_of_the_verbs_round_trip() {
    round_trip(
        &Place {
            seq: Seq::new(8),
            is_new: true,
        },
        json!({"seq": 8, "is_new": true}),
    );
    round_trip(
        &Booking {
            seq: Seq::new(8),
            slot: SlotId::new(2),
            rank: 1,
        },
        json!({"seq": 8, "slot": 2, "rank": 1}),
    );
    round_trip(
        &Released {
            seq: Seq::new(8),
            slots: slots(&[2]),
            was_waiting: false,
        },
        json!({"seq": 8, "slots": [2], "was_waiting": false}),
    );
    round_trip(
        &Advanced {
            admitted: 2,
            from: Seq::new(0),
            to: Seq::new(2),
            lease_until: Timestamp::from_secs(1),
            lapsed: 0,
            offered: 1,
            offers_lapsed: 0,
            stall: None,
        },
        json!({"admitted": 2, "from": 0, "to": 2, "lease_until": 1_000, "lapsed": 0, "offered": 1, "offers_lapsed": 0, "stall": null}),
    );
    let engine = fairbook::Engine::new(Config::default()).unwrap();
    let stats: Stats = engine.stats();
    let written = serde_json::to_value(stats).unwrap();
    assert_eq!(written["places_handed_out"], json!(0));
    assert_eq!(written["admissions_per_sec"], json!(null));
    assert_eq!(serde_json::from_value::<Stats>(written).unwrap(), stats);
    let memory: MemoryUse = engine.memory();
    let read: MemoryUse = serde_json::from_value(serde_json::to_value(memory).unwrap()).unwrap();
    assert_eq!(read, memory);
    let audit = serde_json::to_value(engine.audit()).unwrap();
    assert_eq!(audit["violations"], json!([]));
}

/// An error serializes as an object whose "code" is its `code()`, beside its fields.
#[test]
fn errors_carry_their_code() {
    fn check<E>(error: E, code: &str, shape: Value)
    where
        E: Serialize + DeserializeOwned + PartialEq + Debug,
    {
        let written = serde_json::to_value(&error).unwrap();
        assert_eq!(written["code"], json!(code), "{error:?}");
        round_trip(&error, shape);
    }
    let backwards = TimeWentBackwards {
        now: Timestamp::from_millis(1),
        latest: Timestamp::from_millis(5_000),
    };
    let error = EnqueueError::TimeWentBackwards(backwards);
    check(
        error,
        error.code(),
        json!({"code": "time_went_backwards", "now": 1, "latest": 5_000}),
    );
    let error = EnqueueError::WindowNotOpen {
        cohort: CohortId::new(1),
        opens_at: Timestamp::from_secs(9),
    };
    check(
        error,
        error.code(),
        json!({"code": "window_not_open", "cohort": 1, "opens_at": 9_000}),
    );
    let error = EnqueueError::Full { people_max: 10 };
    check(
        error,
        error.code(),
        json!({"code": "waiting_room_full", "people_max": 10}),
    );
    let error = ReserveError::NotAdmitted {
        seq: Seq::new(4),
        ahead: 3,
    };
    check(
        error,
        error.code(),
        json!({"code": "not_admitted", "seq": 4, "ahead": 3}),
    );
    let error = ReserveError::NoRoom { sold_out: true };
    check(
        error,
        error.code(),
        json!({"code": "no_room", "sold_out": true}),
    );
    let error = ReleaseError::NothingToRelease;
    check(error, error.code(), json!({"code": "nothing_to_release"}));
    let error = StatusError::TimeWentBackwards(backwards);
    check(
        error,
        error.code(),
        json!({"code": "time_went_backwards", "now": 1, "latest": 5_000}),
    );
    let error = AddSlotError::Full { slots_max: 2 };
    check(
        error,
        error.code(),
        json!({"code": "inventory_full", "slots_max": 2}),
    );
    let error = EnqueueError::SoldOutInScope {
        scope: Scope::Region(RegionId::new(1)),
        free_elsewhere: 7,
    };
    check(
        error,
        error.code(),
        json!({"code": "sold_out_in_scope", "scope": {"region": 1}, "free_elsewhere": 7}),
    );
    let error = StandbyError::LineFull { standby_max: 3 };
    check(
        error,
        error.code(),
        json!({"code": "line_full", "standby_max": 3}),
    );
    let error = SetCapacityError::BelowBooked {
        slot: SlotId::new(1),
        booked: 4,
        capacity: 2,
    };
    check(
        error,
        error.code(),
        json!({"code": "below_booked", "slot": 1, "booked": 4, "capacity": 2}),
    );
    let error = CloseSlotError::AlreadyClosed {
        slot: SlotId::new(1),
    };
    check(
        error,
        error.code(),
        json!({"code": "already_closed", "slot": 1}),
    );
    let error = AddSiteError::AlreadyAdded {
        site: SiteId::new(3),
        region: RegionId::new(1),
    };
    check(
        error,
        error.code(),
        json!({"code": "already_added", "site": 3, "region": 1}),
    );
    let error = SearchError::EmptyDayRange {
        first_day: Day::new(5),
        last_day: Day::new(2),
    };
    check(
        error,
        error.code(),
        json!({"code": "empty_day_range", "first_day": 5, "last_day": 2}),
    );
    let error = DrawEntryError::Full { pre_queue_max: 9 };
    check(
        error,
        error.code(),
        json!({"code": "full", "pre_queue_max": 9}),
    );
    let error = DrawError::AlreadyDrawn {
        cohort: CohortId::new(2),
    };
    check(
        error,
        error.code(),
        json!({"code": "already_drawn", "cohort": 2}),
    );
}

/// The flows' answers, statuses and errors: the same plain shapes, and an `Op` error of any
/// verb is the `OpError`'s own object, so its "code" is the same whichever verb carried it.
#[test]
fn the_flows_round_trip() {
    use fairbook::{
        ConfirmError, GroupBooking, GroupError, HeldSeat, HeldSeats, Hold, HoldError, OpError,
        OpId, RebookError, Registered, SeriesBooking,
    };
    let seat = HeldSeat {
        slot: SlotId::new(3),
        until: Timestamp::from_secs(9),
    };
    round_trip(&OpId::new(77), json!(77));
    round_trip(
        &Hold {
            seq: Seq::new(8),
            slot: SlotId::new(3),
            rank: 0,
            until: Timestamp::from_secs(9),
        },
        json!({"seq": 8, "slot": 3, "rank": 0, "until": 9_000}),
    );
    round_trip(
        &HeldSeats::from_slice(&[seat, seat]).unwrap(),
        json!([{"slot": 3, "until": 9_000}, {"slot": 3, "until": 9_000}]),
    );
    let too_many = vec![json!({"slot": 3, "until": 9_000}); HeldSeats::CAPACITY + 1];
    assert!(serde_json::from_value::<HeldSeats>(Value::Array(too_many)).is_err());
    round_trip(
        &Status::Holding {
            seq: Seq::new(8),
            lease_until: Timestamp::from_secs(2),
            bookings: slots(&[1]),
            holds: HeldSeats::from_slice(&[seat]).unwrap(),
        },
        json!({"state": "holding", "seq": 8, "lease_until": 2_000, "bookings": [1],
               "holds": [{"slot": 3, "until": 9_000}]}),
    );
    round_trip(
        &Status::Dependant {
            holder: Seq::new(8),
            slot: Some(SlotId::new(3)),
        },
        json!({"state": "dependant", "holder": 8, "slot": 3}),
    );
    round_trip(
        &SeriesBooking {
            seq: Seq::new(8),
            first: SlotId::new(1),
            second: SlotId::new(4),
            rank: 0,
        },
        json!({"seq": 8, "first": 1, "second": 4, "rank": 0}),
    );
    round_trip(
        &Registered {
            holder: Seq::new(8),
            dependants: 2,
        },
        json!({"holder": 8, "dependants": 2}),
    );
    round_trip(
        &GroupBooking {
            seq: Seq::new(8),
            slot: SlotId::new(3),
            rank: 1,
            seats: 3,
        },
        json!({"seq": 8, "slot": 3, "rank": 1, "seats": 3}),
    );
    let conflict = OpError::Conflict { op: OpId::new(77) };
    let shape = json!({"code": "op_conflict", "op": 77});
    round_trip(&conflict, shape.clone());
    round_trip(&ReserveError::Op(conflict), shape.clone());
    round_trip(&HoldError::Op(conflict), shape.clone());
    round_trip(&EnqueueError::Op(conflict), shape);
    assert_eq!(ReserveError::Op(conflict).code(), "op_conflict");
    round_trip(
        &GroupError::Op(OpError::NotRemembered),
        json!({"code": "ops_not_remembered"}),
    );
    let error = HoldError::TtlOutOfRange {
        given: 0,
        max: 60_000,
    };
    assert_eq!(error.code(), "ttl_out_of_range");
    round_trip(
        &error,
        json!({"code": "ttl_out_of_range", "given": 0, "max": 60_000}),
    );
    let error = ConfirmError::NotHeld {
        slot: SlotId::new(3),
    };
    assert_eq!(error.code(), "not_held");
    round_trip(&error, json!({"code": "not_held", "slot": 3}));
    let error = RebookError::SeriesLeg {
        slot: SlotId::new(3),
    };
    assert_eq!(error.code(), "series_leg");
    round_trip(&error, json!({"code": "series_leg", "slot": 3}));
    let error = ReserveError::Dependant {
        holder: Seq::new(8),
    };
    assert_eq!(error.code(), "dependant");
    round_trip(&error, json!({"code": "dependant", "holder": 8}));
}
