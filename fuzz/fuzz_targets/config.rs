//! Fuzz target: any `Config` at all. `Config::validate` must give exactly the error the field
//! docs call for (`fairbook_testing::validate`), on the raw values, never panicking. Then, with
//! `people_max` and `slots_max` clamped so that a build stays small (the raw values may ask for
//! terabytes, which is the caller's business, not a bug), `Engine::new` must agree with the
//! validator, and a valid engine must match the model through a few ops, starting anywhere on
//! the clock (up to `Timestamp::MAX`, where deadlines saturate).

#![no_main]

use fairbook_testing::arbitrary::{Arbitrary, Result, Unstructured};
use fairbook_testing::{Harness, Op, validate};
use fairbook::{
    CHOICES_MAX_LIMIT, COHORTS_MAX_LIMIT, CohortWindow, Config, DAYS_MAX_LIMIT, LapsePolicy,
    PEOPLE_MAX_LIMIT, REGIONS_MAX_LIMIT, RegionId, SITES_MAX_LIMIT, SLOTS_MAX_LIMIT,
    STANDBY_MAX_LIMIT, Scope, Timestamp,
};
use libfuzzer_sys::fuzz_target;

/// The largest `people_max` an engine is built with here: 40 bytes a place, and an audit after
/// every op reads every place.
const PEOPLE_MAX_BUILT: u64 = 1 << 10;
/// The largest `slots_max` an engine is built with here.
const SLOTS_MAX_BUILT: u32 = 1 << 8;
/// The largest `sites_max`, `days_max`, `regions_max`, `standby_max` and `pre_queue_max` an
/// engine is built with here (the search index is sites × days).
const INVENTORY_MAX_BUILT: u32 = 1 << 6;
/// The most ops run on a valid engine.
const OPS_MAX: usize = 64;

/// A `u64` that hits the edges of a limit often: 0, 1, the limit, one past it, the largest
/// value, or anything.
fn edgy_u64(input: &mut Unstructured<'_>, limit: u64) -> Result<u64> {
    Ok(match input.int_in_range(0..=7u8)? {
        0 => 0,
        1 => 1,
        2 => limit,
        3 => limit.saturating_add(1),
        4 => u64::MAX,
        5 => input.int_in_range(0..=64)?,
        _ => u64::arbitrary(input)?,
    })
}

/// [`edgy_u64`] for a `u32` limit (values past `u32::MAX` become `u32::MAX`).
fn edgy_u32(input: &mut Unstructured<'_>, limit: u32) -> Result<u32> {
    Ok(u32::try_from(edgy_u64(input, u64::from(limit))?).unwrap_or(u32::MAX))
}

fn timestamp(input: &mut Unstructured<'_>) -> Result<Timestamp> {
    Ok(Timestamp::from_millis(edgy_u64(
        input,
        Timestamp::MAX.as_millis(),
    )?))
}

fn cohorts(input: &mut Unstructured<'_>) -> Result<Vec<CohortWindow>> {
    let window = |input: &mut Unstructured<'_>| -> Result<CohortWindow> {
        let opens_at = timestamp(input)?;
        let closes_at = if bool::arbitrary(input)? {
            Some(timestamp(input)?)
        } else {
            None
        };
        let scope = if bool::arbitrary(input)? {
            // Now and then past `regions_max`, which the validator must refuse.
            Scope::Region(RegionId::new(input.int_in_range(0..=8)?))
        } else {
            Scope::Everywhere
        };
        Ok(CohortWindow {
            opens_at,
            closes_at,
            scope,
            draw: bool::arbitrary(input)?,
        })
    };
    // Now and then one past the limit, built from a repeated window. Only on the byte value
    // 255, because an exhausted input reads as zeros (and `ratio` as true), and 65,537 windows
    // take a while to build and check.
    let len = match input.int_in_range(0..=255u8)? {
        255 => return Ok(vec![window(input)?; COHORTS_MAX_LIMIT + 1]),
        len => usize::from(len % 5),
    };
    (0..len).map(|_| window(input)).collect()
}

fn raw_config(input: &mut Unstructured<'_>) -> Result<Config> {
    Ok(Config {
        people_max: edgy_u64(input, PEOPLE_MAX_LIMIT)?,
        slots_max: u32::try_from(edgy_u64(input, u64::from(SLOTS_MAX_LIMIT))?).unwrap_or(u32::MAX),
        sites_max: edgy_u32(input, SITES_MAX_LIMIT)?,
        days_max: edgy_u32(input, DAYS_MAX_LIMIT)?,
        regions_max: edgy_u32(input, REGIONS_MAX_LIMIT)?,
        seat_aware_door: bool::arbitrary(input)?,
        standby_max: edgy_u32(input, STANDBY_MAX_LIMIT)?,
        pre_queue_max: edgy_u32(input, u32::MAX)?,
        lease_ms: edgy_u64(input, Timestamp::MAX.as_millis())?,
        lapse_policy: if bool::arbitrary(input)? {
            LapsePolicy::Requeue
        } else {
            LapsePolicy::Forfeit
        },
        bookings_per_person_max: u8::try_from(edgy_u64(input, 15)?).unwrap_or(u8::MAX),
        choices_max: usize::try_from(edgy_u64(input, CHOICES_MAX_LIMIT as u64)?)
            .unwrap_or(usize::MAX),
        cohorts: cohorts(input)?,
        time_skew_tolerance_ms: edgy_u64(input, 1_000)?,
        time_ahead_tolerance_ms: edgy_u64(input, u64::MAX)?,
        person_hash_key: u64::arbitrary(input)?,
    })
}

fuzz_target!(|data: &[u8]| {
    let mut input = Unstructured::new(data);
    let Ok(raw) = raw_config(&mut input) else {
        return;
    };
    assert_eq!(
        raw.validate(),
        validate(&raw),
        "validator on the raw values of {raw:?}"
    );

    let config = Config {
        people_max: raw.people_max.min(PEOPLE_MAX_BUILT),
        slots_max: raw.slots_max.min(SLOTS_MAX_BUILT),
        sites_max: raw.sites_max.min(INVENTORY_MAX_BUILT),
        days_max: raw.days_max.min(INVENTORY_MAX_BUILT),
        regions_max: raw.regions_max.min(INVENTORY_MAX_BUILT),
        standby_max: raw.standby_max.min(INVENTORY_MAX_BUILT),
        pre_queue_max: raw.pre_queue_max.min(INVENTORY_MAX_BUILT),
        ..raw
    };
    let capacities: Vec<u32> = (0..input.int_in_range(0..=3u8).unwrap_or(0))
        .map(|_| input.int_in_range(0..=5u32).unwrap_or(0))
        .collect();
    let start = timestamp(&mut input).unwrap_or(Timestamp::ZERO);
    // `with_config` builds the engine and the model and asserts they agree on the verdict.
    let Ok(mut harness) = Harness::with_config(config.clone(), &capacities, start) else {
        assert!(validate(&config).is_err());
        return;
    };
    for step in 0..OPS_MAX {
        if input.is_empty() {
            break;
        }
        let Ok(op) = Op::arbitrary(&mut input) else {
            break;
        };
        if let Err(mismatch) = harness.apply(&op) {
            panic!("step {step} ({op:?}): {mismatch}\nconfig: {config:?}");
        }
    }
});
