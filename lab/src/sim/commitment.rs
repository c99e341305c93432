//! The commit-and-reveal scheme behind a shuffle or a lottery: [`DrawSecret`], its
//! [`Commitment`], the order it draws ([`draw_order`]) and the published record of one draw
//! ([`Draw`]).
//!
//! # The scheme
//!
//! 1. **Before anyone arrives**, the service picks a 32-byte secret and publishes
//!    `commitment = SHA-256("fairbook/draw-commitment/v1" ‖ secret)`.
//! 2. **At the draw** (a cohort's opening for a shuffle, the end of its registration window
//!    for a lottery), it lists the entrants in a public canonical order (by join rank: the
//!    moment they could first hold a place, then arrival time, then person id), derives
//!    `seed = first 8 bytes, little-endian, of SHA-256("fairbook/draw-seed/v1" ‖ secret ‖
//!    cohort as u16 little-endian)`, shuffles the list with [`Rng::new(seed)`](crate::rng::Rng)
//!    ([`Rng::shuffle`](crate::rng::Rng::shuffle): Fisher–Yates) and enqueues in that order.
//! 3. **After the last draw** it reveals the secret. Anyone can then check that it hashes to
//!    the commitment ([`Commitment::verify`]) and recompute every draw from the published
//!    entrant list ([`Draw::verify`]).
//!
//! # Why SHA-256 and not the crate's own hashes
//!
//! A commitment must be *binding* (no second secret opens it) and *hiding* (it says nothing
//! about the secret before the reveal). [`SplitMix64::mix`](crate::rng::SplitMix64::mix) is
//! a bijection with a known inverse and FNV-1a is not preimage-resistant either: with them,
//! anyone could compute the seed from the commitment, and so the whole draw, before the
//! opening, which is exactly what the commitment must prevent. SHA-256 is preimage-resistant,
//! and a 256-bit secret cannot be found by trying seeds (a 64-bit seed could be, even behind
//! SHA-256). The `sha2` crate is a small, pure-Rust, widely audited dependency, and it is
//! pulled in only by the `sim` feature.
//!
//! A simulation derives its secret from the run's seed ([`DrawSecret::for_simulation`]) so
//! that a run can be replayed; a real service must take it from the operating system's
//! random source and keep it to itself until the draw is over.

use core::fmt;

use sha2::{Digest, Sha256};

use crate::rng::Rng;
use fairbook::{CohortId, PersonId, Timestamp};

const COMMITMENT_DOMAIN: &[u8] = b"fairbook/draw-commitment/v1";
const SEED_DOMAIN: &[u8] = b"fairbook/draw-seed/v1";
const SIMULATION_DOMAIN: &[u8] = b"fairbook/sim/draw-secret/v1";
const ENTRANTS_DOMAIN: &[u8] = b"fairbook/draw-list/v1";

/// The 32-byte secret a draw's order comes from, kept private until every draw is done.
///
/// # Example
/// ```
/// use fairbook_lab::sim::DrawSecret;
///
/// let secret = DrawSecret::for_simulation(2021);
/// let commitment = secret.commitment();
/// // Published before the opening, checked after the reveal:
/// let revealed = DrawSecret::from_hex(&secret.to_hex()).unwrap();
/// assert!(commitment.verify(&revealed));
/// assert!(!commitment.verify(&DrawSecret::for_simulation(2022)));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DrawSecret([u8; 32]);

impl DrawSecret {
    /// A secret from its bytes (a real service takes them from the OS random source).
    pub const fn from_bytes(bytes: [u8; 32]) -> DrawSecret {
        DrawSecret(bytes)
    }

    /// The secret a simulation uses: `SHA-256("fairbook/sim/draw-secret/v1" ‖ seed as u64
    /// little-endian)`, so that a run replays from its seed. Never use this in a service:
    /// anyone who knows the seed knows the draw.
    pub fn for_simulation(seed: u64) -> DrawSecret {
        DrawSecret(hash(&[SIMULATION_DOMAIN, &seed.to_le_bytes()]))
    }

    /// The bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// `SHA-256("fairbook/draw-commitment/v1" ‖ secret)`: what is published before the
    /// opening.
    pub fn commitment(&self) -> Commitment {
        Commitment(hash(&[COMMITMENT_DOMAIN, &self.0]))
    }

    /// The seed of the draw for `cohort`: the first 8 bytes, little-endian, of
    /// `SHA-256("fairbook/draw-seed/v1" ‖ secret ‖ cohort as u16 little-endian)`.
    pub fn draw_seed(&self, cohort: CohortId) -> u64 {
        let digest = hash(&[SEED_DOMAIN, &self.0, &cohort.as_u16().to_le_bytes()]);
        let mut first = [0; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_le_bytes(first)
    }

    /// Lower-case hexadecimal, 64 digits.
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }

    /// Parses 64 hexadecimal digits; `None` for anything else.
    pub fn from_hex(text: &str) -> Option<DrawSecret> {
        from_hex(text).map(DrawSecret)
    }
}

impl fmt::Debug for DrawSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DrawSecret({})", self.to_hex())
    }
}

