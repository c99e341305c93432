//! Who is asking: the person and cohort from request headers that stand in for a verified
//! identity, and the admission pass.
//!
//! **The headers are trusted.** This server does not authenticate anyone: it takes
//! `x-fairbook-person` (a person id) and `x-fairbook-cohort` (their eligibility group, 0 when
//! absent) as facts. In production they are set by what sits in front of the server after it
//! verified the person (an identity provider's gateway, a reverse proxy checking a session),
//! which derives the person id from the verified identity (a keyed hash of a national id, say)
//! and strips the headers from anything a client sends. Exposed directly, anyone could claim
//! to be anyone: run it behind such a gateway, or on loopback as the tests and the demo do.
//!
//! The admission pass (`x-fairbook-pass`) is different: it is not trusted but checked, with
//! the campaign's keys, on every booking request.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use fairbook::{CohortId, PersonId};

use crate::api_error::ApiError;

/// The header carrying the verified person id, as a plain number.
pub const PERSON_HEADER: &str = "x-fairbook-person";
/// The header carrying the person's cohort, as a plain number (0 when absent).
pub const COHORT_HEADER: &str = "x-fairbook-cohort";
/// The header carrying an admission pass.
pub const PASS_HEADER: &str = "x-fairbook-pass";

/// The person asking, and their cohort.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Who.
    pub person: PersonId,
    /// Their eligibility group.
    pub cohort: CohortId,
}

fn header<'a>(parts: &'a Parts, name: &str) -> Option<Result<&'a str, ApiError>> {
    parts.headers.get(name).map(|value| {
        value.to_str().map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("the {name} header is not text"),
            )
        })
    })
}

impl<S: Send + Sync> FromRequestParts<S> for Identity {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Identity, ApiError> {
        let person = header(parts, PERSON_HEADER)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "identity_missing",
                    format!("the {PERSON_HEADER} header is missing"),
                )
            })??
            .parse::<PersonId>()
            .map_err(|error| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_person",
                    format!("{PERSON_HEADER}: {error}"),
                )
            })?;
        let cohort = match header(parts, COHORT_HEADER) {
            None => CohortId::new(0),
            Some(text) => text?.parse::<CohortId>().map_err(|error| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "unknown_cohort",
                    format!("{COHORT_HEADER}: {error}"),
                )
            })?,
        };
        Ok(Identity { person, cohort })
    }
}

/// The admission pass a booking request brings, unchecked: handlers verify it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresentedPass(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PresentedPass {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<PresentedPass, ApiError> {
        let text = header(parts, PASS_HEADER).ok_or_else(|| {
            ApiError::new(
                StatusCode::FORBIDDEN,
                "pass_missing",
                "booking needs the admission pass the waiting room gave",
            )
        })??;
        Ok(PresentedPass(text.to_owned()))
    }
}
