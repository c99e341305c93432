//! `GET /floor`: a handler that does nothing, measured beside the engine's endpoints so that
//! the load test can tell the engine's cost from HTTP's.

use axum::Json;
use serde::Serialize;

/// A body of the size of a small status answer's envelope.
#[derive(Serialize)]
pub(crate) struct Floor {
    ok: bool,
}

/// `{"ok":true}`.
pub(crate) async fn floor() -> Json<Floor> {
    Json(Floor { ok: true })
}
