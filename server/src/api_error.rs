//! [`ApiError`]: every refusal as an HTTP status, a stable machine code, a message, and a
//! `Retry-After` where waiting helps.
//!
//! The body is `{"code": "not_admitted", "message": "...", "retry_after_ms": 1500}` plus the
//! engine error as it serializes (its code and fields) under `"detail"`. The codes are the core's
//! `code()` strings, so a client can switch on them.
//!
//! | status | codes |
//! |---|---|
//! | 400 Bad Request | `invalid_person`, `unknown_cohort`, `empty_choice`, `too_many_choices`, `unknown_slot`, `idempotency_key_invalid`, `region_out_of_range`, `site_out_of_range`, `empty_day_range`, `bad_request` |
//! | 401 Unauthorized | `identity_missing`, `admin_token_invalid` |
//! | 403 Forbidden | `not_admitted` (with `Retry-After` when a wait can be estimated), `pass_missing`, `pass_*`, `window_not_open` (with `Retry-After`), `window_closed`, `cohort_not_open` |
//! | 404 Not Found | `unknown_person` |
//! | 409 Conflict | `no_room`, `booking_limit`, `lease_lapsed`, `place_released`, `nothing_to_release`, `not_booked`, `sold_out`, `waiting_room_full`, `dependant` (a registered dependant acting alone), `hold_limit`, `holds_full`, `not_held` (the hold expired, was cancelled or confirmed, or never was), `op_conflict` (an `Idempotency-Key` reused for another request) |
//! | 422 Unprocessable Content | `ttl_out_of_range` (a hold's `ttl_ms` of 0 or above the campaign's `hold_ttl_max_ms`) |
//! | 501 Not Implemented | `holds_off` (the campaign's `holds_max` is 0), `ops_not_remembered` (an `Idempotency-Key` sent to a campaign whose `ops_remembered_max` is 0) |
//! | 503 Service Unavailable | `time_went_backwards`, `time_too_far_ahead` (both with `Retry-After: 1`), `not_durable` |
//!
//! A feature the campaign turned off is 501, not 503: retrying will not help, and a client
//! should not be invited to.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fairbook::pass::PassError;
use fairbook::{
    CancelError, ConfirmError, EnqueueError, HoldError, OpError, ReleaseError, ReserveError,
    SearchError, StatusError, Timestamp,
};
use serde::Serialize;
use serde_json::value::RawValue;

use crate::ack::AckError;

/// A refusal, ready to send.
#[derive(Clone, Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable machine code.
    pub code: &'static str,
    /// A sentence for people.
    pub message: String,
    /// When to try again, in milliseconds, if waiting helps; sent as `Retry-After` in whole
    /// seconds, rounded up.
    pub retry_after_ms: Option<u64>,
    /// The engine error, serialized, if the refusal comes from one.
    pub detail: Option<Box<RawValue>>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a RawValue>,
}

