//! Signing keys: [`KeyId`], the public name of a key carried in every pass, and [`PassKey`],
//! a secret with its id, ready to tag.

use core::fmt;
use core::str::FromStr;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::ids::ParseIdError;
use crate::pass::encoding::DOMAIN;

/// The shortest secret accepted: 32 bytes, the output size of SHA-256 (a shorter HMAC key
/// lowers the work of guessing it below the tag's own strength).
pub const SECRET_LEN_MIN: usize = 32;

/// The public name of a signing key, written into every pass so that a verifier holding
/// several keys (during a rotation) knows which one to check with.
///
/// Like the engine's ids it displays and parses as a plain number.
///
/// # Example
/// ```
/// use fairbook::pass::KeyId;
/// let id: KeyId = "2".parse()?;
/// assert_eq!(id, KeyId::new(2));
/// assert_eq!(id.to_string(), "2");
/// # Ok::<(), fairbook::ParseIdError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
pub struct KeyId(u32);

impl KeyId {
    /// Wraps a raw key number.
    pub const fn new(raw: u32) -> KeyId {
        KeyId(raw)
    }

    /// The raw key number.
    pub const fn as_u32(self) -> u32 {
        self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for KeyId {
    type Err = ParseIdError;

    /// ASCII digits only, at most `u32::MAX`.
    fn from_str(text: &str) -> Result<KeyId, ParseIdError> {
        if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(ParseIdError::NotANumber { id: "key" });
        }
        text.parse().map(KeyId).map_err(|_| ParseIdError::TooLarge {
            id: "key",
            max: u64::from(u32::MAX),
        })
    }
}

impl From<u32> for KeyId {
    fn from(raw: u32) -> KeyId {
        KeyId(raw)
    }
}

/// A secret and its [`KeyId`], with the HMAC state computed once, so that each pass costs
/// only its own bytes.
///
/// `Debug` shows the id only; the secret itself is not kept (only the keyed hash state).
///
/// # Example
/// ```
/// use fairbook::pass::{KeyId, PassKey, PassKeyError};
/// let key = PassKey::from_hex(KeyId::new(1), &"ab".repeat(32))?;
/// assert_eq!(key.id(), KeyId::new(1));
/// assert_eq!(format!("{key:?}"), "PassKey { id: KeyId(1), .. }");
/// assert_eq!(
///     PassKey::new(KeyId::new(1), b"short").unwrap_err(),
///     PassKeyError::SecretTooShort { len: 5, min: 32 },
/// );
/// # Ok::<(), PassKeyError>(())
/// ```
#[derive(Clone)]
pub struct PassKey {
    id: KeyId,
    mac: Hmac<Sha256>,
}

impl PassKey {
    /// A key from raw secret bytes.
    ///
    /// # Errors
    /// [`PassKeyError::SecretTooShort`] under [`SECRET_LEN_MIN`] bytes.
    pub fn new(id: KeyId, secret: &[u8]) -> Result<PassKey, PassKeyError> {
        if secret.len() < SECRET_LEN_MIN {
            return Err(PassKeyError::SecretTooShort {
                len: secret.len(),
                min: SECRET_LEN_MIN,
            });
        }
        let mac =
            Hmac::<Sha256>::new_from_slice(secret).map_err(|_| PassKeyError::SecretTooShort {
                len: secret.len(),
                min: SECRET_LEN_MIN,
            })?;
        Ok(PassKey { id, mac })
    }

    /// A key from its secret written in hexadecimal (as configuration files and secret
    /// stores hold it).
    ///
    /// # Errors
    /// [`PassKeyError::SecretNotHex`] if the text is not pairs of hexadecimal digits;
    /// [`PassKeyError::SecretTooShort`] under [`SECRET_LEN_MIN`] bytes.
    pub fn from_hex(id: KeyId, secret_hex: &str) -> Result<PassKey, PassKeyError> {
        let text = secret_hex.trim().as_bytes();
        if text.len() % 2 != 0 {
            return Err(PassKeyError::SecretNotHex);
        }
        let secret = text
            .chunks_exact(2)
            .map(|pair| {
                let high = char::from(pair[0]).to_digit(16)?;
                let low = char::from(pair[1]).to_digit(16)?;
                Some((high * 16 + low) as u8)
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or(PassKeyError::SecretNotHex)?;
        PassKey::new(id, &secret)
    }

    /// The key's public name.
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// The keyed hash state fed with a pass body (after the domain prefix), ready to give
    /// or check its tag.
    pub(crate) fn mac_over(&self, body: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.mac.clone();
        mac.update(DOMAIN);
        mac.update(body);
        mac
    }
}

impl fmt::Debug for PassKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PassKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Why a key or a verifier could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PassKeyError {
    /// The secret is shorter than [`SECRET_LEN_MIN`] bytes.
    SecretTooShort {
        /// Its length in bytes.
        len: usize,
        /// The least accepted.
        min: usize,
    },
    /// The secret's text is not pairs of hexadecimal digits.
    SecretNotHex,
    /// A verifier was given no key: it could accept nothing.
    NoKeys,
    /// A verifier was given two keys with the same id: it could not tell which one signed.
    DuplicateKeyId {
        /// The id given twice.
        key_id: KeyId,
    },
}

impl PassKeyError {
    /// The stable machine code of the error: the variant's name in snake case.
    pub fn code(&self) -> &'static str {
        match self {
            PassKeyError::SecretTooShort { .. } => "secret_too_short",
            PassKeyError::SecretNotHex => "secret_not_hex",
            PassKeyError::NoKeys => "no_keys",
            PassKeyError::DuplicateKeyId { .. } => "duplicate_key_id",
        }
    }
}

impl fmt::Display for PassKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PassKeyError::SecretTooShort { len, min } => {
                write!(
                    f,
                    "a pass secret of {len} bytes is too short; at least {min} are needed"
                )
            }
            PassKeyError::SecretNotHex => {
                write!(
                    f,
                    "a pass secret must be written as pairs of hexadecimal digits"
                )
            }
            PassKeyError::NoKeys => write!(f, "a pass verifier needs at least one key"),
            PassKeyError::DuplicateKeyId { key_id } => {
                write!(f, "key {key_id} is given twice")
            }
        }
    }
}

impl std::error::Error for PassKeyError {}
