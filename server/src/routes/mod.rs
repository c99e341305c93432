//! The HTTP surface: one module per endpoint family, assembled by [`router`].
//!
//! | method and path | module | what |
//! |---|---|---|
//! | `GET /` | `page` | the waiting-room page |
//! | `POST /api/join` | `join` | take a place (or get yours back) |
//! | `GET /api/status` | `status` | where you stand, with a pass once admitted |
//! | `GET /api/events` | `status` | the same, as server-sent events on every change |
//! | `POST /api/reserve` | `reserve` | book the first slot with room from ranked choices (needs the pass) |
//! | `POST /api/release` | `release` | give back a booking, or everything |
//! | `POST /api/hold` | `hold` | hold the first slot with room from ranked choices for a while (needs the pass) |
//! | `POST /api/confirm` | `hold` | turn a live hold into a booking (needs the pass) |
//! | `POST /api/cancel` | `hold` | give a held seat back |
//! | `GET /api/slots` | `slots` | the inventory, a page at a time |
//! | `GET /api/search` | `search` | slots with room by region, sites, days and windows |
//! | `POST /admin/cohorts/{id}/open` | `admin` | open a cohort's joins |
//! | `GET`, `PUT /admin/outflow` | `admin` | the door's policy |
//! | `GET /admin/stats` | `admin` | engine counters, memory, cohorts |
//! | `GET /admin/audit` | `admin` | a full recount of every invariant |
//! | `GET`, `POST /floor` | `floor` | a trivial handler: the HTTP floor the load test compares with |
//!
//! Every `POST` under `/api/` (join, reserve, release, hold, confirm, cancel) takes an
//! `Idempotency-Key` header: a retry with the same key and body gets the first answer, the
//! same key with another body is 409 `op_conflict`, a malformed key 400
//! `idempotency_key_invalid`, and a campaign that remembers no operations answers 501
//! `ops_not_remembered` (see [`crate::idempotency`]).

mod admin;
mod floor;
mod hold;
mod join;
mod page;
mod release;
mod reserve;
mod search;
mod slots;
mod status;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub use status::StatusView;

/// Every route, with the shared state.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/api/join", post(join::join))
        .route("/api/status", get(status::status))
        .route("/api/events", get(status::events))
        .route("/api/reserve", post(reserve::reserve))
        .route("/api/release", post(release::release))
        .route("/api/hold", post(hold::hold))
        .route("/api/confirm", post(hold::confirm))
        .route("/api/cancel", post(hold::cancel))
        .route("/api/slots", get(slots::slots))
        .route("/api/search", get(search::search))
        .route("/admin/cohorts/{cohort}/open", post(admin::open_cohort))
        .route(
            "/admin/outflow",
            get(admin::outflow).put(admin::set_outflow),
        )
        .route("/admin/stats", get(admin::stats))
        .route("/admin/audit", get(admin::audit))
        .route("/floor", get(floor::floor).post(floor::floor_with_body))
        .with_state(state)
}
