//! `GET /api/search`: slots with a free seat, by area, days and windows, in the engine's
//! stated order, with the free seats of the whole selection.
//!
//! | parameter | what | default |
//! |---|---|---|
//! | `region` | one region's sites, in the order they were added | everywhere |
//! | `sites` | a comma-separated list of sites, in the order to search them (at most 256) | everywhere |
//! | `first_day`, `last_day` | the days, both included | every day |
//! | `windows` | a comma-separated list of windows | every window |
//! | `limit` | how many slots to list (at most the campaign's `slots_page_max`) | `slots_page_max` |
//!
//! `region` and `sites` are exclusive. The answer is
//! `{"slots": [...], "free_seats": 12, "sold_out_in_region": false}`, the last only with
//! `region`. A search reads the engine's index without a lock (see `Engine::search`): every
//! slot listed had a free seat when it was read, and "sold out" is never said while a seat of
//! the region is free. Bad parameters are 400 `bad_request`; ids out of the engine's ranges
//! are 400 with the engine's code (`region_out_of_range`, `site_out_of_range`,
//! `empty_day_range`).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use fairbook::{Day, RegionId, SiteId, SlotFilter, SlotView, Window, WindowSet};
use serde::{Deserialize, Serialize};

use crate::api_error::ApiError;
use crate::state::AppState;

/// The most sites one search may list.
const SITES_MAX: usize = 256;

/// The query string.
#[derive(Deserialize)]
pub(crate) struct SearchQuery {
    region: Option<u16>,
    sites: Option<String>,
    first_day: Option<u16>,
    last_day: Option<u16>,
    windows: Option<String>,
    limit: Option<u32>,
}

/// The slots found.
#[derive(Serialize)]
pub(crate) struct Found {
    slots: Vec<SlotView>,
    /// Free seats in everything the filter selects (not only the slots listed).
    free_seats: u64,
    /// With `region`: whether the region has slots and none has a free seat.
    #[serde(skip_serializing_if = "Option::is_none")]
    sold_out_in_region: Option<bool>,
}

/// A comma-separated list of small numbers, at most `max` of them.
fn numbers<T: std::str::FromStr>(text: &str, what: &str, max: usize) -> Result<Vec<T>, ApiError> {
    let parts: Vec<&str> = text.split(',').filter(|part| !part.is_empty()).collect();
    if parts.len() > max {
        return Err(ApiError::bad_request(format!(
            "{what} lists {} ids; at most {max} are taken",
            parts.len()
        )));
    }
    parts
        .into_iter()
        .map(|part| {
            part.trim()
                .parse()
                .map_err(|_| ApiError::bad_request(format!("{what}: {part:?} is not a valid id")))
        })
        .collect()
}

/// `GET /api/search`.
pub(crate) async fn search(
    State(state): State<AppState>,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Json<Found>, ApiError> {
    let Query(query) = query.map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
    let sites: Vec<SiteId> = match &query.sites {
        Some(text) => numbers::<u32>(text, "sites", SITES_MAX)?
            .into_iter()
            .map(SiteId::new)
            .collect(),
        None => Vec::new(),
    };
    let mut filter = match (query.region, &query.sites) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "give a region or a list of sites, not both",
            ));
        }
        (Some(region), None) => SlotFilter::region(RegionId::new(region)),
        (None, Some(_)) => SlotFilter::sites(&sites),
        (None, None) => SlotFilter::everywhere(),
    };
    filter = filter.days(
        Day::new(query.first_day.unwrap_or(0)),
        Day::new(query.last_day.unwrap_or(u16::MAX)),
    );
    if let Some(text) = &query.windows {
        let windows: Vec<Window> = numbers::<u8>(text, "windows", 256)?
            .into_iter()
            .map(Window::new)
            .collect();
        filter = filter.windows(WindowSet::of(&windows));
    }
    let page_max = state.settings().slots_page_max;
    let limit = query.limit.unwrap_or(page_max).min(page_max) as usize;
    let engine = state.engine();
    let slots = engine
        .search(filter)
        .map_err(ApiError::from_search)?
        .take(limit)
        .collect();
    let free_seats = engine.free_seats(&filter).map_err(ApiError::from_search)?;
    let sold_out_in_region = match query.region {
        Some(region) => Some(
            engine
                .is_sold_out_in(RegionId::new(region))
                .map_err(ApiError::from_search)?,
        ),
        None => None,
    };
    Ok(Json(Found {
        slots,
        free_seats,
        sold_out_in_region,
    }))
}
