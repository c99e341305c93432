//! The verifiable draw: the seeded random order in which the people who joined before a
//! cohort's opening are placed in line at the opening ([`draw_order`]), the secret it comes
//! from ([`DrawSecret`]), the commitment published before ([`DrawCommitment`]) and the record
//! published after ([`DrawRecord`]).
//!
//! # Why a draw, and why verifiable
//!
//! In the 2021 surge everyone who was there before the opening rushed at the same second: who
//! got in first was decided by network latency and by whoever reloaded fastest. Cloudflare's
//! and Queue-it's waiting rooms instead place the people who arrive before the opening in a
//! random order at the opening, and everyone after in arrival order. A random order chosen by
//! the operator must be believable: so the operator commits to the secret before the opening,
//! and reveals it after; anyone can then recompute the order from the published list of
//! entrants and check it is the one that was used.
//!
//! # The scheme, exactly
//!
//! 1. **Before the opening**, the service draws a 32-byte secret from the operating system's
//!    random source and publishes `commitment = SHA-256("fairbook/draw-commitment/v1" ‖
//!    secret)` ([`DrawSecret::commitment`]).
//! 2. **At the opening**, the entrants (the distinct people who entered the cohort's draw) are
//!    listed in ascending order of their [`PersonId`], and shuffled:
//!    - `state = SHA-256("fairbook/draw-order/v1" ‖ secret ‖ cohort as u16 little-endian)`,
//!      read as four `u64` words, little-endian, which seed xoshiro256++ (Blackman and Vigna,
//!      2018; an all-zero state, which SHA-256 does not produce in practice, is replaced by
//!      SplitMix64 outputs from 0);
//!    - Fisher–Yates from the end: for `i` from `n − 1` down to 1, draw `j` uniformly in
//!      `0..=i` and swap positions `i` and `j`. A uniform `j` is Lemire's method: `m =
//!      next() × (i + 1)` as a 128-bit product; if its low 64 bits are below `2⁶⁴ mod (i + 1)`
//!      draw again; `j` is its high 64 bits.
//!
//!    The people are placed in line in the shuffled order, one place each.
//! 3. **After the opening**, the service publishes the secret and the record (entrants and
//!    order); anyone checks the commitment ([`DrawCommitment::verify`]) and recomputes the
//!    order ([`DrawRecord::verify`]).
//!
//! # Why SHA-256 and a 256-bit secret
//!
//! A commitment must be binding (no second secret opens it) and hiding (it says nothing about
//! the secret before the reveal). SHA-256 is preimage-resistant, and a 256-bit secret cannot
//! be found by trying candidates; a 64-bit seed could be, even behind SHA-256, and then the
//! order would be known before the opening. The hash comes from RustCrypto's `sha2`, a small,
//! widely audited, pure-Rust crate; the shuffle's generator needs no secrecy of its own once
//! its state is a hash of the secret.

use core::fmt;

use sha2::{Digest, Sha256};

use crate::ids::{CohortId, PersonId, Seq};

const COMMITMENT_DOMAIN: &[u8] = b"fairbook/draw-commitment/v1";
const ORDER_DOMAIN: &[u8] = b"fairbook/draw-order/v1";

/// The 32-byte secret a draw's order comes from: drawn from the operating system's random
/// source, committed to before the opening, revealed after.
///
/// # Example
/// ```
/// use fairbook::DrawSecret;
/// let secret = DrawSecret::from_bytes([7; 32]);
/// let published = secret.commitment(); // before the opening
/// assert!(published.verify(&secret)); // after the reveal
/// assert!(!published.verify(&DrawSecret::from_bytes([8; 32])));
/// assert_eq!(DrawSecret::from_hex(&secret.to_hex()), Some(secret));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DrawSecret([u8; 32]);

impl DrawSecret {
    /// A secret from its bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> DrawSecret {
        DrawSecret(bytes)
    }

    /// The bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// `SHA-256("fairbook/draw-commitment/v1" ‖ secret)`: what is published before the
    /// opening.
    pub fn commitment(&self) -> DrawCommitment {
        DrawCommitment(hash(&[COMMITMENT_DOMAIN, &self.0]))
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
    /// Never prints the secret: it may be logged before the reveal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DrawSecret(committed as {})", self.commitment().to_hex())
    }
}

/// A published commitment to a [`DrawSecret`].
///
/// # Example
/// ```
/// use fairbook::{DrawCommitment, DrawSecret};
/// let commitment = DrawSecret::from_bytes([1; 32]).commitment();
/// assert_eq!(DrawCommitment::from_hex(&commitment.to_hex()), Some(commitment));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DrawCommitment([u8; 32]);

impl DrawCommitment {
    /// `true` if `secret` opens this commitment.
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
    pub fn from_hex(text: &str) -> Option<DrawCommitment> {
        from_hex(text).map(DrawCommitment)
    }
}

