//! [`ApiError`]: every refusal as an HTTP status, a stable machine code, a message, and a
//! `Retry-After` where waiting helps.
//!
//! The body is `{"code": "not_admitted", "message": "...", "retry_after_ms": 1500}` plus the
//! engine error as it serializes (its code and fields) under `"detail"`. The codes are the core's
//! `code()` strings, so a client can switch on them.
//!
//! | status | codes |
//! |---|---|
//! | 400 Bad Request | `invalid_person`, `unknown_cohort`, `empty_choice`, `too_many_choices`, `unknown_slot`, `bad_request` |
//! | 401 Unauthorized | `identity_missing`, `admin_token_invalid` |
//! | 403 Forbidden | `not_admitted` (with `Retry-After` when a wait can be estimated), `pass_missing`, `pass_*`, `window_not_open` (with `Retry-After`), `window_closed`, `cohort_not_open` |
//! | 404 Not Found | `unknown_person` |
//! | 409 Conflict | `no_room`, `booking_limit`, `lease_lapsed`, `place_released`, `nothing_to_release`, `not_booked`, `sold_out`, `waiting_room_full` |
//! | 503 Service Unavailable | `time_went_backwards` (`Retry-After: 1`), `not_durable` |

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fairbook::pass::PassError;
use fairbook::{EnqueueError, ReleaseError, ReserveError, StatusError, Timestamp};
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
            EnqueueError::TimeWentBackwards(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::CONFLICT,
        };
        let retry_after_ms = match error {
            EnqueueError::TimeWentBackwards(_) => Some(1_000),
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
            ReserveError::TimeWentBackwards(_) => (StatusCode::SERVICE_UNAVAILABLE, Some(1_000)),
            _ => (StatusCode::CONFLICT, None),
        };
        ApiError::new(status, error.code(), error.to_string())
            .retry_after(retry_after_ms)
            .with_detail(&error)
    }

    /// A refused release.
    pub fn from_release(error: ReleaseError) -> ApiError {
        let (status, retry_after_ms) = match error {
            ReleaseError::UnknownPerson => (StatusCode::NOT_FOUND, None),
            ReleaseError::TimeWentBackwards(_) => (StatusCode::SERVICE_UNAVAILABLE, Some(1_000)),
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
