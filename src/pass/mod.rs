//! Signed admission passes (feature `pass`): proof, checkable without the engine, that the
//! engine admitted a person.
//!
//! The 2021 surge's bypass came from a booking server that trusted the client's word that its
//! turn had come. Inside one process the engine already refuses a `reserve` from anyone it did
//! not admit. A pass carries that fact to other processes: when the engine admits a person,
//! the service mints a [`Pass`] (person, place, lease deadline, key id, HMAC-SHA256 tag) with
//! a [`PassSigner`]; a booking front end, an edge proxy or a second service checks it with a
//! [`PassVerifier`] and the key alone, without asking the engine, and refuses requests that
//! bring none before they cost the engine anything.
//!
//! - **Refusals are typed** ([`PassError`]): malformed, signed with a key nobody holds,
//!   tampered or signed with another secret, expired, or someone else's.
//! - **Comparisons are constant-time**: the tag through `hmac`'s `verify_slice` (which uses
//!   `subtle`), the person through `subtle`, so that timing tells a forger nothing.
//! - **Keys rotate**: a verifier holds several keys, a signer signs with one; start verifying
//!   with a new key everywhere, then sign with it, then drop the old one once its passes have
//!   expired (a pass lives no longer than a lease).
//! - **A pass is a gate, not the truth**: it stays valid until its lease deadline whatever the
//!   person did since. The engine still decides: `Engine::reserve_with_ticket` with the pass's
//!   place checks the place against its own record.
//!
//! Why HMAC rather than a public-key signature (Ed25519): verifying a pass is on the path of
//! every booking request, and with the key's state computed once an HMAC-SHA256 check is two
//! SHA-256 block compressions, while an Ed25519 verification is an elliptic-curve double
//! scalar multiplication, far more work; and the processes that check passes here are the
//! service's own booking back ends,
//! which may hold the secret. The price: whoever can verify can also mint, so the key must
//! not go to machines outside the service's trust boundary. An edge run by a third party
//! would call for a public-key pass instead.
//!
//! # Example
//! ```
//! use fairbook::pass::{KeyId, PassError, PassKey, PassSigner, PassVerifier};
//! use fairbook::{PersonId, Seq, Timestamp};
//!
//! let secret = [7u8; 32]; // from the service's secret store in real life
//! let signer = PassSigner::new(PassKey::new(KeyId::new(1), &secret)?);
//! let verifier = PassVerifier::new([PassKey::new(KeyId::new(1), &secret)?])?;
//!
//! let (ana, ben) = (PersonId::new(42), PersonId::new(43));
//! let lease_until = Timestamp::from_secs(600);
//! let pass = signer.sign(ana, Seq::new(3), lease_until);
//!
//! let now = Timestamp::from_secs(100);
//! let claims = verifier.verify(pass.as_str(), ana, now)?;
//! assert_eq!((claims.person, claims.seq), (ana, Seq::new(3)));
//! assert_eq!(verifier.verify(pass.as_str(), ben, now), Err(PassError::WrongPerson));
//! assert_eq!(
//!     verifier.verify(pass.as_str(), ana, lease_until),
//!     Err(PassError::Expired { lease_until }),
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod encoding;
mod key;
mod signer;
mod verifier;

pub use encoding::{Pass, PassClaims};
pub use key::{KeyId, PassKey, PassKeyError};
pub use signer::PassSigner;
pub use verifier::{PassError, PassVerifier};
