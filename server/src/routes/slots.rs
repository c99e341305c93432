//! `GET /api/slots?from=0&limit=100`: the inventory in slot order, a page at a time, with
//! what is still free; enough for a person to pick ranked choices on a small campaign.
//!
//! Finding slots with room by site, region, day or window is `GET /api/search` (the
//! engine's index, not a scan).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use fairbook::{SlotId, SlotView};
use serde::{Deserialize, Serialize};

use crate::api_error::ApiError;
use crate::state::AppState;

/// The query string.
#[derive(Deserialize)]
pub(crate) struct SlotsQuery {
    #[serde(default)]
    from: u32,
    limit: Option<u32>,
}

/// One page of slots.
#[derive(Serialize)]
pub(crate) struct SlotsPage {
    slots: Vec<SlotView>,
    /// Where the next page starts, if there is one.
    next: Option<u32>,
    total: u32,
}

/// `GET /api/slots`.
pub(crate) async fn slots(
    State(state): State<AppState>,
    query: Result<Query<SlotsQuery>, QueryRejection>,
) -> Result<Json<SlotsPage>, ApiError> {
    let Query(query) = query.map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
    let page_max = state.settings().slots_page_max;
    let limit = query.limit.unwrap_or(page_max).min(page_max);
    let total = state.engine().stats().slots;
    let end = query.from.saturating_add(limit).min(total);
    let slots = (query.from..end)
        .filter_map(|id| state.engine().slot(SlotId::new(id)))
        .collect();
    Ok(Json(SlotsPage {
        slots,
        next: (end < total).then_some(end),
        total,
    }))
}
