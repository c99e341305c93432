//! `POST /api/release`: give back one booking (`{"slot": 5}`, the lease is kept) or
//! everything (an empty body: the booking or the place in line, for good).
//!
//! No pass is needed: giving back never hurts anyone else, and a person whose lease has run
//! out must still be able to cancel.
//!
//! With an `Idempotency-Key` (see [`crate::idempotency`]), a retry of a release that
//! succeeded gets its answer again instead of 409 `nothing_to_release` or `not_booked`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use fairbook::{Released, SlotId};
use serde::{Deserialize, Serialize};

use crate::ack::{Mutation, MutationKind};
use crate::api_error::ApiError;
use crate::idempotency::IdempotencyKey;
use crate::identity::Identity;
use crate::state::AppState;

/// The request body, when there is one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReleaseRequest {
    slot: Option<SlotId>,
}

/// The answer to a release.
#[derive(Serialize)]
pub(crate) struct ReleasedView {
    released: Released,
}

/// `POST /api/release`.
pub(crate) async fn release(
    State(state): State<AppState>,
    identity: Identity,
    key: IdempotencyKey,
    body: Bytes,
) -> Result<Json<ReleasedView>, ApiError> {
    let slot = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<ReleaseRequest>(&body)
            .map_err(|error| ApiError::bad_request(format!("not a release request: {error}")))?
            .slot
    };
    let now = state.clock().now();
    let engine = state.engine();
    let released = match (key.0, slot) {
        (Some(op), Some(slot)) => engine.once(op).release_booking(identity.person, slot, now),
        (Some(op), None) => engine.once(op).release(identity.person, now),
        (None, Some(slot)) => engine.release_booking(identity.person, slot, now),
        (None, None) => engine.release(identity.person, now),
    }
    .map_err(ApiError::from_release)?;
    state
        .acknowledger()
        .acknowledge(&Mutation::new(MutationKind::Release, identity.person))
        .settled()
        .await
        .map_err(ApiError::from_ack)?;
    Ok(Json(ReleasedView { released }))
}
