//! Two-phase holds: `POST /api/hold` takes a seat provisionally, `POST /api/confirm` turns
//! it into a booking, `POST /api/cancel` gives it back; a hold nobody confirms before its
//! deadline gives its seat back by itself (the engine's door sweeps it, and the person's next
//! call finds it gone).
//!
//! - `POST /api/hold` with `{"choices": [3, 1], "ttl_ms": 60000}` holds the first listed slot
//!   with room for `ttl_ms` (1 to the campaign's `hold_ttl_max_ms`; otherwise 422
//!   `ttl_out_of_range`) and answers `{"hold": {"seq", "slot", "rank", "until"}}`. A held seat
//!   counts against the slot's capacity: nobody else can book or hold it meanwhile. Like
//!   `reserve`, it needs the admission pass (`x-fairbook-pass`), checked with the campaign's
//!   keys before the engine is asked; the engine has no ticketed hold, so the engine then
//!   looks the person up itself and checks their live lease. Holding a slot already held
//!   answers that hold again.
//! - `POST /api/confirm` with `{"slot": 3}` turns the person's live hold of the slot into a
//!   booking (`{"booking": ...}`); a hold that expired, was cancelled or never was answers
//!   409 `not_held`. It needs the pass too, but a pass whose lease ran out is accepted once
//!   its signature and person check out: a confirm needs a live hold, not a live lease (the
//!   engine's rule), and the hold's deadline is the engine's to enforce.
//! - `POST /api/cancel` with `{"slot": 3}` gives a held seat back (`{"released": ...}`). No
//!   pass is needed, as for `release`: giving back never hurts anyone else.
//!
//! All three need the campaign's `holds_max` above 0; otherwise they answer 501 `holds_off`.
//!
//! All three take an `Idempotency-Key` (see [`crate::idempotency`]): a retried hold gets the
//! first hold (its deadline included), a retried confirm the booking and a retried cancel
//! the first answer, and the same key with another body is 409 `op_conflict`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use fairbook::pass::PassError;
use fairbook::{Booking, Hold, HoldError, Released, SlotId, Timestamp};
use serde::{Deserialize, Serialize};

use crate::ack::{Mutation, MutationKind};
use crate::api_error::ApiError;
use crate::idempotency::IdempotencyKey;
use crate::identity::{Identity, PresentedPass};
use crate::state::AppState;

/// The body of `POST /api/hold`: slot ids, best first, and how long to hold.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HoldRequest {
    choices: Vec<SlotId>,
    ttl_ms: u64,
}

/// The body of `POST /api/confirm` and `POST /api/cancel`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SlotRequest {
    slot: SlotId,
}

/// The answer to a hold.
#[derive(Serialize)]
pub(crate) struct Held {
    hold: Hold,
}

/// The answer to a confirm.
#[derive(Serialize)]
pub(crate) struct Confirmed {
    booking: Booking,
}

/// The answer to a cancel.
#[derive(Serialize)]
pub(crate) struct Cancelled {
    released: Released,
}

fn parse<'a, T: Deserialize<'a>>(body: &'a [u8], what: &str) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|error| ApiError::bad_request(format!("not a {what} request: {error}")))
}

/// `POST /api/hold`.
pub(crate) async fn hold(
    State(state): State<AppState>,
    identity: Identity,
    pass: PresentedPass,
    key: IdempotencyKey,
    body: Bytes,
) -> Result<Json<Held>, ApiError> {
    let request: HoldRequest = parse(&body, "hold")?;
    let now = state.clock().now();
    state
        .verifier()
        .verify(&pass.0, identity.person, now)
        .map_err(ApiError::from_pass)?;
    let (person, choices, ttl_ms) = (identity.person, &request.choices, request.ttl_ms);
    let hold = match key.0 {
        Some(op) => state.engine().once(op).hold(person, choices, ttl_ms, now),
        None => state.engine().hold(person, choices, ttl_ms, now),
    }
    .map_err(|error| {
        let wait_ms = match error {
            HoldError::NotAdmitted { ahead, .. } => state.engine().stats().estimated_wait_ms(ahead),
            _ => None,
        };
        ApiError::from_hold(error, wait_ms)
    })?;
    state
        .acknowledger()
        .acknowledge(&Mutation::new(MutationKind::Hold, identity.person))
        .settled()
        .await
        .map_err(ApiError::from_ack)?;
    Ok(Json(Held { hold }))
}

/// Checks `pass` for a confirm: genuine and this person's, its lease live or not.
fn verify_for_confirm(
    state: &AppState,
    pass: &PresentedPass,
    identity: Identity,
    now: Timestamp,
) -> Result<(), ApiError> {
    match state.verifier().verify(&pass.0, identity.person, now) {
        Ok(_) => Ok(()),
        // The signature checked out before the deadline was looked at; check the person at
        // a moment the pass was live.
        Err(PassError::Expired { lease_until }) => {
            let live = Timestamp::from_millis(lease_until.as_millis().saturating_sub(1));
            state
                .verifier()
                .verify(&pass.0, identity.person, live)
                .map(|_| ())
                .map_err(ApiError::from_pass)
        }
        Err(error) => Err(ApiError::from_pass(error)),
    }
}

/// `POST /api/confirm`.
pub(crate) async fn confirm(
    State(state): State<AppState>,
    identity: Identity,
    pass: PresentedPass,
    key: IdempotencyKey,
    body: Bytes,
) -> Result<Json<Confirmed>, ApiError> {
    let request: SlotRequest = parse(&body, "confirm")?;
    let now = state.clock().now();
    verify_for_confirm(&state, &pass, identity, now)?;
    let booking = match key.0 {
        Some(op) => state
            .engine()
            .once(op)
            .confirm(identity.person, request.slot, now),
        None => state.engine().confirm(identity.person, request.slot, now),
    }
    .map_err(ApiError::from_confirm)?;
    state
        .acknowledger()
        .acknowledge(&Mutation::new(MutationKind::Confirm, identity.person))
        .settled()
        .await
        .map_err(ApiError::from_ack)?;
    Ok(Json(Confirmed { booking }))
}

/// `POST /api/cancel`.
pub(crate) async fn cancel(
    State(state): State<AppState>,
    identity: Identity,
    key: IdempotencyKey,
    body: Bytes,
) -> Result<Json<Cancelled>, ApiError> {
    let request: SlotRequest = parse(&body, "cancel")?;
    let now = state.clock().now();
    let released = match key.0 {
        Some(op) => state
            .engine()
            .once(op)
            .cancel(identity.person, request.slot, now),
        None => state.engine().cancel(identity.person, request.slot, now),
    }
    .map_err(ApiError::from_cancel)?;
    state
        .acknowledger()
        .acknowledge(&Mutation::new(MutationKind::Cancel, identity.person))
        .settled()
        .await
        .map_err(ApiError::from_ack)?;
    Ok(Json(Cancelled { released }))
}