/// The order a draw places `entrants` in: the distinct entrants sorted by id, shuffled as the
/// module docs specify with the secret and the cohort. Pure: the same arguments give the same
/// order, on any machine.
///
/// # Example
/// ```
/// use fairbook::{draw_order, CohortId, DrawSecret, PersonId};
/// let secret = DrawSecret::from_bytes([42; 32]);
/// let entrants: Vec<PersonId> = [30, 10, 20, 10].map(PersonId::new).to_vec();
/// let drawn = draw_order(&secret, CohortId::new(0), &entrants);
/// assert_eq!(drawn, draw_order(&secret, CohortId::new(0), &[10, 20, 30].map(PersonId::new)));
/// let mut sorted = drawn.clone();
/// sorted.sort();
/// assert_eq!(sorted, [10, 20, 30].map(PersonId::new));
/// ```
pub fn draw_order(secret: &DrawSecret, cohort: CohortId, entrants: &[PersonId]) -> Vec<PersonId> {
    let mut order = entrants.to_vec();
    order.sort_unstable();
    order.dedup();
    let mut rng = Xoshiro256::from_digest(hash(&[
        ORDER_DOMAIN,
        &secret.0,
        &cohort.as_u16().to_le_bytes(),
    ]));
    for i in (1..order.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        order.swap(i, j);
    }
    order
}

/// The published record of one draw: the cohort, its entrants in canonical order (ascending
/// ids) and the order they were placed in, from `first` on (a person who already held a place
/// in line kept it and is not placed again; those the full waiting room turned away are not
/// placed either: see `placed`).
///
/// # Example
/// ```
/// use fairbook::{draw_order, CohortId, DrawRecord, DrawSecret, PersonId, Seq};
/// let secret = DrawSecret::from_bytes([3; 32]);
/// let entrants: Vec<PersonId> = (1..=5).map(PersonId::new).collect();
/// let record = DrawRecord {
///     cohort: CohortId::new(2),
///     drawn: draw_order(&secret, CohortId::new(2), &entrants),
///     entrants,
///     placed: 5,
///     first: Seq::new(0),
/// };
/// assert!(record.verify(&secret));
/// assert!(!record.verify(&DrawSecret::from_bytes([4; 32])));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrawRecord {
    /// The cohort drawn.
    pub cohort: CohortId,
    /// The distinct entrants, by ascending id.
    pub entrants: Vec<PersonId>,
    /// The entrants in drawn order.
    pub drawn: Vec<PersonId>,
    /// How many of them were given a new place.
    pub placed: u64,
    /// The first place given (the others follow, in drawn order, skipping the people who were
    /// not placed).
    pub first: Seq,
}

impl DrawRecord {
    /// `true` if `secret` yields exactly this order from these entrants: what anyone checks
    /// after the reveal.
    pub fn verify(&self, secret: &DrawSecret) -> bool {
        self.entrants.is_sorted_by(|a, b| a < b)
            && draw_order(secret, self.cohort, &self.entrants) == self.drawn
    }
}

/// xoshiro256++ (Blackman and Vigna, 2018): the draw's generator, seeded from a digest.
struct Xoshiro256 {
    state: [u64; 4],
}

impl Xoshiro256 {
    fn from_digest(digest: [u8; 32]) -> Xoshiro256 {
        let mut state = [0u64; 4];
        for (word, bytes) in state.iter_mut().zip(digest.chunks_exact(8)) {
            *word = u64::from_le_bytes(bytes.try_into().expect("8 bytes"));
        }
        if state == [0; 4] {
            let mut seed = 0u64;
            for word in &mut state {
                *word = splitmix64(&mut seed);
            }
        }
        Xoshiro256 { state }
    }

    fn next(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (Lemire, "Fast random integer generation in an interval", 2019).
    fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let threshold = n.wrapping_neg() % n;
        loop {
            let product = u128::from(self.next()) * u128::from(n);
            if (product as u64) >= threshold {
                return (product >> 64) as u64;
            }
        }
    }
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
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

#[cfg(all(test, not(loom)))]
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
    fn xoshiro256_plus_plus_matches_its_reference() {
        // From the state {1, 2, 3, 4}, by hand from the reference algorithm: rotl(1 + 4, 23)
        // + 1, then, with the state {7, 0, 262146, 6 << 45}, rotl(7 + (6 << 45), 23) + 7.
        let mut rng = Xoshiro256 {
            state: [1, 2, 3, 4],
        };
        let first: Vec<u64> = (0..2).map(|_| rng.next()).collect();
        assert_eq!(
            first,
            [(5 << 23) + 1, (7 << 23) + (6 << (45 + 23 - 64)) + 7]
        );
    }

    #[test]
    fn below_is_uniform_enough_and_in_range() {
        let mut rng = Xoshiro256::from_digest([9; 32]);
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            counts[rng.below(6) as usize] += 1;
        }
        // Each face 10,000 ± 5 standard deviations (about 91).
        assert!(
            counts.iter().all(|&count| (9_540..10_460).contains(&count)),
            "{counts:?}"
        );
    }

    #[test]
    fn hex_round_trips_and_rejects_bad_input() {
        let secret = DrawSecret::from_bytes([0xab; 32]);
        assert_eq!(DrawSecret::from_hex(&secret.to_hex()), Some(secret));
        assert_eq!(DrawSecret::from_hex("abc"), None);
        assert_eq!(DrawSecret::from_hex(&"g".repeat(64)), None);
        assert!(!format!("{secret:?}").contains(&secret.to_hex()));
    }
}
