//! [`PassVerifier`]: checks passes with the keys alone, in any process, without the engine.

use core::fmt;

use hmac::Mac;
use subtle::ConstantTimeEq;

use crate::ids::PersonId;
use crate::pass::encoding::{self, PassClaims};
use crate::pass::key::{KeyId, PassKey, PassKeyError};
use crate::time::Timestamp;

/// Checks passes against the keys currently accepted (several during a rotation).
///
/// Stateless: it holds keys only, so any number of processes can run one, and a check is a
/// decode, a key lookup among a handful and one HMAC.
///
/// # Example
/// ```
/// use fairbook::pass::{KeyId, PassError, PassKey, PassSigner, PassVerifier};
/// use fairbook::{PersonId, Seq, Timestamp};
///
/// // Rotation: key 2 signs now; passes signed by key 1 are still accepted.
/// let (old, new) = (PassKey::new(KeyId::new(1), &[1; 32])?, PassKey::new(KeyId::new(2), &[2; 32])?);
/// let verifier = PassVerifier::new([old.clone(), new.clone()])?;
/// let (person, lease_until, now) = (PersonId::new(4), Timestamp::from_secs(60), Timestamp::ZERO);
/// for key in [old, new] {
///     let pass = PassSigner::new(key).sign(person, Seq::new(0), lease_until);
///     assert!(verifier.verify(pass.as_str(), person, now).is_ok());
/// }
/// let stranger = PassSigner::new(PassKey::new(KeyId::new(3), &[3; 32])?);
/// let pass = stranger.sign(person, Seq::new(0), lease_until);
/// assert_eq!(verifier.verify(pass.as_str(), person, now), Err(PassError::UnknownKey { key_id: KeyId::new(3) }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct PassVerifier {
    keys: Vec<PassKey>,
}

impl PassVerifier {
    /// A verifier accepting passes signed by any of `keys`.
    ///
    /// # Errors
    /// [`PassKeyError::NoKeys`] for an empty list, [`PassKeyError::DuplicateKeyId`] if two
    /// keys share an id.
    pub fn new(keys: impl IntoIterator<Item = PassKey>) -> Result<PassVerifier, PassKeyError> {
        let keys: Vec<PassKey> = keys.into_iter().collect();
        if keys.is_empty() {
            return Err(PassKeyError::NoKeys);
        }
        for (index, key) in keys.iter().enumerate() {
            if keys[..index].iter().any(|earlier| earlier.id() == key.id()) {
                return Err(PassKeyError::DuplicateKeyId { key_id: key.id() });
            }
        }
        Ok(PassVerifier { keys })
    }

    /// The ids of the keys it accepts.
    pub fn key_ids(&self) -> impl Iterator<Item = KeyId> + '_ {
        self.keys.iter().map(PassKey::id)
    }

    /// Checks that `pass` was signed by an accepted key, is `person`'s, and has not expired
    /// at `now`, and returns what it says.
    ///
    /// The checks run in this order, and nothing the pass claims is believed before its tag
    /// checks out: decode, key, tag, deadline, person.
    ///
    /// # Errors
    /// [`PassError::Malformed`], [`PassError::UnknownKey`], [`PassError::BadSignature`],
    /// [`PassError::Expired`], [`PassError::WrongPerson`].
    pub fn verify(
        &self,
        pass: &str,
        person: PersonId,
        now: Timestamp,
    ) -> Result<PassClaims, PassError> {
        let (body, tag) = encoding::decode(pass).ok_or(PassError::Malformed)?;
        let claims = PassClaims::from_body(&body).ok_or(PassError::Malformed)?;
        let key = self
            .keys
            .iter()
            .find(|key| key.id() == claims.key_id)
            .ok_or(PassError::UnknownKey {
                key_id: claims.key_id,
            })?;
        // Constant-time: `verify_slice` compares through `subtle`.
        key.mac_over(&body)
            .verify_slice(&tag)
            .map_err(|_| PassError::BadSignature)?;
        if now >= claims.lease_until {
            return Err(PassError::Expired {
                lease_until: claims.lease_until,
            });
        }
        let same_person: bool = claims.person.as_u64().ct_eq(&person.as_u64()).into();
        if !same_person {
            return Err(PassError::WrongPerson);
        }
        Ok(claims)
    }
}

/// Why [`PassVerifier::verify`] refused a pass.
///
/// A service answers all of them the same way to the person (no valid pass: back to the
/// waiting room) and may log the variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "code", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum PassError {
    /// Not a pass: wrong length, not lowercase hexadecimal, an unknown format version, or a
    /// deadline no signer writes.
    #[cfg_attr(feature = "serde", serde(rename = "pass_malformed"))]
    Malformed,
    /// Signed with a key this verifier does not hold (retired, or never issued).
    #[cfg_attr(feature = "serde", serde(rename = "pass_unknown_key"))]
    UnknownKey {
        /// The key id the pass names.
        key_id: KeyId,
    },
    /// The tag does not match: the pass was altered, or signed with another secret under a
    /// known key id.
    #[cfg_attr(feature = "serde", serde(rename = "pass_bad_signature"))]
    BadSignature,
    /// The lease it carries has run out.
    #[cfg_attr(feature = "serde", serde(rename = "pass_expired"))]
    Expired {
        /// When it ran out.
        lease_until: Timestamp,
    },
    /// A valid pass, but another person's.
    #[cfg_attr(feature = "serde", serde(rename = "pass_wrong_person"))]
    WrongPerson,
}

impl PassError {
    /// The stable machine code of the error: `"pass_malformed"`, `"pass_unknown_key"`,
    /// `"pass_bad_signature"`, `"pass_expired"` or `"pass_wrong_person"`.
    ///
    /// # Example
    /// ```
    /// use fairbook::pass::PassError;
    /// assert_eq!(PassError::WrongPerson.code(), "pass_wrong_person");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            PassError::Malformed => "pass_malformed",
            PassError::UnknownKey { .. } => "pass_unknown_key",
            PassError::BadSignature => "pass_bad_signature",
            PassError::Expired { .. } => "pass_expired",
            PassError::WrongPerson => "pass_wrong_person",
        }
    }
}

impl fmt::Display for PassError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PassError::Malformed => write!(f, "the admission pass is malformed"),
            PassError::UnknownKey { key_id } => {
                write!(
                    f,
                    "the admission pass is signed with key {key_id}, which is not accepted"
                )
            }
            PassError::BadSignature => write!(f, "the admission pass's signature does not match"),
            PassError::Expired { lease_until } => {
                write!(f, "the admission pass expired at {lease_until}")
            }
            PassError::WrongPerson => write!(f, "the admission pass belongs to someone else"),
        }
    }
}

impl std::error::Error for PassError {}