/// A published commitment to a [`DrawSecret`]: its SHA-256 under a domain tag.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{Commitment, DrawSecret};
/// let commitment = DrawSecret::for_simulation(7).commitment();
/// assert_eq!(Commitment::from_hex(&commitment.to_hex()), Some(commitment));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Commitment([u8; 32]);

impl Commitment {
    /// `true` if `secret` opens this commitment: it hashes to it.
    pub fn verify(&self, secret: &DrawSecret) -> bool {
        secret.commitment() == *self
    }

    /// The digest bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hexadecimal, 64 digits.
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }

    /// Parses 64 hexadecimal digits; `None` for anything else.
    pub fn from_hex(text: &str) -> Option<Commitment> {
        from_hex(text).map(Commitment)
    }
}

impl fmt::Debug for Commitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Commitment({})", self.to_hex())
    }
}

/// The order a draw puts `entrants` in: a Fisher–Yates shuffle of the list by
/// `Rng::new(secret.draw_seed(cohort))`.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{draw_order, DrawSecret};
/// use fairbook::{CohortId, PersonId};
///
/// let entrants: Vec<PersonId> = (1..=5).map(PersonId::new).collect();
/// let secret = DrawSecret::for_simulation(1);
/// let drawn = draw_order(&secret, CohortId::new(0), &entrants);
/// assert_eq!(drawn, draw_order(&secret, CohortId::new(0), &entrants));
/// let mut sorted = drawn.clone();
/// sorted.sort();
/// assert_eq!(sorted, entrants);
/// ```
pub fn draw_order(secret: &DrawSecret, cohort: CohortId, entrants: &[PersonId]) -> Vec<PersonId> {
    draw_permutation(secret, cohort, entrants.len())
        .into_iter()
        .map(|index| entrants[index])
        .collect()
}

/// The positions in the entrant list, in drawn order. The shuffle's swaps depend only on the
/// list's length and the seed, so this permutes any list of that length the way
/// [`draw_order`] permutes the entrants.
pub(crate) fn draw_permutation(secret: &DrawSecret, cohort: CohortId, len: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    Rng::new(secret.draw_seed(cohort)).shuffle(&mut order);
    order
}

/// The published record of one draw: who entered it, in canonical order, and the order
/// drawn.
///
/// # Example
/// ```
/// use fairbook_lab::sim::{draw_order, Draw, DrawSecret};
/// use fairbook::{CohortId, PersonId, Timestamp};
///
/// let secret = DrawSecret::for_simulation(3);
/// let entrants: Vec<PersonId> = (10..20).map(PersonId::new).collect();
/// let draw = Draw {
///     cohort: CohortId::new(1),
///     at: Timestamp::from_secs(600),
///     drawn: draw_order(&secret, CohortId::new(1), &entrants),
///     entrants,
/// };
/// assert!(draw.verify(&secret));
/// assert!(!draw.verify(&DrawSecret::for_simulation(4)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draw {
    /// The cohort drawn.
    pub cohort: CohortId,
    /// When.
    pub at: Timestamp,
    /// The entrants in canonical (join-rank) order, as published at the draw.
    pub entrants: Vec<PersonId>,
    /// The entrants in drawn order: the order they were enqueued in.
    pub drawn: Vec<PersonId>,
}

impl Draw {
    /// `true` if `secret` yields exactly this order from the published entrant list.
    pub fn verify(&self, secret: &DrawSecret) -> bool {
        draw_order(secret, self.cohort, &self.entrants) == self.drawn
    }

    /// SHA-256 of the entrant list (each id as u64 little-endian, under a domain tag): a
    /// short fingerprint to publish beside the list so that copies can be compared.
    pub fn entrants_digest(&self) -> String {
        list_digest(&self.entrants)
    }

    /// SHA-256 of the drawn list, as for [`Draw::entrants_digest`].
    pub fn drawn_digest(&self) -> String {
        list_digest(&self.drawn)
    }
}

fn list_digest(people: &[PersonId]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(ENTRANTS_DOMAIN);
    for person in people {
        hasher.update(person.as_u64().to_le_bytes());
    }
    to_hex(&hasher.finalize())
}

fn hash(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    text
}

fn from_hex(text: &str) -> Option<[u8; 32]> {
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut bytes = [0; 32];
    for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
        let high = char::from(pair[0]).to_digit(16)?;
        let low = char::from(pair[1]).to_digit(16)?;
        *byte = (high * 16 + low) as u8;
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_a_published_vector() {
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        assert_eq!(
            to_hex(&hash(&[b"abc"])),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hex_round_trips_and_rejects_bad_input() {
        let secret = DrawSecret::for_simulation(99);
        assert_eq!(DrawSecret::from_hex(&secret.to_hex()), Some(secret));
        assert_eq!(DrawSecret::from_hex("abc"), None);
        assert_eq!(DrawSecret::from_hex(&"g".repeat(64)), None);
    }

    #[test]
    fn each_cohort_draws_with_its_own_seed() {
        let secret = DrawSecret::for_simulation(5);
        assert_ne!(
            secret.draw_seed(CohortId::new(0)),
            secret.draw_seed(CohortId::new(1))
        );
    }
}
