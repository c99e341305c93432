//! `GET` and `POST /floor`: handlers that do nothing, measured beside the engine's endpoints
//! so that the load test can tell the engine's cost from HTTP's. The `POST` one reads its
//! body, as every handler that takes one must.

use axum::Json;
use axum::body::Bytes;
use serde::Serialize;

/// A body of the size of a small status answer's envelope.
#[derive(Serialize)]
pub(crate) struct Floor {
    ok: bool,
}

/// `GET /floor`: `{"ok":true}`.
pub(crate) async fn floor() -> Json<Floor> {
    Json(Floor { ok: true })
}

/// `POST /floor`: reads the body, ignores it, `{"ok":true}`.
pub(crate) async fn floor_with_body(body: Bytes) -> Json<Floor> {
    drop(body);
    Json(Floor { ok: true })
}