impl ApiError {
    /// A refusal without detail.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after_ms: None,
            detail: None,
        }
    }

    /// The same refusal, with a retry hint.
    pub fn retry_after(mut self, retry_after_ms: Option<u64>) -> ApiError {
        self.retry_after_ms = retry_after_ms;
        self
    }

    fn with_detail(mut self, error: &impl Serialize) -> ApiError {
        // Written once, as text: the response embeds it as it is.
        self.detail = serde_json::value::to_raw_value(error).ok();
        self
    }

    /// A body that is not what the endpoint takes.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// A refused join, with the window's opening as the retry hint.
    pub fn from_enqueue(error: EnqueueError, now: Timestamp) -> ApiError {
        let status = match error {
            EnqueueError::InvalidPerson | EnqueueError::UnknownCohort { .. } => {
                StatusCode::BAD_REQUEST
            }
            EnqueueError::WindowNotOpen { .. } | EnqueueError::WindowClosed { .. } => {
                StatusCode::FORBIDDEN
            }
            EnqueueError::TimeWentBackwards(_) | EnqueueError::TimeTooFarAhead(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            EnqueueError::Op(op) => op_status(op),
            _ => StatusCode::CONFLICT,
        };
        let retry_after_ms = match error {
            EnqueueError::TimeWentBackwards(_) | EnqueueError::TimeTooFarAhead(_) => Some(1_000),
            _ => error.retry_after_ms(now),
        };
        ApiError::new(status, error.code(), error.to_string())
            .retry_after(retry_after_ms)
            .with_detail(&error)
    }

    /// A refused reserve; `estimated_wait_ms` is the wait of a person not admitted yet.
    pub fn from_reserve(error: ReserveError, estimated_wait_ms: Option<u64>) -> ApiError {
        let (status, retry_after_ms) = match error {
            ReserveError::EmptyChoice
            | ReserveError::TooManyChoices { .. }
            | ReserveError::UnknownSlot { .. } => (StatusCode::BAD_REQUEST, None),
            ReserveError::UnknownPerson => (StatusCode::NOT_FOUND, None),
            ReserveError::NotAdmitted { .. } => (StatusCode::FORBIDDEN, estimated_wait_ms),
            ReserveError::TimeWentBackwards(_) | ReserveError::TimeTooFarAhead(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, Some(1_000))
            }
            ReserveError::Op(op) => (op_status(op), None),
            _ => (StatusCode::CONFLICT, None),
        };
        ApiError::new(status, error.code(), error.to_string())
            .retry_after(retry_after_ms)
            .with_detail(&error)
    }

    /// A search whose filter names ids outside the engine's ranges.
    pub fn from_search(error: SearchError) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, error.code(), error.to_string()).with_detail(&error)
    }

    /// A refused release.
    pub fn from_release(error: ReleaseError) -> ApiError {
        let (status, retry_after_ms) = match error {
            ReleaseError::UnknownPerson => (StatusCode::NOT_FOUND, None),
            ReleaseError::TimeWentBackwards(_) | ReleaseError::TimeTooFarAhead(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, Some(1_000))
            }
            ReleaseError::Op(op) => (op_status(op), None),
            _ => (StatusCode::CONFLICT, None),
        };
        ApiError::new(status, error.code(), error.to_string())
            .retry_after(retry_after_ms)
            .with_detail(&error)
    }

    /// A refused hold; `estimated_wait_ms` is the wait of a person not admitted yet.
    pub fn from_hold(error: HoldError, estimated_wait_ms: Option<u64>) -> ApiError {
        let (status, retry_after_ms) = match error {
            HoldError::EmptyChoice
            | HoldError::TooManyChoices { .. }
            | HoldError::UnknownSlot { .. } => (StatusCode::BAD_REQUEST, None),
            HoldError::TtlOutOfRange { .. } => (StatusCode::UNPROCESSABLE_ENTITY, None),
            HoldError::UnknownPerson => (StatusCode::NOT_FOUND, None),
            HoldError::NotAdmitted { .. } => (StatusCode::FORBIDDEN, estimated_wait_ms),
            HoldError::HoldsOff => (StatusCode::NOT_IMPLEMENTED, None),
            HoldError::TimeWentBackwards(_) | HoldError::TimeTooFarAhead(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, Some(1_000))
            }
            HoldError::Op(op) => (op_status(op), None),
            _ => (StatusCode::CONFLICT, None),
        };
        ApiError::new(status, error.code(), error.to_string())
            .retry_after(retry_after_ms)
            .with_detail(&error)
    }

    /// A refused confirm.
    pub fn from_confirm(error: ConfirmError) -> ApiError {
        let (status, retry_after_ms) = match error {
            ConfirmError::UnknownSlot { .. } => (StatusCode::BAD_REQUEST, None),
            ConfirmError::UnknownPerson => (StatusCode::NOT_FOUND, None),
            ConfirmError::HoldsOff => (StatusCode::NOT_IMPLEMENTED, None),
            ConfirmError::TimeWentBackwards(_) | ConfirmError::TimeTooFarAhead(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, Some(1_000))
            }
            ConfirmError::Op(op) => (op_status(op), None),
            _ => (StatusCode::CONFLICT, None),
        };
        ApiError::new(status, error.code(), error.to_string())
            .retry_after(retry_after_ms)
            .with_detail(&error)
    }

    /// A refused cancel.
    pub fn from_cancel(error: CancelError) -> ApiError {
        let (status, retry_after_ms) = match error {
            CancelError::UnknownSlot { .. } => (StatusCode::BAD_REQUEST, None),
            CancelError::UnknownPerson => (StatusCode::NOT_FOUND, None),
            CancelError::HoldsOff => (StatusCode::NOT_IMPLEMENTED, None),
            CancelError::TimeWentBackwards(_) | CancelError::TimeTooFarAhead(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, Some(1_000))
            }
            CancelError::Op(op) => (op_status(op), None),
            _ => (StatusCode::CONFLICT, None),
        };
        ApiError::new(status, error.code(), error.to_string())
            .retry_after(retry_after_ms)
            .with_detail(&error)
    }

    /// A status the engine could not give.
    pub fn from_status(error: StatusError) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            error.code(),
            error.to_string(),
        )
        .retry_after(Some(1_000))
        .with_detail(&error)
    }

    /// A refused admission pass: no valid pass, no booking.
    pub fn from_pass(error: PassError) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, error.code(), error.to_string()).with_detail(&error)
    }

    /// A mutation that was applied but could not be made durable: the person must not be told
    /// it succeeded.
    pub fn from_ack(error: AckError) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_durable",
            error.to_string(),
        )
    }
}

/// The status of a call through `Engine::once` that was not run: 409 for a key reused for
/// another request, 501 when the campaign remembers no operations.
fn op_status(error: OpError) -> StatusCode {
    match error {
        OpError::NotRemembered => StatusCode::NOT_IMPLEMENTED,
        _ => StatusCode::CONFLICT,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            code: self.code,
            message: &self.message,
            retry_after_ms: self.retry_after_ms,
            detail: self.detail.as_deref(),
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(retry_after_ms) = self.retry_after_ms {
            let seconds = retry_after_ms.div_ceil(1_000);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
