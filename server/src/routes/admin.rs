//! The admin side, behind `authorization: Bearer <server.admin_token>`: open a cohort, read
//! and set the door's outflow policy, engine statistics, and the audit.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use fairbook::{AuditReport, CohortId, Config, MemoryUse, OutflowPolicy, Stats};
use serde::Serialize;

use crate::api_error::ApiError;
use crate::state::AppState;

/// Proof that the request carries the admin token.
pub(crate) struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Admin, ApiError> {
        let refused = || {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "admin_token_invalid",
                "the admin endpoints need the campaign's admin token as a bearer token",
            )
        };
        let expected = state
            .settings()
            .admin_token
            .as_deref()
            .ok_or_else(refused)?;
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or_else(refused)?;
        if same_secret(given.as_bytes(), expected.as_bytes()) {
            Ok(Admin)
        } else {
            Err(refused())
        }
    }
}

/// Compares without stopping at the first difference, so that timing does not reveal how
/// much of a guessed token is right.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    let mut difference = u8::from(given.len() != expected.len());
    for (index, &byte) in expected.iter().enumerate() {
        difference |= byte ^ given.get(index).copied().unwrap_or(0);
    }
    difference == 0
}

/// A cohort's state.
#[derive(Serialize)]
pub(crate) struct CohortView {
    cohort: CohortId,
    name: String,
    open: bool,
}

/// `POST /admin/cohorts/{cohort}/open`.
pub(crate) async fn open_cohort(
    _: Admin,
    State(state): State<AppState>,
    Path(cohort): Path<String>,
) -> Result<Json<CohortView>, ApiError> {
    let unknown = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_cohort",
            format!("cohort {cohort} is not in the campaign"),
        )
    };
    let id: CohortId = cohort.parse().map_err(|_| unknown())?;
    if !state.open_cohort(id) {
        return Err(unknown());
    }
    tracing::info!(cohort = id.as_u16(), "cohort opened");
    Ok(Json(CohortView {
        cohort: id,
        name: state.cohort_name(id).unwrap_or_default().to_owned(),
        open: true,
    }))
}

/// `GET /admin/outflow`.
pub(crate) async fn outflow(_: Admin, State(state): State<AppState>) -> Json<OutflowPolicy> {
    Json(state.outflow())
}

/// `PUT /admin/outflow`: the new policy, every field optional (absent = no limit).
pub(crate) async fn set_outflow(
    _: Admin,
    State(state): State<AppState>,
    body: Result<Json<OutflowPolicy>, JsonRejection>,
) -> Result<Json<OutflowPolicy>, ApiError> {
    let Json(policy) = body.map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
    state.set_outflow(policy);
    tracing::info!(?policy, "outflow policy set");
    Ok(Json(policy))
}

/// What `GET /admin/stats` answers.
#[derive(Serialize)]
pub(crate) struct StatsView {
    stats: Stats,
    memory: MemoryUse,
    config: Config,
    outflow: OutflowPolicy,
    cohorts: Vec<CohortView>,
}

/// `GET /admin/stats`.
pub(crate) async fn stats(_: Admin, State(state): State<AppState>) -> Json<StatsView> {
    let engine = state.engine();
    let cohorts = (0..engine.config().cohorts.len())
        .map(|index| {
            let cohort = CohortId::new(index as u16);
            CohortView {
                cohort,
                name: state.cohort_name(cohort).unwrap_or_default().to_owned(),
                open: state.is_cohort_open(cohort).unwrap_or(false),
            }
        })
        .collect();
    Json(StatsView {
        stats: engine.stats(),
        memory: engine.memory(),
        config: engine.config().clone(),
        outflow: state.outflow(),
        cohorts,
    })
}

/// What `GET /admin/audit` answers.
#[derive(Serialize)]
pub(crate) struct AuditView {
    ok: bool,
    report: AuditReport,
}

/// `GET /admin/audit`: recounts every invariant from scratch, on a blocking thread (it walks
/// every place and slot, which would stall an async worker on a large campaign).
pub(crate) async fn audit(
    _: Admin,
    State(state): State<AppState>,
) -> Result<Json<AuditView>, ApiError> {
    let report = tokio::task::spawn_blocking(move || state.engine().audit())
        .await
        .map_err(|error| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "audit_failed",
                error.to_string(),
            )
        })?;
    Ok(Json(AuditView {
        ok: report.is_ok(),
        report,
    }))
}
