//! The `Idempotency-Key` header: a client's name for one mutating request, so that its
//! retries get the first answer instead of doing the change again.
//!
//! Every mutating route (join, reserve, release, hold, confirm, cancel) takes it. With the
//! header, the route calls its verb through the engine's `Engine::once`: the first call that
//! succeeds is remembered (and journaled, so a restart on the same journal remembers it too),
//! a retry with the same key and the same request is answered with that first answer (the
//! same status and the same body; the join's `status` and `pass` are read afresh, its
//! `place` is the first answer), and the same key with another request (other choices,
//! another slot, another endpoint) is refused with 409 `op_conflict` and changes nothing. A
//! request that failed is not remembered: its retry runs again.
//!
//! - **The key** is 1 to 200 bytes of visible ASCII (`!` to `~`, no spaces), given once;
//!   anything else is 400 `idempotency_key_invalid`. A random UUID per request, kept across
//!   its retries, is the usual choice.
//! - **Its id** is the first 8 bytes of the key's SHA-256, big-endian: stable across
//!   processes and restarts. The engine's record of the call includes the person, so two
//!   people using the same key never see each other's answers (the second is refused with
//!   `op_conflict`, since the key is taken): keys are per person in effect, but a client
//!   should still make them unique.
//! - **How long** an answer is remembered is bounded by the campaign's `ops_remembered_max`
//!   (about the latest that many keyed answers); a retry whose answer was pushed out runs
//!   again under the verbs' own retry rules. With `ops_remembered_max = 0`, a request with
//!   the header is answered 501 `ops_not_remembered` and nothing is done: the server will
//!   not pretend to make it retry-safe.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use fairbook::OpId;
use sha2::{Digest, Sha256};

use crate::api_error::ApiError;

/// The header's name.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

/// The longest key, in bytes.
pub const IDEMPOTENCY_KEY_MAX: usize = 200;

/// The operation id of the request's `Idempotency-Key`, if it has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(pub Option<OpId>);

impl IdempotencyKey {
    /// The operation id of `key`, or why it is not a key.
    ///
    /// # Errors
    /// An [`ApiError`] (400 `idempotency_key_invalid`) for an empty key, one longer than
    /// [`IDEMPOTENCY_KEY_MAX`] bytes, or one with a byte outside visible ASCII.
    ///
    /// # Example
    /// ```
    /// use fairbook_server::idempotency::IdempotencyKey;
    /// let op = IdempotencyKey::op_of(b"3f1c9a7e-order-17").unwrap();
    /// assert_eq!(IdempotencyKey::op_of(b"3f1c9a7e-order-17").unwrap(), op);
    /// assert_ne!(IdempotencyKey::op_of(b"3f1c9a7e-order-18").unwrap(), op);
    /// assert!(IdempotencyKey::op_of(b"").is_err());
    /// assert!(IdempotencyKey::op_of(b"with space").is_err());
    /// ```
    pub fn op_of(key: &[u8]) -> Result<OpId, ApiError> {
        let invalid = |why: &str| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "idempotency_key_invalid",
                format!(
                    "the Idempotency-Key header {why}: give 1 to {IDEMPOTENCY_KEY_MAX} visible ASCII characters (no spaces), the same on every retry of one request"
                ),
            )
        };
        if key.is_empty() {
            return Err(invalid("is empty"));
        }
        if key.len() > IDEMPOTENCY_KEY_MAX {
            return Err(invalid(&format!("is {} bytes long", key.len())));
        }
        if !key.iter().all(|byte| (b'!'..=b'~').contains(byte)) {
            return Err(invalid("has a character outside visible ASCII"));
        }
        let digest = Sha256::digest(key);
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        Ok(OpId::new(u64::from_be_bytes(first)))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<IdempotencyKey, ApiError> {
        let mut values = parts.headers.get_all(IDEMPOTENCY_KEY_HEADER).iter();
        let Some(value) = values.next() else {
            return Ok(IdempotencyKey(None));
        };
        if values.next().is_some() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "idempotency_key_invalid",
                "the Idempotency-Key header is given more than once: give one key per request",
            ));
        }
        IdempotencyKey::op_of(value.as_bytes()).map(|op| IdempotencyKey(Some(op)))
    }
}
