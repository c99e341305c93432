//! `POST /api/join`: a person takes their place in line, or gets theirs back.
//!
//! Any number of devices, retries and reconnects of one person get the same place (the
//! engine's promise); the answer is the place and the person's status (with a pass if they
//! are already admitted). A cohort an admin has not opened yet is refused with
//! `cohort_not_open` before the engine is asked.
//!
//! With an `Idempotency-Key` (see [`crate::idempotency`]), a retry gets the first answer's
//! `place` (`is_new` included: a client can tell that its first try took the place) while
//! `status` and `pass` are read afresh.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use fairbook::{PersonId, Place, Status};
use serde::Serialize;

use crate::ack::{Mutation, MutationKind};
use crate::api_error::ApiError;
use crate::idempotency::IdempotencyKey;
use crate::identity::Identity;
use crate::routes::status::view;
use crate::state::AppState;

/// The answer to a join.
#[derive(Serialize)]
pub(crate) struct Joined {
    person: PersonId,
    place: Place,
    status: Status,
    pass: Option<String>,
}

/// `POST /api/join`.
pub(crate) async fn join(
    State(state): State<AppState>,
    identity: Identity,
    key: IdempotencyKey,
) -> Result<Json<Joined>, ApiError> {
    if state.is_cohort_open(identity.cohort) == Some(false) {
        let name = state.cohort_name(identity.cohort).unwrap_or_default();
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "cohort_not_open",
            format!("cohort {} ({name}) may not join yet", identity.cohort),
        ));
    }
    let now = state.clock().now();
    let place = match key.0 {
        Some(op) => state
            .engine()
            .once(op)
            .enqueue(identity.person, identity.cohort, now),
        None => state
            .engine()
            .enqueue(identity.person, identity.cohort, now),
    }
    .map_err(|error| ApiError::from_enqueue(error, now))?;
    state
        .acknowledger()
        .acknowledge(&Mutation::new(
            MutationKind::Join {
                is_new: place.is_new,
            },
            identity.person,
        ))
        .settled()
        .await
        .map_err(ApiError::from_ack)?;
    let view = view(&state, identity.person, now)?;
    Ok(Json(Joined {
        person: identity.person,
        place,
        status: view.status,
        pass: view.pass,
    }))
}
