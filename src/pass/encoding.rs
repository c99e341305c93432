//! What a pass says ([`PassClaims`]) and how it is written ([`Pass`]): one fixed-size binary
//! record, tag last, as lowercase hexadecimal.
//!
//! ```text
//! byte   0      1..5      5..13       13..21    21..29            29..61
//!        version key id   person id   place     lease deadline    HMAC-SHA256 tag
//!        (1)    (u32 BE)  (u64 BE)    (u64 BE)  (u64 BE, Unix ms) over "fairbook pass" ‖ bytes 0..29
//! ```
//!
//! Why fixed-size binary in hex: exactly one text per pass. A text format with separators and
//! decimal numbers would accept "042" for "42", and base64 has padding and trailing-bit
//! variants, so a mutated text could carry the same claims and pass the check; here any change
//! to the 122 characters either fails to decode or changes the signed bytes. The tag covers
//! the version and the key id too, and a domain prefix keeps the key's tags from meaning
//! anything in another protocol.

use core::fmt;

use crate::ids::{PersonId, Seq};
use crate::pass::key::KeyId;
use crate::time::Timestamp;

/// The format version this build writes and reads.
pub(crate) const VERSION: u8 = 1;
/// Bytes covered by the tag: version, key id, person, place, deadline.
pub(crate) const BODY_LEN: usize = 1 + 4 + 8 + 8 + 8;
/// The HMAC-SHA256 tag, untruncated.
pub(crate) const TAG_LEN: usize = 32;
/// The whole record.
const RECORD_LEN: usize = BODY_LEN + TAG_LEN;
/// Two hexadecimal digits per byte.
pub(crate) const TEXT_LEN: usize = 2 * RECORD_LEN;
/// Prefixed to the body before it is tagged (domain separation).
pub(crate) const DOMAIN: &[u8] = b"fairbook pass";

/// What a pass asserts: the engine admitted `person` at place `seq`, with a lease until
/// `lease_until`, and the key `key_id` signed it.
///
/// [`PassVerifier::verify`](crate::pass::PassVerifier::verify) returns them once the tag,
/// the deadline and the person check out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PassClaims {
    /// Who was admitted.
    pub person: PersonId,
    /// Their place: a ticket for `Engine::reserve_with_ticket`.
    pub seq: Seq,
    /// When the lease runs out; the pass is refused from then on.
    pub lease_until: Timestamp,
    /// The key that signed it.
    pub key_id: KeyId,
}

impl PassClaims {
    /// The signed bytes.
    pub(crate) fn body(&self) -> [u8; BODY_LEN] {
        let mut body = [0; BODY_LEN];
        body[0] = VERSION;
        body[1..5].copy_from_slice(&self.key_id.as_u32().to_be_bytes());
        body[5..13].copy_from_slice(&self.person.as_u64().to_be_bytes());
        body[13..21].copy_from_slice(&self.seq.as_u64().to_be_bytes());
        body[21..29].copy_from_slice(&self.lease_until.as_millis().to_be_bytes());
        body
    }

    /// The claims in signed bytes, if the version is this build's.
    pub(crate) fn from_body(body: &[u8; BODY_LEN]) -> Option<PassClaims> {
        if body[0] != VERSION {
            return None;
        }
        let u64_at = |at: usize| {
            let mut bytes = [0; 8];
            bytes.copy_from_slice(&body[at..at + 8]);
            u64::from_be_bytes(bytes)
        };
        let mut key_id = [0; 4];
        key_id.copy_from_slice(&body[1..5]);
        let lease_until_ms = u64_at(21);
        // A deadline the signer could not have written (Timestamp clamps) is not a pass.
        if lease_until_ms > Timestamp::MAX.as_millis() {
            return None;
        }
        Some(PassClaims {
            key_id: KeyId::new(u32::from_be_bytes(key_id)),
            person: PersonId::new(u64_at(5)),
            seq: Seq::new(u64_at(13)),
            lease_until: Timestamp::from_millis(lease_until_ms),
        })
    }
}

/// A signed pass as text: 122 lowercase hexadecimal characters, safe in a header, a cookie,
/// a URL or JSON.
///
/// Mint one with [`PassSigner::sign`](crate::pass::PassSigner::sign); check one with
/// [`PassVerifier::verify`](crate::pass::PassVerifier::verify), which takes the text as
/// received (`&str`), so that nothing is trusted before the check.
///
/// # Example
/// ```
/// use fairbook::pass::{KeyId, PassKey, PassSigner};
/// use fairbook::{PersonId, Seq, Timestamp};
/// let signer = PassSigner::new(PassKey::new(KeyId::new(1), &[1; 32])?);
/// let pass = signer.sign(PersonId::new(5), Seq::new(0), Timestamp::from_secs(60));
/// assert_eq!(pass.as_str().len(), 122);
/// assert_eq!(pass.to_string(), pass.as_str());
/// # Ok::<(), fairbook::pass::PassKeyError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Pass {
    text: String,
}

impl Pass {
    /// Writes the claims and their tag.
    pub(crate) fn encode(claims: &PassClaims, tag: &[u8; TAG_LEN]) -> Pass {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut text = String::with_capacity(TEXT_LEN);
        for &byte in claims.body().iter().chain(tag) {
            text.push(char::from(DIGITS[usize::from(byte >> 4)]));
            text.push(char::from(DIGITS[usize::from(byte & 0xf)]));
        }
        Pass { text }
    }

    /// The text to hand to the person's device.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The text, owned.
    pub fn into_string(self) -> String {
        self.text
    }
}

impl fmt::Display for Pass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Pass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pass").field(&self.text).finish()
    }
}

/// Reads a pass's text back into its body and tag: exactly [`TEXT_LEN`] lowercase hexadecimal
/// digits, else `None`.
pub(crate) fn decode(text: &str) -> Option<([u8; BODY_LEN], [u8; TAG_LEN])> {
    let text = text.as_bytes();
    if text.len() != TEXT_LEN {
        return None;
    }
    let mut record = [0u8; RECORD_LEN];
    // Decode everything, then check once: one table load per digit and no branch per digit
    // (the branch-per-digit version showed under perf as over half of a verification).
    let mut invalid = 0u8;
    for (byte, pair) in record.iter_mut().zip(text.chunks_exact(2)) {
        let (high, low) = (
            HEX_VALUES[usize::from(pair[0])],
            HEX_VALUES[usize::from(pair[1])],
        );
        invalid |= (high | low) & INVALID;
        *byte = (high << 4) | (low & 0xf);
    }
    if invalid != 0 {
        return None;
    }
    let mut body = [0; BODY_LEN];
    let mut tag = [0; TAG_LEN];
    body.copy_from_slice(&record[..BODY_LEN]);
    tag.copy_from_slice(&record[BODY_LEN..]);
    Some((body, tag))
}

/// Marks a byte that is not a lowercase hexadecimal digit in [`HEX_VALUES`].
const INVALID: u8 = 0x80;

/// The value of each lowercase hexadecimal digit, [`INVALID`] for every other byte
/// (uppercase included: one text per pass).
const HEX_VALUES: [u8; 256] = {
    let mut values = [INVALID; 256];
    let mut digit = 0;
    while digit < 16 {
        values[b"0123456789abcdef"[digit] as usize] = digit as u8;
        digit += 1;
    }
    values
};
