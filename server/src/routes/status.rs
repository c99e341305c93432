//! `GET /api/status` and `GET /api/events`: where a person stands, once or live.
//!
//! Both answer a [`StatusView`]: the engine's [`Status`] plus, once the person is admitted, a
//! signed pass for the booking endpoints. The live stream sends one server-sent event
//! (`event: status`) whenever the view changes, looking every `events_poll_ms`, and a keep-alive
//! comment in between; a second tab or a reconnect simply opens another stream and sees the
//! same place.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use fairbook::{PersonId, Status, Timestamp};
use futures_util::Stream;
use serde::Serialize;

use crate::api_error::ApiError;
use crate::identity::Identity;
use crate::state::AppState;

/// Where a person stands, as the status endpoints answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusView {
    /// Who.
    pub person: PersonId,
    /// The engine's status, tagged by `"state"`.
    pub status: Status,
    /// A signed admission pass while the person holds a lease (admitted or booked) or a seat
    /// (holding: the pass `POST /api/confirm` needs).
    pub pass: Option<String>,
}

/// The view of `person` at `now`.
pub(crate) fn view(
    state: &AppState,
    person: PersonId,
    now: Timestamp,
) -> Result<StatusView, ApiError> {
    let status = state
        .engine()
        .status(person, now)
        .map_err(ApiError::from_status)?;
    // A person holding a seat gets a pass too: the one confirm needs after a reconnect.
    let pass = match status {
        Status::Holding {
            seq, lease_until, ..
        } => Some(state.signer().sign(person, seq, lease_until)),
        _ => state.signer().sign_status(person, &status),
    }
    .map(|pass| pass.into_string());
    Ok(StatusView {
        person,
        status,
        pass,
    })
}

/// `GET /api/status`.
pub(crate) async fn status(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<StatusView>, ApiError> {
    view(&state, identity.person, state.clock().now()).map(Json)
}

/// `GET /api/events`: server-sent events, one per change of the view.
pub(crate) async fn events(
    State(state): State<AppState>,
    identity: Identity,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let poll = Duration::from_millis(state.settings().events_poll_ms.max(1));
    let stream = futures_util::stream::unfold(
        (state, identity.person, None::<String>),
        move |(state, person, last)| async move {
            // The first event goes out at once; later ones only on a change.
            let mut look_now = last.is_none();
            loop {
                if !look_now {
                    tokio::time::sleep(poll).await;
                }
                look_now = false;
                let event = match view(&state, person, state.clock().now()) {
                    Ok(view) => serde_json::to_string(&view).map(|json| ("status", json)),
                    Err(error) => serde_json::to_string(&serde_json::json!({
                        "code": error.code,
                        "message": error.message,
                    }))
                    .map(|json| ("error", json)),
                };
                let Ok((name, json)) = event else { continue };
                if last.as_deref() == Some(json.as_str()) {
                    continue;
                }
                let event = Event::default().event(name).data(json.clone());
                return Some((Ok(event), (state, person, Some(json))));
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}
