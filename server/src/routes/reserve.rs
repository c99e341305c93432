//! `POST /api/reserve`: an admitted person books the first slot with room from their ranked
//! choices.
//!
//! The request must bring the admission pass (`x-fairbook-pass`), checked with the
//! campaign's keys before the engine is asked: no valid pass of this very person, no booking.
//! The pass's place is the engine's ticket (`reserve_with_ticket`), which the engine checks
//! against its own record, so a stale pass never books more than `reserve` would.
//!
//! A retry of the same request after a success is answered 200 with the same booking: the
//! engine returns a booking the person already holds among the choices instead of booking
//! again. With an `Idempotency-Key` (see [`crate::idempotency`]) the retry gets exactly the
//! first answer, even after the booking was released or the server restarted on its journal,
//! and the same key with other choices is 409 `op_conflict`; the call then goes through
//! `Engine::once`, which has no ticketed reserve, so the engine looks the person up itself.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use fairbook::{Booking, ReserveError, SlotId};
use serde::{Deserialize, Serialize};

use crate::ack::{Mutation, MutationKind};
use crate::api_error::ApiError;
use crate::idempotency::IdempotencyKey;
use crate::identity::{Identity, PresentedPass};
use crate::state::AppState;

/// The request body: slot ids, best first.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReserveRequest {
    choices: Vec<SlotId>,
}

/// The answer to a booking.
#[derive(Serialize)]
pub(crate) struct Reserved {
    booking: Booking,
}

/// `POST /api/reserve`.
pub(crate) async fn reserve(
    State(state): State<AppState>,
    identity: Identity,
    pass: PresentedPass,
    key: IdempotencyKey,
    body: Bytes,
) -> Result<Json<Reserved>, ApiError> {
    // Parsed here rather than by axum's `Json`, which wraps the deserializer to track error
    // paths on every request, failed or not (a visible share of this handler under perf).
    let request: ReserveRequest = serde_json::from_slice(&body)
        .map_err(|error| ApiError::bad_request(format!("not a reserve request: {error}")))?;
    let now = state.clock().now();
    let claims = state
        .verifier()
        .verify(&pass.0, identity.person, now)
        .map_err(ApiError::from_pass)?;
    let booking = match key.0 {
        Some(op) => state
            .engine()
            .once(op)
            .reserve(identity.person, &request.choices, now),
        None => {
            state
                .engine()
                .reserve_with_ticket(identity.person, claims.seq, &request.choices, now)
        }
    }
    .map_err(|error| {
        let wait_ms = match error {
            ReserveError::NotAdmitted { ahead, .. } => {
                state.engine().stats().estimated_wait_ms(ahead)
            }
            _ => None,
        };
        ApiError::from_reserve(error, wait_ms)
    })?;
    state
        .acknowledger()
        .acknowledge(&Mutation::new(MutationKind::Reserve, identity.person))
        .settled()
        .await
        .map_err(ApiError::from_ack)?;
    Ok(Json(Reserved { booking }))
}
